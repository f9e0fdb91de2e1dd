"""The commands about time: ``profile`` (predicted device time and memory on a chip, its calibration, its checks
against measured GEMMs and a card's profiler CSV) and ``bench`` (the emulator's host time against HF torch's)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from bertlib.cli.tables import calibration_text, ops_text, text_table


def cmd_profile(args: argparse.Namespace) -> int:
    """Predicted device time and memory of one batch on a Tenstorrent chip (an estimate), or the calibration."""
    from bertlib.profile import costmodel

    if args.check_gemm:
        from bertlib.profile import gemm

        frame = gemm.check_gemm(args.check_gemm)
        if args.plot:
            gemm.plot_check(frame).savefig(args.plot)
        print(json.dumps(gemm.summary(frame)) if args.json else gemm.summary_text(frame, args.check_gemm))
        return 0
    if args.calibrate:
        constants = costmodel.calibrate()
        rows = costmodel.calibration_table(constants)
        if args.json:
            print(json.dumps({"constants": vars(constants), "rows": rows}))
            return 0
        print(f"fitted constant: fixed cost per non-matmul op {constants.op_overhead_s * 1e6:.2f} us (matmul rates: "
              "bertlib/profile/rates.py, fitted to single matmuls; see --check-gemm)\n")
        print(calibration_text(rows))
        return 0
    if args.measure:
        from bertlib.profile.card import measure

        print(json.dumps(measure(args.model, args.batch, args.seq, args.precision)))
        return 0
    precision = costmodel.get_precision(args.precision)
    if args.fidelity:
        precision = precision.at_fidelity(args.fidelity)
    p = costmodel.predict(args.model, args.batch, args.seq, precision, args.chip)
    if args.compare_csv:
        return _print_comparison(p, args)
    if args.json:
        print(json.dumps(p.as_dict()))
        return 0
    print(ops_text(p.ops))
    print(f"\nPredicted for {args.model}, batch {args.batch}, seq {args.seq}, {precision.name}, {args.chip} "
          f"({p.label}):")
    print(f"  device time per batch {p.device_s * 1e3:.2f} ms, end to end {p.end_to_end_s * 1e3:.2f} ms, "
          f"{p.sentences_per_s:.1f} sentences/s")
    for group, seconds in p.by_group().items():
        print(f"  {group:17s} {seconds * 1e3:8.3f} ms")
    m = p.memory
    print(f"  weights {m['weights_bytes'] / 2**20:.1f} MiB, activations {m['activations_peak_bytes'] / 2**20:.1f} MiB "
          f"(L1 {m['l1_needed_bytes'] / 2**20:.1f} of {m['l1_capacity_bytes'] / 2**20:.0f} MiB, DRAM "
          f"{m['dram_needed_bytes'] / 2**30:.2f} of {m['dram_capacity_bytes'] / 2**30:.0f} GiB per chip): "
          f"{'fits' if m['fits'] else 'DOES NOT FIT: ' + '; '.join(m['problems'])}")
    return 0


def _print_comparison(p: Any, args: argparse.Namespace) -> int:
    """``profile --compare-csv``: the prediction beside a tt-metal device-profiler CSV, per op group and op."""
    import pandas as pd

    from bertlib.profile import measured

    comparison = measured.compare(p, measured.read_ops_perf_csv(args.compare_csv))
    if args.plot:
        from bertlib.plots import measured_vs_predicted

        measured_vs_predicted(comparison, title=f"{args.model} · {p.precision} · batch {args.batch}").savefig(args.plot)
    if args.json:
        print(json.dumps({"rows": comparison.rows, "by_group": comparison.by_group(), "totals": comparison.totals(),
                          "unmatched_trace": comparison.unmatched_trace,
                          "unmatched_measured": comparison.unmatched_measured}))
        return 0
    groups = pd.DataFrame([{"group": g, "predicted ms": v["predicted_s"] * 1e3, "measured ms": v["measured_s"] * 1e3,
                            "predicted/measured": v["ratio"]} for g, v in comparison.by_group().items()])
    print(text_table(groups, {"predicted ms": 3, "measured ms": 3, "predicted/measured": 2}))
    ops = pd.DataFrame([{"#": i, "op": r["op"], "device op": r["op_code"] or "-", "shape": "x".join(map(str, r["output_shape"])),
                         "predicted us": r["predicted_s"] * 1e6,
                         "measured us": r["measured_s"] * 1e6 if r["measured_s"] is not None else float("nan")}
                        for i, r in enumerate(comparison.rows)])
    print("\n" + text_table(ops, {"predicted us": 1, "measured us": 1}))
    t = comparison.totals()
    print(f"\n{comparison.matched} of {len(comparison.rows)} predicted ops matched a measured row "
          f"({len(comparison.unmatched_measured)} measured rows between them have no trace op); matched total: "
          f"predicted {t['predicted_s'] * 1e3:.2f} ms, measured {t['measured_s'] * 1e3:.2f} ms, ratio {t['ratio']:.2f}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Time the emulator's TT-NN forward against HF torch's on this CPU (one warm-up, median of --repeats)."""
    from bertlib.bench import accumulation_granularity, bench, where_time_goes

    if args.granularity:
        rows = accumulation_granularity(repeats=args.repeats)
        if args.json:
            print(json.dumps({"rows": rows}))
        for r in [] if args.json else rows:
            print(f"{r['shape']:15s} ({r['m']}x{r['k']} @ {r['k']}x{r['n']}, LoFi, bf16 accumulation): rounding per 32 "
                  f"products {r['per_32_s']:.3f} s, per 16 {r['per_16_s']:.3f} s ({r['ratio']:.2f}x); "
                  f"{r['outputs_differing']:.0%} of outputs differ")
        return 0
    if args.where:
        for model in args.models:
            for precision in args.precisions:
                groups = where_time_goes(model, precision, batch=args.batch, seq=args.seq)
                print(f"{model} {precision}: " + ", ".join(f"{k} {v:.2f} s" for k, v in groups.items()))
        return 0
    rows = bench(args.models, args.precisions, batch=args.batch, seq=args.seq, repeats=args.repeats)
    if args.json:
        print(json.dumps({"rows": rows}))
    else:
        for r in rows:
            print(f"{r['model']:18s} {r['precision']:11s} batch {r['batch']} seq {r['seq']}: emulator "
                  f"{r['emulator_s']:.2f} s, HF ({r['hf_attention']}) {r['hf_s']:.2f} s, ratio {r['ratio']:.2f}")
    return 0
