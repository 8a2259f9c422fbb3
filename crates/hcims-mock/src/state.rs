//! Everything the emulator's handlers share.

use crate::auth::Keyring;
use crate::config::MockConfig;
use crate::faults::FaultTable;
use crate::image_edits::ImageEdits;
use crate::job_book::JobBook;
use crate::latency::Latency;
use crate::rate_limit::RateLimit;
use crate::recording::Recorder;

#[derive(Debug)]
pub(crate) struct MockState {
    pub config: MockConfig,
    pub keyring: Keyring,
    pub recorder: Recorder,
    pub faults: FaultTable,
    pub rate_limit: Option<RateLimit>,
    pub jobs: JobBook,
    /// Deletes and changes of the images jobs made.
    pub edits: ImageEdits,
    /// Set when answers are held (`response_delay`).
    pub latency: Option<Latency>,
}

impl MockState {
    /// The state for `config`, or why the config cannot be served.
    pub fn new(config: MockConfig) -> std::io::Result<Self> {
        config.check()?;
        Ok(Self {
            keyring: Keyring::new(&config),
            recorder: Recorder::new(config.record_requests, config.max_recorded_requests),
            faults: FaultTable::default(),
            rate_limit: config.rate_limit_per_second.map(RateLimit::new),
            jobs: JobBook::new(&config)?,
            edits: ImageEdits::default(),
            latency: if config.response_delay.is_zero() {
                None
            } else {
                Some(Latency::start()?)
            },
            config,
        })
    }
}
