"""Creation ops (zeros, ones, full, empty, arange, rand, the *_like forms, as_tensor) against real ttnn 0.81.1's
own host creation ops and tt-metal's creation.cpp semantics."""

import warnings

import pytest
import torch

from bertlib.emulator import UnsupportedTTNNOp, recording


def unsigned(values):
    return [v & 0xFFFFFFFF for v in values]


@pytest.fixture
def mesh(ttnn):
    opened = ttnn.open_mesh_device(ttnn.MeshShape(1, 2))
    yield opened
    ttnn.close_mesh_device(opened)


# --- zeros, ones, full: values and defaults as real ttnn's host creation ops give them ---------------------

@pytest.mark.parametrize("name,args", [("zeros", ()), ("ones", ()), ("full", (-5.25,)), ("full", (7,)),
                                       ("full", (0.1,)), ("full", (1e40,))])
@pytest.mark.parametrize("dtype", ["bfloat16", "float32", "bfloat8_b"])
def test_float_fills_match_real_ttnn(ttnn, real_ttnn, name, args, dtype):
    ours = getattr(ttnn, name)([3, 40], *args, dtype=getattr(ttnn, dtype))
    real = getattr(real_ttnn, name)([3, 40], *args, dtype=getattr(real_ttnn, dtype))
    assert (ours.dtype, ours.layout, tuple(ours.shape)) == (real.dtype, real.layout, tuple(real.shape))
    assert torch.equal(ttnn.to_torch(ours).float(), real_ttnn.to_torch(real).float())


@pytest.mark.parametrize("fill", [7.5, -2.7, -1, -1.5, 300, 70000, 3e9, 2**33, 2**31 - 1, 16777217])
@pytest.mark.parametrize("dtype", ["int32", "uint32", "uint16", "uint8"])
def test_integer_fills_convert_as_ttnn_converts(ttnn, real_ttnn, fill, dtype):
    """A float fill is truncated; an int in C++ int range wraps to the width (70000 is 4464 in uint16); others go
    through a C++ float."""
    ours = ttnn.full([2, 3], fill, dtype=getattr(ttnn, dtype))
    real = real_ttnn.full([2, 3], fill, dtype=getattr(real_ttnn, dtype))
    assert ours.to_list() == real.to_list()


def test_defaults_are_ttnn_defaults(ttnn, device):
    host = ttnn.zeros([2, 3])
    assert (host.dtype, host.layout, host.device()) == (ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT, None)
    assert ttnn.get_memory_config(host) is None and host.memory_config() == ttnn.DRAM_MEMORY_CONFIG
    assert ttnn.zeros([2, 3], dtype=ttnn.bfloat8_b).layout == ttnn.TILE_LAYOUT  # block floats default to TILE
    on = ttnn.ones((5, 96, 64), device=device)
    assert on.device() is device and on.memory_config() == ttnn.DRAM_MEMORY_CONFIG
    assert torch.equal(ttnn.to_torch(on), torch.ones(5, 96, 64, dtype=torch.bfloat16))
    l1 = ttnn.full([32, 32], 2.5, device=device, memory_config=ttnn.L1_MEMORY_CONFIG, layout=ttnn.TILE_LAYOUT)
    assert l1.memory_config() == ttnn.L1_MEMORY_CONFIG and l1.layout == ttnn.TILE_LAYOUT
    assert ttnn.to_torch(l1).unique().tolist() == [2.5]
    assert tuple(ttnn.zeros(ttnn.Shape([4, 4])).shape) == (4, 4) and tuple(ttnn.zeros([]).shape) == ()


def test_fills_on_a_device_run_no_device_op_and_are_writes(ttnn, device):
    """tt-metal fills on the host and writes the tensor: nothing is recorded, and a capture refuses it."""
    with recording() as trace:
        ttnn.zeros([32, 32], device=device)
        ttnn.full([32, 32], 3.0, device=device)
        ttnn.arange(0, 64, device=device)
    assert trace.records == []
    traced = ttnn.open_device(device_id=5, trace_region_size=1 << 20)
    try:
        trace_id = ttnn.begin_trace_capture(traced, cq_id=0)
        with pytest.raises(RuntimeError, match="Writes are not supported during trace capture"):
            ttnn.zeros([32, 32], device=traced)
        ttnn.zeros([32, 32])  # on the host: no write
        ttnn.end_trace_capture(traced, trace_id, cq_id=0)
    finally:
        ttnn.close_device(traced)


