import CRMAPI
import CRMDomain
import RPCTesting
import Auth
@testable import ContactOutcome
import Foundation
import RPCCore
import Testing
import Wire
import TestSupport

@Suite("Call lists")
struct CallListsServiceTests {
    func load(_ fixture: Fixture, _ lists: ContactsV1.CallLists.Client, cards: ClosedRange<Int64>, campaign: String = "announcement_marking") async throws
        -> ContactsV1.LoadCallListResponse
    {
        try await lists.loadCallList(
            .init(campaignID: campaign, entries: cards.map { ContactsV1.CallListEntry(cardID: $0, region: moscow) }),
            metadata: fixture.metadata(.vcc)
        )
    }

    @Test("twenty operators asking at once never get the same client")
    func concurrentLeases() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await load(fixture, c.lists, cards: 1...15)
            let leases = try await withThrowingTaskGroup(of: ContactsV1.CallLease?.self) { group in
                for operatorIndex in 0..<20 {
                    group.addTask {
                        try await c.lists.nextClient(.init(campaignID: "announcement_marking"), metadata: fixture.metadata(.vcc, login: "op\(operatorIndex)")).lease
                    }
                }
                var all: [ContactsV1.CallLease?] = []
                for try await lease in group { all.append(lease) }
                return all
            }
            let cards = leases.compactMap { $0?.cardID }
            #expect(cards.count == 15)
            #expect(Set(cards).count == 15)
        }
    }

    @Test("a lease lapses, can be released, and is held by an open session until it ends")
    func leaseLife() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let load = try await load(fixture, c.lists, cards: 1...1)
            #expect(load.added == 1)
            #expect(try await self.load(fixture, c.lists, cards: 1...1).alreadyListed == 1)
            let campaign = ContactsV1.NextClientRequest(campaignID: "announcement_marking")
            let lease = try #require(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc)).lease)
            #expect(lease.dueReason == .new)
            #expect(lease.attempt == 1)
            let none = try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc, login: "ivanov"))
            #expect(none.lease == nil)
            // Lapses after 5 minutes unused.
            fixture.clock.advance(ms: 5 * 60_000)
            let taken = try #require(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc, login: "ivanov")).lease)
            let expired = await rpcError { _ = try await fixture.open(c.calls, card: 1, lease: lease.leaseID) }
            #expect(expired?.code == .failedPrecondition)
            _ = try await c.lists.releaseLease(.init(leaseID: taken.leaseID), metadata: fixture.metadata(.vcc, login: "ivanov"))
            // A session holds the lease past 5 minutes; exit gives the client back.
            let mine = try #require(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc)).lease)
            let session = try await fixture.open(c.calls, card: 1, lease: mine.leaseID)
            fixture.clock.advance(ms: 30 * 60_000)
            #expect(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc, login: "ivanov")).lease == nil)
            _ = try await c.calls.exitWithoutSaving(.init(sessionID: session.sessionID), metadata: fixture.metadata(.vcc))
            #expect(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc, login: "ivanov")).lease?.cardID == 1)
        }
    }

    @Test("an abandoned call's lease lapses; saving it later leaves the new operator's lease alone")
    func abandoned() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await load(fixture, c.lists, cards: 9...9)
            let campaign = ContactsV1.NextClientRequest(campaignID: "announcement_marking")
            let lease = try #require(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc)).lease)
            let abandoned = try await fixture.open(c.calls, card: 9, lease: lease.leaseID)
            fixture.clock.advance(ms: 2 * 3_600_000)
            let taken = try #require(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc, login: "ivanov")).lease)
            #expect(taken.cardID == 9)
            try await fixture.save(c.calls, abandoned.sessionID, reached(.nonTarget(.init(reason: .age))))
            let session = try await fixture.open(c.calls, login: "ivanov", card: 9, lease: taken.leaseID)
            #expect(session.cardID == 9)
        }
    }

    @Test("Перезвонить comes back at its time, held for its operator for an hour")
    func callbackHold() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await load(fixture, c.lists, cards: 7...7)
            let campaign = ContactsV1.NextClientRequest(campaignID: "announcement_marking")
            let lease = try #require(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc)).lease)
            let session = try await fixture.open(c.calls, card: 7, lease: lease.leaseID)
            let saved = try await fixture.save(c.calls, session.sessionID, reached(.callback(.init(reason: .clientRequest, at: local(tuesday, 15)))))
            let at = tuesday.unixMs(atMinute: 15 * 60, utcOffsetMinutes: 180)
            #expect(saved.callListEffect == .returnsAt)
            #expect(saved.returnAtUnixMs == at)
            let early = try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc, login: "ivanov"))
            #expect(early.lease == nil)
            #expect(early.nextDueUnixMs == at + 3_600_000)
            fixture.clock.advance(ms: at - fixture.clock.now + 30 * 60_000)
            #expect(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc, login: "ivanov")).lease == nil)
            let own = try #require(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc)).lease)
            #expect(own.dueReason == .callback)
            _ = try await c.lists.releaseLease(.init(leaseID: own.leaseID), metadata: fixture.metadata(.vcc))
            fixture.clock.advance(ms: 30 * 60_000)
            #expect(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc, login: "ivanov")).lease?.cardID == 7)
        }
    }

    @Test("Не дозвонились retries after the delay up to max attempts; Не беспокоить leaves every campaign; Согласился this one")
    func effects() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await load(fixture, c.lists, cards: 1...2)
            _ = try await load(fixture, c.lists, cards: 2...3, campaign: "mortgage")
            let campaign = ContactsV1.NextClientRequest(campaignID: "announcement_marking")
            let notReached = ContactsV1.CallResult(firstLevel: .notReached(.init(reason: .noAnswer)))
            var effects: [ContactsV1.CallListEffect] = []
            for round in 0..<3 {
                let lease = try #require(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc)).lease)
                #expect(lease.cardID == 1)
                #expect(lease.attempt == Int32(round + 1))
                #expect(lease.dueReason == (round == 0 ? .new : .retry))
                let session = try await fixture.open(c.calls, card: 1, lease: lease.leaseID)
                effects.append(try await fixture.save(c.calls, session.sessionID, notReached).callListEffect)
                if round == 0 {
                    // Card 1 waits for its retry delay; card 2 is next, and asks not to be called again.
                    let two = try #require(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc, login: "x")).lease)
                    #expect(two.cardID == 2)
                    let dnd = try await fixture.open(c.calls, login: "x", card: 2, lease: two.leaseID)
                    #expect(try await fixture.save(c.calls, dnd.sessionID, ContactsV1.CallResult(firstLevel: .doNotDisturb(.init(reason: .refusedToTalk))), login: "x")
                        .callListEffect == .offAllCampaigns)
                    let waiting = try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc))
                    #expect(waiting.lease == nil)
                    #expect(waiting.nextDueUnixMs == fixture.clock.now + 60 * 60_000)
                }
                fixture.clock.advance(ms: 60 * 60_000)
            }
            #expect(effects == [.retryAt, .retryAt, .attemptsExhausted])
            #expect(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc)).lease == nil)
            // Card 2 is off «ИПОТЕКА» too; only card 3 remains there.
            let mortgage = ContactsV1.NextClientRequest(campaignID: "mortgage")
            let three = try #require(try await c.lists.nextClient(mortgage, metadata: fixture.metadata(.vcc)).lease)
            #expect(three.cardID == 3)
            let session = try await fixture.open(c.calls, card: 3, campaign: "mortgage", lease: three.leaseID)
            #expect(try await fixture.save(c.calls, session.sessionID, validAgreed).callListEffect == .offCampaign)
            #expect(try await c.lists.nextClient(mortgage, metadata: fixture.metadata(.vcc)).lease == nil)
            // A «Не беспокоить» card is skipped when loaded again.
            #expect(try await load(fixture, c.lists, cards: 2...2, campaign: "rcp").skippedDoNotDisturb == 1)
        }
    }
}

