"""Likely mistakes: settings, losses against outputs, outputs against the dataset's labels.

Legal Keras that will not learn what the person meant -- a softmax output
under a binary loss, one output per pixel for class ids, a dataset's feature
count against the Input -- reported with one-click fixes where one remedy is
obvious.  Which outputs fit which labels is :mod:`engine.design.label_fit`'s rule.
"""

from __future__ import annotations

from typing import Any

from engine.design.graph import Design
from engine.design.label_fit import (
    SetLoss,
    SetParam,
    label_form,
    label_problems,
    output_rank_problem,
    set_param_fixes,
)
from engine.design.report import Collector, label
from engine.design.settings_checks import check_compile, check_training_options
from engine.design.shape_inference import main_output
from engine.design.structure_checks import output_problem
from engine.schema.catalog import LAYERS
from engine.schema.compile_catalog import (
    BINARY,
    CATEGORICAL,
    LOGITS_LOSSES,
    OPTIMIZERS,
    REGRESSION,
    SPARSE,
    loss_spec,
)
from engine.schema.data_settings import data_problems
from engine.schema.datasets import BUILTIN, CLASSIFICATION, inputs_text, match_inputs
from engine.schema.layer_rules import Shape, fmt_shape
from engine.schema.params import check_params


def check_settings(design: Design, out: Collector) -> None:
    comp = design.compile_settings
    spec = OPTIMIZERS.get(comp.optimizer)
    if spec is None:
        out.error(
            f"Unknown optimizer '{comp.optimizer}' (known: {', '.join(OPTIMIZERS)})",
            key="compile.optimizer.type",
        )
    else:
        problems, _ = check_params(spec.params, comp.optimizer_params)
        for problem in problems:
            out.error(f"Optimizer {spec.type}: {problem.message}", key=f"compile.optimizer.{problem.param}")
    check_compile(design, comp, out)
    train = design.training_settings
    for key, low in (("epochs", 1), ("batch_size", 1)):
        v = getattr(train, key)
        if not isinstance(v, int) or isinstance(v, bool) or v < low:
            out.error(
                f"training.{key} must be a whole number of at least {low}, not {v!r}", key=f"training.{key}"
            )
    split = train.validation_split
    if not isinstance(split, (int, float)) or isinstance(split, bool) or not 0 <= split < 1:
        out.error(
            f"training.validation_split must be at least 0 and below 1, not {split!r}",
            key="training.validation_split",
        )
    check_training_options(design, train, comp, out)
    _check_data_settings(design.data or {}, out)


def _check_data_settings(data: dict[str, Any], out: Collector) -> None:
    for key, message in data_problems(data):
        out.error(message, key=key)


def output_activation(design: Design, nid: str, values: dict[str, dict[str, Any] | None]) -> str:
    """The activation that ends an output ('linear' when none), looking back through
    layers that only move values around (Reshape, Dropout, ...)."""
    inc = design.incoming()
    seen = set()
    while nid not in seen:
        seen.add(nid)
        node = design.nodes[nid]
        spec = LAYERS.get(node.type)
        if node.type == "Softmax":
            return "softmax"
        params = values.get(nid) or {}
        if params.get("activation"):
            return params["activation"]
        if spec is None or not spec.keeps_values or len(inc[nid]) != 1:
            return "linear"
        nid = inc[nid][0].src
    return "linear"


def _activation_fix(design: Design, nid: str, values: dict, activation: str) -> tuple[SetParam, ...]:
    """Set the output's own activation, when the one that ends it is its own (not a layer's before it)."""
    own = (values.get(nid) or {}).get("activation")
    if not own:
        return ()
    text = f"Set the activation of '{nid}' to {activation}"
    return set_param_fixes(design.nodes[nid].type, nid, "activation", activation, text)


def _check_model_outputs(design: Design, values: dict[str, dict[str, Any] | None], out: Collector) -> bool:
    """The explicitly chosen outputs exist and are produced; False if any is wrong."""
    if design.outputs is None:
        return True
    ok = bool(design.outputs)
    if not ok:
        out.error("The model's output list is empty: choose at least one output", key="outputs")
    seen = set()
    for ref in design.outputs:
        if ref.node not in design.nodes:
            out.error(f"Model output '{ref.node}' is not a node of the design", key="outputs")
            ok = False
            continue
        problem = output_problem(design, values, ref.node, ref.out) if ref.out is not None else ""
        if problem:
            out.error(f"Model output: {problem}", ref.node, key="outputs")
            ok = False
        name = ref.out or main_output(design, ref.node)
        if (ref.node, name) in seen:
            out.error(f"'{ref.node}' ({name}) is listed twice among the outputs", ref.node, key="outputs")
            ok = False
        seen.add((ref.node, name))
    return ok


