import CRMAPI
import Foundation
import Gateway
import Wire

/// The visit's questions of «Согласился» and the Халва ways: region → settlement → office
/// (narrowed by a search string) → date → time from the calendar, the offered products, and
/// the visit SMS with the number confirmed.
extension CallPrompts {
    /// Region → settlement → office, narrowed by a search string. A region or settlement
    /// with nothing to offer is said so and asked again; МПП where the city has none turns
    /// to ФК, as the manual says.
    func officeStep(kind: SchedulingV1.OfficeKind, then next: Step) -> Step {
        let regionStep = Step { state in
            let regions = try await auth.scheduling.call { _ in try await offices.listRegions(.init()) }.regions
            let home = regions.firstIndex { $0.code == card.region?.code }.map { "\($0 + 1)" }
            let region = try Console.choose("Регион", regions, flag: "--region", default: home, label: \.name, key: \.code)
            state.office = nil
            return settlementStep(region, kind: kind, then: next)
        }
        return regionStep
    }

    func settlementStep(_ region: TypesV1.RegionRef, kind: SchedulingV1.OfficeKind, then next: Step) -> Step {
        Step { state in
            let settlements = try await auth.scheduling.call { _ in try await offices.listSettlements(.init(regionCode: region.code)) }.settlements
            guard !settlements.isEmpty else {
                say("В регионе «\(region.name)» нет офисов: выберите другой регион")
                throw Console.backRequested
            }
            let home = settlements.firstIndex { $0.name == card.settlement || $0.name.hasSuffix(" " + card.settlement) }.map { "\($0 + 1)" }
            let settlement = settlements.count == 1 ? settlements[0]
                : try Console.choose("Населённый пункт (\(region.name))", settlements, flag: "--settlement", default: home, label: \.name, key: \.settlementID)
            var kind = kind
            if kind == .mpp {
                let mpp = try await search(region, settlement, query: "", kind: .mpp)
                if mpp.isEmpty {
                    say("В «\(settlement.name)» нет офиса МПП: доставку выполнит финансовый консультант (Доставка ФК)")
                    state.delivery = .fc
                    kind = .office
                }
            }
            return searchStep(region, settlement, kind: kind, then: next)
        }
    }

    func search(_ region: TypesV1.RegionRef, _ settlement: SchedulingV1.Settlement, query: String, kind: SchedulingV1.OfficeKind) async throws -> [SchedulingV1.Office] {
        try await auth.scheduling.call { _ in
            try await offices.searchOffices(.init(regionCode: region.code, settlementID: settlement.settlementID, query: query, kind: kind, pageSize: 20))
        }.offices
    }

    func searchStep(_ region: TypesV1.RegionRef, _ settlement: SchedulingV1.Settlement, kind: SchedulingV1.OfficeKind, then next: Step) -> Step {
        Step { state in
            while true {
                let query = try Console.optional("Поисковая строка (метро, улица, ориентир)", hint: "Enter — все офисы", flag: "--office-search") { $0 } ?? ""
                let found = try await search(region, settlement, query: query, kind: kind)
                guard !found.isEmpty else {
                    say("В «\(settlement.name)» нет офисов\(query.isEmpty ? "" : " по запросу «\(query)»"): измените поисковую строку")
                    continue
                }
                return officeChoice(found, region, settlement, then: next)
            }
        }
    }

    func officeChoice(_ found: [SchedulingV1.Office], _ region: TypesV1.RegionRef, _ settlement: SchedulingV1.Settlement, then next: Step) -> Step {
        Step { state in
            say(TextTable(
                headers: ["№", "ОФИС", "АДРЕС", "ЧАСЫ РАБОТЫ", "МЕТРО"], keep: [0],
                rows: found.enumerated().map { ["\($0.offset + 1)", $0.element.name, $0.element.address, $0.element.hoursText, $0.element.metroStations.joined(separator: ", ")] }
            ).render())
            let office = found.count == 1 ? found[0] : try Console.choose("Офис", found, flag: "--office", label: \.name, key: \.officeID)
            state.office = PickedOffice(region: region, settlement: settlement, office: office)
            return next
        }
    }

    /// The office's calendar on a date with free places, then a time; a full slot is said
    /// to be full.
    func slotStep(then next: Step) -> Step {
        Step { state in
            guard let picked = state.office else { return next }
            let officeOffset = SchedulingDates.offsetMinutes(picked.region)
            state.day = try Console.question("Дата визита, ДД.ММ.ГГГГ или +N", flag: "--visit-date") {
                try PromptChecks.dateFromToday($0, utcOffsetMinutes: officeOffset, what: "Дата визита")
            }
            return visitTime(then: next)
        }
    }

