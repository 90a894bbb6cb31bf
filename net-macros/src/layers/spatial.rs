//! The table entries of layers over shaped maps: convolutions, pooling,
//! spatial dropout and channels-first flattening. Output sizes follow
//! PyTorch's formula `(in + padding - dilation * (kernel - 1) - 1) / stride
//! + 1`, rounded down.

use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned};

use super::ACTIVATION;
use crate::dims::{describe_shape, Dim};
use crate::schema::{
    Bindings, Brackets, Context, Kind, LayerDef, Padding, Param, Problem, Resolved, TypeArg,
};

const FILTERS: Param = Param::required("filters", Kind::Width);
const KERNEL_2D: Param = Param::required("kernel", Kind::Pair);
const KERNEL_1D: Param = Param::required("kernel", Kind::Width);
const STRIDE_2D: Param = Param::optional("stride", Kind::Pair);
const STRIDE_1D: Param = Param::optional("stride", Kind::Width);
const PADDING: Param = Param::optional("padding", Kind::Padding);
const DILATION_2D: Param = Param::optional("dilation", Kind::Pair);
const DILATION_1D: Param = Param::optional("dilation", Kind::Width);
const BIAS: Param = Param::optional("bias", Kind::Bool);
const WINDOW_2D: Param = Param::required("window", Kind::Pair);
const WINDOW_1D: Param = Param::required("window", Kind::Width);
const SPATIAL_RATE: Param = Param::required("rate", Kind::Fraction { below_one: false });
const OUTPUT_PADDING: Param = Param::optional("output_padding", Kind::Padding);
const SCALE: Param = Param::required("scale", Kind::Pair);

const CONV_OPTIONS_2D: &[Param] = &[STRIDE_2D, PADDING, DILATION_2D, BIAS];
const CONV_OPTIONS_1D: &[Param] = &[STRIDE_1D, PADDING, DILATION_1D, BIAS];
const POOL_OPTIONS_2D: &[Param] = &[STRIDE_2D, PADDING];
const POOL_OPTIONS_1D: &[Param] = &[STRIDE_1D, PADDING];
const TRANSPOSE_OPTIONS: &[Param] = &[STRIDE_2D, PADDING, OUTPUT_PADDING, BIAS];

/// `Conv2d<F, K[, Act], stride = .., padding = .., dilation = .., bias = ..>`.
pub(super) const CONV2D: LayerDef = LayerDef {
    name: "Conv2d",
    usage: "Conv2d<FILTERS, KERNEL> or Conv2d<FILTERS, KERNEL, Activation> (options: stride, padding, dilation, bias)",
    brackets: Brackets::Angle,
    positional: &[FILTERS, KERNEL_2D, ACTIVATION],
    options: CONV_OPTIONS_2D,
    grads: true,
    keeps_shape: false,
    resolve: |b, cx| conv(b, cx, 2),
};

/// `Conv1d<F, K[, Act], stride = .., padding = .. | Causal, dilation = .., bias = ..>`.
pub(super) const CONV1D: LayerDef = LayerDef {
    name: "Conv1d",
    usage: "Conv1d<FILTERS, KERNEL> or Conv1d<FILTERS, KERNEL, Activation> (options: stride, padding, dilation, bias)",
    brackets: Brackets::Angle,
    positional: &[FILTERS, KERNEL_1D, ACTIVATION],
    options: CONV_OPTIONS_1D,
    grads: true,
    keeps_shape: false,
    resolve: |b, cx| conv(b, cx, 1),
};

/// `Conv2dTranspose<F, K[, Act], stride = .., padding = .., output_padding = .., bias = ..>`.
pub(super) const CONV2D_TRANSPOSE: LayerDef = LayerDef {
    name: "Conv2dTranspose",
    usage: "Conv2dTranspose<FILTERS, KERNEL> or Conv2dTranspose<FILTERS, KERNEL, Activation> (options: stride, padding, output_padding, bias)",
    brackets: Brackets::Angle,
    positional: &[FILTERS, KERNEL_2D, ACTIVATION],
    options: TRANSPOSE_OPTIONS,
    grads: true,
    keeps_shape: false,
    resolve: conv_transpose,
};

