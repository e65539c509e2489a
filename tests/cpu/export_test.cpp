// Exports, JSON and movie queries: formats as documented, atomic writes, helpful query errors.
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "n2v/atomic_file.hpp"
#include "n2v/embeddings_io.hpp"
#include "n2v/export.hpp"
#include "n2v/json.hpp"
#include "n2v/movie_query.hpp"

namespace n2v {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("n2v_export_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ExportTest, Word2VecTextHasHeaderAndRoundTripFloats) {
  Embeddings e{2, 3, {0.1f, -2.5f, 1e-8f, 3.0f, 0.333333343f, -0.0f}};
  ASSERT_TRUE(WriteWord2VecText((dir_ / "e.txt").string(), e, {"10", "20"}).ok());
  std::istringstream in(Slurp(dir_ / "e.txt"));
  int rows, dim;
  in >> rows >> dim;
  EXPECT_EQ(rows, 2);
  EXPECT_EQ(dim, 3);
  for (int r = 0; r < 2; ++r) {
    std::string key;
    in >> key;
    EXPECT_EQ(key, r == 0 ? "10" : "20");
    for (int d = 0; d < 3; ++d) {
      float v;
      in >> v;
      EXPECT_EQ(v, e.data[r * 3 + d]) << "shortest round-trip form must read back exactly";
    }
  }
}

TEST_F(ExportTest, Word2VecTextRejectsKeysWithSpaces) {
  Embeddings e{1, 1, {1.0f}};
  const auto st = WriteWord2VecText((dir_ / "e.txt").string(), e, {"a b"});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("white space"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "e.txt"));
}

TEST_F(ExportTest, ProjectorTsvRowsAlignAndFieldsAreSanitised) {
  Embeddings e{2, 2, {1, 2, 3, 4}};
  ASSERT_TRUE(WriteProjectorTsv((dir_ / "v.tsv").string(), (dir_ / "m.tsv").string(), e,
                                {"title", "id"}, {{"A\tB", "1"}, {"C\nD", "2"}})
                  .ok());
  EXPECT_EQ(Slurp(dir_ / "v.tsv"), "1\t2\n3\t4\n");
  EXPECT_EQ(Slurp(dir_ / "m.tsv"), "title\tid\nA B\t1\nC D\t2\n");
}

TEST_F(ExportTest, LossCsv) {
  ASSERT_TRUE(WriteLossCsv((dir_ / "l.csv").string(), {2.5, 2.25}).ok());
  EXPECT_EQ(Slurp(dir_ / "l.csv"), "epoch,loss\n1,2.5\n2,2.25\n");
}

TEST_F(ExportTest, AtomicWriteReplacesAndLeavesNoTemporaryFiles) {
  const std::string p = (dir_ / "f.txt").string();
  ASSERT_TRUE(WriteFileAtomic(p, "old").ok());
  ASSERT_TRUE(WriteFileAtomic(p, "new").ok());
  EXPECT_EQ(Slurp(p), "new");
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) files += entry.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(ExportTest, AtomicWriteIntoMissingDirectoryFailsCleanly) {
  const auto st = WriteFileAtomic((dir_ / "nope" / "f.txt").string(), "x");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("nope/f.txt"), std::string::npos);
}

// Every export format reads back through the readers `n2v similar` uses, bit for bit.
TEST_F(ExportTest, EveryFormatRoundTripsThroughTheReaders) {
  Embeddings e{3, 4, {0.1f, -2.5f, 1e-8f, 3.0f, 0.333333343f, -0.0f, 7.f, 8.f, 1e30f, -1e-30f,
                      0.f, 0.5f}};
  const std::vector<std::string> keys = {"a", "node-\xce\xb1", "007"};
  struct Case { ExportFormat f; const char* name; EmbeddingsFormat expect; };
  for (const Case& c : {Case{ExportFormat::kWord2VecText, "e.txt", EmbeddingsFormat::kWord2VecText},
                        Case{ExportFormat::kWord2VecBinary, "e.bin", EmbeddingsFormat::kWord2VecBinary},
                        Case{ExportFormat::kNpy, "e.npy", EmbeddingsFormat::kNpy}}) {
    const std::string path = (dir_ / c.name).string();
    ASSERT_TRUE(WriteEmbeddings(path, c.f, e, keys).ok()) << c.name;
    EmbeddingsFormat got_format;
    auto got = ReadEmbeddings(path, &got_format);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status();
    EXPECT_EQ(got_format, c.expect) << c.name;
    EXPECT_EQ(got->keys, keys) << c.name;
    ASSERT_EQ(got->emb.rows, 3);
    ASSERT_EQ(got->emb.dim, 4);
    for (size_t i = 0; i < e.data.size(); ++i) {
      EXPECT_EQ(std::bit_cast<uint32_t>(got->emb.data[i]), std::bit_cast<uint32_t>(e.data[i]))
          << c.name << " value " << i;
    }
  }
  EXPECT_EQ(Slurp(dir_ / "e.ids.txt"), "a\nnode-\xce\xb1\n007\n");
  // .npy header: version 1.0 and a dict padded so the data starts 64-byte aligned.
  const std::string npy = Slurp(dir_ / "e.npy");
  EXPECT_EQ(npy.size() % 16, (128 + 48) % 16);
  const size_t header = 10 + (static_cast<uint8_t>(npy[8]) | static_cast<uint8_t>(npy[9]) << 8);
  EXPECT_EQ(header % 64, 0u);
  EXPECT_EQ(npy.size(), header + 48);
}

