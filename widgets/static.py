"""The widgets without a kernel: a picture in the notebook file, and a stand-alone HTML page.

fallback_html(...)   what nbconvert, nbviewer, GitHub or an untrusted notebook show instead
                     of the live widget: the picture at the saved step and the card, as
                     `text/html` with the SVG as an <img> data URL (JupyterLab's sanitizer
                     strips inline <svg> from text/html, but keeps an <img>)
page(...)            one self-contained HTML file: the same front.js, a small stand-in for
                     the kernel, and every step precomputed; it steps in any browser from
                     file://, with no server and no network
"""

from __future__ import annotations

import base64
import html
import json

from . import front
from .messages import text


def svg_img(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}" '
            'style="max-width:100%;height:auto;background:#fff;border-radius:4px">')


def fallback_html(svg: str, card: str, *, title: str, note: str = "") -> str:
    """The saved step as plain HTML: the picture, then the card (everything escaped)."""
    saved = text("front.saved_picture")
    parts = [f'<div class="sg-static"><p><b>{html.escape(title)}</b> {html.escape(saved)}</p>']
    if note:
        parts.append(f"<p><i>{html.escape(note)}</i></p>")
    if svg:
        parts.append(svg_img(svg, title))
    if card:
        parts.append('<pre style="white-space:pre-wrap">' + html.escape(card) + "</pre>")
    return "".join(parts) + "</div>"


# The stand-in for the kernel: the few model methods front.js calls, answered from the
# precomputed states ("view|position" -> state; pictures by layout).
_SHIM = """
const data = JSON.parse(document.getElementById("sg-data").textContent);
const esm = document.getElementById("sg-esm").textContent;
const traits = {setup: data.setup, picture: {}, state: {}};
const listeners = {};
const at = {view: data.start.view, position: data.start.position};
function fire(name) { for (const f of listeners[name] || []) f(); }
function answer(seq) {
  const state = data.states[at.view + "|" + at.position];
  traits.picture = data.pictures[state.layout];
  traits.state = Object.assign({}, state, {seq: seq});
  fire("change:picture");
  fire("change:state");
}
const model = {
  get: (name) => traits[name],
  set: (name, value) => { traits[name] = value; },
  save_changes: () => {},
  on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
  off: (name, f) => { listeners[name] = (listeners[name] || []).filter((g) => g !== f); },
  send: (message) => {
    if (message.type === "go") at.position = message.position;
    if (message.type === "view" && data.views.includes(message.view)) at.view = message.view;
    setTimeout(() => answer(message.seq), 0);
  },
};
answer(0);
const url = URL.createObjectURL(new Blob([esm], {type: "text/javascript"}));
const el = document.getElementById("sg-widget");
import(url).then((module) => module.default.render({model, el}));
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
:root {{ color-scheme: light dark; }}
body {{ margin: 1.5em; background: Canvas; color: CanvasText;
        font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }}
@media (prefers-color-scheme: dark) {{ body {{ background: #111; color: #ddd; }} }}
{css}
</style>
</head>
<body>
<h1 style="font-size:1.2em">{title}</h1>
<div id="sg-widget"></div>
<noscript>{fallback}</noscript>
<script type="application/json" id="sg-data">{data}</script>
<script type="text/plain" id="sg-esm">{esm}</script>
<script type="module">{shim}</script>
</body>
</html>
"""


def _inline(text: str) -> str:
    """Text that cannot end the <script> element it sits in."""
    return text.replace("</", "<\\/")


def page(*, title: str, setup: dict, pictures: dict, states: dict, start: dict,
         fallback: str) -> str:
    """The stand-alone page: `states` maps "view|position" to a state, `pictures` maps a
    layout name to {"svg", "tips", ...}; `start` is where the page opens."""
    views = sorted({key.split("|")[0] for key in states})
    data = {"setup": setup, "pictures": pictures, "states": states, "start": start,
            "views": views}
    if "</script" in front.ESM:
        raise RuntimeError("front.js must not contain '</script': it is inlined in a page")
    return _PAGE.format(title=html.escape(title), css=front.CSS, fallback=fallback,
                        data=_inline(json.dumps(data, ensure_ascii=False)), esm=front.ESM,
                        shim=_SHIM)
