//! The `network!` page of the facade's documentation lists every layer of
//! the table with its options, so that adding a layer or an option without
//! documenting it fails a test instead of leaving the page behind.

use crate::layers::TABLE;
use crate::schema::{Kind, Param};
use crate::symbol;

/// The facade's source, whose doc comment on `pub use net_macros::network`
/// is the macro's page.
const FACADE: &str = include_str!("../../src/lib.rs");

/// The rows of the layer table on the `network!` page (`/// | ..` lines
/// between its "Syntax" heading and the re-export).
fn table_rows() -> Vec<&'static str> {
    let start = FACADE.find("/// # Syntax").expect("the network! page has a Syntax section");
    let end =
        FACADE[start..].find("pub use net_macros::network;").expect("the page ends at the re-export") + start;
    FACADE[start..end]
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("/// |"))
        .filter(|row| !row.starts_with("---") && !row.starts_with(" written"))
        .collect()
}

/// Whether `text` has `` `word `` followed by something that cannot
/// continue an identifier (so `Conv2d` is not found in `Conv2dTranspose`).
fn names(text: &str, word: &str) -> bool {
    text.match_indices(&format!("`{word}"))
        .any(|(at, found)| !text[at + found.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

/// Whether `text` has `word` neither preceded nor followed by a character
/// of an identifier (`padding` is not found in `output_padding`).
fn whole_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word)
        .any(|(at, found)| !text[..at].ends_with(ident) && !text[at + found.len()..].starts_with(ident))
}

/// The first cell of a row: how the layer is written.
fn written(row: &str) -> &str {
    row.split(" | ").next().unwrap_or(row)
}

#[test]
fn every_layer_in_the_table_has_a_documented_row_with_its_options() {
    let rows = table_rows();
    assert!(rows.len() >= 20, "the table was not found: {rows:?}");
    for def in TABLE {
        let row = rows.iter().find(|row| names(written(row), def.name)).unwrap_or_else(|| {
            panic!("`{}` has no row in the network! page's layer table (src/lib.rs)", def.name)
        });
        for option in def.options {
            assert!(
                whole_word(row, option.name),
                "the network! page's row for `{}` does not name its option `{}`: {row}",
                def.name,
                option.name
            );
        }
        for word in def.positional.iter().flat_map(words) {
            assert!(
                row.contains(word),
                "the network! page's row for `{}` does not show `{word}`: {row}",
                def.name
            );
        }
    }
}

/// The words a positional parameter accepts (`channels_first`, `horizontal`).
fn words(param: &Param) -> &'static [&'static str] {
    match param.kind {
        Kind::Word(words) => words,
        _ => &[],
    }
}

#[test]
fn the_graph_words_and_attributes_are_documented() {
    let rows = table_rows();
    for merge in [symbol::CONCAT, symbol::ADD] {
        assert!(rows.iter().any(|row| names(written(row), merge)), "no row for `{merge}`");
    }
    let start = FACADE.find("/// # Syntax").unwrap();
    let page = &FACADE[start..];
    for word in [symbol::BLOCK, symbol::ATTR_FROZEN, symbol::ATTR_L2, symbol::ATTR_RENAME] {
        assert!(page.contains(word), "the network! page does not mention `{word}`");
    }
    assert!(page.contains("#[phase(Train)]") && page.contains("#[phase(Eval)]"));
}

#[test]
fn a_layer_is_found_by_its_whole_name() {
    assert!(names("`Conv2d<F, K>`", "Conv2d"));
    assert!(!names("`Conv2dTranspose<F, K>`", "Conv2d"));
    assert!(names("`Relu`, `Sigmoid`", "Sigmoid"));
    assert!(whole_word("`BatchNorm(eps = E)`", "eps"));
    assert!(!whole_word("`output_padding`", "padding"));
}
