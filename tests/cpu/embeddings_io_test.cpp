// Embedding readers: round trips with WriteWord2VecText and hand-built binary/.npy files, format
// detection, and one InvalidArgumentError naming file, line or byte for each malformed input.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "n2v/embeddings_io.hpp"
#include "n2v/export.hpp"

namespace n2v {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class EmbeddingsIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("n2v_embio_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  // Expects InvalidArgument whose message holds every fragment.
  void ExpectBad(const std::string& path, const std::vector<std::string>& fragments,
                 const std::string& named = "") {
    auto r = ReadEmbeddings(path);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
    const std::string msg(r.status().message());
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_THAT(msg, HasSubstr(named.empty() ? path : named));
    for (const auto& f : fragments) EXPECT_THAT(msg, HasSubstr(f));
  }
  fs::path dir_;
};

Embeddings Table() {
  Embeddings e;
  e.rows = 3;
  e.dim = 4;
  // Awkward values on purpose: shortest round-trip text, denormal, negative zero, large.
  e.data = {0.1f, -2.5e-7f, 3.4e38f, 1.0f / 3.0f, -0.0f, 1e-40f, 123456.789f, -1.0f,
            0.7071068f, 2.0f, -3.0f, 4.5f};
  return e;
}

std::string Bytes(const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); }

std::string Binary(const Embeddings& e, const std::vector<std::string>& keys, bool newline) {
  std::string out = std::to_string(e.rows) + " " + std::to_string(e.dim) + "\n";
  for (int32_t r = 0; r < e.rows; ++r) {
    out += keys[r] + " " + Bytes(e.row(r), sizeof(float) * e.dim);
    if (newline) out += "\n";
  }
  return out;
}

// Header padded so the data starts at a multiple of 64 bytes (128 for these dicts), as NumPy does.
std::string Npy(const std::string& dict, const std::string& data, int major = 1) {
  std::string h = dict;
  const size_t pre = major == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  const uint32_t n = static_cast<uint32_t>(h.size());
  out += major == 1 ? Bytes(&n, 2) : Bytes(&n, 4);
  return out + h + data;
}

void ExpectSame(const LoadedEmbeddings& got, const Embeddings& e,
                const std::vector<std::string>& keys) {
  ASSERT_EQ(got.emb.rows, e.rows);
  ASSERT_EQ(got.emb.dim, e.dim);
  EXPECT_EQ(got.keys, keys);
  ASSERT_EQ(got.emb.data.size(), e.data.size());
  for (size_t i = 0; i < e.data.size(); ++i) {
    EXPECT_EQ(std::memcmp(&got.emb.data[i], &e.data[i], 4), 0) << "element " << i;
  }
}

const std::vector<std::string> kKeys = {"1", "two", "Ωmega"};

// --- round trips and detection ---

TEST_F(EmbeddingsIoTest, Word2VecTextRoundTripIsBitExact) {
  const std::string p = (dir_ / "e.w2v.txt").string();
  ASSERT_TRUE(WriteWord2VecText(p, Table(), kKeys).ok());
  EmbeddingsFormat fmt;
  auto r = ReadEmbeddings(p, &fmt);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(fmt, EmbeddingsFormat::kWord2VecText);
  ExpectSame(*r, Table(), kKeys);
}

TEST_F(EmbeddingsIoTest, TextAcceptsCrlfTabsPlusSignAndTrailingBlankLines) {
  const std::string p = Write("e.txt", "2 2\r\na\t+1.5 2\r\nb -1e3  0.25\r\n\n\n");
  auto r = ReadEmbeddings(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r->emb.data, (std::vector<float>{1.5f, 2.0f, -1000.0f, 0.25f}));
}

TEST_F(EmbeddingsIoTest, Word2VecBinaryWithAndWithoutRowNewlines) {
  for (bool newline : {true, false}) {
    const std::string p = Write("e.bin", Binary(Table(), kKeys, newline));
    EmbeddingsFormat fmt;
    auto r = ReadEmbeddings(p, &fmt);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(fmt, EmbeddingsFormat::kWord2VecBinary) << "newline " << newline;
    ExpectSame(*r, Table(), kKeys);
  }
}

TEST_F(EmbeddingsIoTest, NpyFloat32AndFloat64WithIdsFiles) {
  const Embeddings e = Table();
  std::vector<double> d(e.data.begin(), e.data.end());
  const std::string f4 = Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }",
                             Bytes(e.data.data(), e.data.size() * 4));
  const std::string f8 = Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }",
                             Bytes(d.data(), d.size() * 8), 2);
  const std::string a = Write("a.npy", f4);
  Write("a.ids.txt", "1\r\ntwo\r\nΩmega\r\n");
  const std::string b = Write("b.npy", f8);
  Write("b.npy.ids", "1\ntwo\nΩmega");
  for (const auto& p : {a, b}) {
    EmbeddingsFormat fmt;
    auto r = ReadEmbeddings(p, &fmt);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(fmt, EmbeddingsFormat::kNpy);
    ExpectSame(*r, e, kKeys);
  }
}

