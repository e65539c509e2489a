// Tests of the MovieLens readers: the embedded ml-latest-small read in full and fast, the CSV
// dialect GroupLens ships (CRLF, RFC 4180 quotes, UTF-8), and one clear line per kind of bad input.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "n2v/movielens.hpp"

namespace n2v {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kDataDir = std::string(N2V_SOURCE_DIR) + "/data/ml-latest-small";

/// Writes `contents` to a fresh file under the test temp dir and returns its path.
std::string WriteTemp(const std::string& name, const std::string& contents) {
  const std::string path =
      ::testing::TempDir() + "/n2v_movielens_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

constexpr char kRatingsHeader[] = "userId,movieId,rating,timestamp\n";
constexpr char kMoviesHeader[] = "movieId,title,genres\n";

/// The error of reading `contents` as ratings.csv; fails the test if it reads fine.
std::string RatingsError(const std::string& name, const std::string& contents) {
  const std::string path = WriteTemp(name, contents);
  const auto r = ReadRatings(path);
  EXPECT_FALSE(r.ok()) << name << " was accepted";
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  const std::string msg(r.status().message());
  EXPECT_THAT(msg, Not(HasSubstr("\n"))) << "errors are one line";
  EXPECT_THAT(msg, HasSubstr(path)) << "errors name the file";
  return msg;
}

std::string MoviesError(const std::string& name, const std::string& contents) {
  const std::string path = WriteTemp(name, contents);
  const auto r = ReadMovies(path);
  EXPECT_FALSE(r.ok()) << name << " was accepted";
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  const std::string msg(r.status().message());
  EXPECT_THAT(msg, Not(HasSubstr("\n")));
  EXPECT_THAT(msg, HasSubstr(path));
  return msg;
}

// --- the embedded dataset -----------------------------------------------------------------------

// Speed is measured in bench/, never asserted in a unit test.
TEST(ReadRatings, MlLatestSmallInFull) {
  const std::string path = kDataDir + "/ratings.csv";
  const auto r = ReadRatings(path);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 100836u);  // the seed's "Ratings data shape: (100836, 4)"
  EXPECT_EQ((*r)[0].user_id, 1);
  EXPECT_EQ((*r)[0].movie_id, 1);
  EXPECT_EQ((*r)[0].rating, 4.0f);
  EXPECT_EQ(r->back().user_id, 610);
  EXPECT_EQ(r->back().movie_id, 170875);
  EXPECT_EQ(r->back().rating, 3.0f);
  int64_t fives = 0;
  for (const Rating& x : *r) fives += x.rating >= 5.0f;
  EXPECT_EQ(fives, 13211);  // awk -F, '$3>=5' ratings.csv | wc -l
}

TEST(ReadMovies, MlLatestSmallWithQuotedAndUtf8Titles) {
  const auto m = ReadMovies(kDataDir + "/movies.csv");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), 9742u);  // the seed's "Movies data shape: (9742, 3)"
  EXPECT_EQ((*m)[0].movie_id, 1);
  EXPECT_EQ((*m)[0].title, "Toy Story (1995)");
  EXPECT_EQ((*m)[0].genres, "Adventure|Animation|Children|Comedy|Fantasy");
  EXPECT_EQ(m->back().movie_id, 193609);
  EXPECT_EQ(m->back().genres, "Comedy");  // last line ends in CRLF: no '\r' left behind
  bool saw_comma = false, saw_quote = false, saw_utf8 = false;
  for (const Movie& x : *m) {
    if (x.movie_id == 11) {
      EXPECT_EQ(x.title, "American President, The (1995)");
      saw_comma = true;
    }
    if (x.movie_id == 7789) {
      EXPECT_EQ(x.title, "11'09\"01 - September 11 (2002)");
      saw_quote = true;
    }
    if (x.movie_id == 73) {
      EXPECT_EQ(x.title, "Mis\xC3\xA9rables, Les (1995)");
      saw_utf8 = true;
    }
  }
  EXPECT_TRUE(saw_comma && saw_quote && saw_utf8);
}

