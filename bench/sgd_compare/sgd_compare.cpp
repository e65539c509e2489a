// Driver of the gensim comparison (bench/sgd_compare/run.sh): makes the walks both tools train on
// and trains n2v's CPU word2vec (cpu::TrainSgd) on a walk file, exactly as gensim reads it.
//
//   sgd_compare walks --movielens DIR --out walks.txt [--walks-per-node 10 --length 80 ...]
//       the seed's PMI graph of DIR/ratings.csv; tokens are movieIds
//   sgd_compare walks --random NODES --edges M --communities C --out walks.txt
//                     [--labels labels.txt ...]
//       a planted-partition graph: node v belongs to community v mod C; 80 % of the edges join
//       two members of one community; tokens are node ids; --labels writes "node community"
//   sgd_compare train --walks walks.txt --out emb.w2v.txt [--threads 2 --dim 128 --window 10
//                     --negatives 5 --epochs 1 --lr 0.025 --seed 42 --sample 0
//                     --shared-negatives 0|1]
//       one line of JSON: words, seconds and words/s of cpu::TrainSgd (its node counting pass
//       and table set-up included), the loss per epoch; writes the input table as word2vec text
//
// Threading: walks with --threads (default 2); training with --threads.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "n2v/export.hpp"
#include "n2v/movielens.hpp"
#include "n2v/walk.hpp"
#include "n2v/word2vec.hpp"

namespace n2v {
namespace {

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "sgd_compare: %s\n", msg.c_str());
  std::exit(1);
}

/// --name value pairs after the subcommand.
std::map<std::string, std::string> Flags(int argc, char** argv) {
  std::map<std::string, std::string> f;
  for (int i = 2; i < argc; i += 2) {
    const std::string k = argv[i];
    if (k.rfind("--", 0) != 0 || i + 1 >= argc) Die("expected --flag value pairs, got " + k);
    f[k.substr(2)] = argv[i + 1];
  }
  return f;
}

std::string Get(const std::map<std::string, std::string>& f, const std::string& k,
                const std::string& def) {
  auto it = f.find(k);
  return it == f.end() ? def : it->second;
}

/// A planted-partition graph (see the header); edges are deduplicated, weights 1.
Graph PlantedPartition(int32_t n, int64_t edges, int32_t communities, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int32_t> node(0, n - 1);
  std::uniform_int_distribution<int32_t> member(0, (n - 1) / communities);
  std::bernoulli_distribution inside(0.8);
  std::vector<std::pair<int32_t, int32_t>> e;
  e.reserve(static_cast<size_t>(edges) * 2);
  for (int64_t k = 0; k < edges; ++k) {
    const int32_t u = node(rng);
    int32_t v = node(rng);
    if (inside(rng)) {
      v = u % communities + communities * member(rng);
      if (v >= n) v = u % communities;
    }
    if (u == v) continue;
    e.emplace_back(u, v);
    e.emplace_back(v, u);
  }
  std::sort(e.begin(), e.end());
  e.erase(std::unique(e.begin(), e.end()), e.end());
  Graph g;
  g.offsets.assign(static_cast<size_t>(n) + 1, 0);
  for (const auto& [u, v] : e) {
    ++g.offsets[u + 1];
    g.neighbors.push_back(v);
    g.weights.push_back(1.0f);
  }
  for (int32_t v = 0; v < n; ++v) g.offsets[v + 1] += g.offsets[v];
  g.names.resize(static_cast<size_t>(n));
  for (int32_t v = 0; v < n; ++v) g.names[v] = std::to_string(v);
  return g;
}

int MakeWalks(const std::map<std::string, std::string>& f) {
  const int threads = std::stoi(Get(f, "threads", "2"));
  Graph g;
  if (f.count("movielens")) {
    auto ratings = ReadRatings(Get(f, "movielens", "") + "/ratings.csv");
    if (!ratings.ok()) Die(std::string(ratings.status().message()));
    auto pmi = BuildPmiGraph(*ratings, PmiOptions{}, nullptr, threads);
    if (!pmi.ok()) Die(std::string(pmi.status().message()));
    g = *std::move(pmi);
  } else if (f.count("random")) {
    const int32_t c = std::stoi(Get(f, "communities", "1000"));
    g = PlantedPartition(std::stoi(Get(f, "random", "")), std::stoll(Get(f, "edges", "1000000")),
                         c, std::stoull(Get(f, "graph-seed", "1")));
    if (f.count("labels")) {
      std::ofstream labels(Get(f, "labels", ""));
      for (int32_t v = 0; v < g.num_nodes(); ++v) labels << v << ' ' << v % c << '\n';
    }
  } else {
    Die("walks: needs --movielens DIR or --random NODES");
  }
  WalkOptions wo;
  wo.length = static_cast<uint32_t>(std::stoul(Get(f, "length", "80")));
  wo.num_walks = static_cast<uint32_t>(std::stoul(Get(f, "walks-per-node", "10")));
  wo.p = std::stod(Get(f, "p", "1"));
  wo.q = std::stod(Get(f, "q", "1"));
  wo.seed = std::stoull(Get(f, "seed", "42"));
  const AliasTables alias = BuildAliasTables(g.view(), threads);
  const uint64_t num_walks = uint64_t{wo.num_walks} * static_cast<uint64_t>(g.num_nodes());
  std::vector<int32_t> walks(num_walks * wo.length);
  cpu::SampleWalks(g.view(), alias.view(), MakeWalkParams(wo), 0, num_walks, walks.data(),
                   threads);
  std::string out;
  out.reserve(walks.size() * 7);
  for (uint64_t w = 0; w < num_walks; ++w) {
    bool first = true;
    for (uint32_t i = 0; i < wo.length; ++i) {
      const int32_t v = walks[w * wo.length + i];
      if (v < 0) break;
      if (!first) out += ' ';
      out += g.names[v];
      first = false;
    }
    out += '\n';
  }
  std::ofstream(Get(f, "out", "walks.txt"), std::ios::binary) << out;
  std::fprintf(stderr, "sgd_compare: %d nodes, %lld edges, %llu walks of %u\n", g.num_nodes(),
               static_cast<long long>(g.num_edges()), static_cast<unsigned long long>(num_walks),
               wo.length);
  return 0;
}

