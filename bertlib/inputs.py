"""The demo inputs: ``data/input_data.json`` (tt-metal's demo format: a list of {"context", "question"})."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bertlib.errors import BertlibError
from bertlib.jsonfile import read_json
from bertlib.models.registry import LoadedModel
from bertlib.paths import DEFAULT_INPUT
from bertlib.qa.windows import Windows, make_windows

FORMAT = 'JSON list of {"context": ..., "question": ...} objects'


class InputFileError(BertlibError, ValueError):
    """An input file that is missing or malformed; the message says what is wrong and how to fix it."""


def load_inputs(path: str | Path = DEFAULT_INPUT, *, strict_batch: int | None = None) -> list[dict[str, str]]:
    """Read a demo input file: a JSON list of objects with non-empty "context" and "question" strings."""
    path = Path(path)
    data = read_json(path, "input", InputFileError, hint=f"pass --input with a {FORMAT}")
    if not isinstance(data, list) or not data:
        raise InputFileError(f"input file {path} must hold a non-empty {FORMAT}")
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("context", "question")):
            raise InputFileError(f'input {i} of {path} needs string fields "context" and "question"')
    if strict_batch is not None and len(data) != strict_batch:
        raise InputFileError(f"--strict-batch needs exactly {strict_batch} inputs (the batch size), but {path} "
                             f"has {len(data)}: add or remove inputs, or drop --strict-batch")
    return data


def default_windows(loaded: LoadedModel, *, batch: int = 1, seq: int = 384, path: Any = DEFAULT_INPUT) -> Windows:
    """The first ``batch`` windows of the demo inputs (repeating them if there are fewer)."""
    items = load_inputs(path)
    windows = make_windows(loaded.tokenizer, [i["question"] for i in items], [i["context"] for i in items], seq=seq,
                           max_positions=loaded.max_positions)
    rows = [i % len(windows) for i in range(batch)]
    return windows.select(rows)
