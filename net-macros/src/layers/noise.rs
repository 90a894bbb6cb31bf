//! The table entries of training-time noise and augmentation: each layer is
//! a `Noise` over net-core's `Noisy`, the identity in `Eval`, constructed
//! with its value and a seed from the network's generator.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::width_arg;
use crate::schema::{Bindings, Brackets, Context, Kind, LayerDef, Param, Problem, Resolved, TypeArg};

const STDDEV: Param = Param::required("stddev", Kind::Positive);
const GAUSSIAN_RATE: Param = Param::required("rate", Kind::Fraction { below_one: true });

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
