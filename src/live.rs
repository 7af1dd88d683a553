//! Live checks: the only module that talks to the network, and only when the user asks. Requests go through
//! `gloo-net` (fetch). Introspection, discovery and Genesys `tokens/me` are built on these helpers.

/// GETs a URL and returns the body bytes; errors are plain sentences.
pub async fn get_bytes(url: &str) -> Result<Vec<u8>, String> {
    let resp = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| format!("cannot fetch {url}: {e}"))?;
    if !resp.ok() {
        return Err(format!("{url} answered {}", resp.status()));
    }
    resp.binary()
        .await
        .map_err(|e| format!("cannot read {url}: {e}"))
}
