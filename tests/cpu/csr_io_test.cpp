// Tests of the CSR file: round trips (names, no names, directed, empty, the ml-latest-small PMI
// graph), every corruption ReadCsr must catch with its message, and writes that fail or are
// refused leaving no file and no temporary file behind.
#include "n2v/csr_io.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "n2v/movielens.hpp"

namespace n2v {
namespace {

using ::testing::HasSubstr;

/// A fresh empty directory per test, so leftover files are easy to see.
std::string FreshDir(const std::string& name) {
  const std::string dir =
      ::testing::TempDir() + "/n2v_csr_" + std::to_string(::getpid()) + "_" + name;
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
  }
  return out;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

/// 0–1 (2.5), 0–2 (1), 1–2 (0.5), 3 isolated; undirected, both directions stored.
Graph SmallGraph() {
  Graph g;
  g.offsets = {0, 2, 4, 6, 6};
  g.neighbors = {1, 2, 0, 2, 0, 1};
  g.weights = {2.5f, 1.0f, 2.5f, 0.5f, 1.0f, 0.5f};
  g.names = {"a", "Am\xC3\xA9lie", "", "node with spaces"};
  return g;
}

void ExpectSameGraph(const Graph& a, const Graph& b) {
  EXPECT_EQ(a.offsets, b.offsets);
  EXPECT_EQ(a.neighbors, b.neighbors);
  ASSERT_EQ(a.weights.size(), b.weights.size());
  EXPECT_EQ(std::memcmp(a.weights.data(), b.weights.data(), 4 * a.weights.size()), 0);
  EXPECT_EQ(a.names, b.names);
  EXPECT_EQ(a.directed, b.directed);
}

// Header field offsets, as csr_io.hpp lays them out.
constexpr size_t kVersionAt = 8, kFlagsAt = 12, kNodesAt = 16, kCrcAt = 40, kHeader = 64;

/// Rewrites the header's crc32 for the body as it now is, so a structural corruption gets past
/// the checksum and reaches the check it is meant to reach.
void FixCrc(std::string* bytes) {
  const uint32_t crc = static_cast<uint32_t>(
      ::crc32(::crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(bytes->data()) + kHeader,
              static_cast<uInt>(bytes->size() - kHeader)));
  std::memcpy(bytes->data() + kCrcAt, &crc, 4);
}

template <typename T>
void Put(std::string* bytes, size_t at, T value) {
  std::memcpy(bytes->data() + at, &value, sizeof(T));
}

// --- round trips --------------------------------------------------------------------------------

TEST(CsrIo, RoundTripSmallGraph) {
  const std::string dir = FreshDir("roundtrip");
  const std::string path = dir + "/g.csr";
  const Graph g = SmallGraph();
  ASSERT_TRUE(WriteCsr(path, g).ok());
  // 64 + offsets 8·5 + neighbours 4·6 + weights 4·6 + name offsets 8·5 + names 1+7+0+16.
  EXPECT_EQ(ReadBytes(path).size(), 64u + 40 + 24 + 24 + 40 + 24);
  EXPECT_EQ(ReadBytes(path).substr(0, 8), std::string("N2VCSR\0\1", 8));
  const auto back = ReadCsr(path);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameGraph(g, *back);
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"g.csr"});
}

TEST(CsrIo, RoundTripDirectedWithoutNames) {
  const std::string path = FreshDir("directed") + "/g.csr";
  Graph g;
  g.directed = true;
  g.offsets = {0, 1, 1, 3};
  g.neighbors = {2, 0, 2};  // a self-loop and a repeated target are legal in a directed CSR
  g.weights = {1e-30f, 3.0f, 1e30f};
  ASSERT_TRUE(WriteCsr(path, g).ok());
  const auto back = ReadCsr(path);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameGraph(g, *back);
  EXPECT_TRUE(back->names.empty());
}

TEST(CsrIo, RoundTripEmptyGraph) {
  const std::string path = FreshDir("empty") + "/g.csr";
  const Graph g;
  ASSERT_TRUE(WriteCsr(path, g).ok());
  const auto back = ReadCsr(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->num_nodes(), 0);
  EXPECT_EQ(back->num_edge_slots(), 0);
}

TEST(CsrIo, RoundTripMlLatestSmallPmiGraph) {
  const auto ratings =
      ReadRatings(std::string(N2V_SOURCE_DIR) + "/data/ml-latest-small/ratings.csv");
  ASSERT_TRUE(ratings.ok()) << ratings.status();
  const auto g = BuildPmiGraph(*ratings, PmiOptions{}, nullptr, 2);
  ASSERT_TRUE(g.ok()) << g.status();
  const std::string path = FreshDir("pmi") + "/movies.csr";
  ASSERT_TRUE(WriteCsr(path, *g).ok());
  const auto back = ReadCsr(path);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameGraph(*g, *back);
  EXPECT_EQ(back->num_nodes(), 1405);
  EXPECT_EQ(back->num_edges(), 40043);
}

