//! Nothing but tests: `tests/tract.rs` exports typenet networks as ONNX
//! and runs them in tract, a second inference engine.
