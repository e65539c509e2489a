"""The Python API's own behaviour: keys, formats, gensim, errors, progress, the GIL, leaks."""

import gc
import os
import threading
import time

import numpy as np
import pytest

import n2v
from conftest import graph_edges, write_edges

FAST = dict(dimensions=16, walk_length=10, num_walks=2, workers=1, seed=1, device="cpu")


def test_networkx_node_keys_survive():
    nx = pytest.importorskip("networkx")
    G = nx.karate_club_graph()
    G = nx.relabel_nodes(G, {i: f"member {i}" for i in G.nodes})
    G.add_edge(("a", 1), "member 0")  # any hashable key
    m = n2v.Node2Vec(**FAST).fit(G)
    assert m.nodes == list(G.nodes)
    assert m.embeddings.shape == (G.number_of_nodes(), 16)
    hits = m.most_similar("member 0", k=5)
    assert len(hits) == 5 and all(k in G for k, _ in hits)
    assert "member 0" not in [k for k, _ in hits]
    assert m.most_similar(("a", 1), k=1)[0][0] in G
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)


def test_graph_properties(tmp_path):
    # A path a-b-c and a self-loop on d (one slot): degrees are the rows' lengths.
    f = tmp_path / "g.edges"
    f.write_text("a b\nb c\nd d\n")
    g = n2v.read_graph(f)
    assert g.num_nodes == 4 and g.num_edges == 3 and not g.directed
    assert g.degrees.dtype == np.int64
    assert g.degrees.tolist() == [1, 2, 1, 1]
    assert g.num_edge_slots == int(g.degrees.sum())
    assert g.names == ["a", "b", "c", "d"]


def test_networkx_weights_and_direction_are_read():
    nx = pytest.importorskip("networkx")
    D = nx.DiGraph()
    D.add_edge("x", "y", weight=2.5)
    D.add_edge("y", "z", weight=0.5)
    g = n2v._graph.as_graph(D)
    assert g.graph.directed and g.graph.num_edges == 2
    u = n2v._graph.as_graph(D, directed=False)
    assert not u.graph.directed and u.graph.num_edges == 2


def test_embeddings_are_not_copied():
    m = n2v.Node2Vec(**FAST).fit(graph_edges())
    a, b = m.embeddings, m.embeddings
    assert a.dtype == np.float32 and a.flags["C_CONTIGUOUS"]
    assert a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    assert not a.flags["OWNDATA"]  # a view of the library's buffer
    # The view keeps the table alive after the model is gone.
    copy = a.copy()
    del m, b
    gc.collect()
    junk = [np.full(a.shape, 7.0, dtype=np.float32) for _ in range(8)]  # reuse freed memory
    assert np.array_equal(a, copy)
    del junk


def test_gensim_keyed_vectors():
    pytest.importorskip("gensim")
    m = n2v.Node2Vec(**FAST).fit(graph_edges())
    kv = m.wv
    assert kv.vector_size == 16 and len(kv) == len(m.nodes)
    assert np.array_equal(kv[5], m.embeddings[5])
    ours = [k for k, _ in m.most_similar(5, k=5)]
    theirs = [k for k, _ in kv.most_similar(5, topn=5)]
    assert ours == theirs


def test_save_formats_read_back(tmp_path):
    m = n2v.Node2Vec(**FAST).fit(graph_edges())
    for name in ("e.npy", "e.bin", "e.w2v"):
        m.save(tmp_path / name)
        emb, keys = n2v.read_embeddings(tmp_path / name)
        assert keys == [str(k) for k in m.nodes]
        if name == "e.w2v":
            np.testing.assert_allclose(emb, m.embeddings, rtol=1e-6, atol=1e-7)
        else:
            assert np.array_equal(emb, m.embeddings)
    m.save(tmp_path / "p.tsv")
    assert (tmp_path / "p.tsv").read_text().count("\n") == len(m.nodes)


def test_save_with_gensim_loads(tmp_path):
    gensim = pytest.importorskip("gensim")
    m = n2v.Node2Vec(**FAST).fit(graph_edges())
    m.save(tmp_path / "e.bin")
    kv = gensim.models.KeyedVectors.load_word2vec_format(str(tmp_path / "e.bin"), binary=True)
    assert np.array_equal(kv["5"], m.embeddings[5])


def test_sklearn_protocol():
    m = n2v.Node2Vec(p=0.5)
    params = m.get_params()
    assert params["p"] == 0.5 and params["dimensions"] == 128
    clone = n2v.Node2Vec(**params)
    assert clone.get_params() == params
    m.set_params(q=3.0)
    assert m.q == 3.0
    with pytest.raises(ValueError, match="no parameter 'bogus'"):
        m.set_params(bogus=1)
    assert "p=0.5" in repr(m)
    with pytest.raises(n2v.NotFittedError):
        m.embeddings
    emb = n2v.Node2Vec(**FAST).fit_transform(graph_edges())
    assert emb.shape[1] == 16


def test_help_documents_every_keyword():
    doc = n2v.Node2Vec.__doc__
    for k in n2v.Node2Vec().get_params():
        assert k in doc, k
    assert "walk_length" in n2v.sample_walks.__doc__ or "n2v walk" in n2v.sample_walks.__doc__


