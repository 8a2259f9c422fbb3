//! The IMS client: validated specs in, signed requests out, job ids and jobs back.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde_json::Value;

use crate::config::{Credentials, ResolvedConfig};
use crate::error::{ApiError, Error, TransportError};
use crate::error_body::parse_error_body;
use crate::job::Job;
use crate::prepare::PreparedRequest;
use crate::process_local::ProcessLocal;
use crate::retry::{
    api_error_is_retryable, refused_before_acting, transport_error_is_retryable, CallKind,
    RetryPolicy,
};
use crate::runtime::install_crypto_provider;
use crate::sign::{self, SigningRequest};
use crate::spec::{FieldError, ImageSpec, ValidationErrors};
use crate::tls::{is_certificate_error, TlsOptions};

pub const CREATE_PATH: &str = "/v2/cloudimages/action";
/// The job progress endpoint (`process_percent`, `current_task`); the job id follows.
pub const JOB_PROGRESS_PATH_PREFIX: &str = "/v1/cloudimages/job/";
const CONTENT_TYPE: &str = "application/json";
pub const USER_AGENT: &str = concat!("hcims/", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The whole exchange of one attempt, connect included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
    pub tls: TlsOptions,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            tls: TlsOptions::default(),
        }
    }
}

/// A client of one IMS endpoint with one set of credentials. Cloning shares the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// One pool per process: a forked child must not use the parent's connections.
    http: ProcessLocal<reqwest::Client>,
    config: ResolvedConfig,
    options: ClientOptions,
    jobs_path_prefix: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.inner.config;
        f.debug_struct("Client")
            .field("endpoint", &c.endpoint.base)
            .field("region", &c.region)
            .field("project_id", &c.project_id)
            .field("auth", &self.auth_kind())
            .finish()
    }
}

