//! The whole-image page's (制作整机镜像.md) four request examples, and one test breaking each rule of
//! its two shapes: from an ECS (`instance_id`, `vault_id`) and from a backup (`backup_id`,
//! `whole_image_type`).

use serde_json::{json, Value};

use super::*;

/// The page's request examples, as printed there: two from an ECS, two from a backup.
const FROM_SERVER: [&str; 2] = [
    r#"{
       "name": "instance_whole_image",
       "description": "云服务器制作镜像",
       "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
       "vault_id": "de9fcf45-11b2-432c-8562-5c5428574600",
       "tags": ["aaa.111", "bbb.333", "ccc.444"]
    }"#,
    r#"{
       "name": "instance_whole_image",
       "description": "云服务器制作镜像",
       "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
       "vault_id": "de9fcf45-11b2-432c-8562-5c5428574600",
       "image_tags": [{"key":"key2","value":"value2"},{"key":"key1","value":"value1"}]
    }"#,
];
const FROM_BACKUP: [&str; 2] = [
    r#"{
     "name": "backup_whole_image",
     "description": "云备份制作镜像",
     "backup_id": "9b27efab-4a17-4c06-bfa2-3e0cf021d3c3",
     "whole_image_type": "CBR",
     "tags": ["aaa.111", "bbb.333", "ccc.444"]
    }"#,
    r#"{
     "name": "backup_whole_image",
     "description": "云备份制作镜像",
     "backup_id": "9b27efab-4a17-4c06-bfa2-3e0cf021d3c3",
     "whole_image_type": "CBR",
     "image_tags": [{"key":"key2","value":"value2"},{"key":"key1","value":"value1"}]
    }"#,
];

const UUID: &str = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";

fn read(mode: Mode, body: &Value) -> Result<ImageSpec, ValidationErrors> {
    ImageSpec::from_json(Some(mode), body, UnknownKeys::Reject)
}

fn valid(mode: Mode) -> Value {
    match mode {
        Mode::WholeBackup => json!({"name": "w", "backup_id": UUID}),
        _ => json!({"name": "w", "instance_id": UUID}),
    }
}

/// The (path, code) of each error of a valid body of `mode` with `key` set to `value`.
fn broken(mode: Mode, key: &str, value: Value) -> Vec<(String, &'static str)> {
    let mut body = valid(mode);
    body[key] = value;
    read(mode, &body).err().map_or_else(Vec::new, |errors| {
        errors.0.into_iter().map(|e| (e.path, e.ims_code)).collect()
    })
}

fn one(path: &str, code: &'static str) -> Vec<(String, &'static str)> {
    vec![(path.to_owned(), code)]
}

#[test]
fn the_four_examples_are_sent_as_they_are() {
    for (examples, mode) in [
        (FROM_SERVER, Mode::WholeServer),
        (FROM_BACKUP, Mode::WholeBackup),
    ] {
        for example in examples {
            let body: Value = serde_json::from_str(example).unwrap_or_default();
            let spec = read(mode, &body).unwrap_or_else(|e| panic!("{e}\n{example}"));
            assert_eq!(spec.mode(), mode);
            assert_eq!(spec.path(), WHOLE_IMAGE_PATH);
            let sent: Value = serde_json::from_slice(&spec.to_body()).unwrap_or_default();
            assert_eq!(sent, body);
        }
    }
}

#[test]
fn a_body_never_means_a_whole_image_by_its_keys() {
    // "instance_id" alone is the seed's system image: the whole ways are only ever named.
    let spec = ImageSpec::from_json(None, &valid(Mode::WholeServer), UnknownKeys::Reject);
    assert_eq!(spec.map(|s| s.mode()).ok(), Some(Mode::Server));
    assert_eq!("whole_backup".parse::<Mode>().ok(), Some(Mode::WholeBackup));
}

#[test]
fn name_rules_hold_in_both_shapes() {
    for mode in Mode::WHOLE {
        // 镜像名称 (name, 是 required).
        let mut body = valid(mode);
        body.as_object_mut().map(|o| o.remove("name"));
        let errors = read(mode, &body).err().map(|e| e.0[0].ims_code);
        assert_eq!(errors, Some(codes::NAME_MISSING));
        assert_eq!(
            broken(mode, "name", json!("a".repeat(129))),
            one("name", codes::NAME_TOO_LONG)
        );
        assert_eq!(
            broken(mode, "name", json!(" lead")),
            one("name", codes::NAME_FORMAT)
        );
    }
}

