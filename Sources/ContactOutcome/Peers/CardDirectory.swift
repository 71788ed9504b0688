import CRMDomain
public import Auth
import CRMAPI
public import RPCCore
import Synchronization
import Wire

/// Which client cards exist: a call session is opened only on a card of the registry.
public protocol CardDirectory: Sendable {
    /// Returns when the card exists; throws NOT_FOUND (`card_id`), or UNAVAILABLE when the
    /// registry cannot say.
    func requireCard(_ cardID: Int64) async throws
}

/// Asks the registry (`GetCard`) with a SYSTEM token the service mints for itself. Cards are
/// never deleted, so a card once seen is remembered (up to `memory` of them) and the next
/// session on it costs no call. Fails closed: no answer, no session.
public final class RegistryCardDirectory: CardDirectory {
    let registry: RegistryV1.ClientRegistry.Client
    let signer: SessionTokenSigner
    let nowMs: @Sendable () -> Int64
    let memory: Int
    private let known = Mutex<Set<Int64>>([])

    public static let unavailableMessage = "Реестр клиентов недоступен: звонок не открыт, повторите позже"

    public init(
        client: RPCClient, signer: SessionTokenSigner, memory: Int = 100_000, nowMs: @escaping @Sendable () -> Int64 = { SystemClockMs.now() }
    ) {
        self.registry = RegistryV1.ClientRegistry.Client(wrapping: client)
        self.signer = signer
        self.memory = memory
        self.nowMs = nowMs
    }

    public func requireCard(_ cardID: Int64) async throws {
        if known.withLock({ $0.contains(cardID) }) { return }
        var metadata = Metadata()
        metadata.bearerToken = signer.sign(
            signer.claims(operatorID: 0, login: "crm-contacts", role: .system, fullName: "CRM Contacts", nowMs: nowMs())
        )
        do {
            _ = try await registry.getCard(.init(cardID: cardID), metadata: metadata, options: CallOptions(timeout: .seconds(5)))
        } catch let error as RPCError where error.code == .notFound {
            throw RuleError.notFound(field: "card_id", "Карточка \(cardID) не найдена")
        } catch {
            throw RuleError.unavailable(Self.unavailableMessage)
        }
        known.withLock { known in
            if known.count >= memory { known.removeAll(keepingCapacity: true) }
            known.insert(cardID)
        }
    }
}

/// A service started without `--registry`: it cannot check a card, so it opens no session.
public struct NoCardDirectory: CardDirectory {
    public init() {}

    public func requireCard(_ cardID: Int64) async throws {
        throw RuleError.unavailable("Не задан адрес реестра клиентов (--registry): звонок не открыт")
    }
}
