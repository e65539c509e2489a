"""Trains gensim Word2Vec on a walks file the way node2vec tools call it (bench/compare helper).

Usage: gensim_train.py WALKS OUT_W2V DIM WINDOW NEGATIVE EPOCHS WORKERS SAMPLE [corpus_file|sentences]
Skip-gram with negative sampling (sg=1, hs=0), min_count=0, alpha 0.025 → 0.0001, as PecanPy
and the reference node2vec call it; `sample` is passed through (gensim's default is 1e-3; the
comparison uses 0, n2v's setting). corpus_file mode (default) is gensim's fastest path (no GIL);
sentences mode reads the walks into lists first, as PecanPy's embed() does. Prints one JSON
line with the training seconds and words/s; writes word2vec text.
"""
import json
import sys
import time

from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence


def main():
    walks, out, dim, window, negative, epochs, workers, sample = sys.argv[1:9]
    mode = sys.argv[9] if len(sys.argv) > 9 else "corpus_file"
    kw = dict(vector_size=int(dim), window=int(window), negative=int(negative), epochs=int(epochs),
              workers=int(workers), sample=float(sample), sg=1, hs=0, min_count=0, alpha=0.025,
              min_alpha=0.0001, seed=1)
    words = 0
    with open(walks) as f:
        for line in f:
            words += len(line.split())
    t0 = time.perf_counter()
    if mode == "corpus_file":
        model = Word2Vec(corpus_file=walks, **kw)
    else:
        sentences = list(LineSentence(walks))
        t0 = time.perf_counter()  # training only, as in corpus_file mode
        model = Word2Vec(sentences=sentences, **kw)
    t1 = time.perf_counter()
    model.wv.save_word2vec_format(out)
    print(json.dumps({"tool": f"gensim-{mode}", "train_s": t1 - t0, "words": words * int(epochs),
                      "words_per_s": words * int(epochs) / (t1 - t0)}))


if __name__ == "__main__":
    main()
