// fp32 linear layer on weights packed once at load into 32-column panels (the layout is in
// sgemm_internal.h): y[m×n] = x[m×k] · Wᵀ + bias with no packing of W per call.
//
// Up to 4 rows of x (batch 1-4) stream the panels once per group of 4 rows: each depth step
// broadcasts x[r][p] and multiplies one 32-float panel row (two zmm) into 32 outputs per row,
// the panel read in order (a pure stream, no horizontal sums). AVX-512 keeps separate
// accumulators for even and odd depth so consecutive FMAs do not wait on each other. From 5
// rows on, the blocked GEMM reads the same panels as its packed B (shrink_sgemm_panels_*).
// AVX2 and portable paths run the same loops in plain C.
#include "shrink_kernels.h"
#include "sgemm_internal.h"

#include <string.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

#define PANEL_MIN(x, y) ((x) < (y) ? (x) : (y))

/// Batches of at most this many rows run the panel row kernel; larger ones the blocked GEMM.
#define SHRINK_PANEL_ROW_KERNEL_MAX_M 4

ptrdiff_t shrink_f32_panel_slice_depth(ptrdiff_t k) {
    if (k <= SHRINK_PANEL_DEPTH) return k > 0 ? k : 1;
    const ptrdiff_t slices = (k + SHRINK_PANEL_DEPTH - 1) / SHRINK_PANEL_DEPTH;
    return (k + slices - 1) / slices;
}

/// n rounded up to 16: whole 32-column panels and, when n mod 32 is 1-16, a 16-column last one.
static ptrdiff_t panel_width(ptrdiff_t n) { return (n + 15) / 16 * 16; }

ptrdiff_t shrink_f32_panels_width(ptrdiff_t n) { return n > 0 ? panel_width(n) : 0; }

size_t shrink_f32_panels_count(ptrdiff_t n, ptrdiff_t k) {
    if (n <= 0 || k <= 0) return 0;
    return (size_t)k * (size_t)panel_width(n);
}

void shrink_f32_pack_panels(ptrdiff_t n, ptrdiff_t k, const float *w, ptrdiff_t ldw, float *panels) {
    if (n <= 0 || k <= 0) return;
    const ptrdiff_t width = panel_width(n);
    const ptrdiff_t depth = shrink_f32_panel_slice_depth(k);
    for (ptrdiff_t p0 = 0; p0 < k; p0 += depth) {
        const ptrdiff_t kc = PANEL_MIN(depth, k - p0);
        for (ptrdiff_t j0 = 0; j0 < width; j0 += SHRINK_PANEL_COLUMNS) {
            float *panel = panels + p0 * width + j0 * kc;
            const ptrdiff_t stride = shrink_f32_panel_stride(width, j0);
            for (ptrdiff_t j = 0; j < stride; j++) {
                const ptrdiff_t column = j0 + j;
                const float *row = column < n ? w + column * ldw + p0 : NULL;
                for (ptrdiff_t p = 0; p < kc; p++) panel[p * stride + j] = row ? row[p] : 0.0f;
            }
        }
    }
}

void shrink_f32_unpack_panels(ptrdiff_t n, ptrdiff_t k, const float *panels, float *w, ptrdiff_t ldw) {
    if (n <= 0 || k <= 0) return;
    const ptrdiff_t width = panel_width(n);
    const ptrdiff_t depth = shrink_f32_panel_slice_depth(k);
    for (ptrdiff_t p0 = 0; p0 < k; p0 += depth) {
        const ptrdiff_t kc = PANEL_MIN(depth, k - p0);
        for (ptrdiff_t column = 0; column < n; column++) {
            const ptrdiff_t j0 = column / SHRINK_PANEL_COLUMNS * SHRINK_PANEL_COLUMNS;
            const ptrdiff_t stride = shrink_f32_panel_stride(width, j0);
            const float *panel = panels + p0 * width + j0 * kc + (column - j0);
            for (ptrdiff_t p = 0; p < kc; p++) w[column * ldw + p0 + p] = panel[p * stride];
        }
    }
}

