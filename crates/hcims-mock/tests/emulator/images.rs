//! `GET /v2/cloudimages`: the images jobs make, so a client can check whether a create happened.

use std::collections::BTreeMap;

use hcims_mock::MockConfig;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{create, get_job, poll_to_end, send, start, start_default, Auth};

const SERVER: &str = r#"{"name": "web", "description": "from a server", "tags": ["env.prod"],
    "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#;
const OBS: &str = r#"{"name": "imported", "image_url": "ims-image:centos70.qcow2", "min_disk": 60,
    "os_version": "CentOS 7.0 64bit",
    "data_images": [{"name": "imported-disk", "image_url": "ims-image:d.qcow2", "min_disk": 100}]}"#;

async fn list(ims: &hcims_mock::MockIms, query: &str, auth: Auth) -> Vec<Value> {
    let answer = send(
        ims,
        Method::GET,
        &format!("/v2/cloudimages{query}"),
        "",
        auth,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json()["images"]
        .as_array()
        .expect("an images array")
        .clone()
}

#[tokio::test]
async fn an_image_is_listed_by_name_while_made_and_active_once_its_job_succeeded() {
    let ims = start_default();
    assert!(list(&ims, "?name=web", Auth::Signed).await.is_empty());
    let job_id = create(&ims, SERVER).await;
    let queued = list(&ims, "?name=web", Auth::Signed).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["status"], "queued");
    get_job(&ims, &job_id).await;
    assert_eq!(
        list(&ims, "?name=web", Auth::Signed).await[0]["status"],
        "saving"
    );
    let (_, job) = poll_to_end(&ims, &job_id).await;
    let [image] = &list(&ims, "?name=web", Auth::Signed).await[..] else {
        panic!("one image named web");
    };
    assert_eq!(image["status"], "active");
    assert_eq!(image["id"], job["entities"]["image_id"]);
    assert_eq!(image["name"], "web");
    assert_eq!(image["__imagetype"], "private");
    assert_eq!(image["visibility"], "private");
    assert_eq!(image["owner"], MockConfig::EXAMPLE_PROJECT_ID);
    assert_eq!(image["__description"], "from a server");
    assert_eq!(image["tags"], serde_json::json!(["env.prod"]));
    assert_eq!(image["min_disk"], 40);
    assert_eq!(
        image["__data_origin"],
        "instance,877a2cda-ba63-4e1e-b95f-e67e48b6129a"
    );
    let created = image["created_at"].as_str().unwrap();
    assert!(created.len() == 20 && created.ends_with('Z'), "{created}");
}

#[tokio::test]
async fn an_import_lists_its_system_and_data_images_newest_first() {
    let ims = start_default();
    let (_, job) = poll_to_end(&ims, &create(&ims, OBS).await).await;
    create(&ims, SERVER).await;
    let images = list(&ims, "", Auth::Signed).await;
    let names: Vec<&str> = images.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["web", "imported", "imported-disk"]);
    let system = &images[1];
    assert_eq!(system["min_disk"], 60);
    assert_eq!(system["__os_version"], "CentOS 7.0 64bit");
    assert_eq!(system["__platform"], "CentOS");
    assert_eq!(system["virtual_env_type"], "FusionCompute");
    let disk = &images[2];
    assert_eq!(disk["virtual_env_type"], "DataImage");
    assert_eq!(disk["min_disk"], 100);
    assert_eq!(
        disk["id"],
        job["entities"]["sub_jobs_result"][0]["entities"]["image_id"]
    );
    let only_data = list(
        &ims,
        "?virtual_env_type=DataImage&unknown_parameter=1",
        Auth::Signed,
    )
    .await;
    assert_eq!(only_data.len(), 1);
    let first_page = list(&ims, "?limit=1", Auth::Signed).await;
    assert_eq!(first_page.len(), 1);
    let marker = first_page[0]["id"].as_str().unwrap();
    let next_page = list(&ims, &format!("?limit=1&marker={marker}"), Auth::Signed).await;
    assert_eq!(next_page[0]["name"], "imported");
}

