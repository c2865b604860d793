// Sub-byte integer linear layer: y = dequant(u8 x · Wᵀ) + bias for weights stored as affine
// codes of 1...4 bits, with dynamic activation quantization (the u8 codes of int8_linear.c).
//
// Weights. Output channel j has codes q[j][p] in the range of its bit width and signedness,
// scale s[j] and zero point z[j] (W = s · (q − z)). They are stored offset to unsigned
// u = q − lo (lo = −2^(bits−1) for signed codes, 0 for unsigned), so u is in 0...15 (4-bit
// container, for 3- and 4-bit codes) or 0...3 (2-bit container, for 1- and 2-bit codes), and
// q − z = u − c with the per-channel offset c = z − lo.
//
// Packed layout (`bits` = container width 4 or 2; fields F = 8 / bits codes per byte; a depth
// step covers D = 4 · F depths; steps = ceil(k / D); panels of 64 output channels):
//
//   byte packed[(panel · steps + step) · 256 + column · 4 + t], column 0...63, t 0...3, holds
//   field f (f = 0...F−1, bits f·bits ... f·bits + bits − 1) = u[panel · 64 + column][step · D + 4f + t]
//
// 4-bit container, one 256-byte depth step of a panel (8 depths × 64 channels):
//
//   byte  0: ch0 d0 | ch0 d4 << 4     byte  4: ch1 d0 | ch1 d4 << 4   ...  byte 252: ch63 d0 | ch63 d4 << 4
//   byte  1: ch0 d1 | ch0 d5 << 4     byte  5: ch1 d1 | ch1 d5 << 4   ...  byte 253: ch63 d1 | ch63 d5 << 4
//   byte  2: ch0 d2 | ch0 d6 << 4     byte  6: ch1 d2 | ch1 d6 << 4   ...  byte 254: ch63 d2 | ch63 d6 << 4
//   byte  3: ch0 d3 | ch0 d7 << 4     byte  7: ch1 d3 | ch1 d7 << 4   ...  byte 255: ch63 d3 | ch63 d7 << 4
//
// 2-bit container: byte 4·column + t holds depths t, 4+t, 8+t, 12+t at bits 0-1, 2-3, 4-5, 6-7
// (16 depths × 64 channels per step). Depths past k and channels past n are code 0.
//
// So one 64-byte load holds 16 channels × D depths; `(v >> bits·f) & (2^bits − 1)` (vpsrlw +
// vpandd; the mask removes the bits shifted in from the neighbouring byte) is the `vpdpbusd`
// operand of 16 channels × 4 depths for field f, against the broadcast activation quad of depths
// 4f...4f+3. A panel is one contiguous stream: half (4-bit) or a quarter (2-bit) of the int8
// kernel's bytes.
//
// Arithmetic. With u8 activations a (scale sx, zero point zx per row) and A_i = Σ_p a[i][p]:
//   Σ_p (a − zx)(u − c) = Σ_p a·u − c_j · A_i − zx_i · R_j,   R_j = Σ_p (u[j][p] − c_j),
// so the kernels compute the exact int32 Σ a·u and the epilogue subtracts both terms, then
// multiplies by sx · s and adds the bias (and applies the ReLU). Paths: AVX-512 VNNI (4 rows × 64
// channels per tile), AVX2 (vpmaddubsw: a pair of u8 · code products is at most 2 · 255 · 15 =
// 7650, all fields of a byte together at most 15300 (4-bit) or 6120 (2-bit), below the int16
// saturation at 32767; vpmaddwd by 1 then widens to int32), portable C. All exact in int32.
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200112L
#endif

#include "shrink_kernels.h"
#include "sgemm_internal.h"
#include "quantized_epilogue.h"

#include <string.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

enum { panel_columns = SHRINK_SUBBYTE_PANEL_COLUMNS, panel_step_bytes = SHRINK_SUBBYTE_PANEL_COLUMNS * 4 };

static int valid_bits(int bits) { return bits == 2 || bits == 4; }
static ptrdiff_t step_depth(int bits) { return 4 * (8 / bits); }
static ptrdiff_t depth_steps(int bits, ptrdiff_t k) { return (k + step_depth(bits) - 1) / step_depth(bits); }
static ptrdiff_t panel_count(ptrdiff_t n) { return (n + panel_columns - 1) / panel_columns; }

