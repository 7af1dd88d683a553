//! Imports a user-supplied matrix: OpenAPI 3.0 / 3.1 or Swagger 2.0 (JSON or YAML), or the project's own format.
//!
//! What is read (README, "Matrices: built-ins and bring your own OpenAPI"):
//! - operations under `paths` (path items may be `$ref`s), with their `security` (or the document's `security`
//!   as the default; `security: []` = public; `{}` among the alternatives = optional);
//! - OAuth 2 / OpenID Connect schemes from `securityDefinitions` (2.0) or `components.securitySchemes` (3.x):
//!   their scopes make the scope catalog; `http` bearer schemes count as token schemes; API-key and basic
//!   alternatives are not satisfiable by a bearer token and are left out;
//! - `host` + `basePath` (2.0) or `servers` (3.x, variables filled with their defaults and enums) as hosts and
//!   base paths; path- or operation-level `servers` prefix the operation's path;
//! - the vendor extension `x-inin-requires-permissions` (`{type: ANY|ALL, permissions: [...]}`).
//!
//! A broken document yields [`ImportProblem`]s with JSON pointers, and whatever is usable is still imported.
//! Every `$ref` of the document is checked (missing targets, chains of references that loop, external files that
//! are not followed). Nothing recurses deeper than [`crate::limits::MAX_JSON_DEPTH`], and documents larger than
//! [`crate::limits::MAX_MATRIX_BYTES`] are refused.

use crate::limits::{MAX_JSON_DEPTH, MAX_MATRIX_BYTES};
use crate::matrix::{
    Alternatives, Matrix, Operation, OtherCredentials, PermissionMode, PermissionRequirement,
    PlatformInfo, Provenance, ScopeRequirement, UserContext,
};
use outline::{Found, Outline};
use paths::{At, Paths, Seg};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

mod outline;
mod paths;

/// The most problems listed; the rest are counted in a last problem.
const MAX_PROBLEMS: usize = 200;
/// The most characters of a problem's JSON pointer; a longer one is clipped (ending in `…`).
const MAX_POINTER_CHARS: usize = 500;
/// The longest summary kept for an operation, in characters.
const MAX_SUMMARY_CHARS: usize = 200;
/// The most URLs one server gives (its variables' values combined).
const MAX_SERVER_URLS: usize = 64;
/// The most bytes of URLs one server's variables are filled into (or the length of its URL, if longer).
const MAX_SERVER_URL_BYTES: usize = 128 * 1024;
/// The most kinds of other credentials named in an operation's note.
const MAX_KINDS_NAMED: usize = 8;
/// The most `$ref` hops followed from one reference.
const MAX_REF_HOPS: usize = 64;
/// The HTTP methods of a path item.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A problem found in a document, with a JSON pointer to where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportProblem {
    /// JSON pointer (`/paths/~1users/get/security`), or empty for the whole document.
    pub pointer: String,
    /// What is wrong, in plain words.
    pub message: String,
    /// True when nothing could be imported.
    pub fatal: bool,
}

/// The result of an import: whatever could be used, and every problem met.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Imported {
    /// The usable operations (None when nothing could be read).
    pub matrix: Option<Matrix>,
    /// Problems, each with where it is.
    pub problems: Vec<ImportProblem>,
    /// What the document was: `swagger 2.0 (json)`, `openapi 3.1 (yaml)`, `token-doctor matrix`.
    pub format: String,
}

/// Imports a document given as text. Never fails: problems are reported, usable parts are kept.
pub fn import(text: &str) -> Imported {
    import_with(text, true)
}

/// [`import`] without the outline: a JSON document is read as a whole `Value` tree. The same result as
/// [`import`] (the fuzz target `openapi_import` and the unit tests compare the two); kept for that comparison.
#[doc(hidden)]
pub fn import_whole_tree(text: &str) -> Imported {
    import_with(text, false)
}

fn import_with(text: &str, use_outline: bool) -> Imported {
    let mut problems = Problems::default();
    if text.len() > MAX_MATRIX_BYTES {
        problems.fatal(
            "",
            format!(
                "The document is {} bytes; Token Doctor reads documents of at most {} bytes.",
                text.len(),
                MAX_MATRIX_BYTES
            ),
        );
        return problems.finish(None, "unknown".into());
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        let (v, yaml_problems) = yaml::read(text);
        problems.absorb(yaml_problems);
        return match v {
            Some(doc) => import_tree(text, &doc, Lookup::Tree(&doc), "yaml", problems)
                .unwrap_or_else(|p| p.finish(None, "unknown (yaml)".into())),
            None => {
                if problems.list.is_empty() {
                    problems.fatal("", "The document is empty.");
                }
                problems.finish(None, "unknown (yaml)".into())
            }
        };
    }
    let not_json = |problems: &mut Problems, e: serde_json::Error| {
        problems.fatal(
            "",
            format!(
                "The document is not valid JSON: {} (line {}, column {}).",
                crate::json::error_kind(&e),
                e.line(),
                e.column()
            ),
        );
    };
    // The outline keeps what the importer reads; only when it cannot answer for a reference is the whole tree read.
    let outlined = if use_outline {
        let outline = match outline::Outline::read(text) {
            Ok(o) => o,
            Err(e) => {
                not_json(&mut problems, e);
                return problems.finish(None, "unknown (json)".into());
            }
        };
        import_tree(
            text,
            &outline.doc,
            Lookup::Outline(&outline),
            "json",
            problems,
        )
    } else {
        Err(problems)
    };
    match outlined {
        Ok(done) => done,
        Err(_) => {
            let mut problems = Problems::default();
            match serde_json::from_str::<Value>(text) {
                Ok(doc) => import_tree(text, &doc, Lookup::Tree(&doc), "json", problems)
                    .unwrap_or_else(|p| p.finish(None, "unknown (json)".into())),
                Err(e) => {
                    not_json(&mut problems, e);
                    problems.finish(None, "unknown (json)".into())
                }
            }
        }
    }
}

/// Imports a parsed document (`doc`, with `look` to follow its references). Err when the outline could not
/// answer for a reference and the whole tree must be read (never with [`Lookup::Tree`]).
fn import_tree(
    text: &str,
    doc: &Value,
    look: Lookup<'_>,
    syntax: &str,
    mut problems: Problems,
) -> Result<Imported, Problems> {
    let Some(obj) = doc.as_object() else {
        problems.fatal(
            "",
            format!(
                "The document is {}, not an object with `openapi`, `swagger` or a Token Doctor matrix.",
                crate::json::type_name(doc)
            ),
        );
        return Ok(problems.finish(None, format!("unknown ({syntax})")));
    };
    if obj.contains_key("operations") || obj.contains_key("format") {
        let json_text;
        let source = if syntax == "json" {
            text
        } else {
            json_text = doc.to_string();
            json_text.as_str()
        };
        return Ok(match Matrix::from_json(source) {
            Ok(mut m) => {
                // A user-supplied matrix never passes for a built-in platform.
                if m.platform.id != "custom" {
                    let declared = format!(
                        "the document declares the platform id `{}`",
                        crate::json::clip(&m.platform.id, 40)
                    );
                    m.platform.provenance.sources.push(declared);
                    m.platform.id = "custom".into();
                }
                problems.finish(Some(m), "token-doctor matrix".into())
            }
            Err(e) => {
                problems.fatal("", e);
                problems.finish(None, format!("token-doctor matrix ({syntax}), unreadable"))
            }
        });
    }
    let version = if let Some(v) = obj.get("swagger") {
        match v.as_str() {
            Some("2.0") => Version::Swagger2,
            _ => {
                problems.warn(
                    "/swagger",
                    format!("`swagger` is {}; read as Swagger 2.0.", short(v)),
                );
                Version::Swagger2
            }
        }
    } else if let Some(v) = obj.get("openapi") {
        match v.as_str() {
            Some(s) if s.starts_with("3.0") => Version::OpenApi30,
            Some(s) if s.starts_with("3.1") => Version::OpenApi31,
            _ => {
                problems.warn(
                    "/openapi",
                    format!("`openapi` is {}; read as OpenAPI 3.1.", short(v)),
                );
                Version::OpenApi31
            }
        }
    } else {
        problems.fatal(
            "",
            "The document has neither `openapi` (OpenAPI 3.x) nor `swagger` (Swagger 2.0) at its top level, and is not a Token Doctor matrix.",
        );
        return Ok(problems.finish(None, format!("unknown ({syntax})")));
    };
    let format = format!("{} ({syntax})", version.name());
    let run = Importer {
        doc,
        look,
        version,
        problems: &mut problems,
        unanswered: false,
        chains: Chains::default(),
    }
    .run();
    match run {
        Ok(matrix) => Ok(problems.finish(matrix, format)),
        Err(Unanswered) => Err(problems),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Version {
    Swagger2,
    OpenApi30,
    OpenApi31,
}

impl Version {
    fn name(self) -> &'static str {
        match self {
            Version::Swagger2 => "swagger 2.0",
            Version::OpenApi30 => "openapi 3.0",
            Version::OpenApi31 => "openapi 3.1",
        }
    }
}

/// The problems met, capped at `MAX_PROBLEMS`.
#[derive(Default)]
struct Problems {
    list: Vec<ImportProblem>,
    omitted: usize,
    /// Where a syntax error stopped the read (a JSON pointer): what encloses it was read in part.
    cut_at: Option<String>,
}

impl Problems {
    fn push(&mut self, pointer: &str, message: impl Into<String>, fatal: bool) {
        if self.list.len() >= MAX_PROBLEMS && !fatal {
            self.omitted = self.omitted.saturating_add(1);
            return;
        }
        self.list.push(ImportProblem {
            pointer: crate::json::clip(pointer, MAX_POINTER_CHARS),
            message: message.into(),
            fatal,
        });
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(pointer, message, false);
    }

    fn fatal(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(pointer, message, true);
    }

    /// Whether a problem that is not fatal would only be counted.
    fn full(&self) -> bool {
        self.list.len() >= MAX_PROBLEMS
    }

    /// Adds the problems of `more` (listed or counted) after these.
    /// Reports again the `count` problems of a step done before, of which `listed` were listed then (the rest
    /// were counted: the list was full, and it still is).
    fn replay(&mut self, listed: &[ImportProblem], count: usize) {
        if !self.full() {
            for p in listed {
                self.push(&p.pointer, p.message.clone(), p.fatal);
            }
        } else {
            self.omitted = self.omitted.saturating_add(listed.len());
        }
        self.omitted = self
            .omitted
            .saturating_add(count.saturating_sub(listed.len()));
    }

    fn absorb(&mut self, more: Problems) {
        for p in more.list {
            self.push(&p.pointer, p.message, p.fatal);
        }
        self.omitted = self.omitted.saturating_add(more.omitted);
        self.cut_at = self.cut_at.take().or(more.cut_at);
    }

    fn finish(mut self, matrix: Option<Matrix>, format: String) -> Imported {
        if self.omitted > 0 {
            self.list.push(ImportProblem {
                pointer: String::new(),
                message: format!("{} more problems are not listed.", self.omitted),
                fatal: false,
            });
        }
        Imported {
            matrix,
            problems: self.list,
            format,
        }
    }
}

/// Appends one reference token to a JSON pointer (RFC 6901 escaping).
fn ptr(base: &str, token: &str) -> String {
    let mut p = String::with_capacity(base.len().saturating_add(token.len()).saturating_add(8));
    p.push_str(base);
    p.push('/');
    paths::escape_into(&mut p, token);
    p
}

/// "`what` must be `expected`, not <type of value>`then`".
fn wrong(what: &str, expected: &str, value: &Value, then: &str) -> String {
    format!(
        "{what} must be {expected}, not {}{then}",
        crate::json::type_name(value)
    )
}

fn short(v: &Value) -> String {
    crate::json::clip(&v.to_string(), 60)
}

/// What kind of credential a security scheme takes.
#[derive(Debug, Clone, PartialEq)]
enum SchemeKind {
    /// OAuth 2 or OpenID Connect: scopes are checked.
    OAuth,
    /// HTTP bearer: a token, listed "scopes" (3.1 roles) are checked like scopes.
    Bearer,
    /// API key, basic, mutual TLS: a bearer token does not satisfy it.
    Other(String),
}

#[derive(Debug, Clone)]
struct Scheme {
    kind: SchemeKind,
    scopes: Vec<String>,
    /// Genesys' 2018 document declares one scope, `all` ("All the scopes"), and asks it of every operation: a
    /// placeholder, not a Genesys scope. Requirements naming only it are unknown.
    placeholder: bool,
}

/// One operation's security as read from the document.
#[derive(Clone)]
enum Security {
    /// Not declared anywhere.
    Undeclared,
    /// Declared but unreadable (problems were reported).
    Broken,
    /// Declared with a placeholder scope only (Genesys' 2018 `all`): unknown, said once for the document.
    Placeholder,
    /// `[]`: public.
    Public,
    /// Alternatives usable by a bearer token (may be empty when only other credentials are accepted).
    AnyOf {
        alternatives: Alternatives,
        /// Kinds of credentials of alternatives a bearer token cannot satisfy ("API key or HTTP basic"), if any.
        other: Option<String>,
        /// Kinds of credentials a requirement names beside a token (both needed), if any, and whether every
        /// alternative a token can meet needs them (else some alternative takes the token alone).
        also: Option<(String, bool)>,
    },
}

/// The document's default `security`, read for the first operation that uses it: what it gave, and the problems
/// reading it reported (those listed, and how many in all), reported again for each operation as before.
struct DefaultSecurity {
    security: Security,
    problems: Vec<ImportProblem>,
    count: usize,
    genesys_any_of: bool,
}

/// "A or B" of the kinds of other credentials: the first [`MAX_KINDS_NAMED`], then how many more.
fn kinds(other: &BTreeSet<String>) -> Option<String> {
    if other.is_empty() {
        return None;
    }
    let named: Vec<&str> = other
        .iter()
        .take(MAX_KINDS_NAMED)
        .map(String::as_str)
        .collect();
    let more = other.len().saturating_sub(MAX_KINDS_NAMED);
    Some(if more > 0 {
        format!("{} ({more} more kinds)", named.join(" or "))
    } else {
        named.join(" or ")
    })
}

struct Importer<'a, 'p> {
    /// The document (or its outline's kept parts).
    doc: &'a Value,
    /// Where references are followed.
    look: Lookup<'a>,
    version: Version,
    problems: &'p mut Problems,
    /// Set when the outline could not answer for a reference.
    unanswered: bool,
    /// Where the references from each pointer lead, read once.
    chains: Chains,
}

/// The outline could not answer for a reference: the whole tree must be read.
struct Unanswered;

/// Where references are looked up: the whole tree, or an outline of it.
#[derive(Clone, Copy)]
enum Lookup<'a> {
    Tree(&'a Value),
    Outline(&'a Outline<'a>),
}

impl<'a> Lookup<'a> {
    fn find(self, pointer: &str) -> Found<'a> {
        match self {
            Lookup::Tree(doc) => doc.pointer(pointer).map_or(Found::Missing, Found::Kept),
            Lookup::Outline(o) => o.find(pointer),
        }
    }
}

