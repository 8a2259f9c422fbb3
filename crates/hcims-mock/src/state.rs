//! Everything the emulator's handlers share.

use crate::config::MockConfig;
use crate::faults::FaultTable;
use crate::jobs::JobBook;
use crate::recording::Recorder;

#[derive(Debug)]
pub(crate) struct MockState {
    pub config: MockConfig,
    pub recorder: Recorder,
    pub faults: FaultTable,
    pub jobs: JobBook,
}
