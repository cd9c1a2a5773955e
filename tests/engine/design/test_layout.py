from engine.design.file_format import load
from engine.design.layout import CARD_H, CARD_W, COLUMN, ROW, layered_layout, layered_positions
from tests.engine.keras.test_build_and_export import TEMPLATES


def test_layers_follow_data_flow_and_never_overlap():
    for path in TEMPLATES:
        design = load(path)
        pos = layered_positions(design)
        assert set(pos) == set(design.nodes)
        for e in design.edges:
            assert pos[e.dst][1] > pos[e.src][1]
        points = sorted(pos.values())
        assert len(set(points)) == len(points)


def test_branches_sit_side_by_side_and_skips_go_around():
    design = load(TEMPLATES[[p.stem for p in TEMPLATES].index("residual_block")])
    layout = layered_layout(design)
    pos = layout.positions
    assert pos["image"][1] == 0.0
    assert pos["skip_add"][1] == 4 * ROW  # after stem, conv_a, conv_b
    # The skip connection stem -> skip_add bends around the two convolutions it jumps over.
    route = layout.routes[("stem", "skip_add")]
    assert [y for _, y in route] == [pos["conv_a"][1] + CARD_H / 2, pos["conv_b"][1] + CARD_H / 2]
    for (x, _), card in zip(route, ("conv_a", "conv_b"), strict=True):
        assert not pos[card][0] <= x <= pos[card][0] + CARD_W


def test_parts_that_are_not_connected_sit_beside_each_other():
    design = load(TEMPLATES[[p.stem for p in TEMPLATES].index("seed_example")])
    other = load(TEMPLATES[[p.stem for p in TEMPLATES].index("mlp_classifier")])
    for nid, node in other.nodes.items():
        design.nodes["b_" + nid] = node
    pos = layered_positions(design)
    left = max(x for nid, (x, _) in pos.items() if not nid.startswith("b_"))
    right = min(x for nid, (x, _) in pos.items() if nid.startswith("b_"))
    assert right - left >= COLUMN