def test_progress_callback_and_verbose(capsys):
    events = []
    n2v.Node2Vec(epochs=2, callback=events.append, **FAST).fit(graph_edges())
    kinds = [e["kind"] for e in events]
    assert kinds.count("epoch") == 2
    assert events[-1]["epoch"] == 2 and events[-1]["loss"] > 0
    n2v.Node2Vec(verbose=True, **FAST).fit(graph_edges())
    assert "Epoch 1/1" in capsys.readouterr().err


def test_callback_exception_stops_the_run():
    def boom(e):
        if e["kind"] == "progress":
            raise RuntimeError("stop here")

    g = graph_edges(n=3000, extra=30000)
    with pytest.raises(RuntimeError, match="stop here"):
        n2v.Node2Vec(dimensions=16, walk_length=40, num_walks=5, workers=1,
                     callback=boom).fit(g)


def test_gil_is_released_while_training():
    g = graph_edges(n=5000, extra=50000)
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)

    t = threading.Thread(target=tick)
    t.start()
    try:
        start = time.perf_counter()
        n2v.Node2Vec(dimensions=32, walk_length=40, num_walks=4, workers=1).fit(g)
        stop = time.perf_counter()
    finally:
        done.set()
        t.join()
    inside = [x for x in ticks if start < x < stop]
    # The other thread ran all along (with the GIL held by fit() it could not tick at all);
    # a loaded machine may slow it, so one tick per 200 ms is enough.
    assert stop - start > 0.1
    assert len(inside) >= (stop - start) / 0.2


def test_no_leak_across_repeated_fits():
    g = graph_edges(n=400, extra=2000)
    model = n2v.Node2Vec(**FAST)

    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    for _ in range(5):
        model.fit(g)
        model.most_similar(0, k=3)
    gc.collect()
    before = rss()
    for _ in range(40):
        model.fit(g)
        model.most_similar(0, k=3)
        n2v.sample_walks(g, walk_length=10, num_walks=2)
    gc.collect()
    grown = rss() - before
    # 40 fits allocate ~40 x 25 KiB of embeddings and ~40 x 30 KiB of walks; none may stay.
    assert grown < 4 << 20, f"RSS grew by {grown >> 10} KiB over 40 fits"


def test_resolve_device_and_cuda_errors():
    d = n2v.resolve_device("cpu")
    assert not d["cuda"] and d["description"].startswith("cpu")
    auto = n2v.resolve_device("auto")
    if not auto["cuda"]:
        if n2v.with_cuda:
            assert auto["note"]  # why a CUDA build is on the CPU
        with pytest.raises(RuntimeError):
            n2v.Node2Vec(**dict(FAST, device="cuda")).fit(graph_edges())
    with pytest.raises(ValueError, match="device"):
        n2v.Node2Vec(**dict(FAST, device="tpu")).fit(graph_edges())


def test_labels_dict_for_node_classification():
    nx = pytest.importorskip("networkx")
    G = nx.karate_club_graph()
    labels = {v: G.nodes[v]["club"].replace(" ", "_") for v in G}
    r = n2v.evaluate(G, task="node", labels=labels, repeats=3, **FAST)
    assert r["labels"] == 2 and r["labelled_nodes"] == 34
    assert 0 <= r["points"][0]["macro_f1"] <= 1


def test_checkpoint_and_resume(tmp_path):
    g = graph_edges()
    ck = tmp_path / "ck"
    full = n2v.Node2Vec(epochs=2, checkpoint_every=1, checkpoint_dir=str(ck), **FAST).fit(g)
    assert sorted(os.listdir(ck)) == ["epoch-1.ckpt", "epoch-2.ckpt"]
    resumed = n2v.Node2Vec(epochs=2, resume=str(ck / "epoch-1.ckpt"), **FAST).fit(g)
    assert resumed.first_epoch_ == 1
    assert np.array_equal(resumed.embeddings, full.embeddings)


def test_write_walk_file_for_gensim(tmp_path):
    # names=True gives lists of keys, what gensim's Word2Vec(sentences=...) takes.
    f = write_edges(tmp_path / "g.edges", graph_edges())
    walks = n2v.sample_walks(f, walk_length=6, num_walks=1, names=True, weighted=True)
    assert all(isinstance(x, str) for w in walks for x in w)


def test_reports(tmp_path):
    g = graph_edges()
    page = tmp_path / "train.html"
    m = n2v.Node2Vec(report=str(page), report_hubs=3, **FAST).fit(g)
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html
    assert len(m.nodes) == 120
    walk_page = tmp_path / "walk.html"
    n2v.sample_walks(g, walk_length=10, num_walks=2, report=walk_page)
    assert "</html>" in walk_page.read_text()
    eval_page = tmp_path / "eval.html"
    n2v.evaluate(g, p=[0.5, 1], report=eval_page, **FAST)
    assert "</html>" in eval_page.read_text()
    # A report that cannot be written fails before the work, and nothing is written.
    bad = tmp_path / "missing" / "r.html"
    with pytest.raises(ValueError, match="report"):
        n2v.Node2Vec(report=str(bad), **FAST).fit(g)
    with pytest.raises(ValueError, match="report-points"):
        n2v.Node2Vec(report=str(page), report_points=0, **FAST).fit(g)
    assert not bad.parent.exists()
    assert sorted(os.listdir(tmp_path)) == ["eval.html", "train.html", "walk.html"]
