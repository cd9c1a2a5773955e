"""Shared fixtures.  Qt runs offscreen; TensorFlow loads once, only for tests that ask."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def keras():
    import keras as keras_module

    return keras_module


@pytest.fixture(autouse=True)
def private_log_folder(tmp_path_factory, monkeypatch):
    """Failures are logged under $XDG_STATE_HOME; tests never write into the real home."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(autouse=True)
def config_folder(tmp_path_factory, monkeypatch):
    """Trusted code is remembered under $XDG_CONFIG_HOME (engine/trust.py); tests never write into
    the real home, and no test sees another's trust.  The value is Netwright's folder there."""
    config = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return config / "netwright"