extension CallListsServiceTests {
    @Test("a list drives the retries of its own campaign: «ОБЗВОН INTERNET» after 30 minutes, 6 attempts")
    func otherCampaignRetry() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await load(fixture, c.lists, cards: 5...5, campaign: "internet_calls")
            let campaign = ContactsV1.NextClientRequest(campaignID: "internet_calls")
            var effects: [ContactsV1.CallListEffect] = []
            for round in 0..<6 {
                let lease = try #require(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc)).lease)
                #expect(lease.attempt == Int32(round + 1))
                let session = try await fixture.open(c.calls, card: 5, campaign: "internet_calls", cardType: .internetApplicant, lease: lease.leaseID)
                let saved = try await fixture.save(c.calls, session.sessionID, ContactsV1.CallResult(firstLevel: .notReached(.init(reason: .unavailable))))
                effects.append(saved.callListEffect)
                if round < 5 {
                    #expect(saved.returnAtUnixMs == fixture.clock.now + 30 * 60_000)
                    #expect(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc)).nextDueUnixMs == fixture.clock.now + 30 * 60_000)
                }
                fixture.clock.advance(ms: 30 * 60_000)
            }
            #expect(effects == Array(repeating: .retryAt, count: 5) + [.attemptsExhausted])
            #expect(try await c.lists.nextClient(campaign, metadata: fixture.metadata(.vcc)).lease == nil)
        }
    }
}

