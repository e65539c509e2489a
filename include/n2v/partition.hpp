// A graph split by node ranges across the ranks of a distributed run, for walks on graphs that do
// not fit one machine (`mpirun -np N n2v walk --partition`). Rank r holds the rows of the nodes
// [bounds[r], bounds[r+1]): their offsets, neighbours and weights, about 1/N of the graph, the
// ranges chosen so that every rank has about the same share of nodes + edge slots. Walkers move
// to the rank that owns their current node; docs/DISTRIBUTED.md has the protocol.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "n2v/graph.hpp"
#include "n2v/n2v.hpp"
#include "n2v/ranks.hpp"

namespace n2v {

struct GraphPart {
  int32_t num_nodes = 0;       // of the whole graph
  int64_t num_edge_slots = 0;  // of the whole graph
  bool directed = false;
  int rank = 0;
  std::vector<int32_t> bounds{0, 0};  // [ranks + 1]: rank r owns nodes [bounds[r], bounds[r+1])
  // This rank's rows, node v at index v − first(); offsets start at 0.
  std::vector<int64_t> offsets{0};
  std::vector<int32_t> neighbors;  // global node ids
  std::vector<float> weights;
  // Every node's name, on the rank that asked for them (the one that writes); else empty.
  std::vector<std::string> names;
  // Of the whole graph, the same on every rank that read the same graph: ranks compare it.
  uint64_t checksum = 0;

  int parts() const { return static_cast<int>(bounds.size()) - 1; }
  int32_t first() const { return bounds[rank]; }
  int32_t end() const { return bounds[rank + 1]; }
  bool Owns(int32_t v) const { return v >= first() && v < end(); }
  /// The rank holding node v's row.
  int Owner(int32_t v) const;
  /// This rank's rows as a graph of end() − first() nodes (row i = node first() + i) whose
  /// neighbours are global ids.
  CsrView local_view() const {
    return CsrView{offsets.data(), neighbors.data(), weights.data(), end() - first(),
                   static_cast<int64_t>(neighbors.size())};
  }
  /// Bytes of this rank's rows (offsets, neighbours, weights).
  uint64_t bytes() const {
    return 8 * offsets.size() + 4 * neighbors.size() + 4 * weights.size();
  }
};

/// SplitNodes one offset at a time, for a reader that streams them: Feed(v, offsets[v]) for
/// v = 0, 1, …, n in order; bounds()[r] is final once known(r).
class NodeSplitter {
 public:
  NodeSplitter(int32_t n, int64_t m, int parts);
  void Feed(int32_t v, int64_t offset);
  bool known(int r) const { return r == 0 || r == parts_ || r < next_; }
  const std::vector<int32_t>& bounds() const { return bounds_; }

 private:
  uint64_t Target(int r) const;
  int32_t n_;
  int64_t m_;
  int parts_, next_ = 1;
  std::vector<int32_t> bounds_;
};

/// The checksum a GraphPart carries: a graph's CRC-32 with its sizes and direction.
uint64_t PartChecksum(uint32_t crc, int32_t n, int64_t m, bool directed);

/// The node ranges of `parts` ranks over a graph with these offsets [n + 1]: bounds[r] is the
/// first node v with v + offsets[v] >= ceil(r·(n + m) / parts), so each range holds about
/// (n + m) / parts nodes + edge slots. Every rank computes the same ranges from the same graph.
std::vector<int32_t> SplitNodes(const int64_t* offsets, int32_t n, int parts);

/// Rank `rank`'s part of a graph every rank holds in full (read from an edge list); `names`
/// are kept when keep_names. The checksum is a CRC-32 of the graph's arrays.
GraphPart PartitionGraph(const Graph& g, int rank, int parts, bool keep_names);

/// Rank `rank`'s part of a CSR file (n2v/csr_io.hpp), reading the file once from start to end
/// and keeping only this rank's rows (and every name when keep_names): memory is the part, not
/// the graph. Checks what ReadCsr checks, its errors named the same way: the header, the
/// checksum of the whole body, every offset, and the ids, order and weights of this rank's
/// rows. The checksum is the file's CRC-32 with its sizes.
absl::StatusOr<GraphPart> ReadCsrPart(const std::string& path, int rank, int parts,
                                      bool keep_names);

/// What a partitioned walk measured (SampleWalksPartitioned).
struct PartitionWalkStats {
  uint64_t supersteps = 0;      // exchanges of walkers, over all batches
  uint64_t walkers_sent = 0;    // by this rank, over all supersteps
  uint64_t bytes_sent = 0;      // walkers sent by this rank, in bytes
  double exchange_ms = 0;       // this rank's time in the exchanges (waiting for the others too)
  double assemble_ms = 0;       // this rank's time putting each batch's walks together on rank 0
  // Gathered on every rank, one entry per rank: bytes of its rows + alias tables, and its peak
  // resident memory (getrusage) at the end.
  std::vector<uint64_t> part_bytes, peak_rss_bytes;
};

/// All num_walks × num_nodes walks of the partitioned graph, equal node for node to SampleWalks
/// on the whole graph (every draw is keyed on (seed, walk, step, attempt)). Walks are sampled in
/// batches of o.chunk_walks walks (0: a default); in each, every walker steps while its node is
/// this rank's, and is sent to the owner of its next node in an exchange of all ranks
/// (Ranks::AllToAll) when it leaves. When a step needs to know whether the candidate x is a
/// neighbour of the previous node t (node2vec's second-order check, the edge x → t as in the
/// reference code), the walker is sent to x's owner with the candidate, which answers it: if x
/// is accepted the walker is then already where it must be. Each batch's walks are put together
/// on rank 0 (Ranks::MaxToRoot), which alone calls `sink`, in walk order; `o.device` must be
/// the CPU. Every rank must call this with the same options; a sink error or a cancellation on
/// any rank ends every rank with the same status. `ranks` may be null (one process).
absl::StatusOr<WalkRunStats> SampleWalksPartitioned(const GraphPart& part,
                                                    const WalkRunOptions& o, Ranks* ranks,
                                                    const WalkSink& sink,
                                                    PartitionWalkStats* pstats = nullptr);

}  // namespace n2v
