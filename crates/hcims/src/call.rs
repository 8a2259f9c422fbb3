//! How any IMS call runs: an API file describes its request and reads its answer (a [`Call`]); here it
//! is signed, sent through a transport (the socket one for blocking calls when it can, else the pooled
//! one), retried by the one retry decision ([`crate::retry::decide`]), and reported to the request log.
//!
//! `call_blocking` takes a `check` closure, called at least every ~50 ms while a call waits (for an
//! answer, or before a retry); an error from it abandons the call at once (an unanswered request's
//! connection is closed) and is returned as the outer `Err`. The Python layer passes one that runs the
//! signal handlers, so Ctrl-C stops a call.

use std::borrow::Cow;
use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::Method;

use crate::client::Client;
use crate::config::{Credentials, Endpoint};
use crate::error::{Error, TransportError};
use crate::request_log::{LogLevel, RequestEvent, RequestLog};
use crate::retry::{decide, retry_reason, CallKind, RetryPolicy, Verdict};
use crate::sign::{self, SigningRequest};
use crate::transport::socket::{Failure, SocketPool, CHECK_SLICE};
use crate::transport::{pooled, Answer, SignedRequest};

const CONTENT_TYPE: &str = "application/json";

/// One IMS call: its request once the project is known, and what its answer means. Written once per
/// call in its API file; [`Client::call`] runs it async, [`Client::call_blocking`] on the calling thread.
pub trait Call: Send + Sync {
    type Output: Send;

    /// Refuses a call that breaks a rule, before anything is sent or the project is found out.
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }

    /// The request, in `project`.
    fn request<'a>(&'a self, project: &'a str) -> Request<'a>;

    /// The outcome of an answer below 400.
    fn parse(&self, answer: &Answer) -> Result<Self::Output, Error>;
}

/// A request before signing: method, path, query, body, and the rules it is retried by.
pub struct Request<'a> {
    pub method: Method,
    pub path: Cow<'a, str>,
    pub query: Cow<'a, [(String, String)]>,
    /// Borrowed from the call when it keeps its body: no copy, no reference count per request.
    pub body: Cow<'a, Bytes>,
    pub kind: CallKind,
    /// One attempt only, whatever the client's retry policy.
    pub single_attempt: bool,
}

impl<'a> Request<'a> {
    /// A query: `GET path`, retried on any transient failure.
    pub fn get(path: impl Into<Cow<'a, str>>) -> Request<'a> {
        Request {
            method: Method::GET,
            path: path.into(),
            query: Cow::Borrowed(&[]),
            body: Cow::Owned(Bytes::new()),
            kind: CallKind::Query,
            single_attempt: false,
        }
    }

    /// A call that makes or changes something: `POST path` with `body`, resent only when unsent.
    pub fn post(path: impl Into<Cow<'a, str>>, body: Cow<'a, Bytes>) -> Request<'a> {
        Request {
            method: Method::POST,
            body,
            kind: CallKind::Create,
            ..Request::get(path)
        }
    }

    /// This request as the transports take it, once signed.
    fn signed<'s>(&'s self, uri: &'s str, headers: &'s [(String, String)]) -> SignedRequest<'s> {
        SignedRequest {
            method: &self.method,
            uri,
            headers,
            body: self.body.as_ref(),
            create: self.kind == CallKind::Create,
        }
    }

    pub fn with_query(self, query: impl Into<Cow<'a, [(String, String)]>>) -> Request<'a> {
        Request {
            query: query.into(),
            ..self
        }
    }
}

/// A read of one request whose answer one parser reads (most IMS reads): its path, its query, and
/// the parser of its body. A parser's error means IMS answered something else than documented.
pub struct Get<T> {
    path: Cow<'static, str>,
    query: Vec<(String, String)>,
    parse: fn(&[u8]) -> Result<T, String>,
}

impl<T> Get<T> {
    pub fn new(
        path: impl Into<Cow<'static, str>>,
        query: Vec<(String, String)>,
        parse: fn(&[u8]) -> Result<T, String>,
    ) -> Get<T> {
        Get {
            path: path.into(),
            query,
            parse,
        }
    }
}