#[tokio::test]
async fn a_failed_jobs_image_is_not_listed() {
    let ims = start(MockConfig {
        fail_pattern: Some("doomed".into()),
        job_polls: 0,
        ..MockConfig::default()
    });
    let body = SERVER.replace("\"web\"", "\"doomed\"");
    let (statuses, _) = poll_to_end(&ims, &create(&ims, &body).await).await;
    assert_eq!(statuses, ["FAIL"]);
    assert!(list(&ims, "?name=doomed", Auth::Signed).await.is_empty());
}

#[tokio::test]
async fn each_project_lists_only_its_own_images() {
    let ims = start(MockConfig {
        tokens: BTreeMap::from([(
            "other-project-token".into(),
            "ffffffffffffffffffffffffffffffff".into(),
        )]),
        ..MockConfig::default()
    });
    create(&ims, SERVER).await;
    let other = list(&ims, "", Auth::Token("other-project-token".into())).await;
    assert!(other.is_empty());
    assert_eq!(list(&ims, "", Auth::Signed).await.len(), 1);
    assert_eq!(ims.images(None).len(), 1);
}

#[tokio::test]
async fn listing_needs_credentials_and_a_sane_limit() {
    let ims = start_default();
    let anonymous = send(
        &ims,
        Method::GET,
        "/v2/cloudimages?name=web",
        "",
        Auth::Anonymous,
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.gateway_code(), "APIGW.0301");
    let bad = send(
        &ims,
        Method::GET,
        "/v2/cloudimages?limit=abc",
        "",
        Auth::Signed,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.ims_code(), "IMG.0001");
}

/// The fields of an image in IMS's `GET /v2/cloudimages` answer (查询镜像列表, table 2) that the
/// emulator shows for an active private system image made from a file, by name.
const IMAGE_FIELDS: [&str; 37] = [
    "__backup_id",
    "__data_origin",
    "__description",
    "__image_source_type",
    "__imagetype",
    "__isregistered",
    "__lazyloading",
    "__originalimagename",
    "__os_bit",
    "__os_type",
    "__os_version",
    "__platform",
    "__root_origin",
    "__support_amd",
    "__support_arm",
    "active_at",
    "checksum",
    "container_format",
    "created_at",
    "disk_format",
    "enterprise_project_id",
    "hw_firmware_type",
    "id",
    "min_disk",
    "min_ram",
    "name",
    "owner",
    "protected",
    "schema",
    "self",
    "size",
    "status",
    "tags",
    "updated_at",
    "virtual_env_type",
    "virtual_size",
    "visibility",
];

#[tokio::test]
async fn the_id_query_answers_that_one_image_of_the_callers_project_or_none() {
    let ims = start(MockConfig {
        job_polls: 0,
        tokens: BTreeMap::from([(
            "other-project-token".into(),
            "ffffffffffffffffffffffffffffffff".into(),
        )]),
        ..MockConfig::default()
    });
    let (_, job) = poll_to_end(&ims, &create(&ims, OBS).await).await;
    create(&ims, SERVER).await;
    let id = job["entities"]["image_id"].as_str().expect("an image id");
    let [image] = &list(&ims, &format!("?id={id}"), Auth::Signed).await[..] else {
        panic!("one image has the id {id}");
    };
    for field in IMAGE_FIELDS {
        assert!(image.get(field).is_some(), "{field} missing from {image}");
    }
    assert_eq!(image["id"], id);
    assert_eq!(image["name"], "imported");
    assert_eq!(image["status"], "active");
    assert_eq!(image["visibility"], "private");
    assert_eq!(image["__imagetype"], "private");
    assert_eq!(image["size"], 0);
    assert_eq!(image["min_disk"], 60);
    assert_eq!(image["__os_version"], "CentOS 7.0 64bit");
    assert_eq!(image["__os_bit"], "64");
    assert_eq!(image["tags"], serde_json::json!([]));
    assert_eq!(image["__root_origin"], "file");
    assert_eq!(image["file"], format!("/v2/images/{id}/file"));
    let unknown = "0e7a1f4b-5e65-4c2b-a2f5-1b9b2a0f6c11";
    assert!(list(&ims, &format!("?id={unknown}"), Auth::Signed)
        .await
        .is_empty());
    let other_project = Auth::Token("other-project-token".into());
    assert!(list(&ims, &format!("?id={id}"), other_project)
        .await
        .is_empty());
}
