// Convolution lowering for the runtime's im2col convolutions: im2col and the blocked transpose
// (with the per-channel affine and clamp of the step's output transform) that scatters the
// [pixels, channels] products back to [channels, pixels]. Plain C (the compiler vectorizes the
// copies); the Swift reference is ExecutionPlan.ConvolutionWork.lowerReference / scatterReference.
#include "shrink_kernels.h"
#include "sgemm_internal.h"
#include "transpose_avx512.h"

#include <string.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

static inline __attribute__((always_inline)) void im2col_rows(
    const ptrdiff_t channels, const ptrdiff_t height, const ptrdiff_t width, const ptrdiff_t k, const ptrdiff_t stride,
    const ptrdiff_t padding, const float *input, float *columns) {
    const ptrdiff_t oh = (height + 2 * padding - k) / stride + 1, ow = (width + 2 * padding - k) / stride + 1;
    const ptrdiff_t depth = channels * k * k, plane = height * width;
    for (ptrdiff_t oy = 0; oy < oh; oy++) {
        const ptrdiff_t y0 = oy * stride - padding;
        const int rows_inside = y0 >= 0 && y0 + k <= height;
        for (ptrdiff_t ox = 0; ox < ow; ox++) {
            const ptrdiff_t x0 = ox * stride - padding;
            float *target = columns + (oy * ow + ox) * depth;
            if (rows_inside && x0 >= 0 && x0 + k <= width) {
                const float *source = input + y0 * width + x0;
                for (ptrdiff_t c = 0; c < channels; c++, source += plane) {
                    for (ptrdiff_t kr = 0; kr < k; kr++)
                        for (ptrdiff_t kc = 0; kc < k; kc++) *target++ = source[kr * width + kc];
                }
            } else {
                for (ptrdiff_t c = 0; c < channels; c++) {
                    const float *source = input + c * plane;
                    for (ptrdiff_t kr = 0; kr < k; kr++) {
                        const ptrdiff_t y = y0 + kr;
                        if (y < 0 || y >= height) {
                            for (ptrdiff_t kc = 0; kc < k; kc++) *target++ = 0.0f;
                            continue;
                        }
                        const float *row = source + y * width;
                        for (ptrdiff_t kc = 0; kc < k; kc++) {
                            const ptrdiff_t x = x0 + kc;
                            *target++ = (x >= 0 && x < width) ? row[x] : 0.0f;
                        }
                    }
                }
            }
        }
    }
}

/// dst[p·ld_dst + c] = src[c·ld_src + p] over a rows × cols block (src rows are channels).
static void transpose_plain(ptrdiff_t channels, ptrdiff_t pixels, const float *src, float *dst) {
    enum { B = 16 };
    for (ptrdiff_t c0 = 0; c0 < channels; c0 += B) {
        const ptrdiff_t c1 = c0 + B < channels ? c0 + B : channels;
        for (ptrdiff_t p0 = 0; p0 < pixels; p0 += B) {
            const ptrdiff_t p1 = p0 + B < pixels ? p0 + B : pixels;
            for (ptrdiff_t p = p0; p < p1; p++)
                for (ptrdiff_t c = c0; c < c1; c++) dst[p * channels + c] = src[c * pixels + p];
        }
    }
}

void shrink_im2col(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k, ptrdiff_t stride,
                   ptrdiff_t padding, const float *input, float *columns) {
    if (k == 1 && stride == 1 && padding == 0) {
        transpose_plain(channels, height * width, input, columns);
    } else if (k == 3) {
        im2col_rows(channels, height, width, 3, stride, padding, input, columns);
    } else if (k == 5) {
        // A constant kernel size lets the compiler unroll the window copies (LeNet-5's 5×5).
        im2col_rows(channels, height, width, 5, stride, padding, input, columns);
    } else if (k == 1) {
        im2col_rows(channels, height, width, 1, stride, padding, input, columns);
    } else {
        im2col_rows(channels, height, width, k, stride, padding, input, columns);
    }
}

