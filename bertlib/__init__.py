"""bertlib: the plumbing behind the bert-ttnn notebooks (device layer, emulator, PCC, models, QA)."""

import os

# Quiet ttnn's import-time DEBUG line and tt-metal's INFO logs unless the user asked for them.
os.environ.setdefault("LOGURU_LEVEL", "WARNING")
os.environ.setdefault("TT_LOGGER_LEVEL", "error")

from bertlib.compare import compare  # noqa: E402
from bertlib.device import DeviceError, DeviceHandle, open_device  # noqa: E402
from bertlib.errors import BertlibError  # noqa: E402
from bertlib.models.registry import load_model  # noqa: E402
from bertlib.pcc import comp_pcc  # noqa: E402

__all__ = ["BertlibError", "DeviceError", "DeviceHandle", "comp_pcc", "compare", "load_model", "open_device"]
