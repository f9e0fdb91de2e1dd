"""SQuAD data and scores, equal to the official evaluation scripts.

``score(dataset, predictions)`` follows ``evaluate-v2.0.py`` for SQuAD v2.0 files and ``evaluate-v1.1.py``
for v1.1 files (chosen by the file's ``version``, or by unanswerable questions being present). They differ,
and we match each:

- v2.0 drops gold answers that normalise to the empty string (an unanswerable question's gold is ``""``);
  an empty prediction and an empty gold score 1. v1.1 keeps every gold answer, and empty strings score 0 F1.
- A missing prediction: v1.1 scores it 0 and counts it in the total (its script prints "Unanswered
  question ... will receive score 0"). v2.0 leaves it out of ``exact``/``f1``/``total`` and then fails with
  a KeyError on the HasAns/NoAns split, so here it raises :class:`PredictionsError` naming the missing ids.
- Keys: v1.1 reports ``exact_match`` and ``f1``; v2.0 ``exact``, ``f1``, ``total`` and the ``HasAns_*`` /
  ``NoAns_*`` splits. We add the v2.0-style keys to v1.1 results too (all questions are answerable there).
"""

from __future__ import annotations

import collections
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bertlib.errors import BertlibError
from bertlib.jsonfile import read_json
from bertlib.paths import SHARED_DIR

#: The SQuAD files of this project's machines (``../shared/squad``; its README says what each holds).
LOCAL_SQUAD_DIR = SHARED_DIR / "squad"
SQUAD_V2_HALF = LOCAL_SQUAD_DIR / "dev-v2.0-half.json"
#: The articles of ``dev-v2.0-half.json`` that no model here was trained on (1,629 questions, 826 unanswerable).
HELD_OUT_TITLES = ["Force", "French_and_Indian_War", "Imperialism", "Warsaw"]
#: The other twelve articles of ``dev-v2.0-half.json``, used for training.
TRAIN_TITLES = ["1973_oil_crisis", "Computational_complexity_theory", "European_Union_law", "Harvard_University",
                "Huguenot", "Immune_system", "Islamism", "Normans", "Packet_switching", "Scottish_Parliament",
                "Steam_engine", "Yuan_dynasty"]
HUB_NAMES = ("squad_v2", "squad")
DATA_CHOICES = "--data squad_v2 (online, through `datasets`) or --data FILE (a SQuAD JSON file)"


class SquadFileError(BertlibError, ValueError):
    """A SQuAD file that is missing or not in the SQuAD JSON format."""


class PredictionsError(BertlibError, ValueError):
    """A predictions file that does not fit its dataset."""


@dataclass
class Question:
    """One SQuAD question with its context and gold answers ([] when unanswerable)."""

    id: str
    title: str
    context: str
    question: str
    answers: list[str]
    answer_starts: list[int]


