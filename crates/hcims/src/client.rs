//! The IMS client: validated specs in, signed requests out, job ids and jobs back.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use crate::config::{Credentials, Endpoint, Project, ResolvedConfig};
use crate::direct::DirectPool;
use crate::discovery;
use crate::error::{ApiError, Error, TransportError};
use crate::error_body::parse_error_body;
use crate::images::{check_filters, pages_by_hand, parse_images_page, IMAGES_PATH, PAGE_SIZE};
use crate::job::Job;
use crate::os_versions::{parse_os_versions, OsVersion, OS_VERSIONS_PATH, OS_VERSION_TAGS};
use crate::pacing::RequestPacer;
use crate::prepare::PreparedRequest;
use crate::process_local::ProcessLocal;
use crate::quota::{parse_quota, Quota, QUOTA_PATH};
use crate::request_log::{LogLevel, RequestEvent, RequestLog};
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

/// A client of one IMS endpoint with one set of credentials. Cloning shares the connection pool, the
/// project and the live OS list.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Where this handle reports its requests; `None` (the default) costs nothing.
    log: Option<RequestLog>,
    /// Requests of this handle are job polls of a wait loop.
    polling: bool,
    /// Paces every request of this handle (and of the handles made from it); `None`: no limit.
    pacer: Option<Arc<RequestPacer>>,
}

struct Inner {
    /// One pool per process: a forked child must not use the parent's connections.
    http: ProcessLocal<reqwest::Client>,
    /// The blocking transport of single calls, one per process too; None when a proxy or a TLS setting
    /// of its own is configured, which only reqwest handles (see `direct`).
    direct: Option<ProcessLocal<Arc<DirectPool>>>,
    config: ResolvedConfig,
    options: ClientOptions,
    /// Given, or discovered from IAM by the first request that needs it.
    project: tokio::sync::OnceCell<String>,
    /// The live OS lists fetched so far, by tag.
    live_os_versions: Mutex<HashMap<Option<String>, Arc<Vec<OsVersion>>>>,
}

