// Tests of the edge-list reader and the CSR builder: the text format (blanks, CRLF, comments, ids
// kept verbatim), every malformed line with its exact error, self-loops and duplicates in both
// modes, gzip (round trip, concatenated, corrupt, truncated), ReadGraph's dispatch, the size
// checks, and the reader against a scalar reference on random files that cross block boundaries.
#include "n2v/edgelist.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "n2v/csr_io.hpp"

namespace n2v {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/n2v_edgelist_" + std::to_string(::getpid()) + "_" + name;
}

std::string WriteFile(const std::string& name, const std::string& bytes) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Gzip-compresses `text` into a file with zlib's gzopen/gzwrite.
std::string WriteGzip(const std::string& name, const std::string& text) {
  const std::string path = TempPath(name);
  gzFile gz = gzopen(path.c_str(), "wb");
  EXPECT_NE(gz, nullptr);
  EXPECT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  EXPECT_EQ(gzclose(gz), Z_OK);
  return path;
}

Graph Read(const std::string& text, EdgeListOptions o = {}, EdgeListStats* stats = nullptr) {
  const auto g = ReadEdgeList(WriteFile("in.txt", text), o, stats);
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *g : Graph{};
}

/// The error of reading `text`; checks it names the file and is one line.
absl::Status ReadError(const std::string& text, EdgeListOptions o = {},
                       const std::string& name = "bad.txt") {
  const std::string path = WriteFile(name, text);
  const auto g = ReadEdgeList(path, o);
  EXPECT_FALSE(g.ok());
  if (g.ok()) return absl::OkStatus();
  EXPECT_THAT(std::string(g.status().message()), HasSubstr(path));
  EXPECT_THAT(std::string(g.status().message()), ::testing::Not(HasSubstr("\n")));
  return g.status();
}

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

/// Row v as (neighbour name, weight) pairs.
std::vector<std::pair<std::string, float>> Row(const Graph& g, int32_t v) {
  std::vector<std::pair<std::string, float>> out;
  for (int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
    out.emplace_back(g.names[g.neighbors[e]], g.weights[e]);
  }
  return out;
}

using P = std::pair<std::string, float>;

// --- the format ---------------------------------------------------------------------------------

TEST(EdgeList, BlanksCrlfCommentsAndBlankLines) {
  EdgeListStats st;
  const Graph g = Read(
      "# a comment line\r\n"
      "a\tb\r\n"
      "\r\n"
      "   \t \n"
      "  b \t  c   # trailing comment\n"
      "\t# indented comment\n"
      "c a#not-a-comment\n"
      "d a",  // no line break at the end
      {}, &st);
  EXPECT_EQ(g.names, (std::vector<std::string>{"a", "b", "c", "a#not-a-comment", "d"}));
  EXPECT_FALSE(g.directed);
  EXPECT_THAT(Row(g, 0), ElementsAre(P{"b", 1.0f}, P{"d", 1.0f}));
  EXPECT_THAT(Row(g, 1), ElementsAre(P{"a", 1.0f}, P{"c", 1.0f}));
  EXPECT_THAT(Row(g, 2), ElementsAre(P{"b", 1.0f}, P{"a#not-a-comment", 1.0f}));
  EXPECT_THAT(Row(g, 3), ElementsAre(P{"c", 1.0f}));
  EXPECT_THAT(Row(g, 4), ElementsAre(P{"a", 1.0f}));
  EXPECT_EQ(g.offsets, (std::vector<int64_t>{0, 2, 4, 6, 7, 8}));
  EXPECT_EQ(st.lines, 4);
  EXPECT_EQ(st.edges, 4);
  EXPECT_EQ(st.comment_or_blank, 4);
  EXPECT_EQ(st.self_loops, 0);
  EXPECT_EQ(st.duplicates, 0);
}

TEST(EdgeList, ByteOrderMarkIsSkipped) {
  const Graph g = Read("\xEF\xBB\xBFx y\n");
  EXPECT_EQ(g.names, (std::vector<std::string>{"x", "y"}));
}

