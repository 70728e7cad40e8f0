//! Groups (Gruppen) and areas (Bereiche/Standorte): the same shape, two kinds.

use time::PrimitiveDateTime;

use super::people::UserSummary;
use super::{AreaRole, UnitId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnitKind {
    Group,
    Area,
}

impl UnitKind {
    pub const ALL: [UnitKind; 2] = [UnitKind::Group, UnitKind::Area];

    /// The name in audit records (`group.create`).
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Group => "group",
            UnitKind::Area => "area",
        }
    }

    /// The URL segment (`/groups`, `/areas`).
    pub fn segment(self) -> &'static str {
        match self {
            UnitKind::Group => "groups",
            UnitKind::Area => "areas",
        }
    }

    pub fn from_segment(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.segment() == segment)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    pub name: String,
    pub created_at: PrimitiveDateTime,
}

/// A unit on the list page, with how many live members it has.
#[derive(Clone, Debug)]
pub struct UnitWithCount {
    pub unit: Unit,
    pub members: i64,
}

/// Every group and area by name: the menus of the user list, cached in the
/// `Context` and refreshed after every change and by a job.
#[derive(Clone, Debug, Default)]
pub struct UnitCatalog {
    pub groups: Vec<Unit>,
    pub areas: Vec<Unit>,
}

impl UnitCatalog {
    pub fn of(&self, kind: UnitKind) -> &[Unit] {
        match kind {
            UnitKind::Group => &self.groups,
            UnitKind::Area => &self.areas,
        }
    }
}

/// A member of a unit with the role held there (areas only).
#[derive(Clone, Debug)]
pub struct Member {
    pub user: UserSummary,
    pub role: Option<AreaRole>,
}

/// The unit page: the unit, its first members and how many there are.
#[derive(Clone, Debug)]
pub struct UnitDetail {
    pub kind: UnitKind,
    pub unit: Unit,
    pub members: Vec<Member>,
    pub member_count: i64,
}
