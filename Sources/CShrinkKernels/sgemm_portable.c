#include "shrink_kernels.h"

// Portable single-precision GEMM. The ISA-specific paths replace this for large shapes.
void shrink_sgemm(int transpose_a, int transpose_b,
                  ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                  float alpha,
                  const float *a, ptrdiff_t lda,
                  const float *b, ptrdiff_t ldb,
                  float beta,
                  float *c, ptrdiff_t ldc) {
    for (ptrdiff_t i = 0; i < m; i++) {
        float *c_row = c + i * ldc;
        for (ptrdiff_t j = 0; j < n; j++) c_row[j] = beta == 0.0f ? 0.0f : beta * c_row[j];
        for (ptrdiff_t p = 0; p < k; p++) {
            float a_ip = transpose_a ? a[p * lda + i] : a[i * lda + p];
            float scaled = alpha * a_ip;
            if (transpose_b) {
                for (ptrdiff_t j = 0; j < n; j++) c_row[j] += scaled * b[j * ldb + p];
            } else {
                const float *b_row = b + p * ldb;
                for (ptrdiff_t j = 0; j < n; j++) c_row[j] += scaled * b_row[j];
            }
        }
    }
}
