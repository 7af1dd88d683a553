//! Permission matrices: for each operation (method + path template), the scopes, platform permissions, user
//! context and token kinds it needs; per platform, its hosts, regions, audiences and scope catalog.
//!
//! Two serializations are read by [`Matrix::from_json`] (see README, "Matrices: built-ins and bring your own
//! OpenAPI"):
//! - the plain form: the serde form of [`Matrix`] (`{platform, operations: [...]}`), handy for hand-written
//!   matrices and for saving an imported OpenAPI document;
//! - the compact form (`"format": "token-doctor-matrix-compact/1"`) of the built-ins under `www/matrices/`,
//!   written by `scripts/gen_matrices.py`: shared tables of names and requirements, and paths front-coded by
//!   segment.
//!
//! Lookup goes through an index built once per matrix (a segment trie: literal segments, then mixed segments such
//! as `range(address={value})`, then `{param}` segments), so matching costs a few hash-free binary searches per
//! segment, independent of the number of operations. OpenAPI documents are imported into the same model by the
//! `openapi` module.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

/// The `format` value of the compact serialization.
pub const COMPACT_FORMAT: &str = "token-doctor-matrix-compact/1";

/// The most path segments a called path may have; longer paths never match (they are not API paths).
const MAX_SEGMENTS: usize = 64;
/// The most trie nodes one lookup visits (bounds backtracking on adversarial templates).
const VISIT_BUDGET: u32 = 100_000;
/// The most nearest operations returned for an unknown operation.
const NEAREST: usize = 5;
/// Cost of a missing or extra segment when looking for near operations.
const SKIP_COST: usize = 3;

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
    /// An empty set among the alternatives means the requirement is optional (`{}` in OpenAPI), or, for a
    /// built-in, that a token is needed but no particular scope. No alternatives at all (`AnyOf([])`) means no
    /// scope of this kind grants the operation (e.g. Graph operations with no application permission).
    AnyOf(Alternatives),
}

/// The alternatives of a scope requirement, shared: the built-ins hold about 1,500 distinct requirements for
/// 11,000 operations, and a matrix is installed on the way to the first verdict (no copy per operation).
pub type Alternatives = std::sync::Arc<[Vec<String>]>;

/// The outcome of checking a requirement against what a token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Nothing is required (public operation, or no permission needed).
    NotNeeded,
    /// The requirement is not known.
    Unknown,
    /// Met; `by` is the alternative that the token satisfies (empty for an optional requirement).
    Met {
        /// The scopes (or permissions) that satisfy it.
        by: Vec<String>,
    },
    /// Not met; for each alternative, in the matrix's order (least privileged first), what is still missing.
    /// Empty when no alternative exists at all (nothing of this kind grants the operation).
    Unmet {
        /// Missing names per alternative.
        missing: Vec<Vec<String>>,
    },
}

impl ScopeRequirement {
    /// Checks the requirement against granted scopes (exact names, or ASCII case-insensitive).
    pub fn check<S: AsRef<str>>(&self, granted: &[S], case_insensitive: bool) -> Check {
        let alternatives = match self {
            ScopeRequirement::Unknown => return Check::Unknown,
            ScopeRequirement::Public => return Check::NotNeeded,
            ScopeRequirement::AnyOf(alternatives) => alternatives,
        };
        let has = |s: &str| {
            granted
                .iter()
                .any(|g| same(g.as_ref(), s, case_insensitive))
        };
        if let Some(alt) = alternatives.iter().find(|alt| alt.iter().all(|s| has(s))) {
            return Check::Met { by: alt.clone() };
        }
        Check::Unmet {
            missing: alternatives
                .iter()
                .map(|alt| alt.iter().filter(|s| !has(s)).cloned().collect())
                .collect(),
        }
    }

    /// Every scope named by the requirement, in order, without repeats.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        if let ScopeRequirement::AnyOf(alternatives) = self {
            for s in alternatives.iter().flatten() {
                if !out.contains(&s.as_str()) {
                    out.push(s);
                }
            }
        }
        out
    }

    /// True when the requirement lists no alternative at all: no scope of this kind grants the operation.
    pub fn grants_nothing(&self) -> bool {
        matches!(self, ScopeRequirement::AnyOf(a) if a.is_empty())
    }
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
/// An empty list means the operation requires no permission (Genesys "Requires NO permissions").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionRequirement {
    /// ANY or ALL.
    pub mode: PermissionMode,
    /// The permission names.
    pub list: Vec<String>,
}

impl PermissionRequirement {
    /// Checks the requirement against granted permissions. A granted `domain:entity:*` or `domain:*:*` covers the
    /// permissions below it (Genesys permission wildcards).
    pub fn check<S: AsRef<str>>(&self, granted: &[S]) -> Check {
        if self.list.is_empty() {
            return Check::NotNeeded;
        }
        let has = |p: &str| granted.iter().any(|g| permission_covers(g.as_ref(), p));
        match self.mode {
            PermissionMode::All => {
                let missing: Vec<String> = self.list.iter().filter(|p| !has(p)).cloned().collect();
                if missing.is_empty() {
                    Check::Met {
                        by: self.list.clone(),
                    }
                } else {
                    Check::Unmet {
                        missing: vec![missing],
                    }
                }
            }
            PermissionMode::Any => match self.list.iter().find(|p| has(p)) {
                Some(p) => Check::Met {
                    by: vec![p.clone()],
                },
                None => Check::Unmet {
                    missing: self.list.iter().map(|p| vec![p.clone()]).collect(),
                },
            },
        }
    }
}

/// `path` without its last segment when that is OData's `$count` (also written `%24count`), its query kept.
fn without_trailing_count(path: &str) -> Option<String> {
    let end = path.find(['?', '#']).unwrap_or(path.len());
    let (head, tail) = path.split_at(end);
    let head = head.trim_end_matches('/');
    let cut = ["/$count", "/%24count"].iter().find_map(|s| {
        let at = head.len().checked_sub(s.len())?;
        head.get(at..)
            .is_some_and(|t| t.eq_ignore_ascii_case(s))
            .then_some(at)
    })?;
    Some(format!("{}{tail}", head.get(..cut)?))
}

/// Whether a called path segment is one of OData's system segments (`$count`, `$value`, `$ref`, `$batch`, …),
/// which no `{param}` stands for (a shell's `$userId` or a template's `${queueId}` left unfilled is not one).
fn is_odata_system_segment(v: &str) -> bool {
    v.strip_prefix('$').is_some_and(|r| {
        [
            "count",
            "value",
            "ref",
            "batch",
            "metadata",
            "entity",
            "links",
            "each",
            "all",
            "crossjoin",
            "root",
            "query",
        ]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(r))
    })
}

