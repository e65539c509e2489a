"""Every kind of graph input, turned into the library's CSR graph (``n2v._n2v.Graph``).

Node order decides the walks (walk ``w`` starts at node ``w mod n`` and every draw is keyed on
node ids), so each input kind fixes it the way its users expect:

- a path: the file's order, as ``n2v train`` reads it (first appearance in an edge list);
- an (E, 2) / (E, 3) array or a scipy.sparse matrix: node ``i`` is row ``i`` (ids ``0..n-1``,
  ``n`` = the largest id + 1, or the matrix's size), isolated ids included;
- a networkx graph: ``G.nodes`` order, the node objects themselves as keys.
"""

from __future__ import annotations

import os
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from . import _n2v

_MAX_NODES = 2**31 - 1


class GraphInput:
    """A converted input: the library graph, the key of every row, and a name for messages."""

    __slots__ = ("graph", "keys", "label", "int_keys")

    def __init__(self, graph: "_n2v.Graph", keys: Optional[Sequence[Any]], label: str,
                 int_keys: bool = False) -> None:
        self.graph = graph
        # None: the keys are the graph's own names (a file's ids, as strings).
        self.keys = keys
        self.label = label
        # True: keys are range(num_nodes) (arrays, matrices), so row = key.
        self.int_keys = int_keys

    def key_list(self) -> List[Any]:
        if self.int_keys:
            return list(range(self.graph.num_nodes))
        if self.keys is None:
            return list(self.graph.names)
        return list(self.keys)


def _is_networkx(g: Any) -> bool:
    return all(hasattr(g, a) for a in ("is_directed", "edges", "nodes", "adj"))


def _is_sparse(g: Any) -> bool:
    try:
        import scipy.sparse as sp  # noqa: PLC0415 (optional dependency)
    except ImportError:
        return False
    return sp.issparse(g)


def _check_ids(ids: np.ndarray, label: str, what: str) -> np.ndarray:
    if ids.size and ids.min() < 0:
        i = int(np.argmax(ids < 0))
        raise ValueError(f"{label}: edge {i}: {what}: expected a node id >= 0, got {ids[i]}")
    if ids.size and ids.max() > _MAX_NODES - 1:
        i = int(np.argmax(ids > _MAX_NODES - 1))
        raise ValueError(f"{label}: edge {i}: {what}: expected a node id below 2^31 - 1, "
                         f"got {ids[i]}")
    return ids.astype(np.int32, copy=False)


def _from_array(a: np.ndarray, weighted: Optional[bool], directed: Optional[bool],
                num_nodes: Optional[int]) -> GraphInput:
    label = "graph"
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{label}: expected an integer or float array of edges, got dtype "
                        f"{a.dtype}")
    if a.ndim != 2 or a.shape[1] not in (2, 3):
        raise ValueError(f"{label}: expected an (E, 2) or (E, 3) array of edges "
                         f"(source, target[, weight]), got shape {a.shape}")
    if weighted is None:
        weighted = a.shape[1] == 3
    if weighted and a.shape[1] != 3:
        raise ValueError(f"{label}: weighted=True: expected an (E, 3) array (source, target, "
                         f"weight), got shape {a.shape}")
    ends = a[:, :2]
    if a.dtype.kind == "f":
        bad = ~np.isfinite(ends) | (ends != np.floor(ends))
        if bad.any():
            e, c = (int(x) for x in np.argwhere(bad)[0])
            raise ValueError(f"{label}: edge {e}: {('src', 'dst')[c]}: expected an integer node "
                             f"id, got {float(ends[e, c])!r}")
    src = _check_ids(np.ascontiguousarray(ends[:, 0]).astype(np.int64), label, "src")
    dst = _check_ids(np.ascontiguousarray(ends[:, 1]).astype(np.int64), label, "dst")
    n = int(max(src.max(initial=-1), dst.max(initial=-1))) + 1
    if num_nodes is not None:
        if num_nodes < n:
            raise ValueError(f"{label}: num_nodes: expected at least {n} (the largest id + 1), "
                             f"got {num_nodes}")
        n = int(num_nodes)
    w = np.ascontiguousarray(a[:, 2], dtype=np.float32) if weighted else None
    g = _n2v.graph_from_edges(n, np.ascontiguousarray(src), np.ascontiguousarray(dst), w,
                              bool(directed), [str(i) for i in range(n)], label)
    return GraphInput(g, None, label, int_keys=True)


