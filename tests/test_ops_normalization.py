"""The emulated normalisations: rms_norm, group_norm, softmax_in_place, scale_causal_mask_hw_dims_softmax_in_place."""

import pytest
import torch

from bertlib.emulator import UnsupportedTTNNOp, recording

TOL = 2**-7


@pytest.fixture(scope="module")
def make(ttnn, device):
    def make(values, dtype=None, layout=None, memory_config=None):
        return ttnn.from_torch(values, dtype=dtype or ttnn.bfloat16, layout=layout or ttnn.TILE_LAYOUT, device=device,
                               memory_config=memory_config)

    return make


def stored(ttnn, t):
    return ttnn.to_torch(t).to(torch.float32)


def rms(x, weight=None, bias=None, eps=1e-6):
    out = x.double() * torch.rsqrt(x.double().pow(2).mean(-1, keepdim=True) + eps)
    out = out if weight is None else out * weight.double()
    return (out if bias is None else out + bias.double()).float()


# ------------------------------------------------------------------------------------------------------- rms_norm
@pytest.mark.parametrize("dtype_name", ["bfloat16", "float32", "bfloat8_b"])
def test_rms_norm_values(ttnn, make, dtype_name):
    torch.manual_seed(0)
    dtype = getattr(ttnn, dtype_name)
    x = make(torch.randn(2, 50, 70), dtype=dtype)  # 50x70: tile-padded rows and width
    weight, bias = make(torch.rand(70) + 0.5), make(torch.randn(70))
    out = ttnn.rms_norm(x, weight=weight, bias=bias, epsilon=1e-6)
    assert out.dtype == dtype and out.layout == ttnn.TILE_LAYOUT and tuple(out.shape) == (2, 50, 70)
    ref = rms(stored(ttnn, x), stored(ttnn, weight), stored(ttnn, bias))
    tol = 2**-20 if dtype == ttnn.float32 else 2**-5 if dtype == ttnn.bfloat8_b else TOL
    torch.testing.assert_close(stored(ttnn, out), ref, rtol=tol, atol=tol * float(ref.abs().max()))


def test_rms_norm_row_major_weight_residual_and_trace(ttnn, make):
    torch.manual_seed(1)
    x, residual = make(torch.randn(64, 96)), make(torch.randn(64, 96))
    weight = torch.rand(96) + 0.5
    sticks = make(weight.reshape(1, 1, 3, 32), layout=ttnn.ROW_MAJOR_LAYOUT)
    with recording() as trace:
        out = ttnn.rms_norm(x, weight=sticks, residual_input_tensor=residual)
    summed = (stored(ttnn, x) + stored(ttnn, residual)).to(torch.bfloat16).float()  # the sum is stored as bfloat16
    ref = rms(summed, stored(ttnn, sticks).reshape(-1), eps=1e-12)
    torch.testing.assert_close(stored(ttnn, out), ref, rtol=TOL, atol=TOL * float(ref.abs().max()))
    record = trace.records[0]
    assert (record.op, record.math_fidelity, len(record.input_shapes)) == ("rms_norm", "HiFi4", 3)


def test_rms_norm_refusals(ttnn, make):
    x = make(torch.randn(32, 64))
    with pytest.raises(RuntimeError, match="needs TILE layout inputs"):
        ttnn.rms_norm(make(torch.randn(32, 64), layout=ttnn.ROW_MAJOR_LAYOUT))
    with pytest.raises(RuntimeError, match="last dim must be TILE_WIDTH"):
        ttnn.rms_norm(x, weight=make(torch.rand(1, 64), layout=ttnn.ROW_MAJOR_LAYOUT))
    with pytest.raises(RuntimeError, match="last padded dim must be the input's"):
        ttnn.rms_norm(x, weight=make(torch.rand(1, 96)))
    with pytest.raises(RuntimeError, match="residual_input_tensor must have the input's padded shape"):
        ttnn.rms_norm(x, residual_input_tensor=make(torch.randn(64, 64)))
    with pytest.raises(RuntimeError, match="got DataType.INT32"):
        ttnn.rms_norm(make(torch.ones(32, 32, dtype=torch.int32), dtype=ttnn.int32))


