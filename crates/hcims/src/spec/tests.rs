//! Whole-request tests: the API page's eight examples, mode detection, unknown keys, every rule of
//! each mode through `from_json`, errors reported together, warnings and the body sent.

use serde_json::{json, Value};

use super::*;

/// The request examples of the API page (create-image.zh.md), as printed there.
const EXAMPLES: [&str; 8] = [
    r#"{
        "name": "ims_test",
        "description": "云服务器制作系统盘镜像",
        "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
        "tags": ["aaa.111", "bbb.333", "ccc.444"]
    }"#,
    r#"{
        "data_images": [{"name": "ims_data_image_test",
        "description": "云服务器数据卷制作数据盘镜像",
        "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30",
        "tags": ["aaa.111", "bbb.333", "ccc.444"]
        }]
    }"#,
    r#"{
        "name": "ims_test_file",
        "description": "OBS文件制作镜像",
        "image_url": "ims-image:centos70.qcow2",
        "os_version": "CentOS 7.0 64bit",
        "is_config_init": true,
        "min_disk": 40,
        "is_config": true,
        "tags": ["aaa.111", "bbb.333", "ccc.444"]
    }"#,
    r#"{
        "name": "ims_test",
        "description": "云服务器制作系统盘镜像",
        "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
        "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}]
    }"#,
    r#"{
        "data_images": [{"name": "ims_data_image_test",
        "description": "云服务器数据卷制作数据盘镜像",
        "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30",
        "image_tags": [{"key":"key2","value":"value2"},{"key":"key1","value":"value1"}]
        }]
    }"#,
    r#"{
        "name": "ims_test_file",
        "description": "OBS文件制作镜像",
        "image_url": "ims-image:centos70.qcow2",
        "os_version": "CentOS 7.0 64bit",
        "is_config_init": true,
        "min_disk": 40,
        "image_tags": [{"key":"key2","value":"value2"},{"key":"key1","value":"value1"}]
    }"#,
    r#"{
        "name": "ims_test",
        "description": "数据卷制作系统盘镜像",
        "volume_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
        "type": "ECS",
        "os_version": "CentOS 7.0 64bit",
        "tags": ["aaa.111", "bbb.333", "ccc.444"]
    }"#,
    r#"{
        "name": "ims_test",
        "description": "数据卷制作系统盘镜像",
        "volume_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
        "type": "ECS",
        "os_version": "CentOS 7.0 64bit",
        "image_tags": [{"key":"key2","value":"value2"},{"key":"key1","value":"value1"}]
    }"#,
];

const UUID: &str = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";
const UUID2: &str = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30";

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("test JSON does not parse: {e}"))
}

fn read(mode: Option<Mode>, body: &Value) -> Result<ImageSpec, ValidationErrors> {
    ImageSpec::from_json(mode, body, UnknownKeys::Reject)
}

/// The errors of a body; none when it passes.
fn errors(mode: Option<Mode>, body: &Value) -> Vec<FieldError> {
    read(mode, body)
        .err()
        .map_or_else(Vec::new, |errors| errors.0)
}

fn paths_and_codes(mode: Option<Mode>, body: &Value) -> Vec<(String, &'static str)> {
    errors(mode, body)
        .into_iter()
        .map(|e| (e.path, e.ims_code))
        .collect()
}

fn one(path: &str, code: &'static str) -> Vec<(String, &'static str)> {
    vec![(path.to_owned(), code)]
}

