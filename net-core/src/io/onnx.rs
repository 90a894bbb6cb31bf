//! ONNX export of `Eval` networks: one graph of standard operators
//! (opset 17) that ONNX Runtime, TensorRT or tract run as typenet does.
//!
//! **Layout.** The graph's input and output are typenet's: the batch axis
//! first, then the per-sample shape as declared, channels last
//! (`[N, H, W, C]`, `[N, T, C]`, `[N, F]`), so the data a typenet program
//! passes to `predict` goes to the exported model unchanged. Inside, the
//! exporter moves maps to ONNX's channels-first layout (`Transpose`) where
//! an operator needs it (`Conv`, pools, `BatchNormalization` on maps) and
//! back only where typenet's order matters (`Flatten`, the output,
//! recurrent layers), so a CNN has one transpose after its input and one
//! before its head.
//!
//! **Names.** Initializers carry PyTorch's names, the names of the
//! network's safetensors file (`conv1.weight`, `base.fc1.bias`,
//! `bn.running_var`); an LSTM's or GRU's weights, reordered to ONNX's gate
//! order (LSTM i, o, f, c; GRU z, r, h) and stacked, are `rnn.W`,
//! `rnn.R` and `rnn.B`.
//!
//! **Layers.** Dense (`Gemm`), activations (Gelu as `Erf` arithmetic:
//! opset 17 has no `Gelu`), dropout and noise layers (dropped),
//! BatchNorm, Conv1d/Conv2d, max and average pools (average pools with
//! or without the padded zeros counted, as the layer does), global pools,
//! `Flatten` and `FlattenChannelsFirst`, LSTM and GRU, `TimeDistributed`,
//! nested networks, and `Concat`/`Add` graphs. Any other layer is an
//! [`Error::Export`] naming it.
//!
//! ```
//! use typenet::prelude::*;
//! network! { struct Tiny { input: 3, fc: Dense<4, Relu>, drop: Dropout(0.5), out: Dense<2, Softmax> } }
//! let bytes = Tiny::<Eval>::seeded(1).to_onnx_bytes()?;
//! assert!(bytes.windows(9).any(|w| w == b"fc.weight"));
//! # Ok::<(), typenet::Error>(())
//! ```

use std::collections::HashSet;
use std::path::Path;

use super::proto::Message;
use super::{NamedTensor, StateDict};
use crate::error::{Error, Result};
use crate::layers::activation::LEAKY_RELU_SLOPE;
use crate::layers::export::{CellKind, Item, Op, Window};
use crate::network::{export_items, NetworkDef};

/// The ONNX operator set the exporter writes.
pub const OPSET: i64 = 17;

/// The IR version that goes with opset 17.
const IR_VERSION: i64 = 8;

/// `TensorProto.DataType` values.
const FLOAT: i64 = 1;
const INT64: i64 = 7;

/// `AttributeProto.AttributeType` values.
const ATTR_FLOAT: i64 = 1;
const ATTR_INT: i64 = 2;
const ATTR_INTS: i64 = 7;

/// The ONNX model of `net` (see the [module](self) for the layout and
/// the names).
///
/// # Errors
/// [`Error::Export`] naming the first layer ONNX cannot express as typenet
/// runs it.
pub fn to_onnx_bytes<N: NetworkDef>(net: &N) -> Result<Vec<u8>> {
    let tensors = StateDict::of(net);
    let mut graph =
        Graph { tensors: &tensors, nodes: Vec::new(), initializers: Vec::new(), used: HashSet::new() };
    let input = Value { name: "input".to_string(), shape: N::INPUT_SHAPE.to_vec(), channels_first: false };
    let last = graph.items(&export_items(net), "", input)?;
    let last = graph.channels_last(last, "output");
    graph.node("Identity", "output", &[&last.name], &["output"], Vec::new());

    let mut body = Message::new();
    for node in graph.nodes {
        body.message(1, node);
    }
    body.string(2, N::NAME);
    for tensor in graph.initializers {
        body.message(5, tensor);
    }
    body.message(11, value_info("input", N::INPUT_SHAPE));
    body.message(12, value_info("output", &last.shape));

    let mut opset = Message::new();
    opset.string(1, "").int(2, OPSET);
    let mut model = Message::new();
    model
        .int(1, IR_VERSION)
        .message(8, opset)
        .string(2, "typenet")
        .string(3, env!("CARGO_PKG_VERSION"))
        .string(6, "Input and output channels last, batch first, as typenet's own.")
        .message(7, body);
    Ok(model.into_bytes())
}

