#!/usr/bin/env bash
# Runs typenet's kernel code under memory checkers (not part of CI: it needs
# a nightly toolchain and valgrind).
#
#   1. AddressSanitizer (nightly `-Zsanitizer=address`): net-core's unit
#      tests of the kernels, optimisers and layers, and the integration tests
#      that drive them hardest (kernels, alloc-free paths, convolutions,
#      recurrent layers), with the AVX-512 kernels.
#   2. valgrind (memcheck) on the same unit tests with TYPENET_NO_AVX512=1,
#      which forces the portable fallback (valgrind does not emulate AVX-512);
#      installed with apt when missing.
#
# Usage: tools/sanitize.sh        (from anywhere in the repository)
# Exits non-zero on the first error either tool reports.
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n 's/^host: //p')
filters=(linalg optim layers)

echo "== AddressSanitizer (nightly, $host)"
# `--target` keeps the flags off host artifacts: the proc macro is loaded by
# rustc itself and cannot be instrumented.
export ASAN_OPTIONS=detect_leaks=0
RUSTFLAGS="-Zsanitizer=address" CARGO_TARGET_DIR=target/asan \
    cargo +nightly test --target "$host" -p net-core --lib -- "${filters[@]}"
RUSTFLAGS="-Zsanitizer=address" CARGO_TARGET_DIR=target/asan \
    cargo +nightly test --target "$host" --test kernels --test conv --test recurrent --test stream
unset ASAN_OPTIONS

echo "== valgrind memcheck, portable kernels (TYPENET_NO_AVX512=1)"
if ! command -v valgrind >/dev/null; then
    echo "+ installing valgrind" >&2
    if [ "$(id -u)" -eq 0 ]; then apt-get update -q && apt-get install -y -q valgrind; else sudo apt-get update -q && sudo apt-get install -y -q valgrind; fi
fi
CARGO_TARGET_DIR=target/valgrind cargo test -p net-core --lib --no-run 2>/dev/null
binary=$(CARGO_TARGET_DIR=target/valgrind cargo test -p net-core --lib --no-run --message-format=json 2>/dev/null \
    | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
TYPENET_NO_AVX512=1 valgrind --error-exitcode=1 --leak-check=no --quiet "$binary" --test-threads 2 "${filters[@]}"
echo "== no errors"
