public import Wire

/// A closed list the operator picks from: each option has a short key for scripts and the
/// manual's label for people; either one selects it.
public struct Choices<Value: Sendable & Equatable>: Sendable {
    public struct Option: Sendable {
        public var key: String
        public var label: String
        public var value: Value
    }

    public let what: String
    public let options: [Option]

    public init(_ what: String, _ options: [(String, String, Value)]) {
        self.what = what
        self.options = options.map { Option(key: $0.0, label: $0.1, value: $0.2) }
    }

    /// The option named by `text`: its key, its label (or a unique beginning of it), or its
    /// 1-based number, in any case.
    public func pick(_ text: String, flag: String) throws(GatewayError) -> Value {
        switch ChoiceMatch.find(text, options, label: \.label, key: \.key, keysFirst: true) {
        case .found(let option): return option.value
        case .refused(let reason):
            throw GatewayError("\(flag): \(reason) («\(what)»). Можно: " + options.map { "\($0.key) («\($0.label)»)" }.joined(separator: ", "))
        }
    }

    /// The same list without the options `keep` rejects (those the operator may not use).
    public func filter(_ keep: (Value) -> Bool) -> Choices<Value> {
        Choices(what, options.filter { keep($0.value) }.map { ($0.key, $0.label, $0.value) })
    }

    public func label(_ value: Value) -> String {
        options.first { $0.value == value }?.label ?? "—"
    }

    /// The numbered list for a prompt.
    public var menu: String {
        options.enumerated().map { "  \($0.offset + 1). \($0.element.label)" }.joined(separator: "\n")
    }
}

import Foundation

/// The manual's words for the call results and their reasons (DOMAIN.md §3, §7).
public enum ResultChoices {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case notReached, callDropped, doNotDisturb, consultation, clientVisit
        case callback, nonTarget, thinking, refused, agreed, changedVisitDate, halva
    }

    public static let kinds = Choices<Kind>("Результат звонка", [
        ("not-reached", "Не дозвонились", .notReached),
        ("call-dropped", "Звонок сорвался", .callDropped),
        ("do-not-disturb", "Не беспокоить", .doNotDisturb),
        ("consultation", "Консультация", .consultation),
        ("client-visit", "Выезд к клиенту", .clientVisit),
        ("callback", "Перезвонить", .callback),
        ("non-target", "Нецелевой", .nonTarget),
        ("thinking", "Подумаю", .thinking),
        ("refused", "Отказался (НЕТ)", .refused),
        ("agreed", "Согласился (ДА)", .agreed),
        ("changed-visit-date", "Изменил дату прихода", .changedVisitDate),
        ("halva", "Халва", .halva),
    ])

    public static let notReached = Choices<ContactsV1.NotReachedReason>("Причина", [
        ("answering-machine", "Автоответчик", .answeringMachine), ("no-answer", "Не отвечает", .noAnswer),
        ("wrong-number", "Неверный номер", .wrongNumber), ("unavailable", "Недоступен", .unavailable),
        ("busy", "Номер занят", .busy), ("not-exist", "Номер не существует", .numberNotExist),
        ("blocked", "Телефон заблокирован", .phoneBlocked), ("fax", "Факс/Модем", .faxModem),
    ])

    public static let doNotDisturb = Choices<ContactsV1.DoNotDisturbReason>("Причина", [
        ("third-party", "3-е лицо, кл. не пригласил", .thirdPartyNotInvited), ("did-not-apply", "Заявку не оставлял", .didNotApply),
        ("died", "Клиент умер", .clientDied), ("wrong-number", "Неверный номер", .wrongNumber),
        ("refused-to-talk", "Отказ от разговора", .refusedToTalk), ("no-business", "Бизнес не ведется", .noBusiness),
        ("negative", "Негативная информация о заявителе", .negativeInfo),
    ])

    public static let callback = Choices<ContactsV1.CallbackReason>("Причина", [
        ("third-party", "3-е лицо, есть возможность связаться с клиентом", .thirdPartyCanReachClient),
        ("call-dropped", "Звонок сорвался", .callDropped), ("client-request", "Просьба клиента", .clientRequest),
    ])

    public static let nonTarget = Choices<ContactsV1.NonTargetReason>("Причина", [
        ("age", "возраст", .age), ("maternity", "декрет", .maternityLeave), ("absence", "длительное отсутствие клиента", .longAbsence),
        ("did-not-apply", "заявку не оставлял", .didNotApply), ("sole-proprietor", "ИП", .soleProprietor),
        ("overdue", "имеется просроченная задолженность", .overdueDebt), ("depositor", "клиент-вкладчик", .depositor),
        ("other", "не подходит по иным условиям", .otherConditions), ("mok", "отказ МОК", .officeRefusal),
        ("no-employment", "отсутствие официального трудоустройства", .noOfficialEmployment),
        ("no-registration", "отсутствует пост. прописка", .noPermanentRegistration),
        ("data-error", "ошибка в перс. данных", .personalDataError),
    ])

    public static let fcPlace = Choices<ContactsV1.FcDeliveryPlace>("Место встречи", [
        ("workplace", "На работу клиенту", .workplace), ("shopping-centre", "Торговый центр", .shoppingCentre), ("cafe", "Кафе", .cafe),
    ])

    public enum Delivery: String, Sendable, Equatable { case mpp, fc, selfPickup }

    public static let delivery = Choices<Delivery>("Способ доставки", [
        ("mpp", "Доставка МПП", .mpp), ("fc", "Доставка ФК", .fc), ("self-pickup", "Самовывоз", .selfPickup),
    ])

    public static let category = Choices<TypesV1.ProductCategory>("Категория продукта", [
        ("credit", "Кредитный", .credit), ("deposit", "Депозитный", .deposit), ("commission", "Комиссионный", .commission),
        ("credit-doctor", "Кредитный доктор", .creditDoctor), ("internal", "Внутренний проект", .internalProject),
        ("smb", "Продукты МСБ", .smb),
    ])

    public static func kindLabel(_ kind: ContactsV1.CallResultKind) -> String {
        switch kind {
        case .notReached: "Не дозвонились"
        case .callDropped: "Звонок сорвался"
        case .doNotDisturb: "Не беспокоить"
        case .consultation: "Консультация"
        case .clientVisit: "Выезд к клиенту"
        case .callback: "Перезвонить"
        case .nonTarget: "Нецелевой"
        case .thinking: "Подумаю"
        case .refused: "Отказался (НЕТ)"
        case .agreed: "Согласился (ДА)"
        case .changedVisitDate: "Изменил дату прихода"
        case .halva: "Халва"
        default: "—"
        }
    }

    public static func effectLabel(_ effect: ContactsV1.CallListEffect, returnAtMs: Int64) -> String {
        switch effect {
        case .returnsAt: "клиент вернётся в список \(CardView.dateTime(returnAtMs))"
        case .retryAt: "повторный звонок \(CardView.dateTime(returnAtMs))"
        case .attemptsExhausted: "попытки дозвона по кампании исчерпаны"
        case .offCampaign: "клиент исключён из кампании"
        case .offAllCampaigns: "клиенту больше не звонят ни по одной кампании"
        default: "списки обзвона не изменились"
        }
    }
}