/// Applies `change` to a valid body of `mode` and returns the errors.
fn broken(
    mode: Mode,
    change: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> Vec<(String, &'static str)> {
    let mut body = valid(mode);
    if let Value::Object(object) = &mut body {
        change(object);
    }
    paths_and_codes(None, &body)
}

fn valid(mode: Mode) -> Value {
    match mode {
        Mode::Server => json!({"name": "web", "instance_id": UUID}),
        Mode::DataImages => json!({"data_images": [{"name": "d1", "volume_id": UUID2}]}),
        Mode::Obs => json!({"name": "c7", "image_url": "bucket:centos7.qcow2", "min_disk": 40}),
        Mode::Volume => json!({"name": "v", "volume_id": UUID, "os_version": "CentOS 7.0 64bit"}),
        Mode::WholeServer => json!({"name": "w", "instance_id": UUID}),
        Mode::WholeBackup => json!({"name": "w", "backup_id": UUID}),
        Mode::ObsDataImage => json!({"name": "d", "image_url": "b:o.qcow2", "min_disk": 40}),
        Mode::QuickImport => {
            json!({"name": "q", "image_url": "b:o.zvhd2", "min_disk": 40, "os_version": "CentOS 7.0 64bit"})
        }
    }
}

#[test]
fn the_eight_examples_round_trip_unchanged() {
    let expected_modes = [
        Mode::Server,
        Mode::DataImages,
        Mode::Obs,
        Mode::Server,
        Mode::DataImages,
        Mode::Obs,
        Mode::Volume,
        Mode::Volume,
    ];
    for (example, mode) in EXAMPLES.iter().zip(expected_modes) {
        let body = parse(example);
        let spec = read(None, &body).unwrap_or_else(|e| panic!("{e}\n{example}"));
        assert_eq!(spec.mode(), mode);
        assert!(spec.warnings().is_empty(), "{:?}", spec.warnings());
        let sent: Value = serde_json::from_slice(&spec.to_body()).unwrap_or_default();
        assert_eq!(sent, body, "{example}");
        // The explicit mode reads the same.
        assert_eq!(read(Some(mode), &body).ok(), Some(spec));
    }
}

#[test]
fn modes_parse_and_print() {
    for mode in Mode::ALL {
        assert_eq!(mode.as_str().parse::<Mode>().ok(), Some(mode));
        assert_eq!(mode.to_string(), mode.as_str());
    }
    let error = "ecs".parse::<Mode>().unwrap_err();
    assert!(error
        .to_string()
        .contains("expected server, data_images, obs or volume"));
}

#[test]
fn the_mode_is_read_from_the_deciding_key() {
    for mode in Mode::ALL {
        assert_eq!(read(None, &valid(mode)).map(|s| s.mode()).ok(), Some(mode));
    }
    // A null deciding key counts as absent.
    let body = json!({"data_images": [{"name": "d", "volume_id": UUID2}], "instance_id": null});
    assert_eq!(
        read(None, &body).map(|s| s.mode()).ok(),
        Some(Mode::DataImages)
    );
}

#[test]
fn no_deciding_key_says_which_keys_decide() {
    let found = errors(None, &json!({"name": "x"}));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "");
    assert_eq!(found[0].ims_code, "IMG.0001");
    for key in ["instance_id", "data_images", "image_url", "volume_id"] {
        assert!(found[0].message.contains(key), "{}", found[0].message);
    }
}

#[test]
fn a_misspelt_deciding_key_is_named() {
    let found = errors(
        None,
        &json!({"name": "web", "instance-id": UUID, "Image_URL": "b:o"}),
    );
    let paths: Vec<&str> = found.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["", "instance-id", "Image_URL"]);
    assert_eq!(
        found[1].message,
        "unknown field \"instance-id\"; did you mean 'instance_id'?"
    );
    assert!(
        found[2].message.ends_with("did you mean 'image_url'?"),
        "{}",
        found[2].message
    );
}

#[test]
fn two_deciding_keys_are_ambiguous() {
    let found = errors(
        None,
        &json!({"name": "x", "instance_id": UUID, "image_url": "b:o", "volume_id": UUID}),
    );
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .message
            .starts_with("instance_id and image_url and volume_id cannot be combined"),
        "{}",
        found[0].message
    );
    let found = errors(None, &json!({"instance_id": UUID, "volume_id": UUID}));
    assert!(
        found[0]
            .message
            .starts_with("instance_id and volume_id cannot"),
        "{}",
        found[0].message
    );
}

#[test]
fn the_body_must_be_an_object() {
    for body in [json!([]), json!("x"), json!(null), json!(3)] {
        assert_eq!(
            paths_and_codes(Some(Mode::Server), &body),
            one("", "IMG.0001")
        );
        assert_eq!(paths_and_codes(None, &body), one("", "IMG.0001"));
    }
}

#[test]
fn data_images_with_instance_id_is_refused_either_way() {
    let body = json!({"name": "x", "instance_id": UUID, "data_images": [{"name": "d", "volume_id": UUID2}]});
    let found = errors(None, &body);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "data_images");
    assert!(
        found[0].message.contains("without instance_id"),
        "{}",
        found[0].message
    );
    let found = errors(Some(Mode::DataImages), &body);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "instance_id");
    assert!(
        found[0]
            .message
            .contains("must not be sent with data_images"),
        "{}",
        found[0].message
    );
}

