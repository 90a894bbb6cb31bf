//! Check: the declaration as written -> the checked [`Network`], with
//! every mistake reported as a spanned error (one `check_*` function per
//! rule). Layer arguments are checked against the table (`layers.rs`);
//! what only a layer's type knows (whether it can be frozen, depends on
//! the phase, has a kernel) is asserted by the expansion.

use proc_macro2::Span;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Attribute, Ident};

use crate::args::bind;
use crate::errors::Errors;
use crate::ir::{describe_shape, BuiltIn, Dim, Entry, LayerUse, Network, Pinned, Shape, MAX_VALUES};
use crate::layers::{self, Context};
use crate::parse::{self, path_text, LayerSpec, NetworkDef, Spec, Value};
use crate::suggest::nearest;
use crate::symbol;

/// Runs every check. Returns the network, with the entries that checked,
/// whenever its input did (even if other entries were wrong: the expansion
/// then still asserts what their types know, so those errors come in the
/// same compilation); `failed` entries could not be parsed (their errors
/// are already recorded).
pub fn check(def: NetworkDef, failed: usize, errors: &mut Errors) -> Option<Network> {
    check_generics(&def, errors);
    let mut entries = def.entries.into_iter().peekable();
    let mut const_widths = Vec::new();
    let input = match entries.peek() {
        Some(first) if first.name == symbol::INPUT => {
            let first = entries.next()?;
            check_input(first, &mut const_widths, errors)
        }
        Some(first) => {
            if failed == 0 {
                errors.spanned(
                    &first.name,
                    format!(
                        "the first entry must be `input: WIDTH` (or `input: [D1, D2, ..]`), found `{}`",
                        first.name
                    ),
                );
            }
            None
        }
        // A missing comma makes one unparsable entry of two: its error
        // says so, and this one would be false.
        None if failed > 0 => None,
        None => {
            errors.at(
                def.body_span,
                format!("network `{}` needs `input: WIDTH` and at least one layer", def.name),
            );
            None
        }
    };
    let mut checked = Vec::new();
    let mut shape = input.clone().unwrap_or_else(|| vec![Dim::Lit(1)]);
    let mut seen: Vec<Ident> = Vec::new();
    // After an entry fails, the shapes that follow are unknown: mistakes
    // about them would only repeat that failure.
    let mut input_known = true;
    for entry in entries {
        check_name(&entry.name, &seen, errors);
        seen.push(entry.name.clone());
        let context = EntryContext { network: &def.name, vis: &def.vis, in_shape: &shape, input_known };
        let keeps_shape = keeps_shape(&entry);
        match check_entry(entry, &context, &mut const_widths, errors) {
            Some(entry) => {
                shape = entry.out_shape.clone();
                checked.push(entry);
            }
            None => input_known &= keeps_shape,
        }
    }
    if checked.is_empty() && input.is_some() && errors.is_empty() {
        errors.at(def.body_span, format!("network `{}` needs at least one layer after `input`", def.name));
    }
    Some(Network {
        attrs: def.attrs,
        vis: def.vis,
        name: def.name,
        input: input?,
        entries: checked,
        const_widths,
    })
}

/// What checking an entry may look at.
struct EntryContext<'a> {
    network: &'a Ident,
    vis: &'a syn::Visibility,
    in_shape: &'a Shape,
    /// Whether every entry before this one was well-formed.
    input_known: bool,
}

fn check_generics(def: &NetworkDef, errors: &mut Errors) {
    if !def.generics.params.is_empty() || def.generics.where_clause.is_some() {
        errors.spanned(
            &def.generics,
            "a network takes no generic parameters: `network!` adds the phase parameter `P: Phase = Eval` itself",
        );
    }
}

/// Names are unique, `input` comes once, and `__` names are the expansion's.
fn check_name(name: &Ident, seen: &[Ident], errors: &mut Errors) {
    if name == symbol::INPUT {
        errors.spanned(name, "`input` may only appear once, as the first entry");
    } else if name.to_string().starts_with(symbol::RESERVED_PREFIX) {
        errors.spanned(
            name,
            format!("`{name}`: names starting with `__` are reserved for what `network!` generates"),
        );
    } else if seen.iter().any(|s| s == name) {
        errors.spanned(name, format!("duplicate layer name `{name}`"));
    }
}

