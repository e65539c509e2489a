// Movie query resolution (include/n2v/movie_query.hpp).
#include "n2v/movie_query.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace n2v {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

MovieIndex::MovieIndex(const std::vector<Movie>& movies,
                       const std::vector<std::string>& graph_names)
    : movies_(movies) {
  absl::flat_hash_map<std::string, int32_t> node_of;
  for (size_t i = 0; i < graph_names.size(); ++i) node_of[graph_names[i]] = static_cast<int32_t>(i);
  node_title_ = graph_names;
  node_genres_.assign(graph_names.size(), "");
  movie_to_node_.assign(movies.size(), -1);
  for (size_t m = 0; m < movies.size(); ++m) {
    auto it = node_of.find(std::to_string(movies[m].movie_id));
    if (it == node_of.end()) continue;
    movie_to_node_[m] = it->second;
    node_title_[it->second] = movies[m].title;
    node_genres_[it->second] = movies[m].genres;
  }
}

absl::StatusOr<int32_t> MovieIndex::Resolve(const std::string& query) const {
  std::vector<size_t> hits;
  int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(query.data(), query.data() + query.size(), id);
  const bool numeric = ec == std::errc() && ptr == query.data() + query.size();
  for (size_t m = 0; m < movies_.size(); ++m) {
    if (movies_[m].title == query || (numeric && movies_[m].movie_id == id)) hits.push_back(m);
  }
  if (hits.empty()) {
    const auto near = Closest(query, 5);
    return absl::NotFoundError(absl::StrCat(
        "no movie has the title or movieId '", query, "'",
        near.empty() ? "" : absl::StrCat("; closest titles: \"", absl::StrJoin(near, "\", \""), "\"")));
  }
  std::vector<size_t> in_graph;
  for (size_t m : hits) {
    if (movie_to_node_[m] >= 0) in_graph.push_back(m);
  }
  if (in_graph.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "movie '", movies_[hits[0]].title, "' (movieId ", movies_[hits[0]].movie_id,
        ") is not in the movie graph: no edge of it reached --min-weight"));
  }
  if (in_graph.size() > 1) {
    std::vector<std::string> ids;
    for (size_t m : in_graph) ids.push_back(std::to_string(movies_[m].movie_id));
    return absl::InvalidArgumentError(absl::StrCat("title '", query, "' is ambiguous: movieIds ",
                                                   absl::StrJoin(ids, ", "), "; query by movieId"));
  }
  return movie_to_node_[in_graph[0]];
}

std::vector<std::string> MovieIndex::Closest(const std::string& query, size_t n) const {
  const std::string q = absl::AsciiStrToLower(query);
  std::vector<std::pair<size_t, size_t>> scored;  // (score, movie), lower is closer
  for (size_t m = 0; m < movies_.size(); ++m) {
    if (movie_to_node_[m] < 0) continue;  // suggest only titles that can be queried
    const std::string t = absl::AsciiStrToLower(movies_[m].title);
    const size_t score = t.find(q) != std::string::npos ? t.size() - q.size() : 1000 + EditDistance(q, t);
    scored.emplace_back(score, m);
  }
  const size_t k = std::min(n, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + k, scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < k; ++i) out.push_back(movies_[scored[i].second].title);
  return out;
}

}  // namespace n2v
