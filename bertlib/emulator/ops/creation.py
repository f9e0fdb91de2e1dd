"""Creation ops: zeros, ones, full, empty, rand, arange, the *_like forms and as_tensor; and the tensor helpers
``is_tensor_storage_on_device``, ``get_memory_config``, ``get_device_tensors`` and ``is_sharded``.

As in tt-metal's ``creation.cpp``, ``zeros``, ``ones``, ``full`` and ``arange`` fill a tensor on the host and,
given a device, write it there: no device op runs, so they record nothing in the op trace, and a card refuses
them inside a metal trace capture (a write). ``zeros_like``/``ones_like``/``full_like`` of a TILE device tensor
keeping its dtype (bfloat16, float32, bfloat8_b) run ``ttnn.fill`` on the device instead, and ``rand`` is a
device op: those record. ``empty`` only allocates; the emulator's "uninitialized" values are zeros.

``rand`` draws from torch's generator (seeded with ``seed``; ``seed=0`` takes a fresh seed, as a card does), not
the card's random stream: its values are uniform in ``[low, high)`` like a card's, never bit-equal to them.
"""

from __future__ import annotations

import math
import numbers
import os
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
import ttnn

from bertlib.emulator import op_trace, sharding
from bertlib.emulator.emulated_device import EmulatedDevice
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.mesh import MeshDevice, MeshTensor, ReplicateTensorToMesh, replicated_topology
from bertlib.emulator.numerics import BLOCK_FLOAT, NARROW_UNSIGNED, store, to_float32
from bertlib.emulator.op_registry import REGISTRY, op
from bertlib.emulator.ops.common import check_layout, device_input, emit, output_config, warn_caller
from bertlib.emulator.ops.tensors import from_torch, to_device
from bertlib.emulator.tensor import INTEGER_DTYPES, Tensor, bind_ops, check_dtype

bind_ops(REGISTRY)  # Tensor.reshape, .to, .item ... call the registered ops

#: The dtypes ``ttnn.arange`` fills (tt-metal creation.cpp), and those a device ``fill`` writes.
ARANGE_DTYPES = (ttnn.bfloat16, ttnn.float32, ttnn.uint16, ttnn.uint32, ttnn.int32)
FILL_DTYPES = (ttnn.bfloat8_b, ttnn.bfloat16, ttnn.float32)
INT32_MIN = -(1 << 31)


def _incompatible(op_name: str, what: str) -> TypeError:
    """The TypeError real ttnn's bindings raise for an argument of the wrong type."""
    return TypeError(f"ttnn.{op_name}(): incompatible function arguments: {what}")


def _shape(shape: Any, op_name: str) -> tuple[int, ...]:
    if isinstance(shape, str | bytes) or not isinstance(shape, Sequence | ttnn.Shape | torch.Size):
        raise _incompatible(op_name, f"shape must be a list or tuple of ints (got {shape!r})")
    dims = list(shape)
    if not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 0 for d in dims):
        raise _incompatible(op_name, f"shape must hold non-negative ints (got {dims})")
    return tuple(int(d) for d in dims)


def _check_arguments(op_name: str, dtype: Any, layout: Any, memory_config: Any, device: Any) -> None:
    """Refuse arguments of the wrong type as real ttnn's bindings do, and dtypes the emulator does not store."""
    check_dtype(dtype, op_name)
    if not isinstance(layout, ttnn.Layout):
        raise _incompatible(op_name, f"layout must be a ttnn.Layout (got {layout!r})")
    if memory_config is not None and not isinstance(memory_config, ttnn.MemoryConfig):
        raise _incompatible(op_name, f"memory_config must be a ttnn.MemoryConfig (got {memory_config!r})")
    if device is not None and not isinstance(device, EmulatedDevice):
        raise _incompatible(op_name, f"device must be a device from ttnn.open_device (got {device!r})")


def _no_write_in_capture(op_name: str) -> None:
    if op_trace.metal_traced():
        raise RuntimeError(f"Writes are not supported during trace capture: ttnn.{op_name} builds its tensor on the "
                           "host and writes it to the device. Create it before ttnn.begin_trace_capture.")


