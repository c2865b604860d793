// Process-wide allocator settings for long training runs (see shrink_retain_freed_memory).
#include "shrink_kernels.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int shrink_retain_freed_memory(void) {
#if defined(__GLIBC__)
    // Blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap, and freed heap
    // memory is not given back: a training step frees and re-allocates the same tensor sizes, and
    // with glibc's defaults it got fresh zero-filled pages each time (a page fault per 4 KiB).
    const int mmap_ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    const int trim_ok = mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    return mmap_ok && trim_ok ? 0 : -1;
#else
    return -1;
#endif
}