TEST(EdgeList, IdsAreKeptVerbatimInOrderOfFirstAppearance) {
  const Graph g = Read(
      "node-\xCE\xB1 007\n"
      "7 1e5\n"
      "99999999999999999999 007\n"
      "-3 0x1F\n");
  EXPECT_EQ(g.names, (std::vector<std::string>{"node-\xCE\xB1", "007", "7", "1e5",
                                               "99999999999999999999", "-3", "0x1F"}));
  EXPECT_THAT(Row(g, 1), ElementsAre(P{"node-\xCE\xB1", 1.0f}, P{"99999999999999999999", 1.0f}));
  EXPECT_EQ(g.num_nodes(), 7);
  EXPECT_EQ(g.num_edge_slots(), 8);
}

TEST(EdgeList, WeightedColumn) {
  EdgeListStats st;
  const Graph g = Read("a b 2.5\nb c +0.5\nc a 1e-3\n", {.weighted = true}, &st);
  EXPECT_THAT(Row(g, 0), ElementsAre(P{"b", 2.5f}, P{"c", 1e-3f}));
  EXPECT_THAT(Row(g, 1), ElementsAre(P{"a", 2.5f}, P{"c", 0.5f}));
  EXPECT_THAT(Row(g, 2), ElementsAre(P{"a", 1e-3f}, P{"b", 0.5f}));
  EXPECT_EQ(st.edges, 3);
}

// --- malformed lines ----------------------------------------------------------------------------

TEST(EdgeList, ThirdColumnWithoutWeightedSuggestsTheFlag) {
  const absl::Status s = ReadError("a b\n# c\na c 0.5\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("bad.txt:3: columns: expected 2 (source target), got 'a c 0.5'; "
                                "pass --weighted to read the third column as the edge weight"));
}

TEST(EdgeList, WeightedNeedsThreeColumns) {
  const absl::Status s = ReadError("a b 1\na\tc\r\n", {.weighted = true});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("bad.txt:2: columns: expected 3 (source target weight) with "
                                "--weighted, got 'a\\tc'"));
}

TEST(EdgeList, TooManyOrTooFewColumns) {
  EXPECT_THAT(Msg(ReadError("a b\na b c d\n")),
              HasSubstr("bad.txt:2: columns: expected 2 (source target), got 'a b c d'"));
  EXPECT_THAT(Msg(ReadError("a b 1 2\n", {.weighted = true})),
              HasSubstr("bad.txt:1: columns: expected 3 (source target weight) with --weighted, "
                        "got 'a b 1 2'"));
  EXPECT_THAT(Msg(ReadError("lonely\n")),
              HasSubstr("bad.txt:1: columns: expected 2 (source target), got 'lonely'"));
}

TEST(EdgeList, BadWeights) {
  for (const char* w : {"nan", "NaN", "inf", "-inf", "infinity", "-1", "0", "-0", "abc", "1.5x",
                        "1e39", "1e-50", "+", "0x10", "1,5"}) {
    const absl::Status s = ReadError(absl::StrCat("a b 1\n\nb c ", w, "\n"), {.weighted = true});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << w;
    EXPECT_THAT(Msg(s), HasSubstr(absl::StrCat(
                            "bad.txt:3: weight: expected a finite number > 0 that fits a float, "
                            "got '",
                            w, "'")))
        << w;
  }
}

TEST(EdgeList, InvalidUtf8AndControlCharactersInIds) {
  absl::Status s = ReadError("a b\nok caf\xE9\n");  // Latin-1 é
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("bad.txt:2: target: expected a node id of valid UTF-8, got "
                                "'caf\\xe9'"));
  s = ReadError("\xC0\xAF x\n");  // overlong '/'
  EXPECT_THAT(Msg(s), HasSubstr("bad.txt:1: source: expected a node id of valid UTF-8, got "
                                "'\\xc0\\xaf'"));
  s = ReadError("a\x01z b\n");
  EXPECT_THAT(Msg(s), HasSubstr("bad.txt:1: source: expected a node id of no control characters, "
                                "got 'a\\x01z'"));
  s = ReadError("a b\rc\n");  // a CR that does not end the line
  EXPECT_THAT(Msg(s), HasSubstr("bad.txt:1: target: expected a node id of no control characters, "
                                "got 'b\\rc'"));
  // Ids are checked a few lines after they are read (in batches): an id error still wins over a
  // malformed line after it.
  s = ReadError("a b\nc \xFF\nd e f\n");
  EXPECT_THAT(Msg(s), HasSubstr("bad.txt:2: target: expected a node id of valid UTF-8"));
}

