"""Binary element-wise ops: arithmetic, comparisons, logical and bitwise ops, ``where``, with scalars and
broadcasting as tt-metal's binary_ng does them.

What a card does, reproduced here (tt-metal ``binary_ng_device_operation.cpp`` and ``binary_op_dtype_policy``,
and each op's documentation in real ttnn 0.81.1):

- shapes broadcast numpy-style on logical shapes (a dim is equal or 1), up to rank 5; a sharded operand or
  output broadcasts along the last dim only;
- either operand may be a Python number where the op has that overload; a number against a bfloat16 or block
  float tensor reaches the kernel as a bfloat16 (``pack_scalar_runtime_arg``), against float32 as a float32;
- the result takes A's dtype (the tensor's, when A is a number), unless ``dtype=`` or ``output_tensor`` says;
  float dtypes mix where the op allows it (the result follows A); ``multiply`` and ``divide`` typecast an
  integer tensor paired with a float one to the float dtype, and compute an integer tensor with a float scalar
  in float32; other ops refuse a scalar an integer tensor cannot hold;
- integer arithmetic is exact and wraps modulo the dtype's width; comparisons and logical ops give a 1/0 mask in
  the output dtype (a card has no boolean dtype);
- ``activations`` run after the op, on the result rounded as a card's destination register holds it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import ttnn

from bertlib.emulator import sharding
from bertlib.emulator.numerics import activation_name, apply_activation, quantize, round_bf16
from bertlib.emulator.op_registry import op
from bertlib.emulator.ops.common import device_input, emit, golden
from bertlib.emulator.ops.unary import FLOATS, INTEGERS, as_result, output_memory, refuse_fast, wide
from bertlib.emulator.tensor import Tensor
from bertlib.emulator.tensor import check_dtype as check_stored

#: Keywords every binary_ng op accepts that choose the cores it runs on, and the operand activations the
#: emulator does not apply (``activations``, after the op, it does).
CORES = ("sub_core_grids", "sub_device_id")
OPERAND_ACTIVATIONS = ("input_tensor_a_activations", "input_tensor_b_activations")
NOT_COMPUTED = (*OPERAND_ACTIVATIONS, *CORES)

_ARITHMETIC_INTEGERS = (ttnn.int32, ttnn.uint32, ttnn.uint16)
_RELATIONAL_INTEGERS = (*_ARITHMETIC_INTEGERS, ttnn.uint8)


@dataclass(frozen=True)
class Rule:
    """The dtypes a binary op takes on a card (tt-metal's binary dtype policy and the op's documented dtypes)."""

    kind: str  # the BinaryOpType a card's messages name
    integers: tuple[Any, ...] = ()  # integer dtypes the op computes on exactly
    floats: bool = True
    mixed_floats: bool = False  # operands of different float dtypes: computed, the result follows A
    int_to_float: bool = False  # an integer tensor paired with a float one is typecast to the float's dtype
    float_scalar_promotes: bool = False  # an integer tensor with a float scalar computes in float32


ADD = Rule("ADD", _ARITHMETIC_INTEGERS, mixed_floats=True)
SUB = Rule("SUB", _ARITHMETIC_INTEGERS, mixed_floats=True)
RSUB = Rule("RSUB", _ARITHMETIC_INTEGERS, mixed_floats=True)
MUL = Rule("MUL", _ARITHMETIC_INTEGERS, mixed_floats=True, int_to_float=True, float_scalar_promotes=True)
DIV = Rule("DIV", (ttnn.int32,), mixed_floats=True, int_to_float=True, float_scalar_promotes=True)
SQUARED_DIFFERENCE = Rule("SQUARED_DIFFERENCE", _ARITHMETIC_INTEGERS, mixed_floats=True)
EXTREMUM = (ttnn.int32, ttnn.uint32)
BITWISE = (ttnn.int32, ttnn.uint32, ttnn.uint16)


def _scalar(value: Any, name: str, op: str) -> Any:
    """An operand: a device tensor, or a number (a one-element torch tensor or numpy scalar converts to one, as
    real ttnn's bindings convert it)."""
    if isinstance(value, Tensor):
        return device_input(value, name)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    if isinstance(value, numbers.Real):
        return int(value) if isinstance(value, numbers.Integral) else float(value)
    raise TypeError(f"ttnn.{op}: operand {name} must be a ttnn.Tensor or a number (got {type(value).__name__})")


def broadcast(op: str, *shapes: Sequence[int]) -> tuple[int, ...]:
    """The broadcast shape of ``shapes``, or tt-metal's error where a dim is neither equal nor 1."""
    rank = max(len(s) for s in shapes)
    out = []
    for i in range(-1, -rank - 1, -1):
        dims = [s[i] if -i <= len(s) else 1 for s in shapes]
        wide = {d for d in dims if d != 1}
        if len(wide) > 1:
            raise RuntimeError(f"ttnn.{op}: Broadcasting rule violation for rank {i}, dims {dims}")
        if i <= -6 and len(set(dims)) > 1:
            raise RuntimeError(f"ttnn.{op}: Broadcasting rule violation for rank >= 6 : dim {i}, Broadcast is "
                               f"supported up to rank 5, dims {dims}")
        out.append(wide.pop() if wide else 1)
    return tuple(out[::-1])


def _check_sharded_broadcast(op: str, shape: tuple[int, ...], tensors: Sequence[Tensor], memory_config: Any) -> None:
    if not any(sharding.is_sharded(c) for c in [memory_config, *(t.mem_config for t in tensors)]):
        return
    for t in tensors:
        padded = (1,) * (len(shape) - len(t.logical_shape)) + tuple(t.logical_shape)
        if padded[:-1] != shape[:-1]:
            raise RuntimeError(f"ttnn.{op}: Cannot broadcast sharded tensors on dims other than W: "
                               f"{list(t.logical_shape)} against {list(shape)}")


def _allowed(rule: Rule, dtype: Any) -> bool:
    return (rule.floats and dtype in FLOATS) or dtype in rule.integers


def _scalar_on_integers(op: str, rule: Rule, value: Any, dtype: Any) -> Any:
    """A number against an integer tensor: an exact integer, or a card's refusal of a value it would change."""
    if isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise RuntimeError(
                f"ttnn.{op}: Binary operation {rule.kind} with a {dtype} tensor cannot represent the scalar {value}: "
                f"only a finite integer within the range of {dtype} survives being packed as one, and this value "
                "would be changed silently. Typecast the input to a floating-point dtype first."
            )
        return int(value)
    return value


@dataclass(frozen=True)
class _Plan:
    """How a binary op computes: each operand as it reaches the kernel, and the result's dtype."""

    operands: tuple[Callable[[], torch.Tensor], Callable[[], torch.Tensor]]
    dtype: Any


def _plan(op: str, rule: Rule, a: Any, b: Any, default_dtype: Any) -> _Plan:
    """Check the operands' dtypes as a card does and decide how each is read and the result's default dtype."""
    ref = a if isinstance(a, Tensor) else b
    tensors = [t for t in (a, b) if isinstance(t, Tensor)]
    pair = len(tensors) == 2
    if pair and a.dtype != b.dtype:
        floats = [t for t in tensors if t.dtype in FLOATS]
        ints = [t for t in tensors if t.dtype in (ttnn.int32, ttnn.uint32)]
        if len(floats) == 2 and rule.mixed_floats:
            pass
        elif len(floats) == 1 and len(ints) == 1 and rule.int_to_float:
            float_dtype = floats[0].dtype
            read = tuple(_typecast(t, float_dtype) if t is ints[0] else _values(t) for t in (a, b))
            return _Plan(read, default_dtype or float_dtype)
        else:
            raise RuntimeError(f"ttnn.{op}: Mixed dtype is not supported for binary operation {rule.kind}, dtype A: "
                               f"{a.dtype}, dtype B: {b.dtype}")
    for name, t in zip("AB", (a, b), strict=True):
        if isinstance(t, Tensor) and not _allowed(rule, t.dtype):
            raise RuntimeError(f"ttnn.{op}: Input tensor {name} dtype {t.dtype} is not supported for binary "
                               f"operation {rule.kind}")
    integer = ref.dtype in INTEGERS
    scalar = None if pair else (b if ref is a else a)
    if integer and isinstance(scalar, float) and rule.float_scalar_promotes:
        return _Plan(tuple(_promoted(v) for v in (a, b)), default_dtype or ttnn.float32)
    if integer and scalar is not None:
        scalar = _scalar_on_integers(op, rule, scalar, ref.dtype)
    read = tuple(_values(v) if isinstance(v, Tensor) else _number(scalar, ref.dtype, integer) for v in (a, b))
    return _Plan(read, default_dtype or ref.dtype)


def _values(t: Tensor) -> Callable[[], torch.Tensor]:
    return lambda: wide(t.values)


def _typecast(t: Tensor, dtype: Any) -> Callable[[], torch.Tensor]:
    return lambda: wide(quantize(t.values.to(torch.float32), dtype))


def _promoted(v: Any) -> Callable[[], torch.Tensor]:
    if isinstance(v, Tensor):
        return lambda: v.values.to(torch.float64)
    return lambda: torch.tensor(float(v), dtype=torch.float64)


def _number(value: Any, dtype: Any, integer: bool) -> Callable[[], torch.Tensor]:
    """A scalar as tt-metal's binary_ng packs it for a ``dtype`` tensor (``pack_scalar_runtime_arg``): integer bits
    for int32/uint32, a float32 for float32, else a bfloat16 (``pack_two_bfloat16_into_uint32``)."""
    if integer:
        return lambda: torch.tensor(int(value), dtype=torch.int64)
    if dtype == ttnn.float32:
        return lambda: torch.tensor(float(value), dtype=torch.float32).to(torch.float64)
    return lambda: round_bf16(torch.tensor(float(value), dtype=torch.float32)).to(torch.float64)


def binary(op: str, a: Any, b: Any, fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], rule: Rule, *,
           dtype: Any = None, memory_config: Any = None, output_tensor: Any = None, activations: Any = None,
           default_dtype: Any = None, fast: bool | None = None) -> Tensor:
    """``fn`` of the two operands (tensors or numbers) as a card's binary_ng op computes it, then ``activations``.

    ``default_dtype`` is the op's own result dtype where it is not A's (integer division gives float32);
    ``fast=False`` asks add/subtract/rsub for the SFPU's round-to-nearest-even bfloat16 result.
    """
    a, b = _scalar(a, "A", op), _scalar(b, "B", op)
    tensors = [t for t in (a, b) if isinstance(t, Tensor)]
    if not tensors:
        raise TypeError(f"ttnn.{op} needs at least one ttnn.Tensor operand: there is no scalar-scalar overload")
    if len(tensors) == 2 and a.on_device is not b.on_device:
        raise RuntimeError("Operands to eltwise binary need to be on the same device!")
    ref = tensors[0]
    plan = _plan(op, rule, a, b, default_dtype)
    target = device_input(output_tensor, "output_tensor") if output_tensor is not None else None
    if dtype is not None and target is not None and dtype != target.dtype:
        raise RuntimeError("If both output dtype and output tensor provided dtype should match")
    out_dtype = target.dtype if target is not None else dtype if dtype is not None else plan.dtype
    check_stored(out_dtype, op)
    if fast is False and out_dtype != ttnn.bfloat16:
        raise RuntimeError(
            f"fast_and_approximate_mode=false is only supported for a BFLOAT16 output on binary operation {rule.kind}, "
            f"got output dtype {out_dtype}. The accurate path exists to round the bfloat16 result to nearest even, so "
            "it has no effect for other output dtypes; leave the flag unset (or pass true) for those."
        )
    shape = broadcast(op, *(t.logical_shape for t in tensors))
    if target is not None and tuple(target.logical_shape) != shape:
        raise RuntimeError(f"Shape of Output tensor {list(target.logical_shape)} provided does not match the "
                           f"broadcasted output shape {list(shape)}")
    config = output_memory(memory_config, tensors)
    _check_sharded_broadcast(op, shape, tensors, config if target is None else target.mem_config)
    post = [activation_name(act) for act in (activations or [])]
    engine_rule = _special_values(rule, fast, out_dtype, tensors)

    def compute() -> torch.Tensor:
        operands = [read() for read in plan.operands]
        out = fn(*operands)
        if engine_rule is not None:
            out = engine_rule(out, *operands)
        for name in post:
            out = apply_activation(round_bf16(out) if out_dtype != ttnn.float32 else out, name, False)
        return as_result(out, out_dtype)

    has_values = all(t.stored is not None for t in tensors)
    return emit(op, tensors, shape, out_dtype, ref.layout, config, ref.on_device, compute if has_values else None,
                flops=math.prod(shape), output_tensor=output_tensor)


