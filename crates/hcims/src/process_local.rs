//! Values that belong to the process that made them. After `fork()` (multiprocessing's default on
//! Linux) the child has a copy of the parent's memory but none of its threads, and shares its sockets:
//! a runtime or a connection pool copied that way would hang or corrupt the parent's connections.

use std::sync::{Mutex, PoisonError};

/// A value rebuilt on first use in each process.
pub struct ProcessLocal<T> {
    slot: Mutex<(u32, T)>,
}

impl<T: Clone> ProcessLocal<T> {
    /// `value` belongs to the current process.
    pub fn new(value: T) -> Self {
        ProcessLocal {
            slot: Mutex::new((std::process::id(), value)),
        }
    }

    /// The value of this process; in a forked child, `rebuild()` makes one first.
    pub fn get_or_rebuild<E>(&self, rebuild: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let pid = std::process::id();
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.0 != pid {
            let inherited = std::mem::replace(&mut *slot, (pid, rebuild()?));
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
