"""What a model family tells the rest of bertlib: one :class:`Family` per family module, listed in the registry.

The TT-NN blocks (``bertlib.models.bert``) read a parameter tree under BERT's names, and the reference
(``bertlib.reference``) captures the same intermediates from every family. A family says how its HF model
maps onto both: its transformers classes, how its HF config names the architecture, which of its parameters
become which tree names, whether it reads token type ids, and where the reference hooks its intermediates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: The intermediates the reference hooks inside one encoder layer (plus ``layers`` and ``embeddings``, the
#: modules it runs): every family's ``hooks`` names a submodule for each.
HOOKED = ("layers", "embeddings", "query", "key", "value", "attention", "context", "attention_output", "intermediate")


@dataclass(frozen=True)
class Architecture:
    """A model's shape, whatever its HF config calls the fields."""

    layers: int
    hidden: int
    heads: int
    intermediate: int  # the feed-forward width
    layer_norm_eps: float


@dataclass(frozen=True)
class Family:
    """One HF model family, as bertlib runs it (see the module docstring)."""

    model_type: str  # the ``model_type`` of its HF config.json
    config_class: str  # its transformers classes, by name (imported on first use)
    qa_model_class: str
    token_types: bool  # whether it reads token type ids
    architecture: Callable[[Any], Architecture]  # its HF config -> its shape
    #: (regex, replacement) pairs from its HF parameter names to the tree's (BERT's) names, first match wins;
    #: a parameter that matches none is not read
    renames: tuple[tuple[str, str], ...]
    #: where the reference finds each intermediate (``HOOKED``): ``layers`` and ``embeddings`` from the QA model,
    #: the others inside one encoder layer; ``attention`` returns the probabilities as its second output,
    #: ``context`` is read at its input, the others at their output
    hooks: dict[str, str]

    def __post_init__(self) -> None:
        if set(self.hooks) != set(HOOKED):
            raise ValueError(f"{self.model_type}: hooks must name exactly {', '.join(HOOKED)}")

    def hf_classes(self) -> tuple[Any, Any]:
        """Its transformers config class and question-answering model class."""
        import transformers

        return getattr(transformers, self.config_class), getattr(transformers, self.qa_model_class)

    def tree_name(self, hf_name: str) -> str | None:
        """The parameter tree's name for the HF parameter ``hf_name`` (None for one the tree does not read)."""
        for pattern, replacement in self.renames:
            if re.match(pattern, hf_name):
                return re.sub(pattern, replacement, hf_name)
        return None
