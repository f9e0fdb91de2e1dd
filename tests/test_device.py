import pytest
import torch

import bertlib
from bertlib.device import CHIPS, DeviceError, card_present, open_device


def test_auto_falls_back_to_the_emulator_with_one_line(capsys):
    with open_device() as handle:
        assert handle.backend == ("ttnn" if card_present() else "emulator")
    if not card_present():
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "host emulator" in err[0] and "no Tenstorrent card" in err[0]


def test_device_0_opens_once_until_it_is_closed_as_on_a_card():
    from bertlib.device import borrow_device, opened

    handle = open_device(quiet=True)
    try:
        assert opened() is handle and opened(1) is None
        with pytest.raises(DeviceError, match=r"Cannot re-initialize device 0, must first call close\(\).*opened\(\)"):
            open_device(quiet=True)
        with borrow_device() as borrowed:  # library code takes the open device
            assert borrowed is handle
        with open_device("emulator", quiet=True) as private:  # an explicit host emulator is not the card
            assert private is not handle
    finally:
        handle.close()
    assert opened() is None
    with borrow_device() as own:  # nothing open: borrowed devices are opened and closed again
        assert opened() is own
    assert opened() is None and own.device.closed
    open_device(quiet=True).close()  # open again after close()


def test_the_emulated_ttnn_opens_a_device_once_until_it_is_closed():
    from bertlib.emulator import make_namespace

    ttnn = make_namespace()
    device = ttnn.open_device(device_id=0)
    with pytest.raises(RuntimeError, match=r"Cannot re-initialize device 0, must first call close\(\)"):
        ttnn.open_device(device_id=0)
    other = ttnn.open_device(device_id=1)
    ttnn.close_device(device)
    ttnn.close_device(other)
    reopened = ttnn.open_device(device_id=0)
    assert reopened is not device
    ttnn.close_device(reopened)
    mesh = ttnn.open_mesh_device(ttnn.MeshShape(1, 2))
    ttnn.close_mesh_device(mesh)
    ttnn.close_mesh_device(ttnn.open_mesh_device(ttnn.MeshShape(1, 2)))


def test_handle_unpacks_and_is_a_context_manager():
    with open_device("emulator", quiet=True) as (device, ttnn):
        t = ttnn.from_torch(torch.ones(2, 2), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        assert ttnn.to_torch(t).sum() == 4
    assert device.closed


@pytest.mark.skipif(card_present(), reason="a card is present")
def test_ttnn_backend_without_a_card_says_what_to_do():
    with pytest.raises(DeviceError, match="backend='emulator'"):
        open_device("ttnn")


def test_bad_backend_and_chip():
    with pytest.raises(DeviceError, match="unknown backend"):
        open_device("gpu")
    with pytest.raises(DeviceError, match="unknown chip"):
        open_device("emulator", chip="grayskull")


@pytest.mark.parametrize("chip", sorted(CHIPS))
def test_chips_report_their_grid(chip):
    device, ttnn = open_device("emulator", chip=chip, quiet=True)
    grid = device.compute_with_storage_grid_size()
    assert (grid.y, grid.x) == CHIPS[chip].grid
    assert (device.core_grid.y, device.core_grid.x) == CHIPS[chip].grid  # tt-metal's bert-tiny passes device.core_grid


def test_public_api():
    assert bertlib.open_device is open_device


def test_import_bertlib_is_cheap():
    """``import bertlib`` loads neither torch nor transformers; ``doctor`` builds the emulated ttnn to count its
    ops, so it loads torch, but never transformers."""
    import subprocess
    import sys

    probe = "import sys, bertlib; print(sorted(m for m in ('torch', 'transformers', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    doctor = "import sys, runpy; sys.argv = ['bertlib', 'doctor']\ntry:\n    runpy.run_module('bertlib', run_name='__main__')\n" \
             "except SystemExit:\n    pass\nprint(sorted(m for m in ('transformers', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", doctor], capture_output=True, text=True, check=True)
    assert "ttnn emulated" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.card
def test_same_code_runs_on_a_card():
    with open_device("ttnn") as (device, ttnn):
        x = torch.randn(64, 64)
        t = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        out = ttnn.to_torch(ttnn.softmax(t)).float()
        assert bertlib.comp_pcc(torch.softmax(x, -1), out, 0.999)[0]