TEST_F(ExportTest, ProjectorFormatWritesVectorsAndKeyMetadata) {
  Embeddings e{2, 2, {1.f, 2.f, 3.f, 4.f}};
  const std::string path = (dir_ / "emb.tsv").string();
  ASSERT_TRUE(WriteEmbeddings(path, ExportFormat::kProjectorTsv, e, {"x", "y z"}).ok());
  EXPECT_EQ(Slurp(dir_ / "emb.tsv"), "1\t2\n3\t4\n");
  EXPECT_EQ(Slurp(dir_ / "emb.metadata.tsv"), "x\ny z\n");  // one column: no header line
}

TEST_F(ExportTest, BinaryAndNpyRejectBadKeysWithoutWriting) {
  Embeddings e{1, 1, {1.f}};
  EXPECT_EQ(WriteEmbeddings((dir_ / "b.bin").string(), ExportFormat::kWord2VecBinary, e, {"a b"})
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteEmbeddings((dir_ / "n.npy").string(), ExportFormat::kNpy, e, {"a\nb"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(ExportTest, StreamingWriterPublishesOnlyOnCommit) {
  const std::string path = (dir_ / "out.txt").string();
  ASSERT_TRUE(WriteFileAtomic(path, "old").ok());
  {
    auto w = AtomicFileWriter::Open(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->Append(std::string(5 << 20, 'x')).ok());  // past the buffer: hits the disk
    EXPECT_EQ(Slurp(path), "old");
    // Destroyed without Commit (an error path): the old file stays, the temporary goes.
  }
  EXPECT_EQ(Slurp(path), "old");
  int files = 0;
  for (const auto& f : fs::directory_iterator(dir_)) files += f.is_regular_file();
  EXPECT_EQ(files, 1);
  auto w = AtomicFileWriter::Open(path);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Append("new").ok());
  ASSERT_TRUE(w->Commit().ok());
  EXPECT_EQ(Slurp(path), "new");
  files = 0;
  for (const auto& f : fs::directory_iterator(dir_)) files += f.is_regular_file();
  EXPECT_EQ(files, 1);
}

// SIGINT/SIGTERM while an output is half written: the child is killed by the signal, the
// published file keeps its old contents and no temporary file is left.
TEST_F(ExportTest, InterruptRemovesTemporariesAndKeepsPublishedFiles) {
  for (int sig : {SIGINT, SIGTERM}) {
    const std::string path = (dir_ / "out.txt").string();
    ASSERT_TRUE(WriteFileAtomic(path, "published").ok());
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      InstallInterruptCleanup();
      auto w = AtomicFileWriter::Open(path);
      auto w2 = AtomicFileWriter::Open((dir_ / "other.txt").string());
      if (!w.ok() || !w2.ok()) ::_exit(3);
      if (!w->Append(std::string(5 << 20, 'x')).ok()) ::_exit(4);  // on disk, not published
      ::raise(sig);
      ::_exit(5);  // not reached: the handler re-raises with the default action
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_EQ(Slurp(path), "published");
    std::vector<std::string> names;
    for (const auto& f : fs::directory_iterator(dir_)) names.push_back(f.path().filename());
    EXPECT_EQ(names, std::vector<std::string>{"out.txt"});
  }
}

TEST(Json, EscapesAndNesting) {
  JsonWriter j;
  j.BeginObject().Key("a").String("x\"y\\z\n\t\x01").Key("b").BeginArray().Int(1).Double(0.5)
      .Double(NAN).Bool(true).EndArray().Key("c").BeginObject().EndObject().EndObject();
  EXPECT_EQ(j.str(), R"({"a":"x\"y\\z\n\t\u0001","b":[1,0.5,null,true],"c":{}})");
}

TEST(MovieIndex, ResolvesTitlesAndIdsAndExplainsMisses) {
  std::vector<Movie> movies = {{1, "Toy Story (1995)", "Animation"},
                               {2, "Jumanji (1995)", "Adventure"},
                               {3, "Matrix, The (1999)", "Action"},
                               {4, "Heat (1995)", "Crime"},
                               {5, "Heat (1995)", "Drama"}};
  // Graph nodes: movies 3, 1, 4, 5 (2 has no edges).
  MovieIndex index(movies, {"3", "1", "4", "5"});
  EXPECT_EQ(*index.Resolve("Matrix, The (1999)"), 0);
  EXPECT_EQ(*index.Resolve("1"), 1);
  EXPECT_EQ(index.Title(0), "Matrix, The (1999)");
  EXPECT_EQ(index.Genres(1), "Animation");

  auto miss = index.Resolve("Matrix (1999)");
  ASSERT_FALSE(miss.ok());
  EXPECT_EQ(miss.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(miss.status().message().find("Matrix, The (1999)"), std::string::npos)
      << miss.status().message();

  auto absent = index.Resolve("Jumanji (1995)");
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(absent.status().message().find("not in the movie graph"), std::string::npos);

  auto ambiguous = index.Resolve("Heat (1995)");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.status().message().find("4, 5"), std::string::npos);
  EXPECT_EQ(*index.Resolve("5"), 3);
}

}  // namespace
}  // namespace n2v