TEST(EdgeList, EmptyAndCommentOnlyFiles) {
  absl::Status s = ReadError("", {}, "empty.txt");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("empty.txt: no edges: the file is empty"));
  s = ReadError("# only\n\n  # comments\n", {.weighted = true}, "comments.txt");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("comments.txt: no edges: expected lines 'u v w', got only 3 "
                                "comment or blank lines"));
}

TEST(EdgeList, MissingFileAndDirectory) {
  const std::string path = TempPath("does_not_exist.txt");
  auto g = ReadEdgeList(path, {});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Msg(g.status()), HasSubstr(path + ": cannot open"));
  g = ReadGraph(path, {});
  EXPECT_EQ(g.status().code(), absl::StatusCode::kNotFound);
  g = ReadEdgeList(::testing::TempDir(), {});
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(g.status()), HasSubstr("expected a graph file, got a directory"));
}

// --- self-loops, duplicates, directedness ------------------------------------------------------

TEST(EdgeList, SelfLoopsTakeOneSlotInBothModes) {
  for (const bool directed : {false, true}) {
    EdgeListStats st;
    const Graph g = Read("a a\na b\n", {.directed = directed}, &st);
    EXPECT_THAT(Row(g, 0), ElementsAre(P{"a", 1.0f}, P{"b", 1.0f})) << directed;
    EXPECT_EQ(g.num_edge_slots(), directed ? 2 : 3);
    EXPECT_EQ(st.self_loops, 1);
    EXPECT_EQ(st.edges, 2);
    EXPECT_EQ(st.duplicates, 0);
  }
}

TEST(EdgeList, SingleNodeWithASelfLoop) {
  EdgeListStats st;
  const Graph g = Read("only only 3\n", {.weighted = true}, &st);
  EXPECT_EQ(g.names, std::vector<std::string>{"only"});
  EXPECT_EQ(g.offsets, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(g.neighbors, std::vector<int32_t>{0});
  EXPECT_EQ(g.weights, std::vector<float>{3.0f});
  EXPECT_EQ(st.edges, 1);
  EXPECT_EQ(st.self_loops, 1);
}

TEST(EdgeList, UndirectedDuplicatesMergeAcrossDirectionsWithWeightsSummed) {
  EdgeListStats st;
  const Graph g = Read("a b 1\nb a 2\na b 0.25\nc c 1\nc c 1\nb c 4\n", {.weighted = true}, &st);
  EXPECT_THAT(Row(g, 0), ElementsAre(P{"b", 3.25f}));
  EXPECT_THAT(Row(g, 1), ElementsAre(P{"a", 3.25f}, P{"c", 4.0f}));
  EXPECT_THAT(Row(g, 2), ElementsAre(P{"b", 4.0f}, P{"c", 2.0f}));
  EXPECT_EQ(st.lines, 6);
  EXPECT_EQ(st.edges, 3);
  EXPECT_EQ(st.duplicates, 3);
  EXPECT_EQ(st.self_loops, 1);
}

TEST(EdgeList, DirectedDuplicatesMergeOnlyTheSameDirection) {
  EdgeListStats st;
  const Graph g =
      Read("a b 1\nb a 2\na b 0.25\n", {.weighted = true, .directed = true}, &st);
  EXPECT_TRUE(g.directed);
  EXPECT_THAT(Row(g, 0), ElementsAre(P{"b", 1.25f}));
  EXPECT_THAT(Row(g, 1), ElementsAre(P{"a", 2.0f}));
  EXPECT_EQ(st.edges, 2);
  EXPECT_EQ(st.duplicates, 1);
}

TEST(EdgeList, UnweightedDuplicatesWeighOne) {
  for (const bool directed : {false, true}) {
    EdgeListStats st;
    const Graph g = Read("a b\nb a\na b\n", {.directed = directed}, &st);
    EXPECT_THAT(Row(g, 0), ElementsAre(P{"b", 1.0f})) << directed;
    EXPECT_THAT(Row(g, 1), ElementsAre(P{"a", 1.0f})) << directed;
    EXPECT_EQ(st.edges, directed ? 2 : 1);
    EXPECT_EQ(st.duplicates, directed ? 1 : 2);
  }
}

TEST(EdgeList, DirectedAndUndirectedSlotCounts) {
  const std::string text = "1 2\n2 3\n3 1\n3 4\n";
  const Graph u = Read(text);
  const Graph d = Read(text, {.directed = true});
  EXPECT_EQ(u.num_edge_slots(), 8);
  EXPECT_EQ(u.num_edges(), 4);
  EXPECT_EQ(d.num_edge_slots(), 4);
  EXPECT_EQ(d.num_edges(), 4);
  EXPECT_EQ(d.offsets, (std::vector<int64_t>{0, 1, 2, 4, 4}));  // "4" has no out-edge
  EXPECT_EQ(d.neighbors, (std::vector<int32_t>{1, 2, 0, 3}));
}

TEST(EdgeList, SumOfDuplicatesBeyondFloatIsAnError) {
  const absl::Status s = ReadError("x y 3e38\ny x 3e38\n", {.weighted = true});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("bad.txt: edge 'x' 'y': the weights of its 2 duplicates sum to "
                                "6e+38, more than a float holds"));
}