def _special_values(rule: Rule, fast: bool | None, out_dtype: Any, tensors: list[Tensor]) -> Callable | None:
    """What the engine that runs a float op makes of the invalid operations IEEE makes NaN of, where it differs.

    tt-metal's tech report ``Handling_Special_Value/special_values.md`` lists what each engine keeps IEEE;
    tt-metal issue #52141 measured the rest on a card: the FPU's add and subtract (bfloat16 and block-float
    operands, the default path) give 0 for inf - inf; the SFPU's multiply without fp32 accumulation gives 0
    wherever an operand is 0, inf and NaN included (``calculate_sfpu_binary_mul``: "to match FPU behaviour for
    bfloat16 multiplication"). float32 operands run on the SFPU, with IEEE results.
    """
    if out_dtype in INTEGERS or any(t.dtype in INTEGERS for t in tensors):
        return None
    if rule.kind in ("ADD", "SUB", "RSUB") and fast is not False and any(t.dtype != ttnn.float32 for t in tensors):
        return _fpu_invalid_sum_is_zero
    if rule.kind == "MUL" and out_dtype != ttnn.float32 and all(t.dtype != ttnn.float32 for t in tensors):
        return _zero_operand_gives_zero
    return None


def _fpu_invalid_sum_is_zero(out: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """inf - inf is 0 on the FPU; a NaN operand stays NaN."""
    invalid = out.isnan()
    if not bool(invalid.any()):
        return out
    return out.masked_fill(invalid & ~a.isnan() & ~b.isnan(), 0.0)


def _zero_operand_gives_zero(out: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """0 * x = x * 0 = +0 for every x, inf and NaN included (and no -0)."""
    return out.masked_fill((a == 0) | (b == 0), 0.0)


def in_place(op: str, a: Any, b: Any, fn: Callable, rule: Rule, activations: Any, fast: bool | None = None) -> Tensor:
    """``binary`` written into ``a``: the result keeps A's shape, dtype, layout and memory."""
    a = device_input(a, "A")
    return binary(op, a, b, fn, rule, output_tensor=a, activations=activations, fast=fast)


def _fpu_fast(fast: bool | None) -> bool:
    """add/subtract/rsub: ``True`` (the default, or None) is the FPU path, ``False`` the SFPU's exact rounding.

    The emulator computes both as the exact sum rounded to nearest even; real ttnn documents the FPU path as
    within 1 ulp of that."""
    return fast is not False


# ------------------------------------------------------------------------------------------ arithmetic
@op(family="binary", group="eltwise", operators=("__add__", "__radd__"), not_computed=NOT_COMPUTED)
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
    return binary("add", input_tensor_a, input_tensor_b, golden(ttnn.add), ADD, dtype=dtype,
                  memory_config=memory_config, output_tensor=output_tensor, activations=activations,
                  fast=_fpu_fast(fast_and_approximate_mode))


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def add_(input_tensor_a: Tensor, input_tensor_b: Any, *, activations: Any = None,
         input_tensor_a_activations: Any = None, input_tensor_b_activations: Any = None,
         fast_and_approximate_mode: bool | None = True, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a += b``."""
    return in_place("add_", input_tensor_a, input_tensor_b, golden(ttnn.add), ADD, activations,
                    _fpu_fast(fast_and_approximate_mode))


@op(family="binary", group="eltwise", aliases=("sub",), operators=("__sub__",), not_computed=NOT_COMPUTED)
def subtract(
    input_tensor_a: Any,
    input_tensor_b: Any,
    *,
    fast_and_approximate_mode: bool = True,
    dtype: Any = None,
    memory_config: Any = None,
    output_tensor: Any = None,
    activations: Any = None,
    input_tensor_a_activations: Any = None,
    input_tensor_b_activations: Any = None,
    sub_core_grids: Any = None,
    sub_device_id: Any = None,
) -> Tensor:
    """Element-wise ``a - b`` (``ttnn.sub``; ``a - b`` on ttnn tensors), either operand a number."""
    return binary("subtract", input_tensor_a, input_tensor_b, golden(ttnn.subtract), SUB, dtype=dtype,
                  memory_config=memory_config, output_tensor=output_tensor, activations=activations,
                  fast=_fpu_fast(fast_and_approximate_mode))


@op(family="binary", group="eltwise", aliases=("sub_",), not_computed=NOT_COMPUTED)
def subtract_(input_tensor_a: Tensor, input_tensor_b: Any, *, activations: Any = None,
              input_tensor_a_activations: Any = None, input_tensor_b_activations: Any = None,
              fast_and_approximate_mode: bool | None = True, sub_core_grids: Any = None,
              sub_device_id: Any = None) -> Tensor:
    """In place: ``a -= b``."""
    return in_place("subtract_", input_tensor_a, input_tensor_b, golden(ttnn.subtract), SUB, activations,
                    _fpu_fast(fast_and_approximate_mode))


@op(family="binary", group="eltwise", operators=("__rsub__",),
    not_computed=OPERAND_ACTIVATIONS)
def rsub(
    input_tensor_a: Tensor,
    input_tensor_b: Any,
    *,
    dtype: Any = None,
    memory_config: Any = None,
    output_tensor: Any = None,
    activations: Any = None,
    input_tensor_a_activations: Any = None,
    input_tensor_b_activations: Any = None,
    fast_and_approximate_mode: bool | None = True,
) -> Tensor:
    """``b - a`` (``number - tensor`` on ttnn tensors)."""
    return binary("rsub", input_tensor_a, input_tensor_b, golden(ttnn.rsub), RSUB, dtype=dtype,
                  memory_config=memory_config, output_tensor=output_tensor, activations=activations,
                  fast=_fpu_fast(fast_and_approximate_mode))


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def rsub_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
          input_tensor_b_activations: Any = None, fast_and_approximate_mode: bool | None = True,
          sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a = b - a``."""
    return in_place("rsub_", input_a, input_b, golden(ttnn.rsub), RSUB, activations,
                    _fpu_fast(fast_and_approximate_mode))


@op(family="binary", group="eltwise", aliases=("mul",), operators=("__mul__", "__rmul__"),
    not_computed=NOT_COMPUTED)
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
    """Element-wise ``a * b`` with broadcasting (``ttnn.mul`` is the same op), then ``activations``: the exact
    product rounded to nearest even (the SFPU path; the FPU path of ``fast_and_approximate_mode`` is refused)."""
    refuse_fast("multiply", fast_and_approximate_mode)
    return binary("multiply", input_tensor_a, input_tensor_b, golden(ttnn.multiply), MUL, dtype=dtype,
                  memory_config=memory_config, output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", aliases=("mul_",), not_computed=NOT_COMPUTED)
def multiply_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
              input_tensor_b_activations: Any = None, fast_and_approximate_mode: bool | None = False,
              sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a *= b``."""
    refuse_fast("multiply_", bool(fast_and_approximate_mode))
    return in_place("multiply_", input_a, input_b, golden(ttnn.multiply), MUL, activations)


def _divide(op: str, a: Any, b: Any, rounding_mode: str | None, **kwargs: Any) -> Tensor:
    """``a / b`` (rounded toward ``floor`` or ``trunc`` when asked): int32 by int32 gives float32 unrounded, int32
    rounded; an integer division by zero, undefined on a card, is refused."""
    if rounding_mode not in (None, "floor", "trunc"):
        raise RuntimeError(f"ttnn.{op}: rounding_mode must be None, 'floor' or 'trunc' (got {rounding_mode!r})")
    divide_values = golden(ttnn.divide)
    integers = all(v.dtype in INTEGERS if isinstance(v, Tensor) else not isinstance(v, float) for v in (a, b))
    if integers and rounding_mode is None and kwargs.get("output_tensor") is None:
        if kwargs.get("dtype") not in (None, ttnn.float32):
            raise RuntimeError(f"ttnn.{op}: int32 division without a rounding_mode gives FLOAT32; output datatype "
                               "conversion is not supported")
        kwargs["default_dtype"] = ttnn.float32

    def quotient(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if not y.is_floating_point() and not x.is_floating_point() and bool((y == 0).any()):
            raise RuntimeError(f"ttnn.{op}: integer division by zero is undefined on a card")
        return divide_values(x, y, rounding_mode=rounding_mode)

    return binary(op, a, b, quotient, DIV, **kwargs)


@op(family="binary", group="eltwise", aliases=("div",), operators=("__truediv__",), not_computed=NOT_COMPUTED)
def divide(
    input_tensor_a: Any,
    input_tensor_b: Any,
    *,
    fast_and_approximate_mode: bool = False,
    rounding_mode: str | None = None,
    dtype: Any = None,
    memory_config: Any = None,
    output_tensor: Any = None,
    activations: Any = None,
    input_tensor_a_activations: Any = None,
    input_tensor_b_activations: Any = None,
    sub_core_grids: Any = None,
    sub_device_id: Any = None,
) -> Tensor:
    """Element-wise ``a / b`` (``ttnn.div``; ``a / b`` on ttnn tensors), either operand a number; ``rounding_mode``
    ``"floor"`` or ``"trunc"`` rounds the quotient."""
    refuse_fast("divide", fast_and_approximate_mode)
    return _divide("divide", input_tensor_a, input_tensor_b, rounding_mode, dtype=dtype, memory_config=memory_config,
                   output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", aliases=("div_",), not_computed=NOT_COMPUTED)
def divide_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
            input_tensor_b_activations: Any = None, fast_and_approximate_mode: bool | None = False,
            sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a /= b``."""
    refuse_fast("divide_", bool(fast_and_approximate_mode))
    a = device_input(input_a, "A")
    return _divide("divide_", a, input_b, None, output_tensor=a, activations=activations)


@op(family="binary", group="eltwise")
def floor_div(input_tensor_a: Tensor, input_tensor_b: Any, *, memory_config: Any = None) -> Tensor:
    """``floor(a / b)``."""
    return binary("floor_div", input_tensor_a, input_tensor_b, golden(ttnn.floor_div),
                  Rule("DIV_FLOOR", (ttnn.int32,), mixed_floats=True, int_to_float=True), memory_config=memory_config)


@op(family="binary", group="eltwise")
def div_no_nan(input_tensor_a: Tensor, input_tensor_b: Any, *, memory_config: Any = None) -> Tensor:
    """``a / b``, and 0 where ``b == 0``."""
    return binary("div_no_nan", input_tensor_a, input_tensor_b, golden(ttnn.div_no_nan),
                  Rule("DIV", (ttnn.int32,), mixed_floats=True, int_to_float=True), memory_config=memory_config)


def _integer_divisor(op: str, function: Callable) -> Callable:
    def checked(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if not y.is_floating_point() and bool((y == 0).any()):
            raise RuntimeError(f"ttnn.{op}: an integer divisor of zero is undefined on a card")
        return function(x, y)

    return checked


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def remainder(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
              output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
              input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """``a - floor(a / b) * b`` (the sign of ``b``, as Python's ``%``)."""
    return binary("remainder", input_tensor_a, input_tensor_b, _integer_divisor("remainder", golden(ttnn.remainder)),
                  Rule("REMAINDER", EXTREMUM, float_scalar_promotes=True), dtype=dtype, memory_config=memory_config,
                  output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=CORES)
def fmod(input_tensor_a: Tensor, input_tensor_b: Any, *, memory_config: Any = None, sub_core_grids: Any = None,
         sub_device_id: Any = None) -> Tensor:
    """``a - trunc(a / b) * b`` (the sign of ``a``, as C's ``fmod``)."""
    return binary("fmod", input_tensor_a, input_tensor_b, _integer_divisor("fmod", golden(ttnn.fmod)),
                  Rule("FMOD", (ttnn.int32,), float_scalar_promotes=True), memory_config=memory_config)


@op(family="binary", group="eltwise", not_computed=OPERAND_ACTIVATIONS)
def maximum(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
            output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
            input_tensor_b_activations: Any = None) -> Tensor:
    """The larger of ``a`` and ``b``."""
    return binary("maximum", input_tensor_a, input_tensor_b, golden(ttnn.maximum), Rule("MAXIMUM", EXTREMUM),
                  dtype=dtype, memory_config=memory_config, output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=OPERAND_ACTIVATIONS)
def minimum(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
            output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
            input_tensor_b_activations: Any = None) -> Tensor:
    """The smaller of ``a`` and ``b``."""
    return binary("minimum", input_tensor_a, input_tensor_b, golden(ttnn.minimum), Rule("MINIMUM", EXTREMUM),
                  dtype=dtype, memory_config=memory_config, output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def squared_difference(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
                       output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
                       input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
                       sub_device_id: Any = None) -> Tensor:
    """``(a - b) ** 2``."""
    return binary("squared_difference", input_tensor_a, input_tensor_b, golden(ttnn.squared_difference),
                  SQUARED_DIFFERENCE, dtype=dtype, memory_config=memory_config, output_tensor=output_tensor,
                  activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def squared_difference_(input_a: Tensor, input_b: Any, *, activations: Any = None,
                        input_tensor_a_activations: Any = None, input_tensor_b_activations: Any = None,
                        sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a = (a - b) ** 2``."""
    return in_place("squared_difference_", input_a, input_b, golden(ttnn.squared_difference), SQUARED_DIFFERENCE,
                    activations)


def _tensors(op: str, *values: Any) -> None:
    """Ops without a scalar overload: a number there is a TypeError in real ttnn too."""
    for value in values:
        if not isinstance(value, Tensor):
            raise TypeError(f"ttnn.{op} takes ttnn.Tensor operands only (got {type(value).__name__})")


@op(family="binary", group="eltwise")
def addalpha(input_tensor_a: Tensor, input_tensor_b: Tensor, alpha: float, *, memory_config: Any = None,
             output_tensor: Any = None) -> Tensor:
    """``a + alpha * b``."""
    _tensors("addalpha", input_tensor_a, input_tensor_b)
    return binary("addalpha", input_tensor_a, input_tensor_b, lambda x, y: golden(ttnn.addalpha)(x, y, alpha),
                  Rule("ADDALPHA", mixed_floats=True), memory_config=memory_config, output_tensor=output_tensor)


@op(family="binary", group="eltwise")
def subalpha(input_tensor_a: Tensor, input_tensor_b: Tensor, alpha: float, *, memory_config: Any = None,
             output_tensor: Any = None) -> Tensor:
    """``a - alpha * b``."""
    _tensors("subalpha", input_tensor_a, input_tensor_b)
    return binary("subalpha", input_tensor_a, input_tensor_b, lambda x, y: golden(ttnn.subalpha)(x, y, alpha),
                  Rule("SUBALPHA", mixed_floats=True), memory_config=memory_config, output_tensor=output_tensor)


# ------------------------------------------------------------------------------------------ powers and logs
@op(family="binary", group="eltwise", not_computed=OPERAND_ACTIVATIONS)
def pow(input_tensor: Any, exponent: Any, *, dtype: Any = None, memory_config: Any = None, output_tensor: Any = None,
        activations: Any = None, input_tensor_a_activations: Any = None,
        input_tensor_b_activations: Any = None) -> Tensor:
    """``input_tensor ** exponent``: tensor ** number, tensor ** tensor (float dtypes) or number ** tensor.

    An integer tensor takes a non-negative integral exponent only (results wrap), and in ROW_MAJOR layout
    only the exponents 0 and 1."""
    if isinstance(input_tensor, Tensor) and input_tensor.dtype in INTEGERS:
        if isinstance(exponent, Tensor):
            raise RuntimeError(f"Input tensor A dtype {input_tensor.dtype} is not supported for binary operation "
                               "POWER: tensor exponents are not supported for integer inputs, use a scalar integer "
                               "exponent")
        if not isinstance(exponent, int | float) or exponent < 0 or not float(exponent).is_integer():
            raise RuntimeError(f"ttnn.pow: integer inputs require a non-negative scalar exponent with an integral "
                               f"value (got {exponent!r})")
        if exponent > 1 and input_tensor.layout != ttnn.TILE_LAYOUT:
            raise RuntimeError("ttnn.pow: integer inputs with an exponent above 1 must use TILE layout")
        exponent = int(exponent)
    rule = Rule("POWER", () if isinstance(exponent, Tensor) else INTEGERS)
    return binary("pow", input_tensor, exponent, golden(ttnn.pow), rule, dtype=dtype, memory_config=memory_config,
                  output_tensor=output_tensor, activations=activations)


def _float_op(op: str, a: Any, b: Any, function: Callable, kind: str, **kwargs: Any) -> Tensor:
    return binary(op, a, b, function, Rule(kind), **kwargs)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def ldexp(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
          output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
          input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """``a * 2 ** b``."""
    return _float_op("ldexp", input_tensor_a, input_tensor_b, golden(ttnn.ldexp), "LDEXP", dtype=dtype,
                     memory_config=memory_config, output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def ldexp_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
           input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a = a * 2 ** b``."""
    return in_place("ldexp_", input_a, input_b, golden(ttnn.ldexp), Rule("LDEXP"), activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def logaddexp(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
              output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
              input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """``log(exp(a) + exp(b))``."""
    return _float_op("logaddexp", input_tensor_a, input_tensor_b, golden(ttnn.logaddexp), "LOGADDEXP", dtype=dtype,
                     memory_config=memory_config, output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def logaddexp_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
               input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
               sub_device_id: Any = None) -> Tensor:
    """In place: ``a = log(exp(a) + exp(b))``."""
    return in_place("logaddexp_", input_a, input_b, golden(ttnn.logaddexp), Rule("LOGADDEXP"), activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def logaddexp2(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
               output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
               input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
               sub_device_id: Any = None) -> Tensor:
    """``log2(2 ** a + 2 ** b)``."""
    return _float_op("logaddexp2", input_tensor_a, input_tensor_b, golden(ttnn.logaddexp2), "LOGADDEXP2",
                     dtype=dtype, memory_config=memory_config, output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def logaddexp2_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
                input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
                sub_device_id: Any = None) -> Tensor:
    """In place: ``a = log2(2 ** a + 2 ** b)``."""
    return in_place("logaddexp2_", input_a, input_b, golden(ttnn.logaddexp2), Rule("LOGADDEXP2"), activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def xlogy(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
          output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
          input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """``a * log(b)``, and 0 where ``a == 0``."""
    return _float_op("xlogy", input_tensor_a, input_tensor_b, golden(ttnn.xlogy), "XLOGY", dtype=dtype,
                     memory_config=memory_config, output_tensor=output_tensor, activations=activations)


def _gelu_of_sum(fast: bool) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """GELU of ``a + b``; fast GELU modelled as everywhere in the emulator (``numerics``): the tanh form."""
    gelu = golden(ttnn.gelu)
    return lambda x, y: gelu(golden(ttnn.add)(x, y), variant=ttnn.GeluVariant.Tanh if fast else None)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def bias_gelu(input_tensor_a: Tensor, input_tensor_b: Any, *, fast_and_approximate_mode: bool = False,
              dtype: Any = None, memory_config: Any = None, output_tensor: Any = None, activations: Any = None,
              input_tensor_a_activations: Any = None, input_tensor_b_activations: Any = None,
              sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """``gelu(a + b)``."""
    return _float_op("bias_gelu", input_tensor_a, input_tensor_b, _gelu_of_sum(fast_and_approximate_mode),
                     "BIAS_GELU", dtype=dtype, memory_config=memory_config, output_tensor=output_tensor,
                     activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def bias_gelu_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
               input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
               sub_device_id: Any = None) -> Tensor:
    """In place: ``a = gelu(a + b)``."""
    return in_place("bias_gelu_", input_a, input_b, _gelu_of_sum(False), Rule("BIAS_GELU"), activations)


@op(family="binary", group="eltwise")
def atan2(input_tensor_a: Tensor, input_tensor_b: Tensor, *, memory_config: Any = None) -> Tensor:
    """The angle of the point ``(b, a)``: ``a`` is the y-coordinate, ``b`` the x-coordinate."""
    _tensors("atan2", input_tensor_a, input_tensor_b)
    return _float_op("atan2", input_tensor_a, input_tensor_b, golden(ttnn.atan2), "ATAN2",
                     memory_config=memory_config)


@op(family="binary", group="eltwise")
def hypot(input_tensor_a: Tensor, input_tensor_b: Tensor, *, memory_config: Any = None) -> Tensor:
    """``sqrt(a ** 2 + b ** 2)``."""
    _tensors("hypot", input_tensor_a, input_tensor_b)
    return _float_op("hypot", input_tensor_a, input_tensor_b, golden(ttnn.hypot), "HYPOT", memory_config=memory_config)


@op(family="binary", group="eltwise")
def nextafter(input_tensor_a: Tensor, input_tensor_b: Tensor, *, memory_config: Any = None) -> Tensor:
    """The next value after ``a`` toward ``b`` in the output dtype's own spacing."""
    _tensors("nextafter", input_tensor_a, input_tensor_b)
    a = device_input(input_tensor_a, "A")
    if a.dtype not in (ttnn.bfloat16, ttnn.float32):
        raise RuntimeError(f"ttnn.nextafter supports BFLOAT16 and FLOAT32 only, got dtype {a.dtype}")
    torch_dtype = torch.bfloat16 if a.dtype == ttnn.bfloat16 else torch.float32
    return _float_op("nextafter", a, input_tensor_b,
                     lambda x, y: torch.nextafter(x.to(torch_dtype), y.to(torch_dtype)).to(torch.float32),
                     "NEXTAFTER", memory_config=memory_config)


@op(family="binary", group="eltwise")
def isclose(input_tensor_a: Tensor, input_tensor_b: Tensor, *, rtol: float = 9.999999747378752e-06,
            atol: float = 9.99999993922529e-09, equal_nan: bool = False, memory_config: Any = None) -> Tensor:
    """1 where ``|a - b| <= atol + rtol * |b|``, else 0."""
    _tensors("isclose", input_tensor_a, input_tensor_b)
    return binary("isclose", input_tensor_a, input_tensor_b,
                  lambda x, y: golden(ttnn.isclose)(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan),
                  Rule("ISCLOSE", (ttnn.int32,)), memory_config=memory_config)


@op(family="binary", group="eltwise", not_computed=OPERAND_ACTIVATIONS)
def gcd(input_tensor_a: Tensor, input_tensor_b: Tensor, *, dtype: Any = None, memory_config: Any = None,
        output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
        input_tensor_b_activations: Any = None) -> Tensor:
    """The greatest common divisor of int32 tensors."""
    _tensors("gcd", input_tensor_a, input_tensor_b)
    return binary("gcd", input_tensor_a, input_tensor_b, golden(ttnn.gcd), Rule("GCD", (ttnn.int32,), floats=False),
                  dtype=dtype, memory_config=memory_config, output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=OPERAND_ACTIVATIONS)
def lcm(input_tensor_a: Tensor, input_tensor_b: Tensor, *, dtype: Any = None, memory_config: Any = None,
        output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
        input_tensor_b_activations: Any = None) -> Tensor:
    """The least common multiple of int32 tensors."""
    _tensors("lcm", input_tensor_a, input_tensor_b)
    return binary("lcm", input_tensor_a, input_tensor_b, golden(ttnn.lcm), Rule("LCM", (ttnn.int32,), floats=False),
                  dtype=dtype, memory_config=memory_config, output_tensor=output_tensor, activations=activations)


# ------------------------------------------------------------------------------------------ comparisons
def _compare(op: str, a: Any, b: Any, kind: str, **kwargs: Any) -> Tensor:
    """1 where the relation holds, else 0, in A's dtype (a card has no boolean dtype); uint8 operands are cast to
    uint16 first, and the result follows, except in place."""
    if isinstance(a, Tensor) and a.dtype == ttnn.uint8 and kwargs.get("output_tensor") is None:
        kwargs["default_dtype"] = ttnn.uint16
    return binary(op, a, b, golden(getattr(ttnn, op.rstrip("_"))),
                  Rule(kind, _RELATIONAL_INTEGERS, mixed_floats=True), **kwargs)


def _compare_in_place(op: str, a: Any, b: Any, kind: str, activations: Any) -> Tensor:
    a = device_input(a, "A")
    return _compare(op, a, b, kind, output_tensor=a, activations=activations)


@op(family="binary", group="eltwise", operators=("__eq__",), not_computed=NOT_COMPUTED)
def eq(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
       output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
       input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """1 where ``a == b``, else 0."""
    return _compare("eq", input_tensor_a, input_tensor_b, "EQ", dtype=dtype, memory_config=memory_config,
                    output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", operators=("__ne__",), not_computed=NOT_COMPUTED)
def ne(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
       output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
       input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """1 where ``a != b``, else 0."""
    return _compare("ne", input_tensor_a, input_tensor_b, "NE", dtype=dtype, memory_config=memory_config,
                    output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", operators=("__lt__",), not_computed=NOT_COMPUTED)
def lt(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
       output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
       input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """1 where ``a < b``, else 0 (``a < b`` on ttnn tensors)."""
    return _compare("lt", input_tensor_a, input_tensor_b, "LT", dtype=dtype, memory_config=memory_config,
                    output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", operators=("__le__",), not_computed=NOT_COMPUTED)
def le(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
       output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
       input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """1 where ``a <= b``, else 0 (``a <= b`` on ttnn tensors)."""
    return _compare("le", input_tensor_a, input_tensor_b, "LE", dtype=dtype, memory_config=memory_config,
                    output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", operators=("__gt__",), not_computed=NOT_COMPUTED)
def gt(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
       output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
       input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """1 where ``a > b``, else 0 (``a > b`` on ttnn tensors)."""
    return _compare("gt", input_tensor_a, input_tensor_b, "GT", dtype=dtype, memory_config=memory_config,
                    output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", operators=("__ge__",), not_computed=NOT_COMPUTED)
def ge(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
       output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
       input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """1 where ``a >= b``, else 0 (``a >= b`` on ttnn tensors)."""
    return _compare("ge", input_tensor_a, input_tensor_b, "GE", dtype=dtype, memory_config=memory_config,
                    output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def eq_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
        input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a = (a == b)`` as 1/0."""
    return _compare_in_place("eq_", input_a, input_b, "EQ", activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def ne_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
        input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a = (a != b)`` as 1/0."""
    return _compare_in_place("ne_", input_a, input_b, "NE", activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def lt_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
        input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a = (a < b)`` as 1/0."""
    return _compare_in_place("lt_", input_a, input_b, "LT", activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def le_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
        input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a = (a <= b)`` as 1/0."""
    return _compare_in_place("le_", input_a, input_b, "LE", activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def gt_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
        input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a = (a > b)`` as 1/0."""
    return _compare_in_place("gt_", input_a, input_b, "GT", activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def ge_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
        input_tensor_b_activations: Any = None, sub_core_grids: Any = None, sub_device_id: Any = None) -> Tensor:
    """In place: ``a = (a >= b)`` as 1/0."""
    return _compare_in_place("ge_", input_a, input_b, "GE", activations)


# ------------------------------------------------------------------------------------------ logical and bitwise
def _logical(op: str, a: Any, b: Any, kind: str, **kwargs: Any) -> Tensor:
    """1 where the relation of ``a != 0`` and ``b != 0`` holds, else 0, in A's dtype."""
    return binary(op, a, b, golden(getattr(ttnn, op.rstrip("_"))),
                  Rule(kind, _ARITHMETIC_INTEGERS, mixed_floats=True), **kwargs)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def logical_and(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
                output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
                input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
                sub_device_id: Any = None) -> Tensor:
    """1 where both ``a`` and ``b`` are non-zero, else 0."""
    return _logical("logical_and", input_tensor_a, input_tensor_b, "LOGICAL_AND", dtype=dtype,
                    memory_config=memory_config, output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def logical_or(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
               output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
               input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
               sub_device_id: Any = None) -> Tensor:
    """1 where ``a`` or ``b`` is non-zero, else 0."""
    return _logical("logical_or", input_tensor_a, input_tensor_b, "LOGICAL_OR", dtype=dtype,
                    memory_config=memory_config, output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def logical_xor(input_tensor_a: Tensor, input_tensor_b: Any, *, dtype: Any = None, memory_config: Any = None,
                output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
                input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
                sub_device_id: Any = None) -> Tensor:
    """1 where exactly one of ``a`` and ``b`` is non-zero, else 0."""
    return _logical("logical_xor", input_tensor_a, input_tensor_b, "LOGICAL_XOR", dtype=dtype,
                    memory_config=memory_config, output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def logical_and_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
                 input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
                 sub_device_id: Any = None) -> Tensor:
    """In place: ``a = a and b`` as 1/0."""
    a = device_input(input_a, "A")
    return _logical("logical_and_", a, input_b, "LOGICAL_AND", output_tensor=a, activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def logical_or_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
                input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
                sub_device_id: Any = None) -> Tensor:
    """In place: ``a = a or b`` as 1/0."""
    a = device_input(input_a, "A")
    return _logical("logical_or_", a, input_b, "LOGICAL_OR", output_tensor=a, activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def logical_xor_(input_a: Tensor, input_b: Any, *, activations: Any = None, input_tensor_a_activations: Any = None,
                 input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
                 sub_device_id: Any = None) -> Tensor:
    """In place: ``a = a xor b`` as 1/0."""
    a = device_input(input_a, "A")
    return _logical("logical_xor_", a, input_b, "LOGICAL_XOR", output_tensor=a, activations=activations)


def _bitwise(op: str, a: Any, b: Any, kind: str, memory_config: Any, output_tensor: Any, activations: Any) -> Tensor:
    """A bitwise op on integer tensors (and integer scalars), wrapping to the dtype's width."""
    if isinstance(b, float):
        raise TypeError(f"ttnn.{op} takes an integer scalar (got {b!r})")
    return binary(op, a, b, golden(getattr(ttnn, op)), Rule(kind, BITWISE, floats=False),
                  memory_config=memory_config, output_tensor=output_tensor, activations=activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def bitwise_and(input_tensor_a: Tensor, input_tensor_b: Any, *, memory_config: Any = None, output_tensor: Any = None,
                activations: Any = None, input_tensor_a_activations: Any = None,
                input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
                sub_device_id: Any = None) -> Tensor:
    """``a & b`` on integer tensors."""
    return _bitwise("bitwise_and", input_tensor_a, input_tensor_b, "BITWISE_AND", memory_config, output_tensor,
                    activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def bitwise_or(input_tensor_a: Tensor, input_tensor_b: Any, *, memory_config: Any = None, output_tensor: Any = None,
               activations: Any = None, input_tensor_a_activations: Any = None,
               input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
               sub_device_id: Any = None) -> Tensor:
    """``a | b`` on integer tensors."""
    return _bitwise("bitwise_or", input_tensor_a, input_tensor_b, "BITWISE_OR", memory_config, output_tensor,
                    activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def bitwise_xor(input_tensor_a: Tensor, input_tensor_b: Any, *, memory_config: Any = None, output_tensor: Any = None,
                activations: Any = None, input_tensor_a_activations: Any = None,
                input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
                sub_device_id: Any = None) -> Tensor:
    """``a ^ b`` on integer tensors."""
    return _bitwise("bitwise_xor", input_tensor_a, input_tensor_b, "BITWISE_XOR", memory_config, output_tensor,
                    activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def bitwise_left_shift(input_tensor_a: Tensor, input_tensor_b: Any, *, memory_config: Any = None,
                       output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
                       input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
                       sub_device_id: Any = None) -> Tensor:
    """``a << b`` on integer tensors (bits shifted out of the dtype's width are lost)."""
    return _bitwise("bitwise_left_shift", input_tensor_a, input_tensor_b, "LEFT_SHIFT", memory_config, output_tensor,
                    activations)


@op(family="binary", group="eltwise", not_computed=NOT_COMPUTED)
def bitwise_right_shift(input_tensor_a: Tensor, input_tensor_b: Any, *, memory_config: Any = None,
                        output_tensor: Any = None, activations: Any = None, input_tensor_a_activations: Any = None,
                        input_tensor_b_activations: Any = None, sub_core_grids: Any = None,
                        sub_device_id: Any = None) -> Tensor:
    """``a >> b`` on integer tensors (arithmetic for int32)."""
    return _bitwise("bitwise_right_shift", input_tensor_a, input_tensor_b, "RIGHT_SHIFT", memory_config,
                    output_tensor, activations)


# ------------------------------------------------------------------------------------------ where and prelu
def _where_operand(value: Any, name: str) -> Any:
    if isinstance(value, Tensor):
        return device_input(value, name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise TypeError(f"ttnn.where: {name} must be a ttnn.Tensor or a number (got {type(value).__name__})")


@op(family="binary", group="eltwise", not_computed=("sub_core_grids",))
def where(predicate: Tensor, true_value: Any, false_value: Any, *, memory_config: Any = None,
          output_tensor: Any = None, sub_core_grids: Any = None) -> Tensor:
    """``true_value`` where ``predicate`` is non-zero, else ``false_value`` (tensors that broadcast, or numbers).

    The result takes the dtype of ``true_value`` if it is a tensor, else of ``false_value``, else of
    ``predicate``."""
    condition = device_input(predicate, "predicate")
    values = [_where_operand(true_value, "true_value"), _where_operand(false_value, "false_value")]
    tensors = [condition, *(v for v in values if isinstance(v, Tensor))]
    for t in tensors:
        if t.dtype not in FLOATS and t.dtype not in (ttnn.int32, ttnn.uint32):
            raise RuntimeError(f"ttnn.where does not support dtype {t.dtype}")
    if any(t.on_device is not condition.on_device for t in tensors):
        raise RuntimeError("ttnn.where: all operands need to be on the same device")
    shape = broadcast("where", *(t.logical_shape for t in tensors))
    out_dtype = next((v.dtype for v in values if isinstance(v, Tensor)), condition.dtype)
    if output_tensor is not None:
        out_dtype = device_input(output_tensor, "output_tensor").dtype
    check_stored(out_dtype, "where")
    config = output_memory(memory_config, tensors)
    _check_sharded_broadcast("where", shape, tensors, config)

    def compute() -> torch.Tensor:
        picked = [v.values if isinstance(v, Tensor) else torch.tensor(v, dtype=torch.float32) for v in values]
        if out_dtype in INTEGERS:
            picked = [p.to(torch.int64) for p in picked]
        return as_result(golden(ttnn.where)(condition.values, *picked), out_dtype)

    has_values = all(t.stored is not None for t in tensors)
    return emit("where", tensors, shape, out_dtype, condition.layout, config, condition.on_device,
                compute if has_values else None, flops=math.prod(shape), output_tensor=output_tensor)


def _slopes(weight: Any, x: Tensor) -> Tensor | float:
    """prelu's weight: one number, or a device tensor of one value or one per channel (dim 1 of ``x``)."""
    if isinstance(weight, list | tuple):
        if len(weight) != 1:
            raise RuntimeError(f"ttnn.prelu: a weight list has exactly one value (got {len(weight)})")
        weight = weight[0]
    if isinstance(weight, int | float) and not isinstance(weight, bool):
        return float(weight)
    if not isinstance(weight, Tensor):
        raise TypeError(f"ttnn.prelu: weight must be a number, a one-element list or a ttnn.Tensor "
                        f"(got {type(weight).__name__})")
    w = device_input(weight, "weight")
    channels = x.logical_shape[1] if len(x.logical_shape) > 1 else 1
    if math.prod(w.logical_shape) not in (1, channels):
        raise RuntimeError(f"ttnn.prelu: the weight tensor has {math.prod(w.logical_shape)} values: it needs 1 or "
                           f"one per channel ({channels}, dim 1 of the input)")
    return w


@op(family="binary", group="eltwise")
def prelu(input_tensor_a: Tensor, weight: Any, *, memory_config: Any = None) -> Tensor:
    """``x`` where ``x >= 0``, else ``weight * x``: one weight (a number, a one-element list or tensor), or a 1-D
    tensor with one weight per channel (dim 1 of ``x``)."""
    x = device_input(input_tensor_a)
    if x.dtype not in FLOATS:
        raise RuntimeError(f"ttnn.prelu supports float dtypes only, got {x.dtype}")
    slopes = _slopes(weight, x)

    def compute() -> torch.Tensor:
        w = slopes.values.reshape(-1) if isinstance(slopes, Tensor) else torch.tensor([slopes])
        return golden(ttnn.prelu)(wide(x.values), wide(w))

    inputs = [x, slopes] if isinstance(slopes, Tensor) else [x]
    return emit("prelu", inputs, x.logical_shape, x.dtype, x.layout, output_memory(memory_config, [x]),
                x.on_device, None if x.stored is None else compute, flops=math.prod(x.logical_shape))
