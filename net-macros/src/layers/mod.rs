//! The table of built-in layers: how each is written, the type it expands
//! to, how it is constructed and the shape it outputs. One entry per layer;
//! everything else about a layer (its parameters, whether it depends on the
//! phase, whether it can be frozen) is answered by its type in net-core.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

mod noise;
mod recurrent;
mod spatial;

use crate::dims::{describe_shape, Dim, Shape};
use crate::schema::{
    AxisValue, Bindings, Brackets, Context, Kind, LayerDef, Param, Problem, Resolved, TypeArg,
};

/// Activations `Dense<N, Act>` takes.
pub const DENSE_ACTIVATIONS: &[&str] = &["Linear", "Relu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu", "Gelu"];

/// A width, as Dense's first argument.
const WIDTH: Param = Param::required("width", Kind::Width);
/// An optional activation, after the sizes.
pub(crate) const ACTIVATION: Param = Param::optional("activation", Kind::Activation(DENSE_ACTIVATIONS));
/// A dropout rate, `[0, 1]`.
const RATE: Param = Param::required("rate", Kind::Fraction { below_one: false });
const NOISE_SHAPE: Param = Param::optional("noise_shape", Kind::Axes);
const ORDER: Param = Param::optional("order", Kind::Word(&["channels_first"]));
const EPS: Param = Param::optional("eps", Kind::Positive);
const MOMENTUM: Param = Param::optional("momentum", Kind::Fraction { below_one: false });

/// Every built-in layer.
pub const TABLE: &[LayerDef] = &[
    LayerDef {
        name: "Dense",
        usage: "Dense<WIDTH> or Dense<WIDTH, Activation>",
        brackets: Brackets::Angle,
        positional: &[WIDTH, ACTIVATION],
        options: &[],
        grads: true,
        keeps_shape: false,
        resolve: dense,
    },
    activation("Relu"),
    activation("Sigmoid"),
    activation("Tanh"),
    activation("Softmax"),
    activation("LeakyRelu"),
    activation("Gelu"),
    LayerDef {
        name: "Dropout",
        usage: "Dropout(RATE) or Dropout(RATE, noise_shape = [..])",
        brackets: Brackets::Call,
        positional: &[RATE],
        options: &[NOISE_SHAPE],
        grads: false,
        keeps_shape: true,
        resolve: dropout,
    },
    LayerDef {
        name: "StopGradient",
        usage: "StopGradient",
        brackets: Brackets::Call,
        positional: &[],
        options: &[],
        grads: false,
        keeps_shape: true,
        resolve: |_, cx| Ok(simple(quote!(::typenet::StopGradient), vec![width_arg(cx)], "StopGradient", cx)),
    },
    LayerDef {
        name: "Flatten",
        usage: "Flatten or Flatten(channels_first)",
        brackets: Brackets::Call,
        positional: &[ORDER],
        options: &[],
        grads: false,
        keeps_shape: false,
        resolve: flatten,
    },
    LayerDef {
        name: "BatchNorm",
        usage: "BatchNorm or BatchNorm(eps = E, momentum = M)",
        brackets: Brackets::Call,
        positional: &[],
        options: &[EPS, MOMENTUM],
        grads: true,
        keeps_shape: true,
        resolve: batch_norm,
    },
    LayerDef {
        name: "LayerNorm",
        usage: "LayerNorm or LayerNorm(eps = E)",
        brackets: Brackets::Call,
        positional: &[],
        options: &[EPS],
        grads: true,
        keeps_shape: true,
        resolve: layer_norm,
    },
    spatial::CONV2D,
    spatial::CONV1D,
    spatial::CONV2D_TRANSPOSE,
    spatial::UPSAMPLING2D,
    spatial::pool2d("MaxPool2d", "MaxPool2d<WINDOW> or MaxPool2d<WINDOW, stride = S>"),
    spatial::pool2d("AvgPool2d", "AvgPool2d<WINDOW> or AvgPool2d<WINDOW, stride = S>"),
    spatial::pool1d("MaxPool1d", "MaxPool1d<WINDOW> or MaxPool1d<WINDOW, stride = S>"),
    spatial::pool1d("AvgPool1d", "AvgPool1d<WINDOW> or AvgPool1d<WINDOW, stride = S>"),
    spatial::global_pool("GlobalAvgPool"),
    spatial::global_pool("GlobalMaxPool"),
    spatial::SPATIAL_DROPOUT,
    recurrent::LSTM,
    recurrent::GRU,
    recurrent::TIME_DISTRIBUTED,
    recurrent::EMBEDDING,
    recurrent::BIDIRECTIONAL,
    noise::GAUSSIAN_NOISE,
    noise::GAUSSIAN_DROPOUT,
    noise::RANDOM_FLIP,
    noise::RANDOM_TRANSLATION,
];

/// The table entry spelt `name`.
pub fn find(name: &str) -> Option<&'static LayerDef> {
    TABLE.iter().find(|def| def.name == name)
}

