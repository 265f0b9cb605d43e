//! Scenario supervision: each department's queue of the period's routed
//! alerts, and the classification labels given.

use std::collections::BTreeMap;
use std::fmt;

use crate::{InvalidRequest, Store, StoreError};
use riskgrade_core::Month;

/// One enterprise in a department's queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    /// Enterprise id.
    pub id: String,
    /// Its class.
    pub class: Option<String>,
    /// The alert topics routed to the department.
    pub topics: Vec<String>,
    /// The enterprise's labels.
    pub labels: Vec<String>,
}

/// One department's queue for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentQueue {
    /// The department (`(no route)` for alerts no route matched).
    pub department: String,
    /// Alerts per topic.
    pub topics: BTreeMap<String, usize>,
    /// The enterprises, riskiest class first, then by id.
    pub items: Vec<QueueItem>,
}

/// Every department's queue for a period, plus the count of each label.
#[derive(Debug, Clone, PartialEq)]
pub struct Queues {
    /// The period.
    pub period: Month,
    /// Per department, by name.
    pub departments: Vec<DepartmentQueue>,
    /// Enterprises per label.
    pub labels: BTreeMap<String, usize>,
}

/// The period's alerts grouped by the department they were routed to
/// (谁审批、谁监管 / 谁主管、谁监管), and the labels given.
///
/// # Errors
/// A period that is not stored, or store errors.
pub fn queues(store: &Store, period: Month) -> Result<Queues, StoreError> {
    let run = store.run(period)?.ok_or(InvalidRequest::NoRun { period })?;
    let rank = |c: &Option<String>| {
        c.as_ref()
            .and_then(|c| run.classes.iter().position(|k| k == c))
            .unwrap_or(0)
    };
    let mut by_dept: BTreeMap<String, DepartmentQueue> = BTreeMap::new();
    let mut labels: BTreeMap<String, usize> = BTreeMap::new();
    store.scan_results::<StoreError>(period, |r| {
        let own_labels: Vec<String> = r.labels.clone();
        for l in &own_labels {
            *labels.entry(l.clone()).or_default() += 1;
        }
        let mut per: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for a in &r.alerts {
            let (topic, dept) = a
                .split_once(" -> ")
                .map_or((a.as_str(), "(no route)"), |(t, d)| (t, d));
            per.entry(dept.to_string())
                .or_default()
                .push(topic.to_string());
        }
        for (dept, topics) in per {
            let q = by_dept
                .entry(dept.clone())
                .or_insert_with(|| DepartmentQueue {
                    department: dept,
                    topics: BTreeMap::new(),
                    items: Vec::new(),
                });
            for t in &topics {
                *q.topics.entry(t.clone()).or_default() += 1;
            }
            q.items.push(QueueItem {
                id: r.id.clone(),
                class: r.class.clone(),
                topics,
                labels: own_labels.clone(),
            });
        }
        Ok(())
    })?;
    let mut departments: Vec<DepartmentQueue> = by_dept.into_values().collect();
    for d in &mut departments {
        d.items.sort_by(|a, b| {
            rank(&b.class)
                .cmp(&rank(&a.class))
                .then_with(|| a.id.cmp(&b.id))
        });
    }
    Ok(Queues {
        period,
        departments,
        labels,
    })
}

impl fmt::Display for Queues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "alerts of {} by department:", self.period)?;
        for d in &self.departments {
            let topics: Vec<String> = d.topics.iter().map(|(t, n)| format!("{t} {n}")).collect();
            writeln!(
                f,
                "  {}: {} enterprise(s); {}",
                d.department,
                d.items.len(),
                topics.join(", ")
            )?;
        }
        if !self.labels.is_empty() {
            let l: Vec<String> = self
                .labels
                .iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect();
            writeln!(f, "labels: {}", l.join(", "))?;
        }
        Ok(())
    }
}
