"""Port a model gradually: every ``nn.Linear`` of a HF model runs its matmul in TT-NN, the rest stays torch.

``swap_linears(model, precision, handle)`` returns a copy of the model whose linear layers are
:class:`TTNNLinear`: the weight is preprocessed once onto the device (card or emulator) at the precision
config's weight dtype, and each call moves the activations over, runs ``ttnn.linear`` with the config's
compute kernel config, and brings the result back.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn
from ttnn.model_preprocessing import preprocess_linear_bias, preprocess_linear_weight

from bertlib.models.precisions import PrecisionConfig, get_precision
from bertlib.models.tt_config import make_compute_kernel_config


class TTNNLinear(nn.Module):
    """A drop-in for ``nn.Linear`` whose matmul runs in TT-NN."""

    def __init__(self, linear: nn.Linear, precision: PrecisionConfig, handle: Any) -> None:
        super().__init__()
        self.device, self.ttnn = handle
        ttnn = self.ttnn
        self.precision = precision
        self.out_features = linear.out_features
        dtype = getattr(ttnn, precision.weights_dtype)
        self.weight = ttnn.to_device(preprocess_linear_weight(linear.weight.detach().float(), dtype=dtype), self.device)
        self.bias = None
        if linear.bias is not None:
            self.bias = ttnn.to_device(preprocess_linear_bias(linear.bias.detach().float(), dtype=dtype), self.device)
        self.compute_kernel_config = make_compute_kernel_config(ttnn, precision)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ttnn = self.ttnn
        activations = ttnn.from_torch(x.detach().float(), dtype=getattr(ttnn, self.precision.activations_dtype),
                                      layout=ttnn.TILE_LAYOUT, device=self.device)
        out = ttnn.linear(activations, self.weight, bias=self.bias, dtype=ttnn.bfloat16,
                          compute_kernel_config=self.compute_kernel_config)
        return ttnn.to_torch(out).to(x.dtype)


def swap_linears(model: nn.Module, precision: str | PrecisionConfig, handle: Any) -> nn.Module:
    """A copy of ``model`` with every ``nn.Linear`` replaced by a :class:`TTNNLinear`."""
    precision = get_precision(precision)
    swapped = copy.deepcopy(model)
    for module in list(swapped.modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.Linear):
                setattr(module, child_name, TTNNLinear(child, precision, handle))
    return swapped.eval()
