"""Unary element-wise ops: activations, exp/log/sqrt, trig, rounding, predicates and clamps.

Each op computes real ttnn's golden function on the stored values in float32 (integer tensors: exactly, in
int64, wrapped to the dtype's width as a card's integer arithmetic wraps); ``emit`` rounds the result to the
output dtype. Integer inputs are accepted only by the ops whose SFPU kernels have integer forms (tt-metal's
``*_tile_int32`` kernels: abs, neg, relu, relu_max/min, clamp, comparisons with zero, signbit, square, ...);
the others refuse them as tt-metal's unary op does. ``fast_and_approximate_mode`` and the approximate sigmoid
modes select SFPU approximations the emulator does not reproduce: they are refused by name. Real ttnn 0.81.1
has one in-place unary op, ``logical_not_``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
import ttnn

from bertlib.emulator import sharding
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import apply_activation
from bertlib.emulator.op_registry import op
from bertlib.emulator.ops.common import device_input, emit, golden, output_config
from bertlib.emulator.tensor import Tensor
from bertlib.emulator.tensor import check_dtype as check_stored

#: The float dtypes every float op takes.
FLOATS = (ttnn.bfloat16, ttnn.float32, ttnn.bfloat8_b, ttnn.bfloat4_b)
#: Integer dtypes and their (bits, signed): a card's integer results wrap modulo 2**bits.
WIDTHS = {ttnn.int32: (32, True), ttnn.uint32: (32, False), ttnn.uint16: (16, False), ttnn.uint8: (8, False)}
INTEGERS = tuple(WIDTHS)
#: The keyword every unary op accepts but computes nothing with: the cores it runs on.
CORES = ("sub_core_grids",)


def wrapped(values: torch.Tensor, dtype: Any) -> torch.Tensor:
    """Integer ``values`` (int64) as a ``dtype`` tensor holds them: modulo 2**bits, two's complement if signed."""
    bits, signed = WIDTHS[dtype]
    values = values & ((1 << bits) - 1)
    return torch.where(values >= 1 << (bits - 1), values - (1 << bits), values) if signed else values


def wide(values: torch.Tensor) -> torch.Tensor:
    """Stored values as an op computes on them: floats in float64, so that each result is rounded once, to the
    output dtype (the accurate SFPU kernels' contract, which tt-metal's tests check in ulps); integers as int64."""
    return values.to(torch.float64) if values.is_floating_point() else values


def as_result(values: torch.Tensor, dtype: Any) -> torch.Tensor:
    """An op's raw result (float, integer or a bool mask) ready for ``emit`` to store as ``dtype``: masks as
    1/0, integers wrapped to their width, floats as float32."""
    if dtype in WIDTHS:
        if values.is_floating_point():
            values = torch.nan_to_num(values, nan=0.0).trunc()
        return wrapped(values.to(torch.int64), dtype)
    return values.to(torch.float32)


def refuse_fast(name: str, fast: bool) -> None:
    """``fast_and_approximate_mode=True`` picks an SFPU approximation the emulator does not reproduce."""
    if fast:
        raise UnsupportedTTNNOp(
            f"ttnn.{name}(fast_and_approximate_mode=True) is not emulated: the card's approximate {name} kernel is "
            "not reproduced. Leave it False (the accurate kernel, emulated), or run on a Tenstorrent card."
        )


def output_memory(memory_config: Any, inputs: list[Tensor]) -> Any:
    """The output's memory config: ``memory_config`` (a sharded one without a shard spec takes the first sharded
    input's, as tt-metal's eltwise ops do), else the first input's."""
    config = output_config(memory_config, inputs[0].mem_config)
    if not sharding.is_sharded(config) or config.shard_spec is not None:
        return config
    for t in inputs:
        if sharding.is_sharded(t.mem_config) and t.mem_config.shard_spec is not None:
            if t.mem_config.memory_layout != config.memory_layout:
                raise RuntimeError("Operands to eltwise binary need to have the same memory layout")
            return ttnn.MemoryConfig(config.memory_layout, config.buffer_type, t.mem_config.shard_spec)
    return config


