//! Parse: the macro input as syn tokens -> a small intermediate form.
//!
//! Entries are split at top-level commas and parsed one by one, so one
//! malformed entry does not hide the errors of the others.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{braced, bracketed, parenthesized, Attribute, Ident, Token, Visibility};

use crate::errors::Errors;
use crate::symbol;

/// A whole `network!` declaration.
pub struct NetworkDef {
    /// Attributes (doc comments, derives) for the struct.
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// Any generics the user wrote (an error: the macro adds the phase).
    pub generics: syn::Generics,
    pub entries: Vec<Entry>,
}

/// One `name: spec` entry.
pub struct Entry {
    pub attrs: Vec<Attribute>,
    pub name: Ident,
    pub spec: Spec,
}

/// What follows the colon of an entry.
pub enum Spec {
    /// `784`, `HIDDEN`, `[7, 7, 768]`: only valid for `input`.
    Shape(Vec<Width>, Span),
    /// `Path`, `Path<args>`, `Path(args)`.
    Layer(LayerSpec),
}

/// A layer as written: a path, optionally with generic arguments, and
/// optionally a parenthesised argument list.
pub struct LayerSpec {
    pub path: syn::Path,
    pub call: Option<CallArgs>,
}

/// `(0.2, noise_shape = [_, 1, 16])`.
pub struct CallArgs {
    pub paren_span: Span,
    pub positional: Vec<syn::Expr>,
    pub named: Vec<(Ident, NamedValue)>,
}

/// The value of a named argument.
pub enum NamedValue {
    /// `[_, 1, F]`.
    List(Vec<NoiseDim>, Span),
    Expr(syn::Expr),
}

/// One axis of a `noise_shape`.
#[derive(Clone)]
pub enum NoiseDim {
    /// `_`: the axis' own size.
    Own,
    /// A width: `1` shares one mask value along the axis.
    Size(Width),
}

/// A width: an integer literal or a `const` item.
#[derive(Clone)]
pub enum Width {
    Lit(u64, Span),
    Const(syn::Path),
}

impl Width {
    pub fn span(&self) -> Span {
        match self {
            Width::Lit(_, span) => *span,
            Width::Const(path) => path.span(),
        }
    }
}

impl Parse for Width {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(syn::LitInt) {
            let lit: syn::LitInt = input.parse()?;
            let value = lit.base10_parse::<u64>()?;
            Ok(Width::Lit(value, lit.span()))
        } else if input.peek(Ident) || input.peek(Token![::]) || input.peek(Token![crate]) {
            Ok(Width::Const(input.call(syn::Path::parse_mod_style)?))
        } else {
            Err(input.error("expected a width: an integer literal or a `const` name"))
        }
    }
}

impl Parse for NoiseDim {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![_]) {
            input.parse::<Token![_]>()?;
            Ok(NoiseDim::Own)
        } else {
            Ok(NoiseDim::Size(input.parse()?))
        }
    }
}

impl Parse for CallArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let content;
        let paren = parenthesized!(content in input);
        let mut positional = Vec::new();
        let mut named = Vec::new();
        while !content.is_empty() {
            if content.peek(Ident) && content.peek2(Token![=]) {
                let key: Ident = content.parse()?;
                content.parse::<Token![=]>()?;
                let value = if content.peek(syn::token::Bracket) {
                    let list;
                    let bracket = bracketed!(list in content);
                    let dims = list.parse_terminated(NoiseDim::parse, Token![,])?;
                    NamedValue::List(dims.into_iter().collect(), bracket.span.join())
                } else {
                    NamedValue::Expr(content.parse()?)
                };
                named.push((key, value));
            } else {
                if !named.is_empty() {
                    return Err(content.error("positional arguments go before named ones"));
                }
                positional.push(content.parse()?);
            }
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        Ok(CallArgs { paren_span: paren.span.join(), positional, named })
    }
}

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let name: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let spec = if input.peek(syn::token::Bracket) {
            let content;
            let bracket = bracketed!(content in input);
            let dims = content.parse_terminated(Width::parse, Token![,])?;
            Spec::Shape(dims.into_iter().collect(), bracket.span.join())
        } else if input.peek(syn::LitInt) || (name == symbol::INPUT && !input.peek2(Token![<])) {
            let width: Width = input.parse()?;
            let span = width.span();
            Spec::Shape(vec![width], span)
        } else {
            let path: syn::Path = input.parse()?;
            let call = if input.peek(syn::token::Paren) { Some(input.parse()?) } else { None };
            Spec::Layer(LayerSpec { path, call })
        };
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after this entry; entries are separated by commas"));
        }
        Ok(Entry { attrs, name, spec })
    }
}

/// Splits a token stream at commas outside `<...>`, `(...)`, `[...]`, `{...}`.
fn split_entries(tokens: TokenStream) -> Vec<TokenStream> {
    let mut entries = Vec::new();
    let mut current = Vec::new();
    let mut angle_depth = 0usize;
    for tree in tokens {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == '<' => angle_depth += 1,
            TokenTree::Punct(p) if p.as_char() == '>' => angle_depth = angle_depth.saturating_sub(1),
            TokenTree::Punct(p) if p.as_char() == ',' && angle_depth == 0 => {
                entries.push(current.drain(..).collect());
                continue;
            }
            _ => {}
        }
        current.push(tree);
    }
    if !current.is_empty() {
        entries.push(current.into_iter().collect());
    }
    entries
}

/// Parses the declaration, collecting one error per malformed entry.
pub fn parse(input: TokenStream, errors: &mut Errors) -> Option<NetworkDef> {
    let header =
        |input: ParseStream| -> syn::Result<(Vec<Attribute>, Visibility, Ident, syn::Generics, TokenStream)> {
            let attrs = input.call(Attribute::parse_outer)?;
            let vis: Visibility = input.parse()?;
            input.parse::<Token![struct]>()?;
            let name: Ident = input.parse()?;
            let generics: syn::Generics = input.parse()?;
            let content;
            braced!(content in input);
            let body: TokenStream = content.parse()?;
            if !input.is_empty() {
                return Err(input.error("unexpected tokens after the network's closing brace"));
            }
            Ok((attrs, vis, name, generics, body))
        };
    let (attrs, vis, name, generics, body) = match syn::parse::Parser::parse2(header, input) {
        Ok(parts) => parts,
        Err(err) => {
            errors.push(err);
            return None;
        }
    };
    let mut entries = Vec::new();
    for tokens in split_entries(body) {
        if tokens.is_empty() {
            continue;
        }
        match syn::parse2::<Entry>(tokens) {
            Ok(entry) => entries.push(entry),
            Err(err) => errors.push(err),
        }
    }
    Some(NetworkDef { attrs, vis, name, generics, entries })
}