TEST_F(EmbeddingsIoTest, NpyWithoutIdsUsesRowNumbers) {
  const float v[2] = {1, 2};
  const std::string p =
      Write("c.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }", Bytes(v, 8)));
  auto r = ReadEmbeddings(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->keys, (std::vector<std::string>{"0", "1"}));
}

TEST_F(EmbeddingsIoTest, MissingFileIsNotFound) {
  auto r = ReadEmbeddings((dir_ / "nope.txt").string());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

// --- malformed text ---

TEST_F(EmbeddingsIoTest, TextErrorsNameLineAndExpectation) {
  ExpectBad(Write("h.txt", "3\na 1\n"), {":1:", "expected a header 'count dim'"});
  ExpectBad(Write("d0.txt", "1 0\na\n"), {":1:", "dimension", "got 0"});
  ExpectBad(Write("r0.txt", "0 2\n"), {":1:", "row count", "got 0"});
  ExpectBad(Write("n.txt", "2 2\na 1 2\nb 1\n"), {":3:", "expected a key and 2 values, got 1"});
  ExpectBad(Write("m.txt", "2 2\na 1 2\nb 1 2 3\n"), {":3:", "got 3 values"});
  ExpectBad(Write("x.txt", "2 2\na 1 2\nb 1 x2\n"), {":3:", "value 2 of 'b'", "expected a number",
                                                     "'x2'"});
  ExpectBad(Write("nan.txt", "2 2\na nan 2\nb 1 2\n"), {":2:", "finite"});
  ExpectBad(Write("inf.txt", "2 2\na 1 2\nb -inf 2\n"), {":3:", "finite"});
  ExpectBad(Write("big.txt", "2 2\na 1e39 2\nb 1 2\n"), {":2:", "out of range"});
  ExpectBad(Write("few.txt", "3 1\na 1\nb 2\n"), {"expected 3 rows", "ends after 2"});
  ExpectBad(Write("many.txt", "1 1\na 1\nb 2\n"), {":3:", "header says 1 rows"});
  ExpectBad(Write("dup.txt", "2 1\na 1\na 2\n"), {":3:", "unique keys", "'a'", "first on line 2"});
  ExpectBad(Write("blank.txt", "2 1\na 1\n\nb 2\n"), {":3:", "empty line"});
  // A header claiming more than the file can hold fails before allocating.
  ExpectBad(Write("huge.txt", "2000000000 2000000000\na 1\n"), {":1:", "header says"});
}

TEST_F(EmbeddingsIoTest, EmptyHeaderOnlyAndDirectoryAreErrors) {
  ExpectBad(Write("empty.txt", ""), {":1:", "expected a header line"});
  ExpectBad(Write("nonl.txt", "2 2"), {":1:", "ending in a line break"});
  ExpectBad(Write("hdr.txt", "2 2\n"), {":1:", "header says 2 rows"});
  ExpectBad(Write("rows.txt", "3000000000 2\n"), {":1:", "row count", "3000000000"});
  ExpectBad(Write("neg.txt", "-1 2\n"), {":1:", "row count", "-1"});
  fs::create_directories(dir_ / "d.txt");
  ExpectBad((dir_ / "d.txt").string(), {"is a directory"});
}

// Keys are UTF-8 without control bytes in every format: a Latin-1 text file must not pass for a
// word2vec binary one ("caf\xe9 1234\n" is also a well-formed binary row of one float).
TEST_F(EmbeddingsIoTest, KeysMustBeUtf8WithoutControlBytes) {
  ExpectBad(Write("latin1.txt", "1 1\ncaf\xe9 1234\n"),
            {":2:", "expected a UTF-8 key", "caf\\xe9"});
  ExpectBad(Write("latin1b.txt", "2 1\na 1\ncaf\xe9 2\n"), {":3:", "expected a UTF-8 key"});
  // A control byte makes a file binary; its key is refused there.
  ExpectBad(Write("ctl.bin", "1 1\na\x01" "b " + std::string("\0\0\x80\x3f", 4) + "\n"),
            {"row 1", "expected a UTF-8 key", "a\\x01b"});
  const float v[2] = {1, 2};
  const std::string npy =
      Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }", Bytes(v, 8));
  Write("k.ids.txt", "ok\nbad\xff\n");
  Write("k.npy", npy);
  ExpectBad((dir_ / "k.npy").string(), {"expected a UTF-8 key", "bad\\xff"}, "k.ids.txt:2:");
  // A binary file's key too.
  std::string bin = "1 1\ncaf\xe9 " + std::string("\0\0\x80\x3f", 4) + "\n";
  ExpectBad(Write("latin1.bin", bin), {"row 1", "expected a UTF-8 key", "caf\\xe9"});
  // Valid UTF-8 keys (and spaces in .ids.txt) still read.
  Write("u.ids.txt", "Ωmega\nnode two\n");
  auto r = ReadEmbeddings(Write("u.npy", npy));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->keys, (std::vector<std::string>{"Ωmega", "node two"}));
}

// --- malformed binary ---

