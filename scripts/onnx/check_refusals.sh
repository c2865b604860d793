#!/usr/bin/env bash
# Runs `shrink import` on every node-test model that uses an op Shrink does not import and checks
# that each one exits with status 1 (an error, not a crash) and prints exactly one line on
# standard error that lists the unsupported nodes.
#
#   scripts/onnx/check_refusals.sh --shrink BINARY --tests NODE_TEST_DIR
set -euo pipefail
shrink="" tests=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --shrink) shrink="$2"; shift 2 ;;
        --tests) tests="$2"; shift 2 ;;
        *) echo "check_refusals.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[[ -x "$shrink" && -d "$tests" ]] || { echo "usage: check_refusals.sh --shrink BINARY --tests NODE_TEST_DIR" >&2; exit 2; }
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
"$shrink" conformance "$tests" --json > "$scratch/report.json" || true
python3 -c 'import json,sys; [print(r["name"]) for r in json.load(open(sys.argv[1]))["results"] if r["outcome"] == "refused"]' \
    "$scratch/report.json" > "$scratch/refused.txt"
checked=0 bad=0
while read -r name; do
    status=0
    "$shrink" import "$tests/$name/model.onnx" --output "$scratch/out.shrink" --force 2> "$scratch/stderr" > /dev/null || status=$?
    lines=$(wc -l < "$scratch/stderr")
    if [[ $status -ne 1 || $lines -ne 1 ]] || ! grep -q "unsupported node" "$scratch/stderr"; then
        echo "BAD $name: exit $status, $lines stderr line(s): $(head -c 300 "$scratch/stderr")"
        bad=$((bad + 1))
    fi
    checked=$((checked + 1))
done < "$scratch/refused.txt"
echo "refusals: $checked models with unsupported ops imported, $((checked - bad)) refused with one line and exit status 1, $bad otherwise"
[[ $bad -eq 0 ]]
