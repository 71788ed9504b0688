import Foundation
import GRDB
import Wire

/// A row of `call_session`: one CRM2 call from opening to save or exit. Read and written
/// through cached statements with explicit columns: every step of a call touches it.
struct SessionRecord: FetchableRecord, Sendable {
    enum State: String, Sendable {
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

    init(
        sessionID: String, cardID: Int64, campaignID: String, direction: Int32, cardType: Int32, clientUtcOffset: Int,
        operatorLogin: String, operatorName: String, operatorRole: String, leaseID: String?, currentBlockID: String?,
        scriptPath: String, objectionAttempts: Int, draft: Data?, draftKind: Int32?, openedMs: Int64, state: State, entryID: String?
    ) {
        self.sessionID = sessionID
        self.cardID = cardID
        self.campaignID = campaignID
        self.direction = direction
        self.cardType = cardType
        self.clientUtcOffset = clientUtcOffset
        self.operatorLogin = operatorLogin
        self.operatorName = operatorName
        self.operatorRole = operatorRole
        self.leaseID = leaseID
        self.currentBlockID = currentBlockID
        self.scriptPath = scriptPath
        self.objectionAttempts = objectionAttempts
        self.draft = draft
        self.draftKind = draftKind
        self.openedMs = openedMs
        self.state = state
        self.entryID = entryID
    }

    init(row: Row) throws {
        sessionID = row["session_id"]
        cardID = row["card_id"]
        campaignID = row["campaign_id"]
        direction = row["direction"]
        cardType = row["card_type"]
        clientUtcOffset = row["client_utc_offset"]
        operatorLogin = row["operator_login"]
        operatorName = row["operator_name"]
        operatorRole = row["operator_role"]
        leaseID = row["lease_id"]
        currentBlockID = row["current_block_id"]
        scriptPath = row["script_path"]
        objectionAttempts = row["objection_attempts"]
        draft = row["draft"]
        draftKind = row["draft_kind"]
        openedMs = row["opened_ms"]
        guard let state = State(rawValue: row["state"]) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "call_session.state is not open, saved or exited")
        }
        self.state = state
        entryID = row["entry_id"]
    }

    static func fetch(_ db: Database, id: String) throws -> SessionRecord? {
        try fetchOne(cached: db, sql: "SELECT * FROM call_session WHERE session_id = ?", arguments: [id])
    }

    func insert(_ db: Database) throws {
        try db.executeCached(
            sql: """
            INSERT INTO call_session (session_id, card_id, campaign_id, direction, card_type, client_utc_offset,
                operator_login, operator_name, operator_role, lease_id, current_block_id, script_path,
                objection_attempts, draft, draft_kind, opened_ms, state, entry_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            arguments: [
                sessionID, cardID, campaignID, direction, cardType, clientUtcOffset, operatorLogin, operatorName, operatorRole,
                leaseID, currentBlockID, scriptPath, objectionAttempts, draft, draftKind, openedMs, state.rawValue, entryID,
            ]
        )
    }

    /// Writes what a call changes as it goes; who, what and when it was opened never change.
    func update(_ db: Database) throws {
        try db.executeCached(
            sql: """
            UPDATE call_session SET lease_id = ?, current_block_id = ?, script_path = ?, objection_attempts = ?,
                draft = ?, draft_kind = ?, state = ?, entry_id = ?
            WHERE session_id = ?
            """,
            arguments: [leaseID, currentBlockID, scriptPath, objectionAttempts, draft, draftKind, state.rawValue, entryID, sessionID]
        )
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
