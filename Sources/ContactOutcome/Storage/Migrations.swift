import Foundation
import GRDB
import ServiceKit

/// The contacts schema. Shipped migrations are never edited; a change is a new migration.
enum ContactsMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sessions, history, idempotency, call lists") { db in
            try db.execute(sql: """
                CREATE TABLE call_session (
                    session_id TEXT PRIMARY KEY,
                    card_id INTEGER NOT NULL CHECK (card_id > 0),
                    campaign_id TEXT NOT NULL,
                    direction INTEGER NOT NULL,
                    card_type INTEGER NOT NULL,
                    client_utc_offset INTEGER NOT NULL,
                    operator_login TEXT NOT NULL,
                    operator_name TEXT NOT NULL,
                    operator_role TEXT NOT NULL,
                    lease_id TEXT,
                    current_block_id TEXT,
                    script_path TEXT NOT NULL DEFAULT '',
                    objection_attempts INTEGER NOT NULL DEFAULT 0 CHECK (objection_attempts >= 0),
                    draft BLOB,
                    draft_kind INTEGER,
                    opened_ms INTEGER NOT NULL,
                    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'saved', 'exited')),
                    entry_id TEXT
                );
                CREATE TABLE history_entry (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    entry_id TEXT NOT NULL UNIQUE,
                    card_id INTEGER NOT NULL DEFAULT 0,
                    contract_number TEXT NOT NULL DEFAULT '',
                    occurred_ms INTEGER NOT NULL,
                    action INTEGER NOT NULL,
                    result_kind INTEGER NOT NULL DEFAULT 0,
                    source_key TEXT UNIQUE,
                    sms_state INTEGER,
                    entry BLOB NOT NULL
                );
                CREATE INDEX history_by_card ON history_entry (card_id, occurred_ms DESC, seq DESC);
                CREATE INDEX history_by_contract ON history_entry (contract_number, occurred_ms DESC, seq DESC);
                CREATE INDEX history_by_result ON history_entry (card_id, result_kind, occurred_ms);
                CREATE TABLE idempotency (
                    operator_login TEXT NOT NULL,
                    key TEXT NOT NULL,
                    method TEXT NOT NULL,
                    request BLOB NOT NULL,
                    response BLOB NOT NULL,
                    created_ms INTEGER NOT NULL,
                    PRIMARY KEY (operator_login, key)
                );
                CREATE TABLE do_not_disturb (
                    card_id INTEGER PRIMARY KEY,
                    since_ms INTEGER NOT NULL,
                    entry_id TEXT NOT NULL
                );
                CREATE TABLE call_list (
                    campaign_id TEXT NOT NULL,
                    card_id INTEGER NOT NULL CHECK (card_id > 0),
                    region_code TEXT NOT NULL DEFAULT '',
                    moscow_offset INTEGER NOT NULL DEFAULT 0,
                    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'done')),
                    due_ms INTEGER NOT NULL,
                    due_reason INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    hold_login TEXT,
                    lease_id TEXT UNIQUE,
                    lease_login TEXT,
                    lease_expires_ms INTEGER,
                    lease_in_session INTEGER NOT NULL DEFAULT 0,
                    added_ms INTEGER NOT NULL,
                    PRIMARY KEY (campaign_id, card_id),
                    CHECK ((lease_id IS NULL) = (lease_login IS NULL))
                );
                CREATE INDEX call_list_due ON call_list (campaign_id, status, due_ms);
                """)
        }
        migrator.registerMigration("v2: debtor portfolio, contact attempts, incoming calls, refinancing processes") { db in
            try db.execute(sql: """
                CREATE TABLE portfolio (
                    contract_number TEXT PRIMARY KEY,
                    card_id INTEGER NOT NULL DEFAULT 0,
                    surname TEXT NOT NULL,
                    name TEXT NOT NULL,
                    patronymic TEXT NOT NULL,
                    region_code TEXT NOT NULL DEFAULT '',
                    moscow_offset INTEGER NOT NULL DEFAULT 0,
                    collector_login TEXT NOT NULL,
                    procedure INTEGER NOT NULL,
                    priority INTEGER NOT NULL,
                    planned_start TEXT NOT NULL,
                    debt_kopecks INTEGER NOT NULL CHECK (debt_kopecks >= 0),
                    overdue_kopecks INTEGER NOT NULL DEFAULT 0,
                    overdue_days INTEGER NOT NULL DEFAULT 0,
                    last_payment TEXT,
                    contact_ban INTEGER NOT NULL DEFAULT 0,
                    hidden_until TEXT,
                    promise_made_on TEXT,
                    campaign_ended INTEGER NOT NULL DEFAULT 0,
                    is_new INTEGER NOT NULL DEFAULT 1,
                    process_key TEXT NOT NULL UNIQUE
                );
                CREATE INDEX portfolio_work_list ON portfolio (collector_login, priority DESC, planned_start, contract_number);
                CREATE TABLE contact_attempt (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    contract_number TEXT NOT NULL REFERENCES portfolio (contract_number),
                    channel INTEGER NOT NULL,
                    at_ms INTEGER NOT NULL
                );
                CREATE INDEX contact_attempt_by_contract ON contact_attempt (contract_number, channel, at_ms);
                CREATE TABLE refinancing_process (
                    process_key TEXT PRIMARY KEY,
                    contract_number TEXT NOT NULL REFERENCES portfolio (contract_number),
                    collector_login TEXT NOT NULL,
                    planned_start TEXT NOT NULL,
                    is_new INTEGER NOT NULL DEFAULT 1,
                    created_ms INTEGER NOT NULL
                );
                CREATE INDEX refinancing_by_collector ON refinancing_process (collector_login);
                CREATE TABLE incoming_call (
                    process_key TEXT PRIMARY KEY,
                    collector_login TEXT NOT NULL,
                    state TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('open', 'finished', 'cancelled')),
                    updated_ms INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3: when the call caps next allow a call, per contract (the work list filters in SQL)") { db in
            try db.execute(sql: """
                ALTER TABLE portfolio ADD COLUMN next_call_ms INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX refinancing_work_list ON refinancing_process (collector_login, contract_number);
                """)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for contract in try String.fetchAll(db, sql: "SELECT DISTINCT contract_number FROM contact_attempt") {
                try ContactsStore.refreshNextCall(db, contract: contract, nowMs: now)
            }
        }
        migrator.registerMigration("v4: the work list answered from one covering index") { db in
            // Every column the work list filters, orders, counts or shows, so a collector's
            // rows are read from adjacent index pages, not from table rows spread over the file.
            try db.execute(sql: """
                CREATE INDEX portfolio_work_list_covering ON portfolio (
                    collector_login, priority DESC, planned_start, contract_number, procedure, debt_kopecks, contact_ban,
                    campaign_ended, hidden_until, promise_made_on, last_payment, next_call_ms, moscow_offset, is_new,
                    process_key, surname, name, patronymic
                );
                DROP INDEX portfolio_work_list;
                """)
        }
        migrator.registerMigration("v5: one history index per card, covering the «Согласился» check") { db in
            // Each saved result lands on a random card: every index keyed by card costs a random
            // page per save in the commit. The card's history and the 14-day «Согласился»
            // lookup now share one index (result_kind carried in it, so the check reads no rows).
            try db.execute(sql: """
                CREATE INDEX history_by_card_kind ON history_entry (card_id, occurred_ms DESC, seq DESC, result_kind);
                DROP INDEX history_by_card;
                DROP INDEX history_by_result;
                """)
        }
        migrator.registerMigration("v6: state checks without IN lists (no temporary b-tree per insert or update)") { db in
            // SQLite checks `x IN (a, b, c)` (three or more values) against a temporary b-tree
            // it builds and drops for every statement that runs the check: a pager and page
            // cache made and torn down for each session opened and each result saved. The same
            // rule as comparisons costs nothing. SQLite cannot alter a CHECK: the two tables are
            // rebuilt (sqlite.org/lang_altertable.html, "other kinds of table schema changes").
            try db.execute(sql: """
                CREATE TABLE call_session_v6 (
                    session_id TEXT PRIMARY KEY,
                    card_id INTEGER NOT NULL CHECK (card_id > 0),
                    campaign_id TEXT NOT NULL,
                    direction INTEGER NOT NULL,
                    card_type INTEGER NOT NULL,
                    client_utc_offset INTEGER NOT NULL,
                    operator_login TEXT NOT NULL,
                    operator_name TEXT NOT NULL,
                    operator_role TEXT NOT NULL,
                    lease_id TEXT,
                    current_block_id TEXT,
                    script_path TEXT NOT NULL DEFAULT '',
                    objection_attempts INTEGER NOT NULL DEFAULT 0 CHECK (objection_attempts >= 0),
                    draft BLOB,
                    draft_kind INTEGER,
                    opened_ms INTEGER NOT NULL,
                    state TEXT NOT NULL DEFAULT 'open' CHECK (state = 'open' OR state = 'saved' OR state = 'exited'),
                    entry_id TEXT
                );
                INSERT INTO call_session_v6 SELECT * FROM call_session;
                DROP TABLE call_session;
                ALTER TABLE call_session_v6 RENAME TO call_session;
                CREATE TABLE incoming_call_v6 (
                    process_key TEXT PRIMARY KEY,
                    collector_login TEXT NOT NULL,
                    state TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status = 'open' OR status = 'finished' OR status = 'cancelled'),
                    updated_ms INTEGER NOT NULL
                );
                INSERT INTO incoming_call_v6 SELECT * FROM incoming_call;
                DROP TABLE incoming_call;
                ALTER TABLE incoming_call_v6 RENAME TO incoming_call;
                """)
        }
        // The retention sweep (ServiceKit.IdempotencyRetention) deletes by age without a scan.
        migrator.registerMigration("v7: idempotency answers by age (the retention sweep)") { db in
            try db.execute(sql: "CREATE INDEX idempotency_by_age ON idempotency(created_ms)")
        }
        // One schema and scope for idempotent answers in every service (ServiceKit.IdempotencyStore).
        migrator.registerMigration("v8: one idempotency store (ServiceKit.IdempotencyStore)") { db in
            try IdempotencyStore.migrate(db)
        }
        return migrator
    }
}