def test_rms_norm_sharded_in_place(ttnn, make, device):
    torch.manual_seed(2)
    shape = (1, 1, 64, 256)
    config = ttnn.create_sharded_memory_config(shape, core_grid=ttnn.CoreGrid(y=2, x=2),
                                               strategy=ttnn.ShardStrategy.BLOCK)
    x = make(torch.randn(shape), memory_config=config)
    before = stored(ttnn, x)
    program = ttnn.LayerNormShardedMultiCoreProgramConfig(compute_with_storage_grid_size=(2, 2), subblock_w=2,
                                                          block_h=1, block_w=4, inplace=True)
    out = ttnn.rms_norm(x, program_config=program, memory_config=config)
    assert out is x
    torch.testing.assert_close(stored(ttnn, x), rms(before, eps=1e-12), rtol=TOL, atol=TOL * 4)
    height = ttnn.create_sharded_memory_config(shape, core_grid=ttnn.CoreGrid(y=2, x=1),
                                               strategy=ttnn.ShardStrategy.HEIGHT)
    with pytest.raises(RuntimeError, match="cannot be height-sharded"):
        ttnn.rms_norm(make(torch.randn(shape), memory_config=height), memory_config=height)


# ----------------------------------------------------------------------------------------------------- group_norm
def nhwc(x):
    n, c, h, w = x.shape
    return x.permute(0, 2, 3, 1).reshape(n, 1, h * w, c)


@pytest.mark.parametrize("dtype_name", ["bfloat16", "float32"])
@pytest.mark.parametrize("hw", [(8, 8), (5, 10)])  # 50 pixels: not tile-aligned
def test_group_norm_values(ttnn, real_ttnn, make, device, dtype_name, hw):
    torch.manual_seed(3)
    dtype = getattr(ttnn, dtype_name)
    n, c, groups = 2, 64, 4
    x = torch.randn(n, c, *hw)
    weight, bias = torch.rand(c) + 0.5, torch.randn(c)
    t = make(nhwc(x), dtype=dtype)
    mask = ttnn.to_device(real_ttnn.create_group_norm_input_mask(c, groups, 1), device)
    w = make(real_ttnn.create_group_norm_weight_bias_rm(weight, c, 1), layout=ttnn.ROW_MAJOR_LAYOUT)
    b = make(real_ttnn.create_group_norm_weight_bias_rm(bias, c, 1), layout=ttnn.ROW_MAJOR_LAYOUT)
    out = ttnn.group_norm(t, num_groups=groups, input_mask=mask, weight=w, bias=b, epsilon=1e-5,
                          core_grid=ttnn.CoreGrid(y=1, x=1), inplace=False)
    assert out.dtype == dtype and out.layout == ttnn.TILE_LAYOUT and tuple(out.shape) == tuple(t.shape)
    values = stored(ttnn, t).reshape(n, *hw, c).permute(0, 3, 1, 2)
    ref = nhwc(torch.nn.functional.group_norm(values.double(), groups, stored(ttnn, w).reshape(-1).double(),
                                              stored(ttnn, b).reshape(-1).double(), eps=1e-5)).float()
    tol = 2**-20 if dtype == ttnn.float32 else TOL
    torch.testing.assert_close(stored(ttnn, out), ref, rtol=tol, atol=tol * float(ref.abs().max()))


def test_group_norm_packed_weights_and_no_affine(ttnn, real_ttnn, make):
    """96 channels on 2 cores: 48 per core, each chunk padded to 64 as create_group_norm_weight_bias_rm packs it."""
    torch.manual_seed(4)
    c, groups = 96, 6
    x = torch.randn(1, c, 4, 8)
    t = make(nhwc(x))
    weight = torch.rand(c) + 0.5
    packed = real_ttnn.create_group_norm_weight_bias_rm(weight, c, 2)
    assert packed.numel() == 128
    out = ttnn.group_norm(t, num_groups=groups, weight=make(packed, layout=ttnn.ROW_MAJOR_LAYOUT))
    values = stored(ttnn, t).reshape(1, 4, 8, c).permute(0, 3, 1, 2)
    wb = weight.to(torch.bfloat16).float()
    ref = nhwc(torch.nn.functional.group_norm(values.double(), groups, wb.double(), eps=1e-12)).float()
    torch.testing.assert_close(stored(ttnn, out), ref, rtol=TOL, atol=TOL * float(ref.abs().max()))
    plain = ttnn.group_norm(t, num_groups=groups)
    ref = nhwc(torch.nn.functional.group_norm(values.double(), groups, eps=1e-12)).float()
    torch.testing.assert_close(stored(ttnn, plain), ref, rtol=TOL, atol=TOL * float(ref.abs().max()))