def _wrapped(values: torch.Tensor, dtype: Any) -> torch.Tensor:
    """int64 ``values`` as an integer element holds them: modulo 2**32 (2**16 for uint16, 2**8 for uint8, as
    real ttnn's ``full`` wraps 70000 to 4464 in uint16), two's complement for int32."""
    if dtype in NARROW_UNSIGNED:
        return values & NARROW_UNSIGNED[dtype]
    values = values & 0xFFFFFFFF
    return torch.where(values >= 1 << 31, values - (1 << 32), values) if dtype == ttnn.int32 else values


def _integer(value: float | int, dtype: Any) -> int:
    """``value`` converted to an integer element as ttnn's C++ converts a fill value: an int in C++ int range
    as it is (wrapped to the width); anything else as a C++ float (float32) truncated toward zero (into int32,
    uint16 or uint8 from out of int32's range: INT32_MIN, as x86 converts, so 3e9 fills a uint16 with 0)."""
    if isinstance(value, int) and INT32_MIN <= value < -INT32_MIN:
        whole = value
    else:
        value = to_float32(value)
        whole = math.trunc(value) if math.isfinite(value) and abs(value) < 2.0**63 else -(1 << 63)
        if (dtype == ttnn.int32 or dtype in NARROW_UNSIGNED) and not INT32_MIN <= whole < -INT32_MIN:
            whole = INT32_MIN
    return int(_wrapped(torch.tensor(whole, dtype=torch.int64), dtype))


def _filled(shape: tuple[int, ...], value: Any, dtype: Any, op_name: str) -> Callable[[], torch.Tensor]:
    if not isinstance(value, numbers.Real):
        raise _incompatible(op_name, f"fill_value must be a float or an int (got {value!r})")
    if dtype in INTEGER_DTYPES:
        return lambda: torch.full(shape, _integer(value, dtype), dtype=torch.int64)
    return lambda: torch.full(shape, to_float32(value), dtype=torch.float32)


def _on_host_then_device(op_name: str, compute: Callable[[], torch.Tensor], shape: tuple[int, ...], dtype: Any,
                         layout: Any, device: Any, memory_config: Any) -> Tensor:
    """A tensor filled on the host, written to ``device`` (DRAM unless ``memory_config`` says otherwise)."""
    check_layout(dtype, layout)
    config = None
    if device is not None:
        _no_write_in_capture(op_name)
        config = memory_config if memory_config is not None else ttnn.DRAM_MEMORY_CONFIG
        sharding.placement(shape, dtype, layout, config, device, op_name)
    stored = None if op_trace.shape_only() else store(compute(), dtype).reshape(shape)
    return Tensor(stored, shape, dtype, layout, config, device)


def _write_into(op_name: str, target: Tensor, compute: Callable[[], torch.Tensor]) -> Tensor:
    """Fill a preallocated device tensor from the host (tt-metal's copy_to_device)."""
    _no_write_in_capture(op_name)
    target.stored = None if op_trace.shape_only() else store(compute(), target.dtype).reshape(target.logical_shape)
    return target


def _full(op_name: str, shape: Any, fill_value: Any, dtype: Any, layout: Any, device: Any, memory_config: Any,
          output: Any = None) -> Tensor:
    """tt-metal's full_impl: bfloat16 unless ``dtype`` says otherwise, TILE for block floats else ROW_MAJOR; the
    shape, dtype and layout of ``output`` when one is given, filled in place."""
    if output is not None:
        target = device_input(output, "optional_tensor")
        return _write_into(op_name, target, _filled(target.logical_shape, fill_value, target.dtype, op_name))
    dims = _shape(shape, op_name)
    dtype = dtype if dtype is not None else ttnn.bfloat16
    layout = layout if layout is not None else ttnn.TILE_LAYOUT if dtype in BLOCK_FLOAT else ttnn.ROW_MAJOR_LAYOUT
    _check_arguments(op_name, dtype, layout, memory_config, device)
    return _on_host_then_device(op_name, _filled(dims, fill_value, dtype, op_name), dims, dtype, layout, device,
                                memory_config)


@op(family="creation", group=None)
def zeros(shape: Sequence[int], dtype: Any = None, layout: Any = None, device: Any = None,
          memory_config: Any = None) -> Tensor:
    """A tensor of zeros (bfloat16, ROW_MAJOR unless a block float; on ``device`` when one is given)."""
    return _full("zeros", shape, 0.0, dtype, layout, device, memory_config)


