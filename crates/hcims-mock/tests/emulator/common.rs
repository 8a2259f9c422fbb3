//! Talking to the emulator over real HTTP, as a client would.

use std::time::SystemTime;

use hcims::sign::SigningRequest;
use hcims_mock::{MockConfig, MockIms};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub fn start(config: MockConfig) -> MockIms {
    MockIms::start(config).expect("the emulator starts")
}

pub fn start_default() -> MockIms {
    start(MockConfig::default())
}

/// How a request proves who sends it.
#[derive(Clone, Debug)]
pub enum Auth {
    /// Signed with the emulator's own AK/SK, with its project and security token.
    Signed,
    /// Signed with these credentials, this project and this security token.
    SignedAs {
        ak: String,
        sk: String,
        project_id: Option<String>,
        security_token: Option<String>,
    },
    /// Signed with the emulator's credentials, dated at this time.
    SignedAt(SystemTime),
    /// Signed properly, then the body is changed on the way.
    SignedThenTampered,
    Token(String),
    Anonymous,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn request_id(&self) -> &str {
        self.headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .expect("an X-Request-Id header")
    }

    /// The `(code, message)` of an IMS error body.
    pub fn ims_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .expect("an IMS error body")
            .to_owned()
    }

    /// The code of a gateway error body, after checking it carries the header's request id.
    pub fn gateway_code(&self) -> String {
        let body = self.json();
        assert_eq!(
            body["request_id"],
            self.request_id(),
            "the body's request id is the header's"
        );
        assert!(body["error_msg"].is_string(), "{body}");
        body["error_code"]
            .as_str()
            .expect("a gateway error body")
            .to_owned()
    }
}

pub fn http_client() -> reqwest::Client {
    // reqwest is built without a crypto provider; installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().expect("an HTTP client")
}

/// Sends one request and reads the whole answer.
pub async fn send(
    ims: &MockIms,
    method: Method,
    path_and_query: &str,
    body: &str,
    auth: Auth,
) -> Answer {
    send_with(&http_client(), ims, method, path_and_query, body, auth).await
}

pub async fn send_with(
    client: &reqwest::Client,
    ims: &MockIms,
    method: Method,
    path_and_query: &str,
    body: &str,
    auth: Auth,
) -> Answer {
    let config = ims.config().clone();
    let sent_body = match auth {
        // Valid JSON still, so only the signature can tell.
        Auth::SignedThenTampered => format!("{body} "),
        _ => body.to_owned(),
    };
    let mut request = client
        .request(
            method.clone(),
            format!("{}{}", ims.endpoint(), path_and_query),
        )
        .header("content-type", "application/json")
        .body(sent_body);
    let credentials = match auth {
        Auth::Signed | Auth::SignedThenTampered => Some((
            config.ak,
            config.sk,
            Some(config.project_id),
            config.security_token,
            SystemTime::now(),
        )),
        Auth::SignedAt(when) => Some((
            config.ak,
            config.sk,
            Some(config.project_id),
            config.security_token,
            when,
        )),
        Auth::SignedAs {
            ak,
            sk,
            project_id,
            security_token,
        } => Some((ak, sk, project_id, security_token, SystemTime::now())),
        Auth::Token(token) => {
            request = request.header("x-auth-token", token);
            None
        }
        Auth::Anonymous => None,
    };
    if let Some((ak, sk, project_id, security_token, when)) = credentials {
        let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        if let Some(project_id) = project_id {
            headers.push(("X-Project-Id".to_owned(), project_id));
        }
        if let Some(token) = security_token {
            headers.push(("X-Security-Token".to_owned(), token));
        }
        let host = ims.address().to_string();
        for (name, value) in sign(
            &method,
            &host,
            path_and_query,
            &headers,
            body.as_bytes(),
            &ak,
            &sk,
            when,
        ) {
            request = request.header(name, value);
        }
    }
    let response = request.send().await.expect("the emulator answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a readable body");
    Answer {
        status,
        headers,
        text,
    }
}

/// The headers that sign a request with the core's signer: the given ones plus what it adds.
#[allow(clippy::too_many_arguments)]
pub fn sign(
    method: &Method,
    host: &str,
    path_and_query: &str,
    headers: &[(String, String)],
    body: &[u8],
    ak: &str,
    sk: &str,
    when: SystemTime,
) -> Vec<(String, String)> {
    let (path, raw_query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let query = hcims::sign::decode_query(raw_query);
    let request = SigningRequest {
        method: method.as_str(),
        host,
        path,
        query: &query,
        headers,
        body,
    };
    let signed = hcims::sign::sign(&request, ak, sk, &hcims::sign::sdk_date(when));
    let mut all = headers.to_vec();
    all.extend(signed.added_headers);
    all.push(("Authorization".to_owned(), signed.authorization));
    all
}

pub async fn create(ims: &MockIms, body: &str) -> String {
    let answer = send(
        ims,
        Method::POST,
        "/v2/cloudimages/action",
        body,
        Auth::Signed,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json()["job_id"]
        .as_str()
        .expect("a job id")
        .to_owned()
}

pub async fn get_job(ims: &MockIms, job_id: &str) -> Value {
    let path = format!("/v1/{}/jobs/{job_id}", ims.config().project_id);
    let answer = send(ims, Method::GET, &path, "", Auth::Signed).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json()
}

/// Queries the job until it ends; returns every status seen and the final document.
pub async fn poll_to_end(ims: &MockIms, job_id: &str) -> (Vec<String>, Value) {
    let mut statuses = Vec::new();
    for _ in 0..50 {
        let job = get_job(ims, job_id).await;
        let status = job["status"].as_str().expect("a status").to_owned();
        statuses.push(status.clone());
        if status == "SUCCESS" || status == "FAIL" {
            return (statuses, job);
        }
    }
    panic!("job {job_id} never ended: {statuses:?}");
}

pub fn is_lower_hex_32(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
