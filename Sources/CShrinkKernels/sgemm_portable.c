// Portable SGEMM path: plain C that the compiler vectorizes for the baseline instruction set
// (SSE2 on x86-64, NEON on arm64). 6×8 micro-tile: 12 accumulator vectors of 4 floats.
#include "sgemm_internal.h"

#define SGEMM_TARGET
#define SGEMM_DRIVER shrink_sgemm_portable
#define SGEMM_MR 6
#define SGEMM_NR 8
#define SGEMM_KC 256
#define SGEMM_MC 768
#define SGEMM_NC 512
#define SGEMM_UNPACKED_B_MAX_M 0

static void kernel_packed(ptrdiff_t kc, const float *restrict a, const float *restrict b,
                          float *restrict c, ptrdiff_t ldc, float alpha, float beta,
                          ptrdiff_t rows, ptrdiff_t cols) {
    float acc[SGEMM_MR][SGEMM_NR] = {{0.0f}};
    for (ptrdiff_t p = 0; p < kc; p++) {
        for (int i = 0; i < SGEMM_MR; i++) {
            const float a_i = a[i];
            for (int j = 0; j < SGEMM_NR; j++) acc[i][j] += a_i * b[j];
        }
        a += SGEMM_MR;
        b += SGEMM_NR;
    }
    for (ptrdiff_t i = 0; i < rows; i++) {
        float *c_row = c + i * ldc;
        if (cols == SGEMM_NR) {
            if (beta == 0.0f) {
                for (int j = 0; j < SGEMM_NR; j++) c_row[j] = alpha * acc[i][j];
            } else {
                for (int j = 0; j < SGEMM_NR; j++) c_row[j] = alpha * acc[i][j] + beta * c_row[j];
            }
        } else {
            for (ptrdiff_t j = 0; j < cols; j++)
                c_row[j] = alpha * acc[i][j] + (beta == 0.0f ? 0.0f : beta * c_row[j]);
        }
    }
}

/// A row block of A (MR-row packed panel) by one weight panel (depth rows `stride` floats
/// apart), 8 columns at a time.
static void kernel_panel(ptrdiff_t kc, const float *restrict a, const float *restrict panel, ptrdiff_t stride,
                         float *restrict c, ptrdiff_t ldc, float beta, ptrdiff_t rows, ptrdiff_t cols) {
    for (ptrdiff_t h = 0; h < cols; h += SGEMM_NR) {
        float acc[SGEMM_MR][SGEMM_NR] = {{0.0f}};
        for (ptrdiff_t p = 0; p < kc; p++) {
            const float *b = panel + p * stride + h;
            for (int i = 0; i < SGEMM_MR; i++) {
                const float a_i = a[p * SGEMM_MR + i];
                for (int j = 0; j < SGEMM_NR; j++) acc[i][j] += a_i * b[j];
            }
        }
        const ptrdiff_t width = cols - h < SGEMM_NR ? cols - h : SGEMM_NR;
        for (ptrdiff_t i = 0; i < rows; i++)
            for (ptrdiff_t j = 0; j < width; j++)
                c[i * ldc + h + j] = acc[i][j] + (beta == 0.0f ? 0.0f : beta * c[i * ldc + h + j]);
    }
}
#define SGEMM_PANELS_DRIVER shrink_sgemm_panels_portable

/// dst[p·width + r] = src[r·ld + p] for r < count (zero for count <= r < width), in depth
/// blocks that keep the destination block in L1.
static void transpose_panel(const float *restrict src, ptrdiff_t ld, ptrdiff_t count,
                            ptrdiff_t kc, float *restrict dst, ptrdiff_t width) {
    for (ptrdiff_t p0 = 0; p0 < kc; p0 += 64) {
        const ptrdiff_t depth = kc - p0 < 64 ? kc - p0 : 64;
        for (ptrdiff_t r = 0; r < width; r++) {
            if (r < count) {
                const float *row = src + r * ld + p0;
                for (ptrdiff_t p = 0; p < depth; p++) dst[(p0 + p) * width + r] = row[p];
            } else {
                for (ptrdiff_t p = 0; p < depth; p++) dst[(p0 + p) * width + r] = 0.0f;
            }
        }
    }
}

#include "sgemm_blocked.h"
