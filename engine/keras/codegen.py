"""Design -> a standalone Keras script.

The script imports only Keras, NumPy and what its data loading needs, never
Netwright.  It is assembled from parts (imports, data loading, model, main),
glue-style.  Nothing from the design ever becomes code: every value is
written with :func:`lit` (a Python literal: ``repr`` of plain types only,
finite numbers only), every identifier is sanitised by :func:`identifiers`,
and no docstring or comment holds a design string.  :func:`generate` parses
the finished script and refuses to hand out one that does not compile.
"""

from __future__ import annotations

import ast
import inspect
import keyword
import math
import re
import subprocess
from collections import Counter
from collections.abc import Hashable
from typing import Any

from engine.data import loaders, steps
from engine.data.class_weights import balanced_class_weight, class_labels, complete_class_weight
from engine.data.prepare import output_loss
from engine.design.cost import available_memory, estimate
from engine.design.graph import Design
from engine.design.validation import validate
from engine.keras import data_parallel, pipeline, speed
from engine.keras.custom_export import CustomExportError, custom_call, custom_part
from engine.keras.lower import Arg, LayerObject, Lowered, TensorRef, lower
from engine.keras.lower_compile import KerasObject, lower_compile, lower_fit
from engine.schema.catalog import LAYERS
from engine.schema.compile_catalog import SPARSE
from engine.schema.datasets import BUILTIN, match_inputs
from engine.schema.generic import GENERIC_CLASSES, keras_path
from engine.schema.settings import TrainingSettings

# Names the script itself uses; node variables never shadow them.
RESERVED = {
    *("keras", "np", "argparse", "contextlib", "os", "sys", "model", "main", "build_model", "load_data"),
    "distribution_scope",
}


class CodegenError(ValueError):
    pass


def lit(value: Any) -> str:
    """A Python literal for a plain value; anything else is refused, never written as code.

    Strings go through ``str.__repr__`` (never a subclass's ``__repr__``), which
    escapes quotes, backslashes, newlines, NUL and line/paragraph separators, so
    a string cannot end its own literal.  Numbers must be finite: ``repr(1e400)``
    is the bare name ``inf``.
    """
    if isinstance(value, str):
        return str.__repr__(value)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        try:
            return int.__repr__(int(value))
        except ValueError:  # more digits than Python converts
            raise CodegenError("a whole number is too large to write") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CodegenError(f"{value} is not a finite number; a design may only hold finite numbers")
        return float.__repr__(float(value))
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
    return unique_names([(nid, nid) for nid in ids])


def unique_names(items: list[tuple[Hashable, str]]) -> dict[Hashable, str]:
    """A valid, unique Python variable name for each (key, wished-for name)."""
    out: dict[Hashable, str] = {}
    used = set(RESERVED)
    for key, wish in items:
        base = re.sub(r"\W", "_", wish, flags=re.ASCII) or "node"
        if base[0].isdigit():
            base = "n_" + base
        if keyword.iskeyword(base) or keyword.issoftkeyword(base) or base in used:
            base += "_"
        name, i = base, 1
        while name in used:
            name, i = f"{base}{i}", i + 1
        used.add(name)
        out[key] = name
    return out


def call(func: str, args: list[str], suffix: str = "") -> str:
    """``func(args)``; ruff wraps long lines afterwards (see :func:`ruff_format`)."""
    return f"{func}({', '.join(args)}){suffix}"


def layer_args(obj: LayerObject) -> list[str]:
    """Constructor arguments as a Keras user writes them: leading required ones positionally."""
    spec = LAYERS[obj.class_name]
    out = []
    positional = True  # leading arguments stay positional until one is named or skipped
    for p in spec.params:
        positional = positional and p.positional and p.name in obj.kwargs
        if p.name not in obj.kwargs:
            continue
        value = obj.kwargs[p.name]
        text = layer_call(value) if isinstance(value, LayerObject) else lit(value)
        out.append(text if positional else f"{p.name}={text}")
    out.append(f"name={lit(obj.name)}")
    return out


