//! What tidy reads from one source file: its `mod` declarations, inline modules, and the
//! paths it names inside the crate (`use` trees and `crate::`, `super::`, `self::` in code).

use super::lex::{Tok, Token, lex};

/// A module's path inside its crate: empty for the crate root.
pub(super) type ModPath = Vec<String>;

/// `mod name;`: a module whose body is another file.
#[derive(Debug)]
pub(super) struct ModDecl {
    /// The module the declaration sits in (the file's module or an inline module in it).
    pub(super) parent: ModPath,
    pub(super) name: String,
    /// The names of the inline modules around the declaration, inside the file.
    pub(super) inline_dirs: Vec<String>,
    /// The value of a `#[path = "..."]` attribute.
    pub(super) path_attr: Option<String>,
    /// Under `#[cfg(test)]` (or inside a test module).
    pub(super) test: bool,
}

/// How a path was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    /// A path in code, or a leaf of a private `use` tree (globs included).
    Use,
    /// A leaf of a `pub use` (any visibility) tree, imported under this name; `None` for a glob.
    Reexport(Option<String>),
}

/// A path naming something in the crate (or outside it: resolution tells), as written.
#[derive(Debug)]
pub(super) struct RawPath {
    /// The module the path is written in.
    pub(super) from: ModPath,
    pub(super) segs: Vec<String>,
    pub(super) line: usize,
    pub(super) kind: Kind,
}

/// Everything tidy takes from one file.
#[derive(Debug, Default)]
pub(super) struct FileScan {
    pub(super) decls: Vec<ModDecl>,
    /// Inline modules (`mod name { ... }`) and whether each is a test module.
    pub(super) inline: Vec<(ModPath, bool)>,
    /// Paths outside test code.
    pub(super) paths: Vec<RawPath>,
    /// The file starts with `#![cfg(test)]`.
    pub(super) test: bool,
}

/// A `{ ... }` the scanner is inside.
struct Scope {
    module: Option<String>,
    test: bool,
}

/// Attributes seen before the next item.
#[derive(Default)]
struct Pending {
    test: bool,
    path: Option<String>,
}

