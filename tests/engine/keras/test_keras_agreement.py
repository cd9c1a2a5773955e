"""Our pure-Python shape inference against Keras itself, on many random designs.

For every node: does Keras accept it (given inputs it accepted) -- builds it
and, where we say it cannot, also runs it on zeros -- and if so,
are the output shape and the total/trainable parameter counts identical?
Any disagreement is a bug in our rules (engine/layer_rules.py).
Set NETWRIGHT_AGREEMENT_N to run more designs than the default.
"""

from __future__ import annotations

import os

import pytest

from engine.design.validation import validate
from engine.schema.catalog import LAYERS
from tests.engine.random_designs import random_design

N_DESIGNS = int(os.environ.get("NETWRIGHT_AGREEMENT_N", "1200"))


def keras_layer(keras, node):
    """A Keras layer straight from the design's raw JSON params: no Netwright code involved
    (arguments the catalog marks as call arguments are left for :func:`call_layer`)."""
    spec = LAYERS[node.type]
    params = {k: v for k, v in node.params.items() if not _is_call_arg(spec, k)}
    if node.type in ("Bidirectional", "TimeDistributed"):
        inner = params.pop("layer")
        layer = getattr(keras.layers, inner["type"])(**inner.get("params", {}))
        return getattr(keras.layers, node.type)(layer, **params)
    return getattr(keras.layers, node.type)(**params)


# Inputs Keras's symbolic call accepts although they break the layer's documented
# contract, refused on purpose by our rules (each rule says why in its message):
# image layers read a 3-D tensor (batch, steps, features) as one unbatched image, so
# the batch axis becomes the image height; Attention mixes the samples of a batch on
# 2-D inputs and documents (batch, steps, features); TimeDistributed calls its layer's
# call() directly, skipping the layer's own input check, so a pooling layer silently
# runs on steps of the wrong rank.
IMAGE_LAYERS = {
    "Resizing",
    "CenterCrop",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomTranslation",
    "RandomContrast",
}


STEP_RANK = {"MaxPooling1D": 3, "MaxPooling2D": 4, "GlobalAveragePooling2D": 4}  # with the batch


def against_the_contract(node, in_shapes, text_in=False):
    if node.type == "Add" and text_in:
        return True  # TF "adds" text by joining the words: refused, as for every other merge
    if node.type in IMAGE_LAYERS:
        return len(in_shapes[0]) == 3
    if node.type in ("Attention", "AdditiveAttention"):
        return any(len(s) != 3 for s in in_shapes)
    if node.type == "MultiHeadAttention" and node.params.get("use_causal_mask"):
        return len(in_shapes[0]) != 3  # a causal mask orders one time axis: (batch, steps, features)
    if node.type in ("SimpleRNN", "LSTM", "GRU") and len(in_shapes) > 1:
        return any(len(s) != 2 for s in in_shapes[1:])  # initial states are (batch, units)
    if node.type == "EinsumDense" and "..." not in node.params["equation"]:
        # TF runs 'ab,bz->az' on a 4-D input as a matrix product over the last axis when the
        # kernel's size happens to fit: a result the equation does not describe.
        return len(in_shapes[0]) != len(node.params["equation"].split(",")[0])
    if node.type == "TimeDistributed":
        inner = node.params["layer"]["type"]
        return inner in STEP_RANK and len(in_shapes[0]) - 1 != STEP_RANK[inner]
    return False


def _is_call_arg(spec, name):
    return any(p.name == name and p.extra.get("call") for p in spec.params)


def call_layer(layer, spec, params, edges, tensor, **extra):
    """Call a layer as Keras's own ``call`` names its inputs; ``tensor(edge)`` gives each input."""
    options = {**{k: v for k, v in params.items() if _is_call_arg(spec, k)}, **extra}
    if not spec.ports:
        args = [tensor(e) for e in edges]
        return layer(args if spec.is_merge else args[0], **options)
    by_port = {spec.ports[0].name if e.port is None else e.port: e for e in edges}
    args, kwargs = [], dict(options)
    for p in spec.ports:
        if p.name not in by_port:
            continue
        value = tensor(by_port[p.name])
        if p.arg is None:
            args.append(value)
        elif p.slot is not None:
            kwargs.setdefault(p.arg, []).append(value)
        else:
            kwargs[p.arg] = value
    return layer(*args, **kwargs)


