// A program of someone else's, built against an installed n2v (find_package(n2v) -> n2v::n2v):
// reads a graph, trains with node2vec's defaults but p, q and dim, prints the table's shape.
#include <n2v/n2v.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: consumer GRAPH\n");
    return 2;
  }
  absl::StatusOr<n2v::Graph> g = n2v::ReadGraph(argv[1], {.weighted = true});
  if (!g.ok()) { std::fprintf(stderr, "%s\n", g.status().ToString().c_str()); return 2; }
  n2v::TrainOptions opt;                                   // node2vec's defaults
  opt.walk.p = 0.5; opt.walk.q = 2; opt.model.dim = 64; opt.device = n2v::Device::Auto();
  absl::StatusOr<n2v::TrainResult> r = n2v::Train(*g, opt);
  if (!r.ok()) { std::fprintf(stderr, "%s\n", r.status().ToString().c_str()); return 1; }
  // r->embeddings: rows x dim, row i belongs to g->names[i]
  std::printf("%d %d %zu\n", r->embeddings.rows, r->embeddings.dim, g->names.size());
}