/// Whether a granted permission (possibly with `*` segments) covers a required one.
pub fn permission_covers(granted: &str, required: &str) -> bool {
    if granted == required || granted == "*" {
        return true;
    }
    let mut g = granted.split(':');
    let mut r = required.split(':');
    loop {
        match (g.next(), r.next()) {
            (None, None) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
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

fn is_zero(n: &usize) -> bool {
    *n == 0
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
    /// How many leading alternatives of `scopes` are the least privileged ones (what a fix should suggest);
    /// 0 = not known.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub least_privileged: usize,
    /// How many leading alternatives of `app_scopes` are the least privileged ones; 0 = not known.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub least_privileged_app: usize,
    /// Credentials other than a bearer token that the operation asks for (an OpenAPI API key or HTTP basic),
    /// instead of a token or beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<OtherCredentials>,
    /// True when `path` already holds the base path of the operation's own servers (OpenAPI path- or
    /// operation-level `servers`): the platform's base path is not put before it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub own_base_path: bool,
}

/// Credentials other than a bearer token that an operation's security names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherCredentials {
    /// What they are: "API key (the `X-Api-Key` header)", "HTTP basic", several joined with "or".
    pub kinds: String,
    /// True when they are needed instead of a token (no alternative takes a bearer token); false when they are
    /// needed beside it (one security requirement names both).
    pub instead: bool,
}

impl Operation {
    /// A new operation with unknown requirements.
    pub fn new(method: &str, path: &str) -> Operation {
        Operation {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            summary: None,
            scopes: ScopeRequirement::Unknown,
            app_scopes: None,
            permissions: None,
            user_context: UserContext::Unknown,
            notes: Vec::new(),
            least_privileged: 0,
            least_privileged_app: 0,
            credentials: None,
            own_base_path: false,
        }
    }

    /// The scope requirement that applies to a token: `app_scopes` for app-only tokens when present.
    pub fn scopes_for(&self, app_only: bool) -> &ScopeRequirement {
        match (&self.app_scopes, app_only) {
            (Some(app), true) => app,
            _ => &self.scopes,
        }
    }

    /// The least-privileged alternatives of `scopes` (empty when not known).
    pub fn least_privileged_scopes(&self) -> &[Vec<String>] {
        leading(&self.scopes, self.least_privileged)
    }

    /// The least-privileged alternatives of `app_scopes` (empty when not known).
    pub fn least_privileged_app_scopes(&self) -> &[Vec<String>] {
        match &self.app_scopes {
            Some(app) => leading(app, self.least_privileged_app),
            None => &[],
        }
    }
}

fn leading(req: &ScopeRequirement, n: usize) -> &[Vec<String>] {
    match req {
        ScopeRequirement::AnyOf(alternatives) => {
            alternatives.get(..n.min(alternatives.len())).unwrap_or(&[])
        }
        _ => &[],
    }
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

impl Region {
    /// The region's domain: the API host without its first label (`api.mypurecloud.ie` → `mypurecloud.ie`).
    pub fn domain(&self) -> &str {
        match self.api_host.split_once('.') {
            Some((_, rest)) if rest.contains('.') => rest,
            _ => &self.api_host,
        }
    }
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
    /// Path prefixes to strip before matching (`/v1.0`, `/beta`, an OpenAPI basePath). A prefix may hold
    /// `{param}` parts (`/InContactAPI/services/v{version}`); the first one is shown in front of operation paths.
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
    /// Token claim names whose presence points to this platform (CXone: `icAgentId`, `icBUId`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<String>,
    /// Every scope the platform defines (for `scope.unknown` and "did you mean"). Empty = not known.
    #[serde(default)]
    pub scope_catalog: Vec<String>,
    /// Catalog entries granted only to applications, never as delegated permissions (Microsoft Graph's
    /// permissions whose only scheme is `Application`): a fix for a delegated token never offers them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub application_only: Vec<String>,
    /// Whether paths match case-insensitively (Graph).
    #[serde(default)]
    pub case_insensitive: bool,
    /// What governs access where the matrix says nothing (e.g. CXone security profiles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_policy: Option<String>,
    /// Platform-specific fix wording and facts, keyed by topic (`scope`, `permission`, `grant`, ...).
    #[serde(default)]
    pub guidance: BTreeMap<String, String>,
    /// Where the facts came from.
    #[serde(default)]
    pub provenance: Provenance,
}

impl PlatformInfo {
    /// Whether `host` (a host name, optionally with a port) is one of the platform's hosts.
    pub fn matches_host(&self, host: &str) -> bool {
        let host = clean_host(host);
        self.hosts.iter().any(|h| {
            let h = h.to_ascii_lowercase();
            match h.strip_prefix("*.") {
                Some(suffix) => {
                    host == suffix
                        || (host.len() > suffix.len()
                            && host.ends_with(suffix)
                            && host
                                .as_bytes()
                                .get(host.len().saturating_sub(suffix.len()).saturating_sub(1))
                                == Some(&b'.'))
                }
                None => host == h,
            }
        })
    }

    /// The region a host belongs to: its API or login host, or a host under the region's domain.
    pub fn region_of_host(&self, host: &str) -> Option<&Region> {
        let host = clean_host(host);
        if let Some(r) = self.regions.iter().find(|r| {
            r.api_host.eq_ignore_ascii_case(&host)
                || r.login_host
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(&host))
        }) {
            return Some(r);
        }
        self.regions
            .iter()
            .filter(|r| {
                let d = r.domain().to_ascii_lowercase();
                host == d || host.ends_with(&format!(".{d}"))
            })
            .max_by_key(|r| r.domain().len())
    }
}

fn clean_host(host: &str) -> String {
    let host = host.trim();
    let host = host
        .split_once("://")
        .map_or(host, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// A whole matrix: platform facts plus operations.
///
/// After changing `platform.base_paths` or `case_insensitive` by hand, call [`Matrix::reindex`].
///
/// A matrix read from the compact form keeps its operations in that form until they are needed: a lookup builds
/// only the operations and index of the called path's first segment (for Microsoft Graph, `/me` is 13% of the
/// matrix), and the whole list is built the first time anything else asks for it ([`Matrix::operations`], an
/// unknown operation's nearest ones). Lookups answer the same either way (an operation found in a branch is a
/// copy of the one in [`Matrix::operations`], equal to it).
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    /// Platform-wide facts.
    pub platform: PlatformInfo,
    /// The operations (built from `deferred` when first asked for).
    operations: Derived<Vec<Operation>>,
    /// The compact form's operations, not built yet.
    deferred: Option<Box<compact::Deferred>>,
    index: Derived<Index>,
    /// The scope catalog as a set (for `knows_scope`).
    catalog: Derived<HashSet<String>>,
}

/// The plain serialized form: `{ platform, operations }`.
#[derive(Serialize, Deserialize)]
struct Plain<P, O> {
    platform: P,
    operations: O,
}

impl Serialize for Matrix {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Plain {
            platform: &self.platform,
            operations: self.operations(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Matrix {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Matrix, D::Error> {
        let plain = Plain::<PlatformInfo, Vec<Operation>>::deserialize(deserializer)?;
        Ok(Matrix::unindexed(plain.platform, plain.operations))
    }
}

impl PartialEq for Matrix {
    fn eq(&self, other: &Matrix) -> bool {
        self.platform == other.platform && self.operations() == other.operations()
    }
}

/// `path` with each OData key segment written as two path segments (`users('a@b.com')` → `users/a@b.com`,
/// `groups(0f1e…)` → `groups/0f1e…`; quotes, also `%27`, removed), or `None` when it has none. A segment is a key
/// when a name is followed by one parenthesised value without `=` (named parameters, `range(address='A1')`, are
/// function calls the matrix lists as they are written). The query and fragment are left alone.
fn odata_keys_as_segments(path: &str) -> Option<String> {
    let end = path.find(['?', '#']).unwrap_or(path.len());
    let (head, tail) = path.split_at(end);
    if !head.contains('(') {
        return None;
    }
    let mut changed = false;
    let mut out = String::with_capacity(path.len().saturating_add(8));
    for (i, segment) in head.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let key = segment
            .strip_suffix(')')
            .and_then(|s| s.split_once('('))
            .filter(|(name, value)| {
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                    && !value.is_empty()
                    && !value.contains(['=', '(', ')', ','])
            })
            .map(|(name, value)| {
                let unquoted = value
                    .strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
                    .or_else(|| {
                        value
                            .strip_prefix("%27")
                            .and_then(|v| v.strip_suffix("%27"))
                    })
                    .unwrap_or(value);
                (name, unquoted)
            })
            .filter(|(_, value)| !value.is_empty());
        match key {
            Some((name, value)) => {
                out.push_str(name);
                out.push('/');
                out.push_str(value);
                changed = true;
            }
            None => out.push_str(segment),
        }
    }
    out.push_str(tail);
    changed.then_some(out)
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
    /// A matrix from its parts, indexed.
    pub fn new(platform: PlatformInfo, operations: Vec<Operation>) -> Matrix {
        let m = Matrix::unindexed(platform, operations);
        m.index();
        m
    }

    fn unindexed(platform: PlatformInfo, operations: Vec<Operation>) -> Matrix {
        Matrix {
            platform,
            operations: Derived(OnceLock::from(operations)),
            ..Matrix::default()
        }
    }

    /// Parses the project's matrix format (JSON): the plain serde form or the compact form of the built-ins.
    pub fn from_json(text: &str) -> Result<Matrix, String> {
        if text.len() > crate::limits::MAX_MATRIX_BYTES {
            return Err(format!(
                "not a Token Doctor matrix: it is {} bytes, more than the {} bytes read",
                text.len(),
                crate::limits::MAX_MATRIX_BYTES
            ));
        }
        #[derive(Deserialize)]
        struct Probe {
            #[serde(default)]
            format: Option<String>,
        }
        // The built-ins start with their format (scripts/gen_matrices.py writes it first): no probe pass over
        // the whole text for them.
        let format = if text
            .trim_start()
            .strip_prefix("{\"format\":\"")
            .and_then(|rest| rest.strip_prefix(COMPACT_FORMAT))
            .is_some_and(|rest| rest.starts_with("\","))
        {
            Some(COMPACT_FORMAT.to_string())
        } else {
            serde_json::from_str::<Probe>(text)
                .map_err(|e| format!("not a Token Doctor matrix: {e}"))?
                .format
        };
        match format.as_deref() {
            // Read and checked now; its operations are built when a lookup needs them.
            Some(COMPACT_FORMAT) => compact::read(text),
            Some(other) => Err(format!(
                "not a Token Doctor matrix: unknown format `{}` (this build reads `{COMPACT_FORMAT}` and the plain form)",
                crate::json::clip(other, 60)
            )),
            None => {
                let m = serde_json::from_str::<Matrix>(text)
                    .map_err(|e| format!("not a Token Doctor matrix: {e}"))?;
                m.index();
                Ok(m)
            }
        }
    }

    /// The operations, in the order of the document.
    pub fn operations(&self) -> &[Operation] {
        self.operations.0.get_or_init(|| {
            self.deferred
                .as_deref()
                .map(compact::Deferred::operations)
                .unwrap_or_default()
        })
    }

    /// How many operations the matrix has (without building them).
    pub fn operation_count(&self) -> usize {
        match (self.operations.0.get(), self.deferred.as_deref()) {
            (Some(ops), _) => ops.len(),
            (None, Some(d)) => d.len(),
            (None, None) => 0,
        }
    }

    /// Replaces the operations (and drops the index built for the old ones).
    pub fn set_operations(&mut self, operations: Vec<Operation>) {
        self.operations = Derived(OnceLock::from(operations));
        self.deferred = None;
        self.index = Derived::default();
    }

    /// Rebuilds the lookup index (after the platform's path rules were changed).
    pub fn reindex(&mut self) {
        self.index = Derived::default();
        self.catalog = Derived::default();
        if let Some(d) = self.deferred.as_deref_mut() {
            d.reset(self.platform.case_insensitive);
        }
        self.index();
    }

    fn index(&self) -> &Index {
        self.index.0.get_or_init(|| {
            let ops = self.operations();
            let colon = match self.deferred.as_deref() {
                Some(d) => d.colon(),
                None => has_colon_segments(ops),
            };
            Index::build(ops, colon, self.platform.case_insensitive)
        })
    }

    /// The operation's path as called, with the platform's first base path in front
    /// (`/api/v2/conversations/calls`, `/v1.0/me/sendMail`), or as it is when it holds its own servers' base path.
    pub fn full_path(&self, op: &Operation) -> String {
        match self.platform.base_paths.first() {
            _ if op.own_base_path => op.path.clone(),
            Some(base) if !base.contains('{') => {
                format!("{}{}", base.trim_end_matches('/'), op.path)
            }
            _ => op.path.clone(),
        }
    }

    /// Normalizes a called path: drops a scheme and host, the query and fragment, the platform's base path (the
    /// first that matches, case-insensitively), and a trailing slash.
    pub fn normalize_path<'p>(&self, path: &'p str) -> &'p str {
        let mut path = path.trim();
        // Byte searches: a `str` pattern or a set of `char`s is searched a character at a time, and this runs on
        // every lookup (a sixth of a Graph match's time).
        if path.as_bytes().contains(&b':') {
            if let Some((scheme, rest)) = path.split_once("://") {
                if !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphabetic()) {
                    path = rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/");
                }
            }
        }
        if let Some(end) = path.bytes().position(|b| b == b'?' || b == b'#') {
            path = path.get(..end).unwrap_or(path);
        }
        for base in &self.platform.base_paths {
            if let Some(rest) = strip_base(path, base) {
                path = rest;
                break;
            }
        }
        let trimmed = path.trim_end_matches('/');
        if trimmed.is_empty() { "/" } else { trimmed }
    }

    /// Finds the entry for `method` and `path` (a called path or URL, not a template). Literal segments beat
    /// mixed segments (`range(address={value})`), which beat `{param}` segments, left to right. A path that matches
    /// nothing as written is tried again with its OData key segments as path segments (`/users('a@b.com')/messages`
    /// as `/users/a@b.com/messages`): Microsoft Graph, SharePoint and Dynamics accept both forms, and the matrices
    /// list only the second (so when neither is found, the nearest entries are those of the second form).
    pub fn lookup(&self, method: &str, path: &str) -> Lookup<'_> {
        let written = self.lookup_as_written(method, path);
        // An OData type cast (`/memberOf/microsoft.graph.group`) bound to a `{param}`: it filters the collection
        // by type and names no member, so the operation is the collection's when the matrix lists it. An OData
        // system segment (`/users/$count`) names no member either: `$count` counts the collection, which takes the
        // collection's permissions, and no `{param}` stands for a `$` segment.
        if let Lookup::Found { params, .. } = &written {
            if let Some((v, system)) = params.iter().find_map(|(_, v)| {
                let system = is_odata_system_segment(v);
                let cast = v
                    .get(..16)
                    .is_some_and(|p| p.eq_ignore_ascii_case("microsoft.graph."));
                (system || cast).then_some((v.as_str(), system))
            }) {
                let end = path.find(['?', '#']).unwrap_or(path.len());
                let (head, tail) = path.split_at(end);
                let segment = format!("/{v}");
                let encoded = format!("/%24{}", v.get(1..).unwrap_or(""));
                let found = head
                    .find(&segment)
                    .map(|at| (at, segment.len()))
                    .or_else(|| {
                        system
                            .then(|| head.find(&encoded).map(|at| (at, encoded.len())))
                            .flatten()
                    });
                let counted = system
                    && found.is_some_and(|(at, len)| at.saturating_add(len) == head.len())
                    && v.eq_ignore_ascii_case("$count");
                match found {
                    Some((at, len)) if !system || counted => {
                        let without = format!(
                            "{}{}{}",
                            head.get(..at).unwrap_or(""),
                            head.get(at.saturating_add(len)..).unwrap_or(""),
                            tail
                        );
                        let collection = self.lookup_as_written(method, &without);
                        if system || matches!(collection, Lookup::Found { .. }) {
                            return collection;
                        }
                    }
                    _ if system => {
                        return Lookup::NotFound {
                            nearest: match self.lookup_as_written(
                                method,
                                head.get(..found.map_or(head.len(), |(at, _)| at))
                                    .unwrap_or(head),
                            ) {
                                Lookup::Found { op, .. } => vec![op],
                                Lookup::NotFound { nearest } => nearest,
                            },
                        };
                    }
                    _ => {}
                }
            }
        }
        if matches!(written, Lookup::NotFound { .. }) {
            // `$count` after a literal segment (`/groups/{id}/members/$count`): the collection's operation, when the
            // matrix lists it.
            if let Some(collection) = without_trailing_count(path) {
                let found = self.lookup_as_written(method, &collection);
                if matches!(found, Lookup::Found { .. }) {
                    return found;
                }
            }
            if let Some(keyed) = odata_keys_as_segments(path) {
                return self.lookup_as_written(method, &keyed);
            }
        }
        written
    }

    fn lookup_as_written(&self, method: &str, path: &str) -> Lookup<'_> {
        // Until the whole index is built (it then answers alone), the branch of the first segment.
        if self.index.0.get().is_none() {
            if let Some(found) = self
                .deferred
                .as_deref()
                .and_then(|d| d.find(self, method, path))
            {
                return found;
            }
        }
        let index = self.index();
        let called = Called::new(self, index.colon, index.case_insensitive, path);
        let mut budget = VISIT_BUDGET;
        let ops = self.operations();
        if let Some(found) = called
            .keys()
            .and_then(|keys| index.find(0, &keys, method, ops, &mut budget))
        {
            if let Some(op) = ops.get(found) {
                return Lookup::Found {
                    op,
                    params: index.params(&op.path, &called),
                };
            }
        }
        Lookup::NotFound {
            nearest: self.nearest(index, &called, method),
        }
    }

    /// Every entry whose template matches `path`, whatever its method, best match first.
    pub fn lookup_all(&self, path: &str) -> Vec<&Operation> {
        let index = self.index();
        let called = Called::new(self, index.colon, index.case_insensitive, path);
        let mut out = Vec::new();
        let mut budget = VISIT_BUDGET;
        if let Some(keys) = called.keys() {
            index.find_all(0, &keys, &mut out, &mut budget);
        }
        let ops = self.operations();
        out.iter().filter_map(|&i| ops.get(i)).collect()
    }

    fn nearest<'a>(&'a self, index: &Index, called: &Called, method: &str) -> Vec<&'a Operation> {
        let Some(keys) = called.keys() else {
            return Vec::new();
        };
        let ops = self.operations();
        let mut same = Vec::new();
        let mut budget = VISIT_BUDGET;
        index.find_all(0, &keys, &mut same, &mut budget);
        // Each operation once, in the order found (a set: a path may hold thousands of methods).
        let mut seen = std::collections::HashSet::with_capacity(same.len());
        let mut out: Vec<usize> = same.into_iter().filter(|&i| seen.insert(i)).collect();
        let chars: usize = keys.iter().map(|k| k.len()).sum();
        let limit = (chars / 5).clamp(2, 6);
        let mut near: Vec<(usize, usize)> = Vec::new();
        let mut budget = VISIT_BUDGET;
        index.near(0, &keys, 0, limit, &mut near, &mut budget);
        if near.is_empty() {
            // Nothing similar: offer the operations of the longest matching prefix (e.g. `GET /users/{id}` for
            // `/users/7/unknown/thing`).
            let prefix = index.deepest_prefix(&keys);
            near.extend(prefix.into_iter().map(|i| (usize::MAX, i)));
        }
        crate::order::sort_by(&mut near, |a, b| {
            let key = |&(cost, i): &(usize, usize)| {
                let op = ops.get(i);
                (
                    cost,
                    !op.is_some_and(|o| o.method.eq_ignore_ascii_case(method)),
                    op.map(|o| o.path.len()).unwrap_or(usize::MAX),
                    i,
                )
            };
            key(a).cmp(&key(b))
        });
        for (_, i) in near {
            if out.len() >= NEAREST {
                break;
            }
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out.truncate(NEAREST);
        out.iter().filter_map(|&i| ops.get(i)).collect()
    }

    /// Whether the platform's catalog defines `scope` (true when there is no catalog).
    pub fn knows_scope(&self, scope: &str) -> bool {
        self.platform.scope_catalog.is_empty()
            || self
                .catalog
                .0
                .get_or_init(|| self.platform.scope_catalog.iter().cloned().collect())
                .contains(scope)
    }

    /// The catalog scopes closest to `scope`, best first. `x:write` is also compared as `x` and `x:read` as
    /// `x:readonly`, the way platforms commonly name their read-write and read-only scopes.
    pub fn closest_scopes(&self, scope: &str, n: usize) -> Vec<String> {
        let q = scope.to_ascii_lowercase();
        let mut variants = vec![q.clone()];
        for suffix in [":write", ":manage", ":all", ":edit"] {
            if let Some(stem) = q.strip_suffix(suffix) {
                variants.push(stem.to_string());
            }
        }
        if let Some(stem) = q.strip_suffix(":read") {
            variants.push(format!("{stem}:readonly"));
        }
        let mut scored: Vec<(usize, &String)> = self
            .platform
            .scope_catalog
            .iter()
            .map(|s| {
                let l = s.to_ascii_lowercase();
                let d = variants
                    .iter()
                    .enumerate()
                    .map(|(i, v)| distance(&l, v).saturating_add(usize::from(i > 0)))
                    .min()
                    .unwrap_or(usize::MAX);
                (d, s)
            })
            .collect();
        crate::order::sort_by(&mut scored, |a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        scored.into_iter().take(n).map(|(_, s)| s.clone()).collect()
    }
}

