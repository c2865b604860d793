// AVX-512 SGEMM path: 12×32 micro-tile (24 zmm accumulators, 2 B vectors, broadcasts of A).
// Every function carries the AVX-512 target attribute; the file is built without -m flags and
// only runs when shrink_cpu_active_path() says the CPU supports it.
#include "sgemm_internal.h"

#if SHRINK_HAVE_X86_PATHS

#include <immintrin.h>

#define SGEMM_TARGET SHRINK_TARGET_AVX512
#define SGEMM_DRIVER shrink_sgemm_avx512
#define SGEMM_MR 12
#define SGEMM_NR 32
// Cache blocks measured on Zen 4 (32 KiB L1d, 1 MiB L2 per core): an A micro-panel 12×KC
// (18 KiB) stays in L1, the packed B block KC×NC (480 KiB) in L2. With at most 128 rows, B is
// read in place: packing it would cost more than its few reuses save (the 12-row kernel spends
// 24 cycles per depth step, so strided B rows stream in time). -D overrides are for tuning runs.
#ifndef SGEMM_KC
#define SGEMM_KC 384
#endif
#ifndef SGEMM_MC
#define SGEMM_MC 768
#endif
#ifndef SGEMM_NC
#define SGEMM_NC 320
#endif
#ifndef SGEMM_UNPACKED_B_MAX_M
#define SGEMM_UNPACKED_B_MAX_M 128
#endif

static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 __mmask16 lane_mask(ptrdiff_t count) {
    if (count >= 16) return (__mmask16)0xFFFF;
    if (count <= 0) return (__mmask16)0;
    return (__mmask16)((1u << count) - 1u);
}

