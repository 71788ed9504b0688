import CRMDomain
import RPCTesting
import CRMAPI
import Auth
import Foundation
import RPCCore
@testable import Scheduling
import Synchronization
import Testing
import Wire
import TestSupport

@Suite("SMS service and outbox")
struct SmsServiceTests {
    func send(
        _ sms: SchedulingV1.Sms.Client, _ fixture: Fixture, template: String = "mobile-app-link", phone: String = "+7 937 288-80-99",
        region: String = "", contract: String = "", role: Role = .vcc, key: String = UUID().uuidString, card: Int64 = 42
    ) async throws -> SchedulingV1.SendSmsResponse {
        try await sms.sendSms(
            .init(templateID: template, cardID: card, phone: phone, regionCode: region, contractNumber: contract),
            metadata: fixture.metadata(role, key: key)
        )
    }

    @Test("templates carry fixed text", arguments: Engine.all)
    func templates(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { _, sms in
            let all = try await sms.listSmsTemplates(.init(), metadata: fixture.metadata(.vcc)).templates
            let link = try #require(all.first { $0.name == "Ссылка на МП" })
            #expect(link.text == "Скачайте мобильное приложение Халва http://scb.im/hva")
            #expect(link.category == .marketing)
            #expect(all.contains { $0.category == .visit && $0.text == "Ждем Вас <дата> по адресу <адрес>" })
            let collection = try await sms.listSmsTemplates(.init(category: .collection), metadata: fixture.metadata(.collector)).templates
            #expect(!collection.isEmpty && collection.allSatisfy { $0.category == .collection })
        }
    }

    @Test("a sent SMS is in the outbox before the call returns; the worker delivers it to the file", arguments: Engine.all)
    func sendAndDeliver(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { _, sms in
            // 09:00 Moscow = 16:00 in Vladivostok: goes now.
            let response = try await send(sms, fixture, region: "25")
            #expect(!response.deferred)
            let message = try #require(response.sms)
            #expect(message.state == .queued)
            #expect(message.phone == "9372888099")
            #expect(message.text == "Скачайте мобильное приложение Халва http://scb.im/hva")
            #expect(message.sentBy?.login == "vafinana")
            let value1 = try await fixture.count("sms", where: "state = 1")
            #expect(value1 == 1)

            let value2 = try await fixture.worker.runOnce()
            #expect(value2 == 1)
            let lines = fixture.smsLines()
            #expect(lines.count == 1)
            #expect(lines.first?.contains("\"phone\":\"9372888099\"") == true)
            #expect(lines.first?.contains("Скачайте мобильное приложение Халва") == true)
            let value3 = try await fixture.worker.runOnce()
            #expect(value3 == 0)

            let listed = try await sms.listClientSms(.init(cardID: 42), metadata: fixture.metadata(.vcc)).messages
            #expect(listed.map(\.smsID) == [message.smsID])
            #expect(listed.first?.state == .delivered)
            #expect(listed.first?.attempts == 1)
            #expect(listed.first?.deliveredUnixMs == fixedNow)
        }
    }

    @Test("SendSms is idempotent: one row, one hand-off per key", arguments: Engine.all)
    func idempotentSend(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { _, sms in
            let first = try await send(sms, fixture, key: "same")
            let again = try await send(sms, fixture, key: "same")
            #expect(first.sms?.smsID == again.sms?.smsID)
            let value4 = try await fixture.count("sms")
            #expect(value4 == 1)
            try await fixture.worker.runOnce()
            _ = try await send(sms, fixture, key: "same")
            try await fixture.worker.runOnce()
            #expect(fixture.smsLines().count == 1)
            let noKey = await rpcError {
                _ = try await sms.sendSms(.init(templateID: "mobile-app-link", cardID: 42, phone: "9372888099"), metadata: fixture.metadata(.vcc))
            }
            #expect(noKey?.fieldViolations.first?.field == "idempotency-key")
        }
    }

