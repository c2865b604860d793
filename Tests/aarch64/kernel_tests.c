// Kernel path tests in C, built with the CShrinkKernels sources by scripts/aarch64/test-kernels.sh:
// cross-compiled for aarch64 and run under qemu-user (the NEON path), or natively on x86-64 (the
// AVX2 / AVX-512 paths). For the int8, palettized int8, fp16, palettized and CSR sparse kernels,
// on seeded random shapes (m 1...70, odd n and k off the vector widths, row strides past k), every
// path this CPU supports is compared with the portable path and a naive reference: exactly for
// int32 sums, within a summation error bound for fp32 outputs. Prints a line per kernel; exits 1
// on any mismatch (the first few are printed).
//
// Usage: kernel_tests [seed]   (default seed 1)
#include "shrink_kernels.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#endif

// MARK: - Random numbers and buffers

static uint64_t random_state;

/// splitmix64: a fixed sequence for a seed on every platform.
static uint64_t next_random(void) {
    uint64_t z = (random_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// A uniform integer in low...high.
static ptrdiff_t random_in(ptrdiff_t low, ptrdiff_t high) {
    return low + (ptrdiff_t)(next_random() % (uint64_t)(high - low + 1));
}

/// A uniform float in [-1, 1).
static float random_float(void) { return (float)((double)(next_random() >> 40) / (double)(1ull << 23) - 1.0); }

static void *allocate(size_t bytes) {
    void *memory = calloc(bytes ? bytes : 1, 1);
    if (!memory) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return memory;
}

// MARK: - Paths and results

static const shrink_cpu_path all_paths[] = {SHRINK_CPU_PATH_AVX2, SHRINK_CPU_PATH_AVX512, SHRINK_CPU_PATH_NEON};
static const char *const path_names[] = {"portable", "avx2", "avx512", "neon"};

/// The supported paths other than portable, and their count.
static shrink_cpu_path vector_paths[3];
static int vector_path_count;

/// What one kernel's checks found.
typedef struct {
    const char *name;
    int cases, comparisons, mismatches;
    double worst;  // largest |difference| / allowed error seen (0 for exact checks)
} kernel_result;

static int total_mismatches;

/// Forces path number q (−1: portable, else vector_paths[q]) and returns it.
static shrink_cpu_path force_path_number(int q) {
    const shrink_cpu_path path = q < 0 ? SHRINK_CPU_PATH_PORTABLE : vector_paths[q];
    if (shrink_cpu_force_path(path) != 0) {
        fprintf(stderr, "cannot force path %s\n", path_names[path]);
        exit(2);
    }
    return path;
}

/// Compares `count` int32 results with the reference exactly.
static void check_exact(kernel_result *result, const char *path, const char *shape, const int32_t *got,
                        const int32_t *expected, ptrdiff_t count) {
    result->comparisons++;
    for (ptrdiff_t t = 0; t < count; t++) {
        if (got[t] == expected[t]) continue;
        result->mismatches++;
        if (total_mismatches++ < 10)
            printf("  MISMATCH %s [%s] %s: element %td is %d, expected %d\n", result->name, path, shape, t, got[t],
                   expected[t]);
        return;
    }
}

/// Compares `count` fp32 results with the double reference: |got − expected| ≤ bound[t].
static void check_close(kernel_result *result, const char *path, const char *shape, const float *got,
                        const double *expected, const double *bound, ptrdiff_t count) {
    result->comparisons++;
    for (ptrdiff_t t = 0; t < count; t++) {
        const double difference = fabs((double)got[t] - expected[t]);
        const double ratio = bound[t] > 0 ? difference / bound[t] : (difference > 0 ? INFINITY : 0);
        if (ratio > result->worst) result->worst = ratio;
        if (ratio <= 1) continue;
        result->mismatches++;
        if (total_mismatches++ < 10)
            printf("  MISMATCH %s [%s] %s: element %td is %.9g, expected %.9g (allowed error %.3g)\n", result->name, path,
                   shape, t, (double)got[t], expected[t], bound[t]);
        return;
    }
}

static void report(const kernel_result *result) {
    printf("%-22s %4d cases, %4d comparisons, %d mismatches", result->name, result->cases, result->comparisons,
           result->mismatches);
    if (result->worst > 0) printf(", worst error %.3f of the bound", result->worst);
    printf("\n");
}

/// The error bound of an fp32 sum of `terms` products (any order, with or without FMA) whose
/// absolute values add up to `magnitude`: (terms + 2) · ε/2 · magnitude, plus a tiny floor.
static double sum_bound(ptrdiff_t terms, double magnitude) {
    return (double)(terms + 2) * (FLT_EPSILON / 2) * magnitude + 1e-30;
}

/// A random shape: m 1...70 (often 1 or a few), n and k 1...max.
static void random_shape(ptrdiff_t *m, ptrdiff_t *n, ptrdiff_t *k, ptrdiff_t max_n, ptrdiff_t max_k) {
    const int kind = (int)random_in(0, 3);
    *m = kind == 0 ? 1 : kind == 1 ? random_in(2, 7) : random_in(1, 70);
    *n = random_in(1, max_n);
    *k = random_in(1, max_k);
}

// MARK: - Int8 and palettized int8

/// u8 activations and s8 weights: random, or (one case in four) the extremes 255 × −128 / 127.
static void int8_operands(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, ptrdiff_t ldx, uint8_t *x, int8_t *w) {
    const int extremes = random_in(0, 3) == 0;
    for (ptrdiff_t i = 0; i < m * ldx; i++) x[i] = extremes ? 255 : (uint8_t)random_in(0, 255);
    for (ptrdiff_t i = 0; i < n * k; i++) w[i] = extremes ? (int8_t)(i % 3 ? -128 : 127) : (int8_t)random_in(-128, 127);
}

static void test_int8(int cases, kernel_result *sums_result, kernel_result *linear_result) {
    for (int c = 0; c < cases; c++) {
        ptrdiff_t m, n, k;
        random_shape(&m, &n, &k, 150, 300);
        const ptrdiff_t ldx = k + random_in(0, 5), ldy = n + random_in(0, 3);
        uint8_t *x = allocate((size_t)(m * ldx));
        int8_t *w = allocate((size_t)(n * k));
        int8_operands(m, n, k, ldx, x, w);
        int8_t *packed = allocate(shrink_int8_packed_size(n, k));
        int32_t *row_sums = allocate((size_t)n * sizeof(int32_t));
        shrink_int8_pack_weights(n, k, w, k, packed, row_sums);
        int32_t *expected = allocate((size_t)(m * n) * sizeof(int32_t)), *got = allocate((size_t)(m * n) * sizeof(int32_t));
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) {
                int32_t sum = 0;
                for (ptrdiff_t p = 0; p < k; p++) sum += (int32_t)x[i * ldx + p] * w[j * k + p];
                expected[i * n + j] = sum;
            }
        // The dequantizing epilogue on top of the sums: per-row activation parameters, bias.
        float *x_scales = allocate((size_t)m * sizeof(float)), *w_scales = allocate((size_t)n * sizeof(float));
        float *bias = allocate((size_t)n * sizeof(float));
        int32_t *zero_points = allocate((size_t)m * sizeof(int32_t));
        for (ptrdiff_t i = 0; i < m; i++) { x_scales[i] = 0.01f + (random_float() + 1) * 0.02f; zero_points[i] = (int32_t)random_in(0, 255); }
        for (ptrdiff_t j = 0; j < n; j++) { w_scales[j] = 0.001f + (random_float() + 1) * 0.01f; bias[j] = random_float(); }
        double *reference = allocate((size_t)(m * ldy) * sizeof(double)), *bound = allocate((size_t)(m * ldy) * sizeof(double));
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) {
                const double centered = (double)expected[i * n + j] - (double)zero_points[i] * row_sums[j];
                const double value = centered * ((double)x_scales[i] * w_scales[j]) + bias[j];
                reference[i * ldy + j] = value;
                // int32 → float rounding, two products and the bias add: a few ulps of the terms.
                bound[i * ldy + j] = 4 * FLT_EPSILON * (fabs(centered * x_scales[i] * w_scales[j]) + fabs(bias[j])) + 1e-30;
            }
        float *y = allocate((size_t)(m * ldy) * sizeof(float));
        char shape[96];
        snprintf(shape, sizeof shape, "m=%td n=%td k=%td ldx=%td", m, n, k, ldx);
        for (int q = -1; q < vector_path_count; q++) {
            const shrink_cpu_path path = force_path_number(q);
            memset(got, 0x55, (size_t)(m * n) * sizeof(int32_t));
            shrink_int8_gemm_s32(m, n, k, x, ldx, packed, got, n);
            check_exact(sums_result, path_names[path], shape, got, expected, m * n);
            shrink_int8_linear(m, n, k, x, ldx, x_scales, zero_points, packed, row_sums, w_scales, bias, y, ldy);
            for (ptrdiff_t i = 0; i < m; i++)
                check_close(linear_result, path_names[path], shape, y + i * ldy, reference + i * ldy, bound + i * ldy, n);
        }
        sums_result->cases++;
        linear_result->cases++;
        free(x); free(w); free(packed); free(row_sums); free(expected); free(got);
        free(x_scales); free(w_scales); free(bias); free(zero_points); free(reference); free(bound); free(y);
    }
}

