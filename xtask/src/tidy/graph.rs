//! The module graph of one crate, from its root file through `mod` declarations, and the
//! import circles in it: strongly connected components of the `use`/path edges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use super::scan::{Kind, ModPath, RawPath, scan};

/// The source files of one `src/` folder, by path relative to it.
pub(super) type Files = BTreeMap<PathBuf, String>;

/// One module of a crate.
#[derive(Debug)]
pub(super) struct Module {
    /// The file that holds its body (for an inline module, the file it is written in).
    pub(super) file: PathBuf,
    /// A test module, or inside one.
    pub(super) test: bool,
}

/// A use edge between two modules, where it was first seen.
#[derive(Debug, Clone)]
pub(super) struct Edge {
    pub(super) file: PathBuf,
    pub(super) line: usize,
    /// The path as written.
    pub(super) path: String,
}

/// A crate's modules and the use edges between them.
#[derive(Debug, Default)]
pub(super) struct Crate {
    pub(super) modules: BTreeMap<ModPath, Module>,
    pub(super) edges: BTreeMap<(ModPath, ModPath), Edge>,
    /// The files whose module is a test module (`#[cfg(test)] mod name;`, or inside one).
    pub(super) test_files: BTreeSet<PathBuf>,
}

impl Crate {
    /// Reads the crate whose root file is `root` (a key of `files`).
    pub(super) fn read(files: &Files, root: &Path) -> Self {
        let mut krate = Self::default();
        let mut raw: Vec<(PathBuf, RawPath)> = Vec::new();
        // (file, module, test, whether its children live in its own folder)
        let mut queue = vec![(root.to_path_buf(), ModPath::new(), false, true)];
        let mut seen = BTreeSet::new();
        while let Some((file, module, test, mod_rs)) = queue.pop() {
            let Some(text) = files.get(&file).filter(|_| seen.insert(file.clone())) else {
                continue;
            };
            let found = scan(text, &module);
            let test = test || found.test;
            krate.modules.insert(module.clone(), Module { file: file.clone(), test });
            if test {
                krate.test_files.insert(file.clone());
            }
            for (path, inline_test) in found.inline {
                let test = test || inline_test;
                krate.modules.insert(path, Module { file: file.clone(), test });
            }
            let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
            let own_dir = if mod_rs { dir.clone() } else { dir.join(stem(&file)) };
            for decl in found.decls {
                let mut child = decl.parent.clone();
                child.push(decl.name.clone());
                let test =
                    test || decl.test || krate.modules.get(&decl.parent).is_some_and(|m| m.test);
                let base = decl.inline_dirs.iter().fold(own_dir.clone(), |d, m| d.join(m));
                if let Some(attr) = &decl.path_attr {
                    let base = decl.inline_dirs.iter().fold(dir.clone(), |d, m| d.join(m));
                    queue.push((normalize(&base.join(attr)), child, test, true));
                    continue;
                }
                let flat = base.join(format!("{}.rs", decl.name));
                let nested = base.join(&decl.name).join("mod.rs");
                let (path, mod_rs) =
                    if files.contains_key(&flat) { (flat, false) } else { (nested, true) };
                queue.push((path, child, test, mod_rs));
            }
            if !test {
                raw.extend(found.paths.into_iter().map(|p| (file.clone(), p)));
            }
        }
        // Paths in test modules declared inline were dropped by the scan; those in modules
        // inside test files never reach `raw`.
        let reexports = krate.reexports(&raw);
        for (file, p) in &raw {
            if p.kind != Kind::Use || krate.modules.get(&p.from).is_some_and(|m| m.test) {
                continue;
            }
            let Some(abs) = krate.absolute(&p.from, &p.segs) else { continue };
            let to = krate.target(&abs, &reexports, 0);
            if to != p.from {
                let edge = Edge { file: file.clone(), line: p.line, path: p.segs.join("::") };
                krate.edges.entry((p.from.clone(), to)).or_insert(edge);
            }
        }
        krate
    }

