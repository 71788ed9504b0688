import CRMDomain
import Foundation
public import GRDB

/// Columns are snake_case, properties camelCase.
public protocol RegistryRecord: Codable, FetchableRecord, PersistableRecord {}

extension RegistryRecord {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}

public struct CardRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "card"
    public var id: Int64?
    public var type: CardKind
    public var rbsNumber: String
    public var surname: String
    public var name: String
    public var patronymic: String
    public var surnameKey: String
    public var nameKey: String
    public var patronymicKey: String
    public var birthDate: String?
    public var regionCode: String
    public var settlement: String
    public var passportSeries: String?
    public var passportNumber: String?
    public var scriptNames: String
    public var recommendedByCardId: Int64?
    public var version: Int64
    public var createdMs: Int64

    public init(
        id: Int64? = nil, type: CardKind, rbsNumber: String = "", surname: String, name: String, patronymic: String,
        birthDate: LocalDate?, regionCode: String, settlement: String, passportSeries: String? = nil,
        passportNumber: String? = nil, scriptNames: [String] = [], recommendedByCardId: Int64? = nil,
        version: Int64 = 1, createdMs: Int64
    ) {
        self.id = id
        self.type = type
        self.rbsNumber = rbsNumber
        self.surname = surname
        self.name = name
        self.patronymic = patronymic
        self.surnameKey = ContactRules.searchKey(surname)
        self.nameKey = ContactRules.searchKey(name)
        self.patronymicKey = ContactRules.searchKey(patronymic)
        self.birthDate = birthDate?.description
        self.regionCode = regionCode
        self.settlement = settlement
        self.passportSeries = passportSeries
        self.passportNumber = passportNumber
        self.scriptNames = scriptNames.joined(separator: "\n")
        self.recommendedByCardId = recommendedByCardId
        self.version = version
        self.createdMs = createdMs
    }

    /// Read by column name, not through `Decodable`: GRDB's snake_case key strategy converts
    /// every key of every row, and a card is read on every search and every opened card.
    public init(row: Row) throws {
        id = row["id"]
        type = row["type"]
        rbsNumber = row["rbs_number"]
        surname = row["surname"]
        name = row["name"]
        patronymic = row["patronymic"]
        surnameKey = row["surname_key"]
        nameKey = row["name_key"]
        patronymicKey = row["patronymic_key"]
        birthDate = row["birth_date"]
        regionCode = row["region_code"]
        settlement = row["settlement"]
        passportSeries = row["passport_series"]
        passportNumber = row["passport_number"]
        scriptNames = row["script_names"]
        recommendedByCardId = row["recommended_by_card_id"]
        version = row["version"]
        createdMs = row["created_ms"]
    }

    public var cardID: Int64 { id ?? 0 }
    public var birth: LocalDate? { birthDate.flatMap(LocalDate.init(iso:)) }
    public var scripts: [String] { scriptNames.isEmpty ? [] : scriptNames.split(separator: "\n").map(String.init) }

    public mutating func setNames(surname: String, name: String, patronymic: String) {
        self.surname = surname
        self.name = name
        self.patronymic = patronymic
        surnameKey = ContactRules.searchKey(surname)
        nameKey = ContactRules.searchKey(name)
        patronymicKey = ContactRules.searchKey(patronymic)
    }
}

extension CardKind: DatabaseValueConvertible {}
extension ContactKind: DatabaseValueConvertible {}
extension StrikeReason: DatabaseValueConvertible {}
extension ChangedField: DatabaseValueConvertible {}

public struct ContactRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "contact"
    public var id: Int64?
    public var cardId: Int64
    public var kind: ContactKind
    public var value: String
    public var phone: String?
    public var struckOut: Bool
    public var strikeReason: StrikeReason?
    public var comment: String
    public var createdMs: Int64

    public init(cardId: Int64, kind: ContactKind, value: String, createdMs: Int64, comment: String = "") {
        self.id = nil
        self.cardId = cardId
        self.kind = kind
        self.value = value
        self.phone = kind.isPhone ? value : nil
        self.struckOut = false
        self.strikeReason = nil
        self.comment = comment
        self.createdMs = createdMs
    }
}

public struct ContactChangeRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "contact_change"
    public var id: Int64?
    public var cardId: Int64
    public var changedMs: Int64
    public var dataType: ChangedField
    public var dataTypeLabel: String
    public var newValue: String
    public var oldValue: String
    public var reason: StrikeReason?
    public var comment: String
    public var byLogin: String
    public var byName: String

    public init(
        cardId: Int64, changedMs: Int64, field: ChangedField, newValue: String, oldValue: String,
        reason: StrikeReason? = nil, comment: String = "", by actor: Actor
    ) {
        self.id = nil
        self.cardId = cardId
        self.changedMs = changedMs
        self.dataType = field
        self.dataTypeLabel = field.label
        self.newValue = newValue
        self.oldValue = oldValue
        self.reason = reason
        self.comment = comment
        self.byLogin = actor.login
        self.byName = actor.fullName
    }
}

