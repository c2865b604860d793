// Int8 linear layer: y = dequant(u8 x · s8 Wᵀ) + bias, with dynamic activation quantization.
//
// Weights are pre-packed at load time in column panels of 64 output channels:
//   packed[((panel · k4) + step) · 256 + column · 4 + t] = W[panel · 64 + column][step · 4 + t]
// (k4 = ceil(k / 4); rows and depth padded with zeros), so one 64-byte load holds 16 output
// channels × 4 depths, the operand layout of `vpdpbusd`, and a whole panel is one contiguous
// stream (batch-1 GEMV is memory-bound: one sequential read of the weights).
//
// Paths: AVX-512 + VNNI (vpdpbusd, 6 rows × 64 columns per tile), AVX2 (weights widened to
// 16 bits and multiplied with vpmaddwd, so u8·s8 products never saturate), NEON on aarch64
// (int8_linear_neon.c: sdot on x − 128 with the column sums added back, or without the dot
// product instructions widened to 16 bits for exact s16 products), portable C.
// On an AVX-512 CPU without VNNI the AVX2 kernel runs. Every path computes exact int32 sums.
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200112L
#endif

#include "shrink_kernels.h"
#include "sgemm_internal.h"
#include "neon_kernels.h"
#include "quantized_epilogue.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

enum { panel_columns = SHRINK_INT8_PANEL_COLUMNS, panel_step_bytes = SHRINK_INT8_PANEL_COLUMNS * 4 };

static ptrdiff_t depth_steps(ptrdiff_t k) { return (k + 3) / 4; }
static ptrdiff_t panel_count(ptrdiff_t n) { return (n + panel_columns - 1) / panel_columns; }

size_t shrink_int8_packed_size(ptrdiff_t n, ptrdiff_t k) {
    if (n <= 0 || k <= 0) return 0;
    return (size_t)panel_count(n) * (size_t)depth_steps(k) * panel_step_bytes;
}

void shrink_int8_pack_weights(ptrdiff_t n, ptrdiff_t k, const int8_t *w, ptrdiff_t ldw,
                              int8_t *packed, int32_t *row_sums) {
    const ptrdiff_t k4 = depth_steps(k);
    memset(packed, 0, shrink_int8_packed_size(n, k));
    for (ptrdiff_t j = 0; j < n; j++) {
        const ptrdiff_t panel = j / panel_columns, column = j % panel_columns;
        int32_t sum = 0;
        for (ptrdiff_t p = 0; p < k; p++) {
            const int8_t value = w[j * ldw + p];
            sum += value;
            packed[(panel * k4 + p / 4) * panel_step_bytes + column * 4 + p % 4] = value;
        }
        if (row_sums) row_sums[j] = sum;
    }
}

// MARK: - Activation quantization

static inline void quantization_parameters(float low, float high, float *scale, int32_t *zero_point) {
    // The range always contains 0 so that 0 is exactly representable (padding, ReLU zeros).
    if (low > 0) low = 0;
    if (high < 0) high = 0;
    float s = (high - low) / 255.0f;
    if (!(s > 0) || !isfinite(s)) s = 1.0f;
    float z = nearbyintf(-low / s);
    if (z < 0) z = 0;
    if (z > 255) z = 255;
    *scale = s;
    *zero_point = (int32_t)z;
}

static inline uint8_t quantize_one(float x, float inverse_scale, int32_t zero_point) {
    float r = nearbyintf(x * inverse_scale);
    if (!(r > -1e9f)) r = -1e9f;   // also maps NaN to the lowest code
    if (r > 1e9f) r = 1e9f;
    int32_t q = (int32_t)r + zero_point;
    return (uint8_t)(q < 0 ? 0 : (q > 255 ? 255 : q));
}

static void min_max(const float *x, ptrdiff_t count, float *low, float *high) {
    float lo = x[0], hi = x[0];
    for (ptrdiff_t p = 1; p < count; p++) {
        lo = x[p] < lo ? x[p] : lo;
        hi = x[p] > hi ? x[p] : hi;
    }
    *low = lo;
    *high = hi;
}

#if SHRINK_HAVE_X86_PATHS
SHRINK_TARGET_AVX512 static void min_max_avx512(const float *x, ptrdiff_t count, float *low, float *high) {
    __m512 lo = _mm512_set1_ps(x[0]), hi = lo;
    ptrdiff_t p = 0;
    for (; p + 16 <= count; p += 16) {
        const __m512 v = _mm512_loadu_ps(x + p);
        lo = _mm512_min_ps(lo, v);
        hi = _mm512_max_ps(hi, v);
    }
    float l = _mm512_reduce_min_ps(lo), h = _mm512_reduce_max_ps(hi);
    for (; p < count; p++) {
        l = x[p] < l ? x[p] : l;
        h = x[p] > h ? x[p] : h;
    }
    *low = l;
    *high = h;
}

SHRINK_TARGET_AVX512 static void quantize_row_avx512(const float *x, ptrdiff_t count, float inverse_scale,
                                                     int32_t zero_point, uint8_t *codes) {
    const __m512 inverse = _mm512_set1_ps(inverse_scale);
    const __m512i zero = _mm512_set1_epi32(zero_point);
    ptrdiff_t p = 0;
    for (; p + 16 <= count; p += 16) {
        // Round to nearest even (the default MXCSR mode, as nearbyintf), add the zero point,
        // saturate to 0...255.
        const __m512 scaled = _mm512_roundscale_ps(_mm512_mul_ps(_mm512_loadu_ps(x + p), inverse),
                                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        const __m512 clamped = _mm512_min_ps(_mm512_max_ps(scaled, _mm512_set1_ps(-1e9f)), _mm512_set1_ps(1e9f));
        __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(clamped), zero);
        q = _mm512_max_epi32(_mm512_min_epi32(q, _mm512_set1_epi32(255)), _mm512_setzero_si512());
        _mm_storeu_si128((__m128i *)(codes + p), _mm512_cvtepi32_epi8(q));
    }
    for (; p < count; p++) codes[p] = quantize_one(x[p], inverse_scale, zero_point);
}
#endif

