//! What a layer computes, told in terms other frameworks share: the
//! description the ONNX and PyTorch exporters (`io::onnx`, `io::pytorch`)
//! translate, so each layer says once what it is and each format says
//! once how to write it.
//!
//! Shapes are typenet's: per sample, channels last (`[H, W, C]`,
//! `[T, C]`, `[F]`). Tensors are not copied into the description: they
//! are the network's state dictionary entries under [`Item::prefix`].

use crate::no_std_prelude::*;

/// What one layer computes, as [`Layer::export_op`](super::Layer::export_op)
/// describes it.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::layers::export::Op;
/// let op = Dense::<3, 2, Relu>::zeros().export_op();
/// assert_eq!(op, Op::Dense { inputs: 3, outputs: 2, activation: "Relu" });
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// `act(W x + b)`: tensors `weight` `[outputs, inputs]` and `bias`.
    Dense {
        /// Input features.
        inputs: usize,
        /// Output features.
        outputs: usize,
        /// The activation's name (`"Linear"`, `"Relu"`, ...).
        activation: &'static str,
    },
    /// An element-wise activation (or the softmax over the last axis), by name.
    Activation(&'static str),
    /// The identity at inference: noise layers, `StopGradient`.
    Identity,
    /// Dropout of `rate` while training, the identity at inference.
    Dropped {
        /// The fraction of values dropped.
        rate: f32,
        /// Whole channels dropped (`SpatialDropout`) rather than single values.
        channels: bool,
    },
    /// Batch normalisation of the last axis with the running statistics:
    /// tensors `weight`, `bias`, `running_mean`, `running_var`.
    BatchNorm {
        /// Channels (the last axis).
        channels: usize,
        /// Added to the variance.
        epsilon: f32,
        /// Keras' momentum (PyTorch's is `1 - momentum`).
        momentum: f32,
    },
    /// A convolution: tensors `weight` `[F, C, KH, KW]` (`[F, C, K]` in
    /// 1-D) and, with `bias`, `bias`.
    Conv {
        /// Where its windows read.
        window: Window,
        /// Filters (output channels).
        filters: usize,
        /// Whether it has a bias.
        bias: bool,
        /// The activation's name.
        activation: &'static str,
    },
    /// Max or average pooling over windows.
    Pool {
        /// Where its windows read.
        window: Window,
        /// The maximum (padding never wins) rather than the mean.
        max: bool,
        /// For a mean: whether padded zeros count (PyTorch's `count_include_pad`).
        counts_padding: bool,
    },
    /// The maximum or mean of each channel over every position: `[.., C]` -> `[C]`.
    GlobalPool {
        /// The maximum rather than the mean.
        max: bool,
    },
    /// Flattening to one axis, in memory order (channels last), or channel
    /// after channel (`FlattenChannelsFirst`, as PyTorch's `nn.Flatten`
    /// on an NCHW map).
    Flatten {
        /// Channel after channel.
        channels_first: bool,
    },
    /// An LSTM or GRU with PyTorch's equations over `[T, F]`: tensors
    /// `weight_ih_l0` `[G U, F]`, `weight_hh_l0` `[G U, U]`, `bias_ih_l0`,
    /// `bias_hh_l0`, gates in PyTorch's order.
    Recurrent {
        /// Which cell.
        cell: CellKind,
        /// Features per step.
        inputs: usize,
        /// Hidden units.
        units: usize,
        /// Every step's state (`[T, U]`) rather than the last (`[U]`).
        sequences: bool,
    },
    /// A layer applied to every step of a `[T, ..]` sequence.
    TimeDistributed(Box<Op>),
    /// A nested network: its type's name and its layers in order.
    Network {
        /// The network type's name.
        name: &'static str,
        /// Its layers.
        items: Vec<Item>,
    },
    /// Paths all fed the same input, their outputs joined on the last axis
    /// (`concat`) or summed.
    Merge {
        /// Joined on the last axis rather than summed.
        concat: bool,
        /// Each path's layers (an empty path is the identity).
        paths: Vec<Vec<Item>>,
    },
    /// A layer the exporters do not know, by its type.
    Unsupported(String),
}

/// A recurrent cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// Gates i, f, g, o.
    Lstm,
    /// Gates r, z, n, the reset gate after the recurrent product.
    Gru,
}

/// Where a convolution's or pool's windows read over a channels-last map,
/// all per spatial axis (one axis in 1-D, rows then columns in 2-D).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// Input size per spatial axis.
    pub input: Vec<usize>,
    /// Input channels.
    pub channels: usize,
    /// Window size.
    pub kernel: Vec<usize>,
    /// Stride.
    pub stride: Vec<usize>,
    /// Dilation.
    pub dilation: Vec<usize>,
    /// Zeros before the first position.
    pub pad_begin: Vec<usize>,
    /// Zeros after the last position that the output size needs.
    pub pad_end: Vec<usize>,
    /// Output size per spatial axis.
    pub output: Vec<usize>,
}

impl Window {
    /// The window of a [`Geometry`](super::conv::Geometry).
    ///
    /// ```
    /// use typenet::layers::conv::Grid2d;
    /// use typenet::layers::export::Window;
    /// // 5x5, 3x3 window, stride 2, one zero before: 3x3 out needs one after.
    /// let w = Window::of::<Grid2d<5, 5, 1, 3, 3, 2, 2, 1, 1, 1, 1, 3, 3>>();
    /// assert_eq!((w.pad_begin, w.pad_end), (vec![1, 1], vec![1, 1]));
    /// ```
    pub fn of<G: super::conv::Geometry>() -> Self {
        let axes: Vec<[usize; 6]> = if G::RANK == 1 {
            vec![[G::W, G::KW, G::SW, G::DW, G::PL, G::OW]]
        } else {
            vec![[G::H, G::KH, G::SH, G::DH, G::PT, G::OH], [G::W, G::KW, G::SW, G::DW, G::PL, G::OW]]
        };
        let pick = |i: usize| axes.iter().map(|a| a[i]).collect::<Vec<_>>();
        let pad_end = axes
            .iter()
            .map(|&[input, kernel, stride, dilation, begin, output]| {
                let reach = (output - 1) * stride + dilation * (kernel - 1) + 1;
                reach.saturating_sub(input + begin)
            })
            .collect();
        Window {
            input: pick(0),
            channels: G::C,
            kernel: pick(1),
            stride: pick(2),
            dilation: pick(3),
            pad_begin: pick(4),
            pad_end,
            output: pick(5),
        }
    }
}

/// One entry of a network, described: its name, where its tensors are,
/// its shapes and what it computes.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// The field's name (a PyTorch submodule name).
    pub name: String,
    /// The prefix of its tensors' names within the network that holds
    /// it, with the trailing dot (`fc1.`; a nested network's layers'
    /// names follow its own): the saved name, which `#[rename]` may change.
    pub prefix: String,
    /// The per-sample input shape.
    pub input: Vec<usize>,
    /// The per-sample output shape.
    pub output: Vec<usize>,
    /// What it computes.
    pub op: Op,
}
