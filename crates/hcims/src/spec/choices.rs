//! The fields that take one of a few fixed words: `type`, `os_type`, `architecture`, `hw_firmware_type`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codes;
use super::path::FieldPath;
use super::read::Reader;
use super::way::FieldValue;

/// A word-valued field: its words on the wire and the IMS code for any other word.
pub trait Choice: Copy + Sized + 'static {
    /// The accepted words, as sent, with their values.
    const WORDS: &'static [(&'static str, Self)];
    /// What IMS answers for a word outside `WORDS`.
    const IMS_CODE: &'static str;

    fn as_str(self) -> &'static str;

    fn from_word(word: &str) -> Option<Self> {
        Self::WORDS
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, v)| *v)
    }

    /// The message for a word outside the list; it offers the accepted word when only case differs.
    fn unknown_word_message(word: &str) -> String {
        let words = words::<Self>();
        let mut message = format!(
            "must be one of {}, got {}",
            words.join(", "),
            super::error::quoted(word)
        );
        if let Some(close) = words.iter().find(|w| w.eq_ignore_ascii_case(word)) {
            message.push_str(&format!(" (did you mean '{close}'?)"));
        }
        message
    }
}

/// The error for parsing a word outside a [`Choice`]'s list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord(pub String);

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UnknownWord {}

macro_rules! choice {
    ($(#[$doc:meta])* $name:ident, $code:expr, { $($(#[$vdoc:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $word)] $variant),+
        }

        impl Choice for $name {
            const WORDS: &'static [(&'static str, Self)] = &[$(($word, $name::$variant)),+];
            const IMS_CODE: &'static str = $code;

            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl FieldValue for $name {
            fn read(reader: &mut Reader, value: &Value, at: &FieldPath<'_>) -> Option<Self> {
                reader.choice(value, at)
            }
            /// The `Literal` alias of the same name in `hcims.specs`.
            fn python() -> String {
                stringify!($name).to_owned()
            }
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                <Self as Choice>::as_str(self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(<Self as Choice>::as_str(*self))
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;

            fn from_str(word: &str) -> Result<Self, UnknownWord> {
                Self::from_word(word).ok_or_else(|| UnknownWord(Self::unknown_word_message(word)))
            }
        }
    };
}

choice!(
    /// `type`: the kind of server the image is for.
    ImageType, codes::IMAGE_TYPE, {
        /// An ECS image (the default).
        Ecs = "ECS",
        /// A bare-metal server image.
        Bms = "BMS",
        /// An ECS image (the FusionCompute name for it).
        FusionCompute = "FusionCompute",
        /// A bare-metal server image (the Ironic name for it).
        Ironic = "Ironic",
        /// An image made from an ISO file (OBS mode only).
        IsoImage = "IsoImage",
    }
);

choice!(
    /// `os_type` of an image from an OBS file.
    OsType, codes::OS_TYPE, { Linux = "Linux", Windows = "Windows", Other = "Other" }
);

choice!(
    /// `architecture` of an image from an OBS file; arm makes the image boot with UEFI.
    Architecture, codes::ARCHITECTURE, { X86 = "x86", Arm = "arm" }
);

choice!(
    /// `hw_firmware_type`: how the image boots.
    FirmwareType, codes::FIRMWARE_TYPE, { Bios = "bios", Uefi = "uefi" }
);

choice!(
    /// `whole_image_type`: the service that holds the backup a whole image is made from.
    WholeImageType, codes::MALFORMED, { Cbr = "CBR", Csbs = "CSBS" }
);

choice!(
    /// `type` of a quick import: a system image for an ECS or a BMS, or a data image.
    QuickImportType, codes::IMAGE_TYPE, { Ecs = "ECS", Bms = "BMS", DataImage = "DataImage" }
);

/// The words of `T`, as sent.
pub(crate) fn words<T: Choice>() -> Vec<&'static str> {
    T::WORDS.iter().map(|(word, _)| *word).collect()
}

/// The `Literal` aliases of `hcims.specs`: (name, words) of each choice, and of `VolumeImageType`,
/// the image types an image from a volume may have.
pub fn python_literals() -> Vec<(String, Vec<&'static str>)> {
    vec![
        (OsType::python(), words::<OsType>()),
        (Architecture::python(), words::<Architecture>()),
        (FirmwareType::python(), words::<FirmwareType>()),
        (ImageType::python(), words::<ImageType>()),
        (WholeImageType::python(), words::<WholeImageType>()),
        (QuickImportType::python(), words::<QuickImportType>()),
        ("VolumeImageType".to_owned(), volume_image_types()),
    ]
}

/// Every image type but IsoImage: a volume holds an installed OS, not an ISO file.
pub(crate) fn volume_image_types() -> Vec<&'static str> {
    ImageType::WORDS
        .iter()
        .filter(|(_, value)| *value != ImageType::IsoImage)
        .map(|(word, _)| *word)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for (word, value) in ImageType::WORDS {
            assert_eq!(word.parse::<ImageType>().ok(), Some(*value));
            assert_eq!(value.as_str(), *word);
            assert_eq!(
                serde_json::to_value(value).ok(),
                Some(serde_json::json!(word))
            );
        }
        assert_eq!(
            "uefi".parse::<FirmwareType>().ok(),
            Some(FirmwareType::Uefi)
        );
        assert_eq!(Architecture::Arm.to_string(), "arm");
        assert_eq!(
            serde_json::from_str::<OsType>("\"Windows\"").ok(),
            Some(OsType::Windows)
        );
    }

    #[test]
    fn other_words_are_rejected_with_a_hint_for_case() {
        let error = "X86".parse::<Architecture>().unwrap_err();
        assert_eq!(
            error.0,
            "must be one of x86, arm, got \"X86\" (did you mean 'x86'?)"
        );
        let error = "Solaris".parse::<OsType>().unwrap_err();
        assert_eq!(
            error.0,
            "must be one of Linux, Windows, Other, got \"Solaris\""
        );
        assert!("ecs".parse::<ImageType>().is_err());
        assert!(serde_json::from_str::<FirmwareType>("\"BIOS\"").is_err());
    }

    #[test]
    fn each_choice_has_its_ims_code() {
        assert_eq!(ImageType::IMS_CODE, "IMG.0024");
        assert_eq!(OsType::IMS_CODE, "IMG.0122");
        assert_eq!(Architecture::IMS_CODE, "IMG.0212");
        assert_eq!(FirmwareType::IMS_CODE, "IMG.0141");
    }
}
