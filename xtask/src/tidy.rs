//! `cargo xtask tidy`: checks that keep the code's shape, over every crate's `src/`.
//!
//! Fails, naming each file, on
//! - an import circle between the modules of one crate: a strongly connected component of
//!   the graph whose edges are the modules a module names in `use` trees and in `crate::`,
//!   `super::` and `self::` paths (not `mod` declarations, not test code; a name a module
//!   re-exports with `pub use` leads to the module it comes from);
//! - a source file that does not open with a `//!` doc comment (attributes may come first);
//! - a source file over [`MAX_LINES`] lines, test files aside (`tests.rs`, files under a
//!   `tests/` folder, and files that are `#[cfg(test)]` modules).
//!
//! The parsing is textual, a small lexer and no `syn`, in the spirit of rust-analyzer's
//! `xtask/src/tidy.rs`.

mod graph;
mod lex;
mod scan;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::project_root;
use graph::{Crate, Files, display};

/// Non-test source files longer than this fail.
pub(crate) const MAX_LINES: usize = 500;

/// `cargo xtask tidy`: checks every `src/` folder of the workspace, printing each problem.
pub(crate) fn run() -> anyhow::Result<()> {
    let root = project_root();
    let mut problems = Vec::new();
    let mut n_files = 0;
    for src in src_dirs(&root)? {
        let files = read_files(&src)?;
        n_files += files.len();
        let shown = src.strip_prefix(&root).unwrap_or(&src).to_path_buf();
        problems.extend(check_src(&shown, &files));
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    if !problems.is_empty() {
        bail!("tidy: {} problem(s) in {n_files} source files", problems.len());
    }
    eprintln!("tidy: {n_files} source files, no import circle, every module documented");
    Ok(())
}

/// The `src/` folders of the workspace's crates: `crates/*/src`, `benches/src`, `xtask/src`.
fn src_dirs(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let crates = root.join("crates");
    let entries = fs::read_dir(&crates).with_context(|| format!("reading {}", crates.display()))?;
    let mut dirs = Vec::new();
    for entry in entries {
        dirs.push(
            entry.with_context(|| format!("reading {}", crates.display()))?.path().join("src"),
        );
    }
    dirs.extend([root.join("benches/src"), root.join("xtask/src")]);
    dirs.retain(|d| d.is_dir());
    dirs.sort();
    Ok(dirs)
}

/// The `.rs` files under `src`, by path relative to it.
fn read_files(src: &Path) -> anyhow::Result<Files> {
    let mut files = Files::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry.with_context(|| format!("reading {}", dir.display()))?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                files.insert(path.strip_prefix(src).unwrap_or(&path).to_path_buf(), text);
            }
        }
    }
    Ok(files)
}

/// One thing tidy objects to: the file (shown relative to the repository) and what is wrong.
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) file: PathBuf,
    pub(crate) message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

/// Checks the files of one `src/` folder, shown as `src` in the problems.
pub(crate) fn check_src(src: &Path, files: &Files) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut test_files = BTreeSet::new();
    for root in crate_roots(files) {
        let krate = Crate::read(files, &root);
        test_files.extend(krate.test_files.iter().cloned());
        for circle in krate.circles() {
            problems.push(circle_problem(src, &root, &krate, &circle));
        }
    }
    for (path, text) in files {
        let file = src.join(path);
        if !has_module_doc(text) {
            let message = "no `//!` doc comment at the top (one line saying what the module is)";
            problems.push(Problem { file: file.clone(), message: message.to_owned() });
        }
        let n_lines = text.lines().count();
        if n_lines > MAX_LINES && !is_test_path(path) && !test_files.contains(path) {
            let message = format!("{n_lines} lines, over {MAX_LINES}: split it by job");
            problems.push(Problem { file, message });
        }
    }
    problems
}

/// The crate root files among `files`: `lib.rs`, `main.rs`, `bin/*.rs`, `bin/*/main.rs`.
fn crate_roots(files: &Files) -> Vec<PathBuf> {
    files
        .keys()
        .filter(|p| {
            let parts: Vec<String> = p.iter().map(|c| c.to_string_lossy().into_owned()).collect();
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            matches!(parts.as_slice(), ["lib.rs" | "main.rs"] | ["bin", _] | ["bin", _, "main.rs"])
        })
        .cloned()
        .collect()
}

/// A circle as a problem of the crate root's file, naming every module and file in it and,
/// for each edge inside it, where it comes from.
fn circle_problem(src: &Path, root: &Path, krate: &Crate, circle: &[Vec<String>]) -> Problem {
    let names: Vec<String> = circle.iter().map(display).collect();
    let files: BTreeSet<String> = circle
        .iter()
        .filter_map(|m| krate.modules.get(m))
        .map(|m| src.join(&m.file).display().to_string())
        .collect();
    let files: Vec<String> = files.into_iter().collect();
    let mut message =
        format!("import circle between modules {} ({})", names.join(", "), files.join(", "));
    let in_circle = |m: &Vec<String>| circle.contains(m);
    for ((from, to), edge) in &krate.edges {
        if in_circle(from) && in_circle(to) {
            let _ = write!(
                message,
                "\n    {}:{}: `{}` uses `{}` ({})",
                src.join(&edge.file).display(),
                edge.line,
                display(from),
                display(to),
                edge.path
            );
        }
    }
    Problem { file: src.join(root), message }
}

/// Whether `text` opens with `//!`, after blank lines and attributes (also multi-line ones).
fn has_module_doc(text: &str) -> bool {
    let mut open_brackets = 0i64;
    for line in text.lines() {
        let trimmed = line.trim();
        if open_brackets > 0 || trimmed.starts_with("#[") || trimmed.starts_with("#![") {
            open_brackets += brackets(trimmed);
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        return trimmed.starts_with("//!");
    }
    false
}

fn brackets(line: &str) -> i64 {
    line.chars().map(|c| i64::from(c == '[') - i64::from(c == ']')).sum()
}

/// `tests.rs`, or a file under a `tests/` folder.
fn is_test_path(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "tests.rs")
        || path.parent().is_some_and(|p| p.iter().any(|c| c == "tests"))
}