#if SHRINK_HAVE_X86_PATHS
/// shrink_transpose_transform on AVX-512: 16 pixels × 16 channels at a time, transposed in
/// registers (shrink_transpose16_avx512), each channel's 16 pixels then scaled, shifted and
/// clamped as one vector and stored contiguous (masked at the edges); under 16 pixels, channel
/// vectors scattered a plane apart. Same arithmetic and clamp
/// order as the portable loop (x · a + b as a multiply and an add, like the scalar code).
SHRINK_TARGET_AVX512 static void transpose_transform_avx512(ptrdiff_t pixels, ptrdiff_t channels, const float *src,
                                                         float *output, const float *scale, const float *shift,
                                                         float lower, float upper) {
    const __m512 low = _mm512_set1_ps(lower), high = _mm512_set1_ps(upper);
    if (pixels < 16 && pixels * channels < ((ptrdiff_t)1 << 30)) {
        // A few pixels (the late layers of small nets): a 16 × 16 transpose would move mostly
        // nothing; run 16 channels of one pixel at a time and scatter them a plane apart (a plain
        // store for one pixel).
        const __m512i planes = shrink_lane_offsets_avx512(pixels);
        for (ptrdiff_t p = 0; p < pixels; p++)
            for (ptrdiff_t c = 0; c < channels; c += 16) {
                const __mmask16 mask = shrink_lanes(channels - c);
                __m512 v = _mm512_maskz_loadu_ps(mask, src + p * channels + c);
                if (scale)
                    v = _mm512_add_ps(_mm512_mul_ps(v, _mm512_maskz_loadu_ps(mask, scale + c)),
                                      _mm512_maskz_loadu_ps(mask, shift + c));
                v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, low, _CMP_LT_OQ), low);
                v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, high, _CMP_GT_OQ), high);
                if (pixels == 1) _mm512_mask_storeu_ps(output + c, mask, v);
                else _mm512_mask_i32scatter_ps(output + c * pixels + p, mask, planes, v, 4);
            }
        return;
    }
    for (ptrdiff_t p0 = 0; p0 < pixels; p0 += 16) {
        const ptrdiff_t rows = pixels - p0 < 16 ? pixels - p0 : 16;
        const __mmask16 store = shrink_lanes(rows);
        for (ptrdiff_t c0 = 0; c0 < channels; c0 += 16) {
            const ptrdiff_t columns = channels - c0 < 16 ? channels - c0 : 16;
            __m512 r[16];
            shrink_load_transposed_avx512(src + p0 * channels + c0, channels, rows, columns, r);
            for (int j = 0; j < columns; j++) {
                __m512 v = r[j];
                if (scale) v = _mm512_add_ps(_mm512_mul_ps(v, _mm512_set1_ps(scale[c0 + j])), _mm512_set1_ps(shift[c0 + j]));
                // v < lower ? lower : v, then v > upper ? upper : v (NaN stays NaN, as the scalar loop).
                v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, low, _CMP_LT_OQ), low);
                v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, high, _CMP_GT_OQ), high);
                _mm512_mask_storeu_ps(output + (c0 + j) * pixels + p0, store, v);
            }
        }
    }
}
#endif

void shrink_transpose_transform(ptrdiff_t pixels, ptrdiff_t channels, const float *src, float *output,
                                const float *scale, const float *shift, float lower, float upper) {
#if SHRINK_HAVE_X86_PATHS
    if (shrink_cpu_active_path() == SHRINK_CPU_PATH_AVX512 && (scale == NULL) == (shift == NULL)) {
        transpose_transform_avx512(pixels, channels, src, output, scale, shift, lower, upper);
        return;
    }
#endif
    enum { B = 16 };
    for (ptrdiff_t c0 = 0; c0 < channels; c0 += B) {
        const ptrdiff_t c1 = c0 + B < channels ? c0 + B : channels;
        for (ptrdiff_t p0 = 0; p0 < pixels; p0 += B) {
            const ptrdiff_t p1 = p0 + B < pixels ? p0 + B : pixels;
            for (ptrdiff_t c = c0; c < c1; c++) {
                float *target = output + c * pixels;
                if (scale) {
                    const float a = scale[c], b = shift[c];
                    for (ptrdiff_t p = p0; p < p1; p++) {
                        float v = src[p * channels + c] * a + b;
                        v = v < lower ? lower : v;
                        target[p] = v > upper ? upper : v;
                    }
                } else {
                    for (ptrdiff_t p = p0; p < p1; p++) {
                        float v = src[p * channels + c];
                        v = v < lower ? lower : v;
                        target[p] = v > upper ? upper : v;
                    }
                }
            }
        }
    }
}
