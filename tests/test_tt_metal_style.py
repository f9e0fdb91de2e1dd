"""Code written the way tt-metal writes TT-NN runs on the emulator: `python -m bertlib run`, the pytest plugin,
real ttnn's model_preprocessing, sharding and program configs checked as a card checks them."""

import subprocess
import sys
import textwrap

import pytest
import torch

from bertlib.emulator import ProgramConfigError, ShardingError, UnsupportedTTNNOp
from bertlib.pcc import pcc_value as pcc

SCRIPT = """
import sys
import torch
import transformers
import ttnn
from ttnn.model_preprocessing import preprocess_model_parameters

assert getattr(ttnn, "is_emulator", False), "import ttnn is the emulator"
config = transformers.BertConfig(vocab_size=64, hidden_size=64, num_hidden_layers=1, num_attention_heads=2,
                                 intermediate_size=128)
torch.manual_seed(0)
model = transformers.BertForQuestionAnswering(config).eval()
device = ttnn.open_device(device_id=0)
parameters = preprocess_model_parameters(initialize_model=lambda: model, device=device)
weight = parameters.qa_outputs.weight
assert weight.device() is device and weight.layout == ttnn.TILE_LAYOUT, weight
hidden = torch.randn(1, 32, 64)
x = ttnn.from_torch(hidden, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
logits = ttnn.to_torch(x @ weight + parameters.qa_outputs.bias).float()
expected = model.qa_outputs(hidden).detach()
print("chip", device.core_grid.y, device.core_grid.x, "args", sys.argv[1:])
print("max_error", float((logits - expected).abs().max()))
ttnn.close_device(device)
"""


def _run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=600, cwd=cwd)


def test_bertlib_run_makes_import_ttnn_the_emulator_with_real_model_preprocessing(tmp_path):
    script = tmp_path / "tt_metal_style.py"
    script.write_text(SCRIPT)
    done = _run("-m", "bertlib", "run", "--chip", "blackhole_p150", str(script), "--flag", "7")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "chip 10 13 args ['--flag', '7']" in done.stdout
    error = float(done.stdout.split("max_error")[1])
    assert 0 < error < 0.1  # bfloat16 weights and activations, HiFi2: close to float32, not equal


def test_install_is_idempotent_and_keeps_its_chip():
    code = textwrap.dedent("""
        import sys
        from bertlib.emulator import install
        first = install("wormhole_n150")
        import ttnn
        assert ttnn is first and install("wormhole_n150") is first
        assert ttnn.transformer.split_query_key_value_and_split_heads is sys.modules["ttnn.transformer"].split_query_key_value_and_split_heads
        try:
            install("blackhole_p150")
        except RuntimeError as err:
            print("refused:", err)
    """)
    done = _run("-c", code)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "refused: the emulator is installed for wormhole_n150" in done.stdout