void shrink_quantize_activations(ptrdiff_t m, ptrdiff_t k, const float *x, ptrdiff_t ldx, int per_row,
                                 uint8_t *codes, ptrdiff_t ldq, float *scales, int32_t *zero_points) {
    if (m <= 0 || k <= 0) return;
#if SHRINK_HAVE_X86_PATHS
    const int wide = shrink_cpu_active_path() == SHRINK_CPU_PATH_AVX512;
#endif
    float tensor_low = 0, tensor_high = 0;
    for (ptrdiff_t i = 0; i < m; i++) {
        float low, high;
#if SHRINK_HAVE_X86_PATHS
        if (wide) min_max_avx512(x + i * ldx, k, &low, &high); else
#endif
        min_max(x + i * ldx, k, &low, &high);
        if (per_row) {
            quantization_parameters(low, high, &scales[i], &zero_points[i]);
        } else {
            tensor_low = (i == 0 || low < tensor_low) ? low : tensor_low;
            tensor_high = (i == 0 || high > tensor_high) ? high : tensor_high;
        }
    }
    if (!per_row) {
        float scale;
        int32_t zero_point;
        quantization_parameters(tensor_low, tensor_high, &scale, &zero_point);
        for (ptrdiff_t i = 0; i < m; i++) {
            scales[i] = scale;
            zero_points[i] = zero_point;
        }
    }
    for (ptrdiff_t i = 0; i < m; i++) {
        const float inverse = 1.0f / scales[i];
#if SHRINK_HAVE_X86_PATHS
        if (wide) { quantize_row_avx512(x + i * ldx, k, inverse, zero_points[i], codes + i * ldq); continue; }
#endif
        for (ptrdiff_t p = 0; p < k; p++) codes[i * ldq + p] = quantize_one(x[i * ldx + p], inverse, zero_points[i]);
    }
}

void shrink_quantize_activations_static(ptrdiff_t m, ptrdiff_t k, const float *x, ptrdiff_t ldx, float scale,
                                        int32_t zero_point, uint8_t *codes, ptrdiff_t ldq) {
    if (m <= 0 || k <= 0) return;
    // No range scan: the calibrated parameters are used as given (values outside saturate).
    const float inverse = 1.0f / scale;
#if SHRINK_HAVE_X86_PATHS
    if (shrink_cpu_active_path() == SHRINK_CPU_PATH_AVX512) {
        for (ptrdiff_t i = 0; i < m; i++) quantize_row_avx512(x + i * ldx, k, inverse, zero_point, codes + i * ldq);
        return;
    }
#endif
    for (ptrdiff_t i = 0; i < m; i++)
        for (ptrdiff_t p = 0; p < k; p++) codes[i * ldq + p] = quantize_one(x[i * ldx + p], inverse, zero_point);
}

// MARK: - Epilogue

/// What to do with the int32 sums of a tile: store them raw, or dequantize them.
typedef struct {
    const float *x_scales; const int32_t *x_zero_points;
    const int32_t *row_sums; const float *w_scales; const float *bias;
    float *y; ptrdiff_t ldy;      // dequantized output (when raw == NULL)
    int relu;                     // max(0, y) on the dequantized output (y >= 0 ? y : 0, NaN to 0)
    int32_t *raw; ptrdiff_t ldr;  // raw sums (when not NULL)
} int8_epilogue;

static inline void finish_value(const int8_epilogue *e, ptrdiff_t i, ptrdiff_t j, int32_t sum) {
    if (e->raw) {
        e->raw[i * e->ldr + j] = sum;
        return;
    }
    const int32_t centered = sum - e->x_zero_points[i] * e->row_sums[j];
    e->y[i * e->ldy + j] = shrink_dequantized_value(centered, e->x_scales[i], e->w_scales[j], e->bias ? e->bias + j : NULL,
                                                    e->relu);
}

/// Reads the 4 activation codes of depth step `step` of a row, zero-filling past `k`.
static inline int32_t activation_word(const uint8_t *row, ptrdiff_t step, ptrdiff_t k) {
    uint8_t bytes[4] = {0, 0, 0, 0};
    const ptrdiff_t start = step * 4, available = k - start < 4 ? k - start : 4;
    memcpy(bytes, row + start, (size_t)available);
    int32_t word;
    memcpy(&word, bytes, 4);
    return word;
}

// MARK: - Portable

static void int8_portable(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                          const int8_t *packed, const int8_epilogue *e) {
    const ptrdiff_t k4 = depth_steps(k);
    for (ptrdiff_t panel = 0; panel < panel_count(n); panel++) {
        const int8_t *panel_base = packed + panel * k4 * panel_step_bytes;
        const ptrdiff_t columns = n - panel * panel_columns < panel_columns ? n - panel * panel_columns : panel_columns;
        for (ptrdiff_t i = 0; i < m; i++) {
            int32_t sums[SHRINK_INT8_PANEL_COLUMNS] = {0};
            const uint8_t *row = x + i * ldx;
            for (ptrdiff_t step = 0; step < k4; step++) {
                const int32_t word = activation_word(row, step, k);
                uint8_t a[4];
                memcpy(a, &word, 4);
                const int8_t *w = panel_base + step * panel_step_bytes;
                for (int c = 0; c < panel_columns; c++)
                    sums[c] += a[0] * w[c * 4] + a[1] * w[c * 4 + 1] + a[2] * w[c * 4 + 2] + a[3] * w[c * 4 + 3];
            }
            for (ptrdiff_t c = 0; c < columns; c++) finish_value(e, i, panel * panel_columns + c, sums[c]);
        }
    }
}

