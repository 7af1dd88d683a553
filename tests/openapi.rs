//! OpenAPI / Swagger import: the real 4.2 MB Genesys Swagger 2.0 document, a YAML OpenAPI 3.1 document, broken
//! documents (with the JSON pointers of their problems), and the project's own formats. Runs natively and in
//! headless Chromium (fixtures are compiled in).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use std::io::Read;
use token_doctor::matrix::{
    Lookup, Matrix, Operation, PermissionMode, PermissionRequirement, PlatformInfo,
    ScopeRequirement, UserContext,
};
use token_doctor::openapi::{ImportProblem, Imported, import};

const SWAGGER_GZ: &[u8] = include_bytes!("fixtures/genesys-swagger-2018-03-21.json.gz");
const TICKETS: &str = include_str!("fixtures/openapi/tickets-3.1.yaml");
const BROKEN: &str = include_str!("fixtures/openapi/broken-2.0.json");
const INTRO: &str = r#"{"organization": {"id": "ba1cf7f7-6f6c-4328-9c2f-224a7e1aa462", "name": "Acme"}, "homeOrganization": {"id": "03073e0e-ef84-4a70-8f2d-74e06e62b912"}, "authorizedScope": [], "OAuthClient": {"id": "88444f9f-4bd3-48df-a990-2cdf8b714e9d", "name": "Queue sync", "authorizedGrantType": "CLIENT-CREDENTIALS", "roleDivisions": [{"roleId": "e418ab3b-c26a-4ded-a137-3d39cc903c4d", "divisionId": "1a3bcb7f-f759-4ac2-b1bd-6aecfb3aed68"}]}}"#;
const RESP: &str = "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\r\n{\"message\":\"You are missing the following permission(s): [routing:queue:view]\",\"code\":\"missing.permissions\",\"status\":403,\"messageParams\":{},\"contextId\":\"fccdfa72-fbb3-4cc5-b903-742597616181\",\"details\":[],\"errors\":[]}";
const TRUNCATED: &str = include_str!("fixtures/openapi/truncated-3.0.yaml");

fn found<'a>(m: &'a Matrix, method: &str, path: &str) -> &'a Operation {
    common::found(m, method, path).0
}

fn sets(list: &[&[&str]]) -> ScopeRequirement {
    ScopeRequirement::AnyOf(
        list.iter()
            .map(|s| s.iter().map(|x| x.to_string()).collect())
            .collect(),
    )
}