size_t shrink_subbyte_packed_size(int bits, ptrdiff_t n, ptrdiff_t k) {
    if (!valid_bits(bits) || n <= 0 || k <= 0) return 0;
    return (size_t)panel_count(n) * (size_t)depth_steps(bits, k) * panel_step_bytes;
}

int shrink_subbyte_pack_weights(int bits, ptrdiff_t n, ptrdiff_t k, const uint8_t *codes, ptrdiff_t ldc,
                                const int32_t *offsets, uint8_t *packed, int32_t *compensation) {
    if (!valid_bits(bits)) return -1;
    const ptrdiff_t steps = depth_steps(bits, k), depth = step_depth(bits);
    const int limit = 1 << bits;
    memset(packed, 0, shrink_subbyte_packed_size(bits, n, k));
    for (ptrdiff_t j = 0; j < n; j++) {
        const ptrdiff_t panel = j / panel_columns, column = j % panel_columns;
        int64_t sum = 0;
        for (ptrdiff_t p = 0; p < k; p++) {
            const uint8_t code = codes[j * ldc + p];
            if (code >= limit) return -1;
            sum += code;
            const ptrdiff_t step = p / depth, within = p % depth, field = within / 4;
            packed[(panel * steps + step) * panel_step_bytes + column * 4 + within % 4] |= (uint8_t)(code << (bits * field));
        }
        if (compensation) compensation[j] = (int32_t)(sum - (int64_t)k * (offsets ? offsets[j] : 0));
    }
    return 0;
}

void shrink_activation_code_sums(ptrdiff_t m, ptrdiff_t k, const uint8_t *codes, ptrdiff_t ldq, int32_t *sums) {
    for (ptrdiff_t i = 0; i < m; i++) {
        uint32_t sum = 0;
        for (ptrdiff_t p = 0; p < k; p++) sum += codes[i * ldq + p];
        sums[i] = (int32_t)sum;
    }
}

// MARK: - Epilogue

/// What to do with the int32 sums Σ a·u of a tile: store them raw, or dequantize them.
typedef struct {
    const float *x_scales; const int32_t *x_zero_points; const int32_t *x_code_sums;
    const int32_t *offsets; const int32_t *compensation; const float *w_scales; const float *bias;
    float *y; ptrdiff_t ldy;      // dequantized output (when raw == NULL)
    int relu;                     // y >= 0 ? y : 0 on the dequantized output (NaN to 0)
    int32_t *raw; ptrdiff_t ldr;  // raw sums (when not NULL)
} subbyte_epilogue;

static inline void finish_value(const subbyte_epilogue *e, ptrdiff_t i, ptrdiff_t j, int32_t sum) {
    if (e->raw) {
        e->raw[i * e->ldr + j] = sum;
        return;
    }
    // Wrapping int32 arithmetic, as the vector epilogue: exact whenever the result fits.
    const uint32_t centered = (uint32_t)sum - (uint32_t)e->offsets[j] * (uint32_t)e->x_code_sums[i]
                              - (uint32_t)e->x_zero_points[i] * (uint32_t)e->compensation[j];
    e->y[i * e->ldy + j] = shrink_dequantized_value((int32_t)centered, e->x_scales[i], e->w_scales[j],
                                                    e->bias ? e->bias + j : NULL, e->relu);
}

/// Copies the activation codes of the last, partial depth step of `rows` rows into `tail`
/// (rows of `depth` bytes, zero past k), so the tiles read whole steps.
static void copy_tail(int rows, const uint8_t *x, ptrdiff_t ldx, ptrdiff_t start, ptrdiff_t k, ptrdiff_t depth,
                      uint8_t *tail) {
    memset(tail, 0, (size_t)(rows * depth));
    for (int r = 0; r < rows; r++) memcpy(tail + r * depth, x + r * ldx + start, (size_t)(k - start));
}

// MARK: - Portable

