"""Generic nodes: built-in Keras layers that the catalog does not describe.

An imported model may use a Keras layer Netwright has no catalog entry for
(``UnitNormalization``, ``RMSNormalization``, ``MelSpectrogram``...).  Such a
layer becomes a node of type :data:`GENERIC` whose parameters are the Keras
class name and its config, kept verbatim as plain JSON data.  The pure-Python
engine cannot infer what such a layer does to shapes, so Keras computes it
(:mod:`engine.keras.generic`): validation asks with a :class:`Request` and
reads the answer, a :class:`KerasShape`, from the design's ``keras_answers``, which the
caller fills -- the GUI from its training worker, the command line in-process.

Nothing here runs the config.  :func:`config_problems` refuses what Keras's own
deserialisation would resolve outside Keras's public API: a ``module`` that is
not one of Keras's, a registered (custom) name, a Lambda's code, a nested layer
that loads files or wraps foreign code, non-JSON values, and configs too deep
or too large to be a layer's settings.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from engine.schema.keras_config import short_repr
from engine.schema.layer_rules import Shape
from engine.schema.params import ParamProblem

GENERIC = "KerasLayer"
CUSTOM = "CustomLayer"  # a node holding the user's own code: see engine.schema.custom
PENDING_TEXT = "shape unknown (computed by Keras)"

# Every layer class ``keras.layers`` exports (Keras 3.15), aliases included;
# tests/engine/schema/test_generic.py checks this list against Keras itself.
_KERAS_LAYER_NAMES = """
    Activation ActivityRegularization AdaptiveAveragePooling1D AdaptiveAveragePooling2D
    AdaptiveAveragePooling3D AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D Add
    AdditiveAttention AlphaDropout Attention AugMix AutoContrast Average AveragePooling1D
    AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D BatchNormalization Bidirectional
    CategoryEncoding CenterCrop Concatenate ContrastLimitedAdaptiveHistogramEqualization Conv1D
    Conv1DTranspose Conv2D Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D
    Convolution1D Convolution1DTranspose Convolution2D Convolution2DTranspose Convolution3D
    Convolution3DTranspose Cropping1D Cropping2D Cropping3D CutMix Dense DepthwiseConv1D
    DepthwiseConv2D Discretization Dot Dropout ELU EinsumDense Embedding Equalization Flatten
    FlaxLayer GRU GRUCell GaussianDropout GaussianNoise GlobalAveragePooling1D GlobalAveragePooling2D
    GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D
    GlobalMaxPool2D GlobalMaxPool3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D
    GroupNormalization GroupQueryAttention HashedCrossing Hashing Identity InputLayer IntegerLookup
    JaxLayer LSTM LSTMCell Lambda Layer LayerNormalization LeakyReLU Masking MaxNumBoundingBoxes
    MaxPool1D MaxPool2D MaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D Maximum MelSpectrogram
    Minimum MixUp MultiHeadAttention Multiply Normalization PReLU Permute Pipeline RMSNormalization
    RNN RandAugment RandomBrightness RandomColorDegeneration RandomColorJitter RandomContrast
    RandomCrop RandomElasticTransform RandomErasing RandomFlip RandomGaussianBlur RandomGrayscale
    RandomHue RandomInvert RandomPerspective RandomPosterization RandomRotation RandomSaturation
    RandomSharpness RandomShear RandomTranslation RandomZoom ReLU RepeatVector Rescaling Reshape
    Resizing ReversibleEmbedding STFTSpectrogram SeparableConv1D SeparableConv2D
    SeparableConvolution1D SeparableConvolution2D SimpleRNN SimpleRNNCell Softmax Solarization
    SpatialDropout1D SpatialDropout2D SpatialDropout3D SpectralNormalization StackedRNNCells
    StringLookup Subtract TFSMLayer TextVectorization TimeDistributed TorchModuleWrapper
    UnitNormalization UpSampling1D UpSampling2D UpSampling3D Wrapper ZeroPadding1D ZeroPadding2D
    ZeroPadding3D
"""
KERAS_LAYER_CLASSES = frozenset(_KERAS_LAYER_NAMES.split())

# Keras layers that are never a generic node, with why (said to the user).
NOT_GENERIC = {
    "Lambda": "its Python code is not imported (nothing from a file is run)",
    "TFSMLayer": "it loads a TensorFlow SavedModel from a file",
    "TorchModuleWrapper": "it wraps PyTorch code",
    "JaxLayer": "it wraps JAX code",
    "FlaxLayer": "it wraps Flax code",
    "Layer": "it is the base class of layers, with no computation of its own",
    "Wrapper": "it is an abstract base class",
    "InputLayer": "it is where data enters (an Input node)",
}

# Keras's own layers that real models use but keras.layers does not export (ConvNeXt's LayerScale):
# Keras code, not the user's, so they are generic layers too, found in their module.
KERAS_PRIVATE_LAYERS = {"LayerScale": "keras.src.applications.convnext"}

GENERIC_CLASSES = (KERAS_LAYER_CLASSES - set(NOT_GENERIC)) | set(KERAS_PRIVATE_LAYERS)


def keras_path(class_name: str) -> str:
    """Where a generic layer's class lives: ``keras.layers.X``, or its Keras module for a private one."""
    return f"{KERAS_PRIVATE_LAYERS.get(class_name, 'keras.layers')}.{class_name}"


