//! The blocking transport against scripted servers on loopback: framing, keep-alive, closed and
//! silent connections, timeouts and interruptions.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::super::http1::request_head;
use super::super::USER_AGENT;
use super::*;

/// What a scripted server does with a request.
enum Reply {
    /// Writes these bytes and waits for the next request.
    Answer(Vec<u8>),
    /// Writes these bytes and closes the connection.
    AnswerAndClose(Vec<u8>),
    /// Closes the connection without answering.
    Close,
    /// Never answers (and keeps the connection open).
    Silent,
}

fn answer(status: &str, body: &str) -> Reply {
    Reply::Answer(
        format!(
            "HTTP/1.1 {status}\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

/// Reads one request (head and Content-Length body); None at the end of the stream.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .map_or(0, |n| n.trim().parse().unwrap_or(0));
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(head)
}

/// A server on loopback: `script(connection number, request number on it, request head)` says what to
/// do. Returns its port and a count of the connections it accepted.
fn serve(
    script: impl Fn(usize, usize, &str) -> Reply + Send + Sync + 'static,
) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    let script = Arc::new(script);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let number = counted.fetch_add(1, Ordering::SeqCst);
            let script = script.clone();
            thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let mut request = 0;
                while let Some(head) = read_request(&mut reader) {
                    match script(number, request, &head) {
                        Reply::Answer(bytes) => {
                            if writer.write_all(&bytes).is_err() {
                                return;
                            }
                        }
                        Reply::AnswerAndClose(bytes) => {
                            let _ = writer.write_all(&bytes);
                            return;
                        }
                        Reply::Close => return,
                        Reply::Silent => {
                            thread::sleep(Duration::from_secs(30));
                            return;
                        }
                    }
                    request += 1;
                }
            });
        }
    });
    (port, connections)
}

fn pool_with(port: u16, timeout: Duration) -> SocketPool {
    SocketPool::new("http", "127.0.0.1", port, Duration::from_secs(2), timeout).unwrap()
}

fn pool(port: u16) -> SocketPool {
    pool_with(port, Duration::from_secs(5))
}

fn never_stop() -> Result<(), ()> {
    Ok(())
}

fn send(pool: &SocketPool, create: bool, timeout: Duration) -> Result<Answer, Failure<()>> {
    let head = request_head("POST", "/", &[("Host".into(), "x".into())], 2).unwrap();
    pool.exchange(
        &head,
        b"{}",
        Instant::now() + timeout,
        create,
        &mut never_stop,
    )
}

fn ok(answer: Result<Answer, Failure<()>>) -> Answer {
    match answer {
        Ok(answer) => answer,
        Err(Failure::Transport(t)) => panic!("transport error: {}", t.message),
        Err(Failure::Stopped(())) => panic!("stopped"),
    }
}

fn transport(answer: Result<Answer, Failure<()>>) -> TransportError {
    match answer {
        Err(Failure::Transport(t)) => t,
        Ok(answer) => panic!("an answer, HTTP {}", answer.status),
        Err(Failure::Stopped(())) => panic!("stopped"),
    }
}

const SOON: Duration = Duration::from_secs(5);

