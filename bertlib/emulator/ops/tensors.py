"""Tensors and their movement: host <-> device, layouts, DRAM <-> L1 <-> sharded, reshapes and permutes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import ttnn

from bertlib.emulator import op_trace, sharding
from bertlib.emulator.hostenv import ensure_host_conversions
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import BLOCK_FLOAT, TILE, quantize
from bertlib.emulator.op_registry import op
from bertlib.emulator.ops.common import check_layout, device_input, emit, keeps_storage, output_config, warn_caller
from bertlib.emulator.tensor import Tensor, padded

#: The ttnn dtype ``from_torch`` gives a torch dtype when no ``dtype=`` is passed (real ttnn 0.81.1's host conversion:
#: float16 becomes bfloat16, int16 uint16, int64 uint32, bool uint8; float64 has none).
TORCH_TO_TTNN = {
    torch.float32: ttnn.float32,
    torch.bfloat16: ttnn.bfloat16,
    torch.float16: ttnn.bfloat16,
    torch.int32: ttnn.int32,
    torch.int64: ttnn.uint32,
    torch.int16: ttnn.uint16,
    torch.uint16: ttnn.uint16,
    torch.uint32: ttnn.uint32,
    torch.int8: ttnn.int8,
    torch.uint8: ttnn.uint8,
    torch.bool: ttnn.uint8,
}
#: The torch dtype ``to_torch`` returns for each ttnn dtype (block floats come back as float32), as real ttnn's.
TTNN_TO_TORCH = {
    ttnn.bfloat16: torch.bfloat16,
    ttnn.float32: torch.float32,
    ttnn.bfloat8_b: torch.float32,
    ttnn.bfloat4_b: torch.float32,
    ttnn.int32: torch.int32,
    ttnn.uint32: torch.uint32,
    ttnn.uint16: torch.uint16,
    ttnn.uint8: torch.uint8,
    ttnn.int8: torch.int8,
}
FLOATS = (ttnn.bfloat16, ttnn.float32, *BLOCK_FLOAT)
INTEGERS = (ttnn.int32, ttnn.uint32, ttnn.uint16, ttnn.uint8, ttnn.int8)


def host_conversion(values: torch.Tensor, dtype: Any, layout: Any) -> torch.Tensor:
    """What real ttnn's host conversion stores for ``values`` as ``dtype`` in ``layout`` (run by real ttnn itself:
    its integer conversions wrap in ROW_MAJOR and saturate in TILE), as the emulator stores it: int64 for integer
    dtypes, float32 else."""
    ensure_host_conversions()
    converted = ttnn.to_torch(ttnn.from_torch(values.contiguous(), dtype=dtype, layout=layout))
    return converted.to(torch.int64 if dtype in INTEGERS else torch.float32).reshape(values.shape)


def _source(tensor: Any) -> torch.Tensor:
    if isinstance(tensor, np.ndarray):
        tensor = torch.from_numpy(tensor)
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"ttnn.from_torch needs a torch.Tensor or a numpy array (got {type(tensor).__name__})")
    return tensor.detach().as_subclass(torch.Tensor)


def _stored(tensor: torch.Tensor, dtype: Any, layout: Any) -> torch.Tensor:
    """``tensor`` as a ``dtype`` tensor stores it: floats to floats by the emulator's exact rounding, anything
    with an integer end through real ttnn's own host conversion."""
    if dtype in FLOATS and tensor.is_floating_point():
        return quantize(tensor, dtype)
    return host_conversion(tensor, dtype, layout)


def _spec_settings(tensor: torch.Tensor, spec: Any, dtype: Any, layout: Any, memory_config: Any,
                   tile: Any) -> tuple[Any, Any, Any, Any]:
    """dtype, layout, memory config and tile from ``spec`` (real from_torch's rules: nothing else may be given)."""
    if spec is None:
        return dtype, layout, memory_config, tile
    if list(spec.shape) != list(tensor.shape):
        raise RuntimeError(f"ttnn.from_torch: spec shape {spec.shape} must be the same as tensor shape {tensor.shape}")
    for name, value in (("dtype", dtype), ("layout", layout), ("memory_config", memory_config), ("tile", tile)):
        if value is not None:
            raise RuntimeError(f"ttnn.from_torch: {name} must be None when spec is specified")
    return spec.dtype, spec.layout, spec.memory_config, spec.tile


