//! Check: the declarations as written -> checked [`Network`]s, with every
//! mistake reported as a spanned error (one `check_*` function per rule).
//! Layer arguments are checked against the table (`layers/`); merges and
//! uses of blocks are `graph.rs`; what only a layer's type knows (whether
//! it can be frozen, depends on the phase, has a kernel) is asserted by
//! the expansion.

mod attrs;
mod graph;

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, Visibility};

use crate::args::{bind, by_position, meant_args, misplaced_activation, swap_brackets};
use crate::dims::{describe_shape, Dim, Shape, MAX_VALUES};
use crate::errors::Errors;
use crate::ir::{BuiltIn, CheckedEntry, EntryKind, LayerUse, Network};
use crate::layers;
use crate::parse::{
    path_text, spec_text, value_text, Arg, BlockDecl, Declarations, EntryDecl, LayerSpec, Spec, StructDecl,
    Value,
};
use crate::schema::Context;
use crate::suggest::nearest;
use crate::symbol;

use attrs::{check_attrs, EntryAttrs};

/// What checking an invocation gives: every network that checked (blocks'
/// generated ones first, then the structs), and each struct's name and
/// visibility, for placeholders when there were errors.
pub struct Checked {
    pub networks: Vec<Network>,
    pub structs: Vec<(Visibility, Ident)>,
}

/// Checks every struct of the invocation (and, through their uses, its
/// blocks).
pub fn check(decls: Declarations, errors: &mut Errors) -> Checked {
    let invocation = decls.structs.first().map_or_else(|| "Blocks".to_string(), |s| s.name.to_string());
    check_unique_items(&decls, errors);
    if decls.structs.is_empty() && decls.failed == 0 {
        let span = decls.blocks.first().map_or_else(Span::call_site, |b| b.name.span());
        errors.at(
            span,
            "`network!` declares networks: add a `struct Name { input: .., layers.. }` that uses the blocks",
        );
    }
    let mut checker = Checker {
        blocks: &decls.blocks,
        invocation,
        generated: Vec::new(),
        uses: HashMap::new(),
        stack: Vec::new(),
        errors,
    };
    let mut structs = Vec::new();
    let mut networks = Vec::new();
    for decl in &decls.structs {
        structs.push((decl.vis.clone(), decl.name.clone()));
        if let Some(net) = checker.check_struct(decl) {
            networks.push(net);
        }
    }
    let mut all = checker.generated;
    all.extend(networks);
    Checked { networks: all, structs }
}

/// Struct and block names are unique in one invocation.
fn check_unique_items(decls: &Declarations, errors: &mut Errors) {
    let mut seen: Vec<&Ident> = Vec::new();
    let names = decls.structs.iter().map(|s| &s.name).chain(decls.blocks.iter().map(|b| &b.name));
    for name in names {
        if seen.contains(&name) {
            errors.spanned(name, format!("`{name}` is declared twice in this `network!`"));
        }
        seen.push(name);
    }
    for block in &decls.blocks {
        if layers::find(&block.name.to_string()).is_some()
            || block.name == symbol::CONCAT
            || block.name == symbol::ADD
        {
            errors.spanned(
                &block.name,
                format!("`{}` is a built-in layer: name the block otherwise", block.name),
            );
        }
    }
}

/// The state of checking one invocation: its blocks, and the networks
/// generated for their uses.
struct Checker<'a> {
    blocks: &'a [BlockDecl],
    /// The first struct's name: generated names start with it, so two
    /// invocations in one module do not clash.
    invocation: String,
    generated: Vec<Network>,
    /// A block's use by its key (block, arguments, input shape): the
    /// network generated for it, its output shape, whether it trains.
    uses: HashMap<String, (Ident, Shape, bool)>,
    /// The blocks being checked, innermost last: a block may not use itself.
    stack: Vec<String>,
    errors: &'a mut Errors,
}

/// What checking the entries of one body (a struct, a block's use, a
/// path) may look at.
struct Body<'a> {
    network: &'a Ident,
    vis: &'a Visibility,
    /// Every name so far in the struct or block, paths included.
    seen: Vec<Ident>,
    const_widths: Vec<syn::Path>,
    items: TokenStream,
    /// The struct's declared input shape (`None` in a block): a layer that
    /// reads it can say how to change it.
    input: Option<Shape>,
}

