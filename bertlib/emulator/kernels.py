"""Compiled host kernels for the emulator's element-wise numerics passes (numba).

Each pass here reads and writes every value once, where the same steps in torch take two to a dozen
passes over memory: rounding a float32 accumulator to bfloat16 in place (``round_to_bfloat16_``),
block-float storage (``block_float``), the fidelity split's truncation (``truncate_mantissa``) and a
bfloat16 softmax (``softmax_bfloat16``). They work on the bits, so their results are the bits torch's
bfloat16 ops and ttnn's host conversion give (``tests/test_numerics.py``).

numba compiles each kernel on its first call and caches the machine code next to this file
(``__pycache__``), so a later process loads it in milliseconds.
"""

from __future__ import annotations

import functools

import numba
import numpy as np
import torch
from llvmlite import ir
from numba.extending import intrinsic

_JIT = dict(nogil=True, cache=True, boundscheck=False, error_model="numpy")  # numpy's: 1 / 0 is inf


@intrinsic
def _float_from_bits(typingctx, bits):  # numba passes its typing context first
    """The float32 whose bits are the uint32 ``bits`` (a register move, no memory)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())
    return numba.types.float32(numba.types.uint32), codegen


@intrinsic
def _bits_from_float(typingctx, value):
    """The bits of the float32 ``value``, as a uint32."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(32))
    return numba.types.uint32(numba.types.float32), codegen


@numba.njit(inline="always")
def _to_float(bits: np.uint16) -> np.float32:
    return _float_from_bits(np.uint32(bits) << np.uint32(16))


@numba.njit(inline="always")
def _round_bits(value: np.float32) -> np.uint16:
    """The bfloat16 bits nearest ``value`` (ties to even); a NaN becomes 0xFFFF, as torch's vectorised conversion
    makes it."""
    v = np.uint32(_bits_from_float(value))
    rounded = np.uint16((v + np.uint32(0x7FFF) + ((v >> np.uint32(16)) & np.uint32(1))) >> np.uint32(16))
    return np.uint16(0xFFFF) if (v & np.uint32(0x7FFFFFFF)) > np.uint32(0x7F800000) else rounded


@numba.njit(parallel=True, **_JIT)
def _round_bf16_bits(bits: np.ndarray) -> None:
    """float32 bits -> the float32 bits of the nearest bfloat16, in place (``_round_bits``)."""
    for i in numba.prange(bits.size):
        bits[i] = np.uint32(_round_bits(_float_from_bits(bits[i]))) << np.uint32(16)


def round_to_bfloat16_(values: torch.Tensor) -> torch.Tensor:
    """Round a contiguous float32 tensor to bfloat16 in place (kept as float32); returns it.

    Bit-identical to ``values.copy_(values.to(torch.bfloat16))``, in one pass over memory instead of two.
    """
    if values.dtype != torch.float32 or not values.is_contiguous():
        raise ValueError("round_to_bfloat16_ needs a contiguous float32 tensor")
    with torch.profiler.record_function("bertlib::round_to_bfloat16_"):  # for bench.where_time_goes
        # numba's parallel loops do not write through ``ndarray.view``: the uint32 view is made here
        _round_bf16_bits(values.numpy().reshape(-1).view(np.uint32))
    return values


@numba.njit(parallel=True, **_JIT)
def _truncated_bits(bits: np.ndarray, shift: int, mask: np.uint32, out: np.ndarray) -> None:
    """out = the float32 bits of ``bits`` (bfloat16 bits when ``shift`` is 16) with only ``mask``'s bits kept."""
    for i in numba.prange(bits.size):
        out[i] = (np.uint32(bits[i]) << np.uint32(shift)) & mask


