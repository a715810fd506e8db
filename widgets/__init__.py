"""Jupyter widgets that draw smallgrad's computation graph and step through backward.

    draw(tensor)              the static picture: a graphviz.Digraph (forward or autograd view)
    GraphView(tensor)         the picture, a forward/autograd toggle and a details panel
    BackwardStepper(root)     backward, one edge at a time, with the chain rule for each edge

    model.py    tensor -> nodes and edges with stable ids     render.py   -> DOT -> SVG, restyling
    explain.py  the chain-rule card and the details text      stepper.py / graphview.py  the models
    stepper_page.py  a stepper's pictures and step states     front.py  the page (front.js/.css)
    quizzing.py, quiz.py  quiz mode                           static.py  no kernel: picture, page
    viewer.py   what GraphView and the stepper share (view, selected)
    messages.py  every word the widgets say, one table per language (messages_zh.py: 中文);
                 set_language("zh") for all widgets, or lang="zh" on one (formulas.py: both)

smallgrad never imports this package.
"""

from .graphview import GraphView
from .messages import set_language
from .render import GraphvizMissingError, draw
from .stepper import BackwardStepper

# The lessons' first cell checks this marker: a different package that is also called
# `widgets` lacks it, and the lesson then stops with a clear error instead of a baffling one.
SMALLGRAD_WIDGETS = True

__all__ = ["BackwardStepper", "GraphView", "GraphvizMissingError", "draw", "set_language"]
