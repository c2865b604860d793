// A 16×16 float block transpose in AVX-512 registers, shared by the runtime's layout changes
// (the convolution output scatter, the channels-last depthwise path). Private header.
//
// Four butterfly stages: stage s (1, 2, 4, 8) swaps bit s of the row index with bit s of the
// column index, exchanging rows i and i + s (bit s of i clear) through two vpermt2ps:
//   new_a[c] = bit s of c clear ? a[c] : b[c − s],   new_b[c] = bit s of c clear ? a[c + s] : b[c].
// After all four stages element (i, c) sits at (c, i).
#ifndef SHRINK_TRANSPOSE_AVX512_H
#define SHRINK_TRANSPOSE_AVX512_H

#include "sgemm_internal.h"

#if SHRINK_HAVE_X86_PATHS
#include <immintrin.h>

static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void shrink_transpose16_avx512(__m512 r[16]) {
    for (int s = 1; s < 16; s <<= 1) {
        int low[16], high[16];
        for (int c = 0; c < 16; c++) {
            low[c] = (c & s) ? 16 + c - s : c;
            high[c] = (c & s) ? 16 + c : c + s;
        }
        const __m512i index_low = _mm512_loadu_si512((const void *)low), index_high = _mm512_loadu_si512((const void *)high);
        for (int i = 0; i < 16; i++) {
            if (i & s) continue;
            const __m512 a = r[i], b = r[i + s];
            r[i] = _mm512_permutex2var_ps(a, index_low, b);
            r[i + s] = _mm512_permutex2var_ps(a, index_high, b);
        }
    }
}

/// The mask of the first `count` (0...16) lanes.
static SHRINK_ALWAYS_INLINE __mmask16 shrink_lanes(ptrdiff_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count < 0 ? 0 : count)) - 1);
}

/// Lane i holds i · stride: the 32-bit element offsets of a gather or scatter `stride` floats apart.
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 __m512i shrink_lane_offsets_avx512(ptrdiff_t stride) {
    return _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                              _mm512_set1_epi32((int)stride));
}

/// Loads the block src[i · stride + c] for i < rows, c < columns (zeros elsewhere; rows and
/// columns at most 16) and transposes it: r[c] holds column c, lane i = src[i · stride + c].
static SHRINK_ALWAYS_INLINE SHRINK_TARGET_AVX512 void shrink_load_transposed_avx512(const float *src, ptrdiff_t stride,
                                                                                   ptrdiff_t rows, ptrdiff_t columns,
                                                                                   __m512 r[16]) {
    const __mmask16 mask = shrink_lanes(columns);
    for (int i = 0; i < 16; i++) r[i] = i < rows ? _mm512_maskz_loadu_ps(mask, src + i * stride) : _mm512_setzero_ps();
    shrink_transpose16_avx512(r);
}
#endif

#endif
