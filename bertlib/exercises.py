"""Checks for the notebooks' exercises: the learner's TT-NN code against a right TT-NN answer, with a hint per mistake.

Each exercise cell (tagged ``exercise``) defines a function; the next cell (tagged ``check``) passes it to
one of the ``check_*`` functions here. A check runs the function on one real window (minilm-squad, the
Rhine question, sequence 128) and prints ``PASS`` (with the PCC against HuggingFace, for information) or
``NOT YET`` with a hint. It never raises: an error in the learner's code, or a return value of the wrong
kind, becomes a hint, so a notebook with unfinished exercises still runs.

A check judges in this order:

1. what came back: a ``ttnn.Tensor`` on the device where the exercise asks for TT-NN (a torch tensor fails
   with a hint that says so), in ``TILE_LAYOUT``, of the dtype and shape asked for;
2. that TT-NN did the work: on the emulator, the op trace (``bertlib.emulator.op_trace``) of the learner's call
   must show the exercise's ops (``ttnn.embedding`` x3 and ``ttnn.layer_norm``, a matmul, a softmax, ...).
   A card keeps no such trace, so there only the type and device checks apply;
3. the values, against the same computation done by ``bertlib``'s own TT-NN model code on the same device
   (``bertlib.models.bert``). Everywhere ``|got - expected| <= ulps * 2**-8 * (|expected| + rms(expected))``:
   ``2**-8`` is bfloat16's relative rounding bound (8 significant bits; a block float's is coarser) and
   ``ulps`` the op's budget of such roundings. And a fit ``got = factor * expected + offset[column]`` must
   give a factor within two roundings of 1, and each column an offset within 1.5 roundings of the column's
   mean magnitude (plus the rms): roundings of a column of similar values may err the same way, but not by
   more. So a constant factor or a bias fails even where it hides inside a larger element-wise budget.
   Each budget (``ULPS``) is about twice the largest difference seen among right answers written
   differently (``a + b`` or ``ttnn.add``, another order of the sums, fused or separate ops, the default
   fidelity or HiFi4; ``tests/exercise_solutions.py`` keeps them); its wrong answers differ by several
   times more.

A wrong answer close to a typical mistake (K not transposed, the scale forgotten, the mask's sign flipped,
...) gets that mistake's hint; any other gets a hint that says where it differs: which tokens, heads or
columns, by what factor, by what offset. Reference solutions are not here: they live in the test suite
(``tests/exercise_solutions.py``), outside the learner's view.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from bertlib.pcc import pcc_value

QUESTION = "How long is the Rhine?"
CONTEXT = ("The Rhine rises in the Swiss Alps and flows about 1,230 kilometres to the North Sea. On its way it "
           "forms part of the borders of Switzerland, Liechtenstein, Austria, Germany and France.")
SEQ = 128
ULP = 2.0**-8  # bfloat16 keeps 8 significant bits: a rounding changes a value by at most 2**-8 of it
FACTOR_ULPS = 2  # |fitted factor - 1|, in roundings
OFFSET_ULPS = 1.5  # a column's fitted offset, in roundings of its mean magnitude (+ rms): more is a bias
MISTAKE_DISTANCE = 0.05  # a failed answer this close (relative L2) to a typical mistake gets that mistake's hint

#: Element-wise budgets in roundings (``ULP``), about twice the largest seen among right answers
#: (the largest, in brackets; the smallest among the wrong answers of ``tests/exercise_solutions.py`` is in
#: the test's docstring).
ULPS = {
    "embeddings": 8,  # (3.6: another order of the three sums; HuggingFace's float32: 3.9)
    "split": 0,  # data movement: exactly the values
    "scores": 16,  # (7.4: the default HiFi2 with bfloat16 accumulation, the query scaled before the matmul)
    "probs": 16,  # (9.0: scale, mask and ttnn.softmax as separate ops; the scalar reaches the card as a bfloat16)
    "feedforward": 32,  # (9.1: both linears at the default HiFi2, bfloat16 accumulation)
    "qa_head": 8,  # (2.8: the default HiFi2, the bias added in torch)
    "ff1_weight": 32,  # (21.8: bfloat8_b's own rounding; in roundings of the dtype's 2**-(mantissa bits + 1))
    "ff1_program_config": 52,  # (26.1: in0_block_w 2 against 4, the packer summing each block into L1 in bfloat16;
    #                             the bfloat8_b output moves a value near 0 by one step of its 16-value block)
}


@dataclass
class CheckResult:
    """What a check found: passed or not, the PCC against HuggingFace (information only), a hint when not."""

    exercise: str
    passed: bool
    pcc: float | None
    hint: str = ""

    def __str__(self) -> str:
        pcc = f"PCC {self.pcc:.5f} against HuggingFace" if self.pcc is not None else ""
        if self.passed:
            return f"PASS · {self.exercise}: " + "; ".join(p for p in (self.hint, pcc) if p)
        return f"NOT YET · {self.exercise}: {self.hint}"

    def _repr_html_(self) -> str:
        color = "#1b7f3b" if self.passed else "#b00020"
        head, rest = str(self).split(" · ", 1)
        return f"<p style='color:{color}'><b>{head}</b> · {rest}</p>"


class _NotYet(Exception):
    """Raised inside a check to end it with a hint (and the PCC, when known)."""

    def __init__(self, hint: str, pcc: float | None = None) -> None:
        super().__init__(hint)
        self.hint, self.pcc = hint, pcc


def _check(exercise: str) -> Callable[[Callable[..., CheckResult]], Callable[..., CheckResult]]:
    """A check prints its result and never raises: ``_NotYet`` and any other error become a hint."""

    def wrap(body: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
        @functools.wraps(body)
        def check(*args: Any, **kwargs: Any) -> CheckResult:
            try:
                result = body(*args, **kwargs)
            except _NotYet as not_yet:
                result = CheckResult(exercise, False, not_yet.pcc, not_yet.hint)
            except Exception as err:  # noqa: BLE001 - the check's own handling of an odd answer must not raise
                result = CheckResult(exercise, False, None, f"the check failed on your answer "
                                                            f"({type(err).__name__}: {err})")
            print(result)
            return result

        return check

    return wrap


# ------------------------------------------------------------------------------------------------ the setup
@dataclass
class Setup:
    """One real window through minilm-squad at bf16-hifi4: parameters, HF intermediates, right TT-NN answers."""

    handle: Any
    tt: Any
    windows: Any
    hf_embeddings: torch.Tensor
    golden: dict[str, torch.Tensor]
    hf_hidden: torch.Tensor
    expected: dict[str, Any] = field(default_factory=dict)

    @property
    def ttnn(self) -> Any:
        return self.handle.ttnn

    @property
    def device(self) -> Any:
        return self.handle.device

    @property
    def emulated(self) -> bool:
        """True on the emulator, whose op trace shows what ran; a card keeps none."""
        return self.handle.backend != "ttnn"

    def inputs(self) -> tuple:
        """Fresh device inputs (ids, token types, positions, additive mask): a learner's code may free them."""
        from bertlib.models.bert import preprocess_inputs

        w = self.windows
        return preprocess_inputs(self.tt.config, w.input_ids, w.token_type_ids, w.attention_mask)

    def on_device(self, values: torch.Tensor) -> Any:
        return self.ttnn.from_torch(values, dtype=self.ttnn.bfloat16, layout=self.ttnn.TILE_LAYOUT,
                                    device=self.device, memory_config=self.ttnn.DRAM_MEMORY_CONFIG)

    def right(self, name: str, compute: Callable[[], Any]) -> Any:
        """The right TT-NN answer ``name`` (a tensor, or a tuple of them) as float32 torch, computed once."""
        if name not in self.expected:
            value = compute()
            parts = [self.ttnn.to_torch(t).to(torch.float32) for t in (value if isinstance(value, (tuple, list))
                                                                      else [value])]
            self.expected[name] = parts if isinstance(value, (tuple, list)) else parts[0]
        return self.expected[name]


