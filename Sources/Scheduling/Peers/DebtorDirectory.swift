import CRMDomain
public import Auth
import CRMAPI
public import RPCCore
import Wire

/// Who may receive a collection SMS: only the debtor, on a contract with debt, at one of the
/// debtor's own phones (230-ФЗ: a third party must learn nothing of a debt). The facts live
/// in the client registry.
public protocol DebtorDirectory: Sendable {
    /// Returns when `phone` is the debtor's own on `contract` (of card `cardID`) and the contract
    /// has debt; otherwise throws the refusal, or UNAVAILABLE when the registry cannot say.
    func checkCollectionRecipient(contract: String, cardID: Int64, phone: String) async throws
}

/// Asks the registry (`IdentifyDebtorByPhone`, then `GetLoan` to name a refusal) with a SYSTEM
/// token the service mints for itself. Fails closed: no answer, no SMS.
public struct RegistryDebtorDirectory: DebtorDirectory {
    let registry: RegistryV1.ClientRegistry.Client
    let signer: SessionTokenSigner
    let nowMs: @Sendable () -> Int64

    public static let thirdPartyRule = "SMS о задолженности отправляется только на телефон должника по этому договору"
    public static let unavailableMessage = "Реестр клиентов недоступен: SMS о задолженности не отправлено, повторите позже"

    public init(client: RPCClient, signer: SessionTokenSigner, nowMs: @escaping @Sendable () -> Int64 = { SystemClockMs.now() }) {
        self.registry = RegistryV1.ClientRegistry.Client(wrapping: client)
        self.signer = signer
        self.nowMs = nowMs
    }

    public func checkCollectionRecipient(contract: String, cardID: Int64, phone: String) async throws {
        var metadata = Metadata()
        metadata.bearerToken = signer.sign(
            signer.claims(operatorID: 0, login: "crm-scheduling", role: .system, fullName: "CRM Scheduling", nowMs: nowMs())
        )
        let options = CallOptions(timeout: .seconds(5))
        let matches: [RegistryV1.DebtorMatch]
        do {
            matches = try await registry.identifyDebtorByPhone(.init(phone: phone), metadata: metadata, options: options).matches
        } catch {
            throw RuleError.unavailable(Self.unavailableMessage)
        }
        if let match = matches.first(where: { $0.contractNumber == contract }) {
            guard match.phoneOwnership == .client else { throw RuleError.permissionDenied(Self.thirdPartyRule, field: "phone") }
            guard match.cardID == cardID else {
                throw RuleError.failedPrecondition("Договор \(contract) не относится к карточке \(cardID)", field: "card_id")
            }
            return
        }
        // The phone is not the debtor's on this contract; name why for the collector.
        let loan: RegistryV1.Loan?
        do {
            loan = try await registry.getLoan(.init(contractNumber: contract), metadata: metadata, options: options).loan
        } catch let error as RPCError where error.code == .notFound {
            throw RuleError.failedPrecondition("Договор \(contract) не найден", field: "contract_number")
        } catch {
            throw RuleError.unavailable(Self.unavailableMessage)
        }
        guard let loan, (loan.general?.debtKopecks ?? 0) > 0 else {
            throw RuleError.failedPrecondition("По договору \(contract) нет задолженности", field: "contract_number")
        }
        throw RuleError.permissionDenied(Self.thirdPartyRule, field: "phone")
    }
}

/// A service started without `--registry`: it cannot tell a debtor from a third party, so it
/// sends no collection SMS.
public struct NoDebtorDirectory: DebtorDirectory {
    public init() {}

    public func checkCollectionRecipient(contract: String, cardID: Int64, phone: String) async throws {
        throw RuleError.unavailable("Не задан адрес реестра клиентов (--registry): SMS о задолженности не отправляется")
    }
}
