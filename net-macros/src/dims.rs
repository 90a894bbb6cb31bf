//! Widths and shapes as the expansion needs them: literals the macro
//! checks itself, or expressions of `const` items and nested networks'
//! sizes that the compiler works out.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::parse::path_text;

/// The largest number of values one width, shape or tensor may hold: the
/// most `f32`s an allocation can have (`isize::MAX` bytes).
pub const MAX_VALUES: u128 = (isize::MAX as u128) / 4;

/// A width or one axis of a shape, as the expansion needs it.
#[derive(Clone, Debug)]
pub enum Dim {
    /// An integer literal.
    Lit(u64),
    /// A `const` item.
    Const(syn::Path),
    /// The output of a custom layer or nested network, whose shape only
    /// the compiler knows: as the one entry of a shape it stands for that
    /// whole shape, flat or not; as a width, for its number of values.
    OutputOf(syn::Path),
    /// The same number of values, known to be flat (after a `Flatten`).
    FlatOf(syn::Path),
    /// One axis of a nested network's output shape (`Layer::OUTPUT_SHAPE`).
    AxisOf(syn::Path, usize),
    /// The last axis of a nested network's output shape (its channels).
    LastAxisOf(syn::Path),
    /// Arithmetic on other dims (flattened shapes, convolution output sizes).
    Op(Op, Box<Dim>, Box<Dim>),
}

