// posix_memalign is POSIX, not ISO C: declare it even under a strict -std=c11.
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200112L
#endif

#include "sgemm_internal.h"

#include <pthread.h>
#include <stdlib.h>

// Packing buffers live per thread: shrink_sgemm is called concurrently from the Swift
// multi-threaded GEMM, so there is no shared global scratch. Each thread keeps its buffers
// between calls (no page faults on every call) and frees them when it exits.

enum { scratch_slot_count = 5 };

typedef struct {
    float *data[scratch_slot_count];
    size_t capacity[scratch_slot_count];
} scratch_buffers;

static pthread_key_t scratch_key;
static pthread_once_t scratch_key_once = PTHREAD_ONCE_INIT;

static void scratch_release(void *pointer) {
    scratch_buffers *buffers = pointer;
    for (int slot = 0; slot < scratch_slot_count; slot++) free(buffers->data[slot]);
    free(buffers);
}

static void scratch_make_key(void) {
    (void)pthread_key_create(&scratch_key, scratch_release);
}

float *shrink_sgemm_scratch(int slot, size_t count) {
    if (slot < 0 || slot >= scratch_slot_count) return NULL;
    if (pthread_once(&scratch_key_once, scratch_make_key) != 0) return NULL;
    scratch_buffers *buffers = pthread_getspecific(scratch_key);
    if (buffers == NULL) {
        buffers = calloc(1, sizeof(scratch_buffers));
        if (buffers == NULL) return NULL;
        if (pthread_setspecific(scratch_key, buffers) != 0) {
            free(buffers);
            return NULL;
        }
    }
    if (buffers->capacity[slot] < count) {
        free(buffers->data[slot]);
        buffers->data[slot] = NULL;
        buffers->capacity[slot] = 0;
        // Round up to whole cache lines, plus one spare line for vector over-reads.
        size_t bytes = ((count * sizeof(float) + 63) / 64 + 1) * 64;
        void *memory = NULL;
        if (posix_memalign(&memory, 64, bytes) != 0) return NULL;
        buffers->data[slot] = memory;
        buffers->capacity[slot] = count;
    }
    return buffers->data[slot];
}
