//! The schema of the table of built-in layers, at the bottom of the macro:
//! what a table entry says ([`LayerDef`]: spelling, arguments, the rule
//! that resolves them to a type and an output shape, messages), what an
//! argument may be ([`Param`], [`Kind`]) and what resolving gives
//! ([`Resolved`], [`TypeArg`]). Everything else about a layer (its tensors,
//! whether it depends on the phase, whether it streams) is its type's in
//! net-core; where the macro must rely on such a fact, the expansion
//! asserts it.

use std::collections::BTreeMap;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, Visibility};

use crate::dims::{Dim, Shape};
use crate::parse::LayerSpec;

/// What kind of value a parameter takes; binding checks it (ranges
/// included) and reports each mistake on its token.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A positive integer or a `const` name.
    Width,
    /// One of the named activations.
    Activation(&'static [&'static str]),
    /// A number in `[0, 1]`, or `[0, 1)` when `below_one`.
    Fraction { below_one: bool },
    /// A positive number that fits an `f32` (an epsilon, a standard deviation).
    Positive,
    /// A width, or `[a, b]` with one per spatial axis.
    Pair,
    /// `Valid`, `Same`, `Causal`, a number of zeros, or `[PH, PW]`.
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

/// A parameter of a layer. Resolvers read bound values by the same
/// `Param` the table lists, so a name is written once.
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
    /// Zeros on both sides: `[rows, columns]` (one value gives both).
    Zeros([Dim; 2]),
}

/// One axis of a `noise_shape`-like list.
#[derive(Clone, Debug)]
pub enum AxisValue {
    /// `_`: the axis' own size.
    Own,
    /// A width (`1` shares one value along the axis).
    Size(Dim, Span),
}

/// A bound argument value, checked against its [`Kind`].
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

/// The arguments of one layer, bound to its parameters: what a resolver
/// reads, by the same [`Param`] the table lists.
#[derive(Default)]
pub struct Bindings {
    pub(crate) values: BTreeMap<&'static str, (Bound, Span)>,
    /// `const` widths met on the way, to assert non-zero.
    pub const_widths: Vec<syn::Path>,
}

impl Bindings {
    fn get(&self, param: &Param) -> Option<&(Bound, Span)> {
        self.values.get(param.name)
    }
    /// The width `param`.
    pub fn width(&self, param: &Param) -> Option<Dim> {
        match self.get(param) {
            Some((Bound::Width(dim), _)) => Some(dim.clone()),
            _ => None,
        }
    }
    /// The activation `param`.
    pub fn activation(&self, param: &Param) -> Option<Ident> {
        match self.get(param) {
            Some((Bound::Activation(id), _)) => Some(id.clone()),
            _ => None,
        }
    }
    /// The number `param` (already within its kind's range).
    pub fn number(&self, param: &Param) -> Option<f64> {
        match self.get(param) {
            Some((Bound::Number(v), _)) => Some(*v),
            _ => None,
        }
    }
    /// The pair `param` (a single width is used for both axes).
    pub fn pair(&self, param: &Param) -> Option<[Dim; 2]> {
        match self.get(param) {
            Some((Bound::Pair(pair), _)) => Some(pair.clone()),
            _ => None,
        }
    }
    /// The padding `param`.
    pub fn padding(&self, param: &Param) -> Option<Padding> {
        match self.get(param) {
            Some((Bound::Padding(p), _)) => Some(p.clone()),
            _ => None,
        }
    }
    /// The flag `param`.
    pub fn flag(&self, param: &Param) -> Option<bool> {
        match self.get(param) {
            Some((Bound::Bool(b), _)) => Some(*b),
            _ => None,
        }
    }
    /// The word `param`.
    pub fn word(&self, param: &Param) -> Option<Ident> {
        match self.get(param) {
            Some((Bound::Word(id), _)) => Some(id.clone()),
            _ => None,
        }
    }
    /// The axes list `param`, with its span.
    pub fn axes(&self, param: &Param) -> Option<(Vec<AxisValue>, Span)> {
        match self.get(param) {
            Some((Bound::Axes(axes), span)) => Some((axes.clone(), *span)),
            _ => None,
        }
    }
    /// The layer `param`, with its span.
    pub fn layer(&self, param: &Param) -> Option<(&LayerSpec, Span)> {
        match self.get(param) {
            Some((Bound::Layer(spec), span)) => Some((spec, *span)),
            _ => None,
        }
    }
    /// The span `param` was written at.
    pub fn span(&self, param: &Param) -> Option<Span> {
        self.get(param).map(|(_, span)| *span)
    }
}

