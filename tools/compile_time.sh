#!/usr/bin/env bash
# Compile time of a user crate does not grow with layer widths: builds W0
# (1 -> 1 -> 1) and W4 (37632 -> 512 -> 1024 -> 1) as small crates that
# depend on typenet by path, and times only the user crate's compilation
# (typenet and its dependencies are built once beforehand, in a shared
# target directory). Fails if the two times differ by more than 20 %.
# Also reports Keras' MNIST convnet (against W0), a crate declaring 20
# networks (against W0's one), and a crate declaring torchvision's
# InceptionV3 and ResNet-18 as graphs of blocks (its rebuild after a
# `touch`, and the size of its expansion).
#
# Usage: tools/compile_time.sh [--release]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile_flag="${1:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$work/target"

make_crate() {
    local name="$1" body="$2"
    mkdir -p "$work/$name/src"
    cat > "$work/$name/Cargo.toml" <<TOML
[package]
name = "$name"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
typenet = { path = "$repo" }

[workspace]
TOML
    cp "$repo/Cargo.lock" "$work/$name/Cargo.lock"
    cat > "$work/$name/src/main.rs" <<RUST
use typenet::prelude::*;

network! {
    pub struct Net {
$body
    }
}

fn main() {
    let mut net = Net::<Train>::seeded(1);
    let x = Batch::<{ Net::INPUT }>::zeros(2);
    let mut y = Batch::<{ Net::OUTPUT }>::zeros(2);
    net.forward_into(&x, &mut y);
    let mut dy = Batch::<{ Net::OUTPUT }>::zeros(2);
    BinaryCrossEntropy.grad_into(&y, &y, &mut dy);
    let mut grads = NetGrads::zeros();
    net.backward_into(&dy, &mut grads);
    RmsProp::new(1e-3).step(&mut net, &grads);
    let eval = net.into_eval();
    println!("{}", eval.summary());
}
RUST
}

make_crate w0 "        input: 1,
        fc1: Dense<1, Sigmoid>,
        drop1: Dropout(0.2),
        fc2: Dense<1, Sigmoid>,
        drop2: Dropout(0.2),"
make_crate w4 "        input: 37632,
        fc1: Dense<512, Relu>,
        fc2: Dense<1024, Relu>,
        drop: Dropout(0.2),
        out: Dense<1, Sigmoid>,"

make_crate cnn "        input: [28, 28, 1],
        conv1: Conv2d<32, 3, Relu>,
        pool1: MaxPool2d<2>,
        conv2: Conv2d<64, 3, Relu>,
        pool2: MaxPool2d<2>,
        flat: Flatten,
        drop: Dropout(0.5),
        out: Dense<10>,"

# Twenty networks of the W0-to-W3 kinds, each used as a W0 crate uses its one.
mkdir -p "$work/many/src"
sed 's/name = "w0"/name = "many"/' "$work/w0/Cargo.toml" > "$work/many/Cargo.toml"
cp "$repo/Cargo.lock" "$work/many/Cargo.lock"
{
    echo "use typenet::prelude::*;"
    for i in $(seq 1 20); do
        width=$((i * 8))
        cat <<RUST
network! {
    pub struct Net$i { input: $width, fc1: Dense<$((width + 1)), Relu>, drop: Dropout(0.2), fc2: Dense<16, Tanh>, out: Dense<$((i % 4 + 1)), Sigmoid> }
}
RUST
    done
    echo "fn main() {"
    for i in $(seq 1 20); do
        cat <<RUST
    {
        let mut net = Net$i::<Train>::seeded($i);
        let x = Batch::<{ Net$i::INPUT }>::zeros(2);
        let mut y = Batch::<{ Net$i::OUTPUT }>::zeros(2);
        net.forward_into(&x, &mut y);
        let mut dy = Batch::<{ Net$i::OUTPUT }>::zeros(2);
        BinaryCrossEntropy.grad_into(&y, &y, &mut dy);
        let mut grads = Net${i}Grads::zeros();
        net.backward_into(&dy, &mut grads);
        RmsProp::new(1e-3).step(&mut net, &grads);
        println!("{}", net.into_eval().summary());
    }
RUST
    done
    echo "}"
} > "$work/many/src/main.rs"

