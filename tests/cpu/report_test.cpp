// Tests of report.html / loss.svg: escaping, one loss point per epoch inside the viewBox, no
// network references, degenerate inputs. ReportSample.WritesSample also writes a MovieLens-like
// sample into <build>/report_sample/ for tests/report/render_report.sh (headless Chromium).
#include "n2v/report.hpp"

#include <algorithm>
#include <numeric>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "n2v/synth.hpp"

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
  EXPECT_EQ(doc.find("<script src"), std::string::npos);
  EXPECT_EQ(doc.find("fetch("), std::string::npos);
  EXPECT_EQ(doc.find("XMLHttpRequest"), std::string::npos);
  EXPECT_EQ(doc.find("import("), std::string::npos);
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

// --- the embedding map, the command pages ---

// Rows a·u + b·v + noise in 8 dimensions, var(a) = 9, var(b) = 1: PCA finds u then v.
Embeddings TwoDirections(int rows, std::vector<double>* a_out) {
  Embeddings e;
  e.rows = rows;
  e.dim = 8;
  e.data.resize(static_cast<size_t>(rows) * 8);
  const double u[8] = {0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0};
  const double v[8] = {0, 0, 0, 0, 0.5, -0.5, 0.5, -0.5};
  for (int r = 0; r < rows; ++r) {
    const double a = 3 * std::sin(r * 0.77) * std::sqrt(2.0), b = std::cos(r * 1.91) * std::sqrt(2.0);
    if (a_out) a_out->push_back(a);
    for (int j = 0; j < 8; ++j) {
      e.data[static_cast<size_t>(r) * 8 + j] =
          static_cast<float>(5 + a * u[j] + b * v[j] + 0.01 * std::sin(r * 0.1 + j));
    }
  }
  return e;
}

TEST(EmbeddingMap, PcaFindsTheTwoDirectionsInOrder) {
  std::vector<double> a;
  const Embeddings e = TwoDirections(2000, &a);
  auto m = ProjectEmbeddings(e, 100000, 1, 2);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->shown.size(), 2000u);
  EXPECT_EQ(m->rows, 2000);
  EXPECT_NEAR(m->variance[0], 0.9, 0.02);
  EXPECT_NEAR(m->variance[1], 0.1, 0.02);
  // x is a (centred), up to its sign: correlation 1.
  double sxa = 0, sxx = 0, saa = 0, mx = 0, ma = 0;
  for (size_t i = 0; i < a.size(); ++i) mx += m->x[i] / a.size(), ma += a[i] / a.size();
  for (size_t i = 0; i < a.size(); ++i) {
    sxa += (m->x[i] - mx) * (a[i] - ma), sxx += (m->x[i] - mx) * (m->x[i] - mx), saa += (a[i] - ma) * (a[i] - ma);
  }
  EXPECT_GT(std::abs(sxa) / std::sqrt(sxx * saa), 0.999);
  EXPECT_FALSE(ProjectEmbeddings(Embeddings{}, 10, 1).ok());
  EXPECT_FALSE(ProjectEmbeddings(e, 0, 1).ok());
}

TEST(EmbeddingMap, SamplesBeyondMaxPointsUniformlyAndReproducibly) {
  const Embeddings e = TwoDirections(5000, nullptr);
  auto m = ProjectEmbeddings(e, 300, 7, 2);
  auto again = ProjectEmbeddings(e, 300, 7, 1);
  auto other = ProjectEmbeddings(e, 300, 8, 2);
  ASSERT_TRUE(m.ok() && again.ok() && other.ok());
  ASSERT_EQ(m->shown.size(), 300u);
  EXPECT_EQ(m->rows, 5000);
  EXPECT_TRUE(std::is_sorted(m->shown.begin(), m->shown.end()));
  EXPECT_EQ(std::adjacent_find(m->shown.begin(), m->shown.end()), m->shown.end()) << "distinct rows";
  EXPECT_EQ(m->shown, again->shown) << "the same seed, any thread count: the same sample";
  EXPECT_NE(m->shown, other->shown);
  // Uniform: each fifth of the rows holds about a fifth of the sample.
  int low = 0;
  for (int32_t r : m->shown) low += r < 1000;
  EXPECT_GT(low, 30);
  EXPECT_LT(low, 90);
  // The page says it sampled, and draws exactly the sample.
  ReportData d;
  d.map = *m;
  std::vector<std::string> names(5000);
  for (int i = 0; i < 5000; ++i) names[i] = "n" + std::to_string(i);
  Graph g;
  g.offsets.assign(5001, 0);
  g.names = names;
  ColourByDegree(&d.map, g.view(), g.names);
  const std::string html = RenderReportHtml(d);
  EXPECT_NE(html.find("id=\"map-sampled\""), std::string::npos);
  EXPECT_NE(html.find("data-expected=\"300\""), std::string::npos);
  EXPECT_NE(html.find("300 of the 5000 nodes are drawn"), std::string::npos);
  ExpectNoNetwork(html);
}

