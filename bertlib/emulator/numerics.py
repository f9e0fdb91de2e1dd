"""How a Tenstorrent chip stores and multiplies numbers, reproduced on the host.

Storage
    A tensor stored as ``bfloat16`` holds ``torch``'s round-to-nearest-even bfloat16 of its values; a
    tensor stored as ``bfloat8_b`` / ``bfloat4_b`` (block floating point: one shared 8-bit exponent per
    16 values of a tile-face row, 7 or 3 mantissa bits each) holds exactly what real ttnn's host
    conversion gives (``from_torch(..., layout=TILE_LAYOUT)`` then ``to_torch``). ``kernels.block_float``
    does that conversion in one compiled pass, the way tt-metal's ``convert_u32_to_bfp`` describes it (the
    shared exponent is the block's largest; each mantissa, hidden bit included, is shifted right by its
    exponent's distance from it, dropping bits, then rounded to nearest even and clamped), without the
    round trip through ttnn. Blocks it does not model (NaN/inf, or values below 2**-103, where ttnn treats
    subnormals as normals) go through ttnn's conversion itself. ``tests/test_numerics.py`` proves both
    paths bit-exact against ttnn. Integer dtypes (int32, uint32, uint16, uint8) are stored exactly, as int64;
    ``to_torch`` returns real ttnn's torch dtype for each (torch.int32, torch.uint32, torch.uint16, torch.uint8).
    A uint16/uint8 tensor only ever holds whole numbers in its range: each op brings its result there itself
    (``quantize`` refuses anything else rather than store a value a card would hold differently).

Math fidelity (the Tensix matrix engine, FPU)
    The FPU's multipliers take at most 5 bits of a SrcA mantissa and 7 bits of a SrcB mantissa,
    hidden bit included. A matmul's ``in1`` (the weights) sits in SrcA, ``in0`` (the activations) in
    SrcB. Each fidelity phase multiplies one pair of parts: phase bit 0 picks SrcA's high 5 or next
    bits, bit 1 SrcB's high 7 or next bits (the ``MVMUL`` / ``SrcAFidelityBits`` / ``SrcBFidelityBits``
    functional model of the Wormhole ISA documentation, github.com/tenstorrent/tt-isa-documentation;
    tt-metal's matrix-engine tech report gives the 1x / 2x / 3x / 4x cost of LoFi .. HiFi4):

    ======  =====================================  ==========================================
    phase   product added                           what a bfloat16 x bfloat16 product keeps
    ======  =====================================  ==========================================
    LoFi    A_hi x B_hi                             5 x 7 of 8 x 8 mantissa bits
    HiFi2   + A_lo x B_hi                           8 x 7 bits (all of A, B's 7 high bits)
    HiFi3   + A_hi x B_lo                           all but A_lo x B_lo
    HiFi4   + A_lo x B_lo                           the exact product
    ======  =====================================  ==========================================

    Parts are truncated, not rounded. Measured on random normal bfloat16 operands with K=384
    (``tests/test_numerics.py::test_error_grows_as_fidelity_drops``), the mean absolute error of a
    dot product, relative to the mean magnitude, is 2.6e-2 (LoFi), 4.1e-3 (HiFi2), 9.7e-5 (HiFi3) and
    9e-8 at HiFi4 (float32 rounding alone: HiFi4 is the exact product).

Accumulation
    With ``fp32_dest_acc_en`` the destination registers hold float32 and a matmul accumulates in
    float32. Without it they hold bfloat16 and every ``MVMUL`` rounds ``Dst + product`` to bfloat16
    (round to nearest even; same ISA documentation). The hardware does that per 16 products and per
    fidelity phase (the ISA's ``MVMUL`` takes 16 of K; ``Dst.md`` runs the phase loop outermost); we
    round the running sum once per K-tile of 32 products, all phases summed first, a coarser model that
    keeps the emulator fast: rounding per 16 takes 1.4 to 1.6 times as long per matmul and changes most
    outputs by a bfloat16 ulp (``python -m bertlib bench --granularity``). Element-wise ops and
    normalisations without fp32 accumulation keep their intermediates in bfloat16 too.

Approximate math (``math_approx_mode``)
    The SFPU's fast exp and GELU: we model fast exp as exp rounded to bfloat16 before it is summed,
    and fast GELU as ttnn's tanh variant (``GeluVariant.Tanh``).

Defaults when a call passes no ``compute_kernel_config`` (tt-metal source):
    - matmul / linear (``matmul_device_operation.cpp``, ``create_matmul_struct``): HiFi2 when the call
      gives neither ``core_grid`` nor ``program_config`` and not both inputs are block-float, else
      LoFi; approx off; fp32 accumulation only for a float32 output.
    - layer_norm and softmax (``layernorm.cpp``; softmax follows the same pattern):
      ``init_device_compute_kernel_config(arch, cfg, HiFi4, true, false, false)`` - HiFi4, approx on,
      no fp32 accumulation.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import ttnn

from bertlib.emulator.chips import FIDELITY_PHASES
from bertlib.emulator.kernels import block_float, round_to_bfloat16_, softmax_bfloat16, truncate_mantissa
from bertlib.emulator.keywords import UnsupportedTTNNOp

TILE = 32
BLOCK_FLOAT = (ttnn.bfloat8_b, ttnn.bfloat4_b)
BLOCK_MANTISSA_BITS = {ttnn.bfloat8_b: 7, ttnn.bfloat4_b: 3}

#: Bytes each element takes in DRAM/L1. Block floats carry one exponent byte per 16 values.
BYTES_PER_ELEMENT = {
    ttnn.float32: 4.0,
    ttnn.bfloat16: 2.0,
    ttnn.bfloat8_b: 1.0 + 1 / 16,
    ttnn.bfloat4_b: 0.5 + 1 / 16,
    ttnn.uint32: 4.0,
    ttnn.int32: 4.0,
    ttnn.uint16: 2.0,
    ttnn.uint8: 1.0,
}
#: The unsigned integer dtypes narrower than 32 bits, and the largest value each holds.
NARROW_UNSIGNED = {ttnn.uint16: 2**16 - 1, ttnn.uint8: 2**8 - 1}



def _need_mock() -> None:
    if "TT_METAL_MOCK_CLUSTER_DESC_PATH" not in os.environ:
        from bertlib.emulator.hostenv import ensure_host_conversions

        ensure_host_conversions()


def to_float32(value: float) -> float:
    """``value`` as a C++ float holds it (beyond float32's range: infinite)."""
    return float(torch.tensor(float(value), dtype=torch.float64).to(torch.float32))


def round_bf16(values: torch.Tensor) -> torch.Tensor:
    """bfloat16 round-to-nearest-even, kept as float32."""
    return values.to(torch.bfloat16).to(torch.float32)


def store(values: torch.Tensor, dtype: Any) -> torch.Tensor:
    """What an emulated tensor of ``dtype`` keeps: ``torch.bfloat16`` for bfloat16 (one rounding, half the
    memory), else ``quantize``'s values."""
    return values.to(torch.bfloat16) if dtype == ttnn.bfloat16 else quantize(values, dtype)


def quantize(values: torch.Tensor, dtype: Any) -> torch.Tensor:
    """The values a tensor of ``dtype`` holds once stored: float32 out (int64 for integer dtypes)."""
    if dtype == ttnn.float32:
        return values.to(torch.float32)
    if dtype == ttnn.bfloat16:
        return round_bf16(values)
    if dtype in BLOCK_FLOAT:
        fast = block_float(values, BLOCK_MANTISSA_BITS[dtype])
        if fast is not None:
            return fast
        _need_mock()
        stored = ttnn.from_torch(values.to(torch.float32).contiguous(), dtype=dtype, layout=ttnn.TILE_LAYOUT)
        return ttnn.to_torch(stored).to(torch.float32).reshape(values.shape)
    if dtype in (ttnn.uint32, ttnn.int32):
        return values.to(torch.int64)
    if dtype in NARROW_UNSIGNED:
        return _narrow_unsigned(values, dtype)
    raise TypeError(f"dtype {dtype} is not emulated; use bfloat16, bfloat8_b, bfloat4_b, float32, uint32, int32, "
                    "uint16 or uint8")


def _narrow_unsigned(values: torch.Tensor, dtype: Any) -> torch.Tensor:
    """``values`` as a uint16/uint8 tensor holds them (int64, exact). Each op converts its result to the dtype's
    range itself (integer arithmetic wraps, typecast saturates or wraps, host conversions run real ttnn's own), so
    only whole numbers in ``[0, max]`` arrive here: any other value would need a conversion the caller did not model,
    and is refused rather than stored changed."""
    top = NARROW_UNSIGNED[dtype]
    whole = values if not values.is_floating_point() else values.to(torch.float64)
    if whole.numel() and (bool((whole < 0).any()) or bool((whole > top).any())
                          or (whole.is_floating_point() and not bool((whole == whole.trunc()).all()))):
        name = str(dtype).split(".")[-1].lower()
        raise UnsupportedTTNNOp(f"storing values outside {name}'s range [0, {top}], or not whole numbers, as {name} "
                                "is not emulated: this op's conversion to it is not modelled. Typecast the values "
                                f"into range first (ttnn.typecast), or use int32/uint32.")
    return whole.to(torch.int64)


@dataclass(frozen=True)
class Numerics:
    """A resolved compute-kernel config: what the emulator needs of it."""

    math_fidelity: str = "HiFi4"
    math_approx_mode: bool = False
    fp32_dest_acc_en: bool = True

    @classmethod
    def resolve(cls, config: Any, *, fidelity: str, approx: bool, fp32: bool) -> Numerics:
        """Read a ttnn compute-kernel config, falling back to an op's defaults where it gives none."""
        if config is None:
            return cls(fidelity, approx, fp32)
        name = str(config.math_fidelity).split(".")[-1]
        return cls(name, bool(config.math_approx_mode), bool(config.fp32_dest_acc_en))


def fidelity_operands(a: torch.Tensor, b: torch.Tensor, fidelity: str) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The float32 (in0, in1) pairs whose exact products the FPU adds up at ``fidelity``: a is in0 (srcB), b is
    in1 (srcA); either may be stored bfloat16 (the split converts it in the same pass)."""
    if fidelity == "HiFi4":
        return [(a.to(torch.float32), b.to(torch.float32))]
    if fidelity not in FIDELITY_PHASES:
        raise ValueError(f"unknown math fidelity {fidelity!r}; use one of {list(FIDELITY_PHASES)}")
    a_hi = truncate_mantissa(a, 7)
    if fidelity == "HiFi2":
        return [(a_hi, b.to(torch.float32))]
    b_hi = _srca_high(b)
    if fidelity == "LoFi":
        return [(a_hi, b_hi)]
    return [(a_hi, b.to(torch.float32)), (a.to(torch.float32) - a_hi, b_hi)]  # HiFi3


def _srca_high(b: torch.Tensor) -> torch.Tensor:
    """``b``'s high 5 mantissa bits (SrcA's part of a LoFi product), kept on ``b`` while ``b`` is unchanged
    (torch's version counter): a weight is split once, not at every call."""
    cached = getattr(b, "_srca_high", None)
    if cached is None or cached[0] != b._version:
        cached = (b._version, truncate_mantissa(b, 5))
        b._srca_high = cached
    return cached[1]


Golden = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _products(pairs: list[tuple[torch.Tensor, torch.Tensor]], golden: Golden) -> torch.Tensor:
    first, *rest = [golden(p, q) for p, q in pairs]
    for part in rest:
        first += part
    return first


def _batched(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, tuple[int, ...]]:
    """a and b as 3-d batches for ``baddbmm``, and the shape of their product."""
    if b.dim() == 2:
        return a.reshape(1, -1, a.shape[-1]), b.unsqueeze(0), (*a.shape[:-1], b.shape[-1])
    batch = torch.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a3 = a.expand(*batch, *a.shape[-2:]).reshape(-1, *a.shape[-2:])
    b3 = b.expand(*batch, *b.shape[-2:]).reshape(-1, *b.shape[-2:])
    return a3, b3, (*batch, a.shape[-2], b.shape[-1])


def accumulate_matmul(a: torch.Tensor, b: torch.Tensor, numerics: Numerics, golden: Golden, *,
                      step: int = TILE) -> torch.Tensor:
    """a @ b at the config's fidelity; without fp32 accumulation the sum is rounded to bf16 per K-tile
    (``step`` products per rounding: ``bench.accumulation_granularity`` times the hardware's 16).

    With bf16 accumulation each K-tile's product (the golden's ``a @ b`` on that slice) is added into
    the running float32 sum by ``torch.baddbmm``, which fuses the add, then the sum is rounded to
    bfloat16 in place (``kernels.round_to_bfloat16_``, one pass over memory).
    """
    pairs = fidelity_operands(a, b, numerics.math_fidelity)  # the operands are split once, not per K-tile
    k = a.shape[-1]
    if numerics.fp32_dest_acc_en or k <= step:
        return _products(pairs, golden)
    pairs3 = [_batched(p, q) for p, q in pairs]
    shape = pairs3[0][2]
    total = None
    for start in range(0, k, step):
        for p, q, _ in pairs3:
            p_k, q_k = p[..., start : start + step], q[..., start : start + step, :]
            total = torch.bmm(p_k, q_k) if total is None else torch.baddbmm(total, p_k, q_k, out=total)
        round_to_bfloat16_(total)
    return total.reshape(shape)


# ------------------------------------------------------------------------------ rules of the ops' math
def matmul_numerics(config: Any, *, user_grid: bool, program_config: Any, block_float_inputs: bool,
                    float32_output: bool) -> Numerics:
    """A matmul's numerics: its compute-kernel config, or the defaults in this module's docstring."""
    fidelity = "HiFi2" if not (user_grid or program_config is not None or block_float_inputs) else "LoFi"
    return Numerics.resolve(config, fidelity=fidelity, approx=False, fp32=float32_output)


#: LayerNorm's and softmax's defaults (see the module docstring).
NORM_DEFAULTS = dict(fidelity="HiFi4", approx=True, fp32=False)

#: The activations ``linear``/``matmul`` fuse, by the names real ttnn's ``string_to_unary_with_param``
#: reads (tt-metal ``unary_op_utils.cpp``): "gelu" is the erf GELU, "gelu_approx" the tanh one.
FUSED_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": torch.relu,
    "relu6": lambda x: torch.clamp(x, 0.0, 6.0),
    "gelu": lambda x: torch.nn.functional.gelu(x),
    "gelu_approx": lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
    "silu": torch.nn.functional.silu,
    "sigmoid": torch.sigmoid,
    "sigmoid_approx": torch.sigmoid,
    "hardsigmoid": torch.nn.functional.hardsigmoid,
    "mish": torch.nn.functional.mish,
}


