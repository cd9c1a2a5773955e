"""The built-in datasets: what each holds, so designs can be checked against it.

The facts here (task, sample shape, classes) are what validation and the
GUI's dataset picker need without loading any data; :mod:`engine.data.loaders`
holds the code that produces the arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.schema.compile_catalog import REGRESSION


@dataclass(frozen=True)
class BuiltinDataset:
    name: str
    help: str
    task: str  # "classification" or REGRESSION
    input_shape: tuple[int, ...]
    classes: int  # 0 for regression
    loader: str  # the function in engine.data.loaders that returns (x, y)
    class_names: tuple[str, ...] = ()
    target_shape: tuple[int, ...] | None = None  # one sample's target when it is not one number or label
    # A dataset for a model with several Inputs: (name, sample shape) of each, in order; the
    # loader then returns x as a dict keyed by these names (see match_inputs for the rule).
    inputs: tuple[tuple[str, tuple[int, ...]], ...] = ()
    # False for features that are one-hot tokens: scaling them to mean 0, spread 1 destroys them.
    standardizable: bool = True
    # A dataset for a model with several outputs: (name, class names) of each output's labels, in
    # order; the loader then returns y as a dict keyed by these names, matched to the design's
    # output nodes by the rule of match_inputs.
    outputs: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def label_form(self) -> str:
        if self.task == REGRESSION:
            return "one number per sample"
        if self.target_shape:
            return f"{self.target_shape[0]} class labels 0..{self.classes - 1} per sample (one per step)"
        return f"an integer class label 0..{self.classes - 1}"

    @property
    def output_classes(self) -> dict[str, int]:
        """Each named output's number of classes; one unnamed output ("") for a single target."""
        return {name: len(names) for name, names in self.outputs} if self.outputs else {"": self.classes}

    @property
    def input_shapes(self) -> dict[str, tuple[int, ...]]:
        """Each named input's sample shape; one unnamed input ("") for a single-input dataset."""
        return dict(self.inputs) if self.inputs else {"": self.input_shape}


def match_inputs(data_inputs: Sequence[str], design_inputs: Sequence[str]) -> dict[str, str] | None:
    """Which of the data's arrays feeds each of the design's Inputs: {Input id: array name}.

    The rule: by name when the design's Input ids are exactly the data's input names
    (in any order), else by order when there are as many of each; None when the counts
    differ.  A single unnamed array ("") feeds a design's single Input.  The same rule
    matches the data's targets to the design's output nodes: {output node id: target name}.
    """
    if len(data_inputs) != len(design_inputs):
        return None
    if set(data_inputs) == set(design_inputs):
        return {name: name for name in design_inputs}
    return dict(zip(design_inputs, data_inputs, strict=True))


def inputs_text(names: Sequence[str], what: str = "input") -> str:
    """'2 inputs (source, target_in)' or '1 input'."""
    named = [n for n in names if n]
    return f"{len(names)} {what}{'s' if len(names) != 1 else ''}" + (
        f" ({', '.join(named)})" if named else ""
    )


CLASSIFICATION = "classification"

# Rows held out for the final evaluation when a design's data section does not say: results
# measured on the rows a model trained on flatter it, so a newcomer never gets them unasked.
DEFAULT_TEST_SPLIT = 0.2

BUILTIN: dict[str, BuiltinDataset] = {
    d.name: d
    for d in (
        BuiltinDataset(
            "iris",
            "150 iris flowers, 4 measurements, 3 species.",
            CLASSIFICATION,
            (4,),
            3,
            "load_iris",
            ("setosa", "versicolor", "virginica"),
        ),
        BuiltinDataset(
            "wine",
            "178 wines, 13 chemical measurements, 3 cultivars.",
            CLASSIFICATION,
            (13,),
            3,
            "load_wine",
            ("cultivar 0", "cultivar 1", "cultivar 2"),
        ),
        BuiltinDataset(
            "breast_cancer",
            "569 tumours, 30 features, malignant or benign.",
            CLASSIFICATION,
            (30,),
            2,
            "load_breast_cancer",
            ("malignant", "benign"),
        ),
        BuiltinDataset(
            "digits",
            "1797 handwritten digits as 8x8 grey images, 10 classes.",
            CLASSIFICATION,
            (8, 8, 1),
            10,
            "load_digits",
        ),
        BuiltinDataset(
            "diabetes",
            "442 patients, 10 features, disease progression after a year.",
            REGRESSION,
            (10,),
            0,
            "load_diabetes",
        ),
        BuiltinDataset(
            "moons",
            "Two interleaving half circles (2-D points, 2 classes).",
            CLASSIFICATION,
            (2,),
            2,
            "load_moons",
        ),
        BuiltinDataset(
            "circles",
            "A circle inside a circle (2-D points, 2 classes).",
            CLASSIFICATION,
            (2,),
            2,
            "load_circles",
        ),
        BuiltinDataset(
            "xor",
            "Points labelled by the sign of x times y: not linearly separable.",
            CLASSIFICATION,
            (2,),
            2,
            "load_xor",
        ),
        BuiltinDataset(
            "spirals",
            "Three interleaved spirals (2-D points, 3 classes).",
            CLASSIFICATION,
            (2,),
            3,
            "load_spirals",
        ),
        BuiltinDataset("sine", "Noisy samples of sin(x): 1-D regression.", REGRESSION, (1,), 0, "load_sine"),
        BuiltinDataset(
            "friedman",
            "1000 samples, 8 features (5 matter), a smooth non-linear target: regression.",
            REGRESSION,
            (8,),
            0,
            "load_friedman",
        ),
        BuiltinDataset(
            "digit_pixels",
            "The 8x8 digits as input and as target: learn to rebuild each image.",
            REGRESSION,
            (8, 8, 1),
            0,
            "load_digit_pixels",
            target_shape=(8, 8, 1),
        ),
        BuiltinDataset(
            "sine_sequences",
            "Sine waves of random frequency, 20 steps each: predict the next value.",
            REGRESSION,
            (20, 1),
            0,
            "load_sine_sequences",
        ),
        BuiltinDataset(
            "moons_small",
            "Only 120 noisy moons points: too few for a big network (to see overfitting).",
            CLASSIFICATION,
            (2,),
            2,
            "load_moons_small",
        ),
        BuiltinDataset(
            "reverse_sequences",
            "2000 sequences of 6 symbols (a-h) to reverse, for an encoder-decoder: input 'source' is "
            "the sequence, input 'target_in' the reversed one shifted right behind a start token "
            "(teacher forcing), one-hot; the labels are the reversed sequence, one symbol per step.",
            CLASSIFICATION,
            (6, 9),
            9,
            "load_reverse_sequences",
            ("start", *"abcdefgh"),
            target_shape=(6,),
            inputs=(("source", (6, 9)), ("target_in", (6, 9))),
            standardizable=False,
        ),
        BuiltinDataset(
            "digits_parity",
            "The 8x8 digits with two labels each, for a model with two outputs: 'digit' (10 classes) "
            "and 'parity' (odd or even).",
            CLASSIFICATION,
            (8, 8, 1),
            10,
            "load_digits_parity",
            outputs=(("digit", tuple("0123456789")), ("parity", ("even", "odd"))),
        ),
    )
}