#if SHRINK_HAVE_X86_PATHS

// MARK: - AVX2

/// One row × 32 columns (half a panel): the half-panel (k · 32 bytes) stays in L2 while the
/// rows stream past it. Weights are sign-extended to 16 bits and multiplied with vpmaddwd by the
/// zero-extended activations, so no intermediate saturates (unlike vpmaddubsw).
SHRINK_TARGET_AVX2 static void int8_avx2(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                                         const int8_t *packed, const int8_epilogue *e) {
    const ptrdiff_t k4 = depth_steps(k);
    for (ptrdiff_t panel = 0; panel < panel_count(n); panel++) {
        const int8_t *panel_base = packed + panel * k4 * panel_step_bytes;
        for (int half = 0; half < 2; half++) {
            const ptrdiff_t first = panel * panel_columns + half * 32;
            if (first >= n) break;
            const ptrdiff_t columns = n - first < 32 ? n - first : 32;
            for (ptrdiff_t i = 0; i < m; i++) {
                __m256i acc[8];
                for (int q = 0; q < 8; q++) acc[q] = _mm256_setzero_si256();
                const uint8_t *row = x + i * ldx;
                const int8_t *w = panel_base + half * 128;
                for (ptrdiff_t step = 0; step < k4; step++, w += panel_step_bytes) {
                    int32_t word;
                    if (step * 4 + 4 <= k) memcpy(&word, row + step * 4, 4);
                    else word = activation_word(row, step, k);
                    // [a0 a1 a2 a3] as 16-bit lanes, repeated.
                    const __m256i a = _mm256_cvtepu8_epi16(_mm_set1_epi32(word));
                    for (int q = 0; q < 8; q++) {
                        // 4 columns × 4 depths → 16 words; vpmaddwd gives 2 partial sums per column.
                        const __m256i wq = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + q * 16)));
                        acc[q] = _mm256_add_epi32(acc[q], _mm256_madd_epi16(a, wq));
                    }
                }
                int32_t partial[64];
                for (int q = 0; q < 8; q++) _mm256_storeu_si256((__m256i *)(partial + q * 8), acc[q]);
                for (ptrdiff_t c = 0; c < columns; c++) finish_value(e, i, first + c, partial[2 * c] + partial[2 * c + 1]);
            }
        }
    }
}

// MARK: - AVX-512 VNNI

/// Where a tile's rows read their depth: row r's codes for depth step (segment q, step t) are the
/// 4 bytes at x + r·ldx + q·stride + 4t, for `count` segments of `steps` steps each (a linear layer:
/// one segment of the whole row; a convolution read in place: one segment per kernel row, the
/// kernel row's k pixels × channels of a padded channels-last image). Weights run through the
/// segments in order.
typedef struct {
    ptrdiff_t count, steps, stride;
} depth_segments;

static SHRINK_ALWAYS_INLINE SHRINK_TARGET_VNNI void vnni_tile(
    const int rows, const int blocks, const uint8_t *x, ptrdiff_t ldx, const depth_segments segments, ptrdiff_t k,
    const int8_t *panel_base, ptrdiff_t i0, ptrdiff_t j0, ptrdiff_t columns, const int8_epilogue *e) {
    __m512i acc[6][4];
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < blocks; b++) acc[r][b] = _mm512_setzero_si512();
    const int8_t *w = panel_base;
    // One loop over all steps (a loop per segment makes the compiler keep the accumulators in
    // memory): `offset` jumps to the next segment after every `segments.steps` steps.
    const ptrdiff_t full = segments.count * segments.steps, jump = segments.stride - segments.steps * 4;
    ptrdiff_t offset = 0, left = segments.steps;
    for (ptrdiff_t step = 0; step < full; step++, w += panel_step_bytes) {
        __m512i wv[4];
        for (int b = 0; b < blocks; b++) wv[b] = _mm512_loadu_si512((const void *)(w + b * 64));
        for (int r = 0; r < rows; r++) {
            int32_t word;
            memcpy(&word, x + r * ldx + offset, 4);
            const __m512i a = _mm512_set1_epi32(word);
            for (int b = 0; b < blocks; b++) acc[r][b] = _mm512_dpbusd_epi32(acc[r][b], a, wv[b]);
        }
        offset += 4;
        if (--left == 0) {
            left = segments.steps;
            offset += jump;
        }
    }
    // A linear row whose depth is not a whole number of steps: the last step zero-filled.
    if (full < depth_steps(k)) {
        __m512i wv[4];
        for (int b = 0; b < blocks; b++) wv[b] = _mm512_loadu_si512((const void *)(w + b * 64));
        for (int r = 0; r < rows; r++) {
            const __m512i a = _mm512_set1_epi32(activation_word(x + r * ldx, full, k));
            for (int b = 0; b < blocks; b++) acc[r][b] = _mm512_dpbusd_epi32(acc[r][b], a, wv[b]);
        }
    }
    for (int r = 0; r < rows; r++) {
        if (!e->raw && columns == blocks * 16) {
            // Vectorized dequantization: (sum − zx · Σw) · sx · sw + bias.
            const ptrdiff_t i = i0 + r;
            const __m512i zx = _mm512_set1_epi32(e->x_zero_points[i]);
            const __m512 sx = _mm512_set1_ps(e->x_scales[i]);
            for (int b = 0; b < blocks; b++) {
                const ptrdiff_t j = j0 + b * 16;
                const __m512i centered = _mm512_sub_epi32(acc[r][b], _mm512_mullo_epi32(zx, _mm512_loadu_si512(e->row_sums + j)));
                shrink_store_dequantized16(centered, sx, e->w_scales + j, e->bias ? e->bias + j : NULL, e->relu,
                                           e->y + i * e->ldy + j);
            }
            continue;
        }
        int32_t sums[64];
        for (int b = 0; b < blocks; b++) _mm512_storeu_si512(sums + b * 16, acc[r][b]);
        for (ptrdiff_t c = 0; c < columns; c++) finish_value(e, i0 + r, j0 + c, sums[c]);
    }
}

