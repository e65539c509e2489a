// Edge-list reader (plain or gzip text) and the CSR builder shared by every edge source.
// The file is read in 16 MiB blocks (read(2), or inflate over 1 MiB reads) and parsed in place;
// ids are interned once (canonical numbers by value in an array, other ids by hash, their bytes in
// an arena); edges are kept as flat arrays, then the CSR is built by a counting pass (degrees →
// prefix sum → scatter) and each row sorted and merged in place. Twin: none (front end).
// Threading: parsing is serial; degree count and scatter split the rows between OpenMP threads,
// the row sorts are OpenMP over rows. The result does not depend on the thread count.
#include "n2v/edgelist.hpp"

#include "n2v/atomic_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <omp.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <future>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "n2v/csr_io.hpp"
#include "n2v/status.hpp"
#include "n2v/reader_error.hpp"
#include "n2v/utf8.hpp"

namespace n2v {
namespace {

constexpr int64_t kMaxNodes = std::numeric_limits<int32_t>::max();
constexpr char kCsrMagic[8] = {'N', '2', 'V', 'C', 'S', 'R', '\0', '\1'};

// --- text for messages --------------------------------------------------------------------------

/// Length of the valid UTF-8 sequence at p (at most n bytes available), or 0 if it is not one.
size_t Utf8Len(const unsigned char* p, size_t n) {
  return Utf8SequenceLength(std::string_view(reinterpret_cast<const char*>(p), n), 0);
}

std::string HumanBytes(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024.0 && u < 6) v /= 1024.0, ++u;
  return u == 0 ? absl::StrCat(b, " B") : absl::StrFormat("%.1f %s", v, units[u]);
}

// --- memory ------------------------------------------------------------------------------------

/// Asks for transparent huge pages on the whole 2 MiB pages of [p, p + bytes), before they are
/// first touched. The id table and the CSR arrays are hundreds of MB accessed at random: with
/// 4 KiB pages nearly every access also misses the TLB. Only advice: ignored where THP is off.
void AdviseHugePages(const void* p, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t b = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t e = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (e > b) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);
}

/// Resizes a vector whose new elements are about to be written at random, huge pages first.
template <typename T>
void ResizeForRandomAccess(std::vector<T>& v, size_t n, T value = T{}) {
  v.clear();
  v.reserve(n);  // a fresh block the size of this is mmap'ed by malloc: untouched until assign
  AdviseHugePages(v.data(), n * sizeof(T));
  v.assign(n, value);
}

/// std::allocator, except that blocks of 4 MiB and more are 2 MiB-aligned and huge-page advised
/// (the id tables' slot arrays).
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kMinBytes = size_t{4} << 20;
  static constexpr size_t kAlign = size_t{2} << 20;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kMinBytes) return std::allocator<T>().allocate(n);
    void* p = ::operator new(bytes, std::align_val_t{kAlign});
    AdviseHugePages(p, bytes);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kMinBytes) return std::allocator<T>().deallocate(p, n);
    ::operator delete(p, std::align_val_t{kAlign});
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

// --- input: plain bytes or inflated gzip --------------------------------------------------------

/// Closes the descriptor however the reader leaves.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

