//! Loads torchvision's InceptionV3 and ResNet-18 `state_dict`s as they
//! are into the declarations of `tests/models/torchvision.rs` and compares the Eval logits with
//! torchvision's. Run through `python3 tools/torchvision_check.py`, which
//! writes the weights, an input batch and torchvision's logits to a folder
//! and passes it here.

#[path = "../tests/models/torchvision.rs"]
mod torchvision;

use std::path::Path;

use torchvision::{InceptionV3, ResNet18};
use typenet::io::StateDict;
use typenet::network::NetworkDef;
use typenet::prelude::*;

/// The input batch (channels last) and torchvision's logits.
fn fixture(folder: &Path, name: &str) -> Result<(Vec<f32>, Vec<f32>), Box<dyn std::error::Error>> {
    let io = StateDict::from_bytes(&std::fs::read(folder.join(format!("{name}.io.safetensors")))?)?;
    let tensor =
        |key: &str| io.tensors.iter().find(|t| t.name == key).map(|t| t.data.clone()).unwrap_or_default();
    Ok((tensor("x"), tensor("logits")))
}

/// The largest absolute difference, and the largest relative to the
/// largest logit.
fn compare(name: &str, ours: &[f32], theirs: &[f32]) -> f32 {
    let scale = theirs.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let worst = ours.iter().zip(theirs).fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    println!(
        "{name}: {} logits, largest |typenet - torchvision| {worst:.3e}, relative to the largest logit {:.3e}",
        theirs.len(),
        worst / scale
    );
    worst / scale
}

fn run<const IN: usize, const OUT: usize, N>(
    folder: &Path,
    name: &str,
) -> Result<f32, Box<dyn std::error::Error>>
where
    N: EvalNetwork + NetworkDef<Input = typenet::nalgebra::Const<IN>, Output = typenet::nalgebra::Const<OUT>>,
{
    let net = N::load(folder.join(format!("{name}.safetensors")))?;
    let (x, expected) = fixture(folder, name)?;
    let x = Batch::<IN>::from_column_slice(&x);
    let y = net.forward(&x);
    Ok(compare(name, y.as_slice(), &expected))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(folder) = std::env::args().nth(1) else {
        eprintln!("usage: cargo run --release --example torchvision_check -- FOLDER (see tools/torchvision_check.py)");
        std::process::exit(2);
    };
    let folder = Path::new(&folder);
    let inception = run::<{ 299 * 299 * 3 }, 1000, InceptionV3<Eval>>(folder, "inception_v3")?;
    let resnet = run::<{ 224 * 224 * 3 }, 1000, ResNet18<Eval>>(folder, "resnet18")?;
    let ok = inception < 1e-4 && resnet < 1e-4;
    println!("{}", if ok { "agree to float rounding" } else { "DIFFER" });
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
