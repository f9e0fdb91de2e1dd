"""BERT-family models in TT-NN: the registry, precision configs, parameter preprocessing and the runner.

The names below are imported on first use: reading a precision config or finding a model's files does not
import ttnn or torch.
"""

from bertlib.lazy import lazy_attributes

_LAZY = {
    "TTModel": "bertlib.models.runner", "TTConfig": "bertlib.models.tt_config", "Params": "bertlib.models.preprocess",
    "PRECISIONS": "bertlib.models.precisions", "PrecisionConfig": "bertlib.models.precisions",
    "UnknownPrecisionError": "bertlib.models.precisions", "get_precision": "bertlib.models.precisions",
    "LoadedModel": "bertlib.models.registry", "ModelError": "bertlib.models.registry",
    "OfflineModelError": "bertlib.models.registry", "NoTrainedModelError": "bertlib.models.registry",
    "load_model": "bertlib.models.registry",
}
__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes("bertlib.models", _LAZY)
