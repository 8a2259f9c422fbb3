//! Every job of every project, the state rules a create must pass (known ECSs, task flow control,
//! and through each project's usage unique names and the private-image quota) and the controls a
//! test uses on them.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::sync::{Mutex, PoisonError};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::codes::{TOO_MANY_RUNNING, UNKNOWN_INSTANCE};
use crate::config::MockConfig;
use crate::job::{FailCause, Job};
use crate::job_control::JobControlError;
use crate::pacing::{Pacing, Phase};
use crate::plans::ImagePlan;
use crate::project_usage::ProjectUsage;
use crate::replies::ImsError;

/// How jobs run and end, and the rules a create must pass.
#[derive(Debug)]
struct JobRules {
    pacing: Pacing,
    fail_pattern: Option<String>,
    fail_rate: f64,
    unique_names: bool,
    image_quota: Option<u32>,
    instances: Option<HashSet<String>>,
    max_jobs: Option<usize>,
    max_running_jobs: Option<usize>,
    listing_delay: std::time::Duration,
}

#[derive(Debug)]
struct Books {
    /// Oldest first.
    jobs: VecDeque<Job>,
    /// The sequence number of `jobs[0]`; a job's index is its number minus this.
    first_number: u64,
    number_by_id: HashMap<String, u64>,
    usage: HashMap<String, ProjectUsage>,
    /// Draws the random failures, in the order jobs are created.
    rng: StdRng,
    /// By project, the numbers of the jobs that were INIT or RUNNING when last looked at (counted only
    /// under `max_running_jobs`). A job only stops running, so the list is pruned at each create.
    running: HashMap<String, Vec<u64>>,
    /// The most jobs one project had running at once.
    peak_running: usize,
}

impl Books {
    fn index_of(&self, id: &str) -> Option<usize> {
        let number = *self.number_by_id.get(id)?;
        usize::try_from(number.checked_sub(self.first_number)?).ok()
    }

    /// How many jobs of `project_id` run now (INIT or RUNNING); forgotten jobs no longer count.
    fn running_now(&mut self, project_id: &str, pacing: Pacing) -> usize {
        let Some(mut numbers) = self.running.remove(project_id) else {
            return 0;
        };
        numbers.retain(|&number| {
            let job = number
                .checked_sub(self.first_number)
                .and_then(|index| usize::try_from(index).ok())
                .and_then(|index| self.jobs.get(index));
            job.is_some_and(|job| job.phase(pacing) != Phase::Finished)
        });
        let count = numbers.len();
        self.running.insert(project_id.to_owned(), numbers);
        count
    }

    fn forget_oldest(&mut self) {
        if let Some(job) = self.jobs.pop_front() {
            self.number_by_id.remove(job.id());
            if let Some(usage) = self.usage.get_mut(job.project_id()) {
                usage.remove(&job);
            }
            self.first_number += 1;
        }
    }
}

/// Every job the emulator started, in the order they were created.
#[derive(Debug)]
pub(crate) struct JobBook {
    rules: JobRules,
    books: Mutex<Books>,
}

impl JobBook {
    pub fn new(config: &MockConfig) -> io::Result<Self> {
        let pacing = Pacing::from_config(config)?;
        let rng = match config.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        Ok(Self {
            rules: JobRules {
                pacing,
                fail_pattern: config.fail_pattern.clone(),
                fail_rate: config.fail_rate,
                unique_names: config.unique_names,
                image_quota: config.image_quota,
                instances: config
                    .instances
                    .as_ref()
                    .map(|ids| ids.iter().cloned().collect()),
                max_jobs: config.max_jobs,
                max_running_jobs: config.max_running_jobs,
                listing_delay: config.listing_delay,
            },
            books: Mutex::new(Books {
                jobs: VecDeque::new(),
                first_number: 0,
                number_by_id: HashMap::new(),
                usage: HashMap::new(),
                rng,
                running: HashMap::new(),
                peak_running: 0,
            }),
        })
    }

