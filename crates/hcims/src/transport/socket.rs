//! The socket transport: single blocking requests over plain sockets, HTTP/1.1 written and read on the
//! calling thread (the wire format itself is in `http1`).
//!
//! A blocking call (a script's `create`, `get_job`) through the async stack (tokio, hyper, reqwest) spent
//! two thirds of its CPU time in that stack: tasks, wakers, header maps, URL parsing, timers. Here a
//! request is one `write` and, usually, one `read` on a pooled keep-alive connection, with TLS from
//! rustls over the same socket and the same certificate verifier reqwest uses. The async stack still
//! serves the asyncio client, batches and waits; and every request when a proxy is configured, which
//! this transport does not speak to.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use super::http1::{find_crlf, parse_head, request_head, MAX_BODY, MAX_HEAD};
use super::{
    after_sending, never_sent, Answer, SignedRequest, BROKE, CERTIFICATE_REFUSED, TIMED_OUT,
};
use crate::error::TransportError;
use crate::tls::is_certificate_error;

/// How long a blocked read waits before it lets the caller check for an interruption (Ctrl-C).
pub(crate) const CHECK_SLICE: Duration = Duration::from_millis(50);
/// Idle connections older than this are closed rather than reused (as the pooled transport does).
const IDLE_TIMEOUT: Duration = Duration::from_secs(50);
/// At most this many idle connections are kept.
const MAX_IDLE: usize = 32;
/// Bytes taken from the socket per read: an IMS answer fits in one.
const READ_SIZE: usize = 8 * 1024;

