// Training's memory-bound loops around the GEMMs of a convolution: im2col / col2im over a batch
// of samples, and batch normalization (statistics, forward, backward). Plain C the compiler
// vectorizes; on x86-64 each entry point is cloned for AVX-512 and AVX2 and the loader picks one
// (target_clones). Sums use 16 fp32 lanes per plane added into fp64, whatever the clone, so every
// path gives the same statistics. Swift references: ConvolutionGeometry.lowerReference /
// accumulateLoweredReference and BatchNormalization2D's reference statistics (tests compare).
#include "shrink_kernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)
#define SHRINK_TRAINING_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SHRINK_TRAINING_CLONES
#endif

/// The output positions lower..<upper (along one axis) whose input position
/// `o·stride − padding + offset` lies inside 0..<input_extent.
static inline void valid_range(ptrdiff_t offset, ptrdiff_t padding, ptrdiff_t stride, ptrdiff_t input_extent,
                               ptrdiff_t output_extent, ptrdiff_t *lower, ptrdiff_t *upper) {
    const ptrdiff_t low_numerator = padding - offset;
    ptrdiff_t low = low_numerator <= 0 ? 0 : (low_numerator + stride - 1) / stride;
    if (low > output_extent) low = output_extent;
    const ptrdiff_t high_numerator = input_extent - 1 + padding - offset;
    ptrdiff_t high = high_numerator < 0 ? 0 : high_numerator / stride + 1;
    if (high > output_extent) high = output_extent;
    *lower = low;
    *upper = high < low ? low : high;
}

SHRINK_TRAINING_CLONES
void shrink_lower_samples(const shrink_lowering_geometry *g, ptrdiff_t samples, const float *input,
                          float *columns) {
    const ptrdiff_t oh = g->output_height, ow = g->output_width, pixels = oh * ow;
    const ptrdiff_t row_width = samples * pixels, plane = g->height * g->width;
    const ptrdiff_t sw = g->stride_width, row_step = g->stride_height * g->width;
    for (ptrdiff_t channel = 0; channel < g->channels; channel++) {
        for (ptrdiff_t kr = 0; kr < g->kernel_height; kr++) {
            ptrdiff_t first_row, end_row;
            valid_range(kr * g->dilation_height, g->pad_top, g->stride_height, g->height, oh, &first_row, &end_row);
            for (ptrdiff_t kc = 0; kc < g->kernel_width; kc++) {
                const ptrdiff_t row = (channel * g->kernel_height + kr) * g->kernel_width + kc;
                ptrdiff_t lower, upper;
                valid_range(kc * g->dilation_width, g->pad_left, sw, g->width, ow, &lower, &upper);
                // Input offset (within a plane) of output (first_row, 0) at this tap.
                const ptrdiff_t first_offset = (first_row * g->stride_height - g->pad_top + kr * g->dilation_height) * g->width
                                               + kc * g->dilation_width - g->pad_left;
                for (ptrdiff_t sample = 0; sample < samples; sample++) {
                    float *destination = columns + row * row_width + sample * pixels;
                    if (first_row > 0) memset(destination, 0, (size_t)(first_row * ow) * sizeof(float));
                    if (end_row < oh) memset(destination + end_row * ow, 0, (size_t)((oh - end_row) * ow) * sizeof(float));
                    if (first_row >= end_row) continue;
                    const float *source = input + (sample * g->channels + channel) * plane + first_offset;
                    float *target = destination + first_row * ow;
                    if (sw == 1 && lower == 0 && upper == ow && row_step == ow) {
                        // Consecutive output rows read consecutive input rows: one block copy.
                        memcpy(target, source, (size_t)((end_row - first_row) * ow) * sizeof(float));
                        continue;
                    }
                    for (ptrdiff_t r = first_row; r < end_row; r++, source += row_step, target += ow) {
                        for (ptrdiff_t x = 0; x < lower; x++) target[x] = 0.0f;
                        if (sw == 1) {
                            for (ptrdiff_t x = lower; x < upper; x++) target[x] = source[x];
                        } else {
                            for (ptrdiff_t x = lower; x < upper; x++) target[x] = source[x * sw];
                        }
                        for (ptrdiff_t x = upper; x < ow; x++) target[x] = 0.0f;
                    }
                }
            }
        }
    }
}

