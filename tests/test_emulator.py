"""Emulated ops against torch and against real ttnn's goldens and host conversions."""

import pytest
import torch

from bertlib.emulator import DeallocatedTensorError, UnsupportedTTNNOp, recording
from bertlib.emulator.numerics import quantize
from bertlib.pcc import comp_pcc


def on_device(ttnn, device, x, dtype=None, layout=None):
    return ttnn.from_torch(x, dtype=dtype or ttnn.bfloat16, layout=layout or ttnn.TILE_LAYOUT, device=device)


def test_tile_padding_shape_vs_padded_shape(ttnn, device):
    t = on_device(ttnn, device, torch.randn(50, 70))
    assert list(t.shape) == [50, 70]
    assert list(t.padded_shape) == [64, 96]
    assert ttnn.to_torch(t).shape == (50, 70)
    row_major = ttnn.from_torch(torch.randn(50, 70), dtype=ttnn.bfloat16)
    assert list(row_major.padded_shape) == [50, 70]


@pytest.mark.parametrize("name", ["bfloat8_b", "bfloat4_b"])
def test_block_float_refused_in_row_major(ttnn, name):
    with pytest.raises(RuntimeError, match="Layout must be Layout::TILE for bfloat8_b or bfloat4_b"):
        ttnn.from_torch(torch.randn(32, 32), dtype=getattr(ttnn, name), layout=ttnn.ROW_MAJOR_LAYOUT)


