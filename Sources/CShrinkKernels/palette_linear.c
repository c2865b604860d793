// Palettized linear layer: y = x · Wᵀ + bias with W[j][p] = centroids[index[j][p]], looked up in
// registers from the packed indices (the weights are never expanded in memory).
//
// Packed layout, column panels of 64 output channels, each a contiguous stream:
//   bits ≤ 4 (nibbles, ≤ 16 centroids): per pair of depths q (p = 2q, 2q+1), 64 bytes:
//     byte c = index[col c][2q] | index[col c][2q+1] << 4   (an odd last depth has high nibble 0)
//   bits 5...8 (bytes, ≤ 256 centroids): per depth p, 64 bytes: byte c = index[col c][p]
// Padding columns hold index 0; their results are never stored.
//
// AVX-512: indices zero-extended to 32-bit lanes (vpmovzxbd), looked up with vpermps (16-entry
// table; vpermps ignores the high nibble, so no mask is needed), vpermt2ps (32 entries) or a gather
// (more); 4 rows × 64 columns per tile. AVX2: a gather from the table. Portable: plain C.
#include "shrink_kernels.h"
#include "sgemm_internal.h"

#include <string.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

enum { palette_panel = SHRINK_PALETTE_PANEL_COLUMNS };

static ptrdiff_t palette_panels(ptrdiff_t n) { return (n + palette_panel - 1) / palette_panel; }
static int uses_nibbles(int bits) { return bits <= 4; }
/// Depth steps of 64 bytes per panel.
static ptrdiff_t palette_steps(int bits, ptrdiff_t k) { return uses_nibbles(bits) ? (k + 1) / 2 : k; }

size_t shrink_palette_packed_size(int bits, ptrdiff_t n, ptrdiff_t k) {
    if (n <= 0 || k <= 0 || bits < 1 || bits > 8) return 0;
    return (size_t)palette_panels(n) * (size_t)palette_steps(bits, k) * palette_panel;
}

int shrink_palette_pack_indices(int bits, ptrdiff_t n, ptrdiff_t k, const uint8_t *indices, ptrdiff_t ldi,
                                uint8_t *packed) {
    if (bits < 1 || bits > 8) return -1;
    const ptrdiff_t steps = palette_steps(bits, k);
    memset(packed, 0, shrink_palette_packed_size(bits, n, k));
    for (ptrdiff_t j = 0; j < n; j++) {
        const ptrdiff_t panel = j / palette_panel, column = j % palette_panel;
        for (ptrdiff_t p = 0; p < k; p++) {
            const uint8_t index = indices[j * ldi + p];
            if (bits < 8 && (index >> bits) != 0) return -1;
            if (uses_nibbles(bits)) {
                packed[(panel * steps + p / 2) * palette_panel + column] |= (uint8_t)(index << (4 * (p % 2)));
            } else {
                packed[(panel * steps + p) * palette_panel + column] = index;
            }
        }
    }
    return 0;
}

static void finish_row(const float *sums, ptrdiff_t columns, const float *bias, float *y) {
    for (ptrdiff_t c = 0; c < columns; c++) y[c] = sums[c] + (bias ? bias[c] : 0.0f);
}

static void palette_portable(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                             const uint8_t *packed, const float *table, const float *bias, float *y, ptrdiff_t ldy) {
    const ptrdiff_t steps = palette_steps(bits, k);
    for (ptrdiff_t panel = 0; panel < palette_panels(n); panel++) {
        const uint8_t *base = packed + panel * steps * palette_panel;
        const ptrdiff_t j0 = panel * palette_panel, columns = n - j0 < palette_panel ? n - j0 : palette_panel;
        for (ptrdiff_t i = 0; i < m; i++) {
            float sums[SHRINK_PALETTE_PANEL_COLUMNS] = {0};
            const float *row = x + i * ldx;
            for (ptrdiff_t p = 0; p < k; p++) {
                const uint8_t *codes = uses_nibbles(bits) ? base + (p / 2) * palette_panel : base + p * palette_panel;
                const int shift = uses_nibbles(bits) ? 4 * (int)(p % 2) : 0;
                for (int c = 0; c < palette_panel; c++) sums[c] += row[p] * table[(codes[c] >> shift) & (uses_nibbles(bits) ? 15 : 255)];
            }
            finish_row(sums, columns, bias ? bias + j0 : NULL, y + i * ldy + j0);
        }
    }
}

