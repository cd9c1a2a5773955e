from engine.design.file_format import load
from engine.design.layout import COLUMN, ROW, layered_positions
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


def test_branches_sit_side_by_side():
    design = load(TEMPLATES[[p.stem for p in TEMPLATES].index("residual_block")])
    pos = layered_positions(design)
    assert pos["image"] == (0.0, 0.0)
    assert pos["skip_add"][1] == 4 * ROW  # after stem, conv_a, conv_b
    assert abs(pos["conv_a"][0] - pos["stem"][0]) in (0.0, COLUMN / 2)
