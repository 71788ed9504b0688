import Auth
import CRMAPI
@testable import ContactOutcome
import CRMDomain
import Foundation
import RPCCore
import RPCTesting
import Testing
import Wire
import TestSupport

func contract(
    _ number: String, priority: Int32 = 10, start: LocalDate = tuesday, debt: Int64 = 1_500_000, offset: Int32 = 0,
    procedure: ContactsV1.CollectionProcedure = .portfolio, collector: String = "svv", paid: LocalDate? = nil, ban: ContactsV1.ContactBan = .unspecified
) -> ContactsV1.PortfolioContract {
    ContactsV1.PortfolioContract(
        contractNumber: number, cardID: 77, borrower: TypesV1.FullName(surname: "Петров", name: "Петр", patronymic: "Петрович"),
        region: TypesV1.RegionRef(code: "x", name: "x", moscowOffsetHours: offset), collectorLogin: collector, procedure: procedure,
        priority: priority, plannedStart: start.wire, debtKopecks: debt, overdueKopecks: 300_000, overdueDays: 45,
        lastPaymentDate: paid?.wire, contactBan: ban
    )
}

@Suite("Collection service")
struct CollectionServiceTests {
    @Test("work list: order, counts, and what is not offered")
    func workList() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let system = fixture.metadata(.system, login: "loader")
            let upsert = try await c.collection.upsertPortfolio(.init(contracts: [
                contract("Z3", priority: 1), contract("Z2", priority: 100, start: tuesday.adding(days: 1)), contract("Z1", priority: 100),
                contract("Z0", debt: 0), contract("ZB", ban: .inHospital), contract("ZV", offset: 7),  // 16:00 local: fine
                contract("ZK", offset: -1, collector: "other"), contract("ZI", priority: 100, start: tuesday.adding(days: 5), procedure: .incomingCall),
            ]), metadata: system)
            #expect(upsert.inserted == 8)
            let svv = fixture.metadata(.collector, login: "svv")
            let list = try await c.collection.getWorkList(.init(), metadata: svv)
            #expect(list.rows.map(\.contractNumber) == ["Z1", "Z2", "ZI", "ZV", "Z3"])
            #expect(list.activeCount == 5)
            #expect(list.newCount == 5)
            // One call today: the outgoing rows of that contract leave the list for today.
            _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: .call, phone: "9372888099"), metadata: svv)
            let after = try await c.collection.getWorkList(.init(), metadata: svv)
            #expect(after.rows.map(\.contractNumber) == ["Z2", "ZI", "ZV", "Z3"])
            // 22:30 in Приморье (15:30 Moscow): ZV is not callable; the incoming-call row stays.
            fixture.clock.advance(ms: 6 * 3_600_000 + 30 * 60_000)
            let late = try await c.collection.getWorkList(.init(), metadata: svv)
            #expect(late.rows.map(\.contractNumber) == ["Z2", "ZI", "Z3"])
            let paged = try await c.collection.getWorkList(.init(pageSize: 2), metadata: svv)
            #expect(paged.rows.count == 2)
            #expect(try await c.collection.getWorkList(.init(pageSize: 2, pageToken: paged.nextPageToken), metadata: svv).rows.map(\.contractNumber) == ["Z3"])
            let vcc = await rpcError { _ = try await c.collection.getWorkList(.init(), metadata: fixture.metadata(.vcc)) }
            #expect(vcc?.code == .permissionDenied)
        }
    }

    @Test("230-ФЗ refuses a second call today naming the limit; a dry run only checks")
    func contactAttempts() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z1")]), metadata: fixture.metadata(.system, login: "loader"))
            let svv = fixture.metadata(.collector, login: "svv")
            let first = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: .call, phone: "+7 937 288-80-99"), metadata: svv)
            #expect(first.allowed)
            #expect(first.counts?.callsToday == 1)
            let dry = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: .call, dryRun: true), metadata: svv)
            #expect(!dry.allowed)
            #expect(dry.refusedBy == .callsPerDay)
            let second = await rpcError { _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: .call), metadata: svv) }
            #expect(second?.code == .failedPrecondition)
            #expect(second?.message == "230-ФЗ: не более 1 звонка должнику в сутки")
            let missing = await rpcError { _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z9", channel: .call), metadata: svv) }
            #expect(missing?.code == .notFound)
            let history = try await c.history.listContactHistory(.init(contractNumber: "Z1"), metadata: svv)
            #expect(history.entries.count == 1)
        }
    }
}