    /// The calendar of the date chosen; a date with no free place sends back to the date.
    func visitTime(then next: Step) -> Step {
        Step { state in
            guard let picked = state.office, let day = state.day else { return next }
            let calendar = try await auth.scheduling.call { _ in
                try await offices.getOfficeCalendar(.init(officeID: picked.office.officeID, date: day))
            }
            let open = calendar.slots.filter { !$0.past && $0.freePlaces > 0 }
            guard !open.isEmpty else {
                say(calendar.slots.isEmpty ? "\(picked.office.name) \(Labels.date(day)) не работает: выберите другую дату"
                    : "На \(Labels.date(day)) свободных мест нет: выберите другую дату")
                throw Console.backRequested
            }
            say("Календарь \(picked.office.name) на \(Labels.date(day)):")
            say(CalendarView.slots(calendar.slots))
            let freeList = open.map { SchedulingDates.time($0.start) }.joined(separator: ", ")
            let slot = try Console.question("Время визита, ЧЧ:ММ", default: SchedulingDates.time(open[0].start), flag: "--visit-time") { text in
                let time = try SchedulingDates.parseTime(text, flag: "Время визита")
                guard let slot = calendar.slots.first(where: { $0.start == time }) else {
                    throw GatewayError("Время визита: в \(SchedulingDates.time(time)) приёма нет; свободно: \(freeList)")
                }
                if slot.past { throw GatewayError("Время визита: \(SchedulingDates.time(time)) уже прошло; свободно: \(freeList)") }
                if slot.freePlaces <= 0 { throw GatewayError("Время визита: \(SchedulingDates.time(time)) занято (мест нет); свободно: \(freeList)") }
                return slot
            }
            state.time = slot.start
            return next
        }
    }

    /// «ПРЕДЛОЖИТЕ ПРОДУКТЫ»: category, then a product of it; at least one, as many as offered.
    func productsStep(then next: Step) -> Step {
        Step { state in
            let campaigns = ContactsV1.Campaigns.Client(wrapping: auth.contacts.rpc)
            let catalogue = try await auth.contacts.call { _ in try await campaigns.listOfferableProducts(.init()) }.products
            state.products = []
            return productCategory(catalogue, then: next)
        }
    }

    func productCategory(_ catalogue: [ContactsV1.OfferableProduct], then next: Step) -> Step {
        Step { state in
            let chosen = state.products.map(\.productID)
            let categories = ResultChoices.category.options.filter { option in
                catalogue.contains { $0.category == option.value && !chosen.contains($0.productID) }
            }
            guard !categories.isEmpty else { return next }
            let category = try Console.choose("Категория продукта", categories, flag: "--product", label: \.label, key: \.key).value
            return Step { state in
                let left = catalogue.filter { $0.category == category && !state.products.map(\.productID).contains($0.productID) }
                let product = try Console.choose("Продукт", left, flag: "--product", label: \.name, key: \.productID)
                state.products.append(.init(category: product.category, productID: product.productID, productName: product.name))
                say("  Предложено: " + state.products.map(\.productName).joined(separator: ", "))
                return Step { _ in
                    try Console.yesNo("Добавить ещё продукт?", default: false, flag: "--product") ? productCategory(catalogue, then: next) : next
                }
            }
        }
    }

    /// «Отправить информационное SMS»: the visit rule's default; the number is the card's
    /// mobile or the one the client dictates, confirmed before it is used.
    func smsStep(then next: Step) -> Step {
        Step { state in
            guard let picked = state.office, let day = state.day else { return next }
            let smsClient = SchedulingV1.Sms.Client(wrapping: auth.scheduling.rpc)
            let plan = try await auth.scheduling.call { _ in try await smsClient.planVisitSms(.init(officeID: picked.office.officeID, visitDate: day)) }
            let mobile = card.contacts.first { $0.kind == .mobilePhone && !$0.struckOut }?.value ?? ""
            say("Информационное SMS: «\(plan.text)»" + (plan.sendAtUnixMs > 0 ? ", уйдёт \(CardView.dateTime(plan.sendAtUnixMs))" : ""))
            if plan.sendByDefault && !mobile.isEmpty {
                say("  (визит не сегодня: SMS отправляется всегда)")
                return smsPhone(mobile, then: next)
            }
            return Step { state in
                guard try Console.yesNo("Отправить информационное SMS?", default: plan.sendByDefault, flag: "--sms") else {
                    state.sms = CallPlan.VisitSms(send: false, phone: mobile)
                    return next
                }
                return smsPhone(mobile, then: next)
            }
        }
    }

    /// The number: the card's mobile (Enter) or the one the client dictates, which is read
    /// back and confirmed before it is used.
    func smsPhone(_ mobile: String, then next: Step) -> Step {
        Step { state in
            let phone = try Console.question(
                "Номер для SMS (Enter — мобильный из карточки, или номер, который диктует клиент)",
                default: mobile.isEmpty ? nil : Labels.phone(mobile), flag: "--sms-phone"
            ) { try PromptChecks.phone($0) }
            state.sms = CallPlan.VisitSms(send: true, phone: phone)
            guard phone != mobile else { return next }
            return Step { _ in
                try Console.yesNo("Отправить SMS на \(Labels.phone(phone))?", default: true, flag: "--sms-phone") ? next : smsPhone(mobile, then: next)
            }
        }
    }
}
