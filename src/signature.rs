//! Signature verification: every decision, none of the cryptography.
//!
//! [`assess`] reads the keys the user gave (JWKS, JWK, PEM public key or certificate, `{secret}`,
//! `{secretBase64}`), picks the key the token names, refuses the pairs that must never be tried (an HS token with
//! a public key as the HMAC secret, an RSA key for an ES token, a key whose JWK `alg` is another one), and answers
//! with a report state and findings. When a cryptographic step is needed it also returns a [`VerifyPlan`]: the
//! exact WebCrypto `importKey` + `verify` calls to make. The `webcrypto` module (wasm only) runs the plan, and
//! [`complete`] turns the outcomes into the final state; [`merge`] puts that into a report.
//!
//! Why WebCrypto and not RustCrypto: the verifiers for all thirteen algorithms add about 100 KB of gzip to the wasm
//! (see the README, "Signature verification"), against a first-download budget of 150 KB; the browser (and Node)
//! already ships them. The price is an asynchronous step, so `diagnose` stays synchronous and says `not_checked`,
//! and `diagnoseAsync` verifies.
//!
//! Public-key input is normalized to its components (RSA `n`/`e`, EC `x`/`y`, Ed25519 `x`) and re-encoded as a
//! fresh SubjectPublicKeyInfo, so WebCrypto always receives one well-formed shape whatever was pasted. X.509
//! certificates are read with a small bounded DER walker that only finds the SubjectPublicKeyInfo; nothing about
//! the certificate (issuer, validity, chain) is trusted or checked: it is only a container for the key.

use crate::jose::{DecodedToken, TokenShape};
use crate::report::{Finding, Report, Severity, Verdict};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};

/// The most keys read from one `keys` value (a JWKS, a PEM chain); the rest are ignored and said so.
pub const MAX_KEYS: usize = 100;
/// The most keys tried against one token when it names no `kid` (each is one WebCrypto call).
pub const MAX_CANDIDATES: usize = 16;
/// The largest `keys` text read, in bytes.
pub const MAX_KEYS_BYTES: usize = crate::limits::MAX_INPUT_BYTES;

/// The finding codes this module emits (the diagnosis may also emit some of them from the API's response).
pub const CODES: &[&str] = &[
    "token.unsigned",
    "signature.invalid",
    "signature.key_not_found",
    "signature.alg_mismatch",
    "signature.unsupported",
    "signature.keys_unreadable",
    "signature.private_key",
    "signature.check_failed",
];

/// What the report says about the signature, the findings that go with it, and the crypto step still to run.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureAssessment {
    /// `{ status: "verified" | "invalid" | "not_checked" | "unsupported", alg, kid, key, detail }`.
    pub state: Value,
    /// `signature.*` and `token.unsigned` findings.
    pub findings: Vec<Finding>,
    /// The WebCrypto calls that decide between `verified` and `invalid`, when a key was chosen.
    pub plan: Option<VerifyPlan>,
}

/// A JWS algorithm this page can verify (RFC 7518 §3.1, RFC 8037 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// RSASSA-PSS with SHA-256 and MGF1 with SHA-256.
    Ps256,
    /// RSASSA-PSS with SHA-384 and MGF1 with SHA-384.
    Ps384,
    /// RSASSA-PSS with SHA-512 and MGF1 with SHA-512.
    Ps512,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// ECDSA on P-384 with SHA-384.
    Es384,
    /// ECDSA on P-521 with SHA-512.
    Es512,
    /// EdDSA; only the Ed25519 curve is verifiable here.
    EdDsa,
    /// HMAC with SHA-256.
    Hs256,
    /// HMAC with SHA-384.
    Hs384,
    /// HMAC with SHA-512.
    Hs512,
}

/// The kind of key an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// An RSA public key (RS* and PS*).
    Rsa,
    /// An EC public key on this curve.
    Ec(Curve),
    /// An Ed25519 public key.
    Ed25519,
    /// A shared secret.
    Hmac,
}

impl Alg {
    /// The algorithm of a JWS `alg` value (case-sensitive, RFC 7515 §4.1.1). `Ed25519` (RFC 9864) is EdDSA.
    pub fn parse(name: &str) -> Option<Alg> {
        Some(match name {
            "RS256" => Alg::Rs256,
            "RS384" => Alg::Rs384,
            "RS512" => Alg::Rs512,
            "PS256" => Alg::Ps256,
            "PS384" => Alg::Ps384,
            "PS512" => Alg::Ps512,
            "ES256" => Alg::Es256,
            "ES384" => Alg::Es384,
            "ES512" => Alg::Es512,
            "EdDSA" | "Ed25519" => Alg::EdDsa,
            "HS256" => Alg::Hs256,
            "HS384" => Alg::Hs384,
            "HS512" => Alg::Hs512,
            _ => return None,
        })
    }

    /// The JWS name.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Rs384 => "RS384",
            Alg::Rs512 => "RS512",
            Alg::Ps256 => "PS256",
            Alg::Ps384 => "PS384",
            Alg::Ps512 => "PS512",
            Alg::Es256 => "ES256",
            Alg::Es384 => "ES384",
            Alg::Es512 => "ES512",
            Alg::EdDsa => "EdDSA",
            Alg::Hs256 => "HS256",
            Alg::Hs384 => "HS384",
            Alg::Hs512 => "HS512",
        }
    }

    /// The WebCrypto hash name and its output size in bytes (`None` for EdDSA, which hashes internally).
    pub fn hash(self) -> Option<(&'static str, usize)> {
        match self {
            Alg::Rs256 | Alg::Ps256 | Alg::Es256 | Alg::Hs256 => Some(("SHA-256", 32)),
            Alg::Rs384 | Alg::Ps384 | Alg::Es384 | Alg::Hs384 => Some(("SHA-384", 48)),
            Alg::Rs512 | Alg::Ps512 | Alg::Es512 | Alg::Hs512 => Some(("SHA-512", 64)),
            Alg::EdDsa => None,
        }
    }

    /// The kind of key the algorithm needs.
    pub fn family(self) -> Family {
        match self {
            Alg::Rs256 | Alg::Rs384 | Alg::Rs512 | Alg::Ps256 | Alg::Ps384 | Alg::Ps512 => {
                Family::Rsa
            }
            Alg::Es256 => Family::Ec(Curve::P256),
            Alg::Es384 => Family::Ec(Curve::P384),
            Alg::Es512 => Family::Ec(Curve::P521),
            Alg::EdDsa => Family::Ed25519,
            Alg::Hs256 | Alg::Hs384 | Alg::Hs512 => Family::Hmac,
        }
    }

    fn is_pss(self) -> bool {
        matches!(self, Alg::Ps256 | Alg::Ps384 | Alg::Ps512)
    }
}

/// A NIST curve of the ES algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// P-256 (secp256r1).
    P256,
    /// P-384 (secp384r1).
    P384,
    /// P-521 (secp521r1).
    P521,
}

impl Curve {
    /// The JWK / WebCrypto name.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    /// Bytes in one coordinate (and in each of `r` and `s` of a JWS signature, RFC 7518 §3.4).
    pub fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    fn from_name(name: &str) -> Option<Curve> {
        match name {
            "P-256" => Some(Curve::P256),
            "P-384" => Some(Curve::P384),
            "P-521" => Some(Curve::P521),
            _ => None,
        }
    }

    fn oid(self) -> &'static [u8] {
        match self {
            Curve::P256 => OID_P256,
            Curve::P384 => OID_P384,
            Curve::P521 => OID_P521,
        }
    }
}

