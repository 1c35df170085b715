//! The nalgebra backend of descent (work in progress).
