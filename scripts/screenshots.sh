#!/usr/bin/env bash
# Regenerate docs/screenshot-*.png from the real window on a virtual X screen.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
if ! command -v Xvfb >/dev/null || ! command -v import >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends xvfb imagemagick xauth >/dev/null
fi
export QT_QPA_PLATFORM=xcb
xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshots.py
