//! How often a job is polled while waiting for it.

use std::time::Duration;

use rand::Rng;

#[derive(Debug, Clone, PartialEq)]
pub struct WaitOptions {
    /// Give up (with `Error::JobTimeout`) after this long; None waits for ever.
    pub timeout: Option<Duration>,
    /// A fixed pause between polls; None backs off from `first_delay` by x1.5 up to `max_delay`.
    pub poll_interval: Option<Duration>,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            timeout: Some(Duration::from_secs(3600)),
            poll_interval: None,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15),
        }
    }
}

impl WaitOptions {
    /// The pause after poll number `polls` (1-based). Image jobs take minutes, so polling slows down;
    /// jitter keeps many waiting scripts from polling in step.
    pub fn delay_after(&self, polls: u32) -> Duration {
        if let Some(fixed) = self.poll_interval {
            return fixed;
        }
        let grown =
            self.first_delay.as_secs_f64() * 1.5f64.powi(polls.saturating_sub(1).min(60) as i32);
        let capped = grown.min(self.max_delay.as_secs_f64());
        let jitter = rand::rng().random_range(0.9..=1.1);
        Duration::from_secs_f64((capped * jitter).min(self.max_delay.as_secs_f64()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_to_the_cap() {
        let w = WaitOptions::default();
        let first = w.delay_after(1).as_secs_f64();
        assert!((0.9..=1.1).contains(&first), "{first}");
        let third = w.delay_after(3).as_secs_f64();
        assert!((2.25 * 0.9..=2.25 * 1.1).contains(&third), "{third}");
        for n in [10, 50, 1000, u32::MAX] {
            assert!(w.delay_after(n) <= Duration::from_secs(15));
            assert!(w.delay_after(n) >= Duration::from_secs_f64(13.5));
        }
    }

    #[test]
    fn fixed_interval_is_fixed() {
        let w = WaitOptions {
            poll_interval: Some(Duration::from_millis(50)),
            ..Default::default()
        };
        assert_eq!(w.delay_after(1), Duration::from_millis(50));
        assert_eq!(w.delay_after(99), Duration::from_millis(50));
    }
}
