// The SGD run's state shared by both backends and the engine: option checks, the negatives'
// alias table, the identity of a streamed run (crc32 of the graph and walk parameters), whether a
// state may resume a run, and the checkpoint file. Declared in n2v/word2vec.hpp. Host code only;
// cpu::TrainSgdOnGraph and cuda::TrainSgdOnGraph both build on it, so a checkpoint written by one
// resumes on the other.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "n2v/atomic_file.hpp"
#include "n2v/core/limits.hpp"
#include "file_io.hpp"
#include "n2v/status.hpp"
#include "n2v/walk.hpp"
#include "n2v/word2vec.hpp"

namespace n2v {

static_assert(std::endian::native == std::endian::little, "the checkpoint is little-endian");

// Room a table read from a checkpoint reserves beyond its floats: cpu::TrainSgdOnGraph shifts a
// table to a 64-byte boundary inside its own vector, which needs up to 15 floats of slack.
constexpr size_t kTableSlack = 16;


absl::Status CheckSgdOptions(const char* who, int32_t num_nodes, uint32_t length,
                          const SgdTrainOptions& o) {
  if (num_nodes <= 0 || o.dim < 1 || o.dim > core::kMaxDim || o.window < 1 || o.epochs < 0 ||
      length == 0 || !(o.lr > 0) || !std::isfinite(o.lr) || !(o.min_lr_fraction >= 0) ||
      !(o.power >= 0) || !std::isfinite(o.power) || !(o.sample >= 0) ||
      !std::isfinite(o.sample)) {
    return absl::InvalidArgumentError(absl::StrCat(
        who, ": needs num_nodes > 0, 1 <= dim <= ", core::kMaxDim,
        ", window >= 1, epochs >= 0, length >= 1, lr > 0, min_lr_fraction >= 0, power >= 0, "
        "sample >= 0 (got num_nodes ", num_nodes, ", dim ", o.dim, ", window ", o.window,
        ", epochs ", o.epochs, ", length ", length, ", lr ", o.lr, ", min_lr_fraction ",
        o.min_lr_fraction, ", power ", o.power, ", sample ", o.sample, ")"));
  }
  return absl::OkStatus();
}

/// The negatives' alias table over count^power, built exactly as the CUDA twin builds it (float
/// weights, one CSR row of n columns, BuildAliasTables), so both draw the same rows.
AliasTables NegativeTable(const std::vector<uint64_t>& counts, double power) {
  const size_t n = counts.size();
  std::vector<float> weights(n);
  for (size_t v = 0; v < n; ++v) {
    weights[v] = counts[v] > 0
                     ? static_cast<float>(std::pow(static_cast<double>(counts[v]), power))
                     : 0.0f;
  }
  std::vector<int64_t> offsets{0, static_cast<int64_t>(n)};
  std::vector<int32_t> columns(n);
  std::iota(columns.begin(), columns.end(), 0);
  const CsrView one_row{offsets.data(), columns.data(), weights.data(), 1,
                        static_cast<int64_t>(n)};
  return BuildAliasTables(one_row, 1);
}

std::vector<uint32_t> SubsampleThresholds(const std::vector<uint64_t>& counts, double sample) {
  std::vector<uint32_t> keep;
  if (!(sample > 0)) return keep;
  double total = 0;
  for (const uint64_t c : counts) total += static_cast<double>(c);
  const double t = sample * total;
  keep.resize(counts.size());
  for (size_t v = 0; v < counts.size(); ++v) {
    const double c = static_cast<double>(counts[v]);
    // A node that never occurs is never drawn; give it "always keep".
    const double p = c > 0 ? (std::sqrt(c / t) + 1.0) * t / c : 1.0;
    const double words = std::round(std::min(p, 1.0) * 4294967296.0);  // kept words of 2^32
    keep[v] = words >= 4294967296.0 ? 0xFFFFFFFFu
                                    : static_cast<uint32_t>(std::max(words, 1.0) - 1.0);
  }
  return keep;
}

namespace {

using file_io::Crc32;
using file_io::FdCloser;
using file_io::ReadFully;

/// Identifies the walks of a streamed run: the graph's arrays and the walk parameters.
}  // namespace

uint32_t SgdSourceCrc(const CsrView& g, const core::WalkParams& wp) {
  uint32_t crc = ::crc32(0, nullptr, 0);
  const uint64_t n = static_cast<uint64_t>(g.num_nodes), m = static_cast<uint64_t>(g.num_edges);
  crc = Crc32(crc, &n, sizeof(n));
  crc = Crc32(crc, &m, sizeof(m));
  crc = Crc32(crc, g.offsets, (n + 1) * sizeof(int64_t));
  if (m > 0) {
    crc = Crc32(crc, g.neighbors, m * sizeof(int32_t));
    crc = Crc32(crc, g.weights, m * sizeof(float));
  }
  const uint32_t params[6] = {wp.length,        wp.accept_return, wp.accept_common,
                              wp.accept_outward, wp.key.k0,        wp.key.k1};
  return Crc32(crc, params, sizeof(params));
}

/// Why `s` cannot continue the run described by the arguments, or OK.
absl::Status CheckSgdResumable(const SgdState& s, const SgdTrainOptions& o, int32_t num_nodes,
                            uint32_t length, uint64_t num_walks, uint32_t source_crc) {
  const auto differs = [](const char* what, const auto& have, const auto& want) {
    return absl::FailedPreconditionError(absl::StrCat(
        "TrainSgdOnGraph: cannot resume: the state's ", what, " is ", have, ", this run's is ",
        want, " (a state continues only the run that made it)"));
  };
  const SgdTrainOptions& h = s.options;
  if (h.dim != o.dim) return differs("dim", h.dim, o.dim);
  if (h.epochs != o.epochs) return differs("epochs", h.epochs, o.epochs);
  if (h.window != o.window) return differs("window", h.window, o.window);
  if (h.negatives != o.negatives) return differs("negatives", h.negatives, o.negatives);
  if (h.lr != o.lr) return differs("lr", h.lr, o.lr);
  if (h.min_lr_fraction != o.min_lr_fraction) {
    return differs("min_lr_fraction", h.min_lr_fraction, o.min_lr_fraction);
  }
  if (h.power != o.power) return differs("power", h.power, o.power);
  if (h.sample != o.sample) return differs("sample", h.sample, o.sample);
  if (h.shared_negatives != o.shared_negatives) {
    return differs("shared_negatives", h.shared_negatives, o.shared_negatives);
  }
  if (h.seed != o.seed) return differs("seed", h.seed, o.seed);
  if (s.num_nodes != num_nodes) return differs("node count", s.num_nodes, num_nodes);
  if (s.walk_length != length) return differs("walk length", s.walk_length, length);
  if (s.num_walks != num_walks) return differs("walk count", s.num_walks, num_walks);
  if (s.source_crc != source_crc) {
    return differs("graph and walk parameters (crc32)", absl::StrFormat("%08x", s.source_crc),
                   absl::StrFormat("%08x", source_crc));
  }
  const size_t size = static_cast<size_t>(num_nodes) * static_cast<size_t>(o.dim);
  if (s.counts.size() != static_cast<size_t>(num_nodes) || s.input.rows != num_nodes ||
      s.input.dim != o.dim || s.input.data.size() != size || s.output.rows != num_nodes ||
      s.output.dim != o.dim || s.output.data.size() != size || s.next_epoch < 0 ||
      s.next_epoch > o.epochs || s.losses.size() != static_cast<size_t>(s.next_epoch)) {
    return absl::FailedPreconditionError(
        "TrainSgdOnGraph: cannot resume: the state's tables, counts or losses do not match its "
        "own sizes");
  }
  return absl::OkStatus();
}

// --- checkpoint ---------------------------------------------------------------------------------

namespace {

constexpr char kCkptMagic[8] = {'N', '2', 'V', 'S', 'G', 'D', '\0', '\1'};
constexpr uint32_t kCkptVersion = 1;
constexpr uint32_t kFlagSharedNegatives = 1u;

struct CkptHeader {
  char magic[8];
  uint32_t version;
  uint32_t flags;  // bit 0: shared negatives; no other bit is set
  int32_t dim;
  int32_t epochs;
  uint32_t window;
  uint32_t negatives;
  float lr;
  float min_lr_fraction;
  double power;
  uint64_t seed;
  int32_t num_nodes;
  uint32_t walk_length;
  uint64_t num_walks;
  uint32_t source_crc;
  int32_t next_epoch;
  int64_t pairs;
  uint32_t body_crc;  // of every byte after the header
  uint32_t zero;      // 0
  double sample;      // SgdTrainOptions::sample; 0 in checkpoints from before it existed
  uint8_t reserved[24];
};
static_assert(sizeof(CkptHeader) == 128, "the checkpoint header is 128 bytes");

absl::Status Invalid(const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

}  // namespace

absl::Status WriteSgdCheckpoint(const std::string& path, const SgdState& s) {
  const size_t n = static_cast<size_t>(std::max(s.num_nodes, 0));
  const size_t size = n * static_cast<size_t>(std::max(s.options.dim, 0));
  if (!s.started() || s.num_nodes <= 0 || s.counts.size() != n || s.input.rows != s.num_nodes ||
      s.input.dim != s.options.dim || s.input.data.size() != size ||
      s.output.rows != s.num_nodes || s.output.dim != s.options.dim ||
      s.output.data.size() != size || s.next_epoch < 0 ||
      s.losses.size() != static_cast<size_t>(s.next_epoch)) {
    return Invalid(path, "cannot write checkpoint: the state is not a started run with "
                         "consistent tables, counts and losses");
  }
  CkptHeader h{};
  std::memcpy(h.magic, kCkptMagic, sizeof(kCkptMagic));
  h.version = kCkptVersion;
  h.dim = s.options.dim;
  h.epochs = s.options.epochs;
  h.window = s.options.window;
  h.negatives = s.options.negatives;
  h.lr = s.options.lr;
  h.min_lr_fraction = s.options.min_lr_fraction;
  h.power = s.options.power;
  h.sample = s.options.sample;
  h.flags = s.options.shared_negatives ? kFlagSharedNegatives : 0u;
  h.seed = s.options.seed;
  h.num_nodes = s.num_nodes;
  h.walk_length = s.walk_length;
  h.num_walks = s.num_walks;
  h.source_crc = s.source_crc;
  h.next_epoch = s.next_epoch;
  h.pairs = s.pairs;
  const std::pair<const void*, size_t> body[] = {
      {s.losses.data(), s.losses.size() * sizeof(double)},
      {s.counts.data(), n * sizeof(uint64_t)},
      {s.input.data.data(), size * sizeof(float)},
      {s.output.data.data(), size * sizeof(float)}};
  uint32_t crc = ::crc32(0, nullptr, 0);
  for (const auto& [p, bytes] : body) crc = Crc32(crc, p, bytes);
  h.body_crc = crc;
  N2V_ASSIGN_OR_RETURN(AtomicFileWriter w, AtomicFileWriter::Open(path));
  N2V_RETURN_IF_ERROR(w.Append(std::string_view(reinterpret_cast<const char*>(&h), sizeof(h))));
  for (const auto& [p, bytes] : body) {
    N2V_RETURN_IF_ERROR(w.Append(std::string_view(static_cast<const char*>(p), bytes)));
  }
  return w.Commit();
}

absl::StatusOr<SgdState> ReadSgdCheckpoint(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string msg = absl::StrCat(path, ": cannot open: ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(msg) : absl::ErrnoToStatus(err, msg);
  }
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    return absl::ErrnoToStatus(err, absl::StrCat(path, ": cannot stat: ", std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode)) return Invalid(path, "expected a regular file");
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);

