"""The figures a run will log, named before it trains: what a search's objective may name.

Keras names each epoch's figures from the compile call: ``loss``, each metric by the name it
was given (a metric written as a word keeps that word, ``"acc"`` logs ``acc``; one with
arguments is named in :func:`engine.keras.lower_compile.lower_compile`), and the ``val_``
version of each when the run keeps a validation split.  The compile call is the one the run
makes (:func:`~engine.keras.lower_compile.lower_compile`), so the names cannot drift from it.
"""

from __future__ import annotations

from engine.design.graph import Design
from engine.keras.lower_compile import KerasObject, lower_compile


def logged_names(design: Design) -> list[str] | None:
    """The history keys of ``design``'s run, in the order Keras logs them; None where they
    cannot be told before training (several outputs, whose keys Keras prefixes by output)."""
    if len(design.model_outputs()) != 1:
        return None
    metrics = lower_compile(design).kwargs.get("metrics") or []
    names = ["loss", *(m.kwargs.get("name", m.class_name) if isinstance(m, KerasObject) else str(m)
                       for m in metrics)]  # fmt: skip
    if float(design.training_settings.validation_split) > 0:
        names += [f"val_{n}" for n in names]
    return list(dict.fromkeys(names))
