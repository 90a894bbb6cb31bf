//! Expansion snapshots (what the macro writes, one file per kind of
//! declaration, as pin-project's `tests/expand` does) and a no-panic check
//! over thousands of malformed inputs, graphs of blocks and merges among
//! them.

use std::path::PathBuf;

use proc_macro2::TokenStream;

use crate::network_tokens;

/// Declarations whose expansions are kept as snapshots.
const SNAPSHOTS: &[(&str, &str)] = &[
    (
        "dense_dropout",
        "/// The README's network.\npub struct Mnist { input: 784, fc1: Dense<256, Relu>, drop1: Dropout(0.2), fc2: Dense<128, Relu>, drop2: Dropout(0.2), out: Dense<10> }",
    ),
    (
        "batch_norm_options_custom",
        "struct Normed { input: [4, 3], bn: BatchNorm(eps = 1e-5, momentum = 0.9), gate: my::Gate<f32>, flat: Flatten, out: Dense<1> }",
    ),
    (
        "shaped_noise_flatten",
        "struct Sequence { input: [3, 4], drop: Dropout(0.5, noise_shape = [_, 1, 4]), flat: Flatten, act: Tanh, out: Dense<1, Sigmoid> }",
    ),
    (
        "frozen_nested_pinned_l2",
        "pub struct Transfer { input: 6, #[frozen] base: Backbone, #[phase(Eval)] bn: BatchNorm, stop: StopGradient, #[l2(0.001)] head: Dense<HIDDEN, Gelu>, #[phase(Train)] mc: Dropout(0.1), out: Dense<1> }",
    ),
    (
        "digits_cnn",
        "/// the reference digits CNN.\npub struct DigitsCnn { input: [8, 8, 1], conv1: Conv2d<16, 3, Relu>, conv2: Conv2d<32, 3, Relu, padding = Same>, pool: MaxPool2d<2>, drop: SpatialDropout(0.2), flat: Flatten, out: Dense<10> }",
    ),
    (
        "conv_options_pools",
        "struct Options { input: [T, 3], conv: Conv1d<8, 3, Tanh, padding = Causal, dilation = 2, bias = false>, bn: BatchNorm(eps = 1e-5, momentum = 0.9), pool: AvgPool1d<2, stride = 1>, global: GlobalMaxPool, out: Dense<1> }",
    ),
    (
        "frozen_backbone_channels_first",
        "struct Head { input: [8, 8, 1], #[frozen] base: Backbone, flat: Flatten(channels_first), #[l2(0.001)] fc: Dense<64, Relu>, out: Dense<1, Sigmoid> }",
    ),
    (
        "recurrent_time_distributed",
        "pub struct Rows { input: [8, 8], #[l2(0.01)] lstm: Lstm<32, return_sequences = true, recurrent_dropout = 0.2>, #[frozen] gru: Gru<16>, drop: Dropout(0.2), out: Dense<10> }",
    ),
    (
        "text_layers",
        "pub struct Tagger { input: [T], emb: Embedding<VOCABULARY, 16>, norm: LayerNorm(eps = 1e-6), rnn: Bidirectional(Lstm<8, return_sequences = true, dropout = 0.1>), last: Bidirectional(Gru<4>), out: Dense<3> }",
    ),
    (
        "causal_stream",
        "pub struct Amp { input: [T, 1], conv: Conv1d<8, 3, Tanh, padding = Causal, dilation = 2>, rnn: Gru<8, return_sequences = true>, out: TimeDistributed(Dense<1>) }",
    ),
    (
        "noise_upsampling",
        "pub struct Denoiser { input: [8, 8, 1], flip: RandomFlip(horizontal), shift: RandomTranslation(0.1), noise: GaussianNoise(0.1), conv: Conv2d<8, 3, Relu, padding = Same>, pool: MaxPool2d<2>, drop: GaussianDropout(0.2), decode: Conv2dTranspose<4, 3, Relu, stride = 2, padding = 1, output_padding = 1, bias = false>, up: UpSampling2d<2>, out: Conv2d<1, 1, Sigmoid> }",
    ),
];

