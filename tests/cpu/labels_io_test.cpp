// Node-label reader: the format (comments, blank lines, CRLF, BOM, several lines per node,
// multi-label), the unknown-node policies, and one InvalidArgumentError line naming file:line for
// each malformed input.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "n2v/labels_io.hpp"

namespace n2v {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::string_literals;

class LabelsIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("n2v_labels_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& bytes) {
    const std::string p = (dir_ / "labels.txt").string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  // Expects InvalidArgument, one line, naming path:line and holding every fragment.
  void ExpectBad(const std::string& bytes, int line, const std::vector<std::string>& fragments,
                 const LabelReadOptions& o = {}) {
    const std::string path = Write(bytes);
    auto r = ReadNodeLabels(path, names_, o);
    ASSERT_FALSE(r.ok()) << bytes;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
    const std::string msg(r.status().message());
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_THAT(msg, HasSubstr(path + ":" + std::to_string(line) + ": ")) << msg;
    for (const auto& f : fragments) EXPECT_THAT(msg, HasSubstr(f)) << msg;
  }

  fs::path dir_;
  std::vector<std::string> names_ = {"10", "20", "30", "40", "Ümlaut"};
};

TEST_F(LabelsIoTest, ReadsMultiLabelLinesCommentsAndRepeats) {
  const std::string path = Write(
      "\xEF\xBB\xBF# node labels\n"
      "10 Drama Comedy\r\n"
      "\n"
      "   \t \n"
      "30\tAction  # trailing comment\n"
      "10 Drama Sci-Fi\n"       // a second line for node 10: labels accumulate, Drama once
      "Ümlaut C# #comment\n"    // '#' inside a field is text
      "30 Action");             // no final line break
  auto r = ReadNodeLabels(path, names_);
  ASSERT_TRUE(r.ok()) << r.status();
  // Labels numbered in byte-wise sorted order, like MultiLabelBinarizer's classes.
  EXPECT_THAT(r->label_names, ElementsAre("Action", "C#", "Comedy", "Drama", "Sci-Fi"));
  EXPECT_THAT(r->nodes, ElementsAre(0, 2, 4));
  ASSERT_EQ(r->labels.size(), 3u);
  EXPECT_THAT(r->labels[0], ElementsAre(2, 3, 4));  // 10: Comedy Drama Sci-Fi
  EXPECT_THAT(r->labels[1], ElementsAre(0));        // 30: Action
  EXPECT_THAT(r->labels[2], ElementsAre(1));        // Ümlaut: C#
  EXPECT_EQ(r->unlabelled_nodes, 2);                // 20 and 40
  EXPECT_EQ(r->skipped_lines, 0);
  EXPECT_EQ(r->num_labels(), 5);
}

TEST_F(LabelsIoTest, UnknownNodeIsAnErrorByDefault) {
  ExpectBad("10 a\n20 b\n99 c\n", 3, {"node: expected a node of the graph", "got '99'"});
  // Matching is verbatim: no case folding, no trimming of leading zeros.
  ExpectBad("010 a\n", 1, {"got '010'"});
}

TEST_F(LabelsIoTest, UnknownNodesSkippedAndCountedOnRequest) {
  const std::string path = Write("10 a\n99 b\n98 c\n99 d\n20 a\n");
  auto r = ReadNodeLabels(path, names_, LabelReadOptions{.skip_unknown_nodes = true});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->nodes, ElementsAre(0, 1));
  EXPECT_EQ(r->skipped_lines, 3);
  EXPECT_EQ(r->skipped_nodes, 2);
  EXPECT_EQ(r->first_skipped_node, "99");
  EXPECT_EQ(r->first_skipped_line, 2);
  // Labels only unknown nodes carried are not labels of the evaluation.
  EXPECT_THAT(r->label_names, ElementsAre("a"));
}

TEST_F(LabelsIoTest, MalformedInputsAreOneLineErrorsNamingTheLine) {
  ExpectBad("10 a\n20\n", 2, {"labels: expected at least one label after the node", "got '20'"});
  ExpectBad("10 a\n20 # only a comment after the node\n", 2, {"at least one label"});
  ExpectBad("10 a\n20 b\xff\n", 2, {"expected UTF-8", "0xff", "column 5", "got '20 b\\xff'"});
  ExpectBad("10 \xC0\xAF\n", 1, {"UTF-8"});          // overlong '/'
  ExpectBad("10 \xED\xA0\x80\n", 1, {"UTF-8"});      // a surrogate
  ExpectBad("10 \xE2\x82\n", 1, {"UTF-8"});          // truncated sequence
  ExpectBad("10 a\n\n20 b\x01\n", 3, {"control byte 0x01", "got '20 b\\x01'"});
  ExpectBad("10 a\0b\n"s, 1, {"control byte 0x00"});
  ExpectBad("", 1, {"expected at least one 'node label [label ...]' line", "an empty file"});
  ExpectBad("# header\n\n  \n", 3, {"only blank lines and comments"});
  ExpectBad("99 a\n98 b\n", 1, {"expected at least one node of the graph, got none", "all 2 lines", "'99'"},
            LabelReadOptions{.skip_unknown_nodes = true});
}

TEST_F(LabelsIoTest, MissingFileDirectoryAndBadNames) {
  auto missing = ReadNodeLabels((dir_ / "nope.txt").string(), names_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("nope.txt"));

  auto dir = ReadNodeLabels(dir_.string(), names_);
  ASSERT_FALSE(dir.ok());
  EXPECT_THAT(std::string(dir.status().message()), HasSubstr("directory"));

  const std::string path = Write("10 a\n");
  auto dup = ReadNodeLabels(path, {"10", "20", "10"});
  ASSERT_FALSE(dup.ok());
  EXPECT_THAT(std::string(dup.status().message()), HasSubstr("'10' is shared by nodes 0 and 2"));
  EXPECT_FALSE(ReadNodeLabels(path, {}).ok());
}

}  // namespace
}  // namespace n2v
