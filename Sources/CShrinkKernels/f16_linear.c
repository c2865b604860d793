// fp16-weight linear layer: y = x · Wᵀ + bias with W stored as IEEE half precision, converted to
// fp32 in registers (F16C vcvtph2ps) and accumulated in fp32. Half the bytes of fp32 weights.
//
// Packed layout: column panels of 64 output channels, each a contiguous stream
//   packed[(panel · k + p) · 64 + column] = W[panel · 64 + column][p]   (padding columns are 0)
// Paths: AVX-512 (6 rows × 64 columns per tile; one row takes the 256-bit GEMV, which converts
// twice as fast on Zen 4), AVX2+F16C (2 rows × 32 columns; GEMV 1 × 64 skipping empty 8-column
// blocks), NEON on aarch64 (f16_linear_neon.c), portable.
#include "shrink_kernels.h"
#include "sgemm_internal.h"
#include "neon_kernels.h"

#include <string.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#define SHRINK_TARGET_AVX2_F16C __attribute__((target("avx2,fma,f16c")))
#endif

enum { f16_panel = SHRINK_F16_PANEL_COLUMNS };

static ptrdiff_t f16_panel_count(ptrdiff_t n) { return (n + f16_panel - 1) / f16_panel; }

size_t shrink_f16_packed_count(ptrdiff_t n, ptrdiff_t k) {
    if (n <= 0 || k <= 0) return 0;
    return (size_t)f16_panel_count(n) * (size_t)k * f16_panel;
}

void shrink_f16_pack_weights(ptrdiff_t n, ptrdiff_t k, const uint16_t *w, ptrdiff_t ldw, uint16_t *packed) {
    memset(packed, 0, shrink_f16_packed_count(n, k) * sizeof(uint16_t));
    for (ptrdiff_t j = 0; j < n; j++) {
        const ptrdiff_t panel = j / f16_panel, column = j % f16_panel;
        for (ptrdiff_t p = 0; p < k; p++) packed[(panel * k + p) * f16_panel + column] = w[j * ldw + p];
    }
}

float shrink_f16_to_f32(uint16_t half) {
    const uint32_t sign = (uint32_t)(half & 0x8000u) << 16;
    const uint32_t exponent = (half >> 10) & 0x1Fu;
    uint32_t mantissa = half & 0x3FFu;
    uint32_t bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        // Subnormal half: normalize.
        int shift = 0;
        while (!(mantissa & 0x400u)) { mantissa <<= 1; shift++; }
        mantissa &= 0x3FFu;
        bits = sign | ((uint32_t)(113 - shift) << 23) | (mantissa << 13);
    }
    float value;
    memcpy(&value, &bits, 4);
    return value;
}

static void f16_portable(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                         const uint16_t *packed, const float *bias, float *y, ptrdiff_t ldy) {
    for (ptrdiff_t panel = 0; panel < f16_panel_count(n); panel++) {
        const uint16_t *base = packed + panel * k * f16_panel;
        const ptrdiff_t j0 = panel * f16_panel, columns = n - j0 < f16_panel ? n - j0 : f16_panel;
        for (ptrdiff_t i = 0; i < m; i++) {
            float sums[SHRINK_F16_PANEL_COLUMNS] = {0};
            for (ptrdiff_t p = 0; p < k; p++) {
                const float a = x[i * ldx + p];
                for (int c = 0; c < f16_panel; c++) sums[c] += a * shrink_f16_to_f32(base[p * f16_panel + c]);
            }
            for (ptrdiff_t c = 0; c < columns; c++) y[i * ldy + j0 + c] = sums[c] + (bias ? bias[j0 + c] : 0.0f);
        }
    }
}