/// read(2) that retries on EINTR; -1 on error.
ssize_t ReadSome(int fd, char* dst, size_t cap) {
  for (;;) {
    const ssize_t n = ::read(fd, dst, std::min<size_t>(cap, size_t{1} << 30));
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

/// The file's text, block by block: the bytes as they are, or inflated when the file starts with
/// the gzip magic (concatenated gzip members are read one after another, as gzip -d does).
class TextSource {
 public:
  /// `file_size`: the file's size if known (a regular file), else 0; small files get small
  /// buffers.
  TextSource(const std::string& path, int fd, uint64_t file_size)
      : path_(path),
        fd_(fd),
        in_bytes_(file_size > 0 ? std::min<uint64_t>(kInBytes, file_size + 1) : kInBytes) {}
  ~TextSource() {
    if (gzip_) inflateEnd(&z_);
  }

  /// Looks at the first bytes; call once before Read.
  absl::Status Open() {
    in_.reset(new char[in_bytes_]);
    N2V_RETURN_IF_ERROR(Fill());
    // A pipe may hand out one byte at a time: the magic needs two.
    while (in_len_ == 1) {
      const ssize_t n = ReadSome(fd_, in_.get() + 1, in_bytes_ - 1);
      if (n < 0) {
        const int err = errno;
        return absl::ErrnoToStatus(err, absl::StrCat(path_, ": read failed: ", std::strerror(err)));
      }
      if (n == 0) break;
      in_len_ += static_cast<size_t>(n);
      file_pos_ += static_cast<uint64_t>(n);
    }
    if (in_len_ >= 2 && static_cast<unsigned char>(in_[0]) == 0x1f &&
        static_cast<unsigned char>(in_[1]) == 0x8b) {
      std::memset(&z_, 0, sizeof(z_));
      if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) {  // 16: gzip wrapper only
        return absl::ResourceExhaustedError(absl::StrCat(path_, ": cannot start zlib"));
      }
      gzip_ = true;
      z_.next_in = reinterpret_cast<Bytef*>(in_.get());
      z_.avail_in = static_cast<uInt>(in_len_);
    }
    return absl::OkStatus();
  }

  bool gzip() const { return gzip_; }
  /// Bytes of the file consumed so far (compressed bytes for gzip).
  uint64_t consumed() const { return gzip_ ? file_pos_ - z_.avail_in : consumed_plain_; }

  /// Up to cap bytes of text into dst; 0 at the end of the text.
  absl::StatusOr<size_t> Read(char* dst, size_t cap) {
    return gzip_ ? Inflate(dst, cap) : ReadPlain(dst, cap);
  }

 private:
  static constexpr size_t kInBytes = size_t{1} << 20;

  /// Refills in_ from the file; in_len_ = 0 at end of file.
  absl::Status Fill() {
    const ssize_t n = ReadSome(fd_, in_.get(), in_bytes_);
    if (n < 0) {
      const int err = errno;
      return absl::ErrnoToStatus(err, absl::StrCat(path_, ": read failed: ", std::strerror(err)));
    }
    in_len_ = static_cast<size_t>(n);
    in_pos_ = 0;
    file_pos_ += in_len_;
    return absl::OkStatus();
  }

  absl::StatusOr<size_t> ReadPlain(char* dst, size_t cap) {
    // The first block, already read to look for the magic, is handed out first.
    if (in_pos_ < in_len_) {
      const size_t n = std::min(cap, in_len_ - in_pos_);
      std::memcpy(dst, in_.get() + in_pos_, n);
      in_pos_ += n;
      consumed_plain_ += n;
      return n;
    }
    const ssize_t n = ReadSome(fd_, dst, cap);
    if (n < 0) {
      const int err = errno;
      return absl::ErrnoToStatus(err, absl::StrCat(path_, ": read failed: ", std::strerror(err)));
    }
    consumed_plain_ += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }

  absl::Status GzipError(absl::string_view what) const {
    return absl::DataLossError(absl::StrCat(path_, ": corrupt gzip data: ", what, " (at byte ",
                                            consumed(), " of the compressed file)"));
  }

  absl::StatusOr<size_t> Inflate(char* dst, size_t cap) {
    if (done_) return size_t{0};
    z_.next_out = reinterpret_cast<Bytef*>(dst);
    z_.avail_out = static_cast<uInt>(std::min<size_t>(cap, size_t{1} << 30));
    const uInt out_cap = z_.avail_out;
    while (z_.avail_out == out_cap) {  // until some text comes out (or the stream ends)
      if (z_.avail_in == 0) {
        N2V_RETURN_IF_ERROR(Fill());
        z_.next_in = reinterpret_cast<Bytef*>(in_.get());
        z_.avail_in = static_cast<uInt>(in_len_);
        if (in_len_ == 0) {
          if (member_done_) {
            done_ = true;
            break;
          }
          return absl::DataLossError(
              absl::StrCat(path_, ": truncated gzip file: it ends inside a compressed stream after ",
                           consumed(), " bytes (an interrupted download or copy?)"));
        }
      }
      if (member_done_) {
        // Another gzip member may follow (cat a.gz b.gz); anything else is not gzip data.
        const auto* b = reinterpret_cast<const unsigned char*>(z_.next_in);
        if (b[0] != 0x1f || (z_.avail_in >= 2 && b[1] != 0x8b)) {
          return GzipError(absl::StrFormat("expected another gzip member or the end of the file "
                                           "after the gzip stream, got byte 0x%02x",
                                           b[0]));
        }
        if (inflateReset(&z_) != Z_OK) return GzipError("inflateReset failed");
        member_done_ = false;
      }
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        member_done_ = true;
      } else if (rc == Z_BUF_ERROR) {
        // No progress possible: inflate needs more input, which the loop reads next.
        if (z_.avail_in != 0) return GzipError("inflate made no progress");
      } else if (rc != Z_OK) {
        return GzipError(z_.msg != nullptr ? z_.msg : zError(rc));
      }
    }
    return static_cast<size_t>(out_cap - z_.avail_out);
  }

  const std::string& path_;
  const int fd_;
  const size_t in_bytes_;
  std::unique_ptr<char[]> in_;
  size_t in_len_ = 0, in_pos_ = 0;
  uint64_t file_pos_ = 0;        // bytes read from the file
  uint64_t consumed_plain_ = 0;  // bytes handed out (plain files)
  bool gzip_ = false, member_done_ = false, done_ = false;
  z_stream z_{};
};

// --- node ids -----------------------------------------------------------------------------------

/// Append-only storage for id bytes: views into it stay valid while it lives.
class Arena {
 public:
  absl::string_view Copy(absl::string_view s) {
    if (s.size() > left_) {
      const size_t size = std::max(kBlock, s.size());
      blocks_.emplace_back(new char[size]);
      cur_ = blocks_.back().get();
      left_ = size;
    }
    std::memcpy(cur_, s.data(), s.size());
    const absl::string_view out(cur_, s.size());
    cur_ += s.size();
    left_ -= s.size();
    return out;
  }

 private:
  static constexpr size_t kBlock = size_t{4} << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cur_ = nullptr;
  size_t left_ = 0;
};

/// "" if `id` is an acceptable node id, else what is wrong with it.
const char* BadId(absl::string_view id) {
  const auto* p = reinterpret_cast<const unsigned char*>(id.data());
  for (size_t i = 0; i < id.size();) {
    if (p[i] < 0x20 || p[i] == 0x7F) return "no control characters";
    const size_t len = Utf8Len(p + i, id.size() - i);
    if (len == 0) return "valid UTF-8";
    i += len;
  }
  return "";
}

// --- the CSR builder ----------------------------------------------------------------------------

struct BuildError {
  int32_t row = std::numeric_limits<int32_t>::max();
  int32_t neighbor = 0;
  double sum = 0;
  int64_t count = 0;
};

