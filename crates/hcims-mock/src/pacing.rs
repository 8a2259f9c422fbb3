//! How a job moves from INIT to its end: by how often it was queried, or by how long ago it began,
//! so a test decides how many INIT and RUNNING answers a client sees.

use std::io;
use std::time::Duration;

use crate::config::MockConfig;

/// How jobs move from INIT to their end.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Pacing {
    /// How many queries answer INIT before the job runs.
    pub init_polls: u32,
    pub run: Run,
}

/// How long a job runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Run {
    /// RUNNING for this many queries, finished at the next one.
    Polls(u32),
    /// RUNNING until this long after the create.
    Elapsed(Duration),
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Phase {
    Init,
    /// `fraction` of the run is done, from 0.0 up to (not reaching) 1.0.
    Running {
        fraction: f64,
    },
    Finished,
}

impl Pacing {
    /// The pacing `config` asks for: `job_seconds` when set, else `job_polls`.
    pub fn from_config(config: &MockConfig) -> io::Result<Self> {
        let run = match config.job_seconds {
            None => Run::Polls(config.job_polls),
            Some(seconds) => Duration::try_from_secs_f64(seconds)
                .map(Run::Elapsed)
                .map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("job_seconds must be a finite number of seconds, at least 0; got {seconds}"),
                    )
                })?,
        };
        Ok(Self {
            init_polls: config.init_polls,
            run,
        })
    }

    /// The pacing of a job that runs twice as long (its INIT queries alike).
    pub fn doubled(self) -> Self {
        let run = match self.run {
            Run::Polls(polls) => Run::Polls(polls.saturating_mul(2).saturating_add(1)),
            Run::Elapsed(duration) => Run::Elapsed(duration.saturating_mul(2)),
        };
        Self { run, ..self }
    }

    /// The phase of a job queried `queries` times, which began `elapsed` ago.
    pub fn phase(&self, queries: u32, elapsed: Duration) -> Phase {
        let init_polls = self.init_polls;
        if queries <= init_polls && (init_polls > 0 || matches!(self.run, Run::Polls(_))) {
            // Never queried yet, or within the INIT queries.
            return Phase::Init;
        }
        match self.run {
            Run::Polls(running_polls) => {
                let running_queries = queries - init_polls;
                if running_queries <= running_polls {
                    Phase::Running {
                        fraction: f64::from(running_queries) / f64::from(running_polls + 1),
                    }
                } else {
                    Phase::Finished
                }
            }
            Run::Elapsed(duration) => {
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
}

#[cfg(test)]
impl Pacing {
    pub fn polls(running_polls: u32) -> Self {
        Self {
            init_polls: 0,
            run: Run::Polls(running_polls),
        }
    }

    pub fn elapsed(duration: Duration) -> Self {
        Self {
            init_polls: 0,
            run: Run::Elapsed(duration),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_paced_jobs_run_for_their_queries_after_the_init_ones() {
        let pacing = Pacing {
            init_polls: 1,
            run: Run::Polls(3),
        };
        let phases: Vec<Phase> = (0..6).map(|q| pacing.phase(q, Duration::ZERO)).collect();
        let running = |fraction| Phase::Running { fraction };
        assert_eq!(
            phases,
            [
                Phase::Init,
                Phase::Init,
                running(0.25),
                running(0.5),
                running(0.75),
                Phase::Finished
            ]
        );
    }

    #[test]
    fn time_paced_jobs_run_until_their_duration_has_passed() {
        let pacing = Pacing::elapsed(Duration::from_secs(4));
        assert_eq!(
            pacing.phase(0, Duration::from_secs(1)),
            Phase::Running { fraction: 0.25 }
        );
        assert_eq!(pacing.phase(9, Duration::from_secs(4)), Phase::Finished);
    }

    #[test]
    fn job_seconds_must_be_a_duration() {
        let config = |job_seconds| MockConfig {
            job_seconds,
            ..MockConfig::default()
        };
        assert_eq!(
            Pacing::from_config(&config(None)).unwrap(),
            Pacing::polls(MockConfig::DEFAULT_JOB_POLLS)
        );
        assert_eq!(
            Pacing::from_config(&config(Some(0.5))).unwrap(),
            Pacing::elapsed(Duration::from_millis(500))
        );
        let error = Pacing::from_config(&config(Some(-1.0))).unwrap_err();
        assert!(error.to_string().contains("job_seconds"), "{error}");
    }
}
