//! The table of built-in layers: how each is written, the type it expands
//! to, how it is constructed and the shape it outputs. One entry per layer;
//! everything else about a layer (its parameters, whether it depends on the
//! phase, whether it can be frozen) is answered by its type in net-core.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Ident, Visibility};

mod recurrent;
mod spatial;

use crate::args::{AxisValue, Bindings, Kind, Param};
use crate::ir::{describe_shape, Dim, Shape, TypeArg};

/// Activations `Dense<N, Act>` takes.
pub const DENSE_ACTIVATIONS: &[&str] = &["Linear", "Relu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu", "Gelu"];

/// Which brackets a layer's arguments go in.
#[derive(Clone, Copy, Debug)]
pub enum Brackets {
    /// `Dense<256, Relu>`.
    Angle,
    /// `Dropout(0.2)`.
    Call,
}

impl Brackets {
    /// The other form, as a misuse reads: `(..)` or `<..>`.
    pub fn other(self) -> &'static str {
        match self {
            Brackets::Angle => "(..)",
            Brackets::Call => "<..>",
        }
    }
}

/// What resolving a layer's arguments gives.
pub struct Resolved {
    /// The type's path.
    pub path: TokenStream,
    /// Its generic arguments.
    pub args: Vec<TypeArg>,
    /// Its construction with `rng` in scope; `None` for `Init::init(rng)`.
    pub init: Option<TokenStream>,
    /// Items the type needs.
    pub items: TokenStream,
    /// The layer as the summary shows it.
    pub declared: String,
    /// The per-sample output shape.
    pub out_shape: Shape,
}

/// A mistake found while resolving, on the span it concerns.
pub struct Problem {
    pub span: Span,
    pub message: String,
    /// Whether the mistake is about the layer's input (its shape): not
    /// worth reporting when the input is unknown because an earlier entry
    /// failed, where it would only repeat that failure.
    pub about_input: bool,
}

impl Problem {
    /// A mistake in a value as written, whatever the input.
    pub fn value(span: Span, message: impl Into<String>) -> Self {
        Problem { span, message: message.into(), about_input: false }
    }
    /// A mistake that depends on the layer's input.
    pub fn input(span: Span, message: impl Into<String>) -> Self {
        Problem { span, message: message.into(), about_input: true }
    }
}

/// What resolving a layer may look at.
pub struct Context<'a> {
    /// The layer's spelling (activations share one resolver).
    pub layer: &'static str,
    pub network: &'a Ident,
    pub entry: &'a Ident,
    pub vis: &'a Visibility,
    /// The per-sample input shape.
    pub in_shape: &'a Shape,
    /// The layer spec's span.
    pub span: Span,
}

impl Context<'_> {
    /// The flat input width.
    pub(crate) fn width(&self) -> Dim {
        Dim::product(self.in_shape)
    }

    /// A problem on the layer.
    pub(crate) fn problem(&self, message: impl Into<String>) -> Problem {
        Problem::input(self.span, message)
    }
}

/// A built-in layer.
pub struct LayerDef {
    /// Its spelling.
    pub name: &'static str,
    /// How it is written, for messages.
    pub usage: &'static str,
    /// Where its arguments go.
    pub brackets: Brackets,
    /// Its positional arguments, in order.
    pub positional: &'static [Param],
    /// Its named options.
    pub options: &'static [Param],
    /// Whether it has parameters, and so a field in the gradients struct
    /// (a const assertion in every expansion's tests checks this against
    /// the type).
    pub grads: bool,
    /// Whether its output has its input's shape whatever its arguments
    /// (dropouts, activations, BatchNorm): after a mistake in one, the
    /// shapes that follow are still known and checked.
    pub keeps_shape: bool,
    /// Its type, construction and output shape.
    pub resolve: fn(&Bindings, &Context<'_>) -> Result<Resolved, Problem>,
}

/// Every built-in layer.
pub const TABLE: &[LayerDef] = &[
    LayerDef {
        name: "Dense",
        usage: "Dense<WIDTH> or Dense<WIDTH, Activation>",
        brackets: Brackets::Angle,
        positional: &[
            Param::required("width", Kind::Width),
            Param::optional("activation", Kind::Activation(DENSE_ACTIVATIONS)),
        ],
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
        positional: &[Param::required("rate", Kind::Number)],
        options: &[Param::optional("noise_shape", Kind::Axes)],
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
        positional: &[Param::optional("order", Kind::Word(&["channels_first"]))],
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
        options: &[Param::optional("eps", Kind::Number), Param::optional("momentum", Kind::Number)],
        grads: true,
        keeps_shape: true,
        resolve: batch_norm,
    },
    spatial::CONV2D,
    spatial::CONV1D,
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
];

/// The table entry spelt `name`.
pub fn find(name: &str) -> Option<&'static LayerDef> {
    TABLE.iter().find(|def| def.name == name)
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
        usage: "an activation layer, written without arguments (e.g. `act: Relu`)",
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
    let width = b.width("width").ok_or_else(|| cx.problem("Dense needs a width"))?;
    let activation = b.activation("activation").unwrap_or_else(|| Ident::new("Linear", cx.span));
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
    let (rate, span) = b.number("rate").ok_or_else(|| cx.problem("Dropout needs a rate"))?;
    if !(0.0..=1.0).contains(&rate) {
        return Err(Problem::value(span, format!("dropout rate {rate} is outside [0, 1]")));
    }
    let rate_lit = Literal::f32_unsuffixed(rate as f32);
    let init = Some(quote!(::typenet::Dropout::new(#rate_lit, ::typenet::__private::next_seed(rng))));
    let mut args = vec![width_arg(cx), TypeArg::Phase];
    let mut items = TokenStream::new();
    if let Some((axes, list_span)) = b.axes("noise_shape") {
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

/// The marker type carrying a dropout layer's noise shape.
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
    if b.word("order").is_some() {
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
    let eps = b.number("eps");
    let momentum = b.number("momentum");
    if let Some((eps, span)) = eps {
        // eps is an f32 in the expansion: it must stay positive and finite there.
        if !(eps > 0.0 && (eps as f32) > 0.0 && (eps as f32).is_finite()) {
            return Err(Problem::value(span, format!("BatchNorm's eps must be a positive f32, found {eps}")));
        }
    }
    if let Some((momentum, span)) = momentum {
        if !(0.0..=1.0).contains(&momentum) {
            return Err(Problem::value(span, format!("BatchNorm's momentum {momentum} is outside [0, 1]")));
        }
    }
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
            let eps = eps.map_or(1e-3, |(e, _)| e);
            let momentum = momentum.map_or(0.99, |(m, _)| m);
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
