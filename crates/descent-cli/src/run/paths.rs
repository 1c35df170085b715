//! No output may clobber an input: every output path of a command is compared, as a file (a
//! `./` prefix, a symbolic link or a hard link name the same file), with its inputs and its
//! other outputs before anything runs.

use std::path::{Path, PathBuf};

use anyhow::anyhow;

/// A flag and the path it names, if given.
pub type Named<'a> = (&'static str, Option<&'a Path>);

/// Refuses an output that is the same file as an input or as another output, naming both
/// flags; `allowed` lists (output, input) pairs that may be one file (`--save` over the
/// `--resume` it continues).
pub fn check_no_clobber(
    outputs: &[Named<'_>],
    inputs: &[Named<'_>],
    allowed: &[(&str, &str)],
) -> anyhow::Result<()> {
    for (i, &(out_flag, out)) in outputs.iter().enumerate() {
        let Some(out) = out else { continue };
        for &(in_flag, input) in inputs {
            let Some(input) = input else { continue };
            if !allowed.contains(&(out_flag, in_flag)) && same_file(out, input) {
                return Err(anyhow!(
                    "{out_flag} {}: is the same file as {in_flag} {}; writing it would destroy \
                     the input",
                    out.display(),
                    input.display()
                ));
            }
        }
        for &(other_flag, other) in &outputs[i + 1..] {
            if let Some(other) = other
                && same_file(out, other)
            {
                return Err(anyhow!(
                    "{out_flag} {} and {other_flag} {}: the same file; give each its own",
                    out.display(),
                    other.display()
                ));
            }
        }
    }
    Ok(())
}

/// Whether `a` and `b` name one file: the same device and inode when both exist, else the
/// same path once the folder is resolved.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        use std::os::unix::fs::MetadataExt;
        return (ma.dev(), ma.ino()) == (mb.dev(), mb.ino());
    }
    match (resolved(a), resolved(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// `path` with its folder canonicalized (the file itself may not exist yet).
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Some(dir.canonicalize().ok()?.join(path.file_name()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_file_by_another_name_is_refused() {
        let dir = std::env::temp_dir().join(format!("descent-clobber-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let data = dir.join("d.csv");
        std::fs::write(&data, "x,y\n1,0\n").unwrap();
        let link = dir.join("hard.csv");
        let _ = std::fs::remove_file(&link);
        std::fs::hard_link(&data, &link).unwrap();
        let dotted = dir.join(".").join("d.csv");
        let fresh = dir.join("new.csv");
        for out in [&data, &link, &dotted] {
            let err =
                check_no_clobber(&[("--history", Some(out))], &[("--data", Some(&data))], &[])
                    .unwrap_err()
                    .to_string();
            assert!(err.contains("--history") && err.contains("--data"), "{err}");
        }
        assert!(
            check_no_clobber(&[("--history", Some(&fresh))], &[("--data", Some(&data))], &[])
                .is_ok()
        );
        // Two outputs that do not exist yet, one path spelled two ways.
        let twice = dir.join(".").join("new.csv");
        let outputs = [("--history", Some(fresh.as_path())), ("--plot", Some(twice.as_path()))];
        assert!(check_no_clobber(&outputs, &[], &[]).unwrap_err().to_string().contains("--plot"));
        // --save over the --resume it continues is how a run continues in place.
        let allowed = [("--save", "--resume")];
        let same = [("--save", Some(data.as_path()))];
        assert!(check_no_clobber(&same, &[("--resume", Some(&data))], &allowed).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
