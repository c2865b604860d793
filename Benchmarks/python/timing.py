"""The timing rule the Python peers share with the Shrink side: untimed warm-up calls, then
`samples` samples, each lasting at least 20 ms of repeated calls; median, p5 and p95 in ms."""
import time

import numpy as np


def time_calls(call, samples, warm_up):
    """Times `call()` (no arguments); returns (median, p5, p95) milliseconds per call."""
    for _ in range(warm_up):
        call()
    start = time.perf_counter()
    call()
    once = time.perf_counter() - start
    repetitions = max(1, int(np.ceil(0.02 / max(once, 1e-9))))
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(repetitions):
            call()
        times.append((time.perf_counter() - start) / repetitions * 1e3)
    return np.median(times), np.percentile(times, 5), np.percentile(times, 95)
