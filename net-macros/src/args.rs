//! Layer arguments: what a table entry accepts ([`Param`]) and binding the
//! arguments as written to it ([`bind`]), with one error per mistake.

use std::collections::BTreeMap;

use proc_macro2::Span;
use syn::Ident;

use crate::errors::Errors;
use crate::ir::{Dim, MAX_VALUES};
use crate::layers::{Brackets, LayerDef};
use crate::parse::{Arg, Args, LayerSpec, Value};
use crate::suggest::nearest;

/// What kind of value a parameter takes.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A positive integer or a `const` name.
    Width,
    /// One of the named activations.
    Activation(&'static [&'static str]),
    /// A number literal.
    Number,
    /// A dropout rate of a recurrent layer: a number in `[0, 1)`.
    Rate,
    /// A width, or `[a, b]` with one per spatial axis.
    Pair,
    /// `Valid`, `Same`, `Causal` or an integer.
    Padding,
    /// `true` or `false`.
    Bool,
    /// One of the given words.
    Word(&'static [&'static str]),
    /// A list with one entry per axis: `_`, `1` or a width.
    Axes,
    /// Another layer, as in `TimeDistributed(Dense<1>)`.
    Layer,
}

/// A parameter of a layer.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

impl Param {
    /// A parameter that must be given.
    pub const fn required(name: &'static str, kind: Kind) -> Self {
        Param { name, kind, required: true }
    }
    /// A parameter that may be left out.
    pub const fn optional(name: &'static str, kind: Kind) -> Self {
        Param { name, kind, required: false }
    }
}

/// A padding mode.
#[derive(Clone, Debug)]
pub enum Padding {
    Valid,
    Same,
    Causal,
    Zeros(Dim),
}

/// One axis of a `noise_shape`-like list.
#[derive(Clone, Debug)]
pub enum AxisValue {
    /// `_`: the axis' own size.
    Own,
    /// A width (`1` shares one value along the axis).
    Size(Dim, Span),
}

/// A bound argument value.
#[derive(Clone)]
pub enum Bound {
    Width(Dim),
    Activation(Ident),
    Number(f64),
    Pair([Dim; 2]),
    Padding(Padding),
    Bool(bool),
    Word(Ident),
    Axes(Vec<AxisValue>),
    Layer(Box<LayerSpec>),
}

/// The arguments of one layer, bound to its parameters.
#[derive(Default)]
pub struct Bindings {
    values: BTreeMap<&'static str, (Bound, Span)>,
    /// `const` widths met on the way, to assert non-zero.
    pub const_widths: Vec<syn::Path>,
}

impl Bindings {
    /// The value and span of `name`, if given.
    pub fn get(&self, name: &str) -> Option<&(Bound, Span)> {
        self.values.get(name)
    }
    /// The width `name`.
    pub fn width(&self, name: &str) -> Option<Dim> {
        match self.get(name) {
            Some((Bound::Width(dim), _)) => Some(dim.clone()),
            _ => None,
        }
    }
    /// The activation `name`.
    pub fn activation(&self, name: &str) -> Option<Ident> {
        match self.get(name) {
            Some((Bound::Activation(id), _)) => Some(id.clone()),
            _ => None,
        }
    }
    /// The number `name`, with its span.
    pub fn number(&self, name: &str) -> Option<(f64, Span)> {
        match self.get(name) {
            Some((Bound::Number(v), span)) => Some((*v, *span)),
            _ => None,
        }
    }
    /// The pair `name` (a single width is used for both axes).
    pub fn pair(&self, name: &str) -> Option<([Dim; 2], Span)> {
        match self.get(name) {
            Some((Bound::Pair(pair), span)) => Some((pair.clone(), *span)),
            _ => None,
        }
    }
    /// The padding `name`.
    pub fn padding(&self, name: &str) -> Option<(Padding, Span)> {
        match self.get(name) {
            Some((Bound::Padding(p), span)) => Some((p.clone(), *span)),
            _ => None,
        }
    }
    /// The flag `name`.
    pub fn flag(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some((Bound::Bool(b), _)) => Some(*b),
            _ => None,
        }
    }
    /// The word `name`.
    pub fn word(&self, name: &str) -> Option<Ident> {
        match self.get(name) {
            Some((Bound::Word(id), _)) => Some(id.clone()),
            _ => None,
        }
    }
    /// The axes list `name`, with its span.
    pub fn axes(&self, name: &str) -> Option<(Vec<AxisValue>, Span)> {
        match self.get(name) {
            Some((Bound::Axes(axes), span)) => Some((axes.clone(), *span)),
            _ => None,
        }
    }
    /// The layer `name`.
    pub fn layer(&self, name: &str) -> Option<(&LayerSpec, Span)> {
        match self.get(name) {
            Some((Bound::Layer(spec), span)) => Some((spec, *span)),
            _ => None,
        }
    }
}

