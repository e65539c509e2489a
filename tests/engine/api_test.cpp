// The library's entry points (n2v.hpp, engine/): n2v::Train and n2v::SampleWalks against the
// backend calls they dispatch to, the options family's parsing and validation, progress events
// and cancellation. CPU device only: the GPU's twins are held to these in tests/cuda/.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "../synth_test_graph.hpp"
#include "gtest/gtest.h"
#include "n2v/n2v.hpp"
#include "n2v/synth.hpp"
#include "n2v/word2vec.hpp"

namespace n2v {
namespace {

Graph TestGraph(int64_t nodes = 300, int64_t edges = 1500, bool weighted = true) {
  return testing::SynthTestGraph({.model = SynthModel::kRmat, .nodes = nodes, .edges = edges,
                                  .weighted = weighted, .seed = 7});
}

TrainOptions SmallRun() {
  TrainOptions o;
  o.walk.p = 0.5;
  o.walk.q = 2;
  o.walk.length = 12;
  o.walk.num_walks = 2;
  o.model.dim = 16;
  o.model.window = 3;
  o.model.epochs = 2;
  o.device = Device::Cpu();
  o.threads = 1;
  o.seed = 11;
  return o;
}

TEST(Options, DefaultsAreNode2vecs) {
  const TrainOptions o;
  EXPECT_EQ(o.walk.p, 1.0);
  EXPECT_EQ(o.walk.q, 1.0);
  EXPECT_EQ(o.walk.length, 80u);
  EXPECT_EQ(o.walk.num_walks, 10u);
  EXPECT_EQ(o.model.dim, 128);
  EXPECT_EQ(o.model.window, 10u);
  EXPECT_EQ(o.model.negatives, 5u);
  EXPECT_EQ(o.model.epochs, 1);
  EXPECT_EQ(o.model.optimizer, Optimizer::kSgd);
  EXPECT_EQ(o.device, Device::Auto());
  EXPECT_EQ(o.threads, 0);
  EXPECT_FLOAT_EQ(static_cast<float>(o.model.EffectiveLr()), 0.025f);
  ModelConfig adam;
  adam.optimizer = Optimizer::kAdam;
  EXPECT_FLOAT_EQ(static_cast<float>(adam.EffectiveLr()), 0.001f);
}

TEST(Options, DeviceParseAndName) {
  for (const char* s : {"auto", "cpu", "cuda:0", "cuda:3"}) {
    auto d = Device::Parse(s);
    ASSERT_TRUE(d.ok()) << s;
    EXPECT_EQ(d->Name(), s);
  }
  EXPECT_EQ(*Device::Parse("cuda"), Device::Cuda(0));
  for (const char* s : {"", "gpu", "cuda:", "cuda:-1", "cuda:1x", "CPU"}) {
    auto d = Device::Parse(s);
    ASSERT_FALSE(d.ok()) << s;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(d.status().message().find("--device: expected auto, cpu, cuda or cuda:N"),
              absl::string_view::npos);
  }
}

TEST(Options, EnumsRoundTrip) {
  for (Optimizer o : {Optimizer::kSgd, Optimizer::kAdam}) {
    EXPECT_EQ(*ParseOptimizer(OptimizerName(o)), o);
  }
  for (EmbeddingTable t : {EmbeddingTable::kInputPlusOutput, EmbeddingTable::kInput}) {
    EXPECT_EQ(*ParseEmbeddingTable(EmbeddingTableName(t)), t);
  }
  EXPECT_FALSE(ParseOptimizer("adagrad").ok());
  EXPECT_FALSE(ParseEmbeddingTable("output").ok());
}

TEST(Options, ValidationNamesTheFlag) {
  struct Case {
    void (*set)(TrainOptions&);
    const char* flag;
  };
  const Case cases[] = {
      {[](TrainOptions& o) { o.walk.p = 0; }, "--p"},
      {[](TrainOptions& o) { o.walk.q = -1; }, "--q"},
      {[](TrainOptions& o) { o.walk.length = 1; }, "--walk-length"},
      {[](TrainOptions& o) { o.walk.num_walks = 0; }, "--num-walks"},
      {[](TrainOptions& o) { o.model.dim = 1025; }, "--dimensions"},
      {[](TrainOptions& o) { o.model.window = 0; }, "--window-size"},
      {[](TrainOptions& o) { o.model.epochs = 0; }, "--epochs"},
      {[](TrainOptions& o) { o.model.lr = 0; }, "--lr"},
      {[](TrainOptions& o) { o.threads = -2; }, "--threads"},
      {[](TrainOptions& o) { o.checkpoint.every = 1; }, "--checkpoint-dir"},
      {[](TrainOptions& o) {
         o.model.optimizer = Optimizer::kAdam;
         o.checkpoint.resume = "x";
       },
       "--checkpoint-every/--resume"},
  };
  for (const Case& c : cases) {
    TrainOptions o = SmallRun();
    c.set(o);
    const absl::Status st = ValidateTrainOptions(o);
    ASSERT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.flag;
    EXPECT_EQ(st.message().substr(0, std::string_view(c.flag).size()), c.flag) << st;
    auto r = Train(TestGraph(50, 100), o);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.flag;
  }
}

TEST(Train, RefusesGraphsWithoutEdges) {
  Graph g;
  g.offsets = {0, 0, 0};
  g.names = {"a", "b"};
  auto r = Train(g, SmallRun());
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("no edges"), absl::string_view::npos);
  EXPECT_EQ(Train(Graph{}, SmallRun()).status().code(), absl::StatusCode::kInvalidArgument);
}

// Train(sgd, cpu, one thread) is cpu::TrainSgdOnGraph with the tables summed (or not).
TEST(Train, SgdEqualsTheBackendCall) {
  const Graph g = TestGraph();
  for (EmbeddingTable table : {EmbeddingTable::kInputPlusOutput, EmbeddingTable::kInput}) {
    TrainOptions o = SmallRun();
    o.model.embedding = table;
    auto r = Train(g, o);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->device.cuda);

    WalkOptions wo;
    wo.p = o.walk.p;
    wo.q = o.walk.q;
    wo.length = o.walk.length;
    wo.num_walks = o.walk.num_walks;
    wo.seed = o.seed;
    SgdTrainOptions so;
    so.dim = o.model.dim;
    so.epochs = o.model.epochs;
    so.window = o.model.window;
    so.negatives = o.model.negatives;
    so.seed = o.seed;
    const AliasTables alias = BuildAliasTables(g.view(), 1);
    SgdState state;
    auto stats = cpu::TrainSgdOnGraph(g.view(), alias.view(), MakeWalkParams(wo),
                                      uint64_t{o.walk.num_walks} * g.num_nodes(), so, 1, &state);
    ASSERT_TRUE(stats.ok()) << stats.status();
    std::vector<float> want = state.input.data;
    if (table == EmbeddingTable::kInputPlusOutput) {
      for (size_t i = 0; i < want.size(); ++i) want[i] += state.output.data[i];
    }
    ASSERT_EQ(r->embeddings.rows, g.num_nodes());
    ASSERT_EQ(r->embeddings.dim, o.model.dim);
    EXPECT_EQ(r->embeddings.data, want);
    EXPECT_EQ(r->losses, stats->losses);
    EXPECT_EQ(r->pairs, stats->pairs);
  }
}