@Suite("Contact history")
struct ContactHistoryServiceTests {
    @Test("SMS reports never go backwards; events are idempotent with guidance; pages newest first")
    func history() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let system = fixture.metadata(.system, login: "ru-srv-cms")
            _ = try await c.history.recordSms(.init(smsID: "s1", cardID: 5, phone: "+7 951-018-70-60", text: "Ждем Вас", state: .delivered, acceptedUnixMs: fixedNow - 1000), metadata: system)
            _ = try await c.history.recordSms(.init(smsID: "s1", cardID: 5, phone: "+7 951-018-70-60", text: "Ждем Вас", state: .sent, acceptedUnixMs: fixedNow - 1000), metadata: system)
            let badPhone = await rpcError { _ = try await c.history.recordSms(.init(smsID: "s2", cardID: 5, phone: "123", state: .queued), metadata: system) }
            #expect(badPhone?.fieldViolations.first?.field == "phone")
            let event = ContactsV1.RecordExternalEventRequest(
                eventID: "app-1", cardID: 5, occurredUnixMs: fixedNow,
                event: .application(.init(event: .svCreditSubmitted, result: .declined, product: "Оценка заемщика"))
            )
            let first = try await c.history.recordExternalEvent(event, metadata: system)
            let again = try await c.history.recordExternalEvent(event, metadata: system)
            #expect(first == again)
            #expect(first.guidance?.comment == "Отказ. Продайте клиенту Кредитный Доктор!")
            _ = try await c.history.recordExternalEvent(
                .init(eventID: "bki-1", cardID: 5, occurredUnixMs: fixedNow - 11 * 86_400_000, event: .bureauDecision(.init(decisionID: "d1", decision: .approved))),
                metadata: system
            )
            let meta = fixture.metadata(.vcc)
            let page1 = try await c.history.listContactHistory(.init(cardID: 5, pageSize: 2), metadata: meta)
            #expect(page1.entries.map(\.action) == [.application, .sms])
            guard case .sms(let sms) = page1.entries[1].details else { Issue.record("no sms"); return }
            #expect(sms.state == .delivered)
            #expect(sms.phone == "9510187060")
            let page2 = try await c.history.listContactHistory(.init(cardID: 5, pageSize: 2, pageToken: page1.nextPageToken), metadata: meta)
            #expect(page2.entries.map(\.action) == [.bureauDecision])
            #expect(page2.entries[0].guidance == nil)  // older than 10 days
            #expect(page2.nextPageToken.isEmpty)
            let both = await rpcError { _ = try await c.history.listContactHistory(.init(cardID: 5, contractNumber: "Z1"), metadata: meta) }
            #expect(both?.code == .invalidArgument)
            let notSystem = await rpcError { _ = try await c.history.recordSms(.init(smsID: "s3", phone: "9372888099", state: .queued), metadata: meta) }
            #expect(notSystem?.code == .permissionDenied)
            let operatorEmail = await rpcError {
                _ = try await c.history.recordExternalEvent(.init(eventID: "e1", cardID: 5, event: .email(.init(address: "a@b.ru"))), metadata: meta)
            }
            #expect(operatorEmail?.code == .permissionDenied)
            // A bureau decision comes only from the registry (SYSTEM), never as an operator's word.
            let bureau = ContactsV1.RecordExternalEventRequest(
                eventID: "bki-2", cardID: 5, event: .bureauDecision(.init(decisionID: "d2", decision: .rejected))
            )
            #expect(await rpcError { _ = try await c.history.recordExternalEvent(bureau, metadata: meta) }?.code == .permissionDenied)
            #expect(try await c.history.recordExternalEvent(bureau, metadata: system).guidance?.meaning
                == "Предварительное решение – ОТКАЗ. Пригласить клиента в офис Банка")
        }
    }
}

