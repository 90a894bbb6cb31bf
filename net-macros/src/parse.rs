//! Parse: the macro input as tokens -> the declarations as written
//! ([`Declarations`]: blocks and structs), before any meaning is given to
//! them.
//!
//! Entries are split at top-level commas and parsed one by one, so one
//! malformed entry does not hide the errors of the others. Layer arguments
//! are parsed by hand rather than as a Rust path, because `network!` has
//! arguments Rust generics cannot hold (`Conv2d<16, [3, 2]>`,
//! `Dropout(0.2, noise_shape = [_, 1, 16])`, `Concat([a: Dense<4>], [])`).

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{braced, bracketed, parenthesized, Attribute, Ident, Token, Visibility};

use crate::errors::Errors;
use crate::symbol;

/// Everything one `network!` invocation declares.
pub struct Declarations {
    pub blocks: Vec<BlockDecl>,
    pub structs: Vec<StructDecl>,
    /// Entries that could not be parsed, per struct or block (their errors
    /// are recorded): a body whose entries all failed is not also told it
    /// has none.
    pub failed: usize,
}

/// A `struct`: a network the user names and uses.
pub struct StructDecl {
    /// Attributes (doc comments, derives) for the struct.
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// Any generics the user wrote (an error: the macro adds the phase).
    pub generics: syn::Generics,
    /// The span of the braces, for errors about the body as a whole.
    pub body_span: Span,
    pub entries: Vec<EntryDecl>,
    /// Entries of this struct that could not be parsed.
    pub failed: usize,
}

/// A `block Name(params) { entries }`: entries written once, used as a
/// layer with arguments substituted for its parameters.
#[derive(Clone)]
pub struct BlockDecl {
    pub docs: Vec<Attribute>,
    pub name: Ident,
    /// Positional parameters, then named ones with their defaults.
    pub params: Vec<(Ident, Option<Value>)>,
    pub body_span: Span,
    pub entries: Vec<EntryDecl>,
    pub failed: usize,
}

/// One `name: spec` entry.
#[derive(Clone)]
pub struct EntryDecl {
    pub attrs: Vec<Attribute>,
    pub name: Ident,
    pub spec: Spec,
}

/// What follows the colon of an entry.
#[derive(Clone)]
pub enum Spec {
    /// `784`, `HIDDEN`, `[7, 7, 768]`: only valid for `input`.
    Shape(Vec<Value>, Span),
    /// `Dense<256, Relu>`, `Dropout(0.2)`, `Backbone`.
    Layer(LayerSpec),
}

/// A layer as written: a path, then optionally `<args>`, then optionally
/// `(args)`.
#[derive(Clone)]
pub struct LayerSpec {
    /// The path without arguments (`Dense`, `my::Gate`).
    pub path: syn::Path,
    pub angle: Option<Args>,
    pub call: Option<Args>,
}

impl LayerSpec {
    /// The last segment of the path (the layer's name).
    pub fn name(&self) -> Option<&Ident> {
        self.path.segments.last().map(|s| &s.ident)
    }

    /// Whether the path is a single identifier (built-in layers are).
    pub fn is_single(&self) -> bool {
        self.path.leading_colon.is_none() && self.path.segments.len() == 1
    }

    /// The whole spec's span.
    pub fn span(&self) -> Span {
        let start = self.path.span();
        let end = self.call.as_ref().or(self.angle.as_ref()).map_or(start, |a| a.span);
        start.join(end).unwrap_or(start)
    }
}

/// An argument list, in `<..>` or `(..)`.
#[derive(Clone)]
pub struct Args {
    pub span: Span,
    pub items: Vec<Arg>,
}

/// One argument: positional or `name = value`.
#[derive(Clone)]
pub enum Arg {
    Positional(Value),
    Named(Ident, Value),
}

