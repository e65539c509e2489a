// Driver for the scikit-learn cross-check of n2v's evaluation library (cpu/eval.cpp): runs an
// evaluation and writes what scikit-learn needs to recompute it on the same data (splits, pairs,
// labels; the embeddings are files) next to n2v's own figures, as JSON. Not part of n2v: built
// by bench/eval_crosscheck/run.sh with one g++ command against a build directory's libn2v_lib.a.
//
//   eval_dump node EMBEDDINGS LABELS OUT.json [repeats train_fraction seed C skip_unknown(0|1)]
//   eval_dump link DATA_DIR OUT_DIR [test_fraction seed epochs]
//       the seed's PMI graph of DATA_DIR/ratings.csv, split, walks and the seed's model (Adam)
//       trained on the residual graph, then link prediction; writes OUT_DIR/link.json and
//       OUT_DIR/residual.w2v.txt (row r = residual node r).
//   eval_dump speed NODES LABELS DIM [repeats signal]
//       node classification on random data of that shape (BlogCatalog: 10312 39 128), timed;
//       signal scales the label centroids against unit noise (0.25: micro-F1 ~0.4, BlogCatalog's
//       level for node2vec).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "n2v/atomic_file.hpp"
#include "n2v/embeddings_io.hpp"
#include "n2v/eval.hpp"
#include "n2v/export.hpp"
#include "n2v/json.hpp"
#include "n2v/labels_io.hpp"
#include "n2v/movielens.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"

