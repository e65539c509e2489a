// Tests of the partitioned graph (n2v/partition.hpp): the node ranges cover the graph and balance
// nodes + edge slots; ReadCsrPart keeps exactly the rows PartitionGraph cuts from the whole
// graph, checks the file as ReadCsr does, and names only where asked; the alias rows of a part
// are the whole graph's; and SampleWalksPartitioned equals SampleWalks on one part and on
// several, the ranks being threads of this process (ThreadRanks). The same under mpirun, through
// the command line, is tests/mpi/run_mpi_tests.sh.
#include "n2v/partition.hpp"

#include <unistd.h>

#include <fstream>
#include <thread>
#include <iterator>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "../synth_test_graph.hpp"
#include "gtest/gtest.h"
#include "n2v/csr_io.hpp"
#include "n2v/synth.hpp"
#include "n2v/walk.hpp"
#include "thread_ranks.hpp"

namespace n2v {
namespace {

using ::testing::HasSubstr;

Graph Synth(SynthModel model, int64_t nodes, int64_t edges, bool directed, bool weighted) {
  return n2v::testing::SynthTestGraph({.model = model, .nodes = nodes, .edges = edges,
                                       .directed = directed, .weighted = weighted});
}

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/n2v_part_" + std::to_string(::getpid()) + "_" + name;
}

TEST(SplitNodes, CoversTheGraphAndBalancesNodesPlusSlots) {
  const Graph g = Synth(SynthModel::kRmat, 3000, 20000, false, true);
  const int64_t n = g.num_nodes(), m = g.num_edge_slots();
  int64_t max_row = 0;
  for (int32_t v = 0; v < g.num_nodes(); ++v) {
    max_row = std::max(max_row, g.offsets[v + 1] - g.offsets[v]);
  }
  for (int parts : {1, 2, 3, 7, 64}) {
    const std::vector<int32_t> b = SplitNodes(g.offsets.data(), g.num_nodes(), parts);
    ASSERT_EQ(b.size(), static_cast<size_t>(parts) + 1);
    EXPECT_EQ(b.front(), 0);
    EXPECT_EQ(b.back(), n);
    for (int r = 0; r < parts; ++r) {
      ASSERT_LE(b[r], b[r + 1]);
      const int64_t load = (b[r + 1] - b[r]) + (g.offsets[b[r + 1]] - g.offsets[b[r]]);
      // Each range ends at the first node past its share, so it exceeds it by at most one row.
      EXPECT_LE(load, (n + m) / parts + max_row + 2) << "part " << r << " of " << parts;
    }
    GraphPart part;
    part.bounds = b;
    for (int32_t v = 0; v < g.num_nodes(); v += 37) {
      const int owner = part.Owner(v);
      EXPECT_TRUE(b[owner] <= v && v < b[owner + 1]) << v;
    }
  }
  // More parts than nodes: some ranges are empty, and every node still has one owner.
  Graph tiny;
  tiny.offsets = {0, 1, 2};
  tiny.neighbors = {1, 0};
  tiny.weights = {1, 1};
  const std::vector<int32_t> b = SplitNodes(tiny.offsets.data(), 2, 5);
  GraphPart part;
  part.bounds = b;
  EXPECT_EQ(b.back(), 2);
  EXPECT_EQ(part.Owner(0) == part.Owner(1), false);
}

TEST(ReadCsrPart, KeepsExactlyThePartitionGraphRows) {
  for (const bool directed : {false, true}) {
    const Graph g = Synth(SynthModel::kPlod, 2000, 9000, directed, true);
    const std::string path = TempPath(directed ? "d.csr" : "u.csr");
    ASSERT_TRUE(WriteCsr(path, g).ok());
    for (int parts : {1, 2, 3, 5}) {
      uint64_t checksum = 0;
      int64_t rows = 0, slots = 0;
      for (int r = 0; r < parts; ++r) {
        absl::StatusOr<GraphPart> read = ReadCsrPart(path, r, parts, /*keep_names=*/r == 0);
        ASSERT_TRUE(read.ok()) << read.status();
        const GraphPart cut = PartitionGraph(g, r, parts, r == 0);
        EXPECT_EQ(read->bounds, cut.bounds);
        EXPECT_EQ(read->offsets, cut.offsets);
        EXPECT_EQ(read->neighbors, cut.neighbors);
        EXPECT_EQ(read->weights, cut.weights);
        EXPECT_EQ(read->directed, directed);
        EXPECT_EQ(read->num_nodes, g.num_nodes());
        EXPECT_EQ(read->num_edge_slots, g.num_edge_slots());
        EXPECT_EQ(read->names.empty(), r != 0);
        if (r == 0) {
          EXPECT_EQ(read->names, g.names);
        }
        if (r == 0) checksum = read->checksum;
        EXPECT_EQ(read->checksum, checksum) << "every rank of one file has the same checksum";
        // The part's rows are the graph's rows.
        for (int32_t v = read->first(); v < read->end(); ++v) {
          const int64_t lo = read->offsets[v - read->first()];
          const int64_t deg = read->offsets[v - read->first() + 1] - lo;
          ASSERT_EQ(deg, g.offsets[v + 1] - g.offsets[v]);
          for (int64_t i = 0; i < deg; ++i) {
            ASSERT_EQ(read->neighbors[lo + i], g.neighbors[g.offsets[v] + i]);
          }
        }
        rows += read->end() - read->first();
        slots += static_cast<int64_t>(read->neighbors.size());
      }
      EXPECT_EQ(rows, g.num_nodes());
      EXPECT_EQ(slots, g.num_edge_slots());
    }
    ::unlink(path.c_str());
  }
}

TEST(ReadCsrPart, AliasRowsOfAPartAreTheWholeGraphs) {
  const Graph g = Synth(SynthModel::kRmat, 1500, 12000, false, true);
  const AliasTables whole = BuildAliasTables(g.view(), 2);
  for (int r = 0; r < 3; ++r) {
    const GraphPart part = PartitionGraph(g, r, 3, false);
    const AliasTables mine = BuildAliasTables(part.local_view(), 2);
    const int64_t lo = g.offsets[part.first()];
    for (size_t i = 0; i < mine.keep.size(); ++i) {
      ASSERT_EQ(mine.keep[i], whole.keep[lo + i]);
      ASSERT_EQ(mine.alias[i], whole.alias[lo + i]);
    }
  }
}

TEST(ReadCsrPart, ChecksTheFileAsReadCsrDoes) {
  const Graph g = Synth(SynthModel::kRmat, 500, 3000, false, true);
  const std::string path = TempPath("bad.csr");
  ASSERT_TRUE(WriteCsr(path, g).ok());
  std::ifstream in(path, std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(in)), {});
  const auto write = [&](const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  };
  // A flipped byte in the offsets, the neighbours (of another rank's rows) and the names: the
  // checksum of the whole body catches each, on every rank, before any other complaint.
  for (const size_t at : {size_t{64 + 80}, good.size() / 2, good.size() - 2}) {
    std::string bad = good;
    bad[at] ^= 0x5a;
    write(bad);
    for (int r = 0; r < 2; ++r) {
      absl::StatusOr<GraphPart> p = ReadCsrPart(path, r, 2, r == 0);
      ASSERT_FALSE(p.ok()) << "byte " << at;
      EXPECT_EQ(p.status().code(), absl::StatusCode::kDataLoss);
      EXPECT_THAT(p.status().message(), HasSubstr("checksum mismatch"));
      EXPECT_THAT(p.status().message(), HasSubstr(path));
    }
  }
  write(good.substr(0, good.size() - 10));
  absl::StatusOr<GraphPart> truncated = ReadCsrPart(path, 1, 2, false);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(truncated.status().message(), HasSubstr("truncated"));
  write("not a csr file at all, but long enough for a header..................................");
  absl::StatusOr<GraphPart> other = ReadCsrPart(path, 0, 1, true);
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.status().message(), HasSubstr("not an n2v CSR file"));
  ::unlink(path.c_str());
  absl::StatusOr<GraphPart> missing = ReadCsrPart(path, 0, 1, true);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadCsrPart(path, 2, 2, true).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(IsCsrFile(path));
}

