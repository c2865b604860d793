#ifndef SHRINK_KERNELS_H
#define SHRINK_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set paths a kernel can run on, fastest last.
typedef enum {
    SHRINK_CPU_PATH_PORTABLE = 0,
    SHRINK_CPU_PATH_AVX2 = 1,
    SHRINK_CPU_PATH_AVX512 = 2,
} shrink_cpu_path;

/// The fastest path this CPU supports.
shrink_cpu_path shrink_cpu_detected_path(void);

/// The path kernels currently use (the detected one unless forced).
shrink_cpu_path shrink_cpu_active_path(void);

/// Forces kernels onto `path` (for tests and benchmarks). Returns 0 on success, -1 when the CPU
/// does not support that path (the active path is then unchanged). Process-wide: calls running
/// on other threads switch path at their next call.
int shrink_cpu_force_path(shrink_cpu_path path);

/// Single-precision GEMM, row-major: C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C.
/// op(X) is X or its transpose. lda/ldb/ldc are row strides in elements of the stored matrices
/// (A is stored m×k, or k×m when transposed; B is stored k×n, or n×k when transposed).
///
/// - beta == 0: C is written without being read (it may hold NaN or garbage).
/// - k == 0 or alpha == 0 (as in BLAS): A and B are not read, C becomes beta · C.
/// - Only the m×n block of C is written; padding between rows is left alone.
///
/// Cache-blocked and packed (GotoBLAS/BLIS style) with AVX-512, AVX2+FMA or portable
/// micro-kernels chosen by shrink_cpu_active_path() on each call; tiny and single-row problems
/// take an unpacked direct path. Thread-safe and reentrant: packing buffers are per thread.
/// Runs on the calling thread only; see the Swift `GEMM` API for multi-threading.
void shrink_sgemm(int transpose_a, int transpose_b,
                  ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                  float alpha,
                  const float *a, ptrdiff_t lda,
                  const float *b, ptrdiff_t ldb,
                  float beta,
                  float *c, ptrdiff_t ldc);

#ifdef __cplusplus
}
#endif

#endif
