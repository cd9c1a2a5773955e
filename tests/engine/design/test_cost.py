"""Cost before training: FLOPs against TensorFlow's profiler, memory against Keras's counts."""

import pytest

from engine.design.cost import (
    RUNTIME_BYTES,
    available_memory,
    estimate,
    fits_warning,
    human_bytes,
    human_count,
    largest_batch,
    memory_budget,
    optimizer_slots,
    training_memory,
)
from engine.design.file_format import load
from engine.design.graph import Design, Edge, Node
from engine.design.validation import validate
from engine.schema.catalog import LAYERS
from tests.engine.keras.test_build_and_export import TEMPLATES
from tests.engine.random_designs import random_design

TEMPLATE = {p.stem: p for p in TEMPLATES}


def chain(input_shape, *layers, batch_size=32, optimizer=None):
    """Input -> layers, as a design: ``layers`` are (type, params)."""
    nodes = {"x": Node("x", "Input", {"shape": list(input_shape)})}
    edges, previous = [], "x"
    for i, (kind, params) in enumerate(layers):
        nid = f"n{i}"
        nodes[nid] = Node(nid, kind, params)
        edges.append(Edge(previous, nid))
        previous = nid
    design = Design(name="cost", nodes=nodes, edges=edges)
    design.training = {"batch_size": batch_size}
    design.compile = {"optimizer": optimizer or {"type": "Adam"}, "loss": "mse"}
    return design


