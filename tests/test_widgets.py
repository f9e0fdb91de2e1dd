"""The question widget driven from Python: answers, highlighting, inline errors, and it keeps working."""

import pytest

from bertlib.inputs import load_inputs
from bertlib.models import TTModel, load_model
from bertlib.widgets import QuestionWidget


@pytest.fixture(scope="module")
def widget(handle):
    return QuestionWidget(TTModel.build(load_model("minilm-squad"), "bf16-hifi4", handle), load_inputs(), seq=128)


def test_example_fills_the_boxes_and_ask_answers(widget):
    widget.example.value = 1
    assert "Rhine" in widget.context.value and widget.question.value == "How long is the Rhine?"
    widget.ask.click()
    assert "<mark>1,230</mark>" in widget.output.value
    assert "TT-NN" in widget.output.value and "HuggingFace" in widget.output.value


def test_errors_show_inline_and_the_widget_keeps_working(widget):
    widget.question.value = "   "
    widget.ask.click()
    assert "Cannot answer" in widget.output.value and "question 0 is empty" in widget.output.value
    widget.question.value = "What gas is released?"
    widget.context.value = "Plants release oxygen when they split water."
    widget.ask.click()
    assert "<mark>oxygen</mark>" in widget.output.value
