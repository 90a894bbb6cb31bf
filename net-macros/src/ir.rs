//! The checked declaration: what `check` produces and `expand` reads.
//!
//! Named after what they are in the declaration (`Network`,
//! `CheckedEntry`), not after runtime types: nothing here is a layer, only
//! a description of one.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::{Attribute, Ident};

use crate::dims::{Dim, Shape};
use crate::schema::{LayerDef, Resolved, TypeArg};

/// A phase an entry is pinned to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pinned {
    Train,
    Eval,
}

impl ToTokens for Pinned {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(match self {
            Pinned::Train => quote!(::typenet::__private::PhaseKind::Train),
            Pinned::Eval => quote!(::typenet::__private::PhaseKind::Eval),
        });
    }
}

/// What the table resolved a built-in layer to.
pub struct BuiltIn {
    /// The table entry.
    pub def: &'static LayerDef,
    /// Its type, construction, items, text and output shape.
    pub resolved: Resolved,
}

/// What an entry's layer is.
pub enum LayerUse {
    /// A built-in layer.
    BuiltIn(BuiltIn),
    /// A use of a block: the network generated for it.
    Block {
        /// The generated struct.
        ty: Ident,
        /// The use as written, e.g. `BasicConv2d(64, 1)`.
        declared: String,
        /// Whether any layer in it has trainable parameters.
        trainable: bool,
    },
    /// Any other type (a custom layer or a nested network), as written.
    Custom(TokenStream, String),
}

impl LayerUse {
    /// The layer's type, with `phase` standing for its phase.
    pub fn ty(&self, phase: &TokenStream) -> TokenStream {
        match self {
            LayerUse::BuiltIn(built) => {
                let path = &built.resolved.path;
                let args = built.resolved.args.iter().map(|arg| arg.tokens(phase));
                quote!(#path<#(#args),*>)
            }
            LayerUse::Block { ty, .. } => quote!(#ty<#phase>),
            LayerUse::Custom(path, _) => {
                quote!(<#path as ::typenet::__private::Layer>::InPhase<#phase>)
            }
        }
    }

    /// The layer as the summary shows it.
    pub fn declared(&self) -> &str {
        match self {
            LayerUse::BuiltIn(built) => &built.resolved.declared,
            LayerUse::Block { declared, .. } | LayerUse::Custom(_, declared) => declared,
        }
    }

    /// Whether the network's gradients struct has a field for it (before
    /// freezing): custom layers and nested networks always do, built-in
    /// layers and blocks when they have trainable parameters.
    pub fn has_grads(&self) -> bool {
        match self {
            LayerUse::BuiltIn(built) => built.def.grads || built.resolved.args.iter().any(TypeArg::has_grads),
            LayerUse::Block { trainable, .. } => *trainable,
            LayerUse::Custom(..) => true,
        }
    }

    /// Whether the layer's type takes the network's phase.
    pub fn uses_phase(&self) -> bool {
        match self {
            LayerUse::BuiltIn(built) => built.resolved.args.iter().any(TypeArg::uses_phase),
            LayerUse::Block { .. } | LayerUse::Custom(..) => true,
        }
    }
}

/// How a merge combines its paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeKind {
    Concat,
    Add,
}

impl MergeKind {
    /// Its spelling.
    pub fn name(self) -> &'static str {
        match self {
            MergeKind::Concat => "Concat",
            MergeKind::Add => "Add",
        }
    }
}

/// What a checked entry is.
pub enum EntryKind {
    /// One layer: a field of the struct.
    Layer(LayerUse),
    /// A merge of paths; the layers of its paths are fields of the struct,
    /// the merge itself is not.
    Merge { kind: MergeKind, paths: Vec<Vec<CheckedEntry>> },
}

/// A checked entry.
pub struct CheckedEntry {
    pub name: Ident,
    /// `#[rename = ".."]`: the name its tensors are saved under.
    pub rename: Option<String>,
    /// Doc comments, passed to the field.
    pub docs: Vec<Attribute>,
    pub kind: EntryKind,
    /// `#[frozen]`, with its span.
    pub frozen: Option<Span>,
    /// `#[phase(..)]`, with its span.
    pub pinned: Option<(Pinned, Span)>,
    /// `#[l2(λ)]`, with its span.
    pub l2: Option<(f64, Span)>,
    pub in_shape: Shape,
    pub out_shape: Shape,
    /// The layer spec's span, for errors the expansion raises.
    pub span: Span,
}

impl CheckedEntry {
    /// The layer, unless the entry is a merge.
    pub fn layer(&self) -> Option<&LayerUse> {
        match &self.kind {
            EntryKind::Layer(layer) => Some(layer),
            EntryKind::Merge { .. } => None,
        }
    }