@op(family="tensor", group=None, per_device=False,
    not_computed=("pad_value", "cq_id", "preserve_nan_values", "enable_bfloat_opt"))
def from_torch(
    tensor: torch.Tensor,
    dtype: Any = None,
    *,
    spec: Any = None,
    tile: Any = None,
    pad_value: float | None = None,
    layout: Any = None,
    device: Any = None,
    memory_config: Any = None,
    mesh_mapper: Any = None,
    cq_id: int | None = None,
    preserve_nan_values: bool = False,
    col_tilize: bool = False,
    enable_bfloat_opt: bool = False,
) -> Tensor:
    """A host (or, with ``device=``, device) tensor holding ``tensor`` (or a numpy array) as ``dtype`` would store
    it. Without ``dtype`` the torch dtype picks one as real ttnn does (``TORCH_TO_TTNN``). ``col_tilize`` stores
    the block-float transpose of the last two dims, as real ttnn does."""
    if tensor is None:
        return None
    tensor = _source(tensor)
    dtype, layout, memory_config, tile = _spec_settings(tensor, spec, dtype, layout, memory_config, tile)
    if tile is not None and list(tile.tile_shape) != [32, 32]:
        raise UnsupportedTTNNOp(f"ttnn.from_torch(tile=ttnn.Tile({list(tile.tile_shape)})) is not emulated: the emulator "
                                "stores 32x32 tiles only")
    if dtype is None and tensor.dtype not in TORCH_TO_TTNN:
        raise RuntimeError(f"ttnn.from_torch: a {tensor.dtype} tensor has no ttnn dtype (real ttnn 0.81.1 aborts on "
                           "it): pass dtype=ttnn.float32 or ttnn.bfloat16, or convert it with .float() first")
    dtype = dtype if dtype is not None else TORCH_TO_TTNN[tensor.dtype]
    if col_tilize:
        tensor = _col_tilized(tensor, dtype, layout)
    if layout is None:  # real ttnn lays block floats out in TILE unless told otherwise
        layout = ttnn.TILE_LAYOUT if dtype in BLOCK_FLOAT else ttnn.ROW_MAJOR_LAYOUT
    check_layout(dtype, layout)
    from bertlib.emulator.mesh import MeshDevice, MeshTensor, ReplicateTensorToMesh, replicated_topology

    if isinstance(device, MeshDevice) or mesh_mapper is not None:
        mesh = device if isinstance(device, MeshDevice) else mesh_mapper.mesh
        mapper = mesh_mapper or ReplicateTensorToMesh(mesh)
        topology = mapper.topology() if mesh_mapper is not None else replicated_topology(mesh)
        return MeshTensor([from_torch(shard, dtype, layout=layout, device=None if device is None else mesh.devices[i],
                                      memory_config=memory_config) for i, shard in enumerate(mapper.map(tensor))],
                          mesh, topology)
    values = None if op_trace.shape_only() else _stored(tensor, dtype, layout)  # weights: float32, read often
    memory_config = memory_config if memory_config is not None or device is None else ttnn.DRAM_MEMORY_CONFIG
    sharding.placement(tuple(tensor.shape), dtype, layout, memory_config, device, "from_torch")
    return Tensor(values, tuple(tensor.shape), dtype, layout, memory_config, device)


