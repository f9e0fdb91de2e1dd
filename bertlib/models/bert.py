"""BERT for question answering in TT-NN, block by block (after tt-metal's ``ttnn_optimized_bert.py``).

Each block is a plain function ``(config, hidden_states, ..., *, parameters)``; ``config`` is a
:class:`TTConfig` (the HF config, a precision config and the ``ttnn`` namespace to run on, card or
emulator). Weights come preprocessed once into a parameter tree (``bertlib.models.preprocess``).
DistilBERT runs through the same functions: its parameters are mapped onto BERT's names, and it has
no token-type embeddings. Pass ``capture={}`` to collect every intermediate as a torch tensor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from bertlib.models.configs import PrecisionConfig
from bertlib.models.sharding import ShardedPlan

MASK_VALUE = -100000.0  # tt-metal clamps the additive attention mask to -1e5 (HF uses the dtype's minimum)


@dataclass
class TTConfig:
    """What every block needs: the model's HF config, the precision config, ``ttnn`` and the device."""

    hf: Any
    precision: PrecisionConfig
    ttnn: Any
    device: Any

    @property
    def num_heads(self) -> int:
        return getattr(self.hf, "num_attention_heads", None) or self.hf.n_heads

    @property
    def eps(self) -> float:
        return getattr(self.hf, "layer_norm_eps", 1e-12)

    def dtype(self, role: str) -> Any:
        """The ttnn dtype for ``role``: 'weights', 'activations', or 'qkv_context_ff1' (the fused QKV, attention
        context and FF1 outputs, which tt-metal's optimized BERT stores in bfloat8_b)."""
        return getattr(self.ttnn, getattr(self.precision, f"{role}_dtype"))

    @property
    def memory_config(self) -> Any:
        """Where activations live: ``ttnn.L1_MEMORY_CONFIG`` or ``ttnn.DRAM_MEMORY_CONFIG``."""
        return self.ttnn.L1_MEMORY_CONFIG if self.precision.memory == "L1" else self.ttnn.DRAM_MEMORY_CONFIG

    def placement(self, role: str) -> Any:
        """Where an op's output goes: ``memory_config``, or with the ``sharded`` config block-sharded L1 for
        ``"hidden"`` states ``(B, S, H)`` and height-sharded L1 for attention ``"heads"`` ``(B, heads, S, *)``
        (the op derives the shard spec from its input or its program config)."""
        if not self.precision.sharded:
            return self.memory_config
        return {"hidden": self.ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG,
                "heads": self.ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG}[role]

    def sharded_plan(self, hidden_states: Any) -> ShardedPlan:
        """The ``sharded`` config's grid and program configs for hidden states of this ``(B, S, H)`` shape."""
        batch, seq, hidden = hidden_states.shape
        grid = self.device.compute_with_storage_grid_size()
        return ShardedPlan(self.ttnn, batch, seq, hidden, self.num_heads, self.intermediate_size, (grid.y, grid.x))

    def program_config(self, name: str, hidden_states: Any) -> Any:
        """The program config ``name`` for a layer whose hidden states are ``hidden_states``: None (ttnn chooses)
        unless the config is ``sharded`` (``bertlib.models.sharding``)."""
        return self.sharded_plan(hidden_states).program_config(name) if self.precision.sharded else None

    @property
    def intermediate_size(self) -> int:
        return getattr(self.hf, "intermediate_size", None) or self.hf.hidden_dim

    def core_grid(self, batch_size: int) -> Any:
        """The matmuls' ``ttnn.CoreGrid`` (batch rows x the chip's width), or None to let ttnn choose."""
        if not self.precision.use_core_grid:
            return None
        grid = self.device.compute_with_storage_grid_size()
        y, x = self.precision.core_grid or (min(batch_size, grid.y), grid.x)
        return self.ttnn.CoreGrid(y=y, x=x)

    def compute_kernel_config(self, fidelity: str | None = None) -> Any:
        """The matmuls' compute config: math fidelity (the config's, unless ``fidelity`` names another),
        approximate math, and whether the destination register accumulates in fp32."""
        ttnn, p = self.ttnn, self.precision
        return ttnn.WormholeComputeKernelConfig(
            math_fidelity=getattr(ttnn.MathFidelity, fidelity or p.math_fidelity),
            math_approx_mode=p.math_approx_mode,
            fp32_dest_acc_en=p.fp32_dest_acc_en,
            packer_l1_acc=False,
        )


def _keep(config: TTConfig, capture: dict | None, name: str, tensor: Any) -> None:
    if capture is not None:
        capture[name] = config.ttnn.to_torch(tensor).to(torch.float32)


def bert_embeddings(config: TTConfig, input_ids: Any, token_type_ids: Any, position_ids: Any, *, parameters: Any,
                    capture: dict | None = None) -> Any:
    """word + position (+ token type) embeddings, then LayerNorm: ids ``(B, S)`` -> ``(B, S, H)``."""
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
    if config.precision.sharded:  # onto the cores: one batch per core column, the width over the core rows
        output = ttnn.to_memory_config(output, config.sharded_plan(output).hidden_memory_config(),
                                       dtype=config.dtype("activations"))
    _keep(config, capture, "embeddings", output)
    return output


