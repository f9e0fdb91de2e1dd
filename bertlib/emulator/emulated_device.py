"""The emulated device: what TT-NN code asks of ``ttnn.open_device(...)``'s result, for a chip of ``CHIPS``.

ttnn 0.81.1's ``open_device`` returns a 1x1 ``ttnn.MeshDevice``; ``EmulatedDevice`` answers that API. The names
of real ``MeshDevice`` that need a card (sub-device managers, physical core coordinates, fabric, submeshes)
are refused by name with ``UnsupportedTTNNOp`` (an ``AttributeError``, so ``hasattr`` stays False).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ttnn

from bertlib.emulator.chips import Chip
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import to_float32

#: DRAM channels per chip, as ``device.dram_grid_size()`` reports them (x channels by 1): tt-metal's SoC
#: descriptors give Wormhole 12 DRAM channels and Blackhole p150 8 banks.
DRAM_CHANNELS = {"WORMHOLE_B0": 12, "BLACKHOLE": 8}


#: The SFPU's machine epsilon, NaN and infinity on Wormhole B0 and Blackhole (tt-metal ``EPS_WHB0``,
#: ``NAN_WHB0``, ``INF_WHB0``; ``*_BH`` are the same values), as the float32 a card returns.
SFPU = {"eps": to_float32(1.19209e-7), "nan": to_float32(7.0040e19), "inf": to_float32(1.7014e38)}
#: Real ``ttnn.MeshDevice``'s public names: those the emulated devices lack are refused as needing a card.
_REAL_DEVICE_API = frozenset(n for n in dir(ttnn.MeshDevice) if not n.startswith("_"))


def _card_only(kind: str, name: str) -> UnsupportedTTNNOp:
    if "sub_device" in name:
        why = "sub-device managers need a Tenstorrent card: the emulator runs every op on the whole chip"
    else:
        why = ("it reads or changes a card's physical cores, fabric or submeshes, which the emulator does not "
               "model; run on a Tenstorrent card")
    return UnsupportedTTNNOp(f"{kind}.{name} is not emulated: {why}")


class DeviceAPI:
    """What ``EmulatedDevice`` and the emulated ``MeshDevice`` both answer, from the first chip; subclasses give
    ``_chip()``, ``get_num_devices()`` and ``get_device_ids()``."""

    def _chip(self) -> Chip:
        raise NotImplementedError

    def arch(self) -> Any:
        return getattr(ttnn.device.Arch, self._chip().arch)

    def compute_with_storage_grid_size(self) -> Any:
        return ttnn.CoreCoord(self._chip().grid[1], self._chip().grid[0])

    def dram_grid_size(self) -> Any:
        """The DRAM grid (x: DRAM channels, y: 1) of the first chip, as ``MeshDevice.dram_grid_size`` gives it."""
        return ttnn.CoreCoord(DRAM_CHANNELS[self._chip().arch], 1)

    @property
    def core_grid(self) -> Any:
        """The compute grid as a ``ttnn.CoreGrid`` (tt-metal's BERT code passes it as ``core_grid=``)."""
        return ttnn.CoreGrid(y=self._chip().grid[0], x=self._chip().grid[1])

    def sfpu_eps(self) -> float:
        return SFPU["eps"]

    def sfpu_nan(self) -> float:
        return SFPU["nan"]

    def sfpu_inf(self) -> float:
        return SFPU["inf"]

    def quiesce_devices(self) -> None:
        """Wait for the devices to go idle: every emulated op has finished when it returns."""

    def __getattr__(self, name: str) -> Any:
        if name in _REAL_DEVICE_API:
            raise _card_only("MeshDevice", name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")


@dataclass
class EmulatedDevice(DeviceAPI):
    """An opened emulated chip: its grid, its L1 and the sizes it was opened with."""

    chip: Chip
    device_id: int = 0
    closed: bool = False
    trace_region_size: int = 0  # bytes for captured traces; ttnn's default is 0 (no trace capture)
    num_command_queues: int = 1
    l1_small_size: int = 0  # kept as on a card, where only conv, pooling and CCL ops allocate from it
    program_cache_enabled: bool = True  # on by default in ttnn 0.81.1
    program_cache_misses_allowed: bool = True
    programs: set = field(default_factory=set)  # keys of the ops a card's program cache would hold

    def _chip(self) -> Chip:
        return self.chip

    @property
    def shape(self) -> Any:
        """A single chip is a 1x1 mesh, as ``ttnn.open_device`` returns it."""
        return ttnn.MeshShape(1, 1)

    def get_num_devices(self) -> int:
        return 1

    def get_device_ids(self) -> list[int]:
        return [self.device_id]

    def id(self) -> int:
        return self.device_id

    def enable_program_cache(self) -> None:
        self.program_cache_enabled = True

    def disable_and_clear_program_cache(self) -> None:
        self.program_cache_enabled = False
        self.programs.clear()

    def clear_program_cache(self) -> None:
        self.programs.clear()

    def set_program_cache_misses_allowed(self, allowed: bool) -> None:
        """With ``False``, an op whose program is not cached yet fails, as on a card (used to prove a trace's ops
        are all warm)."""
        self.program_cache_misses_allowed = bool(allowed)

    def cache_program(self, key: tuple) -> None:
        """Note a device op as a card's program cache would: one entry per op and tensor specs it was compiled for
        (the emulator compiles nothing; the count is what ``num_program_cache_entries`` reports)."""
        if not self.program_cache_enabled:
            return
        if key not in self.programs and not self.program_cache_misses_allowed:
            raise RuntimeError(f"{key[0]}: program cache miss occurred, but cache misses are forbidden "
                               "(device.set_program_cache_misses_allowed(False)): run the op once before")
        self.programs.add(key)

    def num_program_cache_entries(self) -> int:
        return len(self.programs)

    def __repr__(self) -> str:
        return f"EmulatedDevice({self.chip.name}, grid {self.chip.grid[0]}x{self.chip.grid[1]})"