int Train(const std::map<std::string, std::string>& f) {
  // --- the walk file: one walk a line, tokens separated by spaces; ids by first appearance --
  std::ifstream in(Get(f, "walks", "walks.txt"), std::ios::binary);
  if (!in) Die("cannot read " + Get(f, "walks", "walks.txt"));
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  absl::flat_hash_map<std::string_view, int32_t> ids;
  std::vector<std::string> keys;
  std::vector<std::vector<int32_t>> lines;
  size_t longest = 0;
  for (size_t p = 0; p < text.size();) {
    const size_t eol = std::min(text.find('\n', p), text.size());
    std::vector<int32_t> walk;
    for (size_t q = p; q < eol;) {
      while (q < eol && text[q] == ' ') ++q;
      const size_t end = std::min(text.find(' ', q), eol);
      if (end > q) {
        const std::string_view tok(text.data() + q, end - q);
        auto [it, fresh] = ids.try_emplace(tok, static_cast<int32_t>(keys.size()));
        if (fresh) keys.emplace_back(tok);
        walk.push_back(it->second);
      }
      q = end;
    }
    if (!walk.empty()) {
      longest = std::max(longest, walk.size());
      lines.push_back(std::move(walk));
    }
    p = eol + 1;
  }
  const uint32_t length = static_cast<uint32_t>(longest);
  std::vector<int32_t> walks(lines.size() * longest, -1);
  int64_t words = 0;
  for (size_t w = 0; w < lines.size(); ++w) {
    std::copy(lines[w].begin(), lines[w].end(), walks.begin() + w * longest);
    words += static_cast<int64_t>(lines[w].size());
  }

  SgdTrainOptions o;
  o.dim = std::stoi(Get(f, "dim", "128"));
  o.window = static_cast<uint32_t>(std::stoul(Get(f, "window", "10")));
  o.negatives = static_cast<uint32_t>(std::stoul(Get(f, "negatives", "5")));
  o.epochs = std::stoi(Get(f, "epochs", "1"));
  o.lr = std::stof(Get(f, "lr", "0.025"));
  o.seed = std::stoull(Get(f, "seed", "42"));
  o.sample = std::stod(Get(f, "sample", "0"));
  o.shared_negatives = Get(f, "shared-negatives", "0") == "1";
  const int threads = std::stoi(Get(f, "threads", "2"));
  Embeddings emb;
  auto stats = cpu::TrainSgd(walks.data(), static_cast<int64_t>(lines.size()), length,
                             static_cast<int32_t>(keys.size()), o, threads, &emb);
  if (!stats.ok()) Die(std::string(stats.status().message()));
  if (f.count("out")) {
    const absl::Status st = WriteWord2VecText(Get(f, "out", ""), emb, keys);
    if (!st.ok()) Die(std::string(st.message()));
  }
  const double s = stats->ms / 1000.0;
  std::printf("{\"tool\": \"n2v\", \"nodes\": %zu, \"walks\": %zu, \"words\": %lld, "
              "\"epochs\": %d, \"threads\": %d, \"seconds\": %.4f, \"words_per_s\": %.1f, "
              "\"pairs\": %lld, \"loss\": [",
              keys.size(), lines.size(), static_cast<long long>(words), o.epochs, threads, s,
              static_cast<double>(words) * o.epochs / s, static_cast<long long>(stats->pairs));
  for (size_t e = 0; e < stats->losses.size(); ++e) {
    std::printf("%s%.6f", e ? ", " : "", stats->losses[e]);
  }
  std::printf("]}\n");
  return 0;
}

}  // namespace
}  // namespace n2v

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  const auto flags = n2v::Flags(argc, argv);
  if (cmd == "walks") return n2v::MakeWalks(flags);
  if (cmd == "train") return n2v::Train(flags);
  n2v::Die("usage: sgd_compare walks|train --flag value ... (see the source's header)");
}