// --- the dialect
// ----------------------------------------------------------------------------------

TEST(ReadRatings, LfCrlfLastLineAndBlankLinesReadTheSame) {
  const std::vector<std::string> variants = {
      "userId,movieId,rating,timestamp\n1,10,4.5,100\n2,20,5.0,200\n",
      "userId,movieId,rating,timestamp\r\n1,10,4.5,100\r\n2,20,5.0,200\r\n",
      "userId,movieId,rating,timestamp\r\n1,10,4.5,100\r\n2,20,5.0,200",  // no final line end
      "userId,movieId,rating,timestamp\n1,10,4.5,100\n2,20,5.0,200\n\n",  // blank trailing line
      "userId,movieId,rating,timestamp\r\n1,10,4.5,100\r\n2,20,5.0,200\r\n\r\n",
      "\xEF\xBB\xBFuserId,movieId,rating,timestamp\n1,10,4.5,100\n2,20,5.0,200\n",    // BOM
      "userId,movieId,rating,timestamp\n\"1\",\"10\",\"4.5\",\"100\"\n2,20,5.0,200",  // quoted
  };
  for (size_t i = 0; i < variants.size(); ++i) {
    const auto r = ReadRatings(WriteTemp("variant" + std::to_string(i), variants[i]));
    ASSERT_TRUE(r.ok()) << "variant " << i << ": " << r.status();
    ASSERT_EQ(r->size(), 2u) << "variant " << i;
    EXPECT_EQ((*r)[0].user_id, 1);
    EXPECT_EQ((*r)[0].movie_id, 10);
    EXPECT_EQ((*r)[0].rating, 4.5f);
    EXPECT_EQ((*r)[1].user_id, 2);
    EXPECT_EQ((*r)[1].movie_id, 20);
    EXPECT_EQ((*r)[1].rating, 5.0f) << "variant " << i;
  }
}

TEST(ReadMovies, Rfc4180Quoting) {
  const std::string csv =
      "movieId,title,genres\r\n"
      "1,\"Comma, The (1999)\",Drama\r\n"
      "2,\"He said \"\"hi\"\" (2001)\",Comedy|Drama\r\n"
      "3,\"Two\r\nlines (2002)\",(no genres listed)\r\n"
      "4,Am\xC3\xA9lie (2001),Romance\r\n"
      "5,\"\",\"\"\r\n"
      "6,\"\"\"\"\"\",\"A,B\"";
  const auto m = ReadMovies(WriteTemp("quoting.csv", csv));
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), 6u);
  EXPECT_EQ((*m)[0].title, "Comma, The (1999)");
  EXPECT_EQ((*m)[1].title, "He said \"hi\" (2001)");
  EXPECT_EQ((*m)[1].genres, "Comedy|Drama");
  EXPECT_EQ((*m)[2].title, "Two\r\nlines (2002)");  // inside quotes a line break is data
  EXPECT_EQ((*m)[2].genres, "(no genres listed)");
  EXPECT_EQ((*m)[3].title, "Am\xC3\xA9lie (2001)");
  EXPECT_EQ((*m)[4].title, "");
  EXPECT_EQ((*m)[4].genres, "");
  EXPECT_EQ((*m)[5].title, "\"\"");
  EXPECT_EQ((*m)[5].genres, "A,B");
}

TEST(ReadMovies, LineNumbersCountLineBreaksInsideQuotes) {
  // Record 3 starts on line 4 because record 2's title spans lines 2-3.
  const std::string msg =
      MoviesError("multiline_then_bad.csv",
                  std::string(kMoviesHeader) + "1,\"a\nb\",Drama\n2,ok,Drama\nx,bad,Drama\n");
  EXPECT_THAT(msg, HasSubstr(":5: movieId: expected an integer in [0, 2147483647], got 'x'"));
}

// --- bad input
// ------------------------------------------------------------------------------------