_setup: list[Setup] = []


def setup() -> Setup:
    """The checks' setup, on the device the notebook opened (``bertlib.device.opened()``), or on one opened
    here when none is open; built again when the device it was built on has been closed."""
    from bertlib import reference
    from bertlib.device import open_device, opened
    from bertlib.models import TTModel, load_model
    from bertlib.qa.windows import make_windows

    handle = opened()
    if _setup and handle is _setup[0].handle:
        return _setup[0]
    handle = handle or open_device(quiet=True)
    loaded = load_model("minilm-squad")
    tt = TTModel.build(loaded, "bf16-hifi4", handle)
    windows = make_windows(loaded.tokenizer, [QUESTION], [CONTEXT], seq=SEQ)
    hf_embeddings = reference.embeddings(loaded, windows.input_ids, windows.token_type_ids)
    hf_hidden, golden = reference.layer(loaded, 0, hf_embeddings, windows.attention_mask)
    _setup[:] = [Setup(handle, tt, windows, hf_embeddings, golden, hf_hidden)]
    return _setup[0]


# ----------------------------------------------------------------------------------------- judging answers
def _call(function: Callable, *args: Any, on_error: str) -> tuple[Any, list[Any]]:
    """Run the learner's function; return its value and the op records of what it ran (empty on a card)."""
    from bertlib.emulator.op_trace import recording

    if not callable(function):
        raise _NotYet(f"pass the function you wrote to the check, not {_a(function)}")
    with recording() as trace:
        try:
            value = function(*args)
        except Exception as err:  # noqa: BLE001 - any error in the learner's code becomes a hint
            raise _NotYet(f"your code raised {type(err).__name__}: {err}. {on_error}") from None
    if value is None:
        raise _NotYet("your function returned nothing yet: write the TT-NN calls and return the result")
    return value, trace.records


def _a(value: Any) -> str:
    """What a value is, in words: ``None``, or ``a <type>``."""
    name = type(value).__name__
    return "None" if value is None else f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def _parts(value: Any, names: Sequence[str]) -> list[Any]:
    """A tuple or list of exactly ``names``' values."""
    wanted = ", ".join(names)
    if not isinstance(value, (tuple, list)):
        raise _NotYet(f"return {len(names)} values, ({wanted}); your function returned {_a(value)}")
    if len(value) != len(names):
        raise _NotYet(f"your function returned {len(value)} value{'s' * (len(value) != 1)}: return "
                      f"{len(names)}, ({wanted})")
    for name, part in zip(names, value, strict=True):
        if part is None:
            raise _NotYet(f"{name} is None: return ({wanted})")
    return list(value)


def _tensor_kind(ttnn: Any, value: Any, name: str) -> None:
    """``value`` is a ttnn.Tensor on the device; else a hint that says what it is instead."""
    if isinstance(value, torch.Tensor):
        raise _NotYet(f"{name} is a torch tensor: the exercise asks for TT-NN. Compute it with ttnn ops and "
                      "return the ttnn.Tensor they give, on the device (no ttnn.to_torch)")
    if not isinstance(value, ttnn.Tensor):
        raise _NotYet(f"{name} is {_a(value)}, not a ttnn.Tensor: return what the ttnn ops give")
    on_device = getattr(ttnn, "is_tensor_storage_on_device", lambda t: t.device() is not None)
    if not on_device(value):
        raise _NotYet(f"{name} is on the host: put it on the device (device=device in ttnn.from_torch, or "
                      "ttnn.to_device)")


