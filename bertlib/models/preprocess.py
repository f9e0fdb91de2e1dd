"""HF state dict -> the parameter tree the TT-NN blocks read, placed on the device once.

Uses real ttnn's ``ttnn.model_preprocessing`` helpers (they run on the host without a card) for the
dtype and layout conversions; the Q, K and V weights are fused into one ``query_key_value`` linear.
A model on torch's ``meta`` device (shapes, no values) gives a tree of value-less emulated tensors with
the same shapes, dtypes and layouts, for shape-only tracing (``bertlib.profile``).
"""

from __future__ import annotations

from typing import Any

import torch
from ttnn.model_preprocessing import preprocess_embedding_weight as _embedding_weight
from ttnn.model_preprocessing import preprocess_layernorm_parameter as _layernorm_parameter
from ttnn.model_preprocessing import preprocess_linear_bias as _linear_bias
from ttnn.model_preprocessing import preprocess_linear_weight as _linear_weight

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
    helpers = (_linear_weight, _linear_bias, _layernorm_parameter, _embedding_weight)
    if next(iter(state.values())).is_meta:
        helpers = _shape_only_helpers(ttnn)
    preprocess_linear_weight, preprocess_linear_bias, preprocess_layernorm_parameter, preprocess_embedding_weight = helpers

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


def _shape_only_helpers(ttnn: Any) -> tuple[Any, Any, Any, Any]:
    """Stand-ins for the four ``model_preprocessing`` helpers on meta tensors: the same output shapes,
    dtypes and layouts, no values (the emulated ``from_torch`` stores none while tracing shape-only)."""

    def empty(shape: tuple[int, ...], dtype: Any, layout: Any) -> Any:
        return ttnn.from_torch(torch.empty(shape, device="meta"), dtype=dtype, layout=layout)

    def weight(w: torch.Tensor, *, dtype: Any) -> Any:
        return empty((w.shape[1], w.shape[0]), dtype, ttnn.TILE_LAYOUT)

    def row(v: torch.Tensor, *, dtype: Any) -> Any:  # a bias or a LayerNorm parameter: one tiled row
        return empty((1, v.shape[0]), dtype, ttnn.TILE_LAYOUT)

    def embedding(w: torch.Tensor, *, dtype: Any) -> Any:
        return empty(tuple(w.shape), dtype, ttnn.ROW_MAJOR_LAYOUT)

    return weight, row, row, embedding