impl<'a> Importer<'a, '_> {
    fn run(mut self) -> Result<Option<Matrix>, Unanswered> {
        self.check_refs();
        let schemes = self.schemes();
        let default_security = self
            .doc
            .get("security")
            .map(|s| (s, "/security".to_string()));
        let (hosts, base_paths) = self.servers();
        let base_set: HashSet<&str> = base_paths.iter().map(String::as_str).collect();
        let mut catalog: BTreeSet<String> = BTreeSet::new();
        for s in schemes.values().filter(|s| !s.placeholder) {
            catalog.extend(s.scopes.iter().cloned());
        }
        let mut operations: Vec<Operation> = Vec::new();
        let mut default_read: Option<DefaultSecurity> = None;
        let mut undeclared = 0usize;
        let mut genesys_any_of = false;
        match self.doc.get("paths") {
            None => self.problems.warn("", "The document has no `paths`."),
            Some(Value::Object(paths)) => {
                for (path, item) in paths {
                    let item_ptr = ptr("/paths", path);
                    if !path.starts_with('/') {
                        self.problems.warn(
                            &item_ptr,
                            format!(
                                "The path `{}` does not start with `/`; it is skipped.",
                                crate::json::clip(path, 80)
                            ),
                        );
                        continue;
                    }
                    let Some((item, _)) = self.resolve(item, &item_ptr) else {
                        continue;
                    };
                    let Some(item) = item.as_object() else {
                        self.problems.warn(
                            &item_ptr,
                            wrong("A path item", "an object", item, "; it is skipped."),
                        );
                        continue;
                    };
                    let item_prefix = self.local_servers(item.get("servers"), &item_ptr, &base_set);
                    // One operation per method: its lowercase spelling, else the first in another case.
                    let mut spelled: HashSet<String> = HashSet::new();
                    for (method, op) in item {
                        let lower = method.to_ascii_lowercase();
                        if !METHODS.contains(&lower.as_str()) {
                            continue;
                        }
                        if *method != lower
                            && (item.contains_key(&lower) || spelled.contains(&lower))
                        {
                            let message = format!(
                                "`{}` is the method `{lower}` again, in another case; only one is read.",
                                crate::json::clip(method, 20)
                            );
                            if self.problems.full() {
                                self.problems.warn("", message);
                            } else {
                                self.problems.warn(&ptr(&item_ptr, method), message);
                            }
                            continue;
                        }
                        spelled.insert(lower.clone());
                        let op_ptr = ptr(&item_ptr, method);
                        let Some(op) = op.as_object() else {
                            self.problems.warn(
                                &op_ptr,
                                wrong("An operation", "an object", op, "; it is skipped."),
                            );
                            continue;
                        };
                        let prefix = self
                            .local_servers(op.get("servers"), &op_ptr, &base_set)
                            .or_else(|| item_prefix.clone());
                        let full = match &prefix {
                            Some(p) => format!("{}{}", p.trim_end_matches('/'), path),
                            None => path.clone(),
                        };
                        let mut operation = Operation::new(&lower, &full);
                        operation.own_base_path = prefix.is_some();
                        operation.summary = op
                            .get("summary")
                            .or_else(|| op.get("operationId"))
                            .and_then(Value::as_str)
                            .map(|s| crate::json::clip(s.trim(), MAX_SUMMARY_CHARS));
                        // An operation a YAML error cut before its `security`: unknown, not the default.
                        let cut = op.get("security").is_none()
                            && self.problems.cut_at.as_deref().is_some_and(|at| {
                                at.strip_prefix(op_ptr.as_str())
                                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                            });
                        if cut {
                            self.problems.warn(
                                &op_ptr,
                                "The document's syntax error cut this operation before its `security`: its requirements are unknown (the document's default is not assumed).",
                            );
                            operation.notes.push("The document's syntax error cut this operation before its `security`: its scope requirements are unknown.".into());
                        }
                        let security = match op.get("security") {
                            _ if cut => Security::Broken,
                            Some(s) => self.security(
                                s,
                                &ptr(&op_ptr, "security"),
                                &schemes,
                                &mut genesys_any_of,
                            ),
                            None => match &default_security {
                                Some((s, p)) => self.default_security(
                                    s,
                                    p,
                                    &schemes,
                                    &mut genesys_any_of,
                                    &mut default_read,
                                ),
                                None => Security::Undeclared,
                            },
                        };
                        match security {
                            Security::Undeclared => {
                                undeclared = undeclared.saturating_add(1);
                            }
                            Security::Broken | Security::Placeholder => {}
                            Security::Public => operation.scopes = ScopeRequirement::Public,
                            Security::AnyOf {
                                alternatives,
                                other,
                                also,
                            } => match other {
                                Some(other) if alternatives.is_empty() => {
                                    operation.notes.push(format!(
                                        "This operation accepts {other} credentials, not an OAuth bearer token."
                                    ));
                                    operation.credentials = Some(OtherCredentials {
                                        kinds: other,
                                        instead: true,
                                    });
                                }
                                other => {
                                    if let Some(other) = other {
                                        operation.notes.push(format!(
                                            "It also accepts {other} credentials instead of a token."
                                        ));
                                    }
                                    match also {
                                        Some((also, true)) => {
                                            operation.notes.push(format!(
                                                "Besides the token, it needs {also} credentials (the document's security requirement names both)."
                                            ));
                                            operation.credentials = Some(OtherCredentials {
                                                kinds: also,
                                                instead: false,
                                            });
                                        }
                                        // Another alternative takes the token alone: which one the API applies
                                        // depends on the token's scopes, so it is said, not checked.
                                        Some((also, false)) => operation.notes.push(format!(
                                            "Some of its security alternatives need {also} credentials besides the token; another takes the token alone."
                                        )),
                                        None => {}
                                    }
                                    operation.scopes = ScopeRequirement::AnyOf(alternatives);
                                }
                            },
                        }
                        if let Some(p) = op.get("x-inin-requires-permissions") {
                            operation.permissions =
                                self.permissions(p, &ptr(&op_ptr, "x-inin-requires-permissions"));
                        }
                        let text = [op.get("description"), op.get("summary")]
                            .iter()
                            .flatten()
                            .filter_map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
                            .to_ascii_lowercase();
                        if text.contains("not valid when using the client credentials") {
                            operation.user_context = UserContext::Required;
                            operation.notes.push(
                                "The document says this request is not valid with the Client Credentials grant."
                                    .into(),
                            );
                        }
                        if op.get("deprecated").and_then(Value::as_bool) == Some(true) {
                            operation
                                .notes
                                .push("The document marks this operation as deprecated.".into());
                        }
                        operations.push(operation);
                    }
                }
            }
            Some(other) => self
                .problems
                .warn("/paths", wrong("`paths`", "an object", other, ".")),
        }
        if undeclared > 0 {
            self.problems.warn(
                "",
                format!(
                    "{undeclared} operations declare no `security` (and there is no document-level default): their scope requirements are unknown."
                ),
            );
        }
        if operations.is_empty() {
            self.problems
                .fatal("/paths", "No usable operation was found in the document.");
            return self.done(None);
        }
        let info = self.doc.get("info");
        let title = info
            .and_then(|i| i.get("title"))
            .and_then(Value::as_str)
            .map(|s| crate::json::clip(s.trim(), 80))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Custom API".into());
        let api_version = info
            .and_then(|i| i.get("version"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let mut sources = vec![format!(
            "user-supplied {} document: {title}{}",
            self.version.name(),
            if api_version.is_empty() {
                String::new()
            } else {
                format!(" (version {})", crate::json::clip(api_version, 40))
            }
        )];
        if schemes.values().any(|s| s.placeholder) {
            sources.push(
                "the Genesys document's only scope, `all` (\"All the scopes\"), is a placeholder, not a Genesys scope: the operations' scope requirements are unknown (their permissions are read)"
                    .into(),
            );
        }
        if genesys_any_of {
            sources.push(
                "scopes of the Genesys `PureCloud OAuth` scheme are read as alternatives (any one listed scope is enough), as Genesys documents"
                    .into(),
            );
        }
        let mut guidance = BTreeMap::new();
        guidance.insert(
            "scope".to_string(),
            "Add the scope to the client's authorization request (and to the client's allowed scopes at the authorization server), then authorize again: a token keeps the scopes it was issued with, and a refresh never adds scopes.".to_string(),
        );
        let platform = PlatformInfo {
            id: "custom".into(),
            name: title,
            hosts,
            base_paths,
            scope_catalog: catalog.into_iter().collect(),
            guidance,
            provenance: Provenance {
                sources,
                generated: None,
            },
            ..Default::default()
        };
        self.done(Some(Matrix::new(platform, operations)))
    }

    /// The result of [`Importer::run`], unless the outline could not answer for a reference.
    fn done(&self, matrix: Option<Matrix>) -> Result<Option<Matrix>, Unanswered> {
        if self.unanswered {
            Err(Unanswered)
        } else {
            Ok(matrix)
        }
    }

    /// Resolves a `$ref` chain starting at `value` (found at `at`); problems are reported at `at`.
    fn resolve(&mut self, value: &'a Value, at: &str) -> Option<(&'a Value, String)> {
        match follow_chains(self.look, &mut self.chains, Found::Kept(value)) {
            Ok((Found::Kept(v), p)) => Some((v, p.unwrap_or_else(|| at.to_string()))),
            // The target's content was left out of the outline.
            Ok(_) | Err(RefError::Unanswered) => {
                self.unanswered = true;
                None
            }
            Err(e) => {
                self.problems
                    .warn(at, format!("{e}; this part is skipped."));
                None
            }
        }
    }

    /// Reports every broken `$ref` of the document once, at its first place, in the order of their pointers
    /// (those past the problems listed are only counted, and their pointers never spelled whole).
    fn check_refs(&mut self) {
        let mut tree_paths = Paths::default();
        let mut collected: HashMap<&'a str, (At, usize)> = HashMap::new();
        let (uses, paths): (Vec<(&'a str, At, usize)>, &Paths<'_>) = match self.look {
            Lookup::Tree(doc) => {
                collect_refs(doc, &mut tree_paths, &mut collected, 0);
                let uses = collected
                    .iter()
                    .map(|(r, (first, count))| (*r, *first, *count))
                    .collect();
                (uses, &tree_paths)
            }
            Lookup::Outline(o) => (
                o.refs
                    .iter()
                    .map(|(r, (first, count))| (r.as_ref(), *first, *count))
                    .collect(),
                &o.paths,
            ),
        };
        // The first problems in order (pointer, message, count; the reference itself breaks ties).
        let room = MAX_PROBLEMS.saturating_sub(self.problems.list.len());
        let mut listed: Vec<(String, String, usize, &str)> = Vec::new();
        let mut omitted = 0usize;
        for (r, first, count) in uses {
            match follow_chains(self.look, &mut self.chains, Found::DroppedRef(r)) {
                Ok(_) => {}
                Err(RefError::Unanswered) => self.unanswered = true,
                Err(e) => {
                    let pointer = paths.pointer(first);
                    if listed.len() >= room && listed.last().is_none_or(|last| last.0 < pointer) {
                        // After every problem listed.
                        omitted = omitted.saturating_add(1);
                        continue;
                    }
                    let bad = (pointer, e.to_string(), count, r);
                    let at = listed.partition_point(|x| *x < bad);
                    if at < room {
                        if listed.len() >= room {
                            listed.pop();
                            omitted = omitted.saturating_add(1);
                        }
                        listed.insert(at, bad);
                    } else {
                        omitted = omitted.saturating_add(1);
                    }
                }
            }
        }
        for (at, message, count, _) in listed {
            let more = if count > 1 {
                format!(" (used in {count} places)")
            } else {
                String::new()
            };
            self.problems.warn(&at, format!("{message}{more}."));
        }
        self.problems.omitted = self.problems.omitted.saturating_add(omitted);
    }

    /// The security schemes by name.
    fn schemes(&mut self) -> BTreeMap<String, Scheme> {
        let (at, defs) = match self.version {
            Version::Swagger2 => (
                "/securityDefinitions".to_string(),
                self.doc.get("securityDefinitions"),
            ),
            _ => (
                "/components/securitySchemes".to_string(),
                self.doc
                    .get("components")
                    .and_then(|c| c.get("securitySchemes")),
            ),
        };
        let mut out = BTreeMap::new();
        let Some(defs) = defs else {
            return out;
        };
        let Some(defs) = defs.as_object() else {
            self.problems
                .warn(&at, wrong("Security schemes", "an object", defs, "."));
            return out;
        };
        for (name, def) in defs {
            let def_ptr = ptr(&at, name);
            let Some((def, _)) = self.resolve(def, &def_ptr) else {
                continue;
            };
            let Some(kind) = def.get("type").and_then(Value::as_str) else {
                self.problems.warn(
                    &def_ptr,
                    "The security scheme has no `type`; it is skipped.",
                );
                continue;
            };
            let mut scopes: Vec<String> = Vec::new();
            let kind = match kind {
                "oauth2" => {
                    let mut scope_maps: Vec<(&Value, String)> = Vec::new();
                    match self.version {
                        Version::Swagger2 => {
                            if let Some(s) = def.get("scopes") {
                                scope_maps.push((s, ptr(&def_ptr, "scopes")));
                            }
                        }
                        _ => match def.get("flows") {
                            Some(Value::Object(flows)) => {
                                for (flow, f) in flows {
                                    if let Some(s) = f.get("scopes") {
                                        scope_maps.push((
                                            s,
                                            ptr(&ptr(&ptr(&def_ptr, "flows"), flow), "scopes"),
                                        ));
                                    }
                                }
                            }
                            Some(other) => self.problems.warn(
                                &ptr(&def_ptr, "flows"),
                                wrong("`flows`", "an object", other, "."),
                            ),
                            None => self
                                .problems
                                .warn(&def_ptr, "The OAuth 2 scheme has no `flows`."),
                        },
                    }
                    for (s, p) in scope_maps {
                        match s.as_object() {
                            Some(m) => scopes.extend(m.keys().cloned()),
                            None => self.problems.warn(
                                &p,
                                wrong("`scopes`", "an object of scope: description", s, "."),
                            ),
                        }
                    }
                    SchemeKind::OAuth
                }
                "openIdConnect" => SchemeKind::OAuth,
                "http"
                    if def
                        .get("scheme")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.eq_ignore_ascii_case("bearer")) =>
                {
                    SchemeKind::Bearer
                }
                "http" => SchemeKind::Other(format!(
                    "HTTP {}",
                    crate::json::clip(
                        def.get("scheme")
                            .and_then(Value::as_str)
                            .unwrap_or("authentication"),
                        40
                    )
                )),
                // Where the key goes, as the API's refusal names it: "API key (the `X-Api-Key` header)".
                "apiKey" => SchemeKind::Other(
                    match (
                        def.get("name").and_then(Value::as_str),
                        def.get("in").and_then(Value::as_str),
                    ) {
                        (Some(n), Some(at)) => format!(
                            "API key (the `{}` {})",
                            crate::json::clip(n, 40),
                            match at {
                                "header" => "header",
                                "query" => "query parameter",
                                "cookie" => "cookie",
                                _ => "parameter",
                            }
                        ),
                        _ => "API key".into(),
                    },
                ),
                "basic" => SchemeKind::Other("HTTP basic".into()),
                "mutualTLS" => SchemeKind::Other("mutual TLS".into()),
                other => {
                    self.problems.warn(
                        &ptr(&def_ptr, "type"),
                        format!(
                            "Unknown security scheme type `{}`.",
                            crate::json::clip(other, 40)
                        ),
                    );
                    SchemeKind::Other(crate::json::clip(other, 40))
                }
            };
            crate::order::sort(&mut scopes);
            scopes.dedup();
            let placeholder = name.starts_with("PureCloud") && scopes == ["all"];
            out.insert(
                name.clone(),
                Scheme {
                    kind,
                    scopes,
                    placeholder,
                },
            );
        }
        out
    }

    /// Reads the document's default `security` (at `at`) for an operation: the first time as [`Importer::security`]
    /// does, then from `read`, with the same problems reported again.
    fn default_security(
        &mut self,
        value: &Value,
        at: &str,
        schemes: &BTreeMap<String, Scheme>,
        genesys_any_of: &mut bool,
        read: &mut Option<DefaultSecurity>,
    ) -> Security {
        if let Some(r) = read {
            self.problems.replay(&r.problems, r.count);
            *genesys_any_of |= r.genesys_any_of;
            return r.security.clone();
        }
        let (listed, omitted) = (self.problems.list.len(), self.problems.omitted);
        let mut genesys = false;
        let security = self.security(value, at, schemes, &mut genesys);
        let problems = self
            .problems
            .list
            .get(listed..)
            .unwrap_or_default()
            .to_vec();
        let count = problems
            .len()
            .saturating_add(self.problems.omitted.saturating_sub(omitted));
        *genesys_any_of |= genesys;
        *read = Some(DefaultSecurity {
            security: security.clone(),
            problems,
            count,
            genesys_any_of: genesys,
        });
        security
    }

    /// Reads a `security` array.
    fn security(
        &mut self,
        value: &Value,
        at: &str,
        schemes: &BTreeMap<String, Scheme>,
        genesys_any_of: &mut bool,
    ) -> Security {
        let Some(list) = value.as_array() else {
            self.problems.warn(
                at,
                wrong(
                    "`security`",
                    "an array of requirement objects",
                    value,
                    "; the requirement is unknown.",
                ),
            );
            return Security::Broken;
        };
        if list.is_empty() {
            return Security::Public;
        }
        let mut alternatives: Vec<Vec<String>> = Vec::new();
        let mut seen: HashSet<Vec<String>> = HashSet::new();
        let mut other: BTreeSet<String> = BTreeSet::new();
        let mut also: BTreeSet<String> = BTreeSet::new();
        let mut broken = false;
        let mut placeholder = false;
        let mut token_alone = false;
        for (i, req) in list.iter().enumerate() {
            let req_ptr = ptr(at, &i.to_string());
            let Some(req) = req.as_object() else {
                self.problems.warn(
                    &req_ptr,
                    wrong("A security requirement", "an object", req, "."),
                );
                broken = true;
                continue;
            };
            // Every scheme of one requirement object is needed together: a token's scopes, and any other
            // credentials beside it.
            let mut sets: Vec<Vec<String>> = vec![Vec::new()];
            let mut usable = true;
            let mut token = false;
            let mut beside: BTreeSet<String> = BTreeSet::new();
            for (name, scopes) in req {
                let s_ptr = ptr(&req_ptr, name);
                let Some(scheme) = schemes.get(name) else {
                    self.problems.warn(
                        &s_ptr,
                        format!(
                            "The security scheme `{}` is not defined; this alternative is skipped.",
                            crate::json::clip(name, 60)
                        ),
                    );
                    usable = false;
                    broken = true;
                    continue;
                };
                let Some(names) = scopes
                    .as_array()
                    .and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<&str>>>())
                else {
                    self.problems.warn(
                        &s_ptr,
                        format!("Scopes must be an array of strings, not {}; this alternative is skipped.", short(scopes)),
                    );
                    usable = false;
                    broken = true;
                    continue;
                };
                if scheme.placeholder && names.iter().all(|n| *n == "all") {
                    placeholder = true;
                    usable = false;
                    continue;
                }
                match &scheme.kind {
                    SchemeKind::Other(kind) => {
                        beside.insert(kind.clone());
                    }
                    SchemeKind::OAuth | SchemeKind::Bearer => {
                        token = true;
                        if scheme.kind == SchemeKind::OAuth && !scheme.scopes.is_empty() {
                            for n in &names {
                                // The scheme's scopes are sorted (`schemes`).
                                if scheme
                                    .scopes
                                    .binary_search_by(|s| s.as_str().cmp(n))
                                    .is_err()
                                {
                                    self.problems.warn(
                                        &s_ptr,
                                        format!(
                                            "The scope `{}` is not declared by the scheme `{}`.",
                                            crate::json::clip(n, 60),
                                            crate::json::clip(name, 60)
                                        ),
                                    );
                                }
                            }
                        }
                        if name == "PureCloud OAuth" && names.len() > 1 {
                            // Genesys lists the scopes an operation accepts; any one of them is enough.
                            *genesys_any_of = true;
                            sets = sets
                                .iter()
                                .flat_map(|set| {
                                    names.iter().map(move |n| {
                                        let mut s = set.clone();
                                        s.push((*n).to_string());
                                        s
                                    })
                                })
                                .collect();
                        } else {
                            for set in &mut sets {
                                set.extend(names.iter().map(|n| (*n).to_string()));
                            }
                        }
                    }
                }
            }
            if !beside.is_empty() {
                if token && usable {
                    also.extend(beside);
                } else {
                    other.extend(beside);
                    usable = false;
                }
            } else if token && usable {
                // This alternative takes the token alone: nothing is needed beside it.
                token_alone = true;
            }
            if usable {
                for mut set in sets {
                    crate::order::sort(&mut set);
                    set.dedup();
                    if !seen.contains(&set) {
                        seen.insert(set.clone());
                        alternatives.push(set);
                    }
                }
            }
        }
        if alternatives.is_empty() && other.is_empty() && broken {
            return Security::Broken;
        }
        if alternatives.is_empty() && other.is_empty() && placeholder {
            return Security::Placeholder;
        }
        Security::AnyOf {
            alternatives: alternatives.into(),
            other: kinds(&other),
            also: kinds(&also).map(|k| (k, !token_alone)),
        }
    }

    /// Reads `x-inin-requires-permissions`.
    fn permissions(&mut self, value: &Value, at: &str) -> Option<PermissionRequirement> {
        let Some(obj) = value.as_object() else {
            self.problems.warn(
                at,
                wrong("`x-inin-requires-permissions`", "an object", value, "."),
            );
            return None;
        };
        let mode = match obj
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("ANY") => PermissionMode::Any,
            Some("ALL") => PermissionMode::All,
            Some("NO") | Some("NONE") => {
                return Some(PermissionRequirement {
                    mode: PermissionMode::All,
                    list: Vec::new(),
                });
            }
            _ => {
                self.problems.warn(
                    &ptr(at, "type"),
                    format!(
                        "`type` must be ANY or ALL, not {}; the permissions are unknown.",
                        obj.get("type").map_or("missing".into(), short)
                    ),
                );
                return None;
            }
        };
        let list = match obj.get("permissions") {
            Some(Value::Array(items)) => {
                let mut list = Vec::new();
                for (i, p) in items.iter().enumerate() {
                    match p.as_str() {
                        Some(s) => list.push(s.to_string()),
                        None => self.problems.warn(
                            &ptr(&ptr(at, "permissions"), &i.to_string()),
                            wrong("A permission", "a string", p, "; it is skipped."),
                        ),
                    }
                }
                list
            }
            other => {
                self.problems.warn(
                    &ptr(at, "permissions"),
                    format!("`permissions` must be an array of strings, not {}; the permissions are unknown.", other.map_or("missing", crate::json::type_name)),
                );
                return None;
            }
        };
        Some(PermissionRequirement { mode, list })
    }

    /// Hosts and base paths from `host`/`basePath` (2.0) or `servers` (3.x).
    fn servers(&mut self) -> (Vec<String>, Vec<String>) {
        let mut hosts: Vec<String> = Vec::new();
        let mut bases: Vec<String> = Vec::new();
        match self.version {
            Version::Swagger2 => {
                if let Some(h) = self.doc.get("host").and_then(Value::as_str) {
                    let h = h.split(':').next().unwrap_or(h).to_ascii_lowercase();
                    if !h.is_empty() {
                        hosts.push(h);
                    }
                }
                match self.doc.get("basePath") {
                    Some(Value::String(b)) => {
                        let b = b.trim_end_matches('/');
                        if !b.is_empty() {
                            bases.push(if b.starts_with('/') {
                                b.to_string()
                            } else {
                                format!("/{b}")
                            });
                        }
                    }
                    Some(other) => self
                        .problems
                        .warn("/basePath", wrong("`basePath`", "a string", other, ".")),
                    None => {}
                }
            }
            _ => {
                // In the order of the document, each once.
                let mut seen_hosts: HashSet<String> = HashSet::new();
                let mut seen_bases: HashSet<String> = HashSet::new();
                for (url, _) in self.server_urls(self.doc.get("servers"), "/servers") {
                    let (host, path) = split_url(&url);
                    if let Some(h) = host.filter(|h| !seen_hosts.contains(h)) {
                        seen_hosts.insert(h.clone());
                        hosts.push(h);
                    }
                    if !path.is_empty() && !seen_bases.contains(&path) {
                        seen_bases.insert(path.clone());
                        bases.push(path);
                    }
                }
            }
        }
        // Longer base paths first, so `/api/v2` is tried before `/api`.
        crate::order::sort_by_key(&mut bases, |b| std::cmp::Reverse(b.len()));
        (hosts, bases)
    }

    /// The server URLs of a `servers` array, variables filled in (one URL per enum value, else the default).
    fn server_urls(&mut self, servers: Option<&Value>, at: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let Some(servers) = servers else {
            return out;
        };
        let Some(list) = servers.as_array() else {
            self.problems
                .warn(at, wrong("`servers`", "an array", servers, "."));
            return out;
        };
        for (i, s) in list.iter().enumerate() {
            let s_ptr = ptr(at, &i.to_string());
            let Some(url) = s.get("url").and_then(Value::as_str) else {
                self.problems.warn(&s_ptr, "A server needs a string `url`.");
                continue;
            };
            let urls = match s.get("variables") {
                Some(Value::Object(vars)) => {
                    let (urls, complete) = fill_server_url(url, vars);
                    if !complete {
                        self.problems.warn(
                            &ptr(&s_ptr, "variables"),
                            format!(
                                "Its values fill in more than {MAX_SERVER_URL_BYTES} bytes of URLs; {}.",
                                if urls.is_empty() {
                                    "the URL is read without them"
                                } else {
                                    "only the first URLs are read"
                                }
                            ),
                        );
                    }
                    if urls.is_empty() {
                        vec![url.to_string()]
                    } else {
                        urls
                    }
                }
                _ => vec![url.to_string()],
            };
            for u in urls {
                out.push((u, s_ptr.clone()));
            }
        }
        out
    }

    /// The path prefix of path- or operation-level `servers` (of the object at `owner`), when it differs from the
    /// document's base paths.
    fn local_servers(
        &mut self,
        servers: Option<&Value>,
        owner: &str,
        bases: &HashSet<&str>,
    ) -> Option<String> {
        let servers = servers?;
        let urls = self.server_urls(Some(servers), &ptr(owner, "servers"));
        let (_, path) = split_url(&urls.first()?.0);
        if path.is_empty() || bases.contains(path.as_str()) {
            None
        } else {
            Some(path)
        }
    }
}

