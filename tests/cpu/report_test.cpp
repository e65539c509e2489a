// Tests of report.html / loss.svg: escaping, one loss point per epoch inside the viewBox, no
// network references, degenerate inputs. ReportSample.WritesSample also writes a MovieLens-like
// sample into <build>/report_sample/ for tests/report/render_report.sh (headless Chromium).
#include "n2v/report.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace n2v {
namespace {

namespace fs = std::filesystem;

std::string Attr(const std::string& tag, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(tag, m, std::regex(" " + name + "=\"([^\"]*)\""))) return "";
  return m[1];
}

/// The opening tag of the element with this id ("" when absent).
std::string TagWithId(const std::string& doc, const std::string& id) {
  const size_t at = doc.find("id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const size_t open = doc.rfind('<', at), close = doc.find('>', at);
  return doc.substr(open, close - open + 1);
}

struct Point {
  double x, y;
};

std::vector<Point> CurvePoints(const std::string& svg) {
  std::vector<Point> pts;
  std::istringstream in(Attr(TagWithId(svg, "loss-curve"), "points"));
  std::string pair;
  while (in >> pair) {
    const size_t comma = pair.find(',');
    pts.push_back({std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1))});
  }
  return pts;
}

/// Checks the SVG opens and closes once and returns its viewBox width and height.
void ExpectWellFormedSvg(const std::string& svg, double* w, double* h) {
  ASSERT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u) << svg.substr(0, 80);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  std::istringstream vb(Attr(svg.substr(0, svg.find('>') + 1), "viewBox"));
  double x0 = -1, y0 = -1;
  vb >> x0 >> y0 >> *w >> *h;
  EXPECT_EQ(x0, 0);
  EXPECT_EQ(y0, 0);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

void ExpectNoNetwork(std::string doc) {
  const std::string ns = "xmlns=\"http://www.w3.org/2000/svg\"";
  for (size_t at; (at = doc.find(ns)) != std::string::npos;) doc.erase(at, ns.size());
  EXPECT_EQ(doc.find("http"), std::string::npos);
  EXPECT_EQ(doc.find("<script"), std::string::npos);
  EXPECT_EQ(doc.find("<link"), std::string::npos);
  EXPECT_EQ(doc.find("@import"), std::string::npos);
  EXPECT_EQ(doc.find("url("), std::string::npos);
}

ReportData Sample() {
  ReportData d;
  d.title = "MovieLens node2vec";
  d.device = "cpu (16 threads)";
  d.config = {{"p", "1"}, {"q", "1"}, {"num_walks", "5"}, {"num_steps", "10"}, {"dim", "32"},
              {"epochs", "50"}, {"seed", "42"}};
  d.graph = {.nodes = 1405, .edges = 40000, .components = 1, .largest_component = 1405,
             .isolated_nodes = 0, .min_degree = 1, .max_degree = 1023, .mean_degree = 56.9,
             .median_degree = 31, .min_weight = 1.0, .max_weight = 4.3};
  // A heavy-tailed degree sequence, so several log bins are filled.
  for (int i = 0; i < 1405; ++i) d.degrees.push_back(static_cast<int64_t>(1400.0 / (i + 1.4)));
  for (int e = 0; e < 50; ++e) d.losses.push_back(2.4 * std::exp(-e / 9.0) + 0.55 + 0.02 * (e % 3));
  d.stage_ms = {{"load", 310.2}, {"graph", 95.4},       {"walks", 48.1}, {"examples", 120.7},
                {"training", 5210.9}, {"similarity", 3.2}, {"export", 80.0}};
  d.queries = {{"Matrix, The (1999)",
                {{"Star Wars: Episode V - The Empire Strikes Back (1980)", 0.912f},
                 {"Terminator 2: Judgment Day (1991)", 0.887f},
                 {"Aliens (1986)", 0.861f}}},
               {"Toy Story (1995)",
                {{"Toy Story 2 (1999)", 0.934f}, {"Monsters, Inc. (2001)", 0.905f},
                 {"Finding Nemo (2003)", 0.899f}}}};
  return d;
}

// ---

