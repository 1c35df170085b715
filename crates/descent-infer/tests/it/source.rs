//! `source::MODULES` is every module but `lib.rs` and `source.rs`, as the files hold them,
//! and each can be inlined: no `crate::` paths, no test code, no doc examples.

use descent_infer::source::MODULES;

#[test]
fn modules_are_the_crate_files_as_they_are() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "lib.rs" && name != "source.rs")
        .collect();
    files.sort();
    let names: Vec<String> = MODULES.iter().map(|(name, _)| format!("{name}.rs")).collect();
    assert_eq!(names, files, "every module file is inlined, and nothing else");
    for (name, text) in MODULES {
        assert_eq!(std::fs::read_to_string(src.join(format!("{name}.rs"))).unwrap(), text);
        for banned in ["crate::", "cfg(test)", "```", "std::", "alloc::", "#!["] {
            assert!(!text.contains(banned), "{name}.rs contains `{banned}`");
        }
    }
}
