"""SLURM and Kubernetes job files for an exported script: well formed, and the variables they set
reach the script (the SLURM file run under a fake SLURM on this machine)."""

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cli.commands import run
from engine.keras.job_files import JobFileError, JobResources, job_file
from tests.engine.keras.test_distributed_script import free_port, losses, script_env

ROOT = Path(__file__).resolve().parents[3]

# A stand-in for the exported script: it writes what it was given, keyed by its process number.
STAND_IN = """import json, os, sys
keys = [k for k in os.environ if k.startswith("KERAS_")]
out = {"argv": sys.argv[1:], "env": {k: os.environ[k] for k in keys}}
with open(f"got-{os.environ['KERAS_DISTRIBUTION_PROCESS_ID']}.json", "w") as f:
    json.dump(out, f)
"""
# srun as SLURM runs a one-task-per-node step: SLURM_NTASKS copies, each with its SLURM_PROCID.
FAKE_SRUN = """#!/bin/bash
pids=()
for ((i = 0; i < SLURM_NTASKS; i++)); do
    SLURM_PROCID=$i "$@" > "task-$i.out" 2>&1 &
    pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
"""
FAKE_SCONTROL = """#!/bin/bash
[ "$1 $2" = "show hostnames" ] && [ "$3" = "$SLURM_JOB_NODELIST" ] && printf '127.0.0.1\\nnode2\\n'
"""


