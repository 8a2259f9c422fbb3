//! The private images jobs make, and how IMS shows one: a Glance-like document with IMS's `__`
//! attributes.

use std::time::SystemTime;

use hcims::spec::OsType;
use serde_json::{json, Map, Value};

use crate::clock::iso_seconds;

/// What the emulator shows of the OS in an image.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OsFacts {
    pub version: String,
    pub os_type: &'static str,
    pub platform: &'static str,
    pub bits: &'static str,
}

/// The platforms IMS names in `__platform`, and how an `os_version` begins for each.
const PLATFORMS: [(&str, &str); 13] = [
    ("Windows", "Windows"),
    ("Ubuntu", "Ubuntu"),
    ("Red Hat", "RedHat"),
    ("Redhat", "RedHat"),
    ("SUSE", "SUSE"),
    ("CentOS", "CentOS"),
    ("Debian", "Debian"),
    ("OpenSUSE", "OpenSUSE"),
    ("Oracle Linux", "Oracle Linux"),
    ("Fedora", "Fedora"),
    ("CoreOS", "CoreOS"),
    ("EulerOS", "EulerOS"),
    ("openEuler", "openEuler"),
];

impl OsFacts {
    /// The OS an `os_version` names; `os_type` wins over what the name suggests.
    pub fn from_version(version: &str, os_type: Option<OsType>) -> Self {
        let platform = PLATFORMS
            .iter()
            .find(|(prefix, _)| version.starts_with(prefix))
            .map_or("Other", |(_, platform)| platform);
        let os_type = match os_type {
            Some(given) => given.as_str(),
            None if platform == "Windows" => "Windows",
            None => "Linux",
        };
        let bits = if version.contains("32bit") || version.contains("32 bit") {
            "32"
        } else {
            "64"
        };
        Self {
            version: version.to_owned(),
            os_type,
            platform,
            bits,
        }
    }

    /// What IMS shows when it cannot tell the OS of a server's disk (ims-facts.md section 1).
    pub fn unknown_linux() -> Self {
        Self {
            version: "Other Linux(64 bit)".to_owned(),
            os_type: "Linux",
            platform: "Other",
            bits: "64",
        }
    }
}

/// Everything the emulator shows of one image, fixed when the create is accepted.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ImageFacts {
    pub name: String,
    pub description: String,
    /// As `"key.value"` strings, whichever tag style the request used.
    pub tags: Vec<String>,
    pub min_disk: i64,
    pub min_ram: i64,
    pub max_ram: Option<i64>,
    /// `None` for data-disk images.
    pub os: Option<OsFacts>,
    /// `virtual_env_type`: FusionCompute, Ironic, IsoImage or DataImage.
    pub env: &'static str,
    /// `__data_origin`: `instance,<id>`, `volume,<id>` or `file,<bucket:object>`.
    pub data_origin: String,
    pub enterprise_project_id: String,
    pub firmware: &'static str,
    pub arm: bool,
    /// Made from an external file (`__root_origin: file`).
    pub from_file: bool,
}

/// The Glance status of an image while its job runs and after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ImageStatus {
    /// The job has not started.
    Queued,
    /// The job is running.
    Saving,
    /// The job succeeded.
    Active,
}

impl ImageStatus {
    fn as_str(self) -> &'static str {
        match self {
            ImageStatus::Queued => "queued",
            ImageStatus::Saving => "saving",
            ImageStatus::Active => "active",
        }
    }
}

/// One image as the list shows it now.
pub(crate) struct ImageView<'a> {
    pub id: &'a str,
    pub owner: &'a str,
    pub facts: &'a ImageFacts,
    pub status: ImageStatus,
    pub created: SystemTime,
    /// When the job ended, once it has.
    pub finished: Option<SystemTime>,
}

/// The MD5 of nothing, which IMS shows as the checksum of images it has not hashed.
const EMPTY_CHECKSUM: &str = "d41d8cd98f00b204e9800998ecf8427e";

