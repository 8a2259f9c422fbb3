//! The quick-import page's (镜像文件快速导入.md) four request examples, and one test breaking each rule
//! of its two shapes: a system image (`type` ECS/BMS, `os_version`) and a data image (`DataImage`).

use serde_json::{json, Value};

use super::*;

/// The page's request examples, as printed there: two system images, two data images.
const EXAMPLES: [&str; 4] = [
    r#"{"name": "ims_test_file", "description": "OBS文件制作镜像", "image_url": "ims-image:centos70.zvhd2",
        "os_version": "CentOS 7.0 64bit", "min_disk": 40, "type": "ECS", "tags": ["aaa.111", "bbb.333", "ccc.444"]}"#,
    r#"{"name": "ims_test_file", "description": "OBS文件制作镜像", "image_url": "ims-image:centos70.zvhd2",
        "os_version": "CentOS 7.0 64bit", "min_disk": 40, "type": "ECS",
        "image_tags": [{"key":"key2","value":"value2"},{"key":"key1","value":"value1"}]}"#,
    r#"{"name": "ims_test_file", "description": "OBS文件制作镜像", "image_url": "ims-image:centos70.qcow2",
        "os_type": "Linux", "min_disk": 40, "type": "DataImage", "tags": ["aaa.111", "bbb.333", "ccc.444"]}"#,
    r#"{"name": "ims_test_file", "description": "OBS文件制作镜像", "image_url": "ims-image:centos70.qcow2",
        "os_type": "Linux", "min_disk": 40, "type": "DataImage",
        "image_tags": [{"key":"key2","value":"value2"},{"key":"key1","value":"value1"}]}"#,
];

fn read(body: &Value) -> Result<ImageSpec, ValidationErrors> {
    ImageSpec::from_json(Some(Mode::QuickImport), body, UnknownKeys::Reject)
}

fn system() -> Value {
    json!({"name": "q", "image_url": "b:o.zvhd2", "min_disk": 40, "os_version": "CentOS 7.0 64bit"})
}

fn data() -> Value {
    json!({"name": "q", "image_url": "b:o.raw", "min_disk": 40, "type": "DataImage"})
}

/// The (path, code) of each error of `body` with `key` set to `value` (null removes it).
fn broken(mut body: Value, key: &str, value: Value) -> Vec<(String, &'static str)> {
    if value.is_null() {
        body.as_object_mut().map(|o| o.remove(key));
    } else {
        body[key] = value;
    }
    read(&body).err().map_or_else(Vec::new, |errors| {
        errors.0.into_iter().map(|e| (e.path, e.ims_code)).collect()
    })
}

fn one(path: &str, code: &'static str) -> Vec<(String, &'static str)> {
    vec![(path.to_owned(), code)]
}

#[test]
fn the_four_examples_are_sent_as_they_are() {
    for example in EXAMPLES {
        let body: Value = serde_json::from_str(example).unwrap_or_default();
        let spec = read(&body).unwrap_or_else(|e| panic!("{e}\n{example}"));
        assert_eq!(spec.path(), QUICK_IMPORT_PATH);
        let sent: Value = serde_json::from_slice(&spec.to_body()).unwrap_or_default();
        assert_eq!(sent, body);
    }
}

#[test]
fn the_shared_rules_hold_in_both_shapes() {
    for body in [system(), data()] {
        assert_eq!(
            broken(body.clone(), "name", Value::Null),
            one("name", codes::NAME_MISSING)
        );
        assert_eq!(
            broken(body.clone(), "name", json!(" q")),
            one("name", codes::NAME_FORMAT)
        );
        assert_eq!(
            broken(body.clone(), "description", json!("a>b")),
            one("description", codes::DESCRIPTION_FORMAT)
        );
        assert_eq!(
            broken(body.clone(), "description", json!("d".repeat(1025))),
            one("description", codes::DESCRIPTION_TOO_LONG)
        );
        // "格式为<OBS桶名>:<OBS镜像文件名称>"
        assert_eq!(
            broken(body.clone(), "image_url", json!("nocolon")),
            one("image_url", codes::MALFORMED)
        );
        assert_eq!(
            broken(body.clone(), "image_url", Value::Null),
            one("image_url", codes::MALFORMED)
        );
        assert_eq!(
            broken(body.clone(), "image_url", json!("b:my file.raw")),
            one("image_url", codes::FILE_NAME_SPACE)
        );
        // "取值为1～1024GB"
        assert_eq!(
            broken(body.clone(), "min_disk", json!(0)),
            one("min_disk", codes::SIZE)
        );
        assert_eq!(
            broken(body.clone(), "min_disk", json!(1025)),
            one("min_disk", codes::SIZE)
        );
        assert_eq!(broken(body.clone(), "min_disk", json!(1)), []);
        assert_eq!(broken(body.clone(), "min_disk", json!(1024)), []);
        assert_eq!(
            broken(body.clone(), "min_disk", Value::Null),
            one("min_disk", codes::SIZE)
        );
        // "tags和image_tags只能使用一个"
        let mut both = body.clone();
        both["tags"] = json!(["a.1"]);
        assert_eq!(
            broken(both, "image_tags", json!([{"key": "b", "value": "2"}])).len(),
            1
        );
        assert_eq!(
            broken(body.clone(), "enterprise_project_id", json!("x")),
            one("enterprise_project_id", codes::MALFORMED)
        );
        let errors = broken(body, "type", json!("IsoImage"));
        assert_eq!(
            errors.first(),
            Some(&("type".to_owned(), codes::IMAGE_TYPE))
        );
    }
}

#[test]
fn a_system_image_needs_its_os_version_and_takes_no_os_type() {
    // "os_version | 是" for a system image.
    assert_eq!(
        broken(system(), "os_version", Value::Null),
        one("os_version", codes::OS_VERSION)
    );
    assert_eq!(
        broken(system(), "os_version", json!("")),
        one("os_version", codes::OS_VERSION)
    );
    assert_eq!(broken(system(), "type", json!("BMS")), []);
    assert_eq!(
        broken(system(), "os_type", json!("Linux")),
        one("os_type", codes::MALFORMED)
    );
    // "取值包括：x86 arm"
    assert_eq!(broken(system(), "architecture", json!("arm")), []);
    assert_eq!(
        broken(system(), "architecture", json!("aarch64")),
        one("architecture", codes::ARCHITECTURE)
    );
}

#[test]
fn a_data_image_takes_linux_or_windows_and_no_system_fields() {
    // "取值为Linux或Windows"
    assert_eq!(broken(data(), "os_type", json!("Windows")), []);
    assert_eq!(
        broken(data(), "os_type", json!("Other")),
        one("os_type", codes::OS_TYPE)
    );
    assert_eq!(
        broken(data(), "os_version", json!("CentOS 7.0 64bit")),
        one("os_version", codes::MALFORMED)
    );
    assert_eq!(
        broken(data(), "architecture", json!("x86")),
        one("architecture", codes::MALFORMED)
    );
}

#[test]
fn unknown_keys_get_a_suggestion_with_every_other_violation() {
    let body =
        json!({"name": "q", "image_url": "b:o", "min_disk": 0, "os_versoin": "CentOS 7.0 64bit"});
    let errors = read(&body).err().map_or_else(Vec::new, |e| e.0);
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert!(
        paths.contains(&"os_versoin")
            && paths.contains(&"min_disk")
            && paths.contains(&"os_version"),
        "{paths:?}"
    );
    assert!(errors
        .iter()
        .any(|e| e.message.contains("did you mean 'os_version'?")));
}
