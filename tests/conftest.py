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
