public import Wire

extension ContactsV1.ListCampaignsResponse {
    /// Every campaign's refusal reasons, id → label.
    public var refusalReasonLabels: [String: String] {
        var labels: [String: String] = [:]
        for campaign in campaigns { for reason in campaign.refusalReasons { labels[reason.reasonID] = reason.label } }
        return labels
    }
}

/// Tab 3 «История последних контактов» and the client's SMS (tab 2's sent messages).
public enum HistoryView {
    /// `refusalReasons`: the campaigns' refusal reasons (id → label), so a refusal reads by its
    /// label, never its key.
    public static func entries(
        _ entries: [ContactsV1.HistoryEntry], refusalReasons: [String: String] = [:], width: Int = TextTable.terminalWidth()
    ) -> String {
        guard !entries.isEmpty else { return "Контактов не было" }
        return TextTable(
            headers: ["ДАТА И ВРЕМЯ", "ДЕЙСТВИЕ", "РЕЗУЛЬТАТ", "ДЕТАЛИ", "СЛЕДУЮЩЕЕ ДЕЙСТВИЕ", "КОММЕНТАРИИ", "ОПЕРАТОР"], keep: [0, 6],
            rows: entries.map { entry in
                [CardView.dateTime(entry.occurredUnixMs), entry.actionLabel, entry.resultLabel, details(entry, refusalReasons: refusalReasons),
                 entry.nextAction.map(nextAction) ?? "", entry.comment,
                 entry.operator.map { "\($0.fullName) (\($0.login))" } ?? ""]
            }
        ).render(width: width)
    }

    static func details(_ entry: ContactsV1.HistoryEntry, refusalReasons: [String: String] = [:]) -> String {
        var text: String
        switch entry.details {
        case .call(let call)?:
            text = "Кампания: \(call.campaignName). " + (call.result.map { CallResultView.describe($0, refusalReasons: refusalReasons) } ?? ResultChoices.kindLabel(call.kind))
        case .sms(let sms)?:
            text = "Текст: \(sms.text); телефон \(Labels.phone(sms.phone))"
        case .email(let email)?:
            text = "\(email.address): \(email.text)"
        case .application(let application)?:
            text = application.product.isEmpty ? application.details : "Продукт: \(application.product) \(application.details)"
        case .bureauDecision(let decision)?:
            text = "Решение: \(decision.decision == .approved ? "Одобрено" : "Отказ")" + (decision.stillValid ? "" : " (старше 10 дней)")
        case .collection(let collection)?:
            text = "Договор \(entry.contractNumber), телефон \(Labels.phone(collection.phone))"
        case nil:
            text = ""
        }
        if let guidance = entry.guidance, !guidance.meaning.isEmpty {
            text += " — \(guidance.meaning)" + (guidance.comment.isEmpty ? "" : " (\(guidance.comment))")
        }
        return text
    }

    static func nextAction(_ next: ContactsV1.NextAction) -> String {
        var parts = ["Дата и время: \(SchedulingDates.localDateTime(next.at))"]
        if !next.regionName.isEmpty { parts.append("Регион: \(next.regionName)") }
        if !next.settlement.isEmpty { parts.append("Город: \(next.settlement)") }
        if !next.officeName.isEmpty { parts.append("Офис: \(next.officeName)") }
        return parts.joined(separator: " ")
    }

    public static func sms(_ messages: [SchedulingV1.SmsMessage]) -> String {
        guard !messages.isEmpty else { return "SMS не отправлялись" }
        return TextTable(
            headers: ["ПРИНЯТО", "ШАБЛОН", "ТЕКСТ", "ТЕЛЕФОН", "СОСТОЯНИЕ", "ОТПРАВКА"], keep: [0, 3],
            rows: messages.map { sms in
                [CardView.dateTime(sms.acceptedUnixMs), sms.templateName, sms.text, Labels.phone(sms.phone), state(sms.state),
                 sms.sentUnixMs > 0 ? CardView.dateTime(sms.sentUnixMs) : sms.scheduledForUnixMs > 0 ? "запланировано на \(CardView.dateTime(sms.scheduledForUnixMs))" : ""]
            }
        ).render()
    }

    public static func state(_ state: TypesV1.SmsState) -> String {
        switch state {
        case .queued: "в очереди"
        case .sent: "отправлено"
        case .delivered: "доставлено"
        case .failed: "не доставлено"
        case .cancelled: "отменено"
        case .noReport: "нет отчёта о доставке"
        default: "—"
        }
    }
}
