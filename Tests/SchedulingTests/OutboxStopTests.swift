import Auth
import CRMAPI
import Foundation
import Logging
import RPCCore
@testable import Scheduling
import ServiceLifecycle
import Synchronization
import Testing
import Wire

/// A provider whose first hand-off blocks: until the test opens the gate, or (`honourGate`
/// false) until the task is cancelled. Every other hand-off is taken at once.
final class BlockingProvider: SmsProvider {
    let name = "blocking"
    let honourGate: Bool
    /// Every hand-off that reached `send`, in order, with its `mayHaveBeenSent` mark.
    let calls = Mutex<[(id: String, mayHaveBeenSent: Bool)]>([])
    /// Hand-offs that returned `.sent`.
    let taken = Mutex<[String]>([])
    let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
    let gateOpened = Mutex(false)

    init(honourGate: Bool = true) { self.honourGate = honourGate }

    var blocked: Bool { gate.withLock { $0 != nil } }

    func open() {
        gateOpened.withLock { $0 = true }
        gate.withLock { continuation in
            continuation?.resume()
            continuation = nil
        }
    }

    func send(_ sms: OutgoingSms) async throws -> SmsHandOff {
        let first = calls.withLock { calls in
            calls.append((sms.id, sms.mayHaveBeenSent))
            return calls.count == 1
        }
        if first {
            if honourGate {
                await withCheckedContinuation { continuation in
                    let alreadyOpen = gateOpened.withLock { $0 }
                    if alreadyOpen { continuation.resume() } else { gate.withLock { $0 = continuation } }
                }
            } else {
                gate.withLock { _ in }
                try await Task.sleep(for: .seconds(3_600))
            }
        }
        taken.withLock { $0.append(sms.id) }
        return .sent
    }
}

/// SIGTERM's graceful stop of the outbox (docs/OPERATIONS.md «Stop»): no new claims, the
/// hand-off in flight finishes (bounded by the drain timeout), every unsent message stays
/// queued for the next start; nothing lost, nothing sent twice.
@Suite("Outbox graceful stop")
struct OutboxStopTests {
    func accept(_ count: Int, _ fixture: Fixture) async throws -> [String] {
        try await fixture.run { _, sms in
            var ids: [String] = []
            for index in 0..<count {
                let accepted = try await sms.sendSms(
                    .init(templateID: "mobile-app-link", cardID: 42, phone: "937288809\(index)"), metadata: fixture.metadata(.vcc, key: "stop-\(index)")
                )
                ids.append(try #require(accepted.sms?.smsID))
            }
            return ids
        }
    }

    func row(_ fixture: Fixture, _ id: String) async throws -> SmsRecord {
        try #require(try await fixture.store.sms(id: id))
    }

    @Test("the send in flight finishes and is recorded, the rest of the batch stays queued and goes once after the restart")
    func drainsInFlight() async throws {
        let provider = BlockingProvider()
        let fixture = try Fixture(provider: provider)
        let ids = try await accept(3, fixture)
        var configuration = OutboxWorker.Configuration()
        configuration.drainTimeout = .seconds(60)
        let worker = OutboxWorker(store: fixture.store, provider: provider, configuration: configuration, nowMs: { fixture.clock.now })
        let group = ServiceGroup(services: [worker], logger: Logger(label: "test"))
        let running = Task { try await group.run() }

        try await waitUntil("the first hand-off is in flight") { provider.blocked }
        await group.triggerGracefulShutdown()
        try await waitUntil("the worker has begun to stop") { worker.isStopping }
        provider.open()
        try await running.value

        // The one in flight went and is recorded; the others never reached the provider.
        let inFlight = try #require(provider.calls.withLock { $0.first?.id })
        #expect(provider.calls.withLock { $0.count } == 1)
        #expect(try await row(fixture, inFlight).state == .sent)
        #expect(try await row(fixture, inFlight).attempts == 1)
        for id in ids where id != inFlight {
            let left = try await row(fixture, id)
            #expect(left.state == .queued)
            #expect(left.attempts == 0)
            #expect(left.leaseOwner == nil)
            #expect(left.leaseUntilMs == 0)
        }

        // The next start hands off exactly the two left, at once (no lease to wait for), unmarked.
        let restarted = OutboxWorker(store: fixture.store, provider: provider, nowMs: { fixture.clock.now })
        #expect(try await restarted.runOnce() == 2)
        #expect(try await restarted.runOnce() == 0)
        let calls = provider.calls.withLock { $0 }
        #expect(calls.map(\.id).sorted() == ids.sorted())
        #expect(calls.allSatisfy { !$0.mayHaveBeenSent })
        #expect(provider.taken.withLock { $0 }.sorted() == ids.sorted())
        #expect(try await fixture.count("sms", where: "state = \(SmsStateCode.sent.rawValue)") == 3)
    }

    @Test("a send that outlasts the drain timeout is cancelled; its message stays queued and goes after the restart marked may-have-been-sent")
    func drainTimeout() async throws {
        let provider = BlockingProvider(honourGate: false)
        let fixture = try Fixture(provider: provider)
        let ids = try await accept(2, fixture)
        var configuration = OutboxWorker.Configuration()
        configuration.drainTimeout = .milliseconds(300)
        let worker = OutboxWorker(store: fixture.store, provider: provider, configuration: configuration, nowMs: { fixture.clock.now })
        let group = ServiceGroup(services: [worker], logger: Logger(label: "test"))
        let running = Task { try await group.run() }

        try await waitUntil("the first hand-off is in flight") { provider.calls.withLock { $0.count } == 1 }
        await group.triggerGracefulShutdown()
        // The worker returns although the provider never answers.
        try await running.value

        #expect(provider.taken.withLock { $0 }.isEmpty)
        let cutID = try #require(provider.calls.withLock { $0.first?.id })
        let otherID = try #require(ids.first { $0 != cutID })
        let cut = try await row(fixture, cutID)
        #expect(cut.state == .queued)
        #expect(cut.attempts == 0)
        #expect(cut.leaseOwner != nil)   // the lapsed claim: it may have reached the provider
        #expect(cut.leaseUntilMs == 0)
        let untouched = try await row(fixture, otherID)
        #expect(untouched.state == .queued && untouched.attempts == 0 && untouched.leaseOwner == nil)

        let restarted = OutboxWorker(store: fixture.store, provider: provider, nowMs: { fixture.clock.now })
        #expect(try await restarted.runOnce() == 2)
        let calls = provider.calls.withLock { $0 }
        #expect(calls.count == 3)
        #expect(calls.dropFirst().first { $0.id == cutID }?.mayHaveBeenSent == true)
        #expect(calls.dropFirst().first { $0.id == otherID }?.mayHaveBeenSent == false)
        #expect(try await fixture.count("sms", where: "state = \(SmsStateCode.sent.rawValue)") == 2)
    }
}