/// A response that arrived whole, whatever its status.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl Client {
    pub fn new(config: ResolvedConfig, options: ClientOptions) -> Result<Client, Error> {
        install_crypto_provider();
        check_header_safe("project id", &config.project_id)?;
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
        let http = ProcessLocal::new(build_http(&options)?);
        let jobs_path_prefix = format!("/v1/{}/jobs/", config.project_id);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                config,
                options,
                jobs_path_prefix,
            }),
        })
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

    /// The create request for `spec`, signed now, with secrets masked. Nothing is sent.
    pub fn prepare(&self, spec: &ImageSpec) -> Result<PreparedRequest, Error> {
        spec.validate()?;
        let body = spec.to_body();
        let (uri, headers) = self.headers_for("POST", CREATE_PATH, &[], &body, SystemTime::now());
        Ok(PreparedRequest::new(
            "POST",
            format!("{}{uri}", self.inner.config.endpoint.base),
            &headers,
            &body,
        ))
    }

    /// Submits `spec` (validated again here: the core never sends a request that breaks a rule) and returns
    /// the job id.
    pub async fn create(&self, spec: &ImageSpec) -> Result<String, Error> {
        spec.validate()?;
        let body = Bytes::from(spec.to_body());
        let answer = self
            .execute(Method::POST, CREATE_PATH, &[], body, CallKind::Create)
            .await?;
        let job_id = serde_json::from_slice::<Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("job_id").and_then(Value::as_str).map(str::to_owned))
            .filter(|id| !id.is_empty());
        job_id.ok_or_else(|| {
            // IMS accepted something but did not say what: the image may well be on its way.
            Error::transport(
                format!(
                    "IMS answered HTTP {} without a job_id: {}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ),
                false,
                true,
            )
        })
    }

    /// The job's current state, from `GET /v1/{project_id}/jobs/{job_id}`.
    pub async fn get_job(&self, job_id: &str) -> Result<Job, Error> {
        check_job_id(job_id)?;
        let path = format!("{}{job_id}", self.inner.jobs_path_prefix);
        let answer = self
            .execute(Method::GET, &path, &[], Bytes::new(), CallKind::Query)
            .await?;
        job_from_answer(&answer, job_id)
    }

    /// The job as `GET /v1/cloudimages/job/{job_id}` shows it: the endpoint that carries `process_percent`
    /// when the status endpoint leaves it out. One attempt only: progress is a nicety, not worth the
    /// delays of retries.
    pub async fn get_job_progress(&self, job_id: &str) -> Result<Job, Error> {
        check_job_id(job_id)?;
        let path = format!("{JOB_PROGRESS_PATH_PREFIX}{job_id}");
        let single_attempt = RetryPolicy {
            retries: 0,
            ..self.inner.options.retry
        };
        let answer = self
            .execute_with(
                single_attempt,
                Method::GET,
                &path,
                &[],
                Bytes::new(),
                CallKind::Query,
            )
            .await?;
        job_from_answer(&answer, job_id)
    }

    /// Sends with the client's retry policy and the rules of `kind`; an answer >= 400 becomes `Error::Api`.
    async fn execute(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Bytes,
        kind: CallKind,
    ) -> Result<Answer, Error> {
        let policy = self.inner.options.retry;
        self.execute_with(policy, method, path, query, body, kind)
            .await
    }

    async fn execute_with(
        &self,
        policy: RetryPolicy,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Bytes,
        kind: CallKind,
    ) -> Result<Answer, Error> {
        // Retries made so far.
        let mut retries: u32 = 0;
        loop {
            let error = match self
                .send_once(&method, path, query, body.clone(), kind)
                .await
            {
                Ok(answer) if answer.status < 400 => return Ok(answer),
                Ok(answer) => {
                    let api = api_error_from(&answer, kind);
                    if policy.allows(retries + 1) && api_error_is_retryable(&api, kind) {
                        retries += 1;
                        tokio::time::sleep(policy.delay(retries, api.retry_after)).await;
                        continue;
                    }
                    Error::Api(Box::new(api))
                }
                Err(transport) => {
                    if policy.allows(retries + 1) && transport_error_is_retryable(&transport, kind)
                    {
                        retries += 1;
                        tokio::time::sleep(policy.delay(retries, None)).await;
                        continue;
                    }
                    Error::Transport(Box::new(transport))
                }
            };
            return Err(error);
        }
    }

    async fn send_once(
        &self,
        method: &Method,
        path: &str,
        query: &[(String, String)],
        body: Bytes,
        kind: CallKind,
    ) -> Result<Answer, TransportError> {
        let (uri, headers) =
            self.headers_for(method.as_str(), path, query, &body, SystemTime::now());
        let mut header_map = HeaderMap::with_capacity(headers.len());
        for (name, value) in &headers {
            // Names are ours and values were checked at construction; a failure here is a bug, not input.
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| TransportError {
                message: format!("invalid header name {name:?}: {e}"),
                retryable: false,
                maybe_sent: false,
            })?;
            let value = HeaderValue::from_str(value).map_err(|_| TransportError {
                message: format!("invalid value for header {name}"),
                retryable: false,
                maybe_sent: false,
            })?;
            header_map.append(name, value);
        }
        let url = format!("{}{uri}", self.inner.config.endpoint.base);
        let http = self
            .inner
            .http
            .get_or_rebuild(|| build_http(&self.inner.options))
            .map_err(|e| TransportError {
                message: e.to_string(),
                retryable: false,
                maybe_sent: false,
            })?;
        let response = http
            .request(method.clone(), url)
            .headers(header_map)
            .body(body)
            .send()
            .await
            .map_err(|e| transport_error(&e, kind))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| {
            let mut t = transport_error(&e, kind);
            t.message = format!("the answer (HTTP {status}) broke off: {}", t.message);
            // The status line arrived: the service saw the request. Only a query may be sent again.
            t.retryable = kind == CallKind::Query;
            t.maybe_sent = kind == CallKind::Create;
            t
        })?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// The headers of a request, signed for `now`, and the request URI to put after the endpoint.
    fn headers_for(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: &[u8],
        now: SystemTime,
    ) -> (String, Vec<(String, String)>) {
        let config = &self.inner.config;
        let mut headers: Vec<(String, String)> = Vec::with_capacity(8);
        headers.push(("Content-Type".to_owned(), CONTENT_TYPE.to_owned()));
        headers.push(("X-Project-Id".to_owned(), config.project_id.clone()));
        match &config.credentials {
            Credentials::AkSk {
                ak,
                sk,
                security_token,
            } => {
                if let Some(token) = security_token {
                    headers.push(("X-Security-Token".to_owned(), token.expose().to_owned()));
                }
                let signed = sign::sign(
                    &SigningRequest {
                        method,
                        host: &config.endpoint.host,
                        path,
                        query,
                        headers: &headers,
                        body,
                    },
                    ak,
                    sk.expose(),
                    &sign::sdk_date(now),
                );
                headers.extend(signed.added_headers);
                headers.push(("Authorization".to_owned(), signed.authorization));
                (signed.request_uri, headers)
            }
            Credentials::Token(token) => {
                headers.push(("Host".to_owned(), config.endpoint.host.clone()));
                headers.push(("X-Auth-Token".to_owned(), token.expose().to_owned()));
                let query_string = sign::canonical_query_string(query);
                let uri = if query_string.is_empty() {
                    path.to_owned()
                } else {
                    format!("{path}?{query_string}")
                };
                (uri, headers)
            }
        }
    }
}