extension ContactHistoryServiceTests {
    @Test("filtered by action; a card's history for CRM2 roles, a contract's for collectors; a bad page token names the field")
    func filtersAndRoles() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let system = fixture.metadata(.system, login: "ru-srv-cms")
            _ = try await c.history.recordSms(.init(smsID: "s1", cardID: 8, contractNumber: "Z8", phone: "9372888099", text: "Ждем Вас", state: .sent, acceptedUnixMs: fixedNow - 2000), metadata: system)
            _ = try await c.history.recordExternalEvent(
                .init(eventID: "fis-1", cardID: 8, occurredUnixMs: fixedNow - 1000, event: .application(.init(event: .fisSubmitted))), metadata: system
            )
            _ = try await c.history.recordExternalEvent(
                .init(eventID: "mail-1", cardID: 8, occurredUnixMs: fixedNow, event: .email(.init(address: "client@example.ru", text: "Условия"))), metadata: system
            )
            let vcc = fixture.metadata(.vcc)
            #expect(try await c.history.listContactHistory(.init(cardID: 8), metadata: vcc).entries.map(\.action) == [.email, .application, .sms])
            #expect(try await c.history.listContactHistory(.init(cardID: 8, actions: [.sms, .email]), metadata: vcc).entries.map(\.action) == [.email, .sms])
            let fis = try await c.history.listContactHistory(.init(cardID: 8, actions: [.application]), metadata: vcc).entries
            #expect(fis.first?.guidance == ContactsV1.OperatorGuidance(meaning: "Отказ. Повторное обращение возможно через 90 дней", comment: "Отказ"))
            let vccByContract = await rpcError { _ = try await c.history.listContactHistory(.init(contractNumber: "Z8"), metadata: vcc) }
            #expect(vccByContract?.code == .permissionDenied)
            let svv = fixture.metadata(.collector, login: "svv")
            let collectorByCard = await rpcError { _ = try await c.history.listContactHistory(.init(cardID: 8), metadata: svv) }
            #expect(collectorByCard?.code == .permissionDenied)
            #expect(try await c.history.listContactHistory(.init(contractNumber: "Z8"), metadata: svv).entries.map(\.action) == [.sms])
            let badToken = await rpcError { _ = try await c.history.listContactHistory(.init(cardID: 8, pageToken: "x"), metadata: vcc) }
            #expect(badToken?.fieldViolations.first?.field == "page_token")
            let office = await rpcError { _ = try await c.history.listContactHistory(.init(cardID: 8), metadata: fixture.metadata(.administrator)) }
            #expect(office?.code == .permissionDenied)
        }
    }
}

@Suite("Contacts over TCP")
struct EndToEndTests {
    @Test("a call from the list saved over TCP, retried with the same key")
    func tcp() async throws {
        let fixture = try Fixture()
        try await fixture.run(.tcp) { c in
            _ = try await c.lists.loadCallList(.init(campaignID: "rcg_halva_activation", entries: [.init(cardID: 42, region: primorye)]), metadata: fixture.metadata(.vcc))
            let lease = try #require(try await c.lists.nextClient(.init(campaignID: "rcg_halva_activation"), metadata: fixture.metadata(.vcc)).lease)
            let session = try await fixture.open(c.calls, card: 42, campaign: "rcg_halva_activation", lease: lease.leaseID)
            let first = try await fixture.save(c.calls, session.sessionID, halva(.selfPickup(validPickup)), key: "tcp-key")
            let retry = try await c.calls.saveCallResult(.init(sessionID: session.sessionID), metadata: fixture.metadata(.vcc, key: "tcp-key"))
            #expect(first == retry)
            #expect(first.kind == .halva)
            #expect(try await fixture.count("history_entry") == 1)
            #expect(try await c.history.listContactHistory(.init(cardID: 42), metadata: fixture.metadata(.vcc)).entries.count == 1)
        }
    }
}
