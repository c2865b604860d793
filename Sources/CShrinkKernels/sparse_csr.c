// CSR sparse linear layer: y = x · Wᵀ + bias with W stored by output row (compressed sparse
// rows): row_ptr[n + 1] (int32), column indices (uint16 when k ≤ 65536, else uint32) and either
// fp32 values or palettized values (a uint8 code per non-zero + a codebook of ≤ 256 centroids).
//
// AVX-512, one row of x whose slice fits L1 (k ≤ 4096: every column block of SparseLinearWeights):
// scalar loads of x into 8 scalar FMA chains, values looked up 16 at a time in registers one
// output row ahead (no gathers: on Zen 4 a 16-wide gather costs ~2 cycles per element, a scalar
// load pair ~1; a bitmap of 16-column blocks expanded with vexpandps was slower still, 2.6 TSC
// ticks per non-empty block against 0.85 per non-zero).
// AVX-512, 2 rows (or one row of a wider x): 16 non-zeros per step, x gathered with vgatherdps (the whole x row is small and
// cache-resident), values loaded or looked up in registers (vpermps ≤ 16 centroids, vpermt2ps ≤ 32,
// 2 or 4 vpermt2ps + blends on code bits 5-6 ≤ 64 / ≤ 128, gather otherwise); up to 4 rows of x
// share each index/value load, and take half their non-zeros by scalar loads (gathers alone are
// slower on Zen 4). 16 output columns are reduced together by a transpose-add tree and
// stored at once. From 3 rows on, x is transposed and each non-zero is an m-wide FMA (no gathers),
// 4 independent accumulator chains per output.
// Wide layers are split into column blocks by the caller (SparseLinearWeights): one call per
// block with `accumulate` set after the first, so the gathered slice of x stays in L1.
// AVX2: 8-wide gathers. NEON on aarch64 (sparse_csr_neon.c): transposed x from 2 rows on, 4 lanes
// of x loaded lane by lane for one row. Portable C.
#include "shrink_kernels.h"
#include "sgemm_internal.h"
#include "sparse_csr_internal.h"

#include <stdlib.h>
#include <string.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

static void csr_portable(const csr_call *c) {
    for (ptrdiff_t i = 0; i < c->m; i++) {
        const float *row = c->x + i * c->ldx;
        for (ptrdiff_t j = 0; j < c->n; j++) {
            float sum = 0;
            for (ptrdiff_t e = c->row_ptr[j]; e < c->row_ptr[j + 1]; e++) sum += value_at(c, e) * row[column_at(c, e)];
            c->y[i * c->ldy + j] = sum + csr_base(c, i, j);
        }
    }
}

#if SHRINK_HAVE_X86_PATHS
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 __m512i load_columns512(const int column_bytes, const csr_call *c, ptrdiff_t e,
                                                                       __mmask16 mask) {
    if (column_bytes == 2) return _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask, (const uint16_t *)c->columns + e));
    return _mm512_maskz_loadu_epi32(mask, (const uint32_t *)c->columns + e);
}

/// How palettized values are looked up: by register permutes for up to 128 centroids (the
/// codebook held in 1, 2, 4 or 8 zmm registers), with one gather beyond that.
enum { VALUES_FLOAT = 0, VALUES_PERM16, VALUES_PERM32, VALUES_PERM64, VALUES_PERM128, VALUES_GATHER };

static inline int values_kind(const csr_call *c) {
    if (c->values) return VALUES_FLOAT;
    if (c->centroid_count <= 16) return VALUES_PERM16;
    if (c->centroid_count <= 32) return VALUES_PERM32;
    if (c->centroid_count <= 64) return VALUES_PERM64;
    if (c->centroid_count <= 128) return VALUES_PERM128;
    return VALUES_GATHER;
}

typedef struct { __m512 t[8]; } table512;

/// The codebook registers a kind reads (the others zero; the table is set only that far).
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 table512 load_table512(const int kind, const csr_call *c) {
    const int count = kind == VALUES_PERM16 ? 1 : kind == VALUES_PERM32 ? 2 : kind == VALUES_PERM64 ? 4 : kind == VALUES_PERM128 ? 8 : 0;
    table512 table;
    for (int b = 0; b < 8; b++) table.t[b] = b < count ? _mm512_loadu_ps(c->table + 16 * b) : _mm512_setzero_ps();
    return table;
}

