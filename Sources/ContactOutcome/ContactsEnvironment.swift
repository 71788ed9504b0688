public import Auth
import CRMDomain
import Foundation
import Wire

/// What every contacts service shares: the store, the clock, the production calendar and
/// the lease times.
public struct ContactsEnvironment: Sendable {
    public let store: ContactsStore
    public let calendar: ProductionCalendar
    public let nowMs: @Sendable () -> Int64
    /// A lease from NextClient lapses after this if no session opens on it.
    public let leaseMs: Int64
    /// A lease held by an open session lapses after this (an abandoned call).
    public let sessionLeaseMs: Int64
    /// Which cards exist (the registry's); nil only in tests of other rules — the service
    /// executable always has one (`--registry`).
    public let cards: (any CardDirectory)?

    public init(
        store: ContactsStore, calendar: ProductionCalendar = .shipped, nowMs: @escaping @Sendable () -> Int64 = { SystemClockMs.now() },
        leaseMs: Int64 = 5 * 60_000, sessionLeaseMs: Int64 = 2 * 3_600_000, cards: (any CardDirectory)? = nil
    ) {
        self.cards = cards
        self.store = store
        self.calendar = calendar
        self.nowMs = nowMs
        self.leaseMs = leaseMs
        self.sessionLeaseMs = sessionLeaseMs
    }
}

/// Who may call what (docs/API.md «Roles»).
enum Access {
    static let crm2Rule = "Доступно только сотрудникам контакт-центра (CRM2)"
    static let collectorRule = "Доступно только специалистам выездного взыскания"
    static let crm2AndCollectorRule = "Доступно сотрудникам контакт-центра (CRM2) и взыскания"
    static let systemRule = "Доступно только системным учетным записям"
}

extension Role {
    /// The wire role the rules are written against.
    var wire: TypesV1.OperatorRole {
        switch self {
        case .vcc: .vcc
        case .sales: .sales
        case .smb: .smb
        case .office: .office
        case .activeControl: .activeControl
        case .fc: .fc
        case .collector: .collector
        case .administrator: .administrator
        case .system: .system
        }
    }
}

extension SessionClaims {
    var operatorRef: TypesV1.OperatorRef { TypesV1.OperatorRef(login: login, fullName: fullName) }
}
