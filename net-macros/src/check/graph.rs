//! Graphs: `Concat`/`Add` over paths of entries, and uses of blocks.
//!
//! A path is checked as a body of its own from the merge's input; its
//! names share the enclosing struct's (they are its fields). A block's
//! use substitutes its arguments for the block's parameters wherever they
//! are written, checks the block's entries from the use's input shape,
//! and becomes a generated network; uses with the same arguments and
//! input share one.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::Ident;

use super::{refuse_on_merge, Body, Checker, EntryAttrs};
use crate::dims::{describe_shape, Dim, Shape};
use crate::ir::{CheckedEntry, EntryKind, LayerUse, MergeKind, Network};
use crate::parse::{args_text, value_text, Arg, Args, BlockDecl, EntryDecl, LayerSpec, Spec, Value};
use crate::suggest::nearest;

impl Checker<'_> {
    /// `Concat([..], [..], ..)` or `Add([..], [..], ..)`.
    pub(super) fn check_merge(
        &mut self,
        entry: &EntryDecl,
        spec: &LayerSpec,
        attrs: EntryAttrs,
        in_shape: &Shape,
        body: &mut Body<'_>,
        known: bool,
    ) -> Option<CheckedEntry> {
        let kind = if spec.name()? == "Concat" { MergeKind::Concat } else { MergeKind::Add };
        let name = kind.name();
        refuse_on_merge(&attrs, self.errors);
        if let Some(angle) = &spec.angle {
            self.errors.at(angle.span, format!("write `{name}([..], [..])`: its paths go in parentheses"));
            return None;
        }
        let Some(args) = &spec.call else {
            self.errors.at(spec.span(), format!("`{name}` needs its paths: `{name}([a: ..], [b: ..])`"));
            return None;
        };
        if args.items.len() < 2 {
            self.errors.at(args.span, format!("`{name}` merges two or more paths: `{name}([..], [..])`"));
            return None;
        }
        let mut paths = Vec::new();
        for arg in &args.items {
            match arg {
                Arg::Positional(Value::Entries(entries, span)) => paths.push((entries.clone(), *span)),
                Arg::Positional(Value::List(items, span)) if items.is_empty() => paths.push((Vec::new(), *span)),
                Arg::Positional(other) => self.errors.at(
                    other.span(),
                    format!("a path of `{name}` is a bracketed list of entries, `[name: Layer, ..]`, or `[]` for the input itself"),
                ),
                Arg::Named(key, _) => self.errors.spanned(key, format!("`{name}` takes paths only, no named options")),
            }
        }
        // Every argument was reported above if one is not a path.
        if paths.len() < args.items.len() {
            return None;
        }
        let mut checked = Vec::new();
        let mut outputs = Vec::new();
        let mut all_known = true;
        for (entries, span) in &paths {
            let (path, out, path_known) = self.check_entries(entries, in_shape.clone(), body, known);
            all_known &= path_known && path.len() == entries.len();
            checked.push(path);
            outputs.push((out, *span));
        }
        if !all_known {
            return None;
        }
        let out_shape = self.merged_shape(kind, &outputs, spec.span(), body)?;
        Some(CheckedEntry {
            name: entry.name.clone(),
            rename: None,
            docs: attrs.docs,
            kind: EntryKind::Merge { kind, paths: checked },
            frozen: None,
            pinned: None,
            l2: None,
            in_shape: in_shape.clone(),
            out_shape,
            span: spec.span(),
        })
    }

    /// The output shape of a merge of paths with these output shapes, or a
    /// compile error naming each path's shape.
    fn merged_shape(
        &mut self,
        kind: MergeKind,
        outputs: &[(Shape, Span)],
        span: Span,
        body: &mut Body<'_>,
    ) -> Option<Shape> {
        let shapes = || {
            let list: Vec<String> = outputs
                .iter()
                .enumerate()
                .map(|(i, (s, _))| format!("path {}: {}", i + 1, describe_shape(s)))
                .collect();
            list.join(", ")
        };
        if let Some((_, span)) = outputs.iter().find(|(s, _)| matches!(s.as_slice(), [Dim::OutputOf(_)])) {
            self.errors.at(
                *span,
                format!("a {} path that ends in a nested network gives a shape the macro cannot see; end the path with a layer, or write the network as a block", kind.name()),
            );
            return None;
        }
        let first = &outputs[0].0;
        let (rank, last) = (first.len(), first.len() - 1);
        let mut assertions = Vec::new();
        let mut compare = |a: &Dim, b: &Dim| -> bool {
            match (a.literal(), b.literal()) {
                (Some(x), Some(y)) => x == y,
                _ if a.same_as(b) => true,
                _ => {
                    assertions.push((a.expr(), b.expr()));
                    true
                }
            }
        };
        // The error goes on the first path that does not fit the first one.
        let misfit = outputs.iter().find(|(shape, _)| {
            !(shape.len() == rank
                && match kind {
                    MergeKind::Concat => shape[..last].iter().zip(&first[..last]).all(|(a, b)| compare(a, b)),
                    MergeKind::Add => shape.iter().zip(first).all(|(a, b)| compare(a, b)),
                })
        });
        let why = match kind {
            MergeKind::Concat => "joins its paths on the last axis: every other axis must agree",
            MergeKind::Add => "sums its paths: every path's output shape must be the same",
        };
        if let Some((_, path)) = misfit {
            self.errors.at(*path, format!("`{}` {why}, but the paths give {}", kind.name(), shapes()));
            return None;
        }
        let message = format!("`{}` {why}, but the paths give {}", kind.name(), shapes());
        for (a, b) in assertions {
            body.items.extend(quote_spanned!(span=> const _: () = ::core::assert!(#a == #b, #message);));
        }
        Some(match kind {
            MergeKind::Add => first.clone(),
            MergeKind::Concat => {
                let channels = outputs.iter().map(|(s, _)| s[last].clone()).reduce(Dim::add)?;
                let mut shape = first[..last].to_vec();
                shape.push(channels);
                shape
            }
        })
    }

    /// `field: Block(args)`: the network generated for this use.
    pub(super) fn check_block_use(
        &mut self,
        block: &BlockDecl,
        spec: &LayerSpec,
        entry: &Ident,
        in_shape: &Shape,
        body: &mut Body<'_>,
        known: bool,
    ) -> Option<(LayerUse, Shape)> {
        let name = block.name.to_string();
        if let Some(angle) = &spec.angle {
            self.errors.at(angle.span, format!("a block takes its arguments in parentheses: `{name}(..)`"));
            return None;
        }
        if self.stack.contains(&name) {
            let chain = format!("{} -> {name}", self.stack.join(" -> "));
            self.errors.at(
                spec.span(),
                format!("block `{name}` uses itself ({chain}): a block cannot contain itself"),
            );
            return None;
        }
        let args = self.bind_block(block, spec.call.as_ref(), spec.span())?;
        if !known {
            return None;
        }
        let written: Vec<String> = args.iter().map(|(p, v)| format!("{p} = {}", value_text(v))).collect();
        let key = format!("{name}({})@{}", written.join(", "), describe_shape(in_shape));
        let declared = match &spec.call {
            Some(call) if !call.items.is_empty() => format!("{name}({})", args_text(&call.items)),
            _ => name.clone(),
        };
        if let Some((ty, out, trainable)) = self.uses.get(&key) {
            return Some((LayerUse::Block { ty: ty.clone(), declared, trainable: *trainable }, out.clone()));
        }
        let entries: Vec<EntryDecl> = block.entries.iter().map(|e| substitute_entry(e, &args)).collect();
        let ty = Ident::new(
            &format!("__{}_{}_{}", self.invocation, name, self.generated.len()),
            block.name.span(),
        );
        self.stack.push(name.clone());
        let vis: syn::Visibility = syn::parse_quote!(pub);
        let mut inner = Body {
            network: &ty,
            vis: &vis,
            seen: Vec::new(),
            const_widths: Vec::new(),
            items: TokenStream::new(),
            input: None,
        };
        let (checked, out, ok) = self.check_entries(&entries, in_shape.clone(), &mut inner, true);
        self.stack.pop();
        if checked.is_empty() && entries.is_empty() {
            self.errors.at(block.body_span, format!("block `{name}` needs at least one entry"));
            return None;
        }
        if !ok || checked.len() != entries.len() || block.failed > 0 {
            return None;
        }
        let (const_widths, items) = (inner.const_widths, inner.items);
        body.const_widths.extend(const_widths.iter().cloned());
        let network = Network {
            attrs: block.docs.clone(),
            vis,
            name: ty.clone(),
            shown_as: declared.clone(),
            generated: true,
            input: in_shape.clone(),
            entries: checked,
            const_widths,
            items,
        };
        let trainable = network.trainable();
        let _ = entry;
        self.uses.insert(key, (ty.clone(), out.clone(), trainable));
        self.generated.push(network);
        Some((LayerUse::Block { ty, declared, trainable }, out))
    }

    /// Binds a use's arguments to the block's parameters: positional ones
    /// in order, then named ones, defaults for the rest.
    fn bind_block(
        &mut self,
        block: &BlockDecl,
        call: Option<&Args>,
        span: Span,
    ) -> Option<Vec<(String, Value)>> {
        let name = &block.name;
        let before = self.errors.len();
        let mut bound: Vec<(String, Option<Value>)> =
            block.params.iter().map(|(p, default)| (p.to_string(), default.clone())).collect();
        let mut given = vec![false; bound.len()];
        let items = call.map(|c| c.items.as_slice()).unwrap_or_default();
        let mut position = 0;
        for arg in items {
            match arg {
                Arg::Positional(value) => {
                    if position >= bound.len() {
                        self.errors.at(
                            value.span(),
                            format!("too many arguments: block `{name}` takes {}", usage(block)),
                        );
                    } else {
                        bound[position].1 = Some(value.clone());
                        given[position] = true;
                    }
                    position += 1;
                }
                Arg::Named(key, value) => match bound.iter().position(|(p, _)| key == p) {
                    Some(i) if given[i] => self.errors.spanned(key, format!("`{key}` is given twice")),
                    Some(i) => {
                        bound[i].1 = Some(value.clone());
                        given[i] = true;
                    }
                    None => {
                        let names: Vec<&str> = bound.iter().map(|(p, _)| p.as_str()).collect();
                        let hint = nearest(&key.to_string(), &names)
                            .map(|n| format!("; did you mean `{n}`?"))
                            .unwrap_or_default();
                        self.errors.spanned(
                            key,
                            format!(
                                "unknown parameter `{key}` of block `{name}`{hint} (it takes {})",
                                usage(block)
                            ),
                        );
                    }
                },
            }
        }
        for (param, value) in &bound {
            if value.is_none() && self.errors.len() == before {
                let at = call.map_or(span, |c| c.span);
                self.errors.at(at, format!("block `{name}` needs its `{param}`: it takes {}", usage(block)));
            }
        }
        if self.errors.len() != before {
            return None;
        }
        Some(bound.into_iter().filter_map(|(p, v)| Some((p, v?))).collect())
    }
}

/// `(F, K, stride = 1)`, for messages.
fn usage(block: &BlockDecl) -> String {
    let params: Vec<String> = block
        .params
        .iter()
        .map(|(p, default)| match default {
            Some(v) => format!("{p} = {}", value_text(v)),
            None => p.to_string(),
        })
        .collect();
    format!("({})", params.join(", "))
}

/// The entry with every parameter of the block replaced by its argument.
fn substitute_entry(entry: &EntryDecl, args: &[(String, Value)]) -> EntryDecl {
    let spec = match &entry.spec {
        Spec::Layer(spec) => Spec::Layer(substitute_spec(spec, args)),
        Spec::Shape(dims, span) => Spec::Shape(dims.iter().map(|v| substitute(v, args)).collect(), *span),
    };
    EntryDecl { attrs: entry.attrs.clone(), name: entry.name.clone(), spec }
}

fn substitute_spec(spec: &LayerSpec, args: &[(String, Value)]) -> LayerSpec {
    let list = |a: &Option<Args>| {
        a.as_ref().map(|a| Args {
            span: a.span,
            items: a
                .items
                .iter()
                .map(|arg| match arg {
                    Arg::Positional(v) => Arg::Positional(substitute(v, args)),
                    Arg::Named(k, v) => Arg::Named(k.clone(), substitute(v, args)),
                })
                .collect(),
        })
    };
    LayerSpec { path: spec.path.clone(), angle: list(&spec.angle), call: list(&spec.call) }
}

fn substitute(value: &Value, args: &[(String, Value)]) -> Value {
    match value {
        Value::Path(path) => match path.get_ident().and_then(|id| args.iter().find(|(p, _)| id == p)) {
            Some((_, arg)) => arg.clone(),
            None => value.clone(),
        },
        Value::List(items, span) => Value::List(items.iter().map(|v| substitute(v, args)).collect(), *span),
        Value::Tuple(items, span) => Value::Tuple(items.iter().map(|v| substitute(v, args)).collect(), *span),
        Value::Layer(spec) => Value::Layer(Box::new(substitute_spec(spec, args))),
        Value::Entries(entries, span) => {
            Value::Entries(entries.iter().map(|e| substitute_entry(e, args)).collect(), *span)
        }
        other => other.clone(),
    }
}
