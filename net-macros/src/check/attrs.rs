//! The attributes of an entry, checked for form: `#[frozen]`,
//! `#[phase(..)]`, `#[l2(λ)]`, `#[rename = ".."]` and doc comments. Whether
//! one means something for its layer is asked of the layer's type by the
//! expansion.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Ident};

use crate::errors::Errors;
use crate::ir::Pinned;
use crate::symbol;

/// The attributes of an entry.
#[derive(Default)]
pub struct EntryAttrs {
    pub docs: Vec<Attribute>,
    pub frozen: Option<Span>,
    pub phase: Option<(Pinned, Span)>,
    pub l2: Option<(f64, Span)>,
    pub rename: Option<(String, Span)>,
}

impl EntryAttrs {
    /// The span of the first attribute that means nothing on a merge (its
    /// layers are inside its paths).
    pub fn on_layer_only(&self) -> Option<(Span, &'static str)> {
        self.frozen
            .map(|s| (s, "#[frozen]"))
            .or(self.phase.map(|(_, s)| (s, "#[phase(..)]")))
            .or(self.l2.map(|(_, s)| (s, "#[l2(..)]")))
            .or(self.rename.as_ref().map(|(_, s)| (*s, "#[rename]")))
    }
}

fn literal_number(expr: &syn::Expr) -> Option<f64> {
    match expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Float(f), .. }) => f.base10_parse().ok(),
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => {
            i.base10_parse::<u64>().ok().map(|v| v as f64)
        }
        syn::Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), expr, .. }) => {
            literal_number(expr).map(|v| -v)
        }
        syn::Expr::Paren(p) => literal_number(&p.expr),
        _ => None,
    }
}

/// Reads the attributes, one error per malformed or unknown one.
pub fn check_attrs(attrs: &[Attribute], errors: &mut Errors) -> EntryAttrs {
    let mut out = EntryAttrs::default();
    for attr in attrs {
        let path = attr.path();
        if path.is_ident(symbol::ATTR_DOC) {
            out.docs.push(attr.clone());
        } else if path.is_ident(symbol::ATTR_FROZEN) {
            if !matches!(attr.meta, syn::Meta::Path(_)) {
                errors.spanned(attr, "`#[frozen]` takes no arguments");
            } else if out.frozen.is_some() {
                errors.spanned(attr, "duplicate `#[frozen]`");
            }
            out.frozen = Some(attr.meta.span());
        } else if path.is_ident(symbol::ATTR_PHASE) {
            match attr.parse_args::<Ident>() {
                Ok(id) if id == symbol::PHASE_TRAIN => out.phase = Some((Pinned::Train, attr.meta.span())),
                Ok(id) if id == symbol::PHASE_EVAL => out.phase = Some((Pinned::Eval, attr.meta.span())),
                Ok(id) => errors.spanned(&id, format!("unknown phase `{id}`: expected `Train` or `Eval`")),
                Err(_) => errors.spanned(attr, "expected `#[phase(Train)]` or `#[phase(Eval)]`"),
            }
        } else if path.is_ident(symbol::ATTR_L2) {
            match attr.parse_args::<syn::Expr>().ok().as_ref().and_then(literal_number) {
                // The factor is an f32 in the expansion: 1e40 is not one.
                Some(l) if l >= 0.0 && (l as f32).is_finite() => out.l2 = Some((l, attr.meta.span())),
                Some(_) => {
                    errors.spanned(attr, "the L2 factor must be a non-negative number that fits in an f32")
                }
                None => errors
                    .spanned(attr, "expected `#[l2(FACTOR)]` with a number literal, e.g. `#[l2(0.001)]`"),
            }
        } else if path.is_ident(symbol::ATTR_RENAME) {
            match &attr.meta {
                syn::Meta::NameValue(syn::MetaNameValue {
                    value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(name), .. }),
                    ..
                }) if !name.value().is_empty() && !name.value().contains('.') => {
                    out.rename = Some((name.value(), attr.meta.span()));
                }
                _ => errors.spanned(
                    attr,
                    "expected `#[rename = \"NAME\"]`: the name its tensors are saved under (not empty, no `.`)",
                ),
            }
        } else {
            errors.spanned(
                attr,
                "unknown attribute on a layer: expected `#[frozen]`, `#[phase(Train)]`, `#[phase(Eval)]`, `#[l2(FACTOR)]`, `#[rename = \"NAME\"]` or a doc comment",
            );
        }
    }
    out
}
