//! Tells the code whether it is compiled without optimisation, for `fit`'s
//! one-line notice of a debug build (cargo gives build scripts the opt-level
//! of the package being built, after per-package profile overrides).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(typenet_unoptimised)");
    println!("cargo::rerun-if-changed=build.rs");
    let level = std::env::var("OPT_LEVEL").unwrap_or_default();
    println!("cargo::rustc-env=TYPENET_OPT_LEVEL={level}");
    if level == "0" {
        println!("cargo::rustc-cfg=typenet_unoptimised");
    }
}
