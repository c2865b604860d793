// Native inference kernels for the runtime's depthwise convolutions and max pooling: direct loops
// over each channel plane, the output columns whose window is wholly inside the input computed
// once so their inner loops have no bounds checks (the compiler vectorizes them). Plain C, also
// compiled for AVX-512 and dispatched by shrink_cpu_active_path().
#include "shrink_kernels.h"
#include "sgemm_internal.h"
#include "transpose_avx512.h"

#include <math.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>

/// dst[0..<count] = src[0..<count] in masked 16-float vectors (short plane rows: no loop tail).
SHRINK_TARGET_AVX512 static void copy_floats_avx512(float *restrict dst, const float *restrict src, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i += 16) {
        const ptrdiff_t left = count - i;
        const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        _mm512_mask_storeu_ps(dst + i, mask, _mm512_maskz_loadu_ps(mask, src + i));
    }
}

/// input [channels, height · width] → the interior of the padded channels-last copy (pixel
/// (y, x) at padded + ((y + padding) · wp + x + padding) · channels), 16 × 16 blocks transposed
/// in registers.
SHRINK_TARGET_AVX512 static void pack_channels_last_avx512(float *restrict padded, const float *restrict input,
                                                           ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                                                           ptrdiff_t padding, ptrdiff_t wp) {
    const ptrdiff_t plane = height * width;
    if (plane < 16 && channels * plane < ((ptrdiff_t)1 << 30)) {
        // Planes of a few pixels: a 16 × 16 transpose would move mostly nothing; gather each
        // pixel's channels (16 at a time, one plane apart) instead.
        const __m512i offsets = shrink_lane_offsets_avx512(plane);
        for (ptrdiff_t p = 0; p < plane; p++) {
            float *target = padded + ((p / width + padding) * wp + p % width + padding) * channels;
            for (ptrdiff_t c = 0; c < channels; c += 16) {
                const __mmask16 mask = shrink_lanes(channels - c);
                _mm512_mask_storeu_ps(target + c, mask,
                                      _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, offsets, input + c * plane + p, 4));
            }
        }
        return;
    }
    for (ptrdiff_t c0 = 0; c0 < channels; c0 += 16) {
        const ptrdiff_t block_channels = channels - c0 < 16 ? channels - c0 : 16;
        const __mmask16 store = shrink_lanes(block_channels);
        for (ptrdiff_t p0 = 0; p0 < plane; p0 += 16) {
            const ptrdiff_t block_pixels = plane - p0 < 16 ? plane - p0 : 16;
            __m512 r[16];
            shrink_load_transposed_avx512(input + c0 * plane + p0, plane, block_channels, block_pixels, r);
            for (int j = 0; j < block_pixels; j++) {
                const ptrdiff_t y = (p0 + j) / width, x = (p0 + j) % width;
                _mm512_mask_storeu_ps(padded + ((y + padding) * wp + x + padding) * channels + c0, store, r[j]);
            }
        }
    }
}

/// One output pixel of the channels-last path: for each run of 16 channels, the bias plus the k²
/// taps accumulated in one register (fused multiply-adds, taps in row order), clamped.
SHRINK_TARGET_AVX512 static void depthwise_pixel_channels_avx512(ptrdiff_t channels, ptrdiff_t k, ptrdiff_t wp,
                                                                 const float *restrict window,
                                                                 const float *restrict tap_weights,
                                                                 const float *restrict bias, float lower, float upper,
                                                                 float *restrict sum) {
    const __m512 low = _mm512_set1_ps(lower), high = _mm512_set1_ps(upper);
    for (ptrdiff_t c = 0; c < channels; c += 16) {
        const __mmask16 mask = shrink_lanes(channels - c);
        __m512 v = bias ? _mm512_maskz_loadu_ps(mask, bias + c) : _mm512_setzero_ps();
        for (ptrdiff_t kr = 0; kr < k; kr++)
            for (ptrdiff_t kc = 0; kc < k; kc++)
                v = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, tap_weights + (kr * k + kc) * channels + c),
                                    _mm512_maskz_loadu_ps(mask, window + (kr * wp + kc) * channels + c), v);
        v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, low, _CMP_LT_OQ), low);
        v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, high, _CMP_GT_OQ), high);
        _mm512_mask_storeu_ps(sum + c, mask, v);
    }
}

#endif