def test_full_fills_an_output_tensor_in_place(ttnn, device):
    target = ttnn.from_torch(torch.zeros(32, 64), dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.full([1], 4.25, optional_tensor=target)  # the target's shape, dtype and layout win
    assert out is target and ttnn.to_torch(target).unique().tolist() == [4.25]


def test_creation_refusals(ttnn, device):
    with pytest.raises(RuntimeError, match="Layout::TILE for bfloat8_b"):
        ttnn.zeros([2, 3], dtype=ttnn.bfloat8_b, layout=ttnn.ROW_MAJOR_LAYOUT)
    with pytest.raises(TypeError, match="shape"):
        ttnn.zeros(5)
    with pytest.raises(TypeError, match="shape"):
        ttnn.ones([2, -1])
    with pytest.raises(TypeError, match="fill_value"):
        ttnn.full([2], "one")
    with pytest.raises(TypeError, match="layout"):
        ttnn.zeros([2], layout="ROW_MAJOR")
    assert ttnn.zeros([2], dtype=ttnn.uint8).dtype == ttnn.uint8  # uint8 is stored now


# --- the *_like forms ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fill", [-5, 3, 15.5])
def test_full_like_of_a_tile_device_tensor_fills_on_the_device(ttnn, device, fill):
    x = ttnn.from_torch(torch.rand(5, 96, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device,
                        memory_config=ttnn.L1_MEMORY_CONFIG)
    with recording() as trace:
        out = ttnn.full_like(x, fill_value=fill)
    assert [r.op for r in trace.records] == ["full_like"]
    assert out.device() is device and ttnn.is_tensor_storage_on_device(out)
    assert (out.dtype, out.layout, out.memory_config()) == (ttnn.bfloat16, ttnn.TILE_LAYOUT, ttnn.L1_MEMORY_CONFIG)
    assert torch.equal(ttnn.to_torch(out), torch.full((5, 96, 64), fill, dtype=torch.bfloat16))


def test_like_forms_follow_full_like_impl(ttnn, device):
    tiled = ttnn.from_torch(torch.rand(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    rows = ttnn.from_torch(torch.rand(4, 6), dtype=ttnn.bfloat16, device=device)
    with recording() as trace:
        ones = ttnn.ones_like(rows)  # ROW_MAJOR: made on the host and written, no device op
        cast = ttnn.zeros_like(tiled, dtype=ttnn.float32)  # another dtype: the same
        ttnn.zeros_like(tiled)
    assert [r.op for r in trace.records] == ["zeros_like"]
    assert ones.device() is device and ttnn.to_torch(ones).unique().tolist() == [1.0]
    assert cast.dtype == ttnn.float32 and cast.device() is device
    host = ttnn.full_like(ttnn.zeros([2, 3]), 2.5, dtype=ttnn.int32)  # a host input stays on the host
    assert host.device() is None and host.to_list() == [[2, 2, 2], [2, 2, 2]]
    moved = ttnn.zeros_like(ttnn.zeros([2, 3]), device=device, layout=ttnn.TILE_LAYOUT)
    assert moved.device() is device and moved.layout == ttnn.TILE_LAYOUT
    target = ttnn.from_torch(torch.rand(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    assert ttnn.ones_like(tiled, optional_tensor=target) is target and ttnn.to_torch(target).unique().tolist() == [1]


def test_empty_allocates_on_a_device(ttnn, device):
    x = ttnn.empty([2, 1280, 8, 8], device=device)
    assert (tuple(x.shape), x.dtype, x.layout, x.device()) == ((2, 1280, 8, 8), ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT,
                                                               device)
    assert x.memory_config() == ttnn.DRAM_MEMORY_CONFIG
    like = ttnn.empty_like(ttnn.from_torch(torch.rand(64, 64), dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT,
                                           device=device, memory_config=ttnn.L1_MEMORY_CONFIG))
    assert (like.dtype, like.layout, like.memory_config()) == (ttnn.bfloat8_b, ttnn.TILE_LAYOUT, ttnn.L1_MEMORY_CONFIG)
    with pytest.raises(TypeError, match="device is required"):
        ttnn.empty([2, 2])
    with pytest.raises(RuntimeError, match="give device="):
        ttnn.empty_like(ttnn.zeros([2, 2]))  # a card segfaults here
    assert ttnn.empty_like(ttnn.zeros([2, 2]), device=device).device() is device


# --- arange ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args,kwargs", [
    ((5,), {}), ((0, 10, 3), {}), ((-3, 3), {}), ((0, 1000), {}), ((0, 300, 1), {}),
    ((10, 0, -3), {"dtype": "float32"}), ((0, 10, 3), {"dtype": "int32"}), ((0, -5, -1), {"dtype": "uint32"}),
    ((2**24, 2**24 + 4), {"dtype": "float32"}), ((), {"end": 3}), ((), {"start": 1, "end": 3}),
    ((0, 5, 1), {"layout": "TILE_LAYOUT", "dtype": "float32"}),
])
def test_arange_matches_real_ttnn(ttnn, real_ttnn, args, kwargs):
    """Each int converted to the dtype (bfloat16 999 -> 1000), integers wrapped: real ttnn's host arange."""
    ours = ttnn.arange(*args, **{k: getattr(ttnn, v) if isinstance(v, str) else v for k, v in kwargs.items()})
    real = real_ttnn.arange(*args, **{k: getattr(real_ttnn, v) if isinstance(v, str) else v for k, v in kwargs.items()})
    assert (ours.dtype, ours.layout, tuple(ours.shape)) == (real.dtype, real.layout, tuple(real.shape))
    assert ours.to_list() == real.to_list()


def test_arange_defaults_and_refusals(ttnn, device):
    x = ttnn.arange(0, 64, 2, device=device)
    assert (x.dtype, x.layout, x.memory_config(), tuple(x.shape)) == (ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT,
                                                                      ttnn.DRAM_MEMORY_CONFIG, (32,))
    assert torch.equal(ttnn.to_torch(x).float(), torch.arange(0, 64, 2).float())
    with pytest.raises(RuntimeError, match="Step must be nonzero"):
        ttnn.arange(0, 10, 0)
    with pytest.raises(RuntimeError, match="Step direction does not match range bounds"):
        ttnn.arange(10, 0, 1)
    with pytest.raises(RuntimeError, match="Unsupported dtype"):
        ttnn.arange(0, 5, 1, dtype=ttnn.bfloat8_b)
    with pytest.raises(TypeError, match="start must be an int"):
        ttnn.arange(0.5, 5)
    assert torch.equal(ttnn.to_torch(ttnn.arange(0, 5, dtype=ttnn.uint16)).to(torch.int64), torch.arange(5))


# --- rand ------------------------------------------------------------------------------------------------

def test_rand_defaults_values_and_seed(ttnn, device):
    with recording() as trace:
        x = ttnn.rand([256, 256], device)
    assert [r.op for r in trace.records] == ["rand"]
    assert (x.dtype, x.layout, x.storage_type(), x.memory_config()) == (
        ttnn.bfloat16, ttnn.TILE_LAYOUT, ttnn.StorageType.DEVICE, ttnn.DRAM_MEMORY_CONFIG)
    values = ttnn.to_torch(x).float()
    assert 0 <= values.min() and values.max() < 1  # bfloat16 keeps each float32's high bits: never rounds up to 1
    assert abs(values.mean() - 0.5) < 0.01 and abs(values.std() - 12**-0.5) < 0.01
    seeded = [ttnn.to_torch(ttnn.rand([64, 64], device, seed=7, dtype=ttnn.float32)) for _ in range(2)]
    assert torch.equal(*seeded)
    assert not torch.equal(seeded[0], ttnn.to_torch(ttnn.rand([64, 64], device, seed=8, dtype=ttnn.float32)))
    fresh = [ttnn.to_torch(ttnn.rand([64, 64], device)) for _ in range(2)]  # seed=0: a new seed each call
    assert not torch.equal(*fresh)
    ranged = ttnn.to_torch(ttnn.rand([64, 64], device, low=-3.0, high=-1.0, dtype=ttnn.float32))
    assert -3 <= ranged.min() and ranged.max() < -1
    block = ttnn.rand([64, 64], device, dtype=ttnn.bfloat8_b, memory_config=ttnn.L1_MEMORY_CONFIG)
    assert block.dtype == ttnn.bfloat8_b and block.memory_config() == ttnn.L1_MEMORY_CONFIG
    assert tuple(ttnn.rand((32,) * 5, device).shape) == (32,) * 5 and tuple(ttnn.rand((7,), device).shape) == (7,)


def test_rand_refuses_what_a_card_refuses(ttnn, device):
    for bad in (dict(shape=5), dict(shape=[2, -1]), dict(layout="ROW_MAJOR"), dict(memory_config="DRAM"),
                dict(device="WORMHOLE"), dict(dtype="ttnn.bfloat16")):  # tt-metal's test_rand_invalid_args
        kwargs = dict(shape=[2, 2], device=device) | bad
        with pytest.raises(TypeError):
            ttnn.rand(**kwargs)
    with pytest.raises(RuntimeError, match="`from` argument must be < `to` argument"):
        ttnn.rand([32, 32], device, low=1.0, high=1.0)
    with pytest.raises(RuntimeError, match="UINT8 is not supported"):
        ttnn.rand([32, 32], device, dtype=ttnn.uint8)
    with pytest.raises(UnsupportedTTNNOp, match=r"rand\(dtype=DataType.INT32\) is not emulated"):
        ttnn.rand([32, 32], device, dtype=ttnn.int32)
    with pytest.raises(RuntimeError, match="Layout::TILE"):
        ttnn.rand([32, 32], device, dtype=ttnn.bfloat8_b, layout=ttnn.ROW_MAJOR_LAYOUT)


def test_rand_on_a_mesh_replicates_a_fixed_seed(ttnn, mesh):
    x = ttnn.rand([32, 32], mesh, seed=11)
    first, second = (ttnn.to_torch(t) for t in ttnn.get_device_tensors(x))
    assert torch.equal(first, second)
    with pytest.raises(UnsupportedTTNNOp, match="mesh_mapper"):
        ttnn.rand([32, 32], mesh, mesh_mapper=object())


# --- as_tensor and its cache file ------------------------------------------------------------------------

def test_as_tensor_without_a_cache_is_from_torch(ttnn, device):
    torch_tensor = torch.randn(64, 64)
    x = ttnn.as_tensor(torch_tensor, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device,
                       memory_config=ttnn.L1_MEMORY_CONFIG, preprocess=lambda t: t * 2)
    assert x.memory_config() == ttnn.L1_MEMORY_CONFIG and x.layout == ttnn.TILE_LAYOUT
    assert torch.equal(ttnn.to_torch(x), (torch_tensor * 2).to(torch.bfloat16))
    assert ttnn.as_tensor(torch_tensor).layout == ttnn.ROW_MAJOR_LAYOUT  # as_tensor's own default
    with pytest.raises(RuntimeError, match="memory_config must be specified when device is specified"):
        ttnn.as_tensor(torch_tensor, device=device)


def test_as_tensor_writes_its_cache_file_and_reuses_it(ttnn, device, tmp_path):
    base = tmp_path / "cache" / "layer0.weight"
    weights = torch.randn(64, 32)
    calls = []

    def preprocess(t):
        calls.append(t.shape)
        return t.T.contiguous()

    first = ttnn.as_tensor(weights, dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, device=device,
                           memory_config=ttnn.L1_MEMORY_CONFIG, cache_file_name=base, preprocess=preprocess)
    path = tmp_path / "cache" / "layer0.weight_dtype_BFLOAT8_B_layout_TILE.tensorbin"  # real ttnn's name
    assert path.is_file() and calls == [(64, 32)]
    assert first.device() is device and first.memory_config() == ttnn.L1_MEMORY_CONFIG
    again = ttnn.as_tensor(torch.zeros(64, 32), dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, device=device,
                           memory_config=ttnn.DRAM_MEMORY_CONFIG, cache_file_name=base, preprocess=preprocess)
    assert calls == [(64, 32)]  # a hit: preprocess is not called, the file's tensor is used
    assert torch.equal(ttnn.to_torch(again), ttnn.to_torch(first))
    assert (again.dtype, tuple(again.shape)) == (ttnn.bfloat8_b, (32, 64))
    assert again.memory_config() == ttnn.L1_MEMORY_CONFIG  # placed with the memory config stored in the file
    host = ttnn.as_tensor(weights, dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, cache_file_name=base,
                          preprocess=preprocess)
    assert host.device() is None and torch.equal(ttnn.to_torch(host), ttnn.to_torch(first))
    untyped = ttnn.as_tensor(weights, cache_file_name=str(base))
    assert (tmp_path / "cache" / "layer0.weight_dtype_None_layout_ROW_MAJOR.tensorbin").is_file()
    assert untyped.dtype == ttnn.float32


def test_as_tensor_cache_is_stale_as_a_cards_is_and_rebuilds_a_bad_file(ttnn, tmp_path):
    base = tmp_path / "w"
    path = tmp_path / "w_dtype_BFLOAT16_layout_ROW_MAJOR.tensorbin"
    ttnn.as_tensor(torch.ones(4, 4), dtype=ttnn.bfloat16, cache_file_name=base)
    with pytest.warns(UserWarning, match=r"holds a tensor of shape \[4, 4\].*shape \[2, 2\]") as caught:
        stale = ttnn.as_tensor(torch.zeros(2, 2), dtype=ttnn.bfloat16, cache_file_name=base)
    assert caught[0].filename == __file__  # the warning points at the caller
    assert torch.equal(ttnn.to_torch(stale), torch.ones(4, 4, dtype=torch.bfloat16))
    path.write_bytes(b"a card's flatbuffer, or a truncated write")
    with pytest.warns(UserWarning, match="Failed to load cache"):
        rebuilt = ttnn.as_tensor(torch.full((2, 2), 3.0), dtype=ttnn.bfloat16, cache_file_name=base)
    assert ttnn.to_torch(rebuilt).unique().tolist() == [3.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ttnn.to_torch(ttnn.as_tensor(torch.zeros(2, 2), dtype=ttnn.bfloat16, cache_file_name=base)).sum() == 12


def test_as_tensor_local_dump_mode_leaves_no_temporary_file(ttnn, tmp_path):
    ttnn.as_tensor(torch.ones(2, 2), cache_file_name=tmp_path / "x", cache_dump_mode=ttnn.DumpTensorMode.LOCAL)
    assert [p.name for p in tmp_path.iterdir()] == ["x_dtype_None_layout_ROW_MAJOR.tensorbin"]


def test_as_tensor_caches_mesh_tensors(ttnn, mesh, tmp_path):
    values = torch.arange(8.0).reshape(4, 2)
    shard = ttnn.ShardTensorToMesh(mesh, dim=0)
    kwargs = dict(dtype=ttnn.float32, device=mesh, memory_config=ttnn.DRAM_MEMORY_CONFIG, mesh_mapper=shard)
    ttnn.as_tensor(values, cache_file_name=tmp_path / "sharded", **kwargs)
    hit = ttnn.as_tensor(torch.zeros(4, 2), cache_file_name=tmp_path / "sharded", **kwargs)
    assert [t.device() for t in ttnn.get_device_tensors(hit)] == mesh.get_devices()
    assert torch.equal(ttnn.to_torch(hit, mesh_composer=ttnn.ConcatMeshToTensor(mesh, dim=0)), values)
    replicate = dict(kwargs, mesh_mapper=ttnn.ReplicateTensorToMesh(mesh))
    ttnn.as_tensor(values, cache_file_name=tmp_path / "replicated", **replicate)
    cached = ttnn.as_tensor(values, cache_file_name=tmp_path / "replicated", dtype=ttnn.float32)
    assert tuple(cached.shape) == (4, 2) and cached.device() is None  # stored once, unsharded
    hit = ttnn.as_tensor(values, cache_file_name=tmp_path / "replicated", **replicate)
    assert all(torch.equal(ttnn.to_torch(t), values) for t in ttnn.get_device_tensors(hit))