TEST(ReadRatings, MissingFileIsNotFoundNamingIt) {
  const std::string path = ::testing::TempDir() + "/n2v_no_such_dir/ratings.csv";
  const auto r = ReadRatings(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(path));
  const auto m = ReadMovies(path);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kNotFound);
}

TEST(ReadRatings, DirectoryIsRejected) {
  const auto r = ReadRatings(::testing::TempDir());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("directory"));
}

TEST(ReadRatings, EmptyFileAndHeaderOnly) {
  EXPECT_THAT(RatingsError("empty.csv", ""),
              AllOf(HasSubstr(":1: header: expected \"userId,movieId,rating,timestamp\""),
                    HasSubstr("empty")));
  EXPECT_THAT(RatingsError("header_only.csv", kRatingsHeader),
              AllOf(HasSubstr(":2: "), HasSubstr("at least one rating")));
  EXPECT_THAT(RatingsError("header_only_crlf.csv", "userId,movieId,rating,timestamp\r\n\r\n"),
              HasSubstr("at least one rating"));
  EXPECT_THAT(MoviesError("movies_empty.csv", ""),
              HasSubstr(":1: header: expected \"movieId,title,genres\""));
  EXPECT_THAT(MoviesError("movies_header_only.csv", kMoviesHeader),
              HasSubstr("at least one movie"));
}

TEST(ReadRatings, WrongHeader) {
  EXPECT_THAT(RatingsError("no_header.csv", "1,1,4.0,964982703\n"),
              HasSubstr(":1: header: expected \"userId,movieId,rating,timestamp\", got "
                        "'1,1,4.0,964982703'"));
  EXPECT_THAT(RatingsError("short_header.csv", "userId,movieId,rating\n1,1,4.0\n"),
              HasSubstr(":1: header:"));
  EXPECT_THAT(RatingsError("long_header.csv", "userId,movieId,rating,timestamp,x\n1,1,4,1,2\n"),
              HasSubstr(":1: header:"));
  EXPECT_THAT(MoviesError("movies_as_ratings.csv", "userId,movieId,rating,timestamp\n1,1,4,1\n"),
              HasSubstr(":1: header: expected \"movieId,title,genres\""));
}

TEST(ReadRatings, WrongColumnCount) {
  EXPECT_THAT(
      RatingsError("missing_col.csv", std::string(kRatingsHeader) + "1,1,4.0,964982703\n1,3,4.0\n"),
      HasSubstr(":3: timestamp: expected 4 fields (userId,movieId,rating,timestamp), "
                "got '1,3,4.0'"));
  EXPECT_THAT(RatingsError("one_col.csv", std::string(kRatingsHeader) + "7\n"),
              HasSubstr(":2: movieId: expected 4 fields"));
  EXPECT_THAT(
      RatingsError("extra_col.csv", std::string(kRatingsHeader) + "1,1,4.0,964982703,extra\r\n"),
      HasSubstr(":2: timestamp: expected end of line after 4 fields, got ',extra'"));
  EXPECT_THAT(MoviesError("movies_missing_col.csv",
                          std::string(kMoviesHeader) + "1,\"Toy Story, (1995)\"\n"),
              HasSubstr(":2: genres: expected 3 fields (movieId,title,genres)"));
}

