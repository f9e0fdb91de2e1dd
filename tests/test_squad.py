"""SQuAD scoring on hand-made cases, checked against what the official scripts compute."""

import json

import pytest

from bertlib.qa.squad import (
    HELD_OUT_TITLES,
    SQUAD_V2_HALF,
    PredictionsError,
    SquadFileError,
    load_squad,
    normalize_answer,
    score,
    subset,
)


def dataset(version, qas):
    return {"version": version, "data": [{"title": "T", "paragraphs": [{"context": "ctx", "qas": qas}]}]}


def qa(qid, *golds):
    return {"id": qid, "question": "?", "answers": [{"text": g, "answer_start": 0} for g in golds]}


def test_normalisation():
    assert normalize_answer("The  Eiffel Tower!") == "eiffel tower"
    assert normalize_answer("An apple, a pear") == "apple pear"
    assert normalize_answer("theatre") == "theatre"  # articles only as whole words


def test_v1_several_golds_take_the_best():
    data = dataset("1.1", [qa("1", "Paris", "the city of Paris"), qa("2", "1889")])
    result = score(data, {"1": "city of Paris", "2": "in 1889"})
    # q1: exact vs "the city of Paris" -> 1; q2: F1 2*(1/2*1)/(1/2+1) = 2/3, EM 0
    assert result["exact_match"] == pytest.approx(50.0)
    assert result["f1"] == pytest.approx(100 * (1 + 2 / 3) / 2)


def test_v1_missing_prediction_scores_zero_in_the_total():
    data = dataset("1.1", [qa("1", "Paris"), qa("2", "Rome")])
    result = score(data, {"1": "Paris"})
    assert result["exact_match"] == 50.0 and result["total"] == 2 and result["unanswered"] == 1


def test_v1_empty_strings_score_zero_f1():
    data = dataset("1.1", [qa("1", "a")])  # normalises to ""
    result = score(data, {"1": ""})
    assert result["exact_match"] == 100.0 and result["f1"] == 0.0


def test_v2_unanswerable_and_empty_golds():
    data = dataset("v2.0", [qa("1"), qa("2", "the", "Rome"), qa("3", "Paris")])
    result = score(data, {"1": "", "2": "Rome", "3": ""})
    # q1 no answer, predicted "" -> 1/1; q2 gold "the" dropped (normalises to ""), "Rome" matches -> 1/1; q3 -> 0/0
    assert result["exact"] == pytest.approx(200 / 3) and result["f1"] == pytest.approx(200 / 3)
    assert result["HasAns_total"] == 2 and result["HasAns_exact"] == 50.0
    assert result["NoAns_total"] == 1 and result["NoAns_f1"] == 100.0


def test_v2_answer_to_unanswerable_scores_zero():
    data = dataset("v2.0", [qa("1")])
    assert score(data, {"1": "something"})["f1"] == 0.0


def test_v2_missing_prediction_is_a_clear_error():
    data = dataset("v2.0", [qa("1", "Paris"), qa("2")])
    with pytest.raises(PredictionsError, match="1 question\\(s\\) of the dataset have no prediction \\(first: 2\\)"):
        score(data, {"1": "Paris"})


def test_bad_predictions_and_files(tmp_path):
    with pytest.raises(PredictionsError, match="JSON object"):
        score(dataset("v2.0", [qa("1")]), {"1": 3})
    with pytest.raises(SquadFileError, match="does not exist"):
        load_squad(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"data": [{"title": "x"}]}))
    with pytest.raises(SquadFileError, match="lacks"):
        load_squad(bad)
    with pytest.raises(SquadFileError, match="no article titled Nowhere"):
        load_squad(SQUAD_V2_HALF, titles=["Nowhere"])


def test_held_out_split_and_limit():
    data, questions = load_squad(SQUAD_V2_HALF,
                                 titles=HELD_OUT_TITLES)
    assert len(questions) == 1629 and sum(not q.answers for q in questions) == 826
    small, first = load_squad(SQUAD_V2_HALF, titles=["Warsaw"], limit=5)
    assert [q.id for q in first] == [q.id for q in questions if q.title == "Warsaw"][:5]
    assert sum(len(p["qas"]) for a in small["data"] for p in a["paragraphs"]) == 5
    assert subset(data, set())["data"] == []


def test_threshold_curve_matches_extraction_at_each_threshold():
    import torch

    from bertlib.qa.answers import Answer, extract_answers
    from bertlib.qa.squad import Question, threshold_curve
    from bertlib.qa.windows import Windows

    contexts = ["Paris is big.", "Rome is old."]
    questions = [Question("a", "T", contexts[0], "Which city?", ["Paris"], [0]), Question("b", "T", contexts[1], "?", [], [])]
    data = dataset("v2.0", [qa("a", "Paris"), qa("b")])
    offsets = [[None, (0, 5), (6, 8), None], [None, (0, 4), (5, 7), None]]
    windows = Windows(torch.zeros(2, 4, dtype=torch.long), torch.zeros(2, 4, dtype=torch.long),
                      torch.ones(2, 4, dtype=torch.long), offsets, [0, 1])
    logits = torch.zeros(2, 4, 2)
    logits[0, 1, :] = 3.0  # "Paris": score 6 against null 0
    logits[1, 1, :] = 1.0  # "Rome": score 2 against null 0
    free = extract_answers(logits, windows, contexts, null_threshold=None)
    assert [a.text for a in free] == ["Paris", "Rome"] and isinstance(free[0], Answer)
    curve = threshold_curve(data, questions, free, [-1.0, 3.0, 7.0])
    for row in curve:
        fixed = extract_answers(logits, windows, contexts, null_threshold=row["threshold"])
        expected = score(data, {q.id: a.text for q, a in zip(questions, fixed, strict=True)})
        assert row["f1"] == expected["f1"] and row["NoAns_f1"] == expected["NoAns_f1"]
    assert [r["f1"] for r in curve] == [50.0, 100.0, 50.0]  # both answered; only Paris; neither