/// Binds `spec`'s arguments to `def`'s parameters; `None` if any is wrong
/// (each mistake reported).
pub fn bind(def: &LayerDef, spec: &LayerSpec, errors: &mut Errors) -> Option<Bindings> {
    let before = errors.len();
    let name = def.name;
    let (used, wrong) = match def.brackets {
        Brackets::Angle => (&spec.angle, &spec.call),
        Brackets::Call => (&spec.call, &spec.angle),
    };
    if let Some(wrong) = wrong {
        errors.at(wrong.span, format!("write `{}`, not `{name}{}`", def.usage, def.brackets.other()));
    }
    let mut bindings = Bindings::default();
    let args = used.clone().unwrap_or(Args { span: spec.span(), items: Vec::new() });
    let mut positional = def.positional.iter();
    for arg in &args.items {
        match arg {
            Arg::Positional(value) => match positional.next() {
                Some(param) => bind_value(&mut bindings, param, value, name, errors),
                None => errors.at(value.span(), format!("too many arguments: write `{}`", def.usage)),
            },
            Arg::Named(key, value) => {
                let key_text = key.to_string();
                match def.options.iter().find(|p| p.name == key_text) {
                    Some(param) if bindings.values.contains_key(param.name) => {
                        errors.spanned(key, format!("`{key}` is given twice"));
                    }
                    Some(param) => bind_value(&mut bindings, param, value, name, errors),
                    None => {
                        let names: Vec<&str> = def.options.iter().map(|p| p.name).collect();
                        let hint = nearest(&key_text, &names)
                            .map(|n| format!("; did you mean `{n}`?"))
                            .unwrap_or_default();
                        let known = if names.is_empty() {
                            format!("`{name}` takes no named options")
                        } else {
                            format!("options: {}", names.join(", "))
                        };
                        errors.spanned(key, format!("unknown option `{key}` for `{name}`{hint} ({known})"));
                    }
                }
            }
        }
    }
    for param in def.positional.iter().chain(def.options) {
        if param.required && !bindings.values.contains_key(param.name) && errors.len() == before {
            errors.at(args.span, format!("`{name}` needs its {}: write `{}`", param.name, def.usage));
        }
    }
    (errors.len() == before).then_some(bindings)
}

fn bind_value(bindings: &mut Bindings, param: &Param, value: &Value, layer: &str, errors: &mut Errors) {
    let span = value.span();
    let bound = match param.kind {
        Kind::Width => width(value, param.name, layer, bindings, errors).map(Bound::Width),
        Kind::Activation(names) => activation(value, names, errors).map(Bound::Activation),
        Kind::Number => number(value, param.name, layer, errors).map(Bound::Number),
        Kind::Rate => number(value, param.name, layer, errors)
            .filter(|&rate| {
                // A rate is an f32 in the expansion: 0.99999999 rounds to 1.
                let valid = (0.0..1.0).contains(&rate) && (rate as f32) < 1.0;
                if !valid {
                    errors.at(span, format!("{layer}'s {} {rate} is outside [0, 1)", param.name));
                }
                valid
            })
            .map(Bound::Number),
        Kind::Pair => pair(value, param.name, layer, bindings, errors).map(Bound::Pair),
        Kind::Padding => padding(value, layer, bindings, errors).map(Bound::Padding),
        Kind::Bool => match value {
            Value::Bool(b, _) => Some(Bound::Bool(*b)),
            other => {
                errors.at(other.span(), format!("`{}` is `true` or `false`", param.name));
                None
            }
        },
        Kind::Word(words) => match value {
            Value::Path(path)
                if path.get_ident().is_some_and(|id| words.contains(&id.to_string().as_str())) =>
            {
                path.get_ident().cloned().map(Bound::Word)
            }
            other => {
                let expected = words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(" or ");
                let written = match other {
                    Value::Path(path) => path.get_ident().map(ToString::to_string),
                    _ => None,
                };
                let message = match written.as_deref().and_then(|w| Some((w, nearest(w, words)?))) {
                    Some((w, near)) => format!("`{layer}` has no option `{w}`; did you mean `{near}`?"),
                    None => format!("`{layer}` takes {expected} here"),
                };
                errors.at(other.span(), message);
                None
            }
        },
        Kind::Axes => axes(value, param.name, bindings, errors).map(Bound::Axes),
        Kind::Layer => match value {
            Value::Layer(spec) => Some(Bound::Layer(spec.clone())),
            Value::Path(path) => {
                Some(Bound::Layer(Box::new(LayerSpec { path: path.clone(), angle: None, call: None })))
            }
            other => {
                errors.at(other.span(), format!("`{layer}` wraps a layer, e.g. `{layer}(Dense<1>)`"));
                None
            }
        },
    };
    if let Some(bound) = bound {
        bindings.values.insert(param.name, (bound, span));
    }
}

