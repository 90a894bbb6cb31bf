//! Error collection: every check reports into one place, and all errors
//! are emitted together (as serde_derive's `Ctxt` does).

use proc_macro2::TokenStream;

/// The errors found so far.
#[derive(Default)]
pub struct Errors {
    errors: Vec<syn::Error>,
}

impl Errors {
    /// Records an error.
    pub fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// Records an error spanned on `tokens` (a token, or a tree of them).
    pub fn spanned(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error at `span`.
    pub fn at(&mut self, span: proc_macro2::Span, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// Records the errors of `other` whose message is not among those
    /// recorded from the `since`-th on.
    pub fn extend_new(&mut self, other: Errors, since: usize) {
        for error in other.errors {
            let message = error.to_string();
            if !self.errors[since.min(self.errors.len())..].iter().any(|e| e.to_string() == message) {
                self.errors.push(error);
            }
        }
    }

    /// The first error recorded, if any.
    pub fn into_first(self) -> Option<syn::Error> {
        self.errors.into_iter().next()
    }

    /// How many errors were recorded.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The messages, for tests of the checks.
    #[cfg(test)]
    pub fn messages(&self) -> Vec<String> {
        self.errors.iter().map(|e| e.to_string()).collect()
    }

    /// All errors as `compile_error!` invocations.
    pub fn into_compile_errors(self) -> TokenStream {
        self.errors.into_iter().map(|e| e.to_compile_error()).collect()
    }
}
