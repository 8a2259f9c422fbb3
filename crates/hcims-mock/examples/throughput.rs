//! Measures how many keep-alive requests per second the emulator answers.
//!
//! `cargo run --release -p hcims-mock --example throughput -- [seconds] [connections]`
//! The client runs on the same machine, so the figure is a lower bound for the emulator.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hcims_mock::{MockConfig, MockIms};

const TOKEN: &str = "throughput-token";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3.0);
    let connections: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(32);
    let ims = MockIms::start(MockConfig {
        auth_token: Some(TOKEN.into()),
        ..MockConfig::default()
    })?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let (creates, queries) =
        runtime.block_on(load(&ims, Duration::from_secs_f64(seconds), connections))?;
    let elapsed = seconds;
    println!(
        "{connections} connections, {elapsed} s: {:.0} creates/s, {:.0} job queries/s, {:.0} requests/s in all",
        creates as f64 / elapsed,
        queries as f64 / elapsed,
        (creates + queries) as f64 / elapsed
    );
    Ok(())
}

async fn load(
    ims: &MockIms,
    duration: Duration,
    connections: usize,
) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()?;
    let creates = Arc::new(AtomicU64::new(0));
    let queries = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let create_url = format!("{}/v2/cloudimages/action", ims.endpoint());
    let body = r#"{"name": "bench", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#;
    let first = client
        .post(&create_url)
        .header("x-auth-token", TOKEN)
        .body(body)
        .send()
        .await?;
    let job_id = serde_json::from_str::<serde_json::Value>(&first.text().await?)?["job_id"]
        .as_str()
        .ok_or("no job id")?
        .to_owned();
    let query_url = format!("{}/v1/cloudimages/job/{job_id}", ims.endpoint());
    let mut tasks = Vec::new();
    for index in 0..connections {
        let (client, creates, queries) = (client.clone(), creates.clone(), queries.clone());
        let (create_url, query_url) = (create_url.clone(), query_url.clone());
        tasks.push(tokio::spawn(async move {
            // One connection in four creates; the others poll, as a batch of clients would.
            let creating = index % 4 == 0;
            while Instant::now() < deadline {
                let request = if creating {
                    client.post(&create_url).body(body)
                } else {
                    client.get(&query_url)
                };
                let ok = match request.header("x-auth-token", TOKEN).send().await {
                    Ok(response) => {
                        response.status().is_success() && response.bytes().await.is_ok()
                    }
                    Err(_) => false,
                };
                if ok {
                    let counter = if creating { &creates } else { &queries };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    Ok((
        creates.load(Ordering::Relaxed),
        queries.load(Ordering::Relaxed),
    ))
}