/// The URLs of a server: its `url` with each `{name}` of a variable filled in, one URL per combination of the
/// variables' values (the default, then the other enum values; a variable of the host without an enum is `*`),
/// in order (the last variable varying fastest), at most [`MAX_SERVER_URLS`]. The values are not read again for
/// variables. False when the URLs would be longer than [`MAX_SERVER_URL_BYTES`] in all (or than `url`): the
/// first ones that fit are returned.
fn fill_server_url(url: &str, vars: &serde_json::Map<String, Value>) -> (Vec<String>, bool) {
    // Where each `{name}` is: a brace, a name without braces, a brace.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut from = 0usize;
    while let Some(open) = url
        .get(from..)
        .and_then(|rest| rest.find('{'))
        .map(|i| i.saturating_add(from))
    {
        let inside = open.saturating_add(1);
        match url
            .get(inside..)
            .and_then(|rest| rest.find(['{', '}']))
            .map(|i| i.saturating_add(inside))
        {
            Some(close) if url.get(close..=close) == Some("}") => {
                spans.push((open, close.saturating_add(1)));
                from = close.saturating_add(1);
            }
            Some(next) => from = next,
            None => break,
        }
    }
    let name_of = |(a, b): (usize, usize)| url.get(a.saturating_add(1)..b.saturating_sub(1));
    let host_end = url.split_once("://").map(|(scheme, rest)| {
        let start = scheme.len().saturating_add(3);
        start.saturating_add(rest.find('/').unwrap_or(rest.len()))
    });
    let in_host: HashSet<&str> = match url.find("://") {
        Some(scheme) => spans
            .iter()
            .filter(|(a, b)| *a > scheme && host_end.is_some_and(|end| *b <= end))
            .filter_map(|s| name_of(*s))
            .collect(),
        None => HashSet::new(),
    };
    // Each variable's values, in the variables' order.
    let mut values: Vec<Vec<&str>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (name, var) in vars {
        let mut v: Vec<&str> = var
            .get("enum")
            .and_then(Value::as_array)
            .map(|e| e.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(d) = var.get("default").and_then(Value::as_str) {
            if !v.contains(&d) {
                v.insert(0, d);
            }
        }
        if v.is_empty() {
            continue;
        }
        // A variable of the host without an enum (a tenant, a region) is any label.
        if in_host.contains(name.as_str()) && var.get("enum").is_none() {
            v = vec!["*"];
        }
        index.insert(name.as_str(), values.len());
        values.push(v);
    }
    let budget = url.len().max(MAX_SERVER_URL_BYTES);
    let mut spent = 0usize;
    let mut urls: Vec<String> = Vec::new();
    // The combination of the values, counted like a number whose last digit is the last variable.
    let mut choice: Vec<usize> = vec![0; values.len()];
    let varying: Vec<usize> = (0..values.len())
        .filter(|&i| values.get(i).is_some_and(|v| v.len() > 1))
        .collect();
    while urls.len() < MAX_SERVER_URLS {
        let mut u = String::new();
        let mut last = 0usize;
        for &(a, b) in &spans {
            let value = name_of((a, b))
                .and_then(|n| index.get(n))
                .and_then(|&i| Some(*values.get(i)?.get(*choice.get(i)?)?));
            if let Some(value) = value {
                u.push_str(url.get(last..a).unwrap_or_default());
                u.push_str(value);
                last = b;
                if spent.saturating_add(u.len()) > budget {
                    return (urls, false);
                }
            }
        }
        u.push_str(url.get(last..).unwrap_or_default());
        spent = spent.saturating_add(u.len());
        if spent > budget {
            return (urls, false);
        }
        urls.push(u);
        // The next combination; none after the last.
        let mut carried = true;
        for &i in varying.iter().rev() {
            let (Some(c), Some(n)) = (choice.get_mut(i), values.get(i).map(Vec::len)) else {
                continue;
            };
            *c = c.saturating_add(1);
            if *c < n {
                carried = false;
                break;
            }
            *c = 0;
        }
        if carried {
            break;
        }
    }
    (urls, true)
}

/// Splits a server URL into its host (with a leading variable label turned into `*.`) and its path prefix.
fn split_url(url: &str) -> (Option<String>, String) {
    let (host, path) = match url.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => (
                Some(rest.get(..i).unwrap_or_default()),
                rest.get(i..).unwrap_or_default(),
            ),
            None => (Some(rest), ""),
        },
        None => (None, url),
    };
    let host = host
        .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase())
        .map(|h| match h.rfind("*.") {
            // `api.*.example.com` → `*.example.com`: hosts match by suffix.
            Some(i) if i > 0 => h.get(i..).unwrap_or_default().to_string(),
            _ => h,
        })
        .and_then(|h| match h.split_once('.') {
            _ if !h.contains('{') => Some(h),
            Some((first, rest))
                if first.contains('{') && !rest.contains('{') && rest.contains('.') =>
            {
                Some(format!("*.{rest}"))
            }
            _ => None,
        })
        .filter(|h| !h.is_empty());
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    let path = if path.is_empty() || path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    (host, path)
}

