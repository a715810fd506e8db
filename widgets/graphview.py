"""GraphView: the computation graph, a forward/autograd toggle, and a details panel.

The details are read live from the tensors, so after `z.backward()` the same view shows
the grads that arrived. Each view is laid out once; choosing a node only restyles it.
"""

from __future__ import annotations

import html

import ipywidgets as ipw

from smallgrad import Tensor

from . import explain, model, render

VIEWS = {"forward": ("forward", False), "autograd": ("autograd", False),
         "saved tensors": ("autograd", True)}


class GraphView:
    """The graph behind `tensor`. Python: view, selected, svg, details, refresh()."""

    def __init__(self, tensor: Tensor, names: dict[str, Tensor] | None = None,
                 large: bool = False) -> None:
        self.tensor = tensor
        self._names = model.namespace_tensors() if names is None else names
        self.large = large
        self._prefix = render.new_prefix()
        self._layouts: dict[str, tuple] = {}  # view -> (full graph, drawn graph, svg, message)
        self._toggle = ipw.ToggleButtons(
            options=list(VIEWS), value="forward",
            tooltips=["Operators (MUL, ADD, ...) and variables, as in the lessons",
                      "The nodes backward runs, with next_functions as edges",
                      "The autograd view with the tensors each node saved for backward"])
        self._pick = ipw.Dropdown(description="details of")
        self._picture, self._style = ipw.HTML(), ipw.HTML()  # the SVG; a <style> per selection
        self._note, self._details = ipw.HTML(), ipw.HTML()
        self._toggle.observe(lambda _: self._show_view(), "value")
        self._pick.observe(lambda _: self._show_details(), "value")
        legend = ipw.HTML(render.legend_html(render.LEGEND.split(" Stepping:")[0], large))
        self.widget = ipw.VBox([ipw.HBox([self._toggle, self._pick]), self._note, self._picture,
                                self._style, legend, self._details])
        self._show_view()

    # --- Python API
    @property
    def view(self) -> str:
        return self._toggle.value

    @view.setter
    def view(self, value: str) -> None:
        self._toggle.value = value

    @property
    def selected(self) -> str:
        """The id of the node whose details are shown."""
        return self._pick.value

    @selected.setter
    def selected(self, node_id: str) -> None:
        self._pick.value = node_id

    @property
    def svg(self) -> str:
        _, graph, svg, _ = self._layout()
        return render.mark_svg(svg, self._prefix, self._marks(graph)) if svg else ""

    @property
    def details(self) -> str:
        full = self._layout()[0]
        gnode = full.nodes[self._pick.value]
        node = gnode.node
        if gnode.kind in ("leaf", "accumulate", "const", "none"):
            grad = gnode.tensor._grad if gnode.tensor is not None else None
            hooks = list(gnode.tensor._hooks.values()) if gnode.tensor is not None and \
                gnode.tensor._hooks else []
        elif gnode.kind == "result":
            grad = gnode.tensor._grad if gnode.tensor is not None else None
            hooks = node.tensor_hooks(gnode.slot)
        else:
            return explain.details(gnode)
        lines = [f"{explain.hook_name(h)} (registered)" for h in hooks]
        return explain.details(gnode, grad=grad, hooks=lines)

    def refresh(self) -> None:
        """Read the tensors again (e.g. after backward) and redraw."""
        self._layouts.clear()
        self._show_view()

    def __repr__(self) -> str:
        full = self._layout()[0]
        root = full.nodes[full.root].label.split("\n")[0]
        return f"GraphView({root}): {self.view} view, {len(full.nodes)} nodes"

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        return bundle

    # --- inside
    def _layout(self) -> tuple:
        key = self._toggle.value
        if key not in self._layouts:
            view, saved = VIEWS[key]
            full = model.build(self.tensor, self._names, view, saved=saved)
            graph = render.fit(full, [full.root], "the root")
            svg, message = render.picture(graph, self._prefix, large=self.large)
            self._layouts[key] = (full, graph, svg, message)
        return self._layouts[key]

    def _marks(self, graph: model.Graph) -> dict[str, list[str]]:
        chosen = self._pick.value
        return {"selected": [chosen] if chosen in graph.nodes else []}

    def _show_view(self) -> None:
        _, graph, svg, message = self._layout()
        self._picture.value = f'<div style="overflow:auto;max-height:70vh">{svg}</div>'
        notes = [n for n in (graph.note, message) if n]
        self._note.value = "".join(f"<pre>{html.escape(n)}</pre>" for n in notes)
        options = _options(graph)
        keep = self._pick.value if self._pick.value in dict(options).values() else graph.root
        self._pick.options = options
        self._pick.value = keep
        self._show_details()

    def _show_details(self) -> None:
        if not self._pick.value:
            return
        graph = self._layout()[1]
        self._style.value = render.step_css(self._prefix, self._marks(graph))
        size = "20px" if self.large else "13px"
        self._details.value = (f'<pre style="font-size:{size};white-space:pre-wrap;'
                               f'word-break:normal;overflow-wrap:break-word">'
                               f"{html.escape(self.details)}</pre>")


def _options(graph: model.Graph) -> list[tuple[str, str]]:
    """Dropdown entries: a readable, unique label for each drawn node."""
    seen: dict[str, int] = {}
    options = []
    for gnode in graph.nodes.values():
        text = f"{gnode.label.replace(chr(10), ' ')}  [{gnode.kind}]"
        seen[text] = seen.get(text, 0) + 1
        if seen[text] > 1:
            text += f" #{seen[text]}"
        options.append((text, gnode.id))
    return options
