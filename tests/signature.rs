//! Signature verification. Both tiers: the core's decisions (key reading, key choice, algorithm-confusion refusal,
//! the WebCrypto plan, DER bounds). Chromium tier only: the WebCrypto verification itself, on the RFC 7515 and
//! RFC 7520 examples and on tokens signed with Node's crypto (tests/fixtures/jose/make_generated.mjs).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use token_doctor::jose;
use token_doctor::report::{Severity, Verdict};
use token_doctor::request::Request;
use token_doctor::signature::{
    self, KeyMaterial, MAX_CANDIDATES, Outcome, SignatureAssessment, assess, parse_keys,
    parse_spki, spki_der, spki_of_certificate,
};

const RFC7515: &str = include_str!("fixtures/jose/rfc7515.json");
const RFC7520: &str = include_str!("fixtures/jose/rfc7520.json");
const GENERATED: &str = include_str!("fixtures/jose/generated.json");

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn rfc_examples() -> Vec<Value> {
    let mut all = json(RFC7515)["examples"].as_array().unwrap().clone();
    all.extend(json(RFC7520)["examples"].as_array().unwrap().clone());
    all
}

fn generated() -> Value {
    json(GENERATED)
}

fn case(alg: &str) -> Value {
    generated()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["alg"] == alg)
        .unwrap()
        .clone()
}

fn check(token: &str, keys: Value) -> SignatureAssessment {
    let decoded = jose::decode(token);
    assess(token, &decoded, Some(&keys))
}

fn status(a: &SignatureAssessment) -> &str {
    a.state["status"].as_str().unwrap()
}

fn codes(a: &SignatureAssessment) -> Vec<&str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
}

fn assert_detail(a: &SignatureAssessment, words: &str) {
    let detail = &a.findings[0].detail;
    assert!(detail.contains(words), "{words}: {detail}");
}

fn only_key_data(a: &SignatureAssessment) -> Vec<u8> {
    let plan = a.plan.as_ref().expect("a plan");
    assert_eq!(plan.candidates.len(), 1);
    plan.candidates[0].key_data.clone()
}

fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("");
    STANDARD.decode(body).unwrap()
}

/// A token with the given header and payload and a made-up signature of `sig_len` bytes.
fn unsigned_token(header: Value, payload: Value, sig_len: usize) -> String {
    let e = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(vec![7u8; sig_len]);
    format!("{}.{}.{}", e(&header), e(&payload), sig)
}