/// Graph declarations the no-panic check mutates too: blocks with
/// parameters and defaults, blocks using blocks, nested `Concat`s, `Add`
/// with an identity path, `#[rename]`, several structs in one invocation.
const GRAPHS: &[&str] = &[
    "block Unit(F, K, stride = 1, padding = 0) { conv: Conv2d<F, K, stride = stride, padding = padding, bias = false>, bn: BatchNorm(eps = 1e-3, momentum = 0.9), relu: Relu } \
     block Mixed(POOL) { cat: Concat([b1: Unit(4, 1)], [b3_1: Unit(3, 1), split: Concat([a: Unit(2, [1, 3], padding = [0, 1])], [b: Unit(2, [3, 1], padding = [1, 0])])], [pool: AvgPool2d<3, stride = 1, padding = 1>, bp: Unit(POOL, 1)]) } \
     pub struct Small { input: [6, 6, 2], stem: Unit(8, 3, padding = 1), Mixed_1: Mixed(2), Mixed_2: Mixed(3), gap: GlobalAvgPool, fc: Dense<3> }",
    "block Down(F) { #[rename = \"0\"] conv: Conv2d<F, 1, stride = 2, bias = false>, #[rename = \"1\"] bn: BatchNorm } \
     block Basic(F) { sum: Add([conv1: Conv2d<F, 3, stride = 2, padding = 1, bias = false>, bn1: BatchNorm, relu1: Relu], [downsample: Down(F)]), relu: Relu } \
     block Stage(F) { #[rename = \"0\"] first: Basic(F), #[frozen] #[rename = \"1\"] second: Basic(F) } \
     pub struct ResNet { input: [8, 8, 3], layer1: Stage(4), avgpool: GlobalAvgPool, fc: Dense<2> } \
     pub struct Head { input: 4, #[l2(0.01)] fc: Dense<4, Relu>, out: Dense<1> }",
    "pub struct Flat { input: 4, cat: Concat([a: Dense<3, Tanh>], [b: Dense<2, Sigmoid>, c: Dense<2>], []), sum: Add([d: Dense<5, Tanh>], [#[rename = \"0\"] e: Dense<5>]), out: Dense<1> }",
    "block Residual(F, D) { sum: Add([conv: Conv1d<F, 3, Tanh, padding = Causal, dilation = D>, mix: Conv1d<F, 1>], []), act: Relu } \
     pub struct Tcn { input: [T, 3], stem: Conv1d<4, 1>, res1: Residual(4, 1), res2: Residual(4, 2), join: Concat([g: Gru<2, return_sequences = true>], []), out: TimeDistributed(Dense<1>) }",
];

fn pretty(tokens: TokenStream) -> String {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}

/// The generated code stays small: the README's five-entry network
/// expands to at most 250 formatted lines (211 today), whatever its widths.
#[test]
fn the_readme_network_expands_to_at_most_250_lines() {
    let (_, source) =
        SNAPSHOTS.iter().find(|(name, _)| *name == "dense_dropout").expect("the README's network");
    let lines = |source: &str| pretty(network_tokens(source.parse().expect("valid tokens"))).lines().count();
    let readme = lines(source);
    assert!(readme <= 250, "the README's network expands to {readme} lines");
    let wide = source.replace("Dense<256", "Dense<25600").replace("input: 784", "input: 78400");
    assert_eq!(lines(&wide), readme, "the expansion grows with layer width");
}

#[test]
fn expansions_match_their_snapshots() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let bless = std::env::var_os("TYPENET_BLESS").is_some();
    for (name, source) in SNAPSHOTS {
        let input: TokenStream = source.parse().expect("snapshot sources are valid tokens");
        let expanded = pretty(network_tokens(input));
        assert!(!expanded.contains("compile_error"), "{name} does not expand cleanly:\n{expanded}");
        let path = dir.join(format!("{name}.expanded.rs"));
        if bless {
            std::fs::write(&path, &expanded).expect("snapshot is writable");
            continue;
        }
        let stored = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing {}; run with TYPENET_BLESS=1", path.display()));
        assert_eq!(stored, expanded, "{name} changed; review and rerun with TYPENET_BLESS=1");
    }
}

