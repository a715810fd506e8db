"""A notebook saved with a stepper, converted by `jupyter nbconvert --to html` without a
kernel, shows the saved step's picture and card, and asks for nothing from outside (except
nbconvert's own template: require.js and MathJax). The same page is opened in a browser,
offline, by tests/browser/test_frontends.py."""

from __future__ import annotations

import base64
import re
import shutil

import pytest
from mlp import saved_notebook_html

TEMPLATE = ("/ajax/libs/require.js/", "/ajax/libs/mathjax/")  # nbconvert's own, not ours


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_nbconvert_html_has_the_saved_picture_and_card(tmp_path):
    text = saved_notebook_html(tmp_path, 2).read_text(encoding="utf-8")
    assert "Step 2 of 9" in text and "BackwardStepper(L): step 2/9" in text
    images = re.findall(r'<img[^>]*src="data:image/svg\+xml;base64,([^"]+)"', text)
    assert len(images) == 1
    svg = base64.b64decode(images[0]).decode("utf-8")
    assert svg.startswith("<svg") and len(re.findall(r'class="active ', svg)) == 1
    assert len(re.findall(r'class="done ', svg)) == 1
    outside = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", text)
    assert [url for url in outside if not any(part in url for part in TEMPLATE)] == []
    assert "application/vnd.jupyter.widget-state+json" not in text  # no stored widget state
