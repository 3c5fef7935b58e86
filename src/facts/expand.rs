//! The file's own `macro_rules!`, expanded where the file calls them. A
//! macro whose body calls a lock method (`*$m.lock().unwrap() += 1`) is
//! expanded at each of its calls in the file's code: the call is replaced by
//! its arm's body with the arguments pasted in, the text is read again, and
//! the lock sites inside each expansion become the file's, at their ranges
//! in the macro's body (or in the call's arguments, for a site an argument
//! holds). Every expansion of one body site must then agree on its rewrite
//! (see `locks::sites`); a site whose rewrite would span the body and an
//! argument is reported instead.
//!
//! What is expanded: arms whose matcher is a flat run of `$name:kind`
//! fragments and tokens, maybe ending in `$($rest:tt)*` (pasted as
//! `$($rest)*`; no other repetition, no nested group), called in
//! expression or statement position, in code or in another macro's tokens
//! (`select!`'s branches). A file whose expansions declare a
//! lock or name a lock type keeps its calls unexpanded: those are beyond
//! what the sites and flows carry.

use super::macro_arms::{arms, expand_call, Arm};
use super::*;
use std::collections::HashMap;

/// A piece of the expanded text: where it starts in the expanded text,
/// its length, and where it starts in the file (none: text the expansion
/// adds, such as the parentheses around a pasted expression).
#[derive(Clone, Copy, Debug)]
struct Piece {
    at: TextSize,
    len: TextSize,
    from: Option<TextSize>,
}

/// One call, expanded.
#[derive(Debug)]
struct Expanded {
    /// The macro's name and the call in the file.
    name: String,
    call: TextRange,
    /// Its expansion in the expanded text.
    at: TextRange,
    pieces: Vec<Piece>,
}

/// The file's text with its calls of lock-calling macros expanded.
pub(super) struct Expansions {
    pub(super) text: String,
    calls: Vec<Expanded>,
    /// The macros whose every call in the file it expanded.
    expanded: Vec<String>,
}

/// The macros `file` defines whose body calls a lock method, expanded at
/// their calls in its code; none where there is no such call.
pub(super) fn expand(file: &SourceFile, text: &str) -> Option<Expansions> {
    let mut defs: HashMap<String, Option<Vec<Arm>>> = HashMap::new();
    for rules in file
        .syntax()
        .descendants()
        .filter_map(ast::MacroRules::cast)
    {
        let (Some(name), Some(tt)) = (rules.name(), rules.token_tree()) else {
            continue;
        };
        if !calls_a_lock_method(&tt) {
            continue;
        }
        // Two definitions of one name: which one a call sees depends on
        // textual order, which is not followed.
        let name = name.text().to_string();
        let arms = match defs.contains_key(&name) {
            true => None,
            false => arms(&tt),
        };
        defs.insert(name, arms);
    }
    if defs.is_empty() {
        return None;
    }
    let mut out = Expansions {
        text: String::with_capacity(text.len()),
        calls: Vec::new(),
        expanded: Vec::new(),
    };
    let mut copied = 0usize;
    let mut expanded: HashMap<String, usize> = HashMap::new();
    for (name, range, tt, raw) in calls_of(file, &defs) {
        let Some(def) = defs.get(&name) else { continue };
        // A call inside an expanded call's arguments is expanded with it.
        if usize::from(range.start()) < copied {
            continue;
        }
        let Some(pieces) = def
            .as_deref()
            .and_then(|arms| expand_call(arms, &tt, text, raw))
        else {
            continue;
        };
        out.text.push_str(&text[copied..usize::from(range.start())]);
        let start = TextSize::of(out.text.as_str());
        let mut placed = Vec::with_capacity(pieces.len());
        for (piece, from) in pieces {
            let at = TextSize::of(out.text.as_str());
            match from {
                Some(r) => out.text.push_str(&text[r]),
                None => out.text.push_str(piece),
            }
            placed.push(Piece {
                at,
                len: TextSize::of(out.text.as_str()) - at,
                from: from.map(|r| r.start()),
            });
        }
        out.calls.push(Expanded {
            name: name.clone(),
            call: range,
            at: TextRange::new(start, TextSize::of(out.text.as_str())),
            pieces: placed,
        });
        *expanded.entry(name).or_default() += 1;
        copied = usize::from(range.end());
    }
    if out.calls.is_empty() {
        return None;
    }
    // A call not expanded (in item position, inside another macro's
    // definition, of an arm beyond what is expanded) keeps its macro's
    // body as it is.
    let calls = named_calls(file, &defs);
    for (name, n) in expanded {
        if calls.get(&name).is_none_or(|&all| all <= n) {
            out.expanded.push(name);
        }
    }
    out.text.push_str(&text[copied..]);
    Some(out)
}

