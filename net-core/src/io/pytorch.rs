//! The Python source of a PyTorch `nn.Module` that computes what a typenet
//! network computes, with the same submodule names: its `state_dict` has
//! the names and shapes of typenet's safetensors file, so
//! `load_state_dict(strict=True)` takes the file typenet saves and typenet
//! loads what `safetensors.torch.save_file(module.state_dict(), path)`
//! writes (PyTorch's `num_batches_tracked` counters are skipped). Train the
//! module with PyTorch's tools (distributed data parallel on a cluster),
//! load the result back into typenet.
//!
//! The module takes and returns typenet's layout: batch first, channels
//! last; it moves maps to PyTorch's channels-first layout where a
//! convolution, pool or BatchNorm needs it. Dropout keeps its rate;
//! noise layers (`GaussianNoise`, `GaussianDropout`, random flips and
//! translations) are the identity, and a BatchNorm's momentum is written
//! in PyTorch's convention (`1 - momentum`). One difference remains in
//! training: PyTorch's running variance takes the unbiased batch variance,
//! typenet's (as Keras') the biased one.
//!
//! ```
//! use typenet::prelude::*;
//! network! { struct Tiny { input: 3, fc: Dense<4, Relu>, drop: Dropout(0.5), out: Dense<2> } }
//! let source = Tiny::<Eval>::seeded(1).to_pytorch_module()?;
//! assert!(source.contains("self.fc = nn.Linear(3, 4)"));
//! assert!(source.contains("x = torch.relu(self.fc(x))"));
//! # Ok::<(), typenet::Error>(())
//! ```

use std::fmt::Write;

use crate::error::{Error, Result};
use crate::layers::activation::LEAKY_RELU_SLOPE;
use crate::layers::export::{CellKind, Item, Op, Window};
use crate::network::{export_items, NetworkDef};

/// The Python source of `net`'s module (see the [module](self)).
///
/// # Errors
/// [`Error::Export`] naming the first layer without a PyTorch form here
/// (an embedding, a layer norm, an average pool with uneven padding that
/// does not count the padded zeros, ...).
pub fn to_pytorch_module<N: NetworkDef>(net: &N) -> Result<String> {
    let mut writer = Writer::default();
    let name = writer.class(N::NAME, N::INPUT_SHAPE, &export_items(net))?;
    let mut text = String::new();
    let _ = write!(
        text,
        "\"\"\"PyTorch module of the typenet network `{name}`, written by typenet {}.\n\n\
         Inputs and outputs are laid out as typenet's: batch first, channels last\n\
         ([N, H, W, C] maps, [N, T, F] sequences, [N, F] features). The state_dict\n\
         has the names and shapes of typenet's safetensors file:\n\n\
         \x20   module.load_state_dict(safetensors.torch.load_file(path), strict=True)\n\
         \x20   safetensors.torch.save_file(module.state_dict(), path)  # typenet loads it\n\
         \"\"\"\n\n\
         import torch\n\
         from torch import nn\n\
         import torch.nn.functional as F\n",
        env!("CARGO_PKG_VERSION")
    );
    for (_, body) in &writer.classes {
        text.push_str("\n\n");
        text.push_str(body);
    }
    Ok(text)
}

/// The classes written so far (a nested network's before the network that
/// holds it), by name.
#[derive(Default)]
struct Writer {
    classes: Vec<(String, String)>,
}

/// One class being written.
struct Class {
    init: Vec<String>,
    forward: Vec<String>,
    variables: usize,
}

/// A variable of `forward`: its name, typenet's per-sample shape, and
/// whether it is held channels first.
#[derive(Clone)]
struct Var {
    name: String,
    shape: Vec<usize>,
    channels_first: bool,
}

/// How `forward` reaches the submodule saved as `name`.
fn submodule(name: &str) -> String {
    let identifier = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier && !PYTHON_KEYWORDS.contains(&name) {
        format!("self.{name}")
    } else {
        format!("getattr(self, {name:?})")
    }
}

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
    "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
    "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// A tuple of sizes as Python writes it: `3` in 1-D, `(3, 2)` in 2-D.
