//! Background tasks ("Aufträge"): work on many users at once, done in
//! chunks after the request that started it has returned.

use time::PrimitiveDateTime;

/// What a task does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// "Alle neu angelegten Benutzer einladen".
    InviteCreated,
    /// The bulk actions of the user list.
    Invite,
    Resend,
    Revoke,
    Reactivate,
    Deactivate,
    Delete,
    /// "QR-Briefe drucken": not a task; the letters are made at once
    /// (`services::letters`), but who gets one is planned and confirmed
    /// like every bulk action.
    Letters,
}

/// The actions the user list offers for a selection, in its order.
pub const BULK_ACTIONS: [TaskKind; 7] = [
    TaskKind::Invite,
    TaskKind::Resend,
    TaskKind::Letters,
    TaskKind::Revoke,
    TaskKind::Reactivate,
    TaskKind::Deactivate,
    TaskKind::Delete,
];

impl TaskKind {
    pub const ALL: [TaskKind; 8] = [
        TaskKind::InviteCreated,
        TaskKind::Invite,
        TaskKind::Resend,
        TaskKind::Revoke,
        TaskKind::Reactivate,
        TaskKind::Deactivate,
        TaskKind::Delete,
        TaskKind::Letters,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::InviteCreated => "invite_created",
            TaskKind::Invite => "invite",
            TaskKind::Resend => "resend",
            TaskKind::Revoke => "revoke",
            TaskKind::Reactivate => "reactivate",
            TaskKind::Deactivate => "deactivate",
            TaskKind::Delete => "delete",
            TaskKind::Letters => "letters",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the action runs as a background task (all but the letters,
    /// which are made while the admin waits).
    pub fn runs_as_task(self) -> bool {
        self != TaskKind::Letters
    }

    /// Whether the action sends mail (its summary counts blocked addresses).
    pub fn sends_mail(self) -> bool {
        matches!(
            self,
            TaskKind::InviteCreated | TaskKind::Invite | TaskKind::Resend
        )
    }

    /// Whether this action applies to a person, or why he is left out.
    pub fn applies_to(self, f: &BulkFacts, actor: &BulkActor) -> Result<(), Skip> {
        use super::UserStatus as S;
        if !actor.role.may_change_account_of(f.role) {
            return Err(Skip::AboveRole);
        }
        let removes = matches!(self, TaskKind::Deactivate | TaskKind::Delete);
        if removes && actor.id == Some(f.id) {
            return Err(Skip::Yourself);
        }
        let status_ok = match self {
            TaskKind::InviteCreated => f.status == S::Angelegt,
            TaskKind::Invite => f.status.invite().is_ok(),
            TaskKind::Resend => f.status.renew().is_ok(),
            TaskKind::Revoke => f.status.revoke().is_ok(),
            TaskKind::Reactivate => matches!(f.status, S::Inaktiv | S::Deaktiviert),
            TaskKind::Deactivate => f.status.deactivate().is_ok(),
            TaskKind::Delete => true,
            TaskKind::Letters => f.status.invite().is_ok() || f.status.renew().is_ok(),
        };
        if !status_ok {
            return Err(Skip::WrongStatus);
        }
        if self.sends_mail() && !f.has_email {
            return Err(Skip::NoEmail);
        }
        Ok(())
    }
}

/// Who starts a bulk action.
#[derive(Clone, Copy, Debug)]
pub struct BulkActor {
    pub id: Option<super::UserId>,
    pub role: super::AdminRole,
}

/// What a bulk action needs to know of a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BulkFacts {
    pub id: super::UserId,
    pub status: super::UserStatus,
    pub has_email: bool,
    /// His admin role, if he is staff.
    pub role: Option<super::AdminRole>,
}

/// Why a person is left out of a bulk action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Skip {
    NoEmail,
    WrongStatus,
    AboveRole,
    Yourself,
}

/// How a selection splits for an action: who is affected, who is left out
/// and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkPlan {
    pub affected: Vec<super::UserId>,
    pub no_email: i64,
    pub wrong_status: i64,
    pub above_role: i64,
    pub yourself: i64,
}

impl BulkPlan {
    pub fn of(kind: TaskKind, people: &[BulkFacts], actor: &BulkActor) -> Self {
        let mut plan = BulkPlan::default();
        for f in people {
            match kind.applies_to(f, actor) {
                Ok(()) => plan.affected.push(f.id),
                Err(Skip::NoEmail) => plan.no_email += 1,
                Err(Skip::WrongStatus) => plan.wrong_status += 1,
                Err(Skip::AboveRole) => plan.above_role += 1,
                Err(Skip::Yourself) => plan.yourself += 1,
            }
        }
        plan
    }

    pub fn skipped(&self) -> i64 {
        self.no_email + self.wrong_status + self.above_role + self.yourself
    }

    /// Names exactly who is affected: the confirmation carries it, and the
    /// start refuses when the selection has changed since.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for id in &self.affected {
            h.update(id.get().to_be_bytes());
        }
        hex::encode(&h.finalize()[..12])
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
    pub skipped_status: i64,
    pub skipped_self: i64,
    /// The invitations it makes go out then (`geplant` until then).
    pub scheduled_for: Option<PrimitiveDateTime>,
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
    fn a_bulk_action_applies_by_status_role_self_and_address() {
        use crate::domain::{AdminRole, UserId, UserStatus as S};
        let me = BulkActor {
            id: Some(UserId::new(1)),
            role: AdminRole::Benutzerverwaltung,
        };
        let f = |id: i64, status, has_email, role| BulkFacts {
            id: UserId::new(id),
            status,
            has_email,
            role,
        };
        assert_eq!(
            TaskKind::Invite.applies_to(&f(2, S::Angelegt, true, None), &me),
            Ok(())
        );
        assert_eq!(
            TaskKind::Invite.applies_to(&f(2, S::Widerrufen, true, None), &me),
            Ok(())
        );
        assert_eq!(
            TaskKind::Invite.applies_to(&f(2, S::Angelegt, false, None), &me),
            Err(Skip::NoEmail)
        );
        assert_eq!(
            TaskKind::Invite.applies_to(&f(2, S::Aktiv, true, None), &me),
            Err(Skip::WrongStatus)
        );
        assert_eq!(
            TaskKind::Resend.applies_to(&f(2, S::Eingeladen, true, None), &me),
            Ok(())
        );
        assert_eq!(
            TaskKind::Delete.applies_to(&f(1, S::Aktiv, true, None), &me),
            Err(Skip::Yourself)
        );
        assert_eq!(
            TaskKind::Deactivate
                .applies_to(&f(3, S::Aktiv, true, Some(AdminRole::Administrator)), &me),
            Err(Skip::AboveRole)
        );
        assert_eq!(
            TaskKind::Reactivate.applies_to(&f(2, S::Deaktiviert, false, None), &me),
            Ok(())
        );
        assert_eq!(
            TaskKind::Delete.applies_to(&f(2, S::Ausstehend, false, None), &me),
            Ok(())
        );
        let plan = BulkPlan::of(
            TaskKind::Revoke,
            &[f(2, S::Eingeladen, true, None), f(3, S::Aktiv, true, None)],
            &me,
        );
        assert_eq!(
            (plan.affected.len(), plan.wrong_status, plan.skipped()),
            (1, 1, 1)
        );
        for k in TaskKind::ALL {
            assert_eq!(TaskKind::parse(k.as_str()), Some(k));
        }
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
            skipped_status: 0,
            skipped_self: 0,
            scheduled_for: None,
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