TEST(SampleWalksPartitioned, OnePartEqualsSampleWalks) {
  struct Case {
    Graph g;
    double p, q;
  };
  std::vector<Case> cases;
  cases.push_back({Synth(SynthModel::kRmat, 800, 6000, false, true), 0.5, 2.0});
  cases.push_back({Synth(SynthModel::kPlod, 800, 4000, true, false), 0.25, 4.0});
  cases.push_back({Synth(SynthModel::kEr, 500, 3000, false, false), 1.0, 1.0});
  for (const Case& c : cases) {
    WalkRunOptions o;
    o.device = Device::Cpu();
    o.walk.p = c.p;
    o.walk.q = c.q;
    o.walk.length = 15;
    o.walk.num_walks = 3;
    o.threads = 2;
    o.chunk_walks = 700;  // several batches, the last one short
    std::vector<int32_t> want, got;
    const auto into = [](std::vector<int32_t>* v) {
      return [v](uint64_t, uint64_t count, const int32_t* walks) {
        v->insert(v->end(), walks, walks + count * 15);
        return absl::OkStatus();
      };
    };
    ASSERT_TRUE(SampleWalks(c.g, o, into(&want)).ok());
    PartitionWalkStats ps;
    absl::StatusOr<WalkRunStats> st =
        SampleWalksPartitioned(PartitionGraph(c.g, 0, 1, false), o, nullptr, into(&got), &ps);
    ASSERT_TRUE(st.ok()) << st.status();
    EXPECT_EQ(got, want);
    EXPECT_EQ(st->walks, static_cast<uint64_t>(3 * c.g.num_nodes()));
    EXPECT_EQ(ps.supersteps, 0u);
    ASSERT_EQ(ps.part_bytes.size(), 1u);
    EXPECT_GT(ps.part_bytes[0], 0u);
  }
}

