import Auth
@testable import ClientRegistry
import CRMAPI
import CRMDomain
import RPCCore
import Testing
import Wire
import TestSupport

/// Values at the ends of their types, at the API boundary (docs/API.md «Limits»): each is
/// INVALID_ARGUMENT naming its field, and no card, contact or comment is stored.
@Suite("Bounds at the boundary")
struct RegistryBoundsTests {
    static let megabyte = String(repeating: "я", count: 1 << 20)
    static let twoMegabytes = String(repeating: "x", count: 2 << 20)

    struct CardCase: Sendable, CustomTestStringConvertible {
        var label: String
        var request: RegistryV1.CreateCardRequest
        var field: String
        var testDescription: String { label }
    }

    static func card(
        surname: String = "Петрова", birth: TypesV1.Date = .init(year: 1990, month: 1, day: 2), phone: String = "9510187060",
        comment: String = "", type: TypesV1.CardType = .unspecified
    ) -> RegistryV1.CreateCardRequest {
        RegistryV1.CreateCardRequest(
            type: type, fullName: .init(surname: surname, name: "Анна"), birthDate: birth, regionCode: "77", settlement: "Москва",
            contacts: [.init(kind: .email, value: "anna@example.ru"), .init(kind: .mobilePhone, value: phone)], comment: comment
        )
    }

    static let cardCases: [CardCase] = [
        CardCase(label: "1 MB surname", request: card(surname: megabyte), field: "full_name.surname"),
        CardCase(label: "201-character surname", request: card(surname: String(repeating: "П", count: 201)), field: "full_name.surname"),
        CardCase(label: "2 MB comment", request: card(comment: twoMegabytes), field: "comment"),
        CardCase(label: "1 MB phone in the second contact", request: card(phone: megabyte), field: "contacts[1].value"),
        CardCase(label: "born on 31.02", request: card(birth: .init(year: 1990, month: 2, day: 31)), field: "birth_date"),
        CardCase(label: "born in 1899", request: card(birth: .init(year: 1899, month: 12, day: 31)), field: "birth_date"),
        CardCase(label: "born in year −2^31", request: card(birth: .init(year: .min, month: 1, day: 1)), field: "birth_date"),
        CardCase(label: "unknown card type", request: card(type: .init(rawValue: 1_000)), field: "type"),
    ]

    @Test(arguments: cardCases)
    func cards(_ test: CardCase) async throws {
        let fixture = try Fixture()
        try await fixture.run { client in
            var metadata = fixture.token(.vcc)
            metadata.idempotencyKey = "apd-1"
            let error = await rpcError { _ = try await registry(client).createCard(test.request, metadata: metadata) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == [test.field])
        }
        #expect(try await fixture.count("card") == 0)
        #expect(try await fixture.count("contact") == 0)
    }

    @Test func aTwoThousandCharacterCommentFitsAndOneMoreDoesNot() async throws {
        let fixture = try Fixture()
        let card = try await fixture.seedCard(.client)
        try await fixture.run { client in
            let error = await rpcError {
                _ = try await registry(client).addClientComment(.init(cardID: card, text: String(repeating: "к", count: 2_001)), metadata: fixture.token(.vcc))
            }
            #expect(error?.fieldViolations.map(\.field) == ["text"])
            _ = try await registry(client).addClientComment(.init(cardID: card, text: String(repeating: "к", count: 2_000)), metadata: fixture.token(.vcc))
        }
        #expect(try await fixture.count("client_comment") == 1)
    }

    @Test(arguments: [Int64(-1), .min])
    func negativeCardIds(_ id: Int64) async throws {
        let fixture = try Fixture()
        try await fixture.run { client in
            let error = await rpcError { _ = try await registry(client).getCard(.init(cardID: id), metadata: fixture.token(.vcc)) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == ["card_id"])
            let listed = await rpcError {
                _ = try await registry(client).listCardsForCallList(.init(cardIDs: [5, 0]), metadata: fixture.token(.vcc))
            }
            #expect(listed?.fieldViolations.map(\.field) == ["card_ids[1]"])
        }
    }
}
