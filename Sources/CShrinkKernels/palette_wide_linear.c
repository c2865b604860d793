// Wide-palette linear layer: y = x · Wᵀ + bias with W[j][p] = centroids[index[j][p]] for palettes
// of 9 to 16 bits (up to 65,536 centroids), looked up in registers from 16-bit indices: the
// weights are never decoded to a full fp32 copy. Products and sums are fp32, so results equal the
// decoded weights' up to summation order.
//
// Packed layout (u16 elements), column panels of 64 output channels, each a contiguous stream of
// depths, the f16 kernel's layout with indices in place of halves:
//   packed[(panel · k + p) · 64 + column] = index[panel · 64 + column][p]
// Padding columns of the last panel hold index 0 (a valid centroid; their sums are never stored).
// A panel is k · 128 bytes, so columns j0 ..< n of a layout (j0 a multiple of 64) start at
// packed + j0 · k.
//
// Codebook: the fp32 centroids themselves, gathered with vgatherdps (scale 4) after zero-extending
// 16 indices (vpmovzxwd). The look-up costs one gather element per weight, whatever the table's
// size, and the look-ups are what limit the kernel: an fp16 table (half the bytes: 128 KiB instead
// of 256 KiB at 16 bits) would have to gather 32-bit words at scale 2 and then narrow and widen
// them (vpmovdw + vcvtph2ps, two more instructions per 16 weights), and both tables fit Zen 4's
// 1 MiB L2 anyway; at 9-12 bits the fp32 table (2-16 KiB) stays in L1. Preliminary timings on the
// shared 2-core Zen 4 (other jobs running, so ±30 %): 784·320 look-ups from a 10-bit table took
// 0.44-0.46 ns each with 512-bit gathers, 0.37-0.46 with 256-bit ones, 0.24-0.39 with scalar loads;
// from a 16-bit table 0.54-0.65 ns whichever way. Scalar loads in the decoded-block path were
// within the noise of the gathers (LeNet-300-100 fc1, batch 8: 137 µs vs 119 and 123 µs in two
// runs; batch 64: 375 µs vs 354 and 439 µs), so the kernel keeps the gathers. Every way, a
// look-up costs several times what streaming an fp32 weight does (about 0.045 ns per weight at
// batch 1), so fp32 stays faster at small batches and kernel selection (ShrinkRuntime,
// KernelSelection.measured) runs the fp32 form there.
//
// Paths (shrink_cpu_active_path()):
//   AVX-512, up to 6 rows: tiles of all the rows × 64 columns, each gathered weight vector shared
//     by the rows (one gather per 16 weights per call); a ragged last panel skips its empty
//     16-column blocks.
//   AVX-512, 7 rows or more: each panel decodes a block of 64 depths into a 16 KiB stack buffer
//     (L1) with the same gathers, then runs every 6-row tile over it with plain loads, so each
//     weight is gathered once per call rather than once per 6 rows; sums carry across depth
//     blocks through y (x and y must not overlap).
//   AVX2: the decoded-block scheme with 8-wide gathers, tiles of 3 rows × 32 columns.
//   Portable: plain C.
#include "shrink_kernels.h"
#include "sgemm_internal.h"

#include <string.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

enum {
    wide_panel = SHRINK_PALETTE_WIDE_PANEL_COLUMNS,
    /// Depths decoded per block: 64 depths × 64 columns × 4 bytes = 16 KiB.
    wide_depth_block = 64,
    /// Most rows per tile on the AVX-512 path (6 × 4 accumulators, 4 weight vectors).
    wide_tile_rows = 6,
    /// Most rows per tile on the AVX2 path (3 × 4 accumulators of 8 columns).
    wide_tile_rows256 = 3,
};

static ptrdiff_t wide_panels(ptrdiff_t n) { return (n + wide_panel - 1) / wide_panel; }

/// One panel of the layout: its first output column, its columns (1...64) and its index stream.
typedef struct {
    ptrdiff_t j0, columns;
    const uint16_t *indices;
} wide_panel_span;

static wide_panel_span panel_span(const uint16_t *packed, ptrdiff_t n, ptrdiff_t k, ptrdiff_t panel) {
    const ptrdiff_t j0 = panel * wide_panel;
    return (wide_panel_span){j0, n - j0 < wide_panel ? n - j0 : wide_panel, packed + panel * k * wide_panel};
}

