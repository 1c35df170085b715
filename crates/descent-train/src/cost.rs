//! Costs, accuracy and target encoding for each output kind, computed stably.

use descent_core::{Backend, Error, Result, Scalar};

use crate::model::Output;

/// The cost summed over the examples (columns), from the logits `z` and outputs `a`.
///
/// - sigmoid, binary cross-entropy: `max(z, 0) - z·y + ln(1 + e^{-|z|})` per example, which
///   equals `-y·ln(a) - (1-y)·ln(1-a)` without ever taking `ln(0)`;
/// - softmax, categorical cross-entropy: `logsumexp(z) - Σ_k y_k·z_k` per example;
/// - linear, squared error: `Σ_k (a_k - y_k)² / n_L` per example.
pub(crate) fn sum<T: Scalar, B: Backend<T>>(
    output: Output,
    z: &B::Matrix,
    a: &B::Matrix,
    y: &B::Matrix,
) -> T {
    let (rows, cols) = B::shape(z);
    let mut total = T::ZERO;
    for j in 0..cols {
        let (z, a, y) = (B::col(z, j), B::col(a, j), B::col(y, j));
        total += match output {
            Output::Sigmoid => z.iter().zip(y).map(|(&z, &y)| bce_with_logit(z, y)).sum(),
            Output::Softmax => {
                let max = z.iter().fold(T::from_f64(f64::NEG_INFINITY), |m, &x| m.max(x));
                let lse = max + z.iter().map(|&x| (x - max).exp()).sum::<T>().ln();
                lse - z.iter().zip(y).map(|(&z, &y)| z * y).sum::<T>()
            }
            Output::Linear => {
                a.iter().zip(y).map(|(&a, &y)| (a - y) * (a - y)).sum::<T>() / T::from_usize(rows)
            }
        };
    }
    total
}

/// `-y·ln(σ(z)) - (1-y)·ln(1-σ(z))` evaluated as `max(z,0) - z·y + ln(1 + e^{-|z|})`.
#[inline]
pub(crate) fn bce_with_logit<T: Scalar>(z: T, y: T) -> T {
    z.max(T::ZERO) - z * y + (-z.abs()).exp().ln_1p()
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
