"""Unary element-wise ops: activations, exp/log/sqrt, trig, clamps; and their in-place forms."""

from __future__ import annotations

import math
from typing import Any

import ttnn

from bertlib.emulator.numerics import apply_activation
from bertlib.emulator.ops.common import device_input, emit, golden, output_config
from bertlib.emulator.registry import op
from bertlib.emulator.tensor import Tensor


def activation_op(name: str, x: Tensor, memory_config: Any, output_tensor: Tensor | None) -> Tensor:
    """One activation as its own element-wise op (ttnn's ``Unary_chain`` of one), on the stored values."""
    return emit(
        name, [x], x.logical_shape, x.dtype, x.layout, memory_config, x.on_device,
        None if x.stored is None else (lambda: apply_activation(x.values, name, False)),
        flops=8 * math.prod(x.logical_shape), output_tensor=output_tensor,
    )


@op(family="unary", group="eltwise", not_computed=("sub_core_grids",))
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
    x = device_input(input_tensor)
    tanh = variant == ttnn.GeluVariant.Tanh or fast_and_approximate_mode
    chosen = ttnn.GeluVariant.Tanh if tanh else variant
    return emit(
        "gelu", [x], x.logical_shape, x.dtype, x.layout, output_config(memory_config, x.mem_config), x.on_device,
        None if x.stored is None else (lambda: golden(ttnn.gelu)(x.values, variant=chosen)),
        flops=8 * math.prod(x.logical_shape), output_tensor=output_tensor,
    )
