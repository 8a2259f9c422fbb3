//! Blocking calls made on the calling thread itself: a runtime of the thread's own and, per client, a
//! connection pool of the thread's own.
//!
//! A future driven from a thread that is not a worker of the shared runtime (`block_on`, or a spawned
//! task and a channel) has its I/O done by a worker: the request, the answer's head and its body each
//! cross threads, and every crossing is a sleep and a wake-up on each side, which costs more CPU than
//! the request itself. On a current-thread runtime the calling thread does its own I/O and sleeps once
//! per request, in `epoll_wait`, until the answer is there.
//!
//! Such a runtime runs only while its thread is in `block_on`, and so do the connections it opened:
//! they must not serve other runtimes, hence a pool per thread. Idle connections are closed after the
//! pool's idle timeout, on the thread's next call, or when the thread ends.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Weak;

use tokio::runtime::Runtime;

use crate::client::{Client, Inner};
use crate::error::Error;

/// One thread's runtime and its pools, one per client seen on this thread.
struct Here {
    // Dropped before the runtime: a pool's connections are tasks of it.
    pools: RefCell<Vec<(Weak<Inner>, reqwest::Client)>>,
    runtime: Runtime,
}

thread_local! {
    static HERE: RefCell<Option<Rc<Here>>> = const { RefCell::new(None) };
}

/// A current-thread runtime to `block_on` on this thread, and `client` with this thread's pool.
///
/// Nothing is borrowed from the thread's state while the caller runs the runtime, so a callback between
/// two `block_on`s may make calls of its own (never from inside one: a runtime does not nest).
pub fn here(client: &Client) -> Result<(LocalRuntime, Client), Error> {
    let here = HERE.with(|cell| -> Result<Rc<Here>, Error> {
        let mut slot = cell.borrow_mut();
        if let Some(here) = slot.as_ref() {
            return Ok(here.clone());
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                Error::Config(format!("cannot start an I/O runtime on this thread: {e}"))
            })?;
        let here = Rc::new(Here {
            pools: RefCell::new(Vec::new()),
            runtime,
        });
        *slot = Some(here.clone());
        Ok(here)
    })?;
    let pool = {
        let mut pools = here.pools.borrow_mut();
        // The pools of clients dropped since: their connections close with them.
        pools.retain(|(owner, _)| owner.strong_count() > 0);
        let identity = client.identity();
        match pools.iter().find(|(owner, _)| owner.ptr_eq(&identity)) {
            Some((_, pool)) => pool.clone(),
            None => {
                let pool = client.new_pool()?;
                pools.push((identity, pool.clone()));
                pool
            }
        }
    };
    Ok((LocalRuntime(here), client.with_pool(pool)))
}

/// How many connection pools this thread holds (one per live client it made calls with).
pub fn pools_here() -> usize {
    HERE.with(|cell| {
        cell.borrow()
            .as_ref()
            .map_or(0, |here| here.pools.borrow().len())
    })
}

/// This thread's runtime; not `Send`, it stays on the thread.
pub struct LocalRuntime(Rc<Here>);

impl LocalRuntime {
    pub fn runtime(&self) -> &Runtime {
        &self.0.runtime
    }
}
