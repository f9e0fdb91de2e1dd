"""Reductions: sum, mean, max/min, std/var, prod, argmax, topk, cumsum/cumprod.

Semantics are tt-metal's (``ttnn/cpp/ttnn/operations/reduction``, and real ttnn 0.81.1's docstrings):

- ``dim`` is an int, a list or tuple, or None / ``[]`` for every dim; a negative dim counts from the end (tt-metal's
  ``generate_reduce_dim``); ``keepdim`` defaults to False, as in torch. Only logical values are reduced: tt-metal
  fills a TILE tensor's padding with the op's neutral value first, and the emulator stores no padding at all.
- results are TILE, except sum and mean of a 4-D ROW_MAJOR bfloat16/float32 interleaved tensor over dim -1 or
  -2, which stay ROW_MAJOR; ``output_layout=`` asks for either. argmax returns uint32 ROW_MAJOR indices; topk
  returns TILE values and uint16 (or uint32) indices.

Numerics of sum, mean, max and min (the emulator's model of a card's reduce kernels, ``generic_reductions.cpp``):

- defaults without a ``compute_kernel_config``: float32 accumulation (``fp32_dest_acc_en``), HiFi3 on Wormhole
  (tt-metal avoids HiFi4 with fp32 accumulation there, hardware bug #38306) and HiFi4 elsewhere, approx off.
- a reduction runs as passes of the reduce kernel, as tt-metal decomposes it: bfloat16/bfloat8_b sums first
  reduce the batch dims together (``fast_reduce_nc``), then W and H; other reductions reduce one dim at a time,
  the last first; a dim pair (-2, -1) runs W then H. Each pass accumulates in the destination register: in
  float32 with ``fp32_dest_acc_en``, else in bfloat16, the running sum rounded after each tile of 32. Each pass packs its result to the output dtype, except
  where tt-metal keeps float32 between passes: a multi-dim bfloat16 sum (its "precision chain") and the W pass
  of a bfloat16 (-2, -1) sum with float32 accumulation.
- sum and mean multiply each value by a scaler on the matrix engine: the value (srcA) times the scaler rounded to
  bfloat16 (srcB), at the config's math fidelity (``numerics.fidelity_operands``): ``scalar`` for sum,
  ``scalar / N`` for mean (its bfloat16 rounding is a card's, e.g. 1/3 becomes 0.333984375). A float32 input on the
  accurate SFPU path (``fast_and_approximate_mode=False`` with ``fp32_dest_acc_en``) is summed exactly in float32
  and the scaler applied after; on the FPU path (``fast_and_approximate_mode=True`` or no fp32 accumulation) its
  values enter the matrix engine as TF32 (10 mantissa bits, truncated), as the docstring says.
- max and min select exactly (float32 inputs truncated to TF32 on the FPU path); ``scalar`` multiplies the
  result afterwards in float32 (``max(s * x)``: a negative scalar takes ``s * min(x)``, as tt-metal does).
- integer sums are exact and wrap at 32 bits; a non-unit scalar multiplies them in float32.
- std and var run tt-metal's Welford kernel with float32 accumulation, which the emulator takes as exact: the
  result is the float64 statistic of the stored values, then ``|scalar|`` (std) or ``scalar**2`` (var), rounded
  to the output dtype.
- prod, argmax, topk: exact on the stored values, rounded to the output dtype. cumsum and cumprod keep their
  running value in the output dtype, as tt-metal's accumulation kernel does (its accumulator buffer has the output's
  format; fp32 accumulation only for float32 and integer outputs): each step rounds to bfloat16 for a bfloat16
  result; a float32 cumsum is compensated (Kahan, modelled as exact) unless ``disable_compensated_sum``.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
import ttnn

from bertlib.emulator import sharding
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import (
    BLOCK_FLOAT,
    TILE,
    Numerics,
    fidelity_operands,
    quantize,
    round_bf16,
    truncate_mantissa,
)
from bertlib.emulator.op_registry import op
from bertlib.emulator.ops.common import device_input, emit, golden, output_config
from bertlib.emulator.tensor import Tensor, padded

INTEGER = (ttnn.int32, ttnn.uint32)
_FLOATS = (ttnn.bfloat16, ttnn.float32, ttnn.bfloat8_b)
_INDEX_DTYPES = (ttnn.uint16, ttnn.uint32, ttnn.int32)
_TF32_BITS = 11  # TF32 keeps 10 mantissa bits and the hidden bit


# ------------------------------------------------------------------------------------------------ shared checks
def reduce_dims(shape: tuple[int, ...], dim: Any) -> tuple[int, ...]:
    """The dims ``dim`` names, non-negative and sorted (None or [] is every dim), as tt-metal's
    ``generate_reduce_dim`` reads them; a rank-0 tensor takes dim 0 or -1 and has none."""
    rank = len(shape)
    if dim is None or (isinstance(dim, Sequence) and len(dim) == 0):
        return tuple(range(rank))
    dims = [dim] if not isinstance(dim, Sequence) else list(dim)
    out = []
    for i, d in enumerate(dims):
        if not hasattr(d, "__index__"):
            raise TypeError(f"dim must hold ints (got {type(d).__name__} at index {i})")
        wrapped = int(d) + rank if int(d) < 0 else int(d)
        if rank == 0 and int(d) in (0, -1):
            continue
        if not 0 <= wrapped < rank:
            raise RuntimeError(f"Unsupported dim {wrapped} at index {i}. After possible adjustment, needs to be at "
                               f"least 0 and less than rank {rank}")
        out.append(wrapped)
    return tuple(sorted(set(out)))


def reduced_shape(shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool) -> tuple[int, ...]:
    """``shape`` with ``dims`` reduced: kept as 1 with ``keepdim``, else dropped."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape) if keepdim or i not in dims)


