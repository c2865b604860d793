#!/usr/bin/env python3
"""numpy/OpenBLAS counterpart of `shrink-benchmarks gemm`: same shapes, same statistics.

Each case is `name:m:n:k:transposeA:transposeB` (as printed by `shrink-benchmarks gemm --list`);
without --case the 1024^3 cases run. A transposed operand is stored transposed ([k x m] for A,
[n x k] for B) and used through a transposed view, so OpenBLAS sees the transpose flag exactly
as Shrink's kernel does. C is preallocated and written with `np.matmul(..., out=c)`.

The thread count must be fixed before numpy loads OpenBLAS, so it is set from --threads here
(OPENBLAS_NUM_THREADS and friends) before the import. Output: the same TSV (or table) as the
Swift benchmark, implementation "numpy-openblas".
"""
import argparse
import os
import sys
import time


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", action="append", default=[], help="name:m:n:k:transposeA:transposeB (repeatable)")
    parser.add_argument("--threads", type=int, default=1, help="OpenBLAS threads")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--warm-up", type=int, default=3)
    parser.add_argument("--minimum-sample-milliseconds", type=float, default=5.0)
    parser.add_argument("--format", choices=["table", "tsv"], default="table")
    parser.add_argument("--no-header", action="store_true", help="omit the header line")
    return parser.parse_args()


arguments = parse_arguments()
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(arguments.threads)

import numpy as np  # noqa: E402  (after the thread settings on purpose)

DEFAULT_CASES = [
    "nn-1024:1024:1024:1024:0:0",
    "tn-1024:1024:1024:1024:1:0",
    "nt-1024:1024:1024:1024:0:1",
    "tt-1024:1024:1024:1024:1:1",
]


def percentile(values, percent):
    """Linear interpolation between order statistics (numpy's default), like the Swift side."""
    return float(np.percentile(np.asarray(values, dtype=np.float64), percent))


def measure(specification):
    name, m, n, k, transpose_a, transpose_b = specification.split(":")
    m, n, k = int(m), int(n), int(k)
    transpose_a, transpose_b = transpose_a == "1", transpose_b == "1"
    generator = np.random.default_rng(2024)
    a_stored = (generator.random((k, m) if transpose_a else (m, k), dtype=np.float32) * 2 - 1)
    b_stored = (generator.random((n, k) if transpose_b else (k, n), dtype=np.float32) * 2 - 1)
    a = a_stored.T if transpose_a else a_stored
    b = b_stored.T if transpose_b else b_stored
    c = np.empty((m, n), dtype=np.float32)

    warm_up_seconds = 0.0
    for _ in range(max(1, arguments.warm_up)):
        start = time.perf_counter()
        np.matmul(a, b, out=c)
        warm_up_seconds = time.perf_counter() - start
    repetitions = max(1, int(np.ceil(arguments.minimum_sample_milliseconds / 1000 / max(warm_up_seconds, 1e-9))))

    wall, cpu = [], []
    for _ in range(arguments.samples):
        wall_start, cpu_start = time.perf_counter(), time.thread_time()
        for _ in range(repetitions):
            np.matmul(a, b, out=c)
        cpu_end, wall_end = time.thread_time(), time.perf_counter()
        wall.append((wall_end - wall_start) / repetitions)
        cpu.append((cpu_end - cpu_start) / repetitions)

    operations = 2.0 * m * n * k
    throughput = [operations / seconds / 1e9 for seconds in wall]
    # OpenBLAS with one thread computes on the calling thread, so its CPU time is comparable.
    cpu_median = percentile([operations / seconds / 1e9 for seconds in cpu], 50) if arguments.threads == 1 else float("nan")
    return dict(name=name, m=m, n=n, k=k, transpose_a=transpose_a, transpose_b=transpose_b,
                median=percentile(throughput, 50), p5=percentile(throughput, 5), p95=percentile(throughput, 95),
                cpu_median=cpu_median, repetitions=repetitions)


def main():
    cases = arguments.case or DEFAULT_CASES
    if arguments.format == "table" and not arguments.no_header:
        print(f"GEMM, numpy {np.__version__}, {arguments.threads} OpenBLAS thread(s), "
              f"{arguments.samples} samples after {arguments.warm_up} warm-up calls, GFLOP/s")
        print(f"{'case':20}{'m×n×k':16}{'threads':8}{'median':9}{'p5':9}{'p95':9}cpu-time median")
    elif arguments.format == "tsv" and not arguments.no_header:
        print("# benchmark\tcase\tthreads\timplementation\tm\tn\tk\ttransposeA\ttransposeB\tmedian\tp5\tp95\tcpuMedian\trepetitions")
    for specification in cases:
        result = measure(specification)
        if arguments.format == "table":
            shape = f"{result['m']}×{result['n']}×{result['k']}"
            cpu = "-" if np.isnan(result["cpu_median"]) else f"{result['cpu_median']:.1f}"
            print(f"{result['name']:20}{shape:16}{arguments.threads:<8}{result['median']:<9.1f}"
                  f"{result['p5']:<9.1f}{result['p95']:<9.1f}{cpu}")
        else:
            fields = ["gemm", result["name"], str(arguments.threads), "numpy-openblas",
                      str(result["m"]), str(result["n"]), str(result["k"]),
                      "1" if result["transpose_a"] else "0", "1" if result["transpose_b"] else "0",
                      f"{result['median']:.1f}", f"{result['p5']:.1f}", f"{result['p95']:.1f}",
                      "nan" if np.isnan(result["cpu_median"]) else f"{result['cpu_median']:.1f}",
                      str(result["repetitions"])]
            print("\t".join(fields))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
