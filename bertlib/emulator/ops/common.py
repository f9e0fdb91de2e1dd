"""What every emulated op does: check its inputs, compute, store the result as its dtype, record it.

``emit`` is the one place an op's result is made: it checks the output's placement (sharding, L1),
runs the op's arithmetic unless tracing shapes only, rounds it to the stored dtype, writes it into a
preallocated ``output_tensor`` when one is given, and appends the op's record to the trace.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
import ttnn

from bertlib.emulator import op_trace, sharding
from bertlib.emulator.numerics import BLOCK_FLOAT, Numerics, store
from bertlib.emulator.tensor import Tensor, tensor_bytes

golden = ttnn.get_golden_function


_BERTLIB = str(Path(__file__).resolve().parents[2])


def warn_caller(message: str) -> None:
    """A ``UserWarning`` that points at the first frame outside bertlib: the user's call of the ttnn op."""
    warnings.warn(message, UserWarning, skip_file_prefixes=(_BERTLIB,))


def device_input(tensor: Any, name: str = "A") -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Input tensor {name} must be a ttnn.Tensor (got {type(tensor).__name__})")
    tensor.checked()
    if tensor.on_device is None:
        raise RuntimeError(f"Input tensor {name} must be on device: move it there with ttnn.to_device(tensor, device)")
    return tensor


def tiled(tensor: Tensor, op: str) -> None:
    if tensor.layout != ttnn.TILE_LAYOUT:
        raise RuntimeError(f"ttnn.{op} needs TILE layout inputs: convert with ttnn.to_layout(tensor, ttnn.TILE_LAYOUT)")


def check_layout(dtype: Any, layout: Any) -> None:
    if dtype in BLOCK_FLOAT and layout != ttnn.TILE_LAYOUT:
        raise RuntimeError("Layout must be Layout::TILE for bfloat8_b or bfloat4_b!")


def check_grid(core_grid: Any, device: Any) -> tuple[int, int] | None:
    if core_grid is None:
        return None
    grid = device.compute_with_storage_grid_size()
    if core_grid.x > grid.x or core_grid.y > grid.y:
        raise RuntimeError(
            f"core_grid {core_grid.y}x{core_grid.x} (y x x) is larger than this chip's compute grid "
            f"{grid.y}x{grid.x}: pass ttnn.CoreGrid(y<= {grid.y}, x<= {grid.x})"
        )
    return (core_grid.y, core_grid.x)


def broadcast_shape(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    return tuple(torch.broadcast_shapes(torch.Size(a), torch.Size(b)))


def keeps_storage(tensor: Tensor, dtype: Any, *, whole_blocks: bool = False) -> bool:
    """True when moving ``tensor``'s values into a ``dtype`` tensor stores them unchanged: the same dtype, and not
    a block float (whose blocks of 16 are re-formed, and their exponents shared anew, when values move) unless
    ``whole_blocks``: the values move in runs of whole 32-wide tiles along the last axis, so every block of 16
    keeps its values and its exponent."""
    return dtype == tensor.dtype and (dtype not in BLOCK_FLOAT or whole_blocks)


def output_config(memory_config: Any, default: Any) -> Any:
    """The output's memory config: the one asked for, or ``default`` (usually the input's)."""
    return memory_config if memory_config is not None else default


def emit(
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
    program_config: str | None = None,
    record: bool = True,
    also_written: float = 0.0,
    output_tensor: Tensor | None = None,
    stored: bool = False,
    cores: int | None = None,
    mcast_blocks: tuple[int, int] | None = None,
    attributes: tuple = (),
) -> Tensor:
    """Run ``compute`` (skipped in shape-only tracing), store its result as ``dtype`` and record the op.

    An op with several outputs records once: its other outputs pass ``record=False``, and the recorded
    one counts their bytes in ``also_written``. ``output_tensor`` (ttnn's preallocated output) receives
    the result in place and is returned. ``cores`` and ``mcast_blocks`` describe a program config's work
    split for the cost model (by default: the cores of the first sharded tensor). ``stored=True`` says
    ``compute`` returns values already stored as ``dtype`` (data movement that keeps its input's dtype):
    storing them again would change nothing. ``attributes`` are the op settings a card's program hash holds
    beside the tensor specs (a softmax's dim picks another kernel): they key the program cache too.
    """
    if output_tensor is not None:
        target = device_input(output_tensor, "output_tensor")
        if tuple(target.logical_shape) != tuple(shape):
            raise RuntimeError(f"ttnn.{op}: the output tensor has shape {list(target.logical_shape)}, the result "
                               f"{list(shape)}: preallocate it with the result's shape")
        dtype, layout, memory_config = target.dtype, target.layout, target.mem_config
    check_layout(dtype, layout)
    sharding.placement(tuple(shape), dtype, layout, memory_config, device, op)
    start = time.perf_counter()
    values = None
    if compute is not None and not op_trace.shape_only():
        values = compute()
        values = (values if stored else store(values, dtype)).reshape(shape)
    host_s = time.perf_counter() - start
    result = Tensor(values, tuple(shape), dtype, layout, memory_config, device)
    if device is not None and hasattr(device, "cache_program"):
        device.cache_program((op, *((t.logical_shape, str(t.dtype), str(t.layout), repr(t.mem_config)) for t in inputs),
                              tuple(shape), str(dtype), str(layout), repr(memory_config), program_config, attributes))
    if record:
        op_trace.record(
            op_trace.OpRecord(
                op=op,
                input_shapes=[tuple(t.logical_shape) for t in inputs],
                input_dtypes=[str(t.dtype).split(".")[-1] for t in inputs],
                input_memories=[sharding.buffer_name(t.mem_config) for t in inputs],
                output_shape=tuple(shape),
                output_dtype=str(dtype).split(".")[-1],
                memory=sharding.buffer_name(memory_config),
                math_fidelity=numerics.math_fidelity if numerics else None,
                core_grid=core_grid,
                flops=float(flops),
                bytes_read=sum(tensor_bytes(t.logical_shape, t.dtype, t.layout) for t in inputs),
                bytes_written=tensor_bytes(shape, dtype, layout) + also_written,
                host_s=host_s,
                program_config=program_config,
                sharding=[sharding.describe(c) for c in [*(t.mem_config for t in inputs), memory_config]
                          if sharding.is_sharded(c)],
                local=[sharding.is_sharded(c) for c in [*(t.mem_config for t in inputs), memory_config]],
                cores=cores or sharding.cores(memory_config, *(t.mem_config for t in inputs)),
                mcast_blocks=mcast_blocks,
                traced=op_trace.metal_traced(),
            )
        )
    if output_tensor is not None:
        output_tensor.stored = result.stored
        return output_tensor
    return result
