"""bertlib: the plumbing behind the bert-ttnn notebooks (device layer, emulator, PCC, models, QA).

The names below are imported on first use, so ``import bertlib`` does not pay for torch, pandas or
transformers until something needs them. The layer-by-layer comparison is ``bertlib.compare.compare``.
"""

import os

from bertlib.lazy import lazy_attributes

# Quiet ttnn's import-time DEBUG line and tt-metal's INFO logs unless the user asked for them.
os.environ.setdefault("LOGURU_LEVEL", "WARNING")
os.environ.setdefault("TT_LOGGER_LEVEL", "error")

_LAZY = {
    "BertlibError": "bertlib.errors", "DeviceError": "bertlib.device", "DeviceHandle": "bertlib.device",
    "open_device": "bertlib.device", "comp_pcc": "bertlib.pcc", "load_model": "bertlib.models.registry",
}
__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes("bertlib", _LAZY)
