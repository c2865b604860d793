// AVX2+FMA SGEMM path: 6×16 micro-tile (12 ymm accumulators, 2 B vectors, broadcasts of A).
// Every function carries the AVX2 target attribute; the file is built without -m flags and
// only runs when shrink_cpu_active_path() says the CPU supports it.
#include "sgemm_internal.h"

#if SHRINK_HAVE_X86_PATHS

#include <immintrin.h>

#define SGEMM_TARGET SHRINK_TARGET_AVX2
#define SGEMM_DRIVER shrink_sgemm_avx2
#define SGEMM_MR 6
#define SGEMM_NR 16
// B is read in place only for very few rows: the 6×16 kernel consumes a row of B every 6
// cycles, too fast for strided rows (measured: packing wins from m = 64 on Zen 4).
#define SGEMM_KC 256
#define SGEMM_MC 768
#define SGEMM_NC 512
#ifndef SGEMM_UNPACKED_B_MAX_M
#define SGEMM_UNPACKED_B_MAX_M 24
#endif

/// Lane mask for the first `count` of 8 floats (all-ones lanes are selected).
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX2 __m256i lane_mask(ptrdiff_t count) {
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const int clamped = count <= 0 ? 0 : (count >= 8 ? 8 : (int)count);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(clamped), index);
}

/// The micro-kernel for `height` (2, 4 or 6, a constant after inlining) rows of a packed 6-row
/// A panel by 16 columns of B. `b_step` is 16 for a packed panel, ldb for B in place (then loads
/// are masked to the `cols` valid columns).
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX2 void kernel_body(
    const int height, ptrdiff_t kc, const float *restrict a, const float *restrict b, ptrdiff_t b_step, int masked_b,
    float *restrict c, ptrdiff_t ldc, float alpha, float beta, ptrdiff_t rows, ptrdiff_t cols) {
    const __m256i mask0 = lane_mask(cols), mask1 = lane_mask(cols - 8);
    __m256 acc[SGEMM_MR][2];
    for (int i = 0; i < height; i++) {
        acc[i][0] = _mm256_setzero_ps();
        acc[i][1] = _mm256_setzero_ps();
    }
    for (int i = 0; i < height; i++)
        if (i < rows) _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
#pragma clang loop unroll_count(4)
    for (ptrdiff_t p = 0; p < kc; p++) {
        __m256 b0, b1;
        if (masked_b) {
            b0 = _mm256_maskload_ps(b, mask0);
            b1 = _mm256_maskload_ps(b + 8, mask1);
        } else {
            b0 = _mm256_load_ps(b);
            b1 = _mm256_load_ps(b + 8);
        }
        for (int i = 0; i < height; i++) {
            const __m256 a_i = _mm256_broadcast_ss(a + i);
            acc[i][0] = _mm256_fmadd_ps(a_i, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(a_i, b1, acc[i][1]);
        }
        a += SGEMM_MR;
        b += b_step;
    }
    const __m256 alpha_v = _mm256_set1_ps(alpha), beta_v = _mm256_set1_ps(beta);
    if (cols == SGEMM_NR) {
        for (int i = 0; i < height; i++) {
            if (i >= rows) break;
            float *c_row = c + i * ldc;
            __m256 r0 = _mm256_mul_ps(acc[i][0], alpha_v), r1 = _mm256_mul_ps(acc[i][1], alpha_v);
            if (beta != 0.0f) {
                r0 = _mm256_fmadd_ps(beta_v, _mm256_loadu_ps(c_row), r0);
                r1 = _mm256_fmadd_ps(beta_v, _mm256_loadu_ps(c_row + 8), r1);
            }
            _mm256_storeu_ps(c_row, r0);
            _mm256_storeu_ps(c_row + 8, r1);
        }
    } else {
        for (int i = 0; i < height; i++) {
            if (i >= rows) break;
            float *c_row = c + i * ldc;
            __m256 r0 = _mm256_mul_ps(acc[i][0], alpha_v), r1 = _mm256_mul_ps(acc[i][1], alpha_v);
            if (beta != 0.0f) {
                r0 = _mm256_fmadd_ps(beta_v, _mm256_maskload_ps(c_row, mask0), r0);
                r1 = _mm256_fmadd_ps(beta_v, _mm256_maskload_ps(c_row + 8, mask1), r1);
            }
            _mm256_maskstore_ps(c_row, mask0, r0);
            _mm256_maskstore_ps(c_row + 8, mask1, r1);
        }
    }
}

static SHRINK_TARGET_AVX2 void kernel_packed(ptrdiff_t kc, const float *a, const float *b, float *c,
                                             ptrdiff_t ldc, float alpha, float beta,
                                             ptrdiff_t rows, ptrdiff_t cols) {
    if (rows <= 2) kernel_body(2, kc, a, b, SGEMM_NR, 0, c, ldc, alpha, beta, rows, cols);
    else if (rows <= 4) kernel_body(4, kc, a, b, SGEMM_NR, 0, c, ldc, alpha, beta, rows, cols);
    else kernel_body(6, kc, a, b, SGEMM_NR, 0, c, ldc, alpha, beta, rows, cols);
}

static SHRINK_TARGET_AVX2 void kernel_unpacked_b(ptrdiff_t kc, const float *a, const float *b,
                                                 ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                                                 float alpha, float beta,
                                                 ptrdiff_t rows, ptrdiff_t cols) {
    if (rows <= 2) kernel_body(2, kc, a, b, ldb, 1, c, ldc, alpha, beta, rows, cols);
    else if (rows <= 4) kernel_body(4, kc, a, b, ldb, 1, c, ldc, alpha, beta, rows, cols);
    else kernel_body(6, kc, a, b, ldb, 1, c, ldc, alpha, beta, rows, cols);
}

/// A row block of A by one weight panel (sgemm_internal.h): 16-column pieces through the
/// in-place-B micro-kernel with the panel's row stride (32, or 16 for a narrow last panel).
static SHRINK_TARGET_AVX2 void kernel_panel(ptrdiff_t kc, const float *a, const float *panel, ptrdiff_t stride,
                                            float *c, ptrdiff_t ldc, float beta, ptrdiff_t rows, ptrdiff_t cols) {
    for (ptrdiff_t h = 0; h < cols; h += SGEMM_NR)
        kernel_unpacked_b(kc, a, panel + h, stride, c + h, ldc, 1.0f, beta, rows, cols - h < SGEMM_NR ? cols - h : SGEMM_NR);
}
#define SGEMM_PANELS_DRIVER shrink_sgemm_panels_avx2

/// In-register transpose of 8 rows of 8 floats.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX2 void transpose8(__m256 r[8]) {
    __m256 t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    // u[4g + q]: column 4·lane + q of rows 4g..4g+3, in each 128-bit lane.
    for (int g = 0; g < 2; g++) {
        u[4 * g + 0] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
        u[4 * g + 1] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
        u[4 * g + 2] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        u[4 * g + 3] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
    }
    for (int q = 0; q < 4; q++) {
        r[q] = _mm256_permute2f128_ps(u[q], u[4 + q], 0x20);
        r[4 + q] = _mm256_permute2f128_ps(u[q], u[4 + q], 0x31);
    }
}

