#!/usr/bin/env python3
"""Faithful TensorFlow/Keras port of the Keras example "Graph representation learning with
node2vec" (Khalid Salama, 2021-05-15; shared/seed/node2vec_movielens_keras_example.txt), with
the indentation that the seed's text lost restored. It is the speed and quality anchor that
n2v's `n2v movielens` is measured against (bench/movielens.sh).

Every computational step is the seed's, in the seed's order, with the seed's parameters:
  graph     min_rating = 5, item/pair frequencies per user, PMI weight
            (log xy - log x - log y + log D) * xy, edge if weight >= min_weight = 10, networkx
  walks     next_step / random_walk as written (networkx neighbours, np.random.choice),
            p = q = 1, num_walks = 5, num_steps = 10
  examples  keras.preprocessing.sequence.skipgrams per walk, window_size = num_steps,
            negative_samples = 4, (min, max) pairs, self-pairs dropped, duplicates counted
            into weights
  training  tf.data: from_tensor_slices, shuffle(2048), batch(1024, drop_remainder=True),
            prefetch; one Embedding(he_normal, l2(1e-6)) table shared by target and
            context, Dot(axes=1), BinaryCrossentropy(from_logits=True), Adam(1e-3),
            embedding_dim = 50, 10 epochs, examples weighted by their counts
  similarity  the seed's "cosine" top-5 for its five query titles

What differs from the seed (none of it changes the computation that is timed):
  * The data are read from --data (default data/ml-latest-small) instead of being downloaded.
  * keras.utils.plot_model and the matplotlib loss plot are left out (they need pydot /
    graphviz / a display and compute nothing); the per-epoch losses are written to JSON.
  * model.fit runs with verbose=2 (one line per epoch instead of a progress bar).
  * The seed seeds nothing; here --seed seeds Python's `random`, numpy and TensorFlow
    (keras.utils.set_random_seed) so that a run can be repeated. --seed -1 seeds nothing.
  * --epochs overrides num_epochs (default 10, the seed's).
  * The seed's embeddings.tsv/metadata.tsv export is replaced by a word2vec text file keyed
    by the numeric movieId. The seed's export has an off-by-one (it enumerates
    vocabulary[1:] but indexes movie_embeddings[idx], so every movie gets the vector of the
    token before it, the first one the "NA" row's); the export here uses the right row.
  * The seed's similarity step calls tf.math.l2_normalize without an axis, which in TF 2
    normalises the WHOLE matrix by one scalar, not each row. Its "cosine" top-5 is therefore
    a ranking by plain dot product (the query's norm is a constant per row). This port keeps
    that exactly ("top5_seed"), and also reports the true per-row cosine top-5
    ("top5_cosine") for reference.
  * If keras.preprocessing.sequence.skipgrams is missing (Keras 3 removed it), a copy of the
    Keras 2.15 implementation below is used; with the pinned tensorflow-cpu 2.15.1 /
    keras 2.15 the library's own function is used (the JSON records which).

Timed stages (wall seconds, and process CPU seconds over all threads as "cpu_s", printed and
written to <out>/keras_run.json): load (read the CSVs,
make the "movie_<id>" strings), graph (frequencies, PMI graph, vocabulary), walks, examples,
training (dataset, model, compile, fit, read the weights), similarity (query lookup, top-5,
titles), total (load through similarity; excludes importing TensorFlow and writing files).

Outputs in --out: keras_run.json (timings, per-epoch loss, counts, top-5 lists, versions),
embeddings.w2v.txt (first line "count dim", then "movieId v1 ... v50" for each graph node).
"""

import argparse
import json
import math
import os
import platform
import random
import sys
import time
from collections import defaultdict

_T_IMPORT0 = time.perf_counter()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from tqdm import tqdm  # noqa: E402

import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402
from tensorflow.keras import layers  # noqa: E402

_IMPORT_S = time.perf_counter() - _T_IMPORT0


