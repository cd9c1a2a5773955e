"""The layer catalog: the single source of truth for every layer type.

The palette, the property editor, validation, the Keras build and the code
generator all read these entries.  Adding a layer is one ``_add(...)`` call:
its Keras class name, category, help, parameters (Keras names and defaults)
and the shape rule from :mod:`engine.spec.layer_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from engine.spec import layer_rules as R
from engine.spec.flops import FLOPS
from engine.spec.flops import Rule as Flops
from engine.spec.params import (
    ACTIVATIONS,
    BIAS_INITIALIZERS,
    BOOL,
    CHOICE,
    FLOAT,
    FLOATS,
    INITIALIZERS,
    INT,
    INTS,
    LAYER,
    PAIRS,
    REGULARIZERS,
    SHAPE,
    TEXT,
    VALUES,
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
    # FLOPs of one forward pass for one sample (engine/spec/flops.py; set below).
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


def _add(
    type_: str, category: str, help_: str, rule: R.Rule, *params: Param, freezable: bool = False, **kw: Any
) -> None:
    """One catalog entry; ``freezable`` (implied by weighted categories) adds ``trainable``.

    A layer that moves values without transforming them keeps their dtype."""
    assert type_ not in LAYERS, type_
    kw.setdefault("output_dtype", SAME if kw.get("keeps_values") else FLOATS_DT)
    common = (TRAINABLE,) if freezable or category in FREEZABLE_CATEGORIES else ()
    LAYERS[type_] = LayerSpec(type_, category, help_, (*params, *common), rule, **kw)


# ------------------------------------------------------------ reusable parameters


def activation(default: str | None = None, help_: str = "Function applied to the output.") -> Param:
    return Param("activation", CHOICE, default, help_, choices=(None, *ACTIVATIONS), nullable=True)


def use_bias() -> Param:
    return Param("use_bias", BOOL, True, "Add a learned bias to each output.")


def initializer(name: str, default: str) -> Param:
    choices = BIAS_INITIALIZERS if name == "bias_initializer" else INITIALIZERS
    return Param(name, CHOICE, default, "How the weights start before training.", choices=choices)


def regularizer(name: str) -> Param:
    return Param(
        name,
        CHOICE,
        None,
        "Penalty on the weights added to the loss (l2 keeps weights small).",
        choices=(None, *REGULARIZERS),
        nullable=True,
    )


def units(default: int, help_: str) -> Param:
    return Param("units", INT, default, help_, min=1, required=True, positional=True)


def rate(help_: str, default: float = 0.5, positional: bool = True) -> Param:
    return Param(
        "rate",
        FLOAT,
        default,
        help_,
        min=0,
        max=1,
        min_exclusive=False,
        positional=positional,
        required=positional,
    )


def sizes(name: str, rank: int, default: int | None, help_: str, **kw: Any) -> Param:
    return Param(name, INTS, default, help_, min=1, length=rank, **kw)


def padding(choices: tuple[str, ...] = ("valid", "same")) -> Param:
    return Param(
        "padding",
        CHOICE,
        "valid",
        "'valid' shrinks the output; 'same' keeps its size (for stride 1).",
        choices=choices,
    )


def axis(default: int = -1, help_: str = "The axis the layer works along (-1 is the last).") -> Param:
    return Param("axis", INT, default, help_)


def _conv_params(rank: int, filters_help: str, *, causal: bool = False) -> list[Param]:
    return [
        Param("filters", INT, 32, filters_help, min=1, required=True, positional=True),
        sizes("kernel_size", rank, 3, "Size of the sliding window.", required=True, positional=True),
        sizes("strides", rank, 1, "Step of the window; 2 halves the size."),
        padding(("valid", "same", "causal") if causal else ("valid", "same")),
        sizes("dilation_rate", rank, 1, "Gaps between kernel taps; widens the view without weights."),
    ]


# ------------------------------------------------------------ core


def _input_shape_ok(shape: tuple) -> str:
    if any(d is not None and d < 1 for d in shape):
        return "must hold sizes of at least 1 (or null for a variable length)"
    return ""


_add(
    "Input",
    "Core",
    "Where data enters the model; 'shape' is one sample's shape, without the batch.",
    R.input_layer,
    Param(
        "shape",
        SHAPE,
        [8],
        "Shape of one sample, e.g. [8] for 8 features or [28, 28, 1] for an image.",
        required=True,
        extra={"allow_none": True, "validate": _input_shape_ok},
    ),
    Param(
        "dtype",
        CHOICE,
        "float32",
        "What the data holds: numbers (float32), whole numbers such as token ids (int32, int64), "
        "or text (string, for StringLookup or Hashing). The Input's name is its node id.",
        choices=("float32", "int32", "int64", "string"),
        extra={"keras_default": None},  # Keras's None means float32
    ),
    min_inputs=0,
    max_inputs=0,
)
_add(
    "Dense",
    "Core",
    "Fully connected layer: every output is a weighted sum of all inputs.",
    R.dense,
    units(32, "Number of neurons (outputs)."),
    activation(),
    use_bias(),
    initializer("kernel_initializer", "glorot_uniform"),
    initializer("bias_initializer", "zeros"),
    regularizer("kernel_regularizer"),
    freezable=True,
)
_add(
    "Activation",
    "Core",
    "Applies an activation function to its input.",
    R.identity,
    Param(
        "activation",
        CHOICE,
        "relu",
        "The function to apply.",
        choices=ACTIVATIONS,
        required=True,
        positional=True,
    ),
)
_add(
    "Dropout",
    "Core",
    "Randomly zeroes a fraction of inputs while training, to reduce overfitting.",
    R.identity,
    rate("Fraction of inputs to drop (0 to 1)."),
    keeps_values=True,
)
_add(
    "Identity",
    "Core",
    "Passes its input on unchanged (a named placeholder, e.g. to switch a block off).",
    R.identity,
    keeps_values=True,
    input_dtype=ANY,
)
_add(
    "Masking",
    "Core",
    "Marks time steps whose features all equal 'mask_value' as padding, so later layers skip them.",
    R.identity,
    Param("mask_value", FLOAT, 0.0, "Steps where every feature has this value are skipped."),
    keeps_values=True,
)
_add(
    "Flatten",
    "Core",
    "Flattens each sample to one long vector, e.g. before Dense.",
    R.flatten,
    keeps_values=True,
    input_dtype=ANY,
)


def _target_ok(shape: tuple) -> str:
    if not shape:
        return "must list at least one size"
    if shape.count(-1) > 1:
        return "may use -1 only once"
    if any(d == 0 or d < -1 for d in shape):
        return "must hold positive sizes (or one -1 to infer a size)"
    return ""


def _dims_ok(dims: tuple) -> str:
    if sorted(dims) != list(range(1, len(dims) + 1)):
        return "must be a permutation of 1..n (axis 0 is the batch), e.g. [2, 1]"
    return ""


_add(
    "Reshape",
    "Core",
    "Rearranges each sample into a new shape with the same number of values.",
    R.reshape,
    Param(
        "target_shape",
        SHAPE,
        [-1],
        "New shape without the batch; one -1 is inferred.",
        required=True,
        positional=True,
        extra={"validate": _target_ok},
    ),
    keeps_values=True,
    input_dtype=ANY,
)
_add(
    "Permute",
    "Core",
    "Reorders the axes of each sample (axes numbered from 1).",
    R.permute,
    Param(
        "dims",
        SHAPE,
        [2, 1],
        "New order of the axes, e.g. [2, 1] swaps two axes.",
        required=True,
        positional=True,
        extra={"validate": _dims_ok},
    ),
    keeps_values=True,
    input_dtype=ANY,
)
_add(
    "RepeatVector",
    "Core",
    "Repeats a vector n times, making a sequence.",
    R.repeat_vector,
    Param("n", INT, 3, "How many times to repeat.", min=1, required=True, positional=True),
    keeps_values=True,
    input_dtype=ANY,
)
_add(
    "Embedding",
    "Core",
    "Turns integer ids (words, categories) into learned dense vectors.",
    R.embedding,
    Param("input_dim", INT, 1000, "Vocabulary size: largest id + 1.", min=1, required=True, positional=True),
    Param("output_dim", INT, 16, "Length of each learned vector.", min=1, required=True, positional=True),
    Param("mask_zero", BOOL, False, "Treat id 0 as padding to be ignored by later layers."),
    freezable=True,
    input_dtype=IDS,
)

_EINSUM_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,->."
_add(
    "EinsumDense",
    "Core",
    "A Dense layer over any axes, written as an einsum equation (input,kernel->output), "
    "e.g. the projections inside attention.",
    R.einsum_dense,
    Param(
        "equation",
        TEXT,
        "ab,bc->ac",
        "Axes of input, kernel and output, e.g. 'abc,cd->abd'; '...' stands for the leading axes.",
        required=True,
        positional=True,
        extra={"chars": _EINSUM_CHARS, "chars_text": "letters, ',', '->' and '...'"},
    ),
    Param(
        "output_shape",
        SHAPE,
        [16],
        "Output shape without the batch; null where it follows the input.",
        required=True,
        positional=True,
        extra={"allow_none": True, "validate": _input_shape_ok},
    ),
    activation(),
    Param(
        "bias_axes",
        TEXT,
        None,
        "Output axes (letters) that get a learned bias, e.g. 'c'; none for no bias.",
        nullable=True,
        extra={"chars": _EINSUM_CHARS[:52], "chars_text": "letters"},
    ),
    initializer("kernel_initializer", "glorot_uniform"),
    initializer("bias_initializer", "zeros"),
    regularizer("kernel_regularizer"),
    freezable=True,
)

# ------------------------------------------------------------ convolution

_WHAT = {1: "a sequence", 2: "an image", 3: "a volume"}

for _rank in (1, 2, 3):
    _add(
        f"Conv{_rank}D",
        "Convolution",
        f"Slides learned filters over {_WHAT[_rank]} to detect local patterns.",
        R.conv(_rank),
        *_conv_params(_rank, "Number of filters (output channels).", causal=_rank == 1),
        Param("groups", INT, 1, "Split channels into groups convolved separately.", min=1),
        activation(),
        use_bias(),
        initializer("kernel_initializer", "glorot_uniform"),
        initializer("bias_initializer", "zeros"),
        regularizer("kernel_regularizer"),
    )

for _rank in (1, 2, 3):
    _add(
        f"Conv{_rank}DTranspose",
        "Convolution",
        "Transposed ('de-') convolution: learns to up-sample, e.g. in decoders.",
        R.conv_transpose(_rank),
        *_conv_params(_rank, "Number of filters (output channels)."),
        activation(),
        use_bias(),
        initializer("kernel_initializer", "glorot_uniform"),
        initializer("bias_initializer", "zeros"),
    )

for _rank in (1, 2):
    _add(
        f"SeparableConv{_rank}D",
        "Convolution",
        "Depthwise then pointwise convolution: like Conv but with far fewer weights.",
        R.separable_conv(_rank),
        *_conv_params(_rank, "Number of output channels."),
        Param("depth_multiplier", INT, 1, "Depthwise outputs per input channel.", min=1),
        activation(),
        use_bias(),
    )
    _add(
        f"DepthwiseConv{_rank}D",
        "Convolution",
        "Convolves each input channel with its own filter (no mixing of channels).",
        R.depthwise_conv(_rank),
        sizes("kernel_size", _rank, 3, "Size of the sliding window.", required=True, positional=True),
        sizes("strides", _rank, 1, "Step of the window; 2 halves the size."),
        padding(),
        Param("depth_multiplier", INT, 1, "Outputs per input channel.", min=1),
        sizes("dilation_rate", _rank, 1, "Gaps between kernel taps."),
        activation(),
        use_bias(),
    )

# ------------------------------------------------------------ pooling

for _rank in (1, 2, 3):
    for _kind, _what in (("Max", "largest"), ("Average", "average")):
        _add(
            f"{_kind}Pooling{_rank}D",
            "Pooling",
            f"Keeps the {_what} value of each window, shrinking the {'sequence' if _rank == 1 else 'image'}.",
            R.pooling(_rank),
            sizes(
                "pool_size", _rank, 2, "Size of each window.", positional=True, required=_kind == "Average"
            ),
            Param(
                "strides",
                INTS,
                None,
                "Step between windows (default: pool_size).",
                min=1,
                length=_rank,
                nullable=True,
            ),
            padding(),
        )
    for _kind, _what in (("Max", "largest"), ("Average", "average")):
        _add(
            f"Global{_kind}Pooling{_rank}D",
            "Pooling",
            f"Reduces each channel to its {_what} value over all positions.",
            R.global_pooling(_rank),
            Param("keepdims", BOOL, False, "Keep the spatial axes with size 1."),
        )

# ------------------------------------------------------------ reshaping (padding, cropping, up-sampling)

# Keras's own defaults, in Keras's own forms.
_KERAS_PAD_DEFAULT = {1: 1, 2: [1, 1], 3: [[1, 1], [1, 1], [1, 1]]}
_KERAS_CROP_DEFAULT = {1: [1, 1], 2: [[0, 0], [0, 0]], 3: [[1, 1], [1, 1], [1, 1]]}
for _rank in (1, 2, 3):
    _add(
        f"ZeroPadding{_rank}D",
        "Reshaping",
        "Adds rows/columns of zeros around each sample.",
        R.zero_padding(_rank),
        Param(
            "padding",
            PAIRS,
            _KERAS_PAD_DEFAULT[_rank],
            "Zeros to add: one number, one per axis, or (before, after) per axis.",
            min=0,
            length=_rank if _rank > 1 else 2,
            positional=True,
            extra={"rank": _rank},
        ),
        input_dtype=ANY,
        output_dtype=SAME,
    )
    _add(
        f"Cropping{_rank}D",
        "Reshaping",
        "Cuts rows/columns off the edges of each sample.",
        R.cropping(_rank),
        Param(
            "cropping",
            PAIRS,
            _KERAS_CROP_DEFAULT[_rank],
            "Amount to cut: one number, one per axis, or (before, after) per axis.",
            min=0,
            length=_rank if _rank > 1 else 2,
            positional=True,
            extra={"rank": _rank},
        ),
        keeps_values=True,
        input_dtype=ANY,
    )
    _add(
        f"UpSampling{_rank}D",
        "Reshaping",
        "Repeats rows/columns to enlarge each sample.",
        R.up_sampling(_rank),
        Param("size", INT, 2, "Up-sampling factor.", min=1, positional=True)
        if _rank == 1
        else sizes("size", _rank, 2, "Up-sampling factor per axis.", positional=True),
        keeps_values=True,
        input_dtype=ANY,
    )

# ------------------------------------------------------------ recurrent


def _rnn_params(default_activation: str = "tanh", gru: bool = False, lstm: bool = False) -> list[Param]:
    out = [
        units(32, "Size of the hidden state."),
        activation(default_activation, "Function applied to the new state."),
    ]
    if gru or lstm:
        out.append(
            Param(
                "recurrent_activation", CHOICE, "sigmoid", "Function used by the gates.", choices=ACTIVATIONS
            )
        )
    out += [
        use_bias(),
        Param("dropout", FLOAT, 0.0, "Fraction of inputs dropped while training.", min=0, max=1),
        Param("recurrent_dropout", FLOAT, 0.0, "Fraction of the state dropped while training.", min=0, max=1),
        Param("return_sequences", BOOL, False, "Output every step (for stacking RNNs), not just the last."),
        Param(
            "return_state",
            BOOL,
            False,
            "Also output the final state, e.g. to start a decoder from it (an encoder-decoder).",
        ),
        Param("go_backwards", BOOL, False, "Read the sequence backwards."),
    ]
    if lstm:
        out.append(Param("unit_forget_bias", BOOL, True, "Start the forget gate open (helps learning)."))
    if gru:
        out.append(
            Param("reset_after", BOOL, True, "Apply the reset gate after the matrix product (cuDNN style).")
        )
    return out


_SEQUENCES = Port("sequences", help="the sequence to read (batch, timesteps, features)")


def _rnn_ports(states: tuple[str, ...]) -> dict[str, Any]:
    """An RNN's inputs (the sequence, optional initial states) and outputs (output, final states)."""
    return {
        "ports": (
            _SEQUENCES,
            *(
                Port(f"initial_{s}", False, "a starting state, e.g. an encoder's last", "initial_state", i)
                for i, s in enumerate(states)
            ),
        ),
        "outputs": (
            MAIN_OUTPUT,
            *(OutPort(s, "return_state", "the final state (with return_state)") for s in states),
        ),
    }