#if SHRINK_HAVE_X86_PATHS
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void store_tile512(const int rows, __m512 acc[4][4], ptrdiff_t columns,
                                                                   const float *bias, float *y, ptrdiff_t ldy) {
    for (int r = 0; r < rows; r++) {
        for (int b = 0; b < 4; b++) {
            const ptrdiff_t count = columns - b * 16;
            if (count <= 0) break;
            const __mmask16 mask = count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
            __m512 value = acc[r][b];
            if (bias) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(mask, bias + b * 16));
            _mm512_mask_storeu_ps(y + r * ldy + b * 16, mask, value);
        }
    }
}

/// 4-bit (or fewer) indices: rows × 64 columns, two depths per 64-byte step.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void nibble_tile(
    const int rows, ptrdiff_t k, const float *x, ptrdiff_t ldx, const uint8_t *base, const __m512 table,
    const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t columns) {
    __m512 acc[4][4];
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < 4; b++) acc[r][b] = _mm512_setzero_ps();
    const ptrdiff_t pairs = k / 2;
    for (ptrdiff_t q = 0; q < pairs; q++, base += palette_panel) {
        __m512 low[4], high[4];
        for (int b = 0; b < 4; b++) {
            const __m512i codes = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(base + b * 16)));
            low[b] = _mm512_permutexvar_ps(codes, table);  // uses bits 0-3 only
            high[b] = _mm512_permutexvar_ps(_mm512_srli_epi32(codes, 4), table);
        }
        for (int r = 0; r < rows; r++) {
            const __m512 a0 = _mm512_set1_ps(x[r * ldx + 2 * q]), a1 = _mm512_set1_ps(x[r * ldx + 2 * q + 1]);
            for (int b = 0; b < 4; b++) {
                acc[r][b] = _mm512_fmadd_ps(a0, low[b], acc[r][b]);
                acc[r][b] = _mm512_fmadd_ps(a1, high[b], acc[r][b]);
            }
        }
    }
    if (k % 2) {
        for (int b = 0; b < 4; b++) {
            const __m512 low = _mm512_permutexvar_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(base + b * 16))), table);
            for (int r = 0; r < rows; r++) acc[r][b] = _mm512_fmadd_ps(_mm512_set1_ps(x[r * ldx + k - 1]), low, acc[r][b]);
        }
    }
    store_tile512(rows, acc, columns, bias, y, ldy);
}

/// One row of x, 4-bit indices: low and high nibbles accumulate separately (8 independent FMA
/// chains instead of 4 chains of two dependent FMAs), so the loop is not bound by FMA latency.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void nibble_gemv(
    ptrdiff_t k, const float *x, const uint8_t *base, const __m512 table, const float *bias, float *y, ptrdiff_t columns) {
    __m512 acc[4][4], high_acc[4];  // acc[0][b]: low nibbles (row 0 of the tile store)
    for (int b = 0; b < 4; b++) { acc[0][b] = _mm512_setzero_ps(); high_acc[b] = _mm512_setzero_ps(); }
    const ptrdiff_t pairs = k / 2;
    for (ptrdiff_t q = 0; q < pairs; q++, base += palette_panel) {
        const __m512 a0 = _mm512_set1_ps(x[2 * q]), a1 = _mm512_set1_ps(x[2 * q + 1]);
        for (int b = 0; b < 4; b++) {
            const __m512i codes = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(base + b * 16)));
            acc[0][b] = _mm512_fmadd_ps(a0, _mm512_permutexvar_ps(codes, table), acc[0][b]);
            high_acc[b] = _mm512_fmadd_ps(a1, _mm512_permutexvar_ps(_mm512_srli_epi32(codes, 4), table), high_acc[b]);
        }
    }
    if (k % 2) {
        const __m512 a0 = _mm512_set1_ps(x[k - 1]);
        for (int b = 0; b < 4; b++) {
            const __m512i codes = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(base + b * 16)));
            acc[0][b] = _mm512_fmadd_ps(a0, _mm512_permutexvar_ps(codes, table), acc[0][b]);
        }
    }
    for (int b = 0; b < 4; b++) acc[0][b] = _mm512_add_ps(acc[0][b], high_acc[b]);
    store_tile512(1, acc, columns, bias, y, 0);
}

