"""The catalog against Keras: every name, default and identifier must be Keras's own."""

import inspect

import pytest

from engine.schema.catalog import ALIASES, CATEGORIES, LAYERS, layer_types_by_category
from engine.schema.compile_catalog import (
    LOGITS_LOSSES,
    LOSSES,
    METRIC_CLASSES,
    METRICS,
    OPTIMIZERS,
    REDUCE_LR_PARAMS,
    SCHEDULES,
)
from engine.schema.params import ACTIVATIONS, INITIALIZERS


def test_catalog_is_broad_and_grouped():
    assert len(LAYERS) >= 40
    groups = layer_types_by_category()
    assert set(groups) == set(CATEGORIES)
    assert all(groups[c] for c in CATEGORIES)
    for spec in LAYERS.values():
        assert spec.help and spec.help[0].isupper()
        for p in spec.params:
            assert p.help, (spec.type, p.name)


def _keras_signature(keras, layer_type):
    if layer_type == "Input":
        return inspect.signature(keras.Input)
    return inspect.signature(getattr(keras.layers, layer_type).__init__)


@pytest.mark.parametrize("layer_type", sorted(LAYERS))
def test_layer_params_are_keras_constructor_args_with_keras_defaults(keras, layer_type):
    sig = _keras_signature(keras, layer_type)
    base = inspect.signature(keras.layers.Layer.__init__)
    for p in LAYERS[layer_type].params:
        if p.extra.get("base_layer"):  # an argument every layer takes through **kwargs
            assert p.name in base.parameters and base.parameters[p.name].default == p.default
            takes_kwargs = any(q.kind is inspect.Parameter.VAR_KEYWORD for q in sig.parameters.values())
            assert takes_kwargs, f"{layer_type} takes no **kwargs, so no '{p.name}'"
            continue
        if p.extra.get("call"):  # an argument of the layer's call (return_attention_scores)
            call = inspect.signature(getattr(keras.layers, layer_type).call)
            assert call.parameters[p.name].default == p.default, (layer_type, p.name)
            continue
        assert p.name in sig.parameters, f"{layer_type}.{p.name} is not a Keras argument"
        default = sig.parameters[p.name].default
        if default is inspect.Parameter.empty:
            assert p.required, f"Keras requires {layer_type}.{p.name}; the catalog must too"
            continue
        if p.required:
            continue  # we always write it (e.g. Input.shape), whatever Keras's default
        if "keras_default" in p.extra:  # the same value, spelled out (Input's dtype float32)
            assert default == p.extra["keras_default"], (layer_type, p.name)
            continue
        ours = p.check(p.default) if p.default is not None else None
        theirs = tuple(default) if isinstance(default, list) else default
        assert theirs in (p.default, ours), f"{layer_type}.{p.name}: Keras {default!r}, catalog {p.default!r}"


def test_aliases_are_the_same_keras_classes_and_all_of_them(keras):
    assert ALIASES and not set(ALIASES) & set(LAYERS)
    for alias, target in ALIASES.items():
        assert target in LAYERS
        assert getattr(keras.layers, alias) is getattr(keras.layers, target), alias
    classes = {getattr(keras.layers, t): t for t in LAYERS if t != "Input"}
    other_names = {
        name: classes[obj]
        for name in dir(keras.layers)
        if isinstance(obj := getattr(keras.layers, name), type) and obj in classes and name != classes[obj]
    }
    assert other_names == ALIASES


@pytest.mark.parametrize("layer_type", sorted(t for t in LAYERS if LAYERS[t].ports))
def test_named_ports_are_the_keras_calls_arguments(keras, layer_type):
    call = inspect.signature(getattr(keras.layers, layer_type).call)
    names = list(call.parameters)[1:]  # without self
    for port in LAYERS[layer_type].ports:
        assert (port.arg or names[0]) in names, (layer_type, port.name)


@pytest.mark.parametrize("opt_type", sorted(OPTIMIZERS))
def test_optimizer_params_match_keras(keras, opt_type):
    sig = inspect.signature(getattr(keras.optimizers, opt_type).__init__)
    for p in OPTIMIZERS[opt_type].params:
        assert sig.parameters[p.name].default == p.default, (opt_type, p.name)


def _assert_params_match(cls, params, required=()):
    sig = inspect.signature(cls.__init__)
    for p in params:
        keras_param = sig.parameters[p.name]
        if p.required:
            assert keras_param.default is inspect.Parameter.empty, (cls.__name__, p.name)
        else:
            assert keras_param.default == p.default, (cls.__name__, p.name)


@pytest.mark.parametrize("schedule", sorted(SCHEDULES))
def test_schedule_params_match_keras(keras, schedule):
    spec = SCHEDULES[schedule]
    _assert_params_match(getattr(keras.optimizers.schedules, spec.type), spec.params)
    assert {p.name for p in spec.params if p.required} == {
        name
        for name, p in inspect.signature(
            getattr(keras.optimizers.schedules, spec.type).__init__
        ).parameters.items()
        if p.default is inspect.Parameter.empty and name != "self"
    }


def test_metric_classes_reduce_lr_and_logits_losses_match_keras(keras):
    keras.utils.clear_session()  # Keras numbers a second metric of a kind: precision_1
    for spec in METRIC_CLASSES.values():
        cls = getattr(keras.metrics, spec.class_name)
        _assert_params_match(cls, spec.params)
        assert cls().name == spec.name  # the history key of the metric made from its name
        assert type(keras.metrics.get(spec.name)) is cls
    _assert_params_match(keras.callbacks.ReduceLROnPlateau, REDUCE_LR_PARAMS)
    keras.utils.clear_session()
    for name, class_name in LOGITS_LOSSES.items():
        cls = getattr(keras.losses, class_name)
        assert inspect.signature(cls.__init__).parameters["from_logits"].default is False
        assert cls().name == name


def test_identifiers_resolve_in_keras(keras):
    for name in ACTIVATIONS:
        keras.activations.get(name)
    for name in INITIALIZERS:
        keras.initializers.get(name)
    for spec in LOSSES.values():
        for name in (spec.name, *spec.aliases):
            keras.losses.get(name)
    for name in METRICS:
        keras.metrics.get(name)


def test_every_layer_builds_from_its_defaults(keras):
    """A freshly dropped node (catalog defaults) is a valid Keras constructor call."""
    for spec in LAYERS.values():
        if spec.is_input:
            continue
        kwargs = spec.keras_kwargs(spec.defaults())
        if spec.type in ("Bidirectional", "TimeDistributed"):
            inner = kwargs.pop("layer")
            getattr(keras.layers, spec.type)(
                getattr(keras.layers, inner["type"])(**inner["params"]), **kwargs
            )
        else:
            getattr(keras.layers, spec.type)(**kwargs)


def test_every_entry_holds_what_the_cost_model_the_reader_and_the_importer_need():
    """Adding a layer is its catalog entry: shape rule, parameters, FLOPs rule, Keras's argument order."""
    for layer_type, spec in LAYERS.items():
        assert callable(spec.rule) and callable(spec.flops), layer_type
        positional = {p.name for p in spec.params if p.positional}
        if layer_type != "Input" and positional:
            assert positional <= set(spec.keras_args), f"{layer_type}: no Keras argument order for them"