# torchvision's InceptionV3 and ResNet-18 (the README's declarations),
# trained and run as a user would: a graph-heavy crate.
mkdir -p "$work/graphs/src"
sed 's/name = "w0"/name = "graphs"/' "$work/w0/Cargo.toml" > "$work/graphs/Cargo.toml"
cp "$repo/Cargo.lock" "$work/graphs/Cargo.lock"
{
    sed 's/^use typenet::prelude::\*;//' "$repo/tests/models/torchvision.rs"
    cat <<RUST
use typenet::prelude::*;

fn main() {
    let net = InceptionV3::<Eval>::seeded(1);
    let x = Batch::<{ InceptionV3::INPUT }>::zeros(1);
    println!("{:?}", net.forward(&x).shape());
    println!("{}", net.summary());
    let mut resnet = ResNet18::<Train>::seeded(2);
    let x = Batch::<{ ResNet18::INPUT }>::zeros(1);
    let y = resnet.forward(&x);
    let grads = resnet.backward(&CrossEntropy.grad(&y, &Batch::<1000>::zeros(1)));
    Sgd::new(0.01).momentum(0.9).step(&mut resnet, &grads);
    resnet.save("resnet18.safetensors").ok();
}
RUST
} > "$work/graphs/src/main.rs"

# Dependencies once (the crates share them through CARGO_TARGET_DIR).
for name in w0 w4 cnn many graphs; do
    (cd "$work/$name" && cargo build --offline --quiet $profile_flag)
done

time_crate() {
    local name="$1"
    touch "$work/$name/src/main.rs"
    local start end
    start=$(date +%s.%N)
    (cd "$work/$name" && cargo build --offline --quiet $profile_flag)
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

# Best of three, so a busy machine distorts less.
best() {
    local name="$1" best="" t
    for _ in 1 2 3; do
        t=$(time_crate "$name")
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
    done
    echo "$best"
}

t0=$(best w0)
t4=$(best w4)
tc=$(best cnn)
tm=$(best many)
tg=$(best graphs)
ratio=$(echo "scale=3; $t4 / $t0" | bc)
printf 'W0 user crate: %.2f s\nW4 user crate: %.2f s\nW4 / W0: %s\n' "$t0" "$t4" "$ratio"
printf 'MNIST convnet crate: %.2f s (%s x W0)\n' "$tc" "$(echo "scale=2; $tc / $t0" | bc)"
printf '20-network crate: %.2f s (%s x the one-network W0 crate)\n' "$tm" "$(echo "scale=2; $tm / $t0" | bc)"
printf 'InceptionV3 + ResNet-18 crate: %.2f s\n' "$tg"
# The expansion of the graphs crate, when a nightly toolchain is there.
if cargo +nightly --version >/dev/null 2>&1; then
    expanded="$work/graphs.expanded.rs"
    (cd "$work/graphs" && cargo +nightly rustc --offline --quiet $profile_flag -- -Zunpretty=expanded) > "$expanded" 2>/dev/null || true
    if [ -s "$expanded" ]; then
        lines=$(wc -l < "$expanded")
        uses=$(grep -cE '^pub struct __[A-Za-z0-9]+_[A-Za-z0-9]+_[0-9]+<' "$expanded" || true)
        printf 'its expansion: %s lines, %s networks generated for block uses (%s lines per network, structs included)\n' \
            "$lines" "$uses" "$((lines / (uses + 2)))"
    fi
fi
if [ "$(echo "$ratio > 1.2 || $ratio < 0.8333" | bc)" = 1 ]; then
    echo "FAIL: compile times differ by more than 20 %" >&2
    exit 1
fi
echo "OK: within 20 %"
