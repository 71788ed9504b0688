import CRMAPI
import RPCCore
@testable import ContactOutcome
import CRMDomain
import Testing
import Wire

/// Moscow instant of a local time in a region `moscowOffset` hours from Moscow.
func at(_ day: LocalDate, _ hour: Int, _ minute: Int = 0, moscowOffset: Int = 0) -> Int64 {
    day.unixMs(atMinute: hour * 60 + minute, utcOffsetMinutes: 180 + 60 * moscowOffset)
}

struct LawCase: Sendable, CustomTestStringConvertible {
    var name: String
    var now: Int64
    var moscowOffset = 0
    var channel: ContactsV1.ContactChannel = .call
    var calls: [Int64] = []
    var meetings: [Int64] = []
    var ban: ContactsV1.ContactBan = .unspecified
    var limit: ContactsV1.ContactLimit?
    var testDescription: String { name }
}

let saturday = date(2026, 3, 14)
let monday = date(2026, 3, 16)

let lawCases: [LawCase] = [
    LawCase(name: "working day 07:59 local: too early", now: at(tuesday, 7, 59), limit: .localHours),
    LawCase(name: "working day 08:00 local", now: at(tuesday, 8), limit: nil),
    LawCase(name: "working day 21:59 local", now: at(tuesday, 21, 59), limit: nil),
    LawCase(name: "working day 22:00 local: too late", now: at(tuesday, 22), limit: .localHours),
    LawCase(name: "Saturday 08:30 local: too early", now: at(saturday, 8, 30), limit: .localHours),
    LawCase(name: "Saturday 09:00 local", now: at(saturday, 9), limit: nil),
    LawCase(name: "Saturday 20:00 local: too late", now: at(saturday, 20), limit: .localHours),
    LawCase(name: "holiday Monday 9 March 2026, 08:30: holiday hours", now: at(date(2026, 3, 9), 8, 30), limit: .localHours),
    LawCase(name: "moved day off 11 May 2026, 21:00: holiday hours", now: at(date(2026, 5, 11), 21), limit: .localHours),
    LawCase(name: "working Saturday 20 Feb 2027, 08:30: working hours", now: at(date(2027, 2, 20), 8, 30), limit: nil),
    LawCase(name: "Приморский край (Мск. +7ч.) 09:00 local = 02:00 Moscow", now: at(tuesday, 9, moscowOffset: 7), moscowOffset: 7, limit: nil),
    LawCase(name: "Приморский край 22:00 local = 15:00 Moscow", now: at(tuesday, 22, moscowOffset: 7), moscowOffset: 7, limit: .localHours),
    LawCase(name: "a call already today", now: at(tuesday, 15), calls: [at(tuesday, 9)], limit: .callsPerDay),
    LawCase(name: "a call yesterday 21:30 local does not count today", now: at(tuesday, 8), calls: [at(tuesday.adding(days: -1), 21, 30)], limit: nil),
    LawCase(name: "two calls this week", now: at(date(2026, 3, 12), 10), calls: [at(tuesday, 9), at(date(2026, 3, 11), 9)], limit: .callsPerWeek),
    LawCase(name: "last week's calls do not count on Monday", now: at(monday, 10), calls: [at(date(2026, 3, 13), 10), at(date(2026, 3, 12), 10)], limit: nil),
    LawCase(name: "eight calls this month", now: at(date(2026, 3, 30), 10),
            calls: [2, 3, 4, 9, 10, 17, 18, 24].map { at(date(2026, 3, $0), 10) }, limit: .callsPerMonth),
    LawCase(name: "a meeting this week", now: at(date(2026, 3, 12), 10), channel: .meeting, meetings: [at(tuesday, 12)], limit: .meetingsPerWeek),
    LawCase(name: "a call does not use up the meeting", now: at(tuesday, 15), channel: .meeting, calls: [at(tuesday, 9)], limit: nil),
    LawCase(name: "bankruptcy case accepted", now: at(tuesday, 12), ban: .bankruptcyCase, limit: .contactBan),
    LawCase(name: "disabled group I", now: at(tuesday, 12), ban: .disabledGroup1, limit: .contactBan),
]