#if SHRINK_HAVE_X86_PATHS
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void f16_tile512(
    const int rows, ptrdiff_t k, const float *x, ptrdiff_t ldx, const uint16_t *base,
    const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t columns) {
    __m512 acc[6][4];
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < 4; b++) acc[r][b] = _mm512_setzero_ps();
    for (ptrdiff_t p = 0; p < k; p++, base += f16_panel) {
        __m512 w[4];
        for (int b = 0; b < 4; b++) w[b] = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(base + b * 16)));
        for (int r = 0; r < rows; r++) {
            const __m512 a = _mm512_set1_ps(x[r * ldx + p]);
            for (int b = 0; b < 4; b++) acc[r][b] = _mm512_fmadd_ps(a, w[b], acc[r][b]);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int b = 0; b < 4; b++) {
            const ptrdiff_t count = columns - b * 16;
            if (count <= 0) break;
            const __mmask16 mask = count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
            __m512 value = acc[r][b];
            if (bias) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(mask, bias + b * 16));
            _mm512_mask_storeu_ps(y + r * ldy + b * 16, mask, value);
        }
    }
}

static void f16_gemv_ymm(ptrdiff_t k, const float *x, const uint16_t *base, const float *bias, float *y, ptrdiff_t columns);

SHRINK_TARGET_AVX512 static void f16_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                            const uint16_t *packed, const float *bias, float *y, ptrdiff_t ldy) {
    for (ptrdiff_t panel = 0; panel < f16_panel_count(n); panel++) {
        const uint16_t *base = packed + panel * k * f16_panel;
        const ptrdiff_t j0 = panel * f16_panel, columns = n - j0 < f16_panel ? n - j0 : f16_panel;
        const float *panel_bias = bias ? bias + j0 : NULL;
        if (m == 1) {
            // One row: 256-bit conversions. On Zen 4 a 512-bit vcvtph2ps takes twice the cycles
            // of two 256-bit ones, and with nothing to share a converted weight between rows the
            // conversions are the bottleneck (LeNet-300-100 fc1: 8.8 µs with zmm, 5.3 µs with ymm).
            f16_gemv_ymm(k, x, base, panel_bias, y + j0, columns);
            continue;
        }
        for (ptrdiff_t i = 0; i < m; i += 6) {
            const float *xi = x + i * ldx;
            float *yi = y + i * ldy + j0;
            switch (m - i) {
            case 1: f16_tile512(1, k, xi, ldx, base, panel_bias, yi, ldy, columns); break;
            case 2: f16_tile512(2, k, xi, ldx, base, panel_bias, yi, ldy, columns); break;
            case 3: f16_tile512(3, k, xi, ldx, base, panel_bias, yi, ldy, columns); break;
            case 4: f16_tile512(4, k, xi, ldx, base, panel_bias, yi, ldy, columns); break;
            case 5: f16_tile512(5, k, xi, ldx, base, panel_bias, yi, ldy, columns); break;
            default: f16_tile512(6, k, xi, ldx, base, panel_bias, yi, ldy, columns); break;
            }
        }
    }
}

static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX2_F16C void f16_tile256(
    const int rows, const int blocks, ptrdiff_t k, const float *x, ptrdiff_t ldx, const uint16_t *base,
    const float *bias, float *y, ptrdiff_t ldy, ptrdiff_t columns) {
    __m256 acc[2][8];
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < blocks; b++) acc[r][b] = _mm256_setzero_ps();
    for (ptrdiff_t p = 0; p < k; p++, base += f16_panel) {
        __m256 w[8];
        for (int b = 0; b < blocks; b++) w[b] = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(base + b * 8)));
        for (int r = 0; r < rows; r++) {
            const __m256 a = _mm256_broadcast_ss(x + r * ldx + p);
            for (int b = 0; b < blocks; b++) acc[r][b] = _mm256_fmadd_ps(a, w[b], acc[r][b]);
        }
    }
    for (int r = 0; r < rows; r++) {
        float sums[64];
        for (int b = 0; b < blocks; b++) _mm256_storeu_ps(sums + b * 8, acc[r][b]);
        for (ptrdiff_t c = 0; c < columns; c++) y[r * ldy + c] = sums[c] + (bias ? bias[c] : 0.0f);
    }
}