    /// Applies the state rules to `plan` and starts its job in `project_id`; returns the job id.
    pub fn create(&self, project_id: &str, plan: ImagePlan) -> Result<String, ImsError> {
        if let (Some(instances), Some(instance_id)) = (&self.rules.instances, &plan.instance_id) {
            if !instances.contains(instance_id) {
                return Err(ImsError::bad_request(
                    UNKNOWN_INSTANCE,
                    format!("The ECS {instance_id:?} does not exist."),
                ));
            }
        }
        let mut job = Job::new(
            project_id,
            plan,
            self.rules.pacing,
            self.rules.fail_pattern.as_deref(),
        );
        let mut books = self.books.lock().unwrap_or_else(PoisonError::into_inner);
        let usage = books.usage.entry(project_id.to_owned()).or_default();
        if self.rules.unique_names {
            usage.check_names(&job)?;
        }
        if let Some(quota) = self.rules.image_quota {
            usage.check_quota(&job, quota)?;
        }
        let running = match self.rules.max_running_jobs {
            Some(limit) => {
                let running = books.running_now(project_id, self.rules.pacing);
                if running >= limit {
                    return Err(ImsError::bad_request(
                        TOO_MANY_RUNNING,
                        format!("Task flow control: the project runs {running} image tasks, the most it may ({limit}); retry later."),
                    ));
                }
                Some(running)
            }
            None => None,
        };
        // Drawn only for accepted creates, so a seed gives the same failures for the same creates.
        if self.rules.fail_rate > 0.0 && books.rng.random_bool(self.rules.fail_rate) {
            job.fail(FailCause::Random);
        }
        books
            .usage
            .entry(project_id.to_owned())
            .or_default()
            .add(&job);
        let id = job.id().to_owned();
        let number = books.first_number + books.jobs.len() as u64;
        books.number_by_id.insert(id.clone(), number);
        books.jobs.push_back(job);
        if let Some(running) = running {
            books
                .running
                .entry(project_id.to_owned())
                .or_default()
                .push(number);
            books.peak_running = books.peak_running.max(running + 1);
        }
        if let Some(max_jobs) = self.rules.max_jobs {
            while books.jobs.len() > max_jobs {
                books.forget_oldest();
            }
        }
        Ok(id)
    }

    /// The most jobs one project had running (INIT or RUNNING) at once; counted only under
    /// `max_running_jobs`, else 0.
    pub fn peak_running_jobs(&self) -> usize {
        let books = self.books.lock().unwrap_or_else(PoisonError::into_inner);
        books.peak_running
    }

    /// How many private images `project_id` holds, those being made included.
    pub fn images_used(&self, project_id: &str) -> usize {
        let books = self.books.lock().unwrap_or_else(PoisonError::into_inner);
        books.usage.get(project_id).map_or(0, |usage| usage.images)
    }

    /// Queries job `id` of `project_id` (one step forward) and returns its document, or `None`
    /// when the project has no such job.
    pub fn query(&self, project_id: &str, id: &str) -> Option<Value> {
        let mut books = self.books.lock().unwrap_or_else(PoisonError::into_inner);
        let index = books.index_of(id)?;
        let job = books.jobs.get_mut(index)?;
        if job.project_id() != project_id {
            return None;
        }
        Some(job.query(self.rules.pacing))
    }

    /// The document of every job (of one project, or all) as a query would show it, without
    /// moving any job forward; oldest first.
    pub fn snapshot(&self, project_id: Option<&str>) -> Vec<Value> {
        let books = self.books.lock().unwrap_or_else(PoisonError::into_inner);
        books
            .jobs
            .iter()
            .filter(|job| in_project(job, project_id))
            .map(|job| job.document(job.phase(self.rules.pacing)))
            .collect()
    }

    /// Every image (of one project, or all) as the image list shows it now: by job, oldest job
    /// first or newest first, each job's system image before its data images.
    pub fn images(&self, project_id: Option<&str>, newest_first: bool) -> Vec<Value> {
        let books = self.books.lock().unwrap_or_else(PoisonError::into_inner);
        let documents = |job: &Job| -> Vec<Value> {
            job.image_views(job.phase(self.rules.pacing))
                .into_iter()
                .map(|view| view.document())
                .collect()
        };
        let jobs = books.jobs.iter().filter(|job| in_project(job, project_id));
        if newest_first {
            jobs.rev().flat_map(documents).collect()
        } else {
            jobs.flat_map(documents).collect()
        }
    }

    /// The images `GET /v2/cloudimages` lists now, newest first: those of jobs accepted at least
    /// `listing_delay` ago (IMS lists an image a little after it accepts its job).
    pub fn listed_images(&self, project_id: &str) -> Vec<Value> {
        let images = self.images(Some(project_id), true);
        if self.rules.listing_delay.is_zero() {
            return images;
        }
        let books = self.books.lock().unwrap_or_else(PoisonError::into_inner);
        let now = std::time::SystemTime::now();
        let hidden: HashSet<&str> = books
            .jobs
            .iter()
            .filter(|job| {
                job.project_id() == project_id && job.accepted_at() + self.rules.listing_delay > now
            })
            .flat_map(|job| job.image_ids())
            .collect();
        images
            .into_iter()
            .filter(|image| !image["id"].as_str().is_some_and(|id| hidden.contains(id)))
            .collect()
    }

