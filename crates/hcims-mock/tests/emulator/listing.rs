//! What `ensure_image` relies on (issue 14): the `tag=key=value` filter, images listed `listing_delay`
//! after their create was accepted, the 10-tag limit, and faults that answer after IMS acted or take
//! only a share of the requests.

use std::time::Duration;

use hcims_mock::{Fault, FaultAction, MockConfig};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{create, send, start, start_default, Auth};

const KEYED: &str = r#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
    "image_tags": [{"key": "hcims-key", "value": "k1"}]}"#;
const TAG_QUERY: &str = "/v2/cloudimages?__imagetype=private&tag=hcims-key%3Dk1";

async fn listed(ims: &hcims_mock::MockIms, path: &str) -> Vec<Value> {
    let answer = send(ims, Method::GET, path, "", Auth::Signed).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json()["images"].as_array().expect("images").clone()
}

#[tokio::test]
async fn the_tag_filter_finds_the_images_carrying_the_tag() {
    let ims = start_default();
    create(&ims, KEYED).await;
    create(
        &ims,
        r#"{"name": "other", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
    )
    .await;
    let found = listed(&ims, TAG_QUERY).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["name"], "web");
    assert!(listed(&ims, "/v2/cloudimages?tag=hcims-key%3Dk2")
        .await
        .is_empty());
}

#[tokio::test]
async fn images_are_listed_only_listing_delay_after_their_create() {
    let ims = start(MockConfig {
        listing_delay: Duration::from_millis(400),
        ..MockConfig::default()
    });
    create(&ims, KEYED).await;
    assert!(listed(&ims, TAG_QUERY).await.is_empty());
    // What the test inspects is not delayed.
    assert_eq!(ims.images(None).len(), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(listed(&ims, TAG_QUERY).await.len(), 1);
}

#[tokio::test]
async fn an_eleventh_tag_is_img_0116() {
    let ims = start_default();
    let tags: Vec<String> = (0..11).map(|i| format!("\"t{i}.v\"")).collect();
    let body = format!(
        r#"{{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a", "tags": [{}]}}"#,
        tags.join(",")
    );
    let answer = send(
        &ims,
        Method::POST,
        "/v2/cloudimages/action",
        &body,
        Auth::Signed,
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.ims_code(), "IMG.0116");
}

#[tokio::test]
async fn a_fault_after_acting_loses_the_answer_of_a_create_that_happened() {
    let ims = start_default();
    ims.add_fault(Fault {
        path: "/v2/cloudimages/action".into(),
        status: 500,
        after_acting: true,
        ..Fault::default()
    })
    .unwrap();
    let answer = send(
        &ims,
        Method::POST,
        "/v2/cloudimages/action",
        KEYED,
        Auth::Signed,
    )
    .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        ims.jobs(None).len(),
        1,
        "IMS acted before the fault answered"
    );
    let refused = ims.add_fault(Fault {
        path: "/x".into(),
        action: FaultAction::DropBeforeBody,
        after_acting: true,
        ..Fault::default()
    });
    assert!(refused.is_err());
}

#[tokio::test]
async fn a_fault_with_a_chance_takes_about_that_share_repeatably() {
    let taken = |seed: u64| async move {
        let ims = start_default();
        ims.add_fault(Fault {
            path: "/v2/cloudimages".into(),
            status: 503,
            times: 0,
            chance: 0.4,
            seed: Some(seed),
            ..Fault::default()
        })
        .unwrap();
        let mut statuses = Vec::new();
        for _ in 0..200 {
            statuses.push(
                send(&ims, Method::GET, "/v2/cloudimages", "", Auth::Signed)
                    .await
                    .status,
            );
        }
        statuses
    };
    let first = taken(7).await;
    let faulted = first
        .iter()
        .filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert!((50..=110).contains(&faulted), "{faulted} of 200");
    assert_eq!(first, taken(7).await);
    let ims = start_default();
    let refused = ims.add_fault(Fault {
        path: "/x".into(),
        chance: 1.5,
        ..Fault::default()
    });
    assert!(refused.is_err());
}
