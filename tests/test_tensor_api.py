"""The tensor and device helpers real ttnn 0.81.1 has: ttnn.Tensor's constructors, methods and printing,
is_tensor_storage_on_device / get_memory_config / get_device_tensors / is_sharded, the device API, and what a
card refuses: tensors of a closed device, and card-only device features."""

import copy

import numpy as np
import pytest
import torch

from bertlib.emulator import UnsupportedTTNNOp, recording
from bertlib.emulator.tensor import ClosedDeviceError


@pytest.fixture
def own_device(ttnn):
    opened = ttnn.open_device(device_id=6)
    yield opened
    if not opened.closed:
        ttnn.close_device(opened)


@pytest.fixture
def mesh(ttnn):
    opened = ttnn.open_mesh_device(ttnn.MeshShape(1, 2))
    yield opened
    ttnn.close_mesh_device(opened)


# --- printing: real ttnn's format, real ttnn's print options ---------------------------------------------

@pytest.mark.parametrize("values,dtype,layout", [
    (torch.arange(6.0).reshape(2, 3) / 7, "bfloat16", "ROW_MAJOR_LAYOUT"),
    (torch.randn(64, 64), "float32", "TILE_LAYOUT"),
    (torch.randn(2, 3, 4), "bfloat16", "ROW_MAJOR_LAYOUT"),
    (torch.randn(40, 40), "bfloat8_b", "TILE_LAYOUT"),
    (torch.randn(33, 7), "bfloat4_b", "TILE_LAYOUT"),
    (torch.tensor([[1.5e10, 1e-5]]), "float32", "ROW_MAJOR_LAYOUT"),
    (torch.tensor(3.5), "float32", "ROW_MAJOR_LAYOUT"),
    (torch.zeros(0, 3), "float32", "ROW_MAJOR_LAYOUT"),
    (torch.arange(-3, 9).reshape(3, 4), "int32", "ROW_MAJOR_LAYOUT"),
    (torch.tensor([4294967295, 7]), "uint32", "ROW_MAJOR_LAYOUT"),
])
def test_printing_is_real_ttnns(ttnn, real_ttnn, values, dtype, layout):
    ours = ttnn.from_torch(values, dtype=getattr(ttnn, dtype), layout=getattr(ttnn, layout))
    real = real_ttnn.from_torch(values, dtype=getattr(real_ttnn, dtype), layout=getattr(real_ttnn, layout))
    assert repr(ours) == repr(real) and str(ours) == str(real)


def test_a_device_tensor_prints_as_its_host_copy(ttnn, real_ttnn, device):
    values = torch.randn(3, 5)
    on_device = ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    assert repr(on_device) == repr(real_ttnn.from_torch(values, dtype=real_ttnn.bfloat16, layout=real_ttnn.TILE_LAYOUT))
    ttnn.deallocate(on_device)
    assert repr(on_device) == ("ttnn.Tensor(<buffer is not allocated>, shape=Shape([3, 5]), dtype=DataType::BFLOAT16, "
                               "layout=Layout::TILE)")
    with recording(shape_only=True):
        traced = ttnn.from_torch(values, dtype=ttnn.bfloat16)
    assert repr(traced).startswith("ttnn.Tensor(<no values")


def test_print_options_are_real_ttnns(ttnn, real_ttnn):
    values = torch.arange(100.0).reshape(10, 10)
    ttnn.set_printoptions(profile="full")
    try:
        assert repr(ttnn.from_torch(values, dtype=ttnn.float32)) == repr(real_ttnn.from_torch(values))
        assert "..." not in repr(ttnn.from_torch(values, dtype=ttnn.float32))
    finally:
        ttnn.set_printoptions(profile="short")


def test_a_mesh_tensor_prints_each_device(ttnn, mesh):
    x = ttnn.from_torch(torch.arange(4.0).reshape(2, 2), dtype=ttnn.float32, device=mesh,
                        mesh_mapper=ttnn.ShardTensorToMesh(mesh, dim=0))
    text = repr(x)
    assert text.startswith("device_id: 0, MeshCoordinate([0, 0])\nttnn.Tensor([[ 0.0000,  1.0000]]")
    assert "\ndevice_id: 1, MeshCoordinate([0, 1])\nttnn.Tensor([[ 2.0000,  3.0000]]" in text


# --- constructors ------------------------------------------------------------------------------------------

