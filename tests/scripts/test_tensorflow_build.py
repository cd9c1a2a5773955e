"""setup.sh's choice of TensorFlow build, checked with a stand-in ``nvidia-smi`` (no GPU needed)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "tensorflow_build.sh"
REQUIREMENTS = (ROOT / "requirements.txt").read_text().splitlines()
PINNED = next(line for line in REQUIREMENTS if line.startswith("tensorflow-cpu=="))


def choose(tmp_path: Path, nvidia_smi: str | None) -> str:
    """Run the script with PATH holding only bash's tools and, optionally, a fake nvidia-smi."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "grep", "dirname", "cat"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    if nvidia_smi is not None:
        fake = bin_dir / "nvidia-smi"
        fake.write_text("#!/bin/sh\n" + nvidia_smi + "\n")
        fake.chmod(0o755)
    done = subprocess.run(
        [shutil.which("bash"), str(SCRIPT)],
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_listed_gpu_selects_the_cuda_build_of_the_pinned_version(tmp_path):
    gpu = 'echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0c1d2e3f)"'
    assert choose(tmp_path, gpu) == "tensorflow[and-cuda]==" + PINNED.split("==")[1]


@pytest.mark.parametrize(
    "nvidia_smi",
    [
        None,  # no NVIDIA driver installed
        'echo "NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver."; exit 9',
        "exit 0",  # a driver, but no GPU listed (e.g. in a container without one)
    ],
    ids=["no-nvidia-smi", "driver-failure", "no-gpu-listed"],
)
def test_otherwise_the_pinned_cpu_build(tmp_path, nvidia_smi):
    assert choose(tmp_path, nvidia_smi) == PINNED
