//! Image specs: the four ways to make an image with `POST /v2/cloudimages/action`, their fields
//! (named as the API names them) and every request rule, checked before a byte is sent.
//!
//! [`ImageSpec::from_json`] reads a request body and reports ill-typed fields, unknown keys and broken
//! rules together, each with its field path and the `IMG.xxxx` code IMS would answer.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;

mod choices;
pub mod codes;
mod data_images;
mod error;
mod extra;
mod ids;
mod image_changes;
mod obs;
mod obs_data_image;
mod os_versions;
mod path;
mod quick_import;
mod read;
mod rules;
mod server;
mod shared;
mod sizes;
mod suggest;
mod tag_changes;
mod tags;
mod text;
mod volume;
mod way;
mod whole;

#[cfg(test)]
mod obs_data_image_tests;
#[cfg(test)]
mod quick_import_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod whole_tests;

pub use choices::{
    python_literals, Architecture, Choice, FirmwareType, ImageType, OsType, QuickImportType,
    UnknownWord, WholeImageType,
};
pub use data_images::{DataImage, ServerDataImages};
pub use error::{FieldError, ValidationErrors};
pub use ids::is_uuid;
pub use image_changes::{image_attribute, image_changes, ImageChange};
pub use obs::{ObsDataImage, ObsImage};
pub use obs_data_image::{ObsDataImageFile, OBS_DATA_IMAGE_PATH};
pub use os_versions::{is_known_os_version, known_os_versions};
pub use quick_import::{QuickImportImage, QUICK_IMPORT_PATH};
pub use rules::{RuleKind, Rules, UnknownRules, ENV_RULES, SWITCH_HINT};
pub use server::ServerImage;
pub use tag_changes::{tag_changes, TagChanges};
pub use tags::{split_tag, ImageTag};
pub use volume::VolumeImage;
pub use way::{FieldSchema, WaySchema};
pub use whole::{WholeBackupImage, WholeServerImage, WHOLE_IMAGE_PATH};

use error::Report;
use path::FieldPath;
use read::{Object, Reader};

/// The way an image is made; each has its own request fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// A system image from an ECS: `instance_id`.
    Server,
    /// Data-disk images from an ECS's volumes: `data_images` without `instance_id`.
    DataImages,
    /// An image from an external file in OBS: `image_url`.
    Obs,
    /// A system image from a data volume: `volume_id`.
    Volume,
    /// A whole image of an ECS (`POST /v1/cloudimages/wholeimages/action` with `instance_id`); never
    /// read from a body's keys: `instance_id` alone means a system image.
    WholeServer,
    /// A whole image from an ECS backup (`POST /v1/cloudimages/wholeimages/action` with `backup_id`).
    WholeBackup,
    /// A quick import of a big file in OBS (`POST /v2/cloudimages/quickimport/action`); only ever named.
    QuickImport,
    /// A data image from an OBS file (`POST /v1/cloudimages/dataimages/action`); only ever named.
    ObsDataImage,
}

impl Mode {
    /// The four ways of `POST /v2/cloudimages/action`, which a body's keys decide.
    pub const ALL: [Mode; 4] = [Mode::Server, Mode::DataImages, Mode::Obs, Mode::Volume];
    /// The ways of `POST /v1/cloudimages/wholeimages/action`, only ever named.
    pub const WHOLE: [Mode; 2] = [Mode::WholeServer, Mode::WholeBackup];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Server => "server",
            Mode::DataImages => "data_images",
            Mode::Obs => "obs",
            Mode::Volume => "volume",
            Mode::WholeServer => "whole_server",
            Mode::WholeBackup => "whole_backup",
            Mode::QuickImport => "quick_import",
            Mode::ObsDataImage => "obs_data_image",
        }
    }

    /// The top-level key that marks a request of this mode.
    pub fn deciding_key(self) -> &'static str {
        match self {
            Mode::Server => "instance_id",
            Mode::DataImages => "data_images",
            Mode::Obs => "image_url",
            Mode::Volume => "volume_id",
            Mode::WholeServer => "instance_id",
            Mode::WholeBackup => "backup_id",
            Mode::QuickImport | Mode::ObsDataImage => "image_url",
        }
    }

    /// The API page whose rules this way's spec follows.
    pub fn page(self) -> &'static str {
        match self {
            Mode::Server => ServerImage::PAGE,
            Mode::DataImages => ServerDataImages::PAGE,
            Mode::Obs => ObsImage::PAGE,
            Mode::Volume => VolumeImage::PAGE,
            Mode::WholeServer => WholeServerImage::PAGE,
            Mode::WholeBackup => WholeBackupImage::PAGE,
            Mode::QuickImport => QuickImportImage::PAGE,
            Mode::ObsDataImage => ObsDataImageFile::PAGE,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Mode::Server => "a system image from an ECS",
            Mode::DataImages => "data-disk images from an ECS",
            Mode::Obs => "an image from an OBS file",
            Mode::Volume => "a system image from a data volume",
            Mode::WholeServer => "a whole image of an ECS",
            Mode::WholeBackup => "a whole image from an ECS backup",
            Mode::QuickImport => "a quick import of an OBS file",
            Mode::ObsDataImage => "a data image from an OBS file",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for parsing a mode name other than server, data_images, obs or volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMode(pub String);

impl fmt::Display for UnknownMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown image mode {:?}: expected server, data_images, obs or volume (or whole_server, whole_backup, quick_import, obs_data_image)",
            self.0
        )
    }
}

