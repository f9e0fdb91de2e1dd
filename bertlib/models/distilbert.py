"""DistilBERT: only what differs from BERT. Its weights get BERT's names; it has no token types.

With its parameters renamed, ``bertlib.models.bert`` runs DistilBERT unchanged (DistilBERT's block is
BERT's: attention, residual + LayerNorm, GELU feed-forward, residual + LayerNorm).
"""

from __future__ import annotations

import re

#: DistilBERT parameter name patterns -> BERT's (``\\1`` is the layer index).
RENAMES = [
    (r"^distilbert\.embeddings\.", "embeddings."),
    (r"^distilbert\.transformer\.layer\.(\d+)\.attention\.q_lin\.", r"encoder.layer.\1.attention.self.query."),
    (r"^distilbert\.transformer\.layer\.(\d+)\.attention\.k_lin\.", r"encoder.layer.\1.attention.self.key."),
    (r"^distilbert\.transformer\.layer\.(\d+)\.attention\.v_lin\.", r"encoder.layer.\1.attention.self.value."),
    (r"^distilbert\.transformer\.layer\.(\d+)\.attention\.out_lin\.", r"encoder.layer.\1.attention.output.dense."),
    (r"^distilbert\.transformer\.layer\.(\d+)\.sa_layer_norm\.", r"encoder.layer.\1.attention.output.LayerNorm."),
    (r"^distilbert\.transformer\.layer\.(\d+)\.ffn\.lin1\.", r"encoder.layer.\1.intermediate.dense."),
    (r"^distilbert\.transformer\.layer\.(\d+)\.ffn\.lin2\.", r"encoder.layer.\1.output.dense."),
    (r"^distilbert\.transformer\.layer\.(\d+)\.output_layer_norm\.", r"encoder.layer.\1.output.LayerNorm."),
]

#: Where the HF reference finds each intermediate inside one DistilBERT layer (see bertlib.reference).
HOOKS = {
    "layers": "distilbert.transformer.layer",
    "embeddings": "distilbert.embeddings",
    "query": "attention.q_lin",
    "key": "attention.k_lin",
    "value": "attention.v_lin",
    "attention": "attention",
    "context": "attention.out_lin",
    "attention_output": "sa_layer_norm",
    "intermediate": "ffn.activation",
}


def bert_name(name: str) -> str | None:
    """The BERT name of a DistilBERT parameter (None for buffers BERT does not have)."""
    if name.startswith("qa_outputs."):
        return name
    for pattern, replacement in RENAMES:
        if re.match(pattern, name):
            return re.sub(pattern, replacement, name)
    return None