/// What Keras and PyTorch call the built-in layers whose names differ by
/// more than a typo.
const FOREIGN_NAMES: &[(&str, &str)] = &[
    ("Linear", "Dense"),
    ("MaxPooling2D", "MaxPool2d"),
    ("MaxPooling1D", "MaxPool1d"),
    ("AveragePooling2D", "AvgPool2d"),
    ("AveragePooling1D", "AvgPool1d"),
    ("GlobalAveragePooling2D", "GlobalAvgPool"),
    ("GlobalAveragePooling1D", "GlobalAvgPool"),
    ("AdaptiveAvgPool2d", "GlobalAvgPool"),
    ("GlobalMaxPooling2D", "GlobalMaxPool"),
    ("GlobalMaxPooling1D", "GlobalMaxPool"),
    ("AdaptiveMaxPool2d", "GlobalMaxPool"),
    ("BatchNormalization", "BatchNorm"),
    ("LayerNormalization", "LayerNorm"),
    ("ConvTranspose2d", "Conv2dTranspose"),
    ("Dropout2d", "SpatialDropout"),
    ("Dropout1d", "SpatialDropout"),
    ("Upsample", "UpSampling2d"),
];

/// The built-in layer that Keras or PyTorch call `name`.
pub fn foreign_name(name: &str) -> Option<&'static str> {
    FOREIGN_NAMES.iter().find(|(foreign, _)| foreign.eq_ignore_ascii_case(name)).map(|(_, ours)| *ours)
}

/// Every spelling, for "did you mean".
pub fn names() -> Vec<&'static str> {
    TABLE.iter().map(|def| def.name).collect()
}

/// `N` as a type argument.
pub(crate) fn width_arg(cx: &Context<'_>) -> TypeArg {
    TypeArg::Tokens(cx.width().arg())
}

/// A layer whose shape passes through unchanged and which needs no
/// construction arguments.
fn simple(path: TokenStream, args: Vec<TypeArg>, declared: &str, cx: &Context<'_>) -> Resolved {
    Resolved {
        path,
        args,
        init: None,
        items: TokenStream::new(),
        declared: declared.to_string(),
        out_shape: cx.in_shape.clone(),
    }
}

const fn activation(name: &'static str) -> LayerDef {
    LayerDef {
        name,
        usage: name,
        brackets: Brackets::Call,
        positional: &[],
        options: &[],
        grads: false,
        keeps_shape: true,
        resolve: standalone_activation,
    }
}

/// A message for a layer that needs a flat input.
pub(crate) fn needs_flat(name: &str, cx: &Context<'_>) -> Problem {
    let remedy = if cx.in_shape.len() == 2 {
        format!("to apply it to every step, write `TimeDistributed({name}<..>)`; to flatten the sequence, add a `Flatten` layer before it")
    } else {
        "add a `Flatten` layer before it (e.g. `flat: Flatten,`)".to_string()
    };
    cx.problem(format!(
        "{name} needs a flat input, but its input is shaped {}: {remedy}",
        describe_shape(cx.in_shape)
    ))
}

