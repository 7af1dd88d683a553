//! The compact form of the built-ins (`scripts/gen_matrices.py` writes it; README, "Matrices"): read and
//! checked at once, its operations built one first path segment at a time when lookups need them.

use super::*;

/// A scope requirement in the table: `"unknown"`, `"public"`, or alternatives of name indices.
#[derive(Debug, Clone)]
pub(super) enum ScopeReq {
    Word(String),
    Sets {
        any_of: Vec<Vec<usize>>,
        least: usize,
    },
}

/// Read as a string, as `{"anyOf": [[i, ...], ...], "least": n}` (other members are ignored) or as
/// `[anyOf, least]` (serde's derive took a struct from an array too), straight from the text: serde's untagged
/// enums buffer every value first, a third of the time to read the tables.
impl<'de> Deserialize<'de> for ScopeReq {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ScopeReq, D::Error> {
        use serde::de::Error;
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ScopeReq;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"unknown\", \"public\" or {\"anyOf\": [[name index, ...], ...]}")
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<ScopeReq, E> {
                Ok(ScopeReq::Word(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<ScopeReq, A::Error> {
                let any_of = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(0, &self))?;
                let least = seq.next_element()?.unwrap_or(0);
                if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    return Err(A::Error::invalid_length(3, &self));
                }
                Ok(ScopeReq::Sets { any_of, least })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ScopeReq, A::Error> {
                let mut any_of = None;
                let mut least = None;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match &*key {
                        "anyOf" if any_of.is_some() => {
                            return Err(A::Error::duplicate_field("anyOf"));
                        }
                        "least" if least.is_some() => {
                            return Err(A::Error::duplicate_field("least"));
                        }
                        "anyOf" => any_of = Some(map.next_value()?),
                        "least" => least = Some(map.next_value()?),
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(ScopeReq::Sets {
                    any_of: any_of.ok_or_else(|| A::Error::missing_field("anyOf"))?,
                    least: least.unwrap_or(0),
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// One operation of a path: method, scope requirement, app-scope requirement (-1 = none), permission
/// requirement (-1 = none), user context (0 unknown, 1 required, 2 not required), note indices.
#[derive(Deserialize, Debug, PartialEq)]
pub(super) struct Row<'a>(
    #[serde(borrow)] pub(super) Cow<'a, str>,
    pub(super) usize,
    pub(super) i64,
    pub(super) i64,
    pub(super) u8,
    #[serde(default)] pub(super) Vec<usize>,
);

/// `[k, rest, rows]`: the first k `/`-separated pieces of the previous path, then `rest`. The strings are
/// borrowed from the text when they hold no escape (they never do in the built-ins).
#[derive(Deserialize, Debug, PartialEq)]
pub(super) struct PathEntry<'a>(
    pub(super) usize,
    #[serde(borrow)] pub(super) Cow<'a, str>,
    #[serde(borrow)] pub(super) Vec<Row<'a>>,
);

/// The `paths` of a compact document, flat: each entry's `k`, `rest` and number of rows, and all rows in order.
#[derive(Debug, PartialEq, Default)]
pub(super) struct Paths<'a> {
    pub(super) entries: Vec<(usize, Cow<'a, str>, usize)>,
    pub(super) rows: Vec<Row<'a>>,
}

impl<'a> From<Vec<PathEntry<'a>>> for Paths<'a> {
    fn from(list: Vec<PathEntry<'a>>) -> Paths<'a> {
        let mut out = Paths::default();
        for PathEntry(k, rest, rows) in list {
            out.entries.push((k, rest, rows.len()));
            out.rows.extend(rows);
        }
        out
    }
}

/// The compact document; `P`: how its `paths` are read (as they are written, or as [`PathEntry`]s).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Compact<P> {
    #[allow(dead_code)]
    format: String,
    platform: PlatformInfo,
    names: Vec<String>,
    scope_reqs: Vec<ScopeReq>,
    perm_reqs: Vec<(PermissionMode, Vec<usize>)>,
    #[serde(default)]
    notes: Vec<String>,
    pub(super) paths: P,
    #[serde(default)]
    catalog_is_names: bool,
}

/// Reads a compact document: its `paths` (nearly all of it) by the canonical reader when they are in the shape
/// `scripts/gen_matrices.py` writes, in place ([`read_canonical`]) or else from serde's raw value, and otherwise by
/// serde, which then also says where a problem is in the document.
pub(super) fn read(text: &str) -> Result<Matrix, String> {
    if let Some(compact) = read_canonical(text) {
        return compact.deferred(text.len());
    }
    let fail = |e: serde_json::Error| format!("not a Token Doctor matrix: {e}");
    let head: Compact<&serde_json::value::RawValue> = serde_json::from_str(text).map_err(fail)?;
    let paths = match canonical::paths(head.paths.get()) {
        Some(paths) => paths,
        None => serde_json::from_str::<Compact<Vec<PathEntry<'_>>>>(text)
            .map_err(fail)?
            .paths
            .into(),
    };
    head.with_paths(paths).deferred(text.len())
}

/// A document whose `paths` [`canonical::document`] reads in place: serde reads the rest, from the text with the
/// paths' value replaced by `0`, and checks it as it would in the whole document (members, types, duplicates,
/// depth). None when either declines; [`read`] then reads the document as before.
pub(super) fn read_canonical(text: &str) -> Option<Compact<Paths<'_>>> {
    let (span, paths) = canonical::document(text)?;
    let mut rest = String::with_capacity(text.len().saturating_sub(span.len()).saturating_add(1));
    rest.push_str(text.get(..span.start)?);
    rest.push('0');
    rest.push_str(text.get(span.end..)?);
    // Read as `read` reads the head (one copy of serde's code for both): the raw `0` is dropped.
    let head: Compact<&serde_json::value::RawValue> = serde_json::from_str(&rest).ok()?;
    Some(head.with_paths(paths))
}

/// For the fuzz target and the tests: whether a document [`read_canonical`] reads is read by serde alone to the
/// same matrix (or refused with the same error). True when it declines.
pub(super) fn canonical_read_agrees(text: &str) -> bool {
    let Some(fast) = read_canonical(text) else {
        return true;
    };
    let Ok(mut slow) = serde_json::from_str::<Compact<Vec<PathEntry<'_>>>>(text) else {
        return false;
    };
    let entries = std::mem::take(&mut slow.paths);
    let as_json = |m: &Matrix| crate::json::to_string(m).ok();
    match (
        fast.deferred(text.len()),
        slow.with_paths(Paths::from(entries)).deferred(text.len()),
    ) {
        (Ok(a), Ok(b)) => as_json(&a).is_some() && as_json(&a) == as_json(&b),
        (Err(a), Err(b)) => a == b,
        _ => false,
    }
}

impl<P> Compact<P> {
    /// The same document with its `paths` read another way.
    fn with_paths<Q>(self, paths: Q) -> Compact<Q> {
        Compact {
            format: self.format,
            platform: self.platform,
            names: self.names,
            scope_reqs: self.scope_reqs,
            perm_reqs: self.perm_reqs,
            notes: self.notes,
            paths,
            catalog_is_names: self.catalog_is_names,
        }
    }
}

impl Compact<Paths<'_>> {
    /// Checks every index and spells out every path now (so a damaged document is refused at once), and keeps
    /// the operations in this form until they are needed. `text_len`: the length of the document.
    fn deferred(self, text_len: usize) -> Result<Matrix, String> {
        let bad = |what: &str, i: usize| {
            format!("not a Token Doctor matrix: {what} index {i} is out of range")
        };
        let name = |i: usize| self.names.get(i).cloned().ok_or_else(|| bad("name", i));
        // Checked now, built when an operation needs them (Microsoft Graph lists 1,475).
        for r in &self.scope_reqs {
            match r {
                ScopeReq::Word(w) if w == "unknown" || w == "public" => {}
                ScopeReq::Word(w) => {
                    return Err(format!(
                        "not a Token Doctor matrix: unknown scope requirement `{}`",
                        crate::json::clip(w, 40)
                    ));
                }
                ScopeReq::Sets { any_of, .. } => {
                    if let Some(&i) = any_of.iter().flatten().find(|&&i| i >= self.names.len()) {
                        return Err(bad("name", i));
                    }
                }
            }
        }
        let mut perms = Vec::with_capacity(self.perm_reqs.len());
        for (mode, list) in &self.perm_reqs {
            perms.push(PermissionRequirement {
                mode: *mode,
                list: list
                    .iter()
                    .map(|&i| name(i))
                    .collect::<Result<Vec<_>, _>>()?,
            });
        }
        let index = |what: &str, i: usize, len: usize| {
            u32::try_from(i)
                .ok()
                .filter(|_| i < len)
                .ok_or_else(|| bad(what, i))
        };
        let optional = |what: &str, i: i64, len: usize| match usize::try_from(i) {
            Ok(i) => index(what, i, len).map(Some),
            Err(_) => Ok(None),
        };
        // Front-coding can spell out far more path text than the document holds (each entry repeating all of the
        // previous path), and each operation holds its own copy of its path: what the operations hold is bounded.
        let most = text_len.saturating_mul(4).max(1 << 20);
        let mut held = 0usize;
        // One operation per row: what the document holds, not a guess that a hostile document could inflate.
        let mut d = Deferred {
            rows: Vec::with_capacity(self.paths.rows.len()),
            ..Deferred::default()
        };
        let mut path = String::new();
        let mut many_methods: std::collections::HashMap<String, usize> = Default::default();
        let mut rows = self.paths.rows.into_iter();
        for (k, rest, count) in self.paths.entries {
            if k > 0 {
                let keep = prefix_len(&path, k).ok_or_else(|| bad("path prefix", k))?;
                path.truncate(keep);
                path.push('/');
            } else {
                path.clear();
            }
            path.push_str(&rest);
            let start = d.text.len();
            d.text.push_str(&path);
            held = held.saturating_add(path.len().saturating_mul(count.max(1)));
            if held > most {
                return Err(format!(
                    "not a Token Doctor matrix: its front-coded paths spell out more than {most} bytes"
                ));
            }
            let at = (start, d.text.len());
            // As for the whole index: the templates of operations (an entry without rows only lends its prefix).
            d.colon |= count > 0 && is_colon_template(&path);
            d.paths.push(at);
            let path_ix = index("path", d.paths.len().saturating_sub(1), d.paths.len())?;
            for Row(method, s, a, p, u, notes) in rows.by_ref().take(count) {
                // A handful of methods in practice; a document of many made-up ones is looked up by hash.
                let known = d
                    .methods
                    .iter()
                    .take(FEW_METHODS)
                    .position(|m| m.eq_ignore_ascii_case(&method));
                let method = match known {
                    Some(i) => i,
                    None => {
                        let upper = method.to_ascii_uppercase();
                        match many_methods.get(&upper) {
                            Some(&i) => i,
                            None => {
                                many_methods.insert(upper.clone(), d.methods.len());
                                d.methods.push(upper);
                                d.methods.len().saturating_sub(1)
                            }
                        }
                    }
                };
                let first_note = d.note_ixs.len();
                for &n in &notes {
                    d.note_ixs.push(index("note", n, self.notes.len())?);
                }
                d.rows.push(OpRow {
                    method,
                    path: path_ix,
                    scopes: index("scope requirement", s, self.scope_reqs.len())?,
                    app: optional("scope requirement", a, self.scope_reqs.len())?,
                    perms: optional("permission requirement", p, perms.len())?,
                    user: match u {
                        1 => UserContext::Required,
                        2 => UserContext::NotRequired,
                        _ => UserContext::Unknown,
                    },
                    notes: (first_note, d.note_ixs.len()),
                });
            }
        }
        d.scopes = self
            .scope_reqs
            .into_iter()
            .map(|r| (r, OnceLock::new()))
            .collect();
        d.perms = perms;
        d.notes = self.notes;
        let mut platform = self.platform;
        if self.catalog_is_names {
            platform.scope_catalog = self.names.clone();
        }
        d.names = self.names;
        d.reset(platform.case_insensitive);
        Ok(Matrix {
            platform,
            deferred: Some(Box::new(d)),
            ..Matrix::default()
        })
    }
}

/// How many distinct methods are compared one by one before a hash table takes over.
const FEW_METHODS: usize = 16;

/// The length of the first `k` (≥ 1) `/`-separated pieces of `path`, or None when it has fewer.
fn prefix_len(path: &str, k: usize) -> Option<usize> {
    let mut seen = 0usize;
    for (i, b) in path.bytes().enumerate() {
        if b == b'/' {
            seen = seen.saturating_add(1);
            if seen == k {
                return Some(i);
            }
        }
    }
    (seen.saturating_add(1) == k).then_some(path.len())
}

/// One operation of the compact form, checked: indices into the tables of [`Deferred`].
#[derive(Debug, Clone)]
struct OpRow {
    method: usize,
    path: u32,
    scopes: u32,
    app: Option<u32>,
    perms: Option<u32>,
    user: UserContext,
    /// The range of its note indices in `Deferred::note_ixs`.
    notes: (usize, usize),
}

/// The operations under one child of the index's root, with their own index, built when first needed.
#[derive(Debug, Clone)]
struct Branch {
    rows: Vec<u32>,
    built: OnceLock<(Vec<Operation>, Index)>,
}

/// The operations of a compact matrix, checked but not built.
#[derive(Debug, Clone, Default)]
pub(super) struct Deferred {
    /// Every path template, one after the other; `paths` holds their byte ranges.
    text: String,
    paths: Vec<(usize, usize)>,
    methods: Vec<String>,
    rows: Vec<OpRow>,
    names: Vec<String>,
    /// The scope requirements as the document lists them, each built when first needed.
    scopes: Vec<(ScopeReq, OnceLock<(ScopeRequirement, usize)>)>,
    perms: Vec<PermissionRequirement>,
    notes: Vec<String>,
    note_ixs: Vec<u32>,
    colon: bool,
    case_insensitive: bool,
    branches: Branches,
}

/// The operations by first segment: the children of the index's root, found as the index finds them.
#[derive(Debug, Clone, Default)]
struct Branches {
    /// In the order of the document.
    list: Vec<Branch>,
    /// The index's root built from first segments alone (`child`): its node `n` is branch `of_node[n]`.
    nodes: Vec<Node>,
    of_node: Vec<usize>,
    /// The branch of the templates without a segment (`/`): the root's own operations.
    root: Option<usize>,
}

impl Branches {
    /// The branch of template first segment `first` (None: the template has no segment), added when new.
    /// `key`: a buffer for the lowered segment; `wide`: see [`Wide`].
    fn of(
        &mut self,
        first: Option<&str>,
        case_insensitive: bool,
        key: &mut String,
        wide: &mut Wide,
    ) -> usize {
        let list = &mut self.list;
        let mut add = || {
            list.push(Branch {
                rows: Vec::new(),
                built: OnceLock::new(),
            });
            list.len().saturating_sub(1)
        };
        let Some(first) = first else {
            return *self.root.get_or_insert_with(add);
        };
        if self.nodes.is_empty() {
            self.nodes.push(Node::default());
            self.of_node.push(usize::MAX);
        }
        let n = child(
            &mut self.nodes,
            0,
            Segment::of(first, case_insensitive),
            case_insensitive,
            key,
            wide,
        );
        if n >= self.of_node.len() {
            self.of_node.push(add());
        }
        self.of_node.get(n).copied().unwrap_or(usize::MAX)
    }
}

impl Deferred {
    /// How many branches are built.
    #[cfg(test)]
    pub(super) fn built_branches(&self) -> usize {
        self.branches
            .list
            .iter()
            .filter(|b| b.built.get().is_some())
            .count()
    }

