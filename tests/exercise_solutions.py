"""Reference solutions of the notebooks' exercises, other right formulations, and wrong answers as learners write them.

Kept out of the notebooks so learners do not see them; ``tests/test_exercises.py`` runs every check with each.
Each function takes the check's arguments and uses the ``ttnn`` of the check's device.
"""

import numpy as np
import torch

from bertlib.exercises import setup
from bertlib.models.precisions import get_precision


def _ttnn():
    return setup().ttnn


def _torch(tensor):
    return _ttnn().to_torch(tensor).float()


def _from_torch(values):
    ttnn = _ttnn()
    return ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=setup().device)


def _hifi4():
    ttnn = _ttnn()
    return ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, math_approx_mode=False,
                                            fp32_dest_acc_en=True, packer_l1_acc=False)


# ------------------------------------------------------------------------------------------------ embeddings
def _lookups(input_ids, token_type_ids, position_ids, parameters):
    ttnn = _ttnn()
    word = ttnn.embedding(input_ids, parameters.word_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    position = ttnn.embedding(position_ids, parameters.position_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    token_type = ttnn.embedding(token_type_ids, parameters.token_type_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    return word, position, token_type


def _norm(x, parameters, epsilon=1e-12):
    return _ttnn().layer_norm(x, weight=parameters.LayerNorm.weight, bias=parameters.LayerNorm.bias, epsilon=epsilon)


def embeddings(input_ids, token_type_ids, position_ids, parameters):
    word, position, token_type = _lookups(input_ids, token_type_ids, position_ids, parameters)
    return _norm(word + position + token_type, parameters)


def embeddings_other_order(input_ids, token_type_ids, position_ids, parameters):
    ttnn = _ttnn()
    word, position, token_type = _lookups(input_ids, token_type_ids, position_ids, parameters)
    return _norm(ttnn.add(word, ttnn.add(position, token_type)), parameters)


def embeddings_row_major_lookups(input_ids, token_type_ids, position_ids, parameters):
    ttnn = _ttnn()
    word = ttnn.embedding(input_ids, parameters.word_embeddings.weight)
    position = ttnn.embedding(position_ids, parameters.position_embeddings.weight)
    token_type = ttnn.embedding(token_type_ids, parameters.token_type_embeddings.weight)
    return _norm(ttnn.to_layout(word + position + token_type, ttnn.TILE_LAYOUT), parameters)


def embeddings_residual_norm(input_ids, token_type_ids, position_ids, parameters):
    word, position, token_type = _lookups(input_ids, token_type_ids, position_ids, parameters)
    return _ttnn().layer_norm(word + position, residual_input_tensor=token_type, weight=parameters.LayerNorm.weight,
                              bias=parameters.LayerNorm.bias, epsilon=1e-12)


def embeddings_without_token_types(input_ids, token_type_ids, position_ids, parameters):
    word, position, _ = _lookups(input_ids, token_type_ids, position_ids, parameters)
    return _norm(word + position, parameters)


def embeddings_all_segment_0(input_ids, token_type_ids, position_ids, parameters):
    ttnn = _ttnn()
    zeros = ttnn.from_torch(torch.zeros(1, 128, dtype=torch.int32), dtype=ttnn.uint32, device=setup().device)
    word, position, token_type = _lookups(input_ids, zeros, position_ids, parameters)
    return _norm(word + position + token_type, parameters)


def embeddings_without_layer_norm(input_ids, token_type_ids, position_ids, parameters):
    word, position, token_type = _lookups(input_ids, token_type_ids, position_ids, parameters)
    return word + position + token_type


def embeddings_norm_weight_and_bias_swapped(input_ids, token_type_ids, position_ids, parameters):
    word, position, token_type = _lookups(input_ids, token_type_ids, position_ids, parameters)
    return _ttnn().layer_norm(word + position + token_type, weight=parameters.LayerNorm.bias,
                              bias=parameters.LayerNorm.weight, epsilon=1e-12)


def embeddings_position_twice(input_ids, token_type_ids, position_ids, parameters):
    word, position, token_type = _lookups(input_ids, token_type_ids, position_ids, parameters)
    return _norm(word + position + position + token_type, parameters)


def embeddings_epsilon_too_large(input_ids, token_type_ids, position_ids, parameters):
    word, position, token_type = _lookups(input_ids, token_type_ids, position_ids, parameters)
    return _norm(word + position + token_type, parameters, epsilon=1e-2)


def embeddings_word_lookup_only_in_ttnn(input_ids, token_type_ids, position_ids, parameters):
    ttnn = _ttnn()
    hf = setup().tt.loaded.hf_model.bert.embeddings
    word = ttnn.embedding(input_ids, parameters.word_embeddings.weight, layout=ttnn.TILE_LAYOUT)
    with torch.no_grad():
        rest = hf.position_embeddings(_torch(position_ids).long()) + hf.token_type_embeddings(
            _torch(token_type_ids).long())
    return _norm(word + _from_torch(rest), parameters)


def embeddings_from_huggingface(input_ids, token_type_ids, position_ids, parameters):
    s = setup()
    with torch.no_grad():
        values = s.tt.loaded.hf_model.bert.embeddings(input_ids=_torch(input_ids).long(),
                                                       token_type_ids=_torch(token_type_ids).long())
    return _from_torch(values)


def embeddings_to_torch(input_ids, token_type_ids, position_ids, parameters):
    return _torch(embeddings(input_ids, token_type_ids, position_ids, parameters))


def embeddings_row_major(input_ids, token_type_ids, position_ids, parameters):
    ttnn = _ttnn()
    return ttnn.to_layout(embeddings(input_ids, token_type_ids, position_ids, parameters), ttnn.ROW_MAJOR_LAYOUT)


# ----------------------------------------------------------------------------------------------- split heads
def split_heads(qkv, num_heads):
    return _ttnn().transformer.split_query_key_value_and_split_heads(qkv, num_heads=num_heads)


def split_heads_then_transpose_key(qkv, num_heads):
    ttnn = _ttnn()
    query, key, value = ttnn.transformer.split_query_key_value_and_split_heads(qkv, num_heads=num_heads,
                                                                                transpose_key=False)
    return [query, ttnn.permute(key, (0, 1, 3, 2)), value]


def split_heads_key_untransposed(qkv, num_heads):
    return _ttnn().transformer.split_query_key_value_and_split_heads(qkv, num_heads=num_heads, transpose_key=False)


def split_heads_key_reshaped(qkv, num_heads):
    ttnn = _ttnn()
    query, key, value = ttnn.transformer.split_query_key_value_and_split_heads(qkv, num_heads=num_heads,
                                                                                transpose_key=False)
    return query, ttnn.reshape(key, (1, num_heads, 32, 128)), value


def split_heads_query_value_swapped(qkv, num_heads):
    query, key, value = split_heads(qkv, num_heads)
    return value, key, query


def split_heads_key_first(qkv, num_heads):
    query, key, value = split_heads(qkv, num_heads)
    return key, query, value


def split_heads_half_the_heads(qkv, num_heads):
    return split_heads(qkv, num_heads // 2)


def split_heads_in_torch(qkv, num_heads):
    b, s, three_h = qkv.shape
    heads = _torch(qkv).reshape(b, s, 3, num_heads, three_h // 3 // num_heads).permute(2, 0, 3, 1, 4)
    return _from_torch(heads[0]), _from_torch(heads[1].transpose(-1, -2)), _from_torch(heads[2])


def split_heads_only_query_and_key(qkv, num_heads):
    return split_heads(qkv, num_heads)[:2]


def split_heads_to_torch(qkv, num_heads):
    return tuple(_torch(t) for t in split_heads(qkv, num_heads))


def split_heads_value_missing(qkv, num_heads):
    query, key, _ = split_heads(qkv, num_heads)
    return query, key, None


# ---------------------------------------------------------------------------------------------------- scores
def scores(query, key, head_size):
    return _ttnn().matmul(query, key) * (1 / head_size**0.5)


def scores_query_scaled_first(query, key, head_size):
    ttnn = _ttnn()
    return ttnn.matmul(ttnn.multiply(query, 1 / head_size**0.5), key)


def scores_hifi4(query, key, head_size):
    return _ttnn().matmul(query, key, compute_kernel_config=_hifi4()) * (1 / head_size**0.5)


def scores_lofi(query, key, head_size):
    ttnn = _ttnn()
    lofi = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.LoFi, math_approx_mode=False,
                                            fp32_dest_acc_en=False, packer_l1_acc=False)
    return ttnn.matmul(query, key, compute_kernel_config=lofi) * (1 / head_size**0.5)


def scores_unscaled(query, key, head_size):
    return _ttnn().matmul(query, key)


def scores_divided_by_head_size(query, key, head_size):
    return _ttnn().matmul(query, key) * (1 / head_size)


def scores_scaled_by_one_over_5_5(query, key, head_size):  # sqrt(32) is 5.66
    return _ttnn().matmul(query, key) * (1 / 5.5)


def scores_8_percent_high(query, key, head_size):
    return _ttnn().matmul(query, key) * (1.08 / head_size**0.5)


def scores_key_transposed_again(query, key, head_size):
    ttnn = _ttnn()
    return ttnn.matmul(query, ttnn.permute(key, (0, 1, 3, 2))) * (1 / head_size**0.5)


def scores_arguments_swapped(query, key, head_size):
    return _ttnn().matmul(key, query) * (1 / head_size**0.5)


def scores_torch_matmul(query, key, head_size):
    return _from_torch(torch.matmul(_torch(query), _torch(key)) / head_size**0.5)


def scores_to_torch(query, key, head_size):
    return _torch(scores(query, key, head_size))


def scores_row_major(query, key, head_size):
    ttnn = _ttnn()
    return ttnn.to_layout(scores(query, key, head_size), ttnn.ROW_MAJOR_LAYOUT)


# ----------------------------------------------------------------------------------------------------- probs
def probs(scores, attention_mask, head_size):
    return _ttnn().transformer.attention_softmax_(scores, attention_mask=attention_mask, head_size=head_size)


def probs_in_steps(scores, attention_mask, head_size):
    ttnn = _ttnn()
    return ttnn.softmax(ttnn.add(ttnn.multiply(scores, 1 / head_size**0.5), attention_mask), dim=-1)


def probs_not_in_place(scores, attention_mask, head_size):
    return _ttnn().transformer.attention_softmax(scores, attention_mask=attention_mask, head_size=head_size)


def probs_mask_flipped(scores, attention_mask, head_size):
    ttnn = _ttnn()
    return ttnn.softmax(scores * (1 / head_size**0.5) + attention_mask * -1.0, dim=-1)


def probs_unmasked(scores, attention_mask, head_size):
    ttnn = _ttnn()
    return ttnn.softmax(scores * (1 / head_size**0.5), dim=-1)


def probs_unscaled(scores, attention_mask, head_size):
    ttnn = _ttnn()
    return ttnn.softmax(scores + attention_mask, dim=-1)


def probs_scaled_by_one_over_8_5(scores, attention_mask, head_size):
    ttnn = _ttnn()
    return ttnn.softmax(scores * (1 / 8.5) + attention_mask, dim=-1)


def probs_over_the_query_tokens(scores, attention_mask, head_size):
    ttnn = _ttnn()
    return ttnn.softmax(scores * (1 / head_size**0.5) + attention_mask, dim=-2)


def probs_head_size_64(scores, attention_mask, head_size):
    return _ttnn().transformer.attention_softmax_(scores, attention_mask=attention_mask, head_size=64)


def probs_torch_softmax(scores, attention_mask, head_size):
    return _from_torch(torch.softmax(_torch(scores) / head_size**0.5 + _torch(attention_mask), dim=-1))


# ----------------------------------------------------------------------------------------------- feedforward
def _ffn(hidden_states, parameters, *, activation="gelu", kernel=None, ff2_bias=True, residual=True):
    ttnn = _ttnn()
    intermediate = ttnn.linear(hidden_states, parameters.intermediate.dense.weight,
                               bias=parameters.intermediate.dense.bias, activation=activation,
                               compute_kernel_config=kernel)
    output = ttnn.linear(intermediate, parameters.output.dense.weight,
                         bias=parameters.output.dense.bias if ff2_bias else None, compute_kernel_config=kernel)
    return ttnn.layer_norm(output, residual_input_tensor=hidden_states if residual else None,
                           weight=parameters.output.LayerNorm.weight, bias=parameters.output.LayerNorm.bias,
                           epsilon=1e-12)


def feedforward(hidden_states, parameters):
    return _ffn(hidden_states, parameters)


def feedforward_hifi4(hidden_states, parameters):
    return _ffn(hidden_states, parameters, kernel=_hifi4())


def feedforward_in_steps(hidden_states, parameters):
    ttnn = _ttnn()
    intermediate = ttnn.gelu(ttnn.matmul(hidden_states, parameters.intermediate.dense.weight)
                             + parameters.intermediate.dense.bias)
    output = ttnn.linear(intermediate, parameters.output.dense.weight, bias=parameters.output.dense.bias)
    return ttnn.layer_norm(output + hidden_states, weight=parameters.output.LayerNorm.weight,
                           bias=parameters.output.LayerNorm.bias, epsilon=1e-12)


def feedforward_without_gelu(hidden_states, parameters):
    return _ffn(hidden_states, parameters, activation=None)


def feedforward_relu(hidden_states, parameters):
    return _ffn(hidden_states, parameters, activation="relu")


def feedforward_without_residual(hidden_states, parameters):
    return _ffn(hidden_states, parameters, residual=False)


def feedforward_without_ff2_bias(hidden_states, parameters):
    return _ffn(hidden_states, parameters, ff2_bias=False)


def feedforward_without_layer_norm(hidden_states, parameters):
    ttnn = _ttnn()
    intermediate = ttnn.linear(hidden_states, parameters.intermediate.dense.weight,
                               bias=parameters.intermediate.dense.bias, activation="gelu")
    return ttnn.linear(intermediate, parameters.output.dense.weight, bias=parameters.output.dense.bias) + hidden_states


def feedforward_weights_swapped(hidden_states, parameters):
    ttnn = _ttnn()
    intermediate = ttnn.linear(hidden_states, parameters.output.dense.weight, bias=parameters.output.dense.bias,
                               activation="gelu")
    return ttnn.linear(intermediate, parameters.intermediate.dense.weight, bias=parameters.intermediate.dense.bias)


def feedforward_second_linear_in_torch(hidden_states, parameters):
    ttnn = _ttnn()
    intermediate = ttnn.linear(hidden_states, parameters.intermediate.dense.weight,
                               bias=parameters.intermediate.dense.bias, activation="gelu")
    output = _torch(intermediate) @ _torch(parameters.output.dense.weight) + _torch(parameters.output.dense.bias)
    return ttnn.layer_norm(_from_torch(output), residual_input_tensor=hidden_states,
                           weight=parameters.output.LayerNorm.weight, bias=parameters.output.LayerNorm.bias,
                           epsilon=1e-12)


def feedforward_from_huggingface(hidden_states, parameters):
    layer = setup().tt.loaded.hf_model.bert.encoder.layer[0]
    x = _torch(hidden_states)
    with torch.no_grad():
        return _from_torch(layer.output(layer.intermediate(x), x))


def feedforward_row_major(hidden_states, parameters):
    ttnn = _ttnn()
    return ttnn.to_layout(feedforward(hidden_states, parameters), ttnn.ROW_MAJOR_LAYOUT)


# ------------------------------------------------------------------------------------------------- FF1 weight
def _weight(torch_weight, dtype_name, **kwargs):
    ttnn = _ttnn()
    return ttnn.from_torch(torch_weight, dtype=getattr(ttnn, dtype_name), **{"layout": ttnn.TILE_LAYOUT,
                                                                               "device": setup().device, **kwargs})


def ff1_weight(torch_weight):
    return _weight(torch_weight, "bfloat8_b")


def ff1_weight_via_bfloat16_in_l1(torch_weight):
    return _weight(torch_weight.to(torch.bfloat16), "bfloat8_b", memory_config=_ttnn().L1_MEMORY_CONFIG)


def ff1_weight_bfloat4(torch_weight):
    return _weight(torch_weight, "bfloat4_b")


def ff1_weight_bfloat16(torch_weight):
    return _weight(torch_weight, "bfloat16")


def ff1_weight_float32(torch_weight):
    return _weight(torch_weight, "float32")


def ff1_weight_row_major(torch_weight):
    return _weight(torch_weight, "bfloat16", layout=_ttnn().ROW_MAJOR_LAYOUT)


def ff1_weight_row_major_bfloat8(torch_weight):
    return _weight(torch_weight, "bfloat8_b", layout=_ttnn().ROW_MAJOR_LAYOUT)


def ff1_weight_transposed(torch_weight):
    return _weight(torch_weight.T.contiguous(), "bfloat8_b")


def ff1_weight_on_the_host(torch_weight):
    return _weight(torch_weight, "bfloat8_b", device=None)


def ff1_weight_halved(torch_weight):
    return _weight(torch_weight * 0.5, "bfloat8_b")


def ff1_weight_torch_half(torch_weight):
    return torch_weight.half()


def ff1_weight_numpy(torch_weight):
    return torch_weight.numpy().astype(np.float16)


# ---------------------------------------------------------------------------------------------------- QA head
def qa_head(hidden_states, parameters):
    ttnn = _ttnn()
    logits = ttnn.to_torch(ttnn.linear(hidden_states, parameters.weight, bias=parameters.bias)).float()
    return logits[..., 0], logits[..., 1]


def qa_head_bias_in_torch(hidden_states, parameters):
    logits = _torch(_ttnn().matmul(hidden_states, parameters.weight)) + _torch(parameters.bias)
    start, end = logits.split(1, dim=-1)
    return [start.squeeze(-1), end.squeeze(-1)]


def qa_head_swapped(hidden_states, parameters):
    start, end = qa_head(hidden_states, parameters)
    return end, start


def qa_head_without_bias(hidden_states, parameters):
    ttnn = _ttnn()
    logits = ttnn.to_torch(ttnn.linear(hidden_states, parameters.weight)).float()
    return logits[..., 0], logits[..., 1]


def qa_head_from_huggingface(hidden_states, parameters):
    with torch.no_grad():
        logits = setup().tt.loaded.hf_model.qa_outputs(_torch(hidden_states))
    return logits[..., 0], logits[..., 1]


def qa_head_not_split(hidden_states, parameters):
    return _ttnn().linear(hidden_states, parameters.weight, bias=parameters.bias)


def qa_head_keepdim(hidden_states, parameters):
    start, end = qa_head(hidden_states, parameters)
    return start[..., None], end[..., None]


def qa_head_start_twice(hidden_states, parameters):
    start, _ = qa_head(hidden_states, parameters)
    return start, start


def qa_head_8_percent_high(hidden_states, parameters):
    start, end = qa_head(hidden_states, parameters)
    return start * 1.08, end * 1.08


def qa_head_three_values(hidden_states, parameters):
    start, end = qa_head(hidden_states, parameters)
    return start, end, None


# ------------------------------------------------------------------------------------------ precision budget
PRECISION_SOLUTION = get_precision("bf16-hifi4").with_(
    name="bfp8 · HiFi2 · L1 · grid", weights_dtype="bfloat8_b", qkv_context_ff1_dtype="bfloat8_b",
    math_fidelity="HiFi2", memory="L1", use_core_grid=True)


# --------------------------------------------------------------------------------------------- program config
def _ff1(**changes):
    from bertlib.emulator.hostenv import ensure_host_conversions

    ensure_host_conversions()
    import ttnn

    fields = dict(compute_with_storage_grid_size=(8, 8), in0_block_w=4, out_subblock_h=1, out_subblock_w=8,
                  per_core_M=12, per_core_N=16, transpose_mcast=True,
                  fused_activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.GELU, 0.0))
    return ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(**{**fields, **changes})


def _activation(name, *params):
    import ttnn

    return ttnn.UnaryWithParam(getattr(ttnn.UnaryOpType, name), *params)


def _ff1_one_core_class():
    import ttnn

    return ttnn.MatmulMultiCoreReuseProgramConfig(compute_with_storage_grid_size=(8, 8), in0_block_w=4,
                                                  out_subblock_h=1, out_subblock_w=8, per_core_M=12, per_core_N=16)


#: check name -> right answers (the reference solution first)
RIGHT = {
    "check_embeddings": [embeddings, embeddings_other_order, embeddings_row_major_lookups, embeddings_residual_norm],
    "check_split_heads": [split_heads, split_heads_then_transpose_key],
    "check_attention_scores": [scores, scores_query_scaled_first, scores_hifi4],
    "check_attention_probs": [probs, probs_not_in_place, probs_in_steps],
    "check_feedforward": [feedforward, feedforward_hifi4, feedforward_in_steps],
    "check_ff1_weight": [ff1_weight, ff1_weight_via_bfloat16_in_l1],
    "check_qa_head": [qa_head, qa_head_bias_in_torch],
    "check_precision_budget": [PRECISION_SOLUTION],
    "check_ff1_program_config": [_ff1(), _ff1(fused_activation=_activation("GELU", 1.0)), _ff1(in0_block_w=2)],
}

#: check name -> wrong answers, each with words its hint must contain
WRONG = {
    "check_embeddings": [
        (embeddings_without_token_types, "token-type embedding is missing"),
        (embeddings_all_segment_0, "token type 1"),
        (embeddings_without_layer_norm, "LayerNorm is missing"),
        (embeddings_norm_weight_and_bias_swapped, "weight and bias are swapped"),
        (embeddings_position_twice, "values differ"),
        (embeddings_epsilon_too_large, "values differ"),
        (embeddings_word_lookup_only_in_ttnn, "1 of the 3 calls of three ttnn.embedding"),
        (embeddings_from_huggingface, "came from torch"),
        (embeddings_to_torch, "is a torch tensor"),
        (embeddings_row_major, "TILE_LAYOUT"),
    ],
    "check_split_heads": [
        (split_heads_key_untransposed, "K came back untransposed"),
        (split_heads_key_reshaped, "key: "),
        (split_heads_query_value_swapped, "query and value are swapped"),
        (split_heads_key_first, "key's shape"),
        (split_heads_half_the_heads, "expected (1, 12, 128, 32)"),
        (split_heads_in_torch, "came from torch"),
        (split_heads_only_query_and_key, "returned 2 values"),
        (split_heads_to_torch, "is a torch tensor"),
        (split_heads_value_missing, "value is None"),
    ],
    "check_attention_scores": [
        (scores_unscaled, "scale is missing"),
        (scores_divided_by_head_size, "divided by head_size"),
        (scores_scaled_by_one_over_5_5, "1.025x the right ones: a constant factor"),
        (scores_8_percent_high, "1.080x the right ones"),
        (scores_key_transposed_again, "already transposed"),
        (scores_arguments_swapped, "expected (1, 12, 128, 128)"),
        (scores_lofi, "ran at LoFi"),
        (scores_torch_matmul, "came from torch"),
        (scores_to_torch, "is a torch tensor"),
        (scores_row_major, "TILE_LAYOUT"),
    ],
    "check_attention_probs": [
        (probs_mask_flipped, "sign is flipped"),
        (probs_unmasked, "not masked"),
        (probs_unscaled, "scale is missing"),
        (probs_scaled_by_one_over_8_5, "values differ"),
        (probs_over_the_query_tokens, "values differ"),
        (probs_head_size_64, "values differ"),
        (probs_torch_softmax, "came from torch"),
    ],
    "check_feedforward": [
        (feedforward_without_gelu, "GELU is missing"),
        (feedforward_relu, "not BERT's activation"),
        (feedforward_without_residual, "residual is missing"),
        (feedforward_without_ff2_bias, "values differ"),
        (feedforward_without_layer_norm, "LayerNorm is missing"),
        (feedforward_weights_swapped, "raised"),
        (feedforward_second_linear_in_torch, "1 of the 2 calls of two ttnn.linear"),
        (feedforward_from_huggingface, "came from torch"),
        (feedforward_row_major, "TILE_LAYOUT"),
    ],
    "check_ff1_weight": [
        (ff1_weight_bfloat4, "too few mantissa bits"),
        (ff1_weight_bfloat16, "not smaller than bfloat16"),
        (ff1_weight_float32, "not smaller than bfloat16"),
        (ff1_weight_row_major, "TILE layout"),
        (ff1_weight_row_major_bfloat8, "TILE layout"),
        (ff1_weight_transposed, "transposed"),
        (ff1_weight_on_the_host, "on the host"),
        (ff1_weight_halved, "0.500x the right ones: a constant factor"),
        (ff1_weight_torch_half, "is a torch tensor"),
        (ff1_weight_numpy, "not a ttnn.Tensor"),
    ],
    "check_qa_head": [
        (qa_head_swapped, "swapped"),
        (qa_head_without_bias, "bias is left out"),
        (qa_head_from_huggingface, "came from torch"),
        (qa_head_not_split, "return two tensors"),
        (qa_head_keepdim, "expected (1, 128)"),
        (qa_head_start_twice, "logits end"),
        (qa_head_8_percent_high, "1.077x the right ones"),
        (qa_head_three_values, "returned 3 values"),
    ],
    "check_precision_budget": [
        (get_precision("optimized"), "below the budget"),
        (get_precision("bf16-hifi4"), "faster than"),
        (get_precision("bf16-hifi4").with_(name="bfp4 weights", weights_dtype="bfloat4_b"), "below the budget"),
        (get_precision("bf16-hifi4").with_(name="L1 only", memory="L1"), "faster than"),
        (None, "my_config is None"),
        ("optimized", "set it to a PrecisionConfig"),
    ],
    "check_ff1_program_config": [
        (_ff1(transpose_mcast=False), "ROW_MAJOR"),
        (_ff1(out_subblock_w=4), "registers hold 8"),
        (_ff1(fused_activation=None), "GELU is missing"),
        (_ff1(fused_activation=_activation("RELU")), "is RELU"),
        (_ff1(fused_activation=_activation("SILU")), "is SILU"),
        (_ff1(per_core_N=32), "4 would idle"),
        (_ff1(per_core_N=8), "16 blocks"),
        (_ff1(compute_with_storage_grid_size=(8, 4)), "32 cores"),
        (_ff1(in0_block_w=3), "in0_block_w=3"),
        (_ff1(out_subblock_h=2, out_subblock_w=4), "a card refuses it"),
        (_ff1_one_core_class(), "MatmulMultiCoreReuseMultiCastProgramConfig"),
        (None, "my_ff1_config is None"),
    ],
}
