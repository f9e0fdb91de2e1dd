"""Question + context -> overlapping windows of token ids, with character offsets back into the context.

A context longer than one window is split into windows that overlap by ``stride`` tokens (the HF
tokenizer's ``stride``), never cut: every context token lands in at least one window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from bertlib.errors import BertlibError

#: Tokens shared by neighbouring windows: 128 at seq 384, as in the SQuAD set-up of BERT's paper, HF's
#: course and tt-metal's squad demos.
DOC_STRIDE = 128


def default_stride(seq: int) -> int:
    """``DOC_STRIDE`` where it is less than half a window, else a quarter of ``seq`` (32 at seq 128)."""
    return DOC_STRIDE if DOC_STRIDE < seq // 2 else seq // 4


class InputError(BertlibError, ValueError):
    """A question or context the model cannot take; the message says what to change."""


@dataclass
class Windows:
    """A batch of windows. Row ``i`` belongs to example ``example_index[i]``."""

    input_ids: torch.Tensor
    token_type_ids: torch.Tensor
    attention_mask: torch.Tensor
    offsets: list[list[tuple[int, int] | None]]  # per token: its (start, end) in the context, None outside it
    example_index: list[int]

    def __len__(self) -> int:
        return self.input_ids.shape[0]

    def padded_to(self, batch: int) -> Windows:
        """The windows padded with empty rows to a multiple of ``batch`` (padding rows have example -1)."""
        extra = (-len(self)) % batch
        if extra == 0:
            return self
        seq = self.input_ids.shape[1]
        zeros = torch.zeros(extra, seq, dtype=self.input_ids.dtype)
        return Windows(
            torch.cat([self.input_ids, zeros]), torch.cat([self.token_type_ids, zeros]),
            torch.cat([self.attention_mask, zeros]), self.offsets + [[None] * seq] * extra,
            self.example_index + [-1] * extra,
        )

    def batches(self, batch: int) -> list[Windows]:
        """Consecutive batches of exactly ``batch`` windows (the last one padded)."""
        full = self.padded_to(batch)
        return [full.select(range(i, i + batch)) for i in range(0, len(full), batch)]

    def select(self, rows: Sequence[int]) -> Windows:
        rows = list(rows)
        return Windows(self.input_ids[rows], self.token_type_ids[rows], self.attention_mask[rows],
                       [self.offsets[r] for r in rows], [self.example_index[r] for r in rows])


def make_windows(tokenizer: Any, questions: Sequence[str], contexts: Sequence[str], *, seq: int = 384,
                 stride: int | None = None, max_positions: int = 512) -> Windows:
    """Tokenize each (question, context) pair into windows of ``seq`` tokens overlapping by ``stride``.

    ``stride`` defaults to :func:`default_stride` (128 at seq 384, 32 at 128).
    """
    stride = default_stride(seq) if stride is None else stride
    if seq % 32 or seq <= 0:
        raise InputError(f"sequence length {seq} is not a positive multiple of 32 (TT-NN tiles are 32x32): use e.g. 128 or 384")
    if seq > max_positions:
        raise InputError(f"sequence length {seq} is longer than this model's {max_positions} positions: use {max_positions} or less")
    if not 0 <= stride < seq // 2:
        raise InputError(f"stride {stride} must be between 0 and half the sequence length ({seq // 2})")
    if len(questions) != len(contexts):
        raise InputError(f"{len(questions)} questions but {len(contexts)} contexts: give one context per question")
    for i, (q, c) in enumerate(zip(questions, contexts, strict=True)):
        which = "the question" if len(questions) == 1 else f"question {i + 1} of {len(questions)}"
        if not isinstance(q, str) or not q.strip():
            raise InputError(f"{which} is empty: type a question")
        if not isinstance(c, str) or not c.strip():
            where = "the context" if len(questions) == 1 else f"the context of question {i + 1} of {len(questions)}"
            raise InputError(f"{where} is empty: paste the text the answer should come from")
        q_tokens = len(tokenizer(q, add_special_tokens=False)["input_ids"])
        if q_tokens + 3 + stride >= seq:
            raise InputError(f"{which} has {q_tokens} tokens, too long for windows of {seq} tokens: "
                             f"shorten it or use a longer sequence length")
    questions = [q.strip() for q in questions]
    enc = tokenizer(
        list(questions), list(contexts), max_length=seq, stride=stride, truncation="only_second",
        padding="max_length", return_overflowing_tokens=True, return_offsets_mapping=True,
        return_token_type_ids=True, return_tensors="pt",
    )
    offsets = []
    for row in range(enc["input_ids"].shape[0]):
        seq_ids = enc.sequence_ids(row)
        offsets.append([tuple(o) if s == 1 else None for o, s in zip(enc["offset_mapping"][row].tolist(), seq_ids, strict=True)])
    return Windows(enc["input_ids"], enc["token_type_ids"], enc["attention_mask"], offsets,
                   [int(i) for i in enc["overflow_to_sample_mapping"]])
