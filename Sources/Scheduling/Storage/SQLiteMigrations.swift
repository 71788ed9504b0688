import GRDB
import ServiceKit

/// The scheduling schema. Never edit a shipped migration: add one.
enum SchedulingMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-offices") { db in
            try db.execute(sql: """
                CREATE TABLE region (
                    code TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    moscow_offset_hours INTEGER NOT NULL CHECK (moscow_offset_hours BETWEEN -1 AND 9)
                );
                CREATE TABLE settlement (
                    id TEXT PRIMARY KEY,
                    region_code TEXT NOT NULL REFERENCES region(code),
                    name TEXT NOT NULL
                );
                CREATE INDEX settlement_region ON settlement(region_code, name);
                CREATE TABLE office (
                    id TEXT PRIMARY KEY,
                    region_code TEXT NOT NULL REFERENCES region(code),
                    settlement_id TEXT NOT NULL REFERENCES settlement(id),
                    name TEXT NOT NULL,
                    address TEXT NOT NULL,
                    kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
                    hours_text TEXT NOT NULL,
                    metro TEXT NOT NULL DEFAULT '',
                    landmarks TEXT NOT NULL DEFAULT '',
                    slot_minutes INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
                    slot_capacity INTEGER NOT NULL CHECK (slot_capacity BETWEEN 1 AND 100)
                );
                CREATE INDEX office_place ON office(region_code, settlement_id, name);
                CREATE TABLE office_hours (
                    office_id TEXT NOT NULL REFERENCES office(id) ON DELETE CASCADE,
                    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
                    opens_minute INTEGER NOT NULL CHECK (opens_minute BETWEEN 0 AND 1439),
                    closes_minute INTEGER NOT NULL CHECK (closes_minute BETWEEN 1 AND 1440),
                    PRIMARY KEY (office_id, weekday),
                    CHECK (closes_minute > opens_minute)
                );
                -- Name, address, metro and landmarks folded (lower case, ё → е); rowid = office.rowid.
                CREATE VIRTUAL TABLE office_fts USING fts5(body, tokenize = 'unicode61');
                """)
        }
        migrator.registerMigration("v1-bookings") { db in
            try db.execute(sql: """
                CREATE TABLE booking (
                    id TEXT PRIMARY KEY,
                    office_id TEXT NOT NULL REFERENCES office(id),
                    date TEXT NOT NULL,
                    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
                    card_id INTEGER NOT NULL CHECK (card_id > 0),
                    surname TEXT NOT NULL,
                    name TEXT NOT NULL,
                    patronymic TEXT NOT NULL,
                    state INTEGER NOT NULL CHECK (state IN (1, 2)),
                    booked_by_login TEXT NOT NULL,
                    booked_by_name TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    cancelled_ms INTEGER,
                    cancel_reason TEXT,
                    visit_sms_id TEXT
                );
                CREATE INDEX booking_slot ON booking(office_id, date, start_minute, state);
                CREATE TABLE idempotency (
                    operator_login TEXT NOT NULL,
                    method TEXT NOT NULL,
                    key TEXT NOT NULL,
                    request BLOB NOT NULL,
                    response BLOB NOT NULL,
                    created_ms INTEGER NOT NULL,
                    PRIMARY KEY (operator_login, method, key)
                );
                """)
        }
        migrator.registerMigration("v1-sms-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE sms (
                    id TEXT PRIMARY KEY,
                    card_id INTEGER NOT NULL DEFAULT 0,
                    contract_number TEXT NOT NULL DEFAULT '',
                    login TEXT NOT NULL DEFAULT '',
                    phone TEXT NOT NULL CHECK (length(phone) = 10),
                    template_id TEXT NOT NULL,
                    template_name TEXT NOT NULL,
                    text TEXT NOT NULL,
                    category INTEGER NOT NULL CHECK (category BETWEEN 1 AND 4),
                    -- 1 queued, 2 sent, 3 delivered, 4 failed, 5 cancelled
                    state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 5),
                    failure_reason TEXT NOT NULL DEFAULT '',
                    utc_offset_minutes INTEGER NOT NULL,
                    accepted_ms INTEGER NOT NULL,
                    due_ms INTEGER NOT NULL,
                    next_attempt_ms INTEGER NOT NULL,
                    sent_ms INTEGER NOT NULL DEFAULT 0,
                    delivered_ms INTEGER NOT NULL DEFAULT 0,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    lease_owner TEXT,
                    lease_until_ms INTEGER NOT NULL DEFAULT 0,
                    sent_by_login TEXT NOT NULL,
                    sent_by_name TEXT NOT NULL,
                    booking_id TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX sms_due ON sms(state, next_attempt_ms);
                CREATE INDEX sms_card ON sms(card_id, accepted_ms);
                CREATE INDEX sms_contract ON sms(contract_number, due_ms) WHERE contract_number <> '';
                """)
        }
        migrator.registerMigration("v1-seed-offices") { db in
            try OfficeSeed.insert(db)
        }
        // A message of a client's card is reported to the contacts service's history at
        // acceptance and at each change of state: the trigger marks it in the same
        // transaction as the change, `ContactsReporter` delivers the latest state and
        // clears the mark only if no newer change came meanwhile (`version`).
        migrator.registerMigration("v2-sms-report") { db in
            try db.execute(sql: """
                CREATE TABLE sms_report (
                    sms_id TEXT PRIMARY KEY REFERENCES sms(id),
                    version INTEGER NOT NULL DEFAULT 1,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX sms_report_due ON sms_report(next_attempt_ms);
                CREATE TRIGGER sms_report_on_insert AFTER INSERT ON sms WHEN NEW.card_id > 0
                BEGIN
                    INSERT INTO sms_report (sms_id) VALUES (NEW.id)
                    ON CONFLICT (sms_id) DO UPDATE SET version = version + 1, attempts = 0, next_attempt_ms = 0;
                END;
                CREATE TRIGGER sms_report_on_state AFTER UPDATE OF state ON sms WHEN NEW.card_id > 0 AND NEW.state <> OLD.state
                BEGIN
                    INSERT INTO sms_report (sms_id) VALUES (NEW.id)
                    ON CONFLICT (sms_id) DO UPDATE SET version = version + 1, attempts = 0, next_attempt_ms = 0;
                END;
                """)
        }
        // SMS_STATE_NO_REPORT (6): the state column's CHECK widens, which SQLite does only
        // by rebuilding the table (its indexes and triggers with it).
        migrator.registerMigration("v3-sms-no-report") { db in
            try db.execute(sql: """
                CREATE TABLE sms_new (
                    id TEXT PRIMARY KEY,
                    card_id INTEGER NOT NULL DEFAULT 0,
                    contract_number TEXT NOT NULL DEFAULT '',
                    login TEXT NOT NULL DEFAULT '',
                    phone TEXT NOT NULL CHECK (length(phone) = 10),
                    template_id TEXT NOT NULL,
                    template_name TEXT NOT NULL,
                    text TEXT NOT NULL,
                    category INTEGER NOT NULL CHECK (category BETWEEN 1 AND 4),
                    -- 1 queued, 2 sent, 3 delivered, 4 failed, 5 cancelled, 6 sent with no report in time
                    state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 6),
                    failure_reason TEXT NOT NULL DEFAULT '',
                    utc_offset_minutes INTEGER NOT NULL,
                    accepted_ms INTEGER NOT NULL,
                    due_ms INTEGER NOT NULL,
                    next_attempt_ms INTEGER NOT NULL,
                    sent_ms INTEGER NOT NULL DEFAULT 0,
                    delivered_ms INTEGER NOT NULL DEFAULT 0,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    lease_owner TEXT,
                    lease_until_ms INTEGER NOT NULL DEFAULT 0,
                    sent_by_login TEXT NOT NULL,
                    sent_by_name TEXT NOT NULL,
                    booking_id TEXT NOT NULL DEFAULT ''
                );
                INSERT INTO sms_new SELECT * FROM sms;
                DROP TABLE sms;
                ALTER TABLE sms_new RENAME TO sms;
                CREATE INDEX sms_due ON sms(state, next_attempt_ms);
                CREATE INDEX sms_card ON sms(card_id, accepted_ms);
                CREATE INDEX sms_contract ON sms(contract_number, due_ms) WHERE contract_number <> '';
                CREATE INDEX sms_awaiting_report ON sms(sent_ms) WHERE state = 2;
                CREATE TRIGGER sms_report_on_insert AFTER INSERT ON sms WHEN NEW.card_id > 0
                BEGIN
                    INSERT INTO sms_report (sms_id) VALUES (NEW.id)
                    ON CONFLICT (sms_id) DO UPDATE SET version = version + 1, attempts = 0, next_attempt_ms = 0;
                END;
                CREATE TRIGGER sms_report_on_state AFTER UPDATE OF state ON sms WHEN NEW.card_id > 0 AND NEW.state <> OLD.state
                BEGIN
                    INSERT INTO sms_report (sms_id) VALUES (NEW.id)
                    ON CONFLICT (sms_id) DO UPDATE SET version = version + 1, attempts = 0, next_attempt_ms = 0;
                END;
                """)
        }
        // The retention sweep (ServiceKit.IdempotencyRetention) deletes by age without a scan.
        migrator.registerMigration("v4-idempotency-by-age") { db in
            try db.execute(sql: "CREATE INDEX idempotency_by_age ON idempotency(created_ms)")
        }
        // A login code is a password for its 5 minutes: once handed to the provider (or
        // failed, or cancelled) the outbox keeps the message without it, so the database
        // (and its backups) never hold a usable code past its delivery.
        migrator.registerMigration("v5-login-code-redaction") { db in
            try db.execute(sql: """
                CREATE TRIGGER sms_login_code_redact AFTER UPDATE OF state ON sms
                WHEN NEW.template_id = 'login-code' AND NEW.state <> 1
                BEGIN
                    UPDATE sms SET text = '\(SmsTemplates.loginCodeText("******"))' WHERE id = NEW.id;
                END;
                UPDATE sms SET text = '\(SmsTemplates.loginCodeText("******"))' WHERE template_id = 'login-code' AND state <> 1;
                """)
        }
        // One schema and scope for idempotent answers in every service (ServiceKit.IdempotencyStore).
        migrator.registerMigration("v6-one-idempotency-store") { db in
            try IdempotencyStore.migrate(db)
        }
        return migrator
    }
}
