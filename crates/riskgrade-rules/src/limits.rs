//! [`Limits`]: what one rule may do on one enterprise, what one enterprise may
//! collect, and how long the rules may take over a batch, each under a hard ceiling.

use std::time::Duration;

/// Hard limits on what one rule may do on one enterprise, on the effects one
/// enterprise may collect, and on the time the rules may take over a batch.
///
/// Every limit has a hard ceiling ([`Limits::CEILING`]): a setter given more
/// keeps the ceiling, and a model set asking for more is refused when it loads.
///
/// ```
/// use std::time::Duration;
/// use riskgrade_rules::Limits;
/// let l = Limits::default().max_operations(10_000).time_budget(Duration::from_millis(5));
/// assert_eq!(l.operations(), 10_000);
/// assert_eq!(Limits::default().max_operations(u64::MAX).operations(), Limits::CEILING.operations());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub(crate) max_operations: u64,
    pub(crate) max_call_levels: usize,
    pub(crate) max_expr_depth: usize,
    pub(crate) max_string_size: usize,
    pub(crate) max_array_size: usize,
    pub(crate) max_map_size: usize,
    pub(crate) time_budget: Duration,
    pub(crate) max_effects: usize,
    pub(crate) max_text_len: usize,
    pub(crate) max_effect_bytes: usize,
    pub(crate) batch_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 100_000,
            max_call_levels: 16,
            max_expr_depth: 64,
            max_string_size: 4096,
            max_array_size: 1024,
            max_map_size: 256,
            time_budget: Duration::from_millis(50),
            max_effects: 64,
            max_text_len: 1024,
            max_effect_bytes: 16 * 1024,
            batch_budget: Duration::from_secs(600),
        }
    }
}

impl Limits {
    /// The highest value of every limit.
    pub const CEILING: Limits = Limits {
        max_operations: 10_000_000,
        max_call_levels: 32,
        max_expr_depth: 128,
        max_string_size: 1 << 20,
        max_array_size: 100_000,
        max_map_size: 10_000,
        time_budget: Duration::from_secs(10),
        max_effects: 1024,
        max_text_len: 16 * 1024,
        max_effect_bytes: 1 << 20,
        batch_budget: Duration::from_secs(3600),
    };

    /// Operations (roughly: expression nodes, loop iterations, calls) per run.
    pub fn max_operations(mut self, n: u64) -> Self {
        self.max_operations = n.clamp(1, Self::CEILING.max_operations);
        self
    }
    /// Nesting of function calls (stops runaway recursion).
    pub fn max_call_levels(mut self, n: usize) -> Self {
        self.max_call_levels = n.min(Self::CEILING.max_call_levels);
        self
    }
    /// Nesting of expressions in the script.
    pub fn max_expr_depth(mut self, n: usize) -> Self {
        self.max_expr_depth = n.clamp(1, Self::CEILING.max_expr_depth);
        self
    }
    /// Length of any string a script builds.
    pub fn max_string_size(mut self, n: usize) -> Self {
        self.max_string_size = n.clamp(1, Self::CEILING.max_string_size);
        self
    }
    /// Length of any array a script builds.
    pub fn max_array_size(mut self, n: usize) -> Self {
        self.max_array_size = n.clamp(1, Self::CEILING.max_array_size);
        self
    }
    /// Size of any object map a script builds.
    pub fn max_map_size(mut self, n: usize) -> Self {
        self.max_map_size = n.clamp(1, Self::CEILING.max_map_size);
        self
    }
    /// Wall-clock time per run.
    pub fn time_budget(mut self, d: Duration) -> Self {
        self.time_budget = d.min(Self::CEILING.time_budget);
        self
    }
    /// Effects (actions: labels, alerts, adjustments, class moves) one
    /// enterprise may collect from all its rules together.
    pub fn max_effects(mut self, n: usize) -> Self {
        self.max_effects = n.clamp(1, Self::CEILING.max_effects);
        self
    }
    /// Bytes of any one text of an effect: a reason, label, alert topic or message.
    pub fn max_text_len(mut self, n: usize) -> Self {
        self.max_text_len = n.clamp(1, Self::CEILING.max_text_len);
        self
    }
    /// Bytes of text of all the effects one enterprise collects together.
    pub fn max_effect_bytes(mut self, n: usize) -> Self {
        self.max_effect_bytes = n.clamp(1, Self::CEILING.max_effect_bytes);
        self
    }
    /// Wall-clock time for the rules pass over one batch; the enterprises not
    /// reached in time become error rows.
    pub fn batch_budget(mut self, d: Duration) -> Self {
        self.batch_budget = d.min(Self::CEILING.batch_budget);
        self
    }
    /// The operations limit.
    pub fn operations(&self) -> u64 {
        self.max_operations
    }
    /// The nesting of function calls.
    pub fn call_levels(&self) -> usize {
        self.max_call_levels
    }
    /// The nesting of expressions.
    pub fn expr_depth(&self) -> usize {
        self.max_expr_depth
    }
    /// The length of any string a script builds.
    pub fn string_size(&self) -> usize {
        self.max_string_size
    }
    /// The length of any array a script builds.
    pub fn array_size(&self) -> usize {
        self.max_array_size
    }
    /// The size of any map a script builds.
    pub fn map_size(&self) -> usize {
        self.max_map_size
    }
    /// The time budget of one run.
    pub fn run_budget(&self) -> Duration {
        self.time_budget
    }
    /// The effects limit per enterprise.
    pub fn effects(&self) -> usize {
        self.max_effects
    }
    /// The limit on one effect's text, in bytes.
    pub fn text_len(&self) -> usize {
        self.max_text_len
    }
    /// The limit on all of one enterprise's effect texts, in bytes.
    pub fn effect_bytes(&self) -> usize {
        self.max_effect_bytes
    }
    /// The time budget of the rules pass over one batch.
    pub fn batch(&self) -> Duration {
        self.batch_budget
    }
}

/// What one enterprise's effects have taken of its limits so far: the number
/// of effects and the bytes of their texts ([`crate::Action::text_bytes`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spent {
    /// Effects so far.
    pub effects: usize,
    /// Bytes of their texts.
    pub bytes: usize,
}

impl Spent {
    /// This much more: `actions` added.
    ///
    /// ```
    /// use riskgrade_rules::{Action, Spent};
    /// let s = Spent::default().with(&[Action::Label { label: "watch".into() }]);
    /// assert_eq!(s, Spent { effects: 1, bytes: 5 });
    /// ```
    pub fn with(self, actions: &[crate::Action]) -> Spent {
        Spent {
            effects: self.effects + actions.len(),
            bytes: self.bytes + actions.iter().map(crate::Action::text_bytes).sum::<usize>(),
        }
    }
}
