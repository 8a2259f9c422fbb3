//! The client: its options, its shared state (connection pools, project, live OS lists) and the handles
//! made from it (logging, pacing, polling). What each IMS call sends and reads lives in `crate::api`;
//! how a call is signed, sent and retried, in `crate::call`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::api::os_versions::list::OsVersion;
use crate::config::{Credentials, Endpoint, ResolvedConfig};
use crate::error::Error;
use crate::pacing::RequestPacer;
use crate::process_local::ProcessLocal;
use crate::request_log::{LogLevel, RequestLog};
use crate::retry::RetryPolicy;
use crate::runtime::install_crypto_provider;
use crate::spec::Rules;
use crate::tls::TlsOptions;
use crate::transport::{pooled, proxy_configured, socket::SocketPool};

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The whole exchange of one attempt, connect included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
    pub tls: TlsOptions,
    /// Whether a spec that breaks a value rule is refused (the default) or sent as given.
    pub rules: Rules,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            tls: TlsOptions::default(),
            rules: Rules::default(),
        }
    }
}

/// A client of one IMS endpoint with one set of credentials. Cloning shares the connection pool, the
/// project and the live OS list.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// Where this handle reports its requests; `None` (the default) costs nothing.
    pub(crate) log: Option<RequestLog>,
    /// Requests of this handle are job polls of a wait loop.
    pub(crate) polling: bool,
    /// Paces every request of this handle (and of the handles made from it); `None`: no limit.
    pub(crate) pacer: Option<Arc<RequestPacer>>,
}

pub(crate) struct Inner {
    /// One pool per process: a forked child must not use the parent's connections.
    pub(crate) http: ProcessLocal<reqwest::Client>,
    /// The socket transport of blocking calls, one per process too; None when a proxy or a TLS setting
    /// of its own is configured, which only reqwest handles.
    socket: Option<ProcessLocal<Arc<SocketPool>>>,
    pub(crate) config: ResolvedConfig,
    pub(crate) options: ClientOptions,
    /// Given, or discovered from IAM by the first request that needs it.
    pub(crate) project: tokio::sync::OnceCell<String>,
    /// The live OS lists fetched so far, by tag.
    pub(crate) live_os_versions: Mutex<HashMap<Option<String>, Arc<Vec<OsVersion>>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.inner.config;
        f.debug_struct("Client")
            .field("endpoint", &c.endpoint.base)
            .field("region", &c.region)
            .field("project", &c.project)
            .field("auth", &self.auth_kind())
            .finish()
    }
}

impl Client {
    pub fn new(config: ResolvedConfig, options: ClientOptions) -> Result<Client, Error> {
        install_crypto_provider();
        if let Some(project_id) = config.given_project_id() {
            check_header_safe("project id", project_id)?;
        }
        match &config.credentials {
            Credentials::AkSk {
                ak, security_token, ..
            } => {
                check_header_safe("access key", ak)?;
                if let Some(token) = security_token {
                    check_header_safe("security token", token.expose())?;
                }
            }
            Credentials::Token(token) => check_header_safe("auth token", token.expose())?,
        }
        let http = ProcessLocal::new(pooled::build(
            options.timeout,
            options.connect_timeout,
            &options.tls,
        )?);
        let socket =
            socket_pool(&config.endpoint, &options).map(|pool| ProcessLocal::new(Arc::new(pool)));
        let project = match config.given_project_id() {
            Some(id) => tokio::sync::OnceCell::new_with(Some(id.to_owned())),
            None => tokio::sync::OnceCell::new(),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                socket,
                config,
                options,
                project,
                live_os_versions: Mutex::default(),
            }),
            log: None,
            polling: false,
            pacer: None,
        })
    }

    /// A handle on the same client whose requests are reported to `log` (`None`: not reported).
    pub fn with_log(&self, log: Option<RequestLog>) -> Client {
        Client {
            inner: self.inner.clone(),
            log,
            polling: self.polling,
            pacer: self.pacer.clone(),
        }
    }

    /// A handle on the same client whose requests (and those of its wait loops) wait for `pacer`.
    pub fn with_pacer(&self, pacer: Option<Arc<RequestPacer>>) -> Client {
        Client {
            inner: self.inner.clone(),
            log: self.log.clone(),
            polling: self.polling,
            pacer,
        }
    }

    /// Whether a handle reports anything at `level`.
    pub fn logs(&self, level: LogLevel) -> bool {
        self.log.as_ref().is_some_and(|log| log.wants(level))
    }

    /// This handle, its requests marked as job polls.
    pub(crate) fn polling(&self) -> Client {
        Client {
            inner: self.inner.clone(),
            log: self.log.clone(),
            polling: true,
            pacer: self.pacer.clone(),
        }
    }

    /// The socket transport of this process, unless a proxy or TLS setting of its own is configured.
    pub(crate) fn socket(&self) -> Option<Arc<SocketPool>> {
        let socket = self.inner.socket.as_ref()?;
        socket
            .get_or_rebuild(|| {
                socket_pool(&self.inner.config.endpoint, &self.inner.options)
                    .map(Arc::new)
                    .ok_or(())
            })
            .ok()
    }

    /// The same client without the socket transport, as when a proxy is configured.
    #[cfg(test)]
    pub(crate) fn without_socket(&self) -> Client {
        let mut client = Client::new(self.inner.config.clone(), self.inner.options.clone())
            .expect("the settings of a client that exists");
        if let Some(inner) = Arc::get_mut(&mut client.inner) {
            inner.socket = None;
        }
        client
    }

    pub fn config(&self) -> &ResolvedConfig {
        &self.inner.config
    }

    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    /// "aksk", "temporary-aksk" or "token": what kind of credentials sign the requests.
    pub fn auth_kind(&self) -> &'static str {
        match &self.inner.config.credentials {
            Credentials::AkSk {
                security_token: None,
                ..
            } => "aksk",
            Credentials::AkSk { .. } => "temporary-aksk",
            Credentials::Token(_) => "token",
        }
    }
}

pub(crate) fn check_header_safe(what: &str, value: &str) -> Result<(), Error> {
    if value.bytes().all(|b| (0x21..0x7f).contains(&b)) && !value.is_empty() {
        Ok(())
    } else {
        // The value itself may be a secret: name it, never show it.
        Err(Error::Config(format!(
            "the {what} holds characters that cannot go in an HTTP header (only visible ASCII, no spaces)"
        )))
    }
}

/// The socket transport for `endpoint`, unless the environment names a proxy or the TLS settings are
/// not the default ones (reqwest handles those), or TLS cannot be set up here (reqwest then reports
/// why, on the first request).
fn socket_pool(endpoint: &Endpoint, options: &ClientOptions) -> Option<SocketPool> {
    if proxy_configured() || !options.tls.verify || !options.tls.extra_roots.is_empty() {
        return None;
    }
    let base = reqwest::Url::parse(&endpoint.base).ok()?;
    let host = base.host_str()?;
    // An IPv6 literal comes bracketed in URLs, bare in socket addresses and TLS names.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = base.port_or_known_default()?;
    SocketPool::new(
        base.scheme(),
        host,
        port,
        options.connect_timeout,
        options.timeout,
    )
    .ok()
}