TEST(Train, AdamRegimeRuns) {
  TrainOptions o = SmallRun();
  o.model.optimizer = Optimizer::kAdam;
  o.model.batch = 64;
  o.model.epochs = 3;
  std::vector<ProgressEvent> epochs;
  o.on_progress = [&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kEpoch) epochs.push_back(e);
  };
  auto r = Train(TestGraph(), o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->losses.size(), 3u);
  ASSERT_EQ(epochs.size(), 3u);
  for (int e = 0; e < 3; ++e) {
    EXPECT_EQ(epochs[e].epoch, e + 1);
    EXPECT_EQ(epochs[e].epochs, 3);
    EXPECT_EQ(epochs[e].loss, r->losses[e]);
  }
  EXPECT_LT(r->losses.back(), r->losses.front());
}

TEST(Train, ProgressAndCancellation) {
  const Graph g = TestGraph(2000, 20000);
  TrainOptions o = SmallRun();
  o.walk.length = 40;
  o.walk.num_walks = 4;
  o.threads = 2;
  uint64_t last_done = 0, total = 0;
  int progress = 0;
  o.on_progress = [&](const ProgressEvent& e) {
    if (e.kind != ProgressEvent::Kind::kProgress) return;
    EXPECT_GE(e.done, last_done);
    last_done = e.done;
    total = e.total;
    ++progress;
  };
  ASSERT_TRUE(Train(g, o).ok());
  EXPECT_GT(progress, 10);
  EXPECT_EQ(last_done, total);
  EXPECT_EQ(total, uint64_t{2} * 4 * 40 * g.num_nodes());

  // Cancelled after the first progress report: CancelledError, long before the end.
  std::atomic<bool> stop{false};
  last_done = 0;
  o.on_progress = [&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kProgress) {
      last_done = e.done;
      stop = true;
    }
  };
  o.cancelled = [&] { return stop.load(); };
  auto r = Train(g, o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled) << r.status();
  EXPECT_LT(last_done, total / 2);
}

