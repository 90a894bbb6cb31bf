//! The public methods of every network: [`Network`] in any phase,
//! [`EvalNetwork`] for inference and [`TrainNetwork`] for training. They
//! are in the prelude; every `network!` type has them.
//!
//! This is where the network, training and weight IO meet: the methods
//! delegate to [`network`](crate::network), [`train`](crate::train) and
//! [`io`](crate::io), which know nothing of one another's user-facing
//! side.

use crate::no_std_prelude::*;
#[cfg(feature = "std")]
use std::path::Path;

use nalgebra::{Const, SVector};

#[cfg(feature = "std")]
use crate::data::Dataset;
#[cfg(feature = "std")]
use crate::error::Result;
#[cfg(feature = "std")]
use crate::io::{LoadOptions, StateDict};
use crate::layers::{Grads, Layer};
#[cfg(feature = "std")]
use crate::loss::Loss;
use crate::network::{
    backward, infer, Chain, InferMode, NetState, NetworkDef, Stream, StreamChain, TrainStateOf,
};
#[cfg(feature = "std")]
use crate::optim::Optimizer;
use crate::phase::{Eval, Train};
use crate::summary::Summary;
use crate::tensor::Batch;
#[cfg(feature = "std")]
use crate::train::{Evaluate, Fit, History, Metrics};

/// What every network has, in any phase: its sizes, phase changes, the
/// summary, evaluation and weight IO.
///
/// The sizes are also inherent constants of the `Eval` type, so
/// `Mnist::PARAMS` needs no phase; the parameter counts live on [`Layer`]
/// (every network is a layer).
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Small { input: 4, fc: Dense<3, Relu>, drop: Dropout(0.5), out: Dense<2> } }
/// assert_eq!(Small::PARAMS, 4 * 3 + 3 + 3 * 2 + 2);
/// fn params<N: Network>() -> usize { N::PARAMS }
/// assert_eq!(params::<Small<Train>>(), Small::PARAMS);
/// assert_eq!(Small::<Train>::INPUT, 4);
/// ```
pub trait Network: NetworkDef + Layer {
    /// The same network for inference; no weights are copied.
    fn into_eval(self) -> Self::ToPhase<Eval> {
        self.convert_phase(0)
    }

    /// The same network for training; no weights are copied, and `seed`
    /// drives the dropout masks.
    fn into_train(self, seed: u64) -> Self::ToPhase<Train> {
        self.convert_phase(seed)
    }

    /// The Keras-like table of layers; print it with `{}`.
    fn summary(&self) -> Summary {
        crate::network::summary(self)
    }

    /// The L2 penalty of the `#[l2]` layers, `sum(lambda * sum(w^2))`, to
    /// add to the loss in hand-written loops (`fit` and `evaluate` add it).
    fn l2_penalty(&self) -> f32 {
        crate::network::l2_penalty(self)
    }

    /// Loss (with the L2 penalty) and accuracy on `data`, with every layer
    /// that is not pinned to a phase behaving as in `Eval`.
    ///
    /// # Panics
    /// If `data` is empty: a loss of no sample is not 0, and returning one
    /// would hide a split or a filter that left nothing.
    /// [`try_evaluate`](Self::try_evaluate) returns `Error::Empty` instead.
    ///
    /// ```should_panic
    /// use typenet::prelude::*;
    /// network! { struct Tiny { input: 2, out: Dense<1> } }
    /// let empty = Dataset::<2, 1>::from_rows(&[], &[]).unwrap();
    /// Tiny::<Eval>::seeded(1).evaluate(&empty, &Mse); // panics: "evaluate got an empty data set"
    /// ```
    #[cfg(feature = "std")]
    fn evaluate<const IN: usize, const OUT: usize, L: Loss>(
        &self,
        data: &Dataset<IN, OUT>,
        loss: &L,
    ) -> Metrics
    where
        Self: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    {
        crate::train::evaluate(self, data, loss)
    }

