"""Every input kind trains the same embeddings as `n2v train` on one thread, bit for bit; walks are
`n2v walk`'s; the MovieLens job and `n2v eval` report what the CLI reports; defaults are the CLI's."""

import inspect
import json
import re

import numpy as np
import pytest

import n2v
from conftest import REPO, graph_edges, write_edges

SMALL = dict(dimensions=16, walk_length=20, num_walks=3, workers=1, seed=7, device="cpu")
SMALL_FLAGS = ["--dimensions", 16, "--walk-length", 20, "--num-walks", 3, "--threads", 1,
               "--seed", 7, "--device", "cpu", "--quiet"]


def cli_embeddings(cli, tmp_path, graph_file, *flags):
    out = tmp_path / "cli.npy"
    cli("train", "-i", graph_file, "-o", out, *SMALL_FLAGS, *flags)
    emb, keys = n2v.read_embeddings(out)
    return emb, keys


def by_key(emb, keys):
    return {str(k): emb[i] for i, k in enumerate(keys)}


def assert_same_rows(py_model, cli_emb, cli_keys):
    assert py_model.embeddings.shape == cli_emb.shape
    want = by_key(cli_emb, cli_keys)
    got = by_key(py_model.embeddings, py_model.nodes)
    assert want.keys() == got.keys()
    for k in want:
        # Bit for bit: the same bytes, not merely close.
        assert want[k].tobytes() == got[k].tobytes(), f"row {k} differs"


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("directed", [False, True])
def test_file_input_equals_cli(cli, tmp_path, weighted, directed):
    edges = graph_edges(weighted=weighted)
    f = write_edges(tmp_path / "g.edges", edges, weighted=weighted)
    flags = (["--weighted"] if weighted else []) + (["--directed"] if directed else [])
    cli_emb, cli_keys = cli_embeddings(cli, tmp_path, f, "--p", 0.5, "--q", 2, *flags)
    m = n2v.Node2Vec(p=0.5, q=2, **SMALL).fit(f, weighted=weighted, directed=directed)
    assert_same_rows(m, cli_emb, cli_keys)
    assert m.nodes == list(cli_keys)


def test_subsampling_equals_cli(cli, tmp_path):
    f = write_edges(tmp_path / "g.edges", graph_edges())
    # 1e-3: every node of this small graph is frequent enough to lose occurrences.
    cli_emb, cli_keys = cli_embeddings(cli, tmp_path, f, "--weighted", "--sample", "1e-3")
    m = n2v.Node2Vec(sample=1e-3, **SMALL).fit(f, weighted=True)
    assert_same_rows(m, cli_emb, cli_keys)
    every = n2v.Node2Vec(**SMALL).fit(f, weighted=True)
    assert every.embeddings.tobytes() != m.embeddings.tobytes()


def test_shared_negatives_equal_cli(cli, tmp_path):
    f = write_edges(tmp_path / "g.edges", graph_edges())
    cli_emb, cli_keys = cli_embeddings(cli, tmp_path, f, "--weighted", "--shared-negatives")
    m = n2v.Node2Vec(shared_negatives=True, **SMALL).fit(f, weighted=True)
    assert_same_rows(m, cli_emb, cli_keys)
    assert m.get_params()["shared_negatives"] is True


def test_every_input_kind_equals_cli(cli, tmp_path):
    sp = pytest.importorskip("scipy.sparse")
    nx = pytest.importorskip("networkx")
    edges = graph_edges()
    f = write_edges(tmp_path / "g.edges", edges)
    cli_emb, cli_keys = cli_embeddings(cli, tmp_path, f, "--weighted", "--p", 0.25, "--q", 4)
    params = dict(p=0.25, q=4, **SMALL)

    n = int(edges[:, :2].max()) + 1
    # The edge list merges duplicate edges (weights summed) and mirrors undirected ones; a
    # symmetric matrix holds the same sums in both triangles.
    mat = sp.coo_matrix((edges[:, 2], (edges[:, 0].astype(int), edges[:, 1].astype(int))),
                        shape=(n, n)).tocsr()
    mat = (mat + mat.T).tocsr()
    mat.setdiag(mat.diagonal() / 2)  # a self-loop is one slot, not mirrored
    G = nx.Graph()
    for u, v, w in edges:
        u, v = int(u), int(v)
        if G.has_edge(u, v):
            G[u][v]["weight"] += w
        else:
            G.add_edge(u, v, weight=w)
    csr_file = str(tmp_path / "g.csr")
    n2v.read_graph(f, weighted=True).save_csr(csr_file)

    inputs = {
        "path": f,
        "csr file": csr_file,
        "array (E, 3)": edges,
        "float32 array": edges.astype(np.float32),
        "list of tuples": [tuple(e) for e in edges.tolist()],
        "scipy csr": mat,
        "scipy coo": mat.tocoo(),
        "networkx": G,
        "n2v.Graph": n2v.read_graph(f, weighted=True),
    }
    for name, g in inputs.items():
        m = n2v.Node2Vec(**params).fit(g, weighted=True if name == "path" else None)
        try:
            assert_same_rows(m, cli_emb, cli_keys)
        except AssertionError as e:
            raise AssertionError(f"input kind {name}: {e}") from None


