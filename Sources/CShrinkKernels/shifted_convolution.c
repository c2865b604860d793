// The tap-summing kernel of training's stride-1 convolutions (ShiftedConvolution in ShrinkNN):
//   output[o·output_stride + q] (+)= Σ_tap Σ_c weights[(tap·outputs + o)·channels + c]
//                                              · input[c·input_stride + q + offsets[tap]]
// for q in 0..<width: every kernel tap of every channel summed in registers before one store,
// instead of one GEMM per tap that loads and stores the whole output each time. The forward
// pass reads the padded input with the taps' positive offsets; the input gradient reads the
// padded output gradient with negative ones.
//
// AVX-512: blocks of 8 outputs × 48 positions (24 accumulators; per channel and tap 3 input
// loads and 8 weight broadcasts feed 24 FMAs), masked at the right edge. Other paths: plain C
// the compiler vectorizes (cloned for AVX2). Sums over (tap, channel) in that order, per
// position; the Swift reference is ShiftedConvolution.tapSumReference.
#include "shrink_kernels.h"
#include "sgemm_internal.h"

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

#if defined(__x86_64__) && defined(__linux__)
#define SHRINK_PORTABLE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SHRINK_PORTABLE_CLONES
#endif

SHRINK_PORTABLE_CLONES
static void tap_sum_portable(ptrdiff_t outputs, ptrdiff_t channels, ptrdiff_t taps, const ptrdiff_t *offsets,
                             const float *weights, const float *input, ptrdiff_t input_stride, ptrdiff_t width,
                             float *output, ptrdiff_t output_stride, int accumulate) {
    enum { BLOCK = 256 };
    float sums[BLOCK];
    for (ptrdiff_t o = 0; o < outputs; o++) {
        for (ptrdiff_t q0 = 0; q0 < width; q0 += BLOCK) {
            const ptrdiff_t count = width - q0 < BLOCK ? width - q0 : BLOCK;
            float *target = output + o * output_stride + q0;
            for (ptrdiff_t q = 0; q < count; q++) sums[q] = 0.0f;
            for (ptrdiff_t tap = 0; tap < taps; tap++) {
                const float *row_weights = weights + (tap * outputs + o) * channels;
                for (ptrdiff_t c = 0; c < channels; c++) {
                    const float w = row_weights[c];
                    const float *source = input + c * input_stride + q0 + offsets[tap];
                    for (ptrdiff_t q = 0; q < count; q++) sums[q] += w * source[q];
                }
            }
            if (accumulate) {
                for (ptrdiff_t q = 0; q < count; q++) target[q] += sums[q];
            } else {
                for (ptrdiff_t q = 0; q < count; q++) target[q] = sums[q];
            }
        }
    }
}

#if SHRINK_HAVE_X86_PATHS
/// One block of `rows` (≤ 8) outputs × up to 48 positions; `masks` select the valid lanes of the
/// three 16-lane column groups.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void tap_sum_block_avx512(
    int rows, ptrdiff_t outputs, ptrdiff_t channels, ptrdiff_t taps, const ptrdiff_t *offsets, const float *weights,
    const float *input, ptrdiff_t input_stride, float *output, ptrdiff_t output_stride, int accumulate,
    __mmask16 m0, __mmask16 m1, __mmask16 m2) {
    __m512 acc[8][3];
    for (int r = 0; r < 8; r++) acc[r][0] = acc[r][1] = acc[r][2] = _mm512_setzero_ps();
    for (ptrdiff_t tap = 0; tap < taps; tap++) {
        const float *tap_input = input + offsets[tap];
        const float *tap_weights = weights + tap * outputs * channels;
        for (ptrdiff_t c = 0; c < channels; c++) {
            const float *source = tap_input + c * input_stride;
            const __m512 x0 = _mm512_maskz_loadu_ps(m0, source);
            const __m512 x1 = _mm512_maskz_loadu_ps(m1, source + 16);
            const __m512 x2 = _mm512_maskz_loadu_ps(m2, source + 32);
            for (int r = 0; r < 8; r++) {
                if (r >= rows) break;
                const __m512 w = _mm512_set1_ps(tap_weights[r * channels + c]);
                acc[r][0] = _mm512_fmadd_ps(w, x0, acc[r][0]);
                acc[r][1] = _mm512_fmadd_ps(w, x1, acc[r][1]);
                acc[r][2] = _mm512_fmadd_ps(w, x2, acc[r][2]);
            }
        }
    }
    for (int r = 0; r < 8; r++) {
        if (r >= rows) break;
        float *target = output + r * output_stride;
        if (accumulate) {
            acc[r][0] = _mm512_add_ps(acc[r][0], _mm512_maskz_loadu_ps(m0, target));
            acc[r][1] = _mm512_add_ps(acc[r][1], _mm512_maskz_loadu_ps(m1, target + 16));
            acc[r][2] = _mm512_add_ps(acc[r][2], _mm512_maskz_loadu_ps(m2, target + 32));
        }
        _mm512_mask_storeu_ps(target, m0, acc[r][0]);
        _mm512_mask_storeu_ps(target + 16, m1, acc[r][1]);
        _mm512_mask_storeu_ps(target + 32, m2, acc[r][2]);
    }
}

static inline __mmask16 lanes(ptrdiff_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1u);
}

SHRINK_TARGET_AVX512
static void tap_sum_avx512(ptrdiff_t outputs, ptrdiff_t channels, ptrdiff_t taps, const ptrdiff_t *offsets,
                           const float *weights, const float *input, ptrdiff_t input_stride, ptrdiff_t width,
                           float *output, ptrdiff_t output_stride, int accumulate) {
    for (ptrdiff_t o = 0; o < outputs; o += 8) {
        const int rows = outputs - o < 8 ? (int)(outputs - o) : 8;
        const float *block_weights = weights + o * channels;
        for (ptrdiff_t q = 0; q < width; q += 48) {
            const ptrdiff_t left = width - q;
            const __mmask16 m0 = lanes(left), m1 = lanes(left - 16), m2 = lanes(left - 32);
            if (rows == 8) {
                tap_sum_block_avx512(8, outputs, channels, taps, offsets, block_weights, input + q, input_stride,
                                     output + o * output_stride + q, output_stride, accumulate, m0, m1, m2);
            } else {
                tap_sum_block_avx512(rows, outputs, channels, taps, offsets, block_weights, input + q, input_stride,
                                     output + o * output_stride + q, output_stride, accumulate, m0, m1, m2);
            }
        }
    }
}
#endif

void shrink_shifted_tap_sum(ptrdiff_t outputs, ptrdiff_t channels, ptrdiff_t taps, const ptrdiff_t *offsets,
                            const float *weights, const float *input, ptrdiff_t input_stride, ptrdiff_t width,
                            float *output, ptrdiff_t output_stride, int accumulate) {
    if (outputs <= 0 || width <= 0) return;
#if SHRINK_HAVE_X86_PATHS
    if (shrink_cpu_active_path() == SHRINK_CPU_PATH_AVX512) {
        tap_sum_avx512(outputs, channels, taps, offsets, weights, input, input_stride, width, output, output_stride,
                       accumulate);
        return;
    }
#endif
    tap_sum_portable(outputs, channels, taps, offsets, weights, input, input_stride, width, output, output_stride,
                     accumulate);
}