/// For the fuzz targets: on a compact document, whether the fast reader of its `paths` (`compact::canonical`)
/// reads what serde reads, or declines. True for anything that is not a compact document.
#[doc(hidden)]
pub fn canonical_paths_agree(text: &str) -> bool {
    let Ok(head) = serde_json::from_str::<compact::Compact<&serde_json::value::RawValue>>(text)
    else {
        return true;
    };
    let raw = head.paths.get();
    match compact::canonical::paths(raw) {
        None => true,
        Some(fast) => serde_json::from_str::<Vec<compact::PathEntry<'_>>>(raw)
            .is_ok_and(|slow| compact::Paths::from(slow) == fast),
    }
}

/// For the fuzz targets: on a compact document whose `paths` are read in place (`compact::read_canonical`, the
/// built-ins' way), whether serde alone reads it to the same matrix. True when that reader declines.
#[doc(hidden)]
pub fn compact_read_agrees(text: &str) -> bool {
    compact::canonical_read_agrees(text)
}

/// Strips `base` (possibly with `{param}` parts) from the front of `path`, segment by segment, ignoring ASCII
/// case. Returns the rest (starting with `/`, or empty), or None when `path` does not start with it.
fn strip_base<'p>(path: &'p str, base: &str) -> Option<&'p str> {
    let base = base.trim_matches('/');
    if base.is_empty() {
        return None;
    }
    let mut pos = path
        .len()
        .saturating_sub(path.trim_start_matches('/').len());
    for (i, want) in base.split('/').enumerate() {
        if i > 0 {
            if !path.get(pos..)?.starts_with('/') {
                return None;
            }
            pos = pos.saturating_add(1);
        }
        let rest = path.get(pos..)?;
        let end = rest.find('/').unwrap_or(rest.len());
        let seg = rest.get(..end)?;
        let ok = if want.contains('{') {
            let low = seg.to_ascii_lowercase();
            Pattern::compile(want, true).is_some_and(|p| p.matches(&low, None, seg))
        } else {
            want.eq_ignore_ascii_case(seg)
        };
        if seg.is_empty() || !ok {
            return None;
        }
        pos = pos.saturating_add(end);
    }
    path.get(pos..)
}

fn same(a: &str, b: &str, case_insensitive: bool) -> bool {
    if case_insensitive {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// The longest input `distance` compares, in bytes: names, scopes and path segments are far shorter, and a
/// hostile half-megabyte "scope" must not cost a quadratic edit distance against every catalog entry.
const MAX_DISTANCE_INPUT: usize = 256;

/// Levenshtein distance over bytes (used for "did you mean"). Inputs are compared on their first
/// `MAX_DISTANCE_INPUT` bytes, plus the length difference beyond that, so the cost stays bounded.
pub fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let beyond = a
        .len()
        .max(MAX_DISTANCE_INPUT)
        .abs_diff(b.len().max(MAX_DISTANCE_INPUT));
    let a = a.get(..MAX_DISTANCE_INPUT).unwrap_or(a);
    let b = b.get(..MAX_DISTANCE_INPUT).unwrap_or(b);
    distance_bytes(a, b).saturating_add(beyond)
}

fn distance_bytes(a: &[u8], b: &[u8]) -> usize {
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

// ------------------------------------------------------------------------------------------------------------
// The index.

/// Something derived from a matrix and built when first needed (its operations, its index): equal to any other,
/// since it follows from the rest.
#[derive(Clone)]
struct Derived<T>(OnceLock<T>);

impl<T> Default for Derived<T> {
    fn default() -> Self {
        Derived(OnceLock::new())
    }
}

impl<T> PartialEq for Derived<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> std::fmt::Debug for Derived<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "(built)"
        } else {
            "(not built)"
        })
    }
}

