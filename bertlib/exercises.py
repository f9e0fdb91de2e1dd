"""Checks for the notebooks' exercises: the learner's TT-NN code against HuggingFace, with a hint per mistake.

Each exercise cell (tagged ``exercise``) defines a function; the next cell (tagged ``check``) passes it to
one of the ``check_*`` functions here. A check runs the function on one real window (minilm-squad, the
Rhine question, sequence 128) and prints ``PASS`` with the PCC against HuggingFace, or ``NOT YET`` with a
hint that names the likely mistake. It never raises, so a notebook with unfinished exercises still runs.

A check knows a mistake by its result: for each typical wrong answer (K not transposed, the scale
forgotten, the mask's sign flipped, a dtype too narrow, ...) it computes what that wrong answer gives, and
a learner's output closer to that than to the right one gets that mistake's hint. Reference solutions are
not here: they live in the test suite (``tests/exercise_solutions.py``), outside the learner's view.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from bertlib.pcc import pcc_value

PASS_PCC = 0.99
QUESTION = "How long is the Rhine?"
CONTEXT = ("The Rhine rises in the Swiss Alps and flows about 1,230 kilometres to the North Sea. On its way it "
           "forms part of the borders of Switzerland, Liechtenstein, Austria, Germany and France.")
SEQ = 128


@dataclass
class CheckResult:
    """What a check found: passed or not, the PCC against HuggingFace, and a hint when not passed."""

    exercise: str
    passed: bool
    pcc: float | None
    hint: str = ""

    def __str__(self) -> str:
        if self.passed:
            return f"PASS · {self.exercise}: PCC {self.pcc:.5f} against HuggingFace"
        pcc = f" (PCC {self.pcc:.4f})" if self.pcc is not None else ""
        return f"NOT YET · {self.exercise}{pcc}: {self.hint}"

    def _repr_html_(self) -> str:
        color = "#1b7f3b" if self.passed else "#b00020"
        return f"<p style='color:{color}'><b>{str(self).split(' · ')[0]}</b> · {str(self).split(' · ', 1)[1]}</p>"


@dataclass
class Setup:
    """One real window through minilm-squad at bf16-hifi4: device inputs, parameters, HF intermediates."""

    handle: Any
    tt: Any
    windows: Any
    inputs: tuple
    hf_embeddings: torch.Tensor
    golden: dict[str, torch.Tensor]
    hf_hidden: torch.Tensor

    @property
    def ttnn(self) -> Any:
        return self.handle.ttnn

    @property
    def device(self) -> Any:
        return self.handle.device

    def on_device(self, values: torch.Tensor) -> Any:
        return self.ttnn.from_torch(values, dtype=self.ttnn.bfloat16, layout=self.ttnn.TILE_LAYOUT,
                                    device=self.device, memory_config=self.ttnn.DRAM_MEMORY_CONFIG)


@functools.lru_cache(maxsize=1)
def setup() -> Setup:
    from bertlib import reference
    from bertlib.device import open_device
    from bertlib.models import TTModel, load_model
    from bertlib.models.bert import preprocess_inputs
    from bertlib.qa.windows import make_windows

    handle = open_device(quiet=True)
    loaded = load_model("minilm-squad")
    tt = TTModel.build(loaded, "bf16-hifi4", handle)
    windows = make_windows(loaded.tokenizer, [QUESTION], [CONTEXT], seq=SEQ)
    inputs = preprocess_inputs(tt.config, windows.input_ids, windows.token_type_ids, windows.attention_mask)
    hf_embeddings = reference.embeddings(loaded, windows.input_ids, windows.token_type_ids)
    hf_hidden, golden = reference.layer(loaded, 0, hf_embeddings, windows.attention_mask)
    return Setup(handle, tt, windows, inputs, hf_embeddings, golden, hf_hidden)


def _torch(ttnn: Any, value: Any) -> torch.Tensor | None:
    """A learner's result as float32 torch (None stays None: the exercise is not done yet)."""
    if value is None or isinstance(value, torch.Tensor):
        return value
    return ttnn.to_torch(value).to(torch.float32)


def _agreement(expected: torch.Tensor, got: torch.Tensor) -> float:
    """PCC, or -1 when the magnitudes differ by more than 10% (PCC alone cannot see a missing scale)."""
    spread = got.double().std() / expected.double().std().clamp_min(1e-30)
    return pcc_value(expected, got) if abs(math.log(max(float(spread), 1e-30))) < math.log(1.1) else -1.0


