//! The IMS error codes (`IMG.xxxx`, ims-facts.md section 3) that the real service answers for each
//! broken request rule; the emulator answers with the same codes.

/// The request body is malformed: unknown or ill-typed key, missing field, bad ID format.
pub const MALFORMED: &str = "IMG.0001";
/// The image name is longer than 128 characters.
pub const NAME_TOO_LONG: &str = "IMG.0002";
/// The image name has characters outside the allowed set or a leading/trailing space.
pub const NAME_FORMAT: &str = "IMG.0003";
/// The description is longer than 1024 characters.
pub const DESCRIPTION_TOO_LONG: &str = "IMG.0004";
/// The ECS ID (`instance_id`) is missing.
pub const INSTANCE_ID_MISSING: &str = "IMG.0012";
/// The image name is missing or empty.
pub const NAME_MISSING: &str = "IMG.0013";
/// The image `type` is not one the request accepts.
pub const IMAGE_TYPE: &str = "IMG.0024";
/// The description holds a carriage return, line break, `<` or `>`.
pub const DESCRIPTION_FORMAT: &str = "IMG.0054";
/// A memory or disk size (`min_ram`, `max_ram`, `min_disk`) is out of range.
pub const SIZE: &str = "IMG.0055";
/// `os_version` is missing or empty where it is required.
pub const OS_VERSION: &str = "IMG.0056";
/// A tag is invalid (format, length, duplicate key, `tags` with `image_tags`).
pub const TAG: &str = "IMG.0115";
/// More than 10 tags.
pub const TAG_QUOTA: &str = "IMG.0116";
/// `os_type` is not Linux, Windows or Other.
pub const OS_TYPE: &str = "IMG.0122";
/// The same image file URL appears twice in one request.
pub const DUPLICATE_IMAGE_URL: &str = "IMG.0123";
/// `hw_firmware_type` is not bios or uefi.
pub const FIRMWARE_TYPE: &str = "IMG.0141";
/// Quick import (`is_quick_import: true`) without `os_version`.
pub const QUICK_IMPORT_OS_VERSION: &str = "IMG.0159";
/// An ISO file (`.iso` object or `type: IsoImage`) without `os_version`.
pub const ISO_OS_VERSION: &str = "IMG.0166";
/// The OBS folder or file name contains spaces.
pub const FILE_NAME_SPACE: &str = "IMG.0175";
/// `architecture` is not x86 or arm.
pub const ARCHITECTURE: &str = "IMG.0212";
/// The backup ID (`backup_id`) of a whole image is missing.
pub const BACKUP_ID_MISSING: &str = "IMG.0019";