    /// [`evaluate`](Self::evaluate), with an empty data set an error
    /// rather than a panic.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// network! { struct Tiny { input: 2, out: Dense<1> } }
    /// let empty = Dataset::<2, 1>::from_rows(&[], &[])?;
    /// assert!(matches!(Tiny::<Eval>::seeded(1).try_evaluate(&empty, &Mse), Err(Error::Empty(_))));
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Error::Empty` if `data` has no sample.
    #[cfg(feature = "std")]
    fn try_evaluate<const IN: usize, const OUT: usize, L: Loss>(
        &self,
        data: &Dataset<IN, OUT>,
        loss: &L,
    ) -> Result<Metrics>
    where
        Self: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    {
        crate::train::try_evaluate(self, data, loss)
    }

    /// [`evaluate`](Self::evaluate) with metrics and sample or class weights
    /// for the loss ([`Evaluate`]); the values are in
    /// [`Metrics::values`] by name.
    ///
    /// ```
    /// use typenet::metrics::{F1, TopK};
    /// use typenet::prelude::*;
    /// use typenet::train::Evaluate;
    /// network! { struct Tiny { input: 2, out: Dense<3> } }
    /// let x = Batch::<2>::from_column_slice(&[0.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
    /// let data = Dataset::<2, 3>::from_class_labels(x, &[0, 1, 2])?;
    /// let weights = [1.0, 2.0, 0.5];
    /// let options = Evaluate::new().metrics((TopK(2), F1::macro_averaged())).sample_weight(&weights);
    /// let metrics = Tiny::<Eval>::seeded(1).evaluate_with(&data, &CrossEntropy, options)?;
    /// assert!(metrics.get("top_2_accuracy").is_some() && metrics.get("macro_f1").is_some());
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Error::Empty` for an empty data set; `Error::InvalidArgument` for a
    /// metric that cannot measure this network (precision of a regression,
    /// a binary average over three classes, ...), a sample weight count
    /// other than the data's, weights that are negative or not finite, or
    /// sample and class weights together.
    #[cfg(feature = "std")]
    fn evaluate_with<const IN: usize, const OUT: usize, L: Loss>(
        &self,
        data: &Dataset<IN, OUT>,
        loss: &L,
        options: Evaluate<'_>,
    ) -> Result<Metrics>
    where
        Self: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    {
        crate::train::evaluate_with(self, data, loss, options)
    }

    /// Every saved tensor under its PyTorch-style name (`fc1.weight`
    /// `[out, in]` row-major, `fc1.bias`, `bn.running_mean`,
    /// `base.fc1.weight`), with the architecture and the typenet version as
    /// metadata: what `save` writes, owned, for other formats.
    #[cfg(feature = "std")]
    fn state_dict(&self) -> StateDict {
        crate::io::state_dict(self)
    }

    /// Saves the weights (and BatchNorm running statistics) as safetensors
    /// that PyTorch's `load_state_dict` takes; atomic: the file at `path` is
    /// either the old one or the new one.
    ///
    /// # Errors
    /// `Error::Io` if writing fails; the previous file is then intact.
    #[cfg(feature = "std")]
    fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::io::save(self, path)
    }

    /// A network with the tensors of the safetensors file at `path` (a
    /// typenet or PyTorch `state_dict` file), strictly: exact names, shapes,
    /// f32 and finite values.
    ///
    /// # Errors
    /// See [`typenet::io::load_into`](crate::io::load_into).
    #[cfg(feature = "std")]
    fn load(path: impl AsRef<Path>) -> Result<Self> {
        Self::load_with(path, &LoadOptions::default())
    }

    /// [`load`](Self::load) with options (extra tensors, dtype conversion,
    /// non-finite values).
    ///
    /// # Errors
    /// See [`typenet::io::load_into`](crate::io::load_into).
    #[cfg(feature = "std")]
    fn load_with(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Self> {
        let mut net = <Self as crate::layers::Init>::init(&mut crate::rng::init_rng(0));
        net.load_into_with(path, options)?;
        Ok(net)
    }

    /// Replaces this network's tensors with the file's; on any error the
    /// network is left bit for bit as it was.
    ///
    /// # Errors
    /// See [`typenet::io::load_into`](crate::io::load_into); when tensors
    /// are missing, unexpected or misshapen and the file records another
    /// architecture, `Error::OtherArchitecture` names the network it was
    /// saved from and the first summary row that differs.
    #[cfg(feature = "std")]
    fn load_into(&mut self, path: impl AsRef<Path>) -> Result<()> {
        self.load_into_with(path, &LoadOptions::default())
    }

    /// [`load_into`](Self::load_into) with options.
    ///
    /// # Errors
    /// See [`typenet::io::load_into`](crate::io::load_into).
    #[cfg(feature = "std")]
    fn load_into_with(&mut self, path: impl AsRef<Path>, options: &LoadOptions) -> Result<()> {
        crate::io::load_network_into(self, path.as_ref(), options)
    }

    /// The Python source of a PyTorch `nn.Module` computing what this
    /// network computes, with its submodules named as its fields, so
    /// `load_state_dict(strict=True)` takes the file [`save`](Self::save)
    /// writes; see [`io::pytorch`](crate::io::pytorch).
    ///
    /// # Errors
    /// [`Error::Export`](crate::Error::Export) naming a layer without a PyTorch form.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// network! { struct Tiny { input: 3, fc: Dense<2, Tanh> } }
    /// let source = Tiny::<Eval>::seeded(1).to_pytorch_module()?;
    /// assert!(source.contains("class Tiny(nn.Module):"));
    /// # Ok::<(), typenet::Error>(())
    /// ```
    #[cfg(feature = "std")]
    fn to_pytorch_module(&self) -> Result<String> {
        crate::io::pytorch::to_pytorch_module(self)
    }
}

