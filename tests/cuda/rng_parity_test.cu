// The shared randomness on the device equals the host's, bit for bit: Philox4x32-10 (also against
// cuRAND's own curand_Philox4x32_10, which uses the same (counter, key) layout), the uniform
// integer draw and the Feistel permutation that orders training examples.
#include <curand_kernel.h>

#include <cstdint>
#include <vector>

#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/core/rng.hpp"
#include "n2v/core/shuffle.hpp"

namespace n2v {
namespace {

using testing::CudaTest;

// One thread per counter i: out[4i..4i+3] = Philox(ctr_i, key), ctr_i = (i, i·7, i >> 3, ~i);
// ref the same from cuRAND.
__global__ void PhiloxKernel(uint32_t n, core::PhiloxKey key, uint32_t* out, uint32_t* ref) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const core::U32x4 c{i, i * 7u, i >> 3, ~i};
  const core::U32x4 r = core::Philox4x32(c, key);
  out[4 * i + 0] = r.x;
  out[4 * i + 1] = r.y;
  out[4 * i + 2] = r.z;
  out[4 * i + 3] = r.w;
  const uint4 q = curand_Philox4x32_10(make_uint4(c.x, c.y, c.z, c.w), make_uint2(key.k0, key.k1));
  ref[4 * i + 0] = q.x;
  ref[4 * i + 1] = q.y;
  ref[4 * i + 2] = q.z;
  ref[4 * i + 3] = q.w;
}

// One thread per index: perm[i] = PermuteIndex(i, n, key); below[i] = UniformBelow(Random4(...)).
__global__ void PermuteKernel(uint64_t n, core::PhiloxKey key, uint64_t* perm, uint32_t* below) {
  const uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  perm[i] = core::PermuteIndex(i, n, key);
  below[i] = core::UniformBelow(core::Random4(key, 3, 5, i).y, 1405u);
}

class RngParity : public CudaTest {};

TEST_F(RngParity, PhiloxMatchesHostAndCurand) {
  constexpr uint32_t kN = 1 << 16;
  for (uint64_t seed : {0ull, 42ull, 0xDEADBEEFCAFEull}) {
    const core::PhiloxKey key = core::StreamKey(seed, core::Stream::kWalk);
    uint32_t *d_out = nullptr, *d_ref = nullptr;
    ASSERT_EQ(cudaMalloc(&d_out, 16 * kN), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&d_ref, 16 * kN), cudaSuccess);
    PhiloxKernel<<<kN / 256, 256>>>(kN, key, d_out, d_ref);
    ASSERT_EQ(cudaGetLastError(), cudaSuccess);
    std::vector<uint32_t> out(4 * kN), ref(4 * kN);
    ASSERT_EQ(cudaMemcpy(out.data(), d_out, 16 * kN, cudaMemcpyDeviceToHost), cudaSuccess);
    ASSERT_EQ(cudaMemcpy(ref.data(), d_ref, 16 * kN, cudaMemcpyDeviceToHost), cudaSuccess);
    cudaFree(d_out);
    cudaFree(d_ref);
    for (uint32_t i = 0; i < kN; ++i) {
      const core::U32x4 h = core::Philox4x32(core::U32x4{i, i * 7u, i >> 3, ~i}, key);
      ASSERT_EQ(out[4 * i + 0], h.x) << "seed " << seed << " counter " << i;
      ASSERT_EQ(out[4 * i + 1], h.y) << "seed " << seed << " counter " << i;
      ASSERT_EQ(out[4 * i + 2], h.z) << "seed " << seed << " counter " << i;
      ASSERT_EQ(out[4 * i + 3], h.w) << "seed " << seed << " counter " << i;
      for (int j = 0; j < 4; ++j) ASSERT_EQ(ref[4 * i + j], out[4 * i + j]) << "cuRAND, " << i;
    }
  }
}

TEST_F(RngParity, PermutationAndUniformBelowMatchHost) {
  for (uint64_t n : {1ull, 17ull, 1000ull, 881412ull}) {
    const core::PhiloxKey key = core::StreamKey(n, core::Stream::kShuffle);
    uint64_t* d_perm = nullptr;
    uint32_t* d_below = nullptr;
    ASSERT_EQ(cudaMalloc(&d_perm, 8 * n), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&d_below, 4 * n), cudaSuccess);
    PermuteKernel<<<static_cast<unsigned>((n + 255) / 256), 256>>>(n, key, d_perm, d_below);
    ASSERT_EQ(cudaGetLastError(), cudaSuccess);
    std::vector<uint64_t> perm(n);
    std::vector<uint32_t> below(n);
    ASSERT_EQ(cudaMemcpy(perm.data(), d_perm, 8 * n, cudaMemcpyDeviceToHost), cudaSuccess);
    ASSERT_EQ(cudaMemcpy(below.data(), d_below, 4 * n, cudaMemcpyDeviceToHost), cudaSuccess);
    cudaFree(d_perm);
    cudaFree(d_below);
    for (uint64_t i = 0; i < n; ++i) {
      ASSERT_EQ(perm[i], core::PermuteIndex(i, n, key)) << "n " << n << " i " << i;
      ASSERT_EQ(below[i], core::UniformBelow(core::Random4(key, 3, 5, i).y, 1405u)) << i;
    }
  }
}

}  // namespace
}  // namespace n2v
