"""Measured device batches on a Tenstorrent card (real ttnn only; without a card it raises at once).

Three timings of the same batch, each ended by ``ttnn.synchronize_device``: the first run (it compiles
every kernel), cached runs (program cache warm, ops dispatched one by one from Python), and a captured
trace replayed on command queue 0 while the next inputs are written on queue 1 — the trace + two
command-queue mode of tt-metal's bert-tiny performance test. Per-op device times come from TT-NN's
device profiler: run with ``TT_METAL_DEVICE_PROFILER=1`` and read ``generated/profiler/`` (tt-metal docs,
"Device Program Profiler").
"""

from __future__ import annotations

import time
from typing import Any

import torch

from bertlib.bench import median_seconds
from bertlib.device import open_device, opened
from bertlib.models import TTModel, load_model
from bertlib.models.bert import bert_for_question_answering, preprocess_inputs
from bertlib.models.precisions import PrecisionConfig
from bertlib.models.runner import run_model

TRACE_REGION_BYTES = 64 << 20  # room for BERT-large's command trace


def open_card(devices: int = 1) -> Any:
    """A card opened for tracing with two command queues (raises DeviceError without a card)."""
    return open_device("ttnn", mesh_shape=(1, devices), trace_region_size=TRACE_REGION_BYTES, num_command_queues=2)


def measure(model: str = "auto", batch: int = 8, seq: int = 384, precision: str | PrecisionConfig = "optimized",
            *, repeats: int = 10, handle: Any = None) -> dict[str, Any]:
    """Seconds per batch on the card: first run, cached runs, and trace + 2 command queues.

    On ``handle``, else the card this process already holds (``opened()``, which needs a trace region and two
    command queues, as ``open_card`` gives), else a card opened here and closed again."""
    handle = handle if handle is not None else opened()
    if handle is None:
        with open_card() as card:
            return measure(model, batch, seq, precision, repeats=repeats, handle=card)
    ttnn, device = handle.ttnn, handle.device
    tt = TTModel.build(load_model(model), precision, handle)
    ids = torch.randint(1000, 5000, (batch, seq))
    types = ids * 0 if tt.loaded.has_token_types else None
    mask = torch.ones_like(ids)

    def run_once() -> None:
        run_model(tt.config, tt.parameters, ids, types, mask)
        ttnn.synchronize_device(device)

    start = time.perf_counter()
    run_once()
    first_s = time.perf_counter() - start
    cached_s = median_seconds(run_once, repeats=repeats, warm_up=False)  # the first run above warmed it up

    device_inputs = preprocess_inputs(tt.config, ids, types, mask)
    trace_id = ttnn.begin_trace_capture(device, cq_id=ttnn.QueueId(0))
    bert_for_question_answering(tt.config, *device_inputs, parameters=tt.parameters)
    ttnn.end_trace_capture(device, trace_id, cq_id=ttnn.QueueId(0))
    host_inputs = [ttnn.from_device(t) for t in device_inputs]

    def run_trace() -> None:
        for host, on_device in zip(host_inputs, device_inputs, strict=True):
            ttnn.copy_host_to_device_tensor(host, on_device, cq_id=ttnn.QueueId(1))
        written = ttnn.record_event(device, ttnn.QueueId(1))
        ttnn.wait_for_event(ttnn.QueueId(0), written)
        ttnn.execute_trace(device, trace_id, cq_id=ttnn.QueueId(0), blocking=False)
        ttnn.synchronize_device(device)

    trace_s = median_seconds(run_trace, repeats=repeats)
    ttnn.release_trace(device, trace_id)
    return dict(model=model, batch=batch, seq=seq, precision=tt.config.precision.name, first_run_s=first_s,
                compile_s=max(first_s - cached_s, 0.0), cached_s=cached_s, trace_2cq_s=trace_s,
                sentences_per_s=batch / trace_s, measured=True)


def profile_batches(model: str = "auto", batch: int = 8, seq: int = 384, precision: str | PrecisionConfig = "optimized",
                    *, runs: int = 2, handle: Any = None) -> None:
    """Run ``runs`` batches (the first compiles), then read the device profiler. Run it under tt-metal's profiler
    (``TT_METAL_DEVICE_PROFILER=1 python -m tracy -r SCRIPT``) to get ``ops_perf_results_*.csv`` for
    ``python -m bertlib profile --compare-csv``. On ``handle``, else the card already open, else one opened here."""
    handle = handle if handle is not None else opened()
    if handle is None:
        with open_device("ttnn") as card:
            return profile_batches(model, batch, seq, precision, runs=runs, handle=card)
    ttnn, device = handle.ttnn, handle.device
    tt = TTModel.build(load_model(model), precision, handle)
    ids = torch.randint(1000, 5000, (batch, seq))
    for _ in range(runs):
        run_model(tt.config, tt.parameters, ids, ids * 0 if tt.loaded.has_token_types else None, torch.ones_like(ids))
        ttnn.synchronize_device(device)
    ttnn.ReadDeviceProfiler(device)
