//! The request: what the user gave `diagnose`. Field names are camelCase in JS.

use serde::Deserialize;
use serde_json::Value;

/// The audience and issuer the API is configured to accept, when the user knows them.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Expect {
    /// The audience the API accepts (`aud` must contain it).
    #[serde(default)]
    pub audience: Option<String>,
    /// The issuer the API accepts (`iss` must equal it).
    #[serde(default)]
    pub issuer: Option<String>,
}

/// Everything `diagnose` takes. Only `input` is required.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// Whatever the user pasted: a token, a header, a token response, introspection, curl, raw HTTP.
    pub input: String,
    /// `"POST /api/v2/conversations/calls"`, a full URL, or a curl command / raw HTTP request.
    #[serde(default)]
    pub operation: Option<String>,
    /// A built-in platform id; detected from the host or the token when absent.
    #[serde(default)]
    pub platform: Option<String>,
    /// A user-supplied matrix: OpenAPI / Swagger (JSON or YAML) or the project's matrix format, as text or object.
    #[serde(default)]
    pub matrix: Option<Value>,
    /// What the API answered: raw HTTP response, a body, or a `WWW-Authenticate` value.
    #[serde(default)]
    pub response: Option<String>,
    /// An RFC 7662 introspection response, or Genesys `GET /api/v2/tokens/me`, as text or object.
    #[serde(default)]
    pub introspection: Option<Value>,
    /// What the API is configured to accept.
    #[serde(default)]
    pub expect: Option<Expect>,
    /// Unix seconds; the boundary fills in the current time when absent.
    #[serde(default)]
    pub now: Option<f64>,
    /// A second token ("the one that works") to compare against.
    #[serde(default)]
    pub previous: Option<String>,
    /// Keys for signature verification: JWKS / JWK / PEM text, or `{secret}` / `{secretBase64}`.
    #[serde(default)]
    pub keys: Option<Value>,
}

impl Request {
    /// A value that is either a JSON string holding text or a JSON object: returns the text form.
    pub fn text_of(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}