def interleaved_output(x: Tensor, memory_config: Any, op_name: str) -> Any:
    """The output memory config; sharded tensors are refused (the emulator does not derive the output's shards)."""
    config = output_config(memory_config, x.mem_config)
    if sharding.is_sharded(x.mem_config) or sharding.is_sharded(config):
        raise UnsupportedTTNNOp(f"ttnn.{op_name} of or into a sharded tensor is not emulated: use an interleaved "
                                "memory config (ttnn.DRAM_MEMORY_CONFIG or ttnn.L1_MEMORY_CONFIG)")
    return config


def _dtype_name(dtype: Any) -> str:
    return f"DataType.{str(dtype).split('.')[-1].upper()}"


def _wrap_integers(values: torch.Tensor, dtype: Any) -> torch.Tensor:
    """Integer results as a card's 32-bit registers hold them (two's complement wrap-around)."""
    values = values.to(torch.int64) % 2**32
    return values if dtype == ttnn.uint32 else torch.where(values >= 2**31, values - 2**32, values)


# ---------------------------------------------------------------------------------- sum, mean, max, min (generic)
def reduce_numerics(config: Any, device: Any) -> Numerics:
    """A reduction's compute-kernel config, or tt-metal's defaults (module docstring)."""
    wormhole = device is not None and device.arch() == ttnn.device.Arch.WORMHOLE_B0
    return Numerics.resolve(config, fidelity="HiFi3" if wormhole else "HiFi4", approx=False, fp32=True)


def _passes(kind: str, dtype: Any, dims: tuple[int, ...], rank: int, scalar: float,
            fp32_acc: bool) -> list[tuple[tuple[int, ...], bool]]:
    """The reduce kernel's passes for sum/mean/max/min: (dims of the pass, whether it packs float32), in order."""
    hw = tuple(d for d in dims if d >= rank - 2)
    nc = tuple(d for d in dims if d < rank - 2)
    chain = kind == "sum" and dtype == ttnn.bfloat16 and 1 < len(dims) < rank
    passes: list[tuple[tuple[int, ...], bool]] = []
    if kind == "sum" and dtype in (ttnn.bfloat16, ttnn.bfloat8_b) and scalar == 1.0 and nc:
        passes.append((nc, chain and bool(hw)))  # fast_reduce_nc over every batch dim at once
        dims = hw
    if not dims:
        return passes
    if dims == (rank - 2, rank - 1) and rank >= 2:  # one HW reduce: W, then H
        keep_w = kind == "sum" and dtype == ttnn.bfloat16 and fp32_acc
        return [*passes, ((rank - 1,), keep_w or chain), ((rank - 2,), False)]
    if len(dims) == 1:
        return [*passes, (dims, False)]
    ordered = sorted(dims, reverse=True)
    return [*passes, *(((d,), chain and d != ordered[-1]) for d in ordered)]


def bf16_dest_sum(values: torch.Tensor, axis: int) -> torch.Tensor:
    """The sum along ``axis`` in a bfloat16 destination register: rounded after each tile of 32 values."""
    total = None
    for start in range(0, values.shape[axis], TILE):
        part = values.narrow(axis, start, builtins.min(TILE, values.shape[axis] - start)).sum(axis, keepdim=True)
        total = round_bf16(part if total is None else total + part)
    return total if total is not None else values.sum(axis, keepdim=True)


def _scaled(values: torch.Tensor, scaler: float, fidelity: str) -> torch.Tensor:
    """``values`` (srcA) times the bfloat16 scaler (srcB) as the matrix engine multiplies them at ``fidelity``."""
    scale = torch.full((1,) * values.dim(), scaler, dtype=torch.float32).to(torch.bfloat16)  # broadcast, not copied
    out = None
    for p, q in fidelity_operands(scale, values.contiguous(), fidelity):
        out = p * q if out is None else out + p * q
    return out


