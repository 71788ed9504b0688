import CRMAPI
import Foundation
import Gateway
import Wire

/// «ВЫБРАТЬ ОФИС ДЛЯ ВИЗИТА»: region → settlement → offices narrowed by a search string →
/// the calendar of a date with free places → a time. Every choice is a flag, else a prompt.
struct VisitPicker {
    let scheduling: ServiceClient
    let quiet: Bool
    var offices: SchedulingV1.Offices.Client { .init(wrapping: scheduling.rpc) }

    struct Flags {
        var region: String?
        var settlement: String?
        var officeSearch: String?
        var office: String?
        var date: String?
        var time: String?
    }

    func say(_ text: String) { if !quiet { print(text) } }

    /// The office (of `kind`, any when unspecified) in the client's region unless told otherwise.
    func office(_ flags: Flags, card: RegistryV1.Card, kind: SchedulingV1.OfficeKind) async throws -> (TypesV1.RegionRef, SchedulingV1.Settlement, SchedulingV1.Office) {
        let regions = try await scheduling.call { _ in try await offices.listRegions(.init()) }.regions
        let region = try Console.pick(
            flags.region ?? card.region?.code, regions, what: "Регион", flag: "--region", key: \.code, label: \.name
        )
        let settlements = try await scheduling.call { _ in try await offices.listSettlements(.init(regionCode: region.code)) }.settlements
        let defaultSettlement = flags.settlement ?? settlements.first { $0.name == card.settlement || $0.name.hasSuffix(" " + card.settlement) }?.settlementID
        let settlement = try Console.pick(
            defaultSettlement, settlements, what: "Населённый пункт (\(region.name))", flag: "--settlement", key: \.settlementID, label: \.name
        )
        let query = try flags.officeSearch ?? (Console.isInteractive && flags.office == nil
            ? Console.optional("Поисковая строка (метро, улица, ориентир)", hint: "Enter — все офисы", flag: "--office-search") { $0 } ?? "" : "")
        let found = try await scheduling.call { _ in
            try await offices.searchOffices(.init(regionCode: region.code, settlementID: settlement.settlementID, query: query, kind: kind, pageSize: 20))
        }.offices
        guard !found.isEmpty else {
            throw GatewayError("В «\(settlement.name)» нет офисов\(query.isEmpty ? "" : " по запросу «\(query)»")\(kind == .mpp ? " МПП" : "")")
        }
        say(TextTable(
            headers: ["№", "ОФИС", "АДРЕС", "ЧАСЫ РАБОТЫ", "МЕТРО"], keep: [0],
            rows: found.enumerated().map { ["\($0.offset + 1)", $0.element.name, $0.element.address, $0.element.hoursText, $0.element.metroStations.joined(separator: ", ")] }
        ).render())
        let office = try Console.pick(flags.office, found, what: "Офис", flag: "--office", key: \.officeID, label: \.name)
        return (region, settlement, office)
    }

    /// The calendar of the office on the date, then a slot with a free place.
    func slot(_ flags: Flags, office: SchedulingV1.Office) async throws -> (TypesV1.Date, TypesV1.TimeOfDay) {
        let date = try SchedulingDates.parseDate(Console.value(flags.date, "Дата визита (ДД.ММ.ГГГГ)", flag: "--visit-date"), flag: "--visit-date")
        let calendar = try await scheduling.call { _ in try await offices.getOfficeCalendar(.init(officeID: office.officeID, date: date)) }
        guard !calendar.slots.isEmpty else { throw GatewayError("\(office.name) \(Labels.date(date)) не работает: выберите другую дату") }
        say("Календарь \(office.name) на \(Labels.date(date)):")
        say(CalendarView.slots(calendar.slots))
        let open = calendar.slots.filter { !$0.past && $0.freePlaces > 0 }
        guard !open.isEmpty else { throw GatewayError("На \(Labels.date(date)) свободных мест нет: выберите другую дату") }
        let chosen = try Console.pick(
            flags.time, open, what: "Время визита", flag: "--visit-time",
            key: { SchedulingDates.time($0.start) }, label: { "\(SchedulingDates.time($0.start)) (свободно \($0.freePlaces))" }
        )
        guard let start = chosen.start else { throw GatewayError("--visit-time: интервал без времени начала") }
        return (date, start)
    }
}
