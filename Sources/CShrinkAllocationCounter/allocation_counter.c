// Counts heap allocations of the process by replacing glibc's allocation functions with
// forwarders to its `__libc_*` implementations (glibc documents replacing malloc, free, calloc
// and realloc together; the aligned variants are forwarded to __libc_memalign). One relaxed
// atomic increment per call: no locks, no allocation, safe from any thread.
#include "allocation_counter.h"
#include <errno.h> // a libc header: defines __GLIBC__ under glibc
#include <stddef.h>

#if defined(__linux__) && defined(__GLIBC__)
#include <stdatomic.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static _Atomic long allocation_count = 0;

static inline void counted(void) { atomic_fetch_add_explicit(&allocation_count, 1, memory_order_relaxed); }

void *malloc(size_t size) { counted(); return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { counted(); return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { counted(); return __libc_realloc(pointer, size); }
void free(void *pointer) { __libc_free(pointer); }
void *memalign(size_t alignment, size_t size) { counted(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { counted(); return __libc_memalign(alignment, size); }

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    counted();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL && size != 0) return ENOMEM;
    *result = pointer;
    return 0;
}

long shrink_allocation_count(void) { return atomic_load_explicit(&allocation_count, memory_order_relaxed); }
#else
long shrink_allocation_count(void) { return -1; }
#endif
