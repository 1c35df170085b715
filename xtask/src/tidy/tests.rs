//! Unit tests of tidy on small crates held in memory.

use std::path::Path;

use super::graph::Files;
use super::{MAX_LINES, Problem, check_src};

/// A `src/` folder of `(path, text)` pairs.
fn files(pairs: &[(&str, &str)]) -> Files {
    pairs.iter().map(|(p, t)| (p.into(), (*t).to_owned())).collect()
}

fn check(pairs: &[(&str, &str)]) -> Vec<Problem> {
    check_src(Path::new("src"), &files(pairs))
}

/// The problems as `file: message` lines.
fn report(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

#[test]
fn a_circle_between_two_modules_is_found_and_named() {
    let problems = check(&[
        ("lib.rs", "//! A crate.\nmod a;\nmod b;\n"),
        ("a.rs", "//! A.\nuse crate::b::B;\npub struct A;\n"),
        ("b.rs", "//! B.\n\npub struct B;\nfn f() -> crate::a::A { crate::a::A }\n"),
    ]);
    let report = report(&problems);
    assert_eq!(report.len(), 1, "{report:#?}");
    let head = "src/lib.rs: import circle between modules a, b (src/a.rs, src/b.rs)\n";
    assert!(report[0].starts_with(head), "{report:?}");
    assert!(report[0].contains("src/a.rs:2: `a` uses `b` (crate::b::B)"), "{report:?}");
    assert!(report[0].contains("src/b.rs:4: `b` uses `a` (crate::a::A)"), "{report:?}");
}

#[test]
fn a_longer_circle_through_super_self_and_a_use_group_is_found() {
    let problems = check(&[
        ("main.rs", "//! A binary.\nmod x;\nmod y;\nmod z;\n"),
        ("x.rs", "//! X.\nuse crate::{y::Y, z};\n"),
        ("y.rs", "//! Y.\npub struct Y;\nfn f() { super::z::g() }\n"),
        (
            "z.rs",
            "//! Z.\nmod inner { use super::super::x as _; pub fn h() {} }\n\
             pub fn g() { self::inner::h() }\n",
        ),
    ]);
    let report = report(&problems);
    assert_eq!(report.len(), 1, "{report:#?}");
    // `z::inner`, an inline module, closes the circle: x → y → z → z::inner → x.
    assert!(
        report[0].contains("modules x, y, z, z::inner (src/x.rs, src/y.rs, src/z.rs)\n"),
        "{report:?}"
    );
    assert!(report[0].contains("src/z.rs:2: `z::inner` uses `x` (super::super::x)"), "{report:?}");
}

#[test]
fn a_parent_and_its_child_are_not_a_circle() {
    // The parent declares the child and re-exports its type; the child uses the parent's
    // helper and, through the re-export, nothing else.
    let problems = check(&[
        ("lib.rs", "//! A crate.\nmod optim;\npub use optim::Adam;\n"),
        ("optim/mod.rs", "//! Optimizers.\nmod adam;\npub use adam::Adam;\nfn check() {}\n"),
        (
            "optim/adam.rs",
            "//! Adam.\nuse super::check;\nuse crate::Adam as _;\npub struct Adam;\n",
        ),
    ]);
    assert!(problems.is_empty(), "{:#?}", report(&problems));
}

#[test]
fn a_name_used_through_a_reexport_leads_to_its_module() {
    // `crate::Error` is `error::Error`, so `ops` names `error`, not the root; and the root
    // names `error` only in a `pub use`, so `error` naming the root's `run` is no circle.
    let pairs = [
        ("lib.rs", "//! A crate.\nmod error;\nmod ops;\npub use error::Error;\npub fn run() {}\n"),
        ("error.rs", "//! Errors.\npub struct Error;\nfn f() { crate::run() }\n"),
        ("ops.rs", "//! Ops.\nuse crate::Error;\npub fn op() -> Error { Error }\n"),
    ];
    assert!(check(&pairs).is_empty(), "{:#?}", report(&check(&pairs)));
    // But `error` naming `ops` while `ops` names `crate::Error` is a circle of the two.
    let mut pairs = pairs;
    pairs[1].1 = "//! Errors.\npub struct Error;\nfn f() { crate::ops::op(); }\n";
    let report = report(&check(&pairs));
    assert_eq!(report.len(), 1, "{report:#?}");
    assert!(report[0].contains("modules error, ops"), "{report:?}");
}

#[test]
fn test_code_names_anything() {
    let problems = check(&[
        ("lib.rs", "//! A crate.\nmod a;\nmod b;\n#[cfg(test)]\nmod testing;\n"),
        ("a.rs", "//! A.\nuse crate::b::B;\npub struct A;\n"),
        (
            "b.rs",
            "//! B.\npub struct B;\n#[cfg(test)]\nmod tests {\n    use crate::a::A;\n}\n\
             #[cfg(test)]\nmod more;\n",
        ),
        ("b/more.rs", "//! More tests.\nuse crate::a::A;\n"),
        ("testing.rs", "//! Helpers.\nuse crate::a::A;\n"),
    ]);
    assert!(problems.is_empty(), "{:#?}", report(&problems));
}

#[test]
fn paths_in_comments_and_strings_are_not_edges() {
    let problems = check(&[
        ("lib.rs", "//! A crate.\nmod a;\nmod b;\n"),
        ("a.rs", "//! A, see [`crate::b::B`].\nuse crate::b::B;\n"),
        (
            "b.rs",
            "//! B.\n/* crate::a::f */\nconst S: &str = \"crate::a::f\";\nconst R: &str = r#\"super::a\"#;\n",
        ),
    ]);
    assert!(problems.is_empty(), "{:#?}", report(&problems));
}

#[test]
fn a_path_attribute_is_followed() {
    let problems = check(&[
        ("lib.rs", "//! A crate.\n#[path = \"other/name.rs\"]\nmod a;\nmod b;\n"),
        ("other/name.rs", "//! A.\nuse crate::b::B;\n"),
        ("b.rs", "//! B.\npub struct B;\nuse crate::a::*;\n"),
    ]);
    let report = report(&problems);
    assert_eq!(report.len(), 1, "{report:#?}");
    assert!(report[0].contains("src/other/name.rs:2: `a` uses `b`"), "{report:?}");
}

#[test]
fn a_file_without_a_module_doc_is_named() {
    let problems = check(&[
        (
            "lib.rs",
            "#![warn(missing_docs)]\n#![cfg_attr(\n    doc,\n    allow(x)\n)]\n\n//! Fine.\nmod a;\nmod b;\n",
        ),
        ("a.rs", "// A plain comment is not a doc.\n//! Too late.\n"),
        ("b.rs", "use std::fmt;\n"),
    ]);
    let report = report(&problems);
    assert_eq!(report.len(), 2, "{report:#?}");
    assert!(report[0].starts_with("src/a.rs: no `//!` doc comment"), "{report:?}");
    assert!(report[1].starts_with("src/b.rs: no `//!` doc comment"), "{report:?}");
}

#[test]
fn a_long_file_is_named_unless_it_is_a_test_file() {
    let long = format!("//! Long.\n{}", "fn f() {}\n".repeat(MAX_LINES));
    let just_fits = format!("//! Fits.\n{}", "fn f() {}\n".repeat(MAX_LINES - 1));
    let problems = check(&[
        ("lib.rs", "//! A crate.\nmod long;\nmod fits;\n#[cfg(test)]\nmod helpers;\n"),
        ("long.rs", &long),
        ("fits.rs", &just_fits),
        ("helpers.rs", &long),
        ("tests.rs", &long),
        ("fits/tests/big.rs", &long),
    ]);
    let report = report(&problems);
    assert_eq!(
        report,
        [format!("src/long.rs: {} lines, over 500: split it by job", MAX_LINES + 1)]
    );
}
