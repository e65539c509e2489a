// The CSR file (docs/DESIGN.md, decision 4): a 64-byte header, then offsets, neighbours, weights,
// name offsets and name bytes, each array 8- or 4-byte aligned so the file can be mapped as is.
// Writes are built in memory and replaced atomically; reads check every invariant the walkers
// rely on before returning. Twin: none (front end). Single-threaded.
#include "n2v/csr_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "n2v/atomic_file.hpp"
#include "n2v/partition.hpp"
#include "file_io.hpp"
#include "n2v/status.hpp"

namespace n2v {
namespace {

using file_io::Crc32;
using file_io::FdCloser;
using file_io::ReadFully;

// The arrays are written as the host lays them out; every machine this targets (x86-64, aarch64,
// the GPUs) is little-endian, which is what the format specifies.
static_assert(std::endian::native == std::endian::little, "the CSR file is little-endian");

constexpr char kMagic[8] = {'N', '2', 'V', 'C', 'S', 'R', '\0', '\1'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kFlagDirected = 1u << 0;
constexpr uint32_t kFlagHasNames = 1u << 1;
constexpr uint32_t kKnownFlags = kFlagDirected | kFlagHasNames;

struct FileHeader {
  char magic[8];
  uint32_t version;
  uint32_t flags;
  uint64_t num_nodes;
  uint64_t num_edge_slots;
  uint64_t names_bytes;
  uint32_t crc32;  // of every byte after the header
  uint8_t reserved[20];
};
static_assert(sizeof(FileHeader) == 64, "the header is 64 bytes");

/// Bytes of the body (everything after the header); the caller has bounded n and m.
uint64_t BodyBytes(uint64_t n, uint64_t m, uint64_t names_bytes) {
  return 8 * (n + 1) + 4 * m + 4 * m + 8 * (n + 1) + names_bytes;
}

absl::Status Invalid(const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

/// The rows [v0, v1) of a graph of n nodes: ids in [0, n), sorted, weights finite and > 0.
/// offsets[i] (i in [0, v1 − v0]) bounds row v0 + i in the arrays given, whose slot 0 is the
/// graph's slot `base` (what the messages name).
absl::Status ValidateRows(const std::string& where, const int64_t* offsets,
                          const int32_t* neighbors, const float* weights, int64_t n, int64_t v0,
                          int64_t v1, int64_t base) {
  for (int64_t v = v0; v < v1; ++v) {
    for (int64_t i = offsets[v - v0]; i < offsets[v - v0 + 1]; ++i) {
      const int64_t e = base + i;
      if (neighbors[i] < 0 || neighbors[i] >= n) {
        return Invalid(where, absl::StrCat("neighbors: expected node ids in [0, ", n, "), got ",
                                           neighbors[i], " at slot ", e, " (row ", v, ")"));
      }
      // Rows must be sorted: "is x a neighbour of the previous node" is a binary search.
      if (i > offsets[v - v0] && neighbors[i] < neighbors[i - 1]) {
        return Invalid(where,
                       absl::StrCat("row ", v, ": expected neighbours sorted ascending, got ",
                                    neighbors[i], " after ", neighbors[i - 1]));
      }
      if (!std::isfinite(weights[i]) || !(weights[i] > 0)) {
        return Invalid(where, absl::StrCat("weights: expected finite values > 0, got ", weights[i],
                                           " at slot ", e, " (row ", v, ")"));
      }
    }
  }
  return absl::OkStatus();
}

/// offsets[v] after offsets[v − 1] (v >= 1) in a graph of m slots, or offsets[0] (v = 0).
absl::Status CheckOffset(const std::string& where, int64_t v, int64_t prev, int64_t cur,
                         int64_t n, int64_t m) {
  if (v == 0) {
    if (cur != 0) return Invalid(where, absl::StrCat("offsets: expected offsets[0] = 0, got ", cur));
    return absl::OkStatus();
  }
  if (cur < prev || cur > m) {
    return Invalid(where, absl::StrCat("offsets: expected non-decreasing values in [0, ", m,
                                       "], got offsets[", v, "] = ", cur, " after offsets[", v - 1,
                                       "] = ", prev));
  }
  if (v == n && cur != m) {
    return Invalid(where, absl::StrCat("offsets: expected offsets[", n, "] = ", m,
                                       " (the edge slot count), got ", cur));
  }
  return absl::OkStatus();
}

/// The invariants walks and training rely on. `where` prefixes every message (the file name).
absl::Status ValidateCsr(const std::string& where, const int64_t* offsets, const int32_t* neighbors,
                         const float* weights, int64_t n, int64_t m) {
  for (int64_t v = 0; v <= n; ++v) {
    N2V_RETURN_IF_ERROR(CheckOffset(where, v, v > 0 ? offsets[v - 1] : 0, offsets[v], n, m));
  }
  return ValidateRows(where, offsets, neighbors, weights, n, 0, n, 0);
}

// --- reading ------------------------------------------------------------------------------------

}  // namespace

absl::Status WriteCsr(const std::string& path, const Graph& g) {
  const std::string where = absl::StrCat(path, ": cannot write");
  if (g.offsets.empty()) return Invalid(where, "offsets: expected num_nodes + 1 values, got none");
  const int64_t n64 = static_cast<int64_t>(g.offsets.size()) - 1;
  if (n64 > std::numeric_limits<int32_t>::max()) {
    return Invalid(where, absl::StrCat("expected at most 2^31 − 1 nodes, got ", n64));
  }
  const int64_t n = n64;
  const int64_t m = g.num_edge_slots();
  if (static_cast<int64_t>(g.weights.size()) != m) {
    return Invalid(where, absl::StrCat("weights: expected one per edge slot (", m, "), got ",
                                       g.weights.size()));
  }
  if (!g.names.empty() && static_cast<int64_t>(g.names.size()) != n) {
    return Invalid(where, absl::StrCat("names: expected none or one per node (", n, "), got ",
                                       g.names.size()));
  }
  // Never write a file ReadCsr would reject.
  N2V_RETURN_IF_ERROR(
      ValidateCsr(where, g.offsets.data(), g.neighbors.data(), g.weights.data(), n, m));

  std::vector<uint64_t> name_offsets(static_cast<size_t>(n) + 1, 0);
  for (int64_t v = 0; v < static_cast<int64_t>(g.names.size()); ++v) {
    name_offsets[v + 1] = name_offsets[v] + g.names[v].size();
  }
  const uint64_t names_bytes = name_offsets[n];

  const uint64_t body = BodyBytes(n, m, names_bytes);
  std::string file(sizeof(FileHeader) + body, '\0');
  char* p = file.data() + sizeof(FileHeader);
  const auto put = [&p](const void* src, size_t bytes) {
    if (bytes > 0) std::memcpy(p, src, bytes);
    p += bytes;
  };
  put(g.offsets.data(), 8 * (n + 1));
  put(g.neighbors.data(), 4 * m);
  put(g.weights.data(), 4 * m);
  put(name_offsets.data(), 8 * (n + 1));
  for (const std::string& name : g.names) put(name.data(), name.size());
  N2V_CHECK(p == file.data() + file.size());

  FileHeader h{};
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.version = kVersion;
  h.flags = (g.directed ? kFlagDirected : 0) | (g.names.empty() ? 0 : kFlagHasNames);
  h.num_nodes = static_cast<uint64_t>(n);
  h.num_edge_slots = static_cast<uint64_t>(m);
  h.names_bytes = names_bytes;
  h.crc32 = Crc32(::crc32(0, nullptr, 0), file.data() + sizeof(FileHeader), body);
  std::memcpy(file.data(), &h, sizeof(h));
  return WriteFileAtomic(path, file);
}

namespace {

/// Opens `path` for reading and checks its header against the file's size: what ReadCsr and
/// ReadCsrPart share. On success *fd is open (the caller closes it) and at the body.
absl::StatusOr<FileHeader> OpenCsr(const std::string& path, int* fd_out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string msg = absl::StrCat(path, ": cannot open: ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(msg) : absl::ErrnoToStatus(err, msg);
  }
  *fd_out = fd;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    return absl::ErrnoToStatus(err, absl::StrCat(path, ": cannot stat: ", std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode)) return Invalid(path, "expected a regular file");
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);

  // --- header --------------------------------------------------------------------------------
  FileHeader h{};
  const size_t head = static_cast<size_t>(std::min<uint64_t>(file_size, sizeof(h)));
  if (!ReadFully(fd, &h, head)) {
    return absl::DataLossError(absl::StrCat(path, ": read failed: ", std::strerror(errno)));
  }
  if (head < sizeof(kMagic) || std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0) {
    std::string got;
    for (size_t i = 0; i < std::min(head, sizeof(kMagic)); ++i) {
      absl::StrAppend(&got, absl::StrFormat("%02x", static_cast<unsigned char>(h.magic[i])));
    }
    return Invalid(path, absl::StrCat("not an n2v CSR file: expected magic \"N2VCSR\\0\\1\" "
                                      "(4e32564353520001), got ",
                                      got.empty() ? "an empty file" : got));
  }
  if (head < sizeof(h)) {
    return absl::DataLossError(absl::StrCat(path, ": truncated: expected a ", sizeof(h),
                                            "-byte header, got ", file_size, " bytes"));
  }
  if (h.version != kVersion) {
    return Invalid(path,
                   absl::StrCat("unsupported version: expected ", kVersion, ", got ", h.version));
  }
  if ((h.flags & ~kKnownFlags) != 0) {
    return Invalid(path, absl::StrFormat("unknown flags: expected bits within 0x%x, got 0x%x",
                                         kKnownFlags, h.flags));
  }
  // The checksum does not cover the header, so its padding is checked for the zeros written.
  for (const uint8_t b : h.reserved) {
    if (b != 0) return Invalid(path, "header padding: expected zero bytes, got non-zero ones");
  }
  if (h.num_nodes > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    return Invalid(path, absl::StrCat("num_nodes: expected at most 2^31 − 1, got ", h.num_nodes));
  }
  // Bounded by the file size before any arithmetic on them, so BodyBytes cannot overflow.
  const uint64_t body_size = file_size - sizeof(h);
  if (h.num_edge_slots > body_size / 8 || h.names_bytes > body_size) {
    return absl::DataLossError(absl::StrCat(path, ": truncated: header says ", h.num_nodes,
                                            " nodes, ", h.num_edge_slots, " edge slots and ",
                                            h.names_bytes, " name bytes, more than the ", file_size,
                                            "-byte file holds"));
  }
  const uint64_t expected_body = BodyBytes(h.num_nodes, h.num_edge_slots, h.names_bytes);
  if (body_size != expected_body) {
    const std::string msg = absl::StrCat(
        path, ": ", body_size < expected_body ? "truncated" : "trailing bytes", ": expected ",
        sizeof(h) + expected_body, " bytes for ", h.num_nodes, " nodes, ", h.num_edge_slots,
        " edge slots and ", h.names_bytes, " name bytes, got ", file_size);
    return body_size < expected_body ? absl::DataLossError(msg) : absl::InvalidArgumentError(msg);
  }
  if ((h.flags & kFlagHasNames) == 0 && h.names_bytes != 0) {
    return Invalid(path, absl::StrCat("names_bytes: expected 0 when the names flag is clear, got ",
                                      h.names_bytes));
  }

  return h;
}

/// Checks the name offsets [n + 1] against the header and turns them into one name per node
/// (none when the names flag is clear).
absl::Status NamesFrom(const std::string& path, const FileHeader& h,
                       const std::vector<uint64_t>& name_offsets, const std::string& name_bytes,
                       std::vector<std::string>* names) {
  const int64_t n = static_cast<int64_t>(h.num_nodes);
  if (name_offsets[0] != 0) {
    return Invalid(
        path, absl::StrCat("name_offsets: expected name_offsets[0] = 0, got ", name_offsets[0]));
  }
  for (int64_t v = 0; v < n; ++v) {
    if (name_offsets[v + 1] < name_offsets[v] || name_offsets[v + 1] > h.names_bytes) {
      return Invalid(
          path, absl::StrCat("name_offsets: expected non-decreasing values in [0, ", h.names_bytes,
                             "], got name_offsets[", v + 1, "] = ", name_offsets[v + 1],
                             " after name_offsets[", v, "] = ", name_offsets[v]));
    }
  }
  if (name_offsets[n] != h.names_bytes) {
    return Invalid(path, absl::StrCat("name_offsets: expected name_offsets[", n, "] = ",
                                      h.names_bytes, " (names_bytes), got ", name_offsets[n]));
  }
  if ((h.flags & kFlagHasNames) != 0) {
    names->reserve(static_cast<size_t>(n));
    for (int64_t v = 0; v < n; ++v) {
      names->emplace_back(name_bytes.data() + name_offsets[v],
                          name_offsets[v + 1] - name_offsets[v]);
    }
  }
  return absl::OkStatus();
}

absl::Status ChecksumMismatch(const std::string& path, uint32_t expected, uint32_t got) {
  return absl::DataLossError(absl::StrFormat(
      "%s: checksum mismatch: expected crc32 %08x (from the header), got %08x; the file is "
      "corrupt",
      path, expected, got));
}

}  // namespace

absl::StatusOr<Graph> ReadCsr(const std::string& path) {
  int fd = -1;
  absl::StatusOr<FileHeader> header = OpenCsr(path, &fd);
  FdCloser closer{fd};
  if (!header.ok()) return header.status();
  const FileHeader& h = *header;

  // --- body: straight into the graph's arrays, checksummed as it arrives ---------------------
  const int64_t n = static_cast<int64_t>(h.num_nodes);
  const int64_t m = static_cast<int64_t>(h.num_edge_slots);
  Graph g;
  g.directed = (h.flags & kFlagDirected) != 0;
  g.offsets.resize(static_cast<size_t>(n) + 1);
  g.neighbors.resize(static_cast<size_t>(m));
  g.weights.resize(static_cast<size_t>(m));
  std::vector<uint64_t> name_offsets(static_cast<size_t>(n) + 1);
  std::string name_bytes(static_cast<size_t>(h.names_bytes), '\0');
  uint32_t crc = ::crc32(0, nullptr, 0);
  const auto read = [&](void* dst, size_t bytes) {
    if (!ReadFully(fd, dst, bytes)) return false;
    crc = Crc32(crc, dst, bytes);
    return true;
  };
  if (!read(g.offsets.data(), 8 * (n + 1)) || !read(g.neighbors.data(), 4 * m) ||
      !read(g.weights.data(), 4 * m) || !read(name_offsets.data(), 8 * (n + 1)) ||
      !read(name_bytes.data(), name_bytes.size())) {
    return absl::DataLossError(absl::StrCat(path, ": read failed (file changed while read?)"));
  }
  if (crc != h.crc32) return ChecksumMismatch(path, h.crc32, crc);
  N2V_RETURN_IF_ERROR(
      ValidateCsr(path, g.offsets.data(), g.neighbors.data(), g.weights.data(), n, m));
  N2V_RETURN_IF_ERROR(NamesFrom(path, h, name_offsets, name_bytes, &g.names));
  return g;
}

bool IsCsrFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  FdCloser closer{fd};
  struct stat st {};
  char head[sizeof(kMagic)] = {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ReadFully(fd, head, sizeof(head)) &&
         std::memcmp(head, kMagic, sizeof(kMagic)) == 0;
}

absl::StatusOr<GraphPart> ReadCsrPart(const std::string& path, int rank, int parts,
                                      bool keep_names) {
  if (parts < 1 || rank < 0 || rank >= parts) {
    return absl::InvalidArgumentError(
        absl::StrCat("ReadCsrPart: expected 0 <= rank < parts, got rank ", rank, " of ", parts));
  }
  int fd = -1;
  absl::StatusOr<FileHeader> header = OpenCsr(path, &fd);
  FdCloser closer{fd};
  if (!header.ok()) return header.status();
  const FileHeader& h = *header;
  const int64_t n = static_cast<int64_t>(h.num_nodes);
  const int64_t m = static_cast<int64_t>(h.num_edge_slots);
  GraphPart part;
  part.num_nodes = static_cast<int32_t>(n);
  part.num_edge_slots = m;
  part.directed = (h.flags & kFlagDirected) != 0;
  part.rank = rank;
  part.offsets.clear();

  // The body is read once, in blocks, and checksummed whole; only this rank's rows are kept.
  constexpr size_t kBlock = size_t{1} << 20;  // elements
  uint32_t crc = ::crc32(0, nullptr, 0);
  const auto read = [&](void* dst, size_t bytes) {
    if (!ReadFully(fd, dst, bytes)) return false;
    crc = Crc32(crc, dst, bytes);
    return true;
  };
  const absl::Status read_failed =
      absl::DataLossError(absl::StrCat(path, ": read failed (file changed while read?)"));

  // Offsets: checked one by one, fed to the splitter, and this rank's range kept.
  // A bad offset is reported after the checksum, as ReadCsr does: corruption is named as such.
  const auto drain = [&](uint64_t left) -> absl::Status {
    std::vector<char> block(8 * kBlock);
    while (left > 0) {
      const size_t count = static_cast<size_t>(std::min<uint64_t>(block.size(), left));
      if (!read(block.data(), count)) return read_failed;
      left -= count;
    }
    return absl::OkStatus();
  };
  NodeSplitter split(static_cast<int32_t>(n), m, parts);
  {
    std::vector<int64_t> block(std::min<size_t>(kBlock, static_cast<size_t>(n) + 1));
    int64_t prev = 0;
    bool done = false;
    absl::Status bad_offset;
    for (int64_t start = 0; start <= n;) {
      const size_t count = static_cast<size_t>(std::min<int64_t>(kBlock, n + 1 - start));
      if (!read(block.data(), 8 * count)) return read_failed;
      for (size_t i = 0; i < count && bad_offset.ok(); ++i) {
        const int64_t at = start + static_cast<int64_t>(i);
        const int64_t off = block[i];
        bad_offset = CheckOffset(path, at, prev, off, n, m);
        if (!bad_offset.ok()) break;
        prev = off;
        split.Feed(static_cast<int32_t>(at), off);
        if (done || !split.known(rank) || at < split.bounds()[rank]) continue;
        part.offsets.push_back(off);
        done = split.known(rank + 1) && at >= split.bounds()[rank + 1];
      }
      start += static_cast<int64_t>(count);
    }
    if (!bad_offset.ok()) {
      N2V_RETURN_IF_ERROR(drain(8 * static_cast<uint64_t>(m) + 8 * (n + 1) + h.names_bytes));
      if (crc != h.crc32) return ChecksumMismatch(path, h.crc32, crc);
      return bad_offset;
    }
  }
  part.bounds = split.bounds();
  const int64_t lo = part.offsets.front(), hi = part.offsets.back();

  // Neighbours, then weights: the slots [lo, hi) are this rank's.
  const auto slots = [&](auto* kept, auto elem) -> absl::Status {
    using T = decltype(elem);
    kept->resize(static_cast<size_t>(hi - lo));
    std::vector<T> block(std::min<size_t>(kBlock, static_cast<size_t>(m)));
    for (int64_t at = 0; at < m;) {
      const int64_t count = std::min<int64_t>(kBlock, m - at);
      // This rank's slots go straight into place; the others through the block.
      const bool inside = at >= lo && at + count <= hi;
      T* dst = inside ? kept->data() + (at - lo) : block.data();
      if (!read(dst, sizeof(T) * static_cast<size_t>(count))) return read_failed;
      if (!inside) {
        const int64_t a = std::max(at, lo), b = std::min(at + count, hi);
        if (a < b) std::memcpy(kept->data() + (a - lo), block.data() + (a - at), sizeof(T) * (b - a));
      }
      at += count;
    }
    return absl::OkStatus();
  };
  N2V_RETURN_IF_ERROR(slots(&part.neighbors, int32_t{}));
  N2V_RETURN_IF_ERROR(slots(&part.weights, float{}));

  // Names: all of them on the rank that keeps them; the others only checksum them.
  std::vector<uint64_t> name_offsets;
  std::string name_bytes;
  if (keep_names) {
    name_offsets.resize(static_cast<size_t>(n) + 1);
    name_bytes.resize(static_cast<size_t>(h.names_bytes));
    if (!read(name_offsets.data(), 8 * (n + 1)) || !read(name_bytes.data(), name_bytes.size())) {
      return read_failed;
    }
  } else {
    N2V_RETURN_IF_ERROR(drain(8 * (n + 1) + h.names_bytes));
  }
  if (crc != h.crc32) return ChecksumMismatch(path, h.crc32, crc);
  for (int64_t& off : part.offsets) off -= lo;
  N2V_RETURN_IF_ERROR(ValidateRows(path, part.offsets.data(), part.neighbors.data(),
                                   part.weights.data(), n, part.first(), part.end(), lo));
  if (keep_names) N2V_RETURN_IF_ERROR(NamesFrom(path, h, name_offsets, name_bytes, &part.names));
  part.checksum = PartChecksum(h.crc32, part.num_nodes, m, part.directed);
  return part;
}

}  // namespace n2v
