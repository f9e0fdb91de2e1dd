"""A pytest plugin for TT-NN tests written in tt-metal's style, run on the emulator: ``pytest -p bertlib.testing``.

It installs the emulator before the test modules import ttnn (real ttnn when a card is present) and gives
the fixtures tt-metal's conftest gives: ``device`` (opened with ``device_params``, which tests set through
``@pytest.mark.parametrize("device_params", [{...}], indirect=True)``), ``mesh_device`` (a 1x1 mesh unless
``mesh_device`` is parametrized with a shape), ``reset_seeds``, ``use_program_cache`` and ``expect_error``. ``--chip`` picks
the chip (default ``wormhole_n150``; also ``BERTLIB_CHIP``).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bertlib.emulator.chips import CHIPS

DEFAULT_CHIP = "wormhole_n150"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--chip", default=os.environ.get("BERTLIB_CHIP", DEFAULT_CHIP), choices=list(CHIPS),
                     help="the chip bertlib's TT-NN emulator stands in for")


def pytest_configure(config: pytest.Config) -> None:
    from bertlib.emulator import install

    config.addinivalue_line("markers", "use_module_device: tt-metal's marker for one device per test module")

    install(config.getoption("--chip"))


class CacheEntriesCounter:
    """What tt-metal's root conftest attaches to every device it opens as ``device.cache_entries_counter`` (its
    ``tests/tests_common/cache_entries_counter.py``; ttnn's device has no such attribute of its own). ``total``
    sums the program-cache entries that blocks run under ``measure()`` added (``num_program_cache_entries()``)."""

    def __init__(self, device: Any) -> None:
        self.device = device
        self.total = 0

    def reset(self) -> None:
        """Start counting from zero again."""
        self.total = 0

    @contextlib.contextmanager
    def measure(self) -> Iterator[None]:
        """Add the entries the block creates to ``total``."""
        before = self.device.num_program_cache_entries()
        yield
        self.total += self.device.num_program_cache_entries() - before

    def decorator(self, function: Any) -> Any:
        """``function`` with each call measured."""

        def measured(*args: Any, **kwargs: Any) -> Any:
            with self.measure():
                return function(*args, **kwargs)

        return measured


@pytest.fixture
def device_params(request: pytest.FixtureRequest) -> dict[str, Any]:
    """``ttnn.open_device`` keywords; tests override them with an indirect parametrization."""
    return dict(getattr(request, "param", {}))


@pytest.fixture
def device(device_params: dict[str, Any]) -> Iterator[Any]:
    """An opened device (the emulated chip, or card 0), closed after the test."""
    import ttnn

    opened = ttnn.open_device(device_id=0, **device_params)
    opened.cache_entries_counter = CacheEntriesCounter(opened)
    yield opened
    ttnn.close_device(opened)


@pytest.fixture
def mesh_device(request: pytest.FixtureRequest, device_params: dict[str, Any]) -> Iterator[Any]:
    """An opened mesh: ``(rows, cols)`` from an indirect parametrization, else 1x1."""
    import ttnn

    shape = getattr(request, "param", (1, 1))
    shape = (1, shape) if isinstance(shape, int) else tuple(shape)
    opened = ttnn.open_mesh_device(ttnn.MeshShape(*shape), **device_params)
    opened.cache_entries_counter = CacheEntriesCounter(opened)
    yield opened
    ttnn.close_mesh_device(opened)


@pytest.fixture
def reset_seeds() -> None:
    """Seed torch the way tt-metal's conftest does before a test (its fixed seed, 213919)."""
    import torch

    torch.manual_seed(213919)


@pytest.fixture
def use_program_cache(device: Any) -> Any:
    """The program cache on (ttnn's default): ``device.num_program_cache_entries()`` counts the distinct ops."""
    device.enable_program_cache()
    return device


@pytest.fixture
def expect_error() -> Callable[..., Any]:
    """``with expect_error(RuntimeError, "message"):`` the block raises that error with that text in it."""

    def expect(error: type[BaseException], message: str = "") -> contextlib.AbstractContextManager:
        return pytest.raises(error, match=re.escape(message))

    return expect
