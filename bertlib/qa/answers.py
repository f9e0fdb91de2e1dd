"""Start/end logits -> answers: n-best spans inside the context, the best over all windows, SQuAD v2 no-answer.

Scores are ``start_logit + end_logit``. The null score of an example is the lowest ``[CLS]`` score over
its windows; an answer is given only when its score beats the null score by more than
``null_threshold`` (SQuAD v2). With ``null_threshold=None`` every question gets its best span (v1.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from bertlib.qa.windows import Windows


@dataclass
class Answer:
    """One example's answer: text ("" for no answer), its character span, score and window."""

    text: str
    start_char: int
    end_char: int
    score: float
    null_score: float
    window: int

    @property
    def is_null(self) -> bool:
        return self.text == ""


def best_spans(start: torch.Tensor, end: torch.Tensor, offsets: list, *, n_best: int = 20,
               max_answer_tokens: int = 30) -> list[tuple[float, int, int]]:
    """The ``n_best`` highest-scoring (score, start_token, end_token) spans inside the context of one window."""
    starts = torch.argsort(start, descending=True)[:n_best].tolist()
    ends = torch.argsort(end, descending=True)[:n_best].tolist()
    spans = []
    for s in starts:
        for e in ends:
            if offsets[s] is None or offsets[e] is None or e < s or e - s + 1 > max_answer_tokens:
                continue
            spans.append((float(start[s] + end[e]), s, e))
    spans.sort(reverse=True)
    return spans[:n_best]


def extract_answers(logits: torch.Tensor, windows: Windows, contexts: list[str], *, n_best: int = 20,
                    max_answer_tokens: int = 30, null_threshold: float | None = 0.0) -> list[Answer]:
    """One :class:`Answer` per context from QA logits ``(windows, S, 2)``."""
    best: dict[int, Answer] = {}
    null: dict[int, float] = {}
    for row, example in enumerate(windows.example_index):
        if example < 0:
            continue
        start, end = logits[row, :, 0].float(), logits[row, :, 1].float()
        null[example] = min(null.get(example, float("inf")), float(start[0] + end[0]))
        for score, s, e in best_spans(start, end, windows.offsets[row], n_best=n_best,
                                      max_answer_tokens=max_answer_tokens)[:1]:
            if example not in best or score > best[example].score:
                a, b = windows.offsets[row][s][0], windows.offsets[row][e][1]
                best[example] = Answer(contexts[example][a:b], a, b, score, 0.0, row)
    answers = []
    for example in range(len(contexts)):
        answer = best.get(example, Answer("", -1, -1, float("-inf"), 0.0, -1))
        answer.null_score = null.get(example, float("-inf"))
        if null_threshold is not None and answer.score - answer.null_score <= null_threshold:
            answer = Answer("", -1, -1, answer.score, answer.null_score, answer.window)
        answers.append(answer)
    return answers
