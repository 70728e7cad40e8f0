//! Background tasks ("Aufträge"): work on many users at once, done in
//! chunks after the request that started it has returned.

use time::PrimitiveDateTime;

/// What a task does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// "Alle neu angelegten Benutzer einladen".
    InviteCreated,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::InviteCreated => "invite_created",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        (s == "invite_created").then_some(TaskKind::InviteCreated)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    Laufend,
    Fertig,
    /// Stopped before the end; the reason says why.
    Abgebrochen,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Laufend => "laufend",
            TaskState::Fertig => "fertig",
            TaskState::Abgebrochen => "abgebrochen",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            TaskState::Laufend,
            TaskState::Fertig,
            TaskState::Abgebrochen,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// Why a task stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The admin who started it lost the right to do it (or his account).
    ActorLostRights,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::ActorLostRights => "actor_lost_rights",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        (s == "actor_lost_rights").then_some(StopReason::ActorLostRights)
    }
}

/// A task as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskView {
    pub id: i64,
    pub kind: TaskKind,
    pub state: TaskState,
    pub actor_label: String,
    pub planned: i64,
    pub done: i64,
    pub blocked: i64,
    pub skipped_no_email: i64,
    pub skipped_role: i64,
    pub skipped_changed: i64,
    pub stop_reason: Option<StopReason>,
    pub created_at: PrimitiveDateTime,
    pub finished_at: Option<PrimitiveDateTime>,
}

impl TaskView {
    /// Items dealt with so far (done or left out when their turn came).
    pub fn handled(&self) -> i64 {
        self.done + self.skipped_changed
    }

    /// Progress in whole percent.
    pub fn percent(&self) -> i64 {
        if self.planned <= 0 {
            100
        } else {
            (self.handled() * 100 / self.planned).clamp(0, 100)
        }
    }

    pub fn running(&self) -> bool {
        self.state == TaskState::Laufend
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in [
            TaskState::Laufend,
            TaskState::Fertig,
            TaskState::Abgebrochen,
        ] {
            assert_eq!(TaskState::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            TaskKind::parse("invite_created"),
            Some(TaskKind::InviteCreated)
        );
        assert_eq!(TaskKind::parse("delete_everyone"), None);
        assert_eq!(
            StopReason::parse(StopReason::ActorLostRights.as_str()),
            Some(StopReason::ActorLostRights)
        );
    }

    #[test]
    fn percent_is_bounded() {
        let mut t = TaskView {
            id: 1,
            kind: TaskKind::InviteCreated,
            state: TaskState::Laufend,
            actor_label: String::new(),
            planned: 3,
            done: 1,
            blocked: 0,
            skipped_no_email: 0,
            skipped_role: 0,
            skipped_changed: 0,
            stop_reason: None,
            created_at: time::macros::datetime!(2026-12-01 10:00),
            finished_at: None,
        };
        assert_eq!(t.percent(), 33);
        t.skipped_changed = 2;
        assert_eq!(t.percent(), 100);
        t.planned = 0;
        assert_eq!(t.percent(), 100);
    }
}
