//! A small keep-alive HTTP/1.1 load generator, to measure the emulator from a separate process
//! when `wrk` is not installed (`benchmarks/emulator_throughput.py` runs it).
//!
//! `cargo run --release -p hcims-mock --example load_generator -- URL [options]`
//!
//! Options: `--method GET|POST`, `--body TEXT`, `--header "Name: value"` (repeatable),
//! `--connections N` (default 32), `--seconds S` (default 5). Prints one JSON line:
//! `{"requests": ..., "non_2xx": ..., "errors": ..., "seconds": ..., "requests_per_second": ...}`.

use std::error::Error;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Options {
    host: String,
    port: u16,
    request: Vec<u8>,
    connections: usize,
    seconds: f64,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    non_2xx: AtomicU64,
    errors: AtomicU64,
}

fn main() -> Result<(), Box<dyn Error>> {
    let options = parse_options(std::env::args().skip(1).collect())?;
    // One worker per core: the generator should not be what limits the figure.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let counters = Arc::new(Counters::default());
    let began = Instant::now();
    runtime.block_on(run(&options, counters.clone()));
    let seconds = began.elapsed().as_secs_f64();
    let requests = counters.requests.load(Ordering::Relaxed);
    println!(
        r#"{{"requests": {requests}, "non_2xx": {}, "errors": {}, "seconds": {seconds:.3}, "requests_per_second": {:.0}}}"#,
        counters.non_2xx.load(Ordering::Relaxed),
        counters.errors.load(Ordering::Relaxed),
        requests as f64 / seconds
    );
    Ok(())
}

fn parse_options(args: Vec<String>) -> Result<Options, Box<dyn Error>> {
    let mut url = None;
    let mut method = "GET".to_owned();
    let mut body = String::new();
    let mut headers = Vec::new();
    let mut connections = 32;
    let mut seconds = 5.0;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--method" => method = value()?,
            "--body" => body = value()?,
            "--header" => headers.push(value()?),
            "--connections" => connections = value()?.parse()?,
            "--seconds" => seconds = value()?.parse()?,
            _ if url.is_none() => url = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}").into()),
        }
    }
    let url = url.ok_or("usage: load_generator URL [--method M] [--body B] [--header H] [--connections N] [--seconds S]")?;
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are supported")?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host.to_owned(), port.parse()?),
        None => (authority.to_owned(), 80),
    };
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for header in headers {
        request.push_str(&header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(&body);
    Ok(Options {
        host,
        port,
        request: request.into_bytes(),
        connections,
        seconds,
    })
}

async fn run(options: &Options, counters: Arc<Counters>) {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..options.connections {
        let (counters, stop) = (counters.clone(), stop.clone());
        let address = (options.host.clone(), options.port);
        let request = options.request.clone();
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                // A connection serves requests until it fails; then a new one is opened.
                let Ok(mut stream) = TcpStream::connect(address.clone()).await else {
                    counters.errors.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let mut buffer = Vec::with_capacity(4096);
                while !stop.load(Ordering::Relaxed) {
                    match exchange(&mut stream, &request, &mut buffer).await {
                        Ok(status) => {
                            counters.requests.fetch_add(1, Ordering::Relaxed);
                            if !(200..300).contains(&status) {
                                counters.non_2xx.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Err(_) => {
                            counters.errors.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(options.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = task.await;
    }
}

/// Sends one request and reads its whole answer (head and `Content-Length` body); returns the status.
async fn exchange(
    stream: &mut TcpStream,
    request: &[u8],
    buffer: &mut Vec<u8>,
) -> Result<u16, Box<dyn Error + Send + Sync>> {
    stream.write_all(request).await?;
    buffer.clear();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(head_end) = find(buffer, b"\r\n\r\n") {
            let head = std::str::from_utf8(&buffer[..head_end])?;
            let status: u16 = head.get(9..12).ok_or("no status")?.parse()?;
            let length = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            let total = head_end + 4 + length;
            while buffer.len() < total {
                let read = stream.read(&mut chunk).await?;
                if read == 0 {
                    return Err("closed mid-body".into());
                }
                buffer.extend_from_slice(&chunk[..read]);
            }
            return Ok(status);
        }
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Err("closed before an answer".into());
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