#if SHRINK_HAVE_X86_PATHS
/// The depths of the decoded block starting at p0 (the x86 paths decode blocks).
static ptrdiff_t block_depth(ptrdiff_t k, ptrdiff_t p0) { return k - p0 < wide_depth_block ? k - p0 : wide_depth_block; }
#endif

size_t shrink_palette_wide_packed_count(ptrdiff_t n, ptrdiff_t k) {
    if (n <= 0 || k <= 0) return 0;
    return (size_t)wide_panels(n) * (size_t)k * wide_panel;
}

int shrink_palette_wide_pack_indices(ptrdiff_t n, ptrdiff_t k, const uint16_t *indices, ptrdiff_t ldi,
                                     ptrdiff_t centroid_count, uint16_t *packed) {
    if (centroid_count < 1 || centroid_count > SHRINK_PALETTE_WIDE_MAX_CENTROIDS) return -1;
    memset(packed, 0, shrink_palette_wide_packed_count(n, k) * sizeof(uint16_t));
    for (ptrdiff_t j = 0; j < n; j++) {
        const ptrdiff_t panel = j / wide_panel, column = j % wide_panel;
        for (ptrdiff_t p = 0; p < k; p++) {
            const uint16_t index = indices[j * ldi + p];
            if (index >= centroid_count) return -1;
            packed[(panel * k + p) * wide_panel + column] = index;
        }
    }
    return 0;
}

static void wide_portable(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                          const uint16_t *packed, const float *centroids, const float *bias, float *y, ptrdiff_t ldy) {
    for (ptrdiff_t panel = 0; panel < wide_panels(n); panel++) {
        const wide_panel_span span = panel_span(packed, n, k, panel);
        for (ptrdiff_t i = 0; i < m; i++) {
            float sums[SHRINK_PALETTE_WIDE_PANEL_COLUMNS] = {0};
            for (ptrdiff_t p = 0; p < k; p++) {
                const float a = x[i * ldx + p];
                for (int c = 0; c < wide_panel; c++) sums[c] += a * centroids[span.indices[p * wide_panel + c]];
            }
            for (ptrdiff_t c = 0; c < span.columns; c++)
                y[i * ldy + span.j0 + c] = sums[c] + (bias ? bias[span.j0 + c] : 0.0f);
        }
    }
}

#if SHRINK_HAVE_X86_PATHS
/// The centroids of 16 consecutive packed indices.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 __m512 gather512(const uint16_t *indices, const float *centroids) {
    const __m512i lanes = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)indices));
    return _mm512_i32gather_ps(lanes, centroids, 4);
}

/// rows (1...6) × 16·blocks columns (blocks 1...4) over `depth` depths. Weights: gathered from the
/// panel's indices (`gathers`, a stream 64 indices per depth) or loaded from a decoded block (64
/// floats per depth). Sums start from y (`carry`) or zero; y gets them plus `bias` (may be NULL;
/// pass it only with the last depths) for the first `columns` columns.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void wide_tile512(
    const int rows, const int blocks, const int gathers, ptrdiff_t depth, const float *x, ptrdiff_t ldx,
    const uint16_t *indices, const float *decoded, const float *centroids, int carry, const float *bias, float *y,
    ptrdiff_t ldy, ptrdiff_t columns) {
    __m512 acc[wide_tile_rows][4];
    __mmask16 masks[4];
    for (int b = 0; b < blocks; b++) {
        const ptrdiff_t count = columns - b * 16;
        masks[b] = count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1u);
    }
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < blocks; b++)
            acc[r][b] = carry ? _mm512_maskz_loadu_ps(masks[b], y + r * ldy + b * 16) : _mm512_setzero_ps();
    for (ptrdiff_t p = 0; p < depth; p++) {
        __m512 w[4];
        for (int b = 0; b < blocks; b++)
            w[b] = gathers ? gather512(indices + p * wide_panel + b * 16, centroids)
                           : _mm512_load_ps(decoded + p * wide_panel + b * 16);
        for (int r = 0; r < rows; r++) {
            const __m512 a = _mm512_set1_ps(x[r * ldx + p]);
            for (int b = 0; b < blocks; b++) acc[r][b] = _mm512_fmadd_ps(a, w[b], acc[r][b]);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int b = 0; b < blocks; b++) {
            __m512 value = acc[r][b];
            if (bias) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(masks[b], bias + b * 16));
            _mm512_mask_storeu_ps(y + r * ldy + b * 16, masks[b], value);
        }
    }
}

