//! The table entries of training-time noise and augmentation: each layer is
//! a `Noise` over net-core's `Noisy`, the identity in `Eval`, constructed
//! with its value and a seed from the network's generator.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::spatial::shaped_as;
use super::width_arg;
use crate::dims::Dim;
use crate::schema::{Bindings, Brackets, Context, Kind, LayerDef, Param, Problem, Resolved, TypeArg};

const STDDEV: Param = Param::required("stddev", Kind::Positive);
const GAUSSIAN_RATE: Param = Param::required("rate", Kind::Fraction { below_one: true });
const DIRECTION: Param = Param::optional("direction", Kind::Word(&["horizontal", "vertical"]));
const FRACTION: Param = Param::required("fraction", Kind::Fraction { below_one: false });

/// `GaussianNoise(stddev)`.
pub(super) const GAUSSIAN_NOISE: LayerDef = LayerDef {
    name: "GaussianNoise",
    usage: "GaussianNoise(STDDEV)",
    brackets: Brackets::Call,
    positional: &[STDDEV],
    options: &[],
    grads: false,
    keeps_shape: true,
    resolve: gaussian_noise,
};

/// `GaussianDropout(rate)`.
pub(super) const GAUSSIAN_DROPOUT: LayerDef = LayerDef {
    name: "GaussianDropout",
    usage: "GaussianDropout(RATE)",
    brackets: Brackets::Call,
    positional: &[GAUSSIAN_RATE],
    options: &[],
    grads: false,
    keeps_shape: true,
    resolve: gaussian_dropout,
};

/// `RandomFlip`, `RandomFlip(horizontal)`, `RandomFlip(vertical)`.
pub(super) const RANDOM_FLIP: LayerDef = LayerDef {
    name: "RandomFlip",
    usage: "RandomFlip, RandomFlip(horizontal) or RandomFlip(vertical)",
    brackets: Brackets::Call,
    positional: &[DIRECTION],
    options: &[],
    grads: false,
    keeps_shape: true,
    resolve: random_flip,
};

/// `RandomTranslation(fraction)`.
pub(super) const RANDOM_TRANSLATION: LayerDef = LayerDef {
    name: "RandomTranslation",
    usage: "RandomTranslation(FRACTION)",
    brackets: Brackets::Call,
    positional: &[FRACTION],
    options: &[],
    grads: false,
    keeps_shape: true,
    resolve: random_translation,
};

/// A `Noisy` layer of type `path<args..>` applying `noise`, drawing from a
/// seed of the network's generator; the shape passes through.
fn noisy(
    path: TokenStream,
    args: Vec<TypeArg>,
    noise: TokenStream,
    declared: String,
    cx: &Context<'_>,
) -> Resolved {
    Resolved {
        path,
        args,
        init: Some(quote!(::typenet::layers::Noisy::new(#noise, ::typenet::__private::next_seed(rng)))),
        items: TokenStream::new(),
        declared,
        out_shape: cx.in_shape.clone(),
    }
}

fn gaussian_noise(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let stddev = b.number(&STDDEV).ok_or_else(|| cx.problem("GaussianNoise needs a standard deviation"))?;
    let lit = Literal::f32_unsuffixed(stddev as f32);
    Ok(noisy(
        quote!(::typenet::GaussianNoise),
        vec![width_arg(cx), TypeArg::Phase],
        quote!(::typenet::layers::AdditiveGaussian::new(#lit)),
        format!("GaussianNoise({stddev})"),
        cx,
    ))
}

fn gaussian_dropout(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let rate = b.number(&GAUSSIAN_RATE).ok_or_else(|| cx.problem("GaussianDropout needs a rate"))?;
    let lit = Literal::f32_unsuffixed(rate as f32);
    Ok(noisy(
        quote!(::typenet::GaussianDropout),
        vec![width_arg(cx), TypeArg::Phase],
        quote!(::typenet::layers::NormalFactors::new(#lit)),
        format!("GaussianDropout({rate})"),
        cx,
    ))
}

/// The `H, W, C` type arguments of an image layer, and any assertion a
/// nested network's output needs.
fn image(cx: &Context<'_>) -> Result<(Vec<TypeArg>, TokenStream), Problem> {
    let (shape, checks) = shaped_as(cx, 2, "[H, W, C]")?;
    Ok((shape.iter().map(|dim| TypeArg::Tokens(Dim::arg(dim))).collect(), checks))
}

fn random_flip(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let (mut args, items) = image(cx)?;
    let direction = b.word(&DIRECTION).map(|word| word.to_string());
    let (horizontal, vertical) = match direction.as_deref() {
        Some("horizontal") => (true, false),
        Some(_) => (false, true),
        None => (true, true),
    };
    args.extend([TypeArg::Phase, TypeArg::Tokens(quote!(#horizontal)), TypeArg::Tokens(quote!(#vertical))]);
    Ok(Resolved {
        path: quote!(::typenet::RandomFlip),
        args,
        init: None,
        items,
        declared: direction.map_or_else(|| "RandomFlip".to_string(), |d| format!("RandomFlip({d})")),
        out_shape: cx.in_shape.clone(),
    })
}

fn random_translation(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let fraction = b.number(&FRACTION).ok_or_else(|| cx.problem("RandomTranslation needs a fraction"))?;
    let (mut args, items) = image(cx)?;
    args.push(TypeArg::Phase);
    let lit = Literal::f32_unsuffixed(fraction as f32);
    let mut resolved = noisy(
        quote!(::typenet::RandomTranslation),
        args,
        quote!(::typenet::layers::Shifts::new(#lit)),
        format!("RandomTranslation({fraction})"),
        cx,
    );
    resolved.items = items;
    Ok(resolved)
}