_add(
    "SimpleRNN",
    "Recurrent",
    "The plain recurrent layer: a state updated at every time step.",
    R.rnn("SimpleRNN"),
    *_rnn_params(),
    **_rnn_ports(("state",)),
)
_add(
    "LSTM",
    "Recurrent",
    "Long Short-Term Memory: gated recurrent layer that remembers long ranges.",
    R.rnn("LSTM"),
    *_rnn_params(lstm=True),
    **_rnn_ports(("state_h", "state_c")),
)
_add(
    "GRU",
    "Recurrent",
    "Gated Recurrent Unit: a lighter LSTM.",
    R.rnn("GRU"),
    *_rnn_params(gru=True),
    **_rnn_ports(("state",)),
)
for _rank in (1, 2):
    _add(
        f"ConvLSTM{_rank}D",
        "Recurrent",
        "An LSTM whose gates are convolutions: reads a sequence of "
        f"{'sequences' if _rank == 1 else 'images (e.g. video frames)'} and keeps their spatial layout.",
        R.conv_lstm(_rank),
        *_conv_params(_rank, "Number of filters (output channels) of each gate."),
        activation("tanh", "Function applied to the new state."),
        Param("recurrent_activation", CHOICE, "sigmoid", "Function used by the gates.", choices=ACTIVATIONS),
        use_bias(),
        initializer("kernel_initializer", "glorot_uniform"),
        initializer("recurrent_initializer", "orthogonal"),
        initializer("bias_initializer", "zeros"),
        Param("unit_forget_bias", BOOL, True, "Start the forget gate open (helps learning)."),
        Param("dropout", FLOAT, 0.0, "Fraction of inputs dropped while training.", min=0, max=1),
        Param("recurrent_dropout", FLOAT, 0.0, "Fraction of the state dropped while training.", min=0, max=1),
        Param("return_sequences", BOOL, False, "Output every step (for stacking), not just the last."),
        Param("go_backwards", BOOL, False, "Read the sequence backwards."),
    )
