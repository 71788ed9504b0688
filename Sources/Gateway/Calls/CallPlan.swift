import Foundation
public import Wire

/// Everything the operator chose for one call, resolved to ids: what `crm call` gathers
/// from flags or prompts and `CallComposer` carries out.
public struct CallPlan: Sendable {
    /// A visit to book: the office and slot chosen in the calendar.
    public struct Visit: Sendable, Hashable {
        public var region: TypesV1.RegionRef
        public var settlement: String
        public var officeID: String
        public var officeName: String
        public var date: TypesV1.Date
        public var start: TypesV1.TimeOfDay
        /// The office's UTC offset in minutes (its region's).
        public var utcOffsetMinutes: Int32

        public init(region: TypesV1.RegionRef, settlement: String, officeID: String, officeName: String, date: TypesV1.Date, start: TypesV1.TimeOfDay) {
            self.region = region
            self.settlement = settlement
            self.officeID = officeID
            self.officeName = officeName
            self.date = date
            self.start = start
            utcOffsetMinutes = SchedulingDates.offsetMinutes(region)
        }

        var at: TypesV1.LocalDateTime { TypesV1.LocalDateTime(date: date, time: start, utcOffsetMinutes: utcOffsetMinutes) }
    }

    /// «Отправить информационное SMS», decided (the visit rule's default unless the operator
    /// changed it).
    public struct VisitSms: Sendable, Hashable {
        public var send: Bool
        /// The card's mobile or the number the operator typed; empty = the client has none.
        public var phone: String

        public init(send: Bool, phone: String) {
            self.send = send
            self.phone = phone
        }
    }

    /// The result: either complete as it is, or completed with a booking made first.
    public enum Result: Sendable, Hashable {
        case plain(ContactsV1.CallResult)
        case agreed(visit: Visit, products: [ContactsV1.OfferedProduct], sms: VisitSms, comment: String)
        case halvaSelfPickup(visit: Visit, sms: VisitSms, comment: String)

        var visit: Visit? {
            switch self {
            case .plain: nil
            case .agreed(let visit, _, _, _), .halvaSelfPickup(let visit, _, _): visit
            }
        }

        var sms: VisitSms? {
            switch self {
            case .plain: nil
            case .agreed(_, _, let sms, _), .halvaSelfPickup(_, let sms, _): sms
            }
        }

        /// How the operator reads the result.
        public var label: String { CallResultView.describe(wire(bookingID: "")) }

        /// The wire result, with the booking's id where the result needs one.
        func wire(bookingID: String) -> ContactsV1.CallResult {
            switch self {
            case .plain(let result):
                return result
            case .agreed(let visit, let products, _, let comment):
                let agreed = ContactsV1.AgreedResult(
                    visit: ContactsV1.Visit(
                        region: visit.region, settlement: visit.settlement, officeID: visit.officeID,
                        officeName: visit.officeName, at: visit.at, bookingID: bookingID
                    ),
                    products: products
                )
                return ContactsV1.CallResult(comment: comment, firstLevel: .reached(ContactsV1.ReachedResult(result: .agreed(agreed))))
            case .halvaSelfPickup(let visit, _, let comment):
                let pickup = ContactsV1.HalvaSelfPickup(officeID: visit.officeID, officeName: visit.officeName, at: visit.at, bookingID: bookingID)
                return ContactsV1.CallResult(
                    comment: comment,
                    firstLevel: .reached(ContactsV1.ReachedResult(result: .halva(ContactsV1.HalvaResult(delivery: .selfPickup(pickup)))))
                )
            }
        }
    }

    public var cardID: Int64
    public var cardType: TypesV1.CardType
    public var clientRegion: TypesV1.RegionRef?
    public var clientName: TypesV1.FullName?
    public var campaignID: String
    public var direction: ContactsV1.CallDirection
    public var leaseID: String
    /// Objection-bank entries handled in this call, in order.
    public var objections: [String]
    public var result: Result

    public init(
        cardID: Int64, cardType: TypesV1.CardType, clientRegion: TypesV1.RegionRef?, clientName: TypesV1.FullName?,
        campaignID: String, direction: ContactsV1.CallDirection, leaseID: String = "", objections: [String] = [], result: Result
    ) {
        self.cardID = cardID
        self.cardType = cardType
        self.clientRegion = clientRegion
        self.clientName = clientName
        self.campaignID = campaignID
        self.direction = direction
        self.leaseID = leaseID
        self.objections = objections
        self.result = result
    }

    /// The same call whatever result was chosen: how a run with another result finds an
    /// unfinished call whose result the operator is changing.
    public func callFingerprint(operator login: String) -> String {
        PendingCalls.fingerprint([login, "\(cardID)", campaignID, "\(direction.rawValue)", leaseID])
    }

    /// Same choices, same fingerprint: how a re-run finds its unfinished predecessor.
    public func fingerprint(operator login: String) -> String {
        let result: String = switch self.result {
        // A result the wire refuses (a NUL in its text) is refused at submit; its fingerprint
        // falls back to the value's description.
        case .plain(let wire): "plain:" + ((try? wire.serializedBytes()).map { $0.map { String(format: "%02x", $0) }.joined() } ?? "\(wire)")
        case .agreed(let visit, let products, let sms, let comment):
            "agreed:\(visit):\(products.map(\.productID)):\(sms.send):\(sms.phone):\(comment)"
        case .halvaSelfPickup(let visit, let sms, let comment): "pickup:\(visit):\(sms.send):\(sms.phone):\(comment)"
        }
        return PendingCalls.fingerprint([login, "\(cardID)", campaignID, "\(direction.rawValue)", leaseID, objections.joined(separator: ","), result])
    }
}