/// The data movement of the depthwise paths: with `wide` (the AVX-512 instance) the vector
/// helpers above, else plain loops. `wide` is a constant in each instance, so one branch remains.
static inline __attribute__((always_inline)) void copy_floats(const int wide, float *restrict dst,
                                                              const float *restrict src, ptrdiff_t count) {
#if SHRINK_HAVE_X86_PATHS
    if (wide) { copy_floats_avx512(dst, src, count); return; }
#endif
    for (ptrdiff_t i = 0; i < count; i++) dst[i] = src[i];
}

static inline __attribute__((always_inline)) void pack_channels_last(const int wide, float *restrict padded,
                                                                     const float *restrict input, ptrdiff_t channels,
                                                                     ptrdiff_t height, ptrdiff_t width, ptrdiff_t padding,
                                                                     ptrdiff_t wp) {
#if SHRINK_HAVE_X86_PATHS
    if (wide) { pack_channels_last_avx512(padded, input, channels, height, width, padding, wp); return; }
#endif
    for (ptrdiff_t y = 0; y < height; y++)
        for (ptrdiff_t x = 0; x < width; x++)
            for (ptrdiff_t c = 0; c < channels; c++)
                padded[((y + padding) * wp + x + padding) * channels + c] = input[c * height * width + y * width + x];
}

/// The output columns [begin, end) whose whole window is inside a row of `width`: x0 = ox·stride −
/// pad_left ≥ 0 and x0 + k ≤ width.
static inline void interior_columns(ptrdiff_t width, ptrdiff_t k, ptrdiff_t stride, ptrdiff_t pad_left, ptrdiff_t ow,
                                    ptrdiff_t *begin, ptrdiff_t *end) {
    ptrdiff_t b = (pad_left + stride - 1) / stride;
    ptrdiff_t e = width - k + pad_left < 0 ? 0 : (width - k + pad_left) / stride + 1;
    if (e > ow) e = ow;
    if (b > e) b = e;
    *begin = b;
    *end = e;
}

/// One output pixel: the sum over the kernel rows in [r0, r1) and columns in [c0, c1) (the taps
/// inside the input), plus the bias, clamped.
static inline __attribute__((always_inline)) float depthwise_pixel(
    const ptrdiff_t width, const ptrdiff_t k, const float *restrict source, const float *restrict w, ptrdiff_t r0,
    ptrdiff_t r1, ptrdiff_t c0, ptrdiff_t c1) {
    float sum = 0.0f;
    for (ptrdiff_t kr = r0; kr < r1; kr++)
        for (ptrdiff_t kc = c0; kc < c1; kc++) sum += w[kr * k + kc] * source[kr * width + kc];
    return sum;
}

static inline __attribute__((always_inline)) void depthwise_plane(
    const ptrdiff_t height, const ptrdiff_t width, const ptrdiff_t k, const ptrdiff_t stride, const ptrdiff_t padding,
    const ptrdiff_t oh, const ptrdiff_t ow, const ptrdiff_t interior_begin, const ptrdiff_t interior_end,
    const float *restrict input, const float *restrict w, float b, float lower, float upper, float *restrict output) {
    for (ptrdiff_t oy = 0; oy < oh; oy++) {
        float *restrict row = output + oy * ow;
        const ptrdiff_t y0 = oy * stride - padding;
        const ptrdiff_t r0 = y0 < 0 ? -y0 : 0, r1 = y0 + k > height ? height - y0 : k;
        // source points at input (y0, x0) for output column ox: input + y0·width + ox·stride − padding.
        const float *base = input + y0 * width - padding;
        if (r0 == 0 && r1 == k) {
            // Full window rows: the interior columns have no checks at all (vectorizable over ox).
            for (ptrdiff_t ox = interior_begin; ox < interior_end; ox++) {
                float v = depthwise_pixel(width, k, base + ox * stride, w, 0, k, 0, k) + b;
                v = v < lower ? lower : v;
                row[ox] = v > upper ? upper : v;
            }
        } else {
            for (ptrdiff_t ox = interior_begin; ox < interior_end; ox++) {
                float v = depthwise_pixel(width, k, base + ox * stride, w, r0, r1, 0, k) + b;
                v = v < lower ? lower : v;
                row[ox] = v > upper ? upper : v;
            }
        }
        for (ptrdiff_t ox = 0; ox < ow; ox++) {
            if (ox == interior_begin) ox = interior_end;
            if (ox >= ow) break;
            const ptrdiff_t x0 = ox * stride - padding;
            const ptrdiff_t c0 = x0 < 0 ? -x0 : 0, c1 = x0 + k > width ? width - x0 : k;
            const float sum = depthwise_pixel(width, k, base + ox * stride, w, r0, r1, c0, c1);
            float v = sum + b;
            v = v < lower ? lower : v;
            row[ox] = v > upper ? upper : v;
        }
    }
}