def test_unknown_script_or_chip_is_a_clear_error(tmp_path):
    missing = _run("-m", "bertlib", "run", str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and "no such script" in missing.stderr
    chip = _run("-m", "bertlib", "run", "--chip", "grayskull", str(tmp_path / "nope.py"))
    assert chip.returncode == 2 and "invalid choice: 'grayskull'" in chip.stderr


PLUGIN_TEST = """
import pytest
import torch
import ttnn


@pytest.mark.parametrize("device_params", [{"l1_small_size": 8192}], indirect=True)
@pytest.mark.parametrize("h, w", [(64, 128)])
def test_add_like_tt_metal(device, h, w):
    torch.manual_seed(0)
    a, b = torch.rand(h, w, dtype=torch.bfloat16), torch.rand(h, w, dtype=torch.bfloat16)
    ta = ttnn.from_torch(a, layout=ttnn.TILE_LAYOUT, device=device)
    tb = ttnn.from_torch(b, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.to_torch(ttnn.add(ta, tb, memory_config=ttnn.L1_MEMORY_CONFIG))
    assert device.l1_small_size == 8192
    assert torch.equal(out, a + b)


def test_mesh_fixture(mesh_device):
    assert mesh_device.get_num_devices() == 1


def test_refusal_is_an_error(device, expect_error):
    with pytest.raises(AttributeError, match="ttnn.conv1d is not part"):
        ttnn.conv1d
    x = torch.rand(42, 24, dtype=torch.bfloat16)
    padded = ttnn.fill_implicit_tile_padding(ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device), -42)
    assert torch.equal(ttnn.to_torch(padded), x)
    with expect_error(AttributeError, "tile=ttnn.Tile([16, 32])"):
        ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, tile=ttnn.Tile((16, 32)), device=device)
"""


def test_pytest_plugin_gives_tt_metal_fixtures(tmp_path):
    (tmp_path / "test_op.py").write_text(PLUGIN_TEST)
    done = _run("-m", "pytest", "-q", "-p", "bertlib.testing", "-p", "no:cacheprovider", str(tmp_path),
                "--rootdir", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout


# ---------------------------------------------------------------------------------------- in-process API
def tile(ttnn, device, values, dtype=None, **kwargs):
    return ttnn.from_torch(values, dtype=dtype or ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, **kwargs)


def test_sharded_round_trip_keeps_values_and_records_placement(ttnn, device):
    from bertlib.emulator import recording

    x = tile(ttnn, device, torch.randn(2, 128, 256))
    config = ttnn.create_sharded_memory_config((2, 128, 256), core_grid=ttnn.CoreGrid(y=4, x=4),
                                               strategy=ttnn.ShardStrategy.BLOCK)
    with recording() as trace:
        sharded = ttnn.to_memory_config(x, config)
        back = ttnn.sharded_to_interleaved(sharded, ttnn.L1_MEMORY_CONFIG)
    assert sharded.is_sharded() and list(sharded.memory_config().shard_spec.shape) == [64, 64]
    assert torch.equal(ttnn.to_torch(back), ttnn.to_torch(x)) and not back.is_sharded()
    assert trace.records[0].sharding == ["L1 BLOCK_SHARDED 4x4 cores, shard [64, 64]"]
    height = ttnn.interleaved_to_sharded(x, ttnn.CoreGrid(y=1, x=8), [32, 256], ttnn.TensorMemoryLayout.HEIGHT_SHARDED,
                                         ttnn.ShardOrientation.ROW_MAJOR)
    assert torch.equal(ttnn.to_torch(height), ttnn.to_torch(x))


def test_shards_a_card_refuses(ttnn, device):
    x = tile(ttnn, device, torch.randn(1, 256, 256))
    L1, BLOCK = ttnn.BufferType.L1, ttnn.TensorMemoryLayout.BLOCK_SHARDED

    def config(layout, grid_x, grid_y, shard):
        cores = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(grid_x - 1, grid_y - 1))})
        return ttnn.MemoryConfig(layout, L1, ttnn.ShardSpec(cores, shard, ttnn.ShardOrientation.ROW_MAJOR))

    with pytest.raises(ShardingError, match="not whole 32x32 tiles"):
        ttnn.to_memory_config(x, config(BLOCK, 4, 4, [64, 48]))
    with pytest.raises(ShardingError, match="outside wormhole_n150's 8x8"):
        ttnn.to_memory_config(x, config(BLOCK, 9, 1, [256, 32]))
    with pytest.raises(ShardingError, match="needs a 4x4 block grid, the core grid gives 2x2"):
        ttnn.to_memory_config(x, config(BLOCK, 2, 2, [64, 64]))
    with pytest.raises(ShardingError, match="need 8 cores, the grid has 4"):
        ttnn.to_memory_config(x, config(ttnn.TensorMemoryLayout.HEIGHT_SHARDED, 4, 1, [32, 256]))
    big = tile(ttnn, device, torch.zeros(1, 1024, 1024), dtype=ttnn.float32)
    with pytest.raises(ShardingError, match="more than a wormhole_n150 core's 1464 KiB of L1"):
        ttnn.to_memory_config(big, config(ttnn.TensorMemoryLayout.HEIGHT_SHARDED, 1, 1, [1024, 1024]))
    with pytest.raises(ShardingError, match="needs a shard spec"):
        ttnn.to_memory_config(x, ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG)