static void test_palette_int8(int cases, kernel_result *result) {
    for (int c = 0; c < cases; c++) {
        ptrdiff_t m, n, k;
        random_shape(&m, &n, &k, 150, 300);
        const ptrdiff_t ldx = k + random_in(0, 5);
        uint8_t *x = allocate((size_t)(m * ldx)), *indices = allocate((size_t)(n * k));
        int8_t codebook[16];
        const int extremes = random_in(0, 3) == 0;
        for (int t = 0; t < 16; t++) codebook[t] = extremes ? (int8_t)(t % 2 ? -128 : 127) : (int8_t)random_in(-128, 127);
        for (ptrdiff_t i = 0; i < m * ldx; i++) x[i] = extremes ? 255 : (uint8_t)random_in(0, 255);
        for (ptrdiff_t i = 0; i < n * k; i++) indices[i] = (uint8_t)random_in(0, 15);
        uint8_t *packed = allocate(shrink_palette_int8_packed_size(n, k));
        if (shrink_palette_int8_pack(n, k, indices, k, codebook, packed, NULL) != 0) {
            fprintf(stderr, "palette int8 packing failed\n");
            exit(2);
        }
        int32_t *expected = allocate((size_t)(m * n) * sizeof(int32_t)), *got = allocate((size_t)(m * n) * sizeof(int32_t));
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) {
                int32_t sum = 0;
                for (ptrdiff_t p = 0; p < k; p++) sum += (int32_t)x[i * ldx + p] * codebook[indices[j * k + p]];
                expected[i * n + j] = sum;
            }
        char shape[96];
        snprintf(shape, sizeof shape, "m=%td n=%td k=%td ldx=%td", m, n, k, ldx);
        for (int q = -1; q < vector_path_count; q++) {
            const shrink_cpu_path path = force_path_number(q);
            memset(got, 0x55, (size_t)(m * n) * sizeof(int32_t));
            shrink_palette_int8_gemm_s32(m, n, k, x, ldx, packed, codebook, got, n);
            check_exact(result, path_names[path], shape, got, expected, m * n);
        }
        result->cases++;
        free(x); free(indices); free(packed); free(expected); free(got);
    }
}

