"""Job files that start an exported script on several machines: SLURM and Kubernetes.

The script's ``--distribute data-parallel`` joins its processes through JAX's own runtime,
configured by three variables (engine/keras/data_parallel.py): the first process's address,
the number of processes and this process's number.  A job file sets them from the
scheduler's own: ``SLURM_NTASKS``, ``SLURM_PROCID`` and the allocation's first node (``scontrol
show hostnames``); on Kubernetes an Indexed Job's completion index and the stable name a
headless Service gives its pod 0.  One process runs on each machine and uses all of its GPUs.

The files are text built from sanitised names and numbers only; nothing from the design
reaches them.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

JOBS = ("none", "slurm", "kubernetes")
ARGS = "--distribute data-parallel"  # what every job passes the script, before the user's own
PORTS = (1024, 65535)  # the coordinator's port: an unprivileged one
SUFFIX = {"slurm": ".sbatch", "kubernetes": ".k8s.yaml"}
# What each job file is, in the window and on the command line.
JOB_HELP = {
    "slurm": "a SLURM batch file (sbatch) that starts one process per node, told its part by SLURM",
    "kubernetes": "a Kubernetes Indexed Job and headless Service (kubectl apply -f), one pod per node",
}


class JobFileError(ValueError):
    pass


@dataclass(frozen=True)
class JobResources:
    """What a job asks the scheduler for; one process per node."""

    nodes: int = 2
    gpus_per_node: int = 0
    cpus_per_node: int = 4
    memory_gb: int = 16
    hours: int = 1
    port: int = 12355
    image: str = ""  # Kubernetes: an image holding the script, its data, Keras and JAX (default: NAME:latest)

    def problems(self) -> list[str]:
        out = []
        for name in ("nodes", "cpus_per_node", "memory_gb", "hours"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                out.append(f"{name.replace('_', ' ')} must be a whole number of at least 1")
        if not isinstance(self.gpus_per_node, int) or self.gpus_per_node < 0:
            out.append("GPUs per node must be a whole number, 0 or more")
        if not isinstance(self.port, int) or not PORTS[0] <= self.port <= PORTS[1]:
            out.append(f"the port must be from {PORTS[0]} to {PORTS[1]}")
        if self.image and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/:@-]*", self.image):
            out.append(f"{self.image!r} is not an image name")
        return out


def job_path(script: str | Path, kind: str) -> Path:
    """``model.py`` -> ``model.sbatch`` or ``model.k8s.yaml``, beside it."""
    script = Path(script)
    return script.with_name(script.stem + SUFFIX[kind])


def _dns_name(stem: str) -> str:
    """A Kubernetes object name (DNS-1123 label) from the script's name."""
    name = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-")[:40].strip("-")
    return name or "netwright-train"


def default_image(script_name: str) -> str:
    """The Kubernetes image a job names when none is given: the script's name, ``:latest``."""
    return f"{_dns_name(Path(script_name).stem)}:latest"


def slurm_job(script_name: str, res: JobResources) -> str:
    """A batch file for ``sbatch``: one task per node, each told its number by ``SLURM_PROCID``."""
    job = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(script_name).stem) or "netwright"
    gpus = [f"#SBATCH --gpus-per-node={res.gpus_per_node}"] if res.gpus_per_node else []
    per_task = 'KERAS_DISTRIBUTION_PROCESS_ID="$SLURM_PROCID" exec "${PYTHON:-python}" "$0" "$@"'
    return "\n".join(
        [
            "#!/bin/bash",
            f"# Netwright: train {job} on {res.nodes} nodes with keras.distribution.DataParallel (JAX),",
            "# one process per node using all its devices. Submit it from the folder that holds the",
            f"# script and its data: sbatch {job}.sbatch [the script's options, e.g. --epochs 20]",
            f"#SBATCH --job-name={job}",
            f"#SBATCH --nodes={res.nodes}",
            "#SBATCH --ntasks-per-node=1",
            f"#SBATCH --cpus-per-task={res.cpus_per_node}",
            f"#SBATCH --mem={res.memory_gb}G",
            f"#SBATCH --time={res.hours:02d}:00:00",
            *gpus,
            "set -euo pipefail",
            "# The allocation's first node coordinates: every process must reach it on this port.",
            'COORDINATOR="$(scontrol show hostnames "$SLURM_JOB_NODELIST" | sed -n 1p)"',
            f'export KERAS_DISTRIBUTION_JOB_ADDRESSES="$COORDINATOR:{res.port}"',
            'export KERAS_DISTRIBUTION_NUM_PROCESSES="$SLURM_NTASKS"',
            "export KERAS_BACKEND=jax",
            "# srun starts one task per node; each reads its own number from SLURM_PROCID.",
            f'srun bash -c {shlex.quote(per_task)} {shlex.quote(script_name)} {ARGS} "$@"',
            "",
        ]
    )


