"""MirroredStrategy on the CPU split into two logical devices: a short fit with 2 replicas."""

import numpy as np
import pytest

from engine.data import prepare as D
from engine.design.file_format import load
from engine.training.fit import CannotTrain, train
from tests.engine.training.two_cpus import ROOT, on_two_cpus

SCRIPT = r"""
from engine.data import prepare as D
from engine.design.file_format import load
from engine.training.fit import Listener, train
design = load(sys.argv[2])
prepared = D.prepare(design, D.load_builtin("iris"))
begun = []
result = train(design, prepared, epochs=2, batch_size=16, distribution="mirrored",
               listener=Listener(on_begin=begun.append))
print(json.dumps({"replicas": result.model.distribute_strategy.num_replicas_in_sync,
                  "reported": begun[0]["replicas"], "history": result.history}))
"""


def test_mirrored_strategy_trains_with_two_replicas_on_two_logical_cpus():
    out = on_two_cpus(SCRIPT, str(ROOT / "resources" / "designs" / "mlp_classifier.json"))
    assert out["replicas"] == out["reported"] == 2
    assert len(out["history"]["loss"]) == 2 and all(v == v for v in out["history"]["val_loss"])


def test_an_unknown_distribution_is_refused_with_the_choices():
    design = load(ROOT / "resources" / "designs" / "seed_example.json")
    design.training["distribution"] = "everywhere"
    x = np.zeros((4, 8), "float32")
    prepared = D.Prepared(x, x[:, :1], x[:0], x[:0, :1], 0.0)
    with pytest.raises(CannotTrain, match="must be one of none, mirrored"):
        train(design, prepared, epochs=1)
