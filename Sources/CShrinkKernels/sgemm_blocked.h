// The GotoBLAS/BLIS loop nest shared by every instruction-set path. Not a public header: each
// path's .c file includes it once, after defining
//
//   SGEMM_TARGET          function attribute giving the path's instruction set (may be empty)
//   SGEMM_DRIVER          name of the exported driver, e.g. shrink_sgemm_avx2
//   SGEMM_MR, SGEMM_NR    micro-tile: rows of C (broadcast from A) x columns of C (vectors of B)
//   SGEMM_MC, SGEMM_KC, SGEMM_NC   cache blocks (rows of A, depth, columns of B per packed block)
//   SGEMM_UNPACKED_B_MAX_M         use B in place (no packing) when m <= this and B is not
//                                  transposed; 0 disables the unpacked-B kernel
//
// and the static functions
//
//   kernel_packed(kc, a, b, c, ldc, alpha, beta, rows, cols)
//       C[rows×cols] = alpha·(A panel · B panel) + beta·C (beta == 0: C not read), with A packed
//       as kc groups of MR floats and B packed as kc groups of NR floats
//   kernel_unpacked_b(kc, a, b, ldb, c, ldc, alpha, beta, rows, cols)   (if UNPACKED_B_MAX_M > 0)
//       the same with B read in place: row p of the panel at b + p·ldb, only `cols` valid floats
//   transpose_panel(src, ld, count, kc, dst, width)
//       dst[p·width + r] = src[r·ld + p] for r < count, 0 for count <= r < width
//
// Loop order (row-major C, vectors along n, broadcasts along m):
//   for each MC block of rows of A            (packed A block lives in L2/L3)
//     for each KC slice of the depth           (beta applies to the first slice only)
//       pack A[MC×KC] into MR-row micro-panels
//       for each NC block of columns of B
//         pack B[KC×NC] into NR-column micro-panels (lives in L2)
//         for each MR micro-panel of A         (stays in L1)
//           for each NR micro-panel of B       (streams from L2)
//             micro-kernel on the MR×NR tile of C
//
// Tiny problems and GEMV-like shapes skip packing and use `direct`, plain loops the compiler
// vectorizes for the path's instruction set.

#include <string.h>

#define SGEMM_MIN(x, y) ((x) < (y) ? (x) : (y))

/// Number of blocks of at most `block` items covering `count`, with sizes as equal as
/// possible and rounded up to a multiple of `multiple` (avoids a thin last block).
static inline ptrdiff_t sgemm_balanced_block(ptrdiff_t count, ptrdiff_t block, ptrdiff_t multiple) {
    if (count <= block) return count;
    ptrdiff_t blocks = (count + block - 1) / block;
    ptrdiff_t size = (count + blocks - 1) / blocks;
    size = (size + multiple - 1) / multiple * multiple;
    return SGEMM_MIN(size, block);
}

/// Packs rows [i0, i0+mc) × depth [p0, p0+kc) of op(A) into MR-row micro-panels:
/// panel q holds kc groups of MR floats (rows past the edge are zero).
static SGEMM_TARGET void pack_a(const shrink_sgemm_call *call, ptrdiff_t i0, ptrdiff_t p0,
                                ptrdiff_t mc, ptrdiff_t kc, float *restrict dst) {
    const ptrdiff_t lda = call->lda;
    for (ptrdiff_t ir = 0; ir < mc; ir += SGEMM_MR, dst += SGEMM_MR * kc) {
        const ptrdiff_t rows = SGEMM_MIN(SGEMM_MR, mc - ir);
        if (call->transpose_a) {
            // Stored k×m: the MR values of one depth index are contiguous.
            const float *restrict src = call->a + p0 * lda + i0 + ir;
            if (rows == SGEMM_MR) {
                for (ptrdiff_t p = 0; p < kc; p++)
                    for (ptrdiff_t r = 0; r < SGEMM_MR; r++) dst[p * SGEMM_MR + r] = src[p * lda + r];
            } else {
                for (ptrdiff_t p = 0; p < kc; p++)
                    for (ptrdiff_t r = 0; r < SGEMM_MR; r++)
                        dst[p * SGEMM_MR + r] = r < rows ? src[p * lda + r] : 0.0f;
            }
        } else {
            // Stored m×k: each row is contiguous along the depth, so this is a transpose.
            transpose_panel(call->a + (i0 + ir) * lda + p0, lda, rows, kc, dst, SGEMM_MR);
        }
    }
}

