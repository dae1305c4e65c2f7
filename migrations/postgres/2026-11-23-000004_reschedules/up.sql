-- Reschedules move an appointment in place. These columns bound and count the moves.
ALTER TABLE appointments ADD COLUMN moves INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointments ADD COLUMN original_starts_at TIMESTAMP;
UPDATE appointments SET original_starts_at = starts_at;
ALTER TABLE appointments ALTER COLUMN original_starts_at SET NOT NULL;
ALTER TABLE appointments ADD COLUMN no_show_at TIMESTAMP;
UPDATE appointments SET no_show_at = updated_at WHERE status = 'no_show';

-- What a change decided besides its field changes: fee, override, policy.
ALTER TABLE appointment_events ADD COLUMN details TEXT;

-- Fees assessed by reschedules, rebookings and cancellations: the ledger.
CREATE TABLE fees (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    -- 'reschedule', 'rebooking' (after a no-show) or 'cancellation'.
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    -- 'due', 'waived' or 'paid'.
    status TEXT NOT NULL,
    -- 'tier' or 'after_no_show', with the tier when it was one.
    rule TEXT NOT NULL,
    tier_index INTEGER,
    tier_notice_minutes BIGINT,
    -- The history event of the change that assessed it.
    event_id TEXT NOT NULL REFERENCES appointment_events (id),
    policy_id TEXT,
    note TEXT,
    payment_ref TEXT,
    resolved_by TEXT,
    resolved_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX fees_org ON fees (organization_id, id);
CREATE INDEX fees_customer ON fees (customer_id, id);
CREATE INDEX fees_appointment ON fees (appointment_id);
