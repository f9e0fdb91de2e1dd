"""Data movement on the emulator: values move exactly, shapes, layouts and dtypes come out as ttnn's, and what a
card refuses is refused by name."""

import numpy as np
import pytest
import torch

from bertlib.emulator import UnsupportedTTNNOp, recording
from bertlib.emulator.numerics import quantize

TORCH_OF = {"bfloat16": torch.bfloat16, "float32": torch.float32, "int32": torch.int32}


def on_device(ttnn, device, values, dtype=None, layout=None, memory_config=None):
    return ttnn.from_torch(values, dtype=dtype or ttnn.bfloat16, layout=layout or ttnn.TILE_LAYOUT, device=device,
                           memory_config=memory_config)


def sample(shape, dtype="bfloat16"):
    if dtype == "int32":
        return torch.randint(-1000, 1000, shape, dtype=torch.int32)
    return torch.randn(shape).to(TORCH_OF[dtype])


def dtype_of(ttnn, name):
    return getattr(ttnn, name)


@pytest.fixture(params=["ROW_MAJOR_LAYOUT", "TILE_LAYOUT"])
def layout(request, ttnn):
    return getattr(ttnn, request.param)


# ---------------------------------------------------------------------------------------------- transpose
@pytest.mark.parametrize("dtype", ["bfloat16", "float32", "int32"])
@pytest.mark.parametrize("dims", [(-1, -2), (0, 2), (1, 3), (0, -1)])
def test_transpose_moves_values_exactly(ttnn, device, layout, dtype, dims):
    x = sample((2, 3, 40, 50), dtype)
    t = on_device(ttnn, device, x, dtype_of(ttnn, dtype), layout)
    with recording() as trace:
        out = ttnn.transpose(t, *dims)
    assert torch.equal(ttnn.to_torch(out), x.transpose(*dims))
    assert out.layout == layout and out.dtype == t.dtype
    assert [r.op for r in trace.records] == ["transpose"]


def test_transpose_of_a_block_float_shares_exponents_anew(ttnn, device):
    x = torch.randn(1, 1, 64, 64) * torch.logspace(-3, 3, 64)
    t = on_device(ttnn, device, x, ttnn.bfloat8_b)
    stored = ttnn.to_torch(t)
    out = ttnn.to_torch(ttnn.transpose(t, -2, -1))
    assert torch.equal(out, quantize(stored.transpose(-2, -1), ttnn.bfloat8_b))
    assert not torch.equal(out, stored.transpose(-2, -1))  # the blocks now run along the other dim


def test_transpose_refuses_a_dim_out_of_range(ttnn, device):
    with pytest.raises(RuntimeError, match="Dimension out of range"):
        ttnn.transpose(on_device(ttnn, device, torch.randn(2, 32, 32)), 0, 3)


# ---------------------------------------------------------------------------------------------- concat, split
@pytest.mark.parametrize("dim", [0, 1, -1, -2])
def test_concat_joins_values_in_dram_by_default(ttnn, device, layout, dim):
    xs = [torch.randn(2, 3, 40, 50).bfloat16() for _ in range(3)]
    ts = [on_device(ttnn, device, x, layout=layout, memory_config=ttnn.L1_MEMORY_CONFIG) for x in xs]
    out = ttnn.concat(ts, dim)
    assert torch.equal(ttnn.to_torch(out), torch.cat(xs, dim))
    assert out.memory_config() == ttnn.DRAM_MEMORY_CONFIG
    assert ttnn.concat(ts, dim, memory_config=ttnn.L1_MEMORY_CONFIG).memory_config() == ttnn.L1_MEMORY_CONFIG


def test_concat_refuses_what_a_card_refuses(ttnn, device):
    a = on_device(ttnn, device, torch.randn(1, 32, 32))
    with pytest.raises(RuntimeError, match="same dtypes"):
        ttnn.concat([a, on_device(ttnn, device, torch.randn(1, 32, 32), ttnn.float32)], 0)
    with pytest.raises(RuntimeError, match="same layouts"):
        ttnn.concat([a, on_device(ttnn, device, torch.randn(1, 32, 32), layout=ttnn.ROW_MAJOR_LAYOUT)], 0)
    with pytest.raises(RuntimeError, match="same size except for the dimension"):
        ttnn.concat([a, on_device(ttnn, device, torch.randn(1, 32, 64))], 1)
    with pytest.raises(RuntimeError, match="non-empty list"):
        ttnn.concat([], 0)
    with pytest.raises(RuntimeError, match="optional output tensor currently unsupported"):
        ttnn.concat([a, a], 0, output_tensor=a)
    with pytest.raises(RuntimeError, match="height-sharded"):
        ttnn.concat([a, a], 0, groups=2)
    with pytest.raises(RuntimeError, match="must be on device"):
        ttnn.concat([ttnn.from_torch(torch.randn(1, 32, 32))] * 2, 0)


def test_stack_adds_a_dim(ttnn, device):
    xs = [torch.randn(3, 40).bfloat16() for _ in range(4)]
    out = ttnn.stack([on_device(ttnn, device, x) for x in xs], 1)
    assert list(out.shape) == [3, 4, 40] and torch.equal(ttnn.to_torch(out), torch.stack(xs, 1))