@Suite("230-ФЗ")
struct Law230Tests {
    @Test("hours and caps", arguments: lawCases)
    func rule(_ row: LawCase) {
        let offset = 180 + 60 * row.moscowOffset
        let counts = Law230.counts(calls: row.calls, meetings: row.meetings, nowMs: row.now, utcOffsetMinutes: offset)
        let limit = Law230.refusal(channel: row.channel, ban: row.ban, counts: counts, nowMs: row.now, utcOffsetMinutes: offset, .shipped)
        #expect(limit == row.limit)
    }
}

@Suite("Collection results")
struct CollectionRulesTests {
    @Test("Готов платить: hidden until the promised date; a payment since the promise keeps it off")
    func readyToPay() throws {
        let effect = try CollectionRules.readyToPay(promised: tuesday.adding(days: 3), today: tuesday)
        #expect(effect.hiddenUntil == tuesday.adding(days: 3))
        #expect(effect.promiseMadeOn == tuesday)
        #expect(throws: RuleError.self) { try CollectionRules.readyToPay(promised: tuesday.adding(days: -1), today: tuesday) }
        func on(_ today: LocalDate, paid: LocalDate?) -> Bool {
            CollectionRules.onWorkList(debtKopecks: 100, ban: .unspecified, campaignEnded: false, hiddenUntil: effect.hiddenUntil,
                                       promiseMadeOn: effect.promiseMadeOn, lastPayment: paid, today: today)
        }
        #expect(!on(tuesday.adding(days: 2), paid: nil))
        #expect(on(tuesday.adding(days: 3), paid: nil))
        #expect(on(tuesday.adding(days: 3), paid: tuesday.adding(days: -5)))
        #expect(!on(tuesday.adding(days: 3), paid: tuesday.adding(days: 2)))
    }

    @Test("Перезвонить позднее: until the date, at most 7 calendar days", arguments: [(2, 2), (7, 7), (10, 7)])
    func callBack(days: Int, hidden: Int) throws {
        #expect(try CollectionRules.callBack(date: tuesday.adding(days: days), today: tuesday).hiddenUntil == tuesday.adding(days: hidden))
    }

    @Test("Отказ в выполнении оплаты", arguments: [
        (ContactsV1.PaymentRefusalReason.clientRefusal, Int?.some(5), false),
        (.problemClient, nil, true),
        (.bankruptcy, nil, true),
    ])
    func refusal(reason: ContactsV1.PaymentRefusalReason, hiddenDays: Int?, ended: Bool) throws {
        let effect = try CollectionRules.refusal(reason, today: tuesday)
        #expect(effect.hiddenUntil == hiddenDays.map { tuesday.adding(days: $0) })
        #expect(effect.campaignEnded == ended)
        #expect(!CollectionRules.onWorkList(debtKopecks: 1, ban: .unspecified, campaignEnded: effect.campaignEnded, hiddenUntil: effect.hiddenUntil,
                                            promiseMadeOn: nil, lastPayment: nil, today: tuesday.adding(days: 3)))
    }

    @Test("third party: comment required, list unchanged")
    func thirdParty() throws {
        #expect(try CollectionRules.thirdParty(.infoWillBePassed, comment: "передаст сестре") == CollectionRules.Effect())
        #expect(throws: RuleError.invalidArgument(field: "input.third_party.comment", "Комментарий обязателен")) {
            try CollectionRules.thirdParty(.refusedCommunication, comment: "  ")
        }
    }

    @Test("off the list: no debt, a ban, an ended campaign")
    func offList() {
        #expect(!CollectionRules.onWorkList(debtKopecks: 0, ban: .unspecified, campaignEnded: false, hiddenUntil: nil, promiseMadeOn: nil, lastPayment: nil, today: tuesday))
        #expect(!CollectionRules.onWorkList(debtKopecks: 1, ban: .minor, campaignEnded: false, hiddenUntil: nil, promiseMadeOn: nil, lastPayment: nil, today: tuesday))
        #expect(!CollectionRules.onWorkList(debtKopecks: 1, ban: .unspecified, campaignEnded: true, hiddenUntil: nil, promiseMadeOn: nil, lastPayment: nil, today: tuesday))
    }
}

