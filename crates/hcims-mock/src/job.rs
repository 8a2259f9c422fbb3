//! One asynchronous job: its phase, the documents IMS serves for it and the images it makes.
//!
//! A job does no work: its phase follows its pacing (see `pacing.rs`) from how often it was queried
//! and when it began. Whether it ends in FAIL is decided before it ends.

use std::time::{Instant, SystemTime};

use serde_json::{json, Map, Value};

use crate::clock::iso_millis;
use crate::codes::JOB_FAILED;
use crate::ids;
use crate::images::{ImageFacts, ImageStatus, ImageView};
use crate::pacing::{Pacing, Phase, Run};
use crate::plans::{ImagePlan, JobKind};

impl JobKind {
    fn job_type(self) -> &'static str {
        match self {
            JobKind::Server => "imsCreateImageByInstance",
            JobKind::DataImages => "imsVolumesToSysDataImagesJob",
            JobKind::Obs => "imsImportImageJob",
            JobKind::Volume => "imsVolumeCreateImageJob",
            // The page names no job type: these follow the others' pattern.
            JobKind::WholeServer => "imsCreateWholeImageByInstance",
            JobKind::WholeBackup => "imsCreateWholeImageByBackup",
            JobKind::QuickImport => "imsQuickImportImageJob",
            JobKind::ObsDataImage => "imsCreateDataImageByFileJob",
        }
    }

    fn sub_job_type(self) -> &'static str {
        match self {
            JobKind::Obs | JobKind::QuickImport | JobKind::ObsDataImage => "imsImportDataImageJob",
            JobKind::Server
            | JobKind::DataImages
            | JobKind::Volume
            | JobKind::WholeServer
            | JobKind::WholeBackup => "imsCopyVolumeToImageJob",
        }
    }

    /// `current_task` while RUNNING (`fraction` done); only the server one is documented, the others
    /// follow its pattern. A whole image of an ECS backs the ECS up in its first half.
    fn current_task(self, fraction: f64) -> &'static str {
        match self {
            JobKind::WholeServer if fraction < 0.5 => "CreateBackupTask",
            JobKind::WholeServer | JobKind::WholeBackup => "CreateWholeImageTask",
            JobKind::Server => "CreateImageByInstanceTask",
            JobKind::DataImages => "VolumesToSysDataImagesTask",
            JobKind::Obs | JobKind::QuickImport | JobKind::ObsDataImage => "ImportImageTask",
            JobKind::Volume => "VolumeCreateImageTask",
        }
    }
}

impl JobKind {
    /// How a job of this kind moves: a whole image of an ECS takes twice as long, its backup first.
    fn paced(self, pacing: Pacing) -> Pacing {
        match self {
            JobKind::WholeServer => pacing.doubled(),
            _ => pacing,
        }
    }
}

/// Why a job, or one of its sub-jobs, ends in FAIL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailCause {
    /// The image's name contains the configured fail pattern.
    NamePattern,
    /// A test asked for it (`fail_job`).
    Requested,
    /// Drawn at random (`fail_rate`).
    Random,
}

impl FailCause {
    fn reason(self, image_name: &str) -> String {
        let why = match self {
            FailCause::NamePattern => "the name contains the fail pattern",
            FailCause::Requested => "failed on request",
            FailCause::Random => "drawn at random",
        };
        format!("Failed to create image {image_name:?} (emulated failure: {why})")
    }
}

/// An image the job makes, with the id it will have.
#[derive(Debug)]
pub(crate) struct MadeImage {
    pub id: String,
    pub facts: ImageFacts,
}

impl MadeImage {
    fn new(facts: ImageFacts) -> Self {
        Self {
            id: ids::image_id(),
            facts,
        }
    }
}

#[derive(Debug)]
struct SubJob {
    id: String,
    image: MadeImage,
    failure: Option<FailCause>,
}

