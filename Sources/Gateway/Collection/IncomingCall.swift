import CRMDomain
import Foundation
public import CRMAPI
public import RPCCore
public import Wire

/// The collector's side of «СВВ: входящий звонок»: the process lives in the contacts
/// service; identification asks the registry (contacts never calls it) and hands the chosen
/// contract in. The loan (GetLoan) is read only after «Идентифицирован клиент».
public struct IncomingCall: Sendable {
    public let registry: ServiceClient
    public let contacts: ServiceClient
    var process: ContactsV1.IncomingCalls.Client { .init(wrapping: contacts.rpc) }
    var identification: RegistryV1.ClientRegistry.Client { .init(wrapping: registry.rpc) }

    public init(registry: ServiceClient, contacts: ServiceClient) {
        self.registry = registry
        self.contacts = contacts
    }

    /// «Принять звонок».
    public func start() async throws(GatewayError) -> ContactsV1.IncomingCallStep {
        try await step(contacts.call { _ in try await process.startIncomingCall(.init()) }.step)
    }

    /// An open process by its key (a call interrupted half-way, or a «Рефинансирование по
    /// телефону» sub-process waiting at its frame 100), or by what the collector knows of it:
    /// the contract number or the card's ID.
    public func resume(_ given: String) async throws(GatewayError) -> ContactsV1.IncomingCallStep {
        let text = given.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw GatewayError("Укажите ключ процесса, номер договора или ID карточки (--resume)") }
        var requests: [ContactsV1.GetIncomingCallRequest] = []
        if text.contains("-") {
            requests = [.init(processKey: text)]
        } else {
            requests = [.init(contractNumber: text)]
            if let card = Int64(text), card > 0 { requests.append(.init(cardID: card)) }
        }
        var found: ContactsV1.IncomingCallStep?
        for request in requests where found == nil {
            do {
                found = try await step(contacts.call { _ in try await process.getIncomingCall(request) }.step)
            } catch where error.code == .notFound {
                continue
            }
        }
        guard let found else {
            throw GatewayError(
                text.contains("-") ? "Процесс \(text) не найден среди ваших открытых звонков"
                    : "Открытого звонка по «\(text)» (договор или ID карточки) среди ваших нет",
                code: .notFound
            )
        }
        guard !found.finished else { throw GatewayError("Процесс \(found.processKey) уже завершён или отменён: продолжать нечего", code: .failedPrecondition) }
        return found
    }

    public func submit(_ current: ContactsV1.IncomingCallStep, _ input: ContactsV1.FrameInput.Input, finishKey: String? = nil) async throws(GatewayError) -> ContactsV1.IncomingCallStep {
        var metadata = Metadata()
        if let finishKey { metadata.idempotencyKey = finishKey }
        let request = ContactsV1.SubmitIncomingCallFrameRequest(processKey: current.processKey, frame: current.frame, input: .init(input: input))
        return try await step(contacts.call { _ in try await process.submitIncomingCallFrame(request, metadata: metadata) }.step)
    }

    /// «Вернуться назад».
    public func back(_ current: ContactsV1.IncomingCallStep) async throws(GatewayError) -> ContactsV1.IncomingCallStep {
        try await step(contacts.call { _ in try await process.goBackIncomingCall(.init(processKey: current.processKey)) }.step)
    }

    /// «Отмена»: nothing is recorded.
    public func cancel(_ current: ContactsV1.IncomingCallStep) async throws(GatewayError) {
        _ = try await contacts.call { _ in try await process.cancelIncomingCall(.init(processKey: current.processKey)) }
    }

    /// Frame 200: the contracts with debt on the caller's number.
    public func identify(phone: String) async throws(GatewayError) -> [RegistryV1.DebtorMatch] {
        try await registry.call { _ in try await identification.identifyDebtorByPhone(.init(phone: phone)) }.matches
    }

    /// Frame 200 when the number found nothing: by full name (and birth date).
    public func identify(name: TypesV1.FullName, withoutPatronymic: Bool, birthDate: TypesV1.Date?) async throws(GatewayError) -> [RegistryV1.DebtorMatch] {
        try await registry.call { _ in
            try await identification.identifyDebtorByName(.init(fullName: name, withoutPatronymic: withoutPatronymic, birthDate: birthDate))
        }.matches
    }

    /// The identification input for a chosen match.
    public static func identification(_ match: RegistryV1.DebtorMatch, byPhone: Bool) -> ContactsV1.FrameInput.Input {
        .identification(.init(
            method: byPhone ? .byPhone : .byFullName, contractNumber: match.contractNumber, cardID: match.cardID,
            borrower: match.borrower, birthDate: match.birthDate, phoneOwnership: byPhone ? match.phoneOwnership : .unspecified
        ))
    }

    /// The info panel of a client session only: refuses in any other frame (230-ФЗ).
    public func loan(for current: ContactsV1.IncomingCallStep) async throws(GatewayError) -> RegistryV1.Loan? {
        guard case .client(let view)? = current.view else {
            throw GatewayError("Данные займа открываются только после «Идентифицирован клиент»")
        }
        return try await registry.call { _ in try await identification.getLoan(.init(contractNumber: view.contractNumber)) }.loan
    }

    func step(_ step: ContactsV1.IncomingCallStep?) throws(GatewayError) -> ContactsV1.IncomingCallStep {
        guard let step else { throw GatewayError("Сервис contacts не вернул шаг процесса") }
        return step
    }
}

