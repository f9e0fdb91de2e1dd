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
    assert "Cannot answer" in widget.output.value and "the question is empty" in widget.output.value
    widget.question.value = "What gas do plants release?"
    widget.context.value = "Plants release oxygen when they split water."
    widget.ask.click()
    assert "<mark>oxygen</mark>" in widget.output.value


def test_close_device_releases_it_and_asking_then_says_so():
    from bertlib.device import open_device

    with open_device("emulator", quiet=True) as own:
        widget = QuestionWidget(TTModel.build(load_model("minilm-squad"), "bf16-hifi4", own), load_inputs(), seq=128)
        widget.close.click()
        assert own.closed and widget.ask.disabled and "device is closed" in widget.output.value
        widget.answer()  # as a stale Ask would
        assert "Cannot answer" in widget.output.value and "device was closed" in widget.output.value


def test_profiler_widget_updates_on_every_control():
    from bertlib.widgets import ProfilerWidget

    w = ProfilerWidget(model="random:bert-tiny", batch=8, seq=128)
    assert "ESTIMATE" in w.summary.value and "fits" in w.summary.value
    assert bytes(w.figure.value).startswith(b"\x89PNG")  # the figure, drawn as a picture
    rate = w.prediction.sentences_per_s
    w.chip.value = "blackhole_p150"
    assert w.prediction.chip == "blackhole_p150" and w.prediction.sentences_per_s > rate
    w.fidelity.value = "HiFi4"
    assert w.prediction.precision == "optimized+HiFi4"
    w.model.value = "random:bert-large"
    w.seq.value = 512
    w.batch.value = 32
    assert "does not fit" in w.summary.value
    assert sorted(w.sweep) == [1, 2, 4, 8, 16, 32]
    w.fidelity.value = w.fidelity.options[0]
    w.precision.value = "sharded"  # one batch per core column: 32 does not lay out on a 10x13 grid
    assert "Cannot predict" in w.summary.value and "use batch &lt;= 13" in w.summary.value and not bytes(w.figure.value)
    w.seq.value = 384
    w.batch.value = 8
    assert "ESTIMATE" in w.summary.value and sorted(w.sweep) == [1, 2, 4, 8]  # the batches the grid can hold


def test_profiler_widget_measures_the_host_apart():
    from bertlib.widgets import ProfilerWidget

    w = ProfilerWidget(model="random:bert-tiny", batch=2, seq=64, precision="bf16-hifi4")
    w.measure_button.click()
    assert "MEASURED on this CPU" in w.summary.value and "not the chip" in w.summary.value
    assert w.measured and {"linear", "attention matmul"} <= set(w.measured)
    w.batch.value = 4  # a change drops the stale measurement
    assert w.measured is None


def test_example_labels_are_cut_with_an_ellipsis():
    from bertlib.widgets import example_label

    assert example_label("How long is the Rhine?") == "How long is the Rhine?"
    long = "What does the length of the waggle run tell the other bees about the food source and its distance?"
    label = example_label(long)
    assert label.endswith("…") and len(label) <= 60 and long.startswith(label[:-1])
    assert not label[:-1].endswith(" ")  # cut between words