/// The calls of `defs` the file makes in expression or statement position,
/// in order: each name, range, argument tokens, and whether it expands to
/// statements as they are (see `expand_call`). In code, a call whose
/// parent is a statement or a block's tail does; in another macro's tokens
/// (`select!`'s branches), one followed by `;`.
fn calls_of<T>(
    file: &SourceFile,
    defs: &HashMap<String, T>,
) -> Vec<(String, TextRange, ast::TokenTree, bool)> {
    let mut calls = Vec::new();
    for mac in file.syntax().descendants().filter_map(ast::MacroCall::cast) {
        let Some(name) = mac.path().and_then(|p| p.as_single_name_ref()) else {
            continue;
        };
        let (Some(tt), true) = (mac.token_tree(), defs.contains_key(name.text())) else {
            continue;
        };
        let Some(expr) = mac
            .syntax()
            .parent()
            .filter(|p| p.kind() == SyntaxKind::MACRO_EXPR)
        else {
            continue;
        };
        let raw = expr
            .parent()
            .is_some_and(|p| matches!(p.kind(), SyntaxKind::EXPR_STMT | SyntaxKind::STMT_LIST));
        calls.push((name.text().to_string(), mac.syntax().text_range(), tt, raw));
    }
    // `name ! (..)` among another macro call's tokens.
    let in_tokens = file
        .syntax()
        .descendants()
        .filter(|n| n.kind() == SyntaxKind::TOKEN_TREE)
        .filter(|n| {
            n.parent()
                .is_some_and(|p| p.kind() == SyntaxKind::MACRO_CALL)
        });
    for outer in in_tokens {
        let tokens: Vec<ra_ap_syntax::SyntaxElement> = outer
            .descendants_with_tokens()
            .filter(|e| !e.kind().is_trivia())
            .collect();
        for (i, e) in tokens.iter().enumerate() {
            let Some(t) = e.as_token().filter(|t| t.kind() == SyntaxKind::IDENT) else {
                continue;
            };
            if !defs.contains_key(t.text()) {
                continue;
            }
            let bang = tokens
                .get(i + 1)
                .is_some_and(|b| b.kind() == SyntaxKind::BANG);
            let tt = tokens
                .get(i + 2)
                .and_then(|g| g.as_node())
                .and_then(|g| ast::TokenTree::cast(g.clone()));
            let (true, Some(tt)) = (bang, tt) else {
                continue;
            };
            let next = tt
                .syntax()
                .next_sibling_or_token()
                .into_iter()
                .flat_map(|n| std::iter::successors(Some(n), |n| n.next_sibling_or_token()))
                .find(|n| !n.kind().is_trivia());
            let raw = next.is_some_and(|n| n.kind() == SyntaxKind::SEMICOLON);
            let range = TextRange::new(t.text_range().start(), tt.syntax().text_range().end());
            calls.push((t.text().to_string(), range, tt, raw));
        }
    }
    calls.sort_by_key(|(_, range, ..)| range.start());
    calls
}

/// How many times the file calls each of `defs` (`name!`, in code or in
/// other macros' tokens).
fn named_calls<T>(file: &SourceFile, defs: &HashMap<String, T>) -> HashMap<String, usize> {
    let mut calls = HashMap::new();
    let mut tokens = file
        .syntax()
        .descendants_with_tokens()
        .filter_map(|t| t.into_token())
        .filter(|t| !t.kind().is_trivia())
        .peekable();
    while let Some(t) = tokens.next() {
        let bang = tokens.peek().is_some_and(|n| n.kind() == SyntaxKind::BANG);
        if bang && t.kind() == SyntaxKind::IDENT && defs.contains_key(t.text()) {
            *calls.entry(t.text().to_string()).or_default() += 1;
        }
    }
    calls
}

