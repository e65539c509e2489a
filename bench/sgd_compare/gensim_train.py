#!/usr/bin/env python3
"""gensim's Word2Vec on a walk file, with the settings n2v's word2vec regime uses by default.

sg=1, hs=0, negative=5, window=10, vector_size=128, sample=0, min_count=0, alpha=0.025,
min_alpha=0.0001, epochs=1, workers=2 (each overridable). The corpus is read with gensim's
corpus_file mode (its fastest: Cython reads the file, no GIL, no Python job queue); --mode
sentences reads it into Python lists first and trains from them instead. Only model.train() is
timed (the vocabulary scan is not). Prints one JSON line; --out writes the vectors as word2vec
text.
"""

import argparse
import json
import time

from gensim.models import Word2Vec
from gensim.models.word2vec import FAST_VERSION


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("walks")
    ap.add_argument("--out", default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--window", type=int, default=10)
    ap.add_argument("--negative", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--alpha", type=float, default=0.025)
    ap.add_argument("--min-alpha", type=float, default=0.0001)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--mode", choices=["file", "sentences"], default="file")
    a = ap.parse_args()
    if FAST_VERSION < 0:
        raise SystemExit("gensim_train.py: gensim's compiled routines are missing (FAST_VERSION < 0)")
    m = Word2Vec(sg=1, hs=0, negative=a.negative, window=a.window, vector_size=a.dim, sample=0,
                 min_count=0, workers=a.workers, alpha=a.alpha, min_alpha=a.min_alpha,
                 seed=a.seed)
    if a.mode == "file":
        m.build_vocab(corpus_file=a.walks)
        t = time.perf_counter()
        m.train(corpus_file=a.walks, total_words=m.corpus_total_words,
                total_examples=m.corpus_count, epochs=a.epochs)
    else:
        with open(a.walks) as f:
            sentences = [line.split() for line in f]
        m.build_vocab(sentences)
        t = time.perf_counter()
        m.train(sentences, total_examples=len(sentences), epochs=a.epochs)
    seconds = time.perf_counter() - t
    words = m.corpus_total_words
    if a.out:
        m.wv.save_word2vec_format(a.out)
    print(json.dumps({"tool": "gensim", "mode": a.mode, "nodes": len(m.wv), "words": words,
                      "epochs": a.epochs, "threads": a.workers, "seconds": round(seconds, 4),
                      "words_per_s": round(words * a.epochs / seconds, 1)}))


if __name__ == "__main__":
    main()