    /// How many operations the branch of literal first segment `first` holds.
    #[cfg(test)]
    pub(super) fn branch_len(&self, first: &str) -> Option<usize> {
        let n = self.branches.nodes.first()?.children(first).next()?;
        let b = self.branches.of_node.get(n)?;
        Some(self.branches.list.get(*b)?.rows.len())
    }

    /// How many operations there are.
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether any template has a segment ending in `:` (see `segments`).
    pub(super) fn colon(&self) -> bool {
        self.colon
    }

    /// Every operation, in the order of the document.
    pub(super) fn operations(&self) -> Vec<Operation> {
        self.rows.iter().filter_map(|r| self.operation(r)).collect()
    }

    fn operation(&self, row: &OpRow) -> Option<Operation> {
        let at = |i: u32| usize::try_from(i).unwrap_or(usize::MAX);
        let &(a, b) = self.paths.get(at(row.path))?;
        let (scopes, least) = self.scope(at(row.scopes))?;
        let (app_scopes, least_app) = match row.app {
            Some(i) => {
                let (r, l) = self.scope(at(i))?;
                (Some(r), l)
            }
            None => (None, 0),
        };
        let permissions = match row.perms {
            Some(i) => Some(self.perms.get(at(i))?.clone()),
            None => None,
        };
        let notes = self
            .note_ixs
            .get(row.notes.0..row.notes.1)?
            .iter()
            .filter_map(|&n| self.notes.get(at(n)).cloned())
            .collect();
        Some(Operation {
            method: self.methods.get(row.method)?.clone(),
            path: self.text.get(a..b)?.to_string(),
            summary: None,
            scopes,
            app_scopes,
            permissions,
            user_context: row.user,
            notes,
            least_privileged: least,
            least_privileged_app: least_app,
            credentials: None,
            own_base_path: false,
        })
    }

