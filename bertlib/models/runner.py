"""The runner: a loaded model's weights preprocessed once onto a device, called on token ids.

``run_model`` is the one place a forward pass starts from token ids (``TTModel``, the cost model's shape
trace and the card measurements all call it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from bertlib.device import DeviceError
from bertlib.models.bert import bert_for_question_answering, preprocess_inputs
from bertlib.models.precisions import PrecisionConfig, get_precision
from bertlib.models.preprocess import Params, preprocess_parameters
from bertlib.models.registry import LoadedModel
from bertlib.models.tt_config import TTConfig


def run_model(config: TTConfig, parameters: Params, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None,
              attention_mask: torch.Tensor, captures: list[dict] | None = None) -> Any:
    """QA logits on the device for token ids on the host: inputs placed as ``config`` says, then the model."""
    inputs = preprocess_inputs(config, input_ids, token_type_ids, attention_mask)
    return bert_for_question_answering(config, *inputs, parameters=parameters, captures=captures)


@dataclass
class TTModel:
    """A loaded model's weights on a device at one precision, callable on token ids."""

    loaded: LoadedModel
    config: TTConfig
    parameters: Params
    handle: Any = field(default=None, repr=False)  # the device handle the weights live on

    @classmethod
    def build(cls, loaded: LoadedModel, precision: str | PrecisionConfig, handle: Any) -> TTModel:
        """Preprocess ``loaded``'s weights once for ``precision`` onto ``handle``'s device."""
        config = TTConfig(loaded.config, get_precision(precision), handle.ttnn, handle.device)
        return cls(loaded, config, preprocess_parameters(loaded.hf_model, config), handle)

    def __call__(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None, attention_mask: torch.Tensor,
                 captures: list[dict] | None = None) -> torch.Tensor:
        """QA logits ``(B, S, 2)`` as float32 on the host; a ``DeviceError`` once the device has been closed."""
        if self.handle is not None and self.handle.closed:
            raise DeviceError("this model's device was closed (handle.close() frees its weights): open a device "
                              "and build the model again (in a notebook, run it again from the top)")
        if not self.loaded.has_token_types:
            token_type_ids = None
        logits = run_model(self.config, self.parameters, input_ids, token_type_ids, attention_mask, captures)
        ttnn, device = self.config.ttnn, self.config.device
        composer = ttnn.ConcatMeshToTensor(device, dim=0) if device.get_num_devices() > 1 else None
        return ttnn.to_torch(logits, mesh_composer=composer).to(torch.float32)