fn sizes(values: &[usize]) -> String {
    match values {
        [one] => one.to_string(),
        _ => format!("({})", values.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")),
    }
}

/// A float with at most seven decimals, trailing zeros dropped.
fn decimal(value: f64) -> String {
    let text = format!("{value:.7}");
    let text = text.trim_end_matches('0');
    if text.ends_with('.') {
        format!("{text}0")
    } else {
        text.to_string()
    }
}

/// `F.pad`'s argument: last axis first, before then after.
fn pad_argument(window: &Window) -> String {
    let pads: Vec<String> = window
        .pad_begin
        .iter()
        .zip(&window.pad_end)
        .rev()
        .flat_map(|(b, e)| [b.to_string(), e.to_string()])
        .collect();
    format!("({})", pads.join(", "))
}

impl Class {
    fn fresh(&mut self) -> String {
        self.variables += 1;
        format!("x{}", self.variables)
    }

    /// Registers the submodule saved as `name`.
    fn add(&mut self, name: &str, module: String) {
        let access = submodule(name);
        if access.starts_with("self.") {
            self.init.push(format!("{access} = {module}"));
        } else {
            self.init.push(format!("self.add_module({name:?}, {module})"));
        }
    }

    fn line(&mut self, line: String) {
        self.forward.push(line);
    }

    fn channels_first(&mut self, v: &mut Var) {
        if !v.channels_first && v.shape.len() >= 2 {
            self.line(format!("{0} = {0}.movedim(-1, 1)", v.name));
            v.channels_first = true;
        }
    }

    fn channels_last(&mut self, v: &mut Var) {
        if v.channels_first && v.shape.len() >= 2 {
            self.line(format!("{0} = {0}.movedim(1, -1)", v.name));
        }
        v.channels_first = false;
    }
}

/// `expression` through the activation called `name`.
fn activation(name: &str, expression: &str, label: &str) -> Result<String> {
    Ok(match name {
        "Linear" => expression.to_string(),
        "Relu" => format!("torch.relu({expression})"),
        "Sigmoid" => format!("torch.sigmoid({expression})"),
        "Tanh" => format!("torch.tanh({expression})"),
        "LeakyRelu" => format!("F.leaky_relu({expression}, {})", decimal(LEAKY_RELU_SLOPE as f64)),
        "Gelu" => format!("F.gelu({expression})"),
        "Softmax" => format!("torch.softmax({expression}, dim=-1)"),
        other => {
            return Err(Error::Export {
                layer: label.to_string(),
                reason: format!("the activation `{other}` has no PyTorch form here"),
            })
        }
    })
}

impl Writer {
    /// Writes the class of a network (or reuses one with the same text)
    /// and returns its name.
    fn class(&mut self, name: &str, input: &[usize], items: &[Item]) -> Result<String> {
        let mut class = Class { init: Vec::new(), forward: Vec::new(), variables: 0 };
        let mut x = Var { name: "x".to_string(), shape: input.to_vec(), channels_first: false };
        self.items(&mut class, items, &mut x)?;
        class.channels_last(&mut x);
        class.line(format!("return {}", x.name));
        let body = |class_name: &str| {
            let mut text = format!("class {class_name}(nn.Module):\n");
            let _ = writeln!(
                text,
                "    \"\"\"typenet's `{name}`: input {}.\"\"\"\n",
                crate::summary::shape_text(input)
            );
            text.push_str("    def __init__(self):\n        super().__init__()\n");
            for line in &class.init {
                let _ = writeln!(text, "        {line}");
            }
            text.push_str("\n    def forward(self, x):\n");
            for line in &class.forward {
                let _ = writeln!(text, "        {line}");
            }
            text
        };
        // One class per distinct network: a block used with other sizes
        // (named `Unit(4, 3)` in typenet) gets a numbered name of its own.
        let stem: String = name.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let stem = if stem.is_empty() || stem.starts_with(|c: char| c.is_ascii_digit()) {
            "Net".to_string()
        } else {
            stem
        };
        let mut n = 1;
        loop {
            let class_name = if n == 1 { stem.clone() } else { format!("{stem}_{n}") };
            let text = body(&class_name);
            match self.classes.iter().find(|(existing, _)| *existing == class_name) {
                Some((_, existing)) if *existing == text => return Ok(class_name),
                Some(_) => n += 1,
                None => {
                    self.classes.push((class_name.clone(), text));
                    return Ok(class_name);
                }
            }
        }
    }

    fn items(&mut self, class: &mut Class, items: &[Item], x: &mut Var) -> Result<()> {
        for item in items {
            let saved = item.prefix.trim_end_matches('.');
            self.op(class, &item.op, saved, &item.name, x, &item.output)?;
        }
        Ok(())
    }

    /// The `__init__` and `forward` lines of `op`, its submodule saved as
    /// `saved`, applied to `x`.
    fn op(
        &mut self,
        class: &mut Class,
        op: &Op,
        saved: &str,
        label: &str,
        x: &mut Var,
        output: &[usize],
    ) -> Result<()> {
        let unsupported = |reason: String| Error::Export { layer: label.to_string(), reason };
        let module = submodule(saved);
        let v = x.name.clone();
        match op {
            Op::Identity => {}
            Op::Dropped { rate, channels } => {
                let kind = match (channels, x.shape.len()) {
                    (false, _) | (true, 1) => "Dropout",
                    (true, 2) => "Dropout1d",
                    (true, _) => "Dropout2d",
                };
                if *channels {
                    class.channels_first(x);
                }
                class.add(saved, format!("nn.{kind}(p={})", decimal(*rate as f64)));
                class.line(format!("{v} = {module}({v})"));
            }
            Op::Dense { inputs, outputs, activation: act } => {
                class.add(saved, format!("nn.Linear({inputs}, {outputs})"));
                class.line(format!("{v} = {}", activation(act, &format!("{module}({v})"), label)?));
            }
            Op::Activation(name) => {
                if *name == "Softmax" {
                    class.channels_last(x);
                }
                class.line(format!("{v} = {}", activation(name, &v, label)?));
            }
            Op::BatchNorm { channels, epsilon, momentum } => {
                let kind = if x.shape.len() >= 3 { "BatchNorm2d" } else { "BatchNorm1d" };
                class.channels_first(x);
                class.add(
                    saved,
                    format!(
                        "nn.{kind}({channels}, eps={epsilon}, momentum={})",
                        decimal(1.0 - *momentum as f64)
                    ),
                );
                class.line(format!("{v} = {module}({v})"));
            }
            Op::Conv { window, filters, bias, activation: act } => {
                class.channels_first(x);
                let even = window.pad_begin == window.pad_end;
                if !even {
                    class.line(format!("{v} = F.pad({v}, {})", pad_argument(window)));
                }
                let padding = if even { sizes(&window.pad_begin) } else { "0".to_string() };
                let rank = window.kernel.len();
                class.add(
                    saved,
                    format!(
                        "nn.Conv{rank}d({}, {filters}, kernel_size={}, stride={}, padding={padding}, dilation={}, bias={})",
                        window.channels,
                        sizes(&window.kernel),
                        sizes(&window.stride),
                        sizes(&window.dilation),
                        if *bias { "True" } else { "False" }
                    ),
                );
                class.line(format!("{v} = {}", activation(act, &format!("{module}({v})"), label)?));
            }
            Op::Pool { window, max, counts_padding } => {
                class.channels_first(x);
                let rank = window.kernel.len();
                // PyTorch pads evenly, at most half a window.
                let fits = window.pad_begin == window.pad_end
                    && window.pad_begin.iter().zip(&window.kernel).all(|(p, k)| 2 * p <= *k);
                let dilated = window.dilation.iter().any(|&d| d != 1);
                let padding = if fits {
                    sizes(&window.pad_begin)
                } else if *max {
                    class.line(format!("{v} = F.pad({v}, {}, value=float(\"-inf\"))", pad_argument(window)));
                    "0".to_string()
                } else if *counts_padding {
                    class.line(format!("{v} = F.pad({v}, {})", pad_argument(window)));
                    "0".to_string()
                } else if !dilated {
                    // Keras' `Same` average: the mean of the real inputs,
                    // the windows' sums over the counts of real inputs.
                    let (pads, kernel, stride) =
                        (pad_argument(window), sizes(&window.kernel), sizes(&window.stride));
                    let pool = format!("F.avg_pool{rank}d");
                    let ones = class.fresh();
                    class.line(format!("{ones} = F.pad(torch.ones_like({v}[:, :1]), {pads})"));
                    class.line(format!(
                        "{v} = {pool}(F.pad({v}, {pads}), {kernel}, {stride}) / {pool}({ones}, {kernel}, {stride})"
                    ));
                    x.shape = output.to_vec();
                    return Ok(());
                } else {
                    return Err(unsupported("PyTorch's average pools are not dilated".into()));
                };
                let module_text = if *max {
                    format!(
                        "nn.MaxPool{rank}d({}, stride={}, padding={padding}, dilation={})",
                        sizes(&window.kernel),
                        sizes(&window.stride),
                        sizes(&window.dilation)
                    )
                } else {
                    if dilated {
                        return Err(unsupported("PyTorch's average pools are not dilated".into()));
                    }
                    format!(
                        "nn.AvgPool{rank}d({}, stride={}, padding={padding}, count_include_pad={})",
                        sizes(&window.kernel),
                        sizes(&window.stride),
                        if *counts_padding || !fits { "True" } else { "False" }
                    )
                };
                class.add(saved, module_text);
                class.line(format!("{v} = {module}({v})"));
            }
            Op::GlobalPool { max } => {
                let rank = x.shape.len();
                let axes: Vec<usize> =
                    if x.channels_first { (2..=rank).collect() } else { (1..rank).collect() };
                let reduce = if *max { "amax" } else { "mean" };
                let dims = format!("({},)", axes.iter().map(usize::to_string).collect::<Vec<_>>().join(", "));
                class.line(format!("{v} = {v}.{reduce}(dim={dims})"));
                x.channels_first = false;
            }
            Op::Flatten { channels_first } => {
                if x.shape.len() >= 2 {
                    if *channels_first {
                        class.channels_first(x);
                    } else {
                        class.channels_last(x);
                    }
                    class.line(format!("{v} = torch.flatten({v}, 1)"));
                }
                x.channels_first = false;
            }
            Op::Recurrent { cell, inputs, units, sequences } => {
                class.channels_last(x);
                let kind = match cell {
                    CellKind::Lstm => "LSTM",
                    CellKind::Gru => "GRU",
                };
                class.add(saved, format!("nn.{kind}({inputs}, {units}, batch_first=True)"));
                class.line(format!("{v}, _ = {module}({v})"));
                if !sequences {
                    class.line(format!("{v} = {v}[:, -1]"));
                }
            }
            Op::TimeDistributed(inner) => {
                class.channels_last(x);
                let steps = x.shape[0];
                let step_in: usize = x.shape[1..].iter().product();
                let step_out: usize = output[1..].iter().product();
                class.line(format!("{v} = {v}.reshape(-1, {step_in})"));
                let mut step = Var { name: v.clone(), shape: vec![step_in], channels_first: false };
                self.op(class, inner, saved, label, &mut step, &[step_out])?;
                class.channels_last(&mut step);
                class.line(format!("{v} = {v}.reshape(-1, {steps}, {step_out})"));
            }
            Op::Network { name, items } => {
                class.channels_last(x);
                let class_name = self.class(name, &x.shape, items)?;
                class.add(saved, format!("{class_name}()"));
                class.line(format!("{v} = {module}({v})"));
            }
            Op::Merge { concat, paths } => {
                let mut outs = Vec::new();
                for path in paths {
                    let name = class.fresh();
                    class.line(format!("{name} = {v}"));
                    let mut y = Var { name, ..x.clone() };
                    self.items(class, path, &mut y)?;
                    class.channels_last(&mut y);
                    outs.push(y.name);
                }
                let joined = if *concat {
                    format!("torch.cat([{}], dim=-1)", outs.join(", "))
                } else {
                    outs.join(" + ")
                };
                class.line(format!("{v} = {joined}"));
                x.channels_first = false;
            }
            Op::Unsupported(kind) => return Err(unsupported(format!("`{kind}` has no PyTorch form here"))),
        }
        x.shape = output.to_vec();
        Ok(())
    }
}