/// Why a `$ref` cannot be followed.
#[derive(Debug, Clone, PartialEq)]
enum RefError {
    Missing(String),
    External(String),
    Cycle(String),
    Bad(String),
    TooLong(String),
    /// An outline cannot tell (internal: the whole tree is read instead).
    Unanswered,
}

impl std::fmt::Display for RefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefError::Missing(r) => {
                write!(f, "The reference `{r}` points to nothing in the document")
            }
            RefError::External(r) => write!(
                f,
                "The reference `{r}` points to another file, which is not read"
            ),
            RefError::Cycle(r) => write!(
                f,
                "The reference `{r}` leads back to itself through other references (a cycle)"
            ),
            RefError::Bad(r) => write!(f, "The reference {r} is not a string"),
            RefError::Unanswered => write!(f, "The reference cannot be checked in an outline"),
            RefError::TooLong(r) => write!(
                f,
                "The reference `{r}` goes through more than {MAX_REF_HOPS} references"
            ),
        }
    }
}

/// How following the references from one pointer ends.
#[derive(Debug, Clone)]
struct Chain {
    /// The pointers walked, from this one to the one where it ends.
    steps: usize,
    end: End,
}

/// Where a chain of references ends.
#[derive(Debug, Clone)]
enum End {
    /// The last pointer leads nowhere (or, `unanswered`, the outline cannot tell).
    Missing { unanswered: bool },
    /// The last pointer is one the chain met before.
    Repeats,
    /// The node at the last pointer (this one) is not a reference: the target.
    Target(Rc<str>),
    /// The node at the last pointer has a `$ref` that is not a string (shown).
    Bad(Rc<str>),
    /// The node at the last pointer refers to another file.
    External,
}

