"""How fast the emulator runs the TT-NN model on this CPU, against HF torch at the same shapes.

Both run the same batch: the demo inputs' windows (``data/input_data.json``, repeated to fill the batch).
HF runs in float32 with its default attention; both use torch's thread count; each measurement is one
warm-up then the median of ``repeats`` runs. This measures the host, never a chip.
"""

from __future__ import annotations

import copy
import statistics
import time
from collections.abc import Callable
from functools import partial

import torch

from bertlib.device import open_device
from bertlib.emulator.numerics import Numerics, accumulate_matmul
from bertlib.inputs import default_windows
from bertlib.models import TTModel
from bertlib.models.registry import load_model
from bertlib.qa.pipeline import hf_logits_fn


def median_seconds(fn: Callable[..., object], *args: object, repeats: int, warm_up: bool = True) -> float:
    """The median wall time of ``repeats`` calls ``fn(*args)``, after one untimed call unless ``warm_up`` is False."""
    if warm_up:
        fn(*args)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(models: list[str], precisions: list[str], *, batch: int = 8, seq: int = 384, repeats: int = 3) -> list[dict]:
    """One row per (model, precision): emulator seconds, HF seconds and their ratio."""
    with open_device("emulator", quiet=True) as handle:  # the emulator's speed, on a card machine too
        rows = []
        for name in models:
            loaded = load_model(name)
            windows = default_windows(loaded, batch=batch, seq=seq)
            ids, types, mask = windows.input_ids, windows.token_type_ids, windows.attention_mask
            hf = copy.deepcopy(loaded.hf_model)
            hf.config._attn_implementation = "sdpa"  # HF's default; the reference copy keeps eager for its hooks
            hf_s = median_seconds(hf_logits_fn(loaded, hf), ids, types, mask, repeats=repeats)
            for precision in precisions:
                tt = TTModel.build(loaded, precision, handle)
                tt_s = median_seconds(tt, ids, types, mask, repeats=repeats)
                rows.append(dict(model=name, precision=precision, batch=batch, seq=seq, threads=torch.get_num_threads(),
                                 emulator_s=tt_s, hf_s=hf_s, ratio=tt_s / hf_s,
                                 hf_attention=hf.config._attn_implementation))
        return rows


#: torch's op names (and the compiled kernels' ``record_function`` names), grouped as the README's "where the
#: time goes" table reads them.
HOST_OP_GROUPS = {
    "aten::mm": "matmuls", "aten::bmm": "matmuls", "aten::baddbmm": "matmuls", "aten::addmm": "matmuls",
    "bertlib::round_to_bfloat16_": "bf16 accumulation", "bertlib::truncate_mantissa": "fidelity split",
    "bertlib::block_float": "block-float storage", "aten::copy_": "dtype conversions",
    "bertlib::softmax_bfloat16": "softmax", "aten::exp_": "softmax", "aten::sum": "softmax",
}


def where_time_goes(model: str, precision: str, *, batch: int = 8, seq: int = 384) -> dict[str, float]:
    """Host seconds of one emulated forward pass per op group (``torch.profiler``; ops in no group are "other")."""
    loaded = load_model(model)
    windows = default_windows(loaded, batch=batch, seq=seq)
    args = (windows.input_ids, windows.token_type_ids, windows.attention_mask)
    with open_device("emulator", quiet=True) as handle:
        tt = TTModel.build(loaded, precision, handle)
        tt(*args)  # warm-up
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            tt(*args)
    groups: dict[str, float] = {}
    for event in prof.key_averages():
        group = HOST_OP_GROUPS.get(event.key, "other")
        groups[group] = groups.get(group, 0.0) + event.self_cpu_time_total / 1e6
    return dict(sorted(groups.items(), key=lambda kv: -kv[1]))


def accumulation_granularity(shapes: dict[str, tuple[int, int, int]] | None = None, *,
                             repeats: int = 3) -> list[dict]:
    """One LoFi matmul with bfloat16 accumulation per shape (M, K, N), rounded per 16 products (the hardware's
    ``MVMUL``, the emulator's model) and per K-tile of 32 (a coarser model): host seconds each, and how many
    outputs differ."""
    shapes = shapes or {"bert-large FF1": (3072, 1024, 4096), "minilm FF2": (3072, 1536, 384)}
    numerics = Numerics("LoFi", False, False)
    rows = []
    for name, (m, k, n) in shapes.items():
        generator = torch.Generator().manual_seed(0)
        a = torch.randn(m, k, generator=generator).to(torch.bfloat16).float()
        b = torch.randn(k, n, generator=generator).to(torch.bfloat16).float()
        outs, seconds = {}, {}
        for step in (32, 16):
            outs[step] = accumulate_matmul(a, b, numerics, torch.matmul, step=step)
            seconds[step] = median_seconds(partial(accumulate_matmul, a, b, numerics, torch.matmul, step=step),
                                           repeats=repeats, warm_up=False)
        rows.append(dict(shape=name, m=m, k=k, n=n, per_32_s=seconds[32], per_16_s=seconds[16],
                         ratio=seconds[16] / seconds[32], outputs_differing=float((outs[16] != outs[32]).float().mean())))
    return rows
