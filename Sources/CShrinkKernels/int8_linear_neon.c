// NEON int32 sums for the int8 linear kernels (int8_linear.c), on the packed layout
//   packed[((panel · k4) + step) · 256 + column · 4 + t] = W[panel · 64 + column][step · 4 + t]
// and its palettized twin (4-bit indices, the low nibble for step 2q, the high one for 2q + 1, in
// the byte of step pair q).
//
// Baseline armv8.0 NEON has no u8 × s8 dot product, so each 16-byte load (4 columns × 4 depths)
// is widened to two s16 vectors and multiplied by the row's 4 activation codes, zero-extended to
// s16 and repeated: a u8 · s8 product lies in −32640...32385, so vmulq_s16 is exact, and
// vpadalq_s16 adds adjacent products into s32 lanes (2 per column, summed by vpaddq_s32 at the
// end). A tile is 2 rows × 16 columns: 16 accumulators. Palettized indices are looked up in the
// 16-entry s8 codebook with vqtbl1q_s8.
#include "neon_kernels.h"

#if SHRINK_HAVE_NEON_PATHS
#include "shrink_kernels.h"
#include "sgemm_internal.h"

#include <arm_neon.h>
#include <string.h>

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

/// rows (1...2) × the 16 columns of `block`: sums[r · 64 + block · 16 + c].
static SHRINK_ALWAYS_INLINE void tile(const int rows, const int palettized, ptrdiff_t k, const uint8_t *x,
                                      ptrdiff_t ldx, const uint8_t *panel, int block, int8x16_t codebook, int32_t *sums) {
    int32x4_t acc[2][8];
    for (int r = 0; r < rows; r++)
        for (int q = 0; q < 8; q++) acc[r][q] = vdupq_n_s32(0);
    const ptrdiff_t steps = (k + 3) / 4, full = k / 4;
    for (ptrdiff_t step = 0; step < steps; step++) {
        int16x8_t a[2];
        for (int r = 0; r < rows; r++) {
            // The codes of the step (a last partial step zero-filled: its weights are zero too).
            uint32_t word = 0;
            memcpy(&word, x + r * ldx + step * 4, step < full ? 4 : (size_t)(k - step * 4));
            // [a0 a1 a2 a3 a0 a1 a2 a3] as s16: the 4 depths of one column, twice.
            a[r] = vreinterpretq_s16_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(word))));
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

void shrink_int8_neon_panel_sums(int rows, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx, const void *panel,
                                 const int8_t *codebook, ptrdiff_t columns, int32_t *sums) {
    const uint8_t *bytes = (const uint8_t *)panel;
    const int8x16_t table = codebook ? vld1q_s8(codebook) : vdupq_n_s8(0);
    const int blocks = (int)((columns + 15) / 16);
    for (int block = 0; block < blocks; block++) {
        if (codebook) {
            if (rows == 1) tile(1, 1, k, x, ldx, bytes, block, table, sums);
            else tile(2, 1, k, x, ldx, bytes, block, table, sums);
        } else {
            if (rows == 1) tile(1, 0, k, x, ldx, bytes, block, table, sums);
            else tile(2, 0, k, x, ldx, bytes, block, table, sums);
        }
    }
}
#endif