def output_names(node, design):
    owner = design.nodes[node.shares] if node.shares else node
    return list(LAYERS[owner.type].outputs_for(owner.params))


def run_kind(dtype) -> str:
    """What a tensor of this dtype holds, as the design says it: float, int or string."""
    name = getattr(dtype, "name", str(dtype))
    return "string" if "string" in name else "int" if "int" in name else "float"


def keras_truth(keras, design, layers=None, kinds=None):
    """Per node: ('ok', output shapes, params, trainable) or ('error', message) or None (input failed).

    A shared layer's weights are counted once, on the call that builds it (the first), as
    Netwright shows them.  ``layers`` gets each node's Keras layer object; ``kinds`` what each
    output holds when the model runs, (node, output) -> float / int / string.
    """
    import numpy as np

    truth, tensors, built_by = {}, {}, {}
    layers = {} if layers is None else layers
    kinds = {} if kinds is None else kinds
    order, _ = design.topological_order()
    inc = design.incoming()
    for nid in order:
        node = design.nodes[nid]
        if node.type == "Input":
            dtype = node.params.get("dtype", "float32")
            tensors[nid] = {"output": keras.Input(shape=tuple(node.params["shape"]), dtype=dtype)}
            truth[nid] = ("ok", (tuple(tensors[nid]["output"].shape),), 0, 0)
            kinds[(nid, "output")] = run_kind(dtype)
            continue
        srcs = [e.src for e in inc[nid]]
        if any(s not in tensors for s in srcs):
            truth[nid] = None
            continue
        names = output_names(node, design)
        owner = design.nodes[node.shares] if node.shares else node
        try:
            # A shared layer is built by its first call, whichever node that is.
            first = owner.id not in built_by  # a failed call leaves the layer unbuilt
            layer = layers[owner.id] if owner.id in layers else keras_layer(keras, owner)
            layers[owner.id] = layers[nid] = layer

            def tensor(e):
                return tensors[e.src][e.out or next(iter(tensors[e.src]))]

            out = call_layer(layer, LAYERS[owner.type], owner.params, inc[nid], tensor)
        except Exception as exc:  # noqa: BLE001 - any refusal by Keras is the oracle's "invalid"
            truth[nid] = ("error", f"{type(exc).__name__}: {exc}"[:300])
            continue
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        if "attention_scores" in names:
            scores = run_time_scores(keras, design, nid, truth, layer, inc[nid], tensor, kinds)
            if scores is None:
                truth[nid] = ("error", "fails when run")
                continue
            outs[1] = scores
        in_kinds = [kinds.get((e.src, e.out or "output"), "float") for e in inc[nid]]
        for name in names:
            kinds[(nid, name)] = "float"
        if owner.type == "EinsumDense":
            outs = run_time_einsum(keras, design, nid, truth, kinds, layer)
            if outs is None:
                truth[nid] = ("error", "fails when run")
                continue
        elif set(in_kinds) != {"float"} or any(run_kind(t.dtype) != "float" for t in outs):
            run = eager_outputs(keras, design, nid, truth, layer, kinds)
            if run is None and "string" in in_kinds:
                # Keras's declared dtypes are no guide here (RepeatVector of text says float32).
                failed = (
                    "fails when run on text" if fails_only_on_text(keras, design, nid, truth, kinds) else None
                )
                truth[nid] = ("error", failed) if failed else None  # None: a filled-in size, not text
                continue
            for name, r in zip(names, run or outs, strict=False):  # no run: as Keras declares
                kinds[(nid, name)] = run_kind(r.dtype)
        built_by.setdefault(owner.id, nid)  # a call that only fails when run builds nothing real
        tensors[nid] = dict(zip(names, outs, strict=True))
        trainable = int(sum(np.prod(w.shape) for w in layer.trainable_weights)) if first else 0
        shapes = tuple(tuple(t.shape) for t in outs)
        truth[nid] = ("ok", shapes, layer.count_params() if first else 0, trainable)
    return truth


def fails_only_on_text(keras, design, nid, truth, kinds):
    """The run failed on text: would it run on numbers of the same shapes?  (A run also fails
    where an unknown size, filled in, does not fit: a Reshape of (None, 6) into (6, 6).)"""
    numbers = {k: "float" if v == "string" else v for k, v in kinds.items()}
    return eager_outputs(keras, design, nid, truth, None, numbers) is not None


