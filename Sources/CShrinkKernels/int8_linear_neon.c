// NEON int32 sums for the int8 linear kernels (int8_linear.c), on the packed layout
//   packed[((panel · k4) + step) · 256 + column · 4 + t] = W[panel · 64 + column][step · 4 + t]
// and its palettized twin (4-bit indices, the low nibble for step 2q, the high one for 2q + 1, in
// the byte of step pair q; looked up in the 16-entry s8 codebook with vqtbl1q_s8).
//
// Two variants, chosen per call by the CPU's features (both exact int32):
// - Dot product (ARMv8.2 ASIMDDP, HWCAP_ASIMDDP; sdot under a function target attribute): a step's
//   16 bytes of 4 columns × 4 depths are exactly sdot's operand layout, but sdot multiplies s8 by
//   s8, so the u8 codes x are taken as x − 128 (one XOR) and 128 · Σw added back per column
//   (x · w = (x − 128) · w + 128 · w, the column sums also by sdot, with a vector of ones).
//   Tiles of 4 rows × 16 columns.
// - Baseline armv8.0 (no u8 × s8 dot product): each 16-byte load is widened to two s16 vectors
//   and multiplied by the row's 4 codes, zero-extended to s16 and repeated; a u8 · s8 product lies
//   in −32640...32385, so vmulq_s16 is exact, and vpadalq_s16 adds adjacent products into s32
//   lanes (2 per column, summed by vpaddq_s32 at the end). Tiles of 2 rows × 16 columns.
#include "neon_kernels.h"

#if SHRINK_HAVE_NEON_PATHS
#include "shrink_kernels.h"
#include "sgemm_internal.h"

#include <arm_neon.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/auxv.h>

#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif

/// The dot-product instructions (sdot) for one function. GCC's arm_neon.h declares vdotq_s32 for
/// "arch=armv8.2-a+dotprod", so that is the spelling both GCC and clang accept.
#define SHRINK_TARGET_DOTPROD __attribute__((target("arch=armv8.2-a+dotprod")))

enum { step_bytes = SHRINK_INT8_PANEL_COLUMNS * 4 };

/// The 16 s8 weights of 4 columns × 4 depths of step `step` at `block` (16 columns further in the
/// panel per block): loaded, or looked up from the nibbles of the step's pair.
static SHRINK_ALWAYS_INLINE int8x16_t weights(const int palettized, const uint8_t *panel, ptrdiff_t step, int block,
                                              int quarter, int8x16_t codebook) {
    if (!palettized) return vld1q_s8((const int8_t *)(panel + step * step_bytes + block * 64 + quarter * 16));
    const uint8x16_t pair = vld1q_u8(panel + (step / 2) * step_bytes + block * 64 + quarter * 16);
    const uint8x16_t indices = step % 2 ? vshrq_n_u8(pair, 4) : vandq_u8(pair, vdupq_n_u8(15));
    return vqtbl1q_s8(codebook, indices);
}

/// The 4 codes of depth step `step` of a row as one word; a last partial step (from `full` on) is
/// zero-filled (its weights are zero, or in the palettized layout any entry, times code 0).
static SHRINK_ALWAYS_INLINE uint32_t step_codes(const uint8_t *row, ptrdiff_t step, ptrdiff_t full, ptrdiff_t k) {
    uint32_t word = 0;
    memcpy(&word, row + step * 4, step < full ? 4 : (size_t)(k - step * 4));
    return word;
}

/// Baseline: rows (1...2) × the 16 columns of `block`: sums[r · 64 + block · 16 + c].
static SHRINK_ALWAYS_INLINE void widening_tile(const int rows, const int palettized, ptrdiff_t k, const uint8_t *x,
                                               ptrdiff_t ldx, const uint8_t *panel, int block, int8x16_t codebook,
                                               int32_t *sums) {
    int32x4_t acc[2][8];
    for (int r = 0; r < rows; r++)
        for (int q = 0; q < 8; q++) acc[r][q] = vdupq_n_s32(0);
    const ptrdiff_t steps = (k + 3) / 4, full = k / 4;
    for (ptrdiff_t step = 0; step < steps; step++) {
        int16x8_t a[2];
        for (int r = 0; r < rows; r++) {
            // [a0 a1 a2 a3 a0 a1 a2 a3] as s16: the 4 depths of one column, twice.
            a[r] = vreinterpretq_s16_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(step_codes(x + r * ldx, step, full, k)))));
        }
        for (int quarter = 0; quarter < 4; quarter++) {
            const int8x16_t w = weights(palettized, panel, step, block, quarter, codebook);
            const int16x8_t low = vmovl_s8(vget_low_s8(w)), high = vmovl_high_s8(w);
            for (int r = 0; r < rows; r++) {
                acc[r][2 * quarter] = vpadalq_s16(acc[r][2 * quarter], vmulq_s16(a[r], low));
                acc[r][2 * quarter + 1] = vpadalq_s16(acc[r][2 * quarter + 1], vmulq_s16(a[r], high));
            }
        }
    }
    for (int r = 0; r < rows; r++)
        for (int quarter = 0; quarter < 4; quarter++)
            vst1q_s32(sums + r * 64 + block * 16 + quarter * 4, vpaddq_s32(acc[r][2 * quarter], acc[r][2 * quarter + 1]));
}

