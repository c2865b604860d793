// Private declarations of the NEON (aarch64 Advanced SIMD) kernels, each in a `<kernel>_neon.c`
// next to the kernel's portable and x86 code; the kernel's public entry point calls them when
// shrink_cpu_active_path() is SHRINK_CPU_PATH_NEON. Advanced SIMD is part of the aarch64 base
// architecture, so no target attributes or feature checks are needed. Every NEON kernel reads the
// packed layout of its kernel's other paths (packing does not depend on the path) and computes what
// the portable path computes: the same int32 sums exactly; fp32 sums up to rounding (fused
// multiply-adds; the dense kernels add each output's depths in order, the CSR kernel in 4 lanes).
//
// Layout of the NEON code:
//   int8_linear_neon.c     u8 × s8 (and u8 × 16-entry s8 codebook) int32 panel sums (sdot when
//                          the CPU has it, widening multiplies otherwise)
//   f16_linear_neon.c      fp16-weight linear (vcvt_f32_f16 + vfmaq_f32)
//   palette_linear_neon.c  palettized linear (centroids looked up with vqtbl4q / vqtbx4q)
//   sparse_csr_neon.c      CSR sparse linear (declared in sparse_csr_internal.h)
#ifndef SHRINK_NEON_KERNELS_H
#define SHRINK_NEON_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__aarch64__)
#define SHRINK_HAVE_NEON_PATHS 1

/// Rows of x per call of shrink_int8_neon_panel_sums.
#define SHRINK_INT8_NEON_ROWS 4

/// Exact int32 sums[r · 64 + c] = Σ_p x[r · ldx + p] · W[c][p] for rows r < rows (1...4) and the
/// first `columns` (1...64) columns of one 64-column panel of the int8 packed layout
/// (int8_linear.c) starting at `panel`. With `codebook` non-NULL the panel holds 4-bit indices in
/// the palettized int8 layout instead and W[c][p] = codebook[index] (16 s8 entries). Sums of
/// columns past `columns` up to the next multiple of 16 are written too (from the zero padding).
void shrink_int8_neon_panel_sums(int rows, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx, const void *panel,
                                 const int8_t *codebook, ptrdiff_t columns, int32_t *sums);

/// One tile of an fp32-output NEON kernel: rows (1...4) rows of x and y from row i, `width`
/// (1...16) output columns from column j (a multiple of 16, so within one 64-column panel).
typedef void (*shrink_neon_tile)(const void *context, int rows, ptrdiff_t i, ptrdiff_t j, ptrdiff_t width);

/// Calls `tile` for every tile of up to 4 rows × 16 columns of an m × n output, 16 columns at a
/// time (the rows stream past one 16-column block of the weights).
static inline void shrink_neon_for_each_tile(ptrdiff_t m, ptrdiff_t n, shrink_neon_tile tile, const void *context) {
    for (ptrdiff_t j = 0; j < n; j += 16)
        for (ptrdiff_t i = 0; i < m; i += 4) tile(context, (int)(m - i < 4 ? m - i : 4), i, j, n - j < 16 ? n - j : 16);
}

/// shrink_f16_linear on the NEON path (m, n, k > 0).
void shrink_f16_linear_neon(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                            const uint16_t *packed, const float *bias, float *y, ptrdiff_t ldy);

/// shrink_palette_linear on the NEON path (m, n, k > 0; bits 1...8): `table` holds 256 floats, the
/// centroids followed by zeros.
void shrink_palette_linear_neon(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                const uint8_t *packed, const float *table, const float *bias, float *y, ptrdiff_t ldy);
#else
#define SHRINK_HAVE_NEON_PATHS 0
#endif

#endif