@op(family="creation", group=None)
def ones(shape: Sequence[int], dtype: Any = None, layout: Any = None, device: Any = None,
         memory_config: Any = None) -> Tensor:
    """A tensor of ones (bfloat16, ROW_MAJOR unless a block float; on ``device`` when one is given)."""
    return _full("ones", shape, 1.0, dtype, layout, device, memory_config)


@op(family="creation", group=None)
def full(shape: Sequence[int], fill_value: float, dtype: Any = None, layout: Any = None, device: Any = None,
         memory_config: Any = None, optional_tensor: Any = None) -> Tensor:
    """A tensor holding ``fill_value`` as ``dtype`` stores it (an int dtype truncates a float); with
    ``optional_tensor``, that device tensor is filled instead (its shape, dtype and layout)."""
    return _full("full", shape, fill_value, dtype, layout, device, memory_config, optional_tensor)


def _full_like(op_name: str, tensor: Any, fill_value: Any, dtype: Any, layout: Any, device: Any, memory_config: Any,
               output: Any) -> Tensor:
    """tt-metal's full_like_impl: a TILE device tensor keeping its dtype (bfloat16, float32, bfloat8_b) is filled
    on the device (``ttnn.fill``, one recorded op); any other is made as ``ttnn.full`` makes it."""
    if not isinstance(tensor, Tensor):
        raise _incompatible(op_name, f"tensor must be a ttnn.Tensor (got {type(tensor).__name__})")
    source = tensor.checked()
    target = device_input(output, "optional_tensor") if output is not None else None
    dtype = target.dtype if target is not None else dtype if dtype is not None else source.dtype
    layout = target.layout if target is not None else layout if layout is not None else source.layout
    shape = source.logical_shape
    if source.on_device is None:
        return _full(op_name, shape, fill_value, dtype, layout, device, memory_config, output)
    tiled = source.layout == ttnn.TILE_LAYOUT and layout == ttnn.TILE_LAYOUT
    if tiled and dtype in FILL_DTYPES and dtype == source.dtype:
        return emit(op_name, [source], shape, dtype, layout, output_config(memory_config, source.mem_config),
                    source.on_device, _filled(shape, fill_value, dtype, op_name), output_tensor=output)
    return _full(op_name, shape, fill_value, dtype, layout, device if device is not None else source.on_device,
                 output_config(memory_config, source.mem_config), output)


@op(family="creation", group="creation")
def zeros_like(tensor: Tensor, dtype: Any = None, layout: Any = None, device: Any = None, memory_config: Any = None,
               optional_tensor: Any = None) -> Tensor:
    """Zeros of ``tensor``'s shape (its dtype, layout, device and memory config unless given)."""
    return _full_like("zeros_like", tensor, 0.0, dtype, layout, device, memory_config, optional_tensor)


@op(family="creation", group="creation")
def ones_like(tensor: Tensor, dtype: Any = None, layout: Any = None, device: Any = None, memory_config: Any = None,
              optional_tensor: Any = None) -> Tensor:
    """Ones of ``tensor``'s shape (its dtype, layout, device and memory config unless given)."""
    return _full_like("ones_like", tensor, 1.0, dtype, layout, device, memory_config, optional_tensor)


@op(family="creation", group="creation")
def full_like(tensor: Tensor, fill_value: float, dtype: Any = None, layout: Any = None, device: Any = None,
              memory_config: Any = None, optional_tensor: Any = None) -> Tensor:
    """``fill_value`` in ``tensor``'s shape (its dtype, layout, device and memory config unless given)."""
    return _full_like("full_like", tensor, fill_value, dtype, layout, device, memory_config, optional_tensor)


def _allocated(op_name: str, shape: tuple[int, ...], dtype: Any, layout: Any, device: Any, memory_config: Any) -> Tensor:
    """A device tensor with nothing written to it: its values, undefined on a card, are zeros here."""
    _check_arguments(op_name, dtype, layout, memory_config, device)
    check_layout(dtype, layout)
    sharding.placement(shape, dtype, layout, memory_config, device, op_name)
    stored = None if op_trace.shape_only() else store(torch.zeros(shape), dtype)
    return Tensor(stored, shape, dtype, layout, memory_config, device)


