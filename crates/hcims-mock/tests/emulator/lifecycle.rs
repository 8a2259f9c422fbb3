use std::net::TcpStream;

use hcims_mock::{MockConfig, MockIms};

use crate::common::{send, start_default, Auth};

#[tokio::test]
async fn serves_on_loopback_until_stopped_and_stop_twice_is_harmless() {
    let ims = start_default();
    let endpoint = ims.endpoint();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    assert_ne!(ims.address().port(), 0);
    let answer = send(&ims, reqwest::Method::GET, "/", "", Auth::Anonymous).await;
    assert_eq!(answer.status, 404);
    ims.stop();
    ims.stop();
    assert!(
        TcpStream::connect(ims.address()).is_err(),
        "still accepting after stop"
    );
}

#[test]
fn dropping_the_emulator_stops_it() {
    let ims = start_default();
    let address = ims.address();
    assert!(TcpStream::connect(address).is_ok());
    drop(ims);
    assert!(
        TcpStream::connect(address).is_err(),
        "still accepting after drop"
    );
}

#[test]
fn a_busy_port_is_an_error_not_a_panic() {
    let first = start_default();
    let second = MockIms::start(MockConfig {
        port: first.address().port(),
        ..MockConfig::default()
    });
    assert_eq!(
        second.expect_err("the port is taken").kind(),
        std::io::ErrorKind::AddrInUse
    );
}

#[test]
fn a_fixed_port_is_used() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let ims = MockIms::start(MockConfig {
        port,
        ..MockConfig::default()
    })
    .unwrap();
    assert_eq!(ims.endpoint(), format!("http://127.0.0.1:{port}"));
}

#[test]
fn impossible_job_durations_are_refused() {
    for seconds in [-1.0, f64::NAN, f64::INFINITY] {
        let result = MockIms::start(MockConfig {
            job_seconds: Some(seconds),
            ..MockConfig::default()
        });
        assert_eq!(
            result.expect_err("refused").kind(),
            std::io::ErrorKind::InvalidInput,
            "{seconds}"
        );
    }
}

#[test]
fn debug_output_hides_the_secret_key() {
    let ims = start_default();
    let text = format!("{ims:?}");
    assert!(!text.contains(MockConfig::EXAMPLE_SK), "{text}");
    assert!(text.contains(&ims.endpoint()));
}
