"""bertlib: the plumbing behind the bert-ttnn notebooks (device layer, emulator, PCC, models, QA)."""

import os

# Quiet ttnn's import-time DEBUG line and tt-metal's INFO logs unless the user asked for them.
os.environ.setdefault("LOGURU_LEVEL", "WARNING")
os.environ.setdefault("TT_LOGGER_LEVEL", "error")

from bertlib.device import DeviceError, DeviceHandle, open_device  # noqa: E402
from bertlib.errors import BertlibError  # noqa: E402
from bertlib.pcc import comp_pcc  # noqa: E402


def compare(*args, **kwargs):
    """Layer-by-layer PCC of TT-NN against HuggingFace (see ``bertlib.compare.compare``)."""
    from bertlib.compare import compare as _compare

    return _compare(*args, **kwargs)


def load_model(name: str = "auto"):
    """Load a QA model by name (see ``bertlib.models.registry``)."""
    from bertlib.models.registry import load_model as _load

    return _load(name)


__all__ = ["BertlibError", "DeviceError", "DeviceHandle", "comp_pcc", "compare", "load_model", "open_device"]