def test_group_norm_refusals(ttnn, real_ttnn, make, device):
    t = make(torch.randn(1, 1, 64, 64))
    with pytest.raises(RuntimeError, match=r"expects a \[N, 1, H\*W, C\] input"):
        ttnn.group_norm(make(torch.randn(1, 2, 64, 64)), num_groups=4)
    with pytest.raises(RuntimeError, match="must be a multiple of 32 and of num_groups"):
        ttnn.group_norm(make(torch.randn(1, 1, 64, 48)), num_groups=4)
    with pytest.raises(RuntimeError, match="must be a multiple of 32 and of num_groups"):
        ttnn.group_norm(t, num_groups=5)
    with pytest.raises(RuntimeError, match="an interleaved input must be in TILE layout"):
        ttnn.group_norm(make(torch.randn(1, 1, 64, 64), layout=ttnn.ROW_MAJOR_LAYOUT), num_groups=4)
    with pytest.raises(RuntimeError, match="dtype \\(DataType.FLOAT32\\) must equal the input's"):
        ttnn.group_norm(t, num_groups=4, dtype=ttnn.float32)
    with pytest.raises(RuntimeError, match="num_out_blocks needs an explicit core_grid"):
        ttnn.group_norm(t, num_groups=4, num_out_blocks=2)
    wrong = ttnn.to_device(real_ttnn.create_group_norm_input_mask(64, 2, 1), device)
    with pytest.raises(RuntimeError, match="input_mask must be \\[1, num_groups, 32"):
        ttnn.group_norm(t, num_groups=4, input_mask=wrong)
    scrambled = make(torch.ones(1, 4, 32, 32))
    with pytest.raises(UnsupportedTTNNOp, match="input_mask"):
        ttnn.group_norm(t, num_groups=4, input_mask=scrambled)
    with pytest.raises(RuntimeError, match="not the 64 channels"):
        ttnn.group_norm(t, num_groups=4, weight=make(torch.ones(1, 1, 3, 32), layout=ttnn.ROW_MAJOR_LAYOUT))
    with pytest.raises(RuntimeError, match="negative_mask can be used only with ROW_MAJOR sharded inputs"):
        ttnn.group_norm(t, num_groups=4, negative_mask=make(torch.ones(1, 4, 32, 32)))
    width = ttnn.create_sharded_memory_config((1, 1, 64, 64), core_grid=ttnn.CoreGrid(y=1, x=2),
                                              strategy=ttnn.ShardStrategy.WIDTH)
    with pytest.raises(RuntimeError, match="width-sharding is not supported"):
        ttnn.group_norm(make(torch.randn(1, 1, 64, 64), memory_config=width), num_groups=4)


def test_group_norm_tile_input_is_not_overwritten_and_is_traced(ttnn, make):
    t = make(torch.randn(1, 1, 64, 64))
    before = stored(ttnn, t)
    with recording() as trace:
        out = ttnn.group_norm(t, num_groups=4)  # inplace=True by default, which a card ignores for TILE inputs
    assert out is not t and torch.equal(stored(ttnn, t), before)
    assert trace.records[0].op == "group_norm" and trace.records[0].output_shape == (1, 1, 64, 64)


# ------------------------------------------------------------------------------------------------ softmax variants
@pytest.mark.parametrize("dim", [-1, 0, 2])
def test_softmax_in_place(ttnn, make, dim):
    torch.manual_seed(5)
    x = make(torch.randn(3, 4, 50, 70))
    values = stored(ttnn, x)
    out = ttnn.softmax_in_place(x, dim)
    assert out is x
    torch.testing.assert_close(stored(ttnn, x), torch.softmax(values.double(), dim).float(), rtol=2**-6, atol=2**-8)


