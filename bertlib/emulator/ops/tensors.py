"""Tensors and their movement: host <-> device, layouts, DRAM <-> L1 <-> sharded, reshapes and permutes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import ttnn

from bertlib.emulator import sharding, trace
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import quantize
from bertlib.emulator.ops.common import check_layout, device_input, emit, keeps_storage, output_config
from bertlib.emulator.registry import op
from bertlib.emulator.tensor import Tensor

_TORCH_TO_TTNN = {
    torch.float32: ttnn.float32,
    torch.bfloat16: ttnn.bfloat16,
    torch.int32: ttnn.int32,
    torch.int64: ttnn.uint32,
}


@op(family="tensor", group=None, per_device=False,
    not_computed=("spec", "pad_value", "cq_id", "preserve_nan_values", "col_tilize", "enable_bfloat_opt"))
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
    """A host (or, with ``device=``, device) tensor holding ``tensor`` as ``dtype`` would store it."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"ttnn.from_torch needs a torch.Tensor (got {type(tensor).__name__})")
    if tile is not None and list(tile.tile_shape) != [32, 32]:
        raise UnsupportedTTNNOp(f"ttnn.from_torch(tile=ttnn.Tile({list(tile.tile_shape)})) is not emulated: the emulator "
                                "stores 32x32 tiles only")
    dtype = dtype if dtype is not None else _TORCH_TO_TTNN.get(tensor.dtype, ttnn.float32)
    layout = layout if layout is not None else ttnn.ROW_MAJOR_LAYOUT
    check_layout(dtype, layout)
    from bertlib.emulator.mesh import MeshDevice, MeshTensor, ReplicateTensorToMesh

    if isinstance(device, MeshDevice) or mesh_mapper is not None:
        mesh = device if isinstance(device, MeshDevice) else mesh_mapper.mesh
        shards = (mesh_mapper or ReplicateTensorToMesh(mesh)).map(tensor)
        return MeshTensor([from_torch(shard, dtype, layout=layout, device=None if device is None else mesh.devices[i],
                                      memory_config=memory_config) for i, shard in enumerate(shards)], mesh)
    values = None if trace.shape_only() else quantize(tensor.detach(), dtype)  # weights: float32, read often
    memory_config = memory_config if memory_config is not None or device is None else ttnn.DRAM_MEMORY_CONFIG
    sharding.placement(tuple(tensor.shape), dtype, layout, memory_config, device, "from_torch")
    return Tensor(values, tuple(tensor.shape), dtype, layout, memory_config, device)


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
    """The stored values as a torch tensor: bfloat16 for bfloat16 tensors, float32 for block floats."""
    from bertlib.emulator.mesh import MeshTensor

    if isinstance(tensor, MeshTensor):
        if mesh_composer is None:
            raise RuntimeError("a tensor on a mesh needs mesh_composer=ttnn.ConcatMeshToTensor(mesh_device, dim=0)")
        return mesh_composer.compose([to_torch(shard, dtype, torch_rank=torch_rank) for shard in tensor.shards])
    tensor.checked()
    if tensor.stored is None:
        raise RuntimeError("this tensor has no values: it was made while tracing with shape_only=True")
    values = tensor.stored
    if tensor.dtype == ttnn.bfloat16:
        values = values.to(torch.bfloat16)
    elif tensor.dtype in (ttnn.uint32, ttnn.int32):
        values = values.to(torch.int32)
    if dtype is not None:
        values = values.to(dtype)
    while torch_rank is not None and values.dim() > torch_rank:
        if values.shape[0] != 1:
            raise RuntimeError(f"cannot squeeze shape {list(values.shape)} to rank {torch_rank}")
        values = values.squeeze(0)
    return values


def adopt(tensor: Any) -> Tensor:
    """An emulated tensor holding a real ttnn host tensor's stored values (e.g. from real ttnn's helpers)."""
    if isinstance(tensor, Tensor):
        return tensor.checked()
    if isinstance(tensor, ttnn.Tensor):
        values = ttnn.to_torch(tensor)
        values = values.to(torch.int64) if tensor.dtype in (ttnn.uint32, ttnn.int32) else values.to(torch.float32)
        return Tensor(values, tuple(tensor.shape), tensor.dtype, tensor.layout)
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


@op(family="data movement", group="data movement", not_computed=("sub_core_grids", "pad_value"))
def to_layout(
    tensor: Tensor,
    layout: Any,
    dtype: Any = None,
    memory_config: Any = None,
    sub_core_grids: Any = None,
    pad_value: float = 0.0,
) -> Tensor:
    """Re-lay ``tensor`` out as ROW_MAJOR or TILE (TILE pads the last two dims to 32 in memory; the
    padding is never read back, so ``pad_value`` changes no logical value)."""
    tensor.checked()
    dtype = dtype if dtype is not None else tensor.dtype
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


@op(family="data movement", group="data movement",
    not_computed=("pad_value", "reshape_tile_mode", "sub_core_grids", "skip_padding_fill"))
def reshape(
    input_tensor: Tensor,
    shape: Sequence[int],
    *,
    memory_config: Any = None,
    pad_value: float = 0,
    reshape_tile_mode: Any = None,
    sub_core_grids: Any = None,
    skip_padding_fill: bool = False,
) -> Tensor:
    """``input_tensor`` with a new logical shape of the same volume (``pad_value`` fills tile padding,
    which is never read back)."""
    input_tensor.checked()
    shape = tuple(int(s) for s in shape)
    if -1 in shape:
        known = math.prod(s for s in shape if s != -1)
        shape = tuple(math.prod(input_tensor.logical_shape) // known if s == -1 else s for s in shape)
    if math.prod(shape) != math.prod(input_tensor.logical_shape):
        raise RuntimeError(f"cannot reshape {list(input_tensor.logical_shape)} to {list(shape)}: volumes differ")
    return emit(
        "reshape", [input_tensor], shape, input_tensor.dtype, input_tensor.layout,
        output_config(memory_config, input_tensor.mem_config), input_tensor.on_device,
        None if input_tensor.stored is None else (lambda: input_tensor.stored.reshape(shape)),
        stored=keeps_storage(input_tensor, input_tensor.dtype),
    )


@op(family="data movement", group="data movement", not_computed=("pad_value",))
def permute(input_tensor: Tensor, dims: Sequence[int], *, memory_config: Any = None, pad_value: float = 0.0) -> Tensor:
    """``input_tensor`` with its dims reordered (``pad_value`` fills tile padding, never read back)."""
    input_tensor.checked()
    if sorted(d % len(input_tensor.logical_shape) for d in dims) != list(range(len(input_tensor.logical_shape))):
        raise RuntimeError(f"permute dims {list(dims)} are not a permutation of {len(input_tensor.logical_shape)} dims")
    shape = tuple(input_tensor.logical_shape[d] for d in dims)
    return emit(
        "permute", [input_tensor], shape, input_tensor.dtype, input_tensor.layout,
        output_config(memory_config, input_tensor.mem_config), input_tensor.on_device,
        None if input_tensor.stored is None else (lambda: input_tensor.stored.permute(*dims)),
        stored=keeps_storage(input_tensor, input_tensor.dtype),
    )
