"""Run one of tt-metal's own BERT QA model files, unmodified, and compare its logits with HuggingFace.

Written the way tt-metal's BERT tests are (a plain ``import ttnn``, real ``preprocess_model_parameters``), so it
runs on a card as it is, and without one through the emulator::

    python -m bertlib run --chip blackhole_p150 examples/tt_metal_bert_qa.py --tt-metal ~/tt-metal \\
        --model-file ttnn_optimized_bert --weights minilm-squad

``--tt-metal`` is a checkout of tenstorrent/tt-metal (its ``models`` package is imported from there).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

import torch
import transformers
import ttnn
from ttnn.model_preprocessing import preprocess_model_parameters

MODEL_FILES = {
    "ttnn_bert": "models.demos.bert.tt.ttnn_bert",
    "ttnn_optimized_bert": "models.demos.bert.tt.ttnn_optimized_bert",
    "bert_tiny": "models.demos.wormhole.bert_tiny.tt.bert_tiny",
    "ttnn_optimized_sharded_bert": "models.demos.bert.tt.ttnn_optimized_sharded_bert",  # BERT-large shapes only
}
RANDOM = {  # 2-layer BERTs of random weights (seed 0)
    "random": {},  # BERT-base widths
    "random-large": {"hidden_size": 1024, "num_attention_heads": 16, "intermediate_size": 4096},
}


def hf_model(weights: str) -> transformers.BertForQuestionAnswering:
    """``random`` / ``random-large``: a 2-layer BERT-base / BERT-large of random weights (seed 0); else a model
    bertlib's registry names."""
    if weights in RANDOM:
        torch.manual_seed(0)
        config = transformers.BertConfig(num_hidden_layers=2, **RANDOM[weights])
        return transformers.BertForQuestionAnswering(config).eval()
    from bertlib.models.registry import load_model

    return load_model(weights).hf_model


def inputs(model: transformers.BertForQuestionAnswering, weights: str, batch: int, seq: int):
    """Token ids, token types and the padding mask: random ids for random weights, the demo questions otherwise."""
    if weights in RANDOM:
        torch.manual_seed(0)
        ids = torch.randint(0, model.config.vocab_size, (batch, seq))
        mask = (torch.arange(seq) < seq * 3 // 4).float().expand(batch, seq)
        return ids, torch.zeros_like(ids), mask
    from bertlib.inputs import default_windows
    from bertlib.models.registry import load_model

    windows = default_windows(load_model(weights), batch=batch, seq=seq)
    return windows.input_ids, windows.token_type_ids, windows.attention_mask.float()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tt-metal", required=True, help="a tenstorrent/tt-metal checkout")
    parser.add_argument("--model-file", choices=sorted(MODEL_FILES), default="ttnn_bert")
    parser.add_argument("--weights", default="random", help="random, random-large, or a bertlib model name (minilm-squad, ...)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seq", type=int, default=384)
    args = parser.parse_args()
    checkout = os.path.expanduser(args.tt_metal)
    if not os.path.isdir(os.path.join(checkout, "models")):
        parser.error(f"--tt-metal {args.tt_metal} is not a tt-metal checkout (it has no models/ folder): clone "
                     "https://github.com/tenstorrent/tt-metal and pass its path")
    sys.path.insert(0, checkout)
    tt_model = importlib.import_module(MODEL_FILES[args.model_file])

    model = hf_model(args.weights)
    ids, types, mask = inputs(model, args.weights, args.batch, args.seq)
    with torch.no_grad():
        golden = model(ids, token_type_ids=types, attention_mask=mask).start_logits
    positions = torch.arange(args.seq).expand(args.batch, args.seq)

    device = ttnn.open_device(device_id=0)
    parameters = preprocess_model_parameters(initialize_model=lambda: model,
                                             custom_preprocessor=tt_model.custom_preprocessor, device=device)
    if args.model_file == "bert_tiny":
        tt_inputs = tt_model.preprocess_inputs(ids, types, positions, mask, device, None)
        logits = tt_model.bert_for_question_answering(model.config, *tt_inputs, device=device, parameters=parameters)
    else:
        tt_inputs = tt_model.preprocess_inputs(ids, types, positions, mask, device)
        config = model.config
        if hasattr(tt_model, "update_model_config"):  # the sharded file's program configs
            config = tt_model.update_model_config(config, args.batch)
        logits = tt_model.bert_for_question_answering(config, *tt_inputs, parameters=parameters)
    start = ttnn.to_torch(logits).float()[..., 0]
    ttnn.close_device(device)

    real = mask.bool()
    pcc = torch.corrcoef(torch.stack([start[real], golden[real]]))[0, 1]
    print(f"{args.model_file} on {args.weights}: QA start-logit PCC {float(pcc):.4f} against HuggingFace "
          f"(batch {args.batch}, seq {args.seq}, {int(real.sum())} real tokens)")


if __name__ == "__main__":
    main()
