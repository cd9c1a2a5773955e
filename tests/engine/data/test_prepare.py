"""Data loading and preparation: CSV edge cases, NumPy files, data-vs-design messages."""

import numpy as np
import pytest

from engine.data import prepare as D
from engine.design.file_format import load
from engine.schema.datasets import BUILTIN
from tests.engine.keras.test_build_and_export import TEMPLATES

TEMPLATE = {p.stem: p for p in TEMPLATES}


def write(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_builtin_datasets_match_their_description(name):
    info, ds = BUILTIN[name], D.load_builtin(name)
    given = D.arrays(ds.x)
    assert list(given) == list(info.input_shapes) and ds.output_names == list(info.output_classes)
    for key, shape in info.input_shapes.items():
        assert given[key].shape == (ds.rows, *shape)
        assert given[key].dtype == np.float32 and np.isfinite(given[key]).all()
    for key, classes in info.output_classes.items():
        target = ds.target(key)
        assert len(target.y) == ds.rows > 100 and target.y.shape[1:] == (
            info.target_shape or target.y.shape[1:]
        )
        if classes:
            labels = set(range(classes)) - ({0} if name == "reverse_sequences" else set())  # 0: start token
            assert set(np.unique(target.y)) == labels and target.classes == classes


def test_csv_with_header_and_string_target(tmp_path):
    path = write(tmp_path, "a,b,kind\n1,2,cat\n3,4,dog\n5,6,cat\n")
    ds = D.load_csv(path)
    assert ds.x.tolist() == [[1, 2], [3, 4], [5, 6]]
    assert ds.y.tolist() == [0, 1, 0] and ds.class_names == ["cat", "dog"]
    assert ds.feature_names == ["a", "b"] and ds.class_balance() == {"cat": 2, "dog": 1}


def test_csv_without_header_numeric_regression_target(tmp_path):
    ds = D.load_csv(write(tmp_path, "1,2,0.5\n3,4,1.25\n"))
    assert ds.task == "regression" and ds.y.tolist() == [[0.5], [1.25]]


def test_csv_missing_and_non_numeric_values_are_reported_by_row_and_column(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,0\n3,,1\n5,x,0\n")
    with pytest.raises(D.DataError, match=r"d.csv line 3, column 'b': missing value"):
        D.load_csv(path)
    ds = D.load_csv(path, drop_invalid=True)
    assert ds.dropped_rows == [3, 4] and len(ds.x) == 1
    with pytest.raises(D.DataError, match=r"line 3 has 2 values but the header has 3"):
        D.load_csv(write(tmp_path, "a,b,y\n1,2,0\n3,4\n"))


def test_csv_single_column_empty_and_unknown_target(tmp_path):
    with pytest.raises(D.DataError, match="single column"):
        D.load_csv(write(tmp_path, "y\n1\n2\n"))
    with pytest.raises(D.DataError, match="is empty"):
        D.load_csv(write(tmp_path, "\n\n"))
    with pytest.raises(D.DataError, match=r"has no target column 'label' \(columns: a, b, y\)"):
        D.load_csv(write(tmp_path, "a,b,y\n1,2,0\n"), target="label")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(D.DataError, match="not a readable CSV"):
        D.load_csv(binary)


def test_npz_files(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.ones((5, 3)), y=np.array([0, 1, 2, 1, 0]))
    ds = D.load_numpy(path)
    assert ds.x.shape == (5, 3) and ds.classes == 3
    np.savez(path, a=np.ones(3))
    with pytest.raises(D.DataError, match="must hold arrays named 'x' and 'y'"):
        D.load_numpy(path)


def test_mismatches_are_explained_before_training():
    design = load(TEMPLATE["seed_example"])
    problems = D.check_fit(design, D.load_builtin("iris"))
    assert problems == [
        "The data has samples of shape (4,) but Input 'x' expects (8,): set its shape to [4]",
        "iris is classification (3 classes) but mse is a regression loss: "
        "use sparse_categorical_crossentropy with 3 softmax units",
    ]
    design = load(TEMPLATE["mlp_classifier"])
    design.nodes["species"].params["units"] = 1
    assert D.check_fit(design, D.load_builtin("iris")) == [
        "iris has 3 classes but output Dense 'species' has 1 unit(s): "
        "set units to 3 with a softmax activation"
    ]
    assert D.check_fit(load(TEMPLATE["mlp_classifier"]), D.load_builtin("iris")) == []


def test_prepare_shuffles_before_splitting_and_standardises_on_train_rows():
    design = load(TEMPLATE["mlp_classifier"])
    design.data = {"source": "builtin", "name": "iris", "seed": 1, "test_split": 0.2, "standardize": True}
    ds = D.load_builtin("iris")  # sorted by class: unshuffled, the test set would be all one species
    p = D.prepare(design, ds)
    assert len(p.x) == 120 and len(p.x_test) == 30
    assert len(set(p.y_test.tolist())) == 3 and len(set(p.y[-24:].tolist())) == 3
    assert np.allclose(p.x.mean(axis=0), 0, atol=1e-5) and np.allclose(p.x.std(axis=0), 1, atol=1e-4)
    again = D.prepare(design, ds)
    assert np.array_equal(p.x, again.x)  # the seed makes it repeatable
    design.compile["loss"] = "categorical_crossentropy"
    assert D.prepare(design, ds).y.shape == (120, 3)


def test_npy_pairs_and_their_label_file(tmp_path):
    np.save(tmp_path / "digits_x.npy", np.ones((6, 2)))
    assert D.sibling_labels(tmp_path / "digits_x.npy") is None
    np.save(tmp_path / "digits_y.npy", np.array([0, 1, 2, 0, 1, 2]))
    assert D.sibling_labels(tmp_path / "digits_x.npy") == tmp_path / "digits_y.npy"
    ds = D.load({"source": "numpy", "path": "digits_x.npy", "y_path": "digits_y.npy"}, tmp_path)
    assert ds.x.shape == (6, 2) and ds.classes == 3
    with pytest.raises(D.DataError, match="must hold arrays named 'x' and 'y'"):
        D.load_numpy(tmp_path / "digits_x.npy")


def make_image_folder(root, sizes=((8, 8), (8, 8), (10, 12))):
    from PIL import Image

    rng = np.random.default_rng(0)
    for label in ("cat", "dog"):
        (root / label).mkdir(parents=True)
        for i, (h, w) in enumerate(sizes):
            pixels = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / label / f"{i}.png")
    return root


def test_image_folders(tmp_path):
    root = make_image_folder(tmp_path / "pets")
    ds = D.load({"source": "images", "path": "pets"}, tmp_path)
    assert ds.x.shape == (6, 8, 8, 3) and ds.class_names == ["cat", "dog"]  # resized to the first image
    assert ds.y.tolist() == [0, 0, 0, 1, 1, 1] and ds.x.min() >= 0.0 and ds.x.max() <= 1.0
    gray = D.load({"source": "images", "path": "pets", "grayscale": True, "image_size": [4, 5]}, tmp_path)
    assert gray.x.shape == (6, 4, 5, 1)
    (root / "dog" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(D.DataError, match=r"dog/broken.png cannot be read as an image"):
        D.load({"source": "images", "path": "pets"}, tmp_path)
    assert D.load({"source": "images", "path": "pets", "drop_invalid": True}, tmp_path).dropped_rows == [
        "dog/broken.png"
    ]
    with pytest.raises(D.DataError, match="has no class sub-folders"):
        D.load({"source": "images", "path": "pets/cat"}, tmp_path)
    with pytest.raises(D.DataError, match="is not a folder"):
        D.load({"source": "images", "path": "nowhere"}, tmp_path)
