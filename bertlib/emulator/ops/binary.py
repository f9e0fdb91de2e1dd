"""Binary element-wise ops: arithmetic, comparisons, logical ops and where, with scalars and broadcasting."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
import ttnn

from bertlib.emulator.numerics import activation_name, apply_activation, round_bf16
from bertlib.emulator.ops.common import broadcast_shape, device_input, emit, golden, output_config
from bertlib.emulator.registry import op
from bertlib.emulator.tensor import Tensor


def _eltwise(op: str, a: Any, b: Any, memory_config: Any, dtype: Any, fn: Callable, output_tensor: Any,
             activations: Any) -> Tensor:
    tensor = a if isinstance(a, Tensor) else b
    device_input(tensor, "A")
    other = b if tensor is a else a
    if isinstance(other, Tensor):
        device_input(other, "B")
    shape = tensor.logical_shape if not isinstance(other, Tensor) else broadcast_shape(a.logical_shape, b.logical_shape)
    out_dtype = dtype if dtype is not None else tensor.dtype
    inputs = [t for t in (a, b) if isinstance(t, Tensor)]
    post = [activation_name(act) for act in (activations or [])]

    def compute() -> torch.Tensor:
        x = a.values if isinstance(a, Tensor) else a
        y = b.values if isinstance(b, Tensor) else b
        out = fn(x, y)
        for name in post:
            out = apply_activation(round_bf16(out) if out_dtype != ttnn.float32 else out, name, False)
        return out

    has_values = all(t.stored is not None for t in inputs)
    return emit(
        op, inputs, shape, out_dtype, tensor.layout, output_config(memory_config, tensor.mem_config), tensor.on_device,
        compute if has_values else None, flops=math.prod(shape), output_tensor=output_tensor,
    )


@op(family="binary", group="eltwise", operators=("__add__", "__radd__"),
    not_computed=("input_tensor_a_activations", "input_tensor_b_activations", "fast_and_approximate_mode",
                  "sub_core_grids", "sub_device_id"))
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
    """Element-wise ``a + b`` with broadcasting (``a + b`` on ttnn tensors calls this), then ``activations``."""
    g = golden(ttnn.add)
    return _eltwise("add", input_tensor_a, input_tensor_b, memory_config, dtype, lambda x, y: g(x, y), output_tensor,
                    activations)


@op(family="binary", group="eltwise", aliases=("mul",), operators=("__mul__", "__rmul__"),
    not_computed=("input_tensor_a_activations", "input_tensor_b_activations", "fast_and_approximate_mode",
                  "sub_core_grids", "sub_device_id"))
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
    """Element-wise ``a * b`` with broadcasting (``ttnn.mul`` is the same op), then ``activations``."""
    g = golden(ttnn.multiply)
    return _eltwise("multiply", input_tensor_a, input_tensor_b, memory_config, dtype, lambda x, y: g(x, y),
                    output_tensor, activations)
