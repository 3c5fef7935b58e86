//! Parsing a file, with the first error the parser or the lexer found.
//!
//! `SourceFile::parse` builds the same tree, but its `Parse::errors` also
//! runs rust-analyzer's validation walk over the whole tree (escapes in
//! literals, `let` where an expression is expected, keywords in paths), which
//! costs about an eighth of a run over the benchmark corpus. Those errors
//! leave the tree well-formed and are rustc's to report, so a file is
//! skipped only for what the parser and the lexer find. The steps are
//! `ra_ap_syntax::parsing::parse_text`'s, which is not public.

use ra_ap_parser::{LexedStr, StrStep, TopEntryPoint};
use ra_ap_syntax::{AstNode, Edition, SourceFile, SyntaxError, SyntaxTreeBuilder, TextRange};

/// A file's tree, and the first error the parser (else the lexer) found in
/// it, as `Parse::errors` would list it first.
pub struct Parsed {
    pub tree: SourceFile,
    pub error: Option<SyntaxError>,
}

pub fn parse(text: &str, edition: Edition) -> Parsed {
    let lexed = LexedStr::new(edition, text);
    let output = TopEntryPoint::SourceFile.parse(&lexed.to_input(edition));
    let mut builder = SyntaxTreeBuilder::default();
    let mut error = None;
    lexed.intersperse_trivia(&output, &mut |step| match step {
        StrStep::Token { kind, text } => builder.token(kind, text),
        StrStep::Enter { kind } => builder.start_node(kind),
        StrStep::Exit => builder.finish_node(),
        StrStep::Error { msg, pos } => {
            let at = ra_ap_syntax::TextSize::new(pos as u32);
            error.get_or_insert_with(|| SyntaxError::new_at_offset(msg, at));
        }
    });
    let error = error.or_else(|| {
        lexed.errors().next().map(|(i, msg)| {
            let r = lexed.text_range(i);
            SyntaxError::new(
                msg,
                TextRange::new((r.start as u32).into(), (r.end as u32).into()),
            )
        })
    });
    let tree = SourceFile::cast(builder.finish().syntax_node())
        .expect("the SourceFile entry point builds a SOURCE_FILE node");
    Parsed { tree, error }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same tree as `SourceFile::parse`, and the same first error where
    /// the parser or the lexer finds one.
    #[test]
    fn matches_source_file_parse() {
        let cases = [
            "fn main() { let x = 1; }",
            "fn main() { let x = 1 }",
            "fn f( {",
            "struct S { a: u32, }\nfn g() -> u8 { 'ab' }",
            "fn h() { let s = \"unterminated; }",
            "",
        ];
        for src in cases {
            let ours = parse(src, Edition::Edition2021);
            let theirs = SourceFile::parse(src, Edition::Edition2021);
            assert_eq!(ours.tree.syntax().to_string(), src);
            assert_eq!(
                format!("{:#?}", ours.tree.syntax()),
                format!("{:#?}", theirs.tree().syntax()),
                "{src}"
            );
            assert_eq!(ours.error, theirs.errors().into_iter().next(), "{src}");
        }
    }

    /// Validation errors are rustc's to report: the tree is well-formed.
    #[test]
    fn validation_errors_are_not_reported() {
        let src = "use a::crate::b;";
        assert!(!SourceFile::parse(src, Edition::Edition2021)
            .errors()
            .is_empty());
        assert!(parse(src, Edition::Edition2021).error.is_none());
    }
}
