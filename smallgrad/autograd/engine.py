"""The backward engine: PyTorch's algorithm in one loop, written as a generator of steps.

backward() and autograd.grad() run `backward_steps(...)` to its end; the widgets run
the same generator one step at a time (with observe=True, so it hands out records,
see steps.py), and a hook fires when the student reaches it.

The order is PyTorch's: a node runs once every grad flowing into it has arrived and
been summed (dependency counts, input_buffer.py). Among ready nodes the newest runs
first, and AccumulateGrad as soon as it is ready (ready_queue.py). For each node:

    1. tensor hooks, then retain_grad, see the grad of each output (and may replace it)
    2. an AccumulateGrad adds it into its leaf's .grad; any other node runs its backward
    3. the node frees what its forward saved (unless retain_graph=True)
    4. each grad it returned flows along its edge into the next node's input buffer

Nothing here recurses, so a 100,000-op chain is fine. What serves autograd.grad
(grad_capture.py) and PyTorch's checks (checks.py) sits behind named calls.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

from ..tensor import Tensor
from .accumulate_grad import AccumulateGrad
from .anomaly_mode import _AnomalyState, check_nan, report_failure
from .checks import materialize, root_grads, validate_outputs
from .errors import LEAF_MOVED
from .grad_capture import GraphTask
from .grad_mode import _GradState
from .graph import Node
from .hooks import run_tensor_hooks
from .input_buffer import InputBuffers
from .ready_queue import ReadyQueue
from .steps import AccumulateStep, CallStep, EdgeStep, FreeStep, RootStep, Step
from .zero_tensor import zeros_in_zeros_out


def backward_steps(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Tensor] | None = None,
    *,
    accumulate_into: Sequence[Tensor] | None = None,
    observe: bool = True,
) -> Generator[Step, None, tuple | None]:
    """A generator of the steps of one backward pass (records only if `observe`).

    Arguments are those of `smallgrad.autograd.backward`. With `inputs`, it works as
    `autograd.grad`: nothing is accumulated into `.grad`, and the generator's return
    value (StopIteration.value) holds the grads of `inputs`. `accumulate_into` is
    backward()'s `inputs=`. Errors in the arguments are raised at once.
    """
    roots = root_grads(tensors, grad_tensors)
    for x in accumulate_into or ():
        x.retain_grad()  # as PyTorch: a non-leaf input gets its .grad, from now on
    task = GraphTask(list(dict.fromkeys(node for node, _, _ in roots)), inputs, accumulate_into)
    if retain_graph is None:
        retain_graph = create_graph
    return _run(task, roots, retain_graph, create_graph, observe)


def _run(task: GraphTask, roots: list, retain_graph: bool, create_graph: bool,
         observe: bool) -> Generator[Step, None, tuple | None]:
    dependencies = task.dependencies
    buffers = InputBuffers()
    for node, slot, grad in roots:
        buffers.add(node, slot, grad, owned=False)
        if observe:
            yield RootStep(node, slot, grad)
    ready = ReadyQueue()
    for node in task.root_nodes:
        if dependencies.get(node, 0) == 0:
            ready.push(node)

    pruned = task.pruned  # autograd.grad or backward(inputs=): only a part of the graph runs
    while ready.items:
        node = ready.pop()
        grads = buffers.take(node)
        runs = not pruned or task.executes(node)
        if pruned and runs:  # autograd.grad takes what reaches a node that runs before its
            task.capture(node, grads)  # hooks, and what reaches one that doesn't after them

        # 1. tensor hooks and retain_grad
        if node._tensor_hooks or node._retain_grad:
            for step in run_tensor_hooks(node, grads, buffers, create_graph):
                if observe:
                    yield step
        if not runs:
            task.capture(node, grads)
            continue

        # 2a. at a leaf's end: accumulate into .grad
        if type(node) is AccumulateGrad:
            grad = grads[0]
            if grad is not None and node.variable.grad_fn is not None:
                raise RuntimeError(LEAF_MOVED)  # an in-place op after the forward
            if grad is not None and task.accumulates and node.variable._requires_grad:
                node.accumulate(grad, owned=buffers.is_owned(node, 0),
                                create_graph=create_graph)
                if observe:
                    yield AccumulateStep(node, node.variable, grad)
            continue

        # 2b. any other node: its backward
        if grads[0] is None and all(g is None for g in grads):  # nothing arrived
            grad_inputs: tuple = (None,) * len(node.next_functions)
        else:
            buffers.start_node()
            grad_inputs = _call_backward(node, grads, create_graph)
            if observe:
                yield CallStep(node, tuple(grads), grad_inputs)

        # 3. free what forward saved
        if not retain_graph and (node._saved or node._user_function):
            had_saved = bool(node._saved)  # (your Function's ctx is spent, saved or not)
            node.release_saved_tensors()
            if observe and had_saved:
                yield FreeStep(node)

        # 4. one edge per input that needs a grad
        for index, (nxt, slot) in enumerate(node.next_functions):
            if nxt is None or (pruned and not task.visits(nxt)):
                continue
            grad = grad_inputs[index]
            if grad is not None:
                owned = type(nxt) is AccumulateGrad and buffers.made_by_node(grad, grad_inputs)
                total = buffers.add(nxt, slot, grad, owned)
                if observe:
                    yield EdgeStep(node, index, nxt, slot, grad, total, dependencies[nxt] == 1)
            dependencies[nxt] -= 1
            if dependencies[nxt] == 0:
                ready.push(nxt)

    return task.result()


def _call_backward(node: Node, grads: list, create_graph: bool) -> tuple:
    """The node's backward, recorded only under create_graph; its grads checked."""
    if len(grads) > 1:
        grads = materialize(node, grads)
    was_enabled, _GradState.enabled = _GradState.enabled, create_graph
    try:
        grad_inputs = validate_outputs(node, node.apply(*grads))
        grad_inputs = zeros_in_zeros_out(grads, grad_inputs)  # PyTorch's efficient zeros
        if _AnomalyState.enabled:
            check_nan(node, grad_inputs)
    except Exception:
        if _AnomalyState.enabled:
            report_failure(node)  # anomaly mode: where did this node's forward run?
        raise
    finally:
        _GradState.enabled = was_enabled
    return grad_inputs
