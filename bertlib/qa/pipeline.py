"""Questions and contexts -> answers from TT-NN and from HuggingFace, the same way for both."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import torch

from bertlib import reference
from bertlib.qa.answers import Answer, extract_answers
from bertlib.qa.windows import make_windows


@dataclass
class QAResult:
    """Answers of both models, one per question, and the TT-NN and HF time per batch."""

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


def answer_questions(tt_model: Any, questions: list[str], contexts: list[str], *, batch: int = 8, seq: int = 384,
                     null_threshold: float | None = 0.0, with_hf: bool = True, progress: bool = False) -> QAResult:
    """Answer every question with the TT-NN model (and the HF model it was built from), batch by batch."""
    loaded = tt_model.loaded
    windows = make_windows(loaded.tokenizer, questions, contexts, seq=seq, max_positions=loaded.max_positions)
    batches = windows.batches(batch)
    if progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, desc=f"{len(windows)} windows, batch {batch}", unit="batch")
    tt_logits, hf_logits, tt_seconds, hf_seconds = [], [], [], []
    for chunk in batches:
        start = time.perf_counter()
        tt_logits.append(tt_model(chunk.input_ids, chunk.token_type_ids, chunk.attention_mask))
        tt_seconds.append(time.perf_counter() - start)
        if with_hf:
            start = time.perf_counter()
            hf_logits.append(reference.forward_logits(loaded, chunk.input_ids, chunk.token_type_ids,
                                                      chunk.attention_mask))
            hf_seconds.append(time.perf_counter() - start)
    full = windows.padded_to(batch)
    options = dict(null_threshold=null_threshold)
    tt = extract_answers(torch.cat(tt_logits), full, contexts, **options)
    hf = extract_answers(torch.cat(hf_logits), full, contexts, **options) if with_hf else None
    return QAResult(tt, hf, tt_seconds, hf_seconds, len(windows))