def _tensor_form(ttnn: Any, value: Any, name: str, shape: tuple[int, ...], dtypes: Sequence[Any],
                 shape_hints: dict[tuple[int, ...], str] | None = None) -> None:
    """``value``'s layout, dtype and shape are the ones asked for; else a hint."""
    if value.layout != ttnn.TILE_LAYOUT:
        raise _NotYet(f"{name} is in {value.layout}: the next op expects ttnn.TILE_LAYOUT (pass "
                      "layout=ttnn.TILE_LAYOUT, or ttnn.to_layout(x, ttnn.TILE_LAYOUT))")
    if value.dtype not in dtypes:
        raise _NotYet(f"{name} is {value.dtype}: expected {' or '.join(str(d) for d in dtypes)}")
    _shape(value, name, shape, shape_hints)


def _shape(value: Any, name: str, shape: tuple[int, ...], shape_hints: dict[tuple[int, ...], str] | None) -> None:
    got = tuple(value.shape)
    if got != shape:
        hint = (shape_hints or {}).get(got)
        raise _NotYet(hint or f"{name} has shape {got}, expected {shape}")


def _ran(records: list[Any], emulated: bool, needs: Sequence[tuple[set[str], int, str]], *, all_of: bool) -> None:
    """The op trace shows the exercise's ops: each ``(op names, how many, what to write)`` of ``needs``
    (``all_of``), or at least one of them (else the answer came from torch). A card keeps no trace."""
    if not emulated:
        return
    ran = [r.op for r in records]
    counts = [(sum(op in names for op in ran), count, what) for names, count, what in needs]
    if not any(n for n, _, _ in counts):
        did = f" (it ran {', '.join(sorted(set(ran)))})" if ran else ""
        raise _NotYet("no TT-NN op of this exercise ran, so the values came from torch"
                      f"{did}: write it with {' and '.join(what for _, _, what in needs)} on the device")
    if all_of:
        for n, count, what in counts:
            if n < count:
                raise _NotYet(f"the values are right, but the op trace shows {n} of the {count} calls of "
                              f"{what} this exercise asks for")


def _values(ttnn: Any, value: Any, name: str) -> torch.Tensor:
    try:
        return ttnn.to_torch(value).to(torch.float32)
    except Exception as err:  # noqa: BLE001 - e.g. a deallocated tensor
        raise _NotYet(f"{name} cannot be read back ({type(err).__name__}: {err})") from None


Dim = str | tuple[str, Sequence[str]]  # a dimension's name, or its name and a label per index


def _ranges(indices: list[int], labels: Sequence[str] | None) -> str:
    if labels is not None:
        return ", ".join(labels[i] for i in indices)
    spans: list[list[int]] = []
    for i in indices:
        if spans and i == spans[-1][1] + 1:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans[:4])
    return text + (", ..." if len(spans) > 4 else "")


def _position(index: tuple[int, ...], dims: Sequence[Dim]) -> str:
    words = []
    for i, dim in zip(index, dims, strict=True):
        name, labels = dim if isinstance(dim, tuple) else (dim, None)
        if name != "batch":
            words.append(f"{name} {labels[i]}" if labels else f"{name} {i}")
    return ", ".join(words)


def _where(bad: torch.Tensor, dims: Sequence[Dim]) -> str:
    """Which indices along each dimension hold the differing values."""
    parts = []
    for axis, dim in enumerate(dims):
        name, labels = dim if isinstance(dim, tuple) else (dim, None)
        size = bad.shape[axis]
        if size == 1:
            continue
        hit = bad.movedim(axis, 0).reshape(size, -1).any(1).nonzero().flatten().tolist()
        parts.append(f"every {name}" if len(hit) == size else f"{name}s {_ranges(hit, labels)} ({len(hit)} of {size})")
    return ", ".join(parts)


def _difference(got: torch.Tensor, expected: torch.Tensor, ulps: float, dims: Sequence[Dim], unit: float = ULP
                ) -> str | None:
    """None when ``got`` is a right answer (see the module docstring), else how and where it differs. ``unit`` is
    one rounding of the dtype the values went through: bfloat16's ``ULP`` unless a block float's is coarser."""
    g, e = got.double(), expected.double()
    rms = float(e.square().mean().sqrt()) or 1.0
    diff, bound = g - e, ulps * unit * (e.abs() + rms)
    bad = diff.abs() > bound
    columns, got_columns = e.reshape(-1, e.shape[-1]), g.reshape(-1, g.shape[-1])
    centred = columns - columns.mean(0)
    factor = float((centred * (got_columns - got_columns.mean(0))).sum() / centred.square().sum().clamp_min(1e-30))
    offsets = got_columns.mean(0) - factor * columns.mean(0)
    shifted = offsets.abs() > OFFSET_ULPS * unit * (columns.abs().mean(0) + rms)
    scaled = abs(factor - 1) > FACTOR_ULPS * unit
    if not bad.any() and not scaled and not shifted.any():
        return None
    fitted = factor * e + offsets.reshape((1,) * (e.dim() - 1) + (-1,))
    if bad.any() and ((g - fitted).abs() > bound).any():  # not a factor or an offset alone: say where
        worst = tuple(int(i) for i in torch.unravel_index(torch.argmax(diff.abs() / (e.abs() + rms)), e.shape))
        allowed = (f"by more than rounding allows ({ulps:g} roundings of 2^{round(math.log2(unit))})" if ulps
                   else "(moving data keeps values)")
        return (f"{int(bad.sum()):,} of {bad.numel():,} values differ from a right TT-NN answer {allowed}: in "
                f"{_where(bad, dims)}; the largest at "
                f"{_position(worst, dims) or 'index ' + str(worst)}: {float(g[worst]):.4g} where a right answer "
                f"has {float(e[worst]):.4g}")
    found = []
    if scaled:
        found.append(f"overall your values are {factor:.3f}x the right ones: a constant factor")
    if shifted.any():
        if offsets.numel() == 1 or float(offsets.std()) < 0.1 * float(offsets.abs().mean()):
            found.append(f"your values are shifted by a constant {float(offsets.mean()):+.3g}")
        else:
            name, labels = dims[-1] if isinstance(dims[-1], tuple) else (dims[-1], None)
            j = int(offsets.abs().argmax())
            found.append(f"your values are shifted per {name}, by up to {float(offsets[j]):+.3g} "
                         f"(at {name} {labels[j] if labels else j})")
    return "; ".join(found)