static void subbyte_portable(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                             const uint8_t *packed, const subbyte_epilogue *e) {
    const ptrdiff_t steps = depth_steps(bits, k), depth = step_depth(bits), full = k / depth;
    const int fields = 8 / bits, mask = (1 << bits) - 1;
    for (ptrdiff_t panel = 0; panel < panel_count(n); panel++) {
        const uint8_t *panel_base = packed + panel * steps * panel_step_bytes;
        const ptrdiff_t columns = n - panel * panel_columns < panel_columns ? n - panel * panel_columns : panel_columns;
        for (ptrdiff_t i = 0; i < m; i++) {
            int32_t sums[SHRINK_SUBBYTE_PANEL_COLUMNS] = {0};
            uint8_t tail[16];
            for (ptrdiff_t step = 0; step < steps; step++) {
                const uint8_t *a = x + i * ldx + step * depth;
                if (step == full) {
                    copy_tail(1, x + i * ldx, ldx, step * depth, k, depth, tail);
                    a = tail;
                }
                const uint8_t *w = panel_base + step * panel_step_bytes;
                for (ptrdiff_t c = 0; c < columns; c++)
                    for (int f = 0; f < fields; f++)
                        for (int t = 0; t < 4; t++) sums[c] += a[4 * f + t] * ((w[c * 4 + t] >> (bits * f)) & mask);
            }
            for (ptrdiff_t c = 0; c < columns; c++) finish_value(e, i, panel * panel_columns + c, sums[c]);
        }
    }
}

#if SHRINK_HAVE_X86_PATHS

// MARK: - AVX2

/// One row × 64 channels (a whole panel, 8 vectors of 8 channels): each field's codes times the
/// broadcast activation quad with vpmaddubsw (u8 · s8 → int16 pairs, never saturating here), the
/// fields added in int16, then vpmaddwd by 1 into the int32 sum of each channel.
SHRINK_TARGET_AVX2 static void subbyte_avx2(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x,
                                            ptrdiff_t ldx, const uint8_t *packed, const subbyte_epilogue *e) {
    const ptrdiff_t steps = depth_steps(bits, k), depth = step_depth(bits), full = k / depth;
    const int fields = 8 / bits;
    const __m256i mask = _mm256_set1_epi8((char)((1 << bits) - 1)), ones = _mm256_set1_epi16(1);
    for (ptrdiff_t panel = 0; panel < panel_count(n); panel++) {
        const uint8_t *panel_base = packed + panel * steps * panel_step_bytes;
        const ptrdiff_t first = panel * panel_columns;
        const ptrdiff_t columns = n - first < panel_columns ? n - first : panel_columns;
        for (ptrdiff_t i = 0; i < m; i++) {
            __m256i acc[8];
            for (int q = 0; q < 8; q++) acc[q] = _mm256_setzero_si256();
            uint8_t tail[16];
            const uint8_t *w = panel_base;
            for (ptrdiff_t step = 0; step < steps; step++, w += panel_step_bytes) {
                const uint8_t *a = x + i * ldx + step * depth;
                if (step == full) {
                    copy_tail(1, x + i * ldx, ldx, step * depth, k, depth, tail);
                    a = tail;
                }
                __m256i quads[4];
                for (int f = 0; f < fields; f++) {
                    int32_t word;
                    memcpy(&word, a + 4 * f, 4);
                    quads[f] = _mm256_set1_epi32(word);
                }
                for (int q = 0; q < 8; q++) {
                    const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(w + q * 32));
                    __m256i pairs = _mm256_maddubs_epi16(quads[0], _mm256_and_si256(v, mask));
                    for (int f = 1; f < fields; f++) {
                        const __m256i codes = _mm256_and_si256(_mm256_srli_epi16(v, bits * f), mask);
                        pairs = _mm256_add_epi16(pairs, _mm256_maddubs_epi16(quads[f], codes));
                    }
                    acc[q] = _mm256_add_epi32(acc[q], _mm256_madd_epi16(pairs, ones));
                }
            }
            int32_t sums[64];
            for (int q = 0; q < 8; q++) _mm256_storeu_si256((__m256i *)(void *)(sums + q * 8), acc[q]);
            for (ptrdiff_t c = 0; c < columns; c++) finish_value(e, i, first + c, sums[c]);
        }
    }
}

// MARK: - AVX-512 VNNI

/// One depth step of a tile: `rows` rows' activations at a + r·lda (D bytes each), 64-byte weight
/// blocks at w + 64b unpacked field by field and multiplied with vpdpbusd.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_VNNI void vnni_step(const int bits, const int rows, const int blocks,
                                                              __m512i acc[4][4], const uint8_t *a, ptrdiff_t lda,
                                                              const uint8_t *w, const __m512i mask) {
    __m512i v[4];
    for (int b = 0; b < blocks; b++) v[b] = _mm512_loadu_si512((const void *)(w + b * 64));
    for (int f = 0; f < 8 / bits; f++) {
        __m512i codes[4];
        for (int b = 0; b < blocks; b++)
            codes[b] = _mm512_and_si512(f == 0 ? v[b] : _mm512_srli_epi16(v[b], (unsigned)(bits * f)), mask);
        for (int r = 0; r < rows; r++) {
            int32_t word;
            memcpy(&word, a + r * lda + 4 * f, 4);
            const __m512i quad = _mm512_set1_epi32(word);
            for (int b = 0; b < blocks; b++) acc[r][b] = _mm512_dpbusd_epi32(acc[r][b], quad, codes[b]);
        }
    }
}