_add(
    "Bidirectional",
    "Recurrent",
    "Runs a recurrent layer (LSTM, GRU or SimpleRNN) forwards and backwards and joins the results.",
    R.bidirectional,
    Param(
        "layer",
        LAYER,
        {"type": "LSTM", "params": {"units": 32}},
        "The recurrent layer to run both ways.",
        choices=("SimpleRNN", "LSTM", "GRU"),
        required=True,
        positional=True,
    ),
    Param(
        "merge_mode",
        CHOICE,
        "concat",
        "How the two directions are joined.",
        choices=("concat", "sum", "mul", "ave"),
    ),
    # With the wrapped layer's return_state: the output, then the forward layer's final
    # states, then the backward layer's, in Keras's order (``out, fh, fc, bh, bc = bi(x)``).
    outputs=(
        MAIN_OUTPUT,
        *(
            OutPort(
                f"{way}_{state}",
                "layer.return_state",
                f"the {way} layer's final state (with the wrapped layer's return_state)",
                kinds,
            )
            for way in ("forward", "backward")
            for state, kinds in (
                ("h", ("LSTM",)),  # short names: five ports share one card's edge
                ("c", ("LSTM",)),
                ("state", ("GRU", "SimpleRNN")),
            )
        ),
    ),
)

# The layers TimeDistributed offers to wrap: per-step work on sequences of vectors or images.
TIME_DISTRIBUTED_CHOICES = (
    "Dense",
    "Conv1D",
    "Conv2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "GlobalAveragePooling2D",
    "Flatten",
    "Dropout",
)
_add(
    "TimeDistributed",
    "Recurrent",
    "Applies one layer to every time step of a sequence, with the same weights "
    "(e.g. Conv2D to each video frame).",
    R.time_distributed(lambda t: LAYERS[t].rule),
    Param(
        "layer",
        LAYER,
        {"type": "Dense", "params": {"units": 32}},
        "The layer applied to each step.",
        choices=TIME_DISTRIBUTED_CHOICES,
        required=True,
        positional=True,
    ),
)

