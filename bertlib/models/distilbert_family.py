"""The DistilBERT family: its weights get BERT's names, and it has no token types.

With its parameters renamed, ``bertlib.models.bert`` runs DistilBERT unchanged (DistilBERT's block is
BERT's: attention, residual + LayerNorm, GELU feed-forward, residual + LayerNorm).
"""

from __future__ import annotations

from typing import Any

from bertlib.models.family import Architecture, Family

LAYER = r"^distilbert\.transformer\.layer\.(\d+)\."


def architecture(config: Any) -> Architecture:
    # DistilBERT's LayerNorms are nn.LayerNorm(dim, eps=1e-12): its config has no epsilon
    return Architecture(layers=config.n_layers, hidden=config.dim, heads=config.n_heads,
                        intermediate=config.hidden_dim, layer_norm_eps=1e-12)


FAMILY = Family(
    model_type="distilbert",
    config_class="DistilBertConfig",
    qa_model_class="DistilBertForQuestionAnswering",
    token_types=False,
    architecture=architecture,
    renames=(  # ``\1`` is the layer index
        (r"^distilbert\.embeddings\.", "embeddings."),
        (LAYER + r"attention\.q_lin\.", r"encoder.layer.\1.attention.self.query."),
        (LAYER + r"attention\.k_lin\.", r"encoder.layer.\1.attention.self.key."),
        (LAYER + r"attention\.v_lin\.", r"encoder.layer.\1.attention.self.value."),
        (LAYER + r"attention\.out_lin\.", r"encoder.layer.\1.attention.output.dense."),
        (LAYER + r"sa_layer_norm\.", r"encoder.layer.\1.attention.output.LayerNorm."),
        (LAYER + r"ffn\.lin1\.", r"encoder.layer.\1.intermediate.dense."),
        (LAYER + r"ffn\.lin2\.", r"encoder.layer.\1.output.dense."),
        (LAYER + r"output_layer_norm\.", r"encoder.layer.\1.output.LayerNorm."),
        (r"^qa_outputs\.", "qa_outputs."),
    ),
    hooks={
        "layers": "distilbert.transformer.layer",
        "embeddings": "distilbert.embeddings",
        "query": "attention.q_lin",
        "key": "attention.k_lin",
        "value": "attention.v_lin",
        "attention": "attention",
        "context": "attention.out_lin",
        "attention_output": "sa_layer_norm",
        "intermediate": "ffn.activation",
    },
)
