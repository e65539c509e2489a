// report.html and loss.svg (include/n2v/report.hpp). Host only; no CUDA twin (nothing to
// accelerate). Everything is drawn as inline SVG with presentation attributes rather than CSS
// classes, so loss.svg looks the same opened alone as it does inside the page.
#include "n2v/report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "n2v/atomic_file.hpp"

namespace n2v {
namespace {

// Local system fonts only: a web font would need the network or an embedded file.
constexpr char kFont[] = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
constexpr char kAxis[] = "#6b7280";
constexpr char kGrid[] = "#e5e7eb";
constexpr char kLine[] = "#2563eb";
constexpr char kBar[] = "#0d9488";

// The smallest sizes at which tick labels still fit; callers asking for less get these.
constexpr int kMinWidth = 200;
constexpr int kMinHeight = 140;

std::string Num(double v) { return absl::StrFormat("%.2f", v); }

/// "Nice" tick values (1, 2 or 5 × 10^k apart) covering [lo, hi], about `target` of them.
std::vector<double> NiceTicks(double lo, double hi, int target, double* step_out) {
  const double range = hi - lo;
  const double raw = range / std::max(target, 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm < 1.5 ? 1.0 : norm < 3.5 ? 2.0 : norm < 7.5 ? 5.0 : 10.0) * mag;
  std::vector<double> ticks;
  // Half-step slack so a tick that lands on hi through rounding is kept.
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-6 && ticks.size() < 50; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  *step_out = step;
  return ticks;
}

/// Enough decimals to tell ticks `step` apart.
std::string TickLabel(double v, double step) {
  const int decimals = std::clamp(static_cast<int>(-std::floor(std::log10(step) + 1e-9)), 0, 8);
  return absl::StrFormat("%.*f", decimals, v);
}

/// 1234 -> "1.2k", 2048 -> "2k": short labels under narrow histogram bars.
std::string Compact(int64_t v) {
  auto fmt = [](double x, const char* unit) {
    return x == std::floor(x) || x >= 10 ? absl::StrFormat("%.0f%s", std::floor(x), unit)
                                         : absl::StrFormat("%.1f%s", x, unit);
  };
  if (v >= 1000000) return fmt(v / 1e6, "M");
  if (v >= 1000) return fmt(v / 1e3, "k");
  return absl::StrCat(v);
}

std::string SvgOpen(int w, int h, const std::string& id, const std::string& label) {
  return absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" %sviewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
      "role=\"img\" aria-label=\"%s\" font-family=\"%s\" font-size=\"12\">\n"
      "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
      id.empty() ? "" : absl::StrCat("id=\"", id, "\" "), w, h, w, h, label, kFont, w, h);
}

std::string Text(double x, double y, const std::string& anchor, const std::string& s,
                 const std::string& extra = "") {
  return absl::StrFormat("<text x=\"%s\" y=\"%s\" text-anchor=\"%s\" fill=\"#374151\"%s>%s</text>\n",
                         Num(x), Num(y), anchor, extra, HtmlEscape(s));
}

std::string Line(double x1, double y1, double x2, double y2, const std::string& color) {
  return absl::StrFormat(
      "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" stroke-width=\"1\"/>\n",
      Num(x1), Num(y1), Num(x2), Num(y2), color);
}

// Plot frame shared by both charts: room on the left for y labels, below for x labels + title.
struct Frame {
  double left, top, right, bottom;
  double w() const { return right - left; }
  double h() const { return bottom - top; }
};

Frame MakeFrame(int w, int h) { return {64.0, 16.0, w - 16.0, h - 44.0}; }

// --- HTML helpers ---

std::string Row(const std::string& k, const std::string& v) {
  return absl::StrCat("<tr><th>", HtmlEscape(k), "</th><td>", HtmlEscape(v), "</td></tr>\n");
}

constexpr char kCss[] = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: #111827;
  font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 24px; }