// MARK: - fp32 outputs (fp16, palettized, CSR)

/// y (m × n, row stride ldy) before a run: a copy of `initial` (m × n) or, when it is NULL, NaN bytes.
static void fill_output(float *y, ptrdiff_t m, ptrdiff_t n, ptrdiff_t ldy, const float *initial) {
    if (!initial) {
        memset(y, 0xFF, (size_t)(m * ldy) * sizeof(float));
        return;
    }
    for (ptrdiff_t i = 0; i < m; i++) memcpy(y + i * ldy, initial + i * n, (size_t)n * sizeof(float));
}

/// One case of an fp32-output kernel: RUN (a call writing `y`, M × N with row stride LDY) on the
/// portable path and every vector path, y starting from INITIAL (see fill_output) each time, checked
/// against EXPECTED.
#define CHECK_FLOAT_PATHS(RESULT, SHAPE, M, N, LDY, EXPECTED, INITIAL, RUN)                                      \
    do {                                                                                                         \
        float *y = allocate((size_t)((M) * (LDY)) * sizeof(float));                                            \
        for (int q = -1; q < vector_path_count; q++) {                                                           \
            const shrink_cpu_path path = force_path_number(q);                                                   \
            fill_output(y, M, N, LDY, INITIAL);                                                                  \
            RUN;                                                                                                 \
            for (ptrdiff_t i = 0; i < (M); i++)                                                                  \
                check_close(RESULT, path_names[path], SHAPE, y + i * (LDY), (EXPECTED).values + i * (N),         \
                            (EXPECTED).bound + i * (N), N);                                                      \
        }                                                                                                        \
        free(y);                                                                                                 \
        (RESULT)->cases++;                                                                                       \
    } while (0)