/// One row per 230-ФЗ refusal of an outgoing contact: the limit and the request field it names.
struct Law230Case: Sendable, CustomTestStringConvertible {
    var name: String
    var ban: ContactsV1.ContactBan = .unspecified
    var earlier: [ContactsV1.ContactChannel] = []
    /// Moves the clock (from Tuesday 09:00 Moscow) before the refused attempt.
    var laterMs: Int64 = 0
    var channel: ContactsV1.ContactChannel = .call
    var limit: ContactsV1.ContactLimit
    var field: String
    var testDescription: String { name }
}

let law230Cases: [Law230Case] = [
    Law230Case(name: "a second call the same day", earlier: [.call], limit: .callsPerDay, field: "channel"),
    Law230Case(name: "a second meeting the same week", earlier: [.meeting], channel: .meeting, limit: .meetingsPerWeek, field: "channel"),
    Law230Case(name: "a call at 22:30 local", laterMs: 13 * 3_600_000 + 30 * 60_000, limit: .localHours, field: "channel"),
    Law230Case(name: "a call to a debtor in hospital", ban: .inHospital, limit: .contactBan, field: "contract_number"),
    Law230Case(name: "a meeting with a debtor under a bankruptcy case", ban: .bankruptcyCase, channel: .meeting, limit: .contactBan, field: "contract_number"),
]

@Suite("230-ФЗ refusals name their field")
struct Law230RefusalTests {
    @Test("each refusal", arguments: law230Cases)
    func refusal(_ row: Law230Case) async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z1", ban: row.ban)]), metadata: fixture.metadata(.system, login: "loader"))
            let svv = fixture.metadata(.collector, login: "svv")
            for channel in row.earlier {
                _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: channel), metadata: svv)
            }
            fixture.clock.advance(ms: row.laterMs)
            let dry = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: row.channel, dryRun: true), metadata: svv)
            #expect(dry.refusedBy == row.limit)
            let refused = await rpcError { _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: row.channel), metadata: svv) }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.fieldViolations.map(\.field) == [row.field])
        }
    }
}

@Suite("Incoming calls service")
struct IncomingCallsServiceTests {
    func submit(
        _ c: Fixture.Clients, _ fixture: Fixture, _ key: String, _ frame: ContactsV1.IncomingCallFrame, _ input: In, idem: String? = nil
    ) async throws -> ContactsV1.IncomingCallStep {
        try await c.incoming.submitIncomingCallFrame(
            .init(processKey: key, frame: frame, input: ContactsV1.FrameInput(input: input)),
            metadata: fixture.metadata(.collector, login: "svv", key: idem)
        ).step!
    }

