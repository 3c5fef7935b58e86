//! The rules awaitify reports: one file per rule, and the registry that
//! lists them (`RULES`); the selectors that pick them by code and name are
//! `rules_meta`'s, below the facts.
//!
//! A rule's file reads top to bottom, as a ruff rule or a rust-analyzer
//! assist does:
//! 1. its `Rule` const: code, name, severity, fix applicability, summary,
//!    and the `doc` that `awaitify explain` prints (ruff's sections, checked
//!    by a test below); its `family`, its `primary` span (which names the
//!    label renderers put on it) and whether its findings are `manual`;
//! 2. its `hooks`, the steps of the pipeline it plugs into (see [`Hooks`]):
//!    a blocking rule detects its calls (`call`: a resolved callee path;
//!    `method`: a method call and its receiver; `call_site`: a call and its
//!    arguments) while facts are extracted,
//!    and turns each one in async code into a message and a fix
//!    (`finding`, a [`blocking_calls::Verdict`]); a lock rule words the
//!    lock planner's decision (`lock_message`);
//! 3. the tables and helpers of that detection, the message and the fix;
//! 4. `#[cfg(test)]` cases through `driver::test_support`: `check_fix(before,
//!    after)`, `check_finding(src, code)`, `check_no_finding(src)`.
//!
//! What all blocking rules share (which calls run on the executor, the
//! tokio premise, suppressions, the fix's edits, the `spawn_blocking` wrap,
//! notes) is `blocking_calls.rs`, with `drivers.rs` for which executors
//! run each async fn; the lock rules share the lock planner.
//! Adding a rule: its file, a `pub mod` line and a line in `RULES`
//! (`CONTRIBUTING.md` has the rest).

pub mod blocking_calls;
pub mod drivers;

pub mod block_on_in_async;
pub mod blocking_fs;
pub mod blocking_helper;
pub mod blocking_sleep;
pub mod blocking_wait;
pub mod cpu_heavy;
pub mod harness_fixture;
pub mod manual_lock_migration;
pub mod parking_lot_in_async;
pub mod short_critical_section;
pub mod std_barrier;
pub mod std_channel;
pub mod std_lock_in_async;
pub mod tokio_blocking_method;
pub mod unused_suppression;

pub use block_on_in_async::BLOCK_ON_IN_ASYNC;
pub use blocking_fs::BLOCKING_FS;
pub use blocking_helper::BLOCKING_HELPER;
pub use blocking_sleep::BLOCKING_SLEEP;
pub use blocking_wait::BLOCKING_WAIT;
pub use cpu_heavy::CPU_HEAVY;
pub use harness_fixture::HARNESS_FIXTURE;
pub use manual_lock_migration::MANUAL_LOCK_MIGRATION;
pub use parking_lot_in_async::PARKING_LOT_IN_ASYNC;
pub use short_critical_section::SHORT_CRITICAL_SECTION;
pub use std_barrier::STD_BARRIER;
pub use std_channel::STD_CHANNEL;
pub use std_lock_in_async::STD_LOCK_IN_ASYNC;
pub use tokio_blocking_method::TOKIO_BLOCKING_IN_ASYNC;
pub use unused_suppression::UNUSED_SUPPRESSION;

use crate::blocking::{DetectCall, DetectCallSite, DetectMethod, Detectors, MayMatch};
use crate::facts::BlockingFact;
use crate::locks::{CratePlan, GroupReport};
use crate::rules_meta::RuleName;
pub use crate::rules_meta::{Applicability, Family, Severity};
use blocking_calls::{Premise, Verdict};

/// Every rule, in the order `awaitify rules` and the README list them. The
/// blocking rules' detection and findings are asked in this order too.
pub const RULES: &[&Rule] = &[
    &UNUSED_SUPPRESSION,
    &HARNESS_FIXTURE,
    &STD_LOCK_IN_ASYNC,
    &MANUAL_LOCK_MIGRATION,
    &PARKING_LOT_IN_ASYNC,
    &SHORT_CRITICAL_SECTION,
    &BLOCKING_SLEEP,
    &BLOCKING_FS,
    &BLOCKING_WAIT,
    &BLOCK_ON_IN_ASYNC,
    &BLOCKING_HELPER,
    &CPU_HEAVY,
    &TOKIO_BLOCKING_IN_ASYNC,
    &STD_CHANNEL,
    &STD_BARRIER,
];

/// What a finding's primary span is, which says what its label reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Primary {
    /// A lock's declaration: "declared here".
    Declaration,
    /// A call (or another site) in code: "called here".
    Call,
    /// An `awaitify: allow(..)` comment: "suppresses nothing".
    Comment,
}

