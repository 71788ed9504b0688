import Auth
import CRMAPI
import CRMDomain
import Foundation
import Synchronization
import RPCCore
@testable import Scheduling
import Testing
import Wire
import TestSupport

/// The local-hours rules hold at the moment of hand-off too: a message accepted inside its
/// window that becomes due outside it (worker down, backlog, retry after backoff) is moved,
/// never handed off at night.
@Suite("SMS hand-off keeps the local hours and the 230-ФЗ caps")
struct SmsHandOffWindowTests {
    enum Expected: Sendable, CustomStringConvertible {
        case handedOff
        /// Moved to this local date and minute of the recipient.
        case movedTo(LocalDate, Int)

        var description: String {
            switch self {
            case .handedOff: "handed off"
            case .movedTo(let day, let minute): "moved to \(day) \(minute / 60):\(minute % 60)"
            }
        }
    }

    static let friday = date(2026, 3, 13)

    /// (template, region, the worker's local date and minute at the recipient, the region's UTC offset in minutes, expected).
    /// Accepted Tuesday 10 March 2026 09:00 Moscow, inside every window.
    @Test("a due message outside its window is moved to the next allowed moment", arguments: [
        ("mobile-app-link", "77", tuesday, 20 * 60 + 59, 180, Expected.handedOff),
        ("mobile-app-link", "77", tuesday, 21 * 60, 180, .movedTo(tuesday.adding(days: 1), 9 * 60)),
        ("mobile-app-link", "77", tuesday.adding(days: 1), 2 * 60, 180, .movedTo(tuesday.adding(days: 1), 9 * 60)),
        ("collection-reminder", "77", tuesday, 21 * 60 + 59, 180, .handedOff),
        ("collection-reminder", "77", tuesday, 22 * 60, 180, .movedTo(tuesday.adding(days: 1), 8 * 60)),
        ("collection-reminder", "77", friday, 22 * 60 + 30, 180, .movedTo(friday.adding(days: 1), 9 * 60)),      // Saturday 09:00
        ("collection-reminder", "77", friday.adding(days: 1), 20 * 60, 180, .movedTo(friday.adding(days: 2), 9 * 60)),
        ("collection-reminder", "41", tuesday, 23 * 60, 720, .movedTo(tuesday.adding(days: 1), 8 * 60)),  // Kamchatka, 14:00 Moscow
        ("collection-reminder", "41", tuesday.adding(days: 1), 8 * 60, 720, .handedOff),
    ] as [(String, String, LocalDate, Int, Int, Expected)])
    func window(template: String, region: String, day: LocalDate, minute: Int, offset: Int, expected: Expected) async throws {
        let provider = ScriptedProvider()
        let fixture = try Fixture(provider: provider)
        try await fixture.run { _, sms in
            let collection = template.hasPrefix("collection")
            let accepted = try await sms.sendSms(
                .init(templateID: template, cardID: 42, phone: "9372888099", regionCode: region, contractNumber: collection ? "K-1" : ""),
                metadata: fixture.metadata(collection ? .collector : .vcc, key: UUID().uuidString)
            )
            let id = try #require(accepted.sms?.smsID)
            #expect(!accepted.deferred)
            fixture.clock.set(day.unixMs(atMinute: minute, utcOffsetMinutes: offset))
            let handed = try await fixture.worker.runOnce()
            let row = try #require(try await fixture.store.sms(id: id))
            switch expected {
            case .handedOff:
                #expect(handed == 1)
                #expect(row.state == .sent)
                #expect(provider.sent.withLock { $0 } == [id])
            case .movedTo(let movedDay, let movedMinute):
                let moment = movedDay.unixMs(atMinute: movedMinute, utcOffsetMinutes: offset)
                #expect(handed == 0)
                #expect(provider.sent.withLock { $0 }.isEmpty)
                #expect(row.state == .queued)
                #expect(row.attempts == 0)
                #expect(row.nextAttemptMs == moment)
                #expect(row.dueMs == moment)
                #expect(row.leaseOwner == nil)
                // At that moment it goes.
                fixture.clock.set(moment)
                #expect(try await fixture.worker.runOnce() == 1)
                #expect(provider.sent.withLock { $0 } == [id])
            }
        }
    }