def _pass(values: torch.Tensor, axes: tuple[int, ...], *, in_fp32: bool, accurate: bool, numerics: Numerics,
          scaler: float | None) -> torch.Tensor:
    """One pass of the sum kernel over ``axes`` (dims kept), on values already stored as the pass's input."""
    exact_fp32 = in_fp32 and accurate
    if in_fp32 and not accurate:
        values = truncate_mantissa(values.contiguous(), _TF32_BITS)
    if scaler is not None and not exact_fp32:
        values = _scaled(values, scaler, numerics.math_fidelity)
    for axis in sorted(axes, reverse=True):
        values = values.sum(axis, keepdim=True) if numerics.fp32_dest_acc_en else bf16_dest_sum(values, axis)
    if scaler is not None and exact_fp32:
        values = values * scaler
    return values


def _summed(x: Tensor, dims: tuple[int, ...], kind: str, scalar: float, numerics: Numerics,
            fast_and_approximate_mode: bool) -> torch.Tensor:
    """sum / mean of ``x`` over ``dims`` (dims kept), pass by pass (module docstring)."""
    values, rank = x.values, len(x.logical_shape)
    volume = math.prod(x.logical_shape[d] for d in dims)
    if volume == 0:  # an empty reduction: 0 for sum, NaN for mean (tt-metal's zero_volume_reduce, as torch)
        return values.sum(dims, keepdim=True) * (math.nan if kind == "mean" else scalar)
    scaler = scalar / volume if kind == "mean" else scalar
    accurate = numerics.fp32_dest_acc_en and not fast_and_approximate_mode
    passes = _passes(kind, x.dtype, dims, rank, scalar, numerics.fp32_dest_acc_en)
    hw_pair = len(passes) >= 2 and passes[-2][0] == (rank - 1,) and passes[-1][0] == (rank - 2,)
    scaled_at = len(passes) - 1 if hw_pair and len(dims) == 2 else 0
    in_fp32 = x.dtype == ttnn.float32
    for i, (axes, packs_fp32) in enumerate(passes):
        last = i == len(passes) - 1
        values = _pass(values, axes, in_fp32=in_fp32, accurate=accurate, numerics=numerics,
                       scaler=scaler if i == scaled_at and scaler != 1.0 else None)
        if not last:
            values = quantize(values, ttnn.float32 if packs_fp32 else x.dtype)
            in_fp32 = packs_fp32 or x.dtype == ttnn.float32
    return values


def _integer_reduced(x: Tensor, dims: tuple[int, ...], kind: str, scalar: float) -> torch.Tensor:
    values = x.values
    for axis in sorted(dims, reverse=True):
        values = {"sum": torch.sum, "max": torch.amax, "min": torch.amin}[kind](values, axis, keepdim=True)
    values = _wrap_integers(values, x.dtype)
    if scalar != 1.0:
        values = _wrap_integers((values.to(torch.float32) * scalar).to(torch.int64), x.dtype)
    return values


def _selected(x: Tensor, dims: tuple[int, ...], kind: str, scalar: float, numerics: Numerics,
              fast_and_approximate_mode: bool) -> torch.Tensor:
    """max / min over ``dims`` (dims kept): exact selection, then ``scalar`` times it in float32."""
    values = x.values
    if x.dtype == ttnn.float32 and (fast_and_approximate_mode or not numerics.fp32_dest_acc_en):
        values = truncate_mantissa(values.contiguous(), _TF32_BITS)
    pick_max = (kind == "max") == (scalar >= 0)
    if dims:
        values = torch.amax(values, dims, keepdim=True) if pick_max else torch.amin(values, dims, keepdim=True)
    return values * scalar if scalar != 1.0 else values


def _check_generic(op_name: str, x: Tensor, kind: str) -> None:
    if x.dtype == ttnn.bfloat4_b or x.dtype not in (*_FLOATS, *INTEGER):
        raise RuntimeError(f"ttnn.{op_name}: Only FLOAT32, BFLOAT16, BFLOAT8_B, INT32 and UINT32 are supported for "
                           f"generic reduction - got {_dtype_name(x.dtype)}")
    if x.dtype in INTEGER and kind == "mean":
        raise RuntimeError(f"ttnn.mean does not support integer inputs - got {_dtype_name(x.dtype)}.")
    if x.dtype in INTEGER and x.layout != ttnn.TILE_LAYOUT:
        raise RuntimeError(f"ttnn.{op_name}: INT32/UINT32 inputs must be in TILE layout: convert with "
                           "ttnn.to_layout(tensor, ttnn.TILE_LAYOUT)")