static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 __m512 load_values512(const int kind, const csr_call *c, ptrdiff_t e, __mmask16 mask,
                                                                     const table512 *table) {
    if (kind == VALUES_FLOAT) return _mm512_maskz_loadu_ps(mask, c->values + e);
    const __m512i codes = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask, c->codes + e));
    __m512 v;
    if (kind == VALUES_PERM16) v = _mm512_permutexvar_ps(codes, table->t[0]);
    else if (kind == VALUES_PERM32) v = _mm512_permutex2var_ps(table->t[0], codes, table->t[1]);
    else if (kind == VALUES_PERM64 || kind == VALUES_PERM128) {
        // vpermt2ps uses the low 5 code bits; bit 5 (and 6) pick the 32-entry quarter.
        const __m512 low = _mm512_permutex2var_ps(table->t[0], codes, table->t[1]);
        const __m512 high = _mm512_permutex2var_ps(table->t[2], codes, table->t[3]);
        v = _mm512_mask_blend_ps(_mm512_test_epi32_mask(codes, _mm512_set1_epi32(32)), low, high);
        if (kind == VALUES_PERM128) {
            const __m512 low2 = _mm512_permutex2var_ps(table->t[4], codes, table->t[5]);
            const __m512 high2 = _mm512_permutex2var_ps(table->t[6], codes, table->t[7]);
            const __m512 upper = _mm512_mask_blend_ps(_mm512_test_epi32_mask(codes, _mm512_set1_epi32(32)), low2, high2);
            v = _mm512_mask_blend_ps(_mm512_test_epi32_mask(codes, _mm512_set1_epi32(64)), v, upper);
        }
    } else v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, codes, c->table, 4);
    return kind == VALUES_GATHER ? v : _mm512_maskz_mov_ps(mask, v);
}

/// Sums of each of 16 vectors, as one vector (lane t = Σ v[t]): a transpose-add tree.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 __m512 reduce16_512(const __m512 *v) {
    __m512 pairs[8], quads[4], octs[2];
    for (int t = 0; t < 8; t++) // per 128-bit lane: [a0+a2, b0+b2, a1+a3, b1+b3]
        pairs[t] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * t], v[2 * t + 1]), _mm512_unpackhi_ps(v[2 * t], v[2 * t + 1]));
    for (int t = 0; t < 4; t++) { // per 128-bit lane: [a, b, c, d]
        const __m512d p = _mm512_castps_pd(pairs[2 * t]), q = _mm512_castps_pd(pairs[2 * t + 1]);
        quads[t] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(p, q)), _mm512_castpd_ps(_mm512_unpackhi_pd(p, q)));
    }
    for (int t = 0; t < 2; t++) // 128-bit lanes: [abcd 0+1, abcd 2+3, efgh 0+1, efgh 2+3]
        octs[t] = _mm512_add_ps(_mm512_shuffle_f32x4(quads[2 * t], quads[2 * t + 1], 0x88),
                                _mm512_shuffle_f32x4(quads[2 * t], quads[2 * t + 1], 0xDD));
    return _mm512_add_ps(_mm512_shuffle_f32x4(octs[0], octs[1], 0x88), _mm512_shuffle_f32x4(octs[0], octs[1], 0xDD));
}

/// The most floats of x (k · rows) for which half the non-zeros use scalar loads (x within L1).
#define MIXED_LOADS_MAX_FLOATS 4096