SHRINK_TRAINING_CLONES
void shrink_accumulate_lowered_samples(const shrink_lowering_geometry *g, ptrdiff_t samples, const float *columns,
                                       float *input_gradient) {
    const ptrdiff_t oh = g->output_height, ow = g->output_width, pixels = oh * ow;
    const ptrdiff_t row_width = samples * pixels, plane = g->height * g->width;
    const ptrdiff_t sw = g->stride_width, row_step = g->stride_height * g->width;
    for (ptrdiff_t channel = 0; channel < g->channels; channel++) {
        for (ptrdiff_t kr = 0; kr < g->kernel_height; kr++) {
            ptrdiff_t first_row, end_row;
            valid_range(kr * g->dilation_height, g->pad_top, g->stride_height, g->height, oh, &first_row, &end_row);
            if (first_row >= end_row) continue;
            for (ptrdiff_t kc = 0; kc < g->kernel_width; kc++) {
                const ptrdiff_t row = (channel * g->kernel_height + kr) * g->kernel_width + kc;
                ptrdiff_t lower, upper;
                valid_range(kc * g->dilation_width, g->pad_left, sw, g->width, ow, &lower, &upper);
                const ptrdiff_t first_offset = (first_row * g->stride_height - g->pad_top + kr * g->dilation_height) * g->width
                                               + kc * g->dilation_width - g->pad_left;
                for (ptrdiff_t sample = 0; sample < samples; sample++) {
                    const float *values = columns + row * row_width + sample * pixels + first_row * ow;
                    float *target = input_gradient + (sample * g->channels + channel) * plane + first_offset;
                    if (sw == 1 && lower == 0 && upper == ow && row_step == ow) {
                        const ptrdiff_t count = (end_row - first_row) * ow;
                        for (ptrdiff_t x = 0; x < count; x++) target[x] += values[x];
                        continue;
                    }
                    for (ptrdiff_t r = first_row; r < end_row; r++, values += ow, target += row_step) {
                        if (sw == 1) {
                            for (ptrdiff_t x = lower; x < upper; x++) target[x] += values[x];
                        } else {
                            for (ptrdiff_t x = lower; x < upper; x++) target[x * sw] += values[x];
                        }
                    }
                }
            }
        }
    }
}

enum { LANES = 16 };

/// Σ source[0..<count] in 16 fp32 lanes (lane i takes the elements ≡ i mod 16), the lanes then
/// added in order in fp64.
static inline __attribute__((always_inline)) double lane_sum(const float *source, ptrdiff_t count) {
    float lanes[LANES] = {0};
    ptrdiff_t index = 0;
    for (; index + LANES <= count; index += LANES)
        for (int lane = 0; lane < LANES; lane++) lanes[lane] += source[index + lane];
    for (int lane = 0; index < count; index++, lane++) lanes[lane] += source[index];
    double total = 0;
    for (int lane = 0; lane < LANES; lane++) total += lanes[lane];
    return total;
}

/// Σ (source − mean)² over source[0..<count], lanes as in lane_sum.
static inline __attribute__((always_inline)) double lane_squares(const float *source, ptrdiff_t count, float mean) {
    float lanes[LANES] = {0};
    ptrdiff_t index = 0;
    for (; index + LANES <= count; index += LANES)
        for (int lane = 0; lane < LANES; lane++) {
            const float centered = source[index + lane] - mean;
            lanes[lane] += centered * centered;
        }
    for (int lane = 0; index < count; index++, lane++) {
        const float centered = source[index] - mean;
        lanes[lane] += centered * centered;
    }
    double total = 0;
    for (int lane = 0; lane < LANES; lane++) total += lanes[lane];
    return total;
}

SHRINK_TRAINING_CLONES
void shrink_batch_norm_statistics(ptrdiff_t batch, ptrdiff_t channels, ptrdiff_t plane, ptrdiff_t first, ptrdiff_t end,
                                  const float *x, double *mean, double *squares) {
    const double reduced = (double)(batch * plane);
    for (ptrdiff_t channel = first; channel < end; channel++) {
        double sum = 0;
        for (ptrdiff_t sample = 0; sample < batch; sample++) sum += lane_sum(x + (sample * channels + channel) * plane, plane);
        const double channel_mean = sum / reduced;
        double total = 0;
        for (ptrdiff_t sample = 0; sample < batch; sample++)
            total += lane_squares(x + (sample * channels + channel) * plane, plane, (float)channel_mean);
        mean[channel] = channel_mean;
        squares[channel] = total;
    }
}