/// Expected fp32 outputs (m × n, row stride n): the double reference and each output's error bound.
typedef struct {
    double *values, *bound;
} expected_outputs;

static void free_expected(expected_outputs *expected) { free(expected->values); free(expected->bound); }

/// The reference y = x · Wᵀ + base in double, W dense [n×k] (row stride k), base[i][j] from
/// `base` (m × n) when given, else bias[j] (or 0), and each output's error bound.
static expected_outputs dense_reference(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                        const float *w, const float *bias, const float *base) {
    double *reference = allocate((size_t)(m * n) * sizeof(double)), *bound = allocate((size_t)(m * n) * sizeof(double));
    for (ptrdiff_t i = 0; i < m; i++)
        for (ptrdiff_t j = 0; j < n; j++) {
            const double start = base ? base[i * n + j] : bias ? bias[j] : 0;
            double sum = start, magnitude = fabs(start);
            ptrdiff_t terms = 1;
            for (ptrdiff_t p = 0; p < k; p++) {
                if (w[j * k + p] == 0) continue;  // absent entries of a sparse W add nothing
                const double product = (double)x[i * ldx + p] * w[j * k + p];
                sum += product;
                magnitude += fabs(product);
                terms++;
            }
            reference[i * n + j] = sum;
            bound[i * n + j] = sum_bound(terms, magnitude);
        }
    return (expected_outputs){reference, bound};
}

/// A random half bit pattern: magnitudes 2^−14...2^3 with random mantissas, one in 16 subnormal.
static uint16_t random_half(void) {
    const uint16_t sign = (uint16_t)(random_in(0, 1) << 15), mantissa = (uint16_t)random_in(0, 1023);
    const uint16_t exponent = random_in(0, 15) == 0 ? 0 : (uint16_t)random_in(1, 18);
    return (uint16_t)(sign | (exponent << 10) | mantissa);
}

static void test_f16(int cases, kernel_result *result) {
    for (int c = 0; c < cases; c++) {
        ptrdiff_t m, n, k;
        random_shape(&m, &n, &k, 150, 300);
        const ptrdiff_t ldx = k + random_in(0, 5), ldy = n + random_in(0, 3);
        float *x = allocate((size_t)(m * ldx) * sizeof(float)), *bias = allocate((size_t)n * sizeof(float));
        uint16_t *w = allocate((size_t)(n * k) * sizeof(uint16_t));
        for (ptrdiff_t i = 0; i < m * ldx; i++) x[i] = random_float();
        for (ptrdiff_t i = 0; i < n * k; i++) w[i] = random_half();
        for (ptrdiff_t j = 0; j < n; j++) bias[j] = random_float();
        const int with_bias = random_in(0, 1) == 1;
        uint16_t *packed = allocate(shrink_f16_packed_count(n, k) * sizeof(uint16_t));
        shrink_f16_pack_weights(n, k, w, k, packed);
        float *dense = allocate((size_t)(n * k) * sizeof(float));
        for (ptrdiff_t t = 0; t < n * k; t++) dense[t] = shrink_f16_to_f32(w[t]);
        expected_outputs expected = dense_reference(m, n, k, x, ldx, dense, with_bias ? bias : NULL, NULL);
        char shape[96];
        snprintf(shape, sizeof shape, "m=%td n=%td k=%td ldx=%td", m, n, k, ldx);
        CHECK_FLOAT_PATHS(result, shape, m, n, ldy, expected, NULL,
                          shrink_f16_linear(m, n, k, x, ldx, packed, with_bias ? bias : NULL, y, ldy));
        free(x); free(bias); free(w); free(packed); free_expected(&expected); free(dense);
    }
}