/// 1-4 rows of x, 16 output columns at a time: each output's accumulators are kept apart, then the
/// 16 of each row are reduced together and stored with one (masked) vector store.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void csr_rows512(const int rows, const int kind, const int column_bytes,
                                                                  const csr_call *c, ptrdiff_t i0) {
    const table512 table = load_table512(kind, c);
    const float *x = c->x + i0 * c->ldx;
    const int32_t *row_ptr = c->row_ptr;
    const int mixed_loads = c->k * rows <= MIXED_LOADS_MAX_FLOATS;
    for (ptrdiff_t j0 = 0; j0 < c->n; j0 += 16) {
        const ptrdiff_t width = c->n - j0 < 16 ? c->n - j0 : 16;
        __m512 acc[4][16];
        for (ptrdiff_t jj = 0; jj < 16; jj++) {
            for (int r = 0; r < rows; r++) acc[r][jj] = _mm512_setzero_ps();
            if (jj >= width) continue;
            const ptrdiff_t end = row_ptr[j0 + jj + 1];
            ptrdiff_t e = row_ptr[j0 + jj];
            if (mixed_loads) {
                // Gathers alone are slower than scalar loads on Zen 4: of each 32 non-zeros, 16 go
                // through one 16-wide gather per row of x, 16 through scalar loads (only while the
                // rows of x stay in L1: from L2 the scalar loads are slower than the gathers).
                float sums[4][4] = {{0}};
                for (; e + 32 <= end; e += 32) {
                    const __m512i columns = load_columns512(column_bytes, c, e, 0xFFFF);
                    const __m512 values = load_values512(kind, c, e, 0xFFFF, &table);
                    for (int r = 0; r < rows; r++)
                        acc[r][jj] = _mm512_fmadd_ps(values, _mm512_i32gather_ps(columns, x + r * c->ldx, 4), acc[r][jj]);
                    float looked_up[16] __attribute__((aligned(64)));
                    const float *second = looked_up;
                    if (kind == VALUES_FLOAT) second = c->values + e + 16;
                    else _mm512_store_ps(looked_up, load_values512(kind, c, e + 16, 0xFFFF, &table));
                    for (int t = 0; t < 16; t += 4)
                        for (int u = 0; u < 4; u++) {
                            const ptrdiff_t column = column_at_bytes(column_bytes, c, e + 16 + t + u);
                            for (int r = 0; r < rows; r++) sums[r][u] += second[t + u] * x[r * c->ldx + column];
                        }
                }
                for (int r = 0; r < rows; r++)
                    acc[r][jj] = _mm512_add_ps(acc[r][jj], _mm512_maskz_mov_ps(1, _mm512_set1_ps((sums[r][0] + sums[r][1]) + (sums[r][2] + sums[r][3]))));
            }
            for (; e < end; e += 16) {
                const ptrdiff_t left = end - e;
                const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
                const __m512i columns = load_columns512(column_bytes, c, e, mask);
                const __m512 values = load_values512(kind, c, e, mask, &table);
                for (int r = 0; r < rows; r++) {
                    const __m512 xs = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, columns, x + r * c->ldx, 4);
                    acc[r][jj] = _mm512_fmadd_ps(values, xs, acc[r][jj]);
                }
            }
        }
        const __mmask16 out = (__mmask16)((1u << width) - 1u);
        const __m512 bias = c->bias && !c->accumulate ? _mm512_maskz_loadu_ps(out, c->bias + j0) : _mm512_setzero_ps();
        for (int r = 0; r < rows; r++) {
            float *target = c->y + (i0 + r) * c->ldy + j0;
            const __m512 base = c->accumulate ? _mm512_maskz_loadu_ps(out, target) : bias;
            _mm512_mask_storeu_ps(target, out, _mm512_add_ps(reduce16_512(acc[r]), base));
        }
    }
}


/// The values of entries start ..< end (one output row, at most MIXED_LOADS_MAX_FLOATS of them)
/// looked up from the codebook registers into `target`, 16 per vector store.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void look_up_row512(const int kind, const csr_call *c, const table512 *table,
                                                                     ptrdiff_t start, ptrdiff_t end, float *target) {
    for (ptrdiff_t e = start; e < end; e += 16) {
        const ptrdiff_t left = end - e;
        const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
        _mm512_store_ps(target + (e - start), load_values512(kind, c, e, mask, table));
    }
}

/// One row of x whose slice this call reads fits L1 (k ≤ MIXED_LOADS_MAX_FLOATS): every non-zero by
/// scalar loads, no gathers. The values are loaded, or looked up a row ahead into a stack
/// buffer (look_up_row512), the column indices are read four at a time as one 64-bit word, and
/// 8 accumulator chains take the multiply-adds. On Zen 4 this is ~1.5x faster than 16-wide gathers
/// (which cost about 2 cycles per element) for rows of tens to hundreds of non-zeros.
/// s += v · x as one scalar FMA (explicit so the compiler does not pack the 8 chains into vectors
/// with lane inserts, which is slower than scalar loads feeding scalar FMAs).
#define CSR_SCALAR_FMA(ACC, V, X) ACC = _mm_fmadd_ss(_mm_load_ss(V), _mm_load_ss(X), ACC)

