import CRMDomain
import Foundation
import ServiceKit
import Synchronization
@testable import Scheduling
import Testing

/// Several replicas over one database (issue 23): what one process's single writer gave for
/// free must hold across stores. Run on both engines — two WAL pools over one SQLite file, two
/// connection pools over one PostgreSQL database.
@Suite("Replicas over one database")
struct ReplicaTests {
    /// Keeps every message it is handed.
    final class RecordingProvider: SmsProvider {
        let name = "recording"
        let sent = Mutex<[String]>([])
        func send(_ sms: OutgoingSms) async throws -> SmsHandOff {
            await Task.yield()  // lets the other worker claim meanwhile
            sent.withLock { $0.append(sms.id) }
            return .delivered
        }
    }

    @Test("two outbox workers on two replicas never hand one message off twice, and leave none behind", arguments: Engine.all)
    func twoWorkers(engine: Engine) async throws {
        let replicas = try await engine.replicas(2)
        let total = 240
        for index in 0..<total {
            let sms = SmsRecord(
                id: "sms-\(index)", cardId: 0, login: "op", phone: "9161234567", template: SmsTemplates.loginCode,
                text: SmsTemplates.loginCodeText("123456"), utcOffsetMinutes: 180, acceptedMs: fixedNow, dueMs: fixedNow,
                sentByLogin: "system", sentByName: "system"
            )
            _ = try await replicas[index % 2].perform(.acceptSms(sms, checkCaps: nil), idempotency: nil, nowMs: fixedNow) { _ in [] }
        }
        var configuration = OutboxWorker.Configuration()
        configuration.batchSize = 7
        let providers = [RecordingProvider(), RecordingProvider()]
        let workers = (0..<2).map { OutboxWorker(store: replicas[$0], provider: providers[$0], configuration: configuration, nowMs: { fixedNow }) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers {
                group.addTask { while try await worker.runOnce() > 0 {} }
            }
            try await group.waitForAll()
        }
        let sent = providers.flatMap { $0.sent.withLock { $0 } }
        #expect(sent.count == total, "handed off \(sent.count) times for \(total) messages")
        #expect(Set(sent).count == total)
        #expect(try await countRows(replicas[0], "sms", where: "state = \(SmsStateCode.delivered.rawValue)") == total)
    }

    @Test("one idempotency key sent to two replicas at once books once and answers both alike", arguments: Engine.all)
    func keyAcrossReplicas(engine: Engine) async throws {
        let replicas = try await engine.replicas(2)
        let scope = IdempotencyScope(operatorLogin: "vafinana", method: "/crm.scheduling.v1.Offices/BookVisit", key: "k-1", request: [1, 2, 3])
        let answers = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for (index, store) in replicas.enumerated() {
                group.addTask {
                    let booking = BookingRecord(
                        id: "b-\(index)", officeId: "msk-do11", date: "2026-03-10", startMinute: 720, cardId: 7, surname: "", name: "",
                        patronymic: "", state: .active, bookedByLogin: "vafinana", bookedByName: "", createdMs: fixedNow
                    )
                    return try await store.perform(.book(booking, capacity: 5), idempotency: scope, nowMs: fixedNow) { outcome in
                        Array(try outcome.booking().id.utf8)
                    }
                }
            }
            return try await group.reduce(into: [[UInt8]]()) { $0.append($1) }
        }
        #expect(answers.count == 2 && answers[0] == answers[1])
        #expect(try await countRows(replicas[0], "booking") == 1)
        // The key with another request is refused on either replica.
        var other = scope
        other.request = [9]
        await #expect(throws: IdempotencyError.reusedKey) {
            _ = try await replicas[1].perform(.cancel(id: "b-0", reason: "", nowMs: fixedNow), idempotency: other, nowMs: fixedNow) { _ in [] }
        }
    }
}
