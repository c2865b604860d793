// CSR sparse linear layer: y = x · Wᵀ + bias with W stored by output row (compressed sparse
// rows): row_ptr[n + 1] (int32), column indices (uint16 when k ≤ 65536, else uint32) and either
// fp32 values or palettized values (a uint8 code per non-zero + a codebook of ≤ 256 centroids).
//
// AVX-512: 16 non-zeros per step, x gathered with vgatherdps (the whole x row is small and
// cache-resident), values loaded or looked up (vpermps ≤ 16 centroids, vpermt2ps ≤ 32, gather
// otherwise); up to 4 rows of x share each index/value load. From 8 rows on, x is transposed
// and each non-zero is an m-wide FMA (no gathers). AVX2: 8-wide gathers. Portable C.
#include "shrink_kernels.h"
#include "sgemm_internal.h"

#include <stdlib.h>
#include <string.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

typedef struct {
    ptrdiff_t m, n, k;
    const float *x; ptrdiff_t ldx;
    const int32_t *row_ptr;
    const void *columns; int column_bytes;
    const float *values;     // fp32 values, or NULL
    const uint8_t *codes;    // palettized values (when values is NULL)
    const float *table;      // 256 entries, zero past the centroids
    int centroid_count;
    const float *bias; float *y; ptrdiff_t ldy;
} csr_call;

static inline ptrdiff_t column_at(const csr_call *c, ptrdiff_t e) {
    return c->column_bytes == 2 ? (ptrdiff_t)((const uint16_t *)c->columns)[e] : (ptrdiff_t)((const uint32_t *)c->columns)[e];
}

static inline float value_at(const csr_call *c, ptrdiff_t e) {
    return c->values ? c->values[e] : c->table[c->codes[e]];
}

static void csr_portable(const csr_call *c) {
    for (ptrdiff_t i = 0; i < c->m; i++) {
        const float *row = c->x + i * c->ldx;
        for (ptrdiff_t j = 0; j < c->n; j++) {
            float sum = 0;
            for (ptrdiff_t e = c->row_ptr[j]; e < c->row_ptr[j + 1]; e++) sum += value_at(c, e) * row[column_at(c, e)];
            c->y[i * c->ldy + j] = sum + (c->bias ? c->bias[j] : 0.0f);
        }
    }
}

#if SHRINK_HAVE_X86_PATHS
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 __m512i load_columns512(const csr_call *c, ptrdiff_t e, __mmask16 mask) {
    if (c->column_bytes == 2) return _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask, (const uint16_t *)c->columns + e));
    return _mm512_maskz_loadu_epi32(mask, (const uint32_t *)c->columns + e);
}

static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 __m512 load_values512(const csr_call *c, ptrdiff_t e, __mmask16 mask,
                                                                     __m512 table0, __m512 table1) {
    if (c->values) return _mm512_maskz_loadu_ps(mask, c->values + e);
    const __m512i codes = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask, c->codes + e));
    __m512 v;
    if (c->centroid_count <= 16) v = _mm512_permutexvar_ps(codes, table0);
    else if (c->centroid_count <= 32) v = _mm512_permutex2var_ps(table0, codes, table1);
    else v = _mm512_i32gather_ps(codes, c->table, 4);
    return _mm512_maskz_mov_ps(mask, v);
}

static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void csr_rows512(const int rows, const csr_call *c, ptrdiff_t i0) {
    const __m512 table0 = _mm512_loadu_ps(c->table), table1 = _mm512_loadu_ps(c->table + 16);
    const float *x = c->x + i0 * c->ldx;
    for (ptrdiff_t j = 0; j < c->n; j++) {
        __m512 acc[4];
        for (int r = 0; r < rows; r++) acc[r] = _mm512_setzero_ps();
        const ptrdiff_t end = c->row_ptr[j + 1];
        for (ptrdiff_t e = c->row_ptr[j]; e < end; e += 16) {
            const ptrdiff_t left = end - e;
            const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
            const __m512i columns = load_columns512(c, e, mask);
            const __m512 values = load_values512(c, e, mask, table0, table1);
            for (int r = 0; r < rows; r++) {
                const __m512 xs = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, columns, x + r * c->ldx, 4);
                acc[r] = _mm512_fmadd_ps(values, xs, acc[r]);
            }
        }
        for (int r = 0; r < rows; r++)
            c->y[(i0 + r) * c->ldy + j] = _mm512_reduce_add_ps(acc[r]) + (c->bias ? c->bias[j] : 0.0f);
    }
}


