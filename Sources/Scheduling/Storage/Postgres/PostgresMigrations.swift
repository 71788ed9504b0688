import Auth
import CRMDomain
import Foundation
import Logging
import PostgresNIO

/// The scheduling schema on PostgreSQL. Never edit a shipped migration: add one. Each runs
/// in the migrating transaction; `schema_migrations` records which ran.
///
/// Replicas start together: each takes the same advisory lock first (held to the end of
/// its transaction), so one migrates and the others wait, then find nothing left to do.
enum PostgresSchedulingMigrations {
    struct Migration: Sendable {
        var name: String
        var run: @Sendable (PostgresConnection, Logger) async throws -> Void
    }

    /// The advisory lock's key: "crm-scheduling-migrate" as a fixed number, shared by every replica.
    static let lockKey: Int64 = 0x6372_6D73_6368_6564

    static let all: [Migration] = [
        Migration(name: "v1-schema") { connection, logger in
            for statement in schema { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
        },
        Migration(name: "v2-seed-offices") { connection, logger in
            try await seedOffices(connection, logger: logger)
        },
        // Office search by words: an expression GIN index over the folded text, which the
        // search's `to_tsvector('simple', search_body) @@ …` uses instead of a scan.
        Migration(name: "v3-office-search-index") { connection, logger in
            try await connection.query(
                "CREATE INDEX office_search ON office USING GIN (to_tsvector('simple', search_body))", logger: logger
            )
        },
    ]

    /// Runs the migrations not yet run, the first `upTo` of them (all when nil: tests stop
    /// earlier to test an upgrade from the previous version).
    static func migrate(_ client: PostgresClient, logger: Logger, upTo: Int? = nil) async throws {
        let wanted = all.prefix(upTo ?? all.count)
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_ms BIGINT NOT NULL)", logger: logger
            )
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for migration in wanted where !applied.contains(migration.name) {
                try await migration.run(connection, logger)
                try await connection.query(
                    "INSERT INTO schema_migrations (name, applied_ms) VALUES (\(migration.name), \(SystemClockMs.now()))", logger: logger
                )
                logger.info("scheduling migration applied", metadata: ["migration": "\(migration.name)"])
            }
        }
    }

    static let redactedLoginCode = SmsTemplates.loginCodeText("******").replacingOccurrences(of: "'", with: "''")

    static let schema: [String] = [
        """
        CREATE TABLE region (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            moscow_offset_hours BIGINT NOT NULL CHECK (moscow_offset_hours BETWEEN -1 AND 9)
        )
        """,
        """
        CREATE TABLE settlement (
            id TEXT PRIMARY KEY,
            region_code TEXT NOT NULL REFERENCES region(code),
            name TEXT NOT NULL
        )
        """,
        "CREATE INDEX settlement_region ON settlement(region_code, name)",
        """
        CREATE TABLE office (
            id TEXT PRIMARY KEY,
            region_code TEXT NOT NULL REFERENCES region(code),
            settlement_id TEXT NOT NULL REFERENCES settlement(id),
            name TEXT NOT NULL,
            address TEXT NOT NULL,
            kind BIGINT NOT NULL CHECK (kind IN (1, 2)),
            hours_text TEXT NOT NULL,
            metro TEXT NOT NULL DEFAULT '',
            landmarks TEXT NOT NULL DEFAULT '',
            slot_minutes BIGINT NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
            slot_capacity BIGINT NOT NULL CHECK (slot_capacity BETWEEN 1 AND 100),
            -- Name, address, metro and landmarks folded (SearchText.fold) for the word search.
            search_body TEXT NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX office_place ON office(region_code, settlement_id, name)",
        """
        CREATE TABLE office_hours (
            office_id TEXT NOT NULL REFERENCES office(id) ON DELETE CASCADE,
            weekday BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
            opens_minute BIGINT NOT NULL CHECK (opens_minute BETWEEN 0 AND 1439),
            closes_minute BIGINT NOT NULL CHECK (closes_minute BETWEEN 1 AND 1440),
            PRIMARY KEY (office_id, weekday),
            CHECK (closes_minute > opens_minute)
        )
        """,
        """
        CREATE TABLE booking (
            id TEXT PRIMARY KEY,
            office_id TEXT NOT NULL REFERENCES office(id),
            date TEXT NOT NULL,
            start_minute BIGINT NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
            card_id BIGINT NOT NULL CHECK (card_id > 0),
            surname TEXT NOT NULL,
            name TEXT NOT NULL,
            patronymic TEXT NOT NULL,
            state BIGINT NOT NULL CHECK (state IN (1, 2)),
            booked_by_login TEXT NOT NULL,
            booked_by_name TEXT NOT NULL,
            created_ms BIGINT NOT NULL,
            cancelled_ms BIGINT,
            cancel_reason TEXT,
            visit_sms_id TEXT
        )
        """,
        "CREATE INDEX booking_slot ON booking(office_id, date, start_minute, state)",
        // One row per slot ever booked: the row a booking locks (FOR UPDATE) before it counts
        // the slot's places, so bookings of one slot from any replica take turns.
        """
        CREATE TABLE slot_lock (
            office_id TEXT NOT NULL,
            date TEXT NOT NULL,
            start_minute BIGINT NOT NULL,
            PRIMARY KEY (office_id, date, start_minute)
        )
        """,
        """
        CREATE TABLE idempotency (
            operator_login TEXT NOT NULL,
            method TEXT NOT NULL,
            key TEXT NOT NULL,
            request BYTEA NOT NULL,
            response BYTEA NOT NULL,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (operator_login, method, key)
        )
        """,
        "CREATE INDEX idempotency_by_age ON idempotency(created_ms)",
        """
        CREATE TABLE sms (
            id TEXT PRIMARY KEY,
            -- The listing's order among messages accepted in the same millisecond (SQLite's rowid).
            seq BIGSERIAL NOT NULL UNIQUE,
            card_id BIGINT NOT NULL DEFAULT 0,
            contract_number TEXT NOT NULL DEFAULT '',
            login TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL CHECK (length(phone) = 10),
            template_id TEXT NOT NULL,
            template_name TEXT NOT NULL,
            text TEXT NOT NULL,
            category BIGINT NOT NULL CHECK (category BETWEEN 1 AND 4),
            -- 1 queued, 2 sent, 3 delivered, 4 failed, 5 cancelled, 6 sent with no report in time
            state BIGINT NOT NULL CHECK (state BETWEEN 1 AND 6),
            failure_reason TEXT NOT NULL DEFAULT '',
            utc_offset_minutes BIGINT NOT NULL,
            accepted_ms BIGINT NOT NULL,
            due_ms BIGINT NOT NULL,
            next_attempt_ms BIGINT NOT NULL,
            sent_ms BIGINT NOT NULL DEFAULT 0,
            delivered_ms BIGINT NOT NULL DEFAULT 0,
            attempts BIGINT NOT NULL DEFAULT 0,
            lease_owner TEXT,
            lease_until_ms BIGINT NOT NULL DEFAULT 0,
            sent_by_login TEXT NOT NULL,
            sent_by_name TEXT NOT NULL,
            booking_id TEXT NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX sms_due ON sms(state, next_attempt_ms)",
        "CREATE INDEX sms_card ON sms(card_id, accepted_ms, seq)",
        "CREATE INDEX sms_contract ON sms(contract_number, due_ms) WHERE contract_number <> ''",
        "CREATE INDEX sms_awaiting_report ON sms(sent_ms) WHERE state = 2",
        """
        CREATE TABLE sms_report (
            sms_id TEXT PRIMARY KEY REFERENCES sms(id),
            version BIGINT NOT NULL DEFAULT 1,
            attempts BIGINT NOT NULL DEFAULT 0,
            next_attempt_ms BIGINT NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX sms_report_due ON sms_report(next_attempt_ms)",
        // A message of a client's card is reported to the contacts service's history at
        // acceptance and at each change of state, marked in the changing transaction (as on SQLite).
        """
        CREATE FUNCTION sms_report_mark() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO sms_report (sms_id) VALUES (NEW.id)
            ON CONFLICT (sms_id) DO UPDATE SET version = sms_report.version + 1, attempts = 0, next_attempt_ms = 0;
            RETURN NEW;
        END $$
        """,
        """
        CREATE TRIGGER sms_report_on_insert AFTER INSERT ON sms FOR EACH ROW WHEN (NEW.card_id > 0)
        EXECUTE FUNCTION sms_report_mark()
        """,
        """
        CREATE TRIGGER sms_report_on_state AFTER UPDATE OF state ON sms FOR EACH ROW
        WHEN (NEW.card_id > 0 AND NEW.state <> OLD.state) EXECUTE FUNCTION sms_report_mark()
        """,
        // A login code leaves the database once its message is handed off, failed or cancelled.
        """
        CREATE FUNCTION sms_login_code_redact() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.template_id = 'login-code' AND NEW.state <> 1 THEN
                NEW.text := '\(redactedLoginCode)';
            END IF;
            RETURN NEW;
        END $$
        """,
        """
        CREATE TRIGGER sms_login_code_redact BEFORE UPDATE OF state ON sms FOR EACH ROW
        EXECUTE FUNCTION sms_login_code_redact()
        """,
    ]

    static func seedOffices(_ connection: PostgresConnection, logger: Logger) async throws {
        for region in Regions.all {
            try await connection.query(
                "INSERT INTO region (code, name, moscow_offset_hours) VALUES (\(region.code), \(region.name), \(region.moscowOffsetHours))",
                logger: logger
            )
        }
        for place in OfficeSeed.settlements {
            try await connection.query(
                "INSERT INTO settlement (id, region_code, name) VALUES (\(place.id), \(place.region), \(place.name))", logger: logger
            )
        }
        for (office, hours) in OfficeSeed.records {
            let body = OfficeSeed.searchBody(office)
            try await connection.query(
                """
                INSERT INTO office (id, region_code, settlement_id, name, address, kind, hours_text, metro, landmarks,
                                    slot_minutes, slot_capacity, search_body)
                VALUES (\(office.id), \(office.regionCode), \(office.settlementId), \(office.name), \(office.address), \(office.kind),
                        \(office.hoursText), \(office.metro), \(office.landmarks), \(office.slotMinutes), \(office.slotCapacity), \(body))
                """,
                logger: logger
            )
            for day in hours {
                try await connection.query(
                    """
                    INSERT INTO office_hours (office_id, weekday, opens_minute, closes_minute)
                    VALUES (\(office.id), \(day.weekday), \(day.opens), \(day.closes))
                    """,
                    logger: logger
                )
            }
        }
    }
}