@pytest.mark.parametrize("split_size", [16, [10, 30, 10]])
def test_split_cuts_into_slices(ttnn, device, layout, split_size):
    x = torch.randn(2, 3, 40, 50).bfloat16()
    pieces = ttnn.split(on_device(ttnn, device, x, layout=layout), split_size, dim=-1)
    expected = torch.split(x, split_size, dim=-1)
    assert len(pieces) == len(expected)
    assert all(torch.equal(ttnn.to_torch(p), e) for p, e in zip(pieces, expected, strict=True))
    with pytest.raises(RuntimeError, match="add up to"):
        ttnn.split(on_device(ttnn, device, x), [10, 10], dim=-1)


def test_chunk_cuts_as_torch_does(ttnn, device):
    x = torch.randn(2, 40, 50).bfloat16()
    pieces = ttnn.chunk(on_device(ttnn, device, x), 3, 1)
    assert [list(p.shape) for p in pieces] == [list(c.shape) for c in torch.chunk(x, 3, 1)]
    assert torch.equal(torch.cat([ttnn.to_torch(p) for p in pieces], 1), x)


# ---------------------------------------------------------------------------------------------- slice
def test_slice_with_negative_bounds_and_steps(ttnn, device):
    x = torch.randn(4, 6, 40, 50).bfloat16()
    t = on_device(ttnn, device, x, layout=ttnn.ROW_MAJOR_LAYOUT)
    out = ttnn.slice(t, [1, -4, 2, 0], [3, 6, 40, -1], [1, 2, 3, 5])
    assert torch.equal(ttnn.to_torch(out), x[1:3, -4:6:2, 2:40:3, 0:-1:5])
    out = ttnn.slice(t, slice_start=[0, 0, 0, 0], slice_end=[1, 2, 3, 4], slice_step=[1, 1, 1, 2])
    assert torch.equal(ttnn.to_torch(out), x[:1, :2, :3, :4:2])


def test_slice_of_a_tile_tensor(ttnn, device):
    x = torch.randn(1, 2, 96, 96).bfloat16()
    t = on_device(ttnn, device, x)
    aligned = ttnn.slice(t, [0, 0, 32, 64], [1, 2, 64, 96], [1, 1, 1, 1])
    assert torch.equal(ttnn.to_torch(aligned), x[:, :, 32:64, 64:96]) and aligned.layout == ttnn.TILE_LAYOUT
    strided = ttnn.slice(t, [0, 0, 3, 1], [1, 2, 90, 96], [1, 1, 2, 3])
    assert torch.equal(ttnn.to_torch(strided), x[:, :, 3:90:2, 1:96:3])


def test_slice_of_a_block_float(ttnn, device):
    t = on_device(ttnn, device, torch.randn(1, 1, 64, 64), ttnn.bfloat8_b)
    stored = ttnn.to_torch(t)
    whole_tiles = ttnn.slice(t, [0, 0, 32, 0], [1, 1, 64, 32], [1, 1, 1, 1])
    assert whole_tiles.dtype == ttnn.bfloat8_b and torch.equal(ttnn.to_torch(whole_tiles), stored[..., 32:, :32])
    offset = ttnn.slice(t, [0, 0, 3, 5], [1, 1, 20, 40], [1, 1, 1, 1])  # a card untilizes on the way
    assert offset.dtype == ttnn.bfloat16 and torch.equal(ttnn.to_torch(offset).float(), stored[..., 3:20, 5:40])
    with pytest.raises(RuntimeError, match="Strided slice is not supported for BFLOAT8"):
        ttnn.slice(t, [0, 0, 0, 0], [1, 1, 64, 64], [1, 1, 2, 1])


def test_slice_refusals(ttnn, device):
    t = on_device(ttnn, device, torch.randn(2, 40, 50))
    with pytest.raises(RuntimeError, match="must be less than or equal to the shape"):
        ttnn.slice(t, [0, 0, 0], [2, 40, 64], [1, 1, 1])
    with pytest.raises(RuntimeError, match="must have the same size"):
        ttnn.slice(t, [0, 0], [2, 40], [1, 1])
    with pytest.raises(RuntimeError, match="should be positive"):
        ttnn.slice(t, [0, 0, 0], [2, 40, 50], [1, 0, 1])
    with pytest.raises(RuntimeError, match="must be on device"):
        ttnn.slice(ttnn.from_torch(torch.randn(2, 3)), [0, 0], [1, 1], [1, 1])


def test_slice_into_an_output_tensor_and_with_tensor_bounds(ttnn, device):
    x = torch.randn(4, 64).bfloat16()
    t = on_device(ttnn, device, x, layout=ttnn.ROW_MAJOR_LAYOUT)
    target = on_device(ttnn, device, torch.zeros(2, 64), layout=ttnn.ROW_MAJOR_LAYOUT)
    assert ttnn.slice(t, [1, 0], [3, 64], [1, 1], output_tensor=target) is target
    assert torch.equal(ttnn.to_torch(target), x[1:3])
    starts = ttnn.from_torch(torch.tensor([2, 0]), dtype=ttnn.uint32, device=device)
    ends = ttnn.from_torch(torch.tensor([4, 64]), dtype=ttnn.uint32, device=device)
    assert torch.equal(ttnn.to_torch(ttnn.slice(t, starts, ends, slice_dim=0, num_devices=2)), x[2:4])
    with pytest.raises(UnsupportedTTNNOp, match="slice_dim"):
        ttnn.slice(t, starts, ends, slice_dim=1, num_devices=2)


# ---------------------------------------------------------------------------------------------- tensor[...]
@pytest.mark.parametrize("key", [0, -1, (slice(None), 2), (Ellipsis, 5), (1, slice(3, 6), Ellipsis),
                                 (slice(None), slice(-5, None), 0), (Ellipsis,), (0, 1, 2)])