def truncate_mantissa(values: torch.Tensor, kept_bits: int) -> torch.Tensor:
    """A float32 copy of bfloat16 or float32 ``values`` keeping the ``kept_bits`` high mantissa bits (hidden bit
    included) and dropping the rest: the conversion and the truncation in one pass."""
    if values.dtype not in (torch.bfloat16, torch.float32):
        raise ValueError(f"truncate_mantissa reads bfloat16 or float32, not {values.dtype}")
    source = values.contiguous()
    out = torch.empty(values.shape, dtype=torch.float32)
    bits = source.view(torch.int16 if source.dtype == torch.bfloat16 else torch.int32).numpy().reshape(-1)
    mask = np.uint32(~((1 << (24 - kept_bits)) - 1) & 0xFFFFFFFF)
    with torch.profiler.record_function("bertlib::truncate_mantissa"):
        _truncated_bits(bits.view(np.uint16 if source.dtype == torch.bfloat16 else np.uint32),
                        16 if source.dtype == torch.bfloat16 else 0, mask, out.numpy().reshape(-1).view(np.uint32))
    return out


@numba.njit(parallel=True, **_JIT)
def _block_float_rows(x: np.ndarray, out: np.ndarray, mantissa_bits: int) -> bool:
    """ttnn's block-float values of the float32 rows ``x`` (blocks of 16 along a row) into ``out``; False
    (``out`` unfinished) where a block holds NaN/inf or only values below 2**-103. The steps are
    ``numerics``' module docstring's, each exact in float32."""
    rows, width = x.shape
    largest = np.float32((1 << mantissa_bits) - 1)
    keep = _float_from_bits(np.uint32((127 + mantissa_bits - 24) << 23))  # 2 ** (bits - 24)
    ok = np.ones(rows, dtype=np.bool_)
    for r in numba.prange(rows):
        for start in range(0, width, 16):
            stop = min(start + 16, width)
            peak = np.uint32(0)  # the largest magnitude's bits (a NaN's are larger than any number's)
            for j in range(start, stop):
                peak = max(peak, _bits_from_float(abs(x[r, j])))
            shared = np.int64(peak >> np.uint32(23))  # its biased exponent, which the block shares
            if shared == 0xFF or (shared < 24 and peak > 0):
                ok[r] = False
                break
            shared = max(shared, 24)
            to_shared = _float_from_bits(np.uint32((277 - shared) << 23))  # 2 ** (150 - shared)
            scale = _float_from_bits(np.uint32((shared + 1 - mantissa_bits) << 23))  # 2 ** (shared - 126 - bits)
            for j in range(start, stop):
                # the 24-bit mantissa at the shared exponent (bits below it dropped), rounded to nearest even
                q = min(np.rint(np.floor(abs(x[r, j]) * to_shared) * keep), largest)
                out[r, j] = np.copysign(q * scale, x[r, j]) + np.float32(0.0)  # + 0: a zero is stored without sign
    return bool(ok.all())


def block_float(values: torch.Tensor, mantissa_bits: int) -> torch.Tensor | None:
    """ttnn's block-float storage of ``values`` (16 values along the last axis share an exponent) as float32,
    or None where a block holds NaN/inf or only values below 2**-103 (ttnn's own conversion handles those)."""
    x = values.to(torch.float32).contiguous()
    width = x.shape[-1] if x.dim() else 1
    rows = x.reshape(-1, width)
    out = torch.empty_like(rows)
    with torch.profiler.record_function("bertlib::block_float"):
        if not _block_float_rows(rows.numpy(), out.numpy(), mantissa_bits):
            return None
    return out.reshape(values.shape)


@numba.njit(parallel=True, **_JIT)
def _softmax_exps(x: np.ndarray, scale: np.float32, mask: np.ndarray, mask_rows: np.ndarray, stable: bool,
                  exp_table: np.ndarray, out: np.ndarray) -> None:
    """out = exp(x * scale + mask - row max) on bfloat16 bits, each step rounded to bfloat16 as torch's are
    (one simple loop per step over a row in cache, so that each loop vectorises)."""
    rows, width = x.shape
    for r in numba.prange(rows):
        row, target = x[r], out[r]
        for j in range(width):
            target[j] = _round_bits(_to_float(row[j]) * scale) if scale != 1 else row[j]
        if mask.shape[0] > 0:
            added = mask[mask_rows[r]]
            for j in range(width):
                target[j] = _round_bits(_to_float(target[j]) + _to_float(added[j]))
        if stable:  # the row max, by an integer key that orders bfloat16 bits as their values; a NaN wins
            key, nan = -(2**15), False
            for j in range(width):
                bits = np.int32(np.int16(target[j]))
                key = max(key, bits ^ ((bits >> 15) & 0x7FFF))
                nan |= (target[j] & 0x7FFF) > 0x7F80
            peak = np.float32(np.nan) if nan else _to_float(np.uint16(key ^ ((key >> 15) & 0x7FFF)))
            for j in range(width):
                target[j] = _round_bits(_to_float(target[j]) - peak)
        for j in range(width):
            target[j] = exp_table[target[j]]