# ------------------------------------------------------------ normalization

_add(
    "BatchNormalization",
    "Normalization",
    "Normalises each feature over the batch; speeds up and stabilises training.",
    R.batch_norm,
    axis(),
    Param("momentum", FLOAT, 0.99, "How slowly the running statistics change.", min=0, max=1),
    Param("epsilon", FLOAT, 0.001, "Small number that avoids division by zero.", min=0, min_exclusive=True),
    Param("center", BOOL, True, "Learn an offset (beta)."),
    Param("scale", BOOL, True, "Learn a scale (gamma)."),
    same_rank_when_shared=True,
)
_add(
    "LayerNormalization",
    "Normalization",
    "Normalises each sample over its features (common in transformers and RNNs).",
    R.layer_norm,
    axis(),
    Param("epsilon", FLOAT, 0.001, "Small number that avoids division by zero.", min=0, min_exclusive=True),
    Param("center", BOOL, True, "Learn an offset (beta)."),
    Param("scale", BOOL, True, "Learn a scale (gamma)."),
)
_add(
    "GroupNormalization",
    "Normalization",
    "Normalises groups of channels within each sample; works with small batches (between Batch and Layer).",
    R.group_norm,
    Param("groups", INT, 32, "Number of channel groups; the channels must divide evenly into them.", min=1),
    axis(help_="The channels axis (-1 is the last)."),
    Param("epsilon", FLOAT, 0.001, "Small number that avoids division by zero.", min=0, min_exclusive=True),
    Param("center", BOOL, True, "Learn an offset (beta)."),
    Param("scale", BOOL, True, "Learn a scale (gamma)."),
)
_add(
    "UnitNormalization",
    "Normalization",
    "Scales each sample to length 1 along an axis.",
    R.axis_in_range,
    axis(),
)

# ------------------------------------------------------------ regularization

_add(
    "SpatialDropout1D",
    "Regularization",
    "Drops whole channels of a sequence while training.",
    R.spatial_dropout(1),
    rate("Fraction of channels to drop (0 to 1)."),
    keeps_values=True,
)
_add(
    "SpatialDropout2D",
    "Regularization",
    "Drops whole feature maps of an image while training.",
    R.spatial_dropout(2),
    rate("Fraction of feature maps to drop (0 to 1)."),
    keeps_values=True,
)
# SpatialDropout3D's constructor takes no **kwargs, so no ``trainable`` (nor weights to freeze).
_add(
    "SpatialDropout3D",
    "Regularization",
    "Drops whole feature maps of a volume while training.",
    R.spatial_dropout(3),
    rate("Fraction of feature maps to drop (0 to 1)."),
    keeps_values=True,
)
_add(
    "GaussianNoise",
    "Regularization",
    "Adds random noise to inputs while training (data augmentation).",
    R.identity,
    Param(
        "stddev", FLOAT, 0.1, "Standard deviation of the noise.", min=0, max=1, required=True, positional=True
    ),
)
_add(
    "GaussianDropout",
    "Regularization",
    "Multiplies inputs by random noise centred on 1 while training.",
    R.identity,
    rate("Drop probability, as in Dropout."),
)
_add(
    "AlphaDropout",
    "Regularization",
    "Dropout that keeps the mean and variance, for SELU networks.",
    R.identity,
    rate("Fraction of inputs to drop (0 to 1)."),
)
_add(
    "ActivityRegularization",
    "Regularization",
    "Adds a penalty on the size of its input to the loss.",
    R.identity,
    Param("l1", FLOAT, 0.0, "L1 penalty factor.", min=0),
    Param("l2", FLOAT, 0.0, "L2 penalty factor.", min=0),
    keeps_values=True,
)

