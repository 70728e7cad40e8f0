//! German (default) and English as one typed catalogue: every text is a field
//! of [`Texts`], and the macro below demands both translations, so a missing
//! text is a compile error, not a blank on screen.

use time::PrimitiveDateTime;
use time_tz::OffsetDateTimeExt;

use crate::domain::import::join_names;
use crate::domain::{
    AdminRole, AreaRole, FieldError, Language, Refusal, Salutation, TimeZone, UserStatus, UserType,
};

/// The UI languages (defined in the domain, where settings need them).
pub type Lang = Language;

/// The texts of a language.
pub trait Catalogue {
    fn texts(self) -> &'static Texts;
}

impl Catalogue for Language {
    fn texts(self) -> &'static Texts {
        match self {
            Language::De => &DE,
            Language::En => &EN,
        }
    }
}

/// A UTC timestamp as people of the instance read it: in its time zone,
/// written the way the language writes dates.
pub fn format_datetime(at: &PrimitiveDateTime, zone: TimeZone, lang: Language) -> String {
    let local = at.assume_utc().to_timezone(zone.tz());
    let (d, m, y, h, min) = (
        local.day(),
        local.month() as u8,
        local.year(),
        local.hour(),
        local.minute(),
    );
    match lang {
        Language::De => format!("{d:02}.{m:02}.{y} {h:02}:{min:02}"),
        Language::En => format!("{y}-{m:02}-{d:02} {h:02}:{min:02}"),
    }
}

