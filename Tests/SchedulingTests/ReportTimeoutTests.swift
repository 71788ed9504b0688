import Auth
import ContactOutcome
import CRMAPI
import Foundation
import GRDB
import HTTPEndpoint
import RPCCore
import RPCTesting
@testable import Scheduling
import Testing
import Wire

/// A delivery report can be lost (scheduling down longer than Kannel retries, Kannel
/// restarted): a message handed off and never reported becomes «Нет отчёта о доставке»
/// after the report timeout (48 h by default) instead of showing «Отправлено» for ever.
@Suite("SMS with no delivery report in time")
struct ReportTimeoutTests {
    static let signer = DeliveryReportSigner(secret: "scheduling-tests-secret-0123456789")
    static let hour: Int64 = 3_600_000

    @Test("sent and never reported: «Нет отчёта о доставке» after 48 h, counted apart; a late report still moves it on")
    func noReport() async throws {
        let fixture = try Fixture(provider: ScriptedProvider())
        let reports = KannelDeliveryReports(store: fixture.store, signer: Self.signer, nowMs: { fixture.clock.now })
        func report(_ id: String, _ type: Int) async -> Int {
            await reports.handle(EndpointRequest(method: "GET", uri: "/dlr?id=\(id)&sig=\(Self.signer.signature(id))&type=\(type)&reply=")).status
        }
        try await fixture.run { _, sms in
            func send(_ key: String) async throws -> String {
                try #require(try await sms.sendSms(
                    .init(templateID: "mobile-app-link", cardID: 42, phone: "9372888099"), metadata: fixture.metadata(.vcc, key: key)
                ).sms?.smsID)
            }
            func listed(_ id: String) async throws -> SchedulingV1.SmsMessage? {
                try await sms.listClientSms(.init(cardID: 42), metadata: fixture.metadata(.vcc)).messages.first { $0.smsID == id }
            }
            let lost = try await send("lost")
            let late = try await send("late")
            let reported = try await send("reported")
            #expect(try await fixture.worker.runOnce() == 3)
            #expect(await report(reported, 1) == 200)

            // 47 h later: still awaiting its report.
            fixture.clock.advance(ms: 47 * Self.hour)
            _ = try await fixture.worker.runOnce()
            #expect(try await listed(lost)?.state == .sent)
            var status = try await sms.getOutboxStatus(.init(), metadata: fixture.metadata(.vcc))
            #expect(status.awaitingReport == 2 && status.noReport == 0)

            // 48 h after the hand-off: no report is coming.
            fixture.clock.advance(ms: Self.hour)
            _ = try await fixture.worker.runOnce()
            for id in [lost, late] {
                let message = try await listed(id)
                #expect(message?.state == .noReport)
                #expect(message?.sentUnixMs == fixedNow)   // when it went stays shown
            }
            #expect(try await listed(reported)?.state == .delivered)
            status = try await sms.getOutboxStatus(.init(), metadata: fixture.metadata(.vcc))
            #expect(status.awaitingReport == 0 && status.noReport == 2)