def run_time_einsum(keras, design, nid, truth, kinds, layer):
    """Symbolic stand-ins for EinsumDense's output with the shape a run gives, or None if the
    call fails when run.

    Keras's symbolic shape comes from its einsum analysis, which can promise what the einsum
    then does not compute: an equation without '...' on an input of higher rank builds, with
    the extra axes appended to the output, and fails when run; an output axis taken from the
    input but left null in ``output_shape`` is None symbolically though a run knows its size.
    So the truth is two runs, with unknown sizes 3 and then 4: an axis whose size changes
    between them is unknown (None), any other has the size the runs give.
    """
    runs = [eager_outputs(keras, design, nid, truth, layer, kinds, fill) for fill in (3, 4)]
    if any(r is None for r in runs):
        return None
    a, b = (tuple(r[0].shape) for r in runs)
    if len(a) != len(b):
        return None
    shape = (None, *(x if x == y else None for x, y in zip(a[1:], b[1:], strict=True)))
    return [keras.Input(batch_shape=shape)]


def run_time_scores(keras, design, nid, truth, layer, edges, tensor, kinds=None):
    """A symbolic stand-in for MultiHeadAttention's attention scores with the shape Keras
    computes at run time, or None if the call fails when run.

    Keras's symbolic scores are (B, heads, T, T) -- ``compute_output_spec`` uses the query's
    length twice -- but a real call gives (B, heads, T..., S...).  The stand-in (checked
    against a real run) lets the layers downstream be judged on the shape that really flows.
    """
    by_port = {e.port or "query": tensor(e) for e in edges}
    query, value = by_port["query"].shape, by_port["value"].shape
    shape = (query[0], layer.num_heads, *query[1:-1], *value[1:-1])
    run = eager_outputs(keras, design, nid, truth, layer, kinds)
    if run is None or not fits_run_time(shape, tuple(run[1].shape)):
        return None
    return keras.Input(batch_shape=shape)


def eager_outputs(keras, design, nid, truth, layer=None, kinds=None, fill=3):
    """The layer's outputs on real numbers, or None if it fails when run.  Some refusals only
    show at run time (Softmax over an axis the tensor lacks builds symbolically, then fails in
    TF), and some symbolic shapes are wrong (MultiHeadAttention's attention scores).  ``layer``:
    an already built layer to call again (a shared layer), else a fresh one.  Inputs hold
    what ``kinds`` says: the word "a" for text, 0 for ids (both usually in a random
    vocabulary), else 0.0; unknown sizes are ``fill``."""
    import numpy as np

    node = design.nodes[nid]
    owner = design.nodes[node.shares] if node.shares else node
    kinds = kinds or {}

    def tensor(e):
        shapes = truth[e.src][1]
        shape = shapes[output_names(design.nodes[e.src], design).index(e.out)] if e.out else shapes[0]
        dims = (2, *(fill if d is None else d for d in shape[1:]))
        kind = kinds.get((e.src, e.out or "output"), "float")
        if kind == "string":
            return np.full(dims, "a")
        return np.zeros(dims, "int32" if kind == "int" else "float32")

    layer = layer if layer is not None else keras_layer(keras, owner)
    try:
        # training=True: augmentation layers only transform while training
        out = call_layer(
            layer, LAYERS[owner.type], owner.params, design.incoming()[nid], tensor, training=True
        )
    except Exception:  # noqa: BLE001
        return None
    return list(out) if isinstance(out, (list, tuple)) else [out]


def runs_as_declared(keras, design, nid, truth, t, kinds):
    """Keras accepted the layer symbolically: does a real call run, and give the shapes Keras
    declared?  (An RNN initial state of (batch, 1, 1) for 1 unit is accepted symbolically and
    broadcast at run time into something else; a lookup of words builds on numbers.)"""
    run = eager_outputs(keras, design, nid, truth, kinds=kinds)
    return run is not None and all(fits_run_time(s, tuple(r.shape)) for s, r in zip(t[1], run, strict=False))


