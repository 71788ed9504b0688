public import Wire

/// A saved or draft call result in the history's words: «Не дозвонились, причина: Не
/// отвечает», the visit with its office, the offered products.
public enum CallResultView {
    /// `refusalReasons`: the campaigns' refusal reasons, id → label; the result stores only the id.
    public static func describe(_ result: ContactsV1.CallResult, refusalReasons: [String: String] = [:]) -> String {
        var parts: [String] = []
        switch result.firstLevel {
        case .notReached(let value)?:
            parts.append("Не дозвонились, причина: \(ResultChoices.notReached.label(value.reason))")
        case .callDropped?:
            parts.append("Звонок сорвался")
        case .doNotDisturb(let value)?:
            parts.append("Не беспокоить, причина: \(ResultChoices.doNotDisturb.label(value.reason))")
        case .consultation?:
            parts.append("Консультация")
        case .clientVisit(let value)?:
            parts.append("Выезд к клиенту: \(SchedulingDates.localDateTime(value.at))")
        case .reached(let reached)?:
            parts.append("Дозвонились")
            switch reached.result {
            case .callback(let value)?:
                parts.append("Перезвонить: \(SchedulingDates.localDateTime(value.at)), причина: \(ResultChoices.callback.label(value.reason))")
            case .nonTarget(let value)?:
                parts.append("Нецелевой, причина: \(ResultChoices.nonTarget.label(value.reason))")
            case .thinking(let value)?:
                parts.append("Подумаю, следующее действие: \(SchedulingDates.localDateTime(value.nextActionAt))")
            case .refused(let value)?:
                parts.append("Отказался (НЕТ), причина: \(refusalReasons[value.refusalReasonID] ?? value.refusalReasonID)")
            case .agreed(let value)?:
                parts.append("Согласился (ДА)")
                if let visit = value.visit {
                    parts.append("визит \(SchedulingDates.localDateTime(visit.at)), \(visit.region?.name ?? ""), \(visit.settlement), \(visit.officeName)")
                }
                parts.append("продукты: " + value.products.map { "\(CardView.category($0.category)) — \($0.productName)" }.joined(separator: "; "))
            case .changedVisitDate?:
                parts.append("Изменил дату прихода")
            case .halva(let value)?:
                switch value.delivery {
                case .mpp(let mpp)?:
                    parts.append("Халва: Доставка МПП, \(mpp.officeName), \(SchedulingDates.localDateTime(mpp.at)), охват \(mpp.employeesCovered), \(mpp.address)")
                case .fc(let fc)?:
                    parts.append("Халва: Доставка ФК, \(fc.officeName), \(SchedulingDates.localDateTime(fc.at)), \(ResultChoices.fcPlace.label(fc.place)), \(fc.address)")
                case .selfPickup(let pickup)?:
                    parts.append("Халва: Самовывоз, \(pickup.officeName), \(SchedulingDates.localDateTime(pickup.at))")
                case nil:
                    parts.append("Халва")
                }
            case nil:
                break
            }
        case nil:
            parts.append("—")
        }
        if !result.comment.isEmpty { parts.append("комментарий: \(result.comment)") }
        return parts.joined(separator: "; ")
    }
}