/// Edges (already validated: ids in [0, n), weights finite > 0) to a CSR with sorted, merged rows.
/// `where` prefixes errors; `names` (may be empty) only words them.
absl::StatusOr<Graph> BuildCsr(const std::string& where, int64_t n, std::vector<int32_t> src,
                               std::vector<int32_t> dst, std::vector<float> w, bool directed,
                               const std::vector<absl::string_view>& names, EdgeListStats* stats) {
  const bool weighted = !w.empty();
  const size_t num_in = src.size();
  Graph g;
  g.directed = directed;

  // Both passes below split the rows, not the edges, between threads: each thread reads every
  // edge and handles the slots of the rows it owns, so no two threads write one row, no atomics
  // are needed, and each row is filled in input order whatever the thread count.
  const int threads = std::max(1, omp_get_max_threads());
  const auto owns = [](int32_t v, int32_t lo, int32_t hi) {
    return static_cast<uint32_t>(v - lo) < static_cast<uint32_t>(hi - lo);
  };

  // Degrees → offsets (prefix sum), then the memory check before the big arrays exist.
  ResizeForRandomAccess(g.offsets, static_cast<size_t>(n) + 1);
  int64_t* const off = g.offsets.data();
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const auto lo = static_cast<int32_t>(n * t / nt), hi = static_cast<int32_t>(n * (t + 1) / nt);
    for (size_t e = 0; e < num_in; ++e) {
      const int32_t u = src[e], v = dst[e];
      if (owns(u, lo, hi)) ++off[u + 1];
      if (!directed && u != v && owns(v, lo, hi)) ++off[v + 1];
    }
  }
  for (int64_t v = 0; v < n; ++v) off[v + 1] += off[v];
  const int64_t slots = off[n];
  N2V_RETURN_IF_ERROR(CheckCsrFits(where, n, slots, PhysicalMemoryBytes()));

  // Scatter in input order (so duplicates meet each row in the same order, see the merge below).
  ResizeForRandomAccess(g.neighbors, static_cast<size_t>(slots));
  if (weighted) ResizeForRandomAccess(g.weights, static_cast<size_t>(slots));
  {
    std::vector<int64_t> cursor;
    ResizeForRandomAccess(cursor, static_cast<size_t>(n));
    std::copy(g.offsets.begin(), g.offsets.end() - 1, cursor.begin());
    int32_t* const nb = g.neighbors.data();
    float* const wt = g.weights.data();
#pragma omp parallel num_threads(threads)
    {
      // Row ranges holding equal shares of the slots.
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      const auto first_row = [&](int k) {
        return static_cast<int32_t>(std::lower_bound(off, off + n, slots * k / nt) - off);
      };
      const int32_t lo = first_row(t), hi = t + 1 == nt ? static_cast<int32_t>(n) : first_row(t + 1);
      // Rows are written in input order, which for a shuffled file is a cache miss per slot: the
      // cursors are prefetched 2·kAhead edges ahead and the slots they point at kAhead ahead.
      constexpr size_t kAhead = 16;
      for (size_t e = 0; e < num_in; ++e) {
        if (e + 2 * kAhead < num_in) {
          const int32_t pu = src[e + 2 * kAhead], pv = dst[e + 2 * kAhead];
          if (owns(pu, lo, hi)) __builtin_prefetch(&cursor[pu]);
          if (!directed && owns(pv, lo, hi)) __builtin_prefetch(&cursor[pv]);
        }
        if (e + kAhead < num_in) {
          const int32_t pu = src[e + kAhead], pv = dst[e + kAhead];
          if (owns(pu, lo, hi)) __builtin_prefetch(nb + cursor[pu], 1);
          if (!directed && owns(pv, lo, hi)) __builtin_prefetch(nb + cursor[pv], 1);
        }
        const int32_t u = src[e], v = dst[e];
        if (owns(u, lo, hi)) {
          const int64_t a = cursor[u]++;
          nb[a] = v;
          if (weighted) wt[a] = w[e];
        }
        if (!directed && u != v && owns(v, lo, hi)) {
          const int64_t b = cursor[v]++;
          nb[b] = u;
          if (weighted) wt[b] = w[e];
        }
      }
    }
  }
  std::vector<int32_t>().swap(src);
  std::vector<int32_t>().swap(dst);
  std::vector<float>().swap(w);

  // Sort each row by neighbour and merge runs of one neighbour in place at the row's front.
  // Weighted rows sort stably (key = neighbour, then position), so a run's weights are summed in
  // input order in both rows of an undirected edge: the two stored weights are the same float.
  std::vector<int64_t> kept(static_cast<size_t>(n), 0);
  int64_t loops = 0, removed_loop = 0, removed_other = 0;
  BuildError err;
  int32_t* const nb = g.neighbors.data();
  float* const wt = g.weights.data();