#[test]
fn a_deciding_key_of_another_mode_is_refused_even_when_kept() {
    let body = json!({"name": "x", "instance_id": UUID, "image_url": "b:o"});
    for unknown in [UnknownKeys::Reject, UnknownKeys::Keep] {
        let found = ImageSpec::from_json(Some(Mode::Server), &body, unknown).unwrap_err();
        assert_eq!(found.0.len(), 1);
        assert_eq!(found.0[0].path, "image_url");
        assert!(
            found.0[0].message.contains("an image from an OBS file"),
            "{}",
            found.0[0].message
        );
    }
}

#[test]
fn unknown_keys_get_the_closest_known_key() {
    let body = json!({"name": "web", "instance-id": UUID});
    let found = errors(Some(Mode::Server), &body);
    let messages: Vec<(&str, &str)> = found
        .iter()
        .map(|e| (e.path.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                "instance-id",
                "unknown field \"instance-id\"; did you mean 'instance_id'?"
            ),
            ("instance_id", "is required"),
        ]
    );
    assert_eq!(found[1].ims_code, "IMG.0012");

    let found = errors(
        None,
        &json!({"name": "c", "image_url": "b:o.qcow2", "min_disk": 40, "OS-Version": "x", "flavour": 1}),
    );
    assert!(
        found[0].message.ends_with("did you mean 'os_version'?"),
        "{}",
        found[0].message
    );
    assert!(
        found[1]
            .message
            .contains("known fields here are name, image_url"),
        "{}",
        found[1].message
    );

    let found = errors(
        None,
        &json!({"data_images": [{"name": "d", "volume_id": UUID2, "descripton": "x"}]}),
    );
    assert_eq!(found[0].path, "data_images[0].descripton");
    assert!(
        found[0].message.ends_with("did you mean 'description'?"),
        "{}",
        found[0].message
    );
}

#[test]
fn keep_puts_unknown_keys_into_extra_and_sends_them() {
    let body = json!({
        "name": "web", "instance_id": UUID, "__whole_image": true,
        "extra": {"is_config_init": false}
    });
    let spec =
        ImageSpec::from_json(None, &body, UnknownKeys::Keep).unwrap_or_else(|e| panic!("{e}"));
    let ImageSpec::Server(server) = &spec else {
        panic!("not a server spec: {spec:?}");
    };
    assert_eq!(
        Value::Object(server.extra.clone()),
        json!({"__whole_image": true, "is_config_init": false})
    );
    let sent: Value = serde_json::from_slice(&spec.to_body()).unwrap_or_default();
    assert_eq!(
        sent,
        json!({"name": "web", "instance_id": UUID, "__whole_image": true, "is_config_init": false})
    );
    // Reject refuses the same unknown key.
    assert_eq!(
        paths_and_codes(None, &body),
        one("__whole_image", "IMG.0001")
    );
}

#[test]
fn extra_is_merged_into_the_body_at_its_level() {
    let body = json!({
        "name": "c", "image_url": "b:o.qcow2", "min_disk": 40,
        "extra": {"__support_kvm": "true"},
        "data_images": [{"image_url": "b:d.qcow2", "min_disk": 10, "extra": {"__data_flag": 1}}]
    });
    let spec = read(None, &body).unwrap_or_else(|e| panic!("{e}"));
    let sent: Value = serde_json::from_slice(&spec.to_body()).unwrap_or_default();
    assert_eq!(
        sent,
        json!({
            "name": "c", "image_url": "b:o.qcow2", "min_disk": 40, "__support_kvm": "true",
            "data_images": [{"image_url": "b:d.qcow2", "min_disk": 10, "__data_flag": 1}]
        })
    );
}

