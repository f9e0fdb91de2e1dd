"""Emulated TT-NN ops: real ttnn's golden function on stored values, the chip's numerics, a trace record.

Every op takes the same positional and keyword arguments as ttnn 0.81.1 (``tests/test_emulator_api.py``
checks them against the installed ttnn). Keywords that only steer how a card schedules work
(``program_config``, ``sub_device_id``, ...) are accepted and recorded, and change no value.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import torch
import ttnn

from bertlib.emulator import trace
from bertlib.emulator.numerics import (
    BLOCK_FLOAT,
    Numerics,
    accumulate_matmul,
    quantize,
    round_bf16,
)
from bertlib.emulator.tensor import Tensor, tensor_bytes

golden = ttnn.get_golden_function


# ---------------------------------------------------------------------------------------------- helpers
def _device_input(tensor: Any, name: str = "A") -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Input tensor {name} must be a ttnn.Tensor (got {type(tensor).__name__})")
    tensor.checked()
    if tensor.on_device is None:
        raise RuntimeError(f"Input tensor {name} must be on device: move it there with ttnn.to_device(tensor, device)")
    return tensor


def _tiled(tensor: Tensor, op: str) -> None:
    if tensor.layout != ttnn.TILE_LAYOUT:
        raise RuntimeError(f"ttnn.{op} needs TILE layout inputs: convert with ttnn.to_layout(tensor, ttnn.TILE_LAYOUT)")


def _check_layout(dtype: Any, layout: Any) -> None:
    if dtype in BLOCK_FLOAT and layout != ttnn.TILE_LAYOUT:
        raise RuntimeError("Layout must be Layout::TILE for bfloat8_b or bfloat4_b!")


def _buffer(memory_config: Any) -> str:
    if memory_config is None:
        return "DRAM"
    return str(memory_config.buffer_type).split(".")[-1].split("::")[-1]


def _check_grid(core_grid: Any, device: Any) -> tuple[int, int] | None:
    if core_grid is None:
        return None
    grid = device.compute_with_storage_grid_size()
    if core_grid.x > grid.x or core_grid.y > grid.y:
        raise RuntimeError(
            f"core_grid {core_grid.y}x{core_grid.x} (y x x) is larger than this chip's compute grid "
            f"{grid.y}x{grid.x}: pass ttnn.CoreGrid(y<= {grid.y}, x<= {grid.x})"
        )
    return (core_grid.y, core_grid.x)


def _emit(
    op: str,
    inputs: Sequence[Tensor],
    shape: tuple[int, ...],
    dtype: Any,
    layout: Any,
    memory_config: Any,
    device: Any,
    compute: Callable[[], torch.Tensor] | None,
    *,
    flops: float = 0.0,
    numerics: Numerics | None = None,
    core_grid: tuple[int, int] | None = None,
    record: bool = True,
    also_written: float = 0.0,
) -> Tensor:
    """Run ``compute`` (skipped in shape-only tracing), store its result as ``dtype`` and record the op.

    An op with several outputs records once: its other outputs pass ``record=False``, and the recorded
    one counts their bytes in ``also_written``.
    """
    _check_layout(dtype, layout)
    start = time.perf_counter()
    values = None
    if compute is not None and not trace.shape_only():
        values = quantize(compute(), dtype).reshape(shape)
    host_s = time.perf_counter() - start
    if not record:
        return Tensor(values, tuple(shape), dtype, layout, memory_config, device)
    trace.record(
        trace.OpRecord(
            op=op,
            input_shapes=[tuple(t.logical_shape) for t in inputs],
            input_dtypes=[str(t.dtype).split(".")[-1] for t in inputs],
            input_memories=[_buffer(t.mem_config) for t in inputs],
            output_shape=tuple(shape),
            output_dtype=str(dtype).split(".")[-1],
            memory=_buffer(memory_config),
            math_fidelity=numerics.math_fidelity if numerics else None,
            core_grid=core_grid,
            flops=float(flops),
            bytes_read=sum(tensor_bytes(t.logical_shape, t.dtype, t.layout) for t in inputs),
            bytes_written=tensor_bytes(shape, dtype, layout) + also_written,
            host_s=host_s,
        )
    )
    return Tensor(values, tuple(shape), dtype, layout, memory_config, device)


def _broadcast_shape(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    return tuple(torch.broadcast_shapes(torch.Size(a), torch.Size(b)))


# ------------------------------------------------------------------------------- tensors and movement
_TORCH_TO_TTNN = {
    torch.float32: ttnn.float32,
    torch.bfloat16: ttnn.bfloat16,
    torch.int32: ttnn.int32,
    torch.int64: ttnn.uint32,
}


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
    dtype = dtype if dtype is not None else _TORCH_TO_TTNN.get(tensor.dtype, ttnn.float32)
    layout = layout if layout is not None else ttnn.ROW_MAJOR_LAYOUT
    _check_layout(dtype, layout)
    from bertlib.emulator.mesh import MeshDevice, MeshTensor, ReplicateTensorToMesh

    if isinstance(device, MeshDevice) or mesh_mapper is not None:
        mesh = device if isinstance(device, MeshDevice) else mesh_mapper.mesh
        shards = (mesh_mapper or ReplicateTensorToMesh(mesh)).map(tensor)
        return MeshTensor([from_torch(shard, dtype, layout=layout, device=None if device is None else mesh.devices[i],
                                      memory_config=memory_config) for i, shard in enumerate(shards)], mesh)
    values = None if trace.shape_only() else quantize(tensor.detach(), dtype)
    memory_config = memory_config if memory_config is not None or device is None else ttnn.DRAM_MEMORY_CONFIG
    return Tensor(values, tuple(tensor.shape), dtype, layout, memory_config, device)


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
    if tensor.values is None:
        raise RuntimeError("this tensor has no values: it was made while tracing with shape_only=True")
    values = tensor.values
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


def _adopt(tensor: Any) -> Tensor:
    """An emulated tensor holding a real ttnn host tensor's stored values (e.g. from model_preprocessing)."""
    if isinstance(tensor, Tensor):
        return tensor.checked()
    if isinstance(tensor, ttnn.Tensor):
        values = ttnn.to_torch(tensor)
        values = values.to(torch.int64) if tensor.dtype in (ttnn.uint32, ttnn.int32) else values.to(torch.float32)
        return Tensor(values, tuple(tensor.shape), tensor.dtype, tensor.layout)
    raise TypeError(f"expected a ttnn.Tensor, got {type(tensor).__name__}")