impl Checker<'_> {
    fn check_struct(&mut self, decl: &StructDecl) -> Option<Network> {
        check_generics(decl, self.errors);
        let mut entries = decl.entries.iter().peekable();
        let mut body = Body {
            network: &decl.name,
            vis: &decl.vis,
            seen: Vec::new(),
            const_widths: Vec::new(),
            items: TokenStream::new(),
            input: None,
        };
        let input = match entries.peek() {
            Some(first) if first.name == symbol::INPUT => {
                let first = entries.next()?;
                check_input(first, &mut body.const_widths, self.errors)
            }
            Some(first) => {
                if decl.failed == 0 {
                    self.errors.spanned(
                        &first.name,
                        format!(
                            "the first entry must be `input: WIDTH` (or `input: [D1, D2, ..]`), found `{}`",
                            first.name
                        ),
                    );
                }
                None
            }
            // A missing comma makes one unparsable entry of two: its error
            // says so, and this one would be false.
            None if decl.failed > 0 => None,
            None => {
                self.errors.at(
                    decl.body_span,
                    format!("network `{}` needs `input: WIDTH` and at least one layer", decl.name),
                );
                None
            }
        };
        body.input.clone_from(&input);
        let rest: Vec<EntryDecl> = entries.cloned().collect();
        let start = input.clone().unwrap_or_else(|| vec![Dim::Lit(1)]);
        let (checked, _, _) = self.check_entries(&rest, start, &mut body, input.is_some());
        if checked.is_empty() && input.is_some() && decl.failed == 0 && rest.is_empty() {
            self.errors.at(
                decl.body_span,
                format!("network `{}` needs at least one layer after `input`", decl.name),
            );
        }
        Some(Network {
            attrs: decl.attrs.clone(),
            vis: decl.vis.clone(),
            name: decl.name.clone(),
            shown_as: decl.name.to_string(),
            generated: false,
            input: input?,
            entries: checked,
            const_widths: body.const_widths,
            items: body.items,
        })
    }

    /// Checks entries in order from `shape`: the checked ones, the output
    /// shape, and whether it is known (no entry that changes the shape
    /// failed).
    fn check_entries(
        &mut self,
        entries: &[EntryDecl],
        mut shape: Shape,
        body: &mut Body<'_>,
        mut known: bool,
    ) -> (Vec<CheckedEntry>, Shape, bool) {
        let mut checked = Vec::new();
        for entry in entries {
            check_name(&entry.name, &body.seen, self.errors);
            body.seen.push(entry.name.clone());
            let keeps_shape = keeps_shape(entry);
            let entry_errors = self.errors.len();
            match self.check_entry(entry, &shape, body, known) {
                Some(entry) => {
                    shape = entry.out_shape.clone();
                    checked.push(entry);
                }
                None => match self.meant_shape(entry, &shape, body, known, entry_errors) {
                    // The entry's message says what it meant (`MaxPool2d`
                    // for `MaxPol2d`): the entries after it are checked
                    // against that, so independent mistakes show together.
                    Some(out) => shape = out,
                    // Otherwise the shapes that follow are unknown:
                    // mistakes about them would only repeat that failure.
                    None => known &= keeps_shape,
                },
            }
        }
        (checked, shape, known)
    }

    fn check_entry(
        &mut self,
        entry: &EntryDecl,
        in_shape: &Shape,
        body: &mut Body<'_>,
        known: bool,
    ) -> Option<CheckedEntry> {
        let attrs = check_attrs(&entry.attrs, self.errors);
        let spec = match &entry.spec {
            Spec::Layer(spec) => spec,
            Spec::Shape(_, span) => {
                self.errors.at(
                    *span,
                    format!("`{}` needs a layer (e.g. `Dense<64, Relu>`), not a width", entry.name),
                );
                return None;
            }
        };
        let span = spec.span();
        let name = spec.name()?.to_string();
        let single = spec.is_single();
        if single && (name == symbol::CONCAT || name == symbol::ADD) {
            return self.check_merge(entry, spec, attrs, in_shape, body, known);
        }
        let (kind, out_shape) = match self.blocks.iter().find(|b| single && b.name == name) {
            Some(block) => {
                let (layer, out) = self.check_block_use(block, spec, &entry.name, in_shape, body, known)?;
                (EntryKind::Layer(layer), out)
            }
            None => {
                let (layer, out) = self.check_layer(spec, &entry.name, in_shape, body, known)?;
                (EntryKind::Layer(layer), out)
            }
        };
        check_size(&entry.name, in_shape, &out_shape, span, self.errors);
        Some(CheckedEntry {
            name: entry.name.clone(),
            rename: attrs.rename.map(|(name, _)| name),
            docs: attrs.docs,
            kind,
            frozen: attrs.frozen,
            pinned: attrs.phase,
            l2: attrs.l2,
            in_shape: in_shape.clone(),
            out_shape,
            span,
        })
    }

    /// Resolves a layer spec: a built-in layer through the table, or any
    /// other type.
    fn check_layer(
        &mut self,
        spec: &LayerSpec,
        entry: &Ident,
        in_shape: &Shape,
        body: &mut Body<'_>,
        known: bool,
    ) -> Option<(LayerUse, Shape)> {
        let name = spec.name()?.to_string();
        let Some(def) = layers::find(&name).filter(|_| spec.is_single()) else {
            return self.check_custom(spec);
        };
        let bindings = bind(def, spec, self.errors)?;
        body.const_widths.extend(bindings.const_widths.iter().cloned());
        let context = Context {
            layer: def.name,
            network: body.network,
            entry,
            vis: body.vis,
            in_shape,
            network_input: body.input.as_ref(),
            span: spec.span(),
        };
        match (def.resolve)(&bindings, &context) {
            Ok(resolved) => {
                let out = resolved.out_shape.clone();
                Some((LayerUse::BuiltIn(BuiltIn { def, resolved }), out))
            }
            Err(problem) => {
                if known || !problem.about_input {
                    self.errors.at(problem.span, problem.message);
                }
                None
            }
        }
    }

    /// The output shape of what a failed entry meant, when its error says
    /// so: an activation before the sizes (the layer's other mistakes are
    /// reported too), or a misspelt built-in layer (checked quietly: it is
    /// only a guess, and one with mistakes of its own gives no shape).
    fn meant_shape(
        &mut self,
        entry: &EntryDecl,
        in_shape: &Shape,
        body: &mut Body<'_>,
        known: bool,
        entry_errors: usize,
    ) -> Option<Shape> {
        let Spec::Layer(spec) = &entry.spec else {
            return None;
        };
        let (meant, guessed) = self.meant_layer(spec)?;
        let mut quiet = Errors::default();
        std::mem::swap(self.errors, &mut quiet);
        let checked = self.check_layer(&meant, &entry.name, in_shape, body, known || guessed);
        std::mem::swap(self.errors, &mut quiet);
        if guessed {
            return checked.filter(|_| quiet.is_empty()).map(|(_, out)| out);
        }
        // The entry's mistakes that the meaning did not fix are already
        // reported: only the new ones are added.
        self.errors.extend_new(quiet, entry_errors);
        checked.map(|(_, out)| out)
    }

    /// The built-in layer a spec that failed meant, if that differs from
    /// what it says, and whether its name is a guess.
    fn meant_layer(&self, spec: &LayerSpec) -> Option<(LayerSpec, bool)> {
        let name = spec.name()?.to_string();
        let mut meant = spec.clone();
        let guessed = spec.is_single() && layers::find(&name).is_none();
        if guessed {
            let is_merge_or_block =
                name == symbol::CONCAT || name == symbol::ADD || self.blocks.iter().any(|b| b.name == name);
            let suggested = self.suggested_layer(&name).filter(|_| !is_merge_or_block)?;
            meant.path = syn::Path::from(Ident::new(&suggested, spec.name()?.span()));
        }
        let def = layers::find(&meant.name()?.to_string())?;
        let (used, other) = match def.brackets {
            crate::schema::Brackets::Angle => (&meant.angle, &meant.call),
            crate::schema::Brackets::Call => (&meant.call, &meant.angle),
        };
        if used.is_none() && other.is_some() {
            meant = swap_brackets(&meant);
        }
        let args = match def.brackets {
            crate::schema::Brackets::Angle => &mut meant.angle,
            crate::schema::Brackets::Call => &mut meant.call,
        };
        if let Some(reordered) = args.as_ref().and_then(|a| misplaced_activation(def, a)?.reordered) {
            *args = Some(reordered);
        }
        if let Some(reordered) = args.as_ref().and_then(|a| by_position(def, a)) {
            *args = Some(reordered);
        }
        if let Some(written) = args.as_mut() {
            *written = meant_args(def, written);
        }
        (spec_text(&meant) != spec_text(spec)).then_some((meant, guessed))
    }

    /// The layer, merge or block an unknown name most likely means: a
    /// built-in layer's Keras or PyTorch name, or the nearest spelling.
    fn suggested_layer(&self, name: &str) -> Option<String> {
        if let Some(ours) = layers::foreign_name(name) {
            return Some(ours.to_string());
        }
        let mut names = layers::names();
        names.extend([symbol::CONCAT, symbol::ADD]);
        let blocks: Vec<String> = self.blocks.iter().map(|b| b.name.to_string()).collect();
        names.extend(blocks.iter().map(String::as_str));
        nearest(name, &names).map(str::to_string)
    }

    /// Any type that is not a built-in layer or a block: a custom layer or
    /// a nested network, written without arguments (or with type arguments
    /// of its own).
    fn check_custom(&mut self, spec: &LayerSpec) -> Option<(LayerUse, Shape)> {
        let name = spec.name()?.to_string();
        let type_args: Option<Vec<&syn::Path>> = match &spec.angle {
            None => Some(Vec::new()),
            Some(args) => args
                .items
                .iter()
                .map(|arg| match arg {
                    Arg::Positional(Value::Path(path)) => Some(path),
                    _ => None,
                })
                .collect(),
        };
        if spec.call.is_some() || type_args.is_none() {
            let keras_activation =
                name == "Activation" && spec.call.as_ref().is_some_and(|call| call.items.len() == 1);
            let message = match self.suggested_layer(&name) {
                // Keras' `Activation("relu")`.
                _ if keras_activation => {
                    "an activation is a layer of its own: write its name, e.g. `act: Relu`".to_string()
                }
                Some(suggested) => format!("unknown layer `{name}`; did you mean `{suggested}`?"),
                None => format!(
                    "unknown layer `{name}` (the built-in layers are listed in the documentation of `network!`; a block is declared with `block {name}(..) {{ .. }}`; any other type must implement `typenet::Layer` and is written without arguments)"
                ),
            };
            self.errors.spanned(spec.name()?, message);
            return None;
        }
        let path = &spec.path;
        let args = type_args.unwrap_or_default();
        let tokens = if args.is_empty() { quote!(#path) } else { quote!(#path<#(#args),*>) };
        let out = vec![Dim::OutputOf(syn::parse2(tokens.clone()).ok()?)];
        Some((LayerUse::Custom(tokens, path_text(path)), out))
    }
}

fn check_generics(decl: &StructDecl, errors: &mut Errors) {
    if !decl.generics.params.is_empty() || decl.generics.where_clause.is_some() {
        errors.spanned(
            &decl.generics,
            "a network takes no generic parameters: `network!` adds the phase parameter `P: Phase = Eval` itself",
        );
    }
}

/// Names are unique (across paths too), `input` comes once, and `__`
/// names are the expansion's.
fn check_name(name: &Ident, seen: &[Ident], errors: &mut Errors) {
    if name == symbol::INPUT {
        errors.spanned(name, "`input` may only appear once, as the first entry");
    } else if name.to_string().starts_with(symbol::RESERVED_PREFIX) {
        errors.spanned(
            name,
            format!("`{name}`: names starting with `__` are reserved for what `network!` generates"),
        );
    } else if seen.iter().any(|s| s == name) {
        errors.spanned(name, format!("duplicate layer name `{name}`"));
    }
}

/// A width of the input shape.
fn check_input_width(value: &Value, const_widths: &mut Vec<syn::Path>, errors: &mut Errors) -> Option<Dim> {
    match value {
        Value::Int { negative: true, text, span, .. } => {
            errors.at(*span, format!("an input dimension must be a positive integer, found {text}"));
            None
        }
        Value::Int { value: 0, span, .. } => {
            errors.at(*span, "an input dimension must be at least 1, found 0");
            None
        }
        Value::Int { value, span, text, .. } if *value > MAX_VALUES => {
            errors.at(*span, format!("an input dimension of {text} is more values than memory can hold"));
            None
        }
        Value::Int { value, .. } => Some(Dim::Lit(*value as u64)),
        Value::Path(path) => {
            const_widths.push(path.clone());
            Some(Dim::Const(path.clone()))
        }
        other => {
            errors.at(other.span(), "an input dimension must be a positive integer or a `const` name");
            None
        }
    }
}

fn check_input(entry: &EntryDecl, const_widths: &mut Vec<syn::Path>, errors: &mut Errors) -> Option<Shape> {
    if let Some(attr) = entry.attrs.first() {
        errors.spanned(attr, "`input` takes no attributes");
    }
    match &entry.spec {
        Spec::Shape(dims, span) => {
            let dims = match dims.as_slice() {
                [Value::Tuple(items, parens)] => {
                    let meant = Value::List(items.clone(), *parens);
                    errors.at(
                        *parens,
                        format!(
                            "an input shape is a list in brackets: write `input: {}`",
                            value_text(&meant)
                        ),
                    );
                    // The shape meant is still checked, and the layers
                    // after it, so other mistakes show now.
                    items
                }
                _ => dims,
            };
            if dims.is_empty() {
                errors.at(*span, "an input shape needs at least one dimension");
                return None;
            }
            let shape: Vec<Option<Dim>> =
                dims.iter().map(|v| check_input_width(v, const_widths, errors)).collect();
            let shape: Shape = shape.into_iter().collect::<Option<_>>()?;
            let flat = Dim::product(&shape);
            if flat.is_literal() && flat.literal().is_none() {
                errors.at(*span, "the input shape holds more values than memory can");
                return None;
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

/// Whether an entry is a built-in layer whose output has its input's shape.
fn keeps_shape(entry: &EntryDecl) -> bool {
    match &entry.spec {
        Spec::Layer(spec) => {
            spec.name().and_then(|name| layers::find(&name.to_string())).is_some_and(|def| def.keeps_shape)
        }
        Spec::Shape(..) => false,
    }
}

/// A layer's tensors must fit in memory: its input width times its output
/// width (the largest a layer's weights get) is bounded, so an absurd width
/// is one error here rather than overflows inside the expansion.
fn check_size(name: &Ident, in_shape: &Shape, out_shape: &Shape, span: Span, errors: &mut Errors) {
    let (input, output) = (Dim::product(in_shape), Dim::product(out_shape));
    let too_large = |dim: &Dim| dim.is_literal() && dim.literal().is_none();
    let weights = Dim::Op(
        crate::dims::Op::Add,
        Box::new(Dim::mul(input.clone(), output.clone())),
        Box::new(output.clone()),
    );
    if too_large(&output) || too_large(&weights) {
        errors.at(
            span,
            format!(
                "layer `{name}` is too large: from {} to {} values per sample, its tensors would not fit in memory",
                describe_shape(in_shape),
                describe_shape(out_shape)
            ),
        );
    }
}

/// The attributes of an entry that a merge cannot take.
fn refuse_on_merge(attrs: &EntryAttrs, errors: &mut Errors) {
    if let Some((span, attr)) = attrs.on_layer_only() {
        errors.at(
            span,
            format!(
                "`{attr}` on a merge: a merge has no layer of its own; put it on the layers inside its paths"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;
    use proc_macro2::TokenStream;

    /// The messages `check` reports for a declaration.
    fn messages(source: &str) -> Vec<String> {
        let mut errors = Errors::default();
        let tokens: TokenStream = source.parse().expect("tokens");
        if let Some(decls) = parse::parse(tokens, &mut errors) {
            check(decls, &mut errors);
        }
        errors.messages()
    }

    fn assert_one(source: &str, expected: &str) {
        let found = messages(source);
        assert!(
            found.len() == 1 && found[0].contains(expected),
            "{source}: expected one error containing {expected:?}, got {found:#?}"
        );
    }

    /// The checked networks of a declaration that has no errors.
    fn networks(source: &str) -> Vec<Network> {
        let mut errors = Errors::default();
        let tokens: TokenStream = source.parse().expect("tokens");
        let decls = parse::parse(tokens, &mut errors).expect("parses");
        let checked = check(decls, &mut errors);
        assert!(errors.is_empty(), "{source}: {:#?}", errors.messages());
        checked.networks
    }

    /// Each entry's output shape (of the last struct), as messages describe shapes.
    fn shapes(source: &str) -> Vec<String> {
        let networks = networks(source);
        let net = networks.last().expect("a network");
        net.entries.iter().map(|e| describe_shape(&e.out_shape)).collect()
    }

    #[test]
    fn shaped_layers_work_out_their_output_shapes() {
        assert_eq!(
            shapes(
                "struct N { input: [8, 8, 1], c1: Conv2d<16, 3, Relu>, c2: Conv2d<32, 3, Relu, padding = Same>, \
                 pool: MaxPool2d<2>, drop: SpatialDropout(0.2), flat: Flatten, out: Dense<10> }"
            ),
            ["[6, 6, 16]", "[6, 6, 32]", "[3, 3, 32]", "[3, 3, 32]", "[288]", "[10]"]
        );
        // PyTorch's formula: (7 + 2 - 2 * 2 - 1) / 2 + 1 = 3 and (9 + 2 - 2 - 1) / 1 + 1 = 9.
        assert_eq!(
            shapes("struct N { input: [7, 9, 3], c: Conv2d<4, [3, 2], stride = [2, 1], padding = 1, dilation = 2> }"),
            ["[3, 9, 4]"]
        );
        assert_eq!(
            shapes("struct N { input: [10, 3], c: Conv1d<4, 3, padding = Causal, dilation = 2>, p: AvgPool1d<3, stride = 2> }"),
            ["[10, 4]", "[4, 4]"]
        );
        // Pools round down; global pools keep the channels.
        assert_eq!(
            shapes("struct N { input: [7, 5, 3], p: MaxPool2d<2>, g: GlobalMaxPool }"),
            ["[3, 2, 3]", "[3]"]
        );
        assert_eq!(
            shapes("struct N { input: [4, 4, 2], bn: BatchNorm, f: Flatten(channels_first), out: Dense<1> }"),
            ["[4, 4, 2]", "[32]", "[1]"]
        );
    }

    #[test]
    fn upsampling_layers_work_out_their_output_shapes() {
        // PyTorch's (H - 1) * S - 2P + K + OP: (4 - 1) * 2 - 2 + 3 + 1 = 8 and (5 - 1) * 3 + 2 + 2 = 16.
        assert_eq!(
            shapes(
                "struct N { input: [4, 5, 3], t: Conv2dTranspose<2, [3, 2], Tanh, stride = [2, 3], padding = [1, 0], \
                 output_padding = [1, 2]> }"
            ),
            ["[8, 16, 2]"]
        );
        assert_eq!(
            shapes(
                "struct N { input: [8, 8, 1], c: Conv2d<4, 3, Relu, padding = Same>, p: MaxPool2d<2>, \
                 u: UpSampling2d<2>, t: Conv2dTranspose<1, 3, padding = 1>, v: UpSampling2d<[3, 1]> }"
            ),
            ["[8, 8, 4]", "[4, 4, 4]", "[8, 8, 4]", "[8, 8, 1]", "[24, 8, 1]"]
        );
        assert_eq!(
            shapes("struct N { input: [2, 3, 1], t: Conv2dTranspose<5, 1, bias = false> }"),
            ["[2, 3, 5]"]
        );
    }

    #[test]
    fn upsampling_mistakes_name_the_rule_or_the_input() {
        assert_one(
            "struct N { input: [4, 4, 1], t: Conv2dTranspose<2, 3, stride = 2, output_padding = 2> }",
            "output_padding (2) must be smaller than its stride (2) along the height",
        );
        assert_one(
            "struct N { input: [4, 4, 1], t: Conv2dTranspose<2, 3, output_padding = [0, 1]> }",
            "smaller than its stride (1) along the width",
        );
        assert_one(
            "struct N { input: [1, 4, 1], t: Conv2dTranspose<2, 1, padding = 1> }",
            "removes its whole output along the height",
        );
        assert_one("struct N { input: [4, 4, 1], t: Conv2dTranspose<2, 3, padding = Same> }", "as PyTorch's");
        assert_one("struct N { input: 16, t: Conv2dTranspose<2, 3> }", "needs an input shaped [H, W, C]");
        assert_one("struct N { input: [4, 4], u: UpSampling2d<2> }", "needs an input shaped [H, W, C]");
        assert_one("struct N { input: [4, 4, 1], u: UpSampling2d<0> }", "must be at least 1");
    }

    #[test]
    fn recurrent_layers_work_out_their_output_shapes() {
        assert_eq!(
            shapes(
                "struct N { input: [8, 3], a: Lstm<16, return_sequences = true, dropout = 0.1>, \
                 b: TimeDistributed(Dense<4, Relu>), c: Gru<5>, out: Dense<1> }"
            ),
            ["[8, 16]", "[8, 4]", "[5]", "[1]"]
        );
        assert_eq!(
            shapes("struct N { input: [T, 2], c: Conv1d<4, 3, padding = Causal>, r: Gru<U, return_sequences = true> }"),
            ["[T, 4]", "[T, U]"]
        );
    }

    #[test]
    fn text_layers_work_out_their_output_shapes() {
        assert_eq!(
            shapes(
                "struct N { input: [12], emb: Embedding<1000, 16>, norm: LayerNorm, \
                 rnn: Bidirectional(Lstm<8, return_sequences = true>), last: Bidirectional(Gru<4>), \
                 flat_norm: LayerNorm(eps = 1e-3) }"
            ),
            ["[12, 16]", "[12, 16]", "[12, 16]", "[8]", "[8]"]
        );
        assert_eq!(shapes("struct N { input: [T], emb: Embedding<V, D> }"), ["[T, D]"]);
        assert_eq!(shapes("struct N { input: [T, 2], rnn: Bidirectional(Gru<U>) }"), ["[(2 * U)]"]);
    }

    #[test]
    fn text_layer_mistakes_are_reported_on_the_layer_or_value() {
        assert_one(
            "struct N { input: [8, 3], emb: Embedding<100, 4> }",
            "needs an input shaped [T] (token ids)",
        );
        assert_one("struct N { input: [8], emb: Embedding<100> }", "dimension");
        assert_one("struct N { input: [8], emb: Embedding<0, 4> }", "must be at least 1");
        assert_one("struct N { input: 4, norm: LayerNorm(eps = 0) }", "must be a positive f32");
        assert_one("struct N { input: 4, norm: LayerNorm(eps = -1e-5) }", "must be a positive f32");
        assert_one("struct N { input: 4, norm: LayerNorm(epsilon = 1e-5) }", "did you mean `eps`");
        assert_one("struct N { input: [8, 3], b: Bidirectional(Dense<4>) }", "`Dense` is not one");
        assert_one("struct N { input: [8, 3], b: Bidirectional(TimeDistributed(Dense<4>)) }", "Lstm or Gru");
        assert_one("struct N { input: 24, b: Bidirectional(Lstm<4>) }", "needs an input shaped [T, F]");
        assert_one("struct N { input: [8, 3], b: Bidirectional(Gru<4, dropout = 1.0>) }", "outside [0, 1)");
    }

    #[test]
    fn recurrent_mistakes_are_reported_on_the_layer_or_value() {
        assert_one("struct N { input: 64, r: Lstm<8> }", "needs an input shaped [T, F]");
        assert_one("struct N { input: [8, 8], r: Gru<8, recurrent_dropout = 1.0> }", "outside [0, 1)");
        assert_one("struct N { input: [8, 8], r: Gru<8, dropout = -0.5> }", "outside [0, 1)");
        assert_one(
            "struct N { input: [8, 8], r: Gru<8, return_sequences = true>, out: Dense<1> }",
            "TimeDistributed",
        );
        assert_one("struct N { input: [8, 8], t: TimeDistributed(MaxPool1d<2>) }", "`MaxPool1d` is not one");
        assert_one("struct N { input: [8, 8], t: TimeDistributed(Dense<0>) }", "must be at least 1");
        assert_one(
            "struct N { input: [8, 8], r: Lstm<8, return_sequence = true> }",
            "did you mean `return_sequences`",
        );
    }

    #[test]
    fn shaped_layer_mistakes_name_the_input_shape() {
        assert_one(
            "struct N { input: 64, c: Conv2d<8, 3> }",
            "needs an input shaped [H, W, C], but its input is shaped [64]",
        );
        assert_one("struct N { input: [8, 8, 1], c: Conv1d<8, 3> }", "needs an input shaped [T, C]");
        assert_one(
            "struct N { input: [4, 6, 1], c: Conv2d<2, 5> }",
            "kernel (5) is larger than its input along the height",
        );
        assert_one("struct N { input: [3, 3, 2], p: MaxPool2d<4> }", "window (4) is larger");
        // PyTorch's rule for a pool's padding: at most half the window.
        assert_one(
            "struct N { input: [4, 4, 1], p: MaxPool2d<2, padding = 2> }",
            "pads the height with 2 zeros on each side, more than half its window (2)",
        );
        assert_one(
            "struct N { input: [4, 4, 1], p: AvgPool2d<[3, 2], padding = [1, 2]> }",
            "pads the width with 2 zeros",
        );
        assert_one("struct N { input: [8, 2], p: AvgPool1d<3, padding = 2> }", "pads the time axis");
        assert!(messages("struct N { input: [4, 4, 1], p: AvgPool2d<[3, 2], padding = 1> }").is_empty());
        assert_one(
            "struct N { input: [8, 8, 3], c: Conv2d<4, 3, stride = 2, padding = Same> }",
            "needs stride 1",
        );
        assert_one("struct N { input: [8, 8, 3], c: Conv2d<4, 3, padding = Causal> }", "is for Conv1d");
        assert_one("struct N { input: [8, 3], c: Conv1d<4, 3, stride = 0> }", "must be at least 1, found 0");
        assert_one(
            "struct N { input: [8, 3], c: Conv1d<4, 3, dilation = 0> }",
            "must be at least 1, found 0",
        );
        assert_one("struct N { input: 64, f: Flatten(channels_first) }", "but its input is flat [64]");
        assert_one("struct N { input: [8, 3], d: SpatialDropout(1.5) }", "outside [0, 1]");
        assert_one("struct N { input: 8, d: SpatialDropout(0.5) }", "use Dropout");
        assert_one("struct N { input: 8, g: GlobalAvgPool }", "its input is flat [8]");
    }

    #[test]
    fn mistakes_after_a_failed_layer_are_not_repeated() {
        // The conv fails, so the Dense after it has no known input: one error.
        assert_one("struct N { input: 64, c: Conv2d<8, 3>, out: Dense<2> }", "needs an input shaped");
        // A Dropout keeps its input's shape: the layer after it is still checked.
        let found = messages("struct N { input: [4, 4], d: Dropout(2.0), out: Dense<2> }");
        assert_eq!(found.len(), 2, "{found:#?}");
    }

    #[test]
    fn a_valid_network_has_no_errors() {
        assert!(messages(
            "struct N { input: [2, 3], flat: Flatten, fc: Dense<4, Relu>, d: Dropout(0.5), out: Dense<1> }"
        )
        .is_empty());
    }

    #[test]
    fn widths_must_be_positive_integers() {
        assert_one("struct N { input: 4, fc: Dense<-3> }", "must be a positive integer, found -3");
        assert_one("struct N { input: -4, fc: Dense<3> }", "must be a positive integer, found -4");
        assert_one("struct N { input: 4, fc: Dense<0> }", "must be at least 1, found 0");
        assert_one("struct N { input: 4, fc: Dense<2.5> }", "must be a positive integer or a `const` name");
    }

    #[test]
    fn absurd_widths_are_one_error_naming_the_layer() {
        assert_one(
            "struct N { input: 4, fc: Dense<4611686018427387904> }",
            "more values than memory can hold",
        );
        assert_one(
            "struct N { input: 4611686018427387904, fc: Dense<3> }",
            "more values than memory can hold",
        );
        assert_one("struct N { input: 3000000000, fc: Dense<3000000000> }", "layer `fc` is too large");
    }

    #[test]
    fn reserved_and_duplicate_names_are_refused() {
        assert_one("struct N { input: 4, __train: Dense<3> }", "reserved");
        assert_one("struct N { input: 4, a: Dense<3>, a: Dense<2> }", "duplicate layer name `a`");
        assert_one("struct N { input: 4, input: Dense<3> }", "only appear once");
    }

    #[test]
    fn keywords_are_not_names_or_widths() {
        assert_one("struct N { input: 1, mut: Dense<1> }", "`mut` is a keyword");
        assert_one("struct N { input: 1, fc: Dense<fn> }", "`fn` is a keyword");
        assert_one("struct N { input: [2, type], fc: Dense<1> }", "`type` is a keyword");
        assert!(messages("struct N { input: 1, r#mut: Dense<1> }").is_empty());
    }

    #[test]
    fn a_missing_comma_is_one_error() {
        let found = messages("struct N { input: 4 fc: Dense<3> }");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(!found[0].contains("needs `input"));
    }

    #[test]
    fn rates_and_options_are_checked() {
        assert_one("struct N { input: 4, d: Dropout(1.5) }", "outside [0, 1]");
        assert_one("struct N { input: 4, bn: BatchNorm(epsilon = 0.1) }", "did you mean `eps`");
        assert_one("struct N { input: 4, bn: BatchNorm(momentum = 2.0) }", "outside [0, 1]");
        assert_one(
            "struct N { input: [2, 2], d: Dropout(0.5, noise_shape = [_, 3, 2]) }",
            "noise_shape axis 1",
        );
    }

    #[test]
    fn noise_layers_keep_their_shape_and_check_their_values() {
        assert_eq!(
            shapes(
                "struct N { input: [4, 3], n: GaussianNoise(0.1), d: GaussianDropout(0.3), flat: Flatten }"
            ),
            ["[4, 3]", "[4, 3]", "[12]"]
        );
        assert_one("struct N { input: 4, n: GaussianNoise(0.0) }", "stddev must be a positive f32, found 0");
        assert_one("struct N { input: 4, n: GaussianNoise(-1) }", "stddev must be a positive f32, found -1");
        assert_one("struct N { input: 4, n: GaussianNoise(1e-50) }", "found 1e-50, which is 0 as an f32");
        assert_one("struct N { input: 4, d: GaussianDropout(1.0) }", "rate 1 is outside [0, 1)");
        assert_one("struct N { input: 4, n: GaussianNoise }", "needs its stddev");
    }

    #[test]
    fn augmentation_layers_take_images_and_keep_their_shape() {
        assert_eq!(
            shapes(
                "struct N { input: [8, 6, 3], f: RandomFlip, h: RandomFlip(horizontal), v: RandomFlip(vertical), \
                 t: RandomTranslation(0.2), c: Conv2d<4, 3> }"
            ),
            ["[8, 6, 3]", "[8, 6, 3]", "[8, 6, 3]", "[8, 6, 3]", "[6, 4, 4]"]
        );
        assert_one(
            "struct N { input: 64, f: RandomFlip }",
            "RandomFlip needs an input shaped [H, W, C], but its input is shaped [64]",
        );
        assert_one(
            "struct N { input: [8, 8], t: RandomTranslation(0.1) }",
            "needs an input shaped [H, W, C]",
        );
        assert_one("struct N { input: [8, 8, 1], f: RandomFlip(horizontally) }", "did you mean `horizontal`");
        assert_one("struct N { input: [8, 8, 1], t: RandomTranslation(1.5) }", "outside [0, 1]");
    }

    #[test]
    fn unknown_layers_and_activations_get_suggestions() {
        assert_one("struct N { input: 4, fc: Denes<3> }", "did you mean `Dense`");
        assert_one("struct N { input: 4, fc: Dense<3, Rleu> }", "did you mean `Relu`");
        assert_one("struct N { input: 4, fc: Dense(3) }", "write `Dense<3>`, not `Dense(..)`");
    }

    #[test]
    fn an_activation_before_the_sizes_says_where_it_goes() {
        assert_one(
            "struct N { input: 4, fc: Dense<Relu, 32> }",
            "`Relu` is the activation, which goes after the width: write `Dense<32, Relu>`",
        );
        assert_one(
            "struct N { input: [8, 8, 1], c: Conv2d<Relu, 16, 3, stride = 2> }",
            "goes after the filters and kernel: write `Conv2d<16, 3, Relu, stride = 2>`",
        );
        assert_one("struct N { input: 4, fc: Dense<Tanh> }", "write `Dense<WIDTH, Tanh>`");
        // The layer is checked as meant, and the layers after it.
        let found = messages("struct N { input: [4, 4], fc: Dense<Relu, 32>, out: Dense<2> }");
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[1].contains("add a `Flatten` layer"), "{found:#?}");
        let found = messages("struct N { input: 4, fc: Dense<Relu, 32>, c: Conv1d<2, 3> }");
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[1].contains("its input is shaped [32]"), "{found:#?}");
    }

    #[test]
    fn tuples_say_which_list_was_meant() {
        assert_one("struct N { input: (8, 8, 1), c: Conv2d<4, 3> }", "write `input: [8, 8, 1]`");
        // The shape meant is still checked, and what follows it.
        let found = messages("struct N { input: (8, 8, 1), c: Conv2d<4, 3>, out: Dense<2> }");
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[1].contains("add a `Flatten` layer"), "{found:#?}");
        assert_one("struct N { input: [8, 8, 1], c: Conv2d<4, (3, 3)> }", "kernel of `Conv2d` as `[3, 3]`");
        assert_one("struct N { input: 4, fc: Dense<(32)> }", "as `32`, without parentheses");
        let found = messages("struct N { input: [8, 8, 1], c: Conv2d<4, (3, 0)> }");
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[1].contains("must be at least 1, found 0"), "{found:#?}");
    }

    #[test]
    fn an_input_without_its_last_axis_gets_one() {
        assert_one(
            "struct N { input: [8, 8], c: Conv2d<4, 3> }",
            "its input is shaped [8, 8]; for one channel, declare `input: [8, 8, 1]`",
        );
        assert_one(
            "struct N { input: [8, 8], d: Dropout(0.1), p: MaxPool2d<2> }",
            "declare `input: [8, 8, 1]`",
        );
        assert_one("struct N { input: 16, c: Conv1d<4, 3> }", "declare `input: [16, 1]`");
        assert_one(
            "struct N { input: [T], r: Lstm<4> }",
            "for one feature per step, declare `input: [T, 1]`",
        );
        // Not the network's input: nothing to declare.
        let found = messages("struct N { input: [8, 8, 1], g: GlobalAvgPool, c: Conv1d<4, 3> }");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(!found[0].contains("declare"), "{found:#?}");
    }

    #[test]
    fn independent_mistakes_are_reported_together() {
        let found = messages(
            "struct N { input: [8, 8, 1], c: Conv2d<4, 3, Relu>, p: MaxPol2d<2>, fc: Dense<16>, out: Dense<2> }",
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].contains("did you mean `MaxPool2d`"), "{found:#?}");
        assert!(found[1].contains("its input is shaped [3, 3, 4]: add a `Flatten`"), "{found:#?}");
        // A misspelt layer whose meant form has its own mistake gives no shape.
        assert_one(
            "struct N { input: [8, 8, 1], p: MaxPol2d<0>, fc: Dense<16> }",
            "did you mean `MaxPool2d`",
        );
        // A name near no layer gives no shape either.
        assert_one("struct N { input: [8, 8, 1], p: Frobnicate<2>, fc: Dense<16> }", "unknown layer");
    }

    #[test]
    fn keras_and_pytorch_spellings_say_how_network_writes_them() {
        assert_one("struct N { input: 4, fc: Dense<units = 32> }", "write `Dense<32>`");
        assert_one("struct N { input: 4, fc: Dense<32, activation = Relu> }", "write `Dense<32, Relu>`");
        assert_one(
            "struct N { input: 4, d: Dropout(p = 0.5) }",
            "`Dropout` takes its rate by position, without a name: write `Dropout(0.5)`",
        );
        // One message for all the named sizes, and the layer is checked as meant.
        let found = messages(
            "struct N { input: [8, 8, 1], c: Conv2d<filters = 16, kernel_size = 3>, out: Dense<2> }",
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[0]
                .contains("takes its filters and kernel by position, without names: write `Conv2d<16, 3>`"),
            "{found:#?}"
        );
        assert!(found[1].contains("[6, 6, 16]: add a `Flatten`"), "{found:#?}");
        assert_one(
            "struct N { input: [8, 3], r: Lstm<8, return_sequences> }",
            "write `return_sequences = true`",
        );
        assert_one(
            "struct N { input: [8, 8, 1], c: Conv2d<4, 3, padding = same> }",
            "write the padding of `Conv2d` as `Same`",
        );
        assert_one("struct N { input: [8, 8, 1], p: MaxPooling2D<2> }", "did you mean `MaxPool2d`?");
        assert_one("struct N { input: 4, fc: Linear(4) }", "did you mean `Dense`?");
        assert_one("struct N { input: 4, fc: Softmax<4> }", "`Softmax` takes no arguments");
        assert!(messages("struct N { input: 4, fc: Dense<4>, s: Softmax() }").is_empty());
        assert_one(
            "struct N { input: [8, 8, 1], c: Conv2d<3, 4, 5> }",
            "a kernel of 4 by 5 is one argument, `[4, 5]`",
        );
        assert_one("struct N { input: 28 * 28, fc: Dense<4> }", "does not evaluate arithmetic");
        assert_one(
            "struct N { input: 4, fc: Dense<4, \"relu\"> }",
            "write the activation of `Dense` as `Relu`, a name without quotes",
        );
        assert_one("struct N { input: 4, fc: Dense<4, activation = \"relu\"> }", "write `Dense<4, Relu>`");
        assert_one("struct N { input: [8, 3], r: Lstm<8, return_sequences = True> }", "as `true`");
        assert_one("struct N { input: 4, fc: Dense<relu, 32> }", "write `Dense<32, Relu>`");
        assert_one("struct N { input: 4, act: Activation(\"relu\") }", "write its name, e.g. `act: Relu`");
        assert_one(
            "struct N { input: [8, 8, 1], p: MaxPool2d(2) }",
            "write `MaxPool2d<2>`, not `MaxPool2d(..)`",
        );
        assert_one("struct N { input: [8, 8, 1], p: MaxPool2d<2, 2> }", "a stride is named: `stride = 2`");
        // Each is checked as meant: the missing Flatten after it shows too.
        for layer in ["MaxPool2d(2)", "MaxPool2d<2, padding = \"valid\">", "Conv2d<4, 3, \"relu\">"] {
            let found = messages(&format!("struct N {{ input: [8, 8, 1], p: {layer}, out: Dense<2> }}"));
            assert_eq!(found.len(), 2, "{layer}: {found:#?}");
            assert!(found[1].contains("add a `Flatten`"), "{layer}: {found:#?}");
        }
        assert_one("struct N { input: 4, fc: Dense<2 * 8> }", "does not evaluate arithmetic");
    }

    #[test]
    fn dense_on_a_shaped_input_asks_for_flatten() {
        assert_one("struct N { input: [2, 3], fc: Dense<3> }", "add a `Flatten` layer");
    }

    #[test]
    fn graph_mistakes_are_one_error_each() {
        assert_one(
            "struct N { input: [6, 6, 4], sum: Add([c: Conv2d<8, 3, padding = 1>], []) }",
            "path 1: [6, 6, 8], path 2: [6, 6, 4]",
        );
        assert_one(
            "struct N { input: [6, 6, 4], cat: Concat([a: Conv2d<8, 1>], [b: Conv2d<8, 3, stride = 2>]) }",
            "every other axis must agree, but the paths give path 1: [6, 6, 8], path 2: [2, 2, 8]",
        );
        // A path that is not one is reported once, and not also counted missing.
        assert_one(
            "struct N { input: 4, cat: Concat(Dense<2>, []) }",
            "a path of `Concat` is a bracketed list",
        );
        assert_one("struct N { input: 4, cat: Concat([a: Dense<2>]) }", "merges two or more paths");
        assert_one(
            "struct N { input: 4, cat: Concat([a: Dense<2>], [a: Dense<3>]) }",
            "duplicate layer name `a`",
        );
        assert_one(
            "block B(F) { fc: Dense<F>, again: B(F) } struct N { input: 4, b: B(2) }",
            "block `B` uses itself (B -> B)",
        );
        assert_one(
            "block A(F) { b: B(F) } block B(F) { s: Add([a: A(F)], []) } struct N { input: 4, a: A(2) }",
            "block `A` uses itself (A -> B -> A)",
        );
        assert_one("block B(F) { fc: Dense<F> } struct N { input: 4, b: B(2, 3) }", "too many arguments");
        assert_one("block B(F, G) { fc: Dense<F> } struct N { input: 4, b: B(2) }", "needs its `G`");
        assert_one(
            "block B(F, k = 1) { fc: Dense<F> } struct N { input: 4, b: B(2, K = 3) }",
            "did you mean `k`",
        );
        assert_one(
            "block Block(F) { fc: Dense<F> } struct N { input: 4, b: Blok(2) }",
            "did you mean `Block`",
        );
        assert_one("struct N { input: 4, #[frozen] s: Add([a: Dense<4>], []) }", "`#[frozen]` on a merge");
    }

    #[test]
    fn the_input_comes_first() {
        assert_one("struct N { fc: Dense<3> }", "first entry must be `input");
        assert_one("struct N { }", "needs `input: WIDTH`");
        assert_one("struct N<T> { input: 3, fc: Dense<1> }", "no generic parameters");
    }
}
