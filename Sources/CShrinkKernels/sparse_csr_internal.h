// The call record of the CSR sparse linear kernels (sparse_csr.c) and the small helpers their
// paths share, including the NEON path in sparse_csr_neon.c. Private to CShrinkKernels.
#ifndef SHRINK_SPARSE_CSR_INTERNAL_H
#define SHRINK_SPARSE_CSR_INTERNAL_H

#include "sgemm_internal.h"
#include "neon_kernels.h"

#include <stddef.h>
#include <stdint.h>

/// One call of the CSR kernel, normalized by shrink_csr_linear / shrink_csr_linear_blocked.
typedef struct {
    ptrdiff_t m, n, k;
    const float *x; ptrdiff_t ldx;
    const int32_t *row_ptr;
    const void *columns; int column_bytes;
    const float *values;     // fp32 values, or NULL
    const uint8_t *codes;    // palettized values (when values is NULL)
    const float *table;      // 256 entries, zero past the centroids
    int centroid_count;
    const float *bias;
    int accumulate;          // add to y (bias ignored) instead of storing sum + bias
    float *y; ptrdiff_t ldy;
    float *yt;               // batched path only, when set: add sums to yᵀ[n × m] instead of y
} csr_call;

/// What a sum is added to before it is stored at y[i][j]: y itself when accumulating over column
/// blocks, else the bias (or 0).
static inline float csr_base(const csr_call *c, ptrdiff_t i, ptrdiff_t j) {
    return c->accumulate ? c->y[i * c->ldy + j] : (c->bias ? c->bias[j] : 0.0f);
}

static inline ptrdiff_t column_at(const csr_call *c, ptrdiff_t e) {
    return c->column_bytes == 2 ? (ptrdiff_t)((const uint16_t *)c->columns)[e] : (ptrdiff_t)((const uint32_t *)c->columns)[e];
}

static SHRINK_ALWAYS_INLINE ptrdiff_t column_at_bytes(const int column_bytes, const csr_call *c, ptrdiff_t e) {
    return column_bytes == 2 ? (ptrdiff_t)((const uint16_t *)c->columns)[e] : (ptrdiff_t)((const uint32_t *)c->columns)[e];
}

static inline float value_at(const csr_call *c, ptrdiff_t e) {
    return c->values ? c->values[e] : c->table[c->codes[e]];
}

#if SHRINK_HAVE_NEON_PATHS
/// The whole call on the NEON path (sparse_csr_neon.c); `yt` is not used (never set there).
void shrink_csr_neon(const csr_call *c);
#endif

#endif
