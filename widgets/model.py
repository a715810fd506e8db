"""A tensor's computation graph as plain data: nodes and edges with stable ids.

Two views of the same graph:

    forward    the picture from the lessons: operator boxes (MUL, ADD, ...) between
               variable ellipses (w, x, y, z); inputs that need no grad are greyed
    autograd   what backward walks: MulBackward0, AccumulateGrad, ... with
               `next_functions` as the edges (and saved tensors, on request)

Ids come from creation order (each node's `inspect.sequence_nr`, renumbered 0, 1, 2, ... inside this
graph), never from id(), so the same notebook gives the same ids, and the same SVG, on
every run. An edge that carries a gradient in backward has the same id in both views:
`e{r}_{i}` is input number i of the node ranked r. The stepper highlights it by that id.
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass, field

from smallgrad import Tensor
from smallgrad.autograd import AccumulateGrad, Node
from smallgrad.autograd import inspect as graph_inspect

from .messages import text

# Past this many autograd nodes a graph is not even modelled (see render.py for drawing).
MAX_MODEL_NODES = 50_000


class GraphTooLargeError(RuntimeError):
    """The graph is too big to model or draw in a notebook."""


@dataclass(eq=False)
class GNode:
    """One box or ellipse of the picture."""

    id: str  # stable: "n3" (operator or leaf), "v3_0" (output 0 of node 3), "c3_1", "s3_0"
    kind: str  # forward: leaf, result, const, op; autograd: function, accumulate, none, saved
    label: str  # the text in the picture
    name: str | None = None  # the user's name for the tensor, when it has one
    shape: tuple | None = None
    dtype: str | None = None
    root: bool = False
    tensor: Tensor | None = field(default=None, repr=False)  # when it can be reached
    node: Node | None = field(default=None, repr=False)  # the autograd node behind it
    slot: int = 0  # which output of `node` a result is
    hooked: bool = False  # a hook (or retain_grad) is registered on it


@dataclass(eq=False)
class GEdge:
    id: str  # "e3_1": the grad for input 1 of node 3 flows on it; "o3_0": an output
    src: str
    dst: str
    kind: str  # "grad" (a gradient flows on it), "nograd" (from a no-grad input), "output", "saved"
    label: str = ""  # in the stepper: which gradient flows on it, e.g. "∂z/∂y"


@dataclass(eq=False)
class Graph:
    view: str
    nodes: dict[str, GNode]  # id -> node, in drawing order
    edges: list[GEdge]
    root: str  # id of the root variable
    rank: dict[Node, int]  # autograd node -> its place in creation order
    n_grad_edges: int  # how many edges a gradient flows on: one stepper step each
    note: str = ""  # said above the picture, e.g. that only part of a big graph is shown
    hidden: dict[str, int] = field(default_factory=dict)  # node id -> neighbours not drawn
    total_nodes: int = 0  # nodes in the whole graph (more than drawn, for a big one)

    def edge_id(self, node: Node, index: int) -> str:
        """The id of the edge for input `index` of `node` (a backward edge)."""
        return f"e{self.rank[node]}_{index}"

    def var_id(self, node: Node, slot: int = 0) -> str:
        """The variable that receives the grad at (node, slot): a leaf or a result."""
        if isinstance(node, AccumulateGrad):
            return f"n{self.rank[node]}"
        return f"v{self.rank[node]}_{slot}"


# --- names -------------------------------------------------------------------------------

def namespace_tensors() -> dict[str, Tensor]:
    """The tensors the calling code can see by name: its locals, its globals, and the
    notebook's namespace (IPython's user_ns). Names starting with "_" are skipped
    (IPython keeps old outputs in _, __, _3, ...)."""
    frame = inspect.currentframe()
    while frame is not None and _is_ours(frame):
        frame = frame.f_back
    spaces = [] if frame is None else [frame.f_locals, frame.f_globals]
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        spaces.append(shell.user_ns)
    found: dict[str, Tensor] = {}
    for space in spaces:
        for key, value in list(space.items()):
            if isinstance(value, Tensor) and not key.startswith("_") and key not in found:
                found[key] = value
    return found


def _is_ours(frame) -> bool:
    module = frame.f_globals.get("__name__", "")
    return module == "widgets" or module.startswith("widgets.")


class Names:
    """Looks up the user's name for a tensor by identity; hands out t1, t2, ... otherwise."""

    def __init__(self, names: dict[str, Tensor]) -> None:
        self.by_id: dict[int, str] = {}
        self.results: dict[tuple[Node, int], tuple[str, Tensor]] = {}
        self.tensors = list(names.values())  # keeps them alive while we look (ids stay valid)
        for key, t in names.items():
            if not isinstance(t, Tensor):
                continue
            self.by_id.setdefault(id(t), str(key))
            if t.grad_fn is not None:
                self.results.setdefault((t.grad_fn, t.output_nr), (str(key), t))
        self.unnamed = 0

    def of(self, t: Tensor | None) -> str | None:
        return None if t is None else self.by_id.get(id(t))

    def fresh(self) -> str:
        self.unnamed += 1
        return f"t{self.unnamed}"


