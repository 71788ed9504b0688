import CRMDomain
import Foundation
public import Wire

/// The process «СВВ: входящий звонок» (DOMAIN.md §7, docs/API.md «IncomingCalls»): frames
/// with back and cancel at every step. Pure: the service stores the state and supplies what
/// only the database knows (whether the identified contract is in the portfolio with debt).
public struct IncomingCallState: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable { case open, finished, cancelled }

    public var processKey: String
    public var status: Status = .open
    /// `IncomingCallFrame` raw value.
    public var frame: Int32 = ContactsV1.IncomingCallFrame.phoneEntry.rawValue
    /// Resting frames passed, for «Вернуться назад».
    public var previous: [Int32] = []
    public var phone: String?
    public var contractNumber: String?
    public var cardID: Int64 = 0
    public var phoneOwnership: Int32 = 0
    public var caller: Int32 = 0
    public var clientResult: Int32 = 0
    /// ISO dates and minutes of day.
    public var promisedDate: String?
    public var promisedMinute: Int?
    public var callbackDate: String?
    public var callbackMinute: Int?
    public var refusalReason: Int32 = 0
    public var thirdPartyResult: Int32 = 0
    public var comment: String = ""
    public var refinancingProcessKey: String?
    /// Set on a «Рефинансирование по телефону» sub-process (started by frame 1400 of an incoming
    /// call): the contract it refinances. Its frames: 100 phone entry, 200 identification of
    /// that same client, 1400 the refinancing, 3000 finish.
    public var refinancingOf: String?
    /// What finishing will do to the work list.
    public var hiddenUntil: String?
    public var promiseMadeOn: String?
    public var campaignEnded = false

    public init(processKey: String, refinancingOf: String? = nil) {
        self.processKey = processKey
        self.refinancingOf = refinancingOf
    }

    public var currentFrame: ContactsV1.IncomingCallFrame { ContactsV1.IncomingCallFrame(rawValue: frame) }
}

public enum IncomingCallMachine {
    typealias Frame = ContactsV1.IncomingCallFrame

