//! IMS's error codes the emulator answers with, so a new call reuses the code IMS documents rather
//! than inventing one. The gateway's codes stay with the part of the gateway that answers them
//! (auth.rs, rate_limit.rs, gateway.rs, replies.rs).

use hcims::spec::codes;

/// IMS's code for a body (or query) that is not what the call takes.
pub(crate) const MALFORMED_BODY: &str = codes::MALFORMED;
/// IMS's code for an empty body.
pub(crate) const EMPTY_BODY: &str = "IMG.0007";
/// IMS's code for a server image of an ECS that does not exist.
pub(crate) const UNKNOWN_INSTANCE: &str = "IMG.0005";
/// IMS's code for an image name that is taken.
pub(crate) const NAME_TAKEN: &str = "IMG.0009";
/// IMS's code when the project holds as many private images as its quota allows.
pub(crate) const QUOTA_REACHED: &str = "IMG.0015";
/// IMS's code when the project in a job path is not the caller's.
pub(crate) const PROJECT_MISMATCH: &str = "IMG.0030";
/// IMS's code for task flow control: the tenant runs as many image tasks as it may.
pub(crate) const TOO_MANY_RUNNING: &str = "IMG.0060";
/// The docs name no code for an unknown job id; this one is the emulator's own.
pub(crate) const JOB_NOT_FOUND: &str = "IMG.0404";
/// The error code of an emulated job failure: IMS's "image-file registration failed".
pub(crate) const JOB_FAILED: &str = "IMG.1075";
/// IMS's code for an image id the project does not have (never had, or deleted).
pub(crate) const UNKNOWN_IMAGE: &str = "IMG.0027";
/// IMS's code for deleting an image its job still makes.
pub(crate) const IMAGE_BEING_MADE: &str = "IMG.0090";
/// IMS's code for an image that is not active (only active images may be updated).
pub(crate) const IMAGE_NOT_ACTIVE: &str = "IMG.0046";
/// IMS's code for an image that would have more tags than it may.
pub(crate) const TAG_QUOTA: &str = "IMG.0116";
