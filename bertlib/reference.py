"""The HuggingFace model as the reference: every intermediate, named and shaped like the TT-NN blocks.

Intermediates are caught with forward hooks on the eager-attention HF model, where the model's family says
(``Family.hooks``), one layer at a time, so that a 24-layer model never holds every intermediate at once.
Names and shapes match what ``bertlib.models.bert`` captures: ``key`` is transposed to
``(B, heads, head_size, S)`` as ttnn gives it, and ``scores`` are ``Q @ K^T`` before the ``1/sqrt(d)`` scale
and the mask.
"""

from __future__ import annotations

from typing import Any

import torch

from bertlib.models.registry import LoadedModel


def extended_mask(attention_mask: torch.Tensor) -> torch.Tensor:
    """HF's additive mask ``(B, 1, 1, S)``: 0 to attend, the dtype's minimum to ignore."""
    return (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min


def _heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    b, s, h = x.shape
    return x.reshape(b, s, heads, h // heads).permute(0, 2, 1, 3)


@torch.no_grad()
def embeddings(loaded: LoadedModel, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
    """The embedding block's output ``(B, S, H)``."""
    module = loaded.hf_model.get_submodule(loaded.family.hooks["embeddings"])
    if loaded.has_token_types:
        return module(input_ids=input_ids, token_type_ids=token_type_ids)
    return module(input_ids)


@torch.no_grad()
def layer(loaded: LoadedModel, index: int, hidden_states: torch.Tensor, attention_mask: torch.Tensor
          ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Run encoder layer ``index`` on ``hidden_states``; return its output and every intermediate."""
    names = loaded.family.hooks
    block = loaded.hf_model.get_submodule(names["layers"])[index]
    heads = loaded.architecture.heads
    got: dict[str, torch.Tensor] = {}

    def keep(name: str, transform: Any = lambda t: t) -> Any:
        def hook(_module: Any, _inputs: Any, output: Any) -> None:
            got[name] = transform(output).detach().to(torch.float32)
        return hook

    def keep_input(name: str) -> Any:
        def hook(_module: Any, inputs: Any) -> None:
            got[name] = inputs[0].detach().to(torch.float32)
        return hook

    handles = [
        block.get_submodule(names["query"]).register_forward_hook(keep("query", lambda t: _heads(t, heads))),
        block.get_submodule(names["key"]).register_forward_hook(
            keep("key", lambda t: _heads(t, heads).transpose(-1, -2))),
        block.get_submodule(names["value"]).register_forward_hook(keep("value", lambda t: _heads(t, heads))),
        block.get_submodule(names["attention"]).register_forward_hook(keep("probs", lambda out: out[1])),
        block.get_submodule(names["context"]).register_forward_pre_hook(keep_input("context")),
        block.get_submodule(names["attention_output"]).register_forward_hook(
            keep("attention_output", lambda out: out[0] if isinstance(out, tuple) else out)),
        block.get_submodule(names["intermediate"]).register_forward_hook(keep("intermediate")),
    ]
    try:
        output = block(hidden_states, attention_mask=extended_mask(attention_mask))
    finally:
        for handle in handles:
            handle.remove()
    output = output[0] if isinstance(output, tuple) else output
    got["scores"] = got["query"] @ got["key"]
    got["output"] = output.detach().to(torch.float32)
    order = ["query", "key", "value", "scores", "probs", "context", "attention_output", "intermediate", "output"]
    return output, {name: got[name] for name in order}


@torch.no_grad()
def qa_logits(loaded: LoadedModel, hidden_states: torch.Tensor) -> torch.Tensor:
    """The QA head's logits ``(B, S, 2)``."""
    return loaded.hf_model.qa_outputs(hidden_states).to(torch.float32)


@torch.no_grad()
def forward_logits(loaded: LoadedModel, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None,
                   attention_mask: torch.Tensor, *, model: Any = None) -> torch.Tensor:
    """The whole HF model (or ``model``, a modified copy of it such as INT8): QA logits ``(B, S, 2)``."""
    kwargs = dict(input_ids=input_ids, attention_mask=attention_mask)
    if loaded.has_token_types and token_type_ids is not None:
        kwargs["token_type_ids"] = token_type_ids
    out = (model if model is not None else loaded.hf_model)(**kwargs)
    return torch.stack([out.start_logits, out.end_logits], dim=-1).to(torch.float32)