def private_layer(path: tuple[str, ...]) -> bool:
    """Whether ``keras.<path>`` names one of :data:`KERAS_PRIVATE_LAYERS` in its own module."""
    name = path[-1] if path else ""
    return name in KERAS_PRIVATE_LAYERS and ".".join(("keras", *path)) == keras_path(name)


# Where a nested Keras object in a config may come from: Keras's public API only.
KERAS_MODULES = frozenset(
    {
        "keras",
        "keras.layers",
        "keras.initializers",
        "keras.regularizers",
        "keras.constraints",
        "keras.activations",
        "keras.dtype_policies",
        "keras.quantizers",
    }
)
# Keras's serialised plain values; every other ``__name__`` (a lambda's bytecode,
# a type spec, a symbolic tensor) is refused.
DATA_CLASSES = frozenset({"__tuple__", "__numpy__", "__bytes__", "__ellipsis__", "__slice__", "__tensor__"})

MAX_DEPTH = 24
MAX_ITEMS = 20_000  # values in one config (TextVectorization vocabularies fit)
MAX_STRING = 100_000
MAX_CONFIG_CHARS = 2_000_000
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")


def is_generic(node_type: str) -> bool:
    return node_type == GENERIC


def class_of(params: dict[str, Any]) -> str:
    """The Keras class a generic node's parameters name ('?' when missing)."""
    name = params.get("class_name")
    return name if isinstance(name, str) and name else "?"


def shown_type(node_type: str, params: dict[str, Any]) -> str:
    """What a card or message calls a node: the Keras class of a generic node, the class that a
    custom node's code defines (or Lambda)."""
    return class_of(params) if is_generic(node_type) or node_type == CUSTOM else node_type


GENERIC_HELP = (
    "A built-in Keras layer that Netwright's catalog does not describe: its config is kept as "
    "JSON (edit it in the property editor) and Keras computes its output shape and weights."
)


def generic_summary(params: dict[str, Any]) -> str:
    """A card's one-line summary: 'Keras layer' and the first few settings that say something."""
    config = params.get("config") if isinstance(params.get("config"), dict) else {}
    parts = [
        f"{k} {_plain(v)}"
        for k, v in config.items()
        if k not in ("trainable", "dtype") and v is not None and not isinstance(v, dict)
    ]
    return " · ".join(["Keras layer", *parts[:2]])


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "x".join(str(v) for v in value)
    return str(value)


def generic_params(class_name: str, config: dict[str, Any]) -> dict[str, Any]:
    """A generic node's parameters: the config as saved, less the layer's name (the node's id)
    and the ``shared_object_id`` bookkeeping of one saving session."""
    return {
        "class_name": class_name,
        "config": _without_ids({k: v for k, v in config.items() if k != "name"}),
    }


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "shared_object_id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def class_problem(class_name: Any) -> str:
    """Why ``class_name`` cannot be a generic node, or ''."""
    if not isinstance(class_name, str) or not _NAME.match(class_name):
        return f"class_name must be the name of a Keras layer class, not {short_repr(class_name)}"
    if class_name in NOT_GENERIC:
        return f"keras.layers.{class_name} cannot be a generic layer: {NOT_GENERIC[class_name]}"
    if class_name not in KERAS_LAYER_CLASSES and class_name not in KERAS_PRIVATE_LAYERS:
        return f"'{class_name}' is not a layer class of keras.layers"
    return ""


