"""Loaders for the built-in datasets and the steps that prepare data, each standalone.

They use only NumPy, Pillow, scikit-learn (whose datasets ship with it, so
nothing is downloaded), the standard library and
:func:`engine.design.cost.available_memory` (standard library too), because the
code generator copies their source verbatim into exported scripts: the script loads exactly
what the app trains on, through the same guards.  Each returns ``(x, y)`` as
float32 features and integer labels (or float targets for regression), unshuffled;
a dataset for a model with several inputs gives x as a dict of arrays keyed by input name.

The guards sit here, where data enters, so the app, the command line and the
exported script share them: only regular files are opened (a named pipe or
/dev/zero would block or never end), sizes are checked against a limit and the
memory available *before* anything is allocated, and values are checked for
shape, type and finiteness.  Every refusal is a ValueError that says what and where.
"""

import csv
import io
import math
import os
import stat
import zipfile
from pathlib import Path

import numpy as np

from engine.design.cost import available_memory  # stdlib only: scripts carry it as well


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


def memory_budget():
    """Bytes one array of the dataset may take: a quarter of the memory available now.

    Preparing data copies it a few times (float32, shuffle, split, standardise),
    so a dataset that passes leaves room for the model.  The memory available is
    :func:`engine.design.cost.available_memory` (a container's limit included);
    where it is not known, 8 GiB is assumed.
    """
    available = available_memory()
    return max(available if available is not None else 8 * 2**30, 0) // 4


def size_text(n):
    """Bytes as people read them: 149.0 GiB."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def open_regular(path, limit):
    """Open a regular file for binary reading, refusing anything else and anything over ``limit`` bytes.

    The file is opened non-blocking and checked on the open descriptor: a named
    pipe would otherwise wait forever for a writer, and a device such as
    /dev/zero never ends.  The size limit is the file's size on disk.
    """
    name = Path(path).name
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a pipe, device or socket"
            raise ValueError(f"{name} is {kind}, not a regular file")
        if info.st_size > limit:
            raise ValueError(f"{name} is {size_text(info.st_size)}; the limit is {size_text(limit)}")
        if info.st_size == 0:  # also what /proc's endless or blocking pseudo-files report
            raise ValueError(f"{name} is empty")
        return os.fdopen(fd, "rb")  # still non-blocking: a file that would block fails instead
    except BaseException:
        os.close(fd)
        raise


def check_features(x, name):
    """Features as float32 of at least one dimension per sample; refuses what a model cannot learn from."""
    if x.ndim == 0:
        raise ValueError(f"{name}: x is a single number (0-d), not an array of samples")
    if len(x) == 0:
        raise ValueError(f"{name}: x holds no samples")
    if x.dtype.kind not in "biuf":
        what = "complex numbers" if x.dtype.kind == "c" else f"values of type {x.dtype}"
        raise ValueError(f"{name}: x holds {what}; features must be real numbers")
    with np.errstate(over="ignore", invalid="ignore"):  # values beyond float32 become inf: refused below
        x = x.astype("float32", copy=False)
    x = x.reshape(len(x), 1) if x.ndim == 1 else x
    finite = np.isfinite(x).reshape(len(x), -1).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        raise ValueError(
            f"{name}: x has a value that is NaN, infinite or beyond float32's range (sample {row})"
        )
    return x


def check_labels(y, name, classification):
    """Labels for ``classification`` (whole numbers 0..k-1, k bounded) or finite regression targets."""
    max_classes = 100_000
    if y.ndim == 0 or len(y) == 0:
        raise ValueError(f"{name}: y holds no labels")
    if y.dtype.kind not in "biuf":
        what = "complex numbers" if y.dtype.kind == "c" else f"values of type {y.dtype}"
        raise ValueError(f"{name}: y holds {what}; labels must be real numbers")
    if classification:
        low, high = int(y.min()), int(y.max())
        if low < 0 or high >= max_classes:
            row = int(np.argmin(y) if low < 0 else np.argmax(y))
            raise ValueError(
                f"{name}: y holds the class label {int(y[row])} (sample {row}); class labels are whole "
                f"numbers from 0 to {max_classes - 1}"
            )
        return y.astype("int64")
    with np.errstate(over="ignore", invalid="ignore"):
        y = y.astype("float32", copy=False).reshape(len(y), -1)
    finite = np.isfinite(y).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        raise ValueError(
            f"{name}: y has a target that is NaN, infinite or beyond float32's range (sample {row})"
        )
    return y


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


def load_reverse_sequences(n=2000, length=6, symbols=8, seed=0):
    """Random sequences of symbols and the same sequences reversed: an encoder-decoder's task.

    Token 0 is the start token, tokens 1..symbols the symbols.  Two inputs, one-hot:
    ``source`` the sequence, ``target_in`` the reversed sequence shifted right behind the
    start token (teacher forcing: the decoder sees the true previous token); y is the
    reversed sequence as token ids, one per step.
    """
    rng = np.random.default_rng(seed)
    source = rng.integers(1, symbols + 1, size=(n, length))
    target = source[:, ::-1]
    target_in = np.concatenate([np.zeros((n, 1), dtype=target.dtype), target[:, :-1]], axis=1)
    one_hot = np.eye(symbols + 1, dtype="float32")
    return {"source": one_hot[source], "target_in": one_hot[target_in]}, target.astype("int64")


def load_digits_parity():
    """The digits with two labels each: y is a dict of the digit (0-9) and its parity (0 even, 1 odd)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.images / 16.0).astype("float32").reshape(-1, 8, 8, 1)
    digit = data.target.astype("int64")
    return x, {"digit": digit, "parity": digit % 2}