static void test_palette(int cases, kernel_result *result) {
    for (int c = 0; c < cases; c++) {
        ptrdiff_t m, n, k;
        random_shape(&m, &n, &k, 150, 300);
        const int bits = (int)random_in(1, 8);
        const ptrdiff_t centroid_count = random_in(1, (ptrdiff_t)1 << bits);
        const ptrdiff_t ldx = k + random_in(0, 5), ldy = n + random_in(0, 3);
        float *x = allocate((size_t)(m * ldx) * sizeof(float)), *bias = allocate((size_t)n * sizeof(float));
        float centroids[256];
        uint8_t *indices = allocate((size_t)(n * k));
        for (ptrdiff_t i = 0; i < m * ldx; i++) x[i] = random_float();
        for (ptrdiff_t t = 0; t < centroid_count; t++) centroids[t] = random_float() * 2;
        for (ptrdiff_t i = 0; i < n * k; i++) indices[i] = (uint8_t)random_in(0, centroid_count - 1);
        for (ptrdiff_t j = 0; j < n; j++) bias[j] = random_float();
        const int with_bias = random_in(0, 1) == 1;
        const size_t packed_size = shrink_palette_packed_size(bits, n, k);
        uint8_t *packed = allocate(packed_size);
        if (shrink_palette_pack_indices(bits, n, k, indices, k, packed) != 0) {
            fprintf(stderr, "palette packing failed\n");
            exit(2);
        }
        float *dense = allocate((size_t)(n * k) * sizeof(float));
        for (ptrdiff_t t = 0; t < n * k; t++) dense[t] = centroids[indices[t]];
        expected_outputs expected = dense_reference(m, n, k, x, ldx, dense, with_bias ? bias : NULL, NULL);
        char shape[96];
        snprintf(shape, sizeof shape, "bits=%d centroids=%td m=%td n=%td k=%td", bits, centroid_count, m, n, k);
        CHECK_FLOAT_PATHS(result, shape, m, n, ldy, expected, NULL,
                          shrink_palette_linear(bits, m, n, k, x, ldx, packed, centroids, centroid_count,
                                                with_bias ? bias : NULL, y, ldy));
        free(x); free(bias); free(indices); free(packed); free_expected(&expected); free(dense);
    }
}

/// A random sparse W[n×k] (density 2 %...60 %) as dense values, with palettized values when
/// centroid_count > 0 (codes into `centroids`).
typedef struct {
    ptrdiff_t n, k;
    float *dense;       // n × k, 0 where there is no non-zero
    uint8_t *present;   // n × k: 1 where W has an entry (an entry may hold 0.0)
    uint8_t *codes;     // n × k (palettized only)
    float centroids[256];
    ptrdiff_t centroid_count;
} sparse_matrix;

static sparse_matrix random_sparse(ptrdiff_t n, ptrdiff_t k, ptrdiff_t centroid_count) {
    sparse_matrix s = {.n = n, .k = k, .centroid_count = centroid_count};
    s.dense = allocate((size_t)(n * k) * sizeof(float));
    s.present = allocate((size_t)(n * k));
    s.codes = allocate((size_t)(n * k));
    for (ptrdiff_t t = 0; t < centroid_count; t++) s.centroids[t] = random_float() * 2;
    const int percent = (int)random_in(2, 60);
    for (ptrdiff_t t = 0; t < n * k; t++) {
        if (random_in(0, 99) >= percent) continue;
        s.present[t] = 1;
        if (centroid_count > 0) {
            s.codes[t] = (uint8_t)random_in(0, centroid_count - 1);
            s.dense[t] = s.centroids[s.codes[t]];
        } else {
            s.dense[t] = random_float();
        }
    }
    return s;
}

static void free_sparse(sparse_matrix *s) { free(s->dense); free(s->present); free(s->codes); }