/// Floats of the zero-padded copy of one plane (and of its stride-1 sums) kept on the stack:
/// planes up to this padded size take `depthwise_plane_padded`.
enum { depthwise_padded_limit = 8192 };

/// One channel plane through a zero-padded copy: with every tap inside the copy, the sums are
/// plain loops over contiguous memory (no borders), which vectorize even for 7×7 planes. Stride
/// 1 runs over the whole plane as one flat row of (oh − 1)·wp + ow sums (the wp − ow sums between
/// rows are computed and dropped); larger strides run each output row at stride 1 and keep every
/// stride-th sum. Padding taps add w·0.
static inline __attribute__((always_inline)) SHRINK_NO_BUILTIN_COPIES void depthwise_plane_padded(
    const int wide, const ptrdiff_t height, const ptrdiff_t width, const ptrdiff_t k, const ptrdiff_t stride, const ptrdiff_t padding,
    const ptrdiff_t oh, const ptrdiff_t ow, const float *restrict input, const float *restrict w, float b, float lower,
    float upper, float *restrict output, float *restrict padded, float *restrict sums) {
    const ptrdiff_t wp = width + 2 * padding, hp = height + 2 * padding;
    for (ptrdiff_t y = 0; y < hp; y++) {
        float *restrict row = padded + y * wp;
        if (y < padding || y >= padding + height) {
            for (ptrdiff_t x = 0; x < wp; x++) row[x] = 0.0f;
            continue;
        }
        for (ptrdiff_t x = 0; x < padding; x++) row[x] = 0.0f;
        copy_floats(wide, row + padding, input + (y - padding) * width, width);
        for (ptrdiff_t x = padding + width; x < wp; x++) row[x] = 0.0f;
    }
    if (stride == 1) {
        const ptrdiff_t count = (oh - 1) * wp + ow;
        for (ptrdiff_t i = 0; i < count; i++) {
            float sum = 0.0f;
            for (ptrdiff_t kr = 0; kr < k; kr++)
                for (ptrdiff_t kc = 0; kc < k; kc++) sum += w[kr * k + kc] * padded[i + kr * wp + kc];
            float v = sum + b;
            v = v < lower ? lower : v;
            sums[i] = v > upper ? upper : v;
        }
        for (ptrdiff_t oy = 0; oy < oh; oy++) copy_floats(wide, output + oy * ow, sums + oy * wp, ow);
        return;
    }
    const ptrdiff_t count = (ow - 1) * stride + 1;
    for (ptrdiff_t oy = 0; oy < oh; oy++) {
        const float *restrict base = padded + oy * stride * wp;
        for (ptrdiff_t x = 0; x < count; x++) {
            float sum = 0.0f;
            for (ptrdiff_t kr = 0; kr < k; kr++)
                for (ptrdiff_t kc = 0; kc < k; kc++) sum += w[kr * k + kc] * base[x + kr * wp + kc];
            sums[x] = sum;
        }
        for (ptrdiff_t ox = 0; ox < ow; ox++) {
            float v = sums[ox * stride] + b;
            v = v < lower ? lower : v;
            output[oy * ow + ox] = v > upper ? upper : v;
        }
    }
}

/// Output planes of at most this many pixels (4×4 and smaller) take `depthwise_channels_last`:
/// there the per-plane loop overhead outweighs the transposes (MobileNetV2 on MNIST, this
/// machine: 336 channels of 1×1 at 0.75 µs against 5.7 µs planar; 48 channels of 7×7 were faster
/// planar, 3.4 against 4.9 µs).
enum { depthwise_channels_last_pixels = 16 };