def _skipgrams_keras2(sequence, vocabulary_size, window_size=4, negative_samples=1.0,
                      shuffle=True, categorical=False, sampling_table=None, seed=None):
    """keras.preprocessing.sequence.skipgrams as in Keras 2.15 (keras/src/preprocessing/
    sequence.py), reproduced line for line so the same Python `random` calls happen in the
    same order. Only used when the installed Keras no longer provides it (Keras 3)."""
    couples = []
    labels = []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None:
            if sampling_table[wi] < random.random():
                continue

        window_start = max(0, i - window_size)
        window_end = min(len(sequence), i + window_size + 1)
        for j in range(window_start, window_end):
            if j != i:
                wj = sequence[j]
                if not wj:
                    continue
                couples.append([wi, wj])
                if categorical:
                    labels.append([0, 1])
                else:
                    labels.append(1)

    if negative_samples > 0:
        num_negative_samples = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)

        couples += [
            [words[i % len(words)], random.randint(1, vocabulary_size - 1)]
            for i in range(num_negative_samples)
        ]
        if categorical:
            labels += [[1, 0]] * num_negative_samples
        else:
            labels += [0] * num_negative_samples

    if shuffle:
        if seed is None:
            seed = random.randint(0, 10e6)
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)

    return couples, labels


def _keras_version():
    # tensorflow.keras is a lazy loader without __version__; ask the keras package.
    try:
        import keras as _keras_pkg
        return _keras_pkg.__version__
    except Exception:  # pragma: no cover
        return "?"


KERAS_VERSION = _keras_version()
try:
    skipgrams = keras.preprocessing.sequence.skipgrams
    SKIPGRAMS_SOURCE = "keras.preprocessing.sequence.skipgrams (Keras %s)" % KERAS_VERSION
except AttributeError:
    skipgrams = _skipgrams_keras2
    SKIPGRAMS_SOURCE = "reimplementation of Keras 2.15 skipgrams (not in Keras %s)" % KERAS_VERSION


