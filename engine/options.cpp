// Parsing, naming and validation of the options family (n2v/options.hpp). The messages name each
// option as the command line spells it, since that is where most values come from.
#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "n2v/core/limits.hpp"
#include "n2v/options.hpp"

namespace n2v {
namespace {

absl::Status Bad(absl::string_view flag, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": expected ", what));
}

bool Positive(double x) { return x > 0 && std::isfinite(x); }

}  // namespace

absl::StatusOr<Device> Device::Parse(std::string_view spec) {
  if (spec == "auto") return Device::Auto();
  if (spec == "cpu") return Device::Cpu();
  if (spec == "cuda") return Device::Cuda(0);
  if (spec.substr(0, 5) == "cuda:") {
    int index = -1;
    const char* b = spec.data() + 5;
    const char* e = spec.data() + spec.size();
    const auto r = std::from_chars(b, e, index);
    if (r.ec == std::errc() && r.ptr == e && b != e && index >= 0) return Device::Cuda(index);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--device: expected auto, cpu, cuda or cuda:N, got '", absl::string_view(spec.data(), spec.size()), "'"));
}

std::string Device::Name() const {
  switch (kind) {
    case Kind::kAuto: return "auto";
    case Kind::kCpu: return "cpu";
    case Kind::kCuda: return absl::StrCat("cuda:", index);
  }
  return "auto";
}

absl::StatusOr<Optimizer> ParseOptimizer(std::string_view s) {
  if (s == "sgd") return Optimizer::kSgd;
  if (s == "adam") return Optimizer::kAdam;
  return absl::InvalidArgumentError(absl::StrCat("--optimizer: expected sgd or adam, got '", absl::string_view(s.data(), s.size()), "'"));
}

std::string_view OptimizerName(Optimizer o) { return o == Optimizer::kAdam ? "adam" : "sgd"; }

absl::StatusOr<EmbeddingTable> ParseEmbeddingTable(std::string_view s) {
  if (s == "input+output") return EmbeddingTable::kInputPlusOutput;
  if (s == "input") return EmbeddingTable::kInput;
  return absl::InvalidArgumentError(
      absl::StrCat("--embedding: expected input+output or input, got '", absl::string_view(s.data(), s.size()), "'"));
}

std::string_view EmbeddingTableName(EmbeddingTable t) {
  return t == EmbeddingTable::kInput ? "input" : "input+output";
}

double ModelConfig::EffectiveLr() const {
  if (lr >= 0) return lr;
  return optimizer == Optimizer::kAdam ? core::kAdamDefaultLr : core::kSgdDefaultLr;
}

absl::StatusOr<EvalTask> ParseEvalTask(std::string_view s) {
  if (s == "link") return EvalTask::kLink;
  if (s == "node") return EvalTask::kNode;
  return absl::InvalidArgumentError(
      absl::StrCat("--task: expected link or node, got '", absl::string_view(s.data(), s.size()), "'"));
}

std::string_view EvalTaskName(EvalTask t) { return t == EvalTask::kNode ? "node" : "link"; }

absl::Status ValidateEvalOptions(const EvalOptions& o) {
  if (o.p.empty() || o.q.empty()) return Bad("--p/--q", "at least one value each");
  for (double v : o.p) {
    if (!Positive(v)) return Bad("--p", "positive numbers");
  }
  for (double v : o.q) {
    if (!Positive(v)) return Bad("--q", "positive numbers");
  }
  TrainOptions t = o.train;
  t.walk.p = o.p[0];
  t.walk.q = o.q[0];
  if (absl::Status st = ValidateTrainOptions(t); !st.ok()) return st;
  const bool link = o.task == EvalTask::kLink;
  if (link && !(o.test_fraction > 0 && o.test_fraction < 1)) {
    return Bad("--test-fraction", "a number in (0, 1)");
  }
  if (!link && o.labels.empty()) return Bad("--labels", "a label file for --task node");
  if (!link && !(o.train_fraction > 0 && o.train_fraction < 1)) {
    return Bad("--train-fraction", "a number in (0, 1)");
  }
  if (o.repeats < 1) return Bad("--repeats", "at least 1");
  if (!Positive(o.c)) return Bad("--C", "a positive number");
  if (!o.embeddings.empty() && (o.p.size() > 1 || o.q.size() > 1)) {
    return Bad("--embeddings", "no --p/--q grid (the table is already trained)");
  }
  return absl::OkStatus();
}

absl::Status ValidateReportOptions(const ReportOptions& o) {
  if (o.max_points < 1) return Bad("--report-points", "at least 1");
  if (o.hubs < 0) return Bad("--report-hubs", "0 or more");
  if (o.neighbors < 1 || o.neighbors >= core::kMaxTopK) {
    return Bad("--report-neighbors", absl::StrCat("1 to ", core::kMaxTopK - 1));
  }
  return absl::OkStatus();
}

absl::Status ValidateWalkConfig(const WalkConfig& w) {
  if (!Positive(w.p)) return Bad("--p", "a positive number");
  if (!Positive(w.q)) return Bad("--q", "a positive number");
  if (w.length < 2) return Bad("--walk-length", "at least 2 (a walk of one node has no pairs)");
  if (w.num_walks < 1) return Bad("--num-walks", "at least 1");
  return absl::OkStatus();
}

absl::Status ValidateTrainOptions(const TrainOptions& o) {
  if (absl::Status st = ValidateWalkConfig(o.walk); !st.ok()) return st;
  const ModelConfig& m = o.model;
  if (m.dim < 1 || m.dim > core::kMaxDim) {
    return Bad("--dimensions", absl::StrCat("1 to ", core::kMaxDim));
  }
  if (m.window < 1) return Bad("--window-size", "at least 1");
  if (m.epochs < 1) return Bad("--epochs", "at least 1");
  if (m.lr != -1 && !Positive(m.lr)) {
    return Bad("--lr", "a positive number (or -1 for the optimizer's default)");
  }
  if (m.batch < 1) return Bad("--batch", "at least 1");
  if (!(m.l2 >= 0) || !std::isfinite(m.l2)) return Bad("--l2", "a non-negative number");
  if (!(m.sample >= 0) || !std::isfinite(m.sample)) {
    return Bad("--sample", "a non-negative number (0: no subsampling)");
  }
  if (m.sample > 0 && m.optimizer != Optimizer::kSgd) {
    return Bad("--sample", "0 with --optimizer adam (the Keras model trains every pair)");
  }
  if (m.shared_negatives && m.optimizer != Optimizer::kSgd) {
    return Bad("--shared-negatives", "used with --optimizer sgd only");
  }
  if (o.threads < 0) return Bad("--threads", "0 (all cores) or more");
  if (o.checkpoint.every < 0) return Bad("--checkpoint-every", "0 or more");
  const bool checkpointing = o.checkpoint.every > 0 || !o.checkpoint.resume.empty();
  if (checkpointing && m.optimizer != Optimizer::kSgd) {
    return absl::InvalidArgumentError(
        "--checkpoint-every/--resume: supported with --optimizer sgd only");
  }
  if (o.checkpoint.every > 0 && o.checkpoint.dir.empty()) {
    return Bad("--checkpoint-dir", "a directory when --checkpoint-every is set");
  }
  return absl::OkStatus();
}

absl::Status ValidateMovieLensOptions(const MovieLensOptions& f) {
  if (!Positive(f.p)) return Bad("--p", "a positive number");
  if (!Positive(f.q)) return Bad("--q", "a positive number");
  if (f.num_walks < 1) return Bad("--num-walks", "at least 1");
  if (f.num_steps < 2) return Bad("--num-steps", "at least 2 (a walk of one node has no pairs)");
  if (f.window == 0 || f.window < -1) return Bad("--window", "at least 1");
  if (f.dim < 1 || f.dim > core::kMaxDim) return Bad("--dim", absl::StrCat("1 to ", core::kMaxDim));
  if (f.epochs < 1) return Bad("--epochs", "at least 1");
  if (f.batch < 1) return Bad("--batch", "at least 1");
  if (!Positive(f.lr)) return Bad("--lr", "a positive number");
  if (!(f.l2 >= 0) || !std::isfinite(f.l2)) return Bad("--l2", "a non-negative number");
  if (f.k < 1) return Bad("--k", "at least 1");
  if (!std::isfinite(f.min_rating)) return Bad("--min-rating", "a number");
  if (!std::isfinite(f.min_weight)) return Bad("--min-weight", "a number");
  if (f.threads < 0) return Bad("--threads", "0 (all cores) or more");
  return ValidateReportOptions(f.report);
}

}  // namespace n2v