    /// Scope requirement `i` and how many of its alternatives are the least privileged.
    fn scope(&self, i: usize) -> Option<(ScopeRequirement, usize)> {
        let (req, built) = self.scopes.get(i)?;
        let built = built.get_or_init(|| match req {
            ScopeReq::Word(w) if w == "public" => (ScopeRequirement::Public, 0),
            ScopeReq::Word(_) => (ScopeRequirement::Unknown, 0),
            ScopeReq::Sets { any_of, least } => {
                let name = |&i: &usize| self.names.get(i).cloned().unwrap_or_default();
                let alts: Vec<Vec<String>> = any_of
                    .iter()
                    .map(|set| set.iter().map(name).collect())
                    .collect();
                (ScopeRequirement::AnyOf(alts.into()), *least)
            }
        });
        Some(built.clone())
    }

    /// Sorts the operations into branches by first segment (again after `case_insensitive` changed).
    pub(super) fn reset(&mut self, case_insensitive: bool) {
        self.case_insensitive = case_insensitive;
        let mut branches = Branches::default();
        let mut key = String::new();
        let mut wide = Wide::default();
        // Operations of one path, and paths of one first segment, mostly come together.
        let mut last: Option<(u32, usize)> = None;
        let mut last_first: Option<(&str, usize)> = None;
        for (r, row) in self.rows.iter().enumerate() {
            let b = match last {
                Some((path, b)) if path == row.path => b,
                _ => {
                    let template = self
                        .paths
                        .get(usize::try_from(row.path).unwrap_or(usize::MAX))
                        .and_then(|&(a, b)| self.text.get(a..b))
                        .unwrap_or_default();
                    // The first segment (`segments` skips empty ones; joining after `:` starts later).
                    let first = template.split('/').find(|s| !s.is_empty());
                    let b = match (first, last_first) {
                        (Some(f), Some((prev, b))) if f == prev => b,
                        _ => branches.of(first, case_insensitive, &mut key, &mut wide),
                    };
                    last_first = first.map(|f| (f, b));
                    b
                }
            };
            if let Some(branch) = branches.list.get_mut(b) {
                branch.rows.push(u32::try_from(r).unwrap_or(u32::MAX));
            }
            last = Some((row.path, b));
        }
        wide.finish(&mut branches.nodes);
        if let Some(root) = branches.nodes.first_mut() {
            root.order_mixed();
        }
        self.branches = branches;
    }

