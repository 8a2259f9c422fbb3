use std::time::Duration;

use hcims_mock::MockConfig;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{
    create, get_job, is_lower_hex_32, poll_to_end, send, start, start_default, Auth,
};

const SERVER: &str = r#"{"name": "ims_test", "description": "from a server",
    "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a", "tags": ["aaa.111", "bbb.333"]}"#;
const DATA_IMAGES: &str = r#"{"data_images": [
    {"name": "data_one", "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"},
    {"name": "data_two", "volume_id": "0e7a1f4b-5e65-4c2b-a2f5-1b9b2a0f6c11"}]}"#;
const OBS: &str = r#"{"name": "ims_test_file", "image_url": "ims-image:centos70.qcow2",
    "os_version": "CentOS 7.0 64bit", "min_disk": 40, "is_config_init": true}"#;
const OBS_WITH_DATA: &str = r#"{"name": "sys", "image_url": "ims-image:centos70.qcow2",
    "os_version": "CentOS 7.0 64bit", "min_disk": 40,
    "data_images": [{"name": "disk_a", "image_url": "ims-image:a.qcow2", "min_disk": 10}]}"#;
const VOLUME: &str = r#"{"name": "ims_test", "volume_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
    "type": "ECS", "os_version": "CentOS 7.0 64bit"}"#;

fn is_uuid(value: &Value) -> bool {
    value.as_str().is_some_and(|text| {
        text.len() == 36 && text.split('-').map(str::len).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
    })
}

fn is_iso_millis(value: &Value) -> bool {
    // 2024-11-06T06:19:43.195Z
    value.as_str().is_some_and(|t| {
        t.len() == 24 && &t[10..11] == "T" && &t[19..20] == "." && t.ends_with('Z')
    })
}

fn assert_succeeded(job: &Value, job_type: &str) {
    assert_eq!(job["status"], "SUCCESS", "{job}");
    assert_eq!(job["job_type"], job_type);
    assert!(is_lower_hex_32(job["job_id"].as_str().unwrap()));
    assert!(
        is_iso_millis(&job["begin_time"]) && is_iso_millis(&job["end_time"]),
        "{job}"
    );
    assert_eq!(job["error_code"], Value::Null);
    assert_eq!(job["fail_reason"], Value::Null);
}

#[tokio::test]
async fn a_server_image_job_runs_then_names_its_image() {
    let ims = start_default();
    let job_id = create(&ims, SERVER).await;
    assert!(is_lower_hex_32(&job_id), "{job_id}");
    assert_eq!(ims.jobs(None)[0]["status"], "INIT");
    let (statuses, job) = poll_to_end(&ims, &job_id).await;
    assert_eq!(statuses, ["RUNNING", "RUNNING", "SUCCESS"]);
    assert_succeeded(&job, "imsCreateImageByInstance");
    assert_eq!(job["job_id"], job_id.as_str());
    assert_eq!(job["entities"]["image_name"], "ims_test");
    assert!(is_uuid(&job["entities"]["image_id"]), "{job}");
}

#[tokio::test]
async fn running_answers_carry_progress_and_no_end_time() {
    let ims = start_default();
    let job_id = create(&ims, SERVER).await;
    let running = get_job(&ims, &job_id).await;
    assert_eq!(running["status"], "RUNNING");
    assert_eq!(running["end_time"], "");
    let fraction = running["entities"]["process_percent"].as_f64().unwrap();
    assert!(fraction > 0.0 && fraction < 1.0, "{fraction}");
    assert_eq!(
        running["entities"]["current_task"],
        "CreateImageByInstanceTask"
    );
}

