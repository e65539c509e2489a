// The one place that knows which compiler it is under. Everything in core/ is N2V_HD so the
// CPU loops (g++) and the CUDA kernels (nvcc) call the very same math.
#pragma once

#if defined(__CUDACC__)
#define N2V_HD __host__ __device__ __forceinline__
#else
#define N2V_HD inline
#endif