def _generic_layout(kind: str, x: Tensor, dims: tuple[int, ...], config: Any, output_layout: Any) -> Any:
    """TILE, except a 4-D ROW_MAJOR float sum/mean over dim -1 or -2 (real ttnn 0.81.1's docstring); or as asked."""
    rank = len(x.logical_shape)
    rows = (kind in ("sum", "mean") and rank == 4 and x.layout == ttnn.ROW_MAJOR_LAYOUT
            and x.dtype in (ttnn.bfloat16, ttnn.float32) and dims in ((3,), (2,)) and not sharding.is_sharded(config))
    layout = ttnn.ROW_MAJOR_LAYOUT if rows else ttnn.TILE_LAYOUT
    if output_layout is None:
        return layout
    if output_layout == ttnn.ROW_MAJOR_LAYOUT and x.dtype in BLOCK_FLOAT:
        raise RuntimeError(f"output_layout=ROW_MAJOR is not supported for a {_dtype_name(x.dtype)} result: "
                           "block-float formats only exist in TILE layout, so honoring the request would silently "
                           "widen the dtype to BFLOAT16. Reduce to TILE and typecast explicitly if a row-major "
                           "result is needed.")
    return output_layout


def _generic(kind: str, input_tensor: Tensor, dim: Any, keepdim: bool, *, memory_config: Any,
             compute_kernel_config: Any, scalar: float, fast_and_approximate_mode: bool,
             output_layout: Any = None) -> Tensor:
    x = device_input(input_tensor)
    _check_generic(kind, x, kind)
    dims = reduce_dims(x.logical_shape, dim)
    config = interleaved_output(x, memory_config, kind)
    if kind in ("max", "min"):
        for d in dims:
            if x.logical_shape[d] == 0:
                raise RuntimeError(f"Expected reduction dim {d} to have non-zero size")
    numerics = reduce_numerics(compute_kernel_config, x.on_device)
    shape = reduced_shape(x.logical_shape, dims, keepdim)
    layout = _generic_layout(kind, x, dims, config, output_layout)

    def compute() -> torch.Tensor:
        if not x.logical_shape:  # a rank-0 tensor: tt-metal returns a copy
            return x.values.clone()
        if x.dtype in INTEGER:
            return _integer_reduced(x, dims, kind, scalar)
        if kind in ("max", "min"):
            return _selected(x, dims, kind, scalar, numerics, fast_and_approximate_mode)
        return _summed(x, dims, kind, scalar, numerics, fast_and_approximate_mode)

    return emit(kind, [x], shape, x.dtype, layout, config, x.on_device, None if x.stored is None else compute,
                flops=math.prod(x.logical_shape), numerics=numerics)


def _deprecated_correction(correction: bool | None) -> None:
    """sum/mean/max/min's ``correction`` is deprecated and has no effect on a card's result (0.81.1 docstring)."""
    if correction is not None and not isinstance(correction, bool):
        raise TypeError(f"correction must be a bool or None (got {type(correction).__name__})")


@op(family="reduction", group="reduction", not_computed=("sub_core_grids",))
def sum(  # noqa: A001 - ttnn's name
    input_tensor: Tensor,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    memory_config: Any = None,
    compute_kernel_config: Any = None,
    scalar: float = 1.0,
    correction: bool | None = None,
    sub_core_grids: Any = None,
    fast_and_approximate_mode: bool = False,
    output_layout: Any = None,
) -> Tensor:
    """``scalar * x`` summed over ``dim`` (every dim if None)."""
    _deprecated_correction(correction)
    return _generic("sum", input_tensor, dim, keepdim, memory_config=memory_config,
                    compute_kernel_config=compute_kernel_config, scalar=scalar,
                    fast_and_approximate_mode=fast_and_approximate_mode, output_layout=output_layout)


@op(family="reduction", group="reduction", not_computed=("sub_core_grids",))
def mean(
    input_tensor: Tensor,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    memory_config: Any = None,
    compute_kernel_config: Any = None,
    scalar: float = 1.0,
    correction: bool | None = None,
    sub_core_grids: Any = None,
    fast_and_approximate_mode: bool = False,
    output_layout: Any = None,
) -> Tensor:
    """The mean of ``scalar * x`` over ``dim`` (every dim if None)."""
    _deprecated_correction(correction)
    return _generic("mean", input_tensor, dim, keepdim, memory_config=memory_config,
                    compute_kernel_config=compute_kernel_config, scalar=scalar,
                    fast_and_approximate_mode=fast_and_approximate_mode, output_layout=output_layout)


@op(family="reduction", group="reduction", not_computed=("sub_core_grids",))
def max(  # noqa: A001 - ttnn's name
    input_tensor: Tensor,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    memory_config: Any = None,
    compute_kernel_config: Any = None,
    scalar: float = 1.0,
    correction: bool | None = None,
    sub_core_grids: Any = None,
    fast_and_approximate_mode: bool = False,
) -> Tensor:
    """The largest value of ``scalar * x`` over ``dim`` (every dim if None)."""
    _deprecated_correction(correction)
    return _generic("max", input_tensor, dim, keepdim, memory_config=memory_config,
                    compute_kernel_config=compute_kernel_config, scalar=scalar,
                    fast_and_approximate_mode=fast_and_approximate_mode)


