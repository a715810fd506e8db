"""Which part of the graph a backward pass runs, and which grads it hands back.

backward() runs everything reachable from its roots. autograd.grad(outputs, inputs) and
backward(inputs=...) run only the nodes from which a wanted tensor can be reached, as
PyTorch's GraphTask::exec_info, and autograd.grad captures the grads of its inputs
instead of accumulating them.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..tensor import Tensor
from .graph import Node


class GraphTask:
    """The plan of one backward pass: dependency counts, what runs, what is captured."""

    def __init__(self, root_nodes: list[Node], inputs: Sequence[Tensor] | None,
                 accumulate_into: Sequence[Tensor] | None) -> None:
        self.root_nodes = root_nodes
        self.captures = [_capture_point(t) for t in inputs] if inputs is not None else None
        self.capture_set = set(self.captures or ())
        self.captured: dict[tuple[Node, int], Tensor | None] = {}
        self.accumulates = inputs is None  # autograd.grad touches no .grad
        self.pruned = inputs is not None or accumulate_into is not None
        if not self.pruned:
            self.needed: set[Node] = set()
            self.dependencies = count_dependencies(root_nodes)
            return
        points = self.captures if inputs is not None else [_capture_point(t)
                                                           for t in accumulate_into]
        wanted = {node for node, _ in points}
        self.needed = _nodes_leading_to(wanted, count_dependencies(root_nodes), root_nodes)
        if inputs is None:
            self.needed |= wanted  # backward(inputs=...): the inputs' own nodes run too
        self.visited = self.needed | wanted
        self.dependencies = count_dependencies(root_nodes, follow=self.needed,
                                               keep=self.visited)

    def executes(self, node: Node) -> bool:
        return not self.pruned or node in self.needed

    def visits(self, node: Node) -> bool:
        return not self.pruned or node in self.visited

    def capture(self, node: Node, grads: list) -> None:
        """Keep the grads of node's slots that autograd.grad was asked for."""
        if self.captures is None:
            return
        for slot, grad in enumerate(grads):
            if (node, slot) in self.capture_set:
                self.captured[(node, slot)] = grad

    def result(self) -> tuple | None:
        if self.captures is None:
            return None
        return tuple(self.captured.get(point) for point in self.captures)


def _capture_point(t: Tensor) -> tuple[Node, int]:
    if not t.requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    return t._edge()


def count_dependencies(roots: list[Node], follow: set | None = None,
                       keep: set | None = None) -> dict[Node, int]:
    """How many edges point into each node reachable from `roots` (iterative DFS), going
    on only from nodes in `follow` and counting only edges into `keep` (None: all)."""
    dependencies: dict[Node, int] = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        if follow is not None and node not in follow:
            continue
        for nxt, _ in node.next_functions:
            if nxt is None or (keep is not None and nxt not in keep):
                continue
            dependencies[nxt] = dependencies.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return dependencies


def _nodes_leading_to(wanted: set, dependencies: dict, roots: list) -> set:
    """The nodes from which some `wanted` node can be reached: those that must run."""
    # topological order by Kahn's algorithm, then walk it backwards (children first)
    remaining = dict(dependencies)
    order, stack = [], [r for r in roots if remaining.get(r, 0) == 0]
    while stack:
        node = stack.pop()
        order.append(node)
        for nxt, _ in node.next_functions:
            if nxt is not None:
                remaining[nxt] -= 1
                if remaining[nxt] == 0:
                    stack.append(nxt)
    needed: set = set()
    for node in reversed(order):
        if any(nxt is not None and (nxt in wanted or nxt in needed)
               for nxt, _ in node.next_functions):
            needed.add(node)
    return needed
