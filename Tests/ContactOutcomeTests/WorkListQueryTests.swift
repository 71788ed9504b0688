import Auth
import CRMAPI
@testable import ContactOutcome
import CRMDomain
import Foundation
import GRDB
import RPCCore
import RPCTesting
import Testing
import Wire

@Suite("230-ФЗ: when the caps next allow a call")
struct NextCallTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var calls: [Int64]
        var next: Int64
        var moscowOffset = 0
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "no calls: any time", calls: [], next: 0),
        Row(name: "a call Tuesday: Wednesday 00:00", calls: [at(tuesday, 9)], next: at(date(2026, 3, 11), 0)),
        Row(name: "a call at 23:30 local in Приморье: its next local midnight", calls: [at(tuesday, 23, 30, moscowOffset: 7)],
            next: at(date(2026, 3, 11), 0, moscowOffset: 7), moscowOffset: 7),
        Row(name: "two calls this week: next Monday", calls: [at(tuesday, 9), at(date(2026, 3, 11), 9)], next: at(monday, 0)),
        Row(name: "two calls, Sunday then Monday: Tuesday (a new week)", calls: [at(date(2026, 3, 15), 10), at(monday, 10)],
            next: at(date(2026, 3, 17), 0)),
        Row(name: "eight calls in March: 1 April", calls: [2, 3, 9, 10, 16, 17, 23, 24].map { at(date(2026, 3, $0), 10) },
            next: at(date(2026, 4, 1), 0)),
        // 30 Mar–5 Apr is one week: two calls in it keep the caps closed past 1 April until Monday 6 April.
        Row(name: "eight in March, the last two on 30 and 31 March: Monday 6 April",
            calls: [2, 3, 9, 10, 16, 17, 30, 31].map { at(date(2026, 3, $0), 10) }, next: at(date(2026, 4, 6), 0)),
    ]

    @Test("table", arguments: rows)
    func table(_ row: Row) {
        #expect(Law230.nextCallAllowedMs(calls: row.calls, utcOffsetMinutes: 180 + 60 * row.moscowOffset) == row.next)
    }

    /// The stored instant says exactly what the counters say at any later instant: at or after
    /// it the caps allow a call, before it they refuse one.
    @Test("agrees with the counters at every later hour")
    func agreesWithCounters() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<300 {
            let offset = 180 + 60 * (random.below(11) - 1)
            let count = random.below(12)
            let calls = (0..<count).map { _ in fixedNow - Int64(random.below(45 * 24)) * 3_600_000 }
            let next = Law230.nextCallAllowedMs(calls: calls, utcOffsetMinutes: offset)
            for hour in 0..<(40 * 24) {
                let t = fixedNow + Int64(hour) * 3_600_000 + 1_800_000
                let c = Law230.counts(calls: calls, meetings: [], nowMs: t, utcOffsetMinutes: offset)
                let capsAllow = c.callsToday < 1 && c.callsThisWeek < 2 && c.callsThisMonth < 8
                #expect(capsAllow == (t >= next), "calls \(calls) offset \(offset) at \(t): next \(next)")
                if capsAllow != (t >= next) { return }
            }
        }
    }
}

@Suite("Work list in SQL")
struct WorkListQueryTests {
    /// The work list as the rules say, in Swift, from every row: the oracle for the SQL.
    func oracle(_ db: Database, collector: String, nowMs: Int64) throws -> [String] {
        let rows = try PortfolioRow.fetchAll(db, sql: "SELECT * FROM portfolio WHERE collector_login = ?", arguments: [collector])
        let offered = try rows.filter { row in
            guard row.onWorkList(nowMs: nowMs) else { return false }
            guard row.isOutgoing else { return true }
            let calls = try Int64.fetchAll(db, sql: "SELECT at_ms FROM contact_attempt WHERE contract_number = ? AND channel = ?",
                                           arguments: [row.contractNumber, ContactsV1.ContactChannel.call.rawValue])
            let counts = Law230.counts(calls: calls, meetings: [], nowMs: nowMs, utcOffsetMinutes: row.utcOffset)
            return Law230.refusal(channel: .call, ban: row.contactBan, counts: counts, nowMs: nowMs, utcOffsetMinutes: row.utcOffset, .shipped) == nil
        }
        return offered.sorted {
            ($1.priority, $0.plannedStart?.description ?? "", $0.contractNumber) < ($0.priority, $1.plannedStart?.description ?? "", $1.contractNumber)
        }.map(\.contractNumber)
    }