/// The key itself, normalized: big-endian integers without leading zeros, coordinates at full length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    /// An RSA public key. `pss_only` when it came with the RSASSA-PSS OID (it must not verify RS*).
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
        /// The key is restricted to RSASSA-PSS.
        pss_only: bool,
    },
    /// An EC public key.
    Ec {
        /// The curve.
        curve: Curve,
        /// X coordinate, `curve.coordinate_len()` bytes.
        x: Vec<u8>,
        /// Y coordinate, `curve.coordinate_len()` bytes.
        y: Vec<u8>,
    },
    /// An Ed25519 public key (32 bytes).
    Ed25519 {
        /// The public key.
        x: Vec<u8>,
    },
    /// An HMAC secret.
    Secret {
        /// The secret bytes.
        bytes: Vec<u8>,
    },
}

impl KeyMaterial {
    /// `RSA`, `EC`, `OKP` or `oct`, as a JWK would say.
    pub fn kty(&self) -> &'static str {
        match self {
            KeyMaterial::Rsa { .. } => "RSA",
            KeyMaterial::Ec { .. } => "EC",
            KeyMaterial::Ed25519 { .. } => "OKP",
            KeyMaterial::Secret { .. } => "oct",
        }
    }

    /// The key in words: "an RSA public key (2048 bits)", "an HMAC secret (32 bytes)".
    pub fn words(&self) -> String {
        match self {
            KeyMaterial::Rsa { n, .. } => format!("an RSA public key ({} bits)", bit_len(n)),
            KeyMaterial::Ec { curve, .. } => format!("an EC public key on {}", curve.name()),
            KeyMaterial::Ed25519 { .. } => "an Ed25519 public key".into(),
            KeyMaterial::Secret { bytes } => format!("an HMAC secret ({} bytes)", bytes.len()),
        }
    }
}

/// One key read from the user's `keys`, with what came with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// JWK `kid`.
    pub kid: Option<String>,
    /// JWK `alg`: when present, the only algorithm the key may verify.
    pub alg: Option<String>,
    /// JWK `use` (`sig` / `enc`).
    pub usage: Option<String>,
    /// JWK `key_ops`.
    pub ops: Option<Vec<String>>,
    /// Where it came from: "JWKS key 2", "PEM certificate", "HMAC secret (text)".
    pub source: String,
    /// The key.
    pub material: KeyMaterial,
    /// Given as an HMAC secret (`{secret}` / `{secretBase64}`) but holding public-key material.
    pub given_as_secret: bool,
    /// A remark shown if the signature does not verify with this key (e.g. a secret ending in a newline).
    pub hint: Option<String>,
}

impl Key {
    fn new(source: String, material: KeyMaterial) -> Key {
        Key {
            kid: None,
            alg: None,
            usage: None,
            ops: None,
            source,
            material,
            given_as_secret: false,
            hint: None,
        }
    }

    /// The key as the report's `signature.key` shows it: `{ kid, kty, source, bits | crv | bytes }`.
    pub fn describe(&self) -> Value {
        let mut m = Map::new();
        m.insert("kid".into(), json!(self.kid));
        m.insert("kty".into(), json!(self.material.kty()));
        m.insert("source".into(), json!(self.source));
        match &self.material {
            KeyMaterial::Rsa { n, .. } => {
                m.insert("bits".into(), json!(bit_len(n)));
            }
            KeyMaterial::Ec { curve, .. } => {
                m.insert("crv".into(), json!(curve.name()));
            }
            KeyMaterial::Ed25519 { .. } => {
                m.insert("crv".into(), json!("Ed25519"));
            }
            KeyMaterial::Secret { bytes } => {
                m.insert("bytes".into(), json!(bytes.len()));
            }
        }
        Value::Object(m)
    }

    fn name(&self) -> String {
        match &self.kid {
            Some(kid) => format!("{} (kid {kid})", self.source),
            None => self.source.clone(),
        }
    }
}

/// The keys read from a `keys` value, and what could not be read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedKeys {
    /// Usable keys, in the order given.
    pub keys: Vec<Key>,
    /// One sentence per part that was skipped, and why.
    pub problems: Vec<String>,
    /// A private key was pasted (its public part is used when it has one; the user should know).
    pub private_key_pasted: bool,
}

/// One WebCrypto attempt: import this key, then verify.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// `spki` (public keys) or `raw` (HMAC secrets).
    pub format: &'static str,
    /// The DER SubjectPublicKeyInfo or the raw secret.
    pub key_data: Vec<u8>,
    /// The `importKey` algorithm, e.g. `{ name: "RSA-PSS", hash: "SHA-384" }`.
    pub import_algorithm: Value,
    /// The `verify` algorithm, e.g. `{ name: "RSA-PSS", saltLength: 48 }`.
    pub verify_algorithm: Value,
    /// The key as the report shows it.
    pub key: Value,
    /// A remark for the `signature.invalid` finding.
    pub hint: Option<String>,
    /// The key's name for messages.
    pub name: String,
}

/// The WebCrypto calls that decide a signature: `verified` if any candidate verifies.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyPlan {
    /// The algorithm.
    pub alg: Alg,
    /// The JWS signing input: the ASCII bytes of `header.payload` exactly as in the token.
    pub data: Vec<u8>,
    /// The decoded signature.
    pub signature: Vec<u8>,
    /// The keys to try, in order (at most [`MAX_CANDIDATES`]).
    pub candidates: Vec<Candidate>,
}

/// What running one candidate gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `verify` resolved `true`.
    Verified,
    /// `verify` resolved `false`.
    Rejected,
    /// The step could not run: no WebCrypto, or the key was refused on import. The message says why.
    Failed(String),
}