def op_label(node: Node | str) -> str:
    """The operator's name in the forward picture: MulBackward0 -> MUL for a built-in op;
    a student's own autograd.Function keeps its class name (MulBackward -> Mul), so the
    picture shows that their Function ran. (A node name works too: PyTorch names a
    custom Function's node class name + "Backward", with no number, and no built-in
    op's name ends that way.)"""
    if isinstance(node, Node):
        if graph_inspect.is_user_function(node):
            return graph_inspect.forward_class(node).__name__
        node = node.name()
    name = node.rsplit("::", 1)[-1]
    if name in _OP_LABELS:
        return _OP_LABELS[name]
    if name.endswith("Backward") and len(name) > len("Backward"):
        return name[:-len("Backward")]  # a custom Function
    base = re.sub(r"Backward\d*$", "", name)
    return _OP_LABELS.get(base, base.upper() or name)


_OP_LABELS = {"Rsub": "SUB", "LinalgVectorNorm": "NORM", "ToCopy": "TO", "UnsafeView": "VIEW",
              "Mm": "MATMUL", "Mv": "MATMUL", "Dot": "DOT", "IndexPut": "INDEX_PUT",
              "CopyBackwards": "COPY_", "CopySlices": "COPY_SLICES", "AsStrided": "VIEW"}


# --- walking the graph -------------------------------------------------------------------

def reachable(root_node: Node | None) -> list[Node]:
    """Every autograd node reachable from root_node, in creation order (iterative)."""
    if root_node is None:
        return []
    seen = {root_node}
    stack = [root_node]
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
                if len(seen) > MAX_MODEL_NODES:
                    raise GraphTooLargeError(
                        f"This graph has more than {MAX_MODEL_NODES:,} autograd nodes: too big "
                        "to draw or step through in a notebook. Try a smaller example.")
    return sorted(seen, key=graph_inspect.sequence_nr)


def root_edge(tensor: Tensor) -> tuple[Node | None, int]:
    """Where backward starts for `tensor`: its grad_fn, or its leaf's AccumulateGrad."""
    if not tensor.requires_grad:
        return None, 0
    edge = graph_inspect.get_gradient_edge(tensor)  # a leaf: backward's own AccumulateGrad
    return edge.node, edge.output_nr


def _meta(t: Tensor | None, shape=None, dtype=None) -> tuple[tuple | None, str | None]:
    if t is not None:
        return tuple(t.shape), str(t.dtype).replace("smallgrad.", "")
    return (tuple(shape) if shape is not None else None,
            str(dtype) if dtype is not None else None)


def _has_hooks(node: Node, slot: int) -> bool:
    return (bool(graph_inspect.hooks(node, slot))
            or graph_inspect.retain_grad_target(node, slot) is not None)


# --- the two views -----------------------------------------------------------------------

def build(tensor: Tensor, names: dict[str, Tensor] | None = None, view: str = "forward",
          saved: bool = False) -> Graph:
    """The graph behind `tensor`, in the forward or the autograd view."""
    if view not in ("forward", "autograd"):
        raise ValueError(f"view must be 'forward' or 'autograd', not {view!r}")
    if not isinstance(tensor, Tensor):
        raise TypeError(f"expected a smallgrad Tensor, got {type(tensor).__name__}")
    lookup = Names(namespace_tensors() if names is None else names)
    root_node, root_slot = root_edge(tensor)
    nodes = reachable(root_node)
    rank = {node: r for r, node in enumerate(nodes)}
    builder = _Builder(view, lookup, rank, tensor)
    if root_node is None:
        builder.constant_root()
    elif view == "forward":
        builder.forward(nodes, root_node, root_slot)
    else:
        builder.autograd(nodes, root_node, root_slot, saved)
    n_grad = sum(1 for e in builder.edges if e.kind == "grad")
    return Graph(view, builder.nodes, builder.edges, builder.root, rank, n_grad,
                 total_nodes=len(builder.nodes))