/// An argument value as written.
#[derive(Clone)]
pub enum Value {
    /// An integer literal, with a leading `-` if written.
    Int { value: u128, negative: bool, span: Span, text: String },
    /// A float literal (or an integer written where a number is expected).
    Float { value: f64, span: Span },
    /// `true` or `false`.
    Bool(bool, Span),
    /// `_`.
    Underscore(Span),
    /// A path: a `const` name, an activation, a padding mode, a type.
    Path(syn::Path),
    /// `[a, b, ..]`.
    List(Vec<Value>, Span),
    /// `(a, b, ..)`: never valid, but what PyTorch users write for a list
    /// (`kernel_size=(3, 3)`), so the message can say which list they meant.
    Tuple(Vec<Value>, Span),
    /// A layer with arguments, as in `TimeDistributed(Dense<1>)`.
    Layer(Box<LayerSpec>),
    /// `[a: Dense<4>, b: Relu]`: a path of entries (of a `Concat`/`Add`).
    Entries(Vec<EntryDecl>, Span),
    /// A string literal: never valid, but Keras writes names as strings
    /// (`activation="relu"`), so the message can say which name it meant.
    Str(String, Span),
    /// Anything else, kept for its span.
    Other(Span),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Int { span, .. } | Value::Float { span, .. } => *span,
            Value::Bool(_, span)
            | Value::Underscore(span)
            | Value::List(_, span)
            | Value::Tuple(_, span)
            | Value::Entries(_, span)
            | Value::Str(_, span)
            | Value::Other(span) => *span,
            Value::Path(path) => path.span(),
            Value::Layer(spec) => spec.span(),
        }
    }
}

/// A path as source text, `a::B`.
pub fn path_text(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let prefix = if path.leading_colon.is_some() { "::" } else { "" };
    format!("{prefix}{}", segments.join("::"))
}

/// A value as written, for messages and to tell uses of a block apart.
pub fn value_text(value: &Value) -> String {
    let list = |items: &[Value]| items.iter().map(value_text).collect::<Vec<_>>().join(", ");
    match value {
        Value::Int { text, .. } => text.clone(),
        Value::Float { value, .. } => format!("{value:?}"),
        Value::Bool(b, _) => b.to_string(),
        Value::Underscore(_) => "_".to_string(),
        Value::Path(path) => path_text(path),
        Value::List(items, _) => format!("[{}]", list(items)),
        Value::Tuple(items, _) => format!("({})", list(items)),
        Value::Layer(spec) => spec_text(spec),
        Value::Entries(entries, _) => {
            let items: Vec<String> = entries.iter().map(entry_text).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Str(text, _) => format!("{text:?}"),
        Value::Other(_) => "?".to_string(),
    }
}

/// `Dense<4, Relu>` as written.
pub fn spec_text(spec: &LayerSpec) -> String {
    let args = |args: &Option<Args>, open: &str, close: &str| {
        args.as_ref().map_or(String::new(), |a| format!("{open}{}{close}", args_text(&a.items)))
    };
    format!("{}{}{}", path_text(&spec.path), args(&spec.angle, "<", ">"), args(&spec.call, "(", ")"))
}

/// Arguments as written, without their brackets: `4, Relu, stride = 2`.
pub fn args_text(items: &[Arg]) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|arg| match arg {
            Arg::Positional(v) => value_text(v),
            Arg::Named(k, v) => format!("{k} = {}", value_text(v)),
        })
        .collect();
    items.join(", ")
}

/// `name: Layer<..>` or `name: [..]` as written.
fn entry_text(entry: &EntryDecl) -> String {
    match &entry.spec {
        Spec::Layer(spec) => format!("{}: {}", entry.name, spec_text(spec)),
        Spec::Shape(dims, _) => {
            let dims: Vec<String> = dims.iter().map(value_text).collect();
            format!("{}: [{}]", entry.name, dims.join(", "))
        }
    }
}

