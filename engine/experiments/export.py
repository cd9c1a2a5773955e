"""A sweep as standalone scripts: one exported script per trial and a loop that trains them.

``trial_01.py``, ``trial_02.py``, … are each trial's design as :func:`engine.keras.codegen.generate`
writes any design (its ``build_model()``, ``load_data()`` and the app's ``fit``), so nothing of a
model is written twice; ``sweep.py`` imports them in turn, trains each with its own ``fit`` and
settings, and writes ``sweep.json`` in the command line's format, the front and the best found by
the engine's own functions (copied with ``inspect.getsource`` from :mod:`engine.experiments.pareto`).
Nothing but literals from the design reaches the loop: settings, costs and module names.
"""

from __future__ import annotations

import inspect
import pprint
from collections.abc import Sequence
from pathlib import Path

from engine.atomic import write_text_atomic
from engine.experiments import pareto
from engine.experiments.plan import PlannedTrial
from engine.keras.codegen import generate

LOOP = """

def main():
    trials = []
    for trial in TRIALS:
        module = importlib.import_module(trial["module"])  # the trial's exported script
        start = time.perf_counter()
        module.keras.utils.set_random_seed(0)
        model = module.build_model()
        (x, y), _test = module.load_data()
        settings = module.TRAINING
        history = module.fit(
            model, x, y, settings["epochs"], settings["batch_size"],
            validation_split=settings["validation_split"], flops_per_sample=trial["flops"],
            class_weight=settings.get("class_weight"), verbose=0,
        ).history
        metrics = {key: float(values[-1]) for key, values in history.items() if values}
        done = all(math.isfinite(v) for v in metrics.values())
        trials.append({
            "settings": trial["settings"], "status": "done" if done else "failed",
            "metrics": metrics if done else None, "seconds": time.perf_counter() - start,
            "params": trial["params"], "flops": trial["flops"], "pareto": False,
        })
        print(trial["module"], trial["settings"], metrics)
    scores = [SIGN * t["metrics"][OBJECTIVE] if t["metrics"] else None for t in trials]
    points = [(s, float(t["flops"])) if s is not None else None for s, t in zip(scores, trials)]
    for trial, flag in zip(trials, pareto_flags(points)):
        trial["pareto"] = flag
    result = {"trials": trials, "best": best_index(scores), "objective": OBJECTIVE}
    Path(__file__).with_name("sweep.json").write_text(json.dumps(result, indent=1))
    print("best:", result["best"], "wrote", Path(__file__).with_name("sweep.json"))


if __name__ == "__main__":
    main()
"""


def sweep_script(planned: Sequence[PlannedTrial], objective: str) -> str:
    """The loop: the trials as a literal list, the engine's front and best, ``main()``."""
    sign = 1 if pareto.lower_is_better(objective) else -1
    trials = [
        {"module": _module(t.index), "settings": t.settings, "params": t.params, "flops": t.flops}
        for t in planned
    ]
    helpers = "\n\n\n".join(
        inspect.getsource(f).rstrip()
        for f in (pareto._usable, pareto.dominates, pareto.pareto_flags, pareto.best_index)
    )
    # The trials' values are plain literals (numbers, strings, lists, None), written with repr.
    return (
        '"""A Netwright sweep: trains each trial_NN.py in turn and writes sweep.json."""\n\n'
        "from __future__ import annotations\n\nimport importlib\nimport json\nimport math\nimport sys\n"
        "import time\nfrom pathlib import Path\n\n"
        "sys.path.insert(0, str(Path(__file__).parent))  # the trials' scripts beside this one\n\n"
        f"OBJECTIVE = {objective!r}\nSIGN = {sign}  # -1: a score to raise (accuracy) counts negated\n"
        f"TRIALS = {pprint.pformat(trials, sort_dicts=False)}\n\n\n"
        f"{helpers}\n{LOOP}"
    )


def _module(index: int) -> str:
    return f"trial_{index + 1:02d}"


def export_sweep(planned: Sequence[PlannedTrial], objective: str, folder: str | Path) -> list[Path]:
    """Write the trials' scripts and the loop into ``folder`` (made if missing); the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for trial in planned:
        path = folder / f"{_module(trial.index)}.py"
        write_text_atomic(path, generate(trial.design))
        written.append(path)
    loop = folder / "sweep.py"
    write_text_atomic(loop, sweep_script(planned, objective))
    return [*written, loop]
