#!/usr/bin/env bash
# Issue 7's reproducibility check: runs `shrink bench` twice back to back on each given model
# file (one file per invocation, batch 1, 8 and 64, one thread, MNIST test set), PAIRS times, and
# prints a Markdown table of the two medians per batch size with their difference in seconds and
# in estimated core cycles (median × the effective clock each invocation measured), then how many
# of them agree within 5 %.
#
# Usage: scripts/bench-reproducibility.sh [--pairs N] [--output FILE.md] MODEL.shrink...
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=3
output=""
files=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --pairs) pairs="$2"; shift 2 ;;
        --output) output="$2"; shift 2 ;;
        -*) echo "unknown option: $1" >&2; exit 2 ;;
        *) files+=("$1"); shift ;;
    esac
done
if [[ ${#files[@]} -eq 0 ]]; then echo "give at least one model file" >&2; exit 2; fi
swift build -c release --product shrink >&2
shrink="$(swift build -c release --show-bin-path)/shrink"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for file in "${files[@]}"; do
    for pair in $(seq 1 "$pairs"); do
        for run in a b; do
            echo "  $(basename "$file") pair $pair run $run" >&2
            "$shrink" bench "$file" --dataset mnist --batch 1,8,64 --threads 1 --min-runs 40 --no-record --json \
                > "$work/$(basename "$file").$pair.$run.json" 2>/dev/null
        done
    done
done
load="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
report=$(python3 - "$work" "$pairs" "$load" "${files[@]}" <<'PYTHON'
import json, os, sys
work, pairs, load, files = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
first = json.load(open(os.path.join(work, "%s.1.a.json" % os.path.basename(files[0]))))[0]
machine = first["machine"]
print("`scripts/bench-reproducibility.sh`: `shrink bench FILE --batch 1,8,64 --threads 1 --min-runs 40`")
print("twice back to back, %d pairs per file; %s, %d logical cores, %s; load average after: %s; %s."
      % (pairs, machine["cpu_model"], machine["logical_cores"], machine["operating_system"], load, first["code_version"]))
print()
print("| file | pair | batch | run 1 µs | run 2 µs | Δ µs | Δ cycles |")
print("|---|---|---|---|---|---|---|")
total = within = within_cycles = 0
worst = worst_cycles = 0.0
for path in files:
    name = os.path.basename(path)
    for pair in range(1, pairs + 1):
        a, b = (json.load(open(os.path.join(work, "%s.%d.%s.json" % (name, pair, run))))[0] for run in "ab")
        for la, lb in zip(a["latency"], b["latency"]):
            sa, sb = la["latency"]["median_seconds"], lb["latency"]["median_seconds"]
            ds = 100 * (sb - sa) / sa
            ca, cb = la.get("median_cycles"), lb.get("median_cycles")
            dc = 100 * (cb - ca) / ca if ca and cb else float("nan")
            total += 1
            within += abs(ds) <= 5
            within_cycles += abs(dc) <= 5
            worst, worst_cycles = max(worst, abs(ds)), max(worst_cycles, abs(dc))
            print("| %s | %d | %d | %.2f | %.2f | %+.1f %% | %+.1f %% |" % (name, pair, la["batch_size"], sa * 1e6, sb * 1e6, ds, dc))
print()
print("Within 5 %%: %d of %d medians in seconds (largest difference %.1f %%), %d of %d in estimated cycles (largest %.1f %%)."
      % (within, total, worst, within_cycles, total, worst_cycles))
PYTHON
)
if [[ -n "$output" ]]; then
    printf '# Reproducibility of `shrink bench`\n\n%s\n' "$report" > "$output.tmp" && mv "$output.tmp" "$output"
    echo "wrote $output" >&2
else
    echo "$report"
fi
