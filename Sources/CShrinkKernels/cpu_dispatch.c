#include "shrink_kernels.h"

static int forced_path = -1;

shrink_cpu_path shrink_cpu_detected_path(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return SHRINK_CPU_PATH_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return SHRINK_CPU_PATH_AVX2;
#endif
    return SHRINK_CPU_PATH_PORTABLE;
}

shrink_cpu_path shrink_cpu_active_path(void) {
    if (forced_path >= 0) return (shrink_cpu_path)forced_path;
    return shrink_cpu_detected_path();
}

int shrink_cpu_force_path(shrink_cpu_path path) {
    if ((int)path > (int)shrink_cpu_detected_path()) return -1;
    forced_path = (int)path;
    return 0;
}