def fake_slurm(folder: Path) -> dict[str, str]:
    """An environment as sbatch gives its batch script on a 2-node allocation, srun and scontrol faked."""
    bin_dir = folder / "fake-bin"
    bin_dir.mkdir()
    for name, text in (("srun", FAKE_SRUN), ("scontrol", FAKE_SCONTROL)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(stat.S_IRWXU)
    env = script_env(SLURM_NTASKS="2", SLURM_JOB_NODELIST="127.0.0.1,node2", PYTHON=sys.executable)
    env.pop("KERAS_BACKEND")  # the job file sets it
    return {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"}


def test_the_slurm_file_gives_each_task_the_three_variables(tmp_path):
    where, text = job_file("slurm", tmp_path / "model.py", JobResources(nodes=2, gpus_per_node=4, port=23456))
    assert where == tmp_path / "model.sbatch"
    assert "#SBATCH --nodes=2" in text and "#SBATCH --gpus-per-node=4" in text
    where.write_text(text)
    (tmp_path / "model.py").write_text(STAND_IN)
    done = subprocess.run(
        ["bash", str(where), "--epochs", "3"],
        cwd=tmp_path,
        env=fake_slurm(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for i in range(2):
        got = json.loads((tmp_path / f"got-{i}.json").read_text())
        assert got["env"] == {
            "KERAS_BACKEND": "jax",
            "KERAS_DISTRIBUTION_JOB_ADDRESSES": "127.0.0.1:23456",
            "KERAS_DISTRIBUTION_NUM_PROCESSES": "2",
            "KERAS_DISTRIBUTION_PROCESS_ID": str(i),
        }
        assert got["argv"] == ["--distribute", "data-parallel", "--epochs", "3"]


@pytest.mark.skipif(
    not os.environ.get("NETWRIGHT_LONG_TESTS"), reason="NETWRIGHT_LONG_TESTS=1 runs it (~40 s)"
)
def test_the_slurm_file_trains_the_exported_script_on_two_tasks(tmp_path):
    """The whole way: export with --job slurm, run the batch file under the fake SLURM; both tasks
    train together and print the same losses."""
    script = tmp_path / "model.py"
    argv = [
        "export",
        str(ROOT / "resources/designs/mlp_classifier.json"),
        "-o",
        str(script),
        "--job",
        "slurm",
    ]
    assert run([*argv, "--port", str(free_port())], io.StringIO(), io.StringIO()) == 0
    done = subprocess.run(
        ["bash", str(tmp_path / "model.sbatch"), "--epochs", "2", "--no-shuffle"],
        cwd=tmp_path,
        env=fake_slurm(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    outs = [(tmp_path / f"task-{i}.out").read_text() for i in range(2)]
    assert done.returncode == 0, outs
    assert len(losses(outs[0])) == 2 and losses(outs[0]) == losses(outs[1])


def test_the_kubernetes_file_is_a_headless_service_and_an_indexed_job(tmp_path):
    res = JobResources(nodes=3, gpus_per_node=2, port=23456, image="registry.example/iris:1")
    where, text = job_file("kubernetes", tmp_path / "My Model.py", res)
    assert where == tmp_path / "My Model.k8s.yaml"
    service, job = yaml.safe_load_all(text)
    name = service["metadata"]["name"]
    assert name == "my-model" and service["kind"] == "Service" and service["spec"]["clusterIP"] == "None"
    assert service["spec"]["selector"] == {"job-name": name}  # the label the Job controller gives its pods
    spec = job["spec"]
    assert (job["kind"], spec["completionMode"], spec["completions"], spec["parallelism"]) == (
        "Job",
        "Indexed",
        3,
        3,
    )
    pod = spec["template"]["spec"]
    assert pod["subdomain"] == name  # pod 0 is my-model-0.my-model
    (container,) = pod["containers"]
    assert container["image"] == "registry.example/iris:1"
    assert container["command"] == ["python", "My Model.py", "--distribute", "data-parallel"]
    assert container["args"] == []  # the script's own options go here
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    assert env == {
        "KERAS_BACKEND": "jax",
        "KERAS_DISTRIBUTION_JOB_ADDRESSES": "my-model-0.my-model:23456",
        "KERAS_DISTRIBUTION_NUM_PROCESSES": "3",
        "KERAS_DISTRIBUTION_PROCESS_ID": {
            "fieldRef": {"fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}
        },
    }
    assert container["resources"]["limits"] == {"nvidia.com/gpu": 2}
    _, plain = yaml.safe_load_all(job_file("kubernetes", "m.py", JobResources())[1])
    (container,) = plain["spec"]["template"]["spec"]["containers"]
    assert "limits" not in container["resources"] and container["image"] == "m:latest"


def test_resources_that_cannot_be_asked_for_are_refused():
    with pytest.raises(JobFileError, match="nodes must be a whole number of at least 1"):
        job_file("slurm", "m.py", JobResources(nodes=0))
    with pytest.raises(JobFileError, match="the port must be from 1024 to 65535"):
        job_file("kubernetes", "m.py", JobResources(port=80))
    with pytest.raises(JobFileError, match="is not an image name"):
        job_file("kubernetes", "m.py", JobResources(image="x; rm -rf /"))
    assert job_file("none", "m.py", JobResources()) is None


def test_export_writes_the_job_file_beside_the_script(tmp_path):
    design = str(ROOT / "resources/designs/mlp_classifier.json")
    out, err = io.StringIO(), io.StringIO()
    argv = ["export", design, "-o", str(tmp_path / "iris.py"), "--job", "kubernetes", "--nodes", "4"]
    assert run([*argv, "--gpus-per-node", "1"], out, err) == 0, err.getvalue()
    assert (tmp_path / "iris.py").is_file()
    _, job = yaml.safe_load_all((tmp_path / "iris.k8s.yaml").read_text())
    assert job["spec"]["completions"] == 4
    assert f"wrote {tmp_path / 'iris.k8s.yaml'}" in err.getvalue()
    err = io.StringIO()
    assert run(["export", design, "--job", "slurm"], io.StringIO(), err) == 1  # no -o: no place for it
    assert "--job needs -o" in err.getvalue()
    err = io.StringIO()
    assert (
        run(["export", design, "-o", str(tmp_path / "x.py"), "--job", "slurm", "--nodes", "0"], out, err) == 1
    )
    assert "nodes must be a whole number of at least 1" in err.getvalue() and not (tmp_path / "x.py").exists()
