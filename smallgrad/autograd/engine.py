"""The backward engine, written as a generator of small steps.

`backward()` and `autograd.grad()` run `backward_steps(...)` to its end. The widgets
run the very same generator one step at a time, so a hook fires when the student
reaches it. Each step is done by the time the generator hands it out.

The order is PyTorch's: a node runs once every gradient flowing into it has arrived
and been summed (dependency counting). Among ready nodes the newest runs first, and
AccumulateGrad runs as soon as it is ready; several ready AccumulateGrads come out in
the order PyTorch's heap gives them (see ready_queue.py). The events
of one node stay together:

    HookStep*      a tensor hook (or retain_grad) sees the grad, maybe replaces it
    CallStep       the node's backward turns grad_outputs into grad_inputs
    FreeStep       its saved tensors are released (unless retain_graph=True)
    EdgeStep*      one grad flows along one edge to the next node
    AccumulateStep a leaf's .grad goes from `before` to `after`

Nothing here recurses, so a 100,000-op chain is fine.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any, NamedTuple

import numpy as np

from .anomaly_mode import _AnomalyState, check_nan, report_failure
from .grad_mode import _GradState
from .graph import AccumulateGrad, Node
from .ready_queue import ReadyQueue

Tensor: Any = None  # smallgrad.tensor fills these in: it imports this package first
sum_to_shape: Any = None


class RootStep(NamedTuple):
    """Backward starts: `grad` (often ones) enters `node` at output `slot`."""

    kind = "root"  # a class attribute, not a field
    node: Node
    slot: int
    grad: Tensor


class HookStep(NamedTuple):
    """`hook` (a function, or "retain_grad") saw `grad_in` and passed on `grad_out`."""

    kind = "hook"  # a class attribute, not a field
    node: Node
    slot: int
    hook: Callable | str
    grad_in: Tensor
    grad_out: Tensor


class CallStep(NamedTuple):
    """`node`'s backward turned `grad_outputs` into `grad_inputs` (one per next_function)."""

    kind = "call"  # a class attribute, not a field
    node: Node
    grad_outputs: tuple
    grad_inputs: tuple


class FreeStep(NamedTuple):
    """`node` released the tensors its forward saved."""

    kind = "free"  # a class attribute, not a field
    node: Node


class EdgeStep(NamedTuple):
    """`grad` flowed from `src` (its input number `index`) into `dst` at `dst_slot`.

    `total` is what `dst` holds for that slot so far: when a tensor was used twice,
    the second edge shows the sum of both partial grads. `ready` says this was the last
    grad `dst` waited for, so it runs soon (an AccumulateGrad right after `src`'s edges).
    """

    kind = "edge"  # a class attribute, not a field
    src: Node
    index: int
    dst: Node
    dst_slot: int
    grad: Tensor
    total: Tensor
    ready: bool = False


class AccumulateStep(NamedTuple):
    """The leaf `variable`'s `.grad` went from `before` (maybe None) to `after`."""

    kind = "accumulate"  # a class attribute, not a field
    node: AccumulateGrad
    variable: Tensor
    before: Tensor | None
    after: Tensor


Step = RootStep | HookStep | CallStep | FreeStep | EdgeStep | AccumulateStep


def backward_steps(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Tensor] | None = None,
    *,
    keep_before: bool = True,
    accumulate_into: Sequence[Tensor] | None = None,
) -> Generator[Step, None, tuple | None]:
    """The public entry point: a generator of the steps of one backward pass.

    Arguments are those of `smallgrad.autograd.backward`. With `inputs`, it works as
    `autograd.grad`: nothing is accumulated into `.grad`, and the generator's return
    value (StopIteration.value) holds the grads of `inputs`.
    `keep_before=False` skips copying a leaf's old `.grad` into AccumulateStep.before
    (then None): backward() sees no step, so it saves that copy.
    `accumulate_into` is backward()'s `inputs=`: only the nodes that lead to these tensors
    run, and only their `.grad` is filled.
    Errors in the arguments are raised at once, before the first step.
    """
    roots = _root_grads(tensors, grad_tensors)
    for x in accumulate_into or ():
        x.retain_grad()  # as PyTorch: a non-leaf input gets its .grad, from now on
    if retain_graph is None:
        retain_graph = create_graph
    capture = [_capture_point(t) for t in inputs] if inputs is not None else None
    targets = ([_capture_point(t) for t in accumulate_into] if accumulate_into is not None
               else None)
    return _run(roots, retain_graph=retain_graph, create_graph=create_graph, capture=capture,
                targets=targets, keep_before=keep_before)


