"""Loaders for the built-in datasets and the steps that prepare data, each standalone.

They import only NumPy and scikit-learn (whose datasets ship with it, so
nothing is downloaded), because the code generator copies their source
verbatim into exported scripts: the script loads exactly what the app trains on.
Each returns ``(x, y)`` as float32 features and integer labels (or float
targets for regression), unshuffled.
"""

import csv
import math
from pathlib import Path

import numpy as np


def load_iris():
    from sklearn.datasets import load_iris

    data = load_iris()
    return data.data.astype("float32"), data.target.astype("int64")


def load_wine():
    from sklearn.datasets import load_wine

    data = load_wine()
    return data.data.astype("float32"), data.target.astype("int64")


def load_breast_cancer():
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    return data.data.astype("float32"), data.target.astype("int64")


def load_digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.images / 16.0).astype("float32").reshape(-1, 8, 8, 1)
    return x, data.target.astype("int64")


def load_diabetes():
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    return data.data.astype("float32"), data.target.astype("float32").reshape(-1, 1)


def load_moons(n=1000, noise=0.2, seed=0):
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return x.astype("float32"), y.astype("int64")


def load_circles(n=1000, noise=0.1, seed=0):
    from sklearn.datasets import make_circles

    x, y = make_circles(n_samples=n, noise=noise, factor=0.5, random_state=seed)
    return x.astype("float32"), y.astype("int64")


def load_xor(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2)).astype("float32")
    y = ((x[:, 0] > 0) != (x[:, 1] > 0)).astype("int64")
    return x, y


def load_spirals(n=1000, classes=3, noise=0.2, seed=0):
    rng = np.random.default_rng(seed)
    per_class = n // classes
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.05, 1.0, per_class)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, per_class) + rng.normal(0.0, noise, per_class)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(per_class, c))
    return np.concatenate(xs).astype("float32"), np.concatenate(ys).astype("int64")


def load_sine(n=1000, noise=0.05, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-np.pi, np.pi, size=(n, 1)).astype("float32")
    y = (np.sin(x) + rng.normal(0.0, noise, size=(n, 1))).astype("float32")
    return x, y


def load_friedman(n=1000, seed=0):
    from sklearn.datasets import make_friedman1

    x, y = make_friedman1(n_samples=n, n_features=8, noise=0.5, random_state=seed)
    y = (y - y.mean()) / y.std()  # a target of unit scale: Adam's default step fits it
    return x.astype("float32"), y.astype("float32").reshape(-1, 1)


def load_digit_pixels():
    from sklearn.datasets import load_digits

    x = (load_digits().images / 16.0).astype("float32").reshape(-1, 8, 8, 1)
    return x, x.copy()  # the target is the image itself: learn to rebuild it