// ------------------------------------------------------------------------------------------------------------
// Both tiers: decisions
// ------------------------------------------------------------------------------------------------------------

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn rfc_examples_get_the_exact_webcrypto_calls() {
    for ex in rfc_examples() {
        let token = ex["token"].as_str().unwrap();
        let a = check(token, ex["jwk"].clone());
        let name = ex["name"].as_str().unwrap();
        assert_eq!(status(&a), "not_checked", "{name}: {:?}", a.findings);
        assert!(a.findings.is_empty(), "{name}: {:?}", a.findings);
        let plan = a.plan.as_ref().unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        assert_eq!(plan.data, input.as_bytes(), "{name}: signing input");
        assert_eq!(
            plan.signature,
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(sig)
                .unwrap()
        );
        let c = &plan.candidates[0];
        let expected = match ex["alg"].as_str().unwrap() {
            "HS256" => (
                "raw",
                json!({"name": "HMAC", "hash": "SHA-256"}),
                json!({"name": "HMAC"}),
            ),
            "RS256" => (
                "spki",
                json!({"name": "RSASSA-PKCS1-v1_5", "hash": "SHA-256"}),
                json!({"name": "RSASSA-PKCS1-v1_5"}),
            ),
            "PS384" => (
                "spki",
                json!({"name": "RSA-PSS", "hash": "SHA-384"}),
                json!({"name": "RSA-PSS", "saltLength": 48}),
            ),
            "ES256" => (
                "spki",
                json!({"name": "ECDSA", "namedCurve": "P-256"}),
                json!({"name": "ECDSA", "hash": "SHA-256"}),
            ),
            "ES512" => (
                "spki",
                json!({"name": "ECDSA", "namedCurve": "P-521"}),
                json!({"name": "ECDSA", "hash": "SHA-512"}),
            ),
            other => panic!("unexpected {other}"),
        };
        assert_eq!(
            (
                c.format,
                c.import_algorithm.clone(),
                c.verify_algorithm.clone()
            ),
            expected,
            "{name}"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_algorithm_is_planned_with_its_webcrypto_algorithm() {
    let table = [
        ("RS256", "RSASSA-PKCS1-v1_5", "SHA-256", None),
        ("RS384", "RSASSA-PKCS1-v1_5", "SHA-384", None),
        ("RS512", "RSASSA-PKCS1-v1_5", "SHA-512", None),
        ("PS256", "RSA-PSS", "SHA-256", Some(32)),
        ("PS384", "RSA-PSS", "SHA-384", Some(48)),
        ("PS512", "RSA-PSS", "SHA-512", Some(64)),
        ("ES256", "ECDSA", "P-256", None),
        ("ES384", "ECDSA", "P-384", None),
        ("ES512", "ECDSA", "P-521", None),
        ("EdDSA", "Ed25519", "", None),
        ("HS256", "HMAC", "SHA-256", None),
        ("HS384", "HMAC", "SHA-384", None),
        ("HS512", "HMAC", "SHA-512", None),
    ];
    for (alg, name, param, salt) in table {
        let c = case(alg);
        let a = check(c["token"].as_str().unwrap(), c["jwk"].clone());
        let plan = a
            .plan
            .as_ref()
            .unwrap_or_else(|| panic!("{alg}: {:?}", a.findings));
        let cand = &plan.candidates[0];
        assert_eq!(cand.import_algorithm["name"], name, "{alg}");
        let p = cand
            .import_algorithm
            .get("hash")
            .or(cand.import_algorithm.get("namedCurve"));
        assert_eq!(p.and_then(Value::as_str).unwrap_or(""), param, "{alg}");
        assert_eq!(
            cand.verify_algorithm
                .get("saltLength")
                .and_then(Value::as_u64),
            salt,
            "{alg}"
        );
        assert_eq!(cand.key["kid"], c["kid"], "{alg}");
        assert_eq!(
            a.state["key"]["kid"], c["kid"],
            "{alg}: the chosen key is shown"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn jwk_pem_certificate_and_pkcs1_give_the_same_key() {
    for alg in ["RS256", "PS512", "ES256", "ES384", "ES512", "EdDSA"] {
        let c = case(alg);
        let token = c["token"].as_str().unwrap();
        let from_jwk = only_key_data(&check(token, c["jwk"].clone()));
        let from_pem = only_key_data(&check(token, c["pem"].clone()));
        let from_cert = only_key_data(&check(token, c["cert"].clone()));
        assert_eq!(from_jwk, from_pem, "{alg}: JWK and PEM");
        assert_eq!(from_jwk, from_cert, "{alg}: JWK and certificate");
        // The SPKI rebuilt from the components is byte-identical to the one Node exported.
        assert_eq!(from_pem, pem_der(c["pem"].as_str().unwrap()), "{alg}: DER");
        if let Some(pkcs1) = c.get("pkcs1") {
            assert_eq!(
                from_jwk,
                only_key_data(&check(token, pkcs1.clone())),
                "{alg}: PKCS#1"
            );
        }
        // A certificate pasted as bare base64 (an x5c entry) and as a JWK's x5c.
        let cert_b64 = STANDARD.encode(pem_der(c["cert"].as_str().unwrap()));
        assert_eq!(
            from_jwk,
            only_key_data(&check(token, json!(cert_b64))),
            "{alg}: bare base64"
        );
        let x5c_only = json!({"kty": c["jwk"]["kty"], "kid": c["kid"], "x5c": [cert_b64]});
        assert_eq!(
            from_jwk,
            only_key_data(&check(token, x5c_only)),
            "{alg}: x5c"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_rfc_7515_ec_key_as_pem_is_the_known_spki() {
    // RFC 7515 A.3's P-256 key as the SubjectPublicKeyInfo PEM that tools print for it.
    let pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n-----END PUBLIC KEY-----\n";
    let ex = &rfc_examples()[2];
    assert_eq!(ex["alg"], "ES256");
    let token = ex["token"].as_str().unwrap();
    assert_eq!(
        only_key_data(&check(token, ex["jwk"].clone())),
        only_key_data(&check(token, json!(pem)))
    );
    assert_eq!(only_key_data(&check(token, json!(pem))), pem_der(pem));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn secrets_are_text_or_base64_explicitly() {
    let g = generated();
    let st = &g["secretText"];
    let token = st["token"].as_str().unwrap();
    let a = check(token, json!({"secret": st["secret"]}));
    assert_eq!(only_key_data(&a), st["secret"].as_str().unwrap().as_bytes());
    assert_eq!(a.plan.as_ref().unwrap().candidates[0].format, "raw");

    let c = case("HS384");
    let b64 = c["secretBase64"].as_str().unwrap();
    let a = check(c["token"].as_str().unwrap(), json!({"secretBase64": b64}));
    assert_eq!(only_key_data(&a), STANDARD.decode(b64).unwrap());

    // A bare string is never taken as a secret: the choice between text and base64 must be explicit.
    let a = check(token, json!(st["secret"]));
    assert_eq!(status(&a), "not_checked");
    assert_eq!(codes(&a), ["signature.keys_unreadable"]);
    assert_detail(&a, "secret");
    assert!(a.plan.is_none());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn an_hs_token_is_never_checked_with_a_public_key_as_its_secret() {
    let g = generated();
    let forged = g["confusion"]["token"].as_str().unwrap();
    let pem = g["confusion"]["pem"].as_str().unwrap();
    let der = pem_der(pem);
    for keys in [
        json!({"secret": pem}),
        json!(pem),
        json!({"secretBase64": STANDARD.encode(&der)}),
        json!({"keys": [case("RS256")["jwk"].clone()]}),
        json!({"secret": case("RS256")["jwk"].to_string()}),
    ] {
        let a = check(forged, keys.clone());
        assert!(a.plan.is_none(), "{keys}: no crypto is attempted");
        assert_eq!(status(&a), "not_checked", "{keys}");
        assert_eq!(codes(&a), ["signature.alg_mismatch"], "{keys}");
        let f = &a.findings[0];
        assert_eq!(f.severity, Severity::Error);
        assert!(f.title.contains("algorithm confusion"), "{}", f.title);
        assert!(f.detail.contains("public key"), "{}", f.detail);
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn keys_that_do_not_fit_the_algorithm_are_refused() {
    let rs = case("RS256");
    let es = case("ES256");
    let ps = case("PS256");
    let cases = [
        // An RS256 token and an HMAC secret.
        (
            rs["token"].clone(),
            json!({"secret": "some-shared-secret-value-1234567"}),
            "HMAC secret",
        ),
        // An ES256 token and a P-384 key (no kid in the key: the single key given is the key meant).
        (es["token"].clone(), json!(case("ES384")["pem"]), "P-384"),
        // A PS256 token and a key whose JWK says RS256.
        (
            ps["token"].clone(),
            {
                let mut k = ps["jwk"].clone();
                k["alg"] = json!("RS256");
                k
            },
            "bound to RS256",
        ),
        // An EdDSA token and an RSA key.
        (case("EdDSA")["token"].clone(), json!(rs["pem"]), "RSA"),
    ];
    for (token, keys, words) in cases {
        let a = check(token.as_str().unwrap(), keys);
        assert_eq!(codes(&a), ["signature.alg_mismatch"]);
        assert!(a.plan.is_none());
        assert_detail(&a, words);
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_key_named_by_kid_is_chosen_from_a_rotating_jwks() {
    let g = generated();
    for r in g["rotating"].as_array().unwrap() {
        let a = check(r["token"].as_str().unwrap(), g["jwks"].clone());
        let plan = a.plan.as_ref().unwrap();
        assert_eq!(plan.candidates.len(), 1);
        assert_eq!(plan.candidates[0].key["kid"], r["kid"]);
        assert_eq!(a.state["kid"], r["kid"]);
    }
    // The same JWKS as text.
    let r = &g["rotating"][1];
    let a = check(r["token"].as_str().unwrap(), json!(g["jwks"].to_string()));
    assert_eq!(a.plan.as_ref().unwrap().candidates[0].key["kid"], "2025-01");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_kid_not_in_the_keys_is_key_not_found_listing_the_kids_offered() {
    let g = generated();
    let a = check(g["unknownKid"].as_str().unwrap(), g["jwks"].clone());
    assert_eq!(status(&a), "not_checked");
    assert_eq!(codes(&a), ["signature.key_not_found"]);
    let f = &a.findings[0];
    assert_eq!(f.severity, Severity::Error);
    assert!(f.title.contains("2023-01"), "{}", f.title);
    for kid in ["2024-01", "2025-01", "2026-01", "enc-1"] {
        assert!(f.detail.contains(kid), "{kid}: {}", f.detail);
    }
    assert!(f.evidence.iter().any(|e| e.source == "kids offered"));
    // A kid that names an encryption key is not usable either, and says why.
    let token = unsigned_token(
        json!({"alg": "RS256", "kid": "enc-1"}),
        json!({"sub": "a"}),
        256,
    );
    let a = check(&token, g["jwks"].clone());
    assert_eq!(codes(&a), ["signature.key_not_found"]);
    assert_detail(&a, "encryption");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn without_kid_every_fitting_key_is_a_candidate_up_to_the_limit() {
    let g = generated();
    let rs = case("RS256");
    let mut header_no_kid = rs["token"].as_str().unwrap().to_string();
    // Re-sign is not needed: only the plan is checked here. Drop the kid from the header.
    let parts: Vec<&str> = header_no_kid.split('.').collect();
    let h = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#);
    header_no_kid = format!("{h}.{}.{}", parts[1], parts[2]);
    let a = check(&header_no_kid, g["jwks"].clone());
    let kids: Vec<&str> = a
        .plan
        .as_ref()
        .unwrap()
        .candidates
        .iter()
        .map(|c| c.key["kid"].as_str().unwrap())
        .collect();
    // The two RS256 signing keys; not the ES256 key, not the encryption key.
    assert_eq!(kids, ["2024-01", "2026-01"]);
    assert!(a.state["key"].is_null(), "no single key is claimed yet");

    let many: Vec<Value> = (0..MAX_CANDIDATES + 5)
        .map(|_| {
            let mut k = rs["jwk"].clone();
            k.as_object_mut().unwrap().remove("kid");
            k
        })
        .collect();
    let a = check(&header_no_kid, json!({"keys": many}));
    assert_eq!(a.plan.as_ref().unwrap().candidates.len(), MAX_CANDIDATES);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn unsigned_unsupported_and_keyless_tokens() {
    let none = unsigned_token(json!({"alg": "none"}), json!({"sub": "a"}), 0);
    let a = check(&none, json!(case("RS256")["pem"]));
    assert_eq!(codes(&a), ["token.unsigned"]);
    assert_eq!(status(&a), "invalid");
    let d = jose::decode(&none);
    let a = assess(&none, &d, None);
    assert_eq!(codes(&a), ["token.unsigned"]);
    assert_eq!(status(&a), "not_checked");

    for alg in ["ES256K", "Ed448", "PS999", "RSA-OAEP"] {
        let t = unsigned_token(json!({"alg": alg}), json!({"sub": "a"}), 64);
        let a = check(&t, json!(case("ES256")["pem"]));
        assert_eq!(status(&a), "unsupported", "{alg}");
        assert_eq!(codes(&a), ["signature.unsupported"], "{alg}");
        assert!(a.findings[0].title.contains(alg));
    }

    let rs = case("RS256");
    let t = rs["token"].as_str().unwrap();
    let d = jose::decode(t);
    let a = assess(t, &d, None);
    assert_eq!(status(&a), "not_checked");
    assert!(a.findings.is_empty() && a.plan.is_none());
    assert_eq!(a.state["alg"], "RS256");
    assert_eq!(a.state["kid"], rs["kid"]);
    // Blank keys are no keys.
    for blank in [json!(""), json!("  \n"), json!({}), json!(null)] {
        let a = check(t, blank);
        assert!(a.findings.is_empty() && a.plan.is_none());
    }

    let jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d";
    let a = check(jwe, json!(rs["pem"]));
    assert_eq!(status(&a), "unsupported");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn signatures_of_the_wrong_length_are_invalid_without_crypto() {
    let es = case("ES256");
    let jwk = es["jwk"].clone();
    // A DER-encoded ECDSA signature (a classic signer bug) is 70-72 bytes, not 64.
    let mut der_sig = vec![0x30u8, 0x44, 0x02, 0x20];
    der_sig.extend([1u8; 32]);
    der_sig.extend([0x02, 0x20]);
    der_sig.extend([2u8; 32]);
    let t = es["token"].as_str().unwrap();
    let input = t.rsplit_once('.').unwrap().0;
    let bad = format!(
        "{input}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&der_sig)
    );
    let a = check(&bad, jwk);
    assert_eq!(status(&a), "invalid");
    assert_eq!(codes(&a), ["signature.invalid"]);
    assert_detail(&a, "DER");
    assert!(a.plan.is_none());

    let rs = case("RS256");
    let t = rs["token"].as_str().unwrap();
    let short = format!("{}.AAAA", t.rsplit_once('.').unwrap().0);
    let a = check(&short, rs["jwk"].clone());
    assert_eq!(status(&a), "invalid");
    assert_detail(&a, "256-byte");

    let empty = format!("{}.", t.rsplit_once('.').unwrap().0);
    let a = check(&empty, rs["jwk"].clone());
    assert_eq!(status(&a), "invalid");
    assert_detail(&a, "no signature");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn unreadable_and_private_keys_are_said_plainly() {
    let t = case("RS256")["token"].as_str().unwrap().to_string();
    let private = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";
    let a = check(&t, json!(private));
    assert_eq!(
        codes(&a),
        ["signature.private_key", "signature.keys_unreadable"]
    );
    assert!(a.plan.is_none());

    for (keys, words) in [
        (json!("-----BEGIN PUBLIC KEY-----\nMFkwEw\n"), "no END line"),
        (json!("{\"keys\": [ {\"kty\": \"RSA\"} ]"), "do not parse"),
        (
            json!({"keys": [{"kty": "RSA", "kid": "x"}]}),
            "no public key parameters",
        ),
        (
            json!({"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}),
            "secp256k1",
        ),
        (json!({"kty": "OKP", "crv": "Ed448", "x": "AA"}), "Ed448"),
        (
            json!({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}),
            "32 bytes",
        ),
        (json!({"secret": ""}), "empty"),
        (json!({"secretBase64": "***"}), "not valid base64"),
        (json!({"secret": "a", "secretBase64": "YQ"}), "either"),
        (json!(42), "text or an object"),
    ] {
        let a = check(&t, keys.clone());
        assert_eq!(codes(&a), ["signature.keys_unreadable"], "{keys}");
        assert_detail(&a, words);
        assert_eq!(status(&a), "not_checked");
    }

    // A private JWK still verifies with its public part, with a warning.
    let mut jwk = case("ES256")["jwk"].clone();
    jwk["d"] = json!("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI");
    let a = check(case("ES256")["token"].as_str().unwrap(), jwk);
    assert_eq!(codes(&a), ["signature.private_key"]);
    assert!(a.plan.is_some());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn spki_rebuilt_from_components_round_trips_and_the_der_walker_is_bounded() {
    for alg in ["RS384", "ES384", "ES512", "EdDSA"] {
        let der = pem_der(case(alg)["pem"].as_str().unwrap());
        let material = parse_spki(&der).unwrap();
        assert_eq!(spki_der(&material).unwrap(), der, "{alg}");
        let cert = pem_der(case(alg)["cert"].as_str().unwrap());
        assert_eq!(spki_of_certificate(&cert).unwrap(), der.as_slice(), "{alg}");
        // Every truncation of the certificate and of the SPKI is an error, never a panic.
        for cut in 0..cert.len() {
            assert!(
                spki_of_certificate(&cert[..cut])
                    .and_then(parse_spki)
                    .is_err(),
                "{alg} cut {cut}"
            );
        }
        for cut in 0..der.len() {
            assert!(parse_spki(&der[..cut]).is_err(), "{alg} cut {cut}");
        }
    }
    assert!(
        matches!(parse_spki(&pem_der(case("RS256")["pem"].as_str().unwrap())), Ok(KeyMaterial::Rsa { ref n, .. }) if n.len() == 256)
    );
    // Hostile lengths: indefinite, 5-byte, larger than the input.
    for bad in [
        vec![0x30, 0x80, 0x00, 0x00],
        vec![0x30, 0x85, 0xff, 0xff, 0xff, 0xff, 0xff],
        vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        vec![0x30, 0x82, 0x01],
        vec![0x1f, 0x01, 0x00],
        vec![],
    ] {
        assert!(parse_spki(&bad).is_err());
        assert!(spki_of_certificate(&bad).is_err());
    }
    // Pseudo-random bytes (a fixed LCG) behind a SEQUENCE header: always an answer, never a panic.
    let mut x: u32 = 0x1234_5678;
    for round in 0..2000u32 {
        let len = (round % 300) as usize;
        let mut bytes = vec![0x30, 0x82, (len >> 8) as u8, len as u8];
        for _ in 0..len {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            bytes.push((x >> 16) as u8);
        }
        let _ = parse_spki(&bytes);
        let _ = spki_of_certificate(&bytes);
    }
    // An unknown key algorithm is named by its OID.
    let secp256k1 = "-----BEGIN PUBLIC KEY-----\nMFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEJZxtzxoxRCjyWtUVmAvZrjXdxTgWMYjZ\nYW3WHXdhr8NDZDCJQg2DzjXvBMJnnnY+3fHy0V0FmGxF3YPDjdNbjQ==\n-----END PUBLIC KEY-----\n";
    let p = parse_keys(&json!(secp256k1));
    assert!(p.keys.is_empty());
    assert!(p.problems[0].contains("1.3.132.0.10"), "{:?}", p.problems);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn outcomes_become_the_final_state() {
    let c = case("ES384");
    let planned = check(c["token"].as_str().unwrap(), c["jwk"].clone());

    let v = signature::complete(&planned, &[Outcome::Verified]);
    assert_eq!(status(&v), "verified");
    assert_eq!(v.state["key"]["kid"], "gen-es384");
    assert!(v.findings.is_empty() && v.plan.is_none());

    let r = signature::complete(&planned, &[Outcome::Rejected]);
    assert_eq!(status(&r), "invalid");
    assert_eq!(codes(&r), ["signature.invalid"]);
    assert_eq!(r.findings[0].severity, Severity::Error);
    assert!(
        r.findings[0]
            .evidence
            .iter()
            .any(|e| e.text.contains("gen-es384"))
    );

    let f = signature::complete(
        &planned,
        &[Outcome::Failed("crypto.subtle is not available".into())],
    );
    assert_eq!(status(&f), "not_checked");
    assert_eq!(codes(&f), ["signature.check_failed"]);
    assert!(f.findings[0].detail.contains("crypto.subtle"));

    // A secret with a trailing newline: the invalid finding says so.
    let st = &generated()["secretText"];
    let planned = check(
        st["token"].as_str().unwrap(),
        json!({"secret": format!("{}\n", st["secret"].as_str().unwrap())}),
    );
    let r = signature::complete(&planned, &[Outcome::Rejected]);
    assert!(
        r.findings[0].detail.contains("line break"),
        "{}",
        r.findings[0].detail
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn merge_replaces_the_signature_and_re_derives_the_verdict() {
    let c = case("RS256");
    let request = Request {
        input: c["token"].as_str().unwrap().to_string(),
        keys: Some(c["jwk"].clone()),
        now: Some(1_700_000_100.0),
        ..Default::default()
    };
    let mut report = token_doctor::diagnose(&request, &token_doctor::registry::Registry::default());
    let before = report.verdict;
    let planned = signature::assess_request(&request);
    assert!(planned.plan.is_some());

    // A signature finding read from the API's response (the diagnosis makes those) stays.
    let from_response = token_doctor::report::Finding::new(
        "signature.invalid",
        Severity::Error,
        "The API could not validate the token's signature",
        "It answered: invalid signature.",
    );
    report.findings.push(from_response.clone());
    let invalid = signature::complete(&planned, &[Outcome::Rejected]);
    signature::merge(&mut report, &invalid);
    assert!(report.findings.contains(&from_response));
    assert_eq!(report.signature["status"], "invalid");
    assert_eq!(report.verdict, Verdict::Denied);
    assert_eq!(report.findings[0].title, "The signature is invalid");
    assert!(
        report.summary.contains("signature is invalid"),
        "{}",
        report.summary
    );
    // Merging again does not duplicate.
    signature::merge(&mut report, &invalid);
    assert_eq!(
        report
            .findings
            .iter()
            .filter(|f| f.code == "signature.invalid")
            .count(),
        2,
        "ours once, the response's once"
    );

    let mut report = token_doctor::diagnose(&request, &token_doctor::registry::Registry::default());
    signature::merge(
        &mut report,
        &signature::complete(&planned, &[Outcome::Verified]),
    );
    assert_eq!(report.signature["status"], "verified");
    assert_eq!(report.signature["key"]["kid"], "gen-rs256");
    assert_eq!(
        report.verdict, before,
        "a verified signature does not change the verdict"
    );
}

// ------------------------------------------------------------------------------------------------------------
// Chromium tier: WebCrypto does the cryptography
// ------------------------------------------------------------------------------------------------------------

#[cfg(target_arch = "wasm32")]
mod in_chromium {
    use super::*;
    use token_doctor::webcrypto;
    use wasm_bindgen_test::wasm_bindgen_test;

    async fn verify(token: &str, keys: Value) -> SignatureAssessment {
        webcrypto::verify(&check(token, keys)).await
    }

    #[wasm_bindgen_test]
    async fn the_rfc_examples_verify() {
        for ex in rfc_examples() {
            let a = verify(ex["token"].as_str().unwrap(), ex["jwk"].clone()).await;
            assert_eq!(status(&a), "verified", "{}: {:?}", ex["name"], a.findings);
        }
    }

    #[wasm_bindgen_test]
    async fn a_changed_rfc_example_does_not_verify() {
        for ex in rfc_examples() {
            let token = ex["token"].as_str().unwrap();
            // One character of the payload text changed: still base64url, still the same length.
            let (h, rest) = token.split_once('.').unwrap();
            let (p, s) = rest.split_once('.').unwrap();
            let mut p = p.to_string();
            let c = if p.ends_with('A') { "B" } else { "A" };
            p.replace_range(p.len() - 1.., c);
            let a = verify(&format!("{h}.{p}.{s}"), ex["jwk"].clone()).await;
            assert_eq!(status(&a), "invalid", "{}", ex["name"]);
            assert_eq!(codes(&a), ["signature.invalid"]);
        }
    }

    #[wasm_bindgen_test]
    async fn every_algorithm_verifies_with_every_key_form_and_every_tampering_is_caught() {
        for c in generated()["cases"].as_array().unwrap() {
            let alg = c["alg"].as_str().unwrap();
            let token = c["token"].as_str().unwrap();
            let mut forms = vec![c["jwk"].clone(), json!({"keys": [c["jwk"].clone()]})];
            for form in ["pem", "cert", "pkcs1"] {
                if let Some(k) = c.get(form) {
                    forms.push(k.clone());
                }
            }
            if let Some(b64) = c.get("secretBase64") {
                forms.push(json!({"secretBase64": b64}));
            }
            for keys in forms {
                let a = verify(token, keys.clone()).await;
                assert_eq!(
                    status(&a),
                    "verified",
                    "{alg} with {keys}: {:?}",
                    a.findings
                );
            }
            for part in ["header", "payload", "signature"] {
                let a = verify(c["tampered"][part].as_str().unwrap(), c["jwk"].clone()).await;
                assert_eq!(
                    status(&a),
                    "invalid",
                    "{alg}, tampered {part}: {:?}",
                    a.findings
                );
                assert_eq!(codes(&a), ["signature.invalid"], "{alg} {part}");
            }
        }
    }

    #[wasm_bindgen_test]
    async fn a_text_secret_and_a_wrong_key() {
        let g = generated();
        let st = &g["secretText"];
        let token = st["token"].as_str().unwrap();
        let a = verify(token, json!({"secret": st["secret"]})).await;
        assert_eq!(status(&a), "verified");
        let a = verify(
            token,
            json!({"secret": format!("{} ", st["secret"].as_str().unwrap())}),
        )
        .await;
        assert_eq!(status(&a), "invalid");
        assert_detail(&a, "spaces");
        // An RS256 token checked with another RS256 key: a different environment's key.
        let a = verify(
            case("RS256")["token"].as_str().unwrap(),
            case("RS512")["pem"].clone(),
        )
        .await;
        assert_eq!(status(&a), "invalid");
    }

    #[wasm_bindgen_test]
    async fn a_rotating_jwks_verifies_by_kid() {
        let g = generated();
        for r in g["rotating"].as_array().unwrap() {
            let a = verify(r["token"].as_str().unwrap(), g["jwks"].clone()).await;
            assert_eq!(status(&a), "verified", "{}", r["kid"]);
            assert_eq!(a.state["key"]["kid"], r["kid"]);
        }
    }

    #[wasm_bindgen_test]
    async fn the_forged_hs256_token_is_refused_in_every_form() {
        let g = generated();
        let forged = g["confusion"]["token"].as_str().unwrap();
        let pem = g["confusion"]["pem"].as_str().unwrap();
        let b64u = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(pem);
        for keys in [
            json!({"secret": pem}),
            json!(pem),
            json!({"secretBase64": STANDARD.encode(pem)}),
            json!({"kty": "oct", "k": b64u}),
        ] {
            let a = verify(forged, keys.clone()).await;
            assert_ne!(status(&a), "verified", "{keys}");
            assert_eq!(codes(&a), ["signature.alg_mismatch"], "{keys}");
        }
    }

    fn get(v: &wasm_bindgen::JsValue, key: &str) -> wasm_bindgen::JsValue {
        js_sys::Reflect::get(v, &wasm_bindgen::JsValue::from_str(key)).unwrap()
    }

    #[wasm_bindgen_test]
    async fn diagnose_async_merges_the_signature_into_the_report() {
        let c = case("ES256");
        let request = |token: &str| {
            js_sys::JSON::parse(
                &json!({"input": token, "keys": c["jwk"], "now": 1_700_000_100}).to_string(),
            )
            .unwrap()
        };
        let report = token_doctor::bindings::diagnose_async(request(c["token"].as_str().unwrap()))
            .await
            .unwrap();
        let sig = get(&report, "signature");
        assert_eq!(get(&sig, "status").as_string().as_deref(), Some("verified"));
        assert_eq!(
            get(&get(&sig, "key"), "kid").as_string().as_deref(),
            Some("gen-es256")
        );

        let report = token_doctor::bindings::diagnose_async(request(
            c["tampered"]["payload"].as_str().unwrap(),
        ))
        .await
        .unwrap();
        assert_eq!(
            get(&get(&report, "signature"), "status")
                .as_string()
                .as_deref(),
            Some("invalid")
        );
        assert_eq!(
            get(&report, "verdict").as_string().as_deref(),
            Some("denied")
        );
        let first = get(
            &js_sys::Array::from(&get(&report, "findings")).get(0),
            "code",
        );
        assert_eq!(first.as_string().as_deref(), Some("signature.invalid"));

        // The synchronous diagnose says not_checked for the same request.
        let sync = token_doctor::bindings::diagnose(request(c["token"].as_str().unwrap())).unwrap();
        assert_eq!(
            get(&get(&sync, "signature"), "status")
                .as_string()
                .as_deref(),
            Some("not_checked")
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_token_is_found_where_diagnose_finds_it() {
    let c = case("EdDSA");
    let token = c["token"].as_str().unwrap();
    for (input, operation) in [
        (format!("Authorization: Bearer {token}"), None),
        (
            String::new(),
            Some(format!(
                "curl -H 'Authorization: Bearer {token}' https://api.example.com/v1/things"
            )),
        ),
    ] {
        let request = Request {
            input,
            operation,
            keys: Some(c["jwk"].clone()),
            ..Default::default()
        };
        let a = signature::assess_request(&request);
        assert_eq!(a.state["kid"], "gen-eddsa", "{:?}", request.operation);
        assert!(a.plan.is_some());
    }
    let none = signature::assess_request(&Request {
        input: "hello".into(),
        keys: Some(c["jwk"].clone()),
        ..Default::default()
    });
    assert_eq!(status(&none), "not_checked");
    assert!(none.plan.is_none());
}