@op(family="creation", group=None)
def empty(shape: Sequence[int], dtype: Any = ttnn.bfloat16, layout: Any = ttnn.ROW_MAJOR_LAYOUT, device: Any = None,
          memory_config: Any = ttnn.DRAM_MEMORY_CONFIG) -> Tensor:
    """A device tensor of ``shape``, allocated and not written (ttnn's ``device`` is required)."""
    if device is None:
        raise _incompatible("empty", "device is required: ttnn.empty allocates a tensor on a device")
    return _allocated("empty", _shape(shape, "empty"), dtype, layout, device, memory_config)


@op(family="creation", group=None)
def empty_like(tensor: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
               memory_config: Any = None) -> Tensor:
    """A device tensor of ``tensor``'s shape, allocated and not written (its dtype, layout, device and memory
    config unless given)."""
    if not isinstance(tensor, Tensor):
        raise _incompatible("empty_like", f"tensor must be a ttnn.Tensor (got {type(tensor).__name__})")
    source = tensor.checked()
    device = device if device is not None else source.on_device
    if device is None:
        raise RuntimeError("ttnn.empty_like allocates on a device: this tensor is on the host, so give device=")
    return _allocated("empty_like", source.logical_shape, dtype if dtype is not None else source.dtype,
                      layout if layout is not None else source.layout, device,
                      memory_config if memory_config is not None else source.memory_config())