def load_sine_sequences(n=1500, steps=20, seed=0):
    rng = np.random.default_rng(seed)
    frequency = rng.uniform(0.1, 0.5, size=(n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, size=(n, 1))
    t = np.arange(steps + 1)[None, :]
    waves = np.sin(frequency * t + phase) + rng.normal(0.0, 0.02, size=(n, steps + 1))
    x = waves[:, :steps, None].astype("float32")
    return x, waves[:, steps:].astype("float32")  # the value that comes next


def load_moons_small(n=120, noise=0.3, seed=1):
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return x.astype("float32"), y.astype("int64")


def shuffle(x, y, seed=0):
    """Shuffle rows with a fixed seed, before any split (Keras splits off the last rows)."""
    order = np.random.default_rng(seed).permutation(len(x))
    return x[order], y[order]


def hold_out(x, y, fraction):
    """Keep the last ``fraction`` of the (shuffled) rows as a test set."""
    n_test = int(round(len(x) * fraction))
    cut = len(x) - n_test
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def standardize(x, x_test):
    """Scale features to mean 0 and variance 1, with statistics of the training rows only."""
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std[std == 0] = 1.0
    return (x - mean) / std, (x_test - mean) / std, mean, std


def is_number(text):
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def column_index(names, which, role, file_name):
    if isinstance(which, int) and not isinstance(which, bool):
        if -len(names) <= which < len(names):
            return which % len(names)
    elif which in names:
        return names.index(which)
    raise ValueError(f"{file_name} has no {role} column {which!r} (columns: {', '.join(names)})")


def read_csv(path, target=None, features=None, header="auto", drop_invalid=False):
    """Read numeric features and a target column (default: the last one) from a CSV file.

    A first row that is not all numbers is a header.  Missing or non-numeric
    values stop with the line and column, or drop the row with ``drop_invalid``.
    A target that is not numeric becomes class labels 0, 1, ... in sorted order.
    Returns (x, y, class_names, feature_names, dropped_lines); ``class_names`` is
    empty for a numeric (regression) target.
    """
    name = Path(path).name
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if any(cell.strip() for cell in r)]
    if not rows:
        raise ValueError(f"{name} is empty")
    has_header = (not all(is_number(c) for c in rows[0])) if header == "auto" else bool(header)
    if has_header:
        names = [c.strip() or f"column {i + 1}" for i, c in enumerate(rows[0])]
    else:
        names = [f"column {i + 1}" for i in range(len(rows[0]))]
    body, first_line = (rows[1:], 2) if has_header else (rows, 1)
    if len(names) < 2:
        raise ValueError(f"{name} has a single column: it needs at least one feature column and a target")
    t = column_index(names, len(names) - 1 if target is None else target, "target", name)
    if features:
        fs = [column_index(names, f, "feature", name) for f in features]
    else:
        fs = [i for i in range(len(names)) if i != t]
    if t in fs:
        raise ValueError(f"Column '{names[t]}' cannot be both the target and a feature")
    x_rows, y_raw, dropped = [], [], []
    for n, row in enumerate(body):
        line = first_line + n
        problem = ""
        if len(row) != len(names):
            problem = f"{name} line {line} has {len(row)} values but the header has {len(names)}"
        else:
            bad = next((i for i in fs if not is_number(row[i])), None)
            if bad is None and not row[t].strip():
                bad = t
            if bad is not None:
                what = "missing value" if not row[bad].strip() else f"'{row[bad]}' is not a number"
                problem = f"{name} line {line}, column '{names[bad]}': {what}"
        if problem:
            if not drop_invalid:
                raise ValueError(problem + " (fix the file, or choose to drop rows with invalid values)")
            dropped.append(line)
            continue
        x_rows.append([float(row[i]) for i in fs])
        y_raw.append(row[t].strip())
    if not x_rows:
        raise ValueError(f"{name} has no usable rows")
    x = np.asarray(x_rows, dtype="float32")
    feature_names = [names[i] for i in fs]
    if all(is_number(v) for v in y_raw):
        values = np.asarray([float(v) for v in y_raw])
        few_whole = np.all(values == np.round(values)) and len(np.unique(values)) <= max(
            20, len(values) // 20
        )
        if few_whole and values.min() >= 0:
            classes = [str(c) for c in range(int(values.max()) + 1)]
            return x, values.astype("int64"), classes, feature_names, dropped
        return x, values.astype("float32").reshape(-1, 1), [], feature_names, dropped
    classes = sorted(set(y_raw))
    index = {c: i for i, c in enumerate(classes)}
    return x, np.asarray([index[v] for v in y_raw], dtype="int64"), classes, feature_names, dropped


def read_npz(path, y_path=None):
    """Arrays ``x`` and ``y``: from one .npz holding both, or from two .npy files."""
    name = Path(path).name
    if y_path is not None:
        x, y = np.load(path, allow_pickle=False), np.load(y_path, allow_pickle=False)
    else:
        data = np.load(path, allow_pickle=False)
        if isinstance(data, np.ndarray):
            raise ValueError(
                f"{name} must hold arrays named 'x' and 'y' (it holds one array: pass the labels too)"
            )
        with data:
            if not {"x", "y"} <= set(data.files):
                raise ValueError(
                    f"{name} must hold arrays named 'x' and 'y' (it holds: {', '.join(sorted(data.files))})"
                )
            x, y = np.asarray(data["x"]), np.asarray(data["y"])
    if len(x) != len(y):
        raise ValueError(f"{name}: x has {len(x)} samples but y has {len(y)}")
    if not np.issubdtype(x.dtype, np.number) or not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: x must hold finite numbers")
    if np.issubdtype(y.dtype, np.integer) and y.ndim == 1:
        return x.astype("float32"), y.astype("int64")
    return x.astype("float32"), y.astype("float32").reshape(len(y), -1)


def read_image_folder(path, size=None, grayscale=False, drop_invalid=False):
    """Images in one sub-folder per class (folder names, sorted, are the class names).

    Every image is resized to ``size`` (height, width), by default the first
    image's size, and scaled to [0, 1].  Returns (x, y, class_names, dropped).
    """
    from PIL import Image, UnidentifiedImageError

    suffixes = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
    root = Path(path)
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise ValueError(f"{root.name} has no class sub-folders (one folder of images per class)")
    images, labels, dropped = [], [], []
    for label, name in enumerate(classes):
        files = sorted(f for f in (root / name).iterdir() if f.suffix.lower() in suffixes)
        for file in files:
            try:
                with Image.open(file) as image:
                    image = image.convert("L" if grayscale else "RGB")
                    if size is None:
                        size = (image.height, image.width)
                    if (image.height, image.width) != tuple(size):
                        image = image.resize((size[1], size[0]))
                    pixels = np.asarray(image, dtype="float32") / 255.0
            except (OSError, UnidentifiedImageError) as exc:
                if not drop_invalid:
                    raise ValueError(f"{name}/{file.name} cannot be read as an image ({exc})") from None
                dropped.append(f"{name}/{file.name}")
                continue
            images.append(pixels[..., None] if grayscale else pixels)
            labels.append(label)
    if not images:
        raise ValueError(f"{root.name} has no images ({', '.join(suffixes)}) in its class folders")
    return np.stack(images), np.asarray(labels, dtype="int64"), classes, dropped
