"""Reference solutions of the notebooks' exercises, and one typical wrong answer each (with its hint).

Kept out of the notebooks so learners do not see them; ``tests/test_exercises.py`` runs every check with both.
Each function takes the check's arguments and uses the ``ttnn`` of the check's device.
"""

from bertlib.exercises import setup
from bertlib.models.configs import get_precision


def _ttnn():
    return setup().ttnn


def embeddings(input_ids, token_type_ids, position_ids, parameters):
    ttnn = _ttnn()
    word = ttnn.embedding(input_ids, parameters.word_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    position = ttnn.embedding(position_ids, parameters.position_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    token_type = ttnn.embedding(token_type_ids, parameters.token_type_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    return ttnn.layer_norm(word + position + token_type, weight=parameters.LayerNorm.weight,
                           bias=parameters.LayerNorm.bias, epsilon=1e-12)


def embeddings_without_token_types(input_ids, token_type_ids, position_ids, parameters):
    ttnn = _ttnn()
    word = ttnn.embedding(input_ids, parameters.word_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    position = ttnn.embedding(position_ids, parameters.position_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    return ttnn.layer_norm(word + position, weight=parameters.LayerNorm.weight, bias=parameters.LayerNorm.bias,
                           epsilon=1e-12)


def split_heads(qkv, num_heads):
    return _ttnn().transformer.split_query_key_value_and_split_heads(qkv, num_heads=num_heads)


def split_heads_key_untransposed(qkv, num_heads):
    return _ttnn().transformer.split_query_key_value_and_split_heads(qkv, num_heads=num_heads, transpose_key=False)


def scores(query, key, head_size):
    return _ttnn().matmul(query, key) * (1 / head_size**0.5)


def scores_unscaled(query, key, head_size):
    return _ttnn().matmul(query, key)


def scores_key_transposed_again(query, key, head_size):
    ttnn = _ttnn()
    return ttnn.matmul(query, ttnn.permute(key, (0, 1, 3, 2))) * (1 / head_size**0.5)


def probs(scores, attention_mask, head_size):
    return _ttnn().transformer.attention_softmax_(scores, attention_mask=attention_mask, head_size=head_size)


def probs_mask_flipped(scores, attention_mask, head_size):
    ttnn = _ttnn()
    return ttnn.softmax(scores * (1 / head_size**0.5) + attention_mask * -1.0, dim=-1)


def feedforward(hidden_states, parameters):
    ttnn = _ttnn()
    intermediate = ttnn.linear(hidden_states, parameters.intermediate.dense.weight,
                               bias=parameters.intermediate.dense.bias, activation="gelu")
    output = ttnn.linear(intermediate, parameters.output.dense.weight, bias=parameters.output.dense.bias)
    return ttnn.layer_norm(output, residual_input_tensor=hidden_states, weight=parameters.output.LayerNorm.weight,
                           bias=parameters.output.LayerNorm.bias, epsilon=1e-12)


def feedforward_without_gelu(hidden_states, parameters):
    ttnn = _ttnn()
    intermediate = ttnn.linear(hidden_states, parameters.intermediate.dense.weight,
                               bias=parameters.intermediate.dense.bias)
    output = ttnn.linear(intermediate, parameters.output.dense.weight, bias=parameters.output.dense.bias)
    return ttnn.layer_norm(output, residual_input_tensor=hidden_states, weight=parameters.output.LayerNorm.weight,
                           bias=parameters.output.LayerNorm.bias, epsilon=1e-12)


def ff1_weight(torch_weight):
    ttnn = _ttnn()
    return ttnn.from_torch(torch_weight, dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, device=setup().device)


def ff1_weight_bfloat4(torch_weight):
    ttnn = _ttnn()
    return ttnn.from_torch(torch_weight, dtype=ttnn.bfloat4_b, layout=ttnn.TILE_LAYOUT, device=setup().device)


def qa_head(hidden_states, parameters):
    ttnn = _ttnn()
    logits = ttnn.to_torch(ttnn.linear(hidden_states, parameters.weight, bias=parameters.bias)).float()
    return logits[..., 0], logits[..., 1]


def qa_head_swapped(hidden_states, parameters):
    start, end = qa_head(hidden_states, parameters)
    return end, start


PRECISION_SOLUTION = get_precision("bf16-hifi4").with_(
    name="bfp8 · HiFi2 · L1 · grid", weights_dtype="bfloat8_b", qkv_context_ff1_dtype="bfloat8_b",
    math_fidelity="HiFi2", memory="L1", use_core_grid=True)
PRECISION_TOO_NARROW = get_precision("optimized")


def _ff1(**changes):
    from bertlib.emulator.hostenv import ensure_host_conversions

    ensure_host_conversions()
    import ttnn

    fields = dict(compute_with_storage_grid_size=(8, 8), in0_block_w=4, out_subblock_h=1, out_subblock_w=8,
                  per_core_M=12, per_core_N=16, transpose_mcast=True,
                  fused_activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.GELU, 0.0))
    return ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(**{**fields, **changes})



#: check name -> (solution, wrong answer, words the wrong answer's hint must contain)
CASES = {
    "check_embeddings": (embeddings, embeddings_without_token_types, "token-type embedding is missing"),
    "check_split_heads": (split_heads, split_heads_key_untransposed, "K came back untransposed"),
    "check_attention_scores": (scores, scores_unscaled, "scale is missing"),
    "check_attention_probs": (probs, probs_mask_flipped, "sign is flipped"),
    "check_feedforward": (feedforward, feedforward_without_gelu, "GELU is missing"),
    "check_ff1_weight": (ff1_weight, ff1_weight_bfloat4, "too few mantissa bits"),
    "check_qa_head": (qa_head, qa_head_swapped, "swapped"),
    "check_precision_budget": (PRECISION_SOLUTION, PRECISION_TOO_NARROW, "below the budget"),
    "check_ff1_program_config": (_ff1(), _ff1(transpose_mcast=False), "ROW_MAJOR"),
}
#: more wrong answers with their hints
MORE_MISTAKES = {
    "check_attention_scores": [(scores_key_transposed_again, "already transposed")],
    "check_ff1_program_config": [(_ff1(out_subblock_w=4), "registers hold 8"),
                                 (_ff1(fused_activation=None), "GELU is missing"),
                                 (_ff1(per_core_N=8), "Num output blocks along y")],
}
