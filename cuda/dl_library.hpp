// Loading a CUDA library on first use (cuBLAS, NCCL): dlopen by soname, then from the directory
// the build found it in, and each entry point bound by name. Plain C++ (no CUDA); the callers
// word their own errors.
#pragma once

#include <dlfcn.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace n2v::cuda {

/// dlopen(`soname`), then dlopen(`fallback_dir`/`soname`) when fallback_dir is not null; nullptr
/// with both loaders' messages in *why when neither loads. The library is never closed.
inline void* OpenLibrary(const char* soname, const char* fallback_dir, std::string* why) {
  dlerror();  // clears an earlier error
  void* lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (lib != nullptr) return lib;
  const char* first = dlerror();
  *why = first != nullptr ? first : "not found";
  if (fallback_dir != nullptr) {
    const std::string path = absl::StrCat(fallback_dir, "/", soname);
    lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* second = dlerror();
      absl::StrAppend(why, "; ", second != nullptr ? second : path + ": not found");
    }
  }
  return lib;
}

/// *out = the entry point `name` of `lib`; a missing one is appended to *missing (", "-separated).
template <typename F>
void BindSymbol(void* lib, const char* name, F* out, std::string* missing) {
  *out = reinterpret_cast<F>(dlsym(lib, name));
  if (*out == nullptr) absl::StrAppend(missing, missing->empty() ? "" : ", ", name);
}

/// A library's table of entry points, or why it could not be had.
template <typename Api>
struct LoadedLibrary {
  Api api{};
  absl::Status status;
};

/// Opens `soname` (OpenLibrary) and fills the table with bind(lib, &api, &missing) (BindSymbol
/// for each entry point). FailedPrecondition "<what> (<soname>) could not be loaded: <why><hint>"
/// when it does not open, "<what> (<soname>) lacks the entry points <missing>" when some are
/// absent. The library stays loaded for the process's lifetime.
template <typename Api, typename Bind>
LoadedLibrary<Api> LoadLibrary(const char* what, const char* soname, const char* fallback_dir,
                               const char* hint, Bind bind) {
  LoadedLibrary<Api> l;
  std::string why;
  void* const lib = OpenLibrary(soname, fallback_dir, &why);
  if (lib == nullptr) {
    l.status = absl::FailedPreconditionError(
        absl::StrCat(what, " (", soname, ") could not be loaded: ", why, hint));
    return l;
  }
  std::string missing;
  bind(lib, &l.api, &missing);
  if (!missing.empty()) {
    l.status = absl::FailedPreconditionError(
        absl::StrCat(what, " (", soname, ") lacks the entry points ", missing));
  }
  return l;
}

}  // namespace n2v::cuda