/// One row of x, 5- to 8-bit indices: two depths per step into separate accumulators.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void byte_gemv(
    const int two_tables, ptrdiff_t k, const float *x, const uint8_t *base, const float *table,
    const float *bias, float *y, ptrdiff_t columns) {
    __m512 acc[4][4], odd[4];
    for (int b = 0; b < 4; b++) { acc[0][b] = _mm512_setzero_ps(); odd[b] = _mm512_setzero_ps(); }
    const __m512 table0 = _mm512_loadu_ps(table), table1 = _mm512_loadu_ps(table + 16);
    ptrdiff_t p = 0;
    for (; p + 2 <= k; p += 2, base += 2 * palette_panel) {
        const __m512 a0 = _mm512_set1_ps(x[p]), a1 = _mm512_set1_ps(x[p + 1]);
        for (int b = 0; b < 4; b++) {
            const __m512i c0 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(base + b * 16)));
            const __m512i c1 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(base + palette_panel + b * 16)));
            const __m512 w0 = two_tables ? _mm512_permutex2var_ps(table0, c0, table1) : _mm512_i32gather_ps(c0, table, 4);
            const __m512 w1 = two_tables ? _mm512_permutex2var_ps(table0, c1, table1) : _mm512_i32gather_ps(c1, table, 4);
            acc[0][b] = _mm512_fmadd_ps(a0, w0, acc[0][b]);
            odd[b] = _mm512_fmadd_ps(a1, w1, odd[b]);
        }
    }
    if (p < k) {
        const __m512 a0 = _mm512_set1_ps(x[p]);
        for (int b = 0; b < 4; b++) {
            const __m512i c0 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(base + b * 16)));
            const __m512 w0 = two_tables ? _mm512_permutex2var_ps(table0, c0, table1) : _mm512_i32gather_ps(c0, table, 4);
            acc[0][b] = _mm512_fmadd_ps(a0, w0, acc[0][b]);
        }
    }
    for (int b = 0; b < 4; b++) acc[0][b] = _mm512_add_ps(acc[0][b], odd[b]);
    store_tile512(1, acc, columns, bias, y, 0);
}

/// 5- to 8-bit indices: one depth per 64-byte step; vpermt2ps for ≤ 32 centroids, else a gather.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void byte_tile(
    const int rows, const int two_tables, ptrdiff_t k, const float *x, ptrdiff_t ldx, const uint8_t *base,
    const float *table, const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t columns) {
    __m512 acc[4][4];
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < 4; b++) acc[r][b] = _mm512_setzero_ps();
    const __m512 table0 = _mm512_loadu_ps(table), table1 = _mm512_loadu_ps(table + 16);
    for (ptrdiff_t p = 0; p < k; p++, base += palette_panel) {
        __m512 w[4];
        for (int b = 0; b < 4; b++) {
            const __m512i codes = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(base + b * 16)));
            w[b] = two_tables ? _mm512_permutex2var_ps(table0, codes, table1) : _mm512_i32gather_ps(codes, table, 4);
        }
        for (int r = 0; r < rows; r++) {
            const __m512 a = _mm512_set1_ps(x[r * ldx + p]);
            for (int b = 0; b < 4; b++) acc[r][b] = _mm512_fmadd_ps(a, w[b], acc[r][b]);
        }
    }
    store_tile512(rows, acc, columns, bias, y, ldy);
}

