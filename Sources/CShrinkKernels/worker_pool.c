// A persistent pool of worker threads for parallel loops over chunks (shrink_parallel_for).
//
// Why not Dispatch: on the 2-vCPU VM, DispatchQueue.concurrentPerform hands a chunk to its second
// thread 7–12 µs late when called back to back (60–80 µs was seen in GEMMs), about a whole
// LeNet-300-100 inference. Here the workers stay awake (spinning) for a short while after each
// job, so back-to-back jobs (the layers of consecutive inferences, the panels of consecutive
// GEMMs) are handed over through one cache line (0.1–0.4 µs measured).
//
// Protocol (all state is process-wide; one job in the pool at a time):
// - `pool_busy` is the pool's try-lock. A caller that cannot take it (another thread's job is
//   running, or this is a nested call from inside a chunk) runs its chunks serially on its own
//   thread, so concurrent and nested callers never wait for each other and never deadlock.
// - The owner writes the job (body, context), then publishes `job_state` = (chunks, next chunk)
//   with release order and bumps `job_generation`, waking sleeping workers only if there are any.
// - Everybody (owner and workers) claims chunk indices with a compare-and-swap on `job_state`
//   that only succeeds while next < chunks. A claimed chunk keeps the job alive (the owner waits
//   until every chunk is finished), so the job fields a worker reads after claiming are valid.
//   A worker that wakes late only sees next == chunks and goes back to waiting: it never touches
//   a finished job, and a stale compare-and-swap that succeeds on a new job with the same bits
//   claims a chunk of that (current) job, which is just as valid.
// - Workers spin on `job_generation` for SPIN_NANOSECONDS, then poll it between short sleeps
//   for POLL_NANOSECONDS (no wake-up call needed), then block on a condition variable; the
//   owner broadcasts only when `sleeping_workers` is non-zero (sequentially consistent
//   store/load pairs on both sides, so a worker going to sleep cannot miss a job).
// - The owner runs chunk 0 itself, then claims more, then spin-waits until `finished_chunks`
//   reaches the chunk count (yielding the processor now and then, in case the worker that holds a
//   chunk was descheduled), and releases the pool.
// Workers are detached and never exit; process exit does not wait for them.
#include "shrink_kernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/// Most worker threads the pool creates (the caller is one more thread).
#define MAX_WORKERS 15
/// How long an idle worker spins before sleeping: longer than the gap between the parallel
/// layers of one inference or one training step (the serial element-wise work between two
/// convolutions of a ResNet-20 step takes up to about a millisecond; at 100 µs a ResNet-20
/// epoch on two threads ran 1.3x faster than on one, at 2 ms 1.55x), short enough to give the
/// core back soon after the work ends.
#define SPIN_NANOSECONDS 2000000
/// Spin iterations between two clock reads (a pause is ~10–140 cycles depending on the CPU).
#define SPIN_CHECK_INTERVAL 64
/// After spinning, how long an idle worker keeps polling with short sleeps before it blocks,
/// and the sleep between two polls. A polling worker needs no wake-up call: on the 2-vCPU VM
/// waking a blocked thread costs the caller 7–17 µs inside pthread_cond_broadcast (the
/// inter-processor interrupt to a halted vCPU), more than a small job gains from a second
/// thread, while a late poller costs nothing (the caller has run the chunks itself).
#define POLL_NANOSECONDS 10000000
#define POLL_INTERVAL_NANOSECONDS 50000
/// Spin iterations of a waiting owner between two sched_yield calls.
#define OWNER_YIELD_INTERVAL 4096

typedef void (*chunk_body)(void *context, int chunk);

static atomic_int pool_busy = 0;
static atomic_uint job_generation = 0;
static _Atomic uint64_t job_state = 0;  // (chunks << 32) | next chunk to claim
static atomic_int finished_chunks = 0;
static chunk_body job_body = NULL;  // written by the owner before job_state is published
static void *job_context = NULL;

static atomic_int sleeping_workers = 0;
static pthread_mutex_t sleep_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_condition = PTHREAD_COND_INITIALIZER;

static int worker_count = 0;  // changed only by the pool owner
static int worker_limit = -1;  // -1 until computed by the first owner

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    atomic_signal_fence(memory_order_seq_cst);
#endif
}

static inline uint64_t monotonic_nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static inline uint64_t pack_state(int chunks, int next) {
    return ((uint64_t)(uint32_t)chunks << 32) | (uint32_t)next;
}

/// Claims and runs chunks of the current job until none are left.
static void run_claimed_chunks(void) {
    uint64_t state = atomic_load_explicit(&job_state, memory_order_acquire);
    for (;;) {
        int chunks = (int)(state >> 32), next = (int)(uint32_t)state;
        if (next >= chunks) return;
        if (!atomic_compare_exchange_weak_explicit(&job_state, &state, pack_state(chunks, next + 1),
                                                   memory_order_acquire, memory_order_acquire))
            continue;  // `state` now holds the current value
        job_body(job_context, next);
        atomic_fetch_add_explicit(&finished_chunks, 1, memory_order_release);
        state = atomic_load_explicit(&job_state, memory_order_acquire);
    }
}