    /// The layer's field type in a network whose phase is `network_phase`
    /// (`None` for a merge, which has no field).
    pub fn field_type(&self, network_phase: &TokenStream) -> Option<TokenStream> {
        Some(self.layer()?.ty(&self.phase_tokens(network_phase)))
    }

    /// The phase the layer runs in: the pinned one, or the network's.
    pub fn phase_tokens(&self, network_phase: &TokenStream) -> TokenStream {
        match self.pinned {
            Some((Pinned::Train, _)) => quote!(::typenet::Train),
            Some((Pinned::Eval, _)) => quote!(::typenet::Eval),
            None => network_phase.clone(),
        }
    }

    /// Whether the gradients struct has a field for it.
    pub fn has_grads(&self) -> bool {
        self.frozen.is_none() && self.layer().is_some_and(LayerUse::has_grads)
    }

    /// The entry as the summary shows it.
    pub fn declared(&self) -> String {
        match &self.kind {
            EntryKind::Layer(layer) => layer.declared().to_string(),
            EntryKind::Merge { kind, paths } => format!("{} of {} paths", kind.name(), paths.len()),
        }
    }

    /// Every layer entry, depth first: the struct's fields, in order.
    pub fn fields<'a>(&'a self, out: &mut Vec<&'a CheckedEntry>) {
        match &self.kind {
            EntryKind::Layer(_) => out.push(self),
            EntryKind::Merge { paths, .. } => {
                for entry in paths.iter().flatten() {
                    entry.fields(out);
                }
            }
        }
    }
}

/// A checked network: a user's struct, or the struct generated for a use
/// of a block.
pub struct Network {
    pub attrs: Vec<Attribute>,
    pub vis: syn::Visibility,
    pub name: Ident,
    /// What messages and `Debug` call it (`NetworkDef::NAME`): the struct's
    /// name, or a block's use as written (`Residual(4, 2)`) rather than the
    /// generated struct's name, which the user never wrote.
    pub shown_as: String,
    /// Generated for a block's use (hidden from the docs).
    pub generated: bool,
    pub input: Shape,
    pub entries: Vec<CheckedEntry>,
    /// `const` widths to assert non-zero.
    pub const_widths: Vec<syn::Path>,
    /// Items the layers' types need (noise-shape markers, assertions).
    pub items: TokenStream,
}

impl Network {
    /// Every layer entry, depth first: the struct's fields, in order.
    pub fn fields(&self) -> Vec<&CheckedEntry> {
        let mut out = Vec::new();
        for entry in &self.entries {
            entry.fields(&mut out);
        }
        out
    }

    /// Whether any layer's type takes the network's phase (a network of
    /// Dense layers only is the same type in both phases but for its
    /// training state).
    pub fn layers_use_phase(&self) -> bool {
        self.fields().iter().any(|e| e.pinned.is_none() && e.layer().is_some_and(LayerUse::uses_phase))
    }

    /// Whether any field has trainable parameters (what a block's use
    /// needs a gradient field for).
    pub fn trainable(&self) -> bool {
        self.fields().iter().any(|e| e.has_grads())
    }

    /// The values one time step takes when streaming: the last axis of
    /// the input.
    pub fn step_input(&self) -> Dim {
        self.input.last().cloned().unwrap_or(Dim::Lit(1))
    }

    /// The shape of the output.
    pub fn output_shape(&self) -> &Shape {
        self.entries.last().map_or(&self.input, |e| &e.out_shape)
    }

    /// The values one time step gives: the last axis of the output (a
    /// nested network's channels when it is the last layer).
    pub fn step_output(&self) -> Dim {
        match self.output_shape().as_slice() {
            [Dim::OutputOf(path)] => Dim::LastAxisOf(path.clone()),
            dims => dims.last().cloned().unwrap_or(Dim::Lit(1)),
        }
    }

    /// The flat width of the output.
    pub fn output(&self) -> Dim {
        Dim::product(self.output_shape())
    }
}