static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void csr_single_row512(const int kind, const int column_bytes, const csr_call *call) {
    const csr_call copy = *call, *c = &copy; // a copy the compiler can keep in registers
    const table512 table = load_table512(kind, c);
    // Everything the loop reads, in locals (and `c` a local copy): the vector store below may
    // alias any memory, so fields read through the caller's pointer would be reloaded after it.
    const float *x = c->x, *values = c->values, *bias = c->bias;
    const int32_t *row_ptr = c->row_ptr;
    const void *all_columns = c->columns;
    float *y = c->y;
    const int accumulate = c->accumulate;
    const ptrdiff_t n = c->n;
    // Palettized values are looked up one output row ahead into the other of two buffers: the
    // scalar loads of row j then read stores that retired while row j − 1 ran (looked up right
    // before its loads, a 16-value vector store stalls them: 1.40 → 1.06 TSC ticks per non-zero
    // for LeNet-300-100's fc1 at 8 %).
    float buffers[2][MIXED_LOADS_MAX_FLOATS + 16] __attribute__((aligned(64)));
    if (kind != VALUES_FLOAT && n > 0) look_up_row512(kind, c, &table, row_ptr[0], row_ptr[1], buffers[0]);
    for (ptrdiff_t j = 0; j < n; j++) {
        __m128 s0 = _mm_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        const ptrdiff_t start = row_ptr[j], end = row_ptr[j + 1];
        ptrdiff_t e = start;
        const float *looked_up = buffers[j & 1];
        if (kind != VALUES_FLOAT && j + 1 < n) look_up_row512(kind, c, &table, end, row_ptr[j + 2], buffers[(j + 1) & 1]);
        for (; e + 16 <= end; e += 16) {
            const float *v = looked_up + (e - start);
            if (kind == VALUES_FLOAT) v = values + e;
            if (column_bytes == 2) {
                const uint16_t *columns = (const uint16_t *)all_columns + e;
                uint64_t q0, q1, q2, q3;
                memcpy(&q0, columns, 8); memcpy(&q1, columns + 4, 8);
                memcpy(&q2, columns + 8, 8); memcpy(&q3, columns + 12, 8);
                CSR_SCALAR_FMA(s0, v + 0, x + (q0 & 0xFFFF)); CSR_SCALAR_FMA(s1, v + 1, x + ((q0 >> 16) & 0xFFFF));
                CSR_SCALAR_FMA(s2, v + 2, x + ((q0 >> 32) & 0xFFFF)); CSR_SCALAR_FMA(s3, v + 3, x + (q0 >> 48));
                CSR_SCALAR_FMA(s4, v + 4, x + (q1 & 0xFFFF)); CSR_SCALAR_FMA(s5, v + 5, x + ((q1 >> 16) & 0xFFFF));
                CSR_SCALAR_FMA(s6, v + 6, x + ((q1 >> 32) & 0xFFFF)); CSR_SCALAR_FMA(s7, v + 7, x + (q1 >> 48));
                CSR_SCALAR_FMA(s0, v + 8, x + (q2 & 0xFFFF)); CSR_SCALAR_FMA(s1, v + 9, x + ((q2 >> 16) & 0xFFFF));
                CSR_SCALAR_FMA(s2, v + 10, x + ((q2 >> 32) & 0xFFFF)); CSR_SCALAR_FMA(s3, v + 11, x + (q2 >> 48));
                CSR_SCALAR_FMA(s4, v + 12, x + (q3 & 0xFFFF)); CSR_SCALAR_FMA(s5, v + 13, x + ((q3 >> 16) & 0xFFFF));
                CSR_SCALAR_FMA(s6, v + 14, x + ((q3 >> 32) & 0xFFFF)); CSR_SCALAR_FMA(s7, v + 15, x + (q3 >> 48));
            } else {
                const uint32_t *columns = (const uint32_t *)all_columns + e;
                CSR_SCALAR_FMA(s0, v + 0, x + columns[0]); CSR_SCALAR_FMA(s1, v + 1, x + columns[1]);
                CSR_SCALAR_FMA(s2, v + 2, x + columns[2]); CSR_SCALAR_FMA(s3, v + 3, x + columns[3]);
                CSR_SCALAR_FMA(s4, v + 4, x + columns[4]); CSR_SCALAR_FMA(s5, v + 5, x + columns[5]);
                CSR_SCALAR_FMA(s6, v + 6, x + columns[6]); CSR_SCALAR_FMA(s7, v + 7, x + columns[7]);
                CSR_SCALAR_FMA(s0, v + 8, x + columns[8]); CSR_SCALAR_FMA(s1, v + 9, x + columns[9]);
                CSR_SCALAR_FMA(s2, v + 10, x + columns[10]); CSR_SCALAR_FMA(s3, v + 11, x + columns[11]);
                CSR_SCALAR_FMA(s4, v + 12, x + columns[12]); CSR_SCALAR_FMA(s5, v + 13, x + columns[13]);
                CSR_SCALAR_FMA(s6, v + 14, x + columns[14]); CSR_SCALAR_FMA(s7, v + 15, x + columns[15]);
            }
        }
        if (e < end) {
            const ptrdiff_t left = end - e;
            const float *v = looked_up + (e - start);
            if (kind == VALUES_FLOAT) v = values + e;
            ptrdiff_t t = 0;
            for (; t + 2 <= left; t += 2) {
                CSR_SCALAR_FMA(s0, v + t, x + column_at_bytes(column_bytes, c, e + t));
                CSR_SCALAR_FMA(s1, v + t + 1, x + column_at_bytes(column_bytes, c, e + t + 1));
            }
            if (t < left) CSR_SCALAR_FMA(s2, v + t, x + column_at_bytes(column_bytes, c, e + t));
        }
        const __m128 sum = _mm_add_ss(_mm_add_ss(_mm_add_ss(s0, s1), _mm_add_ss(s2, s3)),
                                      _mm_add_ss(_mm_add_ss(s4, s5), _mm_add_ss(s6, s7)));
        y[j] = _mm_cvtss_f32(sum) + (accumulate ? y[j] : bias ? bias[j] : 0.0f);
    }
}