def _judge(exercise: str, run: Callable[[], Any], expected: torch.Tensor, mistakes: dict[str, torch.Tensor],
           *, on_error: str, wrong_shape: str = "", threshold: float = PASS_PCC) -> CheckResult:
    """Run the learner's code and tell the right answer from the typical wrong ones."""
    try:
        got = run()
    except Exception as err:  # noqa: BLE001 - any error in the learner's code becomes a hint
        return CheckResult(exercise, False, None, f"your code raised {type(err).__name__}: {err}. {on_error}")
    if got is None:
        return CheckResult(exercise, False, None, "your function returned nothing yet: write the TT-NN calls and "
                                                  "return the result")
    got = got.float()
    if tuple(got.shape) != tuple(expected.shape):
        for hint, wrong in mistakes.items():
            if tuple(wrong.shape) == tuple(got.shape) and _agreement(wrong, got) >= threshold:
                return CheckResult(exercise, False, None, hint)
        return CheckResult(exercise, False, None, f"the result has shape {tuple(got.shape)}, expected "
                                                  f"{tuple(expected.shape)}. {wrong_shape}".strip())
    pcc = pcc_value(expected, got)
    closest = max(((_agreement(wrong, got), hint) for hint, wrong in mistakes.items()
                   if tuple(wrong.shape) == tuple(got.shape)), default=(-1.0, ""))
    if _agreement(expected, got) >= threshold and pcc >= closest[0]:
        return CheckResult(exercise, True, pcc)
    if closest[0] >= threshold:
        return CheckResult(exercise, False, pcc, closest[1])
    return CheckResult(exercise, False, pcc, f"the values do not match HuggingFace's (PCC {pcc:.4f} < {threshold}). "
                                             f"{on_error}")


def _show(result: CheckResult) -> CheckResult:
    print(result)
    return result


# ------------------------------------------------------------------------------------------- 01: embeddings
def check_embeddings(my_embeddings: Callable) -> CheckResult:
    """``my_embeddings(input_ids, token_type_ids, position_ids, parameters)`` -> ``(1, S, H)`` embeddings."""
    s = setup()
    ids, types, positions, _ = s.inputs
    hf = s.tt.loaded.hf_model.bert.embeddings
    word = hf.word_embeddings(s.windows.input_ids)
    position = hf.position_embeddings(torch.arange(SEQ).unsqueeze(0))
    token_type = hf.token_type_embeddings(s.windows.token_type_ids)
    eps = s.tt.config.eps
    norm = hf.LayerNorm
    with torch.no_grad():
        mistakes = {
            "the token-type embedding is missing: add ttnn.embedding(token_type_ids, "
            "parameters.token_type_embeddings.weight, ...) too": norm(word + position),
            "the position embedding is missing: add ttnn.embedding(position_ids, "
            "parameters.position_embeddings.weight, ...) too": norm(word + token_type),
            "the LayerNorm is missing: finish with ttnn.layer_norm(embeddings, weight=parameters.LayerNorm.weight, "
            f"bias=parameters.LayerNorm.bias, epsilon={eps})": word + position + token_type,
        }
    return _show(_judge("embeddings", lambda: _torch(s.ttnn, my_embeddings(ids, types, positions,
                                                                           s.tt.parameters.embeddings)),
                        s.hf_embeddings, mistakes,
                        on_error="Each ttnn.embedding takes the ids and a weight, with layout=ttnn.TILE_LAYOUT."))


# --------------------------------------------------------------------------------------------- 02: attention
def _qkv(s: Setup) -> Any:
    ttnn, parameters = s.ttnn, s.tt.parameters.encoder.layer[0].attention.self
    hidden = s.on_device(s.hf_embeddings)
    return ttnn.linear(hidden, parameters.query_key_value.weight, bias=parameters.query_key_value.bias,
                       compute_kernel_config=s.tt.config.compute_kernel_config())


def check_split_heads(my_split_heads: Callable) -> CheckResult:
    """``my_split_heads(qkv, num_heads)`` -> ``(query, key, value)``; key as ttnn gives it, ``(B, heads, d, S)``."""
    s = setup()
    heads = s.tt.config.num_heads
    golden = s.golden
    expected = torch.cat([golden["query"].flatten(), golden["key"].flatten(), golden["value"].flatten()])
    key_untransposed = torch.cat([golden["query"].flatten(), golden["key"].transpose(-1, -2).flatten(),
                                  golden["value"].flatten()])
    mistakes = {"K came back untransposed, (B, heads, S, head_size): the attention code expects ttnn's K^T, "
                "(B, heads, head_size, S), which split_query_key_value_and_split_heads gives by default "
                "(transpose_key=True)": key_untransposed}

    def run() -> torch.Tensor | None:  # the three flattened: K untransposed has K^T's values in another order
        parts = my_split_heads(_qkv(s), heads)
        return None if parts is None else torch.cat([_torch(s.ttnn, t).flatten() for t in parts])

    return _show(_judge("split the fused QKV", run, expected, mistakes,
                        on_error=f"Use ttnn.transformer.split_query_key_value_and_split_heads(qkv, num_heads="
                                 f"{heads}); this model has {heads} heads."))


