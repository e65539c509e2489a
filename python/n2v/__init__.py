"""n2v: node2vec embeddings, fast, on the CPU or a CUDA GPU.

Biased (p, q) random walks and skip-gram with negative sampling (word2vec's SGD, or the Keras
example's Adam model), from the same C++ library as the ``n2v`` command line, with its defaults::

    import n2v
    model = n2v.Node2Vec(dimensions=128, walk_length=80, num_walks=10, p=0.5, q=2.0)
    model.fit("graph.edges")        # or an (E, 2)/(E, 3) array, a scipy.sparse matrix, networkx
    model.embeddings                # float32, one row per node, in model.nodes order
    model.most_similar("42", k=10)  # [(node, cosine), ...]
    model.save("emb.w2v")           # word2vec text; .bin, .npy, .tsv by extension

``sample_walks``, ``evaluate`` and ``movielens`` are the CLI's ``n2v walk``, ``n2v eval`` and
``n2v movielens``. Errors are the CLI's one-line messages as ValueError (bad input), OSError
(files), TypeError (a wrong kind of input), MemoryError, KeyboardInterrupt (Ctrl-C: the run stops
within a fraction of a second and writes nothing) and RuntimeError (an unusable GPU).
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _n2v
from ._graph import GraphInput, as_graph, check_trainable

__version__: str = _n2v.__version__
with_cuda: bool = _n2v.with_cuda
Graph = _n2v.Graph

__all__ = [
    "Node2Vec",
    "Graph",
    "NotFittedError",
    "UnknownNodeError",
    "read_graph",
    "sample_walks",
    "evaluate",
    "movielens",
    "read_embeddings",
    "resolve_device",
    "with_cuda",
    "__version__",
]

# Every default below is the library's (include/n2v/core/defaults.hpp), read from its structs.
_T = _n2v.TrainOptions()
_W = _n2v.WalkRunOptions()
_E = _n2v.EvalOptions()
_M = _n2v.MovieLensOptions()

ProgressFn = Callable[[Dict[str, Any]], None]


class NotFittedError(ValueError, AttributeError):
    """The model has no embeddings yet: call fit() first (scikit-learn's NotFittedError)."""


class UnknownNodeError(KeyError, ValueError):
    """most_similar() was asked about a node the model has no row for."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def read_graph(path: Union[str, os.PathLike], weighted: bool = False,
               directed: bool = False) -> "_n2v.Graph":
    """Reads an edge list (plain or gzip; ``u v`` or ``u v w`` lines) or n2v's CSR file once, for
    several fits or walks. The CSR file records its own weights and direction."""
    return _n2v.read_graph(os.fspath(path), weighted, directed)


def read_embeddings(path: Union[str, os.PathLike]) -> Tuple[np.ndarray, List[str]]:
    """Reads word2vec text or binary or .npy (+ ids) embeddings: (float32 array, keys)."""
    table, keys = _n2v.read_embeddings(os.fspath(path))
    return table.array, keys


def resolve_device(device: str = "auto", workers: int = 0) -> Dict[str, Any]:
    """What ``device=...`` would run on: {"cuda", "index", "description", "note"}; "note" says
    why "auto" chose the CPU. RuntimeError when an explicit CUDA device cannot be used."""
    return _n2v.resolve_device(device, workers)


# --- progress -------------------------------------------------------------------------------


class _Progress:
    """The library's progress events to a user callback, a tqdm bar or stderr lines."""

    def __init__(self, verbose: bool, callback: Optional[ProgressFn], unit: str) -> None:
        self.verbose = verbose
        self.callback = callback
        self.unit = unit
        self.bar = None
        self.tqdm = None
        if verbose:
            try:
                from tqdm.auto import tqdm  # noqa: PLC0415 (optional)

                self.tqdm = tqdm
            except ImportError:
                self.tqdm = None

    def fn(self) -> Optional[ProgressFn]:
        if not self.verbose and self.callback is None:
            return None
        return self

    def _line(self, s: str) -> None:
        if self.bar is not None:
            self.bar.write(s, file=sys.stderr)
        else:
            print(s, file=sys.stderr, flush=True)

    def __call__(self, e: Dict[str, Any]) -> None:
        if self.callback is not None:
            self.callback(e)
        if not self.verbose:
            return
        kind = e["kind"]
        if kind in ("note", "stage"):
            self._line(("n2v: " if kind == "note" else "") + e["text"])
        elif kind == "resumed":
            self._line(f"Resuming from {e['text']}: {e['epoch']} of {e['epochs']} epochs done")
        elif kind == "progress" and e["total"] > 0:
            if self.bar is None and self.tqdm is not None:
                self.bar = self.tqdm(total=e["total"], unit=self.unit, unit_scale=True,
                                     file=sys.stderr, desc="n2v")
            if self.bar is not None:
                self.bar.update(e["done"] - self.bar.n)
        elif kind == "epoch":
            self._line(f"Epoch {e['epoch']}/{e['epochs']} - loss {e['loss']:.4f} - "
                       f"{e['seconds']:.1f} s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _run(progress: _Progress, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    try:
        return fn(*args, progress=progress.fn(), **kw)
    finally:
        progress.close()


_R = _n2v.ReportOptions()


def _report_options(path: Any, points: int, hubs: int, neighbors: int,
                    labels: Any = None) -> Optional["_n2v.ReportOptions"]:
    if path is None:
        return None
    r = _n2v.ReportOptions()
    r.path = os.fspath(path)
    r.max_points = int(points)
    r.hubs = int(hubs)
    r.neighbors = int(neighbors)
    r.labels = os.fspath(labels) if labels else ""
    return r


# --- the estimator ----------------------------------------------------------------------------


def _train_options(params: Dict[str, Any]) -> "_n2v.TrainOptions":
    o = _n2v.TrainOptions()
    o.walk.p = float(params["p"])
    o.walk.q = float(params["q"])
    o.walk.length = int(params["walk_length"])
    o.walk.num_walks = int(params["num_walks"])
    o.model.dim = int(params["dimensions"])
    o.model.window = int(params["window"])
    o.model.epochs = int(params["epochs"])
    o.model.negatives = int(params["negative"])
    o.model.optimizer = str(params["optimizer"])
    o.model.lr = -1.0 if params["lr"] is None else float(params["lr"])
    o.model.batch = int(params["batch"])
    o.model.l2 = float(params["l2"])
    o.model.embedding = str(params["embedding"])
    o.model.sample = float(params["sample"])
    o.model.shared_negatives = bool(params["shared_negatives"])
    o.threads = int(params["workers"])
    o.seed = int(params["seed"])
    o.device = str(params["device"])
    o.checkpoint.every = int(params["checkpoint_every"])
    o.checkpoint.dir = os.fspath(params["checkpoint_dir"]) if params["checkpoint_dir"] else ""
    o.checkpoint.resume = os.fspath(params["resume"]) if params["resume"] else ""
    o.validate()
    return o


class Node2Vec:
    """node2vec embeddings of a graph's nodes, scikit-learn / gensim style.

    Parameters (each is the ``n2v train`` flag of the same name, with its default):
        dimensions: embedding dimension (``--dimensions``).
        walk_length: nodes per walk, the start included (``--walk-length``).
        num_walks: walks started from every node (``--num-walks``).
        window: skip-gram window; SGD draws each position's from 1..window (``--window-size``).
        p: return parameter, weight/p back to the previous node (``--p``).
        q: in-out parameter, weight/q to nodes away from the previous one (``--q``).
        epochs: passes over the walks (``--epochs``).
        negative: negative samples per positive pair (``--negative``).
        optimizer: "sgd" (word2vec's: two tables, unigram^0.75 negatives, linear learning-rate
            decay, Hogwild threads) or "adam" (the Keras example's model) (``--optimizer``).
        lr: learning rate; None is the optimizer's default, 0.025 for sgd, 0.001 for adam.
        batch: batch size, adam only (``--batch``).
        l2: L2 penalty on the table, adam only (``--l2``).
        embedding: sgd only: "input+output" (word2vec's two tables summed, w + c; better for link
            prediction) or "input" (what gensim's ``wv`` holds) (``--embedding``).
        sample: sgd only: word2vec's subsampling of frequent nodes; 0 is off, word2vec and gensim
            use 1e-3 (``--sample``).
        shared_negatives: sgd only: a centre's window shares one set of negatives
            and trains as one small matrix product (``--shared-negatives``).
        workers: CPU threads, 0 for all cores (``--threads``).
        seed: random seed of walks, initialisation and negatives (``--seed``). With workers=1 the
            result is the same bit for bit on every run and equals ``n2v train``'s; with more SGD
            threads (Hogwild) it varies in the last bits.
        device: "auto" (a working GPU, else the CPU), "cpu", "cuda" or "cuda:N" (``--device``).
        checkpoint_every, checkpoint_dir, resume: SGD checkpoints, as ``--checkpoint-every``,
            ``--checkpoint-dir`` and ``--resume``.
        report: write ``n2v train``'s self-contained HTML report (configuration, graph, loss
            trace, stage times, a map of the embeddings, the hubs' neighbours) to this path after
            each fit; None (the default) writes none. report_points, report_hubs,
            report_neighbors, report_labels: its map and neighbour table, as ``--report-points``,
            ``--report-hubs``, ``--report-neighbors`` and ``--report-labels``.
        verbose: print progress to stderr (a tqdm bar when tqdm is installed).
        callback: called with a dict per progress event: kind ("note", "stage", "progress",
            "epoch", "resumed"), epoch, epochs, done, total, loss, seconds, text. An exception it
            raises stops the run and propagates.

    After fit(): ``embeddings`` (n x dimensions float32, no copy), ``nodes`` (the key of every
    row), ``wv`` (gensim KeyedVectors), ``losses_`` (per epoch), ``device_`` (what ran it),
    ``pairs_`` (training pairs) and ``timings_`` (ms per stage).
    """

    def __init__(
        self,
        dimensions: int = _T.model.dim,
        walk_length: int = _T.walk.length,
        num_walks: int = _T.walk.num_walks,
        window: int = _T.model.window,
        p: float = _T.walk.p,
        q: float = _T.walk.q,
        epochs: int = _T.model.epochs,
        negative: int = _T.model.negatives,
        optimizer: str = _T.model.optimizer,
        lr: Optional[float] = None,
        batch: int = _T.model.batch,
        l2: float = _T.model.l2,
        embedding: str = _T.model.embedding,
        sample: float = _T.model.sample,
        shared_negatives: bool = _T.model.shared_negatives,
        workers: int = _T.threads,
        seed: int = _T.seed,
        device: str = _T.device,
        checkpoint_every: int = _T.checkpoint.every,
        checkpoint_dir: Optional[str] = None,
        resume: Optional[str] = None,
        report: Optional[str] = None,
        report_points: int = _R.max_points,
        report_hubs: int = _R.hubs,
        report_neighbors: int = _R.neighbors,
        report_labels: Optional[str] = None,
        verbose: bool = False,
        callback: Optional[ProgressFn] = None,
    ) -> None:
        self.dimensions = dimensions
        self.walk_length = walk_length
        self.num_walks = num_walks
        self.window = window
        self.p = p
        self.q = q
        self.epochs = epochs
        self.negative = negative
        self.optimizer = optimizer
        self.lr = lr
        self.batch = batch
        self.l2 = l2
        self.embedding = embedding
        self.sample = sample
        self.shared_negatives = shared_negatives
        self.workers = workers
        self.seed = seed
        self.device = device
        self.checkpoint_every = checkpoint_every
        self.checkpoint_dir = checkpoint_dir
        self.resume = resume
        self.report = report
        self.report_points = report_points
        self.report_hubs = report_hubs
        self.report_neighbors = report_neighbors
        self.report_labels = report_labels
        self.verbose = verbose
        self.callback = callback
        self._emb: Optional[np.ndarray] = None
        self._table: Any = None
        self._input: Optional[GraphInput] = None
        self._keys: Optional[List[Any]] = None
        self._index: Optional[Dict[Any, int]] = None
        self._wv = None

    _PARAMS = ("dimensions", "walk_length", "num_walks", "window", "p", "q", "epochs", "negative",
               "optimizer", "lr", "batch", "l2", "embedding", "sample", "shared_negatives",
               "workers", "seed", "device",
               "checkpoint_every", "checkpoint_dir", "resume", "report", "report_points",
               "report_hubs", "report_neighbors", "report_labels", "verbose", "callback")

    # scikit-learn's estimator protocol
    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        return {k: getattr(self, k) for k in self._PARAMS}

    def set_params(self, **params: Any) -> "Node2Vec":
        for k, v in params.items():
            if k not in self._PARAMS:
                raise ValueError(f"Node2Vec: no parameter '{k}'; parameters: "
                                 f"{', '.join(self._PARAMS)}")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        defaults = Node2Vec().get_params()
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults[k]]
        return f"Node2Vec({', '.join(changed)})"

    def fit(self, graph: Any, y: Any = None, *, weighted: Optional[bool] = None,
            directed: Optional[bool] = None, num_nodes: Optional[int] = None) -> "Node2Vec":
        """Trains the embeddings of every node of ``graph``: a path (edge list, plain or gzip, or
        n2v's CSR file), an (E, 2) or (E, 3) array (ids 0..n-1; n = num_nodes or the largest id
        + 1), a scipy.sparse adjacency matrix, a networkx Graph/DiGraph (node keys kept), or an
        n2v.Graph. ``weighted``/``directed``: None takes them from the input where it says (see
        n2v._graph). ``y`` is ignored (scikit-learn's signature). Returns self."""
        gi = as_graph(graph, weighted, directed, num_nodes=num_nodes)
        check_trainable(gi)
        opts = _train_options(self.get_params())
        report = _report_options(self.report, self.report_points, self.report_hubs,
                                 self.report_neighbors, self.report_labels)
        r = _run(_Progress(self.verbose, self.callback, "word"), _n2v.train, gi.graph, opts,
                 report=report, input=gi.label)
        self._table = r["table"]
        self._emb = self._table.array
        self._input = gi
        self._keys = None
        self._index = None
        self._wv = None
        self.losses_: List[float] = list(r["losses"])
        self.pairs_: int = int(r["pairs"])
        self.first_epoch_: int = int(r["first_epoch"])
        self.device_: str = r["device"]["description"]
        self.timings_: Dict[str, float] = {"alias": r["alias_ms"], "walks": r["walks_ms"],
                                           "training": r["training_ms"]}
        return self

    def fit_transform(self, graph: Any, y: Any = None, **kw: Any) -> np.ndarray:
        """fit(graph) and return the embeddings."""
        return self.fit(graph, y, **kw).embeddings

    def _fitted(self) -> np.ndarray:
        if self._emb is None:
            raise NotFittedError("this Node2Vec has no embeddings yet: call fit(graph) first")
        return self._emb

    @property
    def embeddings(self) -> np.ndarray:
        """float32 array, one row per node (``nodes[i]`` is row i's key); the library's buffer."""
        return self._fitted()

    @property
    def nodes(self) -> List[Any]:
        """The key of every row: a file's ids (strings), networkx's node objects, or 0..n-1."""
        self._fitted()
        if self._keys is None:
            assert self._input is not None
            self._keys = self._input.key_list()
        return self._keys

    def _row(self, node: Any) -> int:
        assert self._input is not None
        if self._input.int_keys:
            if isinstance(node, (int, np.integer)) and 0 <= int(node) < len(self._fitted()):
                return int(node)
        else:
            if self._index is None:
                self._index = {k: i for i, k in enumerate(self.nodes)}
            i = self._index.get(node)
            if i is not None:
                return i
        raise UnknownNodeError(_unknown_node_message(node, self.nodes))

    def most_similar(self, node: Any, k: int = 10) -> List[Tuple[Any, float]]:
        """The k nodes of highest cosine similarity to ``node``, best first, the node itself left
        out (as gensim and ``n2v similar``): [(key, cosine), ...]. A list of nodes gives a list
        of such lists. UnknownNodeError (a KeyError and a ValueError) for a node without a row."""
        emb = self._fitted()
        many = isinstance(node, list)
        queries = node if many else [node]
        rows = [self._row(x) for x in queries]
        if k < 1:
            raise ValueError(f"k: expected at least 1, got {k}")
        kk = min(k + 1, emb.shape[0])
        idx, score = _n2v.most_similar(self._table, rows, kk, "cpu", int(self.workers))
        keys = self.nodes
        out = []
        for qi, r in enumerate(rows):
            hits = [(keys[j], float(s)) for j, s in zip(idx[qi], score[qi]) if j != r]
            out.append(hits[:k])
        return out if many else out[0]

    def save(self, path: Union[str, os.PathLike], format: str = "auto") -> None:
        """Writes the embeddings as ``n2v train --output`` does, atomically: "w2v" (word2vec
        text), "w2v-binary", "npy" (+ ``.ids.txt``) or "tsv" (projector vectors + metadata);
        "auto" picks by extension (.npy, .bin, .tsv, else word2vec text)."""
        self._fitted()
        _n2v.write_embeddings(os.fspath(path), format, self._table, [str(k) for k in self.nodes])

    @property
    def wv(self) -> Any:
        """The embeddings as gensim KeyedVectors (gensim must be installed), keyed like nodes."""
        emb = self._fitted()
        if self._wv is None:
            try:
                from gensim.models import KeyedVectors  # noqa: PLC0415 (optional)
            except ImportError as e:
                raise ImportError("Node2Vec.wv needs gensim (pip install gensim); "
                                  "Node2Vec.embeddings and .nodes hold the same data") from e
            kv = KeyedVectors(vector_size=emb.shape[1], dtype=np.float32)
            kv.add_vectors(self.nodes, emb)
            self._wv = kv
        return self._wv


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _unknown_node_message(node: Any, keys: Sequence[Any], limit: int = 5) -> str:
    """`n2v similar`'s line for an unknown key, with the closest keys (substring matches first,
    then by edit distance)."""
    q = str(node)
    scored = []
    for k in keys:
        s = str(k)
        scored.append((len(s) - len(q) if q in s else 1000 + _edit_distance(q, s), s))
    scored.sort()
    near = "', '".join(s for _, s in scored[:limit])
    return f"no key '{q}' in the model; closest keys: '{near}'"


# --- walks, evaluation, the MovieLens job --------------------------------------------------------


def sample_walks(
    graph: Any,
    walk_length: int = _W.walk.length,
    num_walks: int = _W.walk.num_walks,
    p: float = _W.walk.p,
    q: float = _W.walk.q,
    workers: int = _W.threads,
    seed: int = _W.seed,
    device: str = _W.device,
    *,
    weighted: Optional[bool] = None,
    directed: Optional[bool] = None,
    num_nodes: Optional[int] = None,
    names: bool = False,
    report: Optional[Union[str, os.PathLike]] = None,
    verbose: bool = False,
    callback: Optional[ProgressFn] = None,
) -> Union[np.ndarray, List[List[Any]]]:
    """Every walk ``n2v walk`` writes, in its order (walk w starts at node w mod n): an int32
    array (num_walks * n, walk_length) of rows, -1 after a walk that ended early (a node without
    out-edges); with names=True, a list of walks of node keys instead. The same on every device
    and for every number of workers. ``report``: also write ``n2v walk``'s HTML report there
    (visit frequency against degree, walk lengths)."""
    gi = as_graph(graph, weighted, directed, num_nodes=num_nodes)
    check_trainable(gi)
    o = _n2v.WalkRunOptions()
    o.walk.length = int(walk_length)
    o.walk.num_walks = int(num_walks)
    o.walk.p = float(p)
    o.walk.q = float(q)
    o.threads = int(workers)
    o.seed = int(seed)
    o.device = str(device)
    walks, _, _ = _run(_Progress(verbose, callback, "walk"), _n2v.sample_walks, gi.graph, o,
                       report=os.fspath(report) if report is not None else None,
                       input=gi.label)
    if not names:
        return walks
    keys = gi.key_list()
    return [[keys[v] for v in w if v >= 0] for w in walks.tolist()]


def _labels_file(labels: Any, gi: GraphInput, tmp: List[str]) -> str:
    if isinstance(labels, (str, os.PathLike)):
        return os.fspath(labels)
    if not isinstance(labels, dict):
        raise TypeError("labels: expected a path ('node label [label ...]' lines) or a dict "
                        f"{{node: label or [labels]}}, got {type(labels).__name__}")
    fd, path = tempfile.mkstemp(prefix="n2v-labels-", suffix=".txt")
    tmp.append(path)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for node, ls in labels.items():
            ls = [ls] if isinstance(ls, (str, int)) else list(ls)
            fields = [str(node)] + [str(x) for x in ls]
            for s in fields:
                if not s or any(c.isspace() for c in s):
                    raise ValueError(f"labels: '{s}': a node or label name must be non-empty and "
                                     "without white space")
            f.write(" ".join(fields) + "\n")
    return path


def evaluate(
    graph: Any,
    task: str = _E.task,
    p: Union[float, Sequence[float]] = tuple(_E.p),
    q: Union[float, Sequence[float]] = tuple(_E.q),
    *,
    test_fraction: float = _E.test_fraction,
    labels: Any = None,
    skip_unknown_labels: bool = _E.skip_unknown_labels,
    train_fraction: float = _E.train_fraction,
    repeats: int = _E.repeats,
    C: float = _E.c,
    embeddings: Optional[Union[str, os.PathLike]] = None,
    residual_out: Optional[Union[str, os.PathLike]] = None,
    report: Optional[Union[str, os.PathLike]] = None,
    report_points: int = _R.max_points,
    report_hubs: int = _R.hubs,
    report_neighbors: int = _R.neighbors,
    weighted: Optional[bool] = None,
    directed: Optional[bool] = None,
    num_nodes: Optional[int] = None,
    verbose: bool = False,
    callback: Optional[ProgressFn] = None,
    **model: Any,
) -> Dict[str, Any]:
    """``n2v eval``: embedding quality on ``graph`` for every (p, q) of the grid.

    task "link": ``test_fraction`` of the edges held out, embeddings trained on the rest, ROC-AUC
    of cosine similarity and of logistic regressions on the four edge operators. task "node":
    multi-label classification of ``labels`` (a path of 'node label [label ...]' lines, or a
    dict {node: label or [labels]}) with ``train_fraction`` trained on, micro/macro-F1 over
    ``repeats`` splits. ``embeddings``: score that file instead of training. Any Node2Vec
    parameter (dimensions=..., workers=..., seed=...) sets the training. ``report``: also write
    ``n2v eval``'s HTML report there (heat maps of the grid, ROC curves or per-label F1, the best
    point's map). Returns a dict with "points" (one per (p, q), p outer) and the split's sizes."""
    gi = as_graph(graph, weighted, directed, num_nodes=num_nodes)
    params = Node2Vec().get_params()
    for k, v in model.items():
        if k not in params or k in ("p", "q", "verbose", "callback") or k.startswith("report"):
            raise TypeError(f"evaluate() got an unexpected keyword argument '{k}'")
        params[k] = v
    o = _n2v.EvalOptions()
    o.train = _train_options(params)
    o.task = str(task)
    o.p = [float(x) for x in (p if isinstance(p, (list, tuple, np.ndarray)) else [p])]
    o.q = [float(x) for x in (q if isinstance(q, (list, tuple, np.ndarray)) else [q])]
    o.test_fraction = float(test_fraction)
    o.skip_unknown_labels = bool(skip_unknown_labels)
    o.train_fraction = float(train_fraction)
    o.repeats = int(repeats)
    o.c = float(C)
    o.embeddings = os.fspath(embeddings) if embeddings else ""
    o.residual_out = os.fspath(residual_out) if residual_out else ""
    tmp: List[str] = []
    try:
        if labels is not None:
            o.labels = _labels_file(labels, gi, tmp)
        o.validate()
        if not o.embeddings:
            check_trainable(gi)
        rep = _report_options(report, report_points, report_hubs, report_neighbors)
        return _run(_Progress(verbose, callback, "word"), _n2v.evaluate, gi.graph, gi.label, o,
                    report=rep)
    finally:
        for path in tmp:
            os.unlink(path)


def movielens(
    data: Union[str, os.PathLike] = _M.data,
    out: Optional[Union[str, os.PathLike]] = None,
    *,
    min_rating: float = _M.min_rating,
    min_weight: float = _M.min_weight,
    p: float = _M.p,
    q: float = _M.q,
    num_walks: int = _M.num_walks,
    num_steps: int = _M.num_steps,
    window: int = _M.window,
    negatives: int = _M.negatives,
    dim: int = _M.dim,
    epochs: int = _M.epochs,
    batch: int = _M.batch,
    lr: float = _M.lr,
    l2: float = _M.l2,
    k: int = _M.k,
    queries: Optional[Iterable[str]] = None,
    workers: int = _M.threads,
    seed: int = _M.seed,
    device: str = _M.device,
    report_points: int = _M.report.max_points,
    report_hubs: int = _M.report.hubs,
    report_neighbors: int = _M.report.neighbors,
    verbose: bool = False,
    callback: Optional[ProgressFn] = None,
) -> Dict[str, Any]:
    """``n2v movielens``: the Keras node2vec example on MovieLens (ratings.csv + movies.csv in
    ``data``): the PMI movie graph, walks, the seed's skip-gram model with Adam, and the similar
    movies of ``queries`` (titles or movieIds; the seed's five by default). ``out``: also write
    the job's files there (embeddings, projector TSV, graph.csr, loss.csv, similar.txt,
    report.html, whose map and neighbour table report_points/hubs/neighbors set; run.json).
    Returns {"similar": {title: [(title, cosine), ...]}, "text" (what the
    CLI prints), "embeddings", "movie_ids", "titles", "genres", "losses", "timings_ms", ...}."""
    o = _n2v.MovieLensOptions()
    o.data = os.fspath(data)
    o.min_rating = float(min_rating)
    o.min_weight = float(min_weight)
    o.p = float(p)
    o.q = float(q)
    o.num_walks = int(num_walks)
    o.num_steps = int(num_steps)
    o.window = int(window)
    o.negatives = int(negatives)
    o.dim = int(dim)
    o.epochs = int(epochs)
    o.batch = int(batch)
    o.lr = float(lr)
    o.l2 = float(l2)
    o.k = int(k)
    if queries is not None:
        o.queries = [str(x) for x in queries]
    o.threads = int(workers)
    o.seed = int(seed)
    o.device = str(device)
    r = o.report
    r.max_points = int(report_points)
    r.hubs = int(report_hubs)
    r.neighbors = int(report_neighbors)
    o.report = r
    o.validate()
    return _run(_Progress(verbose, callback, "epoch"), _n2v.movielens, o,
                os.fspath(out) if out is not None else None)