SHRINK_TARGET_VNNI static void vnni_rows(const int rows, const uint8_t *x, ptrdiff_t ldx, const depth_segments segments,
                                         ptrdiff_t k, const int8_t *panel_base, ptrdiff_t i0, ptrdiff_t j0,
                                         ptrdiff_t columns, const int8_epilogue *e) {
    const int blocks = (int)((columns + 15) / 16);
#define VNNI_CASE(R) \
    switch (blocks) { \
    case 1: vnni_tile(R, 1, x, ldx, segments, k, panel_base, i0, j0, columns, e); break; \
    case 2: vnni_tile(R, 2, x, ldx, segments, k, panel_base, i0, j0, columns, e); break; \
    case 3: vnni_tile(R, 3, x, ldx, segments, k, panel_base, i0, j0, columns, e); break; \
    default: vnni_tile(R, 4, x, ldx, segments, k, panel_base, i0, j0, columns, e); break; \
    }
    switch (rows) {
    case 1: VNNI_CASE(1) break;
    case 2: VNNI_CASE(2) break;
    case 3: VNNI_CASE(3) break;
    case 4: VNNI_CASE(4) break;
    case 5: VNNI_CASE(5) break;
    default: VNNI_CASE(6) break;
    }
#undef VNNI_CASE
}

SHRINK_TARGET_VNNI static void int8_vnni(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                                         const int8_t *packed, const int8_epilogue *e) {
    const ptrdiff_t k4 = depth_steps(k);
    const depth_segments whole_row = {.count = 1, .steps = k / 4, .stride = 0};
    for (ptrdiff_t panel = 0; panel < panel_count(n); panel++) {
        const int8_t *panel_base = packed + panel * k4 * panel_step_bytes;
        const ptrdiff_t j0 = panel * panel_columns;
        const ptrdiff_t columns = n - j0 < panel_columns ? n - j0 : panel_columns;
        for (ptrdiff_t i = 0; i < m; i += 6) {
            const int rows = (int)(m - i < 6 ? m - i : 6);
            vnni_rows(rows, x + i * ldx, ldx, whole_row, k, panel_base, i, j0, columns, e);
        }
    }
}

#endif

#if SHRINK_HAVE_NEON_PATHS
/// NEON (int8_linear_neon.c): the int32 sums of up to 4 rows × one panel at a time, then the epilogue.
/// `codebook` NULL: int8 weights; else the palettized layout's 4-bit indices into it.
static void int8_neon(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx, const void *packed,
                      const int8_t *codebook, const int8_epilogue *e) {
    const ptrdiff_t panel_steps = codebook ? (depth_steps(k) + 1) / 2 : depth_steps(k);
    for (ptrdiff_t panel = 0; panel < panel_count(n); panel++) {
        const uint8_t *panel_base = (const uint8_t *)packed + panel * panel_steps * panel_step_bytes;
        const ptrdiff_t j0 = panel * panel_columns, columns = n - j0 < panel_columns ? n - j0 : panel_columns;
        for (ptrdiff_t i = 0; i < m; i += SHRINK_INT8_NEON_ROWS) {
            const int rows = (int)(m - i < SHRINK_INT8_NEON_ROWS ? m - i : SHRINK_INT8_NEON_ROWS);
            int32_t sums[SHRINK_INT8_NEON_ROWS * SHRINK_INT8_PANEL_COLUMNS];
            shrink_int8_neon_panel_sums(rows, k, x + i * ldx, ldx, panel_base, codebook, columns, sums);
            for (int r = 0; r < rows; r++)
                for (ptrdiff_t c = 0; c < columns; c++) finish_value(e, i + r, j0 + c, sums[r * panel_columns + c]);
        }
    }
}
#endif

static void int8_dispatch(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                          const int8_t *packed, const int8_epilogue *e) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) finish_value(e, i, j, 0);
        return;
    }
#if SHRINK_HAVE_X86_PATHS
    const shrink_cpu_path path = shrink_cpu_active_path();
    if (path == SHRINK_CPU_PATH_AVX512 && shrink_cpu_has_vnni()) { int8_vnni(m, n, k, x, ldx, packed, e); return; }
    if (path == SHRINK_CPU_PATH_AVX512 || path == SHRINK_CPU_PATH_AVX2) { int8_avx2(m, n, k, x, ldx, packed, e); return; }
#endif
#if SHRINK_HAVE_NEON_PATHS
    if (shrink_cpu_active_path() == SHRINK_CPU_PATH_NEON) { int8_neon(m, n, k, x, ldx, packed, NULL, e); return; }
#endif
    int8_portable(m, n, k, x, ldx, packed, e);
}

void shrink_int8_gemm_s32(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                          const int8_t *packed, int32_t *c, ptrdiff_t ldc) {
    const int8_epilogue e = {.raw = c, .ldr = ldc};
    int8_dispatch(m, n, k, x, ldx, packed, &e);
}

void shrink_int8_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                        const float *x_scales, const int32_t *x_zero_points,
                        const int8_t *packed, const int32_t *row_sums, const float *w_scales,
                        const float *bias, float *y, ptrdiff_t ldy) {
    const int8_epilogue e = {.x_scales = x_scales, .x_zero_points = x_zero_points, .row_sums = row_sums,
                             .w_scales = w_scales, .bias = bias, .y = y, .ldy = ldy};
    int8_dispatch(m, n, k, x, ldx, packed, &e);
}

