//! The one-line notice of an unoptimised build: training in a debug build
//! is some 30 times slower, and `cargo run` users rarely know why.

use std::sync::atomic::{AtomicBool, Ordering};

/// The environment variable that silences the notice.
///
/// ```
/// assert_eq!(typenet::train::notice::SILENCE, "TYPENET_NO_DEBUG_NOTICE");
/// ```
pub const SILENCE: &str = "TYPENET_NO_DEBUG_NOTICE";

/// The notice's text: one line, naming the profile lines to add.
///
/// ```
/// assert!(typenet::train::notice::TEXT.contains("[profile.dev] opt-level = 1"));
/// ```
pub const TEXT: &str = "typenet: this build is not optimised, so training runs some 30x slower than it \
could; add `[profile.dev] opt-level = 1` and `[profile.dev.package.\"*\"] opt-level = 3` to your \
Cargo.toml (or build with --release); set TYPENET_NO_DEBUG_NOTICE=1 to hide this line";

/// Whether the notice applies to this build and environment: typenet's
/// code was compiled without optimisation (its build script saw
/// `opt-level = 0`), and the silencing variable is unset, empty or `0`.
///
/// ```
/// use typenet::train::notice::applies;
/// assert!(applies(true, None));
/// assert!(!applies(true, Some("1")));
/// assert!(!applies(false, None));
/// ```
pub fn applies(unoptimised: bool, silence: Option<&str>) -> bool {
    unoptimised && silence.is_none_or(|v| v.is_empty() || v == "0")
}

/// Prints [`TEXT`] to standard error, once per process, where it
/// [`applies`]. Release builds compile this to nothing.
pub(crate) fn debug_build() {
    static SHOWN: AtomicBool = AtomicBool::new(false);
    if !cfg!(typenet_unoptimised) || SHOWN.swap(true, Ordering::Relaxed) {
        return;
    }
    if applies(true, std::env::var(SILENCE).ok().as_deref()) {
        eprintln!("{TEXT}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_shows_only_unoptimised_and_unsilenced() {
        assert!(applies(true, None));
        assert!(applies(true, Some("")));
        assert!(applies(true, Some("0")));
        assert!(!applies(true, Some("1")));
        assert!(!applies(false, None));
        assert_eq!(TEXT.lines().count(), 1, "one line");
        assert!(TEXT.contains(SILENCE));
    }

    #[test]
    fn the_build_script_marks_an_unoptimised_build() {
        assert_eq!(cfg!(typenet_unoptimised), env!("TYPENET_OPT_LEVEL") == "0");
    }
}
