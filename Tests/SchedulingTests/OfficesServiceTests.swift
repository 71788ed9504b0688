import CRMDomain
import RPCTesting
import CRMAPI
import Auth
import Foundation
import RPCCore
@testable import Scheduling
import Testing
import Wire
import TestSupport

@Suite("Offices service")
struct OfficesServiceTests {
    @Test("regions and settlements with МПП", arguments: Engine.all)
    func regionsAndSettlements(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { offices, _ in
            let regions = try await offices.listRegions(.init(), metadata: fixture.metadata(.vcc)).regions
            #expect(regions.contains { $0.code == "25" && $0.moscowOffsetHours == 7 })
            let settlements = try await offices.listSettlements(.init(regionCode: "56"), metadata: fixture.metadata(.vcc)).settlements
            #expect(settlements.map(\.name) == ["г. Бузулук", "г. Оренбург"])
            #expect(settlements.map(\.hasMppOffice) == [false, true])
            let missing = await rpcError { _ = try await offices.listSettlements(.init(regionCode: "99"), metadata: fixture.metadata(.vcc)) }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("search by metro, street and landmark, case- and ё/е-insensitive", arguments: [
        ("новогиреево", ["msk-mini160"]),
        ("ЗЕЛЕНЫЙ", ["msk-mini160"]),
        ("зелёный", ["msk-mini160"]),
        ("Пушкин", ["msk-tverskoy"]),
        ("ломоносовский", ["msk-do11"]),
        ("МГУ", ["msk-do11"]),
        ("павелецкая", ["msk-mpp"]),
        ("тверская 22", ["msk-tverskoy"]),
        ("", ["msk-do11", "msk-tverskoy", "msk-mpp", "msk-mini160"]),
        ("нет-такого", []),
    ])
    func search(query: String, expected: [String]) async throws {
        let fixture = try Fixture()
        try await fixture.run { offices, _ in
            let found = try await offices.searchOffices(.init(regionCode: "77", query: query), metadata: fixture.metadata(.vcc)).offices
            #expect(Set(found.map(\.officeID)) == Set(expected))
        }
    }

    @Test("search narrows by settlement and kind, pages, and needs a region", arguments: Engine.all)
    func searchFilters(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { offices, _ in
            let m = fixture.metadata(.vcc)
            let buzuluk = try await offices.searchOffices(.init(regionCode: "56", settlementID: "buzuluk"), metadata: m).offices
            #expect(buzuluk.map(\.officeID) == ["buz-kko2"])
            #expect(buzuluk.first?.name == "ККО «Бузулукский №2» филиала «Центральный»")
            let mpp = try await offices.searchOffices(.init(regionCode: "66", kind: .mpp), metadata: m).offices
            #expect(mpp.map(\.name) == ["МПП Екатеринбург"])
            let first = try await offices.searchOffices(.init(regionCode: "77", pageSize: 3), metadata: m)
            #expect(first.offices.count == 3)
            #expect(!first.nextPageToken.isEmpty)
            let second = try await offices.searchOffices(.init(regionCode: "77", pageSize: 3, pageToken: first.nextPageToken), metadata: m)
            #expect(second.offices.count == 1)
            #expect(second.nextPageToken.isEmpty)
            let noRegion = await rpcError { _ = try await offices.searchOffices(.init(query: "x"), metadata: m) }
            #expect(noRegion?.code == .invalidArgument)
            #expect(noRegion?.fieldViolations.first?.field == "region_code")
            let badToken = await rpcError { _ = try await offices.searchOffices(.init(regionCode: "77", pageToken: "zz"), metadata: m) }
            #expect(badToken?.fieldViolations.first?.field == "page_token")
        }
    }

    @Test("office details and NOT_FOUND", arguments: Engine.all)
    func officeDetails(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { offices, _ in
            let office = try await offices.getOffice(.init(officeID: "ekb-kko3"), metadata: fixture.metadata(.office)).office!
            #expect(office.address == "пр-кт Космонавтов, д. 45")
            #expect(office.region?.moscowOffsetHours == 2)
            #expect(office.slotCapacity == 5)
            #expect(office.openingHours.count == 6)
            #expect(office.metroStations == ["Уралмаш"])
            let missing = await rpcError { _ = try await offices.getOffice(.init(officeID: "nope"), metadata: fixture.metadata(.vcc)) }
            #expect(missing?.code == .notFound)
            let collector = await rpcError { _ = try await offices.getOffice(.init(officeID: "ekb-kko3"), metadata: fixture.metadata(.collector)) }
            #expect(collector?.code == .permissionDenied)
        }
    }

    @Test("the sixth booking of a slot is RESOURCE_EXHAUSTED; the calendar shows the places", arguments: Engine.all)
    func capacity(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { offices, _ in
            for card in 1...5 { _ = try await book(offices, fixture, card: Int64(card)) }
            let sixth = await rpcError { _ = try await book(offices, fixture, card: 6) }
            #expect(sixth?.code == .resourceExhausted)
            #expect(sixth?.message == "На это время уже записано 5 клиентов")
            let calendar = try await offices.getOfficeCalendar(.init(officeID: "msk-do11", date: wireDate(tuesday)), metadata: fixture.metadata(.vcc))
            #expect(calendar.slots.count == 22)
            #expect(calendar.slots.first?.past == true)   // 09:00 at 09:00
            let noon = try #require(calendar.slots.first { $0.start == at(12) })
            #expect(noon.freePlaces == 0)
            #expect(noon.bookings.count == 5)
            #expect(noon.bookings.first?.clientName?.surname == "Иванов")
            let afternoon = try #require(calendar.slots.first { $0.start == at(12, 30) })
            #expect(afternoon.freePlaces == 5)
            #expect(!afternoon.past)
            let sunday = try await offices.getOfficeCalendar(.init(officeID: "msk-do11", date: wireDate(date(2026, 3, 15))), metadata: fixture.metadata(.vcc))
            #expect(sunday.slots.isEmpty)
        }
    }

    @Test("two operators racing for the last place: exactly one wins", arguments: Engine.all)
    func raceForLastPlace(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { offices, _ in
            for card in 1...4 { _ = try await book(offices, fixture, card: Int64(card)) }
            let results = await withTaskGroup(of: Bool.self) { group in
                for card in 10..<12 {
                    group.addTask { (try? await book(offices, fixture, card: Int64(card))) != nil }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
            // Twenty racing for an empty slot: five win.
            let many = await withTaskGroup(of: Bool.self) { group in
                for card in 100..<120 {
                    group.addTask { (try? await book(offices, fixture, at: at(13), card: Int64(card))) != nil }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(many.filter { $0 }.count == 5)
            let value1 = try await fixture.count("booking", where: "start_minute = 780")
            #expect(value1 == 5)
        }
    }

    @Test("two replicas' stores over one database keep the capacity under racing bookings", arguments: Engine.all)
    func raceAcrossReplicas(engine: Engine) async throws {
        let replicas = try await engine.replicas(2)
        let office = try #require(try await replicas[0].office(id: "msk-do11"))
        let outcomes = await withTaskGroup(of: Result<Void, any Error>.self) { group in
            for card in 1...24 {
                let store = replicas[card % 2]
                group.addTask {
                    let booking = BookingRecord(
                        id: newID("b"), officeId: "msk-do11", date: "2026-03-10", startMinute: 720, cardId: Int64(card), surname: "", name: "",
                        patronymic: "", state: .active, bookedByLogin: "t", bookedByName: "t", createdMs: fixedNow
                    )
                    do {
                        _ = try await store.perform(.book(booking, capacity: office.record.slotCapacity), idempotency: nil, nowMs: fixedNow) { _ in [] }
                        return .success(())
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: [Result<Void, any Error>]()) { $0.append($1) }
        }
        let refusals = outcomes.compactMap { outcome -> (any Error)? in if case .failure(let error) = outcome { error } else { nil } }
        #expect(outcomes.count - refusals.count == 5)
        // Every loser was told the slot is full; none failed another way (a lock timeout, a deadlock).
        #expect(refusals.allSatisfy { ($0 as? RuleError) == .resourceExhausted(SlotRules.fullSlotMessage) }, "\(refusals)")
        let active = try await replicas[1].activeBookings(office: "msk-do11", date: tuesday)
        #expect(active.count == 5)
    }

    @Test("booking is idempotent by key; the key is required and bound to the request", arguments: Engine.all)
    func idempotency(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { offices, _ in
            let first = try await book(offices, fixture, card: 7, key: "k-1")
            let again = try await book(offices, fixture, card: 7, key: "k-1")
            #expect(first == again)
            let value2 = try await fixture.count("booking")
            #expect(value2 == 1)
            let reused = await rpcError { _ = try await book(offices, fixture, card: 8, key: "k-1") }
            #expect(reused?.code == .invalidArgument)
            #expect(reused?.fieldViolations.first?.field == "idempotency-key")
            let noKey = await rpcError {
                _ = try await offices.bookVisit(.init(officeID: "msk-do11", date: wireDate(tuesday), start: at(12), cardID: 1), metadata: fixture.metadata(.vcc))
            }
            #expect(noKey?.fieldViolations.first?.field == "idempotency-key")
        }
    }

    @Test("invalid slots", arguments: [
        ("msk-do11", date(2026, 3, 10), at(12, 15), StatusCode.invalidArgument, "start"),
        ("msk-do11", date(2026, 3, 10), at(20), .invalidArgument, "start"),
        ("msk-do11", date(2026, 3, 15), at(12), .invalidArgument, "date"),
        ("msk-do11", date(2026, 3, 10), at(9), .failedPrecondition, ""),
        ("msk-do11", date(2026, 3, 9), at(12), .failedPrecondition, ""),
        ("nope", date(2026, 3, 10), at(12), .notFound, "office_id"),
    ])
    func invalidSlots(office: String, day: LocalDate, start: TypesV1.TimeOfDay, code: StatusCode, field: String) async throws {
        let fixture = try Fixture()
        try await fixture.run { offices, _ in
            let error = await rpcError { _ = try await book(offices, fixture, office: office, on: day, at: start) }
            #expect(error?.code == code)
            #expect((error?.fieldViolations.first?.field ?? "") == field)
        }
    }

    @Test("cancel frees the place and is idempotent; move is atomic", arguments: Engine.all)
    func cancelAndMove(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        try await fixture.run { offices, _ in
            let m = fixture.metadata(.vcc)
            let booking = try await book(offices, fixture, card: 1)
            let cancelled = try await offices.cancelBooking(.init(bookingID: booking.bookingID, reason: "результат звонка не сохранён"), metadata: m).booking!
            #expect(cancelled.state == .cancelled)
            let twice = try await offices.cancelBooking(.init(bookingID: booking.bookingID), metadata: m).booking!
            #expect(twice.state == .cancelled)
            let missing = await rpcError { _ = try await offices.cancelBooking(.init(bookingID: "b-none"), metadata: m) }
            #expect(missing?.code == .notFound)
            let movingCancelled = await rpcError {
                _ = try await offices.moveBooking(.init(bookingID: booking.bookingID, date: wireDate(tuesday), start: at(14)), metadata: m)
            }
            #expect(movingCancelled?.code == .failedPrecondition)

            // Fill 14:00, then try to move a 12:00 booking there: refused, the old place kept.
            for card in 10..<15 { _ = try await book(offices, fixture, at: at(14), card: Int64(card)) }
            let mover = try await book(offices, fixture, card: 2)
            let full = await rpcError { _ = try await offices.moveBooking(.init(bookingID: mover.bookingID, date: wireDate(tuesday), start: at(14)), metadata: m) }
            #expect(full?.code == .resourceExhausted)
            let value3 = try await fixture.count("booking", where: "id = '\(mover.bookingID)' AND start_minute = 720 AND state = 1")
            #expect(value3 == 1)
            // To another office and day.
            let moved = try await offices.moveBooking(
                .init(bookingID: mover.bookingID, officeID: "msk-tverskoy", date: wireDate(tuesday.adding(days: 1)), start: at(15, 30)), metadata: m
            ).booking!
            #expect(moved.bookingID == mover.bookingID)
            #expect(moved.officeID == "msk-tverskoy")
            #expect(moved.at?.time == at(15, 30))
            #expect(moved.at?.utcOffsetMinutes == 180)
        }
    }
}
