//! net-core builds without `std` for a Cortex-M4F
//! (`thumbv7em-none-eabihf`), with the nightly toolchain building `core` and
//! `alloc` from source (`-Zbuild-std`). Where that toolchain or its
//! `rust-src` component is absent the test says so and passes: the project
//! itself builds on stable.

use std::path::Path;
use std::process::Command;

const TARGET: &str = "thumbv7em-none-eabihf";

/// Why the build cannot run here, if it cannot.
fn skip_reason() -> Option<String> {
    let sysroot = match Command::new("rustc").args(["+nightly", "--print", "sysroot"]).output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => return Some("no nightly toolchain (`rustc +nightly` failed)".into()),
    };
    let library = Path::new(&sysroot).join("lib/rustlib/src/rust/library");
    if !library.join("core").is_dir() {
        return Some(format!("the nightly toolchain has no rust-src ({} is missing)", library.display()));
    }
    None
}

#[test]
fn net_core_builds_without_std_for_a_cortex_m4f() {
    if let Some(reason) = skip_reason() {
        println!("skipped: {reason}");
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    // A target directory of its own: the test's own build still holds the
    // workspace's, and the nightly artefacts never mix with stable ones.
    let target_dir = Path::new(root).join("target/no_std");
    let output = Command::new("cargo")
        .args(["+nightly", "build", "-p", "net-core", "--no-default-features", "--target", TARGET])
        .args(["-Zbuild-std=core,alloc", "--target-dir"])
        .arg(&target_dir)
        .current_dir(root)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "the no_std build failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let library = target_dir.join(TARGET).join("debug/libnet_core.rlib");
    assert!(library.is_file(), "{} was not built", library.display());
}
