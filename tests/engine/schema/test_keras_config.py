"""Keras's naming and config references, read the way Keras writes them."""

from engine.schema.catalog import LAYERS
from engine.schema.compile_catalog import METRIC_CLASSES, OPTIMIZERS
from engine.schema.keras_config import short_repr, snake_case, tensor_refs


def test_snake_case_is_keras_to_snake_case_for_every_class_netwright_names():
    from keras.src.utils.naming import to_snake_case

    names = [*LAYERS, *OPTIMIZERS, "SparseCategoricalCrossentropy", "BinaryIoU", "R2Score", "AUC"]
    names += [m.class_name for m in METRIC_CLASSES.values()]
    for name in names:
        assert snake_case(name) == to_snake_case(name), name
    for name, spec in METRIC_CLASSES.items():  # the metric's identifier is its class's snake case
        assert snake_case(spec.class_name) == name


def test_tensor_refs_in_order_and_only_well_formed_ones():
    tensor = {"class_name": "__keras_tensor__", "config": {"keras_history": ["dense", 0, 0]}}
    odd = {"class_name": "__keras_tensor__", "config": {"keras_history": ["dense", "0", 0]}}
    assert tensor_refs([tensor, {"x": [odd, tensor]}, 3]) == [["dense", 0, 0], ["dense", 0, 0]]
    assert short_repr("x" * 100).endswith("...") and len(short_repr("x" * 100)) == 60
