//! `ExportSpec`: what `descent export` writes, resolved once from its flags: the model file
//! and one target file per format, checked before anything is read or written.

use std::path::PathBuf;

use crate::args::ExportArgs;

use super::{check_no_clobber, check_output_folder};

/// A format `descent export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An ONNX file (`--onnx`).
    Onnx,
    /// A Rust source file (`--rust`).
    Rust,
}

impl Format {
    /// The flag that asks for this format.
    pub fn flag(self) -> &'static str {
        match self {
            Format::Onnx => "--onnx",
            Format::Rust => "--rust",
        }
    }
}

/// `descent export` resolved: the model to read and each file to write.
#[derive(Debug, Clone)]
pub struct ExportSpec {
    /// `--model`.
    pub model: PathBuf,
    /// The files to write, in the order of the formats, at least one.
    pub targets: Vec<(Format, PathBuf)>,
}

impl ExportSpec {
    /// Resolves the flags: each target's folder must exist, and no target may be the model
    /// file or another target (compared as files).
    pub fn resolve(args: &ExportArgs) -> anyhow::Result<Self> {
        let targets: Vec<(Format, PathBuf)> =
            [(Format::Onnx, &args.onnx), (Format::Rust, &args.rust)]
                .into_iter()
                .filter_map(|(f, p)| Some((f, p.clone()?)))
                .collect();
        if targets.is_empty() {
            anyhow::bail!("no format to write: give --onnx PATH or --rust PATH");
        }
        for (format, path) in &targets {
            check_output_folder(format.flag(), Some(path))?;
        }
        let outputs: Vec<_> = targets.iter().map(|(f, p)| (f.flag(), Some(p.as_path()))).collect();
        check_no_clobber(&outputs, &[("--model", Some(args.model.as_path()))], &[])?;
        Ok(Self { model: args.model.clone(), targets })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_file_is_not_a_target() {
        let dir = std::env::temp_dir().join(format!("descent-export-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let model = dir.join("m.safetensors");
        std::fs::write(&model, b"x").unwrap();
        let args =
            |onnx: PathBuf| ExportArgs { model: model.clone(), onnx: Some(onnx), rust: None };
        let err = ExportSpec::resolve(&args(dir.join(".").join("m.safetensors"))).unwrap_err();
        assert!(err.to_string().contains("--onnx") && err.to_string().contains("--model"), "{err}");
        let err = ExportSpec::resolve(&args(dir.join("nope").join("m.onnx"))).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        let spec = ExportSpec::resolve(&args(dir.join("m.onnx"))).unwrap();
        assert_eq!(spec.targets, [(Format::Onnx, dir.join("m.onnx"))]);
        let both = ExportArgs { rust: Some(dir.join("m.onnx")), ..args(dir.join("m.onnx")) };
        let err = ExportSpec::resolve(&both).unwrap_err();
        assert!(err.to_string().contains("--rust") && err.to_string().contains("--onnx"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
