"""Pretrained weights from an imported model file, layer by layer.

A design imported from a ``.keras`` or ``.h5`` file that holds weights keeps a
reference to that file and the original name of each imported layer
(``design.weights``).  When the design is trained, each layer that is still
there takes its weights from the file before training starts (fine-tuning);
a layer whose shape changed since the import starts fresh, and says so.

Only arrays are read (h5py); nothing in the file is executed.  For ``.keras``
files Keras's own per-object loader (``saving_lib._load_state``) restores a
layer with everything it contains (an LSTM's cell, MultiHeadAttention's
projections) in Keras's order; legacy ``.h5`` files list each layer's weight
names in order, which ``set_weights`` takes as they are.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

from engine.keras.model_files import HDF5_SIGNATURE, MAX_CONFIG_BYTES, ZIP_SIGNATURE

MAX_WEIGHTS_BYTES = 8 * 2**30  # a .keras file's weights are unpacked into memory: refuse absurd sizes


class WeightsError(ValueError):
    """The weights file cannot be read; the message says why."""


def weight_layers(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Layer name -> where its weights are in the file, for every layer that has weights.

    In a ``.keras`` file that is the layer's group path; in a legacy ``.h5`` file
    the layer's group and the names of its weights, in order.  A model nested
    in the file lends its layers' weights under their own names too (the
    importer flattens nested models).
    """
    with _open_h5(path) as opened:
        f = opened.file
        if opened.kind == "h5":
            return _h5_places(f)
        found: dict[str, Any] = {}

        def visit(name: str, obj: Any) -> None:
            if name.endswith("/vars") or name == "vars":
                owner = name[: -len("/vars")] if name.endswith("/vars") else ""
                layer_name = _text(obj.attrs.get("name", ""))
                # A layer's own group, directly under a "layers" folder (not an LSTM's cell).
                if owner.rsplit("/", 2)[-2:-1] == ["layers"] and layer_name and _has_arrays(f[owner]):
                    found.setdefault(layer_name, owner)

        f.visititems(visit)
        return found


def _h5_places(f: Any) -> dict[str, Any]:
    group = f.get("model_weights")
    if group is None:
        return {}
    places: dict[str, Any] = {}
    for name in (_text(n) for n in group.attrs.get("layer_names", [])):
        weight_names = _text_list(group[name].attrs.get("weight_names", []))
        if not weight_names:
            continue
        places[name] = (name, tuple(weight_names))
        nested: dict[str, list[str]] = {}  # "inner/conv2d/kernel" -> the nested model's layer conv2d
        for w in weight_names:
            parts = w.split("/")
            if len(parts) == 3 and parts[0] == name:
                nested.setdefault(parts[1], []).append(w)
        for inner, names in nested.items():
            places.setdefault(inner, (name, tuple(names)))
    return places


def _has_arrays(group: Any) -> bool:
    import h5py

    found = []
    group.visititems(lambda _n, o: found.append(1) if isinstance(o, h5py.Dataset) else None)
    return bool(found)


def load_pretrained(
    model: Any, weights: dict[str, Any], base: Path | None = None
) -> tuple[list[str], list[str]]:
    """Give each layer of ``model`` its weights from the file; return (loaded names, problems).

    Runs where the model lives (the training thread).  ``weights`` is the
    design's ``{"file": ..., "layers": {node_id: original layer name}}``.
    """
    path = Path(weights["file"])
    if not path.is_absolute() and base is not None:
        path = base / path
    try:
        places = weight_layers(path)
    except WeightsError as exc:
        return [], [f"{exc}; training starts from fresh weights"]
    loaded: list[str] = []
    problems: list[str] = []
    with _open_h5(path) as opened:
        kind, f = opened.kind, opened.file
        store = _KerasStore(opened.data) if kind == "keras" else None
        for node_id, original in weights.get("layers", {}).items():
            try:
                layer = model.get_layer(node_id)
            except ValueError:
                continue  # the layer was deleted from the design since the import
            if original not in places:
                continue
            try:
                if store is not None:
                    store.load(layer, places[original])
                else:
                    group_name, weight_names = places[original]
                    group = f["model_weights"][group_name]
                    layer.set_weights([group[n][()] for n in weight_names])
            except Exception as exc:  # noqa: BLE001 - a mismatch is reported per layer
                problems.append(
                    f"'{node_id}' no longer fits its pretrained weights ({_short(exc)}); it starts fresh"
                )
                continue
            loaded.append(node_id)
    return loaded, problems


class _KerasStore:
    """Keras 3's weights file, loaded one layer at a time by Keras's own loader."""

    def __init__(self, data: bytes) -> None:
        from keras.src.saving import saving_lib  # Keras's loader; pinned Keras, covered by tests

        self._lib = saving_lib
        self._store = saving_lib.H5IOStore(io.BytesIO(data), mode="r")

    def load(self, layer: Any, inner_path: str) -> None:
        before = [w.numpy().copy() for w in layer.weights]
        failed: set[int] = set()
        errors: dict[int, Any] = {}
        self._lib._load_state(
            layer, self._store, None, inner_path=inner_path, failed_saveables=failed, error_msgs=errors
        )
        if errors:
            for w, value in zip(layer.weights, before, strict=True):
                w.assign(value)  # leave the layer as it was, not half loaded
            _saveable, exc = next(iter(errors.values()))
            raise exc


class _open_h5:  # noqa: N801 - used as a context manager
    """The weights as an open h5py file: the .h5 itself, or model.weights.h5 inside a .keras zip."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        self.file: Any = None
        self.kind = ""
        self.data = b""  # the unpacked weights of a .keras file

    def __enter__(self) -> _open_h5:
        import h5py

        try:
            with open(self.path, "rb") as raw:
                head = raw.read(8)
            if head.startswith(ZIP_SIGNATURE):
                with zipfile.ZipFile(self.path) as z:
                    info = z.getinfo("model.weights.h5")
                    if info.file_size > MAX_WEIGHTS_BYTES:
                        raise WeightsError(
                            f"{self.path}: the weights would unpack to {info.file_size // 2**30} GB"
                        )
                    self.data = z.read(info)
                self.file, self.kind = h5py.File(io.BytesIO(self.data), "r"), "keras"
                return self
            if head.startswith(HDF5_SIGNATURE):
                self.file, self.kind = h5py.File(self.path, "r"), "h5"
                return self
        except KeyError:
            raise WeightsError(f"{self.path} holds no weights") from None
        except (OSError, zipfile.BadZipFile, ValueError) as exc:
            raise WeightsError(f"cannot read the weights in {self.path} ({exc})") from None
        raise WeightsError(f"{self.path} is not a Keras model file with weights")

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()


def _text(v: Any) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def _text_list(values: Any) -> list[str]:
    return [_text(v) for v in values][:MAX_CONFIG_BYTES]


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
