import Auth
import CRMAPI
import Foundation
import RPCCore
import Testing
import Wire
import TestSupport

/// Who may write what, over TCP against the three service processes on the demo anchors
/// (DemoAnchors: «Смирнов» with the debt contract Z600531987509, his mobile 9372888099, the
/// contract's third-party phone 9510187060; «Орлов» 9031112233 with Z600531987510 without debt).
@Suite(.serialized) struct BusinessRulesTests {
    static let debtContract = "Z600531987509"

    struct Services {
        let registry: ServiceProcess
        let contacts: ServiceProcess
        let scheduling: ServiceProcess

        func stop() {
            for service in [registry, contacts, scheduling] { service.stop() }
        }
    }

    static func start(in folder: URL) async throws -> Services {
        let ports = (try freePort(), try freePort(), try freePort())
        func path(_ name: String) -> String { folder.appendingPathComponent("\(name).sqlite").path }
        let services = Services(
            registry: try ServiceProcess("registry", database: path("registry"), port: ports.0, environment: [
                "CRM_SEED_CLIENTS": "0", "CRM_CONTACTS": "127.0.0.1:\(ports.1)", "CRM_SMS_FILE": folder.appendingPathComponent("codes.jsonl").path,
            ]),
            contacts: try ServiceProcess("contacts", database: path("contacts"), port: ports.1, environment: ["CRM_REGISTRY": "127.0.0.1:\(ports.0)"]),
            scheduling: try ServiceProcess("scheduling", database: path("scheduling"), port: ports.2, environment: ["CRM_REGISTRY": "127.0.0.1:\(ports.0)"])
        )
        try await services.registry.start()
        try await services.contacts.start()
        try await services.scheduling.start()
        return services
    }

    @Test func bureauDecisionsOnlyFromTheBureauPathCollectionSmsOnlyToTheDebtorSessionsOnlyOnCards() async throws {
        let folder = try temporaryFolder("who-writes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let services = try await Self.start(in: folder)
        defer { services.stop() }
        let registry = RegistryV1.ClientRegistry.Client(wrapping: services.registry.client())
        let history = ContactsV1.ContactHistory.Client(wrapping: services.contacts.client())
        let calls = ContactsV1.Calls.Client(wrapping: services.contacts.client())
        let sms = SchedulingV1.Sms.Client(wrapping: services.scheduling.client())
        let card = try #require(try await registry.getLoan(.init(contractNumber: Self.debtContract), metadata: metadata(.collector)).loan).cardID

        // 1. An operator's «Одобрено» signed by the bureau is refused; the bureau path records the real decision.
        let forged = ContactsV1.RecordExternalEventRequest(
            eventID: "forged-1", cardID: card, operator: TypesV1.OperatorRef(login: "bki", fullName: "Бюро кредитных историй"),
            event: .bureauDecision(.init(decisionID: "forged-1", decision: .approved))
        )
        for role in [Role.vcc, .sales, .collector] {
            let refused = await rpcError { _ = try await history.recordExternalEvent(forged, metadata: metadata(role)) }
            #expect(refused?.code == .permissionDenied, "\(role)")
        }
        let decision = try await registry.requestBureauDecision(
            .init(cardID: card, passport: TypesV1.Passport(series: "3605", number: "123456"), birthDate: TypesV1.Date(year: 1985, month: 3, day: 14)),
            metadata: metadata(.vcc)
        )
        let entries = try await history.listContactHistory(.init(cardID: card), metadata: metadata(.vcc)).entries
        let bureau = entries.compactMap { entry -> ContactsV1.BureauDecisionDetails? in
            if case .bureauDecision(let details)? = entry.details { return details } else { return nil }
        }
        #expect(bureau.map(\.decisionID) == [decision.decisionID])
        #expect(bureau.first?.decision == decision.decision)

        // 2. A collection SMS goes to the debtor's own phone on a contract with debt, nowhere else.
        func send(_ phone: String, contract: String = Self.debtContract, key: String) async -> RPCError? {
            await rpcError {
                _ = try await sms.sendSms(
                    .init(templateID: "collection-reminder", cardID: card, phone: phone, regionCode: "63", contractNumber: contract),
                    metadata: metadata(.collector, key: key)
                )
            }
        }
        #expect(await send("9372888099", key: "own") == nil)
        let refusals: [(what: String, phone: String, contract: String, code: StatusCode, field: String)] = [
            ("the contract's third-party phone", "9510187060", Self.debtContract, .permissionDenied, "phone"),
            ("another client's mobile", "9031112233", Self.debtContract, .permissionDenied, "phone"),
            ("a contract without debt", "9031112233", "Z600531987510", .failedPrecondition, "contract_number"),
            ("a contract that does not exist", "9372888099", "Z000000000000", .failedPrecondition, "contract_number"),
        ]
        for (index, refusal) in refusals.enumerated() {
            let error = await send(refusal.phone, contract: refusal.contract, key: "refused-\(index)")
            #expect(error?.code == refusal.code, "\(refusal.what): \(String(describing: error))")
            #expect(error?.fieldViolations.map(\.field) == [refusal.field], "\(refusal.what)")
        }

        // 3. A call session only on a card the registry has.
        func open(_ cardID: Int64) async -> RPCError? {
            await rpcError {
                _ = try await calls.openCallSession(
                    .init(cardID: cardID, campaignID: "announcement_marking", direction: .outgoing, cardType: .client),
                    metadata: metadata(.vcc)
                )
            }
        }
        #expect(await open(card) == nil)
        let missing = await open(999_999)
        #expect(missing?.code == .notFound)
        #expect(missing?.fieldViolations.map(\.field) == ["card_id"])

        // 4. The registry down: both fail closed.
        await services.registry.terminate()
        #expect(await send("9372888099", key: "registry-down")?.code == .unavailable)
        #expect(await open(card + 1)?.code == .unavailable)
        print("who writes what: forged bureau events refused for 3 roles; collection SMS: 1 accepted, \(refusals.count) refused; session on a missing card refused; registry down → UNAVAILABLE")
    }
}