/// A path of identifiers only: `Dense`, `crate::layers::Gate`, `::x::Y`.
fn parse_plain_path(input: ParseStream) -> syn::Result<syn::Path> {
    let leading_colon: Option<Token![::]> = input.parse()?;
    let mut segments = syn::punctuated::Punctuated::new();
    loop {
        let ident = input.call(Ident::parse_any)?;
        // `crate::`, `self::`, `super::` start paths; any other keyword
        // (`fn`, `mut`, `type`) is not a name, and would only fail later,
        // inside the expansion.
        let starts_path =
            segments.is_empty() && ["crate", "self", "super", "Self"].contains(&ident.to_string().as_str());
        if !starts_path && is_keyword(&ident) {
            return Err(syn::Error::new(
                ident.span(),
                format!("`{ident}` is a keyword, not a name (write `r#{ident}` for a raw identifier)"),
            ));
        }
        segments.push_value(syn::PathSegment::from(ident));
        if input.peek(Token![::]) && !input.peek3(Token![<]) {
            segments.push_punct(input.parse()?);
        } else {
            break;
        }
    }
    Ok(syn::Path { leading_colon, segments })
}

impl Parse for Value {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![-]) && (input.peek2(syn::LitInt) || input.peek2(syn::LitFloat)) {
            let minus: Token![-] = input.parse()?;
            let value: Value = input.parse()?;
            let span = minus.span.join(value.span()).unwrap_or(value.span());
            return Ok(match value {
                Value::Int { value, text, .. } => {
                    Value::Int { value, negative: true, span, text: format!("-{text}") }
                }
                Value::Float { value, .. } => Value::Float { value: -value, span },
                other => other,
            });
        }
        if input.peek(syn::LitInt) {
            let lit: syn::LitInt = input.parse()?;
            let text = lit.base10_digits().to_string();
            return match lit.base10_parse::<u128>() {
                Ok(value) => Ok(Value::Int { value, negative: false, span: lit.span(), text }),
                Err(_) => Err(syn::Error::new(lit.span(), "this number is too large")),
            };
        }
        if input.peek(syn::LitFloat) {
            let lit: syn::LitFloat = input.parse()?;
            return Ok(Value::Float { value: lit.base10_parse()?, span: lit.span() });
        }
        if input.peek(syn::LitBool) {
            let lit: syn::LitBool = input.parse()?;
            return Ok(Value::Bool(lit.value, lit.span));
        }
        if input.peek(Token![_]) {
            let underscore: Token![_] = input.parse()?;
            return Ok(Value::Underscore(underscore.span));
        }
        if input.peek(syn::token::Bracket) {
            let content;
            let bracket = bracketed!(content in input);
            // `[name: Layer, ..]` is a path of entries; `[1, _, 4]` a list.
            let entry_first =
                content.peek(Ident::peek_any) && content.peek2(Token![:]) && !content.peek2(Token![::]);
            if entry_first || content.peek(Token![#]) {
                let tokens: TokenStream = content.parse()?;
                let mut entries = Vec::new();
                for entry in split_entries(tokens) {
                    entries.push(syn::parse2::<EntryDecl>(entry)?);
                }
                return Ok(Value::Entries(entries, bracket.span.join()));
            }
            let items = content.parse_terminated(Value::parse, Token![,])?;
            return Ok(Value::List(items.into_iter().collect(), bracket.span.join()));
        }
        if input.peek(syn::token::Paren) {
            let content;
            let parens = parenthesized!(content in input);
            let items = content.parse_terminated(Value::parse, Token![,])?;
            return Ok(Value::Tuple(items.into_iter().collect(), parens.span.join()));
        }
        if input.peek(Ident::peek_any) || input.peek(Token![::]) {
            let spec: LayerSpec = input.parse()?;
            if spec.angle.is_none() && spec.call.is_none() {
                return Ok(Value::Path(spec.path));
            }
            return Ok(Value::Layer(Box::new(spec)));
        }
        if input.peek(syn::LitStr) {
            let lit: syn::LitStr = input.parse()?;
            return Ok(Value::Str(lit.value(), lit.span()));
        }
        let tree: TokenTree = input.parse()?;
        Ok(Value::Other(tree.span()))
    }
}