def test_getitem_as_real_ttnn(ttnn, device, key):
    x = torch.randn(2, 6, 40).bfloat16()
    out = on_device(ttnn, device, x)[key]
    assert torch.equal(ttnn.to_torch(out), x[key])
    assert list(out.shape) == list(x[key].shape)  # an int index drops its dim


def test_getitem_records_a_slice_then_squeezes(ttnn, device):
    t = on_device(ttnn, device, torch.randn(2, 6, 40), layout=ttnn.ROW_MAJOR_LAYOUT)
    with recording() as trace:
        t[1, ::2]
    assert [r.op for r in trace.records] == ["slice", "squeeze"]


def test_getitem_refusals(ttnn, device):
    t = on_device(ttnn, device, torch.randn(2, 6, 40))
    with pytest.raises(IndexError, match="out of bounds"):
        t[2]
    with pytest.raises(IndexError, match="Too many indices"):
        t[0, 0, 0, 0]
    with pytest.raises(RuntimeError, match="less than or equal to the shape"):
        t[:, :, :100]  # a card does not clamp a stop past the end, as Python would
    with pytest.raises(TypeError, match="Invalid slice type"):
        t["a"]


def test_getitem_of_a_host_tensor(ttnn):
    x = torch.randn(4, 8)
    t = ttnn.from_torch(x)
    with recording() as trace:
        out = t[1:3, 2]
    assert torch.equal(ttnn.to_torch(out), x[1:3, 2]) and out.device() is None and not trace.records
    with pytest.raises(RuntimeError, match="non-unit stride"):
        t[::2]


# ---------------------------------------------------------------------------------------------- pad
def test_pad_with_pairs(ttnn, device):
    x = torch.randn(2, 3, 30, 40).bfloat16()
    t = on_device(ttnn, device, x, layout=ttnn.ROW_MAJOR_LAYOUT)
    out = ttnn.pad(t, [(1, 2), (0, 3), (4, 0)], 1.5)  # fewer pairs than dims pad the last ones
    assert torch.equal(ttnn.to_torch(out), torch.nn.functional.pad(x, (4, 0, 0, 3, 1, 2), value=1.5))
    out = ttnn.pad(on_device(ttnn, device, x), padding=[(0, 2), (0, 24)], value=-1.0)
    assert out.layout == ttnn.TILE_LAYOUT
    assert torch.equal(ttnn.to_torch(out), torch.nn.functional.pad(x, (0, 24, 0, 2), value=-1.0))


def test_pad_second_form(ttnn, device):
    x = torch.randint(-5, 5, (1, 1, 18, 13), dtype=torch.int32)
    t = on_device(ttnn, device, x, ttnn.int32, ttnn.ROW_MAJOR_LAYOUT)
    expected = torch.nn.functional.pad(x, (1, 18, 2, 12), value=7)
    assert torch.equal(ttnn.to_torch(ttnn.pad(t, [1, 1, 32, 32], [0, 0, 2, 1], 7)), expected)
    assert torch.equal(ttnn.to_torch(ttnn.pad(t, [1, 1, 32, 32], [0, 0, 2, 1], value=7)), expected)


def test_pad_on_the_host_and_its_refusals(ttnn, device):
    x = torch.randn(3, 5)
    host = ttnn.pad(ttnn.from_torch(x), [(1, 1), (0, 2)], 0.0)
    assert host.device() is None and torch.equal(ttnn.to_torch(host), torch.nn.functional.pad(x, (0, 2, 1, 1)))
    t = on_device(ttnn, device, x)
    with pytest.raises(RuntimeError, match="does not support front padding"):
        ttnn.pad(t, [(1, 0), (0, 0)], 0.0)
    with pytest.raises(RuntimeError, match="padding len can't be larger"):
        ttnn.pad(t, [(0, 1)] * 3, 0.0)
    with pytest.raises(RuntimeError, match="pad value"):
        ttnn.pad(t, [(0, 1), (0, 1)])


@pytest.mark.parametrize("name", ["uint16", "uint8"])
def test_pad_narrow_unsigned_tensors(ttnn, device, layout, name):
    """tt-metal's test_pad uint16 cases: values and the pad value exact; to_torch gives real ttnn's torch dtype."""
    dtype = getattr(ttnn, name)
    top = 2**16 - 1 if name == "uint16" else 255
    x = torch.randint(0, top + 1, (2, 3, 18, 13), dtype=torch.int32)
    t = ttnn.from_torch(x, dtype=dtype, layout=layout, device=device)
    out = ttnn.pad(t, [(0, 1), (0, 14), (0, 19)], value=top)
    assert out.dtype == dtype and ttnn.to_torch(out).dtype == getattr(torch, name)
    expected = torch.nn.functional.pad(x, (0, 19, 0, 14, 0, 1), value=top)
    assert torch.equal(ttnn.to_torch(out).to(torch.int32), expected)
    assert torch.equal(ttnn.to_torch(ttnn.pad(t, [(0, 1)], value=5.0)).to(torch.int32)[..., -1], torch.full(
        (2, 3, 18), 5, dtype=torch.int32))
    for bad in (top + 1, -1, 2.5):
        with pytest.raises(UnsupportedTTNNOp, match=f"ttnn.pad\\(value={bad}\\) on a {name} tensor"):
            ttnn.pad(t, [(0, 1)], value=bad)


