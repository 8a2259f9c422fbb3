//! The page's (使用外部镜像文件制作数据镜像.md) two request examples, and one test breaking each rule.

use serde_json::{json, Value};

use super::*;

const EXAMPLES: [&str; 2] = [
    r#"{"name": "fedora-data1", "image_url": "image-test:fedora_data1.qcow2", "description": "fedora的数据盘1",
        "min_disk": 40, "tags": ["aaa.111", "bbb.222"], "os_type": "Linux"}"#,
    r#"{"name": "fedora-data2", "image_url": "image-test:fedora_data1.qcow2", "description": "fedora的数据盘2",
        "min_disk": 40, "image_tags": [{"key":"aaa","value":"111"},{"key":"bbb","value":"222"}], "os_type": "Linux"}"#,
];

fn read(body: &Value) -> Result<ImageSpec, ValidationErrors> {
    ImageSpec::from_json(Some(Mode::ObsDataImage), body, UnknownKeys::Reject)
}

/// The (path, code) of each error of a valid body with `key` set to `value` (null removes it).
fn broken(key: &str, value: Value) -> Vec<(String, &'static str)> {
    let mut body = json!({"name": "d", "image_url": "b:o.qcow2", "min_disk": 40});
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
fn the_two_examples_are_sent_as_they_are() {
    for example in EXAMPLES {
        let body: Value = serde_json::from_str(example).unwrap_or_default();
        let spec = read(&body).unwrap_or_else(|e| panic!("{e}\n{example}"));
        assert_eq!(spec.path(), OBS_DATA_IMAGE_PATH);
        let sent: Value = serde_json::from_slice(&spec.to_body()).unwrap_or_default();
        assert_eq!(sent, body);
    }
}

#[test]
fn every_rule_of_the_page_is_checked() {
    assert_eq!(
        broken("name", Value::Null),
        one("name", codes::NAME_MISSING)
    );
    assert_eq!(
        broken("name", json!("a".repeat(129))),
        one("name", codes::NAME_TOO_LONG)
    );
    // "不支持回车、<、>，长度不能超过1024个字符"
    assert_eq!(
        broken("description", json!("a\nb")),
        one("description", codes::DESCRIPTION_FORMAT)
    );
    assert_eq!(
        broken("description", json!("d".repeat(1025))),
        one("description", codes::DESCRIPTION_TOO_LONG)
    );
    // "只能是Windows、Linux二者之一"
    assert_eq!(broken("os_type", json!("Windows")), []);
    assert_eq!(
        broken("os_type", json!("Other")),
        one("os_type", codes::OS_TYPE)
    );
    assert_eq!(
        broken("os_type", json!("linux")),
        one("os_type", codes::OS_TYPE)
    );
    // "格式为<OBS桶名>:<OBS镜像文件名称>"
    assert_eq!(
        broken("image_url", json!("nocolon")),
        one("image_url", codes::MALFORMED)
    );
    assert_eq!(
        broken("image_url", Value::Null),
        one("image_url", codes::MALFORMED)
    );
    // "取值范围40-2048GB"
    assert_eq!(broken("min_disk", json!(39)), one("min_disk", codes::SIZE));
    assert_eq!(
        broken("min_disk", json!(2049)),
        one("min_disk", codes::SIZE)
    );
    assert_eq!(broken("min_disk", json!(2048)), []);
    assert_eq!(
        broken("min_disk", Value::Null),
        one("min_disk", codes::SIZE)
    );
    // "tags和image_tags只能使用一个"
    let mut both = json!({"name": "d", "image_url": "b:o", "min_disk": 40, "tags": ["a.1"]});
    both["image_tags"] = json!([{"key": "b", "value": "2"}]);
    assert_eq!(read(&both).err().map(|e| e.0[0].ims_code), Some(codes::TAG));
    let eleven: Vec<String> = (0..11).map(|i| format!("k{i}.v")).collect();
    assert_eq!(
        broken("tags", json!(eleven)).first().map(|e| e.1),
        Some(codes::TAG_QUOTA)
    );
    assert_eq!(
        broken("enterprise_project_id", json!("x")),
        one("enterprise_project_id", codes::MALFORMED)
    );
    assert_eq!(broken("cmk_id", json!("key-1")), []);
}

#[test]
fn an_unknown_key_gets_a_suggestion() {
    let errors =
        read(&json!({"name": "d", "image_url": "b:o", "min_disk": 40, "os-type": "Linux"}))
            .err()
            .map_or_else(Vec::new, |e| e.0);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].message.ends_with("did you mean 'os_type'?"),
        "{}",
        errors[0].message
    );
}