/// A macro body's tokens hold `.lock(`, `.read(`, `.write(` (or another
/// lock method).
fn calls_a_lock_method(tt: &ast::TokenTree) -> bool {
    let tokens = significant_tokens(tt);
    (0..tokens.len()).any(|i| lock_method_call(&tokens, i))
}

impl Expansions {
    /// The expansion that holds `offset` of the expanded text.
    fn holding(&self, offset: TextSize) -> Option<&Expanded> {
        let i = self.calls.partition_point(|c| c.at.end() <= offset);
        self.calls.get(i).filter(|c| c.at.contains(offset))
    }

    /// An offset of the expanded text in the file: where the text outside
    /// expansions is, or in an expansion, the file's text its piece was
    /// made of (the call's start, for text the expansion adds).
    fn offset(&self, offset: TextSize) -> TextSize {
        match self.holding(offset) {
            Some(c) => c
                .pieces
                .iter()
                .find(|p| p.at <= offset && offset < p.at + p.len)
                .and_then(|p| Some(p.from? + (offset - p.at)))
                .unwrap_or(c.call.start()),
            None => self.outside(offset),
        }
    }

    /// An offset outside every expansion, in the file.
    fn outside(&self, offset: TextSize) -> TextSize {
        let before = self.calls.iter().take_while(|c| c.at.end() <= offset);
        let (grown, shrunk) = before.fold((0u32, 0u32), |(g, s), c| {
            (g + u32::from(c.at.len()), s + u32::from(c.call.len()))
        });
        TextSize::from(u32::from(offset) + shrunk - grown)
    }

    /// A range of the expanded text in the file, where it lies outside the
    /// expansions or inside one piece of the file's text; none where it
    /// spans pieces.
    fn range(&self, r: TextRange) -> Option<TextRange> {
        let Some(c) = self.holding(r.start()) else {
            let end = r.end();
            let clear = self
                .calls
                .iter()
                .all(|c| c.at.end() <= r.start() || c.at.start() >= end);
            return clear.then(|| TextRange::new(self.outside(r.start()), self.outside(end)));
        };
        let p = c
            .pieces
            .iter()
            .find(|p| p.at <= r.start() && r.end() <= p.at + p.len)?;
        let from = p.from? + (r.start() - p.at);
        Some(TextRange::at(from, r.len()))
    }

    /// A range of the expanded text as a stretch of the file: its ends each
    /// at the call around them, where they are in an expansion.
    fn extent(&self, r: TextRange) -> TextRange {
        let end_at = |o: TextSize, start: bool| match self.holding(o) {
            Some(c) if start => c.call.start(),
            Some(c) => c.call.end(),
            None => self.outside(o),
        };
        let (s, e) = (end_at(r.start(), true), end_at(r.end(), false));
        TextRange::new(s.min(e), e.max(s))
    }