#[test]
fn extra_may_not_shadow_a_field() {
    let found = broken(Mode::Server, |b| {
        b.insert(
            "extra".into(),
            json!({"name": "other", "volume_id": UUID, "fine": 1}),
        );
    });
    assert_eq!(
        found,
        [
            ("extra.name".to_owned(), "IMG.0001"),
            ("extra.volume_id".to_owned(), "IMG.0001")
        ]
    );
    let found = broken(Mode::DataImages, |b| {
        b.insert(
            "data_images".into(),
            json!([{"name": "d", "volume_id": UUID2, "extra": {"volume_id": UUID}}]),
        );
    });
    assert_eq!(found, one("data_images[0].extra.volume_id", "IMG.0001"));
    let found = broken(Mode::Server, |b| {
        b.insert("extra".into(), json!("is_config_init"));
    });
    assert_eq!(found, one("extra", "IMG.0001"));
}

#[test]
fn every_violation_is_reported_at_once() {
    let body = json!({
        "name": " bad#name ",
        "image_url": "my bucket:file.iso",
        "min_disk": 4096,
        "os_type": "Solaris",
        "architecture": "X86",
        "hw_firmware_type": "efi",
        "type": "VM",
        "description": "<b>",
        "tags": ["a.1", "a.2"],
        "image_tags": [{"key": "k", "value": "v"}],
        "min_ram": 4096,
        "max_ram": 1024,
        "enterprise_project_id": "default",
        "is_config": "yes",
        "is_quick_import": true,
        "data_images": [
            {"image_url": "b:d1.qcow2", "min_disk": 0},
            {"image_url": "b:d1.qcow2", "min_disk": 2049},
            {"image_url": "b:d3.qcow2", "min_disk": 10},
            {"image_url": "b:d4.qcow2", "min_disk": 10.5}
        ],
        "nmae": "typo"
    });
    let found = paths_and_codes(None, &body);
    let expected: Vec<(String, &str)> = [
        ("os_type", "IMG.0122"),
        ("architecture", "IMG.0212"),
        ("hw_firmware_type", "IMG.0141"),
        ("type", "IMG.0024"),
        ("is_config", "IMG.0001"),
        ("data_images[3].min_disk", "IMG.0001"),
        ("nmae", "IMG.0001"),
        ("name", "IMG.0003"),
        ("name", "IMG.0003"),
        ("image_url", "IMG.0175"),
        ("min_disk", "IMG.0055"),
        ("description", "IMG.0054"),
        ("os_version", "IMG.0166"),
        ("os_version", "IMG.0159"),
        ("image_tags", "IMG.0115"),
        ("tags[1]", "IMG.0115"),
        ("enterprise_project_id", "IMG.0001"),
        ("min_ram", "IMG.0055"),
        ("data_images", "IMG.0001"),
        ("data_images[0].min_disk", "IMG.0055"),
        ("data_images[1].min_disk", "IMG.0055"),
        ("data_images[1].image_url", "IMG.0123"),
    ]
    .into_iter()
    .map(|(p, c)| (p.to_owned(), c))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn ill_typed_fields_are_not_also_reported_as_missing_or_empty() {
    let body = json!({"name": 5, "instance_id": null});
    let found = paths_and_codes(Some(Mode::Server), &body);
    assert_eq!(
        found,
        [
            ("name".to_owned(), "IMG.0001"),
            ("instance_id".to_owned(), "IMG.0012")
        ]
    );
    let found = broken(Mode::DataImages, |b| {
        b.insert(
            "data_images".into(),
            json!(["d1", {"name": "d2", "volume_id": UUID2}, {"name": "d3"}]),
        );
    });
    assert_eq!(
        found,
        [
            ("data_images[0]".to_owned(), "IMG.0001"),
            ("data_images[2].volume_id".to_owned(), "IMG.0001")
        ]
    );
}

#[test]
fn server_rules() {
    assert!(read(None, &valid(Mode::Server)).is_ok());
    assert_eq!(
        broken(Mode::Server, |b| {
            b.remove("name");
        }),
        one("name", "IMG.0013")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("name".into(), json!(""));
        }),
        one("name", "IMG.0013")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("name".into(), json!("n".repeat(129)));
        }),
        one("name", "IMG.0002")
    );
    assert!(broken_ok(Mode::Server, |b| {
        b.insert("name".into(), json!("n".repeat(128)));
    }));
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("instance_id".into(), json!(""));
        }),
        one("instance_id", "IMG.0012")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("instance_id".into(), json!("i-1234"));
        }),
        one("instance_id", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("description".into(), json!("d".repeat(1025)));
        }),
        one("description", "IMG.0004")
    );
    assert!(broken_ok(Mode::Server, |b| {
        b.insert("description".into(), json!("d".repeat(1024)));
    }));
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("description".into(), json!("two\nlines"));
        }),
        one("description", "IMG.0054")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("min_ram".into(), json!(-1));
        }),
        one("min_ram", "IMG.0055")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("max_ram".into(), json!(-1));
        }),
        one("max_ram", "IMG.0055")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("max_ram".into(), json!("1024"));
        }),
        one("max_ram", "IMG.0001")
    );
    assert!(broken_ok(Mode::Server, |b| {
        b.insert("min_ram".into(), json!(1024));
        b.insert("max_ram".into(), json!(1024));
        b.insert("enterprise_project_id".into(), json!("0"));
    }));
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("enterprise_project_id".into(), json!("ep-1"));
        }),
        one("enterprise_project_id", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("enterprise_project_id".into(), json!(0));
        }),
        one("enterprise_project_id", "IMG.0001")
    );
}

