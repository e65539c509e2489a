"""Bad input raises the right exception with the CLI's one-line message; Ctrl-C raises
KeyboardInterrupt within a second and leaves nothing written."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import n2v
from conftest import REPO

FAST = dict(dimensions=8, walk_length=5, num_walks=1, workers=1)


def cli_message(cli, *args):
    r = cli(*args, check=False)
    assert r.returncode != 0
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith("n2v: "), r.stderr
    return line[len("n2v: "):]


@pytest.mark.parametrize("content,exc", [
    ("a b nan\n", ValueError),
    ("a b -1\n", ValueError),
    ("a b 0\n", ValueError),
    ("a b 1\nc d\n", ValueError),
    ("", ValueError),
    ("# only a comment\n", ValueError),
])
def test_bad_files_give_the_cli_message(cli, tmp_path, content, exc):
    f = tmp_path / "bad.edges"
    f.write_text(content)
    want = cli_message(cli, "train", "-i", f, "--weighted", "-o", tmp_path / "out.w2v")
    with pytest.raises(exc) as e:
        n2v.Node2Vec(**FAST).fit(str(f), weighted=True)
    # The one difference: the flag the reader names is a keyword in Python.
    assert str(e.value) == want.replace("--weighted", "weighted=True")
    assert not (tmp_path / "out.w2v").exists()


def test_missing_file(cli, tmp_path):
    missing = tmp_path / "nope.edges"
    want = cli_message(cli, "train", "-i", missing, "-o", tmp_path / "o.w2v")
    with pytest.raises(FileNotFoundError) as e:
        n2v.Node2Vec(**FAST).fit(missing)
    assert str(e.value) == want
    assert isinstance(e.value, OSError)


@pytest.mark.parametrize("flag,value,kw", [
    ("--p", -1, dict(p=-1.0)),
    ("--q", 0, dict(q=0.0)),
    ("--walk-length", 0, dict(walk_length=0)),
    ("--dimensions", 0, dict(dimensions=0)),
    ("--window-size", 0, dict(window=0)),
    ("--sample", -1, dict(sample=-1.0)),
])
def test_bad_options_give_the_cli_message(cli, tmp_path, flag, value, kw):
    f = tmp_path / "g.edges"
    f.write_text("a b\nb c\n")
    want = cli_message(cli, "train", "-i", f, "-o", tmp_path / "o.w2v", flag, value)
    params = dict(FAST, **kw)
    with pytest.raises(ValueError) as e:
        n2v.Node2Vec(**params).fit(str(f))
    assert str(e.value) == want


def test_bad_weights_in_arrays():
    with pytest.raises(ValueError, match=r"^graph: edge 1: weight: expected a finite number > 0, "
                                         r"got nan$"):
        n2v.Node2Vec(**FAST).fit(np.array([[0, 1, 1.0], [1, 2, np.nan]]))
    with pytest.raises(ValueError, match=r"^graph: edge 0: weight: expected a finite number > 0, "
                                         r"got -2$"):
        n2v.Node2Vec(**FAST).fit(np.array([[0, 1, -2.0], [1, 2, 1.0]]))


def test_empty_graphs():
    with pytest.raises(ValueError, match=r"^graph: the graph has no nodes$"):
        n2v.Node2Vec(**FAST).fit(np.zeros((0, 2), dtype=np.int64))
    with pytest.raises(ValueError, match=r"^graph: the graph has 5 nodes but no edges; walks "
                                         r"need edges$"):
        n2v.Node2Vec(**FAST).fit(np.zeros((0, 2), dtype=np.int64), num_nodes=5)
    nx = pytest.importorskip("networkx")
    with pytest.raises(ValueError, match="the graph has no nodes"):
        n2v.Node2Vec(**FAST).fit(nx.Graph())
    G = nx.Graph()
    G.add_nodes_from([1, 2, 3])
    with pytest.raises(ValueError, match="3 nodes but no edges"):
        n2v.sample_walks(G)


def test_wrong_types_and_shapes():
    with pytest.raises(TypeError, match="dtype <U1"):
        n2v.Node2Vec(**FAST).fit(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="dtype complex128"):
        n2v.Node2Vec(**FAST).fit(np.array([[0, 1j]]))
    with pytest.raises(TypeError, match="dtype bool"):
        n2v.Node2Vec(**FAST).fit(np.array([[True, False]]))
    with pytest.raises(ValueError, match=r"\(E, 2\) or \(E, 3\).*shape \(2, 4\)"):
        n2v.Node2Vec(**FAST).fit(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"shape \(6,\)"):
        n2v.Node2Vec(**FAST).fit(np.arange(6))
    with pytest.raises(TypeError, match="got dict"):
        n2v.Node2Vec(**FAST).fit({"a": "b"})
    with pytest.raises(ValueError, match=r"edge 1: dst: expected an integer node id, got 2\.5"):
        n2v.Node2Vec(**FAST).fit(np.array([[0, 1], [1, 2.5]]))
    with pytest.raises(ValueError, match=r"edge 0: src: expected a node id >= 0, got -1"):
        n2v.Node2Vec(**FAST).fit(np.array([[-1, 1]]))
    with pytest.raises(ValueError, match=r"weighted=True: expected an \(E, 3\) array"):
        n2v.Node2Vec(**FAST).fit(np.array([[0, 1]]), weighted=True)
    sp = pytest.importorskip("scipy.sparse")
    with pytest.raises(ValueError, match="square"):
        n2v.Node2Vec(**FAST).fit(sp.csr_matrix(np.ones((2, 3))))


def test_unknown_node():
    m = n2v.Node2Vec(**FAST).fit(np.array([[0, 1], [1, 2]]))
    with pytest.raises(n2v.UnknownNodeError) as e:
        m.most_similar(7)
    assert isinstance(e.value, KeyError) and isinstance(e.value, ValueError)
    assert str(e.value).startswith("no key '7' in the model; closest keys: ")
    nx = pytest.importorskip("networkx")
    G = nx.Graph([("alice", "bob"), ("bob", "carol")])
    m = n2v.Node2Vec(**FAST).fit(G)
    with pytest.raises(KeyError, match="closest keys: 'alice'"):
        m.most_similar("alic")
    with pytest.raises(ValueError, match="k: expected at least 1"):
        m.most_similar("bob", k=0)


def test_unwritable_output_writes_nothing(tmp_path):
    m = n2v.Node2Vec(**FAST).fit(np.array([[0, 1], [1, 2]]))
    target = tmp_path / "no-such-dir" / "e.w2v"
    with pytest.raises(OSError) as e:
        m.save(target)
    assert str(target) in str(e.value)
    assert not target.parent.exists()
    with pytest.raises(ValueError, match="format: expected"):
        m.save(tmp_path / "e.x", format="csv")
    assert os.listdir(tmp_path) == []


INTERRUPT_SCRIPT = textwrap.dedent("""
    import sys, time, numpy as np
    import n2v
    rng = np.random.default_rng(0)
    edges = rng.integers(0, 200000, size=(2000000, 2))
    model = n2v.Node2Vec(dimensions=64, walk_length=80, num_walks=10, workers=2)
    print("fitting", flush=True)
    t = time.perf_counter()
    try:
        model.fit(edges)
    except KeyboardInterrupt:
        print(f"interrupted after {time.perf_counter() - t:.2f} s", flush=True)
        raise
    model.save(sys.argv[1])
""")


def test_ctrl_c_raises_keyboard_interrupt_within_a_second(tmp_path):
    out = tmp_path / "emb.w2v"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    p = subprocess.Popen([sys.executable, "-c", INTERRUPT_SCRIPT, str(out)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "fitting"
    time.sleep(3.0)  # the graph is built and training has started (it takes minutes)
    assert p.poll() is None, p.stderr.read()
    sent = time.perf_counter()
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=30)
    waited = time.perf_counter() - sent
    assert p.returncode != 0
    assert "KeyboardInterrupt" in stderr
    assert "interrupted after" in stdout
    assert waited < 1.0, f"exited {waited:.2f} s after SIGINT"
    assert not out.exists() and os.listdir(tmp_path) == []