namespace {

using namespace n2v;

int Fail(const absl::Status& st) {
  std::fprintf(stderr, "eval_dump: %s\n", std::string(st.message()).c_str());
  return 1;
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void IntArray(JsonWriter& j, const std::vector<int32_t>& v) {
  j.BeginArray();
  for (const int32_t x : v) j.Int(x);
  j.EndArray();
}

void DoubleArray(JsonWriter& j, const std::vector<double>& v) {
  j.BeginArray();
  for (const double x : v) j.Double(x);
  j.EndArray();
}

void Pairs(JsonWriter& j, const char* key, const std::vector<NodePair>& pairs) {
  j.Key(key).BeginArray();
  for (const NodePair& p : pairs) j.BeginArray().Int(p.u).Int(p.v).EndArray();
  j.EndArray();
}

int Node(int argc, char** argv) {
  if (argc < 5) return Fail(absl::InvalidArgumentError("usage: node EMBEDDINGS LABELS OUT.json"));
  ClassificationOptions o;
  if (argc > 5) o.repeats = std::atoi(argv[5]);
  if (argc > 6) o.train_fraction = std::atof(argv[6]);
  if (argc > 7) o.seed = std::strtoull(argv[7], nullptr, 10);
  if (argc > 8) o.lr.C = std::atof(argv[8]);
  const bool skip = argc > 9 && std::atoi(argv[9]) != 0;
  auto emb = ReadEmbeddings(argv[2]);
  if (!emb.ok()) return Fail(emb.status());
  auto labels = ReadNodeLabels(argv[3], emb->keys, LabelReadOptions{skip});
  if (!labels.ok()) return Fail(labels.status());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = EvaluateNodeClassification(emb->emb, *labels, o);
  if (!r.ok()) return Fail(r.status());
  const double secs = Seconds(t0);

  JsonWriter j;
  j.BeginObject();
  j.Key("embeddings").String(argv[2]).Key("labels_file").String(argv[3]);
  j.Key("repeats").Int(o.repeats).Key("train_fraction").Double(o.train_fraction);
  j.Key("seed").Int(static_cast<int64_t>(o.seed)).Key("C").Double(o.lr.C);
  j.Key("tol").Double(o.lr.tol);
  j.Key("skipped_lines").Int(labels->skipped_lines).Key("skipped_nodes").Int(labels->skipped_nodes);
  j.Key("unlabelled_nodes").Int(labels->unlabelled_nodes);
  j.Key("label_names").BeginArray();
  for (const auto& s : labels->label_names) j.String(s);
  j.EndArray();
  j.Key("nodes").BeginArray();  // labelled nodes by key, in NodeLabels order
  for (const int32_t v : labels->nodes) j.String(emb->keys[v]);
  j.EndArray();
  j.Key("node_labels").BeginArray();
  for (const auto& ls : labels->labels) IntArray(j, ls);
  j.EndArray();
  j.Key("train_splits").BeginArray();  // per repeat: indices into "nodes"
  for (int32_t rep = 0; rep < o.repeats; ++rep) {
    auto s = SplitForClassification(static_cast<int32_t>(labels->nodes.size()), o.train_fraction,
                                    o.seed, rep);
    if (!s.ok()) return Fail(s.status());
    IntArray(j, s->train);
  }
  j.EndArray();
  j.Key("n2v").BeginObject();
  j.Key("micro_f1");
  DoubleArray(j, r->micro_f1);
  j.Key("macro_f1");
  DoubleArray(j, r->macro_f1);
  j.Key("micro_mean").Double(r->micro_mean).Key("micro_std").Double(r->micro_std);
  j.Key("macro_mean").Double(r->macro_mean).Key("macro_std").Double(r->macro_std);
  j.Key("seconds").Double(secs);
  j.EndObject();
  j.EndObject();
  if (absl::Status st = WriteFileAtomic(argv[4], j.str() + "\n"); !st.ok()) return Fail(st);
  std::fprintf(stderr, "eval_dump node: %zu labelled nodes, %d labels, %lld unlabelled, %lld "
               "lines skipped; micro-F1 %.4f, macro-F1 %.4f (%.2f s)\n",
               labels->nodes.size(), labels->num_labels(),
               static_cast<long long>(labels->unlabelled_nodes),
               static_cast<long long>(labels->skipped_lines), r->micro_mean, r->macro_mean, secs);
  return 0;
}

int Link(int argc, char** argv) {
  if (argc < 4) return Fail(absl::InvalidArgumentError("usage: link DATA_DIR OUT_DIR"));
  const std::string data = argv[2], out = argv[3];
  const double test_fraction = argc > 4 ? std::atof(argv[4]) : 0.2;
  const uint64_t seed = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 42;
  const int32_t epochs = argc > 6 ? std::atoi(argv[6]) : 10;
  const int threads = omp_get_max_threads();

  auto ratings = ReadRatings(data + "/ratings.csv");
  if (!ratings.ok()) return Fail(ratings.status());
  PmiStats pmi;
  auto graph = BuildPmiGraph(*ratings, PmiOptions{}, &pmi, threads);
  if (!graph.ok()) return Fail(graph.status());
  auto split = SplitEdgesForLinkPrediction(*graph, test_fraction, seed);
  if (!split.ok()) return Fail(split.status());

  // The seed's job on the residual graph (n2v movielens's defaults, CPU backend).
  const CsrView g = split->residual.view();
  WalkOptions wo;
  wo.length = 10;
  wo.num_walks = 5;
  wo.seed = seed;
  const AliasTables alias = BuildAliasTables(g, threads);
  const uint64_t num_walks = static_cast<uint64_t>(wo.num_walks) * g.num_nodes;
  std::vector<int32_t> walks(num_walks * wo.length);
  cpu::SampleWalks(g, alias.view(), MakeWalkParams(wo), 0, num_walks, walks.data(), threads);
  const Examples ex = cpu::GenerateExamples(walks.data(), static_cast<int64_t>(num_walks),
                                            wo.length, g.num_nodes, ExampleOptions{10, 4, seed},
                                            threads);
  AdamTrainOptions ao;
  ao.epochs = epochs;
  ao.seed = seed;
  Embeddings emb = InitHeNormal(g.num_nodes, ao.dim, seed, threads);
  cpu::TrainAdam(ex, ao, &emb, threads);

  const auto t0 = std::chrono::steady_clock::now();
  auto r = EvaluateLinkPrediction(emb, *split, {}, threads);
  if (!r.ok()) return Fail(r.status());
  const double secs = Seconds(t0);

  if (absl::Status st = WriteWord2VecText(out + "/residual.w2v.txt", emb, split->residual.names);
      !st.ok()) {
    return Fail(st);
  }
  JsonWriter j;
  j.BeginObject();
  j.Key("data").String(data).Key("test_fraction").Double(test_fraction);
  j.Key("seed").Int(static_cast<int64_t>(seed)).Key("epochs").Int(epochs);
  j.Key("nodes").Int(graph->num_nodes()).Key("edges").Int(graph->num_edges());
  j.Key("candidate_edges").Int(split->candidate_edges);
  j.Key("achieved_fraction").Double(split->achieved_fraction);
  j.Key("embeddings").String("residual.w2v.txt");  // row = node id
  Pairs(j, "train_edges", split->train_edges);
  Pairs(j, "train_non_edges", split->train_non_edges);
  Pairs(j, "test_edges", split->test_edges);
  Pairs(j, "test_non_edges", split->test_non_edges);
  j.Key("n2v").BeginObject();
  j.Key("cosine").Double(r->cosine_auc);
  for (const EdgeOperator op : kEdgeOperators) j.Key(EdgeOperatorName(op)).Double(r->auc(op));
  j.Key("seconds").Double(secs);
  j.EndObject();
  j.EndObject();
  if (absl::Status st = WriteFileAtomic(out + "/link.json", j.str() + "\n"); !st.ok()) {
    return Fail(st);
  }
  std::fprintf(stderr, "eval_dump link: %d nodes, %lld edges, %zu test edges (%.1f%%); AUC cosine "
               "%.4f, hadamard %.4f (%.2f s)\n", graph->num_nodes(),
               static_cast<long long>(graph->num_edges()), split->test_edges.size(),
               100 * split->achieved_fraction, r->cosine_auc, r->auc(EdgeOperator::kHadamard),
               secs);
  return 0;
}

int Speed(int argc, char** argv) {
  if (argc < 5) return Fail(absl::InvalidArgumentError("usage: speed NODES LABELS DIM"));
  const int32_t n = std::atoi(argv[2]), num_labels = std::atoi(argv[3]), dim = std::atoi(argv[4]);
  ClassificationOptions o;
  o.repeats = argc > 5 ? std::atoi(argv[5]) : 1;
  const float signal = argc > 6 ? static_cast<float>(std::atof(argv[6])) : 0.25f;
  // Labels: 1 + geometric extra labels per node, label popularity skewed (Zipf-like), embeddings
  // weakly informative (label centroids + noise): LR problems that need real Newton iterations.
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  std::vector<float> centroid(static_cast<size_t>(num_labels) * dim);
  for (float& x : centroid) x = normal(rng);
  std::vector<double> popularity(num_labels);
  for (int32_t l = 0; l < num_labels; ++l) popularity[l] = 1.0 / (l + 1);
  std::discrete_distribution<int32_t> popular(popularity.begin(), popularity.end());
  std::geometric_distribution<int> extra(0.6);
  Embeddings emb;
  emb.rows = n;
  emb.dim = dim;
  emb.data.resize(static_cast<size_t>(n) * dim);
  NodeLabels labels;
  for (int32_t l = 0; l < num_labels; ++l) labels.label_names.push_back(absl::StrCat("L", l));
  for (int32_t v = 0; v < n; ++v) {
    std::vector<int32_t> ls;
    const int k = std::min(1 + extra(rng), num_labels);
    while (static_cast<int>(ls.size()) < k) {
      const int32_t l = popular(rng);
      if (std::find(ls.begin(), ls.end(), l) == ls.end()) ls.push_back(l);
    }
    std::sort(ls.begin(), ls.end());
    for (int32_t d = 0; d < dim; ++d) {
      float x = normal(rng);
      for (const int32_t l : ls) x += signal * centroid[static_cast<size_t>(l) * dim + d];
      emb.data[static_cast<size_t>(v) * dim + d] = x;
    }
    labels.nodes.push_back(v);
    labels.labels.push_back(std::move(ls));
  }
  for (const int t : {1, omp_get_max_threads()}) {
    o.threads = t;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = EvaluateNodeClassification(emb, labels, o);
    if (!r.ok()) return Fail(r.status());
    std::printf("speed: %d nodes x %d labels x %d dims, %d repeat(s), %d thread(s): %.2f s "
                "(%.2f s per repeat); micro-F1 %.4f macro-F1 %.4f\n",
                n, num_labels, dim, o.repeats, t, Seconds(t0), Seconds(t0) / o.repeats,
                r->micro_mean, r->macro_mean);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "node") return Node(argc, argv);
  if (mode == "link") return Link(argc, argv);
  if (mode == "speed") return Speed(argc, argv);
  std::fprintf(stderr, "usage: eval_dump node|link|speed ... (see the file's header)\n");
  return 2;
}
