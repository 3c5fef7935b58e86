//! What names a rule, below the facts: each rule's code and name, and the
//! selectors that pick rules by them (`--select`/`--ignore`, the
//! configuration's `select`/`ignore`, `// awaitify: allow(..)` comments).
//! The facts and the settings read this; the rules themselves (`rules/`:
//! their docs, detection hooks, messages and fixes) sit above the facts.

/// A rule as a selector names it: its code and its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleName {
    pub code: &'static str,
    pub name: &'static str,
}

/// Every rule's code and name, in the order of `rules::RULES` (a test there
/// checks that the two agree).
pub const RULE_NAMES: &[RuleName] = &[
    RuleName {
        code: "AW001",
        name: "unused-suppression",
    },
    RuleName {
        code: "AW002",
        name: "harness-fixture",
    },
    RuleName {
        code: "AW101",
        name: "std-lock-in-async",
    },
    RuleName {
        code: "AW102",
        name: "manual-lock-migration",
    },
    RuleName {
        code: "AW103",
        name: "parking-lot-lock-in-async",
    },
    RuleName {
        code: "AW104",
        name: "short-critical-section",
    },
    RuleName {
        code: "AW201",
        name: "blocking-sleep",
    },
    RuleName {
        code: "AW202",
        name: "blocking-fs",
    },
    RuleName {
        code: "AW203",
        name: "blocking-wait",
    },
    RuleName {
        code: "AW204",
        name: "block-on-in-async",
    },
    RuleName {
        code: "AW205",
        name: "blocking-helper-call",
    },
    RuleName {
        code: "AW206",
        name: "cpu-heavy-in-async",
    },
    RuleName {
        code: "AW207",
        name: "tokio-blocking-in-async",
    },
    RuleName {
        code: "AW208",
        name: "std-channel-in-async",
    },
    RuleName {
        code: "AW209",
        name: "std-barrier-in-async",
    },
];

/// Is `word` a rule's code or name (in any case)?
pub fn names_a_rule(word: &str) -> bool {
    RULE_NAMES
        .iter()
        .any(|r| r.code.eq_ignore_ascii_case(word) || r.name.eq_ignore_ascii_case(word))
}

/// Does `selector` pick `rule`? `all`, a code or a code prefix (`AW2` picks
/// every blocking rule), or a rule name.
pub fn selects(selector: &str, rule: impl Into<RuleName>) -> bool {
    let rule = rule.into();
    selector.eq_ignore_ascii_case("all")
        || selector == rule.name
        || (selector.len() >= 2
            && rule
                .code
                .get(..selector.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(selector)))
}

/// Checks a selector written in the configuration or on the command line.
pub fn check_selector(selector: &str) -> Result<(), String> {
    if RULE_NAMES.iter().any(|r| selects(selector, *r)) {
        Ok(())
    } else {
        Err(format!(
            "`{selector}` names no rule (use `all`, a code such as AW101 or AW2, or a rule name; `awaitify rules` lists them)"
        ))
    }
}

/// Which rules a run reports and fixes: `select` (empty: all), minus `ignore`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleFilter {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl RuleFilter {
    pub fn enabled(&self, rule: impl Into<RuleName>) -> bool {
        let rule = rule.into();
        (self.select.is_empty() || self.select.iter().any(|s| selects(s, rule)))
            && !self.ignore.iter().any(|s| selects(s, rule))
    }
}
