// `n2v similar` (apps/similar_cmd.hpp): load a table once, then answer queries from --query, from
// piped stdin (one per line), or at a prompt when stdin is a terminal. Queries given with --query
// are all resolved before anything is printed, so a typo costs no partial output.
#include "apps/similar_cmd.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "apps/cli_common.hpp"
#include "n2v/embeddings_io.hpp"
#include "n2v/json.hpp"
#include "n2v/movie_query.hpp"
#include "n2v/movielens.hpp"
#include "n2v/n2v.hpp"
#include "n2v/similarity.hpp"
#include "n2v/status.hpp"

namespace n2v::app {
namespace {

constexpr size_t kSuggestions = 5;      // closest keys/titles named for an unknown query
constexpr size_t kDisambiguation = 10;  // titles listed for an ambiguous substring

// Maps a query to a row of the table, and a row to what is printed for it.
class Resolver {
 public:
  Resolver(const std::string& path, const LoadedEmbeddings& t, const std::vector<Movie>* movies)
      : path_(path), t_(t), movies_(movies) {
    for (size_t r = 0; r < t.keys.size(); ++r) row_of_[t.keys[r]] = static_cast<int32_t>(r);
    if (movies_) {
      index_.emplace(*movies_, t.keys);
      for (size_t m = 0; m < movies_->size(); ++m) {
        auto it = row_of_.find(std::to_string((*movies_)[m].movie_id));
        if (it == row_of_.end()) continue;
        in_table_.push_back({m, it->second, absl::AsciiStrToLower((*movies_)[m].title)});
      }
    }
  }

  bool with_titles() const { return movies_ != nullptr; }
  const std::string& Key(int32_t row) const { return t_.keys[row]; }
  const std::string& Title(int32_t row) const { return movies_ ? index_->Title(row) : Key(row); }

  absl::StatusOr<int32_t> Resolve(const std::string& q) const {
    if (auto it = row_of_.find(q); it != row_of_.end()) return it->second;
    return movies_ ? ResolveMovie(q) : UnknownKey(q);
  }

 private:
  struct Entry {
    size_t movie;
    int32_t row;
    std::string lower_title;
  };

  absl::Status UnknownKey(const std::string& q) const {
    std::vector<std::pair<size_t, size_t>> scored;  // (score, row), lower is closer
    for (size_t r = 0; r < t_.keys.size(); ++r) {
      const std::string& k = t_.keys[r];
      scored.emplace_back(k.find(q) != std::string::npos ? k.size() - q.size()
                                                         : 1000 + EditDistance(q, k),
                          r);
    }
    const size_t n = std::min(kSuggestions, scored.size());
    std::partial_sort(scored.begin(), scored.begin() + n, scored.end());
    std::vector<std::string> near;
    for (size_t i = 0; i < n; ++i) near.push_back(t_.keys[scored[i].second]);
    return absl::NotFoundError(absl::StrCat("no key '", q, "' in ", path_, "; closest keys: '",
                                            absl::StrJoin(near, "', '"), "'"));
  }

  std::string Describe(size_t m) const {
    return absl::StrCat((*movies_)[m].title, " (movieId ", (*movies_)[m].movie_id, ")");
  }

  absl::Status Ambiguous(const std::string& q, const std::vector<const Entry*>& hits,
                         const char* how) const {
    std::string msg = absl::StrCat("'", q, "' ", how, " ", hits.size(),
                                   " movies; query one by its exact title or movieId:");
    for (size_t i = 0; i < hits.size() && i < kDisambiguation; ++i) {
      absl::StrAppend(&msg, "\n  ", Describe(hits[i]->movie));
    }
    if (hits.size() > kDisambiguation) {
      absl::StrAppend(&msg, "\n  ... and ", hits.size() - kDisambiguation, " more");
    }
    return absl::InvalidArgumentError(msg);
  }

