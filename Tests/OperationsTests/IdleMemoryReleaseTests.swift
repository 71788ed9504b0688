import Foundation
import GRDB
import Logging
import RPCCore
@testable import ServiceKit
import Synchronization
import Testing

@Suite("Memory released after a quiet period")
struct IdleMemoryReleaseTests {
    /// Each row: the server's call count at the end of successive periods, and whether each
    /// period's end releases.
    @Test("releases once per quiet period that follows calls", arguments: [
        ([0, 0, 0], [false, false, false]),  // never called: nothing to give back
        ([5, 5, 5], [false, true, false]),  // calls, then quiet: once
        ([5, 9, 12], [false, false, false]),  // busy every period
        ([5, 5, 7, 7, 7], [false, true, false, true, false]),  // quiet, busy again, quiet again
        ([3, 3, 3, 4, 4], [false, true, false, false, true]),
    ])
    func quietPeriods(counts: [UInt64], expected: [Bool]) {
        var quiet = QuietPeriods(calls: 0)
        #expect(counts.map { quiet.ended(calls: $0) } == expected)
    }

    @Test("a service counts calls through the interceptor and releases when they stop")
    func releasesWhenQuiet() async throws {
        let releases = Atomic<Int>(0)
        let memory = IdleMemoryRelease(quietPeriod: .milliseconds(40), logger: Logger(label: "test")) {
            releases.add(1, ordering: .relaxed)
        }
        let running = Task { try await memory.run() }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(150))
        #expect(releases.load(ordering: .relaxed) == 0, "no call yet: nothing to release")

        let context = ServerContext(descriptor: MethodDescriptor(service: "t.T", method: "M"), metadata: [:])
        for _ in 0..<3 {
            _ = try await memory.intercept(request: RPCRequestParts(method: "t.T/M", metadata: [:], payload: []), context: context) { _, _ in
                RPCResponseParts(result: .success([]))
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while releases.load(ordering: .relaxed) == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(releases.load(ordering: .relaxed) == 1, "one release for one quiet stretch")
    }

    @Test("the database serves reads and writes again after its memory was released")
    func databaseAfterRelease() async throws {
        let path = NSTemporaryDirectory() + "idle-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let pool = try DatabasePool(path: path)
        try await pool.write { db in try db.execute(sql: "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)") }
        #expect(try await pool.read { db in try Int.fetchOne(db, sql: "SELECT x FROM t") } == 1)
        let memory = IdleMemoryRelease(database: pool, quietPeriod: .seconds(1), logger: Logger(label: "test"))
        let running = Task { try await memory.run() }
        defer { running.cancel() }
        let context = ServerContext(descriptor: MethodDescriptor(service: "t.T", method: "M"), metadata: [:])
        _ = try await memory.intercept(request: RPCRequestParts(method: "t.T/M", metadata: [:], payload: []), context: context) { _, _ in
            RPCResponseParts(result: .success([]))
        }
        try await Task.sleep(for: .milliseconds(2500))
        try await pool.write { db in try db.execute(sql: "INSERT INTO t VALUES (2)") }
        #expect(try await pool.read { db in try Int.fetchOne(db, sql: "SELECT SUM(x) FROM t") } == 3)
    }
}
