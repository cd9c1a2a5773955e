"""Loaders for the built-in datasets and the steps that prepare data, each standalone.

They import only NumPy and scikit-learn (whose datasets ship with it, so
nothing is downloaded), because the code generator copies their source
verbatim into exported scripts: the script loads exactly what the app trains on.
Each returns ``(x, y)`` as float32 features and integer labels (or float
targets for regression), unshuffled.
"""

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
