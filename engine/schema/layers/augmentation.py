"""Catalog entries: augmentation (active only while training)."""

from __future__ import annotations

from engine.schema import layer_rules as R
from engine.schema.layer_spec import add
from engine.schema.layers.shared import height_width
from engine.schema.params import (
    CHOICE,
    FLOAT,
    Param,
)

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def _fill() -> tuple[Param, ...]:
    return (
        Param(
            "fill_mode",
            CHOICE,
            "reflect",
            "How pixels moved in from outside the image are filled.",
            choices=_FILL_MODES,
        ),
        Param(
            "interpolation",
            CHOICE,
            "bilinear",
            "How new pixels are computed.",
            choices=("nearest", "bilinear"),
        ),
        Param("fill_value", FLOAT, 0.0, "The value used when fill_mode is 'constant'."),
    )


def _factor(name: str, help_: str, *, required: bool = True, default: float | None = 0.1) -> Param:
    return Param(
        name,
        FLOAT,
        default,
        help_,
        min=0,
        max=1,
        required=required,
        positional=required,
        nullable=not required,
    )


add(
    "RandomCrop",
    "Augmentation",
    "While training, cuts a random height x width area out of each image; otherwise crops the centre.",
    R.image_to_size,
    *height_width("cropped area"),
)
add(
    "RandomFlip",
    "Augmentation",
    "While training, flips images at random (a free way to get more varied data).",
    R.image_same_size,
    Param(
        "mode",
        CHOICE,
        "horizontal_and_vertical",
        "Which flips to use.",
        choices=("horizontal", "vertical", "horizontal_and_vertical"),
    ),
)
add(
    "RandomRotation",
    "Augmentation",
    "While training, rotates images by a random angle.",
    R.image_same_size,
    _factor("factor", "Largest rotation, as a fraction of a full turn (0.1 is 36 degrees)."),
    *_fill(),
)
add(
    "RandomZoom",
    "Augmentation",
    "While training, zooms images in or out at random.",
    R.image_same_size,
    _factor("height_factor", "Largest vertical zoom, as a fraction of the height (0.2 is 20%)."),
    _factor(
        "width_factor",
        "Largest horizontal zoom (none: keep the aspect ratio).",
        required=False,
        default=None,
    ),
    *_fill(),
)
add(
    "RandomTranslation",
    "Augmentation",
    "While training, shifts images up/down and left/right at random.",
    R.image_same_size,
    _factor("height_factor", "Largest vertical shift, as a fraction of the height."),
    _factor("width_factor", "Largest horizontal shift, as a fraction of the width."),
    *_fill(),
)
add(
    "RandomContrast",
    "Augmentation",
    "While training, changes the contrast of each image by a random amount.",
    R.image_same_size,
    _factor("factor", "Largest change of contrast (0.2: between 80% and 120%)."),
)
