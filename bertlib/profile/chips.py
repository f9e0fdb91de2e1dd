"""Public figures of the chips the cost model predicts, each with where it was published.

Per chip (an n300 board is two of them, run data parallel). The compute grid is the one ttnn hands to
ops (``bertlib.device.CHIPS``), not the chip's whole Tensix count: a few cores run dispatch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bertlib.device import CHIPS as DEVICE_CHIPS

WORMHOLE_SPECS = "docs.tenstorrent.com/aibs/wormhole/specifications.html"
BLACKHOLE_SPECS = "docs.tenstorrent.com/aibs/blackhole/specifications.html"
MATRIX_ENGINE = "tt-metal tech_reports/matrix_engine/matrix_engine.md"
DATA_MOVEMENT = "tt-metal tests/tt_metal/tt_metal/data_movement/documentation/intro_to_dm.md"
ISA_L1 = "tenstorrent/tt-isa-documentation WormholeB0/TensixTile/L1.md"

#: Matrix-engine work per Tensix core per cycle (both Wormhole and Blackhole): an 8x16 @ 16x16 product,
#: 4096 FLOPs, divided by the fidelity phases (LoFi 1, HiFi2 2, HiFi3 3, HiFi4 4). Source: MATRIX_ENGINE.
MATMUL_FLOPS_PER_CYCLE = 4096
FIDELITY_PHASES = {"LoFi": 1, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}
#: Element-wise work per core per cycle: 8x16 adds or multiplies (MATRIX_ENGINE); used for every
#: non-matmul op (softmax, layer norm, GELU, adds), where the vector engine is no faster.
ELTWISE_FLOPS_PER_CYCLE = 128


@dataclass(frozen=True)
class ChipFigures:
    """One chip's public figures. Byte rates are per second, capacities in bytes."""

    name: str
    label: str
    devices: int
    grid: tuple[int, int]
    clock_hz: float
    l1_bytes_per_core: int
    dram_bytes: int
    dram_bytes_per_s: float
    noc_bytes_per_cycle: int
    pcie_bytes_per_s: float
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def cores(self) -> int:
        return self.grid[0] * self.grid[1]

    @property
    def l1_bytes(self) -> int:
        """L1 over the compute grid: the most an all-in-L1 model can keep there."""
        return self.cores * self.l1_bytes_per_core


def _grid(name: str) -> tuple[int, int]:
    chip = DEVICE_CHIPS[name]
    return (chip.grid_y, chip.grid_x)


GIB = 1 << 30
_WORMHOLE = dict(
    grid=_grid("wormhole_n150"), clock_hz=1.0e9, l1_bytes_per_core=1464 * 1024, dram_bytes=12 * GIB,
    dram_bytes_per_s=288e9, noc_bytes_per_cycle=32, pcie_bytes_per_s=32e9,
    sources=dict(clock=WORMHOLE_SPECS + " (1 GHz AI clock)", dram=WORMHOLE_SPECS + " (12 GB GDDR6, 288 GB/s per chip)",
                 l1=ISA_L1 + " (1464 KiB per Tensix)", noc=DATA_MOVEMENT + " (32 B/cycle per NoC, two NoCs)",
                 pcie=WORMHOLE_SPECS + " (PCIe 4.0 x16)", matmul=MATRIX_ENGINE, grid="bertlib.device.CHIPS"),
)

CHIPS: dict[str, ChipFigures] = {
    "wormhole_n150": ChipFigures("wormhole_n150", "Wormhole n150", devices=1, **_WORMHOLE),
    "wormhole_n300": ChipFigures("wormhole_n300", "Wormhole n300 (2 chips, data parallel)", devices=2, **_WORMHOLE),
    "blackhole_p150": ChipFigures(
        "blackhole_p150", "Blackhole p150", devices=1, grid=_grid("blackhole_p150"), clock_hz=1.35e9,
        l1_bytes_per_core=1536 * 1024, dram_bytes=32 * GIB, dram_bytes_per_s=512e9, noc_bytes_per_cycle=64,
        pcie_bytes_per_s=64e9,
        sources=dict(clock=BLACKHOLE_SPECS + " (AI clock up to 1.35 GHz)",
                     dram=BLACKHOLE_SPECS + " (32 GB GDDR6, 512 GB/s)",
                     l1=BLACKHOLE_SPECS + " (210 MB SRAM over 140 Tensix: 1.5 MB each)",
                     noc=DATA_MOVEMENT + " (64 B/cycle per NoC, two NoCs)", pcie=BLACKHOLE_SPECS + " (PCIe 5.0 x16)",
                     matmul=MATRIX_ENGINE, grid="bertlib.device.CHIPS"),
    ),
}
