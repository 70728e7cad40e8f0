//! The one diesel schema, shared by SQLite and PostgreSQL. Only portable column
//! types: BigInt, Integer, Text, Bool, Timestamp (UTC). Written by hand; the
//! migrations test proves both backends have exactly these columns.

diesel::table! {
    organisation_settings (id) {
        id -> Integer,
        organisation_name -> Text,
        brand_colour -> Text,
        public_base_url -> Text,
        invitation_validity_days -> Integer,
        time_zone -> Text,
        default_language -> Text,
        instance_secret -> Text,
        updated_at -> Timestamp,
        app_name -> Text,
        app_url -> Text,
        welcome_text -> Text,
        reminder_days_before -> Integer,
        registration_criteria -> Text,
        open_registration -> Bool,
        public_base_url_from_bind -> Bool,
        logo_version -> Nullable<Text>,
    }
}

diesel::table! {
    organisation_logo (id) {
        id -> Integer,
        png -> Binary,
        width -> Integer,
        height -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        salutation -> Nullable<Text>,
        first_name -> Text,
        last_name -> Text,
        username -> Text,
        email -> Nullable<Text>,
        email_lower -> Nullable<Text>,
        email_confirmed -> Bool,
        personnel_number -> Nullable<Text>,
        user_type -> Text,
        is_staff -> Bool,
        admin_role -> Nullable<Text>,
        status -> Text,
        password_hash -> Nullable<Text>,
        must_change_password -> Bool,
        sort_name -> Text,
        search_text -> Text,
        last_login_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        invitation_expires_at -> Nullable<Timestamp>,
        sign_in_deadline -> Nullable<Timestamp>,
        invitation_message_id -> Nullable<BigInt>,
        invitation_reminded_at -> Nullable<Timestamp>,
        import_batch_id -> Nullable<BigInt>,
        activated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_status_counts (status) {
        status -> Text,
        live -> BigInt,
    }
}

diesel::table! {
    /// Pending +1/-1 per status (PostgreSQL's trigger writes them; the
    /// fold-counts job adds them to `user_status_counts`).
    user_status_count_deltas (id) {
        id -> BigInt,
        status -> Text,
        delta -> BigInt,
    }
}

diesel::table! {
    /// SQLite only: the FTS5 trigram index over `users.search_text`.
    users_search (rowid) {
        rowid -> BigInt,
        search_text -> Text,
    }
}

diesel::table! {
    /// SQLite only: the FTS5 trigram index over `outbox_messages.recipient_lower`.
    outbox_search (rowid) {
        rowid -> BigInt,
        recipient_lower -> Text,
    }
}

diesel::table! {
    user_photos (user_id) {
        user_id -> BigInt,
        content_type -> Text,
        bytes -> Binary,
        width -> Integer,
        height -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_groups (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_memberships (user_id, group_id) {
        user_id -> BigInt,
        group_id -> BigInt,
    }
}

diesel::table! {
    areas (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    area_assignments (user_id, area_id) {
        user_id -> BigInt,
        area_id -> BigInt,
        area_role -> Text,
    }
}

diesel::table! {
    admin_sessions (id_hash) {
        id_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    rate_limit_hits (id) {
        id -> BigInt,
        scope -> Text,
        key_hash -> Text,
        hit_at -> Timestamp,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> BigInt,
        purpose -> Text,
        user_id -> Nullable<BigInt>,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        consumed_at -> Nullable<Timestamp>,
        handed_over -> Bool,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor_label -> Text,
        action -> Text,
        target_kind -> Nullable<Text>,
        target_id -> Nullable<BigInt>,
        target_label -> Nullable<Text>,
        details -> Nullable<Text>,
        search_text -> Text,
    }
}

diesel::table! {
    maintenance_marks (name) {
        name -> Text,
        version -> Integer,
    }
}

diesel::table! {
    secret_handovers (id_hash) {
        id_hash -> Text,
        session_hash -> Text,
        user_id -> BigInt,
        then_page -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    letter_prints (id) {
        id -> BigInt,
        id_hash -> Text,
        session_hash -> Text,
        people -> Text,
        form_key_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    access_link_sets (id) {
        id -> BigInt,
        created_by -> Nullable<BigInt>,
        created_by_label -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        label -> Text,
        links -> Integer,
        user_type -> Text,
        group_id -> Nullable<BigInt>,
        area_id -> Nullable<BigInt>,
        area_role -> Nullable<Text>,
        form_key_hash -> Text,
        shown_id_hash -> Nullable<Text>,
        shown_session_hash -> Nullable<Text>,
        shown_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    access_links (id) {
        id -> BigInt,
        set_id -> BigInt,
        number -> Integer,
        token_hash -> Text,
        used_at -> Nullable<Timestamp>,
        used_by -> Nullable<BigInt>,
        revoked_at -> Nullable<Timestamp>,
        revoked_by_label -> Nullable<Text>,
    }
}

diesel::table! {
    registration_imports (id) {
        id -> BigInt,
        file_name -> Text,
        actor_label -> Text,
        created_at -> Timestamp,
        state -> Text,
        rows_new -> Integer,
        rows_refused -> Integer,
        finished_at -> Nullable<Timestamp>,
        header_line -> Nullable<Integer>,
        mapping -> Text,
        grid -> Nullable<Binary>,
        format -> Text,
    }
}

diesel::table! {
    registration_import_rows (import_id, line) {
        import_id -> BigInt,
        line -> Integer,
        first_name -> Text,
        last_name -> Text,
        personnel_number -> Nullable<Text>,
        birth_date -> Nullable<Text>,
        user_type -> Text,
        group_id -> Nullable<BigInt>,
        problem -> Nullable<Text>,
        other_line -> Nullable<Integer>,
    }
}

diesel::table! {
    registration_entries (id) {
        id -> BigInt,
        first_name -> Text,
        last_name -> Text,
        first_key -> Text,
        last_key -> Text,
        personnel_number -> Nullable<Text>,
        birth_date -> Nullable<Text>,
        user_type -> Text,
        group_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        created_by_label -> Text,
        import_id -> Nullable<BigInt>,
        used_at -> Nullable<Timestamp>,
        used_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    access_requests (user_id) {
        user_id -> BigInt,
        message -> Text,
        requested_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by_label -> Nullable<Text>,
        decision -> Nullable<Text>,
        reason -> Text,
    }
}

diesel::table! {
    form_submissions (key_hash) {
        key_hash -> Text,
        user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    import_batches (id) {
        id -> BigInt,
        state -> Text,
        mode -> Text,
        file_name -> Text,
        format -> Text,
        sheet_name -> Nullable<Text>,
        header_line -> Nullable<Integer>,
        mapping -> Text,
        create_missing_units -> Bool,
        actor_id -> Nullable<BigInt>,
        actor_label -> Text,
        created_at -> Timestamp,
        committed_at -> Nullable<Timestamp>,
        undone_at -> Nullable<Timestamp>,
        undone_by -> Nullable<Text>,
        preview_version -> Integer,
        rows_new -> Integer,
        rows_update -> Integer,
        rows_unchanged -> Integer,
        rows_error -> Integer,
        created_count -> Integer,
        updated_count -> Integer,
        removed_count -> Integer,
        kept_count -> Integer,
        upload -> Nullable<Binary>,
        grid -> Nullable<Binary>,
        missing_units -> Text,
        restored_count -> Integer,
        unrestored_count -> Integer,
        hidden_lines -> Text,
        skip_hidden -> Bool,
        committed_by -> Nullable<Text>,
    }
}

diesel::table! {
    import_rows (batch_id, line) {
        batch_id -> BigInt,
        line -> Integer,
        outcome -> Text,
        problems -> Text,
        salutation -> Nullable<Text>,
        first_name -> Text,
        last_name -> Text,
        username -> Text,
        email -> Nullable<Text>,
        email_lower -> Nullable<Text>,
        personnel_number -> Nullable<Text>,
        user_type -> Text,
        groups -> Text,
        areas -> Text,
        sort_name -> Text,
        search_text -> Text,
        target_user_id -> Nullable<BigInt>,
        units -> Text,
        cells -> Text,
    }
}

diesel::table! {
    import_changes (batch_id, user_id, field) {
        batch_id -> BigInt,
        user_id -> BigInt,
        field -> Text,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
    }
}

diesel::joinable!(group_memberships -> users (user_id));
diesel::joinable!(group_memberships -> user_groups (group_id));
diesel::joinable!(area_assignments -> users (user_id));
diesel::joinable!(area_assignments -> areas (area_id));
diesel::joinable!(admin_sessions -> users (user_id));
diesel::joinable!(user_photos -> users (user_id));
diesel::joinable!(outbox_messages -> users (user_id));
diesel::joinable!(outbox_bodies -> outbox_messages (message_id));
diesel::joinable!(bulk_task_items -> bulk_tasks (task_id));
diesel::joinable!(access_links -> access_link_sets (set_id));
diesel::joinable!(access_requests -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    import_batches,
    import_rows,
    import_changes,
    organisation_settings,
    users,
    user_status_counts,
    user_status_count_deltas,
    user_photos,
    users_search,
    outbox_search,
    mail_templates,
    user_groups,
    group_memberships,
    areas,
    area_assignments,
    admin_sessions,
    rate_limit_hits,
    one_time_tokens,
    audit_events,
    secret_handovers,
    letter_prints,
    form_submissions,
    maintenance_marks,
    outbox_messages,
    outbox_bodies,
    blocked_addresses,
    bulk_tasks,
    bulk_task_items,
    access_link_sets,
    access_links,
    registration_imports,
    registration_import_rows,
    registration_entries,
    access_requests,
);

diesel::table! {
    outbox_messages (id) {
        id -> BigInt,
        message_key -> Text,
        kind -> Text,
        user_id -> Nullable<BigInt>,
        recipient -> Text,
        recipient_lower -> Text,
        recipient_name -> Text,
        language -> Text,
        subject -> Text,
        sealed_token -> Nullable<Text>,
        link_path -> Nullable<Text>,
        status -> Text,
        next_attempt_at -> Timestamp,
        leased_by -> Nullable<Text>,
        attempts -> Integer,
        give_up_at -> Timestamp,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        transport -> Nullable<Text>,
        last_answer -> Nullable<Text>,
        failure_kind -> Nullable<Text>,
        current_invitation -> Bool,
        resent_from -> Nullable<BigInt>,
    }
}

diesel::table! {
    mail_templates (kind, language) {
        kind -> Text,
        language -> Text,
        subject -> Text,
        body -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    outbox_bodies (message_id) {
        message_id -> BigInt,
        body_text -> Text,
        body_html -> Text,
    }
}

diesel::table! {
    bulk_tasks (id) {
        id -> BigInt,
        kind -> Text,
        actor_id -> Nullable<BigInt>,
        actor_label -> Text,
        state -> Text,
        planned -> BigInt,
        done -> BigInt,
        blocked -> BigInt,
        skipped_no_email -> BigInt,
        skipped_role -> BigInt,
        skipped_changed -> BigInt,
        stop_reason -> Nullable<Text>,
        skipped_status -> BigInt,
        skipped_self -> BigInt,
        form_key -> Nullable<Text>,
        scheduled_for -> Nullable<Timestamp>,
        leased_by -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    bulk_task_items (task_id, user_id) {
        task_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    blocked_addresses (address_lower) {
        address_lower -> Text,
        reason -> Text,
        smtp_answer -> Nullable<Text>,
        message_id -> Nullable<BigInt>,
        blocked_at -> Timestamp,
    }
}
