//! Identifiers in the shapes IMS uses: 32 lowercase hex for jobs and requests, UUIDs for images.

/// A request id as in `X-Request-Id`: 32 lowercase hex digits.
pub(crate) fn request_id() -> String {
    hex32()
}

/// A job id as in `{"job_id": ...}`: 32 lowercase hex digits.
pub(crate) fn job_id() -> String {
    hex32()
}

/// An image id: a random (version 4) UUID.
pub(crate) fn image_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

fn hex32() -> String {
    format!("{:032x}", rand::random::<u128>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_lower_hex(text: &str) -> bool {
        text.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    #[test]
    fn hex_ids_are_32_lowercase_hex_digits_and_differ() {
        let (first, second) = (request_id(), job_id());
        for id in [&first, &second] {
            assert_eq!(id.len(), 32, "{id}");
            assert!(is_lower_hex(id), "{id}");
        }
        assert_ne!(first, second);
    }

    #[test]
    fn image_ids_are_version_4_uuids() {
        let id = image_id();
        let parsed = uuid::Uuid::parse_str(&id).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(id, id.to_lowercase());
    }
}
