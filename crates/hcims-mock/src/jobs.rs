//! The asynchronous jobs a create starts, and the job documents IMS serves for them.
//!
//! A job does no work: its phase is computed from how often it was queried (or how long ago it
//! began), so a test decides how many RUNNING answers a client sees.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Map, Value};

use crate::clock::iso_millis;
use crate::ids;

/// The error code of an emulated failure: IMS's "image-file registration failed".
pub(crate) const FAIL_ERROR_CODE: &str = "IMG.1075";

/// The four ways to make an image, as far as their jobs differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JobKind {
    Server,
    DataImages,
    Obs,
    Volume,
}

impl JobKind {
    fn job_type(self) -> &'static str {
        match self {
            JobKind::Server => "imsCreateImageByInstance",
            JobKind::DataImages => "imsVolumesToSysDataImagesJob",
            JobKind::Obs => "imsImportImageJob",
            JobKind::Volume => "imsVolumeCreateImageJob",
        }
    }

    fn sub_job_type(self) -> &'static str {
        match self {
            JobKind::Obs => "imsImportDataImageJob",
            JobKind::Server | JobKind::DataImages | JobKind::Volume => "imsCopyVolumeToImageJob",
        }
    }

    /// `current_task` while RUNNING; only the server one is documented, the others follow its pattern.
    fn current_task(self) -> &'static str {
        match self {
            JobKind::Server => "CreateImageByInstanceTask",
            JobKind::DataImages => "VolumesToSysDataImagesTask",
            JobKind::Obs => "ImportImageTask",
            JobKind::Volume => "VolumeCreateImageTask",
        }
    }

    /// For `imsVolumesToSysDataImagesJob` the image ids live only in the sub-jobs.
    fn has_top_level_image(self) -> bool {
        self != JobKind::DataImages
    }
}

/// What an accepted create asks for, as far as its job is concerned.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ImagePlan {
    pub kind: JobKind,
    /// The system image's name; `None` for data images made from a server's volumes.
    pub image_name: Option<String>,
    /// One sub-job per name: data images of a server, or data disks imported with an OBS image.
    pub data_image_names: Vec<String>,
}

/// How jobs move from INIT to their end.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Pacing {
    /// RUNNING for this many queries, finished at the next one.
    Polls(u32),
    /// RUNNING until this long after the create.
    Elapsed(Duration),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Init,
    Running { fraction: f64 },
    Finished,
}

#[derive(Debug)]
struct SubJob {
    id: String,
    image_name: String,
    image_id: String,
    fails: bool,
}

#[derive(Debug)]
struct Job {
    id: String,
    kind: JobKind,
    image_name: Option<String>,
    image_id: String,
    sub_jobs: Vec<SubJob>,
    fails: bool,
    begin_time: String,
    began: Instant,
    queries: u32,
    /// Known in advance when paced by time, fixed at the finishing query when paced by queries.
    end_time: Option<String>,
}

impl Job {
    fn phase(&self, pacing: Pacing) -> Phase {
        match pacing {
            Pacing::Polls(running_polls) => {
                if self.queries == 0 {
                    Phase::Init
                } else if self.queries <= running_polls {
                    Phase::Running {
                        fraction: f64::from(self.queries) / f64::from(running_polls + 1),
                    }
                } else {
                    Phase::Finished
                }
            }
            Pacing::Elapsed(duration) => {
                let elapsed = self.began.elapsed();
                if elapsed >= duration {
                    Phase::Finished
                } else {
                    Phase::Running {
                        fraction: elapsed.as_secs_f64() / duration.as_secs_f64(),
                    }
                }
            }
        }
    }

    /// One query of the job: it advances by one step, then is served.
    fn query(&mut self, pacing: Pacing) -> Value {
        if self.phase(pacing) != Phase::Finished {
            self.queries = self.queries.saturating_add(1);
        }
        let phase = self.phase(pacing);
        if phase == Phase::Finished && self.end_time.is_none() {
            self.end_time = Some(iso_millis(SystemTime::now()));
        }
        self.document(phase)
    }

