"""Which layers fold into one card, and what the card says (a view; the design stays flat)."""

from pathlib import Path

from engine.design import file_format
from engine.design.groups import group_card, group_problem, visible_edges
from engine.design.validation import validate

RESIDUAL = Path(__file__).parents[3] / "resources" / "designs" / "residual_block.json"
BLOCK = frozenset({"conv_a", "conv_b", "skip_add", "relu"})


def test_a_block_folds_and_its_card_sums_its_layers():
    design = file_format.load(RESIDUAL)
    assert group_problem(design, BLOCK) == ""
    report = validate(design)
    card = group_card(design, report, BLOCK)
    assert card.title == "Block · 4 layers"
    assert card.summary == "Conv2D ×2 · Add · ReLU"
    assert card.params == sum(report.nodes[n].params for n in BLOCK) > 0
    assert card.shape == report.nodes["relu"].output_shape and card.exits == 1
    assert card.entry == "conv_a" and not card.errors


def test_edges_inside_a_group_are_not_drawn_and_parallel_ones_once():
    design = file_format.load(RESIDUAL)
    shown_as = {n: "group:1" for n in BLOCK}
    drawn = [(src, dst) for _, src, dst in visible_edges(design, shown_as)]
    # stem feeds conv_a and skip_add: one line into the card
    assert drawn == [("image", "stem"), ("stem", "group:1"), ("group:1", "flatten"), ("flatten", "digit")]


def test_a_selection_that_would_feed_itself_through_the_outside_is_refused():
    design = file_format.load(RESIDUAL)
    # conv_a -> conv_b (outside) -> skip_add: folding conv_a with skip_add would loop through conv_b
    assert "'skip_add' is reached again from outside" in group_problem(
        design, frozenset({"conv_a", "skip_add"})
    )
    assert group_problem(design, frozenset({"stem"})).startswith("Select two or more")
    assert group_problem(design, frozenset({"stem", "ghost"})) == "There is no layer 'ghost'"
