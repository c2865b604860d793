#include "shrink_kernels.h"
#include "sgemm_internal.h"

#include <stdatomic.h>

// The detected path is read on every kernel call, possibly from several threads at once, so it is
// an atomic (relaxed ordering suffices: a single independent word). The forced path is per thread:
// tests on concurrent threads may force different paths without seeing each other's choice.
static _Atomic int detected_path = -1;  // cached result of the CPU feature query, -1 until computed
static _Thread_local int forced_path = -1;  // -1 when this thread is not forced

static shrink_cpu_path query_cpu_path(void) {
#if defined(__x86_64__) || defined(__i386__)
    // __builtin_cpu_supports also checks that the OS saves the AVX/AVX-512 register state.
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("fma"))
        return SHRINK_CPU_PATH_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return SHRINK_CPU_PATH_AVX2;
#elif defined(__aarch64__)
    // Advanced SIMD (NEON) is part of the aarch64 base architecture: every such CPU has it.
    return SHRINK_CPU_PATH_NEON;
#endif
    return SHRINK_CPU_PATH_PORTABLE;
}

shrink_cpu_path shrink_cpu_detected_path(void) {
    int path = atomic_load_explicit(&detected_path, memory_order_relaxed);
    if (path < 0) {
        path = (int)query_cpu_path();
        atomic_store_explicit(&detected_path, path, memory_order_relaxed);
    }
    return (shrink_cpu_path)path;
}

shrink_cpu_path shrink_cpu_active_path(void) {
    if (forced_path >= 0) return (shrink_cpu_path)forced_path;
    return shrink_cpu_detected_path();
}

int shrink_cpu_path_supported(shrink_cpu_path path) {
    const shrink_cpu_path detected = shrink_cpu_detected_path();
    if (path == SHRINK_CPU_PATH_PORTABLE || path == detected) return 1;
    // The x86 paths nest (an AVX-512 CPU runs the AVX2 kernels); NEON stands alone.
    return path == SHRINK_CPU_PATH_AVX2 && detected == SHRINK_CPU_PATH_AVX512;
}

int shrink_cpu_force_path(shrink_cpu_path path) {
    if (!shrink_cpu_path_supported(path)) return -1;
    forced_path = (int)path;
    return 0;
}

int shrink_cpu_forced_path_raw(void) { return forced_path; }

int shrink_cpu_set_forced_path_raw(int raw) {
    if (raw != -1 && (raw < 0 || !shrink_cpu_path_supported((shrink_cpu_path)raw))) return -1;
    forced_path = raw;
    return 0;
}

#if SHRINK_HAVE_X86_PATHS
int shrink_cpu_has_vnni(void) {
    static _Atomic int cached = -1;
    int value = atomic_load_explicit(&cached, memory_order_relaxed);
    if (value < 0) {
        __builtin_cpu_init();
        value = __builtin_cpu_supports("avx512vnni") ? 1 : 0;
        atomic_store_explicit(&cached, value, memory_order_relaxed);
    }
    return value;
}
#endif