/// One part of a mixed segment template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    Lit(Box<str>),
    Param(Box<str>),
}

/// A segment template with literal and `{param}` parts, e.g. `range(address={value})` or `{id}:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Pattern {
    parts: Vec<Part>,
    /// The template text (lowered when case-insensitive), for distances.
    text: Box<str>,
}

impl Pattern {
    /// Compiles a segment template; None when it has no `{param}` part. Adjacent parameters are merged.
    fn compile(template: &str, lower: bool) -> Option<Pattern> {
        if !template.contains('{') {
            return None;
        }
        let mut parts: Vec<Part> = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            match (rest.find('{'), rest.find('}')) {
                (Some(0), Some(close)) if close > 1 => {
                    let name = rest.get(1..close).unwrap_or_default();
                    match parts.last_mut() {
                        Some(Part::Param(prev)) => *prev = format!("{prev},{name}").into(),
                        _ => parts.push(Part::Param(name.into())),
                    }
                    rest = rest.get(close.saturating_add(1)..).unwrap_or_default();
                }
                (Some(open), _) if open > 0 => {
                    let lit = rest.get(..open).unwrap_or_default();
                    parts.push(Part::Lit(if lower {
                        lit.to_ascii_lowercase().into()
                    } else {
                        lit.into()
                    }));
                    rest = rest.get(open..).unwrap_or_default();
                }
                _ => {
                    parts.push(Part::Lit(if lower {
                        rest.to_ascii_lowercase().into()
                    } else {
                        rest.into()
                    }));
                    rest = "";
                }
            }
        }
        if !parts.iter().any(|p| matches!(p, Part::Param(_))) {
            return None;
        }
        let text: String = if lower {
            template.to_ascii_lowercase()
        } else {
            template.to_string()
        };
        Some(Pattern {
            parts,
            text: text.into(),
        })
    }

    /// Whether `key` (the called segment, lowered when case-insensitive) matches; fills `captures` with
    /// `(name, value)` taken from `orig` (the same segment in its original case) when given.
    fn matches(
        &self,
        key: &str,
        mut captures: Option<&mut Vec<(String, String)>>,
        orig: &str,
    ) -> bool {
        let mut pos = 0usize;
        let mut pending: Option<&str> = None;
        let last = self.parts.len().saturating_sub(1);
        for (i, part) in self.parts.iter().enumerate() {
            match part {
                Part::Param(name) => pending = Some(name),
                Part::Lit(lit) => {
                    let rest = key.get(pos..).unwrap_or_default();
                    let at = match pending {
                        None if rest.starts_with(&**lit) => 0,
                        None => return false,
                        Some(_) if i == last => {
                            if rest.len() <= lit.len() || !rest.ends_with(&**lit) {
                                return false;
                            }
                            rest.len().saturating_sub(lit.len())
                        }
                        Some(_) => match rest.get(1..).and_then(|r| r.find(&**lit)) {
                            Some(j) => j.saturating_add(1),
                            None => return false,
                        },
                    };
                    if let (Some(name), Some(out)) = (pending, captures.as_deref_mut()) {
                        let value = orig.get(pos..pos.saturating_add(at)).unwrap_or_default();
                        out.push((name.to_string(), value.to_string()));
                    }
                    pending = None;
                    pos = pos.saturating_add(at).saturating_add(lit.len());
                }
            }
        }
        match pending {
            Some(name) => {
                let value = orig.get(pos..).unwrap_or_default();
                if value.is_empty() {
                    return false;
                }
                if let Some(out) = captures {
                    out.push((name.to_string(), value.to_string()));
                }
                true
            }
            None => pos == key.len(),
        }
    }

    fn literal_len(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Lit(l) => l.len(),
                Part::Param(_) => 0,
            })
            .sum()
    }
}

