"""Every exercise: its check passes the reference solution and catches a typical mistake with its hint."""

import json
import re
from pathlib import Path

import pytest
from exercise_solutions import CASES, MORE_MISTAKES

from bertlib import exercises

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


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


def test_at_least_eight_exercises_each_with_its_check():
    cells = exercise_cells()
    assert len(cells) >= 8
    assert {check for _, _, check in cells} == set(CASES)


@pytest.mark.parametrize("check", sorted(CASES))
def test_the_solution_passes_and_the_mistake_gets_its_hint(check):
    solution, wrong, hint = CASES[check]
    run = getattr(exercises, check)
    good = run(solution)
    assert good.passed and good.pcc >= 0.99, good
    bad = run(wrong)
    assert not bad.passed and hint in bad.hint, bad
    for other, other_hint in MORE_MISTAKES.get(check, []):
        result = run(other)
        assert not result.passed and other_hint in result.hint, result


def test_an_unfinished_exercise_says_so_without_raising():
    result = exercises.check_qa_head(lambda hidden_states, parameters: None)
    assert not result.passed and "returned nothing" in result.hint
    result = exercises.check_attention_scores(lambda q, k, d: 1 / 0)
    assert not result.passed and "ZeroDivisionError" in result.hint