def check_attention_scores(my_scores: Callable) -> CheckResult:
    """``my_scores(query, key, head_size)`` -> scaled scores ``Q K^T / sqrt(d)``, ``(B, heads, S, S)``."""
    s = setup()
    head_size = s.golden["query"].shape[-1]
    scaled = s.golden["scores"] / math.sqrt(head_size)
    mistakes = {
        "the 1/sqrt(head_size) scale is missing: multiply the scores by 1 / head_size ** 0.5": s.golden["scores"],
        "the scores are divided by head_size: divide by its square root, head_size ** 0.5":
            s.golden["scores"] / head_size,
    }
    query, key = s.on_device(s.golden["query"]), s.on_device(s.golden["key"])
    return _show(_judge("attention scores", lambda: _torch(s.ttnn, my_scores(query, key, head_size)), scaled,
                        mistakes, on_error="ttnn gives K already transposed, (B, heads, head_size, S): "
                                           "ttnn.matmul(query, key) needs no permute."))


def check_attention_probs(my_probs: Callable) -> CheckResult:
    """``my_probs(scores, attention_mask, head_size)`` -> probabilities ``softmax(scores / sqrt(d) + mask)``."""
    s = setup()
    from bertlib.models.bert import MASK_VALUE

    head_size = s.golden["query"].shape[-1]
    mask = (1.0 - s.windows.attention_mask[:, None, None, :].float()) * MASK_VALUE
    scaled = s.golden["scores"] / math.sqrt(head_size)
    mistakes = {
        "the mask's sign is flipped: the additive mask is 0 where a token is attended and a large negative "
        "number at padding; add it, do not subtract it":
            torch.softmax(-mask, -1).expand_as(s.golden["probs"]),  # all weight on the padding
        "the padding is not masked: add attention_mask to the scaled scores before the softmax":
            torch.softmax(scaled, -1),
        "the 1/sqrt(head_size) scale is missing: scale the scores before adding the mask":
            torch.softmax(s.golden["scores"] + mask, -1),
    }
    scores = s.on_device(s.golden["scores"])
    return _show(_judge("mask + softmax", lambda: _torch(s.ttnn, my_probs(scores, s.inputs[3], head_size)),
                        s.golden["probs"], mistakes,
                        on_error="ttnn.transformer.attention_softmax_(scores, attention_mask=..., head_size=...) "
                                 "does scale, mask and softmax in one op."))


# ---------------------------------------------------------------------------------------- 03: encoder layer
def _ffn_torch(s: Setup, gelu: bool, residual: bool) -> torch.Tensor:
    layer = s.tt.loaded.hf_model.bert.encoder.layer[0]
    x = s.golden["attention_output"]
    with torch.no_grad():
        hidden = layer.intermediate.dense(x)
        hidden = torch.nn.functional.gelu(hidden) if gelu else hidden
        out = layer.output.dense(hidden) + (x if residual else 0)
        return layer.output.LayerNorm(out)


def check_feedforward(my_feedforward: Callable) -> CheckResult:
    """``my_feedforward(hidden_states, parameters)`` -> the layer's output: linear+GELU, linear, residual, LayerNorm."""
    s = setup()
    mistakes = {
        "GELU is missing: fuse it into the first linear with activation=\"gelu\"": _ffn_torch(s, False, True),
        "the residual is missing: pass the FFN's input as residual_input_tensor= to ttnn.layer_norm":
            _ffn_torch(s, True, False),
    }
    hidden = s.on_device(s.golden["attention_output"])
    parameters = s.tt.parameters.encoder.layer[0]
    return _show(_judge("feed-forward", lambda: _torch(s.ttnn, my_feedforward(hidden, parameters)),
                        s.golden["output"], mistakes,
                        on_error="The weights are parameters.intermediate.dense and parameters.output.dense, "
                                 "the norm parameters.output.LayerNorm."))