# ------------------------------------------------------------ activation layers

_add(
    "ReLU",
    "Activation",
    "Rectified linear unit: max(x, 0).",
    R.identity,
    Param("max_value", FLOAT, None, "Upper limit of the output (none by default).", min=0, nullable=True),
    Param("negative_slope", FLOAT, 0.0, "Slope for negative inputs.", min=0),
    Param("threshold", FLOAT, 0.0, "Inputs below this become zero (or sloped).", min=0),
)
_add(
    "LeakyReLU",
    "Activation",
    "Like ReLU but lets a little of negative inputs through.",
    R.identity,
    Param("negative_slope", FLOAT, 0.3, "Slope for negative inputs.", min=0),
)
_add(
    "PReLU",
    "Activation",
    "Leaky ReLU whose negative slope is learned per unit.",
    R.prelu,
    freezable=True,
    same_rank_when_shared=True,
)
_add(
    "ELU",
    "Activation",
    "Exponential linear unit: smooth for negative inputs.",
    R.identity,
    Param("alpha", FLOAT, 1.0, "Size of the negative saturation."),
)
_add(
    "Softmax",
    "Activation",
    "Turns scores into probabilities that sum to 1 along an axis.",
    R.axis_in_range,
    axis(),
)

# ------------------------------------------------------------ merging

_MERGE_HELP = {
    "Add": "Adds its inputs element by element (e.g. residual connections).",
    "Subtract": "Subtracts its second input from its first.",
    "Multiply": "Multiplies its inputs element by element.",
    "Average": "Averages its inputs element by element.",
    "Maximum": "Takes the element-wise maximum of its inputs.",
    "Minimum": "Takes the element-wise minimum of its inputs.",
}
for _name, _help in _MERGE_HELP.items():
    _add(
        _name,
        "Merging",
        _help,
        R.elementwise,
        min_inputs=2 if _name == "Subtract" else 1,
        max_inputs=2 if _name == "Subtract" else None,
    )
_add(
    "Concatenate",
    "Merging",
    "Joins its inputs along an axis (all other axes must match).",
    R.concatenate,
    axis(help_="Axis to join along (-1: the features)."),
    min_inputs=1,
    max_inputs=None,
    input_dtype=ANY,
    output_dtype=SAME,
)

_add(
    "Dot",
    "Merging",
    "Dot product of two inputs along the given axes (e.g. similarity of two vectors).",
    R.dot,
    Param(
        "axes",
        INTS,
        -1,
        "Axis summed over: one for both inputs, or [axis of input 0, axis of input 1].",
        length=2,
        required=True,
        positional=True,
    ),
    Param("normalize", BOOL, False, "Scale both inputs to length 1 first, giving the cosine similarity."),
    min_inputs=2,
    max_inputs=2,
)

# ------------------------------------------------------------ attention


def _causal_mask(help_: str) -> Param:
    return Param("use_causal_mask", BOOL, False, help_, extra={"call": True})


_ATTENTION_INPUTS = (
    " Inputs: 0 query (batch, Tq, features), 1 value (batch, Tv, features), 2 key (optional; default value)."
)
_add(
    "Attention",
    "Attention",
    "Dot-product (Luong-style) attention: each query step takes a weighted mix of the value steps."
    + _ATTENTION_INPUTS,
    R.attention(additive=False),
    Param("use_scale", BOOL, False, "Learn one factor that scales the scores."),
    Param(
        "score_mode",
        CHOICE,
        "dot",
        "How query and key are compared: 'dot' product, or 'concat' (tanh of their sum).",
        choices=("dot", "concat"),
    ),
    Param("dropout", FLOAT, 0.0, "Fraction of attention scores dropped while training.", min=0, max=1),
    _causal_mask("Let each query step attend only to value steps up to its own (a decoder)."),
    min_inputs=2,
    max_inputs=3,
    freezable=True,
)
_add(
    "AdditiveAttention",
    "Attention",
    "Additive (Bahdanau-style) attention: scores from tanh(query + key)." + _ATTENTION_INPUTS,
    R.attention(additive=True),
    Param("use_scale", BOOL, True, "Learn a factor per feature that scales the scores."),
    Param("dropout", FLOAT, 0.0, "Fraction of attention scores dropped while training.", min=0, max=1),
    _causal_mask("Let each query step attend only to value steps up to its own (a decoder)."),
    min_inputs=2,
    max_inputs=3,
    freezable=True,
)
_add(
    "MultiHeadAttention",
    "Attention",
    "Each query position looks at every value position and mixes what it finds (transformers); "
    "query = value is self-attention.",
    R.multi_head_attention,
    Param("num_heads", INT, 2, "Number of attention heads.", min=1, required=True, positional=True),
    Param("key_dim", INT, 16, "Size of each head's query and key.", min=1, required=True, positional=True),
    Param("value_dim", INT, None, "Size of each head's value (none: key_dim).", min=1, nullable=True),
    Param("dropout", FLOAT, 0.0, "Fraction of attention weights dropped while training.", min=0, max=1),
    use_bias(),
    Param(
        "output_shape", INT, None, "Size of the output features (none: the query's).", min=1, nullable=True
    ),
    initializer("kernel_initializer", "glorot_uniform"),
    initializer("bias_initializer", "zeros"),
    regularizer("kernel_regularizer"),
    Param(
        "return_attention_scores",
        BOOL,
        False,
        "Also output the attention weights (batch, heads, query steps, value steps).",
        extra={"call": True},
    ),
    _causal_mask("Let each position attend only to earlier ones (a decoder's self-attention)."),
    freezable=True,
    ports=(
        Port("query", help="the sequence that asks (batch, timesteps, features)", arg="query"),
        Port(
            "value",
            help="the sequence attended to; connect the query here too for self-attention",
            arg="value",
        ),
        Port("key", False, "compared with the query (none: the value)", arg="key"),
        Port(
            "attention_mask",
            False,
            "which value steps each query step may see: (batch, query steps, value steps), "
            "non-zero where allowed",
            arg="attention_mask",
        ),
    ),
    outputs=(
        MAIN_OUTPUT,
        OutPort("attention_scores", "return_attention_scores", "the attention weights"),
    ),
)