@op(family="reduction", group="reduction", not_computed=("sub_core_grids",))
def min(  # noqa: A001 - ttnn's name
    input_tensor: Tensor,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    memory_config: Any = None,
    compute_kernel_config: Any = None,
    scalar: float = 1.0,
    correction: bool | None = None,
    sub_core_grids: Any = None,
    fast_and_approximate_mode: bool = False,
) -> Tensor:
    """The smallest value of ``scalar * x`` over ``dim`` (every dim if None)."""
    _deprecated_correction(correction)
    return _generic("min", input_tensor, dim, keepdim, memory_config=memory_config,
                    compute_kernel_config=compute_kernel_config, scalar=scalar,
                    fast_and_approximate_mode=fast_and_approximate_mode)


# --------------------------------------------------------------------------------------------------- std, var
def _statistic(kind: str, input_tensor: Tensor, dim: Any, keepdim: bool, *, memory_config: Any,
               compute_kernel_config: Any, scalar: float, correction: bool) -> Tensor:
    x = device_input(input_tensor)
    if x.dtype not in _FLOATS:
        raise RuntimeError(f"ttnn.{kind} supports FLOAT32, BFLOAT16 and BFLOAT8_B inputs - got {_dtype_name(x.dtype)}")
    dims = reduce_dims(x.logical_shape, dim)
    config = interleaved_output(x, memory_config, kind)
    numerics = reduce_numerics(compute_kernel_config, x.on_device)
    shape = reduced_shape(x.logical_shape, dims, keepdim)
    volume = math.prod(x.logical_shape[d] for d in dims) if x.logical_shape else 1

    def compute() -> torch.Tensor:
        if volume == 1:  # tt-metal fills the result: NaN with Bessel's correction, else 0
            return torch.full(shape, math.nan if correction else 0.0)
        values = golden(getattr(ttnn, kind))(x.values.to(torch.float64), dim=dims, keepdim=True,
                                             correction=int(correction))
        return values * (abs(scalar) if kind == "std" else scalar * scalar)

    return emit(kind, [x], shape, x.dtype, ttnn.TILE_LAYOUT, config, x.on_device,
                None if x.stored is None else compute, flops=3 * math.prod(x.logical_shape), numerics=numerics)


@op(family="reduction", group="reduction", not_computed=("sub_core_grids",))
def std(
    input_tensor: Tensor,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    memory_config: Any = None,
    compute_kernel_config: Any = None,
    scalar: float = 1.0,
    correction: bool = True,
    sub_core_grids: Any = None,
) -> Tensor:
    """The standard deviation of ``scalar * x`` over ``dim`` (N - 1 in the divisor with ``correction``)."""
    return _statistic("std", input_tensor, dim, keepdim, memory_config=memory_config,
                      compute_kernel_config=compute_kernel_config, scalar=scalar, correction=correction)


@op(family="reduction", group="reduction", not_computed=("sub_core_grids",))
def var(
    input_tensor: Tensor,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    memory_config: Any = None,
    compute_kernel_config: Any = None,
    scalar: float = 1.0,
    correction: bool = True,
    sub_core_grids: Any = None,
) -> Tensor:
    """The variance of ``scalar * x`` over ``dim`` (N - 1 in the divisor with ``correction``)."""
    return _statistic("var", input_tensor, dim, keepdim, memory_config=memory_config,
                      compute_kernel_config=compute_kernel_config, scalar=scalar, correction=correction)


# ------------------------------------------------------------------------------------------------------- prod
@op(family="reduction", group="reduction")
def prod(
    input_tensor: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    dims: Sequence[int] | None = None,
    memory_config: Any = None,
    output_tensor: Tensor | None = None,
) -> Tensor:
    """The product over ``dim`` (every element if None); or, as ``ttnn.prod(x, output_tensor, dims=[0, 1])``, over
    the batch dims ``dims`` into ``output_tensor`` (those dims kept as 1)."""
    if isinstance(dim, Tensor):  # the NC overload: prod(input_tensor, output_tensor, *, dims)
        dim, output_tensor = None, dim
    x = device_input(input_tensor)
    if x.dtype not in (ttnn.bfloat16, ttnn.float32, *BLOCK_FLOAT):
        raise RuntimeError(f"ttnn.prod supports BFLOAT16, FLOAT32, BFLOAT8_B and BFLOAT4_B - got {_dtype_name(x.dtype)}")
    config = interleaved_output(x, memory_config, "prod")
    rank = len(x.logical_shape)
    if dims is not None:
        if dim is not None or output_tensor is None:
            raise RuntimeError("ttnn.prod(..., dims=) is the NC version: it takes an output_tensor and no dim")
        reduced, keep = reduce_dims(x.logical_shape, list(dims)), True
    elif dim is None:
        if keepdim:
            raise RuntimeError("ttnn.prod: keepdim=True is not supported for a full product (dim=None)")
        reduced, keep = tuple(range(rank)), False
    else:
        if x.dtype == ttnn.bfloat4_b:
            raise RuntimeError("ttnn.prod: dim-based reductions do not support BFLOAT4_B")
        reduced, keep = reduce_dims(x.logical_shape, dim), keepdim
    shape = reduced_shape(x.logical_shape, reduced, keep)

    def compute() -> torch.Tensor:
        values = x.values.to(torch.float64)
        for axis in sorted(reduced, reverse=True):
            values = values.prod(axis, keepdim=True)
        return values.to(torch.float32)

    return emit("prod", [x], shape, x.dtype, ttnn.TILE_LAYOUT, config, x.on_device,
                None if x.stored is None else compute, flops=math.prod(x.logical_shape), output_tensor=output_tensor)


