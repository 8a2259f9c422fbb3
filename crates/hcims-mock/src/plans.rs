//! What an accepted create asks for: the kind of job and every image it will make.

use hcims::spec::{
    Architecture, DataImage, FirmwareType, ImageSpec, ImageTag, ImageType, ObsDataImage,
    ObsDataImageFile, ObsImage, QuickImportImage, ServerDataImages, ServerImage, VolumeImage,
    WholeBackupImage, WholeServerImage,
};

use crate::images::{ImageFacts, OsFacts};

/// The ways to make an image, as far as their jobs differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JobKind {
    Server,
    DataImages,
    Obs,
    Volume,
    /// A whole image of an ECS: IMS backs the ECS up first, so the job runs twice as long.
    WholeServer,
    /// A whole image from an existing backup.
    WholeBackup,
    /// A quick import of a big file in OBS.
    QuickImport,
    /// A data image from an OBS file.
    ObsDataImage,
}

/// The plan of one accepted create.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ImagePlan {
    pub kind: JobKind,
    /// The system image; `None` for data images made from a server's volumes.
    pub system: Option<ImageFacts>,
    /// One sub-job each: data images of a server, or data disks imported with an OBS image.
    pub data: Vec<ImageFacts>,
    /// The ECS a server image is made from.
    pub instance_id: Option<String>,
}

#[cfg(test)]
impl ImagePlan {
    /// The name of every image the job will make, the system image's first.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.system
            .iter()
            .chain(&self.data)
            .map(|image| image.name.as_str())
    }
}

/// The size the emulator gives disks it cannot see (a server's disks, a volume): IMS's smallest
/// system disk.
const UNSEEN_DISK_GB: i64 = 40;
/// Where an image belongs when the request names no enterprise project.
const DEFAULT_ENTERPRISE_PROJECT: &str = "0";

impl From<ImageSpec> for ImagePlan {
    fn from(spec: ImageSpec) -> Self {
        match spec {
            ImageSpec::Server(server) => plan_server(server),
            ImageSpec::DataImages(data) => plan_data_images(data),
            ImageSpec::Obs(obs) => plan_obs(obs),
            ImageSpec::Volume(volume) => plan_volume(volume),
            ImageSpec::WholeServer(whole) => plan_whole_server(whole),
            ImageSpec::WholeBackup(whole) => plan_whole_backup(whole),
            ImageSpec::QuickImport(quick) => plan_quick_import(quick),
            ImageSpec::ObsDataImage(file) => plan_obs_data_image(file),
        }
    }
}

/// The facts of the system image `$request` describes, from the attributes every kind of request
/// names alike; a macro because the core's request types share fields, not a trait. Each plan
/// overrides what its kind knows better.
macro_rules! described_image {
    ($request:ident, $data_origin:expr) => {
        ImageFacts {
            description: $request.description.unwrap_or_default(),
            tags: tag_strings($request.tags, $request.image_tags),
            min_disk: UNSEEN_DISK_GB,
            min_ram: $request.min_ram.unwrap_or(0),
            max_ram: $request.max_ram,
            os: None,
            env: "FusionCompute",
            data_origin: $data_origin,
            enterprise_project_id: enterprise_project($request.enterprise_project_id),
            firmware: FirmwareType::Bios.as_str(),
            arm: false,
            from_file: false,
            name: $request.name,
        }
    };
}

fn plan_server(server: ServerImage) -> ImagePlan {
    let facts = ImageFacts {
        os: Some(OsFacts::unknown_linux()),
        ..described_image!(server, format!("instance,{}", server.instance_id))
    };
    ImagePlan {
        kind: JobKind::Server,
        system: Some(facts),
        data: Vec::new(),
        instance_id: Some(server.instance_id),
    }
}

/// Values inside `data_images` override the top-level ones (ims-facts.md section 6).
fn plan_data_images(request: ServerDataImages) -> ImagePlan {
    let data = request
        .data_images
        .into_iter()
        .map(|image: DataImage| {
            let (tags, image_tags) = if image.tags.is_some() || image.image_tags.is_some() {
                (image.tags, image.image_tags)
            } else {
                (request.tags.clone(), request.image_tags.clone())
            };
            ImageFacts {
                description: image
                    .description
                    .or_else(|| request.description.clone())
                    .unwrap_or_default(),
                tags: tag_strings(tags, image_tags),
                min_disk: UNSEEN_DISK_GB,
                min_ram: request.min_ram.unwrap_or(0),
                max_ram: request.max_ram,
                os: None,
                env: "DataImage",
                data_origin: format!("volume,{}", image.volume_id),
                enterprise_project_id: enterprise_project(request.enterprise_project_id.clone()),
                firmware: FirmwareType::Bios.as_str(),
                arm: false,
                from_file: false,
                name: image.name,
            }
        })
        .collect();
    ImagePlan {
        kind: JobKind::DataImages,
        system: None,
        data,
        instance_id: None,
    }
}

