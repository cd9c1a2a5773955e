#!/usr/bin/env bash
# Set up (first time) and open Netwright.  Extra arguments go to main.py.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec .venv/bin/python main.py "$@"