def normalize_answer(text: str) -> str:
    """Lower case, strip punctuation, the articles a/an/the and extra white space (the official normalisation)."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text, flags=re.UNICODE)
    return " ".join(text.split())


def _f1(gold_tokens: list[str], pred_tokens: list[str], empty_matches: bool) -> float:
    if empty_matches and (not gold_tokens or not pred_tokens):
        return float(gold_tokens == pred_tokens)
    common = collections.Counter(gold_tokens) & collections.Counter(pred_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred_tokens), same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def exact_v2(gold: str, prediction: str) -> float:
    return float(normalize_answer(gold) == normalize_answer(prediction))


def _tokens_v2(text: str) -> list[str]:
    return normalize_answer(text).split() if text else []


def f1_v2(gold: str, prediction: str) -> float:
    return _f1(_tokens_v2(gold), _tokens_v2(prediction), empty_matches=True)


def f1_v1(gold: str, prediction: str) -> float:
    return _f1(normalize_answer(gold).split(), normalize_answer(prediction).split(), empty_matches=False)


def load_squad(source: str | Path, *, titles: list[str] | None = None, limit: int | None = None
               ) -> tuple[dict, list[Question]]:
    """A SQuAD JSON file (or, online, ``"squad_v2"`` / ``"squad"`` via ``datasets``): the raw dataset and its questions.

    ``titles`` keeps only those articles; ``limit`` then keeps the first N questions in file order.
    """
    if str(source) in HUB_NAMES:
        dataset = _from_hub(str(source))
    else:
        dataset = read_json(source, "SQuAD", SquadFileError, hint=f"use {DATA_CHOICES}")
    if not isinstance(dataset, dict) or not isinstance(dataset.get("data"), list):
        raise SquadFileError(f"{source} is not a SQuAD file: expected {{'version', 'data': [articles]}}")
    if titles:
        known = {a.get("title") for a in dataset["data"]}
        unknown = [t for t in titles if t not in known]
        if unknown:
            raise SquadFileError(f"no article titled {', '.join(unknown)} in {source}")
        dataset = {**dataset, "data": [a for a in dataset["data"] if a["title"] in titles]}
    questions = []
    try:
        for article in dataset["data"]:
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    golds = [] if qa.get("is_impossible") else qa["answers"]
                    questions.append(Question(qa["id"], article["title"], paragraph["context"], qa["question"],
                                              [a["text"] for a in golds], [a.get("answer_start", -1) for a in golds]))
    except (KeyError, TypeError) as err:
        raise SquadFileError(f"{source} is not a SQuAD file: an entry lacks {err}") from None
    if limit is not None:
        keep = {q.id for q in questions[:limit]}
        questions = questions[:limit]
        dataset = subset(dataset, keep)
    return dataset, questions


def default_squad_data() -> str:
    """The held-out SQuAD v2.0 file where this machine has it, else ``squad_v2`` (the hub, online)."""
    return str(SQUAD_V2_HALF) if SQUAD_V2_HALF.exists() else "squad_v2"


def _from_hub(name: str) -> dict:
    """Rebuild the official JSON layout from ``datasets.load_dataset(name, split="validation")`` (online)."""
    from datasets import load_dataset

    try:
        rows = load_dataset(name, split="validation")
    except Exception as err:  # noqa: BLE001 - datasets raises many kinds when offline
        local = f" ({SQUAD_V2_HALF} is one here)" if SQUAD_V2_HALF.exists() else ""
        raise SquadFileError(f"could not load {name!r} from the HuggingFace hub ({type(err).__name__}: it needs a "
                             f"network connection); offline, pass --data FILE, a SQuAD JSON file{local}") from None
    articles: dict[str, dict] = {}
    for row in rows:
        article = articles.setdefault(row["title"], {"title": row["title"], "paragraphs": []})
        if not article["paragraphs"] or article["paragraphs"][-1]["context"] != row["context"]:
            article["paragraphs"].append({"context": row["context"], "qas": []})
        answers = [{"text": t, "answer_start": s} for t, s in zip(row["answers"]["text"], row["answers"]["answer_start"],
                                                                   strict=True)]
        article["paragraphs"][-1]["qas"].append({"id": row["id"], "question": row["question"], "answers": answers})
    return {"version": "v2.0" if name == "squad_v2" else "1.1", "data": list(articles.values())}


def subset(dataset: dict, ids: set[str]) -> dict:
    """The dataset with only the questions in ``ids`` (articles and paragraphs left empty are dropped)."""
    data = []
    for article in dataset["data"]:
        paragraphs = [{**p, "qas": [qa for qa in p["qas"] if qa["id"] in ids]} for p in article["paragraphs"]]
        paragraphs = [p for p in paragraphs if p["qas"]]
        if paragraphs:
            data.append({**article, "paragraphs": paragraphs})
    return {**dataset, "data": data}


def is_v2(dataset: dict) -> bool:
    """SQuAD v2.0: the file says so, or it has unanswerable questions."""
    if str(dataset.get("version", "")).lstrip("v").startswith("2"):
        return True
    return any(qa.get("is_impossible") or not qa.get("answers")
               for a in dataset["data"] for p in a["paragraphs"] for qa in p["qas"])


def score(dataset: dict, predictions: dict[str, str]) -> dict[str, Any]:
    """The official script's result for ``predictions`` ({question id: answer text}) on ``dataset``."""
    if not isinstance(predictions, dict) or not all(isinstance(v, str) for v in predictions.values()):
        raise PredictionsError("predictions must be a JSON object {question_id: answer_text}")
    return _score_v2(dataset, predictions) if is_v2(dataset) else _score_v1(dataset, predictions)