TEST(EmbeddingMap, OnlyTheCandidateRowsAreDrawn) {
  const Embeddings e = TwoDirections(1000, nullptr);
  std::vector<int32_t> even;
  for (int32_t r = 0; r < 1000; r += 2) even.push_back(r);
  auto all = ProjectEmbeddings(e, 100000, 1, 2, even);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->shown, even);
  EXPECT_EQ(all->rows, 500);
  EXPECT_EQ(all->left_out, 500);
  auto some = ProjectEmbeddings(e, 50, 1, 2, even);
  ASSERT_TRUE(some.ok());
  ASSERT_EQ(some->shown.size(), 50u);
  for (int32_t r : some->shown) EXPECT_EQ(r % 2, 0) << r;
  EXPECT_FALSE(ProjectEmbeddings(e, 10, 1, 2, {5, 1000}).ok()) << "a row outside the table";
}

TEST(EmbeddingMap, CategoriesByFrequencyAndNamesCannotCloseTheScript) {
  const Embeddings e = TwoDirections(40, nullptr);
  auto m = ProjectEmbeddings(e, 100, 1);
  ASSERT_TRUE(m.ok());
  Graph g;
  g.offsets.assign(41, 0);
  for (int i = 0; i < 40; ++i) g.names.push_back(i == 3 ? "</script><b>x</b>" : "v" + std::to_string(i));
  ColourByDegree(&*m, g.view(), g.names);
  std::vector<int32_t> cat(40, -1);
  for (int i = 0; i < 30; ++i) cat[i] = i < 20 ? 1 : 0;  // "b" 20 nodes, "a" 10, 10 without
  ColourByCategory(&*m, cat, {"a", "b", "unused"}, "label");
  ASSERT_EQ(m->categories, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(m->category[0], 0);
  EXPECT_EQ(m->category[25], 1);
  EXPECT_EQ(m->category[35], -1);
  ReportData d;
  d.map = *m;
  const std::string html = RenderReportHtml(d);
  EXPECT_EQ(html.find("</script><b>"), std::string::npos);
  EXPECT_NE(html.find("<\\/script><b>x<\\/b>"), std::string::npos);
  EXPECT_NE(html.find("b (20)"), std::string::npos);
  EXPECT_NE(html.find("none (10)"), std::string::npos);
}

TEST(Report, HeatMapHasACellPerGridPointAndMetric) {
  ReportData d;
  for (const char* metric : {"cosine AUC", "hadamard AUC"}) {
    ReportData::Heatmap h;
    h.metric = metric;
    h.p = {0.25, 1, 4};
    h.q = {0.5, 2};
    h.value = {0.7, 0.71, 0.72, 0.8, NAN, 0.65};
    d.heatmaps.push_back(h);
  }
  const std::string html = RenderReportHtml(d);
  size_t cells = 0;
  for (size_t at = 0; (at = html.find("class=\"heat-cell\"", at)) != std::string::npos; ++at) ++cells;
  EXPECT_EQ(cells, 2u * 3 * 2);
  EXPECT_NE(html.find("data-p=\"1\" data-q=\"2\" data-value=\"0.8\""), std::string::npos);
  EXPECT_NE(html.find("data-p=\"4\" data-q=\"0.5\" data-value=\"\""), std::string::npos)
      << "a point without a value is an empty cell";
  EXPECT_EQ(html.find("nan"), std::string::npos);
  EXPECT_EQ(html.find("id=\"loss\""), std::string::npos) << "an eval page has no loss card";
}

TEST(Report, CheckReportPathNamesTheFileAndWhatIsExpected) {
  EXPECT_TRUE(CheckReportPath("report.html", "--report").ok());
  const absl::Status missing = CheckReportPath("/nonexistent-dir/r.html", "--report");
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("--report /nonexistent-dir/r.html: expected a file in an existing directory"),
            std::string::npos) << missing;
  const absl::Status dir = CheckReportPath(fs::temp_directory_path().string(), "--report");
  EXPECT_NE(dir.message().find("got a directory"), std::string::npos) << dir;
  EXPECT_FALSE(CheckReportPath("/proc/self/r.html", "--report").ok()) << "not writable";
}

Graph SmallGraph() {
  SynthGraphOptions o;
  o.model = SynthModel::kPlod;
  o.nodes = 300;
  o.edges = 1500;
  o.directed = true;
  o.seed = 5;
  auto g = SynthGraph(o);
  EXPECT_TRUE(g.ok()) << g.status();
  return std::move(*g);
}

