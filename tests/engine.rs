//! The engine's main flows on a small inline matrix (the built-in matrices and the scenario corpus have their
//! own tests). Runs natively and in headless Chromium.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use base64::Engine;
use serde_json::json;
use token_doctor::matrix::Matrix;
use token_doctor::registry::Registry;
use token_doctor::report::{Report, RequirementState, Verdict};
use token_doctor::request::Request;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const NOW: f64 = 1_700_000_000.0;

fn jwt(claims: serde_json::Value) -> String {
    let e = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.c2lnbmF0dXJl",
        e(&json!({"alg":"RS256","typ":"JWT","kid":"k"})),
        e(&claims)
    )
}

fn registry() -> Registry {
    let m = Matrix::from_json(
        &json!({
            "platform": {"id": "genesys-cloud", "name": "Genesys Cloud", "hosts": ["*.mypurecloud.com"],
                "basePaths": [], "scopeCatalog": ["conversations", "conversations:readonly", "users", "users:readonly"],
                "regions": [{"name": "us_east_1", "apiHost": "api.mypurecloud.com", "loginHost": "login.mypurecloud.com"},
                            {"name": "eu_west_1", "apiHost": "api.mypurecloud.ie", "loginHost": "login.mypurecloud.ie"}],
                "provenance": {"sources": ["test matrix"]}},
            "operations": [
                {"method": "POST", "path": "/api/v2/conversations/calls",
                 "scopes": {"type": "anyOf", "sets": [["conversations"]]},
                 "permissions": {"mode": "ANY", "list": ["conversation:call:add"]}, "userContext": "notRequired"},
                {"method": "GET", "path": "/api/v2/users/me",
                 "scopes": {"type": "anyOf", "sets": [["users"], ["users:readonly"]]}, "userContext": "required"},
                {"method": "GET", "path": "/api/v2/users/{userId}",
                 "scopes": {"type": "anyOf", "sets": [["users"], ["users:readonly"]]}, "userContext": "notRequired"}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let mut r = Registry::default();
    r.install(m);
    r
}

fn run(req: Request) -> Report {
    token_doctor::diagnose(
        &Request {
            now: Some(NOW),
            ..req
        },
        &registry(),
    )
}

fn codes(r: &Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn genesys_opaque_token_with_tokens_me_lacking_the_scope_is_denied() {
    let r = run(Request {
        input: "Bearer AbCdEfGhIjKlMnOpQrStUvWxYz0123456789".into(),
        operation: Some("POST https://api.mypurecloud.com/api/v2/conversations/calls".into()),
        introspection: Some(json!({"authorizedScope": ["users:readonly"],
            "OAuthClient": {"id": "c", "name": "Zapier", "authorizedGrantType": "CODE", "scope": ["users:readonly"]}})),
        ..Default::default()
    });
    assert_eq!(r.verdict, Verdict::Denied, "{:?}", codes(&r));
    assert_eq!(r.findings[0].code, "scope.missing");
    assert!(
        r.findings[0].title.contains("`conversations`"),
        "{}",
        r.findings[0].title
    );
    assert!(r.findings[0].fix.iter().any(|f| f.contains("OAuth client")));
    assert!(r.summary.starts_with("Denied: "));
    let scope = r.requirements.iter().find(|c| c.kind == "scope").unwrap();
    assert_eq!(scope.state, RequirementState::Unmet);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn scope_on_client_but_not_on_token_is_a_stale_grant() {
    let r = run(Request {
        input: "opaqueTOKEN123456".into(),
        operation: Some("POST https://api.mypurecloud.com/api/v2/conversations/calls".into()),
        introspection: Some(json!({"authorizedScope": ["users:readonly"],
            "OAuthClient": {"id": "c", "authorizedGrantType": "CODE", "scope": ["users:readonly", "conversations"]}})),
        ..Default::default()
    });
    assert_eq!(r.findings[0].code, "scope.not_granted", "{:?}", codes(&r));
    assert!(
        r.findings[0]
            .detail
            .contains("refreshing never adds scopes")
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn opaque_token_without_introspection_is_unknown_not_denied() {
    let r = run(Request {
        input: "opaqueTOKEN123456".into(),
        operation: Some("POST https://api.mypurecloud.com/api/v2/conversations/calls".into()),
        ..Default::default()
    });
    assert_eq!(r.verdict, Verdict::Unknown, "{:?}", codes(&r));
    assert!(codes(&r).contains(&"token.opaque"));
    assert_eq!(
        r.requirements
            .iter()
            .find(|c| c.kind == "scope")
            .unwrap()
            .state,
        RequirementState::Unknown
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_matching_token_is_allowed_and_permissions_are_a_note() {
    let r = run(Request {
        input: "opaqueTOKEN123456".into(),
        operation: Some("POST https://api.mypurecloud.com/api/v2/conversations/calls".into()),
        introspection: Some(
            json!({"authorizedScope": ["conversations"], "OAuthClient": {"authorizedGrantType": "CODE"}}),
        ),
        ..Default::default()
    });
    assert_eq!(r.verdict, Verdict::Allowed, "{:?}", codes(&r));
    assert!(
        r.findings
            .iter()
            .all(|f| f.severity != token_doctor::report::Severity::Error)
    );
    assert!(codes(&r).contains(&"permission.unverified"));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn client_credentials_on_users_me() {
    let r = run(Request {
        input: "opaqueTOKEN123456".into(),
        operation: Some("GET /api/v2/users/me".into()),
        platform: Some("genesys-cloud".into()),
        introspection: Some(json!({"authorizedScope": ["users:readonly"], "OAuthClient": {"authorizedGrantType": "CLIENT-CREDENTIALS"}})),
        response: Some(r#"{"message":"This request requires a user context. Client credentials cannot be used for requests to this resource.","code":"bad.request","status":400,"contextId":"x"}"#.into()),
        ..Default::default()
    });
    assert_eq!(
        r.findings[0].code,
        "grant.no_user_context",
        "{:?}",
        codes(&r)
    );
    assert!(
        r.findings[0]
            .evidence
            .iter()
            .any(|e| e.source == "response")
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn literal_segment_beats_parameter_and_unknown_operation_has_neighbours() {
    let r = run(Request {
        input: "opaqueTOKEN123456".into(),
        operation: Some("GET https://api.mypurecloud.com/api/v2/users/me?expand=x".into()),
        ..Default::default()
    });
    let op = r.operation.unwrap();
    assert_eq!(op["matched"]["path"], "/api/v2/users/me");
    let r = run(Request {
        input: "opaqueTOKEN123456".into(),
        operation: Some("POST https://api.mypurecloud.com/api/v2/conversation/calls".into()),
        ..Default::default()
    });
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "operation.unknown")
        .unwrap();
    assert!(
        f.detail.contains("/api/v2/conversations/calls"),
        "{}",
        f.detail
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn unknown_scope_is_named_with_the_real_one() {
    let r = run(Request {
        input: "opaqueTOKEN123456".into(),
        operation: Some("POST https://api.mypurecloud.com/api/v2/conversations/calls".into()),
        introspection: Some(
            json!({"authorizedScope": ["users:readonly", "interactions:write"], "OAuthClient": {"authorizedGrantType": "CODE"}}),
        ),
        ..Default::default()
    });
    assert_eq!(r.findings[0].code, "scope.missing");
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "scope.unknown")
        .unwrap();
    assert!(f.title.contains("interactions:write"));
    assert!(f.detail.contains("`conversations`"), "{}", f.detail);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn region_mismatch_between_curl_login_and_api_host() {
    let r = run(Request {
        input: "curl -X POST https://login.mypurecloud.ie/oauth/token -H 'Authorization: Bearer abcdefghijkl'".into(),
        operation: Some("GET https://api.mypurecloud.com/api/v2/users/me".into()),
        ..Default::default()
    });
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "issuer.mismatch")
        .expect("region finding");
    assert!(
        f.title.contains("eu_west_1") && f.title.contains("us_east_1"),
        "{}",
        f.title
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn token_times() {
    let expired =
        jwt(json!({"sub": "u", "scope": "a", "iat": NOW as i64 - 7800, "exp": NOW as i64 - 7500}));
    let r = run(Request {
        input: expired,
        ..Default::default()
    });
    assert_eq!(r.findings[0].code, "token.expired");
    assert!(
        r.findings[0].title.contains("2 h 5 min ago"),
        "{}",
        r.findings[0].title
    );
    let future =
        jwt(json!({"sub": "u", "scope": "a", "iat": NOW as i64 + 3600, "exp": NOW as i64 + 7200}));
    assert!(
        codes(&run(Request {
            input: future,
            ..Default::default()
        }))
        .contains(&"token.clock_skew")
    );
    let overflow = jwt(json!({"sub": "u", "scope": "a", "exp": 4_102_444_800i64}));
    assert!(
        codes(&run(Request {
            input: overflow,
            ..Default::default()
        }))
        .contains(&"token.exp_overflow")
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn id_token_and_audience() {
    let id = jwt(
        json!({"iss": "https://login.microsoftonline.com/t/v2.0", "aud": "client-1", "azp": "client-1", "nonce": "n", "sub": "u", "exp": NOW as i64 + 600}),
    );
    let r = run(Request {
        input: id,
        ..Default::default()
    });
    assert_eq!(r.findings[0].code, "token.id_token");
    let for_other = jwt(
        json!({"iss": "https://idp", "aud": "api://other", "scope": "x", "sub": "u", "exp": NOW as i64 + 600}),
    );
    let r = run(Request {
        input: for_other,
        expect: Some(token_doctor::request::Expect {
            audience: Some("api://mine".into()),
            issuer: Some("https://idp/".into()),
        }),
        ..Default::default()
    });
    assert_eq!(r.findings[0].code, "audience.mismatch", "{:?}", codes(&r));
    let iss = r
        .findings
        .iter()
        .find(|f| f.code == "issuer.mismatch")
        .unwrap();
    assert!(iss.detail.contains("trailing slash"), "{}", iss.detail);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn generic_challenge_names_the_scope() {
    let t =
        jwt(json!({"iss": "https://idp", "sub": "u", "scope": "read", "exp": NOW as i64 + 600}));
    let r = run(Request {
        input: t,
        operation: Some("POST https://api.example.com/things".into()),
        response: Some("HTTP/1.1 403 Forbidden\nWWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"write\"\n\n".into()),
        ..Default::default()
    });
    assert_eq!(r.verdict, Verdict::Denied);
    assert_eq!(r.findings[0].code, "scope.missing");
    assert!(r.findings[0].title.contains("`write`"));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn dpop_bound_token_sent_as_bearer() {
    let t = jwt(
        json!({"iss": "https://idp", "sub": "u", "scope": "read", "exp": NOW as i64 + 600, "cnf": {"jkt": "abc"}}),
    );
    let r = run(Request {
        input: format!("Authorization: Bearer {t}"),
        ..Default::default()
    });
    assert_eq!(
        r.findings[0].code,
        "token.sender_constrained",
        "{:?}",
        codes(&r)
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn comparison_is_in_the_report() {
    let a = jwt(
        json!({"sub": "u", "scope": "users conversations", "iat": 10, "exp": NOW as i64 + 600}),
    );
    let b = jwt(json!({"sub": "u", "scope": "users", "iat": 5, "exp": NOW as i64 + 600}));
    let r = run(Request {
        input: b,
        previous: Some(a),
        ..Default::default()
    });
    let c = r.comparison.unwrap();
    assert_eq!(c["scopesLost"], json!(["conversations"]));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn genesys_tokens_me_with_users_me_checks_permissions_with_facts() {
    let req = |perms: serde_json::Value| Request {
        input: "opaqueTOKEN123456".into(),
        operation: Some("POST https://api.mypurecloud.com/api/v2/conversations/calls".into()),
        introspection: Some(json!({
            "tokensMe": {"authorizedScope": ["conversations"], "OAuthClient": {"authorizedGrantType": "CODE"}},
            "usersMe": {"id": "u", "authorization": {"permissions": perms}}
        })),
        ..Default::default()
    };
    let r = run(req(json!(["conversation:call:view"])));
    assert_eq!(r.findings[0].code, "permission.missing", "{:?}", codes(&r));
    assert_eq!(r.verdict, Verdict::Denied);
    let r = run(req(json!(["conversation:*:add"])));
    assert_eq!(r.verdict, Verdict::Allowed, "{:?}", codes(&r));
    let p = r
        .requirements
        .iter()
        .find(|c| c.kind == "permission")
        .unwrap();
    assert_eq!(p.state, RequirementState::Met);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_refusal_in_hand_is_never_allowed_unless_put_down_to_another_token() {
    let token = jwt(
        json!({"iss": "https://auth.example.com", "aud": "https://mcp.example.com/mcp",
        "sub": "u1", "scope": "files:read tasks:write", "iat": NOW - 60.0, "exp": NOW + 3000.0}),
    );
    let call = |response: &str| {
        run(Request {
            input: token.clone(),
            operation: Some("POST https://mcp.example.com/mcp".into()),
            response: Some(response.into()),
            ..Default::default()
        })
    };
    // The challenge names a scope the token shown has: the refusal came with another (cached) token.
    let r = call(
        "HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"tasks:write\"\r\n\r\n",
    );
    assert!(codes(&r).contains(&"scope.stale"), "{:?}", codes(&r));
    assert_eq!(r.verdict, Verdict::Allowed);
    assert!(
        r.summary.starts_with("Allowed for the token shown") && r.summary.contains("another token"),
        "{}",
        r.summary
    );
    // A bare 403, a 401 as a JSON body, a 401 pasted as text: denied, with the fallback's reason. No matrix
    // describes this API, so a 403 is access.denied: Token Doctor cannot say whether a scope or a role is missing.
    for (response, code) in [
        ("HTTP/1.1 403 Forbidden", "access.denied"),
        ("403", "access.denied"),
        (
            r#"{"statusCode":401,"message":"Unauthorized"}"#,
            "token.rejected",
        ),
        ("Request failed with status code 401", "token.rejected"),
    ] {
        let r = call(response);
        assert_eq!(r.verdict, Verdict::Denied, "{response}: {:?}", codes(&r));
        assert_eq!(r.findings[0].code, code, "{response}: {:?}", codes(&r));
        assert!(r.summary.starts_with("Denied: "), "{}", r.summary);
    }
    let r = call("403");
    assert!(
        !r.findings[0].detail.contains("look right"),
        "{}",
        r.findings[0].detail
    );
    // With the operation's requirements known and met, a bare 403 is about a role or permission.
    let r = run(Request {
        input: "opaqueTOKEN123456".into(),
        operation: Some("GET https://api.mypurecloud.com/api/v2/users/7".into()),
        introspection: Some(
            json!({"authorizedScope": ["users:readonly"], "OAuthClient": {"authorizedGrantType": "CODE"}}),
        ),
        response: Some("HTTP/1.1 403 Forbidden".into()),
        ..Default::default()
    });
    assert_eq!(r.verdict, Verdict::Denied, "{:?}", codes(&r));
    assert_eq!(r.findings[0].code, "permission.missing", "{:?}", codes(&r));
    assert!(
        r.findings[0]
            .detail
            .contains("meets the operation's scope requirements")
    );
    // An encrypted token (a warning alone) refused with 401: denied, and the summary names the encryption.
    let e = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let jwe = format!(
        "{}..aXZpdml2aXZpdml2.Y2lwaGVydGV4dA.dGFndGFndGFndGFn",
        e(json!({"alg": "dir", "enc": "A256GCM"}))
    );
    let r = run(Request {
        input: jwe,
        operation: Some("POST https://mcp.example.com/mcp".into()),
        response: Some("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"jwt malformed\"\r\n\r\n".into()),
        ..Default::default()
    });
    assert_eq!(r.verdict, Verdict::Denied, "{:?}", codes(&r));
    assert!(codes(&r).contains(&"token.encrypted"), "{:?}", codes(&r));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn when_any_one_will_do_the_title_names_the_least_privilege() {
    let m = Matrix::from_json(
        &json!({
            "platform": {"id": "genesys-cloud", "name": "Genesys Cloud", "hosts": ["*.mypurecloud.com"],
                "basePaths": [], "scopeCatalog": ["outbound", "outbound:readonly", "users:readonly"],
                "provenance": {"sources": ["test matrix"]}},
            "operations": [
                {"method": "GET", "path": "/api/v2/outbound/campaigns",
                 "scopes": {"type": "anyOf", "sets": [["outbound"], ["outbound:readonly"]]},
                 "permissions": {"mode": "ANY", "list": ["outbound:campaign:edit", "outbound:campaign:view"]}}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let mut registry = Registry::default();
    registry.install(m);
    let diagnose = |req: Request| {
        token_doctor::diagnose(
            &Request {
                now: Some(NOW),
                ..req
            },
            &registry,
        )
    };
    let r = diagnose(Request {
        input:
            r#"{"access_token":"opaqueTOKEN123456","token_type":"bearer","scope":"users:readonly"}"#
                .into(),
        operation: Some("GET https://api.mypurecloud.com/api/v2/outbound/campaigns".into()),
        ..Default::default()
    });
    let f = &r.findings[0];
    assert_eq!(f.code, "scope.missing", "{:?}", codes(&r));
    assert!(
        f.title.contains("`outbound:readonly` (or an alternative)"),
        "{}",
        f.title
    );
    let r = diagnose(Request {
        input: r#"{"access_token":"opaqueTOKEN123456","token_type":"bearer","scope":"outbound:readonly"}"#.into(),
        operation: Some("GET https://api.mypurecloud.com/api/v2/outbound/campaigns".into()),
        response: Some(r#"{"message":"You must have at least one of the following permissions assigned: [outbound:campaign:edit, outbound:campaign:view]","code":"missing.any.permissions","status":403}"#.into()),
        ..Default::default()
    });
    let f = &r.findings[0];
    assert_eq!(f.code, "permission.missing", "{:?}", codes(&r));
    assert!(
        f.title
            .ends_with("outbound:campaign:view (or another of the 2)"),
        "{}",
        f.title
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn an_inactive_token_whose_exp_is_ahead_is_not_said_to_have_expired() {
    let inactive = |exp: f64| {
        let r = run(Request {
            input: jwt(
                json!({"iss": "https://idp.example.com", "sub": "u", "scope": "a", "exp": exp}),
            ),
            introspection: Some(json!({"active": false})),
            ..Default::default()
        });
        let f = r
            .findings
            .iter()
            .find(|f| f.code == "introspection.inactive")
            .cloned();
        f.map(|f| f.detail).unwrap_or_default()
    };
    let ahead = inactive(NOW + 240.0);
    assert!(
        ahead.contains("revoked") && !ahead.contains("expired"),
        "{ahead}"
    );
    let passed = inactive(NOW - 240.0);
    assert!(
        passed.contains("the token expired (its `exp` has passed)"),
        "{passed}"
    );
}

/// What a review of the third audit's fixes found: rules that fired on words alone.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn new_rules_fire_on_what_they_are_about_not_on_words() {
    let first = |r: &Report| {
        r.findings
            .first()
            .map(|f| f.code.clone())
            .unwrap_or_default()
    };
    let token_scheme = "Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b";
    // The word "scheme" in a 200 page is no refusal of the scheme.
    let r = run(Request {
        input: token_scheme.into(),
        operation: Some("GET https://api.example.com/api/things/".into()),
        response: Some("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<meta name=\"color-scheme\" content=\"light dark\">".into()),
        ..Default::default()
    });
    assert_ne!(r.verdict, Verdict::Denied, "{:?}", codes(&r));
    // The API's own challenge asks for Token: the scheme is right, and not the cause of the 401.
    let r = run(Request {
        input: token_scheme.into(),
        operation: Some("GET https://api.example.com/api/things/".into()),
        response: Some("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Token\r\n\r\n{\"detail\":\"Invalid token.\"}".into()),
        ..Default::default()
    });
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "header.scheme_token")
        .unwrap();
    assert_eq!(f.severity, token_doctor::report::Severity::Info);
    assert_ne!(first(&r), "header.scheme_token", "{:?}", codes(&r));
    // ASP.NET names the scheme it refuses: then the scheme is the cause.
    let r = run(Request {
        input: token_scheme.into(),
        response: Some("System.InvalidOperationException: No authentication handler is configured to authenticate for the scheme: Token".into()),
        ..Default::default()
    });
    assert_eq!(first(&r), "header.scheme_token", "{:?}", codes(&r));
    // An answer that says ID tokens are not accepted keeps token.id_token the error it is.
    let id = jwt(
        json!({"iss": "https://dev-x.us.auth0.com/", "aud": "Zq1X", "sub": "auth0|1", "exp": NOW as i64 + 600, "iat": NOW as i64 - 60, "nonce": "abc"}),
    );
    let r = run(Request {
        input: id,
        operation: Some("GET https://api.acme.com/v1/orders".into()),
        response: Some("HTTP/1.1 401 Unauthorized\r\n\r\n{\"error\":\"invalid_token\",\"error_description\":\"ID tokens are not accepted; send an access token\"}".into()),
        ..Default::default()
    });
    assert_eq!(first(&r), "token.id_token", "{:?}", codes(&r));
    // "jwt must be provided" is no JWT expected from an opaque token: the API got none.
    let r = run(Request {
        input: "Authorization: Bearer vMEc0goRqG9hTCzppvEJqa-ZgIFI2g8P".into(),
        operation: Some("GET https://api.acme.com/v1/orders".into()),
        response: Some(
            "HTTP/1.1 401 Unauthorized\r\n\r\n{\"message\":\"jwt must be provided\"}".into(),
        ),
        ..Default::default()
    });
    assert!(
        r.findings
            .iter()
            .all(|f| !f.title.contains("expects a JWT")),
        "{:?}",
        codes(&r)
    );
}