SHRINK_TRAINING_CLONES
void shrink_batch_norm_forward(ptrdiff_t batch, ptrdiff_t channels, ptrdiff_t plane, ptrdiff_t first, ptrdiff_t end,
                               const float *x, const float *mean, const float *inverse, const float *scale,
                               const float *shift, float lower, float *normalized, float *y) {
    for (ptrdiff_t sample = 0; sample < batch; sample++) {
        for (ptrdiff_t channel = first; channel < end; channel++) {
            const ptrdiff_t offset = (sample * channels + channel) * plane;
            const float m = mean[channel], s = inverse[channel], a = scale[channel], b = shift[channel];
            const float *source = x + offset;
            float *target = y + offset;
            if (normalized) {
                float *kept = normalized + offset;
                for (ptrdiff_t index = 0; index < plane; index++) {
                    const float value = (source[index] - m) * s;
                    kept[index] = value;
                    const float output = a * value + b;
                    target[index] = output < lower ? lower : output;
                }
            } else {
                for (ptrdiff_t index = 0; index < plane; index++) {
                    const float output = a * ((source[index] - m) * s) + b;
                    target[index] = output < lower ? lower : output;
                }
            }
        }
    }
}

/// The gradient at i: g[i], or g[i] where gate[i] > 0 when there is a gate. Both loads are
/// unconditional, so the masked loops vectorize as a compare and a blend.
static inline __attribute__((always_inline)) float gated(const float *g, const float *gate, ptrdiff_t i) {
    const float value = g[i];
    if (!gate) return value;
    const float gate_value = gate[i];
    return gate_value > 0 ? value : 0.0f;
}

/// One channel of shrink_batch_norm_backward; inlined twice so the unmasked loops carry no test.
static inline __attribute__((always_inline)) void batch_norm_backward_channel(
    ptrdiff_t batch, ptrdiff_t channels, ptrdiff_t plane, ptrdiff_t channel, const float *normalized, const float *dy,
    const float *mask, float factor, float *shift_gradient, float *scale_gradient, float *dx) {
    const float reduced = (float)(batch * plane);
    double shift_sum = 0, scale_sum = 0;
    for (ptrdiff_t sample = 0; sample < batch; sample++) {
        const ptrdiff_t offset = (sample * channels + channel) * plane;
        const float *g = dy + offset, *xhat = normalized + offset;
        const float *gate = mask ? mask + offset : NULL;
        float shift_lanes[LANES] = {0}, scale_lanes[LANES] = {0};
        ptrdiff_t index = 0;
        for (; index + LANES <= plane; index += LANES)
            for (int lane = 0; lane < LANES; lane++) {
                const float value = gated(g, gate, index + lane);
                shift_lanes[lane] += value;
                scale_lanes[lane] += value * xhat[index + lane];
            }
        for (int lane = 0; index < plane; index++, lane++) {
            const float value = gated(g, gate, index);
            shift_lanes[lane] += value;
            scale_lanes[lane] += value * xhat[index];
        }
        for (int lane = 0; lane < LANES; lane++) {
            shift_sum += shift_lanes[lane];
            scale_sum += scale_lanes[lane];
        }
    }
    const float shift_total = (float)shift_sum, scale_total = (float)scale_sum;
    shift_gradient[channel] = shift_total;
    scale_gradient[channel] = scale_total;
    for (ptrdiff_t sample = 0; sample < batch; sample++) {
        const ptrdiff_t offset = (sample * channels + channel) * plane;
        const float *g = dy + offset, *xhat = normalized + offset;
        const float *gate = mask ? mask + offset : NULL;
        float *target = dx + offset;
        for (ptrdiff_t index = 0; index < plane; index++) {
            const float value = gated(g, gate, index);
            target[index] = factor * (reduced * value - shift_total - xhat[index] * scale_total);
        }
    }
}

SHRINK_TRAINING_CLONES
void shrink_batch_norm_backward(ptrdiff_t batch, ptrdiff_t channels, ptrdiff_t plane, ptrdiff_t first, ptrdiff_t end,
                                const float *normalized, const float *dy, const float *mask, const float *factor,
                                float *shift_gradient, float *scale_gradient, float *dx) {
    for (ptrdiff_t channel = first; channel < end; channel++) {
        if (mask)
            batch_norm_backward_channel(batch, channels, plane, channel, normalized, dy, mask, factor[channel],
                                        shift_gradient, scale_gradient, dx);
        else
            batch_norm_backward_channel(batch, channels, plane, channel, normalized, dy, NULL, factor[channel],
                                        shift_gradient, scale_gradient, dx);
    }
}