TEST(EdgeList, AnEdgeListHasNoIsolatedNodesButGraphFromEdgesDoes) {
  // Every node an edge list names is named by an edge, so every row is non-empty in undirected
  // mode; isolated nodes only come from GraphFromEdges with num_nodes above every id.
  const Graph g = Read("a b\nc d\n");
  for (int32_t v = 0; v < g.num_nodes(); ++v) EXPECT_GT(g.offsets[v + 1], g.offsets[v]) << v;
  const auto h = GraphFromEdges(4, {0}, {2}, {}, false, {});
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->offsets, (std::vector<int64_t>{0, 1, 1, 2, 2}));
  EXPECT_EQ(h->neighbors, (std::vector<int32_t>{2, 0}));
  EXPECT_TRUE(h->names.empty());
}

// --- gzip -----------------------------------------------------------------------------------------

TEST(EdgeList, GzipRoundTripEqualsPlain) {
  std::string text = "# weighted\n";
  for (int i = 0; i < 3000; ++i) absl::StrAppend(&text, "n", i % 97, "\tn", i % 89, " ", i + 1, "\n");
  const EdgeListOptions o{.weighted = true};
  const auto plain = ReadEdgeList(WriteFile("plain.txt", text), o);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EdgeListStats st;
  // Any file name: the magic decides.
  const auto gz = ReadEdgeList(WriteGzip("compressed.txt", text), o, &st);
  ASSERT_TRUE(gz.ok()) << gz.status();
  EXPECT_EQ(gz->offsets, plain->offsets);
  EXPECT_EQ(gz->neighbors, plain->neighbors);
  EXPECT_EQ(gz->weights, plain->weights);
  EXPECT_EQ(gz->names, plain->names);
  EXPECT_EQ(st.lines, 3000);
  EXPECT_EQ(st.comment_or_blank, 1);
}

