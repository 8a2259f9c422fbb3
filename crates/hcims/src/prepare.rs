//! A dry run: the request exactly as it would be sent, with its secrets masked.

use std::fmt;

/// Headers whose whole value is a credential.
const SECRET_HEADERS: [&str; 2] = ["x-security-token", "x-auth-token"];
pub const MASK: &str = "***";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    pub method: String,
    pub url: String,
    /// As sent, but with tokens masked and the signature of `Authorization` replaced by `***`.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl PreparedRequest {
    pub(crate) fn new(
        method: &str,
        url: String,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Self {
        PreparedRequest {
            method: method.to_owned(),
            url,
            headers: headers
                .iter()
                .map(|(name, value)| (name.clone(), mask_header(name, value)))
                .collect(),
            body: String::from_utf8_lossy(body).into_owned(),
        }
    }

    /// A shell command that sends the same request (with the masked values: fill them in to replay it).
    pub fn to_curl(&self) -> String {
        let mut out = format!("curl -X {} {}", self.method, shell_quote(&self.url));
        for (name, value) in &self.headers {
            // curl sets Host from the URL; repeating it only adds noise.
            if name.eq_ignore_ascii_case("host") {
                continue;
            }
            out.push_str(" \\\n  -H ");
            out.push_str(&shell_quote(&format!("{name}: {value}")));
        }
        if !self.body.is_empty() {
            out.push_str(" \\\n  --data-binary ");
            out.push_str(&shell_quote(&self.body));
        }
        out
    }
}

impl fmt::Display for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, self.url)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        if !self.body.is_empty() {
            writeln!(f)?;
            f.write_str(&self.body)?;
        }
        Ok(())
    }
}

/// Masks what lets someone act as the user: tokens whole, and the signature of an Authorization value
/// (its access key and signed-header list stay: they help debugging and grant nothing).
pub fn mask_header(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if SECRET_HEADERS.contains(&lower.as_str()) {
        return MASK.to_owned();
    }
    if lower == "authorization" {
        return match value.find("Signature=") {
            Some(at) => format!("{}Signature={MASK}", &value[..at]),
            None => MASK.to_owned(),
        };
    }
    value.to_owned()
}

/// POSIX single quoting: everything literal, embedded quotes closed and escaped.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked() {
        let headers = vec![
            (
                "Authorization".to_owned(),
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abcdef".to_owned(),
            ),
            ("X-Security-Token".to_owned(), "tok".to_owned()),
            ("X-Auth-Token".to_owned(), "iam".to_owned()),
            ("X-Project-Id".to_owned(), "p".to_owned()),
        ];
        let p = PreparedRequest::new(
            "POST",
            "https://h/v2/cloudimages/action".into(),
            &headers,
            b"{}",
        );
        let text = format!("{p}\n{}\n{p:?}", p.to_curl());
        for secret in ["abcdef", "tok", "iam"] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
        assert!(text.contains("Access=AK, SignedHeaders=host, Signature=***"));
        assert!(text.contains("X-Project-Id: p"));
    }

    #[test]
    fn curl_quotes_bodies() {
        let p = PreparedRequest::new("POST", "https://h/x".into(), &[], br#"{"name":"it's"}"#);
        assert_eq!(
            p.to_curl(),
            "curl -X POST 'https://h/x' \\\n  --data-binary '{\"name\":\"it'\\''s\"}'"
        );
    }
}
