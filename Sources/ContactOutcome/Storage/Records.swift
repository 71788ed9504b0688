import Foundation
import GRDB
import Wire

/// A row of `call_session`: one CRM2 call from opening to save or exit.
struct SessionRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "call_session"

    enum State: String, Codable, Sendable {
        case open, saved, exited
    }

    var sessionID: String
    var cardID: Int64
    var campaignID: String
    var direction: Int32
    var cardType: Int32
    var clientUtcOffset: Int
    var operatorLogin: String
    var operatorName: String
    var operatorRole: String
    var leaseID: String?
    var currentBlockID: String?
    /// Block ids passed, newline-separated, in order.
    var scriptPath: String
    var objectionAttempts: Int
    /// The draft `CallResult`, protobuf-encoded.
    var draft: Data?
    var draftKind: Int32?
    var openedMs: Int64
    var state: State
    var entryID: String?

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id", cardID = "card_id", campaignID = "campaign_id", direction
        case cardType = "card_type", clientUtcOffset = "client_utc_offset", operatorLogin = "operator_login"
        case operatorName = "operator_name", operatorRole = "operator_role", leaseID = "lease_id"
        case currentBlockID = "current_block_id", scriptPath = "script_path", objectionAttempts = "objection_attempts"
        case draft, draftKind = "draft_kind", openedMs = "opened_ms", state, entryID = "entry_id"
    }

    var path: [String] { scriptPath.isEmpty ? [] : scriptPath.split(separator: "\n").map(String.init) }

    var draftResult: ContactsV1.CallResult? {
        guard let draft else { return nil }
        return try? ContactsV1.CallResult(serializedBytes: [UInt8](draft))
    }
}

/// A row of `call_list`: one client on one campaign's list.
struct CallListRow: FetchableRecord, Sendable {
    var campaignID: String
    var cardID: Int64
    var status: String
    var dueMs: Int64
    var dueReason: Int32
    var attempts: Int
    var holdLogin: String?
    var leaseID: String?
    var leaseLogin: String?
    var leaseExpiresMs: Int64?
    var leaseInSession: Bool

    init(row: Row) throws {
        campaignID = row["campaign_id"]
        cardID = row["card_id"]
        status = row["status"]
        dueMs = row["due_ms"]
        dueReason = row["due_reason"]
        attempts = row["attempts"]
        holdLogin = row["hold_login"]
        leaseID = row["lease_id"]
        leaseLogin = row["lease_login"]
        leaseExpiresMs = row["lease_expires_ms"]
        leaseInSession = row["lease_in_session"]
    }
}

/// Stored answers of idempotent methods, per operator and key.
enum Idempotency {
    /// The first answer's bytes when this key was used for the same request; nil when unused;
    /// INVALID_ARGUMENT when it was used for another request.
    static func lookup(_ db: Database, login: String, key: String, method: String, request: [UInt8]) throws -> [UInt8]? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT method, request, response FROM idempotency WHERE operator_login = ? AND key = ?", arguments: [login, key]
        ) else { return nil }
        let storedMethod: String = row["method"]
        let storedRequest: Data = row["request"]
        guard storedMethod == method, storedRequest == Data(request) else {
            throw ContactsError.invalidArgument(field: "idempotency-key", ContactsError.reusedKeyMessage)
        }
        let response: Data = row["response"]
        return [UInt8](response)
    }

    static func remember(_ db: Database, login: String, key: String, method: String, request: [UInt8], response: [UInt8], nowMs: Int64) throws {
        try db.execute(
            sql: "INSERT INTO idempotency (operator_login, key, method, request, response, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [login, key, method, Data(request), Data(response), nowMs]
        )
    }
}
