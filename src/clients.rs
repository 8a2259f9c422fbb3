//! `hcims._native.Client` and `hcims._native.AsyncClient`: the core client seen from Python, blocking and
//! async. This file holds the classes, their constructors and settings; their IMS calls are bound in
//! `calls/`, one file per call group as in the core's `api/`, each method a few lines: the blocking one
//! runs a core [`hcims::Call`] with `run` (see `interruptible`), the async one with `spawn_call` (see
//! `pending`). The public `hcims.Client` and `hcims.AsyncClient` wrap them.

use std::path::PathBuf;

use pyo3::prelude::*;

use hcims::{ClientOptions, ConfigInput, Secret, TlsOptions};

use crate::errors::Fallible;
use crate::interruptible::blocking_call;
use crate::options::{retry_policy, rules_setting, seconds};
use crate::prepared::PyPreparedRequest;

#[pyclass(module = "hcims._native", name = "Client", frozen)]
pub struct PyClient {
    pub(crate) inner: hcims::Client,
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (*, region=None, endpoint=None, ak=None, sk=None, project_id=None,
                        security_token=None, auth_token=None, timeout=None, connect_timeout=None,
                        retries=None, retry_backoff=None, ca_bundle=None, verify=true, iam_endpoint=None,
                        rules=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        region: Option<String>,
        endpoint: Option<String>,
        ak: Option<String>,
        sk: Option<String>,
        project_id: Option<String>,
        security_token: Option<String>,
        auth_token: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        retries: Option<u32>,
        retry_backoff: Option<(f64, f64)>,
        ca_bundle: Option<PathBuf>,
        verify: bool,
        iam_endpoint: Option<String>,
        rules: Option<&str>,
    ) -> Fallible<Self> {
        let defaults = ClientOptions::default();
        let mut tls = TlsOptions {
            verify,
            ..TlsOptions::default()
        };
        if let Some(path) = ca_bundle {
            tls = tls.with_ca_bundle(&path)?;
        }
        let options = ClientOptions {
            timeout: seconds("timeout", timeout)?.unwrap_or(defaults.timeout),
            connect_timeout: seconds("connect_timeout", connect_timeout)?
                .unwrap_or(defaults.connect_timeout),
            retry: retry_policy(retries, retry_backoff, defaults.retry)?,
            tls,
            rules: rules_setting(rules)?,
        };
        let input = ConfigInput {
            region,
            endpoint,
            ak,
            sk: sk.map(Secret::new),
            security_token: security_token.map(Secret::new),
            auth_token: auth_token.map(Secret::new),
            project_id,
            iam_endpoint,
        };
        let config = hcims::config::resolve_from_environment(input)?;
        let inner = hcims::Client::new(config, options)?;
        Ok(PyClient { inner })
    }

    #[getter]
    fn endpoint(&self) -> &str {
        &self.inner.config().endpoint.base
    }

    #[getter]
    fn region(&self) -> Option<&str> {
        self.inner.config().region.as_deref()
    }

    /// "enforce" or "warn": what the client does with a spec that breaks a value rule.
    #[getter]
    fn rules(&self) -> &'static str {
        self.inner.rules().as_str()
    }

    /// The project id; when it was not given, IAM is asked for it the first time (once per access
    /// key, region and IAM endpoint in the process).
    #[getter]
    fn project_id(&self, py: Python<'_>) -> Fallible<String> {
        if let Some(id) = self.inner.known_project_id() {
            return Ok(id.to_owned());
        }
        Ok(blocking_call(py, &self.inner, |client| async move {
            client.project_id().await.map(str::to_owned)
        })??)
    }

    /// The project id if known without asking IAM.
    #[getter]
    fn known_project_id(&self) -> Option<&str> {
        self.inner.known_project_id()
    }

    #[getter]
    fn auth_kind(&self) -> &'static str {
        self.inner.auth_kind()
    }

    #[getter]
    fn access_key(&self) -> Option<&str> {
        match &self.inner.config().credentials {
            hcims::Credentials::AkSk { ak, .. } => Some(ak),
            hcims::Credentials::Token(_) => None,
        }
    }

    #[getter]
    fn timeout(&self) -> f64 {
        self.inner.options().timeout.as_secs_f64()
    }

    #[getter]
    fn retries(&self) -> u32 {
        self.inner.options().retry.retries
    }

    #[getter]
    fn retry_backoff(&self) -> (f64, f64) {
        let retry = &self.inner.options().retry;
        (
            retry.base_delay.as_secs_f64(),
            retry.max_delay.as_secs_f64(),
        )
    }

    #[getter]
    fn verify(&self) -> bool {
        self.inner.options().tls.verify
    }

    fn __repr__(&self) -> String {
        let c = self.inner.config();
        format!(
            "Client(endpoint={:?}, region={:?}, project_id={:?}, auth={:?})",
            c.endpoint.base,
            c.region.as_deref().unwrap_or(""),
            // Never asks IAM: a repr does no I/O.
            self.inner
                .known_project_id()
                .unwrap_or("<discovered on first use>"),
            self.inner.auth_kind()
        )
    }
}

#[pyclass(module = "hcims._native", name = "AsyncClient", frozen)]
pub struct PyAsyncClient {
    pub(crate) inner: hcims::Client,
}

#[pymethods]
impl PyAsyncClient {
    /// Shares `client`'s configuration and connection pool.
    #[new]
    fn new(client: &Bound<'_, PyClient>) -> Self {
        PyAsyncClient {
            inner: client.get().inner.clone(),
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyClient>()?;
    m.add_class::<PyAsyncClient>()?;
    m.add_class::<PyPreparedRequest>()?;
    Ok(())
}
