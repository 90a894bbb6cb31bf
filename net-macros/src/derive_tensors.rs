//! `#[derive(Tensors)]`: a layer's tensors described once, on the fields
//! that hold them, and everything net-core needs of them generated from
//! that (names, shapes and memory order for saving and loading, the blocks
//! optimisers pair with gradients, the kernels `#[l2]` covers, the counts).
//!
//! Parse (the attributes into [`FieldTensors`]) -> expand, like the
//! `network!` macro; every mistake is an error on its token.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Expr, Fields, Ident, LitStr, Token};

use crate::errors::Errors;

/// One tensor a field holds, from `#[param("name", ..)]` or `#[state(..)]`.
struct TensorAttr {
    name: LitStr,
    trained: bool,
    shape: Expr,
    axes: Option<Expr>,
    kernel: bool,
    non_negative: bool,
    when: Option<Expr>,
    role: Option<Role>,
}

/// What `weights()` or `bias()` returns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Weights,
    Bias,
}

/// What a field holds.
enum FieldTensors {
    /// Tensors back to back in its storage.
    Own(Vec<TensorAttr>),
    /// Another layer, whose tensors are this layer's, names suffixed.
    Layer { suffix: Option<LitStr> },
}

struct Field {
    member: syn::Member,
    ty: syn::Type,
    tensors: FieldTensors,
    span: Span,
}

/// The derive's entry point: errors, all of them, or the implementation.
pub fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(err) => return err.to_compile_error(),
    };
    let mut errors = Errors::default();
    let krate = crate_path(&input, &mut errors);
    let fields = fields(&input, &mut errors);
    if !errors.is_empty() {
        return errors.into_compile_errors();
    }
    expand(&input, &krate, &fields)
}

/// `#[tensors(crate = path)]`, or `::typenet`.
fn crate_path(input: &DeriveInput, errors: &mut Errors) -> TokenStream {
    let mut krate = quote!(::typenet);
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("tensors")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let path: syn::Path = meta.value()?.parse()?;
                krate = quote!(#path);
                Ok(())
            } else {
                Err(meta.error("expected `crate = path`"))
            }
        });
        if let Err(err) = parsed {
            errors.push(err);
        }
    }
    krate
}

fn fields(input: &DeriveInput, errors: &mut Errors) -> Vec<Field> {
    let named = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => named.named.iter().collect::<Vec<_>>(),
            Fields::Unnamed(unnamed) => unnamed.unnamed.iter().collect(),
            Fields::Unit => Vec::new(),
        },
        _ => {
            errors.spanned(&input.ident, "`Tensors` is derived for structs (a layer and its fields)");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (index, field) in named.into_iter().enumerate() {
        let member = match &field.ident {
            Some(ident) => syn::Member::Named(ident.clone()),
            None => syn::Member::Unnamed(syn::Index { index: index as u32, span: field.span() }),
        };
        let mut own = Vec::new();
        let mut layer = None;
        for attr in &field.attrs {
            let path = attr.path();
            if path.is_ident("param") || path.is_ident("state") {
                match attr.parse_args_with(|input: ParseStream| parse_tensor(input, path.is_ident("param"))) {
                    Ok(tensor) => own.push(tensor),
                    Err(err) => errors.push(err),
                }
            } else if path.is_ident("tensors") {
                let mut suffix = None;
                if !matches!(attr.meta, syn::Meta::Path(_)) {
                    let parsed = attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("suffix") {
                            suffix = Some(meta.value()?.parse::<LitStr>()?);
                            Ok(())
                        } else {
                            Err(meta.error("expected `#[tensors]` or `#[tensors(suffix = \"..\")]`"))
                        }
                    });
                    if let Err(err) = parsed {
                        errors.push(err);
                    }
                }
                layer = Some((suffix, attr.span()));
            }
        }
        let tensors = match (own.is_empty(), layer) {
            (true, None) => continue,
            (false, None) => {
                let trained = own[0].trained;
                if own.iter().any(|t| t.trained != trained) {
                    errors.spanned(
                        field,
                        "a field holds either parameters (`#[param]`) or state (`#[state]`), not both: an optimiser updates a field's values together",
                    );
                }
                FieldTensors::Own(own)
            }
            (true, Some((suffix, _))) => FieldTensors::Layer { suffix },
            (false, Some((_, span))) => {
                errors.at(span, "`#[tensors]` marks a field holding another layer; it takes no `#[param]`");
                continue;
            }
        };
        out.push(Field { member, ty: field.ty.clone(), tensors, span: field.span() });
    }
    let roles = |role: Role| {
        out.iter()
            .filter_map(|f| match &f.tensors {
                FieldTensors::Own(tensors) => Some(tensors.iter().filter(move |t| t.role == Some(role))),
                FieldTensors::Layer { .. } => None,
            })
            .flatten()
            .count()
    };
    if roles(Role::Weights) > 1 || roles(Role::Bias) > 1 {
        errors.spanned(&input.ident, "at most one tensor is `weights` and one is `bias`");
    } else if roles(Role::Bias) == 1 && roles(Role::Weights) == 0 {
        errors.spanned(&input.ident, "a `bias` tensor needs a `weights` tensor beside it");
    }
    out
}