def _col_tilized(tensor: torch.Tensor, dtype: Any, layout: Any) -> torch.Tensor:
    """Real from_torch's ``col_tilize``: the last two dims transposed before block-float packing."""
    if dtype not in BLOCK_FLOAT:
        raise RuntimeError("ttnn.from_torch: col_tilize=True requires BFP dtype (bfloat8_b or bfloat4_b)")
    if tensor.dim() < 2:
        raise RuntimeError("ttnn.from_torch: col_tilize=True requires tensor.ndim >= 2")
    if layout not in (None, ttnn.TILE_LAYOUT):
        raise RuntimeError("ttnn.from_torch: col_tilize=True requires layout to be None or ttnn.TILE_LAYOUT")
    return tensor.transpose(-2, -1).contiguous()


@op(family="tensor", group=None, not_computed=("device", "cq_id"), per_device=False)
def to_torch(
    tensor: Tensor,
    dtype: Any = None,
    *,
    torch_rank: int | None = None,
    mesh_composer: Any = None,
    device: Any = None,
    cq_id: int | None = None,
) -> torch.Tensor:
    """The stored values as the torch dtype real ttnn returns (``TTNN_TO_TORCH``: bfloat16 for bfloat16, float32 for
    float32 and block floats, torch.uint32 for uint32 ...), squeezed to ``torch_rank``, then converted to ``dtype``."""
    from bertlib.emulator.mesh import MeshTensor

    if isinstance(tensor, MeshTensor):
        if mesh_composer is None:
            raise RuntimeError("a tensor on a mesh needs mesh_composer=ttnn.ConcatMeshToTensor(mesh_device, dim=0)")
        return mesh_composer.compose([to_torch(shard, dtype, torch_rank=torch_rank) for shard in tensor.shards])
    tensor = adopt(tensor)
    if tensor.stored is None:
        raise RuntimeError("this tensor has no values: it was made while tracing with shape_only=True")
    values = tensor.stored.to(TTNN_TO_TORCH.get(tensor.dtype, torch.float32))
    while torch_rank is not None and values.dim() > torch_rank:
        if values.shape[0] != 1:
            raise RuntimeError(f"ttnn: Unable to squeeze to desired rank! (shape {list(values.shape)} to rank "
                               f"{torch_rank})")
        values = values.squeeze(0)
    return values.to(dtype) if dtype is not None else values


def adopt(tensor: Any) -> Tensor:
    """An emulated tensor holding a real ttnn host tensor's stored values (e.g. from real ttnn's helpers)."""
    if isinstance(tensor, Tensor):
        return tensor.checked()
    if isinstance(tensor, ttnn.Tensor):
        values = ttnn.to_torch(tensor)
        kind = torch.int64 if tensor.dtype in INTEGERS else torch.bfloat16 if tensor.dtype == ttnn.bfloat16 else (
            torch.float32)
        return Tensor(values.to(kind), tuple(tensor.shape), tensor.dtype, tensor.layout)
    raise TypeError(f"expected a ttnn.Tensor, got {type(tensor).__name__}")


@op(family="tensor", group=None, not_computed=("queue_id",))
def to_device(tensor: Tensor, device: Any, memory_config: Any = None, queue_id: Any = None) -> Tensor:
    """The same tensor, placed on ``device`` (DRAM unless ``memory_config`` says otherwise)."""
    tensor = adopt(tensor)
    config = memory_config if memory_config is not None else ttnn.DRAM_MEMORY_CONFIG
    sharding.placement(tensor.logical_shape, tensor.dtype, tensor.layout, config, device, "to_device")
    return Tensor(tensor.stored, tensor.logical_shape, tensor.dtype, tensor.layout, config, device)


@op(family="tensor", group=None, not_computed=("cq_id",))
def copy_host_to_device_tensor(host_tensor: Tensor, device_tensor: Tensor, cq_id: Any = None) -> None:
    """Write a host tensor's values into an existing device tensor of the same shape, dtype and layout."""
    host, target = adopt(host_tensor), device_input(device_tensor, "device_tensor")
    if host.on_device is not None:
        raise RuntimeError("copy_host_to_device_tensor copies from a host tensor: this one is on a device")
    host_spec, device_spec = ((t.logical_shape, t.dtype, t.layout) for t in (host, target))
    if host_spec != device_spec:
        raise RuntimeError(f"copy_host_to_device_tensor needs the same shape, dtype and layout on both sides: host "
                           f"{host_spec}, device {device_spec}")
    target.stored = host.stored


