#!/usr/bin/env bash
# Reproduces the README's MNIST compression table: trains the two LeNets (unless their files
# exist), runs every listed recipe with `shrink compress`, inspects and re-evaluates each written
# file, and prints a Markdown table. Figures are whatever this machine measures.
#
# Usage: scripts/mnist-compression-table.sh [WORK_DIRECTORY]   (default: runs/mnist)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-runs/mnist}
mkdir -p "$work"
swift build -c release --product shrink >&2
shrink="$(swift build -c release --show-bin-path)/shrink"

train() { # model epochs
    [ -f "$work/$1.shrink" ] || "$shrink" train --model "$1" --dataset mnist --epochs "$2" --seed 1 --output "$work/$1.shrink" >&2
}
train lenet-300-100 20
train lenet-5 12
train mlp-784-100-10 20

rows=()
run() { # model recipe
    local out="$work/$1-$2.shrink" report="$work/$1-$2.json"
    rows+=("$1 $2")
    # A finished run is reused: delete its files to measure it again.
    [ -f "$work/$1-$2.eval.json" ] && return
    "$shrink" compress "$work/$1.shrink" --recipe "$2" --dataset mnist --output "$out" --report-json "$report" --force >&2
    "$shrink" inspect "$out" --json > "$work/$1-$2.inspect.json"
    "$shrink" eval "$out" --dataset mnist --json > "$work/$1-$2.eval.json"
}
for recipe in deep-compression prune-92 prune-90 int8-static int8-dynamic fp16 ptq-4bit qat-4bit cluster-5bit distill; do
    run lenet-300-100 "$recipe"
done
for recipe in deep-compression prune-92 int8-static; do
    run lenet-5 "$recipe"
done
"$shrink" eval "$work/mlp-784-100-10.shrink" --dataset mnist --json > "$work/mlp-784-100-10.eval.json"

python3 - "$work" "${rows[@]}" <<'PYTHON'
import json, sys
work, rows = sys.argv[1], sys.argv[2:]
print("| model | recipe | test error before → after | Δ (points) | weight sparsity | file bytes | × smaller than fp32 | error of the written file | seconds |")
print("|---|---|---|---|---|---|---|---|---|")
for row in rows:
    model, recipe = row.split()
    report = json.load(open(f"{work}/{model}-{recipe}.json"))
    inspect = json.load(open(f"{work}/{model}-{recipe}.inspect.json"))
    evaluation = json.load(open(f"{work}/{model}-{recipe}.eval.json"))
    before, after = report["error_before"] * 100, report["error_after"] * 100
    file_bytes = inspect["file_bytes"]
    ratio = inspect["fp32_bytes"] / file_bytes
    print(f"| {model} | {recipe} | {before:.2f} % → {after:.2f} % | {after - before:+.2f} | "
          f"{report['weight_sparsity'] * 100:.2f} % | {file_bytes:,} | {ratio:.1f}× | "
          f"{(1 - evaluation['top1_accuracy']) * 100:.2f} % | {report['total_seconds']:.1f} |")
alone = json.load(open(f"{work}/mlp-784-100-10.eval.json"))
print()
print(f"Student mlp-784-100-10 trained alone (same 20-epoch recipe): {(1 - alone['top1_accuracy']) * 100:.2f} % test error.")
PYTHON
