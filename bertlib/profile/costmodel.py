"""Predicted device time and memory of a TT-NN BERT batch, from the emulator's shape-only op trace.

An **estimate**, per op, as a roofline: the time of the slowest of the matrix/vector engines, DRAM and
L1 traffic, plus a fixed cost per op. The chips' figures are public (``bertlib.profile.chips``); two
constants are fitted to published tt-metal results on Wormhole (``CALIBRATION``), and nothing else:

* ``matmul_efficiency``: the share of the matrix engine's peak that a matmul reaches;
* ``op_overhead_s``: the fixed device time of one op (launch, first tiles through the pipeline).

An n300 is two n150-class chips running half the batch each (data parallel): its time is one chip's.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import ttnn

from bertlib.emulator import trace as op_trace
from bertlib.emulator.numerics import FUSED_ACTIVATIONS
from bertlib.emulator.tensor import padded, tensor_bytes
from bertlib.errors import BertlibError
from bertlib.models.configs import PrecisionConfig, get_precision
from bertlib.profile.chips import (
    CHIPS,
    ELTWISE_FLOPS_PER_CYCLE,
    FIDELITY_PHASES,
    MATMUL_FLOPS_PER_CYCLE,
    Chip,
)

MATMULS = ("linear", "matmul")
#: ops grouped for the stacked bars: every op the emulator records maps to one group.
OP_GROUPS = {
    "linear": "linear", "matmul": "attention matmul", "attention_softmax_": "softmax", "softmax": "softmax",
    "attention_softmax": "softmax", "scale_mask_softmax": "softmax", "scale_mask_softmax_in_place": "softmax",
    "interleaved_to_sharded": "data movement", "sharded_to_interleaved": "data movement",
    "fill_implicit_tile_padding": "data movement",
    "layer_norm": "layer norm", "gelu": "eltwise", "add": "eltwise", "multiply": "eltwise",
    "embedding": "embedding", "split_query_key_value_and_split_heads": "data movement",
    "concatenate_heads": "data movement", "reshape": "data movement", "permute": "data movement",
    "to_layout": "data movement", "to_memory_config": "data movement",
    **{name: "eltwise" for name in FUSED_ACTIVATIONS},  # an activation ttnn runs after a matmul, as its own op
}


@dataclass(frozen=True)
class Constants:
    """The cost model's two fitted constants (see the module docstring)."""

    matmul_efficiency: float
    op_overhead_s: float


#: Fitted by ``calibrate()`` to ``CALIBRATION`` (``python -m bertlib profile --calibrate`` recomputes them).
FITTED = Constants(matmul_efficiency=0.49, op_overhead_s=3.75e-05)


class ProfileError(BertlibError, ValueError):
    """A profile request the cost model cannot answer (unknown chip, bad batch or sequence length)."""


@dataclass
class ModelTrace:
    """The shape-only trace of one forward pass on one chip, and the weights it reads."""

    records: list[op_trace.OpRecord]
    weight_bytes: float
    parameters: set[tuple[tuple[int, ...], str]]
    batch_per_chip: int
    hidden_bytes: float


def _leaves(tree: Any) -> list[Any]:
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in _leaves(value)]
    if isinstance(tree, list):
        return [leaf for value in tree for leaf in _leaves(value)]
    return [tree]


def _dtype_name(dtype: Any) -> str:
    return str(dtype).split(".")[-1]