TEST(ReadRatings, BadNumbers) {
  const std::string h = kRatingsHeader;
  EXPECT_THAT(RatingsError("user_text.csv", h + "1,1,4,1\nabc,1,4.0,1\n"),
              HasSubstr(":3: userId: expected an integer in [1, 2147483647], got 'abc'"));
  EXPECT_THAT(RatingsError("user_zero.csv", h + "0,1,4.0,1\n"), HasSubstr(":2: userId:"));
  EXPECT_THAT(RatingsError("user_big.csv", h + "2147483648,1,4.0,1\n"),
              HasSubstr("got '2147483648'"));
  EXPECT_THAT(RatingsError("user_float.csv", h + "1.5,1,4.0,1\n"), HasSubstr("got '1.5'"));
  EXPECT_THAT(RatingsError("user_empty.csv", h + ",1,4.0,1\n"), HasSubstr("userId: expected"));
  EXPECT_THAT(RatingsError("user_space.csv", h + " 1,1,4.0,1\n"), HasSubstr("got ' 1'"));
  EXPECT_THAT(RatingsError("movie_neg.csv", h + "1,-3,4.0,1\n"),
              HasSubstr(":2: movieId: expected an integer in [0, 2147483647], got '-3'"));
  EXPECT_THAT(RatingsError("rating_nan.csv", h + "1,1,nan,1\n"),
              HasSubstr(":2: rating: expected a finite number in [0, 10], got 'nan'"));
  EXPECT_THAT(RatingsError("rating_inf.csv", h + "1,1,inf,1\n"), HasSubstr("got 'inf'"));
  EXPECT_THAT(RatingsError("rating_big.csv", h + "1,1,10.5,1\n"), HasSubstr("got '10.5'"));
  EXPECT_THAT(RatingsError("rating_neg.csv", h + "1,1,-0.5,1\n"), HasSubstr("got '-0.5'"));
  EXPECT_THAT(RatingsError("rating_junk.csv", h + "1,1,4.0x,1\n"), HasSubstr("got '4.0x'"));
  EXPECT_THAT(RatingsError("rating_empty.csv", h + "1,1,,1\n"), HasSubstr("rating: expected"));
  EXPECT_THAT(
      RatingsError("timestamp_text.csv", h + "1,1,4.0,yesterday\r\n"),
      HasSubstr(":2: timestamp: expected an integer (seconds since 1970), got 'yesterday'"));
  EXPECT_THAT(MoviesError("movie_id_text.csv", std::string(kMoviesHeader) + "one,Title,Drama\n"),
              HasSubstr(":2: movieId: expected an integer in [0, 2147483647], got 'one'"));
}

TEST(ReadRatings, ControlBytesAreShownEscaped) {
  const std::string msg = RatingsError("tab.csv", std::string(kRatingsHeader) + "1\t2,1,4.0,1\n");
  EXPECT_THAT(msg, HasSubstr("got '1\\t2'"));
}

TEST(ReadMovies, UnterminatedQuoteNamesTheRecordLine) {
  EXPECT_THAT(MoviesError("unterminated.csv", std::string(kMoviesHeader) +
                                                  "1,Fine (1995),Drama\n2,\"Open (1995),Drama\n"
                                                  "3,Next (1996),Comedy\n"),
              AllOf(HasSubstr(":3: title: expected a closing quote '\"', got '\"Open (1995)"),
                    HasSubstr("end of the file")));
}

TEST(ReadMovies, TextAfterClosingQuote) {
  EXPECT_THAT(
      MoviesError("after_quote.csv", std::string(kMoviesHeader) + "1,\"Title\" (1995),Drama\n"),
      HasSubstr(":2: title: expected ',' or end of line after a closing quote, got "
                "'\"Title\" (1995)'"));
}

TEST(ReadMovies, DuplicateIdNamesBothLines) {
  const std::string msg = MoviesError(
      "dup.csv", std::string(kMoviesHeader) + "1,A,Drama\r\n2,B,Drama\r\n1,C,Comedy\r\n");
  EXPECT_THAT(msg, HasSubstr(":4: movieId: expected a movieId not seen before, got '1'"));
  EXPECT_THAT(msg, HasSubstr("line 2"));
}

TEST(ReadMovies, InvalidUtf8) {
  // "Amélie" in Latin-1: 0xE9 alone is not UTF-8.
  EXPECT_THAT(
      MoviesError("latin1.csv", std::string(kMoviesHeader) + "1,Am\xE9lie (2001),Romance\n"),
      HasSubstr(":2: title: expected UTF-8 text"));
}

}  // namespace
}  // namespace n2v