@op(family="tensor", group=None, not_computed=("blocking", "queue_id"))
def from_device(tensor: Tensor, blocking: bool = True, queue_id: Any = None) -> Tensor:
    """The same tensor, back on the host."""
    tensor.checked()
    return Tensor(tensor.stored, tensor.logical_shape, tensor.dtype, tensor.layout, None, None)


#: The dtypes a card's tilize reads (tt-metal tilize_with_val_padding_device_operation.cpp).
TILIZABLE = (ttnn.bfloat16, ttnn.float32, ttnn.int32, ttnn.uint32, ttnn.uint16)


def layout_dtype(tensor: Tensor, layout: Any, dtype: Any, op: str) -> Any:
    """The dtype of ``tensor`` re-laid out as ``layout`` on a device, refused where a card refuses it: untilize
    gives bfloat16 for a block float and keeps any other dtype; tilize reads ``TILIZABLE`` dtypes only and
    converts between float dtypes alone."""
    if layout == ttnn.ROW_MAJOR_LAYOUT:
        if dtype is not None and dtype != tensor.dtype:
            raise RuntimeError("dtype cannot be different from tensor dtype when converting to ROW_MAJOR_LAYOUT on "
                               "device!")
        return ttnn.bfloat16 if tensor.dtype in BLOCK_FLOAT else tensor.dtype
    if tensor.dtype not in TILIZABLE:
        raise RuntimeError(f"ttnn.{op}: Can only tilize bfloat16/float32 or int32/uint32/uint16 tensors (got "
                           f"{tensor.dtype}): typecast it first")
    dtype = dtype if dtype is not None else tensor.dtype
    if dtype != tensor.dtype and not (dtype in FLOATS and tensor.dtype in FLOATS):
        raise UnsupportedTTNNOp(f"ttnn.{op}(dtype={dtype}) from {tensor.dtype} is not emulated: tilize converts "
                                "between float dtypes only; use ttnn.typecast for integer conversions")
    return dtype


@op(family="data movement", group="data movement", not_computed=("sub_core_grids", "pad_value"))
def to_layout(
    tensor: Tensor,
    layout: Any,
    dtype: Any = None,
    memory_config: Any = None,
    sub_core_grids: Any = None,
    pad_value: float = 0.0,
) -> Tensor:
    """Re-lay ``tensor`` out as ROW_MAJOR or TILE (TILE pads the last two dims to 32 in memory; the padding is
    never read back, so ``pad_value`` changes no logical value). As in ttnn: a tensor already in ``layout`` comes
    back unchanged (``dtype`` and ``memory_config`` ignored, with real ttnn's warning); on a device a block float
    comes back to ROW_MAJOR as bfloat16 and ``dtype`` applies when tilizing; on the host ``dtype`` is ignored."""
    tensor = adopt(tensor)
    if layout not in (ttnn.ROW_MAJOR_LAYOUT, ttnn.TILE_LAYOUT):
        raise RuntimeError(f"ttnn::to_layout: Unsupported layout conversion from {tensor.layout} to {layout}!")
    if tensor.layout == layout:
        if (dtype is not None and dtype != tensor.dtype) or (memory_config is not None
                                                              and memory_config != tensor.mem_config):
            warn_caller("ttnn::to_layout: the tensor is already in the requested layout, so dtype and "
                        "memory_config are not changed")
        return tensor
    if tensor.on_device is None:
        if dtype is not None and dtype != tensor.dtype:
            warn_caller("ttnn::to_layout: dtype cannot be changed when converting layout on host")
        if tensor.dtype in BLOCK_FLOAT:
            raise RuntimeError(f"{tensor.dtype} is stored in TILE layout only: a host tensor cannot be untilized "
                               "(move it to a device, or typecast it)")
        return Tensor(tensor.stored, tensor.logical_shape, tensor.dtype, layout, tensor.mem_config, None)
    dtype = layout_dtype(tensor, layout, dtype, "to_layout")
    return emit(
        "to_layout", [tensor], tensor.logical_shape, dtype, layout, output_config(memory_config, tensor.mem_config),
        tensor.on_device, None if tensor.stored is None else (lambda: tensor.stored),
        stored=keeps_storage(tensor, dtype),
    )


