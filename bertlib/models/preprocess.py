"""HF state dict -> the parameter tree the TT-NN blocks read, placed on the device once.

Uses real ttnn's ``ttnn.model_preprocessing`` helpers (they run on the host without a card) for the
dtype and layout conversions; the Q, K and V weights are fused into one ``query_key_value`` linear.
"""

from __future__ import annotations

from typing import Any

import torch
from ttnn.model_preprocessing import (
    preprocess_embedding_weight,
    preprocess_layernorm_parameter,
    preprocess_linear_bias,
    preprocess_linear_weight,
)

from bertlib.models import distilbert


class Params(dict):
    """A dict whose keys read as attributes: ``parameters.encoder.layer[0].attention``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no parameter {name!r} here (have: {', '.join(self)})") from None


def bert_state_dict(hf_model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The QA model's weights under BERT's names, without the ``bert.`` prefix."""
    out = {}
    is_distil = hf_model.config.model_type == "distilbert"
    for name, value in hf_model.state_dict().items():
        key = distilbert.bert_name(name) if is_distil else name.removeprefix("bert.")
        if key is not None and not key.endswith("position_ids") and "pooler" not in key:
            out[key] = value.detach().to(torch.float32)
    return out


def num_layers(hf_config: Any) -> int:
    return getattr(hf_config, "num_hidden_layers", None) or hf_config.n_layers


def preprocess_parameters(hf_model: torch.nn.Module, config: Any) -> Params:
    """Every weight converted to the precision config's dtypes and placed in the device's DRAM."""
    ttnn, device = config.ttnn, config.device
    state = bert_state_dict(hf_model)
    weights = config.dtype("weights")
    dram = ttnn.DRAM_MEMORY_CONFIG

    def place(tensor: Any) -> Any:
        return ttnn.to_device(tensor, device, memory_config=dram)

    def linear(prefix: str) -> Params:
        return Params(
            weight=place(preprocess_linear_weight(state[f"{prefix}.weight"], dtype=weights)),
            bias=place(preprocess_linear_bias(state[f"{prefix}.bias"], dtype=weights)),
        )

    def layer_norm(prefix: str) -> Params:
        return Params(
            weight=place(preprocess_layernorm_parameter(state[f"{prefix}.weight"], dtype=ttnn.bfloat16)),
            bias=place(preprocess_layernorm_parameter(state[f"{prefix}.bias"], dtype=ttnn.bfloat16)),
        )

    embeddings = Params(LayerNorm=layer_norm("embeddings.LayerNorm"))
    for table in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        if f"embeddings.{table}.weight" in state:
            embedding = preprocess_embedding_weight(state[f"embeddings.{table}.weight"], dtype=ttnn.bfloat16)
            embeddings[table] = Params(weight=place(embedding))

    layers = []
    for i in range(num_layers(hf_model.config)):
        p = f"encoder.layer.{i}"
        qkv_weight = torch.cat([state[f"{p}.attention.self.{n}.weight"] for n in ("query", "key", "value")], dim=0)
        qkv_bias = torch.cat([state[f"{p}.attention.self.{n}.bias"] for n in ("query", "key", "value")], dim=0)
        layers.append(Params(
            attention=Params(
                self=Params(query_key_value=Params(
                    weight=place(preprocess_linear_weight(qkv_weight, dtype=weights)),
                    bias=place(preprocess_linear_bias(qkv_bias, dtype=weights)),
                )),
                output=Params(dense=linear(f"{p}.attention.output.dense"),
                              LayerNorm=layer_norm(f"{p}.attention.output.LayerNorm")),
            ),
            intermediate=Params(dense=linear(f"{p}.intermediate.dense")),
            output=Params(dense=linear(f"{p}.output.dense"), LayerNorm=layer_norm(f"{p}.output.LayerNorm")),
        ))
    return Params(embeddings=embeddings, encoder=Params(layer=layers), qa_outputs=linear("qa_outputs"))