/// An arithmetic operator after a value (`28 * 28`): said so, where the
/// parser would only expect a comma.
fn refuse_arithmetic(input: ParseStream) -> syn::Result<()> {
    if input.peek(Token![*]) || input.peek(Token![+]) || input.peek(Token![-]) || input.peek(Token![/]) {
        return Err(input.error(
            "`network!` does not evaluate arithmetic: write the number, or declare `const WIDTH: usize = ..;` and write `WIDTH`",
        ));
    }
    Ok(())
}

/// Parses `items` separated by commas up to the end of `input`.
fn parse_args(input: ParseStream, span: Span) -> syn::Result<Args> {
    let mut items = Vec::new();
    let mut named_seen = false;
    while !input.is_empty() {
        if input.peek(Ident::peek_any) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
            let key = input.call(Ident::parse_any)?;
            input.parse::<Token![=]>()?;
            items.push(Arg::Named(key, input.parse()?));
            named_seen = true;
        } else {
            if named_seen {
                return Err(input.error("positional arguments go before named ones (`name = value`)"));
            }
            items.push(Arg::Positional(input.parse()?));
        }
        refuse_arithmetic(input)?;
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(Args { span, items })
}

impl Parse for LayerSpec {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let path = parse_plain_path(input)?;
        let angle = if input.peek(Token![<]) || (input.peek(Token![::]) && input.peek3(Token![<])) {
            if input.peek(Token![::]) {
                input.parse::<Token![::]>()?;
            }
            let open: Token![<] = input.parse()?;
            let inner = take_until_closing_angle(input)?;
            let close_span = inner.1;
            let span = open.span.join(close_span).unwrap_or(open.span);
            Some(syn::parse::Parser::parse2(|s: ParseStream| parse_args(s, span), inner.0)?)
        } else {
            None
        };
        let call = if input.peek(syn::token::Paren) {
            let group: proc_macro2::Group = input.parse()?;
            let span = group.span();
            Some(syn::parse::Parser::parse2(|s: ParseStream| parse_args(s, span), group.stream())?)
        } else {
            None
        };
        Ok(LayerSpec { path, angle, call })
    }
}

/// The tokens after a `<` up to its matching `>` (consumed), and the span
/// of that `>`.
fn take_until_closing_angle(input: ParseStream) -> syn::Result<(TokenStream, Span)> {
    input.step(|cursor| {
        let mut depth = 0usize;
        let mut tokens = Vec::new();
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            if let TokenTree::Punct(p) = &tree {
                match p.as_char() {
                    '<' => depth += 1,
                    '>' if depth == 0 => return Ok(((tokens.into_iter().collect(), p.span()), next)),
                    '>' => depth -= 1,
                    _ => {}
                }
            }
            tokens.push(tree);
            rest = next;
        }
        Err(cursor.error("this `<` is not closed: expected `>`"))
    })
}

/// Whether `ident` is a Rust keyword (a raw identifier, `r#mut`, is not).
fn is_keyword(ident: &Ident) -> bool {
    syn::parse_str::<Ident>(&ident.to_string()).is_err()
}

