"""The commands that measure TT-NN against HuggingFace: ``pcc`` (layer by layer) and ``precision`` (the sweep
of precision configs: per-layer PCC and SQuAD F1, beside HF INT8)."""

from __future__ import annotations

import argparse
import json


def cmd_pcc(args: argparse.Namespace) -> int:
    """Layer-by-layer PCC of the TT-NN model against HuggingFace."""
    from bertlib.compare import compare
    from bertlib.device import open_device
    from bertlib.inputs import default_windows
    from bertlib.models import load_model

    loaded = load_model(args.model)
    windows = default_windows(loaded, batch=args.batch, seq=args.seq, path=args.input)
    with open_device(quiet=args.json) as handle:
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


def cmd_precision(args: argparse.Namespace) -> int:
    """The precision sweep (TT-NN configs: per-layer PCC and SQuAD F1) and HF INT8, on the same questions."""
    import pandas as pd

    from bertlib.device import open_device
    from bertlib.inputs import default_windows
    from bertlib.models import load_model
    from bertlib.precision_sweep import int8_rows, sweep
    from bertlib.qa.squad import load_squad

    dataset, questions = load_squad(args.data, titles=args.titles, limit=args.limit)
    loaded = load_model(args.model)
    windows = default_windows(loaded, batch=1, seq=args.seq)
    with open_device(quiet=args.json) as handle:
        summary, layers = sweep(loaded, windows, dataset, questions, handle, batch=args.batch, seq=args.seq)
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