impl<T: Send> Call for Get<T> {
    type Output = T;

    fn request<'a>(&'a self, _project: &'a str) -> Request<'a> {
        Request::get(&*self.path).with_query(&self.query[..])
    }

    fn parse(&self, answer: &Answer) -> Result<T, Error> {
        (self.parse)(&answer.body).map_err(|m| Error::transport(m, false, false))
    }
}

/// Where a request goes: IMS in the client's project, or IAM (no project yet).
#[derive(Clone, Copy)]
pub(crate) enum Target<'a> {
    Ims,
    Iam(&'a Endpoint),
}

impl Client {
    /// Runs `call` on the shared runtime's transport, with the client's retry policy.
    pub async fn call<C: Call + ?Sized>(&self, call: &C) -> Result<C::Output, Error> {
        call.check()?;
        let project = self.project_id().await?;
        let request = call.request(project);
        let answer = self.execute(Target::Ims, Some(project), &request).await?;
        call.parse(&answer)
    }

    /// Runs `call` on the calling thread: over the socket transport when it can (no proxy, default TLS,
    /// the project known), else the async way driven from here. `check` as in the module's docs.
    pub fn call_blocking<C: Call + ?Sized, E>(
        &self,
        call: &C,
        mut check: impl FnMut() -> Result<(), E>,
    ) -> Result<Result<C::Output, Error>, E> {
        if let Err(refused) = call.check() {
            return Ok(Err(refused));
        }
        let (Some(socket), Some(project)) = (self.socket(), self.known_project_id()) else {
            // A proxy or TLS settings of its own (only reqwest handles them), or a project to find out
            // first (from IAM, the async way, once).
            return run_checking(&mut check, self.call(call));
        };
        let request = call.request(project);
        let answer = self.execute_blocking(&socket, project, &request, &mut check)?;
        Ok(answer.and_then(|answer| call.parse(&answer)))
    }

    /// Sends `request` until an answer below 400 or the retry decision says stop; an answer >= 400
    /// becomes `Error::Api`.
    pub(crate) async fn execute(
        &self,
        target: Target<'_>,
        project: Option<&str>,
        request: &Request<'_>,
    ) -> Result<Answer, Error> {
        let policy = self.policy_for(request);
        // Retries made so far.
        let mut retries: u32 = 0;
        loop {
            if let Some(pacer) = &self.pacer {
                pacer.wait_turn().await;
            }
            let started = self.log.as_ref().map(|_| Instant::now());
            let sent = self.send_pooled(target, project, request).await;
            if let (Some(log), Some(started)) = (&self.log, started) {
                self.report_attempt(log, request, &sent, started, retries + 1);
            }
            match decide(sent, request.kind, &policy, retries) {
                Verdict::Answered(answer) => return Ok(answer),
                Verdict::Stop(error) => return Err(error),
                Verdict::Retry { after, error } => {
                    retries += 1;
                    self.report_retry(request, retries + 1, after, &error);
                    tokio::time::sleep(after).await;
                }
            }
        }
    }

