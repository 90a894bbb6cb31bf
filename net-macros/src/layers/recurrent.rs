//! The table entries of layers over sequences: `Lstm`, `Gru`,
//! `TimeDistributed`, `Embedding` and `Bidirectional`.

use proc_macro2::{Literal, Span};
use quote::quote;

use super::find;
use super::spatial::shaped_as;
use crate::args::bind;
use crate::dims::Dim;
use crate::errors::Errors;
use crate::schema::{Bindings, Brackets, Context, Kind, LayerDef, Param, Problem, Resolved, TypeArg};

const UNITS: Param = Param::required("units", Kind::Width);
const RETURN_SEQUENCES: Param = Param::optional("return_sequences", Kind::Bool);
const DROPOUT: Param = Param::optional("dropout", Kind::Fraction { below_one: true });
const RECURRENT_DROPOUT: Param = Param::optional("recurrent_dropout", Kind::Fraction { below_one: true });
const LAYER: Param = Param::required("layer", Kind::Layer);

/// `Lstm<U, return_sequences = .., dropout = .., recurrent_dropout = ..>`.
pub(super) const LSTM: LayerDef =
    recurrent("Lstm", "Lstm<UNITS> (options: return_sequences, dropout, recurrent_dropout)");

/// `Gru<U, ..>`, the same options.
pub(super) const GRU: LayerDef =
    recurrent("Gru", "Gru<UNITS> (options: return_sequences, dropout, recurrent_dropout)");

const fn recurrent(name: &'static str, usage: &'static str) -> LayerDef {
    LayerDef {
        name,
        usage,
        brackets: Brackets::Angle,
        positional: &[UNITS],
        options: &[RETURN_SEQUENCES, DROPOUT, RECURRENT_DROPOUT],
        grads: true,
        keeps_shape: false,
        resolve: resolve_recurrent,
    }
}

/// `TimeDistributed(layer)`.
pub(super) const TIME_DISTRIBUTED: LayerDef = LayerDef {
    name: "TimeDistributed",
    usage: "TimeDistributed(LAYER), e.g. TimeDistributed(Dense<1>)",
    brackets: Brackets::Call,
    positional: &[LAYER],
    options: &[],
    grads: false,
    keeps_shape: false,
    resolve: time_distributed,
};

/// Layers that act on each step alone, so `TimeDistributed` can wrap them.
const PER_STEP: &[&str] =
    &["Dense", "Dropout", "StopGradient", "Relu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu", "Gelu"];

