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