/// Dot product: rows (1...4) × the 16 columns of `block`: sums[r · 64 + block · 16 + c].
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_DOTPROD void dot_tile(const int rows, const int palettized, ptrdiff_t k,
                                                                const uint8_t *x, ptrdiff_t ldx, const uint8_t *panel,
                                                                int block, int8x16_t codebook, int32_t *sums) {
    int32x4_t acc[4][4], column_sums[4];
    for (int quarter = 0; quarter < 4; quarter++) {
        column_sums[quarter] = vdupq_n_s32(0);
        for (int r = 0; r < rows; r++) acc[r][quarter] = vdupq_n_s32(0);
    }
    const int8x16_t ones = vdupq_n_s8(1);
    const uint8x16_t bias = vdupq_n_u8(0x80);
    const ptrdiff_t steps = (k + 3) / 4, full = k / 4;
    for (ptrdiff_t step = 0; step < steps; step++) {
        int8x16_t a[4];
        for (int r = 0; r < rows; r++)  // x − 128 as s8, the 4 depths repeated in every lane
            a[r] = vreinterpretq_s8_u8(veorq_u8(vreinterpretq_u8_u32(vdupq_n_u32(step_codes(x + r * ldx, step, full, k))), bias));
        for (int quarter = 0; quarter < 4; quarter++) {
            const int8x16_t w = weights(palettized, panel, step, block, quarter, codebook);
            column_sums[quarter] = vdotq_s32(column_sums[quarter], ones, w);
            for (int r = 0; r < rows; r++) acc[r][quarter] = vdotq_s32(acc[r][quarter], a[r], w);
        }
    }
    for (int r = 0; r < rows; r++)
        for (int quarter = 0; quarter < 4; quarter++)
            vst1q_s32(sums + r * 64 + block * 16 + quarter * 4, vmlaq_n_s32(acc[r][quarter], column_sums[quarter], 128));
}

/// Dot product: every block of the panel, the layout (int8 or palettized) as a constant.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_DOTPROD void dot_blocks(const int palettized, int rows, ptrdiff_t k,
                                                                  const uint8_t *x, ptrdiff_t ldx, const uint8_t *panel,
                                                                  int blocks, int8x16_t codebook, int32_t *sums) {
    for (int block = 0; block < blocks; block++) {
        switch (rows) {
        case 1: dot_tile(1, palettized, k, x, ldx, panel, block, codebook, sums); break;
        case 2: dot_tile(2, palettized, k, x, ldx, panel, block, codebook, sums); break;
        case 3: dot_tile(3, palettized, k, x, ldx, panel, block, codebook, sums); break;
        default: dot_tile(4, palettized, k, x, ldx, panel, block, codebook, sums); break;
        }
    }
}

SHRINK_TARGET_DOTPROD static void dot_sums(int rows, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx, const uint8_t *panel,
                                           int palettized, int blocks, int8x16_t codebook, int32_t *sums) {
    if (palettized) dot_blocks(1, rows, k, x, ldx, panel, blocks, codebook, sums);
    else dot_blocks(0, rows, k, x, ldx, panel, blocks, codebook, sums);
}

/// Baseline: every block of the panel in tiles of up to 2 rows.
static SHRINK_ALWAYS_INLINE void widening_blocks(const int palettized, int rows, ptrdiff_t k, const uint8_t *x,
                                                 ptrdiff_t ldx, const uint8_t *panel, int blocks, int8x16_t codebook,
                                                 int32_t *sums) {
    for (int r = 0; r < rows; r += 2)
        for (int block = 0; block < blocks; block++) {
            if (rows - r == 1) widening_tile(1, palettized, k, x + r * ldx, ldx, panel, block, codebook, sums + r * 64);
            else widening_tile(2, palettized, k, x + r * ldx, ldx, panel, block, codebook, sums + r * 64);
        }
}

/// Whether the CPU has the dot-product instructions (read once from the kernel's HWCAP bits).
static int cpu_has_dot_product(void) {
    static _Atomic int cached = -1;
    int value = cached;
    if (value < 0) {
        value = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) ? 1 : 0;
        cached = value;
    }
    return value;
}

void shrink_int8_neon_panel_sums(int rows, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx, const void *panel,
                                 const int8_t *codebook, ptrdiff_t columns, int32_t *sums) {
    const uint8_t *bytes = (const uint8_t *)panel;
    const int8x16_t table = codebook ? vld1q_s8(codebook) : vdupq_n_s8(0);
    const int blocks = (int)((columns + 15) / 16);
    if (cpu_has_dot_product()) dot_sums(rows, k, x, ldx, bytes, codebook != NULL, blocks, table, sums);
    else if (codebook) widening_blocks(1, rows, k, x, ldx, bytes, blocks, table, sums);
    else widening_blocks(0, rows, k, x, ldx, bytes, blocks, table, sums);
}
#endif
