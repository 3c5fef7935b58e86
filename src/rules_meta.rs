//! What names a rule, below the facts: each rule's code, name and family,
//! the selectors that pick rules by them (`--select`/`--ignore`, the
//! configuration's `select`/`ignore`, `// awaitify: allow(..)` comments),
//! and the plain metadata a finding carries (severity, fix applicability).
//! The facts, the settings and the lock planner read this (a lock
//! decision, a blocking report, names its rule by its `RuleName`); the
//! rules themselves (`rules/`: their docs, detection hooks, messages and
//! fixes) sit above them, and `rules::rule` finds a name's rule.

/// A rule as a selector names it (its code and its name), and the part of
/// the pipeline its findings come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleName {
    pub code: &'static str,
    pub name: &'static str,
    pub family: Family,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// How far a fix can be trusted (rustc's and ruff's applicability).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicability {
    /// Keeps meaning; applied by `--write`.
    Safe,
    /// Valid code that may change behaviour; needs an opt-in.
    Unsafe,
    /// Shown, never applied.
    DisplayOnly,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// Which part of the pipeline a rule's findings come from; the driver and
/// the compiler check treat each family alike, whatever the rule's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// The tool's own `awaitify: allow(..)` comments (AW001).
    Suppression,
    /// Files a test harness compiles, left alone (AW002).
    Harness,
    /// One finding per lock declaration, decided for the whole crate
    /// (AW101–AW104): a comment allowing one lock rule allows them all.
    Lock,
    /// One finding per blocking call in async code (AW2xx): their fixes are
    /// checked and withdrawn one by one.
    Blocking,
}

/// The lock rules, which the lock planner's decisions are reported under.
pub const STD_LOCK_IN_ASYNC: RuleName = RuleName {
    code: "AW101",
    name: "std-lock-in-async",
    family: Family::Lock,
};
pub const MANUAL_LOCK_MIGRATION: RuleName = RuleName {
    code: "AW102",
    name: "manual-lock-migration",
    family: Family::Lock,
};
pub const PARKING_LOT_IN_ASYNC: RuleName = RuleName {
    code: "AW103",
    name: "parking-lot-lock-in-async",
    family: Family::Lock,
};
pub const SHORT_CRITICAL_SECTION: RuleName = RuleName {
    code: "AW104",
    name: "short-critical-section",
    family: Family::Lock,
};

/// Every rule's code, name and family, in the order of `rules::RULES` (a
/// test there checks that the two agree).
pub const RULE_NAMES: &[RuleName] = &[
    RuleName {
        code: "AW001",
        name: "unused-suppression",
        family: Family::Suppression,
    },
    RuleName {
        code: "AW002",
        name: "harness-fixture",
        family: Family::Harness,
    },
    STD_LOCK_IN_ASYNC,
    MANUAL_LOCK_MIGRATION,
    PARKING_LOT_IN_ASYNC,
    SHORT_CRITICAL_SECTION,
    RuleName {
        code: "AW201",
        name: "blocking-sleep",
        family: Family::Blocking,
    },
    RuleName {
        code: "AW202",
        name: "blocking-fs",
        family: Family::Blocking,
    },
    RuleName {
        code: "AW203",
        name: "blocking-wait",
        family: Family::Blocking,
    },
    RuleName {
        code: "AW204",
        name: "block-on-in-async",
        family: Family::Blocking,
    },
    RuleName {
        code: "AW205",
        name: "blocking-helper-call",
        family: Family::Blocking,
    },
    RuleName {
        code: "AW206",
        name: "cpu-heavy-in-async",
        family: Family::Blocking,
    },
    RuleName {
        code: "AW207",
        name: "tokio-blocking-in-async",
        family: Family::Blocking,
    },
    RuleName {
        code: "AW208",
        name: "std-channel-in-async",
        family: Family::Blocking,
    },
    RuleName {
        code: "AW209",
        name: "std-barrier-in-async",
        family: Family::Blocking,
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
