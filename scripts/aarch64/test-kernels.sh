#!/usr/bin/env bash
# Builds Tests/aarch64/kernel_tests.c with every CShrinkKernels source for aarch64 (Debian's
# aarch64-linux-gnu-gcc cross compiler, -O3 -Wall -Werror) and runs it under qemu-user on two
# emulated CPUs, with and without the dot-product instructions (the int8 kernels' two variants):
# the NEON kernels against the portable path and a naive reference. Then, on an x86-64 host, the same
# driver built natively (clang when present, as Swift builds the kernels, else cc) checks the
# AVX2 / AVX-512 paths the same way. Installs the cross compiler and qemu-user with apt-get when
# they are missing (Debian/Ubuntu, as root).
#
# Usage: scripts/aarch64/test-kernels.sh [--no-native] [seed]
set -euo pipefail
cd "$(dirname "$0")/../.."

native=1
seed=1
for argument in "$@"; do
    case "$argument" in
        --no-native) native=0 ;;
        [0-9]*) seed="$argument" ;;
        *) echo "usage: $0 [--no-native] [seed]" >&2; exit 2 ;;
    esac
done

cross=aarch64-linux-gnu-gcc
sysroot=/usr/aarch64-linux-gnu
if ! command -v "$cross" >/dev/null 2>&1 || ! command -v qemu-aarch64 >/dev/null 2>&1 || [ ! -d "$sysroot/lib" ]; then
    echo "== install: gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user"
    if ! { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null; }; then
        echo "error: could not install the aarch64 cross compiler and qemu-user with apt-get" >&2
        echo "       (needs root and Debian/Ubuntu package sources: gcc-aarch64-linux-gnu," >&2
        echo "       libc6-dev-arm64-cross, qemu-user)" >&2
        exit 1
    fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sources=(Sources/CShrinkKernels/*.c Tests/aarch64/kernel_tests.c)
flags=(-std=gnu11 -O3 -Wall -Werror -ISources/CShrinkKernels/include -ISources/CShrinkKernels -pthread)

echo "== aarch64: cross-compile the kernels and the test driver ($cross)"
"$cross" "${flags[@]}" "${sources[@]}" -o "$work/kernel_tests-aarch64" -lm
# Two emulated CPUs: "max" has the dot-product instructions (the int8 kernels' sdot variant),
# Cortex-A57 (armv8.0) has not (their widening variant).
for cpu in max cortex-a57; do
    echo "== aarch64: run under qemu-aarch64 -cpu $cpu (seed $seed)"
    qemu-aarch64 -cpu "$cpu" -L "$sysroot" "$work/kernel_tests-aarch64" "$seed"
done

if [ "$native" = 1 ] && [ "$(uname -m)" = x86_64 ]; then
    compiler=cc
    command -v clang >/dev/null 2>&1 && compiler=clang
    echo "== x86-64: the same driver, native ($compiler)"
    # -Werror only for the aarch64 build: GCC warns about clang-only pragmas in the x86 kernels.
    "$compiler" -std=gnu11 -O3 -Wall -ISources/CShrinkKernels/include -ISources/CShrinkKernels -pthread \
        "${sources[@]}" -o "$work/kernel_tests-native" -lm
    "$work/kernel_tests-native" "$seed"
fi