def test_matmul_program_configs_are_checked_and_recorded(ttnn, device):
    from bertlib.emulator import recording

    a = tile(ttnn, device, torch.randn(1, 256, 128))
    b = tile(ttnn, device, torch.randn(128, 256))

    def mcast(**fields):
        values = dict(compute_with_storage_grid_size=ttnn.CoreCoord(8, 8), in0_block_w=4, out_subblock_h=1,
                      out_subblock_w=1, per_core_M=1, per_core_N=1, transpose_mcast=False)
        return ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(**{**values, **fields})

    with recording() as trace:
        good = ttnn.matmul(a, b, program_config=mcast())
    assert pcc(ttnn.to_torch(good).float(), ttnn.to_torch(a).float() @ ttnn.to_torch(b).float()) > 0.999
    assert trace.records[0].program_config.startswith("MatmulMultiCoreReuseMultiCastProgramConfig(")
    with pytest.raises(ProgramConfigError, match=r"Kt \(4\) must be divisible by in0_block_w \(3\)"):
        ttnn.matmul(a, b, program_config=mcast(in0_block_w=3))
    with pytest.raises(ProgramConfigError, match="needs to be at most 8"):
        ttnn.matmul(a, b, program_config=mcast(out_subblock_h=1, out_subblock_w=16, per_core_N=16))
    with pytest.raises(ProgramConfigError, match=r"Num output blocks along y \(8\) .* rows in compute grid \(4\)"):
        ttnn.matmul(a, b, program_config=mcast(compute_with_storage_grid_size=ttnn.CoreCoord(8, 4)))
    with pytest.raises(ProgramConfigError, match=r"must fit within the device grid \(8, 8\)"):
        ttnn.matmul(a, b, program_config=mcast(compute_with_storage_grid_size=ttnn.CoreCoord(12, 8)))


def test_sharded_softmax_config_must_describe_the_shard(ttnn, device):
    scores = tile(ttnn, device, torch.randn(1, 2, 64, 64))
    mask = tile(ttnn, device, torch.zeros(1, 1, 1, 64))
    sharded = ttnn.to_memory_config(scores, ttnn.create_sharded_memory_config(
        (1, 2, 64, 64), core_grid=ttnn.CoreGrid(y=1, x=4), strategy=ttnn.ShardStrategy.HEIGHT))
    good = ttnn.SoftmaxShardedMultiCoreProgramConfig(compute_with_storage_grid_size=ttnn.CoreCoord(4, 1),
                                                     subblock_w=2, block_h=1, block_w=2)
    out = ttnn.transformer.attention_softmax(sharded, attention_mask=mask, head_size=64, program_config=good)
    assert torch.allclose(ttnn.to_torch(out).float().sum(-1), torch.ones(1, 2, 64), atol=0.02)
    bad = ttnn.SoftmaxShardedMultiCoreProgramConfig(compute_with_storage_grid_size=ttnn.CoreCoord(4, 1),
                                                    subblock_w=2, block_h=2, block_w=2)
    with pytest.raises(ProgramConfigError, match=r"must be the input's shard \(1x2 tiles\)"):
        ttnn.transformer.attention_softmax(sharded, attention_mask=mask, head_size=64, program_config=bad)


def test_keywords_real_ttnn_computes_with(ttnn, device):
    torch.manual_seed(0)
    x, w = torch.randn(1, 32, 64), torch.randn(64, 32)
    tx, tw = tile(ttnn, device, x), tile(ttnn, device, w)
    out = tile(ttnn, device, torch.zeros(1, 32, 32))
    returned = ttnn.linear(tx, tw, optional_output_tensor=out, activation="relu")
    assert returned is out and (ttnn.to_torch(out).float() >= 0).all()
    assert pcc(ttnn.to_torch(out).float(), torch.relu(x @ w)) > 0.999
    q, kv = torch.randn(1, 32, 64), torch.randn(1, 32, 128)
    split = ttnn.transformer.split_query_key_value_and_split_heads
    parts = split(tile(ttnn, device, q), tile(ttnn, device, kv), num_heads=2)
    fused = split(tile(ttnn, device, torch.cat([q, kv], -1)), num_heads=2)
    assert all(torch.equal(ttnn.to_torch(p), ttnn.to_torch(f)) for p, f in zip(parts, fused, strict=True))
    with pytest.raises(UnsupportedTTNNOp, match="fused activation 'tanhshrink'"):
        ttnn.linear(tx, tw, activation="tanhshrink")