def _move(op: str, tensor: Tensor, memory_config: Any, dtype: Any, output_tensor: Any = None) -> Tensor:
    device_input(tensor)
    dtype = dtype if dtype is not None else tensor.dtype
    return emit(
        op, [tensor], tensor.logical_shape, dtype, tensor.layout, memory_config, tensor.on_device,
        None if tensor.stored is None else (lambda: tensor.stored), output_tensor=output_tensor,
        stored=keeps_storage(tensor, dtype) and output_tensor is None,
    )


@op(family="data movement", group="data movement")
def to_memory_config(tensor: Tensor, memory_config: Any, dtype: Any = None, output_tensor: Any = None) -> Tensor:
    """Move ``tensor`` between DRAM, L1 and sharded L1 (values unchanged unless ``dtype`` changes them)."""
    return _move("to_memory_config", tensor, memory_config, dtype, output_tensor)


@op(family="data movement", group="data movement", not_computed=("keep_l1_aligned",))
def interleaved_to_sharded(
    input_tensor: Tensor,
    grid: Any = None,
    shard_shape: Sequence[int] | None = None,
    shard_scheme: Any = None,
    shard_orientation: Any = None,
    output_dtype: Any = None,
    *,
    sharded_memory_config: Any = None,
    keep_l1_aligned: bool = False,
    preallocated_output: Any = None,
) -> Tensor:
    """Spread ``input_tensor`` over the cores' L1: ``sharded_memory_config`` (or a sharded ``MemoryConfig`` as
    the second argument), or a core ``grid`` with ``shard_shape``, ``shard_scheme`` and ``shard_orientation``.
    ``keep_l1_aligned`` pads shards to L1 alignment on a card, which changes no value."""
    if sharded_memory_config is not None:
        grid = sharded_memory_config
    if isinstance(grid, ttnn.MemoryConfig):
        if shard_shape is not None:  # the second overload's third argument is output_dtype
            output_dtype = shard_shape
        config = grid
    else:
        if shard_shape is None or shard_scheme is None or shard_orientation is None:
            raise TypeError("ttnn.interleaved_to_sharded(tensor, grid, shard_shape, shard_scheme, shard_orientation): "
                            "give all four, or a sharded MemoryConfig as the second argument")
        cores = grid if isinstance(grid, ttnn.CoreRangeSet) else ttnn.CoreRangeSet(
            {ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(grid.x - 1, grid.y - 1))})
        spec = ttnn.ShardSpec(cores, [int(s) for s in shard_shape], shard_orientation)
        config = ttnn.MemoryConfig(shard_scheme, ttnn.BufferType.L1, spec)
    if not sharding.is_sharded(config):
        raise RuntimeError("ttnn.interleaved_to_sharded needs a sharded memory config: use ttnn.to_memory_config "
                           "to move between interleaved DRAM and L1")
    return _move("interleaved_to_sharded", input_tensor, config, output_dtype, preallocated_output)


@op(family="data movement", group="data movement")
def sharded_to_interleaved(input_tensor: Tensor, memory_config: Any = None, output_dtype: Any = None) -> Tensor:
    """Gather a sharded tensor back into one interleaved buffer (L1 unless ``memory_config`` says DRAM)."""
    if not sharding.is_sharded(device_input(input_tensor).mem_config):
        raise RuntimeError("ttnn.sharded_to_interleaved needs a sharded input tensor")
    config = memory_config if memory_config is not None else ttnn.L1_MEMORY_CONFIG
    if sharding.is_sharded(config):
        raise RuntimeError("ttnn.sharded_to_interleaved needs an interleaved memory_config (DRAM or L1)")
    return _move("sharded_to_interleaved", input_tensor, config, output_dtype)


