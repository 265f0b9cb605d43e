//! Dashboard sessions: a random id in an HttpOnly, SameSite=Strict cookie,
//! the caller it stands for, a CSRF token for its forms, and an expiry.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::gate::Caller;
use crate::keys::{hex, random};

/// How long a session lasts without signing in again.
const LIFETIME: Duration = Duration::from_secs(8 * 3600);

/// Sessions kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

/// One signed-in browser.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) caller: Caller,
    pub(crate) csrf: String,
    expires: Instant,
}

/// Every live session, by id.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    /// Starts a session for `caller`: its id and CSRF token, or `None` without a random source.
    pub(crate) fn start(&self, caller: Caller) -> Option<(String, String)> {
        let id = hex(&random::<32>().ok()?);
        let csrf = hex(&random::<32>().ok()?);
        let mut all = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if all.len() >= SWEEP_AT {
            let now = Instant::now();
            all.retain(|_, s| s.expires > now);
        }
        let session = Session {
            caller,
            csrf: csrf.clone(),
            expires: Instant::now() + LIFETIME,
        };
        all.insert(id.clone(), session);
        Some((id, csrf))
    }

    /// The live session with this id.
    pub(crate) fn get(&self, id: &str) -> Option<Session> {
        let all = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.get(id).filter(|s| s.expires > Instant::now()).cloned()
    }

    /// Ends a session.
    pub(crate) fn end(&self, id: &str) {
        let mut all = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.remove(id);
    }

    /// Ends every session of a key (it was revoked).
    pub(crate) fn end_key(&self, key: &str) {
        let mut all = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.retain(|_, s| s.caller.key.as_deref() != Some(key));
    }
}

/// Whether two tokens are equal, comparing every byte.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