def _closest_mistake(got: torch.Tensor, expected: torch.Tensor, mistakes: dict[str, torch.Tensor]) -> str | None:
    """The hint of the typical mistake ``got`` is close to (and much closer to than to the right answer)."""
    def distance(other: torch.Tensor) -> float:
        return float((got - other).norm() / other.norm().clamp_min(1e-30))

    near = [(distance(m), hint) for hint, m in mistakes.items() if m.shape == got.shape]
    if not near:
        return None
    d, hint = min(near)
    return hint if d < MISTAKE_DISTANCE and d < distance(expected) / 2 else None


def _lofi(records: list[Any]) -> str:
    lofi = any(r.math_fidelity == "LoFi" and r.op in ("matmul", "linear") for r in records)
    return (" Your matmul ran at LoFi, which keeps 5 of a weight's 8 mantissa bits and truncates the rest: "
            "its products run low. Use the default fidelity or a higher one.") if lofi else ""


def _judge(name: str, got: torch.Tensor, expected: torch.Tensor, ulps: float, dims: Sequence[Dim],
           mistakes: dict[str, torch.Tensor], records: list[Any], pcc: float | None, unit: float = ULP) -> None:
    """Raise ``_NotYet`` with the mistake's hint, or where ``got`` differs, unless it is a right answer."""
    difference = _difference(got, expected, ulps, dims, unit)
    if difference is None:
        return
    hint = _closest_mistake(got, expected, mistakes)
    prefix = f"{name}: " if name else ""
    raise _NotYet(prefix + (hint or difference + "." + _lofi(records)), pcc)


def _passed(exercise: str, ulps: float, pcc: float | None) -> CheckResult:
    return CheckResult(exercise, True, pcc, f"within {ulps:g} bfloat16 roundings of a right TT-NN answer"
                       if ulps else "exactly a right TT-NN answer")


# ------------------------------------------------------------------------------------------- 01: embeddings
@_check("embeddings")
def check_embeddings(my_embeddings: Callable) -> CheckResult:
    """``my_embeddings(input_ids, token_type_ids, position_ids, parameters)`` -> ``(1, S, H)`` embeddings."""
    from bertlib.models.bert import bert_embeddings

    s = setup()
    ttnn, parameters = s.ttnn, s.tt.parameters.embeddings
    ids, types, positions, _ = s.inputs()
    expected = s.right("embeddings", lambda: bert_embeddings(s.tt.config, *s.inputs()[:3], parameters=parameters))
    value, records = _call(my_embeddings, ids, types, positions, parameters,
                           on_error="Each ttnn.embedding takes the ids and a weight, with layout=ttnn.TILE_LAYOUT.")
    _tensor_kind(ttnn, value, "the result")
    _tensor_form(ttnn, value, "the result", tuple(expected.shape), [ttnn.bfloat16])
    needs = [({"embedding"}, 3, "three ttnn.embedding lookups"), ({"layer_norm"}, 1, "ttnn.layer_norm")]
    _ran(records, s.emulated, needs, all_of=False)
    got = _values(ttnn, value, "the result")
    hf = s.tt.loaded.hf_model.bert.embeddings
    norm, eps = hf.LayerNorm, s.tt.config.eps
    with torch.no_grad():
        word, position = hf.word_embeddings(s.windows.input_ids), hf.position_embeddings(torch.arange(SEQ)[None])
        token_type = hf.token_type_embeddings(s.windows.token_type_ids)
        segment_0 = hf.token_type_embeddings(torch.zeros_like(s.windows.token_type_ids))
        swapped = torch.nn.functional.layer_norm(word + position + token_type, norm.normalized_shape, norm.bias,
                                                 norm.weight, eps)
        mistakes = {
            "the token-type embedding is missing: add ttnn.embedding(token_type_ids, "
            "parameters.token_type_embeddings.weight, ...) too": norm(word + position),
            "the tokens of the second segment (token type 1, the context) are off: look up the token_type_ids "
            "given, not zeros": norm(word + position + segment_0),
            "the position embedding is missing: add ttnn.embedding(position_ids, "
            "parameters.position_embeddings.weight, ...) too": norm(word + token_type),
            "the LayerNorm is missing: finish with ttnn.layer_norm(embeddings, weight=parameters.LayerNorm.weight, "
            f"bias=parameters.LayerNorm.bias, epsilon={eps})": word + position + token_type,
            "the LayerNorm's weight and bias are swapped: weight=parameters.LayerNorm.weight, "
            "bias=parameters.LayerNorm.bias": swapped,
        }
    pcc = pcc_value(s.hf_embeddings, got)
    _judge("", got, expected, ULPS["embeddings"], ("batch", "token", "hidden column"), mistakes, records, pcc)
    _ran(records, s.emulated, needs, all_of=True)
    return _passed("embeddings", ULPS["embeddings"], pcc)


# --------------------------------------------------------------------------------------------- 02: attention
def _qkv(s: Setup) -> Any:
    ttnn, parameters = s.ttnn, s.tt.parameters.encoder.layer[0].attention.self
    return ttnn.linear(s.on_device(s.hf_embeddings), parameters.query_key_value.weight,
                       bias=parameters.query_key_value.bias, compute_kernel_config=s.tt.config.compute_kernel_config)


