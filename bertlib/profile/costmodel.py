"""Predicted device time and memory of a TT-NN BERT batch, from the emulator's shape-only op trace.

An **estimate**, op by op: a model's time is the sum of its ops' kernel times.

* A matmul (``linear``, ``matmul``) is costed from how its program config (or, without one, ttnn's own
  choice) splits it over the cores: math per fidelity, the unpacker's rate per operand format, a handshake
  per K block, DRAM and NoC traffic, and a launch (``matmul_kernel_s``). Its per-architecture rates
  (``bertlib.profile.rates``) are fitted to measured single matmuls, tt-metal's GEMM_FLOPS rows
  (``python -m bertlib profile --check-gemm``), not to any model.
* Every other op is a roofline (vector engine, DRAM, NoC) plus one fixed cost, ``Constants.op_overhead_s``,
  the one constant fitted to published whole-model figures (``CALIBRATION``).

Times are device kernel times, as in a captured trace; an untraced op takes the longer of its kernel and the
host's dispatch (``untraced_s``). An n300 is two n150-class chips running half the batch each (data
parallel): its time is one chip's.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import torch
import ttnn

from bertlib.emulator import op_trace
from bertlib.emulator.numerics import FUSED_ACTIVATIONS
from bertlib.emulator.ops import REGISTRY
from bertlib.emulator.tensor import padded, tensor_bytes
from bertlib.errors import BertlibError
from bertlib.models.precisions import PrecisionConfig, get_precision
from bertlib.profile.engine_rates import CHIPS, ELTWISE_FLOPS_PER_CYCLE, FIDELITY_PHASES, Chip
from bertlib.profile.matmul_blocks import TILE, blocking
from bertlib.profile.rates import MATMUL_RATES, MatmulRates

MATMULS = ("linear", "matmul")
#: ops grouped for the stacked bars: every op the emulator records maps to one group (its registry declaration).
OP_GROUPS = {
    **{spec.name: spec.group for spec in REGISTRY.values() if spec.group is not None},
    # ops only a published implementation's own sequence has (``Published.as_run``)
    "reshard": "data movement", "repeat": "data movement", "sum": "eltwise", "clamp": "eltwise", "div": "eltwise",
    **{name: "eltwise" for name in FUSED_ACTIVATIONS},  # an activation ttnn runs after a matmul, as its own op
}


#: Matrix-engine cycles of one 32x32x32 tile product at LoFi on one core (tt-metal tech_reports/GEMM_FLOPS:
#: LoFi 16, HiFi2 32, HiFi4 64): 32*32*32*2 FLOPs over 4096 per cycle (``chips.MATMUL_FLOPS_PER_CYCLE``).
TILE_PRODUCT_CYCLES = 16


@dataclass(frozen=True)
class Constants:
    """The cost model's constant fitted to whole-model figures (see the module docstring)."""

    op_overhead_s: float  # the fixed device time of one op other than a matmul (launch, first tiles through)


