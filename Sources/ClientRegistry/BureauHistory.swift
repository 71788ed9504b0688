import CRMDomain
public import Auth
import CRMAPI
public import RPCCore
public import Wire

/// Where the registry writes the bureau's decision for the contact history (card tab 3).
public protocol BureauHistory: Sendable {
    /// Throws when the decision could not be written (the caller retries; the write is
    /// idempotent by the decision id).
    func record(_ decision: RegistryV1.RequestBureauDecisionResponse, cardID: Int64, by operator: SessionClaims) async throws
}

/// `crm.contacts.v1.ContactHistory/RecordExternalEvent` with a SYSTEM token the registry mints
/// for itself: contacts accepts a bureau decision from no one else.
public struct ContactsBureauHistory: BureauHistory {
    let history: ContactsV1.ContactHistory.Client
    let signer: SessionTokenSigner
    let nowMs: @Sendable () -> Int64

    public static let unrecordedMessage = "Решение БКИ получено, но не записано в историю контактов: повторите запрос"

    public init(client: RPCClient, signer: SessionTokenSigner, nowMs: @escaping @Sendable () -> Int64 = { SystemClockMs.now() }) {
        self.history = ContactsV1.ContactHistory.Client(wrapping: client)
        self.signer = signer
        self.nowMs = nowMs
    }

    public func record(_ decision: RegistryV1.RequestBureauDecisionResponse, cardID: Int64, by operator: SessionClaims) async throws {
        var metadata = Metadata()
        metadata.bearerToken = signer.sign(
            signer.claims(operatorID: 0, login: "crm-registry", role: .system, fullName: "CRM Registry", nowMs: nowMs())
        )
        let request = ContactsV1.RecordExternalEventRequest(
            eventID: decision.decisionID, cardID: cardID, occurredUnixMs: decision.decidedUnixMs,
            operator: TypesV1.OperatorRef(login: `operator`.login, fullName: `operator`.fullName),
            event: .bureauDecision(.init(decisionID: decision.decisionID, decision: decision.decision, validUntilUnixMs: decision.validUntilUnixMs))
        )
        do {
            _ = try await history.recordExternalEvent(request, metadata: metadata, options: CallOptions(timeout: .seconds(5)))
        } catch {
            throw RuleError.unavailable(Self.unrecordedMessage)
        }
    }
}
