import pytest

from engine.design.graph import Design, Edge, GraphError, Node


def small():
    d = Design()
    for nid, t in (("x", "Input"), ("a", "Dense"), ("b", "Dense")):
        d.add_node(Node(nid, t, {"units": 2} if t == "Dense" else {"shape": [2]}))
    d.connect(Edge("x", "a"))
    d.connect(Edge("a", "b"))
    return d


def test_chain_detection():
    d = small()
    assert d.is_chain()
    d.add_node(Node("c", "Dense", {"units": 2}))
    d.connect(Edge("x", "c"))
    assert not d.is_chain()


def test_rename_keeps_edges_and_order():
    d = small()
    d.rename_node("a", "hidden")
    assert list(d.nodes) == ["x", "hidden", "b"]
    assert d.edges == [Edge("x", "hidden"), Edge("hidden", "b")]
    with pytest.raises(GraphError):
        d.rename_node("hidden", "b")


def test_remove_node_returns_its_edges():
    d = small()
    assert d.remove_node("a") == [Edge("x", "a"), Edge("a", "b")]
    assert d.edges == []


def test_would_create_cycle_and_unique_ids():
    d = small()
    assert d.would_create_cycle("b", "x")
    assert not d.would_create_cycle("x", "b")
    assert d.unique_id("Dense") == "dense"
    d.add_node(Node("dense", "Dense"))
    assert d.unique_id("Dense") == "dense_1"
    assert d.unique_id("3d") == "n_3d"


def test_outputs_are_nodes_without_outgoing_edges():
    assert small().output_ids() == ["b"]