#[derive(Debug)]
pub(crate) struct Job {
    id: String,
    project_id: String,
    kind: JobKind,
    system: Option<MadeImage>,
    sub_jobs: Vec<SubJob>,
    /// The job's own failure; it also fails when a sub-job does.
    failure: Option<FailCause>,
    begin: SystemTime,
    began: Instant,
    queries: u32,
    /// When the job ended (or will end, when paced by time); fixed at the finishing query when
    /// paced by queries.
    end: Option<SystemTime>,
}

impl Job {
    /// A job for `plan`, its failures decided: images whose name contains `fail_pattern` fail.
    pub fn new(
        project_id: &str,
        plan: ImagePlan,
        pacing: Pacing,
        fail_pattern: Option<&str>,
    ) -> Self {
        let matches_pattern =
            |name: &str| fail_pattern.is_some_and(|pattern| name.contains(pattern));
        let failure_of =
            |facts: &ImageFacts| matches_pattern(&facts.name).then_some(FailCause::NamePattern);
        let begin = SystemTime::now();
        let failure = plan.system.as_ref().and_then(failure_of);
        let sub_jobs = plan
            .data
            .into_iter()
            .map(|facts| SubJob {
                id: ids::job_id(),
                failure: failure_of(&facts),
                image: MadeImage::new(facts),
            })
            .collect();
        Self {
            id: ids::job_id(),
            project_id: project_id.to_owned(),
            kind: plan.kind,
            system: plan.system.map(MadeImage::new),
            sub_jobs,
            failure,
            begin,
            began: Instant::now(),
            queries: 0,
            end: match plan.kind.paced(pacing).run {
                Run::Elapsed(duration) => Some(begin + duration),
                Run::Polls(_) => None,
            },
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// When the create was accepted.
    pub fn accepted_at(&self) -> SystemTime {
        self.begin
    }

    /// The ids of every image the job makes, or made.
    pub fn image_ids(&self) -> impl Iterator<Item = &str> {
        self.system
            .iter()
            .chain(self.sub_jobs.iter().map(|sub| &sub.image))
            .map(|image| image.id.as_str())
    }

    /// Makes the whole job fail, its sub-jobs included.
    pub fn fail(&mut self, cause: FailCause) {
        self.failure = Some(cause);
        for sub in &mut self.sub_jobs {
            sub.failure = Some(cause);
        }
    }

    fn fails(&self) -> bool {
        self.failure.is_some() || self.sub_jobs.iter().any(|sub| sub.failure.is_some())
    }

    /// The images that exist once the job ends (and while it runs): the system image unless the
    /// job fails, each data image unless its sub-job fails.
    pub fn lasting_images(&self) -> impl Iterator<Item = &MadeImage> {
        let system = self.system.as_ref().filter(|_| !self.fails());
        let data = self
            .sub_jobs
            .iter()
            .filter(|sub| sub.failure.is_none())
            .map(|sub| &sub.image);
        system.into_iter().chain(data)
    }

    pub fn phase(&self, pacing: Pacing) -> Phase {
        self.kind
            .paced(pacing)
            .phase(self.queries, self.began.elapsed())
    }

    /// One query of the job: it advances by one step, then is served.
    pub fn query(&mut self, pacing: Pacing) -> Value {
        if self.phase(pacing) != Phase::Finished {
            self.queries = self.queries.saturating_add(1);
        }
        let phase = self.phase(pacing);
        if phase == Phase::Finished && self.end.is_none() {
            self.end = Some(SystemTime::now());
        }
        self.document(phase)
    }

    /// The job document a query would serve in `phase`.
    pub fn document(&self, phase: Phase) -> Value {
        let end_time = match phase {
            Phase::Finished => iso_millis(self.end.unwrap_or_else(SystemTime::now)),
            Phase::Init | Phase::Running { .. } => String::new(),
        };
        let failed = phase == Phase::Finished && self.fails();
        let status = match phase {
            Phase::Init => "INIT",
            Phase::Running { .. } => "RUNNING",
            Phase::Finished if failed => "FAIL",
            Phase::Finished => "SUCCESS",
        };
        let mut entities = Map::new();
        if let Some(system) = &self.system {
            entities.insert("image_name".into(), system.facts.name.as_str().into());
            // A failed job made no image, so it names none.
            if phase != Phase::Init && !failed {
                entities.insert("image_id".into(), system.id.as_str().into());
            }
        }
        if let Phase::Running { fraction } = phase {
            entities.insert(
                "process_percent".into(),
                json!(round_to_hundredths(fraction)),
            );
            entities.insert(
                "current_task".into(),
                self.kind.current_task(fraction).into(),
            );
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
            "begin_time": iso_millis(self.begin),
            "end_time": end_time,
            "status": status,
            "error_code": if failed { json!(JOB_FAILED) } else { Value::Null },
            "fail_reason": if failed { json!(self.fail_reason()) } else { Value::Null },
            "entities": entities,
        })
    }

    fn sub_job_document(&self, sub: &SubJob, phase: Phase, end_time: &str) -> Value {
        let finished = phase == Phase::Finished;
        let failure = sub.failure.filter(|_| finished);
        let mut entities = Map::new();
        entities.insert("image_name".into(), sub.image.facts.name.as_str().into());
        if failure.is_none() {
            entities.insert("image_id".into(), sub.image.id.as_str().into());
        }
        json!({
            "status": if !finished { "RUNNING" } else if failure.is_some() { "FAIL" } else { "SUCCESS" },
            "job_id": sub.id,
            "job_type": self.kind.sub_job_type(),
            "begin_time": iso_millis(self.begin),
            "end_time": if finished { end_time } else { "" },
            "error_code": if failure.is_some() { json!(JOB_FAILED) } else { Value::Null },
            "fail_reason": failure.map_or(Value::Null, |cause| json!(cause.reason(&sub.image.facts.name))),
            "entities": entities,
        })
    }

    /// The reason of the job's own failure, else of its first failing sub-job.
    fn fail_reason(&self) -> String {
        let own = self
            .failure
            .map(|cause| (cause, self.system.as_ref().map(|s| s.facts.name.as_str())));
        let from_sub = || {
            self.sub_jobs.iter().find_map(|sub| {
                sub.failure
                    .map(|cause| (cause, Some(sub.image.facts.name.as_str())))
            })
        };
        match own.or_else(from_sub) {
            Some((cause, name)) => {
                // A data-images job has no image of its own: name its first data image.
                let name =
                    name.or_else(|| self.sub_jobs.first().map(|s| s.image.facts.name.as_str()));
                cause.reason(name.unwrap_or_default())
            }
            None => String::new(),
        }
    }

    /// The job's images as the image list shows them now: being made while it runs, active once it
    /// succeeded; a failed job's images are gone.
    pub fn image_views(&self, phase: Phase) -> Vec<ImageView<'_>> {
        let status = match phase {
            Phase::Init => ImageStatus::Queued,
            Phase::Running { .. } => ImageStatus::Saving,
            Phase::Finished => ImageStatus::Active,
        };
        let finished = (phase == Phase::Finished).then(|| self.end.unwrap_or_else(SystemTime::now));
        let shown: Vec<&MadeImage> = if phase == Phase::Finished {
            self.lasting_images().collect()
        } else {
            // Until the end, every image is being made, even one that will fail.
            self.system
                .iter()
                .chain(self.sub_jobs.iter().map(|sub| &sub.image))
                .collect()
        };
        shown
            .into_iter()
            .map(|image| ImageView {
                id: &image.id,
                owner: &self.project_id,
                facts: &image.facts,
                status,
                created: self.begin,
                finished,
            })
            .collect()
    }
}