QUERY_MOVIES = [
    "Matrix, The (1999)",
    "Star Wars: Episode IV - A New Hope (1977)",
    "Lion King, The (1994)",
    "Terminator 2: Judgment Day (1991)",
    "Godfather, The (1972)",
]


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(here, "..", "data", "ml-latest-small"),
                    help="folder with movies.csv and ratings.csv (default: data/ml-latest-small)")
    ap.add_argument("--out", default=os.path.join(here, "work", "keras"),
                    help="output folder (default: bench/work/keras)")
    ap.add_argument("--epochs", type=int, default=10, help="num_epochs (seed: 10)")
    ap.add_argument("--seed", type=int, default=42,
                    help="seed for random, numpy and TensorFlow; -1 = unseeded like the seed")
    ap.add_argument("--quiet", action="store_true", help="disable the tqdm progress bars")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    tq = dict(position=0, leave=True, disable=args.quiet)

    if args.seed >= 0:
        keras.utils.set_random_seed(args.seed)  # random, numpy and tf

    timings = {}
    cpu = {}  # per-stage process CPU seconds (all threads): robust to other load on the machine
    t_all = time.perf_counter()
    c_all = time.process_time()

    # ---------------------------------------------------------------- load
    t0, c0 = time.perf_counter(), time.process_time()
    # Load movies to a DataFrame.
    movies = pd.read_csv(os.path.join(args.data, "movies.csv"))
    # Create a `movieId` string.
    movies["movieId"] = movies["movieId"].apply(lambda x: f"movie_{x}")
    # Load ratings to a DataFrame.
    ratings = pd.read_csv(os.path.join(args.data, "ratings.csv"))
    # Convert the `ratings` to floating point
    ratings["rating"] = ratings["rating"].apply(lambda x: float(x))
    # Create the `movie_id` string.
    ratings["movieId"] = ratings["movieId"].apply(lambda x: f"movie_{x}")
    print("Movies data shape:", movies.shape)
    print("Ratings data shape:", ratings.shape)
    timings["load"] = time.perf_counter() - t0
    cpu["load"] = time.process_time() - c0

    def get_movie_title_by_id(movieId):
        return list(movies[movies.movieId == movieId].title)[0]

    def get_movie_id_by_title(title):
        return list(movies[movies.title == title].movieId)[0]

    # ---------------------------------------------------------------- graph
    t0, c0 = time.perf_counter(), time.process_time()
    min_rating = 5
    pair_frequency = defaultdict(int)
    item_frequency = defaultdict(int)

    # Filter instances where rating is greater than or equal to min_rating.
    rated_movies = ratings[ratings.rating >= min_rating]
    # Group instances by user.
    movies_grouped_by_users = list(rated_movies.groupby("userId"))
    for group in tqdm(movies_grouped_by_users, desc="Compute movie rating frequencies", **tq):
        # Get a list of movies rated by the user.
        current_movies = list(group[1]["movieId"])

        for i in range(len(current_movies)):
            item_frequency[current_movies[i]] += 1
            for j in range(i + 1, len(current_movies)):
                x = min(current_movies[i], current_movies[j])
                y = max(current_movies[i], current_movies[j])
                pair_frequency[(x, y)] += 1

    min_weight = 10
    D = math.log(sum(item_frequency.values()))

    # Create the movies undirected graph.
    movies_graph = nx.Graph()
    # Add weighted edges between movies.
    # This automatically adds the movie nodes to the graph.
    for pair in tqdm(pair_frequency, desc="Creating the movie graph", **tq):
        x, y = pair
        xy_frequency = pair_frequency[pair]
        x_frequency = item_frequency[x]
        y_frequency = item_frequency[y]
        pmi = math.log(xy_frequency) - math.log(x_frequency) - math.log(y_frequency) + D
        weight = pmi * xy_frequency
        # Only include edges with weight >= min_weight.
        if weight >= min_weight:
            movies_graph.add_edge(x, y, weight=weight)

    print("Total number of graph nodes:", movies_graph.number_of_nodes())
    print("Total number of graph edges:", movies_graph.number_of_edges())
    degrees = []
    for node in movies_graph.nodes:
        degrees.append(movies_graph.degree[node])
    print("Average node degree:", round(sum(degrees) / len(degrees), 2))

    vocabulary = ["NA"] + list(movies_graph.nodes)
    vocabulary_lookup = {token: idx for idx, token in enumerate(vocabulary)}
    timings["graph"] = time.perf_counter() - t0
    cpu["graph"] = time.process_time() - c0

    # ---------------------------------------------------------------- walks
    def next_step(graph, previous, current, p, q):
        neighbors = list(graph.neighbors(current))

        weights = []
        # Adjust the weights of the edges to the neighbors with respect to p and q.
        for neighbor in neighbors:
            if neighbor == previous:
                # Control the probability to return to the previous node.
                weights.append(graph[current][neighbor]["weight"] / p)
            elif graph.has_edge(neighbor, previous):
                # The probability of visiting a local node.
                weights.append(graph[current][neighbor]["weight"])
            else:
                # Control the probability to move forward.
                weights.append(graph[current][neighbor]["weight"] / q)

        # Compute the probabilities of visiting each neighbor.
        weight_sum = sum(weights)
        probabilities = [weight / weight_sum for weight in weights]
        # Probabilistically select a neighbor to visit.
        next = np.random.choice(neighbors, size=1, p=probabilities)[0]
        return next

    def random_walk(graph, num_walks, num_steps, p, q):
        walks = []
        nodes = list(graph.nodes())
        # Perform multiple iterations of the random walk.
        for walk_iteration in range(num_walks):
            random.shuffle(nodes)

            for node in tqdm(
                nodes,
                desc=f"Random walks iteration {walk_iteration + 1} of {num_walks}",
                **tq,
            ):
                # Start the walk with a random node from the graph.
                walk = [node]
                # Randomly walk for num_steps.
                while len(walk) < num_steps:
                    current = walk[-1]
                    previous = walk[-2] if len(walk) > 1 else None
                    # Compute the next node to visit.
                    next = next_step(graph, previous, current, p, q)
                    walk.append(next)
                # Replace node ids (movie ids) in the walk with token ids.
                walk = [vocabulary_lookup[token] for token in walk]
                # Add the walk to the generated sequence.
                walks.append(walk)

        return walks

    t0, c0 = time.perf_counter(), time.process_time()
    # Random walk return parameter.
    p = 1
    # Random walk in-out parameter.
    q = 1
    # Number of iterations of random walks.
    num_walks = 5
    # Number of steps of each random walk.
    num_steps = 10
    walks = random_walk(movies_graph, num_walks, num_steps, p, q)
    print("Number of walks generated:", len(walks))
    timings["walks"] = time.perf_counter() - t0
    cpu["walks"] = time.process_time() - c0

    # ---------------------------------------------------------------- examples
    def generate_examples(sequences, window_size, num_negative_samples, vocabulary_size):
        example_weights = defaultdict(int)
        # Iterate over all sequences (walks).
        for sequence in tqdm(sequences, desc="Generating positive and negative examples", **tq):
            # Generate positive and negative skip-gram pairs for a sequence (walk).
            pairs, labels = skipgrams(
                sequence,
                vocabulary_size=vocabulary_size,
                window_size=window_size,
                negative_samples=num_negative_samples,
            )
            for idx in range(len(pairs)):
                pair = pairs[idx]
                label = labels[idx]
                target, context = min(pair[0], pair[1]), max(pair[0], pair[1])
                if target == context:
                    continue
                entry = (target, context, label)
                example_weights[entry] += 1

        targets, contexts, labels, weights = [], [], [], []
        for entry in example_weights:
            weight = example_weights[entry]
            target, context, label = entry
            targets.append(target)
            contexts.append(context)
            labels.append(label)
            weights.append(weight)

        return np.array(targets), np.array(contexts), np.array(labels), np.array(weights)

    t0, c0 = time.perf_counter(), time.process_time()
    num_negative_samples = 4
    targets, contexts, labels, weights = generate_examples(
        sequences=walks,
        window_size=num_steps,
        num_negative_samples=num_negative_samples,
        vocabulary_size=len(vocabulary),
    )
    print(f"Targets shape: {targets.shape}")
    print(f"Contexts shape: {contexts.shape}")
    print(f"Labels shape: {labels.shape}")
    print(f"Weights shape: {weights.shape}")
    timings["examples"] = time.perf_counter() - t0
    cpu["examples"] = time.process_time() - c0

    # ---------------------------------------------------------------- training
    t0, c0 = time.perf_counter(), time.process_time()
    batch_size = 1024

    def create_dataset(targets, contexts, labels, weights, batch_size):
        inputs = {
            "target": targets,
            "context": contexts,
        }
        dataset = tf.data.Dataset.from_tensor_slices((inputs, labels, weights))
        dataset = dataset.shuffle(buffer_size=batch_size * 2)
        dataset = dataset.batch(batch_size, drop_remainder=True)
        dataset = dataset.prefetch(tf.data.AUTOTUNE)
        return dataset

    dataset = create_dataset(
        targets=targets,
        contexts=contexts,
        labels=labels,
        weights=weights,
        batch_size=batch_size,
    )

    learning_rate = 0.001
    embedding_dim = 50
    num_epochs = args.epochs

    def create_model(vocabulary_size, embedding_dim):
        inputs = {
            "target": layers.Input(name="target", shape=(), dtype="int32"),
            "context": layers.Input(name="context", shape=(), dtype="int32"),
        }
        # Initialize item embeddings.
        embed_item = layers.Embedding(
            input_dim=vocabulary_size,
            output_dim=embedding_dim,
            embeddings_initializer="he_normal",
            embeddings_regularizer=keras.regularizers.l2(1e-6),
            name="item_embeddings",
        )
        # Lookup embeddings for target.
        target_embeddings = embed_item(inputs["target"])
        # Lookup embeddings for context.
        context_embeddings = embed_item(inputs["context"])
        # Compute dot similarity between target and context embeddings.
        logits = layers.Dot(axes=1, normalize=False, name="dot_similarity")(
            [target_embeddings, context_embeddings]
        )
        # Create the model.
        model = keras.Model(inputs=inputs, outputs=logits)
        return model

    model = create_model(len(vocabulary), embedding_dim)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    t_fit = time.perf_counter()
    history = model.fit(dataset, epochs=num_epochs, verbose=2)
    fit_s = time.perf_counter() - t_fit
    movie_embeddings = model.get_layer("item_embeddings").get_weights()[0]
    print("Embeddings shape:", movie_embeddings.shape)
    timings["training"] = time.perf_counter() - t0
    cpu["training"] = time.process_time() - c0

    # ---------------------------------------------------------------- similarity
    t0, c0 = time.perf_counter(), time.process_time()
    query_movies = QUERY_MOVIES
    query_embeddings = []
    for movie_title in query_movies:
        movieId = get_movie_id_by_title(movie_title)
        token_id = vocabulary_lookup[movieId]
        movie_embedding = movie_embeddings[token_id]
        query_embeddings.append(movie_embedding)
    query_embeddings = np.array(query_embeddings)

    similarities = tf.linalg.matmul(
        tf.math.l2_normalize(query_embeddings),
        tf.math.l2_normalize(movie_embeddings),
        transpose_b=True,
    )
    _, indices = tf.math.top_k(similarities, k=5)
    indices = indices.numpy().tolist()

    top5_seed = {}
    for idx, title in enumerate(query_movies):
        print(title)
        print("".rjust(len(title), "-"))
        similar_tokens = indices[idx]
        top5_seed[title] = []
        for token in similar_tokens:
            similar_movieId = vocabulary[token]
            similar_title = get_movie_title_by_id(similar_movieId)
            top5_seed[title].append([int(similar_movieId[len("movie_"):]), similar_title])
            print(f"- {similar_title}")
        print()
    timings["similarity"] = time.perf_counter() - t0
    cpu["similarity"] = time.process_time() - c0
    timings["total"] = time.perf_counter() - t_all
    cpu["total"] = time.process_time() - c_all

    # ---------------------------------------------------------------- extras (untimed)
    # True per-row cosine top-5 over the movies (token 0, "NA", excluded), for reference.
    emb = movie_embeddings[1:]
    unit = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    top5_cosine = {}
    for title in query_movies:
        q_row = vocabulary_lookup[get_movie_id_by_title(title)] - 1
        order = np.argsort(-(unit @ unit[q_row]), kind="stable")[:5]
        top5_cosine[title] = [[int(vocabulary[1 + k][len("movie_"):]),
                               get_movie_title_by_id(vocabulary[1 + k])] for k in order]

    w2v_path = os.path.join(args.out, "embeddings.w2v.txt")
    with open(w2v_path, "w", encoding="utf-8") as f:
        f.write(f"{len(vocabulary) - 1} {movie_embeddings.shape[1]}\n")
        for token_id in range(1, len(vocabulary)):
            mid = vocabulary[token_id][len("movie_"):]
            f.write(mid + " " + " ".join("%.9g" % v for v in movie_embeddings[token_id]) + "\n")

    losses = [float(x) for x in history.history["loss"]]
    run = {
        "program": "bench/keras_movielens.py (faithful port of the Keras node2vec example)",
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
        "cpu_s": {k: round(v, 4) for k, v in cpu.items()},
        "stage_order": ["load", "graph", "walks", "examples", "training", "similarity", "total"],
        "import_s": round(_IMPORT_S, 4),
        "fit_s": round(fit_s, 4),
        "loss_per_epoch": losses,
        "counts": {
            "ratings": int(ratings.shape[0]),
            "movies": int(movies.shape[0]),
            "users_with_5_star": len(movies_grouped_by_users),
            "pairs": len(pair_frequency),
            "nodes": movies_graph.number_of_nodes(),
            "edges": movies_graph.number_of_edges(),
            "walks": len(walks),
            "examples": int(targets.shape[0]),
            "positive_examples": int(labels.sum()),
            "example_weight_sum": int(weights.sum()),
            "batches_per_epoch": int(targets.shape[0] // batch_size),
        },
        "params": {
            "min_rating": min_rating, "min_weight": min_weight, "p": p, "q": q,
            "num_walks": num_walks, "num_steps": num_steps, "window_size": num_steps,
            "num_negative_samples": num_negative_samples, "batch_size": batch_size,
            "shuffle_buffer": batch_size * 2, "learning_rate": learning_rate,
            "embedding_dim": embedding_dim, "num_epochs": num_epochs,
            "l2": 1e-6, "initializer": "he_normal", "seed": args.seed,
        },
        "top5_seed": top5_seed,
        "top5_seed_note": "the seed's ranking: tf.math.l2_normalize without axis normalises "
                          "the whole matrix, so this is a dot-product ranking",
        "top5_cosine": top5_cosine,
        "skipgrams": SKIPGRAMS_SOURCE,
        "embeddings": os.path.abspath(w2v_path),
        "versions": {
            "python": platform.python_version(), "tensorflow": tf.__version__,
            "keras": KERAS_VERSION, "numpy": np.__version__,
            "pandas": pd.__version__, "networkx": nx.__version__,
        },
        "threads": {"cpu_count": os.cpu_count(),
                    "tf_intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                    "tf_inter_op": tf.config.threading.get_inter_op_parallelism_threads()},
    }
    with open(os.path.join(args.out, "keras_run.json"), "w", encoding="utf-8") as f:
        json.dump(run, f, indent=2)

    print("Stage wall times (s):          (CPU s, all threads)")
    for k in run["stage_order"]:
        print(f"  {k:<11s}{timings[k]:9.3f}   ({cpu[k]:8.3f})")
    print(f"  (import TensorFlow etc. {_IMPORT_S:.3f} s, not in total; fit alone {fit_s:.3f} s)")
    print("Loss per epoch:", " ".join("%.4f" % x for x in losses))
    print("Wrote", os.path.join(args.out, "keras_run.json"), "and", w2v_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