    /// Adds to the file's `facts` what the expansions show (`expanded`,
    /// the facts of the expanded text): the lock sites inside them, the
    /// lock calls there it could not resolve, and the places they hand
    /// to other macros. A call it expands no longer hands its arguments to
    /// an unknown macro.
    pub(super) fn merge(&self, facts: &mut FileFacts, expanded: FileFacts) {
        let inside = |r: TextRange| self.holding(r.start()).is_some();
        // A lock the expansions declare or name is beyond the sites. (A
        // local typed otherwise is recorded in case its type is a lock
        // alias: the `Tokio` family marks it.)
        let beyond = (expanded.decls.iter()).any(|d| inside(d.range) && d.family != Family::Tokio)
            || expanded.refs.iter().any(|r| inside(r.range));
        if beyond {
            return;
        }
        // The flows the expansions add (an argument handed on to a fn in
        // the body); one that ends at a local the expansion binds (a
        // guard's) carries no lock, since the expansions declare none.
        let known: HashSet<&(Vec<Target>, Target)> = facts.links.iter().collect();
        let mut flows = Vec::new();
        for (lhs, rhs) in &expanded.links {
            let lhs: Option<Vec<Target>> = lhs.iter().map(|t| self.target(t)).collect();
            match (lhs, self.target(rhs)) {
                (Some(lhs), Some(rhs)) if !known.contains(&(lhs.clone(), rhs.clone())) => {
                    flows.push((lhs, rhs))
                }
                _ => {}
            }
        }
        facts.links.extend(flows);
        for site in expanded.sites {
            let Some(c) = self.holding(site.range.start()) else {
                continue;
            };
            let (call, name) = (c.call, c.name.clone());
            let in_async = site.ctx == SiteContext::Async;
            let Some(target) = self.target(&site.target) else {
                continue; // a local the expansion declares: no lock's
            };
            match self.site(site, target.clone(), &name) {
                Some(site) => facts.sites.push(site),
                None => facts.macro_uses.push(MacroUse {
                    macro_name: name,
                    target,
                    range: call,
                    in_async,
                    kind: MacroUseKind::Spanning,
                }),
            }
        }
        for mut u in expanded.unresolved {
            if inside(u.range) {
                u.range = self.range(u.range).unwrap_or_else(|| self.extent(u.range));
                u.scope = self.extent(u.scope);
                facts.unresolved.push(u);
            }
        }
        for mut m in expanded.macro_uses {
            if let (true, Some(target)) = (inside(m.range), self.target(&m.target)) {
                m.range = self.range(m.range).unwrap_or_else(|| self.extent(m.range));
                m.target = target;
                facts.macro_uses.push(m);
            }
        }
        // The calls expanded hand nothing to a macro the tool cannot read.
        let calls: Vec<TextRange> = self.calls.iter().map(|c| c.call).collect();
        facts.macro_uses.retain(|m| {
            m.kind != MacroUseKind::Handed || !calls.iter().any(|c| c.contains_range(m.range))
        });
        facts
            .async_macro_calls
            .retain(|n| !self.expanded.contains(n));
        facts
            .unexpanded_macro_calls
            .retain(|n| !self.expanded.contains(n));
    }

    /// A target of the expanded text's facts, in the file's: a local's
    /// statement offset moves; a local the expansion declares is none.
    fn target(&self, t: &Target) -> Option<Target> {
        match t {
            Target::Key(DeclKey::Local { file, offset }) => {
                let at = TextSize::from(*offset);
                if self.holding(at).is_some() {
                    return None;
                }
                Some(Target::Key(DeclKey::Local {
                    file: *file,
                    offset: self.outside(at).into(),
                }))
            }
            t => Some(t.clone()),
        }
    }