fn problem_at<'a>(imp: &'a Imported, pointer: &str) -> &'a ImportProblem {
    imp.problems
        .iter()
        .find(|p| p.pointer == pointer)
        .unwrap_or_else(|| panic!("no problem at {pointer}; problems: {:#?}", imp.problems))
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_real_genesys_swagger_document_imports() {
    let mut text = String::new();
    flate2::read::GzDecoder::new(SWAGGER_GZ)
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text.len(), 4_174_668);
    let imp = import(&text);
    assert_eq!(imp.format, "swagger 2.0 (json)");
    assert!(imp.problems.iter().all(|p| !p.fatal), "{:?}", imp.problems);
    let m = imp.matrix.expect("a matrix");
    assert_eq!(m.platform.id, "custom");
    assert_eq!(m.operations().len(), 932);
    assert_eq!(m.platform.hosts, vec!["api.mypurecloud.com".to_string()]);
    // The 2018 scheme's only scope, `all` ("All the scopes"), is a placeholder: no catalog, requirements unknown,
    // said once in the provenance (not per operation, and not as "no security declared").
    assert!(m.platform.scope_catalog.is_empty());
    assert!(m.platform.provenance.sources[0].contains("swagger 2.0"));
    assert!(
        m.platform
            .provenance
            .sources
            .iter()
            .any(|s| s.contains("placeholder"))
    );
    assert!(
        m.operations()
            .iter()
            .all(|o| o.scopes == ScopeRequirement::Unknown)
    );
    assert!(
        imp.problems
            .iter()
            .all(|p| !p.message.contains("declare no `security`"))
    );
    let call = found(
        &m,
        "POST",
        "https://api.mypurecloud.com/api/v2/conversations/calls",
    );
    assert_eq!(
        call.permissions,
        Some(PermissionRequirement {
            mode: PermissionMode::Any,
            list: vec!["conversation:conference:add".into()]
        })
    );
    let me = found(&m, "GET", "/api/v2/users/me");
    assert_eq!(me.user_context, UserContext::Required);
    assert!(me.notes[0].contains("Client Credentials"));
    // 329 operations carry no x-inin-requires-permissions: their permissions are unknown, not "none".
    assert_eq!(
        m.operations()
            .iter()
            .filter(|o| o.permissions.is_none())
            .count(),
        329
    );
    match m.lookup("GET", "/api/v2/users/{userId}/extra/thing") {
        Lookup::NotFound { nearest } => assert!(!nearest.is_empty()),
        other => panic!("{other:?}"),
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_yaml_openapi_31_document_imports() {
    let imp = import(TICKETS);
    assert_eq!(imp.format, "openapi 3.1 (yaml)");
    assert!(imp.problems.is_empty(), "{:#?}", imp.problems);
    let m = imp.matrix.unwrap();
    assert_eq!(m.platform.name, "Tickets API");
    assert_eq!(m.platform.hosts, vec!["*.tickets.example.com".to_string()]);
    assert_eq!(m.platform.base_paths, vec!["/api/v2", "/api/v3"]);
    assert_eq!(
        m.platform.scope_catalog,
        vec!["tickets.admin", "tickets.read", "tickets.write"]
    );
    assert!(m.platform.matches_host("acme.tickets.example.com"));
    assert_eq!(m.operations().len(), 8);

    // Document-level security is the default.
    let list = found(
        &m,
        "GET",
        "https://acme.tickets.example.com/api/v2/tickets?page=2",
    );
    assert_eq!(list.scopes, sets(&[&["tickets.read"]]));
    assert_eq!(list.summary.as_deref(), Some("List tickets"));
    // Operation-level alternatives; the API-key alternative cannot be met by a token and is left out.
    let create = found(&m, "POST", "/api/v3/tickets/");
    assert_eq!(
        create.scopes,
        sets(&[&["tickets.write"], &["tickets.admin"]])
    );
    assert!(create.notes.iter().any(|n| n.contains("API key")));
    assert_eq!(
        create.permissions.as_ref().unwrap().list,
        vec!["tickets:ticket:add", "tickets:ticket:edit"]
    );
    // A path item given by $ref; scopes of one requirement object are all needed; a merge key (<<) in YAML.
    let update = found(&m, "PATCH", "/api/v2/tickets/T-1");
    assert_eq!(update.scopes, sets(&[&["tickets.read", "tickets.write"]]));
    assert_eq!(
        update.permissions,
        Some(PermissionRequirement {
            mode: PermissionMode::All,
            list: vec!["tickets:ticket:edit".into(), "tickets:ticket:view".into()]
        })
    );
    assert_eq!(
        found(&m, "GET", "/api/v2/tickets/T-1").scopes,
        sets(&[&["tickets.read"]])
    );
    // `{}` makes the requirement optional; `security: []` makes the operation public.
    assert_eq!(
        found(&m, "POST", "/api/v2/tickets/search").scopes,
        sets(&[&["tickets.read"], &[]])
    );
    assert_eq!(
        found(&m, "GET", "/api/v2/health").scopes,
        ScopeRequirement::Public
    );
    // A bearer scheme (given by $ref) with no scopes: a token is needed, no particular scope.
    let mine = found(&m, "GET", "/api/v2/me/tickets");
    assert_eq!(mine.scopes, sets(&[&[]]));
    assert_eq!(mine.user_context, UserContext::Required);
    // Operation-level servers prefix the path; an API-key-only operation has unknown scopes and says why.
    let export = found(
        &m,
        "GET",
        "https://files.tickets.example.com/downloads/exports/e1",
    );
    assert_eq!(export.scopes, ScopeRequirement::Unknown);
    assert!(
        export
            .notes
            .iter()
            .any(|n| n.contains("not an OAuth bearer token"))
    );
    assert!(export.notes.iter().any(|n| n.contains("deprecated")));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_broken_document_reports_where_and_keeps_the_usable_parts() {
    let imp = import(BROKEN);
    assert_eq!(imp.format, "swagger 2.0 (json)");
    assert!(imp.problems.iter().all(|p| !p.fatal));
    // $ref problems, each at the place of the reference.
    assert!(
        problem_at(&imp, "/paths/~1loop/$ref")
            .message
            .contains("cycle")
    );
    assert!(
        problem_at(&imp, "/x-items/a/$ref")
            .message
            .contains("cycle")
    );
    assert!(
        problem_at(&imp, "/paths/~1missing/$ref")
            .message
            .contains("points to nothing")
    );
    assert!(
        problem_at(&imp, "/paths/~1schema/get/responses/200/schema/$ref")
            .message
            .contains("#/definitions/Missing")
    );
    assert!(
        problem_at(&imp, "/paths/~1external/get/parameters/0/$ref")
            .message
            .contains("another file")
    );
    assert!(
        problem_at(&imp, "/paths/~1loop")
            .message
            .contains("skipped")
    );
    // Bad shapes and types.
    assert!(
        problem_at(&imp, "/paths/no-slash")
            .message
            .contains("does not start with `/`")
    );
    assert!(
        problem_at(&imp, "/paths/~1types/get")
            .message
            .contains("must be an object")
    );
    assert!(
        problem_at(&imp, "/paths/~1types/post/security")
            .message
            .contains("must be an array")
    );
    assert!(
        problem_at(&imp, "/paths/~1types/put/security/0/oauth")
            .message
            .contains("array of strings")
    );
    assert!(
        problem_at(&imp, "/paths/~1types/patch/security/0/undefined")
            .message
            .contains("not defined")
    );
    assert!(
        problem_at(&imp, "/paths/~1types/patch/security/1/oauth")
            .message
            .contains("`undeclared`")
    );
    assert!(
        problem_at(
            &imp,
            "/paths/~1types/delete/x-inin-requires-permissions/type"
        )
        .message
        .contains("ANY or ALL")
    );
    assert!(
        problem_at(
            &imp,
            "/paths/~1types/head/x-inin-requires-permissions/permissions"
        )
        .message
        .contains("array")
    );
    assert!(
        problem_at(
            &imp,
            "/paths/~1types/options/x-inin-requires-permissions/permissions/1"
        )
        .message
        .contains("must be a string")
    );

    // What is usable is imported.
    let m = imp.matrix.expect("usable parts");
    assert_eq!(m.platform.base_paths, vec!["/api"]);
    assert_eq!(found(&m, "GET", "/api/ok").scopes, sets(&[&["read"]]));
    assert_eq!(
        found(&m, "POST", "/api/types").scopes,
        ScopeRequirement::Unknown
    );
    assert_eq!(
        found(&m, "PUT", "/api/types").scopes,
        ScopeRequirement::Unknown
    );
    assert_eq!(
        found(&m, "PATCH", "/api/types").scopes,
        sets(&[&["undeclared", "write"]])
    );
    assert_eq!(found(&m, "DELETE", "/api/types").permissions, None);
    assert_eq!(
        found(&m, "OPTIONS", "/api/types")
            .permissions
            .as_ref()
            .unwrap()
            .list,
        vec!["a:b:c"]
    );
    assert!(matches!(
        m.lookup("GET", "/api/loop"),
        Lookup::NotFound { .. }
    ));
    assert!(matches!(
        m.lookup("GET", "/api/types"),
        Lookup::NotFound { .. }
    ));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_cut_off_yaml_document_keeps_what_comes_before_the_error() {
    let imp = import(TRUNCATED);
    assert_eq!(imp.format, "openapi 3.0 (yaml)");
    let syntax = problem_at(&imp, "/paths/~1broken/get/summary");
    assert!(
        syntax.message.contains("YAML syntax error at line"),
        "{}",
        syntax.message
    );
    assert!(!syntax.fatal);
    let m = imp.matrix.expect("the part before the error");
    assert_eq!(m.platform.base_paths, vec!["/v1"]);
    assert_eq!(
        found(&m, "GET", "/v1/profile").scopes,
        sets(&[&["profile"]])
    );
    assert_eq!(
        found(&m, "PUT", "/v1/settings").scopes,
        sets(&[&["settings.write"]])
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn unusable_documents_are_fatal_with_a_reason() {
    let imp = import("{\"openapi\": \"3.0.0\", \"paths\": {\"/a\": ");
    assert!(imp.matrix.is_none());
    assert!(imp.problems[0].fatal);
    assert!(
        imp.problems[0].message.contains("not valid JSON"),
        "{:?}",
        imp.problems
    );
    assert!(imp.problems[0].message.contains("line 1"));

    let imp = import("[1, 2]");
    assert!(imp.problems[0].fatal && imp.problems[0].message.contains("an array"));

    let imp = import("title: not an api\n");
    assert!(imp.matrix.is_none());
    assert!(imp.problems[0].message.contains("neither `openapi`"));

    let imp = import("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n");
    assert!(imp.matrix.is_none());
    assert!(problem_at(&imp, "/paths").fatal);

    let imp = import("");
    assert!(imp.matrix.is_none() && imp.problems[0].fatal);

    let huge = " ".repeat(token_doctor::limits::MAX_MATRIX_BYTES + 1);
    let imp = import(&huge);
    assert!(imp.matrix.is_none());
    assert!(imp.problems[0].message.contains("at most"));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn json_nesting_is_bounded() {
    let deep = format!(
        "{{\"openapi\":\"3.0.0\",\"x\":{}{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let imp = import(&deep);
    assert!(imp.matrix.is_none());
    assert!(
        imp.problems[0].message.contains("nested deeper than 128"),
        "{:?}",
        imp.problems
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_projects_own_formats_import() {
    let plain = Matrix::new(
        PlatformInfo {
            id: "custom".into(),
            name: "Hand-written".into(),
            base_paths: vec!["/v9".into()],
            ..Default::default()
        },
        vec![Operation {
            scopes: sets(&[&["a.read"]]),
            ..Operation::new("get", "/things/{id}")
        }],
    );
    let text = serde_json::to_string(&plain).unwrap();
    let imp = import(&text);
    assert_eq!(imp.format, "token-doctor matrix");
    let m = imp.matrix.unwrap();
    assert_eq!(m, plain);
    assert_eq!(
        found(&m, "GET", "/v9/things/42").scopes,
        sets(&[&["a.read"]])
    );

    // The same matrix written as YAML.
    let yaml = "platform: {id: custom, name: Y}\noperations:\n  - {method: GET, path: /y, scopes: {type: anyOf, sets: [[y.read]]}}\n";
    let imp = import(yaml);
    assert_eq!(imp.format, "token-doctor matrix");
    assert_eq!(
        found(imp.matrix.as_ref().unwrap(), "GET", "/y").scopes,
        sets(&[&["y.read"]])
    );

    // The compact form of the built-ins.
    let imp = import(include_str!("../www/matrices/nice-cxone.json"));
    assert_eq!(imp.format, "token-doctor matrix");
    let m = imp.matrix.unwrap();
    assert_eq!(m.platform.id, "custom");
    assert!(
        m.platform
            .provenance
            .sources
            .iter()
            .any(|s| s.contains("`nice-cxone`"))
    );
    assert_eq!(m.operations().len(), 12);
}

// Large hostile shapes: the work stays linear in the document and the answer bounded. No timings: each of these
// documents took seconds to minutes (or gave a result of tens of megabytes) while some step was quadratic.

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn references_under_a_long_key_give_clipped_pointers() {
    // 5,000 distinct missing references and 5,000 uses of one more under a 100 KB path template (with an escape,
    // so the parser cannot borrow the key): each problem's pointer was the whole key (a 20 MB result).
    let key = format!("/{}\\u006b/x", "k".repeat(100_000));
    let distinct: Vec<String> = (0..5000)
        .map(|i| format!(r##"{{"$ref":"#/components/schemas/A{i}"}}"##))
        .collect();
    let same: Vec<String> = (0..5000)
        .map(|i| format!(r##""p{i:05}":{{"$ref":"#/components/schemas/Gone"}}"##))
        .rev()
        .collect();
    let doc = format!(
        r##"{{"openapi":"3.0.0","paths":{{"{key}":{{"get":{{"security":[],"responses":{{"200":{{"schema":{{"allOf":[{}],"properties":{{{}}}}}}}}}}}}}}},"components":{{"schemas":{{"A":{{}}}}}}}}"##,
        distinct.join(","),
        same.join(",")
    );
    let imp = import(&doc);
    assert_eq!(imp.problems.len(), 201, "{:?}", &imp.problems[..3]);
    assert_eq!(
        imp.problems[200].message,
        "4801 more problems are not listed."
    );
    // 500 characters and the ellipsis.
    let clipped = format!("/paths/~1{}…", "k".repeat(491));
    for p in &imp.problems[..200] {
        assert_eq!(p.pointer, clipped);
        assert!(p.message.contains("points to nothing"), "{}", p.message);
    }
    // The tree, which visits the uses in order, reports the same.
    assert_eq!(imp, token_doctor::openapi::import_whole_tree(&doc));

    // Under a short key, the first use in the tree's order is the one reported (the last one in the text).
    let doc = doc
        .replace(&key, "/short")
        .replace("\"properties\"", "\"$defs\"");
    let imp = import(&doc);
    let gone = &imp.problems[0];
    assert_eq!(
        gone.pointer,
        "/paths/~1short/get/responses/200/schema/$defs/p00000/$ref"
    );
    assert!(gone.message.contains("`#/components/schemas/Gone`"));
    assert!(gone.message.ends_with("(used in 5000 places)."));
    assert_eq!(imp, token_doctor::openapi::import_whole_tree(&doc));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn yaml_under_a_long_key_is_read_once() {
    // The YAML reader spelled the pointer of its place for every value it read: a 100 KB explicit key over 50,000
    // items took 5.8 s in wasm. Now a pointer is spelled only for a problem that is listed, and clipped: here
    // 30,000 repeated keys under the long key (each a problem that named the whole key: 3 GB of pointers).
    let key = "k".repeat(100_000);
    let doc = format!(
        "openapi: 3.0.0\npaths: {{}}\n? {key}\n:\n{}? {key}\n: {{{}}}\n",
        "- 1\n".repeat(50_000),
        vec!["a: 1"; 30_000].join(", ")
    );
    let imp = import(&doc);
    // 29,999 repeated `a` (200 listed) and the repeated long key, counted; no usable operation (fatal: listed).
    assert_eq!(imp.problems.len(), 202);
    let clipped = format!("/{}…", "k".repeat(499));
    for p in &imp.problems[..200] {
        assert_eq!(p.pointer, clipped);
        assert_eq!(
            p.message,
            "The key `a` appears twice; the last one is used."
        );
    }
    assert!(imp.problems[200].fatal);
    assert_eq!(
        imp.problems[201].message,
        "29800 more problems are not listed."
    );

    // Maps nested 120 deep around 200,000 items: the same reading at any depth.
    let doc = format!(
        "openapi: 3.0.0\npaths: {{}}\nx: {}[{}]{}\n",
        "{k: ".repeat(120),
        vec!["1"; 200_000].join(","),
        "}".repeat(120)
    );
    let imp = import(&doc);
    assert_eq!(imp.problems.len(), 1, "{:?}", imp.problems);
    assert!(imp.problems[0].message.contains("No usable operation"));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn many_servers_and_scopes_are_read_in_one_pass() {
    // 40,000 document servers, each listed twice, were deduplicated with `Vec::contains` (40,000: 3.3 s in wasm);
    // a path item's servers were compared with every base path.
    let servers: Vec<serde_json::Value> = (0..80_000)
        .map(|i| serde_json::json!({"url": format!("https://h{}.example.com/base{}", i % 40_000, i % 40_000)}))
        .collect();
    let doc = serde_json::json!({"openapi": "3.0.0", "servers": servers, "security": [],
        "paths": {"/a": {"servers": [{"url": "https://h7.example.com/base7"}], "get": {}},
                  "/b": {"servers": [{"url": "https://h7.example.com/other"}], "get": {}}}});
    let m = import(&doc.to_string()).matrix.unwrap();
    assert_eq!(m.platform.hosts.len(), 40_000);
    assert_eq!(m.platform.hosts[0], "h0.example.com");
    assert_eq!(m.platform.hosts[39_999], "h39999.example.com");
    // Longest first, and in the document's order among the same length.
    assert_eq!(m.platform.base_paths.len(), 40_000);
    assert_eq!(m.platform.base_paths[0], "/base10000");
    assert_eq!(m.platform.base_paths[39_999], "/base9");
    let paths: Vec<&str> = m.operations().iter().map(|o| o.path.as_str()).collect();
    assert_eq!(paths, ["/a", "/other/b"]);

    // A scheme of 50,000 scopes, all required, and one more that it does not declare: each was looked up in
    // the whole list (3.5 s in wasm).
    let names: Vec<String> = (0..50_000).map(|i| format!("scope{i}")).collect();
    let scopes: serde_json::Map<String, serde_json::Value> =
        names.iter().map(|x| (x.clone(), "".into())).collect();
    let mut required = names.clone();
    required.push("undeclared".into());
    let doc = serde_json::json!({"openapi": "3.0.0", "paths": {"/a": {"get": {}}}, "security": [{"o": required}],
        "components": {"securitySchemes": {"o": {"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a", "scopes": scopes}}}}}});
    let imp = import(&doc.to_string());
    assert_eq!(imp.problems.len(), 1, "{:?}", imp.problems);
    assert_eq!(
        imp.problems[0].message,
        "The scope `undeclared` is not declared by the scheme `o`."
    );
    let m = imp.matrix.unwrap();
    assert_eq!(m.platform.scope_catalog.len(), 50_000);
    match &m.operations()[0].scopes {
        ScopeRequirement::AnyOf(sets) => assert_eq!(sets[0].len(), 50_001),
        other => panic!("{other:?}"),
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_default_security_is_read_once_for_every_operation() {
    // 20,000 operations under a default `security` of 2,000 scopes: it was read again for each operation, every
    // scope looked up in the scheme's list, and each operation kept its own copy (65 s natively, 0.5 GB).
    let names: Vec<String> = (0..2000).map(|i| format!("scope{i}")).collect();
    let scopes: serde_json::Map<String, serde_json::Value> =
        names.iter().map(|x| (x.clone(), "".into())).collect();
    let mut required = names.clone();
    required.push("undeclared".into());
    let paths: serde_json::Map<String, serde_json::Value> = (0..20_000)
        .map(|i| (format!("/p{i}"), serde_json::json!({"get": {}})))
        .collect();
    let doc = serde_json::json!({"openapi": "3.0.0", "paths": paths, "security": [{"o": required}],
        "components": {"securitySchemes": {"o": {"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a", "scopes": scopes}}}}}});
    let imp = import(&doc.to_string());
    // Reported for each operation, as before.
    assert_eq!(imp.problems.len(), 201);
    assert_eq!(
        imp.problems[199].message,
        "The scope `undeclared` is not declared by the scheme `o`."
    );
    assert_eq!(imp.problems[199].pointer, "/security/0/o");
    assert_eq!(
        imp.problems[200].message,
        "19800 more problems are not listed."
    );
    let m = imp.matrix.unwrap();
    let requirement = |i: usize| match &m.operations()[i].scopes {
        ScopeRequirement::AnyOf(sets) => sets.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(requirement(0)[0].len(), 2001);
    assert!(std::sync::Arc::ptr_eq(
        &requirement(0),
        &requirement(19_999)
    ));

    // Credentials a token cannot satisfy: a note names eight kinds (each clipped), and counts the rest.
    let mut schemes = serde_json::Map::new();
    let mut alternative = serde_json::Map::new();
    for i in 0..10 {
        schemes.insert(
            format!("h{i}"),
            serde_json::json!({"type": "http", "scheme": format!("{i}{}", "x".repeat(100_000))}),
        );
        alternative.insert(format!("h{i}"), serde_json::json!([]));
    }
    let doc = serde_json::json!({"openapi": "3.0.0", "paths": {"/a": {"get": {}}, "/b": {"get": {}}},
        "security": [alternative], "components": {"securitySchemes": schemes}});
    let m = import(&doc.to_string()).matrix.unwrap();
    let note = &m.operations()[1].notes[0];
    assert!(
        note.starts_with("This operation accepts HTTP 0xxx"),
        "{note}"
    );
    assert!(note.ends_with("x… (2 more kinds) credentials, not an OAuth bearer token."));
    assert!(note.len() < 8 * 50 + 100, "{}", note.len());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_long_cycle_of_references_is_walked_once() {
    // A cycle through 40,000 parameters: each reference was followed 64 times round it (2.4 s in wasm for
    // 2 MB). Now each pointer's chain is read once; every reference still goes through more than 64.
    for (n, reported) in [
        (40_000usize, "goes through more than 64 references"),
        (60, "leads back to itself"),
    ] {
        let params: serde_json::Map<String, serde_json::Value> = (0..n)
            .map(|i| {
                (
                    format!("c{i}"),
                    serde_json::json!({"$ref": format!("#/components/parameters/c{}", i.wrapping_add(1).checked_rem(n).unwrap())}),
                )
            })
            .collect();
        let doc =
            serde_json::json!({"openapi": "3.0.0", "security": [], "paths": {"/a": {"get": {}}},
            "components": {"parameters": params}})
            .to_string();
        let imp = import(&doc);
        let listed = n.min(200);
        assert_eq!(
            imp.problems.len(),
            listed.saturating_add(usize::from(n > 200))
        );
        assert!(
            imp.problems[..listed]
                .iter()
                .all(|p| p.message.contains(reported))
        );
        if n > 200 {
            assert_eq!(
                imp.problems[200].message,
                format!("{} more problems are not listed.", n.saturating_sub(200))
            );
        }
        assert_eq!(imp, token_doctor::openapi::import_whole_tree(&doc));
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_method_in_other_cases_is_one_operation() {
    // Methods are read in any case, and each spelling was an operation holding the whole path: the 304 spellings
    // of the eight methods under a 100 KB path (a 0.1 MB document) made 30 MB of operations.
    let mut item = serde_json::Map::new();
    for m in [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ] {
        for bits in 0..(1u32 << m.len()) {
            let spelled: String = m
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if bits & (1 << i) != 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            item.insert(spelled, serde_json::json!({"security": []}));
        }
    }
    assert_eq!(item.len(), 304);
    let path = format!("/{}", "k".repeat(100_000));
    let doc = serde_json::json!({"openapi": "3.0.0", "paths": {path.clone(): item}});
    let imp = import(&doc.to_string());
    let m = imp.matrix.unwrap();
    assert_eq!(m.operation_count(), 8);
    assert_eq!(imp.problems.len(), 201);
    assert!(
        imp.problems[0]
            .message
            .contains("is the method `delete` again")
    );

    // The lowercase spelling is read; without it, the first in the document's order of keys.
    let doc = serde_json::json!({"openapi": "3.0.0", "paths": {"/a": {
        "GET": {"summary": "upper", "security": []}, "get": {"summary": "lower", "security": []},
        "Post": {"summary": "Post", "security": []}, "POST": {"summary": "POST", "security": []}}}});
    let imp = import(&doc.to_string());
    let m = imp.matrix.unwrap();
    assert_eq!(m.operation_count(), 2);
    assert_eq!(found(&m, "GET", "/a").summary.as_deref(), Some("lower"));
    assert_eq!(found(&m, "POST", "/a").summary.as_deref(), Some("POST"));
    let skipped: Vec<&str> = imp.problems.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(skipped, ["/paths/~1a/GET", "/paths/~1a/Post"]);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_2018_genesys_documents_scope_all_is_no_requirement() {
    // Audit of 2026-11-24, fifth round (OA21): with the real 2018 document as the matrix, a client-credentials
    // token refused for a permission was told first to request the scope `all`, which Genesys does not have.
    let mut text = String::new();
    flate2::read::GzDecoder::new(SWAGGER_GZ)
        .read_to_string(&mut text)
        .unwrap();
    let request = token_doctor::request::Request {
        input: "Bearer 2giDIkidQ2iZ-gppCorL4txx0uiBfnWjJhpZrb3lO--TVhrLtLCHiEGKrEV6XwqcRkelp6EX79PndXgt2Cok-B".into(),
        operation: Some("GET https://api.mypurecloud.com/api/v2/routing/queues?pageSize=25".into()),
        matrix: Some(serde_json::Value::String(text)),
        introspection: Some(serde_json::from_str(INTRO).unwrap()),
        response: Some(RESP.into()),
        now: Some(1_795_500_000.0),
        ..Default::default()
    };
    let report = token_doctor::diagnose(&request, &token_doctor::registry::Registry::default());
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes.first(), Some(&"permission.missing"), "{codes:?}");
    assert!(
        !codes.contains(&"scope.missing") && !codes.contains(&"scope.unknown"),
        "{codes:?}"
    );
    assert!(report.findings.iter().all(|f| !f.title.contains("`all`")));
}
