// The node ranges of a partitioned graph and the part a rank keeps of a graph it read whole
// (n2v/partition.hpp); ReadCsrPart, which reads only a part, is in csr_io.cpp. Single-threaded.
#include "n2v/partition.hpp"

#include <zlib.h>

#include <algorithm>

#include "file_io.hpp"
#include "n2v/status.hpp"

namespace n2v {
namespace {

using file_io::Crc32;

}  // namespace

int GraphPart::Owner(int32_t v) const {
  // bounds is non-decreasing; the owner is the last r with bounds[r] <= v (ranks with empty
  // ranges own nothing).
  const auto it = std::upper_bound(bounds.begin(), bounds.end() - 1, v);
  return static_cast<int>(it - bounds.begin()) - 1;
}

NodeSplitter::NodeSplitter(int32_t n, int64_t m, int parts)
    : n_(n), m_(m), parts_(parts), bounds_(static_cast<size_t>(parts) + 1, 0) {
  N2V_CHECK(parts >= 1 && n >= 0 && m >= 0);
  bounds_[parts] = n;
}

uint64_t NodeSplitter::Target(int r) const {
  // ceil(r·(n + m) / parts) without overflow.
  const unsigned __int128 total = static_cast<unsigned __int128>(n_) + static_cast<uint64_t>(m_);
  return static_cast<uint64_t>((total * static_cast<unsigned>(r) + parts_ - 1) / parts_);
}

void NodeSplitter::Feed(int32_t v, int64_t offset) {
  const uint64_t key = static_cast<uint64_t>(v) + static_cast<uint64_t>(offset);
  while (next_ < parts_ && key >= Target(next_)) bounds_[next_++] = v;
}

std::vector<int32_t> SplitNodes(const int64_t* offsets, int32_t n, int parts) {
  NodeSplitter split(n, offsets[n], parts);
  for (int32_t v = 0; v <= n; ++v) split.Feed(v, offsets[v]);
  return split.bounds();
}

uint64_t PartChecksum(uint32_t crc, int32_t n, int64_t m, bool directed) {
  uint64_t h = 0x9E3779B97F4A7C15ull * (uint64_t{crc} + 1);
  h ^= static_cast<uint64_t>(n) * 0xC2B2AE3D27D4EB4Full + (h << 6) + (h >> 2);
  h ^= static_cast<uint64_t>(m) * 0x165667B19E3779F9ull + (h << 6) + (h >> 2);
  return h ^ (directed ? 1 : 0);
}

GraphPart PartitionGraph(const Graph& g, int rank, int parts, bool keep_names) {
  N2V_CHECK(parts >= 1 && rank >= 0 && rank < parts);
  GraphPart part;
  part.num_nodes = g.num_nodes();
  part.num_edge_slots = g.num_edge_slots();
  part.directed = g.directed;
  part.rank = rank;
  part.bounds = SplitNodes(g.offsets.data(), g.num_nodes(), parts);
  const int64_t lo = g.offsets[part.first()], hi = g.offsets[part.end()];
  part.offsets.assign(g.offsets.begin() + part.first(), g.offsets.begin() + part.end() + 1);
  for (int64_t& off : part.offsets) off -= lo;
  part.neighbors.assign(g.neighbors.begin() + lo, g.neighbors.begin() + hi);
  part.weights.assign(g.weights.begin() + lo, g.weights.begin() + hi);
  if (keep_names) part.names = g.names;
  uint32_t crc = Crc32(::crc32(0, nullptr, 0), g.offsets.data(), 8 * g.offsets.size());
  crc = Crc32(crc, g.neighbors.data(), 4 * g.neighbors.size());
  crc = Crc32(crc, g.weights.data(), 4 * g.weights.size());
  part.checksum = PartChecksum(crc, part.num_nodes, part.num_edge_slots, part.directed);
  return part;
}

}  // namespace n2v