def _from_sparse(m: Any, weighted: Optional[bool], directed: Optional[bool]) -> GraphInput:
    label = "graph"
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"{label}: expected a square adjacency matrix, got shape {m.shape}")
    if m.dtype.kind not in "iufb":
        raise TypeError(f"{label}: expected a numeric adjacency matrix, got dtype {m.dtype}")
    coo = m.tocoo()
    coo.sum_duplicates()
    coo.eliminate_zeros()
    rows = np.asarray(coo.row, dtype=np.int64)
    cols = np.asarray(coo.col, dtype=np.int64)
    data = np.asarray(coo.data)
    if directed is None:
        diff = abs(m - m.T)
        directed = diff.nnz > 0 and diff.max() != 0
    if not directed:
        # A symmetric matrix holds each undirected edge twice; the upper triangle holds it once.
        keep = rows <= cols
        rows, cols, data = rows[keep], cols[keep], data[keep]
    if weighted is None:
        weighted = bool(data.size) and bool(np.any(data != 1))
    n = int(m.shape[0])
    w = np.ascontiguousarray(data, dtype=np.float32) if weighted else None
    g = _n2v.graph_from_edges(n, rows.astype(np.int32), cols.astype(np.int32), w, bool(directed),
                              [str(i) for i in range(n)], label)
    return GraphInput(g, None, label, int_keys=True)


def _from_networkx(G: Any, weighted: Optional[bool], directed: Optional[bool],
                   weight: str) -> GraphInput:
    label = "graph"
    keys = list(G.nodes())
    index = {k: i for i, k in enumerate(keys)}
    names = [str(k) for k in keys]
    if len(set(names)) != len(names):
        seen: dict = {}
        for k, s in zip(keys, names):
            if s in seen:
                raise ValueError(f"{label}: nodes {seen[s]!r} and {k!r} have the same name "
                                 f"'{s}'; n2v needs distinct str() names")
            seen[s] = k
    edges = list(G.edges(data=True))
    if weighted is None:
        weighted = any(weight in d for _, _, d in edges)
    src = np.fromiter((index[u] for u, _, _ in edges), dtype=np.int32, count=len(edges))
    dst = np.fromiter((index[v] for _, v, _ in edges), dtype=np.int32, count=len(edges))
    w = None
    if weighted:
        vals = []
        for e, (u, v, d) in enumerate(edges):
            x = d.get(weight, 1.0)
            try:
                vals.append(float(x))
            except (TypeError, ValueError):
                raise TypeError(f"{label}: edge {e} ({u!r}, {v!r}): weight: expected a number, "
                                f"got {x!r}") from None
        w = np.asarray(vals, dtype=np.float32)
    if directed is None:
        directed = bool(G.is_directed())
    g = _n2v.graph_from_edges(len(keys), src, dst, w, bool(directed), names, label)
    return GraphInput(g, keys, label)


def as_graph(graph: Any, weighted: Optional[bool] = None, directed: Optional[bool] = None,
             *, num_nodes: Optional[int] = None, weight: str = "weight") -> GraphInput:
    """Converts any accepted graph input; see the module's docstring for the node order.

    ``weighted`` / ``directed``: None takes them from the input where it says (a 3-column array,
    a networkx graph with ``weight`` attributes or ``is_directed()``, a matrix with values other
    than 1 or that is not symmetric); a file says neither (False unless given), except n2v's CSR
    file, which records both.
    """
    if isinstance(graph, _n2v.Graph):
        return GraphInput(graph, None, "graph")
    if isinstance(graph, GraphInput):
        return graph
    if isinstance(graph, (str, os.PathLike)):
        path = os.fspath(graph)
        try:
            g = _n2v.read_graph(path, bool(weighted), bool(directed))
        except ValueError as e:
            # The reader's lines name the CLI's flag; here it is a keyword.
            msg = str(e).replace("--weighted", "weighted=True")
            if msg == str(e):
                raise
            raise ValueError(msg) from None
        return GraphInput(g, None, path)
    if _is_networkx(graph):
        return _from_networkx(graph, weighted, directed, weight)
    if _is_sparse(graph):
        return _from_sparse(graph, weighted, directed)
    if isinstance(graph, np.ndarray):
        return _from_array(graph, weighted, directed, num_nodes)
    if isinstance(graph, (list, tuple)):
        try:
            a = np.asarray(graph)
        except ValueError as e:
            raise ValueError(f"graph: a list of edges must be rectangular: {e}") from None
        if a.size == 0:
            a = a.reshape(0, 2)
        return _from_array(a, weighted, directed, num_nodes)
    raise TypeError("graph: expected a path (edge list or CSR file), an (E, 2) or (E, 3) numpy "
                    "array, a scipy.sparse matrix or a networkx graph, got "
                    f"{type(graph).__name__}")


def check_trainable(gi: GraphInput) -> None:
    """Walks need nodes and edges: the same lines `n2v train` prints for such an input."""
    _n2v.check_graph_has_edges(gi.graph, gi.label)

