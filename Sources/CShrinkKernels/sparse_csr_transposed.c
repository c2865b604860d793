// The CSR product with the activations transposed: yᵀ[n × m] = W · xᵀ + bias, for convolutions,
// whose im2col is naturally [depth × pixels] (shrink_lower_samples) and whose output is
// [channels × pixels]. Each non-zero W[j][p] becomes one contiguous m-wide multiply-add of row p
// of xᵀ into row j of yᵀ: no gathers and no transposes (the row-major kernels of sparse_csr.c
// transpose x first at m ≥ 3, which for a 32×32 convolution costs more than the product). Plain
// C the compiler vectorizes; on x86-64 cloned for AVX-512 and AVX2 (target_clones). The Swift
// reference is SparseLinearWeights.applyTransposedReference.
#include "shrink_kernels.h"

#if defined(__x86_64__) && defined(__linux__)
#define SHRINK_SPARSE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SHRINK_SPARSE_CLONES
#endif

/// y[0..<m] += value · x[0..<m].
static inline __attribute__((always_inline)) void multiply_add(ptrdiff_t m, float value, const float *restrict x,
                                                                float *restrict y) {
    for (ptrdiff_t i = 0; i < m; i++) y[i] += value * x[i];
}

/// Columns of yᵀ kept in registers while one output row's non-zeros are added: 64 floats, four
/// AVX-512 or eight AVX2 registers, so each non-zero costs loads of x and multiply-adds only (no
/// load and store of the output per non-zero).
enum { TILE = 64 };

SHRINK_SPARSE_CLONES
static void csr_transposed(ptrdiff_t m, ptrdiff_t n, ptrdiff_t blocks, const float *xt, ptrdiff_t ldxt,
                           ptrdiff_t block_columns, const int32_t *block_row_ptr, ptrdiff_t row_ptr_stride,
                           const uint16_t *columns, const float *values, const uint8_t *codes, const float *centroids,
                           const float *bias, float *yt, ptrdiff_t ldyt) {
    for (ptrdiff_t j = 0; j < n; j++) {
        float *restrict target = yt + j * ldyt;
        const float shift = bias ? bias[j] : 0.0f;
        ptrdiff_t i0 = 0;
        for (; i0 + TILE <= m; i0 += TILE) {
            float sum[TILE];
            for (int i = 0; i < TILE; i++) sum[i] = 0.0f;
            for (ptrdiff_t block = 0; block < blocks; block++) {
                const int32_t *row_ptr = block_row_ptr + block * row_ptr_stride;
                const float *first_row = xt + block * block_columns * ldxt + i0;
                for (int32_t e = row_ptr[j]; e < row_ptr[j + 1]; e++) {
                    const float value = values ? values[e] : centroids[codes[e]];
                    const float *restrict x = first_row + (ptrdiff_t)columns[e] * ldxt;
                    for (int i = 0; i < TILE; i++) sum[i] += value * x[i];
                }
            }
            for (int i = 0; i < TILE; i++) target[i0 + i] = sum[i] + shift;
        }
        if (i0 < m) {
            // The last columns: added through the output row itself.
            const ptrdiff_t rest = m - i0;
            float *restrict tail = target + i0;
            for (ptrdiff_t i = 0; i < rest; i++) tail[i] = 0.0f;
            for (ptrdiff_t block = 0; block < blocks; block++) {
                const int32_t *row_ptr = block_row_ptr + block * row_ptr_stride;
                const float *first_row = xt + block * block_columns * ldxt + i0;
                for (int32_t e = row_ptr[j]; e < row_ptr[j + 1]; e++) {
                    const float value = values ? values[e] : centroids[codes[e]];
                    multiply_add(rest, value, first_row + (ptrdiff_t)columns[e] * ldxt, tail);
                }
            }
            for (ptrdiff_t i = 0; i < rest; i++) tail[i] += shift;
        }
    }
}

int shrink_csr_linear_transposed(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *xt, ptrdiff_t ldxt,
                                 ptrdiff_t block_columns, const int32_t *block_row_ptr, ptrdiff_t row_ptr_stride,
                                 const uint16_t *columns, const float *values, const uint8_t *codes,
                                 const float *centroids, ptrdiff_t centroid_count, const float *bias, float *yt,
                                 ptrdiff_t ldyt) {
    if (block_columns < 1 || block_columns > 65536 || row_ptr_stride < n + 1 || ldxt < m || ldyt < m) return -1;
    if (!values && (!codes || !centroids || centroid_count < 1 || centroid_count > 256)) return -1;
    if (m <= 0 || n <= 0) return 0;
    const ptrdiff_t blocks = k > 0 ? (k + block_columns - 1) / block_columns : 1;
    csr_transposed(m, n, blocks, xt, ldxt, block_columns, block_row_ptr, row_ptr_stride, columns, values, codes,
                   centroids, bias, yt, ldyt);
    return 0;
}