impl<N: NetworkDef> Network for N {}

/// Inference: what an `Eval` network does.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Small { input: 4, fc: Dense<3, Relu>, drop: Dropout(0.5), out: Dense<2> } }
/// let net = Small::<Eval>::seeded(1);
/// let x = Batch::<4>::from_element(5, 0.5);
/// let y = net.forward(&x);
/// let p = net.predict(&x.column(0).into_owned());
/// assert_eq!(p, y.column(0));
/// ```
pub trait EvalNetwork: NetworkDef<Phase = Eval> {
    /// Inference on a batch; dropout is the identity.
    fn forward<const IN: usize, const OUT: usize>(&self, x: &Batch<IN>) -> Batch<OUT>
    where
        Self: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    {
        let mut out = Batch::<OUT>::zeros(x.ncols());
        self.forward_into(x, &mut out);
        out
    }

    /// [`forward`](Self::forward) into an existing batch (resized only if
    /// its batch size differs); allocation-free once warmed.
    fn forward_into<const IN: usize, const OUT: usize>(&self, x: &Batch<IN>, out: &mut Batch<OUT>)
    where
        Self: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    {
        if out.ncols() != x.ncols() {
            *out = Batch::<OUT>::zeros(x.ncols());
        }
        infer(self, InferMode::AsEval, x.as_slice(), out.as_mut_slice(), x.ncols());
    }

    /// Inference on one sample, with no heap allocation for networks whose
    /// layers are at most 4,096 wide.
    fn predict<const IN: usize, const OUT: usize>(&self, x: &SVector<f32, IN>) -> SVector<f32, OUT>
    where
        Self: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    {
        let mut out = SVector::<f32, OUT>::zeros();
        infer(self, InferMode::AsEval, x.as_slice(), out.as_mut_slice(), 1);
        out
    }

    /// Inference on one sample given as a slice of `Self::INPUT` values,
    /// into `out` (`Self::OUTPUT` values): for inputs too large to build as
    /// an `SVector` on the stack, or already held in a buffer.
    ///
    /// # Panics
    /// If the slices have other lengths.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// network! { struct Wide { input: 40000, out: Dense<2> } }
    /// let net = Wide::<Eval>::seeded(1);
    /// let sample = vec![0.1f32; 40000];
    /// let mut out = [0.0f32; 2];
    /// net.predict_slice(&sample, &mut out);
    /// assert!(out.iter().all(|v| v.is_finite()));
    /// ```
    fn predict_slice(&self, x: &[f32], out: &mut [f32]) {
        assert_eq!(
            x.len(),
            Self::INPUT,
            "predict_slice: the input has {} values, the network takes {}",
            x.len(),
            Self::INPUT
        );
        assert_eq!(
            out.len(),
            Self::OUTPUT,
            "predict_slice: the output has room for {} values, the network gives {}",
            out.len(),
            Self::OUTPUT
        );
        infer(self, InferMode::AsEval, x, out, 1);
    }

