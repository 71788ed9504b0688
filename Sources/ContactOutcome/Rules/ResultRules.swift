import CRMDomain
import Foundation
public import Wire

/// What a result is judged against: who sets it, on which card and campaign, when, and what
/// the session and the history already hold.
public struct ResultContext: Sendable, Hashable {
    public var role: TypesV1.OperatorRole
    public var cardType: TypesV1.CardType
    public var campaign: ContactsV1.Campaign
    public var nowMs: Int64
    /// The client's local time (from the card's region) for the defaults and past checks.
    public var clientUtcOffsetMinutes: Int
    /// The history holds «Согласился» for the card within the last 14 days.
    public var agreedWithinLast14Days: Bool
    /// «Работа с возражениями» attempts recorded in the session.
    public var objectionAttempts: Int

    public init(
        role: TypesV1.OperatorRole, cardType: TypesV1.CardType, campaign: ContactsV1.Campaign, nowMs: Int64,
        clientUtcOffsetMinutes: Int = 180, agreedWithinLast14Days: Bool = false, objectionAttempts: Int = 0
    ) {
        self.role = role
        self.cardType = cardType
        self.campaign = campaign
        self.nowMs = nowMs
        self.clientUtcOffsetMinutes = clientUtcOffsetMinutes
        self.agreedWithinLast14Days = agreedWithinLast14Days
        self.objectionAttempts = objectionAttempts
    }
}

/// The result of a call (DOMAIN.md §3, docs/API.md «Result rules»): validation, the server's
/// defaults, and the confirmation a changed choice needs.
public enum ResultRules {
    public static let clientWillCallBackComment = "клиент перезвонит сам"
    public static let confirmChangeMessage = "Вы хотите изменить ранее выбранный результат?"
    public static let consultationRule = "Консультация возможна только после продажи за последние 14 дней"
    public static let objectionRule = "Сначала проведите 2 попытки работы с возражениями"
    public static let requiredObjectionAttempts = 2
    public static let clientOffsetRule = "Часовой пояс клиента в звонке неверен: откройте звонок заново"

    /// «Подумаю» with no date, and a refused callback: two weeks from the contact.
    public static let twoWeeksDays = 14

    /// The flat name of a result; `.unspecified` when none is chosen.
    public static func kind(_ result: ContactsV1.CallResult) -> ContactsV1.CallResultKind {
        switch result.firstLevel {
        case nil: .unspecified
        case .notReached: .notReached
        case .callDropped: .callDropped
        case .doNotDisturb: .doNotDisturb
        case .consultation: .consultation
        case .clientVisit: .clientVisit
        case .reached(let reached):
            switch reached.result {
            case nil: .unspecified
            case .callback: .callback
            case .nonTarget: .nonTarget
            case .thinking: .thinking
            case .refused: .refused
            case .agreed: .agreed
            case .changedVisitDate: .changedVisitDate
            case .halva: .halva
            }
        }
    }

    /// The label operators know.
    public static func label(_ kind: ContactsV1.CallResultKind) -> String {
        switch kind {
        case .notReached: "Не дозвонились"
        case .callDropped: "Звонок сорвался"
        case .doNotDisturb: "Не беспокоить"
        case .consultation: "Консультация"
        case .clientVisit: "Выезд к клиенту"
        case .callback: "Перезвонить"
        case .nonTarget: "Нецелевой"
        case .thinking: "Подумаю"
        case .refused: "Отказался"
        case .agreed: "Согласился"
        case .changedVisitDate: "Изменил дату прихода"
        case .halva: "Халва"
        default: "Не выбран"
        }
    }

    /// Replacing a draft of a different kind needs the operator's explicit confirmation.
    public static func checkChange(
        previous: ContactsV1.CallResultKind?, new: ContactsV1.CallResultKind, confirmed: Bool
    ) throws(RuleError) {
        guard let previous, previous != .unspecified, previous != new, !confirmed else { return }
        throw .failedPrecondition(confirmChangeMessage, field: "confirm_change")
    }