def test_softmax_in_place_config_and_refusals(ttnn, make):
    x = make(torch.randn(1, 1, 64, 64), dtype=ttnn.float32)
    config = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, math_approx_mode=False,
                                             fp32_dest_acc_en=True)
    values = stored(ttnn, x)
    with recording() as trace:
        ttnn.softmax_in_place(x, compute_kernel_config=config, program_config=ttnn.SoftmaxDefaultProgramConfig())
    torch.testing.assert_close(stored(ttnn, x), torch.softmax(values, -1), rtol=1e-6, atol=1e-7)
    assert trace.records[0].op == "softmax_in_place"
    with pytest.raises(RuntimeError, match="needs TILE layout inputs"):
        ttnn.softmax_in_place(make(torch.randn(4, 4), layout=ttnn.ROW_MAJOR_LAYOUT))
    with pytest.raises(RuntimeError, match="dim 4 is out of range"):
        ttnn.softmax_in_place(x, 4)


def sharded_scores(ttnn, make, heads=2, h=64, w=64):
    shape = (1, heads, h, w)
    memory = ttnn.create_sharded_memory_config(shape, core_grid=ttnn.CoreGrid(y=1, x=heads),
                                               strategy=ttnn.ShardStrategy.HEIGHT)
    program = ttnn.SoftmaxShardedMultiCoreProgramConfig(compute_with_storage_grid_size=(heads, 1), subblock_w=2,
                                                        block_h=h // 32, block_w=w // 32)
    return make(torch.randn(shape), memory_config=memory), program


def test_scale_causal_mask_hw_dims_softmax_in_place(ttnn, make):
    torch.manual_seed(6)
    x, program = sharded_scores(ttnn, make)
    values = stored(ttnn, x)
    causal = torch.triu(torch.full((64, 64), -1e9), diagonal=1).reshape(1, 1, 64, 64)
    mask = make(causal)
    out = ttnn.scale_causal_mask_hw_dims_softmax_in_place(x, 0.5, mask, program_config=program)
    assert out is x
    ref = torch.softmax(values.double() * 0.5 + stored(ttnn, mask).double(), -1).float()
    torch.testing.assert_close(stored(ttnn, x), ref, rtol=2**-6, atol=2**-8)
    assert float(stored(ttnn, x)[0, 0, 0, 1:].abs().max()) == 0.0  # row 0 sees only key 0


def test_scale_causal_mask_hw_dims_refusals(ttnn, make):
    x, program = sharded_scores(ttnn, make)
    interleaved = make(torch.randn(1, 2, 64, 64))
    with pytest.raises(RuntimeError, match="needs a sharded input and a ttnn.SoftmaxShardedMultiCoreProgramConfig"):
        ttnn.scale_causal_mask_hw_dims_softmax_in_place(interleaved, 1.0, None)
    with pytest.raises(RuntimeError, match=r"shape \[1, 1, H, W\]"):
        ttnn.scale_causal_mask_hw_dims_softmax_in_place(x, 1.0, make(torch.zeros(1, 2, 64, 64)),
                                                        program_config=program)


def test_layer_norm_checks_its_weight_as_rms_norm_does(ttnn, make):
    """Both share tt-metal's layernorm validation: ROW_MAJOR gamma/beta come as sticks of 32, TILE ones span the
    input's padded width; a 1-D ROW_MAJOR gamma of the full width is refused, not broadcast."""
    torch.manual_seed(2)
    x, gamma = make(torch.randn(64, 96)), torch.rand(96) + 0.5
    sticks = ttnn.layer_norm(x, weight=make(gamma.reshape(3, 32), layout=ttnn.ROW_MAJOR_LAYOUT))
    tiled = ttnn.layer_norm(x, weight=make(gamma.reshape(1, 96)))
    assert torch.equal(stored(ttnn, sticks), stored(ttnn, tiled))
    with pytest.raises(RuntimeError, match=r"ttnn.layer_norm: a ROW_MAJOR weight's last dim must be TILE_WIDTH"):
        ttnn.layer_norm(x, weight=make(gamma, layout=ttnn.ROW_MAJOR_LAYOUT))
    with pytest.raises(RuntimeError, match=r"ttnn.layer_norm: a TILE bias's last padded dim"):
        ttnn.layer_norm(x, bias=make(torch.rand(1, 128)))