def test_pad_records_use_multicore_as_a_hint(ttnn, device):
    t = on_device(ttnn, device, torch.randn(4, 4), layout=ttnn.ROW_MAJOR_LAYOUT)
    with recording() as trace:
        ttnn.pad(t, [(0, 1), (0, 1)], 0.0, use_multicore=False)
    assert trace.hints == [("pad", {"use_multicore": "False"})]


# ---------------------------------------------------------------------------------------------- repeat, expand, views
@pytest.mark.parametrize("reps", [(1, 2, 1), (3, 1, 2), (2,), (2, 1, 1, 1)])
def test_repeat(ttnn, device, layout, reps):
    x = torch.randn(2, 40, 50).bfloat16()
    out = ttnn.repeat(on_device(ttnn, device, x, layout=layout), ttnn.Shape(list(reps)))
    expected = x.repeat(*((1,) * (3 - len(reps)) + reps)) if len(reps) <= 3 else x.repeat(*reps)
    assert torch.equal(ttnn.to_torch(out), expected)


def test_repeat_interleave_and_expand(ttnn, device):
    x = torch.randn(2, 1, 40).bfloat16()
    t = on_device(ttnn, device, x)
    assert torch.equal(ttnn.to_torch(ttnn.repeat_interleave(t, 3, 0)), x.repeat_interleave(3, 0))
    assert torch.equal(ttnn.to_torch(ttnn.expand(t, [4, 2, 5, -1])), x.expand(4, 2, 5, 40))
    with pytest.raises(RuntimeError, match="only size-1 dims expand"):
        ttnn.expand(t, [3, 1, 40])


def test_squeeze_unsqueeze_view(ttnn, device):
    x = torch.randn(1, 3, 1, 64).bfloat16()
    t = on_device(ttnn, device, x)
    assert list(ttnn.squeeze(t).shape) == [3, 64]
    assert list(ttnn.squeeze(t, [0, 2]).shape) == [3, 64]
    assert ttnn.squeeze(t, 1) is t  # a dim of size 3 stays: the same tensor comes back
    assert list(ttnn.unsqueeze(t, -1).shape) == [1, 3, 1, 64, 1]
    assert list(ttnn.squeeze(ttnn.from_torch(torch.ones(1, 3)), 0).shape) == [3]  # on the host too
    v = ttnn.view(on_device(ttnn, device, torch.randn(2, 64, 32)), [4, 32, 32])
    assert list(v.shape) == [4, 32, 32]
    with pytest.raises(RuntimeError, match="last dimension must not change"):
        ttnn.view(t, [3, 64, 1])
    with pytest.raises(RuntimeError, match="appears multiple times"):
        ttnn.squeeze(t, [0, -4])


# ---------------------------------------------------------------------------------------------- tilize, untilize
def test_tilize_and_untilize(ttnn, device):
    x = torch.randn(1, 2, 64, 96).bfloat16()
    rm = on_device(ttnn, device, x, layout=ttnn.ROW_MAJOR_LAYOUT)
    tiled = ttnn.tilize(rm)
    assert tiled.layout == ttnn.TILE_LAYOUT and torch.equal(ttnn.to_torch(tiled), x)
    block = ttnn.tilize(rm, dtype=ttnn.bfloat8_b)
    assert block.dtype == ttnn.bfloat8_b and torch.equal(ttnn.to_torch(block), quantize(x.float(), ttnn.bfloat8_b))
    back = ttnn.untilize(block)
    assert back.dtype == ttnn.bfloat16 and back.layout == ttnn.ROW_MAJOR_LAYOUT  # untilize gives bfloat16
    assert torch.equal(ttnn.to_torch(back).float(), ttnn.to_torch(block))
    with pytest.raises(RuntimeError, match="Can only tilize row major data"):
        ttnn.tilize(tiled)
    with pytest.raises(RuntimeError, match="not whole 32x32 tiles"):
        ttnn.tilize(on_device(ttnn, device, torch.randn(2, 16, 32), layout=ttnn.ROW_MAJOR_LAYOUT))
    with pytest.raises(UnsupportedTTNNOp, match="Tile"):
        ttnn.tilize(rm, tile=ttnn.Tile((16, 32)))
    with pytest.raises(RuntimeError, match="Can only tilize bfloat16/float32 or int32/uint32/uint16"):
        ttnn.tilize(on_device(ttnn, device, torch.ones(32, 32, dtype=torch.uint8), ttnn.uint8,
                              ttnn.ROW_MAJOR_LAYOUT))


def test_tilize_with_padding_and_untilize_with_unpadding(ttnn, device):
    x = torch.randn(1, 1, 30, 40).bfloat16()
    rm = on_device(ttnn, device, x, layout=ttnn.ROW_MAJOR_LAYOUT)
    out = ttnn.tilize_with_val_padding(rm, [1, 1, 32, 64], 2.0)
    assert list(out.shape) == [1, 1, 32, 64]  # the padding becomes part of the shape
    assert torch.equal(ttnn.to_torch(out), torch.nn.functional.pad(x, (0, 24, 0, 2), value=2.0))
    zero = ttnn.tilize_with_zero_padding(rm)
    assert torch.equal(ttnn.to_torch(zero), torch.nn.functional.pad(x, (0, 24, 0, 2)))
    cut = ttnn.untilize_with_unpadding(out, [0, 0, 9, 19])
    assert cut.layout == ttnn.ROW_MAJOR_LAYOUT and torch.equal(ttnn.to_torch(cut), x[..., :10, :20])
    with pytest.raises(RuntimeError, match="greater than or equal to input shape"):
        ttnn.tilize_with_val_padding(rm, [1, 1, 32, 32], 0.0)
    with pytest.raises(RuntimeError, match="divisible by tile size"):
        ttnn.tilize_with_val_padding(rm, [1, 1, 33, 64], 0.0)
    with pytest.raises(UnsupportedTTNNOp, match="reads tile padding"):
        ttnn.untilize_with_unpadding(on_device(ttnn, device, x), [0, 0, 31, 31])