/// True when the changed valid body still passes.
fn broken_ok(mode: Mode, change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> bool {
    let mut body = valid(mode);
    if let Value::Object(object) = &mut body {
        change(object);
    }
    match read(None, &body) {
        Ok(_) => true,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn tag_rules_apply_at_every_level() {
    let eleven: Vec<String> = (0..11).map(|i| format!("k{i}.v")).collect();
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("tags".into(), json!(eleven));
        }),
        one("tags", "IMG.0116")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("tags".into(), json!(["ok.1", "bad key.1"]));
        }),
        one("tags[1]", "IMG.0115")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("tags".into(), json!("a.1"));
        }),
        one("tags", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("image_tags".into(), json!([{"key": "a", "value": "x/y"}]));
        }),
        one("image_tags[0].value", "IMG.0115")
    );
    assert_eq!(
        broken(Mode::Server, |b| {
            b.insert("image_tags".into(), json!([{"key": "a", "value": 1}]));
        }),
        one("image_tags[0].value", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::DataImages, |b| {
            b.insert("data_images".into(), json!([{"name": "d", "volume_id": UUID2, "tags": ["a.1"], "image_tags": [{"key": "b"}]}]));
        }),
        one("data_images[0].image_tags", "IMG.0115")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert(
                "data_images".into(),
                json!([{"image_url": "b:d.qcow2", "min_disk": 1, "tags": ["a.1", "a.2"]}]),
            );
        }),
        one("data_images[0].tags[1]", "IMG.0115")
    );
    assert_eq!(
        broken(Mode::Volume, |b| {
            b.insert(
                "image_tags".into(),
                json!([{"key": "k", "value": "v"}, {"key": "k"}]),
            );
        }),
        one("image_tags[1].key", "IMG.0115")
    );
}

#[test]
fn data_images_rules() {
    assert!(read(None, &valid(Mode::DataImages)).is_ok());
    assert_eq!(
        broken(Mode::DataImages, |b| {
            b.insert("data_images".into(), json!([]));
        }),
        one("data_images", "IMG.0001")
    );
    assert_eq!(
        paths_and_codes(Some(Mode::DataImages), &json!({"name": "x"})),
        one("data_images", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::DataImages, |b| {
            b.insert("data_images".into(), json!([{"volume_id": UUID2}]));
        }),
        one("data_images[0].name", "IMG.0013")
    );
    assert_eq!(
        broken(Mode::DataImages, |b| {
            b.insert(
                "data_images".into(),
                json!([{"name": "d", "volume_id": UUID2}, {"name": "e", "volume_id": "vol-1"}]),
            );
        }),
        one("data_images[1].volume_id", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::DataImages, |b| {
            b.insert("name".into(), json!("a|b"));
        }),
        one("name", "IMG.0003")
    );
    assert!(broken_ok(Mode::DataImages, |b| {
        b.insert("name".into(), json!("top"));
        b.insert("description".into(), json!("top level"));
        b.insert("min_ram".into(), json!(0));
        b.insert("enterprise_project_id".into(), json!(UUID));
    }));
}