# ------------------------------------------------------------ preprocessing

_add(
    "Rescaling",
    "Preprocessing",
    "Multiplies inputs by 'scale' and adds 'offset' (e.g. 1/255 for pixels).",
    R.identity,
    Param("scale", FLOAT, 1 / 255, "Factor to multiply by.", required=True, positional=True),
    Param("offset", FLOAT, 0.0, "Value to add after scaling."),
)
_add(
    "Normalization",
    "Preprocessing",
    "Standardises features to mean 0 and variance 1 with statistics learned from the data (adapt).",
    R.normalization,
    axis(),
)

_add(
    "CategoryEncoding",
    "Preprocessing",
    "Turns integer category ids (0 to num_tokens - 1) into one-hot, multi-hot or count vectors.",
    R.category_encoding,
    Param(
        "num_tokens", INT, 10, "Number of categories: largest id + 1.", min=1, required=True, positional=True
    ),
    Param(
        "output_mode",
        CHOICE,
        "multi_hot",
        "'one_hot': a vector per id; 'multi_hot': one vector marking every id of a sample; "
        "'count': how often each id occurs.",
        choices=("one_hot", "multi_hot", "count"),
    ),
    input_dtype=IDS,
)
_add(
    "Hashing",
    "Preprocessing",
    "Maps values (ids, strings) to num_bins integer buckets by hashing, e.g. before Embedding.",
    R.identity,
    Param("num_bins", INT, 10, "Number of buckets.", min=1, required=True, positional=True),
    Param("salt", INT, None, "Changes the hash function (none: Keras's standard one).", min=0, nullable=True),
    input_dtype=ANY,
    output_dtype=INTS_DT,
)


_LOOKUP_MODES = (
    "'int': each value becomes its id; 'one_hot': a 0/1 vector per value; 'multi_hot' / 'count': "
    "one vector per sample marking (counting) its values."
)


def _no_unk(words: list) -> str:
    return "must not hold '[UNK]', Keras's own out-of-vocabulary word" if "[UNK]" in words else ""


def _not_negative(values: list) -> str:
    return "must hold whole numbers of 0 or more (-1 stands for out of vocabulary)" if min(values) < 0 else ""


def _lookup_params(item: str, default: list, example: str) -> tuple[Param, ...]:
    words = item == "str"
    return (
        Param(
            "vocabulary",
            VALUES,
            default,
            f"The known {'words' if words else 'values'}, e.g. {example}; others are out of vocabulary.",
            required=True,
            extra={"item": item, "validate": _no_unk if words else _not_negative},
        ),
        Param(
            "num_oov_indices",
            INT,
            1,
            "Ids kept for values outside the vocabulary (they come first, after the mask id); "
            "0: an unknown value is an error when the model runs.",
            min=0,
        ),
        Param(
            "mask_token",
            TEXT if words else INT,
            None,
            "A padding value that gets id 0 (none: no padding id).",
            nullable=True,
            **({"extra": {"allow_empty": True}} if words else {"min": 0}),
        ),
        Param(
            "output_mode",
            CHOICE,
            "int",
            _LOOKUP_MODES,
            choices=("int", "one_hot", "multi_hot", "count"),
        ),
    )


# A fixed vocabulary: Netwright does not run adapt(), which would learn one from the data.
_add(
    "StringLookup",
    "Preprocessing",
    "Maps words (an Input of dtype string) to integer ids with a fixed vocabulary, e.g. before Embedding.",
    R.lookup,
    *_lookup_params("str", ["red", "green", "blue"], "red, green, blue"),
    input_dtype=WORDS,
    output_dtype=IDS_OR_FLOATS,
)
_add(
    "IntegerLookup",
    "Preprocessing",
    "Maps arbitrary whole numbers (codes, years) to consecutive ids with a fixed vocabulary.",
    R.lookup,
    *_lookup_params("int", [12, 47, 1999], "12, 47, 1999"),
    input_dtype=IDS,
    output_dtype=IDS_OR_FLOATS,
)


def _ascending(values: tuple) -> str:
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        return "must be in increasing order, e.g. [0.0, 1.0, 2.5]"
    return ""


# Discretization without bin_boundaries learns them with adapt(), which Netwright does not run.
_add(
    "Discretization",
    "Preprocessing",
    "Puts numbers into bins between the given boundaries: each value becomes its bin's index.",
    R.discretization,
    Param(
        "bin_boundaries",
        FLOATS,
        [0.0, 1.0],
        "Boundaries between bins, increasing; n boundaries make n + 1 bins.",
        required=True,
        extra={"validate": _ascending},
    ),
    Param(
        "output_mode",
        CHOICE,
        "int",
        "'int': the bin index; 'one_hot': a vector marking the bin.",
        choices=("int", "one_hot"),
    ),
    output_dtype=IDS_OR_FLOATS,
)


def _hw(what: str) -> tuple[Param, Param]:
    return (
        Param("height", INT, 24, f"Height of the {what}, in pixels.", min=1, required=True, positional=True),
        Param("width", INT, 24, f"Width of the {what}, in pixels.", min=1, required=True, positional=True),
    )


_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area")
_add(
    "Resizing",
    "Preprocessing",
    "Resizes each image to height x width (e.g. to the size a pretrained model expects).",
    R.image_to_size,
    *_hw("output image"),
    Param("interpolation", CHOICE, "bilinear", "How new pixels are computed.", choices=_INTERPOLATIONS),
    Param("crop_to_aspect_ratio", BOOL, False, "Crop first so the image is not stretched."),
    Param("pad_to_aspect_ratio", BOOL, False, "Pad first so the image is not stretched."),
)
_add(
    "CenterCrop",
    "Preprocessing",
    "Cuts the central height x width area out of each image (resizing up if it is smaller).",
    R.image_to_size,
    *_hw("cropped area"),
)