/// All outputs for columns i0 ..< i0 + width (`blocks` zmm of them) of the transposed batch; 4
/// accumulator chains per block (non-zero t goes to chain t % 4) so the FMAs do not wait on each other.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void csr_batched_outputs512(const int blocks, const csr_call *c, const float *xt,
                                                                             ptrdiff_t i0, ptrdiff_t width, const __mmask16 *masks,
                                                                             int kind, const table512 *table) {
    const ptrdiff_t m = c->m;
    for (ptrdiff_t j = 0; j < c->n; j++) {
        __m512 acc[4][4];
        for (int u = 0; u < 4; u++)
            for (int b = 0; b < blocks; b++) acc[u][b] = _mm512_setzero_ps();
        const ptrdiff_t end = c->row_ptr[j + 1];
        for (ptrdiff_t e = c->row_ptr[j]; e < end; e += 16) {
            const ptrdiff_t left = end - e;
            const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
            float values[16] __attribute__((aligned(64)));
            switch (kind) { // the value kind as a constant in each call
            case VALUES_FLOAT: _mm512_store_ps(values, load_values512(VALUES_FLOAT, c, e, mask, table)); break;
            case VALUES_PERM16: _mm512_store_ps(values, load_values512(VALUES_PERM16, c, e, mask, table)); break;
            case VALUES_PERM32: _mm512_store_ps(values, load_values512(VALUES_PERM32, c, e, mask, table)); break;
            case VALUES_PERM64: _mm512_store_ps(values, load_values512(VALUES_PERM64, c, e, mask, table)); break;
            case VALUES_PERM128: _mm512_store_ps(values, load_values512(VALUES_PERM128, c, e, mask, table)); break;
            default: _mm512_store_ps(values, load_values512(VALUES_GATHER, c, e, mask, table)); break;
            }
            const ptrdiff_t count = left < 16 ? left : 16;
            ptrdiff_t t = 0;
            for (; t + 4 <= count; t += 4)
                for (int u = 0; u < 4; u++) {
                    const __m512 v = _mm512_set1_ps(values[t + u]);
                    const float *source = xt + column_at(c, e + t + u) * m + i0;
                    for (int b = 0; b < blocks; b++)
                        acc[u][b] = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(masks[b], source + b * 16), acc[u][b]);
                }
            for (; t < count; t++) {
                const __m512 v = _mm512_set1_ps(values[t]);
                const float *source = xt + column_at(c, e + t) * m + i0;
                for (int b = 0; b < blocks; b++)
                    acc[0][b] = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(masks[b], source + b * 16), acc[0][b]);
            }
        }
        if (c->yt) {
            // Column blocks: add to the contiguous yᵀ row of output j (y itself is strided by ldy).
            float *target = c->yt + j * m + i0;
            for (int b = 0; b < blocks; b++) {
                const __m512 sum = _mm512_add_ps(_mm512_add_ps(acc[0][b], acc[1][b]), _mm512_add_ps(acc[2][b], acc[3][b]));
                _mm512_mask_storeu_ps(target + b * 16, masks[b], _mm512_add_ps(_mm512_maskz_loadu_ps(masks[b], target + b * 16), sum));
            }
            continue;
        }
        float sums[64];
        for (int b = 0; b < blocks; b++)
            _mm512_storeu_ps(sums + b * 16, _mm512_add_ps(_mm512_add_ps(acc[0][b], acc[1][b]), _mm512_add_ps(acc[2][b], acc[3][b])));
        for (ptrdiff_t i = 0; i < width; i++) c->y[(i0 + i) * c->ldy + j] = sums[i] + csr_base(c, i0 + i, j);
    }
}