    fn document(&self, phase: Phase) -> Value {
        let end_time = match phase {
            Phase::Finished => self
                .end_time
                .clone()
                .unwrap_or_else(|| iso_millis(SystemTime::now())),
            Phase::Init | Phase::Running { .. } => String::new(),
        };
        let failed = phase == Phase::Finished && self.fails;
        let status = match phase {
            Phase::Init => "INIT",
            Phase::Running { .. } => "RUNNING",
            Phase::Finished if failed => "FAIL",
            Phase::Finished => "SUCCESS",
        };
        let mut entities = Map::new();
        if let Some(name) = &self.image_name {
            entities.insert("image_name".into(), name.as_str().into());
        }
        // A failed job made no image, so it names none.
        if self.kind.has_top_level_image() && phase != Phase::Init && !failed {
            entities.insert("image_id".into(), self.image_id.as_str().into());
        }
        if let Phase::Running { fraction } = phase {
            entities.insert(
                "process_percent".into(),
                json!(round_to_hundredths(fraction)),
            );
            entities.insert("current_task".into(), self.kind.current_task().into());
        }
        if !self.sub_jobs.is_empty() && phase != Phase::Init {
            let sub_jobs = self
                .sub_jobs
                .iter()
                .map(|sub| self.sub_job_document(sub, phase, &end_time));
            entities.insert("sub_jobs_result".into(), Value::Array(sub_jobs.collect()));
        }
        json!({
            "job_id": self.id,
            "job_type": self.kind.job_type(),
            "begin_time": self.begin_time,
            "end_time": end_time,
            "status": status,
            "error_code": if failed { json!(FAIL_ERROR_CODE) } else { Value::Null },
            "fail_reason": if failed { json!(self.fail_reason()) } else { Value::Null },
            "entities": entities,
        })
    }

    fn sub_job_document(&self, sub: &SubJob, phase: Phase, end_time: &str) -> Value {
        let finished = phase == Phase::Finished;
        let failed = finished && sub.fails;
        let mut entities = Map::new();
        entities.insert("image_name".into(), sub.image_name.as_str().into());
        if !failed {
            entities.insert("image_id".into(), sub.image_id.as_str().into());
        }
        json!({
            "status": if !finished { "RUNNING" } else if failed { "FAIL" } else { "SUCCESS" },
            "job_id": sub.id,
            "job_type": self.kind.sub_job_type(),
            "begin_time": self.begin_time,
            "end_time": if finished { end_time } else { "" },
            "error_code": if failed { json!(FAIL_ERROR_CODE) } else { Value::Null },
            "fail_reason": if failed { json!(failure_text(&sub.image_name)) } else { Value::Null },
            "entities": entities,
        })
    }

    fn fail_reason(&self) -> String {
        let failed_name = self
            .image_name
            .iter()
            .chain(
                self.sub_jobs
                    .iter()
                    .filter(|sub| sub.fails)
                    .map(|sub| &sub.image_name),
            )
            .next()
            .map_or("", String::as_str);
        failure_text(failed_name)
    }
}

fn failure_text(image_name: &str) -> String {
    format!("Failed to create image {image_name:?} (emulated failure: the name contains the fail pattern)")
}

/// Keeps progress readable (0.33, not 0.3333333333333333), as in IMS's own examples.
fn round_to_hundredths(fraction: f64) -> f64 {
    (fraction * 100.0).round() / 100.0
}

#[derive(Debug, Default)]
struct JobList {
    jobs: Vec<Job>,
    index_by_id: HashMap<String, usize>,
}

/// Every job the emulator started, in the order they were created.
#[derive(Debug)]
pub(crate) struct JobBook {
    pacing: Pacing,
    fail_pattern: Option<String>,
    list: Mutex<JobList>,
}

impl JobBook {
    pub fn new(pacing: Pacing, fail_pattern: Option<String>) -> Self {
        Self {
            pacing,
            fail_pattern,
            list: Mutex::new(JobList::default()),
        }
    }

