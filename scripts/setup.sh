#!/usr/bin/env bash
# Set up everything Netwright needs, idempotently: Debian packages for Qt (when
# missing), a virtual environment in .venv/ and the pinned Python packages.
# Sourced by scripts/run.sh and scripts/test.sh; a second run takes a second.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Qt's xcb platform plugin (the real window) and the tests' virtual screen.
DEBIAN_PACKAGES=(
  libgl1 libegl1 libfontconfig1 libdbus-1-3 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
)

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "netwright: installing Debian packages for Qt: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON="$candidate"
      break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "netwright: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "netwright: installing Debian's venv support for $PYTHON"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$(basename "$PYTHON")-venv" >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
  echo "netwright: creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
# TensorFlow: the CUDA build on a machine with an NVIDIA GPU, the CPU build elsewhere.
tensorflow=$(bash scripts/tensorflow_build.sh)
stamp=.venv/.requirements.sha
want=$( (cat requirements.txt; echo "$tensorflow") | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "netwright: installing pinned Python packages with $tensorflow (first time: a few minutes)"
  .venv/bin/python -m pip install -q --upgrade pip
  grep -vE '^tensorflow-cpu==' requirements.txt >.venv/requirements.selected.txt
  echo "$tensorflow" >>.venv/requirements.selected.txt
  case "$tensorflow" in  # both builds provide the `tensorflow` module: never keep both
    tensorflow-cpu*) .venv/bin/python -m pip uninstall -q -y tensorflow 2>/dev/null || true ;;
    *) .venv/bin/python -m pip uninstall -q -y tensorflow-cpu 2>/dev/null || true ;;
  esac
  .venv/bin/python -m pip install -q -r .venv/requirements.selected.txt
  echo "$want" >"$stamp"
fi