/// The chain of references from each pointer met whose node is a reference, so that each is read once however
/// many references lead through it (a cycle through 40,000 parameters was 40,000 walks of 64 references). A
/// pointer where a chain ends is not kept: reading it again is one lookup.
#[derive(Default)]
struct Chains {
    known: HashMap<Rc<str>, Walked>,
}

/// What is known of a pointer's chain.
enum Walked {
    /// It is being walked: the pointer is this far into the walk.
    At(usize),
    Done(Chain),
}

impl Chains {
    /// The chain from `start` (a percent-decoded JSON pointer).
    fn from(&mut self, look: Lookup<'_>, start: String) -> Chain {
        // The pointers of this walk, each a reference to the next.
        let mut walk: Vec<Rc<str>> = Vec::new();
        let mut pointer: Rc<str> = Rc::from(start);
        let after = loop {
            match self.known.get(&*pointer) {
                Some(Walked::Done(chain)) => break chain.clone(),
                Some(Walked::At(first)) => {
                    // `walk[first..]` is a cycle: from each of its pointers, the chain meets that pointer again
                    // after going round; from one before it, after reaching it and going round.
                    let (first, round) = (*first, walk.len().saturating_sub(*first));
                    let mut chain = None;
                    for (i, p) in walk.into_iter().enumerate() {
                        let steps = first
                            .saturating_sub(i)
                            .saturating_add(round)
                            .saturating_add(1);
                        let c = Chain {
                            steps,
                            end: End::Repeats,
                        };
                        chain.get_or_insert_with(|| c.clone());
                        self.known.insert(p, Walked::Done(c));
                    }
                    return chain.unwrap_or(Chain {
                        steps: 1,
                        end: End::Repeats,
                    });
                }
                None => {}
            }
            let next = match look.find(&pointer) {
                Found::Missing => Err(End::Missing { unanswered: false }),
                Found::Unknown => Err(End::Missing { unanswered: true }),
                Found::Dropped => Err(End::Target(pointer.clone())),
                Found::Kept(v) => match v.get("$ref").filter(|_| v.is_object()) {
                    None => Err(End::Target(pointer.clone())),
                    Some(r) => r
                        .as_str()
                        .ok_or_else(|| End::Bad(Rc::from(short(r).as_str()))),
                },
                Found::DroppedRef(r) => Ok(r),
            }
            .and_then(|r| r.strip_prefix('#').ok_or(End::External));
            match next {
                Ok(fragment) => {
                    let next = Rc::from(decode_fragment(fragment));
                    self.known.insert(pointer.clone(), Walked::At(walk.len()));
                    walk.push(std::mem::replace(&mut pointer, next));
                }
                Err(end) => break Chain { steps: 1, end },
            }
        };
        // Each pointer of the walk leads to the one after it, whose chain ends as `after` does.
        let len = walk.len();
        let mut chain = None;
        for (i, p) in walk.into_iter().enumerate() {
            let mut c = after.clone();
            c.steps = c.steps.saturating_add(len.saturating_sub(i));
            chain.get_or_insert_with(|| c.clone());
            self.known.insert(p, Walked::Done(c));
        }
        chain.unwrap_or(after)
    }
}

/// The JSON pointer of a reference's fragment (after `#`), percent-decoded.
fn decode_fragment(fragment: &str) -> String {
    if fragment.contains('%') {
        crate::text::percent_decode(fragment)
    } else {
        fragment.to_string()
    }
}

/// How a chain of references starting at `start` is named in its problems: its first `$ref`, clipped.
fn first_ref(start: Found<'_>) -> Option<String> {
    match start {
        Found::Kept(value) => value.get("$ref").map(|r| {
            r.as_str()
                .map_or_else(|| short(r), |s| crate::json::clip(s, 120))
        }),
        Found::DroppedRef(r) => Some(crate::json::clip(r, 120)),
        _ => None,
    }
}

/// The reference a node makes, None when it makes none (a chain ends there), or why it cannot be followed.
fn ref_in(node: Found<'_>) -> Result<Option<&str>, RefError> {
    match node {
        Found::Kept(v) => match v.get("$ref").filter(|_| v.is_object()) {
            None => Ok(None),
            Some(r) => r.as_str().map(Some).ok_or_else(|| RefError::Bad(short(r))),
        },
        Found::DroppedRef(r) => Ok(Some(r)),
        Found::Dropped => Ok(None),
        Found::Missing | Found::Unknown => Err(RefError::Unanswered),
    }
}

/// [`follow`], reading each pointer's chain once (`chains`): the same answers.
fn follow_chains<'a>(
    look: Lookup<'a>,
    chains: &mut Chains,
    start: Found<'a>,
) -> Result<(Found<'a>, Option<String>), RefError> {
    let first = first_ref(start);
    let Some(r) = ref_in(start)? else {
        return Ok((start, None));
    };
    let shown = first.clone().unwrap_or_default();
    let Some(fragment) = r.strip_prefix('#') else {
        return Err(RefError::External(shown));
    };
    let chain = chains.from(look, decode_fragment(fragment));
    // As `follow` counts: the pointer of the 64th reference is still looked up, its node no longer read.
    let found = chain.steps <= MAX_REF_HOPS;
    let read = chain.steps < MAX_REF_HOPS;
    match chain.end {
        End::Missing { unanswered: true } if found => Err(RefError::Unanswered),
        End::Missing { .. } if found => Err(RefError::Missing(shown)),
        End::Repeats if found => Err(RefError::Cycle(shown)),
        End::Target(p) if read => match look.find(&p) {
            Found::Missing | Found::Unknown => Err(RefError::Unanswered),
            target => Ok((target, Some(p.to_string()))),
        },
        End::Bad(b) if read => Err(RefError::Bad(b.to_string())),
        End::External if read => Err(RefError::External(shown)),
        _ => Err(RefError::TooLong(first.unwrap_or_default())),
    }
}