    @Test("marketing never at night: deferred to 09:00 local", arguments: Engine.all)
    func nightDeferral(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        fixture.clock.set(tuesday.unixMs(atMinute: 7 * 60, utcOffsetMinutes: 180))
        try await fixture.run { _, sms in
            let response = try await send(sms, fixture)
            #expect(response.deferred)
            #expect(response.sms?.scheduledForUnixMs == tuesday.unixMs(atMinute: 9 * 60, utcOffsetMinutes: 180))
            let value5 = try await fixture.worker.runOnce()
            #expect(value5 == 0)
            let status = try await sms.getOutboxStatus(.init(), metadata: fixture.metadata(.vcc))
            #expect(status.scheduled == 1 && status.queued == 0 && status.provider == "file")
            fixture.clock.set(tuesday.unixMs(atMinute: 9 * 60, utcOffsetMinutes: 180))
            let value6 = try await fixture.worker.runOnce()
            #expect(value6 == 1)
        }
    }

    @Test("refusals name the field or the rule", arguments: Engine.all)
    func refusals(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { _, sms in
            let phone = await rpcError { _ = try await send(sms, fixture, phone: "12345") }
            #expect(phone?.fieldViolations.first?.field == "phone")
            let visit = await rpcError { _ = try await send(sms, fixture, template: "visit") }
            #expect(visit?.fieldViolations.first?.field == "template_id")
            let missing = await rpcError { _ = try await send(sms, fixture, template: "nope") }
            #expect(missing?.code == .notFound)
            let noContract = await rpcError { _ = try await send(sms, fixture, template: "collection-reminder", region: "77", role: .collector) }
            #expect(noContract?.fieldViolations.first?.field == "contract_number")
            let noRegion = await rpcError { _ = try await send(sms, fixture, template: "collection-reminder", contract: "K-1", role: .collector) }
            #expect(noRegion?.fieldViolations.first?.field == "region_code")
            let wrongRole = await rpcError { _ = try await send(sms, fixture, template: "collection-reminder", region: "77", contract: "K-1") }
            #expect(wrongRole?.code == .permissionDenied)
            let value7 = try await fixture.count("sms")
            #expect(value7 == 0)
        }
    }

    @Test("collection SMS: at most 2 a day per debtor, the cap named", arguments: Engine.all)
    func collectionCaps(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { _, sms in
            for _ in 0..<2 {
                _ = try await send(sms, fixture, template: "collection-reminder", region: "77", contract: "K-1", role: .collector)
            }
            let third = await rpcError { _ = try await send(sms, fixture, template: "collection-reminder", region: "77", contract: "K-1", role: .collector) }
            #expect(third?.code == .failedPrecondition)
            #expect(third?.message.contains("Не более 2 сообщений в день") == true)
            #expect(third?.fieldViolations.map(\.field) == ["contract_number"])
            // The caps are the debtor's, not the loan's: the same client's other contract is refused too…
            let otherLoan = await rpcError { _ = try await send(sms, fixture, template: "collection-reminder", region: "77", contract: "K-3", role: .collector) }
            #expect(otherLoan?.code == .failedPrecondition)
            #expect(otherLoan?.message.contains("Не более 2 сообщений в день одному должнику") == true)
            #expect(otherLoan?.fieldViolations.map(\.field) == ["contract_number"])
            // …while another debtor is not affected.
            _ = try await send(sms, fixture, template: "collection-reminder", region: "77", contract: "K-2", role: .collector, card: 43)
            // Scheduled for tomorrow: counted on tomorrow.
            let tomorrow = try await sms.scheduleSms(
                .init(templateID: "collection-call-back", cardID: 42, phone: "9372888099", regionCode: "77", contractNumber: "K-1",
                      sendAtUnixMs: tuesday.adding(days: 1).unixMs(atMinute: 12 * 60, utcOffsetMinutes: 180)),
                metadata: fixture.metadata(.collector, key: UUID().uuidString)
            )
            #expect(!tomorrow.moved)
        }
    }

