#!/usr/bin/env bash
# Runs ONNX's backend node tests (from the onnx 1.16.2 wheel, the last that ships them) through
# Shrink's importer and runtime, and prints each failing test and a per-op summary.
#
#   scripts/onnx/conformance.sh [--cache DIR] [--shrink BINARY] [-- shrink conformance options]
#
# --cache (default .build-onnx-tests) keeps the downloaded wheel and the extracted tests, so a
# second run needs no network. --shrink uses an already built binary instead of building the
# release one. Exits non-zero when a test of a supported op fails that is not a documented
# exception (Sources/ShrinkONNX/Conformance/NodeTestExceptions.swift).
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=".build-onnx-tests"
shrink=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --cache) cache="$2"; shift 2 ;;
        --shrink) shrink="$2"; shift 2 ;;
        --) shift; break ;;
        *) echo "conformance.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
scripts/onnx/fetch_node_tests.sh "$cache"
if [[ -z "$shrink" ]]; then
    swift build -c release --product shrink >/dev/null
    shrink="$(swift build -c release --show-bin-path)/shrink"
fi
"$shrink" conformance "$cache/node" "$@"