impl Parse for EntryDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let begin = input.cursor();
        let name = input.call(Ident::parse_any)?;
        if is_keyword(&name) {
            return Err(syn::Error::new(
                name.span(),
                format!(
                    "`{name}` is a keyword and cannot name a layer (write `r#{name}` for a raw identifier)"
                ),
            ));
        }
        input.parse::<Token![:]>()?;
        let spec = if input.peek(syn::token::Bracket) {
            let content;
            let bracket = bracketed!(content in input);
            let dims = content.parse_terminated(Value::parse, Token![,])?;
            Spec::Shape(dims.into_iter().collect(), bracket.span.join())
        } else if input.peek(syn::LitInt)
            || input.peek(Token![-])
            || (name == symbol::INPUT && !input.peek2(Token![<]) && !input.peek2(syn::token::Paren))
        {
            let width: Value = input.parse()?;
            refuse_arithmetic(input)?;
            let span = width.span();
            Spec::Shape(vec![width], span)
        } else {
            Spec::Layer(input.parse()?)
        };
        if input.peek(Token![#])
            || input.peek(Ident::peek_any) && input.peek2(Token![:]) && !input.peek2(Token![::])
        {
            // The next entry, run on without its comma: the mistake is in
            // the entry before it.
            let entry = tokens_between(begin, input.cursor());
            return Err(syn::Error::new_spanned(
                entry,
                "this entry needs a `,` after it, before the next entry",
            ));
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after this entry; entries are separated by commas"));
        }
        Ok(EntryDecl { attrs, name, spec })
    }
}

/// The tokens from `begin` up to (not including) `end`, spans kept.
fn tokens_between(begin: syn::buffer::Cursor<'_>, end: syn::buffer::Cursor<'_>) -> TokenStream {
    let mut tokens = TokenStream::new();
    let mut cursor = begin;
    while cursor != end {
        let Some((tree, next)) = cursor.token_tree() else { break };
        tokens.extend([tree]);
        cursor = next;
    }
    tokens
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

/// One item of the invocation: its attributes, what it is, its name,
/// and its body still as tokens.
enum Item {
    Struct { attrs: Vec<Attribute>, vis: Visibility, name: Ident, generics: syn::Generics, body: Group },
    Block { attrs: Vec<Attribute>, name: Ident, params: TokenStream, body: Group },
}

/// A `{ .. }` body and its span.
struct Group {
    tokens: TokenStream,
    span: Span,
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        if input.peek(Ident) && input.peek2(Ident) && input.fork().parse::<Ident>()? == symbol::BLOCK {
            input.parse::<Ident>()?;
            let name: Ident = input.parse()?;
            let params = if input.peek(syn::token::Paren) {
                let group: proc_macro2::Group = input.parse()?;
                group.stream()
            } else {
                TokenStream::new()
            };
            let content;
            let brace = braced!(content in input);
            let body = Group { tokens: content.parse()?, span: brace.span.join() };
            return Ok(Item::Block { attrs, name, params, body });
        }
        let vis: Visibility = input.parse()?;
        if !input.peek(Token![struct]) {
            return Err(input.error("expected `struct Name { .. }` or `block Name(params) { .. }`"));
        }
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        let generics: syn::Generics = input.parse()?;
        let content;
        let brace = braced!(content in input);
        let body = Group { tokens: content.parse()?, span: brace.span.join() };
        Ok(Item::Struct { attrs, vis, name, generics, body })
    }
}

/// `P1, P2, opt = default, ..`: a block's parameters.
fn parse_params(input: ParseStream) -> syn::Result<Vec<(Ident, Option<Value>)>> {
    let mut params = Vec::new();
    while !input.is_empty() {
        let name = input.call(Ident::parse_any)?;
        if is_keyword(&name) {
            return Err(syn::Error::new(name.span(), format!("`{name}` is a keyword, not a parameter name")));
        }
        let default = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse::<Value>()?)
        } else {
            if params.iter().any(|(_, d): &(Ident, Option<Value>)| d.is_some()) {
                return Err(syn::Error::new(
                    name.span(),
                    "parameters without a default go before those with one (`opt = value`)",
                ));
            }
            None
        };
        params.push((name, default));
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(params)
}

