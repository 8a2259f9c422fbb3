//! Blocking calls on the calling thread's own runtime and connection pool (`hcims::local`).

use hcims::spec::{ImageSpec, UnknownKeys};
use hcims::{Client, ClientOptions, ConfigInput, Secret};
use hcims_mock::{MockConfig, MockIms};
use serde_json::json;

fn client_for(ims: &MockIms) -> Client {
    let mock = ims.config();
    let input = ConfigInput {
        endpoint: Some(ims.endpoint()),
        ak: Some(mock.ak.clone()),
        sk: Some(Secret::new(mock.sk.clone())),
        project_id: Some(mock.project_id.clone()),
        ..ConfigInput::default()
    };
    let config = hcims::config::resolve(input, &|_| None).expect("a complete configuration");
    Client::new(config, ClientOptions::default()).expect("a client")
}

fn spec(name: &str) -> ImageSpec {
    ImageSpec::from_json(
        None,
        &json!({"name": name, "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}),
        UnknownKeys::Reject,
    )
    .expect("a valid spec")
}

fn create_here(client: &Client, name: &str) -> String {
    let (local, client) = hcims::local::here(client).expect("a runtime for this thread");
    local
        .runtime()
        .block_on(client.create(&spec(name)))
        .expect("a job id")
}

#[test]
fn calls_run_on_each_calling_thread_with_a_pool_per_thread_and_client() {
    let ims = MockIms::start(MockConfig::default()).expect("the emulator starts");
    let client = client_for(&ims);
    assert!(!create_here(&client, "first").is_empty());
    assert!(!create_here(&client, "again").is_empty());
    assert_eq!(hcims::local::pools_here(), 1);
    let other = client.clone();
    let from_another_thread = std::thread::spawn(move || {
        let job_id = create_here(&other, "elsewhere");
        (job_id, hcims::local::pools_here())
    })
    .join()
    .expect("the thread ends well");
    assert!(!from_another_thread.0.is_empty());
    assert_eq!(from_another_thread.1, 1);
    // A clone is the same client: it shares this thread's pool.
    assert!(!create_here(&client.clone(), "clone").is_empty());
    assert_eq!(hcims::local::pools_here(), 1);
    assert_eq!(ims.jobs(None).len(), 4);
}

#[test]
fn the_pools_of_dropped_clients_are_let_go() {
    let ims = MockIms::start(MockConfig::default()).expect("the emulator starts");
    let kept = client_for(&ims);
    let dropped = client_for(&ims);
    create_here(&kept, "kept");
    create_here(&dropped, "dropped");
    assert_eq!(hcims::local::pools_here(), 2);
    drop(dropped);
    create_here(&kept, "kept again");
    assert_eq!(hcims::local::pools_here(), 1);
}