@op(family="data movement", group="data movement")
def fill_implicit_tile_padding(input_tensor: Tensor, fill_value: float, *, memory_config: Any = None) -> Tensor:
    """A copy whose tile padding holds ``fill_value``; the emulator stores no padding, so no logical value changes
    (ops that read padding on a card, e.g. a Welford LayerNorm, are written to ignore it)."""
    device_input(input_tensor)
    if not isinstance(fill_value, int | float):
        raise TypeError(f"fill_value must be an int or a float (got {type(fill_value).__name__})")
    return emit(
        "fill_implicit_tile_padding", [input_tensor], input_tensor.logical_shape, input_tensor.dtype,
        input_tensor.layout, output_config(memory_config, input_tensor.mem_config), input_tensor.on_device,
        None if input_tensor.stored is None else (lambda: input_tensor.stored), stored=True,
    )


@op(family="tensor", group=None, not_computed=("force",))
def deallocate(tensor: Tensor, force: bool = True) -> None:
    """Free ``tensor``'s device memory; using it afterwards raises DeallocatedTensorError."""
    if isinstance(tensor, Tensor):
        tensor.deallocated = True
        tensor.stored = None


@op(family="tensor", group=None)
def reallocate(tensor: Tensor, memory_config: Any = None) -> Tensor:
    """A fresh copy of ``tensor`` (on a card: moved to defragment memory); the input is freed."""
    device_input(tensor)
    config = memory_config if memory_config is not None else tensor.mem_config
    out = Tensor(tensor.stored, tensor.logical_shape, tensor.dtype, tensor.layout, config, tensor.on_device)
    tensor.deallocated = True
    return out