TEST(Report, EscapesUserText) {
  ReportData d = Sample();
  d.title = "<script>alert(\"x\") & co</script>";
  d.device = "cu<da>";
  d.config.push_back({"out&dir", "/tmp/\"a\"<b>"});
  d.stage_ms.push_back({"<stage>", 1.0});
  d.queries[0].query = "Tom & Jerry <\"1940\">";
  d.queries[0].neighbors[0].first = "<b>Bold</b>";
  const std::string html = RenderReportHtml(d);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("cu<da>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&quot;x&quot;) &amp; co&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("Tom &amp; Jerry &lt;&quot;1940&quot;&gt;"), std::string::npos);
  EXPECT_NE(html.find("out&amp;dir"), std::string::npos);
  EXPECT_NE(html.find("&lt;stage&gt;"), std::string::npos);
  EXPECT_EQ(HtmlEscape("a'b"), "a&#39;b");
}

TEST(Report, OnePointPerEpochInsideTheViewBox) {
  for (int epochs : {1, 2, 7, 50, 300}) {
    std::vector<double> losses;
    for (int e = 0; e < epochs; ++e) losses.push_back(1.0 / (e + 1) + (e % 2 ? 0.01 : 0));
    const std::string svg = RenderLossSvg(losses, 640, 320);
    double w = 0, h = 0;
    ExpectWellFormedSvg(svg, &w, &h);
    EXPECT_EQ(w, 640);
    EXPECT_EQ(h, 320);
    const std::vector<Point> pts = CurvePoints(svg);
    ASSERT_EQ(pts.size(), static_cast<size_t>(epochs)) << "epochs=" << epochs;
    for (size_t i = 0; i < pts.size(); ++i) {
      EXPECT_GE(pts[i].x, 0);
      EXPECT_LE(pts[i].x, w);
      EXPECT_GE(pts[i].y, 0);
      EXPECT_LE(pts[i].y, h);
      if (i > 0) {
        EXPECT_GT(pts[i].x, pts[i - 1].x) << "epochs go left to right";
      }
    }
    if (epochs >= 2) {
      EXPECT_LT(pts.front().y, pts.back().y) << "a falling loss is drawn falling";
    }
    ExpectNoNetwork(svg);
  }
}

TEST(Report, DegenerateLosses) {
  double w = 0, h = 0;
  // No epochs: axes and a note, no curve.
  const std::string none = RenderLossSvg({}, 640, 320);
  ExpectWellFormedSvg(none, &w, &h);
  EXPECT_EQ(TagWithId(none, "loss-curve"), "");
  EXPECT_NE(none.find("no epochs recorded"), std::string::npos);
  // A constant loss is a flat line in the middle.
  const std::string flat = RenderLossSvg(std::vector<double>(10, 0.7), 640, 320);
  ExpectWellFormedSvg(flat, &w, &h);
  std::vector<Point> pts = CurvePoints(flat);
  ASSERT_EQ(pts.size(), 10u);
  for (const Point& p : pts) EXPECT_EQ(p.y, pts[0].y);
  EXPECT_GT(pts[0].y, 0);
  EXPECT_LT(pts[0].y, h);
  // Constant zero loss (no band from |loss|).
  pts = CurvePoints(RenderLossSvg(std::vector<double>(3, 0.0), 640, 320));
  ASSERT_EQ(pts.size(), 3u);
  // Non-finite values are left out of the line; all non-finite gives a note.
  pts = CurvePoints(RenderLossSvg({1.0, NAN, 0.5, INFINITY}, 640, 320));
  EXPECT_EQ(pts.size(), 2u);
  const std::string allnan = RenderLossSvg({NAN, NAN}, 640, 320);
  ExpectWellFormedSvg(allnan, &w, &h);
  EXPECT_NE(allnan.find("no finite loss recorded"), std::string::npos);
  // Sizes too small for labels are raised to the minimum, and the viewBox says so.
  const std::string tiny = RenderLossSvg({3, 2, 1}, 10, 10);
  ExpectWellFormedSvg(tiny, &w, &h);
  for (const Point& p : CurvePoints(tiny)) {
    EXPECT_GE(p.x, 0);
    EXPECT_LE(p.x, w);
    EXPECT_GE(p.y, 0);
    EXPECT_LE(p.y, h);
  }
}

TEST(Report, DegreeHistogramBins) {
  // Degrees 0, 1, 2-3, 4-7: bins of 1, 2, 3 and 1 nodes.
  const std::string svg = RenderDegreeHistogramSvg({0, 1, 1, 2, 3, 3, 5}, 560, 300);
  double w = 0, h = 0;
  ExpectWellFormedSvg(svg, &w, &h);
  EXPECT_NE(TagWithId(svg, "degree-histogram"), "");
  EXPECT_NE(svg.find("<title>degree 0: 1 nodes</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>degree 1: 2 nodes</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>degree 2–3: 3 nodes</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>degree 4–7: 1 nodes</title>"), std::string::npos);
  // Every bar lies inside the viewBox.
  const std::regex rect("<rect x=\"([0-9.]+)\" y=\"([0-9.]+)\" width=\"([0-9.]+)\" height=\"([0-9.]+)\"");
  int bars = 0;
  for (std::sregex_iterator it(svg.begin(), svg.end(), rect), end; it != end; ++it) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    EXPECT_LE(x + std::stod((*it)[3]), w);
    EXPECT_LE(y + std::stod((*it)[4]), h + 1e-6);
    ++bars;
  }
  EXPECT_EQ(bars, 1 + 4);  // background + 4 bins
  // A huge degree is one more bin, not a crash.
  EXPECT_NE(RenderDegreeHistogramSvg({int64_t{1} << 40}, 560, 300).find("</svg>"), std::string::npos);
}

