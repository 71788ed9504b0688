import Foundation
import GRDB
import Logging
import ServiceKit
import Testing

/// The sweep over the one schema: a backlog longer than one batch goes in several
/// transactions and whole; answers younger than the retention stay.
@Suite struct IdempotencyRetentionSweepTests {
    @Test func aBacklogOfSeveralBatchesIsDeletedWholeAndYoungerAnswersStay() async throws {
        let queue = try DatabaseQueue()
        let day: Int64 = 86_400_000
        let now = 30 * day
        try await queue.write { db in
            try IdempotencyStore.migrate(db)
            let insert = try db.makeStatement(sql: "INSERT INTO idempotency VALUES ('op', 'm', ?, x'01', x'02', ?)")
            for i in 0..<2_500 { try insert.execute(arguments: ["old-\(i)", now - 8 * day - Int64(i)]) }
            try insert.execute(arguments: ["edge", now - 7 * day])  // exactly the retention: kept
            try insert.execute(arguments: ["new", now - day])
        }
        let retention = IdempotencyRetention(writer: queue, nowMs: { now }, logger: Logger(label: "test"))
        #expect(try await retention.sweep() == 2_500)
        #expect(try await queue.read { db in try String.fetchAll(db, sql: "SELECT key FROM idempotency ORDER BY key") } == ["edge", "new"])
        #expect(try await retention.sweep() == 0)
    }
}