# ----------------------------------------------------------------------------------------------------- argmax
def _check_argmax(x: Tensor, dim: int | None) -> None:
    rank = len(x.logical_shape)
    row_major = x.layout == ttnn.ROW_MAJOR_LAYOUT
    floats = x.dtype in (ttnn.bfloat16, ttnn.float32)
    if dim is None:
        if not row_major:
            raise RuntimeError("ttnn.argmax over every element (dim=None) needs a ROW_MAJOR input")
        if not floats and x.dtype not in (*INTEGER, ttnn.uint16):
            raise RuntimeError(f"ttnn.argmax(dim=None) supports BFLOAT16/FLOAT32/INT32/UINT32/UINT16 - got "
                               f"{_dtype_name(x.dtype)}")
        return
    if dim == rank - 1 and row_major:
        if not floats and x.dtype not in (*INTEGER, ttnn.uint16):
            raise RuntimeError(f"ttnn.argmax supports BFLOAT16/FLOAT32/INT32/UINT32/UINT16 - got {_dtype_name(x.dtype)}")
    elif not floats:
        raise RuntimeError(f"ttnn.argmax over dim {dim} of a {'ROW_MAJOR' if row_major else 'TILE'} input supports "
                           f"BFLOAT16/FLOAT32 only - got {_dtype_name(x.dtype)}")


@op(family="reduction", group="reduction", not_computed=("sub_core_grids", "enable_secondary_dm"))
def argmax(
    input_tensor: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    sub_core_grids: Any = None,
    memory_config: Any = None,
    output_tensor: Tensor | None = None,
    enable_secondary_dm: bool | None = None,
) -> Tensor:
    """The uint32 index of the largest value along ``dim`` (of the flattened tensor if None; the first of ties)."""
    x = device_input(input_tensor)
    config = interleaved_output(x, memory_config, "argmax")
    rank = len(x.logical_shape)
    axis = None if dim is None else (reduce_dims(x.logical_shape, dim) or (0,))[0]
    _check_argmax(x, axis)
    empty = math.prod(x.logical_shape) == 0 if axis is None else rank and x.logical_shape[axis] == 0
    if empty:
        raise RuntimeError("ttnn.argmax: Expected reduction dim to have non-zero size (argmax of an empty tensor)")
    if output_tensor is not None and (output_tensor.dtype != ttnn.uint32 or output_tensor.layout != ttnn.ROW_MAJOR_LAYOUT
                                      or sharding.is_sharded(output_tensor.mem_config)):
        raise RuntimeError("ttnn.argmax: the preallocated output must be UINT32, ROW_MAJOR and INTERLEAVED")
    if axis is None:
        shape = (1,) * rank if keepdim else ()
    else:
        shape = reduced_shape(x.logical_shape, (axis,), keepdim) if rank else ()

    def compute() -> torch.Tensor:
        return golden(ttnn.argmax)(x.values, dim=None if axis is None or not rank else axis, keepdim=keepdim)

    return emit("argmax", [x], shape, ttnn.uint32, ttnn.ROW_MAJOR_LAYOUT, config, x.on_device,
                None if x.stored is None else compute, flops=math.prod(x.logical_shape), output_tensor=output_tensor)


