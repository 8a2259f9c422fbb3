//! Values that belong to the process that made them. After `fork()` (multiprocessing's default on
//! Linux) the child has a copy of the parent's memory but none of its threads, and shares its sockets:
//! a runtime or a connection pool copied that way would hang or corrupt the parent's connections.

use std::sync::{Mutex, PoisonError};

/// A value rebuilt on first use in each process.
pub struct ProcessLocal<T> {
    slot: Mutex<(u64, T)>,
}

impl<T: Clone> ProcessLocal<T> {
    /// `value` belongs to the current process.
    pub fn new(value: T) -> Self {
        ProcessLocal {
            slot: Mutex::new((process_generation(), value)),
        }
    }

    /// The value of this process; in a forked child, `rebuild()` makes one first.
    pub fn get_or_rebuild<E>(&self, rebuild: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let generation = process_generation();
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.0 != generation {
            let inherited = std::mem::replace(&mut *slot, (generation, rebuild()?));
            // Dropping the parent's copy could touch its threads (gone here) or close shared sockets.
            std::mem::forget(inherited);
        }
        Ok(slot.1.clone())
    }
}

impl<T> std::fmt::Debug for ProcessLocal<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProcessLocal")
    }
}

/// A number that changes in the child of every `fork()`, and only then.
///
/// A `getpid()` per request was a system call on every `create`; a `pthread_atfork` handler bumping a
/// counter costs nothing until a fork. Python's `os.fork()` (and so multiprocessing) runs the handlers.
#[cfg(unix)]
pub fn process_generation() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Once;

    static GENERATION: AtomicU64 = AtomicU64::new(0);
    static REGISTERED: Once = Once::new();

    extern "C" fn in_child() {
        // Async-signal-safe, as a handler in a forked child must be.
        GENERATION.fetch_add(1, Ordering::Relaxed);
    }

    REGISTERED.call_once(|| {
        // SAFETY: registers a handler that only touches an atomic. The only failure is ENOMEM, after
        // which forks would go unnoticed, so the process id stands in for the generation then.
        let registered = unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
        if registered != 0 {
            FALLBACK_TO_PID.store(true, Ordering::Relaxed);
        }
    });
    if FALLBACK_TO_PID.load(Ordering::Relaxed) {
        return u64::from(std::process::id()) << 32;
    }
    GENERATION.load(Ordering::Relaxed)
}

#[cfg(unix)]
static FALLBACK_TO_PID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[cfg(not(unix))]
pub fn process_generation() -> u64 {
    u64::from(std::process::id())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_forked_child_sees_a_new_generation_and_rebuilds() {
        let local = ProcessLocal::new(1u32);
        assert_eq!(local.get_or_rebuild(|| Ok::<_, ()>(2)), Ok(1));
        let before = process_generation();
        // SAFETY: the child only reads atomics and a mutex no other thread holds, then `_exit`s.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let rebuilt = local.get_or_rebuild(|| Ok::<_, ()>(2)) == Ok(2);
            let changed = process_generation() != before;
            // SAFETY: leaves the child at once, running no destructors of the parent's copy.
            unsafe { libc::_exit(if rebuilt && changed { 0 } else { 1 }) };
        }
        let mut status = 0;
        // SAFETY: waits for the child made above.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "{status}"
        );
        // The parent keeps its value and generation.
        assert_eq!(process_generation(), before);
        assert_eq!(local.get_or_rebuild(|| Ok::<_, ()>(3)), Ok(1));
    }
}