typealias In = ContactsV1.FrameInput.Input

@Suite("Incoming-call state machine")
struct IncomingCallMachineTests {
    func run(_ steps: [(ContactsV1.IncomingCallFrame, In)], hasDebt: Bool = true) throws -> IncomingCallState {
        var state = IncomingCallState(processKey: "p")
        for (frame, input) in steps {
            state = try IncomingCallMachine.submit(state, frame: frame, input: input, today: tuesday, newProcessKey: { "r" }, contractHasDebt: { _ in hasDebt })
        }
        return state
    }

    static let toClient: [(ContactsV1.IncomingCallFrame, In)] = [
        (.phoneEntry, .phoneEntry(.init(phone: "8 937 288 80 99"))),
        (.identification, .identification(.init(method: .byPhone, contractNumber: "Z600531987509", phoneOwnership: .client))),
        (.whoCalled, .whoCalled(.init(caller: .client))),
    ]

    @Test("frames of the client branch", arguments: [
        (In.clientResult(.init(result: .readyToPay)), ContactsV1.IncomingCallFrame.readyToPay, In.readyToPay(.init(paymentDate: tuesday.adding(days: 2).wire))),
        (.clientResult(.init(result: .callBack)), .callBack, .callBack(.init(callbackDate: tuesday.adding(days: 9).wire))),
        (.clientResult(.init(result: .refusal)), .refusal, .refusal(.init(reason: .bankruptcy))),
        (.clientResult(.init(result: .refinancing)), .refinancing, .refinancing(.init())),
    ])
    func clientBranch(choice: In, frame: ContactsV1.IncomingCallFrame, input: In) throws {
        var state = try run(Self.toClient)
        #expect(state.currentFrame == .client)
        #expect(state.phone == "9372888099")
        state = try IncomingCallMachine.submit(state, frame: .client, input: choice, today: tuesday, newProcessKey: { "r" }, contractHasDebt: { _ in true })
        #expect(state.currentFrame == frame)
        state = try IncomingCallMachine.submit(state, frame: frame, input: input, today: tuesday, newProcessKey: { "r" }, contractHasDebt: { _ in true })
        #expect(state.currentFrame == .finish)
        state = try IncomingCallMachine.submit(state, frame: .finish, input: .finish(.init()), today: tuesday, newProcessKey: { "r" }, contractHasDebt: { _ in true })
        #expect(state.status == .finished)
        // A finished call goes no further, and says so by reason, which the console decides by.
        let ended = state
        #expect(throws: RuleError.callEnded("Звонок уже завершен")) {
            try IncomingCallMachine.submit(ended, frame: .finish, input: .finish(.init()), today: tuesday, newProcessKey: { "r" }, contractHasDebt: { _ in true })
        }
        #expect(RuleError.callEnded("Звонок уже завершен").rpcError.reason == .callEnded)
        #expect(RuleError.callEnded("Звонок уже завершен").rpcError.code == .failedPrecondition)
    }

    @Test("«Рефинансирование по телефону»: phone entry, identification of its own contract only, 1400, finish")
    func refinancingSubprocess() throws {
        func submit(_ state: IncomingCallState, _ frame: ContactsV1.IncomingCallFrame, _ input: In) throws(RuleError) -> IncomingCallState {
            try IncomingCallMachine.submit(state, frame: frame, input: input, today: tuesday, newProcessKey: { "new" }, contractHasDebt: { _ in true })
        }
        var state = IncomingCallState(processKey: "РТ-1", refinancingOf: "Z600531987509")
        state = try submit(state, .phoneEntry, .phoneEntry(.init(phone: "8 937 288 80 99")))
        #expect(state.currentFrame == .identification)
        #expect(throws: RuleError.failedPrecondition("Рефинансирование оформляется по договору Z600531987509", field: "input.identification.contract_number")) {
            try submit(state, .identification, .identification(.init(contractNumber: "Z181736393601")))
        }
        state = try submit(state, .identification, .identification(.init(method: .byFullName, contractNumber: "Z600531987509")))
        #expect(state.currentFrame == .refinancing)
        #expect(state.caller == ContactsV1.Caller.client.rawValue)
        #expect(state.refinancingProcessKey == "РТ-1")
        #expect(throws: RuleError.self) { try submit(state, .whoCalled, .whoCalled(.init(caller: .thirdParty))) }
        #expect(try IncomingCallMachine.back(state).currentFrame == .identification)
        state = try submit(state, .refinancing, .refinancing(.init()))
        #expect(state.currentFrame == .finish)
        #expect(state.hiddenUntil == nil && !state.campaignEnded)
        #expect(try submit(state, .finish, .finish(.init())).status == .finished)
    }

    @Test("third party: comment required, then finish")
    func thirdParty() throws {
        let who = Array(Self.toClient.prefix(2)) + [(ContactsV1.IncomingCallFrame.whoCalled, In.whoCalled(.init(caller: .thirdParty)))]
        #expect(try run(who).currentFrame == .thirdParty)
        #expect(throws: RuleError.invalidArgument(field: "input.third_party.comment", "Комментарий обязателен")) {
            try run(who + [(.thirdParty, .thirdParty(.init(result: .infoWillBePassed)))])
        }
        let done = try run(who + [(.thirdParty, .thirdParty(.init(result: .infoWillBePassed, comment: "передаст"))), (.finish, .finish(.init()))])
        #expect(done.status == .finished)
        #expect(done.hiddenUntil == nil && !done.campaignEnded)
    }

    @Test("a contract without debt is not found")
    func noDebt() {
        #expect(throws: RuleError.self) { try run(Array(Self.toClient.prefix(2)), hasDebt: false) }
    }

    @Test("another frame's input or a stale frame is refused naming the current frame")
    func wrongFrame() throws {
        let state = try run(Array(Self.toClient.prefix(1)))
        #expect(throws: RuleError.failedPrecondition("Текущий фрейм: 200", field: "frame")) {
            try IncomingCallMachine.submit(state, frame: .thirdParty, input: .thirdParty(.init()), today: tuesday, newProcessKey: { "" }, contractHasDebt: { _ in true })
        }
        #expect(throws: RuleError.failedPrecondition("Текущий фрейм: 200", field: "input")) {
            try IncomingCallMachine.submit(state, frame: .identification, input: .phoneEntry(.init(phone: "9372888099")), today: tuesday, newProcessKey: { "" }, contractHasDebt: { _ in true })
        }
    }

    @Test("back walks the resting frames (500 skipped); not at 100; cancel ends it")
    func backAndCancel() throws {
        var state = try run(Self.toClient)
        let frames = try (0..<3).map { _ -> ContactsV1.IncomingCallFrame in
            state = try IncomingCallMachine.back(state)
            return state.currentFrame
        }
        #expect(frames == [.whoCalled, .identification, .phoneEntry])
        #expect(throws: RuleError.self) { try IncomingCallMachine.back(state) }
        let cancelled = try IncomingCallMachine.cancel(state)
        #expect(cancelled.status == .cancelled)
        #expect(throws: RuleError.self) { try IncomingCallMachine.cancel(cancelled) }
        #expect(throws: RuleError.self) { try IncomingCallMachine.back(cancelled) }
    }
}

@Suite("Process keys")
struct ProcessKeyTests {
    /// A collector types the key back to resume: short, of the prefix and 12 hex digits,
    /// and distinct across many processes.
    @Test func shortAndDistinct() {
        let keys = (0..<10_000).map { _ in ProcessKey.new("ВЗ-") }
        #expect(keys.allSatisfy { $0.count == 15 && $0.hasPrefix("ВЗ-") && $0.dropFirst(3).allSatisfy(\.isHexDigit) })
        #expect(Set(keys).count == keys.count)
    }
}
