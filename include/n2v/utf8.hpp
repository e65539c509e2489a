// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), shared by the
// text readers: names and titles end up in TSV, JSON and word2vec exports, where a stray Latin-1
// byte breaks the consumer, so every reader refuses it at the line that holds it.
#pragma once

#include <cstddef>

namespace n2v {

// Templates over the text type: std::string, std::string_view and Debian's absl::string_view (a
// type of its own there) alike.

/// Length (1 to 4) of the valid UTF-8 sequence starting at s[i], or 0 when the bytes there are
/// not one (including a sequence cut by the end of s).
template <typename Text>
size_t Utf8SequenceLength(const Text& s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  return len;
}

/// True when all of s is valid UTF-8.
template <typename Text>
bool IsValidUtf8(const Text& s) {
  for (size_t i = 0; i < s.size();) {
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace n2v