/// One row against one panel's `columns` (1...64) with 256-bit conversions and FMAs, only the
/// 8-column blocks that hold columns.
SHRINK_TARGET_AVX2_F16C static void f16_gemv_ymm(ptrdiff_t k, const float *x, const uint16_t *base, const float *bias,
                                                float *y, ptrdiff_t columns) {
    switch ((columns + 7) / 8) {
    case 1: f16_tile256(1, 1, k, x, 0, base, bias, y, 0, columns); break;
    case 2: f16_tile256(1, 2, k, x, 0, base, bias, y, 0, columns); break;
    case 3: f16_tile256(1, 3, k, x, 0, base, bias, y, 0, columns); break;
    case 4: f16_tile256(1, 4, k, x, 0, base, bias, y, 0, columns); break;
    case 5: f16_tile256(1, 5, k, x, 0, base, bias, y, 0, columns); break;
    case 6: f16_tile256(1, 6, k, x, 0, base, bias, y, 0, columns); break;
    case 7: f16_tile256(1, 7, k, x, 0, base, bias, y, 0, columns); break;
    default: f16_tile256(1, 8, k, x, 0, base, bias, y, 0, columns); break;
    }
}

SHRINK_TARGET_AVX2_F16C static void f16_avx2(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                             const uint16_t *packed, const float *bias, float *y, ptrdiff_t ldy) {
    if (m == 1) {
        // GEMV: one pass over each panel's occupied 8-column blocks, a single sequential stream.
        for (ptrdiff_t panel = 0; panel < f16_panel_count(n); panel++) {
            const ptrdiff_t j0 = panel * f16_panel, columns = n - j0 < f16_panel ? n - j0 : f16_panel;
            f16_gemv_ymm(k, x, packed + panel * k * f16_panel, bias ? bias + j0 : NULL, y + j0, columns);
        }
        return;
    }
    for (ptrdiff_t panel = 0; panel < f16_panel_count(n); panel++) {
        for (int half = 0; half < 2; half++) {
            const ptrdiff_t j0 = panel * f16_panel + half * 32;
            if (j0 >= n) break;
            const ptrdiff_t columns = n - j0 < 32 ? n - j0 : 32;
            const uint16_t *base = packed + panel * k * f16_panel + half * 32;
            const float *half_bias = bias ? bias + j0 : NULL;
            for (ptrdiff_t i = 0; i < m; i += 2) {
                if (m - i >= 2) f16_tile256(2, 4, k, x + i * ldx, ldx, base, half_bias, y + i * ldy + j0, ldy, columns);
                else f16_tile256(1, 4, k, x + i * ldx, ldx, base, half_bias, y + i * ldy + j0, ldy, columns);
            }
        }
    }
}

static int cpu_has_f16c(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("f16c");
}
#endif

void shrink_f16_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                       const uint16_t *packed, const float *bias, float *y, ptrdiff_t ldy) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) y[i * ldy + j] = bias ? bias[j] : 0.0f;
        return;
    }
#if SHRINK_HAVE_X86_PATHS
    const shrink_cpu_path path = shrink_cpu_active_path();
    if (path == SHRINK_CPU_PATH_AVX512) { f16_avx512(m, n, k, x, ldx, packed, bias, y, ldy); return; }
    if (path == SHRINK_CPU_PATH_AVX2 && cpu_has_f16c()) { f16_avx2(m, n, k, x, ldx, packed, bias, y, ldy); return; }
#endif
#if SHRINK_HAVE_NEON_PATHS
    if (shrink_cpu_active_path() == SHRINK_CPU_PATH_NEON) { shrink_f16_linear_neon(m, n, k, x, ldx, packed, bias, y, ldy); return; }
#endif
    f16_portable(m, n, k, x, ldx, packed, bias, y, ldy);
}