/// `UpSampling2d<S>`, `UpSampling2d<[SH, SW]>`.
pub(super) const UPSAMPLING2D: LayerDef = LayerDef {
    name: "UpSampling2d",
    usage: "UpSampling2d<SCALE> or UpSampling2d<[SCALE_H, SCALE_W]>",
    brackets: Brackets::Angle,
    positional: &[SCALE],
    options: &[],
    grads: false,
    keeps_shape: false,
    resolve: upsampling,
};

/// `MaxPool2d<P>`, `AvgPool2d<P, stride = S>`.
pub(super) const fn pool2d(name: &'static str, usage: &'static str) -> LayerDef {
    LayerDef {
        name,
        usage,
        brackets: Brackets::Angle,
        positional: &[WINDOW_2D],
        options: POOL_OPTIONS_2D,
        grads: false,
        keeps_shape: false,
        resolve: |b, cx| pool(b, cx, 2),
    }
}

/// `MaxPool1d<P>`, `AvgPool1d<P, stride = S>`.
pub(super) const fn pool1d(name: &'static str, usage: &'static str) -> LayerDef {
    LayerDef {
        name,
        usage,
        brackets: Brackets::Angle,
        positional: &[WINDOW_1D],
        options: POOL_OPTIONS_1D,
        grads: false,
        keeps_shape: false,
        resolve: |b, cx| pool(b, cx, 1),
    }
}

/// `GlobalAvgPool`, `GlobalMaxPool`.
pub(super) const fn global_pool(name: &'static str) -> LayerDef {
    LayerDef {
        name,
        usage: "a global pooling layer, written without arguments (e.g. `pool: GlobalAvgPool`)",
        brackets: Brackets::Call,
        positional: &[],
        options: &[],
        grads: false,
        keeps_shape: false,
        resolve: global,
    }
}

/// `SpatialDropout(rate)`.
pub(super) const SPATIAL_DROPOUT: LayerDef = LayerDef {
    name: "SpatialDropout",
    usage: "SpatialDropout(RATE)",
    brackets: Brackets::Call,
    positional: &[SPATIAL_RATE],
    options: &[],
    grads: false,
    keeps_shape: true,
    resolve: spatial_dropout,
};

