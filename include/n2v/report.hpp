// Self-contained HTML reports (report.html beside a run's output) and a standalone loss curve
// (loss.svg). No network, nothing fetched, no web fonts: inline SVG, CSS and one inline script
// (the embedding map's canvas and its hover), so a page opens the same offline, from a mail
// attachment or from an archive. docs/DESIGN.md, "Reports", says what each page holds.
// Plain host code: the projection (PCA, Eigen) and the page's numbers run on the CPU.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "n2v/eval.hpp"
#include "n2v/graph_stats.hpp"
#include "n2v/n2v.hpp"

namespace n2v {

/// A 2-D map of an embeddings table: its first two principal components (PCA: the covariance of
/// the drawn rows, centred, and its two leading eigenvectors from Eigen's SelfAdjointEigenSolver).
struct EmbeddingMap {
  int64_t rows = 0;              // rows it could draw: the candidates (0: no map)
  int64_t left_out = 0;          // rows of the table that were no candidates
  std::string left_out_why;      // e.g. "nodes without edges (never trained)"
  std::vector<int32_t> shown;    // the rows drawn, ascending: all, or a seeded uniform sample
  std::vector<float> x, y;       // each drawn row's coordinates on components 1 and 2
  double variance[2] = {0, 0};   // fraction of the drawn rows' total variance on each component
  // Colours: by category (a label, a genre) when `categories` is non-empty, else by degree.
  std::string colour_by = "degree";
  std::vector<std::string> categories;  // names, most frequent first
  std::vector<int32_t> category;        // per drawn point: index into categories, −1 none
  std::vector<double> degree;           // per drawn point
  std::vector<std::string> names;       // per drawn point: the hover text
};

/// Projects `e`'s rows `candidates` (ascending; empty: every row), at most max_points of them (a
/// uniform sample keyed on `seed` beyond that), onto their first two principal components. Fills
/// rows, left_out, shown, x, y and variance; the caller colours and names the points.
/// InvalidArgumentError for an empty table, no candidate, a candidate out of range, or
/// max_points < 1.
absl::StatusOr<EmbeddingMap> ProjectEmbeddings(const Embeddings& e, int32_t max_points,
                                               uint64_t seed, int threads = 0,
                                               const std::vector<int32_t>& candidates = {});

/// Colours `map` by out-degree and names its points by `names` (row = node id).
void ColourByDegree(EmbeddingMap* map, const CsrView& g, const std::vector<std::string>& names);

/// Colours `map` by a category per row (−1: none), `category_names` indexed by it; categories
/// are re-ordered most frequent first. Call ColourByDegree first: it names the points.
void ColourByCategory(EmbeddingMap* map, const std::vector<int32_t>& row_category,
                      const std::vector<std::string>& category_names, const std::string& what);

struct ReportData {
  std::string title;
  std::string subtitle;                                      // one line under the title
  std::vector<std::string> notes;                            // sentences shown at the top
  std::string device;                                        // e.g. "cpu (16 threads)"
  std::vector<std::pair<std::string, std::string>> config;   // shown in this order
  GraphStats graph;
  std::vector<int64_t> degrees;                              // per node out-degree (histogram)
  std::vector<double> losses;                                // one per epoch
  std::vector<std::pair<std::string, double>> stage_ms;      // stages only, no "total" entry
  struct Query {
    std::string query;
    std::vector<std::pair<std::string, float>> neighbors;    // (title, cosine score), best first
  };
  std::vector<Query> queries;                                // empty: the section is left out
  std::string queries_title = "Most similar";
  // --- training: the trace (loss against pairs and time, with the learning rate) ---------------
  std::vector<TracePoint> trace;                             // empty: the section is left out
  std::string trace_note;
  // --- the embedding map and the neighbours of the highest-degree nodes ------------------------
  EmbeddingMap map;
  std::string map_note;                                      // shown under the map (or instead)
  std::vector<Query> hub_neighbors;
  // --- eval ------------------------------------------------------------------------------------
  struct Heatmap {
    std::string metric;
    std::vector<double> p, q;                                // rows p, columns q
    std::vector<double> value;                               // [p.size() x q.size()], NaN: none
  };
  std::vector<Heatmap> heatmaps;
  struct Curve {
    std::string name;
    double auc = 0;
    std::vector<RocPoint> points;
  };
  std::vector<Curve> roc;
  std::string roc_title;
  std::vector<std::pair<std::string, double>> label_f1;      // per label, mean over repeats
  std::string eval_note;
  // --- walk ------------------------------------------------------------------------------------
  std::vector<uint64_t> visits;                              // per node (empty: no section)
  std::vector<double> strength;                              // per node: weighted out-degree
  bool directed = false;
  std::vector<uint64_t> length_counts;                       // walks per length (index = nodes)
};

/// Sets d->map to the map of `emb` (row = node of g; `names` per node for the hover and the
/// table), coloured by degree, leaving out nodes without any edge (walks never train them: their
/// rows are the initial random vectors, a cluster that would squash the map), and d->hub_neighbors to the ro.neighbors nearest nodes (cosine, on
/// `device`) of the ro.hubs highest-degree nodes, each node's own row left out.
absl::Status AddEmbeddingMap(const Graph& g, const Embeddings& emb,
                             const std::vector<std::string>& names, const ReportOptions& ro,
                             uint64_t seed, const DeviceUsed& device, int threads, ReportData* d);

/// What a command's page needs besides the library's results: the command, its input, the
/// caller's own settings and stage times.
struct ReportRun {
  std::string command;                                       // "train", "eval", "walk"
  std::string input;                                         // the graph's file
  std::vector<std::pair<std::string, std::string>> extra_config;  // shown after the options'
  std::vector<std::pair<std::string, double>> stage_ms;      // the caller's stages (load, ...)
};

/// Why `path` cannot receive a report (InvalidArgumentError naming `flag` and the file: its
/// directory missing or not writable, or the path a directory), or OK. Checked before a run.
absl::Status CheckReportPath(const std::string& path, const std::string& flag);

/// The page of `n2v train`: configuration, graph, loss per epoch and the trace, stage times and
/// device, the map (coloured by label when ro.labels is given: of a node's labels, the one the
/// file names first; else by degree) and
/// the neighbours of the ro.hubs highest-degree nodes. Errors: a bad ro.labels file.
absl::StatusOr<std::string> RenderTrainReport(const Graph& g, const TrainOptions& o,
                                              const TrainResult& r, const ReportOptions& ro,
                                              const ReportRun& run);

/// The page of `n2v eval` (r from Evaluate with o.keep_best): the p/q grid as a heat map per
/// metric, the ROC curves (link) or per-label F1 (node) of the best point, its map and neighbours.
absl::StatusOr<std::string> RenderEvalReport(const Graph& g, const EvalOptions& o,
                                             const EvalResult& r, const ReportOptions& ro,
                                             const ReportRun& run);

/// The page of `n2v walk` (s from SampleWalks with o.collect_stats): visit frequency against
/// degree beside the distribution proportional to weighted degree, the walk-length histogram.
/// Walks train no embeddings, so it has no map (the page says so).
absl::StatusOr<std::string> RenderWalkReport(const Graph& g, const WalkRunOptions& o,
                                             const WalkRunStats& s, const ReportRun& run);

/// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view s);

/// The loss curve as a standalone SVG document (viewBox 0 0 width height): axes, ticks, labels and
/// a polyline id="loss-curve" with one point per epoch (x = epoch number from 1). Non-finite losses
/// are left out of the line; 0 epochs gives the axes and a note; 1 epoch or a constant loss gives a
/// horizontally or vertically centred line with its markers.
std::string RenderLossSvg(const std::vector<double>& losses, int width, int height);

/// The degree histogram as SVG (id="degree-histogram"): one bar for degree 0, then log2 bins
/// [1], [2,3], [4,7], ...; bar heights are linear in the node count, with the count above each bar.
std::string RenderDegreeHistogramSvg(const std::vector<int64_t>& degrees, int width, int height);

/// The whole page: device, config table, graph statistics + degree histogram, loss curve,
/// per-stage times (table + bars) and each section of `d` that holds something.
std::string RenderReportHtml(const ReportData& d);

/// Writes dir/report.html and dir/loss.svg (creating dir if needed), each atomically.
absl::Status WriteReport(const std::string& dir, const ReportData& d);

}  // namespace n2v