#pragma omp parallel reduction(+ : loops, removed_loop, removed_other)
  {
    std::vector<uint64_t> keys;
    std::vector<float> tmp_w;
#pragma omp for schedule(dynamic, 1024)
    for (int64_t v = 0; v < n; ++v) {
      const int64_t row = off[v], deg = off[v + 1] - row;
      if (deg == 0) continue;
      int32_t* const r = nb + row;
      if (!std::is_sorted(r, r + deg)) {
        if (!weighted) {
          std::sort(r, r + deg);
        } else {
          keys.resize(static_cast<size_t>(deg));
          for (int64_t j = 0; j < deg; ++j) {
            keys[j] = (uint64_t{static_cast<uint32_t>(r[j])} << 32) | static_cast<uint64_t>(j);
          }
          std::sort(keys.begin(), keys.end());
          tmp_w.assign(wt + row, wt + row + deg);
          for (int64_t j = 0; j < deg; ++j) {
            r[j] = static_cast<int32_t>(keys[j] >> 32);
            wt[row + j] = tmp_w[keys[j] & 0xFFFFFFFFu];
          }
        }
      }
      int64_t out = 0;
      for (int64_t j = 0; j < deg;) {
        int64_t k = j + 1;
        while (k < deg && r[k] == r[j]) ++k;
        const int64_t dups = k - j - 1;
        (r[j] == v ? removed_loop : removed_other) += dups;
        if (r[j] == v) ++loops;
        r[out] = r[j];
        if (weighted) {
          double sum = 0;
          for (int64_t i = j; i < k; ++i) sum += wt[row + i];
          const bool fits = sum <= std::numeric_limits<float>::max();
          const float f = fits ? static_cast<float>(sum) : 0.0f;
          if (!fits) {
#pragma omp critical(n2v_edgelist_error)
            if (v < err.row) err = BuildError{static_cast<int32_t>(v), r[j], sum, k - j};
          }
          wt[row + out] = f;
        }
        ++out;
        j = k;
      }
      kept[v] = out;
    }
  }
  if (err.row != std::numeric_limits<int32_t>::max()) {
    const auto name = [&](int32_t v) {
      return names.empty() ? absl::StrCat(v) : absl::StrCat("'", ShownText(names[v]), "'");
    };
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": edge ", name(err.row), " ", name(err.neighbor), ": the weights of its ",
        err.count, " duplicates sum to ", absl::StrFormat("%g", err.sum),
        ", more than a float holds (3.4e38)"));
  }

  // Close the gaps merging left (rows only move towards the front).
  const int64_t removed = removed_loop + removed_other;
  if (removed > 0) {
    int64_t at = 0;
    for (int64_t v = 0; v < n; ++v) {
      const int64_t row = off[v];
      if (at != row && kept[v] > 0) {
        std::memmove(nb + at, nb + row, sizeof(int32_t) * kept[v]);
        if (weighted) std::memmove(wt + at, wt + row, sizeof(float) * kept[v]);
      }
      off[v] = at;
      at += kept[v];
    }
    off[n] = at;
    g.neighbors.resize(static_cast<size_t>(at));
    if (weighted) g.weights.resize(static_cast<size_t>(at));
    // Give the slack back when it is worth a copy.
    if (removed > slots / 8) {
      g.neighbors.shrink_to_fit();
      g.weights.shrink_to_fit();
    }
  }
  if (!weighted) g.weights.assign(g.neighbors.size(), 1.0f);

  if (stats != nullptr) {
    const int64_t final_slots = g.num_edge_slots();
    stats->self_loops = loops;
    stats->edges = directed ? final_slots : (final_slots - loops) / 2 + loops;
    stats->duplicates = directed ? removed : removed_other / 2 + removed_loop;
  }
  return g;
}

// --- the edge-list parser -----------------------------------------------------------------------

/// An id of at most 15 bytes packed into two words with its length, so the common short id is
/// hashed and compared as integers, without a visit to the arena.
struct ShortId {
  uint64_t lo = 0, hi = 0;
  static constexpr size_t kMax = 15;
  ShortId() = default;
  explicit ShortId(absl::string_view s) {
    char b[16] = {};
    std::memcpy(b, s.data(), s.size());
    b[15] = static_cast<char>(s.size());  // "ab" and "ab\0" differ
    std::memcpy(&lo, b, 8);
    std::memcpy(&hi, b + 8, 8);
  }
  absl::string_view text(char (&b)[16]) const {
    std::memcpy(b, &lo, 8);
    std::memcpy(b + 8, &hi, 8);
    return absl::string_view(b, static_cast<size_t>(b[15]));
  }
  bool operator==(const ShortId& o) const { return lo == o.lo && hi == o.hi; }
  template <typename H>
  friend H AbslHashValue(H h, const ShortId& k) {
    return H::combine(std::move(h), k.lo, k.hi);
  }
};

/// True if s is a number written the canonical way ("0" or 1–9 digits without a leading zero):
/// such ids ("7" but not "007" or "+7") are looked up in a table indexed by their value.
bool CanonicalNumber(absl::string_view s, uint32_t* value) {
  if (s.empty() || s.size() > 9 || (s[0] == '0' && s.size() > 1)) return false;
  uint32_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  *value = v;
  return true;
}

class EdgeListParser {
 public:
  EdgeListParser(const std::string& path, const EdgeListOptions& o, bool gzip)
      : path_(path), o_(o), gzip_(gzip) {}