/// Up to 4 rows by every panel, plain C (vectorized by the compiler for the function's target).
#define PANEL_ROWS_PLAIN(NAME, TARGET)                                                                           \
    TARGET static void NAME(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,                \
                            const float *panels, ptrdiff_t width, ptrdiff_t column_start, const float *bias,     \
                            float *y, ptrdiff_t ldy) {                                                           \
        const ptrdiff_t depth = shrink_f32_panel_slice_depth(k);                                                 \
        for (ptrdiff_t i = 0; i < m; i++) {                                                                      \
            const float *xi = x + i * ldx;                                                                       \
            for (ptrdiff_t j0 = 0; j0 < n; j0 += SHRINK_PANEL_COLUMNS) {                                         \
                float acc[SHRINK_PANEL_COLUMNS] = {0.0f};                                                        \
                const ptrdiff_t stride = shrink_f32_panel_stride(width, column_start + j0);                      \
                for (ptrdiff_t p0 = 0; p0 < k; p0 += depth) {                                                    \
                    const ptrdiff_t kc = PANEL_MIN(depth, k - p0);                                               \
                    const float *panel = panels + p0 * width + (column_start + j0) * kc;                         \
                    for (ptrdiff_t p = 0; p < kc; p++) {                                                         \
                        const float a = xi[p0 + p];                                                              \
                        for (ptrdiff_t j = 0; j < stride; j++) acc[j] += a * panel[p * stride + j];              \
                    }                                                                                            \
                }                                                                                                \
                const ptrdiff_t cols = PANEL_MIN(stride, n - j0);                                                \
                for (ptrdiff_t j = 0; j < cols; j++) y[i * ldy + j0 + j] = acc[j] + (bias ? bias[j0 + j] : 0.0f); \
            }                                                                                                    \
        }                                                                                                        \
    }

PANEL_ROWS_PLAIN(panel_rows_portable, )

#if SHRINK_HAVE_X86_PATHS
PANEL_ROWS_PLAIN(panel_rows_avx2, SHRINK_TARGET_AVX2)

/// `rows` (1-4) rows of x by `count` (1 or 2) neighbouring panels from column `column`, each
/// `halves` · 16 columns wide (2, or 1 for a narrow last panel; all constants after inlining);
/// `cols` valid columns in all. Even and odd depth steps accumulate
/// apart: with two panels and one row that is 8 independent FMA chains, enough to cover the FMA
/// latency on two pipes while the panels stream in.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void panel_block512(
    const int rows, const int count, const int halves, ptrdiff_t k, const float *x, ptrdiff_t ldx, const float *panels, ptrdiff_t width,
    ptrdiff_t column, ptrdiff_t cols, const float *bias, float *y, ptrdiff_t ldy) {
    __m512 even[4][4], odd[4][4];
    for (int r = 0; r < rows; r++)
        for (int h = 0; h < 2 * count; h++) even[r][h] = odd[r][h] = _mm512_setzero_ps();
    const int stride = 16 * halves;
    const ptrdiff_t depth = shrink_f32_panel_slice_depth(k);
    for (ptrdiff_t p0 = 0; p0 < k; p0 += depth) {
        const ptrdiff_t kc = PANEL_MIN(depth, k - p0);
        const float *panel = panels + p0 * width + column * kc;
        const ptrdiff_t next = SHRINK_PANEL_COLUMNS * kc; // the neighbouring (full) panel
        const float *xs = x + p0;
        ptrdiff_t p = 0;
        for (; p + 2 <= kc; p += 2) {
            __m512 a0[4], a1[4];
            for (int r = 0; r < rows; r++) {
                a0[r] = _mm512_set1_ps(xs[r * ldx + p]);
                a1[r] = _mm512_set1_ps(xs[r * ldx + p + 1]);
            }
            for (int q = 0; q < count; q++) {
                const float *b = panel + q * next + p * stride;
                for (int h = 0; h < halves; h++) {
                    const __m512 w0 = _mm512_load_ps(b + 16 * h), w1 = _mm512_load_ps(b + stride + 16 * h);
                    for (int r = 0; r < rows; r++) {
                        even[r][2 * q + h] = _mm512_fmadd_ps(a0[r], w0, even[r][2 * q + h]);
                        odd[r][2 * q + h] = _mm512_fmadd_ps(a1[r], w1, odd[r][2 * q + h]);
                    }
                }
            }
        }
        if (p < kc) {
            for (int q = 0; q < count; q++) {
                const float *b = panel + q * next + p * stride;
                for (int h = 0; h < halves; h++) {
                    const __m512 w0 = _mm512_load_ps(b + 16 * h);
                    for (int r = 0; r < rows; r++)
                        even[r][2 * q + h] = _mm512_fmadd_ps(_mm512_set1_ps(xs[r * ldx + p]), w0, even[r][2 * q + h]);
                }
            }
        }
    }
    for (int h = 0; h < (count - 1) * 2 + halves; h++) {
        const ptrdiff_t left = cols - 16 * h;
        const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1u);
        const __m512 shift = bias ? _mm512_maskz_loadu_ps(mask, bias + 16 * h) : _mm512_setzero_ps();
        for (int r = 0; r < rows; r++)
            _mm512_mask_storeu_ps(y + r * ldy + 16 * h, mask, _mm512_add_ps(_mm512_add_ps(even[r][h], odd[r][h]), shift));
    }
}