# ------------------------------------------------------------------------------------------------------- topk
def _index_dtype(x: Tensor, axis: int, indices: Tensor | None, prealloc: Tensor | None) -> Any:
    """uint16 indices, or uint32 where 16 bits cannot hold them (float32 input, a padded dim over 65536), or the
    dtype of a given index tensor or preallocated output (real ttnn 0.81.1's topk docstring)."""
    wide = x.dtype == ttnn.float32 or padded(x.logical_shape, ttnn.TILE_LAYOUT)[axis] > 65536
    if indices is not None:
        if indices.dtype == ttnn.uint16 and wide:
            raise RuntimeError("ttnn.topk: a UINT16 indices_tensor cannot label this input: it needs 32-bit indices "
                               "(a float32 input, or a tile-padded dim above 65536)")
        wanted = indices.dtype
    else:
        wanted = ttnn.uint32 if wide else ttnn.uint16
    if prealloc is not None:
        if prealloc.dtype not in _INDEX_DTYPES:
            raise RuntimeError("ttnn.topk: the preallocated index tensor must be UINT16, UINT32 or INT32")
        return prealloc.dtype
    return wanted


def _check_topk(x: Tensor, k: int, axis: int, indices: Tensor | None, stable: bool, config: Any) -> None:
    if x.layout != ttnn.TILE_LAYOUT:
        raise RuntimeError("ttnn.topk needs a TILE layout input: convert with ttnn.to_layout(tensor, ttnn.TILE_LAYOUT)")
    if x.dtype not in _FLOATS:
        raise RuntimeError(f"ttnn.topk supports BFLOAT8_B, BFLOAT16 and FLOAT32 inputs - got {_dtype_name(x.dtype)}")
    if sharding.is_sharded(x.mem_config) or sharding.is_sharded(config):
        raise RuntimeError("ttnn.topk: sharded input and output memory configs are not supported for this operation")
    if not 1 <= k <= x.logical_shape[axis]:
        raise RuntimeError(f"ttnn.topk: k ({k}) must be at least 1 and at most the size of dim {axis} "
                           f"({x.logical_shape[axis]})")
    if indices is None:
        return
    if stable:
        raise RuntimeError("ttnn.topk: stable=True cannot be combined with an indices_tensor (tie-breaking against "
                           "caller-supplied labels is not defined)")
    if tuple(indices.logical_shape) != tuple(x.logical_shape) or indices.layout != ttnn.TILE_LAYOUT \
            or indices.dtype not in _INDEX_DTYPES:
        raise RuntimeError("ttnn.topk: indices_tensor must have the input's logical shape, TILE layout and a "
                           "UINT16, UINT32 or INT32 dtype")


@op(family="reduction", group="reduction", not_computed=("sub_core_grids",))
def topk(
    input_tensor: Tensor,
    k: int = 32,
    dim: int = -1,
    largest: bool = True,
    sorted: bool = True,  # noqa: A002 - ttnn's name
    *,
    memory_config: Any = None,
    sub_core_grids: Any = None,
    indices_tensor: Tensor | None = None,
    output_tensor: Sequence[Tensor] | None = None,
    stable: bool = False,
) -> list[Tensor]:
    """The ``k`` largest (or smallest) values along ``dim`` and their indices (or ``indices_tensor``'s labels).

    Ties come lowest index first, one of the orders an unstable card may return and the one ``stable=True`` asks
    for. ``sorted=False`` returns them sorted too, as a card does: tt-metal's topk compute kernel
    (``device/kernels/compute/topk.cpp``) takes ``sorted`` as a compile-time argument and never reads it, its bitonic
    merge leaving the top values in order, and ``topk.cpp`` keeps the first k of the top ``ceil(k / 32) * 32``.
    """
    del sorted  # no effect on a card (docstring)
    x = device_input(input_tensor)
    labels = None if indices_tensor is None else device_input(indices_tensor, "indices_tensor")
    axis = reduce_dims(x.logical_shape, dim)[0]
    config = output_config(memory_config, x.mem_config)
    _check_topk(x, k, axis, labels, stable, config)
    values_out, indices_out = (None, None) if output_tensor is None else tuple(output_tensor)
    index_dtype = _index_dtype(x, axis, labels, indices_out)
    shape = tuple(k if i == axis else n for i, n in enumerate(x.logical_shape))
    picked: dict[str, torch.Tensor] = {}

    def select() -> dict[str, torch.Tensor]:
        if not picked:
            order = torch.sort(x.values, dim=axis, descending=largest, stable=True)[1].narrow(axis, 0, k)
            picked["values"] = torch.gather(x.values, axis, order)
            picked["indices"] = order if labels is None else torch.gather(labels.values, axis, order)
        return picked

    compute_values = None if x.stored is None else (lambda: select()["values"])
    compute_indices = None if x.stored is None else (lambda: _wrap_integers(select()["indices"], index_dtype)
                                                     if index_dtype != ttnn.uint16 else select()["indices"])
    inputs = [x] if labels is None else [x, labels]
    indices = emit("topk", inputs, shape, index_dtype, ttnn.TILE_LAYOUT, config, x.on_device, compute_indices,
                   record=False, output_tensor=indices_out, stored=True)
    values = emit("topk", inputs, shape, x.dtype, ttnn.TILE_LAYOUT, config, x.on_device, compute_values,
                  flops=math.prod(x.logical_shape) * math.ceil(math.log2(builtins.max(k, 2))),
                  also_written=math.prod(padded(shape, ttnn.TILE_LAYOUT)) * (2 if index_dtype == ttnn.uint16 else 4),
                  output_tensor=values_out)
    return [values, indices]


