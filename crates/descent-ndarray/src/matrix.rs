//! `NdMatrix`: an `ndarray::Array2` that is guaranteed to be column-major.

use descent_core::Scalar;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, ShapeBuilder};

/// A column-major (Fortran-order) `ndarray::Array2`, so that every column is one slice.
///
/// The layout is an invariant of the type: [`NdMatrix::from_array`] copies any other layout
/// into column-major order, and the inner array is only lent out as views.
#[derive(Debug, Clone, PartialEq)]
pub struct NdMatrix<T>(Array2<T>);

impl<T: Scalar> NdMatrix<T> {
    /// A `rows × cols` matrix of zeros in column-major order.
    #[must_use]
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self(Array2::from_elem((rows, cols).f(), T::ZERO))
    }

    /// Wraps an array, copying it into column-major order unless it already is.
    #[must_use]
    pub fn from_array(array: Array2<T>) -> Self {
        if array.t().is_standard_layout() {
            Self(array)
        } else {
            let mut res = Self::zeros(array.nrows(), array.ncols());
            res.0.assign(&array);
            res
        }
    }
}

impl<T> NdMatrix<T> {
    /// A read-only view of the array.
    #[must_use]
    #[inline]
    pub fn view(&self) -> ArrayView2<'_, T> {
        self.0.view()
    }

    /// A mutable view of the array (its layout cannot change through a view).
    pub fn view_mut(&mut self) -> ArrayViewMut2<'_, T> {
        self.0.view_mut()
    }

    /// The inner column-major array.
    #[must_use]
    pub fn into_array(self) -> Array2<T> {
        self.0
    }

    /// The elements in column-major order, as one slice.
    #[must_use]
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        self.0.as_slice_memory_order().expect("NdMatrix is contiguous by construction")
    }

    /// The elements in column-major order, as one mutable slice.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.0.as_slice_memory_order_mut().expect("NdMatrix is contiguous by construction")
    }

    #[inline]
    pub(crate) fn array(&self) -> &Array2<T> {
        &self.0
    }

    #[inline]
    pub(crate) fn array_mut(&mut self) -> &mut Array2<T> {
        &mut self.0
    }
}