/// dst[p·width + r] = src[r·ld + p] for r < count (zero for count <= r < width), 8×8 blocks.
static SHRINK_TARGET_AVX2 void transpose_panel(const float *restrict src, ptrdiff_t ld, ptrdiff_t count,
                                               ptrdiff_t kc, float *restrict dst, ptrdiff_t width) {
    for (ptrdiff_t r0 = 0; r0 < width; r0 += 8) {
        const ptrdiff_t lanes = width - r0 < 8 ? width - r0 : 8;
        const ptrdiff_t valid = count - r0 < 0 ? 0 : (count - r0 < lanes ? count - r0 : lanes);
        const __m256i store_mask = lane_mask(lanes);
        for (ptrdiff_t p = 0; p < kc; p += 8) {
            const ptrdiff_t depth = kc - p < 8 ? kc - p : 8;
            const __m256i load_mask = lane_mask(depth);
            __m256 r[8];
            for (int i = 0; i < 8; i++)
                r[i] = i < valid ? _mm256_maskload_ps(src + (r0 + i) * ld + p, load_mask) : _mm256_setzero_ps();
            transpose8(r);
            for (int t = 0; t < 8; t++)
                if (t < depth) _mm256_maskstore_ps(dst + (p + t) * width + r0, store_mask, r[t]);
        }
    }
}

#include "sgemm_blocked.h"

#endif
