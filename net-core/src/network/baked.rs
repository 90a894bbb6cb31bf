//! Networks whose weights were read when the user's crate compiled
//! (`include_weights!`): the check that runs at compile time against the
//! network's type, and the construction from values in read-only memory.

use super::chain::{Chain, RECORDED_FIELDS};
use super::const_text::ConstText;
use super::{field_entry, NetworkDef};
use crate::layers::tensors::memory_to_torch;
use crate::layers::Tensors;

/// A tensor of a weights file as `include_weights!` saw it: its name and
/// how many values it holds (what the compile-time check compares).
#[derive(Clone, Copy, Debug)]
pub struct FileTensor {
    /// PyTorch-style name, e.g. `fc1.weight`.
    pub name: &'static str,
    /// Number of values.
    pub values: usize,
}

impl FileTensor {
    /// The tensor `name` of `values` values.
    pub const fn new(name: &'static str, values: usize) -> Self {
        FileTensor { name, values }
    }
}

/// A tensor baked into the program: name, PyTorch shape, and values in
/// PyTorch's row-major order, all in read-only memory.
#[derive(Clone, Copy, Debug)]
pub struct BakedTensor {
    /// PyTorch-style name, e.g. `fc1.weight`.
    pub name: &'static str,
    /// PyTorch's shape.
    pub shape: &'static [usize],
    /// The values, row-major over `shape`.
    pub values: &'static [f32],
}

impl BakedTensor {
    /// The tensor `name` of `shape` holding `values`.
    pub const fn new(name: &'static str, shape: &'static [usize], values: &'static [f32]) -> Self {
        BakedTensor { name, shape, values }
    }
}

/// Whether `name` is `prefix` followed by a dot and more.
const fn is_under(name: &str, prefix: &str) -> bool {
    let (name, prefix) = (name.as_bytes(), prefix.as_bytes());
    if name.len() <= prefix.len() + 1 || name[prefix.len()] != b'.' {
        return false;
    }
    let mut at = 0;
    while at < prefix.len() {
        if name[at] != prefix[at] {
            return false;
        }
        at += 1;
    }
    true
}

/// Fails when the code compiles unless the tensors of a weights file fit
/// network `N`: every tensor belongs to one of its layers with tensors, and
/// each such layer's tensors in the file hold as many values as the layer.
/// Names and shapes within a layer are checked again, exactly, by
/// [`baked`].
pub const fn check_baked<N: NetworkDef>(file: &[FileTensor]) {
    let fields = <N::Layers as Chain>::FIELDS as usize;
    if fields > RECORDED_FIELDS {
        return;
    }
    let layer_values = <N::Layers as Chain>::FIELD_VALUES;

    let mut tensor = 0;
    while tensor < file.len() {
        let name = file[tensor].name;
        let mut field = 0;
        let mut owned = false;
        while field < fields {
            if let Ok(entry) = field_entry(N::ENTRIES, field) {
                if layer_values[field] > 0 && is_under(name, entry.saved_as) {
                    owned = true;
                }
            }
            field += 1;
        }
        if !owned {
            let text = ConstText::new()
                .push("include_weights!: the file's tensor `")
                .push(name)
                .push("` is not a tensor of `")
                .push(N::NAME)
                .push("` (no layer with tensors of that name)");
            panic!("{}", text.as_str());
        }
        tensor += 1;
    }

    let mut field = 0;
    while field < fields {
        let entry = match field_entry(N::ENTRIES, field) {
            Ok(entry) => entry,
            Err(_) => return,
        };
        let wanted = layer_values[field];
        let mut found = 0;
        let mut listed = ConstText::new();
        let mut tensor = 0;
        while tensor < file.len() {
            if is_under(file[tensor].name, entry.saved_as) {
                found += file[tensor].values;
                listed = listed.push(if found == file[tensor].values { "`" } else { ", `" });
                listed =
                    listed.push(file[tensor].name).push("` (").push_number(file[tensor].values).push(")");
            }
            tensor += 1;
        }
        if wanted > 0 && found != wanted {
            let text = ConstText::new()
                .push("include_weights!: layer `")
                .push(N::NAME)
                .push(".")
                .push(entry.name)
                .push("` holds ")
                .push_number(wanted)
                .push(" values, ");
            let text = if found == 0 {
                text.push("but the file has no tensor `").push(entry.saved_as).push(".*`")
            } else {
                text.push("the file's tensors hold ").push_number(found).push(": ").push(listed.as_str())
            };
            panic!("{}", text.as_str());
        }
        field += 1;
    }
}

/// Network `N` holding the baked `tensors`: no file, no parsing, only the
/// copy of each tensor into the layer's own memory order.
///
/// # Panics
/// If a tensor of `N` is missing from `tensors`, has another shape, or
/// holds a value its layer does not admit (a negative running variance);
/// `include_weights!` has already rejected counts that differ and values
/// that are not finite when the code compiled.
pub fn baked<N: NetworkDef>(tensors: &[BakedTensor]) -> N {
    let mut net = N::build(&mut crate::rng::init_rng(0));
    net.visit_tensors_mut("", &mut |name, t| {
        let Some(tensor) = tensors.iter().find(|tensor| tensor.name == name) else {
            panic!("include_weights!: tensor `{name}` of `{}` is missing from the file", N::NAME)
        };
        assert!(
            tensor.shape == t.shape,
            "include_weights!: tensor `{name}` has shape {:?} in the file, `{}` expects {:?}",
            tensor.shape,
            N::NAME,
            t.shape
        );
        for (memory, torch) in memory_to_torch(t.shape, t.memory_axes).enumerate() {
            let value = tensor.values[torch];
            assert!(
                t.range.admits(value),
                "include_weights!: tensor `{name}` holds {value} at {torch}, which its layer does not admit"
            );
            t.data[memory] = value;
        }
    });
    net
}