def test_tensor_from_arrays_as_real_ttnn(ttnn, real_ttnn, device):
    for array in (np.arange(6, dtype=np.float32).reshape(2, 3), np.arange(6).reshape(2, 3),
                  np.arange(6, dtype=np.int32).reshape(2, 3), torch.arange(6.0).reshape(2, 3).to(torch.bfloat16)):
        ours, real = ttnn.Tensor(array), real_ttnn.Tensor(array)
        assert (ours.dtype, ours.layout, ours.device()) == (real.dtype, real.layout, None)  # int64 -> UINT32
        assert repr(ours) == repr(real)
    block = ttnn.Tensor(torch.randn(4, 4), ttnn.bfloat8_b)  # a block float defaults to TILE, as in real ttnn
    assert block.layout == ttnn.TILE_LAYOUT
    assert repr(block) == repr(real_ttnn.Tensor(ttnn.to_torch(block), real_ttnn.bfloat8_b))
    on = ttnn.Tensor(torch.randn(32, 32), ttnn.bfloat16, device, ttnn.TILE_LAYOUT, ttnn.L1_MEMORY_CONFIG)
    assert on.device() is device and on.memory_config() == ttnn.L1_MEMORY_CONFIG
    keywords = ttnn.Tensor(torch.randn(2, 2), data_type=ttnn.float32, layout=ttnn.TILE_LAYOUT)
    assert (keywords.dtype, keywords.layout) == (ttnn.float32, ttnn.TILE_LAYOUT)
    assert ttnn.Tensor(np.zeros((2, 2), dtype=bool)).dtype == ttnn.uint8  # real ttnn stores bool as uint8