#[test]
fn obs_rules() {
    assert!(read(None, &valid(Mode::Obs)).is_ok());
    for (gb, ok) in [(39, false), (40, true), (1024, true), (1025, false)] {
        let found = read(None, &with(Mode::Obs, "min_disk", json!(gb)));
        assert_eq!(found.is_ok(), ok, "{gb}");
    }
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.remove("min_disk");
        }),
        one("min_disk", "IMG.0055")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("min_disk".into(), json!(40.0));
        }),
        one("min_disk", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("min_disk".into(), json!(true));
        }),
        one("min_disk", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("image_url".into(), json!("bucket"));
        }),
        one("image_url", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("image_url".into(), json!("b:my file.qcow2"));
        }),
        one("image_url", "IMG.0175")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("os_type".into(), json!("linux"));
        }),
        one("os_type", "IMG.0122")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("architecture".into(), json!("aarch64"));
        }),
        one("architecture", "IMG.0212")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("hw_firmware_type".into(), json!("efi"));
        }),
        one("hw_firmware_type", "IMG.0141")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("type".into(), json!("DataImage"));
        }),
        one("type", "IMG.0024")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("is_config".into(), json!(1));
        }),
        one("is_config", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("is_config_init".into(), json!("true"));
        }),
        one("is_config_init", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("os_version".into(), json!(""));
        }),
        one("os_version", "IMG.0056")
    );
    assert!(broken_ok(Mode::Obs, |b| {
        for (key, value) in [
            ("os_type", json!("Windows")),
            ("architecture", json!("arm")),
            ("hw_firmware_type", json!("uefi")),
            ("type", json!("BMS")),
            ("is_config", json!(false)),
            ("cmk_id", json!("kms-key")),
            ("is_quick_import", json!(false)),
            ("max_ram", json!(0)),
        ] {
            b.insert(key.into(), value);
        }
    }));
}

fn with(mode: Mode, key: &str, value: Value) -> Value {
    let mut body = valid(mode);
    if let Value::Object(object) = &mut body {
        object.insert(key.to_owned(), value);
    }
    body
}

#[test]
fn obs_os_version_is_required_for_iso_files_and_quick_import() {
    for url in ["b:win.iso", "b:dir/WIN.ISO"] {
        assert_eq!(
            broken(Mode::Obs, |b| {
                b.insert("image_url".into(), json!(url));
            }),
            one("os_version", "IMG.0166")
        );
    }
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("type".into(), json!("IsoImage"));
        }),
        one("os_version", "IMG.0166")
    );
    assert_eq!(
        broken(Mode::Obs, |b| {
            b.insert("is_quick_import".into(), json!(true));
        }),
        one("os_version", "IMG.0159")
    );
    assert!(broken_ok(Mode::Obs, |b| {
        b.insert("image_url".into(), json!("b:win.iso"));
        b.insert("type".into(), json!("IsoImage"));
        b.insert("is_quick_import".into(), json!(true));
        b.insert(
            "os_version".into(),
            json!("Windows Server 2016 Standard 64bit"),
        );
    }));
}

#[test]
fn obs_data_images_rules() {
    let images = |list: Value| {
        broken(Mode::Obs, move |b| {
            b.insert("data_images".into(), list);
        })
    };
    assert!(images(json!([{"image_url": "b:1.qcow2", "min_disk": 1}, {"image_url": "b:2.qcow2", "min_disk": 2048}, {"image_url": "b:3.qcow2", "min_disk": 100, "name": "d3", "is_quick_import": true}])).is_empty());
    assert_eq!(
        images(
            json!([{"image_url": "b:1", "min_disk": 1}, {"image_url": "b:2", "min_disk": 1}, {"image_url": "b:3", "min_disk": 1}, {"image_url": "b:4", "min_disk": 1}])
        ),
        one("data_images", "IMG.0001")
    );
    assert_eq!(
        images(json!([{"image_url": "b:1", "min_disk": 0}])),
        one("data_images[0].min_disk", "IMG.0055")
    );
    assert_eq!(
        images(json!([{"image_url": "b:1", "min_disk": 2049}])),
        one("data_images[0].min_disk", "IMG.0055")
    );
    assert_eq!(
        images(json!([{"min_disk": 10}])),
        one("data_images[0].image_url", "IMG.0001")
    );
    assert_eq!(
        images(json!([{"image_url": "b:1"}])),
        one("data_images[0].min_disk", "IMG.0055")
    );
    assert_eq!(
        images(json!([{"image_url": "b: 1", "min_disk": 1}])),
        one("data_images[0].image_url", "IMG.0175")
    );
    assert_eq!(
        images(json!([{"image_url": "b:1", "min_disk": 1, "name": " x"}])),
        one("data_images[0].name", "IMG.0003")
    );
    assert_eq!(
        images(json!([{"image_url": "b:1", "min_disk": 1, "is_quick_import": "no"}])),
        one("data_images[0].is_quick_import", "IMG.0001")
    );
    assert_eq!(
        images(json!([{"image_url": "bucket:centos7.qcow2", "min_disk": 1}])),
        one("data_images[0].image_url", "IMG.0123")
    );
    assert_eq!(
        images(json!({"image_url": "b:1"})),
        one("data_images", "IMG.0001")
    );
}

