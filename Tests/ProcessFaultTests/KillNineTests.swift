import Auth
import CRMAPI
import Foundation
import RPCCore
import RPCTransportTCP
import Testing
import Wire

extension ProcessFaults {
    /// SIGKILL each service in the middle of a stream of acknowledged writes from several
    /// concurrent clients, start it again on the same database, and check that every
    /// acknowledged write is there once, that retries with the same idempotency key answer the
    /// same and write nothing more, and that the writes cut off by the kill can be retried.
    @Suite("kill -9 in the middle of a stream of writes", .serialized)
    struct KillNineTests {
        static let writers = 4
        static let killAfter = 200

        @Test func registryEditsSurviveAKill() async throws {
            let registry = try ServiceProcess("registry")
            defer { registry.stop() }
            try await registry.start()
            let cardID: Int64 = try await {
                let client = RegistryV1.ClientRegistry.Client(wrapping: registry.client())
                var request = RegistryV1.CreateCardRequest()
                request.fullName = TypesV1.FullName(surname: "Сбоев", name: "Пётр", patronymic: "Ильич")
                request.regionCode = "77"
                var mobile = RegistryV1.NewContactData()
                mobile.kind = .mobilePhone
                mobile.value = "9161230000"
                request.contacts = [mobile]
                return try await client.createCard(request, metadata: metadata(.vcc, key: "card")).card!.cardID
            }()

            let ledger = Ledger<RegistryV1.AddClientCommentRequest, String>()
            let clients = (0..<Self.writers).map { _ in RegistryV1.ClientRegistry.Client(wrapping: registry.client()) }
            try await streamAndKill(registry, ledger: ledger, writers: Self.writers, killAfter: Self.killAfter) { writer, index in
                let key = "comment-\(writer)-\(index)"
                var request = RegistryV1.AddClientCommentRequest()
                request.cardID = cardID
                request.text = key
                do {
                    let answer = try await clients[writer].addClientComment(request, metadata: metadata(.vcc, key: key))
                    ledger.acknowledge(key, request, answer.comment!.commentID)
                } catch {
                    ledger.lost(key, request)
                    throw error
                }
            }

            try await registry.start()
            let client = RegistryV1.ClientRegistry.Client(wrapping: registry.client())
            for (key, request) in ledger.unknown {
                _ = try await client.addClientComment(request, metadata: metadata(.vcc, key: key))
            }
            var sameAnswer = 0
            for (key, write) in ledger.acknowledged {
                let again = try await client.addClientComment(write.request, metadata: metadata(.vcc, key: key))
                if again.comment!.commentID == write.response { sameAnswer += 1 }
            }
            var texts: [String] = []
            var page = ""
            repeat {
                var list = RegistryV1.ListClientCommentsRequest()
                list.cardID = cardID
                list.pageSize = 500
                list.pageToken = page
                let answer = try await client.listClientComments(list, metadata: metadata(.vcc))
                texts += answer.comments.map(\.text)
                page = answer.nextPageToken
            } while !page.isEmpty
            let counts = Dictionary(texts.map { ($0, 1) }, uniquingKeysWith: +)
            let present = ledger.acknowledged.keys.filter { counts[$0] != nil }.count
            let duplicates = counts.values.filter { $0 > 1 }.count
            let retried = ledger.unknown.keys.filter { counts[$0] == 1 }.count
            print("kill -9 registry: acknowledged \(ledger.acknowledged.count), present \(present), duplicates \(duplicates), cut off by the kill \(ledger.unknown.count) (retried once each: \(retried)), same answer on retry \(sameAnswer)/\(ledger.acknowledged.count)")
            #expect(ledger.acknowledged.count >= Self.killAfter)
            #expect(present == ledger.acknowledged.count)
            #expect(duplicates == 0)
            #expect(retried == ledger.unknown.count)
            #expect(sameAnswer == ledger.acknowledged.count)
            #expect(texts.count == ledger.acknowledged.count + ledger.unknown.count)
        }

