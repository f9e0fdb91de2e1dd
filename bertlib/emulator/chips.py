"""The chips the emulator stands in for, and the cost model predicts: one table of public figures.

Per chip (an n300 board is two of them, run data parallel). ``grid`` is the compute grid ttnn hands to
ops (``device.compute_with_storage_grid_size()``), not the chip's whole Tensix count: a few cores run
dispatch. Each figure names where it was published.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WORMHOLE_SPECS = "docs.tenstorrent.com/aibs/wormhole/specifications.html"
BLACKHOLE_SPECS = "docs.tenstorrent.com/aibs/blackhole/specifications.html"
MATRIX_ENGINE = "tt-metal tech_reports/matrix_engine/matrix_engine.md"
#: The math fidelities, lowest first, and how many phases (passes over each product) each runs on the matrix
#: engine (MATRIX_ENGINE): the emulator's numerics and the cost model read this one table.
FIDELITY_PHASES = {"LoFi": 1, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}
DATA_MOVEMENT = "tt-metal tests/tt_metal/tt_metal/data_movement/documentation/intro_to_dm.md"
ISA_L1 = "tenstorrent/tt-isa-documentation WormholeB0/TensixTile/L1.md"
GRID = "tt-metal: device.compute_with_storage_grid_size() on the card"
GIB = 1 << 30


@dataclass(frozen=True)
class Chip:
    """One chip's public figures. ``grid`` is (y, x); byte rates are per second, capacities in bytes."""

    name: str
    label: str
    arch: str
    descriptor: str  # the mock cluster descriptor (bertlib/emulator/descriptors) that ttnn reads on the host
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


_WORMHOLE = dict(
    arch="WORMHOLE_B0", descriptor="wormhole_n150.yaml", grid=(8, 8), clock_hz=1.0e9, l1_bytes_per_core=1464 * 1024,
    dram_bytes=12 * GIB, dram_bytes_per_s=288e9, noc_bytes_per_cycle=32, pcie_bytes_per_s=32e9,
    sources=dict(clock=WORMHOLE_SPECS + " (1 GHz AI clock)", dram=WORMHOLE_SPECS + " (12 GB GDDR6, 288 GB/s per chip)",
                 l1=ISA_L1 + " (1464 KiB per Tensix)", noc=DATA_MOVEMENT + " (32 B/cycle per NoC, two NoCs)",
                 pcie=WORMHOLE_SPECS + " (PCIe 4.0 x16)", matmul=MATRIX_ENGINE, grid=GRID + " (8x8)"),
)

CHIPS: dict[str, Chip] = {
    "wormhole_n150": Chip("wormhole_n150", "Wormhole n150", devices=1, **_WORMHOLE),
    "wormhole_n300": Chip("wormhole_n300", "Wormhole n300 (2 chips, data parallel)", devices=2, **_WORMHOLE),
    "blackhole_p150": Chip(
        "blackhole_p150", "Blackhole p150", arch="BLACKHOLE", descriptor="blackhole_p150.yaml", devices=1,
        grid=(10, 13), clock_hz=1.35e9, l1_bytes_per_core=1536 * 1024, dram_bytes=32 * GIB, dram_bytes_per_s=512e9,
        noc_bytes_per_cycle=64, pcie_bytes_per_s=64e9,
        sources=dict(clock=BLACKHOLE_SPECS + " (AI clock up to 1.35 GHz)",
                     dram=BLACKHOLE_SPECS + " (32 GB GDDR6, 512 GB/s)",
                     l1=BLACKHOLE_SPECS + " (210 MB SRAM over 140 Tensix: 1.5 MB each)",
                     noc=DATA_MOVEMENT + " (64 B/cycle per NoC, two NoCs)", pcie=BLACKHOLE_SPECS + " (PCIe 5.0 x16)",
                     matmul=MATRIX_ENGINE, grid=GRID + " (13x10)"),
    ),
}


class UnknownChipError(KeyError):
    """A chip name that is not in ``CHIPS``."""

    def __str__(self) -> str:
        return f"unknown chip {self.args[0]!r}: use one of {', '.join(CHIPS)}"


def chip(name: str) -> Chip:
    """The chip called ``name``, or ``UnknownChipError`` listing the known ones."""
    if name not in CHIPS:
        raise UnknownChipError(name)
    return CHIPS[name]
