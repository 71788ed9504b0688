import Auth
import CRMAPI
import Foundation
import Gateway
import RPCCore
import Synchronization
import Testing
import Wire

extension ProcessFaults {
    /// The gateway's book → save outcome → (cancel on failure) composition, from several
    /// operators at once, with one of the two services SIGKILLed in the middle; every unfinished
    /// command is then run again, as the operator would. Afterwards no card has a booking
    /// without its saved outcome, and none has two.
    @Suite("kill -9 during the booking composition", .serialized)
    struct CompositionKillTests {
        static let office = (id: "kzn-mini203", name: "Мини-офис №203")
        static let kazan = TypesV1.RegionRef(code: "16", name: "Республика Татарстан", moscowOffsetHours: 0)
        static let operators = 4
        static let killAfter = 80

        typealias Place = (date: TypesV1.Date, start: TypesV1.TimeOfDay)

        static func plan(operator index: Int, _ number: Int, _ places: [Place]) -> CallPlan {
            // Each plan its own card and its own free place.
            let slot = index * 50 + number
            let place = places[slot % places.count]
            return CallPlan(
                cardID: Int64(1_000 + slot), cardType: .client, clientRegion: kazan,
                clientName: TypesV1.FullName(surname: "Сбоева", name: "Анна", patronymic: "\(slot)"),
                campaignID: "rcp", direction: .outgoing,
                result: .agreed(
                    visit: CallPlan.Visit(region: kazan, settlement: "г. Казань", officeID: office.id, officeName: office.name,
                                          date: place.date, start: place.start),
                    products: [ContactsV1.OfferedProduct(category: .credit, productID: "dk_realty_pledge", productName: "ДК под залог недвижимости")],
                    sms: CallPlan.VisitSms(send: true, phone: "9172345678"), comment: "сбой \(slot)"
                )
            )
        }