void shrink_int8_dequantize(ptrdiff_t m, ptrdiff_t n, const int32_t *c, ptrdiff_t ldc,
                            const float *x_scales, const int32_t *x_zero_points, const int32_t *row_sums,
                            const float *w_scales, const float *bias, float *y, ptrdiff_t ldy) {
    const int8_epilogue e = {.x_scales = x_scales, .x_zero_points = x_zero_points, .row_sums = row_sums,
                             .w_scales = w_scales, .bias = bias, .y = y, .ldy = ldy};
    for (ptrdiff_t i = 0; i < m; i++)
        for (ptrdiff_t j = 0; j < n; j++) finish_value(&e, i, j, c[i * ldc + j]);
}

// MARK: - Convolution read in place (implicit im2col)

#if SHRINK_HAVE_X86_PATHS
/// The VNNI tiles with each row (output pixel) reading its window straight from the padded
/// channels-last image: one depth segment per kernel row (k pixels × channels bytes, contiguous;
/// channels a multiple of 4, so segments are whole 4-byte steps).
SHRINK_TARGET_VNNI static void int8_vnni_convolution(const shrink_int8_convolution_geometry *g, ptrdiff_t n,
                                                     const uint8_t *image, const int8_t *packed,
                                                     const int8_epilogue *e) {
    const ptrdiff_t depth = g->kernel * g->kernel * g->channels;
    const ptrdiff_t k4 = depth / 4, pixel_bytes = g->channels;
    const depth_segments window = {.count = g->kernel, .steps = g->kernel * g->channels / 4,
                                   .stride = g->image_width * pixel_bytes};
    for (ptrdiff_t panel = 0; panel < panel_count(n); panel++) {
        const int8_t *panel_base = packed + panel * k4 * panel_step_bytes;
        const ptrdiff_t j0 = panel * panel_columns;
        const ptrdiff_t columns = n - j0 < panel_columns ? n - j0 : panel_columns;
        // Tiles of up to 6 pixels along one output row: consecutive pixels' windows start
        // stride · channels bytes apart, the row stride of the tile.
        for (ptrdiff_t oy = 0; oy < g->output_height; oy++)
            for (ptrdiff_t ox = 0; ox < g->output_width; ox += 6) {
                const int rows = (int)(g->output_width - ox < 6 ? g->output_width - ox : 6);
                const uint8_t *first = image + (oy * g->stride * g->image_width + ox * g->stride) * pixel_bytes;
                vnni_rows(rows, first, g->stride * pixel_bytes, window, depth, panel_base, oy * g->output_width + ox, j0,
                          columns, e);
            }
    }
}
#endif

int shrink_int8_convolution(const shrink_int8_convolution_geometry *g, ptrdiff_t n, const uint8_t *image,
                            const float *x_scales, const int32_t *x_zero_points, const int8_t *packed,
                            const int32_t *row_sums, const float *w_scales, const float *bias, float *y,
                            ptrdiff_t ldy) {
    if (g->channels <= 0 || g->kernel <= 0 || g->stride <= 0) return -2;
    const ptrdiff_t m = g->output_height * g->output_width, depth = g->kernel * g->kernel * g->channels;
    if (m <= 0 || n <= 0) return 0;
    const int8_epilogue e = {.x_scales = x_scales, .x_zero_points = x_zero_points, .row_sums = row_sums,
                             .w_scales = w_scales, .bias = bias, .y = y, .ldy = ldy};
#if SHRINK_HAVE_X86_PATHS
    if (g->channels % 4 == 0 && shrink_cpu_active_path() == SHRINK_CPU_PATH_AVX512 && shrink_cpu_has_vnni()) {
        int8_vnni_convolution(g, n, image, packed, &e);
        return 0;
    }
#endif
    // Channels off the 4-byte steps (a first layer's 1 or 3), or other paths: the windows copied
    // out as rows (im2col from the padded image) of whole steps, zero past the depth (the packed
    // weights are zero there), then the product.
    const ptrdiff_t ldr = depth_steps(depth) * 4, run = g->kernel * g->channels;
    uint8_t *rows = (uint8_t *)(void *)shrink_sgemm_scratch(2, (size_t)(m * ldr + 3) / 4);
    if (!rows) return -1;
    ptrdiff_t oy = 0, ox = 0;
    for (ptrdiff_t i = 0; i < m; i++) {
        const uint8_t *window = image + (oy * g->stride * g->image_width + ox * g->stride) * g->channels;
        if (++ox == g->output_width) { ox = 0; oy++; }
        if (ldr <= 16) {
            // Short rows (a first layer's single channel): gathered in registers-sized local bytes,
            // stored as whole words.
            uint8_t local[16] = {0};
            for (ptrdiff_t kr = 0; kr < g->kernel; kr++)
                for (ptrdiff_t b = 0; b < run; b++) local[kr * run + b] = window[kr * g->image_width * g->channels + b];
            for (ptrdiff_t b = 0; b < ldr; b += 4) memcpy(rows + i * ldr + b, local + b, 4);
            continue;
        }
        uint8_t *target = rows + i * ldr;
        for (ptrdiff_t kr = 0; kr < g->kernel; kr++, target += run) {
            const uint8_t *source = window + kr * g->image_width * g->channels;
            for (ptrdiff_t b = 0; b < run; b++) target[b] = source[b];
        }
        for (ptrdiff_t b = depth; b < ldr; b++) rows[i * ldr + b] = 0;
    }
    int8_dispatch(m, n, ldr, rows, ldr, packed, &e);
    return 0;
}