/// Assesses the signature of `token` (its compact text) given the optional `keys` of the request.
///
/// Synchronous and pure: it returns `not_checked` with a [`VerifyPlan`] when a cryptographic step is needed,
/// and final answers (`alg_mismatch`, `key_not_found`, `unsupported`, a signature of the wrong length) otherwise.
pub fn assess(token: &str, decoded: &DecodedToken, keys: Option<&Value>) -> SignatureAssessment {
    let alg_text = decoded.alg().map(str::to_string);
    let kid = decoded
        .header
        .as_ref()
        .and_then(|h| h.get("kid"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut out = Draft {
        alg: alg_text.clone(),
        kid: kid.clone(),
        findings: Vec::new(),
    };
    let keys = keys.filter(|k| !is_blank(k));
    let jws = decoded.shape == TokenShape::Jws;

    if jws
        && alg_text
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("none"))
    {
        out.findings.push(
            Finding::new(
                "token.unsigned",
                Severity::Error,
                "The token is unsigned (alg: none)",
                "Its header says `alg: none` and it carries no signature, so anyone could have written it. APIs reject unsigned tokens (RFC 8725 §3.2).",
            )
            .evidence("header alg", alg_text.clone().unwrap_or_default())
            .fix("Get the token from the real authorization server; a test or mock issuer made this one.")
            .weight(85),
        );
        return if keys.is_some() {
            out.done(
                "invalid",
                None,
                "The token is unsigned: no key can verify it.",
            )
        } else {
            out.done("not_checked", None, "The token is unsigned (alg: none).")
        };
    }
    let Some(keys) = keys else {
        return out.done(
            "not_checked",
            None,
            "Decoded, not verified: give a key (JWKS, JWK, PEM or HMAC secret) to check the signature.",
        );
    };
    // The first engine reads no keys (see `diagnosis::import`): the linker leaves the readers out of its wasm.
    if !cfg!(feature = "full") {
        return out.done("not_checked", None, crate::diagnosis::FIRST_ENGINE_ONLY);
    }
    if decoded.shape == TokenShape::Jwe {
        out.findings.push(
            Finding::new(
                "signature.unsupported",
                Severity::Info,
                "An encrypted token (JWE) has no signature to check here",
                "The token is encrypted; its integrity is checked when the API decrypts it with its private key, which Token Doctor does not do.",
            )
            .evidence("header alg", alg_text.clone().unwrap_or_default())
            .weight(20),
        );
        return out.done(
            "unsupported",
            None,
            "The token is encrypted (JWE), not signed.",
        );
    }
    // The payload may be any bytes (RFC 7515 §3.3 signs its base64url text); only the header and the signature
    // must decode.
    if !jws
        || decoded.header.is_none()
        || decoded
            .issues
            .iter()
            .any(|i| i.fatal && i.segment != "payload")
    {
        return out.done(
            "not_checked",
            None,
            "The token could not be decoded, so its signature cannot be checked.",
        );
    }
    let Some(alg) = alg_text.as_deref().and_then(Alg::parse) else {
        let shown = alg_text.clone().unwrap_or_else(|| "(none given)".into());
        out.findings.push(
            Finding::new(
                "signature.unsupported",
                Severity::Warning,
                format!("The signature algorithm {shown} cannot be checked here"),
                format!(
                    "Token Doctor verifies RS256/384/512, PS256/384/512, ES256/384/512, EdDSA (Ed25519) and HS256/384/512 with the browser's WebCrypto. `{shown}` is not one of them, so the signature was not checked; everything else in this report still holds."
                ),
            )
            .evidence("header alg", shown)
            .fix("Check the signature with the issuer's own library, or ask whether the API accepts this algorithm at all.")
            .weight(30),
        );
        return out.done(
            "unsupported",
            None,
            "The algorithm cannot be verified here.",
        );
    };

    let parsed = parse_keys(keys);
    if parsed.private_key_pasted {
        out.findings.push(
            Finding::new(
                "signature.private_key",
                Severity::Warning,
                "A private key was pasted",
                "Verification needs only the public key. This page kept the private key in memory and sent it nowhere, but a private key pasted into tools, tickets or chats must be treated as exposed.",
            )
            .fix("Paste the public key, the certificate or the issuer's JWKS instead.")
            .fix("If the private key was shared anywhere else, rotate it.")
            .weight(40),
        );
    }
    if parsed.keys.is_empty() {
        let mut f = Finding::new(
            "signature.keys_unreadable",
            Severity::Warning,
            "The keys given could not be read",
            format!(
                "No usable key was found: {}",
                if parsed.problems.is_empty() {
                    "nothing that looks like a key.".to_string()
                } else {
                    parsed.problems.join("; ")
                }
            ),
        )
        .fix("Paste the issuer's JWKS (from its jwks_uri), one JWK, or a PEM public key or certificate. For an HMAC secret, choose text or base64 explicitly.")
        .weight(35);
        for p in parsed.problems.iter().take(5) {
            f = f.evidence("keys", p.clone());
        }
        out.findings.push(f);
        return out.done("not_checked", None, "The keys given could not be read.");
    }

    // Keys marked for encryption (`use: enc`, or `key_ops` without `verify`) never verify signatures.
    let signing: Vec<&Key> = parsed
        .keys
        .iter()
        .filter(|k| usable_for_signing(k))
        .collect();
    let offered: Vec<String> = parsed.keys.iter().filter_map(|k| k.kid.clone()).collect();
    let matching: Vec<&Key> = match &kid {
        Some(want) => {
            let by_kid: Vec<&Key> = signing
                .iter()
                .copied()
                .filter(|k| k.kid.as_deref() == Some(want.as_str()))
                .collect();
            if !by_kid.is_empty() {
                by_kid
            } else if signing.iter().all(|k| k.kid.is_none()) && !signing.is_empty() {
                // A PEM, a secret or a JWK without `kid`: nothing to match on, so the key given is the key meant.
                signing.clone()
            } else {
                out.findings
                    .push(key_not_found(Some(want), &offered, &parsed.keys));
                return out.done(
                    "not_checked",
                    None,
                    &format!("No key with kid {want} was given."),
                );
            }
        }
        None => signing.clone(),
    };
    if matching.is_empty() {
        out.findings
            .push(key_not_found(kid.as_deref(), &offered, &parsed.keys));
        return out.done("not_checked", None, "No signing key was given.");
    }

    let mut refusals: Vec<String> = Vec::new();
    let fitting: Vec<&Key> = matching
        .iter()
        .copied()
        .filter(|k| match refusal(alg, k) {
            Some(why) => {
                refusals.push(why);
                false
            }
            None => true,
        })
        .collect();
    if fitting.is_empty() {
        out.findings
            .push(alg_mismatch(alg, &matching, &refusals, kid.as_deref()));
        return out.done(
            "not_checked",
            matching.first().map(|k| k.describe()),
            &format!("Not checked: the key given does not fit {}.", alg.name()),
        );
    }

    // A signature of the wrong length for the algorithm (and, for RSA, the key size) cannot verify.
    let signature = decoded.signature.clone();
    let sized: Vec<&Key> = fitting
        .iter()
        .copied()
        .filter(|k| wrong_length(alg, &signature, Some(&k.material)).is_none())
        .collect();
    if sized.is_empty() {
        let key = fitting.first().copied();
        let why = wrong_length(alg, &signature, key.map(|k| &k.material)).unwrap_or_default();
        out.findings.push(invalid_finding(
            alg,
            kid.as_deref(),
            key.map(Key::name).as_deref(),
            &why,
            None,
        ));
        return out.done(
            "invalid",
            key.map(Key::describe),
            "The signature does not verify.",
        );
    }

    let data = token
        .get(..decoded.signing_input_len)
        .unwrap_or_default()
        .as_bytes()
        .to_vec();
    let candidates: Vec<Candidate> = sized
        .iter()
        .take(MAX_CANDIDATES)
        .filter_map(|k| candidate(alg, k))
        .collect();
    let key = match candidates.as_slice() {
        [only] => Some(only.key.clone()),
        _ => None,
    };
    let plan = VerifyPlan {
        alg,
        data,
        signature,
        candidates,
    };
    let mut done = out.done(
        "not_checked",
        key,
        "Decoded, not verified: the signature check runs in WebCrypto (diagnoseAsync).",
    );
    done.plan = Some(plan);
    done
}

/// Turns the WebCrypto outcomes (one per candidate, in order) into the final assessment.
pub fn complete(assessment: &SignatureAssessment, outcomes: &[Outcome]) -> SignatureAssessment {
    let Some(plan) = &assessment.plan else {
        return assessment.clone();
    };
    let mut findings = assessment.findings.clone();
    let mut state = assessment.state.clone();
    let alg = plan.alg;
    let kid = state.get("kid").and_then(Value::as_str).map(str::to_string);
    let result = |state: &mut Value, status: &str, key: Option<&Value>, detail: String| {
        if let Some(m) = state.as_object_mut() {
            m.insert("status".into(), json!(status));
            m.insert("key".into(), key.cloned().unwrap_or(Value::Null));
            m.insert("detail".into(), json!(detail));
        }
    };
    let verified = plan
        .candidates
        .iter()
        .zip(outcomes)
        .find(|(_, o)| **o == Outcome::Verified)
        .map(|(c, _)| c);
    if let Some(c) = verified {
        let detail = format!("Verified with {} ({}).", c.name, alg.name());
        result(&mut state, "verified", Some(&c.key), detail);
    } else if let Some((c, _)) = plan
        .candidates
        .iter()
        .zip(outcomes)
        .find(|(_, o)| **o == Outcome::Rejected)
    {
        let tried: Vec<&Candidate> = plan
            .candidates
            .iter()
            .zip(outcomes)
            .filter(|(_, o)| **o == Outcome::Rejected)
            .map(|(c, _)| c)
            .collect();
        let names: Vec<String> = tried.iter().map(|c| c.name.clone()).collect();
        let hints: Vec<String> = tried.iter().filter_map(|c| c.hint.clone()).collect();
        findings.push(invalid_finding(
            alg,
            kid.as_deref(),
            Some(&names.join(", ")),
            "the signature does not match the token's header and payload with this key",
            hints.first().map(String::as_str),
        ));
        let key = if tried.len() == 1 { Some(&c.key) } else { None };
        result(
            &mut state,
            "invalid",
            key,
            "The signature does not verify.".into(),
        );
    } else {
        let errors: Vec<String> = outcomes
            .iter()
            .filter_map(|o| match o {
                Outcome::Failed(m) => Some(m.clone()),
                _ => None,
            })
            .collect();
        let why = if errors.is_empty() {
            "the check did not run".to_string()
        } else {
            errors.join("; ")
        };
        findings.push(
            Finding::new(
                "signature.check_failed",
                Severity::Warning,
                "The signature could not be checked",
                format!("WebCrypto could not run the check: {why}."),
            )
            .evidence("WebCrypto", why.clone())
            .fix("Open Token Doctor over https, on localhost or as a local file (WebCrypto needs a secure context), in a current browser.")
            .fix("If the key was refused, check that it is the issuer's public key in full.")
            .weight(30),
        );
        result(
            &mut state,
            "not_checked",
            None,
            format!("Not checked: {why}."),
        );
    }
    SignatureAssessment {
        state,
        findings,
        plan: None,
    }
}

/// Puts a (completed) assessment into a report made by `diagnose`: replaces the signature state, adds the
/// assessment's findings (without duplicating those `diagnose` already had), re-ranks, and re-derives the verdict
/// (`signature.invalid` and the other errors here deny) and its summary.
pub fn merge(report: &mut Report, assessment: &SignatureAssessment) {
    let first_before = report.findings.first().map(|f| f.code.clone());
    // The assessment carries the findings `diagnose` already put in (the synchronous ones) plus the new ones:
    // drop the copies, keep everything else (including signature findings read from the API's response).
    report.findings.retain(|f| !assessment.findings.contains(f));
    report.findings.extend(assessment.findings.iter().cloned());
    crate::report::rank(&mut report.findings);
    report.signature = assessment.state.clone();
    let has_error = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    let verdict = match (has_error, report.verdict) {
        (true, _) => Verdict::Denied,
        (false, Verdict::Denied) => Verdict::Unknown,
        (false, v) => v,
    };
    let first_after = report.findings.first().map(|f| f.code.clone());
    if verdict != report.verdict || (verdict != Verdict::Allowed && first_before != first_after) {
        let title = report
            .findings
            .first()
            .map(|f| f.title.clone())
            .unwrap_or_default();
        report.summary = match verdict {
            Verdict::Denied => format!("Denied: {title}"),
            Verdict::Unknown if !title.is_empty() => format!("Unknown: {title}"),
            Verdict::Unknown => "Unknown: not enough information to tell.".into(),
            Verdict::Allowed => report.summary.clone(),
        };
    }
    report.verdict = verdict;
}

/// [`assess`] for a whole request: finds the token in `input` the way `diagnose` does.
pub fn assess_request(request: &crate::request::Request) -> SignatureAssessment {
    // The same token `diagnose` reads: the one in `input`, else the one a curl / raw request in `operation` carries.
    let small = |t: &&str| t.len() <= crate::limits::MAX_INPUT_BYTES && !t.trim().is_empty();
    let token = Some(request.input.as_str())
        .filter(small)
        .and_then(|t| crate::input::recognize(t).token)
        .or_else(|| {
            let op = request.operation.as_deref().filter(small)?;
            crate::input::parse_operation(op).1?.token
        });
    match token {
        Some(t) => {
            let decoded = crate::jose::decode(&t);
            assess(&t, &decoded, request.keys.as_ref())
        }
        None => SignatureAssessment {
            state: json!({ "status": "not_checked", "alg": null, "kid": null, "key": null, "detail": "No token to check." }),
            findings: Vec::new(),
            plan: None,
        },
    }
}

/// Collects state and findings while [`assess`] decides.
struct Draft {
    alg: Option<String>,
    kid: Option<String>,
    findings: Vec<Finding>,
}

impl Draft {
    fn done(self, status: &str, key: Option<Value>, detail: &str) -> SignatureAssessment {
        SignatureAssessment {
            state: json!({ "status": status, "alg": self.alg, "kid": self.kid, "key": key, "detail": detail }),
            findings: self.findings,
            plan: None,
        }
    }
}

/// True for keys that are no keys: null, blank text, an empty object or array (the request is read as without keys).
pub(crate) fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn usable_for_signing(k: &Key) -> bool {
    if k.usage.as_deref() == Some("enc") {
        return false;
    }
    match &k.ops {
        Some(ops) => ops.iter().any(|o| o == "verify"),
        None => true,
    }
}

/// Why `key` must not verify `alg`, or `None` when it may.
fn refusal(alg: Alg, key: &Key) -> Option<String> {
    let name = key.name();
    if let Some(key_alg) = &key.alg {
        if key_alg != alg.name() && !(alg == Alg::EdDsa && key_alg == "Ed25519") {
            return Some(format!(
                "{name} is bound to {key_alg} by its JWK `alg`, and the token says {}",
                alg.name()
            ));
        }
    }
    let fits = match (alg.family(), &key.material) {
        (Family::Rsa, KeyMaterial::Rsa { pss_only, .. }) => !*pss_only || alg.is_pss(),
        (Family::Ec(c), KeyMaterial::Ec { curve, .. }) => c == *curve,
        (Family::Ed25519, KeyMaterial::Ed25519 { .. }) => true,
        (Family::Hmac, KeyMaterial::Secret { .. }) => true,
        _ => false,
    };
    if fits {
        return None;
    }
    Some(match (alg.family(), &key.material) {
        (Family::Hmac, m) if key.given_as_secret => format!(
            "{name} was given as the HMAC secret but is {}; an HS token must never be checked with a public key as its secret",
            m.words()
        ),
        (Family::Hmac, m) => format!(
            "{name} is {}, and {} needs a shared secret; an HS token must never be checked with a public key as its secret",
            m.words(),
            alg.name()
        ),
        (Family::Rsa, KeyMaterial::Rsa { .. }) => format!(
            "{name} is restricted to RSASSA-PSS (its OID), and the token says {}",
            alg.name()
        ),
        (Family::Ec(c), KeyMaterial::Ec { curve, .. }) => format!(
            "{name} is on {}, and {} needs {}",
            curve.name(),
            alg.name(),
            c.name()
        ),
        (_, m) => format!(
            "{name} is {}, and {} needs {}",
            m.words(),
            alg.name(),
            family_words(alg)
        ),
    })
}

fn family_words(alg: Alg) -> String {
    match alg.family() {
        Family::Rsa => "an RSA public key".into(),
        Family::Ec(c) => format!("an EC public key on {}", c.name()),
        Family::Ed25519 => "an Ed25519 public key".into(),
        Family::Hmac => "a shared secret".into(),
    }
}

/// A signature whose length cannot be right for the algorithm and key; no crypto needed to reject it.
fn wrong_length(alg: Alg, sig: &[u8], key: Option<&KeyMaterial>) -> Option<String> {
    let expected = match (alg.family(), key) {
        (Family::Ec(c), _) => c.coordinate_len().saturating_mul(2),
        (Family::Ed25519, _) => 64,
        (Family::Hmac, _) => alg.hash().map_or(0, |(_, n)| n),
        (Family::Rsa, Some(KeyMaterial::Rsa { n, .. })) => n.len(),
        (Family::Rsa, _) => return None,
    };
    if sig.len() == expected {
        return None;
    }
    if sig.is_empty() {
        return Some("the token has no signature at all (its third segment is empty)".into());
    }
    let der = matches!(alg.family(), Family::Ec(_)) && sig.first() == Some(&0x30);
    Some(format!(
        "the signature is {} bytes; {} with this key makes {expected}-byte signatures{}",
        sig.len(),
        alg.name(),
        if der {
            ". It looks DER-encoded: JWS carries ECDSA signatures as the raw r||s pair (RFC 7518 §3.4), so the signer must convert it"
        } else {
            ""
        }
    ))
}

fn candidate(alg: Alg, key: &Key) -> Option<Candidate> {
    let (format, key_data) = match &key.material {
        KeyMaterial::Secret { bytes } => ("raw", bytes.clone()),
        m => ("spki", spki_der(m)?),
    };
    let hash = alg.hash().map_or("", |(h, _)| h);
    let salt = alg.hash().map_or(0, |(_, n)| n);
    let (import_algorithm, verify_algorithm) = match alg.family() {
        Family::Rsa if alg.is_pss() => (
            json!({ "name": "RSA-PSS", "hash": hash }),
            json!({ "name": "RSA-PSS", "saltLength": salt }),
        ),
        Family::Rsa => (
            json!({ "name": "RSASSA-PKCS1-v1_5", "hash": hash }),
            json!({ "name": "RSASSA-PKCS1-v1_5" }),
        ),
        Family::Ec(c) => (
            json!({ "name": "ECDSA", "namedCurve": c.name() }),
            json!({ "name": "ECDSA", "hash": hash }),
        ),
        Family::Ed25519 => (json!({ "name": "Ed25519" }), json!({ "name": "Ed25519" })),
        Family::Hmac => (
            json!({ "name": "HMAC", "hash": hash }),
            json!({ "name": "HMAC" }),
        ),
    };
    Some(Candidate {
        format,
        key_data,
        import_algorithm,
        verify_algorithm,
        key: key.describe(),
        hint: key.hint.clone(),
        name: key.name(),
    })
}

fn key_not_found(want: Option<&str>, offered: &[String], keys: &[Key]) -> Finding {
    let list = if offered.is_empty() {
        "none of the keys given has a kid".to_string()
    } else {
        offered.join(", ")
    };
    let Some(want) = want else {
        return Finding::new(
            "signature.key_not_found",
            Severity::Error,
            "No signing key among the keys given",
            "Every key given is marked for encryption (`use: enc`, or `key_ops` without `verify`), so none can verify a signature.",
        )
        .evidence("kids offered", list)
        .fix("Paste the issuer's signing keys (its JWKS from jwks_uri).")
        .weight(80);
    };
    let enc_only = keys
        .iter()
        .any(|k| k.kid.as_deref() == Some(want) && !usable_for_signing(k));
    let detail = if enc_only {
        format!(
            "The key with kid {want} is marked for encryption (`use: enc` or `key_ops` without `verify`), so it cannot verify a signature. Kids offered: {list}."
        )
    } else {
        format!(
            "The token was signed with the key {want}, and no key with that kid is among those given (kids offered: {list}). If these are the API's keys, it cannot verify the token either: the token comes from another issuer or environment, or the issuer rotated its keys and the API's copy is stale."
        )
    };
    Finding::new(
        "signature.key_not_found",
        Severity::Error,
        format!("No key with kid {want}"),
        detail,
    )
    .evidence("header kid", want.to_string())
    .evidence("kids offered", list)
    .fix("Check that the token comes from the issuer and environment the API trusts (compare iss).")
    .fix("Fetch the issuer's current JWKS from its jwks_uri; if the kid is there, the API's key cache is stale: refresh or restart it.")
    .weight(80)
}

fn alg_mismatch(alg: Alg, keys: &[&Key], refusals: &[String], kid: Option<&str>) -> Finding {
    let confusion = alg.family() == Family::Hmac
        && keys
            .iter()
            .any(|k| !matches!(k.material, KeyMaterial::Secret { .. }));
    let title = if confusion {
        format!(
            "{} token with a public key: refused (algorithm confusion)",
            alg.name()
        )
    } else {
        format!("The key does not fit the token's algorithm {}", alg.name())
    };
    let mut detail = refusals.join("; ");
    detail.push('.');
    if confusion {
        detail.push_str(" Using a public key as an HMAC secret is the classic algorithm-confusion attack (RFC 8725 §2.1): a verifier that allows it accepts tokens anyone can forge, so a correct API rejects this token.");
    } else {
        detail.push_str(" A correct API rejects a token whose algorithm does not match its key (RFC 8725 §3.1).");
    }
    let mut f = Finding::new("signature.alg_mismatch", Severity::Error, title, detail)
        .evidence("header alg", alg.name());
    if let Some(k) = kid {
        f = f.evidence("header kid", k.to_string());
    }
    for k in keys.iter().take(3) {
        f = f.evidence("key", format!("{}: {}", k.name(), k.material.words()));
    }
    if confusion {
        f.fix("If the API uses RS256/ES256 keys, the client must get an RS/ES-signed token from the issuer; an HS256 token made with the public key is forged.")
            .fix("If the API really uses a shared secret, paste that secret (text or base64), not a public key.")
            .weight(88)
    } else {
        f.fix("Use the key the issuer signs this algorithm with, or configure the issuer to sign with the algorithm the API expects.")
            .weight(85)
    }
}

fn invalid_finding(
    alg: Alg,
    kid: Option<&str>,
    key: Option<&str>,
    why: &str,
    hint: Option<&str>,
) -> Finding {
    let mut detail = format!(
        "The {} signature does not verify: {why}. Either the token was changed after it was signed (one altered character is enough), or it was signed with a different key: another environment, another tenant, or a key the issuer has since rotated.",
        alg.name()
    );
    if let Some(h) = hint {
        detail.push(' ');
        detail.push_str(h);
    }
    let mut f = Finding::new(
        "signature.invalid",
        Severity::Error,
        "The signature is invalid",
        detail,
    )
    .evidence("header alg", alg.name());
    if let Some(k) = kid {
        f = f.evidence("header kid", k.to_string());
    }
    if let Some(k) = key {
        f = f.evidence("key", k.to_string());
    }
    f.fix("Copy the token again, whole, from where the client got it; do not edit it.")
        .fix("Check that the key is the one of the issuer and environment in the token's iss (its current JWKS).")
        .weight(90)
}

fn bit_len(n: &[u8]) -> usize {
    let Some(first) = n.first() else { return 0 };
    let top = 8usize.saturating_sub(first.leading_zeros() as usize);
    n.len()
        .saturating_sub(1)
        .saturating_mul(8)
        .saturating_add(top)
}

// ---------------------------------------------------------------------------------------------------------------
// Reading keys
// ---------------------------------------------------------------------------------------------------------------

/// Reads the request's `keys`: a JWKS or JWK (object or JSON text), PEM text (public keys, certificates, PKCS#1
/// RSA public keys), an array of JWKs, `{ secret }` (text, as UTF-8 bytes, exactly as typed) or
/// `{ secretBase64 }`. A "secret" that is really a public key (PEM, JWK, DER) is read as that public key and
/// marked, so an HS token is refused against it rather than verified.
pub fn parse_keys(keys: &Value) -> ParsedKeys {
    let mut out = ParsedKeys::default();
    parse_value(keys, &mut out, 0);
    if out.keys.len() > MAX_KEYS {
        out.problems
            .push(format!("only the first {MAX_KEYS} keys are used"));
        out.keys.truncate(MAX_KEYS);
    }
    out
}

fn parse_value(v: &Value, out: &mut ParsedKeys, depth: u8) {
    if depth > 2 {
        out.problems.push("the keys are nested too deeply".into());
        return;
    }
    let next = depth.saturating_add(1);
    match v {
        Value::String(s) => parse_text(s, out, next),
        Value::Array(items) => {
            for (i, item) in items.iter().take(MAX_KEYS).enumerate() {
                match item.as_object() {
                    Some(obj) => parse_jwk(obj, format!("key {}", i.saturating_add(1)), out),
                    None => out
                        .problems
                        .push(format!("key {} is not a JWK object", i.saturating_add(1))),
                }
            }
        }
        Value::Object(obj) => {
            let secret = obj.get("secret");
            let secret64 = obj.get("secretBase64");
            if secret.is_some() && secret64.is_some() {
                out.problems
                    .push("give either secret or secretBase64, not both".into());
            } else if let Some(s) = secret {
                match s.as_str() {
                    Some(text) => parse_secret_text(text, out),
                    None => out.problems.push("secret must be text".into()),
                }
            } else if let Some(s) = secret64 {
                match s.as_str() {
                    Some(text) => parse_secret_base64(text, out),
                    None => out.problems.push("secretBase64 must be text".into()),
                }
            } else if let Some(keys) = obj.get("keys") {
                match keys.as_array() {
                    Some(items) => {
                        if items.is_empty() {
                            out.problems.push("the JWKS has no keys".into());
                        }
                        for (i, item) in items.iter().take(MAX_KEYS).enumerate() {
                            let source = format!("JWKS key {}", i.saturating_add(1));
                            match item.as_object() {
                                Some(k) => parse_jwk(k, source, out),
                                None => out.problems.push(format!("{source} is not an object")),
                            }
                        }
                    }
                    None => out
                        .problems
                        .push("the JWKS member keys is not an array".into()),
                }
            } else if obj.contains_key("kty") {
                parse_jwk(obj, "JWK".into(), out);
            } else {
                out.problems.push(
                    "an object that is not a JWKS ({keys: [...]}), a JWK ({kty, ...}), {secret} or {secretBase64}"
                        .into(),
                );
            }
        }
        _ => out.problems.push("keys must be text or an object".into()),
    }
}

fn parse_text(text: &str, out: &mut ParsedKeys, depth: u8) {
    if text.len() > MAX_KEYS_BYTES {
        out.problems.push(format!(
            "the keys text is {} bytes; at most {MAX_KEYS_BYTES} are read",
            text.len()
        ));
        return;
    }
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.starts_with('{') || t.starts_with('[') {
        match serde_json::from_str::<Value>(t) {
            Ok(v) => parse_value(&v, out, depth),
            Err(e) => out.problems.push(format!(
                "the keys look like JSON but do not parse: {} (line {}, column {})",
                crate::json::error_kind(&e),
                e.line(),
                e.column()
            )),
        }
    } else if t.contains("-----BEGIN") {
        parse_pem(t, out);
    } else if let Some(der) = bare_base64(t) {
        // A certificate or SPKI in base64 without PEM armour (an x5c entry, for example).
        match der_key(&der, "base64 DER key") {
            Ok(k) => out.keys.push(k),
            Err(e) => out.problems.push(e),
        }
    } else {
        out.problems.push(
            "the text is not a JWKS, a JWK or a PEM key; if it is an HMAC secret, give it as secret (text) or secretBase64 so the choice is explicit"
                .into(),
        );
    }
}

/// Text that is only base64 (any line breaks) and decodes to a DER SEQUENCE.
fn bare_base64(t: &str) -> Option<Vec<u8>> {
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 16
        || !compact
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
    {
        return None;
    }
    let der = STANDARD
        .decode(&compact)
        .or_else(|_| STANDARD_NO_PAD.decode(compact.trim_end_matches('=')))
        .ok()?;
    (der.first() == Some(&0x30)).then_some(der)
}

fn parse_pem(text: &str, out: &mut ParsedKeys) {
    let mut rest = text;
    let mut count = 0usize;
    while let Some(start) = rest.find("-----BEGIN ") {
        count = count.saturating_add(1);
        if count > MAX_KEYS {
            out.problems
                .push(format!("only the first {MAX_KEYS} PEM blocks are read"));
            return;
        }
        let after = rest.get(start.saturating_add(11)..).unwrap_or_default();
        let Some(label_end) = after.find("-----") else {
            out.problems.push("a PEM BEGIN line is not closed".into());
            return;
        };
        let label = after
            .get(..label_end)
            .unwrap_or_default()
            .trim()
            .to_string();
        let body_start = after.get(label_end.saturating_add(5)..).unwrap_or_default();
        let end_marker = format!("-----END {label}-----");
        let Some(body_end) = body_start.find(&end_marker) else {
            out.problems
                .push(format!("the PEM block {label} has no END line (cut off?)"));
            return;
        };
        let body = body_start.get(..body_end).unwrap_or_default();
        rest = body_start
            .get(body_end.saturating_add(end_marker.len())..)
            .unwrap_or_default();
        let source = if count == 1 {
            format!("PEM {}", label.to_lowercase())
        } else {
            format!("PEM {} {count}", label.to_lowercase())
        };
        if label.contains("PRIVATE KEY") {
            out.private_key_pasted = true;
            out.problems.push(format!(
                "{source}: a private key is not read; paste the public key or certificate"
            ));
            continue;
        }
        if body.contains(':') {
            out.problems.push(format!(
                "{source} has PEM headers (encrypted?); it is not read"
            ));
            continue;
        }
        let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let Ok(der) = STANDARD
            .decode(&compact)
            .or_else(|_| STANDARD_NO_PAD.decode(compact.trim_end_matches('=')))
        else {
            out.problems
                .push(format!("{source}: the body is not valid base64"));
            continue;
        };
        let material = match label.as_str() {
            "PUBLIC KEY" => parse_spki(&der),
            "RSA PUBLIC KEY" => parse_rsa_public_key(&der, false),
            "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE" => {
                spki_of_certificate(&der).and_then(parse_spki)
            }
            other => Err(format!(
                "a PEM block labelled {other} is not a public key or a certificate"
            )),
        };
        match material {
            Ok(m) => out.keys.push(Key::new(source, m)),
            Err(e) => out.problems.push(format!("{source}: {e}")),
        }
    }
    if count == 0 {
        out.problems.push("no PEM block found".into());
    }
}

/// A DER certificate or SubjectPublicKeyInfo.
fn der_key(der: &[u8], source: &str) -> Result<Key, String> {
    let material = match spki_of_certificate(der) {
        Ok(spki) => parse_spki(spki),
        Err(_) => parse_spki(der),
    }
    .map_err(|e| format!("{source}: {e}"))?;
    Ok(Key::new(source.to_string(), material))
}

fn parse_secret_text(text: &str, out: &mut ParsedKeys) {
    if text.is_empty() {
        out.problems.push("the secret is empty".into());
        return;
    }
    if text.len() > MAX_KEYS_BYTES {
        out.problems.push("the secret is too long".into());
        return;
    }
    let t = text.trim();
    if t.contains("-----BEGIN") || t.starts_with('{') {
        // Public-key material typed into the secret box: read it as what it is, and mark it.
        let mut inner = ParsedKeys::default();
        parse_text(t, &mut inner, 1);
        if !inner.keys.is_empty() {
            out.private_key_pasted |= inner.private_key_pasted;
            for mut k in inner.keys {
                if !matches!(k.material, KeyMaterial::Secret { .. }) {
                    k.given_as_secret = true;
                    k.source = "the HMAC secret (text)".into();
                }
                out.keys.push(k);
            }
            return;
        }
    }
    let mut key = Key::new(
        "HMAC secret (text)".into(),
        KeyMaterial::Secret {
            bytes: text.as_bytes().to_vec(),
        },
    );
    if t.len() != text.len() {
        key.hint = Some("The secret begins or ends with spaces or a line break; the issuer's secret probably does not.".into());
    } else if looks_base64(text) {
        key.hint = Some("The secret looks like base64: if the issuer uses the decoded bytes as the key, give it as secretBase64 instead.".into());
    }
    out.keys.push(key);
}

fn looks_base64(t: &str) -> bool {
    t.len() >= 16
        && t.len() % 4 != 1
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_' | '='))
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().any(|c| c.is_ascii_uppercase())
        && t.chars().any(|c| c.is_ascii_lowercase())
}

fn parse_secret_base64(text: &str, out: &mut ParsedKeys) {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(bytes) = b64_any(&compact) else {
        out.problems
            .push("secretBase64 is not valid base64 (standard or base64url)".into());
        return;
    };
    if bytes.is_empty() {
        out.problems.push("the secret is empty".into());
        return;
    }
    let material = match public_in_secret(&bytes) {
        Some(public) => public,
        None => KeyMaterial::Secret { bytes },
    };
    let mut key = Key::new("HMAC secret (base64)".into(), material);
    key.given_as_secret = !matches!(key.material, KeyMaterial::Secret { .. });
    out.keys.push(key);
}

/// The public key hidden in bytes meant as an HMAC secret: PEM text or a DER key or certificate.
fn public_in_secret(bytes: &[u8]) -> Option<KeyMaterial> {
    if bytes.first() == Some(&0x30) {
        if let Ok(k) = der_key(bytes, "secret") {
            return Some(k.material);
        }
    }
    let text = std::str::from_utf8(bytes).ok()?;
    if !text.contains("-----BEGIN") {
        return None;
    }
    let mut inner = ParsedKeys::default();
    parse_pem(text.trim(), &mut inner);
    inner.keys.into_iter().map(|k| k.material).next()
}

/// Base64 in either alphabet, padded or not.
fn b64_any(s: &str) -> Option<Vec<u8>> {
    let t = s.trim_end_matches('=');
    let url = t.contains(['-', '_']);
    let std = t.contains(['+', '/']);
    if url && std {
        return None;
    }
    if std {
        STANDARD_NO_PAD.decode(t).ok()
    } else {
        URL_SAFE_NO_PAD.decode(t).ok()
    }
}

fn jwk_bytes(obj: &Map<String, Value>, member: &str, source: &str) -> Result<Vec<u8>, String> {
    let text = obj
        .get(member)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{source} has no {member}"))?;
    b64_any(text).ok_or_else(|| format!("{source}: {member} is not base64url"))
}

fn parse_jwk(obj: &Map<String, Value>, source: String, out: &mut ParsedKeys) {
    let kid = match obj.get("kid") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let named = match &kid {
        Some(k) => format!("{source} (kid {k})"),
        None => source.clone(),
    };
    let kty = obj.get("kty").and_then(Value::as_str).unwrap_or_default();
    let private = ["d", "p", "q", "dp", "dq", "qi"]
        .iter()
        .any(|m| obj.contains_key(*m));
    let material = jwk_material(obj, kty, &named);
    match material {
        Ok(material) => {
            if private && !matches!(material, KeyMaterial::Secret { .. }) {
                out.private_key_pasted = true;
            }
            // An `oct` JWK whose bytes are a public key is the same confusion as a PEM typed as the secret.
            let (material, confused) = match &material {
                KeyMaterial::Secret { bytes } => match public_in_secret(bytes) {
                    Some(public) => (public, true),
                    None => (material, false),
                },
                _ => (material, false),
            };
            let mut key = Key::new(source, material);
            key.given_as_secret = confused;
            key.kid = kid;
            key.alg = obj.get("alg").and_then(Value::as_str).map(str::to_string);
            key.usage = obj.get("use").and_then(Value::as_str).map(str::to_string);
            key.ops = obj.get("key_ops").and_then(Value::as_array).map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            });
            out.keys.push(key);
        }
        Err(e) => out.problems.push(e),
    }
}

