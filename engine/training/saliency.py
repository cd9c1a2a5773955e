"""What the network looks at: a saliency map and Grad-CAM for one sample.

Saliency (Simonyan et al., 2013): the gradient of the predicted class's score
with respect to the input; its magnitude (largest over colour channels) says
which pixels would change the score most.  The score is the output layer's
pre-activation ``z`` (before softmax or sigmoid), as both papers use it.

Grad-CAM (Selvaraju et al., 2017), for designs with a convolution: the last
convolutional layer's feature maps A_k weighted by the mean over the image of
∂score/∂A_k, summed, passed through ReLU and stretched to the input's size.

Both come from one tape pass through the graph with the step ledger's recorder
(engine/training/step_ledger.py), in inference mode; the result is plain NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.training.step_ledger import _Recorder

CONV = ("Conv1D", "Conv2D", "SeparableConv2D", "DepthwiseConv2D", "Conv2DTranspose")


@dataclass
class Attention:
    sample: np.ndarray  # the input as fed (no batch axis)
    class_index: int
    score: float  # the predicted class's score (pre-activation)
    saliency: np.ndarray  # |∂score/∂x|, largest over channels: (h, w) for an image
    grad_cam: np.ndarray | None  # (h, w) in 0..1, where the design has a 2-D convolution
    grad_cam_layer: str | None


def attention(model: Any, x: np.ndarray, class_index: int | None = None) -> Attention:
    """Saliency and Grad-CAM of ``model`` (one input, one output) for the sample ``x``
    (a batch of one), for ``class_index`` or else the class it predicts."""
    import keras
    import tensorflow as tf

    recorder = _Recorder(keras, seed=0)
    feeds = tf.convert_to_tensor(x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(feeds)
        y_pred = recorder.run(model, feeds)
        last = recorder.calls[-1]
        scores = last.z if last.z is not None else keras.tree.flatten(y_pred)[0]
        flat = tf.reshape(scores, (1, -1))
        index = int(np.argmax(flat.numpy()[0])) if class_index is None else int(class_index)
        score = flat[0, index]
    grad = tape.gradient(score, feeds).numpy()[0]
    conv = next(
        (
            c
            for c in reversed(recorder.calls)
            if type(c.layer).__name__ in CONV and c.outputs[0].shape.rank == 4
        ),
        None,
    )
    cam = None
    if conv is not None:
        maps = conv.outputs[0]
        weights = tf.reduce_mean(tape.gradient(score, maps), axis=(1, 2))  # α_k
        cam = _stretch(np.maximum((maps.numpy()[0] * weights.numpy()[0]).sum(axis=-1), 0.0), grad.shape[:2])
    del tape
    sal = np.abs(grad)
    if sal.ndim == 3:
        sal = sal.max(axis=-1)
    return Attention(
        np.asarray(x)[0], index, float(score.numpy()), sal, cam, conv.layer.name if conv is not None else None
    )


def _stretch(cam: np.ndarray, size: tuple[int, ...]) -> np.ndarray:
    """The map scaled to 0..1 and resized (bilinear) to the input's height and width."""
    import tensorflow as tf

    resized = tf.image.resize(cam[..., None], size[:2], method="bilinear").numpy()[..., 0]
    top = float(resized.max())
    return resized / top if top > 0 else resized