/// The HTTP client of one process, with the client's timeouts and TLS settings.
fn build_http(options: &ClientOptions) -> Result<reqwest::Client, Error> {
    let builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(options.timeout)
        .connect_timeout(options.connect_timeout)
        .pool_idle_timeout(Duration::from_secs(50))
        .tcp_nodelay(true);
    options.tls.apply(builder).build().map_err(|e| {
        Error::Config(format!(
            "cannot set up the HTTP client: {}",
            error_chain(&e)
        ))
    })
}

fn job_from_answer(answer: &Answer, job_id: &str) -> Result<Job, Error> {
    let value: Value = serde_json::from_slice(&answer.body)
        .map_err(|e| Error::transport(format!("the job answer is not JSON: {e}"), true, false))?;
    Job::from_json(value, job_id).map_err(|m| Error::transport(m, true, false))
}

fn api_error_from(answer: &Answer, kind: CallKind) -> ApiError {
    let parsed = parse_error_body(&answer.body);
    let header_request_id = answer
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let retry_after = answer
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(3600.0)));
    let mut message = parsed.message.unwrap_or_else(|| {
        reqwest::StatusCode::from_u16(answer.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error")
            .to_owned()
    });
    if is_clock_skew(answer.status, parsed.code.as_deref(), &message) {
        message.push_str(CLOCK_HINT);
    }
    // A 5xx may come after IMS acted (a gateway timeout, say), unless its code says it refused first.
    let maybe_sent = kind == CallKind::Create
        && answer.status >= 500
        && !refused_before_acting(parsed.code.as_deref());
    ApiError {
        status: answer.status,
        code: parsed.code,
        message,
        request_id: header_request_id.or(parsed.request_id),
        body: String::from_utf8_lossy(&answer.body).into_owned(),
        maybe_sent,
        retry_after,
    }
}

/// Added to the message of an answer that refused the request's date.
pub const CLOCK_HINT: &str =
    " (the gateway refuses requests dated more than 15 minutes from its clock: \
     check this machine's clock and time zone, e.g. sync it with NTP)";

/// APIGW.0303 is the gateway's answer to a signature dated too far from its clock; other 401s say so
/// in their message. Token expiry is about the token, not the clock.
fn is_clock_skew(status: u16, code: Option<&str>, message: &str) -> bool {
    if matches!(code, Some("APIGW.0303" | "APIG.0303")) {
        return true;
    }
    let lower = message.to_lowercase();
    status == 401
        && !lower.contains("token")
        && ["clock", "skew", "time", "date", "expired"]
            .iter()
            .any(|word| lower.contains(word))
}

/// What a failed exchange means. Only a connection that never opened (refused, unreachable, connect
/// timeout, TLS handshake) is certainly unsent. Once the request went out on an open connection, a drop,
/// reset or timeout may have come after the gateway forwarded it, so a create is `maybe_sent` and not
/// retried; a query is always safe to send again.
fn transport_error(e: &reqwest::Error, kind: CallKind) -> TransportError {
    let never_sent = e.is_connect() || e.is_builder();
    let certificate = is_certificate_error(e);
    let what = if certificate {
        "the server's TLS certificate was refused (a private CA? pass ca_bundle=)"
    } else if e.is_timeout() && !never_sent {
        "timed out waiting for IMS"
    } else if never_sent {
        "could not connect to IMS"
    } else {
        "the connection to IMS broke before an answer came"
    };
    TransportError {
        message: format!("{what}: {}", error_chain(e)),
        // A refused certificate stays refused: trying again only delays the error.
        retryable: !certificate && (never_sent || kind == CallKind::Query),
        maybe_sent: kind == CallKind::Create && !never_sent,
    }
}

/// An error with its causes, which carry the useful part ("connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn check_header_safe(what: &str, value: &str) -> Result<(), Error> {
    if value.bytes().all(|b| (0x21..0x7f).contains(&b)) && !value.is_empty() {
        Ok(())
    } else {
        // The value itself may be a secret: name it, never show it.
        Err(Error::Config(format!(
            "the {what} holds characters that cannot go in an HTTP header (only visible ASCII, no spaces)"
        )))
    }
}

/// Job ids go into the URL path: refuse anything that could change the path.
pub(crate) fn check_job_id(job_id: &str) -> Result<(), Error> {
    let ok = !job_id.is_empty()
        && job_id.len() <= 128
        && job_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        let shown: String = job_id.chars().take(80).collect();
        Err(Error::Validation(ValidationErrors(vec![FieldError {
            path: "job_id".to_owned(),
            message: format!("must be 1-128 letters, digits, '-' or '_' (a job id like 8a12fc664fb4daa3014fb4e581380005), got {shown:?}"),
            ims_code: "IMG.0001",
        }])))
    }
}
