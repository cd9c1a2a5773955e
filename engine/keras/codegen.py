"""Design -> a standalone Keras script.

The script imports only Keras, NumPy and what its data loading needs, never
Netwright.  It is assembled from parts (imports, data loading, model, main),
glue-style.  Nothing from the design ever becomes code: every value is
written with :func:`lit` (a Python literal) and every identifier is
sanitised by :func:`identifiers`.
"""

from __future__ import annotations

import inspect
import keyword
import re
import subprocess
from typing import Any

from engine.data import loaders
from engine.design.graph import Design
from engine.design.validation import validate
from engine.keras.build import compile_args, model_name, optimizer_kwargs
from engine.keras.speed import TARGET_EXECUTION_S, design_steps_per_execution
from engine.spec.catalog import LAYERS
from engine.spec.compile_catalog import BINARY, CATEGORICAL, SPARSE, loss_spec
from engine.spec.datasets import BUILTIN

# Names the script itself uses; node variables never shadow them.
RESERVED = {
    *("keras", "np", "argparse", "contextlib", "os", "sys", "model", "main", "build_model", "load_data"),
    "distribution_scope",
}


class CodegenError(ValueError):
    pass


def lit(value: Any) -> str:
    """A Python literal for a plain value, with double quotes as ruff writes them."""
    if isinstance(value, str):
        text = repr(value)
        if text[0] == "'" and '"' not in value:
            text = '"' + text[1:-1].replace("\\'", "'") + '"'
        return text
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(lit(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(lit(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{lit(k)}: {lit(v)}" for k, v in value.items()) + "}"
    raise CodegenError(f"cannot write {type(value).__name__} as a literal")


def identifiers(ids: list[str]) -> dict[str, str]:
    """A valid, unique Python variable name for each node id."""
    out: dict[str, str] = {}
    used = set(RESERVED)
    for nid in ids:
        base = re.sub(r"\W", "_", nid, flags=re.ASCII) or "node"
        if base[0].isdigit():
            base = "n_" + base
        if keyword.iskeyword(base) or keyword.issoftkeyword(base) or base in used:
            base += "_"
        name, i = base, 1
        while name in used:
            name, i = f"{base}{i}", i + 1
        used.add(name)
        out[nid] = name
    return out


def call(func: str, args: list[str], suffix: str = "") -> str:
    """``func(args)``; ruff wraps long lines afterwards (see :func:`ruff_format`)."""
    return f"{func}({', '.join(args)}){suffix}"


def layer_args(node_type: str, node_id: str, params: dict[str, Any]) -> list[str]:
    spec = LAYERS[node_type]
    kwargs = spec.keras_kwargs(params)
    out = []
    positional = True  # leading arguments stay positional until one is named or skipped
    for p in spec.params:
        positional = positional and p.positional and p.name in kwargs
        if p.name not in kwargs:
            continue
        value = kwargs[p.name]
        if p.name == "layer":
            inner = value["type"]
            inner_args = layer_args(inner, f"{node_id}_{inner.lower()}", value["params"])
            text = f"keras.layers.{inner}({', '.join(inner_args)})"
        else:
            text = lit(value)
        out.append(text if positional else f"{p.name}={text}")
    out.append(f"name={lit(node_id)}")
    return out


def layer_call(node_type: str, node_id: str, params: dict[str, Any], suffix: str = "") -> str:
    func = "keras.Input" if node_type == "Input" else f"keras.layers.{node_type}"
    return call(func, layer_args(node_type, node_id, params), suffix)


# ---------------------------------------------------------------- parts


def _model_part(design: Design) -> str:
    order, _ = design.topological_order()
    nodes = design.nodes
    lines = ["def build_model():", '    """Build and compile the model."""']
    if design.is_chain():
        items = [layer_call(nodes[n].type, n, nodes[n].params) for n in order]
        lines.append("    model = keras.Sequential(")
        lines.append("        [")
        lines += [f"            {item}," for item in items]
        lines.append("        ],")
        lines.append(f"        name={lit(model_name(design))},")
        lines.append("    )")
    else:
        names = identifiers(order)
        inc = design.incoming()
        for nid in order:
            node = nodes[nid]
            sources = [names[e.src] for e in inc[nid]]
            if node.type == "Input":
                rhs = ""
            elif LAYERS[node.type].is_merge:
                rhs = f"([{', '.join(sources)}])"
            else:
                rhs = f"({sources[0]})"
            lines.append(f"    {names[nid]} = " + layer_call(node.type, nid, node.params, rhs))
        ins = [names[n] for n in design.input_ids()]
        outs = [names[n] for n in design.output_ids()]
        lines.append(
            "    "
            + call(
                "model = keras.Model",
                [
                    f"inputs={ins[0] if len(ins) == 1 else '[' + ', '.join(ins) + ']'}",
                    f"outputs={outs[0] if len(outs) == 1 else '[' + ', '.join(outs) + ']'}",
                    f"name={lit(model_name(design))}",
                ],
            )
        )
    opt_type, opt_kwargs = optimizer_kwargs(design)
    optimizer = call(f"keras.optimizers.{opt_type}", [f"{k}={lit(v)}" for k, v in opt_kwargs.items()])
    comp = compile_args(design)
    compile_items = [f"optimizer={optimizer}", f"loss={lit(comp['loss'])}", f"metrics={lit(comp['metrics'])}"]
    steps = design_steps_per_execution(design)
    if steps > 1:
        lines += [
            f"    # steps_per_execution={steps}: a small model spends most of a step in per-call Python",
            f"    # overhead, so {steps} batches run per compiled call"
            f" (about {TARGET_EXECUTION_S * 1000:.0f} ms each, estimated",
            "    # from this model's FLOPs and batch size); callbacks run between calls. predict()",
            "    # unrolls that many copies of the model: set model.steps_per_execution = 1 before it.",
        ]
        compile_items.append(f"steps_per_execution={steps}")
    lines.append("    " + call("model.compile", compile_items))
    lines.append("    return model")
    return "\n".join(lines)


def _data_source(data: dict[str, Any]) -> tuple[list[Any], str, str, int | None] | None:
    """(reader functions, call that returns x and y, description, classes if known) or None."""
    source = data.get("source")
    if source == "builtin" and data.get("name") in BUILTIN:
        dataset = BUILTIN[data["name"]]
        return (
            [getattr(loaders, dataset.loader)],
            f"{dataset.loader}()",
            f"The {dataset.name} dataset",
            dataset.classes,
        )
    path = data.get("path")
    if not isinstance(path, str):
        return None
    here = f"Path(__file__).resolve().parent / {lit(path)}"
    if source == "csv":
        options = [f"target={lit(data['target'])}"] if data.get("target") is not None else []
        if data.get("features"):
            options.append(f"features={lit(list(data['features']))}")
        if data.get("drop_invalid"):
            options.append("drop_invalid=True")
        readers = [loaders.is_number, loaders.column_index, loaders.read_csv]
        return readers, f"read_csv({', '.join([here, *options])})[:2]", f"{path} (beside this script)", None
    if source == "images":
        options = [f"size={lit(list(data['image_size']))}"] if data.get("image_size") else []
        options += ["grayscale=True"] if data.get("grayscale") else []
        options += ["drop_invalid=True"] if data.get("drop_invalid") else []
        call = f"read_image_folder({', '.join([here, *options])})[:2]"
        return [loaders.read_image_folder], call, f"The images in {path}/ (beside this script)", None
    if source == "numpy":
        y_path = data.get("y_path")
        args = [here] + (
            [f"Path(__file__).resolve().parent / {lit(y_path)}"] if isinstance(y_path, str) else []
        )
        return (
            [loaders.read_npz],
            f"read_npz({', '.join(args)})",
            f"{path} (beside this script)",
            None,
        )
    return None


def _data_part(design: Design) -> tuple[str, str] | None:
    """(helper functions, load_data) for the design's data, or None.

    The helpers are copied from :mod:`engine.data.loaders`, the very code the
    app trains with, so the script sees the same rows in the same order.
    """
    data = design.data or {}
    found = _data_source(data)
    if found is None:
        return None
    readers, read_call, description, classes = found
    seed, test_split = int(data.get("seed", 0)), float(data.get("test_split", 0.0))
    helpers = [*readers, loaders.shuffle]
    if test_split:
        helpers.append(loaders.hold_out)
    if data.get("standardize"):
        helpers.append(loaders.standardize)
    loss = loss_spec(design.compile.get("loss", "mse"))
    lines = [
        f"def load_data(seed={seed}):",
        f'    """{description}, shuffled with a fixed seed before any split.',
        "",
        "    Keras's validation_split takes the last rows of x, so they must be shuffled;",
        "    (x_test, y_test) are held out from training.",
        '    """',
        f"    x, y = shuffle(*{read_call}, seed)",
    ]
    if test_split:
        lines.append(f"    (x, y), (x_test, y_test) = hold_out(x, y, {lit(test_split)})")
    else:
        lines.append("    x_test, y_test = x[:0], y[:0]")
    if data.get("standardize"):
        lines.append("    x, x_test, _mean, _std = standardize(x, x_test)")
    if loss is not None and loss.task == CATEGORICAL:
        n = str(classes) if classes else "int(max(y.max(), y_test.max(initial=0))) + 1"
        lines.append(f"    y = keras.utils.to_categorical(y, {n})")
        lines.append(f"    y_test = keras.utils.to_categorical(y_test, {n})")
    elif loss is not None and loss.task == BINARY:
        lines.append('    y, y_test = y.astype("float32")[:, None], y_test.astype("float32")[:, None]')
    lines.append("    return (x, y), (x_test, y_test)")
    source = "\n\n\n".join(inspect.getsource(f).rstrip() for f in helpers)
    return source, "\n".join(lines)


def _imports(data: tuple[str, str] | None) -> str:
    """Standard-library imports first, as ruff orders them; only what the script uses."""
    stdlib = ["import argparse", "import contextlib", "import os", "import sys"]
    if data is not None and "csv.reader" in data[0]:
        stdlib += ["import csv", "import math"]
    if data is not None and "Path(" in data[0] + data[1]:
        stdlib.append("from pathlib import Path")
    return "\n".join(stdlib) + "\n\nimport keras\nimport numpy as np"


def _placeholder_data(design: Design, shapes: dict[str, tuple]) -> list[str]:
    """Random arrays shaped like the model's inputs and outputs, so main() runs as is."""
    loss = loss_spec(design.compile.get("loss", "mse"))
    lines = [
        "    # No dataset in the design: random data shaped like the model's inputs and",
        "    # outputs. Replace it with your own.",
        "    rng = np.random.default_rng(0)",
    ]

    def dims(shape: tuple) -> str:
        return lit((256, *(d if d is not None else 10 for d in shape[1:])))

    xs = [f'rng.random({dims(shapes[n])}, dtype="float32")' for n in design.input_ids()]
    ys = []
    for n in design.output_ids():
        shape = shapes[n]
        if loss is not None and loss.task == SPARSE:
            ys.append(f"rng.integers(0, {shape[-1] or 2}, size={dims(shape[:-1])})")
        else:
            ys.append(f'rng.random({dims(shape)}).round().astype("float32")')
    lines.append(f"    x = {xs[0] if len(xs) == 1 else '[' + ', '.join(xs) + ']'}")
    lines.append(f"    y = {ys[0] if len(ys) == 1 else '[' + ', '.join(ys) + ']'}")
    return lines


DISTRIBUTE_PART = '''def distribution_scope(kind):
    """Where the model is built: one device, all local GPUs, or every device on JAX.

    mirrored: tf.distribute.MirroredStrategy over the local GPUs (else the CPU).
    data-parallel: keras.distribution.DataParallel on the JAX backend, each batch split
    over every device; on several machines set KERAS_DISTRIBUTION_JOB_ADDRESSES,
    KERAS_DISTRIBUTION_NUM_PROCESSES and KERAS_DISTRIBUTION_PROCESS_ID on each one
    (see docs/distribution.md in Netwright).
    """
    if kind == "mirrored":
        import tensorflow as tf

        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in devices]).scope()
    if kind == "data-parallel":
        if os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES"):
            keras.distribution.initialize()  # several machines, one process each
        keras.distribution.set_distribution(keras.distribution.DataParallel())
        print("data-parallel over", len(keras.distribution.list_devices()), "devices")
    return contextlib.nullcontext()'''


def _main_part(design: Design, has_data: bool, shapes: dict[str, tuple]) -> str:
    train = design.training
    lines = [
        "def main():",
        "    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])",
        f'    parser.add_argument("--epochs", type=int, default={lit(train.get("epochs", 10))})',
        f'    parser.add_argument("--batch-size", type=int, default={lit(train.get("batch_size", 32))})',
        '    parser.add_argument("--distribute", choices=["none", "mirrored", "data-parallel"],'
        ' default="none")',
        "    args = parser.parse_args()",
        '    if args.distribute == "data-parallel" and keras.backend.backend() != "jax":',
        "        # DataParallel runs on the JAX backend, chosen before Keras is imported: start again on it.",
        '        os.environ["KERAS_BACKEND"] = "jax"',
        "        os.execv(sys.executable, [sys.executable, *sys.argv])",
        "    with distribution_scope(args.distribute):",
        "        model = build_model()",
        '    if args.distribute == "mirrored":',
        "        # Keras's multi-step loop fails under MirroredStrategy: one batch per call.",
        "        model.steps_per_execution = 1",
        "    model.summary()",
    ]
    lines += ["    (x, y), (x_test, y_test) = load_data()"] if has_data else _placeholder_data(design, shapes)
    fit_args = [
        "x",
        "y",
        "epochs=args.epochs",
        "batch_size=args.batch_size",
        f"validation_split={lit(train.get('validation_split', 0.0))}",
    ]
    lines.append("    " + call("model.fit", fit_args))
    if has_data:
        lines.append("    if len(x_test):")
        lines.append('        print("test:", model.evaluate(x_test, y_test, return_dict=True, verbose=0))')
    return "\n".join(lines)


def generate(design: Design, formatter: bool = True) -> str:
    """The whole script.  Raises :class:`CodegenError` if the design has errors."""
    report = validate(design)
    if not report.valid:
        raise CodegenError("the design has errors:\n  " + "\n  ".join(p.message for p in report.errors))
    shapes = {nid: info.output_shape for nid, info in report.nodes.items()}
    data = _data_part(design)
    title = "".join(c if c.isprintable() and c not in '"\\' else " " for c in design.name)
    doc = f"{' '.join(title.split()) or 'untitled'}: a Keras model exported from Netwright."
    parts = [
        f'"""{doc}\n\nTrain it: python <this file> [--epochs N] [--batch-size N]'
        ' [--distribute {none,mirrored,data-parallel}]\n"""',
        _imports(data),
    ]
    if data is not None:
        parts += list(data)
    parts.append(_model_part(design))
    parts.append(DISTRIBUTE_PART)
    parts.append(_main_part(design, data is not None, shapes))
    parts.append('if __name__ == "__main__":\n    main()')
    source = "\n\n\n".join(parts) + "\n"
    return ruff_format(source) if formatter else source


def ruff_format(source: str) -> str:
    """Normalise layout with ruff when it is installed; the source is valid either way."""
    try:
        from ruff.__main__ import find_ruff_bin

        done = subprocess.run(
            [find_ruff_bin(), "format", "--isolated", "-"],
            input=source,
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (ImportError, OSError, subprocess.SubprocessError):
        return source
    return done.stdout if done.returncode == 0 else source