    @Test("client ready to pay: hidden until the promised date, back when no payment came; finish is idempotent")
    func readyToPay() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z600531987509")]), metadata: fixture.metadata(.system, login: "loader"))
            let svv = fixture.metadata(.collector, login: "svv")
            let key = try await c.incoming.startIncomingCall(.init(), metadata: svv).step!.processKey
            _ = try await submit(c, fixture, key, .phoneEntry, .phoneEntry(.init(phone: "(937) 288-80-99")))
            let who = try await submit(c, fixture, key, .identification, .identification(.init(method: .byPhone, contractNumber: "Z600531987509", phoneOwnership: .client)))
            #expect(who.frame == .whoCalled)
            let client = try await submit(c, fixture, key, .whoCalled, .whoCalled(.init(caller: .client)))
            guard case .client(let view)? = client.view else { Issue.record("no client view"); return }
            #expect(view.debtKopecks == 1_500_000)
            _ = try await submit(c, fixture, key, .client, .clientResult(.init(result: .readyToPay)))
            let finish = try await submit(c, fixture, key, .readyToPay, .readyToPay(.init(paymentDate: tuesday.adding(days: 3).wire)))
            #expect(finish.frame == .finish)
            let noKey = await rpcError { _ = try await submit(c, fixture, key, .finish, .finish(.init())) }
            #expect(noKey?.fieldViolations.first?.field == "idempotency-key")
            let done = try await submit(c, fixture, key, .finish, .finish(.init()), idem: "fin-1")
            let again = try await submit(c, fixture, key, .finish, .finish(.init()), idem: "fin-1")
            #expect(done == again)
            #expect(done.finished)
            guard case .clientFinish(let result)? = done.view else { Issue.record("no finish view"); return }
            #expect(result.hiddenUntil == tuesday.adding(days: 3).wire)
            #expect(try await c.history.listContactHistory(.init(contractNumber: "Z600531987509"), metadata: svv).entries.count == 1)
            #expect(try await c.collection.getWorkList(.init(), metadata: svv).rows.isEmpty)
            fixture.clock.advance(ms: 3 * 86_400_000)
            #expect(try await c.collection.getWorkList(.init(), metadata: svv).rows.map(\.contractNumber) == ["Z600531987509"])
        }
    }

    @Test("Рефинансирование starts its own process: a work-list row of that procedure")
    func refinancing() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z5", procedure: .incomingCall)]), metadata: fixture.metadata(.system, login: "loader"))
            let svv = fixture.metadata(.collector, login: "svv")
            let key = try await c.incoming.startIncomingCall(.init(), metadata: svv).step!.processKey
            _ = try await submit(c, fixture, key, .phoneEntry, .phoneEntry(.init(phone: "9372888099")))
            _ = try await submit(c, fixture, key, .identification, .identification(.init(contractNumber: "Z5", phoneOwnership: .client)))
            _ = try await submit(c, fixture, key, .whoCalled, .whoCalled(.init(caller: .client)))
            let step = try await submit(c, fixture, key, .client, .clientResult(.init(result: .refinancing)))
            guard case .refinancing(let view)? = step.view else { Issue.record("no refinancing view"); return }
            _ = try await submit(c, fixture, key, .refinancing, .refinancing(.init()))
            _ = try await submit(c, fixture, key, .finish, .finish(.init()), idem: "fin-r")
            let rows = try await c.collection.getWorkList(.init(procedure: .refinancingByPhone), metadata: svv).rows
            #expect(rows.map(\.processKey) == [view.refinancingProcessKey])
            #expect(rows.first?.contractNumber == "Z5")
            #expect(try await c.collection.getWorkList(.init(), metadata: svv).rows.count == 2)
        }
    }

    /// Runs an incoming call of the client on `contract` to «Рефинансирование задолженности» and
    /// «Завершить»; returns the sub-process's key.
    func refinance(_ c: Fixture.Clients, _ fixture: Fixture, _ contract: String) async throws -> String {
        let svv = fixture.metadata(.collector, login: "svv")
        let key = try await c.incoming.startIncomingCall(.init(), metadata: svv).step!.processKey
        _ = try await submit(c, fixture, key, .phoneEntry, .phoneEntry(.init(phone: "9372888099")))
        _ = try await submit(c, fixture, key, .identification, .identification(.init(contractNumber: contract, phoneOwnership: .client)))
        _ = try await submit(c, fixture, key, .whoCalled, .whoCalled(.init(caller: .client)))
        let step = try await submit(c, fixture, key, .client, .clientResult(.init(result: .refinancing)))
        guard case .refinancing(let view)? = step.view else { throw RPCError(code: .internal, message: "no refinancing view") }
        _ = try await submit(c, fixture, key, .refinancing, .refinancing(.init()))
        _ = try await submit(c, fixture, key, .finish, .finish(.init()), idem: "fin-\(key)")
        return view.refinancingProcessKey
    }

    @Test("«Рефинансирование по телефону»: its own phone entry and identification of the same client, then finish; it leaves the work list")
    func refinancingSubprocess() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await c.collection.upsertPortfolio(
                .init(contracts: [contract("Z5", procedure: .incomingCall), contract("Z6", procedure: .incomingCall)]),
                metadata: fixture.metadata(.system, login: "loader")
            )
            let svv = fixture.metadata(.collector, login: "svv")
            let key = try await refinance(c, fixture, "Z5")
            let waiting = try await c.incoming.getIncomingCall(.init(processKey: key), metadata: svv).step!
            #expect(waiting.frame == .phoneEntry)
            #expect(!waiting.finished)
            #expect(try await c.collection.getWorkList(.init(procedure: .refinancingByPhone), metadata: svv).rows.map(\.isNew) == [true])
            let badPhone = await rpcError { _ = try await submit(c, fixture, key, .phoneEntry, .phoneEntry(.init(phone: "12"))) }
            #expect(badPhone?.fieldViolations.first?.field == "input.phone_entry.phone")
            _ = try await submit(c, fixture, key, .phoneEntry, .phoneEntry(.init(phone: "+7 937 288-80-99")))
            #expect(try await c.collection.getWorkList(.init(procedure: .refinancingByPhone), metadata: svv).rows.map(\.isNew) == [false])
            let other = await rpcError { _ = try await submit(c, fixture, key, .identification, .identification(.init(contractNumber: "Z6"))) }
            #expect(other?.code == .failedPrecondition)
            #expect(other?.message == "Рефинансирование оформляется по договору Z5")
            let step = try await submit(c, fixture, key, .identification, .identification(.init(method: .byPhone, contractNumber: "Z5", phoneOwnership: .client)))
            #expect(step.frame == .refinancing)
            guard case .refinancing(let view)? = step.view else { Issue.record("no refinancing view"); return }
            #expect(view.contractNumber == "Z5")
            #expect(view.refinancingProcessKey == key)
            // «Вернуться назад» and forward again.
            #expect(try await c.incoming.goBackIncomingCall(.init(processKey: key), metadata: svv).step!.frame == .identification)
            _ = try await submit(c, fixture, key, .identification, .identification(.init(method: .byPhone, contractNumber: "Z5", phoneOwnership: .client)))
            _ = try await submit(c, fixture, key, .refinancing, .refinancing(.init()))
            let done = try await submit(c, fixture, key, .finish, .finish(.init()), idem: "fin-sub")
            #expect(done.finished)
            guard case .clientFinish(let finish)? = done.view else { Issue.record("no finish view"); return }
            #expect(finish.result == .refinancing)
            let history = try await c.history.listContactHistory(.init(contractNumber: "Z5"), metadata: svv).entries
            #expect(history.map(\.actionLabel) == ["Рефинансирование по телефону", "Входящий звонок"])
            #expect(try await c.collection.getWorkList(.init(procedure: .refinancingByPhone), metadata: svv).rows.isEmpty)
            // A cancelled sub-process ends too: its task leaves the list, nothing is recorded.
            let second = try await refinance(c, fixture, "Z6")
            #expect(try await c.collection.getWorkList(.init(procedure: .refinancingByPhone), metadata: svv).rows.map(\.processKey) == [second])
            _ = try await c.incoming.cancelIncomingCall(.init(processKey: second), metadata: svv)
            #expect(try await c.collection.getWorkList(.init(procedure: .refinancingByPhone), metadata: svv).rows.isEmpty)
            #expect(try await c.history.listContactHistory(.init(contractNumber: "Z6"), metadata: svv).entries.count == 1)
        }
    }

    @Test("the debtor's own call is never limited by 230-ФЗ: after today's outgoing call, at 23:00 local, with the caps used up")
    func incomingNotLimited() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z9")]), metadata: fixture.metadata(.system, login: "loader"))
            let svv = fixture.metadata(.collector, login: "svv")
            _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z9", channel: .call), metadata: svv)
            fixture.clock.advance(ms: 14 * 3_600_000)  // 23:00 Moscow: outside the calling hours
            let refused = try await c.collection.recordContactAttempt(.init(contractNumber: "Z9", channel: .call, dryRun: true), metadata: svv)
            #expect(!refused.allowed)
            let key = try await c.incoming.startIncomingCall(.init(), metadata: svv).step!.processKey
            _ = try await submit(c, fixture, key, .phoneEntry, .phoneEntry(.init(phone: "9372888099")))
            _ = try await submit(c, fixture, key, .identification, .identification(.init(contractNumber: "Z9", phoneOwnership: .client)))
            _ = try await submit(c, fixture, key, .whoCalled, .whoCalled(.init(caller: .client)))
            _ = try await submit(c, fixture, key, .client, .clientResult(.init(result: .callBack)))
            _ = try await submit(c, fixture, key, .callBack, .callBack(.init(callbackDate: tuesday.adding(days: 2).wire)))
            #expect(try await submit(c, fixture, key, .finish, .finish(.init()), idem: "fin-9").finished)
            let history = try await c.history.listContactHistory(.init(contractNumber: "Z9"), metadata: svv).entries
            #expect(history.map(\.action) == [.incomingCall, .outgoingCall])
        }
    }

    @Test("a third-party session never returns debt data")
    func thirdParty() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z7")]), metadata: fixture.metadata(.system, login: "loader"))
            let svv = fixture.metadata(.collector, login: "svv")
            let key = try await c.incoming.startIncomingCall(.init(), metadata: svv).step!.processKey
            _ = try await submit(c, fixture, key, .phoneEntry, .phoneEntry(.init(phone: "9372888099")))
            _ = try await submit(c, fixture, key, .identification, .identification(.init(method: .byPhone, contractNumber: "Z7", phoneOwnership: .thirdParty)))
            var steps = [try await submit(c, fixture, key, .whoCalled, .whoCalled(.init(caller: .thirdParty)))]
            steps.append(try await c.incoming.getIncomingCall(.init(processKey: key), metadata: svv).step!)
            let blank = await rpcError { _ = try await submit(c, fixture, key, .thirdParty, .thirdParty(.init(result: .infoWillBePassed, comment: " "))) }
            #expect(blank?.message == "Комментарий обязателен")
            let skip = await rpcError { _ = try await submit(c, fixture, key, .client, .clientResult(.init(result: .readyToPay))) }
            #expect(skip?.message == "Текущий фрейм: 900")
            // «Вернуться назад» shows frame 800 again (what identification showed, no debt), then forward again.
            let back = try await c.incoming.goBackIncomingCall(.init(processKey: key), metadata: svv).step!
            guard case .whoCalled(let who)? = back.view else { Issue.record("back: \(String(describing: back.view))"); return }
            #expect(who == ContactsV1.WhoCalledView(contractNumber: "Z7", borrower: who.borrower, phoneOwnership: .thirdParty))
            steps.append(try await submit(c, fixture, key, .whoCalled, .whoCalled(.init(caller: .thirdParty))))
            steps.append(try await submit(c, fixture, key, .thirdParty, .thirdParty(.init(result: .infoWillBePassed, comment: "передаст сестре"))))
            steps.append(try await c.incoming.getIncomingCall(.init(processKey: key), metadata: svv).step!)
            steps.append(try await submit(c, fixture, key, .finish, .finish(.init()), idem: "fin-3p"))
            for step in steps {
                switch step.view {
                case .thirdParty?, .thirdPartyFinish?: break
                default: Issue.record("a third-party step showed \(String(describing: step.view))")
                }
                // Nothing about the debtor anywhere in the bytes sent.
                let text = try String(decoding: step.serializedBytes(), as: UTF8.self)
                #expect(!text.contains("Z7") && !text.contains("Петров"))
            }
            // List unchanged: the contract is still offered.
            #expect(try await c.collection.getWorkList(.init(), metadata: svv).rows.map(\.contractNumber) == ["Z7"])
        }
    }

    @Test("identification refuses a contract without debt; cancel records nothing")
    func noDebtAndCancel() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z0", debt: 0)]), metadata: fixture.metadata(.system, login: "loader"))
            let svv = fixture.metadata(.collector, login: "svv")
            let key = try await c.incoming.startIncomingCall(.init(), metadata: svv).step!.processKey
            _ = try await submit(c, fixture, key, .phoneEntry, .phoneEntry(.init(phone: "9372888099")))
            let refused = await rpcError { _ = try await submit(c, fixture, key, .identification, .identification(.init(contractNumber: "Z0"))) }
            #expect(refused?.code == .failedPrecondition)
            let back = try await c.incoming.goBackIncomingCall(.init(processKey: key), metadata: svv).step!
            #expect(back.frame == .phoneEntry)
            _ = try await c.incoming.cancelIncomingCall(.init(processKey: key), metadata: svv)
            let after = await rpcError { _ = try await c.incoming.cancelIncomingCall(.init(processKey: key), metadata: svv) }
            #expect(after?.code == .failedPrecondition)
            #expect(try await fixture.count("history_entry") == 0)
        }
    }
}