            // A report that comes after all: delivered or failed still apply; "accepted" does not move it back.
            #expect(await report(late, 8) == 200)
            #expect(try await listed(late)?.state == .noReport)
            #expect(await report(late, 1) == 200)
            #expect(try await listed(late)?.state == .delivered)
            #expect(await report(lost, 2) == 200)
            #expect(try await listed(lost)?.state == .failed)
        }
    }

    @Test("a timeout of nil never marks anything; a message with no report still counts against the 230-ФЗ caps")
    func capsAndOff() async throws {
        let provider = ScriptedProvider()
        let fixture = try Fixture(provider: provider)
        var configuration = OutboxWorker.Configuration()
        configuration.reportTimeoutMs = nil
        let patient = OutboxWorker(store: fixture.store, provider: provider, configuration: configuration, nowMs: { fixture.clock.now })
        try await fixture.run { _, sms in
            func remind(_ key: String) async throws -> SchedulingV1.SendSmsResponse {
                try await sms.sendSms(
                    .init(templateID: "collection-reminder", cardID: 42, phone: "9372888099", regionCode: "77", contractNumber: "K-1"),
                    metadata: fixture.metadata(.collector, key: key)
                )
            }
            let id = try #require(try await remind("one").sms?.smsID)
            #expect(try await patient.runOnce() == 1)
            fixture.clock.advance(ms: 100 * Self.hour)
            _ = try await patient.runOnce()
            #expect(try await fixture.store.sms(id: id)?.state == .sent)

            // Put it past the timeout, as the default worker does; it went, so it still counts.
            _ = try await fixture.store.markReportsOverdue(sentBeforeMs: fixture.clock.now)
            #expect(try await fixture.store.sms(id: id)?.state == .noReport)
            let others = try await fixture.store.collectionDueTimes(card: 42, contract: "K-1")
            #expect(others == [fixedNow])
        }
    }

    @Test("the contact history shows «Нет отчёта о доставке», then the late report's state")
    func contactHistory() async throws {
        let fixture = try Fixture(provider: ScriptedProvider())
        let contacts = try ContactsStore.inMemory()
        let contactsServices = ContactsServices.all(ContactsEnvironment(store: contacts, nowMs: { fixedNow }))
        let reports = KannelDeliveryReports(store: fixture.store, signer: Self.signer, nowMs: { fixture.clock.now })
        try await withTestServer(.inProcess, services: contactsServices, interceptors: [AuthInterceptor(signer: fixture.signer, nowMs: { fixedNow })]) { contactsClient in
            let reporter = ContactsReporter(store: fixture.store, client: contactsClient, signer: fixture.signer, nowMs: { fixture.clock.now })
            let history = ContactsV1.ContactHistory.Client(wrapping: contactsClient)
            func label() async throws -> String? {
                _ = try await reporter.runOnce()
                let entries = try await history.listContactHistory(.init(cardID: 42), metadata: fixture.metadata(.vcc)).entries.filter { $0.action == .sms }
                #expect(entries.count == 1)
                return entries.first?.resultLabel
            }
            try await fixture.run { _, sms in
                let id = try #require(try await sms.sendSms(
                    .init(templateID: "mobile-app-link", cardID: 42, phone: "9372888099"), metadata: fixture.metadata(.vcc, key: "h-1")
                ).sms?.smsID)
                #expect(try await fixture.worker.runOnce() == 1)
                #expect(try await label() == "Отправлено")
                fixture.clock.advance(ms: 48 * Self.hour)
                _ = try await fixture.worker.runOnce()
                #expect(try await label() == "Нет отчёта о доставке")
                #expect(await reports.handle(EndpointRequest(method: "GET", uri: "/dlr?id=\(id)&sig=\(Self.signer.signature(id))&type=1&reply=")).status == 200)
                #expect(try await label() == "Доставлено")
            }
        }
    }

    @Test("migration v3 keeps every message of a v2 database and lets it take the new state")
    func migration() throws {
        let queue = try DatabaseQueue()
        try SchedulingMigrations.migrator.migrate(queue, upTo: "v2-sms-report")
        let sms = SmsRecord(
            id: "sms-old", cardId: 42, phone: "9372888099", template: SmsTemplates.mobileAppLink, text: SmsTemplates.mobileAppLink.text,
            utcOffsetMinutes: 180, acceptedMs: fixedNow, dueMs: fixedNow, sentByLogin: "op", sentByName: "Оператор"
        )
        try queue.write { db in
            try sms.insert(db)
            try db.execute(sql: "UPDATE sms SET state = 2, sent_ms = ? WHERE id = 'sms-old'", arguments: [fixedNow])
        }
        let store = try SQLiteSchedulingStore(queue)
        let (before, marked, after, version) = try queue.write { db -> (SmsStateCode?, Int, SmsStateCode?, Int?) in
            let before = try SQLiteSchedulingStore.sms(db, id: "sms-old")?.state
            let marked = try SQLiteSchedulingStore.markReportsOverdue(db, sentBeforeMs: fixedNow)
            let after = try SQLiteSchedulingStore.sms(db, id: "sms-old")?.state
            return (before, marked, after, try Int.fetchOne(db, sql: "SELECT version FROM sms_report WHERE sms_id = 'sms-old'"))
        }
        #expect(before == .sent)
        #expect(marked == 1)
        #expect(after == .noReport)
        // The report trigger came through the rebuild: the change waits for contacts.
        #expect(version == 3)
        _ = store
    }
}