def to_device(tensor: Tensor, device: Any, memory_config: Any = None, queue_id: Any = None) -> Tensor:
    """The same tensor, placed on ``device`` (DRAM unless ``memory_config`` says otherwise)."""
    tensor = _adopt(tensor)
    config = memory_config if memory_config is not None else ttnn.DRAM_MEMORY_CONFIG
    return Tensor(tensor.values, tensor.logical_shape, tensor.dtype, tensor.layout, config, device)


def copy_host_to_device_tensor(host_tensor: Tensor, device_tensor: Tensor, cq_id: Any = None) -> None:
    """Write a host tensor's values into an existing device tensor of the same shape, dtype and layout."""
    host, target = _adopt(host_tensor), _device_input(device_tensor, "device_tensor")
    if host.on_device is not None:
        raise RuntimeError("copy_host_to_device_tensor copies from a host tensor: this one is on a device")
    host_spec, device_spec = ((t.logical_shape, t.dtype, t.layout) for t in (host, target))
    if host_spec != device_spec:
        raise RuntimeError(f"copy_host_to_device_tensor needs the same shape, dtype and layout on both sides: host "
                           f"{host_spec}, device {device_spec}")
    target.values = host.values


def from_device(tensor: Tensor, blocking: bool = True, queue_id: Any = None) -> Tensor:
    """The same tensor, back on the host."""
    tensor.checked()
    return Tensor(tensor.values, tensor.logical_shape, tensor.dtype, tensor.layout, None, None)


def to_layout(
    tensor: Tensor,
    layout: Any,
    dtype: Any = None,
    memory_config: Any = None,
    sub_core_grids: Any = None,
    pad_value: float = 0.0,
) -> Tensor:
    """Re-lay ``tensor`` out as ROW_MAJOR or TILE (TILE pads the last two dims to 32 in memory)."""
    tensor.checked()
    dtype = dtype if dtype is not None else tensor.dtype
    config = memory_config if memory_config is not None else tensor.mem_config
    return _emit(
        "to_layout", [tensor], tensor.logical_shape, dtype, layout, config, tensor.on_device,
        None if tensor.values is None else (lambda: tensor.values),
    )