        @Test(arguments: ["contacts", "scheduling"])
        func noBookingWithoutItsOutcome(killed: String) async throws {
            let smsFile = NSTemporaryDirectory() + "crm-faults-sms-\(UUID().uuidString.prefix(8)).jsonl"
            // Contacts opens sessions only on the registry's cards (the plans' ids exist in its seed).
            let registry = try await ServiceProcess.registryWithCards()
            let contacts = try ServiceProcess("contacts", extraArguments: ["--registry", "127.0.0.1:\(registry.port)"])
            let scheduling = try ServiceProcess("scheduling", extraArguments: ["--sms-file", smsFile, "--registry", "127.0.0.1:\(registry.port)"])
            defer {
                registry.stop()
                contacts.stop()
                scheduling.stop()
                try? FileManager.default.removeItem(atPath: smsFile)
            }
            try await contacts.start()
            try await scheduling.start()
            let victim = killed == "contacts" ? contacts : scheduling
            // One free place per plan over the coming weeks (the office's own hours and holidays).
            var places: [Place] = []
            let offices = SchedulingV1.Offices.Client(wrapping: scheduling.client())
            var days = 2
            while places.count < Self.operators * 50, days < 120 {
                days += 1
                let date = SchedulingDates.day(after: days)
                let calendar = try await offices.getOfficeCalendar(.init(officeID: Self.office.id, date: date), metadata: metadata(.vcc))
                places += calendar.slots.filter { !$0.past && $0.freePlaces > 0 }.map { (date, $0.start!) }
            }
            try #require(places.count >= Self.operators * 50)
            let free = places

            func backend(_ login: String) -> RPCCallBackend {
                let token = metadata(.vcc, login: login)
                // 30 s, not the CLI's 10: the whole suite runs at once on two cores, and these
                // debug-built services' first calls have waited over 10 s for CPU there (the
                // calendar loop above took 8 s in that run). A killed service still fails its
                // calls at once: its connections close.
                let timeout = Duration.seconds(30)
                return RPCCallBackend(
                    contacts: ServiceEndpoints.Endpoint(service: "contacts", host: "127.0.0.1", port: contacts.port)
                        .client(metadata: token, timeout: timeout),
                    scheduling: ServiceEndpoints.Endpoint(service: "scheduling", host: "127.0.0.1", port: scheduling.port)
                        .client(metadata: token, timeout: timeout)
                )
            }
            let journal = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("crm-faults-pending-\(UUID().uuidString.prefix(8))")
            defer { try? FileManager.default.removeItem(at: journal) }
            func composer(_ index: Int) -> CallComposer {
                CallComposer(
                    backend: backend("op\(index)"), pending: PendingCalls(path: journal.appendingPathComponent("op\(index).json").path),
                    operatorLogin: "op\(index)", say: { _ in }
                )
            }

            // Each operator runs commands until one fails (the kill), like a shift of calls.
            let tally = Tally()
            let composers = (0..<Self.operators).map { composer($0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<Self.operators {
                    group.addTask {
                        let composer = composers[index]
                        for number in 0..<50 {
                            tally.attempted.withLock { $0[index] = number + 1 }
                            do {
                                _ = try await composer.perform(Self.plan(operator: index, number, free))
                                tally.done.add(1, ordering: .relaxed)
                            } catch {
                                let message = (error as? GatewayError)?.message ?? "\(error)"
                                tally.failed.withLock { $0.append((index, number, message)) }
                                return
                            }
                        }
                    }
                }
                let deadline = ContinuousClock.now + .seconds(120)
                while tally.done.load(ordering: .relaxed) < Self.killAfter, ContinuousClock.now < deadline,
                      tally.failed.withLock({ $0.count }) < Self.operators {
                    try await Task.sleep(for: .milliseconds(5))
                }
                victim.kill9()
                try await group.waitForAll()
            }
            let cutOff = tally.failed.withLock { $0 }
            try #require(
                tally.done.load(ordering: .relaxed) >= Self.killAfter,
                "commands failed before the kill: \(cutOff.map(\.message))\ncontacts log:\n\(contacts.log().suffix(4000))\nscheduling log:\n\(scheduling.log().suffix(4000))"
            )
            #expect(cutOff.count == Self.operators, "every operator's command in flight failed")

            // The operator runs the failed command again once the service is back.
            try await victim.start()
            for (index, number, _) in cutOff {
                let outcome = try await composer(index).perform(Self.plan(operator: index, number, free))
                #expect(outcome.saved.kind == .agreed)
            }

            // Every attempted plan: exactly one active booking, exactly one saved outcome, and
            // the outcome names that booking.
            let token = metadata(.vcc)
            let history = ContactsV1.ContactHistory.Client(wrapping: contacts.client())
            var plans = 0, complete = 0, orphanBookings = 0, doubleBookings = 0, missingOutcomes = 0, doubleOutcomes = 0, mismatched = 0
            for (index, count) in tally.attempted.withLock({ $0 }) {
                for number in 0..<count {
                    plans += 1
                    let plan = Self.plan(operator: index, number, free)
                    let place = free[(index * 50 + number) % free.count]
                    let calendar = try await offices.getOfficeCalendar(.init(officeID: Self.office.id, date: place.date), metadata: token)
                    let bookings = calendar.slots.flatMap { $0.bookings }.filter { $0.cardID == plan.cardID && $0.state == .active }
                    let entries = try await history.listContactHistory(.init(cardID: plan.cardID, pageSize: 50), metadata: token).entries
                    let saved: [String] = entries.compactMap { entry in
                        guard case .call(let call)? = entry.details, call.kind == .agreed,
                              case .reached(let reached)? = call.result?.firstLevel, case .agreed(let agreed)? = reached.result else { return nil }
                        return agreed.visit?.bookingID ?? ""
                    }
                    if bookings.count > 1 { doubleBookings += 1 }
                    if saved.count > 1 { doubleOutcomes += 1 }
                    if saved.isEmpty { missingOutcomes += 1 }
                    if let booking = bookings.first, !saved.contains(booking.bookingID) { orphanBookings += 1 }
                    if saved.contains(where: { named in !bookings.contains { $0.bookingID == named } }) { mismatched += 1 }
                    if bookings.count == 1, saved.count == 1, saved[0] == bookings[0].bookingID { complete += 1 }
                }
            }
            print("kill -9 \(killed) during book → save: commands \(plans) (\(tally.done.load(ordering: .relaxed)) before the kill, \(cutOff.count) cut off and run again), complete \(complete), bookings without outcome \(orphanBookings), outcomes naming no active booking \(mismatched), double bookings \(doubleBookings), double outcomes \(doubleOutcomes), missing outcomes \(missingOutcomes)")
            for failure in cutOff { print("  cut off: op\(failure.index) #\(failure.number): \(failure.message.split(separator: "\n").first ?? "")") }
            #expect(complete == plans)
            #expect(orphanBookings == 0 && mismatched == 0 && doubleBookings == 0 && doubleOutcomes == 0 && missingOutcomes == 0)
        }
    }
}

/// What the operators' commands did, shared by their tasks.
final class Tally: Sendable {
    let done = Atomic<Int>(0)
    let failed = Mutex<[(index: Int, number: Int, message: String)]>([])
    let attempted = Mutex<[Int: Int]>([:])
}
