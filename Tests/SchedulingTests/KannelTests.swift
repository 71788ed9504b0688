import Auth
import CRMAPI
import Foundation
import HTTPEndpoint
import Logging
import RPCCore
import RPCTesting
@testable import Scheduling
import ServiceLifecycle
import Testing
import Wire

@Suite("Kannel: sendsms, delivery reports, the real gateway")
struct KannelTests {
    static let signer = DeliveryReportSigner(secret: "scheduling-tests-secret-0123456789")

    static func provider(url: String, dlr: String) -> KannelSmsProvider {
        KannelSmsProvider(.init(sendsmsURL: URL(string: url)!, username: "crm", password: "p&ss w", dlrURL: dlr), signer: signer)
    }

    static func send(_ sms: SchedulingV1.Sms.Client, _ fixture: Fixture, phone: String = "9372888099") async throws -> SchedulingV1.SmsMessage {
        try #require(try await sms.sendSms(
            .init(templateID: "mobile-app-link", cardID: 42, phone: phone), metadata: fixture.metadata(.vcc, key: UUID().uuidString)
        ).sms)
    }

    @Test("sendsms asks for UCS-2 in UTF-8, all report types, and a signed dlr-url carrying our id")
    func sendsmsTarget() throws {
        let provider = Self.provider(url: "http://kannel:13013/cgi-bin/sendsms", dlr: "http://scheduling:7190/dlr")
        let sms = OutgoingSms(id: "sms-abc", phone: "9372888099", text: "Ждем Вас 10.03.2026", login: "")
        let target = provider.target(for: sms)
        let request = EndpointRequest(method: "GET", uri: target)
        #expect(request.path == "/cgi-bin/sendsms")
        #expect(request.query("username") == "crm")
        #expect(request.query("password") == "p&ss w")
        #expect(request.query("to") == "+79372888099")
        #expect(request.query("text") == "Ждем Вас 10.03.2026")
        #expect(request.query("coding") == "2")
        #expect(request.query("charset") == "UTF-8")
        #expect(request.query("dlr-mask") == "31")
        let dlr = try #require(request.query("dlr-url"))
        #expect(dlr == "http://scheduling:7190/dlr?id=sms-abc&sig=\(Self.signer.signature("sms-abc"))&type=%d&reply=%A")
    }

    @Test("Kannel's answers: 2xx taken, 5xx retried, other refusals final with Kannel's words", arguments: [
        (202, "0: Accepted for delivery", Result<SmsHandOff, SmsProviderError>.success(.sent)),
        (202, "3: Queued for later delivery", .success(.sent)),
        (503, "Internal error", .failure(.temporary("Kannel: HTTP 503 Internal error"))),
        (403, "Authorization failed for sendsms", .failure(.permanent("Kannel отказал: HTTP 403 Authorization failed for sendsms"))),
        (400, "Missing receiver number", .failure(.permanent("Kannel отказал: HTTP 400 Missing receiver number"))),
    ])
    func answers(status: Int, body: String, expected: Result<SmsHandOff, SmsProviderError>) {
        #expect(KannelSmsProvider.outcome(status: status, body: body + "\n") == expected)
    }

    @Test("Kannel's report types map onto outbox states", arguments: [
        (1, "", DeliveryEvent.delivered), (2, "", .failed(reason: "Не доставлено (оператор связи)")),
        (4, "", .sent), (8, "ACK/", .sent), (16, "NACK/0x0000000b/Invalid Destination Address", .failed(reason: "Отклонено центром SMS: NACK/0x0000000b/Invalid Destination Address")),
    ])
    func reportTypes(type: Int, reply: String, expected: DeliveryEvent) {
        #expect(DeliveryEvent.kannel(type: type, reply: reply) == expected)
    }

    @Test("fakesmsc's printed lines decode: URL-encoded UCS-2 big-endian, + for a space byte", arguments: [
        ("2026-11-23 05:00:00 [1] [0] DEBUG: Got message 1: <Halva +79372888099 ucs-2 %04%16%04%34%04%35%04%3C%00+%04%12%04%30%04%41%00%21>",
         FakeSmscMessage(from: "Halva", to: "+79372888099", text: "Ждем Вас!")),
        ("Got message 7: <Halva 100 ucs-2 %00h%00t%00t%00p%00%3A%00%2F%00%2F%04%01>", FakeSmscMessage(from: "Halva", to: "100", text: "http://Ё")),
        ("Got message 2: <Halva 200 text plain+ascii>", FakeSmscMessage(from: "Halva", to: "200", text: "plain+ascii")),
    ])
    func fakesmscLines(line: String, expected: FakeSmscMessage) {
        #expect(FakeSmscMessage(line: line) == expected)
    }

    @Test("lines that are not a received message decode to nothing")
    func fakesmscOtherLines() {
        #expect(FakeSmscMessage(line: "2026-11-23 05:00:00 [1] [0] INFO: fakesmsc starting") == nil)
        #expect(FakeSmscMessage(line: "Got message 3: <Halva 200 ucs-2 %04>") == nil)
    }

    @Test("an unknown report type maps to nothing")
    func unknownType() {
        #expect(DeliveryEvent.kannel(type: 3, reply: "") == nil)
        #expect(DeliveryEvent.kannel(type: 32, reply: "") == nil)
    }

    @Test("Kannel down: the message stays queued with a retry after backoff; Kannel refusing: failed with its reason")
    func gatewayDown() async throws {
        let closed = try freePorts(1)[0]
        let fixture = try Fixture(provider: Self.provider(url: "http://127.0.0.1:\(closed)/cgi-bin/sendsms", dlr: "http://127.0.0.1:1/dlr"))
        try await fixture.run { _, sms in
            let message = try await Self.send(sms, fixture)
            #expect(try await fixture.worker.runOnce() == 1)
            let row = try #require(try await fixture.store.sms(id: message.smsID))
            #expect(row.state == .queued)
            #expect(row.attempts == 1)
            #expect(row.nextAttemptMs == fixture.clock.now + 2_000)
            #expect(row.failureReason.hasPrefix("Kannel недоступен"))
            // Not due yet: nothing is handed off again before the backoff.
            #expect(try await fixture.worker.runOnce() == 0)
        }
        // A gateway that answers 403 (wrong credentials): failed, with what Kannel said.
        let refusing = HTTPEndpoint(.init(port: 0), routes: [EndpointRoute("GET", "/cgi-bin/sendsms") { _ in .text("Authorization failed for sendsms", status: 403) }])
        let group = ServiceGroup(services: [refusing], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        let port = try await refusing.boundPort()
        let refused = try Fixture(provider: Self.provider(url: "http://127.0.0.1:\(port)/cgi-bin/sendsms", dlr: "http://127.0.0.1:1/dlr"))
        try await refused.run { _, sms in
            let message = try await Self.send(sms, refused)
            #expect(try await refused.worker.runOnce() == 1)
            let listed = try await sms.listClientSms(.init(cardID: 42), metadata: refused.metadata(.vcc)).messages
            #expect(listed.first { $0.smsID == message.smsID }?.state == .failed)
            #expect(listed.first { $0.smsID == message.smsID }?.failureReason == "Kannel отказал: HTTP 403 Authorization failed for sendsms")
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test("delivery reports: signed, applied once, never backwards (delivered before accepted stays delivered)")
    func reports() async throws {
        let fixture = try Fixture(provider: Self.provider(url: "http://127.0.0.1:1/cgi-bin/sendsms", dlr: "http://127.0.0.1:1/dlr"))
        let reports = KannelDeliveryReports(store: fixture.store, signer: Self.signer, nowMs: { fixture.clock.now })
        func report(_ id: String, _ type: Int, sig: String? = nil, reply: String = "") async -> Int {
            let query = "id=\(id)&sig=\(sig ?? Self.signer.signature(id))&type=\(type)&reply=\(reply)"
            return await reports.handle(EndpointRequest(method: "GET", uri: "/dlr?" + query)).status
        }
        try await fixture.run { _, sms in
            let first = try await Self.send(sms, fixture).smsID
            let second = try await Self.send(sms, fixture).smsID
            func state(_ id: String) async throws -> SmsStateCode? {
                try await fixture.store.sms(id: id)?.state
            }
            #expect(await report(first, 1, sig: "0123456789abcdef01234567") == 403)
            #expect(try await state(first) == .queued)
            #expect(await report("sms-nonexistent", 1) == 404)
            #expect(await report(first, 3) == 400)

            // Accepted by the centre (before the worker recorded its own hand-off), then delivered.
            #expect(await report(first, 8) == 200)
            #expect(try await state(first) == .sent)
            // The report counts the hand-off the worker has not recorded yet.
            #expect(try await fixture.store.sms(id: first)?.attempts == 1)
            #expect(await report(first, 1) == 200)
            #expect(try await state(first) == .delivered)
            #expect(await report(first, 8) == 200)
            #expect(await report(first, 2) == 200)
            #expect(try await state(first) == .delivered)
            // The worker claims only the other, still queued message: a delivered one is never handed off again.
            #expect(try await fixture.worker.runOnce() == 1)
            #expect(try await state(first) == .delivered)

            #expect(await report(second, 16, reply: "NACK/0x0000000b") == 200)
            #expect(try await state(second) == .failed)
            #expect(await report(second, 1) == 200)
            #expect(try await state(second) == .failed)
        }
    }

    @Test(
        "through the real Kannel: bearerbox, smsbox and the fake SMS centre take the SMS, the delivery report marks it delivered",
        .enabled(if: KannelHarness.installed || KannelHarness.required)
    )
    func realKannel() async throws {
        guard KannelHarness.installed else {
            Issue.record("CRM_REQUIRE_KANNEL=1 but bearerbox, smsbox or fakesmsc is missing (apt-get install kannel kannel-extras)")
            return
        }
        let kannel = try KannelHarness()
        defer { kannel.stop() }
        try await kannel.start()

        let dlrPort = try freePorts(1)[0]
        let provider = KannelSmsProvider(
            .init(sendsmsURL: kannel.sendsmsURL, username: kannel.user, password: kannel.password, dlrURL: "http://127.0.0.1:\(dlrPort)/dlr"),
            signer: Self.signer
        )
        let fixture = try Fixture(provider: provider)
        let reports = KannelDeliveryReports(store: fixture.store, signer: Self.signer, nowMs: { fixture.clock.now })
        let listener = HTTPEndpoint(.init(host: "127.0.0.1", port: dlrPort), routes: reports.routes)
        let group = ServiceGroup(services: [listener], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        _ = try await listener.boundPort()
        do {
            try await fixture.run(.tcp) { _, sms in
                let message = try await Self.send(sms, fixture)
                #expect(try await fixture.worker.runOnce() == 1)
                try await waitUntil("the delivery report marks the SMS delivered") {
                    let listed = try await sms.listClientSms(.init(cardID: 42), metadata: fixture.metadata(.vcc)).messages
                    return listed.first { $0.smsID == message.smsID }?.state == .delivered
                }
                let listed = try await sms.listClientSms(.init(cardID: 42), metadata: fixture.metadata(.vcc)).messages
                #expect(listed.first?.attempts == 1)
            }
            // The fake centre got the Cyrillic text intact (UCS-2 asked for in UTF-8), to the number asked.
            try await waitUntil("the fake SMS centre printed the message", seconds: 10) { kannel.fakesmscOutput.contains("Got message") }
            #expect(
                kannel.received == [FakeSmscMessage(from: "Halva", to: "+79372888099", text: SmsTemplates.mobileAppLink.text)],
                "fakesmsc printed: \(kannel.fakesmscOutput.suffix(600))"
            )
            #expect(kannel.received.first?.text == "Скачайте мобильное приложение Халва http://scb.im/hva")
        } catch {
            Issue.record("Kannel logs:\n\(kannel.logs)")
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test(
        "through the real Kannel: a delivery report made while scheduling's listener is down arrives once it is back (smsbox fetches the dlr-url again)",
        .enabled(if: KannelHarness.installed || KannelHarness.required)
    )
    func reportWhileListenerDown() async throws {
        guard KannelHarness.installed else {
            Issue.record("CRM_REQUIRE_KANNEL=1 but bearerbox, smsbox or fakesmsc is missing (apt-get install kannel kannel-extras)")
            return
        }
        let kannel = try KannelHarness()
        defer { kannel.stop() }
        try await kannel.start()
        let dlrPort = try freePorts(1)[0]
        let provider = KannelSmsProvider(
            .init(sendsmsURL: kannel.sendsmsURL, username: kannel.user, password: kannel.password, dlrURL: "http://127.0.0.1:\(dlrPort)/dlr"),
            signer: Self.signer
        )
        let fixture = try Fixture(provider: provider)
        let reports = KannelDeliveryReports(store: fixture.store, signer: Self.signer, nowMs: { fixture.clock.now })
        let listener = HTTPEndpoint(.init(host: "127.0.0.1", port: dlrPort), routes: reports.routes)
        let group = ServiceGroup(services: [listener], logger: Logger(label: "test"))
        var running: Task<Void, any Error>?
        do {
            try await fixture.run { _, sms in
                let message = try await Self.send(sms, fixture)
                #expect(try await fixture.worker.runOnce() == 1)
                // The centre took it and reported at once; nobody listens at the dlr-url yet.
                try await waitUntil("smsbox queues the failed dlr-url fetch for another try") { kannel.smsboxLog.contains("Retrying request") }
                func state() async throws -> SmsStateCode? { try await fixture.store.sms(id: message.smsID)?.state }
                #expect(try await state() == .sent)
                // Scheduling's listener comes back: the retried report lands.
                running = Task { try await group.run() }
                _ = try await listener.boundPort()
                try await waitUntil("the retried delivery report marks the SMS delivered") { try await state() == .delivered }
            }
        } catch {
            Issue.record("Kannel logs:\n\(kannel.logs)")
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running?.value
    }

    @Test("deploy/kannel fetches a failed dlr-url again (http-request-retry in the smsbox group): a report sent while scheduling restarts is not lost")
    func deployedKannelRetriesReports() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("deploy/kannel/kannel.conf"), encoding: .utf8)
        // Kannel's groups are separated by blank lines; `key = value`, `#` comments.
        let groups = text.components(separatedBy: "\n\n").map { block in
            Dictionary(block.split(separator: "\n").compactMap { line -> (String, String)? in
                guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { return nil }
                return (line[..<equals].trimmingCharacters(in: .whitespaces), line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces))
            }, uniquingKeysWith: { $1 })
        }
        let smsbox = try #require(groups.first { $0["group"] == "smsbox" })
        let retries = try #require(smsbox["http-request-retry"].flatMap { Int($0) })
        let delay = try #require(smsbox["http-queue-delay"].flatMap { Int($0) })
        // At least 10 minutes of a restarting or absent scheduling covered.
        #expect(retries * delay >= 600)
    }
}
