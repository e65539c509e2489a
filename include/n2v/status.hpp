// Errors are values (docs/DESIGN.md, decision 7): fallible work returns absl::Status / StatusOr.
// The installed Abseil (20220623) has no status macros, so they live here. N2V_CHECK is for
// broken invariants only, never for bad user input.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define N2V_CONCAT_INNER(a, b) a##b
#define N2V_CONCAT(a, b) N2V_CONCAT_INNER(a, b)

#define N2V_RETURN_IF_ERROR(expr)                \
  do {                                           \
    ::absl::Status _n2v_st = (expr);             \
    if (!_n2v_st.ok()) return _n2v_st;           \
  } while (0)

#define N2V_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#define N2V_ASSIGN_OR_RETURN(lhs, expr) \
  N2V_ASSIGN_OR_RETURN_IMPL(N2V_CONCAT(_n2v_sor_, __LINE__), lhs, expr)

#define N2V_CHECK(cond)                                                                   \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "n2v: internal check failed: %s in %s at %s:%d\n", #cond,      \
                   __func__, __FILE__, __LINE__);                                         \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
