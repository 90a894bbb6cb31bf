//! What a declaration says about each entry beyond its type.

use crate::phase::PhaseKind;

/// One entry of a `network!` declaration, as the expansion records it:
/// what the summary shows and what the layer's type cannot say (its name,
/// the name its tensors are saved under, whether it is pinned to a phase,
/// its L2 factor, and for a `Concat`/`Add` the entries of its paths).
///
/// ```
/// use typenet::__private::Entry;
/// const FC: Entry = Entry::new("fc1", "Dense<256, Relu>", &[256]).l2(1e-4);
/// assert_eq!((FC.name, FC.saved_as, FC.l2), ("fc1", "fc1", 1e-4));
/// const FIRST: Entry = Entry::new("first", "Conv2d<8, 1>", &[4, 4, 8]).renamed("0");
/// assert_eq!(FIRST.saved_as, "0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    /// The field's name.
    pub name: &'static str,
    /// The name its tensors are saved under (`#[rename = "0"]`), else `name`.
    pub saved_as: &'static str,
    /// The layer as declared, e.g. `Dense<256, Relu>` or `Dropout(0.2)`.
    pub layer: &'static str,
    /// The per-sample output shape.
    pub shape: &'static [usize],
    /// The phase it is pinned to by `#[phase(..)]`, if any.
    pub pinned: Option<PhaseKind>,
    /// The `#[l2(λ)]` factor; 0 without one.
    pub l2: f32,
    /// Whether the summary lists its layers under it (a block's use).
    pub expand: bool,
    /// For a `Concat` or `Add`: the entries of each path.
    pub paths: &'static [&'static [Entry]],
}

impl Entry {
    /// An entry that is neither pinned nor regularised.
    pub const fn new(name: &'static str, layer: &'static str, shape: &'static [usize]) -> Self {
        Entry { name, saved_as: name, layer, shape, pinned: None, l2: 0.0, expand: false, paths: &[] }
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

    /// The entry saved under another name.
    pub const fn renamed(mut self, saved_as: &'static str) -> Self {
        self.saved_as = saved_as;
        self
    }

    /// The entry of a block's use: the summary lists the block's layers.
    pub const fn expanded(mut self) -> Self {
        self.expand = true;
        self
    }

    /// The entry of a merge with these paths.
    pub const fn merging(mut self, paths: &'static [&'static [Entry]]) -> Self {
        self.paths = paths;
        self
    }
}