    /// `segs` as a path from the crate root, when it starts inside the crate (`crate`, `self`,
    /// `super`, or a child module of `from`).
    fn absolute(&self, from: &ModPath, segs: &[String]) -> Option<Vec<String>> {
        let (first, _) = segs.split_first()?;
        let mut base = match first.as_str() {
            "crate" => Vec::new(),
            "self" | "super" => from.clone(),
            _ => {
                let mut child = from.clone();
                child.push(first.clone());
                if !self.modules.contains_key(&child) {
                    return None;
                }
                from.clone()
            }
        };
        let skip = usize::from(matches!(first.as_str(), "crate" | "self"));
        let mut rest = segs[skip..].iter().peekable();
        while rest.next_if(|s| *s == "super").is_some() {
            base.pop()?;
        }
        base.extend(rest.cloned());
        Some(base)
    }

    /// Each module's `pub use` names: the path from the crate root that each stands for.
    fn reexports(
        &self,
        raw: &[(PathBuf, RawPath)],
    ) -> BTreeMap<ModPath, BTreeMap<String, Vec<String>>> {
        let mut map: BTreeMap<ModPath, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for (_, p) in raw {
            if let Kind::Reexport(Some(name)) = &p.kind
                && let Some(abs) = self.absolute(&p.from, &p.segs)
            {
                map.entry(p.from.clone()).or_default().insert(name.clone(), abs);
            }
        }
        map
    }

    /// The module `abs` names: its longest prefix that is a module, or, when the next segment
    /// is a name that module re-exports, the module the name comes from.
    fn target(
        &self,
        abs: &[String],
        reexports: &BTreeMap<ModPath, BTreeMap<String, Vec<String>>>,
        depth: usize,
    ) -> ModPath {
        let len =
            (0..=abs.len()).rev().find(|&n| self.modules.contains_key(&abs[..n])).unwrap_or(0);
        let module = abs[..len].to_vec();
        let source = abs.get(len).and_then(|name| reexports.get(&module)?.get(name));
        match source {
            Some(source) if depth < 8 && source.as_slice() != abs => {
                self.target(source, reexports, depth + 1)
            }
            _ => module,
        }
    }

    /// The strongly connected components with more than one module (Tarjan's algorithm),
    /// each sorted, in order of their first module.
    pub(super) fn circles(&self) -> Vec<Vec<ModPath>> {
        let mut succ: BTreeMap<&ModPath, Vec<&ModPath>> = BTreeMap::new();
        for (from, to) in self.edges.keys() {
            succ.entry(from).or_default().push(to);
        }
        let mut tarjan = Tarjan {
            succ: &succ,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            components: Vec::new(),
        };
        for module in self.modules.keys() {
            if !tarjan.index.contains_key(module) {
                tarjan.visit(module);
            }
        }
        let mut res: Vec<Vec<ModPath>> = tarjan
            .components
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|c| {
                let mut c: Vec<ModPath> = c.into_iter().cloned().collect();
                c.sort();
                c
            })
            .collect();
        res.sort();
        res
    }
}

/// Tarjan's strongly connected components: the state of one walk.
struct Tarjan<'a> {
    succ: &'a BTreeMap<&'a ModPath, Vec<&'a ModPath>>,
    index: BTreeMap<&'a ModPath, usize>,
    low: BTreeMap<&'a ModPath, usize>,
    stack: Vec<&'a ModPath>,
    on_stack: BTreeSet<&'a ModPath>,
    components: Vec<Vec<&'a ModPath>>,
}

impl<'a> Tarjan<'a> {
    fn visit(&mut self, v: &'a ModPath) {
        let n = self.index.len();
        self.index.insert(v, n);
        self.low.insert(v, n);
        self.stack.push(v);
        self.on_stack.insert(v);
        for &w in self.succ.get(v).into_iter().flatten() {
            if !self.index.contains_key(w) {
                self.visit(w);
                let low = self.low[v].min(self.low[w]);
                self.low.insert(v, low);
            } else if self.on_stack.contains(w) {
                let low = self.low[v].min(self.index[w]);
                self.low.insert(v, low);
            }
        }
        if self.low[v] == self.index[v] {
            let mut component = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack.remove(w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}

/// A module path as written in Rust: `crate` for the root, else `a::b`.
pub(super) fn display(module: &ModPath) -> String {
    if module.is_empty() { "crate".to_owned() } else { module.join("::") }
}

fn stem(file: &Path) -> String {
    file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `path` with `.` and `..` removed (lexically: the files are a map, not a disk).
fn normalize(path: &Path) -> PathBuf {
    let mut res = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                res.pop();
            }
            other => res.push(other),
        }
    }
    res
}
