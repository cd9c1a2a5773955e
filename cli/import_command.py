"""``python main.py import MODEL -o DESIGN.json``: a Keras model or model script as a design.

Exit codes: 0 the whole model was understood and written; 1 it was written
but parts could not be carried over (each is listed); 2 the file cannot be
read as a model.
"""

from __future__ import annotations

from typing import TextIO

from engine.atomic import write_text_atomic
from engine.design.file_format import dumps
from engine.keras.importer import ModelImportError, import_file

OK, PARTIAL, UNREADABLE = 0, 1, 2


def cmd_import(
    path: str, output: str | None, verbose: bool, out: TextIO, err: TextIO, keep_weights: bool = True
) -> int:
    try:
        result = import_file(path)
    except ModelImportError as exc:
        err.write(f"{exc}\n")
        return UNREADABLE
    if not keep_weights:
        result.design.weights = None
    elif result.design.weights:
        layers = len(result.design.weights["layers"])
        err.write(
            f"  training starts from the pretrained weights of {layers} layer(s) (--no-weights: fresh)\n"
        )
    text = dumps(result.design)
    if output is None:
        out.write(text)
    else:
        try:
            write_text_atomic(output, text)
        except OSError as exc:
            err.write(f"{output}: cannot write the design: {exc.strerror or exc}\n")
            return UNREADABLE
    nodes = len(result.design.nodes)
    where = f" into {output}" if output else ""
    err.write(f"{path}: {nodes} node{'s' if nodes != 1 else ''} imported{where}\n")
    for problem in result.problems:
        err.write(f"  problem: {problem}\n")
    if verbose:
        for note in result.notes:
            err.write(f"  simplified: {note}\n")
    elif result.notes:
        err.write(f"  {len(result.notes)} kind(s) of detail simplified (--verbose lists them)\n")
    return OK if result.complete else PARTIAL