/// Follows `$ref`s from `start` (a value, or [`Found::DroppedRef`] for a bare reference) until a node that is not a
/// reference. Returns it and, when a reference was followed, the pointer of the final target. Through an outline,
/// the node may be one that was left out ([`Found::Dropped`]). The reference for [`follow_chains`], which the
/// importer uses.
#[cfg(test)]
fn follow<'a>(look: Lookup<'a>, start: Found<'a>) -> Result<(Found<'a>, Option<String>), RefError> {
    let mut current = start;
    let mut at: Option<String> = None;
    let mut visited: Vec<String> = Vec::new();
    let first = first_ref(start);
    for _ in 0..MAX_REF_HOPS {
        let Some(r) = ref_in(current)? else {
            return Ok((current, at));
        };
        let shown = first.clone().unwrap_or_default();
        let Some(fragment) = r.strip_prefix('#') else {
            return Err(RefError::External(shown));
        };
        let pointer = decode_fragment(fragment);
        if visited.contains(&pointer) {
            return Err(RefError::Cycle(shown));
        }
        current = match look.find(&pointer) {
            Found::Missing => return Err(RefError::Missing(shown)),
            Found::Unknown => return Err(RefError::Unanswered),
            found => found,
        };
        visited.push(pointer.clone());
        at = Some(pointer);
    }
    Err(RefError::TooLong(first.unwrap_or_default()))
}

/// Collects every `$ref` string with the place of its first use (kept in `paths`) and its count. Depth is bounded
/// by the parsers (`MAX_JSON_DEPTH`); the explicit check keeps it bounded for any `Value`.
fn collect_refs<'a>(
    v: &'a Value,
    paths: &mut Paths<'a>,
    seen: &mut HashMap<&'a str, (At, usize)>,
    depth: usize,
) {
    if depth > MAX_JSON_DEPTH {
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                if k == "$ref" {
                    if let Some(r) = x.as_str() {
                        let entry = seen.entry(r).or_insert_with(|| (paths.here(), 0));
                        entry.1 = entry.1.saturating_add(1);
                        continue;
                    }
                }
                paths.push(Seg::Key(Cow::Borrowed(k)));
                collect_refs(x, paths, seen, depth.saturating_add(1));
                paths.pop();
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                paths.push(Seg::Index(i));
                collect_refs(x, paths, seen, depth.saturating_add(1));
                paths.pop();
            }
        }
        _ => {}
    }
}

/// YAML to JSON: an event-driven builder over `saphyr-parser`, bounded in depth and in alias expansion.
mod yaml {
    use super::paths::{Token, spell};
    use super::{MAX_JSON_DEPTH, Problems, wrong};
    use saphyr_parser::{Event, Parser, ScalarStyle};
    use serde_json::{Map, Number, Value};
    use std::collections::HashMap;

    enum Frame {
        Seq {
            items: Vec<Value>,
            anchor: usize,
        },
        Map {
            map: Map<String, Value>,
            anchor: usize,
            key: Option<String>,
            merges: Vec<Value>,
        },
    }

    struct Builder {
        stack: Vec<Frame>,
        anchors: HashMap<usize, (Value, usize, usize)>,
        root: Option<Value>,
        problems: Problems,
        nodes: usize,
        alias_nodes: usize,
        /// Nodes copied for anchors (nested anchors copy what they share again).
        anchored: usize,
        /// Set when anchors copied more than they may: nothing more is copied, and the read stops.
        anchors_over: bool,
        extra_documents: bool,
    }

    /// Size (nodes) and height of a value.
    fn measure(v: &Value, depth: usize) -> (usize, usize) {
        if depth > MAX_JSON_DEPTH {
            return (1, 1);
        }
        match v {
            Value::Array(a) => a.iter().fold((1, 1), |(n, h), x| {
                let (xn, xh) = measure(x, depth.saturating_add(1));
                (n.saturating_add(xn), h.max(xh.saturating_add(1)))
            }),
            Value::Object(m) => m.iter().fold((1, 1), |(n, h), (k, x)| {
                let (xn, xh) = measure(x, depth.saturating_add(1));
                (
                    n.saturating_add(xn).saturating_add(text_nodes(k)),
                    h.max(xh.saturating_add(1)),
                )
            }),
            Value::String(s) => (1usize.saturating_add(text_nodes(s)), 1),
            _ => (1, 1),
        }
    }

    /// What a text weighs in the node budgets of aliases and anchors: one node per [`BYTES_PER_NODE`] bytes, so
    /// that an alias of a long string counts for what it copies (500 aliases of a 1 MiB string are 500 MB).
    fn text_nodes(s: &str) -> usize {
        s.len() / BYTES_PER_NODE
    }

    /// Bytes of text that weigh one node (see [`text_nodes`]).
    const BYTES_PER_NODE: usize = 64;

    /// The key of the innermost mapping in the pointer of a problem.
    enum Last<'k> {
        /// The key being read, if any.
        Current,
        /// This key (an entry just added), or none (the key itself is the problem).
        Key(Option<&'k str>),
    }

    impl Builder {
        /// Reports a problem at the place being read (its pointer spelled only when the problem is listed, clipped).
        fn report(&mut self, last: Last<'_>, message: String) {
            if self.problems.full() {
                self.problems.warn("", message);
                return;
            }
            let top = self.stack.len().saturating_sub(1);
            let steps = self.stack.iter().enumerate().filter_map(|(i, f)| match f {
                Frame::Seq { items, .. } => Some(Token::Index(items.len())),
                Frame::Map { key, .. } => match (&last, i == top) {
                    (Last::Key(k), true) => k.map(Token::Key),
                    _ => key.as_deref().map(Token::Key),
                },
            });
            let pointer = spell(steps);
            self.problems.warn(&pointer, message);
        }

        fn expecting_key(&self) -> bool {
            matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
        }

        /// The most nodes anchors may copy: four times what was read (at least 100,000 each).
        fn anchor_budget(&self) -> usize {
            self.nodes.max(100_000).saturating_mul(4)
        }

        fn remember(&mut self, anchor: usize, v: &Value) {
            if anchor > 0 && !self.anchors_over {
                let (n, h) = measure(v, 0);
                self.anchored = self.anchored.saturating_add(n);
                if self.anchored > self.anchor_budget() {
                    self.anchors_over = true;
                    return;
                }
                self.anchors.insert(anchor, (v.clone(), n, h));
            }
        }

        fn push(&mut self, v: Value) {
            match self.stack.last_mut() {
                None => {
                    if self.root.is_none() {
                        self.root = Some(v);
                    } else {
                        self.extra_documents = true;
                    }
                }
                Some(Frame::Seq { items, .. }) => items.push(v),
                Some(Frame::Map {
                    map, key, merges, ..
                }) => match key.take() {
                    None => {
                        let k = match v {
                            Value::String(s) => s,
                            Value::Null => String::new(),
                            Value::Bool(_) | Value::Number(_) => v.to_string(),
                            other => {
                                let message = wrong(
                                    "A mapping key",
                                    "a scalar",
                                    &other,
                                    "; the entry is skipped.",
                                );
                                self.report(Last::Key(None), message);
                                self.set_key("\u{0}skip".to_string());
                                return;
                            }
                        };
                        *key = Some(k);
                    }
                    Some(k) if k == "\u{0}skip" => {}
                    Some(k) if k == "<<" => merges.push(v),
                    Some(k) => {
                        if map.insert(k.clone(), v).is_some() {
                            let message = format!(
                                "The key `{}` appears twice; the last one is used.",
                                crate::json::clip(&k, 60)
                            );
                            self.report(Last::Key(Some(&k)), message);
                        }
                    }
                },
            }
        }

        /// Sets the key of the innermost mapping.
        fn set_key(&mut self, k: String) {
            if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                *key = Some(k);
            }
        }

        fn close(&mut self) -> Option<Value> {
            match self.stack.pop()? {
                Frame::Seq { items, anchor } => {
                    let v = Value::Array(items);
                    self.remember(anchor, &v);
                    Some(v)
                }
                Frame::Map {
                    mut map,
                    anchor,
                    merges,
                    ..
                } => {
                    for m in merges {
                        let sources = match m {
                            Value::Array(items) => items,
                            other => vec![other],
                        };
                        for s in sources {
                            if let Value::Object(src) = s {
                                for (k, v) in src {
                                    map.entry(k).or_insert(v);
                                }
                            }
                        }
                    }
                    let v = Value::Object(map);
                    self.remember(anchor, &v);
                    Some(v)
                }
            }
        }