/// Keeps progress readable (0.33, not 0.3333333333333333), as in IMS's own examples.
fn round_to_hundredths(fraction: f64) -> f64 {
    (fraction * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::OsFacts;
    use std::time::Duration;

    fn facts(name: &str) -> ImageFacts {
        ImageFacts {
            name: name.into(),
            description: String::new(),
            tags: Vec::new(),
            min_disk: 40,
            min_ram: 0,
            max_ram: None,
            os: Some(OsFacts::unknown_linux()),
            env: "FusionCompute",
            data_origin: "instance,x".into(),
            enterprise_project_id: "0".into(),
            firmware: "bios",
            arm: false,
            from_file: false,
        }
    }

    fn plan(kind: JobKind, name: Option<&str>, data: &[&str]) -> ImagePlan {
        ImagePlan {
            kind,
            system: name.map(facts),
            data: data.iter().map(|name| facts(name)).collect(),
            instance_id: None,
        }
    }

    fn job(kind: JobKind, name: Option<&str>, data: &[&str], pacing: Pacing) -> Job {
        Job::new("p", plan(kind, name, data), pacing, Some("broken"))
    }

    fn statuses(job: &mut Job, pacing: Pacing, queries: usize) -> Vec<String> {
        (0..queries)
            .map(|_| job.query(pacing)["status"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn a_job_runs_for_the_configured_number_of_queries_then_succeeds() {
        let pacing = Pacing::polls(2);
        let mut job = job(JobKind::Server, Some("web"), &[], pacing);
        assert_eq!(job.document(job.phase(pacing))["status"], "INIT");
        assert_eq!(
            statuses(&mut job, pacing, 4),
            ["RUNNING", "RUNNING", "SUCCESS", "SUCCESS"]
        );
    }

    #[test]
    fn init_queries_answer_init_before_the_job_runs() {
        for run in [Run::Polls(1), Run::Elapsed(Duration::ZERO)] {
            let pacing = Pacing { init_polls: 2, run };
            let mut job = job(JobKind::Server, Some("web"), &[], pacing);
            let seen = statuses(&mut job, pacing, 3);
            assert_eq!(&seen[..2], ["INIT", "INIT"], "{run:?}");
            assert_ne!(seen[2], "INIT", "{run:?}");
        }
    }

    #[test]
    fn zero_running_queries_finish_at_the_first_query() {
        let pacing = Pacing::polls(0);
        let mut job = job(JobKind::Volume, Some("v"), &[], pacing);
        assert_eq!(statuses(&mut job, pacing, 1), ["SUCCESS"]);
    }

    #[test]
    fn running_documents_carry_progress_and_an_empty_end_time() {
        let pacing = Pacing::polls(3);
        let mut job = job(JobKind::Server, Some("web"), &[], pacing);
        let first = job.query(pacing);
        assert_eq!(first["end_time"], "");
        assert_eq!(first["entities"]["process_percent"], 0.25);
        assert_eq!(
            first["entities"]["current_task"],
            "CreateImageByInstanceTask"
        );
        assert_eq!(job.query(pacing)["entities"]["process_percent"], 0.5);
    }

    #[test]
    fn a_finished_document_keeps_its_end_time_and_image_id() {
        let pacing = Pacing::polls(0);
        let mut job = job(JobKind::Server, Some("web"), &[], pacing);
        let first = job.query(pacing);
        std::thread::sleep(Duration::from_millis(5));
        let second = job.query(pacing);
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
        let pacing = Pacing::polls(1);
        let mut job = job(JobKind::DataImages, None, &["d1", "d2"], pacing);
        let running = job.query(pacing);
        assert_eq!(
            running["entities"]["sub_jobs_result"][1]["status"],
            "RUNNING"
        );
        let done = job.query(pacing);
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
        let pacing = Pacing::polls(0);
        let mut bad = job(JobKind::Obs, Some("a-broken-image"), &[], pacing);
        let mut good = job(JobKind::Obs, Some("fine"), &[], pacing);
        let failed = bad.query(pacing);
        assert_eq!(failed["status"], "FAIL");
        assert_eq!(failed["error_code"], JOB_FAILED);
        let reason = failed["fail_reason"].as_str().unwrap();
        assert!(
            reason.contains("a-broken-image") && reason.contains("fail pattern"),
            "{reason}"
        );
        assert!(failed["entities"].get("image_id").is_none());
        assert_eq!(good.query(pacing)["status"], "SUCCESS");
        assert_eq!(bad.lasting_images().count(), 0);
        assert_eq!(good.lasting_images().count(), 1);
    }

    #[test]
    fn a_failing_data_image_fails_its_sub_job_and_the_job() {
        let pacing = Pacing::polls(0);
        let mut job = job(JobKind::DataImages, None, &["ok", "broken-disk"], pacing);
        let done = job.query(pacing);
        assert_eq!(done["status"], "FAIL");
        assert!(done["fail_reason"]
            .as_str()
            .unwrap()
            .contains("broken-disk"));
        let subs = &done["entities"]["sub_jobs_result"];
        assert_eq!(subs[0]["status"], "SUCCESS");
        assert_eq!(subs[1]["status"], "FAIL");
        assert_eq!(subs[1]["error_code"], JOB_FAILED);
        assert!(subs[1]["entities"].get("image_id").is_none());
        let lasting: Vec<&str> = job
            .lasting_images()
            .map(|i| i.facts.name.as_str())
            .collect();
        assert_eq!(lasting, ["ok"]);
    }

    #[test]
    fn a_requested_failure_fails_the_job_and_every_sub_job() {
        let pacing = Pacing::polls(0);
        let mut job = job(JobKind::Obs, Some("sys"), &["d1"], pacing);
        job.fail(FailCause::Requested);
        let done = job.query(pacing);
        assert_eq!(done["status"], "FAIL");
        assert!(done["fail_reason"].as_str().unwrap().contains("on request"));
        assert_eq!(done["entities"]["sub_jobs_result"][0]["status"], "FAIL");
        assert_eq!(job.lasting_images().count(), 0);
    }

    #[test]
    fn obs_jobs_have_a_top_level_image_and_an_import_sub_job_per_data_disk() {
        let pacing = Pacing::polls(0);
        let mut job = job(JobKind::Obs, Some("sys"), &["sys-data1"], pacing);
        let done = job.query(pacing);
        assert_eq!(done["job_type"], "imsImportImageJob");
        assert!(done["entities"]["image_id"].is_string());
        assert_eq!(
            done["entities"]["sub_jobs_result"][0]["job_type"],
            "imsImportDataImageJob"
        );
    }

    #[test]
    fn time_paced_jobs_finish_after_their_duration() {
        let pacing = Pacing::elapsed(Duration::from_millis(80));
        let mut job = job(JobKind::Volume, Some("v"), &[], pacing);
        let running = job.query(pacing);
        assert_eq!(running["status"], "RUNNING");
        assert!(running["entities"]["process_percent"].as_f64().unwrap() < 1.0);
        std::thread::sleep(Duration::from_millis(100));
        let done = job.query(pacing);
        assert_eq!(done["status"], "SUCCESS");
        assert!(done["end_time"].as_str().unwrap() > done["begin_time"].as_str().unwrap());
    }

    #[test]
    fn images_are_queued_then_saving_then_active_and_a_failed_jobs_vanish() {
        let pacing = Pacing::polls(1);
        let mut job = job(JobKind::Obs, Some("sys"), &["broken-data"], pacing);
        let statuses = |job: &Job| -> Vec<ImageStatus> {
            job.image_views(job.phase(pacing))
                .iter()
                .map(|v| v.status)
                .collect()
        };
        assert_eq!(statuses(&job), [ImageStatus::Queued, ImageStatus::Queued]);
        job.query(pacing);
        assert_eq!(statuses(&job), [ImageStatus::Saving, ImageStatus::Saving]);
        job.query(pacing);
        assert!(
            statuses(&job).is_empty(),
            "the job failed: its images are gone"
        );
        let mut fine = self::job(JobKind::Server, Some("web"), &[], Pacing::polls(0));
        fine.query(Pacing::polls(0));
        let views = fine.image_views(Phase::Finished);
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].status, ImageStatus::Active);
        assert_eq!(
            views[0].document()["id"],
            fine.query(Pacing::polls(0))["entities"]["image_id"]
        );
    }
}