/// Which brackets a layer's arguments go in.
#[derive(Clone, Copy, Debug)]
pub enum Brackets {
    /// `Dense<256, Relu>`.
    Angle,
    /// `Dropout(0.2)`.
    Call,
}

impl Brackets {
    /// The opening and closing bracket.
    pub fn pair(self) -> (&'static str, &'static str) {
        match self {
            Brackets::Angle => ("<", ">"),
            Brackets::Call => ("(", ")"),
        }
    }

    /// The other form, as a misuse reads: `(..)` or `<..>`.
    pub fn other(self) -> &'static str {
        match self {
            Brackets::Angle => "(..)",
            Brackets::Call => "<..>",
        }
    }
}

/// A type argument of a built-in layer's type.
#[derive(Clone)]
pub enum TypeArg {
    /// Fixed tokens: a width, an activation type, a marker type.
    Tokens(TokenStream),
    /// The layer's phase: the network's `P`, or the pinned phase.
    Phase,
    /// Another built-in layer's type (`TimeDistributed`'s argument).
    Layer { def: &'static LayerDef, path: TokenStream, args: Vec<TypeArg> },
}

impl TypeArg {
    /// The argument as tokens, the phase written as `phase`.
    pub fn tokens(&self, phase: &TokenStream) -> TokenStream {
        match self {
            TypeArg::Tokens(tokens) => tokens.clone(),
            TypeArg::Phase => phase.clone(),
            TypeArg::Layer { path, args, .. } => {
                let args = args.iter().map(|arg| arg.tokens(phase));
                quote!(#path<#(#args),*>)
            }
        }
    }

    /// Whether the argument takes the phase.
    pub fn uses_phase(&self) -> bool {
        match self {
            TypeArg::Tokens(_) => false,
            TypeArg::Phase => true,
            TypeArg::Layer { args, .. } => args.iter().any(TypeArg::uses_phase),
        }
    }

    /// Whether the argument is a layer with trainable parameters.
    pub fn has_grads(&self) -> bool {
        matches!(self, TypeArg::Layer { def, args, .. } if def.grads || args.iter().any(TypeArg::has_grads))
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
    /// Items the type needs (a noise-shape marker, const assertions).
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
    /// The network (or block use) the entry is in, for generated names.
    pub network: &'a Ident,
    pub entry: &'a Ident,
    pub vis: &'a Visibility,
    /// The per-sample input shape.
    pub in_shape: &'a Shape,
    /// The network's declared input shape, when known: a layer whose
    /// input it is can say how to change it.
    pub network_input: Option<&'a Shape>,
    /// The layer spec's span.
    pub span: Span,
}

impl Context<'_> {
    /// The flat input width.
    pub fn width(&self) -> Dim {
        Dim::product(self.in_shape)
    }

    /// A problem on the layer.
    pub fn problem(&self, message: impl Into<String>) -> Problem {
        Problem::input(self.span, message)
    }
}

/// A built-in layer: everything `network!` knows of it.
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
    /// Whether it has trainable parameters, and so a field in the
    /// gradients struct. The expansion asserts this against the type's
    /// `Tensors::PARAMS`, so a table entry cannot disagree with its layer.
    pub grads: bool,
    /// Whether its output has its input's shape whatever its arguments
    /// (dropouts, activations, BatchNorm): after a mistake in one, the
    /// shapes that follow are still known and checked.
    pub keeps_shape: bool,
    /// Its type, construction and output shape.
    pub resolve: fn(&Bindings, &Context<'_>) -> Result<Resolved, Problem>,
}
