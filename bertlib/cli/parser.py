"""The argument parser of ``python -m bertlib``: each command's options, and the function that runs it."""

from __future__ import annotations

import argparse

from bertlib.cli.accuracy import cmd_pcc, cmd_precision
from bertlib.cli.backend import cmd_crosscheck, cmd_doctor, cmd_run
from bertlib.cli.questions import cmd_demo, cmd_score, cmd_squad
from bertlib.cli.rebuild import cmd_finetune, cmd_notebooks
from bertlib.cli.timing import cmd_bench, cmd_profile


def build_parser() -> argparse.ArgumentParser:
    """The parser; each command's namespace carries ``func``, the ``cmd_*`` function that runs it."""
    from bertlib.emulator.chips import CHIPS
    from bertlib.models.precisions import PRECISIONS
    from bertlib.paths import DEFAULT_INPUT, RECREATED_DIR
    from bertlib.profile.engine_rates import FIDELITY_PHASES
    from bertlib.qa.squad import HELD_OUT_TITLES, default_squad_data

    parser = argparse.ArgumentParser(prog="python -m bertlib", description="BERT question answering in TT-NN")
    sub = parser.add_subparsers(dest="command", required=True)

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
    run.add_argument("--output", help="for a notebook: where to write the executed copy (default: "
                     "NAME.emulated.ipynb in the current directory; the notebook itself is left as it is)")
    run.add_argument("script", help="a Python file or a notebook (.ipynb) written against ttnn, e.g. tt-metal's own "
                     "tutorials, tests or demo code")
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
                       help="instead: one matmul's bf16 accumulation rounded per 16 products (the model) and per 32")
    bench.set_defaults(func=cmd_bench)

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