    /// A lock site of an expansion at its place in the file: every range
    /// its rewrite edits must lie in one piece of the file's text.
    fn site(&self, mut s: SiteFact, target: Target, name: &str) -> Option<SiteFact> {
        s.target = target;
        s.in_macro = Some(name.to_string());
        s.call = self.range(s.call)?;
        s.range = self.range(s.range)?;
        match &mut s.shape {
            SiteShape::Unwrapped { replace } => *replace = self.range(*replace)?,
            SiteShape::IfLetOk { head, tail, .. } | SiteShape::MatchOk { head, tail, .. } => {
                *head = self.range(*head)?;
                *tail = self.range(*tail)?;
            }
            SiteShape::LetElseOk { stmt, .. } => *stmt = self.range(*stmt)?,
            SiteShape::Bare { .. } => {}
        }
        s.guard_extent = s.guard_extent.map(|e| self.extent(e));
        s.task = s.task.map(|t| Task {
            start: self.offset(t.start),
            ..t
        });
        if let Some(b) = s.borrow.as_mut() {
            b.prefix = self.range(b.prefix)?;
            b.guard_end = self.range(TextRange::empty(b.guard_end))?.start();
        }
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(src: &str) -> Option<Expansions> {
        expand(&SourceFile::parse(src, Edition::Edition2021).tree(), src)
    }

    #[test]
    fn a_call_expands_to_its_arm_s_body_with_the_arguments_pasted() {
        let src = "macro_rules! bump { ($m:expr, $k:ident) => { *$m.lock().unwrap().entry($k) += 1 }; }\nasync fn f() { bump!(s.m, k); let v = bump!(s.n, j); }\n";
        let e = expanded(src).unwrap();
        assert!(e.text.ends_with("async fn f() { *s.m.lock().unwrap().entry(k) += 1; let v = (*s.n.lock().unwrap().entry(j) += 1); }\n"), "{}", e.text);
        // `lock` in each expansion is the body's; `s.m` the call's.
        let body = TextRange::at(TextSize::from(src.find("lock").unwrap() as u32), 4.into());
        for (i, _) in e.text.match_indices("lock").skip(1) {
            let at = TextRange::at(TextSize::from(i as u32), 4.into());
            assert_eq!(e.range(at), Some(body));
        }
        let arg = e.text.find("s.m").unwrap();
        let arg = e.range(TextRange::at(TextSize::from(arg as u32), 3.into()));
        let call = src.find("s.m").unwrap();
        assert_eq!(
            arg,
            Some(TextRange::at(TextSize::from(call as u32), 3.into()))
        );
        // Across the body and an argument, a range has no place in the file.
        let across = e.text.find("s.m.lock").unwrap();
        assert_eq!(
            e.range(TextRange::at(TextSize::from(across as u32), 8.into())),
            None
        );
        // Text after the expansions keeps its place.
        let end = TextSize::of(e.text.as_str());
        assert_eq!(e.extent(TextRange::empty(end)).end(), TextSize::of(src));
        assert_eq!(e.expanded, ["bump"]);
    }

    #[test]
    fn an_expression_argument_that_binds_looser_than_a_method_call_is_parenthesized() {
        let src = "macro_rules! get { ($m:expr) => { $m.lock() } }\nfn f() { get!(if a { &x } else { &y }); get!(*r); get!(s.m); }\n";
        let e = expanded(src).unwrap();
        assert!(
            e.text.contains("(if a { &x } else { &y }).lock();"),
            "{}",
            e.text
        );
        assert!(e.text.contains("(*r).lock();"), "{}", e.text);
        assert!(e.text.contains(" s.m.lock();"), "{}", e.text);
    }

    #[test]
    fn a_last_token_repetition_is_pasted_and_calls_in_other_macros_expand() {
        let src = "macro_rules! log { ($s:expr, $($a:tt)*) => { $s.events.lock().unwrap().push(format!($($a)*)) } }\nasync fn f() { log!(s, \"x {}\", 1); tokio::select! { _ = g() => { log!(s, \"y\"); } } }\n";
        let e = expanded(src).unwrap();
        assert!(
            e.text
                .contains("{ s.events.lock().unwrap().push(format!(\"x {}\", 1)); tokio"),
            "{}",
            e.text
        );
        assert!(
            e.text
                .contains("=> { s.events.lock().unwrap().push(format!(\"y\")); }"),
            "{}",
            e.text
        );
        assert_eq!(e.expanded, ["log"]);
    }

    #[test]
    fn calls_beyond_what_is_expanded_are_left() {
        // A repetition; no lock method in the body; a call no arm matches;
        // a call in item position.
        for src in [
            "macro_rules! m { ($($m:expr),*) => { $($m.lock();)* } }\nfn f() { m!(a); }\n",
            "macro_rules! m { ($m:expr) => { $m } }\nfn f() { m!(a.lock()); }\n",
            "macro_rules! m { (on $m:expr) => { $m.lock() } }\nfn f() { m!(off a); }\n",
            "macro_rules! m { ($m:ident) => { fn $m() { X.lock(); } } }\nm!(f);\n",
        ] {
            assert!(expanded(src).is_none(), "{src}");
        }
        // One call of two expanded: the macro is not expanded everywhere.
        let src = "macro_rules! m { ($m:expr) => { $m.lock() } }\nfn f() { m!(a); m!(a, b); }\n";
        assert!(expanded(src).unwrap().expanded.is_empty());
    }
}
