"""Fixtures shared by every test: indexes built once per session from real files.

``sample_home`` is the bundled sample (data/), ``real_home`` the real RhinOcc directory
read from ../shared (tests needing it skip when it is absent). Both are built with the
same code as ``orienteur build``; tests copy a home before changing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.conversation import Conversation
from index.engine import Engine
from index.settings import SAMPLE_SOURCE, Settings
from tests.support.homes import NATIONAL, REAL_CSV, RHINOCC, ROOT, SHARED, build_home

__all__ = ["NATIONAL", "REAL_CSV", "RHINOCC", "ROOT", "SHARED", "build_home"]

pytest_plugins = ["tests.support.redis_server"]  # redis_server, redis_url: a real server on a private port


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory) -> Path:
    return build_home(tmp_path_factory.mktemp("sample-home"), [str(SAMPLE_SOURCE)])


@pytest.fixture(scope="session")
def real_home(tmp_path_factory) -> Path:
    if not REAL_CSV.is_file():
        pytest.skip("../shared/data/rhinocc is not beside the project")
    return build_home(tmp_path_factory.mktemp("real-home"), [str(REAL_CSV)])


@pytest.fixture(scope="session")
def sample_engine(sample_home) -> Engine:
    return Engine(home=sample_home)


@pytest.fixture(scope="session")
def real_engine(real_home) -> Engine:
    return Engine(home=real_home)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings for one test: a private home, nothing read from the environment."""
    return Settings.from_env({}, home=str(tmp_path / "home"))


@pytest.fixture
def conversation(real_engine) -> Conversation:
    """A fresh conversation over the real directory, on a fixed Wednesday."""
    return Conversation(real_engine, page_size=3, today=lambda: 2)