def rows(a):
    """The number of samples in an array, or in a dict of named arrays (one per model input)."""
    return len(next(iter(a.values()))) if isinstance(a, dict) else len(a)


def take(a, index):
    """The rows ``index`` (a slice or an index array) of an array, or of each array of a dict."""
    return {k: v[index] for k, v in a.items()} if isinstance(a, dict) else a[index]


def shuffle(x, y, seed=0):
    """Shuffle rows with a fixed seed, before any split (Keras splits off the last rows)."""
    order = np.random.default_rng(seed).permutation(rows(x))
    return take(x, order), take(y, order)


def hold_out(x, y, fraction):
    """Keep the last ``fraction`` of the (shuffled) rows as a test set."""
    n = rows(x)
    cut = n - round(n * fraction)
    if cut < 1:
        raise ValueError(f"a test split of {fraction} leaves no training rows of {n} samples")
    return (take(x, slice(None, cut)), take(y, slice(None, cut))), (
        take(x, slice(cut, None)),
        take(y, slice(cut, None)),
    )


def standardize(x, x_test):
    """Scale features to mean 0 and variance 1, with statistics of the training rows only.

    The statistics are summed in float64: float32 sums of large values overflow.
    Named inputs (a dict) are scaled each with its own statistics.
    """
    if isinstance(x, dict):
        done = {k: standardize(x[k], x_test[k]) for k in x}
        return tuple({k: v[i] for k, v in done.items()} for i in range(4))
    mean = x.mean(axis=0, dtype="float64")
    std = x.std(axis=0, dtype="float64")
    std[std == 0] = 1.0
    mean, std = mean.astype("float32"), std.astype("float32")
    return (x - mean) / std, (x_test - mean) / std, mean, std


def is_number(text):
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def is_word(text):
    """True for text that is not a number at all (a class name), False for numbers, inf and nan."""
    try:
        float(text)
    except ValueError:
        return bool(text.strip())
    return False


def column_index(names, which, role, file_name):
    if isinstance(which, int) and not isinstance(which, bool):
        if -len(names) <= which < len(names):
            return which % len(names)
    elif which in names:
        return names.index(which)
    shown = ", ".join(names[:20]) + (f", ... ({len(names)} in all)" if len(names) > 20 else "")
    raise ValueError(f"{file_name} has no {role} column {which!r} (columns: {shown})")


def csv_row_problem(row, names, fs, t, where):
    """Why a CSV row cannot be used ('' when it can): a wrong length, or a missing or non-finite value."""
    if len(row) != len(names):
        return f"{where} has {len(row)} values but the header has {len(names)}"
    bad = next((i for i in [*fs, t] if not is_number(row[i])), None)
    if bad == t and is_word(row[t]):
        bad = None  # a word in the target column is a class name
    if bad is None:
        return ""
    cell = row[bad].strip()
    what = "missing value" if not cell else f"{cell[:40]!r} is not a finite number"
    return f"{where}, column '{names[bad]}': {what}"


