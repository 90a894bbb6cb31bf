//! Check: the parsed declaration -> a validated network, with every
//! mistake reported as a spanned error (one `check_*` function per rule).

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Ident};

use crate::errors::Errors;
use crate::parse::{CallArgs, Entry, LayerSpec, NamedValue, NetworkDef, NoiseDim, Spec, Width};
use crate::symbol;

/// A width as the expansion needs it.
#[derive(Clone)]
pub enum Dim {
    /// An integer literal.
    Lit(u64),
    /// A `const` item.
    Const(syn::Path),
    /// The output width of a custom layer or nested network.
    OutputOf(syn::Path),
    /// The product of other widths (a flattened shape).
    Product(Vec<Dim>),
}

impl Dim {
    fn from_width(width: &Width) -> Dim {
        match width {
            Width::Lit(v, _) => Dim::Lit(*v),
            Width::Const(path) => Dim::Const(path.clone()),
        }
    }

    /// The value, when every part is a literal.
    pub fn literal(&self) -> Option<u64> {
        match self {
            Dim::Lit(v) => Some(*v),
            Dim::Product(parts) => parts.iter().try_fold(1u64, |acc, d| acc.checked_mul(d.literal()?)),
            _ => None,
        }
    }

    /// How the summary names it.
    pub fn describe(&self) -> String {
        match self {
            Dim::Lit(v) => v.to_string(),
            Dim::Const(path) => path_text(path),
            Dim::OutputOf(path) => format!("{}::OUTPUT", path_text(path)),
            Dim::Product(parts) => match self.literal() {
                Some(v) => v.to_string(),
                None => parts.iter().map(Dim::describe).collect::<Vec<_>>().join("*"),
            },
        }
    }

    /// Whether two dims are the same, as far as the macro can tell.
    fn same_as(&self, other: &Dim) -> bool {
        match (self.literal(), other.literal()) {
            (Some(a), Some(b)) => a == b,
            _ => match (self, other) {
                (Dim::Const(a), Dim::Const(b)) => path_text(a) == path_text(b),
                _ => false,
            },
        }
    }
}

/// A path as source text, `a::B`.
pub fn path_text(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let prefix = if path.leading_colon.is_some() { "::" } else { "" };
    format!("{prefix}{}", segments.join("::"))
}

/// A per-sample shape: one dim per axis, batch axis excluded.
pub type Shape = Vec<Dim>;

/// The flat width of a shape.
pub fn flat(shape: &Shape) -> Dim {
    if shape.len() == 1 {
        shape[0].clone()
    } else {
        Dim::Product(shape.clone())
    }
}

/// A phase a layer is pinned to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Pinned {
    Train,
    Eval,
}

/// What a layer is.
pub enum Kind {
    Dense { width: Dim, activation: Ident },
    Activation(Ident),
    Dropout { rate: f64, noise: Option<Vec<bool>> },
    StopGradient,
    Flatten,
    BatchNorm,
    Custom(syn::Path),
}

impl Kind {
    /// Whether the layer's type takes the phase as a parameter.
    pub fn is_phased(&self) -> bool {
        matches!(self, Kind::Dropout { .. } | Kind::BatchNorm | Kind::Custom(_))
    }
}

/// A checked layer.
pub struct Layer {
    /// The network it belongs to.
    pub network: Ident,
    pub name: Ident,
    pub docs: Vec<Attribute>,
    pub kind: Kind,
    pub frozen: bool,
    pub pinned: Option<Pinned>,
    pub l2: Option<f64>,
    pub in_shape: Shape,
    pub out_shape: Shape,
    /// Span of the layer's type, for errors emitted by the expansion.
    pub span: Span,
    /// The layer as the summary shows it.
    pub declared: String,
}

/// A checked network.
pub struct Network {
    pub attrs: Vec<Attribute>,
    pub vis: syn::Visibility,
    pub name: Ident,
    pub input: Shape,
    pub layers: Vec<Layer>,
    /// `const` widths to assert non-zero, with where they were written.
    pub const_widths: Vec<syn::Path>,
}

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            previous = current;
        }
    }
    row[b.len()]
}