fn jwk_material(obj: &Map<String, Value>, kty: &str, named: &str) -> Result<KeyMaterial, String> {
    match kty {
        "RSA" if obj.contains_key("n") => {
            let n = jwk_bytes(obj, "n", named)?;
            let e = jwk_bytes(obj, "e", named)?;
            rsa_material(n, e, false).map_err(|e| format!("{named}: {e}"))
        }
        "EC" if obj.contains_key("x") => {
            let crv = obj.get("crv").and_then(Value::as_str).unwrap_or_default();
            let curve = Curve::from_name(crv).ok_or_else(|| {
                format!("{named}: the curve {crv} cannot be checked in the browser (P-256, P-384 and P-521 can)")
            })?;
            let x = jwk_bytes(obj, "x", named)?;
            let y = jwk_bytes(obj, "y", named)?;
            let len = curve.coordinate_len();
            if x.len() != len || y.len() != len {
                return Err(format!(
                    "{named}: x and y must be {len} bytes each on {} (RFC 7518 §6.2.1.2); they are {} and {}",
                    curve.name(),
                    x.len(),
                    y.len()
                ));
            }
            Ok(KeyMaterial::Ec { curve, x, y })
        }
        "OKP" if obj.contains_key("x") => {
            let crv = obj.get("crv").and_then(Value::as_str).unwrap_or_default();
            if crv != "Ed25519" {
                return Err(format!(
                    "{named}: OKP curve {crv} cannot be checked in the browser (Ed25519 can)"
                ));
            }
            let x = jwk_bytes(obj, "x", named)?;
            if x.len() != 32 {
                return Err(format!(
                    "{named}: an Ed25519 x is 32 bytes, not {}",
                    x.len()
                ));
            }
            Ok(KeyMaterial::Ed25519 { x })
        }
        "oct" => {
            let bytes = jwk_bytes(obj, "k", named)?;
            if bytes.is_empty() {
                return Err(format!("{named}: k is empty"));
            }
            Ok(KeyMaterial::Secret { bytes })
        }
        "RSA" | "EC" | "OKP" => {
            // No inline public parameters: the key may come as a certificate chain (x5c).
            let cert = obj
                .get("x5c")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{named} has no public key parameters"))?;
            let der = STANDARD
                .decode(cert.trim())
                .map_err(|_| format!("{named}: x5c[0] is not base64"))?;
            spki_of_certificate(&der)
                .and_then(parse_spki)
                .map_err(|e| format!("{named}: x5c[0]: {e}"))
        }
        "" => Err(format!("{named} has no kty")),
        other => Err(format!(
            "{named}: key type {other} is not a signing key type"
        )),
    }
}

