import Foundation
import RPCCore

/// The operator's session: the only thing the gateway keeps, in a file only its owner can
/// read (0600), so another user of the machine cannot borrow it.
public struct Session: Codable, Sendable, Hashable {
    public var token: String
    public var login: String
    public var fullName: String
    public var role: String
    /// When the access token expires (5 minutes after it was issued or renewed).
    public var expiresUnixMilliseconds: Int64
    /// When the session ends at the latest (12 hours after the login): the access token is
    /// renewed until then. Nil in files written before sessions were renewable.
    public var sessionExpiresUnixMilliseconds: Int64?

    public init(
        token: String, login: String, fullName: String, role: String, expiresUnixMilliseconds: Int64,
        sessionExpiresUnixMilliseconds: Int64? = nil
    ) {
        self.token = token
        self.login = login
        self.fullName = fullName
        self.role = role
        self.expiresUnixMilliseconds = expiresUnixMilliseconds
        self.sessionExpiresUnixMilliseconds = sessionExpiresUnixMilliseconds
    }

    /// Past the session's end (or, in an old file, the token's): only a new login helps.
    public var isExpired: Bool {
        Int64(Date().timeIntervalSince1970 * 1000) >= (sessionExpiresUnixMilliseconds ?? expiresUnixMilliseconds)
    }
}

public struct SessionStore: Sendable {
    public let path: String

    /// `$CRM_SESSION_FILE`, else `~/.crm/session.json`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> SessionStore {
        if let path = environment["CRM_SESSION_FILE"], !path.isEmpty { return SessionStore(path: path) }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return SessionStore(path: home + "/.crm/session.json")
    }

    public init(path: String) {
        self.path = path
    }

    public func save(_ session: Session) throws(GatewayError) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
            let data = try JSONEncoder().encode(session)
            // Create with 0600 before writing, so the token is never readable by others.
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            try data.write(to: url)
        } catch {
            throw GatewayError("Не удалось сохранить сессию в \(path): \(error.localizedDescription)")
        }
    }

    /// The saved session; nil when there is none. An expired one is reported as such.
    public func load() throws(GatewayError) -> Session? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let session = try? JSONDecoder().decode(Session.self, from: data) else {
            throw GatewayError("Файл сессии \(path) повреждён: войдите заново (crm login)")
        }
        return session
    }

    /// The session a command needs, or the reason it cannot run.
    public func require() throws(GatewayError) -> Session {
        guard let session = try load() else {
            throw GatewayError("Вы не вошли в систему: crm login", code: .unauthenticated)
        }
        guard !session.isExpired else {
            throw GatewayError("Сессия истекла: войдите заново (crm login)", code: .unauthenticated)
        }
        return session
    }

    public func clear() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
