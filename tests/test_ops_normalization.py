"""The emulated normalisations: rms_norm, group_norm, softmax_in_place, scale_causal_mask_hw_dims_softmax_in_place."""

import pytest
import torch
from op_helpers import stored

from bertlib.emulator import UnsupportedTTNNOp, recording

TOL = 2**-7


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


def layer_norm_ref(x, weight=None, bias=None, eps=1e-12):
    return torch.nn.functional.layer_norm(x.double(), (x.shape[-1],), None if weight is None else weight.double(),
                                          None if bias is None else bias.double(), eps=eps).float()


@pytest.mark.parametrize("op_name", ["layer_norm", "rms_norm"])
@pytest.mark.parametrize("width", [42, 127])
def test_norm_row_major_weight_of_a_partial_tile(ttnn, make, op_name, width):
    """ROW_MAJOR sticks hold the input's padded width; only the first ``width`` values weigh the columns."""
    torch.manual_seed(3)
    padded_width = -(-width // 32) * 32
    x, gamma, beta = torch.randn(32, width), torch.rand(width) + 0.5, torch.randn(width)

    def sticks(v):
        return make(torch.cat([v, torch.full((padded_width - width,), 7.0)]).reshape(-1, 32),
                    layout=ttnn.ROW_MAJOR_LAYOUT)

    out = getattr(ttnn, op_name)(make(x), weight=sticks(gamma), bias=sticks(beta), epsilon=1e-6)
    xs = stored(ttnn, make(x))
    g, b = gamma.to(torch.bfloat16).float(), beta.to(torch.bfloat16).float()
    ref = layer_norm_ref(xs, g, b, 1e-6) if op_name == "layer_norm" else rms(xs, g, b)
    torch.testing.assert_close(stored(ttnn, out), ref, rtol=2**-6, atol=2**-6 * float(ref.abs().max()))
    with pytest.raises(RuntimeError, match="its volume the input's padded width"):  # too many sticks
        getattr(ttnn, op_name)(make(x), weight=make(torch.rand(padded_width // 32 + 1, 32),
                                                     layout=ttnn.ROW_MAJOR_LAYOUT))


def test_norm_tile_weight_rules(ttnn, make):
    """A TILE weight is one tile high (a card broadcasts its first row); one narrower than the input would have a
    card read its tile padding, which the emulator refuses by name."""
    torch.manual_seed(4)
    x, gamma = make(torch.randn(64, 96)), torch.rand(96) + 0.5
    one_row = ttnn.layer_norm(x, weight=make(gamma.reshape(1, 96)))
    ref = layer_norm_ref(stored(ttnn, x), gamma.to(torch.bfloat16).float())
    torch.testing.assert_close(stored(ttnn, one_row), ref, rtol=TOL, atol=TOL * float(ref.abs().max()))
    with pytest.raises(RuntimeError, match="tensor height must be TILE_HEIGHT"):
        ttnn.layer_norm(x, weight=make(torch.rand(64, 96)))
    with pytest.raises(UnsupportedTTNNOp, match="tile padding"):
        ttnn.layer_norm(make(torch.randn(32, 42)), weight=make(torch.rand(1, 40)))
    with pytest.raises(RuntimeError, match="Welford's algorithm is not supported for RMSNorm"):
        ttnn.rms_norm(x, program_config=ttnn.LayerNormDefaultProgramConfig(use_welford=True))


def full_grid(ttnn, device):
    grid = device.compute_with_storage_grid_size()
    return ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(grid.x - 1, grid.y - 1))})


def test_create_layer_norm_reciprocals(ttnn, device):
    cores = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(1, 2))})
    table = ttnn.create_layer_norm_reciprocals(device, cores, 40)
    assert tuple(table.shape) == (6, 40) and table.dtype == ttnn.float32 and table.layout == ttnn.ROW_MAJOR_LAYOUT
    config = table.memory_config()
    assert config.memory_layout == ttnn.TensorMemoryLayout.HEIGHT_SHARDED and config.buffer_type == ttnn.BufferType.L1
    assert tuple(config.shard_spec.shape) == (1, 40) and config.shard_spec.grid == cores
    expected = (1.0 / torch.arange(1, 41, dtype=torch.float64)).float()
    assert torch.equal(ttnn.to_torch(table), expected.expand(6, -1))


