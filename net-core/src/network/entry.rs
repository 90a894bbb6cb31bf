//! What a declaration says about each entry beyond its type.

use crate::phase::PhaseKind;

/// One entry of a `network!` declaration, as the expansion records it:
/// what the summary shows and what the layer's type cannot say (its name,
/// whether it is pinned to a phase, its L2 factor).
///
/// ```
/// use typenet::__private::Entry;
/// const FC: Entry = Entry::new("fc1", "Dense<256, Relu>", &[256]).l2(1e-4);
/// assert_eq!((FC.name, FC.l2), ("fc1", 1e-4));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    /// The field's name.
    pub name: &'static str,
    /// The layer as declared, e.g. `Dense<256, Relu>` or `Dropout(0.2)`.
    pub layer: &'static str,
    /// The per-sample output shape.
    pub shape: &'static [usize],
    /// The phase it is pinned to by `#[phase(..)]`, if any.
    pub pinned: Option<PhaseKind>,
    /// The `#[l2(λ)]` factor; 0 without one.
    pub l2: f32,
}

impl Entry {
    /// An entry that is neither pinned nor regularised.
    pub const fn new(name: &'static str, layer: &'static str, shape: &'static [usize]) -> Self {
        Entry { name, layer, shape, pinned: None, l2: 0.0 }
    }

    /// The entry pinned to `phase`.
    pub const fn pinned(mut self, phase: PhaseKind) -> Self {
        self.pinned = Some(phase);
        self
    }

    /// The entry with an L2 kernel penalty of `lambda`.
    pub const fn l2(mut self, lambda: f32) -> Self {
        self.l2 = lambda;
        self
    }
}