  /// Parses the lines in [b, e); the last one may lack its line break (the end of the file).
  absl::Status Parse(const char* b, const char* e) {
    const char* p = b;
    while (p < e) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(e - p)));
      const char* end = nl != nullptr ? nl : e;
      ++line_;
      const char* le = end;
      if (le > p && le[-1] == '\r') --le;
      N2V_RETURN_IF_ERROR(Line(p, le));
      p = nl != nullptr ? nl + 1 : e;
    }
    // The tokens point into the caller's buffer, which is about to be refilled.
    return Flush();
  }

  /// The edges read so far.
  int64_t edges() const { return static_cast<int64_t>(src_.size()); }
  void Reserve(size_t edges) {
    src_.reserve(edges);
    dst_.reserve(edges);
    if (o_.weighted) w_.reserve(edges);
  }

  absl::StatusOr<Graph> Finish(EdgeListStats* stats) {
    N2V_RETURN_IF_ERROR(Flush());
    if (src_.empty()) {
      return absl::InvalidArgumentError(
          comment_or_blank_ == 0
              ? absl::StrCat(path_, ": no edges: the file is empty",
                             gzip_ ? " (it decompresses to nothing)" : "")
              : absl::StrCat(path_, ": no edges: expected lines 'u v", o_.weighted ? " w" : "",
                             "', got only ", comment_or_blank_, " comment or blank lines"));
    }
    const int64_t lines = static_cast<int64_t>(src_.size());
    const int64_t n = static_cast<int64_t>(names_.size());
    // The id tables are done with: give their memory back before the CSR is built.
    short_ids_ = {};
    long_ids_ = {};
    std::vector<int32_t>().swap(by_number_);
    EdgeListStats s;
    N2V_ASSIGN_OR_RETURN(Graph g, BuildCsr(path_, n, std::move(src_), std::move(dst_),
                                           std::move(w_), o_.directed, names_, &s));
    s.lines = lines;
    s.comment_or_blank = comment_or_blank_;
    g.names.reserve(static_cast<size_t>(n));
    for (const absl::string_view name : names_) g.names.emplace_back(name);
    if (stats != nullptr) *stats = s;
    return g;
  }

 private:
  // An id is looked up one of three ways: a canonical number by its value in by_number_ (an
  // array: one access, no hashing, 4 bytes per entry); an id of at most 15 bytes by its ShortId
  // (integer hashing and comparison); a longer one by its text.
  enum class Kind : uint8_t { kNumber, kShort, kLong };
  struct Token {
    absl::string_view text;
    ShortId key;          // kShort and kNumber
    uint32_t number = 0;  // kNumber
    Kind kind = Kind::kLong;
    bool operator==(const Token& o) const {
      if (kind != o.kind) return false;
      switch (kind) {
        case Kind::kNumber: return number == o.number;
        case Kind::kShort: return key == o.key;
        case Kind::kLong: return text == o.text;
      }
      return false;
    }
  };

  // Lines are tokenised into a batch, the batch's ids are prefetched, then interned in file
  // order: a table larger than the cache costs a memory round trip per lookup, and the prefetches
  // let a batch's round trips overlap.
  static constexpr int kBatch = 32;
  struct Pending {
    Token id[2];
    float weight;
    int64_t line;
  };

  static bool Blank(char c) { return c == ' ' || c == '\t'; }

  absl::Status Line(const char* p, const char* le) {
    while (p < le && Blank(*p)) ++p;
    if (p == le || *p == '#') {
      ++comment_or_blank_;
      return absl::OkStatus();
    }
    const char* const line_begin = p;
    absl::string_view tok[3];
    int nt = 0;
    for (;;) {
      const char* s = p;
      while (p < le && !Blank(*p)) ++p;
      if (nt == 3) return ColumnsError(line_begin, le, 4);
      tok[nt++] = absl::string_view(s, static_cast<size_t>(p - s));
      while (p < le && Blank(*p)) ++p;
      if (p == le || *p == '#') break;
    }
    const int want = o_.weighted ? 3 : 2;
    if (nt != want) return ColumnsError(line_begin, le, nt);
    float weight = 1.0f;
    if (o_.weighted) N2V_RETURN_IF_ERROR(Weight(tok[2], &weight));
    Pending& q = batch_[batched_++];
    q.weight = weight;
    q.line = line_;
    for (int i = 0; i < 2; ++i) {
      Token& t = q.id[i];
      t.text = tok[i];
      if (CanonicalNumber(tok[i], &t.number)) {
        t.kind = Kind::kNumber;
        t.key = ShortId(tok[i]);
        if (t.number < by_number_.size()) {
          __builtin_prefetch(&by_number_[t.number]);
        } else {
          short_ids_.prefetch(t.key);
        }
      } else if (tok[i].size() <= ShortId::kMax) {
        t.kind = Kind::kShort;
        t.key = ShortId(tok[i]);
        short_ids_.prefetch(t.key);
      } else {
        t.kind = Kind::kLong;
        long_ids_.prefetch(tok[i]);
      }
    }
    if (batched_ == kBatch) return Flush();
    return absl::OkStatus();
  }

  /// by_number_ grows to cover a number only while its size stays within 4 entries per node seen
  /// so far (plus 2^22, 16 MiB), so sparse numeric ids (hashes, timestamps) use short_ids_.
  /// Invariant: every interned number below by_number_.size() is in by_number_ (GrowByNumber
  /// moves those short_ids_ took while the table was smaller); the others are in short_ids_.
  uint32_t NumberLimit() const {
    return static_cast<uint32_t>(
        std::min<uint64_t>(uint64_t{1} << 30, (uint64_t{1} << 22) + 4 * names_.size()));
  }

  void GrowByNumber(uint32_t number) {
    const size_t old_size = by_number_.size();
    const size_t size = std::max<size_t>(std::bit_ceil(size_t{number} + 1), size_t{1} << 16);
    by_number_.resize(size, -1);
    for (const auto& [key, id] : short_ids_) {
      char b[16];
      uint32_t v;
      if (CanonicalNumber(key.text(b), &v) && v >= old_size && v < size) by_number_[v] = id;
    }
  }

  /// Interns the batch's ids in file order and appends its edges.
  absl::Status Flush() {
    for (int i = 0; i < batched_; ++i) {
      const Pending& q = batch_[i];
      int32_t u, v;
      // Edge lists are often sorted by source: one lookup saved per line. The previous source is
      // kept as a token of its own (a long id's text copied: the buffer it came from may be gone).
      if (last_src_id_ >= 0 && q.id[0] == last_src_) {
        u = last_src_id_;
      } else {
        N2V_RETURN_IF_ERROR(Intern(q.id[0], q.line, "source", &u));
        last_src_id_ = u;
        last_src_ = q.id[0];
        if (last_src_.kind == Kind::kLong) {
          last_src_long_.assign(last_src_.text.data(), last_src_.text.size());
          last_src_.text = last_src_long_;
        }
      }
      N2V_RETURN_IF_ERROR(Intern(q.id[1], q.line, "target", &v));
      if (src_.size() == src_.capacity()) N2V_RETURN_IF_ERROR(Grow(q.line));
      src_.push_back(u);
      dst_.push_back(v);
      if (o_.weighted) w_.push_back(q.weight);
    }
    batched_ = 0;
    return absl::OkStatus();
  }

  /// Doubles the edge arrays' capacity, unless that would take more than the machine's memory:
  /// a file too big to hold fails with a message rather than std::bad_alloc.
  absl::Status Grow(int64_t line) {
    const size_t next = std::max<size_t>(size_t{1} << 12, 2 * src_.capacity());
    const uint64_t bytes = static_cast<uint64_t>(next) * (o_.weighted ? 12 : 8);
    const uint64_t memory = PhysicalMemoryBytes();
    if (bytes > memory) {
      return absl::ResourceExhaustedError(absl::StrCat(
          path_, ":", line, ": not enough memory: holding the ", src_.size(),
          " edges read so far and more needs about ", HumanBytes(bytes), ", more than the ",
          HumanBytes(memory), " of physical memory"));
    }
    Reserve(next);
    return absl::OkStatus();
  }

  absl::Status ColumnsError(const char* b, const char* le, int got) {
    // An earlier line of the batch may hold an earlier error: report errors in file order.
    const int64_t line = line_;
    N2V_RETURN_IF_ERROR(Flush());
    const absl::string_view text(b, static_cast<size_t>(le - b));
    if (!o_.weighted && got == 3) {
      return LineError(path_, line, "columns", "2 (source target)", text,
                       "; pass --weighted to read the third column as the edge weight");
    }
    if (o_.weighted) {
      return LineError(path_, line, "columns", "3 (source target weight) with --weighted", text);
    }
    return LineError(path_, line, "columns", "2 (source target)", text);
  }

  absl::Status Weight(absl::string_view t, float* out) {
    const char* s = t.data();
    const char* end = s + t.size();
    if (s < end && *s == '+') ++s;
    double d = 0;
    const auto [ptr, ec] = std::from_chars(s, end, d);
    // Range-checked in double first: converting a double beyond FLT_MAX to float is undefined.
    const bool ok = ec == std::errc() && ptr == end && d > 0 &&
                    d <= std::numeric_limits<float>::max() && static_cast<float>(d) > 0;
    if (!ok) {
      const int64_t line = line_;
      N2V_RETURN_IF_ERROR(Flush());
      return LineError(path_, line, "weight", "a finite number > 0 that fits a float", t);
    }
    *out = static_cast<float>(d);
    return absl::OkStatus();
  }

  absl::Status Intern(const Token& t, int64_t line, const char* field, int32_t* id) {
    switch (t.kind) {
      case Kind::kNumber:
        if (t.number >= by_number_.size() && t.number < NumberLimit()) GrowByNumber(t.number);
        if (t.number < by_number_.size()) {
          if (by_number_[t.number] >= 0) {
            *id = by_number_[t.number];
            return absl::OkStatus();
          }
          break;
        }
        [[fallthrough]];
      case Kind::kShort:
        if (const auto it = short_ids_.find(t.key); it != short_ids_.end()) {
          *id = it->second;
          return absl::OkStatus();
        }
        break;
      case Kind::kLong:
        if (const auto it = long_ids_.find(t.text); it != long_ids_.end()) {
          *id = it->second;
          return absl::OkStatus();
        }
        break;
    }
    // A new node.
    if (const char* bad = BadId(t.text); *bad != '\0') {
      return LineError(path_, line, field, absl::StrCat("a node id of ", bad), t.text);
    }
    if (static_cast<int64_t>(names_.size()) == kMaxNodes) {
      return CheckCsrFits(absl::StrCat(path_, ":", line), kMaxNodes + 1, edges(), ~uint64_t{0});
    }
    const absl::string_view stored = arena_.Copy(t.text);
    *id = static_cast<int32_t>(names_.size());
    switch (t.kind) {
      case Kind::kNumber:
        if (t.number < by_number_.size()) {
          by_number_[t.number] = *id;
          break;
        }
        [[fallthrough]];
      case Kind::kShort: short_ids_.emplace(t.key, *id); break;
      case Kind::kLong: long_ids_.emplace(stored, *id); break;
    }
    names_.push_back(stored);
    return absl::OkStatus();
  }

  const std::string& path_;
  const EdgeListOptions o_;
  const bool gzip_;
  int64_t line_ = 0, comment_or_blank_ = 0;
  Pending batch_[kBatch];
  int batched_ = 0;
  Arena arena_;
  template <typename K>
  using IdMap = absl::flat_hash_map<K, int32_t, absl::Hash<K>, std::equal_to<K>,
                                    HugePageAllocator<std::pair<const K, int32_t>>>;
  std::vector<int32_t> by_number_;  // dense id of each canonical number, -1 if not seen
  IdMap<ShortId> short_ids_;
  IdMap<absl::string_view> long_ids_;  // keys are views into arena_
  std::vector<absl::string_view> names_;  // by dense id, views into arena_
  Token last_src_;
  int32_t last_src_id_ = -1;  // -1: none yet
  std::string last_src_long_;
  std::vector<int32_t> src_, dst_;
  std::vector<float> w_;
};