# ---------------------------------------------------------------------------------------------- typecast
VALUES = torch.tensor([[1.7, -1.7, 2.5, -2.5, 300.0, 0.5, 1e10, -1e10]])


@pytest.mark.parametrize("name,expected", [
    ("int32", [1, -1, 2, -2, 300, 0, 2**31 - 1, -(2**31)]),  # truncate, saturate
    ("uint32", [1, 0, 2, 0, 300, 0, 2**32 - 1, 0]),
    ("uint16", [2, 0, 3, 0, 300, 1, 65535, 0]),  # round half up, saturate
    ("uint8", [1, 255, 2, 254, 44, 0, 0, 0]),  # truncate, wrap modulo 256
])
def test_typecast_float_to_integer_on_a_device(ttnn, device, name, expected):
    out = ttnn.typecast(on_device(ttnn, device, VALUES, ttnn.float32), getattr(ttnn, name))
    assert out.dtype == getattr(ttnn, name)
    assert ttnn.to_torch(out).to(torch.int64).tolist() == [expected]


def test_typecast_between_integers_and_to_floats(ttnn, device):
    ints = torch.tensor([[1, -1, 300, 70000, -70000, 16777217]], dtype=torch.int32)
    t = on_device(ttnn, device, ints, ttnn.int32)
    assert ttnn.to_torch(ttnn.typecast(t, ttnn.uint32)).to(torch.int64).tolist() == [[1, 0, 300, 70000, 0, 16777217]]
    assert ttnn.to_torch(ttnn.typecast(t, ttnn.uint16)).to(torch.int64).tolist() == [[1, 0, 300, 65535, 0, 65535]]
    assert torch.equal(ttnn.to_torch(ttnn.typecast(t, ttnn.bfloat16)), ints.float().bfloat16())
    assert torch.equal(ttnn.to_torch(ttnn.typecast(t, ttnn.float32)), ints.float())
    big = ttnn.from_torch(torch.tensor([[2**32 - 1, 2**31]]), dtype=ttnn.uint32, device=device)
    assert ttnn.to_torch(ttnn.typecast(big, ttnn.int32)).tolist() == [[-1, -(2**31)]]  # wraps
    f = on_device(ttnn, device, VALUES, ttnn.float32)
    assert torch.equal(ttnn.to_torch(ttnn.typecast(f, ttnn.bfloat8_b)), quantize(VALUES, ttnn.bfloat8_b))
    assert torch.equal(ttnn.to_torch(ttnn.typecast(f, ttnn.float32, ttnn.bfloat16)), VALUES.bfloat16())


def test_typecast_refusals_and_output_tensor(ttnn, device):
    f = on_device(ttnn, device, VALUES, ttnn.float32, ttnn.ROW_MAJOR_LAYOUT)
    with pytest.raises(RuntimeError, match="Layout::TILE for bfloat8_b"):
        ttnn.typecast(f, ttnn.bfloat8_b)
    with pytest.raises(UnsupportedTTNNOp, match="INT8 is host-only"):
        ttnn.typecast(f, ttnn.int8)
    with pytest.raises(RuntimeError, match="input_dtype"):
        ttnn.typecast(f, ttnn.bfloat16, ttnn.float32)
    target = on_device(ttnn, device, torch.zeros(1, 8), ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT)
    assert ttnn.typecast(f, ttnn.bfloat16, output_tensor=target) is target
    assert torch.equal(ttnn.to_torch(target), VALUES.bfloat16())


@pytest.mark.parametrize("name", ["uint8", "uint16", "int32", "uint32", "int8", "bfloat16"])
@pytest.mark.parametrize("layout_name", ["ROW_MAJOR_LAYOUT", "TILE_LAYOUT"])
def test_host_conversions_are_real_ttnns(ttnn, real_ttnn, name, layout_name):
    dtype, layout = getattr(ttnn, name), getattr(ttnn, layout_name)
    expected = real_ttnn.to_torch(real_ttnn.to_dtype(real_ttnn.from_torch(VALUES, layout=layout), dtype))
    host = ttnn.from_torch(VALUES, layout=layout)
    assert torch.equal(ttnn.to_torch(ttnn.to_dtype(host, dtype)), expected)
    assert torch.equal(ttnn.to_torch(ttnn.typecast(host, dtype)), expected)
    assert torch.equal(ttnn.to_torch(ttnn.from_torch(VALUES, dtype=dtype, layout=layout)),
                       real_ttnn.to_torch(real_ttnn.from_torch(VALUES, dtype=dtype, layout=layout)))


def test_to_dtype_is_host_only(ttnn, device):
    with pytest.raises(RuntimeError, match="converts host tensors"):
        ttnn.to_dtype(on_device(ttnn, device, VALUES), ttnn.float32)


