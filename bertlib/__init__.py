"""bertlib: the plumbing behind the bert-ttnn notebooks (device layer, emulator, PCC, models, QA)."""

import os

# Quiet ttnn's import-time DEBUG line and tt-metal's INFO logs unless the user asked for them.
os.environ.setdefault("LOGURU_LEVEL", "WARNING")
os.environ.setdefault("TT_LOGGER_LEVEL", "error")

from bertlib.device import DeviceError, DeviceHandle, open_device
from bertlib.pcc import comp_pcc

__all__ = ["DeviceError", "DeviceHandle", "comp_pcc", "open_device"]
