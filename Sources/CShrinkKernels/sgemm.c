#include "shrink_kernels.h"
#include "sgemm_internal.h"

// Public entry point: handles the degenerate cases, then runs the driver of the active path.
void shrink_sgemm(int transpose_a, int transpose_b,
                  ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                  float alpha,
                  const float *a, ptrdiff_t lda,
                  const float *b, ptrdiff_t ldb,
                  float beta,
                  float *c, ptrdiff_t ldc) {
    if (m <= 0 || n <= 0) return;
    // As in BLAS: with k == 0 or alpha == 0 the product is not evaluated, C = beta·C.
    if (k <= 0 || alpha == 0.0f) {
        shrink_sgemm_scale_c(m, n, beta, c, ldc);
        return;
    }
    const shrink_sgemm_call call = {
        .transpose_a = transpose_a != 0, .transpose_b = transpose_b != 0,
        .m = m, .n = n, .k = k, .alpha = alpha, .beta = beta,
        .a = a, .lda = lda, .b = b, .ldb = ldb, .c = c, .ldc = ldc,
    };
    switch (shrink_cpu_active_path()) {
#if SHRINK_HAVE_X86_PATHS
    case SHRINK_CPU_PATH_AVX512:
        shrink_sgemm_avx512(&call);
        return;
    case SHRINK_CPU_PATH_AVX2:
        shrink_sgemm_avx2(&call);
        return;
#endif
    default:
        shrink_sgemm_portable(&call);
        return;
    }
}

void shrink_sgemm_scale_c(ptrdiff_t m, ptrdiff_t n, float beta, float *c, ptrdiff_t ldc) {
    for (ptrdiff_t i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (beta == 0.0f) {
            for (ptrdiff_t j = 0; j < n; j++) row[j] = 0.0f;
        } else if (beta != 1.0f) {
            for (ptrdiff_t j = 0; j < n; j++) row[j] *= beta;
        }
    }
}

void shrink_sgemm_naive(const shrink_sgemm_call *call) {
    const ptrdiff_t m = call->m, n = call->n, k = call->k;
    for (ptrdiff_t i = 0; i < m; i++) {
        float *c_row = call->c + i * call->ldc;
        for (ptrdiff_t j = 0; j < n; j++) {
            float sum = 0.0f;
            for (ptrdiff_t p = 0; p < k; p++) {
                float a_ip = call->transpose_a ? call->a[p * call->lda + i] : call->a[i * call->lda + p];
                float b_pj = call->transpose_b ? call->b[j * call->ldb + p] : call->b[p * call->ldb + j];
                sum += a_ip * b_pj;
            }
            c_row[j] = call->alpha * sum + (call->beta == 0.0f ? 0.0f : call->beta * c_row[j]);
        }
    }
}