class _Builder:
    def __init__(self, view: str, names: Names, rank: dict[Node, int], tensor: Tensor):
        self.view, self.names, self.rank, self.tensor = view, names, rank, tensor
        self.nodes: dict[str, GNode] = {}
        self.edges: list[GEdge] = []
        self.root = ""
        self.const_ids: dict[int, str] = {}  # id(live constant tensor) -> node id (dedupe)

    def add(self, node: GNode) -> GNode:
        self.nodes[node.id] = node
        return node

    def label_of(self, t: Tensor | None) -> tuple[str, str | None]:
        name = self.names.of(t)
        return (name, name) if name is not None else (self.names.fresh(), None)

    # --- pieces shared by both views
    def leaf(self, acc: AccumulateGrad, kind: str) -> GNode:
        var = acc.variable
        label, name = self.label_of(var)
        shape, dtype = _meta(var)
        hooked = bool(graph_inspect.hooks(acc))
        if kind == "accumulate":
            label = f"AccumulateGrad\n{label}"
        return self.add(GNode(f"n{self.rank[acc]}", kind, label, name, shape, dtype,
                              tensor=var, node=acc, hooked=hooked))

    def result(self, node: Node, slot: int, shape=None, dtype=None) -> GNode:
        """The variable for output `slot` of `node` (created on first use)."""
        vid = f"v{self.rank[node]}_{slot}"
        if vid in self.nodes:
            return self.nodes[vid]
        found = self.names.results.get((node, slot))
        t = found[1] if found else None
        if t is None and node is self.tensor.grad_fn and slot == self.tensor.output_nr:
            t = self.tensor
        if t is None:
            t = graph_inspect.retain_grad_target(node, slot)
        label, name = (found[0], found[0]) if found else self.label_of(t)
        shape, dtype = _meta(t, shape, dtype)
        return self.add(GNode(vid, "result", label, name, shape, dtype, tensor=t, node=node,
                              slot=slot, hooked=_has_hooks(node, slot)))

    def constant(self, node: Node, index: int) -> GNode:
        """An input of `node` that needs no grad: greyed, not dropped."""
        held = graph_inspect.constant_inputs(node).get(index)  # a number, or a live tensor
        t = held if isinstance(held, Tensor) else None
        if t is not None and id(t) in self.const_ids:
            return self.nodes[self.const_ids[id(t)]]
        meta = graph_inspect.input_metadata(node)
        shape, dtype = _meta(t, *(meta[index] if index < len(meta) else (None, None)))
        name = self.names.of(t)
        if name is not None:
            label = name
        elif isinstance(held, (int, float)):
            label = f"{held:g}"  # a number the user typed, e.g. the 2 in 2 * x
        elif t is not None and t.numel() == 1:
            label = f"{t.item():g}"
        else:
            label = self.names.fresh()
        if self.view == "forward":
            label += "\n(no grad)"
        else:
            label = f"None\n({label})"
        kind = "const" if self.view == "forward" else "none"
        gnode = self.add(GNode(f"c{self.rank[node]}_{index}", kind, label, name, shape, dtype,
                               tensor=t, node=None))
        if t is not None:
            self.const_ids[id(t)] = gnode.id
        return gnode

    def constant_root(self) -> None:
        label, name = self.label_of(self.tensor)
        shape, dtype = _meta(self.tensor)
        self.root = self.add(GNode("c_root", "const", f"{label}\n(no grad)", name, shape, dtype,
                                   root=True, tensor=self.tensor)).id

    # --- forward view: variables and operators
    def forward(self, nodes: list[Node], root_node: Node, root_slot: int) -> None:
        for node in nodes:
            r = self.rank[node]
            if isinstance(node, AccumulateGrad):
                if f"n{r}" not in self.nodes:  # (maybe drawn already, as an input)
                    self.leaf(node, "leaf")
                continue
            self.add(GNode(f"n{r}", "op", op_label(node), node=node))
            meta = graph_inspect.input_metadata(node)
            for i, (nxt, slot) in enumerate(node.next_functions):
                if nxt is None:
                    src, kind = self.constant(node, i), "nograd"
                elif isinstance(nxt, AccumulateGrad):
                    src = self.nodes.get(f"n{self.rank[nxt]}") or self.leaf(nxt, "leaf")
                    kind = "grad"
                else:
                    src, kind = self.result(nxt, slot, *(meta[i] if i < len(meta) else ())), "grad"
                self.edges.append(GEdge(f"e{r}_{i}", src.id, f"n{r}", kind))
        self._outputs(root_node, root_slot)

    def _outputs(self, root_node: Node, root_slot: int) -> None:
        """Edges from each operator to the variables it made (and the root variable)."""
        if isinstance(root_node, AccumulateGrad):
            root = self.nodes[f"n{self.rank[root_node]}"]
        else:
            root = self.result(root_node, root_slot)
        root.root = True
        self.root = root.id
        for gnode in list(self.nodes.values()):
            if gnode.kind == "result":
                r = self.rank[gnode.node]
                self.edges.append(GEdge(f"o{r}_{gnode.slot}", f"n{r}", gnode.id, "output"))

    # --- autograd view: the nodes backward runs, and next_functions
    def autograd(self, nodes: list[Node], root_node: Node, root_slot: int, saved: bool) -> None:
        for node in nodes:
            r = self.rank[node]
            if isinstance(node, AccumulateGrad):
                self.leaf(node, "accumulate")
                continue
            slots = range(graph_inspect.n_outputs(node))
            self.add(GNode(f"n{r}", "function", node.name(), node=node,
                           hooked=any(_has_hooks(node, s) for s in slots)))
        for node in nodes:
            r = self.rank[node]
            for i, (nxt, _) in enumerate(node.next_functions):
                if nxt is None:
                    self.edges.append(GEdge(f"e{r}_{i}", f"n{r}", self.constant(node, i).id,
                                            "nograd"))
                else:
                    self.edges.append(GEdge(f"e{r}_{i}", f"n{r}", f"n{self.rank[nxt]}", "grad"))
            if saved:
                self._saved(node)
        # the root tensor itself, pointing at its grad_fn
        if isinstance(root_node, AccumulateGrad):
            self.root = f"n{self.rank[root_node]}"
            self.nodes[self.root].root = True
        else:
            root = self.result(root_node, root_slot)
            root.root = True
            self.root = root.id
            self.edges.append(GEdge(f"o{self.rank[root_node]}_{root_slot}", root.id,
                                    f"n{self.rank[root_node]}", "output"))

    def _saved(self, node: Node) -> None:
        r = self.rank[node]
        saved = graph_inspect.saved_tensors(node)
        if saved is None:  # backward freed them
            self.add(GNode(f"s{r}_0", "saved", text("graph.saved_freed"), node=node))
            self.edges.append(GEdge(f"s{r}_0", f"s{r}_0", f"n{r}", "saved"))
            return
        for j, t in enumerate(saved):
            if t is None:
                continue
            name = self.names.of(t)
            if name is None and t.grad_fn is node:
                name = text("graph.own_output")
            shape, dtype = _meta(t)
            label = text("graph.saved", name=name or text("graph.a_tensor"), shape=list(shape))
            self.add(GNode(f"s{r}_{j}", "saved", label, self.names.of(t), shape, dtype,
                           tensor=t, node=node))
            self.edges.append(GEdge(f"s{r}_{j}", f"s{r}_{j}", f"n{r}", "saved"))