SHRINK_TARGET_AVX512 static void palette_avx512(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x,
                                                ptrdiff_t ldx, const uint8_t *packed, const float *table,
                                                const float *bias, float *y, ptrdiff_t ldy) {
    const ptrdiff_t steps = palette_steps(bits, k);
    const __m512 table16 = _mm512_loadu_ps(table);
    for (ptrdiff_t panel = 0; panel < palette_panels(n); panel++) {
        const uint8_t *base = packed + panel * steps * palette_panel;
        const ptrdiff_t j0 = panel * palette_panel, columns = n - j0 < palette_panel ? n - j0 : palette_panel;
        const float *panel_bias = bias ? bias + j0 : NULL;
        for (ptrdiff_t i = 0; i < m; i += 4) {
            const float *xi = x + i * ldx;
            float *yi = y + i * ldy + j0;
            const ptrdiff_t rows = m - i < 4 ? m - i : 4;
#define PALETTE_ROWS(R) \
    if (bits <= 4) nibble_tile(R, k, xi, ldx, base, table16, panel_bias, yi, ldy, columns); \
    else if (bits == 5) byte_tile(R, 1, k, xi, ldx, base, table, panel_bias, yi, ldy, columns); \
    else byte_tile(R, 0, k, xi, ldx, base, table, panel_bias, yi, ldy, columns);
            switch (rows) {
            case 1:
                if (bits <= 4) nibble_gemv(k, xi, base, table16, panel_bias, yi, columns);
                else byte_gemv(bits == 5, k, xi, base, table, panel_bias, yi, columns);
                break;
            case 2: PALETTE_ROWS(2) break;
            case 3: PALETTE_ROWS(3) break;
            default: PALETTE_ROWS(4) break;
            }
#undef PALETTE_ROWS
        }
    }
}

SHRINK_TARGET_AVX2 static void palette_avx2(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x,
                                            ptrdiff_t ldx, const uint8_t *packed, const float *table,
                                            const float *bias, float *y, ptrdiff_t ldy) {
    const ptrdiff_t steps = palette_steps(bits, k);
    const int nibbles = uses_nibbles(bits);
    const __m256i mask = _mm256_set1_epi32(nibbles ? 15 : 255);
    for (ptrdiff_t panel = 0; panel < palette_panels(n); panel++) {
        const uint8_t *base = packed + panel * steps * palette_panel;
        const ptrdiff_t j0 = panel * palette_panel, columns = n - j0 < palette_panel ? n - j0 : palette_panel;
        for (ptrdiff_t i = 0; i < m; i++) {
            __m256 acc[8];
            for (int b = 0; b < 8; b++) acc[b] = _mm256_setzero_ps();
            const float *row = x + i * ldx;
            for (ptrdiff_t p = 0; p < k; p++) {
                const uint8_t *codes = nibbles ? base + (p / 2) * palette_panel : base + p * palette_panel;
                const __m128i shift = _mm_cvtsi32_si128(nibbles ? 4 * (int)(p % 2) : 0);
                const __m256 a = _mm256_broadcast_ss(row + p);
                for (int b = 0; b < 8; b++) {
                    __m256i index = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(codes + b * 8)));
                    index = _mm256_and_si256(_mm256_srl_epi32(index, shift), mask);
                    acc[b] = _mm256_fmadd_ps(a, _mm256_i32gather_ps(table, index, 4), acc[b]);
                }
            }
            float sums[64];
            for (int b = 0; b < 8; b++) _mm256_storeu_ps(sums + b * 8, acc[b]);
            finish_row(sums, columns, bias ? bias + j0 : NULL, y + i * ldy + j0);
        }
    }
}
#endif

int shrink_palette_linear(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                          const uint8_t *packed, const float *centroids, ptrdiff_t centroid_count,
                          const float *bias, float *y, ptrdiff_t ldy) {
    if (bits < 1 || bits > 8 || centroid_count < 1 || centroid_count > ((ptrdiff_t)1 << bits)) return -1;
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) {
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) y[i * ldy + j] = bias ? bias[j] : 0.0f;
        return 0;
    }
    // A full-size table (16 entries for nibbles, 32 or 256 for bytes), zero past the centroids.
    float table[256] = {0};
    memcpy(table, centroids, (size_t)centroid_count * sizeof(float));
#if SHRINK_HAVE_X86_PATHS
    const shrink_cpu_path path = shrink_cpu_active_path();
    if (path == SHRINK_CPU_PATH_AVX512) { palette_avx512(bits, m, n, k, x, ldx, packed, table, bias, y, ldy); return 0; }
    if (path == SHRINK_CPU_PATH_AVX2) { palette_avx2(bits, m, n, k, x, ldx, packed, table, bias, y, ldy); return 0; }
#endif
    palette_portable(bits, m, n, k, x, ldx, packed, table, bias, y, ldy);
    return 0;
}