/// Batches of at least 3 rows (from there faster than gathered rows on Zen 4): x is
/// transposed once to xᵀ[k × m] so each non-zero becomes a
/// contiguous m-wide FMA (value · xᵀ[column][·]) instead of m gathers. Columns of the batch in
/// chunks of 64 (4 zmm accumulators). Returns 0 when the temporary buffer cannot be allocated.
SHRINK_TARGET_AVX512 static int csr_avx512_batched(const csr_call *c) {
    const ptrdiff_t m = c->m, k = c->k;
    float *xt = shrink_sgemm_scratch(3, (size_t)(k * m));
    if (!xt) return 0;
    for (ptrdiff_t i = 0; i < m; i++)
        for (ptrdiff_t p = 0; p < k; p++) xt[p * m + i] = c->x[i * c->ldx + p];
    const int kind = values_kind(c);
    const table512 table = load_table512(kind, c);
    for (ptrdiff_t i0 = 0; i0 < m; i0 += 64) {
        const ptrdiff_t width = m - i0 < 64 ? m - i0 : 64;
        __mmask16 masks[4];
        for (int b = 0; b < 4; b++) {
            const ptrdiff_t count = width - b * 16;
            masks[b] = count >= 16 ? (__mmask16)0xFFFF : (count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1u));
        }
        switch ((width + 15) / 16) {
        case 1: csr_batched_outputs512(1, c, xt, i0, width, masks, kind, &table); break;
        case 2: csr_batched_outputs512(2, c, xt, i0, width, masks, kind, &table); break;
        case 3: csr_batched_outputs512(3, c, xt, i0, width, masks, kind, &table); break;
        default: csr_batched_outputs512(4, c, xt, i0, width, masks, kind, &table); break;
        }
    }
    return 1;
}

#define CSR_ROWS_FOR_KIND(KIND, BYTES) \
    SHRINK_TARGET_AVX512 static void csr_rows512_##KIND##_##BYTES(const csr_call *c, ptrdiff_t i0, ptrdiff_t rows) { \
        switch (rows) { \
        case 1: csr_rows512(1, KIND, BYTES, c, i0); break; \
        case 2: csr_rows512(2, KIND, BYTES, c, i0); break; \
        case 3: csr_rows512(3, KIND, BYTES, c, i0); break; \
        default: csr_rows512(4, KIND, BYTES, c, i0); break; \
        } \
    }