absl::StatusOr<int> OpenForRead(const std::string& path, struct stat* st) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string msg = absl::StrCat(path, ": cannot open: ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(msg) : absl::ErrnoToStatus(err, msg);
  }
  if (::fstat(fd, st) != 0) {
    const int err = errno;
    ::close(fd);
    return absl::ErrnoToStatus(err, absl::StrCat(path, ": cannot stat: ", std::strerror(err)));
  }
  if (S_ISDIR(st->st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected a graph file, got a directory"));
  }
  return fd;
}

}  // namespace

// --- public -------------------------------------------------------------------------------------

uint64_t CsrBytesEstimate(int64_t num_nodes, int64_t num_edge_slots) {
  return 8 * (static_cast<uint64_t>(num_nodes) + 1) + 8 * static_cast<uint64_t>(num_edge_slots);
}

uint64_t PhysicalMemoryBytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return ~uint64_t{0};  // unknown: do not refuse
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
}

absl::Status CheckCsrFits(const std::string& where, int64_t num_nodes, int64_t num_edge_slots,
                          uint64_t available_bytes) {
  if (num_nodes > kMaxNodes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        where, ": too many nodes: expected at most 2147483647 (2^31 − 1, the CSR's 32-bit node "
               "ids), got ",
        num_nodes));
  }
  const uint64_t need = CsrBytesEstimate(num_nodes, num_edge_slots);
  if (need > available_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        where, ": not enough memory: the CSR of ", num_nodes, " nodes and ", num_edge_slots,
        " edge slots needs about ", HumanBytes(need), " (", need, " bytes), more than the ",
        HumanBytes(available_bytes), " of physical memory"));
  }
  return absl::OkStatus();
}

