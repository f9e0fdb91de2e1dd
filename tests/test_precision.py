"""The precision sweep, HF INT8, and the linear-swap path."""

import pytest
import torch

from bertlib.inputs import load_inputs
from bertlib.linear_swap import TTNNLinear, swap_linears
from bertlib.models import load_model
from bertlib.precision_sweep import SWEEP, int8_rows, quantize_int8, sweep
from bertlib.qa.pipeline import hf_logits_fn, run_models
from bertlib.qa.squad import SQUAD_V2_HALF, load_squad
from bertlib.qa.windows import make_windows


@pytest.fixture(scope="module")
def loaded():
    return load_model("minilm-squad")


def test_linear_swap_answers_like_hf_in_bf16_hifi4(loaded, handle):
    swapped = swap_linears(loaded.hf_model, "bf16-hifi4", handle)
    assert sum(isinstance(m, TTNNLinear) for m in swapped.modules()) == 6 * 6 + 1
    assert not any(isinstance(m, TTNNLinear) for m in loaded.hf_model.modules())  # the original is untouched
    items = load_inputs()
    models = {"swap": hf_logits_fn(loaded, swapped), "hf": hf_logits_fn(loaded)}
    answers, _, _ = run_models(models, loaded.tokenizer, [i["question"] for i in items],
                               [i["context"] for i in items], batch=8, seq=384)
    assert [a.text for a in answers["swap"]] == [a.text for a in answers["hf"]]


def test_int8_is_close_to_fp32_and_quantizes_every_linear(loaded):
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    quantized = quantize_int8(loaded.hf_model)
    assert sum(isinstance(m, DynamicLinear) for m in quantized.modules()) == 6 * 6 + 1
    windows = make_windows(loaded.tokenizer, ["How long is the Rhine?"],
                           ["The Rhine is about 1,230 kilometres long."], seq=64)
    fp32 = hf_logits_fn(loaded)(windows.input_ids, windows.token_type_ids, windows.attention_mask)
    int8 = hf_logits_fn(loaded, quantized)(windows.input_ids, windows.token_type_ids, windows.attention_mask)
    assert not torch.equal(fp32, int8)
    from bertlib.pcc import comp_pcc

    assert comp_pcc(fp32, int8, 0.98)[0]


def test_sweep_rows_share_the_questions_and_order_by_precision(loaded, handle):
    dataset, questions = load_squad(SQUAD_V2_HALF, titles=["Warsaw"], limit=4)
    windows = make_windows(loaded.tokenizer, [questions[0].question], [questions[0].context], seq=128)
    configs = [SWEEP[0], SWEEP[-1]]  # bf16-hifi4 and the lowest: bfloat4_b weights, LoFi, bf16 accumulation
    summary, layers = sweep(loaded, windows, dataset, questions, handle, configs=configs, batch=4, seq=128)
    assert list(summary.config) == ["HF fp32 (torch)", configs[0].name, configs[1].name]
    assert summary.min_pcc.iloc[1] > 0.999 > summary.min_pcc.iloc[2]
    assert list(layers.columns) == ["embeddings", "0", "1", "2", "3", "4", "5", "qa_head"]
    rows = int8_rows(loaded, dataset, questions, batch=4, seq=128)
    assert list(rows.config) == ["HF fp32 (torch)", "HF int8 dynamic (torch)"]
    assert rows.f1.iloc[0] == pytest.approx(summary.f1.iloc[0])  # the same questions, the same HF answers
