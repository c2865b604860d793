// Bandwidth-bound fp32 linear layer for small batches: y[m×n] = x[m×k] · Wᵀ + bias with W stored
// as PyTorch does, [n×k] row-major (one row per output channel), read once per group of up to
// four x rows. A row-dot kernel: several W rows are streamed at once, each multiplied with every
// x row of the group into its own accumulator, then reduced horizontally. No packing, no scratch.
//
// For one or two x rows the W stream is the cost (4 bytes per multiply-add); blocked GEMM
// (shrink_sgemm) is only worth its packing from about eight rows on.
//
// AVX-512: 8 W rows (1-2 x rows) or 4 W rows (3-4 x rows) × 16 floats per step, masked tails.
// AVX2+FMA: 4 or 2 W rows × 8 floats per step, scalar tails. Portable: plain C.
#include "shrink_kernels.h"
#include "sgemm_internal.h"

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

static void gemv_portable(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx, const float *w,
                          ptrdiff_t ldw, const float *bias, float *y, ptrdiff_t ldy) {
    for (ptrdiff_t j = 0; j < n; j++) {
        const float *row = w + j * ldw;
        for (ptrdiff_t i = 0; i < m; i++) {
            const float *xi = x + i * ldx;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            ptrdiff_t p = 0;
            for (; p + 4 <= k; p += 4) {
                s0 += row[p] * xi[p];
                s1 += row[p + 1] * xi[p + 1];
                s2 += row[p + 2] * xi[p + 2];
                s3 += row[p + 3] * xi[p + 3];
            }
            for (; p < k; p++) s0 += row[p] * xi[p];
            y[i * ldy + j] = (s0 + s1) + (s2 + s3) + (bias ? bias[j] : 0.0f);
        }
    }
}

#if SHRINK_HAVE_X86_PATHS
/// `rows` W rows starting at row j against `xrows` x rows: y[i][j + r] = Σ_p x[i][p] · W[j + r][p] + bias.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void gemv_block512(
    const int xrows, const int rows, ptrdiff_t k, const float *x, ptrdiff_t ldx, const float *w, ptrdiff_t ldw,
    const float *bias, float *y, ptrdiff_t ldy) {
    __m512 acc[4][8];
    for (int i = 0; i < xrows; i++)
        for (int r = 0; r < rows; r++) acc[i][r] = _mm512_setzero_ps();
    ptrdiff_t p = 0;
    for (; p + 16 <= k; p += 16) {
        __m512 xs[4];
        for (int i = 0; i < xrows; i++) xs[i] = _mm512_loadu_ps(x + i * ldx + p);
        for (int r = 0; r < rows; r++) {
            const __m512 weights = _mm512_loadu_ps(w + r * ldw + p);
            for (int i = 0; i < xrows; i++) acc[i][r] = _mm512_fmadd_ps(xs[i], weights, acc[i][r]);
        }
    }
    if (p < k) {
        const __mmask16 mask = (__mmask16)((1u << (k - p)) - 1u);
        __m512 xs[4];
        for (int i = 0; i < xrows; i++) xs[i] = _mm512_maskz_loadu_ps(mask, x + i * ldx + p);
        for (int r = 0; r < rows; r++) {
            const __m512 weights = _mm512_maskz_loadu_ps(mask, w + r * ldw + p);
            for (int i = 0; i < xrows; i++) acc[i][r] = _mm512_fmadd_ps(xs[i], weights, acc[i][r]);
        }
    }
    for (int i = 0; i < xrows; i++)
        for (int r = 0; r < rows; r++)
            y[i * ldy + r] = _mm512_reduce_add_ps(acc[i][r]) + (bias ? bias[r] : 0.0f);
}