    @Test("ScheduleSms moves a moment outside the window and refuses the past", arguments: Engine.all)
    func schedule(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { _, sms in
            // 23:00 Moscow on a Friday for a collection SMS → Saturday 09:00.
            let friday = date(2026, 3, 13)
            let response = try await sms.scheduleSms(
                .init(templateID: "collection-reminder", cardID: 42, phone: "9372888099", regionCode: "77", contractNumber: "K-9",
                      sendAtUnixMs: friday.unixMs(atMinute: 23 * 60, utcOffsetMinutes: 180)),
                metadata: fixture.metadata(.collector, key: "s-1")
            )
            #expect(response.moved)
            #expect(response.sms?.scheduledForUnixMs == friday.adding(days: 1).unixMs(atMinute: 9 * 60, utcOffsetMinutes: 180))
            let past = await rpcError {
                _ = try await sms.scheduleSms(.init(templateID: "mobile-app-link", cardID: 42, phone: "9372888099", sendAtUnixMs: fixedNow - 1),
                                              metadata: fixture.metadata(.vcc, key: "s-2"))
            }
            #expect(past?.fieldViolations.first?.field == "send_at_unix_ms")
        }
    }

    @Test("the visit rule: plan, schedule for the day before, cancel with the booking", arguments: Engine.all)
    func visitSms(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { offices, sms in
            let m = fixture.metadata(.vcc)
            let today = try await sms.planVisitSms(.init(officeID: "msk-mini160", visitDate: wireDate(tuesday)), metadata: m)
            #expect(!today.sendByDefault && today.sendAtUnixMs == 0)
            #expect(today.text == "Ждем Вас 10.03.2026 по адресу Зелёный пр-кт дом №27 корпус №1")
            let later = try await sms.planVisitSms(.init(officeID: "msk-mini160", visitDate: wireDate(tuesday.adding(days: 3))), metadata: m)
            #expect(later.sendByDefault)
            #expect(later.sendAtUnixMs == tuesday.adding(days: 2).unixMs(atMinute: 600, utcOffsetMinutes: 180))

            let booking = try await book(offices, fixture, office: "msk-mini160", on: tuesday.adding(days: 3), at: at(18))
            let untick = await rpcError {
                _ = try await sms.scheduleVisitSms(.init(bookingID: booking.bookingID, phone: "9372888099", send: false), metadata: fixture.metadata(.vcc, key: "v-0"))
            }
            #expect(untick?.code == .failedPrecondition)
            #expect(untick?.message == "Галочку снимают, только если у клиента нет мобильного")
            let noMobile = try await sms.scheduleVisitSms(.init(bookingID: booking.bookingID, phone: "", send: false), metadata: fixture.metadata(.vcc, key: "v-1"))
            #expect(noMobile.sms == nil)
            let noPhone = await rpcError {
                _ = try await sms.scheduleVisitSms(.init(bookingID: booking.bookingID, send: true), metadata: fixture.metadata(.vcc, key: "v-2"))
            }
            #expect(noPhone?.fieldViolations.first?.field == "phone")

            let scheduled = try await sms.scheduleVisitSms(.init(bookingID: booking.bookingID, phone: "8 937 288 80 99", send: true), metadata: fixture.metadata(.vcc, key: "v-3"))
            let message = try #require(scheduled.sms)
            #expect(message.category == .visit)
            #expect(message.bookingID == booking.bookingID)
            #expect(message.scheduledForUnixMs == later.sendAtUnixMs)
            #expect(message.text == "Ждем Вас 13.03.2026 по адресу Зелёный пр-кт дом №27 корпус №1")
            let value8 = try await fixture.worker.runOnce()
            #expect(value8 == 0)

            // Moving the booking reschedules the pending SMS.
            _ = try await offices.moveBooking(.init(bookingID: booking.bookingID, date: wireDate(tuesday.adding(days: 5)), start: at(11)), metadata: m)
            let afterMove = try await sms.listClientSms(.init(cardID: 1), metadata: m).messages.first!
            #expect(afterMove.text == "Ждем Вас 15.03.2026 по адресу Зелёный пр-кт дом №27 корпус №1")
            #expect(afterMove.scheduledForUnixMs == tuesday.adding(days: 4).unixMs(atMinute: 600, utcOffsetMinutes: 180))

            // Cancelling the booking cancels it.
            _ = try await offices.cancelBooking(.init(bookingID: booking.bookingID), metadata: m)
            let listed = try await sms.listClientSms(.init(cardID: 1), metadata: m).messages
            #expect(listed.first?.state == .cancelled)
            let afterCancel = await rpcError {
                _ = try await sms.scheduleVisitSms(.init(bookingID: booking.bookingID, phone: "9372888099", send: true), metadata: fixture.metadata(.vcc, key: "v-4"))
            }
            #expect(afterCancel?.code == .failedPrecondition)
        }
    }

