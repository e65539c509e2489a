// 64-bit limits without 64-bit memory. Edge offsets are 64-bit throughout: walks are run on a
// valid CSR whose real rows sit above slot 2^32, placed there by ~4.3 billion padding slots that
// exist only as address space (MAP_NORESERVE, the zero page, and one 16 MiB chunk of 1.0f weights
// mapped over and over), and must equal, node for node, the walks of the same graph at small
// offsets. BuildAliasTables is not run on it (it allocates and fills 8 bytes per slot).
// Also: ReadCsr refuses headers implying tens of GiB before allocating any of it (checked in a
// child process under an address-space limit).
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "n2v/core/walk.hpp"
#include "n2v/csr_io.hpp"
#include "n2v/edgelist.hpp"
#include "n2v/graph.hpp"
#include "n2v/walk.hpp"

namespace n2v {
namespace {

using ::testing::HasSubstr;

// --- address space that is not memory ---------------------------------------------------------

/// A reserved range: anonymous, private, never charged to the commit limit. Untouched pages read
/// as zeros (the shared zero page) and cost nothing.
class Reservation {
 public:
  explicit Reservation(size_t bytes) : bytes_(bytes) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    base_ = p == MAP_FAILED ? nullptr : static_cast<char*>(p);
  }
  ~Reservation() {
    if (base_ != nullptr) ::munmap(base_, bytes_);
  }
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  char* base() const { return base_; }

