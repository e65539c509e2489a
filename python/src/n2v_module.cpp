// n2v._n2v: the C++ library (n2v/n2v.hpp) as a Python extension module (nanobind). The public
// Python API is python/n2v/__init__.py; this file only moves data and errors across:
//  - the options structs are bound field for field, so Python's defaults are the library's
//    (include/n2v/core/defaults.hpp) and there is one options family for every front door;
//  - the GIL is released while the library works; progress callbacks and the interrupt check take
//    it back on the calling thread (the library calls both on the thread that called it);
//  - Ctrl-C: the library's cancel hook runs Python's signal handlers at most every 20 ms, so
//    KeyboardInterrupt (or whatever a handler raised) stops the run at its next chunk and is
//    re-raised once the library has returned, with nothing written;
//  - absl::Status codes become the Python exceptions a caller expects (ThrowStatus), with the
//    library's one-line message, the one the CLI prints after "n2v: ";
//  - embeddings and walks come back as NumPy arrays that own the library's buffers (no copy).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "n2v/atomic_file.hpp"
#include "n2v/csr_io.hpp"
#include "n2v/edgelist.hpp"
#include "n2v/embeddings_io.hpp"
#include "n2v/export.hpp"
#include "n2v/n2v.hpp"
#include "n2v/report.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace n2v::py {
namespace {

// --- errors -------------------------------------------------------------------------------------

[[noreturn]] void ThrowStatus(const absl::Status& st) {
  PyObject* type = PyExc_RuntimeError;
  switch (st.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      type = PyExc_ValueError;
      break;
    case absl::StatusCode::kNotFound:
      type = PyExc_FileNotFoundError;
      break;
    case absl::StatusCode::kAlreadyExists:
      type = PyExc_FileExistsError;
      break;
    case absl::StatusCode::kPermissionDenied:
      type = PyExc_PermissionError;
      break;
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnavailable:
      type = PyExc_OSError;  // a read or write that failed, or a corrupt file
      break;
    case absl::StatusCode::kResourceExhausted:
      type = PyExc_MemoryError;
      break;
    case absl::StatusCode::kCancelled:
      type = PyExc_KeyboardInterrupt;
      break;
    case absl::StatusCode::kUnimplemented:
      type = PyExc_NotImplementedError;
      break;
    default:
      break;  // FailedPrecondition (an unusable GPU, a checkpoint of another run), Internal
  }
  PyErr_SetString(type, std::string(st.message()).c_str());
  throw nb::python_error();
}

template <typename T>
T Unwrap(absl::StatusOr<T> v) {
  if (!v.ok()) ThrowStatus(v.status());
  return *std::move(v);
}

void Check(const absl::Status& st) {
  if (!st.ok()) ThrowStatus(st);
}

// --- progress and interruption ------------------------------------------------------------------

// The Python side of one library call: a progress callable (or None) and the interrupt check.
// Both run on the thread that made the call (the library promises it), with the GIL taken back.
// An exception from either is kept and re-raised by Finish() once the library has returned.
class Hooks {
 public:
  explicit Hooks(nb::object progress) : progress_(std::move(progress)) {}

  ProgressCallback progress() {
    if (progress_.is_none()) return nullptr;
    return [this](const ProgressEvent& e) { OnProgress(e); };
  }

  CancelCallback cancel() {
    return [this] { return Cancelled(); };
  }

  // With the GIL held, after the call: raises the kept exception, if any.
  void Finish() {
    if (error_) {
      nb::python_error e = std::move(*error_);
      error_.reset();
      throw e;
    }
  }

  // A library status after the call: the kept exception wins over the CancelledError it caused.
  void Check(const absl::Status& st) {
    Finish();
    if (!st.ok()) ThrowStatus(st);
  }

 private:
  static const char* KindName(ProgressEvent::Kind k) {
    switch (k) {
      case ProgressEvent::Kind::kNote: return "note";
      case ProgressEvent::Kind::kStage: return "stage";
      case ProgressEvent::Kind::kProgress: return "progress";
      case ProgressEvent::Kind::kEpoch: return "epoch";
      case ProgressEvent::Kind::kResumed: return "resumed";
    }
    return "note";
  }

