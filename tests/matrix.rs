//! The built-in matrices (spot checks against the public data they come from) and path matching edge cases.
//! Runs natively and in headless Chromium (the matrices are compiled in).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use std::io::Write;
use token_doctor::matrix::{
    Check, Lookup, Matrix, Operation, PermissionMode, PermissionRequirement, PlatformInfo,
    ScopeRequirement, UserContext,
};

const GENESYS: &str = include_str!("../www/matrices/genesys-cloud.json");
const GRAPH: &str = include_str!("../www/matrices/microsoft-graph.json");
const CXONE: &str = include_str!("../www/matrices/nice-cxone.json");

use common::found;

fn nearest(m: &Matrix, method: &str, path: &str) -> Vec<String> {
    match m.lookup(method, path) {
        Lookup::Found { op, .. } => panic!(
            "{method} {path} unexpectedly matched {} {}",
            op.method, op.path
        ),
        Lookup::NotFound { nearest } => nearest
            .iter()
            .map(|o| format!("{} {}", o.method, o.path))
            .collect(),
    }
}

fn sets(list: &[&[&str]]) -> ScopeRequirement {
    ScopeRequirement::AnyOf(
        list.iter()
            .map(|s| s.iter().map(|x| x.to_string()).collect())
            .collect(),
    )
}

