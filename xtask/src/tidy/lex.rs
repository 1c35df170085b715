//! A small Rust lexer for tidy: identifiers, string literals, `::` and single punctuation,
//! with comments, numbers and character literals dropped.

/// One token of Rust source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    Ident(String),
    /// A string literal's contents (escapes left as written).
    Str(String),
    /// `::`
    PathSep,
    Punct(char),
}

/// A token and the line it starts on (1-based).
#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) line: usize,
}

/// Splits `text` into tokens. Comments (doc comments too), numbers, lifetimes and character
/// literals produce none, so a path written in them is not taken for code.
pub(super) fn lex(text: &str) -> Vec<Token> {
    let c: Vec<char> = text.chars().collect();
    let mut lexer = Lexer { c: &c, i: 0, line: 1, out: Vec::new() };
    lexer.run();
    lexer.out
}

struct Lexer<'a> {
    c: &'a [char],
    i: usize,
    line: usize,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn at(&self, offset: usize) -> Option<char> {
        self.c.get(self.i + offset).copied()
    }

    /// Moves past one character, counting lines.
    fn bump(&mut self) {
        if self.at(0) == Some('\n') {
            self.line += 1;
        }
        self.i += 1;
    }

    fn push(&mut self, tok: Tok, line: usize) {
        self.out.push(Token { tok, line });
    }

    fn run(&mut self) {
        while let Some(ch) = self.at(0) {
            let line = self.line;
            match (ch, self.at(1)) {
                ('/', Some('/')) => {
                    while self.at(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                ('/', Some('*')) => self.block_comment(),
                ('"', _) => {
                    let s = self.string();
                    self.push(Tok::Str(s), line);
                }
                ('\'', _) => self.quote(),
                (':', Some(':')) => {
                    self.i += 2;
                    self.push(Tok::PathSep, line);
                }
                _ if ch.is_alphabetic() || ch == '_' => self.word(),
                _ if ch.is_ascii_digit() => {
                    while self.at(0).is_some_and(|c| {
                        c.is_alphanumeric() || c == '_' || c == '.' && self.digit_after_dot()
                    }) {
                        self.bump();
                    }
                }
                _ if ch.is_whitespace() => self.bump(),
                _ => {
                    self.bump();
                    self.push(Tok::Punct(ch), line);
                }
            }
        }
    }

    fn digit_after_dot(&self) -> bool {
        self.at(1).is_some_and(|c| c.is_ascii_digit())
    }

    fn block_comment(&mut self) {
        let mut depth = 0usize;
        while let Some(ch) = self.at(0) {
            match (ch, self.at(1)) {
                ('/', Some('*')) => {
                    depth += 1;
                    self.i += 2;
                }
                ('*', Some('/')) => {
                    depth -= 1;
                    self.i += 2;
                    if depth == 0 {
                        return;
                    }
                }
                _ => self.bump(),
            }
        }
    }

    /// An ordinary string literal starting at its opening `"`, with backslash escapes.
    fn string(&mut self) -> String {
        self.literal(0, false)
    }

    /// A string literal starting at its opening `"` and closed by `"` and `hashes` `#`s;
    /// backslash escapes only when not `raw`.
    fn literal(&mut self, hashes: usize, raw: bool) -> String {
        self.bump(); // the opening quote
        let mut s = String::new();
        while let Some(ch) = self.at(0) {
            if ch == '\\' && !raw {
                s.push(ch);
                self.bump();
                if let Some(next) = self.at(0) {
                    s.push(next);
                    self.bump();
                }
                continue;
            }
            if ch == '"' && (0..hashes).all(|k| self.at(1 + k) == Some('#')) {
                self.i += 1 + hashes;
                return s;
            }
            s.push(ch);
            self.bump();
        }
        s
    }

    /// A character literal (dropped) or a lifetime (its name becomes an identifier).
    fn quote(&mut self) {
        match (self.at(1), self.at(2)) {
            (Some('\\'), _) => {
                self.i += 3;
                while self.at(0).is_some_and(|c| c != '\'') {
                    self.bump();
                }
                self.i += 1;
            }
            (Some(_), Some('\'')) => self.i += 3,
            _ => self.i += 1,
        }
    }

    /// An identifier or keyword, a raw identifier (`r#type`), or a prefixed string literal
    /// (`b"…"`, `r#"…"#`, `br"…"`, `c"…"`).
    fn word(&mut self) {
        let line = self.line;
        let start = self.i;
        while self.at(0).is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.i += 1;
        }
        let word: String = self.c[start..self.i].iter().collect();
        if matches!(word.as_str(), "r" | "br" | "cr") {
            let hashes = (0..).take_while(|&k| self.at(k) == Some('#')).count();
            if self.at(hashes) == Some('"') {
                self.i += hashes;
                let s = self.literal(hashes, true);
                self.push(Tok::Str(s), line);
                return;
            }
            if word == "r" && hashes == 1 {
                self.i += 1;
                return self.word();
            }
        }
        if matches!(word.as_str(), "b" | "c") && self.at(0) == Some('"') {
            let s = self.string();
            self.push(Tok::Str(s), line);
            return;
        }
        self.push(Tok::Ident(word), line);
    }
}