/// The micro-kernel for `height` (4, 8 or 12, a constant after inlining) rows of a packed 12-row
/// A panel by 32 columns of B. `b_step` is the distance between consecutive depth rows of B: 32
/// for a packed panel, ldb for B in place (then loads are masked to the `cols` valid columns).
/// Edge panels with few rows use a smaller height so they do not pay for 12 rows.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void kernel_body(
    const int height,
    ptrdiff_t kc, const float *restrict a, const float *restrict b, ptrdiff_t b_step, int masked_b,
    float *restrict c, ptrdiff_t ldc, float alpha, float beta, ptrdiff_t rows, ptrdiff_t cols) {
    const __mmask16 mask0 = lane_mask(cols), mask1 = lane_mask(cols - 16);
    __m512 acc[SGEMM_MR][2];
    for (int i = 0; i < height; i++) {
        acc[i][0] = _mm512_setzero_ps();
        acc[i][1] = _mm512_setzero_ps();
    }
    for (int i = 0; i < height; i++) {
        if (i < rows) {
            _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
            _mm_prefetch((const char *)(c + i * ldc + 16), _MM_HINT_T0);
        }
    }
#pragma clang loop unroll_count(4)
    for (ptrdiff_t p = 0; p < kc; p++) {
        __m512 b0, b1;
        if (masked_b) {
            b0 = _mm512_maskz_loadu_ps(mask0, b);
            b1 = _mm512_maskz_loadu_ps(mask1, b + 16);
        } else {
            b0 = _mm512_load_ps(b);
            b1 = _mm512_load_ps(b + 16);
        }
        for (int i = 0; i < height; i++) {
            const __m512 a_i = _mm512_set1_ps(a[i]);
            acc[i][0] = _mm512_fmadd_ps(a_i, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(a_i, b1, acc[i][1]);
        }
        a += SGEMM_MR;
        b += b_step;
    }
    const __m512 alpha_v = _mm512_set1_ps(alpha), beta_v = _mm512_set1_ps(beta);
    if (cols == SGEMM_NR) {
        for (int i = 0; i < height; i++) {
            if (i >= rows) break;
            float *c_row = c + i * ldc;
            __m512 r0 = _mm512_mul_ps(acc[i][0], alpha_v), r1 = _mm512_mul_ps(acc[i][1], alpha_v);
            if (beta != 0.0f) {
                r0 = _mm512_fmadd_ps(beta_v, _mm512_loadu_ps(c_row), r0);
                r1 = _mm512_fmadd_ps(beta_v, _mm512_loadu_ps(c_row + 16), r1);
            }
            _mm512_storeu_ps(c_row, r0);
            _mm512_storeu_ps(c_row + 16, r1);
        }
    } else {
        for (int i = 0; i < height; i++) {
            if (i >= rows) break;
            float *c_row = c + i * ldc;
            __m512 r0 = _mm512_mul_ps(acc[i][0], alpha_v), r1 = _mm512_mul_ps(acc[i][1], alpha_v);
            if (beta != 0.0f) {
                r0 = _mm512_fmadd_ps(beta_v, _mm512_maskz_loadu_ps(mask0, c_row), r0);
                r1 = _mm512_fmadd_ps(beta_v, _mm512_maskz_loadu_ps(mask1, c_row + 16), r1);
            }
            _mm512_mask_storeu_ps(c_row, mask0, r0);
            _mm512_mask_storeu_ps(c_row + 16, mask1, r1);
        }
    }
}

static SHRINK_TARGET_AVX512 void kernel_packed(ptrdiff_t kc, const float *a, const float *b, float *c,
                                               ptrdiff_t ldc, float alpha, float beta,
                                               ptrdiff_t rows, ptrdiff_t cols) {
    if (rows <= 4) kernel_body(4, kc, a, b, SGEMM_NR, 0, c, ldc, alpha, beta, rows, cols);
    else if (rows <= 8) kernel_body(8, kc, a, b, SGEMM_NR, 0, c, ldc, alpha, beta, rows, cols);
    else kernel_body(12, kc, a, b, SGEMM_NR, 0, c, ldc, alpha, beta, rows, cols);
}

static SHRINK_TARGET_AVX512 void kernel_unpacked_b(ptrdiff_t kc, const float *a, const float *b,
                                                   ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                                                   float alpha, float beta,
                                                   ptrdiff_t rows, ptrdiff_t cols) {
    if (rows <= 4) kernel_body(4, kc, a, b, ldb, 1, c, ldc, alpha, beta, rows, cols);
    else if (rows <= 8) kernel_body(8, kc, a, b, ldb, 1, c, ldc, alpha, beta, rows, cols);
    else kernel_body(12, kc, a, b, ldb, 1, c, ldc, alpha, beta, rows, cols);
}

/// A row block of A by one weight panel (sgemm_internal.h): a 32-column panel is exactly the
/// packed micro-kernel's B rows; a 16-column last panel goes through the in-place-B kernel.
static SHRINK_TARGET_AVX512 void kernel_panel(ptrdiff_t kc, const float *a, const float *panel, ptrdiff_t stride,
                                              float *c, ptrdiff_t ldc, float beta, ptrdiff_t rows, ptrdiff_t cols) {
    if (stride == SGEMM_NR) kernel_packed(kc, a, panel, c, ldc, 1.0f, beta, rows, cols);
    else kernel_unpacked_b(kc, a, panel, stride, c, ldc, 1.0f, beta, rows, cols);
}
#define SGEMM_PANELS_DRIVER shrink_sgemm_panels_avx512

/// In-register transpose of 16 rows of 16 floats.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void transpose16(__m512 r[16]) {
    __m512 t[16], u[16], v[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    // u[4g + q]: column 4·lane + q of rows 4g..4g+3, in each 128-bit lane.
    for (int g = 0; g < 4; g++) {
        const __m512d lo0 = _mm512_castps_pd(t[4 * g]), hi0 = _mm512_castps_pd(t[4 * g + 1]);
        const __m512d lo1 = _mm512_castps_pd(t[4 * g + 2]), hi1 = _mm512_castps_pd(t[4 * g + 3]);
        u[4 * g + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(lo0, lo1));
        u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(lo0, lo1));
        u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(hi0, hi1));
        u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(hi0, hi1));
    }
    for (int q = 0; q < 4; q++) {
        v[q] = _mm512_shuffle_f32x4(u[q], u[4 + q], 0x88);
        v[4 + q] = _mm512_shuffle_f32x4(u[q], u[4 + q], 0xDD);
        v[8 + q] = _mm512_shuffle_f32x4(u[8 + q], u[12 + q], 0x88);
        v[12 + q] = _mm512_shuffle_f32x4(u[8 + q], u[12 + q], 0xDD);
    }
    for (int q = 0; q < 4; q++) {
        r[q] = _mm512_shuffle_f32x4(v[q], v[8 + q], 0x88);
        r[4 + q] = _mm512_shuffle_f32x4(v[4 + q], v[12 + q], 0x88);
        r[8 + q] = _mm512_shuffle_f32x4(v[q], v[8 + q], 0xDD);
        r[12 + q] = _mm512_shuffle_f32x4(v[4 + q], v[12 + q], 0xDD);
    }
}

/// dst[p·width + r] = src[r·ld + p] for r < count (zero for count <= r < width), 16×16 blocks.
static SHRINK_TARGET_AVX512 void transpose_panel(const float *restrict src, ptrdiff_t ld, ptrdiff_t count,
                                                 ptrdiff_t kc, float *restrict dst, ptrdiff_t width) {
    for (ptrdiff_t r0 = 0; r0 < width; r0 += 16) {
        const ptrdiff_t lanes = width - r0 < 16 ? width - r0 : 16;
        const ptrdiff_t valid = count - r0 < 0 ? 0 : (count - r0 < lanes ? count - r0 : lanes);
        const __mmask16 store_mask = lane_mask(lanes);
        for (ptrdiff_t p = 0; p < kc; p += 16) {
            const ptrdiff_t depth = kc - p < 16 ? kc - p : 16;
            const __mmask16 load_mask = lane_mask(depth);
            __m512 r[16];
            for (int i = 0; i < 16; i++)
                r[i] = i < valid ? _mm512_maskz_loadu_ps(load_mask, src + (r0 + i) * ld + p) : _mm512_setzero_ps();
            transpose16(r);
            for (int t = 0; t < 16; t++)
                if (t < depth) _mm512_mask_storeu_ps(dst + (p + t) * width + r0, store_mask, r[t]);
        }
    }
}

#include "sgemm_blocked.h"

#endif
