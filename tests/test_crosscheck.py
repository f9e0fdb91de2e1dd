"""The emulator against a real backend, bit for bit: the comparison, the case set, and the card run."""

import subprocess
import sys

import pytest
import torch

from bertlib.crosscheck import CASES, Case, compare, crosscheck, report, run_against_backend


def test_compare_counts_differing_bits_and_matches_nan():
    a = torch.tensor([1.0, float("nan"), 3.0, 4.0]).bfloat16()
    b = torch.tensor([1.0, float("nan"), 3.015625, 4.0]).bfloat16()
    assert compare(a, a.clone()) == (0, 4, 0.0)
    assert compare(a, b) == (1, 4, 0.015625)
    assert compare(a, b.float())[0] == 4  # another dtype: every element differs
    assert compare(a, a[:3])[2] == float("inf")


def test_every_case_runs_on_the_emulator_and_matches_itself(ttnn, device):
    """The emulator against a second emulated device: every case runs, and the comparison finds no difference."""
    from bertlib.emulator.emulated_device import EmulatedDevice

    other = EmulatedDevice(ttnn.chip, 1)
    outcomes = crosscheck((ttnn, device), (ttnn, other))
    failed = [(o.case, o.emulator_error) for o in outcomes if o.emulator_error]
    assert failed == []
    assert all(o.identical and o.total > 0 for o in outcomes), report(outcomes)
    assert len(outcomes) == len(CASES) and f"{len(CASES)} of {len(CASES)} cases bit-identical" in report(outcomes)


def test_a_difference_and_a_refusal_are_reported(ttnn, device):
    from bertlib.emulator.emulated_device import EmulatedDevice

    class Shifted:  # a "backend" whose adds are one bfloat16 step off
        def __getattr__(self, name):
            return getattr(ttnn, name)

        def add(self, a, b):
            return ttnn.multiply(ttnn.add(a, b), 1.0078125)

    cases = [CASES[0], Case("no such op", lambda t, d, make: t.not_an_op(make(32, 32)))]
    outcomes = crosscheck((ttnn, device), (Shifted(), EmulatedDevice(ttnn.chip, 1)), cases)
    assert not outcomes[0].identical and outcomes[0].differing > 0 and outcomes[0].max_abs > 0
    assert "UnsupportedTTNNOp" in outcomes[1].emulator_error
    assert "elements differ" in report(outcomes) and "0 of 2 cases bit-identical" in report(outcomes)


def test_without_a_card_or_ttsim_the_command_says_what_it_needs(monkeypatch):
    from bertlib.emulator import hostenv

    if hostenv.real_backend() is not None:
        pytest.skip("a card or ttsim is here")
    out = subprocess.run([sys.executable, "-m", "bertlib", "crosscheck"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 2 and "TT_METAL_SIMULATOR" in out.stderr and "Traceback" not in out.stderr
    monkeypatch.setenv("TT_METAL_SIMULATOR", "/no/such/libttsim_wh.so")
    assert hostenv.real_backend() is None  # a path that is not there is not a backend


@pytest.mark.card
def test_emulator_against_the_card_or_ttsim():
    """On a card or ttsim: every case runs on both sides; the report says which outputs differ, bit for bit."""
    outcomes = run_against_backend("wormhole_n150")
    assert [(o.case, o.emulator_error, o.backend_error) for o in outcomes if o.emulator_error or o.backend_error] == []
    print(report(outcomes))
