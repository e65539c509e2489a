// report.html and loss.svg (include/n2v/report.hpp): the page and its charts. Host only; no CUDA
// twin (nothing to accelerate). Charts are inline SVG with presentation attributes rather than CSS
// classes, so loss.svg looks the same opened alone as it does inside the page; the embedding map
// is a canvas drawn by one inline script from a JSON block in the page (docs/DESIGN.md,
// "Reports"): tens of thousands of SVG circles would make the page slow to open and to hover.
#include "n2v/report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iterator>
#include <map>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "n2v/atomic_file.hpp"
#include "n2v/json.hpp"

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
.mapbox { position: relative; }
#embedding-map { display: block; width: 100%; height: 420px; border: 1px solid #e5e7eb;
  border-radius: 4px; cursor: crosshair; }
.tip { position: absolute; display: none; pointer-events: none; background: #111827; color: #fff;
  padding: 3px 7px; border-radius: 4px; font-size: 12px; white-space: nowrap; z-index: 2; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 14px; margin-top: 8px; font-size: 12px;
  color: #374151; align-items: center; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 5px; vertical-align: -1px; }
.legend .ramp { width: 140px; height: 10px; border-radius: 2px;
  background: linear-gradient(90deg, #440154, #3b528b, #21918c, #5ec962, #fde725); }
.heatmaps { display: flex; flex-wrap: wrap; gap: 12px; }
.heatmaps svg { width: auto !important; max-width: 100%; }
ul.notes { margin: 8px 0 0; padding-left: 20px; color: #374151; }
.grid > .card:only-child svg, #roc svg { max-width: 640px; }
)css";

// --- general charts -----------------------------------------------------------------------------

// Ten distinguishable colours (categorical), and a grey for "other".
constexpr const char* kPalette[] = {"#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed",
                                    "#0891b2", "#db2777", "#65a30d", "#92400e", "#475569"};
constexpr char kOther[] = "#c4c9d2";

struct Axis {
  std::string label;
  bool log = false;           // base 10; values <= 0 are left out
  double lo = NAN, hi = NAN;  // NaN: from the data
};

struct Series {
  std::string name;
  std::string color;
  std::vector<std::pair<double, double>> pts;
  bool line = true;
  bool dots = false;
  bool right = false;  // on the right-hand axis
  std::string id;      // element id of the polyline ("" for none)
  std::string dash;    // stroke-dasharray
};

struct Range {
  double lo, hi;
  bool log;
  double Map(double v, double a, double b) const {  // [lo, hi] → [a, b]
    const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
                         : (v - lo) / (hi - lo);
    return a + t * (b - a);
  }
};

bool Usable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

Range RangeOf(const Axis& a, const std::vector<Series>& s, bool x, bool right) {
  double lo = INFINITY, hi = -INFINITY;
  for (const Series& ser : s) {
    if (!x && ser.right != right) continue;
    for (const auto& [px, py] : ser.pts) {
      const double v = x ? px : py;
      const double other = x ? py : px;
      if (Usable(v, a.log) && std::isfinite(other)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  if (std::isfinite(a.lo)) lo = a.lo;
  if (std::isfinite(a.hi)) hi = a.hi;
  if (!(lo <= hi)) lo = a.log ? 1 : 0, hi = a.log ? 10 : 1;
  if (hi - lo <= 1e-12 * std::max(1.0, std::abs(hi))) {
    if (a.log) {
      lo /= 2, hi *= 2;
    } else {
      const double pad = std::max(std::abs(hi) * 0.05, 0.5);
      lo -= pad, hi += pad;
    }
  } else if (!std::isfinite(a.lo) && !std::isfinite(a.hi) && !a.log) {
    const double pad = (hi - lo) * 0.04;
    lo -= pad, hi += pad;
  }
  return {lo, hi, a.log};
}

/// 1, 10, 100, ... within [lo, hi] (log axes).
std::vector<double> DecadeTicks(double lo, double hi) {
  std::vector<double> t;
  for (double v = std::pow(10.0, std::ceil(std::log10(lo) - 1e-9)); v <= hi * (1 + 1e-9) && t.size() < 20;
       v *= 10) {
    t.push_back(v);
  }
  return t;
}

std::string AxisLabel(double v, double step, bool log) {
  if (!log) {
    if (std::abs(v) >= 1e4 && step >= 1) return Compact(static_cast<int64_t>(std::llround(v)));
    return TickLabel(v, step);
  }
  if (v >= 1000) return Compact(static_cast<int64_t>(std::llround(v)));
  return absl::StrFormat("%g", v);
}

/// A chart of lines and/or dots, one or two y axes, linear or log axes, a legend.
std::string ChartSvg(const std::string& id, int w, int h, const Axis& xa, const Axis& ya,
                     const Axis& y2a, const std::vector<Series>& series, const std::string& label,
                     bool legend_low = false) {
  bool has_right = false;
  for (const Series& s : series) has_right |= s.right && !s.pts.empty();
  Frame f = MakeFrame(w, h);
  if (has_right) f.right -= 52;
  std::string s = SvgOpen(w, h, id, label);
  const Range xr = RangeOf(xa, series, true, false), yr = RangeOf(ya, series, false, false);
  const Range y2r = RangeOf(y2a, series, false, true);
  auto X = [&](double v) { return xr.Map(v, f.left, f.right); };
  auto Y = [&](double v) { return yr.Map(v, f.bottom, f.top); };
  auto Y2 = [&](double v) { return y2r.Map(v, f.bottom, f.top); };
  // y grid and labels
  double step = 1;
  std::vector<double> yt = ya.log ? DecadeTicks(yr.lo, yr.hi) : NiceTicks(yr.lo, yr.hi, 5, &step);
  for (double t : yt) {
    absl::StrAppend(&s, Line(f.left, Y(t), f.right, Y(t), kGrid));
    absl::StrAppend(&s, Text(f.left - 6, Y(t) + 4, "end", AxisLabel(t, step, ya.log)));
  }
  if (has_right) {
    double step2 = 1;
    std::vector<double> t2 = y2a.log ? DecadeTicks(y2r.lo, y2r.hi) : NiceTicks(y2r.lo, y2r.hi, 5, &step2);
    for (double t : t2) {
      absl::StrAppend(&s, Line(f.right, Y2(t), f.right + 4, Y2(t), kAxis));
      absl::StrAppend(&s, Text(f.right + 6, Y2(t) + 4, "start", AxisLabel(t, step2, y2a.log),
                               " font-size=\"11\""));
    }
    absl::StrAppend(&s, Line(f.right, f.top, f.right, f.bottom, kAxis));
    absl::StrAppend(&s, Text(w - 10, f.top + f.h() / 2, "middle", y2a.label,
                             absl::StrFormat(" transform=\"rotate(90 %s %s)\"", Num(w - 10),
                                             Num(f.top + f.h() / 2))));
  }
  double xs = 1;
  std::vector<double> xt = xa.log ? DecadeTicks(xr.lo, xr.hi) : NiceTicks(xr.lo, xr.hi, 6, &xs);
  for (double t : xt) {
    absl::StrAppend(&s, Line(X(t), f.bottom, X(t), f.bottom + 4, kAxis));
    absl::StrAppend(&s, Text(X(t), f.bottom + 18, "middle", AxisLabel(t, xs, xa.log)));
  }
  absl::StrAppend(&s, Line(f.left, f.top, f.left, f.bottom, kAxis));
  absl::StrAppend(&s, Line(f.left, f.bottom, f.right, f.bottom, kAxis));
  absl::StrAppend(&s, Text(f.left + f.w() / 2, h - 8, "middle", xa.label));
  absl::StrAppend(&s, Text(14, f.top + f.h() / 2, "middle", ya.label,
                           absl::StrFormat(" transform=\"rotate(-90 14 %s)\"", Num(f.top + f.h() / 2))));
  int legend = 0;
  for (const Series& ser : series) {
    std::string pts;
    int64_t n = 0;
    for (const auto& [px, py] : ser.pts) {
      if (!Usable(px, xa.log) || !Usable(py, ser.right ? y2a.log : ya.log)) continue;
      const double cx = X(px), cy = ser.right ? Y2(py) : Y(py);
      absl::StrAppend(&pts, pts.empty() ? "" : " ", Num(cx), ",", Num(cy));
      if (ser.dots) {
        absl::StrAppend(&s, absl::StrFormat("<circle cx=\"%s\" cy=\"%s\" r=\"2.5\" fill=\"%s\" "
                                            "fill-opacity=\"0.8\"/>\n", Num(cx), Num(cy), ser.color));
      }
      ++n;
    }
    if (ser.line && n > 0) {
      absl::StrAppend(&s, "<polyline", ser.id.empty() ? "" : absl::StrCat(" id=\"", ser.id, "\""),
                      " points=\"", pts, "\" fill=\"none\" stroke=\"", ser.color,
                      "\" stroke-width=\"2\" stroke-linejoin=\"round\"",
                      ser.dash.empty() ? "" : absl::StrCat(" stroke-dasharray=\"", ser.dash, "\""),
                      "/>\n");
    }
    if (!ser.name.empty() && !ser.pts.empty()) {
      int named = 0;
      for (const Series& x : series) named += !x.name.empty() && !x.pts.empty();
      const double ly = legend_low ? f.bottom - 10 - 16 * (named - 1 - legend++) : f.top + 10 + 16 * legend++;
      const double lx = f.right - 160;
      absl::StrAppend(&s, absl::StrFormat("<rect x=\"%s\" y=\"%s\" width=\"158\" height=\"16\" "
                                          "fill=\"#ffffff\" fill-opacity=\"0.85\"/>\n",
                                          Num(lx - 4), Num(ly - 10)));
      absl::StrAppend(&s, absl::StrFormat("<rect x=\"%s\" y=\"%s\" width=\"14\" height=\"4\" fill=\"%s\"/>\n",
                                          Num(lx), Num(ly - 4), ser.color));
      absl::StrAppend(&s, Text(lx + 20, ly + 1, "start", ser.name, " font-size=\"11\""));
    }
  }
  absl::StrAppend(&s, "</svg>\n");
  return s;
}

/// Vertical bars, one per label, heights linear in the counts.
std::string BarsSvg(const std::string& id, int w, int h, const std::vector<std::string>& labels,
                    const std::vector<double>& values, const std::string& xlabel,
                    const std::string& ylabel, const std::vector<std::string>& colors) {
  const Frame f = MakeFrame(w, h);
  std::string s = SvgOpen(w, h, id, ylabel + " by " + xlabel);
  double top = 0;
  for (double v : values) top = std::max(top, v);
  top = top > 0 ? top * 1.08 : 1;
  double step = 1;
  for (double t : NiceTicks(0, top, 5, &step)) {
    const double y = f.bottom - t / top * f.h();
    absl::StrAppend(&s, Line(f.left, y, f.right, y, kGrid));
    absl::StrAppend(&s, Text(f.left - 6, y + 4, "end",
                             step >= 1 ? Compact(static_cast<int64_t>(std::llround(t))) : TickLabel(t, step)));
  }
  const double slot = f.w() / std::max<size_t>(values.size(), 1);
  const size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil(28 / slot)));
  for (size_t i = 0; i < values.size(); ++i) {
    const double bh = values[i] / top * f.h();
    const double x = f.left + slot * i + slot * 0.1;
    absl::StrAppend(&s, absl::StrFormat(
        "<rect class=\"vbar\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"><title>%s: "
        "%s</title></rect>\n",
        Num(x), Num(f.bottom - bh), Num(std::max(slot * 0.8, 0.5)), Num(bh),
        colors.empty() ? kBar : colors[i % colors.size()], HtmlEscape(labels[i]),
        absl::StrFormat("%.6g", values[i])));
    if (i % every == 0 || i + 1 == values.size()) {
      absl::StrAppend(&s, Text(x + slot * 0.4, f.bottom + 16, "middle", labels[i], " font-size=\"11\""));
    }
  }
  absl::StrAppend(&s, Line(f.left, f.top, f.left, f.bottom, kAxis));
  absl::StrAppend(&s, Line(f.left, f.bottom, f.right, f.bottom, kAxis));
  absl::StrAppend(&s, Text(f.left + f.w() / 2, h - 8, "middle", xlabel));
  absl::StrAppend(&s, Text(14, f.top + f.h() / 2, "middle", ylabel,
                           absl::StrFormat(" transform=\"rotate(-90 14 %s)\"", Num(f.top + f.h() / 2))));
  absl::StrAppend(&s, "</svg>\n");
  return s;
}

/// A p × q grid as coloured cells (class="heat-cell", one per grid point), the value in each.
std::string HeatmapSvg(const ReportData::Heatmap& m, int index) {
  const int np = static_cast<int>(m.p.size()), nq = static_cast<int>(m.q.size());
  const double cell_w = std::clamp(300.0 / std::max(nq, 1), 36.0, 72.0);
  const double cell_h = std::clamp(200.0 / std::max(np, 1), 24.0, 40.0);
  const double left = 56, top = 30;
  const int w = static_cast<int>(left + cell_w * nq + 16), h = static_cast<int>(top + cell_h * np + 36);
  std::string s = SvgOpen(std::max(w, 160), h, absl::StrCat("heatmap-", index),
                          absl::StrCat(m.metric, " over the p/q grid"));
  double lo = INFINITY, hi = -INFINITY;
  for (double v : m.value) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  absl::StrAppend(&s, Text(left, 16, "start", m.metric, " font-weight=\"600\""));
  // A file's embeddings have no p or q: one cell, its axes labelled "file".
  const auto pq = [](double v) { return std::isnan(v) ? std::string("file") : absl::StrFormat("%g", v); };
  for (int i = 0; i < np; ++i) {
    absl::StrAppend(&s, Text(left - 6, top + cell_h * (i + 0.5) + 4, "end", pq(m.p[i])));
    for (int j = 0; j < nq; ++j) {
      const double v = m.value[static_cast<size_t>(i) * nq + j];
      // White (lowest) to dark teal (highest); one value alone is mid-teal.
      const double t = !std::isfinite(v) ? 0 : hi > lo ? (v - lo) / (hi - lo) : 0.6;
      const int r = static_cast<int>(240 - t * (240 - 13)), g = static_cast<int>(249 - t * (249 - 94)),
                b = static_cast<int>(255 - t * (255 - 104));
      const double x = left + cell_w * j, y = top + cell_h * i;
      absl::StrAppend(&s, absl::StrFormat(
          "<rect class=\"heat-cell\" data-p=\"%s\" data-q=\"%s\" data-value=\"%s\" x=\"%s\" "
          "y=\"%s\" width=\"%s\" height=\"%s\" fill=\"rgb(%d,%d,%d)\" stroke=\"#ffffff\">"
          "<title>p=%s q=%s: %s</title></rect>\n",
          pq(m.p[i]), pq(m.q[j]), std::isfinite(v) ? absl::StrFormat("%.6g", v) : std::string(), Num(x),
          Num(y), Num(cell_w), Num(cell_h), r, g, b, pq(m.p[i]), pq(m.q[j]),
          std::isfinite(v) ? absl::StrFormat("%.4f", v) : std::string("no value")));
      absl::StrAppend(&s, absl::StrFormat(
          "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\" font-size=\"11\" fill=\"%s\">%s</text>\n",
          Num(x + cell_w / 2), Num(y + cell_h / 2 + 4), t > 0.55 ? "#ffffff" : "#111827",
          std::isfinite(v) ? absl::StrFormat("%.3f", v) : std::string("–")));
    }
  }
  for (int j = 0; j < nq; ++j) {
    absl::StrAppend(&s, Text(left + cell_w * (j + 0.5), top + cell_h * np + 16, "middle", pq(m.q[j])));
  }
  absl::StrAppend(&s, Text(left + cell_w * nq / 2, top + cell_h * np + 32, "middle", "q"));
  absl::StrAppend(&s, Text(16, top + cell_h * np / 2, "middle", "p"));
  absl::StrAppend(&s, "</svg>\n");
  return s;
}

// The map's script: draws the points of the JSON block #map-data on the canvas #embedding-map,
// largest colour group first, and finds the point under the pointer through a grid of 8-px
// cells. Sets data-points (points drawn) and data-render-ms on the canvas when done.
constexpr char kMapScript[] = R"js(
(function () {
  var t0 = performance.now();
  var d = JSON.parse(document.getElementById('map-data').textContent);
  var cv = document.getElementById('embedding-map'), tip = document.getElementById('map-tip');
  var n = d.x.length, pal = d.palette, other = d.other;
  var stops = [[68,1,84],[59,82,139],[33,145,140],[94,201,98],[253,231,37]];
  function ramp(t) {
    t = Math.max(0, Math.min(1, t)) * (stops.length - 1);
    var i = Math.min(Math.floor(t), stops.length - 2), f = t - i, a = stops[i], b = stops[i + 1];
    return 'rgb(' + Math.round(a[0] + f * (b[0] - a[0])) + ',' + Math.round(a[1] + f * (b[1] - a[1])) +
           ',' + Math.round(a[2] + f * (b[2] - a[2])) + ')';
  }
  var key = new Array(n), groups = {}, order = [];
  var lmax = Math.log(1 + d.dmax);
  for (var i = 0; i < n; i++) {
    var k = d.cats.length ? (d.c[i] >= 0 && d.c[i] < pal.length ? pal[d.c[i]] : other)
                          : ramp(lmax > 0 ? Math.log(1 + d.c[i]) / lmax : 0);
    if (!d.cats.length) k = ramp(Math.round(20 * (lmax > 0 ? Math.log(1 + d.c[i]) / lmax : 0)) / 20);
    key[i] = k;
    if (!groups[k]) { groups[k] = []; order.push(k); }
    groups[k].push(i);
  }
  order.sort(function (a, b) { return groups[b].length - groups[a].length; });
  var W = 0, H = 0, pad = 8, cell = 8, gw = 0, gh = 0, head = null, next = null, px = null, py = null;
  function draw() {
    W = cv.clientWidth; H = Math.round(W * 0.62);
    if (W <= 0) return;
    cv.style.height = H + 'px';
    var r = window.devicePixelRatio || 1;
    cv.width = Math.round(W * r); cv.height = Math.round(H * r);
    var g = cv.getContext('2d');
    g.setTransform(r, 0, 0, r, 0, 0);
    g.fillStyle = '#ffffff'; g.fillRect(0, 0, W, H);
    var s = n > 50000 ? 1.6 : n > 5000 ? 2.4 : n > 500 ? 3.5 : 5;
    px = new Float32Array(n); py = new Float32Array(n);
    for (var i = 0; i < n; i++) {
      px[i] = pad + d.x[i] / d.scale * (W - 2 * pad);
      py[i] = H - pad - d.y[i] / d.scale * (H - 2 * pad);
    }
    g.globalAlpha = n > 20000 ? 0.7 : 0.85;
    var drawn = 0;
    for (var o = 0; o < order.length; o++) {
      g.fillStyle = order[o];
      var grp = groups[order[o]];
      for (var j = 0; j < grp.length; j++) {
        var p = grp[j];
        g.fillRect(px[p] - s / 2, py[p] - s / 2, s, s);
        drawn++;
      }
    }
    g.globalAlpha = 1;
    gw = Math.ceil(W / cell) + 1; gh = Math.ceil(H / cell) + 1;
    head = new Int32Array(gw * gh).fill(-1); next = new Int32Array(n);
    for (var i = 0; i < n; i++) {
      var c = Math.floor(py[i] / cell) * gw + Math.floor(px[i] / cell);
      if (c >= 0 && c < head.length) { next[i] = head[c]; head[c] = i; }
    }
    cv.setAttribute('data-points', String(drawn));
  }
  function near(x, y) {
    var best = -1, bd = 64, cx = Math.floor(x / cell), cy = Math.floor(y / cell);
    for (var a = cy - 1; a <= cy + 1; a++) for (var b = cx - 1; b <= cx + 1; b++) {
      if (a < 0 || b < 0 || a >= gh || b >= gw) continue;
      for (var i = head[a * gw + b]; i >= 0; i = next[i]) {
        var e = (px[i] - x) * (px[i] - x) + (py[i] - y) * (py[i] - y);
        if (e < bd) { bd = e; best = i; }
      }
    }
    return best;
  }
  cv.addEventListener('mousemove', function (ev) {
    var r = cv.getBoundingClientRect(), i = near(ev.clientX - r.left, ev.clientY - r.top);
    if (i < 0) { tip.style.display = 'none'; return; }
    var what = d.cats.length ? (d.c[i] >= 0 ? d.cats[d.c[i]] : 'none') : d.c[i];
    tip.textContent = d.names[i] + ' \u2014 ' + d.what + ': ' + what;
    tip.style.display = 'block';
    tip.style.left = (px[i] + 12) + 'px'; tip.style.top = (py[i] + 8) + 'px';
  });
  cv.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
  draw();
  if (window.ResizeObserver) {
    var last = W;
    new ResizeObserver(function () { if (cv.clientWidth !== last) { last = cv.clientWidth; draw(); } }).observe(cv);
  }
  cv.setAttribute('data-render-ms', (performance.now() - t0).toFixed(1));
})();
)js";

/// The map's JSON: coordinates quantised to integers in [0, scale] (each axis on its own), the
/// colour key per point, names and categories. "</" is written "<\/" so the block cannot close
/// the script element early.
std::string MapJson(const EmbeddingMap& m) {
  constexpr int kScale = 10000;
  JsonWriter j;
  j.BeginObject();
  j.Key("scale").Int(kScale);
  auto quantise = [&](const std::vector<float>& v, const char* key) {
    float lo = INFINITY, hi = -INFINITY;
    for (float a : v) lo = std::min(lo, a), hi = std::max(hi, a);
    const double span = hi > lo ? hi - lo : 1.0;
    j.Key(key).BeginArray();
    for (float a : v) j.Int(hi > lo ? std::lround((a - lo) / span * kScale) : kScale / 2);
    j.EndArray();
  };
  quantise(m.x, "x");
  quantise(m.y, "y");
  double dmax = 0;
  j.Key("c").BeginArray();
  if (m.categories.empty()) {
    for (double dg : m.degree) j.Int(static_cast<int64_t>(dg)), dmax = std::max(dmax, dg);
  } else {
    for (int32_t c : m.category) j.Int(c);
  }
  j.EndArray();
  j.Key("dmax").Double(dmax);
  j.Key("what").String(m.colour_by);
  j.Key("cats").BeginArray();
  for (const std::string& c : m.categories) j.String(c);
  j.EndArray();
  j.Key("palette").BeginArray();
  for (const char* c : kPalette) j.String(c);
  j.EndArray();
  j.Key("other").String(kOther);
  j.Key("names").BeginArray();
  for (const std::string& n : m.names) j.String(n);
  j.EndArray();
  j.EndObject();
  std::string out = j.str();
  for (size_t at = 0; (at = out.find("</", at)) != std::string::npos; at += 3) out.replace(at, 2, "<\\/");
  return out;
}

std::string MapSection(const ReportData& d) {
  const EmbeddingMap& m = d.map;
  std::string h = "<section class=\"card\" id=\"map\">\n<h2>Embedding map</h2>\n";
  if (m.rows == 0 || m.shown.empty()) {
    absl::StrAppend(&h, "<p class=\"note\">", HtmlEscape(d.map_note.empty() ? "No embeddings." : d.map_note),
                    "</p>\n</section>\n");
    return h;
  }
  const int64_t shown = static_cast<int64_t>(m.shown.size());
  absl::StrAppend(&h, absl::StrFormat(
      "<p class=\"sub\">The first two principal components (PCA) of the embeddings: PC1 holds "
      "%.1f%% and PC2 %.1f%% of the variance. Each dot is a node, coloured by %s; hover for its "
      "name.</p>\n", 100 * m.variance[0], 100 * m.variance[1], HtmlEscape(m.colour_by)));
  if (shown < m.rows) {
    absl::StrAppend(&h, absl::StrFormat(
        "<p class=\"note\" id=\"map-sampled\"><strong>Sampled:</strong> %d of the %d nodes are "
        "drawn (a uniform random sample; the components are fitted on it).</p>\n", shown, m.rows));
  }
  if (m.left_out > 0) {
    absl::StrAppend(&h, absl::StrFormat("<p class=\"note\" id=\"map-left-out\">Left out: %d %s.</p>\n",
                                        m.left_out, HtmlEscape(m.left_out_why.empty() ? "rows" : m.left_out_why)));
  }
  absl::StrAppend(&h, "<div class=\"mapbox\"><canvas id=\"embedding-map\" data-expected=\"", shown,
                  "\" aria-label=\"embedding map\"></canvas><div id=\"map-tip\" class=\"tip\"></div>"
                  "</div>\n<div class=\"legend\">");
  if (!m.categories.empty()) {
    std::vector<int64_t> count(m.categories.size() + 1, 0);
    for (int32_t c : m.category) ++count[c >= 0 && c < static_cast<int32_t>(m.categories.size()) ? c : m.categories.size()];
    const size_t coloured = std::min<size_t>(m.categories.size(), std::size(kPalette));
    for (size_t c = 0; c < coloured; ++c) {
      absl::StrAppend(&h, "<span><i style=\"background:", kPalette[c], "\"></i>", HtmlEscape(m.categories[c]),
                      " (", count[c], ")</span>");
    }
    int64_t rest = count.back();
    for (size_t c = coloured; c < m.categories.size(); ++c) rest += count[c];
    if (rest > 0) {
      absl::StrAppend(&h, "<span><i style=\"background:", kOther, "\"></i>",
                      m.categories.size() > coloured
                          ? absl::StrCat(m.categories.size() - coloured, " other ", m.colour_by, "s or none")
                          : std::string("none"),
                      " (", rest, ")</span>");
    }
  } else {
    double dmax = 0;
    for (double v : m.degree) dmax = std::max(dmax, v);
    absl::StrAppend(&h, "<span>degree 0</span><span class=\"ramp\"></span><span>",
                    static_cast<int64_t>(dmax), " (log scale)</span>");
  }
  absl::StrAppend(&h, "</div>\n");
  if (!d.map_note.empty()) absl::StrAppend(&h, "<p class=\"note\">", HtmlEscape(d.map_note), "</p>\n");
  absl::StrAppend(&h, "<script type=\"application/json\" id=\"map-data\">", MapJson(m), "</script>\n",
                  "<script>", kMapScript, "</script>\n</section>\n");
  return h;
}

std::string QueryTables(const std::vector<ReportData::Query>& qs, const std::string& id,
                        const std::string& title, const std::string& note) {
  std::string h = absl::StrCat("<section class=\"card\" id=\"", id, "\">\n<h2>", HtmlEscape(title), "</h2>\n");
  if (!note.empty()) absl::StrAppend(&h, "<p class=\"sub\">", HtmlEscape(note), "</p>\n");
  absl::StrAppend(&h, "<div class=\"queries\">\n");
  for (const ReportData::Query& q : qs) {
    absl::StrAppend(&h, "<div>\n<h3>", HtmlEscape(q.query), "</h3>\n");
    if (q.neighbors.empty()) {
      absl::StrAppend(&h, "<p class=\"note\">No neighbours.</p>\n</div>\n");
      continue;
    }
    absl::StrAppend(&h, "<table>\n<tr><th class=\"num\">#</th><th>name</th><th class=\"num\">cosine</th></tr>\n");
    for (size_t i = 0; i < q.neighbors.size(); ++i) {
      absl::StrAppend(&h, "<tr><td class=\"num\">", i + 1, "</td><td>", HtmlEscape(q.neighbors[i].first),
                      "</td><td class=\"num\">", absl::StrFormat("%.3f", q.neighbors[i].second), "</td></tr>\n");
    }
    absl::StrAppend(&h, "</table>\n</div>\n");
  }
  absl::StrAppend(&h, "</div>\n</section>\n");
  return h;
}

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
  absl::StrAppend(&h, "<header>\n<h1>", HtmlEscape(title), "</h1>\n");
  if (!d.subtitle.empty()) absl::StrAppend(&h, "<p class=\"sub\">", HtmlEscape(d.subtitle), "</p>\n");
  absl::StrAppend(&h, "<p class=\"sub\">Device: <span class=\"mono\">",
                  HtmlEscape(d.device.empty() ? "unknown" : d.device), "</span></p>\n");
  if (!d.notes.empty()) {
    absl::StrAppend(&h, "<ul class=\"notes\">\n");
    for (const std::string& n : d.notes) absl::StrAppend(&h, "<li>", HtmlEscape(n), "</li>\n");
    absl::StrAppend(&h, "</ul>\n");
  }
  absl::StrAppend(&h, "</header>\n");

  // --- the map and the neighbours of the hubs ---
  const bool walk_page = !d.visits.empty() || !d.length_counts.empty();
  if (d.map.rows > 0 || !d.map_note.empty()) absl::StrAppend(&h, MapSection(d));
  if (!d.hub_neighbors.empty()) {
    absl::StrAppend(&h, QueryTables(d.hub_neighbors, "hubs", "Nearest neighbours of the highest-degree nodes",
                                    "Cosine similarity in the embeddings; each node's own row is left out."));
  }

  // --- the training trace ---
  if (!d.trace.empty()) {
    std::vector<Series> by_pairs, by_time;
    Series lp{"loss", kLine, {}, true, false, false, "trace-loss-pairs"};
    Series lrp{"learning rate", "#d97706", {}, true, false, true, "", "5 3"};
    Series lt{"loss", kLine, {}, true, false, false, "trace-loss-time"};
    Series lrt{"learning rate", "#d97706", {}, true, false, true, "", "5 3"};
    // Windowed losses (progress reports) make the line; epoch means are their own markers, since
    // an epoch's mean lies above its last windows. Without windows (GPU, Adam) the means are the line.
    Series ep{"epoch mean", "#7c3aed", {}, false, true};
    Series et{"epoch mean", "#7c3aed", {}, false, true};
    bool any_pairs = false;
    for (const TracePoint& t : d.trace) {
      if (t.pairs >= 0) {
        any_pairs = true;
        lrp.pts.emplace_back(static_cast<double>(t.pairs), t.lr);
        if (std::isfinite(t.loss)) {
          (t.epoch_end ? ep : lp).pts.emplace_back(static_cast<double>(t.pairs), t.loss);
        }
      }
      lrt.pts.emplace_back(t.seconds, t.lr);
      if (std::isfinite(t.loss)) (t.epoch_end ? et : lt).pts.emplace_back(t.seconds, t.loss);
    }
    if (lt.pts.empty()) {
      lp.pts = ep.pts, lt.pts = et.pts;
      ep.pts.clear(), et.pts.clear();
      lp.name = lt.name = "loss (epoch mean)";
    }
    lp.dots = lp.pts.size() <= 60;
    lt.dots = lt.pts.size() <= 60;
    absl::StrAppend(&h, "<div class=\"grid\" id=\"trace\">\n<section class=\"card\">\n<h2>Loss against pairs trained</h2>\n");
    if (any_pairs) {
      absl::StrAppend(&h, ChartSvg("trace-pairs", 560, 300, Axis{"pairs trained"}, Axis{"loss"},
                                   Axis{"learning rate"}, {lp, ep, lrp}, "loss and learning rate against pairs"));
    } else {
      absl::StrAppend(&h, "<p class=\"note\">Pairs were not counted during this run.</p>\n");
    }
    absl::StrAppend(&h, "</section>\n<section class=\"card\">\n<h2>Loss against time</h2>\n",
                    ChartSvg("trace-time", 560, 300, Axis{"seconds of training"}, Axis{"loss"},
                             Axis{"learning rate"}, {lt, et, lrt}, "loss and learning rate against time"),
                    "</section>\n</div>\n");
    if (!d.trace_note.empty()) {
      absl::StrAppend(&h, "<p class=\"note\" style=\"margin:-8px 0 16px\">", HtmlEscape(d.trace_note), "</p>\n");
    }
  }

  // --- eval: the grid, ROC curves, per-label F1 ---
  if (!d.heatmaps.empty()) {
    absl::StrAppend(&h, "<section class=\"card\" id=\"grid\">\n<h2>The p/q grid</h2>\n<div class=\"heatmaps\">\n");
    for (size_t i = 0; i < d.heatmaps.size(); ++i) absl::StrAppend(&h, HeatmapSvg(d.heatmaps[i], static_cast<int>(i)));
    absl::StrAppend(&h, "</div>\n");
    if (!d.eval_note.empty()) absl::StrAppend(&h, "<p class=\"note\">", HtmlEscape(d.eval_note), "</p>\n");
    absl::StrAppend(&h, "</section>\n");
  }
  if (!d.roc.empty()) {
    std::vector<Series> curves;
    Series diag{"", kGrid, {{0, 0}, {1, 1}}, true};
    diag.dash = "4 4";
    curves.push_back(diag);
    for (size_t i = 0; i < d.roc.size(); ++i) {
      Series c{absl::StrFormat("%s (AUC %.3f)", d.roc[i].name, d.roc[i].auc), kPalette[i % std::size(kPalette)]};
      c.id = absl::StrCat("roc-", i);
      for (const RocPoint& p : d.roc[i].points) c.pts.emplace_back(p.fpr, p.tpr);
      curves.push_back(std::move(c));
    }
    absl::StrAppend(&h, "<section class=\"card\" id=\"roc\">\n<h2>", HtmlEscape(d.roc_title), "</h2>\n",
                    ChartSvg("roc-curves", 640, 440, Axis{"false-positive rate", false, 0, 1},
                             Axis{"true-positive rate", false, 0, 1}, Axis{}, curves, "ROC curves",
                             /*legend_low=*/true),
                    "</section>\n");
  }
  if (!d.label_f1.empty()) {
    std::vector<std::pair<std::string, double>> f1 = d.label_f1;
    std::stable_sort(f1.begin(), f1.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    absl::StrAppend(&h, "<section class=\"card\" id=\"label-f1\">\n<h2>F1 per label</h2>\n");
    const size_t limit = 60;
    if (f1.size() > limit) {
      absl::StrAppend(&h, "<p class=\"note\">", f1.size(), " labels: the ", limit / 2, " best and the ",
                      limit / 2, " worst are shown.</p>\n");
      f1.erase(f1.begin() + limit / 2, f1.end() - limit / 2);
    }
    absl::StrAppend(&h, "<table>\n<tr><th>label</th><th class=\"num\">F1</th><th class=\"barcell\"></th></tr>\n");
    for (const auto& [name, v] : f1) {
      absl::StrAppend(&h, "<tr class=\"f1-row\"><th>", HtmlEscape(name), "</th><td class=\"num\">",
                      absl::StrFormat("%.3f", v), "</td><td class=\"barcell\">",
                      v > 0 ? absl::StrFormat("<div class=\"bar\" style=\"width:%.1f%%\"></div>", 100 * v) : "",
                      "</td></tr>\n");
    }
    absl::StrAppend(&h, "</table>\n</section>\n");
  }

  // --- walk: visits against degree, walk lengths ---
  if (walk_page) {
    absl::StrAppend(&h, "<div class=\"grid\">\n");
    if (!d.visits.empty()) {
      // Mean visits per node for each (log-spaced) strength bin, against the distribution
      // proportional to strength, which a first-order walk on an undirected graph converges to.
      double total_visits = 0, total_strength = 0;
      for (size_t v = 0; v < d.visits.size(); ++v) {
        total_visits += static_cast<double>(d.visits[v]);
        total_strength += v < d.strength.size() ? d.strength[v] : 0;
      }
      std::map<int, std::pair<double, double>> bins;  // bin -> (sum of frequency, nodes)
      std::map<int, double> bin_strength;
      double tv = 0;
      for (size_t v = 0; v < d.visits.size(); ++v) {
        const double st = v < d.strength.size() ? d.strength[v] : 0;
        const double f = total_visits > 0 ? d.visits[v] / total_visits : 0;
        const double pi = total_strength > 0 ? st / total_strength : 0;
        tv += std::abs(f - pi);
        if (st <= 0) continue;
        const int b = static_cast<int>(std::floor(std::log10(st) * 10));
        bins[b].first += f;
        bins[b].second += 1;
        bin_strength[b] += st;
      }
      Series seen{"walks (mean per node)", kLine, {}, false, true};
      Series expect{"∝ weighted degree", "#d97706", {}, true, false, false, "", "5 3"};
      for (const auto& [b, fs] : bins) {
        const double st = bin_strength[b] / fs.second;
        seen.pts.emplace_back(st, fs.first / fs.second);
        expect.pts.emplace_back(st, total_strength > 0 ? st / total_strength : 0);
      }
      absl::StrAppend(&h, "<section class=\"card\" id=\"visits\">\n<h2>Visit frequency against degree</h2>\n",
                      ChartSvg("visit-frequency", 560, 320, Axis{"weighted degree", true},
                               Axis{"share of all visits", true}, Axis{}, {seen, expect},
                               "visit frequency against degree", /*legend_low=*/true),
                      absl::StrFormat("<p class=\"note\" id=\"visit-distance\">Total variation distance "
                                      "between the walks' visit frequencies and the distribution "
                                      "proportional to weighted degree: <strong>%.4f</strong> (0: "
                                      "the same; 1: disjoint). ", tv / 2),
                      d.directed ? "The graph is directed: a walk's stationary distribution is not "
                                   "proportional to degree there, so the line is a reference only."
                                 : "A first-order random walk on an undirected graph converges to "
                                   "this distribution; p, q and short walks from every node move "
                                   "the walks away from it.",
                      "</p>\n</section>\n");
    }
    if (!d.length_counts.empty()) {
      std::vector<std::string> labels;
      std::vector<double> values;
      uint64_t total = 0, early = 0;
      for (size_t len = 1; len < d.length_counts.size(); ++len) {
        labels.push_back(absl::StrCat(len));
        values.push_back(static_cast<double>(d.length_counts[len]));
        total += d.length_counts[len];
        if (len + 1 < d.length_counts.size()) early += d.length_counts[len];
      }
      absl::StrAppend(&h, "<section class=\"card\" id=\"lengths\">\n<h2>Walk lengths</h2>\n",
                      BarsSvg("walk-lengths", 560, 320, labels, values, "nodes in the walk", "walks", {}),
                      absl::StrFormat("<p class=\"note\" id=\"early-ends\">%d of %d walks (%.2f%%) ended "
                                      "early, at a node without out-edges.</p>\n",
                                      early, total, total > 0 ? 100.0 * early / total : 0.0),
                      "</section>\n");
    }
    absl::StrAppend(&h, "</div>\n");
  }

  // --- loss + degree histogram ---
  const bool loss_card = !d.losses.empty() || (!walk_page && d.heatmaps.empty());
  absl::StrAppend(&h, "<div class=\"grid\">\n");
  if (loss_card) {
    absl::StrAppend(&h, "<section class=\"card\" id=\"loss\">\n<h2>Training loss</h2>\n",
                    RenderLossSvg(d.losses, 560, 300));
  }
  if (loss_card) {
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
    absl::StrAppend(&h, "</section>\n");
  }
  absl::StrAppend(&h, "<section class=\"card\" id=\"degrees\">\n<h2>Degree distribution</h2>\n",
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
  if (!d.queries.empty()) absl::StrAppend(&h, QueryTables(d.queries, "similar", d.queries_title, ""));

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
