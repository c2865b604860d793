#!/usr/bin/env bash
# Builds the benchmarks in release, then measures Shrink's GEMM and numpy/OpenBLAS on the same
# shapes in one run, interleaved case by case (so both see the same machine load), and prints a
# side-by-side table with the ratio Shrink / numpy of the median throughputs.
#
# Usage: Benchmarks/compare-gemm.sh [--samples N] [--threads "1 2"] [--case NAME]...
# Raw measurements are kept in Benchmarks/results/gemm.tsv.tmp.
set -euo pipefail

cd "$(dirname "$0")"
samples=20
threads="1 2"
cases=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --samples) samples="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --case) cases+=("$2"); shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

python3 -c 'import numpy' 2>/dev/null || { echo "numpy is required: python3 -m pip install numpy" >&2; exit 1; }

echo "Building shrink-benchmarks (release)..." >&2
swift build -c release --product shrink-benchmarks >&2
binary="$(swift build -c release --show-bin-path)/shrink-benchmarks"

case_arguments=()
for name in "${cases[@]+"${cases[@]}"}"; do case_arguments+=(--case "$name"); done
mapfile -t specifications < <("$binary" gemm --list "${case_arguments[@]+"${case_arguments[@]}"}")

mkdir -p results
raw=results/gemm.tsv.tmp
: > "$raw"
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
order=0
for thread_count in $threads; do
    for specification in "${specifications[@]}"; do
        name="${specification%%:*}"
        echo "  $name, $thread_count thread(s)" >&2
        run_shrink() {
            "$binary" gemm --case "$name" --threads "$thread_count" --samples "$samples" --format tsv | grep -v '^#' >> "$raw"
        }
        run_numpy() {
            python3 python/gemm_numpy.py --case "$specification" --threads "$thread_count" \
                --samples "$samples" --format tsv --no-header >> "$raw"
        }
        # Alternate which side goes first so neither always gets the warmer (or cooler) machine.
        if (( order % 2 == 0 )); then run_shrink; run_numpy; else run_numpy; run_shrink; fi
        order=$((order + 1))
    done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

python3 - "$raw" "$samples" "$load_before" "$load_after" <<'PYTHON'
import platform, subprocess, sys
raw, samples, load_before, load_after = sys.argv[1:5]
rows = {}
for line in open(raw):
    fields = line.rstrip("\n").split("\t")
    if len(fields) < 14:
        continue
    _, name, threads, implementation, m, n, k, ta, tb, median, p5, p95, cpu, repetitions = fields
    side = "numpy" if implementation.startswith("numpy") else "shrink"
    rows.setdefault((int(threads), name), {})[side] = dict(
        implementation=implementation, shape=f"{m}×{n}×{k}", layout=("Aᵀ" if ta == "1" else "A") + "·" + ("Bᵀ" if tb == "1" else "B"),
        median=float(median), p5=float(p5), p95=float(p95), cpu=float(cpu))

def model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"

import numpy
path = next((r["shrink"]["implementation"] for r in rows.values() if "shrink" in r), "shrink-?")
print(f"Machine: {model()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} CPUs, "
      f"load average {load_before} before, {load_after} after")
try:
    blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
    blas = f"{blas.get('name', 'blas')} {blas.get('version', '')}".strip()
except Exception:
    blas = "unknown BLAS"
print(f"Shrink: {path}; numpy {numpy.__version__} with {blas}; "
      f"{samples} timed samples per case after warm-up; GFLOP/s, median [p5–p95] of wall-clock samples")
print()
header = f"{'case':20} {'shape':15} {'layout':6} {'thr':>3}  {'Shrink median [p5–p95]':25} {'numpy median [p5–p95]':25} {'ratio':>6}  {'cpu-time ratio':>14}"
print(header)
print("-" * len(header))
for (threads, name), sides in sorted(rows.items(), key=lambda item: (item[0][0], list(rows).index(item[0]))):
    shrink, numpy_side = sides.get("shrink"), sides.get("numpy")
    if not shrink or not numpy_side:
        continue
    cell = lambda side: f"{side['median']:6.1f} [{side['p5']:5.1f}–{side['p95']:5.1f}]"
    ratio = shrink["median"] / numpy_side["median"] if numpy_side["median"] > 0 else float("nan")
    cpu_ratio = shrink["cpu"] / numpy_side["cpu"] if threads == 1 and numpy_side["cpu"] > 0 else float("nan")
    cpu_text = "-" if cpu_ratio != cpu_ratio else f"{cpu_ratio:.2f} ({shrink['cpu']:.0f}/{numpy_side['cpu']:.0f})"
    print(f"{name:20} {shrink['shape']:15} {shrink['layout']:6} {threads:>3}  {cell(shrink):25} {cell(numpy_side):25} {ratio:6.2f}  {cpu_text:>14}")
print()
print("ratio = Shrink median / numpy median (wall clock). cpu-time ratio (1 thread only) compares the")
print("medians of GFLOP/s computed from the calling thread's CPU time, which discounts time the")
print("process spent descheduled on a shared machine.")
PYTHON
