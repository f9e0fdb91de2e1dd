"""BERT for question answering in TT-NN, block by block (after tt-metal's ``ttnn_optimized_bert.py``).

Each block is a plain function ``(config, hidden_states, ..., *, parameters)``; ``config`` is a
:class:`~bertlib.models.tt_config.TTConfig` (the HF config, a precision config and the ``ttnn`` namespace to
run on, card or emulator), whose settings are resolved once and written out here at every call: the same
code runs every precision config. Weights come preprocessed once into a parameter tree
(``bertlib.models.preprocess``) under BERT's names, which every family's weights are mapped onto (DistilBERT
has no token-type embeddings). Pass ``capture={}`` to collect every intermediate as a torch tensor.
"""

from __future__ import annotations

from typing import Any

import torch

from bertlib.models.tt_config import TTConfig

MASK_VALUE = -100000.0  # tt-metal clamps the additive attention mask to -1e5 (HF uses the dtype's minimum)


def _keep(config: TTConfig, capture: dict | None, name: str, tensor: Any) -> None:
    if capture is not None:
        capture[name] = config.ttnn.to_torch(tensor).to(torch.float32)


def bert_embeddings(config: TTConfig, input_ids: Any, token_type_ids: Any, position_ids: Any, *, parameters: Any,
                    capture: dict | None = None) -> Any:
    """word + position (+ token type) embeddings, then LayerNorm: ids ``(B, S)`` -> ``(B, S, H)``, placed where
    the encoder reads it."""
    ttnn = config.ttnn
    embeddings = ttnn.embedding(input_ids, parameters.word_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    position = ttnn.embedding(position_ids, parameters.position_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    embeddings = embeddings + position
    if "token_type_embeddings" in parameters:
        token_type = ttnn.embedding(token_type_ids, parameters.token_type_embeddings.weight, layout=ttnn.TILE_LAYOUT)
        embeddings = embeddings + token_type
    output = ttnn.layer_norm(
        embeddings, weight=parameters.LayerNorm.weight, bias=parameters.LayerNorm.bias, epsilon=config.eps,
        memory_config=config.memory_config,
    )
    batch_size, seq_len, _ = output.shape
    encoder_memory_config = config.placement(batch_size, seq_len).encoder_memory_config
    if output.memory_config() != encoder_memory_config:  # sharded: onto the cores, one batch per core column
        output = ttnn.to_memory_config(output, encoder_memory_config, dtype=config.activations_dtype)
    _keep(config, capture, "embeddings", output)
    return output


def bert_attention(config: TTConfig, hidden_states: Any, attention_mask: Any, *, parameters: Any,
                   capture: dict | None = None) -> Any:
    """Multi-head self-attention with the fused QKV linear, then the output projection, residual and LayerNorm."""
    ttnn = config.ttnn
    batch_size, seq_len, hidden_size = hidden_states.shape
    head_size = hidden_size // config.num_heads
    place = config.placement(batch_size, seq_len)

    qkv = ttnn.linear(
        hidden_states, parameters.self.query_key_value.weight, bias=parameters.self.query_key_value.bias,
        dtype=config.qkv_context_ff1_dtype, memory_config=place.hidden_memory_config, core_grid=place.core_grid,
        compute_kernel_config=config.compute_kernel_config, program_config=place.program_configs["query_key_value"],
    )  # (B, S, 3H)
    query, key, value = ttnn.transformer.split_query_key_value_and_split_heads(
        qkv, num_heads=config.num_heads, memory_config=place.heads_memory_config
    )
    ttnn.deallocate(qkv)
    _keep(config, capture, "query", query)
    _keep(config, capture, "key", key)  # (B, heads, head_size, S): ttnn gives K transposed
    _keep(config, capture, "value", value)

    scores = ttnn.matmul(
        query, key, dtype=config.activations_dtype, memory_config=place.heads_memory_config, core_grid=place.core_grid,
        compute_kernel_config=config.compute_kernel_config, program_config=place.program_configs["query_by_key"],
    )  # (B, heads, S, S)
    ttnn.deallocate(query)
    ttnn.deallocate(key)
    _keep(config, capture, "scores", scores)  # before the 1/sqrt(d) scale and the mask

    probs = ttnn.transformer.attention_softmax_(scores, attention_mask=attention_mask, head_size=head_size,
                                                program_config=place.program_configs["softmax"])
    _keep(config, capture, "probs", probs)
    context = ttnn.matmul(
        probs, value, dtype=config.qkv_context_ff1_dtype, memory_config=place.heads_memory_config,
        core_grid=place.core_grid, compute_kernel_config=config.compute_kernel_config,
        program_config=place.program_configs["attention_probabilities_by_value"],
    )  # (B, heads, S, head_size)
    ttnn.deallocate(probs)
    ttnn.deallocate(value)
    context = ttnn.transformer.concatenate_heads(context, memory_config=place.hidden_memory_config)  # (B, S, H)
    _keep(config, capture, "context", context)

    attention_output = bert_output(config, context, hidden_states, parameters=parameters.output, name="self_output")
    _keep(config, capture, "attention_output", attention_output)
    return attention_output


def bert_output(config: TTConfig, hidden_states: Any, residual: Any, *, parameters: Any, name: str = "ff2") -> Any:
    """Linear back to the hidden size, then LayerNorm of it plus the residual (after attention: ``name`` is
    ``"self_output"``, and after the FFN: ``"ff2"``)."""
    ttnn = config.ttnn
    batch_size, seq_len, _ = residual.shape
    place = config.placement(batch_size, seq_len)
    output = ttnn.linear(
        hidden_states, parameters.dense.weight, bias=parameters.dense.bias, dtype=config.activations_dtype,
        memory_config=place.hidden_memory_config, core_grid=place.core_grid,
        compute_kernel_config=config.compute_kernel_config, program_config=place.program_configs[name],
    )  # (B, S, H)
    ttnn.deallocate(hidden_states)
    return ttnn.layer_norm(  # a sharded LayerNorm writes in place, into ``output``; freed on return otherwise
        output, residual_input_tensor=residual, weight=parameters.LayerNorm.weight, bias=parameters.LayerNorm.bias,
        epsilon=config.eps, memory_config=place.hidden_memory_config, program_config=place.program_configs["layer_norm"],
    )


def bert_feedforward(config: TTConfig, hidden_states: Any, *, parameters: Any, capture: dict | None = None) -> Any:
    """Linear with fused GELU, linear back to the hidden size, residual and LayerNorm."""
    ttnn = config.ttnn
    batch_size, seq_len, _ = hidden_states.shape
    place = config.placement(batch_size, seq_len)
    intermediate = ttnn.linear(
        hidden_states, parameters.intermediate.dense.weight, bias=parameters.intermediate.dense.bias,
        activation=place.ff1_activation,  # the GELU, fused into the matmul (by its program config where it has one)
        dtype=config.qkv_context_ff1_dtype, memory_config=place.hidden_memory_config, core_grid=place.core_grid,
        program_config=place.program_configs["ff1"], compute_kernel_config=config.ff1_compute_kernel_config,
    )  # (B, S, intermediate)
    _keep(config, capture, "intermediate", intermediate)
    normalized = bert_output(config, intermediate, hidden_states, parameters=parameters.output)
    _keep(config, capture, "output", normalized)
    return normalized


def bert_layer(config: TTConfig, hidden_states: Any, attention_mask: Any, *, parameters: Any,
               capture: dict | None = None) -> Any:
    """One encoder layer: attention, then feed-forward."""
    attention_output = bert_attention(config, hidden_states, attention_mask, parameters=parameters.attention,
                                      capture=capture)
    return bert_feedforward(config, attention_output, parameters=parameters, capture=capture)


def bert_qa_head(config: TTConfig, hidden_states: Any, *, parameters: Any, capture: dict | None = None) -> Any:
    """Start and end logits: ``(B, S, H)`` -> ``(B, S, 2)``."""
    ttnn = config.ttnn
    if hidden_states.memory_config() != config.memory_config:  # sharded: back from the cores' shards, interleaved
        hidden_states = ttnn.to_memory_config(hidden_states, config.memory_config)
    logits = ttnn.linear(hidden_states, parameters.weight, bias=parameters.bias, dtype=ttnn.bfloat16,
                         memory_config=config.memory_config, compute_kernel_config=config.compute_kernel_config)
    _keep(config, capture, "qa_logits", logits)
    return logits


def bert_for_question_answering(config: TTConfig, input_ids: Any, token_type_ids: Any, position_ids: Any,
                                attention_mask: Any, *, parameters: Any, captures: list[dict] | None = None) -> Any:
    """The whole model: ids -> QA logits ``(B, S, 2)``. ``captures`` gets one dict per block group."""

    def slot() -> dict | None:
        if captures is None:
            return None
        captures.append({})
        return captures[-1]

    hidden_states = bert_embeddings(config, input_ids, token_type_ids, position_ids,
                                    parameters=parameters.embeddings, capture=slot())
    for layer_parameters in parameters.encoder.layer:
        hidden_states = bert_layer(config, hidden_states, attention_mask, parameters=layer_parameters, capture=slot())
    return bert_qa_head(config, hidden_states, parameters=parameters.qa_outputs, capture=slot())


def preprocess_inputs(config: TTConfig, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None,
                      attention_mask: torch.Tensor) -> tuple[Any, Any, Any, Any]:
    """Torch ids and 0/1 mask -> device tensors: uint32 ids, and the additive mask ``(B, 1, 1, S)``."""
    ttnn, device = config.ttnn, config.device
    batch_size, seq_len = input_ids.shape
    position_ids = torch.arange(seq_len).unsqueeze(0).expand(batch_size, -1)
    if token_type_ids is None:
        token_type_ids = torch.zeros_like(input_ids)

    # On a mesh (n300: 2 chips) the batch is split over the devices: data parallel.
    mapper = ttnn.ShardTensorToMesh(device, dim=0) if device.get_num_devices() > 1 else None

    def ids(t: torch.Tensor) -> Any:
        return ttnn.from_torch(t.to(torch.int32), dtype=ttnn.uint32, device=device, memory_config=config.memory_config,
                               mesh_mapper=mapper)

    additive = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * MASK_VALUE
    mask = ttnn.from_torch(additive, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device,
                           memory_config=config.memory_config, mesh_mapper=mapper)
    return ids(input_ids), ids(token_type_ids), ids(position_ids), mask
