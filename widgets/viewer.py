"""What GraphView and BackwardStepper share: the names they draw with, the picture's id
prefix, the view toggle and the node whose details are shown."""

from __future__ import annotations

from smallgrad import Tensor

from . import model, render
from .messages import in_own_language


class Viewer:
    """A widget's Python side: `view` and `selected`, checked, then `_redraw()` shows them.

    A subclass sets VIEWS, says which node ids can be picked (`_can_pick`) and redraws."""

    VIEWS: tuple[str, ...] = ("forward", "autograd")

    def __init__(self, names: dict[str, Tensor] | None, large: bool, lang: str | None) -> None:
        self._lang = lang
        self._names = model.namespace_tensors() if names is None else names
        self.large = large  # projector mode: everything bigger
        self._prefix = render.new_prefix()  # the SVG's ids: two widgets on a page never clash
        self._view = "forward"
        self._pick = ""

    @property
    def view(self) -> str:
        """The picture: "forward" (operators and variables), "autograd" (backward's nodes),
        ... (one of VIEWS)."""
        return self._view

    @view.setter
    @in_own_language
    def view(self, view: str) -> None:
        if view not in self.VIEWS:
            raise ValueError(f"view must be one of {list(self.VIEWS)}, not {view!r}")
        self._view = view
        self._redraw()

    @property
    def selected(self) -> str:
        """The id of the node whose details are shown."""
        return self._pick

    @selected.setter
    @in_own_language
    def selected(self, node_id: str) -> None:
        if not self._can_pick(node_id):
            raise ValueError(f"no node {node_id!r} in the {self._view} view")
        self._pick = node_id
        self._redraw()

    @in_own_language
    def _repr_mimebundle_(self, **kwargs):
        return self.widget.output(**kwargs)

    def _can_pick(self, node_id: str) -> bool:
        raise NotImplementedError

    def _redraw(self) -> None:
        raise NotImplementedError