fn gzip_len(text: &str) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap().len()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn built_ins_stay_within_the_download_budget_and_name_their_sources() {
    for (text, id, commit) in [
        (
            GENESYS,
            "genesys-cloud",
            "e09e27aa2f5657f4aa76f526bb909e893199d384",
        ),
        (
            GRAPH,
            "microsoft-graph",
            "6cbd6bbd665a877560fdefbad74f3bdb5b57af88",
        ),
        (
            CXONE,
            "nice-cxone",
            "abf046da283c2007a6d206e3cf92ecbd63f013e0",
        ),
    ] {
        assert!(
            gzip_len(text) <= 100 * 1024,
            "{id} is {} bytes gzipped",
            gzip_len(text)
        );
        let m = Matrix::from_json(text).unwrap();
        assert_eq!(m.platform.id, id);
        assert!(
            m.platform
                .provenance
                .sources
                .iter()
                .any(|s| s.contains(commit)),
            "{id}: {:?}",
            m.platform.provenance.sources
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn genesys_operations_scopes_and_permissions() {
    let m = Matrix::from_json(GENESYS).unwrap();
    assert_eq!(m.operations().len(), 3348);
    assert_eq!(m.platform.base_paths, vec!["/api/v2"]);

    // From the JS SDK docs (permissions) and the derived scope catalog (scopes), see matrix_sources.md §1.3.
    let (call, _) = found(&m, "POST", "/api/v2/conversations/calls");
    assert_eq!(call.scopes, sets(&[&["conversations"]]));
    assert_eq!(
        call.permissions,
        Some(PermissionRequirement {
            mode: PermissionMode::Any,
            list: vec!["conversation:conference:add".into()]
        })
    );
    assert_eq!(m.full_path(call), "/api/v2/conversations/calls");
    let (callback, _) = found(&m, "POST", "/api/v2/conversations/callbacks");
    assert_eq!(
        callback.permissions.as_ref().unwrap().mode,
        PermissionMode::All
    );
    // Any one listed scope is enough: the read-write scope or its :readonly twin.
    let (campaigns, _) = found(&m, "GET", "/api/v2/outbound/campaigns");
    assert_eq!(
        campaigns.scopes,
        sets(&[&["outbound"], &["outbound:readonly"]])
    );
    assert_eq!(
        campaigns.scopes.check(&["outbound:readonly"], false),
        Check::Met {
            by: vec!["outbound:readonly".into()]
        }
    );
    let (put_campaign, params) = found(&m, "PUT", "/api/v2/outbound/campaigns/c-1");
    assert_eq!(put_campaign.scopes, sets(&[&["outbound"]]));
    assert_eq!(params, vec![("campaignId".to_string(), "c-1".to_string())]);
    // "Requires NO permissions" is a known empty requirement, not an unknown one.
    let (participants, _) = found(&m, "POST", "/api/v2/conversations/calls/x/participants");
    assert_eq!(
        participants
            .permissions
            .as_ref()
            .unwrap()
            .check::<&str>(&[]),
        Check::NotNeeded
    );
    // Guest operations have no security; `/date` needs a token but no particular scope.
    assert_eq!(
        found(&m, "POST", "/api/v2/webchat/guest/conversations")
            .0
            .scopes,
        ScopeRequirement::Public
    );
    assert_eq!(found(&m, "GET", "/api/v2/date").0.scopes, sets(&[&[]]));
    // Operations the scope data does not cover are unknown, never guessed.
    assert_eq!(
        found(&m, "GET", "/api/v2/agentic/virtualagents").0.scopes,
        ScopeRequirement::Unknown
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn genesys_user_context_regions_and_catalog() {
    let m = Matrix::from_json(GENESYS).unwrap();
    let (me, _) = found(
        &m,
        "GET",
        "https://api.mypurecloud.ie/api/v2/users/me?expand=presence",
    );
    assert_eq!(me.user_context, UserContext::Required);
    assert_eq!(me.scopes, sets(&[&["user-basic-info"]]));
    assert_eq!(
        found(&m, "GET", "/api/v2/voicemail/me/messages")
            .0
            .user_context,
        UserContext::Required
    );
    assert_eq!(
        found(&m, "POST", "/api/v2/conversations/emails/c1/reconnect")
            .0
            .user_context,
        UserContext::Required
    );
    // `/tokens/me` describes any token (client credentials too); `/organizations/me` is the organization.
    assert_eq!(
        found(&m, "GET", "/api/v2/tokens/me").0.user_context,
        UserContext::Unknown
    );
    assert_eq!(
        found(&m, "GET", "/api/v2/organizations/me").0.user_context,
        UserContext::Unknown
    );
    // `DELETE /users/me` does not exist; it is `DELETE /users/{userId}` with userId=me.
    assert_eq!(
        found(&m, "DELETE", "/api/v2/users/me").1,
        vec![("userId".to_string(), "me".to_string())]
    );

    assert_eq!(m.platform.regions.len(), 18);
    assert_eq!(
        m.platform
            .region_of_host("api.mypurecloud.ie")
            .unwrap()
            .name,
        "eu_west_1"
    );
    assert_eq!(
        m.platform
            .region_of_host("login.usw2.pure.cloud")
            .unwrap()
            .name,
        "us_west_2"
    );
    assert_eq!(
        m.platform
            .region_of_host("api.mypurecloud.com.au")
            .unwrap()
            .name,
        "ap_southeast_2"
    );
    assert_eq!(
        m.platform
            .region_of_host("api.edee1.eusc-pure.cloud")
            .unwrap()
            .login_host
            .as_deref(),
        Some("login.edee1.eusc-pure.cloud")
    );
    assert!(m.platform.matches_host("api.use2.us-gov-pure.cloud"));
    assert!(!m.platform.matches_host("graph.microsoft.com"));

    assert_eq!(m.platform.scope_catalog.len(), 124);
    assert!(m.knows_scope("conversations"));
    assert!(!m.knows_scope("interactions:write"));
    let close = m.closest_scopes("interactions:write", 3);
    assert_eq!(close.len(), 3);
    assert!(close.iter().all(|s| m.knows_scope(s)), "{close:?}");
    assert_eq!(
        m.closest_scopes("conversations:read", 1),
        vec!["conversations:readonly".to_string()]
    );
    for topic in [
        "scope",
        "permission",
        "grant",
        "scope_enforcement",
        "region",
    ] {
        assert!(m.platform.guidance.contains_key(topic), "{topic}");
    }
    // There is no `/api/v2/interactions`: the nearest real operations are offered.
    assert!(!nearest(&m, "POST", "/api/v2/interactions").is_empty());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn graph_delegated_and_application_permissions() {
    let m = Matrix::from_json(GRAPH).unwrap();
    assert!(m.platform.case_insensitive);
    assert_eq!(m.platform.scope_catalog.len(), 917);
    for aud in [
        "https://graph.microsoft.com",
        "https://graph.microsoft.com/",
        "00000003-0000-0000-c000-000000000000",
    ] {
        assert!(m.platform.audiences.iter().any(|a| a == aud), "{aud}");
    }

    let (send, _) = found(&m, "POST", "/v1.0/me/sendMail");
    assert_eq!(
        send.least_privileged_scopes(),
        &[vec!["Mail.Send".to_string()]]
    );
    assert_eq!(
        send.scopes_for(false).check(&["Mail.Send"], false),
        Check::Met {
            by: vec!["Mail.Send".into()]
        }
    );
    assert_eq!(
        send.least_privileged_app_scopes(),
        &[vec!["Mail.Send".to_string()]]
    );
    assert_eq!(send.user_context, UserContext::Required);
    let (send_as, _) = found(&m, "POST", "/v1.0/users/adele@contoso.com/sendMail");
    assert_eq!(send_as.user_context, UserContext::NotRequired);
    assert_eq!(
        send_as.scopes_for(true).check(&["Mail.Send"], false),
        Check::Met {
            by: vec!["Mail.Send".into()]
        }
    );

    // GET /me: User.Read is the least privileged; higher ones are accepted too (any one is enough).
    let (me, _) = found(&m, "GET", "/v1.0/me");
    assert_eq!(
        me.least_privileged_scopes(),
        &[vec!["User.Read".to_string()]]
    );
    assert_eq!(
        me.scopes.check(&["User.ReadWrite.All"], false),
        Check::Met {
            by: vec!["User.ReadWrite.All".into()]
        }
    );
    match me.scopes.check(&["Mail.Read"], false) {
        Check::Unmet { missing } => assert_eq!(missing[0], vec!["User.Read".to_string()]),
        other => panic!("{other:?}"),
    }
    // /users/{id} takes application permissions in `roles`.
    let (user, params) = found(&m, "GET", "/v1.0/users/8a1f");
    assert_eq!(params, vec![("id".to_string(), "8a1f".to_string())]);
    assert!(
        user.app_scopes
            .as_ref()
            .unwrap()
            .names()
            .contains(&"User.Read.All")
    );
    assert_eq!(user.user_context, UserContext::NotRequired);
    // Application-only and delegated-only operations say so.
    let app_only = m
        .operations()
        .iter()
        .find(|o| o.scopes.grants_nothing())
        .expect("an app-only operation");
    assert!(
        app_only
            .notes
            .iter()
            .any(|n| n.contains("No delegated permission"))
    );
    let delegated_only = m
        .operations()
        .iter()
        .find(|o| {
            o.app_scopes
                .as_ref()
                .is_some_and(ScopeRequirement::grants_nothing)
        })
        .unwrap();
    assert_eq!(delegated_only.user_context, UserContext::Required);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn graph_path_rules() {
    let m = Matrix::from_json(GRAPH).unwrap();
    // /v1.0 and /beta, case-insensitive, trailing slash, query and fragment ignored, full URLs.
    for path in [
        "/v1.0/me/sendMail",
        "/beta/me/sendmail",
        "/V1.0/ME/SENDMAIL/",
        "https://graph.microsoft.com/v1.0/me/sendMail?x=1#frag",
        "me/sendMail",
    ] {
        assert_eq!(
            found(&m, "post", path).0.path.to_ascii_lowercase(),
            "/me/sendmail",
            "{path}"
        );
    }
    // Parameters keep their case and are percent-decoded.
    let (_, params) = found(&m, "GET", "/v1.0/users/Adele%40Contoso.com");
    assert_eq!(params[0].1, "Adele@Contoso.com");
    // Drive paths addressed by item path (`root:/a/b:`) and function segments with parameters.
    let (op, params) = found(
        &m,
        "GET",
        "/v1.0/me/drive/root:/Reports/Q1.xlsx:/workbook/worksheets/Sheet1/range(address='A1:B2')",
    );
    assert_eq!(
        op.path,
        "/me/drive/root:/{id}:/workbook/worksheets/{id}/range(address={value})"
    );
    assert_eq!(params[0].1, "Reports/Q1.xlsx");
    assert_eq!(params[2], ("value".to_string(), "'A1:B2'".to_string()));
    let (op, params) = found(
        &m,
        "GET",
        "/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')",
    );
    assert!(
        op.path
            .to_ascii_lowercase()
            .starts_with("/serviceprincipals(appid="),
        "{}",
        op.path
    );
    assert_eq!(params[0].1, "'00000003-0000-0000-c000-000000000000'");
    // Unknown operations: the same path with another method first, then typos.
    let near = nearest(&m, "DELETE", "/v1.0/me/sendMail");
    assert_eq!(near[0].to_ascii_lowercase(), "post /me/sendmail");
    assert_eq!(nearest(&m, "GET", "/v1.0/mee")[0], "GET /me");
    assert!(
        nearest(&m, "GET", "/v1.0/users/x/mesages")
            .iter()
            .any(|n| n.eq_ignore_ascii_case("get /users/{id}/messages"))
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn cxone_agent_sessions_are_known_and_scopes_are_not() {
    let m = Matrix::from_json(CXONE).unwrap();
    assert!(m.platform.scope_catalog.is_empty());
    assert!(
        m.platform
            .unknown_policy
            .as_deref()
            .unwrap()
            .contains("security profile")
    );
    assert!(m.platform.guidance["grant"].contains("access key"));
    assert!(m.platform.claims.iter().any(|c| c == "icAgentId"));
    assert!(m.platform.matches_host("na1.nice-incontact.com"));
    for path in [
        "/InContactAPI/services/v23.0/agent-sessions/s-9/dialer-login?skillName=x",
        "https://api-c7.incontact.com/inContactAPI/services/v13.0/agent-sessions/s-9/dialer-login",
    ] {
        let (op, params) = found(&m, "POST", path);
        assert_eq!(op.path, "/agent-sessions/{sessionId}/dialer-login");
        assert_eq!(params, vec![("sessionId".to_string(), "s-9".to_string())]);
        assert_eq!(op.scopes, ScopeRequirement::Unknown);
        assert_eq!(op.user_context, UserContext::Required);
        assert!(op.notes[0].contains("active agent session"));
    }
    let (snooze, _) = found(
        &m,
        "POST",
        "/InContactAPI/services/v34.0/agent-sessions/s/interactions/c/snooze",
    );
    assert_eq!(snooze.scopes.check(&["openid"], false), Check::Unknown);
}

fn small(ci: bool) -> Matrix {
    let ops = [
        ("GET", "/users/{id}"),
        ("GET", "/users/me"),
        ("POST", "/users"),
        ("GET", "/users/{id}/messages/{messageId}"),
        ("GET", "/"),
    ];
    Matrix::new(
        PlatformInfo {
            id: "t".into(),
            case_insensitive: ci,
            base_paths: vec!["/api/v1".into()],
            ..Default::default()
        },
        ops.iter().map(|(mth, p)| Operation::new(mth, p)).collect(),
    )
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn matching_edge_cases() {
    let m = small(false);
    // Literal beats parameter.
    assert_eq!(found(&m, "GET", "/api/v1/users/me").0.path, "/users/me");
    assert_eq!(found(&m, "GET", "/api/v1/users/you").0.path, "/users/{id}");
    // Case rules: case-sensitive platforms do not fold literals.
    assert_eq!(found(&m, "GET", "/api/v1/users/ME").0.path, "/users/{id}");
    assert!(matches!(
        m.lookup("GET", "/USERS/x/messages/y"),
        Lookup::NotFound { .. }
    ));
    assert_eq!(found(&small(true), "GET", "/USERS/ME").0.path, "/users/me");
    // Base path optional and case-insensitive; trailing slashes, double slashes, query and fragment ignored.
    assert_eq!(
        found(&m, "GET", "/users/1/messages/2/").0.path,
        "/users/{id}/messages/{messageId}"
    );
    assert_eq!(
        found(&m, "GET", "/API/V1//users/1/messages/2?q=1#x")
            .1
            .len(),
        2
    );
    assert_eq!(found(&m, "get", "/api/v1").0.path, "/");
    // The method is part of the operation: the same path with another method is the nearest.
    assert_eq!(nearest(&m, "DELETE", "/api/v1/users")[0], "POST /users");
    // A base path must match whole segments.
    assert!(matches!(
        m.lookup("GET", "/api/v10/users/1"),
        Lookup::NotFound { .. }
    ));
    // Absurdly long paths do not match (and do not take long).
    let long = "/a".repeat(10_000);
    assert!(matches!(m.lookup("GET", &long), Lookup::NotFound { .. }));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn plain_and_compact_forms() {
    let m = small(false);
    let text = serde_json::to_string(&m).unwrap();
    let back = Matrix::from_json(&text).unwrap();
    assert_eq!(back, m);
    assert_eq!(found(&back, "GET", "/users/me").0.path, "/users/me");

    let compact = r#"{"format":"token-doctor-matrix-compact/1","platform":{"id":"x","name":"X"},
        "names":["a","b"],"scopeReqs":["unknown","public",{"anyOf":[[0],[1]],"least":1}],
        "permReqs":[["ALL",[1]]],"notes":["n"],
        "paths":[[0,"/p",[["GET",2,-1,0,1,[0]]]],[2,"{id}",[["PUT",1,2,-1,2]]]]}"#;
    let c = Matrix::from_json(compact).unwrap();
    let (get, _) = found(&c, "GET", "/p");
    assert_eq!(get.scopes, sets(&[&["a"], &["b"]]));
    assert_eq!(get.least_privileged_scopes(), &[vec!["a".to_string()]]);
    assert_eq!(get.permissions.as_ref().unwrap().list, vec!["b"]);
    assert_eq!(get.user_context, UserContext::Required);
    assert_eq!(get.notes, vec!["n"]);
    let (put, params) = found(&c, "PUT", "/p/7");
    assert_eq!(put.path, "/p/{id}");
    assert_eq!(put.scopes, ScopeRequirement::Public);
    assert_eq!(params[0].1, "7");

    // The format member read where it is not first (no fast path), and a malformed fast-path start.
    let moved = compact
        .replace(r#""format":"token-doctor-matrix-compact/1","#, "")
        .replace(
            r#""notes":["n"],"#,
            r#""notes":["n"],"format":"token-doctor-matrix-compact/1","#,
        );
    assert_eq!(Matrix::from_json(&moved).unwrap(), c);
    let spaced = format!("\n  {compact}");
    assert_eq!(Matrix::from_json(&spaced).unwrap(), c);
    assert!(
        Matrix::from_json(r#"{"format":"token-doctor-matrix-compact/1","platform":"#)
            .unwrap_err()
            .contains("not a Token Doctor matrix")
    );

    let bad = compact.replace("[[0],[1]]", "[[0],[9]]");
    assert!(
        Matrix::from_json(&bad)
            .unwrap_err()
            .contains("name index 9")
    );
    assert!(
        Matrix::from_json(r#"{"format":"something-else/9"}"#)
            .unwrap_err()
            .contains("unknown format")
    );
    assert!(Matrix::from_json("[]").is_err());
}

/// The called path for a template: each `{param}` replaced by a sample value, the first base path in front.
fn instantiate(m: &Matrix, template: &str) -> String {
    let mut out = match m.platform.base_paths.first() {
        Some(b) => b.replace("{version}", "23.0"),
        None => String::new(),
    };
    let mut n = 0;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push_str(&rest[..open]);
        n += 1;
        out.push_str(&format!("v{n}"));
        rest = &rest[close.min(rest.len())..];
    }
    out.push_str(rest);
    out
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_built_in_operation_is_found_by_its_own_path() {
    for text in [GENESYS, GRAPH, CXONE] {
        let m = Matrix::from_json(text).unwrap();
        for op in m.operations() {
            let called = instantiate(&m, &op.path);
            let (got, _) = found(&m, &op.method, &called);
            assert_eq!((&got.method, &got.path), (&op.method, &op.path), "{called}");
        }
    }
}

/// What a lookup answered, as text: the operation found and its parameters, or the nearest operations.
fn answer(l: &Lookup<'_>) -> String {
    match l {
        Lookup::Found { op, params } => format!("found {} {} {params:?}", op.method, op.path),
        Lookup::NotFound { nearest } => {
            let near: Vec<String> = nearest
                .iter()
                .map(|o| format!("{} {}", o.method, o.path))
                .collect();
            format!("not found; nearest {near:?}")
        }
    }
}

/// A built-in matrix is looked up before its operations are built, one first segment at a time
/// (`Matrix::from_json` defers them): every answer is the one the same operations indexed whole give, for each
/// operation called with values, in another case, with another method, and under an unknown last segment.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn deferred_lookups_answer_as_the_whole_matrix() {
    for text in [GENESYS, GRAPH, CXONE] {
        let deferred = Matrix::from_json(text).unwrap();
        let read = Matrix::from_json(text).unwrap();
        let whole = Matrix::new(read.platform.clone(), read.operations().to_vec());
        let base = whole
            .platform
            .base_paths
            .first()
            .cloned()
            .unwrap_or_default();
        let mut calls: Vec<(String, String)> = Vec::new();
        for (i, op) in whole.operations().iter().enumerate() {
            // `{id}` -> `v3`, in plain and mixed segments.
            let mut called = String::new();
            let mut rest = op.path.as_str();
            while let Some(open) = rest.find('{') {
                called.push_str(&rest[..open]);
                match rest[open..].find('}') {
                    Some(close) => {
                        called.push_str(&format!("v{}", i % 7));
                        rest = &rest[open + close + 1..];
                    }
                    None => {
                        called.push_str(&rest[open..]);
                        rest = "";
                    }
                }
            }
            called.push_str(rest);
            let url = format!("https://example.com{base}{called}");
            calls.push((op.method.clone(), url.clone()));
            if i % 3 == 0 {
                calls.push(("PATCH".into(), called.to_uppercase()));
                calls.push((op.method.to_lowercase(), format!("{called}/")));
            }
            if i % 40 == 0 {
                calls.push((op.method.clone(), format!("{called}/unknownThing")));
            }
        }
        calls.push(("GET".into(), "/".into()));
        calls.push(("GET".into(), String::new()));
        let mut found = 0;
        for (method, path) in &calls {
            let expected = answer(&whole.lookup(method, path));
            found += usize::from(expected.starts_with("found"));
            assert_eq!(
                answer(&deferred.lookup(method, path)),
                expected,
                "{method} {path}"
            );
        }
        assert!(
            found * 2 > calls.len(),
            "{} found of {}",
            found,
            calls.len()
        );
    }
}

/// A path of 40,000 methods, called with one it does not have: the nearest are the first five of that path, each
/// once (they were collected with a scan of the list per operation, 316 ms per diagnosis as wasm at 40,000).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn nearest_of_a_path_with_many_methods() {
    let ops = (0..40_000)
        .map(|i| Operation::new(&format!("M{i}"), "/things/{id}"))
        .collect();
    let m = Matrix::new(
        PlatformInfo {
            id: "t".into(),
            ..Default::default()
        },
        ops,
    );
    let near = nearest(&m, "GET", "/things/7");
    assert_eq!(near.len(), 5, "{near:?}");
    let unique: std::collections::HashSet<_> = near.iter().collect();
    assert_eq!(unique.len(), 5, "{near:?}");
    assert!(
        near.iter().all(|n| n.ends_with(" /things/{id}")),
        "{near:?}"
    );
}