def test_what_tt_metal_bert_code_uses(ttnn, device):
    torch.manual_seed(0)
    a, b = torch.randn(2, 32, 64), torch.randn(64, 96)
    ta, tb = tile(ttnn, device, a), tile(ttnn, device, b)
    assert torch.equal(ttnn.to_torch(ta @ tb), ttnn.to_torch(ttnn.matmul(ta, tb)))
    assert torch.equal(ttnn.to_torch(ttnn.mul(ta, 0.5)), ttnn.to_torch(ta * 0.5))
    odd = tile(ttnn, device, torch.randn(1, 1, 16, 2048))
    assert (odd.volume(), odd.logical_volume()) == (32 * 2048, 16 * 2048)  # as real ttnn: volume() counts padding
    reshape = ttnn.get_fallback_function(ttnn.reshape)
    reshaped = reshape(ttnn.to_layout(ta, ttnn.ROW_MAJOR_LAYOUT), (2, 32, 2, 32))
    assert tuple(reshaped.shape) == (2, 32, 2, 32) and reshaped.device() is device
    assert torch.equal(ttnn.to_torch(reshaped), ttnn.to_torch(ta).reshape(2, 32, 2, 32))
    scores, mask = tile(ttnn, device, torch.randn(1, 2, 32, 32)), tile(ttnn, device, torch.zeros(1, 1, 1, 32))
    out_of_place = ttnn.to_torch(ttnn.transformer.attention_softmax(scores, attention_mask=mask, head_size=64))
    in_place = ttnn.to_torch(ttnn.transformer.attention_softmax_(scores, attention_mask=mask, head_size=64))
    assert torch.equal(out_of_place, in_place)


def test_what_a_card_refuses(ttnn, device):
    qkv = tile(ttnn, device, torch.randn(1, 32, 3 * 96))
    with pytest.raises(RuntimeError, match="head size 48 is not a multiple of 32"):
        ttnn.transformer.split_query_key_value_and_split_heads(qkv, num_heads=2)
    with pytest.raises(RuntimeError, match="at least 1D"):
        ttnn.matmul(tile(ttnn, device, torch.tensor(1.0)), tile(ttnn, device, torch.randn(64, 32)))
    with pytest.raises(RuntimeError, match="when attention_mask is not set"):
        ttnn.transformer.attention_softmax_(tile(ttnn, device, torch.randn(1, 1, 32, 32)), head_size=32)


def test_attention_mask_rows_follow_causal_mask(ttnn, device):
    """A card broadcasts one mask row unless causal_mask=True, which reads one row per query."""
    torch.manual_seed(0)
    scores = torch.randn(1, 2, 64, 64)
    full = torch.triu(torch.full((64, 64), -100000.0), diagonal=1).expand(1, 1, 64, 64)
    golden = ttnn.get_golden_function(ttnn.transformer.attention_softmax)(scores, head_size=64, attention_mask=full)
    out = ttnn.transformer.attention_softmax(tile(ttnn, device, scores), head_size=64,
                                             attention_mask=tile(ttnn, device, full), causal_mask=True)
    assert pcc(ttnn.to_torch(out).float(), golden) > 0.999
    with pytest.raises(UnsupportedTTNNOp, match="this mask has 64 rows"):
        ttnn.transformer.attention_softmax(tile(ttnn, device, scores), head_size=64, attention_mask=tile(ttnn, device, full))


