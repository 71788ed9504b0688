import Auth
import ClientRegistry
import CRMAPI
import Foundation
import GRDB
import RPCCore
import RPCTesting
import Testing
import Wire
import TestSupport

/// Text that would change a query were it pasted into SQL or an FTS5 expression: quotes,
/// statement ends, comments, LIKE wildcards, FTS5 operators and column filters.
let hostileTexts = [
    "'", "''", "\"", "Иванов'--", "'; DROP TABLE card; --", "\"; DROP TABLE office; --",
    "' OR '1'='1", "1 OR 1=1", "%", "_", "%%", "Ив%", "Ивано_", "*", "\"*", "NEAR(", "NEAR(москва зеленый)",
    "москва OR 1", "AND", "NOT", "^москва", "name:москва", "{name}: x", "\\", "/* x */", "ё'\"%_*",
]

/// Codes a hostile text may get back: served, or refused naming the field. Anything else
/// (INTERNAL, UNKNOWN) means the text reached the database as syntax.
func isClean(_ error: RPCError?) -> Bool {
    guard let error else { return true }
    return [.invalidArgument, .notFound].contains(error.code) && !error.message.isEmpty
}

@Suite("Hostile text in every searched or saved text field")
struct InjectionTests {
    func newCard(_ registry: RegistryV1.ClientRegistry.Client, _ services: AllServices, surname: String, name: String, patronymic: String, settlement: String, phone: String) async throws -> Int64 {
        var request = RegistryV1.CreateCardRequest()
        request.fullName = TypesV1.FullName(surname: surname, name: name, patronymic: patronymic)
        request.regionCode = "77"
        request.settlement = settlement
        var mobile = RegistryV1.NewContactData()
        mobile.kind = .mobilePhone
        mobile.value = phone
        request.contacts = [mobile]
        return try await registry.createCard(request, metadata: services.metadata(.vcc, key: UUID().uuidString)).card!.cardID
    }

    @Test func registrySearchAndEditsKeepHostileTextAsText() async throws {
        let services = try AllServices()
        try await services.run { client in
            let registry = RegistryV1.ClientRegistry.Client(wrapping: client)
            let vcc = services.metadata(.vcc)
            let ivanov = try await newCard(registry, services, surname: "Иванов", name: "Иван", patronymic: "Иванович", settlement: "г. Москва", phone: "9161110000")
            var saved: [Int64: String] = [:]
            for (index, text) in hostileTexts.enumerated() {
                // Search by name: never a wildcard, never an error but a named field.
                for name in [TypesV1.FullName(surname: text, name: "Иван"), TypesV1.FullName(surname: "Иванов", name: text),
                             TypesV1.FullName(surname: "Иванов", name: "Иван", patronymic: text)] {
                    var search = RegistryV1.SearchByNameRequest()
                    search.fullName = name
                    do {
                        let found = try await registry.searchByName(search, metadata: vcc).cards
                        #expect(found.allSatisfy { $0.cardID != ivanov }, "«\(text)» matched Иванов Иван")
                    } catch let error as RPCError {
                        #expect(isClean(error) && error.code == .invalidArgument, "search «\(text)»: \(error)")
                    }
                }
                let phone = await rpcError { _ = try await registry.searchByPhone(RegistryV1.SearchByPhoneRequest(phone: text), metadata: vcc) }
                #expect(phone?.code == .invalidArgument && phone?.fieldViolations.first?.field == "phone", "phone «\(text)»")

                // Saved as typed, found by itself, nothing else touched.
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty, !text.contains("\0") else { continue }
                let card = try await newCard(
                    registry, services, surname: text, name: text, patronymic: text, settlement: text, phone: "916222\(String(format: "%04d", index))"
                )
                saved[card] = text
                var search = RegistryV1.SearchByNameRequest()
                search.fullName = TypesV1.FullName(surname: text, name: text)
                let found = try await registry.searchByName(search, metadata: vcc).cards.map(\.cardID)
                #expect(found == [card], "«\(text)» found \(found)")

                var comment = RegistryV1.AddClientCommentRequest()
                comment.cardID = ivanov
                comment.text = text
                _ = try await registry.addClientComment(comment, metadata: vcc)
            }
            for (card, text) in saved {
                let got = try await registry.getCard(RegistryV1.GetCardRequest(cardID: card), metadata: vcc).card!
                #expect(got.fullName == TypesV1.FullName(surname: text, name: text, patronymic: text))
                #expect(got.settlement == text)
            }
            var list = RegistryV1.ListClientCommentsRequest()
            list.cardID = ivanov
            list.pageSize = 500
            let comments = try await registry.listClientComments(list, metadata: vcc).comments.map(\.text)
            #expect(Set(comments) == Set(hostileTexts.filter { !$0.contains("\0") }))
            // Every table is still there and holds what was written.
            let cards = try await services.registry.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM card") ?? 0 }
            #expect(cards == 1 + saved.count)
            print("security: \(hostileTexts.count) hostile texts in registry search/create/comment: \(saved.count) cards saved verbatim, \(comments.count) comments, no wildcard match")
        }
    }

