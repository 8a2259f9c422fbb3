//! Jobs: reading one (`get_job`) and waiting for one or many until they end, bound for the blocking and
//! the async native client.

use std::sync::Arc;

use pyo3::prelude::*;

use hcims::GetJob;

use crate::clients::{PyAsyncClient, PyClient};
use crate::errors::Fallible;
use crate::interruptible::{
    blocking_call, reporting_handle, run, wait_interruptibly_reporting, wait_on_shared_runtime,
    Report,
};
use crate::job::job_to_py;
use crate::logging::emit;
use crate::options::wait_options;
use crate::outputs::ToPython;
use crate::pending::{snapshot_forwarder, spawn, spawn_call, PendingCall};

#[pymethods]
impl PyClient {
    fn get_job<'py>(&self, py: Python<'py>, job_id: &str) -> Fallible<Bound<'py, PyAny>> {
        run(py, &self.inner, GetJob::new(job_id))
    }

    /// Polls until the job ends. `on_progress(job)` sees every snapshot, on this thread with the GIL held;
    /// only then is the progress endpoint asked when the status lacks `process_percent`.
    #[pyo3(signature = (job_id, timeout=None, poll_interval=None, on_progress=None))]
    fn wait_for_job<'py>(
        &self,
        py: Python<'py>,
        job_id: &str,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        on_progress: Option<Bound<'py, PyAny>>,
    ) -> Fallible<Bound<'py, PyAny>> {
        let options = wait_options(timeout, poll_interval, on_progress.is_some())?;
        let outcome = match on_progress {
            None => blocking_call(py, &self.inner, |client| async move {
                client.wait_for_job(job_id, &options, |_| {}).await
            })?,
            Some(callback) => {
                let (client, sender, reports) = reporting_handle(py, &self.inner)?;
                let waiting = async move {
                    client
                        .wait_for_job(job_id, &options, move |job| {
                            // The receiver outlives the wait; a send cannot fail while anyone listens.
                            let _ = sender.send(Report::Snapshot(job.clone()));
                        })
                        .await
                };
                wait_interruptibly_reporting(py, waiting, reports, |py, report| match report {
                    Report::Snapshot(job) => callback.call1((job_to_py(py, &job)?,)).map(drop),
                    Report::Log(event) => emit(py, event),
                    Report::Created(_) => Ok(()),
                })?
            }
        };
        Ok(outcome?.to_python(py)?)
    }

    /// Waits for every job at once (one task each, the GIL released once for all). With
    /// `raise_on_failure` the first job to fail, time out or hit an error raises and stops the rest;
    /// without it the list holds each final Job (FAIL included) or the exception that ended its wait.
    #[pyo3(signature = (job_ids, timeout=None, poll_interval=None, raise_on_failure=true, on_progress=None))]
    fn wait_for_jobs<'py>(
        &self,
        py: Python<'py>,
        job_ids: Vec<String>,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        raise_on_failure: bool,
        on_progress: Option<Bound<'py, PyAny>>,
    ) -> Fallible<Bound<'py, PyAny>> {
        let options = wait_options(timeout, poll_interval, on_progress.is_some())?;
        let (client, sender, snapshots) = reporting_handle(py, &self.inner)?;
        let observer: hcims::BatchObserver = if on_progress.is_some() {
            Arc::new(move |_, job: &hcims::Job| {
                let _ = sender.send(Report::Snapshot(job.clone()));
            })
        } else {
            Arc::new(|_, _: &hcims::Job| {})
        };
        let report = |py: Python<'_>, report: Report| match (report, &on_progress) {
            (Report::Snapshot(job), Some(callback)) => {
                callback.call1((job_to_py(py, &job)?,)).map(drop)
            }
            (Report::Snapshot(_), None) | (Report::Created(_), _) => Ok(()),
            (Report::Log(event), _) => emit(py, event),
        };
        if raise_on_failure {
            let waiting = async move { client.wait_for_jobs(&job_ids, &options, observer).await };
            let jobs = wait_on_shared_runtime(py, waiting, snapshots, report)??;
            Ok(jobs.to_python(py)?)
        } else {
            let waiting = async move {
                client
                    .wait_for_jobs_settled(&job_ids, &options, observer)
                    .await
            };
            let outcomes = wait_on_shared_runtime(py, waiting, snapshots, report)?;
            Ok(outcomes.to_python(py)?)
        }
    }
}

#[pymethods]
impl PyAsyncClient {
    fn get_job(&self, py: Python<'_>, job_id: String, deliver: Py<PyAny>) -> PyResult<PendingCall> {
        spawn_call(py, &self.inner, deliver, GetJob::new(job_id))
    }

    #[pyo3(signature = (job_id, deliver, timeout=None, poll_interval=None, on_progress=None))]
    fn wait_for_job(
        &self,
        py: Python<'_>,
        job_id: String,
        deliver: Py<PyAny>,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<PendingCall> {
        let options = wait_options(timeout, poll_interval, on_progress.is_some())?;
        let forward = snapshot_forwarder(on_progress);
        spawn(py, &self.inner, deliver, |client| async move {
            client
                .wait_for_job(&job_id, &options, |job| forward(0, job))
                .await
        })
    }

    #[pyo3(signature = (job_ids, deliver, timeout=None, poll_interval=None, raise_on_failure=true,
                        on_progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn wait_for_jobs(
        &self,
        py: Python<'_>,
        job_ids: Vec<String>,
        deliver: Py<PyAny>,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        raise_on_failure: bool,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<PendingCall> {
        let options = wait_options(timeout, poll_interval, on_progress.is_some())?;
        let forward = snapshot_forwarder(on_progress);
        if raise_on_failure {
            spawn(py, &self.inner, deliver, |client| async move {
                client.wait_for_jobs(&job_ids, &options, forward).await
            })
        } else {
            spawn(py, &self.inner, deliver, |client| async move {
                let settled = client
                    .wait_for_jobs_settled(&job_ids, &options, forward)
                    .await;
                Ok(settled)
            })
        }
    }
}
