"""The property editor's text form of vocabularies and equations."""

from engine.schema.catalog import LAYERS
from gui.param_fields import parse_text, to_text


def test_the_property_editor_reads_words_and_ids_as_lists_and_equations_as_text():
    words = LAYERS["StringLookup"].param("vocabulary")
    assert parse_text(words, " red, dark blue ") == ["red", "dark blue"]
    assert parse_text(words, to_text(["red", "blue"])) == ["red", "blue"]
    assert parse_text(LAYERS["IntegerLookup"].param("vocabulary"), "7") == [7]
    assert parse_text(LAYERS["IntegerLookup"].param("vocabulary"), "12, 47") == [12, 47]
    equation = LAYERS["EinsumDense"].param("equation")
    assert parse_text(equation, " ab,bc->ac ") == "ab,bc->ac"