/// A positive integer within [`MAX_VALUES`], or a `const` name.
fn width(
    value: &Value,
    what: &str,
    layer: &str,
    bindings: &mut Bindings,
    errors: &mut Errors,
) -> Option<Dim> {
    match value {
        Value::Int { negative: true, text, span, .. } => {
            errors.at(*span, format!("the {what} of `{layer}` must be a positive integer, found {text}"));
            None
        }
        Value::Int { value: 0, span, .. } => {
            errors.at(*span, format!("the {what} of `{layer}` must be at least 1, found 0"));
            None
        }
        Value::Int { value, span, text, .. } if *value > MAX_VALUES => {
            errors.at(*span, format!("the {what} of `{layer}` is {text}, more values than memory can hold"));
            None
        }
        Value::Int { value, .. } => Some(Dim::Lit(*value as u64)),
        Value::Path(path) => {
            bindings.const_widths.push(path.clone());
            Some(Dim::Const(path.clone()))
        }
        other => {
            errors.at(
                other.span(),
                format!("the {what} of `{layer}` must be a positive integer or a `const` name"),
            );
            None
        }
    }
}

fn activation(value: &Value, names: &[&str], errors: &mut Errors) -> Option<Ident> {
    match value {
        Value::Path(path) if path.get_ident().is_some() => {
            let id = path.get_ident()?.clone();
            let text = id.to_string();
            if names.contains(&text.as_str()) {
                return Some(id);
            }
            let hint = nearest(&text, names).map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
            errors.spanned(
                &id,
                format!("unknown activation `{id}`{hint} (expected one of {})", names.join(", ")),
            );
            None
        }
        other => {
            errors.at(other.span(), "expected an activation name, e.g. `Relu`");
            None
        }
    }
}

fn number(value: &Value, what: &str, layer: &str, errors: &mut Errors) -> Option<f64> {
    match value {
        Value::Float { value, .. } if value.is_finite() => Some(*value),
        Value::Int { value, negative, .. } => Some(if *negative { -(*value as f64) } else { *value as f64 }),
        other => {
            errors.at(other.span(), format!("the {what} of `{layer}` must be a number literal, e.g. `0.2`"));
            None
        }
    }
}

fn pair(
    value: &Value,
    what: &str,
    layer: &str,
    bindings: &mut Bindings,
    errors: &mut Errors,
) -> Option<[Dim; 2]> {
    match value {
        Value::List(items, span) => match items.as_slice() {
            [a, b] => {
                Some([width(a, what, layer, bindings, errors)?, width(b, what, layer, bindings, errors)?])
            }
            _ => {
                errors.at(*span, format!("the {what} of `{layer}` is one size or `[height, width]`"));
                None
            }
        },
        single => {
            let dim = width(single, what, layer, bindings, errors)?;
            Some([dim.clone(), dim])
        }
    }
}

fn padding(value: &Value, layer: &str, bindings: &mut Bindings, errors: &mut Errors) -> Option<Padding> {
    match value {
        Value::Path(path) if path.is_ident("Valid") => Some(Padding::Valid),
        Value::Path(path) if path.is_ident("Same") => Some(Padding::Same),
        Value::Path(path) if path.is_ident("Causal") => Some(Padding::Causal),
        Value::Int { value: 0, negative: false, .. } => Some(Padding::Valid),
        Value::Int { .. } => width(value, "padding", layer, bindings, errors).map(Padding::Zeros),
        other => {
            errors
                .at(other.span(), "expected a padding: `Valid`, `Same`, `Causal` (1-D) or a number of zeros");
            None
        }
    }
}

fn axes(value: &Value, what: &str, bindings: &mut Bindings, errors: &mut Errors) -> Option<Vec<AxisValue>> {
    let Value::List(items, _) = value else {
        errors.at(value.span(), format!("`{what}` takes a list, e.g. `[_, 1, 16]`"));
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Underscore(_) => out.push(AxisValue::Own),
            other => {
                out.push(AxisValue::Size(width(other, "axis size", what, bindings, errors)?, other.span()))
            }
        }
    }
    Some(out)
}
