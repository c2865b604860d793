// Palettized linear layer: y = x · Wᵀ + bias with W[j][p] = centroids[index[j][p]], looked up in
// registers from the packed indices (the weights are never expanded in memory).
//
// Packed layout, column panels of 64 output channels, each a contiguous stream of steps; a step
// holds one 32-bit word per column (256 bytes), each word the indices of consecutive depths:
//   bits ≤ 4 (nibbles, ≤ 16 centroids): 8 depths per word, depth 8s + d in bits 4d...4d+3
//   bits 5...8 (bytes, ≤ 256 centroids): 4 depths per word, depth 4s + d in bits 8d...8d+7
//   word[(panel · steps + s) · 64 + c]
// Depths past k and padding columns hold index 0; their products are never used.
//
// AVX-512: a step's 16-column word vector, loaded d bytes further (bytes) or d/2 bytes further and
// shifted by 4 for odd d (nibbles), is looked up directly with
// vpermps (16-entry table: it reads only the low 4 bits of each lane, so no mask and no zero
// extension), vpermt2ps (32 entries: low 5 bits) or a masked gather (more); 4 rows × 64 columns
// per tile, and a single-row path with two accumulators per column block (no FMA latency chains).
// AVX2: a gather from the table. NEON on aarch64: byte-table look-ups (palette_linear_neon.c).
// Portable: plain C.
#include "shrink_kernels.h"
#include "sgemm_internal.h"
#include "neon_kernels.h"

#include <string.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

enum { palette_panel = SHRINK_PALETTE_PANEL_COLUMNS };

static ptrdiff_t palette_panels(ptrdiff_t n) { return (n + palette_panel - 1) / palette_panel; }
static int uses_nibbles(int bits) { return bits <= 4; }
/// Depths per 32-bit word: 8 nibbles or 4 bytes.
static int depths_per_word(int bits) { return uses_nibbles(bits) ? 8 : 4; }
/// Steps (one word per column) per panel.
static ptrdiff_t palette_steps(int bits, ptrdiff_t k) { return (k + depths_per_word(bits) - 1) / depths_per_word(bits); }

/// Slack after the packed words: the AVX-512 look-up loads 64 bytes up to 3 bytes past a word.
enum { palette_slack = 64 };

size_t shrink_palette_packed_size(int bits, ptrdiff_t n, ptrdiff_t k) {
    if (n <= 0 || k <= 0 || bits < 1 || bits > 8) return 0;
    return (size_t)palette_panels(n) * (size_t)palette_steps(bits, k) * palette_panel * 4 + palette_slack;
}

int shrink_palette_pack_indices(int bits, ptrdiff_t n, ptrdiff_t k, const uint8_t *indices, ptrdiff_t ldi,
                                uint8_t *packed) {
    if (bits < 1 || bits > 8) return -1;
    const ptrdiff_t steps = palette_steps(bits, k);
    const int per_word = depths_per_word(bits), width = uses_nibbles(bits) ? 4 : 8;
    memset(packed, 0, shrink_palette_packed_size(bits, n, k));
    uint32_t *words = (uint32_t *)(void *)packed;
    for (ptrdiff_t j = 0; j < n; j++) {
        const ptrdiff_t panel = j / palette_panel, column = j % palette_panel;
        for (ptrdiff_t p = 0; p < k; p++) {
            const uint8_t index = indices[j * ldi + p];
            if (bits < 8 && (index >> bits) != 0) return -1;
            words[(panel * steps + p / per_word) * palette_panel + column] |= (uint32_t)index << (width * (p % per_word));
        }
    }
    return 0;
}

static void finish_row(const float *sums, ptrdiff_t columns, const float *bias, float *y) {
    for (ptrdiff_t c = 0; c < columns; c++) y[c] = sums[c] + (bias ? bias[c] : 0.0f);
}

/// The index of depth p in a column's word stream.
static inline unsigned index_at(int bits, const uint32_t *column_words, ptrdiff_t p) {
    const int per_word = depths_per_word(bits), width = uses_nibbles(bits) ? 4 : 8;
    return (column_words[(p / per_word) * palette_panel] >> (width * (p % per_word))) & (uses_nibbles(bits) ? 15u : 255u);
}