impl std::error::Error for UnknownMode {}

impl FromStr for Mode {
    type Err = UnknownMode;

    fn from_str(s: &str) -> Result<Self, UnknownMode> {
        Mode::ALL
            .into_iter()
            .chain(Mode::WHOLE)
            .chain([Mode::QuickImport, Mode::ObsDataImage])
            .find(|mode| mode.as_str() == s)
            .ok_or_else(|| UnknownMode(s.to_owned()))
    }
}

/// What [`ImageSpec::from_json`] does with keys the spec does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownKeys {
    /// Refuse them, suggesting the closest known key (clients).
    Reject,
    /// Keep them in `extra` and send them on (the emulator, which must accept what IMS accepts).
    Keep,
}

/// The page of `POST /v2/cloudimages/action`, whose rules the four ways of making an image follow.
pub const CREATE_IMAGE_PAGE: &str = "create-image page";

/// The path of the seed's four ways.
pub const CREATE_ACTION_PATH: &str = "/v2/cloudimages/action";

/// The keys that decide the mode; one of them in a request of another mode is always an error.
pub(crate) const MODE_KEYS: &[&str] = &["instance_id", "data_images", "image_url", "volume_id"];

/// One request to `POST /v2/cloudimages/action`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ImageSpec {
    Server(ServerImage),
    DataImages(ServerDataImages),
    Obs(ObsImage),
    Volume(VolumeImage),
    WholeServer(WholeServerImage),
    WholeBackup(WholeBackupImage),
    QuickImport(QuickImportImage),
    ObsDataImage(ObsDataImageFile),
}

/// `ImageSpec::from(way)` for each way's struct.
macro_rules! image_spec_from {
    ($($variant:ident($way:ty)),+) => {
        $(impl From<$way> for ImageSpec {
            fn from(spec: $way) -> Self {
                ImageSpec::$variant(spec)
            }
        })+
    };
}

image_spec_from!(
    Server(ServerImage),
    DataImages(ServerDataImages),
    Obs(ObsImage),
    Volume(VolumeImage),
    WholeServer(WholeServerImage),
    WholeBackup(WholeBackupImage),
    QuickImport(QuickImportImage),
    ObsDataImage(ObsDataImageFile)
);

impl ImageSpec {
    /// Reads a JSON object with the API's own keys, holding it to every rule (`Rules::Enforce`).
    ///
    /// `mode: None` reads the mode from the keys: `instance_id` makes a server image, `data_images`
    /// without `instance_id`/`image_url`/`volume_id` data-disk images, `image_url` an image from OBS,
    /// `volume_id` an image from a volume. A key `extra` holding an object is merged into the spec's
    /// extra fields. Type errors, unknown keys and broken rules are reported together.
    pub fn from_json(
        mode: Option<Mode>,
        value: &Value,
        unknown: UnknownKeys,
    ) -> Result<ImageSpec, ValidationErrors> {
        Self::from_json_with(mode, value, unknown, Rules::Enforce).map(|(spec, _)| spec)
    }

    /// [`ImageSpec::from_json`] under `rules`: with `Rules::Warn` a spec that breaks only value rules
    /// is read with its values as given and returned with those violations, to be issued as warnings.
    pub fn from_json_with(
        mode: Option<Mode>,
        value: &Value,
        unknown: UnknownKeys,
        rules: Rules,
    ) -> Result<(ImageSpec, Vec<FieldError>), ValidationErrors> {
        let Value::Object(object) = value else {
            return Err(body_error(format!(
                "the request body must be a JSON object, got {}",
                read::describe(value)
            )));
        };
        let mode = match mode {
            Some(mode) => mode,
            None => detect_mode(object)?,
        };
        let mut reader = Reader::new(unknown, mode.page());
        let (reader_at, root) = (&mut reader, &FieldPath::Root);
        let spec = match mode {
            Mode::Server => ImageSpec::Server(ServerImage::read_at(reader_at, object, root)),
            Mode::DataImages => {
                ImageSpec::DataImages(ServerDataImages::read_at(reader_at, object, root))
            }
            Mode::Obs => ImageSpec::Obs(ObsImage::read_at(reader_at, object, root)),
            Mode::Volume => ImageSpec::Volume(VolumeImage::read_at(reader_at, object, root)),
            Mode::WholeServer => {
                ImageSpec::WholeServer(WholeServerImage::read_at(reader_at, object, root))
            }
            Mode::WholeBackup => {
                ImageSpec::WholeBackup(WholeBackupImage::read_at(reader_at, object, root))
            }
            Mode::QuickImport => {
                ImageSpec::QuickImport(QuickImportImage::read_at(reader_at, object, root))
            }
            Mode::ObsDataImage => {
                ImageSpec::ObsDataImage(ObsDataImageFile::read_at(reader_at, object, root))
            }
        };
        let mut report = spec.check();
        if !reader.report.is_empty() {
            reader.report.merge_rules(report);
            report = reader.report;
        }
        let warnings = report.split(rules)?;
        Ok((spec, warnings))
    }