    @Test func registryEditsKeepHostileTextAsText() async throws {
        let services = try AllServices()
        try await services.run { client in
            let registry = RegistryV1.ClientRegistry.Client(wrapping: client)
            let vcc = services.metadata(.vcc)
            let card = try await newCard(registry, services, surname: "Правкин", name: "Пётр", patronymic: "Ильич", settlement: "г. Москва", phone: "9163330000")
            var edits = 0
            for text in hostileTexts {
                var current = try await registry.getCard(RegistryV1.GetCardRequest(cardID: card), metadata: vcc).card!
                var update = RegistryV1.UpdatePersonalDataRequest()
                update.cardID = card
                update.expectedVersion = current.version
                update.fullName = TypesV1.FullName(surname: text, name: text, patronymic: text)
                update.regionCode = "77"
                update.settlement = text
                update.comment = text
                current = try await registry.updatePersonalData(update, metadata: vcc).card!
                #expect(current.fullName == TypesV1.FullName(surname: text, name: text, patronymic: text) && current.settlement == text, "«\(text)»")

                // A hostile e-mail or phone is refused naming the field, nothing written.
                var add = RegistryV1.AddContactDataRequest()
                add.cardID = card
                add.expectedVersion = current.version
                add.contact = RegistryV1.NewContactData(kind: .workPhone, value: text)
                add.comment = text
                let refused = await rpcError { _ = try await registry.addContactData(add, metadata: vcc) }
                #expect(refused?.code == .invalidArgument, "work phone «\(text)»: \(String(describing: refused))")

                // A real change with a hostile comment: the comment is kept as typed.
                let mobile = try #require(current.contacts.first { $0.kind == .mobilePhone && !$0.struckOut })
                var change = RegistryV1.ChangeContactDataRequest()
                change.cardID = card
                change.expectedVersion = current.version
                change.entryID = mobile.id
                change.newValue = mobile.value == "9163330000" ? "9163330001" : "9163330000"
                change.comment = text
                _ = try await registry.changeContactData(change, metadata: vcc)
                edits += 1
            }
            var list = RegistryV1.ListContactChangesRequest()
            list.cardID = card
            list.pageSize = 500
            let changes = try await registry.listContactChanges(list, metadata: vcc).changes
            for text in hostileTexts {
                #expect(changes.contains { $0.newValue == text }, "tab 8 lost «\(text)»")
                #expect(changes.contains { $0.comment == text && $0.newValue.hasPrefix("916333") }, "change comment «\(text)»")
            }
            print("security: \(edits) personal-data edits and contact changes with hostile text: kept verbatim in the card and tab 8; hostile phones refused")
        }
    }