/// Writes [`to_onnx_bytes`] to `path` atomically.
///
/// # Errors
/// As [`to_onnx_bytes`], and `Error::Io` if writing fails.
pub fn to_onnx<N: NetworkDef>(net: &N, path: impl AsRef<Path>) -> Result<()> {
    let bytes = to_onnx_bytes(net)?;
    super::atomic::write_atomic(path.as_ref(), &bytes, |file| file)
}

/// A tensor flowing through the graph: its name, typenet's per-sample
/// shape, and whether it is held channels first (`[N, C, ..]`, ONNX's
/// order for maps) rather than as typenet holds it.
#[derive(Clone, Debug)]
struct Value {
    name: String,
    shape: Vec<usize>,
    channels_first: bool,
}

/// The graph being written.
struct Graph<'a> {
    tensors: &'a StateDict,
    nodes: Vec<Message>,
    initializers: Vec<Message>,
    /// Every value and initializer name given out.
    used: HashSet<String>,
}

/// An attribute.
fn attr_int(name: &str, value: i64) -> Message {
    let mut m = Message::new();
    m.string(1, name).int(20, ATTR_INT).int(3, value);
    m
}

fn attr_float(name: &str, value: f32) -> Message {
    let mut m = Message::new();
    m.string(1, name).int(20, ATTR_FLOAT).float(2, value);
    m
}

fn attr_ints(name: &str, values: &[i64]) -> Message {
    let mut m = Message::new();
    m.string(1, name).int(20, ATTR_INTS);
    for &v in values {
        m.int(8, v);
    }
    m
}

fn ints(values: &[usize]) -> Vec<i64> {
    values.iter().map(|&v| v as i64).collect()
}

/// A graph input or output: float, the batch axis named `batch`.
fn value_info(name: &str, shape: &[usize]) -> Message {
    let mut tensor_shape = Message::new();
    let mut batch = Message::new();
    batch.string(2, "batch");
    tensor_shape.message(1, batch);
    for &d in shape {
        let mut dim = Message::new();
        dim.int(1, d as i64);
        tensor_shape.message(1, dim);
    }
    let mut tensor = Message::new();
    tensor.int(1, FLOAT).message(2, tensor_shape);
    let mut ty = Message::new();
    ty.message(1, tensor);
    let mut info = Message::new();
    info.string(1, name).message(2, ty);
    info
}

/// The blocks of `units` rows of `data` (`gates * units` rows of `cols`)
/// in the order `order` (PyTorch's gate indices in ONNX's order).
fn reorder_gates(data: &[f32], units: usize, cols: usize, order: &[usize]) -> Vec<f32> {
    let block = units * cols;
    order.iter().flat_map(|&gate| &data[gate * block..(gate + 1) * block]).copied().collect()
}