fn resolve_recurrent(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    // Bound as fractions below one: already checked to be in [0, 1).
    let (dropout, recurrent_dropout) = (b.number(&DROPOUT), b.number(&RECURRENT_DROPOUT));
    let (shape, items) = shaped_as(cx, 1, "[T, F] (time steps, features)")?;
    let (steps, features) = (shape[0].clone(), shape[1].clone());
    let units = b.width(&UNITS).ok_or_else(|| cx.problem("a recurrent layer needs a number of units"))?;
    let sequences = b.flag(&RETURN_SEQUENCES).unwrap_or(false);
    let with_dropout = dropout.is_some() || recurrent_dropout.is_some();
    let path = if cx.layer == "Lstm" { quote!(::typenet::Lstm) } else { quote!(::typenet::Gru) };
    let init = with_dropout.then(|| {
        let d = Literal::f32_unsuffixed(dropout.unwrap_or(0.0) as f32);
        let rd = Literal::f32_unsuffixed(recurrent_dropout.unwrap_or(0.0) as f32);
        quote!(::typenet::Recurrent::keras(rng).with_dropout(#d, #rd, ::typenet::__private::next_seed(rng)))
    });
    let mut declared = vec![units.describe()];
    if sequences {
        declared.push("return_sequences = true".to_string());
    }
    for (name, value) in [("dropout", dropout), ("recurrent_dropout", recurrent_dropout)] {
        if let Some(value) = value {
            declared.push(format!("{name} = {value}"));
        }
    }
    let out_shape = if sequences { vec![steps.clone(), units.clone()] } else { vec![units.clone()] };
    Ok(Resolved {
        path,
        args: vec![
            TypeArg::Tokens(steps.arg()),
            TypeArg::Tokens(features.arg()),
            TypeArg::Tokens(units.arg()),
            TypeArg::Tokens(quote!(#sequences)),
            TypeArg::Phase,
            TypeArg::Tokens(quote!(#with_dropout)),
        ],
        init,
        items,
        declared: format!("{}<{}>", cx.layer, declared.join(", ")),
        out_shape,
    })
}

/// The layer a wrapper wraps, if it is one of `accepted`, with its bound
/// arguments and where it is written; `refusal` says why another is not.
fn wrapped(
    b: &Bindings,
    cx: &Context<'_>,
    accepted: &[&str],
    refusal: impl Fn(&str) -> String,
) -> Result<(&'static LayerDef, Bindings, Span), Problem> {
    let (spec, span) = b.layer(&LAYER).ok_or_else(|| cx.problem(format!("{} needs a layer", cx.layer)))?;
    let name = spec.name().map(|n| n.to_string()).unwrap_or_default();
    let def = find(&name)
        .filter(|def| accepted.contains(&def.name))
        .ok_or_else(|| Problem::value(span, refusal(&name)))?;
    let mut errors = Errors::default();
    let bindings = bind(def, spec, &mut errors).ok_or_else(|| match errors.into_first() {
        Some(error) => Problem::value(error.span(), error.to_string()),
        None => Problem::value(span, format!("`{name}` could not be read")),
    })?;
    Ok((def, bindings, span))
}

fn time_distributed(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let (def, bindings, span) = wrapped(b, cx, PER_STEP, |name| {
        format!(
            "TimeDistributed applies a flat layer to each step on its own: Dense, Dropout, StopGradient or an activation; `{name}` is not one"
        )
    })?;
    let (shape, items) = shaped_as(cx, 1, "[T, F] (time steps, features)")?;
    let step_shape = vec![shape[1].clone()];
    let step = Context { layer: def.name, in_shape: &step_shape, span, ..*cx };
    let inner = (def.resolve)(&bindings, &step)?;
    let steps = shape[0].clone();
    let init = inner.init.map(|init| quote!(::typenet::TimeDistributed::new(#init)));
    let mut out_shape = vec![steps.clone()];
    out_shape.extend(inner.out_shape.iter().cloned().map(Dim::flat));
    let mut all_items = items;
    all_items.extend(inner.items);
    Ok(Resolved {
        path: quote!(::typenet::TimeDistributed),
        args: vec![TypeArg::Layer { def, path: inner.path, args: inner.args }, TypeArg::Tokens(steps.arg())],
        init,
        items: all_items,
        declared: format!("TimeDistributed({})", inner.declared),
        out_shape,
    })
}

const VOCABULARY: Param = Param::required("vocabulary", Kind::Width);
const DIMENSION: Param = Param::required("dimension", Kind::Width);

/// `Embedding<V, D>`: token ids to vectors.
pub(super) const EMBEDDING: LayerDef = LayerDef {
    name: "Embedding",
    usage: "Embedding<VOCABULARY, DIMENSION>, e.g. Embedding<10000, 64>",
    brackets: Brackets::Angle,
    positional: &[VOCABULARY, DIMENSION],
    options: &[],
    grads: true,
    keeps_shape: false,
    resolve: embedding,
};

fn embedding(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let (shape, items) = shaped_as(cx, 0, "[T] (token ids)")?;
    let missing = || cx.problem("Embedding needs a vocabulary size and a dimension");
    let vocabulary = b.width(&VOCABULARY).ok_or_else(missing)?;
    let dimension = b.width(&DIMENSION).ok_or_else(missing)?;
    Ok(Resolved {
        path: quote!(::typenet::Embedding),
        args: vec![
            TypeArg::Tokens(shape[0].arg()),
            TypeArg::Tokens(vocabulary.arg()),
            TypeArg::Tokens(dimension.arg()),
        ],
        init: None,
        items,
        declared: format!("Embedding<{}, {}>", vocabulary.describe(), dimension.describe()),
        out_shape: vec![shape[0].clone(), dimension],
    })
}

/// `Bidirectional(Lstm<..>)` or `Bidirectional(Gru<..>)`.
pub(super) const BIDIRECTIONAL: LayerDef = LayerDef {
    name: "Bidirectional",
    usage: "Bidirectional(LAYER), e.g. Bidirectional(Lstm<32>) or Bidirectional(Gru<16, return_sequences = true>)",
    brackets: Brackets::Call,
    positional: &[LAYER],
    options: &[],
    grads: false,
    keeps_shape: false,
    resolve: bidirectional,
};

fn bidirectional(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let (def, bindings, span) = wrapped(b, cx, &["Lstm", "Gru"], |name| {
        format!("Bidirectional runs a recurrent layer both ways over the sequence: Lstm or Gru; `{name}` is not one")
    })?;
    // The wrapped layer on the same input: its checks of the shape are ours.
    let inner = (def.resolve)(&bindings, &Context { layer: def.name, span, ..*cx })?;
    let (shape, _) = shaped_as(cx, 1, "[T, F] (time steps, features)")?;
    let mut out_shape = inner.out_shape;
    if let Some(units) = out_shape.last_mut() {
        *units = Dim::mul(Dim::Lit(2), units.clone());
    }
    Ok(Resolved {
        path: quote!(::typenet::Bidirectional),
        args: vec![
            TypeArg::Layer { def, path: inner.path, args: inner.args },
            TypeArg::Tokens(shape[0].arg()),
        ],
        init: inner.init.map(|init| quote!(::typenet::Bidirectional::new(#init, #init))),
        items: inner.items,
        declared: format!("Bidirectional({})", inner.declared),
        out_shape,
    })
}