    @Test("a retry after backoff that lands at night waits for the morning")
    func retryAtNight() async throws {
        let provider = ScriptedProvider()
        let fixture = try Fixture(provider: provider)
        fixture.clock.set(tuesday.unixMs(atMinute: 20 * 60 + 59, utcOffsetMinutes: 180) - 1_000)
        try await fixture.run { _, sms in
            provider.failures.withLock { $0 = [.temporary("шлюз недоступен")] }
            let id = try #require(try await sms.sendSms(
                .init(templateID: "mobile-app-link", cardID: 42, phone: "9372888099"), metadata: fixture.metadata(.vcc, key: "r-1")
            ).sms?.smsID)
            #expect(try await fixture.worker.runOnce() == 1)
            // Due again at 20:59:01, but the worker gets to it only at 21:00:01: the marketing window has closed.
            fixture.clock.advance(ms: 62_000)
            #expect(try await fixture.worker.runOnce() == 0)
            let row = try #require(try await fixture.store.sms(id: id))
            #expect(row.state == .queued && row.attempts == 1)
            #expect(row.nextAttemptMs == tuesday.adding(days: 1).unixMs(atMinute: 9 * 60, utcOffsetMinutes: 180))
            #expect(provider.sent.withLock { $0 }.isEmpty)
        }
    }

    /// 230-ФЗ limits how many messages a debtor gets a day, a week, a month — not when a
    /// lawful one may go (DOMAIN.md §8; issue 6: a scheduled message "is moved to the next
    /// allowed moment"). A message the operator saved is not dropped at night for a cap the
    /// worker meets at hand-off: it goes at the first moment the window and the caps allow.
    @Test("a collection message pushed onto a day whose cap is used up is moved to the next day the caps allow")
    func movedPastAFullDay() async throws {
        let provider = ScriptedProvider()
        let fixture = try Fixture(provider: provider)
        let wednesdayNoon = tuesday.adding(days: 1).unixMs(atMinute: 12 * 60, utcOffsetMinutes: 180)
        fixture.clock.set(tuesday.unixMs(atMinute: 21 * 60, utcOffsetMinutes: 180))
        try await fixture.run { _, sms in
            let collector = { (key: String) in fixture.metadata(.collector, key: key) }
            let late = try #require(try await sms.sendSms(
                .init(templateID: "collection-reminder", cardID: 42, phone: "9372888099", regionCode: "77", contractNumber: "K-1"),
                metadata: collector("late")
            ).sms?.smsID)
            // Wednesday's two messages to the same debtor, one on another contract.
            for (key, contract) in [("w-1", "K-1"), ("w-2", "K-2")] {
                _ = try await sms.scheduleSms(
                    .init(templateID: "collection-call-back", cardID: 42, phone: "9372888099", regionCode: "77", contractNumber: contract,
                          sendAtUnixMs: wednesdayNoon),
                    metadata: collector(key)
                )
            }
            // The worker gets to the late one only after 22:00: Wednesday 08:00 would be a
            // third message that day, so it goes Thursday 08:00.
            fixture.clock.set(tuesday.unixMs(atMinute: 22 * 60 + 5, utcOffsetMinutes: 180))
            #expect(try await fixture.worker.runOnce() == 0)
            let thursday = tuesday.adding(days: 2).unixMs(atMinute: 8 * 60, utcOffsetMinutes: 180)
            var row = try #require(try await fixture.store.sms(id: late))
            #expect(row.state == .queued)
            #expect(row.attempts == 0)
            #expect(row.dueMs == thursday)
            #expect(row.nextAttemptMs == thursday)
            #expect(row.leaseOwner == nil)
            let listed = try await sms.listClientSms(.init(cardID: 42), metadata: fixture.metadata(.collector)).messages.first { $0.smsID == late }
            #expect(listed?.state == .queued)
            #expect(listed?.scheduledForUnixMs == thursday)
            #expect(provider.sent.withLock { $0 }.isEmpty)

            // Wednesday's two go at noon; the moved one waits for Thursday and then goes.
            fixture.clock.set(wednesdayNoon)
            #expect(try await fixture.worker.runOnce() == 2)
            #expect(!provider.sent.withLock { $0 }.contains(late))
            fixture.clock.set(thursday)
            #expect(try await fixture.worker.runOnce() == 1)
            row = try #require(try await fixture.store.sms(id: late))
            #expect(row.state == .sent)
            #expect(provider.sent.withLock { $0 }.last == late)
        }
    }

    @Test("a collection message that goes on a later day than it was due counts against that day's cap")
    func countedOnTheDayItGoes() async throws {
        let provider = ScriptedProvider()
        let fixture = try Fixture(provider: provider)
        try await fixture.run { _, sms in
            let collector = { (key: String) in fixture.metadata(.collector, key: key) }
            func remind(_ key: String) async throws -> SchedulingV1.SendSmsResponse {
                try await sms.sendSms(
                    .init(templateID: "collection-reminder", cardID: 42, phone: "9372888099", regionCode: "77", contractNumber: "K-1"),
                    metadata: collector(key)
                )
            }
            // Accepted Tuesday 09:00, but the worker (down overnight) gets to it Wednesday 10:00.
            let delayed = try #require(try await remind("tue").sms?.smsID)
            let wednesdayTen = tuesday.adding(days: 1).unixMs(atMinute: 10 * 60, utcOffsetMinutes: 180)
            fixture.clock.set(wednesdayTen)
            #expect(try await fixture.worker.runOnce() == 1)
            let row = try #require(try await fixture.store.sms(id: delayed))
            #expect(row.state == .sent)
            #expect(row.dueMs == wednesdayTen)
            // Wednesday: it and one more make two; a third is refused with the cap named.
            _ = try await remind("wed-1")
            let refused = await rpcError { _ = try await remind("wed-2") }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.message.contains("Не более 2 сообщений в день одному должнику (230-ФЗ)") == true)
        }
    }

    @Test("login codes go at any hour")
    func loginCodeAtNight() async throws {
        let provider = ScriptedProvider()
        let fixture = try Fixture(provider: provider)
        fixture.clock.set(tuesday.unixMs(atMinute: 2 * 60, utcOffsetMinutes: 180))
        try await fixture.run { _, sms in
            let sent = try await sms.sendLoginCode(
                .init(login: "vcc.ivanova", phone: "9161234567", code: "123456"), metadata: fixture.metadata(.system, login: "crm-registry", key: "c1")
            )
            // Accepted at 02:00, handed off at 03:00 Moscow: no window holds it.
            fixture.clock.set(tuesday.unixMs(atMinute: 3 * 60, utcOffsetMinutes: 180))
            #expect(try await fixture.worker.runOnce() == 1)
            #expect(provider.sent.withLock { $0 } == [sent.smsID])
        }
    }
}
