"""The commands that answer questions: ``demo`` (the demo inputs, TT-NN beside HuggingFace), ``squad`` (EM/F1 on
SQuAD questions) and ``score`` (a predictions file, scored as the official script does)."""

from __future__ import annotations

import argparse
import json
import sys
import time

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
    with open_device() as handle:
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
    with open_device(quiet=args.json) as handle:
        tt = TTModel.build(loaded, args.precision, handle)
        start = time.perf_counter()
        result = answer_questions(tt, [q.question for q in questions], [q.context for q in questions],
                                  batch=args.batch, seq=args.seq, null_threshold=threshold, progress=not args.json)
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


def cmd_score(args: argparse.Namespace) -> int:
    """Score predictions ({question_id: answer}) on a SQuAD file exactly as the official script does."""
    from bertlib.jsonfile import read_json
    from bertlib.qa.squad import PredictionsError, load_squad, score

    dataset, _ = load_squad(args.data)
    result = score(dataset, read_json(args.predictions, "predictions", PredictionsError))
    print(json.dumps(result, indent=None if args.json else 2))
    return 0
