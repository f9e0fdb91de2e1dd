"""The host without a card: whether a card is present, and the mock cluster descriptor real ttnn reads so
that its host conversions (bfloat8_b, TILE, ...) work. Imports neither ttnn nor torch."""

from __future__ import annotations

import glob
import os
from pathlib import Path

from bertlib.emulator.chips import chip

DESCRIPTORS = Path(__file__).parent / "descriptors"
MOCK_VARIABLE = "TT_METAL_MOCK_CLUSTER_DESC_PATH"


SIMULATOR_VARIABLE = "TT_METAL_SIMULATOR"


def real_backend() -> str | None:
    """What real ttnn can open a device on: ``"card"`` (a driver node ``/dev/tenstorrent*``), ``"ttsim"``
    (Tenstorrent's simulator: ``TT_METAL_SIMULATOR`` names its library, with a tt-metal build), or None."""
    if glob.glob("/dev/tenstorrent*"):
        return "card"
    simulator = os.environ.get(SIMULATOR_VARIABLE)
    if simulator and Path(simulator).is_file():
        return "ttsim"
    return None


def card_present() -> bool:
    """True when real ttnn can open a device: a Tenstorrent card, or ttsim standing in for one (``real_backend``)."""
    return real_backend() is not None


def ensure_host_conversions(chip_name: str = "wormhole_n150") -> str | None:
    """Point ttnn at a mock cluster descriptor so host dtype conversions work without a card.

    Only without a card: once the variable is set, ttnn reports a mock chip. Returns the path in use.
    """
    if card_present():
        return None
    if MOCK_VARIABLE not in os.environ:
        os.environ[MOCK_VARIABLE] = str(DESCRIPTORS / chip(chip_name).descriptor)
    return os.environ[MOCK_VARIABLE]


def check_open_arguments(num_command_queues: int, trace_region_size: int, l1_small_size: int) -> None:
    """What a card checks when it is opened, with what to pass instead."""
    if num_command_queues not in (1, 2):
        raise RuntimeError(f"num_command_queues={num_command_queues}: a Tenstorrent device has 1 or 2 command queues")
    if trace_region_size < 0 or l1_small_size < 0:
        raise RuntimeError("trace_region_size and l1_small_size are sizes in bytes: give 0 or more")