fn dense(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    if cx.in_shape.len() > 1 {
        return Err(needs_flat("Dense", cx));
    }
    let items = spatial::assert_flat_if_opaque("Dense", cx);
    let width = b.width(&WIDTH).ok_or_else(|| cx.problem("Dense needs a width"))?;
    let activation = b.activation(&ACTIVATION).unwrap_or_else(|| Ident::new("Linear", cx.span));
    let declared = if activation == "Linear" {
        format!("Dense<{}>", width.describe())
    } else {
        format!("Dense<{}, {activation}>", width.describe())
    };
    Ok(Resolved {
        path: quote!(::typenet::Dense),
        args: vec![
            width_arg(cx),
            TypeArg::Tokens(width.arg()),
            TypeArg::Tokens(quote!(::typenet::#activation)),
        ],
        init: None,
        items,
        declared,
        out_shape: vec![width],
    })
}

fn standalone_activation(_: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let name = Ident::new(cx.layer, cx.span);
    Ok(simple(
        quote!(::typenet::Activation),
        vec![width_arg(cx), TypeArg::Tokens(quote!(::typenet::#name))],
        &name.to_string(),
        cx,
    ))
}

fn dropout(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let rate = b.number(&RATE).ok_or_else(|| cx.problem("Dropout needs a rate"))?;
    let rate_lit = Literal::f32_unsuffixed(rate as f32);
    let init = Some(quote!(::typenet::Dropout::new(#rate_lit, ::typenet::__private::next_seed(rng))));
    let mut args = vec![width_arg(cx), TypeArg::Phase];
    let mut items = TokenStream::new();
    if let Some((axes, list_span)) = b.axes(&NOISE_SHAPE) {
        let shared = noise_shape(&axes, list_span, cx.in_shape)?;
        let marker = noise_marker(cx);
        let vis = cx.vis;
        let dims = cx.in_shape.iter().map(Dim::expr);
        let doc = format!("The noise shape of `{}::{}`.", cx.network, cx.entry);
        items = quote! {
            #[doc = #doc]
            #[doc(hidden)]
            #[derive(Clone, Copy, Debug, Default)]
            #vis struct #marker;
            impl ::typenet::NoiseShape for #marker {
                const DIMS: &'static [usize] = &[#(#dims),*];
                const SHARED: &'static [bool] = &[#(#shared),*];
            }
        };
        args.push(TypeArg::Tokens(quote!(#marker)));
    }
    Ok(Resolved {
        path: quote!(::typenet::Dropout),
        args,
        init,
        items,
        declared: format!("Dropout({rate})"),
        out_shape: cx.in_shape.clone(),
    })
}

/// The marker type carrying a dropout layer's noise shape (named after the
/// network and the entry, unique in the invocation).
pub(crate) fn noise_marker(cx: &Context<'_>) -> Ident {
    let camel: String = cx
        .entry
        .to_string()
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    format_ident!("__{}{}Noise", cx.network, camel)
}

/// Keras' noise_shape: batch axis first; `_` keeps an axis' own size, `1`
/// shares one mask value along it. Returns the per-axis "shared" flags.
fn noise_shape(axes: &[AxisValue], span: Span, in_shape: &Shape) -> Result<Vec<bool>, Problem> {
    let rank = in_shape.len() + 1;
    if axes.len() != rank {
        return Err(Problem::input(
            span,
            format!(
                "noise_shape has {} axes, but this layer's input has {rank} (the batch axis, then {})",
                axes.len(),
                describe_shape(in_shape)
            ),
        ));
    }
    let mut shared = Vec::with_capacity(rank);
    for (axis, value) in axes.iter().enumerate() {
        match value {
            AxisValue::Own => shared.push(false),
            AxisValue::Size(dim, _) if dim.literal() == Some(1) => shared.push(true),
            AxisValue::Size(dim, _) if axis > 0 && dim.same_as(&in_shape[axis - 1]) => shared.push(false),
            AxisValue::Size(dim, span) => {
                let own =
                    if axis == 0 { "the batch size".to_string() } else { in_shape[axis - 1].describe() };
                return Err(Problem::input(
                    *span,
                    format!(
                        "noise_shape axis {axis} must be `_`, 1 or this axis' size ({own}), found {}",
                        dim.describe()
                    ),
                ));
            }
        }
    }
    Ok(shared)
}

fn flatten(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    if b.word(&ORDER).is_some() {
        return spatial::flatten_channels_first(cx);
    }
    // Whether there are axes to flatten (a nested network's output: asked
    // of its type), which decides whether the layer can stream.
    let shaped = match cx.in_shape.as_slice() {
        [Dim::OutputOf(path)] => quote!({ <#path as ::typenet::__private::Layer>::OUTPUT_SHAPE.len() > 1 }),
        dims => {
            let shaped = dims.len() > 1;
            quote!(#shaped)
        }
    };
    let args = vec![width_arg(cx), TypeArg::Tokens(shaped)];
    let mut resolved = simple(quote!(::typenet::Flatten), args, "Flatten", cx);
    resolved.out_shape = vec![cx.width().flat()];
    Ok(resolved)
}

fn batch_norm(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    // Both already checked: eps a positive f32, momentum in [0, 1].
    let (eps, momentum) = (b.number(&EPS), b.number(&MOMENTUM));
    // Channels are the last axis; every other axis is a position.
    let (channels, positions) =
        spatial::channels_and_positions(cx).unwrap_or_else(|| (cx.width(), Dim::Lit(1)));
    let mut args = vec![TypeArg::Tokens(channels.arg()), TypeArg::Phase];
    if positions.literal() != Some(1) {
        args.push(TypeArg::Tokens(positions.arg()));
    }
    let (init, declared) = match (eps, momentum) {
        (None, None) => (None, "BatchNorm".to_string()),
        _ => {
            let eps = eps.unwrap_or(1e-3);
            let momentum = momentum.unwrap_or(0.99);
            let (e, m) = (Literal::f32_unsuffixed(eps as f32), Literal::f32_unsuffixed(momentum as f32));
            (
                Some(quote!(::typenet::BatchNorm::with(#e, #m))),
                format!("BatchNorm(eps = {eps}, momentum = {momentum})"),
            )
        }
    };
    Ok(Resolved {
        path: quote!(::typenet::BatchNorm),
        args,
        init,
        items: TokenStream::new(),
        declared,
        out_shape: cx.in_shape.clone(),
    })
}

fn layer_norm(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    // Already checked: a positive f32.
    let eps = b.number(&EPS);
    // Normalised over the last axis, at every position of the others.
    let (features, positions) =
        spatial::channels_and_positions(cx).unwrap_or_else(|| (cx.width(), Dim::Lit(1)));
    let mut args = vec![TypeArg::Tokens(features.arg())];
    if positions.literal() != Some(1) {
        args.push(TypeArg::Tokens(positions.arg()));
    }
    let (init, declared) = match eps {
        None => (None, "LayerNorm".to_string()),
        Some(eps) => {
            let e = Literal::f32_unsuffixed(eps as f32);
            (Some(quote!(::typenet::LayerNorm::with(#e))), format!("LayerNorm(eps = {eps})"))
        }
    };
    Ok(Resolved {
        path: quote!(::typenet::LayerNorm),
        args,
        init,
        items: TokenStream::new(),
        declared,
        out_shape: cx.in_shape.clone(),
    })
}
