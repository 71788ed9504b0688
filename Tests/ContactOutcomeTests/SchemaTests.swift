@testable import ContactOutcome
import Foundation
import GRDB
import Testing

@Suite("Contacts schema")
struct SchemaTests {
    /// The writer runs every insert and update of a save; a CHECK written as `IN (a, b, c)`
    /// makes SQLite build and drop a temporary b-tree (`OpenEphemeral`) each time it runs.
    @Test("no table's insert or full-row update needs a temporary b-tree")
    func writesNeedNoTemporaryBTree() throws {
        let store = try ContactsStore.inMemory()
        try store.writer.read { db in
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                """)
            #expect(tables.contains("call_session") && tables.contains("incoming_call"))
            for table in tables {
                let columns = try db.columns(in: table).map(\.name)
                let assignments = columns.map { "\($0) = \($0)" }.joined(separator: ", ")
                for sql in ["INSERT INTO \(table) DEFAULT VALUES", "UPDATE \(table) SET \(assignments) WHERE rowid = 1"] {
                    let program = try Row.fetchAll(db, sql: "EXPLAIN \(sql)").map { $0["opcode"] as String }
                    #expect(!program.contains("OpenEphemeral"), "\(sql)")
                }
            }
        }
    }

    @Test("the state checks still refuse a state outside the list", arguments: [
        ("call_session", "state", "open", "closed", """
            INSERT INTO call_session (session_id, card_id, campaign_id, direction, card_type, client_utc_offset,
                operator_login, operator_name, operator_role, opened_ms, state)
            VALUES ('s1', 1, 'rcp', 1, 1, 180, 'op', 'Оператор', 'vcc', 0, ?)
            """),
        ("incoming_call", "status", "finished", "done",
         "INSERT INTO incoming_call (process_key, collector_login, state, status, updated_ms) VALUES ('p1', 'c', '{}', ?, 0)"),
    ])
    func stateChecks(table: String, column: String, allowed: String, refused: String, insert: String) throws {
        let store = try ContactsStore.inMemory()
        try store.writer.write { db in
            try db.execute(sql: insert, arguments: [allowed])
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "UPDATE \(table) SET \(column) = ?", arguments: [refused])
            }
            #expect(try String.fetchOne(db, sql: "SELECT \(column) FROM \(table)") == allowed)
        }
    }

    @Test("v6 keeps every session and incoming call a v5 database held")
    func v6KeepsRows() throws {
        let queue = try DatabaseQueue()
        try ContactsMigrations.migrator.migrate(queue, upTo: "v5: one history index per card, covering the «Согласился» check")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO call_session (session_id, card_id, campaign_id, direction, card_type, client_utc_offset,
                    operator_login, operator_name, operator_role, lease_id, current_block_id, script_path,
                    objection_attempts, draft, draft_kind, opened_ms, state, entry_id)
                VALUES ('s1', 7, 'rcp', 1, 2, 420, 'op', 'Оператор', 'vcc', 'l1', 'b2', 'b1\nb2', 2, x'0102', 5, 1234, 'saved', 'e1');
                INSERT INTO incoming_call (process_key, collector_login, state, status, updated_ms)
                VALUES ('p1', 'collector', '{"frame":800}', 'cancelled', 99);
                """)
        }
        let before = try queue.read { db in
            (try Row.fetchAll(db, sql: "SELECT * FROM call_session"), try Row.fetchAll(db, sql: "SELECT * FROM incoming_call"))
        }
        try ContactsMigrations.migrator.migrate(queue)
        try queue.read { db in
            #expect(try Row.fetchAll(db, sql: "SELECT * FROM call_session") == before.0)
            #expect(try Row.fetchAll(db, sql: "SELECT * FROM incoming_call") == before.1)
            let schema = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'call_session'") ?? ""
            #expect(!schema.contains(" IN ("))
        }
    }
}
