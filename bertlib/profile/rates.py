"""What one matmul costs on each chip architecture beyond the public figures: rates fitted to measured rows.

The rows are tt-metal's GEMM_FLOPS tech report (``tech_reports/GEMM_FLOPS/GEMM_FLOPS.md`` at tenstorrent/tt-metal
commit 06bd3735f7df2921d8195d732c14eba433e4a32d, Apache-2.0), shipped as ``bertlib/profile/data/gemm-*.csv``.
``python -m bertlib profile --check-gemm FILE`` checks them; ``bertlib.profile.gemm.fit()`` refits them and a
test checks the stored values are that fit.

A matmul's kernel, per core (``costmodel.matmul_kernel_s``):

* **math**: ``16 x fidelity phases`` cycles per 32x32x32 tile product (the matrix engine's 8x16 @ 16x16 per
  cycle; LoFi 1 phase, HiFi2 2, HiFi3 3, HiFi4 4: tt-metal ``tech_reports/matrix_engine``), at ``math_efficiency``;
* **unpack**: the unpacker moves each product's in0 and in1 tiles from L1 into the source registers at
  ``unpack_bytes_per_cycle``, so a format's tile size sets a floor (bfloat16 2048 B, bfloat8_b 1088 B,
  bfloat4_b 576 B); the packer writes the output at the same rate, once per output tile, which the K loop hides.
  A product takes the slower of math and unpack: on Wormhole bfloat16 at LoFi/HiFi2 is unpack-bound,
  bfloat8_b only at LoFi; on Blackhole the same pairs are unpack-bound by less (bfloat16 at HiFi2 by 8%,
  bfloat8_b at LoFi by 14%), and bfloat4_b is math-bound on both;
* **K blocks**: in0 and in1 travel in ``in0_block_w``-wide blocks, each a multicast handshake of ``block_s``,
  and ``default_block_s`` more when ttnn chose the config (in0 read from DRAM by the row's sender, which the
  tuned configs of the rows keep sharded in L1);
* **DRAM**: the bytes of every operand in DRAM at ``dram_efficiency`` of the chip's bandwidth;
* **launch**: ``launch_s`` once per op.

Untraced, the host dispatches each op (``Dispatch``); the device runs it meanwhile, so an op takes the longer
of the two. Dispatch is the host's, not the chip's: the values kept are those of the hosts that measured the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

TT_METAL_COMMIT = "06bd3735f7df2921d8195d732c14eba433e4a32d"
GEMM_REPORT = f"tenstorrent/tt-metal@{TT_METAL_COMMIT[:12]} tech_reports/GEMM_FLOPS/GEMM_FLOPS.md"


@dataclass(frozen=True)
class MatmulRates:
    """One architecture's fitted matmul rates (see the module docstring); times in seconds."""

    math_efficiency: float
    unpack_bytes_per_cycle: float
    launch_s: float
    block_s: float
    default_block_s: float
    dram_efficiency: float


@dataclass(frozen=True)
class Dispatch:
    """Host time to dispatch one op untraced: a call ttnn configures itself, and one given a program config."""

    plain_s: float
    configured_s: float


#: Fitted by ``bertlib.profile.gemm.fit()`` to the traced rows of each architecture's file.
MATMUL_RATES: dict[str, MatmulRates] = {
    "WORMHOLE_B0": MatmulRates(math_efficiency=0.766, unpack_bytes_per_cycle=74.1, launch_s=8.45e-07, block_s=9.19e-07,
                               default_block_s=7.46e-07, dram_efficiency=0.333),
    "BLACKHOLE": MatmulRates(math_efficiency=0.908, unpack_bytes_per_cycle=108.0, launch_s=0.0, block_s=7.56e-07,
                             default_block_s=0.0, dram_efficiency=0.677),
}

#: Fitted by ``bertlib.profile.gemm.fit()`` to the untraced rows: the hosts that measured each file.
GEMM_HOSTS: dict[str, Dispatch] = {
    "N150": Dispatch(plain_s=5.2e-05, configured_s=0.000134),
    "P150": Dispatch(plain_s=1.6e-05, configured_s=7.4e-05),
}
