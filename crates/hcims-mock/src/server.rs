//! Running the emulator: its own thread and tokio runtime, so sync tests and Python can use it.

use std::fmt;
use std::future::IntoFuture;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::serve::ListenerExt;
use serde_json::Value;
use tokio::sync::watch;

use crate::config::MockConfig;
use crate::faults::{Fault, FaultTable, InvalidFault};
use crate::jobs::{JobBook, Pacing};
use crate::recording::{RecordedRequest, Recorder};
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
        let pacing = pacing_of(&config)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("hcims-mock-worker")
            .enable_all()
            .build()?;
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let listener = {
            let _runtime_context = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let state = Arc::new(MockState {
            jobs: JobBook::new(pacing, config.fail_pattern.clone()),
            config,
            recorder: Recorder::default(),
            faults: FaultTable::default(),
        });
        let app = routes::router(state.clone());
        let (stop_signal, stop_requested) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("hcims-mock".into())
            .spawn(move || serve(runtime, listener, app, stop_requested))?;
        Ok(Self {
            address,
            state,
            stop_signal,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
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

    /// Every job's document as a query would serve it now (without moving any job forward).
    pub fn jobs(&self) -> Vec<Value> {
        self.state.jobs.snapshot()
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

fn pacing_of(config: &MockConfig) -> io::Result<Pacing> {
    match config.job_seconds {
        None => Ok(Pacing::Polls(config.job_polls)),
        Some(seconds) => Duration::try_from_secs_f64(seconds)
            .map(Pacing::Elapsed)
            .map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "job_seconds must be a finite number of seconds, at least 0; got {seconds}"
                    ),
                )
            }),
    }
}

fn serve(
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    app: axum::Router,
    stop_requested: watch::Receiver<bool>,
) {
    runtime.block_on(async move {
        // Small answers on keep-alive connections must not wait for Nagle's algorithm.
        let listener = listener.tap_io(|stream| {
            let _ = stream.set_nodelay(true);
        });
        let mut graceful_signal = stop_requested.clone();
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            // An error means the MockIms is gone: stop as well.
            let _ = graceful_signal.wait_for(|stop| *stop).await;
        });
        let mut deadline_signal = stop_requested;
        let deadline = async move {
            let _ = deadline_signal.wait_for(|stop| *stop).await;
            tokio::time::sleep(STOP_GRACE).await;
        };
        tokio::select! {
            _ = server.into_future() => {}
            _ = deadline => {}
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
}