  void OnProgress(const ProgressEvent& e) {
    if (error_ || std::this_thread::get_id() != owner_) return;
    nb::gil_scoped_acquire gil;
    try {
      nb::dict d;
      d["kind"] = KindName(e.kind);
      d["epoch"] = e.epoch;
      d["epochs"] = e.epochs;
      d["done"] = e.done;
      d["total"] = e.total;
      d["loss"] = e.loss;
      d["seconds"] = e.seconds;
      d["text"] = e.text;
      progress_(d);
    } catch (nb::python_error& err) {
      error_.emplace(std::move(err));
    }
  }

  bool Cancelled() {
    if (error_) return true;
    if (std::this_thread::get_id() != owner_) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_check_ < std::chrono::milliseconds(20)) return false;
    last_check_ = now;
    nb::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      error_.emplace();  // fetches the exception the handler raised (KeyboardInterrupt)
      return true;
    }
    return false;
  }

  nb::object progress_;
  std::optional<nb::python_error> error_;
  std::chrono::steady_clock::time_point last_check_{};
  std::thread::id owner_ = std::this_thread::get_id();
};

// --- arrays -------------------------------------------------------------------------------------

using F32Matrix = nb::ndarray<nb::numpy, float, nb::ndim<2>>;
using I32Matrix = nb::ndarray<nb::numpy, int32_t, nb::ndim<2>>;
using InF32Matrix = nb::ndarray<const float, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using InI32Vector = nb::ndarray<const int32_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using InF32Vector = nb::ndarray<const float, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

// A NumPy array that owns `v` (moved to the heap; freed when the array is collected).
template <typename T>
nb::ndarray<nb::numpy, T, nb::ndim<2>> Adopt(std::vector<T>&& v, size_t rows, size_t cols) {
  auto* owned = new std::vector<T>(std::move(v));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T, nb::ndim<2>>(owned->data(), {rows, cols}, owner);
}

F32Matrix AdoptEmbeddings(Embeddings&& e) {
  const size_t rows = static_cast<size_t>(e.rows), dim = static_cast<size_t>(e.dim);
  return Adopt(std::move(e.data), rows, dim);
}

Embeddings CopyEmbeddings(const InF32Matrix& a) {
  Embeddings e;
  e.rows = static_cast<int32_t>(a.shape(0));
  e.dim = static_cast<int32_t>(a.shape(1));
  e.data.assign(a.data(), a.data() + a.size());
  return e;
}

// A NumPy view of a table; nanobind's reference_internal makes the array keep the table alive.
F32Matrix TableView(Embeddings& e) {
  return F32Matrix(e.data.data(), {static_cast<size_t>(e.rows), static_cast<size_t>(e.dim)},
                   nb::handle());
}

nb::dict DeviceDict(const DeviceUsed& d) {
  nb::dict r;
  r["cuda"] = d.cuda;
  r["index"] = d.index;
  r["description"] = d.description;
  return r;
}

// --- entry points -------------------------------------------------------------------------------

// --- reports (n2v/report.hpp) -------------------------------------------------------------------

// A report asked for: its options checked before the run (a bad path fails before the work).
void CheckReport(const std::optional<ReportOptions>& r) {
  if (!r) return;
  Check(ValidateReportOptions(*r));
  Check(CheckReportPath(r->path, "report"));
}

// Renders a page (GIL released by the caller) and writes it atomically.
absl::Status WriteReportPage(const absl::StatusOr<std::string>& page, const std::string& path) {
  if (!page.ok()) return page.status();
  return WriteFileAtomic(path, *page);
}

Graph ReadGraphPy(const std::string& path, bool weighted, bool directed) {
  absl::StatusOr<Graph> g;
  {
    nb::gil_scoped_release release;
    g = ReadGraph(path, EdgeListOptions{.weighted = weighted, .directed = directed});
  }
  return Unwrap(std::move(g));
}

Graph GraphFromEdgesPy(int32_t num_nodes, const InI32Vector& src, const InI32Vector& dst,
                       std::optional<InF32Vector> weights, bool directed,
                       std::vector<std::string> names, const std::string& where) {
  std::vector<int32_t> s(src.data(), src.data() + src.size());
  std::vector<int32_t> d(dst.data(), dst.data() + dst.size());
  std::vector<float> w;
  if (weights) w.assign(weights->data(), weights->data() + weights->size());
  absl::StatusOr<Graph> g;
  {
    nb::gil_scoped_release release;
    g = GraphFromEdges(num_nodes, std::move(s), std::move(d), std::move(w), directed,
                       std::move(names), nullptr, where);
  }
  return Unwrap(std::move(g));
}

