"""The commands' tables as plain text: any DataFrame, the profiler's predicted ops, the calibration rows."""

from __future__ import annotations

from typing import Any


def text_table(frame: Any, digits: dict[str, int]) -> str:
    """A DataFrame as plain text: text left-aligned, numbers right-aligned (``digits[column]`` decimals), nothing cut."""
    from pandas.api.types import is_numeric_dtype

    cells = {c: [f"{v:.{digits[c]}f}" if c in digits else str(v) for v in frame[c]] for c in frame.columns}
    widths = {c: max(len(str(c)), *(len(v) for v in cells[c])) for c in frame.columns}
    left = {c: not is_numeric_dtype(frame[c]) for c in frame.columns}

    def line(values: dict[str, str]) -> str:
        return "  ".join(v.ljust(widths[c]) if left[c] else v.rjust(widths[c]) for c, v in values.items()).rstrip()

    rows = [line({c: str(c) for c in frame.columns})]
    rows += [line({c: cells[c][i] for c in frame.columns}) for i in range(len(frame))]
    return "\n".join(rows)


def ops_text(ops: list[dict[str, Any]]) -> str:
    """The predicted ops as a table: identical ops (same op, shape, dtype, placement, fidelity, grid and bound)
    on one row with their count, in the order they first run."""
    import pandas as pd

    frame = pd.DataFrame(ops)
    frame["shape"] = frame.output_shape.map(lambda shape: "×".join(map(str, shape)))
    frame["dtype"] = frame.dtype.str.lower()
    frame["fidelity"] = frame.math_fidelity.fillna("—")  # ops without a matrix engine have no fidelity
    keys = ["op", "shape", "dtype", "memory", "fidelity", "cores", "bound"]
    table = frame.groupby(keys, sort=False).time_s.agg(["count", "mean", "sum"]).reset_index()
    table["µs each"] = table.pop("mean") * 1e6
    table["ms total"] = table.pop("sum") * 1e3
    return text_table(table.rename(columns={"count": "×"}), {"µs each": 1, "ms total": 3})


def calibration_text(rows: list[dict[str, Any]]) -> str:
    """The calibration rows as a table with whole names (sentences/s; ratio = predicted / published)."""
    import pandas as pd

    frame = pd.DataFrame(rows)[["implementation", "batch", "seq", "kind", "published", "predicted", "ratio",
                                "loo_ratio"]]
    frame = frame.rename(columns={"implementation": "tt-metal implementation", "loo_ratio": "leave-one-out"})
    return text_table(frame, {"published": 1, "predicted": 1, "ratio": 2, "leave-one-out": 2})