void shrink_pad_channels_last_u8(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t padding,
                                 const uint8_t *codes, uint8_t pad, uint8_t *image) {
    const ptrdiff_t image_width = width + 2 * padding, image_height = height + 2 * padding, plane = height * width;
    memset(image, pad, (size_t)(image_height * image_width * channels));
    if (channels == 1) {
        for (ptrdiff_t y = 0; y < height; y++)
            memcpy(image + (y + padding) * image_width + padding, codes + y * width, (size_t)width);
        return;
    }
    for (ptrdiff_t y = 0; y < height; y++)
        for (ptrdiff_t x = 0; x < width; x++) {
            uint8_t *target = image + ((y + padding) * image_width + x + padding) * channels;
            const uint8_t *source = codes + y * width + x;
            for (ptrdiff_t c = 0; c < channels; c++) target[c] = source[c * plane];
        }
}

/// fp32 input → u8 codes (per tensor, per row or static) → int8 product → fp32 (+ ReLU).
static int int8_linear_float_input(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx, int mode,
                                   float scale, int32_t zero_point, int relu, const int8_t *packed,
                                   const int32_t *row_sums, const float *w_scales, const float *bias, float *y,
                                   ptrdiff_t ldy) {
    if (m <= 0 || n <= 0) return 0;
    const ptrdiff_t ldq = k > 0 ? k : 1;
    const size_t bytes = (size_t)m * (sizeof(float) + sizeof(int32_t)) + (size_t)(m * ldq);
    float *scales = shrink_sgemm_scratch(2, (bytes + sizeof(float) - 1) / sizeof(float));
    if (!scales) return -1;
    int32_t *zero_points = (int32_t *)(void *)(scales + m);
    uint8_t *codes = (uint8_t *)(void *)(zero_points + m);
    if (mode == SHRINK_INT8_STATIC) {
        for (ptrdiff_t i = 0; i < m; i++) { scales[i] = scale; zero_points[i] = zero_point; }
        if (k > 0) shrink_quantize_activations_static(m, k, x, ldx, scale, zero_point, codes, ldq);
    } else if (k > 0) {
        shrink_quantize_activations(m, k, x, ldx, mode == SHRINK_INT8_PER_ROW, codes, ldq, scales, zero_points);
    } else {
        for (ptrdiff_t i = 0; i < m; i++) { scales[i] = 1; zero_points[i] = 0; }
    }
    const int8_epilogue e = {.x_scales = scales, .x_zero_points = zero_points, .row_sums = row_sums,
                             .w_scales = w_scales, .bias = bias, .y = y, .ldy = ldy, .relu = relu};
    int8_dispatch(m, n, k, codes, ldq, packed, &e);
    return 0;
}

int shrink_int8_linear_dynamic(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx, int per_row,
                               const int8_t *packed, const int32_t *row_sums, const float *w_scales,
                               const float *bias, float *y, ptrdiff_t ldy) {
    return int8_linear_float_input(m, n, k, x, ldx, per_row ? SHRINK_INT8_PER_ROW : SHRINK_INT8_PER_TENSOR, 1, 0, 0,
                                   packed, row_sums, w_scales, bias, y, ldy);
}

int shrink_int8_linear_static(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx, float scale,
                              int32_t zero_point, const int8_t *packed, const int32_t *row_sums, const float *w_scales,
                              const float *bias, float *y, ptrdiff_t ldy) {
    return int8_linear_float_input(m, n, k, x, ldx, SHRINK_INT8_STATIC, scale, zero_point, 0, packed, row_sums,
                                   w_scales, bias, y, ldy);
}

int shrink_int8_linear_fused(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                             shrink_int8_activation_mode mode, float scale, int32_t zero_point, int relu,
                             const int8_t *packed, const int32_t *row_sums, const float *w_scales, const float *bias,
                             float *y, ptrdiff_t ldy) {
    return int8_linear_float_input(m, n, k, x, ldx, (int)mode, scale, zero_point, relu, packed, row_sums, w_scales,
                                   bias, y, ldy);
}

// MARK: - Palettized int8 (4-bit indices into a 16-entry s8 codebook)
//
// The int8 layout above, with each weight byte replaced by a 4-bit index into a codebook of 16
// s8 values: byte `pos` (0...255) of nibble step q holds the index of int8 step 2q (low nibble)
// and 2q+1 (high nibble). The kernel expands indices with vpshufb (a 16-entry table per 128-bit
// lane) straight into vpdpbusd operands, so it reads half the bytes of the int8 kernel.

size_t shrink_palette_int8_packed_size(ptrdiff_t n, ptrdiff_t k) {
    if (n <= 0 || k <= 0) return 0;
    return (size_t)panel_count(n) * (size_t)((depth_steps(k) + 1) / 2) * panel_step_bytes;
}

int shrink_palette_int8_pack(ptrdiff_t n, ptrdiff_t k, const uint8_t *indices, ptrdiff_t ldi,
                             const int8_t *codebook, uint8_t *packed, int32_t *row_sums) {
    const ptrdiff_t pairs = (depth_steps(k) + 1) / 2;
    memset(packed, 0, shrink_palette_int8_packed_size(n, k));
    for (ptrdiff_t j = 0; j < n; j++) {
        const ptrdiff_t panel = j / panel_columns, column = j % panel_columns;
        int32_t sum = 0;
        for (ptrdiff_t p = 0; p < k; p++) {
            const uint8_t index = indices[j * ldi + p];
            if (index > 15) return -1;
            sum += codebook[index];
            const ptrdiff_t step = p / 4;
            packed[(panel * pairs + step / 2) * panel_step_bytes + column * 4 + p % 4] |= (uint8_t)(index << (4 * (step % 2)));
        }
        if (row_sums) row_sums[j] = sum;
    }
    return 0;
}