def test_welford_layer_norm_reads_its_reciprocal_table(ttnn, make, device):
    torch.manual_seed(5)
    x = make(torch.randn(64, 42))
    welford = ttnn.LayerNormDefaultProgramConfig(use_welford=True)
    table = ttnn.create_layer_norm_reciprocals(device, full_grid(ttnn, device), 42)
    out = ttnn.layer_norm(x, program_config=welford, recip_tensor=table)
    ref = layer_norm_ref(stored(ttnn, x))
    torch.testing.assert_close(stored(ttnn, out), ref, rtol=TOL, atol=TOL * float(ref.abs().max()))
    wider = ttnn.create_layer_norm_reciprocals(device, full_grid(ttnn, device), 64)  # a wider table: its prefix
    assert torch.equal(stored(ttnn, ttnn.layer_norm(x, program_config=welford, recip_tensor=wider)), stored(ttnn, out))
    # without Welford a card does not read the table
    plain = ttnn.layer_norm(x, program_config=ttnn.LayerNormDefaultProgramConfig(), recip_tensor=table)
    assert torch.equal(stored(ttnn, plain), stored(ttnn, ttnn.layer_norm(x)))
    with pytest.raises(RuntimeError, match="Reciprocal tensor not provided for Welford layernorm"):
        ttnn.layer_norm(x, program_config=welford)
    narrow = ttnn.create_layer_norm_reciprocals(device, full_grid(ttnn, device), 41)
    with pytest.raises(UnsupportedTTNNOp, match="1/1 .. 1/42"):
        ttnn.layer_norm(x, program_config=welford, recip_tensor=narrow)
    one_core = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(0, 0))})
    with pytest.raises(UnsupportedTTNNOp, match="on every core"):  # two tile rows run on two cores
        ttnn.layer_norm(x, program_config=welford,
                        recip_tensor=ttnn.create_layer_norm_reciprocals(device, one_core, 42))
    grid = device.compute_with_storage_grid_size()
    other = ttnn.from_torch(torch.ones(grid.x * grid.y, 42), dtype=ttnn.float32, layout=ttnn.ROW_MAJOR_LAYOUT,
                            device=device, memory_config=table.memory_config())
    with pytest.raises(UnsupportedTTNNOp, match="other values"):
        ttnn.layer_norm(x, program_config=welford, recip_tensor=other)
    with pytest.raises(UnsupportedTTNNOp, match="HEIGHT_SHARDED L1 table"):
        ttnn.layer_norm(x, program_config=welford,
                        recip_tensor=ttnn.from_torch(torch.ones(1, 42), dtype=ttnn.float32, device=device))


@pytest.mark.parametrize("shape,dim", [((2, 128, 64), -2), ((1, 2, 64, 64), -2), ((2, 32, 64), -1)])
def test_softmax_general_kernels_are_always_stable(ttnn, make, shape, dim):
    """Only a rank-4 last-dim softmax runs the attention kernel that honours numeric_stable=False; tt-metal's
    general kernels subtract the max anyway, so logits far beyond exp's range still give a finite softmax."""
    torch.manual_seed(6)
    x = make(torch.empty(shape).uniform_(-1e3, 1e3))
    out = stored(ttnn, ttnn.softmax(x, dim=dim, numeric_stable=False))
    assert torch.isfinite(out).all()
    assert torch.equal(out, stored(ttnn, ttnn.softmax(x, dim=dim, numeric_stable=True)))
    ref = torch.softmax(stored(ttnn, x).double(), dim).float()
    torch.testing.assert_close(out, ref, rtol=2**-6, atol=2**-8)
    with pytest.raises(RuntimeError, match="Dimension out of range"):
        ttnn.softmax(x, dim=len(shape))


def test_softmax_over_another_dim_is_another_program(ttnn):
    """A card's program hash holds the softmax's dim: each dim compiles its own program, a repeat reuses one."""
    device = ttnn.open_device(device_id=5)
    try:
        x = ttnn.from_torch(torch.randn(1, 1, 2, 32, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        for dim in (-1, -2, -1):
            ttnn.softmax(x, dim=dim)
        assert device.num_program_cache_entries() == 2
    finally:
        ttnn.close_device(device)