@_check("split the fused QKV")
def check_split_heads(my_split_heads: Callable) -> CheckResult:
    """``my_split_heads(qkv, num_heads)`` -> ``(query, key, value)``; key as ttnn gives it, ``(B, heads, d, S)``."""
    s = setup()
    ttnn, heads = s.ttnn, s.tt.config.num_heads
    names = ("query", "key", "value")

    expected = dict(zip(names, s.right("split", lambda: ttnn.transformer.split_query_key_value_and_split_heads(
        _qkv(s), num_heads=heads)), strict=True))
    value, records = _call(my_split_heads, _qkv(s), heads,
                           on_error=f"Use ttnn.transformer.split_query_key_value_and_split_heads(qkv, num_heads="
                                    f"{heads}); this model has {heads} heads.")
    parts = dict(zip(names, _parts(value, names), strict=True))
    q_shape, k_shape = tuple(expected["query"].shape), tuple(expected["key"].shape)
    shape_hints = {
        "query": {k_shape: "the first tensor has the key's shape: return (query, key, value) in this order"},
        "key": {q_shape: "K came back untransposed, (B, heads, S, head_size): the attention code expects ttnn's "
                         "K^T, (B, heads, head_size, S), which split_query_key_value_and_split_heads gives by "
                         "default (transpose_key=True)"},
    }
    for name, part in parts.items():
        _tensor_kind(ttnn, part, name)
        _tensor_form(ttnn, part, name, tuple(expected[name].shape), [ttnn.bfloat16], shape_hints.get(name))
    needs = [({"split_query_key_value_and_split_heads", "permute", "reshape"}, 1,
              f"ttnn.transformer.split_query_key_value_and_split_heads(qkv, num_heads={heads})")]
    _ran(records, s.emulated, needs, all_of=False)
    got = {name: _values(ttnn, part, name) for name, part in parts.items()}
    pcc = pcc_value(torch.cat([s.golden[n].flatten() for n in names]), torch.cat([got[n].flatten() for n in names]))
    swapped = {"query and value are swapped: return (query, key, value) in this order": expected["value"]}
    head_dims = ("batch", "head", "token", "head column")
    for name in names:
        dims = ("batch", "head", "head column", "token") if name == "key" else head_dims
        _judge(name, got[name], expected[name], ULPS["split"], dims, swapped if name == "query" else {}, records, pcc)
    return _passed("split the fused QKV", ULPS["split"], pcc)


@_check("attention scores")
def check_attention_scores(my_scores: Callable) -> CheckResult:
    """``my_scores(query, key, head_size)`` -> scaled scores ``Q K^T / sqrt(d)``, ``(B, heads, S, S)``."""
    s = setup()
    ttnn, golden = s.ttnn, s.golden
    head_size = golden["query"].shape[-1]
    config = s.tt.config
    expected = s.right("scores", lambda: ttnn.matmul(
        s.on_device(golden["query"]), s.on_device(golden["key"]),
        compute_kernel_config=config.compute_kernel_config) * (1 / math.sqrt(head_size)))
    value, records = _call(my_scores, s.on_device(golden["query"]), s.on_device(golden["key"]), head_size,
                           on_error="ttnn gives K already transposed, (B, heads, head_size, S): "
                                    "ttnn.matmul(query, key) needs no permute.")
    _tensor_kind(ttnn, value, "the result")
    _tensor_form(ttnn, value, "the result", tuple(expected.shape), [ttnn.bfloat16])
    _ran(records, s.emulated, [({"matmul", "linear"}, 1, "ttnn.matmul(query, key)")], all_of=False)
    got = _values(ttnn, value, "the result")
    scores = golden["scores"]
    mistakes = {
        "the 1/sqrt(head_size) scale is missing: multiply the scores by 1 / head_size ** 0.5": scores,
        "the scores are divided by head_size: divide by its square root, head_size ** 0.5": scores / head_size,
        "the scores are multiplied by sqrt(head_size): divide by it, i.e. multiply by 1 / head_size ** 0.5":
            scores * math.sqrt(head_size),
    }
    pcc = pcc_value(scores / math.sqrt(head_size), got)
    _judge("", got, expected, ULPS["scores"], ("batch", "head", "query token", "key token"), mistakes, records, pcc)
    return _passed("attention scores", ULPS["scores"], pcc)


@_check("mask + softmax")
def check_attention_probs(my_probs: Callable) -> CheckResult:
    """``my_probs(scores, attention_mask, head_size)`` -> probabilities ``softmax(scores / sqrt(d) + mask)``."""
    from bertlib.models.bert import MASK_VALUE

    s = setup()
    ttnn, golden = s.ttnn, s.golden
    head_size = golden["query"].shape[-1]
    expected = s.right("probs", lambda: ttnn.transformer.attention_softmax_(
        s.on_device(golden["scores"]), attention_mask=s.inputs()[3], head_size=head_size))
    value, records = _call(my_probs, s.on_device(golden["scores"]), s.inputs()[3], head_size,
                           on_error="ttnn.transformer.attention_softmax_(scores, attention_mask=..., head_size=...) "
                                    "does scale, mask and softmax in one op.")
    _tensor_kind(ttnn, value, "the result")
    _tensor_form(ttnn, value, "the result", tuple(expected.shape), [ttnn.bfloat16])
    softmax_ops = {"softmax", "attention_softmax", "attention_softmax_", "scale_mask_softmax",
                   "scale_mask_softmax_in_place"}
    _ran(records, s.emulated, [(softmax_ops, 1, "ttnn.transformer.attention_softmax_ (or ttnn.softmax)")],
         all_of=False)
    got = _values(ttnn, value, "the result")
    mask = (1.0 - s.windows.attention_mask[:, None, None, :].float()) * MASK_VALUE
    scaled = golden["scores"] / math.sqrt(head_size)
    mistakes = {
        "the mask's sign is flipped: the additive mask is 0 where a token is attended and a large negative "
        "number at padding; add it, do not subtract it": torch.softmax((scaled - mask).bfloat16().float(), -1),
        "the padding is not masked: add attention_mask to the scaled scores before the softmax":
            torch.softmax(scaled, -1),
        "the 1/sqrt(head_size) scale is missing: scale the scores before adding the mask":
            torch.softmax(golden["scores"] + mask, -1),
    }
    pcc = pcc_value(golden["probs"], got)
    _judge("", got, expected, ULPS["probs"], ("batch", "head", "query token", "key token"), mistakes, records, pcc)
    return _passed("mask + softmax", ULPS["probs"], pcc)