TEST(SampleWalksPartitioned, RefusesWhatItCannotDo) {
  const Graph g = Synth(SynthModel::kEr, 100, 300, false, false);
  WalkRunOptions o;
  const auto sink = [](uint64_t, uint64_t, const int32_t*) { return absl::OkStatus(); };
  o.device = Device::Cuda();
  EXPECT_THAT(SampleWalksPartitioned(PartitionGraph(g, 0, 1, false), o, nullptr, sink)
                  .status()
                  .message(),
              HasSubstr("run on the CPU"));
  o.device = Device::Cpu();
  EXPECT_EQ(SampleWalksPartitioned(PartitionGraph(g, 1, 2, false), o, nullptr, sink)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  o.walk.p = -1;
  EXPECT_FALSE(SampleWalksPartitioned(PartitionGraph(g, 0, 1, false), o, nullptr, sink).ok());
  // A sink error stops the walk and is returned.
  o.walk.p = 1;
  const auto failing = [](uint64_t, uint64_t, const int32_t*) {
    return absl::DataLossError("disk full");
  };
  EXPECT_EQ(SampleWalksPartitioned(PartitionGraph(g, 0, 1, false), o, nullptr, failing)
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

// Runs SampleWalksPartitioned on `parts` thread ranks; rank 0's walks in *walks, every rank's
// status in the result.
std::vector<absl::Status> WalkOnThreadRanks(const Graph& g, int parts, const WalkRunOptions& o,
                                            std::vector<int32_t>* walks, bool fail_sink = false) {
  testing::ThreadRankGroup group(parts);
  std::vector<absl::Status> status(parts);
  std::vector<PartitionWalkStats> stats(parts);
  std::vector<std::thread> threads;
  for (int r = 0; r < parts; ++r) {
    threads.emplace_back([&, r] {
      const GraphPart part = PartitionGraph(g, r, parts, r == 0);
      WalkSink sink;
      if (r == 0) {
        sink = [&](uint64_t, uint64_t count, const int32_t* w) -> absl::Status {
          if (fail_sink) return absl::DataLossError("disk full");
          walks->insert(walks->end(), w, w + count * o.walk.length);
          return absl::OkStatus();
        };
      }
      status[r] = SampleWalksPartitioned(part, o, group.rank(r).get(), sink, &stats[r]).status();
    });
  }
  for (std::thread& t : threads) t.join();
  for (int r = 0; r < parts && !fail_sink; ++r) {
    EXPECT_EQ(stats[r].part_bytes.size(), static_cast<size_t>(parts));
    if (parts > 1) {
      EXPECT_GT(stats[r].supersteps, 0u);
    }
  }
  return status;
}

TEST(SampleWalksPartitioned, SeveralThreadRanksEqualSampleWalks) {
  struct Case {
    Graph g;
    double p, q;
  };
  std::vector<Case> cases;
  cases.push_back({Synth(SynthModel::kRmat, 600, 5000, false, true), 0.5, 2.0});
  cases.push_back({Synth(SynthModel::kPlod, 600, 3000, true, false), 0.25, 4.0});
  cases.push_back({Synth(SynthModel::kRmat, 400, 3000, false, false), 4.0, 0.25});
  for (const Case& c : cases) {
    WalkRunOptions o;
    o.device = Device::Cpu();
    o.walk.p = c.p;
    o.walk.q = c.q;
    o.walk.length = 12;
    o.walk.num_walks = 2;
    o.threads = 1;
    o.chunk_walks = 500;
    std::vector<int32_t> want;
    ASSERT_TRUE(SampleWalks(c.g, o,
                            [&](uint64_t, uint64_t count, const int32_t* w) {
                              want.insert(want.end(), w, w + count * 12);
                              return absl::OkStatus();
                            })
                    .ok());
    for (int parts : {2, 3, 5}) {
      std::vector<int32_t> got;
      for (const absl::Status& st : WalkOnThreadRanks(c.g, parts, o, &got)) {
        ASSERT_TRUE(st.ok()) << st;
      }
      EXPECT_EQ(got, want) << parts << " ranks, p " << c.p << " q " << c.q;
    }
  }
}

TEST(SampleWalksPartitioned, ASinkErrorOnRankZeroStopsEveryRank) {
  const Graph g = Synth(SynthModel::kRmat, 300, 2000, false, false);
  WalkRunOptions o;
  o.device = Device::Cpu();
  o.threads = 1;
  o.walk.length = 8;
  o.walk.num_walks = 1;
  std::vector<int32_t> got;
  for (const absl::Status& st : WalkOnThreadRanks(g, 3, o, &got, /*fail_sink=*/true)) {
    EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(st.message(), HasSubstr("rank 0 of 3: disk full"));
  }
}

}  // namespace
}  // namespace n2v
