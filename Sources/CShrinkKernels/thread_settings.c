// Per-thread settings that Swift code cannot hold in a thread-local variable of its own.
#include "shrink_kernels.h"

static _Thread_local int thread_count_override = 0;  // 0 when this thread has no override

int shrink_thread_count_override(void) { return thread_count_override; }

void shrink_set_thread_count_override(int count) { thread_count_override = count > 0 ? count : 0; }