        fn fail(&mut self, message: String) {
            self.report(Last::Current, message);
            // Where the read stopped: the containers around it were read in part.
            self.problems.cut_at = self.problems.list.last().map(|p| p.pointer.clone());
            // Keep what was read: close every open container.
            if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                *key = None;
            }
            while let Some(v) = self.close() {
                if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                    if key.is_none() {
                        continue;
                    }
                }
                self.push(v);
            }
        }
    }

    /// Resolves a plain scalar with the YAML 1.2 core schema.
    fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
        if style != ScalarStyle::Plain || tag == Some("str") {
            return Value::String(text.to_string());
        }
        match text {
            "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
            "true" | "True" | "TRUE" => return Value::Bool(true),
            "false" | "False" | "FALSE" => return Value::Bool(false),
            _ => {}
        }
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(i) = text.trim_start_matches('+').parse::<i64>() {
                return Value::Number(i.into());
            }
            if let Ok(u) = text.trim_start_matches('+').parse::<u64>() {
                return Value::Number(u.into());
            }
        }
        if let Some(hex) = text.strip_prefix("0x") {
            if let Ok(u) = u64::from_str_radix(hex, 16) {
                return Value::Number(u.into());
            }
        }
        if let Some(oct) = text.strip_prefix("0o") {
            if let Ok(u) = u64::from_str_radix(oct, 8) {
                return Value::Number(u.into());
            }
        }
        let floaty = digits.bytes().any(|b| b.is_ascii_digit())
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
        if floaty {
            if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
                return Value::Number(n);
            }
        }
        Value::String(text.to_string())
    }

    /// [`read`], with the problems listed.
    #[cfg(test)]
    pub(super) fn to_json(text: &str) -> (Option<Value>, Vec<super::ImportProblem>) {
        let (v, problems) = read(text);
        (v, problems.list)
    }

    /// Parses the first YAML document of `text` into JSON. On a syntax error, what was read before it is kept and
    /// the error is reported where it happened.
    pub(super) fn read(text: &str) -> (Option<Value>, Problems) {
        let mut b = Builder {
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            problems: Problems::default(),
            nodes: 0,
            alias_nodes: 0,
            anchored: 0,
            anchors_over: false,
            extra_documents: false,
        };
        for item in Parser::new_from_str(text) {
            let (event, span) = match item {
                Ok(x) => x,
                Err(e) => {
                    let m = e.marker();
                    b.fail(format!(
                        "YAML syntax error at line {}, column {}: {}; what comes before it is used.",
                        m.line(),
                        m.col().saturating_add(1),
                        e.info()
                    ));
                    break;
                }
            };
            if b.root.is_some() && b.stack.is_empty() {
                if let Event::DocumentStart(_)
                | Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..) = event
                {
                    b.extra_documents = true;
                    break;
                }
            }
            b.nodes = b.nodes.saturating_add(1);
            match event {
                Event::Scalar(value, style, anchor, tag) => {
                    // What was read is weighed as aliases are (`text_nodes`).
                    b.nodes = b.nodes.saturating_add(text_nodes(&value));
                    let tag = tag.as_ref().map(|t| t.suffix.as_str());
                    let v = if b.expecting_key() {
                        Value::String(value.to_string())
                    } else {
                        scalar(&value, style, tag)
                    };
                    b.remember(anchor, &v);
                    b.push(v);
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if b.stack.len() >= MAX_JSON_DEPTH {
                        b.fail(format!(
                            "The document is nested deeper than {MAX_JSON_DEPTH} levels (line {}); the rest is not read.",
                            span.start.line()
                        ));
                        break;
                    }
                    b.stack.push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::Seq {
                            items: Vec::new(),
                            anchor,
                        }
                    } else {
                        Frame::Map {
                            map: Map::new(),
                            anchor,
                            key: None,
                            merges: Vec::new(),
                        }
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    if let Some(v) = b.close() {
                        b.push(v);
                    }
                    if b.anchors_over {
                        b.fail(format!(
                            "Anchors copy more than {} nodes (line {}): anchors nested around a large part; the rest is not read.",
                            b.anchor_budget(),
                            span.start.line()
                        ));
                        break;
                    }
                }
                Event::Alias(id) => {
                    let Some((v, n, h)) = b.anchors.get(&id).cloned() else {
                        b.fail(format!(
                            "An alias at line {} refers to no anchor; the rest is not read.",
                            span.start.line()
                        ));
                        break;
                    };
                    b.alias_nodes = b.alias_nodes.saturating_add(n);
                    if b.alias_nodes > b.nodes.max(100_000) {
                        b.fail(format!(
                            "Aliases expand to more than {} nodes (line {}): the document looks like an alias bomb; the rest is not read.",
                            b.nodes.max(100_000),
                            span.start.line()
                        ));
                        break;
                    }
                    if b.stack.len().saturating_add(h) > MAX_JSON_DEPTH {
                        b.fail(format!(
                            "An alias at line {} makes the document deeper than {MAX_JSON_DEPTH} levels; the rest is not read.",
                            span.start.line()
                        ));
                        break;
                    }
                    b.push(v);
                }
                Event::StreamStart
                | Event::StreamEnd
                | Event::DocumentStart(_)
                | Event::DocumentEnd
                | Event::Nothing => {}
            }
        }
        if b.extra_documents {
            b.problems.warn(
                "",
                "The YAML stream has more than one document; only the first is read.",
            );
        }
        (b.root, b.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Imports JSON text through its outline only; None when the outline could not answer.
    fn import_outline(text: &str) -> Option<Imported> {
        let o = Outline::read(text).unwrap();
        import_tree(
            text,
            &o.doc,
            Lookup::Outline(&o),
            "json",
            Problems::default(),
        )
        .ok()
    }

    fn genesys_swagger() -> String {
        use std::io::Read;
        let mut text = String::new();
        flate2::read::GzDecoder::new(
            &include_bytes!("../tests/fixtures/genesys-swagger-2018-03-21.json.gz")[..],
        )
        .read_to_string(&mut text)
        .unwrap();
        text
    }

    #[test]
    fn the_outline_imports_the_real_swagger_document_as_the_whole_tree_does() {
        let text = genesys_swagger();
        let o = Outline::read(&text).unwrap();
        // What the importer does not read is left out of the kept tree ...
        assert!(o.doc.get("definitions").is_none());
        assert!(
            o.doc
                .pointer("/paths/~1api~1v2~1users~1me/get/responses")
                .is_none()
        );
        assert!(
            o.doc
                .pointer("/paths/~1api~1v2~1conversations~1calls/post/x-inin-requires-permissions")
                .is_some()
        );
        // ... and every reference of the document is still counted and checked.
        assert_eq!(o.refs.values().map(|(_, n)| n).sum::<usize>(), 10_687);
        assert_eq!(o.refs.len(), 817);
        let fast = import_outline(&text).expect("the outline answers for every reference");
        assert_eq!(fast, import_whole_tree(&text));
        assert_eq!(fast, import(&text));
    }

    #[test]
    fn the_outline_agrees_with_the_whole_tree_on_broken_documents() {
        let tickets = yaml::to_json(include_str!("../tests/fixtures/openapi/tickets-3.1.yaml"))
            .0
            .unwrap()
            .to_string();
        let docs = [
            include_str!("../tests/fixtures/openapi/broken-2.0.json").to_string(),
            tickets,
            // References into left-out parts: a chain through definitions, a cycle, a missing one, a non-string
            // one, one that points into a definition's depth, and one under a left-out ancestor that is absent.
            r##"{"swagger": "2.0", "securityDefinitions": {"o": {"type": "oauth2", "scopes": {"r": ""}}},
                "security": [{"o": ["r"]}],
                "paths": {"/r": {"$ref": [{"$ref": "#/definitions/B"}]}, "/a": {"get": {"responses": {"200": {"schema": {"$ref": "#/definitions/A"}},
                    "400": {"schema": {"$ref": "#/definitions/C"}}, "404": {"schema": {"$ref": "#/definitions/Z"}},
                    "500": {"schema": {"$ref": "#/definitions/N/properties/x/items"}}}}}},
                "definitions": {"A": {"$ref": "#/definitions/B"}, "B": {"type": "object"},
                    "C": {"$ref": "#/definitions/D"}, "D": {"$ref": "#/definitions/C"},
                    "E": {"$ref": 7}, "F": {"$ref": {"$ref": "#/definitions/G"}}}}"##
                .to_string(),
            // The first use of a reference, as a tree visits them (members in key order: `$a` before `$ref`).
            r##"{"swagger": "2.0", "paths": {"/z": {"get": {"security": [], "responses": {"200": {"schema":
                {"$ref": "#/definitions/Gone", "$a": {"$ref": "#/definitions/Gone"}, " ": [{"$ref": "#/definitions/Gone"}]}}}}}}}"##
                .to_string(),
            // A path item that is a reference into a left-out part: the outline cannot give its content.
            r##"{"swagger": "2.0", "paths": {"/p": {"$ref": "#/definitions/P"}},
                "definitions": {"P": {"get": {"security": []}}}}"##
                .to_string(),
            // A reference deeper than the index, into a left-out part that exists.
            r##"{"openapi": "3.0.3", "paths": {"/q": {"get": {"security": [],
                "responses": {"200": {"$ref": "#/components/schemas/S/properties/a"}}}}},
                "components": {"schemas": {"S": {"properties": {"a": {"type": "string"}}}}}}"##
                .to_string(),
            // References to the elements of left-out arrays (indexed by their lengths), present or not.
            r##"{"swagger": "2.0", "paths": {"/l": {"get": {"security": [], "responses": {
                "200": {"schema": {"$ref": "#/definitions/L/1"}}, "201": {"schema": {"$ref": "#/definitions/L/2"}},
                "202": {"schema": {"$ref": "#/definitions/L/01"}}, "203": {"schema": {"$ref": "#/definitions/L/0"}},
                "204": {"schema": {"$ref": "#/definitions/M/x"}}}}}},
                "definitions": {"L": [{"$ref": "#/definitions/L/1"}, {"type": "string"}], "M": [1]}}"##
                .to_string(),
        ];
        for text in &docs {
            let whole = import_whole_tree(text);
            assert_eq!(import(text), whole, "{text}");
            if let Some(fast) = import_outline(text) {
                assert_eq!(fast, whole, "{text}");
            }
        }
        // The first four and the last need nothing the outline left out; the other two are read whole.
        let answered: Vec<bool> = docs.iter().map(|t| import_outline(t).is_some()).collect();
        assert_eq!(answered, [true, true, true, true, false, false, true]);
        let arrays = import(&docs[6]);
        let arrays: Vec<&str> = arrays.problems.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(
            arrays,
            [
                "/paths/~1l/get/responses/201/schema/$ref",
                "/paths/~1l/get/responses/202/schema/$ref",
                "/paths/~1l/get/responses/204/schema/$ref"
            ]
        );
        let first = import(&docs[3]);
        assert_eq!(
            first
                .problems
                .iter()
                .map(|p| p.pointer.as_str())
                .collect::<Vec<_>>(),
            ["/paths/~1z/get/responses/200/schema/ /0/$ref"],
            "{:?}",
            first.problems
        );
        let chains = import(&docs[2]);
        let messages: Vec<&str> = chains.problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`#/definitions/C`") && m.contains("cycle")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`#/definitions/Z` points to nothing")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`#/definitions/N/properties/x/items` points to nothing")),
            "{messages:?}"
        );
        assert!(
            !messages.iter().any(|m| m.contains("`#/definitions/A`")),
            "{messages:?}"
        );
    }

    #[test]
    fn yaml_scalars_follow_the_core_schema() {
        let (v, p) =
            yaml::to_json("a: 1\nb: 1.5\nc: true\nd: ~\ne: '1'\nf: 0x10\ng: hello\n200: ok\n");
        assert!(p.is_empty(), "{p:?}");
        let v = v.unwrap();
        assert_eq!(v["a"], 1);
        assert_eq!(v["b"], 1.5);
        assert_eq!(v["c"], true);
        assert!(v["d"].is_null());
        assert_eq!(v["e"], "1");
        assert_eq!(v["f"], 16);
        assert_eq!(v["g"], "hello");
        assert_eq!(v["200"], "ok");
    }

    #[test]
    fn yaml_anchors_merges_and_alias_bombs() {
        let (v, _) = yaml::to_json("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n");
        let v = v.unwrap();
        assert_eq!(v["c"]["x"], 1);
        assert_eq!(v["c"]["y"], 3);
        let mut bomb = String::from("a: &a [1,1,1,1,1,1,1,1,1,1]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            bomb.push_str(&format!("{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
            prev = c;
        }
        let (_, p) = yaml::to_json(&bomb);
        assert!(p.iter().any(|p| p.message.contains("alias bomb")), "{p:?}");
    }

    #[test]
    fn aliases_of_a_long_string_count_its_bytes() {
        // Each alias counted as one node whatever it copied: 500 aliases of a 1 MiB string took 517 MB for a 1 MB
        // document. A string now weighs one node per 64 bytes, against the same budget.
        let long = "x".repeat(200_000);
        let doc = format!("a: &a \"{long}\"\nb:\n{}", "  - *a\n".repeat(500));
        let (_, p) = yaml::to_json(&doc);
        assert!(p.iter().any(|p| p.message.contains("alias bomb")), "{p:?}");
        // A long description used twice is no bomb.
        let doc = format!("a: &a \"{long}\"\nb: *a\nc: *a\n");
        let (v, p) = yaml::to_json(&doc);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(v.and_then(|v| v["c"].as_str().map(str::len)), Some(200_000));
    }

    #[test]
    fn yaml_anchors_nested_around_a_large_part_are_bounded() {
        // Each anchor kept its own copy of its value: 100 anchors nested around 200,000 items copied 20 million
        // nodes (a 0.4 MB document; 128 around 8 million exhaust any memory). Four times what was read may be copied.
        let open: String = (0..100).map(|i| format!("&a{i} [")).collect();
        let doc = format!(
            "a: 1\nx: {open}{}{}\n",
            vec!["1"; 200_000].join(","),
            "]".repeat(100)
        );
        let (v, p) = yaml::to_json(&doc);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].message.starts_with("Anchors copy more than 800"),
            "{p:?}"
        );
        // Read up to the fifth anchor from the inside: 95 levels open, the 95th holding the 96th.
        assert_eq!(p[0].pointer, format!("/x{}/1", "/0".repeat(94)));
        assert_eq!(v.unwrap()["a"], 1);
        // Anchors that share nothing are copied whatever their size.
        let doc = format!(
            "a: &a [{}]\nb: &b [{}]\nc: *a\n",
            vec!["1"; 300_000].join(","),
            vec!["2"; 300_000].join(",")
        );
        let (v, p) = yaml::to_json(&doc);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(v.unwrap()["c"].as_array().unwrap().len(), 300_000);
    }

    #[test]
    fn yaml_depth_is_bounded_and_errors_keep_what_was_read() {
        // Flow nesting: the parser itself stops (recursion limit); block nesting: our depth limit.
        let (_, p) = yaml::to_json(&"[".repeat(10_000));
        assert!(
            p.iter().any(|p| p.message.contains("recursion limit")),
            "{p:?}"
        );
        let block: String = (0..200)
            .map(|i| format!("{}a:\n", "  ".repeat(i)))
            .collect();
        let (v, p) = yaml::to_json(&block);
        assert!(
            p.iter().any(|p| p.message.contains("deeper than 128")),
            "{p:?}"
        );
        assert!(v.unwrap()["a"]["a"].is_object());
        let (v, p) = yaml::to_json("a: 1\nb: [1, 2\nc: 3\n");
        assert_eq!(v.unwrap()["a"], 1);
        assert!(p[0].message.contains("line"), "{p:?}");
    }

    #[test]
    fn ref_cycles_and_missing_refs() {
        let doc: Value = serde_json::json!({
            "a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}, "c": {"$ref": "#/nope"}, "d": {"$ref": "#/e"}, "e": 1,
            "f": {"$ref": "other.yaml#/x"}
        });
        assert!(matches!(
            follow(Lookup::Tree(&doc), Found::Kept(&doc["a"])),
            Err(RefError::Cycle(_))
        ));
        assert!(matches!(
            follow(Lookup::Tree(&doc), Found::Kept(&doc["c"])),
            Err(RefError::Missing(_))
        ));
        assert!(matches!(
            follow(Lookup::Tree(&doc), Found::Kept(&doc["f"])),
            Err(RefError::External(_))
        ));
        assert_eq!(
            follow(Lookup::Tree(&doc), Found::Kept(&doc["d"]))
                .unwrap()
                .0,
            Found::Kept(&serde_json::json!(1))
        );
    }

    #[test]
    fn reading_each_chain_once_answers_as_following_each_reference() {
        // Chains of references (some around the 64 followed) that end at a target, nowhere, another file, a
        // `$ref` that is not a string, or go round a cycle; some written with percent-escapes. In the kept part
        // (`c`) and in a part the outline leaves out (`definitions`).
        let mut c = serde_json::Map::new();
        let mut refs: Vec<String> = Vec::new();
        for len in [1usize, 2, 3, 4, 5, 9, 61, 62, 63, 64, 65, 66, 67] {
            for end in ["target", "missing", "external", "bad", "cycle", "cycle3"] {
                for i in 0..len {
                    let next = match end {
                        "cycle" if i + 1 == len => 0,
                        "cycle3" if i + 1 == len => len.saturating_sub(3),
                        _ => i + 1,
                    };
                    let r = format!("#/ROOT/{end}{len}_{next}");
                    let r = if i % 7 == 3 { r.replace("_", "%5F") } else { r };
                    refs.push(r.clone());
                    c.insert(format!("{end}{len}_{i}"), serde_json::json!({"$ref": r}));
                }
                let last = match end {
                    "target" => serde_json::json!({"type": "string"}),
                    "external" => serde_json::json!({"$ref": "other.yaml#/x"}),
                    "bad" => serde_json::json!({"$ref": 5}),
                    _ => continue,
                };
                c.insert(format!("{end}{len}_{len}"), last);
            }
        }
        let c = Value::Object(c);
        let kept = serde_json::json!({"c": c}).to_string().replace("ROOT", "c");
        let dropped = serde_json::json!({"swagger": "2.0", "definitions": c})
            .to_string()
            .replace("ROOT", "definitions");
        let mut seen = BTreeSet::new();
        for (text, root) in [(kept, "c"), (dropped, "definitions")] {
            let tree: Value = serde_json::from_str(&text).unwrap();
            let outline = Outline::read(&text).unwrap();
            for look in [Lookup::Tree(&tree), Lookup::Outline(&outline)] {
                let mut chains = Chains::default();
                let mut reversed = Chains::default();
                for r in &refs {
                    let r = r.replace("ROOT", root);
                    let expected = follow(look, Found::DroppedRef(&r));
                    let kind = match &expected {
                        Ok((Found::Kept(_), _)) => "kept target",
                        Ok(_) => "dropped target",
                        Err(RefError::Missing(_)) => "missing",
                        Err(RefError::External(_)) => "external",
                        Err(RefError::Cycle(_)) => "cycle",
                        Err(RefError::Bad(_)) => "bad",
                        Err(RefError::TooLong(_)) => "too long",
                        Err(RefError::Unanswered) => "unanswered",
                    };
                    seen.insert(kind);
                    assert_eq!(
                        follow_chains(look, &mut chains, Found::DroppedRef(&r)),
                        expected,
                        "{r}"
                    );
                }
                for r in refs.iter().rev() {
                    let r = r.replace("ROOT", root);
                    let expected = follow(look, Found::DroppedRef(&r));
                    assert_eq!(
                        follow_chains(look, &mut reversed, Found::DroppedRef(&r)),
                        expected,
                        "{r}"
                    );
                }
                for node in tree.get(root).and_then(Value::as_object).unwrap().values() {
                    let expected = follow(look, Found::Kept(node));
                    assert_eq!(
                        follow_chains(look, &mut chains, Found::Kept(node)),
                        expected
                    );
                }
            }
        }
        // Every kind of end was met (a `$ref` that is not a string, left out: the outline cannot tell).
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            [
                "bad",
                "cycle",
                "dropped target",
                "external",
                "kept target",
                "missing",
                "too long",
                "unanswered"
            ]
        );
    }

    /// How server URLs were filled in before `fill_server_url`: each variable replaced in turn in every URL so far
    /// (64 at most), its values read again for the variables after it.
    fn replace_in_turn(url: &str, vars: &serde_json::Map<String, Value>) -> Vec<String> {
        let mut urls = vec![url.to_string()];
        for (name, var) in vars {
            let mut values: Vec<String> = var
                .get("enum")
                .and_then(Value::as_array)
                .map(|e| {
                    e.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(d) = var.get("default").and_then(Value::as_str) {
                if !values.iter().any(|v| v == d) {
                    values.insert(0, d.to_string());
                }
            }
            if values.is_empty() {
                continue;
            }
            let token = format!("{{{name}}}");
            let in_host = url.split_once("://").is_some_and(|(_, rest)| {
                rest.split('/').next().unwrap_or_default().contains(&token)
            });
            if in_host && var.get("enum").is_none() {
                values = vec!["*".to_string()];
            }
            urls = urls
                .iter()
                .flat_map(|u| {
                    values
                        .iter()
                        .map(|v| u.replace(&token, v))
                        .collect::<Vec<_>>()
                })
                .take(64)
                .collect();
        }
        urls
    }

    #[test]
    fn server_variables_fill_in_as_they_did_when_values_name_no_variable() {
        // Pseudo-random servers: variables in the host and the path, used twice or not at all, with and without an
        // enum and a default, enough values to pass the 64 URLs kept.
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..3000 {
            let names = ["a", "b", "c", "d", "e"];
            let mut url = String::from("https://");
            for part in 0..(1 + next(4)) {
                url.push_str(match next(5) {
                    0 => "{a}",
                    1 => "{b}.",
                    2 => "x{c}",
                    3 => "{{e}",
                    _ => "y",
                });
                url.push(if part == 0 { '/' } else { '-' });
            }
            let mut vars = serde_json::Map::new();
            for name in names {
                if next(4) == 0 {
                    continue;
                }
                let mut var = serde_json::Map::new();
                if next(2) == 0 {
                    let values: Vec<String> = (0..next(12)).map(|i| format!("{name}{i}")).collect();
                    var.insert("enum".into(), values.into());
                }
                match next(3) {
                    0 => {}
                    1 => _ = var.insert("default".into(), format!("{name}0").into()),
                    _ => _ = var.insert("default".into(), format!("{name}-default").into()),
                }
                vars.insert(name.into(), var.into());
            }
            let (filled, complete) = fill_server_url(&url, &vars);
            assert!(complete);
            assert_eq!(filled, replace_in_turn(&url, &vars), "{url} {vars:?}");
        }
    }

    #[test]
    fn server_variables_are_filled_in_once() {
        // Each default names the next variable twice: replaced in turn, the URL doubled 26 times (a 1 KB document
        // took 0.66 GB); values are not read again for variables now.
        let mut vars = serde_json::Map::new();
        for i in 1..=26 {
            vars.insert(
                format!("a{i:02}"),
                serde_json::json!({"default": format!("{{a{:02}}}{{a{:02}}}", i + 1, i + 1)}),
            );
        }
        let (urls, complete) = fill_server_url("https://x/{a01}", &vars);
        assert!(complete);
        assert_eq!(urls, ["https://x/{a02}{a02}"]);
        // A value of 100 KB used 10,000 times: more than the URLs may hold, so the URL is read without it.
        let url = format!("https://x/{}", "{v}".repeat(10_000));
        let vars = serde_json::json!({"v": {"default": "v".repeat(100_000)}});
        let (urls, complete) = fill_server_url(&url, vars.as_object().unwrap());
        assert!(urls.is_empty() && !complete);
        let doc = serde_json::json!({"openapi": "3.0.0", "paths": {"/a": {"get": {"security": []}}},
            "servers": [{"url": url, "variables": vars}]});
        let imp = import(&doc.to_string());
        assert_eq!(imp.problems[0].pointer, "/servers/0/variables");
        assert!(
            imp.problems[0]
                .message
                .contains("the URL is read without them")
        );
        // A hundred values: the first 64 URLs.
        let values: Vec<String> = (0..100).map(|i| format!("v{i}")).collect();
        let vars = serde_json::json!({"v": {"enum": values}});
        let (urls, complete) = fill_server_url("https://x/{v}", vars.as_object().unwrap());
        assert!(complete);
        assert_eq!(urls.len(), 64);
        assert_eq!(urls[63], "https://x/v63");
    }

    #[test]
    fn server_urls_split_into_host_and_base() {
        assert_eq!(
            split_url("https://api.example.com/v1/"),
            (Some("api.example.com".into()), "/v1".into())
        );
        assert_eq!(
            split_url("https://{tenant}.example.com"),
            (Some("*.example.com".into()), String::new())
        );
        assert_eq!(split_url("/api"), (None, "/api".into()));
        assert_eq!(split_url("https://{host}/x"), (None, "/x".into()));
    }
}