    /// Looks `method` `path` up in the branches the called path's first segment can take, building them when
    /// needed. None when it is not found there: the whole matrix is needed for the nearest operations.
    pub(super) fn find<'m>(&'m self, m: &Matrix, method: &str, path: &str) -> Option<Lookup<'m>> {
        let called = Called::new(m, self.colon, self.case_insensitive, path);
        let Some(keys) = called.keys() else {
            // Too many segments: not an API path (the whole index says the same, with no nearest ones).
            return Some(Lookup::NotFound {
                nearest: Vec::new(),
            });
        };
        // The root is visited first, as `Index::find` counts it; then its children in the index's order, each
        // from its own branch.
        let mut budget = VISIT_BUDGET.checked_sub(1)?;
        let mut found = None;
        let mut look = |b: usize| {
            let (ops, index) = self.built(b)?;
            let i = index.find_in(index.nodes.first()?, &keys, method, ops, &mut budget)?;
            let op = ops.get(i)?;
            found = Some(Lookup::Found {
                op,
                params: index.params(&op.path, &called),
            });
            Some(())
        };
        match keys.first() {
            None => {
                self.branches.root.and_then(&mut look);
            }
            Some(seg) => {
                let root = self.branches.nodes.first()?;
                for n in root.children(seg) {
                    if self
                        .branches
                        .of_node
                        .get(n)
                        .copied()
                        .and_then(&mut look)
                        .is_some()
                    {
                        break;
                    }
                }
            }
        }
        found
    }

    /// Branch `b`'s operations and index.
    fn built(&self, b: usize) -> Option<&(Vec<Operation>, Index)> {
        let branch = self.branches.list.get(b)?;
        Some(branch.built.get_or_init(|| {
            let ops: Vec<Operation> = branch
                .rows
                .iter()
                .filter_map(|&r| self.rows.get(usize::try_from(r).unwrap_or(usize::MAX)))
                .filter_map(|r| self.operation(r))
                .collect();
            let index = Index::build(&ops, self.colon, self.case_insensitive);
            (ops, index)
        }))
    }
}

/// The fast reader of `paths`.
pub(super) mod canonical;