/// `"name", shape = [..], axes = [..], kernel, range = NonNegative, when = EXPR, weights | bias`.
fn parse_tensor(input: ParseStream, trained: bool) -> syn::Result<TensorAttr> {
    let name: LitStr = input.parse()?;
    let mut tensor = TensorAttr {
        name,
        trained,
        shape: syn::parse_quote!([]),
        axes: None,
        kernel: false,
        non_negative: false,
        when: None,
        role: None,
    };
    let mut shape_seen = false;
    while !input.is_empty() {
        input.parse::<Token![,]>()?;
        if input.is_empty() {
            break;
        }
        let key: Ident = input.parse()?;
        let key_text = key.to_string();
        match key_text.as_str() {
            "shape" | "axes" | "when" | "range" => {
                input.parse::<Token![=]>()?;
                let value: Expr = input.parse()?;
                match key_text.as_str() {
                    "shape" => {
                        tensor.shape = value;
                        shape_seen = true;
                    }
                    "axes" => tensor.axes = Some(value),
                    "when" => tensor.when = Some(value),
                    _ => match &value {
                        Expr::Path(p) if p.path.is_ident("NonNegative") => tensor.non_negative = true,
                        Expr::Path(p) if p.path.is_ident("Finite") => tensor.non_negative = false,
                        _ => return Err(syn::Error::new(value.span(), "expected `Finite` or `NonNegative`")),
                    },
                }
            }
            "kernel" if trained => tensor.kernel = true,
            "weights" if trained => tensor.role = Some(Role::Weights),
            "bias" if trained => tensor.role = Some(Role::Bias),
            _ => {
                let expected = if trained {
                    "`shape`, `axes`, `when`, `range`, `kernel`, `weights` or `bias`"
                } else {
                    "`shape`, `axes`, `when` or `range` (state is not trained: no `kernel`, `weights`, `bias`)"
                };
                return Err(syn::Error::new(
                    key.span(),
                    format!("unknown tensor attribute `{key}`: expected {expected}"),
                ));
            }
        }
    }
    if !shape_seen {
        return Err(syn::Error::new(tensor.name.span(), "a tensor needs its PyTorch shape: `shape = [..]`"));
    }
    Ok(tensor)
}

