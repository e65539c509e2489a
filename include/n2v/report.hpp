// A self-contained HTML report (report.html) and a standalone loss curve (loss.svg) for an output
// directory. No network, no scripts, no web fonts: inline SVG and CSS only, so the page opens the
// same offline, from a mail attachment or from an archive. Plain host code; no threading.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "n2v/graph_stats.hpp"

namespace n2v {

struct ReportData {
  std::string title;
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
};

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
/// per-stage times (table + bars) and, when present, the query → neighbours tables.
std::string RenderReportHtml(const ReportData& d);

/// Writes dir/report.html and dir/loss.svg (creating dir if needed), each atomically.
absl::Status WriteReport(const std::string& dir, const ReportData& d);

}  // namespace n2v