    /// Validates the whole result and returns it with the server's defaults applied.
    public static func validate(_ input: ContactsV1.CallResult, _ context: ResultContext) throws(RuleError) -> ContactsV1.CallResult {
        // A session opened before offsets were bounded may hold any offset; every default
        // and past check below computes with it.
        guard FieldBounds.utcOffsetMinutes.contains(Int32(clamping: context.clientUtcOffsetMinutes)) else {
            throw .failedPrecondition(clientOffsetRule, field: "session_id")
        }
        var result = input
        switch input.firstLevel {
        case nil:
            throw .invalidArgument(field: "result", "Выберите результат звонка")
        case .notReached(let notReached):
            guard known(notReached.reason, ContactsV1.NotReachedReason.allCases) else {
                throw .invalidArgument(field: "result.not_reached.reason", "Для результата \"Не дозвонились\" нужно указать причину")
            }
        case .callDropped:
            break
        case .doNotDisturb(let dnd):
            try checkDoNotDisturb(dnd.reason, context)
        case .consultation:
            guard context.agreedWithinLast14Days else { throw .failedPrecondition(consultationRule, field: "result.consultation") }
        case .clientVisit(let visit):
            guard context.role == .smb else {
                throw .permissionDenied("Результат \"Выезд к клиенту\" доступен только сотрудникам МСБ", field: "result.client_visit")
            }
            _ = try future(visit.at, field: "result.client_visit.at", timeRequired: true, context, what: "дату и время выезда")
        case .reached(let reached):
            result.firstLevel = .reached(try validateReached(reached, &result.comment, context))
        }
        return result
    }

    static func known<E: Equatable>(_ value: E, _ all: [E]) -> Bool {
        guard let unspecified = all.first else { return false }
        return value != unspecified && all.contains(value)
    }

    static func checkDoNotDisturb(_ reason: ContactsV1.DoNotDisturbReason, _ context: ResultContext) throws(RuleError) {
        let field = "result.do_not_disturb.reason"
        guard known(reason, ContactsV1.DoNotDisturbReason.allCases) else {
            throw .invalidArgument(field: field, "Для результата \"Не беспокоить\" нужно указать причину")
        }
        switch reason {
        case .didNotApply where context.cardType != .internetApplicant:
            throw .invalidArgument(field: field, "Причина \"Заявку не оставлял\" — только для интернет-заявок")
        case .noBusiness where context.role != .smb:
            throw .permissionDenied("Причину \"Бизнес не ведется\" указывают только сотрудники МСБ", field: field)
        case .negativeInfo where context.role != .activeControl:
            throw .permissionDenied("Причину \"Негативная информация о заявителе\" указывает только группа активного контроля", field: field)
        default:
            break
        }
    }