        @Test func contactsOutcomeSavesSurviveAKill() async throws {
            // Contacts opens sessions only on the registry's cards (the ids below exist in its seed).
            let registry = try await ServiceProcess.registryWithCards()
            let contacts = try ServiceProcess("contacts", extraArguments: ["--registry", "127.0.0.1:\(registry.port)"])
            defer {
                contacts.stop()
                registry.stop()
            }
            try await contacts.start()

            struct Save: Sendable {
                var cardID: Int64
                var sessionID: String
            }
            let ledger = Ledger<Save, String>()
            let clients = (0..<Self.writers).map { _ in ContactsV1.Calls.Client(wrapping: contacts.client()) }
            try await streamAndKill(contacts, ledger: ledger, writers: Self.writers, killAfter: Self.killAfter) { writer, index in
                let key = "save-\(writer)-\(index)"
                let calls = clients[writer]
                var open = ContactsV1.OpenCallSessionRequest()
                open.cardID = Int64(1000 + writer)
                open.campaignID = "announcement_marking"
                open.direction = .outgoing
                open.cardType = .client
                // A failure before the save: nothing was saved, nothing to check.
                let session = try await calls.openCallSession(open, metadata: metadata(.vcc)).session!.sessionID
                var draft = ContactsV1.SetDraftResultRequest()
                draft.sessionID = session
                draft.result = ContactsV1.CallResult(comment: key, firstLevel: .callDropped(ContactsV1.CallDroppedResult()))
                _ = try await calls.setDraftResult(draft, metadata: metadata(.vcc))
                let save = Save(cardID: open.cardID, sessionID: session)
                do {
                    let answer = try await calls.saveCallResult(ContactsV1.SaveCallResultRequest(sessionID: session), metadata: metadata(.vcc, key: key))
                    ledger.acknowledge(key, save, answer.entryID)
                } catch {
                    ledger.lost(key, save)
                    throw error
                }
            }

            try await contacts.start()
            let calls = ContactsV1.Calls.Client(wrapping: contacts.client())
            let history = ContactsV1.ContactHistory.Client(wrapping: contacts.client())
            for (key, save) in ledger.unknown {
                _ = try await calls.saveCallResult(ContactsV1.SaveCallResultRequest(sessionID: save.sessionID), metadata: metadata(.vcc, key: key))
            }
            var sameAnswer = 0
            for (key, write) in ledger.acknowledged {
                let again = try await calls.saveCallResult(ContactsV1.SaveCallResultRequest(sessionID: write.request.sessionID), metadata: metadata(.vcc, key: key))
                if again.entryID == write.response { sameAnswer += 1 }
            }
            var comments: [String] = []
            for writer in 0..<Self.writers {
                var page = ""
                repeat {
                    var list = ContactsV1.ListContactHistoryRequest()
                    list.cardID = Int64(1000 + writer)
                    list.pageSize = 500
                    list.pageToken = page
                    let answer = try await history.listContactHistory(list, metadata: metadata(.vcc))
                    comments += answer.entries.map(\.comment)
                    page = answer.nextPageToken
                } while !page.isEmpty
            }
            let counts = Dictionary(comments.map { ($0, 1) }, uniquingKeysWith: +)
            let present = ledger.acknowledged.keys.filter { counts[$0] != nil }.count
            let duplicates = counts.values.filter { $0 > 1 }.count
            let retried = ledger.unknown.keys.filter { counts[$0] == 1 }.count
            print("kill -9 contacts: acknowledged outcome saves \(ledger.acknowledged.count), present \(present), duplicates \(duplicates), cut off by the kill \(ledger.unknown.count) (saved once after retry: \(retried)), same answer on retry \(sameAnswer)/\(ledger.acknowledged.count)")
            #expect(ledger.acknowledged.count >= Self.killAfter)
            #expect(present == ledger.acknowledged.count)
            #expect(duplicates == 0)
            #expect(retried == ledger.unknown.count)
            #expect(sameAnswer == ledger.acknowledged.count)
            #expect(comments.count == ledger.acknowledged.count + ledger.unknown.count)
        }

