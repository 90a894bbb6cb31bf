#!/usr/bin/env bash
# Runs typenet's kernels under Miri, which sees what AddressSanitizer and
# valgrind cannot: a pointer formed past its allocation (undefined even if
# never followed, as a masked load's start past the end with an empty mask),
# aliasing violations, data races between the pool's threads. Not part of CI:
# it needs the nightly toolchain's miri component and takes minutes.
#
#   1. net-core's linalg unit tests (the matrix-vector kernels over rows
#      1..=130, every block shape of the fixed-size kernel, packed products
#      with partial tiles, the zero-skipping loops, the thread pool); the
#      tests sized for native speed are ignored under Miri.
#   2. tests/miri_smoke.rs: streaming LSTM, GRU and causal Conv1d steps and a
#      training step, whose per-step products end in partial blocks.
#
# The AVX-512 target features make Miri take the vectorised paths (it
# emulates their intrinsics); without them only the portable code runs.
#
# Usage: tools/miri.sh        (from anywhere in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo +nightly miri --version >/dev/null 2>&1; then
    echo "+ installing the miri component" >&2
    rustup component add --toolchain nightly miri rust-src
fi

export RUSTFLAGS="-C target-feature=+avx512f,+avx512vl,+avx512dq,+avx2,+fma"
# Isolation off: the pool's helpers measure how long they spin. Leaks
# ignored: the pool's helper threads live as long as the process, by design,
# and Miri otherwise refuses a main thread that ends before them.
export MIRIFLAGS="-Zmiri-disable-isolation -Zmiri-ignore-leaks"

echo "== Miri: net-core linalg unit tests"
cargo +nightly miri test -p net-core --lib linalg
echo "== Miri: streaming, conv and recurrent smoke test"
cargo +nightly miri test --test miri_smoke
echo "== no undefined behaviour found"