# ---------------------------------------------------------------------------------------- 03: encoder layer
def _ffn_torch(s: Setup, activation: Callable[[torch.Tensor], torch.Tensor] | None, residual: bool,
               norm: bool = True) -> torch.Tensor:
    layer = s.tt.loaded.hf_model.bert.encoder.layer[0]
    x = s.golden["attention_output"]
    with torch.no_grad():
        hidden = layer.intermediate.dense(x)
        out = layer.output.dense(activation(hidden) if activation else hidden) + (x if residual else 0)
        return layer.output.LayerNorm(out) if norm else out


@_check("feed-forward")
def check_feedforward(my_feedforward: Callable) -> CheckResult:
    """``my_feedforward(hidden_states, parameters)`` -> the layer's output: linear+GELU, linear, residual, LayerNorm."""
    from bertlib.models.bert import bert_feedforward

    s = setup()
    ttnn, parameters = s.ttnn, s.tt.parameters.encoder.layer[0]
    hidden = s.golden["attention_output"]
    expected = s.right("feedforward", lambda: bert_feedforward(s.tt.config, s.on_device(hidden), parameters=parameters))
    value, records = _call(my_feedforward, s.on_device(hidden), parameters,
                           on_error="The weights are parameters.intermediate.dense and parameters.output.dense, "
                                    "the norm parameters.output.LayerNorm.")
    _tensor_kind(ttnn, value, "the output")
    _tensor_form(ttnn, value, "the output", tuple(expected.shape), [ttnn.bfloat16])
    needs = [({"linear", "matmul"}, 2, "two ttnn.linear"), ({"layer_norm"}, 1, "ttnn.layer_norm")]
    _ran(records, s.emulated, needs, all_of=False)
    got = _values(ttnn, value, "the output")
    gelu = torch.nn.functional.gelu
    mistakes = {
        "GELU is missing: fuse it into the first linear with activation=\"gelu\"": _ffn_torch(s, None, True),
        "that is not BERT's activation: fuse GELU into the first linear, activation=\"gelu\"":
            _ffn_torch(s, torch.relu, True),
        "the residual is missing: pass the FFN's input as residual_input_tensor= to ttnn.layer_norm":
            _ffn_torch(s, gelu, False),
        "the LayerNorm is missing: finish with ttnn.layer_norm(..., residual_input_tensor=hidden_states, "
        "weight=parameters.output.LayerNorm.weight, bias=parameters.output.LayerNorm.bias)":
            _ffn_torch(s, gelu, True, norm=False),
    }
    pcc = pcc_value(s.golden["output"], got)
    _judge("", got, expected, ULPS["feedforward"], ("batch", "token", "hidden column"), mistakes, records, pcc)
    _ran(records, s.emulated, needs, all_of=True)
    return _passed("feed-forward", ULPS["feedforward"], pcc)


@_check("FF1 weight dtype")
def check_ff1_weight(my_ff1_weight: Callable, *, budget: float = 0.999) -> CheckResult:
    """``my_ff1_weight(torch_weight)`` -> FF1's weight on the device in a block-float dtype (about half the
    bytes of bfloat16 or fewer), holding the weight's values to that dtype's rounding, with the layer output's
    PCC against HuggingFace at least ``budget``."""
    s = setup()
    ttnn, config = s.ttnn, s.tt.config
    layer = s.tt.parameters.encoder.layer[0]
    torch_weight = s.tt.loaded.hf_model.bert.encoder.layer[0].intermediate.dense.weight.detach().T.contiguous()
    weight, _ = _call(my_ff1_weight, torch_weight.clone(),
                      on_error="Convert with ttnn.from_torch(weight, dtype=..., layout=ttnn.TILE_LAYOUT, "
                               "device=device): bfloat8_b and bfloat4_b exist only in TILE layout.")
    _tensor_kind(ttnn, weight, "the weight")
    shape = tuple(torch_weight.shape)
    if weight.layout != ttnn.TILE_LAYOUT:
        raise _NotYet(f"the weight is in {weight.layout}: matmul weights are tiles, and the block floats exist "
                      "only in TILE layout: pass layout=ttnn.TILE_LAYOUT")
    _shape(weight, "the weight", shape, {shape[::-1]: f"the weight is transposed, {shape[::-1]}: ttnn.linear "
                                                      f"takes it as (in, out), {shape}, as torch_weight comes"})
    if weight.dtype in (ttnn.bfloat16, ttnn.float32):
        raise _NotYet(f"{weight.dtype} is not smaller than bfloat16: pick a block-float dtype")
    mantissa_bits = {ttnn.bfloat8_b: 7, ttnn.bfloat4_b: 3}
    if weight.dtype not in mantissa_bits:
        raise _NotYet(f"{weight.dtype} is not a floating-point dtype for weights: pick a block-float dtype")
    _judge("the weight", _values(ttnn, weight, "the weight"), torch_weight, ULPS["ff1_weight"],
           ("hidden row", "FF column"), {}, [], None, unit=2.0 ** -(mantissa_bits[weight.dtype] + 1))

    def layer_output(ff1_weight: Any) -> torch.Tensor:
        hidden = s.on_device(s.golden["attention_output"])
        ff1 = ttnn.linear(hidden, ff1_weight, bias=layer.intermediate.dense.bias, activation="gelu",
                          compute_kernel_config=config.compute_kernel_config)
        out = ttnn.linear(ff1, layer.output.dense.weight, bias=layer.output.dense.bias,
                          compute_kernel_config=config.compute_kernel_config)
        return ttnn.to_torch(ttnn.layer_norm(out, residual_input_tensor=hidden, weight=layer.output.LayerNorm.weight,
                                             bias=layer.output.LayerNorm.bias, epsilon=config.eps)).float()

    pcc = pcc_value(s.golden["output"], layer_output(weight))
    if pcc < budget:
        raise _NotYet(f"{weight.dtype} keeps too few mantissa bits: the layer's PCC {pcc:.4f} is below the budget "
                      f"{budget}; bfloat8_b keeps up to 7 significant bits per value, bfloat4_b only 3", pcc)
    return CheckResult("FF1 weight dtype", True, pcc, f"{weight.dtype} holds the weight to its rounding")