#[test]
fn volume_rules() {
    assert!(read(None, &valid(Mode::Volume)).is_ok());
    assert_eq!(
        broken(Mode::Volume, |b| {
            b.remove("os_version");
        }),
        one("os_version", "IMG.0056")
    );
    assert_eq!(
        broken(Mode::Volume, |b| {
            b.insert("os_version".into(), json!(""));
        }),
        one("os_version", "IMG.0056")
    );
    assert_eq!(
        broken(Mode::Volume, |b| {
            b.insert("volume_id".into(), json!("vol"));
        }),
        one("volume_id", "IMG.0001")
    );
    assert_eq!(
        broken(Mode::Volume, |b| {
            b.insert("type".into(), json!("IsoImage"));
        }),
        one("type", "IMG.0024")
    );
    assert_eq!(
        broken(Mode::Volume, |b| {
            b.insert("hw_firmware_type".into(), json!("UEFI"));
        }),
        one("hw_firmware_type", "IMG.0141")
    );
    assert_eq!(
        broken(Mode::Volume, |b| {
            b.insert("os_type".into(), json!("Linux"));
        }),
        one("os_type", "IMG.0001")
    );
    for image_type in ["ECS", "BMS", "FusionCompute", "Ironic"] {
        assert!(broken_ok(Mode::Volume, |b| {
            b.insert("type".into(), json!(image_type));
        }));
    }
}

#[test]
fn long_values_are_shortened_in_messages() {
    let found = errors(
        None,
        &with(Mode::Server, "instance_id", json!("x".repeat(5000))),
    );
    assert!(found[0].message.len() < 200, "{}", found[0].message);
    assert!(
        found[0].message.contains("(5000 characters)"),
        "{}",
        found[0].message
    );
}

#[test]
fn unknown_os_versions_warn_but_pass() {
    let spec = read(
        None,
        &with(
            Mode::Volume,
            "os_version",
            json!("Ubuntu 22.04 server 64bit"),
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let warnings = spec.warnings();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("\"Ubuntu 22.04 server 64bit\""),
        "{}",
        warnings[0]
    );
    let spec = read(
        None,
        &with(Mode::Obs, "os_version", json!("centos 7.0 64bit")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(spec.warnings()[0].ends_with("did you mean \"CentOS 7.0 64bit\"?"));
    for mode in Mode::ALL {
        let spec = read(None, &valid(mode)).unwrap_or_else(|e| panic!("{e}"));
        assert!(spec.warnings().is_empty(), "{mode}");
    }
}

#[test]
fn name_falls_back_to_the_first_data_image() {
    let spec = read(None, &valid(Mode::DataImages)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.name(), Some("d1"));
    let spec =
        read(None, &with(Mode::DataImages, "name", json!("top"))).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.name(), Some("top"));
    assert_eq!(ImageSpec::from(ServerDataImages::default()).name(), None);
    for (mode, name) in [
        (Mode::Server, "web"),
        (Mode::Obs, "c7"),
        (Mode::Volume, "v"),
    ] {
        assert_eq!(
            read(None, &valid(mode))
                .ok()
                .and_then(|s| s.name().map(str::to_owned))
                .as_deref(),
            Some(name)
        );
    }
}

#[test]
fn null_optional_fields_are_left_out_of_the_body() {
    let body = json!({"name": "web", "instance_id": UUID, "description": null, "tags": null, "min_ram": null});
    let spec = read(None, &body).unwrap_or_else(|e| panic!("{e}"));
    let sent: Value = serde_json::from_slice(&spec.to_body()).unwrap_or_default();
    assert_eq!(sent, json!({"name": "web", "instance_id": UUID}));
}

#[test]
fn hand_built_specs_validate_the_same_rules() {
    let mut server = ServerImage::new("web", UUID);
    server.tags = Some(vec!["env.prod".to_owned()]);
    assert!(ImageSpec::from(server.clone()).validate().is_ok());
    server.instance_id = "nope".to_owned();
    server.min_ram = Some(-5);
    let errors = ImageSpec::from(server).validate().unwrap_err();
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["instance_id", "min_ram"]);

    let mut obs = ObsImage::new("c7", "bucket:c7.qcow2", 40);
    obs.image_type = Some(ImageType::IsoImage);
    obs.data_images = Some(vec![ObsDataImage::new("bucket:d.qcow2", 4096)]);
    obs.extra.insert("cmk_id".to_owned(), json!("k"));
    let errors = ImageSpec::from(obs).validate().unwrap_err();
    let found: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.path.as_str(), e.ims_code))
        .collect();
    assert_eq!(
        found,
        [
            ("os_version", "IMG.0166"),
            ("data_images[0].min_disk", "IMG.0055"),
            ("extra.cmk_id", "IMG.0001")
        ]
    );

    let volume = VolumeImage::new("v", UUID, "");
    let errors = ImageSpec::from(volume).validate().unwrap_err();
    assert_eq!(errors.ims_code(), "IMG.0056");

    let data = ServerDataImages::new(vec![DataImage::new("d", UUID2)]);
    assert!(ImageSpec::from(data).validate().is_ok());
    assert!(ImageSpec::from(ServerDataImages::default())
        .validate()
        .is_err());
}

