"""Run tt-metal's DistilBERT QA and Sentence-BERT model files, unmodified, and compare them with HuggingFace.

Written the way their tests are (a plain ``import ttnn``, real ``preprocess_model_parameters``), so it runs on a
card as it is, and without one through the emulator::

    python -m bertlib run --chip wormhole_n150 examples/tt_metal_family_models.py --tt-metal ~/tt-metal \\
        --model sentence_bert
    python -m bertlib run --chip wormhole_n300 examples/tt_metal_family_models.py --tt-metal ~/tt-metal \\
        --model distilbert --mesh

``--tt-metal`` is a checkout of tenstorrent/tt-metal (its ``models`` package is imported from there). The HF
models are 2-layer models of random weights (seed 0) of the files' architectures, built offline.
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

DISTILBERT = "models.demos.wormhole.distilbert.tt.ttnn_optimized_distilbert"
SENTENCE_BERT = "models.demos.sentence_bert.ttnn.ttnn_sentence_bert_model"
SENTENCE_BERT_COMMON = "models.demos.wormhole.sentence_bert.ttnn.common"


def pcc(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.corrcoef(torch.stack([a.flatten().float(), b.flatten().float()]))[0, 1])


def padding_mask(batch: int, seq: int) -> torch.Tensor:
    """The last quarter of every sequence is padding."""
    return (torch.arange(seq) < seq * 3 // 4).long().expand(batch, seq).contiguous()


def run_distilbert(batch: int, seq: int, mesh: bool) -> str:
    """DistilBERT QA as tt-metal's ``test_ttnn_distilbert_wh.py`` runs it; on a 1x2 mesh the batch is split over
    the chips and the weights replicated through ``ttnn.distribute``."""
    tt_model = importlib.import_module(DISTILBERT)
    torch.manual_seed(0)
    config = transformers.DistilBertConfig(n_layers=2)
    model = transformers.DistilBertForQuestionAnswering(config).eval()
    if mesh:
        device = ttnn.open_mesh_device(ttnn.MeshShape(1, 2))
        batch *= 2
        inputs_mapper = ttnn.ShardTensorToMesh(device, dim=0)
        with ttnn.distribute(ttnn.ReplicateTensorToMesh(device)):
            parameters = preprocess_model_parameters(initialize_model=lambda: model,
                                                     custom_preprocessor=tt_model.custom_preprocessor, device=device)
    else:
        device = ttnn.open_device(device_id=0)
        inputs_mapper = None
        parameters = preprocess_model_parameters(initialize_model=lambda: model,
                                                 custom_preprocessor=tt_model.custom_preprocessor, device=device)
    ids = torch.randint(0, config.vocab_size, (batch, seq))
    mask = padding_mask(batch, seq)
    with torch.no_grad():
        golden = model(ids, mask).start_logits

    score_shape = (batch, config.n_heads, seq, seq)
    padded = (mask == 0).view(batch, 1, 1, seq).expand(score_shape)
    min_val = torch.zeros(score_shape).masked_fill(padded, torch.finfo(torch.bfloat16).min)
    negative_val = torch.zeros(score_shape).masked_fill(padded, -1)
    min_val, negative_val = (ttnn.from_torch(t, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device,
                                             mesh_mapper=inputs_mapper) for t in (min_val, negative_val))
    positions = torch.cat([torch.arange(config.max_position_embeddings).expand((1, -1))] * batch, dim=0)
    tt_ids, tt_positions, tt_mask = tt_model.preprocess_inputs(ids, positions, mask, device=device,
                                                               mesh_mapper=inputs_mapper)
    logits = tt_model.distilbert_for_question_answering(
        config, input_ids=tt_ids, attention_mask=tt_mask, position_ids=tt_positions, parameters=parameters,
        device=device, min_val_tensor=min_val, negative_val_tensor=negative_val,
        ip_mesh_mapper=inputs_mapper)
    composer = ttnn.ConcatMeshToTensor(device, dim=0) if mesh else None
    start = ttnn.to_torch(logits, mesh_composer=composer).float()[..., 0]
    if mesh:
        ttnn.close_mesh_device(device)
    else:
        ttnn.close_device(device)
    real = mask.bool()
    where = "a 1x2 mesh" if mesh else "one device"
    return (f"distilbert on {where}: QA start-logit PCC {pcc(start[real], golden[real]):.4f} against HuggingFace "
            f"(batch {batch}, seq {seq}, {int(real.sum())} real tokens)")


def run_sentence_bert(batch: int, seq: int) -> str:
    """Sentence-BERT (BERT-base widths) with mean pooling, as tt-metal's ``test_ttnn_sentencebert_model.py`` runs
    it; its program configs (the chip's ``common.py``) are for batch 8, sequence 384."""
    common = importlib.import_module(SENTENCE_BERT_COMMON)
    tt_model = importlib.import_module(SENTENCE_BERT)
    torch.manual_seed(0)
    config = transformers.BertConfig(num_hidden_layers=2)
    model = transformers.BertModel(config).eval()
    ids = torch.randint(0, config.vocab_size - 1, (batch, seq))
    mask = padding_mask(batch, seq).float()
    types = torch.zeros(batch, seq, dtype=torch.int64)
    positions = torch.arange(seq).unsqueeze(0)
    extended = ((1.0 - mask) * torch.finfo(torch.bfloat16).min).view(batch, 1, 1, seq)
    with torch.no_grad():
        hidden = model(ids, attention_mask=mask, token_type_ids=types).last_hidden_state
    golden = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9)

    device = ttnn.open_device(device_id=0, l1_small_size=79104)
    parameters = preprocess_model_parameters(initialize_model=lambda: model,
                                             custom_preprocessor=common.custom_preprocessor, device=device)
    tt_ids, tt_types, tt_positions, tt_extended, tt_mask = common.preprocess_inputs(ids, types, positions, extended,
                                                                                    mask, device)
    module = tt_model.TtnnSentenceBertModel(parameters=parameters, config=config)
    pooled = ttnn.to_torch(module(tt_ids, tt_extended, tt_mask, tt_types, tt_positions, device=device)[0]).float()
    ttnn.close_device(device)
    return (f"sentence_bert on one device: mean-pooled embedding PCC {pcc(pooled, golden):.4f} against HuggingFace "
            f"(batch {batch}, seq {seq})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tt-metal", required=True, help="a tenstorrent/tt-metal checkout")
    parser.add_argument("--model", choices=("distilbert", "sentence_bert"), default="distilbert")
    parser.add_argument("--mesh", action="store_true", help="DistilBERT on a 1x2 mesh (the batch per chip)")
    parser.add_argument("--batch", type=int, default=8, help="per chip; Sentence-BERT's program configs want 8")
    parser.add_argument("--seq", type=int, default=384, help="Sentence-BERT's program configs want 384")
    args = parser.parse_args()
    checkout = os.path.expanduser(args.tt_metal)
    if not os.path.isdir(os.path.join(checkout, "models")):
        parser.error(f"--tt-metal {args.tt_metal} is not a tt-metal checkout (it has no models/ folder): clone "
                     "https://github.com/tenstorrent/tt-metal and pass its path")
    sys.path.insert(0, checkout)
    if args.model == "distilbert":
        print(run_distilbert(args.batch, args.seq, args.mesh))
    else:
        print(run_sentence_bert(args.batch, args.seq))


if __name__ == "__main__":
    main()