#: Fitted by ``calibrate()`` to ``CALIBRATION`` (``python -m bertlib profile --calibrate`` recomputes it).
FITTED = Constants(op_overhead_s=7.5e-05)


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
    from bertlib.models.preprocess import preprocess_parameters
    from bertlib.models.registry import family, load_shapes
    from bertlib.models.runner import run_model
    from bertlib.models.tt_config import TTConfig

    figures = chip_figures(chip)
    if batch < 1 or seq < 1:
        raise ProfileError(f"batch and sequence length must be positive (got batch={batch}, seq={seq})")
    hf_model = load_shapes(model)
    if seq > hf_model.config.max_position_embeddings:
        raise ProfileError(f"seq {seq} is longer than {model}'s {hf_model.config.max_position_embeddings} positions")
    per_chip = -(-batch // figures.devices)
    ids = torch.zeros(per_chip, seq, dtype=torch.int64)
    with open_device("emulator", chip=chip, quiet=True) as handle, op_trace.recording(shape_only=True) as trace:
        config = TTConfig(hf_model.config, get_precision(precision), handle.ttnn, handle.device)
        parameters = preprocess_parameters(hf_model, config)
        trace.records.clear()
        token_types = ids if family(hf_model.config.model_type).token_types else None
        run_model(config, parameters, ids, token_types, torch.ones_like(ids))
    leaves = _leaves(parameters)
    act_dtype = _dtype_name(config.activations_dtype)
    return ModelTrace(
        records=list(trace.records),
        weight_bytes=sum(tensor_bytes(t.logical_shape, _dtype_name(t.dtype), t.layout) for t in leaves),
        parameters={(tuple(t.logical_shape), _dtype_name(t.dtype)) for t in leaves},
        batch_per_chip=per_chip,
        hidden_bytes=tensor_bytes((per_chip, seq, config.hidden_size), act_dtype, ttnn.TILE_LAYOUT),
    )


def chip_figures(chip: str) -> Chip:
    if chip not in CHIPS:
        raise ProfileError(f"unknown chip {chip!r}: use one of {', '.join(CHIPS)}")
    return CHIPS[chip]


def _tiles(shape: tuple[int, ...]) -> int:
    return max(1, math.prod(padded(tuple(shape), ttnn.TILE_LAYOUT)) // 1024)


def _traffic(rec: op_trace.OpRecord, chip: Chip, cores: int) -> tuple[float, float, float]:
    """DRAM bytes, NoC bytes per core and the NoC time of one op (see ``op_cost``)."""
    inputs = [tensor_bytes(s, d, ttnn.TILE_LAYOUT) for s, d in zip(rec.input_shapes, rec.input_dtypes, strict=True)]
    output = rec.bytes_written
    local = rec.local or [False] * (len(inputs) + 1)
    dram = sum(b for b, m in zip(inputs, rec.input_memories, strict=True) if m == "DRAM")
    dram += output if rec.memory == "DRAM" else 0
    moved = [b for b, here in zip([*inputs, output], local, strict=True) if not here]
    noc_per_core = sum(moved) / cores
    if rec.mcast_blocks:  # in0 (an M block per core) and in1 (an N block per core) are multicast
        blocks_m, blocks_n = rec.mcast_blocks
        noc_per_core = inputs[0] / blocks_m + inputs[1] / blocks_n + (0 if local[-1] else output / cores)
    return dram, noc_per_core, noc_per_core / (2 * chip.noc_bytes_per_cycle * chip.clock_hz)


def matmul_terms(rec: op_trace.OpRecord, chip: Chip) -> dict[str, float]:
    """What a traced matmul's kernel time depends on (``matmul_kernel_s``): its split over the cores,
    operand formats, fidelity and traffic."""
    split = blocking(rec, chip.grid)
    dram, noc_per_core, noc_s = _traffic(rec, chip, split.cores)
    return dict(tile_products=split.tile_products, k_blocks=split.k_blocks, chosen_by_ttnn=float(split.chosen_by_ttnn),
                pair_bytes=sum(tensor_bytes((TILE, TILE), d, ttnn.TILE_LAYOUT) for d in rec.input_dtypes[:2]),
                phases=FIDELITY_PHASES[rec.math_fidelity or "HiFi2"], clock_hz=chip.clock_hz, dram_bytes=dram,
                dram_bytes_per_s=chip.dram_bytes_per_s, noc_s=noc_s, noc_per_core=noc_per_core, cores=split.cores)


def matmul_kernel_s(terms: dict[str, Any], rates: MatmulRates) -> dict[str, Any]:
    """A matmul's kernel time from ``matmul_terms`` (floats or numpy arrays of them): the launch, a handshake
    per K block, and the slowest of compute (math or unpack, per tile product), DRAM and NoC
    (``bertlib.profile.rates`` names the mechanism of each)."""
    import numpy as np

    math_cycles = TILE_PRODUCT_CYCLES * terms["phases"] / rates.math_efficiency
    cycles = np.maximum(math_cycles, terms["pair_bytes"] / rates.unpack_bytes_per_cycle)
    compute_s = terms["tile_products"] * cycles / terms["clock_hz"]
    dram_s = terms["dram_bytes"] / (terms["dram_bytes_per_s"] * rates.dram_efficiency)
    fixed_s = rates.launch_s + terms["k_blocks"] * (rates.block_s + rates.default_block_s * terms["chosen_by_ttnn"])
    return dict(compute_s=compute_s, dram_s=dram_s, l1_s=terms["noc_s"], fixed_s=fixed_s,
                time_s=fixed_s + np.maximum(np.maximum(compute_s, dram_s), terms["noc_s"]))


def op_cost(rec: op_trace.OpRecord, chip: Chip, constants: Constants = FITTED,
            rates: dict[str, MatmulRates] = MATMUL_RATES) -> dict[str, Any]:
    """One op's predicted kernel time: compute, DRAM and L1 (NoC) times, the bound, and the total.

    A matmul is costed from its split over the cores (``matmul_kernel_s``, rates fitted to measured single
    matmuls); every other op as a roofline plus ``constants.op_overhead_s``. Placement decides the traffic: a
    sharded operand is read and written by the core that holds it (no NoC, no DRAM); an interleaved one
    crosses the NoC (and DRAM when it lives there). A multicast matmul's program config sends each in0 block to
    every core computing the same M block and each in1 block to every core of the same N block (a core row and a
    core column; which is which flips with ``transpose_mcast``): every core receives its whole row of in0 blocks
    and column of in1 blocks.
    """
    row = dict(op=rec.op, group=OP_GROUPS.get(rec.op, "other"), output_shape=list(rec.output_shape),
               dtype=rec.output_dtype, memory=rec.memory, math_fidelity=rec.math_fidelity)
    if rec.op in MATMULS:
        terms = matmul_terms(rec, chip)
        cost = {k: float(v) for k, v in matmul_kernel_s(terms, rates[chip.arch]).items()}
        cores, flops, dram, noc_per_core, fixed_s = (terms["cores"], rec.flops, terms["dram_bytes"],
                                                     terms["noc_per_core"], cost["fixed_s"])
        compute_s, dram_s, l1_s = cost["compute_s"], cost["dram_s"], cost["l1_s"]
    else:
        grid_cores = rec.cores or (rec.core_grid[0] * rec.core_grid[1] if rec.core_grid else chip.cores)
        cores = min(grid_cores, _tiles(rec.output_shape))
        flops = rec.flops
        compute_s = flops / (cores * ELTWISE_FLOPS_PER_CYCLE * chip.clock_hz)
        dram, noc_per_core, l1_s = _traffic(rec, chip, cores)
        dram_s = dram / chip.dram_bytes_per_s
        fixed_s = constants.op_overhead_s
    times = {"compute": compute_s, "DRAM": dram_s, "L1": l1_s}
    bound = max(times, key=times.get)
    if fixed_s > times[bound]:
        bound = "overhead"
    return dict(row, cores=cores, flops=flops, dram_bytes=dram, l1_bytes=noc_per_core * cores, compute_s=compute_s,
                dram_s=dram_s, l1_s=l1_s, bound=bound, time_s=max(times.values()) + fixed_s)


def untraced_s(kernel_s: float, dispatch_s: float) -> float:
    """An op run without a trace: the host dispatches it while the device runs the one before, so it takes
    the longer of its kernel and its dispatch."""
    return max(kernel_s, dispatch_s)


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
    #: where the implementation's op sequence differs from bertlib's model: a function from bertlib's traced
    #: records to the ones the implementation runs (each then priced by ``op_cost``, like every other op)
    as_run: Callable[[list[op_trace.OpRecord]], list[op_trace.OpRecord]] | None = None


def _record(op: str, inputs: list[tuple[tuple[int, ...], str]], shape: tuple[int, ...], dtype: str,
            cores: int | None = None, local: list[bool] | None = None) -> op_trace.OpRecord:
    """An L1 op the emulator does not run (``as_run``), with the fields ``op_cost`` reads; one FLOP per input element."""
    return op_trace.OpRecord(
        op, [s for s, _ in inputs], [d for _, d in inputs], ["L1"] * len(inputs), shape, dtype, "L1", None, None,
        float(math.prod(inputs[0][0])) if op not in ("reshard", "repeat", "reshape") else 0.0,
        sum(tensor_bytes(s, d, ttnn.TILE_LAYOUT) for s, d in inputs), tensor_bytes(shape, dtype, ttnn.TILE_LAYOUT), 0.0,
        local=local or [], cores=cores)


def sentence_bert_as_run(records: list[op_trace.OpRecord]) -> list[op_trace.OpRecord]:
    """tt-metal's Sentence-BERT (``models/demos/sentence_bert/ttnn/``) from bertlib's ``sharded`` bert-base trace.

    The same per-layer ops on the same 48 cores (a 6x8 grid, ``ttnn/common.py``; bertlib's plan is its
    transpose), the same dtypes (every activation bfloat8_b) and fidelities (LoFi, FF1 HiFi2 and LayerNorm
    HiFi4: the precision config), but:

    * the self-output, FF1 and FF2 weights and biases are **bfloat16**: only the fused QKV goes through its
      ``custom_preprocessor`` (bfloat8_b); ttnn's ``default_preprocessor`` keeps every other ``nn.Linear`` bfloat16;
    * FF2 runs ``in0_block_w=4`` (``ff2_program_config``), 24 K blocks where bertlib's plan takes 6;
    * two ``ttnn.reshard`` per layer (``ttnn_sentencebert_self_output.py``: the residual onto the self-output's
      shards; ``ttnn_sentencebert_output.py``: FF2's output onto the residual's);
    * no QA head (linear, add) but mean pooling (``ttnn_mean_pooling`` in ``ttnn/common.py``): after
      ``sharded_to_interleaved`` (bertlib's last ``to_memory_config``), ``unsqueeze`` of the tile-layout mask
      (a reshape that changes the last dims, so a kernel), ``repeat``, ``multiply``, two ``sum``, ``clamp``
      and ``div`` (``squeeze`` is a view).
    """
    hidden = records[0].output_shape[-1]
    batch, seq = records[0].output_shape[:2]
    bf16_weights = {(hidden, hidden), (hidden, 4 * hidden), (4 * hidden, hidden)}
    out: list[op_trace.OpRecord] = []
    for rec in records:
        weight = tuple(rec.input_shapes[1]) if rec.op == "linear" and len(rec.input_shapes) > 1 else None
        if weight == (hidden, 2):  # bertlib's QA head: Sentence-BERT pools instead
            break
        if weight in bf16_weights:
            rec = replace(rec, input_dtypes=[rec.input_dtypes[0], *["BFLOAT16"] * (len(rec.input_dtypes) - 1)])
        if weight == (4 * hidden, hidden):
            rec = replace(rec, program_config=re.sub(r"\bin0_block_w=\d+", "in0_block_w=4", rec.program_config or ""))
        out.append(rec)
        if weight in ((hidden, hidden), (4 * hidden, hidden)):
            out.append(_record("reshard", [(rec.output_shape, rec.output_dtype)], rec.output_shape, rec.output_dtype,
                               rec.cores, [False, True]))
    act, mask = rec.input_dtypes[0], "BFLOAT16"
    tokens, expanded, pooled = (batch, seq, hidden), (batch, seq, 1), (batch, hidden)
    return out + [
        _record("reshape", [((batch, seq), mask)], expanded, mask),
        _record("repeat", [(expanded, mask)], tokens, mask),
        _record("multiply", [(tokens, act), (tokens, mask)], tokens, act),
        _record("sum", [(tokens, act)], pooled, act),
        _record("sum", [(tokens, mask)], pooled, mask),
        _record("clamp", [(pooled, mask)], pooled, mask),
        _record("div", [(pooled, act), (pooled, mask)], pooled, act),
    ]


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
              8, 384, "device", 440.4, fitted=False, as_run=sentence_bert_as_run,
              note="not fitted; its own op sequence (sentence_bert_as_run): bfloat16 self-output/FF1/FF2 "
                   "weights, FF2 in 24 K blocks, two reshards per layer, mean pooling instead of a QA head"),
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


def row_prediction(row: Published, constants: Constants = FITTED) -> Prediction:
    """The prediction for a published row: bertlib's model, or with ``row.as_run`` the implementation's own ops."""
    p = predict(row.model, row.batch, row.seq, row.precision, row.chip, constants)
    if row.as_run is None:
        return p
    mt = trace_model(row.model, row.batch, row.seq, get_precision(row.precision), row.chip)
    ops = [op_cost(rec, chip_figures(row.chip), constants) for rec in row.as_run(list(mt.records))]
    device_s = sum(op["time_s"] for op in ops)
    return replace(p, ops=ops, device_s=device_s, end_to_end_s=p.end_to_end_s - p.device_s + device_s,
                   sentences_per_s=row.batch / device_s)


def predicted_rate(row: Published, constants: Constants) -> float:
    """Predicted sentences/s for a published row (device or end-to-end, as the row says)."""
    p = row_prediction(row, constants)
    return row.batch / (p.device_s if row.kind == "device" else p.end_to_end_s)


def _rate_function(row: Published) -> Any:
    """sentences/s of ``row`` as a fast function of the fixed cost of a non-matmul op (arrays of it work too)."""
    import numpy as np

    p = row_prediction(row, Constants(0.0))
    others = sum(1 for r in p.ops if r["op"] not in MATMULS)
    io_s = p.end_to_end_s - p.device_s if row.kind != "device" else 0.0

    def rate(overhead_s: Any) -> Any:
        return row.batch / (p.device_s + others * np.asarray(overhead_s) + io_s)

    return rate


def calibrate(rows: list[Published] | None = None) -> Constants:
    """The fixed cost of a non-matmul op that minimises the worst |log(predicted / published)| over the fitted
    ``rows`` (grid search, 0..100 us by 0.25 us); the matmul rates are not refitted (``bertlib.profile.gemm``)."""
    import numpy as np

    rows = [r for r in (CALIBRATION if rows is None else rows) if r.fitted]
    overhead = np.arange(0.0, 100.0001, 0.25) * 1e-6
    worst = np.zeros_like(overhead)
    for row in rows:
        worst = np.maximum(worst, np.abs(np.log(_rate_function(row)(overhead) / row.sentences_per_s)))
    return Constants(round(float(overhead[int(np.argmin(worst))]), 9))


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