/// Dispatches a tile to its instantiation: `rows` 1...6, `blocks` 1...4, `gathers` 0 or 1.
#define WIDE_TILE_BLOCKS(R, G, ...)                                  \
    switch (blocks) {                                                \
    case 1: wide_tile512(R, 1, G, __VA_ARGS__); break;               \
    case 2: wide_tile512(R, 2, G, __VA_ARGS__); break;               \
    case 3: wide_tile512(R, 3, G, __VA_ARGS__); break;               \
    default: wide_tile512(R, 4, G, __VA_ARGS__); break;              \
    }
#define WIDE_TILE(G, ...)                                            \
    switch (rows) {                                                  \
    case 1: WIDE_TILE_BLOCKS(1, G, __VA_ARGS__) break;               \
    case 2: WIDE_TILE_BLOCKS(2, G, __VA_ARGS__) break;               \
    case 3: WIDE_TILE_BLOCKS(3, G, __VA_ARGS__) break;               \
    case 4: WIDE_TILE_BLOCKS(4, G, __VA_ARGS__) break;               \
    case 5: WIDE_TILE_BLOCKS(5, G, __VA_ARGS__) break;               \
    default: WIDE_TILE_BLOCKS(6, G, __VA_ARGS__) break;              \
    }

SHRINK_TARGET_AVX512 static void wide_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                             const uint16_t *packed, const float *centroids, const float *bias,
                                             float *y, ptrdiff_t ldy) {
    _Alignas(64) float decoded[wide_depth_block * SHRINK_PALETTE_WIDE_PANEL_COLUMNS];
    for (ptrdiff_t panel = 0; panel < wide_panels(n); panel++) {
        const wide_panel_span span = panel_span(packed, n, k, panel);
        const ptrdiff_t j0 = span.j0, columns = span.columns;
        const float *panel_bias = bias ? bias + j0 : NULL;
        const int blocks = (int)((columns + 15) / 16);
        if (m <= wide_tile_rows) {
            // One tile holds every row: each gathered vector serves them all, no decoded block.
            const int rows = (int)m;
            WIDE_TILE(1, k, x, ldx, span.indices, NULL, centroids, 0, panel_bias, y + j0, ldy, columns)
            continue;
        }
        for (ptrdiff_t p0 = 0; p0 < k; p0 += wide_depth_block) {
            const ptrdiff_t depth = block_depth(k, p0);
            const uint16_t *indices = span.indices + p0 * wide_panel;
            for (ptrdiff_t p = 0; p < depth; p++)
                for (int b = 0; b < blocks; b++)
                    _mm512_store_ps(decoded + p * wide_panel + b * 16,
                                    gather512(indices + p * wide_panel + b * 16, centroids));
            const int carry = p0 > 0;
            const float *block_bias = p0 + depth == k ? panel_bias : NULL;
            for (ptrdiff_t i = 0; i < m; i += wide_tile_rows) {
                const int rows = (int)(m - i < wide_tile_rows ? m - i : wide_tile_rows);
                WIDE_TILE(0, depth, x + i * ldx + p0, ldx, NULL, decoded, centroids, carry, block_bias,
                          y + i * ldy + j0, ldy, columns)
            }
        }
    }
}
#undef WIDE_TILE
#undef WIDE_TILE_BLOCKS

