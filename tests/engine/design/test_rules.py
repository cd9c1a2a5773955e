"""Editing rules asked by the window: connections, names, insertion and free placement."""

from pathlib import Path

from engine.design import file_format, rules
from engine.design.graph import Design, Edge, Node
from engine.schema.custom import CUSTOM, starter

TEMPLATE = Path(__file__).resolve().parents[3] / "resources" / "designs" / "seed_example.json"


def seed() -> Design:
    return file_format.load(TEMPLATE)


def test_connection_refusals_say_why():
    d = seed()
    assert rules.connect_refusal(d, "x", "x") == "A layer cannot feed itself."
    assert "where data enters" in rules.connect_refusal(d, "h", "x")
    assert "already feeds" in rules.connect_refusal(d, "x", "h")
    assert "would make a cycle" in rules.connect_refusal(d, "y", "h") or "already receives" in (
        rules.connect_refusal(d, "y", "h")
    )
    assert "no layer named 'ghost'" in rules.connect_refusal(d, "ghost", "h")
    d.add_node(Node("sum", "Add"))
    assert rules.connect_refusal(d, "h", "sum") == ""
    d.connect(rules.new_edge(d, "h", "sum"))
    assert rules.new_edge(d, "x", "sum") == Edge("x", "sum", 1)


def test_rename_rules():
    d = seed()
    assert rules.rename_refusal(d, "h", "h") == ""
    assert rules.rename_refusal(d, "h", "hidden") == ""
    assert "already a layer named 'y'" in rules.rename_refusal(d, "h", "y")
    assert rules.rename_refusal(d, "h", "9lives").startswith("A name must start with a letter")


def _overlap(d: Design) -> bool:
    pos = [n.pos for n in d.nodes.values()]
    return any(
        abs(a[0] - b[0]) < rules.CARD_WIDTH and abs(a[1] - b[1]) < rules.CARD_HEIGHT
        for i, a in enumerate(pos)
        for b in pos[i + 1 :]
    )


def apply(d: Design, plan: rules.Insertion) -> None:
    for e in plan.remove:
        d.disconnect(e)
    d.add_node(plan.node)
    for e in plan.add:
        d.connect(e)
    for nid, pos in plan.moves.items():
        d.nodes[nid].pos = pos


def test_insert_after_goes_between_the_layer_and_its_child_on_a_free_spot():
    d = seed()
    plan = rules.plan_insert(d, "Dropout", after="h")
    apply(d, plan)
    new = plan.node.id
    assert sorted((e.src, e.dst) for e in d.edges) == sorted([("x", "h"), ("h", new), (new, "y")])
    assert not _overlap(d)


def test_a_node_made_elsewhere_is_inserted_as_a_catalog_layer_is():
    """A custom layer (its code in its params) goes into the chain the same way, unchanged."""
    d = seed()
    mine = Node("mylayer", CUSTOM, starter("class"))
    plan = rules.plan_insert(d, mine, after="h")
    apply(d, plan)
    assert sorted((e.src, e.dst) for e in d.edges) == sorted([("x", "h"), ("h", "mylayer"), ("mylayer", "y")])
    assert d.nodes["mylayer"].params == mine.params and mine.pos == (0.0, 0.0) and not _overlap(d)


def test_insert_before_takes_over_the_inputs():
    d = seed()
    plan = rules.plan_insert(d, "Flatten", before="y")
    apply(d, plan)
    assert sorted((e.src, e.dst) for e in d.edges) == sorted([("x", "h"), ("h", "flatten"), ("flatten", "y")])
    assert not _overlap(d)


def test_free_position_avoids_cards():
    d = seed()
    spot = rules.free_position(d, d.nodes["h"].pos)
    assert spot != d.nodes["h"].pos
    assert all(
        abs(spot[0] - n.pos[0]) >= rules.CARD_WIDTH or abs(spot[1] - n.pos[1]) >= rules.CARD_HEIGHT
        for n in d.nodes.values()
    )


def test_an_input_added_after_a_layer_is_not_wired_but_placed_near_it():
    d = file_format.load(TEMPLATE)
    plan = rules.plan_insert(d, "Input", after="y")
    assert plan.add == [] and plan.remove == []
    assert abs(plan.node.pos[1] - d.nodes["y"].pos[1]) <= 2 * (rules.CARD_HEIGHT + rules.GAP_Y)
