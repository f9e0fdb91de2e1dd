"""TT-NN BERT and DistilBERT, block by block, against HuggingFace at small random configs."""

from pathlib import Path

import pytest
import torch
from transformers import BertConfig, BertForQuestionAnswering, DistilBertConfig, DistilBertForQuestionAnswering

from bertlib import reference
from bertlib.compare import COLUMNS, compare
from bertlib.models import TTModel, get_precision, load_model
from bertlib.models.precisions import UnknownPrecisionError
from bertlib.models.registry import (
    RECREATED_DIR,
    LoadedModel,
    ModelError,
    NoTrainedModelError,
    OfflineModelError,
    load_shapes,
    minilm_path,
    model_dirs,
    squad_checkpoint,
)
from bertlib.paths import REPO_ROOT, SHARED_DIR
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


def test_auto_is_the_shipped_squad2_model_in_float32(monkeypatch, tmp_path):
    monkeypatch.delenv("BERTLIB_MODELS_DIR", raising=False)
    monkeypatch.setattr("bertlib.models.registry.SHARED_DIR", tmp_path / "no-shared")
    loaded = load_model("auto")
    assert loaded.name == "minilm-squad" and loaded.head_trained
    assert Path(loaded.source) == REPO_ROOT / "data" / "models" / "minilm-l6-squad2"
    assert {p.dtype for p in loaded.hf_model.parameters()} == {torch.float32}  # float16 on disk
    assert "F1" in loaded.note and "squad" in loaded.note
    minilm = load_model("minilm")
    assert not minilm.head_trained and minilm.config.hidden_size == 384 and "UNTRAINED" in minilm.note


def test_shipped_model_equals_the_shared_float32_one():
    """The repository's float16 copy loses nothing: the trained weights had passed through float16."""
    from safetensors.torch import load_file

    shared = SHARED_DIR / "models" / "minilm-l6-squad2" / "model.safetensors"
    if not shared.exists():
        pytest.skip("no ../shared/models beside this checkout")
    ours = load_file(REPO_ROOT / "data" / "models" / "minilm-l6-squad2" / "model.safetensors")
    theirs = load_file(shared)
    assert ours.keys() == theirs.keys()
    assert all(ours[k].dtype == torch.float16 and torch.equal(ours[k].float(), theirs[k]) for k in theirs)


def test_models_dir_order(monkeypatch, tmp_path):
    """$BERTLIB_MODELS_DIR first, then data/models/recreated, data/models, ../shared/models."""
    copy = tmp_path / "mine" / "minilm-l6-squad2"
    copy.mkdir(parents=True)
    (copy / "config.json").write_text("{}")
    monkeypatch.setenv("BERTLIB_MODELS_DIR", str(tmp_path / "mine"))
    assert squad_checkpoint() == copy
    assert model_dirs()[1:] == [RECREATED_DIR, REPO_ROOT / "data" / "models", SHARED_DIR / "models"]


def test_auto_without_a_trained_model_raises_the_typed_error(monkeypatch, tmp_path):
    monkeypatch.setattr("bertlib.models.registry.model_dirs", lambda: [tmp_path])
    for name in ("auto", "minilm-squad"):
        with pytest.raises(NoTrainedModelError, match="no trained QA model found .*python -m bertlib finetune"):
            load_model(name)
    with pytest.raises(NoTrainedModelError):
        load_shapes("auto")


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


def test_each_family_maps_every_weight_onto_the_tree():
    """BERT's and DistilBERT's weights land on the same tree names (DistilBERT has no token types)."""
    from bertlib.models.preprocess import bert_state_dict

    bert, distil = bert_state_dict(small("bert").hf_model), bert_state_dict(small("distilbert").hf_model)
    assert len(bert) == len(list(small("bert").hf_model.parameters()))
    assert set(distil) == set(bert) - {"embeddings.token_type_embeddings.weight"}
    assert all(distil[k].shape == bert[k].shape for k in distil)


def test_the_registry_lists_the_families():
    from bertlib.models.family import Family
    from bertlib.models.registry import FAMILIES, family

    assert set(FAMILIES) == {"bert", "distilbert"}
    assert small("distilbert").family is FAMILIES["distilbert"] and not small("distilbert").has_token_types
    assert small("distilbert").architecture.intermediate == 128
    with pytest.raises(ModelError, match="'roberta' is not supported: bertlib runs bert, distilbert"):
        family("roberta")
    with pytest.raises(ValueError, match="hooks must name exactly layers"):
        Family("x", "BertConfig", "BertForQuestionAnswering", True, lambda c: None, (), {})


def test_a_config_is_resolved_once_and_the_model_code_does_not_read_the_precision_config(handle):
    import inspect

    from bertlib.models import TTConfig, bert
    from bertlib.models.sharded_plan import PROGRAM_CONFIGS

    loaded = small("bert")
    optimized = TTConfig(loaded.config, get_precision("optimized"), handle.ttnn, handle.device)
    assert optimized.placement(2, 64) is optimized.placement(2, 64)  # once per input shape
    assert optimized.placement(2, 64).program_configs == dict.fromkeys(PROGRAM_CONFIGS)
    grid = optimized.placement(2, 64).core_grid
    assert (grid.y, grid.x) == (2, 8)  # batch rows x the chip's width
    sharded = TTConfig(loaded.config, get_precision("sharded"), handle.ttnn, handle.device).placement(2, 64)
    assert sharded.core_grid is None and sharded.ff1_activation is None
    assert all(sharded.program_configs[name] is not None for name in PROGRAM_CONFIGS)
    assert "precision" not in inspect.getsource(bert).replace("precision config", "")