/// A width of the input shape.
fn check_input_width(value: &Value, const_widths: &mut Vec<syn::Path>, errors: &mut Errors) -> Option<Dim> {
    match value {
        Value::Int { negative: true, text, span, .. } => {
            errors.at(*span, format!("an input dimension must be a positive integer, found {text}"));
            None
        }
        Value::Int { value: 0, span, .. } => {
            errors.at(*span, "an input dimension must be at least 1, found 0");
            None
        }
        Value::Int { value, span, text, .. } if *value > MAX_VALUES => {
            errors.at(*span, format!("an input dimension of {text} is more values than memory can hold"));
            None
        }
        Value::Int { value, .. } => Some(Dim::Lit(*value as u64)),
        Value::Path(path) => {
            const_widths.push(path.clone());
            Some(Dim::Const(path.clone()))
        }
        other => {
            errors.at(other.span(), "an input dimension must be a positive integer or a `const` name");
            None
        }
    }
}

fn check_input(entry: parse::Entry, const_widths: &mut Vec<syn::Path>, errors: &mut Errors) -> Option<Shape> {
    if let Some(attr) = entry.attrs.first() {
        errors.spanned(attr, "`input` takes no attributes");
    }
    match entry.spec {
        Spec::Shape(dims, span) => {
            if dims.is_empty() {
                errors.at(span, "an input shape needs at least one dimension");
                return None;
            }
            let shape: Vec<Option<Dim>> =
                dims.iter().map(|v| check_input_width(v, const_widths, errors)).collect();
            let shape: Shape = shape.into_iter().collect::<Option<_>>()?;
            let flat = Dim::product(&shape);
            if flat.is_literal() && flat.literal().is_none() {
                errors.at(span, "the input shape holds more values than memory can");
                return None;
            }
            Some(shape)
        }
        Spec::Layer(layer) => {
            errors.spanned(
                &layer.path,
                "`input` takes a width (`input: 784`) or a shape (`input: [7, 7, 768]`), not a layer",
            );
            None
        }
    }
}

