//! `include_weights!(Net, "weights.safetensors")`: reads the file while the
//! user's crate compiles and expands to the network built from `static`
//! arrays, so the program parses nothing and opens no file at run time.
//!
//! What the macro can check alone (the file reads, every tensor is a finite
//! F32) is reported here on the path literal, naming the tensor. What needs
//! the network's type (which layers hold how many values) is a `const`
//! check the expansion hands to the compiler: `check_baked`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token, Type};

use crate::errors::Errors;

/// `Net, "path"`.
struct Input {
    network: Type,
    path: LitStr,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let network = input.parse()?;
        input.parse::<Token![,]>()?;
        let path = input.parse()?;
        input.parse::<Option<Token![,]>>()?;
        Ok(Input { network, path })
    }
}

/// One tensor as read from the file.
struct Tensor {
    name: String,
    shape: Vec<usize>,
    values: Vec<f32>,
}

/// The expansion of `include_weights!`, or its errors.
pub fn expand(input: TokenStream) -> TokenStream {
    let Input { network, path } = match syn::parse2::<Input>(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let (full_path, tensors) = read(&path, &mut errors);
    if !errors.is_empty() {
        return errors.into_compile_errors();
    }

    let p = quote!(::typenet::__private);
    let full_path = full_path.to_string_lossy().into_owned();
    let file_tensors = tensors.iter().map(|t| {
        let (name, count) = (&t.name, t.values.len());
        quote!(#p::FileTensor::new(#name, #count))
    });
    let baked_tensors = tensors.iter().map(|t| {
        let name = &t.name;
        let shape = &t.shape;
        let values = t.values.iter().map(|v| Literal::f32_suffixed(*v));
        quote!(#p::BakedTensor::new(#name, &[#(#shape),*], &[#(#values),*]))
    });
    let count = tensors.len();
    quote! {{
        // Recompiles the user's crate when the file changes.
        const _: &[u8] = ::core::include_bytes!(#full_path);
        const _: () = #p::check_baked::<#network>(&[#(#file_tensors),*]);
        static TENSORS: [#p::BakedTensor; #count] = [#(#baked_tensors),*];
        #p::baked::<#network>(&TENSORS)
    }}
}

/// The file's path and its float tensors sorted by name; PyTorch's integer
/// `num_batches_tracked` counters are left out, as `load` does.
fn read(path: &LitStr, errors: &mut Errors) -> (std::path::PathBuf, Vec<Tensor>) {
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from).unwrap_or_default();
    let full_path = base.join(path.value());
    let bytes = match std::fs::read(&full_path) {
        Ok(bytes) => bytes,
        Err(error) => {
            errors.spanned(path, format!("cannot read `{}`: {error}", full_path.display()));
            return (full_path, Vec::new());
        }
    };
    let file = match safetensors::SafeTensors::deserialize(&bytes) {
        Ok(file) => file,
        Err(error) => {
            errors.spanned(path, format!("`{}` is not a readable safetensors file: {error}", path.value()));
            return (full_path, Vec::new());
        }
    };
    let mut tensors = Vec::new();
    let mut entries = file.tensors();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, view) in entries {
        if view.dtype() != safetensors::Dtype::F32 {
            if !name.ends_with("num_batches_tracked") {
                errors.spanned(
                    path,
                    format!("tensor `{name}` is {:?}; include_weights! takes F32 tensors", view.dtype()),
                );
            }
            continue;
        }
        let values: Vec<f32> =
            view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            errors.spanned(
                path,
                format!("tensor `{name}` holds {} at index {index}: weights must be finite", values[index]),
            );
            continue;
        }
        tensors.push(Tensor { name, shape: view.shape().to_vec(), values });
    }
    (full_path, tensors)
}
