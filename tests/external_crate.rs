//! Builds `tests/external-user`, a crate outside the workspace that depends
//! on `typenet` alone, so an expansion that named `net_core` or `nalgebra`
//! directly would fail here even though it works inside the workspace.

use std::path::Path;
use std::process::Command;

#[test]
fn a_crate_depending_on_typenet_alone_compiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    // Start from the workspace's lock file so the same (already built)
    // versions are used; cargo adds the user crate itself.
    std::fs::copy(root.join("Cargo.lock"), root.join("tests/external-user/Cargo.lock"))
        .expect("the lock file copies");
    let output = Command::new(cargo)
        .arg("check")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(root.join("tests/external-user/Cargo.toml"))
        .arg("--target-dir")
        .arg(root.join("target/external-user"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the external crate did not compile:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
