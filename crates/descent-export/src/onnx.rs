//! The ONNX export of a model file.
