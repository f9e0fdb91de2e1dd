"""The interactive question widget (ipywidgets): pick or paste a context, ask, see TT-NN and HF side by side."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from bertlib.errors import BertlibError
from bertlib.qa.answers import Answer
from bertlib.qa.pipeline import answer_questions


def highlight(context: str, answer: Answer) -> str:
    """The context as HTML with the answer's characters marked."""
    if answer.is_null or answer.start_char < 0:
        return html.escape(context)
    a, b = answer.start_char, answer.end_char
    return f"{html.escape(context[:a])}<mark>{html.escape(context[a:b])}</mark>{html.escape(context[b:])}"


LABEL_CHARS = 60  # an example's label in the dropdown: its question, cut with an ellipsis


def example_label(question: str, limit: int = LABEL_CHARS) -> str:
    """``question`` on one line, cut at a word boundary with "…" when longer than ``limit``."""
    text = " ".join(question.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0] if " " in text[:limit - 1] else text[:limit - 1]
    return cut.rstrip(",;:") + "…"


def _answer_cell(name: str, answer: Answer, seconds: float, untrained: bool) -> str:
    text = html.escape(answer.text) if not answer.is_null else "<i>no answer</i>"
    if untrained:
        text += " <small style='color:#b00020'>(untrained QA head: meaningless)</small>"
    return (f"<td style='padding:4px 12px'><b>{name}</b><br>{text}<br>"
            f"<small>score {answer.score:.2f} (null {answer.null_score:.2f}) · {seconds * 1000:.0f} ms</small></td>")


class QuestionWidget:
    """Ask a TT-NN model questions about a context; errors show inline and the widget keeps working."""

    def __init__(self, tt_model: Any, examples: list[dict[str, str]], *, seq: int = 384) -> None:
        self.tt_model = tt_model
        self.examples = examples
        self.seq = seq
        self.example = widgets.Dropdown(
            options=[(f"{i + 1}: {example_label(e['question'])}", i) for i, e in enumerate(examples)],
            description="Example",
            layout=widgets.Layout(width="90%"))
        self.context = widgets.Textarea(description="Context", layout=widgets.Layout(width="90%", height="140px"))
        self.question = widgets.Text(description="Question", layout=widgets.Layout(width="90%"))
        self.ask = widgets.Button(description="Ask", button_style="primary")
        self.close = widgets.Button(description="Close device", disabled=tt_model.handle is None,
                                    tooltip="Release the device the model runs on, once you are done asking")
        self.output = widgets.HTML()
        self.example.observe(self._pick, names="value")
        self.ask.on_click(lambda _: self.answer())
        self.close.on_click(lambda _: self.close_device())
        self._pick({"new": self.example.value})
        self.box = widgets.VBox([self.example, self.context, self.question, widgets.HBox([self.ask, self.close]),
                                 self.output])

    def _pick(self, change: dict) -> None:
        if change["new"] is None:
            return
        chosen = self.examples[change["new"]]
        self.context.value = chosen["context"]
        self.question.value = chosen["question"]

    def answer(self) -> None:
        """Answer the current question (called by the Ask button)."""
        try:
            result = answer_questions(self.tt_model, [self.question.value], [self.context.value], batch=1,
                                      seq=self.seq)
        except BertlibError as err:
            self.output.value = f"<p style='color:#b00020'><b>Cannot answer:</b> {html.escape(str(err))}</p>"
            return
        tt, hf = result.tt[0], result.hf[0]
        loaded = self.tt_model.loaded
        untrained = not loaded.head_trained
        note = f"<p><small><i>{html.escape(loaded.note)}</i></small></p>" if loaded.note else ""
        self.output.value = (
            f"<table class='qa-answers'><tr>{_answer_cell('TT-NN', tt, sum(result.tt_seconds), untrained)}"
            f"{_answer_cell('HuggingFace', hf, sum(result.hf_seconds), untrained)}</tr></table>{note}"
            f"<p style='max-width:900px'>{highlight(self.context.value, tt)}</p>"
        )

    def close_device(self) -> None:
        """Close the model's device (called by the Close device button): asking again says it is closed."""
        self.tt_model.handle.close()
        self.ask.disabled = self.close.disabled = True
        self.output.value = "<p>The device is closed. Run the notebook again from the top to ask more.</p>"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)


#: Models the profiler offers: all architectures, no hub needed (only their shapes are used).
PROFILE_MODELS = ["random:bert-tiny", "minilm-squad", "random:distilbert", "random:bert-base", "random:bert-large"]
SWEEP_BATCHES = (1, 2, 4, 8, 16, 32)
CONFIG_FIDELITY = "(config's)"  # the fidelity dropdown's "keep the precision config's own"


