/// Who a session token speaks for, and for how long.
public struct SessionClaims: Sendable, Hashable, Codable {
    /// The operator's account id in the registry.
    public var operatorID: Int64
    /// The login («SSO: vafinana»).
    public var login: String
    public var role: Role
    /// «Вафина Наталья Александровна»
    public var fullName: String
    public var issuedUnixMs: Int64
    public var expiresUnixMs: Int64
    /// The registry's session this access token belongs to (an operator's login); nil for
    /// tokens minted from the secret (SYSTEM callers, tools), which have no session to end.
    public var sessionID: String?

    public init(
        operatorID: Int64, login: String, role: Role, fullName: String, issuedUnixMs: Int64, expiresUnixMs: Int64,
        sessionID: String? = nil
    ) {
        self.operatorID = operatorID
        self.login = login
        self.role = role
        self.fullName = fullName
        self.issuedUnixMs = issuedUnixMs
        self.expiresUnixMs = expiresUnixMs
        self.sessionID = sessionID
    }

    enum CodingKeys: String, CodingKey {
        case operatorID = "id"
        case login = "l"
        case role = "r"
        case fullName = "n"
        case issuedUnixMs = "iat"
        case expiresUnixMs = "exp"
        case sessionID = "sid"
    }
}