static void test_csr(int cases, kernel_result *result) {
    for (int c = 0; c < cases; c++) {
        ptrdiff_t m, n, k;
        random_shape(&m, &n, &k, 150, 400);
        const int column_bytes = random_in(0, 1) ? 2 : 4, accumulate = random_in(0, 3) == 0;
        const ptrdiff_t centroid_count = random_in(0, 1) ? 0 : random_in(1, 256);
        const ptrdiff_t ldx = k + random_in(0, 5), ldy = n + random_in(0, 3);
        sparse_matrix s = random_sparse(n, k, centroid_count);
        float *x = allocate((size_t)(m * ldx) * sizeof(float)), *bias = allocate((size_t)n * sizeof(float));
        float *y0 = allocate((size_t)(m * n) * sizeof(float));
        for (ptrdiff_t i = 0; i < m * ldx; i++) x[i] = random_float();
        for (ptrdiff_t j = 0; j < n; j++) bias[j] = random_float();
        for (ptrdiff_t i = 0; i < m * n; i++) y0[i] = random_float();
        const int with_bias = random_in(0, 1) == 1;
        // CSR arrays.
        int32_t *row_ptr = allocate((size_t)(n + 1) * sizeof(int32_t));
        ptrdiff_t count = 0;
        for (ptrdiff_t t = 0; t < n * k; t++) count += s.present[t];
        void *columns = allocate((size_t)count * (size_t)column_bytes);
        float *values = allocate((size_t)count * sizeof(float));
        uint8_t *codes = allocate((size_t)count);
        ptrdiff_t e = 0;
        for (ptrdiff_t j = 0; j < n; j++) {
            row_ptr[j] = (int32_t)e;
            for (ptrdiff_t p = 0; p < k; p++) {
                if (!s.present[j * k + p]) continue;
                if (column_bytes == 2) ((uint16_t *)columns)[e] = (uint16_t)p;
                else ((uint32_t *)columns)[e] = (uint32_t)p;
                values[e] = s.dense[j * k + p];
                codes[e] = s.codes[j * k + p];
                e++;
            }
        }
        row_ptr[n] = (int32_t)e;
        expected_outputs expected = dense_reference(m, n, k, x, ldx, s.dense, with_bias ? bias : NULL, accumulate ? y0 : NULL);
        char shape[128];
        snprintf(shape, sizeof shape, "m=%td n=%td k=%td columns=%d-byte centroids=%td accumulate=%d", m, n, k,
                 column_bytes, centroid_count, accumulate);
        CHECK_FLOAT_PATHS(result, shape, m, n, ldy, expected, accumulate ? y0 : NULL,
                          shrink_csr_linear(m, n, k, x, ldx, row_ptr, columns, column_bytes,
                                            centroid_count ? NULL : values, codes, s.centroids, centroid_count,
                                            with_bias ? bias : NULL, accumulate, y, ldy));
        free_sparse(&s);
        free(x); free(bias); free(y0); free(row_ptr); free(columns); free(values); free(codes);
        free_expected(&expected);
    }
}

/// shrink_csr_linear_blocked: the matrix split into column blocks with relative uint16 columns.
static void test_csr_blocked(int cases, kernel_result *result) {
    for (int c = 0; c < cases; c++) {
        ptrdiff_t m, n, k;
        random_shape(&m, &n, &k, 120, 500);
        const ptrdiff_t block_columns = random_in(1, k), blocks = (k + block_columns - 1) / block_columns;
        const ptrdiff_t stride = n + 1 + random_in(0, 2);
        const ptrdiff_t centroid_count = random_in(0, 1) ? 0 : random_in(1, 256);
        const ptrdiff_t ldx = k + random_in(0, 5);
        sparse_matrix s = random_sparse(n, k, centroid_count);
        float *x = allocate((size_t)(m * ldx) * sizeof(float)), *bias = allocate((size_t)n * sizeof(float));
        for (ptrdiff_t i = 0; i < m * ldx; i++) x[i] = random_float();
        for (ptrdiff_t j = 0; j < n; j++) bias[j] = random_float();
        int32_t *row_ptr = allocate((size_t)(blocks * stride) * sizeof(int32_t));
        uint16_t *columns = allocate((size_t)(n * k) * sizeof(uint16_t));
        float *values = allocate((size_t)(n * k) * sizeof(float));
        uint8_t *codes = allocate((size_t)(n * k));
        ptrdiff_t e = 0;
        for (ptrdiff_t b = 0; b < blocks; b++) {
            const ptrdiff_t first = b * block_columns, last = first + block_columns < k ? first + block_columns : k;
            for (ptrdiff_t j = 0; j < n; j++) {
                row_ptr[b * stride + j] = (int32_t)e;
                for (ptrdiff_t p = first; p < last; p++) {
                    if (!s.present[j * k + p]) continue;
                    columns[e] = (uint16_t)(p - first);
                    values[e] = s.dense[j * k + p];
                    codes[e] = s.codes[j * k + p];
                    e++;
                }
            }
            row_ptr[b * stride + n] = (int32_t)e;
        }
        expected_outputs expected = dense_reference(m, n, k, x, ldx, s.dense, bias, NULL);
        char shape[128];
        snprintf(shape, sizeof shape, "m=%td n=%td k=%td block=%td centroids=%td", m, n, k, block_columns, centroid_count);
        CHECK_FLOAT_PATHS(result, shape, m, n, n, expected, NULL,
                          shrink_csr_linear_blocked(m, n, k, x, ldx, block_columns, row_ptr, stride, columns,
                                                    centroid_count ? NULL : values, codes, s.centroids, centroid_count,
                                                    bias, y, n));
        free_sparse(&s);
        free(x); free(bias); free(row_ptr); free(columns); free(values); free(codes); free_expected(&expected);
    }
}