    /// Applies the current frame's input and moves to the next frame. `contractHasDebt` answers
    /// for frame 200 whether the chosen contract is in the portfolio with debt.
    public static func submit(
        _ state: IncomingCallState, frame: ContactsV1.IncomingCallFrame, input: ContactsV1.FrameInput.Input?,
        today: LocalDate, newProcessKey: () -> String, contractHasDebt: (String) -> Bool
    ) throws(RuleError) -> IncomingCallState {
        guard state.status == .open else { throw .callEnded(state.status == .finished ? "Звонок уже завершен" : "Звонок отменен") }
        let current = state.currentFrame
        guard frame == current else { throw .failedPrecondition("Текущий фрейм: \(current.rawValue)", field: "frame") }
        var next = state
        func go(_ to: Frame) {
            next.previous.append(state.frame)
            next.frame = to.rawValue
        }
        func wrongInput() -> RuleError { .failedPrecondition("Текущий фрейм: \(current.rawValue)", field: "input") }
        switch (current, input) {
        case (.phoneEntry, .phoneEntry(let entry)?):
            next.phone = try NationalPhone(entry.phone, field: "input.phone_entry.phone").digits
            go(.identification)
        case (.identification, .identification(let identification)?):
            guard !identification.contractNumber.isEmpty else {
                throw .invalidArgument(field: "input.identification.contract_number", "Выберите договор клиента")
            }
            // A contract with no debt is not found.
            guard contractHasDebt(identification.contractNumber) else {
                throw .failedPrecondition("Договор \(identification.contractNumber) не найден среди договоров с задолженностью", field: "input.identification.contract_number")
            }
            if let own = state.refinancingOf, identification.contractNumber != own {
                throw .failedPrecondition("Рефинансирование оформляется по договору \(own)", field: "input.identification.contract_number")
            }
            next.contractNumber = identification.contractNumber
            next.cardID = identification.cardID
            next.phoneOwnership = identification.phoneOwnership.rawValue
            if state.refinancingOf != nil {
                // The sub-process identifies the client only: the borrower refinances their own debt.
                next.caller = ContactsV1.Caller.client.rawValue
                next.clientResult = ContactsV1.ClientCallResult.refinancing.rawValue
                next.refinancingProcessKey = state.processKey
                go(.refinancing)
            } else {
                go(.whoCalled)  // 500 «Открытие инфо-панели» passes straight to 800
            }
        case (.whoCalled, .whoCalled(let who)?):
            switch who.caller {
            case .client: go(.client)
            case .thirdParty: go(.thirdParty)
            default: throw .invalidArgument(field: "input.who_called.caller", "Укажите, кто звонит: клиент или 3-е лицо")
            }
            next.caller = who.caller.rawValue
        case (.client, .clientResult(let result)?):
            switch result.result {
            case .readyToPay: go(.readyToPay)
            case .callBack: go(.callBack)
            case .refusal: go(.refusal)
            case .refinancing:
                next.refinancingProcessKey = next.refinancingProcessKey ?? newProcessKey()
                go(.refinancing)
            default: throw .invalidArgument(field: "input.client_result.result", "Выберите результат разговора")
            }
            next.clientResult = result.result.rawValue
        case (.readyToPay, .readyToPay(let pay)?):
            guard let date = LocalDate(pay.paymentDate) else {
                throw .invalidArgument(field: "input.ready_to_pay.payment_date", "Укажите дату платежа")
            }
            let effect = try CollectionRules.readyToPay(promised: date, today: today)
            next.promisedDate = date.description
            next.promisedMinute = pay.paymentTime.map { Int($0.hour) * 60 + Int($0.minute) }
            next.apply(effect)
            go(.finish)
        case (.callBack, .callBack(let callBack)?):
            guard let date = LocalDate(callBack.callbackDate) else {
                throw .invalidArgument(field: "input.call_back.callback_date", "Укажите дату перезвона")
            }
            let effect = try CollectionRules.callBack(date: date, today: today)
            next.callbackDate = date.description
            next.callbackMinute = callBack.callbackTime.map { Int($0.hour) * 60 + Int($0.minute) }
            next.apply(effect)
            go(.finish)
        case (.refusal, .refusal(let refusal)?):
            next.apply(try CollectionRules.refusal(refusal.reason, today: today))
            next.refusalReason = refusal.reason.rawValue
            go(.finish)
        case (.refinancing, .refinancing?):
            next.apply(CollectionRules.Effect())
            go(.finish)
        case (.thirdParty, .thirdParty(let third)?):
            next.apply(try CollectionRules.thirdParty(third.result, comment: third.comment))
            next.thirdPartyResult = third.result.rawValue
            next.comment = third.comment
            go(.finish)
        case (.finish, .finish?):
            next.status = .finished
        default:
            throw wrongInput()
        }
        return next
    }

    /// «Вернуться назад»: the previous resting frame.
    public static func back(_ state: IncomingCallState) throws(RuleError) -> IncomingCallState {
        guard state.status == .open else { throw .callEnded("Звонок уже завершен") }
        guard let last = state.previous.last else { throw .failedPrecondition("Это первый шаг: назад вернуться нельзя") }
        var next = state
        next.previous.removeLast()
        next.frame = last
        next.apply(CollectionRules.Effect())  // an effect is chosen again on the way forward
        return next
    }

    /// «Отмена»: ends the process, nothing recorded.
    public static func cancel(_ state: IncomingCallState) throws(RuleError) -> IncomingCallState {
        guard state.status == .open else { throw .callEnded("Звонок уже завершен") }
        var next = state
        next.status = .cancelled
        return next
    }
}

extension IncomingCallState {
    mutating func apply(_ effect: CollectionRules.Effect) {
        hiddenUntil = effect.hiddenUntil?.description
        promiseMadeOn = effect.promiseMadeOn?.description
        campaignEnded = effect.campaignEnded
    }
}