def activation_name(activation: Any) -> str | None:
    """A fused activation as its string name: a string, or a ``ttnn.UnaryWithParam``/``UnaryOpType``
    (``UnaryWithParam(GELU, 1.0)`` is the tanh GELU)."""
    if activation is None:
        return None
    if isinstance(activation, str):
        name = activation.lower()
    else:
        op_type = getattr(activation, "op_type", activation)
        name = str(op_type).split(".")[-1].lower()
        params = list(getattr(activation, "params", []) or [])
        if name == "gelu" and params and params[0]:
            name = "gelu_approx"
    if name not in FUSED_ACTIVATIONS:
        raise UnsupportedTTNNOp(f"fused activation {name!r} is not emulated: use one of {', '.join(FUSED_ACTIVATIONS)}")
    return name


def apply_activation(values: torch.Tensor, name: str | None, approx: bool) -> torch.Tensor:
    """The fused activation; with ``math_approx_mode`` GELU is the tanh approximation (see the docstring)."""
    if name is None:
        return values
    if name == "gelu" and approx:
        name = "gelu_approx"
    return FUSED_ACTIVATIONS[name](values)


def softmax_values(x: torch.Tensor, numerics: Numerics, dim: int = -1, *, stable: bool = True,
                   scale: float | None = None, mask: torch.Tensor | None = None) -> torch.Tensor:
    """The fused (scale, mask,) exp, sum, reciprocal and multiply of a Tensix softmax.

    Without fp32 accumulation each intermediate is stored as bfloat16 (torch's bfloat16 ops compute in
    float32 and round once, which is that model); with it they stay float32, and approximate mode
    rounds exp to bfloat16. ``stable`` subtracts the row max first (``numeric_stable``).

    Without it, a row with a score above ~88.7 overflows: exp gives inf, the row sum inf, its reciprocal (SFPU)
    0, and the FPU's broadcast multiply gives 0 for inf * 0 (tt-metal issue #52141 measured the FPU's invalid
    operations giving 0; its tech report ``Handling_Special_Value`` lists what each engine keeps IEEE). So
    the row's probabilities are all 0 on a card, where IEEE arithmetic gives NaN; a reciprocal below 2**-126
    is flushed to 0 the same way. tt-metal's multi-head attention tutorial (random weights, scores ~±1000)
    ends there on a card: every probability 0, both of its versions equal to the output bias.
    """
    if stable and numerics.fp32_dest_acc_en and not numerics.math_approx_mode and scale is None and mask is None:
        return ttnn.get_golden_function(ttnn.softmax)(x.to(torch.float32), dim)
    if not numerics.fp32_dest_acc_en:  # the same bfloat16 steps, compiled (bit-identical, tested)
        return softmax_bfloat16(x, dim, stable=stable, scale=scale, mask=mask)
    values = x.to(torch.float32) * scale if scale is not None else x.to(torch.float32, copy=True)
    if mask is not None:
        values.add_(mask.to(torch.float32))
    if stable:
        values.sub_(values.amax(dim=dim, keepdim=True))
    exps = values.exp_()
    if numerics.math_approx_mode:
        exps.copy_(exps.to(torch.bfloat16))
    inverse = torch.reciprocal(exps.sum(dim=dim, keepdim=True))
    inverse.masked_fill_(inverse.abs() < 2.0**-126, 0.0)
    return exps.mul_(inverse).masked_fill_(inverse == 0, 0.0)
