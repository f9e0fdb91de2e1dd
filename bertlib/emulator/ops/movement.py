"""Data movement: transpose, concat, split/chunk/stack, slice and ``tensor[...]``, pad, repeat, squeeze/unsqueeze,
expand, view, tilize/untilize, typecast/to_dtype/clone/copy/assign, fill, triu/tril, roll and gather.

Semantics are tt-metal's (``ttnn/cpp/ttnn/operations/data_movement``, ``copy/typecast``, and real ttnn 0.81.1's
docstrings); what a card refuses is refused with tt-metal's message. Moving data changes no value, except where a
card re-forms what it stores:

- a block float (bfloat8_b, bfloat4_b) whose values move within a tile row shares its exponents anew (``emit``
  stores the moved values again); whole-tile moves keep them, which storing again reproduces exactly;
- untilizing a block float gives bfloat16 (tt-metal's untilize), and so do the ops that untilize on the way: a
  TILE slice that is strided, 1-D, sharded or at an offset that is not whole tiles;
- ``typecast`` converts as a card's SFPU does (``typecast``'s docstring and real ttnn's golden function): float to
  int32/uint32 truncates toward zero and saturates (NaN gives 0, the emulator's choice), to uint16 rounds half up
  (block floats truncate) and saturates, narrowing to uint8 truncates and wraps modulo 256; integers widen exactly,
  int32 to uint32 and to uint16 clamp, uint32 to int32 wraps; to float dtypes it rounds to nearest even. int8 is
  host-only on a card. On the host, ``typecast``, ``to_dtype`` and ``from_torch`` into integers run real ttnn's own
  host conversion.

Ops keep the input's memory config unless given one (``concat`` defaults to DRAM, as ttnn does); sharded configs
are checked by ``emit``. Host tensors: ``pad``, ``squeeze``/``unsqueeze``, ``typecast``, ``to_dtype`` and
``tensor[...]`` (unit steps) work on them as real ttnn's host paths do, unrecorded; the other ops need a device.
Tile padding is never stored, so ``pad_value=`` keywords (which fill it) change no logical value; ops that would
read it (a slice or unpadding past the logical end) are refused by name.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
import ttnn

from bertlib.emulator import sharding, tensor
from bertlib.emulator.hostenv import ensure_host_conversions
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import BLOCK_FLOAT, NARROW_UNSIGNED, TILE, round_bf16
from bertlib.emulator.op_registry import REGISTRY, op
from bertlib.emulator.ops.common import check_layout, device_input, emit, keeps_storage, output_config
from bertlib.emulator.ops.tensors import FLOATS, INTEGERS, TTNN_TO_TORCH, adopt, layout_dtype
from bertlib.emulator.tensor import Tensor, padded

Compute = Callable[[], torch.Tensor]


# ------------------------------------------------------------------------------------------------ helpers
def _dim(dim: Any, rank: int, op: str, *, extra: int = 0) -> int:
    """``dim`` counted from 0 (a negative one from the end) among ``rank + extra`` dims; refused out of range."""
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise RuntimeError(f"ttnn.{op}: dim must be an int (got {type(dim).__name__})")
    size = rank + extra
    if not -size <= dim < size:
        raise RuntimeError(f"ttnn.{op}: Dimension out of range (expected to be in range of [{-size}, {size - 1}], "
                           f"but got {dim})")
    return dim % size


def _ints(values: Any, name: str, op: str) -> list[int]:
    """A list of ints from a list, tuple, ``ttnn.Shape`` or torch tensor."""
    try:
        items = list(values)
    except TypeError:
        raise RuntimeError(f"ttnn.{op}: {name} must be a list of ints (got {type(values).__name__})") from None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise RuntimeError(f"ttnn.{op}: {name} must be a list of ints (got {items})")
    return items


def _values_of(*inputs: Tensor) -> bool:
    """True when every input holds values (False while tracing shapes only)."""
    return all(t.stored is not None for t in inputs)


def _moved(op: str, x: Tensor, shape: Sequence[int], compute: Compute, memory_config: Any = None, *,
           inputs: Sequence[Tensor] | None = None, dtype: Any = None, layout: Any = None,
           output_tensor: Any = None, stored: bool | None = None) -> Tensor:
    """The result of moving ``x``'s values (``compute`` gives them in ``x``'s stored dtype): placed in
    ``memory_config`` (default the input's), stored again only where the dtype changes or a block float moves."""
    inputs = [x] if inputs is None else list(inputs)
    dtype = dtype if dtype is not None else x.dtype
    target = output_tensor.dtype if output_tensor is not None else dtype
    return emit(
        op, inputs, tuple(shape), dtype, layout if layout is not None else x.layout,
        output_config(memory_config, x.mem_config), x.on_device, compute if _values_of(*inputs) else None,
        output_tensor=output_tensor, stored=keeps_storage(x, target) if stored is None else stored,
    )


def _floats_only(x: Tensor, dtype: Any, op: str) -> None:
    """A card converts between float dtypes in these ops; integer conversions are ``typecast``'s."""
    if dtype != x.dtype and not (dtype in FLOATS and x.dtype in FLOATS):
        raise UnsupportedTTNNOp(f"ttnn.{op}(dtype={dtype}) from {x.dtype} is not emulated: it converts between float "
                                "dtypes only; use ttnn.typecast for integer conversions")


# ------------------------------------------------------------------------------------------------ transpose
@op(family="data movement", group="data movement", not_computed=("pad_value",))
def transpose(input_tensor: Tensor, dim1: int, dim2: int, pad_value: float = 0.0, *,
              memory_config: Any = None) -> Tensor:
    """``input_tensor`` with dims ``dim1`` and ``dim2`` swapped (any rank; ``pad_value`` fills tile padding)."""
    x = device_input(input_tensor)
    rank = len(x.logical_shape)
    a, b = _dim(dim1, rank, "transpose"), _dim(dim2, rank, "transpose")
    shape = list(x.logical_shape)
    shape[a], shape[b] = shape[b], shape[a]
    return _moved("transpose", x, shape, lambda: x.stored.transpose(a, b), memory_config)


# ------------------------------------------------------------------------------------------------ concat, split
def _check_concat(tensors: Sequence[Tensor], dim: int) -> None:
    first = tensors[0]
    for t in tensors:
        if t.on_device is not first.on_device:
            raise RuntimeError("Operands to concat need to be on the same device.")
        if t.layout != first.layout:
            raise RuntimeError("All Tensors should have same layouts.")
        if t.dtype != first.dtype:
            raise RuntimeError("All Tensors should have same dtypes.")
        if len(t.logical_shape) != len(first.logical_shape):
            raise RuntimeError("Input tensor ranks must be equal")
        if any(n != m for i, (n, m) in enumerate(zip(t.logical_shape, first.logical_shape, strict=True)) if i != dim):
            raise RuntimeError("All dimensions must be the same size except for the dimension along which the "
                               "contenation is taking place.")
        if sharding.is_sharded(t.mem_config) != sharding.is_sharded(first.mem_config):
            raise RuntimeError("All tensors must be sharded or all must be interleaved")


def _grouped(parts: list[torch.Tensor], dim: int, groups: int) -> torch.Tensor:
    """tt-metal's grouped concat: each input split into ``groups`` along ``dim``, the pieces interleaved."""
    if groups == 1:
        return torch.cat(parts, dim)
    pieces = [p.chunk(groups, dim) for p in parts]
    return torch.cat([piece[g] for g in range(groups) for piece in pieces], dim)


@op(family="data movement", group="data movement", not_computed=("sub_core_grids",))
def concat(
    tensors: Sequence[Tensor],
    dim: int = 0,
    *,
    memory_config: Any = None,
    output_tensor: Any = None,
    groups: int = 1,
    sub_core_grids: Any = None,
) -> Tensor:
    """The tensors joined along ``dim`` (same dtype, layout and rank; other dims equal), in DRAM unless
    ``memory_config`` says otherwise (ttnn's default). ``groups > 1`` interleaves each input's ``groups`` parts:
    a card supports it for two height-sharded inputs only."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("ttnn.concat: expected a non-empty list of Tensors!")
    if output_tensor is not None:
        raise RuntimeError("optional output tensor currently unsupported!")
    inputs = [device_input(t, f"tensors[{i}]") for i, t in enumerate(tensors)]
    config = memory_config if memory_config is not None else ttnn.DRAM_MEMORY_CONFIG
    first = inputs[0]
    rank = len(first.logical_shape)
    dim = _dim(dim, rank, "concat")
    _check_concat(inputs, dim)
    if groups != 1 and not (len(inputs) == 2 and all(t.mem_config.memory_layout == ttnn.TensorMemoryLayout.HEIGHT_SHARDED
                                                      for t in inputs)):
        raise RuntimeError(f"Groups > 1 is only supported on height-sharded tensors (groups={groups} was provided): "
                           "pass two height-sharded inputs")
    if groups < 1 or any(t.logical_shape[dim] % groups for t in inputs):
        raise RuntimeError(f"ttnn.concat: groups={groups} must divide every input's size along dim {dim}")
    shape = list(first.logical_shape)
    shape[dim] = sum(t.logical_shape[dim] for t in inputs)
    return _moved("concat", first, shape, lambda: _grouped([t.stored for t in inputs], dim, groups), config,
                  inputs=inputs)


@op(family="data movement", group="data movement")
def stack(input_tensors: Sequence[Tensor], dim: int) -> Tensor:
    """The tensors (all the same shape) stacked along a new dim ``dim``, in DRAM (ttnn unsqueezes and concats)."""
    inputs = [device_input(t, f"input_tensors[{i}]") for i, t in enumerate(input_tensors)]
    if not inputs:
        raise RuntimeError("ttnn.stack: expected a non-empty list of Tensors!")
    first = inputs[0]
    dim = _dim(dim, len(first.logical_shape), "stack", extra=1)
    if any(t.logical_shape != first.logical_shape for t in inputs):
        raise RuntimeError("ttnn.stack: all input tensors must have the same shape")
    _check_concat(inputs, dim)
    shape = [*first.logical_shape[:dim], len(inputs), *first.logical_shape[dim:]]
    return _moved("stack", first, shape, lambda: torch.stack([t.stored for t in inputs], dim),
                  ttnn.DRAM_MEMORY_CONFIG, inputs=inputs)  # ttnn stacks with a concat: in DRAM


def _pieces(x: Tensor, sizes: list[int], dim: int, memory_config: Any, op: str) -> list[Tensor]:
    """``x`` cut along ``dim`` into consecutive pieces of ``sizes``: one slice each, as ttnn's split runs them."""
    pieces, start = [], 0
    for size in sizes:
        begins = [0] * len(x.logical_shape)
        ends = list(x.logical_shape)
        begins[dim], ends[dim] = start, start + size
        pieces.append(_slice(x, begins, ends, [1] * len(ends), memory_config, None, op))
        start += size
    return pieces


@op(family="data movement", group="data movement")
def split(input_tensor: Tensor, split_size: int | Sequence[int], dim: int = 0, *,
          memory_config: Any = None) -> list[Tensor]:
    """``input_tensor`` cut along ``dim`` into pieces of ``split_size`` (the last may be smaller), or of the sizes
    in a ``split_size`` list, which must add up to the dim's size. Each piece is a slice."""
    x = device_input(input_tensor)
    dim = _dim(dim, len(x.logical_shape), "split")
    total = x.logical_shape[dim]
    if isinstance(split_size, int) and not isinstance(split_size, bool):
        if split_size <= 0 or total == 0:
            raise RuntimeError(f"ttnn.split: split_size must be greater than 0 and the split dim non-empty (got "
                               f"split_size={split_size}, size {total})")
        sizes = [min(split_size, total - s) for s in range(0, total, split_size)]
    else:
        sizes = _ints(split_size, "split_size", "split")
        if any(s <= 0 for s in sizes) or sum(sizes) != total:
            raise RuntimeError(f"ttnn.split: the sizes {sizes} must each be greater than 0 and add up to "
                               f"input_tensor.shape[{dim}] = {total}")
    return _pieces(x, sizes, dim, memory_config, "split")


@op(family="data movement", group="data movement")
def chunk(input_tensor: Tensor, chunks: int, dim: int) -> list[Tensor]:
    """``input_tensor`` cut along ``dim`` into ``chunks`` pieces, as ``torch.chunk`` cuts it (pieces of
    ``ceil(size / chunks)``, so there may be fewer)."""
    x = device_input(input_tensor)
    dim = _dim(dim, len(x.logical_shape), "chunk")
    if isinstance(chunks, bool) or not isinstance(chunks, int) or chunks <= 0:
        raise RuntimeError(f"ttnn.chunk: chunks must be a positive int (got {chunks!r})")
    total = x.logical_shape[dim]
    size = -(-total // chunks)
    sizes = [min(size, total - s) for s in range(0, total, size)] if total else []
    return _pieces(x, sizes, dim, None, "chunk")


# ------------------------------------------------------------------------------------------------ slice
def _wrap(index: int, size: int) -> int:
    return index + size if index < 0 else index


def _bounds(x: Tensor, begins: list[int], ends: list[int], steps: list[int]) -> tuple[list[int], list[int]]:
    """tt-metal's slice checks on ``begins``/``ends`` (negative ones count from the end) and ``steps``."""
    rank = len(x.logical_shape)
    if len(begins) != rank:
        raise RuntimeError(f"Input rank {rank} and begins {len(begins)} must have the same size")
    if len(ends) != len(begins):
        raise RuntimeError(f"Start {len(begins)} and end {len(ends)} must have the same size")
    if len(steps) != len(begins):
        raise RuntimeError(f"Step {len(steps)} must have the same size as start {len(begins)} and end")
    begins = [_wrap(b, n) for b, n in zip(begins, x.logical_shape, strict=True)]
    ends = [_wrap(e, n) for e, n in zip(ends, x.logical_shape, strict=True)]
    for i, (b, e, s, n) in enumerate(zip(begins, ends, steps, x.logical_shape, strict=True)):
        if s <= 0:
            raise RuntimeError(f"Step({i}) = {s} should be positive")
        if e < b or b < 0:
            raise RuntimeError(f"End {e} must be greater than or equal to start {b}")
        if e > n:
            raise RuntimeError(f"Ends {e} must be less than or equal to the shape of the tensor {n} (dim {i}; the "
                               "emulator stores no tile padding to read past the logical end)")
    return begins, ends


def _slice_dtype(x: Tensor, begins: list[int], strided: bool) -> Any:
    """The dtype a slice comes back in: a TILE slice that is strided, 1-D, sharded or not at whole-tile offsets
    runs on an untilized copy (tt-metal slice.cpp), so a block float comes back as bfloat16."""
    if x.layout != ttnn.TILE_LAYOUT:
        return x.dtype
    aligned = len(begins) == 1 or (begins[-1] % TILE == 0 and begins[-2] % TILE == 0)
    if not (strided or len(begins) == 1 or sharding.is_sharded(x.mem_config) or not aligned):
        return x.dtype
    if strided and x.dtype == ttnn.bfloat8_b:
        raise RuntimeError("Strided slice is not supported for BFLOAT8 tensors")
    if x.dtype == ttnn.uint16:
        raise RuntimeError("This slice requires an implicit Tile->RM conversion and that is not currently supported "
                           "for uint16")
    return ttnn.bfloat16 if x.dtype in BLOCK_FLOAT else x.dtype


def _slice(x: Tensor, begins: list[int], ends: list[int], steps: list[int], memory_config: Any,
           output_tensor: Any, op: str = "slice") -> Tensor:
    if not x.logical_shape:
        return x
    begins, ends = _bounds(x, begins, ends, steps)
    shape = [-(-(e - b) // s) for b, e, s in zip(begins, ends, steps, strict=True)]
    dtype = _slice_dtype(x, begins, any(s != 1 for s in steps))
    index = tuple(builtins.slice(b, e, s) for b, e, s in zip(begins, ends, steps, strict=True))
    if output_tensor is not None:
        memory_config = device_input(output_tensor, "output_tensor").mem_config
    return _moved(op, x, shape, lambda: x.stored[index], memory_config, dtype=dtype, output_tensor=output_tensor)


def _index_list(value: Any, name: str) -> list[int]:
    """Slice bounds from a list or a ttnn tensor of them (the tensor-argument overload)."""
    if isinstance(value, Tensor):
        value.checked()
        if len(value.logical_shape) != 1:
            raise RuntimeError(f"The {name} tensor for slicing must be in 1D shape, but got "
                               f"{len(value.logical_shape)}D")
        if value.stored is None:
            raise RuntimeError(f"ttnn.slice: the {name} tensor has no values (shape-only tracing)")
        return [int(v) for v in value.stored.tolist()]
    return _ints(value, name, "slice")


@op("slice", family="data movement", group="data movement", not_computed=("pad_value", "sub_core_grids"))
def slice_(
    input_tensor: Tensor,
    starts: Any = None,
    ends: Any = None,
    slice_step: Sequence[int] | None = None,
    *,
    steps: Sequence[int] | None = None,
    slice_start: Sequence[int] | None = None,
    slice_end: Sequence[int] | None = None,
    memory_config: Any = None,
    output_tensor: Any = None,
    pad_value: float | None = None,
    slice_dim: int | None = None,
    num_devices: int | None = None,
    sub_core_grids: Any = None,
) -> Tensor:
    """``input_tensor[starts:ends:steps]`` in every dim (a negative start or end counts from the end; ends past
    the logical shape are refused). Starts and ends are lists, or 1-D ttnn tensors, where ``slice_dim`` and
    ``num_devices`` may say the slice is one device's equal share along a dim. ``pad_value`` fills tile padding."""
    x = device_input(input_tensor)
    begins = _index_list(starts if starts is not None else slice_start, "start")
    finals = _index_list(ends if ends is not None else slice_end, "end")
    given = [s for s in (slice_step, steps) if s is not None]
    step = _ints(given[0], "slice_step", "slice") if given else [1] * len(begins)
    if (slice_dim is None) != (num_devices is None):
        raise RuntimeError("slice_dim and num_devices must be provided for tensor args path")
    if slice_dim is not None:
        _check_device_share(x, begins, finals, slice_dim, num_devices)
    return _slice(x, begins, finals, step, memory_config, output_tensor)


def _check_device_share(x: Tensor, begins: list[int], ends: list[int], slice_dim: int, num_devices: int) -> None:
    """tt-metal's tensor-argument slice gives each device ``shape[slice_dim] / num_devices`` along ``slice_dim``."""
    rank = len(x.logical_shape)
    if not 0 <= slice_dim < rank:
        raise RuntimeError(f"slice_dim ({slice_dim}) must be less than tensor rank ({rank})")
    size = x.logical_shape[slice_dim]
    if num_devices <= 0 or size % num_devices:
        raise RuntimeError(f"Input dimension {slice_dim} (size={size}) must be evenly divisible by num_devices "
                           f"({num_devices})")
    if len(begins) == rank and len(ends) == rank and ends[slice_dim] - begins[slice_dim] != size // num_devices:
        raise UnsupportedTTNNOp(f"ttnn.slice(slice_dim={slice_dim}, num_devices={num_devices}) with a slice of "
                                f"{ends[slice_dim] - begins[slice_dim]} along that dim is not emulated: a card "
                                f"reads {size // num_devices} there")


def _normalized_key(key: Any, shape: Sequence[int]) -> tuple[list[int], list[int], list[int], list[int]]:
    """A Python index (ints, slices, one Ellipsis) as ttnn's ``Tensor.__getitem__`` turns it into slice bounds,
    and the dims an int index removes."""
    items = list(key) if isinstance(key, tuple) else [key]
    rank = len(shape)
    if sum(k is Ellipsis for k in items) > 1:
        raise ValueError("Only one ellipsis ('...') is allowed in a slice.")
    if Ellipsis in items:
        at = items.index(Ellipsis)
        missing = rank - (len(items) - 1)
        if missing < 0:
            raise IndexError(f"Too many indices for tensor of dimension {rank}")
        items[at:at + 1] = [builtins.slice(None)] * missing
    if len(items) > rank:
        raise IndexError(f"Too many indices for tensor of dimension {rank}")
    items += [builtins.slice(None)] * (rank - len(items))
    begins, ends, steps, dropped = [], [], [], []
    for dim, (item, size) in enumerate(zip(items, shape, strict=True)):
        if isinstance(item, int) and not isinstance(item, bool):
            index = _wrap(item, size)
            if not 0 <= index < size:  # ttnn raises IndexError here, as Python indexing does
                raise IndexError(f"Index {item} (converted to {index}) is out of bounds for dimension {dim} of size "
                                 f"{size}")
            begins.append(index)
            ends.append(index + 1)
            steps.append(1)
            dropped.append(dim)
        elif isinstance(item, builtins.slice):
            begins.append(0 if item.start is None else item.start)
            ends.append(size if item.stop is None else item.stop)
            steps.append(1 if item.step is None else item.step)
        else:
            raise TypeError(f"Invalid slice type: {item}")
    return begins, ends, steps, dropped


def getitem(input_tensor: Any, key: Any) -> Any:
    """``tensor[key]`` as real ttnn's ``Tensor.__getitem__``: ints, slices and one Ellipsis become one
    ``ttnn.slice`` (a host tensor is cut on the host, unit steps only), then ``ttnn.squeeze`` removes each
    int-indexed dim."""
    shape = list(input_tensor.shape)
    begins, ends, steps, dropped = _normalized_key(key, shape)
    if isinstance(input_tensor, Tensor) and input_tensor.checked().on_device is None:
        if any(s != 1 for s in steps):
            raise RuntimeError("Host tensors cannot be accessed with non-unit stride")
        out = _host_slice(input_tensor, begins, ends)
    else:
        out = REGISTRY["slice"].public(input_tensor, begins, ends, steps)
    for shift, dim in enumerate(dropped):
        out = REGISTRY["squeeze"].public(out, dim - shift)
    return out


def _host_slice(x: Tensor, begins: list[int], ends: list[int]) -> Tensor:
    """A host tensor cut to ``[begins, ends)`` (ttnn's host unpad; no device op, so nothing is recorded)."""
    begins, ends = _bounds(x, begins, ends, [1] * len(begins))
    if x.dtype in BLOCK_FLOAT:
        raise RuntimeError(f"a host {x.dtype} tensor cannot be cut: it is stored in TILE layout only (move it to a "
                           "device first)")
    index = tuple(builtins.slice(b, e) for b, e in zip(begins, ends, strict=True))
    shape = tuple(e - b for b, e in zip(begins, ends, strict=True))
    return Tensor(None if x.stored is None else x.stored[index], shape, x.dtype, x.layout, x.mem_config, None)


tensor.OPERATORS["__getitem__"] = getitem  # ttnn.Tensor.__getitem__ is a Python method of real ttnn, not an op


# ------------------------------------------------------------------------------------------------ pad
def _padding_pairs(x: Tensor, padding: Any) -> list[tuple[int, int]]:
    """``padding`` as (before, after) per dim, missing leading dims unpadded (tt-metal's ExecutePad)."""
    try:
        pairs = [tuple(int(v) for v in p) for p in padding]
    except TypeError:
        raise RuntimeError("ttnn.pad: padding must be a list of (before, after) pairs, one per dim") from None
    if any(len(p) != 2 or min(p) < 0 for p in pairs):
        raise RuntimeError(f"ttnn.pad: each padding entry must be a (before, after) pair of sizes >= 0 (got {pairs})")
    rank = len(x.logical_shape)
    if len(pairs) > rank:
        raise RuntimeError("ttnn.pad: padding len can't be larger than input tensor rank")
    return [(0, 0)] * (rank - len(pairs)) + pairs


def _start_padding(x: Tensor, output_padded_shape: Any, input_tensor_start: Any) -> list[tuple[int, int]]:
    """The second overload's output shape and input start, as (before, after) pairs."""
    out = _ints(output_padded_shape, "output_padded_shape", "pad")
    start = _ints(input_tensor_start, "input_tensor_start", "pad")
    if len(out) != len(x.logical_shape) or len(start) != len(out):
        raise RuntimeError("ttnn.pad: output_padded_shape and input_tensor_start must have the input's rank")
    pairs = [(s, o - s - n) for o, s, n in zip(out, start, x.logical_shape, strict=True)]
    if any(before < 0 or after < 0 for before, after in pairs):
        raise RuntimeError(f"ttnn.pad: the input {list(x.logical_shape)} placed at {start} does not fit in {out}")
    return pairs


def _is_pairs(padding: Any) -> bool:
    return all(isinstance(p, (list, tuple)) for p in padding)


def _pad_config(x: Tensor, shape: list[int], memory_config: Any) -> Any:
    """The padded tensor's memory config: the one asked for; else a sharded input's output is height-sharded anew
    on the same cores (tt-metal pad_impl), an interleaved one stays where the input is."""
    if memory_config is not None or not sharding.is_sharded(x.mem_config) or list(x.logical_shape) == shape:
        return memory_config
    grid = x.mem_config.shard_spec.grid
    rows = math.prod(padded(tuple(shape), x.layout)[:-1])
    height = -(-rows // grid.num_cores())
    if x.layout == ttnn.TILE_LAYOUT:
        height = -(-height // TILE) * TILE
    spec = ttnn.ShardSpec(grid, [height, padded(tuple(shape), x.layout)[-1]], ttnn.ShardOrientation.ROW_MAJOR)
    return ttnn.MemoryConfig(ttnn.TensorMemoryLayout.HEIGHT_SHARDED, x.mem_config.buffer_type, spec)


def _check_narrow_fill(dtype: Any, value: Any) -> None:
    """A uint16/uint8 tensor is padded with a value it holds exactly (a whole number in its range); how a card's pad
    kernels pack any other value into 16 or 8 bits is not modelled, so it is refused rather than guessed."""
    top = NARROW_UNSIGNED.get(dtype)
    if top is not None and not (math.isfinite(float(value)) and float(value).is_integer() and 0 <= value <= top):
        name = str(dtype).split(".")[-1].lower()
        raise UnsupportedTTNNOp(f"ttnn.pad(value={value!r}) on a {name} tensor is not emulated: only a whole number in "
                                f"[0, {top}] is stored exactly; how a card packs any other pad value into {name} is not "
                                "modelled")


@op(family="data movement", group="data movement", not_computed=("sub_core_grids", "use_multicore"))
def pad(
    input_tensor: Tensor,
    padding: Any = None,
    input_tensor_start: Any = None,
    value: float | int | None = None,
    *,
    output_padded_shape: Sequence[int] | None = None,
    use_multicore: bool = True,
    memory_config: Any = None,
    sub_core_grids: Any = None,
) -> Tensor:
    """``input_tensor`` padded with ``value``: ``pad(tensor, padding, value)`` with a (before, after) pair per dim
    (fewer pairs pad the last dims), or ttnn's second form ``pad(tensor, output_padded_shape, input_tensor_start,
    value)``. A TILE tensor takes no padding before its values on a device. Works on host tensors too;
    ``use_multicore`` (how a card splits the work) is recorded as a hint."""
    x = adopt(input_tensor)
    if padding is not None and output_padded_shape is None and not _is_pairs(padding):
        output_padded_shape, padding = padding, None  # ttnn's second form, given positionally
    if output_padded_shape is None and value is None and not isinstance(input_tensor_start, (list, tuple)):
        value, input_tensor_start = input_tensor_start, None  # pad(tensor, padding, value)
    if value is None:
        raise RuntimeError("ttnn.pad needs the pad value: pad(tensor, padding, value)")
    if output_padded_shape is not None:
        if input_tensor_start is None:
            raise RuntimeError("ttnn.pad(tensor, output_padded_shape, input_tensor_start, value) needs "
                               "input_tensor_start")
        pairs = _start_padding(x, output_padded_shape, input_tensor_start)
    elif padding is None:
        raise RuntimeError("ttnn.pad needs padding=[(before, after), ...] or output_padded_shape and "
                           "input_tensor_start")
    else:
        pairs = _padding_pairs(x, padding)
    if x.on_device is not None and x.layout == ttnn.TILE_LAYOUT and any(before for before, _ in pairs):
        raise RuntimeError("ttnn.pad: on device tile padding does not support front padding")
    if x.dtype in BLOCK_FLOAT and x.on_device is None:
        raise RuntimeError(f"a host {x.dtype} tensor cannot be padded: it is stored in TILE layout only")
    shape = [n + before + after for n, (before, after) in zip(x.logical_shape, pairs, strict=True)]
    _check_narrow_fill(x.dtype, value)
    fill = int(value) if x.dtype in INTEGERS else float(value)

    def compute() -> torch.Tensor:
        out = torch.full(shape, fill, dtype=x.stored.dtype) if x.dtype in INTEGERS else (
            torch.full(shape, fill, dtype=torch.float32).to(x.stored.dtype))
        out[tuple(builtins.slice(b, b + n) for n, (b, _) in zip(x.logical_shape, pairs, strict=True))] = x.stored
        return out

    if x.on_device is None:
        return Tensor(None if x.stored is None else compute(), tuple(shape), x.dtype, x.layout, x.mem_config, None)
    # compute stores the pad value in the input's storage dtype; block floats share their exponents anew
    return _moved("pad", x, shape, compute, _pad_config(x, shape, memory_config), stored=x.dtype not in BLOCK_FLOAT)


# ------------------------------------------------------------------------------------------------ repeat, expand
@op(family="data movement", group="data movement")
def repeat(input_tensor: Tensor, repeat_dims: Sequence[int], *, memory_config: Any = None,
           optional_output_tensor: Any = None) -> Tensor:
    """``input_tensor`` tiled ``repeat_dims[i]`` times along each dim (``torch.Tensor.repeat``; a shorter
    ``repeat_dims`` repeats the last dims, a longer one adds leading dims)."""
    x = device_input(input_tensor)
    reps = _ints(repeat_dims, "repeat_dims", "repeat")
    if not x.logical_shape:
        raise RuntimeError("repeat does not support rank 0 tensors")
    if any(r < 0 for r in reps):
        raise RuntimeError(f"ttnn.repeat: repetitions must be 0 or more (got {reps})")
    rank = max(len(reps), len(x.logical_shape))
    reps = [1] * (rank - len(reps)) + reps
    source = [1] * (rank - len(x.logical_shape)) + list(x.logical_shape)
    shape = [n * r for n, r in zip(source, reps, strict=True)]
    return _moved("repeat", x, shape, lambda: x.stored.reshape(source).repeat(*reps), memory_config,
                  output_tensor=optional_output_tensor)


@op(family="data movement", group="data movement")
def repeat_interleave(input_tensor: Tensor, repeats: int, dim: int, *, memory_config: Any = None) -> Tensor:
    """Each element of ``input_tensor`` repeated ``repeats`` times in a row along ``dim``."""
    x = device_input(input_tensor)
    dim = _dim(dim, len(x.logical_shape), "repeat_interleave")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 0:
        raise RuntimeError(f"ttnn.repeat_interleave: repeats must be an int >= 0 (got {repeats!r})")
    shape = list(x.logical_shape)
    shape[dim] *= repeats
    return _moved("repeat_interleave", x, shape, lambda: x.stored.repeat_interleave(repeats, dim), memory_config)


@op(family="data movement", group="data movement")
def expand(input_tensor: Tensor, output_shape: Sequence[int], *, memory_config: Any = None) -> Tensor:
    """``input_tensor`` with its size-1 dims repeated to ``output_shape`` (-1 keeps a dim), copied as a card does."""
    x = device_input(input_tensor)
    target = _ints(output_shape, "output_shape", "expand")
    if len(target) < len(x.logical_shape):
        raise RuntimeError(f"ttnn.expand: the output shape {target} has fewer dims than the input "
                           f"{list(x.logical_shape)}")
    source = [1] * (len(target) - len(x.logical_shape)) + list(x.logical_shape)
    shape = [n if t == -1 else t for n, t in zip(source, target, strict=True)]
    if any(n not in (1, t) for n, t in zip(source, shape, strict=True)):
        raise RuntimeError(f"ttnn.expand: only size-1 dims expand: {list(x.logical_shape)} cannot become {target}")
    return _moved("expand", x, shape, lambda: x.stored.reshape(source).expand(shape).contiguous(), memory_config)


# ------------------------------------------------------------------------------------------------ squeeze, view
@op(family="data movement", group="data movement")
def squeeze(input_tensor: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """``input_tensor`` without the size-1 dims among ``dim`` (all of them when None); a named dim of another size
    is kept, as in torch. Unchanged, it is the same tensor."""
    x = adopt(input_tensor)
    rank = len(x.logical_shape)
    if rank == 0:
        if dim is None or dim in (0, -1, [0], [-1]):
            return x
        raise RuntimeError(f"Dimension out of range (expected to be of [-1, 0], but got {dim})")
    dims = list(range(rank)) if dim is None else [dim] if isinstance(dim, int) else _ints(dim, "dim", "squeeze")
    dims = [_dim(d, rank, "squeeze") for d in dims]
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims} appears multiple times in the list of dims")
    shape = [n for i, n in enumerate(x.logical_shape) if not (i in dims and n == 1)]
    if len(shape) == rank:
        return x
    return _view("squeeze", x, shape)


@op(family="data movement", group="data movement")
def unsqueeze(input_tensor: Tensor, dim: int) -> Tensor:
    """``input_tensor`` with a size-1 dim inserted at ``dim`` (a negative dim counts from the end of the result)."""
    x = adopt(input_tensor)
    dim = _dim(dim, len(x.logical_shape), "unsqueeze", extra=1)
    return _view("unsqueeze", x, [*x.logical_shape[:dim], 1, *x.logical_shape[dim:]])


@op(family="data movement", group="data movement")
def view(input_tensor: Tensor, shape: Sequence[int]) -> Tensor:
    """``input_tensor`` seen with a new shape of the same volume, at no cost (a device tensor whose last dim stays;
    in TILE also its second-last dim, unless both are whole tiles). -1 infers one dim."""
    x = device_input(input_tensor)
    dims = _ints(shape, "shape", "view")
    if dims.count(-1) > 1:
        raise RuntimeError("Only one dimension can be inferred in reshape")
    if -1 in dims:
        known = math.prod(d for d in dims if d != -1)
        dims = [math.prod(x.logical_shape) // known if d == -1 else d for d in dims]
    if math.prod(dims) != math.prod(x.logical_shape) or not dims or not x.logical_shape:
        raise RuntimeError(f"ttnn.view: cannot view {list(x.logical_shape)} as {dims}: the volumes differ")
    if dims[-1] != x.logical_shape[-1]:
        raise RuntimeError("ttnn.view: the last dimension must not change (use ttnn.reshape)")
    if x.layout == ttnn.TILE_LAYOUT and len(dims) > 1 and len(x.logical_shape) > 1:
        same = dims[-2] == x.logical_shape[-2]
        if not same and (dims[-2] % TILE or x.logical_shape[-2] % TILE):
            raise RuntimeError("ttnn.view: in TILE layout the second-last dimension must not change unless it has no "
                               "tile padding (use ttnn.reshape)")
    return _view("view", x, dims)


def _view(op: str, x: Tensor, shape: Sequence[int]) -> Tensor:
    """``x`` with a new shape over the same stored values (a host tensor stays on the host, unrecorded)."""
    values = None if x.stored is None else x.stored.reshape(tuple(shape))
    if x.on_device is None:
        return Tensor(values, tuple(shape), x.dtype, x.layout, x.mem_config, None)
    return _moved(op, x, shape, lambda: values, stored=True)


# ------------------------------------------------------------------------------------------------ tilize, untilize
def _check_tile(tile: Any, op: str) -> None:
    if tile is not None and list(tile.tile_shape) != [TILE, TILE]:
        raise UnsupportedTTNNOp(f"ttnn.{op}(tile=ttnn.Tile({list(tile.tile_shape)})) is not emulated: the emulator "
                                "stores 32x32 tiles only")


def _rm_input(input_tensor: Any, op: str) -> Tensor:
    x = device_input(input_tensor)
    if x.layout != ttnn.ROW_MAJOR_LAYOUT:
        raise RuntimeError("Can only tilize row major data")
    return x


@op(family="data movement", group="data movement", not_computed=("sub_core_grids", "use_multicore", "use_low_perf"))
def tilize(
    input_tensor: Tensor,
    *,
    memory_config: Any = None,
    dtype: Any = None,
    use_multicore: bool = True,
    use_low_perf: bool = False,
    tile: Any = None,
    sub_core_grids: Any = None,
) -> Tensor:
    """A ROW_MAJOR tensor whose last two dims are whole tiles, laid out in TILE (``dtype`` converts between float
    dtypes); use ``tilize_with_val_padding`` or ``to_layout`` for other shapes."""
    x = _rm_input(input_tensor, "tilize")
    _check_tile(tile, "tilize")
    if math.prod(x.logical_shape) % (TILE * TILE):
        raise RuntimeError(f"Input tensor physical volume ({math.prod(x.logical_shape)}) must be divisible by TILE_HW "
                           f"({TILE * TILE})")
    if len(x.logical_shape) < 2 or x.logical_shape[-1] % TILE or x.logical_shape[-2] % TILE:
        raise RuntimeError(f"ttnn.tilize: the last two dims of {list(x.logical_shape)} are not whole 32x32 tiles: use "
                           "ttnn.tilize_with_val_padding or ttnn.to_layout")
    out_dtype = layout_dtype(x, ttnn.TILE_LAYOUT, dtype, "tilize")
    return _moved("tilize", x, x.logical_shape, lambda: x.stored, memory_config, dtype=out_dtype,
                  layout=ttnn.TILE_LAYOUT)


def _tilize_padded(op: str, x: Tensor, shape: list[int], pad_value: Any, memory_config: Any, dtype: Any) -> Tensor:
    """``x`` padded with ``pad_value`` to ``shape`` (whose last two dims are whole tiles) and tilized: the padding
    becomes part of the logical shape (tt-metal's tilize_with_val_padding)."""
    out_dtype = layout_dtype(x, ttnn.TILE_LAYOUT, dtype, op)
    source = list(x.logical_shape) if len(x.logical_shape) > 1 else [1, *x.logical_shape]
    if len(shape) != len(source) or any(n > s for n, s in zip(source, shape, strict=True)):
        raise RuntimeError(f"Output tensor shape {shape} must be greater than or equal to input shape "
                           f"{list(x.logical_shape)} in each dimension")
    if len(shape) < 2 or shape[-1] % TILE or shape[-2] % TILE:
        raise RuntimeError(f"To be tilizable output tensor shape {shape} must be divisible by tile size ({TILE}, "
                           f"{TILE})")
    fill = int(pad_value) if x.dtype in INTEGERS else float(pad_value)

    def compute() -> torch.Tensor:
        out = torch.full(shape, fill, dtype=torch.int64 if x.dtype in INTEGERS else torch.float32)
        out[tuple(builtins.slice(0, n) for n in source)] = x.stored.reshape(source)
        return out

    return _moved(op, x, shape, compute, memory_config, dtype=out_dtype, layout=ttnn.TILE_LAYOUT,
                  stored=out_dtype in INTEGERS)


@op(family="data movement", group="data movement", not_computed=("sub_core_grids", "use_multicore"))
def tilize_with_val_padding(
    input_tensor: Tensor,
    output_tensor_shape: Sequence[int],
    pad_value: float | int,
    *,
    memory_config: Any = None,
    dtype: Any = None,
    use_multicore: bool = True,
    sub_core_grids: Any = None,
) -> Tensor:
    """A ROW_MAJOR tensor padded with ``pad_value`` to ``output_tensor_shape`` and tilized; the result's shape is
    ``output_tensor_shape`` (its last two dims whole tiles)."""
    x = _rm_input(input_tensor, "tilize_with_val_padding")
    shape = _ints(output_tensor_shape, "output_tensor_shape", "tilize_with_val_padding")
    return _tilize_padded("tilize_with_val_padding", x, shape, pad_value, memory_config, dtype)


@op(family="data movement", group="data movement", not_computed=("sub_core_grids", "use_multicore"))
def tilize_with_zero_padding(
    input_tensor: Tensor,
    *,
    memory_config: Any = None,
    output_dtype: Any = None,
    use_multicore: bool = True,
    sub_core_grids: Any = None,
) -> Tensor:
    """A ROW_MAJOR tensor padded with zeros to whole tiles and tilized (the padded shape becomes its shape)."""
    x = _rm_input(input_tensor, "tilize_with_zero_padding")
    shape = list(padded(x.logical_shape, ttnn.TILE_LAYOUT))
    return _tilize_padded("tilize_with_zero_padding", x, shape, 0, memory_config, output_dtype)


def _tile_input(input_tensor: Any, op: str) -> Tensor:
    x = device_input(input_tensor)
    if x.layout != ttnn.TILE_LAYOUT:
        raise RuntimeError(f"ttnn.{op}: Can only untilize tile major data")
    return x


@op(family="data movement", group="data movement", not_computed=("sub_core_grids", "use_multicore"))
def untilize(input_tensor: Tensor, *, memory_config: Any = None, use_multicore: bool = True,
             sub_core_grids: Any = None) -> Tensor:
    """A TILE tensor laid out in ROW_MAJOR (a block float comes back as bfloat16)."""
    x = _tile_input(input_tensor, "untilize")
    dtype = layout_dtype(x, ttnn.ROW_MAJOR_LAYOUT, None, "untilize")
    return _moved("untilize", x, x.logical_shape, lambda: x.stored, memory_config, dtype=dtype,
                  layout=ttnn.ROW_MAJOR_LAYOUT)


@op(family="data movement", group="data movement", not_computed=("sub_core_grids", "use_multicore"))
def untilize_with_unpadding(
    input_tensor: Tensor,
    output_tensor_end: Sequence[int],
    *,
    memory_config: Any = None,
    use_multicore: bool = True,
    sub_core_grids: Any = None,
) -> Tensor:
    """A TILE tensor laid out in ROW_MAJOR and cut to ``[0, output_tensor_end]`` (inclusive ends) in every dim (a
    block float comes back as bfloat16)."""
    x = _tile_input(input_tensor, "untilize_with_unpadding")
    ends = _ints(output_tensor_end, "output_tensor_end", "untilize_with_unpadding")
    if len(ends) != len(x.logical_shape):
        raise RuntimeError(f"ttnn.untilize_with_unpadding: output_tensor_end {ends} must have the input's rank "
                           f"{len(x.logical_shape)}")
    physical = padded(x.logical_shape, x.layout)[-len(ends):]
    for i, (e, n, p) in enumerate(zip(ends, x.logical_shape, physical, strict=True)):
        if not 0 <= e < p:
            raise RuntimeError(f"ttnn.untilize_with_unpadding: output_tensor_end[{i}] = {e} is outside the padded "
                               f"shape {list(physical)}")
        if e >= n:
            raise UnsupportedTTNNOp(f"ttnn.untilize_with_unpadding to end {ends} reads tile padding of the "
                                    f"{list(x.logical_shape)} input, whose values the emulator does not store")
    dtype = layout_dtype(x, ttnn.ROW_MAJOR_LAYOUT, None, "untilize_with_unpadding")
    index = tuple(builtins.slice(0, e + 1) for e in ends)
    return _moved("untilize_with_unpadding", x, [e + 1 for e in ends], lambda: x.stored[index], memory_config,
                  dtype=dtype, layout=ttnn.ROW_MAJOR_LAYOUT)


# ------------------------------------------------------------------------------------------------ typecast
_RANGE = {ttnn.int32: (-(2**31), 2**31 - 1), ttnn.uint32: (0, 2**32 - 1), ttnn.uint16: (0, 2**16 - 1)}


def _float_to_int(values: torch.Tensor, source: Any, dtype: Any) -> torch.Tensor:
    """A card's SFPU float-to-integer conversion (see the module docstring)."""
    values = torch.nan_to_num(values.to(torch.float64), nan=0.0)
    if dtype == ttnn.uint16 and source not in BLOCK_FLOAT:
        values = torch.floor(values + 0.5)
    values = torch.trunc(values)
    if dtype == ttnn.uint8:
        return torch.remainder(values.clamp(-(2.0**62), 2.0**62).to(torch.int64), 256)
    low, high = _RANGE[dtype]
    return values.clamp(low, high).to(torch.int64)


def _int_to_int(values: torch.Tensor, source: Any, dtype: Any) -> torch.Tensor:
    """Integer conversions on a card: widening is exact, int32 to uint32 clamps, uint32 to int32 wraps, narrowing
    to uint8 wraps and to uint16 clamps."""
    if dtype == ttnn.uint8:
        return torch.remainder(values, 256)
    if dtype == ttnn.int32:
        return torch.remainder(values + 2**31, 2**32) - 2**31
    if dtype == ttnn.uint32 and source == ttnn.int8:
        return torch.remainder(values, 2**32)
    low, high = _RANGE[dtype]
    return values.clamp(low, high)


def device_cast(x: Tensor, dtype: Any) -> tuple[Compute, bool]:
    """How a card's typecast computes ``x`` as ``dtype``: the values, and whether they are already stored as
    ``dtype`` (integers) or still to be rounded by ``emit`` (floats)."""
    if ttnn.int8 in (x.dtype, dtype):
        raise UnsupportedTTNNOp("ttnn.typecast to or from int8 on a device: INT8 is host-only on a card (its device "
                                "typecast is not supported); typecast the host tensor")
    if dtype in FLOATS:
        return (lambda: x.values.to(torch.float32)), False
    if x.dtype in FLOATS:
        return (lambda: _float_to_int(x.values, x.dtype, dtype)), True
    return (lambda: _int_to_int(x.values, x.dtype, dtype)), True


def _typecast_target(dtype: Any, output_dtype: Any, input_dtype: Any, x: Tensor) -> Any:
    """The output dtype of ``typecast(tensor, dtype)`` or ``typecast(tensor, input_dtype, output_dtype)``."""
    if output_dtype is None:
        if dtype is None:
            raise RuntimeError("ttnn.typecast needs the output dtype: typecast(tensor, dtype)")
        return dtype
    source = input_dtype if input_dtype is not None else dtype
    if source is not None and source != x.dtype:
        raise RuntimeError(f"ttnn.typecast: input_dtype {source} is not the tensor's dtype {x.dtype}")
    return output_dtype


def _real_host(x: Tensor, convert: Callable[[Any], Any]) -> Tensor:
    """``convert`` run by real ttnn on a real host tensor holding ``x``'s stored values."""
    ensure_host_conversions()
    values = x.stored.to(TTNN_TO_TORCH.get(x.dtype, torch.float32))
    real = convert(ttnn.from_torch(values, dtype=x.dtype, layout=x.layout))
    return adopt(real)


@op(family="data movement", group="eltwise", not_computed=("sub_core_grids",))
def typecast(
    input_tensor: Tensor,
    dtype: Any = None,
    output_dtype: Any = None,
    *,
    input_dtype: Any = None,
    memory_config: Any = None,
    output_tensor: Any = None,
    sub_core_grids: Any = None,
) -> Tensor:
    """``input_tensor``'s values converted to ``dtype`` as a card converts them (see the module docstring); also
    ``typecast(tensor, input_dtype, output_dtype)``. A host tensor is converted by real ttnn's host conversion."""
    x = adopt(input_tensor)
    target = _typecast_target(dtype, output_dtype, input_dtype, x)
    check_layout(target, x.layout)
    if x.on_device is None:
        if x.stored is None:
            return Tensor(None, x.logical_shape, target, x.layout, x.mem_config, None)
        return _real_host(x, lambda real: ttnn.typecast(real, target))
    if output_tensor is not None and device_input(output_tensor, "output_tensor").dtype != target:
        raise RuntimeError(f"ttnn.typecast: the output tensor is {output_tensor.dtype}, not {target}")
    compute, stored = device_cast(x, target)
    return emit(
        "typecast", [x], x.logical_shape, target, x.layout, output_config(memory_config, x.mem_config), x.on_device,
        compute if _values_of(x) else None, flops=math.prod(x.logical_shape), output_tensor=output_tensor,
        stored=stored,
    )


@op(family="tensor", group=None, per_device=False)
def to_dtype(tensor: Tensor, dtype: Any) -> Tensor:
    """A host tensor converted to ``dtype`` by real ttnn's host conversion (block floats need TILE layout)."""
    x = adopt(tensor)
    if x.on_device is not None:
        raise RuntimeError("ttnn.to_dtype converts host tensors: bring it back with ttnn.from_device, or use "
                           "ttnn.typecast on the device")
    check_layout(dtype, x.layout)
    if x.stored is None:
        return Tensor(None, x.logical_shape, dtype, x.layout, x.mem_config, None)
    return _real_host(x, lambda real: ttnn.to_dtype(real, dtype))


# ------------------------------------------------------------------------------------------------ clone, copy
def _through_dest(x: Tensor, dtype: Any, compute_kernel_config: Any) -> Compute:
    """A dtype-converting copy's values: they pass through the destination registers, which hold bfloat16
    (rounded to nearest even, the emulator's model) unless ``fp32_dest_acc_en``; the output dtype rounds after."""
    fp32 = bool(getattr(compute_kernel_config, "fp32_dest_acc_en", False))
    if x.dtype == ttnn.float32 and dtype != ttnn.bfloat16 and not fp32:
        return lambda: round_bf16(x.values)
    return lambda: x.values


@op(family="data movement", group="data movement")
def clone(input: Tensor, *, dtype: Any = None, memory_config: Any = None, compute_kernel_config: Any = None) -> Tensor:
    """A copy of ``input`` in ``memory_config`` (default the input's), converted to ``dtype`` (float dtypes, TILE
    layout only: see ``_through_dest``). Sharded input and output need the same shard spec."""
    x = device_input(input, "input")
    dtype = dtype if dtype is not None else x.dtype
    config = output_config(memory_config, x.mem_config)
    if dtype != x.dtype:
        if x.layout != ttnn.TILE_LAYOUT:
            raise RuntimeError("Clone: data type conversion is only supported with tile layout")
        _floats_only(x, dtype, "clone")
    if sharding.is_sharded(x.mem_config) != sharding.is_sharded(config):
        raise RuntimeError("Clone: mixed sharded/interleaved layout not currently supported. Both input and output "
                           "must have the same layout.")
    if sharding.is_sharded(config) and (config.memory_layout != x.mem_config.memory_layout
                                        or config.shard_spec != x.mem_config.shard_spec):
        raise RuntimeError("Clone: input and output shard specs must be identical (same grid, shape, and "
                           "orientation)")
    if dtype == x.dtype:
        return _moved("clone", x, x.logical_shape, lambda: x.stored, config)
    return _moved("clone", x, x.logical_shape, _through_dest(x, dtype, compute_kernel_config), config, dtype=dtype,
                  stored=False)


@op(family="data movement", group="data movement")
def copy(input_a: Tensor, input_b: Tensor) -> Tensor:
    """``input_a``'s values written into ``input_b`` (same shape; float dtypes convert), which is returned."""
    a, b = device_input(input_a, "input_a"), device_input(input_b, "input_b")
    if a.logical_shape != b.logical_shape:
        raise RuntimeError(f"ttnn.copy: input_a {list(a.logical_shape)} and input_b {list(b.logical_shape)} must have "
                           "the same shape")
    _floats_only(a, b.dtype, "copy")
    return _moved("copy", a, a.logical_shape, lambda: a.stored, b.mem_config, output_tensor=b)


@op(family="data movement", group="data movement")
def assign(input_tensor: Tensor | None = None, input_b: Tensor | None = None, *, input_a: Tensor | None = None,
           memory_config: Any = None, dtype: Any = None, output_tensor: Any = None) -> Tensor:
    """``assign(tensor, memory_config=..., dtype=...)``: a copy in ``memory_config`` (float dtypes convert), into
    ``output_tensor`` if given; ``assign(input_a, input_b)``: ``input_a`` written into ``input_b``."""
    if input_b is not None or input_a is not None:
        source = input_a if input_a is not None else input_tensor
        if source is None or input_b is None:
            raise RuntimeError("ttnn.assign(input_a, input_b) needs both tensors")
        return copy(source, input_b)
    if input_tensor is None:
        raise RuntimeError("ttnn.assign needs an input tensor")
    x = device_input(input_tensor)
    dtype = dtype if dtype is not None else x.dtype
    _floats_only(x, dtype, "assign")
    return _moved("assign", x, x.logical_shape, lambda: x.stored, memory_config, dtype=dtype,
                  output_tensor=output_tensor)


# ------------------------------------------------------------------------------------------------ fill, triu/tril
#: The dtypes ttnn.fill writes (its docstring).
FILLABLE = (ttnn.bfloat16, ttnn.bfloat8_b, ttnn.float32, ttnn.int32, ttnn.uint32, ttnn.uint16)


@op(family="data movement", group="eltwise", not_computed=("sub_core_grids",))
def fill(input_tensor: Tensor, fill_value: float | int, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """A tensor of ``input_tensor``'s shape, dtype and layout holding ``fill_value`` everywhere (device only)."""
    x = device_input(input_tensor)
    if x.dtype not in FILLABLE:
        raise RuntimeError(f"ttnn.fill: {x.dtype} is not supported (use bfloat16, bfloat8_b, float32, int32, uint32 "
                           "or uint16)")
    if isinstance(fill_value, bool) or not isinstance(fill_value, (int, float)):
        raise RuntimeError(f"ttnn.fill: fill_value must be an int or a float (got {type(fill_value).__name__})")
    integer = x.dtype in INTEGERS

    def compute() -> torch.Tensor:
        if integer:
            return torch.full(x.logical_shape, int(fill_value), dtype=torch.int64)
        return torch.full(x.logical_shape, float(fill_value), dtype=torch.float32)

    return _moved("fill", x, x.logical_shape, compute, memory_config, output_tensor=output_tensor, stored=integer)


def _triangle(op: str, x: Tensor, diagonal: int, memory_config: Any, keep: Callable[..., torch.Tensor]) -> Tensor:
    x = device_input(x)
    if x.dtype not in (ttnn.float32, ttnn.bfloat16, ttnn.bfloat8_b):
        raise RuntimeError(f"ttnn.{op}: {x.dtype} is not supported (use float32, bfloat16 or bfloat8_b)")
    if len(x.logical_shape) < 2:
        raise RuntimeError(f"ttnn.{op} needs a tensor of rank 2 or more (got {list(x.logical_shape)})")
    return _moved(op, x, x.logical_shape, lambda: keep(x.stored, diagonal=diagonal), memory_config)


@op(family="data movement", group="eltwise")
def triu(input_tensor: Tensor, *, diagonal: int = 0, memory_config: Any = None) -> Tensor:
    """The upper triangle of the last two dims (on and above ``diagonal``), zeros below."""
    return _triangle("triu", input_tensor, diagonal, memory_config, torch.triu)


@op(family="data movement", group="eltwise")
def tril(input_tensor: Tensor, *, diagonal: int = 0, memory_config: Any = None) -> Tensor:
    """The lower triangle of the last two dims (on and below ``diagonal``), zeros above."""
    return _triangle("tril", input_tensor, diagonal, memory_config, torch.tril)


# ------------------------------------------------------------------------------------------------ roll, gather
@op(family="data movement", group="data movement")
def roll(input_tensor: Tensor, shifts: int | Sequence[int], dim: int | Sequence[int] | None = None, *,
         memory_config: Any = None) -> Tensor:
    """``input_tensor`` shifted circularly by ``shifts`` along ``dim`` (lists pair them up; without ``dim`` the
    flattened tensor rolls), as ``torch.roll``."""
    x = device_input(input_tensor)
    rank = len(x.logical_shape)
    if dim is None:
        if not isinstance(shifts, int):
            raise RuntimeError("ttnn.roll: without dim, shifts must be one int (the flattened tensor rolls)")
        return _moved("roll", x, x.logical_shape, lambda: torch.roll(x.stored, shifts), memory_config)
    moves = [shifts] if isinstance(shifts, int) else _ints(shifts, "shifts", "roll")
    dims = [dim] if isinstance(dim, int) else _ints(dim, "dim", "roll")
    if len(moves) != len(dims):
        raise RuntimeError(f"ttnn.roll: shifts {moves} and dim {dims} must have the same length")
    dims = [_dim(d, rank, "roll") for d in dims]
    return _moved("roll", x, x.logical_shape, lambda: torch.roll(x.stored, moves, dims), memory_config)


@op(family="data movement", group="data movement", not_computed=("sub_core_grids",))
def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False, memory_config: Any = None,
           out: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``torch.gather``: the output has ``index``'s shape and takes ``input``'s values at ``index`` along ``dim``
    (TILE tensors; uint16/uint32 indices, each in ``[0, input.shape[dim])``: a card leaves others unspecified,
    the emulator refuses them)."""
    x, ids = device_input(input, "input"), device_input(index, "index")
    if sparse_grad:
        raise UnsupportedTTNNOp("ttnn.gather(sparse_grad=True) is not supported (real ttnn's docstring)")
    if x.layout != ttnn.TILE_LAYOUT or ids.layout != ttnn.TILE_LAYOUT:
        raise RuntimeError("ttnn.gather needs TILE layout input and index tensors")
    if x.dtype not in (ttnn.bfloat16, ttnn.float32, ttnn.uint16, ttnn.uint32, ttnn.int32):
        raise RuntimeError(f"ttnn.gather: input dtype {x.dtype} is not supported")
    if ids.dtype not in (ttnn.uint16, ttnn.uint32):
        raise RuntimeError(f"ttnn.gather: index dtype must be uint16 or uint32 (got {ids.dtype})")
    rank = len(x.logical_shape)
    dim = _dim(dim, rank, "gather")
    if len(ids.logical_shape) != rank or any(i > n for d, (i, n) in enumerate(zip(ids.logical_shape, x.logical_shape,
                                                                                   strict=True)) if d != dim):
        raise RuntimeError(f"ttnn.gather: index {list(ids.logical_shape)} must have the input's rank and no dim "
                           f"larger than input {list(x.logical_shape)} except dim {dim}")

    def compute() -> torch.Tensor:
        positions = ids.stored.to(torch.int64)
        if positions.numel() and (int(positions.min()) < 0 or int(positions.max()) >= x.logical_shape[dim]):
            raise RuntimeError(f"ttnn.gather: index values must lie in [0, {x.logical_shape[dim]}): a card's result "
                               "for others is unspecified")
        return torch.gather(x.stored, dim, positions)

    if out is not None:
        memory_config = device_input(out, "out").mem_config
    return _moved("gather", x, ids.logical_shape, compute, memory_config, inputs=[x, ids], output_tensor=out)