nb::dict TrainPy(const Graph& g, TrainOptions o, nb::object progress,
                 std::optional<ReportOptions> report, const std::string& input) {
  CheckReport(report);
  Hooks hooks(std::move(progress));
  o.on_progress = hooks.progress();
  o.cancelled = hooks.cancel();
  absl::StatusOr<TrainResult> r;
  absl::Status written;
  {
    nb::gil_scoped_release release;
    r = Train(g, o);
    if (r.ok() && report) {
      written = WriteReportPage(
          RenderTrainReport(g, o, *r, *report, ReportRun{"train", input, {}, {}}), report->path);
    }
  }
  hooks.Check(r.status());
  Check(written);
  nb::dict d;
  d["losses"] = r->losses;
  d["pairs"] = r->pairs;
  d["first_epoch"] = r->first_epoch;
  d["alias_ms"] = r->alias_ms;
  d["walks_ms"] = r->walks_ms;
  d["training_ms"] = r->training_ms;
  d["device"] = DeviceDict(r->device);
  // The table stays a C++ object (most_similar and save read it without a copy); its `array`
  // is a NumPy view that keeps it alive.
  d["table"] = nb::cast(std::move(r->embeddings), nb::rv_policy::move);
  return d;
}

nb::tuple SampleWalksPy(const Graph& g, WalkRunOptions o, nb::object progress,
                        std::optional<std::string> report, const std::string& input) {
  Check(ValidateWalkConfig(o.walk));
  if (report) Check(CheckReportPath(*report, "report"));
  o.collect_stats = report.has_value();
  absl::Status written;
  const uint64_t walks = static_cast<uint64_t>(o.walk.num_walks) * g.num_nodes();
  const uint32_t len = o.walk.length;
  std::vector<int32_t> out;
  Hooks hooks(std::move(progress));
  o.on_progress = hooks.progress();
  o.cancelled = hooks.cancel();
  absl::StatusOr<WalkRunStats> st;
  {
    nb::gil_scoped_release release;
    try {
      out.resize(walks * len);
    } catch (const std::bad_alloc&) {
      st = absl::ResourceExhaustedError(absl::StrCat(
          "walks: ", walks, " walks x ", len, " nodes (", walks * len * 4,
          " bytes) do not fit in memory; sample fewer at a time (num_walks) or write them to a "
          "file with `n2v walk`"));
    }
    if (out.size() == walks * len) {
      st = SampleWalks(g, o, [&](uint64_t first, uint64_t count, const int32_t* w) {
        std::memcpy(out.data() + first * len, w, count * len * sizeof(int32_t));
        return absl::OkStatus();
      });
    }
    if (st.ok() && report) {
      written = WriteReportPage(RenderWalkReport(g, o, *st, ReportRun{"walk", input, {}, {}}),
                                *report);
    }
  }
  hooks.Check(st.status());
  Check(written);
  return nb::make_tuple(Adopt(std::move(out), walks, len), DeviceDict(st->device),
                        st->sample_ms);
}

nb::tuple MostSimilarPy(const Embeddings& e, const std::vector<int32_t>& queries, int k,
                        const std::string& device, int threads) {
  const Device d = Unwrap(Device::Parse(device));
  absl::StatusOr<std::vector<std::vector<Neighbor>>> r;
  {
    nb::gil_scoped_release release;
    r = MostSimilar(e, queries, k, d, threads);
  }
  Check(r.status());
  const size_t cols = r->empty() ? 0 : (*r)[0].size();
  std::vector<int32_t> idx(r->size() * cols);
  std::vector<float> score(r->size() * cols);
  for (size_t i = 0; i < r->size(); ++i) {
    for (size_t j = 0; j < cols; ++j) {
      idx[i * cols + j] = (*r)[i][j].node;
      score[i * cols + j] = (*r)[i][j].score;
    }
  }
  const size_t rows = r->size();
  return nb::make_tuple(Adopt(std::move(idx), rows, cols), Adopt(std::move(score), rows, cols));
}

