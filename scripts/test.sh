#!/usr/bin/env bash
# Set up (first time) and run the whole test suite and the linter.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=2
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache
.venv/bin/python -m pytest "$@"