# --- big graphs ----------------------------------------------------------------------------

def neighbourhood(graph: Graph, centers: list[str], limit: int, what: str) -> Graph:
    """At most `limit` nodes of `graph`: those nearest to `centers` (breadth first, edges
    followed both ways). Nodes with neighbours left out remember how many (`hidden`)."""
    around: dict[str, list[str]] = {nid: [] for nid in graph.nodes}
    for e in graph.edges:
        around[e.src].append(e.dst)
        around[e.dst].append(e.src)
    keep: dict[str, None] = dict.fromkeys(c for c in centers if c in around)
    frontier = list(keep)
    while frontier and len(keep) < limit:
        nxt = []
        for nid in frontier:
            for other in around[nid]:
                if other not in keep and len(keep) < limit:
                    keep[other] = None
                    nxt.append(other)
        frontier = nxt
    nodes = {nid: graph.nodes[nid] for nid in graph.nodes if nid in keep}  # drawing order
    edges = [e for e in graph.edges if e.src in keep and e.dst in keep]
    hidden = {nid: n for nid in nodes if (n := sum(o not in keep for o in around[nid]))}
    note = text("graph.too_big", total=len(graph.nodes), shown=len(nodes), what=what)
    return Graph(graph.view, nodes, edges, graph.root, graph.rank, graph.n_grad_edges,
                 note=note, hidden=hidden, total_nodes=len(graph.nodes))
