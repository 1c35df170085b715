//! Costs, accuracy and target encoding for each output kind, computed stably.

use descent_core::{Backend, Error, Result, Scalar, check_shape};

use crate::model::Output;

/// The sigmoid output layer: `a = σ(z)`, and `softplus = ln(1 + e^{-|z|})` for the cost.
///
/// `e^{-|z|}` is computed once, for a whole batch at a time ([`Scalar::exp_slice`], vectorised
/// for `f32`), and serves both: `σ(z) = 1 / (1 + e^{-z})` for `z ≥ 0` and `e^{z} / (1 + e^{z})`
/// below, which never overflows and equals [`descent_core::sigmoid`] bit for bit when the
/// exponential does (always in `f64`); then `ln(1 + e^{-|z|})` in place
/// ([`Scalar::ln_1p_slice`]). `softplus` is `z`'s elements in column-major order.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `a` and `z` differ in shape.
pub(crate) fn sigmoid_output<T: Scalar, B: Backend<T>>(
    a: &mut B::Matrix,
    z: &B::Matrix,
    softplus: &mut [T],
) -> Result<()> {
    let (rows, cols) = B::shape(z);
    check_shape("sigmoid", (rows, cols), B::shape(a))?;
    check_shape("sigmoid", (rows * cols, 1), (softplus.len(), 1))?;
    if rows == 0 {
        return Ok(());
    }
    let e = softplus;
    match B::as_slice(z) {
        Some(z) => e.iter_mut().zip(z).for_each(|(e, &z)| *e = -z.abs()),
        None => {
            for (j, e) in e.chunks_exact_mut(rows).enumerate() {
                e.iter_mut().zip(B::col(z, j)).for_each(|(e, &z)| *e = -z.abs());
            }
        }
    }
    T::exp_slice(e);
    let logistic = |z: T, e: T| if z >= T::ZERO { T::ONE / (T::ONE + e) } else { e / (T::ONE + e) };
    match (B::as_slice(z), B::as_mut_slice(a)) {
        (Some(z), Some(a)) => {
            a.iter_mut().zip(z.iter().zip(&*e)).for_each(|(a, (&z, &e))| *a = logistic(z, e));
        }
        _ => {
            for (j, e) in e.chunks_exact(rows).enumerate() {
                let (z, a) = (B::col(z, j), B::col_mut(a, j));
                a.iter_mut().zip(z.iter().zip(e)).for_each(|(a, (&z, &e))| *a = logistic(z, e));
            }
        }
    }
    T::ln_1p_slice(e);
    Ok(())
}

/// The cost summed over the examples (columns), from the logits `z` and outputs `a` (and, for
/// the sigmoid output, `softplus` as [`sigmoid_output`] left it).
///
/// - sigmoid, binary cross-entropy: `max(z, 0) - z·y + ln(1 + e^{-|z|})` per example, which
///   equals `-y·ln(a) - (1-y)·ln(1-a)` without ever taking `ln(0)`;
/// - softmax, categorical cross-entropy: `logsumexp(z) - Σ_k y_k·z_k` per example;
/// - linear, squared error: `Σ_k (a_k - y_k)² / n_L` per example.
///
/// With `weights` (one per example), each example's cost is multiplied by its weight before
/// the sum: `Σ_j w_j·ℓ_j`.
pub(crate) fn sum<T: Scalar, B: Backend<T>>(
    output: Output,
    z: &B::Matrix,
    a: &B::Matrix,
    softplus: &[T],
    y: &B::Matrix,
    weights: Option<&[T]>,
) -> T {
    let (rows, cols) = B::shape(z);
    let mut total = T::ZERO;
    for j in 0..cols {
        let (z, a, y) = (B::col(z, j), B::col(a, j), B::col(y, j));
        let cost = match output {
            Output::Sigmoid => {
                let sp = &softplus[j * rows..(j + 1) * rows];
                z.iter().zip(y).zip(sp).map(|((&z, &y), &sp)| bce_from_softplus(z, y, sp)).sum()
            }
            Output::Softmax => {
                let max = z.iter().fold(T::from_f64(f64::NEG_INFINITY), |m, &x| m.max(x));
                let lse = max + z.iter().map(|&x| (x - max).exp()).sum::<T>().ln();
                lse - z.iter().zip(y).map(|(&z, &y)| z * y).sum::<T>()
            }
            Output::Linear => {
                a.iter().zip(y).map(|(&a, &y)| (a - y) * (a - y)).sum::<T>() / T::from_usize(rows)
            }
        };
        total += match weights {
            Some(w) => w[j] * cost,
            None => cost,
        };
    }
    total
}

