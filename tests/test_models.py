"""TT-NN BERT and DistilBERT, block by block, against HuggingFace at small random configs."""

import pytest
import torch
from transformers import BertConfig, BertForQuestionAnswering, DistilBertConfig, DistilBertForQuestionAnswering

from bertlib import reference
from bertlib.compare import COLUMNS, compare
from bertlib.models import TTModel, get_precision, load_model
from bertlib.models.configs import UnknownPrecisionError
from bertlib.models.registry import LoadedModel, ModelError, OfflineModelError, minilm_path
from bertlib.qa.windows import make_windows

QUESTIONS = ["Where does the Rhine flow?", "Who wrote it?"]
CONTEXTS = ["The Rhine flows from the Swiss Alps to the North Sea through Germany and the Netherlands.",
            "The notes were written by Ada Lovelace in 1843 about the Analytical Engine."]


def small(kind: str) -> LoadedModel:
    from transformers import AutoTokenizer

    torch.manual_seed(0)
    if kind == "bert":
        config = BertConfig(vocab_size=30522, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                            intermediate_size=128, max_position_embeddings=512)
        config._attn_implementation = "eager"
        model = BertForQuestionAnswering(config)
    else:
        config = DistilBertConfig(vocab_size=30522, dim=64, n_layers=2, n_heads=2, hidden_dim=128,
                                  max_position_embeddings=512)
        config._attn_implementation = "eager"
        model = DistilBertForQuestionAnswering(config)
    return LoadedModel(f"small-{kind}", model.eval(), AutoTokenizer.from_pretrained(str(minilm_path())), False, "test")


@pytest.fixture(scope="module", params=["bert", "distilbert"])
def model(request):
    return small(request.param)


def windows_for(model, seq=64):
    return make_windows(model.tokenizer, QUESTIONS, CONTEXTS, seq=seq)


def test_every_block_matches_hf_in_bf16_hifi4(model, handle):
    frame = compare(model, windows_for(model), "bf16-hifi4", handle=handle)
    assert list(frame.columns) == COLUMNS
    blocks = set(frame.block)
    assert {"embeddings", "query", "key", "value", "scores", "probs", "context", "attention_output", "intermediate",
            "output", "qa_logits"} <= blocks
    assert len(frame) == 1 + 2 * 9 + 1
    assert frame.pcc.min() >= 0.999, frame.to_string()


def test_optimized_is_close_but_less_exact(model, handle):
    exact = compare(model, windows_for(model), "bf16-hifi4", handle=handle)
    optimized = compare(model, windows_for(model), "optimized", handle=handle)
    assert optimized.pcc.min() >= 0.97, optimized.to_string()
    assert optimized.max_abs_err.mean() > exact.max_abs_err.mean()


def test_whole_model_logits_match_hf(model, handle):
    windows = windows_for(model)
    tt = TTModel.build(model, "bf16-hifi4", handle)
    logits = tt(windows.input_ids, windows.token_type_ids, windows.attention_mask)
    golden = reference.forward_logits(model, windows.input_ids, windows.token_type_ids, windows.attention_mask)
    assert logits.shape == golden.shape == (2, 64, 2)
    from bertlib.pcc import comp_pcc

    assert comp_pcc(golden, logits, 0.999)[0]


def test_runs_are_deterministic(handle):
    model = small("bert")
    first = compare(model, windows_for(model), "optimized", handle=handle)
    second = compare(model, windows_for(model), "optimized", handle=handle)
    assert first.equals(second)


def test_precision_names():
    assert get_precision("optimized").weights_dtype == "bfloat8_b"
    with pytest.raises(UnknownPrecisionError, match="choose one of bf16-hifi4, optimized"):
        get_precision("int3")


def test_registry_offline_choices(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(OfflineModelError, match="random:bert-large has its exact architecture"):
        load_model("bert-large")
    with pytest.raises(ModelError, match="unknown model 'bert-huge'"):
        load_model("bert-huge")
    with pytest.raises(ModelError, match="random:<name> takes one of"):
        load_model("random:gpt2")
    with pytest.raises(ModelError, match="not a HF checkpoint"):
        load_model("tests")


@pytest.mark.parametrize("name,layers,hidden", [("random:bert-tiny", 2, 128), ("random:distilbert", 6, 768)])
def test_random_architectures(name, layers, hidden):
    loaded = load_model(name)
    config = loaded.config
    assert (getattr(config, "num_hidden_layers", None) or config.n_layers) == layers
    assert (getattr(config, "hidden_size", None) or config.dim) == hidden
    assert not loaded.head_trained
    again = load_model(name)
    assert torch.equal(loaded.hf_model.qa_outputs.weight, again.hf_model.qa_outputs.weight)  # seeded


def test_auto_prefers_the_squad_checkpoint():
    loaded = load_model("auto")
    assert loaded.name == "minilm-squad" and loaded.head_trained
    minilm = load_model("minilm")
    assert not minilm.head_trained and minilm.config.hidden_size == 384


@pytest.mark.parametrize("name,batch,seq", [
    ("random:bert-tiny", 8, 128), ("random:bert-tiny", 8, 384), ("random:bert-large", 7, 384),
    ("random:bert-large", 12, 384), ("random:distilbert", 8, 384),
])
def test_seed_shapes_trace_in_both_configs(handle, name, batch, seq):
    """The seeds' batch sizes and sequence lengths run through the whole model (shape-only: no arithmetic)."""
    from bertlib.emulator import recording
    from bertlib.models.bert import bert_for_question_answering, preprocess_inputs

    loaded = load_model(name)
    ids = torch.randint(0, 30522, (batch, seq))
    for precision in ("bf16-hifi4", "optimized"):
        tt = TTModel.build(loaded, precision, handle)
        with recording(shape_only=True) as trace:
            inputs = preprocess_inputs(tt.config, ids, torch.zeros_like(ids), torch.ones_like(ids))
            logits = bert_for_question_answering(tt.config, *inputs, parameters=tt.parameters)
        assert list(logits.shape) == [batch, seq, 2]
        linears = [r for r in trace.records if r.op == "linear"]
        assert len(linears) == 4 * (getattr(loaded.config, "num_hidden_layers", None) or loaded.config.n_layers) + 1
        if precision == "optimized":
            assert {r.memory for r in linears[:-1]} == {"L1"} and linears[0].core_grid == (min(batch, 8), 8)
