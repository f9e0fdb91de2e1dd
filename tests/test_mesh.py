"""Data parallel over an emulated mesh: the same API as ttnn's, bit-identical to one device per shard."""

import pytest
import torch

from bertlib.device import card_present, open_device
from bertlib.models import TTModel, load_model
from bertlib.qa.windows import make_windows


@pytest.fixture(scope="module")
def loaded():
    return load_model("random:bert-tiny")


def test_two_device_mesh_matches_two_single_device_runs(loaded):
    windows = make_windows(loaded.tokenizer, ["Where?", "Who?", "When?", "Why?"],
                           ["In Paris.", "Ada Lovelace.", "In 1843.", "Because it rained."], seq=64)
    mesh = open_device("emulator", mesh_shape=(1, 2), quiet=True)
    single = open_device("emulator", quiet=True)
    assert mesh.device.get_num_devices() == 2
    for precision in ("bf16-hifi4", "optimized"):
        meshed = TTModel.build(loaded, precision, mesh)(windows.input_ids, windows.token_type_ids,
                                                        windows.attention_mask)
        one = TTModel.build(loaded, precision, single)
        halves = [one(windows.input_ids[rows], windows.token_type_ids[rows], windows.attention_mask[rows])
                  for rows in (slice(0, 2), slice(2, 4))]
        assert torch.equal(meshed, torch.cat(halves))


def test_mesh_api_names(handle):
    ttnn = handle.ttnn
    mesh = ttnn.open_mesh_device(ttnn.MeshShape(1, 2))
    x = torch.arange(8.0).reshape(4, 2)
    sharded = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=mesh,
                              mesh_mapper=ttnn.ShardTensorToMesh(mesh, dim=0))
    assert list(sharded.shape) == [2, 2]
    doubled = sharded + sharded
    assert torch.equal(ttnn.to_torch(doubled, mesh_composer=ttnn.ConcatMeshToTensor(mesh, dim=0)).float(), 2 * x)
    with pytest.raises(RuntimeError, match="mesh_composer"):
        ttnn.to_torch(doubled)
    with pytest.raises(RuntimeError, match="does not split over 2 devices"):
        ttnn.from_torch(torch.ones(3, 2), device=mesh, mesh_mapper=ttnn.ShardTensorToMesh(mesh, dim=0))
    ttnn.close_mesh_device(mesh)


@pytest.mark.card
@pytest.mark.skipif(not card_present(), reason="needs a Tenstorrent card")
def test_mesh_on_a_card(loaded):
    with open_device("ttnn", mesh_shape=(1, 2)) as handle:
        windows = make_windows(loaded.tokenizer, ["Where?", "Who?"], ["In Paris.", "Ada."], seq=64)
        logits = TTModel.build(loaded, "bf16-hifi4", handle)(windows.input_ids, windows.token_type_ids,
                                                             windows.attention_mask)
        assert logits.shape == (2, 64, 2)


def test_list_ops_run_per_device_on_a_mesh(handle):
    """concat takes a list of mesh tensors and split returns one: each runs once per device, shard by shard."""
    ttnn = handle.ttnn
    mesh = ttnn.open_mesh_device(ttnn.MeshShape(1, 2))
    x = torch.arange(4 * 64.0).reshape(4, 64)
    sharded = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=mesh,
                              mesh_mapper=ttnn.ShardTensorToMesh(mesh, dim=0))
    joined = ttnn.concat([sharded, sharded], dim=-1)
    back = ttnn.to_torch(joined, mesh_composer=ttnn.ConcatMeshToTensor(mesh, dim=0)).float()
    assert torch.equal(back, torch.cat([x, x], dim=-1))
    left, right = ttnn.split(joined, 64, dim=-1)
    for half in (left, right):
        assert torch.equal(ttnn.to_torch(half, mesh_composer=ttnn.ConcatMeshToTensor(mesh, dim=0)).float(), x)
    ttnn.close_mesh_device(mesh)


def test_a_mesh_tensor_comes_to_the_host_per_device_with_its_topology():
    """``cpu()`` keeps one host shard per device (``ttnn.get_device_tensors``); ``tensor_topology()`` is real ttnn's
    TensorTopology: replicated over the mesh for a tensor made on it, kept by ops, refused where unknown."""
    from bertlib.emulator import UnsupportedTTNNOp
    from bertlib.emulator.mesh import MeshTensor

    handle = open_device("emulator", mesh_shape=(1, 2), quiet=True)
    ttnn, mesh = handle.ttnn, handle.device
    x = ttnn.full([32, 32], 1.5, device=mesh, layout=ttnn.TILE_LAYOUT)
    host = x.cpu()
    shards = ttnn.get_device_tensors(host)
    assert len(shards) == 2 and all(s.storage_type() == ttnn.StorageType.HOST for s in shards)
    assert all(torch.equal(ttnn.to_torch(s), torch.full((32, 32), 1.5, dtype=torch.bfloat16)) for s in shards)
    replicated = ttnn.TensorTopology(ttnn.MeshShape([1, 2]), [ttnn.PlacementReplicate()] * 2,
                                     [ttnn.MeshCoordinate(0, 0), ttnn.MeshCoordinate(0, 1)])
    assert x.tensor_topology() == replicated == host.tensor_topology() == ttnn.empty_like(x).tensor_topology()
    sharded = ttnn.ShardTensorToMesh(mesh, dim=0).topology()
    assert sharded == ttnn.TensorTopology(ttnn.MeshShape([2]), [ttnn.PlacementShard(0)],
                                          [ttnn.MeshCoordinate(0, 0), ttnn.MeshCoordinate(0, 1)])
    with pytest.raises(UnsupportedTTNNOp, match="tensor_topology"):
        MeshTensor(list(x.shards), mesh).tensor_topology()


def test_distribute_sets_the_default_mapper_and_composer(handle):
    """``ttnn.distribute`` (real ttnn's ``distributed.py``): inside it ``from_torch`` takes the mapper (or
    ``to_torch`` the composer) unless given; a host mesh tensor is a ``ttnn.Tensor``, which
    ``preprocess_model_parameters`` moves to the mesh."""
    from bertlib.emulator.mesh import distributor

    ttnn = handle.ttnn
    distribute = distributor(ttnn)  # the namespace's ttnn.distribute
    mesh = ttnn.open_mesh_device(ttnn.MeshShape(1, 2))
    x = torch.arange(8.0).reshape(4, 2)
    with distribute(ttnn.ReplicateTensorToMesh(mesh)):
        host = ttnn.from_torch(x, dtype=ttnn.bfloat16)
        split = ttnn.from_torch(x, dtype=ttnn.bfloat16, mesh_mapper=ttnn.ShardTensorToMesh(mesh, dim=0))
    assert isinstance(host, ttnn.Tensor) and host.storage_type() == ttnn.StorageType.HOST
    assert list(split.shape) == [2, 2]  # a mapper given wins
    assert not hasattr(ttnn.from_torch, "keywords")  # restored on exit
    placed = ttnn.model_preprocessing.move_to_device(host, mesh)
    assert placed.devices() == mesh.get_devices()
    with distribute(ttnn.ConcatMeshToTensor(mesh, dim=0)):
        assert torch.equal(ttnn.to_torch(placed).float(), torch.cat([x, x]))
    with pytest.raises(ValueError, match="TensorToMesh or MeshToTensor"), distribute(mesh):
        pass
    ttnn.close_mesh_device(mesh)