/// `-y·ln(σ(z)) - (1-y)·ln(1-σ(z))` evaluated as `max(z,0) - z·y + softplus`, where
/// `softplus = ln(1 + e^{-|z|})`.
#[inline]
pub(crate) fn bce_from_softplus<T: Scalar>(z: T, y: T, softplus: T) -> T {
    z.max(T::ZERO) - z * y + softplus
}

/// [`bce_from_softplus`] with its `softplus` computed here, element by element.
#[cfg(test)]
pub(crate) fn bce_with_logit<T: Scalar>(z: T, y: T) -> T {
    bce_from_softplus(z, y, (-z.abs()).exp().ln_1p())
}

/// Examples predicted correctly: sigmoid `a > 0.5` against `y > 0.5`; softmax arg-max of `a`
/// against arg-max of the one-hot `y`; linear: none.
pub(crate) fn count_correct<T: Scalar, B: Backend<T>>(
    output: Output,
    a: &B::Matrix,
    y: &B::Matrix,
) -> usize {
    let half = T::from_f64(0.5);
    let cols = B::shape(a).1;
    match output {
        Output::Linear => 0,
        Output::Sigmoid => {
            (0..cols).filter(|&j| (B::col(a, j)[0] > half) == (B::col(y, j)[0] > half)).count()
        }
        Output::Softmax => {
            (0..cols).filter(|&j| argmax(B::col(a, j)) == argmax(B::col(y, j))).count()
        }
    }
}

