//! The floating-point element types descent computes with: `f32` and `f64`.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A real floating-point number a [`Backend`](crate::Backend) can compute with.
///
/// Implemented for `f32` and `f64`. The methods mirror the inherent float methods so that
/// generic code reads like ordinary numeric code.
pub trait Scalar:
    Copy
    + Clone
    + Send
    + Sync
    + Default
    + PartialEq
    + PartialOrd
    + fmt::Debug
    + fmt::Display
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + 'static
{
    /// The additive identity.
    const ZERO: Self;
    /// The multiplicative identity.
    const ONE: Self;
    /// Machine epsilon: the gap between 1 and the next representable number.
    const EPSILON: Self;
    /// The dtype's name as in numpy and safetensors: `"f32"` or `"f64"`.
    const DTYPE: &'static str;

    /// Converts from `f64`, rounding to nearest.
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64` exactly.
    fn to_f64(self) -> f64;
    /// Converts a count to this type, rounding to nearest.
    fn from_usize(n: usize) -> Self;
    /// `e^self`.
    fn exp(self) -> Self;
    /// The natural logarithm.
    fn ln(self) -> Self;
    /// `ln(1 + self)`, accurate for small `self`.
    fn ln_1p(self) -> Self;
    /// The square root.
    fn sqrt(self) -> Self;
    /// The hyperbolic tangent.
    fn tanh(self) -> Self;
    /// The absolute value.
    fn abs(self) -> Self;
    /// `self` raised to an integer power.
    fn powi(self, n: i32) -> Self;
    /// The larger of two numbers, ignoring NaN like [`f64::max`].
    fn max(self, other: Self) -> Self;
    /// The smaller of two numbers, ignoring NaN like [`f64::min`].
    fn min(self, other: Self) -> Self;
    /// `true` unless the number is NaN or infinite.
    fn is_finite(self) -> bool;
    /// `self * a + b` with one rounding where the hardware has FMA.
    fn mul_add(self, a: Self, b: Self) -> Self;

    /// `x[i] = e^{x[i]}` for every element: vectorised for `f32` (at most 1.07 ulp from the
    /// exact value on `[-104, 0]`), libm's `exp` for `f64`. See [`crate::fastmath`].
    fn exp_slice(x: &mut [Self]) {
        x.iter_mut().for_each(|v| *v = v.exp());
    }

    /// `x[i] = ln(1 + x[i])` for every element: vectorised for `f32` (correctly rounded on
    /// `[0, 1]`), libm's `log1p` for `f64`. See [`crate::fastmath`].
    fn ln_1p_slice(x: &mut [Self]) {
        x.iter_mut().for_each(|v| *v = v.ln_1p());
    }
}

macro_rules! impl_scalar {
    ($t:ident, $exp:path, $ln_1p:path) => {
        impl Scalar for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const EPSILON: Self = $t::EPSILON;
            const DTYPE: &'static str = stringify!($t);

            #[inline]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
            #[inline]
            fn from_usize(n: usize) -> Self {
                n as $t
            }
            #[inline]
            fn exp(self) -> Self {
                $t::exp(self)
            }
            #[inline]
            fn ln(self) -> Self {
                $t::ln(self)
            }
            #[inline]
            fn ln_1p(self) -> Self {
                $t::ln_1p(self)
            }
            #[inline]
            fn sqrt(self) -> Self {
                $t::sqrt(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                $t::tanh(self)
            }
            #[inline]
            fn abs(self) -> Self {
                $t::abs(self)
            }
            #[inline]
            fn powi(self, n: i32) -> Self {
                $t::powi(self, n)
            }
            #[inline]
            fn max(self, other: Self) -> Self {
                $t::max(self, other)
            }
            #[inline]
            fn min(self, other: Self) -> Self {
                $t::min(self, other)
            }
            #[inline]
            fn is_finite(self) -> bool {
                $t::is_finite(self)
            }
            #[inline]
            fn mul_add(self, a: Self, b: Self) -> Self {
                $t::mul_add(self, a, b)
            }
            #[inline]
            fn exp_slice(x: &mut [Self]) {
                $exp(x);
            }
            #[inline]
            fn ln_1p_slice(x: &mut [Self]) {
                $ln_1p(x);
            }
        }
    };
}

impl_scalar!(f32, crate::fastmath::exp_f32, crate::fastmath::ln_1p_f32);
impl_scalar!(f64, crate::fastmath::exp_f64, crate::fastmath::ln_1p_f64);

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip<T: Scalar>() -> f64 {
        T::from_f64(0.5).exp().ln().to_f64()
    }

    #[test]
    fn both_dtypes_behave_like_their_floats() {
        assert_eq!(f32::DTYPE, "f32");
        assert_eq!(f64::DTYPE, "f64");
        assert!((roundtrip::<f32>() - 0.5).abs() < 1e-6);
        assert!((roundtrip::<f64>() - 0.5).abs() < 1e-15);
        assert!(!Scalar::is_finite(f64::NAN));
        assert_eq!(<f64 as Scalar>::from_usize(3), 3.0);
    }
}