@functools.lru_cache(maxsize=64)
def trace_model(model: str, batch: int, seq: int, precision: str | PrecisionConfig, chip: str) -> ModelTrace:
    """Trace ``model``'s forward pass in shape-only mode on one chip of ``chip`` (no weights loaded)."""
    from bertlib.device import open_device
    from bertlib.models.bert import TTConfig
    from bertlib.models.preprocess import preprocess_parameters
    from bertlib.models.registry import load_shapes
    from bertlib.models.runner import run_model

    figures = chip_figures(chip)
    if batch < 1 or seq < 1:
        raise ProfileError(f"batch and sequence length must be positive (got batch={batch}, seq={seq})")
    hf_model = load_shapes(model)
    if seq > hf_model.config.max_position_embeddings:
        raise ProfileError(f"seq {seq} is longer than {model}'s {hf_model.config.max_position_embeddings} positions")
    per_chip = -(-batch // figures.devices)
    handle = open_device("emulator", chip=chip, quiet=True)
    config = TTConfig(hf_model.config, get_precision(precision), handle.ttnn, handle.device)
    ids = torch.zeros(per_chip, seq, dtype=torch.int64)
    with op_trace.recording(shape_only=True) as trace:
        parameters = preprocess_parameters(hf_model, config)
        trace.records.clear()
        token_types = ids if hf_model.config.model_type != "distilbert" else None
        run_model(config, parameters, ids, token_types, torch.ones_like(ids))
    leaves = _leaves(parameters)
    hidden = hf_model.config.hidden_size if hasattr(hf_model.config, "hidden_size") else hf_model.config.dim
    act_dtype = _dtype_name(config.dtype("activations"))
    return ModelTrace(
        records=list(trace.records),
        weight_bytes=sum(tensor_bytes(t.logical_shape, _dtype_name(t.dtype), t.layout) for t in leaves),
        parameters={(tuple(t.logical_shape), _dtype_name(t.dtype)) for t in leaves},
        batch_per_chip=per_chip,
        hidden_bytes=tensor_bytes((per_chip, seq, hidden), act_dtype, ttnn.TILE_LAYOUT),
    )


def chip_figures(chip: str) -> Chip:
    if chip not in CHIPS:
        raise ProfileError(f"unknown chip {chip!r}: use one of {', '.join(CHIPS)}")
    return CHIPS[chip]


def _tiles(shape: tuple[int, ...]) -> int:
    return max(1, math.prod(padded(tuple(shape), ttnn.TILE_LAYOUT)) // 1024)


def op_cost(rec: op_trace.OpRecord, chip: Chip, constants: Constants) -> dict[str, Any]:
    """One op's predicted time: compute, DRAM and L1 (NoC) times, the bound, and the total with the overhead.

    Placement decides the traffic: a sharded operand is read and written by the core that holds it (no NoC,
    no DRAM); an interleaved one crosses the NoC (and DRAM when it lives there). A multicast matmul's
    program config sends each in0 block along its row of cores and each in1 block down its column: every
    core receives its whole row of in0 and column of in1.
    """
    grid_cores = rec.cores or (rec.core_grid[0] * rec.core_grid[1] if rec.core_grid else chip.cores)
    cores = min(grid_cores, _tiles(rec.output_shape))
    if rec.op in MATMULS:
        logical = math.prod(rec.output_shape)
        flops = rec.flops * math.prod(padded(rec.output_shape, ttnn.TILE_LAYOUT)) / max(logical, 1)
        rate = MATMUL_FLOPS_PER_CYCLE / FIDELITY_PHASES[rec.math_fidelity or "HiFi2"] * constants.matmul_efficiency
    else:
        flops = rec.flops
        rate = ELTWISE_FLOPS_PER_CYCLE
    compute_s = flops / (cores * rate * chip.clock_hz)
    inputs = [tensor_bytes(s, d, ttnn.TILE_LAYOUT) for s, d in zip(rec.input_shapes, rec.input_dtypes, strict=True)]
    output = rec.bytes_written
    local = rec.local or [False] * (len(inputs) + 1)
    dram = sum(b for b, m in zip(inputs, rec.input_memories, strict=True) if m == "DRAM")
    dram += output if rec.memory == "DRAM" else 0
    moved = [b for b, here in zip([*inputs, output], local, strict=True) if not here]
    noc_per_core = sum(moved) / cores
    if rec.mcast_blocks:  # in0 (a row block per core) and in1 (a column block per core) are multicast
        blocks_m, blocks_n = rec.mcast_blocks
        noc_per_core = inputs[0] / blocks_m + inputs[1] / blocks_n + (0 if local[-1] else output / cores)
    dram_s = dram / chip.dram_bytes_per_s
    l1_s = noc_per_core / (2 * chip.noc_bytes_per_cycle * chip.clock_hz)
    times = {"compute": compute_s, "DRAM": dram_s, "L1": l1_s}
    bound = max(times, key=times.get)
    if constants.op_overhead_s > times[bound]:
        bound = "overhead"
    return dict(op=rec.op, group=OP_GROUPS.get(rec.op, "other"), output_shape=list(rec.output_shape),
                dtype=rec.output_dtype, memory=rec.memory, math_fidelity=rec.math_fidelity, cores=cores,
                flops=flops, dram_bytes=dram, l1_bytes=noc_per_core * cores, compute_s=compute_s, dram_s=dram_s,
                l1_s=l1_s, bound=bound, time_s=max(times.values()) + constants.op_overhead_s)


def _io_bytes(batch: int, seq: int) -> float:
    """Host<->device bytes per batch: three uint32 id tensors and the bf16 mask in, the (B, S, 2) logits out."""
    tile_rows = -(-seq // 32) * 32
    return batch * seq * 4 * 3 + batch * 32 * tile_rows * 2 + batch * tile_rows * 32 * 2


@dataclass
class Prediction:
    """A predicted batch: per-op rows, totals and the memory footprint against the chip's capacity."""

    model: str
    batch: int
    seq: int
    precision: str
    chip: str
    device_s: float
    end_to_end_s: float
    sentences_per_s: float
    memory: dict[str, Any]
    ops: list[dict[str, Any]] = field(repr=False)
    constants: Constants = FITTED
    label: str = "estimate from the bertlib cost model, not a measurement"

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["time_per_batch_ms"] = self.device_s * 1e3
        out["end_to_end_ms"] = self.end_to_end_s * 1e3
        return out

    def by_group(self) -> dict[str, float]:
        """Predicted seconds per op group, largest first."""
        totals: dict[str, float] = {}
        for row in self.ops:
            totals[row["group"]] = totals.get(row["group"], 0.0) + row["time_s"]
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def _memory(mt: ModelTrace, precision: PrecisionConfig, chip: Chip) -> dict[str, Any]:
    """Weights and the activation working set, per chip, against L1 and DRAM capacity (an estimate)."""
    peak = 0.0
    for rec in mt.records:
        live = sum(tensor_bytes(s, d, ttnn.TILE_LAYOUT) for s, d in zip(rec.input_shapes, rec.input_dtypes, strict=True)
                   if (tuple(s), d) not in mt.parameters)
        peak = max(peak, live + rec.bytes_written)
    activations = peak + mt.hidden_bytes  # the residual stays live across each block
    in_l1 = precision.memory == "L1"
    l1_needed = activations if in_l1 else 0.0
    dram_needed = mt.weight_bytes + (0.0 if in_l1 else activations)
    problems = []
    if l1_needed > chip.l1_bytes:
        problems.append(f"activations need {l1_needed / 2**20:.0f} MiB of L1, the grid has {chip.l1_bytes / 2**20:.0f} MiB")
    if dram_needed > chip.dram_bytes:
        problems.append(f"needs {dram_needed / 2**30:.1f} GiB of DRAM, a chip has {chip.dram_bytes / 2**30:.0f} GiB")
    return dict(weights_bytes=mt.weight_bytes, activations_peak_bytes=activations, l1_needed_bytes=l1_needed,
                l1_capacity_bytes=chip.l1_bytes, dram_needed_bytes=dram_needed, dram_capacity_bytes=chip.dram_bytes,
                fits=not problems, problems=problems, per_chip=True)


def predict(model: str = "auto", batch: int = 8, seq: int = 384, precision: str | PrecisionConfig = "optimized",
            chip: str = "wormhole_n150", constants: Constants = FITTED) -> Prediction:
    """Predicted device time, throughput and memory of one batch (an estimate; see the module docstring)."""
    figures = chip_figures(chip)
    config = get_precision(precision)
    mt = trace_model(model, batch, seq, config, chip)
    ops = [op_cost(rec, figures, constants) for rec in mt.records]
    device_s = sum(row["time_s"] for row in ops)
    end_to_end_s = device_s + _io_bytes(mt.batch_per_chip, seq) / figures.pcie_bytes_per_s
    return Prediction(model, batch, seq, config.name, chip, device_s, end_to_end_s, batch / device_s,
                      _memory(mt, config, figures), ops, constants)


# ------------------------------------------------------------------------------------------ calibration
TT_METAL = "github.com/tenstorrent/tt-metal"
_BF16_L1_GRID = dict(memory="L1", math_fidelity="LoFi", fp32_dest_acc_en=False, use_core_grid=True)


@dataclass(frozen=True)
class Published:
    """A published tt-metal result on Wormhole and the bertlib model and config that stand for it."""

    implementation: str
    source: str
    model: str
    precision: PrecisionConfig
    batch: int
    seq: int
    kind: str  # "device" (sum of device kernel times) or "end-to-end"
    sentences_per_s: float
    chip: str = "wormhole_n150"
    note: str = ""
    fitted: bool = True


#: Device rows are tt-metal's "AVG DEVICE KERNEL SAMPLES/S": batch / the summed kernel time of every op.
#: On an n300, tt-metal's single-card tests run batch 16 on two chips and that sum covers both chips'
#: ops, so the figure equals one chip's batch of 8: those rows are modelled as an n150 with batch 8.
CALIBRATION: list[Published] = [
    Published("BERT-large (metal_BERT_large_11, bfloat8_b sharded)",
              f"{TT_METAL} models/demos/metal_BERT_large_11/tests/test_perf_device_bert.py (WH: 340)",
              "random:bert-large", get_precision("sharded"), 8, 384, "device", 340.0),
    Published("BERT-large (metal_BERT_large_11)", f"{TT_METAL} README.md, model table (n150: 270 sentences/s)",
              "random:bert-large", get_precision("sharded"), 8, 384, "end-to-end", 270.0),
    Published("Sentence-BERT (bert-base, bfloat8_b, sharded)",
              f"{TT_METAL} models/demos/sentence_bert/tests/perf/test_sentence_bert_perf.py (440.4)",
              "random:bert-base",
              get_precision("sharded").with_(name="sharded, FF1 at HiFi2", ff1_math_fidelity="HiFi2"),
              8, 384, "device", 440.4, fitted=False,
              note="not fitted: the same sharded op sequence per layer as metal_BERT_large_11 on a 6x8 grid "
                   "(ttnn/common.py), yet 1.51 ms per bert-base layer on the card against 0.98 ms per BERT-large "
                   "layer; no two constants fit it and BERT-large within 30% leave-one-out"),
    Published("DistilBERT (wormhole/distilbert ttnn_optimized_distilbert)",
              f"{TT_METAL} models/demos/wormhole/distilbert/tests/test_perf_distilbert.py (245)",
              "random:distilbert",
              get_precision("optimized").with_(name="optimized with bfloat16 weights", weights_dtype="bfloat16"),
              8, 384, "device", 245.0, fitted=False,
              note="not fitted: its attention masks the (B, 12, S, S) scores with slices, multiplies, adds, "
                   "permutes and a concat, unfused ops bertlib's trace does not have"),
    Published("bert-tiny (wormhole/bert_tiny)",
              f"{TT_METAL} models/demos/wormhole/bert_tiny/tests/test_performance.py (6850, batch 16 on n300)",
              "random:bert-tiny", get_precision("bf16-hifi4").with_(name="bfloat16, L1, LoFi, core grid", **_BF16_L1_GRID),
              8, 128, "device", 6850.0, note="bfloat16, L1, core grid; Q, K and V leave the device for reshapes"),
]


def predicted_rate(row: Published, constants: Constants) -> float:
    """Predicted sentences/s for a published row (device or end-to-end, as the row says)."""
    p = predict(row.model, row.batch, row.seq, row.precision, row.chip, constants)
    return row.batch / (p.device_s if row.kind == "device" else p.end_to_end_s)


def _rate_function(row: Published) -> Any:
    """sentences/s of ``row`` as a fast function of the two constants (arrays of them work too)."""
    import numpy as np

    p = predict(row.model, row.batch, row.seq, row.precision, row.chip, Constants(1.0, 0.0))
    matmul = np.array([r["compute_s"] if r["op"] in MATMULS else 0.0 for r in p.ops])
    rest = np.array([max(r["dram_s"], r["l1_s"], 0.0 if r["op"] in MATMULS else r["compute_s"]) for r in p.ops])
    io_s = p.end_to_end_s - p.device_s if row.kind != "device" else 0.0

    def rate(efficiency: Any, overhead_s: Any) -> Any:
        eff = np.asarray(efficiency)[..., None]
        device = np.maximum(matmul / eff, rest).sum(-1) + len(p.ops) * np.asarray(overhead_s)
        return row.batch / (device + io_s)

    return rate


def calibrate(rows: list[Published] | None = None) -> Constants:
    """The two constants that minimise the worst |log(predicted / published)| over ``rows`` (grid search:
    efficiency 0.05..1 by 0.005, overhead 0..100 us by 0.25 us)."""
    import numpy as np

    rows = [r for r in (CALIBRATION if rows is None else rows) if r.fitted]
    eff, overhead = np.meshgrid(np.arange(0.05, 1.0001, 0.005), np.arange(0.0, 100.0001, 0.25) * 1e-6, indexing="ij")
    worst = np.zeros_like(eff)
    for row in rows:
        rate = _rate_function(row)(eff.ravel(), overhead.ravel()).reshape(eff.shape)
        worst = np.maximum(worst, np.abs(np.log(rate / row.sentences_per_s)))
    i, j = np.unravel_index(np.argmin(worst), worst.shape)
    return Constants(round(float(eff[i, j]), 3), round(float(overhead[i, j]), 9))


def calibration_table(constants: Constants = FITTED, leave_one_out: bool = True) -> list[dict[str, Any]]:
    """One row per published figure: published, predicted, ratio and (refitted without it) leave-one-out ratio."""
    out = []
    for i, row in enumerate(CALIBRATION):
        predicted = predicted_rate(row, constants)
        entry = dict(implementation=row.implementation, batch=row.batch, seq=row.seq, kind=row.kind,
                     chip=row.chip, bertlib=f"{row.model} · {row.precision.name}",
                     published=row.sentences_per_s, predicted=predicted, ratio=predicted / row.sentences_per_s,
                     source=row.source, note=row.note)
        if leave_one_out:
            others = calibrate(CALIBRATION[:i] + CALIBRATION[i + 1:])
            entry["loo_ratio"] = predicted_rate(row, others) / row.sentences_per_s
        out.append(entry)
    return out
