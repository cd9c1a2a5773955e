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
from tests.engine.random_designs import random_design

N_DESIGNS = int(os.environ.get("NETWRIGHT_AGREEMENT_N", "1200"))


def keras_layer(keras, node):
    """A Keras layer straight from the design's raw JSON params: no Netwright code involved."""
    params = dict(node.params)
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


def refused_on_purpose(node, in_shapes):
    if node.type in IMAGE_LAYERS:
        return len(in_shapes[0]) == 3
    if node.type in ("Attention", "AdditiveAttention"):
        return any(len(s) != 3 for s in in_shapes)
    if node.type == "TimeDistributed":
        inner = node.params["layer"]["type"]
        return inner in STEP_RANK and len(in_shapes[0]) - 1 != STEP_RANK[inner]
    return False


def keras_truth(keras, design):
    """Per node: ('ok', shape, params, trainable) or ('error', message) or None (input failed)."""
    import numpy as np

    truth, tensors = {}, {}
    order, _ = design.topological_order()
    inc = design.incoming()
    for nid in order:
        node = design.nodes[nid]
        if node.type == "Input":
            tensors[nid] = keras.Input(shape=tuple(node.params["shape"]))
            truth[nid] = ("ok", tuple(tensors[nid].shape), 0, 0)
            continue
        srcs = [e.src for e in inc[nid]]
        if any(s not in tensors for s in srcs):
            truth[nid] = None
            continue
        try:
            layer = keras_layer(keras, node)
            args = [tensors[s] for s in srcs]
            from engine.spec.catalog import LAYERS

            out = layer(args if LAYERS[node.type].is_merge else args[0])
        except Exception as exc:  # noqa: BLE001 - any refusal by Keras is the oracle's "invalid"
            truth[nid] = ("error", f"{type(exc).__name__}: {exc}"[:300])
            continue
        tensors[nid] = out
        trainable = int(sum(np.prod(w.shape) for w in layer.trainable_weights))
        truth[nid] = ("ok", tuple(out.shape), layer.count_params(), trainable)
    return truth


def runs_eagerly(keras, design, nid, truth):
    """Does the layer also work on real numbers?  Some refusals only show at run time
    (Softmax over an axis the tensor lacks builds symbolically, then fails in TF)."""
    import numpy as np

    inc = design.incoming()[nid]
    args = []
    for e in inc:
        shape = truth[e.src][1]
        args.append(np.zeros((2, *(3 if d is None else d for d in shape[1:])), "float32"))
    from engine.spec.catalog import LAYERS

    try:
        layer = keras_layer(keras, design.nodes[nid])
        layer(args if LAYERS[design.nodes[nid].type].is_merge else args[0], training=True)
    except Exception:  # noqa: BLE001
        return False
    return True


def ours(design):
    report = validate(design)
    result = {}
    for nid, info in report.nodes.items():
        if info.errors:
            result[nid] = ("error", info.errors[0])
        elif info.output_shape is not None:
            result[nid] = ("ok", info.output_shape, info.params, info.trainable)
        else:
            result[nid] = None
    return result


@pytest.mark.parametrize("chunk", range(6))
def test_random_designs_agree_with_keras(keras, chunk):
    per_chunk = N_DESIGNS // 6
    disagreements, counts = [], {"ok": 0, "error": 0}
    for seed in range(chunk * per_chunk, (chunk + 1) * per_chunk):
        design = random_design(seed)
        truth, mine = keras_truth(keras, design), ours(design)
        inc = design.incoming()
        order, _ = design.topological_order()
        for nid in order:
            node = design.nodes[nid]
            t, m = truth.get(nid), mine.get(nid)
            if t is not None and any(
                truth.get(e.src) is None or truth[e.src][0] == "error" for e in inc[nid]
            ):
                truth[nid] = t = None  # downstream of a layer that only fails when run
            if t is None:
                continue  # Keras never got to call it: an input already failed
            counts[t[0]] += 1
            if t[0] == "ok" and m is not None and m[0] == "error":
                if refused_on_purpose(node, [truth[e.src][1] for e in inc[nid]]):
                    truth[nid] = t = ("error", "refused on purpose")
                elif not runs_eagerly(keras, design, nid, truth):
                    truth[nid] = t = ("error", "fails when run")
            same = (t[0] == m[0] == "error") if m else False
            same = same or (t[0] == "ok" and m is not None and m[0] == "ok" and t[1:] == m[1:])
            if not same:
                disagreements.append(
                    f"seed {seed} node {nid} {node.type} {node.params}\n    keras: {t}\n    ours:  {m}"
                )
    assert not disagreements, f"{len(disagreements)} disagreements:\n" + "\n".join(disagreements[:15])
    # The generator must exercise both sides, or this test proves little.
    assert counts["ok"] > 3 * per_chunk and counts["error"] > per_chunk // 10, counts


def test_generator_covers_the_catalog():
    from engine.spec.catalog import LAYERS

    seen = set()
    for seed in range(600):
        seen |= {n.type for n in random_design(seed).nodes.values()}
    assert seen == set(LAYERS)
