"""How a Tenstorrent chip stores and multiplies numbers, reproduced on the host.

Storage
    A tensor stored as ``bfloat16`` holds ``torch``'s round-to-nearest-even bfloat16 of its values; a
    tensor stored as ``bfloat8_b`` / ``bfloat4_b`` (block floating point: one shared 8-bit exponent per
    16 values of a tile-face row, 7 or 3 mantissa bits each) holds exactly what real ttnn's host
    conversion gives (``from_torch(..., layout=TILE_LAYOUT)`` then ``to_torch``): we call that
    conversion itself, so the values are ttnn's by construction. ``tests/test_numerics.py`` proves the
    bfloat16 path bit-exact against ttnn too.

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
    fidelity phase; we round the running sum once per K-tile of 32 products, all phases summed first,
    a coarser model that keeps the emulator fast. Element-wise ops and normalisations without fp32
    accumulation keep their intermediates in bfloat16 too.

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

TILE = 32
BLOCK_FLOAT = (ttnn.bfloat8_b, ttnn.bfloat4_b)

#: Bytes each element takes in DRAM/L1. Block floats carry one exponent byte per 16 values.
BYTES_PER_ELEMENT = {
    ttnn.float32: 4.0,
    ttnn.bfloat16: 2.0,
    ttnn.bfloat8_b: 1.0 + 1 / 16,
    ttnn.bfloat4_b: 0.5 + 1 / 16,
    ttnn.uint32: 4.0,
    ttnn.int32: 4.0,
}

FIDELITY_ORDER = ["LoFi", "HiFi2", "HiFi3", "HiFi4"]


def _need_mock() -> None:
    if "TT_METAL_MOCK_CLUSTER_DESC_PATH" not in os.environ:
        from bertlib.device import ensure_host_conversions

        ensure_host_conversions()


def round_bf16(values: torch.Tensor) -> torch.Tensor:
    """bfloat16 round-to-nearest-even, kept as float32."""
    return values.to(torch.bfloat16).to(torch.float32)


def quantize(values: torch.Tensor, dtype: Any) -> torch.Tensor:
    """The values a tensor of ``dtype`` holds once stored: float32 out (int64 for integer dtypes)."""
    if dtype == ttnn.float32:
        return values.to(torch.float32)
    if dtype == ttnn.bfloat16:
        return round_bf16(values)
    if dtype in BLOCK_FLOAT:
        _need_mock()
        stored = ttnn.from_torch(values.to(torch.float32).contiguous(), dtype=dtype, layout=ttnn.TILE_LAYOUT)
        return ttnn.to_torch(stored).to(torch.float32).reshape(values.shape)
    if dtype in (ttnn.uint32, ttnn.int32):
        return values.to(torch.int64)
    raise TypeError(f"dtype {dtype} is not emulated; use bfloat16, bfloat8_b, bfloat4_b, float32 or uint32")


def truncate_mantissa(values: torch.Tensor, kept_bits: int) -> torch.Tensor:
    """Keep the ``kept_bits`` high mantissa bits (hidden bit included) of float32 values; truncate the rest."""
    mask = ~((1 << (24 - kept_bits)) - 1) & 0xFFFFFFFF
    as_int = values.contiguous().view(torch.int32)
    return (as_int & torch.tensor(mask, dtype=torch.int64).to(torch.int32)).view(torch.float32)


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


def fidelity_matmul(
    a: torch.Tensor, b: torch.Tensor, fidelity: str, golden: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
) -> torch.Tensor:
    """``golden(a, b)`` as the FPU computes it at ``fidelity``: a is in0 (srcB), b is in1 (srcA)."""
    if fidelity == "HiFi4":
        return golden(a, b)
    a_hi = truncate_mantissa(a, 7)
    b_hi = truncate_mantissa(b, 5)
    if fidelity == "LoFi":
        return golden(a_hi, b_hi)
    if fidelity == "HiFi2":
        return golden(a_hi, b)
    if fidelity == "HiFi3":
        return golden(a_hi, b) + golden(a - a_hi, b_hi)
    raise ValueError(f"unknown math fidelity {fidelity!r}; use one of {FIDELITY_ORDER}")


def accumulate_matmul(
    a: torch.Tensor, b: torch.Tensor, numerics: Numerics, golden: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
) -> torch.Tensor:
    """a @ b at the config's fidelity; without fp32 accumulation the sum is rounded to bf16 per K-tile."""
    k = a.shape[-1]
    if numerics.fp32_dest_acc_en or k <= TILE:
        return fidelity_matmul(a, b, numerics.math_fidelity, golden)
    total = None
    for start in range(0, k, TILE):
        part = fidelity_matmul(a[..., start : start + TILE], b[..., start : start + TILE, :], numerics.math_fidelity, golden)
        if total is None:
            total = part.to(torch.bfloat16)
        else:
            total.add_(part)  # computed in float32, stored rounded to bfloat16: one fused pass
    return total.to(torch.float32)