    /// Starts a job for `plan` and returns its id.
    pub fn create(&self, plan: ImagePlan) -> String {
        let began = Instant::now();
        let begin = SystemTime::now();
        let sub_jobs: Vec<SubJob> = plan
            .data_image_names
            .into_iter()
            .map(|name| SubJob {
                id: ids::job_id(),
                fails: self.fails(&name),
                image_name: name,
                image_id: ids::image_id(),
            })
            .collect();
        let fails = plan
            .image_name
            .as_deref()
            .is_some_and(|name| self.fails(name))
            || sub_jobs.iter().any(|sub| sub.fails);
        let job = Job {
            id: ids::job_id(),
            kind: plan.kind,
            image_name: plan.image_name,
            image_id: ids::image_id(),
            sub_jobs,
            fails,
            begin_time: iso_millis(begin),
            began,
            queries: 0,
            end_time: match self.pacing {
                Pacing::Elapsed(duration) => Some(iso_millis(begin + duration)),
                Pacing::Polls(_) => None,
            },
        };
        let id = job.id.clone();
        let mut list = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        let index = list.jobs.len();
        list.index_by_id.insert(id.clone(), index);
        list.jobs.push(job);
        id
    }

    /// Queries job `id` (one step forward) and returns its document, or `None` for an unknown id.
    pub fn query(&self, id: &str) -> Option<Value> {
        let mut list = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        let index = *list.index_by_id.get(id)?;
        Some(list.jobs[index].query(self.pacing))
    }

    /// The document of every job as a query would show it, without moving any job forward.
    pub fn snapshot(&self) -> Vec<Value> {
        let list = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        list.jobs
            .iter()
            .map(|job| job.document(job.phase(self.pacing)))
            .collect()
    }

