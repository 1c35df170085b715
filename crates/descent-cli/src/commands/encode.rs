//! `descent encode`: a table (CSV or Parquet) of any size encoded into the float32 `.npy`
//! features and labels that `train` memory-maps, in two streaming passes over the file: the
//! first fits the encoding (`descent_io::table::fit_file`: categories, fill values, classes),
//! the second writes the rows (`descent_io::table::encode_file`) through `NpyWriter`s. Memory
//! holds one CSV record or Parquet batch, a buffer of [`CHUNK`] encoded rows and the fitted
//! statistics, never anything per row. The encoding is written beside the features
//! (`X.encoding.json` for `--out X.npy`), where `train --data X.npy` finds it.

use std::time::Instant;

use anyhow::{Context, anyhow};
use descent_io::table::{TableEncoding, Unknown, encode_file, fit_file};
use descent_io::{Dtype, NpyWriter};

use crate::args::EncodeArgs;
use crate::failure::Failure;
use crate::plan::table;
use crate::run::{check_no_clobber, check_output_folder};

/// Rows encoded per write: the buffer does not grow with the table.
pub const CHUNK: usize = 4096;

/// Runs `descent encode`.
pub fn run(args: &EncodeArgs) -> Result<(), Failure> {
    let start = Instant::now();
    let json = table::encoding_path(&args.out);
    check(args, &json).map_err(Failure::Input)?;
    let options =
        table::options(&args.columns, args.target.as_deref(), args.output.map(Into::into));
    let (encoding, n_rows) =
        fit_file(&args.data, &options).context("--data").map_err(Failure::Input)?;
    let n_inputs = encoding.n_inputs();
    // A missing folder or an unwritable file is an input error, found before the second pass.
    let x = NpyWriter::create(&args.out, Dtype::F32, &[n_rows, n_inputs])
        .context("--out")
        .map_err(Failure::Input)?;
    let y = NpyWriter::create(&args.labels, Dtype::F32, &[n_rows])
        .context("--labels")
        .map_err(Failure::Input)?;
    write(args, &encoding, x, y).map_err(Failure::Run)?;
    let text = encoding.to_json() + "\n";
    descent_io::write_atomic(&json, text.as_bytes()).map_err(|e| Failure::Run(e.into()))?;
    let classes = encoding
        .classes()
        .map_or_else(|| "a numeric target".to_owned(), |c| format!("{} classes", c.len()));
    println!(
        "descent encode: {} ({n_rows} rows, {n_inputs} inputs, {classes}) to {} and {}, \
         encoding in {}, in {:.2} s",
        args.data.display(),
        args.out.display(),
        args.labels.display(),
        json.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The checks made before reading anything: the table exists, no output is an input or
/// another output, every output's folder exists.
fn check(args: &EncodeArgs, json: &std::path::Path) -> anyhow::Result<()> {
    if !args.data.is_file() {
        return Err(anyhow!("--data {}: no such file", args.data.display()));
    }
    if descent_io::is_npy(&args.data) {
        return Err(anyhow!(
            "--data {}: already a .npy file; encode reads CSV or Parquet tables",
            args.data.display()
        ));
    }
    for (flag, path) in [("--out", &args.out), ("--labels", &args.labels)] {
        check_output_folder(flag, Some(path))?;
    }
    let outputs = [
        ("--out", Some(args.out.as_path())),
        ("--labels", Some(args.labels.as_path())),
        ("--out's encoding file", Some(json)),
    ];
    check_no_clobber(&outputs, &[("--data", Some(args.data.as_path()))], &[])
}

/// The second pass: every row encoded, written [`CHUNK`] rows at a time.
fn write(
    args: &EncodeArgs,
    encoding: &TableEncoding,
    mut x: NpyWriter,
    mut y: NpyWriter,
) -> anyhow::Result<()> {
    let n = encoding.n_inputs();
    let mut inputs = Vec::with_capacity(CHUNK * n);
    let mut targets = Vec::with_capacity(CHUNK);
    encode_file(&args.data, encoding, Unknown::Error, |row, target| {
        let Some(target) = target else {
            return Err(descent_io::IoError::Table {
                path: args.data.clone(),
                reason: format!("the target column `{}` is gone", encoding.target_name()),
            });
        };
        inputs.extend_from_slice(row);
        targets.push(target);
        if targets.len() == CHUNK {
            x.write(&inputs)?;
            y.write(&targets)?;
            inputs.clear();
            targets.clear();
        }
        Ok(())
    })
    .context("--data (second pass: did the file change?)")?;
    x.write(&inputs)?;
    y.write(&targets)?;
    x.finish().context("--out")?;
    y.finish().context("--labels")?;
    Ok(())
}