TEST(EdgeList, ConcatenatedGzipMembersAreOneText) {
  const std::string a = ReadBytes(WriteGzip("a.gz", "a b\nb "));
  const std::string b = ReadBytes(WriteGzip("b.gz", "c\nc d\n"));
  const Graph g = Read(a + b);
  EXPECT_EQ(g.names, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(g.num_edges(), 3);
}

TEST(EdgeList, TruncatedAndCorruptGzip) {
  std::string text;
  for (int i = 0; i < 2000; ++i) absl::StrAppend(&text, i, " ", i * 7 % 1000, "\n");
  const std::string gz = ReadBytes(WriteGzip("full.gz", text));
  absl::Status s = ReadError(gz.substr(0, gz.size() / 2), {}, "half.gz");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Msg(s), HasSubstr("half.gz: truncated gzip file: it ends inside a compressed stream"));
  s = ReadError(gz.substr(0, gz.size() - 4), {}, "nolength.gz");  // only the length trailer lost
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Msg(s), HasSubstr("nolength.gz: truncated gzip file"));
  std::string bad = gz;
  bad[bad.size() - 6] ^= 0x55;  // inside the CRC-32 trailer
  s = ReadError(bad, {}, "crc.gz");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Msg(s), HasSubstr("crc.gz: corrupt gzip data: incorrect data check"));
  s = ReadError(gz + "garbage", {}, "trailing.gz");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Msg(s), HasSubstr("trailing.gz: corrupt gzip data: expected another gzip member or "
                                "the end of the file after the gzip stream, got byte 0x67"));
  s = ReadError(ReadBytes(WriteGzip("nothing.gz", "")), {}, "nothing.gz");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("nothing.gz: no edges: the file is empty (it decompresses to "
                                "nothing)"));
  s = ReadError("\x1f\x8b", {}, "magic_only.gz");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Msg(s), HasSubstr("magic_only.gz: truncated gzip file"));
}

// --- ReadGraph ------------------------------------------------------------------------------------

TEST(ReadGraph, DispatchesOnTheCsrMagic) {
  Graph g;
  g.directed = true;
  g.offsets = {0, 2, 2, 3};
  g.neighbors = {1, 2, 0};
  g.weights = {0.5f, 2.0f, 1.0f};
  g.names = {"x", "y", "z"};
  const std::string csr = TempPath("g.csr");
  ASSERT_TRUE(WriteCsr(csr, g).ok());
  EdgeListStats st;
  const auto back = ReadGraph(csr, {}, &st);  // the file's own flags win over the options
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->directed);
  EXPECT_EQ(back->offsets, g.offsets);
  EXPECT_EQ(back->neighbors, g.neighbors);
  EXPECT_EQ(back->weights, g.weights);
  EXPECT_EQ(back->names, g.names);
  EXPECT_EQ(st.edges, 3);

  const auto text = ReadGraph(WriteFile("g.txt", "x y\n"), {});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->names, (std::vector<std::string>{"x", "y"}));

  // A CSR given to the edge-list reader, or compressed, is named for what it is.
  auto r = ReadEdgeList(csr, {});
  EXPECT_THAT(Msg(r.status()),
              HasSubstr("expected a text edge list, got an n2v CSR file (read it as a graph"));
  r = ReadGraph(WriteGzip("g.csr.gz", ReadBytes(csr)), {});
  EXPECT_THAT(Msg(r.status()), HasSubstr("got an n2v CSR file compressed with gzip"));
  // A damaged CSR file is reported by ReadCsr, not parsed as text.
  std::string damaged = ReadBytes(csr);
  damaged.pop_back();
  r = ReadGraph(WriteFile("damaged.csr", damaged), {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Msg(r.status()), HasSubstr("damaged.csr: truncated"));
}

