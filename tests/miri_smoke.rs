//! Small streaming, convolutional and recurrent networks whose per-step
//! products end in every kind of partial block of the step kernel (a 64-row
//! chunk holding 36, 40 or 16 rows): sized for Miri (tools/miri.sh), which
//! checks that no kernel forms or follows a pointer outside its slices.
//! Natively they are a quick check that a step equals `forward`.

use typenet::prelude::*;

network! {
    /// 4 x 10 gate rows: one chunk of 40 (a partial third block, an empty fourth).
    pub struct LstmSteps { input: [4, 3], rnn: Lstm<10, return_sequences = true> }
}

network! {
    /// 3 x 12 gate rows: one chunk of 36.
    pub struct GruSteps { input: [3, 2], rnn: Gru<12, return_sequences = true> }
}

network! {
    /// 4 x 20 gate rows: a full chunk of 64, then one of 16 (three empty blocks).
    pub struct WideLstmSteps { input: [3, 2], rnn: Lstm<20>, out: Dense<3> }
}

network! {
    /// 40 filters per step: a chunk of 40, as `Conv1d<33..=48, ..>` streams.
    pub struct CausalConvSteps { input: [4, 2], conv: Conv1d<40, 2, padding = Causal>, out: TimeDistributed(Dense<2>) }
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-5 + 1e-4 * b.abs()
}

/// Streams `x` (`T` steps of `F` features) through `net` and checks every
/// step's output against `forward`'s row for that step (`per_step` outputs
/// each), or the last step's against the whole output when `per_step` is 0.
macro_rules! check_stream {
    ($net:expr, $x:expr, $steps:expr, $features:expr, $per_step:expr) => {{
        let (net, x, per_step): (_, _, usize) = ($net, $x, $per_step);
        let whole = net.predict(&x);
        let mut stream = net.stream();
        for t in 0..$steps {
            let step = SVector::<f32, $features>::from_column_slice(
                &x.as_slice()[$features * t..$features * (t + 1)],
            );
            let y = stream.step(&net, &step);
            if per_step > 0 {
                for o in 0..per_step {
                    assert!(
                        close(y[o], whole[per_step * t + o]),
                        "step {t}: {} vs {}",
                        y[o],
                        whole[per_step * t + o]
                    );
                }
            } else if t + 1 == $steps {
                for o in 0..y.len() {
                    assert!(close(y[o], whole[o]), "{} vs {}", y[o], whole[o]);
                }
            }
        }
    }};
}

fn ramp<const N: usize>() -> SVector<f32, N> {
    SVector::from_fn(|i, _| ((i * 7 % 11) as f32 - 5.0) / 5.0)
}

#[test]
fn steps_through_lstm_gru_and_causal_conv_equal_forward() {
    check_stream!(LstmSteps::<Eval>::seeded(1), ramp::<12>(), 4, 3, 10);
    check_stream!(GruSteps::<Eval>::seeded(2), ramp::<6>(), 3, 2, 12);
    check_stream!(WideLstmSteps::<Eval>::seeded(3), ramp::<6>(), 3, 2, 0);
    check_stream!(CausalConvSteps::<Eval>::seeded(4), ramp::<8>(), 4, 2, 2);
}

#[test]
fn a_training_step_through_conv_and_recurrent_layers_is_finite() {
    let mut net = CausalConvSteps::<Train>::seeded(5);
    let x = ramp::<8>();
    let y = net.forward(&Batch::<8>::from_column_slice(x.as_slice()));
    let grads = net.backward(&y);
    let mut opt = Sgd::new(0.01);
    opt.step(&mut net, &grads);
    let mut rnn = LstmSteps::<Train>::seeded(6);
    let y = rnn.forward(&Batch::<12>::from_column_slice(ramp::<12>().as_slice()));
    let grads = rnn.backward(&y);
    opt.step(&mut rnn, &grads);
    assert!(net.into_eval().predict(&x).iter().all(|v| v.is_finite()));
    assert!(rnn.into_eval().predict(&ramp::<12>()).iter().all(|v| v.is_finite()));
}
