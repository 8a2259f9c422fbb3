//! The bodies IMS and its API gateway answer with.

use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The gateway's code for a path or method no API is published at.
const API_NOT_FOUND: &str = "APIGW.0101";

/// What an IMS call's handler returns: its 200 document, or IMS's refusal.
pub(crate) type ImsAnswer = Result<Document, ImsError>;

/// A JSON document answered with 200.
#[derive(Debug)]
pub(crate) struct Document(pub Value);

impl IntoResponse for Document {
    fn into_response(self) -> Response {
        json_response(StatusCode::OK, &self.0)
    }
}

/// An error as the API gateway words it: flat, with its own copy of the request id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GatewayError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl GatewayError {
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code,
            message: message.into(),
        }
    }

    /// What the gateway answers for a path or method no API is published at.
    pub fn api_not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: API_NOT_FOUND,
            message: "The API does not exist or has not been published in the environment".into(),
        }
    }

    pub fn into_response(self, request_id: &str) -> Response {
        json_response(
            self.status,
            &json!({"error_code": self.code, "error_msg": self.message, "request_id": request_id}),
        )
    }
}

/// An error as IMS itself words it: `{"error": {"code": "IMG.xxxx", "message": ...}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ImsError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ImsError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ImsError {
    fn into_response(self) -> Response {
        json_response(
            self.status,
            &json!({"error": {"code": self.code, "message": self.message}}),
        )
    }
}

pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut response = Response::new(Body::from(value.to_string()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
