"""Metal trace on the emulator: capture, replay on new inputs, and what a card refuses."""

import pytest
import torch

from bertlib.device import open_device
from bertlib.emulator import UnsupportedTTNNOp, make_namespace


def tensors(ttnn, device, *values):
    return [ttnn.from_torch(v, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device) for v in values]


def test_replay_on_new_inputs_equals_running_the_ops_again():
    with open_device("emulator", quiet=True, trace_region_size=1 << 20, num_command_queues=2) as (device, ttnn):
        torch.manual_seed(0)
        x, w = tensors(ttnn, device, torch.randn(64, 96), torch.randn(96, 32))
        trace_id = ttnn.begin_trace_capture(device, cq_id=ttnn.QueueId(0))
        y = ttnn.softmax(ttnn.gelu(ttnn.matmul(x, w)), dim=-1)
        ttnn.end_trace_capture(device, trace_id, cq_id=ttnn.QueueId(0))
        before = ttnn.to_torch(y).clone()
        new = torch.randn(64, 96)
        host = ttnn.from_torch(new, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
        ttnn.copy_host_to_device_tensor(host, x, cq_id=ttnn.QueueId(1))
        written = ttnn.record_event(device, ttnn.QueueId(1))
        ttnn.wait_for_event(ttnn.QueueId(0), written)
        ttnn.execute_trace(device, trace_id, cq_id=ttnn.QueueId(0), blocking=False)
        ttnn.synchronize_device(device)
        after = ttnn.to_torch(y)
        fresh = ttnn.to_torch(ttnn.softmax(ttnn.gelu(ttnn.matmul(*tensors(ttnn, device, new), w)), dim=-1))
        assert torch.equal(after, fresh) and not torch.equal(after, before)
        ttnn.release_trace(device, trace_id)
        with pytest.raises(RuntimeError, match="released"):
            ttnn.execute_trace(device, trace_id, cq_id=ttnn.QueueId(0))


def test_a_device_without_a_trace_region_refuses_the_trace_as_a_card_does():
    """ttnn 0.81.1 opens devices with trace_region_size 0; a card fails when the capture is turned into a trace."""
    ttnn = make_namespace()
    device = ttnn.open_device(device_id=0)
    (x,) = tensors(ttnn, device, torch.randn(32, 32))
    trace_id = ttnn.begin_trace_capture(device, cq_id=0)
    ttnn.gelu(x)
    with pytest.raises(RuntimeError, match="only 0 B is allocated for the trace region.*trace_region_size="):
        ttnn.end_trace_capture(device, trace_id, cq_id=0)
    ttnn.close_device(device)
    traced = ttnn.open_device(device_id=0, trace_region_size=4 << 20)
    trace_id = ttnn.begin_trace_capture(traced, cq_id=0)
    ttnn.end_trace_capture(traced, trace_id, cq_id=0)
    ttnn.close_device(traced)


def test_what_a_capture_refuses():
    ttnn = make_namespace()
    device = ttnn.open_device(device_id=0, trace_region_size=1 << 20)
    (x,) = tensors(ttnn, device, torch.randn(32, 32))
    trace_id = ttnn.begin_trace_capture(device)
    with pytest.raises(RuntimeError, match="cannot be captured in a trace"):
        ttnn.to_torch(x)
    with pytest.raises(RuntimeError, match="cannot be captured in a trace"):
        ttnn.from_torch(torch.ones(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    with pytest.raises(RuntimeError, match="already being captured"):
        ttnn.begin_trace_capture(device)
    ttnn.end_trace_capture(device, trace_id)
    with pytest.raises(RuntimeError, match="command queue 1 does not exist.*num_command_queues=2"):
        ttnn.execute_trace(device, trace_id, cq_id=ttnn.QueueId(1))
    with pytest.raises(UnsupportedTTNNOp, match="worker_l1_size"):
        ttnn.open_device(device_id=0, worker_l1_size=1 << 20)
    ttnn.close_device(device)


def test_open_device_checks_its_sizes():
    from bertlib.device import DeviceError

    with pytest.raises(DeviceError, match="1 or 2 command queues"):
        open_device("emulator", quiet=True, num_command_queues=3)
    handle = open_device("emulator", quiet=True, trace_region_size=8 << 20)
    assert handle.device.trace_region_size == 8 << 20 and handle.device.num_command_queues == 1


def test_the_op_trace_says_which_ops_ran_in_a_metal_trace():
    """Captured and replayed ops are marked traced (no host dispatch per op on a card); others are not."""
    from bertlib.emulator.op_trace import recording

    with open_device("emulator", quiet=True, trace_region_size=1 << 20) as (device, ttnn):
        x, w = tensors(ttnn, device, torch.randn(64, 96), torch.randn(96, 32))
        with recording() as trace:
            ttnn.matmul(x, w)
            trace_id = ttnn.begin_trace_capture(device, cq_id=0)
            ttnn.gelu(ttnn.matmul(x, w))
            ttnn.end_trace_capture(device, trace_id, cq_id=0)
            ttnn.execute_trace(device, trace_id, cq_id=0)
            ttnn.matmul(x, w)
        assert [(r.op, r.traced) for r in trace.records] == [
            ("matmul", False), ("matmul", True), ("gelu", True), ("matmul", True), ("gelu", True), ("matmul", False)]