  CkptHeader h{};
  const size_t head = static_cast<size_t>(std::min<uint64_t>(file_size, sizeof(h)));
  if (!ReadFully(fd, &h, head)) {
    return absl::DataLossError(absl::StrCat(path, ": read failed: ", std::strerror(errno)));
  }
  if (head < sizeof(kCkptMagic) || std::memcmp(h.magic, kCkptMagic, sizeof(kCkptMagic)) != 0) {
    std::string got;
    for (size_t i = 0; i < std::min(head, sizeof(kCkptMagic)); ++i) {
      absl::StrAppend(&got, absl::StrFormat("%02x", static_cast<unsigned char>(h.magic[i])));
    }
    return Invalid(path, absl::StrCat("not an n2v SGD checkpoint: expected magic "
                                      "\"N2VSGD\\0\\1\" (4e32565347440001), got ",
                                      got.empty() ? "an empty file" : got));
  }
  if (head < sizeof(h)) {
    return absl::DataLossError(absl::StrCat(path, ": truncated: expected a ", sizeof(h),
                                            "-byte header, got ", file_size, " bytes"));
  }
  if (h.version != kCkptVersion) {
    return Invalid(path, absl::StrCat("unsupported checkpoint version: expected ", kCkptVersion,
                                      ", got ", h.version));
  }
  if ((h.flags & ~kFlagSharedNegatives) != 0) {
    return Invalid(path, absl::StrCat("flags: expected 0 or 1, got ", h.flags));
  }
  if (h.zero != 0) return Invalid(path, "header padding: expected zero bytes, got non-zero ones");
  for (const uint8_t b : h.reserved) {
    if (b != 0) return Invalid(path, "header padding: expected zero bytes, got non-zero ones");
  }
  SgdTrainOptions o;
  o.dim = h.dim;
  o.epochs = h.epochs;
  o.window = h.window;
  o.negatives = h.negatives;
  o.lr = h.lr;
  o.min_lr_fraction = h.min_lr_fraction;
  o.power = h.power;
  o.sample = h.sample;
  o.shared_negatives = (h.flags & kFlagSharedNegatives) != 0;
  o.seed = h.seed;
  if (absl::Status st = CheckSgdOptions("options", h.num_nodes, h.walk_length, o); !st.ok()) {
    return Invalid(path, st.message());
  }
  if (h.next_epoch < 0 || h.next_epoch > h.epochs || h.pairs < 0) {
    return Invalid(path, absl::StrCat("progress: expected 0 <= next_epoch <= epochs (", h.epochs,
                                      ") and pairs >= 0, got next_epoch ", h.next_epoch,
                                      ", pairs ", h.pairs));
  }
  const uint64_t n = static_cast<uint64_t>(h.num_nodes);
  const uint64_t size = n * static_cast<uint64_t>(h.dim);  // < 2^41: no overflow below
  const uint64_t expected_body = 8 * static_cast<uint64_t>(h.next_epoch) + 8 * n + 8 * size;
  const uint64_t body_size = file_size - sizeof(h);
  if (body_size != expected_body) {
    const std::string msg = absl::StrCat(
        path, ": ", body_size < expected_body ? "truncated" : "trailing bytes", ": expected ",
        sizeof(h) + expected_body, " bytes for ", h.next_epoch, " losses and ", n, " nodes x ",
        h.dim, " dims, got ", file_size);
    return body_size < expected_body ? absl::DataLossError(msg) : absl::InvalidArgumentError(msg);
  }