TEST(ReadGraph, ReadsAPipeOnceEvenOneByteAtATime) {
  // A FIFO is not a regular file: ReadGraph cannot peek at it and reopen it, so it reads it as an
  // edge list from the descriptor it opened; the gzip magic may arrive split over two reads.
  for (const bool gzip : {false, true}) {
    const std::string fifo = TempPath(gzip ? "pipe_gz" : "pipe_txt");
    ::unlink(fifo.c_str());
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::string text = "p q\nq r\n";
    const std::string bytes = gzip ? ReadBytes(WriteGzip("pipe_src.gz", text)) : text;
    std::thread writer([&] {
      const int fd = ::open(fifo.c_str(), O_WRONLY);
      for (const char c : bytes) {
        EXPECT_EQ(::write(fd, &c, 1), 1);
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      ::close(fd);
    });
    const auto g = ReadGraph(fifo, {});
    writer.join();
    ASSERT_TRUE(g.ok()) << g.status();
    EXPECT_EQ(g->names, (std::vector<std::string>{"p", "q", "r"})) << gzip;
    EXPECT_EQ(g->num_edges(), 2);
    ::unlink(fifo.c_str());
  }
}

// --- size checks ----------------------------------------------------------------------------------

TEST(CheckCsrFits, RefusesTooManyNodesAndGraphsBeyondMemory) {
  EXPECT_EQ(CsrBytesEstimate(3, 10), 8u * 4 + 8u * 10);
  EXPECT_TRUE(CheckCsrFits("g.txt", 3, 10, 112).ok());
  absl::Status s = CheckCsrFits("g.txt", 3, 10, 111);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Msg(s),
            "g.txt: not enough memory: the CSR of 3 nodes and 10 edge slots needs about 112 B "
            "(112 bytes), more than the 111 B of physical memory");
  s = CheckCsrFits("big.txt", 100'000'000, 4'000'000'000, 16ull << 30);
  EXPECT_EQ(Msg(s),
            "big.txt: not enough memory: the CSR of 100000000 nodes and 4000000000 edge slots "
            "needs about 30.5 GiB (32800000008 bytes), more than the 16.0 GiB of physical memory");
  s = CheckCsrFits("big.txt:7", int64_t{1} << 31, 0, ~uint64_t{0});
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Msg(s), "big.txt:7: too many nodes: expected at most 2147483647 (2^31 − 1, the CSR's "
                    "32-bit node ids), got 2147483648");
  EXPECT_TRUE(CheckCsrFits("g", (int64_t{1} << 31) - 1, 0, ~uint64_t{0}).ok());
  EXPECT_GT(PhysicalMemoryBytes(), uint64_t{1} << 20);
}

// --- GraphFromEdges ---------------------------------------------------------------------------------

TEST(GraphFromEdges, ValidatesItsInput) {
  const auto err = [](absl::StatusOr<Graph> r) {
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    return Msg(r.status());
  };
  EXPECT_EQ(err(GraphFromEdges(2, {0, 1}, {1, 2}, {}, false, {})),
            "GraphFromEdges: edge 1: dst: expected a node id in [0, 2), got 2");
  EXPECT_EQ(err(GraphFromEdges(2, {-1}, {1}, {}, false, {})),
            "GraphFromEdges: edge 0: src: expected a node id in [0, 2), got -1");
  EXPECT_EQ(err(GraphFromEdges(2, {0}, {1}, {0.0f}, false, {})),
            "GraphFromEdges: edge 0: weight: expected a finite number > 0, got 0");
  EXPECT_EQ(err(GraphFromEdges(2, {0}, {1}, {std::numeric_limits<float>::infinity()}, false, {})),
            "GraphFromEdges: edge 0: weight: expected a finite number > 0, got inf");
  EXPECT_EQ(err(GraphFromEdges(2, {0}, {1}, {1.0f, 2.0f}, false, {})),
            "GraphFromEdges: weights: expected none or one per edge (1), got 2");
  EXPECT_EQ(err(GraphFromEdges(2, {0}, {1, 0}, {}, false, {})),
            "GraphFromEdges: dst: expected one per source (1), got 2");
  EXPECT_EQ(err(GraphFromEdges(2, {0}, {1}, {}, false, {"a"})),
            "GraphFromEdges: names: expected none or one per node (2), got 1");
  EXPECT_EQ(err(GraphFromEdges(2, {0}, {1}, {}, false, {"a", "a"})),
            "GraphFromEdges: names: expected distinct names, got 'a' twice (node 1)");
  EXPECT_EQ(err(GraphFromEdges(-1, {}, {}, {}, false, {})),
            "GraphFromEdges: num_nodes: expected >= 0, got -1");
  const auto empty = GraphFromEdges(0, {}, {}, {}, true, {});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->num_nodes(), 0);
  EXPECT_EQ(empty->num_edge_slots(), 0);
}

