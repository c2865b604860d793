#ifndef SHRINK_ALLOCATION_COUNTER_H
#define SHRINK_ALLOCATION_COUNTER_H

/// Heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign calls)
/// made by the whole process since it started, or -1 when this build cannot count them
/// (not Linux with glibc).
///
/// Counting works by defining those functions in the executable, forwarding to glibc's
/// `__libc_*` entry points: link this target only into an executable (the `shrink` command),
/// never into a library other code uses.
long shrink_allocation_count(void);

#endif