  SgdState s;
  s.options = o;
  s.num_nodes = h.num_nodes;
  s.walk_length = h.walk_length;
  s.num_walks = h.num_walks;
  s.source_crc = h.source_crc;
  s.next_epoch = h.next_epoch;
  s.pairs = h.pairs;
  s.losses.resize(static_cast<size_t>(h.next_epoch));
  s.counts.resize(static_cast<size_t>(n));
  s.input.rows = s.output.rows = h.num_nodes;
  s.input.dim = s.output.dim = h.dim;
  for (std::vector<float>* t : {&s.input.data, &s.output.data}) {
    t->reserve(static_cast<size_t>(size) + kTableSlack);
    t->resize(static_cast<size_t>(size));
  }
  uint32_t crc = ::crc32(0, nullptr, 0);
  const auto read = [&](void* dst, size_t bytes) {
    if (!ReadFully(fd, dst, bytes)) return false;
    crc = Crc32(crc, dst, bytes);
    return true;
  };
  if (!read(s.losses.data(), s.losses.size() * 8) || !read(s.counts.data(), n * 8) ||
      !read(s.input.data.data(), size * 4) || !read(s.output.data.data(), size * 4)) {
    return absl::DataLossError(absl::StrCat(path, ": read failed (file changed while read?)"));
  }
  if (crc != h.body_crc) {
    return absl::DataLossError(absl::StrFormat(
        "%s: checksum mismatch: expected crc32 %08x (from the header), got %08x; the checkpoint "
        "is corrupt",
        path, h.body_crc, crc));
  }
  return s;
}

}  // namespace n2v
