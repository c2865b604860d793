// Private helpers shared by the dequantizing epilogues of the int8 (int8_linear.c) and sub-byte
// (int4_linear.c) kernels: the exact int32 sum of a row and an output channel, already centered
// (zero points removed), times the activation and weight scales, plus the bias, then the ReLU.
#ifndef SHRINK_QUANTIZED_EPILOGUE_H
#define SHRINK_QUANTIZED_EPILOGUE_H

#include "sgemm_internal.h"

#include <stdint.h>

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>
#endif

/// (float)centered · (x_scale · w_scale) + *bias (bias may be NULL); with relu, value >= 0 ?
/// value : 0 (keeps −0, maps NaN to 0).
static inline float shrink_dequantized_value(int32_t centered, float x_scale, float w_scale, const float *bias,
                                             int relu) {
    float value = (float)centered * (x_scale * w_scale);
    if (bias) value += *bias;
    if (relu) value = value >= 0 ? value : 0;
    return value;
}

#if SHRINK_HAVE_X86_PATHS
/// shrink_dequantized_value for 16 consecutive output channels of one row: y[c] from centered
/// lane c, w_scales[c] and bias[c] (bias may be NULL).
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_VNNI void shrink_store_dequantized16(__m512i centered, __m512 x_scale,
                                                                              const float *w_scales, const float *bias,
                                                                              int relu, float *y) {
    __m512 value = _mm512_mul_ps(_mm512_cvtepi32_ps(centered), _mm512_mul_ps(x_scale, _mm512_loadu_ps(w_scales)));
    if (bias) value = _mm512_add_ps(value, _mm512_loadu_ps(bias));
    if (relu) {
        const __m512 zero = _mm512_setzero_ps();
        value = _mm512_mask_mov_ps(zero, _mm512_cmp_ps_mask(value, zero, _CMP_GE_OQ), value);
    }
    _mm512_storeu_ps(y, value);
}
#endif

#endif
