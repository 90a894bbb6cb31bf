//! The PyTorch module source a network writes, compared with a committed
//! snapshot (`tests/snapshots/*.py`); `TYPENET_BLESS=1 cargo test --test
//! pytorch_module` rewrites the snapshots, to be read before committing.
//! `tools/pytorch_roundtrip.py` runs such modules in PyTorch.

use std::path::Path;

use typenet::prelude::*;

network! {
    pub struct Inner {
        input: 6,
        fc: Dense<8, Gelu>,
        bn: BatchNorm,
    }
}

network! {
    block Unit(F, K, padding = 0) {
        conv: Conv2d<F, K, padding = padding, bias = false>,
        bn: BatchNorm(eps = 1e-3, momentum = 0.9),
        act: Relu,
    }

    /// Maps (even and uneven padding, pools, a graph) down to a flat head
    /// that holds a nested network.
    pub struct Vision {
        input: [8, 8, 3],
        stem: Unit(4, 3, padding = 1),
        cat: Concat([a: Unit(3, 1)], [b: Unit(2, 3, padding = 1)], [p: MaxPool2d<3, stride = 1, padding = 1>]),
        sum: Add([c: Conv2d<9, 1, Tanh>], []),
        same: Conv2d<6, 2, padding = Same>,
        pool: AvgPool2d<2>,
        drop: SpatialDropout(0.1),
        gap: GlobalAvgPool,
        fc: Dense<6, LeakyRelu>,
        head: Inner,
        #[rename = "0"] out: Dense<3, Softmax>,
    }
}

network! {
    pub struct Sequence {
        input: [10, 4],
        conv: Conv1d<6, 3, Tanh, padding = Causal, dilation = 2>,
        lstm: Lstm<8, return_sequences = true>,
        td: TimeDistributed(Dense<5, Sigmoid>),
        drop: Dropout(0.25),
        gru: Gru<6>,
        out: Dense<2>,
    }
}

/// `text` against the snapshot `name`, or written to it when blessing.
fn snapshot(name: &str, text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    if std::env::var_os("TYPENET_BLESS").is_some() || !path.exists() {
        std::fs::write(&path, text).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).expect("read the snapshot");
    assert!(
        expected == text,
        "the module for {name} changed; rerun with TYPENET_BLESS=1 and read the diff:\n{text}"
    );
}

#[test]
fn a_vision_network_writes_its_module() {
    snapshot("vision.py", &Vision::<Eval>::seeded(1).to_pytorch_module().unwrap());
}

#[test]
fn a_sequence_network_writes_its_module() {
    snapshot("sequence.py", &Sequence::<Eval>::seeded(1).to_pytorch_module().unwrap());
}

#[test]
fn submodules_are_named_as_the_saved_tensors() {
    let net = Vision::<Eval>::seeded(1);
    let source = net.to_pytorch_module().unwrap();
    for tensor in net.state_dict().iter() {
        let module = tensor.name.rsplit_once('.').unwrap().0;
        let last = module.rsplit('.').next().unwrap();
        let declared = format!("self.{last} = ");
        let added = format!("self.add_module({last:?}, ");
        assert!(source.contains(&declared) || source.contains(&added), "no submodule for {}", tensor.name);
    }
}

network! {
    pub struct WithLayerNorm {
        input: 4,
        norm: LayerNorm,
        out: Dense<1>,
    }
}

#[test]
fn a_layer_without_a_pytorch_form_is_named() {
    let err = WithLayerNorm::<Eval>::seeded(1).to_pytorch_module().unwrap_err();
    assert!(matches!(&err, Error::Export { layer, .. } if layer == "norm"), "{err}");
}
