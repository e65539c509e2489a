// A small JSON writer for run.json and --json outputs: values are appended in order, strings
// are escaped per RFC 8259, non-finite numbers become null.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace n2v {

class JsonWriter {
 public:
  JsonWriter& BeginObject() { Sep(); out_ += '{'; stack_.push_back(true); return *this; }
  JsonWriter& EndObject() { stack_.pop_back(); out_ += '}'; return *this; }
  JsonWriter& BeginArray() { Sep(); out_ += '['; stack_.push_back(true); return *this; }
  JsonWriter& EndArray() { stack_.pop_back(); out_ += ']'; return *this; }
  JsonWriter& Key(std::string_view k) { Sep(); Str(k); out_ += ':'; after_key_ = true; return *this; }
  JsonWriter& String(std::string_view s) { Sep(); Str(s); return *this; }
  JsonWriter& Bool(bool b) { Sep(); out_ += b ? "true" : "false"; return *this; }
  JsonWriter& Int(int64_t v) { Sep(); out_ += std::to_string(v); return *this; }
  JsonWriter& Double(double v);
  const std::string& str() const { return out_; }

 private:
  void Sep() {
    if (after_key_) { after_key_ = false; return; }
    if (!stack_.empty()) {
      if (!stack_.back()) out_ += ',';
      stack_.back() = false;
    }
  }
  void Str(std::string_view s);
  std::string out_;
  std::vector<bool> stack_;  // per open container: "no element written yet"
  bool after_key_ = false;
};

/// Escapes a string for JSON (quotes included).
std::string JsonQuote(std::string_view s);

}  // namespace n2v