    /// Makes job `id` end in FAIL, with every sub-job, unless it has already ended.
    pub fn fail_job(&self, id: &str) -> Result<(), JobControlError> {
        let mut books = self.books.lock().unwrap_or_else(PoisonError::into_inner);
        let books = &mut *books;
        let job = books
            .index_of(id)
            .and_then(|index| books.jobs.get_mut(index))
            .ok_or_else(|| JobControlError::UnknownJob(id.to_owned()))?;
        if job.phase(self.rules.pacing) == Phase::Finished {
            return Err(JobControlError::Finished(id.to_owned()));
        }
        let usage = books.usage.entry(job.project_id().to_owned()).or_default();
        usage.remove(job);
        job.fail(FailCause::Requested);
        usage.add(job);
        Ok(())
    }
}

/// Whether `job` is in `project_id`; `None` stands for every project.
fn in_project(job: &Job, project_id: Option<&str>) -> bool {
    project_id.is_none_or(|project| job.project_id() == project)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{NAME_TAKEN, QUOTA_REACHED};
    use hcims::spec::{ImageSpec, UnknownKeys};
    use serde_json::json;

    const PROJECT: &str = "p";
    const INSTANCE: &str = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";

    fn server(name: &str) -> ImagePlan {
        let body = json!({"name": name, "instance_id": INSTANCE});
        ImagePlan::from(ImageSpec::from_json(None, &body, UnknownKeys::Keep).unwrap())
    }

    fn data_images(names: &[&str]) -> ImagePlan {
        let images: Vec<Value> = names
            .iter()
            .map(|name| json!({"name": name, "volume_id": INSTANCE}))
            .collect();
        let body = json!({ "data_images": images });
        ImagePlan::from(ImageSpec::from_json(None, &body, UnknownKeys::Keep).unwrap())
    }

    /// A book whose jobs run for `job_polls` queries, configured by `set`.
    fn book(job_polls: u32, set: impl FnOnce(&mut MockConfig)) -> JobBook {
        let mut config = MockConfig {
            job_polls,
            ..MockConfig::default()
        };
        set(&mut config);
        JobBook::new(&config).unwrap()
    }

    fn code(result: Result<String, ImsError>) -> &'static str {
        result.expect_err("refused").code
    }

    #[test]
    fn jobs_belong_to_their_project() {
        let book = book(0, |_| {});
        let id = book.create(PROJECT, server("web")).unwrap();
        assert!(book.query("other", &id).is_none());
        assert_eq!(book.query(PROJECT, &id).unwrap()["status"], "SUCCESS");
        assert!(book.query(PROJECT, "unknown").is_none());
        book.create("other", server("db")).unwrap();
        assert_eq!(book.snapshot(Some(PROJECT)).len(), 1);
        assert_eq!(book.snapshot(None).len(), 2);
        assert_eq!(book.images(Some("other"), false)[0]["name"], "db");
        assert_eq!(book.images(Some("other"), false)[0]["owner"], "other");
    }

    #[test]
    fn unknown_instances_are_img_0005_when_the_instances_are_known() {
        let book = book(0, |c| c.instances = Some(vec![INSTANCE.to_owned()]));
        book.create(PROJECT, server("web")).unwrap();
        let mut other = server("web2");
        other.instance_id = Some("0e7a1f4b-5e65-4c2b-a2f5-1b9b2a0f6c11".into());
        assert_eq!(code(book.create(PROJECT, other)), UNKNOWN_INSTANCE);
        assert_eq!(book.snapshot(None).len(), 1);
    }

    #[test]
    fn taken_names_are_img_0009_per_project_when_names_must_be_unique() {
        let book = book(0, |c| {
            c.unique_names = true;
            c.fail_pattern = Some("doomed".into());
        });
        book.create(PROJECT, server("web")).unwrap();
        assert_eq!(code(book.create(PROJECT, server("web"))), NAME_TAKEN);
        assert_eq!(
            code(book.create(PROJECT, data_images(&["d", "web"]))),
            NAME_TAKEN
        );
        assert_eq!(
            code(book.create(PROJECT, data_images(&["d", "d"]))),
            NAME_TAKEN
        );
        book.create("other", server("web")).unwrap();
        // An image whose job fails leaves its name free.
        book.create(PROJECT, server("doomed")).unwrap();
        book.create(PROJECT, server("doomed")).unwrap();
    }

    #[test]
    fn names_may_repeat_by_default() {
        let book = book(0, |_| {});
        book.create(PROJECT, server("web")).unwrap();
        book.create(PROJECT, server("web")).unwrap();
    }

    #[test]
    fn the_quota_counts_every_lasting_image_of_the_project() {
        let book = book(0, |c| c.image_quota = Some(3));
        book.create(PROJECT, data_images(&["d1", "d2"])).unwrap();
        assert_eq!(
            code(book.create(PROJECT, data_images(&["d3", "d4"]))),
            QUOTA_REACHED
        );
        book.create(PROJECT, server("web")).unwrap();
        assert_eq!(
            code(book.create(PROJECT, server("one-more"))),
            QUOTA_REACHED
        );
        // Each project has its own quota.
        book.create("other", server("web")).unwrap();
    }

    #[test]
    fn beyond_max_running_jobs_a_create_is_img_0060_until_a_job_ends() {
        let book = book(1, |c| c.max_running_jobs = Some(2));
        let first = book.create(PROJECT, server("a")).unwrap();
        book.create(PROJECT, server("b")).unwrap();
        assert_eq!(code(book.create(PROJECT, server("c"))), TOO_MANY_RUNNING);
        // Each project has its own limit.
        book.create("other", server("a")).unwrap();
        assert_eq!(book.query(PROJECT, &first).unwrap()["status"], "RUNNING");
        assert_eq!(code(book.create(PROJECT, server("c"))), TOO_MANY_RUNNING);
        assert_eq!(book.query(PROJECT, &first).unwrap()["status"], "SUCCESS");
        book.create(PROJECT, server("c")).unwrap();
        assert_eq!(book.peak_running_jobs(), 2);
    }

    #[test]
    fn without_max_running_jobs_nothing_is_refused_or_counted() {
        let book = book(5, |_| {});
        for name in ["a", "b", "c", "d"] {
            book.create(PROJECT, server(name)).unwrap();
        }
        assert_eq!(book.peak_running_jobs(), 0);
    }

    #[test]
    fn forgotten_jobs_no_longer_run() {
        let book = book(5, |c| {
            c.max_jobs = Some(1);
            c.max_running_jobs = Some(1);
        });
        book.create(PROJECT, server("a")).unwrap();
        assert_eq!(code(book.create(PROJECT, server("b"))), TOO_MANY_RUNNING);
        // A job in another project makes the emulator forget "a", which then stops counting.
        book.create("other", server("x")).unwrap();
        book.create(PROJECT, server("b")).unwrap();
    }

    #[test]
    fn fail_job_fails_a_running_job_and_frees_its_quota() {
        let book = book(1, |c| c.image_quota = Some(1));
        let id = book.create(PROJECT, server("web")).unwrap();
        assert_eq!(book.query(PROJECT, &id).unwrap()["status"], "RUNNING");
        book.fail_job(&id).unwrap();
        let done = book.query(PROJECT, &id).unwrap();
        assert_eq!(done["status"], "FAIL");
        assert!(book.images(None, false).is_empty());
        book.create(PROJECT, server("next")).unwrap();
        assert_eq!(
            book.fail_job(&id),
            Err(JobControlError::Finished(id.clone()))
        );
        assert_eq!(
            book.fail_job("nope"),
            Err(JobControlError::UnknownJob("nope".into()))
        );
    }

    #[test]
    fn random_failures_follow_the_seed() {
        let outcomes = |seed: u64| -> Vec<String> {
            let book = book(0, |c| {
                c.fail_rate = 0.5;
                c.seed = Some(seed);
            });
            (0..32)
                .map(|_| {
                    let id = book.create(PROJECT, server("web")).unwrap();
                    book.query(PROJECT, &id).unwrap()["status"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect()
        };
        let first = outcomes(7);
        assert_eq!(first, outcomes(7));
        assert_ne!(first, outcomes(8));
        let failed = first.iter().filter(|status| *status == "FAIL").count();
        assert!(
            (4..=28).contains(&failed),
            "{failed} of 32 failed at a rate of 0.5"
        );
    }

    #[test]
    fn a_rate_of_one_fails_every_job_and_zero_none() {
        for (rate, status) in [(1.0, "FAIL"), (0.0, "SUCCESS")] {
            let book = book(0, |c| c.fail_rate = rate);
            let id = book.create(PROJECT, server("web")).unwrap();
            assert_eq!(book.query(PROJECT, &id).unwrap()["status"], status);
        }
    }

    #[test]
    fn the_oldest_jobs_and_their_images_are_forgotten_beyond_max_jobs() {
        let book = book(0, |c| {
            c.max_jobs = Some(2);
            c.unique_names = true;
        });
        let first = book.create(PROJECT, server("a")).unwrap();
        let second = book.create(PROJECT, server("b")).unwrap();
        let third = book.create(PROJECT, server("c")).unwrap();
        assert!(book.query(PROJECT, &first).is_none());
        assert!(book.query(PROJECT, &second).is_some());
        assert!(book.query(PROJECT, &third).is_some());
        let names: Vec<Value> = book
            .images(None, false)
            .iter()
            .map(|i| i["name"].clone())
            .collect();
        assert_eq!(names, [json!("b"), json!("c")]);
        // The forgotten image's name is free again.
        book.create(PROJECT, server("a")).unwrap();
    }
}