def check_outputs(design: Design, values: dict, shapes: dict[tuple[str, str], Shape], out: Collector) -> None:
    _check_model_outputs(design, values, out)
    comp = design.compile_settings
    loss = loss_spec(comp.loss_for(design.output_ids()[0]) if design.output_ids() else comp.loss)
    data = design.data_settings
    dataset = BUILTIN.get(data.name) if data.source == "builtin" and isinstance(data.name, str) else None
    classes: dict[str, int] = {}  # the classes each output node's labels have
    targets: dict[str, str] = {}  # the dataset's target that trains each output node
    if dataset is not None:
        _check_data_fit(design, shapes, dataset, out)
        targets = match_inputs(list(dataset.output_classes), design.output_ids()) or {}
        classes = {node: dataset.output_classes[key] for node, key in targets.items()}
        labels = label_form(loss.task if loss else None, dataset.task)
        target = dataset.target_shape
        if target and dataset.task == CLASSIFICATION:
            target = (*target, dataset.classes)  # a class label per step: a probability row per step
        _check_output_ranks(design, shapes, labels, out, target)
    for ref in design.model_outputs():
        nid = ref.node
        loss = loss_spec(comp.loss_for(nid))
        if loss is None or nid not in design.nodes or design.nodes[nid].type == "Input":
            continue
        main = main_output(design, nid)
        if (ref.out or main) != main or (nid, main) not in shapes:
            continue  # a state or attention-score output: no activation to judge
        act = output_activation(design, nid, values)
        units = shapes[(nid, main)][-1]
        who = label(design.nodes[nid].type, nid)
        crossentropy = loss.name.endswith("crossentropy")
        if loss.task == BINARY and crossentropy and act == "softmax":
            out.warn(
                f"Output {who} uses softmax with binary_crossentropy: use sigmoid for yes/no outputs, "
                "or categorical_crossentropy for classes",
                nid,
            )
        if loss.task in (CATEGORICAL, SPARSE) and crossentropy and units == 1:
            out.warn(
                f"Output {who} has one unit but {loss.name} needs one unit per class "
                "(with one unit, softmax always outputs 1)",
                nid,
            )
        logits = comp.from_logits is True and loss.name in LOGITS_LOSSES
        if logits and act in ("softmax", "sigmoid"):
            out.warn(
                f"Output {who} ends with {act} but from_logits says it gives raw scores: "
                "remove the activation (a linear output) or turn from_logits off",
                nid,
                key="compile.from_logits",
            )
        if crossentropy and not logits and act not in ("softmax", "sigmoid"):
            squash = "sigmoid" if loss.task == BINARY else "softmax"
            out.warn(
                f"Output {who} has a '{act}' activation but {loss.name} expects probabilities: "
                f"end with {squash}",
                nid,
                fixes=_activation_fix(design, nid, values, squash),
            )
        if (
            loss.task == REGRESSION
            and act in ("softmax", "sigmoid")
            and (dataset is None or dataset.task == REGRESSION)
        ):
            out.warn(
                f"Output {who} squashes values with '{act}' but {loss.name} is a regression loss: "
                "use a linear output to predict numbers",
                nid,
                fixes=_activation_fix(design, nid, values, "linear"),
            )
        if dataset is None:
            continue
        name = f"{dataset.name} ({targets[nid]})" if dataset.outputs and nid in targets else dataset.name
        width = None if dataset.target_shape else 1
        wanted = classes.get(nid, dataset.classes)
        for p in label_problems(name, dataset.task, wanted, loss.name, loss.task, who, units, width):
            # Warnings here: the data setting may change; preparing the data refuses the blocking ones.
            fixes: tuple[SetParam | SetLoss, ...] = ()
            if p.units is not None:
                fixes = set_param_fixes(
                    design.nodes[nid].type, nid, "units", p.units, f"Set the units of '{nid}' to {p.units}"
                )
            elif p.loss is not None and not comp.per_output:
                fixes = (SetLoss(f"Set the loss to {p.loss}", p.loss),)
            out.warn(p.message, nid, key=p.key, fixes=fixes)


def _check_output_ranks(
    design: Design,
    shapes: dict[tuple[str, str], Shape],
    labels: str,
    out: Collector,
    target_shape: tuple | None = None,
) -> None:
    inc = design.incoming()
    for nid in design.output_ids():
        main = (nid, main_output(design, nid))
        if main not in shapes:
            continue
        sources = inc[nid]
        before = (
            shapes.get((sources[0].src, sources[0].out or main_output(design, sources[0].src)))
            if len(sources) == 1
            else None
        )
        found = output_rank_problem(nid, design.nodes[nid].type, shapes[main], before, labels, target_shape)
        if found:
            out.error(found[0], nid, fixes=found[1])


def _check_data_fit(
    design: Design, shapes: dict[tuple[str, str], Shape], dataset: Any, out: Collector
) -> None:
    outputs = design.output_ids()
    if match_inputs(list(dataset.output_classes), outputs) is None:
        out.warn(
            f"Dataset '{dataset.name}' has {inputs_text(list(dataset.output_classes), 'target')} per "
            f"sample but the design has {len(outputs)} outputs ({', '.join(outputs)})",
            key="data.name",
        )
    inputs = design.input_ids()
    feeds = match_inputs(list(dataset.input_shapes), inputs)
    if feeds is None:
        out.warn(
            f"Dataset '{dataset.name}' feeds {inputs_text(list(dataset.input_shapes))} but the design has "
            f"{len(inputs)} Input(s)" + (f": {', '.join(inputs)}" if inputs else ""),
            key="data.name",
        )
        return
    for nid, name in feeds.items():
        got = shapes.get((nid, "output"))
        shape = dataset.input_shapes[name]
        if got is not None and got != (None, *shape):
            what = f" for input '{name}'" if name else ""
            which = "the Input's" if len(inputs) == 1 else f"Input '{nid}''s"
            fix = f"Set {which} shape to {fmt_shape(shape)}"
            out.warn(
                f"Dataset '{dataset.name}' has samples of shape {fmt_shape(shape)}{what} but "
                f"Input '{nid}' expects {fmt_shape(got[1:])}",
                nid,
                key="data.name",
                fixes=set_param_fixes(design.nodes[nid].type, nid, "shape", list(shape), fix),
            )
