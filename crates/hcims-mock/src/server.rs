//! Running the emulator: its own thread and tokio runtime, so sync tests and Python can use it.
//!
//! Connections are served with hyper directly rather than `axum::serve`, so that a scripted fault
//! can close a connection without answering (see [`DropConnection`]).

use std::error::Error;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::extract::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::Value;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::config::MockConfig;
use crate::faults::{DropConnection, Fault, InvalidFault};
use crate::job_control::JobControlError;
use crate::recording::RecordedRequest;
use crate::routes;
use crate::state::MockState;

/// How long a stop waits for requests in flight (a delayed fault, say) before dropping them.
const STOP_GRACE: Duration = Duration::from_secs(2);
/// Two workers: enough to serve a benchmark on a 2-core machine without starving the client.
const WORKER_THREADS: usize = 2;

/// A running emulator of Huawei Cloud IMS on `127.0.0.1`. Stops when dropped.
pub struct MockIms {
    address: SocketAddr,
    state: Arc<MockState>,
    stop_signal: watch::Sender<bool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl MockIms {
    /// Binds `127.0.0.1:config.port` and starts serving in the background.
    pub fn start(config: MockConfig) -> io::Result<Self> {
        let state = Arc::new(MockState::new(config)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("hcims-mock-worker")
            .enable_all()
            .build()?;
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, state.config.port))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let listener = {
            let _runtime_context = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let tls = match &state.config.tls {
            Some((cert_pem, key_pem)) => Some(crate::tls::acceptor(cert_pem, key_pem)?),
            None => None,
        };
        let app = routes::router(state.clone());
        let (stop_signal, stop_requested) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("hcims-mock".into())
            .spawn(move || serve(runtime, listener, tls, app, stop_requested))?;
        Ok(Self {
            address,
            state,
            stop_signal,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT` (`https://` when serving TLS).
    pub fn endpoint(&self) -> String {
        let scheme = if self.state.config.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn config(&self) -> &MockConfig {
        &self.state.config
    }

    /// Every request received so far, rejected ones included, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.recorder.snapshot()
    }

    pub fn clear_requests(&self) {
        self.state.recorder.clear();
    }

    /// Every job's document as a query would serve it now (without moving any job forward),
    /// oldest first: of one project, or of all when `project_id` is `None`.
    pub fn jobs(&self, project_id: Option<&str>) -> Vec<Value> {
        self.state.jobs.snapshot(project_id)
    }

    /// Every image as `GET /v2/cloudimages` would show it now, oldest first: of one project, or
    /// of all when `project_id` is `None`. Images being made are `queued` or `saving`.
    pub fn images(&self, project_id: Option<&str>) -> Vec<Value> {
        self.state
            .edits
            .apply(self.state.jobs.images(project_id, false))
    }

    /// The most jobs one project had running (INIT or RUNNING) at once; counted only when
    /// `max_running_jobs` is set, else 0.
    pub fn peak_running_jobs(&self) -> usize {
        self.state.jobs.peak_running_jobs()
    }

    /// Makes job `job_id` end in FAIL (with its sub-jobs) instead of SUCCESS; it must not have ended.
    pub fn fail_job(&self, job_id: &str) -> Result<(), JobControlError> {
        self.state.jobs.fail_job(job_id)
    }

    /// Every project some key or token of the emulator can act in, the first account's first.
    pub fn project_ids(&self) -> Vec<String> {
        self.state.config.project_ids()
    }

    /// Arms `fault`: matching requests get its answer, before any authentication, `times` times.
    pub fn add_fault(&self, fault: Fault) -> Result<(), InvalidFault> {
        self.state.faults.arm(fault)
    }

    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// Stops accepting, lets requests in flight finish (for at most a moment) and joins the
    /// server thread. Calling it again does nothing.
    pub fn stop(&self) {
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            self.stop_signal.send_replace(true);
            // The server thread only ends by returning; a panic there has already been reported.
            let _ = thread.join();
        }
    }
}

impl Drop for MockIms {
    fn drop(&mut self) {
        self.stop();
    }
}

impl fmt::Debug for MockIms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockIms")
            .field("endpoint", &self.endpoint())
            .field("config", &self.state.config)
            .finish()
    }
}

/// Why a connection was closed without an answer: a fault asked for it.
#[derive(Debug)]
struct ConnectionDropped;

impl fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the connection is dropped by a fault")
    }
}

impl Error for ConnectionDropped {}

/// How long to wait before accepting again after an accept error (out of file descriptors, say).
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(10);

fn serve(
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    tls: Option<TlsAcceptor>,
    app: axum::Router,
    mut stop_requested: watch::Receiver<bool>,
) {
    runtime.block_on(async move {
        let connections = GracefulShutdown::new();
        let builder = http1::Builder::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let stream = match accepted {
                        Ok((stream, _)) => stream,
                        Err(_) => {
                            tokio::time::sleep(ACCEPT_RETRY_PAUSE).await;
                            continue;
                        }
                    };
                    // Small answers on keep-alive connections must not wait for Nagle's algorithm.
                    let _ = stream.set_nodelay(true);
                    let app = app.clone();
                    let service = service_fn(move |request: Request<Incoming>| {
                        let app = app.clone();
                        async move {
                            let response = match app.oneshot(request).await {
                                Ok(response) => response,
                                Err(never) => match never {},
                            };
                            // An error makes hyper close the connection without writing anything.
                            if response.extensions().get::<DropConnection>().is_some() {
                                Err(ConnectionDropped)
                            } else {
                                Ok(response)
                            }
                        }
                    });
                    let watcher = connections.watcher();
                    let builder = builder.clone();
                    let tls = tls.clone();
                    tokio::spawn(async move {
                        // A dropped, reset or truncated connection (or a refused handshake) is an
                        // outcome, not a failure.
                        match tls {
                            None => {
                                let connection = builder.serve_connection(TokioIo::new(stream), service);
                                let _ = watcher.watch(connection).await;
                            }
                            Some(tls) => {
                                if let Ok(stream) = tls.accept(stream).await {
                                    let connection = builder.serve_connection(TokioIo::new(stream), service);
                                    let _ = watcher.watch(connection).await;
                                }
                            }
                        }
                    });
                }
                // An error means the MockIms is gone: stop as well.
                _ = stop_requested.wait_for(|stop| *stop) => break,
            }
        }
        drop(listener);
        tokio::select! {
            _ = connections.shutdown() => {}
            _ = tokio::time::sleep(STOP_GRACE) => {}
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
}