nb::dict EvaluatePy(const Graph& g, const std::string& input, EvalOptions o, nb::object progress,
                    std::optional<ReportOptions> report) {
  CheckReport(report);
  o.keep_best = report.has_value();
  Hooks hooks(std::move(progress));
  o.train.on_progress = hooks.progress();
  o.train.cancelled = hooks.cancel();
  absl::StatusOr<EvalResult> r;
  absl::Status written;
  {
    nb::gil_scoped_release release;
    r = Evaluate(g, input, o);
    if (r.ok() && report) {
      written = WriteReportPage(
          RenderEvalReport(g, o, *r, *report, ReportRun{"eval", input, {}, {}}), report->path);
    }
  }
  hooks.Check(r.status());
  Check(written);
  const bool link = o.task == EvalTask::kLink;
  nb::list points;
  for (const EvalPoint& p : r->points) {
    nb::dict d;
    d["p"] = p.p;
    d["q"] = p.q;
    d["train_s"] = p.train_s;
    d["final_loss"] = p.final_loss;
    if (link) {
      d["cosine_auc"] = p.link.cosine_auc;
      nb::dict ops;
      for (int op = 0; op < 4; ++op) {
        ops[EdgeOperatorName(static_cast<EdgeOperator>(op))] = p.link.operator_auc[op];
      }
      d["operator_auc"] = ops;
      d["train_pairs"] = p.link.train_pairs;
      d["test_pairs"] = p.link.test_pairs;
    } else {
      d["micro_f1"] = p.node.micro_mean;
      d["micro_f1_std"] = p.node.micro_std;
      d["macro_f1"] = p.node.macro_mean;
      d["macro_f1_std"] = p.node.macro_std;
      d["micro_f1_per_repeat"] = p.node.micro_f1;
      d["macro_f1_per_repeat"] = p.node.macro_f1;
      d["train_nodes"] = p.node.train_nodes;
      d["test_nodes"] = p.node.test_nodes;
    }
    points.append(d);
  }
  nb::dict d;
  d["task"] = std::string(EvalTaskName(o.task));
  d["points"] = points;
  if (link) {
    d["test_edges"] = r->test_edges;
    d["test_non_edges"] = r->test_non_edges;
    d["train_edges"] = r->train_edges;
    d["train_non_edges"] = r->train_non_edges;
    d["candidate_edges"] = r->candidate_edges;
    d["achieved_fraction"] = r->achieved_fraction;
  } else {
    d["labelled_nodes"] = r->labelled_nodes;
    d["unlabelled_nodes"] = r->unlabelled_nodes;
    d["labels"] = r->labels;
    d["skipped_label_lines"] = r->skipped_label_lines;
    d["skipped_label_nodes"] = r->skipped_label_nodes;
  }
  d["device"] = DeviceDict(r->device);
  return d;
}

nb::dict MovieLensPy(MovieLensOptions o, std::optional<std::string> out, nb::object progress) {
  Hooks hooks(std::move(progress));
  o.on_progress = hooks.progress();
  o.cancelled = hooks.cancel();
  absl::StatusOr<MovieLensResult> r;
  absl::Status written;
  {
    nb::gil_scoped_release release;
    const auto t0 = std::chrono::steady_clock::now();
    r = RunMovieLens(o);
    if (r.ok() && out) {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      written = WriteMovieLensOutputs(*r, o, *out, ms);
    }
  }
  hooks.Check(r.status());
  Check(written);
  nb::dict similar;
  for (size_t i = 0; i < r->query_nodes.size(); ++i) {
    nb::list row;
    for (const Neighbor& n : r->similar[i]) {
      row.append(nb::make_tuple(r->titles[n.node], n.score));
    }
    similar[nb::str(r->titles[r->query_nodes[i]].c_str())] = row;
  }
  nb::dict d;
  d["similar"] = similar;
  d["text"] = FormatSimilarMovies(*r);
  d["movie_ids"] = r->graph.names;
  d["titles"] = r->titles;
  d["genres"] = r->genres;
  d["losses"] = r->losses;
  d["walks"] = r->walks;
  d["examples"] = r->examples;
  d["couples"] = r->couples;
  d["nodes"] = r->graph.num_nodes();
  d["edges"] = r->graph.num_edges();
  d["device"] = DeviceDict(r->device);
  nb::dict ms;
  ms["load"] = r->load_ms;
  ms["graph"] = r->graph_ms;
  ms["walks"] = r->walks_ms;
  ms["examples"] = r->examples_ms;
  ms["training"] = r->training_ms;
  ms["similarity"] = r->similarity_ms;
  ms["device_setup"] = r->device_setup_ms;
  d["timings_ms"] = ms;
  d["embeddings"] = AdoptEmbeddings(std::move(r->embeddings));
  return d;
}