    /// [`Client::execute`] on the calling thread, over the socket transport, in `project`.
    fn execute_blocking<E>(
        &self,
        socket: &SocketPool,
        project: &str,
        request: &Request<'_>,
        check: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<Result<Answer, Error>, E> {
        let policy = self.policy_for(request);
        // Retries made so far.
        let mut retries: u32 = 0;
        loop {
            let started = self.log.as_ref().map(|_| Instant::now());
            let (uri, headers) =
                self.sign_request(Target::Ims, Some(project), request, SystemTime::now());
            let sent = match socket.send(&request.signed(&uri, &headers), check) {
                Ok(answer) => Ok(answer),
                Err(Failure::Transport(error)) => Err(error),
                Err(Failure::Stopped(stop)) => return Err(stop),
            };
            if let (Some(log), Some(started)) = (&self.log, started) {
                self.report_attempt(log, request, &sent, started, retries + 1);
            }
            match decide(sent, request.kind, &policy, retries) {
                Verdict::Answered(answer) => return Ok(Ok(answer)),
                Verdict::Stop(error) => return Ok(Err(error)),
                Verdict::Retry { after, error } => {
                    retries += 1;
                    self.report_retry(request, retries + 1, after, &error);
                    sleep_checking(after, check)?;
                }
            }
        }
    }

    fn policy_for(&self, request: &Request<'_>) -> RetryPolicy {
        let policy = self.inner.options.retry;
        if request.single_attempt {
            RetryPolicy {
                retries: 0,
                ..policy
            }
        } else {
            policy
        }
    }

    async fn send_pooled(
        &self,
        target: Target<'_>,
        project: Option<&str>,
        request: &Request<'_>,
    ) -> Result<Answer, TransportError> {
        let (uri, headers) = self.sign_request(target, project, request, SystemTime::now());
        let options = &self.inner.options;
        let http = self
            .inner
            .http
            .get_or_rebuild(|| {
                pooled::build(options.timeout, options.connect_timeout, &options.tls)
            })
            .map_err(|e| crate::transport::unsendable(e.to_string()))?;
        let signed = request.signed(&uri, &headers);
        pooled::send(&http, &self.endpoint_of(target).base, &signed).await
    }

    pub(crate) fn endpoint_of<'a>(&'a self, target: Target<'a>) -> &'a Endpoint {
        match target {
            Target::Ims => &self.inner.config.endpoint,
            Target::Iam(endpoint) => endpoint,
        }
    }

    /// The headers of `request`, signed for `now`, and the request URI to put after the endpoint.
    pub(crate) fn sign_request(
        &self,
        target: Target<'_>,
        project: Option<&str>,
        request: &Request<'_>,
        now: SystemTime,
    ) -> (String, Vec<(String, String)>) {
        let mut headers: Vec<(String, String)> = Vec::with_capacity(8);
        headers.push(("Content-Type".to_owned(), CONTENT_TYPE.to_owned()));
        if let Some(project) = project {
            headers.push(("X-Project-Id".to_owned(), project.to_owned()));
        }
        let host = &self.endpoint_of(target).host;
        let (path, query) = (&*request.path, &*request.query);
        match &self.inner.config.credentials {
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
                        method: request.method.as_str(),
                        host,
                        path,
                        query,
                        headers: &headers,
                        body: &request.body,
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
                (uri_of(path, query), headers)
            }
        }
    }

    fn report_attempt(
        &self,
        log: &RequestLog,
        request: &Request<'_>,
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
            method: request.method.as_str().to_owned(),
            path: uri_of(&request.path, &request.query),
            status,
            request_id,
            elapsed: started.elapsed(),
            attempt,
            poll: self.polling,
            error,
        });
    }

    fn report_retry(
        &self,
        request: &Request<'_>,
        next_attempt: u32,
        delay: Duration,
        error: &Error,
    ) {
        if let Some(log) = self.log.as_ref().filter(|log| log.wants(LogLevel::Debug)) {
            log.emit(RequestEvent::Retry {
                method: request.method.as_str().to_owned(),
                path: request.path.clone().into_owned(),
                next_attempt,
                delay,
                reason: retry_reason(error),
            });
        }
    }
}

/// `path?query` with the query in canonical order, or `path` alone.
fn uri_of(path: &str, query: &[(String, String)]) -> String {
    let query_string = sign::canonical_query_string(query);
    if query_string.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query_string}")
    }
}

/// Sleeps for `wait`, calling `check` every ~50 ms.
fn sleep_checking<E>(wait: Duration, check: &mut dyn FnMut() -> Result<(), E>) -> Result<(), E> {
    let until = Instant::now() + wait;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(CHECK_SLICE));
        check()?;
    }
}

/// Drives an async call on the shared runtime from this thread, in ~50 ms slices with `check` between.
pub fn run_checking<T, E>(
    check: &mut dyn FnMut() -> Result<(), E>,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<Result<T, Error>, E> {
    let runtime = crate::runtime::runtime();
    let mut call = std::pin::pin!(call);
    loop {
        let slice =
            runtime.block_on(async { tokio::time::timeout(CHECK_SLICE, call.as_mut()).await });
        match slice {
            Ok(output) => return Ok(output),
            Err(_elapsed) => check()?,
        }
    }
}

#[cfg(test)]
mod tests;
