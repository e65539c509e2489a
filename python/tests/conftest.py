"""Fixtures of the Python suite: the CLI to compare with, and small graphs in every input kind."""

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


def _cli_path():
    env = os.environ.get("N2V_CLI")
    if env:
        return env
    for cand in (REPO / "build" / "n2v", REPO / "build-cpu" / "n2v"):
        if cand.is_file():
            return str(cand)
    return shutil.which("n2v")


@pytest.fixture(scope="session")
def cli():
    """Runs the `n2v` command line (N2V_CLI, else build/n2v); returns the CompletedProcess."""
    path = _cli_path()
    if not path:
        pytest.skip("no n2v CLI to compare with (set N2V_CLI or build build/n2v)")

    def run(*args, check=True):
        r = subprocess.run([path, *map(str, args)], capture_output=True, text=True)
        if check and r.returncode != 0:
            raise AssertionError(f"n2v {' '.join(map(str, args))} exited {r.returncode}:\n"
                                 f"{r.stderr}")
        return r

    return run


def graph_edges(n=120, extra=400, seed=3, weighted=True):
    """Edges (E, 3) float64 of a connected graph whose nodes first appear in order 0..n-1 (a path
    0-1-...-(n-1) comes first), so an edge-list file of it numbers nodes as the array does.
    Weights are multiples of 1/4, exact in text and in float32."""
    rng = np.random.default_rng(seed)
    path = np.stack([np.arange(n - 1), np.arange(1, n)], axis=1)
    rand = rng.integers(0, n, size=(extra, 2))
    rand = rand[rand[:, 0] != rand[:, 1]]
    ends = np.concatenate([path, rand]).astype(np.float64)
    w = rng.integers(1, 16, size=len(ends)) / 4.0 if weighted else np.ones(len(ends))
    return np.column_stack([ends, w])


def write_edges(path, edges, weighted=True):
    with open(path, "w") as f:
        for u, v, w in edges:
            if weighted:
                f.write(f"{int(u)} {int(v)} {w:g}\n")
            else:
                f.write(f"{int(u)} {int(v)}\n")
    return str(path)


@pytest.fixture
def edges():
    return graph_edges()


@pytest.fixture
def edge_file(tmp_path, edges):
    return write_edges(tmp_path / "g.edges", edges)