def check_ff1_weight(my_ff1_weight: Callable, *, budget: float = 0.999) -> CheckResult:
    """``my_ff1_weight(torch_weight)`` -> FF1's weight on the device in half the bytes of bfloat16 or fewer,
    with the layer output's PCC against HuggingFace at least ``budget``."""
    s = setup()
    ttnn = s.ttnn
    layer = s.tt.parameters.encoder.layer[0]
    torch_weight = s.tt.loaded.hf_model.bert.encoder.layer[0].intermediate.dense.weight.detach().T.contiguous()
    hidden = s.on_device(s.golden["attention_output"])

    def layer_output(weight: Any) -> torch.Tensor:
        ff1 = ttnn.linear(hidden, weight, bias=layer.intermediate.dense.bias, activation="gelu",
                          compute_kernel_config=s.tt.config.compute_kernel_config())
        out = ttnn.linear(ff1, layer.output.dense.weight, bias=layer.output.dense.bias,
                          compute_kernel_config=s.tt.config.compute_kernel_config())
        return _torch(ttnn, ttnn.layer_norm(out, residual_input_tensor=hidden, weight=layer.output.LayerNorm.weight,
                                            bias=layer.output.LayerNorm.bias, epsilon=s.tt.config.eps))

    exercise = "FF1 weight dtype"
    try:
        weight = my_ff1_weight(torch_weight)
    except Exception as err:  # noqa: BLE001 - any error in the learner's code becomes a hint
        hint = ("bfloat8_b and bfloat4_b exist only in TILE layout: pass layout=ttnn.TILE_LAYOUT"
                if "Layout::TILE" in str(err) else "convert with ttnn.from_torch(weight, dtype=..., "
                                                   "layout=ttnn.TILE_LAYOUT, device=device)")
        return _show(CheckResult(exercise, False, None, f"your code raised {type(err).__name__}: {err}. {hint}"))
    if weight is None:
        return _show(CheckResult(exercise, False, None, "your function returned nothing yet"))
    if weight.dtype == ttnn.bfloat16 or weight.dtype == ttnn.float32:
        return _show(CheckResult(exercise, False, None, f"{weight.dtype} is not smaller than bfloat16: pick a "
                                                        "block-float dtype"))
    pcc = pcc_value(s.golden["output"], layer_output(weight))
    if pcc < budget:
        return _show(CheckResult(exercise, False, pcc, f"{weight.dtype} keeps too few mantissa bits: the layer's "
                                                       f"PCC {pcc:.4f} is below the budget {budget}; bfloat8_b "
                                                       "keeps up to 7 significant bits per value, bfloat4_b "
                                                       "only 3"))
    return _show(CheckResult(exercise, True, pcc))


# ------------------------------------------------------------------------------------------------ 04: QA head
def check_qa_head(my_qa_head: Callable) -> CheckResult:
    """``my_qa_head(hidden_states, parameters)`` -> ``(start_logits, end_logits)``, each ``(B, S)``."""
    s = setup()
    from bertlib import reference

    with torch.no_grad():
        logits = reference.qa_logits(s.tt.loaded, s.hf_hidden)
    expected = torch.stack([logits[..., 0], logits[..., 1]])
    mistakes = {"start and end are swapped: the QA head's output column 0 is the start logit, column 1 the end":
                torch.stack([logits[..., 1], logits[..., 0]])}
    hidden = s.on_device(s.hf_hidden)

    def run() -> torch.Tensor | None:
        answer = my_qa_head(hidden, s.tt.parameters.qa_outputs)
        if answer is None:
            return None
        start, end = answer
        return torch.stack([_torch(s.ttnn, start).reshape(logits.shape[:-1]),
                            _torch(s.ttnn, end).reshape(logits.shape[:-1])])

    return _show(_judge("QA head", run, expected, mistakes,
                        on_error="One ttnn.linear to 2 outputs, then ttnn.to_torch and split the last dimension."))


