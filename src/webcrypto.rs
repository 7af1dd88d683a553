//! Runs a [`VerifyPlan`] with WebCrypto (`crypto.subtle`): `importKey` then `verify`, one candidate key after the
//! other, stopping at the first that verifies. Wasm only; every decision was made by the pure core
//! (`crate::signature`), this module only executes it. Works in browsers (secure contexts: https, localhost,
//! file) and in Node 20+, where `globalThis.crypto.subtle` is the same API.

use crate::signature::{Candidate, Outcome, SignatureAssessment, VerifyPlan};
use js_sys::{Array, JSON, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

/// Verifies with WebCrypto what [`crate::signature::assess`] planned, and returns the final assessment.
pub async fn verify(assessment: &SignatureAssessment) -> SignatureAssessment {
    match &assessment.plan {
        Some(plan) => {
            let outcomes = run(plan).await;
            crate::signature::complete(assessment, &outcomes)
        }
        None => assessment.clone(),
    }
}

/// Runs each candidate of the plan in order until one verifies; one outcome per candidate run.
pub async fn run(plan: &VerifyPlan) -> Vec<Outcome> {
    let Some(subtle) = subtle() else {
        let why = "crypto.subtle is not available here (WebCrypto needs a secure context: https, localhost or a local file)".to_string();
        return plan
            .candidates
            .iter()
            .map(|_| Outcome::Failed(why.clone()))
            .collect();
    };
    let mut outcomes = Vec::with_capacity(plan.candidates.len());
    for c in &plan.candidates {
        let outcome = run_one(&subtle, plan, c).await;
        let done = outcome == Outcome::Verified;
        outcomes.push(outcome);
        if done {
            break;
        }
    }
    outcomes
}

/// `globalThis.crypto.subtle`, when there is one.
fn subtle() -> Option<SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok()?;
    if !crypto.is_object() {
        return None;
    }
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    subtle.is_object().then(|| subtle.unchecked_into())
}

async fn run_one(subtle: &SubtleCrypto, plan: &VerifyPlan, c: &Candidate) -> Outcome {
    let key = match import(subtle, c).await {
        Ok(k) => k,
        Err(e) => {
            return Outcome::Failed(format!(
                "{} was refused by WebCrypto ({})",
                c.name,
                message(&e)
            ));
        }
    };
    let result = async {
        let algorithm = object(&c.verify_algorithm)?;
        let signature = Uint8Array::from(plan.signature.as_slice());
        let data = Uint8Array::from(plan.data.as_slice());
        let promise = subtle.verify_with_object_and_js_u8_array_and_js_u8_array(
            &algorithm, &key, &signature, &data,
        )?;
        JsFuture::from(promise).await
    }
    .await;
    match result {
        Ok(v) if v.as_bool() == Some(true) => Outcome::Verified,
        Ok(_) => Outcome::Rejected,
        // WebCrypto throws on some malformed signatures instead of answering false; either way it does not verify.
        Err(e) if is_operation_error(&e) => Outcome::Rejected,
        Err(e) => Outcome::Failed(format!("verify failed ({})", message(&e))),
    }
}

async fn import(subtle: &SubtleCrypto, c: &Candidate) -> Result<CryptoKey, JsValue> {
    let algorithm = object(&c.import_algorithm)?;
    let data: Object = Uint8Array::from(c.key_data.as_slice()).into();
    let usages = Array::of1(&JsValue::from_str("verify"));
    let promise = subtle.import_key_with_object(c.format, &data, &algorithm, false, &usages)?;
    let key = JsFuture::from(promise).await?;
    Ok(key.unchecked_into())
}

/// A plain JS object from the plan's JSON (`{ name: "RSA-PSS", saltLength: 32 }`).
fn object(v: &serde_json::Value) -> Result<Object, JsValue> {
    let parsed = JSON::parse(&v.to_string())?;
    parsed
        .dyn_into::<Object>()
        .map_err(|_| JsValue::from_str("the algorithm is not an object"))
}

fn is_operation_error(e: &JsValue) -> bool {
    Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .is_some_and(|n| n == "OperationError")
}

/// The error's `name: message`, without anything of the key or token.
fn message(e: &JsValue) -> String {
    let get = |k: &str| {
        Reflect::get(e, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_string())
    };
    match (get("name"), get("message")) {
        (Some(n), Some(m)) if !m.is_empty() => format!("{n}: {m}"),
        (Some(n), _) => n,
        _ => e.as_string().unwrap_or_else(|| "unknown error".into()),
    }
}
