//! Issuing and checking API keys. A key reads `rgk_<id>_<secret>`: the id
//! names the key in the store and the access log, the secret (32 random
//! bytes) is shown once and stored only as SHA-256 over a per-key random salt
//! and the secret.

use riskgrade::store::{NewKey, Role, Store, StoreError, StoredKey};
use sha2::{Digest, Sha256};

/// A key just issued: the only time its secret exists outside its holder.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedKey {
    /// The key's public id.
    pub id: String,
    /// The whole key to hand over, `rgk_<id>_<secret>`.
    pub key: String,
    /// Its role.
    pub role: Role,
    /// Its department.
    pub department: Option<String>,
}

/// Why a presented key does not authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Not a key of this service (malformed, unknown id, or wrong secret).
    Bad,
    /// A key that was revoked.
    Revoked,
}

/// Why a key could not be issued.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The store refused the key (a department key without a department) or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The operating system gave no random bytes.
    #[error("no random bytes from the operating system: {0}")]
    Random(getrandom::Error),
}

/// Random bytes from the operating system.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf)?;
    Ok(buf)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

fn digest(salt: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b":");
    h.update(secret.as_bytes());
    hex(&h.finalize())
}

/// Issues a key: stores its id, role, department and salted hash, and returns
/// the key (shown once).
///
/// ```
/// use riskgrade::store::{Role, Store};
/// let mut store = Store::in_memory()?;
/// let issued = riskgrade_serve::issue_key(&mut store, Role::Department, Some("market"), "market desk", "admin")?;
/// assert!(issued.key.starts_with(&format!("rgk_{}_", issued.id)));
/// let stored = store.key(&issued.id)?.unwrap();
/// assert!(!stored.hash.contains(&issued.key[issued.id.len() + 5..]));
/// assert!(riskgrade_serve::check_key(&store, &issued.key)?.is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`KeyError::Store`] when the store refuses the key (a department key
/// without a department) or fails, [`KeyError::Random`] without a random source.
pub fn issue_key(
    store: &mut Store,
    role: Role,
    department: Option<&str>,
    note: &str,
    actor: &str,
) -> Result<IssuedKey, KeyError> {
    let id = hex(&random::<6>().map_err(KeyError::Random)?);
    let secret = hex(&random::<32>().map_err(KeyError::Random)?);
    let salt = hex(&random::<16>().map_err(KeyError::Random)?);
    let department = department.map(str::trim).filter(|d| !d.is_empty());
    store.add_key(
        &NewKey {
            id: id.clone(),
            role,
            department: department.map(str::to_string),
            note: note.to_string(),
            hash: digest(&salt, &secret),
            salt,
        },
        actor,
    )?;
    Ok(IssuedKey {
        key: format!("rgk_{id}_{secret}"),
        id,
        role,
        department: department.map(str::to_string),
    })
}

/// The public id named by a presented key, if it has the key's shape.
pub(crate) fn key_id(presented: &str) -> Option<&str> {
    let rest = presented.strip_prefix("rgk_")?;
    let (id, secret) = rest.split_once('_')?;
    let ok = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (ok(id, 12) && ok(secret, 64)).then_some(id)
}

/// Checks a presented key against the store: the stored key, or why not.
///
/// # Errors
/// Store errors (the key is then neither accepted nor rejected).
pub fn check_key(
    store: &Store,
    presented: &str,
) -> Result<Result<StoredKey, Rejected>, StoreError> {
    let Some(id) = key_id(presented) else {
        return Ok(Err(Rejected::Bad));
    };
    let Some(stored) = store.key(id)? else {
        return Ok(Err(Rejected::Bad));
    };
    let secret = &presented[5 + id.len()..];
    let computed = digest(&stored.salt, secret);
    // Compare every byte, so the time taken does not tell how much matched.
    let same = computed.len() == stored.hash.len()
        && computed
            .bytes()
            .zip(stored.hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Ok(Err(Rejected::Bad));
    }
    if stored.revoked_at.is_some() {
        return Ok(Err(Rejected::Revoked));
    }
    Ok(Ok(stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_checks_only_with_its_own_secret_and_until_revoked() -> Result<(), KeyError> {
        let mut store = Store::in_memory()?;
        let k = issue_key(&mut store, Role::Analyst, None, "analysts", "admin")?;
        assert!(check_key(&store, &k.key)?.is_ok());
        let mut wrong = k.key.clone();
        let last = if wrong.ends_with('0') { "1" } else { "0" };
        wrong.replace_range(wrong.len() - 1.., last);
        assert_eq!(check_key(&store, &wrong)?, Err(Rejected::Bad));
        for bad in ["", "rgk_", "rgk_x_y", &k.key[..k.key.len() - 1], "Bearer x"] {
            assert_eq!(check_key(&store, bad)?, Err(Rejected::Bad), "{bad}");
        }
        store.revoke_key(&k.id, "admin")?;
        assert_eq!(check_key(&store, &k.key)?, Err(Rejected::Revoked));
        Ok(())
    }

    #[test]
    fn two_keys_never_share_salt_or_secret() -> Result<(), KeyError> {
        let mut store = Store::in_memory()?;
        let a = issue_key(&mut store, Role::Public, None, "a", "admin")?;
        let b = issue_key(&mut store, Role::Public, None, "b", "admin")?;
        assert_ne!(a.key, b.key);
        let (sa, sb) = (store.key(&a.id)?, store.key(&b.id)?);
        assert_ne!(sa.map(|k| k.salt), sb.map(|k| k.salt));
        Ok(())
    }
}