fn rsa_material(n: Vec<u8>, e: Vec<u8>, pss_only: bool) -> Result<KeyMaterial, String> {
    let n = strip_zeros(&n).to_vec();
    let e = strip_zeros(&e).to_vec();
    if n.is_empty() || e.is_empty() {
        return Err("the RSA modulus or exponent is zero".into());
    }
    if n.len() > 2048 || e.len() > 16 {
        return Err("the RSA key is larger than any real one (over 16384 bits)".into());
    }
    Ok(KeyMaterial::Rsa { n, e, pss_only })
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    b.get(start..).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------------------------
// DER: a bounded reader for the few structures needed, and a writer for SubjectPublicKeyInfo
// ---------------------------------------------------------------------------------------------------------------

const OID_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
const OID_RSA_PSS: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A];
const OID_EC: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x23];
const OID_ED25519: &[u8] = &[0x2B, 0x65, 0x70];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;

/// One DER element: its tag, its content, and the bytes after it.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    whole: &'a [u8],
    rest: &'a [u8],
}

/// Reads one DER element. Every length is checked against the bytes present; indefinite lengths, multi-byte
/// tags and lengths over 4 bytes are refused, so a hostile input can only make this return `None`.
fn tlv(data: &[u8]) -> Option<Tlv<'_>> {
    let tag = *data.first()?;
    if tag & 0x1F == 0x1F {
        return None;
    }
    let first = *data.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2usize)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 {
            return None;
        }
        let mut len = 0usize;
        for b in data.get(2..2usize.checked_add(count)?)? {
            len = len.checked_mul(256)?.checked_add(usize::from(*b))?;
        }
        (len, 2usize.checked_add(count)?)
    };
    let end = header.checked_add(len)?;
    Some(Tlv {
        tag,
        content: data.get(header..end)?,
        whole: data.get(..end)?,
        rest: data.get(end..)?,
    })
}