/// The whole convolution channels-last, vectorized across channels: input transposed into a
/// zero-padded [hp, wp, channels] copy (scratch of this thread), weights given tap-major
/// [k², channels], then for each output pixel the k² taps accumulate over contiguous channel runs, and
/// the [pixels, channels] result is transposed back. Returns 0, or −1 when the scratch cannot be
/// had (the caller then runs the planar path).
static inline __attribute__((always_inline)) SHRINK_NO_BUILTIN_COPIES int depthwise_channels_last(
    const int wide, const ptrdiff_t channels, const ptrdiff_t height, const ptrdiff_t width, const ptrdiff_t k, const ptrdiff_t stride,
    const ptrdiff_t padding, const ptrdiff_t oh, const ptrdiff_t ow, const float *restrict input,
    const float *restrict tap_weights, const float *restrict bias, float lower, float upper, float *restrict output) {
    const ptrdiff_t wp = width + 2 * padding, hp = height + 2 * padding, pixels = oh * ow;
    float *scratch = shrink_sgemm_scratch(3, (size_t)((hp * wp + pixels) * channels));
    if (!scratch) return -1;
    float *restrict padded = scratch, *restrict sums = scratch + hp * wp * channels;
    for (ptrdiff_t i = 0; i < hp * wp * channels; i++) padded[i] = 0.0f;
    pack_channels_last(wide, padded, input, channels, height, width, padding, wp);
    for (ptrdiff_t oy = 0; oy < oh; oy++)
        for (ptrdiff_t ox = 0; ox < ow; ox++) {
            float *restrict sum = sums + (oy * ow + ox) * channels;
            const float *restrict window = padded + (oy * stride * wp + ox * stride) * channels;
#if SHRINK_HAVE_X86_PATHS
            if (wide) {
                depthwise_pixel_channels_avx512(channels, k, wp, window, tap_weights, bias, lower, upper, sum);
                continue;
            }
#endif
            for (ptrdiff_t c = 0; c < channels; c++) sum[c] = bias ? bias[c] : 0.0f;
            for (ptrdiff_t kr = 0; kr < k; kr++)
                for (ptrdiff_t kc = 0; kc < k; kc++) {
                    const float *restrict tap = window + (kr * wp + kc) * channels;
                    const float *restrict w = tap_weights + (kr * k + kc) * channels;
                    for (ptrdiff_t c = 0; c < channels; c++) sum[c] += w[c] * tap[c];
                }
            for (ptrdiff_t c = 0; c < channels; c++) {
                float v = sum[c];
                v = v < lower ? lower : v;
                sum[c] = v > upper ? upper : v;
            }
        }
    // [pixels, channels] → [channels, pixels]: the convolutions' output scatter without affine or
    // bounds (±infinity clamps pass every value, NaN included, unchanged).
    shrink_transpose_transform(pixels, channels, sums, output, NULL, NULL, -INFINITY, INFINITY);
    return 0;
}

static inline __attribute__((always_inline)) void depthwise_conv(
    const int wide, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k, ptrdiff_t stride, ptrdiff_t padding,
    const float *input, const float *weights, const float *tap_weights, const float *bias, float lower, float upper,
    float *output) {
    const ptrdiff_t oh = (height + 2 * padding - k) / stride + 1, ow = (width + 2 * padding - k) / stride + 1;
    if (tap_weights && oh > 0 && ow > 0 && oh * ow <= depthwise_channels_last_pixels && channels >= 8) {
        // k = 3 as a constant: the taps unroll and the channel loop vectorizes.
        const int status = k == 3 ? depthwise_channels_last(wide, channels, height, width, 3, stride, padding, oh, ow, input,
                                                            tap_weights, bias, lower, upper, output)
                                  : depthwise_channels_last(wide, channels, height, width, k, stride, padding, oh, ow, input,
                                                            tap_weights, bias, lower, upper, output);
        if (status == 0) return;
    }
    if ((height + 2 * padding) * (width + 2 * padding) <= depthwise_padded_limit && oh > 0 && ow > 0) {
        float padded[depthwise_padded_limit], sums[depthwise_padded_limit];
        for (ptrdiff_t c = 0; c < channels; c++) {
            const float *plane = input + c * height * width;
            float *target = output + c * oh * ow;
            const float b = bias ? bias[c] : 0.0f;
            if (k == 3 && stride == 1)
                depthwise_plane_padded(wide, height, width, 3, 1, padding, oh, ow, plane, weights + c * 9, b, lower, upper, target,
                                       padded, sums);
            else if (k == 3 && stride == 2)
                depthwise_plane_padded(wide, height, width, 3, 2, padding, oh, ow, plane, weights + c * 9, b, lower, upper, target,
                                       padded, sums);
            else
                depthwise_plane_padded(wide, height, width, k, stride, padding, oh, ow, plane, weights + c * k * k, b, lower, upper,
                                       target, padded, sums);
        }
        return;
    }
    ptrdiff_t interior_begin, interior_end;
    interior_columns(width, k, stride, padding, ow, &interior_begin, &interior_end);
    for (ptrdiff_t c = 0; c < channels; c++) {
        const float *plane = input + c * height * width;
        float *target = output + c * oh * ow;
        const float b = bias ? bias[c] : 0.0f;
        if (k == 3 && stride == 1)
            depthwise_plane(height, width, 3, 1, padding, oh, ow, interior_begin, interior_end, plane, weights + c * 9, b, lower, upper, target);
        else if (k == 3 && stride == 2)
            depthwise_plane(height, width, 3, 2, padding, oh, ow, interior_begin, interior_end, plane, weights + c * 9, b, lower, upper, target);
        else
            depthwise_plane(height, width, k, stride, padding, oh, ow, interior_begin, interior_end, plane, weights + c * k * k, b, lower, upper, target);
    }
}