#[test]
fn description_tag_ram_and_project_rules_hold_in_both_shapes() {
    for mode in Mode::WHOLE {
        let long = json!("d".repeat(1025));
        assert_eq!(
            broken(mode, "description", long),
            one("description", codes::DESCRIPTION_TOO_LONG)
        );
        assert_eq!(
            broken(mode, "description", json!("a<b")),
            one("description", codes::DESCRIPTION_FORMAT)
        );
        // "tags和image_tags只能使用一个"
        let mut body = valid(mode);
        body["tags"] = json!(["a.1"]);
        body["image_tags"] = json!([{"key": "b", "value": "2"}]);
        let codes_found: Vec<_> = read(mode, &body)
            .err()
            .map_or_else(Vec::new, |e| e.0.into_iter().map(|e| e.ims_code).collect());
        assert_eq!(codes_found, [codes::TAG]);
        let eleven: Vec<String> = (0..11).map(|i| format!("k{i}.v")).collect();
        assert_eq!(
            broken(mode, "tags", json!(eleven)).first().map(|e| e.1),
            Some(codes::TAG_QUOTA)
        );
        assert_eq!(
            broken(mode, "min_ram", json!(-1)),
            one("min_ram", codes::SIZE)
        );
        assert_eq!(
            broken(mode, "max_ram", json!(-1)),
            one("max_ram", codes::SIZE)
        );
        // "取值为0或无该值 ... 取值为UUID"
        assert_eq!(
            broken(mode, "enterprise_project_id", json!("default")),
            one("enterprise_project_id", codes::MALFORMED)
        );
    }
}

#[test]
fn from_a_server_the_ecs_and_the_vault_are_ids() {
    let mode = Mode::WholeServer;
    let errors = read(mode, &json!({"name": "w"}))
        .err()
        .map(|e| e.0[0].ims_code);
    assert_eq!(errors, Some(codes::INSTANCE_ID_MISSING));
    assert_eq!(
        broken(mode, "instance_id", json!("ecs-1")),
        one("instance_id", codes::MALFORMED)
    );
    assert_eq!(
        broken(mode, "vault_id", json!("vault-1")),
        one("vault_id", codes::MALFORMED)
    );
    assert_eq!(broken(mode, "vault_id", json!(UUID)), []);
}

#[test]
fn from_a_backup_the_backup_is_an_id_and_the_type_cbr_or_csbs() {
    let mode = Mode::WholeBackup;
    let errors = read(mode, &json!({"name": "w"}))
        .err()
        .map(|e| e.0[0].ims_code);
    assert_eq!(errors, Some(codes::BACKUP_ID_MISSING));
    assert_eq!(
        broken(mode, "backup_id", json!("b-1")),
        one("backup_id", codes::MALFORMED)
    );
    for word in ["CBR", "CSBS"] {
        assert_eq!(broken(mode, "whole_image_type", json!(word)), []);
    }
    assert_eq!(
        broken(mode, "whole_image_type", json!("cbr")),
        one("whole_image_type", codes::MALFORMED)
    );
}

#[test]
fn each_shape_refuses_the_other_shapes_keys() {
    // vault_id belongs to a whole image of an ECS, whole_image_type to one from a backup.
    assert_eq!(
        broken(Mode::WholeBackup, "vault_id", json!(UUID)),
        one("vault_id", codes::MALFORMED)
    );
    assert_eq!(
        broken(Mode::WholeBackup, "instance_id", json!(UUID)),
        one("instance_id", codes::MALFORMED)
    );
    assert_eq!(
        broken(Mode::WholeServer, "whole_image_type", json!("CBR")),
        one("whole_image_type", codes::MALFORMED)
    );
    assert_eq!(
        broken(Mode::WholeServer, "backup_id", json!(UUID)),
        one("backup_id", codes::MALFORMED)
    );
}

#[test]
fn an_unknown_key_gets_a_suggestion_and_every_violation_is_reported() {
    let body = json!({"name": " w", "backup-id": UUID, "whole_image_typ": "CBR", "min_ram": -1});
    let errors = read(Mode::WholeBackup, &body)
        .err()
        .map_or_else(Vec::new, |e| e.0);
    let messages: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("did you mean 'backup_id'")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("did you mean 'whole_image_type'")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("min_ram")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("name")),
        "{messages:?}"
    );
}
