#!/usr/bin/env bash
# Put Netwright in the desktop's application menu, for the current user only (no root):
# the launcher (netwright.desktop), its icon, and the file types it opens (Netwright designs,
# Keras .keras models), so a double-click in a file manager opens them in Netwright.
#
#   scripts/install_desktop.sh                 # launcher runs `netwright` if installed, else this checkout
#   scripts/install_desktop.sh --exec CMD      # launcher runs CMD (one executable path, no arguments)
#   scripts/install_desktop.sh --uninstall     # remove what it installed
#
# Files go under ${XDG_DATA_HOME:-~/.local/share}; the menu, icon and MIME caches are refreshed
# with update-desktop-database, update-mime-database, gtk-update-icon-cache and xdg-mime where
# those are installed (desktop-file-utils, shared-mime-info, xdg-utils); without them the files
# are in place and the desktop picks them up at its next scan.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
APPS="$DATA/applications"
MIME="$DATA/mime"
ICONS="$DATA/icons/hicolor"
TYPES="application/x-netwright-design application/x-keras"

have() { command -v "$1" >/dev/null 2>&1; }

refresh() {
    if have update-desktop-database; then update-desktop-database -q "$APPS" || true; fi
    if have update-mime-database; then update-mime-database "$MIME" >/dev/null || true; fi
    if have gtk-update-icon-cache; then gtk-update-icon-cache -q -t "$ICONS" >/dev/null 2>&1 || true; fi
}

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -f "$APPS/netwright.desktop" "$MIME/packages/netwright.xml" \
        "$ICONS/scalable/apps/netwright.svg" "$ICONS/256x256/apps/netwright.png"
    refresh
    echo "Removed Netwright's launcher and file types from $DATA"
    exit 0
fi

if [[ "${1:-}" == "--exec" ]]; then
    [[ -n "${2:-}" ]] || { echo "usage: $0 [--exec COMMAND | --uninstall]" >&2; exit 2; }
    COMMAND="$2"
elif [[ -n "${1:-}" ]]; then
    echo "usage: $0 [--exec COMMAND | --uninstall]" >&2
    exit 2
elif have netwright; then
    COMMAND="$(command -v netwright)"
elif [[ -x "$ROOT/.venv/bin/python" ]]; then
    COMMAND="$ROOT/.venv/bin/python $ROOT/main.py"
else
    echo "No netwright command and no $ROOT/.venv: run 'pip install .' or scripts/setup.sh first" >&2
    exit 1
fi

# The Exec line: each word in double quotes (a path may hold spaces), then the file to open.
# Quotes, backslashes, dollars and backticks would need the desktop spec's escapes: refused.
EXEC=""
for word in $COMMAND; do
    if [[ "$word" == *[\"\\\$\`]* ]]; then
        echo "The command's path holds a quote, backslash, \$ or backtick: $word" >&2
        exit 2
    fi
    EXEC+="\"$word\" "
done
EXEC+="%f"

mkdir -p "$APPS" "$MIME/packages" "$ICONS/scalable/apps" "$ICONS/256x256/apps"
cp "$ROOT/resources/icons/netwright.svg" "$ICONS/scalable/apps/netwright.svg"
cp "$ROOT/resources/icons/netwright.png" "$ICONS/256x256/apps/netwright.png"
cp "$ROOT/resources/netwright-mime.xml" "$MIME/packages/netwright.xml"
sed "s|^Exec=.*|Exec=$EXEC|" "$ROOT/resources/netwright.desktop" >"$APPS/netwright.desktop"
if have desktop-file-validate; then desktop-file-validate "$APPS/netwright.desktop"; fi
refresh
if have xdg-mime; then
    # shellcheck disable=SC2086 - one word per type
    xdg-mime default netwright.desktop $TYPES || true
fi
echo "Installed Netwright's launcher ($APPS/netwright.desktop, running $COMMAND) and its file types"