void WriteEmbeddingsPy(const std::string& path, const std::string& format, const Embeddings& e,
                       const std::vector<std::string>& keys) {
  const ExportFormat f = Unwrap(ResolveExportFormat(format, path));
  absl::Status st;
  {
    nb::gil_scoped_release release;
    st = WriteEmbeddings(path, f, e, keys);
  }
  Check(st);
}

nb::tuple ReadEmbeddingsPy(const std::string& path) {
  absl::StatusOr<LoadedEmbeddings> t;
  {
    nb::gil_scoped_release release;
    t = ReadEmbeddings(path);
  }
  Check(t.status());
  std::vector<std::string> keys = std::move(t->keys);
  return nb::make_tuple(nb::cast(std::move(t->emb), nb::rv_policy::move), keys);
}

nb::dict ResolveDevicePy(const std::string& spec, int threads) {
  const Device d = Unwrap(Device::Parse(spec));
  std::string note;
  DeviceUsed used = Unwrap(ResolveDevice(d, threads, &note));
  nb::dict r = DeviceDict(used);
  r["note"] = note;
  return r;
}

// Enum fields are strings on the Python side, read and written with the library's Parse/Name.
template <typename C, typename E, typename ParseFn, typename NameFn>
void EnumProperty(nb::class_<C>& c, const char* name, E C::*field, ParseFn parse, NameFn name_of,
                  const char* doc) {
  c.def_prop_rw(
      name, [field, name_of](const C& self) { return std::string(name_of(self.*field)); },
      [field, parse](C& self, const std::string& s) { self.*field = Unwrap(parse(s)); }, doc);
}

template <typename C>
void DeviceProperty(nb::class_<C>& c, Device C::*field) {
  c.def_prop_rw(
      "device", [field](const C& self) { return (self.*field).Name(); },
      [field](C& self, const std::string& s) { self.*field = Unwrap(Device::Parse(s)); },
      "'auto', 'cpu', 'cuda' or 'cuda:N'");
}

}  // namespace
}  // namespace n2v::py

