"""The sharded BERT: tt-metal's sharded attention ops on the emulator, and the ``sharded`` config."""

import pytest
import torch

from bertlib.cli import main
from bertlib.device import open_device
from bertlib.emulator.program_configs import ProgramConfigError
from bertlib.emulator.sharding import ShardingError
from bertlib.models.preprocess import fused_qkv
from bertlib.models.sharded_plan import ShardedPlan, ShardingPlanError


@pytest.fixture(scope="module")
def handle():
    return open_device("emulator", chip="wormhole_n150", quiet=True)


def block_sharded(ttnn, device, values, grid_x, grid_y, dtype=None):
    config = ttnn.create_sharded_memory_config(tuple(values.shape), core_grid=ttnn.CoreGrid(y=grid_y, x=grid_x),
                                               strategy=ttnn.ShardStrategy.BLOCK,
                                               orientation=ttnn.ShardOrientation.COL_MAJOR)
    return ttnn.from_torch(values, dtype=dtype or ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device,
                           memory_config=config)


def test_sharded_split_reads_the_columns_per_head(handle):
    """A block-sharded fused QKV is read as [Q_h K_h V_h] per head (tt-metal's create_qkv_heads), and the heads come
    back height-sharded on the same cores, ``heads / rows`` heads of one batch per core."""
    ttnn, device = handle.ttnn, handle.device
    batch, seq, heads, head = 2, 64, 4, 32
    torch.manual_seed(0)
    values = torch.randn(batch, seq, 3 * heads * head).bfloat16().float()
    qkv = block_sharded(ttnn, device, values, grid_x=batch, grid_y=2)
    query, key, value = ttnn.transformer.split_query_key_value_and_split_heads(
        qkv, num_heads=heads, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    groups = values.reshape(batch, seq, heads, 3, head)
    expected_q, expected_k, expected_v = (groups[:, :, :, i].permute(0, 2, 1, 3) for i in range(3))
    assert torch.equal(ttnn.to_torch(query).float(), expected_q)
    assert torch.equal(ttnn.to_torch(key).float(), expected_k.transpose(-1, -2))  # K comes transposed
    assert torch.equal(ttnn.to_torch(value).float(), expected_v)
    spec = query.memory_config().shard_spec
    assert query.memory_config().memory_layout == ttnn.TensorMemoryLayout.HEIGHT_SHARDED
    assert list(spec.shape) == [batch * heads * seq // 4, head] and spec.orientation == ttnn.ShardOrientation.COL_MAJOR
    assert list(key.memory_config().shard_spec.shape) == [batch * heads * head // 4, seq]

    context = ttnn.transformer.concatenate_heads(value, memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG)
    assert list(context.memory_config().shard_spec.shape) == [seq, 2 * head]  # each core's two heads side by side
    assert torch.equal(ttnn.to_torch(context).float(), expected_v.permute(0, 2, 1, 3).reshape(batch, seq, heads * head))


def test_sharded_split_refuses_what_a_card_refuses(handle):
    ttnn, device = handle.ttnn, handle.device
    values = torch.zeros(2, 64, 384)
    with pytest.raises(ShardingError, match="batch size 2 must be equal to the 1 cores"):
        ttnn.transformer.split_query_key_value_and_split_heads(
            block_sharded(ttnn, device, values, grid_x=1, grid_y=2), num_heads=4,
            memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    qkv = block_sharded(ttnn, device, values, grid_x=2, grid_y=2)
    with pytest.raises(ShardingError, match="memory_config must be HEIGHT_SHARDED"):
        ttnn.transformer.split_query_key_value_and_split_heads(qkv, num_heads=4)
    with pytest.raises(ShardingError, match="4 heads .* must split evenly over the 3 cores"):
        ttnn.transformer.split_query_key_value_and_split_heads(
            block_sharded(ttnn, device, torch.zeros(2, 64, 3 * 4 * 32), grid_x=2, grid_y=3), num_heads=4,
            memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)


def test_matmul_program_configs_must_match_their_shards(handle):
    ttnn, device = handle.ttnn, handle.device
    x = block_sharded(ttnn, device, torch.randn(2, 64, 128), grid_x=2, grid_y=2)  # shards [64, 64] COL_MAJOR
    w = ttnn.from_torch(torch.randn(128, 256), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)

    def mcast(**changes):
        fields = dict(compute_with_storage_grid_size=(2, 2), in0_block_w=2, out_subblock_h=1, out_subblock_w=4,
                      per_core_M=2, per_core_N=4, transpose_mcast=True, fused_activation=None)
        return ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(**{**fields, **changes})

    out = ttnn.linear(x, w, memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG, program_config=mcast())
    spec = out.memory_config().shard_spec
    assert list(spec.shape) == [64, 128] and spec.orientation == ttnn.ShardOrientation.COL_MAJOR
    exact = ttnn.to_torch(x).float() @ ttnn.to_torch(w).float()
    assert torch.corrcoef(torch.stack([ttnn.to_torch(out).float().flatten(), exact.flatten()]))[0, 1] > 0.999
    with pytest.raises(ProgramConfigError, match="transpose_mcast=False needs in0 shards in ROW_MAJOR"):
        ttnn.linear(x, w, memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG,
                    program_config=mcast(transpose_mcast=False, compute_with_storage_grid_size=(2, 2)))
    with pytest.raises(ProgramConfigError, match=r"per_core_M \(1\) must be in0's shard height \(2 tiles\)"):
        ttnn.linear(x, w, memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG, program_config=mcast(per_core_M=1, compute_with_storage_grid_size=(4, 4)))
    with pytest.raises(ProgramConfigError, match="out_subblock_w == per_core_N"):
        ttnn.linear(x, w, memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG,
                    program_config=mcast(out_subblock_h=2, out_subblock_w=2))
    with pytest.raises(RuntimeError, match="give the activation once"):
        ttnn.linear(x, w, activation="gelu", memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG,
                    program_config=mcast(fused_activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.GELU, 0.0)))
    reuse = ttnn.MatmulMultiCoreReuseProgramConfig(compute_with_storage_grid_size=(2, 2), in0_block_w=4,
                                                   out_subblock_h=1, out_subblock_w=4, per_core_M=2, per_core_N=4)
    with pytest.raises(ProgramConfigError, match="bias is not supported"):
        ttnn.linear(x, w, bias=w, program_config=reuse)


def test_sharded_layer_norm_writes_in_place(handle):
    ttnn, device = handle.ttnn, handle.device
    torch.manual_seed(1)
    x = block_sharded(ttnn, device, torch.randn(2, 64, 128), grid_x=2, grid_y=2)
    residual = block_sharded(ttnn, device, torch.randn(2, 64, 128), grid_x=2, grid_y=2)
    expected = torch.nn.functional.layer_norm(ttnn.to_torch(x).float() + ttnn.to_torch(residual).float(), (128,))
    config = ttnn.LayerNormShardedMultiCoreProgramConfig(compute_with_storage_grid_size=(2, 2), subblock_w=2,
                                                         block_h=2, block_w=2, inplace=True)
    out = ttnn.layer_norm(x, residual_input_tensor=residual, memory_config=ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG,
                          program_config=config)
    assert out is x  # the result overwrote the input's shards
    torch.testing.assert_close(ttnn.to_torch(out).float(), expected, rtol=0.02, atol=0.05)
    interleaved = ttnn.to_memory_config(residual, ttnn.L1_MEMORY_CONFIG)
    with pytest.raises(ProgramConfigError, match="residual_input_tensor must be sharded exactly like the input"):
        ttnn.layer_norm(x, residual_input_tensor=interleaved, program_config=config)


def test_the_plan_derives_tt_metals_bert_large_configs(handle):
    """From BERT-large's shapes on n150, batch 8, seq 384, the plan gives the program configs tt-metal writes out by
    hand in ttnn_optimized_sharded_bert.py."""
    ttnn = handle.ttnn
    plan = ShardedPlan(ttnn, batch=8, seq=384, hidden=1024, heads=16, intermediate=4096, chip_grid=(8, 8))
    expected = {  # name: (in0_block_w, out_subblock_h, out_subblock_w, per_core_M, per_core_N), tt-metal's numbers
        "query_key_value": (4, 1, 6, 12, 12), "query_by_key": (2, 1, 6, 24, 12),
        "attention_probabilities_by_value": (12, 4, 2, 24, 2), "self_output": (4, 2, 4, 12, 4),
        "ff1": (4, 1, 8, 12, 16), "ff2": (16, 2, 4, 12, 4),
    }
    for name, fields in expected.items():
        config = plan.program_config(name)
        assert (config.in0_block_w, config.out_subblock_h, config.out_subblock_w, config.per_core_M,
                config.per_core_N) == fields, name
    softmax, layer_norm = plan.program_config("softmax"), plan.program_config("layer_norm")
    assert (softmax.subblock_w, softmax.block_h, softmax.block_w) == (6, 24, 12)
    assert (layer_norm.subblock_w, layer_norm.block_h, layer_norm.block_w, layer_norm.inplace) == (4, 12, 4, True)
    assert ShardedPlan(ttnn, 8, 384, 768, 12, 3072, (8, 8)).rows == 6  # bert-base: 12 heads over 6 core rows
    with pytest.raises(ShardingPlanError, match="batch 9 needs 9 columns, this chip's grid has 8: use batch <= 8"):
        ShardedPlan(ttnn, 9, 384, 1024, 16, 4096, (8, 8))
    with pytest.raises(ShardingPlanError, match="multiple of 32"):
        ShardedPlan(ttnn, 8, 100, 1024, 16, 4096, (8, 8))


def test_fused_qkv_groups_per_head():
    q, k, v = (torch.arange(4 * 2).reshape(4, 2) + 100 * i for i in range(3))  # 2 heads of size 2, 2 inputs
    assert torch.equal(fused_qkv([q, k, v], heads=2, per_head=False), torch.cat([q, k, v]))
    grouped = fused_qkv([q, k, v], heads=2, per_head=True)
    assert torch.equal(grouped, torch.cat([q[:2], k[:2], v[:2], q[2:], k[2:], v[2:]]))


def test_sharded_config_end_to_end(capsys):
    """minilm-squad through the sharded config: every layer close to HuggingFace, and a batch the grid cannot hold
    refused with what to do."""
    import json

    assert main(["pcc", "--model", "minilm-squad", "--precision", "sharded", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["min_pcc"] >= 0.98 and {row["block"] for row in out["rows"]} >= {"qa_logits", "probs", "context"}
    assert main(["pcc", "--model", "minilm-squad", "--precision", "sharded", "--batch", "9"]) == 2
    assert "batch 9 needs 9 columns, this chip's grid has 8: use batch <= 8" in capsys.readouterr().err


def _nd_config(ttnn, shard_shape, x1, y1, buffer=None, orientation=None):
    grid = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(x1, y1))})
    spec = ttnn.NdShardSpec(shard_shape, grid, orientation or ttnn.ShardOrientation.ROW_MAJOR)
    return ttnn.MemoryConfig(buffer or ttnn.BufferType.L1, spec)


def test_nd_sharded_l1_tensors_are_placed_round_robin(handle):
    """An NdShardSpec in L1 places any number of shards on the grid's cores in turn; values do not change."""
    ttnn, device = handle.ttnn, handle.device
    values = torch.randn(2, 2, 256, 512)
    for shard, layout in (([32, 32], ttnn.TILE_LAYOUT), ([2, 16, 16], ttnn.ROW_MAJOR_LAYOUT)):
        for orientation in (ttnn.ShardOrientation.ROW_MAJOR, ttnn.ShardOrientation.COL_MAJOR):
            config = _nd_config(ttnn, shard, 1, 1, orientation=orientation)
            x = ttnn.from_torch(values, dtype=ttnn.float32, layout=layout, device=device, memory_config=config)
            assert x.memory_config().nd_shard_spec is not None and x.is_sharded()
            assert torch.equal(ttnn.to_torch(x), values)
    full = ttnn.full([64, 64, 64], 2.5, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device,
                     memory_config=_nd_config(ttnn, [16, 32, 32], 4, 0))
    assert torch.equal(ttnn.to_torch(full), torch.full((64, 64, 64), 2.5, dtype=torch.bfloat16))


def test_nd_sharding_refuses_what_a_card_refuses(handle):
    ttnn, device = handle.ttnn, handle.device
    from bertlib.emulator import UnsupportedTTNNOp

    values = torch.randn(4, 4, 128, 128)
    with pytest.raises(ShardingError, match="whole 32x32 tiles"):
        ttnn.from_torch(values, layout=ttnn.TILE_LAYOUT, device=device, memory_config=_nd_config(ttnn, [2, 16, 64], 1, 1))
    with pytest.raises(ShardingError, match="compute grid"):
        ttnn.from_torch(values, layout=ttnn.TILE_LAYOUT, device=device, memory_config=_nd_config(ttnn, [32, 32], 8, 8))
    with pytest.raises(ShardingError, match="KiB of L1"):  # 64 MiB of float32 on one core
        ttnn.from_torch(torch.zeros(16, 1024, 1024), dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT, device=device,
                        memory_config=_nd_config(ttnn, [1, 1024, 1024], 0, 0))
    with pytest.raises(UnsupportedTTNNOp, match="ND_SHARDED in DRAM is not emulated"):
        ttnn.from_torch(values, layout=ttnn.TILE_LAYOUT, device=device,
                        memory_config=_nd_config(ttnn, [32, 32], 4, 0, buffer=ttnn.BufferType.DRAM))
    x = ttnn.from_torch(values, dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT, device=device,
                        memory_config=_nd_config(ttnn, [2, 2, 64, 64], 2, 4))
    with pytest.raises(UnsupportedTTNNOp, match="sharded"):  # the reduction reads interleaved tensors only
        ttnn.sum(x, dim=-2)
    for op in (lambda: ttnn.relu(x), lambda: ttnn.add(x, x), lambda: ttnn.softmax(x, dim=-1),
               lambda: ttnn.layer_norm(x), lambda: ttnn.matmul(x, x), lambda: ttnn.concat([x, x], dim=0)):
        with pytest.raises(UnsupportedTTNNOp, match="of an ND-sharded tensor .* is not emulated"):
            op()
    moved = ttnn.to_memory_config(x, ttnn.DRAM_MEMORY_CONFIG)  # what the refusal says to do
    assert torch.equal(ttnn.to_torch(ttnn.relu(moved)), torch.relu(values))