def _integral(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _incompatible("arange", f"{name} must be an int (got {value!r})")
    return int(value)


@op(family="creation", group=None)
def arange(start: int | None = None, end: int | None = None, step: int = 1, *, dtype: Any = ttnn.bfloat16,
           device: Any = None, memory_config: Any = ttnn.DRAM_MEMORY_CONFIG,
           layout: Any = ttnn.ROW_MAJOR_LAYOUT) -> Tensor:
    """``[start, end)`` by ``step`` as a 1-D tensor (``arange(end)`` starts at 0): each int converted to
    ``dtype`` (bfloat16 rounds 299 to 300), integers wrapped to 32 bits."""
    if end is None:
        if start is None:
            raise _incompatible("arange", "give end, or start and end")
        start, end = 0, start
    start, end, step = _integral(0 if start is None else start, "start"), _integral(end, "end"), _integral(step, "step")
    if step == 0:
        raise RuntimeError("Step must be nonzero")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("Invalid range: Step direction does not match range bounds")
    if not isinstance(dtype, ttnn.DataType):
        raise _incompatible("arange", f"dtype must be a ttnn.DataType (got {dtype!r})")
    if dtype not in ARANGE_DTYPES:
        raise RuntimeError("Unsupported dtype")
    _check_arguments("arange", dtype, layout, memory_config, device)
    size = -(-abs(end - start) // abs(step))

    def values() -> torch.Tensor:
        counted = start + step * torch.arange(size, dtype=torch.int64)
        if dtype in INTEGER_DTYPES:
            return _wrapped(counted, dtype)
        return counted.to(torch.float32)  # each value as C++'s static_cast<float>, then stored as dtype

    return _on_host_then_device("arange", values, (size,), dtype, layout, device, memory_config)


def _uniform(shape: tuple[int, ...], dtype: Any, low: float, high: float, seed: int) -> torch.Tensor:
    """Uniform float32 values in ``[low, high)``: the card draws ``low + (high - 1e-6 - low) * u``; bfloat16 keeps
    each float32's high 16 bits (the rand writer kernel's conversion), so values stay below ``high``."""
    generator = torch.Generator().manual_seed(seed if seed else int(torch.randint(1, 2**31 - 1, (1,))))
    to = torch.tensor(high - 1e-6, dtype=torch.float32)
    values = low + (to - low) * torch.rand(shape, generator=generator, dtype=torch.float32)
    if dtype == ttnn.bfloat16:
        values = (values.view(torch.int32) & -65536).view(torch.float32)
    return values


@op(family="creation", group="creation")
def rand(shape: Sequence[int], device: Any, *, dtype: Any = ttnn.bfloat16, layout: Any = ttnn.TILE_LAYOUT,
         memory_config: Any = ttnn.DRAM_MEMORY_CONFIG, low: float = 0.0, high: float = 1.0, seed: int = 0,
         mesh_mapper: Any = None) -> Tensor:
    """A device tensor of uniform random values in ``[low, high)`` (a device op). Float dtypes only: the card
    makes integer dtypes by a float-to-int typecast whose rounding the emulator does not model."""
    dims = _shape(shape, "rand")
    if dtype == ttnn.uint8:
        raise RuntimeError("[ttnn::rand] DataType::UINT8 is not supported.")
    _check_arguments("rand", dtype, layout, memory_config, device)
    if device is None:
        raise _incompatible("rand", "device is required: ttnn.rand runs on a device")
    if dtype in INTEGER_DTYPES:
        raise UnsupportedTTNNOp(f"ttnn.rand(dtype={dtype}) is not emulated: a card casts float32 draws to integers "
                                "with a typecast whose rounding the emulator does not model; draw a float dtype")
    if mesh_mapper is not None:
        raise UnsupportedTTNNOp("ttnn.rand(mesh_mapper=...) is not emulated: draw on the mesh without one "
                                "(replicated), or ttnn.from_torch(torch.rand(...), mesh_mapper=...)")
    if not all(isinstance(v, numbers.Real) for v in (low, high)) or isinstance(seed, bool) or \
            not isinstance(seed, numbers.Integral) or not 0 <= seed < 1 << 32:
        raise _incompatible("rand", "low and high must be floats and seed an unsigned 32-bit int")
    if not low < high:
        raise RuntimeError("Rand: `from` argument must be < `to` argument")
    return emit("rand", [], dims, dtype, layout, memory_config, device,
                lambda: _uniform(dims, dtype, float(low), float(high), int(seed)))


def _on(host: Tensor | MeshTensor, device: Any, memory_config: Any) -> Tensor | MeshTensor:
    """A host tensor written to ``device``: a mesh gets one shard per chip, or the same tensor on each."""
    _no_write_in_capture("as_tensor")
    if isinstance(host, MeshTensor):
        if not isinstance(device, MeshDevice) or device.get_num_devices() != len(host.shards):
            raise RuntimeError(f"Distributed host buffer has different shape ({len(host.shards)} shards) than the "
                               f"mesh device {device}")
        return MeshTensor([to_device(s, d, memory_config) for s, d in zip(host.shards, device.devices, strict=True)],
                          device, host.topology)
    if isinstance(device, MeshDevice):  # one host tensor replicated over the mesh (tt-metal's to_device)
        return MeshTensor([to_device(host, d, memory_config) for d in device.devices], device,
                          replicated_topology(device))
    return to_device(host, device, memory_config)


def _dump(path: Path, host: Tensor | MeshTensor, mode: Any) -> None:
    """Write ``host``'s stored values, dtype, layout, shapes and memory configs to ``path`` (torch.save); in
    ``DumpTensorMode.LOCAL`` through a temporary file renamed into place, as real ttnn does."""
    shards = host.shards if isinstance(host, MeshTensor) else [host]
    payload = {
        "format": "bertlib emulated tensorbin 1",
        "dtype": host.dtype.name, "layout": host.layout.name,
        "shards": [{"stored": s.stored, "shape": list(s.logical_shape),
                    "memory_config": None if s.mem_config is None else s.mem_config.to_json()} for s in shards],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode != ttnn.DumpTensorMode.LOCAL:
        torch.save(payload, path)
        return
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        torch.save(payload, temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _load(path: Path, mesh_mapper: Any) -> Tensor | MeshTensor:
    """The host tensor ``_dump`` wrote (a mesh tensor when it holds several shards)."""
    payload = torch.load(path, weights_only=True)
    if payload.get("format") != "bertlib emulated tensorbin 1":
        raise RuntimeError("not a tensor file the emulator wrote")
    dtype, layout = getattr(ttnn.DataType, payload["dtype"]), getattr(ttnn.Layout, payload["layout"])
    shards = [Tensor(s["stored"], tuple(s["shape"]), dtype, layout,
                     None if s["memory_config"] is None else ttnn.MemoryConfig.from_json(s["memory_config"]))
              for s in payload["shards"]]
    if len(shards) == 1:
        return shards[0]
    if mesh_mapper is None:
        raise RuntimeError(f"{path} holds a tensor of {len(shards)} shards: pass the mesh_mapper it was made with")
    return MeshTensor(shards, mesh_mapper.mesh, mesh_mapper.topology() if hasattr(mesh_mapper, "topology") else None)


@op(family="creation", group=None, per_device=False)
def as_tensor(
    tensor: torch.Tensor,
    dtype: Any = None,
    *,
    layout: Any = ttnn.ROW_MAJOR_LAYOUT,
    device: Any = None,
    memory_config: Any = None,
    cache_file_name: str | Path | None = None,
    preprocess: Callable[[torch.Tensor], torch.Tensor] | None = None,
    mesh_mapper: Any = None,
    cache_dump_mode: Any = ttnn.DumpTensorMode.DISTRIBUTED_GATHER,
) -> Tensor | MeshTensor:
    """``ttnn.from_torch`` of ``preprocess(tensor)``, cached as real ttnn caches it: in
    ``{cache_file_name}_dtype_{DTYPE}_layout_{LAYOUT}.tensorbin``, written on a miss (a replicated tensor unsharded)
    and read on a hit without calling ``preprocess``. As on a card, a file that exists is used whatever tensor is
    passed (a different shape only warns); one that cannot be read is rebuilt. The emulator's files hold torch data,
    not a card's flatbuffers: each side rebuilds the other's."""
    if device is not None and memory_config is None:
        raise RuntimeError("memory_config must be specified when device is specified")

    def converted(target: Any, mapper: Any) -> Tensor | MeshTensor:
        source = preprocess(tensor) if preprocess is not None else tensor
        if target is not None:
            _no_write_in_capture("as_tensor")
        return from_torch(source, dtype, layout=layout, device=target, memory_config=memory_config,
                          mesh_mapper=mapper)

    if cache_file_name is None or op_trace.shape_only():
        return converted(device, mesh_mapper)
    path = Path(f"{cache_file_name}_dtype_{_name(dtype)}_layout_{_name(layout)}.tensorbin")
    if path.is_file():
        try:
            host = _load(path, mesh_mapper)
        except Exception as error:  # real ttnn rebuilds a cache it cannot read, with a warning
            warn_caller(f"Failed to load cache for {path}: {error}")
        else:
            _warn_if_stale(path, host, tensor, preprocess)
            return host if device is None else _on(host, device, _cached_config(host))
    host = converted(None, None if isinstance(mesh_mapper, ReplicateTensorToMesh) else mesh_mapper)
    _dump(path, host, cache_dump_mode)
    return host if device is None else _on(host, device, memory_config)


def _name(value: Any) -> str:
    return "None" if value is None else value.name


def _cached_config(host: Tensor | MeshTensor) -> Any:
    first = host.shards[0] if isinstance(host, MeshTensor) else host
    return first.mem_config


def _warn_if_stale(path: Path, host: Tensor | MeshTensor, tensor: Any, preprocess: Any) -> None:
    cached = host.shards[0].logical_shape if isinstance(host, MeshTensor) else host.logical_shape
    if preprocess is None and not isinstance(host, MeshTensor) and tuple(tensor.shape) != cached:
        warn_caller(f"{path} holds a tensor of shape {list(cached)}, the tensor given has shape "
                    f"{list(tensor.shape)}: the cached one is used, as on a card. Delete the file to rebuild it.")


@op(family="tensor", group=None, per_device=False)
def is_tensor_storage_on_device(tensor: Any) -> bool:
    """True when ``tensor`` is on a device (a mesh tensor's shards are)."""
    return tensor.storage_type() == ttnn.StorageType.DEVICE


@op(family="tensor", group=None, per_device=False)
def get_memory_config(arg: Any, /) -> Any:
    """The memory config of a device tensor; None for a host tensor, as real ttnn returns."""
    first = arg.shards[0] if isinstance(arg, MeshTensor) else arg
    if not isinstance(first, Tensor):
        raise _incompatible("get_memory_config", f"expected a ttnn.Tensor (got {type(arg).__name__})")
    return first.mem_config if first.on_device is not None else None


@op(family="tensor", group=None, per_device=False)
def get_device_tensors(tensor: Any) -> list[Tensor]:
    """One tensor per device: a mesh tensor's shards; a single-device or host tensor is its own one."""
    if isinstance(tensor, MeshTensor):
        return list(tensor.shards)
    if not isinstance(tensor, Tensor):
        raise _incompatible("get_device_tensors", f"expected a ttnn.Tensor (got {type(tensor).__name__})")
    return [tensor]


@op(family="tensor", group=None, per_device=False)
def is_sharded(tensor: Any) -> bool:
    """True when ``tensor`` lies in a sharded memory config."""
    return tensor.is_sharded()
