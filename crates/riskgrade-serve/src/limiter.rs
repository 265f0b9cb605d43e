//! Failed authentications per client: after `max` failures in a window the
//! client gets 429 until the window ends, whatever key it presents.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Clients tracked before expired windows are swept.
const SWEEP_AT: usize = 10_000;

pub(crate) struct Limiter {
    max: u32,
    window: Duration,
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Limiter {
    pub(crate) fn new(max: u32, window: Duration) -> Limiter {
        Limiter {
            max,
            window,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds until `client` may authenticate again, if it is limited now.
    pub(crate) fn blocked(&self, client: IpAddr) -> Option<u64> {
        let clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (start, n) = clients.get(&client)?;
        let left = self.window.checked_sub(start.elapsed())?;
        (*n >= self.max).then(|| left.as_secs().max(1))
    }

    /// Counts a failed authentication of `client`.
    pub(crate) fn failed(&self, client: IpAddr) {
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if clients.len() >= SWEEP_AT {
            let window = self.window;
            clients.retain(|_, (start, _)| start.elapsed() < window);
        }
        let entry = clients.entry(client).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_limited_after_max_failures_and_others_are_not() {
        let limiter = Limiter::new(3, Duration::from_secs(60));
        let a = IpAddr::from([127, 0, 0, 1]);
        let b = IpAddr::from([127, 0, 0, 2]);
        for _ in 0..2 {
            limiter.failed(a);
        }
        assert_eq!(limiter.blocked(a), None);
        limiter.failed(a);
        assert!(limiter.blocked(a).is_some_and(|s| (1..=60).contains(&s)));
        assert_eq!(limiter.blocked(b), None);
    }

    #[test]
    fn the_window_ends() {
        let limiter = Limiter::new(1, Duration::from_millis(20));
        let a = IpAddr::from([127, 0, 0, 1]);
        limiter.failed(a);
        assert!(limiter.blocked(a).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(limiter.blocked(a), None);
    }
}