    @Test("a visit today goes now when ticked", arguments: Engine.all)
    func visitToday(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { offices, sms in
            let booking = try await book(offices, fixture, office: "msk-mini160", on: tuesday, at: at(18))
            let response = try await sms.scheduleVisitSms(.init(bookingID: booking.bookingID, phone: "9372888099", send: true), metadata: fixture.metadata(.vcc, key: "t"))
            #expect(response.sms?.scheduledForUnixMs == fixedNow)
            let value9 = try await fixture.worker.runOnce()
            #expect(value9 == 1)
            #expect(fixture.smsLines().first?.contains("Ждем Вас 10.03.2026") == true)
        }
    }

    @Test("login codes: SYSTEM only, any hour, through the same outbox to the file", arguments: Engine.all)
    func loginCodes(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        fixture.clock.set(tuesday.unixMs(atMinute: 3 * 60, utcOffsetMinutes: 180))
        try await fixture.run { _, sms in
            let request = SchedulingV1.SendLoginCodeRequest(login: "vcc.ivanova", phone: "9161234567", code: "123456")
            let denied = await rpcError { _ = try await sms.sendLoginCode(request, metadata: fixture.metadata(.vcc, key: "c")) }
            #expect(denied?.code == .permissionDenied)
            let badCode = await rpcError {
                _ = try await sms.sendLoginCode(.init(login: "x", phone: "9161234567", code: "12"), metadata: fixture.metadata(.system, key: "c0"))
            }
            #expect(badCode?.fieldViolations.first?.field == "code")
            let sent = try await sms.sendLoginCode(request, metadata: fixture.metadata(.system, login: "crm-registry", key: "c1"))
            #expect(sent.smsID.hasPrefix("sms-"))
            let value10 = try await fixture.worker.runOnce()
            #expect(value10 == 1)
            let line = try #require(fixture.smsLines().first)
            #expect(line.contains("\"login\":\"vcc.ivanova\""))
            #expect(line.contains("Код для входа в CRM: 123456"))
            // Handed off: the outbox keeps the message without the code.
            let stored = try await fixture.store.sms(id: sent.smsID)!
            #expect(stored.state == .sent || stored.state == .delivered)
            #expect(stored.text == "Код для входа в CRM: ******")
        }
    }

    @Test("paging of a client's SMS, newest first", arguments: Engine.all)
    func paging(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { _, sms in
            var ids: [String] = []
            for _ in 0..<5 {
                ids.append(try await send(sms, fixture).sms!.smsID)
                fixture.clock.advance(ms: 1000)
            }
            let first = try await sms.listClientSms(.init(cardID: 42, pageSize: 3), metadata: fixture.metadata(.collector))
            let second = try await sms.listClientSms(.init(cardID: 42, pageSize: 3, pageToken: first.nextPageToken), metadata: fixture.metadata(.collector))
            #expect((first.messages + second.messages).map(\.smsID) == ids.reversed())
            #expect(second.nextPageToken.isEmpty)
        }
    }