def to_memory_config(tensor: Tensor, memory_config: Any, dtype: Any = None, output_tensor: Any = None) -> Tensor:
    """Move ``tensor`` between DRAM and L1 (values unchanged unless ``dtype`` changes them)."""
    _device_input(tensor)
    dtype = dtype if dtype is not None else tensor.dtype
    return _emit(
        "to_memory_config", [tensor], tensor.logical_shape, dtype, tensor.layout, memory_config, tensor.on_device,
        None if tensor.values is None else (lambda: tensor.values),
    )


def deallocate(tensor: Tensor, force: bool = True) -> None:
    """Free ``tensor``'s device memory; using it afterwards raises DeallocatedTensorError."""
    if isinstance(tensor, Tensor):
        tensor.deallocated = True
        tensor.values = None


def reallocate(tensor: Tensor, memory_config: Any = None) -> Tensor:
    """A fresh copy of ``tensor`` (on a card: moved to defragment memory); the input is freed."""
    _device_input(tensor)
    config = memory_config if memory_config is not None else tensor.mem_config
    out = Tensor(tensor.values, tensor.logical_shape, tensor.dtype, tensor.layout, config, tensor.on_device)
    tensor.deallocated = True
    return out


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
    """``input_tensor`` with a new logical shape of the same volume."""
    input_tensor.checked()
    shape = tuple(int(s) for s in shape)
    if -1 in shape:
        known = math.prod(s for s in shape if s != -1)
        shape = tuple(math.prod(input_tensor.logical_shape) // known if s == -1 else s for s in shape)
    if math.prod(shape) != math.prod(input_tensor.logical_shape):
        raise RuntimeError(f"cannot reshape {list(input_tensor.logical_shape)} to {list(shape)}: volumes differ")
    config = memory_config if memory_config is not None else input_tensor.mem_config
    return _emit(
        "reshape", [input_tensor], shape, input_tensor.dtype, input_tensor.layout, config, input_tensor.on_device,
        None if input_tensor.values is None else (lambda: input_tensor.values.reshape(shape)),
    )


def permute(input_tensor: Tensor, dims: Sequence[int], *, memory_config: Any = None, pad_value: float = 0.0) -> Tensor:
    """``input_tensor`` with its dims reordered."""
    input_tensor.checked()
    shape = tuple(input_tensor.logical_shape[d] for d in dims)
    config = memory_config if memory_config is not None else input_tensor.mem_config
    return _emit(
        "permute", [input_tensor], shape, input_tensor.dtype, input_tensor.layout, config, input_tensor.on_device,
        None if input_tensor.values is None else (lambda: input_tensor.values.permute(*dims)),
    )


# ------------------------------------------------------------------------------------------------ math
def _matmul_numerics(a: Tensor, b: Tensor, config: Any, user_grid: bool, program_config: Any, out_dtype: Any) -> Numerics:
    low = a.dtype in BLOCK_FLOAT and b.dtype in BLOCK_FLOAT
    fidelity = "HiFi2" if not (user_grid or program_config is not None or low) else "LoFi"
    return Numerics.resolve(config, fidelity=fidelity, approx=False, fp32=out_dtype == ttnn.float32)


def _activation_name(activation: Any, program_config: Any) -> str | None:
    fused = getattr(program_config, "fused_activation", None) if program_config is not None else None
    chosen = fused if fused is not None else activation
    if chosen is None:
        return None
    if isinstance(chosen, str):
        return chosen.lower()
    op_type = getattr(chosen, "op_type", chosen)
    return str(op_type).split(".")[-1].lower()


def _apply_activation(values: torch.Tensor, name: str | None, approx: bool) -> torch.Tensor:
    if name is None:
        return values
    if name == "gelu":
        return torch.nn.functional.gelu(values, approximate="tanh" if approx else "none")
    if name == "relu":
        return torch.relu(values)
    if name == "silu":
        return torch.nn.functional.silu(values)
    raise NotImplementedError(f"fused activation {name!r} is not emulated; use 'gelu', 'relu' or 'silu'")


def _matmul_like(
    op: str,
    input_tensor_a: Tensor,
    input_tensor_b: Tensor,
    *,
    bias: Tensor | None,
    transpose_a: bool,
    transpose_b: bool,
    memory_config: Any,
    dtype: Any,
    program_config: Any,
    activation: Any,
    compute_kernel_config: Any,
    core_grid: Any,
) -> Tensor:
    a = _device_input(input_tensor_a, "A")
    b = _device_input(input_tensor_b, "B")
    _tiled(a, op)
    _tiled(b, op)
    if bias is not None:
        _device_input(bias, "bias")
    grid = _check_grid(core_grid, a.on_device)
    out_dtype = dtype if dtype is not None else a.dtype
    numerics = _matmul_numerics(a, b, compute_kernel_config, grid is not None, program_config, out_dtype)
    a_shape = list(a.logical_shape)
    b_shape = list(b.logical_shape)
    if transpose_a:
        a_shape[-2:] = a_shape[-2:][::-1]
    if transpose_b:
        b_shape[-2:] = b_shape[-2:][::-1]
    if a_shape[-1] != b_shape[-2]:
        raise RuntimeError(
            f"The width of the first tensor must be equal to the height of the second tensor. "
            f"Mismatch: width={a_shape[-1]} height={b_shape[-2]}"
        )
    batch = _broadcast_shape(a_shape[:-2], b_shape[:-2])
    shape = (*batch, a_shape[-2], b_shape[-1])
    if len(shape) < len(a_shape):
        shape = tuple([1] * (len(a_shape) - len(shape))) + shape
    flops = 2.0 * math.prod(shape) * a_shape[-1]
    act = _activation_name(activation, program_config)

    def compute() -> torch.Tensor:
        x = a.values.transpose(-1, -2) if transpose_a else a.values
        w = b.values.transpose(-1, -2) if transpose_b else b.values
        bias_values = None if bias is None else bias.values
        exact = numerics.math_fidelity == "HiFi4" and numerics.fp32_dest_acc_en
        if exact and (act is None or not numerics.math_approx_mode):
            return golden(ttnn.linear)(x, w, bias=bias_values, activation=act)
        out = accumulate_matmul(x, w, numerics, lambda p, q: golden(ttnn.matmul)(p, q))
        if bias_values is not None:
            out = out + bias_values
        return _apply_activation(out, act, numerics.math_approx_mode)

    inputs = [a, b] + ([bias] if bias is not None else [])
    return _emit(
        op, inputs, shape, out_dtype, ttnn.TILE_LAYOUT, memory_config or ttnn.DRAM_MEMORY_CONFIG, a.on_device,
        None if a.values is None else compute, flops=flops, numerics=numerics, core_grid=grid,
    )


def linear(
    input_tensor_a: Tensor,
    input_tensor_b: Tensor,
    *,
    bias: Tensor | None = None,
    transpose_a: bool = False,
    transpose_b: bool = False,
    memory_config: Any = None,
    dtype: Any = None,
    program_config: Any = None,
    activation: Any = None,
    compute_kernel_config: Any = None,
    core_grid: Any = None,
    output_tile: Any = None,
    optional_output_tensor: Any = None,
    global_cb: Any = None,
    sub_device_id: Any = None,
    prefetcher_pipes: Sequence[Any] = (),
    in0_column_offset: int | None = None,
) -> Tensor:
    """``input_tensor_a @ input_tensor_b + bias``, then the fused ``activation`` (e.g. ``"gelu"``)."""
    return _matmul_like(
        "linear", input_tensor_a, input_tensor_b, bias=bias, transpose_a=transpose_a, transpose_b=transpose_b,
        memory_config=memory_config, dtype=dtype, program_config=program_config, activation=activation,
        compute_kernel_config=compute_kernel_config, core_grid=core_grid,
    )


def matmul(
    input_tensor_a: Tensor,
    input_tensor_b: Tensor,
    *,
    transpose_a: bool = False,
    transpose_b: bool = False,
    memory_config: Any = None,
    dtype: Any = None,
    program_config: Any = None,
    activation: Any = None,
    compute_kernel_config: Any = None,
    core_grid: Any = None,
    output_tile: Any = None,
    optional_output_tensor: Any = None,
    global_cb: Any = None,
    sub_device_id: Any = None,
) -> Tensor:
    """The (batched) matrix product ``input_tensor_a @ input_tensor_b``."""
    return _matmul_like(
        "matmul", input_tensor_a, input_tensor_b, bias=None, transpose_a=transpose_a, transpose_b=transpose_b,
        memory_config=memory_config, dtype=dtype, program_config=program_config, activation=activation,
        compute_kernel_config=compute_kernel_config, core_grid=core_grid,
    )


def _eltwise(op: str, a: Any, b: Any, memory_config: Any, dtype: Any, fn: Callable) -> Tensor:
    tensor = a if isinstance(a, Tensor) else b
    _device_input(tensor, "A")
    other = b if tensor is a else a
    if isinstance(other, Tensor):
        _device_input(other, "B")
    shape = tensor.logical_shape if not isinstance(other, Tensor) else _broadcast_shape(a.logical_shape, b.logical_shape)
    out_dtype = dtype if dtype is not None else tensor.dtype
    inputs = [t for t in (a, b) if isinstance(t, Tensor)]

    def compute() -> torch.Tensor:
        x = a.values if isinstance(a, Tensor) else a
        y = b.values if isinstance(b, Tensor) else b
        return fn(x, y)

    has_values = all(t.values is not None for t in inputs)
    return _emit(
        op, inputs, shape, out_dtype, tensor.layout, memory_config or tensor.mem_config, tensor.on_device,
        compute if has_values else None, flops=math.prod(shape),
    )


def add(
    input_tensor_a: Any,
    input_tensor_b: Any,
    *,
    dtype: Any = None,
    memory_config: Any = None,
    output_tensor: Any = None,
    activations: Any = None,
    input_tensor_a_activations: Any = None,
    input_tensor_b_activations: Any = None,
    fast_and_approximate_mode: bool = True,
    sub_core_grids: Any = None,
    sub_device_id: Any = None,
) -> Tensor:
    """Element-wise ``a + b`` with broadcasting (``a + b`` on ttnn tensors calls this)."""
    g = golden(ttnn.add)
    return _eltwise("add", input_tensor_a, input_tensor_b, memory_config, dtype, lambda x, y: g(x, y))


def multiply(
    input_tensor_a: Any,
    input_tensor_b: Any,
    *,
    dtype: Any = None,
    memory_config: Any = None,
    output_tensor: Any = None,
    activations: Any = None,
    input_tensor_a_activations: Any = None,
    input_tensor_b_activations: Any = None,
    fast_and_approximate_mode: bool = False,
    sub_core_grids: Any = None,
    sub_device_id: Any = None,
) -> Tensor:
    """Element-wise ``a * b`` with broadcasting."""
    g = golden(ttnn.multiply)
    return _eltwise("multiply", input_tensor_a, input_tensor_b, memory_config, dtype, lambda x, y: g(x, y))


_NORM_DEFAULTS = dict(fidelity="HiFi4", approx=True, fp32=False)


def _softmax_values(x: torch.Tensor, numerics: Numerics, dim: int = -1, *, stable: bool = True,
                    scale: float | None = None, mask: torch.Tensor | None = None) -> torch.Tensor:
    """The fused (scale, mask,) exp, sum, reciprocal and multiply of a Tensix softmax.

    Without fp32 accumulation each intermediate is stored as bfloat16 (torch's bfloat16 ops compute in
    float32 and round once, which is that model); with it they stay float32, and approximate mode
    rounds exp to bfloat16. ``stable`` subtracts the row max first (``numeric_stable``).
    """
    if numerics.fp32_dest_acc_en and not numerics.math_approx_mode and scale is None and mask is None:
        return golden(ttnn.softmax)(x, dim)
    work = torch.float32 if numerics.fp32_dest_acc_en else torch.bfloat16
    values = x.to(work)
    if scale is not None:
        values = values * scale
    if mask is not None:
        values = values + mask.to(work)
    if stable:
        values = values - values.amax(dim=dim, keepdim=True)
    exps = torch.exp(values)
    if numerics.math_approx_mode and work == torch.float32:
        exps = round_bf16(exps)
    return (exps * torch.reciprocal(exps.sum(dim=dim, keepdim=True))).to(torch.float32)


def softmax(
    input_tensor: Tensor,
    dim: int = -1,
    *,
    memory_config: Any = None,
    compute_kernel_config: Any = None,
    numeric_stable: bool = True,
) -> Tensor:
    """Softmax over ``dim``."""
    x = _device_input(input_tensor)
    _tiled(x, "softmax")
    numerics = Numerics.resolve(compute_kernel_config, **_NORM_DEFAULTS)
    return _emit(
        "softmax", [x], x.logical_shape, x.dtype, x.layout, memory_config or x.mem_config, x.on_device,
        None if x.values is None else (lambda: _softmax_values(x.values, numerics, dim, stable=numeric_stable)),
        flops=5 * math.prod(x.logical_shape), numerics=numerics,
    )


def layer_norm(
    input_tensor: Tensor,
    *,
    epsilon: float = 1e-12,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    residual_input_tensor: Tensor | None = None,
    memory_config: Any = None,
    program_config: Any = None,
    compute_kernel_config: Any = None,
    recip_tensor: Any = None,
) -> Tensor:
    """LayerNorm over the last dim of ``input_tensor (+ residual_input_tensor)``, then ``* weight + bias``."""
    x = _device_input(input_tensor)
    _tiled(x, "layer_norm")
    extras = [t for t in (residual_input_tensor, weight, bias) if t is not None]
    for t in extras:
        _device_input(t, "weight/bias/residual")
    numerics = Numerics.resolve(compute_kernel_config, **_NORM_DEFAULTS)

    def compute() -> torch.Tensor:
        values = x.values
        if residual_input_tensor is not None:
            values = values + residual_input_tensor.values
            if not numerics.fp32_dest_acc_en:
                values = round_bf16(values)
        return golden(ttnn.layer_norm)(
            values.clone(),
            epsilon=epsilon,
            weight=None if weight is None else weight.values.reshape(-1),
            bias=None if bias is None else bias.values.reshape(-1),
        )

    return _emit(
        "layer_norm", [x, *extras], x.logical_shape, x.dtype, x.layout, memory_config or x.mem_config, x.on_device,
        None if x.values is None else compute, flops=8 * math.prod(x.logical_shape), numerics=numerics,
    )


def gelu(
    input_tensor: Tensor,
    *,
    variant: Any = None,
    fast_and_approximate_mode: bool = False,
    memory_config: Any = None,
    output_tensor: Any = None,
    sub_core_grids: Any = None,
) -> Tensor:
    """GELU, exact by default; ``GeluVariant.Tanh`` (or the fast mode) gives the tanh approximation."""
    x = _device_input(input_tensor)
    tanh = variant == ttnn.GeluVariant.Tanh or fast_and_approximate_mode
    chosen = ttnn.GeluVariant.Tanh if tanh else variant
    return _emit(
        "gelu", [x], x.logical_shape, x.dtype, x.layout, memory_config or x.mem_config, x.on_device,
        None if x.values is None else (lambda: golden(ttnn.gelu)(x.values, variant=chosen)),
        flops=8 * math.prod(x.logical_shape),
    )


def embedding(
    input_tensor: Tensor,
    weight: Tensor,
    *,
    memory_config: Any = None,
    output_tensor: Any = None,
    padding_idx: int | None = None,
    layout: Any = None,
    embeddings_type: Any = None,
    dtype: Any = None,
) -> Tensor:
    """Rows of ``weight`` picked by the uint32 ids in ``input_tensor``."""
    ids = _device_input(input_tensor, "ids")
    w = _device_input(weight, "weight")
    if ids.dtype not in (ttnn.uint32, ttnn.int32):
        raise RuntimeError("ttnn.embedding needs uint32 ids: ttnn.from_torch(ids, dtype=ttnn.uint32, ...)")
    out_dtype = dtype if dtype is not None else w.dtype
    shape = (*ids.logical_shape, w.logical_shape[-1])
    out_layout = layout if layout is not None else ttnn.ROW_MAJOR_LAYOUT

    def compute() -> torch.Tensor:
        if int(ids.values.max()) >= w.logical_shape[0] or int(ids.values.min()) < 0:
            raise RuntimeError(f"embedding ids must lie in [0, {w.logical_shape[0]})")
        return golden(ttnn.embedding)(ids.values, w.values)

    return _emit(
        "embedding", [ids, w], shape, out_dtype, out_layout, memory_config or ids.mem_config, ids.on_device,
        None if ids.values is None else compute,
    )


# ----------------------------------------------------------------------------------------- transformer
def split_query_key_value_and_split_heads(
    input_tensor: Tensor,
    kv_input_tensor: Tensor | None = None,
    *,
    num_heads: int,
    num_kv_heads: int | None = None,
    transpose_key: bool = True,
    memory_config: Any = None,
    use_falcon7b_backend: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """Fused QKV ``(B, S, 3*H)`` -> Q ``(B, heads, S, d)``, K ``(B, heads, d, S)`` (transposed), V ``(B, heads, S, d)``."""
    x = _device_input(input_tensor)
    batch, seq, hidden = x.logical_shape
    kv_heads = num_kv_heads or num_heads
    head = hidden // (num_heads + 2 * kv_heads)
    if head * (num_heads + 2 * kv_heads) != hidden:
        raise RuntimeError(f"hidden size {hidden} does not split into {num_heads} query heads plus keys and values")
    shapes = [(batch, num_heads, seq, head), (batch, kv_heads, head, seq) if transpose_key else (batch, kv_heads, seq, head),
              (batch, kv_heads, seq, head)]
    parts = None
    if x.values is not None and not trace.shape_only():
        parts = golden(ttnn.transformer.split_query_key_value_and_split_heads)(
            x.values, num_heads=num_heads, num_kv_heads=num_kv_heads, transpose_key=transpose_key
        )
    config = memory_config or x.mem_config
    # one device op: K and V are made unrecorded first, and the recorded Q counts their bytes
    key, value = (
        _emit("split_query_key_value_and_split_heads", [], shapes[i], x.dtype, ttnn.TILE_LAYOUT, config, x.on_device,
              None if parts is None else (lambda i=i: parts[i]), record=False)
        for i in (1, 2)
    )
    query = _emit("split_query_key_value_and_split_heads", [x], shapes[0], x.dtype, ttnn.TILE_LAYOUT, config,
                  x.on_device, None if parts is None else (lambda: parts[0]),
                  also_written=sum(tensor_bytes(shapes[i], x.dtype, ttnn.TILE_LAYOUT) for i in (1, 2)))
    return query, key, value


def attention_softmax_(
    tensor: Tensor,
    *,
    head_size: int | None = None,
    attention_mask: Tensor | None = None,
    program_config: Any = None,
    causal_mask: bool = False,
    memory_config: Any = None,
) -> Tensor:
    """In place: ``softmax(tensor / sqrt(head_size) + attention_mask)`` over the last dim."""
    x = _device_input(tensor)
    if attention_mask is None:
        raise RuntimeError(
            "Cannot apply divide by sqrt(head_size) using in-place version when attention_mask is not set."
        )
    mask = _device_input(attention_mask, "attention_mask")
    numerics = Numerics.resolve(None, **_NORM_DEFAULTS)

    def compute() -> torch.Tensor:
        scale = 1.0 / math.sqrt(head_size) if head_size is not None else None
        # ttnn runs the in-place kernel with numeric_stable=False: no max subtraction
        return _softmax_values(x.values, numerics, stable=False, scale=scale, mask=mask.values)

    out = _emit(
        "attention_softmax_", [x, mask], x.logical_shape, x.dtype, x.layout, x.mem_config, x.on_device,
        None if x.values is None else compute, flops=7 * math.prod(x.logical_shape), numerics=numerics,
    )
    tensor.values = out.values
    return tensor


def concatenate_heads(input_tensor: Tensor, *, memory_config: Any = None) -> Tensor:
    """``(B, heads, S, d)`` -> ``(B, S, heads*d)``."""
    x = _device_input(input_tensor)
    batch, heads, seq, head = x.logical_shape
    return _emit(
        "concatenate_heads", [x], (batch, seq, heads * head), x.dtype, x.layout, memory_config or x.mem_config,
        x.on_device, None if x.values is None else (lambda: golden(ttnn.transformer.concatenate_heads)(x.values)),
    )