    /// Checks the rules of a spec built by hand (the types already hold for one built in Rust).
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        self.check().into_result()
    }

    /// Checks the rules of the spec under `rules`: the value violations `Rules::Warn` lets through
    /// come back, to be issued as warnings.
    pub fn validate_with(&self, rules: Rules) -> Result<Vec<FieldError>, ValidationErrors> {
        self.check().split(rules)
    }

    fn check(&self) -> Report {
        let mut report = Report::on_page(self.mode().page());
        let root = FieldPath::Root;
        match self {
            ImageSpec::Server(spec) => spec.check(&root, &mut report),
            ImageSpec::DataImages(spec) => spec.check(&root, &mut report),
            ImageSpec::Obs(spec) => spec.check(&root, &mut report),
            ImageSpec::Volume(spec) => spec.check(&root, &mut report),
            ImageSpec::WholeServer(spec) => spec.check(&root, &mut report),
            ImageSpec::WholeBackup(spec) => spec.check(&root, &mut report),
            ImageSpec::QuickImport(spec) => spec.check(&root, &mut report),
            ImageSpec::ObsDataImage(spec) => spec.check(&root, &mut report),
        }
        report
    }

    /// Things worth telling the user that do not stop the request, e.g. an `os_version` outside the
    /// bundled list (the live list changes, so it is sent anyway).
    pub fn warnings(&self) -> Vec<String> {
        self.warnings_against(None)
    }

    /// The warnings, with the `os_version` checked against `live` (a region's live list) when given,
    /// else against the bundled list.
    pub fn warnings_against(&self, live: Option<&HashSet<&str>>) -> Vec<String> {
        let os_version = match self {
            ImageSpec::Obs(spec) => spec.os_version.as_deref(),
            ImageSpec::Volume(spec) => Some(spec.os_version.as_str()),
            ImageSpec::QuickImport(spec) => spec.os_version.as_deref(),
            ImageSpec::Server(_)
            | ImageSpec::DataImages(_)
            | ImageSpec::WholeServer(_)
            | ImageSpec::WholeBackup(_)
            | ImageSpec::ObsDataImage(_) => None,
        };
        os_version
            .filter(|v| !v.is_empty())
            .and_then(|v| match live {
                None => os_versions::os_version_warning(v),
                Some(live) => os_versions::live_os_version_warning(v, live),
            })
            .into_iter()
            .collect()
    }

    pub fn mode(&self) -> Mode {
        match self {
            ImageSpec::Server(_) => Mode::Server,
            ImageSpec::DataImages(_) => Mode::DataImages,
            ImageSpec::Obs(_) => Mode::Obs,
            ImageSpec::Volume(_) => Mode::Volume,
            ImageSpec::WholeServer(_) => Mode::WholeServer,
            ImageSpec::WholeBackup(_) => Mode::WholeBackup,
            ImageSpec::QuickImport(_) => Mode::QuickImport,
            ImageSpec::ObsDataImage(_) => Mode::ObsDataImage,
        }
    }

    /// The top-level name; for data-disk images without one, the first data image's name.
    pub fn name(&self) -> Option<&str> {
        match self {
            ImageSpec::Server(spec) => Some(&spec.name),
            ImageSpec::DataImages(spec) => spec
                .name
                .as_deref()
                .or_else(|| spec.data_images.first().map(|image| image.name.as_str())),
            ImageSpec::Obs(spec) => Some(&spec.name),
            ImageSpec::Volume(spec) => Some(&spec.name),
            ImageSpec::WholeServer(spec) => Some(&spec.name),
            ImageSpec::WholeBackup(spec) => Some(&spec.name),
            ImageSpec::QuickImport(spec) => Some(&spec.name),
            ImageSpec::ObsDataImage(spec) => Some(&spec.name),
        }
    }

    /// Where the spec is sent: the seed's four ways share one path, whole images have their own.
    pub fn path(&self) -> &'static str {
        match self {
            ImageSpec::WholeServer(_) | ImageSpec::WholeBackup(_) => WHOLE_IMAGE_PATH,
            ImageSpec::QuickImport(_) => QUICK_IMPORT_PATH,
            ImageSpec::ObsDataImage(_) => OBS_DATA_IMAGE_PATH,
            _ => CREATE_ACTION_PATH,
        }
    }

    /// The JSON body to send.
    pub fn to_body(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(256);
        // Writing strings, numbers and JSON values with string keys into memory cannot fail.
        serde_json::to_writer(&mut body, self).expect("a spec always serialises to JSON");
        body
    }
}

