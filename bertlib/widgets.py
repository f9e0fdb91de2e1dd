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


def _answer_cell(name: str, answer: Answer, seconds: float) -> str:
    text = html.escape(answer.text) if not answer.is_null else "<i>no answer</i>"
    return (f"<td style='padding:4px 12px'><b>{name}</b><br>{text}<br>"
            f"<small>score {answer.score:.2f} (null {answer.null_score:.2f}) · {seconds * 1000:.0f} ms</small></td>")


class QuestionWidget:
    """Ask a TT-NN model questions about a context; errors show inline and the widget keeps working."""

    def __init__(self, tt_model: Any, examples: list[dict[str, str]], *, seq: int = 384) -> None:
        self.tt_model = tt_model
        self.examples = examples
        self.seq = seq
        self.example = widgets.Dropdown(
            options=[(f"{i}: {e['question'][:60]}", i) for i, e in enumerate(examples)], description="Example",
            layout=widgets.Layout(width="90%"))
        self.context = widgets.Textarea(description="Context", layout=widgets.Layout(width="90%", height="140px"))
        self.question = widgets.Text(description="Question", layout=widgets.Layout(width="90%"))
        self.ask = widgets.Button(description="Ask", button_style="primary")
        self.output = widgets.HTML()
        self.example.observe(self._pick, names="value")
        self.ask.on_click(lambda _: self.answer())
        self._pick({"new": self.example.value})
        self.box = widgets.VBox([self.example, self.context, self.question, self.ask, self.output])

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
        note = "" if self.tt_model.loaded.head_trained else "<p><i>This model's QA head is untrained: its answers mean nothing.</i></p>"
        self.output.value = (
            f"{note}<table class='qa-answers'><tr>{_answer_cell('TT-NN', tt, sum(result.tt_seconds))}"
            f"{_answer_cell('HuggingFace', hf, sum(result.hf_seconds))}</tr></table>"
            f"<p style='max-width:900px'>{highlight(self.context.value, tt)}</p>"
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)