# --------------------------------------------------------------------------------------- 09: precision budget
def check_precision_budget(config: Any, *, budget: float = 0.999, speed_up: float = 1.75) -> CheckResult:
    """``config``: a ``PrecisionConfig`` whose QA logits keep PCC >= ``budget`` (minilm-squad, the check's
    window) and whose predicted device time (batch 8, seq 384, Wormhole n150) is at least ``speed_up`` times
    lower than ``bf16-hifi4``'s."""
    from bertlib.compare import compare
    from bertlib.models.configs import PrecisionConfig, get_precision
    from bertlib.profile.costmodel import predict

    exercise = "precision budget"
    if not isinstance(config, PrecisionConfig):
        return _show(CheckResult(exercise, False, None, "set my_config to a PrecisionConfig, e.g. "
                                                        "get_precision('bf16-hifi4').with_(name=..., ...)"))
    s = setup()
    try:
        frame = compare(s.tt.loaded, s.windows, config, handle=s.handle)
        slow = predict("minilm-squad", 8, 384, get_precision("bf16-hifi4")).device_s
        fast = predict("minilm-squad", 8, 384, config).device_s
    except Exception as err:  # noqa: BLE001 - a config the emulator refuses becomes a hint
        return _show(CheckResult(exercise, False, None, f"this config does not run: {type(err).__name__}: {err}"))
    pcc = float(frame.pcc.iloc[-1])
    if pcc < budget:
        return _show(CheckResult(exercise, False, pcc, f"QA-logits PCC {pcc:.4f} is below the budget {budget}: "
                                                       "LoFi, bfloat16 accumulation and bfloat4_b weights cost the "
                                                       "most PCC (the sweep above); keep fp32 accumulation and "
                                                       "try HiFi2"))
    if slow / fast < speed_up:
        return _show(CheckResult(exercise, False, pcc, f"predicted {fast * 1e3:.2f} ms per batch, only "
                                                       f"{slow / fast:.2f}x faster than bf16-hifi4's "
                                                       f"{slow * 1e3:.2f} ms: keep activations in L1, spread the "
                                                       "matmuls over a core grid, lower the fidelity, and use "
                                                       "bfloat8_b where PCC allows"))
    return _show(CheckResult(exercise, True, pcc, f"{slow / fast:.2f}x faster than bf16-hifi4 (predicted)"))



# ------------------------------------------------------------------------------------------- 10: program configs
def check_ff1_program_config(config: Any) -> CheckResult:
    """``config``: the FF1 (hidden -> 4x hidden, GELU fused) program config of sharded BERT-large, batch 8, seq 384,
    on Wormhole n150's 8x8 grid. It must run on the block-sharded hidden states (one batch per core column,
    the hidden width over the core rows), keep all 64 cores busy and fill the 8-tile destination registers."""
    from bertlib.emulator.program_configs import ProgramConfigError
    from bertlib.emulator.sharding import ShardingError
    from bertlib.models.sharding import MAX_SUBBLOCK, ShardedPlan

    exercise = "FF1 program config"
    handle = setup().handle
    ttnn, device = handle.ttnn, handle.device
    if not isinstance(config, ttnn.MatmulMultiCoreReuseMultiCastProgramConfig):
        return _show(CheckResult(exercise, False, None, "set my_ff1_config to a "
                                                        "ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(...)"))
    plan = ShardedPlan(ttnn, batch=8, seq=384, hidden=1024, heads=16, intermediate=4096, chip_grid=(8, 8))
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(8, 384, 1024, generator=generator)
    w = torch.randn(1024, 4096, generator=generator) * 0.03
    hidden = ttnn.from_torch(x, dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, device=device,
                             memory_config=plan.hidden_memory_config())
    weight = ttnn.from_torch(w, dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, device=device)
    try:
        out = ttnn.linear(hidden, weight, program_config=config, memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG,
                          dtype=ttnn.bfloat8_b)
    except (ProgramConfigError, ShardingError, RuntimeError) as err:
        return _show(CheckResult(exercise, False, None, f"a card refuses it, and so does the emulator: {err}"))
    reference = torch.nn.functional.gelu(ttnn.to_torch(hidden).float() @ ttnn.to_torch(weight).float())
    pcc = pcc_value(reference, ttnn.to_torch(out).float())
    grid = config.compute_with_storage_grid_size
    if config.fused_activation is None:
        return _show(CheckResult(exercise, False, pcc, "the GELU is missing: fuse it into the matmul with "
                                                       "fused_activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.GELU)"))
    if grid.x * grid.y < 64:
        return _show(CheckResult(exercise, False, pcc, f"it runs on {grid.x * grid.y} cores: the grid has 64"))
    if config.out_subblock_h * config.out_subblock_w < MAX_SUBBLOCK:
        return _show(CheckResult(exercise, False, pcc, f"each subblock is {config.out_subblock_h}x"
                                                       f"{config.out_subblock_w} tiles: the destination registers "
                                                       f"hold {MAX_SUBBLOCK}, and fuller subblocks reuse each "
                                                       "unpacked tile more"))
    return _show(CheckResult(exercise, pcc >= PASS_PCC, pcc, "" if pcc >= PASS_PCC else "the output is off"))
