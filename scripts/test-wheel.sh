#!/usr/bin/env bash
# The built wheel as a student gets it: install it into a fresh venv, copy the lessons out
# with the installed command, and run strict nbval on that copy, in that venv.
#
#   scripts/test-wheel.sh WHEEL            extras [lessons,test]
#   scripts/test-wheel.sh WHEEL --colab    Colab's versions (scripts/colab-pins.txt),
#                                          extra [widgets] plus nbval and a kernel
set -euo pipefail

wheel=$(realpath "$1")
mode=${2:-}
pins=$(realpath "$(dirname "$0")/colab-pins.txt")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset PYTHONPATH  # the venv's own smallgrad and widgets, never a checkout's

python=${PYTHON:-python3}
if [ "$mode" = "--colab" ]; then  # Colab's Python (3.12, moving to 3.13) where the machine has it
    pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
    for candidate in python3.13 "$pyenv_root"/versions/3.13*/bin/python3.13 \
                     python3.12 "$pyenv_root"/versions/3.12*/bin/python3.12; do
        if "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then
            python=$candidate
            break
        fi
    done
    echo "Colab-pinned venv on $("$python" -V 2>&1) (Colab runs 3.12, moving to 3.13)"
fi
"$python" -m venv "$work/venv"
py="$work/venv/bin/python"
install=("$py" -m pip install --disable-pip-version-check -q)
if [ "$mode" = "--colab" ]; then
    "${install[@]}" -c "$pins" "$wheel[widgets]" matplotlib ipykernel pytest nbval
else
    "${install[@]}" "$wheel[lessons,test]"
fi
"$py" -m pip list --disable-pip-version-check 2>/dev/null \
    | grep -iE '^(smallgrad-edu|numpy|ipywidgets|anywidget|jupyterlab[-_]widgets|jupyterlab|notebook) ' || true

cd "$work"
"$work/venv/bin/smallgrad-lessons" lessons  # the console script
"$py" -m smallgrad.lessons lessons          # again: everything already up to date
"$py" - <<'PY'
import sys
import smallgrad, smallgrad.lessons, widgets
venv = sys.prefix
for module in (smallgrad, widgets, smallgrad.lessons):
    assert module.__file__.startswith(venv), f"{module.__name__} from {module.__file__}"
assert widgets.SMALLGRAD_WIDGETS
print("imported from the venv:", smallgrad.__file__, widgets.__file__)
PY
"$py" -m pytest -p no:cacheprovider -q lessons \
    --nbval --nbval-current-env --nbval-sanitize-with lessons/sanitize.cfg
