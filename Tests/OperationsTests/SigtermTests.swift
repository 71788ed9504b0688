import CRMAPI
import Foundation
import RPCCore
import Synchronization
import Testing
import Wire

/// SIGTERM to a real service process in the middle of a stream of writes: the calls in
/// flight finish and are answered, later ones are refused as UNAVAILABLE, the process exits
/// 0 — so every write the service made was acknowledged, and every acknowledged one is kept.
@Suite("SIGTERM to a running service", .serialized)
struct SigtermTests {
    final class Outcomes: Sendable {
        let acknowledged = Mutex<Set<String>>([])
        let afterSignal = Atomic<Int>(0)
        let failures = Mutex<[StatusCode]>([])
        let signalled = Atomic<Bool>(false)
    }

    @Test func registryFinishesTheCallsInFlightAndExitsCleanly() async throws {
        let folder = try temporaryFolder("sigterm")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("registry.sqlite").path
        let registry = try ServiceProcess("registry", database: database)
        defer { registry.stop() }
        try await registry.start()
        let card = try await Comments(registry.client()).createCard()

        let outcomes = Outcomes()
        let writers = 8
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                let comments = Comments(registry.client())
                group.addTask {
                    for index in 0... {
                        let text = "w\(writer)-\(index)"
                        do {
                            try await comments.add(text, card: card)
                            outcomes.acknowledged.withLock { _ = $0.insert(text) }
                            if outcomes.signalled.load(ordering: .relaxed) { outcomes.afterSignal.add(1, ordering: .relaxed) }
                        } catch let error as RPCError {
                            outcomes.failures.withLock { $0.append(error.code) }
                            return
                        }
                    }
                }
            }
            while outcomes.acknowledged.withLock({ $0.count }) < 100 { try await Task.sleep(for: .milliseconds(5)) }
            outcomes.signalled.store(true, ordering: .relaxed)
            await registry.terminate()
            try await group.waitForAll()
        }
        let exit = (registry.process.terminationReason, registry.process.terminationStatus)
        let failures = outcomes.failures.withLock { $0 }

        let restarted = try ServiceProcess("registry", database: database)
        defer { restarted.stop() }
        try await restarted.start()
        let stored = try await Comments(restarted.client()).all(card: card)
        let acknowledged = outcomes.acknowledged.withLock { $0 }
        print("SIGTERM registry: \(acknowledged.count) writes acknowledged (\(outcomes.afterSignal.load(ordering: .relaxed)) answered after the signal), \(stored.count) stored, writers stopped by \(failures.map { "\($0)" }.sorted()), exit \(exit)")
        #expect(exit.0 == .exit && exit.1 == 0, "\(registry.logText())")
        #expect(failures.count == writers)
        #expect(failures.allSatisfy { $0 == .unavailable }, "a call was cut off instead of finished or refused: \(failures)")
        #expect(Set(stored) == acknowledged, "stored and acknowledged writes differ")
        #expect(stored.count == acknowledged.count)
        #expect(registry.logText().contains("Graceful stop"))
    }

    @Test func schedulingStopsItsOutboxWorkerAndExitsCleanly() async throws {
        let folder = try temporaryFolder("sigterm-scheduling")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scheduling = try ServiceProcess("scheduling", database: folder.appendingPathComponent("scheduling.sqlite").path)
        defer { scheduling.stop() }
        try await scheduling.start()
        await scheduling.terminate()
        #expect(scheduling.process.terminationReason == .exit && scheduling.process.terminationStatus == 0, "\(scheduling.logText())")
    }
}