def check_dtype(name: str, dtype: Any, integers: tuple[Any, ...] = ()) -> None:
    """Refuse a dtype the op's kernels do not take, as tt-metal's unary op does."""
    if dtype in INTEGERS and dtype not in integers:
        raise RuntimeError(f"Unary: {name.upper()} does not support integer input dtype {dtype}")
    if dtype not in FLOATS and dtype not in INTEGERS:
        raise RuntimeError(f"Unary: {name.upper()} does not support input dtype {dtype}")


def elementwise(name: str, input_tensor: Any, fn: Callable[[torch.Tensor], torch.Tensor], memory_config: Any,
                output_tensor: Any, *, integers: tuple[Any, ...] = ()) -> Tensor:
    """``fn`` of every value of ``input_tensor``, in a tensor like it (or written into ``output_tensor``)."""
    x = device_input(input_tensor)
    check_dtype(name, x.dtype, integers)
    out_dtype = output_tensor.dtype if isinstance(output_tensor, Tensor) else x.dtype
    check_stored(out_dtype, name)
    return emit(
        name, [x], x.logical_shape, x.dtype, x.layout, output_memory(memory_config, [x]), x.on_device,
        None if x.stored is None else (lambda: as_result(fn(wide(x.values)), out_dtype)),
        flops=math.prod(x.logical_shape), output_tensor=output_tensor,
    )


def _golden(name: str, input_tensor: Any, memory_config: Any, output_tensor: Any, *args: Any,
            integers: tuple[Any, ...] = (), **kwargs: Any) -> Tensor:
    """``name`` computed with real ttnn's golden function (extra arguments passed to it)."""
    function = golden(getattr(ttnn, name))
    return elementwise(name, input_tensor, lambda v: function(v, *args, **kwargs), memory_config, output_tensor,
                       integers=integers)


def activation_op(name: str, x: Tensor, memory_config: Any, output_tensor: Tensor | None) -> Tensor:
    """One activation as its own element-wise op (ttnn's ``Unary_chain`` of one), on the stored values."""
    return emit(
        name, [x], x.logical_shape, x.dtype, x.layout, memory_config, x.on_device,
        None if x.stored is None else (lambda: apply_activation(x.values, name, False)),
        flops=8 * math.prod(x.logical_shape), output_tensor=output_tensor,
    )


# --------------------------------------------------------------------------------------------- activations
@op(family="unary", group="eltwise", not_computed=CORES)
def gelu(
    input_tensor: Tensor,
    *,
    variant: Any = None,
    fast_and_approximate_mode: bool = False,
    memory_config: Any = None,
    output_tensor: Any = None,
    sub_core_grids: Any = None,
) -> Tensor:
    """GELU, exact by default; ``GeluVariant.Tanh``, ``GeluVariant.FastLut`` or the fast mode give the
    approximation the emulator models fast GELU with everywhere (``numerics``): the tanh form."""
    tanh = variant in (ttnn.GeluVariant.Tanh, ttnn.GeluVariant.FastLut) or fast_and_approximate_mode
    chosen = ttnn.GeluVariant.Tanh if tanh else None
    return _golden("gelu", input_tensor, memory_config, output_tensor, variant=chosen)


