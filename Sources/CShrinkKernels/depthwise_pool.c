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

static inline __attribute__((always_inline)) void depthwise_plane(
    const ptrdiff_t height, const ptrdiff_t width, const ptrdiff_t k, const ptrdiff_t stride, const ptrdiff_t padding,
    const ptrdiff_t oh, const ptrdiff_t ow, const float *input, const float *w, float b, float lower, float upper,
    float *output) {
    for (ptrdiff_t oy = 0; oy < oh; oy++) {
        float *row = output + oy * ow;
        for (ptrdiff_t ox = 0; ox < ow; ox++) row[ox] = 0.0f;
        for (ptrdiff_t kr = 0; kr < k; kr++) {
            const ptrdiff_t y = oy * stride - padding + kr;
            if (y < 0 || y >= height) continue;
            const float *source = input + y * width;
            for (ptrdiff_t kc = 0; kc < k; kc++) {
                const float weight = w[kr * k + kc];
                ptrdiff_t begin, end;
                valid_range(width, ow, stride, kc - padding, &begin, &end);
                const float *s = source + kc - padding;
                if (stride == 1) {
                    for (ptrdiff_t ox = begin; ox < end; ox++) row[ox] += weight * s[ox];
                } else {
                    for (ptrdiff_t ox = begin; ox < end; ox++) row[ox] += weight * s[ox * stride];
                }
            }
        }
        for (ptrdiff_t ox = 0; ox < ow; ox++) {
            float v = row[ox] + b;
            v = v < lower ? lower : v;
            row[ox] = v > upper ? upper : v;
        }
    }
}

void shrink_depthwise_conv(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k, ptrdiff_t stride,
                           ptrdiff_t padding, const float *input, const float *weights, const float *bias,
                           float lower, float upper, float *output) {
    const ptrdiff_t oh = (height + 2 * padding - k) / stride + 1, ow = (width + 2 * padding - k) / stride + 1;
    for (ptrdiff_t c = 0; c < channels; c++) {
        const float *plane = input + c * height * width;
        float *target = output + c * oh * ow;
        const float b = bias ? bias[c] : 0.0f;
        if (k == 3)
            depthwise_plane(height, width, 3, stride, padding, oh, ow, plane, weights + c * 9, b, lower, upper, target);
        else
            depthwise_plane(height, width, k, stride, padding, oh, ow, plane, weights + c * k * k, b, lower, upper, target);
    }
}

void shrink_max_pool(ptrdiff_t planes, ptrdiff_t height, ptrdiff_t width, ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t sh,
                     ptrdiff_t sw, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t oh, ptrdiff_t ow, const float *input,
                     float *output) {
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
                    ptrdiff_t begin, end;
                    valid_range(width, ow, sw, kc - pad_left, &begin, &end);
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
