"""Reading a JSON file with an error that names the file and what is wrong with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bertlib.errors import BertlibError


def read_json(path: str | Path, what: str, error: type[BertlibError], hint: str = "") -> Any:
    """``path``'s JSON; a missing file or bad JSON raises ``error`` ("<what> file <path> ...", then ``hint``)."""
    path = Path(path)
    suffix = f": {hint}" if hint else ""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} file {path} does not exist{suffix}") from None
    except IsADirectoryError:
        raise error(f"{what} file {path} is a folder, not a file{suffix}") from None
    except UnicodeDecodeError as err:
        raise error(f"{what} file {path} is not UTF-8 text (byte {err.start} cannot be decoded){suffix}") from None
    except PermissionError:
        raise error(f"{what} file {path} cannot be read (permission denied){suffix}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise error(f"{what} file {path} is not valid JSON ({err.msg} at line {err.lineno}){suffix}") from None