def _qas(dataset: dict) -> list[dict]:
    return [qa for a in dataset["data"] for p in a["paragraphs"] for qa in p["qas"]]


def _score_v2(dataset: dict, predictions: dict[str, str]) -> dict[str, Any]:
    exact, f1, has_answer = {}, {}, {}
    for qa in _qas(dataset):
        has_answer[qa["id"]] = bool(qa["answers"])
        if qa["id"] not in predictions:
            continue
        golds = [a["text"] for a in qa["answers"] if normalize_answer(a["text"])] or [""]
        prediction = predictions[qa["id"]]
        exact[qa["id"]] = max(exact_v2(g, prediction) for g in golds)
        f1[qa["id"]] = max(f1_v2(g, prediction) for g in golds)
    missing = [q for q in has_answer if q not in exact]
    if missing:
        raise PredictionsError(
            f"{len(missing)} question(s) of the dataset have no prediction (first: {', '.join(missing[:3])}); "
            "the official v2.0 script fails on that too. Predict every question, or score a subset written "
            "with --data-out."
        )
    result: dict[str, Any] = _eval(exact, f1, list(exact))
    for prefix, wanted in (("HasAns", True), ("NoAns", False)):
        ids = [q for q, has in has_answer.items() if has == wanted]
        if ids:
            result.update({f"{prefix}_{k}": v for k, v in _eval(exact, f1, ids).items()})
    return result


def predictions_at(questions: list[Question], answers: list[Any], threshold: float = 0.0) -> dict[str, str]:
    """{question id: answer} from answers extracted with ``null_threshold=None``: the best span where its score
    beats the null score by more than ``threshold`` (as :func:`bertlib.qa.answers.extract_answers` decides),
    else "". One forward pass serves every threshold."""
    return {q.id: a.text if a.score - a.null_score > threshold else "" for q, a in zip(questions, answers, strict=True)}


def threshold_curve(dataset: dict, questions: list[Question], answers: list[Any],
                    thresholds: list[float]) -> list[dict[str, float]]:
    """SQuAD v2 scores at each null threshold (see :func:`predictions_at`)."""
    rows = []
    for t in thresholds:
        result = score(dataset, predictions_at(questions, answers, t))
        rows.append({"threshold": t, **{k: result[k] for k in ("exact", "f1", "HasAns_f1", "NoAns_f1") if k in result}})
    return rows


def _eval(exact: dict, f1: dict, ids: list[str]) -> dict[str, Any]:
    total = len(ids)
    return {"exact": 100.0 * sum(exact[i] for i in ids) / total, "f1": 100.0 * sum(f1[i] for i in ids) / total,
            "total": total}


def _score_v1(dataset: dict, predictions: dict[str, str]) -> dict[str, Any]:
    exact = f1 = 0.0
    qas = _qas(dataset)
    unanswered = []
    for qa in qas:
        if qa["id"] not in predictions:
            unanswered.append(qa["id"])  # the official script: "will receive score 0"
            continue
        golds = [a["text"] for a in qa["answers"]]
        prediction = predictions[qa["id"]]
        exact += max(float(normalize_answer(prediction) == normalize_answer(g)) for g in golds)
        f1 += max(f1_v1(g, prediction) for g in golds)
    total = len(qas)
    result = {"exact_match": 100.0 * exact / total, "f1": 100.0 * f1 / total}
    result.update({"exact": result["exact_match"], "total": total, "HasAns_exact": result["exact_match"],
                   "HasAns_f1": result["f1"], "HasAns_total": total, "unanswered": len(unanswered)})
    return result