// Walks through the sink, concatenated, are cpu::SampleWalks's, for any chunk size; the default
// CPU chunk is about 2^20 positions (the precedence bug of `1u << 20 / len` gave 4096 walks).
TEST(SampleWalks, SinkGetsEveryWalkInOrder) {
  const Graph g = TestGraph();
  WalkRunOptions o;
  o.walk.p = 0.25;
  o.walk.q = 4;
  o.walk.length = 9;
  o.walk.num_walks = 3;
  o.device = Device::Cpu();
  o.threads = 2;
  o.seed = 5;
  const uint64_t n = uint64_t{3} * g.num_nodes();
  WalkOptions wo;
  wo.p = o.walk.p;
  wo.q = o.walk.q;
  wo.length = o.walk.length;
  wo.num_walks = o.walk.num_walks;
  wo.seed = o.seed;
  const AliasTables alias = BuildAliasTables(g.view(), 1);
  std::vector<int32_t> want(n * o.walk.length);
  cpu::SampleWalks(g.view(), alias.view(), MakeWalkParams(wo), 0, n, want.data(), 1);
  for (uint64_t chunk : {uint64_t{0}, uint64_t{1}, uint64_t{7}, n - 1, n, n + 5}) {
    o.chunk_walks = chunk;
    std::vector<int32_t> got;
    uint64_t next = 0;
    auto st = SampleWalks(g, o, [&](uint64_t first, uint64_t count, const int32_t* w) {
      EXPECT_EQ(first, next);
      if (chunk > 0) {
        EXPECT_LE(count, chunk);
      }
      next += count;
      got.insert(got.end(), w, w + count * o.walk.length);
      return absl::OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st.status();
    EXPECT_EQ(st->walks, n);
    EXPECT_EQ(got, want) << "chunk " << chunk;
  }
  EXPECT_EQ(DefaultWalkChunk(9), (uint64_t{1} << 20) / 9);
  EXPECT_EQ(DefaultWalkChunk(80), (uint64_t{1} << 20) / 80);
  EXPECT_EQ(DefaultWalkChunk(1000), 4096u);
}

TEST(SampleWalks, SinkErrorsAndCancellationStop) {
  const Graph g = TestGraph();
  WalkRunOptions o;
  o.walk.length = 5;
  o.device = Device::Cpu();
  o.chunk_walks = 10;
  int calls = 0;
  auto st = SampleWalks(g, o, [&](uint64_t, uint64_t, const int32_t*) {
    ++calls;
    return absl::DataLossError("disk full");
  });
  EXPECT_EQ(st.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(calls, 1);
  calls = 0;
  o.cancelled = [&] { return calls >= 2; };
  st = SampleWalks(g, o, [&](uint64_t, uint64_t, const int32_t*) {
    ++calls;
    return absl::OkStatus();
  });
  EXPECT_EQ(st.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(calls, 2);
  o.walk.p = -1;
  EXPECT_EQ(SampleWalks(g, o, [](uint64_t, uint64_t, const int32_t*) { return absl::OkStatus(); })
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// Every query's neighbours equal, node and score, in order.
void ExpectSameNeighbors(const std::vector<std::vector<Neighbor>>& got,
                         const std::vector<std::vector<Neighbor>>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t q = 0; q < want.size(); ++q) {
    ASSERT_EQ(got[q].size(), want[q].size()) << "query " << q;
    for (size_t i = 0; i < want[q].size(); ++i) {
      EXPECT_EQ(got[q][i].node, want[q][i].node) << "query " << q << ", rank " << i;
      EXPECT_EQ(got[q][i].score, want[q][i].score) << "query " << q << ", rank " << i;
    }
  }
}

TEST(MostSimilar, EqualsTheCpuTopK) {
  Embeddings e;
  e.rows = 50;
  e.dim = 8;
  for (int i = 0; i < 400; ++i) e.data.push_back(static_cast<float>((i * 37) % 11) - 5.0f);
  auto got = MostSimilar(e, {0, 7, 49}, 5, Device::Cpu(), 1);
  ASSERT_TRUE(got.ok()) << got.status();
  const auto want = cpu::TopKCosine(e, {0, 7, 49}, 5, 1);
  ExpectSameNeighbors(*got, want);
  EXPECT_EQ(MostSimilar(e, {50}, 5, Device::Cpu()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MostSimilar(e, {0}, 0, Device::Cpu()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Three queries on a 50-row table are answered on the host whatever the device (the GPU would
// spend longer receiving the table), with the same answer; naming a GPU that is not there is
// still an error, in ResolveDevice's words.
TEST(MostSimilar, SmallQueriesOnTheHostAndAMissingGpuStillAnError) {
  Embeddings e;
  e.rows = 50;
  e.dim = 8;
  for (int i = 0; i < 400; ++i) e.data.push_back(static_cast<float>((i * 29) % 13) - 6.0f);
  const auto want = cpu::TopKCosine(e, {0, 7, 49}, 5, 2);
  auto got = MostSimilar(e, {0, 7, 49}, 5, Device::Auto(), 2);
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectSameNeighbors(*got, want);
  const auto missing = MostSimilar(e, {0}, 5, Device::Cuda(977), 2);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string msg(missing.status().message());
  EXPECT_EQ(msg.rfind("--device cuda:977: ", 0), 0u) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  const auto resolved = ResolveDevice(Device::Cuda(977), 2);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().message(), missing.status().message());
}


TEST(Evaluate, GridPointsInOrderThroughTrain) {
  const Graph g = TestGraph(400, 3000);
  EvalOptions o;
  o.train = SmallRun();
  o.p = {0.5, 2};
  o.q = {1};
  std::vector<std::string> stages;
  o.train.on_progress = [&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kStage) stages.push_back(e.text);
  };
  auto r = Evaluate(g, "test.edges", o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->points.size(), 2u);
  EXPECT_EQ(r->points[0].p, 0.5);
  EXPECT_EQ(r->points[1].p, 2);
  for (const EvalPoint& pt : r->points) {
    EXPECT_EQ(pt.q, 1);
    // R-MAT's held-out edges are hub edges: cosine AUC is a valid number, not necessarily > 0.5.
    EXPECT_GE(pt.link.cosine_auc, 0.0);
    EXPECT_LE(pt.link.cosine_auc, 1.0);
  }
  EXPECT_GT(r->test_edges, 0);
  ASSERT_FALSE(stages.empty());
  EXPECT_NE(stages[0].find("Link prediction:"), std::string::npos);
  // The first point equals a Train on the residual graph with its (p, q).
  auto split = SplitEdgesForLinkPrediction(g, o.test_fraction, o.train.seed);
  ASSERT_TRUE(split.ok());
  TrainOptions t = SmallRun();
  t.walk.p = 0.5;
  t.walk.q = 1;
  auto trained = Train(split->residual, t);
  ASSERT_TRUE(trained.ok());
  auto direct = EvaluateLinkPrediction(trained->embeddings, *split, LogRegOptions{o.c}, 1);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->cosine_auc, r->points[0].link.cosine_auc);
}

TEST(Evaluate, BadOptionsAndInputs) {
  const Graph g = TestGraph(100, 400);
  EvalOptions o;
  o.train = SmallRun();
  o.p = {};
  EXPECT_EQ(Evaluate(g, "x", o).status().code(), absl::StatusCode::kInvalidArgument);
  o.p = {1};
  o.test_fraction = 1;
  EXPECT_EQ(Evaluate(g, "x", o).status().code(), absl::StatusCode::kInvalidArgument);
  o.test_fraction = 0.2;
  o.task = EvalTask::kNode;
  EXPECT_EQ(Evaluate(g, "x", o).status().code(), absl::StatusCode::kInvalidArgument);  // no labels
  o.labels = "/nonexistent/labels.txt";
  EXPECT_EQ(Evaluate(g, "x", o).status().code(), absl::StatusCode::kNotFound);
  o.task = EvalTask::kLink;
  o.embeddings = "/nonexistent/emb.w2v";
  EXPECT_EQ(Evaluate(g, "x", o).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*ParseEvalTask("node"), EvalTask::kNode);
  EXPECT_FALSE(ParseEvalTask("graph").ok());
}

}  // namespace
}  // namespace n2v