#[test]
fn one_connection_carries_request_after_request() {
    let (port, connections) = serve(|_, n, _| {
        let body = format!("{{\"n\": {n}}}");
        Reply::Answer(
            format!(
                "HTTP/1.1 200 OK\r\nX-Request-Id: r{n}\r\nDate: today\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    });
    let pool = pool(port);
    for n in 0..5 {
        let answer = ok(send(&pool, false, SOON));
        assert_eq!(answer.status, 200);
        assert_eq!(&answer.body[..], format!("{{\"n\": {n}}}").as_bytes());
        // A success keeps its request id (for the log) and nothing else.
        assert_eq!(
            answer.headers.get("x-request-id").unwrap(),
            &format!("r{n}")
        );
        assert_eq!(answer.headers.len(), 1);
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[test]
fn the_request_carries_what_reqwest_would_add() {
    let (port, _) = serve(|_, _, head| answer("200 OK", &head.replace("\r\n", "|")));
    let pool = pool(port);
    let headers = [
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("X-Sdk-Date".to_owned(), "20240101T000000Z".to_owned()),
    ];
    let head = request_head("POST", "/v2/cloudimages/action", &headers, 2).unwrap();
    let answer = ok(pool.exchange(&head, b"{}", Instant::now() + SOON, true, &mut never_stop));
    assert_eq!(
        std::str::from_utf8(&answer.body).unwrap(),
        format!(
            "POST /v2/cloudimages/action HTTP/1.1|content-type: application/json|x-sdk-date: \
             20240101T000000Z|user-agent: {USER_AGENT}|accept: */*|content-length: 2||"
        )
    );
    // A GET without a body says nothing of its length, as hyper does.
    let get = request_head("GET", "/v1/x", &[], 0).unwrap();
    assert!(!String::from_utf8(get).unwrap().contains("content-length"));
    // A header value that could end the head early is refused, never written.
    let broken = [("X-Bad".to_owned(), "a\r\nInjected: 1".to_owned())];
    assert!(request_head("GET", "/", &broken, 0).is_err());
}

#[test]
fn chunked_bodies_interim_answers_and_headers_are_read() {
    let (port, connections) = serve(|_, _, _| {
        Reply::Answer(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nX-Request-Id: abc\r\n\
              Retry-After: 3\r\ntransfer-encoding: chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\n5\r\n: 1}\n\r\n\
              0\r\nx-trailer: t\r\n\r\n"
                .to_vec(),
        )
    });
    let pool = pool(port);
    for _ in 0..2 {
        let answer = ok(send(&pool, false, SOON));
        assert_eq!(answer.status, 429);
        assert_eq!(&answer.body[..], b"{\"a\": 1}\n");
        assert_eq!(answer.headers.get("x-request-id").unwrap(), "abc");
        assert_eq!(answer.headers.get("retry-after").unwrap(), "3");
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[test]
fn a_body_without_length_ends_with_the_connection_which_is_not_reused() {
    let (port, connections) = serve(|_, _, _| {
        Reply::AnswerAndClose(b"HTTP/1.1 502 Bad Gateway\r\n\r\n<html>bad gateway</html>".to_vec())
    });
    let pool = pool(port);
    for _ in 0..2 {
        let answer = ok(send(&pool, true, SOON));
        assert_eq!(answer.status, 502);
        assert_eq!(&answer.body[..], b"<html>bad gateway</html>");
    }
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[test]
fn connection_close_is_honoured() {
    let (port, connections) = serve(|_, _, _| {
        Reply::Answer(
            b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}".to_vec(),
        )
    });
    let pool = pool(port);
    ok(send(&pool, false, SOON));
    ok(send(&pool, false, SOON));
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[test]
fn a_connection_closed_while_idle_is_replaced_before_anything_is_sent() {
    // Each connection answers once, then the server closes it.
    let (port, connections) = serve(|_, _, _| {
        Reply::AnswerAndClose(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".to_vec())
    });
    let pool = pool(port);
    for _ in 0..4 {
        ok(send(&pool, true, SOON));
        // Let the server's close arrive, as an idle connection's would.
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(connections.load(Ordering::SeqCst), 4);
}

#[test]
fn a_connection_closed_without_an_answer_may_have_acted() {
    let (port, _) = serve(|_, _, _| Reply::Close);
    let pool = pool(port);
    let error = transport(send(&pool, true, SOON));
    assert!(error.maybe_sent && !error.retryable, "{error:?}");
    assert!(error.message.contains("closed"), "{}", error.message);
    let query = transport(send(&pool, false, SOON));
    assert!(!query.maybe_sent);
}

#[test]
fn a_body_cut_short_is_an_error_naming_the_status() {
    let (port, _) = serve(|_, _, _| {
        Reply::AnswerAndClose(b"HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n{\"job_id\":".to_vec())
    });
    let error = transport(send(&pool(port), true, SOON));
    assert!(
        error.message.starts_with("the answer (HTTP 200) broke off"),
        "{}",
        error.message
    );
    assert!(error.maybe_sent);
}

#[test]
fn what_is_not_http_is_an_error() {
    let (port, _) = serve(|_, _, _| Reply::AnswerAndClose(b"SSH-2.0-OpenSSH\r\n\r\n".to_vec()));
    let error = transport(send(&pool(port), false, SOON));
    assert!(error.message.contains("not HTTP"), "{}", error.message);
}

#[test]
fn a_silent_server_times_out_and_its_connection_is_dropped() {
    let (port, connections) = serve(|connection, _, _| match connection {
        0 => Reply::Silent,
        _ => answer("200 OK", "{}"),
    });
    let pool = pool_with(port, Duration::from_millis(300));
    let started = Instant::now();
    let error = transport(send(&pool, true, Duration::from_millis(300)));
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(error.message.starts_with("timed out"), "{}", error.message);
    assert!(error.maybe_sent && !error.retryable);
    // The silent connection is not reused: the next request opens another.
    ok(send(&pool, true, SOON));
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[test]
fn a_stop_from_the_check_abandons_the_request_at_once() {
    let (port, _) = serve(|_, _, _| Reply::Silent);
    let pool = pool(port);
    let head = request_head("POST", "/", &[], 2).unwrap();
    let mut checks = 0;
    let started = Instant::now();
    let outcome = pool.exchange(&head, b"{}", Instant::now() + SOON, true, &mut || {
        checks += 1;
        if checks == 3 {
            Err("stop")
        } else {
            Ok(())
        }
    });
    assert!(matches!(outcome, Err(Failure::Stopped("stop"))));
    // Three checks, ~50 ms apart: far sooner than the request's own timeout.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn nobody_listening_is_a_retryable_connect_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let error = transport(send(&pool(port), true, SOON));
    assert!(error.retryable && !error.maybe_sent, "{error:?}");
    assert!(
        error.message.starts_with("could not connect to IMS"),
        "{}",
        error.message
    );
}

/// A TLS server on loopback answering every request with `body`, with a certificate for `localhost`
/// signed by a CA of its own; returns its port and the CA's certificate.
fn serve_tls(body: &'static str) -> (u16, rustls::pki_types::CertificateDer<'static>) {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let config = config.clone();
            thread::spawn(move || {
                let session = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(session, stream);
                let mut received = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    // Answer each request once its head and two-byte body have arrived.
                    let Ok(read) = tls.read(&mut chunk) else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    received.extend_from_slice(&chunk[..read]);
                    while let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                        if received.len() < end + 4 + 2 {
                            break;
                        }
                        received.drain(..end + 4 + 2);
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if tls.write_all(answer.as_bytes()).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (port, ca.der().clone())
}

fn client_tls(trusted: Option<rustls::pki_types::CertificateDer<'static>>) -> ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(ca) = trusted {
        roots.add(ca).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

#[test]
fn requests_go_over_tls_on_one_connection() {
    let (port, ca) = serve_tls("{\"job_id\": \"j\"}");
    let pool = SocketPool::with_tls_config("localhost", port, client_tls(Some(ca)));
    for _ in 0..3 {
        let answer = ok(send(&pool, true, SOON));
        assert_eq!(answer.status, 200);
        assert_eq!(&answer.body[..], b"{\"job_id\": \"j\"}");
    }
    assert_eq!(pool.idle.lock().unwrap().len(), 1);
}

#[test]
fn an_untrusted_certificate_fails_before_anything_is_sent() {
    let (port, _) = serve_tls("{}");
    let pool = SocketPool::with_tls_config("localhost", port, client_tls(None));
    let error = transport(send(&pool, true, SOON));
    // Nothing was sent, and trying again would only meet the same certificate.
    assert!(!error.retryable && !error.maybe_sent, "{error:?}");
    assert!(
        error
            .message
            .starts_with("the server's TLS certificate was refused"),
        "{}",
        error.message
    );
}

#[test]
fn the_default_tls_set_up_loads() {
    // The platform verifier, as reqwest builds it: what real endpoints are checked with.
    let pool = SocketPool::new(
        "https",
        "ims.cn-north-4.myhuaweicloud.com",
        443,
        Duration::from_secs(1),
        Duration::from_secs(1),
    );
    assert!(pool.is_ok_and(|pool| pool.tls.is_some()));
}