def _root_grads(tensors, grad_tensors) -> list[tuple[Node, int, Tensor]]:
    """Check the arguments of backward() in PyTorch's order, with PyTorch's errors."""
    from ..tensor import Size, Tensor, ones_like_data

    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    else:
        grad_tensors = tuple(grad_tensors)  # a float raises "'float' object is not iterable"
    grads = []
    for i, (out, grad) in enumerate(zip(tensors, grad_tensors)):  # extra grads are ignored
        if isinstance(grad, Tensor):
            if grad.shape != out.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {Size(grad.shape)!r} "
                    f"and output[{i}] has a shape of {Size(out.shape)!r}.")
        elif grad is None:
            if out.requires_grad and out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grad = Tensor._make(ones_like_data(out._data))
        else:
            raise TypeError(
                f"gradients can be either Tensors or None, but got {type(grad).__name__}")
        grads.append(grad)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grads)} gradients")
    roots = []
    for i, (out, grad) in enumerate(zip(tensors, grads)):
        node, slot = out._edge() if out.requires_grad else (None, 0)
        if node is None:  # (also a view whose base was told requires_grad_() after it)
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn")
        roots.append((node, slot, grad))
    return roots


def _capture_point(t: Tensor) -> tuple[Node, int]:
    if not t.requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    return t._edge()


def _run(roots, *, retain_graph: bool, create_graph: bool, capture, targets,
         keep_before: bool):

    root_nodes = list(dict.fromkeys(node for node, _, _ in roots))
    dependencies = _count_dependencies(root_nodes)
    if capture is None and targets is None:
        executes: Callable[[Node], bool] = _always
        visits = _always
    else:  # run only what leads to the wanted nodes (PyTorch's exec_info)
        wanted = set(node for node, _ in (capture if capture is not None else targets))
        needed = _nodes_leading_to(wanted, dependencies, root_nodes)
        if capture is None:
            needed |= wanted  # backward(inputs=...): the inputs' own nodes run too
        executes = needed.__contains__
        visits = lambda node: node in needed or node in wanted  # noqa: E731
        dependencies = _count_dependencies(root_nodes, follow=executes, keep=visits)
    pruned = visits is not _always  # autograd.grad or backward(inputs=...): a part runs
    captured: dict[tuple[Node, int], Any] = {}
    capture_points = set(capture or ())

    buffers: dict[Node, list] = {}  # node -> the grads summed so far, one per output slot
    fresh: set[tuple[Node, int]] = set()  # buffer slots holding a grad nobody else holds
    for node, slot, grad in roots:
        _add_to_buffer(buffers, fresh, node, slot, grad, is_fresh=False)
        yield RootStep(node, slot, grad)

    ready = ReadyQueue()  # the newest node first, AccumulateGrad before all others
    for node in root_nodes:
        if dependencies.get(node, 0) == 0:
            ready.push(node)

    while ready.items:
        node = ready.pop()
        grads = buffers.pop(node, None) or [None] * node._n_outputs
        is_leaf_end = type(node) is AccumulateGrad

        # autograd.grad takes the grad of a node that runs before its hooks see it, and
        # the grad of a node that does not run after them (PyTorch's evaluate_function)
        if capture is not None and executes(node):
            _capture(captured, capture_points, node, grads)

        # 1. tensor hooks, then retain_grad, on each output slot
        if node._tensor_hooks or node._retain_grad:
            for slot, grad in enumerate(grads):
                if grad is None:
                    continue
                hooks = node.tensor_hooks(slot)
                for hook in hooks:
                    new = _call_hook(node, hook, grad, create_graph)
                    yield HookStep(node, slot, hook, grad, grad if new is None else new)
                    grad = grad if new is None else new
                target = node.retain_grad_target(slot)
                if target is not None:
                    _retain(target, grad, create_graph)
                    yield HookStep(node, slot, "retain_grad", grad, grad)
                grads[slot] = grad
                fresh.discard((node, slot))  # user code has seen it: keep no alias of it
        if pruned and not executes(node):
            if capture is not None:
                _capture(captured, capture_points, node, grads)
            continue

        # 2. the leaf end: accumulate into .grad
        if is_leaf_end:
            # (a leaf told requires_grad = False after the forward gets nothing)
            if grads[0] is not None and node.variable.grad_fn is not None:
                # an in-place op made the leaf a result after the forward
                raise RuntimeError("leaf variable has been moved into the graph interior")
            if grads[0] is not None and capture is None and node.variable._requires_grad:
                before, after = node.accumulate(grads[0], fresh=(node, 0) in fresh,
                                                create_graph=create_graph,
                                                keep_before=keep_before)
                yield AccumulateStep(node, node.variable, before, after)
            continue

        # 3. the node's own backward
        if grads[0] is None and all(g is None for g in grads):  # nothing arrived
            grad_inputs: tuple = (None,) * len(node.next_functions)
        else:
            if len(grads) > 1:
                grads = _materialize(node, grads)
            mark = Tensor._count()  # grads made after this are the node's own
            prev, _GradState.enabled = _GradState.enabled, create_graph
            try:
                grad_inputs = validate_grads(node, node.apply(*grads))
                if _AnomalyState.enabled:
                    check_nan(node, grad_inputs)
            except Exception:
                if _AnomalyState.enabled:
                    report_failure(node)  # anomaly mode: where did this node's forward run?
                raise
            finally:
                _GradState.enabled = prev
            yield CallStep(node, tuple(grads), grad_inputs)
        if not retain_graph and node._saved:
            node.release_saved_tensors()
            yield FreeStep(node)
        elif not retain_graph and node._user_function:
            node.release_saved_tensors()  # your Function's ctx is spent even if it saved nothing

        # 4. one edge per input that needs a grad
        for index, (nxt, slot) in enumerate(node.next_functions):
            if nxt is None or (pruned and not visits(nxt)):
                continue
            grad = grad_inputs[index]
            if grad is not None:
                # .grad may keep this very tensor only if the node made it just now,
                # it owns its memory and it goes nowhere else
                # (a view of the incoming grad counts, as PyTorch steals it too)
                is_fresh = (type(nxt) is AccumulateGrad and grad._tid >= mark
                            and sum(g is grad for g in grad_inputs) == 1)
                total = _add_to_buffer(buffers, fresh, nxt, slot, grad, is_fresh)
                yield EdgeStep(node, index, nxt, slot, grad, total, dependencies[nxt] == 1)
            dependencies[nxt] -= 1
            if dependencies[nxt] == 0:
                ready.push(nxt)

    if capture is None:
        return None
    return tuple(captured.get(point) for point in capture)