fn plan_obs(obs: ObsImage) -> ImagePlan {
    let arm = obs.architecture == Some(Architecture::Arm);
    // Arm images boot with UEFI whatever the request says.
    let firmware = if arm {
        FirmwareType::Uefi
    } else {
        obs.hw_firmware_type.unwrap_or(FirmwareType::Bios)
    };
    let os = match &obs.os_version {
        Some(version) => OsFacts::from_version(version, obs.os_type),
        None => OsFacts {
            os_type: obs.os_type.map_or("Linux", |given| given.as_str()),
            ..OsFacts::unknown_linux()
        },
    };
    let enterprise_project_id = enterprise_project(obs.enterprise_project_id.clone());
    let data = obs
        .data_images
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(index, image): (usize, ObsDataImage)| ImageFacts {
            // IMS names an unnamed data disk after the system image.
            name: image
                .name
                .unwrap_or_else(|| format!("{}-data{}", obs.name, index + 1)),
            description: image.description.unwrap_or_default(),
            tags: tag_strings(image.tags, image.image_tags),
            min_disk: image.min_disk,
            min_ram: 0,
            max_ram: None,
            os: None,
            env: "DataImage",
            data_origin: format!("file,{}", image.image_url),
            enterprise_project_id: enterprise_project_id.clone(),
            firmware: firmware.as_str(),
            arm,
            from_file: true,
        })
        .collect();
    let system = ImageFacts {
        min_disk: obs.min_disk,
        os: Some(os),
        env: environment(obs.image_type),
        firmware: firmware.as_str(),
        arm,
        from_file: true,
        ..described_image!(obs, format!("file,{}", obs.image_url))
    };
    ImagePlan {
        kind: JobKind::Obs,
        system: Some(system),
        data,
        instance_id: None,
    }
}

fn plan_volume(volume: VolumeImage) -> ImagePlan {
    let facts = ImageFacts {
        os: Some(OsFacts::from_version(&volume.os_version, None)),
        env: environment(volume.image_type),
        firmware: volume
            .hw_firmware_type
            .unwrap_or(FirmwareType::Bios)
            .as_str(),
        ..described_image!(volume, format!("volume,{}", volume.volume_id))
    };
    ImagePlan {
        kind: JobKind::Volume,
        system: Some(facts),
        data: Vec::new(),
        instance_id: None,
    }
}

fn plan_whole_server(whole: WholeServerImage) -> ImagePlan {
    let facts = ImageFacts {
        os: Some(OsFacts::unknown_linux()),
        ..described_image!(whole, format!("instance,{}", whole.instance_id))
    };
    ImagePlan {
        kind: JobKind::WholeServer,
        system: Some(facts),
        data: Vec::new(),
        instance_id: Some(whole.instance_id),
    }
}

fn plan_whole_backup(whole: WholeBackupImage) -> ImagePlan {
    let facts = ImageFacts {
        os: Some(OsFacts::unknown_linux()),
        ..described_image!(whole, format!("backup,{}", whole.backup_id))
    };
    ImagePlan {
        kind: JobKind::WholeBackup,
        system: Some(facts),
        data: Vec::new(),
        instance_id: None,
    }
}

/// The facts of an image imported from the file `$request.image_url`, from the fields every file request
/// names alike (a macro for the reason of `described_image!`); each plan overrides what differs.
macro_rules! file_image {
    ($request:ident) => {
        ImageFacts {
            description: $request.description.unwrap_or_default(),
            tags: tag_strings($request.tags, $request.image_tags),
            min_disk: $request.min_disk,
            min_ram: 0,
            max_ram: None,
            os: None,
            env: "DataImage",
            data_origin: format!("file,{}", $request.image_url),
            enterprise_project_id: enterprise_project($request.enterprise_project_id),
            firmware: FirmwareType::Bios.as_str(),
            arm: false,
            from_file: true,
            name: $request.name,
        }
    };
}

fn plan_quick_import(quick: QuickImportImage) -> ImagePlan {
    let data = quick.is_data_image();
    let arm = quick.architecture == Some(Architecture::Arm);
    let os = match (&quick.os_version, data) {
        (Some(version), false) => Some(OsFacts::from_version(version, None)),
        _ => None,
    };
    let facts = ImageFacts {
        os,
        env: if data { "DataImage" } else { "FusionCompute" },
        // Arm images boot with UEFI ("当架构类型为arm时，镜像引导方式将自动转为UEFI").
        firmware: if arm {
            FirmwareType::Uefi
        } else {
            FirmwareType::Bios
        }
        .as_str(),
        arm,
        ..file_image!(quick)
    };
    let (system, data) = if data {
        (None, vec![facts])
    } else {
        (Some(facts), Vec::new())
    };
    ImagePlan {
        kind: JobKind::QuickImport,
        system,
        data,
        instance_id: None,
    }
}

/// The page is silent about the job: its one image is named where a system image's is, `entities.image_id`.
fn plan_obs_data_image(file: ObsDataImageFile) -> ImagePlan {
    let facts = file_image!(file);
    ImagePlan {
        kind: JobKind::ObsDataImage,
        system: Some(facts),
        data: Vec::new(),
        instance_id: None,
    }
}