/// Every spec class in the order Python defines them (data images before the specs holding them).
pub fn schema() -> Vec<WaySchema> {
    vec![
        DataImage::schema(),
        ServerImage::schema(),
        ServerDataImages::schema(),
        ObsDataImage::schema(),
        ObsImage::schema(),
        VolumeImage::schema(),
        WholeServerImage::schema(),
        WholeBackupImage::schema(),
        QuickImportImage::schema(),
        ObsDataImageFile::schema(),
    ]
}

/// A shape error of the whole body, which no way's page can be chosen for yet.
fn body_error(message: String) -> ValidationErrors {
    ValidationErrors(vec![FieldError {
        path: String::new(),
        message,
        ims_code: codes::MALFORMED,
        kind: RuleKind::Shape,
        page: CREATE_IMAGE_PAGE,
    }])
}

fn is_present(object: &Object, key: &str) -> bool {
    !matches!(object.get(key), None | Some(Value::Null))
}

/// The mode a body's keys ask for: exactly one of instance_id, image_url and volume_id, or
/// data_images alone.
fn detect_mode(object: &Object) -> Result<Mode, ValidationErrors> {
    let mut found = [Mode::Server, Mode::Obs, Mode::Volume]
        .into_iter()
        .filter(|mode| is_present(object, mode.deciding_key()));
    match (found.next(), found.next()) {
        (Some(mode), None) => Ok(mode),
        (None, _) if is_present(object, "data_images") => Ok(Mode::DataImages),
        (None, _) => {
            let mut errors = body_error(
                "cannot tell which kind of image to make: the body needs instance_id (a system image from an ECS), \
                 data_images without instance_id (data-disk images from an ECS), image_url (an image from an OBS file) \
                 or volume_id (a system image from a data volume)"
                    .to_owned(),
            );
            // A misspelt deciding key ("instance-id") is the likely cause: name it.
            for key in object.keys() {
                if let Some(close) =
                    suggest::closest(key, MODE_KEYS.iter().copied(), suggest::edits_for_key)
                {
                    errors.0.push(FieldError {
                        path: key.clone(),
                        message: format!(
                            "unknown field {}; did you mean '{close}'?",
                            error::quoted(key)
                        ),
                        ims_code: codes::MALFORMED,
                        kind: RuleKind::Shape,
                        page: CREATE_IMAGE_PAGE,
                    });
                }
            }
            Err(errors)
        }
        (Some(first), Some(second)) => {
            let third = found
                .next()
                .map(|m| format!(" and {}", m.deciding_key()))
                .unwrap_or_default();
            Err(body_error(format!(
                "{} and {}{third} cannot be combined: one request makes one kind of image, decided by exactly one \
                 of instance_id (from an ECS), image_url (from an OBS file) and volume_id (from a data volume)",
                first.deciding_key(),
                second.deciding_key(),
            )))
        }
    }
}

/// A key outside the spec's fields. At the top level (`mode` given) a key that decides another mode
/// is always refused; anything else is unknown (refused or kept, as the reader was told).
pub(crate) fn read_other_key(
    reader: &mut Reader,
    mode: Option<Mode>,
    key: &str,
    value: &Value,
    at: &FieldPath<'_>,
    fields: &[&str],
    extra: &mut Object,
) {
    let Some(mode) = mode.filter(|_| MODE_KEYS.contains(&key)) else {
        reader.unknown(key, value, at, fields, extra);
        return;
    };
    if value.is_null() {
        return;
    }
    let message = match (mode, key) {
        (Mode::DataImages, "instance_id") => "must not be sent with data_images: data-disk images take their disks \
             from data_images[].volume_id (leave out data_images to make a system image from the ECS)"
            .to_owned(),
        (Mode::Server, "data_images") => "must not be sent with instance_id: for data-disk images from an ECS, \
             send data_images without instance_id"
            .to_owned(),
        _ => {
            let owner = Mode::ALL
                .into_iter()
                .find(|m| m.deciding_key() == key)
                .map_or("another kind of image", Mode::what);
            format!(
                "belongs to requests for {owner}, not to this request for {}",
                mode.what()
            )
        }
    };
    reader.report.shape(at, codes::MALFORMED, message);
}