#if SHRINK_HAVE_X86_PATHS
/// The same loops compiled for AVX-512 (16 output columns per vector in the interior).
/// (no_builtin: the row copies of small planes stay inline loops instead of memcpy/memset calls.)
SHRINK_TARGET_AVX512 SHRINK_NO_BUILTIN_COPIES static void depthwise_conv_avx512(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k,
                                                    ptrdiff_t stride, ptrdiff_t padding, const float *input,
                                                    const float *weights, const float *tap_weights, const float *bias,
                                                    float lower, float upper, float *output) {
    depthwise_conv(1, channels, height, width, k, stride, padding, input, weights, tap_weights, bias, lower, upper, output);
}
#endif

SHRINK_NO_BUILTIN_COPIES void shrink_depthwise_conv(
    ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k, ptrdiff_t stride, ptrdiff_t padding,
    const float *input, const float *weights, const float *tap_weights, const float *bias, float lower, float upper,
    float *output) {
#if SHRINK_HAVE_X86_PATHS
    if (shrink_cpu_active_path() == SHRINK_CPU_PATH_AVX512) {
        depthwise_conv_avx512(channels, height, width, k, stride, padding, input, weights, tap_weights, bias, lower, upper,
                              output);
        return;
    }
#endif
    depthwise_conv(0, channels, height, width, k, stride, padding, input, weights, tap_weights, bias, lower, upper, output);
}

/// One output row of max pooling: window rows [r0, r1) of the input starting at `rows` (row y0),
/// columns whose whole window is inside the input in [x_begin, x_end) (no checks there, a
/// register maximum per output), the rest clipped. A window with no input gives −infinity; an
/// input never loses to −infinity padding, and NaN never wins (v > m ? v : m).
static inline __attribute__((always_inline)) void max_pool_row(
    const ptrdiff_t width, const ptrdiff_t kw, const ptrdiff_t sw, const ptrdiff_t pad_left, const ptrdiff_t ow,
    const ptrdiff_t x_begin, const ptrdiff_t x_end, const float *restrict rows, const ptrdiff_t r0, const ptrdiff_t r1,
    float *restrict out) {
    for (ptrdiff_t ox = x_begin; ox < x_end; ox++) {
        const float *window = rows + ox * sw - pad_left;
        float m = -INFINITY;
        for (ptrdiff_t kr = r0; kr < r1; kr++)
            for (ptrdiff_t kc = 0; kc < kw; kc++) {
                const float v = window[kr * width + kc];
                m = v > m ? v : m;
            }
        out[ox] = m;
    }
    for (ptrdiff_t ox = 0; ox < ow; ox++) {
        if (ox == x_begin) ox = x_end;
        if (ox >= ow) break;
        const ptrdiff_t x0 = ox * sw - pad_left;
        const ptrdiff_t c0 = x0 < 0 ? -x0 : 0, c1 = x0 + kw > width ? width - x0 : kw;
        float m = -INFINITY;
        for (ptrdiff_t kr = r0; kr < r1; kr++)
            for (ptrdiff_t kc = c0; kc < c1; kc++) {
                const float v = rows[kr * width + x0 + kc];
                m = v > m ? v : m;
            }
        out[ox] = m;
    }
}

