//! Why an input or an action was refused, in terms the UI translates: one
//! error per form field, or one refusal of the action as a whole.

/// Why a single field value was refused; translated by i18n and shown next
/// to its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldError {
    Required,
    /// Longer than this many characters.
    TooLong(usize),
    /// A spreadsheet cell longer than a cell is read (in bytes of UTF-8).
    CellTooLong,
    InvalidEmail,
    EmailTaken,
    EmailLocked,
    InvalidUsername,
    UsernameTaken,
    PersonnelNumberTaken,
    InvalidChoice,
    PasswordTooShort,
    PasswordTooLong,
    PasswordMismatch,
    PasswordWrong,
    PasswordTooCommon,
    PasswordUnchanged,
    NameTaken,
    /// A unit's name differs from another's only where imports do not
    /// look (umlauts written out, full-width letters).
    NameTooSimilar,
    InvalidColour,
    InvalidUrl,
    InvalidTimeZone,
    OutOfRange,
    /// Not a whole number from the first to the second.
    NotBetween(i64, i64),
    RoleTooHigh,
    InvalidCharacters,
    /// An invisible character that is not a line break or control code
    /// (a direction mark, a zero-width space, a soft hyphen), named so the
    /// admin can find it: it usually comes from text copied elsewhere.
    HiddenCharacter(char),
    /// A digit of another script (Arabic-Indic, Devanagari…) where a
    /// number is compared digit by digit: `٧٧٧` would be a second `777`.
    ForeignDigit(char),
    InvalidImage,
    ImageTooLarge,
    ImageTooManyPixels,
    InvalidDate,
    DateOutOfRange,
    UntilBeforeFrom,
    UnknownMember,
    /// Inviting needs an email address.
    EmailNeededToInvite,
    /// A registration without an address needs a username to sign in with.
    EmailOrUsernameNeeded,
    /// An access request with an address signs in with it: no username.
    UsernameWithEmail,
    /// Registration criteria: fewer than two, or only names.
    CriteriaTooWeak,
    /// The same entry is on the registration whitelist already.
    OnTheList,
    /// An open entry of the registration whitelist has this personnel
    /// number already (one open entry per number).
    NumberOnTheList,
    /// Not a birth date as people write it (31.03.1990).
    InvalidBirthDate,
    /// A birth date before 1900 or after today.
    BirthDateRange,
    /// Asked too often in a short time.
    TooManyAttempts,
    /// Starts with `=`, `+` or `@`: a spreadsheet program would take it for
    /// a formula (a group's or area's name, which imports and exports carry).
    FormulaStart,
    /// Not a time of day like 08:30.
    InvalidTime,
    /// A send time that is not ahead of now.
    NotInFuture,
    /// A send time more than a year ahead.
    TooFarAhead,
    /// A reminder as many days before expiry as the invitation is valid.
    ReminderAfterExpiry,
    /// Not a whole number of days for the reminder.
    ReminderDays,
    /// Someone changed the person since the form was made.
    ChangedMeanwhile,
    /// A name without a single letter (punctuation, emoji, a date).
    NameWithoutLetter,
    /// Another write (an import's commit) holds the person right now.
    BeingChanged,
}

/// Field-level validation errors, in form order; the first error per field wins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, FieldError)>);

impl FieldError {
    /// Another account holds the value (a form can name that account).
    pub fn is_taken(self) -> bool {
        matches!(
            self,
            FieldError::UsernameTaken | FieldError::EmailTaken | FieldError::PersonnelNumberTaken
        )
    }
}

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, error: FieldError) {
        if self.get(field).is_none() {
            self.0.push((field, error));
        }
    }

    pub fn get(&self, field: &str) -> Option<FieldError> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, e)| *e)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, FieldError)> + '_ {
        self.0.iter().copied()
    }

    /// Takes the value of a parse result, remembering its error under `field`.
    pub fn take<T>(&mut self, field: &'static str, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }

    /// Merges another set of errors (fields already present keep theirs).
    pub fn extend(&mut self, other: FieldErrors) {
        for (field, error) in other.0 {
            self.add(field, error);
        }
    }

    pub fn single(field: &'static str, error: FieldError) -> Self {
        Self(vec![(field, error)])
    }
}

/// Product rules that refuse an action as a whole (not one field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    LastAdministrator,
    NotOnYourself,
    StatusDoesNotAllow,
    /// The import (or whitelist import) is past the step asked for:
    /// committed, discarded, undone, or not yet previewed.
    ImportStageDoesNotAllow,
    /// An undo of an import undone already (by another admin, or a second
    /// submit).
    ImportUndoneAlready,
    /// An undo of an import that was never committed (discarded, or still
    /// being prepared): nothing to undo.
    ImportNothingToUndo,
    /// An update import's preview changes someone above the committing
    /// admin's role (another admin uploaded it): his commit writes nothing
    /// and leaves the preview as it is.
    ImportAboveYourRole,
    /// A page of an import made for an older version of it (the back
    /// button, another tab): nothing changed.
    ImportOlderPage,
    UnitInUse(i64),
    SetupDone,
    /// The link is expired, used, revoked or unknown.
    LinkDead,
    /// Somebody used this one-time link already (an access link: the page
    /// may say so, it belongs to nobody).
    LinkUsed,
    /// More users than one bulk action takes.
    TooManyAtOnce(i64),
    /// Who a confirmed bulk action affects has changed since it was shown.
    SelectionChanged,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_error_per_field_wins_and_order_is_kept() {
        let mut e = FieldErrors::default();
        e.add("b", FieldError::Required);
        e.add("a", FieldError::TooLong(3));
        e.add("b", FieldError::TooLong(3));
        assert_eq!(e.get("b"), Some(FieldError::Required));
        let fields: Vec<_> = e.iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["b", "a"]);
        let mut other = FieldErrors::single("c", FieldError::InvalidChoice);
        other.add("a", FieldError::Required);
        e.extend(other);
        assert_eq!(e.get("a"), Some(FieldError::TooLong(3)));
        assert_eq!(e.get("c"), Some(FieldError::InvalidChoice));
    }
}