# ---------------------------------------------------------------------------------------------- clone, copy, assign
def test_clone(ttnn, device):
    x = torch.randn(2, 40, 50)
    t = on_device(ttnn, device, x, ttnn.float32)
    same = ttnn.clone(t, memory_config=ttnn.L1_MEMORY_CONFIG)
    assert torch.equal(ttnn.to_torch(same), x) and same.memory_config() == ttnn.L1_MEMORY_CONFIG
    assert torch.equal(ttnn.to_torch(ttnn.clone(t, dtype=ttnn.bfloat16)), x.bfloat16())
    # without fp32_dest_acc_en the values pass through bfloat16 registers before bfloat8_b
    assert torch.equal(ttnn.to_torch(ttnn.clone(t, dtype=ttnn.bfloat8_b)),
                       quantize(x.bfloat16().float(), ttnn.bfloat8_b))
    config = ttnn.WormholeComputeKernelConfig(fp32_dest_acc_en=True)
    assert torch.equal(ttnn.to_torch(ttnn.clone(t, dtype=ttnn.bfloat8_b, compute_kernel_config=config)),
                       quantize(x, ttnn.bfloat8_b))
    with pytest.raises(RuntimeError, match="only supported with tile layout"):
        ttnn.clone(on_device(ttnn, device, x, layout=ttnn.ROW_MAJOR_LAYOUT), dtype=ttnn.float32)
    with pytest.raises(UnsupportedTTNNOp, match="typecast"):
        ttnn.clone(t, dtype=ttnn.int32)


def test_copy_and_assign(ttnn, device):
    x = torch.randn(32, 64).bfloat16()
    a = on_device(ttnn, device, x)
    b = on_device(ttnn, device, torch.zeros(32, 64), ttnn.float32)
    assert ttnn.copy(a, b) is b and torch.equal(ttnn.to_torch(b), x.float())
    c = ttnn.assign(a, memory_config=ttnn.L1_MEMORY_CONFIG, dtype=ttnn.float32)
    assert c.dtype == ttnn.float32 and c.memory_config() == ttnn.L1_MEMORY_CONFIG
    d = on_device(ttnn, device, torch.zeros(32, 64))
    assert ttnn.assign(a, d) is d and torch.equal(ttnn.to_torch(d), x)
    with pytest.raises(RuntimeError, match="same shape"):
        ttnn.copy(a, on_device(ttnn, device, torch.zeros(32, 32)))


# ---------------------------------------------------------------------------------------------- fill, triangles, roll
def test_fill(ttnn, device):
    t = on_device(ttnn, device, torch.randn(3, 40))
    out = ttnn.fill(t, 1.3)
    assert torch.equal(ttnn.to_torch(out), torch.full((3, 40), 1.3).bfloat16())
    ints = ttnn.fill(on_device(ttnn, device, torch.zeros(3, 40, dtype=torch.int32), ttnn.int32), 7)
    assert torch.equal(ttnn.to_torch(ints), torch.full((3, 40), 7, dtype=torch.int32))
    with pytest.raises(RuntimeError, match="not supported"):
        ttnn.fill(on_device(ttnn, device, torch.zeros(3, 40, dtype=torch.uint8), ttnn.uint8), 1)


@pytest.mark.parametrize("diagonal", [-2, 0, 3])
def test_triu_tril(ttnn, device, layout, diagonal):
    x = torch.randn(2, 40, 50).bfloat16()
    t = on_device(ttnn, device, x, layout=layout)
    assert torch.equal(ttnn.to_torch(ttnn.triu(t, diagonal=diagonal)), torch.triu(x, diagonal))
    assert torch.equal(ttnn.to_torch(ttnn.tril(t, diagonal=diagonal)), torch.tril(x, diagonal))


def test_roll_and_gather(ttnn, device):
    x = torch.randn(2, 40, 50).bfloat16()
    t = on_device(ttnn, device, x)
    assert torch.equal(ttnn.to_torch(ttnn.roll(t, [1, -7], [0, 2])), torch.roll(x, [1, -7], [0, 2]))
    assert torch.equal(ttnn.to_torch(ttnn.roll(t, 5, 1)), torch.roll(x, 5, 1))
    assert torch.equal(ttnn.to_torch(ttnn.roll(t, 9)), torch.roll(x, 9))
    index = torch.randint(0, 50, (2, 40, 10))
    ids = ttnn.from_torch(index, dtype=ttnn.uint32, layout=ttnn.TILE_LAYOUT, device=device)
    assert torch.equal(ttnn.to_torch(ttnn.gather(t, -1, ids)), torch.gather(x, -1, index))
    bad = ttnn.from_torch(index + 50, dtype=ttnn.uint32, layout=ttnn.TILE_LAYOUT, device=device)
    with pytest.raises(RuntimeError, match="must lie in"):
        ttnn.gather(t, -1, bad)


# ---------------------------------------------------------------------------------------------- tensors.py
@pytest.mark.parametrize("source,name", [
    (torch.int8, "int8"), (torch.uint8, "uint8"), (torch.int16, "uint16"), (torch.bool, "uint8"),
    (torch.float16, "bfloat16"), (torch.int64, "uint32"), (torch.int32, "int32"), (torch.uint16, "uint16"),
    (torch.uint32, "uint32"), (torch.float32, "float32"), (torch.bfloat16, "bfloat16"),
])
def test_from_torch_picks_dtypes_as_real_ttnn(ttnn, real_ttnn, device, source, name):
    values = torch.tensor([[1, 0, 3], [2, 1, 0]]).to(source)
    t = ttnn.from_torch(values, device=device)
    real = real_ttnn.from_torch(values)
    assert t.dtype == getattr(ttnn, name) == real.dtype
    out = ttnn.to_torch(t)
    assert out.dtype == real_ttnn.to_torch(real).dtype and torch.equal(out, real_ttnn.to_torch(real))