def kubernetes_job(script_name: str, res: JobResources) -> str:
    """A headless Service and an Indexed Job: pod i is process i (its completion index), and pod 0
    is reachable as NAME-0.NAME, the address every process is given."""
    name = _dns_name(Path(script_name).stem)
    image = res.image or default_image(script_name)
    q = json.dumps  # a JSON string is a YAML scalar, quoted and escaped
    command = ["python", script_name, "--distribute", "data-parallel"]
    limits = [f"            nvidia.com/gpu: {res.gpus_per_node}"] if res.gpus_per_node else []
    return "\n".join(
        [
            f"# Netwright: train {name} on {res.nodes} pods with keras.distribution.DataParallel (JAX).",
            f"# The image {image} must hold the script and its data in /workspace, Keras and JAX",
            "# (jax[cuda12] for GPUs); see docs/distribution.md. Start: kubectl apply -f this file.",
            "apiVersion: v1",
            "kind: Service",
            "metadata:",
            f"  name: {q(name)}",
            "spec:",
            "  clusterIP: None  # headless: each pod gets a DNS name, NAME-INDEX.NAME",
            "  publishNotReadyAddresses: true  # pod 0's name resolves as soon as it starts",
            "  selector:",
            f"    job-name: {q(name)}",
            "  ports:",
            f"    - name: coordinator\n      port: {res.port}",
            "---",
            "apiVersion: batch/v1",
            "kind: Job",
            "metadata:",
            f"  name: {q(name)}",
            "spec:",
            "  completionMode: Indexed",
            f"  completions: {res.nodes}",
            f"  parallelism: {res.nodes}",
            "  backoffLimit: 0  # a lost process stops the others' collectives: start again as a whole",
            "  template:",
            "    spec:",
            f"      subdomain: {q(name)}",
            "      restartPolicy: Never",
            "      containers:",
            "        - name: train",
            f"          image: {q(image)}",
            "          workingDir: /workspace",
            f"          command: {q(command)}",
            '          args: []  # the script\'s options, e.g. ["--epochs", "20", "--save", "m.keras"]',
            "          env:",
            "            - name: KERAS_BACKEND",
            '              value: "jax"',
            "            - name: KERAS_DISTRIBUTION_JOB_ADDRESSES",
            f"              value: {q(f'{name}-0.{name}:{res.port}')}",
            "            - name: KERAS_DISTRIBUTION_NUM_PROCESSES",
            f"              value: {q(str(res.nodes))}",
            "            - name: KERAS_DISTRIBUTION_PROCESS_ID",
            "              valueFrom:",
            "                fieldRef:",
            "                  fieldPath: metadata.annotations['batch.kubernetes.io/job-completion-index']",
            "          ports:",
            f"            - containerPort: {res.port}",
            "          resources:",
            "            requests:",
            f'              cpu: "{res.cpus_per_node}"',
            f'              memory: "{res.memory_gb}Gi"',
            *(["            limits:", *[" " * 2 + line for line in limits]] if limits else []),
            "",
        ]
    )


def job_file(kind: str, script: str | Path, res: JobResources) -> tuple[Path, str] | None:
    """(where, text) of the job file for ``script`` (None for "none"); JobFileError if the
    resources cannot be asked for."""
    if kind not in JOBS:
        raise JobFileError(f"the job kind must be one of {', '.join(JOBS)}, not {kind!r}")
    if kind == "none":
        return None
    problems = res.problems()
    if problems:
        raise JobFileError("; ".join(problems))
    script = Path(script)
    text = slurm_job(script.name, res) if kind == "slurm" else kubernetes_job(script.name, res)
    return job_path(script, kind), text