/// Who does a write, as the history tabs show it.
public struct Actor: Sendable, Hashable {
    public var login: String
    public var fullName: String
    public init(login: String, fullName: String) {
        self.login = login
        self.fullName = fullName
    }
}

public struct ProductRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "product"
    public var id: String
    public var cardId: Int64
    public var openDate: String
    public var name: String
    public var category: Int
    public var closeDate: String?
    public var creditSum: Int64
    public var balance: Int64
    public var repaidPercent: Int
    public var isHalva: Bool
    public var closed: Bool
}

public struct HalvaTransactionRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "halva_transaction"
    public var id: Int64?
    public var productId: String
    public var cardId: Int64
    public var occurredMs: Int64
    public var operationType: String
    public var amount: Int64
    public var purpose: String
    public var shopName: String
}

public struct BureauDecisionRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "bureau_decision"
    public var id: String
    public var cardId: Int64
    public var decision: Int
    public var decidedMs: Int64
    public var rule: String
    public var byLogin: String
}

public struct LoanRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "loan"
    public var contractNumber: String
    public var cardId: Int64
    public var productName: String
    public var issueDate: String
    public var debt: Int64
    public var overdue: Int64
    public var overdueDays: Int
    public var overdueSince: String?
    public var principal: Int64
    public var termDays: Int
    public var annualRateHundredths: Int
    public var installment: Int64
    public var maturityDate: String
    public var lastPaymentDate: String?
    public var lastPayment: Int64
    public var nextDueDate: String?
    public var nextDue: Int64
    public var refinancingAvailable: Bool
    public var refinancingInstallment: Int64
    public var refinancingTermDays: Int
    public var refinancingConditions: String
    public var officeName: String
    public var officeAddress: String
    public var officeHours: String
}

public struct InstallmentRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "installment"
    public var contractNumber: String
    public var number: Int
    public var dueDate: String
    public var total: Int64
    public var principal: Int64
    public var interest: Int64
    public var penalty: Int64
    public var paid: Int64
    public var paidDate: String?
    /// InstallmentState proto number.
    public var state: Int
}

public struct LoanPhoneRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "loan_phone"
    public var contractNumber: String
    public var phone: String
    /// PhoneOwnership proto number: 1 client, 2 third party.
    public var ownership: Int
    public var comment: String
    public var addedMs: Int64
    public var byLogin: String
    public var byName: String
}

public struct ClientCommentRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "client_comment"
    public var id: Int64?
    public var cardId: Int64
    public var contractNumber: String
    public var text: String
    public var createdMs: Int64
    public var byLogin: String
    public var byName: String
}

public struct OperatorRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "operator"
    public var id: Int64?
    public var login: String
    public var surname: String
    public var name: String
    public var patronymic: String
    /// Auth.Role raw value.
    public var role: String
    public var mobile: String
    public var createdMs: Int64

    public var fullName: String {
        [surname, name, patronymic].filter { !$0.isEmpty }.joined(separator: " ")
    }
}

/// The code a login may use now, as its keyed hash (LoginRules.hashInput).
public struct LoginCodeRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "login_code"
    public var login: String
    public var codeHash: Data
    public var expiresMs: Int64
    public var wrongTries: Int
}

/// Wrong tries and locks of one login from one source address.
public struct LoginAttemptRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "login_attempt"
    public var login: String
    public var source: String
    public var failedTries: Int
    public var locks: Int
    public var lockedUntilMs: Int64?
    public var updatedMs: Int64
}

/// A login's session: what access tokens carry as `sid`.
public struct SessionRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "session"
    public var id: String
    public var login: String
    public var createdMs: Int64
    public var expiresMs: Int64
    /// When it was ended (logout, an administrator); nil while it lasts.
    public var endedMs: Int64?
    /// Who ended it: the operator's own login, or the administrator's.
    public var endedBy: String?

    public func isLive(nowMs: Int64) -> Bool { endedMs == nil && nowMs < expiresMs }
}

public struct LoginCodeOutboxRecord: RegistryRecord, Sendable, Hashable {
    public static let databaseTableName = "login_code_outbox"
    public var id: Int64?
    public var login: String
    public var phone: String
    public var code: String
    public var createdMs: Int64
}

/// A card with its contact entries, as GetCard shows it.
public struct CardDetails: Sendable, Hashable {
    public var card: CardRecord
    public var contacts: [ContactRecord]
}