/// The closest candidate within two edits, case-insensitively.
fn nearest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (distance(&name.to_lowercase(), &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Runs every check; returns the network if nothing is wrong enough to stop
/// the expansion.
pub fn check(def: NetworkDef, errors: &mut Errors) -> Option<Network> {
    check_generics(&def, errors);
    let mut entries = def.entries.into_iter();
    let mut const_widths = Vec::new();
    let input = match entries.next() {
        Some(first) if first.name == symbol::INPUT => check_input(first, &mut const_widths, errors),
        Some(first) => {
            errors.spanned(
                &first.name,
                format!(
                    "the first entry must be `input: WIDTH` (or `input: [D1, D2, ..]`), found `{}`",
                    first.name
                ),
            );
            None
        }
        None => {
            errors.spanned(
                &def.name,
                format!("network `{}` needs `input: WIDTH` and at least one layer", def.name),
            );
            None
        }
    };
    let mut layers = Vec::new();
    let mut shape = input.clone().unwrap_or_else(|| vec![Dim::Lit(1)]);
    let mut seen: Vec<Ident> = Vec::new();
    for entry in entries {
        check_unique_name(&entry.name, &seen, errors);
        seen.push(entry.name.clone());
        if let Some(layer) = check_layer(&def.name, entry, &shape, &mut const_widths, errors) {
            shape = layer.out_shape.clone();
            layers.push(layer);
        }
    }
    let computes = layers.iter().any(|l| !matches!(l.kind, Kind::Flatten));
    if !computes && input.is_some() && errors.is_empty() {
        errors.spanned(
            &def.name,
            format!("network `{}` needs at least one layer besides `Flatten` after `input`", def.name),
        );
    }
    Some(Network { attrs: def.attrs, vis: def.vis, name: def.name, input: input?, layers, const_widths })
}

fn check_generics(def: &NetworkDef, errors: &mut Errors) {
    if !def.generics.params.is_empty() || def.generics.where_clause.is_some() {
        errors.spanned(
            &def.generics,
            "a network takes no generic parameters: `network!` adds the phase parameter `P: Phase = Eval` itself",
        );
    }
}

fn check_unique_name(name: &Ident, seen: &[Ident], errors: &mut Errors) {
    if name == symbol::INPUT {
        errors.spanned(name, "`input` may only appear once, as the first entry");
    } else if seen.iter().any(|s| s == name) {
        errors.spanned(name, format!("duplicate layer name `{name}`"));
    }
}

fn check_width(width: &Width, what: &str, const_widths: &mut Vec<syn::Path>, errors: &mut Errors) -> Dim {
    match width {
        Width::Lit(0, span) => errors.at(*span, format!("{what} must be at least 1, found 0")),
        Width::Const(path) => const_widths.push(path.clone()),
        Width::Lit(..) => {}
    }
    Dim::from_width(width)
}

fn check_input(entry: Entry, const_widths: &mut Vec<syn::Path>, errors: &mut Errors) -> Option<Shape> {
    if let Some(attr) = entry.attrs.first() {
        errors.spanned(attr, "`input` takes no attributes");
    }
    match entry.spec {
        Spec::Shape(dims, span) => {
            if dims.is_empty() {
                errors.at(span, "an input shape needs at least one dimension");
                return None;
            }
            let shape: Shape =
                dims.iter().map(|w| check_width(w, "an input dimension", const_widths, errors)).collect();
            if shape.iter().all(|d| d.literal().is_some()) && flat(&shape).literal().is_none() {
                errors.at(span, "the input shape's size overflows");
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

/// The attributes of an entry, checked for form (not yet for the layer).
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
            out.frozen = Some(attr.span());
        } else if path.is_ident(symbol::ATTR_PHASE) {
            match attr.parse_args::<Ident>() {
                Ok(id) if id == symbol::PHASE_TRAIN => out.phase = Some((Pinned::Train, attr.span())),
                Ok(id) if id == symbol::PHASE_EVAL => out.phase = Some((Pinned::Eval, attr.span())),
                Ok(id) => errors.spanned(&id, format!("unknown phase `{id}`: expected `Train` or `Eval`")),
                Err(_) => errors.spanned(&attr, "expected `#[phase(Train)]` or `#[phase(Eval)]`"),
            }
        } else if path.is_ident(symbol::ATTR_L2) {
            match attr.parse_args::<syn::Expr>().ok().as_ref().and_then(literal_number) {
                Some(l) if l >= 0.0 && l.is_finite() => out.l2 = Some((l, attr.span())),
                Some(_) => errors.spanned(&attr, "the L2 factor must be a non-negative number"),
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

/// Resolves what a layer spec names, reporting unknown built-in forms.
fn resolve_kind(
    spec: &LayerSpec,
    in_shape: &Shape,
    const_widths: &mut Vec<syn::Path>,
    errors: &mut Errors,
) -> Option<(Kind, String)> {
    let path = &spec.path;
    let last = path.segments.last()?;
    let name = last.ident.to_string();
    let single = path.segments.len() == 1 && path.leading_colon.is_none();
    let args: Vec<&syn::GenericArgument> = match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().collect(),
        syn::PathArguments::None => Vec::new(),
        syn::PathArguments::Parenthesized(p) => {
            errors.spanned(p, "unexpected parenthesised arguments");
            return None;
        }
    };
    let no_args = |errors: &mut Errors, what: &str| {
        if !args.is_empty() || spec.call.is_some() {
            errors.spanned(path, format!("`{what}` takes no arguments: its width is the previous layer's"));
        }
    };
    if !single {
        if let Some(call) = &spec.call {
            errors.at(call.paren_span, "only `Dropout(..)` takes arguments in parentheses");
        }
        return Some((Kind::Custom(path.clone()), path_text(path)));
    }
    match name.as_str() {
        symbol::DENSE => {
            if let Some(call) = &spec.call {
                errors.at(
                    call.paren_span,
                    "write `Dense<WIDTH>` or `Dense<WIDTH, Activation>`, not `Dense(..)`",
                );
                return None;
            }
            let (width, activation) = match args.as_slice() {
                [w] => (w, None),
                [w, a] => (w, Some(a)),
                _ => {
                    errors.spanned(path, "expected `Dense<WIDTH>` or `Dense<WIDTH, Activation>`");
                    return None;
                }
            };
            let width = match width {
                syn::GenericArgument::Const(syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(i), ..
                })) => {
                    let value = match i.base10_parse::<u64>() {
                        Ok(v) => v,
                        Err(e) => {
                            errors.push(e);
                            return None;
                        }
                    };
                    Width::Lit(value, i.span())
                }
                syn::GenericArgument::Type(syn::Type::Path(tp)) if tp.qself.is_none() => {
                    Width::Const(tp.path.clone())
                }
                other => {
                    errors.spanned(other, "a Dense width must be an integer literal or a `const` name");
                    return None;
                }
            };
            let activation = match activation {
                None => Ident::new("Linear", last.ident.span()),
                Some(syn::GenericArgument::Type(syn::Type::Path(tp)))
                    if tp.qself.is_none() && tp.path.get_ident().is_some() =>
                {
                    let id = tp.path.get_ident()?.clone();
                    if !symbol::DENSE_ACTIVATIONS.contains(&id.to_string().as_str()) {
                        let hint = nearest(&id.to_string(), symbol::DENSE_ACTIVATIONS)
                            .map(|n| format!("; did you mean `{n}`?"))
                            .unwrap_or_default();
                        errors.spanned(
                            &id,
                            format!(
                                "unknown activation `{id}`{hint} (expected one of {})",
                                symbol::DENSE_ACTIVATIONS.join(", ")
                            ),
                        );
                        return None;
                    }
                    id
                }
                Some(other) => {
                    errors.spanned(other, "expected an activation name, e.g. `Relu`");
                    return None;
                }
            };
            if in_shape.len() > 1 {
                let shape: Vec<String> = in_shape.iter().map(Dim::describe).collect();
                errors.spanned(
                    path,
                    format!(
                        "Dense needs a flat input, but its input is shaped [{}]: add a `Flatten` layer before it (e.g. `flat: Flatten,`)",
                        shape.join(", ")
                    ),
                );
                return None;
            }
            let declared = if activation == "Linear" {
                format!("Dense<{}>", Dim::from_width(&width).describe())
            } else {
                format!("Dense<{}, {}>", Dim::from_width(&width).describe(), activation)
            };
            let width = check_width(&width, "a Dense width", const_widths, errors);
            Some((Kind::Dense { width, activation }, declared))
        }
        symbol::DROPOUT => {
            let Some(call) = &spec.call else {
                errors.spanned(path, "Dropout needs a rate: `Dropout(0.2)`");
                return None;
            };
            if !args.is_empty() {
                errors.spanned(path, "write `Dropout(RATE)`, not `Dropout<..>`");
            }
            let (rate, noise) = check_dropout(call, in_shape, errors)?;
            Some((Kind::Dropout { rate, noise }, format!("Dropout({rate})")))
        }
        symbol::STOP_GRADIENT => {
            no_args(errors, symbol::STOP_GRADIENT);
            Some((Kind::StopGradient, name))
        }
        symbol::FLATTEN => {
            no_args(errors, symbol::FLATTEN);
            Some((Kind::Flatten, name))
        }
        symbol::BATCH_NORM => {
            no_args(errors, symbol::BATCH_NORM);
            Some((Kind::BatchNorm, name))
        }
        n if symbol::STANDALONE_ACTIVATIONS.contains(&n) => {
            no_args(errors, n);
            Some((Kind::Activation(last.ident.clone()), name))
        }
        _ => {
            let built_in_form =
                spec.call.is_some() || args.iter().any(|a| matches!(a, syn::GenericArgument::Const(_)));
            if built_in_form {
                let hint = nearest(&name, symbol::BUILT_INS)
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                errors.spanned(
                    &last.ident,
                    format!(
                        "unknown layer `{name}`{hint} (built-in layers: {}; any other type must implement `typenet::Layer` and is written without arguments)",
                        symbol::BUILT_INS.join(", ")
                    ),
                );
                return None;
            }
            Some((Kind::Custom(path.clone()), path_text(path)))
        }
    }
}

fn check_dropout(call: &CallArgs, in_shape: &Shape, errors: &mut Errors) -> Option<(f64, Option<Vec<bool>>)> {
    let rate = match call.positional.as_slice() {
        [rate] => rate,
        [] => {
            errors.at(call.paren_span, "Dropout needs a rate: `Dropout(0.2)`");
            return None;
        }
        [_, extra, ..] => {
            errors.spanned(extra, "Dropout takes one rate; name other arguments (`noise_shape = [..]`)");
            return None;
        }
    };
    let value = match literal_number(rate) {
        Some(v) => v,
        None => {
            errors.spanned(rate, "the dropout rate must be a number literal, e.g. `0.2`");
            return None;
        }
    };
    if !(0.0..=1.0).contains(&value) {
        errors.spanned(rate, format!("dropout rate {value} is outside [0, 1]"));
        return None;
    }
    let mut noise = None;
    for (key, value) in &call.named {
        if key != symbol::NOISE_SHAPE {
            errors.spanned(key, format!("unknown Dropout argument `{key}`: expected `noise_shape = [..]`"));
            continue;
        }
        match value {
            NamedValue::List(dims, span) => noise = check_noise_shape(dims, *span, in_shape, errors),
            NamedValue::Expr(expr) => errors.spanned(expr, "`noise_shape` takes a list, e.g. `[_, 1, 16]`"),
        }
    }
    Some((value, noise))
}

/// Keras' noise_shape: batch axis first; `_` keeps an axis' own size, `1`
/// shares one mask value along it. Returns the per-axis "shared" flags.
fn check_noise_shape(
    dims: &[NoiseDim],
    span: Span,
    in_shape: &Shape,
    errors: &mut Errors,
) -> Option<Vec<bool>> {
    let rank = in_shape.len() + 1;
    if dims.len() != rank {
        let shape: Vec<String> = in_shape.iter().map(Dim::describe).collect();
        errors.at(
            span,
            format!(
                "noise_shape has {} axes, but this layer's input has {rank} (the batch axis, then [{}])",
                dims.len(),
                shape.join(", ")
            ),
        );
        return None;
    }
    let mut shared = Vec::with_capacity(rank);
    let mut ok = true;
    for (axis, dim) in dims.iter().enumerate() {
        match dim {
            NoiseDim::Own => shared.push(false),
            NoiseDim::Size(width) => {
                let given = Dim::from_width(width);
                if given.literal() == Some(1) {
                    shared.push(true);
                } else if axis > 0 && given.same_as(&in_shape[axis - 1]) {
                    shared.push(false);
                } else {
                    let own =
                        if axis == 0 { "the batch size".to_string() } else { in_shape[axis - 1].describe() };
                    errors.at(
                        width.span(),
                        format!(
                            "noise_shape axis {axis} must be `_`, 1 or this axis' size ({own}), found {}",
                            given.describe()
                        ),
                    );
                    ok = false;
                }
            }
        }
    }
    ok.then_some(shared)
}

fn check_layer(
    network: &Ident,
    entry: Entry,
    in_shape: &Shape,
    const_widths: &mut Vec<syn::Path>,
    errors: &mut Errors,
) -> Option<Layer> {
    let attrs = check_attrs(entry.attrs, errors);
    let spec = match entry.spec {
        Spec::Layer(spec) => spec,
        Spec::Shape(_, span) => {
            errors.at(span, format!("`{}` needs a layer (e.g. `Dense<64, Relu>`), not a width", entry.name));
            return None;
        }
    };
    let span = spec.path.span();
    let (kind, declared) = resolve_kind(&spec, in_shape, const_widths, errors)?;
    check_attr_fits(&kind, &attrs, &entry.name, errors);
    let out_shape = match &kind {
        Kind::Dense { width, .. } => vec![width.clone()],
        Kind::Flatten => vec![flat(in_shape)],
        Kind::Custom(path) => vec![Dim::OutputOf(path.clone())],
        _ => in_shape.clone(),
    };
    Some(Layer {
        network: network.clone(),
        name: entry.name,
        docs: attrs.docs,
        kind,
        frozen: attrs.frozen.is_some(),
        pinned: attrs.phase.map(|(p, _)| p),
        l2: attrs.l2.map(|(l, _)| l),
        in_shape: in_shape.clone(),
        out_shape,
        span,
        declared,
    })
}

/// `#[frozen]` needs parameters, `#[phase]` phase-dependent behaviour,
/// `#[l2]` a kernel.
fn check_attr_fits(kind: &Kind, attrs: &EntryAttrs, name: &Ident, errors: &mut Errors) {
    let what = match kind {
        Kind::Dense { .. } => "Dense",
        Kind::Activation(_) => "an activation layer",
        Kind::Dropout { .. } => "Dropout",
        Kind::StopGradient => "StopGradient",
        Kind::Flatten => "Flatten",
        Kind::BatchNorm => "BatchNorm",
        Kind::Custom(_) => "a custom layer",
    };
    if let Some(span) = attrs.frozen {
        if !matches!(kind, Kind::Dense { .. } | Kind::BatchNorm | Kind::Custom(_)) {
            errors.at(
                span,
                format!("`#[frozen]` on `{name}`: {what} has no parameters, so there is nothing to freeze"),
            );
        }
    }
    if let Some((_, span)) = attrs.phase {
        if !kind.is_phased() {
            errors.at(
                span,
                format!("`#[phase]` on `{name}`: {what} behaves the same in Train and Eval, so there is nothing to pin (it applies to Dropout, BatchNorm and nested networks)"),
            );
        }
    }
    if let Some((_, span)) = attrs.l2 {
        if !matches!(kind, Kind::Dense { .. }) {
            errors.at(span, format!("`#[l2]` on `{name}`: the L2 kernel regulariser applies to Dense layers, and {what} has no kernel"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_near_names() {
        assert_eq!(nearest("Denes", symbol::BUILT_INS), Some("Dense"));
        assert_eq!(nearest("Dropuot", symbol::BUILT_INS), Some("Dropout"));
        assert_eq!(nearest("Completely", symbol::BUILT_INS), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