def csv_target(y_raw, seen, name):
    """(labels, class names) for a CSV target column; no class names for a regression target."""
    if all(is_number(v) for v in seen):
        numbers = np.asarray([float(v) for v in y_raw])
        whole = bool(np.all(numbers == np.round(numbers)))
        if whole and numbers.min() >= 0 and numbers.max() < max(20, len(numbers) // 20):
            classes = [str(c) for c in range(int(numbers.max()) + 1)]
            return check_labels(numbers.astype("int64"), name, True), classes
        return check_labels(numbers, name, False), []
    classes = sorted(seen)
    index = {c: i for i, c in enumerate(classes)}
    return check_labels(np.asarray([index[v] for v in y_raw], dtype="int64"), name, True), classes


def read_csv(path, target=None, features=None, header="auto", drop_invalid=False):
    """Read numeric features and a target column (default: the last one) from a CSV file.

    A first row that is not all numbers is a header.  Missing, non-numeric or
    infinite values stop with the line and column, or drop the row with ``drop_invalid``.
    A target that is not numeric becomes class labels 0, 1, ... in sorted order;
    whole numbers from 0 to a few per cent of the rows are class labels too.
    Returns (x, y, class_names, feature_names, dropped_lines); ``class_names`` is
    empty for a numeric (regression) target.  Rows are parsed as they are read,
    so memory stays near the size of the numbers, not of the text.
    """
    name = Path(path).name
    with open_regular(path, 500 * 2**20) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        rows = (r for r in reader if any(cell.strip() for cell in r))
        first = next(rows, None)
        if first is None:
            raise ValueError(f"{name} is empty")
        has_header = (not all(is_number(c) for c in first)) if header == "auto" else bool(header)
        if has_header:
            names = [c.strip() or f"column {i + 1}" for i, c in enumerate(first)]
        else:
            names = [f"column {i + 1}" for i in range(len(first))]
        if len(names) < 2:
            raise ValueError(f"{name} has a single column: it needs at least one feature column and a target")
        t = column_index(names, len(names) - 1 if target is None else target, "target", name)
        if features:
            fs = [column_index(names, f, "feature", name) for f in features]
        else:
            fs = [i for i in range(len(names)) if i != t]
        if t in fs:
            raise ValueError(f"Column '{names[t]}' cannot be both the target and a feature")
        first_line = reader.line_num

        def body():
            if not has_header:
                yield first_line, first
            for row in rows:
                yield reader.line_num, row

        blocks, chunk, y_raw, dropped, seen = [], [], [], [], {}
        for line, row in body():
            problem = csv_row_problem(row, names, fs, t, f"{name} line {line}")
            if problem:
                if not drop_invalid:
                    raise ValueError(problem + " (fix the file, or choose to drop rows with invalid values)")
                dropped.append(line)
                continue
            chunk.append([float(row[i]) for i in fs])
            if len(chunk) == 65536:
                blocks.append(np.asarray(chunk, dtype="float32"))
                chunk = []
            cell = row[t].strip()
            y_raw.append(seen.setdefault(cell, cell))
    if chunk:
        blocks.append(np.asarray(chunk, dtype="float32"))
    if not blocks:
        raise ValueError(f"{name} has no usable rows")
    x = check_features(np.concatenate(blocks), name)
    del blocks
    y, classes = csv_target(y_raw, seen, name)
    return x, y, classes, [names[i] for i in fs], dropped


def read_npy(f, name, size):
    """One array from an open .npy stream of ``size`` bytes, checked before it is allocated.

    The header's shape and type are read first: an array larger than the file,
    than the memory available, or holding Python objects is refused unread.
    """
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f".npy format version {version} is not supported")
    except ValueError as exc:
        raise ValueError(f"{name} is not a readable .npy array ({exc})") from None
    if not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError(f"{name} has an impossible shape {shape}")
    if dtype.hasobject:
        raise ValueError(f"{name} holds Python objects, which are never loaded (only numbers)")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > size - f.tell():
        raise ValueError(
            f"{name} claims an array of shape {shape} ({size_text(nbytes)}) but holds only {size_text(size)}"
        )
    budget = memory_budget()
    if nbytes > budget:
        raise ValueError(
            f"{name} holds an array of {size_text(nbytes)} (shape {shape}); with the memory available "
            f"now, at most {size_text(budget)} can be loaded"
        )
    data = np.empty(nbytes, dtype="uint8")  # read in place: one copy of the array, and writable
    done = 0
    while done < nbytes:
        n = f.readinto(memoryview(data)[done:])
        if not n:
            raise ValueError(f"{name} is cut short: its array needs {size_text(nbytes)}")
        done += n
    return data.view(dtype).reshape(shape, order="F" if fortran else "C")