    @Test("the SQL offers exactly what the rules allow, at night, by day, on a weekend and weeks later")
    func agreesWithRules() async throws {
        let store = try ContactsStore.inMemory()
        // Many calls a year, so the day, week and month caps all bite.
        let plan = BenchData.Plan(contracts: 600, collectors: 3, callsPerContract: 120, seed: 3)
        try BenchData.seed(store.writer, plan, nowMs: fixedNow) { _ in }
        let hours = [0, 5, 12, 14, 18, 24 + 3, 4 * 24 + 1, 4 * 24 + 10, 9 * 24 + 20, 23 * 24 + 7]
        for hour in hours {
            let now = fixedNow + Int64(hour) * 3_600_000
            for collector in (0..<3).map(BenchData.collector) {
                let (expected, list) = try await store.read { db in
                    (try oracle(db, collector: collector, nowMs: now),
                     try ContactsStore.workList(db, collector: collector, procedure: .unspecified, newOnly: false, contract: "",
                                                nowMs: now, calendar: .shipped, offset: 0, limit: 10_000))
                }
                #expect(list.rows.map(\.contractNumber) == expected, "+\(hour) h, \(collector)")
                #expect(list.active == expected.count)
                #expect(!expected.isEmpty)
            }
        }
    }

    @Test("paging walks the same order; the new-only filter and counts agree")
    func paging() async throws {
        let store = try ContactsStore.inMemory()
        try BenchData.seed(store.writer, BenchData.Plan(contracts: 300, collectors: 1), nowMs: fixedNow) { _ in }
        let now = fixedNow + 3 * 3_600_000
        let all = try await store.read { db in
            try ContactsStore.workList(db, collector: BenchData.collector(0), procedure: .unspecified, newOnly: false, contract: "",
                                       nowMs: now, calendar: .shipped, offset: 0, limit: 10_000)
        }
        var paged: [String] = []
        for offset in stride(from: 0, to: all.active, by: 7) {
            paged += try await store.read { db in
                try ContactsStore.workList(db, collector: BenchData.collector(0), procedure: .unspecified, newOnly: false, contract: "",
                                           nowMs: now, calendar: .shipped, offset: offset, limit: 7).rows.map(\.contractNumber)
            }
        }
        #expect(paged == all.rows.map(\.contractNumber))
        let fresh = try await store.read { db in
            try ContactsStore.workList(db, collector: BenchData.collector(0), procedure: .unspecified, newOnly: true, contract: "",
                                       nowMs: now, calendar: .shipped, offset: 0, limit: 10_000)
        }
        #expect(fresh.active == all.new)
        #expect(fresh.rows.allSatisfy { $0.isNew })
    }

    @Test("a recorded call keeps the contract off until the caps allow: next day, then next Monday")
    func recordedCalls() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z1")]), metadata: fixture.metadata(.system, login: "loader"))
            let svv = fixture.metadata(.collector, login: "svv")
            func listed() async throws -> Bool { try await c.collection.getWorkList(.init(), metadata: svv).rows.contains { $0.contractNumber == "Z1" } }
            _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: .call), metadata: svv)
            #expect(try await !listed())
            fixture.clock.advance(ms: dayMs)  // Wednesday 09:00
            #expect(try await listed())
            _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: .call), metadata: svv)
            fixture.clock.advance(ms: dayMs)  // Thursday: two calls this week
            #expect(try await !listed())
            fixture.clock.advance(ms: 4 * dayMs)  // Monday 16 March 09:00
            #expect(try await listed())
            // The debtor moved 7 hours east: the stored instant follows the new local calendar.
            _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: .call), metadata: svv)
            _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z1", offset: 7)]), metadata: fixture.metadata(.system, login: "loader"))
            let next = try await fixture.store.read { db in try Int64.fetchOne(db, sql: "SELECT next_call_ms FROM portfolio WHERE contract_number = 'Z1'") }
            #expect(next == date(2026, 3, 17).unixMs(atMinute: 0, utcOffsetMinutes: 600))
        }
    }
}

