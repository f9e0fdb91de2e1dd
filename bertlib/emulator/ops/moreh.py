"""``ttnn.operations.moreh``: the moreh ops tt-metal's tutorials call (``norm``, which CLIP uses to normalise
its embeddings).

What a card does (tt-metal ``ttnn/cpp/ttnn/operations/moreh/moreh_norm``, ``moreh_sum`` and
``moreh_helper_functions``):

- the input is a bfloat16 TILE tensor (moreh's ``check_tensor``);
- ``dim`` is an int, a list, or None / ``[]`` for every dim; a finite, non-zero ``p`` runs as three ops,
  ``moreh_abs_pow(x, p)``, ``moreh_sum`` over the dims, then ``moreh_abs_pow(., 1 / p)``; ``p`` = 0 counts the
  non-zero values and ``p`` = ±inf takes the max / min of ``|x|``, one dim at a time, in the norm's own kernel;
- ``keepdim=False`` drops a reduced batch dim but keeps a reduced tile dim (one of the last two) with size 1,
  as ``moreh_sum``'s output spec does: the norm of a ``[2, 64, 64]`` tensor over dim 1 is ``[2, 1, 64]``;
- without a ``compute_kernel_config``: HiFi4, no fp32 accumulation (``init_device_compute_kernel_config``);
  each of the three ops stores its result as bfloat16, and the sum's running value in a bfloat16 destination
  register is rounded after each tile of 32 values (as ``reduction``'s sums); with ``fp32_dest_acc_en`` it is
  float32. The powers are the accurate SFPU contract: exact, rounded once to bfloat16.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import ttnn

from bertlib.emulator.numerics import Numerics, round_bf16
from bertlib.emulator.op_registry import op
from bertlib.emulator.ops.common import device_input, emit
from bertlib.emulator.ops.reduction import bf16_dest_sum, interleaved_output, reduce_dims
from bertlib.emulator.tensor import Tensor


def moreh_shape(shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool) -> tuple[int, ...]:
    """A moreh reduction's output shape: a reduced tile dim (one of the last two) is kept with size 1 even
    without ``keepdim``; a reduced batch dim is dropped."""
    rank = len(shape)
    return tuple(1 if i in dims else n for i, n in enumerate(shape) if keepdim or i not in dims or i >= rank - 2)


def _abs_pow(values: torch.Tensor, p: float) -> torch.Tensor:
    """``|x| ** p``, stored as bfloat16 (``moreh_abs_pow``)."""
    return round_bf16(values.abs().to(torch.float64).pow(p).to(torch.float32))


@op(family="reduction", group="reduction", module="ttnn.operations.moreh")
def norm(
    input: Tensor,  # noqa: A002 - ttnn's name
    p: float,
    *,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    output: Tensor | None = None,
    memory_config: Any = None,
    compute_kernel_config: Any = None,
) -> Tensor:
    """The ``p``-norm of ``input`` over ``dim`` (every dim by default), as tt-metal's moreh ops compute it."""
    x = device_input(input, "input")
    if x.dtype != ttnn.bfloat16 or x.layout != ttnn.TILE_LAYOUT:
        raise RuntimeError(f"ttnn.operations.moreh.norm: the input must be a bfloat16 TILE tensor (moreh's "
                           f"check_tensor), got {x.dtype} {x.layout}; ttnn.typecast / ttnn.to_layout it first")
    p = float(p)
    if math.isnan(p):
        raise RuntimeError("ttnn.operations.moreh.norm: p must be a number, got NaN")
    dims = reduce_dims(x.logical_shape, dim)
    shape = moreh_shape(x.logical_shape, dims, keepdim)
    config = interleaved_output(x, memory_config, "operations.moreh.norm")
    numerics = Numerics.resolve(compute_kernel_config, fidelity="HiFi4", approx=False, fp32=False)
    if output is not None and device_input(output, "output").dtype != ttnn.bfloat16:
        raise RuntimeError("ttnn.operations.moreh.norm: the output tensor must be bfloat16 (moreh's check_tensor)")

    def summed(values: torch.Tensor) -> torch.Tensor:
        for axis in sorted(dims, reverse=True):
            values = values.sum(axis, keepdim=True) if numerics.fp32_dest_acc_en else bf16_dest_sum(values, axis)
        return round_bf16(values)

    def compute() -> torch.Tensor:
        values = x.values.to(torch.float32)
        if p == 0:
            result = summed((values != 0).to(torch.float32))
        elif math.isinf(p):
            result = values.abs()
            for axis in sorted(dims, reverse=True):
                result = result.amax(axis, keepdim=True) if p > 0 else result.amin(axis, keepdim=True)
        else:
            result = _abs_pow(summed(_abs_pow(values, p)), 1.0 / p)
        return result.reshape(shape)

    passes = 1 if p == 0 or math.isinf(p) else 3
    return emit("operations.moreh.norm", [x], shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, config, x.on_device,
                None if x.stored is None else compute, flops=passes * math.prod(x.logical_shape), numerics=numerics,
                output_tensor=output)