def _capture(captured: dict, points: set, node: Node, grads: list) -> None:
    for slot, grad in enumerate(grads):
        if (node, slot) in points:
            captured[(node, slot)] = grad


def _always(node: Node) -> bool:
    return True


def _count_dependencies(roots, follow=_always, keep=_always) -> dict[Node, int]:
    """How many edges point into each node reachable from `roots` (iterative DFS)."""
    dependencies: dict[Node, int] = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        if not follow(node):
            continue
        for nxt, _ in node.next_functions:
            if nxt is None or not keep(nxt):
                continue
            dependencies[nxt] = dependencies.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return dependencies


def _nodes_leading_to(wanted: set, dependencies: dict, roots: list) -> set:
    """The nodes from which some `wanted` node can be reached: those autograd.grad must run."""
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


def _add_to_buffer(buffers, fresh, node, slot, grad, is_fresh) -> Tensor:
    """Sum `grad` into node's input buffer slot; returns the new total."""
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * node._n_outputs
    old = slots[slot]
    if old is None:
        total = grad
        if is_fresh:
            fresh.add((node, slot))
    else:
        total = old + grad if (old.requires_grad or grad.requires_grad) else old._plus(grad)
        fresh.add((node, slot))  # a sum is a new tensor that nobody else holds
    slots[slot] = total
    return total


def _call_hook(node: Node, hook: Callable, grad: Tensor, create_graph: bool):
    prev, _GradState.enabled = _GradState.enabled, create_graph
    try:
        new = _checked_hook_result(hook, grad, hook(grad))
    except Exception:
        if _AnomalyState.enabled:
            report_failure(node)  # a hook fails inside its node, as far as PyTorch says
        raise
    finally:
        _GradState.enabled = prev
    return new


def _checked_hook_result(hook: Callable, grad: Tensor, new):
    if new is not None and not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if new is not None and new.shape != grad.shape:
        name = getattr(hook, "__name__", repr(hook))
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if new is not None and new._data.dtype != grad._data.dtype:
        name = getattr(hook, "__name__", repr(hook))
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {grad.type()} "
                           f"got {new.type()})")
    return new


def _retain(target: Tensor, grad: Tensor, create_graph: bool) -> None:
    """PyTorch's retain_grad hook, under backward's grad mode (create_graph)."""
    prev, _GradState.enabled = _GradState.enabled, create_graph
    try:
        old = target._grad
        # the first grad: a row-major clone (with create_graph, a node); then old + new
        target._grad = old + grad if old is not None else (
            grad.clone() if grad.is_contiguous() else grad.contiguous())
    finally:
        _GradState.enabled = prev


def _materialize(node: Node, grads: list) -> list:
    """A node with several outputs may get grads for only some: the rest are zeros."""
    if all(g is not None for g in grads):
        return grads
    return [g if g is not None or shape is None else Tensor._make(np.zeros(shape, dtype))
            for g, (shape, dtype) in zip(grads, node._output_meta)]


def validate_grads(node: Node, grad_inputs: tuple) -> tuple:
    """Each grad must fit its input: reduce a broadcast grad, and cast to the input's dtype."""
    checked = list(grad_inputs)
    for index, (grad, (shape, dtype)) in enumerate(zip(grad_inputs, node._input_meta)):
        if grad is None or (grad.__class__ is Tensor and grad._data.shape == shape
                            and grad._data.dtype == dtype):
            continue  # the usual case: nothing to do
        if not isinstance(grad, Tensor):
            raise TypeError(f"function {node.name()} returned a gradient of type "
                            f"{type(grad).__name__} at index {index}; expected a Tensor")
        if grad._data.shape != shape:
            reduced = sum_to_shape(grad, shape)
            if reduced is None:
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {index} "
                    f"- got {list(grad.shape)} but expected shape compatible with "
                    f"{list(shape)}")
            grad = reduced
        if grad._data.dtype != dtype:
            grad = grad._cast(dtype)
        checked[index] = grad
    return tuple(checked)