namespace {

/// ReadEdgeList on a descriptor opened by the caller (ReadGraph opens once: a pipe can be read
/// only once).
absl::StatusOr<Graph> ReadEdgeListFrom(const std::string& path, int fd, const struct stat& st,
                                       const EdgeListOptions& o, EdgeListStats* stats) {
  const uint64_t file_size = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
  TextSource source(path, fd, file_size);
  N2V_RETURN_IF_ERROR(source.Open());
  EdgeListParser parser(path, o, source.gzip());

  // Blocks of text are read (and inflated) by a second thread while this one parses the previous
  // block: two buffers, one handed over at a time through a future. 16 MiB blocks; a small plain
  // file gets one block its size (+1: the block that comes back short says "end of file"), a
  // small gzip file a few times its size.
  size_t cap = size_t{16} << 20;
  if (file_size > 0) {
    cap = std::min<uint64_t>(cap, source.gzip() ? std::max<uint64_t>(4 * file_size, 1 << 16)
                                                : file_size + 1);
  }
  std::unique_ptr<char[]> bufs[2] = {std::unique_ptr<char[]>(new char[cap]),
                                     std::unique_ptr<char[]>(new char[cap])};
  /// Fills a whole block unless the text ends first.
  const auto fill = [&source, cap](char* dst) -> absl::StatusOr<size_t> {
    size_t have = 0;
    while (have < cap) {
      N2V_ASSIGN_OR_RETURN(const size_t got, source.Read(dst + have, cap - have));
      if (got == 0) break;
      have += got;
    }
    return have;
  };
  // Declared after what the reading thread uses, so that an early return waits for that thread
  // (a std::async future blocks in its destructor) before source and bufs go away.
  std::future<absl::StatusOr<size_t>> next;

  // The unfinished last line of a block waits in `carry` for the rest of it.
  std::string carry;
  N2V_ASSIGN_OR_RETURN(size_t got, fill(bufs[0].get()));
  const char* b = bufs[0].get();
  if (got >= sizeof(kCsrMagic) && std::memcmp(b, kCsrMagic, sizeof(kCsrMagic)) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": expected a text edge list, got an n2v CSR file",
        source.gzip() ? " compressed with gzip (decompress it and read it as a graph)"
                      : " (read it as a graph, not as an edge list)"));
  }
  bool bom = got >= 3 && std::memcmp(b, "\xEF\xBB\xBF", 3) == 0;  // UTF-8 byte-order mark
  if (S_ISREG(st.st_mode) && got == cap && source.consumed() > 0) {
    // Size the edge arrays from the first block's line length and the file's size (times the
    // compression ratio so far for gzip), so they are not copied as they grow.
    const int64_t nl = std::count(b, b + got, '\n');
    if (nl > 0) {
      const double text_total = static_cast<double>(file_size) * static_cast<double>(got) /
                                static_cast<double>(source.consumed());
      const double per_line = static_cast<double>(got) / static_cast<double>(nl);
      // At most one edge per 4 bytes ("a b\n") and half the memory: the guess only saves
      // copies, it must not reserve what a file of blank lines would never use.
      const double most = std::min(text_total / 4.0, static_cast<double>(PhysicalMemoryBytes()) /
                                                         (o.weighted ? 24.0 : 16.0));
      parser.Reserve(static_cast<size_t>(std::min(1.1 * text_total / per_line, most)));
    }
  }
  for (int cur = 0;; cur ^= 1) {
    const bool eof = got < cap;
    if (!eof) {
      next = std::async(std::launch::async, fill, bufs[cur ^ 1].get());
    }
    b = bufs[cur].get();
    const char* const e = b + got;
    if (bom) {
      b += 3;
      bom = false;
    }
    if (!carry.empty()) {
      // The line begun in the previous block ends at this block's first line break.
      const char* nl = static_cast<const char*>(std::memchr(b, '\n', static_cast<size_t>(e - b)));
      const char* end = nl != nullptr ? nl + 1 : e;
      carry.append(b, static_cast<size_t>(end - b));
      b = end;
      if (nl != nullptr || eof) {
        N2V_RETURN_IF_ERROR(parser.Parse(carry.data(), carry.data() + carry.size()));
        carry.clear();
      }
    }
    // Up to the last line break; at the end of the text, everything.
    const char* cut = e;
    if (!eof) {
      while (cut > b && cut[-1] != '\n') --cut;
    }
    N2V_RETURN_IF_ERROR(parser.Parse(b, cut));
    carry.append(cut, static_cast<size_t>(e - cut));
    if (eof) break;
    N2V_ASSIGN_OR_RETURN(got, next.get());
  }
  bufs[0].reset();
  bufs[1].reset();
  return parser.Finish(stats);
}

}  // namespace

