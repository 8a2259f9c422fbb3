//! The one tokio runtime that every client of the process shares, and the TLS provider set-up.

use std::sync::{Mutex, OnceLock, PoisonError};

use tokio::runtime::Runtime;

use crate::process_local::process_generation;

/// The shared multi-threaded runtime of this process. Built on first use, so importing the package
/// starts no threads, and built again in a forked child, whose copy of the parent's runtime has no
/// threads (the copy is left alone: dropping it would wait for threads that do not exist).
pub fn runtime() -> &'static Runtime {
    static CURRENT: Mutex<Option<(u64, &'static Runtime)>> = Mutex::new(None);
    let generation = process_generation();
    let mut current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
    match *current {
        Some((owner, runtime)) if owner == generation => runtime,
        _ => {
            let runtime: &'static Runtime = Box::leak(Box::new(build_runtime()));
            *current = Some((generation, runtime));
            runtime
        }
    }
}

fn build_runtime() -> Runtime {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("hcims-io")
        .enable_all()
        .build()
        // Without threads or a timer nothing in this crate can run; there is no meaningful fallback.
        .expect("hcims: cannot start the tokio runtime")
}

/// rustls needs one process-wide crypto provider; ring builds in half the time of aws-lc.
pub fn install_crypto_provider() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        // Err means another library of the process installed one first: that one serves us as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