    /// A [`Stream`]: the network run one time step at a time, every
    /// layer's state zeroed (`{Net}Stream`). Available when every layer is
    /// causal; feeding a sequence step by step gives what `forward` gives
    /// for the whole sequence.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// network! { struct Echo { input: [16, 2], rnn: Lstm<4, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
    /// let net = Echo::<Eval>::seeded(5);
    /// let x = SVector::<f32, 32>::from_fn(|i, _| (i as f32 * 0.7).sin());
    /// let whole = net.predict(&x);
    /// let mut stream = net.stream();
    /// for t in 0..16 {
    ///     let y = stream.step(&net, &SVector::<f32, 2>::new(x[2 * t], x[2 * t + 1]));
    ///     assert!((y[0] - whole[t]).abs() < 1e-5);
    /// }
    /// ```
    fn stream(&self) -> Stream<Self>
    where
        Self::Layers: StreamChain,
    {
        // Evaluated here, so a network that cannot stream is reported at
        // the call to `stream()` (when the code is built).
        let () = Stream::<Self>::CAN_STREAM;
        Stream::new()
    }

    /// The ONNX model (opset 17) of this network: input and output in
    /// typenet's layout (batch first, channels last), initializers under
    /// PyTorch's names; see [`io::onnx`](crate::io::onnx).
    ///
    /// # Errors
    /// [`Error::Export`](crate::Error::Export) naming a layer ONNX cannot express.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// network! { struct Tiny { input: 3, fc: Dense<2> } }
    /// let bytes = Tiny::<Eval>::seeded(1).to_onnx_bytes()?;
    /// assert!(bytes.len() > 2 * 3 * 4);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    #[cfg(feature = "std")]
    fn to_onnx_bytes(&self) -> Result<Vec<u8>> {
        crate::io::onnx::to_onnx_bytes(self)
    }

    /// Writes [`to_onnx_bytes`](Self::to_onnx_bytes) to `path`, atomically.
    ///
    /// # Errors
    /// As [`to_onnx_bytes`](Self::to_onnx_bytes), and `Error::Io` if writing fails.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// network! { struct Tiny { input: 3, fc: Dense<2> } }
    /// let path = std::env::temp_dir().join(format!("typenet-onnx-doc-{}.onnx", std::process::id()));
    /// Tiny::<Eval>::seeded(1).to_onnx(&path)?;
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), typenet::Error>(())
    /// ```
    #[cfg(feature = "std")]
    fn to_onnx(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::io::onnx::to_onnx(self, path)
    }
}

impl<N: NetworkDef<Phase = Eval>> EvalNetwork for N {}

/// Training: what a `Train` network does.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Small { input: 4, fc: Dense<3, Relu>, drop: Dropout(0.5), out: Dense<2> } }
/// let mut net = Small::<Train>::seeded(1);
/// let x = Batch::<4>::from_element(5, 0.5);
/// let t = Batch::<2>::zeros(5);
/// let y = net.forward(&x);
/// let grads = net.backward(&Mse.grad(&y, &t));
/// Sgd::new(0.1).step(&mut net, &grads);
/// assert_eq!(net.outputs().len(), 3);
/// ```
pub trait TrainNetwork: Training {
    /// Training forward: dropout masks are drawn and what backward needs is
    /// kept.
    fn forward<const IN: usize, const OUT: usize>(&mut self, x: &Batch<IN>) -> Batch<OUT>
    where
        Self: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    {
        let mut out = Batch::<OUT>::zeros(x.ncols());
        self.forward_into(x, &mut out);
        out
    }