def config_problems(config: Any, where: str = "config") -> list[str]:
    """What makes a layer config unsafe or unusable, each located (``config['cell']['module']``).

    A config is plain JSON data (objects with text keys, lists, text, finite
    numbers, true/false/null) within size limits; a nested object naming a
    class must resolve inside Keras's public API.
    """
    if not isinstance(config, dict):
        return [f"{where} must be a JSON object ({{...}}), not {_type(config)}"]
    problems: list[str] = []
    count = [0]

    def walk(value: Any, at: str, depth: int) -> None:
        if len(problems) >= 5:
            return
        count[0] += 1
        if count[0] > MAX_ITEMS:
            problems.append(f"{where} holds more than {MAX_ITEMS:,} values")
            return
        if depth > MAX_DEPTH:
            problems.append(f"{at} is nested more than {MAX_DEPTH} levels deep")
            return
        if isinstance(value, dict):
            bad_key = next((k for k in value if not isinstance(k, str) or k.startswith("__")), None)
            if bad_key is not None:
                key = short_repr(bad_key)
                problems.append(f"{at} has the key {key}: a layer setting is named by plain text")
                return
            for k, v in value.items():
                walk(v, f"{at}[{k!r}]", depth + 1)
            if "class_name" in value:
                problems.extend(_object_problems(value, at))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{at}[{i}]", depth + 1)
        else:
            problems.extend(_scalar_problems(value, at))

    walk(config, where, 0)
    return problems[:5]


def _scalar_problems(value: Any, at: str) -> list[str]:
    if isinstance(value, str) and len(value) > MAX_STRING:
        return [f"{at} is text of {len(value):,} characters (at most {MAX_STRING:,})"]
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{at} is {value}; a config holds finite numbers only"]
    if not (value is None or isinstance(value, (bool, int, float, str))):
        return [f"{at} is {_type(value)}, not JSON data"]
    return []


def _object_problems(obj: dict[str, Any], at: str) -> list[str]:
    """A nested ``{"class_name": ..., "module": ...}`` must be one of Keras's own objects."""
    cls = obj.get("class_name")
    module = obj.get("module")
    registered = obj.get("registered_name")
    if not isinstance(cls, str) or not (_NAME.match(cls) or cls in DATA_CLASSES):
        return [f"{at}['class_name'] {short_repr(cls)} is not a Keras class name"]
    if cls.startswith("__") and cls not in DATA_CLASSES:
        return [f"{at} is a serialised {cls}, which is refused (it could run code)"]
    if cls in NOT_GENERIC and cls not in ("Layer", "Wrapper"):
        return [f"{at} is a {cls}, which is refused: {NOT_GENERIC[cls]}"]
    if module is not None and module not in KERAS_MODULES:
        return [f"{at}['module'] {short_repr(module)} is not one of Keras's modules; nothing else is loaded"]
    if registered is not None and registered not in (cls, obj.get("config")):
        name = short_repr(registered)
        return [f"{at}['registered_name'] {name} names a custom object; only Keras's own load"]
    return []


def check_generic(params: dict[str, Any]) -> list[ParamProblem]:
    """Every problem with a generic node's parameters, each naming the parameter."""
    unknown = sorted(set(params) - {"class_name", "config"})
    problems = [
        ParamProblem(k, f"unknown parameter '{k}' (a generic layer has 'class_name' and 'config')")
        for k in unknown
    ]
    why = class_problem(params.get("class_name"))
    if why:
        problems.append(ParamProblem("class_name", f"'class_name': {why}"))
    problems += [ParamProblem("config", f"'config': {p}") for p in config_problems(params.get("config", {}))]
    return problems


def parse_config_text(text: str) -> tuple[dict[str, Any] | None, str]:
    """A config typed as JSON -> (config, '') or (None, what is wrong and where)."""
    if len(text) > MAX_CONFIG_CHARS:
        return None, f"the config is {len(text):,} characters; at most {MAX_CONFIG_CHARS:,}"
    try:
        value = json.loads(text or "{}", parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return None, f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except ValueError as exc:
        return None, str(exc)
    except RecursionError:
        return None, "the config is nested too deeply"
    problems = config_problems(value)
    if problems:
        return None, "; ".join(problems)
    if "name" in value:
        return None, "config['name']: the layer's name is the node's name; rename the node instead"
    return value, ""


def config_text(config: dict[str, Any]) -> str:
    """A config as the editor shows it: JSON with one setting a line, in the config's order."""
    if not config:
        return "{}"
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in config.items()]
    return "{\n" + ",\n".join(lines) + "\n}"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a config may hold")


def _type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text"}.get(type(value), type(value).__name__)




# ---------------------------------------------------------------- what Keras computed


@dataclass(frozen=True)
class Request:
    """Build ``class_name`` from ``config`` (canonical JSON) and call it on tensors of these
    shapes (batch axis included): what comes out?  Plain data, so it crosses threads."""

    class_name: str
    config: str
    inputs: tuple[Shape, ...]

    @staticmethod
    def of(class_name: str, config: dict[str, Any], inputs: list[Shape]) -> Request:
        return Request(class_name, json.dumps(config, sort_keys=True), tuple(tuple(s) for s in inputs))


@dataclass(frozen=True)
class KerasShape:
    """Keras's answer: the output shape and weight counts, or why Keras refused."""

    shape: Shape | None = None
    params: int = 0
    trainable: int = 0
    error: str = ""

