"""The ops tt-metal's Sentence-BERT needs, on small hand-checkable cases: ``ttnn.experimental``'s per-core QKV
split and head concatenation, ``ttnn.reshard``, and the program config ttnn derives for a sharded batched matmul."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from bertlib.device import open_device
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.sharding import ShardingError

BATCH, SEQ, HEADS, HEAD = 2, 32, 4, 32  # two rows of cores (one per batch), two columns (two heads each)


@pytest.fixture(scope="module")
def handle():
    return open_device("emulator", chip="wormhole_n150", quiet=True)


def heads():
    """Q, K, V as (batch, heads, seq, head), each value distinct."""
    torch.manual_seed(0)
    return [torch.randn(BATCH, HEADS, SEQ, HEAD).bfloat16().float() for _ in range(3)]


def per_core_columns(q, k, v, columns=2):
    """The fused QKV a card's per-core split reads: each core column's block is [Q heads | K heads | V heads]."""
    parts = [t.permute(0, 2, 1, 3).reshape(BATCH, SEQ, columns, HEADS // columns * HEAD) for t in (q, k, v)]
    return torch.stack(parts, dim=3).reshape(BATCH, 1, SEQ, 3 * HEADS * HEAD)


def block_sharded(ttnn, device, values, grid_x=2, grid_y=BATCH):
    config = ttnn.create_sharded_memory_config(tuple(values.shape), core_grid=ttnn.CoreGrid(y=grid_y, x=grid_x),
                                               strategy=ttnn.ShardStrategy.BLOCK,
                                               orientation=ttnn.ShardOrientation.ROW_MAJOR)
    return ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, memory_config=config)


def split(ttnn, device, qkv, **kwargs):
    kwargs.setdefault("memory_config", ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    return ttnn.experimental.split_query_key_value_and_split_heads(
        qkv, device.compute_with_storage_grid_size(), num_heads=kwargs.pop("num_heads", HEADS), **kwargs)


def test_experimental_split_reads_each_cores_block_as_q_then_k_then_v(handle):
    ttnn, device = handle.ttnn, handle.device
    q, k, v = heads()
    qkv = block_sharded(ttnn, device, per_core_columns(q, k, v))
    query, key, value = split(ttnn, device, qkv)
    assert torch.equal(ttnn.to_torch(query).float(), q)
    assert torch.equal(ttnn.to_torch(key).float(), k.transpose(-1, -2))  # K comes transposed
    assert torch.equal(ttnn.to_torch(value).float(), v)
    for tensor, shard in ((query, [2 * SEQ, HEAD]), (key, [2 * HEAD, SEQ]), (value, [2 * SEQ, HEAD])):
        config = tensor.memory_config()
        assert config.memory_layout == ttnn.TensorMemoryLayout.HEIGHT_SHARDED and list(config.shard_spec.shape) == shard
    # ttnn.transformer's op reads the same columns per head, [Q_h K_h V_h]: other values
    per_head, _, _ = ttnn.transformer.split_query_key_value_and_split_heads(
        ttnn.reshape(qkv, (BATCH, SEQ, 3 * HEADS * HEAD)), num_heads=HEADS,
        memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    assert not torch.equal(ttnn.to_torch(per_head).float(), q)


def test_experimental_split_refuses_what_a_card_refuses(handle):
    ttnn, device = handle.ttnn, handle.device
    values = per_core_columns(*heads())
    with pytest.raises(UnsupportedTTNNOp, match="interleaved input is not emulated"):
        split(ttnn, device, ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device))
    qkv = block_sharded(ttnn, device, values)
    with pytest.raises(ShardingError, match="num_heads must be 4"):  # tt-metal's kernel: two heads per core
        split(ttnn, device, qkv, num_heads=2)
    with pytest.raises(ShardingError, match="memory_config must be HEIGHT_SHARDED"):
        split(ttnn, device, qkv, memory_config=None)
    with pytest.raises(RuntimeError, match="must be less than grid size"):
        ttnn.experimental.split_query_key_value_and_split_heads(qkv, ttnn.CoreCoord(1, 1), num_heads=HEADS,
                                                                memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    with pytest.raises(ShardingError, match="2 shard rows must hold one batch's 64 rows"):
        split(ttnn, device, block_sharded(ttnn, device, values.reshape(1, 1, BATCH * SEQ, -1), grid_y=2))


def test_nlp_concat_heads_puts_each_cores_heads_side_by_side(handle):
    ttnn, device = handle.ttnn, handle.device
    q, k, v = heads()
    expected = v.permute(0, 2, 1, 3).reshape(BATCH, 1, SEQ, HEADS * HEAD)
    interleaved = ttnn.from_torch(v, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    assert torch.equal(ttnn.to_torch(ttnn.experimental.nlp_concat_heads(interleaved)).float(), expected)

    _, _, value = split(ttnn, device, block_sharded(ttnn, device, per_core_columns(q, k, v)))
    context = ttnn.experimental.nlp_concat_heads(value, memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG)
    assert torch.equal(ttnn.to_torch(context).float(), expected)
    assert list(context.memory_config().shard_spec.shape) == [SEQ, 2 * HEAD]
    with pytest.raises(RuntimeError, match="must not be HEIGHT_SHARDED"):
        ttnn.experimental.nlp_concat_heads(value, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    with pytest.raises(RuntimeError, match="must be INTERLEAVED"):
        ttnn.experimental.nlp_concat_heads(interleaved, memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG)


def test_reshard_moves_shards_and_keeps_values(handle):
    ttnn, device = handle.ttnn, handle.device
    values = torch.randn(1, 1, 128, 128).bfloat16().float()
    sharded = block_sharded(ttnn, device, values)
    target = ttnn.create_sharded_memory_config((1, 1, 128, 128), core_grid=ttnn.CoreGrid(y=4, x=1),
                                               strategy=ttnn.ShardStrategy.HEIGHT)
    moved = ttnn.reshard(sharded, target)
    assert moved.memory_config() == target and torch.equal(ttnn.to_torch(moved).float(), values)
    with pytest.raises(RuntimeError, match="input must be sharded"):
        ttnn.reshard(ttnn.to_memory_config(moved, ttnn.L1_MEMORY_CONFIG), target)


def test_sharded_batched_matmul_derives_its_program_config(handle):
    """ttnn's ``get_matmul_program_config``: a height-sharded A times a batched B, no program config: each core
    multiplies its own shard of A, and the output is height-sharded like A."""
    ttnn, device = handle.ttnn, handle.device
    q, k, v = heads()
    query, key, _ = split(ttnn, device, block_sharded(ttnn, device, per_core_columns(q, k, v)))
    scores = ttnn.matmul(query, key, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    config = scores.memory_config()
    assert list(config.shard_spec.shape) == [2 * SEQ, SEQ] and config.shard_spec.grid == query.memory_config().shard_spec.grid
    expected = q @ k.transpose(-1, -2)
    assert torch.allclose(ttnn.to_torch(scores).float(), expected, atol=0.1 * float(expected.abs().max()))
    interleaved = ttnn.to_memory_config(query, ttnn.L1_MEMORY_CONFIG)
    with pytest.raises(ShardingError, match="needs a program_config"):
        ttnn.matmul(interleaved, key, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    with pytest.raises(RuntimeError, match="memory layouts and buffer types must match"):
        ttnn.matmul(query, key, memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG)


@pytest.mark.parametrize("example", ["tt_metal_bert_qa.py", "tt_metal_family_models.py"])
def test_the_examples_say_when_the_tt_metal_checkout_is_missing(example, tmp_path):
    script = Path(__file__).parents[1] / "examples" / example
    out = subprocess.run([sys.executable, "-m", "bertlib", "run", str(script), "--tt-metal", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 2 and "is not a tt-metal checkout (it has no models/ folder)" in out.stderr
    assert "Traceback" not in out.stderr