    @Test("retries with backoff, then fails with the provider's reason")
    func retries() async throws {
        let provider = ScriptedProvider()
        let fixture = try Fixture(provider: provider)
        try await fixture.run { _, sms in
            provider.failures.withLock { $0 = [.temporary("шлюз недоступен"), .temporary("шлюз недоступен")] }
            let id = try await send(sms, fixture).sms!.smsID
            let value11 = try await fixture.worker.runOnce()
            #expect(value11 == 1)
            #expect(try await fixture.worker.runOnce() == 0)   // waiting for the backoff
            var row = try await fixture.store.sms(id: id)!
            #expect(row.state == .queued && row.attempts == 1 && row.nextAttemptMs == fixedNow + 2_000)
            fixture.clock.advance(ms: 2_000)
            let value12 = try await fixture.worker.runOnce()
            #expect(value12 == 1)
            fixture.clock.advance(ms: 4_000)
            let value13 = try await fixture.worker.runOnce()
            #expect(value13 == 1)
            row = try await fixture.store.sms(id: id)!
            #expect(row.state == .sent && row.attempts == 3)
            #expect(provider.sent.withLock { $0 } == [id])

            provider.failures.withLock { $0 = [.permanent("номер заблокирован")] }
            let refused = try await send(sms, fixture).sms!.smsID
            try await fixture.worker.runOnce()
            let failed = try await sms.listClientSms(.init(cardID: 42), metadata: fixture.metadata(.vcc)).messages.first { $0.smsID == refused }
            #expect(failed?.state == .failed)
            #expect(failed?.failureReason == "номер заблокирован")
        }
    }

    @Test("two workers over one database never hand off the same row")
    func twoWorkers() async throws {
        let provider = ScriptedProvider()
        let fixture = try Fixture(provider: provider)
        let other = OutboxWorker(store: fixture.store, provider: provider, nowMs: { fixedNow }, owner: "replica-2")
        try await fixture.run { _, sms in
            for _ in 0..<40 { _ = try await send(sms, fixture) }
            async let a = fixture.worker.runOnce()
            async let b = other.runOnce()
            async let c = fixture.worker.runOnce()
            async let d = other.runOnce()
            _ = try await (a, b, c, d)
            while try await fixture.worker.runOnce() > 0 {}
            let sent = provider.sent.withLock { $0 }
            #expect(sent.count == 40)
            #expect(Set(sent).count == 40)
        }
    }

    @Test("the worker runs as a service and wakes on acceptance", arguments: Engine.all)
    func workerService(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        let clock = fixture.clock
        let worker = OutboxWorker(
            store: fixture.store, provider: FileSmsProvider(path: fixture.smsFile, nowMs: { clock.now }),
            configuration: { var c = OutboxWorker.Configuration(); c.pollInterval = .seconds(30); return c }(), nowMs: { clock.now }
        )
        let environment = SchedulingEnvironment(store: fixture.store, nowMs: { clock.now }, wakeOutbox: { worker.notify() })
        let services: [any RegistrableRPCService] = [SmsService(environment: environment)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            try await withTestServer(.inProcess, services: services, interceptors: fixture.interceptors) { client in
                let sms = SchedulingV1.Sms.Client(wrapping: client)
                _ = try await send(sms, fixture)
                let deadline = ContinuousClock.now + .seconds(5)
                while fixture.smsLines().isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                #expect(fixture.smsLines().count == 1)
            }
            group.cancelAll()
        }
    }
}

/// A provider that fails as scripted, then records what it sent.
final class ScriptedProvider: SmsProvider {
    let failures = Mutex<[SmsProviderError]>([])
    let sent = Mutex<[String]>([])
    var name: String { "scripted" }

    func send(_ sms: OutgoingSms) async throws -> SmsHandOff {
        if let failure = failures.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw failure }
        sent.withLock { $0.append(sms.id) }
        return .sent
    }
}