def value_text(value: Any) -> str:
    """A literal, with any :class:`KerasObject` in it (also in dicts and lists) written as its call."""
    if isinstance(value, KerasObject):
        args = [f"{k}={value_text(v)}" for k, v in value.kwargs.items()]
        return call(f"keras.{value.module}.{value.class_name}", args)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{lit(k)}: {value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    return lit(value)


def layer_call(obj: LayerObject, suffix: str = "") -> str:
    if obj.source is not None:  # the design's own code, written above build_model() as text
        return call(*custom_call(obj, lit), suffix)
    if obj.generic:  # as Keras loads a saved layer: the class, and its config as a literal
        if obj.class_name not in GENERIC_CLASSES:
            raise CodegenError(f"'{obj.class_name}' is not a layer class of keras.layers")
        config = lit({**obj.kwargs, "name": obj.name})
        return call(f"{keras_path(obj.class_name)}.from_config", [config], suffix)
    func = "keras.Input" if obj.is_input else f"keras.layers.{obj.class_name}"
    return call(func, layer_args(obj), suffix)


# ---------------------------------------------------------------- parts


def _variables(low: Lowered) -> dict[Hashable, str]:
    """Variable names: ("out", node, index) for each output, ("layer", name) for a shared layer."""
    uses = Counter(c.layer.name for c in low.calls)
    wishes: list[tuple[Hashable, str]] = []
    for c in low.calls:
        if c.creates and uses[c.layer.name] > 1:
            wishes.append((("layer", c.layer.name), f"{c.layer.name}_layer"))
        for i, out in enumerate(c.outputs):
            wishes.append((("out", c.node, i), c.node if i == 0 else f"{c.node}_{out}"))
    return unique_names(wishes)


def _functional_lines(low: Lowered) -> list[str]:
    names = _variables(low)

    def arg(a: Arg) -> str:
        if isinstance(a, TensorRef):
            return names[("out", a.node, a.index)]
        return "[" + ", ".join(map(arg, a)) + "]"

    used = set(low.outputs)
    for c in low.calls:
        for a in (*c.args, *(v for _, v in c.kwargs)):
            used |= {a} if isinstance(a, TensorRef) else set(a)

    def target(node: str, i: int) -> str:
        return names[("out", node, i)] if TensorRef(node, i) in used else "_"

    lines = []
    for c in low.calls:
        targets = ", ".join(target(c.node, i) for i in range(len(c.outputs)))
        inputs = [arg(a) for a in c.args] + [f"{k}={arg(v)}" for k, v in c.kwargs]
        inputs += [f"{k}={lit(v)}" for k, v in c.options]
        layer_var = names.get(("layer", c.layer.name))
        if c.layer.is_input:
            lines.append(f"    {targets} = " + layer_call(c.layer))
        elif layer_var is None:
            lines.append(f"    {targets} = " + layer_call(c.layer, f"({', '.join(inputs)})"))
        else:
            if c.creates:
                lines.append(f"    {layer_var} = " + layer_call(c.layer))
            lines.append(f"    {targets} = " + call(layer_var, inputs))
    ins = [arg(t) for t in low.inputs]
    outs = [arg(t) for t in low.outputs]
    lines.append(
        "    "
        + call(
            "model = keras.Model",
            [
                f"inputs={ins[0] if len(ins) == 1 else '[' + ', '.join(ins) + ']'}",
                f"outputs={outs[0] if len(outs) == 1 else '[' + ', '.join(outs) + ']'}",
                f"name={lit(low.name)}",
            ],
        )
    )
    return lines


def _model_part(design: Design) -> str:
    low = lower(design)
    lines = ["def build_model():", '    """Build and compile the model."""']
    if low.sequential:
        lines.append("    model = keras.Sequential(")
        lines.append("        [")
        lines += [f"            {layer_call(c.layer)}," for c in low.calls]
        lines.append("        ],")
        lines.append(f"        name={lit(low.name)},")
        lines.append("    )")
    else:
        lines += _functional_lines(low)
    comp = lower_compile(design)
    compile_items = [f"optimizer={value_text(comp.optimizer)}"]
    compile_items += [f"{k}={value_text(v)}" for k, v in comp.kwargs.items()]
    lines.append("    " + call("model.compile", compile_items))
    lines.append("    return model")
    return "\n".join(lines)


def _data_source(data: dict[str, Any]) -> tuple[list[Any], str, str, str] | None:
    """(reader functions, the statement that reads x and y, description, the labels' classes as
    an expression: 0 for numbers to predict) or None."""
    source = data.get("source")
    if source == "builtin" and data.get("name") in BUILTIN:
        dataset = BUILTIN[data["name"]]
        named = (
            f", x a dict of one array per input ({', '.join(dataset.input_shapes)})" if dataset.inputs else ""
        )
        named += (
            f", y a dict of one per output ({', '.join(dataset.output_classes)})" if dataset.outputs else ""
        )
        return (
            [getattr(loaders, dataset.loader)],
            f"x, y = {dataset.loader}()",
            f"The {dataset.name} dataset{named}",
            lit(dataset.classes),
        )
    path = data.get("path")
    if not isinstance(path, str):
        return None
    # Paths, columns and sizes reach the script only as literals; the docstring names no design string.
    here = f"Path(__file__).resolve().parent / {lit(path)}"
    guards = [loaders.memory_budget, loaders.size_text, loaders.open_regular, loaders.check_features]
    guards.append(loaders.check_labels)
    if source == "csv":
        options = [f"target={lit(data['target'])}"] if data.get("target") is not None else []
        if data.get("features"):
            options.append(f"features={lit(list(data['features']))}")
        if data.get("drop_invalid"):
            options.append("drop_invalid=True")
        readers = [loaders.is_number, loaders.is_word, loaders.column_index, loaders.csv_row_problem]
        readers += [loaders.csv_target, loaders.read_csv]
        call = f"x, y, class_names = read_csv({', '.join([here, *options])})[:3]"
        return [*guards, *readers], call, "The CSV file named below (beside this script)", "len(class_names)"
    if source == "images":
        options = [f"size={lit(list(data['image_size']))}"] if data.get("image_size") else []
        options += ["grayscale=True"] if data.get("grayscale") else []
        options += ["drop_invalid=True"] if data.get("drop_invalid") else []
        call = f"x, y, class_names = read_image_folder({', '.join([here, *options])})[:3]"
        return [*guards, loaders.read_image_folder], call, "The image folder named below", "len(class_names)"
    if source == "numpy":
        y_path = data.get("y_path")
        args = [here] + (
            [f"Path(__file__).resolve().parent / {lit(y_path)}"] if isinstance(y_path, str) else []
        )
        return (
            [*guards, loaders.read_npy, loaders.read_npz, steps.label_classes],
            f"x, y = read_npz({', '.join(args)})",
            "The NumPy arrays named below (beside this script)",
            "label_classes(y)",
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
    helpers = [*readers, loaders.rows, loaders.take, loaders.shuffle, loaders.hold_out, loaders.standardize]
    helpers += [steps.shape_labels, steps.prepare_arrays]
    if loaders.memory_budget not in helpers:
        helpers += [loaders.memory_budget, loaders.size_text]
    helpers.append(available_memory)  # what memory_budget reads
    inputs = _named_inputs(design)
    lines = [
        'def load_data(seed=DATA["seed"]):',
        f'    """{description}, prepared as Netwright prepares it (engine/data/steps.py).',
        "",
        "    Shuffled with a fixed seed before any split (Keras's validation_split takes the last",
        "    rows of x); (x_test, y_test) are held out from training.",
        '    """',
        f"    {read_call}",
        "    (x, y), (x_test, y_test), _ = prepare_arrays(",
        '        x, y, seed, DATA["test_split"], DATA.get("standardize", False),',
        f"        {_label_plan(design, classes)},",
        *([f"        inputs={lit(inputs)},"] if inputs is not None else []),
        "    )",
        "    return (x, y), (x_test, y_test)",
    ]
    constants = [f"{name} = {lit(value)}" for name, value in steps.SCRIPT_CONSTANTS.items()]
    source = "\n\n\n".join(["\n".join(constants), *(inspect.getsource(f).rstrip() for f in helpers)])
    return source, "\n".join(lines)


def _named_inputs(design: Design) -> dict[str, str] | None:
    """{model Input: array name} for a built-in dataset with several named inputs (as the app
    matches them: engine.schema.datasets.match_inputs), else None."""
    data = design.data or {}
    dataset = BUILTIN.get(data.get("name")) if data.get("source") == "builtin" else None
    if dataset is None or not dataset.inputs:
        return None
    return match_inputs(list(dataset.input_shapes), design.input_ids()) or {}


def _label_plan(design: Design, classes: str) -> str:
    """prepare_arrays's ``labels``, as the app's engine.data.prepare.label_plan makes it: each
    target's loss kind and classes (an expression: the file's classes are known when it is read)."""
    outputs = design.output_ids()
    data = design.data or {}
    dataset = BUILTIN.get(data.get("name")) if data.get("source") == "builtin" else None

    def kind(node: str) -> str:
        loss = output_loss(design, node)
        return lit(loss.task if loss is not None else None)

    if dataset is None or not dataset.outputs:
        return f"({kind(outputs[0]) if outputs else lit(None)}, {classes})"
    targets = match_inputs(list(dataset.output_classes), outputs) or {}
    plan = [
        f"{lit(node)}: ({lit(name)}, {kind(node)}, {lit(dataset.output_classes[name])})"
        for node, name in targets.items()
    ]
    return "{" + ", ".join(plan) + "}"


def _imports(data: tuple[str, str] | None) -> str:
    """Standard-library imports first, as ruff orders them; only what the script uses."""
    used = set(re.findall(r"\b(csv|io|math|os|stat|zipfile)\.", data[0])) if data is not None else set()
    used |= {"contextlib", "os", "sys"}  # distribution_scope() and --distribute data-parallel
    used.add("math")  # the training part's fit (engine/keras/pipeline.py) counts batches
    stdlib = ["import argparse", *(f"import {m}" for m in sorted(used))]
    if data is not None and "Path(" in data[0] + data[1]:
        stdlib.append("from pathlib import Path")
    return "\n".join(stdlib) + "\n\nimport keras\nimport numpy as np"


def _placeholder_data(design: Design, shapes: dict[tuple[str, str], tuple]) -> list[str]:
    """Random arrays shaped like the model's inputs and outputs, so main() runs as is."""
    lines = [
        "    # No dataset in the design: random data shaped like the model's inputs and",
        "    # outputs. Replace it with your own.",
        "    rng = np.random.default_rng(0)",
    ]

    def dims(shape: tuple) -> str:
        return lit((256, *(d if d is not None else 10 for d in shape[1:])))

    xs = []
    for n in design.input_ids():
        dtype = design.nodes[n].params.get("dtype", "float32")
        if dtype in ("int32", "int64"):  # token ids, say
            xs.append(f"rng.integers(0, 10, size={dims(shapes[n, 'output'])}).astype({lit(dtype)})")
        elif dtype == "string":
            xs.append(f'np.full({dims(shapes[n, "output"])}, "a")')
        else:
            xs.append(f'rng.random({dims(shapes[n, "output"])}, dtype="float32")')
    ys = []
    for i, ref in enumerate(design.model_outputs()):
        shape = shapes.get((ref.node, ref.out or "output"))
        loss = output_loss(design, ref.node)
        if shape is None:  # a generic layer's shape, known to Keras: ask the built model
            ys.append(_output_like(i, loss is not None and loss.task == SPARSE))
        elif loss is not None and loss.task == SPARSE:
            ys.append(f"rng.integers(0, {shape[-1] or 2}, size={dims(shape[:-1])})")
        else:
            ys.append(f'rng.random({dims(shape)}).round().astype("float32")')
    lines.append(f"    x = {xs[0] if len(xs) == 1 else '[' + ', '.join(xs) + ']'}")
    lines.append(f"    y = {ys[0] if len(ys) == 1 else '[' + ', '.join(ys) + ']'}")
    return lines


def _training_part() -> str:
    """The script's fit, copied from engine/keras/pipeline.py with what it calls (the speed
    rule, the class weights): the app's own fast path, so the script trains as fast as the app."""
    constants = {
        name: getattr(speed, name)
        for name in ("TARGET_EXECUTION_S", "STEP_FLOOR_S", "CPU_FLOPS_PER_S", "TRAIN_FLOPS_FACTOR")
    }
    constants |= {"MAX_STEPS_PER_EXECUTION": speed.MAX_STEPS_PER_EXECUTION, **pipeline.SCRIPT_CONSTANTS}
    helpers = [speed.step_seconds, speed.choose_steps_per_execution, class_labels, balanced_class_weight]
    helpers += [complete_class_weight, pipeline.split_rows, pipeline.sample_count, pipeline.datasets]
    helpers += [pipeline.build_state]
    helpers += [pipeline.fit_class_weight, pipeline.fit]
    lines = [f"{name} = {lit(value)}" for name, value in constants.items()]
    return "\n\n\n".join(["\n".join(lines), *(inspect.getsource(f).rstrip() for f in helpers)])


def _output_like(index: int, sparse: bool) -> str:
    """Random targets shaped like the built model's output ``index`` (unknown axes: 10)."""
    dims = f"[d or 10 for d in model.outputs[{index}].shape[1:]]"
    if sparse:
        return f"rng.integers(0, model.outputs[{index}].shape[-1] or 2, size=(256, *{dims}[:-1]))"
    return f'rng.random((256, *{dims})).round().astype("float32")'


def _distribute_part(data: tuple[str, str] | None) -> str:
    """The script's distribution functions, copied from :mod:`engine.keras.data_parallel` (with
    the row helpers they use when the script has no data part, which carries them)."""
    helpers = [] if data is not None else [loaders.rows, loaders.take]
    helpers += [getattr(data_parallel, name) for name in data_parallel.SCRIPT_FUNCTIONS]
    return "\n\n\n".join(inspect.getsource(f).rstrip() for f in helpers)


# The key of the TRAINING literal that holds each callback's arguments.
_TRAINING_KEY = {"ReduceLROnPlateau": "reduce_lr_on_plateau"}


def _settings_part(design: Design, has_data: bool) -> str:
    """The TRAINING literal main() reads (and DATA, which load_data() reads): the design's settings,
    written once, so a person edits them in one place and Netwright reads them back on import."""
    train = design.training_settings
    options = lower_fit(design)
    training: dict[str, Any] = {
        "epochs": train.epochs,
        "batch_size": train.batch_size,
        "validation_split": train.validation_split,
    }
    if train.distribution != TrainingSettings.distribution:
        training["distribution"] = train.distribution
    if options.class_weight is not None:
        training["class_weight"] = options.class_weight
    for c in options.callbacks:
        training[_TRAINING_KEY[c.class_name]] = c.kwargs
    lines = [
        "# The training settings main() uses; Netwright reads them back when it opens this script.",
        f"TRAINING = {lit(training)}",
    ]
    if has_data:
        settings = design.data_settings
        data = {**(design.data or {}), "seed": settings.seed, "test_split": settings.test_split}
        lines += ["# Where the data comes from and how load_data() prepares it.", f"DATA = {lit(data)}"]
    return "\n".join(lines)


# main()'s lines for --distribute, --seed and --save (what they call: engine/keras/data_parallel.py).
_DISTRIBUTION_OPTIONS = [
    '    parser.add_argument("--distribute", choices=["none", "mirrored", "data-parallel"],'
    ' default=TRAINING.get("distribution", "none"), help="mirrored: all local GPUs (TensorFlow);'
    ' data-parallel: all devices of all processes (JAX)")',
    '    parser.add_argument("--seed", type=int, default=0, help="seeds Keras: every process starts from'
    ' the same weights (default 0)")',
    '    parser.add_argument("--no-shuffle", action="store_true", help="keep the training rows in order'
    ' every epoch (to compare runs)")',
    '    parser.add_argument("--save", metavar="PATH.keras", help="save the trained model; with several'
    ' processes the first writes it")',
]
_DISTRIBUTION_START = [
    '    if args.save and not args.save.endswith(".keras"):',
    '        parser.error("--save needs a file name ending in .keras")',
    '    if args.distribute == "data-parallel" and keras.backend.backend() != "jax":',
    "        # DataParallel runs on the JAX backend, chosen before Keras is imported: start again on it.",
    '        os.environ["KERAS_BACKEND"] = "jax"',
    "        os.execv(sys.executable, [sys.executable, *sys.argv])",
    "    with distribution_scope(args.distribute):",
    "        # The same starting weights in every process.",
    "        keras.utils.set_random_seed(args.seed)",
    "        model = build_model()",
    "    # With several processes only the first prints the summary, evaluates and writes files.",
    '    first = args.distribute != "data-parallel" or processes()[0] == 0',
]


def _share_lines(class_weight: bool) -> list[str]:
    """main()'s lines before fit: under data-parallel, this process's rows, batch and validation
    rows, and first the class weights from all the training rows (as one process computes them:
    fit would compute them from this process's share)."""
    weights = ['    class_weight = TRAINING["class_weight"]'] if class_weight else []
    weigh_all = [
        "        # Class weights from all the training rows, as one process computes them.",
        "        class_weight = fit_class_weight(",
        '            class_weight, y, split_rows(sample_count(x), TRAINING["validation_split"])',
        "        )",
    ]
    return [
        '    batch_size, verbose = args.batch_size, "auto"',
        '    validation = {"validation_split": TRAINING["validation_split"]}',
        *weights,
        '    if args.distribute == "data-parallel":',
        *(weigh_all if class_weight else []),
        *_DISTRIBUTION_SHARE,
    ]


_DISTRIBUTION_SHARE = [
    "        # Each process trains on its own share of the rows, at its share of the global batch.",
    "        x, y, batch_size, validation = process_share(",
    '            x, y, args.batch_size, TRAINING["validation_split"]',
    "        )",
    "        verbose = 2  # a line per epoch: each process's loss line (epoch_losses) stands on its own",
]
_DISTRIBUTION_END = ["    if not first:", "        return"]
_SAVE = ["    if args.save:", "        model.save(args.save)", '        print("saved", args.save)']


def _main_part(design: Design, has_data: bool, shapes: dict[tuple[str, str], tuple]) -> str:
    lines = [
        "def main():",
        "    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])",
        '    parser.add_argument("--epochs", type=int, default=TRAINING["epochs"])',
        '    parser.add_argument("--batch-size", type=int, default=TRAINING["batch_size"],'
        ' help="the global batch: several devices or processes each take an equal share of it")',
        *_DISTRIBUTION_OPTIONS,
        "    args = parser.parse_args()",
        *_DISTRIBUTION_START,
        '    if args.distribute == "mirrored":',
        "        # Keras's multi-step loop fails under MirroredStrategy: one batch per call.",
        "        model.steps_per_execution = 1",
        "    if first:",
        "        model.summary()",
    ]
    lines += ["    (x, y), (x_test, y_test) = load_data()"] if has_data else _placeholder_data(design, shapes)
    flops = estimate(design).total_flops
    fit_args = [
        "model",
        "x",
        "y",
        "args.epochs",
        "batch_size",
        "seed=args.seed",
        f"flops_per_sample={lit(flops)}",
        'class_weight=TRAINING.get("class_weight")',
        "shuffle=not args.no_shuffle",
        "**validation",
        "verbose=verbose",
    ]
    options = lower_fit(design)
    callbacks = [
        f"keras.{c.module}.{c.class_name}(**TRAINING[{lit(_TRAINING_KEY[c.class_name])}])"
        for c in options.callbacks
    ]
    losses = "epoch_losses(args.distribute)"  # the per-epoch loss line of each data-parallel process
    fit_args.append(
        f"callbacks=[{', '.join([*callbacks, '*' + losses])}]" if callbacks else f"callbacks={losses}"
    )
    if options.class_weight is not None:  # the weights computed in main() (see _share_lines)
        fit_args = ["class_weight=class_weight" if a.startswith("class_weight=") else a for a in fit_args]
    lines += _share_lines(options.class_weight is not None)
    lines += [
        "    # Netwright's own fit (engine/keras/pipeline.py): a tf.data pipeline made once, and as many",
        f"    # batches per compiled call as fit in about {speed.TARGET_EXECUTION_S * 1000:.0f} ms,"
        " estimated from this model's FLOPs per sample",
        "    # (None: unknown, one batch per call); callbacks run between calls.",
        "    " + call("fit", fit_args),
    ]
    lines += _DISTRIBUTION_END
    if has_data:
        lines.append("    if rows(x_test):")
        lines.append("        model_here = local_model(model, build_model)")
        lines.append(
            '        print("test:", model_here.evaluate(x_test, y_test, return_dict=True, verbose=0))'
        )
    lines += _SAVE
    return "\n".join(lines)


def generate(design: Design, formatter: bool = True) -> str:
    """The whole script.  Raises :class:`CodegenError` if the design has errors."""
    report = validate(design)
    if not report.valid:
        raise CodegenError("the design has errors:\n  " + "\n  ".join(p.message for p in report.errors))
    shapes = {(nid, out): shape for nid, info in report.nodes.items() for out, shape in info.outputs.items()}
    try:
        data = _data_part(design)
        parts = [
            f'"""{DOCSTRING}"""',
            _imports(data) + "\n\n" + _settings_part(design, data is not None),  # one blank line, as isort
            *(data or ()),
            *custom_part(design, RESERVED),
            _model_part(design),
            _training_part(),
            _distribute_part(data),
            _main_part(design, data is not None, shapes),
            'if __name__ == "__main__":\n    main()',
        ]
    except RecursionError:
        raise CodegenError("a value in the design is nested too deeply to write") from None
    except CustomExportError as exc:
        raise CodegenError(str(exc)) from None
    source = "\n\n\n".join(parts) + "\n"
    source = ruff_format(source) if formatter else source
    try:
        ast.parse(source)
    except (SyntaxError, ValueError) as exc:  # the guard behind lit(): never hand out a broken script
        raise CodegenError(f"the generated script does not compile ({exc}); it was not written") from None
    return source


# The script's docstring names no design string: a name there could end the docstring.
DOCSTRING = (
    "A Keras model exported from Netwright.\n\nTrain it: python <this file> [--epochs N] [--batch-size N]"
    " [--distribute {none,mirrored,data-parallel}]\n"
)


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