static SHRINK_ALWAYS_INLINE SHRINK_TARGET_VNNI void vnni_tile(
    const int bits, const int rows, const int blocks, const uint8_t *x, ptrdiff_t ldx, ptrdiff_t k,
    const uint8_t *panel_base, ptrdiff_t i0, ptrdiff_t j0, ptrdiff_t columns, const subbyte_epilogue *e) {
    __m512i acc[4][4];
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < blocks; b++) acc[r][b] = _mm512_setzero_si512();
    const __m512i mask = _mm512_set1_epi8((char)((1 << bits) - 1));
    const ptrdiff_t depth = step_depth(bits), full = k / depth;
    const uint8_t *w = panel_base;
    for (ptrdiff_t step = 0; step < full; step++, w += panel_step_bytes)
        vnni_step(bits, rows, blocks, acc, x + step * depth, ldx, w, mask);
    if (full * depth < k) {
        uint8_t tail[4 * 16];
        copy_tail(rows, x, ldx, full * depth, k, depth, tail);
        vnni_step(bits, rows, blocks, acc, tail, depth, w, mask);
    }
    for (int r = 0; r < rows; r++) {
        const ptrdiff_t i = i0 + r;
        if (!e->raw && columns == blocks * 16) {
            // Vectorized dequantization: (sum − c · A − zx · R) · sx · s + bias.
            const __m512i code_sum = _mm512_set1_epi32(e->x_code_sums[i]), zx = _mm512_set1_epi32(e->x_zero_points[i]);
            const __m512 sx = _mm512_set1_ps(e->x_scales[i]);
            for (int b = 0; b < blocks; b++) {
                const ptrdiff_t j = j0 + b * 16;
                __m512i centered = _mm512_sub_epi32(acc[r][b], _mm512_mullo_epi32(code_sum, _mm512_loadu_si512(e->offsets + j)));
                centered = _mm512_sub_epi32(centered, _mm512_mullo_epi32(zx, _mm512_loadu_si512(e->compensation + j)));
                shrink_store_dequantized16(centered, sx, e->w_scales + j, e->bias ? e->bias + j : NULL, e->relu,
                                           e->y + i * e->ldy + j);
            }
            continue;
        }
        int32_t sums[64];
        for (int b = 0; b < blocks; b++) _mm512_storeu_si512(sums + b * 16, acc[r][b]);
        for (ptrdiff_t c = 0; c < columns; c++) finish_value(e, i, j0 + c, sums[c]);
    }
}