static inline int generation_changed(unsigned seen) {
    return atomic_load_explicit(&job_generation, memory_order_acquire) != seen;
}

/// Waits until `job_generation` differs from `seen`: spins for SPIN_NANOSECONDS, then polls with
/// short sleeps for POLL_NANOSECONDS, then blocks on the condition variable.
static void wait_for_new_generation(unsigned seen) {
    uint64_t idle_start = monotonic_nanoseconds();
    for (;;) {
        for (int pause = 0; pause < SPIN_CHECK_INTERVAL; pause++) {
            if (generation_changed(seen)) return;
            cpu_relax();
        }
        if (monotonic_nanoseconds() - idle_start >= SPIN_NANOSECONDS) break;
    }
    while (monotonic_nanoseconds() - idle_start < SPIN_NANOSECONDS + POLL_NANOSECONDS) {
        struct timespec pause = {0, POLL_INTERVAL_NANOSECONDS};
        nanosleep(&pause, NULL);
        if (generation_changed(seen)) return;
    }
    pthread_mutex_lock(&sleep_mutex);
    atomic_fetch_add(&sleeping_workers, 1);  // seq_cst: pairs with the owner's
    while (atomic_load(&job_generation) == seen) pthread_cond_wait(&sleep_condition, &sleep_mutex);
    atomic_fetch_sub(&sleeping_workers, 1);
    pthread_mutex_unlock(&sleep_mutex);
}

static void *worker_main(void *argument) {
#ifdef __linux__
    // Sleeps of the polling phase end within a few µs of their time, not the default 50 µs later.
    prctl(PR_SET_TIMERSLACK, 5000UL, 0, 0, 0);
#endif
    // The generation before the job that created this worker, so the worker joins that job.
    unsigned seen = (unsigned)(uintptr_t)argument;
    for (;;) {
        wait_for_new_generation(seen);
        seen = atomic_load_explicit(&job_generation, memory_order_acquire);
        run_claimed_chunks();
    }
    return NULL;
}

/// The number of workers the pool may create: online processors − 1, at most MAX_WORKERS.
static int compute_worker_limit(void) {
    long processors = sysconf(_SC_NPROCESSORS_ONLN);
    if (processors < 2) return 0;
    return processors - 1 > MAX_WORKERS ? MAX_WORKERS : (int)(processors - 1);
}

/// Starts workers until there are `wanted` (or thread creation fails). Called by the owner only.
static void ensure_workers(int wanted) {
    while (worker_count < wanted) {
        pthread_t thread;
        pthread_attr_t attributes;
        if (pthread_attr_init(&attributes) != 0) return;
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        void *generation = (void *)(uintptr_t)atomic_load_explicit(&job_generation, memory_order_relaxed);
        int failed = pthread_create(&thread, &attributes, worker_main, generation);
        pthread_attr_destroy(&attributes);
        if (failed) return;
        worker_count += 1;
    }
}

static int run_serially(int chunks, chunk_body body, void *context) {
    for (int chunk = 0; chunk < chunks; chunk++) body(context, chunk);
    return 0;
}

int shrink_parallel_for(int chunks, void (*body)(void *context, int chunk), void *context) {
    if (chunks <= 0) return 0;
    if (chunks == 1) return run_serially(chunks, body, context);
    int expected = 0;
    if (!atomic_compare_exchange_strong_explicit(&pool_busy, &expected, 1, memory_order_acquire,
                                                 memory_order_relaxed))
        return run_serially(chunks, body, context);  // another job is running (or we are inside one)
    if (worker_limit < 0) worker_limit = compute_worker_limit();
    int wanted = chunks - 1 < worker_limit ? chunks - 1 : worker_limit;
    ensure_workers(wanted);
    if (worker_count == 0) {
        atomic_store_explicit(&pool_busy, 0, memory_order_release);
        return run_serially(chunks, body, context);
    }
    int helpers = worker_count < chunks - 1 ? worker_count : chunks - 1;

    // Publish the job: the caller has already claimed chunk 0.
    job_body = body;
    job_context = context;
    atomic_store_explicit(&finished_chunks, 0, memory_order_relaxed);
    atomic_store_explicit(&job_state, pack_state(chunks, 1), memory_order_release);
    atomic_fetch_add(&job_generation, 1);  // seq_cst: pairs with the sleepers' increment
    if (atomic_load(&sleeping_workers) > 0) {
        pthread_mutex_lock(&sleep_mutex);
        pthread_cond_broadcast(&sleep_condition);
        pthread_mutex_unlock(&sleep_mutex);
    }

    body(context, 0);
    atomic_fetch_add_explicit(&finished_chunks, 1, memory_order_relaxed);
    run_claimed_chunks();

    // Wait for chunks that workers claimed and are still running.
    unsigned iterations = 0;
    while (atomic_load_explicit(&finished_chunks, memory_order_acquire) < chunks) {
        cpu_relax();
        if (++iterations % OWNER_YIELD_INTERVAL == 0) sched_yield();
    }
    atomic_store_explicit(&pool_busy, 0, memory_order_release);
    return helpers;
}
