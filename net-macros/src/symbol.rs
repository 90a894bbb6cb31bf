//! The words of the `network!` language that are not layer names (those
//! are in the table, `layers.rs`).

pub const INPUT: &str = "input";

pub const ATTR_FROZEN: &str = "frozen";
pub const ATTR_PHASE: &str = "phase";
pub const ATTR_L2: &str = "l2";
pub const ATTR_DOC: &str = "doc";

pub const PHASE_TRAIN: &str = "Train";
pub const PHASE_EVAL: &str = "Eval";

/// Names starting with this are the expansion's own (`__train`, `__MnistLayers`).
pub const RESERVED_PREFIX: &str = "__";

pub const BLOCK: &str = "block";
pub const ATTR_RENAME: &str = "rename";

/// The merge layers, written over paths: `Concat([..], [..])`, `Add([..], [..])`.
pub const CONCAT: &str = "Concat";
pub const ADD: &str = "Add";