TEST_F(EmbeddingsIoTest, BinaryErrorsNameByteOffset) {
  const std::string good = Binary(Table(), kKeys, true);
  // Cut inside the last vector: the header is "3 4\n" (4 bytes), rows are key+1+16+1 bytes.
  ExpectBad(Write("t.bin", good.substr(0, good.size() - 5)), {"truncated"});
  auto r = ReadEmbeddings((dir_ / "t.bin").string());
  const size_t last_vec = 4 + (1 + 1 + 16 + 1) + (3 + 1 + 16 + 1) + std::string("Ωmega ").size();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("byte " + std::to_string(last_vec)));

  Embeddings e = Table();
  e.data[5] = std::numeric_limits<float>::quiet_NaN();
  ExpectBad(Write("nan.bin", Binary(e, kKeys, true)),
            {"byte " + std::to_string(4 + 19 + 4 + 4), "row 2", "value 2", "finite"});
  ExpectBad(Write("dup.bin", Binary(Table(), {"a", "b", "a"}, false)),
            {"row 3", "unique keys", "first at byte 4"});
  ExpectBad(Write("more.bin", Binary(Table(), kKeys, true) + "junk " + std::string(16, '\0')),
            {"expected the end of the file", "header's 3 rows"});
  std::string few = Binary(Table(), kKeys, true);
  few[0] = '9';
  ExpectBad(Write("few.bin", few), {":1:", "header says 9 rows", "truncated"});
}

// --- malformed .npy ---

TEST_F(EmbeddingsIoTest, NpyErrorsNameTheProblem) {
  const float v[4] = {1, 2, 3, 4};
  const std::string data = Bytes(v, 16);
  ExpectBad(Write("be.npy", Npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", data)),
            {"expected dtype '<f4' or '<f8'", "'>f4'"});
  ExpectBad(Write("i.npy", Npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", data)),
            {"'<i4'"});
  ExpectBad(Write("f.npy", Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", data)),
            {"fortran_order False"});
  ExpectBad(Write("1d.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", data)),
            {"2-D array", "(4,)"});
  ExpectBad(Write("d0.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0), }", "")),
            {"dim in [1"});
  ExpectBad(Write("tr.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                                data.substr(0, 12))),
            {"byte 128", "truncated"});
  ExpectBad(Write("more.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", data)),
            {"byte 136", "8 more bytes"});
  const float inf[4] = {1, 2, std::numeric_limits<float>::infinity(), 4};
  ExpectBad(Write("inf.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                                 Bytes(inf, 16))),
            {"byte 136", "element [1, 0]", "finite"});
  const double big[2] = {1e300, 1};
  ExpectBad(Write("big.npy", Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }",
                                 Bytes(big, 16))),
            {"element [0, 0]", "float32 range"});
  ExpectBad(Write("v9.npy", std::string("\x93NUMPY\x09\x00", 8) + "xx"), {"version"});

  const std::string ok = Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", data);
  Write("ids.npy", ok);
  const std::string ids = Write("ids.ids.txt", "a\nb\nc\n");
  ExpectBad((dir_ / "ids.npy").string(), {ids + ":3:", "expected 2 ids"}, ids);
  Write("ids.ids.txt", "a\na\n");
  ExpectBad((dir_ / "ids.npy").string(), {ids + ":2:", "unique ids"}, ids);
  Write("ids.ids.txt", "a\n");
  ExpectBad((dir_ / "ids.npy").string(), {ids + ":1:", "expected 2 ids", "got 1"}, ids);
}

// Found by fuzz/embeddings_fuzzer: header values holding a line break (or other control bytes)
// were pasted into the error raw, breaking the one-line error rule. ExpectBad checks for '\n'.
TEST_F(EmbeddingsIoTest, NpyHeaderValuesWithLineBreaksGiveOneLineErrors) {
  const float v[4] = {1, 2, 3, 4};
  const std::string data = Bytes(v, 16);
  ExpectBad(Write("nl_descr.npy",
                  Npy("{'descr': '<f4\n', 'fortran_order': False, 'shape': (2, 2), }", data)),
            {"expected dtype", "\\n"});
  ExpectBad(Write("nl_fortran.npy",
                  Npy("{'descr': '<f4', 'fortran_order': Fa\nlse, 'shape': (2, 2), }", data)),
            {"fortran_order False", "\\n"});
  ExpectBad(Write("nl_shape.npy",
                  Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,\n2), }", data)),
            {"shape", "\\n"});
  ExpectBad(Write("nl_shape1.npy",
                  Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2\r\n), }", data)),
            {"shape", "\\r"});
}

// Found by fuzz/embeddings_fuzzer: a one-byte shape value without parentheses made the parser
// strip two bytes from it (std::string_view::remove_suffix past the start; ASan: overflow).
TEST_F(EmbeddingsIoTest, NpyShapeWithoutParenthesesIsAnError) {
  const float v[4] = {1, 2, 3, 4};
  const std::string data = Bytes(v, 16);
  ExpectBad(Write("s1.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': 4, }", data)),
            {"expected a shape tuple (rows, dim)", "got 4"});
  ExpectBad(Write("s2.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': 2 2, }", data)),
            {"expected a shape tuple (rows, dim)"});
}

}  // namespace
}  // namespace n2v