/// Connections to one endpoint, shared by every thread of the client.
pub(crate) struct SocketPool {
    host: String,
    port: u16,
    tls: Option<(Arc<ClientConfig>, ServerName<'static>)>,
    connect_timeout: Duration,
    request_timeout: Duration,
    idle: Mutex<Vec<(Connection, Instant)>>,
}

/// Why a request did not get an answer: the transport failed, or the caller's check said stop.
pub(crate) enum Failure<E> {
    Transport(TransportError),
    Stopped(E),
}

impl<E> From<TransportError> for Failure<E> {
    fn from(error: TransportError) -> Self {
        Failure::Transport(error)
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

struct Connection {
    stream: Stream,
    /// Read past the end of the last answer (a server may not send that, but would be believed).
    leftover: Vec<u8>,
    /// Where reads land, zeroed once per connection: a fresh zeroed buffer per answer cost more than
    /// the request's signing. What a read brings is copied out, and an answer is a few hundred bytes.
    scratch: Box<[u8]>,
}

impl SocketPool {
    /// A pool for `scheme://host:port`; `tls` is required for `https`.
    pub fn new(
        scheme: &str,
        host: &str,
        port: u16,
        connect_timeout: Duration,
        request_timeout: Duration,
    ) -> Result<SocketPool, String> {
        let tls = match scheme {
            "http" => None,
            "https" => {
                let name = ServerName::try_from(host.to_owned())
                    .map_err(|e| format!("{host:?} is not a TLS server name: {e}"))?;
                Some((Arc::new(tls_config()?), name))
            }
            other => return Err(format!("unsupported scheme {other:?}")),
        };
        Ok(SocketPool {
            host: host.to_owned(),
            port,
            tls,
            connect_timeout,
            request_timeout,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// A pool for `https://host:port` that trusts what `config` trusts (tests bring their own CA).
    #[cfg(test)]
    fn with_tls_config(host: &str, port: u16, config: ClientConfig) -> SocketPool {
        let name = ServerName::try_from(host.to_owned()).expect("a TLS server name");
        SocketPool {
            host: host.to_owned(),
            port,
            tls: Some((Arc::new(config), name)),
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends `request` and reads the whole answer, within the pool's request timeout. While it waits,
    /// `check` is called every ~50 ms; an error from it abandons the request (its connection is closed).
    pub(crate) fn send<E>(
        &self,
        request: &SignedRequest<'_>,
        check: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<Answer, Failure<E>> {
        let head = request_head(
            request.method.as_str(),
            request.uri,
            request.headers,
            request.body.len(),
        )?;
        let deadline = Instant::now() + self.request_timeout;
        self.exchange(&head, request.body, deadline, request.create, check)
    }

    /// Sends `head` and `body` and reads the whole answer, by `deadline`. While it waits, `check` is
    /// called every ~50 ms; an error from it abandons the request (its connection is closed).
    /// `create` says whether the service may act on the request (for `maybe_sent`).
    fn exchange<E>(
        &self,
        head: &[u8],
        body: &[u8],
        deadline: Instant,
        create: bool,
        check: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<Answer, Failure<E>> {
        let (mut connection, mut reused) = match self.take_idle() {
            Some(connection) => (connection, true),
            None => (self.connect(deadline)?, false),
        };
        while let Err(error) = connection.write_request(head, body) {
            connection.close();
            if reused {
                // The server closed the idle connection as it was taken: nothing of this request can
                // have been read. Once more on a new connection.
                connection = self.connect(deadline)?;
                reused = false;
                continue;
            }
            let never_sent = connection.handshaking();
            return Err(Failure::Transport(write_error(&error, never_sent, create)));
        }
        let answer = connection.read_answer(deadline, reused, create, check)?;
        if answer.keep_alive {
            self.put_idle(connection);
        }
        Ok(answer.answer)
    }

    fn take_idle(&self) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some((connection, since)) = idle.pop() {
            // A connection the server closed (or wrote to) while idle would fail or confuse the next
            // request: it is dropped here, before anything is sent on it.
            if since.elapsed() < IDLE_TIMEOUT && connection.is_quiet() {
                return Some(connection);
            }
        }
        None
    }

    fn put_idle(&self, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push((connection, Instant::now()));
        }
    }

    fn connect(&self, deadline: Instant) -> Result<Connection, TransportError> {
        let refused = never_sent;
        let addresses = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| refused(format!("cannot resolve {}: {e}", self.host)))?;
        let mut last_error = None;
        let mut tcp = None;
        for address in addresses {
            let left = deadline.saturating_duration_since(Instant::now());
            let timeout = self.connect_timeout.min(left);
            if timeout.is_zero() {
                last_error = Some(io::Error::from(io::ErrorKind::TimedOut));
                break;
            }
            match TcpStream::connect_timeout(&address, timeout) {
                Ok(stream) => {
                    tcp = Some(stream);
                    break;
                }
                Err(error) => last_error = Some(error),
            }
        }
        let Some(tcp) = tcp else {
            let error = last_error.map_or_else(|| "no address".to_owned(), |e| e.to_string());
            return Err(refused(format!("{}:{}: {error}", self.host, self.port)));
        };
        let setup = |e: io::Error| refused(format!("cannot set up the connection: {e}"));
        tcp.set_nodelay(true).map_err(setup)?;
        tcp.set_read_timeout(Some(CHECK_SLICE)).map_err(setup)?;
        // A write only blocks when the server stops reading; the request's own timeout bounds it.
        tcp.set_write_timeout(Some(self.request_timeout))
            .map_err(setup)?;
        let stream = match &self.tls {
            None => Stream::Plain(tcp),
            Some((config, name)) => {
                let session = ClientConnection::new(config.clone(), name.clone())
                    .map_err(|e| refused(format!("TLS: {e}")))?;
                // The handshake runs with the first write.
                Stream::Tls(Box::new(StreamOwned::new(session, tcp)))
            }
        };
        Ok(Connection {
            stream,
            leftover: Vec::new(),
            scratch: vec![0; READ_SIZE].into_boxed_slice(),
        })
    }
}

impl Drop for SocketPool {
    fn drop(&mut self) {
        let idle = self.idle.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (connection, _) in idle.drain(..) {
            connection.close();
        }
    }
}

/// The certificate checks reqwest makes by default: the platform's verifier, with the ring provider.
fn tls_config() -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| format!("cannot load the system's certificate checks: {e}"))?;
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// An answer read whole, and whether its connection may carry another request.
struct ReadAnswer {
    answer: Answer,
    keep_alive: bool,
}

impl Connection {
    fn tcp(&self) -> &TcpStream {
        match &self.stream {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => &tls.sock,
        }
    }

    fn handshaking(&self) -> bool {
        match &self.stream {
            Stream::Plain(_) => false,
            Stream::Tls(tls) => tls.conn.is_handshaking(),
        }
    }

    /// Nothing to read and not closed: the state a keep-alive connection must be in to be reused.
    fn is_quiet(&self) -> bool {
        if !self.leftover.is_empty() {
            return false;
        }
        peek_would_block(self.tcp())
    }

    fn close(&self) {
        let _ = self.tcp().shutdown(Shutdown::Both);
    }

    fn write_request(&mut self, head: &[u8], body: &[u8]) -> io::Result<()> {
        match &mut self.stream {
            Stream::Plain(tcp) => {
                // One segment for a small request: head and body in one write.
                let mut request = Vec::with_capacity(head.len() + body.len());
                request.extend_from_slice(head);
                request.extend_from_slice(body);
                tcp.write_all(&request)
            }
            Stream::Tls(tls) => {
                tls.write_all(head)?;
                tls.write_all(body)?;
                tls.flush()
            }
        }
    }

    /// Reads more onto the end of `buffer`; `Ok(0)` is the end of the stream. Waits in slices, calling
    /// `check` between them, until `deadline`.
    fn fill<E>(
        &mut self,
        buffer: &mut Vec<u8>,
        deadline: Instant,
        timed_out: &dyn Fn() -> TransportError,
        broken: &dyn Fn(io::Error) -> TransportError,
        check: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<usize, Failure<E>> {
        let outcome = loop {
            let read = match &mut self.stream {
                Stream::Plain(tcp) => tcp.read(&mut self.scratch),
                Stream::Tls(tls) => tls.read(&mut self.scratch),
            };
            match read {
                Ok(read) => break Ok(read),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if Instant::now() >= deadline {
                        break Err(Failure::Transport(timed_out()));
                    }
                    if let Err(stop) = check() {
                        break Err(Failure::Stopped(stop));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(Failure::Transport(broken(e))),
            }
        };
        match outcome {
            Ok(read) => {
                buffer.extend_from_slice(&self.scratch[..read]);
                Ok(read)
            }
            Err(failure) => {
                self.close();
                Err(failure)
            }
        }
    }

    fn read_answer<E>(
        &mut self,
        deadline: Instant,
        reused: bool,
        create: bool,
        check: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<ReadAnswer, Failure<E>> {
        // Once the request went out, a create may have been acted on and is not sent again; a query
        // always may be (the rules of the async transport).
        let timed_out = || after_sending(TIMED_OUT, "no answer in time", create);
        let failed = |e: io::Error| after_sending(BROKE, e, create);
        let mut buffer = std::mem::take(&mut self.leftover);
        // The head, skipping interim (1xx) answers.
        let head = loop {
            match parse_head(&buffer) {
                Ok(Some(head)) if (100..200).contains(&head.status) && head.status != 101 => {
                    buffer.drain(..head.length);
                }
                Ok(Some(head)) => break head,
                Ok(None) if buffer.len() > MAX_HEAD => {
                    self.close();
                    return Err(Failure::Transport(failed(io::Error::other(
                        "the answer's head is too large",
                    ))));
                }
                Ok(None) => {
                    let read = self.fill(&mut buffer, deadline, &timed_out, &failed, check)?;
                    if read == 0 {
                        self.close();
                        let what = if buffer.is_empty() {
                            "the server closed the connection"
                        } else {
                            "the server closed the connection in the middle of the answer's head"
                        };
                        let kept_alive = if reused && buffer.is_empty() {
                            " (a kept-alive one)"
                        } else {
                            ""
                        };
                        return Err(Failure::Transport(after_sending(
                            BROKE,
                            format_args!("{what}{kept_alive}"),
                            create,
                        )));
                    }
                }
                Err(message) => {
                    self.close();
                    return Err(Failure::Transport(failed(io::Error::other(message))));
                }
            }
        };
        let status = head.status;
        let broke_off = |e: io::Error| {
            after_sending(
                format_args!("the answer (HTTP {status}) broke off"),
                e,
                create,
            )
        };
        let chunked = head.chunked;
        let length = match head.content_length {
            Some(Ok(length)) => Some(length),
            Some(Err(())) => {
                self.close();
                return Err(Failure::Transport(broke_off(io::Error::other(
                    "bad Content-Length",
                ))));
            }
            None => None,
        };
        let closes = head.closes;
        let headers = head.headers;
        let head_len = head.length;
        buffer.drain(..head_len);
        let no_body = status == 204 || status == 304;
        let (body, to_eof) = if no_body {
            (Vec::new(), false)
        } else if chunked {
            (
                self.read_chunked(buffer, deadline, &timed_out, &broke_off, check)?,
                false,
            )
        } else if let Some(length) = length {
            while buffer.len() < length {
                let read = self.fill(&mut buffer, deadline, &timed_out, &broke_off, check)?;
                if read == 0 {
                    self.close();
                    return Err(Failure::Transport(broke_off(io::Error::other(format!(
                        "the connection was closed after {} of {length} bytes",
                        buffer.len()
                    )))));
                }
            }
            self.leftover = buffer.split_off(length);
            (buffer, false)
        } else {
            // Neither length nor chunks: the body ends with the connection.
            while self.fill(&mut buffer, deadline, &timed_out, &broke_off, check)? > 0 {
                if buffer.len() > MAX_BODY {
                    self.close();
                    return Err(Failure::Transport(broke_off(io::Error::other(
                        "the answer is too large",
                    ))));
                }
            }
            (buffer, true)
        };
        Ok(ReadAnswer {
            answer: Answer {
                status,
                headers,
                body: Bytes::from(body),
            },
            keep_alive: !closes && !to_eof,
        })
    }

    fn read_chunked<E>(
        &mut self,
        mut buffer: Vec<u8>,
        deadline: Instant,
        timed_out: &dyn Fn() -> TransportError,
        broke_off: &dyn Fn(io::Error) -> TransportError,
        check: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<Vec<u8>, Failure<E>> {
        let mut body = Vec::new();
        loop {
            // A chunk: its size in hex (extensions after `;` ignored), CRLF, the data, CRLF.
            let Some(line_end) = find_crlf(&buffer) else {
                self.more(&mut buffer, deadline, timed_out, broke_off, check)?;
                continue;
            };
            let size_text = String::from_utf8_lossy(&buffer[..line_end]);
            let size_text = size_text.split(';').next().unwrap_or("").trim();
            let Ok(size) = usize::from_str_radix(size_text, 16) else {
                self.close();
                return Err(Failure::Transport(broke_off(io::Error::other(
                    "bad chunk size",
                ))));
            };
            if body.len() + size > MAX_BODY {
                self.close();
                return Err(Failure::Transport(broke_off(io::Error::other(
                    "the answer is too large",
                ))));
            }
            if size == 0 {
                // Trailers, if any, up to an empty line.
                loop {
                    match find_crlf(&buffer[line_end + 2..]) {
                        Some(0) => {
                            self.leftover = buffer.split_off(line_end + 4);
                            return Ok(body);
                        }
                        Some(trailer_end) => {
                            buffer.drain(line_end + 2..line_end + 4 + trailer_end);
                        }
                        None => self.more(&mut buffer, deadline, timed_out, broke_off, check)?,
                    }
                }
            }
            let data_start = line_end + 2;
            while buffer.len() < data_start + size + 2 {
                self.more(&mut buffer, deadline, timed_out, broke_off, check)?;
            }
            body.extend_from_slice(&buffer[data_start..data_start + size]);
            buffer.drain(..data_start + size + 2);
        }
    }

    /// Reads more; the end of the stream in the middle of a chunked body is an error.
    fn more<E>(
        &mut self,
        buffer: &mut Vec<u8>,
        deadline: Instant,
        timed_out: &dyn Fn() -> TransportError,
        broke_off: &dyn Fn(io::Error) -> TransportError,
        check: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<(), Failure<E>> {
        if self.fill(buffer, deadline, timed_out, broke_off, check)? == 0 {
            self.close();
            return Err(Failure::Transport(broke_off(io::Error::other(
                "the connection was closed in the middle of the answer",
            ))));
        }
        Ok(())
    }
}

/// True when reading `tcp` would block: no data, no end of stream, no error.
#[cfg(unix)]
fn peek_would_block(tcp: &TcpStream) -> bool {
    use std::os::fd::AsRawFd;
    let mut probe = [0u8; 1];
    // SAFETY: `probe` is valid for one byte for the whole call, and the descriptor is owned by `tcp`,
    // which outlives it. One non-blocking peek, instead of switching the socket's mode back and forth.
    let read = unsafe {
        libc::recv(
            tcp.as_raw_fd(),
            probe.as_mut_ptr().cast(),
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    read < 0 && io::Error::last_os_error().kind() == io::ErrorKind::WouldBlock
}

#[cfg(not(unix))]
fn peek_would_block(tcp: &TcpStream) -> bool {
    if tcp.set_nonblocking(true).is_err() {
        return false;
    }
    let mut probe = [0u8; 1];
    let quiet = matches!(tcp.peek(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    quiet && tcp.set_nonblocking(false).is_ok()
}

fn write_error(error: &io::Error, never_sent_yet: bool, create: bool) -> TransportError {
    if never_sent_yet && is_certificate_error(error) {
        TransportError {
            message: format!("{CERTIFICATE_REFUSED}: {error}"),
            // A refused certificate stays refused: trying again only delays the error.
            retryable: false,
            maybe_sent: false,
        }
    } else if never_sent_yet {
        never_sent(error)
    } else if error.kind() == io::ErrorKind::TimedOut || error.kind() == io::ErrorKind::WouldBlock {
        after_sending(TIMED_OUT, error, create)
    } else {
        after_sending(BROKE, error, create)
    }
}

#[cfg(test)]
mod tests;
