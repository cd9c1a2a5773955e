"""Engine scale: full validation and code generation of large designs.

Designs of 100, 800 and 3000 nodes, as a chain and as a branchy DAG (residual
blocks: two Dense branches joined by Add, with Concatenate fan-ins).  Prints
the median of several runs in milliseconds and the cost per node, so linear
growth shows as a flat per-node figure.

    .venv/bin/python benchmarks/engine_scale.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.design.graph import Design, Edge, Node  # noqa: E402
from engine.design.validation import validate  # noqa: E402
from engine.keras.codegen import generate  # noqa: E402

SIZES = (100, 800, 3000)


def chain(n: int) -> Design:
    d = Design(name=f"chain_{n}")
    d.add_node(Node("x", "Input", {"shape": [16]}))
    prev = "x"
    for i in range(n - 1):
        nid = f"d{i}"
        d.add_node(Node(nid, "Dense", {"units": 16, "activation": "relu"}, (0, 100 * i)))
        d.connect(Edge(prev, nid))
        prev = nid
    return d


def branchy(n: int) -> Design:
    """Residual blocks: prev -> a -> b; Add(prev, b); every 4th block also concatenates."""
    d = Design(name=f"dag_{n}")
    d.add_node(Node("x", "Input", {"shape": [16]}))
    prev, i = "x", 0
    while len(d.nodes) + 3 <= n:
        a, b, add = f"a{i}", f"b{i}", f"add{i}"
        d.add_node(Node(a, "Dense", {"units": 16, "activation": "relu"}))
        d.add_node(Node(b, "Dense", {"units": 16}))
        d.add_node(Node(add, "Add"))
        d.connect(Edge(prev, a))
        d.connect(Edge(a, b))
        d.connect(Edge(prev, add, 0))
        d.connect(Edge(b, add, 1))
        prev = add
        if i % 4 == 3 and len(d.nodes) + 2 <= n:
            cat, proj = f"cat{i}", f"proj{i}"
            d.add_node(Node(cat, "Concatenate"))
            d.add_node(Node(proj, "Dense", {"units": 16}))
            d.connect(Edge(prev, cat, 0))
            d.connect(Edge(a, cat, 1))
            d.connect(Edge(cat, proj))
            prev = proj
        i += 1
    while len(d.nodes) < n:
        nid = f"tail{len(d.nodes)}"
        d.add_node(Node(nid, "Dropout", {"rate": 0.1}))
        d.connect(Edge(prev, nid))
        prev = nid
    return d


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    print(f"{'design':<12}{'nodes':>7}{'validate ms':>13}{'us/node':>9}{'codegen ms':>12}{'+ruff ms':>10}")
    results = {}
    for make in (chain, branchy):
        for n in SIZES:
            d = make(n)
            assert len(d.nodes) == n and validate(d).valid, d.name
            v = median_ms(lambda d=d: validate(d), 15)
            g = median_ms(lambda d=d: generate(d, formatter=False), 5)
            f = median_ms(lambda d=d: generate(d), 3)
            results[(make.__name__, n)] = v
            print(f"{make.__name__:<12}{n:>7}{v:>13.2f}{1000 * v / n:>9.1f}{g:>12.1f}{f:>10.1f}")
    growth = max(results[(k, 3000)] / results[(k, 800)] for k in ("chain", "branchy")) / (3000 / 800)
    print(f"growth 800->3000 nodes relative to linear: {growth:.2f} (1.00 = linear)")
    worst = max(results[("chain", 800)], results[("branchy", 800)])
    print(f"800-node validation: {worst:.1f} ms (target < 30 ms)")


if __name__ == "__main__":
    main()
