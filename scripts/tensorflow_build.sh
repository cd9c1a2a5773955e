#!/usr/bin/env bash
# Prints the TensorFlow requirement to install: the CUDA build ("tensorflow[and-cuda]",
# which brings its own CUDA and cuDNN wheels) when `nvidia-smi` lists a GPU, else the
# pinned CPU build. The version is the one pinned in requirements.txt. Used by setup.sh;
# tests/scripts/test_tensorflow_build.py checks the choice with a stand-in nvidia-smi.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cpu=$(grep -E '^tensorflow-cpu==' requirements.txt)
version=${cpu#tensorflow-cpu==}
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU [0-9]'; then
  echo "tensorflow[and-cuda]==$version"
else
  echo "$cpu"
fi
