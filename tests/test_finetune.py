"""The minilm-l6-squad2 recipe's generated unanswerable examples (the run itself: tests/test_cli.py)."""

import random

from bertlib.finetune import Recipe, training_examples, without_answer_sentence
from bertlib.qa.squad import Question

CONTEXT = "The Rhine is long. It flows into the North Sea! Does it freeze? Rarely, in cold winters."


def test_the_answer_sentence_is_removed():
    start = CONTEXT.index("North Sea")
    assert without_answer_sentence(CONTEXT, "North Sea", start) == (
        "The Rhine is long. Does it freeze? Rarely, in cold winters.")


def test_removal_is_refused_when_too_little_remains_or_the_answer_stays():
    two = "First sentence. Second sentence holds Paris."
    assert without_answer_sentence(two, "Paris", two.index("Paris")) is None  # one sentence would remain
    again = "Paris is big. Paris is old. Rome is older."
    assert without_answer_sentence(again, "Paris", 0) is None  # "Paris" still appears
    no_break = "A.B. Smith lived in Paris.And more text follows here."
    assert without_answer_sentence(no_break, "Paris", no_break.index("Paris")) is None  # no white space: one sentence


def _question(qid: str, context: str, answer: str | None) -> Question:
    answers = [answer] if answer else []
    starts = [context.index(answer)] if answer else []
    return Question(qid, "T", context, "Where?", answers, starts)


def test_generated_negatives_never_contain_the_answer():
    paragraphs = ["Alpha is in Paris. Beta is near. Gamma is far.", "Delta is in Rome. Epsilon is here. Zeta too.",
                  "Eta is in Oslo. Theta is there. Iota is last."]
    questions = [_question("a", paragraphs[0], "Paris"), _question("b", paragraphs[1], "Rome"),
                 _question("c", paragraphs[2], "Oslo"), _question("d", paragraphs[2], None)]
    examples = training_examples(questions, Recipe(other_paragraph=1.0), random.Random(0))
    assert examples[:4] == questions
    generated = examples[4:]
    # each of the 3 answerable questions: one other-paragraph and one sentence-removed negative
    assert sorted(e.id for e in generated) == ["a-other", "a-removed", "b-other", "b-removed", "c-other", "c-removed"]
    by_id = {q.id: q for q in questions}
    for e in generated:
        original = by_id[e.id.split("-")[0]]
        assert e.answers == [] and e.question == original.question and original.answers[0] not in e.context
        if e.id.endswith("-other"):
            assert e.context in paragraphs and e.context != original.context


def test_sampling_probabilities_are_honoured():
    questions = [_question(str(i), f"Word{i} is here. More text. Even more.", f"Word{i}") for i in range(400)]
    none = training_examples(questions, Recipe(other_paragraph=0.0, sentence_removed=0.0), random.Random(0))
    assert none == questions
    half = training_examples(questions, Recipe(other_paragraph=0.5, sentence_removed=0.0), random.Random(0))
    assert 150 < len(half) - 400 < 250  # other paragraphs never hold another question's word: each draw succeeds


def test_a_small_run_resumes_and_saves_a_loadable_model(tmp_path, monkeypatch):
    """The whole loop on a few questions: stop, resume from the saved state, save, load as a float32 model."""
    import torch

    import bertlib.finetune as finetune_module
    from bertlib.models.registry import load_model

    context = "The Rhine is long. It flows into the North Sea. Its water is cold. Boats carry coal on it."
    questions = [Question(str(i), "T", context, q, [a], [context.index(a)])
                 for i, (q, a) in enumerate([("Where does it flow?", "the North Sea"), ("What is cold?", "Its water"),
                                             ("What do boats carry?", "coal")])]
    monkeypatch.setattr(finetune_module, "squad_training_questions", lambda: questions)
    recipe = Recipe(seq=64, stride=16, batch=2, epochs=1.0)
    out = tmp_path / "model"
    finetune_module.finetune(out, max_steps=1, save_every=1, recipe=recipe, progress=False)
    assert (out / "trainer-state.pt").exists() and not (out / "model.safetensors").exists()
    assert finetune_module.finetune(out, save_every=1, recipe=recipe, progress=False) == out
    loaded = load_model(str(out))
    assert loaded.head_trained and {p.dtype for p in loaded.hf_model.parameters()} == {torch.float32}
