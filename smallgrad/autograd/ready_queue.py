"""The ready queue of the backward engine: which node runs next.

Kept apart from engine.py because its details serve one purpose only: to pick
nodes in exactly PyTorch's order, down to how its C++ heap breaks ties.
"""

from __future__ import annotations

from .accumulate_grad import AccumulateGrad
from .graph import Node

# PyTorch runs the newest node first, and AccumulateGrad as soon as it is ready:
# its sequence number is the largest there is, the same for every AccumulateGrad.
_LAST = float("inf")


class ReadyQueue:
    """The nodes whose grads have all arrived, highest priority first.

    PyTorch keeps them in a std::priority_queue. AccumulateGrads all have the same
    priority, and a heap does not keep such ties in arrival order (four leaves of one
    node run as 0, 2, 1, 3), so this is the same binary heap, step for step as
    libstdc++'s push_heap and pop_heap: the hooks of leaves fire in PyTorch's order.
    """

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[tuple[float, Node]] = []

    def push(self, node: Node) -> None:
        items = self.items
        entry = (_LAST if type(node) is AccumulateGrad else node._seq, node)
        items.append(entry)
        self._sift_up(len(items) - 1, entry)

    def pop(self) -> Node:
        items = self.items
        top, last = items[0], items.pop()
        size = len(items)
        if size:  # fill the hole at the root as libstdc++'s __adjust_heap does
            hole = child = 0
            while child < (size - 1) // 2:
                child = 2 * (child + 1)
                if items[child][0] < items[child - 1][0]:
                    child -= 1
                items[hole] = items[child]
                hole = child
            if size % 2 == 0 and child == (size - 2) // 2:
                child = 2 * (child + 1)
                items[hole] = items[child - 1]
                hole = child - 1
            self._sift_up(hole, last)
        return top[1]

    def _sift_up(self, hole: int, entry: tuple) -> None:
        items = self.items
        parent = (hole - 1) // 2
        while hole > 0 and items[parent][0] < entry[0]:
            items[hole] = items[parent]
            hole = parent
            parent = (hole - 1) // 2
        items[hole] = entry