static void palette_int8_portable(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                                  const uint8_t *packed, const int8_t *codebook, const int8_epilogue *e) {
    const ptrdiff_t k4 = depth_steps(k), pairs = (k4 + 1) / 2;
    for (ptrdiff_t panel = 0; panel < panel_count(n); panel++) {
        const uint8_t *panel_base = packed + panel * pairs * panel_step_bytes;
        const ptrdiff_t columns = n - panel * panel_columns < panel_columns ? n - panel * panel_columns : panel_columns;
        for (ptrdiff_t i = 0; i < m; i++) {
            int32_t sums[SHRINK_INT8_PANEL_COLUMNS] = {0};
            const uint8_t *row = x + i * ldx;
            for (ptrdiff_t step = 0; step < k4; step++) {
                const int32_t word = activation_word(row, step, k);
                uint8_t a[4];
                memcpy(a, &word, 4);
                const uint8_t *w = panel_base + (step / 2) * panel_step_bytes;
                const int shift = 4 * (int)(step % 2);
                for (int c = 0; c < panel_columns; c++)
                    for (int t = 0; t < 4; t++) sums[c] += a[t] * codebook[(w[c * 4 + t] >> shift) & 15];
            }
            for (ptrdiff_t c = 0; c < columns; c++) finish_value(e, i, panel * panel_columns + c, sums[c]);
        }
    }
}

#if SHRINK_HAVE_X86_PATHS
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_VNNI void palette_vnni_tile(
    const int rows, const int blocks, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx, const uint8_t *panel_base,
    const __m512i table, ptrdiff_t i0, ptrdiff_t j0, ptrdiff_t columns, const int8_epilogue *e) {
    __m512i acc[4][4];
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < blocks; b++) acc[r][b] = _mm512_setzero_si512();
    const ptrdiff_t k4 = depth_steps(k), full_pairs = (k / 4) / 2, pairs = (k4 + 1) / 2;
    const __m512i low_mask = _mm512_set1_epi8(15);
    const uint8_t *w = panel_base;
    for (ptrdiff_t q = 0; q < pairs; q++, w += panel_step_bytes) {
        __m512i a0[4], a1[4];
        for (int r = 0; r < rows; r++) {
            int32_t word0, word1;
            if (q < full_pairs) {
                memcpy(&word0, x + r * ldx + q * 8, 4);
                memcpy(&word1, x + r * ldx + q * 8 + 4, 4);
            } else {
                word0 = activation_word(x + r * ldx, 2 * q, k);
                word1 = 2 * q + 1 < k4 ? activation_word(x + r * ldx, 2 * q + 1, k) : 0;
            }
            a0[r] = _mm512_set1_epi32(word0);
            a1[r] = _mm512_set1_epi32(word1);
        }
        for (int b = 0; b < blocks; b++) {
            const __m512i v = _mm512_loadu_si512((const void *)(w + b * 64));
            const __m512i low = _mm512_shuffle_epi8(table, _mm512_and_si512(v, low_mask));
            const __m512i high = _mm512_shuffle_epi8(table, _mm512_and_si512(_mm512_srli_epi16(v, 4), low_mask));
            for (int r = 0; r < rows; r++) {
                acc[r][b] = _mm512_dpbusd_epi32(acc[r][b], a0[r], low);
                acc[r][b] = _mm512_dpbusd_epi32(acc[r][b], a1[r], high);
            }
        }
    }
    for (int r = 0; r < rows; r++) {
        int32_t sums[64];
        for (int b = 0; b < blocks; b++) _mm512_storeu_si512(sums + b * 16, acc[r][b]);
        for (ptrdiff_t c = 0; c < columns; c++) finish_value(e, i0 + r, j0 + c, sums[c]);
    }
}

SHRINK_TARGET_VNNI static void palette_int8_vnni(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                                                 const uint8_t *packed, const int8_t *codebook, const int8_epilogue *e) {
    const ptrdiff_t pairs = (depth_steps(k) + 1) / 2;
    const __m512i table = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)codebook));
    for (ptrdiff_t panel = 0; panel < panel_count(n); panel++) {
        const uint8_t *panel_base = packed + panel * pairs * panel_step_bytes;
        const ptrdiff_t j0 = panel * panel_columns;
        const ptrdiff_t columns = n - j0 < panel_columns ? n - j0 : panel_columns;
        const int blocks = (int)((columns + 15) / 16);
        for (ptrdiff_t i = 0; i < m; i += 4) {
            const int rows = (int)(m - i < 4 ? m - i : 4);
#define PALETTE_CASE(R) \
    switch (blocks) { \
    case 1: palette_vnni_tile(R, 1, k, x + i * ldx, ldx, panel_base, table, i, j0, columns, e); break; \
    case 2: palette_vnni_tile(R, 2, k, x + i * ldx, ldx, panel_base, table, i, j0, columns, e); break; \
    case 3: palette_vnni_tile(R, 3, k, x + i * ldx, ldx, panel_base, table, i, j0, columns, e); break; \
    default: palette_vnni_tile(R, 4, k, x + i * ldx, ldx, panel_base, table, i, j0, columns, e); break; \
    }
            switch (rows) {
            case 1: PALETTE_CASE(1) break;
            case 2: PALETTE_CASE(2) break;
            case 3: PALETTE_CASE(3) break;
            default: PALETTE_CASE(4) break;
            }
#undef PALETTE_CASE
        }
    }
}

