// NEON palettized linear layer on palette_linear.c's layout (panels of 64 columns, a step of one
// 32-bit word per column holding 8 nibble or 4 byte indices of consecutive depths).
//
// Four columns' words are one uint32x4 vector; depth d's indices are shifted out of it and turned
// into the byte offsets of their floats in the table (index · 4 + [0, 1, 2, 3]), which vqtbl4q_u8
// looks up in 64 bytes of table registers: the 16 centroids of bits ≤ 4 in one look-up, the up to
// 64 of bits 5 and 6 in one vqtbl4q_u8 and three vqtbx4q_u8 (offsets outside a 64-byte quarter
// leave the lane alone). Bits 7 and 8 (up to 256 centroids) read the table with scalar loads.
// Tiles of up to 4 rows × 16 columns, one fp32 accumulator per 4 columns and row (vfmaq_n_f32):
// each output sums its depths in order.
#include "neon_kernels.h"

#if SHRINK_HAVE_NEON_PATHS
#include "shrink_kernels.h"
#include "sgemm_internal.h"

#include <arm_neon.h>

enum { palette_panel = SHRINK_PALETTE_PANEL_COLUMNS };

/// How a tile looks its weights up.
enum { LOOKUP_NIBBLES = 0, LOOKUP_BYTES_64, LOOKUP_BYTES_SCALAR };

/// The table as byte registers: quarter q holds floats 16q ..< 16q + 16.
typedef struct { uint8x16x4_t quarter[4]; } table_registers;

/// The 4 weights of depth d for the 4 columns of `words`.
static SHRINK_ALWAYS_INLINE float32x4_t lookup(const int kind, uint32x4_t words, int d, const table_registers *registers,
                                               const float *table) {
    if (kind == LOOKUP_BYTES_SCALAR) {
        const uint32x4_t indices = vandq_u32(vshlq_u32(words, vdupq_n_s32(-8 * d)), vdupq_n_u32(255));
        const float values[4] = {table[vgetq_lane_u32(indices, 0)], table[vgetq_lane_u32(indices, 1)],
                                 table[vgetq_lane_u32(indices, 2)], table[vgetq_lane_u32(indices, 3)]};
        return vld1q_f32(values);
    }
    const uint32x4_t indices = kind == LOOKUP_NIBBLES
        ? vandq_u32(vshlq_u32(words, vdupq_n_s32(-4 * d)), vdupq_n_u32(15))
        : vandq_u32(vshlq_u32(words, vdupq_n_s32(-8 * d)), vdupq_n_u32(63));
    // Byte offsets of each index's float: index · 4 + (0, 1, 2, 3) in its 4 bytes (below 256).
    const uint8x16_t offsets = vreinterpretq_u8_u32(vmlaq_n_u32(vdupq_n_u32(0x03020100u), indices, 0x04040404u));
    uint8x16_t bytes = vqtbl4q_u8(registers->quarter[0], offsets);
    if (kind == LOOKUP_BYTES_64)
        for (int q = 1; q < 4; q++)
            bytes = vqtbx4q_u8(bytes, registers->quarter[q], vsubq_u8(offsets, vdupq_n_u8((uint8_t)(64 * q))));
    return vreinterpretq_f32_u8(bytes);
}

/// rows (1...4) × 16 columns starting at `words` (a step of 64 words per depth word).
static SHRINK_ALWAYS_INLINE void palette_tile(const int kind, const int rows, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                              const uint32_t *words, const table_registers *registers,
                                              const float *table, const float *bias, float *y, ptrdiff_t ldy,
                                              ptrdiff_t columns) {
    const int per_word = kind == LOOKUP_NIBBLES ? 8 : 4;
    float32x4_t acc[4][4];
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < 4; b++) acc[r][b] = vdupq_n_f32(0);
    for (ptrdiff_t p0 = 0; p0 < k; p0 += per_word, words += palette_panel) {
        const int depths = (int)(k - p0 < per_word ? k - p0 : per_word);
        for (int b = 0; b < 4; b++) {
            const uint32x4_t column_words = vld1q_u32(words + 4 * b);
            for (int d = 0; d < depths; d++) {
                const float32x4_t w = lookup(kind, column_words, d, registers, table);
                for (int r = 0; r < rows; r++) acc[r][b] = vfmaq_n_f32(acc[r][b], w, x[r * ldx + p0 + d]);
            }
        }
    }
    for (int r = 0; r < rows; r++) {
        float sums[16];
        for (int b = 0; b < 4; b++) vst1q_f32(sums + 4 * b, acc[r][b]);
        for (ptrdiff_t c = 0; c < columns; c++) y[r * ldy + c] = sums[c] + (bias ? bias[c] : 0.0f);
    }
}

/// The arguments of one call, for the tiles.
typedef struct {
    int kind;
    ptrdiff_t k, steps;  // steps: words per column of a panel
    const float *x; ptrdiff_t ldx;
    const uint32_t *words;
    const float *table; table_registers registers;
    const float *bias;
    float *y; ptrdiff_t ldy;
} palette_call;

/// rows × 16 columns from column j, with the call's kind as a constant.
static SHRINK_ALWAYS_INLINE void palette_rows_of_kind(const int kind, const palette_call *c, int rows, ptrdiff_t i,
                                                      ptrdiff_t j, ptrdiff_t width) {
    const uint32_t *words = c->words + (j / palette_panel) * c->steps * palette_panel + j % palette_panel;
    const float *x = c->x + i * c->ldx, *bias = c->bias ? c->bias + j : NULL;
    float *y = c->y + i * c->ldy + j;
    const table_registers *registers = &c->registers;
    if (rows == 1) palette_tile(kind, 1, c->k, x, c->ldx, words, registers, c->table, bias, y, c->ldy, width);
    else if (rows == 2) palette_tile(kind, 2, c->k, x, c->ldx, words, registers, c->table, bias, y, c->ldy, width);
    else if (rows == 3) palette_tile(kind, 3, c->k, x, c->ldx, words, registers, c->table, bias, y, c->ldy, width);
    else palette_tile(kind, 4, c->k, x, c->ldx, words, registers, c->table, bias, y, c->ldy, width);
}

static void palette_rows(const void *context, int rows, ptrdiff_t i, ptrdiff_t j, ptrdiff_t width) {
    const palette_call *c = context;
    if (c->kind == LOOKUP_NIBBLES) palette_rows_of_kind(LOOKUP_NIBBLES, c, rows, i, j, width);
    else if (c->kind == LOOKUP_BYTES_64) palette_rows_of_kind(LOOKUP_BYTES_64, c, rows, i, j, width);
    else palette_rows_of_kind(LOOKUP_BYTES_SCALAR, c, rows, i, j, width);
}

void shrink_palette_linear_neon(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                const uint8_t *packed, const float *table, const float *bias, float *y, ptrdiff_t ldy) {
    const int per_word = bits <= 4 ? 8 : 4;
    palette_call call = {.kind = bits <= 4 ? LOOKUP_NIBBLES : bits <= 6 ? LOOKUP_BYTES_64 : LOOKUP_BYTES_SCALAR,
                         .k = k, .steps = (k + per_word - 1) / per_word, .x = x, .ldx = ldx,
                         .words = (const uint32_t *)(const void *)packed, .table = table, .bias = bias, .y = y,
                         .ldy = ldy};
    for (int q = 0; q < 4; q++) call.registers.quarter[q] = vld1q_u8_x4((const uint8_t *)(table + 16 * q));
    shrink_neon_for_each_tile(m, n, palette_rows, &call);
}
#endif