fn expect<'a>(data: &'a [u8], tag: u8, what: &str) -> Result<Tlv<'a>, String> {
    match tlv(data) {
        Some(t) if t.tag == tag => Ok(t),
        Some(t) => Err(format!(
            "{what}: expected DER tag 0x{tag:02x}, found 0x{:02x}",
            t.tag
        )),
        None => Err(format!("{what}: the DER is truncated or malformed")),
    }
}

/// The SubjectPublicKeyInfo (whole DER element) inside an X.509 certificate (RFC 5280 §4.1). Only the path to
/// it is walked; nothing else in the certificate is read or trusted.
pub fn spki_of_certificate(der: &[u8]) -> Result<&[u8], String> {
    let cert = expect(der, SEQUENCE, "certificate")?;
    let tbs = expect(cert.content, SEQUENCE, "certificate body")?;
    let mut field = tbs.content;
    let first = tlv(field).ok_or("certificate body: truncated")?;
    if first.tag == 0xA0 {
        field = first.rest; // [0] EXPLICIT version
    }
    let serial = expect(field, INTEGER, "certificate serial number")?;
    let sig_alg = expect(serial.rest, SEQUENCE, "certificate signature algorithm")?;
    let issuer = expect(sig_alg.rest, SEQUENCE, "certificate issuer")?;
    let validity = expect(issuer.rest, SEQUENCE, "certificate validity")?;
    let subject = expect(validity.rest, SEQUENCE, "certificate subject")?;
    let spki = expect(subject.rest, SEQUENCE, "certificate public key")?;
    Ok(spki.whole)
}