TEST(CsrIo, OverwritesAnExistingFile) {
  const std::string path = FreshDir("overwrite") + "/g.csr";
  WriteBytes(path, "old contents");
  ASSERT_TRUE(WriteCsr(path, SmallGraph()).ok());
  ASSERT_TRUE(ReadCsr(path).ok());
}

// --- corrupt files ------------------------------------------------------------------------------

/// A valid file's bytes, for the corruption tests to damage.
std::string ValidBytes(const std::string& path) {
  EXPECT_TRUE(WriteCsr(path, SmallGraph()).ok());
  return ReadBytes(path);
}

/// Writes `bytes`, reads them back and returns the error (the test fails if they read fine).
absl::Status ReadError(const std::string& path, const std::string& bytes) {
  WriteBytes(path, bytes);
  const auto r = ReadCsr(path);
  EXPECT_FALSE(r.ok()) << "accepted";
  if (r.ok()) return absl::OkStatus();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(path)) << "errors name the file";
  EXPECT_THAT(std::string(r.status().message()), ::testing::Not(HasSubstr("\n")));
  return r.status();
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(CsrIo, MissingFile) {
  const std::string path = FreshDir("missing") + "/nope.csr";
  const auto r = ReadCsr(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(r.status()), HasSubstr(path));
}

TEST(CsrIo, BadMagic) {
  const std::string path = FreshDir("magic") + "/g.csr";
  std::string b = ValidBytes(path);
  b[0] = 'X';
  const absl::Status s = ReadError(path, b);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("not an n2v CSR file: expected magic"));
  EXPECT_THAT(Message(s), HasSubstr("got 5832564353520001"));
  EXPECT_THAT(Message(ReadError(path, "userId,movieId,rating,timestamp\n")),
              HasSubstr("not an n2v CSR file"));
  EXPECT_THAT(Message(ReadError(path, "")), HasSubstr("got an empty file"));
}

TEST(CsrIo, WrongVersion) {
  const std::string path = FreshDir("version") + "/g.csr";
  std::string b = ValidBytes(path);
  Put<uint32_t>(&b, kVersionAt, 2);
  EXPECT_THAT(Message(ReadError(path, b)), HasSubstr("unsupported version: expected 1, got 2"));
}

TEST(CsrIo, UnknownFlagsAndDirtyPadding) {
  const std::string path = FreshDir("flags") + "/g.csr";
  std::string b = ValidBytes(path);
  Put<uint32_t>(&b, kFlagsAt, 0x80 | 2);
  EXPECT_THAT(Message(ReadError(path, b)), HasSubstr("unknown flags: expected bits within 0x3"));
  b = ValidBytes(path);
  b[63] = 1;
  EXPECT_THAT(Message(ReadError(path, b)), HasSubstr("header padding"));
}

TEST(CsrIo, Truncated) {
  const std::string path = FreshDir("truncated") + "/g.csr";
  const std::string b = ValidBytes(path);
  absl::Status s = ReadError(path, b.substr(0, b.size() - 1));
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(s), HasSubstr(absl::StrCat("truncated: expected ", b.size(), " bytes")));
  s = ReadError(path, b.substr(0, 20));
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(s), HasSubstr("truncated: expected a 64-byte header, got 20 bytes"));
  s = ReadError(path, b.substr(0, kHeader + 8));
  EXPECT_THAT(Message(s), HasSubstr("truncated"));
  s = ReadError(path, b + "extra");
  EXPECT_THAT(Message(s), HasSubstr("trailing bytes"));
}

TEST(CsrIo, SizesThatWouldOverflowAreRejectedBeforeAllocating) {
  const std::string path = FreshDir("huge") + "/g.csr";
  std::string b = ValidBytes(path);
  Put<uint64_t>(&b, kNodesAt + 8, std::numeric_limits<uint64_t>::max() / 2);  // num_edge_slots
  EXPECT_THAT(Message(ReadError(path, b)), HasSubstr("more than the"));
  b = ValidBytes(path);
  Put<uint64_t>(&b, kNodesAt, uint64_t{1} << 31);
  EXPECT_THAT(Message(ReadError(path, b)), HasSubstr("num_nodes: expected at most 2^31"));
}

TEST(CsrIo, FlippedByteIsAChecksumMismatch) {
  const std::string path = FreshDir("crc") + "/g.csr";
  const std::string good = ValidBytes(path);
  // Every body byte: offsets, neighbours, weights, name offsets and names are all covered.
  for (size_t at = kHeader; at < good.size(); ++at) {
    std::string b = good;
    b[at] ^= 0x10;
    const absl::Status s = ReadError(path, b);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << "byte " << at;
    EXPECT_THAT(Message(s), HasSubstr("checksum mismatch")) << "byte " << at;
  }
}