/// The entries of a body, one error per entry that does not parse.
fn parse_entries(tokens: TokenStream, errors: &mut Errors) -> (Vec<EntryDecl>, usize) {
    let mut entries = Vec::new();
    let mut failed = 0;
    for tokens in split_entries(tokens) {
        if tokens.is_empty() {
            continue;
        }
        match syn::parse2::<EntryDecl>(tokens) {
            Ok(entry) => entries.push(entry),
            Err(err) => {
                errors.push(err);
                failed += 1;
            }
        }
    }
    (entries, failed)
}

/// Splits the invocation into items: each ends at its `{ .. }` body.
fn split_items(tokens: TokenStream) -> Vec<TokenStream> {
    let mut items = Vec::new();
    let mut current = Vec::new();
    for tree in tokens {
        let ends = matches!(&tree, TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace);
        current.push(tree);
        if ends {
            items.push(current.drain(..).collect());
        }
    }
    if !current.is_empty() {
        items.push(current.into_iter().collect());
    }
    items
}

/// Parses every item, collecting one error per malformed item or entry.
/// Returns `None` when no item could be read at all.
pub fn parse(input: TokenStream, errors: &mut Errors) -> Option<Declarations> {
    let mut declarations = Declarations { blocks: Vec::new(), structs: Vec::new(), failed: 0 };
    let mut read_any = false;
    for tokens in split_items(input) {
        let item = match syn::parse2::<Item>(tokens) {
            Ok(item) => item,
            Err(err) => {
                errors.push(err);
                continue;
            }
        };
        read_any = true;
        match item {
            Item::Struct { attrs, vis, name, generics, body } => {
                let (entries, failed) = parse_entries(body.tokens, errors);
                declarations.failed += failed;
                declarations.structs.push(StructDecl {
                    attrs,
                    vis,
                    name,
                    generics,
                    body_span: body.span,
                    entries,
                    failed,
                });
            }
            Item::Block { attrs, name, params, body } => {
                let params = match syn::parse::Parser::parse2(parse_params, params) {
                    Ok(params) => params,
                    Err(err) => {
                        errors.push(err);
                        Vec::new()
                    }
                };
                let (entries, failed) = parse_entries(body.tokens, errors);
                declarations.failed += failed;
                let docs = attrs.into_iter().filter(|a| a.path().is_ident(symbol::ATTR_DOC)).collect();
                declarations.blocks.push(BlockDecl {
                    docs,
                    name,
                    params,
                    body_span: body.span,
                    entries,
                    failed,
                });
            }
        }
    }
    if !read_any && errors.is_empty() {
        errors.at(Span::call_site(), "`network!` needs a `struct Name { input: .., layers.. }`");
    }
    read_any.then_some(declarations)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(source: &str) -> LayerSpec {
        syn::parse_str(source).expect("parses")
    }

    #[test]
    fn layer_arguments_that_rust_generics_cannot_hold_parse() {
        let conv = spec("Conv2d<16, [3, 2], Relu, stride = [2, 1], padding = Same, bias = false>");
        let args = conv.angle.expect("angle arguments");
        assert_eq!(args.items.len(), 6);
        assert!(matches!(&args.items[1], Arg::Positional(Value::List(items, _)) if items.len() == 2));
        assert!(matches!(&args.items[5], Arg::Named(key, Value::Bool(false, _)) if key == "bias"));
        let dropout = spec("Dropout(0.2, noise_shape = [_, 1, F])");
        let call = dropout.call.expect("call arguments");
        assert!(matches!(&call.items[1], Arg::Named(_, Value::List(items, _)) if items.len() == 3));
    }

    #[test]
    fn nested_layers_and_negative_numbers_parse() {
        let wrapped = spec("TimeDistributed(Dense<1, Tanh>)");
        let call = wrapped.call.expect("call arguments");
        assert!(matches!(&call.items[0], Arg::Positional(Value::Layer(inner)) if inner.angle.is_some()));
        let negative = spec("Dense<-3>");
        let args = negative.angle.expect("angle arguments");
        assert!(matches!(&args.items[0], Arg::Positional(Value::Int { value: 3, negative: true, .. })));
    }
}