def test_ops_refuse_host_tensors(ttnn):
    host = ttnn.from_torch(torch.randn(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    with pytest.raises(RuntimeError, match="must be on device"):
        ttnn.softmax(host)


def test_core_grid_larger_than_chip_runs_on_the_whole_grid(ttnn, device):
    """tt-metal's matmul uses a user core grid only where the chip has it, else the chip's compute grid."""
    from bertlib.emulator.op_trace import recording

    a = on_device(ttnn, device, torch.randn(64, 64))
    with recording() as trace:
        whole = ttnn.to_torch(ttnn.linear(a, a, core_grid=ttnn.CoreGrid(y=8, x=8)))
        wide = ttnn.to_torch(ttnn.linear(a, a, core_grid=ttnn.CoreGrid(y=6, x=12)))
    assert torch.equal(whole, wide)
    assert [r.core_grid for r in trace.records] == [(8, 8), (8, 8)]


def test_linear_at_hifi4_fp32_is_bit_exact_with_golden(ttnn, device, real_ttnn):
    torch.manual_seed(0)
    x, w, b = torch.randn(2, 64, 96), torch.randn(96, 128), torch.randn(1, 128)
    config = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, math_approx_mode=False,
                                              fp32_dest_acc_en=True, packer_l1_acc=False)
    out = ttnn.linear(on_device(ttnn, device, x), on_device(ttnn, device, w, ttnn.bfloat8_b),
                      bias=on_device(ttnn, device, b), compute_kernel_config=config, dtype=ttnn.bfloat16)
    golden = real_ttnn.get_golden_function(real_ttnn.linear)
    q = quantize
    expected = golden(q(x, real_ttnn.bfloat16), q(w, real_ttnn.bfloat8_b), bias=q(b, real_ttnn.bfloat16))
    expected = real_ttnn.to_torch(real_ttnn.from_torch(expected, dtype=real_ttnn.bfloat16, layout=real_ttnn.TILE_LAYOUT))
    assert torch.equal(ttnn.to_torch(out), expected)


def test_linear_fidelity_ordering_end_to_end(ttnn, device):
    torch.manual_seed(0)
    x, w = torch.randn(64, 256), torch.randn(256, 64)
    exact = x @ w
    errors = {}
    for fidelity in ("LoFi", "HiFi2", "HiFi4"):
        config = ttnn.WormholeComputeKernelConfig(math_fidelity=getattr(ttnn.MathFidelity, fidelity),
                                                  math_approx_mode=False, fp32_dest_acc_en=True, packer_l1_acc=False)
        out = ttnn.linear(on_device(ttnn, device, x), on_device(ttnn, device, w), compute_kernel_config=config,
                          dtype=ttnn.float32)
        errors[fidelity] = float((ttnn.to_torch(out) - exact).abs().mean())
    assert errors["LoFi"] > errors["HiFi2"] > errors["HiFi4"]


def test_matmul_default_fidelity_follows_ttnn(ttnn, device):
    a = on_device(ttnn, device, torch.randn(32, 32))
    with recording() as trace:
        ttnn.matmul(a, a)
        ttnn.matmul(a, a, core_grid=ttnn.CoreGrid(y=1, x=1))
        b8 = on_device(ttnn, device, torch.randn(32, 32), ttnn.bfloat8_b)
        ttnn.matmul(b8, b8)
        ttnn.layer_norm(a)
    assert [r.math_fidelity for r in trace.records] == ["HiFi2", "LoFi", "LoFi", "HiFi4"]


def test_softmax_layer_norm_gelu_against_torch(ttnn, device):
    torch.manual_seed(0)
    x = torch.randn(2, 64, 128)
    t = on_device(ttnn, device, x)
    w, b = torch.randn(128), torch.randn(128)
    ln = ttnn.layer_norm(t, weight=on_device(ttnn, device, w.reshape(1, -1)),
                         bias=on_device(ttnn, device, b.reshape(1, -1)), epsilon=1e-5)
    checks = [
        (torch.softmax(x, -1), ttnn.softmax(t)),
        (torch.nn.functional.layer_norm(x, (128,), w, b, 1e-5), ln),
        (torch.nn.functional.gelu(x), ttnn.gelu(t)),
        (x + x, t + t),
        (x * x, ttnn.multiply(t, t)),
    ]
    for expected, got in checks:
        passed, value = comp_pcc(expected, ttnn.to_torch(got).float(), 0.999)
        assert passed, value


def test_layer_norm_with_residual(ttnn, device):
    x, r = torch.randn(32, 64), torch.randn(32, 64)
    out = ttnn.layer_norm(on_device(ttnn, device, x), residual_input_tensor=on_device(ttnn, device, r))
    assert comp_pcc(torch.nn.functional.layer_norm(x + r, (64,)), ttnn.to_torch(out).float(), 0.999)[0]


def test_transformer_ops_against_torch(ttnn, device):
    torch.manual_seed(0)
    batch, seq, heads, head = 2, 64, 4, 32
    qkv = torch.randn(batch, seq, 3 * heads * head)
    q, k, v = ttnn.transformer.split_query_key_value_and_split_heads(on_device(ttnn, device, qkv), num_heads=heads)
    assert list(k.shape) == [batch, heads, head, seq]  # K comes transposed
    tq = qkv[..., : heads * head].reshape(batch, seq, heads, head).permute(0, 2, 1, 3)
    assert comp_pcc(tq, ttnn.to_torch(q).float(), 0.9999)[0]
    mask = torch.zeros(batch, 1, 1, seq)
    mask[..., -8:] = -100000.0
    scores = ttnn.matmul(q, k)
    raw = ttnn.to_torch(scores).float()
    probs = ttnn.transformer.attention_softmax_(scores, attention_mask=on_device(ttnn, device, mask), head_size=head)
    assert probs is scores  # in place, as the trailing underscore says
    torch_probs = torch.softmax(raw / head**0.5 + mask, -1)
    assert comp_pcc(torch_probs, ttnn.to_torch(probs).float(), 0.999)[0]
    assert float(ttnn.to_torch(probs).float()[..., -8:].abs().max()) == 0.0
    merged = ttnn.transformer.concatenate_heads(q)
    assert torch.equal(ttnn.to_torch(merged).float(), quantize(tq, ttnn.bfloat16).permute(0, 2, 1, 3).reshape(batch, seq, -1))


def test_fused_split_is_one_op_in_the_trace(ttnn, device):
    qkv = on_device(ttnn, device, torch.randn(2, 64, 3 * 4 * 32))
    with recording(shape_only=True) as trace:
        ttnn.transformer.split_query_key_value_and_split_heads(qkv, num_heads=4)
    (record,) = trace.records
    assert record.output_shape == (2, 4, 64, 32)
    assert record.bytes_written == 3 * 2 * 64 * 128 * 2  # Q, K and V, bfloat16


def test_attention_softmax_needs_a_mask_like_ttnn(ttnn, device):
    scores = on_device(ttnn, device, torch.randn(1, 1, 32, 32))
    with pytest.raises(RuntimeError, match="attention_mask is not set"):
        ttnn.transformer.attention_softmax_(scores, head_size=32)


def test_embedding_and_movement(ttnn, device):
    weight = torch.randn(100, 64)
    ids = torch.tensor([[1, 5, 99, 0]])
    w = ttnn.to_device(ttnn.from_torch(weight, dtype=ttnn.bfloat16), device)
    out = ttnn.embedding(ttnn.from_torch(ids, dtype=ttnn.uint32, device=device), w, layout=ttnn.TILE_LAYOUT)
    assert torch.equal(ttnn.to_torch(out).float(), quantize(weight[ids], ttnn.bfloat16))
    moved = ttnn.to_memory_config(out, ttnn.L1_MEMORY_CONFIG)
    assert moved.memory_config() == ttnn.L1_MEMORY_CONFIG
    assert list(ttnn.reshape(moved, (4, 64)).shape) == [4, 64]
    assert list(ttnn.permute(moved, (0, 2, 1)).shape) == [1, 64, 4]
    back = ttnn.from_device(ttnn.to_layout(moved, ttnn.ROW_MAJOR_LAYOUT))
    assert back.device() is None and back.layout == ttnn.ROW_MAJOR_LAYOUT


def test_deallocated_tensor_cannot_be_used(ttnn, device):
    t = on_device(ttnn, device, torch.randn(32, 32))
    ttnn.deallocate(t)
    with pytest.raises(DeallocatedTensorError, match="deallocated"):
        ttnn.softmax(t)


def test_unknown_ttnn_name_is_named(ttnn):
    with pytest.raises(UnsupportedTTNNOp, match=r"ttnn\.conv1d is not part of bertlib's TT-NN emulator"):
        _ = ttnn.conv1d
    with pytest.raises(UnsupportedTTNNOp, match=r"ttnn\.transformer\.scaled_dot_product_attention"):
        _ = ttnn.transformer.scaled_dot_product_attention
    assert not hasattr(ttnn, "sharded_conv")  # still an AttributeError for hasattr


def test_trace_records_work_and_shape_only_mode(ttnn, device):
    a = on_device(ttnn, device, torch.randn(64, 128))
    w = on_device(ttnn, device, torch.randn(128, 256), ttnn.bfloat8_b)
    with recording() as trace:
        out = ttnn.linear(a, w, memory_config=ttnn.L1_MEMORY_CONFIG)
    rec = trace.records[0]
    assert rec.op == "linear" and rec.flops == 2 * 64 * 128 * 256 and rec.memory == "L1"
    assert rec.bytes_read == 64 * 128 * 2 + 128 * 256 * (1 + 1 / 16)
    assert rec.bytes_written == 64 * 256 * 2 and rec.output_dtype == "BFLOAT16"
    with recording(shape_only=True) as shapes:
        lazy = ttnn.linear(a, w)
        lazy = ttnn.softmax(lazy)
    assert lazy.values is None and list(lazy.shape) == list(out.shape)
    assert [r.op for r in shapes.records] == ["linear", "softmax"]
    with pytest.raises(RuntimeError, match="shape_only"):
        ttnn.to_torch(lazy)


def test_linear_adds_row_0_of_a_bias_padded_to_a_tile(ttnn, device):
    """A bias one tile high is fused: the kernel adds its row 0 to every output row, whatever rows 1-31 hold."""
    torch.manual_seed(0)
    a, w = torch.randn(64, 128), torch.randn(128, 96)
    bias = torch.randn(1, 1, 32, 96)
    out = ttnn.to_torch(ttnn.linear(on_device(ttnn, device, a), on_device(ttnn, device, w), bias=on_device(ttnn, device, bias)))
    exact = a.bfloat16().float() @ w.bfloat16().float()
    row0 = exact + bias[0, 0, 0].bfloat16().float()
    assert out.shape == (64, 96)
    assert (out.float() - row0).abs().max() < 0.05 * row0.abs().max()
    assert (out.float()[1:32] - (exact[1:32] + bias[0, 0, 1:32].bfloat16().float())).abs().max() > 0.5  # not row-wise


def test_matmul_takes_vectors_as_ttnn_does(ttnn, device):
    torch.manual_seed(0)
    v, m = torch.randn(128), torch.randn(128, 96)
    out = ttnn.to_torch(ttnn.matmul(on_device(ttnn, device, v), on_device(ttnn, device, m)))
    assert out.shape == (96,)
    assert torch.allclose(out.float(), v.bfloat16().float() @ m.bfloat16().float(), rtol=0.05, atol=0.3)
    assert ttnn.to_torch(ttnn.matmul(on_device(ttnn, device, m.T.contiguous()), on_device(ttnn, device, v))).shape == (96,)
    with pytest.raises(RuntimeError, match="at least 1D"):
        ttnn.matmul(on_device(ttnn, device, torch.tensor(2.0)), on_device(ttnn, device, m))
    with pytest.raises(RuntimeError, match="Batched input not supported when bias exists"):
        ttnn.linear(on_device(ttnn, device, torch.randn(32, 128)), on_device(ttnn, device, torch.randn(2, 128, 96)),
                    bias=on_device(ttnn, device, torch.randn(96)))


def test_embedding_ids_and_weights_as_a_card_takes_them(ttnn, device):
    w = ttnn.from_torch(torch.randn(50, 64), dtype=ttnn.bfloat16, device=device)
    ids = torch.tensor([[3, 7, 49]])
    out = ttnn.embedding(ttnn.from_torch(ids, dtype=ttnn.bfloat16, device=device), w)
    assert torch.equal(ttnn.to_torch(out), ttnn.to_torch(w)[ids])
    with pytest.raises(RuntimeError, match="Input must be UINT32 or BFLOAT16"):
        ttnn.embedding(ttnn.from_torch(ids, dtype=ttnn.int32, device=device), w)


def test_embedding_layout_and_dtype_as_tt_metals_embedding_cpp(ttnn, device):
    """A TILE weight is taken (brought to ROW_MAJOR on the card) and gives a TILE output, as CLIP's tutorials use
    it; dtype applies to a TILE output only, and a card refuses it where a ROW_MAJOR weight leaves the layout."""
    table = torch.randn(50, 64)
    ids = ttnn.from_torch(torch.tensor([[3, 7, 49, 0] * 8]), dtype=ttnn.uint32, device=device)
    tiled = on_device(ttnn, device, table)
    out = ttnn.embedding(ids, tiled)
    assert out.layout == ttnn.TILE_LAYOUT and out.dtype == ttnn.bfloat16
    assert torch.equal(ttnn.to_torch(out), ttnn.to_torch(tiled)[torch.tensor([[3, 7, 49, 0] * 8])])
    assert ttnn.embedding(ids, tiled, layout=ttnn.ROW_MAJOR_LAYOUT).layout == ttnn.ROW_MAJOR_LAYOUT
    assert ttnn.embedding(ids, tiled, dtype=ttnn.bfloat8_b).dtype == ttnn.bfloat8_b
    rows = ttnn.from_torch(table, dtype=ttnn.bfloat16, device=device)
    assert ttnn.embedding(ids, rows, layout=ttnn.TILE_LAYOUT, dtype=ttnn.bfloat8_b).dtype == ttnn.bfloat8_b
    from bertlib.emulator import recording

    with recording() as trace:
        assert ttnn.embedding(ids, rows, layout=ttnn.ROW_MAJOR_LAYOUT, dtype=ttnn.float32).dtype == ttnn.bfloat16
    assert [op for op, hints in trace.hints if "not applied" in hints.get("dtype", "")] == ["embedding"]
    with pytest.raises(RuntimeError, match="Can only typecast output embeddings when producing TILE_LAYOUT"):
        ttnn.embedding(ids, rows, dtype=ttnn.bfloat8_b)
    with pytest.raises(RuntimeError, match="Weights tensor must have BFLOAT16"):
        ttnn.embedding(ids, on_device(ttnn, device, table, dtype=ttnn.bfloat8_b))