    static func validateReached(
        _ input: ContactsV1.ReachedResult, _ comment: inout String, _ context: ResultContext
    ) throws(RuleError) -> ContactsV1.ReachedResult {
        var reached = input
        switch input.result {
        case nil:
            throw .invalidArgument(field: "result.reached", "Выберите результат разговора с клиентом")
        case .callback(var callback):
            let field = "result.reached.callback"
            if callback.clientWillCallBack {
                // The client refuses a callback but not the offer.
                callback.reason = .clientRequest
                callback.at = try shifted(days: twoWeeksDays, context)
                if !comment.contains(clientWillCallBackComment) {
                    comment = comment.isEmpty ? clientWillCallBackComment : comment + "; " + clientWillCallBackComment
                }
            } else {
                guard known(callback.reason, ContactsV1.CallbackReason.allCases) else {
                    throw .invalidArgument(field: field + ".reason", "Для результата \"Перезвонить\" нужно указать причину")
                }
                if callback.at == nil { callback.at = try shifted(days: 1, context) }
            }
            callback.at = try future(callback.at, field: field + ".at", timeRequired: false, context, what: "дату перезвона")
            reached.result = .callback(callback)
        case .nonTarget(let nonTarget):
            let field = "result.reached.non_target.reason"
            guard known(nonTarget.reason, ContactsV1.NonTargetReason.allCases) else {
                throw .invalidArgument(field: field, "Для результата \"Нецелевой\" нужно указать причину")
            }
            if nonTarget.reason == .didNotApply, context.cardType != .internetApplicant {
                throw .invalidArgument(field: field, "Причина \"заявку не оставлял\" — только для интернет-заявок")
            }
            if nonTarget.reason == .depositor {
                guard context.campaign.borrowerAssessment else {
                    throw .failedPrecondition("Причина \"клиент-вкладчик\" — только в кампании \"Оценка заемщика\"", field: field)
                }
                guard context.role == .fc else {
                    throw .permissionDenied("Причину \"клиент-вкладчик\" указывают только финансовые консультанты", field: field)
                }
            }
        case .thinking(var thinking):
            if thinking.nextActionAt == nil { thinking.nextActionAt = try shifted(days: twoWeeksDays, context) }
            thinking.nextActionAt = try future(
                thinking.nextActionAt, field: "result.reached.thinking.next_action_at", timeRequired: false, context,
                what: "дату следующего действия"
            )
            reached.result = .thinking(thinking)
        case .refused(let refused):
            let field = "result.reached.refused.refusal_reason_id"
            guard !refused.refusalReasonID.isEmpty else { throw .invalidArgument(field: field, "Выберите причину отказа") }
            guard context.campaign.refusalReasons.contains(where: { $0.reasonID == refused.refusalReasonID }) else {
                throw .invalidArgument(field: field, "Причина отказа «\(refused.refusalReasonID)» не из списка кампании")
            }
            guard context.objectionAttempts >= requiredObjectionAttempts else {
                throw .failedPrecondition(objectionRule, field: "result.reached.refused")
            }
        case .agreed(var agreed):
            agreed.visit = try checkVisit(agreed.visit, context)
            try checkProducts(agreed.products)
            reached.result = .agreed(agreed)
        case .changedVisitDate:
            guard context.role != .vcc else {
                throw .permissionDenied("Сотрудники ВКЦ не используют результат \"Изменил дату прихода\"", field: "result.reached.changed_visit_date")
            }
        case .halva(var halva):
            guard context.campaign.halva else {
                throw .failedPrecondition("Результат \"Халва\" — только в кампании по карте рассрочки Халва", field: "result.reached.halva")
            }
            halva.delivery = try checkHalva(halva.delivery, context)
            reached.result = .halva(halva)
        }
        return reached
    }

    static func checkVisit(_ visit: ContactsV1.Visit?, _ context: ResultContext) throws(RuleError) -> ContactsV1.Visit {
        let field = "result.reached.agreed.visit"
        guard var visit else { throw .invalidArgument(field: field, "Выберите офис и время визита") }
        guard let region = visit.region, !region.code.isEmpty else { throw .invalidArgument(field: field + ".region", "Выберите регион") }
        guard !visit.settlement.isEmpty else { throw .invalidArgument(field: field + ".settlement", "Выберите населенный пункт") }
        guard !visit.officeID.isEmpty else { throw .invalidArgument(field: field + ".office_id", "Выберите офис") }
        visit.at = try future(visit.at, field: field + ".at", timeRequired: true, context, what: "дату и время визита",
                              offset: utcOffsetMinutes(moscowOffsetHours: region.moscowOffsetHours))
        guard !visit.bookingID.isEmpty else { throw .invalidArgument(field: field + ".booking_id", "Запишите клиента на визит в офис") }
        return visit
    }

    static func checkProducts(_ products: [ContactsV1.OfferedProduct]) throws(RuleError) {
        let field = "result.reached.agreed.products"
        guard !products.isEmpty else { throw .invalidArgument(field: field, "Выберите предложенные продукты") }
        for (index, product) in products.enumerated() {
            let path = "\(field)[\(index)]"
            guard product.category != .unspecified, TypesV1.ProductCategory.allCases.contains(product.category) else {
                throw .invalidArgument(field: path + ".category", "Выберите категорию продукта")
            }
            guard !product.productID.isEmpty else { throw .invalidArgument(field: path + ".product_id", "Выберите продукт") }
            guard let known = CampaignCatalog.product(product.productID) else {
                throw .invalidArgument(field: path + ".product_id", "Продукт «\(product.productID)» не найден")
            }
            guard known.category == product.category else {
                throw .invalidArgument(field: path + ".product_id", "Продукт «\(known.name)» не относится к выбранной категории")
            }
        }
    }

