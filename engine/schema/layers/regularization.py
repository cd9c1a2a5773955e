"""Catalog entries: regularization."""

from __future__ import annotations

from engine.schema import layer_rules as R
from engine.schema.layer_spec import add
from engine.schema.layers.shared import rate
from engine.schema.params import (
    FLOAT,
    Param,
)

add(
    "SpatialDropout1D",
    "Regularization",
    "Drops whole channels of a sequence while training.",
    R.spatial_dropout(1),
    rate("Fraction of channels to drop (0 to 1)."),
    keeps_values=True,
)
add(
    "SpatialDropout2D",
    "Regularization",
    "Drops whole feature maps of an image while training.",
    R.spatial_dropout(2),
    rate("Fraction of feature maps to drop (0 to 1)."),
    keeps_values=True,
)
# SpatialDropout3D's constructor takes no **kwargs, so no ``trainable`` (nor weights to freeze).
add(
    "SpatialDropout3D",
    "Regularization",
    "Drops whole feature maps of a volume while training.",
    R.spatial_dropout(3),
    rate("Fraction of feature maps to drop (0 to 1)."),
    keeps_values=True,
)
add(
    "GaussianNoise",
    "Regularization",
    "Adds random noise to inputs while training (data augmentation).",
    R.identity,
    Param(
        "stddev", FLOAT, 0.1, "Standard deviation of the noise.", min=0, max=1, required=True, positional=True
    ),
)
add(
    "GaussianDropout",
    "Regularization",
    "Multiplies inputs by random noise centred on 1 while training.",
    R.identity,
    rate("Drop probability, as in Dropout."),
)
add(
    "AlphaDropout",
    "Regularization",
    "Dropout that keeps the mean and variance, for SELU networks.",
    R.identity,
    rate("Fraction of inputs to drop (0 to 1)."),
)
add(
    "ActivityRegularization",
    "Regularization",
    "Adds a penalty on the size of its input to the loss.",
    R.identity,
    Param("l1", FLOAT, 0.0, "L1 penalty factor.", min=0),
    Param("l2", FLOAT, 0.0, "L2 penalty factor.", min=0),
    keeps_values=True,
)
