// NEON fp16-weight linear layer (f16_linear.c's layout: panels of 64 output channels,
// packed[(panel · k + p) · 64 + column]): each depth's halves converted with vcvt_f32_f16 /
// vcvt_high_f32_f16 (exact, subnormals included) and multiplied into fp32 accumulators with
// vfmaq_n_f32, one accumulator per 4 columns, so each output sums its depths in order.
// One row: 1 × 64 columns per pass (the panel streamed once, empty 8-column blocks of a ragged
// panel skipped); more rows: tiles of 4 rows × 16 columns.
#include "neon_kernels.h"

#if SHRINK_HAVE_NEON_PATHS
#include "shrink_kernels.h"
#include "sgemm_internal.h"

#include <arm_neon.h>

enum { f16_panel = SHRINK_F16_PANEL_COLUMNS };

/// rows (1...4) × 8·pairs columns (pairs 1...8) starting at `base` (one panel's columns, a
/// step of 64 halves per depth); stores the first `columns` of each row plus bias.
static SHRINK_ALWAYS_INLINE void f16_tile(const int rows, const int pairs, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                          const uint16_t *base, const float *bias, float *y, ptrdiff_t ldy,
                                          ptrdiff_t columns) {
    float32x4_t acc[4][16];
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < 2 * pairs; b++) acc[r][b] = vdupq_n_f32(0);
    for (ptrdiff_t p = 0; p < k; p++, base += f16_panel) {
        for (int b = 0; b < pairs; b++) {
            const float16x8_t halves = vreinterpretq_f16_u16(vld1q_u16(base + b * 8));
            const float32x4_t low = vcvt_f32_f16(vget_low_f16(halves)), high = vcvt_high_f32_f16(halves);
            for (int r = 0; r < rows; r++) {
                const float a = x[r * ldx + p];
                acc[r][2 * b] = vfmaq_n_f32(acc[r][2 * b], low, a);
                acc[r][2 * b + 1] = vfmaq_n_f32(acc[r][2 * b + 1], high, a);
            }
        }
    }
    for (int r = 0; r < rows; r++) {
        float sums[64];
        for (int b = 0; b < 2 * pairs; b++) vst1q_f32(sums + 4 * b, acc[r][b]);
        for (ptrdiff_t c = 0; c < columns; c++) y[r * ldy + c] = sums[c] + (bias ? bias[c] : 0.0f);
    }
}

/// The arguments of one call, for the tiles.
typedef struct {
    ptrdiff_t k;
    const float *x; ptrdiff_t ldx;
    const uint16_t *packed;
    const float *bias;
    float *y; ptrdiff_t ldy;
} f16_call;

/// rows × 16 columns from column j (f16_tile on the panel's column block).
static void f16_rows(const void *context, int rows, ptrdiff_t i, ptrdiff_t j, ptrdiff_t width) {
    const f16_call *c = context;
    const uint16_t *base = c->packed + (j / f16_panel) * c->k * f16_panel + j % f16_panel;
    const float *x = c->x + i * c->ldx, *bias = c->bias ? c->bias + j : NULL;
    float *y = c->y + i * c->ldy + j;
    if (rows == 1) f16_tile(1, 2, c->k, x, c->ldx, base, bias, y, c->ldy, width);
    else if (rows == 2) f16_tile(2, 2, c->k, x, c->ldx, base, bias, y, c->ldy, width);
    else if (rows == 3) f16_tile(3, 2, c->k, x, c->ldx, base, bias, y, c->ldy, width);
    else f16_tile(4, 2, c->k, x, c->ldx, base, bias, y, c->ldy, width);
}

void shrink_f16_linear_neon(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                            const uint16_t *packed, const float *bias, float *y, ptrdiff_t ldy) {
    if (m == 1) {
        // One row: each panel streamed once, 64 columns at a time (a ragged last panel only
        // through its occupied 8-column blocks).
        for (ptrdiff_t j0 = 0; j0 < n; j0 += f16_panel) {
            const uint16_t *panel = packed + j0 * k;  // (j0 / 64) panels of k · 64 halves before it
            const float *panel_bias = bias ? bias + j0 : NULL;
            if (n - j0 >= f16_panel) f16_tile(1, 8, k, x, 0, panel, panel_bias, y + j0, 0, f16_panel);
            else f16_tile(1, (int)((n - j0 + 7) / 8), k, x, 0, panel, panel_bias, y + j0, 0, n - j0);
        }
        return;
    }
    const f16_call call = {k, x, ldx, packed, bias, y, ldy};
    shrink_neon_for_each_tile(m, n, f16_rows, &call);
}
#endif