#[tokio::test]
async fn data_images_from_a_server_are_named_only_in_their_sub_jobs() {
    let ims = start_default();
    let job_id = create(&ims, DATA_IMAGES).await;
    let (_, job) = poll_to_end(&ims, &job_id).await;
    assert_succeeded(&job, "imsVolumesToSysDataImagesJob");
    assert!(job["entities"].get("image_id").is_none(), "{job}");
    let subs = job["entities"]["sub_jobs_result"].as_array().unwrap();
    let names: Vec<&str> = subs
        .iter()
        .map(|sub| sub["entities"]["image_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["data_one", "data_two"]);
    for sub in subs {
        assert_succeeded(sub, "imsCopyVolumeToImageJob");
        assert!(is_uuid(&sub["entities"]["image_id"]), "{sub}");
    }
    assert_ne!(
        subs[0]["entities"]["image_id"],
        subs[1]["entities"]["image_id"]
    );
}

#[tokio::test]
async fn an_obs_import_names_its_image_and_each_data_disk() {
    let ims = start_default();
    let (_, plain) = poll_to_end(&ims, &create(&ims, OBS).await).await;
    assert_succeeded(&plain, "imsImportImageJob");
    assert!(is_uuid(&plain["entities"]["image_id"]));
    assert!(plain["entities"].get("sub_jobs_result").is_none());

    let (_, with_data) = poll_to_end(&ims, &create(&ims, OBS_WITH_DATA).await).await;
    assert_succeeded(&with_data, "imsImportImageJob");
    assert!(is_uuid(&with_data["entities"]["image_id"]));
    let sub = &with_data["entities"]["sub_jobs_result"][0];
    assert_succeeded(sub, "imsImportDataImageJob");
    assert_eq!(sub["entities"]["image_name"], "disk_a");
    assert!(is_uuid(&sub["entities"]["image_id"]));
}

#[tokio::test]
async fn a_volume_image_job_names_its_image() {
    let ims = start_default();
    let (_, job) = poll_to_end(&ims, &create(&ims, VOLUME).await).await;
    assert_succeeded(&job, "imsVolumeCreateImageJob");
    assert!(is_uuid(&job["entities"]["image_id"]));
}

#[tokio::test]
async fn the_progress_api_serves_the_same_job_and_moves_it_too() {
    let ims = start(MockConfig {
        job_polls: 1,
        ..MockConfig::default()
    });
    let job_id = create(&ims, SERVER).await;
    let path = format!("/v1/cloudimages/job/{job_id}");
    let first = send(&ims, Method::GET, &path, "", Auth::Signed)
        .await
        .json();
    assert_eq!(first["status"], "RUNNING");
    let second = send(&ims, Method::GET, &path, "", Auth::Signed)
        .await
        .json();
    assert_eq!(second["status"], "SUCCESS");
    assert_eq!(second["job_id"], job_id.as_str());
    assert_eq!(get_job(&ims, &job_id).await, second);
}

#[tokio::test]
async fn a_name_containing_the_fail_pattern_ends_in_fail() {
    let ims = start(MockConfig {
        fail_pattern: Some("doomed".into()),
        job_polls: 0,
        ..MockConfig::default()
    });
    let body = SERVER.replace("ims_test", "ims_doomed_test");
    let (statuses, job) = poll_to_end(&ims, &create(&ims, &body).await).await;
    assert_eq!(statuses, ["FAIL"]);
    assert_eq!(job["error_code"], "IMG.1075");
    assert!(job["fail_reason"]
        .as_str()
        .unwrap()
        .contains("ims_doomed_test"));
    assert!(job["entities"].get("image_id").is_none());
    let (_, fine) = poll_to_end(&ims, &create(&ims, SERVER).await).await;
    assert_eq!(fine["status"], "SUCCESS");
}

#[tokio::test]
async fn a_failing_data_image_fails_its_sub_job_and_the_job() {
    let ims = start(MockConfig {
        fail_pattern: Some("_two".into()),
        ..MockConfig::default()
    });
    let (_, job) = poll_to_end(&ims, &create(&ims, DATA_IMAGES).await).await;
    assert_eq!(job["status"], "FAIL");
    let subs = &job["entities"]["sub_jobs_result"];
    assert_eq!(subs[0]["status"], "SUCCESS");
    assert_eq!(subs[1]["status"], "FAIL");
    assert_eq!(subs[1]["error_code"], "IMG.1075");
}

#[tokio::test]
async fn time_paced_jobs_ignore_query_counts() {
    let ims = start(MockConfig {
        job_seconds: Some(1.0),
        ..MockConfig::default()
    });
    // The job begins between these two instants.
    let asked = std::time::Instant::now();
    let job_id = create(&ims, SERVER).await;
    let created = std::time::Instant::now();
    for _ in 0..5 {
        let status = get_job(&ims, &job_id).await["status"].clone();
        // On a loaded machine the second may pass during the loop; only earlier answers must be RUNNING.
        if asked.elapsed() < Duration::from_millis(900) {
            assert_eq!(status, "RUNNING");
        }
    }
    tokio::time::sleep(Duration::from_millis(1050).saturating_sub(created.elapsed())).await;
    assert_eq!(get_job(&ims, &job_id).await["status"], "SUCCESS");
}

#[tokio::test]
async fn an_unknown_job_is_a_404_with_an_ims_body() {
    let ims = start_default();
    for path in [
        format!(
            "/v1/{}/jobs/0123456789abcdef0123456789abcdef",
            ims.config().project_id
        ),
        "/v1/cloudimages/job/0123456789abcdef0123456789abcdef".to_owned(),
    ] {
        let answer = send(&ims, Method::GET, &path, "", Auth::Signed).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(answer.ims_code().starts_with("IMG."), "{}", answer.text);
    }
}

#[tokio::test]
async fn the_job_list_shows_documents_as_served_without_moving_jobs() {
    let ims = start_default();
    let first = create(&ims, SERVER).await;
    let second = create(&ims, VOLUME).await;
    get_job(&ims, &first).await;
    let jobs = ims.jobs(None);
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0]["job_id"], first.as_str());
    assert_eq!(jobs[0]["status"], "RUNNING");
    assert_eq!(jobs[1]["job_id"], second.as_str());
    assert_eq!(jobs[1]["status"], "INIT");
    assert_eq!(ims.jobs(None), jobs);
}

