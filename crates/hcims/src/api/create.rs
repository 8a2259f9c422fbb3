//! Making an image: `POST /v2/cloudimages/action` with a checked spec's body, answered by a job id;
//! and the same request signed but not sent (`prepare`).

use std::borrow::Cow;
use std::time::SystemTime;

use bytes::Bytes;
use serde::Deserialize;

use crate::call::{Call, Request, Target};
use crate::client::Client;
use crate::error::Error;
use crate::prepare::PreparedRequest;
use crate::spec::{FieldError, ImageSpec, Rules};
use crate::transport::Answer;

pub const CREATE_PATH: &str = crate::spec::CREATE_ACTION_PATH;

/// A create that passed every rule, kept as the request body it will send: a batch holds one per spec
/// until its turn comes, at a third of the size of the spec itself.
#[derive(Debug, Clone)]
pub struct CheckedCreate {
    /// The seed's create path or another call that makes images (whole images): a batch may mix them.
    path: &'static str,
    body: Bytes,
}

impl CheckedCreate {
    /// Checks `spec` against every rule and serialises it.
    pub fn new(spec: &ImageSpec) -> Result<CheckedCreate, Error> {
        Self::with_rules(spec, Rules::Enforce).map(|(create, _)| create)
    }

    /// Checks `spec` under `rules` and serialises it as given, with the value violations `rules`
    /// lets through (the caller issues them as warnings).
    pub fn with_rules(
        spec: &ImageSpec,
        rules: Rules,
    ) -> Result<(CheckedCreate, Vec<FieldError>), Error> {
        let warnings = spec.validate_with(rules)?;
        let create = CheckedCreate {
            path: spec.path(),
            body: Bytes::from(spec.to_body()),
        };
        Ok((create, warnings))
    }
}

impl Call for CheckedCreate {
    /// The job id.
    type Output = String;

    fn request<'a>(&'a self, _project: &'a str) -> Request<'a> {
        Request::post(self.path, Cow::Borrowed(&self.body))
    }

    fn parse(&self, answer: &Answer) -> Result<String, Error> {
        job_id_from(answer)
    }
}

impl Client {
    /// Submits `spec` (validated again here, under this client's rules: the core never sends a request
    /// that breaks a rule it enforces) and returns the job id.
    pub async fn create(&self, spec: &ImageSpec) -> Result<String, Error> {
        self.call(&self.checked_create(spec)?).await
    }

    /// `spec` checked under this client's rules, ready to send; the value violations that "warn" lets
    /// through were issued when the spec was read (see [`ImageSpec::from_json_with`]).
    pub fn checked_create(&self, spec: &ImageSpec) -> Result<CheckedCreate, Error> {
        CheckedCreate::with_rules(spec, self.rules()).map(|(create, _)| create)
    }

    /// Whether this client refuses specs that break value rules or sends them as given.
    pub fn rules(&self) -> Rules {
        self.inner.options.rules
    }

    /// The create request for `spec`, signed now, with secrets masked. Nothing is sent to IMS (a project
    /// that was not given is discovered first).
    pub async fn prepare(&self, spec: &ImageSpec) -> Result<PreparedRequest, Error> {
        let project = self.project_id().await?;
        self.prepare_for(spec, project)
    }

    /// [`Client::prepare`] when the project is known (given, or found out before): no I/O, no runtime.
    pub fn prepare_now(&self, spec: &ImageSpec) -> Option<Result<PreparedRequest, Error>> {
        self.known_project_id()
            .map(|project| self.prepare_for(spec, project))
    }

    fn prepare_for(&self, spec: &ImageSpec, project: &str) -> Result<PreparedRequest, Error> {
        let create = self.checked_create(spec)?;
        let request = create.request(project);
        let (uri, headers) =
            self.sign_request(Target::Ims, Some(project), &request, SystemTime::now());
        Ok(PreparedRequest::new(
            "POST",
            format!("{}{uri}", self.inner.config.endpoint.base),
            &headers,
            &request.body,
        ))
    }
}

/// The part of a create's answer that matters: its `job_id` when that is a string. Read without
/// building a JSON tree; anything but an object has no job id.
struct CreateAnswer<'a> {
    job_id: Option<Cow<'a, str>>,
}

impl<'de> Deserialize<'de> for CreateAnswer<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectOnly;
        impl<'de> serde::de::Visitor<'de> for ObjectOnly {
            type Value = CreateAnswer<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut job_id = None;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if key == "job_id" {
                        // The last of repeated keys wins, as in a JSON object read whole.
                        job_id = map.next_value::<TextOrOther<'de>>()?.0;
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(CreateAnswer { job_id })
            }
        }
        deserializer.deserialize_map(ObjectOnly)
    }
}

/// A string, or None for any other JSON value (read and dropped).
struct TextOrOther<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for TextOrOther<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either<'a> {
            Text(#[serde(borrow)] Cow<'a, str>),
            Other(serde::de::IgnoredAny),
        }
        Ok(TextOrOther(match Either::deserialize(deserializer)? {
            Either::Text(text) => Some(text),
            Either::Other(_) => None,
        }))
    }
}

/// The job id of a create's answer.
fn job_id_from(answer: &Answer) -> Result<String, Error> {
    let job_id = serde_json::from_slice::<CreateAnswer<'_>>(&answer.body)
        .ok()
        .and_then(|answer| answer.job_id)
        .filter(|id| !id.is_empty())
        .map(Cow::into_owned);
    job_id.ok_or_else(|| {
        // IMS accepted something but did not say what: the image may well be on its way.
        Error::transport(
            format!(
                "IMS answered HTTP {} without a job_id: {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ),
            false,
            true,
        )
    })
}