/// The tile for `bits` (a compile-time constant in each instantiation) and `rows` × `blocks`.
#define SUBBYTE_TILES(BITS) \
    SHRINK_TARGET_VNNI static void vnni_rows_##BITS(int rows, int blocks, const uint8_t *x, ptrdiff_t ldx, ptrdiff_t k, \
                                                    const uint8_t *panel_base, ptrdiff_t i0, ptrdiff_t j0, \
                                                    ptrdiff_t columns, const subbyte_epilogue *e) { \
        switch (rows * 4 + blocks) { \
        case 5: vnni_tile(BITS, 1, 1, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 6: vnni_tile(BITS, 1, 2, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 7: vnni_tile(BITS, 1, 3, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 8: vnni_tile(BITS, 1, 4, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 9: vnni_tile(BITS, 2, 1, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 10: vnni_tile(BITS, 2, 2, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 11: vnni_tile(BITS, 2, 3, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 12: vnni_tile(BITS, 2, 4, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 13: vnni_tile(BITS, 3, 1, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 14: vnni_tile(BITS, 3, 2, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 15: vnni_tile(BITS, 3, 3, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 16: vnni_tile(BITS, 3, 4, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 17: vnni_tile(BITS, 4, 1, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 18: vnni_tile(BITS, 4, 2, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        case 19: vnni_tile(BITS, 4, 3, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        default: vnni_tile(BITS, 4, 4, x, ldx, k, panel_base, i0, j0, columns, e); break; \
        } \
    }
SUBBYTE_TILES(2)
SUBBYTE_TILES(4)
#undef SUBBYTE_TILES

SHRINK_TARGET_VNNI static void subbyte_vnni(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x,
                                            ptrdiff_t ldx, const uint8_t *packed, const subbyte_epilogue *e) {
    const ptrdiff_t steps = depth_steps(bits, k);
    for (ptrdiff_t panel = 0; panel < panel_count(n); panel++) {
        const uint8_t *panel_base = packed + panel * steps * panel_step_bytes;
        const ptrdiff_t j0 = panel * panel_columns;
        const ptrdiff_t columns = n - j0 < panel_columns ? n - j0 : panel_columns;
        const int blocks = (int)((columns + 15) / 16);
        for (ptrdiff_t i = 0; i < m; i += 4) {
            const int rows = (int)(m - i < 4 ? m - i : 4);
            if (bits == 4) vnni_rows_4(rows, blocks, x + i * ldx, ldx, k, panel_base, i, j0, columns, e);
            else vnni_rows_2(rows, blocks, x + i * ldx, ldx, k, panel_base, i, j0, columns, e);
        }
    }
}
#endif

static void subbyte_dispatch(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                             const uint8_t *packed, const subbyte_epilogue *e) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) finish_value(e, i, j, 0);
        return;
    }
#if SHRINK_HAVE_X86_PATHS
    const shrink_cpu_path path = shrink_cpu_active_path();
    if (path == SHRINK_CPU_PATH_AVX512 && shrink_cpu_has_vnni()) { subbyte_vnni(bits, m, n, k, x, ldx, packed, e); return; }
    if (path == SHRINK_CPU_PATH_AVX512 || path == SHRINK_CPU_PATH_AVX2) { subbyte_avx2(bits, m, n, k, x, ldx, packed, e); return; }
#endif
    subbyte_portable(bits, m, n, k, x, ldx, packed, e);
}

int shrink_subbyte_gemm_s32(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                            const uint8_t *packed, int32_t *c, ptrdiff_t ldc) {
    if (!valid_bits(bits)) return -1;
    const subbyte_epilogue e = {.raw = c, .ldr = ldc};
    subbyte_dispatch(bits, m, n, k, x, ldx, packed, &e);
    return 0;
}

int shrink_subbyte_linear(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                          const float *x_scales, const int32_t *x_zero_points, const int32_t *x_code_sums,
                          const uint8_t *packed, const int32_t *offsets, const int32_t *compensation,
                          const float *w_scales, const float *bias, int relu, float *y, ptrdiff_t ldy) {
    if (!valid_bits(bits)) return -1;
    const subbyte_epilogue e = {.x_scales = x_scales, .x_zero_points = x_zero_points, .x_code_sums = x_code_sums,
                                .offsets = offsets, .compensation = compensation, .w_scales = w_scales, .bias = bias,
                                .y = y, .ldy = ldy, .relu = relu};
    subbyte_dispatch(bits, m, n, k, x, ldx, packed, &e);
    return 0;
}

int shrink_subbyte_linear_dynamic(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                  int per_row, int relu, const uint8_t *packed, const int32_t *offsets,
                                  const int32_t *compensation, const float *w_scales, const float *bias, float *y,
                                  ptrdiff_t ldy) {
    if (!valid_bits(bits)) return -2;
    if (m <= 0 || n <= 0) return 0;
    const ptrdiff_t ldq = k > 0 ? k : 1;
    const size_t bytes = (size_t)m * (sizeof(float) + 2 * sizeof(int32_t)) + (size_t)(m * ldq);
    float *scales = shrink_sgemm_scratch(2, (bytes + sizeof(float) - 1) / sizeof(float));
    if (!scales) return -1;
    int32_t *zero_points = (int32_t *)(void *)(scales + m);
    int32_t *code_sums = zero_points + m;
    uint8_t *codes = (uint8_t *)(void *)(code_sums + m);
    if (k > 0) {
        shrink_quantize_activations(m, k, x, ldx, per_row, codes, ldq, scales, zero_points);
        shrink_activation_code_sums(m, k, codes, ldq, code_sums);
    } else {
        for (ptrdiff_t i = 0; i < m; i++) { scales[i] = 1; zero_points[i] = 0; code_sums[i] = 0; }
    }
    return shrink_subbyte_linear(bits, m, n, k, codes, ldq, scales, zero_points, code_sums, packed, offsets,
                                 compensation, w_scales, bias, relu, y, ldy);
}
