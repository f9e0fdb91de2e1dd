"""``python -m bertlib <command>``: the command line.

``parser`` builds it; the commands are ``cmd_*`` functions grouped by what they do (``backend``: doctor,
crosscheck, run; ``questions``: demo, squad, score; ``accuracy``: pcc, precision; ``timing``: profile, bench;
``rebuild``: notebooks, finetune); ``tables`` formats the tables they print. Each command imports its heavy
modules when it runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import sys

from bertlib.cli.parser import build_parser
from bertlib.errors import BertlibError

__all__ = ["build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code; bad input is a one-line ``error: ...`` on stderr and code 2."""
    args = build_parser().parse_args(argv)
    if getattr(args, "batch", 1) < 1:
        print("error: --batch must be at least 1", file=sys.stderr)
        return 2
    from bertlib.device import close_all

    try:
        return args.func(args)
    except BertlibError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    finally:
        close_all()  # what a command's library code or a `run` script opened and left open