CSR_ROWS_FOR_KIND(VALUES_FLOAT, 2) CSR_ROWS_FOR_KIND(VALUES_FLOAT, 4)
CSR_ROWS_FOR_KIND(VALUES_PERM16, 2) CSR_ROWS_FOR_KIND(VALUES_PERM16, 4)
CSR_ROWS_FOR_KIND(VALUES_PERM32, 2) CSR_ROWS_FOR_KIND(VALUES_PERM32, 4)
CSR_ROWS_FOR_KIND(VALUES_PERM64, 2) CSR_ROWS_FOR_KIND(VALUES_PERM64, 4)
CSR_ROWS_FOR_KIND(VALUES_PERM128, 2) CSR_ROWS_FOR_KIND(VALUES_PERM128, 4)
CSR_ROWS_FOR_KIND(VALUES_GATHER, 2) CSR_ROWS_FOR_KIND(VALUES_GATHER, 4)

#define CSR_SINGLE_ROW_FOR_KIND(KIND) \
    SHRINK_TARGET_AVX512 static void csr_single_row512_##KIND(const csr_call *c) { \
        if (c->column_bytes == 2) csr_single_row512(KIND, 2, c); else csr_single_row512(KIND, 4, c); \
    }
CSR_SINGLE_ROW_FOR_KIND(VALUES_FLOAT) CSR_SINGLE_ROW_FOR_KIND(VALUES_PERM16) CSR_SINGLE_ROW_FOR_KIND(VALUES_PERM32)
CSR_SINGLE_ROW_FOR_KIND(VALUES_PERM64) CSR_SINGLE_ROW_FOR_KIND(VALUES_PERM128) CSR_SINGLE_ROW_FOR_KIND(VALUES_GATHER)

SHRINK_TARGET_AVX512 static void csr_avx512(const csr_call *c) {
    if (c->m >= 3 && csr_avx512_batched(c)) return;
    if (c->m == 1 && c->k <= MIXED_LOADS_MAX_FLOATS) {
        switch (values_kind(c)) {
        case VALUES_FLOAT: csr_single_row512_VALUES_FLOAT(c); return;
        case VALUES_PERM16: csr_single_row512_VALUES_PERM16(c); return;
        case VALUES_PERM32: csr_single_row512_VALUES_PERM32(c); return;
        case VALUES_PERM64: csr_single_row512_VALUES_PERM64(c); return;
        case VALUES_PERM128: csr_single_row512_VALUES_PERM128(c); return;
        default: csr_single_row512_VALUES_GATHER(c); return;
        }
    }
    void (*rows_kernel)(const csr_call *, ptrdiff_t, ptrdiff_t);
    const int wide = c->column_bytes == 4;
    switch (values_kind(c)) {
    case VALUES_FLOAT: rows_kernel = wide ? csr_rows512_VALUES_FLOAT_4 : csr_rows512_VALUES_FLOAT_2; break;
    case VALUES_PERM16: rows_kernel = wide ? csr_rows512_VALUES_PERM16_4 : csr_rows512_VALUES_PERM16_2; break;
    case VALUES_PERM32: rows_kernel = wide ? csr_rows512_VALUES_PERM32_4 : csr_rows512_VALUES_PERM32_2; break;
    case VALUES_PERM64: rows_kernel = wide ? csr_rows512_VALUES_PERM64_4 : csr_rows512_VALUES_PERM64_2; break;
    case VALUES_PERM128: rows_kernel = wide ? csr_rows512_VALUES_PERM128_4 : csr_rows512_VALUES_PERM128_2; break;
    default: rows_kernel = wide ? csr_rows512_VALUES_GATHER_4 : csr_rows512_VALUES_GATHER_2; break;
    }
    for (ptrdiff_t i = 0; i < c->m; i += 4) rows_kernel(c, i, c->m - i);
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
            c->y[i * c->ldy + j] = sum + csr_base(c, i, j);
        }
    }
}
#endif

/// The codebook as the kernels read it: only the entries a lookup can reach are set (16, 32, 64
/// or 128 for the permutes, 256 otherwise), the rest zero.
static void fill_table(float *table, const float *centroids, ptrdiff_t centroid_count) {
    const ptrdiff_t reach = centroid_count <= 16 ? 16 : centroid_count <= 32 ? 32 : centroid_count <= 64 ? 64 : centroid_count <= 128 ? 128 : 256;
    memcpy(table, centroids, (size_t)centroid_count * sizeof(float));
    memset(table + centroid_count, 0, (size_t)(reach - centroid_count) * sizeof(float));
}