# ------------------------------------------------------------------------------------------------ 04: QA head
@_check("QA head")
def check_qa_head(my_qa_head: Callable) -> CheckResult:
    """``my_qa_head(hidden_states, parameters)`` -> ``(start_logits, end_logits)`` in torch, each ``(B, S)``,
    from a ``ttnn.linear`` on the device."""
    from bertlib import reference
    from bertlib.models.bert import bert_qa_head

    s = setup()
    ttnn, parameters = s.ttnn, s.tt.parameters.qa_outputs
    expected = s.right("qa_head", lambda: bert_qa_head(s.tt.config, s.on_device(s.hf_hidden), parameters=parameters))
    value, records = _call(my_qa_head, s.on_device(s.hf_hidden), parameters,
                           on_error="One ttnn.linear to 2 outputs, then ttnn.to_torch and split the last dimension.")
    names = ("start_logits", "end_logits")
    if isinstance(value, torch.Tensor) or (isinstance(value, ttnn.Tensor) and tuple(value.shape)[-1:] == (2,)):
        raise _NotYet("return two tensors, (start_logits, end_logits): split the linear's 2 output columns, "
                      "column 0 the start, column 1 the end")
    parts = _parts(value, names)
    shape = tuple(expected.shape[:-1])
    logits = []
    for name, part in zip(names, parts, strict=True):
        if not isinstance(part, (torch.Tensor, ttnn.Tensor)):
            raise _NotYet(f"{name} is {_a(part)}: return torch tensors (ttnn.to_torch of the "
                          "linear's output, split in two)")
        _shape(part, name, shape, None)
        logits.append(part.float() if isinstance(part, torch.Tensor) else _values(ttnn, part, name))
    _ran(records, s.emulated, [({"linear", "matmul"}, 1, "one ttnn.linear to 2 outputs")], all_of=False)
    got = torch.stack(logits, -1)
    with torch.no_grad():
        hf = reference.qa_logits(s.tt.loaded, s.hf_hidden)
    pcc = pcc_value(hf, got)
    bias = s.tt.loaded.hf_model.qa_outputs.bias.detach().float()
    mistakes = {"start and end are swapped: the QA head's output column 0 is the start logit, column 1 the end":
                hf.flip(-1)}
    if torch.allclose((got - expected).reshape(-1, 2).mean(0), -bias, rtol=0.3, atol=0.0):  # this bias is small
        raise _NotYet("the bias is left out: ttnn.linear(hidden_states, parameters.weight, bias=parameters.bias)", pcc)
    _judge("", got, expected, ULPS["qa_head"], ("batch", "token", ("logit", ("start", "end"))), mistakes, records, pcc)
    return _passed("QA head", ULPS["qa_head"], pcc)


# --------------------------------------------------------------------------------------- 09: precision budget
@_check("precision budget")
def check_precision_budget(config: Any, *, budget: float = 0.999, speed_up: float = 1.75) -> CheckResult:
    """``config``: a ``PrecisionConfig`` whose QA logits keep PCC >= ``budget`` (minilm-squad, the check's
    window) and whose predicted device time (batch 8, seq 384, Wormhole n150) is at least ``speed_up`` times
    lower than ``bf16-hifi4``'s."""
    from bertlib.compare import compare
    from bertlib.models.precisions import PrecisionConfig, get_precision
    from bertlib.profile.costmodel import predict

    if not isinstance(config, PrecisionConfig):
        raise _NotYet(f"my_config is {_a(config)}: set it to a PrecisionConfig, e.g. "
                      "get_precision('bf16-hifi4').with_(name=..., ...)")
    s = setup()
    try:
        frame = compare(s.tt.loaded, s.windows, config, handle=s.handle)
        slow = predict("minilm-squad", 8, 384, get_precision("bf16-hifi4")).device_s
        fast = predict("minilm-squad", 8, 384, config).device_s
    except Exception as err:  # noqa: BLE001 - a config the emulator refuses becomes a hint
        raise _NotYet(f"this config does not run: {type(err).__name__}: {err}") from None
    pcc = float(frame.pcc.iloc[-1])
    if pcc < budget:
        raise _NotYet(f"QA-logits PCC {pcc:.4f} is below the budget {budget}: LoFi, bfloat16 accumulation and "
                      "bfloat4_b weights cost the most PCC (the sweep above); keep fp32 accumulation and try HiFi2",
                      pcc)
    if slow / fast < speed_up:
        raise _NotYet(f"predicted {fast * 1e3:.2f} ms per batch, only {slow / fast:.2f}x faster than "
                      f"bf16-hifi4's {slow * 1e3:.2f} ms: keep activations in L1, spread the matmuls over a core "
                      "grid, lower the fidelity, and use bfloat8_b where PCC allows", pcc)
    return CheckResult("precision budget", True, pcc, f"{slow / fast:.2f}x faster than bf16-hifi4 (predicted)")


# ------------------------------------------------------------------------------------------- 10: program configs
FF1 = dict(batch=8, seq=384, hidden=1024, heads=16, intermediate=4096, grid=(8, 8))  # sharded BERT-large, n150


