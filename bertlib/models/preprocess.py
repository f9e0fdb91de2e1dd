"""HF weights -> the parameter tree the TT-NN blocks read, placed on the device once.

Uses real ttnn's ``ttnn.model_preprocessing`` helpers (they run on the host without a card) for the
dtype and layout conversions; the Q, K and V weights are fused into one ``query_key_value`` linear. The
tree has BERT's names: each family maps its weights onto them (``Family.tree_name``).
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

from bertlib.models.registry import family
from bertlib.models.tt_config import TTConfig


class Params(dict):
    """A dict whose keys read as attributes: ``parameters.encoder.layer[0].attention``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no parameter {name!r} here (have: {', '.join(self)})") from None


def bert_state_dict(hf_model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The QA model's weights that the tree reads, under the tree's (BERT's) names, as float32."""
    rename = family(hf_model.config.model_type).tree_name
    named = ((rename(name), value) for name, value in hf_model.named_parameters())
    return {key: value.detach().to(torch.float32) for key, value in named if key is not None}


def preprocess_parameters(hf_model: torch.nn.Module, config: TTConfig) -> Params:
    """Every weight converted to the precision config's dtypes and placed in the device's DRAM."""
    ttnn, device = config.ttnn, config.device
    state = bert_state_dict(hf_model)
    weights = config.weights_dtype
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
    for i in range(config.num_layers):
        p = f"encoder.layer.{i}"
        qkv_weight, qkv_bias = (fused_qkv([state[f"{p}.attention.self.{n}.{kind}"] for n in ("query", "key", "value")],
                                          heads=config.num_heads, per_head=config.qkv_per_head)
                                for kind in ("weight", "bias"))
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


def fused_qkv(parts: list[torch.Tensor], *, heads: int, per_head: bool) -> torch.Tensor:
    """Q, K and V weights (or biases) as one ``(3H, ...)`` tensor: ``[Q K V]``, or with ``per_head`` grouped per
    head, ``[Q_0 K_0 V_0 Q_1 K_1 V_1 ...]``: the layout a sharded ``split_query_key_value_and_split_heads``
    reads (tt-metal's ``create_qkv_heads``), so each core's block of columns holds whole heads."""
    if not per_head:
        return torch.cat(parts, dim=0)
    grouped = torch.stack([p.reshape(heads, p.shape[0] // heads, *p.shape[1:]) for p in parts], dim=1)
    return grouped.reshape(-1, *parts[0].shape[1:])  # (heads, 3, head_size, ...) -> (3H, ...)


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
