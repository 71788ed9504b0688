import Auth
import CRMDomain
import RPCTesting
import CRMAPI
import Foundation
import RPCCore
@testable import Scheduling
import Testing
import Wire
import TestSupport

@Suite("Scheduling over TCP")
struct EndToEndTests {
    @Test("search, book the last place, schedule the visit SMS and list it, over a real socket")
    func overTCP() async throws {
        let fixture = try Fixture()
        try await fixture.run(.tcp) { offices, sms in
            let m = fixture.metadata(.vcc)
            let found = try await offices.searchOffices(.init(regionCode: "66", query: "гринвич"), metadata: m).offices
            #expect(found.map(\.name) == ["Мини-офис №029"])
            for card in 1...4 { _ = try await book(offices, fixture, office: "ekb-mini029", at: at(14), card: Int64(card)) }
            let last = try await book(offices, fixture, office: "ekb-mini029", on: tuesday.adding(days: 0), at: at(14), card: 5)
            let full = await rpcError { _ = try await book(offices, fixture, office: "ekb-mini029", at: at(14), card: 6) }
            #expect(full?.code == .resourceExhausted)
            let visit = try await sms.scheduleVisitSms(.init(bookingID: last.bookingID, phone: "9372888099", send: true), metadata: fixture.metadata(.vcc, key: "e2e"))
            #expect(visit.sms?.text == "Ждем Вас 10.03.2026 по адресу ул. 8 Марта, д. 46")
            try await fixture.worker.runOnce()
            let listed = try await sms.listClientSms(.init(cardID: 5), metadata: m).messages
            #expect(listed.first?.state == .delivered)
        }
    }
}