/// Where a request goes: IMS in the client's project, or IAM (no project yet).
#[derive(Clone, Copy)]
pub(crate) enum Target<'a> {
    Ims,
    Iam(&'a Endpoint),
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

/// A response that arrived whole, whatever its status.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
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
        let http = ProcessLocal::new(build_http(&options)?);
        let direct =
            direct_pool(&config.endpoint, &options).map(|pool| ProcessLocal::new(Arc::new(pool)));
        let project = match config.given_project_id() {
            Some(id) => tokio::sync::OnceCell::new_with(Some(id.to_owned())),
            None => tokio::sync::OnceCell::new(),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                direct,
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

    /// Where this handle reports its requests, if anywhere.
    pub(crate) fn request_log(&self) -> Option<&RequestLog> {
        self.log.as_ref()
    }

    /// The project id when it is known without asking IAM: given, or discovered already.
    pub fn known_project_id(&self) -> Option<&str> {
        self.inner.project.get().map(String::as_str)
    }

    /// The project id, asked of IAM the first time when it was not given (`GET {iam}/v3/projects?name=
    /// {region}`). One IAM request per access key, region and IAM endpoint in the process.
    pub async fn project_id(&self) -> Result<&str, Error> {
        let id = self
            .inner
            .project
            .get_or_try_init(|| Box::pin(self.discover_project()))
            .await?;
        Ok(id.as_str())
    }

    async fn discover_project(&self) -> Result<String, Error> {
        let (region, iam) = match &self.inner.config.project {
            Project::Given(id) => return Ok(id.clone()),
            Project::Discover { region, iam } => (region, iam),
        };
        let ak = match &self.inner.config.credentials {
            Credentials::AkSk { ak, .. } => ak.clone(),
            // The config refuses a token without a project.
            Credentials::Token(_) => {
                return Err(Error::Config(
                    "with auth_token= give project_id= too".to_owned(),
                ))
            }
        };
        let key = (ak, region.clone(), iam.base.clone());
        if let Some(id) = discovery::cached(&key) {
            return Ok(id);
        }
        let query = [("name".to_owned(), region.clone())];
        let answer = self
            .execute(
                Target::Iam(iam),
                Method::GET,
                discovery::PROJECTS_PATH,
                &query,
                Bytes::new(),
                CallKind::Query,
            )
            .await
            .map_err(|e| match e {
                Error::Api(api) => Error::Config(format!(
                    "the project of region {region:?} could not be discovered: IAM at {} answered HTTP {} {}: {}; \
                     give project_id=",
                    iam.base,
                    api.status,
                    api.code.as_deref().unwrap_or(""),
                    api.message
                )),
                other => other,
            })?;
        let id = discovery::project_from_answer(&answer.body, region, &iam.base)?;
        check_header_safe("discovered project id", &id)?;
        discovery::remember(key, id.clone());
        Ok(id)
    }

    /// The blocking transport of this process, unless a proxy or TLS setting of its own is configured.
    pub(crate) fn direct(&self) -> Option<Arc<DirectPool>> {
        let direct = self.inner.direct.as_ref()?;
        direct
            .get_or_rebuild(|| {
                direct_pool(&self.inner.config.endpoint, &self.inner.options)
                    .map(Arc::new)
                    .ok_or(())
            })
            .ok()
    }

    /// The same client without the blocking transport, as when a proxy is configured.
    #[cfg(test)]
    pub(crate) fn without_direct(&self) -> Client {
        let mut client = Client::new(self.inner.config.clone(), self.inner.options.clone())
            .expect("the settings of a client that exists");
        if let Some(inner) = Arc::get_mut(&mut client.inner) {
            inner.direct = None;
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

    /// The create request for `spec`, signed now, with secrets masked. Nothing is sent to IMS (a project
    /// that was not given is discovered first).
    pub async fn prepare(&self, spec: &ImageSpec) -> Result<PreparedRequest, Error> {
        let project = self.project_id().await?;
        self.prepare_for(spec, project)
    }

    /// [`Client::prepare`] when the project is known (given, or found out before): no I/O, no runtime.
    pub fn prepare_now(&self, spec: &ImageSpec) -> Option<Result<PreparedRequest, Error>> {
        self.known_project_id()
            .map(|project| self.prepare_for(spec, project))
    }

    fn prepare_for(&self, spec: &ImageSpec, project: &str) -> Result<PreparedRequest, Error> {
        let body = create_body(spec)?;
        let (uri, headers) = self.headers_for(
            Target::Ims,
            Some(project),
            "POST",
            CREATE_PATH,
            &[],
            &body,
            SystemTime::now(),
        );
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
            .execute(
                Target::Ims,
                Method::POST,
                CREATE_PATH,
                &[],
                body,
                CallKind::Create,
            )
            .await?;
        job_id_from(&answer)
    }

    /// The job's current state, from `GET /v1/{project_id}/jobs/{job_id}`.
    pub async fn get_job(&self, job_id: &str) -> Result<Job, Error> {
        check_job_id(job_id)?;
        let path = format!("/v1/{}/jobs/{job_id}", self.project_id().await?);
        let answer = self
            .execute(
                Target::Ims,
                Method::GET,
                &path,
                &[],
                Bytes::new(),
                CallKind::Query,
            )
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
                Target::Ims,
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
        target: Target<'_>,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Bytes,
        kind: CallKind,
    ) -> Result<Answer, Error> {
        let policy = self.inner.options.retry;
        self.execute_with(policy, target, method, path, query, body, kind)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn execute_with(
        &self,
        policy: RetryPolicy,
        target: Target<'_>,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Bytes,
        kind: CallKind,
    ) -> Result<Answer, Error> {
        // IMS requests carry the project; IAM is asked before there is one.
        let project = match target {
            Target::Ims => Some(self.project_id().await?),
            Target::Iam(_) => None,
        };
        // Retries made so far.
        let mut retries: u32 = 0;
        loop {
            if let Some(pacer) = &self.pacer {
                pacer.wait_turn().await;
            }
            let started = self.log.as_ref().map(|_| Instant::now());
            let sent = self
                .send_once(target, project, &method, path, query, body.clone(), kind)
                .await;
            if let (Some(log), Some(started)) = (&self.log, started) {
                self.report_attempt(log, &method, path, query, &sent, started, retries + 1);
            }
            let error = match sent {
                Ok(answer) if answer.status < 400 => return Ok(answer),
                Ok(answer) => {
                    let api = api_error_from(&answer, kind);
                    if policy.allows(retries + 1) && api_error_is_retryable(&api, kind) {
                        retries += 1;
                        let wait = policy.delay(retries, api.retry_after);
                        self.report_retry(&method, path, retries + 1, wait, || {
                            format!("HTTP {} {}", api.status, api.code.as_deref().unwrap_or(""))
                        });
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    Error::Api(Box::new(api))
                }
                Err(transport) => {
                    if policy.allows(retries + 1) && transport_error_is_retryable(&transport, kind)
                    {
                        retries += 1;
                        let wait = policy.delay(retries, None);
                        self.report_retry(&method, path, retries + 1, wait, || {
                            transport.message.clone()
                        });
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    Error::Transport(Box::new(transport))
                }
            };
            return Err(error);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn report_attempt(
        &self,
        log: &RequestLog,
        method: &Method,
        path: &str,
        query: &[(String, String)],
        sent: &Result<Answer, TransportError>,
        started: Instant,
        attempt: u32,
    ) {
        let level = if self.polling {
            LogLevel::Debug
        } else {
            LogLevel::Info
        };
        if !log.wants(level) {
            return;
        }
        let query_string = sign::canonical_query_string(query);
        let path = if query_string.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query_string}")
        };
        let (status, request_id, error) = match sent {
            Ok(answer) => (
                Some(answer.status),
                answer
                    .headers
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                None,
            ),
            Err(transport) => (None, None, Some(transport.message.clone())),
        };
        log.emit(RequestEvent::Attempt {
            method: method.as_str().to_owned(),
            path,
            status,
            request_id,
            elapsed: started.elapsed(),
            attempt,
            poll: self.polling,
            error,
        });
    }

    pub(crate) fn report_retry(
        &self,
        method: &Method,
        path: &str,
        next_attempt: u32,
        delay: Duration,
        reason: impl FnOnce() -> String,
    ) {
        if let Some(log) = self.log.as_ref().filter(|log| log.wants(LogLevel::Debug)) {
            log.emit(RequestEvent::Retry {
                method: method.as_str().to_owned(),
                path: path.to_owned(),
                next_attempt,
                delay,
                reason: reason(),
            });
        }
    }

    /// The OS versions the region accepts (`GET /v1/cloudimages/os_version`, `?tag=` one of bms, uefi,
    /// arm, x86). Fetched once per client and tag; from then on the `os_version` warning of a spec
    /// checks against the lists fetched (see [`Client::os_version_warnings`]).
    pub async fn os_versions(&self, tag: Option<&str>) -> Result<Arc<Vec<OsVersion>>, Error> {
        if let Some(tag) = tag {
            if !OS_VERSION_TAGS.contains(&tag) {
                return Err(Error::Validation(ValidationErrors(vec![FieldError {
                    path: "tag".to_owned(),
                    message: format!("must be one of {OS_VERSION_TAGS:?}, got {tag:?}"),
                    ims_code: "IMG.0001",
                }])));
            }
        }
        let key = tag.map(str::to_owned);
        if let Some(list) = self.live_os_lists().get(&key) {
            return Ok(list.clone());
        }
        let query: Vec<(String, String)> = tag
            .map(|t| vec![("tag".to_owned(), t.to_owned())])
            .unwrap_or_default();
        let answer = self
            .execute(
                Target::Ims,
                Method::GET,
                OS_VERSIONS_PATH,
                &query,
                Bytes::new(),
                CallKind::Query,
            )
            .await?;
        let list = Arc::new(
            parse_os_versions(&answer.body).map_err(|m| Error::transport(m, false, false))?,
        );
        self.live_os_lists().insert(key, list.clone());
        Ok(list)
    }

    fn live_os_lists(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<Option<String>, Arc<Vec<OsVersion>>>> {
        // Poisoning would need a panic while inserting an Arc: the map is whole either way.
        self.inner
            .live_os_versions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The warnings of `spec`: its `os_version` is checked against the live lists this client fetched,
    /// or against the bundled list when none was fetched.
    pub fn os_version_warnings(&self, spec: &ImageSpec) -> Vec<String> {
        let lists = self.live_os_lists();
        if lists.is_empty() {
            return spec.warnings();
        }
        let live: HashSet<&str> = lists
            .values()
            .flat_map(|list| list.iter().map(|v| v.os_version.as_str()))
            .collect();
        spec.warnings_against(Some(&live))
    }

    /// The project's private-image quota (`GET /v1/cloudimages/quota`).
    pub async fn quota(&self) -> Result<Quota, Error> {
        let answer = self
            .execute(
                Target::Ims,
                Method::GET,
                QUOTA_PATH,
                &[],
                Bytes::new(),
                CallKind::Query,
            )
            .await?;
        parse_quota(&answer.body).map_err(|m| Error::transport(m, false, false))
    }

    /// The images `GET /v2/cloudimages` lists for `filters` (`name`, `__imagetype`, `status`, ...), every
    /// page of them; with `limit` or `marker` among the filters, that one page only.
    pub async fn find_images(&self, filters: &[(String, String)]) -> Result<Vec<Value>, Error> {
        check_filters(filters).map_err(|message| {
            Error::Validation(ValidationErrors(vec![FieldError {
                path: "filters".to_owned(),
                message,
                ims_code: "IMG.0001",
            }]))
        })?;
        let by_hand = pages_by_hand(filters);
        let mut images = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut query = filters.to_vec();
            if !by_hand {
                query.push(("limit".to_owned(), PAGE_SIZE.to_string()));
                if let Some(marker) = &marker {
                    query.push(("marker".to_owned(), marker.clone()));
                }
            }
            let answer = self
                .execute(
                    Target::Ims,
                    Method::GET,
                    IMAGES_PATH,
                    &query,
                    Bytes::new(),
                    CallKind::Query,
                )
                .await?;
            let page =
                parse_images_page(&answer.body).map_err(|m| Error::transport(m, false, false))?;
            let full = page.len() >= PAGE_SIZE;
            marker = page
                .last()
                .and_then(|image| image.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            images.extend(page);
            if by_hand || !full || marker.is_none() {
                return Ok(images);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_once(
        &self,
        target: Target<'_>,
        project: Option<&str>,
        method: &Method,
        path: &str,
        query: &[(String, String)],
        body: Bytes,
        kind: CallKind,
    ) -> Result<Answer, TransportError> {
        let (uri, headers) = self.headers_for(
            target,
            project,
            method.as_str(),
            path,
            query,
            &body,
            SystemTime::now(),
        );
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
        let url = format!("{}{uri}", self.endpoint_of(target).base);
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

    fn endpoint_of<'a>(&'a self, target: Target<'a>) -> &'a Endpoint {
        match target {
            Target::Ims => &self.inner.config.endpoint,
            Target::Iam(endpoint) => endpoint,
        }
    }

    /// The headers of a request, signed for `now`, and the request URI to put after the endpoint.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn headers_for(
        &self,
        target: Target<'_>,
        project: Option<&str>,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: &[u8],
        now: SystemTime,
    ) -> (String, Vec<(String, String)>) {
        let config = &self.inner.config;
        let mut headers: Vec<(String, String)> = Vec::with_capacity(8);
        headers.push(("Content-Type".to_owned(), CONTENT_TYPE.to_owned()));
        if let Some(project) = project {
            headers.push(("X-Project-Id".to_owned(), project.to_owned()));
        }
        let host = &self.endpoint_of(target).host;
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
                        host,
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
                headers.push(("Host".to_owned(), host.clone()));
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

/// The blocking transport for `endpoint`, unless the environment names a proxy or the TLS settings are
/// not the default ones (reqwest handles those), or TLS cannot be set up here (reqwest then reports
/// why, on the first request).
fn direct_pool(endpoint: &Endpoint, options: &ClientOptions) -> Option<DirectPool> {
    if crate::direct::proxy_configured()
        || !options.tls.verify
        || !options.tls.extra_roots.is_empty()
    {
        return None;
    }
    let base = reqwest::Url::parse(&endpoint.base).ok()?;
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

pub(crate) fn job_from_answer(answer: &Answer, job_id: &str) -> Result<Job, Error> {
    let value: Value = serde_json::from_slice(&answer.body)
        .map_err(|e| Error::transport(format!("the job answer is not JSON: {e}"), true, false))?;
    Job::from_json(value, job_id).map_err(|m| Error::transport(m, true, false))
}

pub(crate) fn api_error_from(answer: &Answer, kind: CallKind) -> ApiError {
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