def _ff1_fields(ttnn: Any, config: Any) -> None:
    """Every field that matters, judged before the config runs: the hint names the field."""
    from bertlib.models.sharded_plan import MAX_SUBBLOCK, TILE

    grid = config.compute_with_storage_grid_size
    x, y = FF1["grid"]
    if (grid.x, grid.y) != (x, y):
        raise _NotYet(f"compute_with_storage_grid_size is ({grid.x}, {grid.y}): {grid.x * grid.y} cores. The "
                      f"hidden states are sharded over the whole {x}x{y} grid, {x * y} cores: use ({x}, {y})")
    activation = config.fused_activation
    if activation is None:
        raise _NotYet("the GELU is missing: fuse it into the matmul with "
                      "fused_activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.GELU)")
    if activation.op_type != ttnn.UnaryOpType.GELU:
        raise _NotYet(f"the fused activation is {activation.op_type.name}: BERT's FF1 uses GELU, "
                      "ttnn.UnaryWithParam(ttnn.UnaryOpType.GELU)")
    if not config.transpose_mcast:
        raise _NotYet("transpose_mcast=False multicasts for ROW_MAJOR shards (a batch per core row); these "
                      "hidden states are COL_MAJOR, one batch per core column: set transpose_mcast=True")
    m_tiles, n_tiles = FF1["batch"] * FF1["seq"] // TILE, FF1["intermediate"] // TILE
    k_per_core = FF1["hidden"] // TILE // y
    for name, per_core, tiles, cores, along in (("per_core_M", config.per_core_M, m_tiles, x, "core columns (x)"),
                                                ("per_core_N", config.per_core_N, n_tiles, y, "core rows (y)")):
        blocks = -(-tiles // per_core)
        if blocks > cores:
            raise _NotYet(f"{name}={per_core} splits the {tiles} output tiles along it into {blocks} blocks, but "
                          f"the grid has {cores} {along}: use {name}={tiles // cores}")
        if blocks < cores:
            raise _NotYet(f"{name}={per_core} covers the {tiles} output tiles along it with {blocks} of the "
                          f"{cores} {along}: {cores - blocks} would idle. Use {name}={tiles // cores}, so every "
                          "core works")
    if k_per_core % config.in0_block_w:
        raise _NotYet(f"in0_block_w={config.in0_block_w} does not divide a core's shard width of the hidden states, "
                      f"{k_per_core} tiles: use {k_per_core} (or a divisor of it)")
    h, w = config.out_subblock_h, config.out_subblock_w
    if config.per_core_M % h or config.per_core_N % w:
        raise _NotYet(f"the {h}x{w} subblock does not divide the {config.per_core_M}x{config.per_core_N}-tile "
                      "block each core computes: out_subblock_h must divide per_core_M, out_subblock_w per_core_N")
    if h * w != MAX_SUBBLOCK:
        raise _NotYet(f"each subblock is {h}x{w} tiles: the destination registers hold {MAX_SUBBLOCK}, and fuller "
                      "subblocks reuse each unpacked tile more (with a sharded output, keep out_subblock_h=1 "
                      "unless out_subblock_w is all of per_core_N)")


@_check("FF1 program config")
def check_ff1_program_config(config: Any) -> CheckResult:
    """``config``: the FF1 (hidden -> 4x hidden, GELU fused) program config of sharded BERT-large, batch 8, seq 384,
    on Wormhole n150's 8x8 grid. It must run on the block-sharded hidden states (one batch per core column,
    the hidden width over the core rows), keep all 64 cores busy, fill the 8-tile destination registers,
    leave its output block-sharded one block per core, and give GELU(x W)."""
    from bertlib.models.sharded_plan import TILE, ShardedPlan

    s = setup()
    ttnn, device = s.ttnn, s.device
    if not isinstance(config, ttnn.MatmulMultiCoreReuseMultiCastProgramConfig):
        raise _NotYet(f"my_ff1_config is {_a(config)}: set it to a "
                      "ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(...), the 2-D multicast matmul")
    _ff1_fields(ttnn, config)
    plan = ShardedPlan(ttnn, batch=FF1["batch"], seq=FF1["seq"], hidden=FF1["hidden"], heads=FF1["heads"],
                       intermediate=FF1["intermediate"], chip_grid=FF1["grid"][::-1])
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(FF1["batch"], FF1["seq"], FF1["hidden"], generator=generator)
    w = torch.randn(FF1["hidden"], FF1["intermediate"], generator=generator) * 0.03
    hidden = ttnn.from_torch(x, dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, device=device,
                             memory_config=plan.hidden_memory_config())
    weight = ttnn.from_torch(w, dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, device=device)

    def ff1(program_config: Any) -> Any:
        return ttnn.linear(hidden, weight, program_config=program_config,
                           memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG, dtype=ttnn.bfloat8_b)

    expected = s.right("ff1_program_config", lambda: ff1(plan.program_config("ff1")))
    try:
        out = ff1(config)
    except Exception as err:  # noqa: BLE001 - what a card refuses, the emulator refuses with its message
        raise _NotYet(f"a card refuses it, and so does the emulator: {err}") from None
    memory = out.memory_config()
    block = [config.per_core_M * TILE, config.per_core_N * TILE]
    cores = FF1["grid"][0] * FF1["grid"][1]
    if (memory.memory_layout != ttnn.TensorMemoryLayout.BLOCK_SHARDED or list(memory.shard_spec.shape) != block
            or memory.shard_spec.grid.num_cores() != cores):
        raise _NotYet(f"the output is not block-sharded one {block[0]}x{block[1]} block per core over {cores} cores "
                      f"({memory}): FF2 reads it where it is")
    got = _values(ttnn, out, "the output")
    pcc = pcc_value(torch.nn.functional.gelu(ttnn.to_torch(hidden).float() @ ttnn.to_torch(weight).float()), got)
    _judge("", got, expected, ULPS["ff1_program_config"], ("batch", "token", "FF column"), {}, [], pcc)
    return _passed("FF1 program config", ULPS["ff1_program_config"], pcc)
