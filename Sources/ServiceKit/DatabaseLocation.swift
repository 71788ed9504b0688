public import ArgumentParser
import Foundation

/// Where a service keeps its data, from `--database` (or `CRM_DATABASE`): a
/// `postgres://user[:password]@host[:port]/database` URL means PostgreSQL (several replicas
/// over one database); anything else is an SQLite file path, the default engine.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresURL)

    public init(parsing text: String, flag: String = "--database") throws {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") else {
            guard !text.isEmpty else { throw ValidationError("\(flag) takes an SQLite file or a postgres:// URL, got nothing") }
            self = .sqlite(path: text)
            return
        }
        self = .postgres(try PostgresURL(parsing: text, flag: flag))
    }

    /// For logs: the file, or the URL without its password.
    public var described: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url.description
        }
    }
}

/// `postgres://user[:password]@host[:port]/database`; the port defaults to 5432.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    public init(parsing text: String, flag: String = "--database") throws {
        let example = "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme) else {
            throw ValidationError("\(flag): «\(Self.redacted(text))» is not a URL of the form \(example)")
        }
        guard let user = url.user, !user.isEmpty else { throw ValidationError("\(flag): the URL names no user (\(example))") }
        guard let host = url.host, !host.isEmpty else { throw ValidationError("\(flag): the URL names no host (\(example))") }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw ValidationError("\(flag): the URL names no database (\(example))") }
        guard url.query == nil else { throw ValidationError("\(flag): URL parameters (?…) are not supported (\(example))") }
        let port = url.port ?? 5432
        guard (1...65535).contains(port) else { throw ValidationError("\(flag): port \(port) is out of range 1–65535") }
        self.user = user
        self.password = url.password
        self.host = host
        self.port = port
        self.database = database
    }

    /// The URL without its password, for logs.
    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    static func redacted(_ text: String) -> String {
        guard let at = text.firstIndex(of: "@"), let scheme = text.range(of: "://"), let colon = text[scheme.upperBound..<at].firstIndex(of: ":") else {
            return text
        }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
