//! `Float`: the two scalar types, with `e^x` and `tanh` written for `core` alone (no libm).
//!
//! `exp` is the classic Cody–Waite reduction `x = k·ln 2 + r`, `|r| ≤ ln 2 / 2`, with `ln 2`
//! split in a high part whose products with `k` are exact and a low part, then the rational
//! form `e^r = 1 + r + r·c/(2 − c)`, `c = r − r²·P(r²)` (the Remez coefficients of FreeBSD's
//! and musl's `exp`/`expf`: five for `f64`, two for `f32`), and `2^k` put in the exponent
//! bits. `tanh(x) = t/(t + 2)` with `t = e^{2|x|} − 1`, where `t` comes from the same kernel
//! for `2|x| ≤ ln 2 / 2` (no cancellation near 0) and from `exp` above; `±1` past the point
//! where `tanh` rounds to 1. Measured against std over `[-104, 104]` (f32) and
//! `[-745, 710]` (f64) in the crate's tests: see the README for the figures.

use core::ops::{Add, Div, Mul, Neg, Sub};

/// A scalar type the forward pass runs in: `f32` or `f64` (sealed).
pub trait Float:
    Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + sealed::Sealed
{
    /// `0`.
    const ZERO: Self;
    /// `1`.
    const ONE: Self;
    /// `0.5`, the sigmoid output's class threshold.
    const HALF: Self;
    /// `-∞`, where the softmax output's running maximum starts.
    const NEG_INFINITY: Self;
    /// `e^x`, within about 1 ulp of the correctly rounded value; `+∞` past overflow, `0`
    /// past underflow, NaN for NaN.
    fn exp(self) -> Self;
    /// The hyperbolic tangent, within a few ulp of the correctly rounded value.
    fn tanh(self) -> Self;
    /// `|x|`.
    fn abs(self) -> Self;
    /// `x` rounded to this type (`as`).
    fn from_f64(x: f64) -> Self;
    /// `x` as `f64`, exactly.
    fn to_f64(self) -> f64;
}

/// Keeps [`Float`] to the two types this module implements it for.
mod sealed {
    /// Implemented for `f32` and `f64` only.
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// Implements [`Float`] for one type from its constants and its reduction polynomial.
macro_rules! float_impl {
    (
        $t:ident, $bits:ident, sign: $sign:expr, mantissa: $mant:expr, bias: $bias:expr,
        overflow: $over:expr, underflow: $under:expr, tiny: $tiny:expr, tanh_one: $tanh_one:expr,
        ln2_hi: $ln2_hi:expr, ln2_lo: $ln2_lo:expr, inv_ln2: $inv_ln2:expr,
        poly: |$rr:ident| $poly:expr
    ) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const HALF: Self = 0.5;
            const NEG_INFINITY: Self = $t::NEG_INFINITY;

            fn exp(self) -> Self {
                let x = self;
                if x.is_nan() {
                    return x;
                }
                if x > $over {
                    return $t::INFINITY;
                }
                if x < $under {
                    return 0.0;
                }
                let ax = Float::abs(x);
                let (hi, lo, k) = if ax > 0.5 * $ln2_hi {
                    let k = ($inv_ln2 * x + if x < 0.0 { -0.5 } else { 0.5 }) as i32;
                    let kf = k as $t;
                    (x - kf * $ln2_hi, kf * $ln2_lo, k)
                } else if ax > $tiny {
                    (x, 0.0, 0)
                } else {
                    return 1.0 + x;
                };
                let r = hi - lo;
                let $rr = r * r;
                let c = r - $rr * ($poly);
                let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
                // 2^k in the exponent bits, in two steps where 2^k itself is not normal.
                let pow2 = |n: i32| $t::from_bits(((n + $bias) as $bits) << $mant);
                let max = $bias;
                let min = 1 - $bias;
                if k > max {
                    y * pow2(max) * pow2(k - max)
                } else if k < min {
                    y * pow2(k + 100) * pow2(-100)
                } else {
                    y * pow2(k)
                }
            }

            fn tanh(self) -> Self {
                let x = self;
                let ax = Float::abs(x);
                let t = if ax > $tanh_one {
                    1.0
                } else {
                    let y = 2.0 * ax;
                    // e^y − 1: the reduction's kernel where y is small, no cancellation.
                    let em1 = if y < 0.5 * $ln2_hi {
                        let $rr = y * y;
                        let c = y - $rr * ($poly);
                        y + y * c / (2.0 - c)
                    } else {
                        Float::exp(y) - 1.0
                    };
                    em1 / (em1 + 2.0)
                };
                if x.is_sign_negative() { -t } else { t }
            }

            fn abs(self) -> Self {
                $t::from_bits(self.to_bits() & !((1 as $bits) << $sign))
            }

            fn from_f64(x: f64) -> Self {
                x as $t
            }

            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    };
}

// The constants are musl's `expf.c` and `exp.c` (from FreeBSD), written by their bits.
float_impl!(
    f32, u32, sign: 31, mantissa: 23, bias: 127_i32,
    overflow: f32::from_bits(0x42b1_7217), underflow: f32::from_bits(0xc2cf_f1b5),
    tiny: f32::from_bits(0x3900_0000), tanh_one: 10.0_f32,
    ln2_hi: f32::from_bits(0x3f31_7200), ln2_lo: f32::from_bits(0x35bf_be8e),
    inv_ln2: core::f32::consts::LOG2_E,
    poly: |rr| f32::from_bits(0x3e2a_aa8f) + rr * f32::from_bits(0xbb35_5215)
);

float_impl!(
    f64, u64, sign: 63, mantissa: 52, bias: 1023_i32,
    overflow: f64::from_bits(0x4086_2e42_fefa_39ef), underflow: f64::from_bits(0xc087_4910_d52d_3051),
    tiny: f64::from_bits(0x3e30_0000_0000_0000), tanh_one: 20.0_f64,
    ln2_hi: f64::from_bits(0x3fe6_2e42_fee0_0000), ln2_lo: f64::from_bits(0x3dea_39ef_3579_3c76),
    inv_ln2: core::f64::consts::LOG2_E,
    poly: |rr| f64::from_bits(0x3fc5_5555_5555_553e)
        + rr * (f64::from_bits(0xbf66_c16c_16be_bd93)
            + rr * (f64::from_bits(0x3f11_566a_af25_de2c)
                + rr * (f64::from_bits(0xbebb_bd41_c5d2_6bf1)
                    + rr * f64::from_bits(0x3e66_3769_72be_a4d0))))
);