def test_integer_array_unweighted_equals_cli(cli, tmp_path):
    edges = graph_edges(weighted=False)
    f = write_edges(tmp_path / "g.edges", edges, weighted=False)
    cli_emb, cli_keys = cli_embeddings(cli, tmp_path, f)
    m = n2v.Node2Vec(**SMALL).fit(edges[:, :2].astype(np.int64))
    assert_same_rows(m, cli_emb, cli_keys)
    assert m.nodes == list(range(len(cli_keys)))


def test_adam_regime_equals_cli(cli, tmp_path, edge_file):
    cli_emb, cli_keys = cli_embeddings(cli, tmp_path, edge_file, "--weighted", "--optimizer",
                                       "adam", "--epochs", 2, "--batch", 64)
    m = n2v.Node2Vec(optimizer="adam", epochs=2, batch=64, **SMALL).fit(edge_file, weighted=True)
    assert_same_rows(m, cli_emb, cli_keys)
    assert len(m.losses_) == 2


def test_walks_equal_cli(cli, tmp_path, edge_file):
    out = tmp_path / "walks.txt"
    cli("walk", "-i", edge_file, "--weighted", "-o", out, "--p", 0.5, "--q", 2,
        "--walk-length", 15, "--num-walks", 4, "--seed", 11, "--threads", 2, "--quiet")
    want = out.read_text().splitlines()
    walks = n2v.sample_walks(edge_file, walk_length=15, num_walks=4, p=0.5, q=2, seed=11,
                             workers=2, weighted=True, names=True)
    assert [" ".join(w) for w in walks] == want
    arr = n2v.sample_walks(edge_file, walk_length=15, num_walks=4, p=0.5, q=2, seed=11,
                           workers=1, weighted=True)
    assert arr.dtype == np.int32 and arr.shape == (len(want), 15)
    names = n2v.read_graph(edge_file, weighted=True).names
    assert [" ".join(names[v] for v in row if v >= 0) for row in arr] == want


def test_walks_end_early_on_sinks(tmp_path):
    # Directed: node 2 has no out-edges, so walks reaching it stop; -1 pads the row.
    walks = n2v.sample_walks(np.array([[0, 1], [1, 2]]), walk_length=5, num_walks=1,
                             directed=True)
    assert walks.tolist() == [[0, 1, 2, -1, -1], [1, 2, -1, -1, -1], [2, -1, -1, -1, -1]]


def test_defaults_are_the_cli_defaults(cli):
    r = cli("train", "-i", "x", "-o", "y", "--dump-config")
    flags = dict(re.findall(r"^([a-z0-9-]+)=(.*)$", r.stdout, re.M))
    names = {"walk-length": "walk_length", "num-walks": "num_walks", "window-size": "window",
             "threads": "workers", "checkpoint-every": "checkpoint_every",
             "checkpoint-dir": "checkpoint_dir"}
    params = n2v.Node2Vec().get_params()
    # --no-report: in Python a report is written only when report= names its file.
    # --sync-every, --gpu-transport: how ranks under mpirun sync, CLI-only settings (Python runs
    # one process).
    skip = {"input", "weighted", "directed", "output", "format", "quiet", "no-report",
            "sync-every", "gpu-transport"}
    seen = set()
    for flag, text in flags.items():
        if flag in skip:
            continue
        key = names.get(flag, flag.replace("-", "_"))
        assert key in params, f"--{flag} has no Node2Vec keyword"
        seen.add(key)
        want = text.strip('"\'')
        got = params[key]
        if key == "lr":
            assert got is None and float(want) < 0
        elif got is None:
            assert want == "", (flag, want)
        elif isinstance(got, str):
            assert got == want, (flag, got, want)
        elif isinstance(got, bool):
            assert str(got).lower() == want, (flag, got, want)
        else:
            assert float(got) == float(want), (flag, got, want)
    # Every training keyword but the Python-only ones is a CLI flag.
    assert set(params) - seen <= {"verbose", "callback"}


