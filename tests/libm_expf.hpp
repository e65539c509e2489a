// Whether this process's libm is glibc 2.28 or newer: the expf whose algorithm the GPU's exact
// SGD launch (cuda/sgd.cu) and the CPU's vector σ (cpu/sigmoid_lanes.hpp) reproduce bit for bit.
// Tests compare bits there and allow an ulp elsewhere.
#pragma once

#include <cstdio>
#include <string>
#if __has_include(<gnu/libc-version.h>)
#include <gnu/libc-version.h>
#define N2V_HAVE_GLIBC_VERSION 1
#endif

namespace n2v::testing {

inline std::string LibcVersion() {
#if defined(N2V_HAVE_GLIBC_VERSION)
  return gnu_get_libc_version();
#else
  return "?";
#endif
}

inline bool HostExpfIsGlibcs() {
#if defined(N2V_HAVE_GLIBC_VERSION)
  int major = 0, minor = 0;
  if (std::sscanf(gnu_get_libc_version(), "%d.%d", &major, &minor) != 2) return false;
  return major > 2 || (major == 2 && minor >= 28);
#else
  return false;
#endif
}

}  // namespace n2v::testing
