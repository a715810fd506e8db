"""Hostile tensor names, rendered for real: `widgets.draw`, `GraphView` and `BackwardStepper`
in JupyterLab, with names (and a hook's printout) that would run script or break the markup
if any label reached the page unescaped. Nothing may run, nothing may be injected, and every
name must show as the text it is."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest

from .labkit import open_notebook, outputs, run_all, tracebacks, write_notebook

pytestmark = pytest.mark.browser

HOSTILE = {
    "a": "<img src=x onerror=alert(1)>",
    "b": '"',
    "c": "{}",
    "d": "<script>alert(2)</script>",
    "out": '"><svg onload=alert(3)>',
    "e": "&lt;b&gt;",  # must show as these 9 characters, not as "<b>"
}
PRINTED = "<img src=y onerror=alert(4)> saw"  # what the hook prints

SETUP = f"""\
import smallgrad as t
import widgets

a = t.tensor([1.0, 2.0], requires_grad=True)
b = t.tensor([3.0, 4.0], requires_grad=True)
e = t.tensor([0.5, 0.5], requires_grad=True)
c = a * b
d = c + a * e
out = d.sum()

def shout(grad):
    print({PRINTED!r}, grad)

c.register_hook(shout)
H = {json.dumps(HOSTILE)}
NAMES = {{H[k]: v for k, v in dict(a=a, b=b, c=c, d=d, out=out, e=e).items()}}
"""

CELLS = [
    SETUP,
    "widgets.draw(out, names=NAMES)",
    "widgets.draw(out, names=NAMES, view='autograd')",
    "view = widgets.GraphView(out, names=NAMES)\nview.widget.add_class('hostile-graphview')\nview",
    "stepper = widgets.BackwardStepper(out, names=NAMES)\n"
    "stepper.widget.add_class('hostile-stepper')\nstepper",
]

# Everything inside the notebook's outputs that would mean markup got through.
_INJECTED_JS = """
() => {
  const found = [];
  for (const area of document.querySelectorAll('.jp-OutputArea')) {
    for (const el of area.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      if (tag === 'script' || tag === 'iframe' || tag === 'object' || tag === 'embed'
          || tag === 'foreignobject') found.push(tag);
      if (tag === 'img' && !(el.getAttribute('src') || '').startsWith('data:image/svg+xml'))
        found.push('img src=' + el.getAttribute('src'));
      for (const attr of el.attributes)
        if (attr.name.toLowerCase().startsWith('on')) found.push(tag + ' ' + attr.name);
    }
  }
  return found;
}
"""


def _svg_texts(svg_source: str) -> list[str]:
    root = ET.fromstring(svg_source)
    return [el.text or "" for el in root.iter() if el.tag.endswith("}text") or el.tag == "text"]


def test_hostile_names_render_as_text(page, lab, guard):
    name = write_notebook(lab, "hostile.ipynb", CELLS)
    open_notebook(page, lab, name)
    run_all(page, lab)
    assert tracebacks(page) == []

    stepper = page.locator(".hostile-stepper")
    stepper.wait_for()
    view = page.locator(".hostile-graphview")
    view.locator("svg g.node").first.wait_for()
    assert outputs(page).filter(has_text=PRINTED).count() == 0  # the hook has not run yet

    # Step through all of backward (the hook prints on the way), then show GraphView's other
    # views, so every piece of text is rendered at least once.
    next_button = stepper.locator("button.sg-button", has_text="next ▶")
    next_button.click()
    stepper.locator("pre.sg-card", has_text="Step 1 of").wait_for()
    stepper.locator("button.sg-button", has_text="end ⏭").click()
    stepper.locator("pre", has_text=PRINTED).first.wait_for()
    for toggle, shown in (("autograd", r"^MulBackward0$"), ("saved tensors", r"^saved"),
                          ("forward", r"^MUL$")):
        view.locator("button", has_text=toggle).click()
        view.locator("svg text", has_text=re.compile(shown)).first.wait_for()

    # Nothing ran and nothing was injected.
    page.wait_for_timeout(500)  # give any onerror/onload a chance to fire
    assert guard.dialogs == [], f"a hostile name ran script: {guard.dialogs}"
    assert page.evaluate(_INJECTED_JS) == []

    # Every name shows as itself: in the SVG text of both widgets' pictures ...
    for widget in (stepper, view):
        texts = widget.locator("svg text").all_text_contents()
        for hostile in HOSTILE.values():
            assert hostile in texts, f"{hostile!r} is not shown as text in {texts}"
    # ... in the stepper's card, details and log (HTML <pre> blocks) ...
    panels = "\n".join(stepper.locator("pre").all_inner_texts())
    for hostile in (HOSTILE["a"], HOSTILE["d"], HOSTILE["e"], PRINTED):
        assert hostile in panels, f"{hostile!r} is not in the stepper's text:\n{panels}"
    # ... and in the static pictures, which JupyterLab shows as <img src="data:image/svg+xml">.
    # (The autograd view names only the leaves and the root: c and d are MulBackward0 etc.)
    images = page.locator(".jp-OutputArea-output img").all()
    assert len(images) == 2, "expected the two pictures of widgets.draw"
    expected = [HOSTILE.values(), [HOSTILE[k] for k in ("a", "b", "e", "out")]]
    for image, names in zip(images, expected):
        src = image.get_attribute("src")
        texts = _svg_texts(unquote(src.split(",", 1)[1]))
        for hostile in names:
            assert hostile in texts, f"{hostile!r} is not shown as text in draw(): {texts}"

    assert guard.blocked == [], f"requests that tried to leave 127.0.0.1: {guard.blocked}"