/// The index of the largest element (the first on ties).
pub(crate) fn argmax<T: Scalar>(v: &[T]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// Writes one example's target as the output column `col`.
pub(crate) fn encode_target<T: Scalar>(output: Output, target: &[T], col: &mut [T]) -> Result<()> {
    let invalid = |reason: String| Err(Error::InvalidArgument { op: "target", reason });
    match output {
        Output::Linear => {
            if target.len() != col.len() {
                return invalid(format!(
                    "{} target values for {} outputs",
                    target.len(),
                    col.len()
                ));
            }
            col.copy_from_slice(target);
        }
        Output::Sigmoid => {
            let t = target[0];
            if target.len() != 1 || !(t == T::ZERO || t == T::ONE) {
                return invalid(format!("a sigmoid output needs labels 0 or 1, got {t}"));
            }
            col[0] = t;
        }
        Output::Softmax => {
            let t = target[0].to_f64();
            if target.len() != 1 || t < 0.0 || t.fract() != 0.0 || t >= col.len() as f64 {
                return invalid(format!(
                    "a softmax output with {} classes needs labels 0..{}, got {t}",
                    col.len(),
                    col.len()
                ));
            }
            col.fill(T::ZERO);
            col[t as usize] = T::ONE;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_cross_entropy_is_finite_for_confident_predictions() {
        // Hand values: σ(0) = 0.5, so the cost is ln 2 for either label.
        assert!((bce_with_logit(0.0_f64, 1.0) - std::f64::consts::LN_2).abs() < 1e-15);
        // Confidently right: cost ≈ e^{-40}; confidently wrong: cost ≈ 40; never inf/NaN.
        assert!(bce_with_logit(40.0_f64, 1.0) < 1e-17);
        assert!((bce_with_logit(-40.0_f64, 1.0) - 40.0).abs() < 1e-12);
        assert!((bce_with_logit(800.0_f32, 0.0) - 800.0).abs() < 1e-3);
        // ln(1 + e^{-2}) + 2·(1 - 0) for z = -2, y = 0 is ln(1 + e^{-2}): 0.12692801104297263.
        assert!((bce_with_logit(-2.0_f64, 0.0) - 0.126_928_011_042_972_63).abs() < 1e-15);
    }

    /// Logits over the whole range: both signs, tiny, large, past exp's underflow, and zero.
    const LOGITS: [f64; 11] = [-800.0, -40.0, -3.5, -0.25, -1e-9, 0.0, 1e-9, 0.7, 2.0, 40.0, 800.0];

    fn sigmoid_output_of<T: Scalar, B: Backend<T>>(z: &[f64]) -> (Vec<T>, Vec<T>) {
        let n = z.len();
        let z: Vec<T> = z.iter().map(|&v| T::from_f64(v)).collect();
        let z = B::from_col_major(1, n, &z).unwrap();
        let mut a = B::zeros(1, n);
        let mut softplus = vec![T::ZERO; n];
        sigmoid_output::<T, B>(&mut a, &z, &mut softplus).unwrap();
        (B::to_col_major(&a), softplus)
    }

    #[test]
    fn sigmoid_output_is_the_scalar_sigmoid_and_softplus_bit_for_bit_in_f64() {
        use descent_faer::Faer;
        use descent_nalgebra::Nalgebra;
        // nalgebra is contiguous, faer pads its columns: both walks.
        for (a, softplus) in
            [sigmoid_output_of::<f64, Nalgebra>(&LOGITS), sigmoid_output_of::<f64, Faer>(&LOGITS)]
        {
            for (i, &z) in LOGITS.iter().enumerate() {
                assert_eq!(a[i].to_bits(), descent_core::sigmoid(z).to_bits(), "σ({z})");
                let sp = (-z.abs()).exp().ln_1p();
                assert_eq!(softplus[i].to_bits(), sp.to_bits(), "softplus({z})");
                let y = if z > 0.0 { 0.0 } else { 1.0 };
                assert_eq!(bce_from_softplus(z, y, softplus[i]), bce_with_logit(z, y));
            }
        }
    }

    #[test]
    fn sigmoid_output_in_f32_is_within_two_ulp_of_the_exact_values() {
        use descent_faer::Faer;
        use descent_nalgebra::Nalgebra;
        let (a, softplus) = sigmoid_output_of::<f32, Nalgebra>(&LOGITS);
        assert_eq!((a.clone(), softplus.clone()), sigmoid_output_of::<f32, Faer>(&LOGITS));
        for (i, &z) in LOGITS.iter().enumerate() {
            // The f32 logit's exact sigmoid and softplus, in f64.
            let z = f64::from(z as f32);
            let (want_a, want_sp) = (1.0 / (1.0 + (-z).exp()), (-z.abs()).exp().ln_1p());
            for (got, want) in [(a[i], want_a), (softplus[i], want_sp)] {
                let ulp = f64::from(f32::EPSILON) * want.abs().max(f64::from(f32::MIN_POSITIVE));
                assert!((f64::from(got) - want).abs() <= 2.0 * ulp, "z = {z}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn targets_encode_or_are_rejected() {
        let mut col = [9.0_f64; 3];
        encode_target(Output::Softmax, &[2.0], &mut col).unwrap();
        assert_eq!(col, [0.0, 0.0, 1.0]);
        assert!(encode_target(Output::Softmax, &[3.0], &mut col).is_err());
        assert!(encode_target(Output::Softmax, &[0.5], &mut col).is_err());
        let mut one = [0.0_f64];
        assert!(encode_target(Output::Sigmoid, &[2.0], &mut one).is_err());
        encode_target(Output::Sigmoid, &[1.0], &mut one).unwrap();
        assert_eq!(one, [1.0]);
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
    }
}