static void palette_portable(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                             const uint8_t *packed, const float *table, const float *bias, float *y, ptrdiff_t ldy) {
    const ptrdiff_t steps = palette_steps(bits, k);
    const uint32_t *words = (const uint32_t *)(const void *)packed;
    for (ptrdiff_t panel = 0; panel < palette_panels(n); panel++) {
        const uint32_t *base = words + panel * steps * palette_panel;
        const ptrdiff_t j0 = panel * palette_panel, columns = n - j0 < palette_panel ? n - j0 : palette_panel;
        for (ptrdiff_t i = 0; i < m; i++) {
            float sums[SHRINK_PALETTE_PANEL_COLUMNS] = {0};
            const float *row = x + i * ldx;
            for (ptrdiff_t c = 0; c < columns; c++)
                for (ptrdiff_t p = 0; p < k; p++) sums[c] += row[p] * table[index_at(bits, base + c, p)];
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

/// The weights of depth d of a step for 16 columns starting at `words`. Bytes: an unaligned load
/// d bytes further puts depth d in the low byte of every lane (vpermt2ps reads only the low 5
/// bits; the gather masks to 8); nibbles: a load d/2 bytes further, shifted by 4 for odd d.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 __m512 lookup512(const int kind, const uint32_t *words, int d,
                                                                 __m512 table0, __m512 table1, const float *table) {
    const uint8_t *bytes = (const uint8_t *)(const void *)words;
    switch (kind) {
    case 0: {
        __m512i lanes = _mm512_loadu_si512(bytes + d / 2);
        if (d % 2) lanes = _mm512_srli_epi32(lanes, 4);
        return _mm512_permutexvar_ps(lanes, table0); // ≤ 16 centroids: low 4 bits
    }
    case 1: return _mm512_permutex2var_ps(table0, _mm512_loadu_si512(bytes + d), table1); // ≤ 32: low 5 bits
    default:
        return _mm512_i32gather_ps(_mm512_and_si512(_mm512_loadu_si512(bytes + d), _mm512_set1_epi32(255)), table, 4);
    }
}

/// rows (1...4) × 16·blocks columns (blocks 1...4 of the 64-column panel; a ragged last panel
/// skips its empty blocks); kind 0: nibbles (8 depths per step), 1/2: bytes (4 per step).
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void palette_tile(
    const int kind, const int rows, const int blocks, ptrdiff_t k, const float *x, ptrdiff_t ldx, const uint32_t *base,
    const float *table, const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t columns) {
    const int per_word = kind == 0 ? 8 : 4;
    const __m512 table0 = _mm512_loadu_ps(table), table1 = _mm512_loadu_ps(table + 16);
    __m512 acc[4][4], odd[4];
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < 4; b++) acc[r][b] = _mm512_setzero_ps();  // blocks ≥ columns/16 stay 0
    for (int b = 0; b < blocks; b++) odd[b] = _mm512_setzero_ps();
    const ptrdiff_t full = k / per_word;
    for (ptrdiff_t s = 0; s < full; s++, base += palette_panel) {
        const float *xs = x + s * per_word;
        for (int b = 0; b < blocks; b++) {
            for (int d = 0; d < per_word; d++) {
                const __m512 w = lookup512(kind, base + b * 16, d, table0, table1, table);
                if (rows == 1) {
                    // Single row: alternate two accumulators so consecutive FMAs are independent.
                    if (d % 2) odd[b] = _mm512_fmadd_ps(_mm512_set1_ps(xs[d]), w, odd[b]);
                    else acc[0][b] = _mm512_fmadd_ps(_mm512_set1_ps(xs[d]), w, acc[0][b]);
                } else {
                    for (int r = 0; r < rows; r++) acc[r][b] = _mm512_fmadd_ps(_mm512_set1_ps(xs[r * ldx + d]), w, acc[r][b]);
                }
            }
        }
    }
    const int left = (int)(k - full * per_word);
    if (left > 0) {
        const float *xs = x + full * per_word;
        for (int b = 0; b < blocks; b++) {
            for (int d = 0; d < left; d++) {
                const __m512 w = lookup512(kind, base + b * 16, d, table0, table1, table);
                for (int r = 0; r < rows; r++) acc[r][b] = _mm512_fmadd_ps(_mm512_set1_ps(xs[r * ldx + d]), w, acc[r][b]);
            }
        }
    }
    if (rows == 1)
        for (int b = 0; b < blocks; b++) acc[0][b] = _mm512_add_ps(acc[0][b], odd[b]);
    store_tile512(rows, acc, columns, bias, y, ldy);
}

SHRINK_TARGET_AVX512 static void palette_avx512(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x,
                                                ptrdiff_t ldx, const uint8_t *packed, const float *table,
                                                const float *bias, float *y, ptrdiff_t ldy) {
    const ptrdiff_t steps = palette_steps(bits, k);
    const uint32_t *words = (const uint32_t *)(const void *)packed;
    const int kind = bits <= 4 ? 0 : (bits == 5 ? 1 : 2);
    for (ptrdiff_t panel = 0; panel < palette_panels(n); panel++) {
        const uint32_t *base = words + panel * steps * palette_panel;
        const ptrdiff_t j0 = panel * palette_panel, columns = n - j0 < palette_panel ? n - j0 : palette_panel;
        const float *panel_bias = bias ? bias + j0 : NULL;
        for (ptrdiff_t i = 0; i < m; i += 4) {
            const float *xi = x + i * ldx;
            float *yi = y + i * ldy + j0;
            const ptrdiff_t rows = m - i < 4 ? m - i : 4;
#define PALETTE_TILE(R, B) \
    if (kind == 0) palette_tile(0, R, B, k, xi, ldx, base, table, panel_bias, yi, ldy, columns); \
    else if (kind == 1) palette_tile(1, R, B, k, xi, ldx, base, table, panel_bias, yi, ldy, columns); \
    else palette_tile(2, R, B, k, xi, ldx, base, table, panel_bias, yi, ldy, columns);
            const int blocks = (int)((columns + 15) / 16);
            switch (rows) {
            case 1:
                // One row (GEMV): skip the empty blocks of a ragged last panel.
                switch (blocks) {
                case 1: PALETTE_TILE(1, 1) break;
                case 2: PALETTE_TILE(1, 2) break;
                case 3: PALETTE_TILE(1, 3) break;
                default: PALETTE_TILE(1, 4) break;
                }
                break;
            case 2: PALETTE_TILE(2, 4) break;
            case 3: PALETTE_TILE(3, 4) break;
            default: PALETTE_TILE(4, 4) break;
            }
#undef PALETTE_TILE
        }
    }
}

SHRINK_TARGET_AVX2 static void palette_avx2(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x,
                                            ptrdiff_t ldx, const uint8_t *packed, const float *table,
                                            const float *bias, float *y, ptrdiff_t ldy) {
    const ptrdiff_t steps = palette_steps(bits, k);
    const uint32_t *words = (const uint32_t *)(const void *)packed;
    const int per_word = depths_per_word(bits), width = uses_nibbles(bits) ? 4 : 8;
    const __m256i mask = _mm256_set1_epi32(uses_nibbles(bits) ? 15 : 255);
    for (ptrdiff_t panel = 0; panel < palette_panels(n); panel++) {
        const uint32_t *base = words + panel * steps * palette_panel;
        const ptrdiff_t j0 = panel * palette_panel, columns = n - j0 < palette_panel ? n - j0 : palette_panel;
        for (ptrdiff_t i = 0; i < m; i++) {
            __m256 acc[8];
            for (int b = 0; b < 8; b++) acc[b] = _mm256_setzero_ps();
            const float *row = x + i * ldx;
            for (ptrdiff_t p = 0; p < k; p++) {
                const uint32_t *step = base + (p / per_word) * palette_panel;
                const __m128i shift = _mm_cvtsi32_si128(width * (int)(p % per_word));
                const __m256 a = _mm256_broadcast_ss(row + p);
                for (int b = 0; b < 8; b++) {
                    const __m256i index = _mm256_and_si256(
                        _mm256_srl_epi32(_mm256_loadu_si256((const __m256i *)(step + b * 8)), shift), mask);
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
#if SHRINK_HAVE_NEON_PATHS
    if (shrink_cpu_active_path() == SHRINK_CPU_PATH_NEON) {
        shrink_palette_linear_neon(bits, m, n, k, x, ldx, packed, table, bias, y, ldy);
        return 0;
    }
#endif
    palette_portable(bits, m, n, k, x, ldx, packed, table, bias, y, ldy);
    return 0;
}