TEST(Report, EmptyReportIsValidMarkup) {
  const std::string html = RenderReportHtml(ReportData{});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_NE(html.find("no epochs recorded"), std::string::npos);
  EXPECT_NE(html.find("no nodes"), std::string::npos);
  EXPECT_NE(TagWithId(html, "degree-histogram"), "");
  EXPECT_EQ(html.find("id=\"similar\""), std::string::npos) << "no queries, no section";
  EXPECT_EQ(html.find("nan"), std::string::npos);
  ExpectNoNetwork(html);
  // One epoch: a curve of one point (and its marker).
  ReportData one;
  one.losses = {0.69};
  EXPECT_EQ(CurvePoints(RenderReportHtml(one)).size(), 1u);
}

TEST(Report, FullReportHasEverySection) {
  const std::string html = RenderReportHtml(Sample());
  for (const char* id : {"loss", "degrees", "graph", "stages", "similar", "config", "loss-curve",
                         "degree-histogram"}) {
    EXPECT_NE(html.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_EQ(CurvePoints(html).size(), 50u);
  EXPECT_NE(html.find("Terminator 2: Judgment Day (1991)"), std::string::npos);
  EXPECT_NE(html.find("0.912"), std::string::npos);
  EXPECT_NE(html.find("cpu (16 threads)"), std::string::npos);
  ExpectNoNetwork(html);
}

TEST(Report, WriteReportWritesBothFiles) {
  const fs::path dir = fs::temp_directory_path() / ("n2v_report_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ASSERT_TRUE(WriteReport((dir / "nested").string(), Sample()).ok());
  std::ifstream html(dir / "nested" / "report.html"), svg(dir / "nested" / "loss.svg");
  std::stringstream hs, ss;
  hs << html.rdbuf();
  ss << svg.rdbuf();
  EXPECT_NE(hs.str().find("</html>"), std::string::npos);
  EXPECT_EQ(ss.str().rfind("<?xml", 0), 0u);
  EXPECT_EQ(CurvePoints(ss.str()).size(), 50u);
  for (const auto& e : fs::directory_iterator(dir / "nested")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << "leftover temp file";
  }
  fs::remove_all(dir);
  // A directory that cannot be created is an error, not a crash.
  EXPECT_FALSE(WriteReport("/proc/self/n2v_no_such_dir/x", Sample()).ok());
}

// Writes the sample for the headless-browser check (tests/report/render_report.sh).
TEST(ReportSample, WritesSample) {
  const std::string dir = std::string(N2V_BINARY_DIR) + "/report_sample";
  ASSERT_TRUE(WriteReport(dir, Sample()).ok()) << dir;
  std::printf("sample report: %s/report.html\n", dir.c_str());
}

}  // namespace
}  // namespace n2v
