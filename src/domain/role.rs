//! Admin roles, ordered by power. Nobody grants a role above his own.

use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdminRole {
    Lesezugriff,
    Benutzerverwaltung,
    Administrator,
}

impl AdminRole {
    pub const ALL: [AdminRole; 3] = [
        AdminRole::Administrator,
        AdminRole::Benutzerverwaltung,
        AdminRole::Lesezugriff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdminRole::Administrator => "administrator",
            AdminRole::Benutzerverwaltung => "benutzerverwaltung",
            AdminRole::Lesezugriff => "lesezugriff",
        }
    }

    /// Create, edit, deactivate and delete users; manage groups and areas.
    pub fn may_manage_users(self) -> bool {
        self >= AdminRole::Benutzerverwaltung
    }

    /// Organisation settings.
    pub fn may_manage_settings(self) -> bool {
        self == AdminRole::Administrator
    }

    /// Whether an admin with this role may give `other` to someone.
    pub fn may_grant(self, other: AdminRole) -> bool {
        self.may_manage_users() && other <= self
    }

    /// Whether an admin with this role may change an account whose role is
    /// `target` (`None`: not an admin). Nobody edits someone above himself.
    pub fn may_change_account_of(self, target: Option<AdminRole>) -> bool {
        self.may_manage_users() && target.is_none_or(|t| t <= self)
    }
}

impl FromStr for AdminRole {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::AdminRole::*;
    use super::*;

    #[test]
    fn nobody_grants_above_himself() {
        assert!(Administrator.may_grant(Administrator));
        assert!(Benutzerverwaltung.may_grant(Benutzerverwaltung));
        assert!(Benutzerverwaltung.may_grant(Lesezugriff));
        assert!(!Benutzerverwaltung.may_grant(Administrator));
        assert!(!Lesezugriff.may_grant(Lesezugriff));
    }

    #[test]
    fn permissions_follow_the_order() {
        assert!(Administrator.may_manage_settings());
        assert!(!Benutzerverwaltung.may_manage_settings());
        assert!(Benutzerverwaltung.may_manage_users());
        assert!(!Lesezugriff.may_manage_users());
        assert!(!Benutzerverwaltung.may_change_account_of(Some(Administrator)));
        assert!(Benutzerverwaltung.may_change_account_of(None));
        assert!(!Lesezugriff.may_change_account_of(None));
    }

    #[test]
    fn round_trips_through_text() {
        for r in AdminRole::ALL {
            assert_eq!(r.as_str().parse::<AdminRole>(), Ok(r));
        }
    }
}
