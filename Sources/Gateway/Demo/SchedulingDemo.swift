import CRMAPI
import Foundation
import RPCCore
import Wire

/// The scheduling part of the demo: an office in the client's region, its calendar, five
/// bookings filling one slot and the sixth refused, and an SMS from a fixed template.
struct SchedulingDemo {
    let run: DemoRun
    let scheduling: ServiceEndpoints.Endpoint
    let session: Session
    let smsFile: URL

    func perform() async {
        var metadata = Metadata()
        metadata.bearerToken = session.token
        let call = scheduling.client(metadata: metadata)
        let offices = SchedulingV1.Offices.Client(wrapping: call.rpc)
        let sms = SchedulingV1.Sms.Client(wrapping: call.rpc)

        await run.step("Визит: регион → офис → календарь; пятеро записаны на одно время, шестому — отказ") {
            let regions = try await call.call { _ in try await offices.listRegions(.init()) }.regions
            var chosen: (TypesV1.RegionRef, SchedulingV1.Office)?
            for region in regions where chosen == nil {
                let found = try await call.call { _ in try await offices.searchOffices(.init(regionCode: region.code, pageSize: 5)) }.offices
                if let office = found.first { chosen = (region, office) }
            }
            guard let (region, office) = chosen else { return run.fail("ни в одном регионе нет офисов") }
            run.say("Регионы с офисами: \(regions.count); выбран \(Labels.region(region))")
            run.say("Офис: \(office.name), \(office.settlementName), \(office.address)")
            // The first day from the day after tomorrow with an empty slot: holidays have none.
            var found: (TypesV1.Date, SchedulingV1.GetOfficeCalendarResponse, SchedulingV1.CalendarSlot)?
            for offset in 2..<16 where found == nil {
                let day = SchedulingDates.day(after: offset)
                let calendar = try await call.call { _ in try await offices.getOfficeCalendar(.init(officeID: office.officeID, date: day)) }
                if let slot = calendar.slots.first(where: { !$0.past && $0.freePlaces == $0.capacity && $0.start != nil }) {
                    found = (day, calendar, slot)
                }
            }
            guard let (date, calendar, slot) = found, let start = slot.start else {
                return run.fail("две недели без свободного времени в офисе \(office.name)")
            }
            let time = String(format: "%02d:%02d", start.hour, start.minute)
            run.say("Календарь на \(Labels.date(date)): \(calendar.slots.count) интервалов; выбираем \(time), свободно \(slot.freePlaces) из \(slot.capacity)")
            for client in 1...5 {
                var key = Metadata()
                key.idempotencyKey = "demo-visit-\(client)"
                _ = try await call.call { _ in
                    try await offices.bookVisit(.init(officeID: office.officeID, date: date, start: start, cardID: Int64(client)), metadata: key)
                }
            }
            var sixth = Metadata()
            sixth.idempotencyKey = "demo-visit-6"
            let refusal = await run.expectRefusal("шестая запись") {
                try await call.call { _ in
                    try await offices.bookVisit(.init(officeID: office.officeID, date: date, start: start, cardID: 6), metadata: sixth)
                }
            }
            run.expect(refusal?.code == .resourceExhausted, "код \(String(describing: refusal?.code))")
            let after = try await call.call { _ in try await offices.getOfficeCalendar(.init(officeID: office.officeID, date: date)) }
            let full = after.slots.first { $0.start == start }
            run.say("\(time): записано \(full?.bookings.count ?? 0), свободно \(full?.freePlaces ?? -1)")
            run.expect(full?.freePlaces == 0 && full?.bookings.count == 5, "в интервале не 5 записей")
        }

        await run.step("SMS по шаблону «Ссылка на МП»: текст неизменяем, сообщение уходит через очередь") {
            let templates = try await call.call { _ in try await sms.listSmsTemplates(.init()) }.templates
            guard let link = templates.first(where: { $0.text.contains("scb.im/hva") }) else {
                return run.fail("нет шаблона со ссылкой на приложение")
            }
            run.say("Шаблон «\(link.name)»: \(link.text)")
            var once = Metadata()
            once.idempotencyKey = "demo-sms-link-1"
            let sent = try await call.call { _ in
                try await sms.sendSms(
                    .init(templateID: link.templateID, cardID: 1, phone: DemoScenario.sharedPhone, regionCode: "63"), metadata: once
                )
            }
            run.say(sent.deferred ? "Отложено до разрешённого часа по местному времени клиента" : "Принято в очередь")
            if !sent.deferred {
                let deadline = ContinuousClock.now + .seconds(10)
                var delivered = false
                while !delivered, ContinuousClock.now < deadline {
                    let text = (try? String(contentsOf: smsFile, encoding: .utf8)) ?? ""
                    delivered = text.split(separator: "\n").contains { $0.contains(DemoScenario.sharedPhone) && $0.contains("scb.im/hva") }
                    if !delivered { try? await Task.sleep(for: .milliseconds(100)) }
                }
                run.expect(delivered, "SMS не дошло до шлюза разработки")
                if delivered { run.say("SMS передано шлюзу на \(Labels.phone(DemoScenario.sharedPhone))") }
            }
        }
    }
}
