//! What a client reports of its HTTP traffic when someone listens: one event per request attempt and
//! one per retry. A client without a log (the default) measures nothing and builds nothing.

use std::sync::Arc;
use std::time::Duration;

/// How much a listener wants: attempts only, or retries and job polls as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Debug,
    Info,
}

/// One thing that happened on the wire. Never holds a secret: only the path, never headers or bodies.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestEvent {
    /// An attempt ended: with an HTTP status, or without one (`status: None`, `error` says why).
    Attempt {
        method: String,
        /// The path and query, as signed.
        path: String,
        status: Option<u16>,
        request_id: Option<String>,
        elapsed: Duration,
        /// 1 for the first attempt.
        attempt: u32,
        /// A job poll of a wait loop: reported at DEBUG, since a long wait makes many.
        poll: bool,
        error: Option<String>,
    },
    /// The attempt failed in a way worth trying again, after `delay`.
    Retry {
        method: String,
        path: String,
        next_attempt: u32,
        delay: Duration,
        reason: String,
    },
}

impl RequestEvent {
    pub fn level(&self) -> LogLevel {
        match self {
            RequestEvent::Attempt { poll: false, .. } => LogLevel::Info,
            RequestEvent::Attempt { poll: true, .. } | RequestEvent::Retry { .. } => {
                LogLevel::Debug
            }
        }
    }
}

/// Where events go, and from which level. The sink is called on a runtime worker thread, so it should
/// only hand the event on (to a channel, say).
#[derive(Clone)]
pub struct RequestLog {
    pub level: LogLevel,
    pub sink: Arc<dyn Fn(RequestEvent) + Send + Sync>,
}

impl RequestLog {
    pub fn new(level: LogLevel, sink: impl Fn(RequestEvent) + Send + Sync + 'static) -> Self {
        RequestLog {
            level,
            sink: Arc::new(sink),
        }
    }

    pub fn wants(&self, level: LogLevel) -> bool {
        level >= self.level
    }

    /// Hands `event` on when its level is wanted.
    pub fn emit(&self, event: RequestEvent) {
        if self.wants(event.level()) {
            (self.sink)(event);
        }
    }
}

impl std::fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestLog")
            .field("level", &self.level)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn attempt(poll: bool) -> RequestEvent {
        RequestEvent::Attempt {
            method: "GET".into(),
            path: "/x".into(),
            status: Some(200),
            request_id: None,
            elapsed: Duration::from_millis(3),
            attempt: 1,
            poll,
            error: None,
        }
    }

    #[test]
    fn info_listeners_see_attempts_but_not_polls_or_retries() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let into = seen.clone();
        let log = RequestLog::new(LogLevel::Info, move |e| into.lock().unwrap().push(e));
        log.emit(attempt(false));
        log.emit(attempt(true));
        log.emit(RequestEvent::Retry {
            method: "GET".into(),
            path: "/x".into(),
            next_attempt: 2,
            delay: Duration::from_millis(5),
            reason: "HTTP 503".into(),
        });
        assert_eq!(*seen.lock().unwrap(), vec![attempt(false)]);
        let into = seen.clone();
        let debug = RequestLog::new(LogLevel::Debug, move |e| into.lock().unwrap().push(e));
        debug.emit(attempt(true));
        assert_eq!(seen.lock().unwrap().len(), 2);
    }
}
