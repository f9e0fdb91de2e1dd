"""The emulated convolution family: conv2d (with prepared weights and bias) and max_pool2d, against torch."""

import pytest
import torch

from bertlib.emulator import UnsupportedTTNNOp, recording


def image(ttnn, device, n, c, h, w, *, flat=True, dtype=None, seed=0):
    """A random NCHW image, and the same as a device tensor in NHWC (flattened to (1, 1, N*H*W, C))."""
    torch.manual_seed(seed)
    nchw = torch.randn(n, c, h, w)
    nhwc = nchw.permute(0, 2, 3, 1)
    nhwc = nhwc.reshape(1, 1, n * h * w, c) if flat else nhwc
    return nchw, ttnn.from_torch(nhwc, dtype=dtype or ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)


def host(ttnn, values, dtype=None):
    return ttnn.from_torch(values, dtype=dtype or ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT)


def as_nchw(ttnn, t, n, oh, ow):
    return ttnn.to_torch(t).float().reshape(n, oh, ow, -1).permute(0, 3, 1, 2)


def reference(x, w, b, stride, padding, dilation, groups):
    """torch's conv2d in float64 on the bfloat16-rounded operands the card holds."""
    bf = [None if t is None else t.to(torch.bfloat16).double() for t in (x, w, b)]
    return torch.nn.functional.conv2d(bf[0], bf[1], None if b is None else bf[2].reshape(-1), stride=stride,
                                      padding=padding, dilation=dilation, groups=groups)


def pcc(a, b):
    return torch.corrcoef(torch.stack([a.flatten().double(), b.flatten().double()]))[0, 1].item()


CASES = [  # n, c, h, w, o, kernel, stride, padding, dilation, groups
    (1, 3, 8, 8, 4, (3, 3), (1, 1), (1, 1), (1, 1), 1),
    (2, 16, 9, 7, 32, (3, 3), (2, 2), (1, 1), (1, 1), 1),
    (1, 8, 10, 10, 16, (3, 2), (1, 2), (2, 0), (2, 1), 1),
    (1, 16, 6, 6, 8, (3, 3), (1, 1), (1, 1), (1, 1), 4),
    (1, 32, 5, 5, 64, (1, 1), (1, 1), (0, 0), (1, 1), 1),
]