/// The collector's words (DOMAIN.md §7).
public enum CollectionChoices {
    public static let caller = Choices<ContactsV1.Caller>("Кто звонит", [
        ("client", "Идентифицирован клиент", .client), ("third-party", "Идентифицировано 3-е лицо", .thirdParty),
    ])

    public static let clientResult = Choices<ContactsV1.ClientCallResult>("Результат разговора", [
        ("ready-to-pay", "Готов платить", .readyToPay), ("refinancing", "Рефинансирование задолженности", .refinancing),
        ("call-back", "Требуется перезвонить позднее", .callBack), ("refusal", "Отказ в выполнении оплаты", .refusal),
    ])

    public static let refusalReason = Choices<ContactsV1.PaymentRefusalReason>("Причина отказа", [
        ("problem-client", "Проблемный клиент", .problemClient), ("bankruptcy", "Банкротство", .bankruptcy),
        ("client-refusal", "Отказ клиента", .clientRefusal),
    ])

    public static let thirdPartyResult = Choices<ContactsV1.ThirdPartyResult>("Результат разговора с 3-м лицом", [
        ("info-will-be-passed", "Информация будет передана клиенту", .infoWillBePassed),
        ("refused-communication", "Отказ от коммуникации", .refusedCommunication),
        ("problem-client", "Проблемный клиент", .problemClient),
    ])

    public static func procedure(_ procedure: ContactsV1.CollectionProcedure) -> String {
        switch procedure {
        case .incomingCall: "СВВ: входящий звонок"
        case .portfolio: "Обработка портфеля должников СВВ"
        case .portfolioThirdParties: "Обработка портфеля должников СВВ: коммуникация с 3-ми"
        case .refinancingByPhone: "Рефинансирование по телефону"
        default: "—"
        }
    }
}

public enum CardTypeChoices {
    public static let all = Choices<TypesV1.CardType>("Тип карточки", [
        ("client", "Клиент", .client), ("internet", "Заявитель Интернет", .internetApplicant),
        ("front-office", "Заявитель Фронт-офиса", .frontOfficeApplicant), ("recommendation", "Рекомендация", .recommendation),
        ("interested", "Заинтересованный", .interested), ("online-chat", "Онлайн чат", .onlineChat),
    ])
}
