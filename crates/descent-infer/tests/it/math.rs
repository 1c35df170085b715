//! `Float::exp` and `Float::tanh` against std over their whole useful range.

use descent_infer::Float;

/// Points from `lo` to `hi`: an even grid of `n`, and ±2^e for every exponent in `exps`
/// times a few mantissas (tiny and huge magnitudes the grid misses).
fn points(lo: f64, hi: f64, n: usize, exps: std::ops::RangeInclusive<i32>) -> Vec<f64> {
    let mut xs: Vec<f64> = (0..=n).map(|i| lo + (hi - lo) * i as f64 / n as f64).collect();
    for e in exps {
        for m in [1.0, 1.1, 1.5, 1.9] {
            let x = m * 2f64.powi(e);
            xs.extend([x, -x]);
        }
    }
    xs.retain(|x| (lo..=hi).contains(x));
    xs
}

/// `|got − want| / |want|` (0 when both are 0), the worst over `xs`, and where.
fn worst(xs: &[f64], f: impl Fn(f64) -> (f64, f64)) -> (f64, f64) {
    xs.iter().fold((0.0, 0.0), |(w, at), &x| {
        let (got, want) = f(x);
        let rel = if got == want { 0.0 } else { ((got - want) / want).abs() };
        if rel > w { (rel, x) } else { (w, at) }
    })
}

#[test]
fn f32_exp_is_within_one_ulp_of_the_exact_value_where_the_result_is_normal() {
    // e^x is a normal f32 for x in [-87.3, 88.7]; the exact value from f64.
    let xs = points(-87.3, 88.72, 2_000_000, -40..=6);
    let (rel, at) = worst(&xs, |x| {
        let x = x as f32;
        (f64::from(Float::exp(x)), f64::from(x).exp())
    });
    eprintln!("f32 exp: worst relative error {rel:.3e} at {at}");
    assert!(rel <= f64::from(f32::EPSILON), "{rel:e} at {at}");
}

#[test]
fn f64_exp_is_within_two_ulp_of_std() {
    let xs = points(-708.0, 709.7, 2_000_000, -60..=9);
    let (rel, at) = worst(&xs, |x| (Float::exp(x), x.exp()));
    eprintln!("f64 exp: worst relative error {rel:.3e} at {at}");
    assert!(rel <= 2.0 * f64::EPSILON, "{rel:e} at {at}");
}

#[test]
fn exp_overflows_underflows_and_keeps_nan_as_std() {
    for x in [89.0_f32, 1e30, f32::INFINITY, -104.0, -1e30, f32::NEG_INFINITY, 0.0, -0.0] {
        assert_eq!(Float::exp(x), x.exp(), "e^{x}");
    }
    for x in [710.0_f64, 1e300, f64::INFINITY, -746.0, -1e300, f64::NEG_INFINITY, 0.0] {
        assert_eq!(Float::exp(x), x.exp(), "e^{x}");
    }
    assert!(Float::exp(f32::NAN).is_nan() && Float::exp(f64::NAN).is_nan());
    // Subnormal results: within one unit of the least subnormal (the scaling rounds twice).
    for x in [-740.0_f64, -720.5, -744.9] {
        let (got, want) = (Float::exp(x), x.exp());
        assert!((got - want).abs() <= 5e-324, "e^{x}: {got:e} vs {want:e}");
    }
    for x in [-100.0_f32, -90.25, -103.9] {
        let (got, want) = (f64::from(Float::exp(x)), f64::from(x).exp());
        assert!((got - want).abs() <= f64::from(f32::from_bits(1)), "e^{x}: {got:e} vs {want:e}");
    }
}

#[test]
fn f32_tanh_is_within_four_ulp_of_the_exact_value() {
    let xs = points(-12.0, 12.0, 2_000_000, -140..=3);
    let (rel, at) = worst(&xs, |x| {
        let x = x as f32;
        (f64::from(Float::tanh(x)), f64::from(x).tanh())
    });
    eprintln!("f32 tanh: worst relative error {rel:.3e} at {at}");
    assert!(rel <= 4.0 * f64::from(f32::EPSILON), "{rel:e} at {at}");
}

#[test]
fn f64_tanh_is_within_eight_ulp_of_std() {
    let xs = points(-25.0, 25.0, 2_000_000, -1070..=4);
    let (rel, at) = worst(&xs, |x| (Float::tanh(x), x.tanh()));
    eprintln!("f64 tanh: worst relative error {rel:.3e} at {at}");
    assert!(rel <= 8.0 * f64::EPSILON, "{rel:e} at {at}");
}

#[test]
fn tanh_of_zeros_infinities_and_nan_as_std() {
    for x in [0.0_f64, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300, 5e-324] {
        let (got, want) = (Float::tanh(x), x.tanh());
        assert_eq!(got.to_bits(), want.to_bits(), "tanh({x})");
    }
    for x in [0.0_f32, -0.0, f32::INFINITY, f32::NEG_INFINITY, 1e38, -1e38] {
        let (got, want) = (Float::tanh(x), x.tanh());
        assert_eq!(got.to_bits(), want.to_bits(), "tanh({x})");
    }
    assert!(Float::tanh(f32::NAN).is_nan() && Float::tanh(f64::NAN).is_nan());
}

#[test]
fn hand_computed_values() {
    // e, and Python: math.exp(-0.5), math.tanh(0.5), math.tanh(-3)
    assert!((Float::exp(1.0_f64) - std::f64::consts::E).abs() <= 4.5e-16);
    assert!((Float::exp(-0.5_f64) - 0.606_530_659_712_633_4).abs() <= 1.2e-16);
    assert!((Float::tanh(0.5_f64) - 0.462_117_157_260_009_8).abs() <= 1e-16);
    assert!((Float::tanh(-3.0_f64) + 0.995_054_753_686_730_5).abs() <= 2.3e-16);
    assert!((Float::exp(1.0_f32) - std::f32::consts::E).abs() <= 2.4e-7);
}
