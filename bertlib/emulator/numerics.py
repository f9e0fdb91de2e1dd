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
    (round to nearest even; tt-isa-documentation ``WormholeB0/TensixTile/TensixCoprocessor/MVMUL.md`` and
    ``Dst.md``). One ``MVMUL`` takes 16 of K, and each fidelity phase is its own pass: tt-llk's
    ``llk_math_matmul.h`` (``matmul_configure_mop``) runs the phases outermost within each K-tile. So the
    emulator rounds ``Dst + 16 products`` once per 16 products and per phase: K-tile 0's phase 0 on
    products 0-15, then 16-31, its phase 1 on the same products, ..., then K-tile 1
    (``accumulate_matmul``; ``tests/test_numerics.py`` checks it against that loop written out, and on
    hand-checkable cases: 256 + 1 | + 1 stays 256 per 16 where one rounding per 32 gives 258).

    The K loop runs in blocks of ``in0_block_w`` K-tiles (the program config's, or the one ttnn picks:
    ``program_configs.matmul_k_blocks``). Between blocks tt-metal's matmul kernel
    (``bmm_large_block_zm_fused_bias_activation.cpp``) packs the partial sums to L1 in the intermediate
    format and reloads them: float32 with ``fp32_dest_acc_en``, else bfloat16 with the packer's L1
    accumulation (``packer_l1_acc``, ttnn's default for a matmul whose output is not float32; each block
    then starts from zero and the packer adds it into L1), else the output dtype, so a bfloat8_b output
    rounds its running sum to bfloat8_b at every spill (``KLoop``). A fused bias reads the sum from L1 in
    that format and adds in the destination register. Element-wise ops and normalisations without fp32
    accumulation keep their intermediates in bfloat16 too. conv2d rounds per 16 products and phase, its K in
    one block; reductions round per tile of 32 (``ops/reduction.py``).

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
    packer_l1_acc: bool = False
    dst_full_sync_en: bool = False

    @classmethod
    def resolve(cls, config: Any, *, fidelity: str, approx: bool, fp32: bool, l1_acc: bool = False) -> Numerics:
        """Read a ttnn compute-kernel config, falling back to an op's defaults where it gives none."""
        if config is None:
            return cls(fidelity, approx, fp32, l1_acc)
        name = str(config.math_fidelity).split(".")[-1]
        return cls(name, bool(config.math_approx_mode), bool(config.fp32_dest_acc_en),
                   bool(getattr(config, "packer_l1_acc", False)), bool(getattr(config, "dst_full_sync_en", False)))

    @property
    def dest_tiles(self) -> int:
        """How many 32x32 tiles the destination register holds for one math step (tt-metal ``get_dest_reg_count``):
        16 in bfloat16 with ``dst_full_sync_en`` (the math and pack threads take turns on all of it), 8 without
        (each has half); ``fp32_dest_acc_en`` halves that again."""
        return (16 if self.dst_full_sync_en else 8) // (2 if self.fp32_dest_acc_en else 1)


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
    b_hi = _cached_split(b, low=False)[0].to(torch.float32)
    if fidelity == "LoFi":
        return [(a_hi, b_hi)]
    return [(a_hi, b.to(torch.float32)), (a.to(torch.float32) - a_hi, b_hi)]  # HiFi3


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


# ------------------------------------------------------------------------------ the matmul's K loop
@dataclass(frozen=True)
class KLoop:
    """How a matmul's K loop runs on the card (tt-metal ``bmm_large_block_zm_fused_bias_activation.cpp``): in
    blocks of ``block_tiles`` K-tiles (``in0_block_w``; None: all of K in one). Between blocks the packer writes
    the partial sums to L1 in ``interm`` (the program's ``interm0`` format) and the next block reloads them;
    with ``l1_acc`` (``packer_l1_acc``) each block starts from zero and the packer adds it into L1, the last
    block reloading that sum. A ``fused_bias`` reads the finished sum from L1, in ``interm``, never reloaded."""

    block_tiles: int | None
    interm: Any
    l1_acc: bool = False
    fused_bias: bool = False


#: The matmul program config kinds (``program_configs.matmul_k_blocks``), by how their program factory turns on the packer's L1 accumulation: the smallest
#: number of K blocks it needs (tt-metal ``device/factory/*_program_factory.cpp``, ``packer_l1_acc_en``).
L1_ACC_MIN_BLOCKS = {"2d": 2, "1d": 3, "reuse": 3, "multicore": None}


