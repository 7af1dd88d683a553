//! The installed platforms: built-in matrices the caller has loaded, looked up by id or by host.

use crate::matrix::Matrix;

/// The ids of the built-in platforms, in display order.
pub const BUILT_IN: &[&str] = &["genesys-cloud", "microsoft-graph", "nice-cxone"];

/// Installed matrices, by platform id.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    matrices: Vec<Matrix>,
}

impl Registry {
    /// Installs (or replaces) a platform's matrix.
    pub fn install(&mut self, matrix: Matrix) {
        self.matrices
            .retain(|m| m.platform.id != matrix.platform.id);
        self.matrices.push(matrix);
    }

    /// The matrix of platform `id`, if installed.
    pub fn get(&self, id: &str) -> Option<&Matrix> {
        self.matrices.iter().find(|m| m.platform.id == id)
    }

    /// Ids of the installed platforms.
    pub fn installed(&self) -> Vec<String> {
        self.matrices
            .iter()
            .map(|m| m.platform.id.clone())
            .collect()
    }
}

/// Which built-in platform a host belongs to, without needing its matrix installed.
pub fn platform_for_host(host: &str) -> Option<&'static str> {
    let host = host.to_ascii_lowercase();
    let host = host
        .split(':')
        .next()
        .unwrap_or(&host)
        .trim_end_matches('.');
    let ends = |suffix: &str| host == suffix || host.ends_with(&format!(".{suffix}"));
    if [
        "mypurecloud.com",
        "mypurecloud.ie",
        "mypurecloud.com.au",
        "mypurecloud.jp",
        "mypurecloud.de",
        "pure.cloud",
        "us-gov-pure.cloud",
        "eusc-pure.cloud",
        "inindca.com",
    ]
    .iter()
    .any(|s| ends(s))
    {
        Some("genesys-cloud")
    } else if ends("graph.microsoft.com")
        || ends("graph.microsoft.us")
        || ends("dod-graph.microsoft.us")
        || ends("microsoftgraph.chinacloudapi.cn")
    {
        Some("microsoft-graph")
    } else if ends("nice-incontact.com")
        || ends("niceincontact.com")
        || ends("incontact.com")
        || ends("cxone.niceincontact.com")
    {
        Some("nice-cxone")
    } else {
        None
    }
}