NARROW_SOURCES = [
    torch.tensor([[0, 1, 255, 256, 65535, 65536, 70000, -1, -2, -70000]], dtype=torch.int32),
    torch.tensor([[0, 1, 255, 256, 65535, 65536, 70000, -1, -2, -70000]], dtype=torch.int64),
    torch.tensor([[0.4, 0.5, 1.5, 2.7, -0.6, -1.5, 65535.5, 65536.0, 1e6, float("nan")]]),
    torch.tensor([[0.4, 0.5, 1.5, 2.7, -0.6, -1.5, 255.5, 256.0, 1e6, float("inf")]], dtype=torch.bfloat16),
    torch.tensor([[0, 1, 255, 256, -1]], dtype=torch.int16),
    torch.tensor([[0, 1, 255]], dtype=torch.uint8),
    torch.tensor([[True, False]]),
]


@pytest.mark.parametrize("name", ["uint16", "uint8"])
@pytest.mark.parametrize("source", NARROW_SOURCES, ids=[str(s.dtype) for s in NARROW_SOURCES])
def test_narrow_unsigned_host_conversion_is_real_ttnns(ttnn, real_ttnn, device, layout, name, source):
    """from_torch / to_torch of uint16 and uint8, out-of-range and fractional values included, as real ttnn's host
    conversion does them (it wraps, saturates or truncates per source dtype and layout)."""
    dtype = getattr(ttnn, name)
    t = ttnn.from_torch(source, dtype=dtype, layout=layout, device=device)
    real = real_ttnn.to_torch(real_ttnn.from_torch(source, dtype=dtype, layout=layout))
    out = ttnn.to_torch(t)
    assert t.dtype == dtype and out.dtype == real.dtype == getattr(torch, name)
    assert torch.equal(out, real)
    assert t.to_list() == real.tolist()


@pytest.mark.parametrize("name", ["uint16", "uint8", "uint32", "int32"])
def test_tensor_constructors_into_integers_are_real_ttnns(ttnn, real_ttnn, name):
    dtype = getattr(ttnn, name)
    for array in (torch.tensor([1.5, -1.0, 70000.0], dtype=torch.float16), torch.tensor([0, -1, 300],
                  dtype=torch.int16), torch.rand(2, 3).bfloat16() * 2 - 1, np.array([1, -1, 70000])):
        ours, real = ttnn.Tensor(array, dtype), real_ttnn.Tensor(array, dtype)
        assert ours.dtype == real.dtype and ttnn.to_torch(ours).tolist() == real_ttnn.to_torch(real).tolist()
    data = [1.7, 70000.0, -3.0, 65535.0, 5e9, 2.0]
    for layout in (ttnn.ROW_MAJOR_LAYOUT, ttnn.TILE_LAYOUT):
        ours, real = ttnn.Tensor(data, [2, 3], dtype, layout), real_ttnn.Tensor(data, [2, 3], dtype, layout)
        assert ttnn.to_torch(ours).tolist() == real_ttnn.to_torch(real).tolist()
    for array in (torch.tensor([0, 1, -1], dtype=torch.int16), torch.tensor([3, 65535], dtype=torch.uint16)):
        assert ttnn.Tensor(array).dtype == real_ttnn.Tensor(array).dtype == ttnn.uint16


def test_from_torch_refusals_and_other_sources(ttnn, device):
    with pytest.raises(RuntimeError, match="float64 tensor has no ttnn dtype"):
        ttnn.from_torch(torch.ones(2, dtype=torch.float64))
    assert ttnn.from_torch(torch.ones(2, dtype=torch.float64), dtype=ttnn.float32).dtype == ttnn.float32
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert torch.equal(ttnn.to_torch(ttnn.from_torch(array)), torch.from_numpy(array))
    assert ttnn.from_torch(torch.ones(2, 3), tile=ttnn.Tile((32, 32)), layout=ttnn.TILE_LAYOUT).layout == \
        ttnn.TILE_LAYOUT
    with pytest.raises(UnsupportedTTNNOp, match="32x32 tiles only"):
        ttnn.from_torch(torch.ones(2, 3), tile=ttnn.Tile((16, 32)), layout=ttnn.TILE_LAYOUT)
    spec = ttnn.TensorSpec((2, 3), ttnn.bfloat16, ttnn.TILE_LAYOUT)
    t = ttnn.from_torch(torch.ones(2, 3), spec=spec)
    assert (t.dtype, t.layout) == (ttnn.bfloat16, ttnn.TILE_LAYOUT)
    with pytest.raises(RuntimeError, match="dtype must be None when spec"):
        ttnn.from_torch(torch.ones(2, 3), ttnn.float32, spec=spec)
    x = torch.randn(64, 32)
    cols = ttnn.from_torch(x, dtype=ttnn.bfloat8_b, col_tilize=True)
    assert list(cols.shape) == [32, 64] and torch.equal(ttnn.to_torch(cols), quantize(x.T, ttnn.bfloat8_b))
    with pytest.raises(RuntimeError, match="col_tilize=True requires BFP"):
        ttnn.from_torch(x, col_tilize=True)
    assert ttnn.from_torch(x, dtype=ttnn.bfloat8_b).layout == ttnn.TILE_LAYOUT  # real ttnn's default for blocks
    with pytest.raises(RuntimeError, match="Layout::TILE for bfloat8_b"):
        ttnn.from_torch(x, dtype=ttnn.bfloat8_b, layout=ttnn.ROW_MAJOR_LAYOUT)