TEST(CsrIo, StructuralErrorsBehindAValidChecksum) {
  const std::string path = FreshDir("structure") + "/g.csr";
  const std::string good = ValidBytes(path);
  const size_t offsets_at = kHeader, neighbors_at = offsets_at + 8 * 5,
               weights_at = neighbors_at + 4 * 6, names_at = weights_at + 4 * 6;
  struct Case {
    const char* what;
    size_t at;
    std::string value;  // raw bytes written at `at`
    const char* expected;
  };
  const auto i64 = [](int64_t v) { return std::string(reinterpret_cast<char*>(&v), 8); };
  const auto i32 = [](int32_t v) { return std::string(reinterpret_cast<char*>(&v), 4); };
  const auto f32 = [](float v) { return std::string(reinterpret_cast<char*>(&v), 4); };
  const std::vector<Case> cases = {
      {"first offset", offsets_at, i64(1), "offsets: expected offsets[0] = 0, got 1"},
      {"offset past m", offsets_at + 8, i64(99),
       "offsets: expected non-decreasing values in [0, 6], got offsets[1] = 99"},
      {"offsets decrease", offsets_at + 16, i64(1), "got offsets[2] = 1 after offsets[1] = 2"},
      {"last offset", offsets_at + 24, i64(5) + i64(5),
       "offsets: expected offsets[4] = 6 (the edge slot count), got 5"},
      {"id too big", neighbors_at, i32(4), "neighbors: expected node ids in [0, 4), got 4"},
      {"negative id", neighbors_at, i32(-1), "got -1 at slot 0 (row 0)"},
      {"unsorted row", neighbors_at, i32(2) + i32(1),
       "row 0: expected neighbours sorted ascending, got 1 after 2"},
      {"nan weight", weights_at + 4, f32(std::nanf("")),
       "weights: expected finite values > 0, got nan at slot 1"},
      {"zero weight", weights_at, f32(0.0f), "weights: expected finite values > 0, got 0"},
      {"negative weight", weights_at, f32(-1.0f), "got -1 at slot 0"},
      {"infinite weight", weights_at, f32(INFINITY), "got inf"},
      {"name offsets decrease", names_at + 8, i64(30), "name_offsets: expected non-decreasing"},
      {"name offsets end", names_at + 32, i64(23), "name_offsets: expected name_offsets[4] = 24"},
  };
  for (const Case& c : cases) {
    std::string b = good;
    b.replace(c.at, c.value.size(), c.value);
    FixCrc(&b);
    const absl::Status s = ReadError(path, b);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.what;
    EXPECT_THAT(Message(s), HasSubstr(c.expected)) << c.what;
  }
}

// --- failed writes ------------------------------------------------------------------------------

TEST(CsrIo, FailedWriteLeavesNoTemporaryFile) {
  const std::string dir = FreshDir("failed_write");
  // The target is a non-empty directory: the temporary file is written, the rename fails.
  const std::string target = dir + "/taken";
  ::mkdir(target.c_str(), 0755);
  WriteBytes(target + "/keep", "x");
  const absl::Status s = WriteCsr(target, SmallGraph());
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(Message(s), HasSubstr(target));
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"taken"});

  // A directory that does not exist: nothing can be created at all.
  const absl::Status s2 = WriteCsr(dir + "/no/such/dir/g.csr", SmallGraph());
  EXPECT_FALSE(s2.ok());
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"taken"});
}

TEST(CsrIo, RefusesToWriteAGraphItCouldNotReadBack) {
  const std::string dir = FreshDir("refuse");
  const std::string path = dir + "/g.csr";
  Graph unsorted = SmallGraph();
  std::swap(unsorted.neighbors[0], unsorted.neighbors[1]);
  EXPECT_THAT(Message(WriteCsr(path, unsorted)), HasSubstr("row 0: expected neighbours sorted"));
  Graph bad_weight = SmallGraph();
  bad_weight.weights[2] = -1;
  EXPECT_THAT(Message(WriteCsr(path, bad_weight)), HasSubstr("weights: expected finite values"));
  Graph short_weights = SmallGraph();
  short_weights.weights.pop_back();
  EXPECT_THAT(Message(WriteCsr(path, short_weights)), HasSubstr("weights: expected one per"));
  Graph names = SmallGraph();
  names.names.pop_back();
  EXPECT_THAT(Message(WriteCsr(path, names)), HasSubstr("names: expected none or one per node"));
  Graph offsets = SmallGraph();
  offsets.offsets[3] = offsets.offsets[4] = 5;
  EXPECT_THAT(Message(WriteCsr(path, offsets)), HasSubstr("offsets: expected offsets[4] = 6"));
  EXPECT_TRUE(ListDir(dir).empty());
}

}  // namespace
}  // namespace n2v
