public import Auth
public import RPCCore

/// Operators' session tokens for tests: one signer over a test secret (the same secret the
/// servers under test verify with), and the metadata a call carries.
public struct TestTokens: Sendable {
    public let signer: SessionTokenSigner
    let operatorID: Int64
    let fullName: String
    let nowMs: @Sendable () -> Int64

    public init(
        secret: String, lifetime: Duration = .seconds(3600), operatorID: Int64 = 1,
        fullName: String = "Вафина Наталья Александровна", nowMs: @escaping @Sendable () -> Int64
    ) throws {
        signer = try SessionTokenSigner(secret: secret, lifetime: lifetime)
        self.operatorID = operatorID
        self.fullName = fullName
        self.nowMs = nowMs
    }

    public func claims(_ role: Role, login: String) -> SessionClaims {
        signer.claims(operatorID: operatorID, login: login, role: role, fullName: fullName, nowMs: nowMs())
    }

    public func token(_ role: Role, login: String) -> String { signer.sign(claims(role, login: login)) }

    /// A call's metadata: the operator's token and, when given, an idempotency key.
    public func metadata(_ role: Role, login: String, key: String? = nil) -> Metadata {
        var metadata = Metadata()
        metadata.bearerToken = token(role, login: login)
        if let key { metadata.idempotencyKey = key }
        return metadata
    }
}