#[tokio::test]
async fn a_job_failed_on_request_ends_in_fail_with_every_sub_job() {
    let ims = start_default();
    let job_id = create(&ims, DATA_IMAGES).await;
    assert_eq!(get_job(&ims, &job_id).await["status"], "RUNNING");
    ims.fail_job(&job_id).unwrap();
    let (statuses, job) = poll_to_end(&ims, &job_id).await;
    assert_eq!(statuses.last().map(String::as_str), Some("FAIL"));
    assert_eq!(job["error_code"], "IMG.1075");
    assert!(job["fail_reason"].as_str().unwrap().contains("on request"));
    for sub in job["entities"]["sub_jobs_result"].as_array().unwrap() {
        assert_eq!(sub["status"], "FAIL");
        assert!(sub["entities"].get("image_id").is_none());
    }
    assert_eq!(
        ims.fail_job(&job_id),
        Err(hcims_mock::JobControlError::Finished(job_id.clone()))
    );
    assert!(matches!(
        ims.fail_job("0123456789abcdef0123456789abcdef"),
        Err(hcims_mock::JobControlError::UnknownJob(_))
    ));
}

#[tokio::test]
async fn random_failures_are_repeatable_with_a_seed() {
    async fn outcomes(seed: u64) -> Vec<String> {
        let ims = start(MockConfig {
            fail_rate: 0.5,
            seed: Some(seed),
            job_polls: 0,
            ..MockConfig::default()
        });
        let mut outcomes = Vec::new();
        for _ in 0..16 {
            let job = get_job(&ims, &create(&ims, SERVER).await).await;
            outcomes.push(job["status"].as_str().unwrap().to_owned());
        }
        outcomes
    }
    let first = outcomes(42).await;
    assert_eq!(first, outcomes(42).await);
    assert!(
        first.contains(&"FAIL".to_owned()) && first.contains(&"SUCCESS".to_owned()),
        "{first:?}"
    );
}

#[tokio::test]
async fn time_paced_jobs_report_growing_progress() {
    // Long enough that a loaded machine still sees the job running at the second query.
    let ims = start(MockConfig {
        job_seconds: Some(5.0),
        ..MockConfig::default()
    });
    let job_id = create(&ims, VOLUME).await;
    let early = get_job(&ims, &job_id).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let later = get_job(&ims, &job_id).await;
    let progress = |job: &Value| job["entities"]["process_percent"].as_f64().unwrap();
    assert!(progress(&later) > progress(&early), "{early} {later}");
    assert_eq!(later["entities"]["current_task"], "VolumeCreateImageTask");
}

#[tokio::test]
async fn init_polls_answer_init_without_progress_before_running() {
    let ims = start(MockConfig {
        init_polls: 1,
        job_polls: 1,
        ..MockConfig::default()
    });
    let job_id = create(&ims, SERVER).await;
    let init = get_job(&ims, &job_id).await;
    assert_eq!(init["status"], "INIT");
    assert!(init["entities"].get("process_percent").is_none());
    assert!(init["entities"].get("image_id").is_none());
    assert_eq!(init["end_time"], "");
    let (statuses, _) = poll_to_end(&ims, &job_id).await;
    assert_eq!(statuses, ["RUNNING", "SUCCESS"]);
}