@pytest.mark.parametrize("n,c,h,w,o,kernel,stride,padding,dilation,groups", CASES)
def test_conv2d_matches_torch(ttnn, device, n, c, h, w, o, kernel, stride, padding, dilation, groups):
    x, tx = image(ttnn, device, n, c, h, w)
    weight, bias = torch.randn(o, c // groups, *kernel), torch.randn(1, 1, 1, o)
    out, (oh, ow) = ttnn.conv2d(
        input_tensor=tx, weight_tensor=host(ttnn, weight), bias_tensor=host(ttnn, bias), device=device,
        in_channels=c, out_channels=o, batch_size=n, input_height=h, input_width=w, kernel_size=kernel,
        stride=stride, padding=padding, dilation=dilation, groups=groups, return_output_dim=True)
    ref = reference(x, weight, bias, stride, padding, dilation, groups)
    assert (oh, ow) == tuple(ref.shape[2:])
    assert tuple(out.shape) == (1, 1, n * oh * ow, o) and out.dtype == ttnn.bfloat16 and out.layout == ttnn.TILE_LAYOUT
    got = as_nchw(ttnn, out, n, oh, ow).double()
    assert pcc(got, ref) >= 0.999
    # HiFi4 products, bfloat16 accumulation per 32 products and a bfloat16 result
    k = c // groups * kernel[0] * kernel[1]
    assert (got - ref).abs().max() <= 2**-7 * (1 + k // 32) * ref.abs().max()


def test_conv2d_float32_with_fp32_accumulation_is_torchs(ttnn, device):
    x, tx = image(ttnn, device, 1, 8, 6, 6, dtype=ttnn.float32)
    weight = torch.randn(4, 8, 3, 3)
    out = ttnn.conv2d(input_tensor=tx, weight_tensor=host(ttnn, weight, ttnn.float32), device=device, in_channels=8,
                      out_channels=4, batch_size=1, input_height=6, input_width=6, kernel_size=(3, 3),
                      padding=(1, 1))
    assert out.dtype == ttnn.float32
    ref = torch.nn.functional.conv2d(x.double(), weight.double(), padding=1)
    assert torch.allclose(as_nchw(ttnn, out, 1, 6, 6).double(), ref, atol=1e-5, rtol=1e-5)


def conv_args(ttnn, device, tx, weight, **extra):
    return dict(input_tensor=tx, weight_tensor=weight, device=device, in_channels=16, out_channels=32, batch_size=1,
                input_height=8, input_width=8, kernel_size=(3, 3), padding=(1, 1), **extra)


def test_conv2d_takes_an_nhwc_input_and_groups_zero_as_one(ttnn, device):
    _, flat = image(ttnn, device, 1, 16, 8, 8)
    _, nhwc = image(ttnn, device, 1, 16, 8, 8, flat=False)
    weight = host(ttnn, torch.randn(32, 16, 3, 3))
    first = ttnn.conv2d(**conv_args(ttnn, device, flat, weight))
    second = ttnn.conv2d(**conv_args(ttnn, device, nhwc, weight, groups=0))
    assert torch.equal(ttnn.to_torch(first), ttnn.to_torch(second))


def test_conv2d_without_device_runs_on_its_inputs_device(ttnn, device):
    """tt-metal's CLIP tutorial leaves device= out; the input's device runs it, and a host input is refused."""
    _, tx = image(ttnn, device, 1, 16, 8, 8)
    weight = host(ttnn, torch.randn(32, 16, 3, 3))
    args = conv_args(ttnn, device, tx, weight)
    named = ttnn.to_torch(ttnn.conv2d(**args))
    del args["device"]
    assert torch.equal(ttnn.to_torch(ttnn.conv2d(**args)), named)
    args["input_tensor"] = ttnn.from_device(tx)
    with pytest.raises(TypeError, match="pass device="):
        ttnn.conv2d(**args)


def test_conv2d_activation_and_output_layout(ttnn, device):
    _, tx = image(ttnn, device, 1, 16, 8, 8)
    weight = host(ttnn, torch.randn(32, 16, 3, 3))
    plain = ttnn.to_torch(ttnn.conv2d(**conv_args(ttnn, device, tx, weight)))
    relu = ttnn.Conv2dConfig(activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.RELU),
                             output_layout=ttnn.ROW_MAJOR_LAYOUT)
    out = ttnn.conv2d(**conv_args(ttnn, device, tx, weight, conv_config=relu))
    assert out.layout == ttnn.ROW_MAJOR_LAYOUT
    assert torch.equal(ttnn.to_torch(out), torch.relu(plain)) and (plain < 0).any()


def test_conv2d_weights_dtype_rounds_the_weights(ttnn, device):
    x, tx = image(ttnn, device, 1, 16, 8, 8)
    weight = torch.randn(32, 16, 3, 3)
    bf16 = ttnn.to_torch(ttnn.conv2d(**conv_args(ttnn, device, tx, host(ttnn, weight))))
    config = ttnn.Conv2dConfig(weights_dtype=ttnn.bfloat8_b)
    out, (w, b) = ttnn.conv2d(**conv_args(ttnn, device, tx, host(ttnn, weight), conv_config=config),
                              return_weights_and_bias=True)
    assert w.dtype == ttnn.bfloat8_b and w.layout == ttnn.TILE_LAYOUT and b is None
    block = ttnn.to_torch(out)
    assert not torch.equal(block, bf16) and pcc(block, bf16) >= 0.999


def test_prepared_weights_and_bias_give_the_same_result(ttnn, device):
    _, tx = image(ttnn, device, 1, 16, 8, 8)
    weight, bias = host(ttnn, torch.randn(32, 16, 3, 3)), host(ttnn, torch.randn(1, 1, 1, 32))
    geometry = dict(input_memory_config=ttnn.DRAM_MEMORY_CONFIG, input_layout=ttnn.ROW_MAJOR_LAYOUT, in_channels=16,
                    out_channels=32, batch_size=1, input_height=8, input_width=8, kernel_size=(3, 3), stride=(1, 1),
                    padding=(1, 1), dilation=(1, 1), groups=1, device=device, input_dtype=ttnn.bfloat16)
    pw = ttnn.prepare_conv_weights(weight_tensor=weight, weights_format="OIHW", has_bias=True, **geometry)
    pb = ttnn.prepare_conv_bias(bias_tensor=bias, **geometry)
    assert pw.storage_type() == ttnn.StorageType.DEVICE and pw.layout == ttnn.TILE_LAYOUT
    direct, (w, b) = ttnn.conv2d(**conv_args(ttnn, device, tx, weight, bias_tensor=bias), return_weights_and_bias=True)
    again = ttnn.conv2d(**conv_args(ttnn, device, tx, pw, bias_tensor=pb))
    reused = ttnn.conv2d(**conv_args(ttnn, device, tx, w, bias_tensor=b))
    assert torch.equal(ttnn.to_torch(direct), ttnn.to_torch(again))
    assert torch.equal(ttnn.to_torch(direct), ttnn.to_torch(reused))
    with pytest.raises(UnsupportedTTNNOp, match="prepared"):
        ttnn.conv2d(**{**conv_args(ttnn, device, tx, pw), "padding": (0, 0)})
    with pytest.raises(RuntimeError, match="OIHW"):
        ttnn.prepare_conv_weights(weight_tensor=weight, weights_format="HWIO", has_bias=True, **geometry)


def test_conv2d_device_weights_are_prepared_again_with_a_warning(ttnn, device):
    _, tx = image(ttnn, device, 1, 16, 8, 8)
    weight = torch.randn(32, 16, 3, 3)
    on_device = ttnn.from_torch(weight, dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)
    with pytest.warns(UserWarning, match="Device weights not properly prepared") as caught:
        out = ttnn.conv2d(**conv_args(ttnn, device, tx, on_device))
    assert caught[0].filename == __file__  # the warning points at the caller
    assert torch.equal(ttnn.to_torch(out), ttnn.to_torch(ttnn.conv2d(**conv_args(ttnn, device, tx,
                                                                                    host(ttnn, weight)))))


def test_conv2d_refusals_and_hints(ttnn, device):
    _, tx = image(ttnn, device, 1, 16, 8, 8)
    weight = host(ttnn, torch.randn(32, 16, 3, 3))
    args = conv_args(ttnn, device, tx, weight)
    with pytest.raises(RuntimeError, match="OIHW"):
        ttnn.conv2d(**{**args, "weight_tensor": host(ttnn, torch.randn(32, 8, 3, 3))})
    with pytest.raises(RuntimeError, match="batch_size"):
        ttnn.conv2d(**{**args, "input_height": 4})
    with pytest.raises(RuntimeError, match="Row Major"):
        ttnn.conv2d(**args, dtype=ttnn.bfloat8_b, conv_config=ttnn.Conv2dConfig(output_layout=ttnn.ROW_MAJOR_LAYOUT))
    with pytest.raises(UnsupportedTTNNOp, match="activation"):
        ttnn.conv2d(**args, conv_config=ttnn.Conv2dConfig(activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.EXP)))
    with recording() as trace:
        ttnn.conv2d(**args, conv_config=ttnn.Conv2dConfig(shard_layout=ttnn.TensorMemoryLayout.HEIGHT_SHARDED,
                                                          deallocate_activation=True))
    assert trace.hints == [("conv2d", {"shard_layout": repr(ttnn.TensorMemoryLayout.HEIGHT_SHARDED)})]
    assert [r.op for r in trace.records] == ["conv2d"]
    assert not tx.is_allocated()  # deallocate_activation frees the input


