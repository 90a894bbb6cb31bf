//! `evaluate`: loss and accuracy of a network on a data set, in `Eval`
//! behaviour.

use nalgebra::Const;

use crate::data::Dataset;
use crate::layers::Layer;
use crate::loss::{Accuracy, Loss};
use crate::network::{Network, NetworkDef};
use crate::tensor::{Batch, Cols, ColsMut};

/// Loss and accuracy of a network on a data set, as `evaluate` reports them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// Mean loss, plus the L2 penalty of `#[l2]` layers.
    pub loss: f32,
    /// Fraction correct; `None` for losses without accuracy (`Mse`).
    pub accuracy: Option<f32>,
}

/// Loss (with the L2 penalty) and accuracy of `net` on `data`, with every
/// layer that is not pinned to a phase behaving as in `Eval`.
pub fn evaluate<N, L, const IN: usize, const OUT: usize>(
    net: &N,
    data: &Dataset<IN, OUT>,
    loss: &L,
) -> Metrics
where
    N: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    L: Loss,
{
    let mut y = Batch::<OUT>::zeros(data.len());
    net.infer_eval(Cols::new(data.x().as_slice(), IN), ColsMut::new(y.as_mut_slice(), OUT));
    let value = loss.loss_slices(OUT, y.as_slice(), data.y().as_slice()) + net.l2_penalty();
    let accuracy = match loss.accuracy() {
        Accuracy::None => None,
        kind => {
            let (correct, total) = kind.count(OUT, y.as_slice(), data.y().as_slice());
            Some(correct as f32 / total.max(1) as f32)
        }
    };
    Metrics { loss: value, accuracy }
}
