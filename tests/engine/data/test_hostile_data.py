"""Data the loader must not trust: every case is a DataError that says what and where.

Nothing here may allocate what a header claims, block on a pipe, or end in an
exception other than DataError (which the window, the CLI and the preview show).
"""

import os
import struct
import time
import zipfile
import zlib

import numpy as np
import pytest

from engine.data import loaders
from engine.data import prepare as D
from engine.design.file_format import load
from tests.engine.data.test_prepare import TEMPLATE, make_image_folder


def npy_header(shape, descr="<f8") -> bytes:
    """A .npy file header claiming ``shape``, with no data behind it."""
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def png_header(width, height) -> bytes:
    """A PNG whose header claims width x height pixels (a decompression bomb's opening)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def load_spec(tmp_path, **spec):
    return D.load(spec, tmp_path)


def test_headers_that_claim_huge_arrays_are_refused_unread(tmp_path):
    (tmp_path / "x.npy").write_bytes(npy_header((200_000, 100_000)))  # claims 149 GiB
    np.save(tmp_path / "y.npy", np.zeros(3, dtype=int))
    with pytest.raises(
        D.DataError, match=r"x\.npy claims an array of shape \(200000, 100000\) \(149\.0 GiB\)"
    ):
        load_spec(tmp_path, source="numpy", path="x.npy", y_path="y.npy")
    with zipfile.ZipFile(tmp_path / "d.npz", "w") as z:
        z.writestr("x.npy", npy_header((10**6, 10**6)))
        z.writestr("y.npy", npy_header((3,), "<i8") + b"\0" * 24)
    with pytest.raises(D.DataError, match=r"d\.npz/x\.npy claims an array"):
        load_spec(tmp_path, source="numpy", path="d.npz")
    for shape in ((-1,), (-2, -3), (True, 2)):
        (tmp_path / "neg.npy").write_bytes(npy_header(shape) + b"\0" * 64)
        with pytest.raises(D.DataError, match=r"neg\.npy has an impossible shape"):
            load_spec(tmp_path, source="numpy", path="neg.npy", y_path="y.npy")
    (tmp_path / "obj.npy").write_bytes(npy_header((2,), "|O") + b"\0" * 16)
    with pytest.raises(D.DataError, match="holds Python objects"):
        load_spec(tmp_path, source="numpy", path="obj.npy", y_path="y.npy")


def test_arrays_larger_than_the_memory_available_are_refused(tmp_path, monkeypatch):
    np.savez(tmp_path / "d.npz", x=np.ones((1000, 10)), y=np.arange(1000) % 2)
    monkeypatch.setattr(loaders, "memory_budget", lambda: 40_000)
    with pytest.raises(D.DataError, match=r"78\.1 KiB.*at most 39\.1 KiB can be loaded"):
        load_spec(tmp_path, source="numpy", path="d.npz")


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        (np.float64(3), np.int64(1), "single numbers"),
        (np.zeros((0, 3)), np.zeros(0, dtype=int), "x holds no samples"),
        (np.ones((4, 2)) + 1j, np.array([0, 1, 0, 1]), "x holds complex numbers"),
        (np.array([[1.0], [np.inf], [2.0], [3.0]]), np.array([0, 1, 0, 1]), r"x has a value .*\(sample 1\)"),
        (np.array([[1e300], [2.0]]), np.array([0, 1]), "beyond float32's range"),
        (np.ones((4, 2)), np.array([0, -1, 0, 1]), r"class label -1 \(sample 1\)"),
        (np.ones((4, 2)), np.array([0, 10**12, 0, 1]), r"class label 1000000000000 \(sample 1\)"),
        (np.ones((3, 2)), np.array([0.5, np.inf, 1.0]), r"y has a target .* \(sample 1\)"),
        (np.ones((3, 2)), np.array([1, 2, 3]) + 0j, "y holds complex numbers"),
        (np.ones((3, 2)), np.array(["a", "b", "c"]), "y holds values of type <U1"),
        (np.ones((3, 2)), np.array([0, 1]), "x has 3 samples but y has 2"),
    ],
)
def test_numpy_values_are_checked_where_they_enter(tmp_path, x, y, message):
    np.savez(tmp_path / "d.npz", x=x, y=y)
    with pytest.raises(D.DataError, match=message):
        load_spec(tmp_path, source="numpy", path="d.npz")


def test_one_dimensional_features_are_one_feature_per_sample(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.arange(6.0), y=np.arange(6) % 2)
    assert load_spec(tmp_path, source="numpy", path="d.npz").x.shape == (6, 1)


def test_csv_targets_and_labels(tmp_path):
    (tmp_path / "inf.csv").write_text("a,y\n1,0.5\n2,inf\n3,1.5\n")
    with pytest.raises(D.DataError, match=r"inf\.csv line 3, column 'y': 'inf' is not a finite number"):
        load_spec(tmp_path, source="csv", path="inf.csv")
    dropped = load_spec(tmp_path, source="csv", path="inf.csv", drop_invalid=True)
    assert dropped.task == "regression" and dropped.dropped_rows == [3]
    (tmp_path / "huge.csv").write_text(
        "a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(30)) + "5,1000000000000\n"
    )
    huge = load_spec(tmp_path, source="csv", path="huge.csv")  # not 10**12 classes: a regression target
    assert huge.task == "regression"
    (tmp_path / "neg.csv").write_text("a,y\n1,-1\n2,0\n3,1\n")
    assert load_spec(tmp_path, source="csv", path="neg.csv").task == "regression"
    (tmp_path / "big.csv").write_text("a,y\n1,1e39\n2,0.5\n")
    with pytest.raises(D.DataError, match=r"y has a target .*beyond float32's range \(sample 0\)"):
        load_spec(tmp_path, source="csv", path="big.csv")


def test_pipes_and_devices_are_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    started = time.monotonic()
    with pytest.raises(D.DataError, match=r"pipe\.csv is a pipe, device or socket, not a regular file"):
        load_spec(tmp_path, source="csv", path="pipe.csv")
    with pytest.raises(D.DataError, match=r"zero is a pipe, device or socket"):
        D.load({"source": "csv", "path": "/dev/zero"})
    os.mkfifo(tmp_path / "pipe.npz")
    with pytest.raises(D.DataError, match="not a regular file"):
        load_spec(tmp_path, source="numpy", path="pipe.npz")
    root = make_image_folder(tmp_path / "pets")
    os.mkfifo(root / "cat" / "pipe.png")
    with pytest.raises(D.DataError, match=r"cat/pipe\.png cannot be read as an image \(pipe\.png is a pipe"):
        load_spec(tmp_path, source="images", path="pets")
    assert load_spec(tmp_path, source="images", path="pets", drop_invalid=True).dropped_rows == [
        "cat/pipe.png"
    ]
    assert time.monotonic() - started < 10


def test_images_that_claim_huge_sizes_are_refused_before_decoding(tmp_path, monkeypatch):
    root = make_image_folder(tmp_path / "pets")
    (root / "dog" / "bomb.png").write_bytes(png_header(100_000, 100_000))
    with pytest.raises(D.DataError, match=r"dog/bomb\.png cannot be read as an image \(.*decompression bomb"):
        load_spec(tmp_path, source="images", path="pets")
    (root / "dog" / "bomb.png").write_bytes(png_header(5000, 4000))
    with pytest.raises(D.DataError, match=r"5000 x 4000 pixels; at most 4096 x 4096"):
        load_spec(tmp_path, source="images", path="pets")
    (root / "dog" / "bomb.png").unlink()
    monkeypatch.setattr(loaders, "memory_budget", lambda: 1000)
    with pytest.raises(D.DataError, match=r"6 images of 8 x 8 pixels need 4\.5 KiB"):
        load_spec(tmp_path, source="images", path="pets")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"image_size": "big"}, r"data\.image_size must be \[height, width\]"),
        ({"image_size": 32}, r"data\.image_size must be"),
        ({"image_size": [100_000, 100_000]}, r"from 1 to 4096"),
        ({"image_size": [0, 8]}, r"from 1 to 4096"),
        ({"image_size": [True, 8]}, r"data\.image_size"),
        ({"seed": -1}, r"data\.seed must be a whole number from 0"),
        ({"seed": 2**70}, r"data\.seed"),
        ({"seed": 1.5}, r"data\.seed"),
        ({"test_split": 1.0}, r"data\.test_split must be at least 0 and below 1"),
        ({"test_split": float("nan")}, r"data\.test_split"),
        ({"features": "ab"}, r"data\.features must be a list"),
        ({"features": [{"a": 1}]}, r"data\.features must be a list"),
        ({"target": [1]}, r"data\.target must be a column name or index"),
        ({"header": "yes"}, r"data\.header must be"),
        ({"standardize": "no"}, r"data\.standardize must be true or false"),
        ({"path": 7}, r"data\.path must name the image folder"),
    ],
)
def test_data_settings_are_checked_before_any_file_is_opened(tmp_path, spec, message):
    with pytest.raises(D.DataError, match=message):
        D.load({"source": "images", "path": "pets", **spec}, tmp_path)


def test_splits_that_leave_no_training_rows_and_single_classes_are_explained(tmp_path):
    design = load(TEMPLATE["mlp_classifier"])
    (tmp_path / "d.csv").write_text("a,b,c,d,y\n" + "1,2,3,4,cat\n2,3,4,5,dog\n" * 5)
    design.data = {"source": "csv", "path": "d.csv", "test_split": 0.99}
    data = D.load(design.data, tmp_path)
    with pytest.raises(D.DataError, match="a test split of 0.99 leaves no training rows of 10 samples"):
        D.prepare(design, data)
    (tmp_path / "one.csv").write_text("a,b,c,d,y\n" + "1,2,3,4,cat\n" * 5)
    one = D.load({"source": "csv", "path": "one.csv"}, tmp_path)
    assert "Every sample of one.csv is of one class (cat)" in D.check_fit(design, one)[0]


def test_models_too_large_for_memory_are_refused_before_keras_builds_them():
    design = load(TEMPLATE["mlp_classifier"])
    first_dense = next(n for n in design.nodes.values() if n.type == "Dense")
    first_dense.params["units"] = 10**12
    problems = D.check_fit(design, D.load_builtin("iris"))
    # The one memory rule (engine.design.cost.fits_warning), which training applies as well.
    assert problems and problems[0].startswith("Training needs about")
    assert "make the model smaller" in problems[0]


def test_loading_never_raises_anything_but_data_errors(tmp_path, monkeypatch):
    np.savez(tmp_path / "d.npz", x=np.ones((4, 2)), y=np.arange(4) % 2)

    def out_of_memory(*args):
        raise MemoryError

    monkeypatch.setattr(loaders, "check_features", out_of_memory)
    with pytest.raises(D.DataError, match="Not enough memory to load the data"):
        load_spec(tmp_path, source="numpy", path="d.npz")


def test_images_are_decoded_only_by_the_decoders_their_suffixes_name(tmp_path, monkeypatch):
    from PIL import EpsImagePlugin

    ran = []
    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", lambda *a, **k: ran.append(a))
    root = make_image_folder(tmp_path / "pets")
    (root / "cat" / "script.png").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\nshowpage\n")
    with pytest.raises(D.DataError, match=r"cat/script\.png cannot be read as an image"):
        load_spec(tmp_path, source="images", path="pets")
    assert ran == []  # no external program saw the file
