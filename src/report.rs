//! The report: what `diagnose` answers. Plain data, serialized to a JSON-compatible object for JS.

use serde::Serialize;
use serde_json::Value;

/// The one-word answer to "will this call be allowed?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Readable token, known requirements, every visible requirement met.
    Allowed,
    /// At least one cause that alone makes the call fail.
    Denied,
    /// Not enough is known to say either.
    Unknown,
}

/// How much a finding matters; findings are ordered errors first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Alone enough to make the call fail.
    Error,
    /// Likely trouble, or a requirement that cannot be checked.
    Warning,
    /// Context that helps the reader.
    Info,
}

/// One piece of evidence: where it was seen and what it says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Where: `claim scp`, `header alg`, `response WWW-Authenticate`, `matrix`, ...
    pub source: String,
    /// What was seen there, as text (never interpreted as HTML).
    pub text: String,
}

/// One cause or observation, with the evidence for it and the steps that fix it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable machine code, e.g. `scope.missing`; documented in the README.
    pub code: String,
    /// Error, warning or info.
    pub severity: Severity,
    /// One sentence a support engineer can read out.
    pub title: String,
    /// The explanation.
    pub detail: String,
    /// What shows it.
    pub evidence: Vec<Evidence>,
    /// Concrete steps, in the platform's own terms where it is known.
    pub fix: Vec<String>,
    /// Ranking weight within a severity: higher is more likely the root cause.
    #[serde(skip)]
    pub weight: u32,
}

impl Finding {
    /// A finding with no evidence or fix yet.
    pub fn new(
        code: &str,
        severity: Severity,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Finding {
            code: code.to_string(),
            severity,
            title: title.into(),
            detail: detail.into(),
            evidence: Vec::new(),
            fix: Vec::new(),
            weight: 50,
        }
    }

    /// Adds one piece of evidence.
    pub fn evidence(mut self, source: impl Into<String>, text: impl Into<String>) -> Self {
        self.evidence.push(Evidence {
            source: source.into(),
            text: text.into(),
        });
        self
    }

    /// Adds one fix step.
    pub fn fix(mut self, step: impl Into<String>) -> Self {
        self.fix.push(step.into());
        self
    }

    /// Sets the ranking weight (0..=100; higher ranks first within its severity).
    pub fn weight(mut self, weight: u32) -> Self {
        self.weight = weight;
        self
    }
}

/// State of one requirement of the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequirementState {
    /// The token shows it is satisfied.
    Met,
    /// The token shows it is not satisfied.
    Unmet,
    /// Cannot be told from what was given.
    Unknown,
}

/// One requirement of the operation and whether the token meets it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementCheck {
    /// `scope`, `permission`, `user_context`, `audience`, `issuer`, `token_kind`, ...
    pub kind: String,
    /// What is required, in words (`any of: conversations | conversations:call`).
    pub required: String,
    /// Met, unmet or unknown.
    pub state: RequirementState,
    /// What the token (or introspection, or response) shows.
    pub evidence: String,
    /// Where the requirement comes from (matrix provenance, response challenge, user expectation).
    pub source: String,
}

/// The whole answer of `diagnose`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// `allowed`, `denied` or `unknown`.
    pub verdict: Verdict,
    /// One sentence: the verdict and its main reason.
    pub summary: String,
    /// What the pasted input was recognized as.
    pub recognized: String,
    /// Ranked findings: most likely root cause first; errors, then warnings, then info.
    pub findings: Vec<Finding>,
    /// The decoded token, when there is one (header, claims, signature length, kind).
    pub token: Option<Value>,
    /// Normalized claims (scopes, roles, grant, subject, times, ...).
    pub claims: Option<Value>,
    /// The operation called and the matrix entry it matched.
    pub operation: Option<Value>,
    /// Each requirement with met / unmet / unknown.
    pub requirements: Vec<RequirementCheck>,
    /// Signature state: `not_checked` until a key is given (see the signature module).
    pub signature: Value,
    /// The platform used (id and name) and how it was chosen.
    pub platform: Option<Value>,
    /// Differences against `previous`, when given.
    pub comparison: Option<Value>,
    /// The `now` used, in unix seconds.
    pub now: i64,
}

/// Orders findings: severity first, then weight (higher first); stable for equal keys.
pub fn rank(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.severity.cmp(&b.severity).then(b.weight.cmp(&a.weight)));
}

/// The verdict that follows from ranked findings and whether every requirement was known and met.
pub fn verdict_of(findings: &[Finding], requirements_known_and_met: bool) -> Verdict {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        Verdict::Denied
    } else if requirements_known_and_met {
        Verdict::Allowed
    } else {
        Verdict::Unknown
    }
}