class ProfilerWidget:
    """Sliders for model, batch, sequence length, config, fidelity and chip; predicted times redraw at once.

    The "Measure" button times the same batch for real: on a card, device time (trace + 2 command
    queues); here, the emulator's host time per op group, shown apart from the prediction.
    """

    def __init__(self, model: str = "random:bert-large", batch: int = 8, seq: int = 384,
                 precision: str = "optimized", chip: str = "wormhole_n150") -> None:
        from bertlib.models.precisions import PRECISIONS
        from bertlib.profile.engine_rates import CHIPS, FIDELITY_PHASES

        style = {"description_width": "90px"}
        self.model = widgets.Dropdown(options=PROFILE_MODELS, value=model, description="model", style=style)
        self.batch = widgets.SelectionSlider(options=list(SWEEP_BATCHES), value=batch, description="batch", style=style)
        self.seq = widgets.SelectionSlider(options=[64, 128, 256, 384, 512], value=seq, description="seq", style=style)
        self.precision = widgets.Dropdown(options=list(PRECISIONS), value=precision, description="config", style=style)
        self.fidelity = widgets.Dropdown(options=[CONFIG_FIDELITY, *FIDELITY_PHASES], description="fidelity", style=style)
        self.chip = widgets.Dropdown(options=list(CHIPS), value=chip, description="chip", style=style)
        self.measure_button = widgets.Button(description="Measure", tooltip="time this batch for real")
        self.summary = widgets.HTML()
        self.figure = widgets.Image(format="png")  # a picture, not captured output: no output messages to route
        self.measured: dict[str, float] | None = None
        controls = [self.model, self.batch, self.seq, self.precision, self.fidelity, self.chip]
        for control in controls:
            control.observe(lambda _: self.update(), names="value")
        self.measure_button.on_click(lambda _: self.measure())
        self.box = widgets.VBox([widgets.HBox([widgets.VBox(controls[:3]), widgets.VBox(controls[3:])]),
                                 self.measure_button, self.summary, self.figure])
        self.update()

    def config(self) -> Any:
        from bertlib.models.precisions import get_precision

        config = get_precision(self.precision.value)
        return config if self.fidelity.value == CONFIG_FIDELITY else config.at_fidelity(self.fidelity.value)

    def update(self) -> None:
        """Predict the chosen batch and the batch sweep, then redraw (called on every change)."""
        from bertlib.profile.costmodel import predict

        self.measured = None
        config = self.config()
        try:
            self.prediction = predict(self.model.value, self.batch.value, self.seq.value, config, self.chip.value)
        except BertlibError as err:
            self.summary.value = f"<p style='color:#b00020'><b>Cannot predict:</b> {html.escape(str(err))}</p>"
            self.figure.value = b""
            return
        sweep = {}
        for b in SWEEP_BATCHES:  # the batches this config can lay out (sharded: at most the grid's width)
            try:
                sweep[b] = predict(self.model.value, b, self.seq.value, config, self.chip.value)
            except BertlibError:
                continue
        p = self.prediction
        fits = "fits" if p.memory["fits"] else "<b style='color:#b00020'>does not fit</b>: " + html.escape(
            "; ".join(p.memory["problems"]))
        self.summary.value = (
            f"<p><b>ESTIMATE</b> (cost model, not a measurement): {p.device_s * 1e3:.2f} ms per batch on the device, "
            f"{p.sentences_per_s:.0f} sentences/s; memory {fits}.</p>")
        self._draw(sweep)

    def _draw(self, sweep: dict[int, Any]) -> None:
        import io

        import matplotlib.pyplot as plt

        from bertlib.plots import plot_profile

        fig = plot_profile(self.prediction, sweep, measured_host=self.measured)
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=80)
        plt.close(fig)
        self.figure.value = png.getvalue()
        self.sweep = sweep

    def measure(self) -> None:
        """On a card: device times of this batch. Here: the emulator's host seconds per op group."""
        from bertlib.device import card_present

        if card_present():
            from bertlib.profile.card import measure

            out = measure(self.model.value, self.batch.value, self.seq.value, self.config())
            self.summary.value += (f"<p><b>MEASURED on the card</b>: {out['trace_2cq_s'] * 1e3:.2f} ms per batch "
                                   f"(trace + 2 CQs), {out['sentences_per_s']:.0f} sentences/s; first run "
                                   f"{out['first_run_s']:.1f} s.</p>")
            return
        self.measured = measure_host(self.model.value, self.batch.value, self.seq.value, self.config())
        self.summary.value += (f"<p><b>MEASURED on this CPU</b> (emulator host time, not the chip): "
                               f"{sum(self.measured.values()):.2f} s per batch.</p>")
        self._draw(self.sweep)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)


def measure_host(model: str, batch: int, seq: int, precision: Any) -> dict[str, float]:
    """Run one batch of the demo inputs' windows on the emulator (values computed); host seconds per op group."""
    from bertlib.device import open_device
    from bertlib.emulator import op_trace
    from bertlib.inputs import default_windows
    from bertlib.models import TTModel, load_model
    from bertlib.profile.costmodel import OP_GROUPS

    loaded = load_model(model)
    tt = TTModel.build(loaded, precision, open_device("emulator", quiet=True))
    windows = default_windows(loaded, batch=batch, seq=seq)  # real text, as `bench` runs
    with op_trace.recording() as recorded:
        tt(windows.input_ids, windows.token_type_ids, windows.attention_mask)
    out: dict[str, float] = {}
    for rec in recorded.records:
        group = OP_GROUPS.get(rec.op, "other")
        out[group] = out.get(group, 0.0) + rec.host_s
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))
