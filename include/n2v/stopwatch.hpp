// Wall-clock stopwatch in milliseconds, for the stage times the engine reports and the CLI prints.
#pragma once

#include <chrono>

namespace n2v {

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  /// Milliseconds since construction or the last Lap().
  double ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
        .count();
  }
  /// ms(), then restarts.
  double Lap() {
    const double t = ms();
    start_ = std::chrono::steady_clock::now();
    return t;
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace n2v