/// A shape or axes attribute as a `&[usize]` expression.
fn slice_expr(expr: &Expr) -> TokenStream {
    match expr {
        Expr::Array(_) => quote!(&#expr),
        other => quote!(#other),
    }
}

fn expand(input: &DeriveInput, krate: &TokenStream, fields: &[Field]) -> TokenStream {
    let layers = quote!(#krate::layers);
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let mut params = Vec::new();
    let mut states = Vec::new();
    let mut has_kernel = Vec::new();
    let mut blocks = Vec::new();
    let mut checks = Vec::new();
    let mut visit = Vec::new();
    let mut visit_mut = Vec::new();
    let mut visit_params = Vec::new();
    let mut visit_kernels = Vec::new();
    // The parameter blocks before the current field, as an expression.
    let mut block_index = quote!(0usize);
    for field in fields {
        let (member, ty) = (&field.member, &field.ty);
        match &field.tensors {
            FieldTensors::Layer { suffix } => {
                params.push(quote!(<#ty as #layers::Tensors>::PARAMS));
                states.push(quote!(<#ty as #layers::Tensors>::STATE_VALUES));
                has_kernel.push(quote!(<#ty as #layers::Tensors>::HAS_KERNEL));
                blocks.push(quote!(<#ty as #layers::Tensors>::PARAMETER_BLOCKS));
                let (on_ref, on_mut) = match suffix {
                    None => (quote!(f), quote!(f)),
                    Some(suffix) => (
                        quote!(&mut |name: &str, t| f(&#krate::__private::format!("{name}{}", #suffix), t)),
                        quote!(&mut |name: &str, t| f(&#krate::__private::format!("{name}{}", #suffix), t)),
                    ),
                };
                visit.push(quote!(#layers::Tensors::visit_tensors(&self.#member, prefix, #on_ref);));
                visit_mut
                    .push(quote!(#layers::Tensors::visit_tensors_mut(&mut self.#member, prefix, #on_mut);));
                visit_params.push(quote!(#layers::Tensors::visit_parameters(&mut self.#member, f);));
                let first = block_index.clone();
                visit_kernels.push(quote!(
                    #layers::Tensors::visit_kernels(&self.#member, &mut |block, offset, values| {
                        f(#first + block, offset, values)
                    });
                ));
                block_index = quote!(#block_index + <#ty as #layers::Tensors>::PARAMETER_BLOCKS);
            }
            FieldTensors::Own(tensors) => {
                let trained = tensors[0].trained;
                let mut described = Vec::new();
                let mut refs = Vec::new();
                let mut muts = Vec::new();
                let mut kernels = Vec::new();
                for tensor in tensors {
                    let shape = slice_expr(&tensor.shape);
                    let axes = match &tensor.axes {
                        Some(axes) => slice_expr(axes),
                        None => quote!(#layers::identity_axes((#shape).len())),
                    };
                    let when = tensor.when.as_ref().map_or_else(|| quote!(true), |w| quote!((#w)));
                    let len = quote!(if #when { #layers::shape_len(#shape) } else { 0 });
                    described.push(len.clone());
                    let name = &tensor.name;
                    let kind = if trained { quote!(Parameter) } else { quote!(State) };
                    let range = if tensor.non_negative { quote!(NonNegative) } else { quote!(Finite) };
                    let fields = quote!(
                        shape: #shape,
                        memory_axes: #axes,
                        kind: #layers::TensorKind::#kind,
                        range: #layers::ValueRange::#range,
                    );
                    refs.push(quote!(
                        let len = #len;
                        let (data, rest) = values.split_at(len);
                        values = rest;
                        if #when {
                            f(&#krate::__private::format!("{prefix}{}", #name), #layers::TensorRef { data, #fields });
                        }
                    ));
                    muts.push(quote!(
                        let len = #len;
                        let (data, rest) = ::core::mem::take(&mut values).split_at_mut(len);
                        values = rest;
                        if #when {
                            f(&#krate::__private::format!("{prefix}{}", #name), #layers::TensorMut { data, #fields });
                        }
                    ));
                    if tensor.kernel {
                        let block = block_index.clone();
                        kernels.push(quote!(
                            let len = #len;
                            if #when {
                                f(#block, offset, &values[offset..offset + len]);
                            }
                            offset += len;
                        ));
                    } else {
                        kernels.push(quote!(offset += #len;));
                    }
                    if trained {
                        params.push(len);
                        if tensor.kernel {
                            has_kernel.push(when);
                        }
                    } else {
                        states.push(len);
                    }
                }
                let message = format!(
                    "the #[param]/#[state] attributes of `{}::{}` describe another number of values than the field holds",
                    ident,
                    quote!(#member)
                );
                checks.push(quote_spanned!(field.span=>
                    #layers::check_block(0 #(+ #described)*, <#ty as #layers::TensorStorage>::LEN, #message);
                ));
                visit.push(quote!({
                    let mut values = #layers::TensorStorage::values(&self.#member);
                    #(#refs)*
                    let _ = values;
                }));
                visit_mut.push(quote!({
                    let mut values = #layers::TensorStorage::values_mut(&mut self.#member);
                    #(#muts)*
                    let _ = values;
                }));
                if trained {
                    blocks.push(quote!(1));
                    visit_params.push(quote!(f(#layers::TensorStorage::values_mut(&mut self.#member));));
                    if tensors.iter().any(|t| t.kernel) {
                        visit_kernels.push(quote!({
                            let values = #layers::TensorStorage::values(&self.#member);
                            let mut offset = 0usize;
                            #(#kernels)*
                            let _ = offset;
                        }));
                    }
                    block_index = quote!(#block_index + 1);
                }
            }
        }
    }
    let parameterized = parameterized(input, krate, fields);
    quote! {
        impl #impl_generics #layers::Tensors for #ident #ty_generics #where_clause {
            const PARAMS: usize = {
                #(#checks)*
                0 #(+ #params)*
            };
            const STATE_VALUES: usize = 0 #(+ #states)*;
            const HAS_KERNEL: bool = false #(|| #has_kernel)*;
            const PARAMETER_BLOCKS: usize = 0 #(+ #blocks)*;

            #[allow(unused_variables, unused_mut)]
            fn visit_tensors(&self, prefix: &str, f: &mut dyn FnMut(&str, #layers::TensorRef<'_>)) {
                let _ = Self::PARAMS;
                #(#visit)*
            }

            #[allow(unused_variables, unused_mut)]
            fn visit_tensors_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, #layers::TensorMut<'_>)) {
                #(#visit_mut)*
            }

            #[allow(unused_variables)]
            fn visit_parameters(&mut self, f: &mut dyn FnMut(&mut [f32])) {
                #(#visit_params)*
            }

            #[allow(unused_variables)]
            fn visit_kernels(&self, f: &mut dyn FnMut(usize, usize, &[f32])) {
                #(#visit_kernels)*
            }
        }
        #parameterized
    }
}

/// `Parameterized` from the tensors marked `weights` and `bias`.
fn parameterized(input: &DeriveInput, krate: &TokenStream, fields: &[Field]) -> TokenStream {
    let find = |role: Role| {
        fields.iter().find(|field| {
            matches!(&field.tensors, FieldTensors::Own(tensors) if tensors.iter().any(|t| t.role == Some(role)))
        })
    };
    let Some(weights) = find(Role::Weights) else {
        return TokenStream::new();
    };
    let layers = quote!(#krate::layers);
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (w_member, w_ty) = (&weights.member, &weights.ty);
    let (bias_ty, bias_ref, bias_mut) = match find(Role::Bias) {
        Some(bias) => {
            let (member, ty) = (&bias.member, &bias.ty);
            (quote!(<#ty as ::core::ops::Deref>::Target), quote!(&self.#member), quote!(&mut self.#member))
        }
        // `NoBias` holds nothing: a leaked box of it allocates nothing.
        None => (
            quote!(#layers::NoBias),
            quote!(&#layers::NoBias),
            quote!(#krate::__private::Box::leak(#krate::__private::Box::new(#layers::NoBias))),
        ),
    };
    let params_mut = quote!((&mut self.#w_member, #bias_mut));
    quote! {
        impl #impl_generics #layers::Parameterized for #ident #ty_generics #where_clause {
            type Weights = <#w_ty as ::core::ops::Deref>::Target;
            type Bias = #bias_ty;
            fn parameters(&self) -> (&Self::Weights, &Self::Bias) {
                (&self.#w_member, #bias_ref)
            }
            fn parameters_mut(&mut self) -> (&mut Self::Weights, &mut Self::Bias) {
                #params_mut
            }
        }
    }
}

/// Helpers for tests of the derive.
#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(source: &str) -> String {
        derive(source.parse().expect("tokens")).to_string()
    }

    #[test]
    fn mistakes_are_errors_not_panics() {
        for source in [
            "struct A { #[param(\"w\")] w: X }",
            "struct A { #[param(w, shape = [1])] w: X }",
            "struct A { #[param(\"w\", shape = [1], colour = 3)] w: X }",
            "struct A { #[state(\"w\", shape = [1], kernel)] w: X }",
            "struct A { #[param(\"w\", shape = [1])] #[state(\"v\", shape = [1])] w: X }",
            "enum A { B }",
            "struct A { #[tensors] #[param(\"w\", shape = [1])] w: X }",
            "struct A { #[param(\"b\", shape = [1], bias)] w: X }",
        ] {
            assert!(expand_str(source).contains("compile_error"), "{source}");
        }
    }

    #[test]
    fn a_layer_without_tensors_gets_an_empty_description() {
        let out = expand_str("struct Halve;");
        assert!(out.contains("const PARAMETER_BLOCKS : usize = 0 ;"), "{out}");
        assert!(!out.contains("Parameterized"), "{out}");
    }
}
