// Pieces the binary file formats share (the CSR file, SGD checkpoints, partition checksums):
// zlib's CRC-32 over any length, a read that retries until it has every byte, and a descriptor
// closed however the reader leaves. Internal to the front end.
#pragma once

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace n2v::file_io {

/// zlib's crc32 continued over `size` bytes; fed in pieces, because its length is 32-bit, so that
/// bodies over 4 GiB checksum right. Start with ::crc32(0, nullptr, 0).
inline uint32_t Crc32(uint32_t crc, const void* data, size_t size) {
  const auto* p = static_cast<const Bytef*>(data);
  while (size > 0) {
    const uInt chunk = static_cast<uInt>(std::min<size_t>(size, size_t{1} << 30));
    crc = static_cast<uint32_t>(::crc32(crc, p, chunk));
    p += chunk;
    size -= chunk;
  }
  return crc;
}

/// Reads exactly `size` bytes at the file position (retrying on EINTR); false on a short read.
inline bool ReadFully(int fd, void* data, size_t size) {
  auto* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = ::read(fd, p, std::min<size_t>(size, size_t{1} << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

/// Closes the descriptor when the reader leaves, however it leaves.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace n2v::file_io
