//! Test support for the optimizers' unit tests, compiled only under `#[cfg(test)]`: the tiny
//! two-step problem of `reference.py`, comparisons, shared checks, and the macro that stamps a
//! generic test out per backend and dtype.

use descent_core::{Backend, Error, Optimizer, OptimizerState, Scalar};

/// The parameters `[W0, W1, b]` of tests/fixtures/optim/reference.py: `W` is 2×1, `b` is 1×1.
pub(crate) const PARAMS: [f64; 3] = [0.5, -1.0, 0.25];
/// The gradients of the first step (`b`'s is tiny, so that `ε` matters).
pub(crate) const G1: [f64; 3] = [0.1, -0.2, 1e-8];
/// The gradients of the second step.
pub(crate) const G2: [f64; 3] = [-0.3, 0.4, -2e-8];
/// The learning rate of the first step.
pub(crate) const LR1: f64 = 0.01;
/// The learning rate of the second step.
pub(crate) const LR2: f64 = 0.005;

/// `W` (2×1) and `b` (1×1) holding `values`.
pub(crate) fn pair<T: Scalar, B: Backend<T>>(values: [f64; 3]) -> Vec<B::Matrix> {
    let v = values.map(T::from_f64);
    vec![B::from_col_major(2, 1, &v[..2]).unwrap(), B::from_col_major(1, 1, &v[2..]).unwrap()]
}

/// The parameters of the tiny problem.
pub(crate) fn tiny_params<T: Scalar, B: Backend<T>>() -> Vec<B::Matrix> {
    pair::<T, B>(PARAMS)
}

/// Gradients shaped like the tiny problem's parameters.
pub(crate) fn tiny_grads<T: Scalar, B: Backend<T>>(values: [f64; 3]) -> Vec<B::Matrix> {
    pair::<T, B>(values)
}

/// All elements of `params` in order, column-major, as `f64`.
pub(crate) fn values<T: Scalar, B: Backend<T>>(params: &[B::Matrix]) -> Vec<f64> {
    params.iter().flat_map(|p| B::to_col_major(p)).map(T::to_f64).collect()
}

/// The state buffers called `name`, concatenated in parameter order, as `f64`.
pub(crate) fn slot_values<T: Scalar>(state: &OptimizerState<T>, name: &str) -> Vec<f64> {
    state
        .slots
        .iter()
        .filter(|s| s.name == name)
        .flat_map(|s| &s.data)
        .map(|x| x.to_f64())
        .collect()
}

/// Asserts `got ≈ expected`: within `tol_f64` (0 = bit for bit) in f64, and within 1e-6 of
/// `max(1, |expected|)` in f32.
pub(crate) fn assert_values<T: Scalar>(got: &[f64], expected: &[f64], tol_f64: f64, what: &str) {
    assert_eq!(got.len(), expected.len(), "{what}: lengths");
    for (i, (&g, &e)) in got.iter().zip(expected).enumerate() {
        let tol = if T::DTYPE == "f32" { 1e-6 * e.abs().max(1.0) } else { tol_f64 };
        assert!((g - e).abs() <= tol, "{what}[{i}] {}: got {g:e}, expected {e:e}", T::DTYPE);
    }
}

/// After one good step, a step with a wrongly shaped or missing gradient fails and changes
/// neither the parameters nor the state.
pub(crate) fn check_rejects_bad_grads<T: Scalar, B: Backend<T>>(opt: &mut dyn Optimizer<T, B>) {
    let mut params = tiny_params::<T, B>();
    opt.init(&params).unwrap();
    opt.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
    let (before, state) = (values::<T, B>(&params), opt.state());
    let g = tiny_grads::<T, B>(G2);
    // The first gradient is fine: it must not be applied when the second is wrong.
    let wrong = vec![g[0].clone(), B::zeros(1, 2)];
    let err = opt.step(&mut params, &wrong, T::from_f64(LR2)).unwrap_err();
    assert_eq!(err, Error::ShapeMismatch { op: opt.name(), expected: (1, 1), got: (1, 2) });
    let err = opt.step(&mut params, &g[..1], T::from_f64(LR2)).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    assert_eq!(values::<T, B>(&params), before, "{}: parameters changed", opt.name());
    assert_eq!(opt.state(), state, "{}: state changed", opt.name());
}

/// Saving the state after one step and loading it into a fresh optimizer (with and without
/// `init`) continues bit for bit as if the run had never stopped.
pub(crate) fn check_resume_is_bit_identical<T: Scalar, B: Backend<T>, O: Optimizer<T, B>>(
    make: impl Fn() -> O,
) {
    let mut params = tiny_params::<T, B>();
    let mut first = make();
    first.init(&params).unwrap();
    first.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
    let saved = first.state();

    let mut lazy = make();
    lazy.load_state(&saved).unwrap();
    let mut ready = make();
    ready.init(&params).unwrap();
    ready.load_state(&saved).unwrap();
    let (mut lazy_params, mut ready_params) = (params.clone(), params.clone());

    for (g, lr) in [(G2, LR2), (G1, 0.02), (G2, LR1)] {
        let (g, lr) = (tiny_grads::<T, B>(g), T::from_f64(lr));
        first.step(&mut params, &g, lr).unwrap();
        lazy.step(&mut lazy_params, &g, lr).unwrap();
        ready.step(&mut ready_params, &g, lr).unwrap();
    }
    let expected = values::<T, B>(&params);
    assert_eq!(values::<T, B>(&lazy_params), expected, "{}: loaded before init", first.name());
    assert_eq!(values::<T, B>(&ready_params), expected, "{}: loaded after init", first.name());
    assert_eq!(lazy.state(), first.state());
    assert_eq!(ready.state(), first.state());
    assert_eq!(first.state().step, 4);
}

/// Loading `foreign` (another optimizer's state, or a misshapen one) fails with
/// `InvalidArgument` and leaves the state as it was.
pub(crate) fn check_rejects_state<T: Scalar, B: Backend<T>>(
    opt: &mut dyn Optimizer<T, B>,
    foreign: &OptimizerState<T>,
) {
    let mut params = tiny_params::<T, B>();
    opt.init(&params).unwrap();
    opt.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
    let before = opt.state();
    let err = opt.load_state(foreign).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{}: {err}", opt.name());
    assert_eq!(opt.state(), before, "{}: state changed", opt.name());
}

/// Stamps each generic test `fn name<T: Scalar, B: Backend<T>>()` out as `#[test]`s per
/// backend and dtype, in modules named `backend_dtype`.
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        $crate::optim::test_support::backend_tests!(@backend ndarray_f32, f32, descent_ndarray::Ndarray, $($name),+);
        $crate::optim::test_support::backend_tests!(@backend ndarray_f64, f64, descent_ndarray::Ndarray, $($name),+);
        $crate::optim::test_support::backend_tests!(@backend nalgebra_f32, f32, descent_nalgebra::Nalgebra, $($name),+);
        $crate::optim::test_support::backend_tests!(@backend nalgebra_f64, f64, descent_nalgebra::Nalgebra, $($name),+);
        $crate::optim::test_support::backend_tests!(@backend faer_f32, f32, descent_faer::Faer, $($name),+);
        $crate::optim::test_support::backend_tests!(@backend faer_f64, f64, descent_faer::Faer, $($name),+);
    };
    (@backend $module:ident, $t:ty, $b:ty, $($name:ident),+) => {
        mod $module {
            $(
                #[test]
                fn $name() {
                    super::$name::<$t, $b>();
                }
            )+
        }
    };
}
pub(crate) use backend_tests;