/// The attributes of an entry, checked for form.
#[derive(Default)]
struct EntryAttrs {
    docs: Vec<Attribute>,
    frozen: Option<Span>,
    phase: Option<(Pinned, Span)>,
    l2: Option<(f64, Span)>,
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

fn check_attrs(attrs: Vec<Attribute>, errors: &mut Errors) -> EntryAttrs {
    let mut out = EntryAttrs::default();
    for attr in attrs {
        let path = attr.path();
        if path.is_ident(symbol::ATTR_DOC) {
            out.docs.push(attr);
        } else if path.is_ident(symbol::ATTR_FROZEN) {
            if !matches!(attr.meta, syn::Meta::Path(_)) {
                errors.spanned(&attr, "`#[frozen]` takes no arguments");
            } else if out.frozen.is_some() {
                errors.spanned(&attr, "duplicate `#[frozen]`");
            }
            out.frozen = Some(attr.meta.span());
        } else if path.is_ident(symbol::ATTR_PHASE) {
            match attr.parse_args::<Ident>() {
                Ok(id) if id == symbol::PHASE_TRAIN => out.phase = Some((Pinned::Train, attr.meta.span())),
                Ok(id) if id == symbol::PHASE_EVAL => out.phase = Some((Pinned::Eval, attr.meta.span())),
                Ok(id) => errors.spanned(&id, format!("unknown phase `{id}`: expected `Train` or `Eval`")),
                Err(_) => errors.spanned(&attr, "expected `#[phase(Train)]` or `#[phase(Eval)]`"),
            }
        } else if path.is_ident(symbol::ATTR_L2) {
            match attr.parse_args::<syn::Expr>().ok().as_ref().and_then(literal_number) {
                // The factor is an f32 in the expansion: 1e40 is not one.
                Some(l) if l >= 0.0 && (l as f32).is_finite() => out.l2 = Some((l, attr.meta.span())),
                Some(_) => {
                    errors.spanned(&attr, "the L2 factor must be a non-negative number that fits in an f32")
                }
                None => errors
                    .spanned(&attr, "expected `#[l2(FACTOR)]` with a number literal, e.g. `#[l2(0.001)]`"),
            }
        } else {
            errors.spanned(
                &attr,
                "unknown attribute on a layer: expected `#[frozen]`, `#[phase(Train)]`, `#[phase(Eval)]`, `#[l2(FACTOR)]` or a doc comment",
            );
        }
    }
    out
}

/// Whether an entry is a built-in layer whose output has its input's shape.
fn keeps_shape(entry: &parse::Entry) -> bool {
    match &entry.spec {
        Spec::Layer(spec) => {
            spec.name().and_then(|name| layers::find(&name.to_string())).is_some_and(|def| def.keeps_shape)
        }
        Spec::Shape(..) => false,
    }
}

fn check_entry(
    entry: parse::Entry,
    cx: &EntryContext<'_>,
    const_widths: &mut Vec<syn::Path>,
    errors: &mut Errors,
) -> Option<Entry> {
    let attrs = check_attrs(entry.attrs, errors);
    let spec = match entry.spec {
        Spec::Layer(spec) => spec,
        Spec::Shape(_, span) => {
            errors.at(span, format!("`{}` needs a layer (e.g. `Dense<64, Relu>`), not a width", entry.name));
            return None;
        }
    };
    let span = spec.span();
    let (layer, out_shape) = check_layer(&spec, &entry.name, cx, const_widths, errors)?;
    check_size(&entry.name, cx.in_shape, &out_shape, span, errors);
    Some(Entry {
        name: entry.name,
        docs: attrs.docs,
        layer,
        frozen: attrs.frozen,
        pinned: attrs.phase,
        l2: attrs.l2,
        in_shape: cx.in_shape.clone(),
        out_shape,
        span,
    })
}

/// A layer's tensors must fit in memory: its input width times its output
/// width (the largest a layer's weights get) is bounded, so an absurd width
/// is one error here rather than overflows inside the expansion.
fn check_size(name: &Ident, in_shape: &Shape, out_shape: &Shape, span: Span, errors: &mut Errors) {
    let (input, output) = (Dim::product(in_shape), Dim::product(out_shape));
    let too_large = |dim: &Dim| dim.is_literal() && dim.literal().is_none();
    let weights = Dim::Op(
        crate::ir::Op::Add,
        Box::new(Dim::mul(input.clone(), output.clone())),
        Box::new(output.clone()),
    );
    if too_large(&output) || too_large(&weights) {
        errors.at(
            span,
            format!(
                "layer `{name}` is too large: from {} to {} values per sample, its tensors would not fit in memory",
                describe_shape(in_shape),
                describe_shape(out_shape)
            ),
        );
    }
}

/// Resolves a layer spec: a built-in layer through the table, or any
/// other type.
fn check_layer(
    spec: &LayerSpec,
    entry: &Ident,
    cx: &EntryContext<'_>,
    const_widths: &mut Vec<syn::Path>,
    errors: &mut Errors,
) -> Option<(LayerUse, Shape)> {
    let name = spec.name()?.to_string();
    match layers::find(&name).filter(|_| spec.is_single()) {
        Some(def) => {
            let bindings = bind(def, spec, errors)?;
            const_widths.extend(bindings.const_widths.iter().cloned());
            let context = Context {
                layer: def.name,
                network: cx.network,
                entry,
                vis: cx.vis,
                in_shape: cx.in_shape,
                span: spec.span(),
            };
            match (def.resolve)(&bindings, &context) {
                Ok(resolved) => {
                    let built = BuiltIn {
                        def,
                        path: resolved.path,
                        args: resolved.args,
                        init: resolved.init,
                        items: resolved.items,
                        declared: resolved.declared,
                    };
                    Some((LayerUse::BuiltIn(built), resolved.out_shape))
                }
                Err(problem) => {
                    if cx.input_known || !problem.about_input {
                        errors.at(problem.span, problem.message);
                    }
                    None
                }
            }
        }
        None => check_custom(spec, errors),
    }
}

/// Any type that is not a built-in layer: a custom layer or a nested
/// network, written without arguments (or with type arguments of its own).
fn check_custom(spec: &LayerSpec, errors: &mut Errors) -> Option<(LayerUse, Shape)> {
    let name = spec.name()?.to_string();
    let type_args: Option<Vec<&syn::Path>> = match &spec.angle {
        None => Some(Vec::new()),
        Some(args) => args
            .items
            .iter()
            .map(|arg| match arg {
                parse::Arg::Positional(Value::Path(path)) => Some(path),
                _ => None,
            })
            .collect(),
    };
    let built_in_form = spec.call.is_some() || type_args.is_none();
    if built_in_form {
        let names = layers::names();
        let hint = nearest(&name, &names).map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
        errors.spanned(
            spec.name()?,
            format!(
                "unknown layer `{name}`{hint} (built-in layers: {}; any other type must implement `typenet::Layer` and is written without arguments)",
                names.join(", ")
            ),
        );
        return None;
    }
    let path = &spec.path;
    let args = type_args.unwrap_or_default();
    let tokens = if args.is_empty() { quote!(#path) } else { quote!(#path<#(#args),*>) };
    let out = vec![Dim::OutputOf(syn::parse2(tokens.clone()).ok()?)];
    Some((LayerUse::Custom(tokens, path_text(path)), out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::TokenStream;

    /// The messages `check` reports for a declaration.
    fn messages(source: &str) -> Vec<String> {
        let mut errors = Errors::default();
        let tokens: TokenStream = source.parse().expect("tokens");
        if let Some((def, failed)) = parse::parse(tokens, &mut errors) {
            check(def, failed, &mut errors);
        }
        errors.messages()
    }

    fn assert_one(source: &str, expected: &str) {
        let found = messages(source);
        assert!(
            found.len() == 1 && found[0].contains(expected),
            "{source}: expected one error containing {expected:?}, got {found:#?}"
        );
    }

    /// Each entry's output shape, as messages describe shapes.
    fn shapes(source: &str) -> Vec<String> {
        let mut errors = Errors::default();
        let tokens: TokenStream = source.parse().expect("tokens");
        let (def, failed) = parse::parse(tokens, &mut errors).expect("parses");
        let net = check(def, failed, &mut errors).expect("checks");
        assert!(errors.is_empty(), "{source}: {:#?}", errors.messages());
        net.entries.iter().map(|e| crate::ir::describe_shape(&e.out_shape)).collect()
    }

    #[test]
    fn shaped_layers_work_out_their_output_shapes() {
        assert_eq!(
            shapes(
                "struct N { input: [8, 8, 1], c1: Conv2d<16, 3, Relu>, c2: Conv2d<32, 3, Relu, padding = Same>, \
                 pool: MaxPool2d<2>, drop: SpatialDropout(0.2), flat: Flatten, out: Dense<10> }"
            ),
            ["[6, 6, 16]", "[6, 6, 32]", "[3, 3, 32]", "[3, 3, 32]", "[288]", "[10]"]
        );
        // PyTorch's formula: (7 + 2 - 2 * 2 - 1) / 2 + 1 = 3 and (9 + 2 - 2 - 1) / 1 + 1 = 9.
        assert_eq!(
            shapes("struct N { input: [7, 9, 3], c: Conv2d<4, [3, 2], stride = [2, 1], padding = 1, dilation = 2> }"),
            ["[3, 9, 4]"]
        );
        assert_eq!(
            shapes("struct N { input: [10, 3], c: Conv1d<4, 3, padding = Causal, dilation = 2>, p: AvgPool1d<3, stride = 2> }"),
            ["[10, 4]", "[4, 4]"]
        );
        // Pools round down; global pools keep the channels.
        assert_eq!(
            shapes("struct N { input: [7, 5, 3], p: MaxPool2d<2>, g: GlobalMaxPool }"),
            ["[3, 2, 3]", "[3]"]
        );
        assert_eq!(
            shapes("struct N { input: [4, 4, 2], bn: BatchNorm, f: Flatten(channels_first), out: Dense<1> }"),
            ["[4, 4, 2]", "[32]", "[1]"]
        );
    }

    #[test]
    fn recurrent_layers_work_out_their_output_shapes() {
        assert_eq!(
            shapes(
                "struct N { input: [8, 3], a: Lstm<16, return_sequences = true, dropout = 0.1>, \
                 b: TimeDistributed(Dense<4, Relu>), c: Gru<5>, out: Dense<1> }"
            ),
            ["[8, 16]", "[8, 4]", "[5]", "[1]"]
        );
        assert_eq!(
            shapes("struct N { input: [T, 2], c: Conv1d<4, 3, padding = Causal>, r: Gru<U, return_sequences = true> }"),
            ["[T, 4]", "[T, U]"]
        );
    }

    #[test]
    fn recurrent_mistakes_are_reported_on_the_layer_or_value() {
        assert_one("struct N { input: 64, r: Lstm<8> }", "needs an input shaped [T, F]");
        assert_one("struct N { input: [8, 8], r: Gru<8, recurrent_dropout = 1.0> }", "outside [0, 1)");
        assert_one("struct N { input: [8, 8], r: Gru<8, dropout = -0.5> }", "outside [0, 1)");
        assert_one(
            "struct N { input: [8, 8], r: Gru<8, return_sequences = true>, out: Dense<1> }",
            "TimeDistributed",
        );
        assert_one("struct N { input: [8, 8], t: TimeDistributed(MaxPool1d<2>) }", "`MaxPool1d` is not one");
        assert_one("struct N { input: [8, 8], t: TimeDistributed(Dense<0>) }", "must be at least 1");
        assert_one(
            "struct N { input: [8, 8], r: Lstm<8, return_sequence = true> }",
            "did you mean `return_sequences`",
        );
    }

    #[test]
    fn shaped_layer_mistakes_name_the_input_shape() {
        assert_one(
            "struct N { input: 64, c: Conv2d<8, 3> }",
            "needs an input shaped [H, W, C], but its input is shaped [64]",
        );
        assert_one("struct N { input: [8, 8, 1], c: Conv1d<8, 3> }", "needs an input shaped [T, C]");
        assert_one(
            "struct N { input: [4, 6, 1], c: Conv2d<2, 5> }",
            "kernel (5) is larger than its input along the height",
        );
        assert_one("struct N { input: [3, 3, 2], p: MaxPool2d<4> }", "window (4) is larger");
        assert_one(
            "struct N { input: [8, 8, 3], c: Conv2d<4, 3, stride = 2, padding = Same> }",
            "needs stride 1",
        );
        assert_one("struct N { input: [8, 8, 3], c: Conv2d<4, 3, padding = Causal> }", "is for Conv1d");
        assert_one("struct N { input: [8, 3], c: Conv1d<4, 3, stride = 0> }", "must be at least 1, found 0");
        assert_one(
            "struct N { input: [8, 3], c: Conv1d<4, 3, dilation = 0> }",
            "must be at least 1, found 0",
        );
        assert_one("struct N { input: 64, f: Flatten(channels_first) }", "but its input is flat [64]");
        assert_one("struct N { input: [8, 3], d: SpatialDropout(1.5) }", "outside [0, 1]");
        assert_one("struct N { input: 8, d: SpatialDropout(0.5) }", "use Dropout");
        assert_one("struct N { input: 8, g: GlobalAvgPool }", "its input is flat [8]");
    }

    #[test]
    fn mistakes_after_a_failed_layer_are_not_repeated() {
        // The conv fails, so the Dense after it has no known input: one error.
        assert_one("struct N { input: 64, c: Conv2d<8, 3>, out: Dense<2> }", "needs an input shaped");
        // A Dropout keeps its input's shape: the layer after it is still checked.
        let found = messages("struct N { input: [4, 4], d: Dropout(2.0), out: Dense<2> }");
        assert_eq!(found.len(), 2, "{found:#?}");
    }

    #[test]
    fn a_valid_network_has_no_errors() {
        assert!(messages(
            "struct N { input: [2, 3], flat: Flatten, fc: Dense<4, Relu>, d: Dropout(0.5), out: Dense<1> }"
        )
        .is_empty());
    }

    #[test]
    fn widths_must_be_positive_integers() {
        assert_one("struct N { input: 4, fc: Dense<-3> }", "must be a positive integer, found -3");
        assert_one("struct N { input: -4, fc: Dense<3> }", "must be a positive integer, found -4");
        assert_one("struct N { input: 4, fc: Dense<0> }", "must be at least 1, found 0");
        assert_one("struct N { input: 4, fc: Dense<2.5> }", "must be a positive integer or a `const` name");
    }

    #[test]
    fn absurd_widths_are_one_error_naming_the_layer() {
        assert_one(
            "struct N { input: 4, fc: Dense<4611686018427387904> }",
            "more values than memory can hold",
        );
        assert_one(
            "struct N { input: 4611686018427387904, fc: Dense<3> }",
            "more values than memory can hold",
        );
        assert_one("struct N { input: 3000000000, fc: Dense<3000000000> }", "layer `fc` is too large");
    }

    #[test]
    fn reserved_and_duplicate_names_are_refused() {
        assert_one("struct N { input: 4, __train: Dense<3> }", "reserved");
        assert_one("struct N { input: 4, a: Dense<3>, a: Dense<2> }", "duplicate layer name `a`");
        assert_one("struct N { input: 4, input: Dense<3> }", "only appear once");
    }

    #[test]
    fn keywords_are_not_names_or_widths() {
        assert_one("struct N { input: 1, mut: Dense<1> }", "`mut` is a keyword");
        assert_one("struct N { input: 1, fc: Dense<fn> }", "`fn` is a keyword");
        assert_one("struct N { input: [2, type], fc: Dense<1> }", "`type` is a keyword");
        assert!(messages("struct N { input: 1, r#mut: Dense<1> }").is_empty());
    }

    #[test]
    fn a_missing_comma_is_one_error() {
        let found = messages("struct N { input: 4 fc: Dense<3> }");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(!found[0].contains("needs `input"));
    }

    #[test]
    fn rates_and_options_are_checked() {
        assert_one("struct N { input: 4, d: Dropout(1.5) }", "outside [0, 1]");
        assert_one("struct N { input: 4, bn: BatchNorm(epsilon = 0.1) }", "did you mean `eps`");
        assert_one("struct N { input: 4, bn: BatchNorm(momentum = 2.0) }", "outside [0, 1]");
        assert_one(
            "struct N { input: [2, 2], d: Dropout(0.5, noise_shape = [_, 3, 2]) }",
            "noise_shape axis 1",
        );
    }

    #[test]
    fn unknown_layers_and_activations_get_suggestions() {
        assert_one("struct N { input: 4, fc: Denes<3> }", "did you mean `Dense`");
        assert_one("struct N { input: 4, fc: Dense<3, Rleu> }", "did you mean `Relu`");
        assert_one("struct N { input: 4, fc: Dense(3) }", "write `Dense<WIDTH>");
    }

    #[test]
    fn dense_on_a_shaped_input_asks_for_flatten() {
        assert_one("struct N { input: [2, 3], fc: Dense<3> }", "add a `Flatten` layer");
    }

    #[test]
    fn the_input_comes_first() {
        assert_one("struct N { fc: Dense<3> }", "first entry must be `input");
        assert_one("struct N { }", "needs `input: WIDTH`");
        assert_one("struct N<T> { input: 3, fc: Dense<1> }", "no generic parameters");
    }
}