    /// [`forward`](Self::forward) into an existing batch; allocation-free
    /// once warmed.
    fn forward_into<const IN: usize, const OUT: usize>(&mut self, x: &Batch<IN>, out: &mut Batch<OUT>)
    where
        Self: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    {
        if out.ncols() != x.ncols() {
            *out = Batch::<OUT>::zeros(x.ncols());
        }
        let (layers, state) = self.layers_mut();
        let state = train_state::<Self>(state);
        // `backward` is not given the input again: keep a copy.
        state.input.resize(x.len(), 0.0);
        crate::linalg::copy(&mut state.input, x.as_slice());
        state.cols = x.ncols();
        let y = Self::Layers::train_forward(layers, &mut state.buffers, &state.input, x.ncols());
        out.as_mut_slice().copy_from_slice(y);
    }

    /// Gradients of the last forward, summed over the batch as given (the
    /// losses' `grad` already divides by the batch size).
    ///
    /// # Panics
    /// If `grad_out` holds a different number of samples than the last
    /// forward.
    fn backward<const OUT: usize>(&mut self, grad_out: &Batch<OUT>) -> Self::Grads
    where
        Self: NetworkDef<Output = Const<OUT>>,
    {
        // Every gradient is overwritten below, so the storage of gradients
        // dropped earlier serves: no fresh memory to fault in every step.
        let mut grads = Self::Grads::recycled();
        self.backward_into(grad_out, &mut grads);
        grads
    }

    /// [`backward`](Self::backward) into existing gradients (overwritten);
    /// allocation-free once warmed.
    ///
    /// # Panics
    /// If `grad_out` holds a different number of samples than the last
    /// forward.
    fn backward_into<const OUT: usize>(&mut self, grad_out: &Batch<OUT>, grads: &mut Self::Grads)
    where
        Self: NetworkDef<Output = Const<OUT>>,
    {
        let state = train_state::<Self>(self.layers_mut().1);
        let cols = state.cols;
        assert_eq!(
            cols,
            grad_out.ncols(),
            "backward got a gradient for {} samples, but the last training forward saw {cols}",
            grad_out.ncols()
        );
        let mut state = core::mem::take(state);
        backward(self, &mut state.buffers, &state.input, cols, grad_out.as_slice(), None, Some(grads));
        *train_state::<Self>(self.layers_mut().1) = state;
    }

    /// [`backward`](Self::backward) that also returns the gradient with
    /// respect to the input of the last forward (saliency maps,
    /// adversarial examples, chaining into code outside the network).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// network! { struct Tiny { input: [4, 1], conv: Conv1d<2, 3, Tanh>, flat: Flatten, out: Dense<1> } }
    /// let mut net = Tiny::<Train>::seeded(3);
    /// let x = Batch::<4>::from_element(2, 0.5);
    /// let y = net.forward(&x);
    /// let (grads, dx) = net.backward_with_input(&Mse.grad(&y, &Batch::<1>::zeros(2)));
    /// assert_eq!(dx.shape(), (4, 2));
    /// assert!(grads.out.bias()[0].is_finite());
    /// ```
    ///
    /// # Panics
    /// If `grad_out` holds a different number of samples than the last
    /// forward.
    fn backward_with_input<const IN: usize, const OUT: usize>(
        &mut self,
        grad_out: &Batch<OUT>,
    ) -> (Self::Grads, Batch<IN>)
    where
        Self: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    {
        let mut grads = Self::Grads::recycled();
        let state = train_state::<Self>(self.layers_mut().1);
        let cols = state.cols;
        assert_eq!(
            cols,
            grad_out.ncols(),
            "backward got a gradient for {} samples, but the last training forward saw {cols}",
            grad_out.ncols()
        );
        let mut grad_x = Batch::<IN>::zeros(cols);
        let mut state = core::mem::take(state);
        let dx = Some(grad_x.as_mut_slice());
        backward(self, &mut state.buffers, &state.input, cols, grad_out.as_slice(), dx, Some(&mut grads));
        *train_state::<Self>(self.layers_mut().1) = state;
        (grads, grad_x)
    }