impl ImageView<'_> {
    pub fn document(&self) -> Value {
        let facts = self.facts;
        let created_at = iso_seconds(self.created);
        let updated_at = self.finished.map_or(created_at.clone(), iso_seconds);
        let mut image = Map::new();
        let mut put = |key: &str, value: Value| {
            image.insert(key.to_owned(), value);
        };
        put("schema", json!("/v2/schemas/image"));
        put("id", json!(self.id));
        put("name", json!(facts.name));
        put("status", json!(self.status.as_str()));
        put("visibility", json!("private"));
        put("__imagetype", json!("private"));
        put("__isregistered", json!("true"));
        put("protected", json!(false));
        put("owner", json!(self.owner));
        put("created_at", json!(created_at));
        put("updated_at", json!(updated_at));
        if self.status == ImageStatus::Active {
            put("active_at", json!(updated_at));
        }
        put("min_disk", json!(facts.min_disk));
        put("min_ram", json!(facts.min_ram));
        if let Some(max_ram) = facts.max_ram {
            put("max_ram", json!(max_ram));
        }
        put("disk_format", json!("zvhd2"));
        put("container_format", json!("bare"));
        put("__image_source_type", json!("uds"));
        put("virtual_env_type", json!(facts.env));
        put("__description", json!(facts.description));
        put("__data_origin", json!(facts.data_origin));
        // The emulator keeps no parent image or backup: IMS shows these empty for images of files.
        put("__originalimagename", json!(""));
        put("__backup_id", json!(""));
        put("__lazyloading", json!("false"));
        if facts.from_file {
            put("__root_origin", json!("file"));
        }
        put("enterprise_project_id", json!(facts.enterprise_project_id));
        put("hw_firmware_type", json!(facts.firmware));
        put(
            "__support_arm",
            json!(if facts.arm { "true" } else { "false" }),
        );
        put("__support_amd", json!("false"));
        if let Some(os) = &facts.os {
            put("__os_version", json!(os.version));
            put("__os_type", json!(os.os_type));
            put("__platform", json!(os.platform));
            put("__os_bit", json!(os.bits));
        }
        put("tags", json!(facts.tags));
        put("size", json!(0));
        put("virtual_size", Value::Null);
        put("checksum", json!(EMPTY_CHECKSUM));
        put("self", json!(format!("/v2/images/{}", self.id)));
        put("file", json!(format!("/v2/images/{}/file", self.id)));
        Value::Object(image)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(name: &str) -> ImageFacts {
        ImageFacts {
            name: name.into(),
            description: "about it".into(),
            tags: vec!["env.prod".into()],
            min_disk: 40,
            min_ram: 0,
            max_ram: None,
            os: Some(OsFacts::from_version("CentOS 7.0 64bit", None)),
            env: "FusionCompute",
            data_origin: "instance,877a2cda-ba63-4e1e-b95f-e67e48b6129a".into(),
            enterprise_project_id: "0".into(),
            firmware: "bios",
            arm: false,
            from_file: false,
        }
    }

    fn document(id: &str, facts: &ImageFacts, status: ImageStatus) -> Value {
        ImageView {
            id,
            owner: "p",
            facts,
            status,
            created: SystemTime::UNIX_EPOCH,
            finished: (status == ImageStatus::Active).then_some(SystemTime::UNIX_EPOCH),
        }
        .document()
    }

    #[test]
    fn os_facts_come_from_the_version_and_the_os_type() {
        let centos = OsFacts::from_version("CentOS 7.0 64bit", None);
        assert_eq!(
            (centos.platform, centos.os_type, centos.bits),
            ("CentOS", "Linux", "64")
        );
        let windows = OsFacts::from_version("Windows Server 2016 Datacenter 64bit", None);
        assert_eq!((windows.platform, windows.os_type), ("Windows", "Windows"));
        let other = OsFacts::from_version("Something 1 32bit", Some(OsType::Other));
        assert_eq!(
            (other.platform, other.os_type, other.bits),
            ("Other", "Other", "32")
        );
    }

    #[test]
    fn a_document_is_glance_shaped_with_ims_attributes() {
        let image = document("i-1", &facts("web"), ImageStatus::Active);
        assert_eq!(image["id"], "i-1");
        assert_eq!(image["status"], "active");
        assert_eq!(image["__imagetype"], "private");
        assert_eq!(image["visibility"], "private");
        assert_eq!(image["owner"], "p");
        assert_eq!(image["created_at"], "1970-01-01T00:00:00Z");
        assert_eq!(image["active_at"], "1970-01-01T00:00:00Z");
        assert_eq!(image["__os_version"], "CentOS 7.0 64bit");
        assert_eq!(image["__platform"], "CentOS");
        assert_eq!(image["tags"], json!(["env.prod"]));
        assert_eq!(image["self"], "/v2/images/i-1");
        let saving = document("i-1", &facts("web"), ImageStatus::Saving);
        assert_eq!(saving["status"], "saving");
        assert!(saving.get("active_at").is_none());
    }

    #[test]
    fn data_images_have_no_os_attributes() {
        let data = ImageFacts {
            os: None,
            env: "DataImage",
            ..facts("d")
        };
        let image = document("i-2", &data, ImageStatus::Queued);
        assert!(image.get("__os_version").is_none());
        assert_eq!(image["virtual_env_type"], "DataImage");
        assert_eq!(image["status"], "queued");
    }
}