    @Test func officeSearchEscapesFTS5Syntax() async throws {
        let services = try AllServices()
        try await services.run { client in
            let offices = SchedulingV1.Offices.Client(wrapping: client)
            let vcc = services.metadata(.vcc)
            let all = try await offices.searchOffices(SchedulingV1.SearchOfficesRequest(regionCode: "77"), metadata: vcc).offices
            let plain = try await offices.searchOffices(SchedulingV1.SearchOfficesRequest(regionCode: "77", query: "новогиреево"), metadata: vcc).offices
            #expect(!plain.isEmpty)
            for text in hostileTexts {
                // The hostile text alone, and wrapped around a real word: the word still
                // finds the same office, the syntax around it is ignored.
                for query in [text, "\(text) новогиреево", "новогиреево\(text)"] {
                    do {
                        let found = try await offices.searchOffices(SchedulingV1.SearchOfficesRequest(regionCode: "77", query: query), metadata: vcc).offices
                        #expect(found.count <= all.count)
                        if query.contains("новогиреево"), !text.contains(where: { $0.isLetter || $0.isNumber }) {
                            #expect(found.map(\.officeID) == plain.map(\.officeID), "«\(query)»")
                        }
                    } catch let error as RPCError {
                        Issue.record("office search «\(query)»: \(error)")
                    }
                }
                for request in [SchedulingV1.SearchOfficesRequest(regionCode: text), SchedulingV1.SearchOfficesRequest(regionCode: "77", settlementID: text)] {
                    let error = await rpcError { _ = try await offices.searchOffices(request, metadata: vcc) }
                    #expect(isClean(error), "region/settlement «\(text)»: \(String(describing: error))")
                }
                let settlements = await rpcError { _ = try await offices.listSettlements(SchedulingV1.ListSettlementsRequest(regionCode: text), metadata: vcc) }
                #expect(isClean(settlements), "settlements «\(text)»")
                let office = await rpcError { _ = try await offices.getOffice(SchedulingV1.GetOfficeRequest(officeID: text), metadata: vcc) }
                #expect(office?.code == .notFound, "office «\(text)»")
            }
            let after = try await offices.searchOffices(SchedulingV1.SearchOfficesRequest(regionCode: "77"), metadata: vcc).offices
            #expect(after.map(\.officeID) == all.map(\.officeID))
            print("security: \(hostileTexts.count * 3) hostile office searches: no error, FTS5 syntax ignored, \(all.count) offices intact")
        }
    }

    @Test func contactsKeepHostileCommentsAndRefuseHostileIDs() async throws {
        let services = try AllServices()
        try await services.run { client in
            let calls = ContactsV1.Calls.Client(wrapping: client)
            let history = ContactsV1.ContactHistory.Client(wrapping: client)
            let campaigns = ContactsV1.Campaigns.Client(wrapping: client)
            let vcc = services.metadata(.vcc)
            for text in hostileTexts where !text.contains("\0") {
                var open = ContactsV1.OpenCallSessionRequest()
                open.cardID = 4242
                open.campaignID = "announcement_marking"
                open.direction = .outgoing
                open.cardType = .client
                let session = try await calls.openCallSession(open, metadata: vcc).session!.sessionID
                var draft = ContactsV1.SetDraftResultRequest()
                draft.sessionID = session
                draft.result = ContactsV1.CallResult(comment: text, firstLevel: .callDropped(ContactsV1.CallDroppedResult()))
                _ = try await calls.setDraftResult(draft, metadata: vcc)
                _ = try await calls.saveCallResult(ContactsV1.SaveCallResultRequest(sessionID: session), metadata: services.metadata(.vcc, key: UUID().uuidString))

                var open2 = open
                open2.campaignID = text
                let campaign = await rpcError { _ = try await calls.openCallSession(open2, metadata: vcc) }
                #expect(campaign?.code == .notFound, "campaign «\(text)»")
                let script = await rpcError { _ = try await campaigns.getScript(ContactsV1.GetScriptRequest(campaignID: text), metadata: vcc) }
                #expect(script?.code == .notFound, "script «\(text)»")
                let session2 = await rpcError { _ = try await calls.exitWithoutSaving(ContactsV1.ExitWithoutSavingRequest(sessionID: text), metadata: vcc) }
                #expect(isClean(session2), "session «\(text)»: \(String(describing: session2))")
                let byContract = await rpcError {
                    _ = try await history.listContactHistory(ContactsV1.ListContactHistoryRequest(contractNumber: text), metadata: services.metadata(.collector))
                }
                #expect(isClean(byContract), "contract «\(text)»")
            }
            var list = ContactsV1.ListContactHistoryRequest()
            list.cardID = 4242
            list.pageSize = 500
            let comments = try await history.listContactHistory(list, metadata: vcc).entries.map(\.comment)
            #expect(Set(comments) == Set(hostileTexts.filter { !$0.contains("\0") }))
            print("security: \(comments.count) call results with hostile comments saved verbatim; hostile ids refused cleanly")
        }
    }
}
