#!/usr/bin/env bash
# Builds tools/rtneural/bench.cpp against an RTNeural checkout twice with g++
# (Eigen backend, compile-time ModelT): once for AVX2 + FMA, as RTNeural's own
# RTNEURAL_USE_AVX build does, and once for -march=native. Runs both and
# writes target/bench_rtneural.json, which `cargo run --release --example
# bench` prints next to typenet's real-time rows.
#
#   git clone https://github.com/jatinchowdhury18/RTNeural <dir>
#   tools/rtneural_bench.sh <dir>
#
# Environment: CXX (default g++), OUT (default target/bench_rtneural.json),
# RTNEURAL_REV (the revision to record when the checkout is not a git work tree).
set -euo pipefail

if [[ $# -ne 1 || ! -f "$1/RTNeural/RTNeural.h" ]]; then
    echo "usage: $0 <rtneural-checkout>  (a directory holding RTNeural/RTNeural.h)" >&2
    exit 2
fi
checkout=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
cxx=${CXX:-g++}
out=${OUT:-$root/target/bench_rtneural.json}
build=$root/target/rtneural
mkdir -p "$build" "$(dirname "$out")"

# The defines RTNeural's CMake sets for the Eigen backend: the vendored Eigen,
# and 32-byte alignment when AVX is on.
common=(-std=c++17 -O3 -DNDEBUG -DRTNEURAL_USE_EIGEN=1 -DRTNEURAL_DEFAULT_ALIGNMENT=32
    -I"$checkout" -I"$checkout/modules/Eigen" -I"$checkout/modules/json")

"$cxx" "${common[@]}" -mavx2 -mfma -DRTNEURAL_AVX_ENABLED=1 \
    "$root/tools/rtneural/bench.cpp" -o "$build/bench_avx2"
"$cxx" "${common[@]}" -march=native \
    "$root/tools/rtneural/bench.cpp" -o "$build/bench_native"

# One line per build: {"avx2": [rows], "native": [rows], ...}; the rows are
# the harness's own JSON lines.
json_rows() { "$1" | paste -sd, -; }
echo "rtneural: running the AVX2 build" >&2
avx2=$(json_rows "$build/bench_avx2")
echo "rtneural: running the native build" >&2
native=$(json_rows "$build/bench_native")
commit=${RTNEURAL_REV:-$(git -C "$checkout" rev-parse --short HEAD 2>/dev/null || echo unknown)}
{
    printf '{"compiler": "%s", "rtneural": "%s", "load": "%s",\n' \
        "$("$cxx" --version | head -n1)" "$commit" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    printf ' "avx2": [%s],\n' "$avx2"
    printf ' "native": [%s]}\n' "$native"
} >"$out"
echo "wrote $out" >&2