absl::StatusOr<Graph> ReadEdgeList(const std::string& path, const EdgeListOptions& o,
                                   EdgeListStats* stats) {
  struct stat st {};
  N2V_ASSIGN_OR_RETURN(const int raw_fd, OpenForRead(path, &st));
  Fd fd{raw_fd};
  return ReadEdgeListFrom(path, fd.fd, st, o, stats);
}

absl::StatusOr<Graph> ReadGraph(const std::string& path, const EdgeListOptions& o,
                                EdgeListStats* stats) {
  struct stat st {};
  N2V_ASSIGN_OR_RETURN(const int raw_fd, OpenForRead(path, &st));
  Fd fd{raw_fd};
  // Only a regular file can be looked at and read again; anything else is read as an edge list.
  char head[sizeof(kCsrMagic)] = {};
  if (S_ISREG(st.st_mode) && ::pread(fd.fd, head, sizeof(head), 0) == sizeof(head) &&
      std::memcmp(head, kCsrMagic, sizeof(kCsrMagic)) == 0) {
    N2V_ASSIGN_OR_RETURN(Graph g, ReadCsr(path));
    if (stats != nullptr) {
      *stats = EdgeListStats{};
      stats->edges = g.num_edges();
    }
    return g;
  }
  return ReadEdgeListFrom(path, fd.fd, st, o, stats);
}

absl::StatusOr<Graph> GraphFromEdges(int32_t num_nodes, std::vector<int32_t> src,
                                     std::vector<int32_t> dst, std::vector<float> w, bool directed,
                                     std::vector<std::string> names, EdgeListStats* stats,
                                     std::string_view where_view) {
  const std::string where(where_view);
  if (num_nodes < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": num_nodes: expected >= 0, got ", num_nodes));
  }
  if (src.size() != dst.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": dst: expected one per source (", src.size(), "), got ", dst.size()));
  }
  if (!w.empty() && w.size() != src.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": weights: expected none or one per edge (", src.size(), "), got ", w.size()));
  }
  if (!names.empty() && names.size() != static_cast<size_t>(num_nodes)) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": names: expected none or one per node (", num_nodes, "), got ", names.size()));
  }
  for (size_t e = 0; e < src.size(); ++e) {
    for (const auto& [field, id] : {std::pair{"src", src[e]}, std::pair{"dst", dst[e]}}) {
      if (id < 0 || id >= num_nodes) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": edge ", e, ": ", field,
                                                       ": expected a node id in [0, ", num_nodes,
                                                       "), got ", id));
      }
    }
    if (!w.empty() && (!std::isfinite(w[e]) || !(w[e] > 0))) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": edge ", e, ": weight: expected a finite number > 0, got ", w[e]));
    }
  }
  std::vector<absl::string_view> views(names.begin(), names.end());
  {
    absl::flat_hash_set<absl::string_view> seen;
    seen.reserve(views.size());
    for (size_t v = 0; v < views.size(); ++v) {
      if (!seen.insert(views[v]).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": names: expected distinct names, got '", ShownText(views[v]), "' twice (node ",
            v, ")"));
      }
    }
  }
  N2V_ASSIGN_OR_RETURN(Graph g, BuildCsr(where, num_nodes, std::move(src), std::move(dst),
                                         std::move(w), directed, views, stats));
  g.names = std::move(names);
  return g;
}

absl::Status WriteEdgeList(const std::string& path, const Graph& g, bool weighted) {
  N2V_ASSIGN_OR_RETURN(AtomicFileWriter w, AtomicFileWriter::Open(path));
  std::string& out = w.buffer();
  for (int32_t u = 0; u < g.num_nodes(); ++u) {
    for (int64_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      const int32_t v = g.neighbors[e];
      if (!g.directed && v < u) continue;  // undirected: each edge once
      absl::StrAppend(&out, g.names[u], " ", g.names[v]);
      if (weighted) absl::StrAppend(&out, " ", g.weights[e]);
      out += '\n';
    }
    N2V_RETURN_IF_ERROR(w.MaybeFlush());
  }
  return w.Commit();
}

}  // namespace n2v
