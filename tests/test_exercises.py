"""Every exercise: its check passes each right answer and fails each wrong one, with the hint it should give.

The checks' budgets (``bertlib.exercises.ULPS``, in roundings of 2**-8 of ``|expected| + rms(expected)``) were
calibrated on these answers. Largest element-wise difference among the right answers, then the smallest among
the wrong ones that reach the value judgement (the others fail earlier: type, layout, shape, op trace):

- embeddings: 3.6 (budget 8) against 182 (all segment 0);
- split heads: 0 (exact) against 401 (query and value swapped);
- scores: 7.4 (budget 16), fitted factor 0.70 roundings (budget 2) against 1/5.5 for 1/sqrt(32), factor 6.4;
- probs: 9.0 (budget 16) against 195 (head_size 64);
- feed-forward: 9.1 (budget 32), column offsets 0.79 (budget 1.5) against 96 (FF2's bias left out);
- FF1 weight: 21.8 (budget 32, in the dtype's roundings) against 123 (the weight halved);
- QA head: 2.8 (budget 8), column offsets 0.07 against 2.1 without the bias (which also gets its own hint);
- FF1 program config: 26.1 (budget 52: in0_block_w 2 against 4, whose bfloat16 L1 accumulation moves a bfloat8_b
  output near 0 by one step of its block); every wrong config fails on its fields first.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from exercise_solutions import RIGHT, WRONG

from bertlib import exercises
from bertlib.device import opened


@pytest.fixture(scope="module", autouse=True)
def _device_0_given_back():
    """``setup()`` opens device 0 when nothing holds it: give it back, so later test modules can open it."""
    yield
    handle = opened()
    if handle is not None and any(handle is s.handle for s in exercises._setup):
        handle.close()


NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _name(answer) -> str:
    return getattr(answer, "__name__", None) or getattr(answer, "name", None) or repr(answer)[:40]


def exercise_cells() -> list[tuple[str, str, str]]:
    """(notebook, exercise cell source, the check it calls) for every exercise cell."""
    found = []
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text())["cells"]
        for cell, following in zip(cells, cells[1:] + [None], strict=True):
            if "exercise" in cell["metadata"].get("tags", []):
                assert following is not None and "check" in following["metadata"].get("tags", []), (
                    f"{path.name}: an exercise cell must be followed by a cell tagged check")
                called = re.search(r"\b(check_\w+)\(", "".join(following["source"]))
                assert called, f"{path.name}: the check cell calls no bertlib.exercises.check_* function"
                found.append((path.stem, "".join(cell["source"]), called.group(1)))
    return found


def test_at_least_eight_exercises_each_with_its_check_and_five_wrong_answers():
    cells = exercise_cells()
    assert len(cells) >= 8
    assert {check for _, _, check in cells} == set(RIGHT) == set(WRONG)
    assert all(len(wrong) >= 5 for wrong in WRONG.values())


@pytest.mark.parametrize(("check", "answer"), [(c, a) for c, answers in RIGHT.items() for a in answers],
                         ids=lambda x: x if isinstance(x, str) else _name(x))
def test_a_right_answer_passes(check, answer):
    result = getattr(exercises, check)(answer)
    assert result.passed, result


@pytest.mark.parametrize(("check", "answer", "words"), [(c, a, w) for c, wrong in WRONG.items() for a, w in wrong],
                         ids=lambda x: x if isinstance(x, str) else _name(x))
def test_a_wrong_answer_fails_with_its_hint(check, answer, words):
    result = getattr(exercises, check)(answer)
    assert not result.passed and words in result.hint, result


def test_an_unfinished_exercise_says_so_without_raising():
    result = exercises.check_qa_head(lambda hidden_states, parameters: None)
    assert not result.passed and "returned nothing" in result.hint
    result = exercises.check_attention_scores(lambda q, k, d: 1 / 0)
    assert not result.passed and "ZeroDivisionError" in result.hint


@pytest.mark.parametrize("check", sorted(RIGHT))
@pytest.mark.parametrize("answer", [42, lambda *args: "text", lambda *args: np.zeros(3), lambda *args: [None]],
                         ids=["an int", "text", "a numpy array", "a list holding None"])
def test_a_check_never_raises(check, answer):
    result = getattr(exercises, check)(answer)
    assert not result.passed and result.hint


def test_setup_uses_the_open_device_and_is_rebuilt_once_it_is_closed():
    s = exercises.setup()
    assert opened() is s.handle and exercises.setup() is s
    s.handle.close()
    again = exercises.setup()
    assert again is not s and opened() is again.handle
    assert exercises.check_split_heads(RIGHT["check_split_heads"][0]).passed