/// AVX2: one row × 32 columns (half a panel) like int8_avx2; indices expanded with pshufb into
/// s8, sign-extended to 16 bits and multiplied with vpmaddwd (no saturation).
SHRINK_TARGET_AVX2 static void palette_int8_avx2(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                                                 const uint8_t *packed, const int8_t *codebook, const int8_epilogue *e) {
    const ptrdiff_t k4 = depth_steps(k), pairs = (k4 + 1) / 2;
    const __m128i table = _mm_loadu_si128((const __m128i *)codebook), low_mask = _mm_set1_epi8(15);
    for (ptrdiff_t panel = 0; panel < panel_count(n); panel++) {
        const uint8_t *panel_base = packed + panel * pairs * panel_step_bytes;
        for (int half = 0; half < 2; half++) {
            const ptrdiff_t first = panel * panel_columns + half * 32;
            if (first >= n) break;
            const ptrdiff_t columns = n - first < 32 ? n - first : 32;
            for (ptrdiff_t i = 0; i < m; i++) {
                __m256i acc[8];
                for (int q = 0; q < 8; q++) acc[q] = _mm256_setzero_si256();
                const uint8_t *row = x + i * ldx;
                const uint8_t *w = panel_base + half * 128;
                for (ptrdiff_t pair = 0; pair < pairs; pair++, w += panel_step_bytes) {
                    const int32_t word0 = activation_word(row, 2 * pair, k);
                    const int32_t word1 = 2 * pair + 1 < k4 ? activation_word(row, 2 * pair + 1, k) : 0;
                    const __m256i a0 = _mm256_cvtepu8_epi16(_mm_set1_epi32(word0));
                    const __m256i a1 = _mm256_cvtepu8_epi16(_mm_set1_epi32(word1));
                    for (int q = 0; q < 8; q++) {
                        const __m128i v = _mm_loadu_si128((const __m128i *)(w + q * 16));
                        const __m128i low = _mm_shuffle_epi8(table, _mm_and_si128(v, low_mask));
                        const __m128i high = _mm_shuffle_epi8(table, _mm_and_si128(_mm_srli_epi16(v, 4), low_mask));
                        acc[q] = _mm256_add_epi32(acc[q], _mm256_madd_epi16(a0, _mm256_cvtepi8_epi16(low)));
                        acc[q] = _mm256_add_epi32(acc[q], _mm256_madd_epi16(a1, _mm256_cvtepi8_epi16(high)));
                    }
                }
                int32_t partial[64];
                for (int q = 0; q < 8; q++) _mm256_storeu_si256((__m256i *)(partial + q * 8), acc[q]);
                for (ptrdiff_t c = 0; c < columns; c++) finish_value(e, i, first + c, partial[2 * c] + partial[2 * c + 1]);
            }
        }
    }
}
#endif

static void palette_int8_dispatch(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                                  const uint8_t *packed, const int8_t *codebook, const int8_epilogue *e) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) finish_value(e, i, j, 0);
        return;
    }
#if SHRINK_HAVE_X86_PATHS
    if (shrink_cpu_active_path() == SHRINK_CPU_PATH_AVX512 && shrink_cpu_has_vnni()) {
        palette_int8_vnni(m, n, k, x, ldx, packed, codebook, e);
        return;
    }
    if (shrink_cpu_active_path() == SHRINK_CPU_PATH_AVX512 || shrink_cpu_active_path() == SHRINK_CPU_PATH_AVX2) {
        palette_int8_avx2(m, n, k, x, ldx, packed, codebook, e);
        return;
    }
#endif
#if SHRINK_HAVE_NEON_PATHS
    if (shrink_cpu_active_path() == SHRINK_CPU_PATH_NEON) {
        int8_neon(m, n, k, x, ldx, packed, codebook, e);
        return;
    }
#endif
    palette_int8_portable(m, n, k, x, ldx, packed, codebook, e);
}

void shrink_palette_int8_gemm_s32(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                                  const uint8_t *packed, const int8_t *codebook, int32_t *c, ptrdiff_t ldc) {
    const int8_epilogue e = {.raw = c, .ldr = ldc};
    palette_int8_dispatch(m, n, k, x, ldx, packed, codebook, &e);
}

void shrink_palette_int8_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                                const float *x_scales, const int32_t *x_zero_points,
                                const uint8_t *packed, const int8_t *codebook, const int32_t *row_sums,
                                const float *w_scales, const float *bias, float *y, ptrdiff_t ldy) {
    const int8_epilogue e = {.x_scales = x_scales, .x_zero_points = x_zero_points, .row_sums = row_sums,
                             .w_scales = w_scales, .bias = bias, .y = y, .ldy = ldy};
    palette_int8_dispatch(m, n, k, x, ldx, packed, codebook, &e);
}

int shrink_palette_int8_linear_dynamic(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx, int per_row,
                                       const uint8_t *packed, const int8_t *codebook, const int32_t *row_sums,
                                       const float *w_scales, const float *bias, float *y, ptrdiff_t ldy) {
    if (m <= 0 || n <= 0) return 0;
    const ptrdiff_t ldq = k > 0 ? k : 1;
    const size_t bytes = (size_t)m * (sizeof(float) + sizeof(int32_t)) + (size_t)(m * ldq);
    float *scales = shrink_sgemm_scratch(2, (bytes + sizeof(float) - 1) / sizeof(float));
    if (!scales) return -1;
    int32_t *zero_points = (int32_t *)(void *)(scales + m);
    uint8_t *codes = (uint8_t *)(void *)(zero_points + m);
    if (k > 0) {
        shrink_quantize_activations(m, k, x, ldx, per_row, codes, ldq, scales, zero_points);
    } else {
        for (ptrdiff_t i = 0; i < m; i++) { scales[i] = 1; zero_points[i] = 0; }
    }
    const int8_epilogue e = {.x_scales = scales, .x_zero_points = zero_points, .row_sums = row_sums,
                             .w_scales = w_scales, .bias = bias, .y = y, .ldy = ldy};
    palette_int8_dispatch(m, n, k, codes, ldq, packed, codebook, &e);
    return 0;
}