@op(family="unary", group="eltwise", not_computed=CORES)
def relu(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """``max(x, 0)``; integer tensors too."""
    return _golden("relu", input_tensor, memory_config, output_tensor, integers=INTEGERS)


@op(family="unary", group="eltwise", not_computed=CORES)
def relu6(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """``min(max(x, 0), 6)``; integer tensors too."""
    return elementwise("relu6", input_tensor, lambda v: torch.clamp(v, 0, 6), memory_config, output_tensor,
                       integers=INTEGERS)


@op(family="unary", group="eltwise", not_computed=CORES)
def relu_max(input_tensor: Tensor, upper_limit: float, *, memory_config: Any = None, output_tensor: Any = None,
             sub_core_grids: Any = None) -> Tensor:
    """``min(max(x, 0), upper_limit)``; integer tensors too."""
    return elementwise("relu_max", input_tensor, lambda v: torch.clamp(v, 0, upper_limit), memory_config,
                       output_tensor, integers=INTEGERS)


@op(family="unary", group="eltwise", not_computed=CORES)
def relu_min(input_tensor: Tensor, lower_limit: float, *, memory_config: Any = None, output_tensor: Any = None,
             sub_core_grids: Any = None) -> Tensor:
    """``max(x, lower_limit)``; integer tensors too."""
    return elementwise("relu_min", input_tensor, lambda v: torch.clamp(v, min=lower_limit), memory_config,
                       output_tensor, integers=INTEGERS)


@op(family="unary", group="eltwise", not_computed=CORES)
def leaky_relu(input_tensor: Tensor, negative_slope: float, *, memory_config: Any = None, output_tensor: Any = None,
               sub_core_grids: Any = None) -> Tensor:
    """``x`` where ``x >= 0``, else ``negative_slope * x``; unsigned tensors (never negative) pass unchanged."""
    unsigned = tuple(d for d in INTEGERS if not WIDTHS[d][1])
    if isinstance(input_tensor, Tensor) and input_tensor.dtype in unsigned:
        return elementwise("leaky_relu", input_tensor, lambda v: v, memory_config, output_tensor, integers=unsigned)
    return _golden("leaky_relu", input_tensor, memory_config, output_tensor, negative_slope)


@op(family="unary", group="eltwise", not_computed=CORES)
def silu(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """``x * sigmoid(x)``."""
    return _golden("silu", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def swish(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """``x * sigmoid(x)`` (SiLU)."""
    return _golden("swish", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def sigmoid(input_tensor: Tensor, *, vector_mode: int = 4, mode: Any = None, memory_config: Any = None,
            output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``1 / (1 + exp(-x))`` with the accurate kernel (``SigmoidMode.Accurate``, every face row: ``vector_mode=4``)."""
    if mode not in (None, ttnn.SigmoidMode.Accurate):
        raise UnsupportedTTNNOp(f"ttnn.sigmoid(mode={mode}) is not emulated: the card's approximate exp/sigmoid "
                                "kernels are not reproduced. Use SigmoidMode.Accurate, or run on a Tenstorrent card.")
    if vector_mode != 4:
        raise UnsupportedTTNNOp(f"ttnn.sigmoid(vector_mode={vector_mode}) is not emulated: only vector_mode=4 (every "
                                "row and column of each tile face) is; other modes compute part of each tile.")
    return _golden("sigmoid", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def sigmoid_accurate(input_tensor: Tensor, fast_and_approximate_mode: bool = False, *, memory_config: Any = None,
                     output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """The accurate sigmoid (deprecated in real ttnn in favour of ``ttnn.sigmoid``)."""
    refuse_fast("sigmoid_accurate", fast_and_approximate_mode)
    return _golden("sigmoid_accurate", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def log_sigmoid(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
                sub_core_grids: Any = None) -> Tensor:
    """``log(sigmoid(x))``."""
    return _golden("log_sigmoid", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def tanh(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         fast_and_approximate_mode: bool = False, sub_core_grids: Any = None) -> Tensor:
    """Hyperbolic tangent."""
    refuse_fast("tanh", fast_and_approximate_mode)
    return _golden("tanh", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def tanhshrink(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
               sub_core_grids: Any = None) -> Tensor:
    """``x - tanh(x)``."""
    return _golden("tanhshrink", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def softplus(input_tensor: Tensor, *, beta: float = 1.0, threshold: float = 20.0, memory_config: Any = None,
             output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``."""
    return _golden("softplus", input_tensor, memory_config, output_tensor, beta=beta, threshold=threshold)


@op(family="unary", group="eltwise", not_computed=CORES)
def softsign(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
             sub_core_grids: Any = None) -> Tensor:
    """``x / (1 + |x|)``."""
    return _golden("softsign", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def mish(input_tensor: Tensor, *, fast_and_approximate_mode: bool = False, memory_config: Any = None,
         output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``x * tanh(softplus(x))``."""
    refuse_fast("mish", fast_and_approximate_mode)
    return _golden("mish", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def hardmish(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
             sub_core_grids: Any = None) -> Tensor:
    """``x * clamp(x / 2 + 1, 0, 1)``; a bfloat16 result is truncated, not rounded (the kernel's SFPSTORE, as real
    ttnn's golden function models it)."""
    function = golden(ttnn.hardmish)
    truncates = isinstance(input_tensor, Tensor) and input_tensor.dtype == ttnn.bfloat16
    return elementwise("hardmish", input_tensor, lambda v: function(v.to(torch.bfloat16) if truncates else v),
                       memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def elu(input_tensor: Tensor, *, alpha: float = 1.0, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return _golden("elu", input_tensor, memory_config, output_tensor, alpha=alpha)


@op(family="unary", group="eltwise", not_computed=CORES)
def celu(input_tensor: Tensor, *, alpha: float = 1.0, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return _golden("celu", input_tensor, memory_config, output_tensor, alpha=alpha)


@op(family="unary", group="eltwise", not_computed=CORES)
def selu(input_tensor: Tensor, *, scale: float = 1.0506999492645264, alpha: float = 1.673259973526001,
         memory_config: Any = None, output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``scale * x`` where ``x >= 0``, else ``scale * alpha * (exp(x) - 1)``."""
    return _golden("selu", input_tensor, memory_config, output_tensor, scale=scale, alpha=alpha)


@op(family="unary", group="eltwise", not_computed=CORES)
def xielu(input_tensor: Tensor, *, alpha_p: float = 0.800000011920929, alpha_n: float = 0.800000011920929,
          memory_config: Any = None, output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """xIELU: ``alpha_p * x**2 + x / 2`` where ``x > 0``, else ``alpha_n * (expm1(min(x, -1e-6)) - x) + x / 2``."""
    return _golden("xielu", input_tensor, memory_config, output_tensor, alpha_p=alpha_p, alpha_n=alpha_n)


@op(family="unary", group="eltwise", not_computed=CORES)
def hardtanh(input_tensor: Tensor, *, min_val: float = -1.0, max_val: float = 1.0, memory_config: Any = None,
             output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``clamp(x, min_val, max_val)``."""
    return _golden("hardtanh", input_tensor, memory_config, output_tensor, min_val=min_val, max_val=max_val)


@op(family="unary", group="eltwise", not_computed=CORES)
def hardsigmoid(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
                sub_core_grids: Any = None) -> Tensor:
    """``clamp(x / 6 + 1 / 2, 0, 1)``."""
    return _golden("hardsigmoid", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def hardswish(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
              sub_core_grids: Any = None) -> Tensor:
    """``x * hardsigmoid(x)``."""
    return _golden("hardswish", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def hardshrink(input_tensor: Tensor, *, lambd: float = 0.5, memory_config: Any = None, output_tensor: Any = None,
               sub_core_grids: Any = None) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0."""
    return _golden("hardshrink", input_tensor, memory_config, output_tensor, lambd=lambd)


@op(family="unary", group="eltwise", not_computed=CORES)
def softshrink(input_tensor: Tensor, *, lambd: float = 0.5, memory_config: Any = None, output_tensor: Any = None,
               sub_core_grids: Any = None) -> Tensor:
    """``x - lambd`` where ``x > lambd``, ``x + lambd`` where ``x < -lambd``, else 0."""
    return _golden("softshrink", input_tensor, memory_config, output_tensor, lambd=lambd)


@op(family="unary", group="eltwise", not_computed=CORES)
def threshold(input_tensor: Tensor, threshold: float, value: float, *, memory_config: Any = None,
              output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``."""
    return elementwise("threshold", input_tensor, lambda v: torch.where(v > threshold, v, torch.tensor(value, dtype=v.dtype)),
                       memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def heaviside(input_tensor: Tensor, value: float, *, memory_config: Any = None, output_tensor: Any = None,
              sub_core_grids: Any = None) -> Tensor:
    """0 where ``x < 0``, ``value`` where ``x == 0``, 1 where ``x > 0``."""
    return _golden("heaviside", input_tensor, memory_config, output_tensor, value)


@op(family="unary", group="eltwise", not_computed=CORES)
def logit(input_tensor: Tensor, *, eps: float | None = None, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """``log(x / (1 - x))``, with ``x`` first clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    return _golden("logit", input_tensor, memory_config, output_tensor, eps=eps)


# --------------------------------------------------------------------------------------- clamps
def _bound(name: str, value: Any, which: str, x: Tensor) -> Tensor | float | None:
    """A clamp bound: None, a number, or a device tensor that broadcasts to ``x``."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    if not isinstance(value, Tensor):
        raise TypeError(f"ttnn.{name}: {which} must be a number, a ttnn.Tensor or None (got {type(value).__name__})")
    bound = device_input(value, which)
    shape = tuple(x.logical_shape)
    if len(bound.logical_shape) > len(shape) or any(b not in (1, s) for b, s in
                                                    zip(bound.logical_shape[::-1], shape[::-1], strict=False)):
        raise RuntimeError(f"ttnn.{name}: a {which} tensor of shape {list(bound.logical_shape)} does not broadcast "
                           f"to the input's shape {list(shape)}")
    return bound


def _clamp(name: str, input_tensor: Any, low: Any, high: Any, memory_config: Any, output_tensor: Any) -> Tensor:
    if low is None and high is None:
        raise RuntimeError("Only one of 'min' or 'max' can be None. Please provide one value")
    x = device_input(input_tensor)
    low, high = _bound(name, low, "min", x), _bound(name, high, "max", x)
    tensors = [b for b in (low, high) if isinstance(b, Tensor)]
    if tensors and len(tensors) != len([b for b in (low, high) if b is not None]):
        raise TypeError(f"ttnn.{name} takes min and max both as tensors or both as numbers, not one of each")
    integers = () if tensors else (ttnn.int32,)  # tt-metal clamp_tile_int32: the tensor-scalar-scalar form only

    def clamped(v: torch.Tensor) -> torch.Tensor:
        lo, hi = (wide(b.values) if isinstance(b, Tensor) else b for b in (low, high))
        return torch.clamp(v, lo, hi)

    return elementwise(name, x, clamped, memory_config, output_tensor, integers=integers)


@op(family="unary", group="eltwise")
def clamp(input_tensor: Tensor, min: Any = None, max: Any = None, *, memory_config: Any = None,
          output_tensor: Any = None) -> Tensor:
    """``x`` limited to ``[min, max]`` (numbers, or tensors that broadcast to ``x``); one bound may be None."""
    return _clamp("clamp", input_tensor, min, max, memory_config, output_tensor)


@op(family="unary", group="eltwise")
def clip(input_tensor: Tensor, min: Any = None, max: Any = None, *, memory_config: Any = None) -> Tensor:
    """``ttnn.clamp`` under numpy's name (no ``output_tensor``)."""
    return _clamp("clip", input_tensor, min, max, memory_config, None)


# ---------------------------------------------------------------------------- exponentials and logarithms
@op(family="unary", group="eltwise", not_computed=CORES)
def exp(input_tensor: Tensor, *, fast_and_approximate_mode: bool = False, memory_config: Any = None,
        output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``e ** x``."""
    refuse_fast("exp", fast_and_approximate_mode)
    return _golden("exp", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def exp2(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """``2 ** x``."""
    return _golden("exp2", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def expm1(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """``e ** x - 1``."""
    return _golden("expm1", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def log(input_tensor: Tensor, *, fast_and_approximate_mode: bool = False, memory_config: Any = None,
        output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """Natural logarithm."""
    refuse_fast("log", fast_and_approximate_mode)
    return _golden("log", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def log2(input_tensor: Tensor, *, fast_and_approximate_mode: bool = False, memory_config: Any = None,
         output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """Base-2 logarithm."""
    refuse_fast("log2", fast_and_approximate_mode)
    return _golden("log2", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def log10(input_tensor: Tensor, *, fast_and_approximate_mode: bool = False, memory_config: Any = None,
          output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """Base-10 logarithm."""
    refuse_fast("log10", fast_and_approximate_mode)
    return _golden("log10", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def log1p(input_tensor: Tensor, *, fast_and_approximate_mode: bool = False, memory_config: Any = None,
          output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``log(1 + x)``."""
    refuse_fast("log1p", fast_and_approximate_mode)
    return _golden("log1p", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def sqrt(input_tensor: Tensor, *, fast_and_approximate_mode: bool = False, memory_config: Any = None,
         output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """Square root."""
    refuse_fast("sqrt", fast_and_approximate_mode)
    return _golden("sqrt", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def rsqrt(input_tensor: Tensor, *, fast_and_approximate_mode: bool = False, memory_config: Any = None,
          output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``1 / sqrt(x)``."""
    refuse_fast("rsqrt", fast_and_approximate_mode)
    return _golden("rsqrt", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def cbrt(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """Cube root (of negative values too)."""
    return _golden("cbrt", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def reciprocal(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
               sub_core_grids: Any = None) -> Tensor:
    """``1 / x``."""
    return _golden("reciprocal", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", operators=("__rtruediv__",), not_computed=CORES)
def rdiv(input_tensor: Tensor, value: float, *, rounding_mode: str | None = None, memory_config: Any = None,
         output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``value / x``, rounded toward ``floor`` or ``trunc`` when ``rounding_mode`` says (``scalar / tensor``)."""
    if rounding_mode not in (None, "floor", "trunc"):
        raise RuntimeError(f"ttnn.rdiv: rounding_mode must be None, 'floor' or 'trunc' (got {rounding_mode!r})")
    return elementwise("rdiv", input_tensor, lambda v: torch.div(torch.tensor(float(value), dtype=v.dtype), v,
                                                                 rounding_mode=rounding_mode),
                       memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def rpow(input_tensor: Tensor, exponent: float, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """``exponent ** x`` (the scalar is the base)."""
    if exponent <= 0:
        raise RuntimeError(f"ttnn.rpow: the base must be positive (got {exponent}); non-positive values are not "
                           "supported")
    return elementwise("rpow", input_tensor, lambda v: torch.pow(float(exponent), v), memory_config, output_tensor)


# ------------------------------------------------------------------------------------------ arithmetic
@op(family="unary", group="eltwise", not_computed=CORES)
def neg(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """``-x``; integer tensors too (unsigned ones wrap)."""
    return _golden("neg", input_tensor, memory_config, output_tensor, integers=INTEGERS)


@op(family="unary", group="eltwise", not_computed=CORES)
def abs(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """``|x|``; integer tensors too."""
    return _golden("abs", input_tensor, memory_config, output_tensor, integers=INTEGERS)


@op(family="unary", group="eltwise", not_computed=CORES)
def square(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
           sub_core_grids: Any = None) -> Tensor:
    """``x * x``; integer tensors too (wrapping)."""
    return _golden("square", input_tensor, memory_config, output_tensor, integers=INTEGERS)


@op(family="unary", group="eltwise", not_computed=CORES)
def sign(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """-1, 0 or 1 by the sign of ``x``."""
    return _golden("sign", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def identity(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
             sub_core_grids: Any = None) -> Tensor:
    """``x`` copied through the SFPU."""
    return _golden("identity", input_tensor, memory_config, output_tensor, integers=INTEGERS)


@op(family="unary", group="eltwise", not_computed=CORES)
def deg2rad(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
            sub_core_grids: Any = None) -> Tensor:
    """Degrees to radians."""
    return _golden("deg2rad", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def rad2deg(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
            sub_core_grids: Any = None) -> Tensor:
    """Radians to degrees."""
    return _golden("rad2deg", input_tensor, memory_config, output_tensor)


# ------------------------------------------------------------------------------------------ special functions
@op(family="unary", group="eltwise", not_computed=CORES)
def erf(input_tensor: Tensor, *, fast_and_approximate_mode: bool = False, memory_config: Any = None,
        output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """The error function."""
    refuse_fast("erf", fast_and_approximate_mode)
    return _golden("erf", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def erfc(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """``1 - erf(x)``."""
    return _golden("erfc", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def erfinv(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
           sub_core_grids: Any = None) -> Tensor:
    """The inverse error function."""
    return _golden("erfinv", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def lgamma(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
           sub_core_grids: Any = None) -> Tensor:
    """``log |Gamma(x)|``."""
    x = device_input(input_tensor)
    if x.dtype not in (ttnn.bfloat16, ttnn.float32):  # tt-metal unary LGAMMA
        raise RuntimeError(f"Unary: LGAMMA requires BFLOAT16 or FLOAT32 input, got dtype {x.dtype}")
    return _golden("lgamma", x, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def digamma(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
            sub_core_grids: Any = None) -> Tensor:
    """The digamma function (derivative of lgamma)."""
    return _golden("digamma", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def i0(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
       sub_core_grids: Any = None) -> Tensor:
    """The modified Bessel function of order 0."""
    return _golden("i0", input_tensor, memory_config, output_tensor)


# ------------------------------------------------------------------------------------------ trigonometry
@op(family="unary", group="eltwise", not_computed=CORES)
def sin(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """Sine."""
    return _golden("sin", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def cos(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """Cosine."""
    return _golden("cos", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def tan(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """Tangent."""
    return _golden("tan", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def asin(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """Arcsine (NaN outside ``[-1, 1]``)."""
    return elementwise("asin", input_tensor, torch.asin, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def acos(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """Arccosine (NaN outside ``[-1, 1]``)."""
    return elementwise("acos", input_tensor, torch.acos, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def atan(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """Arctangent."""
    return _golden("atan", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def sinh(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """Hyperbolic sine."""
    return elementwise("sinh", input_tensor, torch.sinh, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def cosh(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """Hyperbolic cosine."""
    return elementwise("cosh", input_tensor, torch.cosh, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def asinh(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """Inverse hyperbolic sine."""
    return _golden("asinh", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def acosh(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """Inverse hyperbolic cosine."""
    return elementwise("acosh", input_tensor, torch.acosh, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def atanh(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """Inverse hyperbolic tangent."""
    return elementwise("atanh", input_tensor, torch.atanh, memory_config, output_tensor)


# ------------------------------------------------------------------------------------------ rounding
@op(family="unary", group="eltwise", not_computed=CORES)
def floor(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """Round toward minus infinity."""
    return _golden("floor", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def ceil(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """Round toward plus infinity."""
    return _golden("ceil", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def trunc(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """Round toward zero."""
    return _golden("trunc", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def frac(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
         sub_core_grids: Any = None) -> Tensor:
    """``x - trunc(x)``."""
    return _golden("frac", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def round(input_tensor: Tensor, *, decimals: int | None = 0, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """Round half to even at ``decimals`` decimal places (-6 to 7, as the card supports)."""
    if decimals is not None and not -6 <= decimals <= 7:
        raise RuntimeError(f"ttnn.round: decimals must lie in [-6, 7] (got {decimals})")
    return _golden("round", input_tensor, memory_config, output_tensor, decimals)


# ------------------------------------------------------------------------------------------ predicates
def _mask(name: str, input_tensor: Any, memory_config: Any, output_tensor: Any,
          integers: tuple[Any, ...] = ()) -> Tensor:
    """A 1/0 mask in the input's dtype (a card has no boolean dtype)."""
    return _golden(name, input_tensor, memory_config, output_tensor, integers=integers)


@op(family="unary", group="eltwise", not_computed=CORES)
def isfinite(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
             sub_core_grids: Any = None) -> Tensor:
    """1 where ``x`` is finite, else 0."""
    return _mask("isfinite", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def isinf(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """1 where ``x`` is infinite, else 0."""
    return _mask("isinf", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def isnan(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
          sub_core_grids: Any = None) -> Tensor:
    """1 where ``x`` is NaN, else 0."""
    return _mask("isnan", input_tensor, memory_config, output_tensor)


@op(family="unary", group="eltwise", not_computed=CORES)
def signbit(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
            sub_core_grids: Any = None) -> Tensor:
    """1 where the sign bit of ``x`` is set (``-0.0`` included), else 0."""
    return _mask("signbit", input_tensor, memory_config, output_tensor, (ttnn.int32,))


@op(family="unary", group="eltwise", not_computed=CORES)
def logical_not(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
                sub_core_grids: Any = None) -> Tensor:
    """1 where ``x == 0``, else 0."""
    return _mask("logical_not", input_tensor, memory_config, output_tensor, INTEGERS)


@op(family="unary", group="eltwise")
def logical_not_(input_tensor: Tensor, *, memory_config: Any = None) -> Tensor:
    """In place: ``x`` becomes 1 where it was 0, else 0."""
    x = device_input(input_tensor)
    if memory_config is not None and memory_config != x.mem_config:
        raise RuntimeError("ttnn.logical_not_ writes into its input: a memory_config other than the input's is "
                           "not possible")
    return _mask("logical_not", x, None, x, INTEGERS)


@op(family="unary", group="eltwise", not_computed=CORES)
def eqz(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """1 where ``x == 0``, else 0."""
    return _mask("eqz", input_tensor, memory_config, output_tensor, INTEGERS)


@op(family="unary", group="eltwise", not_computed=CORES)
def nez(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """1 where ``x != 0``, else 0."""
    return _mask("nez", input_tensor, memory_config, output_tensor, INTEGERS)


@op(family="unary", group="eltwise", not_computed=CORES)
def ltz(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """1 where ``x < 0``, else 0."""
    return _mask("ltz", input_tensor, memory_config, output_tensor, (ttnn.int32,))


@op(family="unary", group="eltwise", not_computed=CORES)
def gtz(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """1 where ``x > 0``, else 0."""
    return _mask("gtz", input_tensor, memory_config, output_tensor, (ttnn.int32,))


@op(family="unary", group="eltwise", not_computed=CORES)
def lez(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """1 where ``x <= 0``, else 0."""
    return _mask("lez", input_tensor, memory_config, output_tensor, (ttnn.int32,))


@op(family="unary", group="eltwise", not_computed=CORES)
def gez(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
        sub_core_grids: Any = None) -> Tensor:
    """1 where ``x >= 0``, else 0."""
    return _mask("gez", input_tensor, memory_config, output_tensor, (ttnn.int32,))


@op(family="unary", group="eltwise", not_computed=CORES)
def bitwise_not(input_tensor: Tensor, *, memory_config: Any = None, output_tensor: Any = None,
                sub_core_grids: Any = None) -> Tensor:
    """``~x`` on an int32 tensor."""
    x = device_input(input_tensor)
    if x.dtype != ttnn.int32:
        raise RuntimeError(f"Unary: BITWISE_NOT supports only INT32 input, got dtype {x.dtype}")
    return _golden("bitwise_not", x, memory_config, output_tensor, integers=(ttnn.int32,))
