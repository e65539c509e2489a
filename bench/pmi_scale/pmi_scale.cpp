// Scale driver for the front end: synthetic ratings (WriteSynthRatings), the PMI graph builder on
// them (ReadRatings + BuildPmiGraph), and synthetic graphs (SynthGraph), each timed, with a
// checksum of the result so two builds of the library can be compared bit for bit.
// Run by bench/pmi_scale/run.sh, which adds /usr/bin/time -v for peak RSS.
//   pmi_scale ratings DIR [users movies ratings seed threads]
//   pmi_scale pmi DIR [min_rating min_weight threads]
//   pmi_scale graph rmat|plod|er NODES EDGES [directed weighted seed threads]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "n2v/graph.hpp"
#include "n2v/movielens.hpp"
#include "n2v/synth.hpp"

namespace {

double Seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

/// FNV-1a over 8-byte words of offsets, neighbours, weight bits and names: equal iff the graphs
/// are (w.h.p.). Word-wise, so checking a 6.6 GB graph takes a second, not ten.
uint64_t Checksum(const n2v::Graph& g) {
  uint64_t h = 1469598103934665603ull;
  const auto mix = [&](const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, b + i, 8);
      h = (h ^ w) * 1099511628211ull;
    }
    for (; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
    h = (h ^ n) * 1099511628211ull;
  };
  mix(g.offsets.data(), g.offsets.size() * sizeof(int64_t));
  mix(g.neighbors.data(), g.neighbors.size() * sizeof(int32_t));
  mix(g.weights.data(), g.weights.size() * sizeof(float));
  for (const std::string& s : g.names) mix(s.data(), s.size());
  return h;
}

int Usage() {
  std::fprintf(
      stderr,
      "usage: pmi_scale ratings DIR [users movies ratings seed threads]\n"
      "       pmi_scale pmi DIR [min_rating min_weight threads]\n"
      "       pmi_scale graph rmat|plod|er NODES EDGES [directed weighted seed threads]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  const std::string cmd = argv[1];
  const auto arg = [&](int i, double fallback) { return argc > i ? std::atof(argv[i]) : fallback; };
  const auto t0 = std::chrono::steady_clock::now();
  if (cmd == "ratings") {
    n2v::SynthRatingsOptions o;
    o.users = static_cast<int64_t>(arg(3, o.users));
    o.movies = static_cast<int64_t>(arg(4, o.movies));
    o.ratings = static_cast<int64_t>(arg(5, o.ratings));
    o.seed = static_cast<uint64_t>(arg(6, 1));
    o.threads = static_cast<int>(arg(7, 2));
    n2v::SynthRatingsStats s;
    const absl::Status st = n2v::WriteSynthRatings(o, argv[2], &s);
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      return 1;
    }
    std::printf(
        "ratings: %lld users, %lld movies, %lld ratings in %.2f s; max user %lld, max movie %lld, "
        "movies rated %lld, mean rating %.3f\n",
        static_cast<long long>(o.users), static_cast<long long>(o.movies),
        static_cast<long long>(s.ratings), Seconds(t0, std::chrono::steady_clock::now()),
        static_cast<long long>(s.max_user_ratings), static_cast<long long>(s.max_movie_ratings),
        static_cast<long long>(s.movies_rated), s.mean_rating);
    return 0;
  }
  if (cmd == "pmi") {
    n2v::PmiOptions o;
    o.min_rating = arg(3, o.min_rating);
    o.min_weight = arg(4, o.min_weight);
    const int threads = static_cast<int>(arg(5, 2));
    const auto ratings = n2v::ReadRatings(std::string(argv[2]) + "/ratings.csv");
    if (!ratings.ok()) {
      std::fprintf(stderr, "%s\n", ratings.status().ToString().c_str());
      return 1;
    }
    const auto t1 = std::chrono::steady_clock::now();
    n2v::PmiStats s;
    const auto g = n2v::BuildPmiGraph(*ratings, o, &s, threads);
    const auto t2 = std::chrono::steady_clock::now();
    if (!g.ok()) {
      std::fprintf(stderr, "%s\n", g.status().ToString().c_str());
      return 1;
    }
    std::printf(
        "pmi: min_rating %g min_weight %g threads %d: read %.2f s (%zu ratings), build %.2f s: "
        "%lld liked, %lld users, %lld pairs counted, %lld distinct pairs -> %d nodes, %lld edges; "
        "checksum %016llx\n",
        o.min_rating, o.min_weight, threads, Seconds(t0, t1), ratings->size(), Seconds(t1, t2),
        static_cast<long long>(s.liked_ratings), static_cast<long long>(s.users),
        static_cast<long long>(s.pairs_counted), static_cast<long long>(s.distinct_pairs),
        g->num_nodes(), static_cast<long long>(g->num_edges()),
        static_cast<unsigned long long>(Checksum(*g)));
    return 0;
  }
  if (cmd == "graph" && argc >= 5) {
    n2v::SynthGraphOptions o;
    const auto model = n2v::ParseSynthModel(argv[2]);
    if (!model.ok()) {
      std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
      return 1;
    }
    o.model = *model;
    o.nodes = std::atoll(argv[3]);
    o.edges = std::atoll(argv[4]);
    o.directed = arg(5, 0) != 0;
    o.weighted = arg(6, 0) != 0;
    o.seed = static_cast<uint64_t>(arg(7, 1));
    o.threads = static_cast<int>(arg(8, 2));
    n2v::SynthGraphStats s;
    const auto g = n2v::SynthGraph(o, &s);
    if (!g.ok()) {
      std::fprintf(stderr, "%s\n", g.status().ToString().c_str());
      return 1;
    }
    std::printf(
        "graph %s: %d nodes, %lld edges (%s) in %.2f s: %lld candidates, %lld self-loops, %lld "
        "duplicates, max degree %lld (mean %.1f); checksum %016llx\n",
        argv[2], g->num_nodes(), static_cast<long long>(g->num_edges()),
        o.directed ? "directed" : "undirected", Seconds(t0, std::chrono::steady_clock::now()),
        static_cast<long long>(s.candidates), static_cast<long long>(s.self_loops),
        static_cast<long long>(s.duplicates), static_cast<long long>(s.max_degree),
        static_cast<double>(g->num_edge_slots()) / g->num_nodes(),
        static_cast<unsigned long long>(Checksum(*g)));
    return 0;
  }
  return Usage();
}
