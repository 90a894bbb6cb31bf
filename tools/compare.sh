#!/usr/bin/env bash
# The whole comparison in one session: PyTorch's reference timings
# (tools/bench_torch.py), RTNeural's real-time rows when a checkout is given
# (tools/rtneural_bench.sh), then typenet's bench, which prints every table
# with the references' columns beside its own. The tables go to stdout and
# to target/compare.md, headed by the machine and its load.
#
# Usage: tools/compare.sh [--quick] [--only W0,W3,INCEPTION_V3,...] [RTNEURAL_CHECKOUT]
#   --quick  few repetitions on both sides (a smoke run, not for the README)
#   --only   a subset of workloads for both sides (BENCH_ONLY for typenet)
# Needs python3 with torch and torchvision (pip install torch torchvision)
# and, for RTNeural, g++.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

torch_args=()
only=""
rtneural=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) torch_args+=(--quick); shift ;;
        --only) only="$2"; torch_args+=(--only "$2"); shift 2 ;;
        *) rtneural="$1"; shift ;;
    esac
done

mkdir -p target
out=target/compare.md
{
    echo "# typenet against PyTorch and RTNeural, one session"
    echo
    echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
    echo "- load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
} > "$out"

python3 tools/bench_torch.py "${torch_args[@]}"
if [ -n "$rtneural" ]; then
    tools/rtneural_bench.sh "$rtneural"
else
    echo "RTNeural: no checkout given, its columns stay empty" >&2
fi
cargo build --release --example bench
if [ -n "$only" ]; then
    BENCH_ONLY="$only" target/release/examples/bench | tee -a "$out"
else
    target/release/examples/bench | tee -a "$out"
fi
echo >> "$out"
echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
echo "written: $out" >&2
