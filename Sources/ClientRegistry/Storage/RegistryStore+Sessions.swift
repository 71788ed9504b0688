public import Auth
import Foundation
public import GRDB
import Synchronization

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

/// The registry's answer to "does this session still last", from its database. A session
/// found live is believed for `recheckMs` (1 s) without another read — a database read on
/// every call cost a third of the registry's throughput — except past its end, and this
/// replica forgets it the moment it ends one itself. So the replica that ended a session
/// refuses it at once, every other replica within 1 s.
public final class RegistrySessions: SessionLiveness {
    public static let recheckMs: Int64 = 1000

    let store: RegistryStore
    private struct Seen {
        var checkedMs: Int64
        var expiresMs: Int64
    }
    private let live: Mutex<[String: Seen]>
    private let capacity: Int

    public init(store: RegistryStore, capacity: Int = 4096) {
        self.store = store
        self.capacity = capacity
        self.live = Mutex([:])
    }

    public func ensureLive(_ claims: SessionClaims, nowMs: Int64) async throws {
        guard let id = claims.sessionID else { return }
        if let seen = live.withLock({ $0[id] }), nowMs - seen.checkedMs < Self.recheckMs, nowMs < seen.expiresMs { return }
        let session = try await store.read { db in try db.session(id: id) }
        guard let session, session.login == claims.login, session.isLive(nowMs: nowMs) else {
            forget(id: id)
            throw AuthError.sessionEnded
        }
        live.withLock { live in
            // Past the bound (a long uptime's stale ids) start over rather than track recency.
            if live.count >= capacity { live.removeAll(keepingCapacity: true) }
            live[id] = Seen(checkedMs: nowMs, expiresMs: session.expiresMs)
        }
    }

    /// Drops what this replica believed of the sessions it just ended.
    func forget(id: String? = nil) {
        live.withLock { live in
            if let id { live[id] = nil } else { live.removeAll() }
        }
    }
}