/// Reads a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): RSA (rsaEncryption or RSASSA-PSS), EC on P-256/384/521
/// with an uncompressed point, or Ed25519.
pub fn parse_spki(der: &[u8]) -> Result<KeyMaterial, String> {
    let spki = expect(der, SEQUENCE, "public key")?;
    if !spki.rest.is_empty() {
        return Err("public key: bytes after the end of the DER".into());
    }
    let alg = expect(spki.content, SEQUENCE, "public key algorithm")?;
    let bits = expect(alg.rest, BIT_STRING, "public key bits")?;
    let oid = expect(alg.content, OID, "public key algorithm")?;
    let key = match bits.content.split_first() {
        Some((0, key)) => key,
        _ => return Err("public key bits: unused bits are not zero".into()),
    };
    match oid.content {
        OID_RSA => parse_rsa_public_key(key, false),
        OID_RSA_PSS => parse_rsa_public_key(key, true),
        OID_EC => {
            let curve_oid = expect(oid.rest, OID, "EC curve")?;
            let curve = match curve_oid.content {
                OID_P256 => Curve::P256,
                OID_P384 => Curve::P384,
                OID_P521 => Curve::P521,
                other => {
                    return Err(format!(
                        "the EC curve {} cannot be checked in the browser (P-256, P-384 and P-521 can)",
                        oid_text(other)
                    ));
                }
            };
            let len = curve.coordinate_len();
            match key.split_first() {
                Some((4, xy)) if xy.len() == len.saturating_mul(2) => Ok(KeyMaterial::Ec {
                    curve,
                    x: xy.get(..len).unwrap_or_default().to_vec(),
                    y: xy.get(len..).unwrap_or_default().to_vec(),
                }),
                Some((2 | 3, _)) => Err(
                    "a compressed EC point is not supported; export the key uncompressed".into(),
                ),
                _ => Err(format!(
                    "the EC point is not a valid {} point",
                    curve.name()
                )),
            }
        }
        OID_ED25519 if key.len() == 32 => Ok(KeyMaterial::Ed25519 { x: key.to_vec() }),
        OID_ED25519 => Err(format!("an Ed25519 key is 32 bytes, not {}", key.len())),
        [0x2B, 0x65, 0x71] => Err("Ed448 keys cannot be checked in the browser".into()),
        [0x2B, 0x65, 0x6E] | [0x2B, 0x65, 0x6F] => {
            Err("an X25519/X448 key is for key agreement, not signatures".into())
        }
        other => Err(format!(
            "the key algorithm {} is not one JWS uses",
            oid_text(other)
        )),
    }
}

