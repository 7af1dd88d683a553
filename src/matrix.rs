//! Permission matrices: for each operation (method + path template), the scopes, platform permissions, user
//! context and token kinds it needs; per platform, its hosts, regions, audiences and scope catalog.
//!
//! The project's own matrix format is JSON (see README, "Matrix format"); OpenAPI documents are imported into the
//! same model by the `openapi` module.

use serde::{Deserialize, Serialize};

/// OAuth scope requirement of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", tag = "type", content = "sets")]
pub enum ScopeRequirement {
    /// The source does not say (the report shows "unknown", never a guess).
    #[default]
    Unknown,
    /// No authorization needed (`security: []`).
    Public,
    /// Alternatives: any one set is enough; every scope in the chosen set is needed.
    /// An empty set among the alternatives means the requirement is optional (`{}` in OpenAPI).
    AnyOf(Vec<Vec<String>>),
}

/// Whether platform permissions are needed all together or any one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PermissionMode {
    /// At least one of the list.
    Any,
    /// Every one of the list.
    All,
}

/// Platform permissions (roles), not OAuth scopes: e.g. Genesys `x-inin-requires-permissions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionRequirement {
    /// ANY or ALL.
    pub mode: PermissionMode,
    /// The permission names.
    pub list: Vec<String>,
}

/// Whether an operation needs a signed-in user (no app-only / client-credentials token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum UserContext {
    /// Only a token that carries a user works.
    Required,
    /// App-only tokens are accepted.
    NotRequired,
    /// The source does not say.
    #[default]
    Unknown,
}

/// One operation and what it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template with `{param}` segments, without the platform's base path prefix.
    pub path: String,
    /// A short human summary, when the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Scopes checked for tokens that carry a user (delegated), or for every token when `app_scopes` is None.
    #[serde(default)]
    pub scopes: ScopeRequirement,
    /// Scopes / app roles checked for app-only tokens when the platform checks those separately
    /// (Graph application permissions arrive in `roles`). None = same as `scopes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_scopes: Option<ScopeRequirement>,
    /// Platform permissions, when the platform has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<PermissionRequirement>,
    /// Whether a signed-in user is needed.
    #[serde(default)]
    pub user_context: UserContext,
    /// Extra facts to show (e.g. "needs an active agent session").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A region of a platform: its name and the hosts that belong to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// Region name, e.g. `eu_west_1`.
    pub name: String,
    /// The API host, e.g. `api.mypurecloud.ie`.
    pub api_host: String,
    /// The login (token endpoint) host, e.g. `login.mypurecloud.ie`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_host: Option<String>,
}

/// Where the facts of a matrix came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// One line per source: repository, path, commit, date (or "user-supplied OpenAPI document").
    pub sources: Vec<String>,
    /// When the matrix was generated (ISO date), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
}

/// Platform-wide facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PlatformInfo {
    /// Stable id: `genesys-cloud`, `microsoft-graph`, `nice-cxone`, or `custom`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Host names (exact, or `*.suffix`) whose operations this matrix describes.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Path prefixes to strip before matching (`/v1.0`, `/beta`, an OpenAPI basePath).
    #[serde(default)]
    pub base_paths: Vec<String>,
    /// Regions, when the platform has them.
    #[serde(default)]
    pub regions: Vec<Region>,
    /// Audiences the API accepts, when known.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Issuer prefixes that point to this platform, when known.
    #[serde(default)]
    pub issuers: Vec<String>,
    /// Every scope the platform defines (for `scope.unknown` and "did you mean"). Empty = not known.
    #[serde(default)]
    pub scope_catalog: Vec<String>,
    /// Whether paths match case-insensitively (Graph).
    #[serde(default)]
    pub case_insensitive: bool,
    /// What governs access where the matrix says nothing (e.g. CXone security profiles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_policy: Option<String>,
    /// Platform-specific fix wording and facts, keyed by topic (`scope`, `permission`, `grant`, ...).
    #[serde(default)]
    pub guidance: std::collections::BTreeMap<String, String>,
    /// Where the facts came from.
    #[serde(default)]
    pub provenance: Provenance,
}

/// A whole matrix: platform facts plus operations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Matrix {
    /// Platform-wide facts.
    pub platform: PlatformInfo,
    /// The operations.
    pub operations: Vec<Operation>,
}

/// The result of matching a called operation against a matrix.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<'a> {
    /// The operation matched this entry; `params` are the path parameters filled in.
    Found {
        /// The matched entry.
        op: &'a Operation,
        /// `(name, value)` for each `{param}` segment.
        params: Vec<(String, String)>,
    },
    /// No entry matched; the nearest entries (same path other method, then similar paths), best first.
    NotFound {
        /// Up to five near entries.
        nearest: Vec<&'a Operation>,
    },
}

