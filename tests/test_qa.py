"""Windows over long contexts, answer extraction across windows, the no-answer threshold, bad input."""

import pytest
import torch

from bertlib.models.registry import minilm_path
from bertlib.qa.answers import extract_answers
from bertlib.qa.windows import InputError, default_stride, make_windows


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(minilm_path()))


def test_long_context_is_windowed_not_truncated(tokenizer):
    words = [f"w{i}" for i in range(10000)]
    context = " ".join(words)
    windows = make_windows(tokenizer, ["which word?"], [context], seq=384, stride=128)
    assert len(windows) > 10 and set(windows.example_index) == {0}
    covered = set()
    for offsets in windows.offsets:
        covered |= {o for o in offsets if o is not None}
    ends = {end for _, end in covered}
    # every word of the context ends some token that some window holds
    position, word_ends = 0, set()
    for word in words:
        position += len(word)
        word_ends.add(position)
        position += 1
    assert word_ends <= ends


def test_windows_overlap_by_stride(tokenizer):
    context = " ".join(f"w{i}" for i in range(400))
    windows = make_windows(tokenizer, ["q?"], [context], seq=128, stride=32)
    first = [o for o in windows.offsets[0] if o is not None]
    second = [o for o in windows.offsets[1] if o is not None]
    assert first[-32:] == second[:32]


@pytest.mark.parametrize(("seq", "overlap"), [(384, 128), (256, 64), (128, 32)])
def test_default_overlap_is_the_documented_one(tokenizer, seq, overlap):
    context = " ".join(f"w{i}" for i in range(1200))
    windows = make_windows(tokenizer, ["q?"], [context], seq=seq)
    first = [o for o in windows.offsets[0] if o is not None]
    second = [o for o in windows.offsets[1] if o is not None]
    shared = len(set(first) & set(second))
    assert shared == overlap == default_stride(seq)


def test_answer_comes_from_the_best_window(tokenizer):
    context = " ".join(f"w{i}" for i in range(300)) + " Paris is the answer."
    windows = make_windows(tokenizer, ["where?"], [context], seq=128, stride=32)
    logits = torch.zeros(len(windows), 128, 2)
    last = len(windows) - 1
    token = next(i for i, o in enumerate(windows.offsets[last]) if o and context[o[0]:o[1]] == "Paris")
    logits[last, token, :] = 10.0
    answer = extract_answers(logits, windows, [context])[0]
    assert answer.text == "Paris" and answer.window == last
    assert context[answer.start_char:answer.end_char] == "Paris"


def test_null_threshold(tokenizer):
    windows = make_windows(tokenizer, ["q?"], ["alpha beta gamma"], seq=64)
    logits = torch.zeros(1, 64, 2)
    logits[0, 0, :] = 3.0  # [CLS]: null score 6
    token = next(i for i, o in enumerate(windows.offsets[0]) if o)
    logits[0, token, :] = 3.5  # best span score 7
    assert extract_answers(logits, windows, ["alpha beta gamma"], null_threshold=0.0)[0].text == "alpha"
    assert extract_answers(logits, windows, ["alpha beta gamma"], null_threshold=2.0)[0].is_null
    assert extract_answers(logits, windows, ["alpha beta gamma"], null_threshold=None)[0].text == "alpha"


def test_spans_stay_inside_the_context_and_max_length(tokenizer):
    windows = make_windows(tokenizer, ["question words here?"], ["one two three four five"], seq=64)
    logits = torch.zeros(1, 64, 2)
    context_tokens = [i for i, o in enumerate(windows.offsets[0]) if o]
    ramp = torch.arange(len(context_tokens), dtype=torch.float32)
    logits[0, context_tokens, 0] = ramp  # best start: "five" (4)
    logits[0, context_tokens, 1] = ramp
    logits[0, context_tokens[0], 1] = 5.0  # best end "one" (5) lies before "five": (five, one) is no span
    logits[0, 2, :] = 50.0  # a question token: never an answer
    answer = extract_answers(logits, windows, ["one two three four five"], null_threshold=None)[0]
    assert answer.text == "five"  # (five, five) = 8 beats (four, five) = 7 and (one, one) = 5


@pytest.mark.parametrize("question,context,message", [
    ("", "text", "the question is empty"),
    ("   ", "text", "the question is empty"),
    ("why?", " \n", "the context is empty"),
    ("why " * 400, "text", "too long for windows of 384 tokens"),
])
def test_bad_input_is_refused_with_what_to_do(tokenizer, question, context, message):
    with pytest.raises(InputError, match=message):
        make_windows(tokenizer, [question], [context])


def test_non_ascii_and_emoji(tokenizer):
    context = "Der Fluss heißt Rhein 🌊 und fließt nach Norden."
    windows = make_windows(tokenizer, ["Wie heißt der Fluss? 🤔"], [context], seq=64)
    spans = [context[a:b] for a, b in (o for o in windows.offsets[0] if o)]
    assert "".join(spans) == context.replace(" ", "")  # every character, the emoji too, maps back


def test_answers_are_the_same_on_every_run(handle):
    from bertlib.models import TTModel, load_model
    from bertlib.qa.pipeline import answer_questions

    tt = TTModel.build(load_model("minilm-squad"), "optimized", handle)
    runs = [answer_questions(tt, ["How long is the Rhine?"], ["The Rhine is about 1,230 kilometres long."], seq=64)
            for _ in range(2)]
    assert [(a.text, a.score) for a in runs[0].tt] == [(a.text, a.score) for a in runs[1].tt]
    assert runs[0].tt[0].text.startswith("1,230")