/// A whole number with the language's thousands separator.
pub fn format_number(n: i64, lang: Language) -> String {
    let sep = match lang {
        Language::De => '.',
        Language::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

macro_rules! catalogue {
    ($($key:ident: $de:literal, $en:literal;)+) => {
        /// Every text of the UI, in one language.
        pub struct Texts { $(pub $key: &'static str,)+ }
        pub static DE: Texts = Texts { $($key: $de,)+ };
        pub static EN: Texts = Texts { $($key: $en,)+ };
    };
}

catalogue! {
    html_lang: "de", "en";
    skip_to_content: "Zum Inhalt springen", "Skip to content";
    nav_label: "Hauptnavigation", "Main navigation";
    nav_dashboard: "Übersicht", "Overview";
    nav_users: "Benutzer", "Users";
    nav_groups: "Gruppen", "Groups";
    nav_areas: "Bereiche/Standorte", "Areas/Sites";
    nav_audit: "Protokoll", "Audit log";
    nav_settings: "Einstellungen", "Settings";
    nav_account: "Mein Konto", "My account";
    logout: "Abmelden", "Log out";
    other_language: "English", "Deutsch";
    other_language_code: "en", "de";
    switch_language: "Sprache wechseln", "Switch language";
    signed_in_as: "Angemeldet als", "Signed in as";
    save: "Speichern", "Save";
    cancel: "Abbrechen", "Cancel";
    delete: "Löschen", "Delete";
    edit: "Bearbeiten", "Edit";
    back: "Zurück", "Back";
    search: "Suchen", "Search";
    apply_filters: "Filtern", "Apply filters";
    reset_filters: "Filter zurücksetzen", "Reset filters";
    yes: "Ja", "Yes";
    no: "Nein", "No";
    all: "Alle", "All";
    empty_value: "—", "—";
    actions: "Aktionen", "Actions";
    previous_page: "Vorherige Seite", "Previous page";
    first_page: "Erste Seite", "First page";
    personnel_short: "Pers.-Nr.", "No.";
    last_page: "Letzte Seite", "Last page";
    go_to_page: "Gehe zu Seite", "Go to page";
    go: "Los", "Go";
    more_filters: "Filter", "Filters";
    filters_active: "aktiv", "active";
    next_page: "Nächste Seite", "Next page";
    pagination_label: "Seitennavigation", "Pagination";
    page_word: "Seite", "Page";
    of_word: "von", "of";
    results_word: "Treffer", "results";
    error_summary_title: "Es gibt ein Problem – es wurde nichts gespeichert", "There is a problem – nothing was saved";
    required_marker: "Pflichtfeld", "required";
    read_only_notice: "Sie haben Lesezugriff: Änderungen sind Ihnen nicht möglich.", "You have read-only access: you cannot make changes.";
    login_title: "Anmelden", "Sign in";
    login_identifier: "Benutzername oder E-Mail", "Username or email";
    login_password: "Passwort", "Password";
    login_submit: "Anmelden", "Sign in";
    login_invalid: "Benutzername/E-Mail oder Passwort ist falsch.", "Username/email or password is wrong.";
    login_throttled: "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie 15 Minuten und versuchen Sie es dann erneut.", "Too many failed sign-in attempts. Please wait 15 minutes, then try again.";
    logged_out: "Sie wurden abgemeldet.", "You have been signed out.";
    session_expired: "Bitte melden Sie sich an.", "Please sign in.";
    setup_title: "Ersten Administrator anlegen", "Create the first administrator";
    setup_intro: "Dieser Link gilt einmal und nur, solange es noch keinen Administrator gibt.", "This link works once, and only while there is no administrator yet.";
    setup_submit: "Administrator anlegen", "Create administrator";
    setup_link_invalid: "Dieser Einrichtungslink ist ungültig, abgelaufen oder wurde schon benutzt. Starten Sie Einlass neu, um einen neuen Link zu erhalten, oder verwenden Sie „einlass admin create“.", "This setup link is invalid, expired or already used. Restart Einlass to get a new link, or use “einlass admin create”.";
    setup_already_done: "Einlass ist bereits eingerichtet: Es gibt einen Administrator. Dieser Einrichtungslink wird nicht mehr gebraucht. Melden Sie sich mit Ihrem Konto an.", "Einlass is already set up: an administrator exists. This setup link is no longer needed. Sign in with your account.";
    setup_go_on: "Zur Anmeldung / Übersicht", "To sign-in / overview";
    password_repeat: "Passwort wiederholen", "Repeat password";
    password_hint: "8 bis 128 Zeichen.", "8 to 128 characters.";
    account_title: "Mein Konto", "My account";
    change_password_title: "Passwort ändern", "Change password";
    current_password: "Aktuelles Passwort", "Current password";
    new_password: "Neues Passwort", "New password";
    change_password_submit: "Passwort ändern", "Change password";
    must_change_password_notice: "Bitte legen Sie jetzt ein eigenes Passwort fest.", "Please choose your own password now.";
    password_changed: "Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden beendet.", "Your password has been changed. All other sessions have been ended.";
    dashboard_title: "Übersicht", "Overview";
    dashboard_total: "Benutzer insgesamt", "Users in total";
    dashboard_units: "Gruppen und Bereiche", "Groups and areas";
    dashboard_first_steps: "Erste Schritte", "First steps";
    dashboard_first_steps_intro: "So bringen Sie Ihre Leute zu Einlass:", "How to bring your people in:";
    step_done: "erledigt", "done";
    step_org_title: "Organisation einrichten", "Set up your organisation";
    step_org_text: "Name, Farbe, Zeitzone und öffentliche Adresse – sie erscheinen auf jeder Seite und in jedem Link.", "Name, colour, time zone and public address – they appear on every page and in every link.";
    step_units_title: "Gruppen und Bereiche anlegen", "Create groups and areas";
    step_units_text: "Zum Beispiel Abteilungen, Schichten oder Standorte, damit Sie Personen danach finden und ordnen.", "For example departments, shifts or sites, so you can find and sort people by them.";
    step_people_title: "Benutzer anlegen", "Create users";
    step_people_text: "Einzeln über das Formular; ohne E-Mail-Adresse mit Startpasswort und Zugangsblatt.", "One by one with the form; without an email address with a start password and credentials sheet.";
    dashboard_groups_count: "Gruppen", "groups";
    dashboard_areas_count: "Bereiche/Standorte", "areas/sites";
    user_new: "Neuer Benutzer", "New user";
    users_title: "Benutzer", "Users";
    user_edit_title: "Benutzer bearbeiten", "Edit user";
    personal_data: "Persönliche Daten", "Personal data";
    account_data: "Konto", "Account";
    field_salutation: "Anrede", "Salutation";
    salutation_none: "keine", "none";
    salutation_frau: "Frau", "Ms";
    salutation_herr: "Herr", "Mr";
    salutation_divers: "divers", "diverse";
    field_first_name: "Vorname", "First name";
    field_last_name: "Nachname", "Last name";
    field_name: "Name", "Name";
    field_username: "Benutzername", "Username";
    username_hint: "Leer lassen für einen Vorschlag aus dem Namen (z. B. anna.mueller). Erlaubt: a–z, 0–9, Punkt, Bindestrich, Unterstrich.", "Leave empty for a proposal from the name (e.g. anna.mueller). Allowed: a–z, 0–9, dot, hyphen, underscore.";
    field_email: "E-Mail", "Email";
    email_hint: "Optional. Ohne E-Mail-Adresse erhält die Person ein Startpasswort.", "Optional. Without an email address the person gets a start password.";
    email_locked_hint: "Die Person hat diese Adresse bestätigt; nur sie selbst kann sie ändern.", "The person has confirmed this address; only they can change it.";
    email_confirmed: "bestätigt", "confirmed";
    email_unconfirmed: "nicht bestätigt", "not confirmed";
    field_personnel_number: "Personalnummer", "Personnel number";
    field_user_type: "Nutzertyp", "User type";
    user_type_mitarbeiter: "Mitarbeiter", "Employee";
    user_type_extern: "Extern", "External";
    user_type_gast: "Gast", "Guest";
    field_groups: "Gruppen", "Groups";
    field_areas: "Bereiche/Standorte", "Areas/sites";
    field_staff: "Zugang zum Verwaltungsbereich", "Access to the admin area";
    field_admin_role: "Rolle im Verwaltungsbereich", "Admin role";
    role_hint: "Sie können höchstens Ihre eigene Rolle vergeben.", "You can grant at most your own role.";
    role_administrator: "Administrator", "Administrator";
    role_benutzerverwaltung: "Benutzerverwaltung", "User management";
    role_lesezugriff: "Lesezugriff", "Read only";
    field_status: "Status", "Status";
    field_created: "Angelegt am", "Created";
    field_last_login: "Letzte Anmeldung", "Last sign-in";
    never: "nie", "never";
    start_password_legend: "Startpasswort", "Start password";
    start_password_none: "Kein Startpasswort (Einladung folgt)", "No start password (invitation follows)";
    start_password_set: "Startpasswort festlegen", "Set a start password";
    start_password_generate: "Startpasswort erzeugen", "Generate a start password";
    start_password_was_generated: "erzeugt", "generated";
    start_password_was_set: "festgelegt", "set";
    field_start_password: "Startpasswort", "Start password";
    start_password_hint: "Bei der ersten Anmeldung muss ein neues Passwort gewählt werden.", "A new password must be chosen at first sign-in.";
    save_and_close: "Speichern & schließen", "Save & close";
    save_and_new: "Speichern & weiteren anlegen", "Save & create another";
    save_and_areas: "Speichern & Bereiche zuordnen", "Save & assign areas";
    users_search_label: "Suche: Name, E-Mail, Benutzername, Pers.-Nr.", "Search: name, email, username, no.";
    filter_staff: "Verwaltungszugang", "Admin access";
    staff_only: "nur mit Zugang", "with access only";
    non_staff_only: "nur ohne Zugang", "without access only";
    sort_label: "Sortieren nach", "Sort by";
    sort_ascending: "aufsteigend", "ascending";
    sort_descending: "absteigend", "descending";
    sort_created: "Anlagedatum", "Creation date";
    no_users_found: "Keine Benutzer gefunden.", "No users found.";
    user_created_named: "Angelegt:", "Created:";
    unit_created_named: "Angelegt:", "Created:";
    user_exists: "Dieses Formular war schon gesendet worden; es wurde niemand zusätzlich angelegt. Angelegt ist:", "This form had been sent before; nobody else was created. The user is:";
    start_password_new: "Neues Startpasswort vergeben", "Issue a new start password";
    start_password_new_hint: "Erzeugt ein neues Startpasswort, das bei der ersten Anmeldung geändert werden muss. Das alte Passwort, alle Sitzungen und Links der Person werden ungültig.", "Creates a new start password that must be changed at first sign-in. The old password and all of the person's sessions and links stop working.";
    credentials_shown_until: "Dieses Blatt zeigt das Passwort bis", "This sheet shows the password until";
    credentials_gone: "Das Startpasswort wird aus Sicherheitsgründen nur kurz und nur in dem Browser angezeigt, in dem es erzeugt wurde. Wenn die Person es nicht erhalten hat, vergeben Sie ein neues.", "For safety the start password is shown only briefly, and only in the browser in which it was made. If the person did not receive it, issue a new one.";
    done_label: "Fertig", "Done";
    audit_becomes: "wird zu", "becomes";
    password_retype: "Aus Sicherheitsgründen wird ein eingegebenes Passwort nicht erneut angezeigt: Bitte geben Sie es noch einmal ein.", "For safety a typed password is not shown again: please type it once more.";
    user_updated: "Die Änderungen wurden gespeichert.", "The changes have been saved.";
    user_deactivated: "Der Benutzer wurde deaktiviert; seine Sitzungen und Links sind beendet.", "The user has been deactivated; their sessions and links have ended.";
    user_reactivated: "Der Benutzer wurde reaktiviert.", "The user has been reactivated.";
    user_deleted: "Der Benutzer wurde gelöscht.", "The user has been deleted.";
    deactivate: "Deaktivieren", "Deactivate";
    reactivate: "Reaktivieren", "Reactivate";
    delete_user_title: "Benutzer löschen", "Delete user";
    delete_user_confirm: "Soll dieser Benutzer wirklich gelöscht werden? Benutzername, E-Mail und Personalnummer werden wieder frei; das Protokoll behält, was geschehen ist.", "Really delete this user? Username, email and personnel number become free again; the audit log keeps what happened.";
    credentials_title: "Zugangsdaten", "Credentials";
    qr_title: "QR-Code zur Aktivierung", "QR code for activation";
    qr_action: "QR-Code", "QR code";
    qr_intro: "Für Menschen ohne dienstliche E-Mail: Der QR-Code enthält den Aktivierungslink. Mit der Handykamera gescannt, öffnet er die Seite, auf der die Person ihr Passwort festlegt. Es wird keine E-Mail gesendet.", "For people without a work email: the QR code holds the activation link. Scanned with a phone camera it opens the page where the person sets a password. No email is sent.";
    qr_warning: "Ein neuer QR-Code erzeugt einen neuen Link: Alle früheren Einladungslinks dieser Person, auch gedruckte QR-Codes und Links aus E-Mails, werden sofort ungültig.", "A new QR code makes a new link: every earlier invitation link of this person, printed QR codes and links from emails included, stops working at once.";
    qr_make: "QR-Code erzeugen", "Make QR code";
    qr_live_link: "Diese Person hat schon einen gültigen Einladungslink (per E-Mail, QR-Code oder Brief). Er gilt bis", "This person already has a valid invitation link (by email, QR code or letter). It is valid until";
    qr_remake: "Neuen QR-Code erzeugen", "Make a new QR code";
    qr_gone: "Ein QR-Code wird aus Sicherheitsgründen nur in dem Browser angezeigt, in dem er erzeugt wurde, und nur 30 Minuten lang. Ein bereits gedruckter Code bleibt gültig, bis er benutzt wird oder abläuft.", "For safety a QR code is shown only in the browser in which it was made, and only for 30 minutes. A code already printed stays valid until it is used or expires.";
    qr_not_possible: "Für diese Person kann gerade kein Einladungslink erzeugt werden (Status:", "No invitation link can be made for this person now (status:";
    qr_image_alt: "QR-Code mit dem Aktivierungslink für", "QR code with the activation link for";
    qr_link_label: "Aktivierungslink", "Activation link";
    qr_copy_link: "Link kopieren", "Copy link";
    qr_copy_image: "Bild kopieren", "Copy image";
    qr_copied: "Kopiert.", "Copied.";
    qr_copy_failed: "Kopieren ist hier nicht möglich: Der Link ist markiert, kopieren Sie ihn mit Strg+C.", "Copying is not possible here: the link is selected, copy it with Ctrl+C.";
    qr_download_png: "PNG herunterladen", "Download PNG";
    qr_download_svg: "SVG herunterladen", "Download SVG";
    qr_print_letter: "Brief drucken", "Print letter";
    qr_valid_until: "Der Link gilt bis", "The link is valid until";
    qr_shown_until: "Diese Seite zeigt den Code bis", "This page shows the code until";
    qr_done_hint: "Mit „Fertig“ wird der Code in diesem Browser nicht mehr angezeigt; der Link bleibt gültig.", "After “Done” this browser no longer shows the code; the link stays valid.";
    letter_title: "Ihr Zugang", "Your access";
    letter_hello: "Hallo", "Hello";
    letter_intro: "für Sie ist ein Zugang eingerichtet. So aktivieren Sie ihn in zwei Minuten:", "an account has been set up for you. This is how you activate it in two minutes:";
    letter_step_scan: "Öffnen Sie die Kamera Ihres Handys und richten Sie sie auf den QR-Code. Tippen Sie auf den Link, der erscheint.", "Open your phone's camera and point it at the QR code. Tap the link that appears.";
    letter_step_password: "Legen Sie ein Passwort fest (mindestens 8 Zeichen) und prüfen Sie Ihre Angaben.", "Choose a password (at least 8 characters) and check your details.";
    letter_step_login: "Danach melden Sie sich mit Ihrem Benutzernamen und Ihrem Passwort an unter", "Afterwards, sign in with your username and password at";
    letter_or_type: "Ohne Kamera: Geben Sie diesen Link im Browser ein.", "Without a camera: type this link into a browser.";
    letter_valid: "Der Code gilt einmal und bis", "The code works once and until";
    letter_keep: "Bewahren Sie diesen Brief sicher auf und geben Sie ihn nicht weiter: Wer den Code hat, kann Ihren Zugang aktivieren. Fragen? Wenden Sie sich an Ihre Personalabteilung.", "Keep this letter safe and do not pass it on: whoever has the code can activate your account. Questions? Contact your HR department.";
    credentials_intro: "Drucken Sie dieses Blatt aus oder geben Sie die Daten sicher weiter. Mit „Fertig“ wird das Passwort nicht mehr angezeigt.", "Print this sheet or pass the details on securely. After “Done” the password is no longer shown.";
    credentials_login_at: "Anmelden unter", "Sign in at";
    print: "Drucken", "Print";
    areas_assign_title: "Bereiche zuordnen", "Assign areas";
    areas_saved: "Die Bereiche wurden gespeichert.", "The areas have been saved.";
    area_member: "zugeordnet", "assigned";
    field_area_role: "Rolle", "Role";
    area_role_mitglied: "Mitglied", "Member";
    area_role_redaktion: "Redaktion", "Editor";
    area_role_leitung: "Leitung", "Manager";
    no_areas_defined: "Es gibt noch keine Bereiche.", "There are no areas yet.";
    recent_activity: "Letzte Aktivitäten", "Recent activity";
    status_angelegt: "angelegt", "created";
    status_eingeladen: "eingeladen", "invited";
    status_aktiv: "aktiv", "active";
    status_inaktiv: "inaktiv", "inactive";
    status_widerrufen: "widerrufen", "revoked";
    status_ausstehend: "ausstehend", "pending";
    status_abgelehnt: "abgelehnt", "rejected";
    status_deaktiviert: "deaktiviert", "deactivated";
    groups_title: "Gruppen", "Groups";
    areas_title: "Bereiche/Standorte", "Areas/sites";
    group_new: "Neue Gruppe", "New group";
    area_new: "Neuer Bereich", "New area";
    unit_name: "Name", "Name";
    unit_members: "Mitglieder", "Members";
    unit_create: "Anlegen", "Create";
    unit_rename: "Umbenennen", "Rename";
    unit_renamed: "Umbenannt.", "Renamed.";
    unit_deleted: "Gelöscht.", "Deleted.";
    unit_add_member: "Mitglied hinzufügen", "Add member";
    unit_memberships: "Zuordnungen", "Memberships";
    candidates_first: "Gezeigt werden die ersten", "Showing the first";
    candidates_narrow: "Treffern – bitte genauer suchen.", "matches – please narrow the search.";
    bulk_label: "Ausgewählte Personen", "Chosen people";
    bulk_choice: "Auswahl", "Choice";
    bulk_add_to_group: "zur Gruppe hinzufügen:", "add to group:";
    bulk_apply: "Ausführen", "Apply";
    bulk_select_all: "Alle auf dieser Seite auswählen", "Select all on this page";
    bulk_select_row: "Auswählen:", "Select:";
    bulk_no_group: "Bitte wählen Sie die Gruppe, zu der die Personen hinzukommen.", "Please choose the group to add the people to.";
    bulk_none_chosen: "Bitte wählen Sie zuerst Personen in der Liste aus.", "Please choose people in the list first.";
    unit_find_people: "Personen suchen (Name, Benutzername oder E-Mail)", "Find people (name, username or email)";
    unit_choose_people: "Gefundene Personen", "People found";
    unit_already_member: "schon Mitglied", "already a member";
    unit_add_chosen: "Ausgewählte hinzufügen", "Add the chosen";
    unit_add_by_login: "Per Benutzername oder E-Mail hinzufügen", "Add by username or email";
    unit_delete_question: "löschen?", "– delete?";
    unit_delete_members_1: "Mit dem Löschen enden", "Deleting it ends";
    unit_delete_members_2: "Zuordnungen von Personen. Die Personen selbst bleiben erhalten.", "memberships of people. The people themselves stay.";
    unit_delete_empty: "Niemand ist zugeordnet.", "Nobody belongs to it.";
    unit_delete_member_one: "Mit dem Löschen endet die Zuordnung einer Person. Die Person selbst bleibt erhalten.", "Deleting it ends the membership of one person. The person stays.";
    unit_delete_with_members: "Löschen, mit allen Zuordnungen", "Delete, with all memberships";
    unit_member_login: "Benutzername oder E-Mail", "Username or email";
    unit_remove_member: "Entfernen", "Remove";
    member_removed: "Mitglied entfernt.", "Member removed.";
    no_units: "Noch keine Einträge.", "Nothing here yet.";
    no_members: "Noch keine Mitglieder.", "No members yet.";
    members_shown_first: "Es werden die ersten 200 Mitglieder gezeigt; alle finden Sie in der Benutzerliste.", "The first 200 members are shown; the user list shows all.";
    show_in_user_list: "In der Benutzerliste zeigen", "Show in user list";
    settings_title: "Einstellungen", "Settings";
    field_org_name: "Name der Organisation", "Organisation name";
    field_brand_colour: "Farbe", "Colour";
    brand_colour_hint: "Als #rrggbb oder #rgb, z. B. #0b5cad. Jede Farbe ist möglich: Ist sie zu hell für lesbaren Text, werden Links und Schaltflächen mit einer dunkleren Abstufung derselben Farbe dargestellt (Kontrast mindestens 4,5 : 1 nach WCAG AA); der Streifen oben zeigt die Farbe, wie gewählt.", "As #rrggbb or #rgb, e.g. #0b5cad. Any colour will do: if it is too light for readable text, links and buttons use a darker shade of the same colour (contrast at least 4.5:1, WCAG AA); the stripe on top shows the colour as chosen.";
    brand_preview: "Vorschau", "Preview";
    brand_preview_link: "Ein Link", "A link";
    brand_preview_button: "Eine Schaltfläche", "A button";
    brand_shade_used: "Für Links und Schaltflächen verwendet:", "Used for links and buttons:";
    brand_picker: "Farbe wählen", "Pick a colour";
    time_zone_common: "Häufig", "Common";
    time_zone_all: "Alle Zeitzonen", "All time zones";
    field_public_base_url: "Öffentliche Adresse (Basis-URL)", "Public base URL";
    base_url_from_env: "Festgelegt durch die Umgebungsvariable EINLASS_PUBLIC_BASE_URL; ändern Sie sie dort und starten Sie Einlass neu.", "Set by the environment variable EINLASS_PUBLIC_BASE_URL; change it there and restart Einlass.";
    base_url_hint: "Links in E-Mails werden mit dieser Adresse gebaut, z. B. https://einlass.beispiel.de.", "Links in emails are built with this address, e.g. https://einlass.example.com.";
    field_invitation_validity: "Gültigkeit von Einladungen (Tage)", "Invitation validity (days)";
    field_time_zone: "Zeitzone", "Time zone";
    time_zone_hint: "Zeiten auf allen Seiten, Fristen und der Tageswechsel um Mitternacht richten sich nach dieser Zeitzone.", "Times on every page, deadlines and the change of day at midnight follow this time zone.";
    field_default_language: "Standardsprache", "Default language";
    lang_de: "Deutsch", "German";
    lang_en: "Englisch", "English";
    settings_saved: "Die Einstellungen wurden gespeichert.", "The settings have been saved.";
    logo_title: "Logo", "Logo";
    field_logo: "Logo-Datei", "Logo file";
    logo_hint: "PNG oder JPEG, höchstens 5 MB. Es wird auf höchstens 800 × 240 Pixel verkleinert, Transparenz bleibt. Es steht neben dem Namen der Organisation auf jeder Seite, auch denen für Eingeladene, und auf den gedruckten Briefen.", "PNG or JPEG, at most 5 MB. It is shrunk to at most 800 × 240 pixels; transparency stays. It stands beside the organisation's name on every page, including those for invitees, and on printed letters.";
    logo_none: "Noch kein Logo: Seiten und Briefe zeigen den Namen der Organisation allein.", "No logo yet: pages and letters show the organisation's name alone.";
    logo_current_alt: "Aktuelles Logo", "Current logo";
    logo_upload: "Logo hochladen", "Upload logo";
    logo_remove: "Logo entfernen", "Remove logo";
    logo_saved: "Das Logo wurde gespeichert.", "The logo has been saved.";
    logo_removed: "Das Logo wurde entfernt.", "The logo has been removed.";
    audit_title: "Protokoll", "Audit log";
    audit_what: "Was geschah", "What happened";
    audit_when: "Zeitpunkt", "When";
    audit_action: "Aktion", "Action";
    audit_filter_text: "Person (Wer oder Betroffen)", "Person (who or subject)";
    audit_from: "Von (Datum)", "From (date)";
    audit_until: "Bis (Datum)", "Until (date)";
    audit_empty: "Keine Einträge.", "No entries.";
    error_not_found_title: "Seite nicht gefunden", "Page not found";
    error_not_found_text: "Diese Seite gibt es nicht (mehr). Prüfen Sie die Adresse oder gehen Sie zur Übersicht.", "This page does not exist (any more). Check the address or go to the overview.";
    error_forbidden_title: "Keine Berechtigung", "Not permitted";
    error_forbidden_text: "Ihre Rolle erlaubt diese Aktion nicht. Es wurde nichts geändert.", "Your role does not allow this action. Nothing was changed.";
    error_csrf_title: "Formular abgelaufen", "Form expired";
    error_csrf_text: "Das Formular war veraltet oder kam nicht von dieser Seite. Es wurde nichts geändert. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.", "The form was stale or did not come from this site. Nothing was changed. Please reload the page and try again.";
    error_internal_title: "Ein Fehler ist aufgetreten", "Something went wrong";
    error_internal_text: "Die Aktion konnte nicht ausgeführt werden. Bitte versuchen Sie es gleich noch einmal. Der Fehler wurde protokolliert.", "The action could not be carried out. Please try again shortly. The error has been logged.";
    error_conflict_title: "Gleichzeitig geändert", "Changed at the same time";
    error_conflict_text: "Jemand hat dieselben Daten im selben Moment geändert oder gelöscht. Ihre Aktion wurde nicht ausgeführt, es wurde nichts geändert. Bitte öffnen Sie die Seite neu und prüfen Sie, ob sie noch nötig ist.", "Someone changed or deleted the same data at the same moment. Your action was not carried out and nothing was changed. Please open the page again and check whether it is still needed.";
    error_busy_title: "Gerade überlastet", "Busy right now";
    error_busy_text: "Einlass hat im Moment zu viel zu tun oder erreicht seine Datenbank nicht. Es wurde nichts geändert. Bitte versuchen Sie es in einigen Sekunden noch einmal.", "Einlass has too much to do right now or cannot reach its database. Nothing was changed. Please try again in a few seconds.";
    error_method_title: "Anfrage nicht möglich", "Method not allowed";
    error_method_text: "Diese Adresse nimmt diese Art von Anfrage nicht an. Es wurde nichts geändert.", "This address does not take this kind of request. Nothing was changed.";
    error_bad_request_title: "Ungültige Anfrage", "Invalid request";
    error_bad_request_text: "Die Anfrage war unvollständig oder zu groß. Es wurde nichts geändert.", "The request was incomplete or too large. Nothing was changed.";
    error_bad_upload_title: "Datei nicht empfangen", "File not received";
    error_bad_upload_text: "Das Formular mit der Datei kam unvollständig oder fehlerhaft an, etwa weil der Dateiname Zeichen enthält, die nicht erlaubt sind. Benennen Sie die Datei um (Buchstaben, Ziffern, Bindestrich) und laden Sie sie erneut hoch. Es wurde nichts geändert.", "The form with the file arrived incomplete or malformed, for example because the file name holds characters that are not allowed. Rename the file (letters, digits, hyphens) and upload it again. Nothing was changed.";
    go_home: "Zur Übersicht", "Go to the overview";
    go_sign_in: "Zur Anmeldung", "Go to sign-in";
    refusal_last_admin: "Das ist der letzte aktive Administrator; er kann weder entfernt, herabgestuft noch deaktiviert werden.", "This is the last active administrator; they cannot be removed, demoted or deactivated.";
    refusal_not_on_yourself: "Das können Sie nicht mit Ihrem eigenen Konto tun.", "You cannot do this to your own account.";
    refusal_status: "Das ist im aktuellen Status des Benutzers nicht möglich.", "This is not possible in the user's current status.";
    refusal_import_role: "Diese Vorschau ändert Konten, die über Ihrer Rolle stehen. Übernehmen kann sie nur, wer diese Konten ändern darf; es wurde nichts geändert. (Eine Vorschau für Ihre Rolle erstellen Sie mit „Zuordnung ändern“ und „Weiter“.)", "This preview changes accounts above your role. Only an admin who may change them can commit it; nothing was changed. (To make a preview for your role, use “Change the mapping” and “Continue”.)";
    refusal_import_undone_already: "Dieser Import ist schon rückgängig gemacht.", "This import has been undone already.";
    refusal_import_nothing_to_undo: "Dieser Import wurde nie übernommen (verworfen oder noch in Vorbereitung): Es gibt nichts rückgängig zu machen.", "This import was never committed (discarded, or still being prepared): there is nothing to undo.";
    refusal_import_stage: "Das ist in diesem Schritt des Imports nicht möglich: Er ist schon übernommen, verworfen oder rückgängig gemacht, oder noch nicht in der Vorschau.", "This is not possible at this step of the import: it has been committed, discarded or undone already, or is not in preview yet.";
    refusal_setup_done: "Die Einrichtung ist bereits abgeschlossen oder der Link ist nicht mehr gültig.", "Setup is already complete or the link is no longer valid.";
    refusal_in_use: "Wird noch verwendet und kann daher nicht gelöscht werden. Anzahl Mitglieder:", "Still in use and therefore cannot be deleted. Number of members:";
    fe_required: "Bitte ausfüllen.", "Please fill in.";
    fe_too_long: "Zu lang.", "Too long.";
    fe_at_most: "höchstens", "at most";
    fe_characters: "Zeichen", "characters";
    fe_invalid_email: "Keine gültige E-Mail-Adresse.", "Not a valid email address.";
    fe_email_taken: "Diese E-Mail-Adresse wird bereits von einem anderen Konto verwendet.", "This email address is already used by another account.";
    fe_email_locked: "Die Adresse wurde bestätigt und kann nicht mehr von Admins geändert werden.", "The address has been confirmed and can no longer be changed by admins.";
    fe_invalid_username: "Nur a–z, 0–9, Punkt, Bindestrich und Unterstrich; mindestens 2 Zeichen, Beginn mit Buchstabe oder Ziffer.", "Only a–z, 0–9, dot, hyphen and underscore; at least 2 characters, starting with a letter or digit.";
    fe_username_taken: "Dieser Benutzername ist vergeben.", "This username is taken.";
    fe_personnel_taken: "Diese Personalnummer ist bereits vergeben.", "This personnel number is already taken.";
    fe_invalid_choice: "Ungültige Auswahl.", "Invalid choice.";
    fe_password_short: "Mindestens 8 Zeichen.", "At least 8 characters.";
    fe_password_long: "Höchstens 128 Zeichen.", "At most 128 characters.";
    fe_password_mismatch: "Die Passwörter stimmen nicht überein.", "The passwords do not match.";
    fe_password_wrong: "Das Passwort ist falsch.", "The password is wrong.";
    fe_password_too_common: "Dieses Passwort gehört zu den häufigsten und ist leicht zu erraten. Bitte wählen Sie ein anderes.", "This password is among the most common ones and easy to guess. Please choose another.";
    fe_password_unchanged: "Das neue Passwort muss sich vom bisherigen unterscheiden.", "The new password must differ from the current one.";
    fe_name_taken: "Dieser Name ist bereits vergeben.", "This name is already taken.";
    fe_name_too_similar: "Einen fast gleichen Namen gibt es schon (er unterscheidet sich nur in Umlauten, ß oder der Zeichenbreite): Importe könnten die beiden nicht auseinanderhalten.", "An almost equal name exists already (it differs only in umlauts, ß or character width): imports could not tell the two apart.";
    fe_invalid_colour: "Bitte als #rrggbb angeben.", "Please give it as #rrggbb.";
    fe_invalid_url: "Bitte eine Adresse wie https://einlass.beispiel.de angeben.", "Please give an address like https://einlass.example.com.";
    fe_invalid_tz: "Unbekannte Zeitzone.", "Unknown time zone.";
    fe_out_of_range: "Bitte eine Zahl von 1 bis 365.", "Please give a number from 1 to 365.";
    fe_reminder_days: "Bitte eine ganze Zahl von 0 (keine Erinnerungen) bis eins weniger als die Gültigkeit der Einladung.", "Please give a whole number from 0 (no reminders) to one less than the invitation's validity.";
    fe_role_too_high: "Diese Rolle dürfen Sie nicht vergeben.", "You may not grant this role.";
    fe_invalid_chars: "Enthält unzulässige Zeichen (z. B. Zeilenumbrüche).", "Contains characters that are not allowed (e.g. line breaks).";
    fe_cell_too_long: "Die Zelle ist zu lang: höchstens", "The cell is too long: at most";
    fe_cell_bytes: "Byte (ein Buchstabe wie a zählt eins, ein Umlaut zwei, ein Emoji vier).", "bytes (a letter like a counts one, an umlaut two, an emoji four).";
    fe_hidden_char: "Enthält ein unsichtbares Zeichen, das hier nicht stehen darf (meist beim Kopieren aus einem anderen Programm mitgekommen); bitte die Stelle neu tippen:", "Contains an invisible character that is not allowed here (usually copied along from another program); please type that part again:";
    fe_foreign_digit: "Bitte Ziffern als 0–9 schreiben; hier steht eine Ziffer einer anderen Schrift:", "Please write digits as 0–9; this is a digit of another script:";
    fe_name_without_letter: "Ein Name braucht mindestens einen Buchstaben.", "A name needs at least one letter.";
    fe_invalid_image: "Bitte ein Bild als JPEG oder PNG hochladen.", "Please upload an image as JPEG or PNG.";
    fe_image_too_large: "Die Bilddatei ist zu groß (höchstens 5 MB).", "The image file is too large (at most 5 MB).";
    fe_image_too_many_pixels: "Das Bild hat zu viele Pixel (höchstens 40 Megapixel und 20.000 Pixel je Seite, mit 16 Bit je Farbe weniger). Bitte verkleinern Sie es vorher.", "The image has too many pixels (at most 40 megapixels and 20,000 pixels a side, fewer at 16 bits per colour). Please make it smaller first.";
    fe_invalid_date: "Bitte ein Datum wie 2026-03-31 angeben.", "Please give a date like 2026-03-31.";
    fe_invalid_time: "Bitte eine Uhrzeit wie 08:30 angeben (die es an diesem Tag gibt).", "Please give a time like 08:30 (one that exists on that day).";
    fe_reminder_after_expiry: "Die Erinnerung muss weniger Tage vor Ablauf kommen, als die Einladung gilt.", "The reminder must come fewer days before expiry than the invitation is valid.";
    field_reminder_days: "Erinnerung vor Ablauf (Tage)", "Reminder before expiry (days)";
    reminder_days_hint: "Eine Erinnerung mit neuem Link so viele Tage, bevor eine unbenutzte Einladung abläuft; einmal je Einladung. 0 = keine Erinnerungen.", "A reminder with a fresh link this many days before an unused invitation expires; once per invitation. 0 = no reminders.";
    fe_too_far_ahead: "Höchstens ein Jahr im Voraus planen.", "Schedule at most a year ahead.";
    fe_not_in_future: "Der Zeitpunkt liegt nicht in der Zukunft. Für sofort lassen Sie Datum und Uhrzeit leer.", "That moment is not in the future. To send now, leave date and time empty.";
    fe_date_out_of_range: "Bitte ein Datum zwischen den Jahren 1900 und 9998 angeben.", "Please give a date between the years 1900 and 9998.";
    fe_until_before_from: "Das Ende liegt vor dem Anfang.", "The end lies before the start.";
    fe_unknown_member: "Kein Benutzer mit diesem Benutzernamen oder dieser E-Mail-Adresse.", "No user with this username or email address.";
    field_photo: "Foto", "Photo";
    photo_hint: "JPEG oder PNG, höchstens 5 MB. Einlass verkleinert das Bild und entfernt Metadaten.", "JPEG or PNG, at most 5 MB. Einlass shrinks the image and removes metadata.";
    photo_upload: "Foto hochladen", "Upload photo";
    photo_remove: "Foto entfernen", "Remove photo";
    photo_saved: "Das Foto wurde gespeichert.", "The photo has been saved.";
    photo_removed: "Das Foto wurde entfernt.", "The photo has been removed.";
    photo_of: "Foto von", "Photo of";
    no_photo: "Kein Foto", "No photo";
    settings_invitee_heading: "Für eingeladene Personen", "For invited people";
    field_app_name: "Name der App", "Name of the app";
    app_name_hint: "Zum Beispiel „Mitarbeiter-App“. Eingeladene sehen nach der Aktivierung einen Knopf dorthin.", "For example “Staff app”. Invitees see a button to it once they are in.";
    field_app_url: "Adresse der App", "Address of the app";
    app_url_hint: "https://… – wohin Eingeladene nach der Aktivierung gehen.", "https://… – where invitees go once they are in.";
    field_welcome_text: "Begrüßungstext", "Welcome text";
    welcome_text_hint: "Steht über dem Formular, mit dem Eingeladene ihr Passwort festlegen. Leer: ein Standardtext.", "Shown above the form where invitees choose their password. Empty: a standard text.";
    mail_footer: "Diese E-Mail wurde von Einlass gesendet.", "This email was sent by Einlass.";
    mail_open_link: "Link öffnen", "Open link";
    links_throttled_title: "Zu viele Versuche", "Too many attempts";
    links_throttled_text: "Von diesem Gerät kamen in kurzer Zeit zu viele ungültige Links. Bitte warten Sie 15 Minuten und versuchen Sie es dann noch einmal.", "Too many invalid links came from this device in a short time. Please wait 15 minutes, then try again.";
    activate_title: "Zugang einrichten", "Set up your access";
    activate_valid_until: "Dieser Link gilt bis", "This link is valid until";
    activate_check_data: "Ihre Angaben", "Your details";
    activate_username_hint: "Damit melden Sie sich später an (oder mit Ihrer E-Mail-Adresse).", "You sign in with this later (or with your email address).";
    activate_email_hint: "Freiwillig. Damit können Sie ein vergessenes Passwort selbst zurücksetzen.", "Optional. With it you can reset a forgotten password yourself.";
    activate_choose_password: "Ihr Passwort", "Your password";
    activate_submit: "Zugang aktivieren", "Activate my access";
    activate_welcome_default: "Willkommen! Legen Sie hier Ihr Passwort fest, dann ist Ihr Zugang bereit.", "Welcome! Choose your password here, and your access is ready.";
    link_used_title: "Dieser Link wurde schon benutzt", "This link has been used already";
    link_used_text: "Ihr Zugang ist eingerichtet. Melden Sie sich mit Ihrem Benutzernamen oder Ihrer E-Mail-Adresse und Ihrem Passwort an. Passwort vergessen? Dann setzen Sie es hier zurück.", "Your access is set up. Sign in with your username or email address and your password. Forgot your password? Reset it here.";
    forgot_link: "Passwort vergessen?", "Forgot your password?";
    link_dead_title: "Dieser Link gilt nicht (mehr)", "This link is not valid (any more)";
    link_dead_text: "Der Link ist abgelaufen, wurde widerrufen, durch einen neueren ersetzt oder ist unvollständig.", "The link has expired, was revoked, was replaced by a newer one, or is incomplete.";
    link_dead_what_to_do: "Was tun: Prüfen Sie, ob Sie den ganzen Link geöffnet haben, oder bitten Sie die Person, die Sie eingeladen hat, um eine neue Einladung.", "What to do: check that you opened the whole link, or ask the person who invited you for a new invitation.";
    link_dead_already_active: "Schon eingerichtet? Zur Anmeldung", "Already set up? Sign in";
    welcome_title: "Sie sind drin", "You are in";
    welcome_text: "Ihr Zugang ist bereit. Willkommen,", "Your access is ready. Welcome,";
    welcome_to_app: "Weiter zur App", "On to the app";
    welcome_open: "Weiter zu", "On to";
    welcome_no_app: "Sie können dieses Fenster schließen.", "You can close this window.";
    welcome_username: "Sie melden sich an mit dem Benutzernamen", "You sign in with the username";
    welcome_confirm_sent: "Einen Link, mit dem Sie Ihre E-Mail-Adresse bestätigen, haben wir geschickt an", "We have sent a link that confirms your email address to";
    welcome_confirm_why: "Öffnen Sie ihn in den nächsten Tagen: erst mit einer bestätigten Adresse hilft Ihnen „Passwort vergessen“.", "Open it within the next days: only with a confirmed address can “Forgot your password” help you.";
    me_title: "Mein Konto", "My account";
    forgot_title: "Passwort vergessen", "Forgot your password";
    forgot_sent: "Wenn es ein Konto mit diesen Angaben gibt, ist eine E-Mail mit einem Link unterwegs.", "If there is an account with these details, an email with a link is on its way.";
    forgot_sent_more: "Der Link gilt eine Stunde. Keine E-Mail bekommen? Prüfen Sie den Spam-Ordner. Konten ohne E-Mail-Adresse kann nur die Verwaltung zurücksetzen.", "The link is valid for one hour. No email? Check your spam folder. Accounts without an email address can only be reset by the administration.";
    back_to_login: "Zurück zur Anmeldung", "Back to sign-in";
    forgot_intro: "Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort festlegen.", "Enter your username or email address. We will send you a link to choose a new password.";
    forgot_submit: "Link senden", "Send link";
    reset_title: "Neues Passwort festlegen", "Choose a new password";
    reset_submit: "Passwort speichern", "Save password";
    reset_dead_text: "Der Link ist abgelaufen, wurde schon benutzt oder ist unvollständig. Fordern Sie einfach einen neuen an.", "The link has expired, has been used or is incomplete. Simply ask for a new one.";
    reset_ask_again: "Neuen Link anfordern", "Ask for a new link";
    confirm_title: "E-Mail-Adresse bestätigen", "Confirm email address";
    confirm_done: "Danke, Ihre E-Mail-Adresse ist bestätigt.", "Thank you, your email address is confirmed.";
    confirm_intro: "Bestätigen Sie, dass diese Adresse Ihnen gehört.", "Confirm that this address is yours.";
    confirm_submit: "Adresse bestätigen", "Confirm address";
    confirm_dead: "Der Link ist abgelaufen, wurde schon benutzt oder ist unvollständig. Auf Ihrer Kontoseite können Sie einen neuen anfordern.", "The link has expired, has been used or is incomplete. You can ask for a new one on your account page.";
    me_to_admin: "Zur Verwaltung", "To the administration";
    me_photo_optional: "Noch kein Foto. Freiwillig: ein Foto, damit Kolleginnen und Kollegen Sie erkennen.", "No photo yet. Optional: a photo so colleagues recognise you.";
    welcome_photo_offer: "Ein Foto hinzufügen oder Ihre Angaben ansehen:", "Add a photo or see your details:";
    me_email_heading: "E-Mail-Adresse", "Email address";
    me_no_email: "Sie haben noch keine E-Mail-Adresse hinterlegt. Ohne sie kann „Passwort vergessen“ Ihnen nicht helfen.", "You have not added an email address yet. Without one, “Forgot your password” cannot help you.";
    me_email_unconfirmed: "Ihre Adresse ist noch nicht bestätigt. Bis dahin kann „Passwort vergessen“ Ihnen nicht helfen. Sie können einen neuen Bestätigungslink anfordern oder die Adresse ändern.", "Your address is not confirmed yet. Until it is, “Forgot your password” cannot help you. You can ask for a new confirmation link or change the address.";
    me_email_hint: "Wir senden einen Link an diese Adresse; erst damit ist sie bestätigt.", "We send a link to this address; it is confirmed once you open it.";
    me_email_submit: "Bestätigungslink senden", "Send confirmation link";
    mailbox_title: "Postfach", "Mailbox";
    mail_local_notice: "Es ist kein SMTP-Server eingerichtet: E-Mails verlassen diese Instanz nicht, sie liegen hier im Postfach. Zum Versand EINLASS_SMTP_HOST (und die weiteren EINLASS_SMTP_-Variablen) setzen, siehe README.", "No SMTP server is configured: emails do not leave this instance, they stay here in the mailbox. To send them, set EINLASS_SMTP_HOST (and the other EINLASS_SMTP_ variables), see README.";
    mailbox_smtp_now: "E-Mails gehen über den SMTP-Server hinaus; hier stehen die, die zugestellt wurden, als noch keiner eingerichtet war.", "Emails leave through the SMTP server; listed here are those delivered while none was configured.";
    mailbox_empty: "Das Postfach ist leer.", "The mailbox is empty.";
    mail_sent_at: "Zugestellt", "Delivered";
    mail_to: "An", "To";
    mail_subject: "Betreff", "Subject";
    mailbox_older: "Ältere Nachrichten", "Older messages";
    mailbox_back: "Zurück zum Postfach", "Back to the mailbox";
    link_changed: "In diesem Browser wurde inzwischen ein anderer Einladungslink geöffnet. Hier sind seine Angaben: bitte prüfen und das Passwort noch einmal eingeben.", "Another invitation link was opened in this browser meanwhile. Here are its details: please check them and enter the password again.";
    mailbox_link_hidden: "Der Link ist verborgen: das Konto steht über Ihrer Rolle (oder gibt es nicht mehr). Nur wer es ändern darf, sieht ihn.", "The link is hidden: the account is above your role (or gone). Only someone who may change it sees the link.";
    mailbox_link_hint: "Der Link funktioniert wie in einer echten E-Mail: wer ihn öffnet, kann das Konto einrichten. Geben Sie ihn nur der Person, für die er bestimmt ist.", "The link works as in a real email: whoever opens it can set up the account. Give it only to the person it is meant for.";
    invite_send: "Einladung senden", "Send invitation";
    invite_needs_email: "Für eine Einladung per E-Mail braucht es eine Adresse. Sie wird gespeichert und die Einladung geht sofort hinaus.", "An invitation by email needs an address. It is saved and the invitation goes out at once.";
    invite_renew: "Einladung erneuern", "Renew invitation";
    invite_revoke: "Einladung widerrufen", "Revoke invitation";
    invitation_heading: "Einladung", "Invitation";
    invitation_mail: "E-Mail", "Email";
    address_blocked: "Diese Adresse ist gesperrt (dauerhafter Zustellfehler) seit", "This address is blocked (permanent delivery failure) since";
    reactivate_midnight_hint: "Reaktivieren setzt den Status auf aktiv. Die Person muss sich dann noch heute vor Mitternacht anmelden, sonst ist sie um Mitternacht wieder inaktiv. Ohne Passwort kann sie sich über „Passwort vergessen“ eines setzen.", "Reactivating sets the status to active. The person must then sign in today before midnight, or becomes inactive again at midnight. Without a password, he can set one through “Forgot your password”.";
    sign_in_deadline_notice: "Reaktiviert von Hand: muss sich anmelden vor", "Reactivated by hand: must sign in before";
    mails_to_user: "E-Mails an diese Person", "Emails to this person";
    mail_kind: "Art", "Kind";
    mail_message: "Nachricht", "Message";
    mail_status: "Zustellung", "Delivery";
    mail_created: "Erstellt", "Created";
    mail_answer: "Antwort des Servers", "Server's answer";
    mail_attempts: "Versuche", "attempts";
    mail_attempt_one: "Versuch", "attempt";
    invitation_not_invited: "nicht eingeladen", "not invited";
    invitation_scheduled_for: "Einladung geplant für", "invitation scheduled for";
    invited_scheduled: "Die Einladung ist geplant. Link und E-Mail entstehen zum geplanten Zeitpunkt; bis dahin können Sie die Planung mit „Einladung widerrufen“ aufheben.", "The invitation is scheduled. Its link and email are made at the scheduled time; until then, “Revoke invitation” cancels it.";
    invite_schedule: "Zeitpunkt (optional)", "When (optional)";
    invite_schedule_hint: "Leer lassen, um sofort zu senden. Sonst geht die Einladung zu diesem Zeitpunkt hinaus (Zeitzone der Instanz); der Link gilt ab dann.", "Leave empty to send now. Otherwise the invitation goes out at this time (the instance's time zone); the link is valid from then on.";
    field_send_date: "Datum", "Date";
    field_scheduled_for: "Versand geplant für", "Scheduled for";
    field_send_time: "Uhrzeit", "Time";
    invite_send_later: "Später senden …", "Send later …";
    invitation_invited_until: "eingeladen bis", "invited until";
    invitation_expired: "Einladung abgelaufen", "invitation expired";
    invitation_revoked_state: "Einladung widerrufen", "invitation revoked";
    invitation_activated: "aktiviert", "activated";
    invite_all_created: "Alle neu angelegten Benutzer einladen", "Invite all newly created users";
    invite_all_hint: "Schickt jedem Benutzer im Status „angelegt“ mit E-Mail-Adresse eine Einladung.", "Sends an invitation to every user in status “created” who has an email address.";
    filter_unreadable: "Ein Filterwert der Adresse nennt nichts, was es gibt (z. B. eine Gruppe, die es nicht gibt): gefunden wird niemand. Wählen Sie die Filter neu.", "A filter value in the address names nothing that exists (a group that does not exist, for example): nobody is found. Choose the filters again.";
    filter_delivery: "Zustellung der Einladung", "Invitation delivery";
    mail_log_title: "E-Mail-Protokoll", "Email log";
    nav_mail_log: "E-Mails", "Emails";
    mail_log_recipient: "Empfänger (Teil der Adresse)", "Recipient (part of the address)";
    mail_log_empty: "Keine E-Mails für diesen Filter.", "No emails for this filter.";
    mail_log_newer: "← Neuere", "← Newer";
    mail_log_older: "Ältere →", "Older →";
    mail_log_order: "Sortierung", "Order";
    mail_log_newest_first: "Neueste zuerst", "Newest first";
    mail_log_oldest_first: "Älteste zuerst", "Oldest first";
    mail_log_back_older: "← Ältere", "← Older";
    mail_log_on_newer: "Neuere →", "Newer →";
    mail_log_back: "Zurück zum E-Mail-Protokoll", "Back to the email log";
    mail_from: "Von", "From";
    mail_log_link_masked: "Der Link der E-Mail ist hier unkenntlich gemacht: er ist geheim und gehört nur der Person, an die sie ging.", "The email's link is masked here: it is secret and belongs only to the person it went to.";
    mail_log_text_part: "Textteil", "Text part";
    mail_log_html_part: "HTML-Teil", "HTML part";
    mail_log_html_source: "HTML-Quelltext", "HTML source";
    resend_button: "Erneut senden", "Send again";
    resend_heading: "Erneut senden", "Send again";
    resend_with_link: "Geht mit einem neuen Link an diese Adresse; der bisherige Link gilt dann nicht mehr:", "Goes out with a fresh link to this address; the earlier link stops working:";
    resend_copy: "Eine Kopie geht an diese Adresse:", "A copy goes to this address:";
    resend_already: "Diese E-Mail wurde schon erneut gesendet. Die neue Nachricht kann ihrerseits erneut gesendet werden.", "This email was sent again already. The new message can itself be sent again.";
    resend_scheduled: "Diese Einladung ist geplant und geht zum geplanten Zeitpunkt hinaus; erst dann entstehen Link und Text. Um die Planung aufzuheben, widerrufen Sie die Einladung auf der Seite der Person.", "This invitation is scheduled and goes out at its time; only then are its link and text made. To cancel it, revoke the invitation on the person's page.";
    resend_open_copy: "Neue Nachricht ansehen", "View the new message";
    resend_expired: "Die Einladung ist abgelaufen. Erneuern Sie sie: die Person bekommt einen neuen Link mit neuer Gültigkeit.", "The invitation has expired. Renew it: the person gets a fresh link with a new validity.";
    resend_revoked: "Die Einladung wurde widerrufen; deshalb wird sie nicht erneut gesendet. Um die Person wieder einzuladen, erneuern Sie die Einladung.", "The invitation was revoked, so it is not sent again. To invite the person again, renew the invitation.";
    resend_active: "Nichts zu tun: Die Person hat ihren Zugang schon aktiviert.", "Nothing to do: the person has already activated the account.";
    resend_deactivated: "Nichts zu senden: Das Konto ist deaktiviert.", "Nothing to send: the account is deactivated.";
    resend_user_gone: "Nichts zu senden: Die Person wurde gelöscht.", "Nothing to send: the person was deleted.";
    resend_no_address: "Nichts zu senden: Die Person hat keine E-Mail-Adresse mehr.", "Nothing to send: the person has no email address any more.";
    resend_no_longer: "Nichts zu senden: Wofür diese E-Mail war, ist erledigt (die Adresse ist bestätigt oder geändert, oder das Konto kann kein neues Passwort festlegen).", "Nothing to send: what this email was for is over (the address is confirmed or changed, or the account cannot choose a new password).";
    resend_blocked: "Die Adresse ist gesperrt, weil der Mailserver sie dauerhaft abgelehnt hat. Entsperren Sie sie zuerst, wenn sie wieder erreichbar ist.", "The address is blocked because the mail server refused it for good. Unblock it first if it can be reached again.";
    resend_too_many: "An diese Adresse wurde in der letzten Stunde schon 3-mal erneut gesendet. Bitte versuchen Sie es später noch einmal.", "This address was sent to again 3 times in the last hour already. Please try again later.";
    resent_queued: "Erneut gesendet: Das ist die neue Nachricht.", "Sent again: this is the new message.";
    resent_blocked: "Nicht gesendet: Die Adresse ist gesperrt.", "Not sent: the address is blocked.";
    resend_refused: "Nicht erneut gesendet. Warum, steht unten bei „Erneut senden“.", "Not sent again. Why is shown below under “Send again”.";
    open_user: "Zur Person", "Open the person";
    blocked_title: "Gesperrte Adressen", "Blocked addresses";
    blocked_intro: "An diese Adressen geht keine E-Mail mehr, weil der Mailserver sie dauerhaft abgelehnt hat. Ist eine Adresse wieder erreichbar (etwa nach einem Tippfehler, der korrigiert wurde, oder einem vollen Postfach), entsperren Sie sie und senden Sie die E-Mail im Protokoll erneut.", "No email goes to these addresses any more because the mail server refused them for good. When an address can be reached again (say a typo was fixed or a full mailbox emptied), unblock it and send the email again from the log.";
    blocked_address: "Adresse", "Address";
    blocked_reason: "Grund", "Reason";
    blocked_since: "Gesperrt seit", "Blocked since";
    blocked_reason_rejected: "Dauerhaft abgelehnt", "Refused for good";
    blocked_empty: "Keine Adresse ist gesperrt.", "No address is blocked.";
    blocked_search: "Adresse (Teil)", "Address (part)";
    unblock_button: "Entsperren", "Unblock";
    unblocked: "Die Adresse ist entsperrt: E-Mails an sie gehen wieder hinaus. Fehlgeschlagene können Sie im E-Mail-Protokoll erneut senden.", "The address is unblocked: emails to it go out again. Failed ones can be sent again from the email log.";
    not_blocked: "Diese Adresse war nicht (mehr) gesperrt.", "This address was not blocked (any more).";
    address_blocked_short: "Adresse gesperrt", "Address blocked";
    templates_title: "E-Mail-Vorlagen", "Email templates";
    templates_intro: "Betreff und Text jeder E-Mail, auf Deutsch und auf Englisch. Einlass setzt den Text in den Rahmen mit Namen und Farbe Ihrer Organisation und sendet ihn als HTML und als reinen Text. Geänderte Texte gelten für jede E-Mail, die danach erstellt wird; geplante Einladungen erhalten den Text, der beim Versand gilt.", "Subject and text of every email, in German and in English. Einlass puts the text into the frame with your organisation's name and colour and sends it as HTML and as plain text. A changed text applies to every email made afterwards; scheduled invitations get the text that applies when they go out.";
    template_language: "Sprache", "Language";
    template_state: "Stand", "State";
    template_shipped: "Standardtext", "Standard text";
    template_edited_by: "geändert von", "changed by";
    template_edit: "Bearbeiten", "Edit";
    template_body: "Text", "Text";
    template_body_hint: "Absätze trennen Sie mit einer Leerzeile. Ein Absatz, der nur aus {{link}} besteht, wird in der HTML-Fassung zu einem Knopf. Alles ist reiner Text: HTML-Zeichen erscheinen, wie sie geschrieben sind.", "Separate paragraphs with an empty line. A paragraph that is only {{link}} becomes a button in the HTML version. Everything is plain text: HTML characters show as written.";
    template_placeholders: "Platzhalter", "Placeholders";
    template_placeholders_hint: "Diese Platzhalter ersetzt Einlass beim Versand für jede Person:", "Einlass replaces these placeholders for each person when sending:";
    ph_link: "der persönliche Link (nur einmal gültig)", "the personal link (works once)";
    ph_anrede: "die Anrede, z. B. „Guten Tag Frau Müller,“", "the greeting, e.g. “Hello Anna Müller,”";
    ph_vorname: "Vorname", "first name";
    ph_nachname: "Nachname", "last name";
    ph_benutzername: "Benutzername", "username";
    ph_ablaufdatum: "bis wann der Link gilt", "until when the link works";
    ph_organisation: "Name der Organisation", "name of the organisation";
    ph_app: "Name Ihrer App (Einstellungen)", "name of your app (settings)";
    ph_app_url: "Adresse Ihrer App (Einstellungen)", "address of your app (settings)";
    ph_grund: "die Begründung der Ablehnung (kann leer sein)", "the reason for declining (may be empty)";
    template_save: "Speichern", "Save";
    template_preview: "Vorschau", "Preview";
    template_preview_hint: "Die Vorschau zeigt den Text im Formular mit Beispieldaten, ohne ihn zu speichern.", "The preview shows the text in the form with sample data, without saving it.";
    template_preview_title: "Vorschau mit Beispieldaten", "Preview with sample data";
    template_text_part: "Textfassung", "Plain-text version";
    template_reset: "Auf Standard zurücksetzen", "Reset to standard";
    template_reset_hint: "Stellt den mitgelieferten Text dieser Vorlage wieder her.", "Restores the text this template shipped with.";
    template_saved: "Die Vorlage ist gespeichert. Sie gilt für jede E-Mail, die ab jetzt erstellt wird.", "The template is saved. It applies to every email made from now on.";
    template_reset_done: "Die Vorlage ist wieder der Standardtext.", "The template is the standard text again.";
    template_not_edited: "Die Vorlage war schon der Standardtext.", "The template was the standard text already.";
    template_back: "Zurück zu den Vorlagen", "Back to the templates";
    te_required: "Bitte ausfüllen.", "Please fill this in.";
    te_control: "Enthält unzulässige Steuerzeichen (im Betreff auch keine Zeilenumbrüche).", "Contains control characters that are not allowed (and no line breaks in the subject).";
    te_unclosed: "Ein Platzhalter ist nicht geschlossen: Zu „{{“ fehlt „}}“.", "A placeholder is not closed: “{{” lacks its “}}”.";
    te_link_missing: "Diese E-Mail trägt einen persönlichen Link: Der Text braucht den Platzhalter {{link}}.", "This email carries a personal link: the text needs the placeholder {{link}}.";
    te_encoded_word: "„=?“ ist im Betreff nicht erlaubt: Mailprogramme lesen es als verschlüsselten Text.", "“=?” is not allowed in the subject: mail programs read it as encoded text.";
    te_link_in_subject: "Der Link gehört in den Text, nicht in den Betreff.", "The link belongs in the text, not in the subject.";
    task_title: "Auftrag", "Task";
    task_invite_created: "Alle neu angelegten Benutzer einladen", "Invite all newly created users";
    task_started_by: "Gestartet von", "Started by";
    task_started_at: "am", "on";
    task_running: "Läuft", "Running";
    task_done_state: "Fertig", "Done";
    task_stopped_state: "Abgebrochen", "Stopped";
    task_progress: "Fortschritt", "Progress";
    task_of: "von", "of";
    task_refresh_hint: "Die Seite aktualisiert sich von selbst. Sie können sie auch schließen: der Auftrag läuft im Hintergrund weiter, auch nach einem Neustart.", "This page refreshes itself. You may also close it: the task goes on in the background, even after a restart.";
    task_invited: "Eingeladen (Einladungs-E-Mail erstellt)", "Invited (invitation email queued)";
    task_blocked: "Eingeladen, aber an eine gesperrte Adresse (keine E-Mail verschickt)", "Invited, but to a blocked address (no email sent)";
    task_skipped_no_email: "Übersprungen: keine E-Mail-Adresse (QR-Code oder Startpasswort nutzen)", "Skipped: no email address (use a QR code or a start password)";
    task_skipped_role: "Übersprungen: Konten mit höherer Rolle als Ihrer", "Skipped: accounts with a higher role than yours";
    task_skipped_changed: "Übersprungen: inzwischen geändert (nicht mehr „angelegt“)", "Skipped: changed meanwhile (no longer “created”)";
    task_skipped_changed_bulk: "Übersprungen: inzwischen geändert, gelöscht oder abgelehnt (etwa der letzte Administrator)", "Skipped: changed or deleted meanwhile, or refused (such as the last Administrator)";
    task_skipped_status: "Übersprungen: Status passt nicht zu dieser Aktion", "Skipped: status does not fit this action";
    task_skipped_self: "Übersprungen: Ihr eigenes Konto", "Skipped: your own account";
    task_done_count: "Erledigt", "Done";
    audit_planned: "Vorgesehen", "Planned";
    audit_sent_to: "Gesendet an", "Sent to";
    audit_blocked: "An gesperrte Adressen", "To blocked addresses";
    audit_stopped_actor: "wer ihn gestartet hat, darf das nicht mehr", "whoever started it may no longer do this";
    task_scheduled_for: "Die Einladungen sind geplant; Link und E-Mail entstehen beim Versand am", "The invitations are scheduled; link and email are made when they go out on";
    invite_all_later: "Später senden …", "Send later …";
    invite_all_later_title: "Alle neu angelegten Benutzer später einladen", "Invite all newly created users later";
    bulk_invite: "Einladen", "Invite";
    bulk_resend: "Einladung erneut senden (neuer Link)", "Send invitation again (fresh link)";
    bulk_revoke: "Einladung widerrufen", "Revoke invitation";
    bulk_reactivate: "Reaktivieren", "Reactivate";
    bulk_deactivate: "Deaktivieren", "Deactivate";
    bulk_delete: "Löschen", "Delete";
    bulk_letters: "QR-Briefe drucken", "Print QR letters";
    bulk_invite_does: "Jede betroffene Person bekommt eine Einladung mit einem neuen Link; ihr Status wird „eingeladen“.", "Each person affected gets an invitation with a fresh link; the status becomes “invited”.";
    bulk_resend_does: "Jede betroffene Person bekommt ihre Einladung noch einmal, mit einem neuen Link; der bisherige gilt nicht mehr.", "Each person affected gets the invitation again, with a fresh link; the earlier one stops working.";
    bulk_revoke_does: "Die Einladungslinks sterben sofort, noch nicht gesendete Einladungen gehen nicht mehr hinaus; der Status wird „widerrufen“.", "The invitation links die at once, invitations not yet sent no longer go out; the status becomes “revoked”.";
    bulk_reactivate_does: "Gesperrte Konten werden wieder freigegeben; inaktive müssen sich dann noch heute anmelden.", "Blocked accounts are released again; inactive ones must then sign in today.";
    bulk_deactivate_does: "Die Konten werden gesperrt: Anmeldungen enden sofort, offene Links sterben.", "The accounts are blocked: sessions end at once, open links die.";
    bulk_delete_does: "Die Konten werden gelöscht: Sie verschwinden aus den Listen, Benutzername, E-Mail und Personalnummer werden frei. Das Protokoll behält ihre Geschichte.", "The accounts are deleted: they disappear from the lists, username, email and personnel number become free. The audit log keeps their story.";
    bulk_letters_does: "Für jede Person wird ein neuer Aktivierungslink erzeugt und als QR-Code auf einen Brief gedruckt, eine Seite je Person, zum Verteilen. Frühere Einladungslinks dieser Personen (auch aus E-Mails und früheren Briefen) werden sofort ungültig; es wird keine E-Mail gesendet. Die Briefe zeigt nur dieser Browser, 30 Minuten lang.", "For each person a new activation link is made and printed as a QR code on a letter, one page per person, to hand out. Earlier invitation links of these people (from emails and earlier letters too) stop working at once; no email is sent. Only this browser shows the letters, for 30 minutes.";
    letters_title: "QR-Briefe", "QR letters";
    letters_shown_until: "Diese Seite zeigt die Briefe bis", "This page shows the letters until";
    letters_intro: "Eine Seite je Person. Drucken Sie das Dokument und verteilen Sie die Briefe persönlich.", "One page per person. Print the document and hand the letters out in person.";
    letters_gone: "Die Briefe werden aus Sicherheitsgründen nur in dem Browser angezeigt, in dem sie erzeugt wurden, und nur 30 Minuten lang. Gedruckte Briefe bleiben gültig; für neue Briefe wählen Sie die Personen noch einmal aus (ihre bisherigen Links werden dann ungültig).", "For safety the letters are shown only in the browser in which they were made, and only for 30 minutes. Printed letters stay valid; for new letters choose the people again (their links so far then stop working).";
    letters_dropped: "Personen erhalten hier keinen Brief mehr: Ihr Link gilt nicht mehr (erneuert, widerrufen oder benutzt) oder ihr Konto wurde inzwischen gesperrt oder gelöscht.", "people get no letter here any more: their link no longer works (renewed, revoked or used), or their account has since been blocked or deleted.";
    letters_dropped_one: "Person erhält hier keinen Brief mehr: Ihr Link gilt nicht mehr (erneuert, widerrufen oder benutzt) oder ihr Konto wurde inzwischen gesperrt oder gelöscht.", "person gets no letter here any more: the link no longer works (renewed, revoked or used), or the account has since been blocked or deleted.";
    letters_for_group: "QR-Briefe für die Mitglieder drucken …", "Print QR letters for the members …";
    bulk_confirm_title: "Sammelaktion bestätigen", "Confirm bulk action";
    bulk_affected: "Betroffen", "Affected";
    bulk_skipped: "Übersprungen", "Skipped";
    bulk_skip_no_email: "ohne E-Mail-Adresse", "without an email address";
    bulk_skip_status: "Status passt nicht zu dieser Aktion", "status does not fit this action";
    bulk_skip_role: "höhere Rolle als Ihre", "higher role than yours";
    bulk_skip_self: "Ihr eigenes Konto", "your own account";
    bulk_what_happens: "Was geschieht", "What happens";
    bulk_confirm_button: "Jetzt ausführen", "Run now";
    bulk_nobody: "Auf niemanden in dieser Auswahl passt die Aktion; es gibt nichts zu tun.", "The action fits nobody in this selection; there is nothing to do.";
    bulk_action: "Aktion", "Action";
    bulk_scope_filter: "Alle Treffer dieses Filters", "All results of this filter";
    bulk_next: "Weiter …", "Next …";
    bulk_scope_chosen: "Ausgewählte Zeilen", "Chosen rows";
    bulk_back: "Zurück zur Liste", "Back to the list";
    task_stopped_actor_bulk: "Abgebrochen: wer den Auftrag gestartet hat, darf das nicht mehr (Rolle, Status oder Konto geändert). Die bis dahin erledigten Benutzer sind geändert; die übrigen sind unverändert.", "Stopped: whoever started the task may no longer do this (role, status or account changed). The users done until then are changed; the others are unchanged.";
    note_replaced: "Nicht gesendet: durch eine neuere Einladung ersetzt (Einlass)", "Not sent: replaced by a newer invitation (Einlass)";
    note_revoked: "Nicht gesendet: Einladung widerrufen (Einlass)", "Not sent: invitation revoked (Einlass)";
    note_import_undone: "Nicht gesendet: Import rückgängig gemacht (Einlass)", "Not sent: import undone (Einlass)";
    note_no_longer: "Nicht gesendet: die Einladung galt nicht mehr (Einlass)", "Not sent: the invitation no longer applied (Einlass)";
    note_used: "Nicht gesendet: die Einladung wurde schon benutzt (Einlass)", "Not sent: the invitation was already used (Einlass)";
    note_links_died: "Nicht gesendet: die Links der Person gelten nicht mehr (Einlass)", "Not sent: the person's links no longer work (Einlass)";
    task_stopped_actor: "Abgebrochen: wer den Auftrag gestartet hat, darf das nicht mehr (Rolle, Status oder Konto geändert). Die bis dahin erledigten Benutzer sind eingeladen; die übrigen sind unverändert.", "Stopped: whoever started the task may no longer do this (role, status or account changed). The users done until then are invited; the others are unchanged.";
    task_finished_at: "Beendet", "Finished";
    task_to_users: "Zur Benutzerliste", "To the user list";
    task_to_waiting: "Eingeladene mit wartender E-Mail anzeigen", "Show the invited whose email is waiting";
    task_already_running: "Dieser Auftrag läuft schon; hier sein Stand.", "This task is running already; here is where it stands.";
    task_just_ran: "Dieser Auftrag ist eben gelaufen: niemand ist mehr im Status „angelegt“. Hier, was er getan hat.", "This task has just run: nobody is left in status “created”. Here is what it did.";
    mail_local_answer: "ins Postfach dieser Instanz zugestellt", "delivered to this instance's mailbox";
    invite_now: "Einladung sofort senden", "Send invitation now";
    invite_later: "Später einladen", "Invite later";
    invite_after_edit: "Einladung", "Invitation";
    invite_after_edit_hint: "Eine geänderte Adresse macht einen alten Einladungslink ungültig.", "A changed address makes an old invitation link invalid.";
    invite_now_edit: "Einladung jetzt senden", "Send invitation now";
    nav_mailbox: "Postfach", "Mailbox";
    mail_problem_title: "E-Mail-Versand gestört:", "Sending email is failing:";
    mail_auth_failed: "Der SMTP-Server hat die Anmeldung abgelehnt. Prüfen Sie EINLASS_SMTP_USER und EINLASS_SMTP_PASSWORD und starten Sie Einlass neu; betroffene E-Mails danach erneut senden.", "The SMTP server refused the sign-in. Check EINLASS_SMTP_USER and EINLASS_SMTP_PASSWORD and restart Einlass; then send the affected emails again.";
    mail_tls_failed: "Die verschlüsselte Verbindung zum SMTP-Server kam nicht zustande (Zertifikat oder TLS). Prüfen Sie EINLASS_SMTP_HOST (muss zum Zertifikat passen), EINLASS_SMTP_PORT und EINLASS_SMTP_SECURITY (starttls, tls, none).", "The encrypted connection to the SMTP server failed (certificate or TLS). Check EINLASS_SMTP_HOST (must match the certificate), EINLASS_SMTP_PORT and EINLASS_SMTP_SECURITY (starttls, tls, none).";
    mail_local_title: "E-Mails bleiben in Einlass.", "Emails stay in Einlass.";
    mail_waiting: "E-Mails wartend", "Emails waiting";
    mail_failed_recently: "fehlgeschlagen (24 h)", "failed (24 h)";
    invited_queued: "Die Einladung ist unterwegs.", "The invitation is on its way.";
    invited_blocked: "Die Einladung wurde nicht gesendet: die Adresse ist nach einem dauerhaften Zustellfehler gesperrt.", "The invitation was not sent: the address is blocked after a permanent delivery failure.";
    invitation_revoked: "Die Einladung ist widerrufen; ihr Link gilt nicht mehr.", "The invitation is revoked; its link no longer works.";
    email_confirmation_sent: "Ein Bestätigungslink ist an die neue Adresse unterwegs.", "A confirmation link is on its way to the new address.";
    fe_email_needed_to_invite: "Für eine Einladung per E-Mail ist eine E-Mail-Adresse nötig.", "An invitation by email needs an email address.";
    nav_access: "Zugangslinks", "Access links";
    field_group: "Gruppe", "Group";
    field_area: "Bereich", "Area";
    access_title: "Zugangslinks", "Access links";
    access_intro: "Ein Zugangslink gilt für eine Person und einmal: wer ihn öffnet, legt sich selbst ein Konto an und ist sofort aktiv – mit dem Nutzertyp, der Gruppe und dem Bereich, die der Link vergibt. Für Menschen, für die es noch kein Konto gibt.", "An access link is for one person and works once: whoever opens it creates an account himself and is active at once, with the user type, group and area the link grants. For people who have no account yet.";
    access_new: "Zugangslinks erstellen", "Create access links";
    access_new_intro: "Die Links werden gleich danach angezeigt, zum Kopieren und als QR-Briefe zum Drucken – nur in diesem Browser und nur 30 Minuten lang. Gespeichert wird keiner: wer einen verliert, widerruft ihn und erstellt einen neuen.", "The links are shown right afterwards, to copy and as QR letters to print: in this browser only, for 30 minutes. None is stored: a link that is lost is revoked and replaced by a new one.";
    access_none: "Noch keine Zugangslinks.", "No access links yet.";
    access_set: "Zugangslinks", "Access links";
    access_grants: "Vergibt", "Grants";
    access_valid_until: "Gültig bis", "Valid until";
    access_links: "Links", "Links";
    access_created: "Erstellt", "Created";
    access_count: "Anzahl Links", "Number of links";
    access_count_hint: "Ein Link je Person, höchstens", "One link per person, at most";
    access_valid_days: "Gültig (Tage)", "Valid (days)";
    access_valid_days_hint: "Danach ist jeder noch offene Link abgelaufen. Höchstens", "After that every link not used yet has expired. At most";
    access_label: "Bezeichnung", "Name";
    access_label_hint: "Optional, z. B. „Aushilfen Sommer“: erscheint in der Liste und auf den Briefen.", "Optional, e.g. “Summer temps”: shown in the list and on the letters.";
    access_grants_legend: "Was die Links vergeben", "What the links grant";
    access_grants_hint: "Wer sich mit einem der Links anmeldet, bekommt das. Admin-Rechte vergibt ein Link nie.", "Whoever signs up with one of the links gets this. A link never grants admin rights.";
    access_no_group: "keine Gruppe", "no group";
    access_no_area: "kein Bereich", "no area";
    access_area_role_hint: "Gilt nur mit einem Bereich.", "Applies only with an area.";
    access_create: "Links erstellen", "Create links";
    access_state_offen: "offen", "open";
    access_state_benutzt: "benutzt", "used";
    access_state_abgelaufen: "abgelaufen", "expired";
    access_state_widerrufen: "widerrufen", "revoked";
    access_shown_title: "Die offenen Links", "The open links";
    access_shown_none: "Kein Link dieser Reihe ist mehr offen.", "No link of this set is open any more.";
    access_shown_intro: "Nur dieser Browser sieht die Links, und nur bis", "Only this browser sees the links, and only until";
    access_urls_label: "Links, einer je Zeile", "Links, one per line";
    access_copy_all: "Alle Links kopieren", "Copy all links";
    access_print_letters: "QR-Briefe drucken", "Print QR letters";
    access_not_shown: "Die Adressen der Links werden nur dem Browser, der sie erstellt hat, eine halbe Stunde lang gezeigt; gespeichert ist keine. Ein verlorener Link wird widerrufen und durch einen neuen ersetzt.", "The links' addresses are shown only to the browser that made them, for half an hour; none is stored. A lost link is revoked and replaced by a new one.";
    access_revoke_all: "Alle offenen widerrufen", "Revoke all open links";
    access_revoke: "Widerrufen", "Revoke";
    access_revoke_hint: "Ein widerrufener Link gilt sofort nicht mehr; benutzte bleiben, wie sie sind.", "A revoked link stops working at once; used ones stay as they are.";
    access_number: "Nr.", "No.";
    access_detail: "Wer, wann", "Who, when";
    access_used_by: "von", "by";
    access_letters_title: "QR-Briefe für Zugangslinks", "QR letters for access links";
    access_letters_intro: "Ein Brief je offenem Link. Drucken Sie sie jetzt: nur dieser Browser kann sie zeigen, und nur eine halbe Stunde nach dem Erstellen.", "One letter per open link. Print them now: only this browser can show them, and only for half an hour after they were made.";
    access_letters_gone: "Diese Briefe kann nur der Browser zeigen, der die Links erstellt hat, und nur eine halbe Stunde lang. Widerrufen Sie die offenen Links und erstellen Sie neue, wenn Briefe fehlen.", "Only the browser that made the links can show these letters, and only for half an hour. Revoke the open links and create new ones if letters are missing.";
    access_letter_title: "Ihr Zugang", "Your access";
    access_letter_hello: "Guten Tag,", "Hello,";
    access_letter_intro: "mit diesem Brief legen Sie sich selbst ein Konto an. Sie brauchen dafür nur ein Handy mit Kamera.", "with this letter you create your own account. All you need is a phone with a camera.";
    access_letter_code_alt: "QR-Code mit dem Zugangslink", "QR code with the access link";
    access_letter_step_register: "Geben Sie Ihren Namen ein, eine E-Mail-Adresse oder einen Benutzernamen, und wählen Sie ein Passwort.", "Enter your name, an email address or a username, and choose a password.";
    access_letter_once: "Dieser Link gilt für eine Person und nur einmal. Geben Sie ihn nicht weiter.", "This link is for one person and works only once. Do not pass it on.";
    access_created_flash: "Die Zugangslinks sind erstellt.", "The access links have been created.";
    access_revoked_flash: "Widerrufen.", "Revoked.";
    access_nothing_revoked: "Nichts widerrufen: der Link war nicht mehr offen.", "Nothing revoked: the link was no longer open.";
    join_title: "Konto anlegen", "Create your account";
    join_welcome_default: "Willkommen! Legen Sie hier Ihr Konto an.", "Welcome! Create your account here.";
    join_once: "Dieser Link gilt einmal, bis", "This link works once, until";
    join_about_you: "Über Sie", "About you";
    join_sign_in_with: "Womit Sie sich anmelden", "What you sign in with";
    join_sign_in_hint: "Eine E-Mail-Adresse oder ein Benutzername, oder beides. Mit einer E-Mail-Adresse können Sie ein vergessenes Passwort selbst neu setzen.", "An email address or a username, or both. With an email address you can reset a forgotten password yourself.";
    join_email_hint: "Optional. Sie bekommen einen Link, der sie bestätigt.", "Optional. You will get a link that confirms it.";
    join_username_hint: "Optional, wenn Sie eine E-Mail-Adresse angeben: dann wird er aus Ihrem Namen gebildet. Buchstaben, Ziffern, Punkt, Binde- und Unterstrich.", "Optional if you give an email address: then it is made from your name. Letters, digits, dot, hyphen and underscore.";
    join_submit: "Konto anlegen", "Create account";
    join_used_title: "Dieser Link wurde schon benutzt", "This link has been used already";
    join_used_text: "Mit diesem Zugangslink wurde bereits ein Konto angelegt. Waren Sie das, melden Sie sich an. Sonst bitten Sie Ihre Ansprechperson um einen neuen Link.", "An account has already been created with this access link. If that was you, sign in. Otherwise ask your contact person for a new link.";
    join_dead_title: "Dieser Link gilt nicht (mehr)", "This link is not valid (any more)";
    join_dead_text: "Der Zugangslink ist abgelaufen, wurde widerrufen oder ist unvollständig. Bitten Sie Ihre Ansprechperson um einen neuen Link.", "The access link has expired, was revoked or is incomplete. Ask your contact person for a new link.";
    fe_number_from: "Bitte eine ganze Zahl von", "Please give a whole number from";
    fe_number_to: "bis", "to";
    fe_invalid_birth_date: "Bitte ein Datum wie 31.03.1990 angeben.", "Please give a date like 31.03.1990 (day, month, year).";
    fe_number_on_the_list: "Diese Personalnummer steht schon auf der Liste, in einem offenen Eintrag (je Personalnummer einer).", "This personnel number is on the list already, in an open entry (one per personnel number).";
    fe_on_the_list: "Ein offener Eintrag mit denselben verglichenen Angaben steht schon auf der Liste: eine Registrierung könnte die beiden nicht unterscheiden.", "An open entry with the same compared details is on the list already: a registration could not tell the two apart.";
    fe_birth_date_range: "Bitte ein Geburtsdatum zwischen 1900 und heute angeben.", "Please give a date of birth between 1900 and today.";
    join_link_changed: "In diesem Browser wurde inzwischen ein anderer Zugangslink geöffnet. Hier ist das Formular dieses Links; bitte noch einmal absenden.", "Another access link has been opened in this browser since. Here is that link's form; please send it again.";
    fe_criteria_too_weak: "Bitte mindestens zwei Angaben wählen, darunter die Personalnummer oder das Geburtsdatum: Namen allein sind leicht zu erraten.", "Please choose at least two items, the personnel number or the birth date among them: names alone are easy to guess.";
    nav_registration: "Registrierung", "Registration";
    field_birth_date: "Geburtsdatum", "Date of birth";
    wl_title: "Registrierung", "Registration";
    wl_intro: "Hier stehen die Menschen, die sich selbst registrieren dürfen: Wer auf der öffentlichen Registrierungsseite genau die Angaben eines offenen Eintrags macht, bekommt ein aktives Konto – einmal je Eintrag. Die Seite:", "Here are the people who may register themselves: whoever gives exactly the details of an open entry on the public registration page gets an active account, once per entry. The page:";
    wl_public_page: "Registrierungsseite", "registration page";
    wl_open: "offen", "open";
    wl_used: "benutzt", "used";
    wl_unmatchable: "offenen Einträgen fehlt eine Angabe, nach der jetzt verglichen wird: mit ihnen kann sich niemand registrieren, bis sie ergänzt (neu angelegt) werden.", "open entries lack a detail that is now compared: nobody can register with them until they are added again with it.";
    wl_criteria: "Verglichene Angaben", "Details compared";
    wl_criteria_legend: "Eine Registrierung muss übereinstimmen in", "A registration must match in";
    wl_criteria_hint: "Mindestens zwei, darunter die Personalnummer oder das Geburtsdatum. Verglichen wird ohne Rücksicht auf Groß- und Kleinschreibung, Umlautschreibung (ü = ue), Akzente, Bindestriche und Leerzeichen bei Namen; Personalnummern genau; Geburtsdaten als Datum.", "At least two, the personnel number or the date of birth among them. Names are compared regardless of letter case, umlaut spelling (ü = ue), accents, hyphens and spaces; personnel numbers exactly; dates of birth as dates.";
    wl_criteria_save: "Angaben speichern", "Save details";
    wl_criteria_saved: "Die verglichenen Angaben sind gespeichert.", "The details compared have been saved.";
    wl_add: "Eintrag hinzufügen", "Add an entry";
    wl_add_submit: "Hinzufügen", "Add";
    wl_added: "Der Eintrag steht auf der Liste.", "The entry is on the list.";
    wl_deleted: "Der Eintrag ist gelöscht.", "The entry has been deleted.";
    wl_not_deleted: "Nicht gelöscht: mit dem Eintrag hat sich schon jemand registriert.", "Not deleted: someone has registered with the entry already.";
    wl_number_hint: "Genau so, wie die Person sie kennt (führende Nullen zählen).", "Exactly as the person knows it (leading zeros count).";
    wl_birth_hint: "TT.MM.JJJJ, z. B. 31.03.1990", "DD.MM.YYYY, e.g. 31.03.1990";
    wl_import: "Liste importieren", "Import a list";
    wl_import_intro: "Eine Tabelle (.xlsx, .xls, .ods, .csv) mit einer Kopfzeile: Vorname, Nachname und die verglichenen Angaben (Personalnummer, Geburtsdatum), wahlweise Nutzertyp und Gruppe. Vor der Übernahme zeigt eine Vorschau jede Zeile mit ihrem Ergebnis.", "A spreadsheet (.xlsx, .xls, .ods, .csv) with a header row: first name, last name and the details compared (personnel number, date of birth), optionally user type and group. A preview shows every row with its outcome before anything is taken.";
    wl_import_submit: "Hochladen und prüfen", "Upload and check";
    wl_mapping_title: "Welche Spalte ist was?", "Which column is what?";
    wl_mapping_intro: "Die Spaltentitel der Datei nennen nicht alles, was die Liste braucht. Ordnen Sie die Spalten zu; nötig sind:", "The file's column titles do not name everything the list needs. Say what each column is; needed are:";
    wl_mapping_column: "Spalte", "Column";
    wl_mapping_samples: "Erste Werte", "First values";
    wl_mapping_ignore: "nicht übernehmen", "do not take";
    wl_mapping_submit: "Zuordnen und prüfen", "Map and check";
    wl_mapping_problem: "Diese Angaben brauchen genau eine Spalte:", "These details need exactly one column:";
    wl_state_mapping: "Zuordnung", "Mapping";
    wl_rows: "Zeilen", "Rows";
    wl_rows_new: "neu", "new";
    wl_rows_refused: "nicht übernehmbar", "not importable";
    wl_rows_new_title: "Neue Einträge", "New entries";
    wl_rows_refused_title: "Nicht übernehmbar", "Not importable";
    wl_reason: "Grund", "Reason";
    wl_preview_intro: "Noch steht nichts auf der Liste. „Übernehmen“ setzt alle neuen Einträge auf einmal darauf (oder keinen, falls sich inzwischen etwas geändert hat).", "Nothing is on the list yet. “Take them” puts all new entries on it at once (or none, if something changed meanwhile).";
    wl_commit: "Übernehmen", "Take them";
    wl_discard: "Verwerfen", "Discard";
    wl_undo: "Import rückgängig machen", "Undo the import";
    wl_undo_hint: "Nimmt die Einträge dieses Imports von der Liste, die noch niemand benutzt hat.", "Takes this import's entries off the list that nobody has used yet.";
    wl_imported: "Die Einträge stehen auf der Liste.", "The entries are on the list.";
    wl_import_changed: "Nichts übernommen: die Liste oder die Konten haben sich seit der Vorschau geändert. Bitte die Datei noch einmal hochladen.", "Nothing taken: the list or the accounts have changed since the preview. Please upload the file again.";
    wl_import_discarded: "Verworfen.", "Discarded.";
    wl_import_undone: "Die unbenutzten Einträge des Imports sind entfernt.", "The import's unused entries have been removed.";
    wl_import_undone_nothing: "Nichts entfernt: Mit allen Einträgen des Imports hat sich schon jemand registriert. Der Import gilt als rückgängig gemacht.", "Nothing removed: someone has registered with every entry of the import already. The import counts as undone.";
    wl_state_preview: "Vorschau", "Preview";
    wl_state_imported: "übernommen", "taken";
    wl_state_discarded: "verworfen", "discarded";
    wl_state_undone: "rückgängig gemacht", "undone";
    wl_state_used: "benutzt", "used";
    wl_problem_invalid: "ungültig", "invalid";
    wl_problem_too_long: "zu lang", "too long";
    wl_problem_date_range: "kein mögliches Geburtsdatum", "not a possible date of birth";
    wl_problem_unknown_group: "diese Gruppe gibt es nicht", "no such group";
    wl_problem_one_group: "ein Eintrag bekommt eine Gruppe, nicht mehrere", "an entry gets one group, not several";
    wl_problem_user_type: "unbekannter Nutzertyp (möglich: Mitarbeiter, Extern, Gast)", "unknown user type (possible: Employee, External, Guest)";
    wl_problem_twice: "steht auch in Zeile", "is also in row";
    wl_problem_hidden: "In der Datei ausgeblendet (von Hand, durch einen Filter oder eine Gliederung): nicht übernommen. Wer auf die Liste soll, wird in der Datei eingeblendet und die Datei neu hochgeladen.", "Hidden in the file (manually, by a filter or an outline): not taken. To put the person on the list, show the row in the file and upload it again.";
    wl_entries: "Einträge", "Entries";
    wl_none: "Keine Einträge.", "No entries.";
    wl_search_label: "Suche: Name, Personalnummer", "Search: name, personnel number";
    wl_delete: "Löschen", "Delete";
    register_title: "Registrieren", "Register";
    register_intro: "Ihr Arbeitgeber hat Ihre Angaben hinterlegt. Geben Sie sie genau so ein, wie Sie sie kennen, und wählen Sie, womit Sie sich künftig anmelden.", "Your employer has stored your details. Enter them exactly as you know them, and choose what you will sign in with.";
    register_who: "Ihre Angaben", "Your details";
    register_number_hint: "Steht z. B. auf Ihrer Gehaltsabrechnung.", "It is on your payslip, for example.";
    register_no_match: "Diese Angaben passen zu keinem Eintrag. Prüfen Sie die Schreibweise, oder fragen Sie Ihre Ansprechperson.", "These details match no entry. Check the spelling, or ask your contact person.";
    register_throttled: "Zu viele Versuche. Bitte versuchen Sie es in einer Stunde wieder, oder fragen Sie Ihre Ansprechperson.", "Too many attempts. Please try again in an hour, or ask your contact person.";
    login_register: "Noch kein Konto? Registrieren", "No account yet? Register";
    field_open_registration: "Offene Registrierung: jede Person darf einen Zugang anfragen", "Open registration: anyone may request access";
    open_registration_hint: "Angefragte Konten sind „ausstehend“ und haben keinen Zugang, bis jemand mit dem Recht, Benutzer zu verwalten, sie in der Übersicht genehmigt. Die Anmeldeseite verlinkt dann auf „Zugang anfragen“.", "Requested accounts are “pending” and have no access until someone allowed to manage users approves them on the overview. The sign-in page then links to “Request access”.";
    request_title: "Zugang anfragen", "Request access";
    request_intro: "Ihre Anfrage geht an die Verwaltung. Bis sie genehmigt ist, können Sie sich nicht anmelden.", "Your request goes to the administration. You cannot sign in until it is approved.";
    request_message: "Wer sind Sie? (optional)", "Who are you? (optional)";
    request_message_hint: "Zum Beispiel Abteilung, Standort oder Ihre Ansprechperson: das hilft bei der Entscheidung.", "For example your department, site or contact person: it helps the decision.";
    request_submit: "Anfrage senden", "Send request";
    request_sent_title: "Ihre Anfrage ist eingegangen", "Your request has been received";
    request_sent_text: "Sobald über sie entschieden ist, können Sie sich anmelden – falls sie genehmigt wird. Haben Sie eine E-Mail-Adresse angegeben, kommt die Entscheidung dorthin.", "Once it has been decided you can sign in, if it is approved. If you gave an email address, the decision will be sent there.";
    request_closed_title: "Keine Zugangsanfragen", "No access requests";
    request_closed_text: "Bei dieser Organisation kann man keinen Zugang anfragen. Wenden Sie sich an Ihre Ansprechperson.", "This organisation does not take access requests. Please ask your contact person.";
    request_throttled: "Zu viele Anfragen von diesem Anschluss. Bitte versuchen Sie es in einer Stunde wieder.", "Too many requests from this connection. Please try again in an hour.";
    login_request: "Noch kein Konto? Zugang anfragen", "No account yet? Request access";
    requests_title: "Zugangsanfragen", "Access requests";
    requests_intro: "Diese Menschen haben einen Zugang angefragt. Bis zur Genehmigung können sie sich nicht anmelden; wer eine Adresse angegeben hat, bekommt die Entscheidung per E-Mail.", "These people have requested access. They cannot sign in until approved; whoever gave an address gets the decision by email.";
    requests_more: "Alle ausstehenden anzeigen", "Show all pending";
    requests_at: "Angefragt", "Requested";
    requests_message: "Nachricht", "Message";
    requests_approve: "Genehmigen", "Approve";
    requests_reject: "Ablehnen", "Reject";
    requests_reason: "Grund der Ablehnung (optional, steht in der E-Mail)", "Reason for rejecting (optional, goes into the email)";
    requests_approved: "Genehmigt: die Person kann sich jetzt anmelden.", "Approved: the person can sign in now.";
    requests_rejected: "Abgelehnt.", "Rejected.";
    requests_decided: "Über diese Anfrage ist schon entschieden.", "This request has been decided already.";
    requests_reason_invalid: "Nichts entschieden: der Grund darf höchstens 300 Zeichen lang sein, in einer Zeile, ohne Steuerzeichen.", "Nothing decided: the reason may be at most 300 characters, on one line, without control characters.";
    requests_no_address: "keine E-Mail-Adresse", "no email address";
    question_title: "Möchten Sie eine E-Mail-Adresse hinterlegen?", "Would you like to add an email address?";
    question_why: "Mit einer bestätigten Adresse können Sie ein vergessenes Passwort selbst neu setzen („Passwort vergessen“). Ohne sie geht das nicht: dann hilft nur Ihre Verwaltung.", "With a confirmed address you can reset a forgotten password yourself (“Forgot your password”). Without one you cannot: only your administration can help then.";
    question_how: "Wir schicken Ihnen einen Link; erst wenn Sie ihn öffnen, gilt die Adresse als bestätigt. Eine private Adresse ist in Ordnung.", "We will send you a link; the address counts as confirmed once you open it. A private address is fine.";
    question_save: "Adresse speichern", "Save address";
    question_later: "Jetzt nicht", "Not now";
    question_later_hint: "Sie können die Adresse jederzeit auf Ihrer Seite nachtragen.", "You can add it any time on your page.";
    fe_username_with_email: "Mit einer E-Mail-Adresse melden Sie sich mit ihr an; Ihren Benutzernamen bildet Einlass aus Ihrem Namen. Lassen Sie dieses Feld dann bitte leer.", "With an email address you sign in with it; Einlass makes your username from your name. Please leave this field empty then.";
    request_sign_in_hint: "Eine E-Mail-Adresse oder, wenn Sie keine angeben möchten, ein Benutzername.", "An email address or, if you would rather not give one, a username.";
    request_username_hint: "Nur ohne E-Mail-Adresse. Buchstaben, Ziffern, Punkt, Binde- und Unterstrich.", "Only without an email address. Letters, digits, dot, hyphen and underscore.";
    request_email_hint: "Optional. Die Entscheidung kommt an diese Adresse.", "Optional. The decision will be sent to this address.";
    wl_held_one: "offener Eintrag hat eine Personalnummer, die schon ein Konto trägt: mit ihm kann sich niemand registrieren. Wahrscheinlich ist das Konto schon angelegt; löschen Sie dann den Eintrag.", "open entry has a personnel number an account holds already: nobody can register with it. Most likely the account was created already; then delete the entry.";
    wl_held: "offene Einträge haben eine Personalnummer, die schon ein Konto trägt: mit ihnen kann sich niemand registrieren. Wahrscheinlich ist das Konto schon angelegt; löschen Sie dann den Eintrag.", "open entries have a personnel number an account holds already: nobody can register with them. Most likely the account was created already; then delete the entry.";
    wl_held_by: "Personalnummer schon vergeben an", "personnel number already held by";
    wl_ambiguous: "offene Einträge sind unter diesen Angaben nicht voneinander zu unterscheiden: mit ihren Daten kann sich niemand registrieren, bis einer davon gelöscht ist.", "open entries cannot be told apart by these details: nobody can register with their data until one of them is deleted.";
    wl_show_ambiguous: "Nur diese zeigen", "Show only these";
    wl_only_ambiguous: "Gezeigt werden nur die Einträge, die nicht voneinander zu unterscheiden sind.", "Only the entries that cannot be told apart are shown.";
    wl_show_all: "Alle zeigen", "Show all";
    wl_state_ambiguous: "nicht unterscheidbar", "cannot be told apart";
    fe_email_or_username_needed: "Bitte geben Sie eine E-Mail-Adresse oder einen Benutzernamen an: damit melden Sie sich später an.", "Please enter an email address or a username: you will sign in with it.";
    fe_too_many_attempts: "Zu viele Versuche in kurzer Zeit. Bitte später noch einmal.", "Too many attempts in a short time. Please try again later.";
    fe_formula_start: "Darf nicht mit =, + oder @ beginnen: eine Tabellenkalkulation läse den Namen als Formel (in Importen und Exporten).", "Must not start with =, + or @: a spreadsheet program would read the name as a formula (in imports and exports).";
    refusal_selection_changed: "Die Auswahl hat sich seit der Bestätigung geändert; es wurde nichts ausgeführt. Hier ist sie, wie sie jetzt ist: bitte prüfen und erneut bestätigen.", "The selection has changed since it was confirmed; nothing was done. Here it is as it is now: please check it and confirm again.";
    refusal_too_many: "Zu viele auf einmal: Eine Sammelaktion nimmt höchstens", "Too many at once: a bulk action takes at most";
    refusal_link_dead: "Der Link gilt nicht mehr.", "The link no longer works.";
    delivery_geplant: "geplant", "scheduled";
    delivery_wartend: "wartend", "waiting";
    delivery_gesendet: "gesendet", "sent";
    delivery_fehlgeschlagen: "fehlgeschlagen", "failed";
    delivery_blockiert: "blockiert", "blocked";
    delivery_abgebrochen: "abgebrochen", "cancelled";
    kind_invitation: "Einladung", "Invitation";
    kind_password_reset: "Passwort vergessen", "Forgotten password";
    kind_email_confirmation: "E-Mail bestätigen", "Confirm email";
    kind_reminder: "Erinnerung", "Reminder";
    kind_access_approved: "Zugang genehmigt", "Access approved";
    kind_access_rejected: "Zugang abgelehnt", "Access declined";
    kind_test: "Test", "Test";
    imports_title: "Import", "Import";
    imports_history: "Import-Verlauf", "Import history";
    import_upload_title: "Benutzer aus einer Tabelle importieren", "Import users from a spreadsheet";
    import_upload_intro: "Laden Sie eine Tabelle hoch (.xlsx, .xlsm, .xls, .ods oder .csv). Spalten werden an ihrer Überschrift erkannt, auf Deutsch oder Englisch. Vor dem Import sehen Sie jede Zeile mit ihrem Ergebnis; gespeichert wird erst, wenn Sie bestätigen, und ein Import lässt sich rückgängig machen.", "Upload a spreadsheet (.xlsx, .xlsm, .xls, .ods or .csv). Columns are recognised by their title, in German or English. Before anything is imported you see every row with its outcome; nothing is saved until you confirm, and an import can be undone.";
    import_file: "Datei", "File";
    import_at_most: "Höchstens", "At most";
    import_rows_word: "Zeilen", "rows";
    import_row_word: "Zeile", "row";
    import_mode: "Art des Imports", "Kind of import";
    import_mode_create: "Nur neue Benutzer anlegen", "Create new users only";
    import_mode_update: "Neue anlegen und bestehende aktualisieren (erkannt an der Personalnummer, sonst an der E-Mail-Adresse, sonst am Benutzernamen)", "Create new users and update existing ones (recognised by personnel number, else by email address, else by username)";
    import_upload_button: "Hochladen und prüfen", "Upload and check";
    import_template: "Vorlage herunterladen (.xlsx)", "Download the template (.xlsx)";
    import_template_other: "Vorlage auf Englisch", "Template in German";
    import_history_empty: "Noch keine Importe.", "No imports yet.";
    import_col_when: "Zeitpunkt", "When";
    import_col_by: "Von", "By";
    import_col_state: "Stand", "State";
    import_col_result: "Ergebnis", "Result";
    import_state_datei: "Blatt wählen", "Choose a sheet";
    import_state_zuordnung: "Spalten zuordnen", "Map columns";
    import_state_vorschau: "Vorschau", "Preview";
    import_state_importiert: "Importiert", "Imported";
    import_state_rueckgaengig: "Rückgängig gemacht", "Undone";
    import_state_teilweise: "Teilweise rückgängig gemacht", "Partly undone";
    import_state_verworfen: "Verworfen", "Discarded";
    import_outcome_neu: "Neu", "New";
    import_outcome_aenderung: "Änderung", "Change";
    import_outcome_unveraendert: "Unverändert", "Unchanged";
    import_outcome_fehler: "Fehler", "Error";
    import_error_n: "Fehler", "error";
    import_errors_n: "Fehler", "errors";
    import_sheet_title: "Welches Tabellenblatt?", "Which sheet?";
    import_sheet_intro: "Die Datei hat mehrere Tabellenblätter. Ein Import liest eines davon: Wählen Sie das mit den Benutzern. Stehen Benutzer auf mehreren Blättern, importieren Sie jedes Blatt für sich (die Datei danach erneut hochladen und das nächste wählen).", "The file has several sheets. An import reads one of them: choose the one with the users. If users are on several sheets, import each sheet on its own (upload the file again afterwards and choose the next).";
    import_sheet_again_intro: "Wählen Sie ein anderes Tabellenblatt. Seine Spalten werden neu erkannt; die Zuordnung und Vorschau des bisherigen Blatts entfallen.", "Choose another sheet. Its columns are recognised anew; the mapping and preview of the current sheet are dropped.";
    import_sheet_other: "Anderes Tabellenblatt wählen", "Choose another sheet";
    import_sheet_is_empty: "Dieses Tabellenblatt ist leer. Wählen Sie das mit den Benutzern.", "This sheet is empty. Choose the one with the users.";
    import_hidden_found: "Ausgeblendete Zeilen in der Datei (von Hand, durch einen Filter oder eine zugeklappte Gliederung):", "Hidden rows in the file (manually, by a filter or in a collapsed outline):";
    import_hidden_included: "Sie werden wie alle anderen importiert und sind unten markiert.", "They are imported like all others and marked below.";
    import_hidden_skip: "Ausgeblendete Zeilen nicht importieren", "Do not import hidden rows";
    import_hidden_skipped: "Ausgeblendete Zeilen werden nicht importiert:", "Hidden rows are not imported:";
    import_hidden_include: "Ausgeblendete Zeilen doch importieren", "Import hidden rows too";
    import_row_hidden: "ausgeblendet", "hidden";
    import_lines: "Zeilen", "rows";
    import_line_word: "Zeile", "row";
    import_sheet_keep: "Beim bisherigen Blatt bleiben", "Keep the current sheet";
    import_sheet_empty: "(leer)", "(empty)";
    import_continue: "Weiter", "Continue";
    import_mapping_title: "Spalten zuordnen", "Map columns";
    import_password_never_read: "Passwortspalte: wird nie gelesen", "Password column: never read";
    import_mapping_intro: "Ordnen Sie jeder Spalte ein Feld zu; Spalten ohne Feld werden nicht importiert. Spalten, die wie ein Passwort heißen, werden nie gelesen: Importierte Benutzer bekommen Einladungen, kein Passwort aus einer Datei.", "Assign a field to each column; columns without a field are not imported. Columns named like a password are never read: imported users get invitations, not a password from a file.";
    import_mapping_names_create: "Vorname und Nachname sind nötig.", "First and last name are needed.";
    import_mapping_names_update: "Vorname und Nachname sind nötig, außer eine Spalte findet die Personen (Personalnummer, E-Mail oder Benutzername). Dann ändert eine Zeile ohne Namen keinen Namen; nur eine Zeile, die niemanden findet und also eine neue Person anlegt, braucht ihn.", "First and last name are needed, unless a column finds the people (personnel number, email or username). A row without a name then changes no name; only a row that finds nobody, and so creates a new person, needs one.";
    import_header_row: "Zeile mit den Spaltenüberschriften", "Row with the column titles";
    import_no_header: "Keine – die Daten beginnen in der ersten Zeile", "None – the data starts in the first row";
    import_line: "Zeile", "Row";
    import_column: "Spalte", "Column";
    import_column_title: "Überschrift", "Title";
    import_examples: "Beispiele", "Examples";
    import_field: "Feld", "Field";
    import_not_imported: "— nicht importieren —", "— do not import —";
    import_mapping_missing: "Keine Spalte für", "No column for";
    import_mapping_twice: "Mehr als eine Spalte für", "More than one column for";
    import_mapping_doubled: "Mehrere Spalten heißen wie das Feld", "Several columns are titled like the field";
    import_mapping_doubled_choose: "Übernommen wird nur die Spalte, der Sie das Feld zuordnen. Bitte prüfen Sie, ob es die richtige ist.", "Only the column you map to the field is imported. Please check that it is the right one.";
    import_preview_title: "Vorschau", "Preview";
    import_preview_intro: "Noch ist nichts gespeichert. Zeilen mit Fehlern werden nicht importiert; alle anderen werden in einem Schritt übernommen – oder keine.", "Nothing has been saved yet. Rows with errors are not imported; all others are taken over in one step – or none.";
    import_update_intro: "Beim Aktualisieren ändern nur gefüllte Zellen etwas: Eine leere Zelle lässt den Wert der Person, wie er ist (auch beim Namen; nur wer neu angelegt wird, braucht Vor- und Nachname), und Gruppen und Bereiche kommen nur hinzu, keine wird entfernt.", "When updating, only filled cells change anything: an empty cell leaves the person's value as it is (names too; only someone created anew needs a first and last name), and groups and areas are only added, none is taken away.";
    import_sheet: "Blatt", "Sheet";
    import_total: "Zeilen", "Rows";
    import_columns_read: "Gelesene Spalten", "Columns read";
    import_columns_ignored: "Nicht importierte Spalten", "Columns not imported";
    import_change_mapping: "Zuordnung ändern", "Change the mapping";
    import_create_missing: "Fehlende Gruppen und Bereiche beim Import anlegen", "Create missing groups and areas with the import";
    import_to_create: "Mit dem Import werden angelegt:", "Created with the import:";
    import_create_missing_off: "Doch nicht anlegen", "Do not create them";
    import_apply: "Übernehmen", "Apply";
    import_commit_button: "Jetzt importieren", "Import now";
    import_commit_none: "Keine Zeile kann übernommen werden.", "No row can be taken over.";
    import_commit_unchanged: "Nichts zu ändern: Jede Zeile stimmt schon mit ihrem Konto überein.", "Nothing to change: every row matches its account already.";
    import_errors_download: "Fehlerliste herunterladen (.xlsx)", "Download the list of errors (.xlsx)";
    import_discard: "Import verwerfen", "Discard the import";
    import_problems: "Hinweise", "Notes";
    import_filter_outcome: "Zeilen", "Rows";
    import_rows_shown: "Zeilen", "Rows";
    import_more_rows: "Weitere Zeilen", "More rows";
    import_no_rows: "Hier sind keine Zeilen: Die Datei enthält unter den Spaltentiteln keine Daten, oder keine Zeile hat dieses Ergebnis.", "There are no rows here: the file has no data below its column titles, or no row has this outcome.";
    import_first_rows: "Zum Anfang", "To the start";
    import_stale_rows: "Anders als zuvor: Zeile", "Different from before: line";
    import_stale_rows_many: "Anders als zuvor: Zeilen", "Different from before: lines";
    import_stale_rows_more: "und", "and";
    import_stale_rows_more_end: "weitere", "more";
    import_stale: "Seit der Vorschau hat sich etwas geändert (eine Adresse, ein Benutzername, eine Gruppe oder eine Person, die der Import ändert). Die Vorschau wurde neu erstellt – bitte prüfen Sie sie und bestätigen Sie erneut. Es wurde nichts gespeichert.", "Something changed since the preview (an address, a username, a group or a person the import changes). The preview was made again – please check it and confirm again. Nothing was saved.";
    import_older_mapping: "Diese Seite zeigte eine ältere Zuordnung: Die Vorschau wurde inzwischen neu erstellt (nach „Zurück“, in einem anderen Fenster oder von jemand anderem). Hier ist die aktuelle – ändern Sie die Zuordnung bei Bedarf erneut. Es wurde nichts geändert.", "This page showed an older mapping: the preview has been made again since (after “Back”, in another window or by someone else). Here is the current one – change the mapping again if needed. Nothing was changed.";
    import_older_page: "Diese Seite zeigte eine ältere Vorschau: Sie wurde inzwischen neu erstellt (in einem anderen Fenster oder von jemand anderem). Hier ist die aktuelle – bitte prüfen Sie sie und bestätigen Sie erneut. Es wurde nichts gespeichert.", "This page showed an older preview: it has been made again since (in another window or by someone else). Here is the current one – please check it and confirm again. Nothing was saved.";
    import_created_n: "angelegt", "created";
    import_updated_n: "aktualisiert", "updated";
    import_removed_n: "entfernt", "removed";
    import_kept_n: "behalten (schon aktiviert oder mit einer Administratorrolle über der des Rückgängig-Machenden)", "kept (already activated, or holding an admin role above the undoing admin's)";
    import_restored_n: "ganz auf die vorigen Werte zurückgesetzt", "wholly set back to their previous values";
    import_unrestored_n: "ganz oder teilweise belassen (Werte seit dem Import geändert, der vorige Wert inzwischen bei einem anderen Konto, oder eine Administratorrolle über der des Rückgängig-Machenden)", "left wholly or partly as they were (values changed since the import, the previous value held by another account by now, or an admin role above the undoing admin's)";
    import_undo_changed_since_one: "geänderter Benutzer behält Werte, die seit dem Import geändert wurden (etwa von einem späteren Import, im Formular oder bei den Gruppen und Bereichen) oder deren voriger Wert inzwischen einem anderen Konto gehört; seine übrigen Werte kommen zurück.", "changed user keeps values changed since the import (by a later import, in the form or in groups and areas, say) or whose previous value another account holds by now; the other values come back.";
    import_undo_changed_since: "geänderte Benutzer behalten Werte, die seit dem Import geändert wurden (etwa von einem späteren Import, im Formular oder bei den Gruppen und Bereichen) oder deren voriger Wert inzwischen einem anderen Konto gehört; ihre übrigen Werte kommen zurück.", "changed users keep values changed since the import (by a later import, in the form or in groups and areas, say) or whose previous value another account holds by now; their other values come back.";
    import_undo_edited: "Seit Sie die Seite geöffnet haben, wurden Personen aus diesem Import geändert: ihre Änderungen gingen mit dem Rückgängigmachen verloren oder blieben stehen. Es wurde noch nichts rückgängig gemacht; prüfen Sie die Angaben unten und bestätigen Sie erneut.", "Since you opened this page, people from this import have been changed: their changes would be lost with the undo, or stay. Nothing has been undone yet; check the figures below and confirm again.";
    import_undo_changed: "Seit Sie die Seite geöffnet haben, hat jemand aus diesem Import sein Konto aktiviert. Es wurde noch nichts rückgängig gemacht; prüfen Sie die Angaben unten und bestätigen Sie erneut.", "Since you opened this page, someone from this import has activated their account. Nothing has been undone yet; check the figures below and confirm again.";
    import_back_to_batch: "Zurück zum Import", "Back to the import";
    import_invite_title: "Aktivierungs-E-Mails", "Activation emails";
    import_invite_intro: "Noch nicht eingeladen von den neu angelegten Benutzern:", "Not invited yet of the users created:";
    import_invite_next: "Der nächste Schritt zeigt, wer eine E-Mail bekommt und wer nicht (z. B. ohne Adresse), und lässt Sie den Versand auch für später planen.", "The next step shows who gets an email and who does not (e.g. without an address), and lets you schedule sending for later, too.";
    import_invite_now: "Aktivierungs-E-Mails senden …", "Send activation emails …";
    import_invite_later: "Später: Sie finden den Import jederzeit im Import-Verlauf.", "Later: you find the import in the import history at any time.";
    import_show_users: "Angelegte Benutzer anzeigen", "Show the users it created";
    import_undo: "Import rückgängig machen", "Undo the import";
    import_undo_intro: "Entfernt genau die Benutzer, die dieser Import angelegt hat, mit ihren Einladungen, Links und nicht gesendeten E-Mails, und gibt geänderten Benutzern ihre vorigen Werte zurück.", "Removes exactly the users this import created, with their invitations, links and unsent emails, and gives changed users their previous values back.";
    import_undo_removes: "Benutzer werden entfernt.", "users will be removed.";
    import_undo_removes_one: "Benutzer wird entfernt.", "user will be removed.";
    import_undo_removes_changed: "davon seit dem Import geändert (von Hand oder durch einen späteren Import) – diese Änderungen gehen dabei verloren.", "of them changed since the import (by hand or by a later import) – those changes are lost with them.";
    import_undo_restores_one: "geänderter Benutzer erhält alle vorigen Werte zurück.", "changed user gets all previous values back.";
    import_undo_kept_one: "Benutzer hat sein Konto schon aktiviert und bleibt:", "user has activated the account already and stays:";
    import_undo_above_role: "Benutzer haben eine Administratorrolle über Ihrer eigenen und bleiben, wie der Import sie angelegt oder geändert hat. Soll auch das zurückgenommen werden, lassen Sie den Import von jemandem rückgängig machen, der sie ändern darf: Ein Import wird nur einmal rückgängig gemacht.", "users hold an admin role above your own and stay as the import created or changed them. If that is to be undone too, let someone allowed to change them undo the import: an import is undone only once.";
    import_undo_above_role_one: "Benutzer hat eine Administratorrolle über Ihrer eigenen und bleibt, wie der Import ihn angelegt oder geändert hat. Soll auch das zurückgenommen werden, lassen Sie den Import von jemandem rückgängig machen, der ihn ändern darf: Ein Import wird nur einmal rückgängig gemacht.", "user holds an admin role above your own and stays as the import created or changed them. If that is to be undone too, let someone allowed to change them undo the import: an import is undone only once.";
    import_undo_restores: "geänderte Benutzer erhalten alle vorigen Werte zurück.", "changed users get all their previous values back.";
    import_undo_kept: "Benutzer haben ihr Konto schon aktiviert und bleiben:", "users have activated their account already and stay:";
    import_undo_more_kept: "weitere", "more";
    import_undo_and: "und", "and";
    import_undo_rest: "Den Rest rückgängig machen", "Undo the rest";
    import_undo_done: "Import rückgängig gemacht.", "Import undone.";
    import_undo_closed: "Dieser Import kann nicht (mehr) rückgängig gemacht werden.", "This import cannot be undone (any more).";
    import_undone_by: "Rückgängig gemacht", "Undone";
    import_committed_at: "Importiert", "Imported";
    import_uploaded_at: "Hochgeladen", "Uploaded";
    import_uploaded_by: "hochgeladen von", "uploaded by";
    import_format: "Format", "Format";
    import_users_from: "aus Import", "from import";
    re_unknown_format: "Das Dateiformat wird nicht erkannt. Erlaubt sind .xlsx, .xlsm, .xls, .ods und .csv.", "The file format is not recognised. Allowed are .xlsx, .xlsm, .xls, .ods and .csv.";
    re_password: "Die Datei ist mit einem Passwort geschützt. Speichern Sie sie ohne Passwort und laden Sie sie erneut hoch.", "The file is protected by a password. Save it without a password and upload it again.";
    re_unclosed_quote: "Ein Wert beginnt mit einem Anführungszeichen (\"), das bis zum Ende der Datei nicht geschlossen wird: Der Rest der Datei wäre ein einziger Wert. Bitte schließen oder entfernen Sie das Anführungszeichen in Zeile", "A value starts with a double quote (\") that is not closed before the end of the file: the rest of the file would be one value. Please close or remove the quote on line";
    re_damaged: "Die Datei ist beschädigt oder nicht, was sie zu sein vorgibt.", "The file is damaged or not what it claims to be.";
    re_too_large: "Die Datei ist zu groß", "The file is too large";
    re_unpacked: "Die Datei ist entpackt zu groß", "The file is too large when unpacked";
    re_parts: "Die Datei besteht aus zu vielen Teilen", "The file consists of too many parts";
    re_rows: "Die Tabelle hat zu viele Zeilen", "The sheet has too many rows";
    re_columns: "Die Tabelle hat Inhalte in zu vielen Spalten", "The sheet has content in too many columns";
    re_cells: "Die Tabelle hat zu viele gefüllte Zellen", "The sheet has too many filled cells";
    re_text: "Die Tabelle enthält zu viel Text", "The sheet holds too much text";
    re_no_sheet: "Dieses Tabellenblatt gibt es in der Datei nicht.", "The file has no such sheet.";
    re_empty: "Die Datei ist leer: kein Tabellenblatt mit Inhalt.", "The file is empty: no sheet with content.";
    re_only_hidden: "Kein sichtbares Tabellenblatt der Datei hat Inhalt. Ausgeblendete Blätter liest der Import nicht; ausgeblendet sind:", "No visible sheet of the file has content. The import does not read hidden sheets; hidden are:";
    re_only_hidden_do: "Blenden Sie das Blatt mit den Personen ein (Rechtsklick auf ein Blattregister, „Einblenden“), speichern Sie und laden Sie die Datei erneut hoch.", "Unhide the sheet with the people (right-click a sheet tab, “Unhide”), save, and upload the file again.";
    re_no_file: "Bitte wählen Sie eine Datei aus.", "Please choose a file.";
    re_limit: "Die Datei konnte nicht in der erlaubten Zeit und mit dem erlaubten Speicher gelesen werden. Ist sie ungewöhnlich groß oder beschädigt?", "The file could not be read within the allowed time and memory. Is it unusually large or damaged?";
    re_failed: "Die Datei konnte nicht gelesen werden (interner Fehler, siehe Server-Protokoll).", "The file could not be read (internal error, see the server log).";
    re_nothing_saved: "Es wurde nichts gespeichert.", "Nothing was saved.";
    pr_formula: "beginnt mit =, + oder @ wie eine Formel (ist es Text, entfernen Sie das Zeichen am Anfang; ist es eine Formel ohne gespeichertes Ergebnis, öffnen und speichern Sie die Datei in Excel oder LibreOffice)", "starts with =, + or @ like a formula (if it is text, remove that first character; if it is a formula without a stored result, open and save the file in Excel or LibreOffice)";
    import_zeros_hint: "Diese Datei ist im Format .xls (oder .xlsb), das Zahlen ohne ihr Format speichert: Eine Personalnummer 00123 kommt als 123 an. Haben Ihre Personalnummern führende Nullen, speichern Sie die Datei in Excel oder LibreOffice als .xlsx und laden Sie sie erneut hoch. Bestehende Konten mit 00123 werden auch mit 123 gefunden.", "This file is in the .xls (or .xlsb) format, which stores numbers without their format: a personnel number 00123 arrives as 123. If your personnel numbers have leading zeros, save the file as .xlsx in Excel or LibreOffice and upload it again. Existing accounts with 00123 are found by 123 too.";
    fe_changed_meanwhile: "Jemand hat diese Person geändert, während Sie das Formular bearbeitet haben. Die Felder zeigen Ihre Eingaben, die Seite der Person die gespeicherten Werte: Prüfen Sie und speichern Sie erneut.", "Someone changed this person while you were editing the form. The fields show your entries, the person's page the saved values: check them and save again.";
    fe_being_changed: "Diese Person wird gerade anderweitig geändert (zum Beispiel von einem Import). Nichts wurde gespeichert; Ihre Eingaben stehen noch im Formular: Bitte speichern Sie in einem Moment noch einmal.", "This person is being changed elsewhere right now (an import, for example). Nothing was saved; your entries are still in the form: please save again in a moment.";
    wl_zeros_hint_csv: "Eine CSV-Datei, die Excel gespeichert hat, enthält Personalnummern ohne führende Nullen: 00123 steht dann als 123 auf der Liste, und wer sich mit 00123 registriert, wird nicht erkannt. Haben Ihre Personalnummern führende Nullen, prüfen Sie die Nummern unten: Fehlen die Nullen, verwerfen Sie diesen Import und laden Sie die Liste als .xlsx hoch.", "A CSV file saved by Excel holds personnel numbers without their leading zeros: 00123 is then on the list as 123, and someone who registers with 00123 is not recognised. If your personnel numbers have leading zeros, check the numbers below: if the zeros are missing, discard this import and upload the list as .xlsx.";
    wl_zeros_hint: "Diese Datei ist im Format .xls (oder .xlsb), das Zahlen ohne ihr Format speichert: Eine Personalnummer 00123 steht dann als 123 auf der Liste, und wer sich mit 00123 registriert, wird nicht erkannt. Haben Ihre Personalnummern führende Nullen, verwerfen Sie diesen Import, speichern Sie die Datei in Excel oder LibreOffice als .xlsx und laden Sie sie erneut hoch.", "This file is in the .xls (or .xlsb) format, which stores numbers without their format: a personnel number 00123 is then on the list as 123, and someone who registers with 00123 is not recognised. If your personnel numbers have leading zeros, discard this import, save the file as .xlsx in Excel or LibreOffice and upload it again.";
    pr_error_value: "enthält statt eines Werts den Fehlerwert einer Formel (berichtigen Sie die Formel in der Datei oder tragen Sie den Wert ein)", "holds a formula's error value instead of a value (fix the formula in the file or enter the value)";
    pr_converted_value: "ist ein Datum, eine Uhrzeit oder ein Wahrheitswert, keine Nummer: die Tabellenkalkulation hat die Eingabe umgewandelt (formatieren Sie die Spalte als Text und geben Sie die Nummern neu ein, oder ordnen Sie die richtige Spalte zu)", "is a date, a time or a truth value, not a number: the spreadsheet converted what was typed (format the column as text and enter the numbers again, or map the right column)";
    pr_shortened_number: "hat mehr Stellen, als die Tabelle speichert: die letzten sind verloren (formatieren Sie die Spalte als Text und geben Sie die Nummern neu ein)", "has more digits than the spreadsheet keeps: the last ones are lost (format the column as text and enter the numbers again)";
    pr_salutation: "unbekannte Anrede", "unknown salutation";
    pr_user_type: "unbekannter Nutzertyp", "unknown user type";
    pr_groups: "Gruppe gibt es nicht", "no such group";
    pr_areas: "Bereich gibt es nicht", "no such area";
    pr_groups_uncreatable: "Gruppe kann so nicht angelegt werden (höchstens 80 Zeichen, nicht mit =, + oder @ am Anfang)", "group cannot be created by this name (at most 80 characters, not starting with =, + or @)";
    pr_areas_uncreatable: "Bereich kann so nicht angelegt werden (höchstens 80 Zeichen, nicht mit =, + oder @ am Anfang)", "area cannot be created by this name (at most 80 characters, not starting with =, + or @)";
    pr_duplicate: "doppelt in der Datei, auch in Zeile", "twice in the file, also in row";
    re_several_sheets: "Mehrere Tabellenblätter der Datei enthalten Einträge. Die Liste liest ein Blatt: Speichern Sie jedes Blatt als eigene Datei und laden Sie sie nacheinander hoch, damit niemand fehlt", "Several sheets of the file hold entries. The list reads one sheet: save each sheet as a file of its own and upload them one after the other, so that nobody is left out";
    pr_padded_taken: "gehört mit führenden Nullen schon einem Konto (die Tabelle hat sie wohl entfernt; formatieren Sie die Spalte als Text):", "belongs with leading zeros to an account already (the spreadsheet probably dropped them; format the column as text):";
    q_open: "„", "“";
    q_close: "“", "”";
    pr_taken: "schon vergeben an ein anderes Konto", "already used by another account";
    pr_email_confirmed: "Die Adresse ist vom Benutzer bestätigt und lässt sich per Import nicht ändern.", "The address is confirmed by its owner and cannot be changed by import.";
    pr_two_people: "Personalnummer und E-Mail-Adresse gehören zu zwei verschiedenen Konten.", "Personnel number and email address belong to two different accounts.";
    pr_found_nobody: "Findet kein Konto (weder über Personalnummer noch E-Mail-Adresse oder Benutzername) und nennt keinen Namen: Als neue Person bräuchte die Zeile Vor- und Nachname.", "Finds no account (by personnel number, email address or username) and gives no name: as a new person the row would need a first and last name.";
    pr_same_person: "Dieselbe Person ändert auch Zeile", "The same person is changed by row";
    pr_invitation_withdrawn: "Seine laufende Einladung an die bisherige Adresse wird zurückgezogen (danach neu einladen; ein Rückgängigmachen lädt nicht wieder ein).", "The live invitation to the previous address is withdrawn (invite again afterwards; an undo does not invite again).";
    pr_above_role: "Das Konto steht über Ihrer Rolle.", "The account is above your role.";
    users_import: "Importieren", "Import";
    export_email_confirmed: "E-Mail bestätigt", "Email confirmed";
    export_invitation: "Einladung", "Invitation";
    export_invitation_until: "Einladung gültig bis", "Invitation valid until";
    export_activated: "Aktiviert am", "Activated";
    export_sheet: "Nutzerkartei", "Users";
    export_file: "Nutzerkartei", "users";
    import_done: "Import abgeschlossen.", "Import done.";
    import_discarded: "Die Vorschau wurde verworfen; es wurde nichts gespeichert.", "The preview was discarded; nothing was saved.";
    users_export: "Exportieren (.xlsx)", "Export (.xlsx)";
}

impl Texts {
    pub fn status(&self, s: UserStatus) -> &'static str {
        match s {
            UserStatus::Angelegt => self.status_angelegt,
            UserStatus::Eingeladen => self.status_eingeladen,
            UserStatus::Aktiv => self.status_aktiv,
            UserStatus::Inaktiv => self.status_inaktiv,
            UserStatus::Widerrufen => self.status_widerrufen,
            UserStatus::Ausstehend => self.status_ausstehend,
            UserStatus::Abgelehnt => self.status_abgelehnt,
            UserStatus::Deaktiviert => self.status_deaktiviert,
        }
    }

    pub fn role(&self, r: AdminRole) -> &'static str {
        match r {
            AdminRole::Administrator => self.role_administrator,
            AdminRole::Benutzerverwaltung => self.role_benutzerverwaltung,
            AdminRole::Lesezugriff => self.role_lesezugriff,
        }
    }

    pub fn salutation(&self, s: Salutation) -> &'static str {
        match s {
            Salutation::Frau => self.salutation_frau,
            Salutation::Herr => self.salutation_herr,
            Salutation::Divers => self.salutation_divers,
        }
    }

    pub fn user_type(&self, t: UserType) -> &'static str {
        match t {
            UserType::Mitarbeiter => self.user_type_mitarbeiter,
            UserType::Extern => self.user_type_extern,
            UserType::Gast => self.user_type_gast,
        }
    }

    pub fn area_role(&self, r: AreaRole) -> &'static str {
        match r {
            AreaRole::Mitglied => self.area_role_mitglied,
            AreaRole::Redaktion => self.area_role_redaktion,
            AreaRole::Leitung => self.area_role_leitung,
        }
    }

    /// An audit entry as a sentence: `{actor}`, `{target}` and `{member}`
    /// stand for the names (the page links them where it can).
    pub fn audit_sentence(&self, action: &str) -> &'static str {
        let de = self.html_lang == "de";
        let pick = |d: &'static str, e: &'static str| if de { d } else { e };
        match action {
            "auth.login" => pick("{actor} hat sich angemeldet.", "{actor} signed in."),
            "account.password_change" => pick(
                "{actor} hat das eigene Passwort geändert.",
                "{actor} changed their own password.",
            ),
            "user.create" => pick(
                "{actor} hat {target} angelegt.",
                "{actor} created {target}.",
            ),
            "user.update" => pick(
                "{actor} hat {target} geändert.",
                "{actor} changed {target}.",
            ),
            "user.deactivate" => pick(
                "{actor} hat {target} deaktiviert.",
                "{actor} deactivated {target}.",
            ),
            "user.reactivate" => pick(
                "{actor} hat {target} reaktiviert.",
                "{actor} reactivated {target}.",
            ),
            "user.delete" => pick(
                "{actor} hat {target} gelöscht.",
                "{actor} deleted {target}.",
            ),
            "user.areas" => pick(
                "{actor} hat die Bereiche von {target} geändert.",
                "{actor} changed the areas of {target}.",
            ),
            "user.photo_set" => pick(
                "{actor} hat ein Foto von {target} hochgeladen.",
                "{actor} uploaded a photo of {target}.",
            ),
            "user.photo_remove" => pick(
                "{actor} hat das Foto von {target} entfernt.",
                "{actor} removed the photo of {target}.",
            ),
            "user.start_password" => pick(
                "{actor} hat {target} ein neues Startpasswort vergeben.",
                "{actor} issued a new start password to {target}.",
            ),
            "group.create" => pick(
                "{actor} hat die Gruppe {target} angelegt.",
                "{actor} created the group {target}.",
            ),
            "group.rename" => pick(
                "{actor} hat die Gruppe {target} umbenannt.",
                "{actor} renamed the group {target}.",
            ),
            "group.delete" => pick(
                "{actor} hat die Gruppe {target} gelöscht.",
                "{actor} deleted the group {target}.",
            ),
            "group.member_add" => pick(
                "{actor} hat {member} zur Gruppe {target} hinzugefügt.",
                "{actor} added {member} to the group {target}.",
            ),
            "group.member_remove" => pick(
                "{actor} hat {member} aus der Gruppe {target} entfernt.",
                "{actor} removed {member} from the group {target}.",
            ),
            "area.create" => pick(
                "{actor} hat den Bereich {target} angelegt.",
                "{actor} created the area {target}.",
            ),
            "area.rename" => pick(
                "{actor} hat den Bereich {target} umbenannt.",
                "{actor} renamed the area {target}.",
            ),
            "area.delete" => pick(
                "{actor} hat den Bereich {target} gelöscht.",
                "{actor} deleted the area {target}.",
            ),
            "area.member_add" => pick(
                "{actor} hat {member} dem Bereich {target} zugeordnet.",
                "{actor} assigned {member} to the area {target}.",
            ),
            "area.member_remove" => pick(
                "{actor} hat {member} aus dem Bereich {target} entfernt.",
                "{actor} removed {member} from the area {target}.",
            ),
            "user.invite" => pick(
                "{actor} hat {target} eingeladen.",
                "{actor} invited {target}.",
            ),
            "user.invite_renew" => pick(
                "{actor} hat die Einladung von {target} erneuert.",
                "{actor} renewed the invitation of {target}.",
            ),
            "user.invite_qr" => pick(
                "{actor} hat für {target} einen Einladungslink als QR-Code erzeugt.",
                "{actor} made an invitation link as a QR code for {target}.",
            ),
            "user.invite_revoke" => pick(
                "{actor} hat die Einladung von {target} widerrufen.",
                "{actor} revoked the invitation of {target}.",
            ),
            "user.activate" => pick(
                "{actor} hat den Zugang aktiviert.",
                "{actor} activated the account.",
            ),
            "user.invite_reminder" => pick(
                "{target} wurde an die Einladung erinnert.",
                "{target} was reminded of the invitation.",
            ),
            "user.invitation_expired" => pick(
                "Die Einladung von {target} ist abgelaufen.",
                "The invitation of {target} expired.",
            ),
            "user.reactivation_lapsed" => pick(
                "{target} hat sich nach der Reaktivierung nicht bis Mitternacht angemeldet.",
                "{target} did not sign in by midnight after being reactivated.",
            ),
            "account.password_reset" => pick(
                "{actor} hat mit „Passwort vergessen“ ein neues Passwort gesetzt.",
                "{actor} set a new password through “Forgot your password”.",
            ),
            "account.email_added" => pick(
                "{actor} hat eine E-Mail-Adresse hinterlegt.",
                "{actor} added an email address.",
            ),
            "account.email_confirmed" => pick(
                "{actor} hat die E-Mail-Adresse bestätigt.",
                "{actor} confirmed the email address.",
            ),
            "import.commit" => pick(
                "{actor} hat die Datei {target} importiert.",
                "{actor} imported the file {target}.",
            ),
            "import.undo" => pick(
                "{actor} hat den Import der Datei {target} rückgängig gemacht.",
                "{actor} undid the import of the file {target}.",
            ),
            "user.import_update" => pick(
                "{actor} hat {target} per Import geändert.",
                "{actor} changed {target} by import.",
            ),
            "user.import_restore" => pick(
                "{actor} hat die Import-Änderungen an {target} zurückgenommen.",
                "{actor} took back the import's changes to {target}.",
            ),
            "task.invite_created" => pick(
                "{actor} hat alle neu angelegten Benutzer eingeladen (Auftrag {target}).",
                "{actor} invited all newly created users (task {target}).",
            ),
            "task.invite" => pick(
                "{actor} hat ausgewählte Benutzer eingeladen (Auftrag {target}).",
                "{actor} invited chosen users (task {target}).",
            ),
            "task.resend" => pick(
                "{actor} hat ausgewählten Benutzern die Einladung erneut gesendet (Auftrag {target}).",
                "{actor} sent chosen users their invitation again (task {target}).",
            ),
            "task.revoke" => pick(
                "{actor} hat die Einladungen ausgewählter Benutzer widerrufen (Auftrag {target}).",
                "{actor} revoked the invitations of chosen users (task {target}).",
            ),
            "task.reactivate" => pick(
                "{actor} hat ausgewählte Benutzer reaktiviert (Auftrag {target}).",
                "{actor} reactivated chosen users (task {target}).",
            ),
            "task.deactivate" => pick(
                "{actor} hat ausgewählte Benutzer deaktiviert (Auftrag {target}).",
                "{actor} deactivated chosen users (task {target}).",
            ),
            "task.delete" => pick(
                "{actor} hat ausgewählte Benutzer gelöscht (Auftrag {target}).",
                "{actor} deleted chosen users (task {target}).",
            ),
            "task.letters" => pick(
                "{actor} hat QR-Briefe für ausgewählte Benutzer gedruckt (Auftrag {target}).",
                "{actor} printed QR letters for chosen users (task {target}).",
            ),
            "mail.resend" => pick(
                "{actor} hat eine E-Mail an {target} erneut gesendet.",
                "{actor} sent an email to {target} again.",
            ),
            "access_links.create" => pick(
                "{actor} hat die Zugangslinks {target} erstellt.",
                "{actor} created the access links {target}.",
            ),
            "access_links.revoke" => pick(
                "{actor} hat Zugangslinks aus {target} widerrufen.",
                "{actor} revoked access links of {target}.",
            ),
            "user.register_access_link" => pick(
                "{actor} hat sich mit einem Zugangslink registriert.",
                "{actor} registered with an access link.",
            ),
            "user.register_whitelist" => pick(
                "{actor} hat sich über die Registrierungsliste registriert.",
                "{actor} registered through the registration list.",
            ),
            "user.request_access" => pick(
                "{actor} hat einen Zugang angefragt.",
                "{actor} requested access.",
            ),
            "user.approve" => pick(
                "{actor} hat die Zugangsanfrage von {target} genehmigt.",
                "{actor} approved the access request of {target}.",
            ),
            "user.reject" => pick(
                "{actor} hat die Zugangsanfrage von {target} abgelehnt.",
                "{actor} rejected the access request of {target}.",
            ),
            "whitelist.add" => pick(
                "{actor} hat {target} auf die Registrierungsliste gesetzt.",
                "{actor} put {target} on the registration list.",
            ),
            "whitelist.delete" => pick(
                "{actor} hat {target} von der Registrierungsliste gelöscht.",
                "{actor} deleted {target} from the registration list.",
            ),
            "whitelist.import" => pick(
                "{actor} hat eine Liste in die Registrierung importiert ({target}).",
                "{actor} imported a list into the registration ({target}).",
            ),
            "whitelist.import_undo" => pick(
                "{actor} hat den Import {target} der Registrierungsliste rückgängig gemacht.",
                "{actor} undid the registration list's import {target}.",
            ),
            "mail.template_save" => pick(
                "{actor} hat die E-Mail-Vorlage {target} geändert.",
                "{actor} changed the email template {target}.",
            ),
            "mail.template_reset" => pick(
                "{actor} hat die E-Mail-Vorlage {target} auf den Standard zurückgesetzt.",
                "{actor} reset the email template {target} to standard.",
            ),
            "mail.unblock" => pick(
                "{actor} hat die Adresse {target} entsperrt.",
                "{actor} unblocked the address {target}.",
            ),
            "settings.update" => pick(
                "{actor} hat die Einstellungen geändert.",
                "{actor} changed the settings.",
            ),
            "settings.base_url_from_environment" => pick(
                "Die öffentliche Adresse wurde aus EINLASS_PUBLIC_BASE_URL übernommen.",
                "The public address was taken from EINLASS_PUBLIC_BASE_URL.",
            ),
            "settings.logo" => pick(
                "{actor} hat das Logo hochgeladen.",
                "{actor} uploaded the logo.",
            ),
            "settings.logo_removed" => pick(
                "{actor} hat das Logo entfernt.",
                "{actor} removed the logo.",
            ),
            "settings.base_url_from_bind" => pick(
                "Die öffentliche Adresse folgt der Adresse, unter der Einlass läuft (EINLASS_BIND; niemand hat eine gewählt).",
                "The public address follows the address Einlass runs at (EINLASS_BIND; nobody chose one).",
            ),
            _ => pick("{actor}: {target}", "{actor}: {target}"),
        }
    }

    /// The language of this catalogue, for numbers and dates.
    fn language(&self) -> Language {
        if self.html_lang == "de" {
            Language::De
        } else {
            Language::En
        }
    }

    /// The notice after a commit found the preview stale, naming the rows
    /// the new preview shows otherwise.
    pub fn import_stale_lines(&self, lines: &[u32], count: usize) -> String {
        let lang = self.language();
        if lines.is_empty() {
            return self.import_stale.to_owned();
        }
        let listed: Vec<String> = lines
            .iter()
            .map(|l| format_number(i64::from(*l), lang))
            .collect();
        let more = count.saturating_sub(lines.len());
        let mut out = format!(
            "{} {} {}",
            self.import_stale,
            if count == 1 {
                self.import_stale_rows
            } else {
                self.import_stale_rows_many
            },
            listed.join(", ")
        );
        if more > 0 {
            out.push_str(&format!(
                " {} {} {}",
                self.import_stale_rows_more,
                format_number(more as i64, lang),
                self.import_stale_rows_more_end
            ));
        }
        out.push('.');
        out
    }

    /// What an edited template was refused for.
    pub fn template_error(
        &self,
        kind: crate::domain::mail::MailKind,
        e: &crate::domain::templates::TemplateError,
    ) -> String {
        use crate::domain::templates::TemplateError::*;
        let de = self.html_lang == "de";
        match e {
            Required => self.te_required.to_owned(),
            TooLong(n) => {
                if de {
                    format!(
                        "Höchstens {} Zeichen.",
                        format_number(*n as i64, Language::De)
                    )
                } else {
                    format!(
                        "At most {} characters.",
                        format_number(*n as i64, Language::En)
                    )
                }
            }
            ControlCharacters => self.te_control.to_owned(),
            Unclosed => self.te_unclosed.to_owned(),
            Unknown(name) => {
                let known = kind
                    .placeholders()
                    .iter()
                    .map(|p| p.token())
                    .collect::<Vec<_>>()
                    .join(", ");
                if de {
                    format!(
                        "Unbekannter Platzhalter {{{{{name}}}}}. In dieser Vorlage möglich: {known}."
                    )
                } else {
                    format!("Unknown placeholder {{{{{name}}}}}. This template can use: {known}.")
                }
            }
            LinkMissing => self.te_link_missing.to_owned(),
            LinkInSubject => self.te_link_in_subject.to_owned(),
            EncodedWord => self.te_encoded_word.to_owned(),
        }
    }

    /// What a placeholder stands for.
    pub fn placeholder(&self, p: crate::domain::templates::Placeholder) -> &'static str {
        use crate::domain::templates::Placeholder::*;
        match p {
            Link => self.ph_link,
            Anrede => self.ph_anrede,
            Vorname => self.ph_vorname,
            Nachname => self.ph_nachname,
            Benutzername => self.ph_benutzername,
            Ablaufdatum => self.ph_ablaufdatum,
            Organisation => self.ph_organisation,
            App => self.ph_app,
            AppUrl => self.ph_app_url,
            Grund => self.ph_grund,
        }
    }

    /// The name of an action in the log's filter menu.
    pub fn audit_action_name(&self, action: &str) -> String {
        let de = self.html_lang == "de";
        let name = match (action, de) {
            ("auth.login", true) => "Anmeldung",
            ("auth.login", false) => "Sign-in",
            ("account.password_change", true) => "Eigenes Passwort geändert",
            ("account.password_change", false) => "Own password changed",
            ("user.create", true) => "Benutzer angelegt",
            ("user.create", false) => "User created",
            ("user.update", true) => "Benutzer geändert",
            ("user.update", false) => "User changed",
            ("user.deactivate", true) => "Benutzer deaktiviert",
            ("user.deactivate", false) => "User deactivated",
            ("user.reactivate", true) => "Benutzer reaktiviert",
            ("user.reactivate", false) => "User reactivated",
            ("user.delete", true) => "Benutzer gelöscht",
            ("user.delete", false) => "User deleted",
            ("user.areas", true) => "Bereiche zugeordnet",
            ("user.areas", false) => "Areas assigned",
            ("user.photo_set", true) => "Foto hochgeladen",
            ("user.photo_set", false) => "Photo uploaded",
            ("user.photo_remove", true) => "Foto entfernt",
            ("user.photo_remove", false) => "Photo removed",
            ("user.start_password", true) => "Neues Startpasswort",
            ("user.start_password", false) => "New start password",
            ("group.create", true) => "Gruppe angelegt",
            ("group.create", false) => "Group created",
            ("group.rename", true) => "Gruppe umbenannt",
            ("group.rename", false) => "Group renamed",
            ("group.delete", true) => "Gruppe gelöscht",
            ("group.delete", false) => "Group deleted",
            ("group.member_add", true) => "Gruppenmitglied hinzugefügt",
            ("group.member_add", false) => "Group member added",
            ("group.member_remove", true) => "Gruppenmitglied entfernt",
            ("group.member_remove", false) => "Group member removed",
            ("area.create", true) => "Bereich angelegt",
            ("area.create", false) => "Area created",
            ("area.rename", true) => "Bereich umbenannt",
            ("area.rename", false) => "Area renamed",
            ("area.delete", true) => "Bereich gelöscht",
            ("area.delete", false) => "Area deleted",
            ("area.member_add", true) => "Bereich zugeordnet",
            ("area.member_add", false) => "Area member added",
            ("area.member_remove", true) => "Aus Bereich entfernt",
            ("area.member_remove", false) => "Area member removed",
            ("user.invite", true) => "Eingeladen",
            ("user.invite", false) => "Invited",
            ("user.invite_renew", true) => "Einladung erneuert",
            ("user.invite_renew", false) => "Invitation renewed",
            ("user.invite_qr", true) => "QR-Code erzeugt",
            ("user.invite_qr", false) => "QR code made",
            ("user.invite_revoke", true) => "Einladung widerrufen",
            ("user.invite_revoke", false) => "Invitation revoked",
            ("user.activate", true) => "Zugang aktiviert",
            ("user.activate", false) => "Account activated",
            ("user.invite_reminder", true) => "Erinnerung gesendet",
            ("user.invite_reminder", false) => "Reminder sent",
            ("user.invitation_expired", true) => "Einladung abgelaufen",
            ("user.invitation_expired", false) => "Invitation expired",
            ("user.reactivation_lapsed", true) => "Reaktivierung verfallen",
            ("user.reactivation_lapsed", false) => "Reactivation lapsed",
            ("account.password_reset", true) => "Passwort zurückgesetzt",
            ("account.password_reset", false) => "Password reset",
            ("account.email_added", true) => "E-Mail-Adresse hinterlegt",
            ("account.email_added", false) => "Email address added",
            ("account.email_confirmed", true) => "E-Mail-Adresse bestätigt",
            ("account.email_confirmed", false) => "Email address confirmed",
            ("import.commit", true) => "Import",
            ("import.commit", false) => "Import",
            ("import.undo", true) => "Import rückgängig gemacht",
            ("import.undo", false) => "Import undone",
            ("user.import_update", true) => "Benutzer per Import geändert",
            ("user.import_update", false) => "User changed by import",
            ("user.import_restore", true) => "Import-Änderung zurückgenommen",
            ("user.import_restore", false) => "Import change taken back",
            ("task.invite_created", true) => "Alle neu angelegten eingeladen",
            ("task.invite_created", false) => "All newly created invited",
            ("task.invite", true) => "Auswahl eingeladen",
            ("task.invite", false) => "Selection invited",
            ("task.resend", true) => "Auswahl erneut eingeladen",
            ("task.resend", false) => "Selection invited again",
            ("task.revoke", true) => "Einladungen einer Auswahl widerrufen",
            ("task.revoke", false) => "Invitations of a selection revoked",
            ("task.reactivate", true) => "Auswahl reaktiviert",
            ("task.reactivate", false) => "Selection reactivated",
            ("task.deactivate", true) => "Auswahl deaktiviert",
            ("task.deactivate", false) => "Selection deactivated",
            ("task.delete", true) => "Auswahl gelöscht",
            ("task.delete", false) => "Selection deleted",
            ("task.letters", true) => "QR-Briefe einer Auswahl",
            ("task.letters", false) => "QR letters of a selection",
            ("mail.resend", true) => "E-Mail erneut gesendet",
            ("mail.resend", false) => "Email sent again",
            ("mail.template_save", true) => "E-Mail-Vorlage geändert",
            ("mail.template_save", false) => "Email template changed",
            ("mail.template_reset", true) => "E-Mail-Vorlage zurückgesetzt",
            ("mail.template_reset", false) => "Email template reset",
            ("mail.unblock", true) => "Adresse entsperrt",
            ("mail.unblock", false) => "Address unblocked",
            ("access_links.create", true) => "Zugangslinks erstellt",
            ("access_links.create", false) => "Access links created",
            ("access_links.revoke", true) => "Zugangslinks widerrufen",
            ("access_links.revoke", false) => "Access links revoked",
            ("user.register_access_link", true) => "Registriert (Zugangslink)",
            ("user.register_access_link", false) => "Registered (access link)",
            ("user.register_whitelist", true) => "Registriert (Liste)",
            ("user.register_whitelist", false) => "Registered (list)",
            ("user.request_access", true) => "Zugang angefragt",
            ("user.request_access", false) => "Access requested",
            ("user.approve", true) => "Anfrage genehmigt",
            ("user.approve", false) => "Request approved",
            ("user.reject", true) => "Anfrage abgelehnt",
            ("user.reject", false) => "Request rejected",
            ("whitelist.add", true) => "Registrierungseintrag hinzugefügt",
            ("whitelist.add", false) => "Registration entry added",
            ("whitelist.delete", true) => "Registrierungseintrag gelöscht",
            ("whitelist.delete", false) => "Registration entry deleted",
            ("whitelist.import", true) => "Registrierungsliste importiert",
            ("whitelist.import", false) => "Registration list imported",
            ("whitelist.import_undo", true) => "Registrierungsimport rückgängig",
            ("whitelist.import_undo", false) => "Registration import undone",
            ("settings.update", true) => "Einstellungen geändert",
            ("settings.update", false) => "Settings changed",
            ("settings.base_url_from_environment", true) => "Adresse aus der Umgebung",
            ("settings.base_url_from_environment", false) => "Address from the environment",
            ("settings.logo", true) => "Logo hochgeladen",
            ("settings.logo", false) => "Logo uploaded",
            ("settings.logo_removed", true) => "Logo entfernt",
            ("settings.logo_removed", false) => "Logo removed",
            ("settings.base_url_from_bind", true) => "Adresse des Servers",
            ("settings.base_url_from_bind", false) => "Address of the server",
            (other, _) => other,
        };
        name.to_owned()
    }

    /// A changed value as people read it: choices translated, empty as "—".
    pub fn audit_value(&self, field: &str, value: &str) -> String {
        if value.is_empty() {
            return self.empty_value.to_owned();
        }
        let translated = match field {
            "admin_role" => value.parse().ok().map(|r| self.role(r)),
            "user_type" => value.parse().ok().map(|t| self.user_type(t)),
            "kind" => value.parse().ok().map(|k| self.mail_kind(k)),
            "salutation" => value.parse().ok().map(|s| self.salutation(s)),
            "status" => value.parse().ok().map(|s| self.status(s)),
            "area_role" => value.parse().ok().map(|r| self.area_role(r)),
            f if f.starts_with("area:") => value.parse().ok().map(|r| self.area_role(r)),
            "start_password" => Some(if value == "generated" {
                self.start_password_was_generated
            } else {
                self.start_password_was_set
            }),
            "stopped" => crate::domain::tasks::StopReason::parse(value).map(|r| match r {
                crate::domain::tasks::StopReason::ActorLostRights => self.audit_stopped_actor,
            }),
            "registration_criteria" => {
                return value
                    .split(',')
                    .map(|k| match self.field_label(k.trim()) {
                        "" => k.trim(),
                        label => label,
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
            }
            "default_language" => Language::parse(value).map(|l| match l {
                Language::De => self.lang_de,
                Language::En => self.lang_en,
            }),
            _ => None,
        };
        translated.map_or_else(|| value.to_owned(), str::to_owned)
    }

    /// Whether a field of the log is a count of what an action did (shown
    /// as "field: n", not as a change from a value before).
    pub fn audit_is_count(field: &str) -> bool {
        matches!(
            field,
            "created"
                | "updated"
                | "removed"
                | "kept"
                | "restored"
                | "unrestored"
                | "planned"
                | "done"
                | "blocked"
                | "skipped_no_email"
                | "skipped_role"
                | "skipped_changed"
                | "skipped_status"
                | "skipped_self"
                | "stopped"
                | "links"
                | "entries"
        )
    }

    /// The name of a changed field in the log.
    pub fn audit_field(&self, field: &str) -> String {
        match field.strip_prefix("area:") {
            Some(area) => area.to_owned(),
            None => match field {
                "status" => self.field_status.to_owned(),
                "area_role" => self.field_area_role.to_owned(),
                "member" => self.unit_members.to_owned(),
                "memberships" => self.unit_memberships.to_owned(),
                "kind" => self.mail_kind.to_owned(),
                "scheduled_for" => self.field_scheduled_for.to_owned(),
                "subject" => self.mail_subject.to_owned(),
                "body" => self.template_body.to_owned(),
                "message" => self.mail_message.to_owned(),
                "answer" => self.mail_answer.to_owned(),
                "created" => self.import_created_n.to_owned(),
                "updated" => self.import_updated_n.to_owned(),
                "removed" => self.import_removed_n.to_owned(),
                "kept" => self.import_kept_n.to_owned(),
                "restored" => self.import_restored_n.to_owned(),
                "unrestored" => self.import_unrestored_n.to_owned(),
                "group_created" => self.field_groups.to_owned(),
                "links" => self.access_links.to_owned(),
                "expires_at" => self.access_valid_until.to_owned(),
                "revoked" => self.access_state_widerrufen.to_owned(),
                "access_link" => self.nav_access.to_owned(),
                "whitelist_entry" => self.wl_title.to_owned(),
                "entries" => self.wl_entries.to_owned(),
                "registration_criteria" => self.wl_criteria.to_owned(),
                "open_registration" => self.field_open_registration.to_owned(),
                "reason" => self.wl_reason.to_owned(),
                "area_created" => self.field_areas.to_owned(),
                "planned" => self.audit_planned.to_owned(),
                "done" => self.task_done_count.to_owned(),
                "blocked" => self.audit_blocked.to_owned(),
                "skipped_no_email" => self.task_skipped_no_email.to_owned(),
                "skipped_role" => self.task_skipped_role.to_owned(),
                "skipped_changed" => self.task_skipped_changed_bulk.to_owned(),
                "skipped_status" => self.task_skipped_status.to_owned(),
                "skipped_self" => self.task_skipped_self.to_owned(),
                "stopped" => self.task_stopped_state.to_owned(),
                f => match self.field_label(f) {
                    "" => f.to_owned(),
                    label => label.to_owned(),
                },
            },
        }
    }

    /// "2 Personen hinzugefügt." / "Niemand hinzugefügt: alle waren schon dabei."
    pub fn people_added(&self, n: i64) -> String {
        let de = self.html_lang == "de";
        match (n, de) {
            (0, true) => "Niemand hinzugefügt: Alle Gewählten gehören schon dazu.".to_owned(),
            (0, false) => "Nobody added: everyone chosen belongs already.".to_owned(),
            (1, true) => "1 Person hinzugefügt.".to_owned(),
            (1, false) => "1 person added.".to_owned(),
            (n, true) => format!("{} Personen hinzugefügt.", format_number(n, Language::De)),
            (n, false) => format!("{} people added.", format_number(n, Language::En)),
        }
    }

    /// A unit gained or lost members since its delete confirmation was shown.
    pub fn members_now(&self, n: i64) -> String {
        match (n, self.html_lang == "de") {
            (1, true) => {
                return "Inzwischen gehört 1 Person dazu. Es wurde nichts gelöscht; bitte prüfen Sie die Zahl und bestätigen Sie erneut.".to_owned();
            }
            (1, false) => {
                return "1 person belongs to it by now. Nothing was deleted; please check the number and confirm again.".to_owned();
            }
            _ => {}
        }
        if self.html_lang == "de" {
            format!(
                "Inzwischen gehören {} Personen dazu. Es wurde nichts gelöscht; bitte prüfen Sie die Zahl und bestätigen Sie erneut.",
                format_number(n, Language::De)
            )
        } else {
            format!(
                "{} people belong to it by now. Nothing was deleted; please check the number and confirm again.",
                format_number(n, Language::En)
            )
        }
    }

    /// The label of a form field by its name, for the error summary.
    pub fn field_label(&self, field: &str) -> &'static str {
        match field {
            "salutation" => self.field_salutation,
            "first_name" => self.field_first_name,
            "last_name" => self.field_last_name,
            "username" => self.field_username,
            "email" => self.field_email,
            "personnel_number" => self.field_personnel_number,
            "user_type" => self.field_user_type,
            "group" | "groups" => self.field_groups,
            "areas" => self.field_areas,
            "admin_role" => self.field_admin_role,
            "start_password" | "start_password_mode" => self.field_start_password,
            "password" => self.login_password,
            "password_repeat" | "repeat_password" => self.password_repeat,
            "current_password" => self.current_password,
            "new_password" => self.new_password,
            "organisation_name" => self.field_org_name,
            "brand_colour" => self.field_brand_colour,
            "public_base_url" => self.field_public_base_url,
            "invitation_validity_days" => self.field_invitation_validity,
            "reminder_days_before" => self.field_reminder_days,
            "time_zone" => self.field_time_zone,
            "default_language" => self.field_default_language,
            "app_name" => self.field_app_name,
            "app_url" => self.field_app_url,
            "welcome_text" => self.field_welcome_text,
            "photo" => self.field_photo,
            "send_date" => self.field_send_date,
            "send_time" => self.field_send_time,
            "name" => self.unit_name,
            "member" => self.unit_add_member,
            "count" => self.access_count,
            "valid_days" => self.access_valid_days,
            "label" => self.access_label,
            "area" => self.field_area,
            "area_role" => self.field_area_role,
            "birth_date" => self.field_birth_date,
            "criteria" => self.wl_criteria,
            "message" => self.request_message,
            "logo" => self.field_logo,
            _ => "",
        }
    }

    /// The message of a field error; a length error names the limit.
    pub fn field_error(&self, e: FieldError) -> String {
        if let FieldError::NotBetween(low, high) = e {
            return format!(
                "{} {low} {} {high}.",
                self.fe_number_from, self.fe_number_to
            );
        }
        if let FieldError::HiddenCharacter(c) = e {
            return format!("{} U+{:04X}.", self.fe_hidden_char, c as u32);
        }
        if let FieldError::ForeignDigit(c) = e {
            return format!(
                "{} {}{c}{} (U+{:04X}).",
                self.fe_foreign_digit, self.q_open, self.q_close, c as u32
            );
        }
        if e == FieldError::CellTooLong {
            let lang = self.language();
            return format!(
                "{} {} {}",
                self.fe_cell_too_long,
                format_number(crate::domain::import::MAX_CELL_BYTES as i64, lang),
                self.fe_cell_bytes
            );
        }
        if let FieldError::TooLong(max) = e {
            return format!(
                "{} ({} {max} {}).",
                self.fe_too_long.trim_end_matches('.'),
                self.fe_at_most,
                self.fe_characters
            );
        }
        let text: &'static str = match e {
            FieldError::Required => self.fe_required,
            FieldError::TooLong(_) => self.fe_too_long,
            FieldError::NotBetween(..) => self.fe_number_from,
            FieldError::InvalidEmail => self.fe_invalid_email,
            FieldError::EmailTaken => self.fe_email_taken,
            FieldError::EmailLocked => self.fe_email_locked,
            FieldError::InvalidUsername => self.fe_invalid_username,
            FieldError::UsernameTaken => self.fe_username_taken,
            FieldError::PersonnelNumberTaken => self.fe_personnel_taken,
            FieldError::InvalidChoice => self.fe_invalid_choice,
            FieldError::PasswordTooShort => self.fe_password_short,
            FieldError::PasswordTooLong => self.fe_password_long,
            FieldError::PasswordMismatch => self.fe_password_mismatch,
            FieldError::PasswordWrong => self.fe_password_wrong,
            FieldError::PasswordTooCommon => self.fe_password_too_common,
            FieldError::PasswordUnchanged => self.fe_password_unchanged,
            FieldError::NameTaken => self.fe_name_taken,
            FieldError::NameTooSimilar => self.fe_name_too_similar,
            FieldError::InvalidColour => self.fe_invalid_colour,
            FieldError::InvalidUrl => self.fe_invalid_url,
            FieldError::InvalidTimeZone => self.fe_invalid_tz,
            FieldError::OutOfRange => self.fe_out_of_range,
            FieldError::RoleTooHigh => self.fe_role_too_high,
            FieldError::InvalidCharacters => self.fe_invalid_chars,
            FieldError::HiddenCharacter(_) => self.fe_hidden_char,
            FieldError::ForeignDigit(_) => self.fe_foreign_digit,
            FieldError::CellTooLong => self.fe_cell_too_long,
            FieldError::NameWithoutLetter => self.fe_name_without_letter,
            FieldError::InvalidImage => self.fe_invalid_image,
            FieldError::ImageTooLarge => self.fe_image_too_large,
            FieldError::ImageTooManyPixels => self.fe_image_too_many_pixels,
            FieldError::InvalidDate => self.fe_invalid_date,
            FieldError::DateOutOfRange => self.fe_date_out_of_range,
            FieldError::InvalidTime => self.fe_invalid_time,
            FieldError::ChangedMeanwhile => self.fe_changed_meanwhile,
            FieldError::BeingChanged => self.fe_being_changed,
            FieldError::NotInFuture => self.fe_not_in_future,
            FieldError::TooFarAhead => self.fe_too_far_ahead,
            FieldError::ReminderAfterExpiry => self.fe_reminder_after_expiry,
            FieldError::ReminderDays => self.fe_reminder_days,
            FieldError::UntilBeforeFrom => self.fe_until_before_from,
            FieldError::UnknownMember => self.fe_unknown_member,
            FieldError::EmailNeededToInvite => self.fe_email_needed_to_invite,
            FieldError::EmailOrUsernameNeeded => self.fe_email_or_username_needed,
            FieldError::UsernameWithEmail => self.fe_username_with_email,
            FieldError::CriteriaTooWeak => self.fe_criteria_too_weak,
            FieldError::OnTheList => self.fe_on_the_list,
            FieldError::NumberOnTheList => self.fe_number_on_the_list,
            FieldError::InvalidBirthDate => self.fe_invalid_birth_date,
            FieldError::BirthDateRange => self.fe_birth_date_range,
            FieldError::TooManyAttempts => self.fe_too_many_attempts,
            FieldError::FormulaStart => self.fe_formula_start,
        };
        text.to_owned()
    }

    pub fn delivery(&self, d: crate::domain::mail::Delivery) -> &'static str {
        use crate::domain::mail::Delivery::*;
        match d {
            Geplant => self.delivery_geplant,
            Wartend => self.delivery_wartend,
            Gesendet => self.delivery_gesendet,
            Fehlgeschlagen => self.delivery_fehlgeschlagen,
            Blockiert => self.delivery_blockiert,
            Abgebrochen => self.delivery_abgebrochen,
        }
    }

    pub fn mail_kind(&self, k: crate::domain::mail::MailKind) -> &'static str {
        use crate::domain::mail::MailKind::*;
        match k {
            Invitation => self.kind_invitation,
            PasswordReset => self.kind_password_reset,
            EmailConfirmation => self.kind_email_confirmation,
            Reminder => self.kind_reminder,
            AccessApproved => self.kind_access_approved,
            AccessRejected => self.kind_access_rejected,
            Test => self.kind_test,
        }
    }

    /// What "Alle neu angelegten einladen" did, in a sentence.
    pub fn invited_all(&self, queued: i64, blocked: i64, no_email: i64, role: i64) -> String {
        let de = self.html_lang == "de";
        let lang = if de { Language::De } else { Language::En };
        let n = |v: i64| format_number(v, lang);
        let mut out = match (de, queued) {
            (true, 0) => {
                "Niemand zum Einladen: kein Benutzer im Status „angelegt“ mit E-Mail-Adresse."
                    .to_owned()
            }
            (false, 0) => {
                "Nobody to invite: no user in status “created” with an email address.".to_owned()
            }
            (true, 1) => "1 Einladung ist unterwegs.".to_owned(),
            (false, 1) => "1 invitation is on its way.".to_owned(),
            (true, _) => format!("{} Einladungen sind unterwegs.", n(queued)),
            (false, _) => format!("{} invitations are on their way.", n(queued)),
        };
        if blocked > 0 {
            out.push_str(&if de {
                format!(" {} an gesperrte Adressen nicht gesendet.", n(blocked))
            } else {
                format!(" {} to blocked addresses not sent.", n(blocked))
            });
        }
        if no_email > 0 {
            out.push_str(&if de {
                format!(
                    " {} übersprungen: keine E-Mail-Adresse (QR-Code oder Startpasswort nutzen).",
                    n(no_email)
                )
            } else {
                format!(
                    " {} skipped: no email address (use a QR code or a start password).",
                    n(no_email)
                )
            });
        }
        if role > 0 {
            out.push_str(&if de {
                format!(" {} übersprungen: Konten über Ihrer Rolle.", n(role))
            } else {
                format!(" {} skipped: accounts above your role.", n(role))
            });
        }
        out
    }

    /// The label of an import field.
    pub fn import_field(&self, key: &str) -> &'static str {
        match key {
            "first_name" => self.field_first_name,
            "last_name" => self.field_last_name,
            "groups" => self.field_groups,
            other => self.field_label(other),
        }
    }

    pub fn import_outcome(&self, o: crate::domain::import::Outcome) -> &'static str {
        use crate::domain::import::Outcome::*;
        match o {
            Neu => self.import_outcome_neu,
            Aenderung => self.import_outcome_aenderung,
            Unveraendert => self.import_outcome_unveraendert,
            Fehler => self.import_outcome_fehler,
        }
    }

    pub fn import_state(&self, s: crate::domain::import::BatchState) -> &'static str {
        use crate::domain::import::BatchState::*;
        match s {
            Datei => self.import_state_datei,
            Zuordnung => self.import_state_zuordnung,
            Vorschau => self.import_state_vorschau,
            Importiert => self.import_state_importiert,
            Rueckgaengig => self.import_state_rueckgaengig,
            TeilweiseRueckgaengig => self.import_state_teilweise,
            Verworfen => self.import_state_verworfen,
        }
    }

    /// One reason a row is not imported (or one change it makes), with the
    /// field it concerns.
    pub fn import_problem(&self, p: &crate::domain::import::Problem) -> String {
        use crate::domain::import::Problem::*;
        let lang = self.language();
        let field = |f: &str| self.import_field(f);
        let q = |v: &str| format!("{}{v}{}", self.q_open, self.q_close);
        match p {
            Invalid(f, e) => format!("{}: {}", field(f), self.field_error(*e)),
            FormulaStart(f) => format!("{}: {}", field(f), self.pr_formula),
            ErrorValue(f, v) => format!("{}: {} – {}", field(f), q(v), self.pr_error_value),
            ShortenedNumber(f, v) => {
                format!("{}: {} – {}", field(f), q(v), self.pr_shortened_number)
            }
            ConvertedValue(f, v) => {
                format!("{}: {} – {}", field(f), q(v), self.pr_converted_value)
            }
            PaddedNumberTaken(held) => format!(
                "{}: {} {}",
                field("personnel_number"),
                self.pr_padded_taken,
                q(held)
            ),
            UnknownSalutation(v) => {
                format!("{}: {} {}", field("salutation"), self.pr_salutation, q(v))
            }
            UnknownUserType(v) => format!("{}: {} {}", field("user_type"), self.pr_user_type, q(v)),
            UnknownGroups(names) => format!("{}: {}", self.pr_groups, join_names(names)),
            UnknownAreas(names) => format!("{}: {}", self.pr_areas, join_names(names)),
            UncreatableUnits(f, names) => format!(
                "{}: {}",
                if *f == "areas" {
                    self.pr_areas_uncreatable
                } else {
                    self.pr_groups_uncreatable
                },
                join_names(names)
            ),
            DuplicateInFile(f, lines) => format!(
                "{}: {} {}",
                field(f),
                self.pr_duplicate,
                lines
                    .iter()
                    .map(|l| format_number(i64::from(*l), lang))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Taken(f, _) => format!("{}: {}", field(f), self.pr_taken),
            EmailConfirmed => self.pr_email_confirmed.to_owned(),
            TwoPeople => self.pr_two_people.to_owned(),
            FoundNobody => self.pr_found_nobody.to_owned(),
            SamePerson(lines) => format!(
                "{} {}",
                self.pr_same_person,
                lines
                    .iter()
                    .map(|l| format_number(i64::from(*l), lang))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            AboveRole => self.pr_above_role.to_owned(),
            InvitationWithdrawn => self.pr_invitation_withdrawn.to_owned(),
            Change(f, old, new) => {
                let shown = |v: &str| {
                    if v.is_empty() {
                        self.empty_value.to_owned()
                    } else {
                        self.audit_value(f, v)
                    }
                };
                if *f == "groups" || *f == "areas" {
                    format!("{}: + {new}", field(f))
                } else {
                    format!("{}: {} → {}", field(f), shown(old), shown(new))
                }
            }
        }
    }

    /// Why a file could not be read.
    pub fn read_error(&self, e: &crate::spreadsheet::ReadError) -> String {
        use crate::spreadsheet::ReadError::*;
        let lang = self.language();
        let n = |v: u64| format_number(i64::try_from(v).unwrap_or(i64::MAX), lang);
        let mb = |v: u64| format!("{} MB", n(v / (1024 * 1024)));
        let bounded = |text: &str, limit: String| {
            format!("{text} ({} {limit}).", self.import_at_most.to_lowercase())
        };
        match e {
            UnknownFormat => self.re_unknown_format.to_owned(),
            PasswordProtected => self.re_password.to_owned(),
            Damaged(_) => self.re_damaged.to_owned(),
            TooLarge(max) => bounded(self.re_too_large, mb(*max)),
            UnpackedTooLarge(max) => bounded(self.re_unpacked, mb(*max)),
            TooManyParts(max) => bounded(self.re_parts, n(u64::from(*max))),
            TooManyRows(max) => bounded(self.re_rows, n(u64::from(*max))),
            TooManyColumns(max) => bounded(self.re_columns, n(u64::from(*max))),
            TooManyCells(max) => bounded(self.re_cells, n(*max)),
            TooMuchText(max) => bounded(self.re_text, mb(*max)),
            NoSuchSheet => self.re_no_sheet.to_owned(),
            Empty => self.re_empty.to_owned(),
            NoFile => self.re_no_file.to_owned(),
            ReaderLimit => self.re_limit.to_owned(),
            ReaderFailed(_) => self.re_failed.to_owned(),
            UnclosedQuote(line) => format!("{} {}.", self.re_unclosed_quote, n(u64::from(*line))),
            SeveralSheets(names) => format!("{} ({names}).", self.re_several_sheets),
            OnlyHidden(names) => format!(
                "{} {names}. {}",
                self.re_only_hidden, self.re_only_hidden_do
            ),
        }
    }

    pub fn refusal(&self, r: Refusal) -> String {
        match r {
            Refusal::LinkDead | Refusal::LinkUsed => self.refusal_link_dead.into(),
            Refusal::LastAdministrator => self.refusal_last_admin.into(),
            Refusal::NotOnYourself => self.refusal_not_on_yourself.into(),
            Refusal::StatusDoesNotAllow => self.refusal_status.into(),
            Refusal::ImportStageDoesNotAllow => self.refusal_import_stage.into(),
            Refusal::ImportUndoneAlready => self.refusal_import_undone_already.into(),
            Refusal::ImportNothingToUndo => self.refusal_import_nothing_to_undo.into(),
            Refusal::ImportAboveYourRole => self.refusal_import_role.into(),
            Refusal::ImportOlderPage => self.import_older_mapping.into(),
            Refusal::SetupDone => self.refusal_setup_done.into(),
            Refusal::UnitInUse(n) => format!("{} {n}", self.refusal_in_use),
            Refusal::SelectionChanged => self.refusal_selection_changed.into(),
            Refusal::TooManyAtOnce(n) => {
                let lang = if self.html_lang == "de" {
                    Language::De
                } else {
                    Language::En
                };
                format!("{} {}.", self.refusal_too_many, format_number(n, lang))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(format_number(100_000, Language::De), "100.000");
        assert_eq!(format_number(1_234_567, Language::En), "1,234,567");
        assert_eq!(format_number(999, Language::De), "999");
        assert_eq!(format_number(0, Language::En), "0");
        assert_eq!(format_number(-1000, Language::De), "-1.000");
    }

    #[test]
    fn dates_are_local_and_localised() {
        let at = time::macros::datetime!(2026-07-01 10:30);
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        assert_eq!(
            format_datetime(&at, berlin, Language::De),
            "01.07.2026 12:30"
        );
        assert_eq!(
            format_datetime(&at, berlin, Language::En),
            "2026-07-01 12:30"
        );
    }

    #[test]
    fn every_task_and_its_counts_read_as_words_in_the_log() {
        for t in [&DE, &EN] {
            for kind in crate::domain::tasks::TaskKind::ALL {
                let action = format!("task.{}", kind.as_str());
                assert_ne!(t.audit_action_name(&action), action);
                assert!(t.audit_sentence(&action).contains("{target}"), "{action}");
                assert_ne!(
                    t.audit_sentence(&action),
                    t.audit_sentence("no.such_action"),
                    "{action}"
                );
            }
            for field in [
                "planned",
                "done",
                "blocked",
                "skipped_no_email",
                "skipped_role",
                "skipped_changed",
                "skipped_status",
                "skipped_self",
                "stopped",
            ] {
                assert_ne!(t.audit_field(field), field);
                assert!(Texts::audit_is_count(field), "{field}");
            }
            // An import's counts (in English the label is the word itself).
            for field in ["created", "updated", "removed", "kept", "restored"] {
                assert!(Texts::audit_is_count(field), "{field}");
            }
            assert_ne!(
                t.audit_value("stopped", "actor_lost_rights"),
                "actor_lost_rights"
            );
        }
    }

    #[test]
    fn both_languages_are_complete_and_distinct() {
        assert_eq!(DE.html_lang, "de");
        assert_eq!(EN.html_lang, "en");
        assert_ne!(DE.login_title, EN.login_title);
    }
}
