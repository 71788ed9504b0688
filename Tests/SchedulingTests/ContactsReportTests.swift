import Auth
import ContactOutcome
import CRMAPI
import Foundation
import RPCCore
import RPCTesting
import RPCTransportTCP
@testable import Scheduling
import Testing
import Wire

@Suite("SMS states reach the contact history")
struct ContactsReportTests {
    @Test("both services over TCP: an accepted SMS shows in the history as queued, then delivered, one entry; contacts down → kept and retried", arguments: Engine.all)
    func endToEnd(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        let contacts = try ContactsStore.inMemory()
        let contactsServices = ContactsServices.all(ContactsEnvironment(store: contacts, nowMs: { fixedNow }))
        try await withTestServer(.tcp, services: contactsServices, interceptors: [AuthInterceptor(signer: fixture.signer, nowMs: { fixedNow })]) { contactsClient in
            let reporter = ContactsReporter(store: fixture.store, client: contactsClient, signer: fixture.signer, nowMs: { fixture.clock.now })
            let history = ContactsV1.ContactHistory.Client(wrapping: contactsClient)
            func smsEntries() async throws -> [ContactsV1.HistoryEntry] {
                try await history.listContactHistory(.init(cardID: 42), metadata: fixture.metadata(.vcc)).entries.filter { $0.action == .sms }
            }
            try await fixture.run(.tcp) { _, sms in
                let sent = try #require(try await sms.sendSms(
                    .init(templateID: "mobile-app-link", cardID: 42, phone: "9372888099"), metadata: fixture.metadata(.vcc, key: "report-1")
                ).sms)
                #expect(try await fixture.store.pendingContactReports() == 1)
                #expect(try await reporter.runOnce() == 1)
                var entries = try await smsEntries()
                #expect(entries.count == 1)
                #expect(entries.first?.resultLabel == "В очереди")

                #expect(try await fixture.worker.runOnce() == 1)
                #expect(try await fixture.store.pendingContactReports() == 1)
                #expect(try await reporter.runOnce() == 1)
                entries = try await smsEntries()
                #expect(entries.count == 1)
                #expect(entries.first?.resultLabel == "Доставлено")
                if case .sms(let details)? = entries.first?.details {
                    #expect(details.smsID == sent.smsID)
                    #expect(details.phone == "9372888099")
                } else {
                    Issue.record("no SMS details in \(String(describing: entries.first))")
                }
                #expect(try await reporter.runOnce() == 0)
                #expect(try await fixture.store.pendingContactReports() == 0)
                #expect(try await sms.getOutboxStatus(.init(), metadata: fixture.metadata(.vcc)).contactHistoryPending == 0)
            }
        }

        // Contacts unreachable: the mark stays, postponed; nothing is lost.
        let closed = try freePorts(1)[0]
        let unreachable = ContactsReporter(
            store: fixture.store, client: RPCClient(transport: TCPClientTransport(host: "127.0.0.1", port: closed)), signer: fixture.signer,
            nowMs: { fixture.clock.now }
        )
        try await fixture.run { _, sms in
            _ = try await sms.sendSms(.init(templateID: "mobile-app-link", cardID: 42, phone: "9372888099"), metadata: fixture.metadata(.vcc, key: "report-2"))
            #expect(try await unreachable.runOnce() == 0)
            #expect(try await fixture.store.pendingContactReports() == 1)
            // What a deployer sees of it: GetOutboxStatus, and the sms_contact_history_pending gauge.
            #expect(try await sms.getOutboxStatus(.init(), metadata: fixture.metadata(.vcc)).contactHistoryPending == 1)
            let attempts = try await fixture.count("sms_report", where: "attempts = 1 AND next_attempt_ms > \(fixture.clock.now)")
            #expect(attempts == 1)
        }
    }
}
