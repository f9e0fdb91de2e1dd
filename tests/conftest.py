import os

import pytest

os.environ.setdefault("LOGURU_LEVEL", "WARNING")
os.environ.setdefault("TT_LOGGER_LEVEL", "error")

from bertlib.device import card_present, open_device  # noqa: E402


def pytest_collection_modifyitems(config, items):
    if card_present():
        return
    skip = pytest.mark.skip(reason="needs a Tenstorrent card (no /dev/tenstorrent*)")
    for item in items:
        if "card" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def handle():
    return open_device("emulator", quiet=True)


@pytest.fixture(scope="session")
def device(handle):
    return handle.device


@pytest.fixture(scope="session")
def ttnn(handle):
    return handle.ttnn


@pytest.fixture(scope="session")
def real_ttnn():
    from bertlib.device import ensure_host_conversions

    ensure_host_conversions()
    import ttnn

    return ttnn


@pytest.fixture(scope="session")
def make(ttnn, device):
    """``make(values, dtype=bfloat16, layout=TILE, memory_config=None)``: a tensor on the session's device."""

    def make(values, dtype=None, layout=None, memory_config=None):
        return ttnn.from_torch(values, dtype=dtype or ttnn.bfloat16, layout=layout or ttnn.TILE_LAYOUT, device=device,
                               memory_config=memory_config)

    return make