/// Reads a PKCS#1 RSAPublicKey (`SEQUENCE { n INTEGER, e INTEGER }`, RFC 8017 §A.1.1).
fn parse_rsa_public_key(der: &[u8], pss_only: bool) -> Result<KeyMaterial, String> {
    let seq = expect(der, SEQUENCE, "RSA public key")?;
    let n = expect(seq.content, INTEGER, "RSA modulus")?;
    let e = expect(n.rest, INTEGER, "RSA exponent")?;
    for int in [n.content, e.content] {
        if int.first().is_some_and(|b| b & 0x80 != 0) {
            return Err("the RSA key has a negative number".into());
        }
    }
    rsa_material(n.content.to_vec(), e.content.to_vec(), pss_only)
}

/// The dotted form of an OID's content bytes, for messages ("1.3.132.0.10").
fn oid_text(bytes: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for b in bytes.iter().take(64) {
        value = match value
            .checked_mul(128)
            .and_then(|v| v.checked_add(u64::from(b & 0x7F)))
        {
            Some(v) => v,
            None => return "(an unreadable OID)".into(),
        };
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value.saturating_sub(first.saturating_mul(40)));
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len.saturating_add(6));
    out.push(tag);
    let be = len.to_be_bytes();
    let significant = strip_zeros(&be);
    if len < 0x80 {
        out.extend_from_slice(significant.last().map(std::slice::from_ref).unwrap_or(&[0]));
    } else {
        out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0));
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

fn der_uint(magnitude: &[u8]) -> Vec<u8> {
    let m = strip_zeros(magnitude);
    let mut content = Vec::with_capacity(m.len().saturating_add(1));
    if m.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(m);
    der(INTEGER, &content)
}

fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

/// The DER SubjectPublicKeyInfo of a public key, built fresh from its components (`None` for a secret).
pub fn spki_der(material: &KeyMaterial) -> Option<Vec<u8>> {
    let (alg_id, key) = match material {
        KeyMaterial::Rsa { n, e, .. } => (
            concat(&[&der(OID, OID_RSA), &[NULL, 0]]),
            der(SEQUENCE, &concat(&[&der_uint(n), &der_uint(e)])),
        ),
        KeyMaterial::Ec { curve, x, y } => (
            concat(&[&der(OID, OID_EC), &der(OID, curve.oid())]),
            concat(&[&[4], x, y]),
        ),
        KeyMaterial::Ed25519 { x } => (der(OID, OID_ED25519), x.clone()),
        KeyMaterial::Secret { .. } => return None,
    };
    let bits = der(BIT_STRING, &concat(&[&[0], &key]));
    Some(der(SEQUENCE, &concat(&[&der(SEQUENCE, &alg_id), &bits])))
}
