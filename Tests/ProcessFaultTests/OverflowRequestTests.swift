import Auth
import CRMAPI
import CRMDomain
import Foundation
import RPCCore
import Testing
import Wire
import TestSupport

extension ProcessFaults {
    /// The three requests that each killed a service (issue 22: Swift overflow traps), replayed
    /// over TCP against the real service processes: each is INVALID_ARGUMENT naming its field,
    /// nothing is written, and the process keeps serving.
    @Suite("Overflowing requests", .serialized)
    struct OverflowRequestTests {
        static let future = SystemClockMs.now() + 86_400_000

        @Test func scheduleSmsAtTheEndOfInt64() async throws {
            let smsFile = NSTemporaryDirectory() + "crm-faults-sms-\(UUID().uuidString.prefix(8)).jsonl"
            defer { try? FileManager.default.removeItem(atPath: smsFile) }
            let scheduling = try ServiceProcess("scheduling", extraArguments: ["--sms-file", smsFile])
            defer { scheduling.stop() }
            try await scheduling.start()
            let sms = SchedulingV1.Sms.Client(wrapping: scheduling.client())
            for at in [Int64.max, .min, 8_615_000_000_000_000] {
                let error = await rpcError {
                    _ = try await sms.scheduleSms(
                        .init(templateID: "mobile-app-link", cardID: 1, phone: "9372888099", regionCode: "25", sendAtUnixMs: at),
                        metadata: metadata(.vcc, key: "sms-\(at)")
                    )
                }
                #expect(error?.code == .invalidArgument, "send_at_unix_ms = \(at): \(String(describing: error))")
                #expect(error?.fieldViolations.map(\.field) == ["send_at_unix_ms"])
            }
            // Still up, and nothing was queued by the refused calls.
            let listed = try await sms.listClientSms(.init(cardID: 1), metadata: metadata(.vcc))
            #expect(listed.messages.isEmpty)
            let accepted = try await sms.scheduleSms(
                .init(templateID: "mobile-app-link", cardID: 1, phone: "9372888099", regionCode: "25", sendAtUnixMs: Self.future),
                metadata: metadata(.vcc, key: "sms-ok")
            )
            #expect(accepted.sms != nil)
        }

        @Test func externalEventAtTheEndOfInt64() async throws {
            let contacts = try ServiceProcess("contacts")
            defer { contacts.stop() }
            try await contacts.start()
            let history = ContactsV1.ContactHistory.Client(wrapping: contacts.client())
            for occurred in [Int64.max, .min] {
                let error = await rpcError {
                    _ = try await history.recordExternalEvent(
                        .init(eventID: "bki-\(occurred)", cardID: 5, occurredUnixMs: occurred, event: .bureauDecision(.init(decisionID: "d", decision: .approved))),
                        metadata: metadata(.system)
                    )
                }
                #expect(error?.code == .invalidArgument, "occurred_unix_ms = \(occurred): \(String(describing: error))")
                #expect(error?.fieldViolations.map(\.field) == ["occurred_unix_ms"])
            }
            let entries = try await history.listContactHistory(.init(cardID: 5), metadata: metadata(.vcc))
            #expect(entries.entries.isEmpty)
        }

        @Test func aCallbackWithoutADateAfterAnOffsetOf2To31Hours() async throws {
            // Contacts opens sessions only on the registry's cards (1001 is in its seed).
            let registry = try await ServiceProcess.registryWithCards()
            let contacts = try ServiceProcess("contacts", extraArguments: ["--registry", "127.0.0.1:\(registry.port)"])
            defer {
                contacts.stop()
                registry.stop()
            }
            try await contacts.start()
            let calls = ContactsV1.Calls.Client(wrapping: contacts.client())
            let callback = ContactsV1.CallResult(firstLevel: .reached(.init(result: .callback(.init(reason: .clientRequest)))))
            for offset in [Int32.min, .max] {
                let error = await rpcError {
                    _ = try await calls.openCallSession(
                        .init(cardID: 1001, campaignID: "announcement_marking", direction: .outgoing, cardType: .client,
                              clientRegion: .init(code: "25", name: "Приморский край", moscowOffsetHours: offset)),
                        metadata: metadata(.vcc)
                    )
                }
                #expect(error?.code == .invalidArgument, "moscow_offset_hours = \(offset): \(String(describing: error))")
                #expect(error?.fieldViolations.map(\.field) == ["client_region.moscow_offset_hours"])
            }
            // A session in Russia: «Перезвонить» without a date is tomorrow; in year 6110 it is refused.
            let session = try #require(try await calls.openCallSession(
                .init(cardID: 1001, campaignID: "announcement_marking", direction: .outgoing, cardType: .client,
                      clientRegion: .init(code: "41", name: "Камчатский край", moscowOffsetHours: 9)),
                metadata: metadata(.vcc)
            ).session)
            let far = ContactsV1.CallResult(firstLevel: .reached(.init(result: .callback(.init(
                reason: .clientRequest, at: .init(date: .init(year: 6110, month: 1, day: 1), time: .init(hour: 10, minute: 0))
            )))))
            let error = await rpcError { _ = try await calls.setDraftResult(.init(sessionID: session.sessionID, result: far), metadata: metadata(.vcc)) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == ["result.reached.callback.at.date"])
            let saved = try await calls.saveCallResult(
                .init(sessionID: session.sessionID, result: callback), metadata: metadata(.vcc, key: "callback-\(session.sessionID)")
            )
            #expect(saved.kind == .callback)
        }
    }
}