  absl::StatusOr<int32_t> ResolveMovie(const std::string& q) const {
    // Exact title among the movies with a row (titles are not unique in MovieLens).
    std::vector<const Entry*> exact, folded, sub;
    const std::string lq = absl::AsciiStrToLower(q);
    for (const Entry& e : in_table_) {
      if ((*movies_)[e.movie].title == q) exact.push_back(&e);
      if (e.lower_title == lq) folded.push_back(&e);
      if (!lq.empty() && e.lower_title.find(lq) != std::string::npos) sub.push_back(&e);
    }
    for (const auto* hits : {&exact, &folded}) {
      if (hits->size() == 1) return (*hits)[0]->row;
      if (hits->size() > 1) return Ambiguous(q, *hits, "is the title of");
    }
    if (sub.size() == 1) return sub[0]->row;
    if (sub.size() > 1) return Ambiguous(q, sub, "matches");
    // A movie listed in movies.csv but without a row: say so rather than "no such movie".
    int64_t id = 0;
    const auto [ptr, ec] = std::from_chars(q.data(), q.data() + q.size(), id);
    const bool numeric = ec == std::errc() && ptr == q.data() + q.size();
    for (size_t m = 0; m < movies_->size(); ++m) {
      if ((numeric && (*movies_)[m].movie_id == id) || (*movies_)[m].title == q) {
        return absl::NotFoundError(absl::StrCat("movie ", Describe(m), " has no row in ", path_,
                                                " (it had no edge in the movie graph)"));
      }
    }
    const auto near = index_->Closest(q, kSuggestions);
    return absl::NotFoundError(absl::StrCat(
        "no movie in ", path_, " has the title, movieId or title substring '", q, "'",
        near.empty() ? "" : absl::StrCat("; closest titles: \"", absl::StrJoin(near, "\", \""), "\"")));
  }

