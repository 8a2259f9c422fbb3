//! The IMS client: validated specs in, signed requests out, job ids and jobs back.

use std::borrow::Cow;
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use crate::config::{Credentials, ResolvedConfig};
use crate::direct::DirectPool;
use crate::error::{ApiError, Error, TransportError};
use crate::error_body::parse_error_body;
use crate::job::Job;
use crate::prepare::PreparedRequest;
use crate::retry::{api_error_is_retryable, transport_error_is_retryable, CallKind, RetryPolicy};
use crate::runtime::install_crypto_provider;
use crate::sign::{self, SigningRequest};
use crate::spec::{FieldError, ImageSpec, ValidationErrors};

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
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
        }
    }
}

/// A client of one IMS endpoint with one set of credentials. Cloning shares the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// The connection pool. A connection's task lives on the runtime that opened it, so a pool serves
    /// one runtime: see [`Client::with_own_pool`].
    http: reqwest::Client,
}

pub(crate) struct Inner {
    config: ResolvedConfig,
    /// `config.endpoint.base` parsed once: each request only sets its path and query.
    base_url: reqwest::Url,
    /// The blocking transport of single calls; None when a proxy is configured (see `direct`).
    pub(crate) direct: Option<DirectPool>,
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

/// The part of a create's answer that matters: its `job_id` when that is a string. Read without
/// building a JSON tree; anything but an object has no job id.
struct CreateAnswer<'a> {
    job_id: Option<Cow<'a, str>>,
}

impl<'de> Deserialize<'de> for CreateAnswer<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectOnly;
        impl<'de> serde::de::Visitor<'de> for ObjectOnly {
            type Value = CreateAnswer<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut job_id = None;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if key == "job_id" {
                        // The last of repeated keys wins, as in a JSON object read whole.
                        job_id = map.next_value::<TextOrOther<'de>>()?.0;
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(CreateAnswer { job_id })
            }
        }
        deserializer.deserialize_map(ObjectOnly)
    }
}

/// A string, or None for any other JSON value (read and dropped).
struct TextOrOther<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for TextOrOther<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either<'a> {
            Text(#[serde(borrow)] Cow<'a, str>),
            Other(serde::de::IgnoredAny),
        }
        Ok(TextOrOther(match Either::deserialize(deserializer)? {
            Either::Text(text) => Some(text),
            Either::Other(_) => None,
        }))
    }
}

/// A response that arrived whole, whatever its status.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// What to do after an attempt: hand back its answer, give up with an error, or try again later.
pub(crate) enum Verdict {
    Answer(Answer),
    Failed(Error),
    RetryIn(Duration),
}

