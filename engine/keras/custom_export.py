"""The exported script's custom layers: each class's source as written, and the calls that make them.

Exporting never runs a design's code: the source is text, written above
``build_model()`` after ``from keras import layers, ops`` (the names a Keras
script's layer class uses, and what the custom layers' namespace offers when
Netwright runs them, see :mod:`engine.keras.custom_layers`).  A Lambda's
expression is written in its ``keras.layers.Lambda(...)`` call.  The script
reader (:mod:`engine.keras.script_parser`) reads both back as the same nodes.
"""

from __future__ import annotations

import textwrap

from engine.design.graph import Design
from engine.keras.lower import LayerObject
from engine.schema.custom import LAMBDA, class_of, code_nodes, init_parameters, source_of

IMPORT_LINE = "from keras import layers, ops"


class CustomExportError(ValueError):
    """Two custom layers share a class name with different code, or a name the script uses."""


def custom_part(design: Design, reserved: set[str]) -> list[str]:
    """The import and each class's source once, in the order the design first uses them."""
    sources: dict[str, str] = {}
    for nid in code_nodes(design.nodes):
        params = design.nodes[nid].params
        name, source = class_of(params), source_of(params)
        if name == LAMBDA:
            continue
        if name in reserved or name in ("layers", "ops"):
            raise CustomExportError(f"the custom layer class {name} has a name the exported script uses")
        if name in sources and sources[name] != source:
            raise CustomExportError(f"two custom layers are called {name} but hold different code")
        sources[name] = source
    if not code_nodes(design.nodes):
        return []
    return [IMPORT_LINE, *(textwrap.dedent(s).strip() for s in sources.values())]


def custom_call(obj: LayerObject, lit: object) -> tuple[str, list[str]]:
    """The callable and arguments that make a custom layer: ``Patches(patch_size=6)``, or
    ``keras.layers.Lambda(lambda x: ..., name=...)``.  ``lit`` writes a literal (codegen's)."""
    assert obj.source is not None and callable(lit)
    keywords = [f"{k}={lit(v)}" for k, v in obj.kwargs.items()]
    if obj.class_name == LAMBDA:
        return "keras.layers.Lambda", [obj.source.strip(), *keywords, f"name={lit(obj.name)}"]
    _, takes_kwargs = init_parameters(obj.source, obj.class_name)
    named = [f"name={lit(obj.name)}"] if takes_kwargs and "name" not in obj.kwargs else []
    return obj.class_name, [*keywords, *named]
