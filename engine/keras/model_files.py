"""Keras model files -> the model's config, read as data and never loaded.

``.keras`` is a zip holding ``config.json`` (and ``model.weights.h5``); a
legacy ``.h5`` file keeps the config as JSON in its ``model_config``
attribute; ``model.to_json()`` writes the config as plain JSON.  Each is read
with zipfile, h5py or json: no ``load_model``, no pickle, no Lambda bytecode,
nothing from the file is executed.  Sizes are checked before anything is read
into memory, so a zip bomb or a huge attribute is refused with a sentence.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from dataclasses import dataclass
from typing import Any

MAX_CONFIG_BYTES = 64 * 1024 * 1024  # a config of 64 MB is ~100,000 layers
MAX_JSON_FILE_BYTES = MAX_CONFIG_BYTES
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURE = b"PK\x03\x04"


class ModelFileError(ValueError):
    """The file cannot be read as a Keras model; the message says why, in one sentence."""


@dataclass
class ModelFile:
    """What a Keras model file holds, as plain data."""

    path: str
    kind: str  # "keras", "h5" or "json"
    config: dict[str, Any]  # {"class_name": "Sequential" | "Functional" | ..., "config": {...}}
    compile_config: dict[str, Any] | None
    has_weights: bool


def read_model_file(path: str | os.PathLike[str]) -> ModelFile:
    """The model config (and compile config, when saved) of a ``.keras``, ``.h5`` or JSON file."""
    source = str(path)
    try:
        st = os.stat(source)
    except OSError as exc:
        raise ModelFileError(f"cannot read {source}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ModelFileError(f"{source} is not a regular file")
    try:
        with open(source, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise ModelFileError(f"cannot read {source}: {exc.strerror or exc}") from None
    if head.startswith(ZIP_SIGNATURE):
        return _read_keras_zip(source)
    if head.startswith(HDF5_SIGNATURE):
        return _read_h5(source)
    if st.st_size > MAX_JSON_FILE_BYTES:
        raise ModelFileError(f"{source} is {st.st_size // 2**20} MB; a model config is at most 64 MB")
    with open(source, "rb") as f:
        raw = _parse_json(f.read(), source)
    if isinstance(raw, dict) and "model_config" in raw and "class_name" not in raw:
        raw = raw["model_config"]
    return ModelFile(source, "json", _check_config(raw, source), _compile_of(raw), has_weights=False)


def _parse_json(data: bytes | str, source: str) -> Any:
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        return json.loads(text)
    except UnicodeDecodeError:
        raise ModelFileError(f"{source} is neither a Keras model file nor UTF-8 JSON") from None
    except RecursionError:
        raise ModelFileError(f"{source}: the JSON is nested too deeply") from None
    except ValueError as exc:
        raise ModelFileError(f"{source} is not valid JSON ({exc})") from None


def _check_config(raw: Any, source: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("class_name"), str):
        raise ModelFileError(f"{source} does not hold a Keras model config (no 'class_name')")
    if not isinstance(raw.get("config"), dict):
        raise ModelFileError(f"{source}: the model config has no 'config' object")
    return raw


def _compile_of(raw: Any) -> dict[str, Any] | None:
    cc = raw.get("compile_config") if isinstance(raw, dict) else None
    return cc if isinstance(cc, dict) else None


def _read_keras_zip(source: str) -> ModelFile:
    try:
        with zipfile.ZipFile(source) as z:
            try:
                info = z.getinfo("config.json")
            except KeyError:
                raise ModelFileError(
                    f"{source} is a zip file without config.json: not a .keras model"
                ) from None
            if info.file_size > MAX_CONFIG_BYTES:
                raise ModelFileError(f"{source}: config.json would unpack to {info.file_size // 2**20} MB")
            with z.open(info) as f:
                data = f.read(MAX_CONFIG_BYTES + 1)
            if len(data) > MAX_CONFIG_BYTES:
                raise ModelFileError(f"{source}: config.json unpacks to more than 64 MB")
            has_weights = "model.weights.h5" in z.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise ModelFileError(f"{source} is a damaged .keras file ({exc})") from None
    raw = _parse_json(data, source)
    return ModelFile(source, "keras", _check_config(raw, source), _compile_of(raw), has_weights)


def _read_h5(source: str) -> ModelFile:
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py comes with TensorFlow
        raise ModelFileError("reading .h5 models needs the h5py package") from None
    try:
        with h5py.File(source, "r") as f:
            model_config = _h5_attr(f, "model_config", source)
            training_config = _h5_attr(f, "training_config", source, required=False)
            has_weights = "model_weights" in f
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{source} is a damaged HDF5 file ({exc})") from None
    raw = _parse_json(model_config, source)
    compile_config = _parse_json(training_config, source) if training_config else None
    if isinstance(compile_config, dict):
        compile_config = {
            k: compile_config[k]
            for k in ("optimizer_config", "loss", "metrics", "loss_weights")
            if k in compile_config
        }
        if "optimizer_config" in compile_config:
            compile_config["optimizer"] = compile_config.pop("optimizer_config")
    return ModelFile(source, "h5", _check_config(raw, source), compile_config, has_weights)


def _h5_attr(f: Any, name: str, source: str, required: bool = True) -> str | None:
    if name not in f.attrs:
        if required:
            raise ModelFileError(f"{source} is an HDF5 file without a Keras model config (weights only?)")
        return None
    attr_id = f.attrs.get_id(name)
    if attr_id.get_storage_size() > MAX_CONFIG_BYTES:
        raise ModelFileError(f"{source}: the {name} attribute is larger than 64 MB")
    value = f.attrs[name]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    raise ModelFileError(f"{source}: the {name} attribute is not text")
