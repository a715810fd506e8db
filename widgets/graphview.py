"""GraphView: the computation graph, a forward/autograd toggle, and a details panel.

The details are read live from the tensors, so after `z.backward()` the same view shows
the grads that arrived. Each view is laid out once; choosing a node only restyles it.
"""

from __future__ import annotations

from smallgrad import Tensor
from smallgrad.autograd import inspect as graph_inspect

from . import explain, front, model, render, static
from .messages import in_own_language, text
from .viewer import Viewer

VIEWS = ("forward", "autograd", "saved tensors")  # the toggle's names (the API's words)
VIEWS_BUILT = {"forward": ("forward", False), "autograd": ("autograd", False),
               "saved tensors": ("autograd", True)}
VIEW_TIPS = {"forward": "view.forward", "autograd": "view.autograd", "saved tensors": "view.saved"}


def views() -> list[tuple[str, str]]:
    """The view toggle: (view, its tooltip), in the current language (messages.py)."""
    return [(view, text(VIEW_TIPS[view])) for view in VIEWS]


def tooltips() -> dict[str, str]:
    return {"zoom": text("tip.zoom"), "pick": text("tip.pick_graph"),
            "details": text("tip.details_graph")}


class GraphView(Viewer):
    """The graph behind `tensor`. Python: view, selected, svg, details, refresh()."""

    VIEWS = VIEWS

    @in_own_language
    def __init__(self, tensor: Tensor, names: dict[str, Tensor] | None = None,
                 large: bool = False, *, lang: str | None = None) -> None:
        super().__init__(names, large, lang)
        self.tensor = tensor
        self._layouts: dict[str, tuple] = {}  # view -> (full graph, drawn graph, picture)
        self._drawn = 0
        self.widget = front.Front(self._handle, fallback=self._fallback, text=lambda: repr(self),
                                  setup={"kind": "graph", "large": large, "prefix": self._prefix,
                                         "views": views(), "tooltips": tooltips(),
                                         "legend": render.legend(stepping=False),
                                         "words": front.words()})
        self._redraw()

    # --- Python API (and view, selected: viewer.py)
    @property
    def svg(self) -> str:
        _, graph, picture = self._layout()
        svg = picture["svg"]
        return render.mark_svg(svg, self._prefix, self._marks(graph)) if svg else ""

    @property
    @in_own_language
    def details(self) -> str:
        full = self._layout()[0]
        gnode = full.nodes[self._pick]
        node = gnode.node
        if gnode.kind not in ("leaf", "accumulate", "const", "none", "result"):
            return explain.details(gnode)
        grad = graph_inspect.grad(gnode.tensor) if gnode.tensor is not None else None
        hooks = graph_inspect.hooks(node, gnode.slot) if node is not None else []
        lines = [text("details.hook_registered_view", name=explain.hook_name(h)) for h in hooks]
        return explain.details(gnode, grad=grad, hooks=lines)

    @in_own_language
    def refresh(self) -> None:
        """Read the tensors again (e.g. after backward) and redraw."""
        self._layouts.clear()
        self._redraw()

    def __repr__(self) -> str:
        full = self._layout()[0]
        root = full.nodes[full.root].label.split("\n")[0]
        return f"GraphView({root}): {self.view} view, {len(full.nodes)} nodes"

    # --- inside
    def _layout(self) -> tuple:
        key = self._view
        if key not in self._layouts:
            view, saved = VIEWS_BUILT[key]
            full = model.build(self.tensor, self._names, view, saved=saved)
            graph = render.fit(full, [full.root], text("graph.the_root"))
            self._drawn += 1  # a new name for every layout: the page keeps them by name
            picture = render.layout(graph, self._prefix, f"{key}:{self._drawn}",
                                    large=self.large)
            picture["picks"] = _options(graph)
            self._layouts[key] = (full, graph, picture)
        return self._layouts[key]

    def _marks(self, graph: model.Graph) -> dict[str, list[str]]:
        return {"selected": [self._pick] if self._pick in graph.nodes else []}

    def _can_pick(self, node_id: str) -> bool:
        return node_id in self._layout()[0].nodes

    def _redraw(self) -> None:
        _, graph, _ = self._layout()
        if self._pick not in graph.nodes:
            self._pick = graph.root
        self._show()

    def _show(self) -> None:
        _, graph, picture = self._layout()
        grads = {}
        for nid, gnode in graph.nodes.items():
            if gnode.kind in ("leaf", "accumulate", "result") and gnode.tensor is not None:
                grads[nid] = explain.value(graph_inspect.grad(gnode.tensor))
        notes = [n for n in (graph.note, picture["message"]) if n]
        state = {"position": 0, "n_steps": 0, "view": self._view, "selected": self._pick,
                 "layout": picture["layout"], "marks": self._marks(graph), "label": None,
                 "focus": self._pick, "grads": grads, "card": "", "details": self.details,
                 "log": [], "note": "\n".join(notes), "quiz": None}
        self.widget.show(state, picture)

    @in_own_language
    def _handle(self, message: dict) -> None:
        try:
            if message.get("type") == "view" and message.get("view") in VIEWS:
                self.view = message["view"]
            elif message.get("type") == "pick":
                self.selected = str(message.get("id", ""))
        finally:
            self._show()

    @in_own_language
    def _fallback(self) -> dict:
        _, graph, picture = self._layout()
        note = "\n".join(n for n in (graph.note, picture["message"]) if n)
        return {"text/html": static.fallback_html(self.svg, self.details, title=repr(self),
                                                  note=note)}


def _options(graph: model.Graph) -> list[tuple[str, str]]:
    """Dropdown entries: a readable, unique label for each drawn node."""
    seen: dict[str, int] = {}
    options = []
    for gnode in graph.nodes.values():
        kind = text(f"kind.{gnode.kind}") if gnode.kind in render.KINDS else gnode.kind
        label = f"{gnode.label.replace(chr(10), ' ')}  [{kind}]"
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label += f" #{seen[label]}"
        options.append((label, gnode.id))
    return options