@numba.njit(parallel=True, **_JIT)
def _softmax_normalize(exps: np.ndarray, sums: np.ndarray) -> None:
    """exps *= 1 / sums, per row, each step rounded to bfloat16.

    A row whose reciprocal is 0 or subnormal (its sum overflowed to inf, or passed 2**126) becomes all zeros,
    as on a card: the packer flushes a subnormal to 0, and the FPU's multiply by 0 gives 0, inf times 0 included
    (``numerics.softmax_values`` says where that is documented)."""
    rows, width = exps.shape
    for r in numba.prange(rows):
        inverse = _to_float(_round_bits(np.float32(1.0) / _to_float(sums[r])))
        if abs(inverse) < np.float32(2.0**-126):
            for j in range(width):
                exps[r, j] = 0
            continue
        for j in range(width):
            exps[r, j] = _round_bits(_to_float(exps[r, j]) * inverse)


@functools.cache
def _exp_table() -> np.ndarray:
    """torch's exp of every bfloat16, indexed by its bits: torch's results at a lookup's cost (the same for every
    position in a tensor: its vectorised and scalar paths agree on all 65536 inputs, tested)."""
    every = torch.arange(2**16, dtype=torch.int32).to(torch.int16)  # bit patterns 0x0000 .. 0xFFFF in order
    return _bits16(torch.exp(every.view(torch.bfloat16))).copy()


def _bits16(values: torch.Tensor) -> np.ndarray:
    return values.view(torch.int16).numpy().view(np.uint16)


def softmax_bfloat16(x: torch.Tensor, dim: int = -1, *, stable: bool = True, scale: float | None = None,
                     mask: torch.Tensor | None = None) -> torch.Tensor:
    """bfloat16 ``softmax(x * scale + mask)`` along ``dim`` as torch computes it on bfloat16 tensors (each step
    rounded to bfloat16; ``stable`` subtracts the row max; the row sum is torch's), in three passes."""
    moved = x.to(torch.bfloat16).movedim(dim, -1).contiguous()
    width = moved.shape[-1]
    rows = moved.reshape(-1, width)
    mask_bits, mask_rows = np.empty((0, width), np.uint16), np.empty(0, np.int64)
    if mask is not None:
        trailing = zip(reversed(mask.shape), reversed(x.shape), strict=False)  # a mask may have fewer dims
        if mask.dim() > x.dim() or any(m not in (1, n) for m, n in trailing):
            raise RuntimeError(f"softmax: a mask of shape {list(mask.shape)} does not broadcast to the input's "
                               f"shape {list(x.shape)}")
        small = mask.to(torch.bfloat16).reshape((1,) * (x.dim() - mask.dim()) + tuple(mask.shape)).movedim(dim, -1)
        small = small.expand(*small.shape[:-1], width)
        distinct = small.contiguous().reshape(-1, width)  # the mask's own rows, once each
        mask_bits = _bits16(distinct)
        # the mask row each input row adds
        mask_rows = torch.arange(distinct.shape[0]).reshape(small.shape[:-1]).expand(moved.shape[:-1]).reshape(-1)
        mask_rows = mask_rows.numpy()
    out = torch.empty_like(rows)
    with torch.profiler.record_function("bertlib::softmax_bfloat16"):
        _softmax_exps(_bits16(rows), np.float32(1.0 if scale is None else scale), mask_bits, mask_rows, stable,
                      _exp_table(), _bits16(out))
        sums = out.sum(dim=-1)
        _softmax_normalize(_bits16(out), _bits16(sums))
    return out.reshape(moved.shape).movedim(-1, dim)
