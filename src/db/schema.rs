//! Diesel table definitions, one portable schema for PostgreSQL and SQLite.

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        time_zone -> Text,
        locale -> Text,
        currency -> Text,
        version -> BigInt,
        booking_lead_minutes -> Integer,
        booking_horizon_days -> Integer,
        slot_interval_minutes -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// Bumped by triggers on every change to what schedules are made of.
        setup_version -> BigInt,
        /// ISO 3166-1 alpha-2: where national phone numbers belong.
        country -> Text,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        role -> Text,
        prefix -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    locations (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        time_zone -> Text,
        weekly_hours -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        booking_lead_minutes -> Nullable<Integer>,
        booking_horizon_days -> Nullable<Integer>,
        slot_interval_minutes -> Nullable<Integer>,
    }
}

diesel::table! {
    resources (id) {
        id -> Text,
        organization_id -> Text,
        location_id -> Text,
        name -> Text,
        kind -> Text,
        weekly_hours -> Nullable<Text>,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// One row per resource (a trigger adds it with the resource): the version its busy
    /// blocks are at, bumped by triggers on every change to them.
    busy_versions (resource_id) {
        resource_id -> Text,
        busy_version -> BigInt,
    }
}

diesel::table! {
    closures (id) {
        id -> Text,
        organization_id -> Text,
        location_id -> Text,
        resource_id -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        duration_minutes -> Integer,
        buffer_before_minutes -> Integer,
        buffer_after_minutes -> Integer,
        resource_kinds -> Text,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The resources a service may be given (its allow-list), in the order listed.
    service_resources (service_id, resource_id) {
        service_id -> Text,
        resource_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    /// The locations offering a service, in the order listed; none: every location.
    service_locations (service_id, location_id) {
        service_id -> Text,
        location_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    customers (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        locale -> Text,
        preferred_channel -> Text,
        external_ref -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (api_key_id, key) {
        api_key_id -> Text,
        key -> Text,
        organization_id -> Text,
        fingerprint -> Text,
        status_code -> Nullable<Integer>,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        body -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    appointments (id) {
        id -> Text,
        organization_id -> Text,
        location_id -> Text,
        service_id -> Text,
        customer_id -> Text,
        status -> Text,
        channel -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        block_starts_at -> Timestamp,
        block_ends_at -> Timestamp,
        local_date -> Text,
        notes -> Nullable<Text>,
        external_ref -> Nullable<Text>,
        cancel_reason_category -> Nullable<Text>,
        cancel_reason_text -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        moves -> Integer,
        original_starts_at -> Timestamp,
        no_show_at -> Nullable<Timestamp>,
        vehicle_id -> Nullable<Text>,
    }
}

diesel::table! {
    vehicles (id) {
        id -> Text,
        organization_id -> Text,
        customer_id -> Text,
        /// Normalised (`B 1234 XYZ`); unique within the organization.
        plate -> Text,
        make -> Nullable<Text>,
        model -> Nullable<Text>,
        year -> Nullable<Integer>,
        odometer_km -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    appointment_resources (appointment_id, resource_id) {
        appointment_id -> Text,
        resource_id -> Text,
        organization_id -> Text,
        location_id -> Text,
        block_starts_at -> Timestamp,
        block_ends_at -> Timestamp,
        active -> Bool,
    }
}

diesel::table! {
    appointment_events (id) {
        id -> Text,
        organization_id -> Text,
        appointment_id -> Text,
        kind -> Text,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        changes -> Text,
        reason_category -> Nullable<Text>,
        reason_text -> Nullable<Text>,
        note -> Nullable<Text>,
        occurred_at -> Timestamp,
        details -> Nullable<Text>,
    }
}

diesel::joinable!(appointment_resources -> appointments (appointment_id));
diesel::joinable!(appointments -> locations (location_id));
diesel::joinable!(appointments -> services (service_id));
diesel::joinable!(appointments -> customers (customer_id));
diesel::joinable!(appointments -> vehicles (vehicle_id));
diesel::joinable!(vehicles -> customers (customer_id));
diesel::joinable!(appointment_resources -> resources (resource_id));
diesel::joinable!(busy_versions -> resources (resource_id));
diesel::joinable!(appointment_events -> appointments (appointment_id));
diesel::joinable!(call_flags -> appointments (appointment_id));
diesel::joinable!(customer_links -> appointments (appointment_id));
diesel::joinable!(api_keys -> organizations (organization_id));
diesel::joinable!(locations -> organizations (organization_id));
diesel::joinable!(resources -> locations (location_id));
diesel::joinable!(closures -> locations (location_id));
diesel::joinable!(service_resources -> services (service_id));
diesel::joinable!(service_resources -> resources (resource_id));
diesel::joinable!(service_locations -> services (service_id));
diesel::joinable!(service_locations -> locations (location_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    api_keys,
    locations,
    resources,
    busy_versions,
    closures,
    services,
    service_resources,
    service_locations,
    customers,
    idempotency_keys,
    policies,
    appointments,
    vehicles,
    appointment_resources,
    appointment_events,
    fees,
    notification_settings,
    outbox_messages,
    delivery_attempts,
    inbound_messages,
    webhook_endpoints,
    delivery_adapters,
    call_flags,
    customer_links,
);

diesel::table! {
    policies (id) {
        id -> Text,
        organization_id -> Text,
        location_id -> Nullable<Text>,
        service_id -> Nullable<Text>,
        scope_key -> Text,
        name -> Text,
        currency -> Text,
        body -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    fees (id) {
        id -> Text,
        organization_id -> Text,
        appointment_id -> Text,
        customer_id -> Text,
        kind -> Text,
        amount -> BigInt,
        currency -> Text,
        status -> Text,
        rule -> Text,
        tier_index -> Nullable<Integer>,
        tier_notice_minutes -> Nullable<BigInt>,
        event_id -> Text,
        policy_id -> Nullable<Text>,
        note -> Nullable<Text>,
        payment_ref -> Nullable<Text>,
        resolved_by -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notification_settings (organization_id) {
        organization_id -> Text,
        gateway_url -> Nullable<Text>,
        secret_generation -> Integer,
        previous_secret_until -> Nullable<Timestamp>,
        reminder_offsets -> Text,
        quiet_start -> Nullable<Text>,
        quiet_end -> Nullable<Text>,
        catch_up_minutes -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        unconfirmed_follow_up_minutes -> Nullable<Integer>,
        unconfirmed_call_minutes -> Nullable<Integer>,
        survey_url -> Nullable<Text>,
        templates -> Text,
        overrides -> Text,
        reply_words -> Text,
        reply_answers -> Text,
    }
}

diesel::table! {
    customer_links (id) {
        id -> Text,
        organization_id -> Text,
        appointment_id -> Text,
        token_hash -> Text,
        message_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    call_flags (appointment_id) {
        appointment_id -> Text,
        organization_id -> Text,
        reason -> Text,
        since -> Timestamp,
        raised -> Bool,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> Text,
        organization_id -> Text,
        appointment_id -> Nullable<Text>,
        kind -> Text,
        channel -> Text,
        recipient -> Text,
        payload -> Text,
        status -> Text,
        due_at -> Timestamp,
        next_attempt_at -> Timestamp,
        attempts -> Integer,
        lease_token -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        endpoint_id -> Nullable<Text>,
        event_type -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        organization_id -> Text,
        url -> Text,
        description -> Nullable<Text>,
        event_types -> Text,
        active -> Bool,
        secret_generation -> Integer,
        previous_secret_until -> Nullable<Timestamp>,
        disabled_at -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    delivery_attempts (id) {
        id -> Text,
        message_id -> Text,
        organization_id -> Text,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        latency_ms -> Integer,
        error -> Nullable<Text>,
    }
}

diesel::joinable!(delivery_attempts -> outbox_messages (message_id));

diesel::table! {
    inbound_messages (organization_id, id) {
        organization_id -> Text,
        id -> Text,
        received_at -> Timestamp,
        sender -> Text,
        text -> Text,
        intent -> Text,
        customer_id -> Nullable<Text>,
        appointment_id -> Nullable<Text>,
    }
}

diesel::table! {
    delivery_adapters (organization_id, kind) {
        organization_id -> Text,
        kind -> Text,
        settings -> Text,
        sealed_credentials -> Text,
        verify_token_hash -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