/// An operation of [`Dim::Op`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Dim {
    /// `a * b`.
    pub fn mul(a: Dim, b: Dim) -> Dim {
        match (a.literal(), b.literal()) {
            (Some(1), _) => b,
            (_, Some(1)) => a,
            _ => Dim::Op(Op::Mul, Box::new(a), Box::new(b)),
        }
    }

    /// The product of a shape's dims (1 for none).
    pub fn product(dims: &[Dim]) -> Dim {
        let mut iter = dims.iter().cloned();
        let first = iter.next().unwrap_or(Dim::Lit(1));
        iter.fold(first, Dim::mul)
    }

    /// The value when every part is a literal and the arithmetic stays
    /// within [`MAX_VALUES`] (no overflow, no negative or fractional step).
    pub fn literal(&self) -> Option<u64> {
        match self {
            Dim::Lit(v) => Some(*v),
            Dim::Op(op, a, b) => {
                let (a, b) = (a.literal()? as u128, b.literal()? as u128);
                let value = match op {
                    Op::Add => a.checked_add(b)?,
                    Op::Sub => a.checked_sub(b)?,
                    Op::Mul => a.checked_mul(b)?,
                    Op::Div => a.checked_div(b)?,
                };
                (value <= MAX_VALUES).then_some(value as u64)
            }
            Dim::Const(_) | Dim::OutputOf(_) | Dim::FlatOf(_) | Dim::AxisOf(..) | Dim::LastAxisOf(_) => None,
        }
    }

    /// This width as the one entry of a flat shape: a nested network's
    /// output, whatever its shape, becomes its flat number of values.
    pub fn flat(self) -> Dim {
        match self {
            Dim::OutputOf(path) => Dim::FlatOf(path),
            other => other,
        }
    }

    /// `a + b`.
    pub fn add(a: Dim, b: Dim) -> Dim {
        // Identities keep expansions of `const` dims readable.
        match (a.literal(), b.literal()) {
            (Some(0), _) => b,
            (_, Some(0)) => a,
            _ => Dim::Op(Op::Add, Box::new(a), Box::new(b)),
        }
    }

    /// `a - b` (the caller checks it cannot go below zero).
    pub fn sub(a: Dim, b: Dim) -> Dim {
        // Identities keep expansions of `const` dims readable.
        match (a.literal(), b.literal()) {
            (_, Some(0)) => a,
            _ => Dim::Op(Op::Sub, Box::new(a), Box::new(b)),
        }
    }

    /// `a / b`, rounded down.
    pub fn div(a: Dim, b: Dim) -> Dim {
        // Identities keep expansions of `const` dims readable.
        match (a.literal(), b.literal()) {
            (_, Some(1)) => a,
            _ => Dim::Op(Op::Div, Box::new(a), Box::new(b)),
        }
    }

    /// Whether every part is a literal (the value may still overflow).
    pub fn is_literal(&self) -> bool {
        match self {
            Dim::Lit(_) => true,
            Dim::Op(_, a, b) => a.is_literal() && b.is_literal(),
            Dim::Const(_) | Dim::OutputOf(_) | Dim::FlatOf(_) | Dim::AxisOf(..) | Dim::LastAxisOf(_) => false,
        }
    }

    /// How messages and the summary name it.
    pub fn describe(&self) -> String {
        if let Some(v) = self.literal() {
            return v.to_string();
        }
        match self {
            Dim::Lit(v) => v.to_string(),
            Dim::Const(path) => path_text(path),
            Dim::OutputOf(path) | Dim::FlatOf(path) => format!("{}::OUTPUT", path_text(path)),
            Dim::AxisOf(path, axis) => format!("{}::OUTPUT_SHAPE[{axis}]", path_text(path)),
            Dim::LastAxisOf(path) => format!("{}'s channels", path_text(path)),
            Dim::Op(op, a, b) => {
                let symbol = match op {
                    Op::Add => "+",
                    Op::Sub => "-",
                    Op::Mul => "*",
                    Op::Div => "/",
                };
                format!("({} {symbol} {})", a.describe(), b.describe())
            }
        }
    }

    /// A `usize` expression usable in constant contexts.
    pub fn expr(&self) -> TokenStream {
        if let Some(v) = self.literal() {
            let lit = Literal::usize_unsuffixed(v as usize);
            return quote!(#lit);
        }
        match self {
            Dim::Lit(v) => {
                let lit = Literal::u64_unsuffixed(*v);
                quote!(#lit)
            }
            Dim::Const(path) => quote!(#path),
            Dim::OutputOf(path) | Dim::FlatOf(path) => quote!(<#path as ::typenet::__private::Layer>::OUTPUT),
            Dim::AxisOf(path, axis) => quote!(<#path as ::typenet::__private::Layer>::OUTPUT_SHAPE[#axis]),
            Dim::LastAxisOf(path) => quote!({
                let shape = <#path as ::typenet::__private::Layer>::OUTPUT_SHAPE;
                shape[shape.len() - 1]
            }),
            Dim::Op(op, a, b) => {
                let (a, b) = (a.expr(), b.expr());
                match op {
                    Op::Add => quote!((#a + #b)),
                    Op::Sub => quote!((#a - #b)),
                    Op::Mul => quote!((#a * #b)),
                    Op::Div => quote!((#a / #b)),
                }
            }
        }
    }

    /// The dim as a const generic argument (braced unless a literal).
    pub fn arg(&self) -> TokenStream {
        match self.literal() {
            Some(v) => {
                let lit = Literal::usize_unsuffixed(v as usize);
                quote!(#lit)
            }
            None => {
                let expr = self.expr();
                quote!({ #expr })
            }
        }
    }

    /// Whether two dims are the same, as far as the macro can tell.
    pub fn same_as(&self, other: &Dim) -> bool {
        match (self.literal(), other.literal()) {
            (Some(a), Some(b)) => a == b,
            _ => match (self, other) {
                (Dim::Const(a), Dim::Const(b)) => path_text(a) == path_text(b),
                _ => false,
            },
        }
    }
}

/// A per-sample shape: one dim per axis, the batch axis excluded.
pub type Shape = Vec<Dim>;

/// `[6, 6, 16]`, for messages.
pub fn describe_shape(shape: &Shape) -> String {
    let dims: Vec<String> = shape.iter().map(Dim::describe).collect();
    format!("[{}]", dims.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_arithmetic_is_checked() {
        let big = Dim::mul(Dim::Lit(u64::MAX), Dim::Lit(2));
        assert_eq!(big.literal(), None);
        assert!(big.is_literal());
        let out = Dim::Op(
            Op::Div,
            Box::new(Dim::Op(Op::Sub, Box::new(Dim::Lit(8)), Box::new(Dim::Lit(3)))),
            Box::new(Dim::Lit(2)),
        );
        assert_eq!(out.literal(), Some(2));
        assert_eq!(Dim::Op(Op::Sub, Box::new(Dim::Lit(1)), Box::new(Dim::Lit(3))).literal(), None);
    }

    #[test]
    fn symbolic_dims_expand_to_constant_expressions() {
        let path: syn::Path = syn::parse_quote!(HIDDEN);
        let dim = Dim::mul(Dim::Const(path), Dim::Lit(4));
        assert_eq!(dim.arg().to_string(), "{ (HIDDEN * 4) }");
        assert_eq!(dim.describe(), "(HIDDEN * 4)");
    }
}