/// Scans the file whose module is `module`.
pub(super) fn scan(text: &str, module: &ModPath) -> FileScan {
    let toks = lex(text);
    let mut res = FileScan::default();
    let mut scopes: Vec<Scope> = Vec::new();
    let mut pending = Pending::default();
    let mut i = 0;
    while i < toks.len() {
        let in_test = res.test || scopes.iter().any(|s| s.test);
        let here = || -> ModPath {
            let mut path = module.clone();
            path.extend(scopes.iter().filter_map(|s| s.module.clone()));
            path
        };
        match &toks[i].tok {
            Tok::Punct('#') => {
                let inner = matches!(toks.get(i + 1), Some(t) if t.tok == Tok::Punct('!'));
                let start = i + 1 + usize::from(inner);
                let (attr, end) = bracketed(&toks, start);
                if is_cfg_test(&attr) {
                    if inner && scopes.is_empty() {
                        res.test = true;
                    }
                    pending.test |= !inner;
                }
                if let [Tok::Ident(p), Tok::Punct('='), Tok::Str(value)] = attr.as_slice()
                    && p == "path"
                {
                    pending.path = Some(value.clone());
                }
                i = end;
                continue;
            }
            Tok::Ident(kw) if kw == "mod" => {
                if let (Some(Tok::Ident(name)), Some(Tok::Punct(c @ (';' | '{')))) =
                    (toks.get(i + 1).map(|t| &t.tok), toks.get(i + 2).map(|t| &t.tok))
                {
                    let test = pending.test || in_test;
                    if *c == ';' {
                        res.decls.push(ModDecl {
                            parent: here(),
                            name: name.clone(),
                            inline_dirs: scopes.iter().filter_map(|s| s.module.clone()).collect(),
                            path_attr: pending.path.take(),
                            test,
                        });
                    } else {
                        let mut path = here();
                        path.push(name.clone());
                        res.inline.push((path, test));
                        scopes.push(Scope { module: Some(name.clone()), test });
                    }
                    pending = Pending::default();
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(kw)
                if kw == "use"
                    && !matches!(toks.get(i + 1), Some(t) if t.tok == Tok::Punct('<')) =>
            {
                let public = is_public(&toks, i);
                let mut leaves = Vec::new();
                i = use_tree(&toks, i + 1, &mut Vec::new(), &mut leaves);
                if !(in_test || pending.test) {
                    for (segs, name, line) in leaves {
                        let kind = if public { Kind::Reexport(name) } else { Kind::Use };
                        res.paths.push(RawPath { from: here(), segs, line, kind });
                    }
                }
                pending = Pending::default();
                continue;
            }
            Tok::Ident(kw)
                if matches!(kw.as_str(), "crate" | "super" | "self")
                    && matches!(toks.get(i + 1), Some(t) if t.tok == Tok::PathSep)
                    && !matches!(toks.get(i.wrapping_sub(1)), Some(t) if t.tok == Tok::PathSep) =>
            {
                let line = toks[i].line;
                let mut segs = vec![kw.clone()];
                let mut j = i + 1;
                while let (Some(Tok::PathSep), Some(Tok::Ident(seg))) =
                    (toks.get(j).map(|t| &t.tok), toks.get(j + 1).map(|t| &t.tok))
                {
                    segs.push(seg.clone());
                    j += 2;
                }
                if !(in_test || pending.test) {
                    res.paths.push(RawPath { from: here(), segs, line, kind: Kind::Use });
                }
                i = j;
                continue;
            }
            Tok::Punct('{') => {
                scopes.push(Scope { module: None, test: pending.test });
                pending = Pending::default();
            }
            Tok::Punct('}') => {
                scopes.pop();
                pending = Pending::default();
            }
            Tok::Punct(';') => pending = Pending::default(),
            _ => {}
        }
        i += 1;
    }
    res
}

/// The tokens inside the `[ ... ]` starting at `start`, and the index after its `]`.
fn bracketed(toks: &[Token], start: usize) -> (Vec<Tok>, usize) {
    if !matches!(toks.get(start), Some(t) if t.tok == Tok::Punct('[')) {
        return (Vec::new(), start);
    }
    let mut depth = 0usize;
    for (j, t) in toks.iter().enumerate().skip(start) {
        match t.tok {
            Tok::Punct('[') => depth += 1,
            Tok::Punct(']') => {
                depth -= 1;
                if depth == 0 {
                    return (toks[start + 1..j].iter().map(|t| t.tok.clone()).collect(), j + 1);
                }
            }
            _ => {}
        }
    }
    (Vec::new(), toks.len())
}

/// `cfg(test)` or `cfg(all(test, ...))`.
fn is_cfg_test(attr: &[Tok]) -> bool {
    let words: Vec<&str> = attr
        .iter()
        .filter_map(|t| if let Tok::Ident(w) = t { Some(w.as_str()) } else { None })
        .collect();
    matches!(words.as_slice(), ["cfg", "test"] | ["cfg", "all", "test", ..])
}

/// Whether the `use` at `i` has a visibility: `pub use` or `pub(...) use`.
fn is_public(toks: &[Token], i: usize) -> bool {
    let ident = |j: usize, w: &str| matches!(toks.get(j), Some(t) if t.tok == Tok::Ident(w.into()));
    if i >= 1 && ident(i - 1, "pub") {
        return true;
    }
    if i >= 1 && toks[i - 1].tok == Tok::Punct(')') {
        let open = toks[..i - 1].iter().rposition(|t| t.tok == Tok::Punct('('));
        return open.is_some_and(|o| o >= 1 && ident(o - 1, "pub"));
    }
    false
}

/// Parses the use tree starting at `i` with `prefix` already read, pushing each leaf as (full
/// path, name it is imported under or `None` for a glob, line); returns the index after the
/// tree (after the `;` at the top level).
fn use_tree(
    toks: &[Token],
    mut i: usize,
    prefix: &mut Vec<String>,
    leaves: &mut Vec<(Vec<String>, Option<String>, usize)>,
) -> usize {
    let depth = prefix.len();
    while let Some(t) = toks.get(i) {
        match &t.tok {
            Tok::Ident(seg) if seg == "self" && depth > 0 && prefix.len() == depth => {
                let name = alias(toks, i + 1).unwrap_or_else(|| prefix[depth - 1].clone());
                leaves.push((prefix.clone(), Some(name), t.line));
            }
            Tok::Ident(seg) if seg == "as" => i += 1,
            Tok::Ident(seg) => {
                prefix.push(seg.clone());
                if !matches!(toks.get(i + 1), Some(n) if n.tok == Tok::PathSep) {
                    let name = alias(toks, i + 1).unwrap_or_else(|| seg.clone());
                    leaves.push((prefix.clone(), Some(name), t.line));
                }
            }
            Tok::Punct('*') => leaves.push((prefix.clone(), None, t.line)),
            Tok::Punct('{') => {
                let mut inner = prefix.clone();
                i = use_tree(toks, i + 1, &mut inner, leaves);
                continue;
            }
            Tok::Punct(',') => prefix.truncate(depth),
            Tok::Punct('}') => {
                prefix.truncate(depth);
                return i + 1;
            }
            Tok::Punct(';') => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// The name after `as` at `i`, if any.
fn alias(toks: &[Token], i: usize) -> Option<String> {
    match (toks.get(i).map(|t| &t.tok), toks.get(i + 1).map(|t| &t.tok)) {
        (Some(Tok::Ident(kw)), Some(Tok::Ident(name))) if kw == "as" => Some(name.clone()),
        _ => None,
    }
}