/// What each frame shows the collector. The third-party frames print nothing about the
/// debtor, the debt or its collection: their views hold no such fields.
public enum IncomingCallView {
    public static func render(_ step: ContactsV1.IncomingCallStep) -> String {
        let header = "Фрейм \(step.frame.rawValue)"
        switch step.view {
        case .phoneEntry?:
            return "\(header): Ввод номера телефона клиента"
        case .identification(let view)?:
            return "\(header): Идентификация по номеру \(Labels.phone(view.phone))"
        case .whoCalled(let view)?:
            return "\(header): Фиксация результата идентификации\n  Договор \(view.contractNumber), \(Labels.fullName(view.borrower)); "
                + (view.phoneOwnership == .thirdParty ? "Тип телефона: Телефон 3-го лица" : view.phoneOwnership == .client ? "Тип телефона: Телефон клиента" : "по ФИО")
        case .client(let view)?:
            return "\(header): Разговор с клиентом — договор \(view.contractNumber), \(Labels.fullName(view.borrower))\n"
                + "  Задолженность: \(Labels.money(kopecks: view.debtKopecks)), просрочка: \(Labels.money(kopecks: view.overdueKopecks)) (\(view.overdueDays) дн.)\n"
                + "  Сообщите о задолженности и последствиях, выясните причину, предложите варианты"
        case .readyToPay(let view)?:
            return "\(header): Согласование даты внесения платежа (не раньше \(Labels.date(view.today)))"
        case .callBack(let view)?:
            return "\(header): Согласование даты и времени повторного звонка (договор вернётся в работу не позже \(Labels.date(view.latestHiddenUntil)))"
        case .refusal?:
            return "\(header): Уточнение причины отказа в оплате"
        case .refinancing(let view)?:
            return "\(header): Запущен подпроцесс «Рефинансирование по телефону» (\(view.refinancingProcessKey))"
        case .thirdParty?:
            return "\(header): Разговор с 3-м лицом — попросите передать клиенту информацию; о долге не сообщается"
        case .clientFinish(let view)?:
            var text = "\(header): Завершение работы — \(CollectionChoices.clientResult.label(view.result))"
            if view.campaignEnded { text += "; кампания по договору завершена" }
            if let hidden = view.hiddenUntil { text += "; договор вне списка задач до \(Labels.date(hidden))" }
            return text + (step.finished ? " (сохранено)" : "")
        case .thirdPartyFinish(let view)?:
            return "\(header): Завершение работы — \(CollectionChoices.thirdPartyResult.label(view.result))" + (step.finished ? " (сохранено)" : "")
        case nil:
            return header
        }
    }

    public static func matches(_ matches: [RegistryV1.DebtorMatch]) -> String {
        guard !matches.isEmpty else { return "Договоров с задолженностью не найдено" }
        return TextTable(
            headers: ["№", "НОМЕР ДОГОВОРА", "ФИО ЗАЁМЩИКА", "ДАТА РОЖДЕНИЯ", "ТИП ТЕЛЕФОНА"], keep: [0, 1, 2, 3],
            rows: matches.enumerated().map { index, match in
                ["\(index + 1)", match.contractNumber, Labels.fullName(match.borrower), Labels.date(match.birthDate),
                 match.phoneOwnership == .thirdParty ? "Телефон 3-го лица" : match.phoneOwnership == .client ? "Телефон клиента" : "—"]
            }
        ).render()
    }