NB_MODULE(_n2v, m) {
  using namespace n2v;
  using namespace n2v::py;
  m.doc() = "n2v's C++ library (n2v/n2v.hpp). Use the package n2v, not this module.";
  m.attr("__version__") = N2V_VERSION;
#ifdef N2V_WITH_CUDA
  m.attr("with_cuda") = true;
#else
  m.attr("with_cuda") = false;
#endif

  nb::class_<Graph>(m, "Graph", "A graph in compressed sparse rows, with a name per node.")
      .def_prop_ro("num_nodes", &Graph::num_nodes)
      .def_prop_ro("num_edges", &Graph::num_edges, "Edges as users count them (undirected: once).")
      .def_prop_ro("num_edge_slots", &Graph::num_edge_slots)
      .def_prop_ro("directed", [](const Graph& g) { return g.directed; })
      .def_prop_ro("names", [](const Graph& g) { return g.names; }, "The name of every node.")
      .def_prop_ro(
          "degrees",
          [](const Graph& g) {
            std::vector<int64_t> d(static_cast<size_t>(g.num_nodes()));
            for (int32_t v = 0; v < g.num_nodes(); ++v) d[v] = g.offsets[v + 1] - g.offsets[v];
            auto* owned = new std::vector<int64_t>(std::move(d));
            nb::capsule owner(owned, [](void* p) noexcept {
              delete static_cast<std::vector<int64_t>*>(p);
            });
            return nb::ndarray<nb::numpy, int64_t, nb::ndim<1>>(owned->data(), {owned->size()},
                                                                owner);
          },
          // A property's getter defaults to reference_internal, which nanobind refuses for an
          // array that already has an owner (the capsule): reading the property raised.
          nb::rv_policy::automatic, "Row lengths (out-degrees) as an int64 array.")
      .def(
          "save_csr", [](const Graph& g, const std::string& path) { Check(WriteCsr(path, g)); },
          "path"_a, "Writes the graph as n2v's CSR file (what `n2v graph` writes).");

  nb::class_<Embeddings>(m, "Embeddings", "An embedding table: one float32 row per node.")
      .def_prop_ro("rows", [](const Embeddings& e) { return e.rows; })
      .def_prop_ro("dim", [](const Embeddings& e) { return e.dim; })
      .def_prop_ro("array", &TableView, nb::rv_policy::reference_internal,
                   "The table as a (rows, dim) float32 NumPy array, a view (no copy).")
      .def_static(
          "from_array", [](const InF32Matrix& a) { return CopyEmbeddings(a); }, "array"_a,
          "A table holding a copy of a C-contiguous (rows, dim) float32 array.");

  nb::class_<ReportOptions>(m, "ReportOptions")
      .def(nb::init<>())
      .def_rw("path", &ReportOptions::path)
      .def_rw("max_points", &ReportOptions::max_points)
      .def_rw("hubs", &ReportOptions::hubs)
      .def_rw("neighbors", &ReportOptions::neighbors)
      .def_rw("labels", &ReportOptions::labels)
      .def("validate", [](const ReportOptions& o) { Check(ValidateReportOptions(o)); });

  nb::class_<WalkConfig>(m, "WalkConfig")
      .def(nb::init<>())
      .def_rw("p", &WalkConfig::p)
      .def_rw("q", &WalkConfig::q)
      .def_rw("length", &WalkConfig::length)
      .def_rw("num_walks", &WalkConfig::num_walks);

  auto model = nb::class_<ModelConfig>(m, "ModelConfig")
                   .def(nb::init<>())
                   .def_rw("dim", &ModelConfig::dim)
                   .def_rw("window", &ModelConfig::window)
                   .def_rw("epochs", &ModelConfig::epochs)
                   .def_rw("negatives", &ModelConfig::negatives)
                   .def_rw("lr", &ModelConfig::lr)
                   .def_rw("batch", &ModelConfig::batch)
                   .def_rw("l2", &ModelConfig::l2)
                   .def_rw("sample", &ModelConfig::sample)
                   .def_rw("shared_negatives", &ModelConfig::shared_negatives)
                   .def("effective_lr", &ModelConfig::EffectiveLr);
  EnumProperty(model, "optimizer", &ModelConfig::optimizer, ParseOptimizer, OptimizerName,
               "'sgd' or 'adam'");
  EnumProperty(model, "embedding", &ModelConfig::embedding, ParseEmbeddingTable,
               EmbeddingTableName, "'input+output' or 'input'");

  nb::class_<CheckpointConfig>(m, "CheckpointConfig")
      .def(nb::init<>())
      .def_rw("every", &CheckpointConfig::every)
      .def_rw("dir", &CheckpointConfig::dir)
      .def_rw("resume", &CheckpointConfig::resume);

  auto train = nb::class_<TrainOptions>(m, "TrainOptions")
                   .def(nb::init<>())
                   .def_rw("walk", &TrainOptions::walk)
                   .def_rw("model", &TrainOptions::model)
                   .def_rw("threads", &TrainOptions::threads)
                   .def_rw("seed", &TrainOptions::seed)
                   .def_rw("checkpoint", &TrainOptions::checkpoint)
                   .def("validate", [](const TrainOptions& o) { Check(ValidateTrainOptions(o)); });
  DeviceProperty(train, &TrainOptions::device);

  auto walk = nb::class_<WalkRunOptions>(m, "WalkRunOptions")
                  .def(nb::init<>())
                  .def_rw("walk", &WalkRunOptions::walk)
                  .def_rw("threads", &WalkRunOptions::threads)
                  .def_rw("seed", &WalkRunOptions::seed)
                  .def_rw("chunk_walks", &WalkRunOptions::chunk_walks);
  DeviceProperty(walk, &WalkRunOptions::device);

  auto eval = nb::class_<EvalOptions>(m, "EvalOptions")
                  .def(nb::init<>())
                  .def_rw("train", &EvalOptions::train)
                  .def_rw("p", &EvalOptions::p)
                  .def_rw("q", &EvalOptions::q)
                  .def_rw("test_fraction", &EvalOptions::test_fraction)
                  .def_rw("labels", &EvalOptions::labels)
                  .def_rw("skip_unknown_labels", &EvalOptions::skip_unknown_labels)
                  .def_rw("train_fraction", &EvalOptions::train_fraction)
                  .def_rw("repeats", &EvalOptions::repeats)
                  .def_rw("c", &EvalOptions::c)
                  .def_rw("embeddings", &EvalOptions::embeddings)
                  .def_rw("residual_out", &EvalOptions::residual_out)
                  .def("validate", [](const EvalOptions& o) { Check(ValidateEvalOptions(o)); });
  EnumProperty(eval, "task", &EvalOptions::task, ParseEvalTask, EvalTaskName, "'link' or 'node'");

  auto ml = nb::class_<MovieLensOptions>(m, "MovieLensOptions")
                .def(nb::init<>())
                .def_rw("data", &MovieLensOptions::data)
                .def_rw("min_rating", &MovieLensOptions::min_rating)
                .def_rw("min_weight", &MovieLensOptions::min_weight)
                .def_rw("p", &MovieLensOptions::p)
                .def_rw("q", &MovieLensOptions::q)
                .def_rw("num_walks", &MovieLensOptions::num_walks)
                .def_rw("num_steps", &MovieLensOptions::num_steps)
                .def_rw("window", &MovieLensOptions::window)
                .def_rw("negatives", &MovieLensOptions::negatives)
                .def_rw("dim", &MovieLensOptions::dim)
                .def_rw("epochs", &MovieLensOptions::epochs)
                .def_rw("batch", &MovieLensOptions::batch)
                .def_rw("lr", &MovieLensOptions::lr)
                .def_rw("l2", &MovieLensOptions::l2)
                .def_rw("k", &MovieLensOptions::k)
                .def_rw("queries", &MovieLensOptions::queries)
                .def_rw("threads", &MovieLensOptions::threads)
                .def_rw("seed", &MovieLensOptions::seed)
                .def_rw("report", &MovieLensOptions::report)
                .def("validate",
                     [](const MovieLensOptions& o) { Check(ValidateMovieLensOptions(o)); });
  DeviceProperty(ml, &MovieLensOptions::device);

  m.def("read_graph", &ReadGraphPy, "path"_a, "weighted"_a = false, "directed"_a = false,
        "Reads an edge list (plain or gzip) or n2v's CSR file.");
  m.def("graph_from_edges", &GraphFromEdgesPy, "num_nodes"_a, "src"_a, "dst"_a,
        "weights"_a.none(), "directed"_a, "names"_a, "where"_a,
        "A graph from dense ids in [0, num_nodes), the edge-list reader's rules.");
  m.def(
      "check_graph_has_edges",
      [](const Graph& g, const std::string& input) { Check(CheckGraphHasEdges(g, input)); },
      "graph"_a, "input"_a, "ValueError when walks cannot run on the graph (no nodes or edges).");
  m.def("train", &TrainPy, "graph"_a, "options"_a, "progress"_a.none(), "report"_a.none(),
        "input"_a, "Embeddings of every node (n2v::Train), and the run's HTML report if asked.");
  m.def("sample_walks", &SampleWalksPy, "graph"_a, "options"_a, "progress"_a.none(),
        "report"_a.none(), "input"_a,
        "Every walk (n2v::SampleWalks) as a (walks, length) int32 array, -1 after an early end.");
  m.def("most_similar", &MostSimilarPy, "embeddings"_a, "queries"_a, "k"_a, "device"_a,
        "threads"_a, "Top-k cosine rows of each query row, the query included (n2v::MostSimilar).");
  m.def("evaluate", &EvaluatePy, "graph"_a, "input"_a, "options"_a, "progress"_a.none(),
        "report"_a.none(), "Link prediction or node classification (n2v::Evaluate).");
  m.def("movielens", &MovieLensPy, "options"_a, "out"_a.none(), "progress"_a.none(),
        "The Keras example's job (n2v::RunMovieLens), its outputs written to `out` if given.");
  m.def("write_embeddings", &WriteEmbeddingsPy, "path"_a, "format"_a, "embeddings"_a, "keys"_a,
        "Writes embeddings atomically as word2vec text/binary, .npy + ids, or projector TSV "
        "(format 'auto': by the path's extension, as n2v train).");
  m.def("read_embeddings", &ReadEmbeddingsPy, "path"_a,
        "Reads word2vec text/binary or .npy embeddings: (Embeddings, keys).");
  m.def("resolve_device", &ResolveDevicePy, "spec"_a, "threads"_a = 0,
        "The device a run with `device=spec` would use, with the reason for a CPU fallback.");
}