impl Matrix {
    /// Parses the project's matrix format (JSON).
    pub fn from_json(text: &str) -> Result<Matrix, String> {
        serde_json::from_str(text).map_err(|e| format!("not a Token Doctor matrix: {e}"))
    }

    /// Normalizes a called path: drops query and fragment, the platform's base path, and a trailing slash.
    pub fn normalize_path<'p>(&self, path: &'p str) -> &'p str {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let mut path = path;
        for base in &self.platform.base_paths {
            if let Some(rest) = strip_prefix_ci(path, base, true) {
                if rest.is_empty() || rest.starts_with('/') {
                    path = rest;
                    break;
                }
            }
        }
        let trimmed = path.trim_end_matches('/');
        if trimmed.is_empty() { "/" } else { trimmed }
    }

    /// Finds the entry for `method` and `path` (a called path, not a template). Literal segments beat parameters.
    pub fn lookup(&self, method: &str, path: &str) -> Lookup<'_> {
        let path = self.normalize_path(path);
        let ci = self.platform.case_insensitive;
        let called: Vec<&str> = path.split('/').collect();
        let mut best: Option<(&Operation, Vec<(String, String)>, usize)> = None;
        for op in &self.operations {
            if !op.method.eq_ignore_ascii_case(method) {
                continue;
            }
            if let Some((params, literals)) = match_template(&op.path, &called, ci) {
                if best.as_ref().is_none_or(|(_, _, l)| literals > *l) {
                    best = Some((op, params, literals));
                }
            }
        }
        if let Some((op, params, _)) = best {
            return Lookup::Found { op, params };
        }
        let mut scored: Vec<(usize, &Operation)> = self
            .operations
            .iter()
            .map(|op| {
                let same_path = match_template(&op.path, &called, ci).is_some();
                let score = if same_path {
                    0
                } else {
                    distance(&op.path, path).saturating_add(1)
                };
                (score, op)
            })
            .collect();
        scored.sort_by_key(|(s, _)| *s);
        Lookup::NotFound {
            nearest: scored.into_iter().take(5).map(|(_, op)| op).collect(),
        }
    }

    /// Whether the platform's catalog defines `scope` (true when there is no catalog).
    pub fn knows_scope(&self, scope: &str) -> bool {
        self.platform.scope_catalog.is_empty()
            || self.platform.scope_catalog.iter().any(|s| s == scope)
    }

    /// The catalog scopes closest to `scope`, best first.
    pub fn closest_scopes(&self, scope: &str, n: usize) -> Vec<String> {
        let mut scored: Vec<(usize, &String)> = self
            .platform
            .scope_catalog
            .iter()
            .map(|s| (distance(s, scope), s))
            .collect();
        scored.sort_by_key(|(d, _)| *d);
        scored.into_iter().take(n).map(|(_, s)| s.clone()).collect()
    }
}

fn strip_prefix_ci<'p>(path: &'p str, prefix: &str, ci: bool) -> Option<&'p str> {
    let head = path.get(..prefix.len())?;
    let same = if ci {
        head.eq_ignore_ascii_case(prefix)
    } else {
        head == prefix
    };
    if same { path.get(prefix.len()..) } else { None }
}

/// Matches a template against called segments; returns the parameters and the count of literal segments.
fn match_template(
    template: &str,
    called: &[&str],
    ci: bool,
) -> Option<(Vec<(String, String)>, usize)> {
    let template = template.trim_end_matches('/');
    let parts: Vec<&str> = if template.is_empty() {
        vec![""]
    } else {
        template.split('/').collect()
    };
    if parts.len() != called.len() {
        return None;
    }
    let mut params = Vec::new();
    let mut literals = 0usize;
    for (t, c) in parts.iter().zip(called.iter()) {
        if t.starts_with('{') && t.ends_with('}') && t.len() > 2 {
            if c.is_empty() {
                return None;
            }
            params.push((t.trim_matches(['{', '}']).to_string(), (*c).to_string()));
        } else if (ci && t.eq_ignore_ascii_case(c)) || (!ci && t == c) {
            literals = literals.saturating_add(1);
        } else {
            return None;
        }
    }
    Some((params, literals))
}

/// Levenshtein distance over bytes, capped in cost by the shorter input (used for "did you mean").
pub fn distance(a: &str, b: &str) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len().saturating_add(1)];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i.saturating_add(1);
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev
                .get(j)
                .copied()
                .unwrap_or(0)
                .saturating_add(usize::from(ca != cb));
            let del = prev
                .get(j.saturating_add(1))
                .copied()
                .unwrap_or(0)
                .saturating_add(1);
            let ins = cur.get(j).copied().unwrap_or(0).saturating_add(1);
            if let Some(slot) = cur.get_mut(j.saturating_add(1)) {
                *slot = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}