#[test]
fn expansion_size_does_not_depend_on_widths() {
    let small = network_tokens(
        "struct A { input: 1, fc: Dense<1, Relu>, d: Dropout(0.2), out: Dense<1> }".parse().unwrap(),
    );
    let large = network_tokens(
        "struct A { input: 37632, fc: Dense<1024, Relu>, d: Dropout(0.2), out: Dense<512> }".parse().unwrap(),
    );
    assert_eq!(small.into_iter().count(), large.into_iter().count());
}

/// A small deterministic generator for mutations.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

#[test]
fn malformed_inputs_give_errors_never_panics() {
    let pieces = [
        "input",
        ":",
        "784",
        ",",
        "[",
        "]",
        "Dense",
        "<",
        ">",
        "(",
        ")",
        "Dropout",
        "0.5",
        "-1",
        "_",
        "=",
        "noise_shape",
        "#",
        "frozen",
        "phase",
        "Train",
        "l2",
        "Relu",
        "struct",
        "pub",
        "{",
        "}",
        "0",
        "::",
        "Flatten",
        "BatchNorm",
        "StopGradient",
        "99999999999999999999999",
        "1e40",
        "\"s\"",
        "'a",
        "Gelu",
        "Conv2d",
        "Conv1d",
        "MaxPool2d",
        "AvgPool1d",
        "GlobalAvgPool",
        "SpatialDropout",
        "padding",
        "Same",
        "Causal",
        "Valid",
        "stride",
        "dilation",
        "bias",
        "false",
        "channels_first",
        "eps",
        "momentum",
        "1e-50",
        "3",
        "Lstm",
        "Gru",
        "TimeDistributed",
        "return_sequences",
        "recurrent_dropout",
        "true",
        "LayerNorm",
        "Embedding",
        "Bidirectional",
        "1e-6",
        "GaussianNoise",
        "GaussianDropout",
        "stddev",
        "RandomFlip",
        "RandomTranslation",
        "horizontal",
        "vertical",
        "Conv2dTranspose",
        "output_padding",
        "UpSampling2d",
        "block",
        "Concat",
        "Add",
        "rename",
        "\"0\"",
        "\"a.b\"",
        "Unit",
        "Mixed",
        "F",
        "[]",
        "Relu",
        "*",
        "same",
        "units",
        "kernel_size",
        "activation",
        "p",
        "MaxPol2d",
        "Linear",
        "Dropuot",
        "True",
        "\"relu\"",
        "Activation",
    ];
    let mut rng = Lcg(7);
    let mut cases = 0;
    // The graphs mutated are valid to begin with.
    for source in GRAPHS {
        let expanded = network_tokens(source.parse().expect("graph sources are valid tokens")).to_string();
        assert!(!expanded.contains("compile_error"), "{source} does not expand cleanly:\n{expanded}");
    }
    let sources = SNAPSHOTS.iter().map(|(_, source)| *source).chain(GRAPHS.iter().copied());
    for source in sources {
        let words: Vec<String> = source
            .replace('<', " < ")
            .replace('>', " > ")
            .replace(',', " , ")
            .replace('(', " ( ")
            .replace(')', " ) ")
            .replace('[', " [ ")
            .replace(']', " ] ")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        for _ in 0..1500 {
            let mut mutated = words.clone();
            for _ in 0..=rng.next(3) {
                if mutated.is_empty() {
                    break;
                }
                let at = rng.next(mutated.len());
                let piece = pieces[rng.next(pieces.len())].to_string();
                match rng.next(3) {
                    0 => {
                        mutated.remove(at);
                    }
                    1 => mutated.insert(at, piece),
                    _ => mutated[at] = piece,
                }
            }
            let Ok(tokens) = mutated.join(" ").parse::<TokenStream>() else { continue };
            let outcome = std::panic::catch_unwind(|| network_tokens(tokens));
            assert!(outcome.is_ok(), "panicked on: {}", mutated.join(" "));
            cases += 1;
        }
    }
    assert!(cases > 4000, "only {cases} inputs tokenised");
}
