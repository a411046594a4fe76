-- Team sync schema, version 1. Applied by the database owner (`init_db`), in one transaction with its version bump.
-- Members belong to the group role runsheet_member (created by init_db before this runs).

CREATE TABLE runsheet_devices (
    device      text PRIMARY KEY,
    -- The login role allowed to insert this device's events.
    member_role text NOT NULL,
    registered  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE runsheet_events (
    id         text PRIMARY KEY,
    run_id     text NOT NULL,
    device     text NOT NULL,
    device_seq bigint NOT NULL CHECK (device_seq > 0),
    lamport    bigint NOT NULL,
    hash       text NOT NULL,
    -- The event as JSON text, byte for byte as the client sent it (jsonb would reorder keys).
    body       text NOT NULL,
    author_fp  text,
    inserted_by text NOT NULL DEFAULT current_user,
    inserted_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (device, device_seq)
);
CREATE INDEX runsheet_events_run_device ON runsheet_events (run_id, device, device_seq);

-- Insert-only: no UPDATE/DELETE grants for members, and a trigger refusing them for everybody (the owner must
-- disable it on purpose to edit history, which is what verify then catches).
CREATE FUNCTION runsheet_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'runsheet events are insert-only: % refused', TG_OP;
END $$;
CREATE TRIGGER runsheet_events_insert_only BEFORE UPDATE OR DELETE ON runsheet_events
    FOR EACH ROW EXECUTE FUNCTION runsheet_refuse_change();
CREATE TRIGGER runsheet_events_no_truncate BEFORE TRUNCATE ON runsheet_events
    FOR EACH STATEMENT EXECUTE FUNCTION runsheet_refuse_change();

-- NOTIFY is only a wake-up: the payload is the run id, never the event.
CREATE FUNCTION runsheet_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('runsheet_events', NEW.run_id);
    RETURN NEW;
END $$;
CREATE TRIGGER runsheet_events_notify AFTER INSERT ON runsheet_events
    FOR EACH ROW EXECUTE FUNCTION runsheet_notify();

-- Row-level security, forced so it also binds the table owner's sessions that are not superuser: a member inserts
-- only events of devices registered to its own login role; everybody in the group reads everything.
ALTER TABLE runsheet_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE runsheet_events FORCE ROW LEVEL SECURITY;
CREATE POLICY runsheet_events_read ON runsheet_events FOR SELECT USING (true);
CREATE POLICY runsheet_events_insert_own_device ON runsheet_events FOR INSERT WITH CHECK (
    inserted_by = current_user
    AND EXISTS (SELECT 1 FROM runsheet_devices d WHERE d.device = runsheet_events.device AND d.member_role = current_user)
);

-- A member registers its own devices (as itself); it cannot claim a device already registered to another role.
ALTER TABLE runsheet_devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE runsheet_devices FORCE ROW LEVEL SECURITY;
CREATE POLICY runsheet_devices_read ON runsheet_devices FOR SELECT USING (true);
CREATE POLICY runsheet_devices_register_self ON runsheet_devices FOR INSERT WITH CHECK (member_role = current_user);

GRANT SELECT, INSERT ON runsheet_events TO runsheet_member;
GRANT SELECT, INSERT ON runsheet_devices TO runsheet_member;
GRANT SELECT ON runsheet_schema_version TO runsheet_member;
