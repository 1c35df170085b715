//! Trained **descent** models out of descent, for runtimes that know nothing of it.
//!
//! - [`onnx`]: an ONNX file any conforming runtime (onnxruntime, tract) runs, standardization
//!   inside the graph;
//! - [`rust`]: one self-contained `no_std` Rust source file, the weights as `const` arrays.
//!
//! Both start from a [`ModelFile`](descent_io::ModelFile), as `descent export` reads it.

pub mod onnx;
pub mod rust;