/// Packs depth [p0, p0+kc) × columns [j0, j0+nc) of op(B) into NR-column micro-panels:
/// panel q holds kc groups of NR floats (columns past the edge are zero).
static SGEMM_TARGET void pack_b(const shrink_sgemm_call *call, ptrdiff_t p0, ptrdiff_t j0,
                                ptrdiff_t kc, ptrdiff_t nc, float *restrict dst) {
    const ptrdiff_t ldb = call->ldb;
    for (ptrdiff_t jr = 0; jr < nc; jr += SGEMM_NR, dst += SGEMM_NR * kc) {
        const ptrdiff_t cols = SGEMM_MIN(SGEMM_NR, nc - jr);
        if (call->transpose_b) {
            // Stored n×k: each column of op(B) is a contiguous row, so this is a transpose.
            transpose_panel(call->b + (j0 + jr) * ldb + p0, ldb, cols, kc, dst, SGEMM_NR);
        } else {
            const float *restrict src = call->b + p0 * ldb + j0 + jr;
            if (cols == SGEMM_NR) {
                for (ptrdiff_t p = 0; p < kc; p++)
                    memcpy(dst + p * SGEMM_NR, src + p * ldb, SGEMM_NR * sizeof(float));
            } else {
                for (ptrdiff_t p = 0; p < kc; p++) {
                    memcpy(dst + p * SGEMM_NR, src + p * ldb, (size_t)cols * sizeof(float));
                    for (ptrdiff_t j = cols; j < SGEMM_NR; j++) dst[p * SGEMM_NR + j] = 0.0f;
                }
            }
        }
    }
}

/// Unpacked loops for tiny problems and for few rows (GEMV-like): no packing cost.
static SGEMM_TARGET void direct(const shrink_sgemm_call *call) {
    const ptrdiff_t m = call->m, n = call->n, k = call->k;
    const ptrdiff_t lda = call->lda, ldb = call->ldb, ldc = call->ldc;
    const float alpha = call->alpha, beta = call->beta;
    for (ptrdiff_t i = 0; i < m; i++) {
        float *restrict c_row = call->c + i * ldc;
        if (!call->transpose_b) {
            // C row = beta·C row + Σ_p (alpha·a_ip)·B row p: streams B rows, vectorized along n.
            if (beta == 0.0f) {
                for (ptrdiff_t j = 0; j < n; j++) c_row[j] = 0.0f;
            } else if (beta != 1.0f) {
                for (ptrdiff_t j = 0; j < n; j++) c_row[j] *= beta;
            }
            for (ptrdiff_t p = 0; p < k; p++) {
                const float a_ip = call->transpose_a ? call->a[p * lda + i] : call->a[i * lda + p];
                const float scaled = alpha * a_ip;
                const float *restrict b_row = call->b + p * ldb;
                for (ptrdiff_t j = 0; j < n; j++) c_row[j] += scaled * b_row[j];
            }
        } else {
            // op(B) column j is stored row j: dot products, vectorized along k.
            for (ptrdiff_t j = 0; j < n; j++) {
                const float *restrict b_row = call->b + j * ldb;
                float sum = 0.0f;
                if (!call->transpose_a) {
                    const float *restrict a_row = call->a + i * lda;
#if defined(__clang__)
#pragma clang loop vectorize(enable) interleave(enable)
#endif
                    for (ptrdiff_t p = 0; p < k; p++) sum += a_row[p] * b_row[p];
                } else {
                    for (ptrdiff_t p = 0; p < k; p++) sum += call->a[p * lda + i] * b_row[p];
                }
                c_row[j] = alpha * sum + (beta == 0.0f ? 0.0f : beta * c_row[j]);
            }
        }
    }
}

/// Whether `direct` beats packing: tiny products, or so few rows of C that packed B would be
/// used only once or twice.
static inline int use_direct(const shrink_sgemm_call *call) {
    const double work = (double)call->m * (double)call->n * (double)call->k;
    if (work <= 4096.0) return 1;
    if (call->m <= 3 && !(call->transpose_a && call->transpose_b)) return 1;
    return 0;
}