 private:
  char* base_ = nullptr;
  size_t bytes_;
};

constexpr size_t kChunk = size_t{16} << 20;  // 16 MiB: 1024 mappings per 16 GiB, far below
                                             // vm.max_map_count (65530 by default)

/// Maps one read-only chunk holding `word` repeated over [base, base + bytes) (bytes a multiple
/// of kChunk): the range reads as `word` everywhere while only kChunk bytes of memory exist, and
/// any write to it faults. False if the kernel refuses.
bool FillWithRepeatedChunk(char* base, size_t bytes, uint32_t word) {
  const int fd = ::memfd_create("n2v_limits_chunk", 0);
  if (fd < 0) return false;
  bool ok = ::ftruncate(fd, kChunk) == 0;
  if (ok) {
    void* w = ::mmap(nullptr, kChunk, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ok = w != MAP_FAILED;
    if (ok) {
      auto* words = static_cast<uint32_t*>(w);
      for (size_t i = 0; i < kChunk / 4; ++i) words[i] = word;
      ::munmap(w, kChunk);
    }
  }
  for (size_t at = 0; ok && at < bytes; at += kChunk) {
    ok = ::mmap(base + at, kChunk, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED;
  }
  ::close(fd);
  return ok;
}

uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// --- the graphs ---------------------------------------------------------------------------------

// Nodes 0..2 are padding: every slot of their rows points to node 0 with weight 1. Rows of
// repeated targets are a valid directed CSR (sorted, ids in range, weights > 0). No real edge
// leads into them, so walks from real nodes never leave the real rows, and walks from padding
// nodes go to node 0 and stay there whatever column they draw: in the small graph (rows of one
// slot) and in the huge one (rows of ~2^31 slots) the node sequences are the same.
constexpr int32_t kPadding = 3;

// The real part: nodes 3..9, undirected (both directions stored), distinct weights, a triangle
// with a tail and a chord, so p and q change the walks and HasEdge answers both ways.
const std::vector<std::tuple<int32_t, int32_t, float>> kRealEdges = {
    {3, 4, 1.0f}, {3, 5, 3.0f}, {4, 5, 0.5f}, {5, 6, 2.0f}, {6, 7, 1.5f},
    {5, 7, 0.75f}, {3, 8, 4.0f}, {5, 8, 0.25f}, {8, 9, 2.5f}, {9, 9, 1.0f}};
constexpr int32_t kNodes = 10;

/// The small graph: padding rows of one slot each, then the real rows.
Graph SmallGraph() {
  std::vector<int32_t> src, dst;
  std::vector<float> w;
  for (int32_t v = 0; v < kPadding; ++v) src.push_back(v), dst.push_back(0), w.push_back(1.0f);
  for (const auto& [u, v, x] : kRealEdges) {
    src.push_back(u), dst.push_back(v), w.push_back(x);
    if (u != v) src.push_back(v), dst.push_back(u), w.push_back(x);
  }
  auto g = GraphFromEdges(kNodes, src, dst, w, /*directed=*/true, {});
  EXPECT_TRUE(g.ok()) << g.status();
  return *g;
}

// Padding row lengths in the huge graph: two rows of 2^31 − 1 slots (the longest a row may be:
// alias columns are int32) and one that brings the total to a whole number of chunks above 2^32.
constexpr int64_t kMaxRow = (int64_t{1} << 31) - 1;
constexpr int64_t kPadSlots = (int64_t{1} << 32) + 3 * int64_t{kChunk / 4};
constexpr int64_t kPadRows[kPadding] = {kMaxRow, kMaxRow, kPadSlots - 2 * kMaxRow};
static_assert(kPadSlots % (kChunk / 4) == 0);

/// The small graph's real rows placed after kPadSlots padding slots, with the small graph's
/// alias tables for them (alias columns are relative to the row, so they carry over as they are).
struct HugeGraph {
  Reservation neighbors, weights, keep, alias;
  std::vector<int64_t> offsets;
  CsrView view{};
  core::AliasView alias_view{};
  bool ok = false;
  HugeGraph(const Graph& small, const AliasTables& small_alias)
      : neighbors(Bytes(small)), weights(Bytes(small)), keep(Bytes(small)), alias(Bytes(small)) {
    if (neighbors.base() == nullptr || weights.base() == nullptr || keep.base() == nullptr ||
        alias.base() == nullptr) {
      return;
    }
    // Padding: neighbours (node 0), keep and alias are the zero page as it is; the weights, 1.0f,
    // are one chunk mapped again and again. keep 0 / alias 0 sends every draw from the drawn
    // column (a random slot above 2^31 in rows 1 and 2) to column 0: not the uniform table Vose's
    // method builds for these weights (keep 0xFFFFFFFF), but the node drawn is 0 either way, and
    // reads of zero pages cost no memory (a repeated file chunk would: the kernel maps 16 pages
    // around each faulting one, gigabytes of RSS over the walks' ~10^5 random reads).
    if (!FillWithRepeatedChunk(weights.base(), 4 * kPadSlots, Bits(1.0f))) return;
    offsets = {0};
    for (const int64_t len : kPadRows) offsets.push_back(offsets.back() + len);
    const int64_t shift = kPadSlots - small.offsets[kPadding];
    for (int32_t v = kPadding; v < small.num_nodes(); ++v) {
      offsets.push_back(small.offsets[v + 1] + shift);
    }
    const int64_t first = small.offsets[kPadding], count = small.num_edge_slots() - first;
    auto* nb = reinterpret_cast<int32_t*>(neighbors.base());
    auto* wt = reinterpret_cast<float*>(weights.base());
    auto* kp = reinterpret_cast<uint32_t*>(keep.base());
    auto* al = reinterpret_cast<int32_t*>(alias.base());
    for (int64_t e = 0; e < count; ++e) {
      nb[kPadSlots + e] = small.neighbors[first + e];
      wt[kPadSlots + e] = small.weights[first + e];
      kp[kPadSlots + e] = small_alias.keep[first + e];
      al[kPadSlots + e] = small_alias.alias[first + e];
    }
    view = CsrView{offsets.data(), nb, wt, small.num_nodes(), kPadSlots + count};
    alias_view = core::AliasView{kp, al};
    ok = true;
  }
  static size_t Bytes(const Graph& small) {
    return static_cast<size_t>(4 * (kPadSlots + small.num_edge_slots()));
  }
};

class HugeOffsets : public ::testing::Test {
 protected:
  void SetUp() override {
    small_ = SmallGraph();
    small_alias_ = BuildAliasTables(small_.view(), 1);
    huge_ = std::make_unique<HugeGraph>(small_, small_alias_);
    if (!huge_->ok) {
      GTEST_SKIP() << "cannot reserve 4 × " << HugeGraph::Bytes(small_)
                   << " bytes of address space (mmap MAP_NORESERVE / memfd refused: strict "
                      "overcommit or an address-space limit?)";
    }
  }
  Graph small_;
  AliasTables small_alias_;
  std::unique_ptr<HugeGraph> huge_;
};

TEST_F(HugeOffsets, IsAValidCsrWithRealRowsAbove2To32) {
  const CsrView& g = huge_->view;
  ASSERT_EQ(g.num_nodes, kNodes);
  EXPECT_GT(g.offsets[kPadding], int64_t{1} << 32);
  EXPECT_EQ(g.offsets[kNodes], g.num_edges);
  for (int32_t v = 0; v < kNodes; ++v) {
    const int64_t len = g.offsets[v + 1] - g.offsets[v];
    EXPECT_EQ(len, v < kPadding ? kPadRows[v] : small_.offsets[v + 1] - small_.offsets[v]) << v;
  }
  // The padding reads as the contract wants, sampled across all 4.3 billion slots (every 2^24th,
  // so the sampling touches about 256 pages per array).
  for (int64_t e = 0; e < kPadSlots; e += int64_t{1} << 24) {
    ASSERT_EQ(g.neighbors[e], 0) << e;
    ASSERT_EQ(g.weights[e], 1.0f) << e;
    ASSERT_EQ(huge_->alias_view.keep[e], 0u) << e;
    ASSERT_EQ(huge_->alias_view.alias[e], 0) << e;
  }
  // Real rows: sorted, in range, weights > 0.
  for (int32_t v = kPadding; v < kNodes; ++v) {
    for (int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      EXPECT_GE(g.neighbors[e], kPadding);
      EXPECT_LT(g.neighbors[e], kNodes);
      EXPECT_TRUE(e == g.offsets[v] || g.neighbors[e - 1] <= g.neighbors[e]);
      EXPECT_GT(g.weights[e], 0.0f);
    }
  }
}

TEST_F(HugeOffsets, HasEdgeAndDrawByWeightAgreeWithTheSmallGraph) {
  const CsrView a = small_.view(), b = huge_->view;
  for (int32_t u = 0; u < kNodes; ++u) {
    for (int32_t v = 0; v < kNodes; ++v) {
      // Over the padding rows this is a binary search through ~2^31 slots.
      EXPECT_EQ(core::HasEdge(b, u, v), core::HasEdge(a, u, v)) << u << " " << v;
    }
  }
  const core::PhiloxKey key{12345, 678};
  for (int32_t v = kPadding; v < kNodes; ++v) {
    for (uint32_t i = 0; i < 2000; ++i) {
      const core::U32x4 r = core::Random4(key, i, 0, static_cast<uint64_t>(v));
      ASSERT_EQ(core::DrawByWeight(b, huge_->alias_view, v, r.x, r.y),
                core::DrawByWeight(a, small_alias_.view(), v, r.x, r.y))
          << "row " << v << " draw " << i;
    }
  }
}

TEST_F(HugeOffsets, WalksEqualTheSmallGraphsNodeForNode) {
  struct Case {
    double p, q;
  };
  for (const Case c : {Case{1.0, 1.0}, Case{0.25, 4.0}, Case{4.0, 0.25}}) {
    WalkOptions o;
    o.p = c.p;
    o.q = c.q;
    o.length = 40;
    o.seed = 20240601;
    const core::WalkParams wp = MakeWalkParams(o);
    const uint64_t count = 30 * kNodes;  // 30 rounds over every start node
    std::vector<int32_t> a(count * o.length), b(count * o.length);
    cpu::SampleWalks(small_.view(), small_alias_.view(), wp, 0, count, a.data(), 2);
    cpu::SampleWalks(huge_->view, huge_->alias_view, wp, 0, count, b.data(), 2);
    ASSERT_EQ(a, b) << "p=" << c.p << " q=" << c.q << " seed=" << o.seed;
    // The single-walk path of the shared core as well (what the GPU kernel runs).
    std::vector<int32_t> one(o.length);
    for (uint64_t w = 0; w < count; w += 7) {
      core::WalkOne(huge_->view, huge_->alias_view, wp, w, one.data());
      ASSERT_TRUE(std::equal(one.begin(), one.end(), a.begin() + w * o.length)) << "walk " << w;
    }
    // Not vacuous: the real walks wander over every real node.
    std::vector<int> seen(kNodes, 0);
    for (const int32_t x : a) {
      ASSERT_GE(x, 0);
      ++seen[x];
    }
    for (int32_t v = kPadding; v < kNodes; ++v) EXPECT_GT(seen[v], 100) << v;
  }
}

// --- ReadCsr: sizes from a header, never allocated ---------------------------------------------

/// Virtual memory of this process in bytes (/proc/self/statm), 0 if unknown.
uint64_t VirtualBytes() {
  std::ifstream in("/proc/self/statm");
  uint64_t pages = 0;
  in >> pages;
  return pages * static_cast<uint64_t>(::sysconf(_SC_PAGE_SIZE));
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// ReadCsr(path) under an address-space limit of what the process has now plus 256 MiB: an
/// attempt to allocate what the header claims would fail (std::bad_alloc) and kill the process.
/// Exits 0 iff it got a DataLossError containing `expected`. Runs in a death-test child.
[[noreturn]] void ReadCsrUnderAddressLimit(const std::string& path, const std::string& expected) {
  const uint64_t now = VirtualBytes();
  if (now == 0) std::_Exit(3);
  rlimit lim{};
  lim.rlim_cur = lim.rlim_max = now + (uint64_t{256} << 20);
  if (::setrlimit(RLIMIT_AS, &lim) != 0) std::_Exit(4);
  const auto r = ReadCsr(path);
  const bool good = !r.ok() && r.status().code() == absl::StatusCode::kDataLoss &&
                    r.status().message().find(expected) != absl::string_view::npos;
  if (!good) std::fprintf(stderr, "got: %s\n", r.status().ToString().c_str());
  std::_Exit(good ? 0 : 1);
}

void ExpectRefusedWithoutAllocating(const std::string& path, const std::string& expected) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(ReadCsrUnderAddressLimit(path, expected), ::testing::ExitedWithCode(0), "")
      << expected;
}

TEST(CsrHeaderLimits, SizesBeyondTheFileAreRefusedBeforeAllocating) {
  const std::string path =
      ::testing::TempDir() + "/n2v_limits_" + std::to_string(::getpid()) + ".csr";
  Graph g;
  g.offsets = {0, 1, 2};
  g.neighbors = {1, 0};
  g.weights = {1.0f, 1.0f};
  ASSERT_TRUE(WriteCsr(path, g).ok());
  const std::string good = ReadBytes(path);
  const auto with = [&](size_t at, uint64_t value) {
    std::string b = good;
    std::memcpy(b.data() + at, &value, 8);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << b;
  };
  constexpr size_t kNodesAt = 16, kSlotsAt = 24, kNamesAt = 32;  // csr_io.hpp's header layout

  // The most nodes a header may claim, 2^31 − 1: 32 GiB of offsets and name offsets. It passes
  // every bound on its own and is refused only by the exact size check.
  with(kNodesAt, (uint64_t{1} << 31) - 1);
  ExpectRefusedWithoutAllocating(path, "truncated: expected 34359738448 bytes for 2147483647 nodes");
  // 2^40 edge slots (8 TiB of neighbours and weights) and a TiB of names.
  with(kSlotsAt, uint64_t{1} << 40);
  ExpectRefusedWithoutAllocating(path, "1099511627776 edge slots and 0 name bytes, more than the");
  with(kNamesAt, uint64_t{1} << 40);
  ExpectRefusedWithoutAllocating(path, "2 edge slots and 1099511627776 name bytes, more than the");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << good;  // the file was fine
  EXPECT_TRUE(ReadCsr(path).ok());
}

}  // namespace
}  // namespace n2v