static void csr_dispatch(const csr_call *call) {
#if SHRINK_HAVE_X86_PATHS
    const shrink_cpu_path path = shrink_cpu_active_path();
    if (path == SHRINK_CPU_PATH_AVX512) { csr_avx512(call); return; }
    if (path == SHRINK_CPU_PATH_AVX2) { csr_avx2(call); return; }
#endif
#if SHRINK_HAVE_NEON_PATHS
    if (shrink_cpu_active_path() == SHRINK_CPU_PATH_NEON) { shrink_csr_neon(call); return; }
#endif
    csr_portable(call);
}

int shrink_csr_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                      const int32_t *row_ptr, const void *columns, int column_bytes,
                      const float *values, const uint8_t *codes, const float *centroids, ptrdiff_t centroid_count,
                      const float *bias, int accumulate, float *y, ptrdiff_t ldy) {
    if (column_bytes != 2 && column_bytes != 4) return -1;
    if (!values && (!codes || !centroids || centroid_count < 1 || centroid_count > 256)) return -1;
    if (m <= 0 || n <= 0) return 0;
    float table[256];
    if (!values) fill_table(table, centroids, centroid_count);
    const csr_call call = {m, n, k, x, ldx, row_ptr, columns, column_bytes, values, codes, table,
                           (int)(values ? 0 : centroid_count), bias, accumulate != 0, y, ldy, NULL};
    csr_dispatch(&call);
    return 0;
}

int shrink_csr_linear_blocked(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                              ptrdiff_t block_columns, const int32_t *block_row_ptr, ptrdiff_t row_ptr_stride,
                              const uint16_t *columns, const float *values, const uint8_t *codes,
                              const float *centroids, ptrdiff_t centroid_count, const float *bias, float *y, ptrdiff_t ldy) {
    if (block_columns < 1 || block_columns > 65536 || row_ptr_stride < n + 1) return -1;
    if (!values && (!codes || !centroids || centroid_count < 1 || centroid_count > 256)) return -1;
    if (m <= 0 || n <= 0) return 0;
    float table[256];
    if (!values) fill_table(table, centroids, centroid_count);
    const ptrdiff_t blocks = k > 0 ? (k + block_columns - 1) / block_columns : 1;
    csr_call call = {m, n, 0, x, ldx, block_row_ptr, columns, 2, values, codes, table,
                     (int)(values ? 0 : centroid_count), bias, 0, y, ldy, NULL};
#if SHRINK_HAVE_X86_PATHS
    if (m >= 3 && blocks > 1 && shrink_cpu_active_path() == SHRINK_CPU_PATH_AVX512) {
        // Batched: every block adds into a contiguous yᵀ[n × m] (adding into y would touch m
        // cache lines ldy apart per output and block), then y = (yᵀ)ᵀ + bias once.
        float *yt = shrink_sgemm_scratch(4, (size_t)(n * m));
        if (yt) {
            memset(yt, 0, (size_t)(n * m) * sizeof(float));
            call.yt = yt;
            int done = 1;
            for (ptrdiff_t b = 0; b < blocks && done; b++) {
                const ptrdiff_t first = b * block_columns;
                call.k = k - first < block_columns ? k - first : block_columns;
                call.x = x + first;
                call.row_ptr = block_row_ptr + b * row_ptr_stride;
                done = csr_avx512_batched(&call);
            }
            if (done) {
                for (ptrdiff_t i = 0; i < m; i++)
                    for (ptrdiff_t j = 0; j < n; j++) y[i * ldy + j] = yt[j * m + i] + (bias ? bias[j] : 0.0f);
                return 0;
            }
            call.yt = NULL; // out of memory for xᵀ: the block-by-block route below
        }
    }
#endif
    for (ptrdiff_t b = 0; b < blocks; b++) {
        const ptrdiff_t first = b * block_columns;
        call.k = k - first < block_columns ? (k - first > 0 ? k - first : 0) : block_columns;
        call.x = x + first;
        call.row_ptr = block_row_ptr + b * row_ptr_stride;
        call.accumulate = b > 0;
        csr_dispatch(&call);
    }
    return 0;
}