def bert_attention(config: TTConfig, hidden_states: Any, attention_mask: Any, *, parameters: Any,
                   capture: dict | None = None) -> Any:
    """Multi-head self-attention with the fused QKV linear, then the output projection, residual and LayerNorm."""
    ttnn = config.ttnn
    batch_size, _, hidden_size = hidden_states.shape
    head_size = hidden_size // config.num_heads

    qkv = ttnn.linear(
        hidden_states, parameters.self.query_key_value.weight, bias=parameters.self.query_key_value.bias,
        dtype=config.dtype("qkv_context_ff1"), memory_config=config.placement("hidden"),
        core_grid=config.core_grid(batch_size), compute_kernel_config=config.compute_kernel_config(),
        program_config=config.program_config("query_key_value", hidden_states),
    )  # (B, S, 3H)
    query, key, value = ttnn.transformer.split_query_key_value_and_split_heads(
        qkv, num_heads=config.num_heads, memory_config=config.placement("heads")
    )
    ttnn.deallocate(qkv)
    _keep(config, capture, "query", query)
    _keep(config, capture, "key", key)  # (B, heads, head_size, S): ttnn gives K transposed
    _keep(config, capture, "value", value)

    scores = ttnn.matmul(
        query, key, dtype=config.dtype("activations"), memory_config=config.placement("heads"),
        core_grid=config.core_grid(batch_size), compute_kernel_config=config.compute_kernel_config(),
        program_config=config.program_config("query_by_key", hidden_states),
    )  # (B, heads, S, S)
    ttnn.deallocate(query)
    ttnn.deallocate(key)
    _keep(config, capture, "scores", scores)  # before the 1/sqrt(d) scale and the mask

    probs = ttnn.transformer.attention_softmax_(scores, attention_mask=attention_mask, head_size=head_size,
                                                program_config=config.program_config("softmax", hidden_states))
    _keep(config, capture, "probs", probs)
    context = ttnn.matmul(
        probs, value, dtype=config.dtype("qkv_context_ff1"), memory_config=config.placement("heads"),
        core_grid=config.core_grid(batch_size), compute_kernel_config=config.compute_kernel_config(),
        program_config=config.program_config("attention_probabilities_by_value", hidden_states),
    )  # (B, heads, S, head_size)
    ttnn.deallocate(probs)
    ttnn.deallocate(value)
    context = ttnn.transformer.concatenate_heads(context, memory_config=config.placement("hidden"))  # (B, S, H)
    _keep(config, capture, "context", context)

    attention_output = bert_output(config, context, hidden_states, parameters=parameters.output, name="self_output")
    _keep(config, capture, "attention_output", attention_output)
    return attention_output


def bert_output(config: TTConfig, hidden_states: Any, residual: Any, *, parameters: Any, name: str = "ff2") -> Any:
    """Linear back to the hidden size, then LayerNorm of it plus the residual (after attention: ``name`` is
    ``"self_output"``, and after the FFN: ``"ff2"``)."""
    ttnn = config.ttnn
    output = ttnn.linear(
        hidden_states, parameters.dense.weight, bias=parameters.dense.bias, dtype=config.dtype("activations"),
        memory_config=config.placement("hidden"), core_grid=config.core_grid(hidden_states.shape[0]),
        compute_kernel_config=config.compute_kernel_config(), program_config=config.program_config(name, residual),
    )  # (B, S, H)
    ttnn.deallocate(hidden_states)
    layer_norm_config = config.program_config("layer_norm", residual)
    normalized = ttnn.layer_norm(
        output, residual_input_tensor=residual, weight=parameters.LayerNorm.weight, bias=parameters.LayerNorm.bias,
        epsilon=config.eps, memory_config=config.placement("hidden"), program_config=layer_norm_config,
    )
    if layer_norm_config is None:  # a sharded LayerNorm runs in place: ``normalized`` is ``output``'s buffer
        ttnn.deallocate(output)
    return normalized


def bert_feedforward(config: TTConfig, hidden_states: Any, *, parameters: Any, capture: dict | None = None) -> Any:
    """Linear with fused GELU, linear back to the hidden size, residual and LayerNorm."""
    ttnn = config.ttnn
    batch_size = hidden_states.shape[0]
    program_config = config.program_config("ff1", hidden_states)  # a sharded config fuses the GELU itself
    intermediate = ttnn.linear(
        hidden_states, parameters.intermediate.dense.weight, bias=parameters.intermediate.dense.bias,
        activation=None if program_config else "gelu",  # fused into the matmul
        dtype=config.dtype("qkv_context_ff1"), memory_config=config.placement("hidden"),
        core_grid=config.core_grid(batch_size), program_config=program_config,
        compute_kernel_config=config.compute_kernel_config(config.precision.ff1_math_fidelity),
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
    if config.precision.sharded:  # back from the cores' shards to interleaved L1
        hidden_states = ttnn.to_memory_config(hidden_states, ttnn.L1_MEMORY_CONFIG)
    logits = ttnn.linear(hidden_states, parameters.weight, bias=parameters.bias, dtype=ttnn.bfloat16,
                         memory_config=config.memory_config, compute_kernel_config=config.compute_kernel_config())
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