    fn fails(&self, image_name: &str) -> bool {
        self.fail_pattern
            .as_deref()
            .is_some_and(|pattern| image_name.contains(pattern))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(kind: JobKind, name: Option<&str>, data: &[&str]) -> ImagePlan {
        ImagePlan {
            kind,
            image_name: name.map(str::to_owned),
            data_image_names: data.iter().map(|name| (*name).to_owned()).collect(),
        }
    }

    fn statuses(book: &JobBook, id: &str, queries: usize) -> Vec<String> {
        (0..queries)
            .map(|_| {
                book.query(id).unwrap()["status"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn a_job_runs_for_the_configured_number_of_queries_then_succeeds() {
        let book = JobBook::new(Pacing::Polls(2), None);
        let id = book.create(plan(JobKind::Server, Some("web"), &[]));
        assert_eq!(book.snapshot()[0]["status"], "INIT");
        assert_eq!(
            statuses(&book, &id, 4),
            ["RUNNING", "RUNNING", "SUCCESS", "SUCCESS"]
        );
    }

    #[test]
    fn zero_running_queries_finish_at_the_first_query() {
        let book = JobBook::new(Pacing::Polls(0), None);
        let id = book.create(plan(JobKind::Volume, Some("v"), &[]));
        assert_eq!(statuses(&book, &id, 1), ["SUCCESS"]);
    }

    #[test]
    fn running_documents_carry_progress_and_an_empty_end_time() {
        let book = JobBook::new(Pacing::Polls(3), None);
        let id = book.create(plan(JobKind::Server, Some("web"), &[]));
        let first = book.query(&id).unwrap();
        assert_eq!(first["end_time"], "");
        assert_eq!(first["entities"]["process_percent"], 0.25);
        assert_eq!(
            first["entities"]["current_task"],
            "CreateImageByInstanceTask"
        );
        assert_eq!(book.query(&id).unwrap()["entities"]["process_percent"], 0.5);
    }

    #[test]
    fn a_finished_document_keeps_its_end_time_and_image_id() {
        let book = JobBook::new(Pacing::Polls(0), None);
        let id = book.create(plan(JobKind::Server, Some("web"), &[]));
        let first = book.query(&id).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let second = book.query(&id).unwrap();
        assert_eq!(first, second);
        assert_eq!(first["error_code"], Value::Null);
        assert_eq!(first["fail_reason"], Value::Null);
        assert!(first["entities"].get("process_percent").is_none());
        assert_eq!(first["entities"]["image_name"], "web");
        assert_eq!(
            first["end_time"].as_str().unwrap().len(),
            "2024-11-06T06:19:43.195Z".len()
        );
    }

    #[test]
    fn data_image_jobs_name_their_images_only_in_sub_jobs() {
        let book = JobBook::new(Pacing::Polls(1), None);
        let id = book.create(plan(JobKind::DataImages, None, &["d1", "d2"]));
        let running = book.query(&id).unwrap();
        assert_eq!(
            running["entities"]["sub_jobs_result"][1]["status"],
            "RUNNING"
        );
        let done = book.query(&id).unwrap();
        assert_eq!(done["job_type"], "imsVolumesToSysDataImagesJob");
        assert!(done["entities"].get("image_id").is_none());
        let subs = done["entities"]["sub_jobs_result"].as_array().unwrap();
        assert_eq!(subs.len(), 2);
        for (sub, name) in subs.iter().zip(["d1", "d2"]) {
            assert_eq!(sub["status"], "SUCCESS");
            assert_eq!(sub["job_type"], "imsCopyVolumeToImageJob");
            assert_eq!(sub["entities"]["image_name"], name);
            assert_eq!(sub["entities"]["image_id"].as_str().unwrap().len(), 36);
            assert_eq!(sub["end_time"], done["end_time"]);
        }
        assert_ne!(subs[0]["job_id"], subs[1]["job_id"]);
    }

    #[test]
    fn the_fail_pattern_fails_the_matching_job_only() {
        let book = JobBook::new(Pacing::Polls(0), Some("broken".into()));
        let bad = book.create(plan(JobKind::Obs, Some("a-broken-image"), &[]));
        let good = book.create(plan(JobKind::Obs, Some("fine"), &[]));
        let failed = book.query(&bad).unwrap();
        assert_eq!(failed["status"], "FAIL");
        assert_eq!(failed["error_code"], FAIL_ERROR_CODE);
        assert!(failed["fail_reason"]
            .as_str()
            .unwrap()
            .contains("a-broken-image"));
        assert!(failed["entities"].get("image_id").is_none());
        assert_eq!(book.query(&good).unwrap()["status"], "SUCCESS");
    }

    #[test]
    fn a_failing_data_image_fails_its_sub_job_and_the_job() {
        let book = JobBook::new(Pacing::Polls(0), Some("broken".into()));
        let id = book.create(plan(JobKind::DataImages, None, &["ok", "broken-disk"]));
        let done = book.query(&id).unwrap();
        assert_eq!(done["status"], "FAIL");
        let subs = &done["entities"]["sub_jobs_result"];
        assert_eq!(subs[0]["status"], "SUCCESS");
        assert_eq!(subs[1]["status"], "FAIL");
        assert_eq!(subs[1]["error_code"], FAIL_ERROR_CODE);
        assert!(subs[1]["entities"].get("image_id").is_none());
    }

    #[test]
    fn obs_jobs_have_a_top_level_image_and_an_import_sub_job_per_data_disk() {
        let book = JobBook::new(Pacing::Polls(0), None);
        let id = book.create(plan(JobKind::Obs, Some("sys"), &["sys-data1"]));
        let done = book.query(&id).unwrap();
        assert_eq!(done["job_type"], "imsImportImageJob");
        assert!(done["entities"]["image_id"].is_string());
        assert_eq!(
            done["entities"]["sub_jobs_result"][0]["job_type"],
            "imsImportDataImageJob"
        );
    }

    #[test]
    fn time_paced_jobs_finish_after_their_duration() {
        let book = JobBook::new(Pacing::Elapsed(Duration::from_millis(80)), None);
        let id = book.create(plan(JobKind::Volume, Some("v"), &[]));
        let running = book.query(&id).unwrap();
        assert_eq!(running["status"], "RUNNING");
        assert!(running["entities"]["process_percent"].as_f64().unwrap() < 1.0);
        std::thread::sleep(Duration::from_millis(100));
        let done = book.query(&id).unwrap();
        assert_eq!(done["status"], "SUCCESS");
        assert!(done["end_time"].as_str().unwrap() > done["begin_time"].as_str().unwrap());
    }

    #[test]
    fn snapshots_do_not_move_jobs_and_unknown_ids_are_none() {
        let book = JobBook::new(Pacing::Polls(1), None);
        let id = book.create(plan(JobKind::Server, Some("web"), &[]));
        for _ in 0..3 {
            assert_eq!(book.snapshot()[0]["status"], "INIT");
        }
        assert_eq!(book.query(&id).unwrap()["status"], "RUNNING");
        assert!(book.query("0000").is_none());
    }
}
