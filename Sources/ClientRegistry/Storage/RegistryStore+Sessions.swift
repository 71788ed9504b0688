public import Auth
import Foundation
public import GRDB

extension Database {
    public func session(id: String) throws -> SessionRecord? {
        try SessionRecord.fetchOne(self, key: id)
    }

    /// Ends the live sessions of `login` (one session when `id` is given); how many were live.
    @discardableResult
    public func endSessions(login: String, id: String? = nil, by: String, nowMs: Int64) throws -> Int {
        var sql = "UPDATE session SET ended_ms = ?, ended_by = ? WHERE login = ? AND ended_ms IS NULL AND expires_ms > ?"
        var arguments: StatementArguments = [nowMs, by, login, nowMs]
        if let id {
            sql += " AND id = ?"
            arguments += [id]
        }
        try execute(sql: sql, arguments: arguments)
        return changesCount
    }

    /// Deletes sessions ended or expired long ago.
    public func pruneSessions(nowMs: Int64) throws {
        let before = nowMs - SessionRules.endedSessionMemoryMs
        try execute(sql: "DELETE FROM session WHERE expires_ms <= ? OR ended_ms <= ?", arguments: [before, before])
    }
}

/// The registry's answer to "does this session still last", from its database on every
/// call, so a logout or an administrator's end is seen at once by every registry replica.
public struct RegistrySessions: SessionLiveness {
    let store: RegistryStore

    public init(store: RegistryStore) {
        self.store = store
    }

    public func ensureLive(_ claims: SessionClaims, nowMs: Int64) async throws {
        guard let id = claims.sessionID else { return }
        let session = try await store.read { db in try db.session(id: id) }
        guard let session, session.login == claims.login, session.isLive(nowMs: nowMs) else { throw AuthError.sessionEnded }
    }
}