/// A const assertion spanned on the layer.
pub(super) fn assertion(cx: &Context<'_>, condition: TokenStream, message: String) -> TokenStream {
    quote_spanned!(cx.span=> const _: () = ::core::assert!(#condition, #message);)
}

/// The input as a map of `rank` spatial axes plus channels: its dims, and
/// any assertion a nested network's output needs (its rank is only known
/// to the compiler).
pub(super) fn shaped(cx: &Context<'_>, rank: usize) -> Result<(Vec<Dim>, TokenStream), Problem> {
    shaped_as(cx, rank, if rank == 2 { "[H, W, C]" } else { "[T, C]" })
}

/// [`shaped`], naming the expected shape `expected` in messages.
pub(super) fn shaped_as(
    cx: &Context<'_>,
    rank: usize,
    expected: &str,
) -> Result<(Vec<Dim>, TokenStream), Problem> {
    let axes = rank + 1;
    if cx.in_shape.len() == axes {
        return Ok((cx.in_shape.clone(), TokenStream::new()));
    }
    if let [Dim::OutputOf(path)] = cx.in_shape.as_slice() {
        let dims = (0..axes).map(|axis| Dim::AxisOf(path.clone(), axis)).collect();
        let message = format!(
            "`{}` ({}) needs an input shaped {expected}, and the layer before it outputs another shape",
            cx.entry, cx.layer
        );
        let check = assertion(
            cx,
            quote!(<#path as ::typenet::__private::Layer>::OUTPUT_SHAPE.len() == #axes),
            message,
        );
        return Ok((dims, check));
    }
    Err(cx.problem(format!(
        "{} needs an input shaped {expected}, but its input is shaped {}{}",
        cx.layer,
        describe_shape(cx.in_shape),
        missing_last_axis(cx, axes, expected)
    )))
}

/// When the network's input lacks only the last axis (`[8, 8]` for an
/// image, `[16]` for a sequence), how to write it with one channel or
/// feature: the most common way to get there from Keras' and PyTorch's
/// shapes, where that axis is implicit or first.
fn missing_last_axis(cx: &Context<'_>, axes: usize, expected: &str) -> String {
    let is_network_input =
        cx.network_input.is_some_and(|input| describe_shape(input) == describe_shape(cx.in_shape));
    if !is_network_input || cx.in_shape.len() + 1 != axes {
        return String::new();
    }
    let mut with_axis = cx.in_shape.clone();
    with_axis.push(Dim::Lit(1));
    let one = if expected.contains("features") { "one feature per step" } else { "one channel" };
    format!("; for {one}, declare `input: {}`", describe_shape(&with_axis))
}

/// The channels (last axis) and positions (the product of the others) of
/// a shaped input, or of a nested network's output; `None` when flat.
pub(super) fn channels_and_positions(cx: &Context<'_>) -> Option<(Dim, Dim)> {
    match cx.in_shape.as_slice() {
        [Dim::OutputOf(path)] => {
            let channels = Dim::LastAxisOf(path.clone());
            Some((channels.clone(), Dim::div(Dim::OutputOf(path.clone()), channels)))
        }
        [_] | [] => None,
        shape => {
            let (last, rest) = shape.split_last()?;
            Some((last.clone(), Dim::product(rest)))
        }
    }
}

/// For a layer that needs a flat input after a nested network: an
/// assertion that the network's output is flat.
pub(super) fn assert_flat_if_opaque(layer: &str, cx: &Context<'_>) -> TokenStream {
    let [Dim::OutputOf(path)] = cx.in_shape.as_slice() else {
        return TokenStream::new();
    };
    let message = format!(
        "`{}` ({layer}) needs a flat input, but the network before it outputs a shaped map: add a `Flatten` layer before it",
        cx.entry
    );
    assertion(cx, quote!(<#path as ::typenet::__private::Layer>::OUTPUT_SHAPE.len() == 1), message)
}

/// The output size along one axis: checked when every part is a literal,
/// asserted when one is a `const`.
#[allow(clippy::too_many_arguments)]
fn window_out(
    cx: &Context<'_>,
    axis: &str,
    input: &Dim,
    kernel: &Dim,
    stride: &Dim,
    dilation: &Dim,
    padding: (&Dim, &Dim),
    checks: &mut TokenStream,
) -> Result<Dim, Problem> {
    let padded = Dim::add(Dim::add(input.clone(), padding.0.clone()), padding.1.clone());
    let extent = Dim::add(Dim::mul(dilation.clone(), Dim::sub(kernel.clone(), Dim::Lit(1))), Dim::Lit(1));
    let fits = |p: u64, e: u64| p >= e;
    let too_large = || {
        let what = if cx.layer.contains("Pool") { "window" } else { "kernel" };
        let size = if dilation.literal() == Some(1) {
            kernel.describe()
        } else {
            format!(
                "{}, spanning {} with dilation {}",
                kernel.describe(),
                extent.describe(),
                dilation.describe()
            )
        };
        let padded_note = if padding.0.literal() == Some(0) && padding.1.literal() == Some(0) {
            String::new()
        } else {
            format!(" ({} with padding)", padded.describe())
        };
        format!(
            "{}'s {what} ({size}) is larger than its input along the {axis}{padded_note}: the input is shaped {}",
            cx.layer,
            describe_shape(cx.in_shape)
        )
    };
    match (padded.literal(), extent.literal()) {
        (Some(p), Some(e)) if !fits(p, e) => return Err(cx.problem(too_large())),
        (Some(_), Some(_)) => {}
        _ => {
            let (p, e) = (padded.expr(), extent.expr());
            checks.extend(assertion(cx, quote!(#p >= #e), too_large()));
        }
    }
    Ok(Dim::add(Dim::div(Dim::sub(padded, extent), stride.clone()), Dim::Lit(1)))
}

/// Zeros before and after along one axis (`axis` 0 for rows, 1 for
/// columns) for a padding mode.
#[allow(clippy::too_many_arguments)]
fn pads(
    cx: &Context<'_>,
    padding: &Padding,
    kernel: &Dim,
    dilation: &Dim,
    stride: &Dim,
    rank: usize,
    axis: usize,
) -> Result<(Dim, Dim), Problem> {
    let total = || Dim::mul(dilation.clone(), Dim::sub(kernel.clone(), Dim::Lit(1)));
    Ok(match padding {
        Padding::Valid => (Dim::Lit(0), Dim::Lit(0)),
        Padding::Zeros(p) => (p[axis].clone(), p[axis].clone()),
        Padding::Same => {
            if stride.literal() != Some(1) {
                return Err(Problem::value(cx.span, format!(
                    "padding = Same needs stride 1 (PyTorch's rule), but {} has stride {}; give the padding as a number of zeros instead",
                    cx.layer,
                    stride.describe()
                )));
            }
            let before = Dim::div(total(), Dim::Lit(2));
            (before.clone(), Dim::sub(total(), before))
        }
        Padding::Causal if rank == 1 => (total(), Dim::Lit(0)),
        Padding::Causal => {
            return Err(cx.problem(format!(
                "padding = Causal is for Conv1d (zeros before the first step only); {} on an input shaped {} has no time axis",
                cx.layer,
                describe_shape(cx.in_shape)
            )))
        }
    })
}

/// `Conv2d` (`rank` 2) or `Conv1d` (`rank` 1).
fn conv(b: &Bindings, cx: &Context<'_>, rank: usize) -> Result<Resolved, Problem> {
    let (shape, mut checks) = shaped(cx, rank)?;
    let one = || Dim::Lit(1);
    let filters = b.width(&FILTERS).ok_or_else(|| cx.problem("a convolution needs a number of filters"))?;
    let (kernel_text, [kh, kw], [sh, sw], [dh, dw], (h, w, c)) = if rank == 2 {
        let kernel = b.pair(&KERNEL_2D).ok_or_else(|| cx.problem("a convolution needs a kernel size"))?;
        let stride = b.pair(&STRIDE_2D).unwrap_or_else(|| [one(), one()]);
        let dilation = b.pair(&DILATION_2D).unwrap_or_else(|| [one(), one()]);
        let text = pair_text(&kernel);
        (text, kernel, stride, dilation, (shape[0].clone(), shape[1].clone(), shape[2].clone()))
    } else {
        let kernel = b.width(&KERNEL_1D).ok_or_else(|| cx.problem("a convolution needs a kernel size"))?;
        let stride = b.width(&STRIDE_1D).unwrap_or_else(one);
        let dilation = b.width(&DILATION_1D).unwrap_or_else(one);
        (
            kernel.describe(),
            [one(), kernel],
            [one(), stride],
            [one(), dilation],
            (one(), shape[0].clone(), shape[1].clone()),
        )
    };
    let padding = b.padding(&PADDING).unwrap_or(Padding::Valid);
    check_padding_rank(cx, &padding, rank, b)?;
    let (pt, pb) =
        if rank == 2 { pads(cx, &padding, &kh, &dh, &sh, rank, 0)? } else { (Dim::Lit(0), Dim::Lit(0)) };
    let (pl, pr) = pads(cx, &padding, &kw, &dw, &sw, rank, 1)?;
    let oh = window_out(cx, "height", &h, &kh, &sh, &dh, (&pt, &pb), &mut checks)?;
    let ow = window_out(
        cx,
        if rank == 1 { "time axis" } else { "width" },
        &w,
        &kw,
        &sw,
        &dw,
        (&pl, &pr),
        &mut checks,
    )?;
    // `Same` and `Causal` padding at stride 1 keep the size: say so plainly
    // (a `const` size stays readable in types and messages).
    let keeps_size = matches!(padding, Padding::Same | Padding::Causal);
    let (oh, ow) = match (keeps_size, sh.literal(), sw.literal()) {
        (true, Some(1), Some(1)) => (h.clone(), w.clone()),
        _ => (oh, ow),
    };
    let activation =
        b.activation(&ACTIVATION).map_or_else(|| quote!(::typenet::Linear), |a| quote!(::typenet::#a));
    let bias = b.flag(&BIAS).unwrap_or(true);
    let grid = if rank == 2 {
        let dims = [&h, &w, &c, &kh, &kw, &sh, &sw, &dh, &dw, &pt, &pl, &oh, &ow].map(Dim::arg);
        quote!(::typenet::Grid2d<#(#dims),*>)
    } else if matches!(padding, Padding::Causal) && sw.literal() == Some(1) {
        // Its own type: a causal convolution can run one step at a time.
        let dims = [&w, &c, &kw, &dw].map(Dim::arg);
        quote!(::typenet::Causal1d<#(#dims),*>)
    } else {
        let dims = [&w, &c, &kw, &sw, &dw, &pl, &ow].map(Dim::arg);
        quote!(::typenet::Grid1d<#(#dims),*>)
    };
    let (path, out_shape) = if rank == 2 {
        (quote!(::typenet::Conv2d), vec![oh, ow, filters.clone()])
    } else {
        (quote!(::typenet::Conv1d), vec![ow, filters.clone()])
    };
    let declared = declared_conv(cx.layer, &filters, &kernel_text, b);
    Ok(Resolved {
        path,
        args: vec![
            TypeArg::Tokens(grid),
            TypeArg::Tokens(filters.arg()),
            TypeArg::Tokens(activation),
            TypeArg::Tokens(quote!(#bias)),
        ],
        init: None,
        items: checks,
        declared,
        out_shape,
    })
}

/// `3` for a square kernel, `[3, 2]` otherwise.
fn pair_text(pair: &[Dim; 2]) -> String {
    if pair[0].same_as(&pair[1]) {
        pair[0].describe()
    } else {
        format!("[{}, {}]", pair[0].describe(), pair[1].describe())
    }
}

/// `padding = [PH, PW]` is for 2-D layers; `Causal` for 1-D ones (which
/// `pads` reports with the input shape).
fn check_padding_rank(cx: &Context<'_>, padding: &Padding, rank: usize, b: &Bindings) -> Result<(), Problem> {
    match padding {
        Padding::Zeros([rows, columns]) if rank == 1 && !rows.same_as(columns) => Err(Problem::value(
            crate::args::span_of(b, &PADDING, cx.span),
            format!("{} pads its one axis with one number of zeros, not `[rows, columns]`", cx.layer),
        )),
        _ => Ok(()),
    }
}

/// A padding as written, for the summary.
fn padding_text(padding: &Padding) -> Option<String> {
    match padding {
        Padding::Same => Some("padding = Same".to_string()),
        Padding::Causal => Some("padding = Causal".to_string()),
        Padding::Zeros(p) => Some(format!("padding = {}", pair_text(p))),
        Padding::Valid => None,
    }
}

/// A layer's stride as written (`[SH, SW]` or one), for the summary.
fn stride_text(b: &Bindings) -> Option<String> {
    let stride = b.pair(&STRIDE_2D).or_else(|| b.width(&STRIDE_1D).map(|s| [s.clone(), s]));
    stride.map(|s| format!("stride = {}", pair_text(&s)))
}

/// The convolution as the summary shows it: `Conv2d<16, 3, Relu, padding = Same>`.
fn declared_conv(layer: &str, filters: &Dim, kernel: &str, b: &Bindings) -> String {
    let mut parts = vec![filters.describe(), kernel.to_string()];
    if let Some(activation) = b.activation(&ACTIVATION) {
        parts.push(activation.to_string());
    }
    parts.extend(stride_text(b));
    parts.extend(b.padding(&PADDING).as_ref().and_then(padding_text));
    let dilation = b.pair(&DILATION_2D).or_else(|| b.width(&DILATION_1D).map(|d| [d.clone(), d]));
    if let Some(dilation) = dilation {
        parts.push(format!("dilation = {}", pair_text(&dilation)));
    }
    if b.flag(&BIAS) == Some(false) {
        parts.push("bias = false".to_string());
    }
    format!("{layer}<{}>", parts.join(", "))
}

/// Zeros as a transposed convolution takes them (PyTorch's: rows and
/// columns removed from each side of the output): `Valid` is none.
fn zeros_only(b: &Bindings, param: &Param, cx: &Context<'_>) -> Result<[Dim; 2], Problem> {
    match b.padding(param) {
        None | Some(Padding::Valid) => Ok([Dim::Lit(0), Dim::Lit(0)]),
        Some(Padding::Zeros(zeros)) => Ok(zeros),
        Some(Padding::Same | Padding::Causal) => Err(Problem::value(
            crate::args::span_of(b, param, cx.span),
            format!(
                "{}'s {} is a number of rows and columns, or `[rows, columns]`, as PyTorch's ConvTranspose2d takes it",
                cx.layer, param.name
            ),
        )),
    }
}

/// `Conv2dTranspose`: PyTorch's `H' = (H - 1)·S - 2P + K + OP`, with
/// `OP < S`; the type is the convolution it transposes, from `[H', W', F]`
/// to `[H, W, C]`.
fn conv_transpose(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let (shape, mut checks) = shaped(cx, 2)?;
    let one = || Dim::Lit(1);
    let filters = b.width(&FILTERS).ok_or_else(|| cx.problem("a convolution needs a number of filters"))?;
    let kernel = b.pair(&KERNEL_2D).ok_or_else(|| cx.problem("a convolution needs a kernel size"))?;
    let stride = b.pair(&STRIDE_2D).unwrap_or_else(|| [one(), one()]);
    let padding = zeros_only(b, &PADDING, cx)?;
    let output_padding = zeros_only(b, &OUTPUT_PADDING, cx)?;
    let mut out = Vec::with_capacity(2);
    for (axis, name) in ["height", "width"].into_iter().enumerate() {
        let (input, k, s, p, op) =
            (&shape[axis], &kernel[axis], &stride[axis], &padding[axis], &output_padding[axis]);
        let below_stride = || {
            format!(
                "{}'s output_padding ({}) must be smaller than its stride ({}) along the {name} (PyTorch's rule: it only picks among the sizes a stride allows)",
                cx.layer,
                op.describe(),
                s.describe()
            )
        };
        match (op.literal(), s.literal()) {
            (Some(o), Some(s)) if o >= s => {
                return Err(Problem::value(crate::args::span_of(b, &OUTPUT_PADDING, cx.span), below_stride()))
            }
            (Some(0), _) | (Some(_), Some(_)) => {}
            _ => {
                let (o, s) = (op.expr(), s.expr());
                checks.extend(assertion(cx, quote!(#o < #s), below_stride()));
            }
        }
        // The full output before the padding is removed from each side.
        let full =
            Dim::add(Dim::add(Dim::mul(Dim::sub(input.clone(), one()), s.clone()), k.clone()), op.clone());
        let removed = Dim::mul(Dim::Lit(2), p.clone());
        let too_much = || {
            format!(
                "{}'s padding ({} on each side) removes its whole output along the {name} ({} before padding): the input is shaped {}",
                cx.layer,
                p.describe(),
                full.describe(),
                describe_shape(cx.in_shape)
            )
        };
        match (full.literal(), removed.literal()) {
            (Some(f), Some(r)) if f <= r => return Err(cx.problem(too_much())),
            (Some(_), Some(_)) => {}
            _ => {
                let (f, r) = (full.expr(), removed.expr());
                checks.extend(assertion(cx, quote!(#f > #r), too_much()));
            }
        }
        out.push(Dim::sub(full, removed));
    }
    let (oh, ow) = (out[0].clone(), out[1].clone());
    let (h, w, c) = (&shape[0], &shape[1], &shape[2]);
    let dims = [
        &oh,
        &ow,
        &filters,
        &kernel[0],
        &kernel[1],
        &stride[0],
        &stride[1],
        &one(),
        &one(),
        &padding[0],
        &padding[1],
        h,
        w,
    ]
    .map(Dim::arg);
    let activation =
        b.activation(&ACTIVATION).map_or_else(|| quote!(::typenet::Linear), |a| quote!(::typenet::#a));
    let bias = b.flag(&BIAS).unwrap_or(true);
    let mut parts = vec![filters.describe(), pair_text(&kernel)];
    parts.extend(b.activation(&ACTIVATION).map(|a| a.to_string()));
    parts.extend(stride_text(b));
    if padding.iter().any(|p| p.literal() != Some(0)) {
        parts.push(format!("padding = {}", pair_text(&padding)));
    }
    if output_padding.iter().any(|p| p.literal() != Some(0)) {
        parts.push(format!("output_padding = {}", pair_text(&output_padding)));
    }
    if !bias {
        parts.push("bias = false".to_string());
    }
    Ok(Resolved {
        path: quote!(::typenet::Conv2dTranspose),
        args: vec![
            TypeArg::Tokens(quote!(::typenet::Grid2d<#(#dims),*>)),
            TypeArg::Tokens(c.arg()),
            TypeArg::Tokens(filters.arg()),
            TypeArg::Tokens(activation),
            TypeArg::Tokens(quote!(#bias)),
        ],
        init: None,
        items: checks,
        declared: format!("{}<{}>", cx.layer, parts.join(", ")),
        out_shape: vec![oh, ow, filters],
    })
}

/// `UpSampling2d<S>` or `UpSampling2d<[SH, SW]>`.
fn upsampling(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let (shape, checks) = shaped(cx, 2)?;
    let [sh, sw] = b.pair(&SCALE).ok_or_else(|| cx.problem("UpSampling2d needs a scale"))?;
    let (h, w, c) = (&shape[0], &shape[1], &shape[2]);
    let args = [h, w, c, &sh, &sw].map(|dim| TypeArg::Tokens(dim.arg()));
    Ok(Resolved {
        path: quote!(::typenet::UpSampling2d),
        args: args.to_vec(),
        init: None,
        items: checks,
        declared: format!("UpSampling2d<{}>", pair_text(&[sh.clone(), sw.clone()])),
        out_shape: vec![Dim::mul(sh, h.clone()), Dim::mul(sw, w.clone()), c.clone()],
    })
}

/// `MaxPool2d`, `AvgPool2d` (`rank` 2), `MaxPool1d`, `AvgPool1d` (`rank` 1),
/// with PyTorch's padding (`padding = P`, `[PH, PW]`) or Keras' `Same`.
fn pool(b: &Bindings, cx: &Context<'_>, rank: usize) -> Result<Resolved, Problem> {
    let (shape, mut checks) = shaped(cx, rank)?;
    let one = Dim::Lit(1);
    let ([kh, kw], [sh, sw], (h, w, c), window_text) = if rank == 2 {
        let window = b.pair(&WINDOW_2D).ok_or_else(|| cx.problem("a pooling layer needs a window"))?;
        let stride = b.pair(&STRIDE_2D).unwrap_or_else(|| window.clone());
        let text = pair_text(&window);
        (window, stride, (shape[0].clone(), shape[1].clone(), shape[2].clone()), text)
    } else {
        let window = b.width(&WINDOW_1D).ok_or_else(|| cx.problem("a pooling layer needs a window"))?;
        let stride = b.width(&STRIDE_1D).unwrap_or_else(|| window.clone());
        let text = window.describe();
        (
            [one.clone(), window],
            [one.clone(), stride],
            (one.clone(), shape[0].clone(), shape[1].clone()),
            text,
        )
    };
    let padding = b.padding(&PADDING).unwrap_or(Padding::Valid);
    check_padding_rank(cx, &padding, rank, b)?;
    if matches!(padding, Padding::Causal) {
        return Err(Problem::value(
            crate::args::span_of(b, &PADDING, cx.span),
            format!(
                "{} takes padding = Valid, Same, a number of zeros or [rows, columns]; Causal is for Conv1d",
                cx.layer
            ),
        ));
    }
    if let Padding::Zeros([rows, columns]) = &padding {
        // PyTorch's rule: a window wider than twice its padding always
        // holds a real input. One that did not would have nothing to
        // reduce (no maximum; a mean of padding only), and the layer's
        // loop would leave that output unwritten.
        let axes: &[(&str, &Dim, &Dim)] = if rank == 2 {
            &[("height", rows, &kh), ("width", columns, &kw)]
        } else {
            &[("time axis", columns, &kw)]
        };
        for &(axis, pad, window) in axes {
            let message = format!(
                "{} pads the {axis} with {} zeros on each side, more than half its window ({}): a window could then hold padding only (PyTorch's rule: padding at most window / 2)",
                cx.layer,
                pad.describe(),
                window.describe()
            );
            match (pad.literal(), window.literal()) {
                (Some(p), Some(k)) if p.saturating_mul(2) > k => {
                    return Err(Problem::value(crate::args::span_of(b, &PADDING, cx.span), message));
                }
                (Some(_), Some(_)) => {}
                _ => {
                    let (p, k) = (pad.expr(), window.expr());
                    checks.extend(assertion(cx, quote!(#p * 2 <= #k), message));
                }
            }
        }
    }
    let (pt, pb) =
        if rank == 2 { pads(cx, &padding, &kh, &one, &sh, rank, 0)? } else { (Dim::Lit(0), Dim::Lit(0)) };
    let (pl, pr) = pads(cx, &padding, &kw, &one, &sw, rank, 1)?;
    let oh = window_out(cx, "height", &h, &kh, &sh, &one, (&pt, &pb), &mut checks)?;
    let ow = window_out(
        cx,
        if rank == 1 { "time axis" } else { "width" },
        &w,
        &kw,
        &sw,
        &one,
        (&pl, &pr),
        &mut checks,
    )?;
    let (oh, ow) = match (&padding, sh.literal(), sw.literal()) {
        (Padding::Same, Some(1), Some(1)) => (h.clone(), w.clone()),
        _ => (oh, ow),
    };
    let grid = if rank == 2 {
        let dims = [&h, &w, &c, &kh, &kw, &sh, &sw, &one, &one, &pt, &pl, &oh, &ow].map(Dim::arg);
        quote!(::typenet::Grid2d<#(#dims),*>)
    } else {
        let dims = [&w, &c, &kw, &sw, &one, &pl, &ow].map(Dim::arg);
        quote!(::typenet::Grid1d<#(#dims),*>)
    };
    let reduction = match (cx.layer.starts_with("Max"), &padding) {
        (true, _) => quote!(::typenet::layers::Max),
        // Keras' `Same` averages the real inputs; PyTorch counts the zeros.
        (false, Padding::Same) => quote!(::typenet::layers::AverageOfInputs),
        (false, _) => quote!(::typenet::layers::Average),
    };
    let out_shape = if rank == 2 { vec![oh, ow, c] } else { vec![ow, c] };
    let mut parts = vec![window_text];
    parts.extend(stride_text(b));
    parts.extend(padding_text(&padding));
    Ok(Resolved {
        path: quote!(::typenet::layers::Pool),
        args: vec![TypeArg::Tokens(grid), TypeArg::Tokens(reduction)],
        init: None,
        items: checks,
        declared: format!("{}<{}>", cx.layer, parts.join(", ")),
        out_shape,
    })
}

/// `GlobalAvgPool`, `GlobalMaxPool`.
fn global(_: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let (channels, positions) = channels_and_positions(cx).ok_or_else(|| {
        cx.problem(format!(
            "{} pools over the positions of a shaped input [.., C], but its input is flat {}",
            cx.layer,
            describe_shape(cx.in_shape)
        ))
    })?;
    let name = syn::Ident::new(cx.layer, cx.span);
    Ok(Resolved {
        path: quote!(::typenet::#name),
        args: vec![TypeArg::Tokens(positions.arg()), TypeArg::Tokens(channels.arg())],
        init: None,
        items: TokenStream::new(),
        declared: cx.layer.to_string(),
        out_shape: vec![channels],
    })
}

/// `SpatialDropout(rate)`.
fn spatial_dropout(b: &Bindings, cx: &Context<'_>) -> Result<Resolved, Problem> {
    let rate = b.number(&SPATIAL_RATE).ok_or_else(|| cx.problem("SpatialDropout needs a rate"))?;
    let (channels, positions) = channels_and_positions(cx).ok_or_else(|| {
        cx.problem(format!(
            "SpatialDropout drops whole channels of a shaped input [.., C], but its input is flat {}; use Dropout",
            describe_shape(cx.in_shape)
        ))
    })?;
    let rate_lit = Literal::f32_unsuffixed(rate as f32);
    Ok(Resolved {
        path: quote!(::typenet::SpatialDropout),
        args: vec![TypeArg::Tokens(positions.arg()), TypeArg::Tokens(channels.arg()), TypeArg::Phase],
        init: Some(quote!(::typenet::SpatialDropout::new(#rate_lit, ::typenet::__private::next_seed(rng)))),
        items: TokenStream::new(),
        declared: format!("SpatialDropout({rate})"),
        out_shape: cx.in_shape.clone(),
    })
}

/// `Flatten(channels_first)`.
pub(super) fn flatten_channels_first(cx: &Context<'_>) -> Result<Resolved, Problem> {
    let (channels, positions) = channels_and_positions(cx).ok_or_else(|| {
        cx.problem(format!(
            "Flatten(channels_first) reorders a shaped input [.., C] channels first, but its input is flat {}; write Flatten",
            describe_shape(cx.in_shape)
        ))
    })?;
    let items = match cx.in_shape.as_slice() {
        [Dim::OutputOf(path)] => {
            let message = format!(
                "`{}` (Flatten(channels_first)) reorders a shaped map channels first, but the network before it outputs a flat vector; write Flatten",
                cx.entry
            );
            assertion(cx, quote!(<#path as ::typenet::__private::Layer>::OUTPUT_SHAPE.len() > 1), message)
        }
        _ => TokenStream::new(),
    };
    Ok(Resolved {
        path: quote!(::typenet::FlattenChannelsFirst),
        args: vec![TypeArg::Tokens(positions.arg()), TypeArg::Tokens(channels.arg())],
        init: None,
        items,
        declared: "Flatten(channels_first)".to_string(),
        out_shape: vec![cx.width().flat()],
    })
}
