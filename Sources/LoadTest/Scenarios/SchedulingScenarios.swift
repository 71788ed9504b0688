import Auth
import CRMAPI
import CRMDomain
import Foundation
import RPCCore
import Wire

/// Visit bookings and SMS accepted into the durable outbox.
enum SchedulingScenarios {
    static let all = [bookSlot, bookSlotContended, enqueueSms]

    /// Free places of every office over the working days among the next `days` days (Moscow), one entry per place.
    static func freePlaces(_ rpc: RPCClient, _ metadata: Metadata, days: Int, limit: Int) async throws -> [SchedulingV1.BookVisitRequest] {
        let offices = SchedulingV1.Offices.Client(wrapping: rpc)
        var all: [SchedulingV1.Office] = []
        for region in try await offices.listRegions(.init(), metadata: metadata).regions {
            var token = ""
            repeat {
                let page = try await offices.searchOffices(.init(regionCode: region.code, pageSize: 100, pageToken: token), metadata: metadata)
                all += page.offices
                token = page.nextPageToken
            } while !token.isEmpty
        }
        var places: [SchedulingV1.BookVisitRequest] = []
        let today = LocalDate.of(unixMs: Int64(Date().timeIntervalSince1970 * 1000), utcOffsetMinutes: Regions.moscowUTCOffsetMinutes)
        // The days a visit is normally booked for: working days of the production calendar.
        for date in (1...days).map({ today.adding(days: $0) }) where ProductionCalendar.shipped.isWorkingDay(date) {
            let wireDate = date.wire
            for office in all {
                let slots = try await offices.getOfficeCalendar(.init(officeID: office.officeID, date: wireDate), metadata: metadata).slots
                for slot in slots where !slot.past {
                    for _ in 0..<slot.freePlaces {
                        places.append(.init(officeID: office.officeID, date: wireDate, start: slot.start, cardID: 0, clientName: nil))
                        if places.count >= limit { return places }
                    }
                }
            }
        }
        return places
    }

    static let clientName = TypesV1.FullName(surname: "Нагрузочный", name: "Тест", patronymic: "Клиентович")

    /// Each iteration takes a different free place (offices × days × slots × 5 places).
    static let bookSlot = LoadScenario(
        name: "scheduling.book-slot", service: "scheduling",
        summary: "BookVisit, each iteration a different free place over every office's working days of the next 90 (no contention)",
        role: .vcc
    ) { rpc, metadata in
        let places = try await freePlaces(rpc, metadata, days: 90, limit: 2_000_000)
        guard !places.isEmpty else { throw LoadTestError("No free places in the next 90 days") }
        let run = UUID().uuidString.prefix(8).lowercased()
        return { rpc, metadata, iteration in
            guard iteration < places.count else { throw LoadTestError("All \(places.count) free places are booked") }
            var request = places[iteration]
            request.cardID = Int64(iteration + 1)
            request.clientName = clientName
            _ = try await SchedulingV1.Offices.Client(wrapping: rpc).bookVisit(request, metadata: metadata.withKey(run, iteration))
        }
    }

    /// Every iteration races for the same slot: five win, the rest are refused with
    /// RESOURCE_EXHAUSTED, which is this scenario's expected answer (counted under its own
    /// name in the report, neither done nor an error).
    static let bookSlotContended = LoadScenario(
        name: "scheduling.book-slot-contended", service: "scheduling",
        summary: "BookVisit, every iteration on one slot: 5 booked, the rest refused (RESOURCE_EXHAUSTED is the expected answer)",
        role: .vcc
    ) { rpc, metadata in
        // Any free place will do, however far ahead: a book-slot run just before may have
        // filled the coming weeks (it books the earliest places first).
        guard let place = try await freePlaces(rpc, metadata, days: 365, limit: 1).first else {
            throw LoadTestError("No free places in the next 365 days")
        }
        let run = UUID().uuidString.prefix(8).lowercased()
        return { rpc, metadata, iteration in
            var request = place
            request.cardID = Int64(iteration + 1)
            request.clientName = clientName
            do {
                _ = try await SchedulingV1.Offices.Client(wrapping: rpc).bookVisit(request, metadata: metadata.withKey(run, iteration))
            } catch let error as RPCError where error.code == .resourceExhausted {
                throw ExpectedRefusal("slot full (RESOURCE_EXHAUSTED)")
            }
        }
    }

    /// «Ссылка на МП» to a different number each time: accepted into the outbox (written
    /// before the answer) and delivered by the worker behind.
    static let enqueueSms = LoadScenario(
        name: "scheduling.enqueue-sms", service: "scheduling",
        summary: "SendSms «Ссылка на МП» (marketing), a new number and idempotency key each iteration",
        role: .vcc
    ) { _, _ in
        let run = UUID().uuidString.prefix(8).lowercased()
        return { rpc, metadata, iteration in
            _ = try await SchedulingV1.Sms.Client(wrapping: rpc).sendSms(
                .init(templateID: "mobile-app-link", cardID: Int64(iteration + 1), phone: RequestTemplate.syntheticPhone(iteration), regionCode: "77"),
                metadata: metadata.withKey(run, iteration)
            )
        }
    }
}