void SGEMM_DRIVER(const shrink_sgemm_call *call) {
    if (use_direct(call)) {
        direct(call);
        return;
    }
    const ptrdiff_t m = call->m, n = call->n, k = call->k;
    const int unpacked_b = SGEMM_UNPACKED_B_MAX_M > 0 && !call->transpose_b && m <= SGEMM_UNPACKED_B_MAX_M;

    const ptrdiff_t mc_max = sgemm_balanced_block(m, SGEMM_MC, SGEMM_MR);
    const ptrdiff_t kc_max = sgemm_balanced_block(k, SGEMM_KC, 1);
    const ptrdiff_t nc_max = sgemm_balanced_block(n, SGEMM_NC, SGEMM_NR);
    const size_t a_count = (size_t)((mc_max + SGEMM_MR - 1) / SGEMM_MR * SGEMM_MR) * (size_t)kc_max;
    const size_t b_count = (size_t)((nc_max + SGEMM_NR - 1) / SGEMM_NR * SGEMM_NR) * (size_t)kc_max;
    float *a_buffer = shrink_sgemm_scratch(0, a_count);
    float *b_buffer = unpacked_b ? NULL : shrink_sgemm_scratch(1, b_count);
    if (a_buffer == NULL || (!unpacked_b && b_buffer == NULL)) {
        shrink_sgemm_naive(call);
        return;
    }

    for (ptrdiff_t i0 = 0; i0 < m; i0 += mc_max) {
        const ptrdiff_t mc = SGEMM_MIN(mc_max, m - i0);
        for (ptrdiff_t p0 = 0; p0 < k; p0 += kc_max) {
            const ptrdiff_t kc = SGEMM_MIN(kc_max, k - p0);
            const float beta = p0 == 0 ? call->beta : 1.0f;
            pack_a(call, i0, p0, mc, kc, a_buffer);
            for (ptrdiff_t j0 = 0; j0 < n; j0 += nc_max) {
                const ptrdiff_t nc = SGEMM_MIN(nc_max, n - j0);
                if (!unpacked_b) pack_b(call, p0, j0, kc, nc, b_buffer);
                for (ptrdiff_t ir = 0; ir < mc; ir += SGEMM_MR) {
                    const ptrdiff_t rows = SGEMM_MIN(SGEMM_MR, mc - ir);
                    const float *a_panel = a_buffer + ir * kc;
                    float *c_rows = call->c + (i0 + ir) * call->ldc + j0;
                    for (ptrdiff_t jr = 0; jr < nc; jr += SGEMM_NR) {
                        const ptrdiff_t cols = SGEMM_MIN(SGEMM_NR, nc - jr);
#if SGEMM_UNPACKED_B_MAX_M > 0
                        if (unpacked_b) {
                            kernel_unpacked_b(kc, a_panel, call->b + p0 * call->ldb + j0 + jr, call->ldb,
                                              c_rows + jr, call->ldc, call->alpha, beta, rows, cols);
                            continue;
                        }
#endif
                        kernel_packed(kc, a_panel, b_buffer + jr * kc, c_rows + jr, call->ldc,
                                      call->alpha, beta, rows, cols);
                    }
                }
            }
        }
    }
}

#ifdef SGEMM_PANELS_DRIVER
/// The loop nest over prepacked weight panels (sgemm_internal.h): A is packed per MC×KC block as
/// above; B is never packed. Each 32-column panel of a depth slice is read from memory once and
/// used by every MR micro-panel of A's block before the next (panels outer, so a B larger than
/// the caches streams once per row block). `kernel_panel` is the path's micro-kernel on a panel
/// whose depth rows are `stride` (32, or 16 for a narrow last panel) floats apart.
int SGEMM_PANELS_DRIVER(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                        const float *panels, ptrdiff_t width, ptrdiff_t column_start, float beta,
                        float *c, ptrdiff_t ldc) {
    const ptrdiff_t mc_max = sgemm_balanced_block(m, SGEMM_MC, SGEMM_MR);
    const ptrdiff_t kc_max = shrink_f32_panel_slice_depth(k);
    float *a_buffer = shrink_sgemm_scratch(0, (size_t)((mc_max + SGEMM_MR - 1) / SGEMM_MR * SGEMM_MR) * (size_t)kc_max);
    if (a_buffer == NULL) return -1;
    const shrink_sgemm_call call = {
        .transpose_a = 0, .transpose_b = 0, .m = m, .n = n, .k = k, .alpha = 1.0f, .beta = beta,
        .a = a, .lda = lda, .b = NULL, .ldb = 0, .c = c, .ldc = ldc,
    };
    for (ptrdiff_t i0 = 0; i0 < m; i0 += mc_max) {
        const ptrdiff_t mc = SGEMM_MIN(mc_max, m - i0);
        for (ptrdiff_t p0 = 0; p0 < k; p0 += kc_max) {
            const ptrdiff_t kc = SGEMM_MIN(kc_max, k - p0);
            const float slice_beta = p0 == 0 ? beta : 1.0f;
            pack_a(&call, i0, p0, mc, kc, a_buffer);
            const float *slice = panels + p0 * width + column_start * kc;
            for (ptrdiff_t j0 = 0; j0 < n; j0 += SHRINK_PANEL_COLUMNS) {
                const ptrdiff_t cols = SGEMM_MIN(SHRINK_PANEL_COLUMNS, n - j0);
                const ptrdiff_t stride = shrink_f32_panel_stride(width, column_start + j0);
                for (ptrdiff_t ir = 0; ir < mc; ir += SGEMM_MR)
                    kernel_panel(kc, a_buffer + ir * kc, slice + j0 * kc, stride, c + (i0 + ir) * ldc + j0, ldc, slice_beta,
                                 SGEMM_MIN(SGEMM_MR, mc - ir), cols);
            }
        }
    }
    return 0;
}
#endif

#undef SGEMM_MIN