impl Graph<'_> {
    /// A name not used before, from `hint`.
    fn fresh(&mut self, hint: &str) -> String {
        let mut name = hint.to_string();
        let mut n = 1;
        while self.used.contains(&name) {
            n += 1;
            name = format!("{hint}_{n}");
        }
        self.used.insert(name.clone());
        name
    }

    fn node(&mut self, op: &str, label: &str, inputs: &[&str], outputs: &[&str], attrs: Vec<Message>) {
        let mut node = Message::new();
        for input in inputs {
            node.string(1, input);
        }
        for output in outputs {
            node.string(2, output);
        }
        let name = self.fresh(&format!("/{label}/{op}"));
        node.string(3, &name).string(4, op);
        for attr in attrs {
            node.message(5, attr);
        }
        self.nodes.push(node);
    }

    /// A node with one output, named after the layer and the operator.
    fn node1(&mut self, op: &str, label: &str, inputs: &[&str], attrs: Vec<Message>) -> String {
        let out = self.fresh(&format!("{label}.{}", op.to_ascii_lowercase()));
        self.node(op, label, inputs, &[&out], attrs);
        out
    }

    fn initializer(&mut self, name: &str, dims: &[usize], data: &[f32]) -> String {
        let name = self.fresh(name);
        let mut t = Message::new();
        for &d in dims {
            t.int(1, d as i64);
        }
        t.int(2, FLOAT).string(8, &name);
        let raw: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
        t.bytes(9, &raw);
        self.initializers.push(t);
        name
    }

    fn int64s(&mut self, name: &str, values: &[i64]) -> String {
        let name = self.fresh(name);
        let mut t = Message::new();
        t.int(1, values.len() as i64).int(2, INT64).string(8, &name);
        let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        t.bytes(9, &raw);
        self.initializers.push(t);
        name
    }

    /// A saved tensor of the layer at `label`, as an initializer under its own name.
    fn saved(&mut self, label: &str, name: &str) -> Result<String> {
        let t = self.tensor(label, name)?.clone();
        Ok(self.initializer(&t.name, &t.shape, &t.data))
    }

    fn tensor(&self, label: &str, name: &str) -> Result<&NamedTensor> {
        self.tensors.get(name).ok_or_else(|| Error::Export {
            layer: label.to_string(),
            reason: format!("its tensor `{name}` is missing from the state dictionary"),
        })
    }

    /// `x` with its channels on axis 1 (a flat value is both).
    fn channels_first(&mut self, x: Value, label: &str) -> Value {
        let rank = x.shape.len();
        if x.channels_first || rank < 2 {
            return x;
        }
        let mut perm = vec![0, rank as i64];
        perm.extend(1..rank as i64);
        let name = self.node1("Transpose", label, &[&x.name], vec![attr_ints("perm", &perm)]);
        Value { name, channels_first: true, ..x }
    }

    /// `x` in typenet's order, channels last.
    fn channels_last(&mut self, x: Value, label: &str) -> Value {
        let rank = x.shape.len();
        if !x.channels_first || rank < 2 {
            return Value { channels_first: false, ..x };
        }
        let mut perm = vec![0];
        perm.extend(2..=rank as i64);
        perm.push(1);
        let name = self.node1("Transpose", label, &[&x.name], vec![attr_ints("perm", &perm)]);
        Value { name, channels_first: false, ..x }
    }

    /// The layers of one network (or path), tensors under `prefix`.
    fn items(&mut self, items: &[Item], prefix: &str, mut x: Value) -> Result<Value> {
        for item in items {
            let label = format!("{prefix}{}", item.name);
            let tensors = format!("{prefix}{}", item.prefix);
            x = match &item.op {
                // A merge's paths' layers are fields of the network that holds it.
                Op::Merge { concat, paths } => self.merge(*concat, paths, prefix, &label, x, &item.output)?,
                op => self.op(op, &tensors, &label, x, &item.output)?,
            };
        }
        Ok(x)
    }

    fn op(&mut self, op: &Op, tensors: &str, label: &str, x: Value, output: &[usize]) -> Result<Value> {
        let unsupported = |reason: String| Error::Export { layer: label.to_string(), reason };
        let out = |name: String, channels_first: bool| Value { name, shape: output.to_vec(), channels_first };
        Ok(match op {
            Op::Identity | Op::Dropped { .. } => Value { shape: output.to_vec(), ..x },
            Op::Dense { activation, .. } => {
                let w = self.saved(label, &format!("{tensors}weight"))?;
                let b = self.saved(label, &format!("{tensors}bias"))?;
                let y = self.node1("Gemm", label, &[&x.name, &w, &b], vec![attr_int("transB", 1)]);
                self.activation(activation, label, out(y, false))?
            }
            Op::Activation(name) => self.activation(name, label, x)?,
            Op::BatchNorm { epsilon, momentum, .. } => {
                let x = self.channels_first(x, label);
                let names = ["weight", "bias", "running_mean", "running_var"];
                let mut inputs = vec![x.name.clone()];
                for n in names {
                    inputs.push(self.saved(label, &format!("{tensors}{n}"))?);
                }
                let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
                let attrs = vec![attr_float("epsilon", *epsilon), attr_float("momentum", 1.0 - momentum)];
                let y = self.node1("BatchNormalization", label, &inputs, attrs);
                out(y, x.channels_first)
            }
            Op::Conv { window, bias, activation, .. } => {
                let x = self.channels_first(x, label);
                let mut inputs = vec![x.name.clone(), self.saved(label, &format!("{tensors}weight"))?];
                if *bias {
                    inputs.push(self.saved(label, &format!("{tensors}bias"))?);
                }
                let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
                let mut attrs = window_attrs(window);
                attrs.push(attr_ints("dilations", &ints(&window.dilation)));
                let y = self.node1("Conv", label, &inputs, attrs);
                self.activation(activation, label, out(y, true))?
            }
            Op::Pool { window, max, counts_padding } => {
                let x = self.channels_first(x, label);
                let mut attrs = window_attrs(window);
                let dilated = window.dilation.iter().any(|&d| d != 1);
                let kind = if *max {
                    attrs.push(attr_ints("dilations", &ints(&window.dilation)));
                    "MaxPool"
                } else {
                    if dilated {
                        return Err(unsupported("a dilated average pool needs opset 19".into()));
                    }
                    attrs.push(attr_int("count_include_pad", *counts_padding as i64));
                    "AveragePool"
                };
                let y = self.node1(kind, label, &[&x.name], attrs);
                out(y, true)
            }
            Op::GlobalPool { max } => {
                let rank = x.shape.len() as i64;
                let axes: Vec<i64> =
                    if x.channels_first { (2..=rank).collect() } else { (1..rank).collect() };
                let kind = if *max { "ReduceMax" } else { "ReduceMean" };
                let attrs = vec![attr_ints("axes", &axes), attr_int("keepdims", 0)];
                let y = self.node1(kind, label, &[&x.name], attrs);
                out(y, false)
            }
            Op::Flatten { channels_first } => {
                if x.shape.len() < 2 {
                    return Ok(Value { shape: output.to_vec(), ..x });
                }
                let x = if *channels_first {
                    self.channels_first(x, label)
                } else {
                    self.channels_last(x, label)
                };
                let y = self.node1("Flatten", label, &[&x.name], vec![attr_int("axis", 1)]);
                out(y, false)
            }
            Op::Recurrent { cell, inputs, units, sequences } => {
                self.recurrent(*cell, *inputs, *units, *sequences, tensors, label, x, output)?
            }
            Op::TimeDistributed(inner) => {
                let x = self.channels_last(x, label);
                let steps = x.shape[0];
                let step_in: usize = x.shape[1..].iter().product();
                let step_out: usize = output[1..].iter().product();
                let shape = self.int64s(&format!("{label}.step_shape"), &[-1, step_in as i64]);
                let flat = self.node1("Reshape", label, &[&x.name, &shape], Vec::new());
                let step = Value { name: flat, shape: vec![step_in], channels_first: false };
                let y = self.op(inner, tensors, label, step, &[step_out])?;
                let y = self.channels_last(y, label);
                let shape =
                    self.int64s(&format!("{label}.sequence_shape"), &[-1, steps as i64, step_out as i64]);
                let seq = self.node1("Reshape", label, &[&y.name, &shape], Vec::new());
                out(seq, false)
            }
            Op::Network { items, .. } => {
                let y = self.items(items, tensors, x)?;
                Value { shape: output.to_vec(), ..y }
            }
            Op::Merge { concat, paths } => self.merge(*concat, paths, tensors, label, x, output)?,
            Op::Unsupported(kind) => return Err(unsupported(format!("`{kind}` has no ONNX form here"))),
        })
    }

    /// `x` through the activation called `name`.
    fn activation(&mut self, name: &str, label: &str, x: Value) -> Result<Value> {
        let y = match name {
            "Linear" => return Ok(x),
            "Relu" | "Sigmoid" | "Tanh" => self.node1(name, label, &[&x.name], Vec::new()),
            "LeakyRelu" => self.node1(name, label, &[&x.name], vec![attr_float("alpha", LEAKY_RELU_SLOPE)]),
            "Softmax" => {
                let x = self.channels_last(x, label);
                let y = self.node1(name, label, &[&x.name], vec![attr_int("axis", -1)]);
                return Ok(Value { name: y, ..x });
            }
            "Gelu" => {
                // x * 0.5 * (1 + erf(x / sqrt(2))), PyTorch's exact GELU.
                let root2 = self.initializer(&format!("{label}.sqrt2"), &[], &[std::f32::consts::SQRT_2]);
                let one = self.initializer(&format!("{label}.one"), &[], &[1.0]);
                let half = self.initializer(&format!("{label}.half"), &[], &[0.5]);
                let scaled = self.node1("Div", label, &[&x.name, &root2], Vec::new());
                let erf = self.node1("Erf", label, &[&scaled], Vec::new());
                let shifted = self.node1("Add", label, &[&erf, &one], Vec::new());
                let product = self.node1("Mul", label, &[&x.name, &shifted], Vec::new());
                self.node1("Mul", label, &[&product, &half], Vec::new())
            }
            other => {
                return Err(Error::Export {
                    layer: label.to_string(),
                    reason: format!("the activation `{other}` has no ONNX form here"),
                })
            }
        };
        Ok(Value { name: y, ..x })
    }

    /// An LSTM or GRU as ONNX's operator of that name, over `[T, N, F]`.
    #[allow(clippy::too_many_arguments)]
    fn recurrent(
        &mut self,
        cell: CellKind,
        inputs: usize,
        units: usize,
        sequences: bool,
        tensors: &str,
        label: &str,
        x: Value,
        output: &[usize],
    ) -> Result<Value> {
        // PyTorch's gate indices in ONNX's order.
        let (kind, order, gates): (&str, &[usize], usize) = match cell {
            CellKind::Lstm => ("LSTM", &[0, 3, 1, 2], 4),
            CellKind::Gru => ("GRU", &[1, 0, 2], 3),
        };
        let x = self.channels_last(x, label);
        let time_major = self.node1("Transpose", label, &[&x.name], vec![attr_ints("perm", &[1, 0, 2])]);
        let fetch = |graph: &Self, name: &str| -> Result<Vec<f32>> {
            Ok(graph.tensor(label, &format!("{tensors}{name}"))?.data.clone())
        };
        let w = reorder_gates(&fetch(self, "weight_ih_l0")?, units, inputs, order);
        let r = reorder_gates(&fetch(self, "weight_hh_l0")?, units, units, order);
        let mut b = reorder_gates(&fetch(self, "bias_ih_l0")?, units, 1, order);
        b.extend(reorder_gates(&fetch(self, "bias_hh_l0")?, units, 1, order));
        let w = self.initializer(&format!("{tensors}W"), &[1, gates * units, inputs], &w);
        let r = self.initializer(&format!("{tensors}R"), &[1, gates * units, units], &r);
        let b = self.initializer(&format!("{tensors}B"), &[1, 2 * gates * units], &b);
        let mut attrs = vec![attr_int("hidden_size", units as i64)];
        if cell == CellKind::Gru {
            // PyTorch's GRU: the reset gate scales `W_hn h + b_hn`.
            attrs.push(attr_int("linear_before_reset", 1));
        }
        let all = self.fresh(&format!("{label}.y"));
        let last = self.fresh(&format!("{label}.y_h"));
        self.node(kind, label, &[&time_major, &w, &r, &b], &[&all, &last], attrs);
        let name = if sequences {
            let axis = self.int64s(&format!("{label}.direction_axis"), &[1]);
            let steps = self.node1("Squeeze", label, &[&all, &axis], Vec::new());
            self.node1("Transpose", label, &[&steps], vec![attr_ints("perm", &[1, 0, 2])])
        } else {
            let axis = self.int64s(&format!("{label}.direction_axis"), &[0]);
            self.node1("Squeeze", label, &[&last, &axis], Vec::new())
        };
        Ok(Value { name, shape: output.to_vec(), channels_first: false })
    }

    /// Every path fed `x`, their outputs joined on the channel axis or summed.
    fn merge(
        &mut self,
        concat: bool,
        paths: &[Vec<Item>],
        prefix: &str,
        label: &str,
        x: Value,
        output: &[usize],
    ) -> Result<Value> {
        let mut outs = Vec::with_capacity(paths.len());
        for path in paths {
            outs.push(self.items(path, prefix, x.clone())?);
        }
        // One layout for all: channels first if any path ends so (fewer transposes).
        let first = outs.iter().any(|v| v.channels_first);
        let outs: Vec<Value> = outs
            .into_iter()
            .map(|v| if first { self.channels_first(v, label) } else { self.channels_last(v, label) })
            .collect();
        let names: Vec<&str> = outs.iter().map(|v| v.name.as_str()).collect();
        let channels_first = first && output.len() >= 2;
        let name = if concat {
            let axis = if channels_first { 1 } else { -1 };
            self.node1("Concat", label, &names, vec![attr_int("axis", axis)])
        } else {
            let mut sum = names[0].to_string();
            for other in &names[1..] {
                sum = self.node1("Add", label, &[&sum, other], Vec::new());
            }
            sum
        };
        Ok(Value { name, shape: output.to_vec(), channels_first })
    }
}

/// `kernel_shape`, `strides` and `pads` of a window.
fn window_attrs(window: &Window) -> Vec<Message> {
    let mut pads = ints(&window.pad_begin);
    pads.extend(ints(&window.pad_end));
    vec![
        attr_ints("kernel_shape", &ints(&window.kernel)),
        attr_ints("strides", &ints(&window.stride)),
        attr_ints("pads", &pads),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_move_to_onnx_order() {
        // Four gates of one unit and two inputs: rows [i, f, g, o].
        let data = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5];
        assert_eq!(reorder_gates(&data, 1, 2, &[0, 3, 1, 2]), [1.0, 1.5, 4.0, 4.5, 2.0, 2.5, 3.0, 3.5]);
    }
}
