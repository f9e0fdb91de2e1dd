"""bertlib: the plumbing behind the bert-ttnn notebooks (device layer, emulator, PCC, models, QA).

The names below are imported on first use, so ``import bertlib`` does not pay for torch, pandas or
transformers until something needs them. The layer-by-layer comparison is ``bertlib.compare.compare``.
"""

import importlib.abc
import importlib.machinery
import os
import sys
from typing import Any

from bertlib.lazy import lazy_attributes

# Quiet tt-metal's INFO logs (its C++ logger) unless the user asked for them.
os.environ.setdefault("TT_LOGGER_LEVEL", "error")


class _QuietTTNNImport(importlib.abc.MetaPathFinder):
    """Real ttnn logs its whole configuration at DEBUG while it is imported. This finder silences loguru records
    from the ``ttnn`` package for the length of that import only, leaving the user's loguru level and handlers as
    they are (``LOGURU_LEVEL`` is the user's to set)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "ttnn":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            from loguru import logger

            logger.disable("ttnn")
            try:
                run(module)
            finally:
                # what ttnn itself disabled while loading (its tracer.py: "ttnn.torch_tracer") stays disabled
                own = [name.rstrip(".") for name, on in getattr(logger._core, "activation_list", [])
                       if not on and name.startswith("ttnn.") and name != "ttnn."]
                logger.enable("ttnn")
                for name in own:
                    logger.disable(name)

        spec.loader.exec_module = exec_module
        return spec


if "ttnn" not in sys.modules:
    sys.meta_path.insert(0, _QuietTTNNImport())

_LAZY = {
    "BertlibError": "bertlib.errors", "DeviceError": "bertlib.device", "DeviceHandle": "bertlib.device",
    "open_device": "bertlib.device", "comp_pcc": "bertlib.pcc", "load_model": "bertlib.models.registry",
}
__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes("bertlib", _LAZY)