    public static func workList(_ list: ContactsV1.GetWorkListResponse, width: Int = TextTable.terminalWidth()) -> String {
        var text = "Активных задач: \(list.activeCount)   Новых задач: \(list.newCount)"
        guard !list.rows.isEmpty else { return text }
        text += "\n" + TextTable(
            headers: ["КЛЮЧ ПРОЦЕССА", "НОМЕР ДОГОВОРА", "ФИО ЗАЁМЩИКА", "ПРОЦЕДУРА ПРОЦЕССА", "ПРИОРИТЕТ", "ПЛАНОВАЯ ДАТА ЗАПУСКА", "СТАТУС"],
            keep: [0, 1, 2, 5],
            rows: list.rows.map {
                [$0.processKey, $0.contractNumber, Labels.fullName($0.borrower), CollectionChoices.procedure($0.procedure),
                 "\($0.priority)", Labels.date($0.plannedStart), $0.isNew ? "новая" : ""]
            }
        ).render(width: width)
        return text
    }

    /// The line under the work list about the tasks 230-ФЗ holds back now, so an empty
    /// list is never mistaken for an empty portfolio.
    public static func heldBackSummary(_ list: ContactsV1.GetWorkListResponse, listed: Bool) -> String? {
        guard list.heldBackCount > 0 else { return nil }
        var text = "Отложено по 230-ФЗ сейчас: \(list.heldBackCount) (звонить нельзя до открытия)"
        if let first = list.heldBack.first, !listed {
            text += "; ближайшая откроется \(localMoment(first.opensAtUnixMs, offsetMinutes: first.utcOffsetMinutes)) — показать: crm collect list --held-back"
        }
        return text
    }

    /// The held-back tasks: each with the debtor's local time now and when it opens.
    public static func heldBack(_ list: ContactsV1.GetWorkListResponse, nowMs: Int64, width: Int = TextTable.terminalWidth()) -> String {
        guard !list.heldBack.isEmpty else { return "Отложенных по 230-ФЗ задач нет" }
        return TextTable(
            headers: ["КЛЮЧ ПРОЦЕССА", "НОМЕР ДОГОВОРА", "ФИО ЗАЁМЩИКА", "ПРИОРИТЕТ", "У ДОЛЖНИКА СЕЙЧАС", "ОТКРОЕТСЯ (МСК)", "ПРИЧИНА"],
            keep: [0, 1, 2, 4, 5],
            rows: list.heldBack.map {
                [$0.processKey, $0.contractNumber, Labels.fullName($0.borrower), "\($0.priority)",
                 localMoment(nowMs, offsetMinutes: $0.utcOffsetMinutes),
                 $0.opensAtUnixMs == 0 ? "—" : CardView.dateTime($0.opensAtUnixMs), limitShort($0.heldBy)]
            }
        ).render(width: width)
    }

    /// An instant in a debtor's local time with the zone said: «07.12.2026 03:10 (МСК+1)».
    public static func localMoment(_ unixMs: Int64, offsetMinutes: Int32) -> String {
        let day = LocalDate.of(unixMs: unixMs, utcOffsetMinutes: Int(offsetMinutes))
        let minute = LocalDate.minuteOfDay(unixMs: unixMs, utcOffsetMinutes: Int(offsetMinutes))
        let fromMoscow = (Int(offsetMinutes) - 180) / 60
        let zone = fromMoscow == 0 ? "МСК" : "МСК\(fromMoscow > 0 ? "+" : "−")\(abs(fromMoscow))"
        return "\(day.russian) \(clockText(minute)) (\(zone))"
    }

    static func limitShort(_ limit: ContactsV1.ContactLimit) -> String {
        switch limit {
        case .localHours: "ночь у должника"
        case .callsPerDay: "1 звонок в сутки"
        case .callsPerWeek: "2 звонка в неделю"
        case .callsPerMonth: "8 звонков в месяц"
        case .meetingsPerWeek: "1 встреча в неделю"
        case .contactBan: "запрет взаимодействия"
        default: "—"
        }
    }
}