// MARK: - Dispatch

/// The path rules: portable always forceable; on aarch64 NEON detected and the AVX paths refused;
/// on x86-64 NEON refused.
static int check_dispatch(void) {
    int failures = 0;
    const shrink_cpu_path detected = shrink_cpu_detected_path();
#if defined(__aarch64__)
    if (detected != SHRINK_CPU_PATH_NEON) { printf("  FAIL: detected path is %s, not neon\n", path_names[detected]); failures++; }
    if (shrink_cpu_force_path(SHRINK_CPU_PATH_AVX2) == 0 || shrink_cpu_force_path(SHRINK_CPU_PATH_AVX512) == 0) {
        printf("  FAIL: an AVX path could be forced on aarch64\n");
        failures++;
    }
#else
    if (shrink_cpu_force_path(SHRINK_CPU_PATH_NEON) == 0) { printf("  FAIL: NEON could be forced\n"); failures++; }
#endif
    if (shrink_cpu_force_path(SHRINK_CPU_PATH_PORTABLE) != 0 || shrink_cpu_active_path() != SHRINK_CPU_PATH_PORTABLE) {
        printf("  FAIL: portable could not be forced\n");
        failures++;
    }
    if (shrink_cpu_set_forced_path_raw(-1) != 0 || shrink_cpu_active_path() != detected) {
        printf("  FAIL: clearing the forced path did not restore the detected one\n");
        failures++;
    }
    printf("dispatch: detected %s; paths under test:", path_names[detected]);
    for (int q = 0; q < vector_path_count; q++) printf(" %s", path_names[vector_paths[q]]);
    printf(" (each against portable and a reference)%s\n", failures ? "" : "; forcing rules hold");
#if defined(__aarch64__)
    // The int8 NEON kernels take sdot when the CPU has it, widening multiplies otherwise.
    printf("int8 NEON variant: %s\n", (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) ? "sdot (dot product instructions present)"
                                                                         : "widening multiplies (no dot product instructions)");
#endif
    return failures;
}

int main(int argc, char **argv) {
    random_state = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    for (size_t t = 0; t < sizeof all_paths / sizeof all_paths[0]; t++)
        if (shrink_cpu_path_supported(all_paths[t])) vector_paths[vector_path_count++] = all_paths[t];
    int failures = check_dispatch();
    if (vector_path_count == 0) {
        printf("FAIL: no vector path on this CPU\n");
        return 1;
    }
    kernel_result int8_sums = {.name = "int8 gemm s32"}, int8_linear = {.name = "int8 linear (epilogue)"};
    kernel_result palette_int8 = {.name = "palette int8 gemm s32"}, f16 = {.name = "f16 linear"};
    kernel_result palette = {.name = "palette linear"}, csr = {.name = "csr linear"};
    kernel_result csr_blocked = {.name = "csr linear blocked"};
    test_int8(60, &int8_sums, &int8_linear);
    test_palette_int8(50, &palette_int8);
    test_f16(50, &f16);
    test_palette(80, &palette);
    test_csr(80, &csr);
    test_csr_blocked(40, &csr_blocked);
    const kernel_result *results[] = {&int8_sums, &int8_linear, &palette_int8, &f16, &palette, &csr, &csr_blocked};
    for (size_t t = 0; t < sizeof results / sizeof results[0]; t++) report(results[t]);
    failures += total_mismatches;
    printf("%s: %d mismatches, %d dispatch failures (seed %s)\n", failures ? "FAILED" : "passed", total_mismatches,
           failures - total_mismatches, argc > 1 ? argv[1] : "1");
    return failures ? 1 : 0;
}
