// What every text reader's error looks like — "<file>:<line>: <field>: expected <what>, got
// '<text>'<note>" — with the offending text shown on one line of valid UTF-8. Shared by the
// ratings/movies, edge-list, node-label and embeddings readers so that their messages agree.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "n2v/utf8.hpp"

namespace n2v {

/// `text` as it can be shown in a one-line message: tab, CR and LF as \t \r \n, other control
/// bytes and bytes that are not UTF-8 as \xNN, cut after `max_bytes` (at a character boundary)
/// with "...".
inline std::string ShownText(absl::string_view text, size_t max_bytes = 60) {
  std::string out;
  size_t i = 0;
  while (i < text.size() && i < max_bytes) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t len = Utf8SequenceLength(text, i);
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (len == 0 || c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out.append(text.data() + i, len);
      i += len;
      continue;
    }
    ++i;
  }
  if (i < text.size()) out += "...";
  return out;
}

/// InvalidArgument "<file>:<line>: <field>: expected <expected>, got '<got>'<note>".
inline absl::Status LineError(const std::string& file, int64_t line, absl::string_view field,
                              absl::string_view expected, absl::string_view got,
                              absl::string_view note = {}) {
  return absl::InvalidArgumentError(absl::StrCat(file, ":", line, ": ", field, ": expected ",
                                                 expected, ", got '", ShownText(got), "'", note));
}

}  // namespace n2v
