// A clock probe for benchmarks: a chain of dependent integer additions, one per core cycle on any
// out-of-order core (an add's latency is one cycle and each add needs the previous result), so
// count / elapsed seconds is the core's effective clock over that time: turbo and host frequency
// changes and time lost to other threads or the hypervisor all show up in it.
#include "shrink_kernels.h"

uint64_t shrink_dependent_adds(uint64_t count) {
    uint64_t value = 0;
    for (uint64_t i = 0; i < count; i += 4) {
        // The empty asm makes each add depend on the previous one in a register and keeps the
        // compiler from folding the loop into a multiplication.
        value += 1; __asm__ volatile("" : "+r"(value));
        value += 1; __asm__ volatile("" : "+r"(value));
        value += 1; __asm__ volatile("" : "+r"(value));
        value += 1; __asm__ volatile("" : "+r"(value));
    }
    return value;
}