def matmul_k_loop(numerics: Numerics, kind: str, in0_block_w: int | None, k: int, output_dtype: Any, *,
                  fused_bias: bool = False) -> KLoop:
    """A matmul's ``KLoop`` for a program config of ``kind`` (``program_configs.matmul_k_blocks``). The packer
    accumulates in L1 where the config asks for it and the factory has enough K blocks
    (``program_configs.L1_ACC_MIN_BLOCKS``; a 1-D config with a fused bias needs two); ``interm`` is the
    factories' ``interm0_data_format``: float32 with ``fp32_dest_acc_en``, else bfloat16 where the packer
    accumulates in L1, else the output dtype."""
    blocks = 1 if in0_block_w is None else -(-k // (in0_block_w * TILE))
    least = 2 if kind == "1d" and fused_bias else L1_ACC_MIN_BLOCKS[kind]
    l1_acc = numerics.packer_l1_acc and least is not None and blocks >= least
    interm = ttnn.float32 if numerics.fp32_dest_acc_en else ttnn.bfloat16 if l1_acc else output_dtype
    return KLoop(in0_block_w, interm, l1_acc, fused_bias)


#: Products one ``MVMUL`` adds into the destination register: the matrix unit takes 16 of K per instruction
#: (tt-isa-documentation ``WormholeB0/TensixTile/TensixCoprocessor/MVMUL.md``), so a 32-wide K-tile is two.
MVMUL_K = 16


def _phase_parts(a: torch.Tensor, b: torch.Tensor, fidelity: str) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The (in0, in1) operand parts of each fidelity phase, in the order the FPU runs them (phase bit 0 picks
    SrcA's high or low part, bit 1 SrcB's; ``llk_math_matmul.h`` loops the phases outermost), as bfloat16
    where both operands are bfloat16 values (each part is one too), else float32."""
    if fidelity not in FIDELITY_PHASES:
        raise ValueError(f"unknown math fidelity {fidelity!r}; use one of {list(FIDELITY_PHASES)}")
    phases = FIDELITY_PHASES[fidelity]
    a_hi, a_lo = _split(a, SRCB_HIGH_BITS, low=phases > 2)
    b_hi, b_lo = _cached_split(b, low=phases > 1)
    parts = [(a_hi, b_hi), (a_hi, b_lo), (a_lo, b_hi), (a_lo, b_lo)][:phases]
    if any(p.dtype != q.dtype for p, q in parts):
        parts = [(p.to(torch.float32), q.to(torch.float32)) for p, q in parts]
    return parts


SRCA_HIGH_BITS, SRCB_HIGH_BITS = 5, 7  # mantissa bits (hidden bit included) one phase multiplies


def _as_bfloat16(x: torch.Tensor) -> torch.Tensor:
    """``x`` as ``torch.bfloat16`` where it holds bfloat16 values (block floats do), else unchanged."""
    if x.dtype == torch.float32 and torch.equal(x, converted := x.to(torch.bfloat16)):
        return converted
    return x


def _split(x: torch.Tensor, high_bits: int, *, low: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``x``'s high ``high_bits`` mantissa bits (truncated) and, if ``low``, the rest: bfloat16 where ``x`` holds
    bfloat16 values, else float32."""
    x = _as_bfloat16(x)
    if x.dtype == torch.bfloat16:
        high = (x.view(torch.int16) & ~((1 << (8 - high_bits)) - 1)).view(torch.bfloat16)
    else:
        high = truncate_mantissa(x, high_bits)
    return high, (x.to(high.dtype) - high if low else None)  # exact: the low bits are a bfloat16 of their own


def _cached_split(b: torch.Tensor, *, low: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``_split`` of in1 (SrcA), kept on ``b`` while ``b`` is unchanged (torch's version counter): a weight is
    split once, not at every call."""
    cached = getattr(b, "_srca_parts", None)
    if cached is None or cached[0] != b._version or (low and cached[1][1] is None):
        cached = (b._version, _split(b, SRCA_HIGH_BITS, low=low))
        b._srca_parts = cached
    return cached[1]


def accumulate_matmul(a: torch.Tensor, b: torch.Tensor, numerics: Numerics, golden: Golden, *,
                      k_loop: KLoop | None = None, step: int = MVMUL_K) -> torch.Tensor:
    """a @ b as the FPU accumulates it at the config's fidelity, as the destination register holds it (bfloat16
    values as ``torch.bfloat16`` where they were summed so, else float32); with ``k_loop.fused_bias``, the sum
    as the fused bias add reads it (in ``k_loop.interm``).

    With ``fp32_dest_acc_en`` the phases' products are summed in float32 (the partials' format is float32 too,
    so spills round nothing). Without it the destination register holds bfloat16 and each ``MVMUL`` rounds
    ``Dst + 16 products`` to bfloat16 (``step`` products), once per fidelity phase, the phases outermost within
    a K-tile: K-tile 0's phase 0 on products 0-15 then 16-31, its phase 1 on the same products, ..., then
    K-tile 1. Where both operands hold bfloat16 values each step is one bfloat16 ``baddbmm`` (float32 sums and
    one rounding of its output: the step's model, at bfloat16 GEMM speed), else a float32 one and a rounding.
    """
    if numerics.fp32_dest_acc_en:
        return _products(fidelity_operands(a, b, numerics.math_fidelity), golden)
    parts = [_batched(p, q) for p, q in _phase_parts(a, b, numerics.math_fidelity)]
    shape, k = parts[0][2], a.shape[-1]
    loop = k_loop or KLoop(None, None)
    width = k if loop.block_tiles is None else loop.block_tiles * TILE
    starts = range(0, k, width)
    dst = l1 = None
    for n, start in enumerate(starts):
        last = n == len(starts) - 1
        if loop.l1_acc:
            dst = l1 if last and not loop.fused_bias else None
        for tile in range(start, min(start + width, k), TILE):
            for p, q, _ in parts:
                for s in range(tile, min(tile + TILE, start + width, k), step):
                    dst = _mvmul(dst, p[..., s : s + step], q[..., s : s + step, :])
        if loop.l1_acc and not (last and not loop.fused_bias):
            l1 = dst if l1 is None else _stored(l1 + dst, loop.interm)
        elif not last or loop.fused_bias:
            dst = _stored(dst, loop.interm)
    out = l1 if loop.l1_acc and loop.fused_bias else dst
    return out.reshape(shape)


def exact_matmul(a: torch.Tensor, b: torch.Tensor, bias: torch.Tensor | None, golden_linear: Callable[..., torch.Tensor],
                 *, bfloat16_out: bool) -> torch.Tensor:
    """HiFi4 with fp32 accumulation: the float32 sum of the exact products, plus ``bias``. With ``bfloat16_out``
    (the result is next rounded to bfloat16, nothing in between) and operands holding bfloat16 values, one
    bfloat16 GEMM does the sum and that rounding (float32 sums of exact products, rounded once, as torch's
    bfloat16 matmul computes them) and returns ``torch.bfloat16``; else ``golden_linear`` in float32."""
    if bfloat16_out:
        a16, b16 = _as_bfloat16(a), _as_bfloat16(b)
        bias16 = None if bias is None else _as_bfloat16(bias)
        if all(t.dtype == torch.bfloat16 for t in (a16, b16, *(() if bias16 is None else (bias16,)))):
            if bias16 is None:
                return torch.matmul(a16, b16)
            flat = torch.addmm(bias16.reshape(-1), a16.reshape(-1, a16.shape[-1]), b16)  # a bias means a 2-D b
            return flat.reshape(*a16.shape[:-1], b16.shape[-1])
    return golden_linear(a.to(torch.float32), b.to(torch.float32), bias=bias)


def _mvmul(dst: torch.Tensor | None, p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """``Dst + p @ q``, rounded to bfloat16 (kept in ``p``'s dtype), into ``dst``."""
    if dst is None:
        dst = torch.bmm(p, q)
    else:
        torch.baddbmm(dst, p, q, out=dst)
    return dst if dst.dtype == torch.bfloat16 else round_to_bfloat16_(dst)


def _stored(values: torch.Tensor, dtype: Any) -> torch.Tensor:
    """``values`` as L1 holds them in ``dtype``, kept in their torch dtype."""
    if dtype == ttnn.bfloat16 and values.dtype == torch.bfloat16:
        return values
    return quantize(values, dtype).to(values.dtype)


# ------------------------------------------------------------------------------ rules of the ops' math
def matmul_numerics(config: Any, *, user_grid: bool, program_config: Any, block_float_inputs: bool,
                    float32_output: bool) -> Numerics:
    """A matmul's numerics: its compute-kernel config, or the defaults in this module's docstring."""
    fidelity = "HiFi2" if not (user_grid or program_config is not None or block_float_inputs) else "LoFi"
    return Numerics.resolve(config, fidelity=fidelity, approx=False, fp32=float32_output, l1_acc=not float32_output)


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