impl Primary {
    /// The label of a finding's primary span in a snippet.
    pub fn label(self) -> &'static str {
        match self {
            Primary::Declaration => "declared here",
            Primary::Call => "called here",
            Primary::Comment => "suppresses nothing",
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub fix: Option<Applicability>,
    pub summary: &'static str,
    pub doc: &'static str,
    pub family: Family,
    pub primary: Primary,
    /// Where it plugs into the pipeline.
    pub(crate) hooks: Hooks,
}

/// A rule's steps in the pipeline, each optional. A blocking rule
/// (family `Blocking`) either detects its calls with `call` and `method`
/// while facts are extracted and gives each its message and fix with
/// `finding`, or, when its facts are its own, plans over the crate's facts
/// with `crate_pass` (AW205 follows chains of sync fns). The registry's
/// order is the order they are asked in. A lock rule (AW101–AW104) words
/// the lock planner's decision with `lock_message`; AW001 and AW002 have
/// none: the driver finds them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hooks {
    /// The kind of blocking call a callee's path (resolved, written from an
    /// external crate's root: `std::thread::sleep`) makes, if it is one
    /// this rule knows.
    pub call: Option<DetectCall>,
    /// The kind of blocking call a method call is, and the call as the
    /// user would name it (`std::process::Command::output`).
    pub method: Option<DetectMethod>,
    /// The kind of blocking call a call expression is by its arguments
    /// (`std::io::copy(&mut decoder, ..)`), and the call as the user would
    /// name it; asked when no rule's `call` knows its path.
    pub call_site: Option<DetectCallSite>,
    /// Its message and fix for a blocking call in async code, if the call
    /// is of a kind it reports; `None` also drops a call it chooses not to
    /// report.
    pub finding: Option<Finding>,
    /// A lock rule's message and notes for one lock the planner decided.
    pub lock_message: Option<LockMessage>,
    /// Could a file with this text hold a call this rule detects? A cheap
    /// test on the bytes: only files that some rule (or the lock index)
    /// may care about are parsed.
    pub may_match: Option<MayMatch>,
    /// A blocking rule's own pass over a crate's facts, after every
    /// blocking call has had its `finding`: it pushes its reports (and its
    /// fixes' edits) onto the crate's plan.
    pub crate_pass: Option<CratePass>,
}

/// What a lock rule's message is made of: the planner's decision about one
/// lock, in words and places.
pub(crate) struct LockFinding<'a> {
    /// `std Mutex field `AppState.db``.
    pub what: String,
    /// `locked in async code in `handle` at src/main.rs:9:5`.
    pub where_locked: String,
    pub report: &'a GroupReport,
    /// AW102: each blocker, `path:line:col: reason`.
    pub blockers: Vec<String>,
}

pub(crate) type Finding = fn(&BlockingFact, &Premise) -> Option<Verdict>;
pub(crate) type LockMessage = fn(&LockFinding) -> (String, Vec<String>);
pub(crate) type CratePass = for<'a> fn(&blocking_calls::Crate<'a>, &mut CratePlan);

impl Hooks {
    pub(crate) const NONE: Hooks = Hooks {
        call: None,
        method: None,
        call_site: None,
        finding: None,
        lock_message: None,
        may_match: None,
        crate_pass: None,
    };
}

/// The registry's detection hooks, each kind in `RULES` order, made once:
/// what the facts' classifier and the prefilter ask (`blocking::classify`,
/// `blocking::may_block`), handed down to them by the run.
pub fn detectors() -> &'static Detectors {
    static DETECTORS: std::sync::LazyLock<Detectors> = std::sync::LazyLock::new(|| Detectors {
        call: RULES.iter().filter_map(|r| r.hooks.call).collect(),
        method: RULES.iter().filter_map(|r| r.hooks.method).collect(),
        call_site: RULES.iter().filter_map(|r| r.hooks.call_site).collect(),
        may_match: RULES.iter().filter_map(|r| r.hooks.may_match).collect(),
    });
    &DETECTORS
}

/// The rule a lower layer names (a lock decision's, a blocking report's).
pub fn rule(id: RuleName) -> &'static Rule {
    RULES
        .iter()
        .copied()
        .find(|r| RuleName::from(*r) == id)
        .expect("every RuleName is a registered rule's")
}

pub fn find(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name.eq_ignore_ascii_case(code))
}

/// The fields a family's rules share, for a rule's const to end with
/// (`..Rule::lock(message)`): its code, name, severity, fix, summary and doc
/// are its own.
impl Rule {
    const BLANK: Rule = Rule {
        code: "",
        name: "",
        severity: Severity::Warning,
        fix: None,
        summary: "",
        doc: "",
        family: Family::Blocking,
        primary: Primary::Call,
        hooks: Hooks::NONE,
    };

