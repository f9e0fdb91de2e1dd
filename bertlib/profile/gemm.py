"""Measured single matmuls beside their prediction: tt-metal's GEMM_FLOPS rows, each traced as the benchmark calls it.

Each CSV row (the columns of ``bertlib/profile/data/README.md``) becomes the ``ttnn.matmul`` call tt-metal's
``tests/ttnn/unit_tests/benchmarks/test_benchmark.py`` makes for it: ``in0 @ in1`` with every tensor in DRAM
for ``oob`` (ttnn's default program config and fidelity), or for ``tuned`` a 2-D multicast program config
with in0 block-sharded in L1 (or in DRAM), the row's math fidelity and output placement. The emulator traces
the call in shape-only mode and ``costmodel.op_cost`` prices the record; an untraced row adds the host's
dispatch (``rates.GEMM_HOSTS``).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import math
from pathlib import Path
from typing import Any

import torch

from bertlib.emulator import op_trace
from bertlib.errors import BertlibError
from bertlib.profile import costmodel
from bertlib.profile.rates import GEMM_HOSTS, MATMUL_RATES, Dispatch, MatmulRates

DATA = Path(__file__).parent / "data"
SHIPPED = (DATA / "gemm-n150.csv", DATA / "gemm-p150-13x10.csv")  # the rows the rates are fitted to
HELD_OUT = DATA / "gemm-p150-11x10.csv"  # another grid of the same report: checked against, never fitted
COLUMNS = ("chip", "grid_x", "grid_y", "oob_or_tuned", "m", "k", "n", "traced", "in0_sharded", "out_sharded",
           "in0_storage", "out_storage", "in0_dtype", "in1_dtype", "out_dtype", "fidelity", "time_us")
CHIP_NAMES = {"N150": "wormhole_n150", "N300": "wormhole_n300", "P150": "blackhole_p150"}
SMALL_S = 50e-6  # groups split ops under and over 50 us

#: The benchmark's per-shape K split for tuned rows (test_benchmark.py ``matmul_shapes_*``): shapes per core
#: of the grid (m / grid_y, k / grid_x, n / grid_x) -> in0_block_w_div; shapes it does not list use 1.
_K_SPLIT = {
    "BFLOAT16": {(256, 384, 384): 2, (384, 384, 384): 4, (384, 384, 512): 2, (384, 512, 512): 2,
                 (1024, 1024, 1024): 2, (2048, 2048, 2048): 4},
    "BFLOAT8_B": {(384, 384, 384): 2, (384, 384, 512): 2, (1024, 1024, 1024): 2, (2048, 2048, 2048): 4},
    "BFLOAT4_B": {(384, 512, 512): 2, (512, 512, 512): 2, (1024, 1024, 1024): 2, (2048, 2048, 2048): 4},
}
#: The benchmark's subblock preference, (out_subblock_h, out_subblock_w), largest first.
_SUBBLOCKS = [(4, 2), (2, 4), (8, 1), (1, 8), (7, 1), (1, 7), (3, 2), (2, 3), (6, 1), (1, 6), (5, 1), (1, 5),
              (2, 2), (4, 1), (1, 4), (3, 1), (1, 3), (2, 1), (1, 2), (1, 1)]


class GemmCSVError(BertlibError, ValueError):
    """A GEMM CSV that cannot be read: missing, not CSV, lacking columns, or with a value that is not one."""


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a GEMM CSV, typed; ``GemmCSVError`` names what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise GemmCSVError(f"no such file: {path}")
    try:
        with path.open(newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise GemmCSVError(f"{path} lacks the column(s) {', '.join(missing)}")
            rows = [_typed(raw, line) for line, raw in enumerate(reader, start=2)]
    except (csv.Error, UnicodeDecodeError) as err:
        raise GemmCSVError(f"{path} is not a readable CSV: {err}") from err
    if not rows:
        raise GemmCSVError(f"{path} has no rows")
    return rows


def _typed(raw: dict[str, str], line: int) -> dict[str, Any]:
    try:
        row = dict(raw, grid_x=int(raw["grid_x"]), grid_y=int(raw["grid_y"]), m=int(raw["m"]), k=int(raw["k"]),
                   n=int(raw["n"]), traced=raw["traced"] == "True", time_us=float(raw["time_us"]))
    except (TypeError, ValueError) as err:
        raise GemmCSVError(f"line {line}: {err}") from err
    if raw["chip"] not in CHIP_NAMES:
        raise GemmCSVError(f"line {line}: unknown chip {raw['chip']!r} (one of {', '.join(CHIP_NAMES)})")
    if raw["oob_or_tuned"] not in ("oob", "tuned") or raw["fidelity"] not in costmodel.FIDELITY_PHASES:
        raise GemmCSVError(f"line {line}: oob_or_tuned {raw['oob_or_tuned']!r} or fidelity {raw['fidelity']!r} "
                           "is not one the benchmark writes")
    return row


@functools.lru_cache(maxsize=4)
def _device(chip: str) -> Any:
    from bertlib.device import open_device

    return open_device("emulator", chip=chip, quiet=True, trace_region_size=1 << 20)  # room for traced rows


def row_chip(row: dict[str, Any]) -> costmodel.Chip:
    """The chip a row ran on, with the compute grid the row gives (``grid_x`` x ``grid_y``).

    Without a program config ttnn splits a matmul over the device's whole compute grid
    (``device.compute_with_storage_grid_size()``); the benchmark scales each shape to the grid it reports, so a
    row's grid is the grid ttnn chose on. It is also the grid of the tuned rows' program configs. DRAM, NoC and
    clock stay the chip's. (tt-metal's 11x10 P150 tables take the same per-core time as the 13x10 ones for the
    same per-core work: an 11-column split, not the 13-column one of a full P150 grid.)
    """
    chip = costmodel.CHIPS[CHIP_NAMES[row["chip"]]]
    grid = (row["grid_y"], row["grid_x"])
    return chip if grid == chip.grid else dataclasses.replace(chip, grid=grid)


def _subblock(block_h: int, block_w: int, out_sharded: bool) -> tuple[int, int]:
    return next((h, w) for h, w in _SUBBLOCKS
                if block_h % h == 0 and block_w % w == 0 and not (out_sharded and h != 1))


def trace_row(row: dict[str, Any]) -> op_trace.OpRecord:
    """The op-trace record of the benchmark's ``ttnn.matmul`` call for ``row`` (shape-only)."""
    handle = _device(CHIP_NAMES[row["chip"]])
    ttnn, device = handle.ttnn, handle.device
    m, k, n, gx, gy = row["m"], row["k"], row["n"], row["grid_x"], row["grid_y"]
    dtypes = [getattr(ttnn, row[c].lower()) for c in ("in0_dtype", "in1_dtype", "out_dtype")]
    tuned = row["oob_or_tuned"] == "tuned"
    in0_sharded, out_sharded = tuned and row["in0_sharded"] == "True", tuned and row["out_sharded"] == "True"
    in0_memory = (ttnn.create_sharded_memory_config((1, 1, m, k), core_grid=ttnn.CoreGrid(y=gy, x=gx),
                                                    strategy=ttnn.ShardStrategy.BLOCK,
                                                    orientation=ttnn.ShardOrientation.ROW_MAJOR)
                  if in0_sharded else ttnn.DRAM_MEMORY_CONFIG)
    with op_trace.recording(shape_only=True) as trace:
        a = ttnn.from_torch(torch.empty((1, 1, m, k), device="meta"), dtype=dtypes[0], layout=ttnn.TILE_LAYOUT,
                            device=device, memory_config=in0_memory)
        b = ttnn.from_torch(torch.empty((1, 1, k, n), device="meta"), dtype=dtypes[1], layout=ttnn.TILE_LAYOUT,
                            device=device, memory_config=ttnn.DRAM_MEMORY_CONFIG)
        trace.records.clear()
        if row["traced"]:  # as the benchmark's traced runs: the op captured in a metal trace, no host dispatch
            trace_id = ttnn.begin_trace_capture(device, cq_id=0)
        if not tuned:
            a @ b
        else:
            per_m, per_n = m // gy // 32, n // gx // 32
            split = _K_SPLIT[row["in0_dtype"]].get((m // gy, k // gx, n // gx), 1)
            sub_h, sub_w = _subblock(per_m, per_n, out_sharded)
            config = ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(
                compute_with_storage_grid_size=(gx, gy), in0_block_w=k // gx // 32 // split, out_subblock_h=sub_h,
                out_subblock_w=sub_w, per_core_M=per_m, per_core_N=per_n, transpose_mcast=False,
                fused_activation=None)
            kernel = ttnn.WormholeComputeKernelConfig(math_fidelity=getattr(ttnn.MathFidelity, row["fidelity"]),
                                                      math_approx_mode=True, fp32_dest_acc_en=False, packer_l1_acc=True)
            out_memory = (ttnn.MemoryConfig(memory_layout=ttnn.TensorMemoryLayout.BLOCK_SHARDED,
                                            buffer_type=ttnn.BufferType.L1) if out_sharded else ttnn.DRAM_MEMORY_CONFIG)
            ttnn.matmul(a, b, program_config=config, memory_config=out_memory, dtype=dtypes[2],
                        compute_kernel_config=kernel)
        if row["traced"]:
            ttnn.end_trace_capture(device, trace_id, cq_id=0)
            ttnn.release_trace(device, trace_id)
    (record,) = trace.records
    return record


def predict_row(row: dict[str, Any], rates: dict[str, MatmulRates] = MATMUL_RATES,
                hosts: dict[str, Dispatch] = GEMM_HOSTS) -> float:
    """Predicted seconds per op for ``row``: the kernel when its record ran in a metal trace (``OpRecord.traced``),
    else the longer of kernel and the host's dispatch."""
    record = _traced(row)
    kernel_s = costmodel.op_cost(record, row_chip(row), rates=rates)["time_s"]
    if record.traced:
        return kernel_s
    host = hosts[row["chip"]]
    return costmodel.untraced_s(kernel_s, host.configured_s if record.program_config else host.plain_s)


def _group(row: dict[str, Any]) -> tuple[str, ...]:
    return (row["chip"], row["oob_or_tuned"], "traced" if row["traced"] else "untraced", row["in0_dtype"].lower(),
            row["fidelity"], "under 50 us" if row["time_us"] * 1e-6 < SMALL_S else "50 us or more")


def check_gemm(path: str | Path) -> Any:
    """Every row of a GEMM CSV predicted: a DataFrame with measured and predicted us, their ratio and its group."""
    import pandas as pd

    out = []
    for row in read_rows(path):
        predicted_us = predict_row(row) * 1e6
        keys = dict(zip(("chip", "config", "run", "dtype", "fidelity", "size"), _group(row), strict=True))
        out.append(dict(keys, m=row["m"], k=row["k"], n=row["n"], grid=f"{row['grid_x']}x{row['grid_y']}",
                        measured_us=row["time_us"], predicted_us=predicted_us, ratio=predicted_us / row["time_us"]))
    return pd.DataFrame(out)


def _shares(ratios: Any) -> dict[str, Any]:
    import numpy as np

    off = np.abs(np.log(np.asarray(ratios, dtype=float)))
    return dict(rows=int(len(off)), median_ratio=float(np.median(ratios)),
                within_15=float(np.mean(off <= math.log(1.15))), within_30=float(np.mean(off <= math.log(1.3))))


def summary(frame: Any) -> dict[str, Any]:
    """The JSON ``--check-gemm`` prints: all rows' median ratio and shares within 15% and 30%, and per group."""
    keys = ["chip", "config", "run", "dtype", "fidelity", "size"]
    groups = [dict(zip(keys, key, strict=True), **_shares(part.ratio))
              for key, part in frame.groupby(keys, sort=False)]
    return dict(_shares(frame.ratio), groups=groups)


def summary_text(frame: Any, path: str | Path) -> str:
    """``--check-gemm`` as plain text: one line per group, then every row's totals."""
    s = summary(frame)
    lines = [f"{'chip':5s} {'config':6s} {'run':8s} {'dtype':9s} {'fidelity':8s} {'size':13s} {'rows':>4s} "
             f"{'median pred/meas':>16s} {'within 15%':>10s} {'within 30%':>10s}"]
    for g in s["groups"]:
        lines.append(f"{g['chip']:5s} {g['config']:6s} {g['run']:8s} {g['dtype']:9s} {g['fidelity']:8s} "
                     f"{g['size']:13s} {g['rows']:4d} {g['median_ratio']:16.2f} {g['within_15']:10.0%} "
                     f"{g['within_30']:10.0%}")
    lines.append(f"\n{path}: {s['rows']} rows, median predicted/measured {s['median_ratio']:.2f}, "
                 f"{s['within_15']:.0%} within ±15%, {s['within_30']:.0%} within ±30% (an estimate against measured "
                 "single matmuls)")
    return "\n".join(lines)


def plot_check(frame: Any, title: str = "") -> Any:
    """Predicted against measured time per row (log-log), the ±30% band shaded, coloured by chip and config."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    low, high = frame.measured_us.min() / 1.5, frame.measured_us.max() * 1.5
    line = np.geomspace(low, high, 50)
    ax.fill_between(line, line / 1.3, line * 1.3, color="0.9", label="±30%")
    ax.plot(line, line, color="0.5", linewidth=1)
    for (chip, config, run), part in frame.groupby(["chip", "config", "run"]):
        ax.scatter(part.measured_us, part.predicted_us, s=14, marker="o" if run == "traced" else "x",
                   label=f"{chip} {config} {run}")
    ax.set(xscale="log", yscale="log", xlabel="measured µs per op", ylabel="predicted µs per op",
           title=title or "Single matmuls: predicted (bertlib cost model) against measured (tt-metal GEMM_FLOPS)")
    ax.legend(fontsize=7)
    return fig


# ------------------------------------------------------------------------------------------------ fitting
def _arrays(rows: list[dict[str, Any]]) -> dict[str, Any]:
    import numpy as np

    terms = [costmodel.matmul_terms(_traced(r), row_chip(r)) for r in rows]
    return {key: np.array([t[key] for t in terms], dtype=float) for key in terms[0]}


def _loss(ratios: Any) -> float:
    """Robust: about |log ratio|^2 near 0, |log ratio| beyond 10%, so a few odd rows do not pull the rest."""
    import numpy as np

    return float(np.sum(np.sqrt(1 + (np.log(ratios) / 0.1) ** 2) - 1))


def _search(loss: Any, start: dict[str, float], bounds: dict[str, tuple[float, float]]) -> dict[str, float]:
    """Coordinate search: each parameter scaled by a few factors (or set to zero) while the loss falls."""
    best, value = dict(start), loss(start)
    steps = (0.0, 0.7, 0.85, 0.93, 0.97, 0.99, 1.01, 1.03, 1.07, 1.15, 1.3)
    for _ in range(60):
        improved = False
        for name, (low, high) in bounds.items():
            for step in steps:
                trial = dict(best, **{name: min(high, max(low, best[name] * step))})
                trial_value = loss(trial)
                if trial_value < value - 1e-9:
                    best, value, improved = trial, trial_value, True
        if not improved:
            break
    return best


_START = dict(math_efficiency=0.8, unpack_bytes_per_cycle=64.0, launch_s=2e-6, block_s=0.5e-6, default_block_s=0.5e-6,
              dram_efficiency=0.5)
_BOUNDS = dict(math_efficiency=(0.3, 1.0), unpack_bytes_per_cycle=(8.0, 512.0), launch_s=(0.0, 50e-6),
               block_s=(0.0, 10e-6), default_block_s=(0.0, 10e-6), dram_efficiency=(0.05, 1.0))


def _round(value: float) -> float:
    return float(f"{value:.3g}")


def fit(paths: tuple[str | Path, ...] = SHIPPED) -> tuple[dict[str, MatmulRates], dict[str, Dispatch]]:
    """The matmul rates per architecture (traced rows) and the hosts' dispatch (untraced rows), refitted."""
    return fit_rows([row for path in paths for row in read_rows(path)])


def fit_rows(rows: list[dict[str, Any]]) -> tuple[dict[str, MatmulRates], dict[str, Dispatch]]:
    """``fit`` on rows already read; an architecture or host without rows keeps its stored values."""
    import numpy as np

    rates = dict(MATMUL_RATES)
    for arch in {costmodel.CHIPS[CHIP_NAMES[r["chip"]]].arch for r in rows}:
        traced = [r for r in rows if r["traced"] and costmodel.CHIPS[CHIP_NAMES[r["chip"]]].arch == arch]
        terms = _arrays(traced)
        measured = np.array([r["time_us"] * 1e-6 for r in traced])

        def loss(params: dict[str, float], terms: dict[str, Any] = terms, measured: Any = measured) -> float:
            return _loss(costmodel.matmul_kernel_s(terms, MatmulRates(**params))["time_s"] / measured)

        rates[arch] = MatmulRates(**{k: _round(v) for k, v in _search(loss, _START, _BOUNDS).items()})
    hosts = dict(GEMM_HOSTS)
    for chip in {r["chip"] for r in rows if not r["traced"]}:
        picks = {}
        for field, tuned in (("plain_s", False), ("configured_s", True)):
            part = [r for r in rows if r["chip"] == chip and not r["traced"] and (r["oob_or_tuned"] == "tuned") == tuned]
            if not part:
                picks[field] = getattr(GEMM_HOSTS[chip], field)
                continue
            kernel = np.array([predict_row(dict(r, traced=True), rates) for r in part])
            measured = np.array([r["time_us"] * 1e-6 for r in part])
            grid = np.arange(0.0, 300.5, 1.0) * 1e-6
            losses = [_loss(np.maximum(kernel, d) / measured) for d in grid]
            picks[field] = _round(float(grid[int(np.argmin(losses))]))
        hosts[chip] = Dispatch(**picks)
    return rates, hosts


_CALL = [c for c in COLUMNS if c != "time_us"]  # what makes one benchmark call


@functools.lru_cache(maxsize=4096)
def _traced_by_key(key: tuple[Any, ...]) -> op_trace.OpRecord:
    return trace_row(dict(zip(_CALL, key, strict=True)))


def _traced(row: dict[str, Any]) -> op_trace.OpRecord:
    """``trace_row``, once per distinct call (traced or not)."""
    return _traced_by_key(tuple(row[c] for c in _CALL))


def held_out(paths: tuple[str | Path, ...] = SHIPPED) -> list[dict[str, Any]]:
    """Leave one group out: each (chip, config, dtype, fidelity) group, traced and untraced, predicted by
    rates and dispatch refitted without its rows."""
    rows = [row for path in paths for row in read_rows(path)]
    out = []
    for key in dict.fromkeys((r["chip"], r["oob_or_tuned"], r["in0_dtype"], r["fidelity"]) for r in rows):
        keep = [r for r in rows if (r["chip"], r["oob_or_tuned"], r["in0_dtype"], r["fidelity"]) != key]
        rates, hosts = fit_rows(keep)
        ratios = [predict_row(r, rates, hosts) / (r["time_us"] * 1e-6) for r in rows if r not in keep]
        out.append(dict(chip=key[0], config=key[1], dtype=key[2].lower(), fidelity=key[3], **_shares(ratios)))
    return out