POOLS = [  # n, c, h, w, kernel, stride, padding, dilation, ceil_mode
    (1, 16, 32, 32, [2, 2], [2, 2], [0, 0], [1, 1], False),
    (2, 32, 9, 11, [3, 3], [2, 2], [1, 1], [1, 1], False),
    (1, 8, 9, 9, [3, 3], [2, 2], [1, 1], [1, 1], True),
    (1, 8, 10, 10, [3, 2], [1, 2], [1, 0], [2, 1], False),
]


@pytest.mark.parametrize("n,c,h,w,kernel,stride,padding,dilation,ceil_mode", POOLS)
def test_max_pool2d_is_torchs_exactly(ttnn, device, n, c, h, w, kernel, stride, padding, dilation, ceil_mode):
    x, tx = image(ttnn, device, n, c, h, w)
    out = ttnn.max_pool2d(tx, n, h, w, c, kernel, stride, padding, dilation, ceil_mode)
    ref = torch.nn.functional.max_pool2d(x.to(torch.bfloat16).float(), kernel, stride, padding, dilation,
                                         ceil_mode=ceil_mode)
    oh, ow = ref.shape[2:]
    assert tuple(out.shape) == (1, 1, n * oh * ow, c)
    assert out.dtype == ttnn.bfloat16 and out.layout == ttnn.ROW_MAJOR_LAYOUT
    assert torch.equal(as_nchw(ttnn, out, n, oh, ow), ref)


def test_max_pool2d_unequal_padding_and_refusals(ttnn, device):
    x, tx = image(ttnn, device, 1, 8, 6, 6)
    out = ttnn.max_pool2d(tx, 1, 6, 6, 8, [2, 2], [2, 2], [1, 0, 0, 1], [1, 1], dtype=ttnn.bfloat8_b,
                          output_layout=ttnn.TILE_LAYOUT)
    padded = torch.nn.functional.pad(x.to(torch.bfloat16).float(), (0, 1, 1, 0), value=float("-inf"))
    ref = torch.nn.functional.max_pool2d(padded, 2, 2)
    got = as_nchw(ttnn, out, 1, *ref.shape[2:])
    assert out.dtype == ttnn.bfloat8_b and pcc(got, ref) > 0.999
    with pytest.raises(UnsupportedTTNNOp, match="return_indices"):
        ttnn.max_pool2d(tx, 1, 6, 6, 8, [2, 2], [2, 2], [0, 0], [1, 1], return_indices=True)
    with pytest.raises(RuntimeError, match="channels"):
        ttnn.max_pool2d(tx, 1, 6, 6, 4, [2, 2], [2, 2], [0, 0], [1, 1])
    ttnn.max_pool2d(tx, 1, 6, 6, 8, [2, 2], [2, 2], [0, 0], [1, 1], deallocate_input=True)
    assert not tx.is_allocated()