SHRINK_TARGET_AVX512 static void panel_rows_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                                   const float *panels, ptrdiff_t width, ptrdiff_t column_start,
                                                   const float *bias, float *y, ptrdiff_t ldy) {
    for (ptrdiff_t i = 0; i < m; i += 4) {
        const ptrdiff_t rows = m - i < 4 ? m - i : 4;
        const float *xi = x + i * ldx;
        ptrdiff_t j0 = 0;
        // Two full panels at a time for 1-2 rows (16 accumulators at most), one for 3-4.
        for (; rows <= 2 && column_start + j0 + 2 * SHRINK_PANEL_COLUMNS <= width && j0 + SHRINK_PANEL_COLUMNS < n;
             j0 += 2 * SHRINK_PANEL_COLUMNS) {
            const ptrdiff_t cols = PANEL_MIN(2 * SHRINK_PANEL_COLUMNS, n - j0);
            const float *bj = bias ? bias + j0 : NULL;
            if (rows == 1) panel_block512(1, 2, 2, k, xi, ldx, panels, width, column_start + j0, cols, bj, y + i * ldy + j0, ldy);
            else panel_block512(2, 2, 2, k, xi, ldx, panels, width, column_start + j0, cols, bj, y + i * ldy + j0, ldy);
        }
        for (; j0 < n; j0 += SHRINK_PANEL_COLUMNS) {
            const ptrdiff_t cols = PANEL_MIN(SHRINK_PANEL_COLUMNS, n - j0);
            const float *bj = bias ? bias + j0 : NULL;
            float *yi = y + i * ldy + j0;
            const ptrdiff_t column = column_start + j0;
            if (shrink_f32_panel_stride(width, column) == SHRINK_PANEL_COLUMNS) {
                switch (rows) {
                case 1: panel_block512(1, 1, 2, k, xi, ldx, panels, width, column, cols, bj, yi, ldy); break;
                case 2: panel_block512(2, 1, 2, k, xi, ldx, panels, width, column, cols, bj, yi, ldy); break;
                case 3: panel_block512(3, 1, 2, k, xi, ldx, panels, width, column, cols, bj, yi, ldy); break;
                default: panel_block512(4, 1, 2, k, xi, ldx, panels, width, column, cols, bj, yi, ldy); break;
                }
            } else {
                switch (rows) {
                case 1: panel_block512(1, 1, 1, k, xi, ldx, panels, width, column, cols, bj, yi, ldy); break;
                case 2: panel_block512(2, 1, 1, k, xi, ldx, panels, width, column, cols, bj, yi, ldy); break;
                case 3: panel_block512(3, 1, 1, k, xi, ldx, panels, width, column, cols, bj, yi, ldy); break;
                default: panel_block512(4, 1, 1, k, xi, ldx, panels, width, column, cols, bj, yi, ldy); break;
                }
            }
        }
    }
}
#endif

static void panel_rows(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx, const float *panels,
                       ptrdiff_t width, ptrdiff_t column_start, const float *bias, float *y, ptrdiff_t ldy) {
#if SHRINK_HAVE_X86_PATHS
    const shrink_cpu_path path = shrink_cpu_active_path();
    if (path == SHRINK_CPU_PATH_AVX512) { panel_rows_avx512(m, n, k, x, ldx, panels, width, column_start, bias, y, ldy); return; }
    if (path == SHRINK_CPU_PATH_AVX2) { panel_rows_avx2(m, n, k, x, ldx, panels, width, column_start, bias, y, ldy); return; }
#endif
    panel_rows_portable(m, n, k, x, ldx, panels, width, column_start, bias, y, ldy);
}

int shrink_f32_panels_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                             const float *panels, ptrdiff_t width, ptrdiff_t column_start,
                             const float *bias, float *y, ptrdiff_t ldy) {
    if (m <= 0 || n <= 0) return 0;
    if (column_start < 0 || column_start % SHRINK_PANEL_COLUMNS != 0 || column_start + n > width || width % 16 != 0)
        return -1;
    if (k <= 0) {
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) y[i * ldy + j] = bias ? bias[j] : 0.0f;
        return 0;
    }
    if (m <= SHRINK_PANEL_ROW_KERNEL_MAX_M) {
        panel_rows(m, n, k, x, ldx, panels, width, column_start, bias, y, ldy);
        return 0;
    }
    if (bias) {
        for (ptrdiff_t i = 0; i < m; i++) memcpy(y + i * ldy, bias, (size_t)n * sizeof(float));
    }
    const float beta = bias ? 1.0f : 0.0f;
    int status;
    switch (shrink_cpu_active_path()) {
#if SHRINK_HAVE_X86_PATHS
    case SHRINK_CPU_PATH_AVX512:
        status = shrink_sgemm_panels_avx512(m, n, k, x, ldx, panels, width, column_start, beta, y, ldy);
        break;
    case SHRINK_CPU_PATH_AVX2:
        status = shrink_sgemm_panels_avx2(m, n, k, x, ldx, panels, width, column_start, beta, y, ldy);
        break;
#endif
    default:
        status = shrink_sgemm_panels_portable(m, n, k, x, ldx, panels, width, column_start, beta, y, ldy);
        break;
    }
    // Out of memory for the packed A block: the row kernel needs no scratch.
    if (status != 0) panel_rows(m, n, k, x, ldx, panels, width, column_start, bias, y, ldy);
    return 0;
}