    /// A lock rule: its findings are at the lock's declaration, in the words
    /// of `message`.
    pub(crate) const fn lock(message: LockMessage) -> Rule {
        Rule {
            family: Family::Lock,
            primary: Primary::Declaration,
            hooks: Hooks {
                lock_message: Some(message),
                ..Hooks::NONE
            },
            ..Rule::BLANK
        }
    }

    /// A blocking rule that detects calls while facts are taken (`call`,
    /// `method`) and words each with `finding`.
    pub(crate) const fn blocking(
        call: Option<DetectCall>,
        method: Option<DetectMethod>,
        finding: Finding,
        may_match: Option<MayMatch>,
    ) -> Rule {
        Rule {
            hooks: Hooks {
                call,
                method,
                finding: Some(finding),
                may_match,
                ..Hooks::NONE
            },
            ..Rule::BLANK
        }
    }

    /// A blocking rule that plans over the crate's facts on its own.
    pub(crate) const fn crate_pass(pass: CratePass, may_match: Option<MayMatch>) -> Rule {
        Rule {
            hooks: Hooks {
                crate_pass: Some(pass),
                may_match,
                ..Hooks::NONE
            },
            ..Rule::BLANK
        }
    }

    /// Its fix's applicability, or `no fix`.
    pub fn fix_name(&self) -> &'static str {
        self.fix.map_or("no fix", |f| f.as_str())
    }
}

/// `awaitify rules`: one line per rule with its severity and fix.
pub fn table() -> String {
    RULES
        .iter()
        .map(|r| {
            let (code, name, severity) = (r.code, r.name, r.severity.as_str());
            format!(
                "{code}  {name:<26} {severity:<8} {:<13} {}\n",
                r.fix_name(),
                r.summary
            )
        })
        .collect()
}

/// The README's rule table, in Markdown.
pub fn markdown_table() -> String {
    let head = "| Code | Name | Severity | Fix | What it finds |\n|---|---|---|---|---|\n";
    let rows = RULES.iter().map(|r| {
        let (code, name, severity) = (r.code, r.name, r.severity.as_str());
        format!(
            "| {code} | `{name}` | {severity} | {} | {} |\n",
            r.fix_name(),
            r.summary
        )
    });
    std::iter::once(head.to_string()).chain(rows).collect()
}

/// The rule as the layers below the rules name it (`rules_meta`).
impl From<&Rule> for RuleName {
    fn from(rule: &Rule) -> RuleName {
        RuleName {
            code: rule.code,
            name: rule.name,
            family: rule.family,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules_meta::{check_selector, selects, RuleFilter, RULE_NAMES};

    #[test]
    fn selectors_pick_codes_prefixes_and_names() {
        assert!(selects("AW101", &STD_LOCK_IN_ASYNC));
        assert!(selects("aw1", &STD_LOCK_IN_ASYNC));
        assert!(!selects("AW2", &STD_LOCK_IN_ASYNC));
        assert!(!selects("A", &STD_LOCK_IN_ASYNC));
        assert!(selects("blocking-sleep", &BLOCKING_SLEEP));
        assert!(selects("all", &CPU_HEAVY));
        assert!(check_selector("AW9").is_err());
        let f = RuleFilter {
            select: vec!["AW2".into()],
            ignore: vec!["AW206".into()],
        };
        assert!(f.enabled(&BLOCKING_SLEEP));
        assert!(!f.enabled(&CPU_HEAVY));
        assert!(!f.enabled(&STD_LOCK_IN_ASYNC));
    }

    #[test]
    fn the_names_selectors_know_are_the_registry_s() {
        let names: Vec<RuleName> = RULES.iter().map(|r| RuleName::from(*r)).collect();
        assert_eq!(names, RULE_NAMES);
    }

    #[test]
    fn every_rule_plugs_into_its_family() {
        for r in RULES {
            let h = r.hooks;
            let detects = h.call.is_some() || h.method.is_some() || h.call_site.is_some();
            // What a rule detects, it reports; only a rule that finds calls
            // knows a file worth parsing for them.
            assert_eq!(detects, h.finding.is_some(), "{}", r.code);
            let finds = detects || h.crate_pass.is_some();
            assert!(finds || h.may_match.is_none(), "{}", r.code);
            assert_eq!(finds, r.family == Family::Blocking, "{}", r.code);
            assert_eq!(
                h.lock_message.is_some(),
                r.family == Family::Lock,
                "{}",
                r.code
            );
            assert_eq!(r.primary == Primary::Declaration, r.family == Family::Lock);
        }
    }

    #[test]
    fn every_rule_is_documented_and_unique() {
        let mut codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
        for r in RULES {
            assert!(r.doc.starts_with("## What it does"), "{}", r.code);
            for section in [
                "## Why is this bad?",
                "## Example",
                "## Use instead",
                "## Fix safety",
                "## Known problems",
            ] {
                assert!(r.doc.contains(section), "{}: no `{section}`", r.code);
            }
        }
    }
}
