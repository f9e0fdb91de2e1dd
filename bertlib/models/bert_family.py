"""The BERT family (BERT, bert-tiny, all-MiniLM-L6-v2, ...): the names every other family is mapped onto.

The parameter tree ``bertlib.models.bert`` reads is BERT's HF names without the ``bert.`` prefix.
"""

from __future__ import annotations

from typing import Any

from bertlib.models.family import Architecture, Family


def architecture(config: Any) -> Architecture:
    return Architecture(layers=config.num_hidden_layers, hidden=config.hidden_size, heads=config.num_attention_heads,
                        intermediate=config.intermediate_size, layer_norm_eps=config.layer_norm_eps)


FAMILY = Family(
    model_type="bert",
    config_class="BertConfig",
    qa_model_class="BertForQuestionAnswering",
    token_types=True,
    architecture=architecture,
    renames=(
        (r"^bert\.(embeddings|encoder)\.", r"\1."),
        (r"^qa_outputs\.", "qa_outputs."),
    ),
    hooks={
        "layers": "bert.encoder.layer",
        "embeddings": "bert.embeddings",
        "query": "attention.self.query",
        "key": "attention.self.key",
        "value": "attention.self.value",
        "attention": "attention.self",
        "context": "attention.output.dense",
        "attention_output": "attention.output",
        "intermediate": "intermediate",
    },
)
