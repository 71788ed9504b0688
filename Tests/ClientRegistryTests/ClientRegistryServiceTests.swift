import Auth
@testable import ClientRegistry
import CRMAPI
import GRDB
import RPCCore
import RPCTesting
import Testing
import Wire
import TestSupport

@Suite struct SearchAndCardTests {
    @Test func searchByPhoneFindsEveryCardWhateverTheShape() async throws {
        let fixture = try Fixture()
        let a = try await fixture.seedCard(.client)
        let b = try await fixture.seedCard(.internetApplicant, phones: [(.work, "9372888099"), (.mobile, "9510187060")])
        try await fixture.seedCard(.interested, phones: [(.mobile, "9001112233")])
        try await fixture.run { client in
            for typed in ["(937) 288-80-99", "8 937 288 80 99", "937,2888099", "+7 937 288 80 99"] {
                let found = try await registry(client).searchByPhone(.init(phone: typed), metadata: fixture.token(.vcc))
                #expect(found.normalizedPhone == "9372888099")
                #expect(found.cards.map(\.cardID) == [a, b])
                #expect(found.cards.allSatisfy { $0.phone == "9372888099" })
            }
            let error = await rpcError { _ = try await registry(client).searchByPhone(.init(phone: "12-34"), metadata: fixture.token(.vcc)) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.first?.field == "phone")
        }
    }

    @Test func searchNeedsAToken() async throws {
        let fixture = try Fixture()
        try await fixture.run { client in
            let error = await rpcError { _ = try await registry(client).searchByPhone(.init(phone: "9372888099")) }
            #expect(error?.code == .unauthenticated)
            let denied = await rpcError {
                _ = try await registry(client).searchByPhone(.init(phone: "9372888099"), metadata: fixture.token(.administrator))
            }
            #expect(denied?.code == .permissionDenied)
        }
    }

