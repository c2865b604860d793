// NEON CSR sparse linear layer (see sparse_csr.c). NEON has no gather, so:
// - From 2 rows of x on, x is transposed once into xᵀ[k × m4] (m4 = m rounded up to 4, padding
//   rows zero; thread scratch), and each non-zero of an output becomes an m-wide multiply-add
//   (value · xᵀ[column][i0 ..< i0 + 16]) on up to 4 vectors of rows, in two accumulator chains.
// - One row (or no scratch): per output, 4 non-zeros at a time, their x loaded lane by lane into
//   one vector and multiplied by the 4 values (loaded, or read from the codebook), in two chains.
// Sums are fp32; their order differs from the portable path's (rounding differences only).
#include "sparse_csr_internal.h"

#if SHRINK_HAVE_NEON_PATHS
#include <arm_neon.h>

/// The values of non-zeros e ..< e + 4: loaded, or looked up in the codebook.
static inline float32x4_t values4(const csr_call *c, ptrdiff_t e) {
    if (c->values) return vld1q_f32(c->values + e);
    const float looked_up[4] = {c->table[c->codes[e]], c->table[c->codes[e + 1]], c->table[c->codes[e + 2]],
                                c->table[c->codes[e + 3]]};
    return vld1q_f32(looked_up);
}

/// x[column(e + t)] for t < 4 as one vector.
static SHRINK_ALWAYS_INLINE float32x4_t gather4(const int column_bytes, const csr_call *c, const float *row, ptrdiff_t e) {
    float32x4_t v = vdupq_n_f32(row[column_at_bytes(column_bytes, c, e)]);
    v = vld1q_lane_f32(row + column_at_bytes(column_bytes, c, e + 1), v, 1);
    v = vld1q_lane_f32(row + column_at_bytes(column_bytes, c, e + 2), v, 2);
    return vld1q_lane_f32(row + column_at_bytes(column_bytes, c, e + 3), v, 3);
}

static SHRINK_ALWAYS_INLINE void csr_rows(const int column_bytes, const csr_call *c) {
    for (ptrdiff_t i = 0; i < c->m; i++) {
        const float *row = c->x + i * c->ldx;
        for (ptrdiff_t j = 0; j < c->n; j++) {
            float32x4_t acc0 = vdupq_n_f32(0), acc1 = vdupq_n_f32(0);
            const ptrdiff_t end = c->row_ptr[j + 1];
            ptrdiff_t e = c->row_ptr[j];
            for (; e + 8 <= end; e += 8) {
                acc0 = vfmaq_f32(acc0, values4(c, e), gather4(column_bytes, c, row, e));
                acc1 = vfmaq_f32(acc1, values4(c, e + 4), gather4(column_bytes, c, row, e + 4));
            }
            if (e + 4 <= end) {
                acc0 = vfmaq_f32(acc0, values4(c, e), gather4(column_bytes, c, row, e));
                e += 4;
            }
            float sum = vaddvq_f32(vaddq_f32(acc0, acc1));
            for (; e < end; e++) sum += value_at(c, e) * row[column_at_bytes(column_bytes, c, e)];
            c->y[i * c->ldy + j] = sum + csr_base(c, i, j);
        }
    }
}

/// Rows i0 ..< i0 + width (width ≤ 16: `blocks` vectors of 4) of every output from xᵀ (row stride m4).
static SHRINK_ALWAYS_INLINE void csr_batched_rows(const int blocks, const csr_call *c, const float *xt, ptrdiff_t m4,
                                                  ptrdiff_t i0, ptrdiff_t width) {
    for (ptrdiff_t j = 0; j < c->n; j++) {
        float32x4_t acc[2][4];
        for (int u = 0; u < 2; u++)
            for (int b = 0; b < blocks; b++) acc[u][b] = vdupq_n_f32(0);
        const ptrdiff_t end = c->row_ptr[j + 1];
        ptrdiff_t e = c->row_ptr[j];
        for (; e + 2 <= end; e += 2)
            for (int u = 0; u < 2; u++) {
                const float value = value_at(c, e + u);
                const float *source = xt + column_at(c, e + u) * m4 + i0;
                for (int b = 0; b < blocks; b++) acc[u][b] = vfmaq_n_f32(acc[u][b], vld1q_f32(source + 4 * b), value);
            }
        if (e < end) {
            const float value = value_at(c, e);
            const float *source = xt + column_at(c, e) * m4 + i0;
            for (int b = 0; b < blocks; b++) acc[0][b] = vfmaq_n_f32(acc[0][b], vld1q_f32(source + 4 * b), value);
        }
        float sums[16];
        for (int b = 0; b < blocks; b++) vst1q_f32(sums + 4 * b, vaddq_f32(acc[0][b], acc[1][b]));
        for (ptrdiff_t i = 0; i < width; i++) c->y[(i0 + i) * c->ldy + j] = sums[i] + csr_base(c, i0 + i, j);
    }
}

/// Returns 0 when the scratch for xᵀ cannot be had (nothing written then).
static int csr_batched(const csr_call *c) {
    const ptrdiff_t m = c->m, k = c->k, m4 = (m + 3) / 4 * 4;
    float *xt = shrink_sgemm_scratch(3, (size_t)(k * m4 > 0 ? k * m4 : 1));
    if (!xt) return 0;
    for (ptrdiff_t p = 0; p < k; p++) {
        for (ptrdiff_t i = 0; i < m; i++) xt[p * m4 + i] = c->x[i * c->ldx + p];
        for (ptrdiff_t i = m; i < m4; i++) xt[p * m4 + i] = 0;
    }
    for (ptrdiff_t i0 = 0; i0 < m; i0 += 16) {
        const ptrdiff_t width = m - i0 < 16 ? m - i0 : 16;
        switch ((width + 3) / 4) {
        case 1: csr_batched_rows(1, c, xt, m4, i0, width); break;
        case 2: csr_batched_rows(2, c, xt, m4, i0, width); break;
        case 3: csr_batched_rows(3, c, xt, m4, i0, width); break;
        default: csr_batched_rows(4, c, xt, m4, i0, width); break;
        }
    }
    return 1;
}

void shrink_csr_neon(const csr_call *c) {
    if (c->m >= 2 && csr_batched(c)) return;
    if (c->column_bytes == 2) csr_rows(2, c);
    else csr_rows(4, c);
}
#endif
