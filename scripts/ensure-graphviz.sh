#!/usr/bin/env bash
# Make sure the Graphviz `dot` program is on PATH (the widgets lay graphs out with it).
# As root with apt-get (Debian, Ubuntu): install it. Otherwise: say how, and fail.
set -euo pipefail

if command -v dot >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Graphviz 'dot' not found: installing it with apt-get (running as root)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y graphviz
    if command -v dot >/dev/null 2>&1; then
        echo "Installed: $(dot -V 2>&1)"
        exit 0
    fi
    echo "error: apt-get installed graphviz but 'dot' is still not on PATH." >&2
    exit 1
fi

cat >&2 <<'MSG'
error: the Graphviz program `dot` is not on PATH.

smallgrad's widgets need it to draw computation graphs. Install it with one of:

    sudo apt-get install graphviz                           # Debian, Ubuntu
    conda install -c conda-forge graphviz python-graphviz   # conda (or: conda env create -f environment.yml)
    brew install graphviz                                   # macOS (Homebrew)

then run make again.
MSG
exit 1