def test_tensor_from_a_list_as_real_ttnn(ttnn, real_ttnn, device):
    for data, dtype, layout in (([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "bfloat16", "ROW_MAJOR_LAYOUT"),
                                ([1.5, 2, 3, 4, 5, 6], "int32", "ROW_MAJOR_LAYOUT"),
                                ([0.1, 2, 3, 4, 5, 6], "bfloat8_b", "TILE_LAYOUT")):
        args = (data, [2, 3])
        ours = ttnn.Tensor(*args, getattr(ttnn, dtype), getattr(ttnn, layout))
        assert repr(ours) == repr(real_ttnn.Tensor(*args, getattr(real_ttnn, dtype), getattr(real_ttnn, layout)))
    on = ttnn.Tensor([1, 2, 3, 4], [1, 1, 2, 2], ttnn.int32, ttnn.ROW_MAJOR_LAYOUT, device)
    assert on.device() is device and on.to_list() == [[[[1, 2], [3, 4]]]]
    with pytest.raises(RuntimeError, match="Buffer size 3 differs from shape volume 4"):
        ttnn.Tensor([1.0, 2.0, 3.0], [2, 2], ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT)
    copied = ttnn.Tensor(on)
    assert copied is not on and copied.device() is device and copied.to_list() == on.to_list()
    with pytest.raises(TypeError, match="incompatible function arguments"):
        ttnn.Tensor("values")


# --- methods -----------------------------------------------------------------------------------------------

def test_item(ttnn, device):
    assert ttnn.from_torch(torch.tensor([[0.1]]), dtype=ttnn.bfloat16).item() == 0.10009765625
    assert ttnn.from_torch(torch.tensor([[0.1]]), dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT).item() == 0.099609375
    big = ttnn.from_torch(torch.tensor([4294967295]), dtype=ttnn.uint32, device=device).item()
    assert big == 4294967295 and isinstance(big, int)
    assert ttnn.ones([1, 1, 1], device=device).item() == 1.0
    with pytest.raises(RuntimeError, match="exactly one element, but got 6 elements"):
        ttnn.zeros([2, 3]).item()


def test_reshape_and_moves(ttnn, device):
    x = ttnn.from_torch(torch.arange(64.0).reshape(2, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    with recording() as trace:
        flat = x.reshape([64])
    assert [r.op for r in trace.records] == ["reshape"]  # Tensor.reshape is ttnn.reshape
    assert tuple(flat.shape) == (64,) and flat.device() is device
    assert tuple(x.reshape(1, 1, 2, 32).shape) == (1, 1, 2, 32) and tuple(x.reshape((4, -1)).shape) == (4, 16)
    assert tuple(x.reshape(ttnn.Shape([32, 2])).shape) == (32, 2)
    with pytest.raises(TypeError, match="incompatible function arguments"):
        x.reshape(1, 64)
    host = x.cpu()
    assert host.device() is None and host.storage_type() == ttnn.StorageType.HOST and host.cpu() is host
    assert torch.equal(host.to_torch(), torch.arange(64.0).reshape(2, 32).to(torch.bfloat16))
    rows = host.to(ttnn.ROW_MAJOR_LAYOUT)
    assert rows.layout == ttnn.ROW_MAJOR_LAYOUT and rows.device() is None
    with pytest.raises(RuntimeError, match="Bring tensor to host before converting to target layout"):
        x.to(ttnn.ROW_MAJOR_LAYOUT)
    back = rows.to(device, ttnn.L1_MEMORY_CONFIG)
    assert back.device() is device and back.memory_config() == ttnn.L1_MEMORY_CONFIG
    assert back.storage_type() == ttnn.StorageType.DEVICE and back.devices() == [device]
    assert rows.to(device).memory_config() == ttnn.DRAM_MEMORY_CONFIG


def test_small_methods(ttnn):
    x = ttnn.from_torch(torch.tensor([[1.5, -2.0]]), dtype=ttnn.bfloat16)
    assert x.to_list() == [[1.5, -2.0]] and x.to_numpy().tolist() == [[1.5, -2.0]]
    assert ttnn.from_torch(torch.tensor([4294967295]), dtype=ttnn.uint32).to_list() == [4294967295]
    assert [ttnn.zeros([1], dtype=d).element_size() for d in (ttnn.bfloat16, ttnn.float32, ttnn.uint32)] == [2, 4, 4]
    assert ttnn.zeros([32, 32], dtype=ttnn.bfloat8_b).element_size() == 1
    assert list(x.tile.tile_shape) == [32, 32] and list(x.get_tile().tile_shape) == [32, 32]
    with pytest.raises(UnsupportedTTNNOp, match="ttnn.Tensor.pad_to_tile is not emulated"):
        x.pad_to_tile(0.0)
    with pytest.raises(AttributeError) as missing:
        x.no_such_method()
    assert not isinstance(missing.value, UnsupportedTTNNOp) and not hasattr(x, "shards")
    assert copy.copy(x).to_list() == x.to_list()


# --- helpers -----------------------------------------------------------------------------------------------

def test_tensor_helpers(ttnn, device, mesh):
    host = ttnn.from_torch(torch.ones(64, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    l1 = ttnn.to_device(host, device, memory_config=ttnn.L1_MEMORY_CONFIG)
    sharded = ttnn.to_memory_config(l1, ttnn.create_sharded_memory_config(
        (32, 64), ttnn.CoreGrid(y=2, x=1), ttnn.ShardStrategy.HEIGHT, use_height_and_width_as_shard_shape=True))
    assert not ttnn.is_tensor_storage_on_device(host) and ttnn.is_tensor_storage_on_device(l1)
    assert ttnn.get_memory_config(host) is None and ttnn.get_memory_config(l1) == ttnn.L1_MEMORY_CONFIG
    assert not ttnn.is_sharded(l1) and ttnn.is_sharded(sharded)
    assert ttnn.get_device_tensors(l1) == [l1] and ttnn.get_device_tensors(host) == [host]
    spread = ttnn.from_torch(torch.arange(8.0).reshape(4, 2), dtype=ttnn.bfloat16, device=mesh,
                             mesh_mapper=ttnn.ShardTensorToMesh(mesh, dim=0))
    shards = ttnn.get_device_tensors(spread)
    assert [s.device() for s in shards] == mesh.get_devices() and [s.to_list() for s in shards] == [
        [[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]]]
    assert ttnn.is_tensor_storage_on_device(spread) and ttnn.get_memory_config(spread) == ttnn.DRAM_MEMORY_CONFIG
    assert not ttnn.is_sharded(spread) and spread.is_allocated() and spread.devices() == mesh.get_devices()
    with pytest.raises(TypeError, match="expected a ttnn.Tensor"):
        ttnn.get_device_tensors(torch.ones(2))


# --- a closed device ---------------------------------------------------------------------------------------

def test_tensors_of_a_closed_device_are_refused_as_on_a_card(ttnn, own_device):
    x = ttnn.from_torch(torch.ones(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=own_device)
    host = ttnn.from_device(x)
    one = ttnn.from_torch(torch.ones(1, 1), dtype=ttnn.bfloat16, device=own_device)
    ttnn.close_device(own_device)
    assert not x.is_allocated() and host.is_allocated()
    for use in (lambda: ttnn.to_torch(x), lambda: ttnn.relu(x) if hasattr(ttnn, "relu") else ttnn.gelu(x),
                lambda: one.item(), lambda: ttnn.from_device(x), lambda: ttnn.zeros_like(x), lambda: x.cpu()):
        with pytest.raises(ClosedDeviceError, match="Buffer must be allocated on device!.*device was closed"):
            use()
    assert isinstance(ClosedDeviceError("x"), RuntimeError)
    assert repr(x).startswith("ttnn.Tensor(<buffer is not allocated>")
    assert ttnn.to_torch(host).sum() == 1024  # read back before closing: still there


# --- devices -----------------------------------------------------------------------------------------------

def test_device_api(ttnn, real_ttnn, device, mesh):
    for d in (device, mesh):
        grid = d.dram_grid_size()
        assert (grid.x, grid.y) == (12, 1)  # a Wormhole's 12 DRAM channels
        assert d.sfpu_eps() == 1.1920899822825959e-07 and d.sfpu_nan() > 7e19 and d.sfpu_inf() > 1.7e38
        assert d.arch() == real_ttnn.device.Arch.WORMHOLE_B0 and (d.core_grid.x, d.core_grid.y) == (8, 8)
        d.quiesce_devices()
    assert device.get_num_devices() == 1 and device.shape == ttnn.MeshShape(1, 1)
    assert mesh.get_num_devices() == 2 and mesh.get_device_ids() == [0, 1] and mesh.id() == 0
    from bertlib.emulator import make_namespace

    blackhole = make_namespace("blackhole_p150").open_device(device_id=0)
    assert (blackhole.dram_grid_size().x, blackhole.id(), blackhole.get_device_ids()) == (8, 0, [0])


def test_program_cache_controls(ttnn, own_device):
    x = ttnn.from_torch(torch.randn(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=own_device)
    ttnn.gelu(x)
    entries = own_device.num_program_cache_entries()
    assert entries >= 1
    own_device.set_program_cache_misses_allowed(False)
    ttnn.gelu(x)  # a hit
    with pytest.raises(RuntimeError, match="softmax: program cache miss occurred, but cache misses are forbidden"):
        ttnn.softmax(x, dim=-1)
    own_device.set_program_cache_misses_allowed(True)
    own_device.clear_program_cache()
    assert own_device.num_program_cache_entries() == 0
    own_device.disable_and_clear_program_cache()
    ttnn.gelu(x)
    assert own_device.num_program_cache_entries() == 0
    own_device.enable_program_cache()
    ttnn.gelu(x)
    assert own_device.num_program_cache_entries() == 1


SUB_DEVICE = ("create_sub_device_manager", "load_sub_device_manager", "remove_sub_device_manager",
              "clear_loaded_sub_device_manager", "set_sub_device_stall_group", "reset_sub_device_stall_group")


@pytest.mark.parametrize("name", SUB_DEVICE)
def test_sub_device_managers_are_refused_as_needing_a_card(ttnn, device, mesh, name):
    for d in (device, mesh):
        with pytest.raises(UnsupportedTTNNOp, match=f"MeshDevice.{name} is not emulated: sub-device managers need a "
                                                     "Tenstorrent card"):
            getattr(d, name)
        assert not hasattr(d, name)


def test_other_card_only_device_names_are_refused_and_typos_are_not(device, mesh):
    for d in (device, mesh):
        with pytest.raises(UnsupportedTTNNOp, match="worker_core_from_logical_core is not emulated.*physical cores"):
            d.worker_core_from_logical_core()
        with pytest.raises(AttributeError) as typo:
            d.compute_grid()
        assert not isinstance(typo.value, UnsupportedTTNNOp)
    assert copy.deepcopy(device).chip == device.chip and getattr(device, "devices", ()) == ()


def test_cache_entries_counter_counts_the_program_cache_entries_a_block_adds(ttnn):
    """tt-metal's test helper (its conftest puts one on each device): ``measure()`` adds the new entries to ``total``."""
    from bertlib.testing import CacheEntriesCounter

    device = ttnn.open_device(device_id=3)
    try:
        counter = CacheEntriesCounter(device)
        x = ttnn.from_torch(torch.randn(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        with counter.measure():
            ttnn.relu(x)
            ttnn.relu(x)  # the same program again: a cache hit
        assert counter.total == 1
        counter.decorator(ttnn.exp)(x)
        assert counter.total == 2
        counter.reset()
        assert counter.total == 0
    finally:
        ttnn.close_device(device)