  const std::string& path_;
  const LoadedEmbeddings& t_;
  const std::vector<Movie>* movies_;
  std::optional<MovieIndex> index_;
  absl::flat_hash_map<std::string, int32_t> row_of_;
  std::vector<Entry> in_table_;  // movies with a row, in movies.csv order
};

// The k nearest rows of each query row, the query itself left out.
std::vector<std::vector<Neighbor>> Nearest(const Embeddings& e, const std::vector<int32_t>& rows,
                                           int k, int threads) {
  // The CPU answers: a query costs one pass over the table, less than a GPU's set-up.
  auto found = MostSimilar(e, rows, k + 1, Device::Cpu(), threads);
  N2V_CHECK(found.ok());  // rows are the table's own and k >= 1: nothing here can be invalid
  auto all = *std::move(found);
  for (size_t i = 0; i < rows.size(); ++i) {
    auto& v = all[i];
    v.erase(std::remove_if(v.begin(), v.end(), [&](const Neighbor& n) { return n.node == rows[i]; }),
            v.end());
    if (static_cast<int>(v.size()) > k) v.resize(k);
  }
  return all;
}

std::string Format(const Resolver& res, const std::string& query, int32_t row,
                   const std::vector<Neighbor>& nbs, bool json) {
  if (json) {
    JsonWriter w;
    w.BeginObject().Key("query").String(query).Key("key").String(res.Key(row));
    if (res.with_titles()) w.Key("title").String(res.Title(row));
    w.Key("neighbors").BeginArray();
    for (const Neighbor& nb : nbs) {
      w.BeginObject().Key("key").String(res.Key(nb.node));
      if (res.with_titles()) w.Key("title").String(res.Title(nb.node));
      w.Key("score").Double(nb.score).EndObject();
    }
    w.EndArray().EndObject();
    return w.str() + "\n";
  }
  const std::string& title = res.Title(row);
  std::string out = absl::StrCat(title, "\n", std::string(title.size(), '-'), "\n");
  for (const Neighbor& nb : nbs) {
    absl::StrAppend(&out, absl::StrFormat("- %s  (%.3f)\n", res.Title(nb.node), nb.score));
  }
  return out + "\n";
}

std::string Trim(const std::string& s) {
  return std::string(absl::StripAsciiWhitespace(s));
}

}  // namespace

CLI::App* AddSimilarCommand(CLI::App& app, SimilarFlags& f) {
  CLI::App* c = app.add_subcommand(
      "similar",
      "Nearest neighbours by cosine similarity in saved embeddings (word2vec text or binary, or "
      ".npy with <stem>.ids.txt); queries from --query, piped stdin (one per line) or a prompt");
  c->add_option("--embeddings", f.embeddings,
                "Embedding file, e.g. n2v-out/movielens/embeddings.w2v.txt")
      ->required();
  c->add_option("--query", f.queries,
                "Key to query (repeatable); with --movies also an exact title, a movieId or a "
                "case-insensitive title substring that matches one movie");
  c->add_option("--k", f.k, "Neighbours shown per query (the query itself left out)");
  c->add_flag("--json", f.json,
              "One JSON object per query (JSON Lines): query, key, [title,] neighbors");
  c->add_option("--movies", f.movies, "MovieLens movies.csv: query and print by title");
  c->add_option("--threads", f.threads, "CPU threads (0: all cores)");
  return c;
}

int RunSimilar(const SimilarFlags& f) {
  if (f.k < 1) {
    return ReportError(absl::InvalidArgumentError(absl::StrCat("--k: expected at least 1, got ", f.k)));
  }
  const int threads = EffectiveThreads(f.threads);
  auto table = ReadEmbeddings(f.embeddings);
  if (!table.ok()) return ReportError(table.status());
  std::vector<Movie> movies;
  if (!f.movies.empty()) {
    auto m = ReadMovies(f.movies);
    if (!m.ok()) return ReportError(m.status());
    movies = std::move(*m);
  }
  const Resolver res(f.embeddings, *table, f.movies.empty() ? nullptr : &movies);
  // Normalised once: TopKCosine's own normalisation of unit rows is then a cheap no-op in effect.
  const Embeddings unit = Normalized(table->emb, threads);

  if (!f.queries.empty()) {
    std::vector<int32_t> rows;
    for (const auto& q : f.queries) {
      auto row = res.Resolve(q);
      if (!row.ok()) return ReportError(row.status());
      rows.push_back(*row);
    }
    const auto nbs = Nearest(unit, rows, f.k, threads);
    std::string out;
    for (size_t i = 0; i < rows.size(); ++i) out += Format(res, f.queries[i], rows[i], nbs[i], f.json);
    std::fputs(out.c_str(), stdout);
    return kExitOk;
  }

  // stdin: a prompt on a terminal (errors reported, the session goes on), else one query per
  // line (errors reported with the line number, the rest still answered, exit 2 at the end).
  const bool interactive = isatty(STDIN_FILENO) == 1;
  if (interactive) {
    std::fprintf(stderr, "%d embeddings of dim %d from %s. Enter a %s per line; 'quit' or EOF ends.\n",
                 unit.rows, unit.dim, f.embeddings.c_str(),
                 res.with_titles() ? "title, title substring or movieId" : "key");
  }
  int rc = kExitOk;
  int64_t line_no = 0;
  std::string line;
  while (true) {
    if (interactive) {
      std::fputs("similar> ", stderr);
      std::fflush(stderr);
    }
    if (!std::getline(std::cin, line)) break;
    ++line_no;
    const std::string q = Trim(line);
    if (q.empty()) continue;
    if (interactive && q == "quit") break;
    auto row = res.Resolve(q);
    if (!row.ok()) {
      const absl::Status st(row.status().code(),
                            interactive ? row.status().message()
                                        : absl::StrCat("stdin:", line_no, ": ", row.status().message()));
      const int code = ReportError(st);
      if (!interactive) rc = std::max(rc, code);
      continue;
    }
    const auto nbs = Nearest(unit, {*row}, f.k, threads);
    std::fputs(Format(res, q, *row, nbs[0], f.json).c_str(), stdout);
    std::fflush(stdout);
  }
  if (interactive) std::fputc('\n', stderr);
  return rc;
}

}  // namespace n2v::app