    @Test func searchByNameWithAndWithoutPatronymic() async throws {
        let fixture = try Fixture()
        let withP = try await fixture.seedCard(.client, surname: "Ёлкин", name: "Пётр", patronymic: "Ильич")
        let noP = try await fixture.seedCard(.client, surname: "Елкин", name: "Петр", patronymic: "", phones: [(.mobile, "9000000001")])
        try await fixture.run { client in
            let any = try await registry(client).searchByName(
                .init(fullName: .init(surname: "елкин", name: "петр")), metadata: fixture.token(.collector))
            #expect(any.cards.map(\.cardID) == [withP, noP])
            let without = try await registry(client).searchByName(
                .init(fullName: .init(surname: "Елкин", name: "Петр"), withoutPatronymic: true), metadata: fixture.token(.vcc))
            #expect(without.cards.map(\.cardID) == [noP])
            let paged = try await registry(client).searchByName(
                .init(fullName: .init(surname: "Елкин", name: "Петр"), pageSize: 1), metadata: fixture.token(.vcc))
            #expect(paged.cards.map(\.cardID) == [withP])
            let next = try await registry(client).searchByName(
                .init(fullName: .init(surname: "Елкин", name: "Петр"), pageSize: 1, pageToken: paged.nextPageToken), metadata: fixture.token(.vcc))
            #expect(next.cards.map(\.cardID) == [noP])
            #expect(next.nextPageToken.isEmpty)
            let error = await rpcError {
                _ = try await registry(client).searchByName(.init(fullName: .init(surname: "Елкин")), metadata: fixture.token(.vcc))
            }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test func getCardShowsAgeRegionAndEditability() async throws {
        let fixture = try Fixture()
        let id = try await fixture.seedCard(.client, passport: ("0512", "123456"))
        try await fixture.run { client in
            let card = try #require(try await registry(client).getCard(.init(cardID: id), metadata: fixture.token(.sales)).card)
            #expect(card.age == 40)
            #expect(card.region == TypesV1.RegionRef(code: "25", name: "Приморский край", moscowOffsetHours: 7))
            #expect(card.personalDataEditable == false)
            #expect(card.passport == TypesV1.Passport(series: "0512", number: "123456"))
            #expect(card.scriptNames == ["РЦГ_ХАЛВА_АКТИВАЦИЯ"])
            #expect(card.version == 1)
            let missing = await rpcError { _ = try await registry(client).getCard(.init(cardID: 999), metadata: fixture.token(.sales)) }
            #expect(missing?.code == .notFound)
        }
    }
}

@Suite struct CreateCardTests {
    func request() -> RegistryV1.CreateCardRequest {
        RegistryV1.CreateCardRequest(
            fullName: .init(surname: "Петрова", name: "Анна", patronymic: "Сергеевна"),
            birthDate: .init(year: 1990, month: 1, day: 2), regionCode: "77", settlement: "Москва",
            contacts: [.init(kind: .mobilePhone, value: "+7 951-018-70-60"), .init(kind: .email, value: "anna@example.ru")]
        )
    }

    @Test func createsAnInterestedCardWithHistory() async throws {
        let fixture = try Fixture()
        try await fixture.run { client in
            let card = try #require(try await registry(client).createCard(request(), metadata: fixture.token(.vcc)).card)
            #expect(card.type == .interested)
            #expect(card.contacts.map(\.value) == ["9510187060", "anna@example.ru"])
            let found = try await registry(client).searchByPhone(.init(phone: "89510187060"), metadata: fixture.token(.vcc))
            #expect(found.cards.map(\.cardID) == [card.cardID])
            let history = try await registry(client).listContactChanges(.init(cardID: card.cardID), metadata: fixture.token(.vcc))
            #expect(history.changes.count == 2)
        }
    }

    @Test func refusesTypesFromOtherSystemsAndMissingPhones() async throws {
        let fixture = try Fixture()
        try await fixture.run { client in
            var client1 = request()
            client1.type = .client
            let typeError = await rpcError { _ = try await registry(client).createCard(client1, metadata: fixture.token(.vcc)) }
            #expect(typeError?.code == .invalidArgument)
            #expect(typeError?.fieldViolations.first?.field == "type")
            var noPhone = request()
            noPhone.contacts = [.init(kind: .email, value: "a@b.ru")]
            let phoneError = await rpcError { _ = try await registry(client).createCard(noPhone, metadata: fixture.token(.vcc)) }
            #expect(phoneError?.fieldViolations.first?.field == "contacts")
            var twice = request()
            twice.contacts.append(.init(kind: .mobilePhone, value: "9000000000"))
            let dupError = await rpcError { _ = try await registry(client).createCard(twice, metadata: fixture.token(.vcc)) }
            #expect(dupError?.fieldViolations.first?.field == "contacts[2].kind")
            var badRegion = request()
            badRegion.regionCode = "999"
            let regionError = await rpcError { _ = try await registry(client).createCard(badRegion, metadata: fixture.token(.vcc)) }
            #expect(regionError?.fieldViolations.first?.field == "region_code")
        }
        #expect(try await fixture.count("card") == 0)
    }

    /// The registry's own regions table lacked the Orenburg region, where the bank has offices
    /// (scheduling's table had it): a card there was refused with «Неизвестный регион».
    @Test func acceptsTheRegionsOfTheOffices() async throws {
        let fixture = try Fixture()
        try await fixture.run { client in
            var orenburg = request()
            orenburg.regionCode = "56"
            orenburg.settlement = "Оренбург"
            let card = try #require(try await registry(client).createCard(orenburg, metadata: fixture.token(.vcc)).card)
            #expect(card.region == TypesV1.RegionRef(code: "56", name: "Оренбургская область", moscowOffsetHours: 2))
        }
    }

    @Test func idempotencyKeyCreatesOnce() async throws {
        let fixture = try Fixture()
        try await fixture.run { client in
            var metadata = fixture.token(.vcc)
            metadata.idempotencyKey = "apd-1"
            let first = try await registry(client).createCard(request(), metadata: metadata)
            let again = try await registry(client).createCard(request(), metadata: metadata)
            #expect(first == again)
            var other = request()
            other.settlement = "Химки"
            let error = await rpcError { _ = try await registry(client).createCard(other, metadata: metadata) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.first?.field == "idempotency-key")
        }
        #expect(try await fixture.count("card") == 1)
    }
}

@Suite struct EditTests {
    func update(_ id: Int64, version: Int64, surname: String = "Сидоров") -> RegistryV1.UpdatePersonalDataRequest {
        RegistryV1.UpdatePersonalDataRequest(
            cardID: id, expectedVersion: version, fullName: .init(surname: surname, name: "Иван", patronymic: "Иванович"),
            birthDate: .init(year: 1985, month: 3, day: 7), regionCode: "25", settlement: "Владивосток"
        )
    }

    @Test(arguments: [CardKind.client, .frontOfficeApplicant])
    func personalDataRefusedOnBankCardsAndNothingWritten(kind: CardKind) async throws {
        let fixture = try Fixture()
        let id = try await fixture.seedCard(kind)
        let historyBefore = try await fixture.count("contact_change")
        try await fixture.run { client in
            let error = await rpcError { _ = try await registry(client).updatePersonalData(update(id, version: 1), metadata: fixture.token(.vcc)) }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message == CardRules.personalDataRule)
            let card = try await registry(client).getCard(.init(cardID: id), metadata: fixture.token(.vcc)).card
            #expect(card?.fullName?.surname == "Иванов")
            #expect(card?.version == 1)
        }
        #expect(try await fixture.count("contact_change") == historyBefore)
    }

    @Test(arguments: [CardKind.internetApplicant, .interested, .recommendation, .onlineChat])
    func personalDataEditableWithHistoryRows(kind: CardKind) async throws {
        let fixture = try Fixture()
        let id = try await fixture.seedCard(kind)
        try await fixture.run { client in
            var request = update(id, version: 1)
            request.regionCode = "77"
            let card = try await registry(client).updatePersonalData(request, metadata: fixture.token(.vcc)).card
            #expect(card?.fullName?.surname == "Сидоров")
            #expect(card?.version == 2)
            let changes = try await registry(client).listContactChanges(.init(cardID: id), metadata: fixture.token(.vcc)).changes
            let latest = changes.filter { $0.changedUnixMs == fixedNow }
            #expect(Set(latest.map(\.dataType)) == [.surname, .region])
            #expect(latest.first { $0.dataType == .surname }?.oldValue == "Иванов")
            #expect(latest.first { $0.dataType == .region }?.newValue == "Москва")
            #expect(latest.allSatisfy { $0.changedBy?.login == "tester" })
        }
    }

    @Test func staleVersionIsAbortedAndWritesNothing() async throws {
        let fixture = try Fixture()
        let id = try await fixture.seedCard(.interested)
        try await fixture.run { client in
            _ = try await registry(client).updatePersonalData(update(id, version: 1, surname: "Первый"), metadata: fixture.token(.vcc))
            let error = await rpcError {
                _ = try await registry(client).updatePersonalData(update(id, version: 1, surname: "Второй"), metadata: fixture.token(.sales))
            }
            #expect(error?.code == .aborted)
            let stale = await rpcError {
                _ = try await registry(client).addContactData(
                    .init(cardID: id, expectedVersion: 1, contact: .init(kind: .workPhone, value: "8125893369")), metadata: fixture.token(.vcc))
            }
            #expect(stale?.code == .aborted)
            let card = try await registry(client).getCard(.init(cardID: id), metadata: fixture.token(.vcc)).card
            #expect(card?.fullName?.surname == "Первый")
            #expect(card?.contacts.count == 1)
        }
    }

    @Test func contactDataAddChangeStrikeOutWithHistory() async throws {
        let fixture = try Fixture()
        let id = try await fixture.seedCard(.client)
        try await fixture.run { client in
            let r = registry(client)
            let token = fixture.token(.vcc)
            var card = try #require(try await r.addContactData(
                .init(cardID: id, expectedVersion: 1, contact: .init(kind: .workPhone, value: "812 5893369"), comment: "новый"),
                metadata: token).card)
            let work = try #require(card.contacts.first { $0.kind == .workPhone })
            #expect(work.value == "8125893369")
            let duplicate = await rpcError {
                _ = try await r.addContactData(.init(cardID: id, expectedVersion: card.version, contact: .init(kind: .workPhone, value: "8125893360")), metadata: token)
            }
            #expect(duplicate?.code == .alreadyExists)
            card = try #require(try await r.changeContactData(
                .init(cardID: id, expectedVersion: card.version, entryID: work.id, newValue: "(812) 589-33-70", reason: .changed),
                metadata: token).card)
            #expect(card.contacts.first { $0.id == work.id }?.value == "8125893370")
            let bad = await rpcError {
                _ = try await r.changeContactData(.init(cardID: id, expectedVersion: card.version, entryID: work.id, newValue: "123"), metadata: token)
            }
            #expect(bad?.fieldViolations.first?.field == "new_value")
            let noReason = await rpcError {
                _ = try await r.strikeOutContactData(.init(cardID: id, expectedVersion: card.version, entryID: work.id), metadata: token)
            }
            #expect(noReason?.fieldViolations.first?.field == "reason")
            card = try #require(try await r.strikeOutContactData(
                .init(cardID: id, expectedVersion: card.version, entryID: work.id, reason: .wrong, comment: "не его"), metadata: token).card)
            let struck = try #require(card.contacts.first { $0.id == work.id })
            #expect(struck.struckOut && struck.strikeReason == .wrong)
            let again = await rpcError {
                _ = try await r.strikeOutContactData(.init(cardID: id, expectedVersion: card.version, entryID: work.id, reason: .wrong), metadata: token)
            }
            #expect(again?.code == .failedPrecondition)
            // A struck-out number still finds the card.
            #expect(try await r.searchByPhone(.init(phone: "8125893370"), metadata: token).cards.map(\.cardID) == [id])

            let history = try await r.listContactChanges(.init(cardID: id, pageSize: 2), metadata: token)
            #expect(history.changes.map(\.oldValue) == ["8125893370", "8125893369"])
            #expect(history.changes[0].reason == .wrong && history.changes[0].comment == "не его")
            #expect(history.changes[1].newValue == "8125893370" && history.changes[1].dataTypeLabel == "Рабочий")
            let rest = try await r.listContactChanges(.init(cardID: id, pageSize: 2, pageToken: history.nextPageToken), metadata: token)
            #expect(rest.changes.first?.newValue == "8125893369")
            let badToken = await rpcError { _ = try await r.listContactChanges(.init(cardID: id, pageToken: "x"), metadata: token) }
            #expect(badToken?.code == .invalidArgument)
        }
    }
}
