//! `descent export --onnx`: a trained model written as ONNX, and every refusal exits 2 with
//! one message naming the flag, leaving an existing file as it was.

use crate::common::{TempDir, fails_once, ok};

#[test]
fn a_trained_model_exports_to_onnx_and_bad_flags_are_refused() {
    let dir = TempDir::new("export");
    let model = dir.file("m.safetensors");
    ok(&["train", "--epochs", "3", "--quiet", "--standardize", "--save", &model]);
    let onnx = dir.file("m.onnx");
    let out = ok(&["export", "--model", &model, "--onnx", &onnx]);
    assert!(out.contains("ONNX opset 17") && out.contains("[N, 2]"), "{out}");
    assert!(out.contains("label int64 [N]") && out.contains("standardization inside"), "{out}");
    let bytes = std::fs::read(&onnx).unwrap();
    // The ModelProto's first field is ir_version (field 1, varint): 0x08, then 8.
    assert_eq!(bytes[..2], [0x08, 0x08]);
    for needle in ["input", "descent_version", "Gemm", "Sigmoid"] {
        let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(found, "{needle} not in the file");
    }
    // The output may not be the model, by any name.
    let dotted = dir.path(".").join("m.safetensors").display().to_string();
    fails_once(
        2,
        &["export", "--model", &model, "--onnx", &dotted],
        &["--onnx", "--model", "same file"],
    );
    // A model that is not one: exit 2 naming --model; the existing ONNX file is kept.
    let junk = dir.write("junk.safetensors", b"not a model");
    fails_once(2, &["export", "--model", &junk, "--onnx", &onnx], &["--model", "junk.safetensors"]);
    assert_eq!(std::fs::read(&onnx).unwrap(), bytes);
    let missing = dir.file("none/m.onnx");
    fails_once(
        2,
        &["export", "--model", &model, "--onnx", &missing],
        &["--onnx", "does not exist"],
    );
    // No format: clap's usage error, exit 2.
    let out = crate::common::descent(&["export", "--model", &model]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--onnx"));
}