/// `virtual_env_type` of a system image: ECS and FusionCompute mean an ECS image, BMS and Ironic a
/// bare-metal one.
fn environment(image_type: Option<ImageType>) -> &'static str {
    match image_type {
        None | Some(ImageType::Ecs) | Some(ImageType::FusionCompute) => "FusionCompute",
        Some(ImageType::Bms) | Some(ImageType::Ironic) => "Ironic",
        Some(ImageType::IsoImage) => "IsoImage",
    }
}

fn enterprise_project(given: Option<String>) -> String {
    given.unwrap_or_else(|| DEFAULT_ENTERPRISE_PROJECT.to_owned())
}

/// Both tag styles as the `"key.value"` strings an image shows.
fn tag_strings(tags: Option<Vec<String>>, image_tags: Option<Vec<ImageTag>>) -> Vec<String> {
    match (tags, image_tags) {
        (Some(tags), _) if !tags.is_empty() => tags,
        (_, Some(image_tags)) => image_tags
            .into_iter()
            .map(|tag| format!("{}.{}", tag.key, tag.value))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcims::spec::UnknownKeys;
    use serde_json::json;

    fn plan(body: serde_json::Value) -> ImagePlan {
        ImagePlan::from(ImageSpec::from_json(None, &body, UnknownKeys::Keep).expect("valid"))
    }

    #[test]
    fn a_server_image_comes_from_its_instance() {
        let plan = plan(
            json!({"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
                               "image_tags": [{"key": "env", "value": "prod"}], "min_ram": 1024}),
        );
        assert_eq!(plan.kind, JobKind::Server);
        assert_eq!(
            plan.instance_id.as_deref(),
            Some("877a2cda-ba63-4e1e-b95f-e67e48b6129a")
        );
        let system = plan.system.unwrap();
        assert_eq!(system.name, "web");
        assert_eq!(system.tags, ["env.prod"]);
        assert_eq!(system.min_ram, 1024);
        assert_eq!(
            system.data_origin,
            "instance,877a2cda-ba63-4e1e-b95f-e67e48b6129a"
        );
        assert!(plan.data.is_empty());
    }

    #[test]
    fn data_images_take_the_top_level_values_they_do_not_override() {
        let plan = plan(
            json!({"description": "shared", "tags": ["a.1"], "data_images": [
            {"name": "d1", "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"},
            {"name": "d2", "volume_id": "0e7a1f4b-5e65-4c2b-a2f5-1b9b2a0f6c11",
             "description": "own", "tags": ["b.2"]}]}),
        );
        assert_eq!(plan.kind, JobKind::DataImages);
        assert!(plan.system.is_none());
        assert_eq!(plan.names().collect::<Vec<_>>(), ["d1", "d2"]);
        assert_eq!(
            (plan.data[0].description.as_str(), &plan.data[0].tags[..]),
            ("shared", &["a.1".to_owned()][..])
        );
        assert_eq!(
            (plan.data[1].description.as_str(), &plan.data[1].tags[..]),
            ("own", &["b.2".to_owned()][..])
        );
        assert!(plan
            .data
            .iter()
            .all(|image| image.env == "DataImage" && image.os.is_none()));
    }

    #[test]
    fn unnamed_obs_data_disks_are_named_after_the_system_image() {
        let plan = plan(
            json!({"name": "sys", "image_url": "b:o.qcow2", "min_disk": 50,
            "os_version": "Ubuntu 18.04 server 64bit", "architecture": "arm",
            "data_images": [{"image_url": "b:d.qcow2", "min_disk": 10},
                            {"name": "own", "image_url": "b:e.qcow2", "min_disk": 20}]}),
        );
        assert_eq!(plan.kind, JobKind::Obs);
        assert_eq!(
            plan.names().collect::<Vec<_>>(),
            ["sys", "sys-data1", "own"]
        );
        let system = plan.system.unwrap();
        assert_eq!(system.min_disk, 50);
        assert_eq!(system.os.unwrap().platform, "Ubuntu");
        assert_eq!((system.firmware, system.arm), ("uefi", true));
        assert_eq!(plan.data[1].min_disk, 20);
        assert_eq!(plan.data[0].data_origin, "file,b:d.qcow2");
    }

    #[test]
    fn the_image_type_decides_the_environment() {
        let volume = plan(
            json!({"name": "v", "volume_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
                                 "os_version": "CentOS 7.0 64bit", "type": "BMS"}),
        );
        assert_eq!(volume.kind, JobKind::Volume);
        assert_eq!(volume.system.unwrap().env, "Ironic");
        let iso = plan(json!({"name": "i", "image_url": "b:x.iso", "min_disk": 40,
                              "os_version": "CentOS 7.0 64bit", "type": "IsoImage"}));
        assert_eq!(iso.system.unwrap().env, "IsoImage");
    }
}