@Suite("Group commit")
struct GroupCommitTests {
    /// Concurrent writes share commits; a write whose rule throws leaves nothing, the others all stay.
    @Test("a refused write in a shared commit rolls back only itself")
    func isolation() async throws {
        let store = try ContactsStore.inMemory()
        try await store.writer.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<200 {
                group.addTask {
                    do {
                        try await store.write { db in
                            try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [n])
                            if n % 3 == 0 { throw RuleError.failedPrecondition("refused") }
                        }
                        return (n, true)
                    } catch {
                        return (n, false)
                    }
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 200)
        #expect(outcomes.allSatisfy { $0.value == ($0.key % 3 != 0) })
        let stored = try await store.read { db in try Int.fetchAll(db, sql: "SELECT n FROM t ORDER BY n") }
        #expect(stored == (0..<200).filter { $0 % 3 != 0 })
    }

    @Test("a write whose caller is cancelled before its turn is not committed")
    func cancelledBeforeItsTurn() async throws {
        let store = try ContactsStore.inMemory()
        try await store.writer.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        let started = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        // The first write holds the writer, so the second waits for the next batch.
        let first = Task {
            try await store.write { db in
                started.signal()
                gate.wait()
                try db.execute(sql: "INSERT INTO t (n) VALUES (1)")
            }
        }
        await Task.detached { started.wait() }.value
        let second = Task { try await store.write { db in try db.execute(sql: "INSERT INTO t (n) VALUES (2)") } }
        second.cancel()
        gate.signal()
        try await first.value
        await #expect(throws: CancellationError.self) { try await second.value }
        #expect(try await store.read { db in try Int.fetchAll(db, sql: "SELECT n FROM t") } == [1])
    }

    @Test("concurrent saves over TCP on a file: each recorded once, refused ones write nothing, retries return the first answer")
    func concurrentSaves() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("group-saves-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fixture = try Fixture(store: try ContactsStore.open(path: directory.appendingPathComponent("c.sqlite").path))
        try await fixture.run(.tcp) { c in
            var sessions: [String] = []
            for card in 1...40 {
                let session = try await fixture.open(c.calls, card: Int64(card))
                if card % 4 != 0 {
                    _ = try await c.calls.setDraftResult(
                        .init(sessionID: session.sessionID, result: ContactsV1.CallResult(firstLevel: .notReached(.init(reason: .busy)))),
                        metadata: fixture.metadata(.vcc)
                    )
                }
                sessions.append(session.sessionID)
            }
            func saveAll() async throws -> [String: String] {
                try await withThrowingTaskGroup(of: (String, String).self) { group in
                    for session in sessions {
                        group.addTask {
                            do {
                                let saved = try await c.calls.saveCallResult(.init(sessionID: session), metadata: fixture.metadata(.vcc, key: "k-" + session))
                                return (session, saved.entryID)
                            } catch let error as RPCError {
                                return (session, "\(error.code)")
                            }
                        }
                    }
                    var all: [String: String] = [:]
                    for try await (session, answer) in group { all[session] = answer }
                    return all
                }
            }
            let first = try await saveAll()
            let again = try await saveAll()
            #expect(first == again)
            #expect(first.values.filter { $0 == "\(StatusCode.failedPrecondition)" }.count == 10)
            #expect(try await fixture.count("history_entry") == 30)
            #expect(try await fixture.count("idempotency") == 30)
            #expect(try await fixture.count("call_session", where: "state = 'saved'") == 30)
            #expect(try await fixture.count("call_session", where: "state = 'open'") == 10)
        }
    }
}

@Suite("Benchmark data")
struct BenchDataTests {
    @Test("the same seed gives the same rows")
    func deterministic() async throws {
        let plan = BenchData.Plan(contracts: 50, collectors: 2, seed: 9)
        func digest(_ store: ContactsStore) async throws -> [String] {
            try await store.read { db in
                try String.fetchAll(db, sql: """
                    SELECT contract_number || moscow_offset || procedure || priority || planned_start || next_call_ms || IFNULL(hidden_until, '')
                        || (SELECT GROUP_CONCAT(at_ms) FROM contact_attempt a WHERE a.contract_number = p.contract_number)
                    FROM portfolio p ORDER BY contract_number
                    """)
            }
        }
        let first = try ContactsStore.inMemory(), second = try ContactsStore.inMemory()
        try BenchData.seed(first.writer, plan, nowMs: fixedNow) { _ in }
        try BenchData.seed(second.writer, plan, nowMs: fixedNow) { _ in }
        let rows = try await digest(first)
        #expect(rows.count == 50)
        #expect(try await digest(second) == rows)
    }
}
