//! Field paths such as `data_images[2].min_disk`, kept as a chain of borrowed segments on the stack
//! so the happy path never allocates one; they become a `String` only when an error is reported.

use std::fmt::Write as _;

#[derive(Clone, Copy, Debug)]
pub(crate) enum FieldPath<'a> {
    Root,
    Key(&'a FieldPath<'a>, &'a str),
    Index(&'a FieldPath<'a>, usize),
}

impl<'a> FieldPath<'a> {
    pub(crate) fn key(&'a self, key: &'a str) -> FieldPath<'a> {
        FieldPath::Key(self, key)
    }

    pub(crate) fn index(&'a self, index: usize) -> FieldPath<'a> {
        FieldPath::Index(self, index)
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.write_into(&mut out);
        out
    }

    fn write_into(&self, out: &mut String) {
        match self {
            FieldPath::Root => {}
            FieldPath::Key(parent, key) => {
                parent.write_into(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            FieldPath::Index(parent, index) => {
                parent.write_into(out);
                // Writing into a String cannot fail.
                let _ = write!(out, "[{index}]");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FieldPath;

    #[test]
    fn renders_keys_and_indexes() {
        let root = FieldPath::Root;
        assert_eq!(root.render(), "");
        let data = root.key("data_images");
        let second = data.index(2);
        assert_eq!(second.key("min_disk").render(), "data_images[2].min_disk");
        let tags = root.key("tags");
        assert_eq!(tags.index(3).render(), "tags[3]");
        assert_eq!(
            root.key("image_tags").index(0).key("key").render(),
            "image_tags[0].key"
        );
    }
}