def test_scale_mask_softmax_against_its_golden(ttnn, device):
    torch.manual_seed(0)
    scores = torch.rand(2, 4, 64, 64) * 2000 - 1000  # far past exp's range: only the stable kernel survives
    mask = torch.where(torch.rand(2, 1, 1, 64) > 0.5, 0.0, -float("inf"))
    golden = ttnn.get_golden_function(ttnn.scale_mask_softmax)(scores.to(torch.bfloat16), 1.0, mask)
    t = tile(ttnn, device, scores)
    out = ttnn.scale_mask_softmax(t, 1.0, tile(ttnn, device, mask), numeric_stable=True)
    assert pcc(ttnn.to_torch(out).float(), golden) > 0.999
    config = ttnn.create_sharded_memory_config((2, 4, 64, 64), core_grid=ttnn.CoreGrid(y=4, x=2),
                                               strategy=ttnn.ShardStrategy.HEIGHT)
    sharded = ttnn.to_memory_config(t, config)
    program = ttnn.SoftmaxShardedMultiCoreProgramConfig(compute_with_storage_grid_size=(2, 4), subblock_w=2, block_h=2,
                                                        block_w=2)
    in_place = ttnn.scale_mask_softmax_in_place(sharded, 1.0, tile(ttnn, device, mask), program_config=program,
                                                numeric_stable=True)
    assert in_place is sharded and torch.equal(ttnn.to_torch(in_place), ttnn.to_torch(out))
    device.disable_and_clear_program_cache()
    device.enable_program_cache()
    for _ in range(2):  # the same op on the same specs twice: one program, as a card's cache counts it
        ttnn.scale_mask_softmax(t, 1.0, tile(ttnn, device, mask), numeric_stable=True)
    assert device.num_program_cache_entries() == 1
    unstable = ttnn.scale_mask_softmax(t, 1.0, tile(ttnn, device, mask), numeric_stable=False)
    # exp(1000) overflows without the max subtracted: each row sums to inf, and a card's inf * 0 is 0
    assert torch.equal(ttnn.to_torch(unstable).float(), torch.zeros(2, 4, 64, 64))


def test_linear_without_a_core_grid_runs_its_activation_and_bias_as_their_own_ops():
    """tt-metal's bound_matmul: without a user core grid, ``activation=`` is a separate unary op on the stored
    matmul output, and the bias a separate add unless ttnn's own config can fuse it (all DRAM interleaved)."""
    from bertlib.device import open_device
    from bertlib.emulator import op_trace

    ttnn, device = (lambda h: (h.ttnn, h.device))(open_device("emulator", quiet=True))
    torch.manual_seed(0)
    x_values, w_values, b_values = torch.randn(64, 96), torch.randn(96, 128) * 0.1, torch.randn(1, 128) * 0.1

    def tensors(memory):
        return [ttnn.from_torch(v, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, memory_config=memory)
                for v in (x_values, w_values, b_values)]

    x, w, b = tensors(ttnn.DRAM_MEMORY_CONFIG)
    with op_trace.recording() as recorded:
        separate = ttnn.linear(x, w, bias=b, activation="gelu")
    assert [r.op for r in recorded.records] == ["linear", "gelu"]  # bias fused: everything DRAM interleaved
    product = ttnn.to_torch(ttnn.linear(x, w, bias=b)).float()  # stored as bfloat16, then the GELU
    expected = torch.nn.functional.gelu(product).bfloat16().float()
    assert torch.equal(ttnn.to_torch(separate).float(), expected)
    with op_trace.recording() as recorded:
        fused = ttnn.linear(x, w, bias=b, activation="gelu", core_grid=ttnn.CoreGrid(y=1, x=4))
    assert [r.op for r in recorded.records] == ["linear"]  # a user grid fuses it into the matmul
    assert not torch.equal(ttnn.to_torch(fused).float(), expected)

    x, w, b = tensors(ttnn.L1_MEMORY_CONFIG)
    with op_trace.recording() as recorded:
        ttnn.linear(x, w, bias=b, activation="sigmoid", memory_config=ttnn.L1_MEMORY_CONFIG)
    assert [r.op for r in recorded.records] == ["linear", "add", "sigmoid"]