        @Test func schedulingBookingsAndSmsSurviveAKill() async throws {
            let smsFile = NSTemporaryDirectory() + "crm-faults-sms-\(UUID().uuidString.prefix(8)).jsonl"
            defer { try? FileManager.default.removeItem(atPath: smsFile) }
            let scheduling = try ServiceProcess("scheduling", extraArguments: ["--sms-file", smsFile])
            defer { scheduling.stop() }
            try await scheduling.start()

            // Free slots of one office over the coming days: each booking takes one place.
            let officeID = "msk-do11"
            let offices = SchedulingV1.Offices.Client(wrapping: scheduling.client())
            var places: [(date: TypesV1.Date, start: TypesV1.TimeOfDay)] = []
            var day = Date()
            while places.count < 400 {
                day += 86_400
                let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Europe/Moscow")!, from: day)
                let date = TypesV1.Date(year: Int32(parts.year!), month: Int32(parts.month!), day: Int32(parts.day!))
                let calendar = try await offices.getOfficeCalendar(SchedulingV1.GetOfficeCalendarRequest(officeID: officeID, date: date), metadata: metadata(.vcc))
                for slot in calendar.slots where !slot.past {
                    places += Array(repeating: (date, slot.start!), count: Int(slot.freePlaces))
                }
            }
            let placeList = places

            enum Write: Sendable, Equatable {
                case booking(SchedulingV1.BookVisitRequest)
                case sms(SchedulingV1.SendLoginCodeRequest)
            }
            let ledger = Ledger<Write, String>()
            let officeClients = (0..<Self.writers).map { _ in SchedulingV1.Offices.Client(wrapping: scheduling.client()) }
            let smsClients = (0..<Self.writers).map { _ in SchedulingV1.Sms.Client(wrapping: scheduling.client()) }
            // Even writers book, odd writers send SMS (login codes: any hour, so the test does
            // not depend on the time of day).
            try await streamAndKill(scheduling, ledger: ledger, writers: Self.writers, killAfter: Self.killAfter) { writer, index in
                if writer % 2 == 0 {
                    let key = "book-\(writer)-\(index)"
                    let place = placeList[(index * Self.writers + writer) % placeList.count]
                    var request = SchedulingV1.BookVisitRequest()
                    request.officeID = officeID
                    request.date = place.date
                    request.start = place.start
                    request.cardID = Int64(writer * 10_000 + index + 1)
                    request.clientName = TypesV1.FullName(surname: "Сбоев", name: key, patronymic: "")
                    do {
                        let answer = try await officeClients[writer].bookVisit(request, metadata: metadata(.vcc, key: key))
                        ledger.acknowledge(key, .booking(request), answer.booking!.bookingID)
                    } catch {
                        ledger.lost(key, .booking(request))
                        throw error
                    }
                } else {
                    let key = "sms-\(writer)-\(index)"
                    var request = SchedulingV1.SendLoginCodeRequest()
                    request.login = key
                    request.phone = "9161234567"
                    request.code = String(format: "%06d", writer * 100_000 + index)
                    do {
                        let answer = try await smsClients[writer].sendLoginCode(request, metadata: metadata(.system, key: key))
                        ledger.acknowledge(key, .sms(request), answer.smsID)
                    } catch {
                        ledger.lost(key, .sms(request))
                        throw error
                    }
                }
            }

            try await scheduling.start()
            let office = SchedulingV1.Offices.Client(wrapping: scheduling.client())
            let sms = SchedulingV1.Sms.Client(wrapping: scheduling.client())
            var expectedSms: Set<String> = []
            var expectedBookings: Set<String> = []
            func send(_ key: String, _ write: Write) async throws -> String {
                switch write {
                case .booking(let request): try await office.bookVisit(request, metadata: metadata(.vcc, key: key)).booking!.bookingID
                case .sms(let request): try await sms.sendLoginCode(request, metadata: metadata(.system, key: key)).smsID
                }
            }
            for (key, write) in ledger.unknown {
                let id = try await send(key, write)
                if case .sms = write { expectedSms.insert(id) } else { expectedBookings.insert(id) }
            }
            var sameAnswer = 0
            for (key, write) in ledger.acknowledged {
                if try await send(key, write.request) == write.response { sameAnswer += 1 }
                if case .sms = write.request { expectedSms.insert(write.response) } else { expectedBookings.insert(write.response) }
            }
            let acknowledgedSms = ledger.acknowledged.values.filter { if case .sms = $0.request { true } else { false } }.map(\.response)
            let acknowledgedBookings = ledger.acknowledged.values.filter { if case .booking = $0.request { true } else { false } }.map(\.response)

            // The bookings, as the office calendar shows them.
            var booked: [String] = []
            for date in Set(placeList.map(\.date)) {
                let calendar = try await office.getOfficeCalendar(SchedulingV1.GetOfficeCalendarRequest(officeID: officeID, date: date), metadata: metadata(.vcc))
                booked += calendar.slots.flatMap { $0.bookings.map(\.bookingID) }
            }
            let bookingCounts = Dictionary(booked.map { ($0, 1) }, uniquingKeysWith: +)

            // The outbox drains (a message leased by the killed worker goes again once its lease
            // runs out), then every accepted message is in the SMS file exactly once.
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline {
                let status = try await sms.getOutboxStatus(SchedulingV1.GetOutboxStatusRequest(), metadata: metadata(.system))
                if status.queued == 0, status.scheduled == 0, status.awaitingReport == 0 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let lines = ((try? String(contentsOfFile: smsFile, encoding: .utf8)) ?? "").split(separator: "\n")
            let smsIDs = lines.compactMap { line -> String? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
                return object["smsId"] as? String
            }
            let smsCounts = Dictionary(smsIDs.map { ($0, 1) }, uniquingKeysWith: +)

            let bookingsPresent = acknowledgedBookings.filter { bookingCounts[$0] != nil }.count
            let bookingDuplicates = booked.count - bookingCounts.count
            let smsSent = acknowledgedSms.filter { smsCounts[$0] != nil }.count
            let smsTwice = smsCounts.values.filter { $0 > 1 }.count
            let smsLost = expectedSms.filter { smsCounts[$0] == nil }.count
            print("kill -9 scheduling: bookings acknowledged \(acknowledgedBookings.count), present \(bookingsPresent), duplicates \(bookingDuplicates); SMS acknowledged \(acknowledgedSms.count), sent \(smsSent), sent twice \(smsTwice), lost \(smsLost); cut off by the kill \(ledger.unknown.count) (retried); same answer on retry \(sameAnswer)/\(ledger.acknowledged.count); SMS file lines \(lines.count)")
            #expect(ledger.acknowledged.count >= Self.killAfter)
            #expect(bookingsPresent == acknowledgedBookings.count)
            #expect(bookingDuplicates == 0)
            #expect(Set(booked) == expectedBookings)
            #expect(smsSent == acknowledgedSms.count)
            #expect(smsLost == 0)
            #expect(smsTwice == 0)
            #expect(Set(smsIDs) == expectedSms)
            #expect(sameAnswer == ledger.acknowledged.count)
        }
    }
}