#[test]
fn hand_built_bodies_use_the_api_names() {
    let mut volume = VolumeImage::new("v", UUID, "CentOS 7.0 64bit");
    volume.image_type = Some(ImageType::Bms);
    volume.hw_firmware_type = Some(FirmwareType::Uefi);
    volume.image_tags = Some(vec![ImageTag::new("k", "")]);
    let sent: Value =
        serde_json::from_slice(&ImageSpec::from(volume.clone()).to_body()).unwrap_or_default();
    assert_eq!(
        sent,
        json!({
            "name": "v", "volume_id": UUID, "os_version": "CentOS 7.0 64bit", "type": "BMS",
            "hw_firmware_type": "uefi", "image_tags": [{"key": "k", "value": ""}]
        })
    );
    // serde's own Deserialize reads the same body back (unknown keys land in extra).
    let back: VolumeImage = serde_json::from_value(sent).unwrap_or_default();
    assert_eq!(back, volume);
}

#[test]
fn display_lists_every_error_on_its_own_line() {
    let error = read(None, &json!({"name": "", "instance_id": "x"})).unwrap_err();
    assert_eq!(
        error.to_string(),
        "name: is required and must not be empty (IMG.0013)\n\
         instance_id: must be a UUID (8-4-4-4-12 hex digits), got \"x\" (IMG.0001)"
    );
}

#[test]
fn the_schema_names_each_way_s_fields_in_order() {
    let fields = |name: &str| -> Vec<&'static str> {
        let way = super::schema().into_iter().find(|way| way.name == name);
        way.map(|way| way.fields.iter().map(|f| f.key).collect())
            .unwrap_or_default()
    };
    assert_eq!(fields("ServerImage"), ServerImage::FIELDS);
    assert_eq!(fields("ServerDataImages"), ServerDataImages::FIELDS);
    assert_eq!(fields("DataImage"), DataImage::FIELDS);
    assert_eq!(fields("ObsImage"), ObsImage::FIELDS);
    assert_eq!(fields("ObsDataImage"), ObsDataImage::FIELDS);
    assert_eq!(fields("VolumeImage"), VolumeImage::FIELDS);
    let volume = VolumeImage::schema();
    let image_type = volume.fields.iter().find(|f| f.key == "type");
    assert_eq!(
        image_type.map(|f| (f.required, f.python.as_str(), f.python_dict.as_str())),
        Some((false, "VolumeImageType", "VolumeImageType"))
    );
    let required: Vec<&str> = volume
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.key)
        .collect();
    assert_eq!(required, ["name", "volume_id", "os_version"]);
    assert_eq!(volume.mode, Some(Mode::Volume));
    assert_eq!(DataImage::schema().mode, None);
}
