"""Recreate ``minilm-l6-squad2``: all-MiniLM-L6-v2 (PyPI) fine-tuned for SQuAD v2-style extractive QA.

The recipe of ``../shared/models/minilm-l6-squad2/README.md``:

- data: ``train-subset-v1.1.json`` plus the twelve training articles of ``dev-v2.0-half.json``, and two
  kinds of generated unanswerable examples, both targeting ``[CLS]``:

  - *other paragraph*: each answerable question, with probability 0.5, paired with another paragraph of
    its article that does not contain the answer text (up to 5 draws);
  - *answer sentence removed*: each answerable question's paragraph without the sentence that holds the
    answer (sentences end at ``.``, ``!`` or ``?`` followed by white space), kept only if at least two
    sentences remain and the answer text no longer appears;

- windows of 384 tokens overlapping by 128; a window without the answer targets ``[CLS]``;
- AdamW (lr 8e-5, weight decay 0.01), linear warm-up over 10% of the steps then linear decay, batch 32,
  5 epochs, gradient clipping at 1.0, bf16 autocast, on a GPU when there is one;
- seeds: ``torch.manual_seed(0)`` before the model is built, ``random.Random(0)`` for the sampling.

A checkpoint is written every ``--save-every`` steps and a rerun resumes from it. After a few steps the
run says how long the whole recipe takes on this machine.
"""

from __future__ import annotations

import math
import random
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from bertlib.errors import BertlibError
from bertlib.models.registry import SEED, SQUAD_MODEL, _quiet_transformers, minilm_path
from bertlib.paths import RECREATED_DIR
from bertlib.qa.squad import LOCAL_SQUAD_DIR, TRAIN_TITLES, Question, load_squad

DEFAULT_OUT = RECREATED_DIR / SQUAD_MODEL
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
TIMED_STEPS = 5  # steps timed (fewer in a shorter run) before the run says how long it will take


class FinetuneError(BertlibError, RuntimeError):
    """The training data or output folder is not usable."""


@dataclass(frozen=True)
class Recipe:
    seq: int = 384
    stride: int = 128
    batch: int = 32
    epochs: float = 5.0
    lr: float = 8e-5
    weight_decay: float = 0.01
    warmup: float = 0.1
    clip: float = 1.0
    other_paragraph: float = 0.5  # probability of an other-paragraph negative per answerable question
    other_paragraph_draws: int = 5
    sentence_removed: float = 1.0  # probability of an answer-sentence-removed negative


def without_answer_sentence(context: str, answer: str, answer_start: int) -> str | None:
    """``context`` without the sentence holding the answer, or None when fewer than two sentences would
    remain or the answer text would still appear."""
    sentences, position = [], 0
    for match in SENTENCE_END.finditer(context):
        sentences.append((position, match.start()))
        position = match.end()
    sentences.append((position, len(context)))
    kept = [context[a:b] for a, b in sentences if not a <= answer_start < max(b, a + 1)]
    if len(kept) < 2 or len(kept) == len(sentences):
        return None
    text = " ".join(kept)
    return None if answer in text else text


def training_examples(questions: list[Question], recipe: Recipe, rng: random.Random) -> list[Question]:
    """The SQuAD questions, then the generated unanswerable examples (an empty ``answers`` list)."""
    paragraphs: dict[str, list[str]] = {}
    for q in questions:
        contexts = paragraphs.setdefault(q.title, [])
        if not contexts or contexts[-1] != q.context:
            contexts.append(q.context)
    generated = []
    for q in questions:
        if not q.answers:
            continue
        answer = q.answers[0]
        if rng.random() < recipe.other_paragraph:
            others = [c for c in paragraphs[q.title] if c != q.context]
            for _ in range(recipe.other_paragraph_draws if others else 0):
                other = rng.choice(others)
                if answer not in other:
                    generated.append(replace(q, id=f"{q.id}-other", context=other, answers=[], answer_starts=[]))
                    break
        if rng.random() < recipe.sentence_removed:
            context = without_answer_sentence(q.context, answer, q.answer_starts[0])
            if context is not None:
                generated.append(replace(q, id=f"{q.id}-removed", context=context, answers=[], answer_starts=[]))
    return questions + generated


def training_windows(tokenizer, examples: list[Question], recipe: Recipe) -> dict[str, torch.Tensor]:
    """Token ids, masks and start/end targets of every training window."""
    enc = tokenizer([q.question.strip() for q in examples], [q.context for q in examples], max_length=recipe.seq,
                    stride=recipe.stride, truncation="only_second", padding="max_length",
                    return_overflowing_tokens=True, return_offsets_mapping=True, return_tensors="pt")
    starts, ends = [], []
    for row, example in enumerate(enc["overflow_to_sample_mapping"].tolist()):
        question = examples[example]
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


def squad_training_questions(squad_dir: Path = LOCAL_SQUAD_DIR) -> list[Question]:
    """``train-subset-v1.1.json`` and the twelve training articles of ``dev-v2.0-half.json``."""
    files = [squad_dir / "train-subset-v1.1.json", squad_dir / "dev-v2.0-half.json"]
    if not all(f.exists() for f in files):
        raise FinetuneError(f"the training data is not here: finetune needs {files[0].name} and {files[1].name} "
                            f"in {squad_dir} (this project's ../shared/squad)")
    _, train = load_squad(files[0])
    _, extra = load_squad(files[1], titles=TRAIN_TITLES)
    return train + extra


def _say_how_long(step_seconds: float, steps: int, device: str) -> None:
    minutes = step_seconds * steps / 60
    when = f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h" if minutes < 2880 else \
        f"{minutes / 1440:.1f} days"
    print(f"{step_seconds:.2f} s per step on {device}: the {steps} steps take about {when} on this machine",
          flush=True)


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
    rng = random.Random(SEED)
    examples = training_examples(squad_training_questions(), recipe, rng)
    data = training_windows(tokenizer, examples, recipe)
    windows = data["input_ids"].shape[0]
    null_share = (data["start_positions"] == 0).float().mean().item()
    print(f"{len(examples)} examples, {windows} windows ({100 * null_share:.1f}% target [CLS]), on {device}",
          flush=True)
    total = math.ceil(recipe.epochs * windows / recipe.batch)
    steps = min(total, max_steps) if max_steps else total

    torch.manual_seed(SEED)
    model = BertForQuestionAnswering.from_pretrained(str(minilm_path()), dtype=torch.float32).to(device).train()
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
    timed = min(TIMED_STEPS, steps - step)
    first_step = step
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
        if step - first_step == timed:
            _say_how_long((time.perf_counter() - started) / timed, total - first_step, device)
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
