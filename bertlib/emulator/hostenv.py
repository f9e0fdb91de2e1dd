"""The host without a card: whether a card is present, and the mock cluster descriptor real ttnn reads so
that its host conversions (bfloat8_b, TILE, ...) work. Imports neither ttnn nor torch."""

from __future__ import annotations

import glob
import os
from pathlib import Path

from bertlib.emulator.chips import chip

DESCRIPTORS = Path(__file__).parent / "descriptors"
MOCK_VARIABLE = "TT_METAL_MOCK_CLUSTER_DESC_PATH"


def card_present() -> bool:
    """True when a Tenstorrent card's driver node exists (``/dev/tenstorrent*``)."""
    return bool(glob.glob("/dev/tenstorrent*"))


def ensure_host_conversions(chip_name: str = "wormhole_n150") -> str | None:
    """Point ttnn at a mock cluster descriptor so host dtype conversions work without a card.

    Only without a card: once the variable is set, ttnn reports a mock chip. Returns the path in use.
    """
    if card_present():
        return None
    if MOCK_VARIABLE not in os.environ:
        os.environ[MOCK_VARIABLE] = str(DESCRIPTORS / chip(chip_name).descriptor)
    return os.environ[MOCK_VARIABLE]
