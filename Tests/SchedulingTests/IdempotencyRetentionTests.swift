import Auth
import CRMAPI
import Logging
import RPCCore
@testable import Scheduling
import ServiceKit
import Testing
import Wire

/// An accepted SMS's stored answer lives 7 days (`IdempotencyRetention`): a retry inside the
/// window gets the same message, never a second one.
@Suite struct IdempotencyRetentionTests {
    static let day: Int64 = 86_400_000

    @Test func acceptedSmsAnswersExpireAfterTheRetention() async throws {
        let fixture = try Fixture()
        let clock = fixture.clock
        let retention = IdempotencyRetention(writer: try fixture.sqlite.writer, nowMs: { clock.now }, logger: Logger(label: "test"))
        let request = SchedulingV1.SendSmsRequest(templateID: "mobile-app-link", cardID: 42, phone: "9372888099", regionCode: "77")
        try await fixture.run { _, sms in
            let first = try await sms.sendSms(request, metadata: fixture.metadata(.vcc, key: "old")).sms?.smsID
            clock.advance(ms: 6 * Self.day)
            _ = try await sms.sendSms(request, metadata: fixture.metadata(.vcc, key: "new"))
            #expect(try await retention.sweep() == 0)
            #expect(try await sms.sendSms(request, metadata: fixture.metadata(.vcc, key: "old")).sms?.smsID == first)
            #expect(try await fixture.count("sms") == 2)

            clock.advance(ms: Self.day + 1)
            #expect(try await retention.sweep() == 1)
            #expect(try await fixture.count("idempotency") == 1)
        }
    }
}