/// rows (1...3) × 32 columns (`half` 0 or 1 of the panel) over a decoded block of `depth` depths,
/// sums carried through y as in wide_tile512.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX2 void wide_tile256(
    const int rows, ptrdiff_t depth, const float *x, ptrdiff_t ldx, const float *decoded, int carry,
    const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t columns) {
    float sums[wide_tile_rows256][32];
    for (int r = 0; r < rows; r++) {
        memset(sums[r], 0, sizeof sums[r]);
        if (carry) memcpy(sums[r], y + r * ldy, (size_t)columns * sizeof(float));
    }
    __m256 acc[wide_tile_rows256][4];
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < 4; b++) acc[r][b] = _mm256_loadu_ps(sums[r] + b * 8);
    for (ptrdiff_t p = 0; p < depth; p++) {
        const float *w = decoded + p * wide_panel;
        for (int r = 0; r < rows; r++) {
            const __m256 a = _mm256_broadcast_ss(x + r * ldx + p);
            for (int b = 0; b < 4; b++) acc[r][b] = _mm256_fmadd_ps(a, _mm256_load_ps(w + b * 8), acc[r][b]);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int b = 0; b < 4; b++) _mm256_storeu_ps(sums[r] + b * 8, acc[r][b]);
        for (ptrdiff_t c = 0; c < columns; c++) y[r * ldy + c] = sums[r][c] + (bias ? bias[c] : 0.0f);
    }
}

SHRINK_TARGET_AVX2 static void wide_avx2(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                         const uint16_t *packed, const float *centroids, const float *bias,
                                         float *y, ptrdiff_t ldy) {
    _Alignas(64) float decoded[wide_depth_block * SHRINK_PALETTE_WIDE_PANEL_COLUMNS];
    for (ptrdiff_t panel = 0; panel < wide_panels(n); panel++) {
        const wide_panel_span span = panel_span(packed, n, k, panel);
        const ptrdiff_t j0 = span.j0, columns = span.columns;
        for (ptrdiff_t p0 = 0; p0 < k; p0 += wide_depth_block) {
            const ptrdiff_t depth = block_depth(k, p0);
            const uint16_t *indices = span.indices + p0 * wide_panel;
            for (ptrdiff_t p = 0; p < depth; p++) {
                for (int b = 0; b < wide_panel / 8; b++) {
                    const __m256i lanes = _mm256_cvtepu16_epi32(
                        _mm_loadu_si128((const __m128i *)(const void *)(indices + p * wide_panel + b * 8)));
                    _mm256_store_ps(decoded + p * wide_panel + b * 8, _mm256_i32gather_ps(centroids, lanes, 4));
                }
            }
            const int carry = p0 > 0;
            const int last = p0 + depth == k;
            for (ptrdiff_t half = 0; half * 32 < columns; half++) {
                const ptrdiff_t half_columns = columns - half * 32 < 32 ? columns - half * 32 : 32;
                const float *half_bias = bias && last ? bias + j0 + half * 32 : NULL;
                for (ptrdiff_t i = 0; i < m; i += wide_tile_rows256) {
                    const float *xi = x + i * ldx + p0;
                    float *yi = y + i * ldy + j0 + half * 32;
                    const float *block = decoded + half * 32;
                    switch (m - i) {
                    case 1: wide_tile256(1, depth, xi, ldx, block, carry, half_bias, yi, ldy, half_columns); break;
                    case 2: wide_tile256(2, depth, xi, ldx, block, carry, half_bias, yi, ldy, half_columns); break;
                    default: wide_tile256(3, depth, xi, ldx, block, carry, half_bias, yi, ldy, half_columns); break;
                    }
                }
            }
        }
    }
}
#endif

int shrink_palette_wide_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                               const uint16_t *packed, const float *centroids, ptrdiff_t centroid_count,
                               const float *bias, float *y, ptrdiff_t ldy) {
    if (centroid_count < 1 || centroid_count > SHRINK_PALETTE_WIDE_MAX_CENTROIDS) return -1;
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) {
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) y[i * ldy + j] = bias ? bias[j] : 0.0f;
        return 0;
    }
#if SHRINK_HAVE_X86_PATHS
    const shrink_cpu_path path = shrink_cpu_active_path();
    if (path == SHRINK_CPU_PATH_AVX512) { wide_avx512(m, n, k, x, ldx, packed, centroids, bias, y, ldy); return 0; }
    if (path == SHRINK_CPU_PATH_AVX2) { wide_avx2(m, n, k, x, ldx, packed, centroids, bias, y, ldy); return 0; }
#endif
    wide_portable(m, n, k, x, ldx, packed, centroids, bias, y, ldy);
    return 0;
}
