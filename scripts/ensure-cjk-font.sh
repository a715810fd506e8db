#!/usr/bin/env bash
# A font with Chinese glyphs, for the Chinese edition (lessons/zh/, widgets with lang="zh"):
# Graphviz measures node labels such as names={"权重": w} with it, and headless Chromium
# draws the zh stepper with it (tests/browser/test_zh_lesson_in_jupyterlab.py checks that
# the glyphs are real, not empty boxes). As root with apt-get (Debian): install Debian's
# fonts-noto-cjk. Otherwise: only a note (the English edition does not need it).
set -euo pipefail

have_cjk() { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; }

if have_cjk; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing fonts-noto-cjk with apt-get (running as root), for the Chinese edition..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends fonts-noto-cjk \
        || { apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk; }
    exit 0
fi
echo "note: no font with Chinese glyphs found (fc-list :lang=zh). The Chinese edition shows" >&2
echo "      empty boxes without one: sudo apt-get install fonts-noto-cjk" >&2