// --- against a scalar reference -------------------------------------------------------------------

/// The reader's rules written the plain way: every slot listed, stably sorted by (row, neighbour),
/// runs summed in input order.
Graph Reference(const std::vector<std::tuple<std::string, std::string, float>>& edges,
                bool weighted, bool directed) {
  absl::flat_hash_map<std::string, int32_t> id;
  std::vector<std::string> names;
  const auto intern = [&](const std::string& s) {
    auto [it, added] = id.emplace(s, static_cast<int32_t>(names.size()));
    if (added) names.push_back(s);
    return it->second;
  };
  struct Slot {
    int32_t row, neighbor;
    float w;
  };
  std::vector<Slot> slots;
  for (const auto& [a, b, w] : edges) {
    const int32_t u = intern(a), v = intern(b);
    slots.push_back({u, v, w});
    if (!directed && u != v) slots.push_back({v, u, w});
  }
  std::stable_sort(slots.begin(), slots.end(), [](const Slot& x, const Slot& y) {
    return std::tie(x.row, x.neighbor) < std::tie(y.row, y.neighbor);
  });
  Graph g;
  g.directed = directed;
  g.names = names;
  g.offsets.assign(names.size() + 1, 0);
  for (size_t i = 0; i < slots.size();) {
    size_t j = i;
    double sum = 0;
    for (; j < slots.size() && slots[j].row == slots[i].row &&
           slots[j].neighbor == slots[i].neighbor;
         ++j) {
      sum += slots[j].w;
    }
    g.neighbors.push_back(slots[i].neighbor);
    g.weights.push_back(weighted ? static_cast<float>(sum) : 1.0f);
    ++g.offsets[slots[i].row + 1];
    i = j;
  }
  for (size_t v = 0; v < names.size(); ++v) g.offsets[v + 1] += g.offsets[v];
  return g;
}