    static func checkHalva(
        _ delivery: ContactsV1.HalvaResult.Delivery?, _ context: ResultContext
    ) throws(RuleError) -> ContactsV1.HalvaResult.Delivery {
        let field = "result.reached.halva"
        switch delivery {
        case nil:
            throw .invalidArgument(field: field + ".delivery", "Выберите способ доставки карты Халва")
        case .mpp(var mpp):
            let path = field + ".mpp"
            guard !mpp.officeID.isEmpty else { throw .invalidArgument(field: path + ".office_id", "Выберите офис МПП") }
            mpp.at = try future(mpp.at, field: path + ".at", timeRequired: true, context, what: "дату и время доставки")
            guard mpp.employeesCovered > 0 else {
                throw .invalidArgument(field: path + ".employees_covered", "Укажите охват сотрудников на предприятии")
            }
            guard !mpp.address.isEmpty else { throw .invalidArgument(field: path + ".address", "Укажите адрес доставки") }
            return .mpp(mpp)
        case .fc(var fc):
            let path = field + ".fc"
            guard !fc.officeID.isEmpty else { throw .invalidArgument(field: path + ".office_id", "Выберите офис") }
            fc.at = try future(fc.at, field: path + ".at", timeRequired: true, context, what: "дату и время доставки")
            guard known(fc.place, ContactsV1.FcDeliveryPlace.allCases) else {
                throw .invalidArgument(field: path + ".place", "Выберите место доставки")
            }
            guard !fc.address.isEmpty else { throw .invalidArgument(field: path + ".address", "Укажите адрес доставки") }
            return .fc(fc)
        case .selfPickup(var pickup):
            let path = field + ".self_pickup"
            guard !pickup.officeID.isEmpty else { throw .invalidArgument(field: path + ".office_id", "Выберите офис") }
            pickup.at = try future(pickup.at, field: path + ".at", timeRequired: true, context, what: "дату и время визита")
            guard !pickup.bookingID.isEmpty else { throw .invalidArgument(field: path + ".booking_id", "Запишите клиента на визит в офис") }
            return .selfPickup(pickup)
        }
    }

    /// The contact's local date-time `days` later, at the same local time (the client's region).
    static func shifted(days: Int, _ context: ResultContext) throws(RuleError) -> TypesV1.LocalDateTime {
        let (span, overSpan) = Int64(days).multipliedReportingOverflow(by: dayMs)
        let (at, overAt) = context.nowMs.addingReportingOverflow(span)
        guard !overSpan, !overAt, FieldBounds.isInstant(at) else { throw .failedPrecondition(clientOffsetRule, field: "session_id") }
        return .of(unixMs: at, utcOffsetMinutes: context.clientUtcOffsetMinutes)
    }

    /// A given local date-time that is a real date, not in the past; an offset of 0 means the
    /// client's region. Returns it with the offset filled in.
    static func future(
        _ value: TypesV1.LocalDateTime?, field: String, timeRequired: Bool, _ context: ResultContext, what: String,
        offset: Int? = nil
    ) throws(RuleError) -> TypesV1.LocalDateTime {
        guard var value, value.date != nil else { throw .invalidArgument(field: field, "Укажите \(what)") }
        if value.utcOffsetMinutes == 0 { value.utcOffsetMinutes = Int32(clamping: offset ?? context.clientUtcOffsetMinutes) }
        guard LocalDate(value.date) != nil else { throw .invalidArgument(field: field + ".date", "Неверная дата") }
        if let time = value.time {
            guard (0...23).contains(time.hour), (0...59).contains(time.minute) else {
                throw .invalidArgument(field: field + ".time", "Неверное время")
            }
        } else if timeRequired {
            throw .invalidArgument(field: field + ".time", "Укажите время")
        }
        guard let instant = latestInstant(value), instant >= context.nowMs else {
            throw .invalidArgument(field: field, "Нельзя указать \(what) в прошлом")
        }
        return value
    }

    /// The instant of a local date-time; a date without a time counts as the day's start
    /// (`latest` false) or its last minute (`latest` true, for past checks).
    public static func instant(_ value: TypesV1.LocalDateTime, defaultMinute: Int = 0) -> Int64? {
        guard let date = LocalDate(value.date) else { return nil }
        let minute = value.time.map { Int($0.hour) * 60 + Int($0.minute) } ?? defaultMinute
        return date.unixMs(atMinute: minute, utcOffsetMinutes: Int(value.utcOffsetMinutes))
    }

    static func latestInstant(_ value: TypesV1.LocalDateTime) -> Int64? {
        value.time == nil ? instant(value, defaultMinute: 24 * 60 - 1) : instant(value)
    }
}
