//! The admin's starting point as the overview page shows it.

use super::UserStatus;

/// The admin's starting point: counts per status (the statuses in use
/// today, and any other that is not empty) and the first steps of a new
/// instance with whether each is done.
#[derive(Clone, Debug)]
pub struct Overview {
    pub total: i64,
    pub by_status: Vec<(UserStatus, i64)>,
    pub groups: usize,
    pub areas: usize,
    pub steps: Vec<(SetupStep, bool)>,
}

/// What a new instance needs, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetupStep {
    /// Name and colour of the organisation (the defaults changed).
    Organisation,
    /// At least one group or area.
    Units,
    /// People besides the admins.
    People,
}