/// What a template segment is: a plain literal, a whole `{param}`, or literal text mixed with parameters.
enum Segment<'a> {
    Lit(&'a str),
    Param(&'a str),
    Mixed(Pattern),
}

impl<'a> Segment<'a> {
    /// Classifies template segment `seg` (`lower`: the platform is case-insensitive).
    fn of(seg: &'a str, lower: bool) -> Segment<'a> {
        if !seg.contains('{') {
            return Segment::Lit(seg);
        }
        if seg.len() > 2
            && seg.starts_with('{')
            && seg.ends_with('}')
            && seg.matches('{').count() == 1
        {
            return Segment::Param(seg.get(1..seg.len().saturating_sub(1)).unwrap_or_default());
        }
        match Pattern::compile(seg, lower) {
            Some(pattern) => Segment::Mixed(pattern),
            None => Segment::Lit(seg),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Node {
    /// Literal children, sorted by key (lowered when case-insensitive). While an index is being built, a node
    /// with many children has them unsorted until [`Wide::finish`]: nothing may look up through them before.
    lits: Vec<(Box<str>, u32)>,
    /// Mixed-segment children, most literal text first (once [`Node::order_mixed`] ran).
    mixed: Vec<(Pattern, u32)>,
    /// The `{param}` child.
    param: Option<u32>,
    /// Operations whose template ends here.
    ops: Vec<u32>,
}

#[derive(Debug, Clone)]
struct Index {
    nodes: Vec<Node>,
    /// Whether `root:/a/b:`-style segments (Graph drive paths) are collapsed into one segment.
    colon: bool,
    case_insensitive: bool,
}

/// Splits a path into segments (skipping empty ones) as byte ranges; with `colon`, a segment ending in `:` is
/// followed by one segment that spans up to and including the next segment ending in `:` (or the end).
fn segments(path: &str, colon: bool) -> Vec<(usize, usize)> {
    let mut raw: Vec<(usize, usize)> = Vec::with_capacity(8);
    let mut start = 0usize;
    for (i, b) in path.bytes().enumerate() {
        if b == b'/' {
            if i > start {
                raw.push((start, i));
            }
            start = i.saturating_add(1);
        }
    }
    if path.len() > start {
        raw.push((start, path.len()));
    }
    let ends_colon = |r: &(usize, usize)| path.get(r.0..r.1).is_some_and(|s| s.ends_with(':'));
    if !colon || !raw.iter().any(ends_colon) {
        return raw;
    }
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(raw.len());
    let mut i = 0usize;
    while let Some(r) = raw.get(i) {
        out.push(*r);
        i = i.saturating_add(1);
        if ends_colon(r) {
            if let Some(first) = raw.get(i) {
                let mut end = first.1;
                while let Some(next) = raw.get(i) {
                    end = next.1;
                    i = i.saturating_add(1);
                    if ends_colon(next) {
                        break;
                    }
                }
                out.push((first.0, end));
            }
        }
    }
    out
}

/// A called path, prepared for the index: normalized, percent-decoded, lowered when needed, split.
struct Called<'p> {
    /// The path as given (decoded), for parameter values: borrowed when it has no escape.
    orig: std::borrow::Cow<'p, str>,
    /// The path used as key, when it differs from `orig` (lowered, the platform being case-insensitive).
    lowered: Option<String>,
    segs: Vec<(usize, usize)>,
}

impl<'p> Called<'p> {
    /// `colon`: whether the matrix joins segments after one ending in `:` (see [`segments`]); `ci`: whether
    /// its keys are lowered (as the index it is looked up in was built).
    fn new(matrix: &Matrix, colon: bool, ci: bool, path: &'p str) -> Called<'p> {
        let path = matrix.normalize_path(path);
        let orig = if path.contains('%') {
            std::borrow::Cow::Owned(percent_decode(path))
        } else {
            std::borrow::Cow::Borrowed(path)
        };
        let lowered =
            (ci && orig.bytes().any(|b| b.is_ascii_uppercase())).then(|| orig.to_ascii_lowercase());
        let segs = segments(&orig, colon);
        Called {
            orig,
            lowered,
            segs,
        }
    }

    /// The path used as key (lowered when case-insensitive).
    fn key(&self) -> &str {
        self.lowered.as_deref().unwrap_or(&self.orig)
    }

    /// The key segments, or None when there are too many.
    fn keys(&self) -> Option<Vec<&str>> {
        if self.segs.len() > MAX_SEGMENTS {
            return None;
        }
        Some(
            self.segs
                .iter()
                .map(|&(a, b)| self.key().get(a..b).unwrap_or_default())
                .collect(),
        )
    }

    fn orig_seg(&self, i: usize) -> &str {
        self.segs
            .get(i)
            .and_then(|&(a, b)| self.orig.get(a..b))
            .unwrap_or_default()
    }

    fn key_seg(&self, i: usize) -> &str {
        self.segs
            .get(i)
            .and_then(|&(a, b)| self.key().get(a..b))
            .unwrap_or_default()
    }
}

/// Decodes `%XX` escapes (not `%2F`, which stays a character of its segment); invalid escapes stay as they are.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i.saturating_add(1)..i.saturating_add(3));
            if let Some(v) = hex
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                if v != b'/' {
                    out.push(v);
                    i = i.saturating_add(3);
                    continue;
                }
            }
        }
        out.push(b);
        i = i.saturating_add(1);
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// How many literal or mixed children a node gets before [`Wide`] looks them up while an index is built.
const WIDE: usize = 32;

/// While an index is built, the children of nodes that have many, by key (the lowered literal, or the mixed
/// segment's pattern): a sorted insertion into thousands of children shifts them all, and a linear search compares
/// them all, which made a document whose paths arrive in reverse order cost quadratic time. The children those
/// nodes get meanwhile are appended; [`Wide::finish`] sorts them.
#[derive(Default)]
struct Wide {
    lits: std::collections::HashMap<u32, std::collections::HashMap<Box<str>, u32>>,
    mixed: std::collections::HashMap<u32, std::collections::HashMap<Pattern, u32>>,
}

impl Wide {
    /// Sorts the literal children of the nodes that had many (the others were kept sorted).
    fn finish(self, nodes: &mut [Node]) {
        for node in self.lits.keys() {
            if let Some(n) = usize::try_from(*node).ok().and_then(|i| nodes.get_mut(i)) {
                crate::order::sort_by(&mut n.lits, |a, b| a.0.cmp(&b.0));
            }
        }
    }
}

/// The child of `nodes[node]` that template segment `segment` leads to, added when there is none yet. `key` is
/// the buffer the lowered literal is written to (a key is allocated only when a node is added).
fn child(
    nodes: &mut Vec<Node>,
    node: usize,
    segment: Segment<'_>,
    ci: bool,
    key: &mut String,
    wide: &mut Wide,
) -> usize {
    let next = u32::try_from(nodes.len()).unwrap_or(u32::MAX);
    let id = u32::try_from(node).unwrap_or(u32::MAX);
    let Some(n) = nodes.get_mut(node) else {
        return 0;
    };
    let existing = match segment {
        Segment::Param(_) => {
            let found = n.param;
            n.param.get_or_insert(next);
            found
        }
        Segment::Mixed(pattern) => match wide.mixed.get_mut(&id) {
            Some(map) => match map.get(&pattern) {
                Some(&c) => Some(c),
                None => {
                    map.insert(pattern.clone(), next);
                    n.mixed.push((pattern, next));
                    None
                }
            },
            None => match n.mixed.iter().find(|(p, _)| *p == pattern) {
                Some(&(_, c)) => Some(c),
                None => {
                    n.mixed.push((pattern, next));
                    if n.mixed.len() > WIDE {
                        let map = n.mixed.iter().map(|(p, c)| (p.clone(), *c)).collect();
                        wide.mixed.insert(id, map);
                    }
                    None
                }
            },
        },
        Segment::Lit(seg) => {
            key.clear();
            key.push_str(seg);
            if ci {
                key.make_ascii_lowercase();
            }
            match wide.lits.get_mut(&id) {
                Some(map) => match map.get(key.as_str()) {
                    Some(&c) => Some(c),
                    None => {
                        map.insert(key.as_str().into(), next);
                        n.lits.push((key.as_str().into(), next));
                        None
                    }
                },
                None => match n.lits.binary_search_by(|(k, _)| (**k).cmp(key.as_str())) {
                    Ok(at) => n.lits.get(at).map(|&(_, c)| c),
                    Err(at) => {
                        n.lits.insert(at, (key.as_str().into(), next));
                        if n.lits.len() > WIDE {
                            wide.lits
                                .insert(id, n.lits.iter().map(|(k, c)| (k.clone(), *c)).collect());
                        }
                        None
                    }
                },
            }
        }
    };
    let child = existing.unwrap_or_else(|| {
        nodes.push(Node::default());
        next
    });
    usize::try_from(child).unwrap_or(0)
}

/// Whether any template has a segment of two or more characters that ends in `:` (Graph drive paths).
fn has_colon_segments(ops: &[Operation]) -> bool {
    ops.iter().any(|op| is_colon_template(&op.path))
}

/// Whether template `path` has a segment of two or more characters that ends in `:`.
fn is_colon_template(path: &str) -> bool {
    path.contains(':')
        && path
            .as_bytes()
            .windows(3)
            .any(|w| matches!(w, [a, b':', b'/'] if *a != b'/'))
        || path.len() > 1 && path.ends_with(':') && !path.ends_with("/:")
}

impl Node {
    /// The children that can take called segment `seg`, in priority order: literal, mixed, parameter.
    fn children<'a>(&'a self, seg: &'a str) -> impl Iterator<Item = usize> + 'a {
        let lit = self
            .lits
            .binary_search_by(|(k, _)| (**k).cmp(seg))
            .ok()
            .and_then(|at| self.lits.get(at))
            .map(|(_, c)| *c);
        let mixed = self
            .mixed
            .iter()
            .filter(move |(p, _)| p.matches(seg, None, seg))
            .map(|(_, c)| *c);
        let param = self.param.filter(|_| !seg.is_empty());
        lit.into_iter()
            .chain(mixed)
            .chain(param)
            .map(|c| usize::try_from(c).unwrap_or(usize::MAX))
    }

    /// Orders the mixed children most literal text first (stable), as lookups try them.
    fn order_mixed(&mut self) {
        crate::order::sort_by_key(&mut self.mixed, |(p, _)| std::cmp::Reverse(p.literal_len()));
    }
}

impl Index {
    /// The trie of `ops` (`colon`: see [`segments`]; `ci`: keys are lowered).
    fn build(ops: &[Operation], colon: bool, ci: bool) -> Index {
        let mut nodes: Vec<Node> = vec![Node::default()];
        // Operations of one path come one after the other (every built-in and import lists them so): the walk
        // of the previous path is reused. `key` holds the lowered segment; a key is allocated only when a node
        // is added.
        let mut last: Option<(&str, usize)> = None;
        let mut key = String::new();
        let mut wide = Wide::default();
        // The previous path's segments (byte ranges) and the node each led to: a path that starts with the same
        // segments (most do, listed in order) goes on from there instead of finding those children again.
        let mut prev = "";
        let mut walk: Vec<(usize, usize, usize)> = Vec::new();
        for (op_ix, op) in ops.iter().enumerate() {
            let path = op.path.as_str();
            let node = match last {
                Some((prev, node)) if prev == path => node,
                _ => {
                    let segs = segments(path, colon);
                    let shared = segs
                        .iter()
                        .zip(&walk)
                        .take_while(|&(&(a, b), &(pa, pb, _))| path.get(a..b) == prev.get(pa..pb))
                        .count();
                    walk.truncate(shared);
                    let mut node = walk.last().map_or(0, |w| w.2);
                    for &(a, b) in segs.get(shared..).unwrap_or_default() {
                        let segment = Segment::of(path.get(a..b).unwrap_or_default(), ci);
                        node = child(&mut nodes, node, segment, ci, &mut key, &mut wide);
                        walk.push((a, b, node));
                    }
                    prev = path;
                    node
                }
            };
            if let Some(n) = nodes.get_mut(node) {
                n.ops.push(u32::try_from(op_ix).unwrap_or(u32::MAX));
            }
            last = Some((path, node));
        }
        wide.finish(&mut nodes);
        for n in &mut nodes {
            n.order_mixed();
        }
        Index {
            nodes,
            colon,
            case_insensitive: ci,
        }
    }

    fn find(
        &self,
        node: usize,
        segs: &[&str],
        method: &str,
        ops: &[Operation],
        budget: &mut u32,
    ) -> Option<usize> {
        *budget = budget.checked_sub(1)?;
        self.find_in(self.nodes.get(node)?, segs, method, ops, budget)
    }

    /// [`Index::find`] once node `n` is visited.
    fn find_in(
        &self,
        n: &Node,
        segs: &[&str],
        method: &str,
        ops: &[Operation],
        budget: &mut u32,
    ) -> Option<usize> {
        let Some((seg, rest)) = segs.split_first() else {
            return n
                .ops
                .iter()
                .map(|&i| usize::try_from(i).unwrap_or(usize::MAX))
                .find(|&i| {
                    ops.get(i)
                        .is_some_and(|op| op.method.eq_ignore_ascii_case(method))
                });
        };
        for child in n.children(seg) {
            if let Some(found) = self.find(child, rest, method, ops, budget) {
                return Some(found);
            }
        }
        None
    }

    fn find_all(&self, node: usize, segs: &[&str], out: &mut Vec<usize>, budget: &mut u32) {
        let Some(b) = budget.checked_sub(1) else {
            return;
        };
        *budget = b;
        let Some(n) = self.nodes.get(node) else {
            return;
        };
        let Some((seg, rest)) = segs.split_first() else {
            out.extend(
                n.ops
                    .iter()
                    .map(|&i| usize::try_from(i).unwrap_or(usize::MAX)),
            );
            return;
        };
        for child in n.children(seg) {
            self.find_all(child, rest, out, budget);
        }
    }

    /// Operations within `limit` edits (segment-wise character distance, plus `SKIP_COST` per missing or extra
    /// segment) of the called segments; pushes `(cost, op)`.
    fn near(
        &self,
        node: usize,
        segs: &[&str],
        cost: usize,
        limit: usize,
        out: &mut Vec<(usize, usize)>,
        budget: &mut u32,
    ) {
        let Some(b) = budget.checked_sub(1) else {
            return;
        };
        *budget = b;
        let Some(n) = self.nodes.get(node) else {
            return;
        };
        let child_ix = |c: u32| usize::try_from(c).unwrap_or(usize::MAX);
        let Some((seg, rest)) = segs.split_first() else {
            out.extend(n.ops.iter().map(|&i| (cost, child_ix(i))));
            return;
        };
        // Goes on to `next` with the rest of the call, at `extra` more cost, while within the limit.
        let mut step = |next: usize, extra: usize| {
            let cost = cost.saturating_add(extra);
            if cost <= limit {
                self.near(next, rest, cost, limit, out, budget);
            }
        };
        for (k, c) in &n.lits {
            if k.len().abs_diff(seg.len()) <= limit.saturating_sub(cost) {
                step(child_ix(*c), distance(k, seg));
            }
        }
        for (p, c) in &n.mixed {
            let d = if p.matches(seg, None, seg) {
                0
            } else {
                distance(&p.text, seg)
            };
            step(child_ix(*c), d);
        }
        if let Some(c) = n.param {
            step(child_ix(c), 0);
        }
        // An extra segment in the call.
        step(node, SKIP_COST);
        // A segment missing from the call.
        if cost.saturating_add(SKIP_COST) <= limit {
            let children = n
                .lits
                .iter()
                .map(|(_, c)| *c)
                .chain(n.mixed.iter().map(|(_, c)| *c))
                .chain(n.param);
            for c in children {
                self.near(
                    child_ix(c),
                    segs,
                    cost.saturating_add(SKIP_COST),
                    limit,
                    out,
                    budget,
                );
            }
        }
    }

    /// The operations of the deepest node (with operations) reached by matching a prefix of the segments.
    fn deepest_prefix(&self, segs: &[&str]) -> Vec<usize> {
        let mut node = 0usize;
        let mut best: Vec<usize> = Vec::new();
        for seg in segs {
            let Some(n) = self.nodes.get(node) else {
                break;
            };
            let Some(next) = n.children(seg).next() else {
                break;
            };
            node = next;
            if let Some(reached) = self.nodes.get(node).filter(|r| !r.ops.is_empty()) {
                best = reached
                    .ops
                    .iter()
                    .map(|&i| usize::try_from(i).unwrap_or(usize::MAX))
                    .collect();
            }
        }
        best
    }

    /// The parameters of the operation with path template `template`, filled in from the called path it matched.
    fn params(&self, template: &str, called: &Called) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !template.contains('{') {
            return out;
        }
        for (pos, &(a, b)) in segments(template, self.colon).iter().enumerate() {
            match Segment::of(
                template.get(a..b).unwrap_or_default(),
                self.case_insensitive,
            ) {
                Segment::Lit(_) => {}
                Segment::Param(name) => {
                    out.push((name.to_string(), called.orig_seg(pos).to_string()))
                }
                Segment::Mixed(p) => {
                    p.matches(called.key_seg(pos), Some(&mut out), called.orig_seg(pos));
                }
            }
        }
        out
    }
}

// ------------------------------------------------------------------------------------------------------------
// The compact form of the built-ins: src/matrix/compact.rs.

mod compact;

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn op(method: &str, path: &str) -> Operation {
        Operation::new(method, path)
    }

    fn m(ci: bool, base: &[&str], ops: &[(&str, &str)]) -> Matrix {
        Matrix::new(
            PlatformInfo {
                id: "t".into(),
                case_insensitive: ci,
                base_paths: base.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
            ops.iter().map(|(a, b)| op(a, b)).collect(),
        )
    }

    fn found<'a>(l: &Lookup<'a>) -> Option<(&'a str, &'a str, Vec<(String, String)>)> {
        match l {
            Lookup::Found { op, params } => {
                Some((op.method.as_str(), op.path.as_str(), params.clone()))
            }
            Lookup::NotFound { .. } => None,
        }
    }

    #[test]
    fn mixed_segments_capture_values() {
        let p = Pattern::compile("range(address={value})", false).unwrap();
        let mut caps = Vec::new();
        assert!(p.matches(
            "range(address='A1:B2')",
            Some(&mut caps),
            "range(address='A1:B2')"
        ));
        assert_eq!(caps, vec![("value".to_string(), "'A1:B2'".to_string())]);
        assert!(!p.matches("range(address=)", None, ""));
        assert!(!p.matches("rangex", None, ""));
        let two = Pattern::compile("cell(row={r},column={c})", false).unwrap();
        let mut caps = Vec::new();
        assert!(two.matches(
            "cell(row=1,column=22)",
            Some(&mut caps),
            "cell(row=1,column=22)"
        ));
        assert_eq!(caps[1], ("c".to_string(), "22".to_string()));
        assert!(Pattern::compile("plain", false).is_none());
    }

    #[test]
    fn colon_segments_collapse() {
        let p = "/me/drive/root:/a/b.txt:/content";
        let segs: Vec<&str> = segments(p, true).iter().map(|&(a, b)| &p[a..b]).collect();
        assert_eq!(segs, ["me", "drive", "root:", "a/b.txt:", "content"]);
        let segs: Vec<&str> = segments(p, false).iter().map(|&(a, b)| &p[a..b]).collect();
        assert_eq!(segs.len(), 6);
    }

    #[test]
    fn operations_of_one_path_share_its_walk_and_capture_their_parameters() {
        // Same path one after the other (the walk is reused), and the same path again after another one.
        let mx = m(
            true,
            &[],
            &[
                ("GET", "/Drives/{drive-id}/f(x={v})"),
                ("PATCH", "/Drives/{drive-id}/f(x={v})"),
                ("GET", "/drives"),
                ("DELETE", "/Drives/{drive-id}/f(x={v})"),
            ],
        );
        for method in ["GET", "PATCH", "DELETE"] {
            let (got, path, params) = found(&mx.lookup(method, "/drives/D1/F(x=7)")).unwrap();
            assert_eq!((got, path), (method, "/Drives/{drive-id}/f(x={v})"));
            assert_eq!(
                params,
                [
                    ("drive-id".to_string(), "D1".to_string()),
                    ("v".to_string(), "7".to_string())
                ]
            );
        }
        assert_eq!(found(&mx.lookup("GET", "/DRIVES")).unwrap().1, "/drives");
        assert!(found(&mx.lookup("PATCH", "/drives")).is_none());
    }

    #[test]
    fn drive_item_paths_switch_the_index_to_colon_segments() {
        // Only a segment of two or more characters that ends in `:` does.
        let with = m(false, &[], &[("GET", "/me/drive/root:/{path}:/content")]);
        let (_, _, params) =
            found(&with.lookup("GET", "/me/drive/root:/a/b.txt:/content")).unwrap();
        assert_eq!(params, [("path".to_string(), "a/b.txt".to_string())]);
        for plain in ["/a/:/b", "/:", "/a/:"] {
            let without = m(false, &[], &[("GET", plain), ("GET", "/me/{id}/content")]);
            assert!(!without.index().colon, "{plain}");
        }
        for colon in ["/items/ab:", "/x:", "/a::/b"] {
            assert!(m(false, &[], &[("GET", colon)]).index().colon, "{colon}");
        }
    }

    #[test]
    fn base_paths_with_parameters_strip() {
        assert_eq!(
            strip_base(
                "/InContactAPI/services/v23.0/agent-sessions",
                "/InContactAPI/services/v{version}"
            ),
            Some("/agent-sessions")
        );
        assert_eq!(strip_base("/api/v2", "/api/v2"), Some(""));
        assert_eq!(strip_base("/api/v20/x", "/api/v2"), None);
        assert_eq!(strip_base("/API/V2/x", "/api/v2"), Some("/x"));
    }

    #[test]
    fn literal_beats_mixed_beats_param_and_backtracks_on_method() {
        let mx = m(
            false,
            &[],
            &[
                ("GET", "/users/{id}"),
                ("POST", "/users/delta"),
                ("GET", "/users/{id}/f(x={v})"),
                ("GET", "/users/{id}/{rel}"),
            ],
        );
        assert_eq!(
            found(&mx.lookup("POST", "/users/delta")).unwrap().1,
            "/users/delta"
        );
        assert_eq!(
            found(&mx.lookup("GET", "/users/delta")).unwrap().1,
            "/users/{id}"
        );
        assert_eq!(
            found(&mx.lookup("GET", "/users/7/f(x=1)")).unwrap().1,
            "/users/{id}/f(x={v})"
        );
        assert_eq!(
            found(&mx.lookup("GET", "/users/7/manager")).unwrap().1,
            "/users/{id}/{rel}"
        );
    }

    #[test]
    fn permission_wildcards() {
        assert!(permission_covers(
            "conversation:*:*",
            "conversation:call:add"
        ));
        assert!(permission_covers(
            "conversation:call:*",
            "conversation:call:add"
        ));
        assert!(!permission_covers(
            "conversation:call:*",
            "conversation:email:add"
        ));
        assert!(!permission_covers(
            "conversation:call",
            "conversation:call:add"
        ));
        let all = PermissionRequirement {
            mode: PermissionMode::All,
            list: vec!["a:b:c".into(), "a:b:d".into()],
        };
        assert_eq!(
            all.check(&["a:b:c"]),
            Check::Unmet {
                missing: vec![vec!["a:b:d".to_string()]]
            }
        );
        assert_eq!(
            all.check(&["a:*:*"]),
            Check::Met {
                by: vec!["a:b:c".into(), "a:b:d".into()]
            }
        );
        let none = PermissionRequirement {
            mode: PermissionMode::Any,
            list: vec![],
        };
        assert_eq!(none.check::<&str>(&[]), Check::NotNeeded);
    }

    #[test]
    fn scope_checks() {
        let r =
            ScopeRequirement::AnyOf(vec![vec!["a".into()], vec!["b".into(), "c".into()]].into());
        assert_eq!(
            r.check(&["c", "b"], false),
            Check::Met {
                by: vec!["b".into(), "c".into()]
            }
        );
        assert_eq!(
            r.check(&["c"], false),
            Check::Unmet {
                missing: vec![vec!["a".to_string()], vec!["b".to_string()]]
            }
        );
        assert_eq!(
            r.check(&["A"], true),
            Check::Met {
                by: vec!["a".into()]
            }
        );
        assert_eq!(
            ScopeRequirement::AnyOf(vec![vec![]].into()).check::<&str>(&[], false),
            Check::Met { by: vec![] }
        );
        assert!(ScopeRequirement::AnyOf(Vec::new().into()).grants_nothing());
        assert_eq!(
            ScopeRequirement::Unknown.check::<&str>(&[], false),
            Check::Unknown
        );
    }

    #[test]
    fn hosts_and_regions() {
        let p = PlatformInfo {
            hosts: vec!["*.mypurecloud.com".into(), "graph.microsoft.com".into()],
            regions: vec![
                Region {
                    name: "us_east_1".into(),
                    api_host: "api.mypurecloud.com".into(),
                    login_host: Some("login.mypurecloud.com".into()),
                },
                Region {
                    name: "ap_southeast_2".into(),
                    api_host: "api.mypurecloud.com.au".into(),
                    login_host: None,
                },
            ],
            ..Default::default()
        };
        assert!(p.matches_host("api.mypurecloud.com:443"));
        assert!(p.matches_host("https://API.mypurecloud.com/api/v2"));
        assert!(!p.matches_host("evilmypurecloud.com"));
        assert!(!p.matches_host("api.mypurecloud.com.au"));
        assert_eq!(
            p.region_of_host("login.mypurecloud.com").unwrap().name,
            "us_east_1"
        );
        assert_eq!(
            p.region_of_host("apps.mypurecloud.com.au").unwrap().name,
            "ap_southeast_2"
        );
        assert!(p.region_of_host("example.com").is_none());
    }

    /// A lookup in a compact matrix builds the operations of the called path's first segment only.
    #[test]
    fn a_found_lookup_builds_one_branch() {
        let m = Matrix::from_json(include_str!("../www/matrices/microsoft-graph.json")).unwrap();
        let d = m.deferred.as_deref().unwrap();
        let built = || d.built_branches();
        assert_eq!(built(), 0);
        let (method, path, _) = found(&m.lookup("post", "/v1.0/me/sendMail")).unwrap();
        assert_eq!((method, path), ("POST", "/me/sendmail"));
        assert_eq!(built(), 1);
        assert!(m.operations.0.get().is_none() && m.index.0.get().is_none());
        let me = d.branch_len("me").unwrap();
        assert!(
            me * 5 < m.operation_count(),
            "{me} of {}",
            m.operation_count()
        );
        // An unknown operation needs them all (its nearest ones).
        assert!(found(&m.lookup("POST", "/v1.0/me/sendMale")).is_none());
        assert_eq!(m.operations().len(), m.operation_count());
        assert!(m.index.0.get().is_some());
    }

    /// The OData key form (`/users('upn')/…`), which Graph accepts beside `/users/upn/…`, finds the same entry.
    #[test]
    fn odata_key_segments_find_the_entry() {
        let m = Matrix::from_json(include_str!("../www/matrices/microsoft-graph.json")).unwrap();
        for (called, template, value) in [
            (
                "/v1.0/users('alice@contoso.com')/messages",
                "/users/{id}/messages",
                "alice@contoso.com",
            ),
            (
                "/users(%27alice@contoso.com%27)/messages?$top=5",
                "/users/{id}/messages",
                "alice@contoso.com",
            ),
            (
                "/groups(0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0)/members",
                "/groups/{id}/members",
                "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            ),
        ] {
            let Some(Lookup::Found { op, params }) = Some(m.lookup("GET", called)) else {
                panic!("{called} not found");
            };
            assert_eq!(
                op.path.to_ascii_lowercase(),
                template.to_ascii_lowercase(),
                "{called}"
            );
            assert!(
                params.iter().any(|(_, v)| v == value),
                "{called}: {params:?}"
            );
        }
        // Written as the matrix lists it, a function call with named parameters is not a key.
        assert_eq!(
            odata_keys_as_segments(
                "/me/drive/items/1/workbook/worksheets('S1')/range(address='A1')"
            )
            .as_deref(),
            Some("/me/drive/items/1/workbook/worksheets/S1/range(address='A1')")
        );
        for unchanged in [
            "/users/7/f(x=1)",
            "/me/delta()",
            "/users",
            "/a(b)c/d",
            "/x('')",
            "/(k)/y",
        ] {
            assert_eq!(odata_keys_as_segments(unchanged), None, "{unchanged}");
        }
        // An OData type cast is not a member id: the collection's operation.
        let Lookup::Found { op, .. } = m.lookup(
            "GET",
            "/v1.0/users/7/memberOf/microsoft.graph.group?$select=id",
        ) else {
            panic!("not found");
        };
        assert_eq!(op.path.to_ascii_lowercase(), "/users/{id}/memberof");
        // `$count` counts the collection (also %-encoded); no `{param}` stands for a `$` segment, and an unfilled
        // template variable (`${id}`) is no OData segment.
        for counted in ["/v1.0/users/$count?$filter=x", "/v1.0/users/%24count"] {
            let Lookup::Found { op, .. } = m.lookup("GET", counted) else {
                panic!("{counted}: not found");
            };
            assert_eq!(op.path, "/users", "{counted}");
        }
        // After a literal segment too: the members of a group, counted.
        for counted in [
            "/v1.0/groups/7/members/$count",
            "/v1.0/groups/7/members/%24count/",
        ] {
            let Lookup::Found { op, .. } = m.lookup("GET", counted) else {
                panic!("{counted}: not found");
            };
            assert_eq!(
                op.path.to_ascii_lowercase(),
                "/groups/{id}/members",
                "{counted}"
            );
        }
        assert_eq!(without_trailing_count("/a/$countx"), None);
        assert_eq!(
            without_trailing_count("/a/b/$COUNT?$filter=x").as_deref(),
            Some("/a/b?$filter=x")
        );
        assert!(is_odata_system_segment("$ref"));
        assert!(!is_odata_system_segment("${id}"));
        assert!(!is_odata_system_segment("$"));
        assert!(!is_odata_system_segment("$userId"));
        // Not found either way: the nearest entries are those of the key written as a segment.
        let Lookup::NotFound { nearest } = m.lookup("GET", "/users('a')/messagez") else {
            panic!("found");
        };
        assert!(
            nearest.iter().any(|o| o.path == "/users/{id}/messages"),
            "{:?}",
            nearest.iter().map(|o| &o.path).collect::<Vec<_>>()
        );
    }

    /// The compact form of `ops` (no front-coding, requirements unknown).
    fn compact(ci: bool, ops: &[(&str, &str)]) -> String {
        let paths: Vec<String> = ops
            .iter()
            .map(|(method, path)| format!("[0,{path:?},[[{method:?},0,-1,-1,0]]]"))
            .collect();
        format!(
            "{{\"format\":\"{COMPACT_FORMAT}\",\"platform\":{{\"id\":\"t\",\"name\":\"T\",\"caseInsensitive\":{ci}}},\
             \"names\":[],\"scopeReqs\":[\"unknown\"],\"permReqs\":[],\"paths\":[{}]}}",
            paths.join(",")
        )
    }

    /// Root, literal, mixed and `{param}` first segments: a compact matrix answers each call as the same
    /// operations indexed whole, and finds what it finds without building the whole list.
    #[test]
    fn deferred_branches_keep_the_index_order() {
        let ops = [
            ("GET", "/"),
            ("GET", "/{tenant}/items"),
            ("GET", "/items"),
            ("POST", "/items"),
            ("GET", "/items/{id}"),
            ("GET", "/range(address={v})/x"),
            ("GET", "/r{a}/x"),
            ("PUT", "/{tenant}/x"),
            ("GET", "/items/{id}/{part}"),
            ("DELETE", "/Items/{id}"),
        ];
        let calls = [
            ("GET", "/"),
            ("get", ""),
            ("GET", "/t1/items"),
            ("GET", "/items"),
            ("POST", "/items/"),
            ("GET", "/items/5"),
            ("DELETE", "/items/5"),
            ("DELETE", "/ITEMS/5"),
            ("GET", "/range(address=A1)/x"),
            ("GET", "/rq/x"),
            ("PUT", "/range(address=A1)/x"),
            ("PUT", "/items/x"),
            ("GET", "/items/5/6"),
            ("GET", "/items/5/6/7"),
            ("PATCH", "/nothing"),
        ];
        for ci in [false, true] {
            let text = compact(ci, &ops);
            let read = Matrix::from_json(&text).unwrap();
            let whole = Matrix::new(read.platform.clone(), read.operations().to_vec());
            assert_eq!(whole.operation_count(), ops.len());
            for (method, path) in calls {
                let fresh = Matrix::from_json(&text).unwrap();
                let expected = whole.lookup(method, path);
                assert_eq!(
                    found(&fresh.lookup(method, path)),
                    found(&expected),
                    "{method} {path} ci={ci}"
                );
                if found(&expected).is_some() {
                    assert!(
                        fresh.operations.0.get().is_none(),
                        "{method} {path} built them all"
                    );
                }
            }
        }
    }

    /// The canonical `paths` reader gives what serde gives, or None (and serde reads it).
    #[test]
    fn canonical_paths_read_as_serde_does() {
        use compact::{PathEntry, Paths, canonical};
        fn serde(t: &str) -> Option<Paths<'_>> {
            serde_json::from_str::<Vec<PathEntry<'_>>>(t)
                .ok()
                .map(Paths::from)
        }
        for doc in [
            include_str!("../www/matrices/microsoft-graph.json"),
            include_str!("../www/matrices/genesys-cloud.json"),
            include_str!("../www/matrices/nice-cxone.json"),
        ] {
            let head: compact::Compact<&serde_json::value::RawValue> =
                serde_json::from_str(doc).unwrap();
            let raw = head.paths.get();
            let fast = canonical::paths(raw).expect("the built-ins are canonical");
            assert!(fast.entries.len() > 10 && fast.rows.len() >= fast.entries.len());
            assert_eq!(Some(fast), serde(raw));
        }
        let read = [
            "[]",
            " [ ] ",
            "[[0,\"/a\",[]]]",
            "[[0,\"/a\",[[\"GET\",0,-1,-1,0]]],\n[1,\"b\",[[\"post\",1,2,3,255,[0,1]],[\"X\",0,0,0,0,[]]]]]",
            "[ [ 0 , \"/é\" , [ [ \"GET\" , 0 , -1 , -999999999 , 2 ] ] ] ]",
            "[[999999999,\"\",[]]]",
        ];
        for t in read {
            assert_eq!(canonical::paths(t), serde(t), "{t}");
            assert!(canonical::paths(t).is_some(), "{t}");
        }
        // Left to serde: escapes, control characters, other number forms, other shapes, trailing text.
        let left = [
            "[[0,\"/a\\u0041\",[]]]",
            "[[0,\"/a\tb\",[]]]",
            "[[01,\"/a\",[]]]",
            "[[1.0,\"/a\",[]]]",
            "[[1e1,\"/a\",[]]]",
            "[[-1,\"/a\",[]]]",
            "[[0,\"/a\",[[\"GET\",0,-1,-1,256]]]]",
            "[[0,\"/a\",[[\"GET\",0,-,-1,0]]]]",
            "[[0,\"/a\",[[\"GET\",0,-0,-1,0]]]]",
            "[[0,\"/a\",[[\"GET\",0,-1,-1]]]]",
            "[[0,\"/a\",[[\"GET\",0,-1,-1,0,[],1]]]]",
            "[[0,\"/a\",[]],]",
            "[[0,\"/a\",[]]] x",
            "[[0,\"/a\",[]]",
            "[[18446744073709551616,\"\",[]]]",
            "[[1000000000,\"\",[]]]",
            "[[0,\"/a\",[[\"GET\",0,-1000000000,-1,0]]]]",
            "[[0,\"/a\",[[\"GET\",0,9223372036854775808,-1,0]]]]",
            "{}",
            "",
        ];
        for t in left {
            assert_eq!(canonical::paths(t), None, "{t}");
        }
    }

    /// The document reader that reads `paths` in place (`compact::read_canonical`) reads what serde alone reads,
    /// or declines; the members around the paths are skipped as serde's lexer sees them.
    #[test]
    fn compact_documents_read_in_place_as_serde_reads_them() {
        let builtins = [
            include_str!("../www/matrices/microsoft-graph.json"),
            include_str!("../www/matrices/genesys-cloud.json"),
            include_str!("../www/matrices/nice-cxone.json"),
        ];
        for doc in builtins {
            assert!(
                compact::read_canonical(doc).is_some(),
                "the built-ins are read in place"
            );
            assert!(compact_read_agrees(doc));
        }
        let small = builtins[2];
        let paths_at = small.find(",\"paths\":").unwrap();
        let with = |from: &str, to: &str| small.replacen(from, to, 1);
        // Read in place: other members of every kind before and after the paths, strings with escaped quotes,
        // brackets and a `"paths":` inside them, whitespace between tokens.
        let read = [
            with(
                "{\"format\"",
                "{\"x\":{\"a\":[\"}\\\"]\\\\\",1e5,-0.5,true,false,null,{\"paths\":[1]}]},\"format\"",
            ),
            with(
                "\"name\":\"NICE CXone\"",
                "\"name\":\"N \\\"paths\\\": [ {\"",
            ),
            format!(
                "{} ,\"z\" : [ ] }}",
                small.trim_end().strip_suffix('}').unwrap()
            ),
            format!(" \n{}\n ", small),
            // The paths first.
            format!(
                "{{{},{}}}",
                &small.trim_end()[paths_at + 1..small.trim_end().len() - 1],
                &small[1..paths_at]
            ),
        ];
        for doc in &read {
            assert!(
                compact::read_canonical(doc).is_some(),
                "{}",
                &doc[..80.min(doc.len())]
            );
            assert!(compact_read_agrees(doc), "{}", &doc[..80.min(doc.len())]);
            assert!(Matrix::from_json(doc).is_ok());
        }
        // Nesting is counted, not recursed into: an unknown member nested 130 deep is skipped, as serde skips it
        // (its recursion limit applies to what it reads, not to what it ignores).
        let nested = |n: usize| {
            with(
                "{\"format\"",
                &format!("{{\"x\":{}1{},\"format\"", "[".repeat(n), "]".repeat(n)),
            )
        };
        for n in [70, 130, 1000] {
            assert!(
                compact::read_canonical(&nested(n)).is_some() && compact_read_agrees(&nested(n)),
                "{n}"
            );
        }
        // Declined (serde reads them, and says what is wrong): a key with an escape, `paths` twice, trailing text,
        // a paths value not in the canonical shape, a missing member.
        let declined = [
            with("\"names\"", "\"n\\u0061mes\""),
            with("\"names\"", "\"paths\":[],\"names\""),
            format!("{small} x"),
            with("\"paths\":[", "\"paths\":[[0.0,\"\",[]],"),
            with("\"names\"", "\"nomes\""),
            "{}".to_string(),
            "{\"paths\":[]".to_string(),
            String::new(),
        ];
        for doc in &declined {
            assert!(
                compact::read_canonical(doc).is_none(),
                "{}",
                &doc[..200.min(doc.len())]
            );
        }
        // Through `from_json`, a declined document reads as serde reads it: the escaped key is the same key, the
        // rest are refused with serde's message.
        assert!(Matrix::from_json(&declined[0]).is_ok());
        assert!(
            Matrix::from_json(&declined[1])
                .unwrap_err()
                .contains("duplicate field `paths`")
        );
        assert!(
            Matrix::from_json(&declined[4])
                .unwrap_err()
                .contains("missing field `names`")
        );
        assert!(
            Matrix::from_json(&declined[2])
                .unwrap_err()
                .contains("trailing characters")
        );
    }

    /// Review findings on the compact reader: an entry without rows does not decide how segments split; a call of
    /// too many segments is not found without building everything; operations cannot hold unbounded path text;
    /// scope requirements read as serde's derive read them.
    #[test]
    fn compact_edge_cases() {
        let head = format!(
            "{{\"format\":\"{COMPACT_FORMAT}\",\"platform\":{{\"id\":\"t\",\"name\":\"T\"}},\"names\":[\"a\"],\"permReqs\":[],"
        );
        let doc = format!(
            "{head}\"scopeReqs\":[\"unknown\"],\"paths\":[[0,\"/a:/b\",[]],[0,\"/x/{{p}}/{{q}}\",[[\"GET\",0,-1,-1,0]]]]}}"
        );
        let m = Matrix::from_json(&doc).unwrap();
        let whole = Matrix::new(m.platform.clone(), m.operations().to_vec());
        let fresh = Matrix::from_json(&doc).unwrap();
        for path in ["/x/a:/b/c", "/x/a:/b", "/x/1/2"] {
            assert_eq!(
                found(&fresh.lookup("GET", path)),
                found(&whole.lookup("GET", path)),
                "{path}"
            );
        }
        let long = "/s".repeat(65);
        let fresh = Matrix::from_json(&doc).unwrap();
        assert!(found(&fresh.lookup("GET", &long)).is_none());
        assert!(fresh.operations.0.get().is_none());
        // 2,000 rows of one 20 KB path would hold 40 MB of path text.
        let rows = vec!["[\"GET\",0,-1,-1,0]"; 2000].join(",");
        let doc = format!(
            "{head}\"scopeReqs\":[\"unknown\"],\"paths\":[[0,\"/{}\",[{rows}]]]}}",
            "p".repeat(20_000)
        );
        let err = Matrix::from_json(&doc).unwrap_err();
        assert!(err.contains("spell out more than"), "{err}");
        // Scope requirements: an object (other members ignored), an array, and what is refused.
        let scopes = |reqs: &str| {
            Matrix::from_json(&format!(
                "{head}\"scopeReqs\":{reqs},\"paths\":[[0,\"/a\",[[\"GET\",0,-1,-1,0]]]]}}"
            ))
            .map(|m| {
                m.operations()
                    .first()
                    .map(|o| (o.scopes.clone(), o.least_privileged))
            })
        };
        let any_a = Some((
            ScopeRequirement::AnyOf(vec![vec!["a".to_string()]].into()),
            1,
        ));
        assert_eq!(
            scopes("[{\"anyOf\":[[0]],\"least\":1,\"x\":2}]"),
            Ok(any_a.clone())
        );
        assert_eq!(scopes("[[[[0]],1]]"), Ok(any_a));
        assert_eq!(
            scopes("[\"public\"]"),
            Ok(Some((ScopeRequirement::Public, 0)))
        );
        for bad in [
            "[{\"anyOf\":[[0]],\"anyOf\":[[0]]}]",
            "[{\"least\":1}]",
            "[[[[0]],1,2]]",
            "[\"x\"]",
            "[{\"anyOf\":[[1]]}]",
        ] {
            assert!(scopes(bad).is_err(), "{bad}");
        }
    }

    /// After the platform's case rule changes, `reindex` sorts a compact matrix's operations into branches again.
    #[test]
    fn reindex_sorts_deferred_branches_again() {
        let mut m = Matrix::from_json(&compact(
            false,
            &[("GET", "/Items/{id}"), ("GET", "/items")],
        ))
        .unwrap();
        assert!(found(&m.lookup("GET", "/ITEMS/5")).is_none());
        m.platform.case_insensitive = true;
        m.reindex();
        let (_, path, params) = found(&m.lookup("GET", "/ITEMS/5")).unwrap();
        assert_eq!(
            (path, params),
            ("/Items/{id}", vec![("id".to_string(), "5".to_string())])
        );
        assert_eq!(
            found(&m.lookup("get", "/iTeMs")).map(|f| f.1),
            Some("/items")
        );
    }

    /// A node with more than `WIDE` literal or mixed children, added in reverse order, is indexed as one whose
    /// children come in order: the same children, found the same way (literal, then mixed, then `{param}`).
    #[test]
    fn wide_nodes_index_as_narrow_ones() {
        let mut ops: Vec<(String, String)> = Vec::new();
        for i in (0..100).rev() {
            ops.push(("GET".into(), format!("/a/k{i:03}")));
            ops.push(("GET".into(), format!("/a/m{i:03}({{x}})")));
        }
        // Under case folding, `{Id}` and `{id}` are two parameters of two mixed segments, as before.
        ops.push(("GET".into(), "/a/q({Id})".into()));
        ops.push(("PUT".into(), "/a/q({id})".into()));
        ops.push(("GET".into(), "/a/{other}".into()));
        let list: Vec<(&str, &str)> = ops.iter().map(|(m, p)| (m.as_str(), p.as_str())).collect();
        for ci in [false, true] {
            let mx = m(ci, &[], &list);
            let index = mx.index();
            let a = index.nodes.get(1).unwrap();
            assert_eq!(a.lits.len(), 100);
            assert!(a.lits.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
            assert_eq!(a.mixed.len(), 102);
            for i in [0, 7, 99] {
                assert_eq!(
                    found(&mx.lookup("GET", &format!("/a/k{i:03}"))).unwrap().1,
                    format!("/a/k{i:03}")
                );
                let (_, path, params) =
                    found(&mx.lookup("GET", &format!("/a/m{i:03}(v)"))).unwrap();
                assert_eq!(
                    (path, params),
                    (
                        format!("/a/m{i:03}({{x}})").as_str(),
                        vec![("x".into(), "v".into())]
                    )
                );
            }
            assert_eq!(found(&mx.lookup("PUT", "/a/q(1)")).unwrap().1, "/a/q({id})");
            assert_eq!(found(&mx.lookup("GET", "/a/q(1)")).unwrap().1, "/a/q({Id})");
            assert_eq!(found(&mx.lookup("GET", "/a/zzz")).unwrap().1, "/a/{other}");
        }
    }

    /// The index reuses the previous path's walk for the segments both start with: the trie is the one a walk of
    /// every path from the root builds (same nodes, ids and order), for the built-ins and for paths that share,
    /// then leave, a prefix, with literal, mixed and `{param}` segments and drive paths.
    #[test]
    fn reusing_the_previous_walk_builds_the_same_trie() {
        fn from_the_root(ops: &[Operation], colon: bool, ci: bool) -> Vec<Node> {
            let mut nodes = vec![Node::default()];
            let (mut key, mut wide) = (String::new(), Wide::default());
            for (i, op) in ops.iter().enumerate() {
                let path = op.path.as_str();
                let node = segments(path, colon).iter().fold(0, |node, &(a, b)| {
                    let segment = Segment::of(&path[a..b], ci);
                    child(&mut nodes, node, segment, ci, &mut key, &mut wide)
                });
                nodes[node].ops.push(i as u32);
            }
            wide.finish(&mut nodes);
            for n in &mut nodes {
                n.order_mixed();
            }
            nodes
        }
        let mut sets: Vec<(Vec<Operation>, bool)> = Vec::new();
        for text in [
            include_str!("../www/matrices/microsoft-graph.json"),
            include_str!("../www/matrices/genesys-cloud.json"),
        ] {
            let m = Matrix::from_json(text).unwrap();
            sets.push((m.operations().to_vec(), m.platform.case_insensitive));
        }
        let paths = [
            "/a/b/c",
            "/a/b/c",
            "/a/b/d",
            "/a/{x}/c",
            "/a/b",
            "/a",
            "/A/b/c",
            "/a/b/c/d/e",
            "/a/f({v})/c",
            "/a/F({v})/c",
            "/",
            "/d/root:/x/y:/z",
            "/d/root:/x/q:/z",
            "/a/b/c",
            "//a//b",
        ];
        sets.push((paths.iter().map(|p| op("GET", p)).collect(), false));
        sets.push((paths.iter().rev().map(|p| op("GET", p)).collect(), true));
        for (ops, ci) in &sets {
            let colon = has_colon_segments(ops);
            let index = Index::build(ops, colon, *ci);
            let reference = from_the_root(ops, colon, *ci);
            assert_eq!(format!("{:?}", index.nodes), format!("{reference:?}"));
        }
    }

    #[test]
    fn replaced_operations_are_indexed_anew() {
        let mut mx = m(false, &[], &[("GET", "/a")]);
        assert!(found(&mx.lookup("GET", "/b")).is_none());
        mx.set_operations(vec![op("GET", "/a"), op("GET", "/b")]);
        assert!(found(&mx.lookup("GET", "/b")).is_some());
        mx.reindex();
        assert!(found(&mx.lookup("GET", "/b")).is_some());
    }
}