TEST(EdgeList, MatchesTheReferenceOnRandomFilesAcrossBlockBoundaries) {
  // 700k lines, over 17 MiB: more than one 16 MiB read block, so lines are cut at block ends.
  std::mt19937_64 rng(20240601);
  std::vector<std::tuple<std::string, std::string, float>> edges;
  std::string text;
  std::uniform_int_distribution<int> node(0, 40000), pad(0, 3), wi(1, 64);
  const char* blanks[] = {" ", "\t", "  ", " \t "};
  for (int i = 0; i < 700'000; ++i) {
    const std::string a = absl::StrCat("user_", node(rng)), b = absl::StrCat("item-", node(rng) % 5000);
    const bool loop = i % 997 == 0;
    const float w = static_cast<float>(wi(rng)) / 8.0f;  // exact in float: sums are exact too
    edges.emplace_back(a, loop ? a : b, w);
    absl::StrAppend(&text, a, blanks[pad(rng)], loop ? a : b, " ", w, i % 5 == 0 ? "\r\n" : "\n");
    if (i % 100'000 == 0) absl::StrAppend(&text, "# progress ", i, "\n\n");
  }
  ASSERT_GT(text.size(), size_t{17} << 20);
  const std::string path = WriteFile("random.txt", text);
  for (const bool directed : {false, true}) {
    EdgeListStats st;
    const auto g = ReadEdgeList(path, {.weighted = true, .directed = directed}, &st);
    ASSERT_TRUE(g.ok()) << g.status();
    const Graph ref = Reference(edges, true, directed);
    EXPECT_EQ(g->names, ref.names);
    EXPECT_EQ(g->offsets, ref.offsets);
    EXPECT_EQ(g->neighbors, ref.neighbors);
    EXPECT_EQ(g->weights, ref.weights);
    EXPECT_EQ(st.lines, 700'000);
    EXPECT_EQ(st.comment_or_blank, 14);
    EXPECT_EQ(st.lines, st.edges + st.duplicates);
  }
  // The same text unweighted would be a column error; drop the weights and compare again.
  std::string unweighted;
  for (const auto& [a, b, w] : edges) absl::StrAppend(&unweighted, a, " ", b, "\n");
  const auto g = ReadEdgeList(WriteGzip("random.txt.gz", unweighted), {});
  ASSERT_TRUE(g.ok()) << g.status();
  const Graph ref = Reference(edges, false, false);
  EXPECT_EQ(g->offsets, ref.offsets);
  EXPECT_EQ(g->neighbors, ref.neighbors);
  EXPECT_EQ(g->weights, ref.weights);
}

TEST(EdgeList, NumericIdsMatchTheReferenceWhateverTableTheyLandIn) {
  // Canonical numbers are looked up by value in a table that grows with the node count; numbers
  // beyond it (here 4M..6M, above its initial 2^22 entries until ~200k nodes are seen) go to the
  // hash table first and must be moved over when the table grows. "007", "+7" and 12-digit
  // numbers are never table keys: they must stay distinct from 7.
  std::mt19937_64 rng(7);
  std::vector<std::tuple<std::string, std::string, float>> edges;
  std::string text;
  std::uniform_int_distribution<int> pick(0, 99), small(0, 299'999), mid(4'000'000, 6'000'000);
  const auto id = [&]() -> std::string {
    const int r = pick(rng);
    if (r < 70) return absl::StrCat(small(rng));
    if (r < 90) return absl::StrCat(mid(rng) / 50 * 50);  // repeats, so migrated ids are met again
    if (r < 94) return absl::StrCat("0", small(rng) % 100);
    if (r < 97) return absl::StrCat("+", small(rng) % 100);
    return absl::StrCat(small(rng) % 100, "000000000000");
  };
  for (int i = 0; i < 400'000; ++i) {
    std::string a = id(), b = id();
    absl::StrAppend(&text, a, " ", b, "\n");
    edges.emplace_back(std::move(a), std::move(b), 1.0f);
  }
  const auto g = ReadEdgeList(WriteFile("numeric.txt", text), {});
  ASSERT_TRUE(g.ok()) << g.status();
  const Graph ref = Reference(edges, false, false);
  EXPECT_EQ(g->names, ref.names);
  EXPECT_EQ(g->offsets, ref.offsets);
  EXPECT_EQ(g->neighbors, ref.neighbors);
}

TEST(EdgeList, CrlfAndUtf8SplitAtTheBlockBoundary) {
  constexpr size_t kBlock = size_t{16} << 20;  // the reader's block size
  for (const std::string& line : {std::string("a b\r\n"), std::string("a \xC3\xA9\n")}) {
    // A comment fills the first block up to where `line` straddles it: the CR (or the second
    // byte of the é) is the block's last byte... or its first.
    for (const size_t before_end : {size_t{2}, size_t{1}}) {
      const size_t comment = kBlock - (line.size() - before_end);
      std::string text = "#" + std::string(comment - 2, 'x') + "\n" + line + "b c\n";
      // The block's last byte is line[line.size() - before_end - 1].
      ASSERT_EQ(text[kBlock - 1], line[line.size() - before_end - 1]);
      EdgeListStats st;
      const Graph g = Read(text, {}, &st);
      const std::vector<std::string> want =
          line[2] == 'b' ? std::vector<std::string>{"a", "b", "c"}
                         : std::vector<std::string>{"a", "\xC3\xA9", "b", "c"};
      EXPECT_EQ(g.names, want);
      EXPECT_EQ(st.lines, 2);
      EXPECT_EQ(st.comment_or_blank, 1);
    }
  }
}

TEST(EdgeList, ALineLongerThanTheReadBlock) {
  const std::string long_id(20 << 20, 'x');  // 20 MiB: the 16 MiB buffer has to grow
  const Graph g = Read("a b\n" + long_id + " a\nb c\n");
  ASSERT_EQ(g.names.size(), 4u);
  EXPECT_EQ(g.names[2], long_id);
  EXPECT_THAT(Row(g, 0), ElementsAre(P{"b", 1.0f}, P{long_id, 1.0f}));
}

}  // namespace
}  // namespace n2v
