#!/usr/bin/env bash
# Runs the amp_model network with baked-in weights on an emulated Cortex-M4F
# (QEMU's mps2-an386) and compares what it prints with the host's run of the
# same code (tests/embedded_host.rs). Prints flash and RAM sizes.
#
# Needs: the thumbv7em-none-eabihf target (rustup target add), and apt for
# qemu-system-arm and binutils-arm-none-eabi (installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v qemu-system-arm >/dev/null || ! command -v arm-none-eabi-size >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-system-arm binutils-arm-none-eabi >/dev/null
fi
rustup target add thumbv7em-none-eabihf >/dev/null 2>&1 || true

echo "== firmware build (release)"
(cd examples/embedded && cargo build --release)
elf=examples/embedded/target/thumbv7em-none-eabihf/release/typenet-embedded
echo "== size (text = flash code and constants, data + bss = RAM)"
arm-none-eabi-size "$elf"

echo "== QEMU mps2-an386"
device=$(timeout 600 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
    -semihosting-config enable=on,target=native -kernel "$elf")
echo "$device"

echo "== host"
host=$(cargo test --test embedded_host host_run_of_the_firmware -- --nocapture 2>/dev/null \
    | grep -E '^(samples|ESR|checksum):')
echo "$host"

device_esr=$(echo "$device" | sed -n 's/^ESR: //p')
host_esr=$(echo "$host" | sed -n 's/^ESR: //p')
if [ -z "$device_esr" ] || [ "$device_esr" != "$host_esr" ]; then
    echo "MISMATCH: device ESR '$device_esr', host ESR '$host_esr'"
    exit 1
fi
if [ "$(echo "$device" | grep checksum)" = "$(echo "$host" | grep checksum)" ]; then
    echo "OK: ESR $device_esr on both; every output sample equal bit for bit"
else
    echo "OK: ESR $device_esr on both (printed to 6 decimals); output bits differ (other float kernels)"
fi
