"""What precision costs and buys: a sweep of TT-NN precision configs, and INT8 on the HF side.

Each sweep row is a :class:`~bertlib.models.precisions.PrecisionConfig`: the same model code, other dtypes
and fidelities. ``sweep`` measures per-layer PCC against HF and SQuAD F1 on the same questions for each.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from bertlib.compare import compare
from bertlib.errors import BertlibError
from bertlib.models import TTModel
from bertlib.models.precisions import PRECISIONS, PrecisionConfig
from bertlib.qa.pipeline import hf_logits_fn, run_models
from bertlib.qa.squad import score


def _config(weights: str, activations: str, fidelity: str, fp32: bool) -> PrecisionConfig:
    short = {"bfloat16": "bf16", "bfloat8_b": "bfp8", "bfloat4_b": "bfp4"}
    name = f"w {short[weights]} · a {short[activations]} · {fidelity} · acc {'fp32' if fp32 else 'bf16'}"
    return PRECISIONS["bf16-hifi4"].with_(name=name, weights_dtype=weights, qkv_context_ff1_dtype=activations,
                                          math_fidelity=fidelity, fp32_dest_acc_en=fp32)


#: The sweep: bf16-hifi4, the combinations tt-metal's BERT demos use, and the extremes.
SWEEP = [
    PRECISIONS["bf16-hifi4"],
    _config("bfloat16", "bfloat16", "HiFi2", True),
    _config("bfloat16", "bfloat16", "LoFi", False),
    _config("bfloat8_b", "bfloat16", "HiFi4", True),
    _config("bfloat8_b", "bfloat8_b", "HiFi2", True),
    PRECISIONS["optimized"],
    _config("bfloat4_b", "bfloat16", "HiFi4", True),
    _config("bfloat4_b", "bfloat8_b", "LoFi", False),
]


def _scores(dataset: dict, questions: list, answers: list) -> dict:
    """EM and F1, F1 on answerable (HasAns) and unanswerable (NoAns) questions where there are both, and
    the share of questions given an answer at all (``answered``, %): abstaining raises NoAns F1."""
    result = score(dataset, {q.id: a.text for q, a in zip(questions, answers, strict=True)})
    keys = ("exact", "f1", "HasAns_f1", "NoAns_f1")
    return {**{k: result[k] for k in keys if k in result},
            "answered": 100.0 * sum(bool(a.text) for a in answers) / len(answers)}


class QuantizationUnavailableError(BertlibError, RuntimeError):
    """torch's dynamic INT8 quantization is missing from this torch build."""


def sweep(loaded: Any, windows: Any, dataset: dict, questions: list, handle: Any, *,
          configs: list[PrecisionConfig] = SWEEP, batch: int = 8, seq: int = 384) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary, per-layer): one summary row per config (min PCC, QA-logits PCC, EM, F1) and a config x layer
    table of each layer's lowest PCC. HF answers the same questions once, as the row ``HF fp32``."""
    rows, layers = [], {}
    texts = ([q.question for q in questions], [q.context for q in questions])
    hf_answers, _, _ = run_models({"hf": hf_logits_fn(loaded)}, loaded.tokenizer, *texts, batch=batch, seq=seq)
    rows.append(dict(config="HF fp32 (torch)", min_pcc=1.0, qa_pcc=1.0, **_scores(dataset, questions, hf_answers["hf"])))
    for config in configs:
        tt = TTModel.build(loaded, config, handle)
        frame = compare(tt, windows, handle=handle)
        answers, _, _ = run_models({"tt": tt}, loaded.tokenizer, *texts, batch=batch, seq=seq)
        rows.append(dict(config=config.name, min_pcc=frame.pcc.min(), qa_pcc=frame.pcc.iloc[-1],
                         **_scores(dataset, questions, answers["tt"])))
        layers[config.name] = frame.groupby(frame.layer.astype(str), sort=False).pcc.min()
    return pd.DataFrame(rows), pd.DataFrame(layers).T


def quantize_int8(hf_model: Any) -> Any:
    """A copy of the HF model with its ``nn.Linear`` layers dynamically quantized to INT8 (torch 2.14)."""
    import copy
    import warnings

    import torch

    try:
        from torch.ao.quantization import quantize_dynamic
    except ImportError as err:
        raise QuantizationUnavailableError(
            "torch.ao.quantization.quantize_dynamic is not in this torch; install the tested torch==2.14.1 "
            "(constraints.txt), where it is deprecated but present") from err
    with warnings.catch_warnings():
        # torch 2.14 warns that its quantized tensor types (torch.qint8, ...) are deprecated; quantize_dynamic still
        # builds on them in the pinned version, so the warning says nothing about the results
        warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor", category=UserWarning)
        return quantize_dynamic(copy.deepcopy(hf_model), {torch.nn.Linear}, dtype=torch.qint8).eval()


def int8_rows(loaded: Any, dataset: dict, questions: list, *, batch: int = 8, seq: int = 384) -> pd.DataFrame:
    """FP32 vs dynamic-INT8 HF on the same questions: EM and F1."""
    texts = ([q.question for q in questions], [q.context for q in questions])
    models = {"HF fp32 (torch)": hf_logits_fn(loaded),
              "HF int8 dynamic (torch)": hf_logits_fn(loaded, quantize_int8(loaded.hf_model))}
    answers, seconds, _ = run_models(models, loaded.tokenizer, *texts, batch=batch, seq=seq)
    rows = []
    for name, found in answers.items():
        rows.append(dict(config=name, **_scores(dataset, questions, found),
                         seconds_per_batch=sum(seconds[name]) / len(seconds[name])))
    return pd.DataFrame(rows)
