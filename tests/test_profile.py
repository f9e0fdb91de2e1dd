import json
import math

import pytest
import torch

from bertlib.__main__ import main
from bertlib.emulator import trace
from bertlib.models import TTModel, load_model
from bertlib.models.configs import get_precision
from bertlib.profile import costmodel
from bertlib.profile.chips import CHIPS


def test_profile_json_fields_and_invariants(capsys):
    assert main(["profile", "--model", "random:bert-tiny", "--seq", "128", "--batch", "4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("sentences_per_s", "time_per_batch_ms", "end_to_end_ms", "memory", "ops", "label", "constants"):
        assert key in out
    assert "estimate" in out["label"]
    assert out["sentences_per_s"] == pytest.approx(4 / (out["time_per_batch_ms"] / 1e3))
    assert sum(row["time_s"] for row in out["ops"]) * 1e3 == pytest.approx(out["time_per_batch_ms"])
    assert out["end_to_end_ms"] > out["time_per_batch_ms"]
    ops = {row["op"] for row in out["ops"]}
    assert {"linear", "matmul", "attention_softmax_", "layer_norm", "embedding"} <= ops
    for row in out["ops"]:
        assert row["time_s"] >= max(row["compute_s"], row["dram_s"], row["l1_s"]) > 0 or row["bound"] == "overhead"
        assert 1 <= row["cores"] <= 64
    mem = out["memory"]
    assert mem["fits"] and mem["weights_bytes"] > 0 and mem["dram_capacity_bytes"] == 12 * 2**30


def test_weights_bytes_match_the_parameter_count():
    # bert-tiny: 4.39M parameters; bfloat8_b stores 1 byte + a shared exponent per 16 values (1.0625 B),
    # bfloat16 tables and layer norms 2 B, tile padding adds a little
    p = costmodel.predict("random:bert-tiny", 1, 128, "bf16-hifi4")
    params = sum(t.numel() for t in load_model("random:bert-tiny").hf_model.parameters())
    assert 2 * params <= p.memory["weights_bytes"] <= 2 * params * 1.05


def test_time_grows_with_batch_and_sequence_and_fidelity():
    t = {b: costmodel.predict("random:bert-large", b, 384, "optimized").device_s for b in (1, 8, 16)}
    assert t[1] < t[8] < t[16]
    assert costmodel.predict("random:bert-large", 8, 128, "optimized").device_s < t[8]
    lofi = get_precision("optimized")
    hifi4 = lofi.with_(name="optimized-hifi4", math_fidelity="HiFi4")
    matmul_lofi = sum(r["time_s"] for r in costmodel.predict("random:bert-large", 8, 384, lofi).ops if r["op"] == "linear")
    matmul_hifi4 = sum(r["time_s"] for r in costmodel.predict("random:bert-large", 8, 384, hifi4).ops
                       if r["op"] == "linear")
    assert 2.5 < matmul_hifi4 / matmul_lofi <= 4.0  # compute-bound linears: 4 fidelity phases vs 1


def test_ff1_fidelity_override_applies_to_the_gelu_linear_only():
    config = get_precision("optimized").with_(name="optimized-ff1-hifi2", ff1_math_fidelity="HiFi2")
    records = costmodel.trace_model("random:bert-tiny", 2, 64, config, "wormhole_n150").records
    fidelities = {(r.op, r.output_shape[-1]): r.math_fidelity for r in records if r.op in costmodel.MATMULS}
    assert fidelities[("linear", 512)] == "HiFi2"  # bert-tiny's FF1: hidden 128 -> 512
    assert {f for (op, n), f in fidelities.items() if (op, n) != ("linear", 512)} == {"LoFi"}


def test_chips():
    n150 = costmodel.predict("random:bert-large", 8, 384, "optimized", "wormhole_n150")
    n300 = costmodel.predict("random:bert-large", 16, 384, "optimized", "wormhole_n300")
    p150 = costmodel.predict("random:bert-large", 8, 384, "optimized", "blackhole_p150")
    assert n300.device_s == pytest.approx(n150.device_s)  # two chips, 8 sentences each
    assert n300.sentences_per_s == pytest.approx(2 * n150.sentences_per_s)
    assert p150.device_s < n150.device_s
    assert CHIPS["blackhole_p150"].cores == 130 and CHIPS["wormhole_n150"].cores == 64
    for chip in CHIPS.values():
        assert {"clock", "dram", "l1", "noc", "matmul"} <= set(chip.sources)


def test_memory_against_capacity():
    fits = costmodel.predict("random:bert-large", 8, 384, "optimized")
    too_big = costmodel.predict("random:bert-large", 64, 384, "optimized")
    assert fits.memory["fits"] and not too_big.memory["fits"]
    assert "L1" in too_big.memory["problems"][0]
    dram = costmodel.predict("random:bert-large", 64, 384, "bf16-hifi4")
    assert dram.memory["fits"] and dram.memory["l1_needed_bytes"] == 0
    # attention scores of batch 64: 64 x 16 heads x 384 x 384 bfloat16 alone are 288 MiB
    assert too_big.memory["activations_peak_bytes"] > 64 * 16 * 384 * 384 * 2


def test_shape_only_trace_matches_a_computed_run(handle):
    """The value-free trace (meta weights) records the same ops and shapes as a real run of the model."""
    loaded = load_model("random:bert-tiny")
    model = TTModel.build(loaded, "optimized", handle)
    ids = torch.randint(0, 1000, (2, 64))
    with trace.recording() as real:
        model(ids, torch.zeros_like(ids), torch.ones_like(ids))
    shapes = costmodel.trace_model("random:bert-tiny", 2, 64, get_precision("optimized"), "wormhole_n150")
    real_ops = [(r.op, r.output_shape, r.output_dtype, r.memory) for r in real.records]
    assert [(r.op, r.output_shape, r.output_dtype, r.memory) for r in shapes.records] == real_ops


def test_profile_tables_read_at_a_glance(capsys):
    assert main(["profile", "--model", "random:bert-tiny", "--seq", "128", "--batch", "4"]) == 0
    text = capsys.readouterr().out
    assert "NaN" not in text and "ESTIMATE (estimate" not in text
    assert "Predicted for random:bert-tiny" in text and "not a measurement" in text
    header, *rows = text.split("\n\n")[0].splitlines()
    assert header.split()[:3] == ["op", "shape", "dtype"] and "×" in header
    count = header.index("×")
    ops = costmodel.predict("random:bert-tiny", 4, 128).ops
    assert sum(int(row[count - 2:count + 1]) for row in rows) == len(ops)  # grouped rows account for every op
    assert any(row.startswith("embedding ") and " — " in row for row in rows)  # no fidelity: a dash
    assert main(["profile", "--calibrate"]) == 0
    calibration = capsys.readouterr().out
    for row in costmodel.CALIBRATION:
        assert row.implementation in calibration  # whole names, never cut mid-word


def test_calibration_constants_are_the_fit():
    assert costmodel.calibrate() == costmodel.FITTED


def test_calibration_table():
    rows = costmodel.calibration_table()
    assert {r["kind"] for r in rows} == {"device", "end-to-end"}
    assert [r["bertlib"] for r in rows if r["kind"] == "device" and "bert-large" in r["bertlib"]] == [
        "random:bert-large · sharded"]  # the published device figure stands on the implementation measured
    assert any("bert-tiny" in r["bertlib"] for r in rows)
    for r, published in zip(rows, costmodel.CALIBRATION, strict=True):
        assert r["ratio"] == pytest.approx(r["predicted"] / r["published"])
        if published.fitted:  # every fitted row, fitted with and without it, within +-30%
            assert abs(math.log(r["ratio"])) < math.log(1.3)
            assert abs(math.log(r["loo_ratio"])) < math.log(1.3)


@pytest.mark.parametrize("argv, message", [
    (["--batch", "0"], "--batch must be at least 1"),
    (["--seq", "1024"], "longer than"),
    (["--model", "no-such-model"], "unknown model"),
])
def test_profile_bad_input(capsys, argv, message):
    assert main(["profile", "--model", "random:bert-tiny", *argv]) == 2
    assert message in capsys.readouterr().err


def test_profile_unknown_chip(capsys):
    with pytest.raises(SystemExit):
        main(["profile", "--chip", "grayskull"])
    assert "invalid choice" in capsys.readouterr().err
    with pytest.raises(costmodel.ProfileError, match="unknown chip"):
        costmodel.predict("random:bert-tiny", chip="grayskull")


def test_measure_without_a_card_fails_clearly(capsys):
    assert main(["profile", "--measure", "--model", "random:bert-tiny"]) == 2
    assert "needs a Tenstorrent card" in capsys.readouterr().err


@pytest.mark.card
def test_measure_on_a_card():
    from bertlib.profile.card import measure

    out = measure("random:bert-tiny", batch=8, seq=128, precision="optimized", repeats=3)
    assert out["first_run_s"] >= out["cached_s"] > 0 and out["trace_2cq_s"] > 0
    assert out["sentences_per_s"] == pytest.approx(8 / out["trace_2cq_s"])



def test_every_recorded_op_has_a_group():
    """The stacked bars put every op the emulator records into a named group, never "other"."""
    from bertlib.emulator import OPS, TRANSFORMER_OPS
    from bertlib.profile.costmodel import OP_GROUPS

    unrecorded = {"from_torch", "to_torch", "to_device", "from_device", "deallocate", "reallocate",
                  "copy_host_to_device_tensor"}
    assert set(OPS) | set(TRANSFORMER_OPS) <= set(OP_GROUPS) | unrecorded


@pytest.mark.card
def test_device_profiler_csv_matches_the_trace(tmp_path):
    """On a card: tt-metal's profiler writes ops_perf_results_*.csv for two batches, and every op of the
    predicted trace finds its measured row in the last one."""
    import os
    import subprocess
    import sys

    from bertlib.profile import measured

    script = tmp_path / "two_batches.py"
    script.write_text("from bertlib.profile.card import profile_batches\n"
                      "profile_batches('random:bert-tiny', batch=8, seq=128, precision='optimized')\n")
    env = dict(os.environ, TT_METAL_DEVICE_PROFILER="1")
    subprocess.run([sys.executable, "-m", "tracy", "-r", "-o", str(tmp_path / "profiler"), str(script)], env=env,
                   check=True)
    report = next((tmp_path / "profiler").rglob("ops_perf_results_*.csv"))
    prediction = costmodel.predict("random:bert-tiny", 8, 128, "optimized")
    comparison = measured.compare(prediction, measured.read_ops_perf_csv(report))
    assert comparison.matched == len(prediction.ops)
    assert all(row["measured_s"] > 0 for row in comparison.rows)


def test_compare_csv_matches_every_op_of_a_synthetic_report(tmp_path, capsys):
    from bertlib.profile import measured

    prediction = costmodel.predict("random:bert-tiny", 8, 128, "optimized")
    path = measured.write_synthetic_csv(prediction, tmp_path / "ops_perf_results_synthetic.csv", seed=3)
    rows = measured.read_ops_perf_csv(path)
    assert len(rows) == 2 * len(prediction.ops)  # a warm-up pass, then the pass compared
    comparison = measured.compare(prediction, rows)
    assert comparison.matched == len(prediction.ops) and comparison.unmatched_trace == 0
    last_pass = rows[len(prediction.ops):]
    assert [r["measured_s"] for r in comparison.rows] == [m.duration_s for m in last_pass]
    totals = comparison.totals()
    assert totals["measured_s"] == pytest.approx(sum(m.duration_s for m in last_pass))
    assert totals["predicted_s"] == pytest.approx(prediction.device_s)
    groups = comparison.by_group()
    assert sum(g["measured_s"] for g in groups.values()) == pytest.approx(totals["measured_s"])
    assert groups["linear"]["ratio"] == pytest.approx(groups["linear"]["predicted_s"] / groups["linear"]["measured_s"])

    assert main(["profile", "--model", "random:bert-tiny", "--seq", "128", "--compare-csv", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["rows"]) == len(prediction.ops) and out["totals"]["ratio"] == pytest.approx(totals["ratio"])
    assert main(["profile", "--model", "random:bert-tiny", "--seq", "128", "--compare-csv", str(path),
                 "--plot", str(tmp_path / "compare.png")]) == 0
    assert "predicted/measured" in capsys.readouterr().out and (tmp_path / "compare.png").stat().st_size > 0


def test_compare_csv_skips_device_ops_the_trace_lacks(tmp_path):
    """A device op bertlib does not trace (here a reduction) is reported, and the ops around it still match."""
    import csv as csv_module

    from bertlib.profile import measured

    prediction = costmodel.predict("random:bert-tiny", 8, 128, "optimized")
    path = measured.write_synthetic_csv(prediction, tmp_path / "ops.csv", warm_up_passes=0)
    with path.open() as f:
        rows = list(csv_module.DictReader(f))
    rows.insert(5, dict(rows[5], **{"OP CODE": "ReduceDeviceOperation"}))
    rows.insert(0, dict(rows[0], **{"OP TYPE": "signpost", "OP CODE": "start"}))
    for call, row in enumerate(rows, start=1):
        row["GLOBAL CALL COUNT"] = call
    with path.open("w", newline="") as f:
        writer = csv_module.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    comparison = measured.compare(prediction, measured.read_ops_perf_csv(path))
    assert comparison.matched == len(prediction.ops)
    assert comparison.unmatched_measured == ["ReduceDeviceOperation"]


def test_compare_csv_refuses_what_is_not_a_profiler_report(tmp_path, capsys):
    from bertlib.profile import measured

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("OP CODE,DURATION\nMatmul,3\n")
    with pytest.raises(measured.ProfilerCSVError, match="lacks the column.*OP TYPE.*DEVICE KERNEL DURATION"):
        measured.read_ops_perf_csv(wrong)
    host_only = tmp_path / "host_only.csv"
    host_only.write_text("OP CODE,OP TYPE,DEVICE ID,GLOBAL CALL COUNT,DEVICE KERNEL DURATION [ns]\n"
                         "to_torch,python_fallback,0,1,\n")
    with pytest.raises(measured.ProfilerCSVError, match="no device op rows"):
        measured.read_ops_perf_csv(host_only)
    garbled = tmp_path / "garbled.csv"
    garbled.write_text("OP CODE,OP TYPE,DEVICE ID,GLOBAL CALL COUNT,DEVICE KERNEL DURATION [ns]\n"
                       "MatmulDeviceOperation,tt_dnn_device,0,1,fast\n")
    with pytest.raises(measured.ProfilerCSVError, match="line 2.*MatmulDeviceOperation"):
        measured.read_ops_perf_csv(garbled)
    assert main(["profile", "--model", "random:bert-tiny", "--compare-csv", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_sharded_bert_large_prediction_and_its_placement():
    """The calibration's BERT-large row stands on the sharded config: within 30% of the published 340
    sentences/s; sharded attention moves (almost) nothing over the NoC; the 2-D multicast matmuls run on
    the 8x8 grid of their program configs."""
    p = costmodel.predict("random:bert-large", 8, 384, "sharded", "wormhole_n150")
    assert 340 / 1.3 <= p.sentences_per_s <= 340 * 1.3
    by_op = {}
    for row in p.ops:
        by_op.setdefault(row["op"], []).append(row)
    assert all(row["l1_s"] == 0 and row["dram_s"] == 0 for row in by_op["matmul"])  # Q, K, V, scores all local
    assert all(row["cores"] == 64 for row in by_op["linear"][:-1])  # every linear but the QA head
    interleaved = costmodel.predict("random:bert-large", 8, 384, "optimized", "wormhole_n150")
    softmax = next(r for r in interleaved.ops if r["op"] == "attention_softmax_")
    assert by_op["attention_softmax_"][0]["l1_s"] * 100 < softmax["l1_s"]  # only the mask crosses the NoC