def _inferred(input_shape: tuple[int, ...], shape: Sequence[int]) -> tuple[int, ...]:
    """``shape`` with its one -1 replaced by the size that keeps the volume (tt-metal's shape_corrector)."""
    dims = tuple(int(s) for s in shape)
    if dims.count(-1) > 1:
        raise RuntimeError("Only one dimension can be inferred in reshape")
    if any(d < -1 for d in dims):
        raise RuntimeError(f"ttnn.reshape: invalid shape {list(dims)}: sizes are 0 or more (one may be -1)")
    if -1 in dims:
        known = math.prod(d for d in dims if d != -1)
        dims = tuple((math.prod(input_shape) // known if known else 0) if d == -1 else d for d in dims)
    return dims


def _padding_view(x: Tensor, logical: tuple[int, ...], padded_shape: tuple[int, ...]) -> torch.Tensor | None:
    """The values of ``x``'s stored data seen as ``padded_shape`` and cut to ``logical`` (tt-metal's reshape when the
    logical volume changes: a view of the same padded data). Refused where that reads tile padding."""
    physical = padded(x.logical_shape, x.layout)
    view = x.on_device is None or (x.layout == ttnn.TILE_LAYOUT and len(padded_shape) >= 2
                                   and padded_shape[-2] % TILE == 0 and padded_shape[-1] % TILE == 0
                                   and physical[-1] == padded_shape[-1])
    if not view or math.prod(physical) != math.prod(padded_shape):
        raise RuntimeError(f"Attempting to reshape between two shapes with different volumes ({list(x.logical_shape)} "
                           f"to {list(logical)}, padded {list(padded_shape)})")
    known = torch.zeros(physical, dtype=torch.bool)
    known[tuple(slice(0, n) for n in x.logical_shape)] = True
    corner = tuple(slice(0, n) for n in logical)
    if not bool(known.reshape(padded_shape)[corner].all()):
        raise UnsupportedTTNNOp(f"ttnn.reshape to {list(logical)} with padded_shape={list(padded_shape)} reads the "
                                "tile padding of the input, whose values the emulator does not store")
    if x.stored is None:
        return None
    full = torch.zeros(physical, dtype=x.stored.dtype)
    full[tuple(slice(0, n) for n in x.logical_shape)] = x.stored
    return full.reshape(padded_shape)[corner]


@op(family="data movement", group="data movement",
    not_computed=("pad_value", "reshape_tile_mode", "sub_core_grids", "skip_padding_fill"))
def reshape(
    input_tensor: Tensor,
    shape: Sequence[int] | None = None,
    padded_shape: Sequence[int] | None = None,
    *,
    logical_shape: Sequence[int] | None = None,
    memory_config: Any = None,
    pad_value: float = 0,
    reshape_tile_mode: Any = None,
    sub_core_grids: Any = None,
    skip_padding_fill: bool = False,
) -> Tensor:
    """``input_tensor`` with a new logical shape of the same volume (``pad_value`` fills tile padding, which is
    never read back). The three-argument form ``reshape(tensor, logical_shape, padded_shape)`` may also change the
    volume, as a view of the same padded data (a TILE tensor whose last padded dim stays), e.g. marking rows of a
    ``[1, 1, 32, 32]`` tensor as padding with ``reshape(t, [1, 1, 1, 32], [1, 1, 32, 32])``."""
    x = input_tensor.checked()
    if (shape is None) == (logical_shape is None):
        raise RuntimeError("ttnn.reshape takes the new shape once: reshape(tensor, shape) or reshape(tensor, "
                           "logical_shape, padded_shape)")
    target = _inferred(x.logical_shape, shape if shape is not None else logical_shape)
    dims = None if padded_shape is None else tuple(int(p) for p in padded_shape)
    if dims is not None and (len(dims) != len(target) or any(p < n for p, n in zip(dims, target, strict=True))):
        raise RuntimeError(f"ttnn.reshape: padded shape {list(dims)} must have the logical shape's rank and be at "
                           f"least {list(target)} in every dim")
    if math.prod(target) == math.prod(x.logical_shape):
        compute = None if x.stored is None else (lambda: x.stored.reshape(target))
    elif dims is None:
        raise RuntimeError(f"cannot reshape {list(x.logical_shape)} to {list(target)}: volumes differ")
    else:
        values = _padding_view(x, target, dims)
        compute = None if values is None else (lambda: values)
    return emit(
        "reshape", [x], target, x.dtype, x.layout, output_config(memory_config, x.mem_config), x.on_device, compute,
        stored=keeps_storage(x, x.dtype),
    )


@op(family="data movement", group="data movement", not_computed=("pad_value",))
def permute(input_tensor: Tensor, dims: Sequence[int], *, memory_config: Any = None, pad_value: float = 0.0) -> Tensor:
    """``input_tensor`` (on a device) with its dims reordered (``pad_value`` fills tile padding, never read back)."""
    x = device_input(input_tensor)
    rank = len(x.logical_shape)
    if len(dims) != rank:
        raise RuntimeError("The number of dimensions in the tensor input does not match the length of the desired "
                           f"ordering (rank {rank}, dims {list(dims)})")
    if any(not -rank <= d < rank for d in dims):
        raise RuntimeError(f"ttnn.permute: dims {list(dims)} are out of range for a rank-{rank} tensor")
    order = [d % rank for d in dims]
    if sorted(order) != list(range(rank)):
        raise RuntimeError(f"ttnn.permute: dims {list(dims)} repeat a dim: give each of the {rank} dims once")
    shape = tuple(x.logical_shape[d] for d in order)
    return emit(
        "permute", [x], shape, x.dtype, x.layout, output_config(memory_config, x.mem_config), x.on_device,
        None if x.stored is None else (lambda: x.stored.permute(*order)), stored=keeps_storage(x, x.dtype),
    )
