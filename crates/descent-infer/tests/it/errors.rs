//! Every `Error` variant, and that a refused call leaves the output as it was.

use descent_infer::{Activation, Error, Model, Output, Part, Standardize, predict, predict_class};

const W1: [f32; 4] = [1.0, 2.0, 3.0, 4.0];
const B1: [f32; 2] = [0.5, -0.5];

fn model() -> Model<'static, f32> {
    Model {
        layers: &[2, 2],
        weights: &[&W1],
        biases: &[&B1],
        activation: Activation::Relu,
        output: Output::Softmax,
        standardize: None,
    }
}

fn run(model: &Model<'_, f32>, n_in: usize, n_scratch: usize, n_out: usize) -> Result<(), Error> {
    let mut out = vec![7.0; n_out];
    let res = predict(model, &vec![1.0; n_in], &mut vec![0.0; n_scratch], &mut out);
    if res.is_err() {
        assert!(out.iter().all(|&v| v == 7.0), "the output was written: {out:?}");
    }
    res
}

#[test]
fn a_good_call_succeeds_and_writes_the_hand_computed_softmax() {
    let mut out = [0.0_f32; 2];
    predict(&model(), &[1.0, 1.0], &mut [0.0; 4], &mut out).unwrap();
    // z = (3.5, 6.5); softmax = (1, e^3)/(1 + e^3). Python: 1/(1+math.exp(3))
    assert!((out[0] - 0.047_425_874).abs() < 1e-7 && (out[1] - 0.952_574_1).abs() < 1e-6);
    assert_eq!(model().validate(), Ok(()));
}

#[test]
fn lengths_of_the_call() {
    let m = model();
    let len = |part, expected, got| Err(Error::Length { part, expected, got });
    assert_eq!(run(&m, 3, 4, 2), len(Part::Input, 2, 3));
    assert_eq!(run(&m, 2, 4, 1), len(Part::Output, 2, 1));
    assert_eq!(run(&m, 2, 3, 2), len(Part::Scratch, 4, 3));
    assert_eq!(run(&m, 2, 9, 2), Ok(()));
}

#[test]
fn lengths_of_the_model() {
    let len = |part, expected, got| Err(Error::Length { part, expected, got });
    let m = Model { weights: &[&W1, &W1], ..model() };
    assert_eq!(run(&m, 2, 4, 2), len(Part::WeightSlices, 1, 2));
    let m = Model { biases: &[], ..model() };
    assert_eq!(run(&m, 2, 4, 2), len(Part::BiasSlices, 1, 0));
    let m = Model { weights: &[&W1[..3]], ..model() };
    assert_eq!(run(&m, 2, 4, 2), len(Part::Weights(1), 4, 3));
    let m = Model { biases: &[&B1[..1]], ..model() };
    assert_eq!(run(&m, 2, 4, 2), len(Part::Biases(1), 2, 1));
    let m = Model { standardize: Some(Standardize { mean: &[0.0], std: &[1.0, 1.0] }), ..model() };
    assert_eq!(run(&m, 2, 4, 2), len(Part::Mean, 2, 1));
    let m = Model { standardize: Some(Standardize { mean: &[0.0; 2], std: &[1.0; 3] }), ..model() };
    assert_eq!(run(&m, 2, 4, 2), len(Part::Std, 2, 3));
}

#[test]
fn widths_and_output_kinds() {
    let m = Model { layers: &[2], weights: &[], biases: &[], ..model() };
    assert_eq!(run(&m, 2, 4, 2), Err(Error::Layers));
    let m = Model { layers: &[0, 2], weights: &[&[]], ..model() };
    assert_eq!(run(&m, 0, 4, 2), Err(Error::Layers));
    let m = Model { layers: &[usize::MAX, 2], ..model() };
    assert_eq!(m.validate(), Err(Error::Layers));
    let m = Model { output: Output::Sigmoid, ..model() };
    assert_eq!(run(&m, 2, 4, 2), Err(Error::OutputWidth { output: Output::Sigmoid, width: 2 }));
    let m = Model { layers: &[4, 1], output: Output::Softmax, biases: &[&B1[..1]], ..model() };
    assert_eq!(m.validate(), Err(Error::OutputWidth { output: Output::Softmax, width: 1 }));
    let m = Model { output: Output::Linear, ..model() };
    assert_eq!(
        predict_class(&m, &[1.0; 2], &mut [0.0; 4], &mut [0.0; 2]),
        Err(Error::NotClassifier)
    );
}

#[test]
fn messages_name_the_part() {
    let e = Error::Length { part: Part::Weights(2), expected: 6, got: 5 };
    assert_eq!(e.to_string(), "W2 has 5 values, the layer widths call for 6");
    let e = Error::Length { part: Part::Scratch, expected: 8, got: 2 };
    assert_eq!(e.to_string(), "the scratch buffer has 2 values, it needs at least 8");
    let e = Error::OutputWidth { output: Output::Softmax, width: 1 };
    assert_eq!(e.to_string(), "a softmax output cannot have 1 units");
    let boxed: Box<dyn std::error::Error> = Box::new(Error::NotClassifier);
    assert_eq!(boxed.to_string(), "a linear output has no classes");
}

#[test]
fn a_const_model_is_checked_at_compile_time() {
    const M: Model<'static, f64> = Model {
        layers: &[1, 1],
        weights: &[&[2.0]],
        biases: &[&[1.0]],
        activation: Activation::Tanh,
        output: Output::Linear,
        standardize: Some(Standardize { mean: &[1.0], std: &[0.0] }),
    };
    const _: () = assert!(M.validate().is_ok());
    const SCRATCH: usize = M.scratch_len();
    let mut out = [0.0];
    predict(&M, &[4.0], &mut [0.0; SCRATCH], &mut out).unwrap();
    // std 0 divides by 1: z = 2·(4 − 1) + 1 = 7.
    assert_eq!(out, [7.0]);
}