/// Batches of at least 8 rows: x is transposed once to xᵀ[k × m] so each non-zero becomes a
/// contiguous m-wide FMA (value · xᵀ[column][·]) instead of m gathers. Columns of the batch in
/// chunks of 64 (4 zmm accumulators). Returns 0 when the temporary buffer cannot be allocated.
SHRINK_TARGET_AVX512 static int csr_avx512_batched(const csr_call *c) {
    const ptrdiff_t m = c->m, k = c->k;
    float *xt = malloc((size_t)(k * m) * sizeof(float));
    if (!xt) return 0;
    for (ptrdiff_t i = 0; i < m; i++)
        for (ptrdiff_t p = 0; p < k; p++) xt[p * m + i] = c->x[i * c->ldx + p];
    const __m512 table0 = _mm512_loadu_ps(c->table), table1 = _mm512_loadu_ps(c->table + 16);
    for (ptrdiff_t i0 = 0; i0 < m; i0 += 64) {
        const ptrdiff_t width = m - i0 < 64 ? m - i0 : 64;
        __mmask16 masks[4];
        for (int b = 0; b < 4; b++) {
            const ptrdiff_t count = width - b * 16;
            masks[b] = count >= 16 ? (__mmask16)0xFFFF : (count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1u));
        }
        for (ptrdiff_t j = 0; j < c->n; j++) {
            __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
            const ptrdiff_t end = c->row_ptr[j + 1];
            for (ptrdiff_t e = c->row_ptr[j]; e < end; e += 16) {
                const ptrdiff_t left = end - e;
                const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
                float values[16];
                ptrdiff_t columns[16];
                _mm512_storeu_ps(values, load_values512(c, e, mask, table0, table1));
                const ptrdiff_t count = left < 16 ? left : 16;
                for (ptrdiff_t t = 0; t < count; t++) columns[t] = column_at(c, e + t);
                for (ptrdiff_t t = 0; t < count; t++) {
                    const __m512 v = _mm512_set1_ps(values[t]);
                    const float *source = xt + columns[t] * m + i0;
                    for (int b = 0; b < 4; b++) {
                        if (!masks[b]) break;
                        acc[b] = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(masks[b], source + b * 16), acc[b]);
                    }
                }
            }
            float sums[64];
            for (int b = 0; b < 4; b++) _mm512_storeu_ps(sums + b * 16, acc[b]);
            const float bias = c->bias ? c->bias[j] : 0.0f;
            for (ptrdiff_t i = 0; i < width; i++) c->y[(i0 + i) * c->ldy + j] = sums[i] + bias;
        }
    }
    free(xt);
    return 1;
}

SHRINK_TARGET_AVX512 static void csr_avx512(const csr_call *c) {
    if (c->m >= 8 && csr_avx512_batched(c)) return;
    for (ptrdiff_t i = 0; i < c->m; i += 4) {
        switch (c->m - i) {
        case 1: csr_rows512(1, c, i); break;
        case 2: csr_rows512(2, c, i); break;
        case 3: csr_rows512(3, c, i); break;
        default: csr_rows512(4, c, i); break;
        }
    }
}

SHRINK_TARGET_AVX2 static void csr_avx2(const csr_call *c) {
    for (ptrdiff_t i = 0; i < c->m; i++) {
        const float *row = c->x + i * c->ldx;
        for (ptrdiff_t j = 0; j < c->n; j++) {
            __m256 acc = _mm256_setzero_ps();
            const ptrdiff_t end = c->row_ptr[j + 1];
            ptrdiff_t e = c->row_ptr[j];
            for (; e + 8 <= end; e += 8) {
                const __m256i columns = c->column_bytes == 2
                    ? _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)((const uint16_t *)c->columns + e)))
                    : _mm256_loadu_si256((const __m256i *)((const uint32_t *)c->columns + e));
                const __m256 values = c->values
                    ? _mm256_loadu_ps(c->values + e)
                    : _mm256_i32gather_ps(c->table, _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(c->codes + e))), 4);
                acc = _mm256_fmadd_ps(values, _mm256_i32gather_ps(row, columns, 4), acc);
            }
            float lanes[8];
            _mm256_storeu_ps(lanes, acc);
            float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
            for (; e < end; e++) sum += value_at(c, e) * row[column_at(c, e)];
            c->y[i * c->ldy + j] = sum + (c->bias ? c->bias[j] : 0.0f);
        }
    }
}
#endif

int shrink_csr_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                      const int32_t *row_ptr, const void *columns, int column_bytes,
                      const float *values, const uint8_t *codes, const float *centroids, ptrdiff_t centroid_count,
                      const float *bias, float *y, ptrdiff_t ldy) {
    if (column_bytes != 2 && column_bytes != 4) return -1;
    if (!values && (!codes || !centroids || centroid_count < 1 || centroid_count > 256)) return -1;
    if (m <= 0 || n <= 0) return 0;
    float table[256] = {0};
    if (!values) memcpy(table, centroids, (size_t)centroid_count * sizeof(float));
    const csr_call call = {m, n, k, x, ldx, row_ptr, columns, column_bytes, values, codes, table,
                           (int)(values ? 0 : centroid_count), bias, y, ldy};
#if SHRINK_HAVE_X86_PATHS
    const shrink_cpu_path path = shrink_cpu_active_path();
    if (path == SHRINK_CPU_PATH_AVX512) { csr_avx512(&call); return 0; }
    if (path == SHRINK_CPU_PATH_AVX2) { csr_avx2(&call); return 0; }
#endif
    csr_portable(&call);
    return 0;
}
