import Auth
import CRMDomain
import Foundation
public import Wire

// Mapping between the registry's records and the wire messages.

extension LocalDate {
    /// A request's date: nil when absent; INVALID_ARGUMENT on `field` when not a real date.
    static func from(_ date: TypesV1.Date?, field: String) throws(RuleError) -> LocalDate? {
        guard let date else { return nil }
        guard let value = LocalDate(date) else { throw .invalidArgument(field: field, "Неверная дата") }
        return value
    }
}

func wireDate(_ iso: String?) -> TypesV1.Date? { iso.flatMap(LocalDate.init(iso:))?.wire }

extension Regions {
    /// A request's region code; INVALID_ARGUMENT on `field` when the registry does not know it.
    static func region(_ code: String, field: String) throws(RuleError) -> Region {
        guard let region = byCode[code] else { throw .invalidArgument(field: field, "Неизвестный регион «\(code)»") }
        return region
    }
}

func wireRegion(_ code: String) -> TypesV1.RegionRef {
    Regions.byCode[code]?.wire ?? TypesV1.RegionRef(code: code, name: code, moscowOffsetHours: 0)
}

extension CardKind {
    var wire: TypesV1.CardType { TypesV1.CardType(rawValue: Int32(rawValue)) }

    init?(_ wire: TypesV1.CardType) {
        self.init(rawValue: Int(wire.rawValue))
    }
}

extension Role {
    public var wire: TypesV1.OperatorRole {
        TypesV1.OperatorRole(protoName: "OPERATOR_ROLE_" + rawValue) ?? .unspecified
    }

    public init?(_ wire: TypesV1.OperatorRole) {
        let prefix = "OPERATOR_ROLE_"
        guard wire.protoName.hasPrefix(prefix) else { return nil }
        self.init(rawValue: String(wire.protoName.dropFirst(prefix.count)))
    }
}

extension CardRecord {
    var wireName: TypesV1.FullName { TypesV1.FullName(surname: surname, name: name, patronymic: patronymic) }

    var wirePassport: TypesV1.Passport? {
        guard let passportSeries, let passportNumber else { return nil }
        return TypesV1.Passport(series: passportSeries, number: passportNumber)
    }
}

extension CardDetails {
    func wire(today: LocalDate) -> RegistryV1.Card {
        RegistryV1.Card(
            cardID: card.cardID,
            type: card.type.wire,
            rbsNumber: card.rbsNumber,
            fullName: card.wireName,
            birthDate: card.birth?.wire,
            age: Int32(card.birth?.age(on: today) ?? 0),
            region: wireRegion(card.regionCode),
            settlement: card.settlement,
            passport: card.wirePassport,
            contacts: contacts.map(\.wire),
            scriptNames: card.scripts,
            recommendedByCardID: card.recommendedByCardId ?? 0,
            version: card.version,
            personalDataEditable: CardRules.personalDataEditable(card.type),
            createdUnixMs: card.createdMs
        )
    }
}

extension ContactRecord {
    var wire: RegistryV1.ContactEntry {
        RegistryV1.ContactEntry(
            id: String(id ?? 0),
            kind: RegistryV1.ContactDataKind(rawValue: Int32(kind.rawValue)),
            value: value,
            struckOut: struckOut,
            strikeReason: strikeReason.map { RegistryV1.ContactStrikeReason(rawValue: Int32($0.rawValue)) } ?? .unspecified,
            comment: comment
        )
    }
}

extension CardMatch {
    var wire: RegistryV1.CardSummary {
        RegistryV1.CardSummary(
            cardID: card.cardID, type: card.type.wire, fullName: card.wireName, birthDate: card.birth?.wire,
            region: wireRegion(card.regionCode), settlement: card.settlement, phone: phone, passport: card.wirePassport
        )
    }
}

extension ContactChangeRecord {
    var wire: RegistryV1.ContactChange {
        RegistryV1.ContactChange(
            changedUnixMs: changedMs,
            dataType: RegistryV1.ChangedDataType(rawValue: Int32(dataType.rawValue)),
            dataTypeLabel: dataTypeLabel,
            newValue: newValue,
            oldValue: oldValue,
            reason: reason.map { RegistryV1.ContactStrikeReason(rawValue: Int32($0.rawValue)) } ?? .unspecified,
            comment: comment,
            changedBy: TypesV1.OperatorRef(login: byLogin, fullName: byName)
        )
    }
}

extension ProductRecord {
    var wire: RegistryV1.Product {
        RegistryV1.Product(
            productID: id, openDate: wireDate(openDate), name: name,
            productType: TypesV1.ProductCategory(rawValue: Int32(category)), closeDate: wireDate(closeDate),
            creditSumKopecks: creditSum, currentBalanceKopecks: balance, repaidPercent: Int32(repaidPercent),
            isHalvaCard: isHalva
        )
    }
}

extension HalvaTransactionRecord {
    var wire: RegistryV1.HalvaTransaction {
        RegistryV1.HalvaTransaction(
            productID: productId, occurredUnixMs: occurredMs, operationType: operationType,
            amountKopecks: amount, purpose: purpose, shopName: shopName
        )
    }
}

extension OperatorRecord {
    var wire: RegistryV1.Operator {
        RegistryV1.Operator(
            login: login,
            fullName: TypesV1.FullName(surname: surname, name: name, patronymic: patronymic),
            role: Role(rawValue: role)?.wire ?? .unspecified,
            mobilePhone: mobile,
            createdUnixMs: createdMs
        )
    }
}

extension DebtorMatchRecord {
    var wire: RegistryV1.DebtorMatch {
        RegistryV1.DebtorMatch(
            contractNumber: loan.contractNumber, cardID: card.cardID, borrower: card.wireName,
            birthDate: card.birth?.wire, phoneOwnership: TypesV1.PhoneOwnership(rawValue: Int32(ownership)),
            region: wireRegion(card.regionCode)
        )
    }
}

extension LoanPhoneRecord {
    var wire: RegistryV1.LoanPhone {
        RegistryV1.LoanPhone(
            phone: phone, ownership: TypesV1.PhoneOwnership(rawValue: Int32(ownership)), comment: comment,
            addedUnixMs: addedMs, addedBy: TypesV1.OperatorRef(login: byLogin, fullName: byName)
        )
    }
}

extension ClientCommentRecord {
    var wire: RegistryV1.ClientComment {
        RegistryV1.ClientComment(
            commentID: String(id ?? 0), cardID: cardId, contractNumber: contractNumber, text: text,
            createdUnixMs: createdMs, author: TypesV1.OperatorRef(login: byLogin, fullName: byName)
        )
    }
}