def test_to_torch_dtypes_and_rank(ttnn, device):
    t = ttnn.from_torch(torch.tensor([[[1, 2**32 - 1]]]), dtype=ttnn.uint32, device=device)
    assert ttnn.to_torch(t).dtype == torch.uint32
    assert ttnn.to_torch(t, torch_rank=1).shape == (2,)
    assert ttnn.to_torch(t, dtype=torch.int64).tolist() == [[[1, 2**32 - 1]]]
    with pytest.raises(RuntimeError, match="Unable to squeeze"):
        ttnn.to_torch(ttnn.from_torch(torch.ones(2, 3)), torch_rank=1)
    assert ttnn.to_torch(ttnn.from_torch(torch.ones(3), layout=ttnn.TILE_LAYOUT)).shape == (3,)


@pytest.mark.parametrize("name", ["bfloat16", "float32", "int32", "uint32", "uint16"])
def test_to_layout_both_ways_keeps_values(ttnn, device, name):
    values = torch.tensor([[1, 7, 300, 65535]] * 3)
    dtype = getattr(ttnn, name)
    expected = ttnn.to_torch(ttnn.from_torch(values, dtype=dtype))
    t = ttnn.from_torch(values, dtype=dtype, device=device)
    tiled = ttnn.to_layout(t, ttnn.TILE_LAYOUT)
    back = ttnn.to_layout(tiled, ttnn.ROW_MAJOR_LAYOUT)
    assert (tiled.layout, back.layout, back.dtype) == (ttnn.TILE_LAYOUT, ttnn.ROW_MAJOR_LAYOUT, dtype)
    assert torch.equal(ttnn.to_torch(tiled), expected) and torch.equal(ttnn.to_torch(back), expected)


def test_to_layout_rules(ttnn, device):
    t = on_device(ttnn, device, torch.randn(3, 40))
    with pytest.warns(UserWarning, match="already in the requested layout"):
        assert ttnn.to_layout(t, ttnn.TILE_LAYOUT, dtype=ttnn.float32) is t
    block = on_device(ttnn, device, torch.randn(3, 40), ttnn.bfloat8_b)
    assert ttnn.to_layout(block, ttnn.ROW_MAJOR_LAYOUT).dtype == ttnn.bfloat16
    rm = on_device(ttnn, device, torch.randn(3, 40), layout=ttnn.ROW_MAJOR_LAYOUT)
    assert ttnn.to_layout(rm, ttnn.TILE_LAYOUT, dtype=ttnn.bfloat8_b).dtype == ttnn.bfloat8_b
    with pytest.raises(RuntimeError, match="dtype cannot be different"):
        ttnn.to_layout(t, ttnn.ROW_MAJOR_LAYOUT, dtype=ttnn.float32)
    with pytest.raises(UnsupportedTTNNOp, match="typecast"):
        ttnn.to_layout(rm, ttnn.TILE_LAYOUT, dtype=ttnn.int32)
    u8 = ttnn.from_torch(torch.ones(3, 40, dtype=torch.uint8), device=device)
    with pytest.raises(RuntimeError, match="Can only tilize"):
        ttnn.to_layout(u8, ttnn.TILE_LAYOUT)
    host = ttnn.from_torch(torch.ones(3, 40, dtype=torch.uint8))
    assert ttnn.to_layout(host, ttnn.TILE_LAYOUT).layout == ttnn.TILE_LAYOUT  # the host tilizes any dtype
    with pytest.raises(RuntimeError, match="cannot be untilized"):
        ttnn.to_layout(ttnn.from_torch(torch.ones(3, 40), dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT),
                       ttnn.ROW_MAJOR_LAYOUT)


def test_reshape_with_a_padded_shape(ttnn, device):
    x = torch.arange(1024.0).reshape(1, 1, 32, 32)
    t = on_device(ttnn, device, x, ttnn.float32)
    assert torch.equal(ttnn.to_torch(ttnn.reshape(t, [1, 1, 1, 32], [1, 1, 32, 32])), x[:, :, :1])
    same = ttnn.reshape(t, [1, 32, 32], [1, 32, 32])
    assert torch.equal(ttnn.to_torch(same), x[0])
    cut = ttnn.reshape(t, logical_shape=[1, 1, 1, 32], padded_shape=[1, 1, 32, 32])
    with pytest.raises(UnsupportedTTNNOp, match="reads the tile padding"):
        ttnn.reshape(cut, [1, 1, 32, 32], [1, 1, 32, 32])
    with pytest.raises(RuntimeError, match="different volumes"):
        ttnn.reshape(on_device(ttnn, device, x, layout=ttnn.ROW_MAJOR_LAYOUT), [1, 1, 1, 32], [1, 1, 32, 32])
    with pytest.raises(RuntimeError, match="Only one dimension can be inferred"):
        ttnn.reshape(t, [-1, -1])
    with pytest.raises(RuntimeError, match="volumes differ"):
        ttnn.reshape(t, [3, 32])


def test_permute_checks_the_ordering(ttnn, device):
    t = on_device(ttnn, device, torch.randn(1, 1, 32, 64))
    with pytest.raises(RuntimeError, match="does not match the length of the desired ordering"):
        ttnn.permute(t, (0, 1, 2))
    with pytest.raises(RuntimeError, match="repeat a dim"):
        ttnn.permute(t, (0, 1, 1, 3))
    assert list(ttnn.permute(t, (0, 3, -2, 1)).shape) == [1, 64, 32, 1]
