"""Questions and contexts -> answers from TT-NN and from HuggingFace, the same way for every model."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from bertlib import reference
from bertlib.qa.answers import Answer, extract_answers
from bertlib.qa.windows import make_windows

#: A model as the pipeline sees it: (input_ids, token_type_ids, attention_mask) -> QA logits (B, S, 2).
LogitsFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass
class QAResult:
    """Answers of the TT-NN model (and HF), one per question, and their times per batch."""

    tt: list[Answer]
    hf: list[Answer] | None
    tt_seconds: list[float] = field(default_factory=list)
    hf_seconds: list[float] = field(default_factory=list)
    windows: int = 0

    @property
    def agreement(self) -> float:
        """Share of questions where both give the identical answer string."""
        if not self.hf:
            return float("nan")
        return sum(a.text == b.text for a, b in zip(self.tt, self.hf, strict=True)) / len(self.tt)


def run_models(models: dict[str, LogitsFn], tokenizer: Any, questions: list[str], contexts: list[str], *,
               batch: int = 8, seq: int = 384, max_positions: int = 512, null_threshold: float | None = 0.0,
               progress: bool = False) -> tuple[dict[str, list[Answer]], dict[str, list[float]], int]:
    """Answer every question with each model, batch by batch: answers and seconds per batch, by model name."""
    windows = make_windows(tokenizer, questions, contexts, seq=seq, max_positions=max_positions)
    batches = windows.batches(batch)
    if progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, desc=f"{len(windows)} windows, batch {batch}", unit="batch")
    logits: dict[str, list[torch.Tensor]] = {name: [] for name in models}
    seconds: dict[str, list[float]] = {name: [] for name in models}
    for chunk in batches:
        for name, model in models.items():
            start = time.perf_counter()
            logits[name].append(model(chunk.input_ids, chunk.token_type_ids, chunk.attention_mask))
            seconds[name].append(time.perf_counter() - start)
    full = windows.padded_to(batch)
    answers = {name: extract_answers(torch.cat(values), full, contexts, null_threshold=null_threshold)
               for name, values in logits.items()}
    return answers, seconds, len(windows)


def hf_logits_fn(loaded: Any, hf_model: Any = None) -> LogitsFn:
    """The HF model (or a modified copy of it, e.g. INT8) as a logits function."""
    return lambda ids, types, mask: reference.forward_logits(loaded, ids, types, mask, model=hf_model)


def answer_questions(tt_model: Any, questions: list[str], contexts: list[str], *, batch: int = 8, seq: int = 384,
                     null_threshold: float | None = 0.0, with_hf: bool = True, progress: bool = False) -> QAResult:
    """Answer every question with the TT-NN model (and the HF model it was built from), batch by batch."""
    loaded = tt_model.loaded
    models: dict[str, LogitsFn] = {"tt": tt_model}
    if with_hf:
        models["hf"] = hf_logits_fn(loaded)
    answers, seconds, windows = run_models(models, loaded.tokenizer, questions, contexts, batch=batch, seq=seq,
                                           max_positions=loaded.max_positions, null_threshold=null_threshold,
                                           progress=progress)
    return QAResult(answers["tt"], answers.get("hf"), seconds["tt"], seconds.get("hf", []), windows)
