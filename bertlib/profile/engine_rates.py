"""The engines' rates the cost model uses; the chips' own figures are the emulator's table
(``bertlib.emulator.chips.CHIPS``), so a profile and the emulated device read the same grid and L1."""

from __future__ import annotations

from bertlib.emulator.chips import CHIPS, FIDELITY_PHASES, MATRIX_ENGINE, Chip

#: Matrix-engine work per Tensix core per cycle (both Wormhole and Blackhole): an 8x16 @ 16x16 product,
#: 4096 FLOPs, divided by the fidelity phases (``FIDELITY_PHASES``). Source: MATRIX_ENGINE.
MATMUL_FLOPS_PER_CYCLE = 4096
#: Element-wise work per core per cycle: 8x16 adds or multiplies (MATRIX_ENGINE); used for every
#: non-matmul op (softmax, layer norm, GELU, adds), where the vector engine is no faster.
ELTWISE_FLOPS_PER_CYCLE = 128

__all__ = ["CHIPS", "Chip", "ELTWISE_FLOPS_PER_CYCLE", "FIDELITY_PHASES", "MATMUL_FLOPS_PER_CYCLE", "MATRIX_ENGINE"]
