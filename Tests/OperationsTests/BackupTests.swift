import Foundation
import GRDB
@testable import ServiceKit
import Synchronization
import Testing

/// A backup taken while writes run is a consistent database holding every transaction
/// committed before it began, and only whole transactions.
@Suite struct BackupTests {
    @Test func aBackupDuringWritesHoldsEveryCommitBeforeItAndOnlyWholeTransactions() async throws {
        let folder = try temporaryFolder("backup")
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = folder.appendingPathComponent("live.sqlite").path
        let pool = try DatabasePool(path: live)
        try await pool.write { db in
            try db.execute(sql: "CREATE TABLE visit(id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
            try db.execute(sql: "CREATE TABLE outcome(id INTEGER PRIMARY KEY, visit_id INTEGER NOT NULL REFERENCES visit(id))")
        }
        let committed = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let writer = Task.detached {
            var n = 0
            while !stop.load(ordering: .relaxed) {
                n += 1
                // One transaction writes both rows: a backup has both or neither.
                try await pool.write { [n] db in
                    try db.execute(sql: "INSERT INTO visit(id, note) VALUES (?, ?)", arguments: [n, String(repeating: "x", count: 200)])
                    try db.execute(sql: "INSERT INTO outcome(id, visit_id) VALUES (?, ?)", arguments: [n, n])
                }
                committed.store(n, ordering: .relaxed)
            }
        }
        while committed.load(ordering: .relaxed) < 2000 { try await Task.sleep(for: .milliseconds(5)) }
        let before = committed.load(ordering: .relaxed)
        let target = folder.appendingPathComponent("backup.sqlite").path
        let summary = try SQLiteBackup.backup(database: live, to: target)
        let after = committed.load(ordering: .relaxed)
        stop.store(true, ordering: .relaxed)
        try await writer.value

        let copy = try DatabaseQueue(path: target)
        let (visits, outcomes, maxID) = try await copy.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM visit")!,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM outcome")!,
             try Int.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM visit")!)
        }
        print("backup during writes: \(before) committed before it began, \(visits) in the copy, \(after) by its end; \(summary.bytes) bytes, integrity \(summary.integrity)")
        #expect(summary.integrity == "ok")
        #expect(visits == outcomes)
        #expect(visits == maxID)  // no gaps: the commits up to a point, in order
        // `committed` is stored just after each commit: the copy may hold one more than `after`.
        #expect(visits >= before && visits <= after + 1)
        #expect(!FileManager.default.fileExists(atPath: target + ".partial-\(ProcessInfo.processInfo.processIdentifier)"))
    }

    @Test func aBackupNeverOverwritesAFileAndNamesAMissingDatabase() throws {
        let folder = try temporaryFolder("backup-refusals")
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = folder.appendingPathComponent("live.sqlite").path
        try DatabaseQueue(path: live).write { try $0.execute(sql: "CREATE TABLE t(x)") }
        let existing = folder.appendingPathComponent("existing.sqlite").path
        FileManager.default.createFile(atPath: existing, contents: Data("keep me".utf8))
        #expect(throws: SQLiteBackup.Failure.targetExists(existing)) { try SQLiteBackup.backup(database: live, to: existing) }
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
        let missing = folder.appendingPathComponent("missing.sqlite").path
        #expect(throws: SQLiteBackup.Failure.noDatabase(missing)) {
            try SQLiteBackup.backup(database: missing, to: folder.appendingPathComponent("b.sqlite").path)
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    /// The operator's procedure end to end with the real executables: `registry --backup-to` while
    /// the registry serves writes, then a registry started on the restored copy.
    @Test func registryBackupWhileServingThenRestore() async throws {
        let folder = try temporaryFolder("restore")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("registry.sqlite").path
        let registry = try ServiceProcess("registry", database: database)
        defer { registry.stop() }
        try await registry.start()
        let comments = Comments(registry.client())
        let card = try await comments.createCard()
        let acknowledged = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)
        let writer = Task {
            var index = 0
            while !stop.load(ordering: .relaxed) {
                let text = "c\(index)"
                try await comments.add(text, card: card)
                acknowledged.withLock { $0.append(text) }
                index += 1
            }
        }
        while acknowledged.withLock({ $0.count }) < 50 { try await Task.sleep(for: .milliseconds(5)) }
        let before = Set(acknowledged.withLock { $0 })
        let backup = folder.appendingPathComponent("registry-backup.sqlite").path
        let tool = try runTool("registry", ["--backup-to", backup], environment: ["CRM_DATABASE": database])
        let after = Set(acknowledged.withLock { $0 })
        stop.store(true, ordering: .relaxed)
        try await writer.value
        #expect(tool.status == 0, "\(tool.output)")
        #expect(tool.output.contains("integrity ok"))

        // Restore: the copy becomes a database file of its own; a registry starts on it.
        let restoredFolder = try temporaryFolder("restored")
        defer { try? FileManager.default.removeItem(at: restoredFolder) }
        let restoredPath = restoredFolder.appendingPathComponent("registry.sqlite").path
        try FileManager.default.copyItem(atPath: backup, toPath: restoredPath)
        let restored = try ServiceProcess("registry", database: restoredPath)
        defer { restored.stop() }
        try await restored.start()
        let stored = Set(try await Comments(restored.client()).all(card: card))
        print("registry backup while serving: \(before.count) comments acknowledged before `registry --backup-to` began, \(stored.count) in the restored copy, \(after.count) by its end")
        #expect(before.isSubset(of: stored))
        #expect(stored.isSubset(of: after.union(acknowledged.withLock { Set($0) })))
    }
}