# ------------------------------------------------------------ augmentation (active only while training)

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


_add(
    "RandomCrop",
    "Augmentation",
    "While training, cuts a random height x width area out of each image; otherwise crops the centre.",
    R.image_to_size,
    *_hw("cropped area"),
)
_add(
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
_add(
    "RandomRotation",
    "Augmentation",
    "While training, rotates images by a random angle.",
    R.image_same_size,
    _factor("factor", "Largest rotation, as a fraction of a full turn (0.1 is 36 degrees)."),
    *_fill(),
)
_add(
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
_add(
    "RandomTranslation",
    "Augmentation",
    "While training, shifts images up/down and left/right at random.",
    R.image_same_size,
    _factor("height_factor", "Largest vertical shift, as a fraction of the height."),
    _factor("width_factor", "Largest horizontal shift, as a fraction of the width."),
    *_fill(),
)
_add(
    "RandomContrast",
    "Augmentation",
    "While training, changes the contrast of each image by a random amount.",
    R.image_same_size,
    _factor("factor", "Largest change of contrast (0.2: between 80% and 120%)."),
)


# Each entry's constructor arguments in the Keras class's own order (its signature up to the
# keyword-only ones), so a script's positional arguments are read as Keras reads them.  It
# includes arguments the entry does not hold (data_format, groups, lora_rank, ...): a reader
# names them rightly and then decides what to do.  tests/engine/keras/test_script_styles.py checks
# every entry against inspect.signature of Keras 3.
_KERAS_ARGUMENT_ORDER = {
    "Input": "shape batch_size dtype sparse ragged batch_shape name tensor optional",
    "Dense": (
        "units activation use_bias kernel_initializer bias_initializer kernel_regularizer"
        " bias_regularizer activity_regularizer kernel_constraint bias_constraint lora_rank lora_alpha"
        " quantization_config"
    ),
    "Activation": "activation",
    "Dropout": "rate noise_shape seed",
    "Identity": "",
    "Masking": "mask_value",
    "Flatten": "data_format",
    "Reshape": "target_shape",
    "Permute": "dims",
    "RepeatVector": "n",
    "Embedding": (
        "input_dim output_dim embeddings_initializer embeddings_regularizer embeddings_constraint"
        " mask_zero weights lora_rank lora_alpha quantization_config"
    ),
    "EinsumDense": (
        "equation output_shape activation bias_axes kernel_initializer bias_initializer"
        " kernel_regularizer bias_regularizer kernel_constraint bias_constraint lora_rank lora_alpha"
        " gptq_unpacked_column_size quantization_config"
    ),
    "Conv1D": (
        "filters kernel_size strides padding data_format dilation_rate groups activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "Conv2D": (
        "filters kernel_size strides padding data_format dilation_rate groups activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "Conv3D": (
        "filters kernel_size strides padding data_format dilation_rate groups activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "Conv1DTranspose": (
        "filters kernel_size strides padding output_padding data_format dilation_rate activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "Conv2DTranspose": (
        "filters kernel_size strides padding output_padding data_format dilation_rate activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "Conv3DTranspose": (
        "filters kernel_size strides padding data_format output_padding dilation_rate activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "SeparableConv1D": (
        "filters kernel_size strides padding data_format dilation_rate depth_multiplier activation"
        " use_bias depthwise_initializer pointwise_initializer bias_initializer depthwise_regularizer"
        " pointwise_regularizer bias_regularizer activity_regularizer depthwise_constraint"
        " pointwise_constraint bias_constraint"
    ),
    "DepthwiseConv1D": (
        "kernel_size strides padding depth_multiplier data_format dilation_rate activation use_bias"
        " depthwise_initializer bias_initializer depthwise_regularizer bias_regularizer"
        " activity_regularizer depthwise_constraint bias_constraint"
    ),
    "SeparableConv2D": (
        "filters kernel_size strides padding data_format dilation_rate depth_multiplier activation"
        " use_bias depthwise_initializer pointwise_initializer bias_initializer depthwise_regularizer"
        " pointwise_regularizer bias_regularizer activity_regularizer depthwise_constraint"
        " pointwise_constraint bias_constraint"
    ),
    "DepthwiseConv2D": (
        "kernel_size strides padding depth_multiplier data_format dilation_rate activation use_bias"
        " depthwise_initializer bias_initializer depthwise_regularizer bias_regularizer"
        " activity_regularizer depthwise_constraint bias_constraint"
    ),
    "MaxPooling1D": "pool_size strides padding data_format name",
    "AveragePooling1D": "pool_size strides padding data_format name",
    "GlobalMaxPooling1D": "data_format keepdims",
    "GlobalAveragePooling1D": "data_format keepdims",
    "MaxPooling2D": "pool_size strides padding data_format name",
    "AveragePooling2D": "pool_size strides padding data_format name",
    "GlobalMaxPooling2D": "data_format keepdims",
    "GlobalAveragePooling2D": "data_format keepdims",
    "MaxPooling3D": "pool_size strides padding data_format name",
    "AveragePooling3D": "pool_size strides padding data_format name",
    "GlobalMaxPooling3D": "data_format keepdims",
    "GlobalAveragePooling3D": "data_format keepdims",
    "ZeroPadding1D": "padding data_format",
    "Cropping1D": "cropping",
    "UpSampling1D": "size",
    "ZeroPadding2D": "padding data_format",
    "Cropping2D": "cropping data_format",
    "UpSampling2D": "size data_format interpolation",
    "ZeroPadding3D": "padding data_format",
    "Cropping3D": "cropping data_format",
    "UpSampling3D": "size data_format",
    "SimpleRNN": (
        "units activation use_bias kernel_initializer recurrent_initializer bias_initializer"
        " kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer kernel_constraint"
        " recurrent_constraint bias_constraint dropout recurrent_dropout return_sequences return_state"
        " go_backwards stateful unroll seed"
    ),
    "LSTM": (
        "units activation recurrent_activation use_bias kernel_initializer recurrent_initializer"
        " bias_initializer unit_forget_bias kernel_regularizer recurrent_regularizer bias_regularizer"
        " activity_regularizer kernel_constraint recurrent_constraint bias_constraint dropout"
        " recurrent_dropout seed return_sequences return_state go_backwards stateful unroll use_cudnn"
    ),
    "GRU": (
        "units activation recurrent_activation use_bias kernel_initializer recurrent_initializer"
        " bias_initializer kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint recurrent_constraint bias_constraint dropout recurrent_dropout seed"
        " return_sequences return_state go_backwards stateful unroll reset_after use_cudnn"
    ),
    "ConvLSTM1D": (
        "filters kernel_size strides padding data_format dilation_rate activation recurrent_activation"
        " use_bias kernel_initializer recurrent_initializer bias_initializer unit_forget_bias"
        " kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer kernel_constraint"
        " recurrent_constraint bias_constraint dropout recurrent_dropout seed return_sequences"
        " return_state go_backwards stateful"
    ),
    "ConvLSTM2D": (
        "filters kernel_size strides padding data_format dilation_rate activation recurrent_activation"
        " use_bias kernel_initializer recurrent_initializer bias_initializer unit_forget_bias"
        " kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer kernel_constraint"
        " recurrent_constraint bias_constraint dropout recurrent_dropout seed return_sequences"
        " return_state go_backwards stateful"
    ),
    "Bidirectional": "layer merge_mode weights backward_layer",
    "TimeDistributed": "layer",
    "BatchNormalization": (
        "axis momentum epsilon center scale beta_initializer gamma_initializer moving_mean_initializer"
        " moving_variance_initializer beta_regularizer gamma_regularizer beta_constraint gamma_constraint"
        " renorm renorm_clipping renorm_momentum synchronized"
    ),
    "LayerNormalization": (
        "axis epsilon center scale beta_initializer gamma_initializer beta_regularizer gamma_regularizer"
        " beta_constraint gamma_constraint"
    ),
    "GroupNormalization": (
        "groups axis epsilon center scale beta_initializer gamma_initializer beta_regularizer"
        " gamma_regularizer beta_constraint gamma_constraint"
    ),
    "UnitNormalization": "axis",
    "SpatialDropout1D": "rate seed name dtype",
    "SpatialDropout2D": "rate data_format seed name dtype",
    "SpatialDropout3D": "rate data_format seed name dtype",
    "GaussianNoise": "stddev seed",
    "GaussianDropout": "rate seed",
    "AlphaDropout": "rate noise_shape seed",
    "ActivityRegularization": "l1 l2",
    "ReLU": "max_value negative_slope threshold",
    "LeakyReLU": "negative_slope",
    "PReLU": "alpha_initializer alpha_regularizer alpha_constraint shared_axes",
    "ELU": "alpha",
    "Softmax": "axis",
    "Add": "",
    "Subtract": "",
    "Multiply": "",
    "Average": "",
    "Maximum": "",
    "Minimum": "",
    "Concatenate": "axis",
    "Dot": "axes normalize",
    "Attention": "use_scale score_mode dropout seed",
    "AdditiveAttention": "use_scale dropout",
    "MultiHeadAttention": (
        "num_heads key_dim value_dim dropout use_bias output_shape attention_axes sliding_window"
        " flash_attention kernel_initializer bias_initializer kernel_regularizer bias_regularizer"
        " activity_regularizer kernel_constraint bias_constraint use_gate seed"
    ),
    "Rescaling": "scale offset",
    "Normalization": "axis mean variance invert",
    "CategoryEncoding": "num_tokens output_mode sparse",
    "Hashing": "num_bins mask_value salt output_mode sparse",
    "StringLookup": (
        "max_tokens num_oov_indices mask_token oov_token vocabulary idf_weights invert output_mode"
        " pad_to_max_tokens sparse encoding name salt"
    ),
    "IntegerLookup": (
        "max_tokens num_oov_indices mask_token oov_token vocabulary vocabulary_dtype idf_weights invert"
        " output_mode sparse pad_to_max_tokens oov_method salt name"
    ),
    "Discretization": "bin_boundaries num_bins epsilon output_mode sparse dtype name",
    "Resizing": (
        "height width interpolation crop_to_aspect_ratio pad_to_aspect_ratio fill_mode fill_value"
        " antialias data_format"
    ),
    "CenterCrop": "height width data_format",
    "RandomCrop": "height width seed data_format name",
    "RandomFlip": "mode seed data_format",
    "RandomRotation": "factor fill_mode interpolation seed fill_value data_format",
    "RandomZoom": "height_factor width_factor fill_mode interpolation seed fill_value data_format",
    "RandomTranslation": "height_factor width_factor fill_mode interpolation seed fill_value data_format",
    "RandomContrast": "factor value_range seed",
}
for _type, _names in _KERAS_ARGUMENT_ORDER.items():
    LAYERS[_type] = replace(LAYERS[_type], keras_args=tuple(_names.split()))
for _type, _rule in FLOPS.items():
    LAYERS[_type] = replace(LAYERS[_type], flops=_rule)


def layer_types_by_category() -> dict[str, list[str]]:
    """Catalog entries grouped for the palette, in catalog order."""
    groups: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    for spec in LAYERS.values():
        groups[spec.category].append(spec.type)
    return groups


def _aliases() -> dict[str, str]:
    """Keras's second spellings of catalog classes (MaxPool2D is MaxPooling2D, ...).

    Derived from the catalog by Keras's own naming patterns; a test checks that
    each alias names the very same Keras class as its target.
    """
    out: dict[str, str] = {}
    for name in LAYERS:
        if "Pooling" in name:
            out[name.replace("AveragePooling", "AvgPool").replace("MaxPooling", "MaxPool")] = name
        elif name.startswith(("Conv", "SeparableConv")) and not name.startswith("ConvLSTM"):
            out[name.replace("Conv", "Convolution", 1)] = name
    return out


# Alias -> catalog type, for reading scripts and saved models that use the other spelling.
ALIASES: dict[str, str] = _aliases()
