"""Measured beside predicted: tt-metal's device-profiler CSV matched, op by op, to the cost model's trace.

On a card, tt-metal's profiler writes ``generated/profiler/reports/<date>/ops_perf_results_<date>.csv``
(``python -m tracy -r SCRIPT``, with ``TT_METAL_DEVICE_PROFILER=1``; real ttnn's ``tracy/process_ops_logs.py``
names the columns). One row per device op: ``OP CODE`` (the device operation, e.g. ``MatmulDeviceOperation``),
``OP TYPE`` (``tt_dnn_device`` for device ops), ``DEVICE ID``, ``GLOBAL CALL COUNT`` (the op's order),
``CORE COUNT`` and ``DEVICE KERNEL DURATION [ns]``, the figure tt-metal's device-perf tests sum.

``compare`` aligns the trace with the CSV's last pass (the CSV may hold warm-up runs before it), from the
end backwards: each trace op takes the nearest earlier row whose op code is the same kind of device op.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bertlib.emulator.numerics import FUSED_ACTIVATIONS
from bertlib.errors import BertlibError

DURATION = "DEVICE KERNEL DURATION [ns]"
REQUIRED = ("OP CODE", "OP TYPE", "DEVICE ID", "GLOBAL CALL COUNT", DURATION)
DEVICE_OP = "tt_dnn_device"

#: A device op code (lower case, containing the key) and the trace ops it runs; first match wins.
DEVICE_OPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("matmul", ("linear", "matmul")),
    ("softmax", ("attention_softmax_", "attention_softmax", "softmax", "scale_mask_softmax",
                 "scale_mask_softmax_in_place")),
    ("layernorm", ("layer_norm",)),
    ("createqkvheads", ("split_query_key_value_and_split_heads",)),
    ("createheads", ("split_query_key_value_and_split_heads",)),
    ("concat", ("concatenate_heads",)),
    ("embedding", ("embedding",)),
    ("binary", ("add", "multiply")),
    ("unary", tuple(FUSED_ACTIVATIONS)),
    ("tosharded", ("to_memory_config", "interleaved_to_sharded")),
    ("tointerleaved", ("to_memory_config", "sharded_to_interleaved")),
    ("reshard", ("to_memory_config",)),
    ("copy", ("to_memory_config",)),
    ("tilize", ("to_layout",)),
)
#: The op code a synthetic CSV writes for each trace op (tt-metal's device operation names).
SYNTHETIC_OP_CODES = {
    "linear": "MatmulDeviceOperation", "matmul": "MatmulDeviceOperation",
    "attention_softmax_": "SoftmaxDeviceOperation", "layer_norm": "LayerNormDeviceOperation",
    "split_query_key_value_and_split_heads": "CreateQKVHeadsDeviceOperation",
    "concatenate_heads": "NLPConcatHeadsDeviceOperation", "embedding": "EmbeddingsDeviceOperation",
    "add": "BinaryNgDeviceOperation", "to_memory_config": "InterleavedToShardedDeviceOperation",
    **{name: "UnaryDeviceOperation" for name in FUSED_ACTIVATIONS},
}


class ProfilerCSVError(BertlibError, ValueError):
    """A file that is not a tt-metal ``ops_perf_results`` CSV, or one with no device ops."""


@dataclass(frozen=True)
class MeasuredOp:
    """One device op row of the profiler CSV."""

    op_code: str
    call: int
    device: int
    cores: int | None
    duration_s: float


def device_kind(op_code: str) -> tuple[str, ...]:
    """The trace ops a device op code stands for (empty when bertlib's trace has no such op)."""
    code = op_code.lower().replace("_", "").replace(" ", "")
    for key, ops in DEVICE_OPS:
        if key in code:
            return ops
    return ()


def read_ops_perf_csv(path: str | Path, device: int | None = None) -> list[MeasuredOp]:
    """The device ops of one device (the lowest id unless ``device`` says) in call order."""
    path = Path(path)
    try:
        with path.open(newline="") as f:
            reader = csv.DictReader(f)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                raise ProfilerCSVError(f"{path} is not a tt-metal ops_perf_results CSV: it lacks the column(s) "
                                       f"{', '.join(missing)} (make it with python -m tracy -r on a card)")
            rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    except FileNotFoundError:
        raise ProfilerCSVError(f"no such file: {path}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise ProfilerCSVError(f"{path} is not a readable CSV: {error}") from None
    ops = []
    for number, row in enumerate(rows, start=2):
        if row["OP TYPE"] != DEVICE_OP:
            continue
        try:
            ops.append(MeasuredOp(row["OP CODE"], int(float(row["GLOBAL CALL COUNT"])), int(float(row["DEVICE ID"])),
                                  int(float(row["CORE COUNT"])) if row.get("CORE COUNT") else None,
                                  float(row[DURATION]) * 1e-9))
        except ValueError:
            raise ProfilerCSVError(f"{path}, line {number}: {row['OP CODE']!r} has no number in GLOBAL CALL COUNT, "
                                   f"DEVICE ID or {DURATION}") from None
    if not ops:
        raise ProfilerCSVError(f"{path} has no device op rows (OP TYPE {DEVICE_OP})")
    chosen = min(op.device for op in ops) if device is None else device
    return sorted((op for op in ops if op.device == chosen), key=lambda op: op.call)


@dataclass
class Comparison:
    """The trace's ops beside the profiler's rows: per op, per group and in total (seconds)."""

    rows: list[dict[str, Any]]
    unmatched_trace: int
    unmatched_measured: list[str] = field(default_factory=list)  # device ops the trace does not have

    @property
    def matched(self) -> int:
        return sum(row["measured_s"] is not None for row in self.rows)

    def by_group(self) -> dict[str, dict[str, float]]:
        """Predicted and measured seconds per op group (matched ops only), the largest measured first."""
        groups: dict[str, dict[str, float]] = {}
        for row in self.rows:
            if row["measured_s"] is None:
                continue
            group = groups.setdefault(row["group"], {"predicted_s": 0.0, "measured_s": 0.0})
            group["predicted_s"] += row["predicted_s"]
            group["measured_s"] += row["measured_s"]
        for group in groups.values():
            group["ratio"] = group["predicted_s"] / group["measured_s"] if group["measured_s"] else math.nan
        return dict(sorted(groups.items(), key=lambda kv: -kv[1]["measured_s"]))

    def totals(self) -> dict[str, float]:
        matched = [row for row in self.rows if row["measured_s"] is not None]
        predicted = sum(row["predicted_s"] for row in matched)
        measured = sum(row["measured_s"] for row in matched)
        return dict(predicted_s=predicted, measured_s=measured, ratio=predicted / measured if measured else math.nan)


def compare(prediction: Any, measured: list[MeasuredOp]) -> Comparison:
    """Match every predicted op to a measured row, aligning both from the end (the last pass)."""
    ops = prediction.ops
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    j = len(measured) - 1
    for op in reversed(ops):
        k = j
        while k >= 0 and op["op"] not in device_kind(measured[k].op_code):
            k -= 1
        row = dict(op=op["op"], group=op["group"], output_shape=op["output_shape"], predicted_s=op["time_s"],
                   measured_s=None, op_code=None, measured_cores=None, ratio=None)
        if k >= 0:
            skipped.extend(m.op_code for m in measured[k + 1:j + 1])
            hit = measured[k]
            row.update(measured_s=hit.duration_s, op_code=hit.op_code, measured_cores=hit.cores,
                       ratio=op["time_s"] / hit.duration_s if hit.duration_s else math.nan)
            j = k - 1
        rows.append(row)
    rows.reverse()
    return Comparison(rows, sum(row["measured_s"] is None for row in rows), skipped)


def write_synthetic_csv(prediction: Any, path: str | Path, *, seed: int = 0, spread: float = 0.3,
                        warm_up_passes: int = 1) -> Path:
    """A **synthetic** ``ops_perf_results`` CSV in tt-metal's columns: the predicted ops, each "measured" as its
    prediction times a random factor (log-normal, ``spread``), after ``warm_up_passes`` passes. For showing and
    testing ``compare`` without a card; its durations are made up."""
    rng = random.Random(seed)
    path = Path(path)
    columns = ["OP CODE", "OP TYPE", "GLOBAL CALL COUNT", "DEVICE ID", "CORE COUNT", "MATH FIDELITY", DURATION]
    call = 0
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for _ in range(warm_up_passes + 1):
            for op in prediction.ops:
                call += 1
                writer.writerow({"OP CODE": SYNTHETIC_OP_CODES.get(op["op"], op["op"]), "OP TYPE": DEVICE_OP,
                                 "GLOBAL CALL COUNT": call, "DEVICE ID": 0, "CORE COUNT": op["cores"],
                                 "MATH FIDELITY": op["math_fidelity"] or "",
                                 DURATION: round(op["time_s"] * math.exp(rng.gauss(0.0, spread)) * 1e9)})
    return path