# ------------------------------------------------------------------------------------------- cumsum, cumprod
def _sequential(values: torch.Tensor, step: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """The running ``step`` along dim 0, each partial result kept as ``step`` rounds it."""
    out = torch.empty_like(values)
    if values.shape[0]:
        out[0] = step(None, values[0])
        for i in range(1, values.shape[0]):
            out[i] = step(out[i - 1], values[i])
    return out


def _accumulated(values: torch.Tensor, kind: str, dtype: Any, compensated: bool) -> torch.Tensor:
    """cumsum / cumprod along dim 0 with the running value kept in ``dtype`` (module docstring)."""
    if dtype in INTEGER:
        return _wrap_integers(torch.cumsum(values, 0) if kind == "cumsum" else torch.cumprod(values, 0), dtype)
    if kind == "cumsum" and dtype == ttnn.float32 and compensated:
        return torch.cumsum(values.to(torch.float64), 0).to(torch.float32)
    torch_dtype = torch.float32 if dtype == ttnn.float32 else torch.bfloat16
    combine = torch.add if kind == "cumsum" else torch.mul

    def step(previous: torch.Tensor | None, value: torch.Tensor) -> torch.Tensor:
        return value if previous is None else combine(previous, value)

    return _sequential(values.to(torch_dtype), step).to(torch.float32)


def _accumulation(kind: str, input_tensor: Tensor, dim: int, *, dtype: Any, reverse_order: bool, out: Tensor | None,
                  memory_config: Any, compensated: bool = True) -> Tensor:
    x = device_input(input_tensor)
    if x.layout != ttnn.TILE_LAYOUT:
        raise RuntimeError(f"ttnn.{kind} needs a TILE layout input: convert with ttnn.to_layout(tensor, "
                           "ttnn.TILE_LAYOUT)")
    out_dtype = dtype if dtype is not None else x.dtype
    if out is not None and dtype is not None and out.dtype != dtype:
        raise RuntimeError(f"ttnn.{kind}: the output tensor's dtype ({_dtype_name(out.dtype)}) must match dtype "
                           f"({_dtype_name(dtype)})")
    out_dtype = out.dtype if out is not None else out_dtype
    if out_dtype not in (ttnn.bfloat16, ttnn.float32, *INTEGER) or x.dtype not in (ttnn.bfloat16, ttnn.float32, *INTEGER):
        raise RuntimeError(f"ttnn.{kind} supports BFLOAT16, FLOAT32, INT32 and UINT32 - got {_dtype_name(x.dtype)} "
                           f"into {_dtype_name(out_dtype)}")
    rank = len(x.logical_shape)
    axis = reduce_dims(x.logical_shape, dim)[0] if rank else 0
    config = interleaved_output(x, memory_config, kind)

    def compute() -> torch.Tensor:
        values = quantize(x.values, out_dtype)  # tt-metal casts the input to dtype first
        if not rank:
            return values
        moved = values.movedim(axis, 0)
        moved = moved.flip(0) if reverse_order else moved
        result = _accumulated(moved, kind, out_dtype, compensated)
        return (result.flip(0) if reverse_order else result).movedim(0, axis)

    return emit(kind, [x], x.logical_shape, out_dtype, ttnn.TILE_LAYOUT, config, x.on_device,
                None if x.stored is None else compute, flops=math.prod(x.logical_shape), output_tensor=out)


@op(family="reduction", group="reduction")
def cumsum(
    input: Tensor,  # noqa: A002 - ttnn's name
    dim: int,
    *,
    dtype: Any = None,
    reverse_order: bool = False,
    out: Tensor | None = None,
    memory_config: Any = None,
    disable_compensated_sum: bool = False,
) -> Tensor:
    """The running sum along ``dim`` (from the end with ``reverse_order``), in ``dtype`` (default: the input's)."""
    return _accumulation("cumsum", input, dim, dtype=dtype, reverse_order=reverse_order, out=out,
                         memory_config=memory_config, compensated=not disable_compensated_sum)


@op(family="reduction", group="reduction")
def cumprod(
    input_tensor: Tensor,
    dim: int,
    *,
    dtype: Any = None,
    reverse_order: bool = False,
    out: Tensor | None = None,
    memory_config: Any = None,
) -> Tensor:
    """The running product along ``dim`` (from the end with ``reverse_order``), in ``dtype``."""
    return _accumulation("cumprod", input_tensor, dim, dtype=dtype, reverse_order=reverse_order, out=out,
                         memory_config=memory_config)