def test_movielens_equals_cli(cli, tmp_path):
    data = REPO / "data" / "ml-latest-small"
    if not (data / "ratings.csv").is_file():
        pytest.skip("data/ml-latest-small is not in this tree")
    r = cli("movielens", "--data", data, "--out", tmp_path / "cli", "--threads", 2,
            "--device", "cpu", "--quiet")
    res = n2v.movielens(data, out=tmp_path / "py", workers=2, device="cpu")
    assert res["text"].strip() == r.stdout.strip()
    assert res["embeddings"].shape == (1405, 50)
    assert len(res["similar"]) == 5
    a, _ = n2v.read_embeddings(tmp_path / "cli" / "embeddings.w2v.txt")
    b, _ = n2v.read_embeddings(tmp_path / "py" / "embeddings.w2v.txt")
    assert np.array_equal(a, b)


def test_evaluate_equals_cli(cli, tmp_path, edge_file):
    out = tmp_path / "eval.json"
    cli("eval", "-i", edge_file, "--weighted", "--p", "0.5,2", "--q", 1, "--dimensions", 16,
        "--walk-length", 20, "--num-walks", 3, "--threads", 1, "--seed", 7, "--device", "cpu",
        "--json", out, "--quiet")
    want = json.loads(out.read_text())
    got = n2v.evaluate(edge_file, p=[0.5, 2], q=1, weighted=True, **SMALL)
    assert got["test_edges"] == want["test_edges"]
    assert len(got["points"]) == len(want["results"]) == 2
    for pt, w in zip(got["points"], want["results"]):
        assert (pt["p"], pt["q"]) == (w["p"], w["q"])
        assert pt["cosine_auc"] == w["auc_cosine"]
        for op in ("hadamard", "average", "l1", "l2"):
            assert pt["operator_auc"][op] == w[f"auc_{op}"], op
        assert pt["final_loss"] == w["final_loss"]


def cli_defaults(cli, *args):
    r = cli(*args, "--dump-config")
    return {k: v.strip('"\'') for k, v in re.findall(r"^([A-Za-z0-9-]+)=(.*)$", r.stdout, re.M)}


def keyword_defaults(fn):
    return {k: p.default for k, p in inspect.signature(fn).parameters.items()
            if p.default is not inspect.Parameter.empty}


def same_default(got, want):
    if isinstance(got, (list, tuple)):
        return [float(x) for x in got] == [float(x) for x in json.loads(want)]
    if isinstance(got, bool):
        return str(got).lower() == want
    if isinstance(got, str):
        return got == want
    # The CLI prints doubles to ~6 digits (kAdamDefaultLr is 1e-3f, 0.0010000000474974513).
    return float(got) == float(want) or np.float32(got) == np.float32(want)


@pytest.mark.parametrize("command,fn,names,cli_only", [
    (["walk", "-i", "x", "-o", "y"], n2v.sample_walks,
     {"walk-length": "walk_length", "num-walks": "num_walks", "threads": "workers"},
     # --partition splits the graph over mpirun's ranks; Python runs as one process.
     {"input", "output", "weighted", "directed", "quiet", "no-report", "partition"}),
    (["movielens"], n2v.movielens,
     {"min-rating": "min_rating", "min-weight": "min_weight", "num-walks": "num_walks",
      "num-steps": "num_steps", "threads": "workers"},
     # --out's default directory is the CLI's; Python writes nothing unless out= is given.
     # --query's default (the seed's five titles) is queries=None.
     {"out", "query", "quiet", "no-report"}),
    (["eval", "-i", "x"], n2v.evaluate,
     {"test-fraction": "test_fraction", "skip-unknown-labels": "skip_unknown_labels",
      "train-fraction": "train_fraction", "residual-out": "residual_out"},
     # The training flags are Node2Vec's keywords (**model), checked above; --json is the CLI's
     # file of what evaluate() returns.
     {"input", "weighted", "directed", "quiet", "json", "no-report", "walk-length", "num-walks",
      "dimensions", "window-size", "epochs", "negative", "optimizer", "lr", "embedding",
      "sample", "shared-negatives", "batch", "l2", "threads", "seed", "device", "sync-every",
      "gpu-transport"}),
])
def test_other_commands_defaults(cli, command, fn, names, cli_only):
    want = cli_defaults(cli, *command)
    got = keyword_defaults(fn)
    for flag, text in want.items():
        if flag in cli_only:
            continue
        key = names.get(flag, flag.replace("-", "_"))
        assert key in got, f"n2v {command[0]} --{flag} has no keyword in {fn.__name__}()"
        if text == "" and got[key] is None:
            continue
        assert same_default(got[key], text), (flag, got[key], text)
