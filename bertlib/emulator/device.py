"""The emulated device: what TT-NN code asks of ``ttnn.open_device(...)``'s result, for a chip of ``CHIPS``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ttnn

from bertlib.emulator.chips import Chip


@dataclass
class EmulatedDevice:
    """An opened emulated chip: its grid, its L1 and the sizes it was opened with."""

    chip: Chip
    device_id: int = 0
    closed: bool = False
    trace_region_size: int = 0  # bytes for captured traces; ttnn's default is 0 (no trace capture)
    num_command_queues: int = 1
    l1_small_size: int = 0  # kept as on a card, where only conv, pooling and CCL ops allocate from it
    program_cache_enabled: bool = True  # on by default in ttnn 0.81.1
    programs: set = field(default_factory=set)  # keys of the ops a card's program cache would hold

    def arch(self) -> Any:
        return getattr(ttnn.device.Arch, self.chip.arch)

    def compute_with_storage_grid_size(self) -> Any:
        return ttnn.CoreCoord(self.chip.grid[1], self.chip.grid[0])

    @property
    def core_grid(self) -> Any:
        """The compute grid as a ``ttnn.CoreGrid`` (tt-metal's BERT code passes it as ``core_grid=``)."""
        return ttnn.CoreGrid(y=self.chip.grid[0], x=self.chip.grid[1])

    def get_num_devices(self) -> int:
        return 1

    def id(self) -> int:
        return self.device_id

    def enable_program_cache(self) -> None:
        self.program_cache_enabled = True

    def disable_and_clear_program_cache(self) -> None:
        self.program_cache_enabled = False
        self.programs.clear()

    def cache_program(self, key: tuple) -> None:
        """Note a device op as a card's program cache would: one entry per op and tensor specs it was compiled for
        (the emulator compiles nothing; the count is what ``num_program_cache_entries`` reports)."""
        if self.program_cache_enabled:
            self.programs.add(key)

    def num_program_cache_entries(self) -> int:
        return len(self.programs)

    def __repr__(self) -> str:
        return f"EmulatedDevice({self.chip.name}, grid {self.chip.grid[0]}x{self.chip.grid[1]})"
