"""What a catalog entry is: a layer's ports, outputs, dtypes and parameters (``LayerSpec``).

The entries themselves are in :mod:`engine.schema.layers`, one module per family
as Keras's own ``layers/`` package has them; :mod:`engine.schema.catalog` puts
them together.  ``add(...)`` registers one entry in :data:`LAYERS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.schema import layer_rules as R
from engine.schema.flops import Rule as Flops
from engine.schema.params import (
    BOOL,
    LAYER,
    Param,
    ParamProblem,
    check_params,
)

CATEGORIES = (
    "Core",
    "Convolution",
    "Pooling",
    "Reshaping",
    "Recurrent",
    "Normalization",
    "Regularization",
    "Activation",
    "Merging",
    "Attention",
    "Preprocessing",
    "Augmentation",
)


# Each category's colour on the canvas, the palette and exported diagrams.
CATEGORY_COLORS = {
    "Core": "#4C78A8",
    "Convolution": "#F58518",
    "Pooling": "#E4A400",
    "Reshaping": "#8E6C8A",
    "Recurrent": "#54A24B",
    "Normalization": "#2BA5A5",
    "Regularization": "#9D755D",
    "Activation": "#E45756",
    "Merging": "#B279A2",
    "Attention": "#D6457A",
    "Preprocessing": "#7A7A7A",
    "Augmentation": "#8C8C2E",
}


@dataclass(frozen=True)
class Port:
    """A named input of a layer call, as Keras's ``call`` names it.

    ``arg`` is how the lowering passes it: None for the first positional
    argument, else a keyword; ``slot`` puts it at that index of a keyword's list
    (``initial_state=[h, c]``).  A layer without ports takes its inputs by count
    (one, or a list for a merge).
    """

    name: str
    required: bool = True
    help: str = ""
    arg: str | None = None
    slot: int | None = None


@dataclass(frozen=True)
class OutPort:
    """A named output of a layer call; ``when`` is a bool parameter that must be on
    (``layer.return_state``: the wrapped layer's), ``wraps`` the wrapped layer types
    that give it (Bidirectional's LSTM has two states each way, GRU one)."""

    name: str
    when: str | None = None
    help: str = ""
    wraps: tuple[str, ...] = ()

    def given(self, values: dict[str, Any]) -> bool:
        """Whether a call with these parameters (checked or as written) returns this output."""
        inner = values.get("layer")
        inner = inner if isinstance(inner, dict) else {}
        if self.wraps and inner.get("type") not in self.wraps:
            return False
        if self.when is None:
            return True
        head, _, rest = self.when.partition(".")
        if not rest:
            return bool(values.get(head))
        params = inner.get("params")
        return isinstance(params, dict) and bool(params.get(rest))


# What a tensor holds, for the design's dtype flow (see engine.design.dtype_flow).
FLOATS_DT, INTS_DT, TEXT_DT = "float", "int", "string"
# What a layer's inputs may hold: numbers (Keras casts whole numbers), whole-number ids (floats
# are cut to whole numbers: a warning), text only, or anything (it moves values, or hashes them).
NUMBERS, IDS, WORDS, ANY = "numbers", "ids", "words", "any"
# What its output holds: floats, whole numbers, what its (first) input holds, or ids when
# output_mode is 'int' (else the float encodings).
SAME, IDS_OR_FLOATS = "same", "ids_or_floats"


MAIN_OUTPUT = OutPort("output")


@dataclass(frozen=True)
class LayerSpec:
    """Everything Netwright knows about one Keras layer class."""

    type: str
    category: str
    help: str
    params: tuple[Param, ...]
    rule: R.Rule
    min_inputs: int = 1
    max_inputs: int | None = 1  # None: any number
    # Moves or drops values without transforming them (Reshape, Dropout, ...),
    # so an output's activation is the one before it.
    keeps_values: bool = False
    # Named inputs (MultiHeadAttention's query/value/key, an RNN's initial state); () counts them.
    ports: tuple[Port, ...] = ()
    # What a call returns, in Keras's order; the first is the main output.
    outputs: tuple[OutPort, ...] = (MAIN_OUTPUT,)
    # Once built, Keras fixes the number of input axes (its input_spec has ndim), so a shared
    # layer's later calls need inputs of the first call's rank (PReLU, BatchNormalization).
    same_rank_when_shared: bool = False

    # The dtype flow: what its inputs may hold (NUMBERS, IDS, WORDS, ANY) and what its
    # output holds (FLOATS_DT, INTS_DT, SAME, IDS_OR_FLOATS); a wrapper's are its layer's.
    input_dtype: str = NUMBERS
    output_dtype: str = FLOATS_DT
    # The Keras class's constructor arguments in its own positional order (set below).
    keras_args: tuple[str, ...] = ()
    # FLOPs of one forward pass for one sample (engine/schema/flops.py; set below).
    flops: Flops | None = None

    def port_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.ports)

    def outputs_for(self, values: dict[str, Any]) -> tuple[str, ...]:
        """The outputs a call returns with these parameters (checked or as written), in order."""
        return tuple(o.name for o in self.outputs if o.given(values))

    def output_when(self, name: str) -> str | None:
        """The parameter that turns output ``name`` on (None: always there or unknown)."""
        return next((o.when for o in self.outputs if o.name == name), None)

    def output_wraps(self, name: str) -> tuple[str, ...]:
        """The wrapped layer types that give output ``name`` (empty: any)."""
        return next((o.wraps for o in self.outputs if o.name == name), ())

    @property
    def is_input(self) -> bool:
        return self.max_inputs == 0

    @property
    def is_merge(self) -> bool:
        return self.max_inputs is None or self.max_inputs > 1

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        """The parameters a freshly placed node starts with."""
        return {p.name: p.default for p in self.params}

    def check_params(self, given: dict[str, Any]) -> tuple[list[ParamProblem], dict[str, Any]]:
        return check_params(self.params, given)

    def keras_kwargs(self, given: dict[str, Any]) -> dict[str, Any]:
        """The constructor arguments to write, in catalog order, Keras form.

        Required arguments always; others only when they differ from Keras's
        default, so generated code reads like hand-written code and the built
        layer's config equals the one Keras makes from that code.  ``given``
        must already be valid (see :meth:`check_params`).
        """
        _, values = self.check_params(given)
        out: dict[str, Any] = {}
        for p in self.params:
            if p.extra.get("call"):
                continue  # an argument of the call, not of the constructor
            value = values[p.name]
            if p.kind == LAYER:
                inner = LAYERS[value["type"]]
                value = {"type": value["type"], "params": inner.keras_kwargs(value["params"])}
            elif not p.required and value == (p.check(p.default) if p.default is not None else None):
                continue
            out[p.name] = value
        return out

    def call_kwargs(self, given: dict[str, Any]) -> dict[str, Any]:
        """Non-tensor arguments of the call (``return_attention_scores=True``), when not default."""
        _, values = self.check_params(given)
        return {
            p.name: values[p.name] for p in self.params if p.extra.get("call") and values[p.name] != p.default
        }

    def inputs_text(self) -> str:
        if self.ports:
            return "inputs " + ", ".join(p.name + ("" if p.required else " (optional)") for p in self.ports)
        if self.max_inputs is None:
            return f"{self.min_inputs} or more inputs"
        if self.min_inputs == self.max_inputs:
            return f"exactly {self.min_inputs} input{'s' if self.min_inputs != 1 else ''}"
        return f"{self.min_inputs} to {self.max_inputs} inputs"


LAYERS: dict[str, LayerSpec] = {}


# Layers with weights take ``trainable`` (the base Layer's argument): unchecked, the
# layer is frozen and training leaves its weights alone, as when fine-tuning.
TRAINABLE = Param(
    "trainable",
    BOOL,
    True,
    "Uncheck to freeze the layer: training leaves its weights as they are (fine-tuning).",
    extra={"base_layer": True},
)


FREEZABLE_CATEGORIES = ("Convolution", "Recurrent", "Normalization")


def add(
    type_: str, category: str, help_: str, rule: R.Rule, *params: Param, freezable: bool = False, **kw: Any
) -> None:
    """One catalog entry; ``freezable`` (implied by weighted categories) adds ``trainable``.

    A layer that moves values without transforming them keeps their dtype."""
    assert type_ not in LAYERS, type_
    kw.setdefault("output_dtype", SAME if kw.get("keeps_values") else FLOATS_DT)
    common = (TRAINABLE,) if freezable or category in FREEZABLE_CATEGORIES else ()
    LAYERS[type_] = LayerSpec(type_, category, help_, (*params, *common), rule, **kw)