static inline __attribute__((always_inline)) void max_pool_planes(
    const ptrdiff_t planes, const ptrdiff_t height, const ptrdiff_t width, const ptrdiff_t kh, const ptrdiff_t kw,
    const ptrdiff_t sh, const ptrdiff_t sw, const ptrdiff_t pad_top, const ptrdiff_t pad_left, const ptrdiff_t oh,
    const ptrdiff_t ow, const float *input, float *output) {
    ptrdiff_t x_begin, x_end;
    interior_columns(width, kw, sw, pad_left, ow, &x_begin, &x_end);
    for (ptrdiff_t p = 0; p < planes; p++) {
        const float *plane = input + p * height * width;
        float *target = output + p * oh * ow;
        for (ptrdiff_t oy = 0; oy < oh; oy++) {
            const ptrdiff_t y0 = oy * sh - pad_top;
            const ptrdiff_t r0 = y0 < 0 ? -y0 : 0, r1 = y0 + kh > height ? height - y0 : kh;
            const float *rows = plane + y0 * width;
            if (r0 == 0 && r1 == kh) max_pool_row(width, kw, sw, pad_left, ow, x_begin, x_end, rows, 0, kh, target + oy * ow);
            else max_pool_row(width, kw, sw, pad_left, ow, x_begin, x_end, rows, r0, r1 < r0 ? r0 : r1, target + oy * ow);
        }
    }
}

#if SHRINK_HAVE_X86_PATHS
/// 3×3 stride-2 max pooling of rows of at most 32 floats on AVX-512: per output row, the
/// maximum of the (up to) 3 input rows as two vectors, then the 3 taps of each output column
/// picked with vpermt2ps (taps outside the row masked to −infinity), each maximum as
/// max(v, m) = v > m ? v : m, the scalar rule (NaN never wins). Only the order of the taps
/// differs from the scalar loop (which could show only in the sign of a zero maximum).
SHRINK_TARGET_AVX512 static void max_pool_3x3s2_narrow_avx512(ptrdiff_t planes, ptrdiff_t height, ptrdiff_t width,
                                                           ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t oh,
                                                           ptrdiff_t ow, const float *input, float *output) {
    const __m512 lowest = _mm512_set1_ps(-INFINITY);
    const __mmask16 first = shrink_lanes(width), second = shrink_lanes(width - 16), store = shrink_lanes(ow);
    __m512i taps[3];
    __mmask16 inside[3];
    for (int kc = 0; kc < 3; kc++) {
        int index[16];
        __mmask16 valid = 0;
        for (int ox = 0; ox < 16; ox++) {
            const ptrdiff_t x = ox * 2 - pad_left + kc;
            index[ox] = x >= 0 && x < width ? (int)x : 0;
            if (ox < ow && x >= 0 && x < width) valid |= (__mmask16)(1u << ox);
        }
        taps[kc] = _mm512_loadu_si512((const void *)index);
        inside[kc] = valid;
    }
    for (ptrdiff_t p = 0; p < planes; p++) {
        const float *plane = input + p * height * width;
        float *target = output + p * oh * ow;
        for (ptrdiff_t oy = 0; oy < oh; oy++) {
            __m512 low = lowest, high = lowest;
            for (ptrdiff_t kr = 0; kr < 3; kr++) {
                const ptrdiff_t y = oy * 2 - pad_top + kr;
                if (y < 0 || y >= height) continue;
                low = _mm512_max_ps(_mm512_mask_loadu_ps(lowest, first, plane + y * width), low);
                high = _mm512_max_ps(_mm512_mask_loadu_ps(lowest, second, plane + y * width + 16), high);
            }
            __m512 m = lowest;
            for (int kc = 0; kc < 3; kc++) {
                // Lanes whose tap is outside the row read −infinity (padding never wins).
                const __m512 tap = _mm512_mask_mov_ps(lowest, inside[kc], _mm512_permutex2var_ps(low, taps[kc], high));
                m = _mm512_max_ps(tap, m);
            }
            _mm512_mask_storeu_ps(target + oy * ow, store, m);
        }
    }
}
#endif

void shrink_max_pool(ptrdiff_t planes, ptrdiff_t height, ptrdiff_t width, ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t sh,
                     ptrdiff_t sw, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t oh, ptrdiff_t ow, const float *input,
                     float *output) {
    if (kh == 3 && kw == 3 && sh == 2 && sw == 2) {
#if SHRINK_HAVE_X86_PATHS
        if (shrink_cpu_active_path() == SHRINK_CPU_PATH_AVX512 && width <= 32 && ow <= 16) {
            max_pool_3x3s2_narrow_avx512(planes, height, width, pad_top, pad_left, oh, ow, input, output);
            return;
        }
#endif
        max_pool_planes(planes, height, width, 3, 3, 2, 2, pad_top, pad_left, oh, ow, input, output);
    } else if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {
        max_pool_planes(planes, height, width, 2, 2, 2, 2, pad_top, pad_left, oh, ow, input, output);
    } else {
        max_pool_planes(planes, height, width, kh, kw, sh, sw, pad_top, pad_left, oh, ow, input, output);
    }
}
