//! The inspector stage of a draw (stage 3 of the [`crate::draw`] module docs): inspectors for
//! each task from a ChaCha20 stream keyed by the seed, the tasks and the pool.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

use super::{Chosen, DrawError, History, Inspector, Shortfall, n32};
use crate::{Candidate, Plan};

/// Uniform integer in `[0, n)` by modulo rejection (module docs, step 6). `n` must be > 0.
pub(crate) fn uniform(rng: &mut ChaCha20Rng, n: usize) -> usize {
    let n = n as u64;
    let reject_from = 0u64.wrapping_sub(n) % n; // 2^64 mod n
    loop {
        let r = rng.next_u64();
        if reject_from == 0 || r < 0u64.wrapping_sub(reject_from) {
            return (r % n) as usize;
        }
    }
}

/// Partial Fisher–Yates: moves `k` uniformly drawn items, in draw order, to the front.
pub(crate) fn pick<T>(items: &mut [T], k: usize, rng: &mut ChaCha20Rng) {
    for i in 0..k.min(items.len()) {
        let j = i + uniform(rng, items.len() - i);
        items.swap(i, j);
    }
}

/// The ChaCha20 stream keyed by SHA-256 of the concatenated parts.
pub(crate) fn stream(parts: &[&[u8]]) -> ChaCha20Rng {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    ChaCha20Rng::from_seed(h.finalize().into())
}

/// Why an inspector may not take a task, in the order they are counted.
#[derive(Clone, Copy)]
enum Barrier {
    Conflict,
    LastTime,
    OwnDistrict,
}

fn barrier(plan: &Plan, ins: &Inspector, c: &Candidate, history: &History) -> Option<Barrier> {
    if ins.conflicts.contains(&c.id) {
        Some(Barrier::Conflict)
    } else if plan.inspectors.avoid_repeat
        && history
            .last
            .get(&c.id)
            .is_some_and(|l| l.inspectors.contains(&ins.id))
    {
        Some(Barrier::LastTime)
    } else if plan.inspectors.avoid_own_district && ins.district == c.district {
        Some(Barrier::OwnDistrict)
    } else {
        None
    }
}

/// Inspector ids per task, in task order (module docs, step 9).
pub(crate) fn assign(
    plan: &Plan,
    tasks: &[Chosen<'_>],
    pool: &[&Inspector],
    history: &History,
    rng: &mut ChaCha20Rng,
) -> Result<Vec<Vec<String>>, DrawError> {
    let per = plan.inspectors.per_task as usize;
    let needed = tasks.len() as u64 * per as u64;
    let capacity: u64 = pool.iter().map(|i| u64::from(i.capacity)).sum();
    if capacity < needed {
        return Err(DrawError::Infeasible(Box::new(Shortfall::Capacity {
            per_task: plan.inspectors.per_task,
            tasks: tasks.len(),
            needed,
            pool: pool.len(),
            capacity,
        })));
    }
    let barriers: Vec<Vec<Option<Barrier>>> = tasks
        .iter()
        .map(|(c, ..)| pool.iter().map(|i| barrier(plan, i, c, history)).collect())
        .collect();
    let mut order: Vec<usize> = (0..tasks.len()).collect();
    pick(&mut order, tasks.len(), rng);
    order.sort_by_key(|&t| barriers[t].iter().filter(|b| b.is_none()).count());

    let mut load = vec![0u32; pool.len()];
    let mut staff = vec![Vec::new(); tasks.len()];
    for t in order {
        let may = |i: usize, load: &[u32]| barriers[t][i].is_none() && load[i] < pool[i].capacity;
        let available = (0..pool.len()).filter(|&i| may(i, &load)).count();
        if available < per {
            return Err(cannot_staff(&tasks[t], per, available, pool, &barriers[t]));
        }
        let mut on: Vec<usize> = Vec::with_capacity(per);
        for _ in 0..per {
            let free: Vec<usize> = (0..pool.len())
                .filter(|&i| may(i, &load) && !on.contains(&i))
                .collect();
            let least = free.iter().map(|&i| load[i]).min().unwrap_or(0);
            let tied: Vec<usize> = free.into_iter().filter(|&i| load[i] == least).collect();
            let i = tied[uniform(rng, tied.len())];
            load[i] += 1;
            on.push(i);
        }
        on.sort_unstable();
        staff[t] = on.into_iter().map(|i| pool[i].id.clone()).collect();
    }
    Ok(staff)
}

fn cannot_staff(
    (c, stratum, _): &Chosen<'_>,
    per: usize,
    available: usize,
    pool: &[&Inspector],
    barriers: &[Option<Barrier>],
) -> DrawError {
    let count = |f: fn(&Option<Barrier>) -> bool| barriers.iter().filter(|b| f(b)).count();
    DrawError::Infeasible(Box::new(Shortfall::Task {
        enterprise: c.id.clone(),
        class: c.class.clone(),
        stratum: stratum.clone(),
        district: c.district.clone(),
        needed: n32(per),
        available,
        pool: pool.len(),
        at_capacity: count(Option::is_none) - available,
        own_district: count(|b| matches!(b, Some(Barrier::OwnDistrict))),
        last_inspection: count(|b| matches!(b, Some(Barrier::LastTime))),
        conflict: count(|b| matches!(b, Some(Barrier::Conflict))),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_is_in_range_and_covers() {
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        let mut seen = [false; 5];
        for _ in 0..200 {
            seen[uniform(&mut rng, 5)] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(uniform(&mut rng, 1), 0);
    }
}