/// The retry rules of `kind` applied to attempt number `attempt`: an answer >= 400 becomes `Error::Api`.
pub(crate) fn judge(
    policy: &RetryPolicy,
    attempt: u32,
    outcome: Result<Answer, TransportError>,
    kind: CallKind,
) -> Verdict {
    let more_allowed = attempt < policy.max_attempts;
    match outcome {
        Ok(answer) if answer.status < 400 => Verdict::Answer(answer),
        Ok(answer) => {
            let api = api_error_from(&answer, kind);
            if more_allowed && api_error_is_retryable(&api, kind) {
                Verdict::RetryIn(policy.delay(attempt, api.retry_after))
            } else {
                Verdict::Failed(Error::Api(Box::new(api)))
            }
        }
        Err(transport) => {
            if more_allowed && transport_error_is_retryable(&transport, kind) {
                Verdict::RetryIn(policy.delay(attempt, None))
            } else {
                Verdict::Failed(Error::Transport(Box::new(transport)))
            }
        }
    }
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
        let http = http_client(&options)?;
        let jobs_path_prefix = format!("/v1/{}/jobs/", config.project_id);
        let base_url = reqwest::Url::parse(&config.endpoint.base).map_err(|e| {
            Error::Config(format!(
                "endpoint {:?} is not a URL: {e}",
                config.endpoint.base
            ))
        })?;
        let direct = direct_pool(&base_url, &options);
        Ok(Client {
            inner: Arc::new(Inner {
                direct,
                base_url,
                config,
                options,
                jobs_path_prefix,
            }),
            http,
        })
    }

    /// The same client without the blocking transport, as when a proxy is configured.
    #[cfg(test)]
    pub(crate) fn without_direct(&self) -> Client {
        Client {
            inner: Arc::new(Inner {
                direct: None,
                base_url: self.inner.base_url.clone(),
                config: self.inner.config.clone(),
                options: self.inner.options.clone(),
                jobs_path_prefix: self.inner.jobs_path_prefix.clone(),
            }),
            http: self.http.clone(),
        }
    }

    /// A new, empty connection pool for this client's options. A pooled connection only makes progress
    /// while the runtime that opened it runs, so a runtime that runs only now and then (a thread's own,
    /// see [`crate::local`]) needs a pool of its own.
    pub(crate) fn new_pool(&self) -> Result<reqwest::Client, Error> {
        http_client(&self.inner.options)
    }

    /// This client with `pool` for its connections.
    pub(crate) fn with_pool(&self, pool: reqwest::Client) -> Client {
        Client {
            inner: self.inner.clone(),
            http: pool,
        }
    }

    /// Identifies the client (its clones included) without keeping it alive.
    pub(crate) fn identity(&self) -> Weak<Inner> {
        Arc::downgrade(&self.inner)
    }

    /// The blocking transport, unless a proxy is configured.
    pub(crate) fn direct(&self) -> Option<&DirectPool> {
        self.inner.direct.as_ref()
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
        self.submit(create_body(spec)?).await
    }

    /// Sends a create body made by [`create_body`] and returns the job id.
    pub(crate) async fn submit(&self, body: Bytes) -> Result<String, Error> {
        let answer = self
            .execute(Method::POST, CREATE_PATH, &[], body, CallKind::Create)
            .await?;
        job_id_from(&answer)
    }

    /// The job's current state, from `GET /v1/{project_id}/jobs/{job_id}`.
    pub async fn get_job(&self, job_id: &str) -> Result<Job, Error> {
        let path = self.job_path(job_id)?;
        let answer = self
            .execute(Method::GET, &path, &[], Bytes::new(), CallKind::Query)
            .await?;
        job_from_answer(&answer, job_id)
    }

    /// `/v1/{project_id}/jobs/{job_id}`, once the job id is known to be safe in a path.
    pub(crate) fn job_path(&self, job_id: &str) -> Result<String, Error> {
        check_job_id(job_id)?;
        Ok(format!("{}{job_id}", self.inner.jobs_path_prefix))
    }

    /// The job as `GET /v1/cloudimages/job/{job_id}` shows it: the endpoint that carries `process_percent`
    /// when the status endpoint leaves it out. One attempt only: progress is a nicety, not worth the
    /// delays of retries.
    pub async fn get_job_progress(&self, job_id: &str) -> Result<Job, Error> {
        check_job_id(job_id)?;
        let path = format!("{JOB_PROGRESS_PATH_PREFIX}{job_id}");
        let single_attempt = RetryPolicy {
            max_attempts: 1,
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
    pub(crate) async fn execute(
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
        let mut attempt: u32 = 1;
        loop {
            let outcome = self
                .send_once(&method, path, query, body.clone(), kind)
                .await;
            match judge(&policy, attempt, outcome, kind) {
                Verdict::Answer(answer) => return Ok(answer),
                Verdict::Failed(error) => return Err(error),
                Verdict::RetryIn(wait) => {
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
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
        let mut url = self.inner.base_url.clone();
        match uri.split_once('?') {
            Some((path, query)) => {
                url.set_path(path);
                url.set_query(Some(query));
            }
            None => url.set_path(&uri),
        }
        let mut response = self
            .http
            .request(method.clone(), url)
            .headers(header_map)
            .body(body)
            .send()
            .await
            .map_err(|e| transport_error(&e, kind))?;
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(|e| {
            let mut t = transport_error(&e, kind);
            t.message = format!("the answer (HTTP {status}) broke off: {}", t.message);
            // The status line arrived: the service saw the request.
            t.retryable = false;
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
    pub(crate) fn headers_for(
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

/// The job id of a create's answer.
pub(crate) fn job_id_from(answer: &Answer) -> Result<String, Error> {
    let job_id = serde_json::from_slice::<CreateAnswer<'_>>(&answer.body)
        .ok()
        .and_then(|answer| answer.job_id)
        .filter(|id| !id.is_empty())
        .map(Cow::into_owned);
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

/// The body of a create request for `spec`, once it passed every rule.
pub(crate) fn create_body(spec: &ImageSpec) -> Result<Bytes, Error> {
    spec.validate()?;
    Ok(Bytes::from(spec.to_body()))
}

/// The blocking transport for `base`, unless the environment names a proxy (only reqwest uses one) or
/// TLS cannot be set up here (reqwest then reports why, on the first request).
fn direct_pool(base: &reqwest::Url, options: &ClientOptions) -> Option<DirectPool> {
    if crate::direct::proxy_configured() {
        return None;
    }
    let host = base.host_str()?;
    // An IPv6 literal comes bracketed in URLs, bare in socket addresses and TLS names.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = base.port_or_known_default()?;
    DirectPool::new(
        base.scheme(),
        host,
        port,
        options.connect_timeout,
        options.timeout,
    )
    .ok()
}

fn http_client(options: &ClientOptions) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(options.timeout)
        .connect_timeout(options.connect_timeout)
        .pool_idle_timeout(Duration::from_secs(50))
        .tcp_nodelay(true)
        .build()
        .map_err(|e| {
            Error::Config(format!(
                "cannot set up the HTTP client: {}",
                error_chain(&e)
            ))
        })
}

pub(crate) fn job_from_answer(answer: &Answer, job_id: &str) -> Result<Job, Error> {
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
    ApiError {
        status: answer.status,
        code: parsed.code,
        message: parsed.message.unwrap_or_else(|| {
            reqwest::StatusCode::from_u16(answer.status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("error")
                .to_owned()
        }),
        request_id: header_request_id.or(parsed.request_id),
        body: String::from_utf8_lossy(&answer.body).into_owned(),
        maybe_sent: kind == CallKind::Create && answer.status >= 500,
        retry_after,
    }
}

fn transport_error(e: &reqwest::Error, kind: CallKind) -> TransportError {
    let never_sent = e.is_connect() || e.is_builder();
    let what = if e.is_timeout() && !never_sent {
        "timed out waiting for IMS"
    } else if never_sent {
        "could not connect to IMS"
    } else {
        "the request to IMS failed"
    };
    TransportError {
        message: format!("{what}: {}", error_chain(e)),
        retryable: never_sent,
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