def read_npz(path, y_path=None):
    """Arrays ``x`` and ``y``: from one .npz holding both, or from two .npy files."""
    name = Path(path).name
    limit = 64 * 2**30  # the memory check in read_npy is the real bound
    if y_path is not None:
        arrays = []
        for file in (path, y_path):
            with open_regular(file, limit) as f:
                arrays.append(read_npy(f, Path(file).name, os.fstat(f.fileno()).st_size))
        x, y = arrays
    else:
        with open_regular(path, limit) as f:
            if f.read(6) == b"\x93NUMPY":
                raise ValueError(
                    f"{name} must hold arrays named 'x' and 'y' (it holds one array: pass the labels too)"
                )
            f.seek(0)
            try:
                archive = zipfile.ZipFile(f)
            except (zipfile.BadZipFile, EOFError):
                raise ValueError(f"{name} is not a NumPy .npz archive") from None
            with archive:
                members = {Path(n).stem: n for n in archive.namelist() if n.endswith(".npy")}
                if not {"x", "y"} <= set(members):
                    raise ValueError(
                        f"{name} must hold arrays named 'x' and 'y' (it holds: {', '.join(sorted(members))})"
                    )
                arrays = []
                for key in ("x", "y"):
                    info = archive.getinfo(members[key])
                    try:
                        with archive.open(info) as member:
                            arrays.append(read_npy(member, f"{name}/{key}.npy", info.file_size))
                    except (zipfile.BadZipFile, EOFError, NotImplementedError) as exc:
                        raise ValueError(f"{name}/{key}.npy cannot be unpacked ({exc})") from None
                x, y = arrays
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{name}: x and y must be arrays of samples, not single numbers")
    if len(x) != len(y):
        raise ValueError(f"{name}: x has {len(x)} samples but y has {len(y)}")
    x = check_features(x, name)
    classification = y.dtype.kind in "iu" and y.ndim == 1
    return x, check_labels(y, name, classification)


def read_image_folder(path, size=None, grayscale=False, drop_invalid=False):
    """Images in one sub-folder per class (folder names, sorted, are the class names).

    Every image is resized to ``size`` (height, width), by default the first
    image's size, and scaled to [0, 1].  Returns (x, y, class_names, dropped).
    Each file's header is read before its pixels: an image of more than
    4096 x 4096 pixels (a "decompression bomb" can claim 100000 x 100000 in a
    few bytes) is refused, and the whole array must fit the memory available
    before it is allocated.
    """
    from PIL import Image, UnidentifiedImageError

    max_pixels, max_file = 4096 * 4096, 256 * 2**20
    suffixes = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
    decoders = ["PNG", "JPEG", "BMP", "GIF", "WEBP"]
    root = Path(path)
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise ValueError(f"{root.name} has no class sub-folders (one folder of images per class)")
    files = [
        (label, f)
        for label, name in enumerate(classes)
        for f in sorted((root / name).iterdir())
        if f.suffix.lower() in suffixes
    ]
    x, labels, dropped = None, [], []
    for label, file in files:
        where = f"{file.parent.name}/{file.name}"
        try:
            # Only these decoders, whatever the file's suffix claims: Pillow would otherwise hand
            # an EPS file named x.png to Ghostscript, an external program.
            with open_regular(file, max_file) as f, Image.open(f, formats=decoders) as image:
                if image.width * image.height > max_pixels:
                    raise ValueError(f"it is {image.width} x {image.height} pixels; at most 4096 x 4096")
                image = image.convert("L" if grayscale else "RGB")
                if size is None:
                    size = (image.height, image.width)
                if (image.height, image.width) != tuple(size):
                    image = image.resize((size[1], size[0]))
                pixels = np.asarray(image, dtype="float32") / 255.0
        except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
            if not drop_invalid:
                raise ValueError(f"{where} cannot be read as an image ({exc})") from None
            dropped.append(where)
            continue
        pixels = pixels[..., None] if grayscale else pixels
        if x is None:
            need = len(files) * pixels.nbytes
            if need > memory_budget():
                raise ValueError(
                    f"{len(files)} images of {size[0]} x {size[1]} pixels need {size_text(need)}; with the "
                    f"memory available now, at most {size_text(memory_budget())}: choose a smaller image_size"
                )
            x = np.empty((len(files), *pixels.shape), dtype="float32")
        x[len(labels)] = pixels
        labels.append(label)
    if x is None:
        raise ValueError(f"{root.name} has no images ({', '.join(suffixes)}) in its class folders")
    return (
        x[: len(labels)],
        check_labels(np.asarray(labels, dtype="int64"), root.name, True),
        classes,
        dropped,
    )