def refused_on_purpose(keras, design, nid, truth, layers, mine, kinds):
    """Netwright refuses a shared layer's call whose input would need weights of another size
    than the first call's, even where Keras silently broadcasts the built weights over it
    (LayerNormalization built on 3 features, called again on 1): a learner gets a message
    instead of a model that quietly computes something else."""
    if "calls the layer of" not in mine[1]:
        return False
    fresh = keras_layer(keras, design.nodes[design.nodes[nid].shares or nid])
    if eager_outputs(keras, design, nid, truth, fresh, kinds) is None:
        return True
    return layers[nid].built and fresh.count_params() != layers[nid].count_params()


def ours(design):
    report = validate(design)
    result = {}
    for nid, info in report.nodes.items():
        if info.errors:
            result[nid] = ("error", info.errors[0])
        elif info.output_shape is not None:
            result[nid] = ("ok", tuple(info.outputs.values()), info.params, info.trainable, info.holds)
        else:
            result[nid] = None
    return result


def fits_run_time(ours_shape, run_shape):
    """Our symbolic shape describes a run-time one: same rank, each known size equal
    (run on batch 2 with 3 for every unknown size)."""
    return len(ours_shape) == len(run_shape) and all(
        d is None or d == r for d, r in zip(ours_shape, run_shape, strict=True)
    )


@pytest.mark.parametrize("chunk", range(6))
def test_random_designs_agree_with_keras(keras, chunk):
    per_chunk = N_DESIGNS // 6
    disagreements, counts = [], {"ok": 0, "error": 0}
    for seed in range(chunk * per_chunk, (chunk + 1) * per_chunk):
        design = random_design(seed)
        layers, kinds = {}, {}
        truth, mine = keras_truth(keras, design, layers, kinds), ours(design)
        inc = design.incoming()
        order, _ = design.topological_order()
        for nid in order:
            node = design.nodes[nid]
            t, m = truth.get(nid), mine.get(nid)
            if t is not None and any(
                truth.get(e.src) is None or truth[e.src][0] == "error" for e in inc[nid]
            ):
                truth[nid] = t = None  # downstream of a layer that only fails when run
            if t is not None and any(e.out == "attention_scores" for e in inc[nid]):
                # Keras's symbolic scores shape is wrong (see below), so its shapes downstream
                # of the scores are too: only the scores themselves are held to a real run.
                truth[nid] = t = None
            if t is None:
                continue  # Keras never got to call it: an input already failed
            counts[t[0]] += 1
            if t[0] == "ok" and m is not None and m[0] == "error":
                in_shapes = [truth[e.src][1][0] for e in inc[nid]]
                text_in = any(kinds.get((e.src, e.out or "output")) == "string" for e in inc[nid])
                if against_the_contract(node, in_shapes, text_in):
                    truth[nid] = t = ("error", "refused on purpose")
                elif not runs_as_declared(keras, design, nid, truth, t, kinds) or refused_on_purpose(
                    keras, design, nid, truth, layers, m, kinds
                ):
                    truth[nid] = t = ("error", "fails when run")
            same = (t[0] == m[0] == "error") if m else False
            same = same or (t[0] == "ok" and m is not None and m[0] == "ok" and t[1:] == m[1:4])
            if same and t[0] == "ok":  # text stays text exactly where a run keeps it
                text = {name: kinds.get((nid, name)) == "string" for name in output_names(node, design)}
                same = text == {name: holds == "string" for name, holds in m[4].items()}
            if not same:
                disagreements.append(
                    f"seed {seed} node {nid} {node.type} {node.params}\n    keras: {t}\n    ours:  {m}"
                )
    assert not disagreements, f"{len(disagreements)} disagreements:\n" + "\n".join(disagreements[:15])
    # The generator must exercise both sides, or this test proves little.
    assert counts["ok"] > 3 * per_chunk and counts["error"] > per_chunk // 10, counts


def test_generator_covers_the_catalog():
    seen, features = set(), {"shared": 0, "named port": 0, "named output": 0, "text": 0}
    for seed in range(600):
        design = random_design(seed)
        seen |= {n.type for n in design.nodes.values()}
        features["shared"] += any(n.shares for n in design.nodes.values())
        features["named port"] += any(isinstance(e.port, str) for e in design.edges)
        features["named output"] += any(e.out for e in design.edges)
        features["text"] += any(n.params.get("dtype") == "string" for n in design.nodes.values())
    assert seen == set(LAYERS)
    assert min(features.values()) >= 20, features
