#!/usr/bin/env bash
# What the browser tests (tests/browser/) need from the system:
# - a `chromium` program on PATH (required). As root with apt-get (Debian): install Debian's
#   `chromium` package. Otherwise: say how, and fail.
# - the Symbola font (optional): without it, headless Chromium draws the stepper's ⏮ and ⏭
#   as empty boxes in screenshots. Installed as root with apt-get; otherwise only a note.
# Playwright drives this Chromium through `executable_path`: `playwright install` (which
# downloads its own browsers) is never needed, and `chromium-driver` is not needed either.
set -euo pipefail

can_apt() { [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; }
have_symbola() { ! command -v fc-list >/dev/null 2>&1 || fc-list 2>/dev/null | grep -qi symbola; }

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
have_symbola || need+=(fonts-symbola)
if [ "${#need[@]}" -eq 0 ]; then
    exit 0
fi

if can_apt; then
    echo "installing ${need[*]} with apt-get (running as root)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y "${need[@]}" || { apt-get update && apt-get install -y "${need[@]}"; }
    if command -v chromium >/dev/null 2>&1; then
        echo "chromium: $(chromium --version 2>/dev/null)"
        exit 0
    fi
    echo "error: apt-get installed chromium but 'chromium' is still not on PATH." >&2
    exit 1
fi

if command -v chromium >/dev/null 2>&1; then
    echo "note: the Symbola font is missing, so screenshots show ⏮ and ⏭ as boxes" \
         "(sudo apt-get install fonts-symbola)." >&2
    exit 0
fi

cat >&2 <<'MSG'
error: the browser tests need a `chromium` program on PATH.

Install it with, for example:

    sudo apt-get install chromium fonts-symbola     # Debian

(or put any Chromium or Chrome on PATH under the name `chromium`), then run make again.
Do not run `playwright install`: the tests drive the system Chromium.
MSG
exit 1