header { margin-bottom: 16px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.sub { color: #4b5563; margin: 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px;
  margin-bottom: 16px; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 16px;
  min-width: 0; }
section.card { margin-bottom: 16px; }
.card svg { display: block; width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #f0f1f3; vertical-align: top; }
th { font-weight: 600; color: #374151; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td, tr.total th { border-top: 2px solid #d1d5db; font-weight: 600; }
table.kv th { width: 36%; }
.bar { height: 10px; background: #0d9488; border-radius: 2px; min-width: 1px; }
.barcell { width: 40%; }
.note { color: #6b7280; font-size: 13px; margin: 8px 0 0; }
.queries { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; }
.mono { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; }
)css";

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderLossSvg(const std::vector<double>& losses, int width, int height) {
  const int w = std::max(width, kMinWidth), h = std::max(height, kMinHeight);
  const Frame f = MakeFrame(w, h);
  std::string s = SvgOpen(w, h, "", "training loss per epoch");
  const int64_t n = static_cast<int64_t>(losses.size());

  double lo = INFINITY, hi = -INFINITY;
  for (double l : losses) {
    if (std::isfinite(l)) lo = std::min(lo, l), hi = std::max(hi, l);
  }
  const bool any = lo <= hi;
  if (!any) lo = 0, hi = 1;
  // A constant loss gets a band around it so it draws as a centred flat line, not a division by 0.
  if (hi - lo <= 1e-12 * std::max(1.0, std::abs(hi))) {
    const double pad = std::max(std::abs(hi) * 0.05, 0.5);
    lo -= pad, hi += pad;
  } else {
    const double pad = (hi - lo) * 0.05;  // keep the line off the frame
    lo -= pad, hi += pad;
  }
  auto ymap = [&](double v) { return f.bottom - (v - lo) / (hi - lo) * f.h(); };
  auto xmap = [&](int64_t epoch) {  // epoch from 1; a single epoch sits in the middle
    return n <= 1 ? f.left + f.w() / 2 : f.left + double(epoch - 1) / double(n - 1) * f.w();
  };

  double ystep = 1;
  for (double t : NiceTicks(lo, hi, 5, &ystep)) {
    const double y = ymap(t);
    absl::StrAppend(&s, Line(f.left, y, f.right, y, kGrid));
    absl::StrAppend(&s, Text(f.left - 6, y + 4, "end", TickLabel(t, ystep)));
  }
  if (n >= 1) {
    double xs = 1;
    if (n > 1) NiceTicks(1, double(n), 8, &xs);
    xs = std::max(1.0, std::round(xs));
    std::vector<int64_t> xticks{1};
    for (int64_t k = static_cast<int64_t>(xs); k <= n; k += static_cast<int64_t>(xs)) {
      if (k - xticks.back() >= xs / 2) xticks.push_back(k);
    }
    for (int64_t e : xticks) {
      const double x = xmap(e);
      absl::StrAppend(&s, Line(x, f.bottom, x, f.bottom + 4, kAxis));
      absl::StrAppend(&s, Text(x, f.bottom + 18, "middle", absl::StrCat(e)));
    }
  }
  absl::StrAppend(&s, Line(f.left, f.top, f.left, f.bottom, kAxis));
  absl::StrAppend(&s, Line(f.left, f.bottom, f.right, f.bottom, kAxis));
  absl::StrAppend(&s, Text(f.left + f.w() / 2, h - 8, "middle", "epoch"));
  absl::StrAppend(&s, Text(14, f.top + f.h() / 2, "middle", "loss",
                           absl::StrFormat(" transform=\"rotate(-90 14 %s)\"", Num(f.top + f.h() / 2))));

  if (!any) {
    absl::StrAppend(&s, Text(f.left + f.w() / 2, f.top + f.h() / 2, "middle",
                             n == 0 ? "no epochs recorded" : "no finite loss recorded"));
  } else {
    std::string pts;
    for (int64_t e = 1; e <= n; ++e) {
      const double l = losses[e - 1];
      if (!std::isfinite(l)) continue;
      absl::StrAppend(&pts, pts.empty() ? "" : " ", Num(xmap(e)), ",", Num(ymap(l)));
    }
    absl::StrAppend(&s, "<polyline id=\"loss-curve\" points=\"", pts, "\" fill=\"none\" stroke=\"",
                    kLine, "\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n");
    // Markers while they stay distinguishable; they are also what shows a single epoch.
    if (n <= 100) {
      for (int64_t e = 1; e <= n; ++e) {
        const double l = losses[e - 1];
        if (!std::isfinite(l)) continue;
        absl::StrAppend(&s, absl::StrFormat("<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\">"
                                            "<title>epoch %d: %.6g</title></circle>\n",
                                            Num(xmap(e)), Num(ymap(l)), kLine, e, l));
      }
    }
  }
  absl::StrAppend(&s, "</svg>\n");
  return s;
}

std::string RenderDegreeHistogramSvg(const std::vector<int64_t>& degrees, int width, int height) {
  const int w = std::max(width, kMinWidth), h = std::max(height, kMinHeight);
  const Frame f = MakeFrame(w, h);
  std::string s = SvgOpen(w, h, "degree-histogram", "out-degree histogram, log2 bins");

  // bin 0: degree 0; bin b >= 1: degrees [2^(b-1), 2^b - 1].
  std::vector<int64_t> counts;
  for (int64_t d : degrees) {
    if (d < 0) continue;
    size_t b = 0;
    while (d > 0) ++b, d >>= 1;  // b = bit width of the degree
    if (counts.size() <= b) counts.resize(b + 1, 0);
    ++counts[b];
  }
  const int64_t max_count = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());

  absl::StrAppend(&s, Line(f.left, f.top, f.left, f.bottom, kAxis));
  absl::StrAppend(&s, Line(f.left, f.bottom, f.right, f.bottom, kAxis));
  absl::StrAppend(&s, Text(f.left + f.w() / 2, h - 8, "middle", "out-degree (bins double in width)"));
  absl::StrAppend(&s, Text(14, f.top + f.h() / 2, "middle", "nodes",
                           absl::StrFormat(" transform=\"rotate(-90 14 %s)\"", Num(f.top + f.h() / 2))));
  if (max_count == 0) {
    absl::StrAppend(&s, Text(f.left + f.w() / 2, f.top + f.h() / 2, "middle", "no nodes"));
    absl::StrAppend(&s, "</svg>\n");
    return s;
  }

  const double top_value = max_count * 1.08;  // headroom for the count above the tallest bar
  double ystep = 1;
  std::vector<double> yticks = NiceTicks(0, top_value, 5, &ystep);
  for (double t : yticks) {
    if (ystep < 1 && t != std::floor(t)) continue;  // counts are whole
    const double y = f.bottom - t / top_value * f.h();
    absl::StrAppend(&s, Line(f.left, y, f.right, y, kGrid));
    absl::StrAppend(&s, Text(f.left - 6, y + 4, "end", Compact(static_cast<int64_t>(t))));
  }
  const double slot = f.w() / static_cast<double>(counts.size());
  const double bar_w = slot * 0.8;
  for (size_t b = 0; b < counts.size(); ++b) {
    const int64_t lo = b == 0 ? 0 : int64_t{1} << (b - 1);
    const int64_t hi = b == 0 ? 0 : (int64_t{1} << b) - 1;
    const double x = f.left + slot * b + (slot - bar_w) / 2;
    const double bh = counts[b] / top_value * f.h();
    const std::string range = lo == hi ? absl::StrCat(lo) : absl::StrCat(lo, "–", hi);
    absl::StrAppend(&s, absl::StrFormat(
        "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"><title>degree %s: %d "
        "nodes</title></rect>\n",
        Num(x), Num(f.bottom - bh), Num(bar_w), Num(bh), kBar, range, counts[b]));
    const double cx = x + bar_w / 2;
    if (counts[b] > 0 && slot >= 26) {
      absl::StrAppend(&s, Text(cx, f.bottom - bh - 4, "middle", Compact(counts[b]),
                               " font-size=\"10\""));
    }
    // Label every bin while they fit, otherwise every other one.
    if (slot >= 26 || b % 2 == 0) {
      absl::StrAppend(&s, Text(cx, f.bottom + 16, "middle", Compact(lo), " font-size=\"11\""));
    }
  }
  absl::StrAppend(&s, "</svg>\n");
  return s;
}

std::string RenderReportHtml(const ReportData& d) {
  const std::string title = d.title.empty() ? "n2v report" : d.title;
  std::string h = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      HtmlEscape(title), "</title>\n<style>", kCss, "</style>\n</head>\n<body>\n<main>\n");
  absl::StrAppend(&h, "<header>\n<h1>", HtmlEscape(title), "</h1>\n<p class=\"sub\">Device: ",
                  "<span class=\"mono\">", HtmlEscape(d.device.empty() ? "unknown" : d.device),
                  "</span></p>\n</header>\n");

  // --- loss + degree histogram ---
  absl::StrAppend(&h, "<div class=\"grid\">\n<section class=\"card\" id=\"loss\">\n<h2>Training loss</h2>\n",
                  RenderLossSvg(d.losses, 560, 300));
  {
    int64_t finite = 0;
    double best = INFINITY;
    for (double l : d.losses) {
      if (std::isfinite(l)) ++finite, best = std::min(best, l);
    }
    if (d.losses.empty()) {
      absl::StrAppend(&h, "<p class=\"note\">No epochs were recorded.</p>\n");
    } else {
      absl::StrAppend(&h, "<p class=\"note\">", d.losses.size(), " epoch",
                      d.losses.size() == 1 ? "" : "s",
                      absl::StrFormat("; first %.4f, final %.4f, lowest %.4f", d.losses.front(),
                                      d.losses.back(), finite ? best : NAN));
      if (finite < static_cast<int64_t>(d.losses.size())) {
        absl::StrAppend(&h, "; ", static_cast<int64_t>(d.losses.size()) - finite,
                        " non-finite value(s) left out of the curve");
      }
      absl::StrAppend(&h, ".</p>\n");
    }
  }
  absl::StrAppend(&h, "</section>\n<section class=\"card\" id=\"degrees\">\n<h2>Degree distribution</h2>\n",
                  RenderDegreeHistogramSvg(d.degrees, 560, 300),
                  "<p class=\"note\">Bars count nodes by out-degree; the label is each bin's lowest "
                  "degree. Hover a bar for its exact range.</p>\n</section>\n</div>\n");

  // --- graph statistics + stage times ---
  const GraphStats& g = d.graph;
  absl::StrAppend(&h, "<div class=\"grid\">\n<section class=\"card\" id=\"graph\">\n<h2>Graph</h2>\n<table class=\"kv\">\n");
  absl::StrAppend(&h, Row("nodes", absl::StrCat(g.nodes)), Row("edges", absl::StrCat(g.edges)),
                  Row("components", absl::StrCat(g.components)),
                  Row("largest component", absl::StrCat(g.largest_component, " nodes")),
                  Row("isolated nodes", absl::StrCat(g.isolated_nodes)));
  absl::StrAppend(&h, Row("degree min / median / mean / max",
                          absl::StrFormat("%d / %.1f / %.2f / %d", g.min_degree, g.median_degree,
                                          g.mean_degree, g.max_degree)),
                  Row("weight min / max", absl::StrFormat("%.4g / %.4g", g.min_weight, g.max_weight)),
                  "</table>\n</section>\n");

  absl::StrAppend(&h, "<section class=\"card\" id=\"stages\">\n<h2>Stage times</h2>\n");
  if (d.stage_ms.empty()) {
    absl::StrAppend(&h, "<p class=\"note\">No stage times were recorded.</p>\n");
  } else {
    double sum = 0, max_ms = 0;
    for (const auto& [name, ms] : d.stage_ms) {
      if (std::isfinite(ms) && ms > 0) sum += ms, max_ms = std::max(max_ms, ms);
    }
    absl::StrAppend(&h, "<table>\n<tr><th>stage</th><th class=\"num\">ms</th><th class=\"num\">share</th>"
                        "<th class=\"barcell\"></th></tr>\n");
    for (const auto& [name, ms] : d.stage_ms) {
      const bool ok = std::isfinite(ms) && ms > 0;
      const double share = ok && sum > 0 ? 100.0 * ms / sum : 0;
      const double bar = ok && max_ms > 0 ? 100.0 * ms / max_ms : 0;
      absl::StrAppend(&h, "<tr><th>", HtmlEscape(name), "</th><td class=\"num\">",
                      absl::StrFormat("%.1f", ms), "</td><td class=\"num\">",
                      absl::StrFormat("%.1f%%", share), "</td><td class=\"barcell\">",
                      // no bar at all for 0 ms; otherwise at least 1px so tiny stages still show
                      bar > 0 ? absl::StrFormat("<div class=\"bar\" style=\"width:%.1f%%\"></div>", bar)
                              : std::string(),
                      "</td></tr>\n");
    }
    absl::StrAppend(&h, "<tr class=\"total\"><th>total</th><td class=\"num\">",
                    absl::StrFormat("%.1f", sum), "</td><td class=\"num\">100%</td><td></td></tr>\n",
                    "</table>\n");
  }
  absl::StrAppend(&h, "</section>\n</div>\n");

  // --- queries ---
  if (!d.queries.empty()) {
    absl::StrAppend(&h, "<section class=\"card\" id=\"similar\">\n<h2>Most similar</h2>\n"
                        "<div class=\"queries\">\n");
    for (const ReportData::Query& q : d.queries) {
      absl::StrAppend(&h, "<div>\n<h3>", HtmlEscape(q.query), "</h3>\n");
      if (q.neighbors.empty()) {
        absl::StrAppend(&h, "<p class=\"note\">No neighbours.</p>\n</div>\n");
        continue;
      }
      absl::StrAppend(&h, "<table>\n<tr><th class=\"num\">#</th><th>title</th><th class=\"num\">cosine</th></tr>\n");
      for (size_t i = 0; i < q.neighbors.size(); ++i) {
        absl::StrAppend(&h, "<tr><td class=\"num\">", i + 1, "</td><td>",
                        HtmlEscape(q.neighbors[i].first), "</td><td class=\"num\">",
                        absl::StrFormat("%.3f", q.neighbors[i].second), "</td></tr>\n");
      }
      absl::StrAppend(&h, "</table>\n</div>\n");
    }
    absl::StrAppend(&h, "</div>\n</section>\n");
  }

  // --- configuration ---
  absl::StrAppend(&h, "<section class=\"card\" id=\"config\">\n<h2>Configuration</h2>\n");
  if (d.config.empty()) {
    absl::StrAppend(&h, "<p class=\"note\">No configuration recorded.</p>\n");
  } else {
    absl::StrAppend(&h, "<table class=\"kv\">\n");
    for (const auto& [k, v] : d.config) absl::StrAppend(&h, Row(k, v));
    absl::StrAppend(&h, "</table>\n");
  }
  absl::StrAppend(&h, "</section>\n</main>\n</body>\n</html>\n");
  return h;
}

absl::Status WriteReport(const std::string& dir, const ReportData& d) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat(dir, ": cannot create the output directory: ", ec.message()));
  }
  absl::Status st = WriteFileAtomic((fs::path(dir) / "loss.svg").string(),
                                    absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                                                 RenderLossSvg(d.losses, 720, 360)));
  if (!st.ok()) return st;
  return WriteFileAtomic((fs::path(dir) / "report.html").string(), RenderReportHtml(d));
}

}  // namespace n2v