SHRINK_TARGET_AVX512 static void gemv_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                             const float *w, ptrdiff_t ldw, const float *bias, float *y, ptrdiff_t ldy) {
    for (ptrdiff_t i = 0; i < m; i += 4) {
        const ptrdiff_t xrows = m - i < 4 ? m - i : 4;
        const float *xi = x + i * ldx;
        float *yi = y + i * ldy;
        const ptrdiff_t step = xrows <= 2 ? 8 : 4;
        ptrdiff_t j = 0;
        for (; j + step <= n; j += step) {
            const float *bj = bias ? bias + j : NULL;
            switch (xrows) {
            case 1: gemv_block512(1, 8, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            case 2: gemv_block512(2, 8, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            case 3: gemv_block512(3, 4, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            default: gemv_block512(4, 4, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            }
        }
        for (; j < n; j++) {
            const float *bj = bias ? bias + j : NULL;
            switch (xrows) {
            case 1: gemv_block512(1, 1, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            case 2: gemv_block512(2, 1, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            case 3: gemv_block512(3, 1, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            default: gemv_block512(4, 1, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            }
        }
    }
}

static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX2 float reduce256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX2 void gemv_block256(
    const int xrows, const int rows, ptrdiff_t k, const float *x, ptrdiff_t ldx, const float *w, ptrdiff_t ldw,
    const float *bias, float *y, ptrdiff_t ldy) {
    __m256 acc[4][4];
    for (int i = 0; i < xrows; i++)
        for (int r = 0; r < rows; r++) acc[i][r] = _mm256_setzero_ps();
    ptrdiff_t p = 0;
    for (; p + 8 <= k; p += 8) {
        __m256 xs[4];
        for (int i = 0; i < xrows; i++) xs[i] = _mm256_loadu_ps(x + i * ldx + p);
        for (int r = 0; r < rows; r++) {
            const __m256 weights = _mm256_loadu_ps(w + r * ldw + p);
            for (int i = 0; i < xrows; i++) acc[i][r] = _mm256_fmadd_ps(xs[i], weights, acc[i][r]);
        }
    }
    for (int i = 0; i < xrows; i++)
        for (int r = 0; r < rows; r++) {
            float sum = reduce256(acc[i][r]);
            for (ptrdiff_t q = p; q < k; q++) sum += x[i * ldx + q] * w[r * ldw + q];
            y[i * ldy + r] = sum + (bias ? bias[r] : 0.0f);
        }
}

SHRINK_TARGET_AVX2 static void gemv_avx2(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                         const float *w, ptrdiff_t ldw, const float *bias, float *y, ptrdiff_t ldy) {
    for (ptrdiff_t i = 0; i < m; i += 4) {
        const ptrdiff_t xrows = m - i < 4 ? m - i : 4;
        const float *xi = x + i * ldx;
        float *yi = y + i * ldy;
        const ptrdiff_t step = xrows <= 2 ? 4 : 2;
        ptrdiff_t j = 0;
        for (; j + step <= n; j += step) {
            const float *bj = bias ? bias + j : NULL;
            switch (xrows) {
            case 1: gemv_block256(1, 4, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            case 2: gemv_block256(2, 4, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            case 3: gemv_block256(3, 2, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            default: gemv_block256(4, 2, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            }
        }
        for (; j < n; j++) {
            const float *bj = bias ? bias + j : NULL;
            switch (xrows) {
            case 1: gemv_block256(1, 1, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            case 2: gemv_block256(2, 1, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            case 3: gemv_block256(3, 1, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            default: gemv_block256(4, 1, k, xi, ldx, w + j * ldw, ldw, bj, yi + j, ldy); break;
            }
        }
    }
}
#endif

void shrink_f32_linear_rows(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                            const float *w, ptrdiff_t ldw, const float *bias, float *y, ptrdiff_t ldy) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) y[i * ldy + j] = bias ? bias[j] : 0.0f;
        return;
    }
#if SHRINK_HAVE_X86_PATHS
    const shrink_cpu_path path = shrink_cpu_active_path();
    if (path == SHRINK_CPU_PATH_AVX512) { gemv_avx512(m, n, k, x, ldx, w, ldw, bias, y, ldy); return; }
    if (path == SHRINK_CPU_PATH_AVX2) { gemv_avx2(m, n, k, x, ldx, w, ldw, bias, y, ldy); return; }
#endif
    gemv_portable(m, n, k, x, ldx, w, ldw, bias, y, ldy);
}