    /// Trains on `data` (Keras' `model.fit`): mini-batches, optional
    /// validation split (evaluated with dropout off), metrics, sample and
    /// class weights, early stopping, gradient clipping, learning-rate
    /// schedules, callbacks that see the network and the optimiser (see
    /// [`Fit`]). Shows a progress bar on a terminal and one line per epoch
    /// otherwise (see [`Verbosity`](crate::train::Verbosity)).
    ///
    /// In a build whose typenet code is not optimised (a plain `cargo run`),
    /// the first `fit` prints one line to standard error saying how to make
    /// training some 30 times faster (set `TYPENET_NO_DEBUG_NOTICE=1` to
    /// hide it); release builds never print it.
    ///
    /// Training never returns `Ok` with non-finite weights, and after any
    /// `Err` the network holds finite weights:
    ///
    /// # Errors
    /// - Before any weight changes: `Error::InvalidArgument` for invalid
    ///   settings (see [`Fit::validate`]), metrics that cannot measure this
    ///   network, or sample weights whose count differs from the data's;
    ///   `Error::NonFiniteData` for a NaN or infinite sample;
    ///   `Error::InvalidData` for an input the first layer cannot take (see
    ///   [`Layer::check_inputs`]: a token id outside an `Embedding`'s
    ///   vocabulary); `Error::Empty` for an empty data set, or a validation
    ///   split that leaves no training sample; `Error::InvalidArgument` when
    ///   a callback monitors a value this `fit` does not measure.
    /// - `Error::NonFinite { epoch, step }` when a batch's loss or gradient
    ///   norm is not finite (no step is taken with it: the weights are those
    ///   of the last step), or when an update writes a non-finite weight
    ///   (the network and the optimiser are put back as they were at the
    ///   start of that epoch).
    /// - `Error::NonFiniteValidation` when the validation loss is not finite.
    /// - `Error::InvalidArgument` when a schedule gives an invalid rate.
    /// - A callback's error (`Error::Io` from a checkpoint that cannot be
    ///   written, say), as it returned it.
    #[cfg(feature = "std")]
    fn fit<const IN: usize, const OUT: usize, O: Optimizer + Clone + 'static, L: Loss>(
        &mut self,
        data: &Dataset<IN, OUT>,
        opt: &mut O,
        loss: &L,
        settings: Fit<'_>,
    ) -> Result<History>
    where
        Self: NetworkDef<Input = Const<IN>, Output = Const<OUT>> + 'static,
    {
        crate::train::fit(self, data, opt, loss, settings)
    }

    /// What every layer output in the last training forward, by entry:
    /// `(name, values)` with one column of the layer's width per sample (a
    /// layer that passes its input through shows its input). For looking
    /// inside a network: which layers a dropout mask changed, say.
    fn outputs(&mut self) -> Vec<(&'static str, &[f32])> {
        let state = train_state::<Self>(self.layers_mut().1);
        let mut values = Vec::with_capacity(<Self::Layers as Chain>::LEN);
        Self::Layers::outputs(&state.buffers, Self::ENTRIES, &state.input, &mut values);
        Self::ENTRIES.iter().map(|e| e.name).zip(values).collect()
    }
}

impl<N: Training> TrainNetwork for N {}

/// A network in the `Train` phase: what `forward(&mut self)`, `backward`
/// and `fit` need. Its message is what rustc shows when they are called
/// on an inference network.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is an inference network: `backward`, `fit` and the training `forward` need `Train`",
    label = "this network is in `Eval`",
    note = "call `.into_train(seed)` to train it (the seed drives the dropout masks; no weights are copied), or declare it as `{Self}::<Train>`"
)]
pub trait Training: NetworkDef<Phase = Train> {}

impl<N: NetworkDef<Phase = Train>> Training for N {}

/// The training state of a `Train` network (in `Train`, the state itself).
fn train_state<N: NetworkDef<Phase = Train>>(state: &mut TrainStateOf<N>) -> &mut NetState<N::Layers> {
    state
}