TEST(CommandReports, TrainPageHasTheMapTraceAndHubs) {
  const Graph g = SmallGraph();
  TrainOptions o;
  o.walk.length = 10;
  o.walk.num_walks = 2;
  o.model.dim = 8;
  o.model.epochs = 2;
  o.threads = 2;
  o.device = Device::Cpu();
  auto r = Train(g, o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->trace.size(), 2u);
  EXPECT_TRUE(r->trace.back().epoch_end);
  EXPECT_EQ(r->trace.back().pairs, r->pairs);
  EXPECT_EQ(r->trace.back().loss, r->losses.back());
  for (size_t i = 1; i < r->trace.size(); ++i) {
    EXPECT_GE(r->trace[i].centres, r->trace[i - 1].centres);
    EXPECT_LE(r->trace[i].lr, r->trace[i - 1].lr) << "the learning rate only decays";
  }
  ReportOptions ro;
  ro.hubs = 3;
  ro.neighbors = 4;
  auto html = RenderTrainReport(g, o, *r, ro, ReportRun{"train", "g.edges", {}, {{"load", 1.0}}});
  ASSERT_TRUE(html.ok()) << html.status();
  // Every node with an edge is drawn; a node without one (never trained) is left out, and said so.
  const GraphStats gs = ComputeGraphStats(g);
  EXPECT_NE(html->find(absl::StrCat("data-expected=\"", 300 - gs.isolated_nodes, "\"")), std::string::npos);
  if (gs.isolated_nodes > 0) {
    EXPECT_NE(html->find(absl::StrCat("Left out: ", gs.isolated_nodes, " nodes without any edge")),
              std::string::npos);
  }
  EXPECT_NE(html->find("id=\"trace-loss-pairs\""), std::string::npos);
  EXPECT_NE(html->find("id=\"trace-loss-time\""), std::string::npos);
  EXPECT_EQ(CurvePoints(*html).size(), 2u);
  size_t hubs = 0;
  for (size_t at = 0; (at = html->find("(degree ", at)) != std::string::npos; ++at) ++hubs;
  EXPECT_EQ(hubs, 3u);
  ExpectNoNetwork(*html);
  // A labels file that does not exist is an error naming it, not a page.
  ro.labels = "/nonexistent/labels.txt";
  auto bad = RenderTrainReport(g, o, *r, ro, ReportRun{"train", "g.edges", {}, {}});
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/nonexistent/labels.txt"), std::string::npos) << bad.status();
}

TEST(CommandReports, WalkPageCountsEveryVisitAndEarlyEnd) {
  const Graph g = SmallGraph();
  WalkRunOptions o;
  o.walk.length = 12;
  o.walk.num_walks = 3;
  o.threads = 2;
  o.device = Device::Cpu();
  o.collect_stats = true;
  o.chunk_walks = 100;  // several chunks
  uint64_t tokens = 0, early = 0;
  auto s = SampleWalks(g, o, [&](uint64_t, uint64_t count, const int32_t* w) {
    for (uint64_t i = 0; i < count; ++i) {
      uint32_t n = 0;
      while (n < o.walk.length && w[i * o.walk.length + n] >= 0) ++n;
      tokens += n;
      early += n < o.walk.length;
    }
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->visits.size(), 300u);
  ASSERT_EQ(s->length_counts.size(), 13u);
  EXPECT_EQ(std::accumulate(s->visits.begin(), s->visits.end(), uint64_t{0}), tokens);
  EXPECT_EQ(std::accumulate(s->length_counts.begin(), s->length_counts.end(), uint64_t{0}), s->walks);
  EXPECT_EQ(s->walks - s->length_counts[12], early);
  EXPECT_GT(early, 0u) << "a directed power-law graph has sinks";
  auto html = RenderWalkReport(g, o, *s, ReportRun{"walk", "g.edges", {}, {}});
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_NE(html->find("id=\"visit-frequency\""), std::string::npos);
  EXPECT_NE(html->find("id=\"walk-lengths\""), std::string::npos);
  EXPECT_NE(html->find(absl::StrCat(early, " of ", s->walks, " walks")), std::string::npos);
  EXPECT_EQ(html->find("id=\"embedding-map\""), std::string::npos) << "walks have no embeddings";
  EXPECT_NE(html->find("trains no embeddings"), std::string::npos);
  // Without the counts there is no page.
  o.collect_stats = false;
  WalkRunStats none = *s;
  none.visits.clear();
  EXPECT_FALSE(RenderWalkReport(g, o, none, ReportRun{}).ok());
}

// Writes the sample for the headless-browser check (tests/report/render_report.sh).
TEST(ReportSample, WritesSample) {
  const std::string dir = std::string(N2V_BINARY_DIR) + "/report_sample";
  ASSERT_TRUE(WriteReport(dir, Sample()).ok()) << dir;
  std::printf("sample report: %s/report.html\n", dir.c_str());
}

}  // namespace
}  // namespace n2v
