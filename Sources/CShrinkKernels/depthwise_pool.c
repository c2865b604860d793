// Native inference kernels for the runtime's depthwise convolutions and max pooling: direct loops
// over each channel plane, the valid output range of each kernel tap computed once so the inner
// loops have no bounds checks (the compiler vectorizes the stride-1 ones). Plain C.
#include "shrink_kernels.h"

#include <math.h>

/// First output index o with o·stride − padding + tap ≥ 0, and one past the last with it < size.
static inline void valid_range(ptrdiff_t size, ptrdiff_t outputs, ptrdiff_t stride, ptrdiff_t offset, ptrdiff_t *begin,
                               ptrdiff_t *end) {
    // x = o·stride + offset; need 0 ≤ x < size.
    ptrdiff_t b = 0;
    if (offset < 0) b = (-offset + stride - 1) / stride;
    ptrdiff_t e = size - offset <= 0 ? 0 : (size - offset - 1) / stride + 1;
    if (e > outputs) e = outputs;
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

void shrink_depthwise_conv(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k, ptrdiff_t stride,
                           ptrdiff_t padding, const float *input, const float *weights, const float *bias,
                           float lower, float upper, float *output) {
    const ptrdiff_t oh = (height + 2 * padding - k) / stride + 1, ow = (width + 2 * padding - k) / stride + 1;
    // Output columns whose whole window is inside the input: x0 = ox·stride − padding ≥ 0 and x0 + k ≤ width.
    ptrdiff_t interior_begin = (padding + stride - 1) / stride;
    ptrdiff_t interior_end = width - k + padding < 0 ? 0 : (width - k + padding) / stride + 1;
    if (interior_end > ow) interior_end = ow;
    if (interior_begin > interior_end) interior_begin = interior_end;
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

void shrink_max_pool(ptrdiff_t planes, ptrdiff_t height, ptrdiff_t width, ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t sh,
                     ptrdiff_t sw, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t oh, ptrdiff_t ow, const float *input,
                     float *output) {
    ptrdiff_t begins[kw], ends[kw];
    for (ptrdiff_t kc = 0; kc < kw; kc++) valid_range(width, ow, sw, kc - pad_left, &begins[kc], &ends[kc]);
    for (ptrdiff_t p = 0; p < planes; p++) {
        const float *plane = input + p * height * width;
        float *target = output + p * oh * ow;
        for (ptrdiff_t oy = 0; oy < oh; oy++) {
            float *row = target + oy * ow;
            for (ptrdiff_t ox = 0; ox < ow; ox++) row[ox] = -INFINITY;
            for (ptrdiff_t kr = 0; kr < kh; kr++) {
                const ptrdiff_t y = oy * sh - pad_top + kr;
                if (y < 0 || y >= height) continue;
                const float *source = plane + y * width;
                for (ptrdiff_t kc = 0; kc < kw; kc++) {
                    const ptrdiff_t begin = begins[kc], end = ends[kc];
                    const float *s = source + kc - pad_left;
                    for (ptrdiff_t ox = begin; ox < end; ox++) {
                        const float v = s[ox * sw];
                        row[ox] = v > row[ox] ? v : row[ox];
                    }
                }
            }
        }
    }
}