def profiler_flops(model):
    """TensorFlow's own count for one sample (multiply-add = 2), from the frozen graph."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2_as_graph

    spec = tf.TensorSpec([1, *model.inputs[0].shape[1:]], tf.float32)
    func = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec)
    _, graph_def = convert_variables_to_constants_v2_as_graph(func)
    with tf.Graph().as_default() as graph:
        tf.graph_util.import_graph_def(graph_def, name="")
        builder = tf.compat.v1.profiler.ProfileOptionBuilder
        options = builder(builder.float_operation()).with_empty_output().build()
        return tf.compat.v1.profiler.profile(graph=graph, cmd="op", options=options).total_float_ops


ORACLE_CASES = {
    "dense": ((16,), [("Dense", {"units": 8})]),
    "dense_softmax": ((16,), [("Dense", {"units": 8, "activation": "softmax"})]),
    "softmax_layer": ((16,), [("Softmax", {})]),
    "dense_on_sequence": ((5, 16), [("Dense", {"units": 8, "activation": "relu"})]),
    "conv2d_same": ((8, 8, 3), [("Conv2D", {"filters": 4, "kernel_size": 3, "padding": "same"})]),
    "conv2d_strided": ((9, 9, 3), [("Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2})]),
    "conv1d": ((10, 3), [("Conv1D", {"filters": 4, "kernel_size": 3})]),
    "depthwise": ((8, 8, 3), [("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2})]),
    "separable": ((8, 8, 3), [("SeparableConv2D", {"filters": 4, "kernel_size": 3})]),
    "max_pool": ((8, 8, 3), [("MaxPooling2D", {"pool_size": 2})]),
    "average_pool": ((8, 8, 3), [("AveragePooling2D", {"pool_size": 2})]),
}


@pytest.mark.parametrize("case", sorted(ORACLE_CASES))
def test_flops_equal_tensorflows_profiler(keras, case):
    from engine.keras.build import build_model

    design = chain(*ORACLE_CASES[case][:1], *ORACLE_CASES[case][1])
    assert estimate(design).total_flops == profiler_flops(build_model(design, compile=False))


def test_small_cnn_template_equals_the_profiler(keras):
    from engine.keras.build import build_model

    design = load(TEMPLATE["small_cnn"])
    # ReLU counts 0 and the output's softmax 5 per element, as the profiler counts them.
    assert estimate(design).total_flops == profiler_flops(build_model(design, compile=False)) == 169_660


def test_hand_counts_for_recurrent_layers():
    # LSTM: 4 gates x (2*in*units + 2*units*units + units) + 3*units per step.
    design = chain((20, 1), ("LSTM", {"units": 32}))
    assert estimate(design).total_flops == 20 * (4 * (2 * 32 + 2 * 32 * 32 + 32) + 96)
    both = chain((20, 1), ("Bidirectional", {"layer": {"type": "GRU", "params": {"units": 8}}}))
    one_gru = 20 * (3 * (2 * 8 + 2 * 8 * 8 + 8) + 24)
    assert estimate(both).total_flops == 2 * one_gru  # merge_mode "concat" costs nothing


def test_recurrent_layers_keep_every_steps_gates_and_states_for_the_backward_pass():
    cost = estimate(chain((20, 1), ("LSTM", {"units": 32}))).nodes["n0"]
    assert cost.activation_bytes == 32 * 4  # the output: the last step only
    assert cost.kept_bytes == (32 + 20 * 32 * (4 + 2)) * 4  # plus 4 gates, cell and output per step


def test_memory_per_node_is_float32_weights_and_outputs():
    design = chain((8, 8, 1), ("Conv2D", {"filters": 16, "kernel_size": 3, "padding": "same"}))
    cost = estimate(design).nodes["n0"]
    assert cost.param_bytes == 160 * 4 and cost.activation_bytes == 8 * 8 * 16 * 4


def test_every_catalog_type_has_a_rule_and_random_designs_cost_without_error():
    missing = sorted(t for t, spec in LAYERS.items() if spec.flops is None)
    assert not missing, f"catalog entries without a FLOPs rule (engine/schema/flops.py): {missing}"
    for seed in range(300):
        design = random_design(seed)
        report = validate(design)
        cost = estimate(design, report)
        for nid, c in cost.nodes.items():
            assert c.param_bytes == report.nodes[nid].params * 4
            assert c.flops is None or c.flops >= 0


def test_variable_length_gives_unknown_flops_not_a_guess():
    design = chain((None, 4), ("LSTM", {"units": 8}))
    cost = estimate(design)
    assert cost.nodes["n0"].flops is None and cost.total_flops is None
    assert training_memory(cost, 32, {"type": "Adam"}) is None


@pytest.mark.parametrize(
    ("optimizer", "slots"),
    [
        ({"type": "SGD"}, 0),
        ({"type": "SGD", "momentum": 0.9}, 1),
        ({"type": "Adam"}, 2),
        ({"type": "Adam", "amsgrad": True}, 3),
        ({"type": "RMSprop", "momentum": 0.9, "centered": True}, 3),
        ({"type": "Adagrad"}, 1),
    ],
)
def test_optimizer_slots_match_keras(keras, optimizer, slots):
    assert optimizer_slots(optimizer) == slots
    opt_type = optimizer["type"]
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    opt = getattr(keras.optimizers, opt_type)(**{k: v for k, v in optimizer.items() if k != "type"})
    opt.build(model.trainable_variables)
    slot_size = sum(int(v.numpy().size) for v in opt.variables if len(v.shape) > 0)
    assert slot_size == slots * model.count_params()


def test_training_memory_and_the_largest_batch_that_fits():
    design = chain((64,), ("Dense", {"units": 32}), batch_size=100)
    cost = estimate(design)
    memory = training_memory(cost, 100, {"type": "Adam"})
    weights = (64 * 32 + 32) * 4
    assert (memory.weights, memory.gradients, memory.optimizer_slots) == (weights, weights, 2 * weights)
    per_sample = 2 * (64 + 32) * 4
    assert memory.activations == 100 * per_sample
    budget = 4 * weights + 1000 * per_sample + 10
    assert largest_batch(cost, {"type": "Adam"}, budget) == 1000
    assert largest_batch(cost, {"type": "Adam"}, 4 * weights) == 0


def test_a_run_that_cannot_fit_is_refused_with_the_numbers():
    design = chain((1000,), ("Dense", {"units": 1000}), batch_size=64)
    assert fits_warning(design, available=RUNTIME_BYTES + 10**9) is None
    warning = fits_warning(design, available=RUNTIME_BYTES + 10**6)
    assert warning.startswith("Training needs about") and "make the model smaller" in warning
    wide = chain((4096,), ("Dense", {"units": 8}), batch_size=4096)
    warning = fits_warning(wide, available=RUNTIME_BYTES + 100 * 2**20)
    assert "use a batch size of at most" in warning


def test_compact_figures():
    assert human_count(169_660, "FLOPs") == "170 kFLOPs"
    assert human_count(999, "FLOPs") == "999 FLOPs"
    assert human_bytes(3 * 2**20) == "3 MiB"


def fake_machine(root, meminfo_kib: int, cgroup: dict[str, str]):
    """A folder laid out like /proc and /sys/fs/cgroup, for available_memory(root)."""
    (root / "proc").mkdir(parents=True)
    (root / "proc" / "meminfo").write_text(f"MemTotal: 9 kB\nMemAvailable:   {meminfo_kib} kB\n")
    for name, text in cgroup.items():
        (root / "sys" / "fs" / "cgroup" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "sys" / "fs" / "cgroup" / name).write_text(text + "\n")
    return f"{root}/"


def test_the_memory_available_respects_a_containers_limit(tmp_path):
    """One source for every budget: MemAvailable, capped by a cgroup v2 or v1 limit less its usage."""
    gib = 2**30
    free = 8 * gib // 1024  # MemAvailable in KiB: 8 GiB
    assert available_memory(fake_machine(tmp_path / "bare", free, {})) == 8 * gib
    v2 = fake_machine(tmp_path / "v2", free, {"memory.max": str(3 * gib), "memory.current": str(gib)})
    assert available_memory(v2) == 2 * gib
    unlimited = fake_machine(tmp_path / "v2max", free, {"memory.max": "max", "memory.current": str(gib)})
    assert available_memory(unlimited) == 8 * gib
    v1 = fake_machine(
        tmp_path / "v1",
        free,
        {"memory/memory.limit_in_bytes": str(4 * gib), "memory/memory.usage_in_bytes": str(3 * gib)},
    )
    assert available_memory(v1) == gib
    v1_none = fake_machine(
        tmp_path / "v1none",
        free,
        {"memory/memory.limit_in_bytes": str(2**63 - 4096), "memory/memory.usage_in_bytes": str(gib)},
    )
    assert available_memory(v1_none) == 8 * gib
    # Training's budget is what is available less TensorFlow's own (the data's is a quarter of it).
    assert memory_budget(gib) == 0 and memory_budget(3 * gib) == 2 * gib
