import Foundation
public import GRDB

extension Database {
    public func operatorAccount(login: String) throws -> OperatorRecord? {
        try OperatorRecord.fetchOne(self, sql: "SELECT * FROM operator WHERE login = ?", arguments: [login])
    }

    /// An account that may log in by password (SYSTEM accounts may not).
    public func loginAccount(_ login: String) throws -> OperatorRecord? {
        guard let account = try operatorAccount(login: login), account.role != "SYSTEM" else { return nil }
        return account
    }

    public func loginCode(_ login: String) throws -> LoginCodeRecord? {
        try LoginCodeRecord.fetchOne(self, key: login)
    }

    public func loginAttempt(login: String, source: String, nowMs: Int64) throws -> LoginAttemptRecord {
        try LoginAttemptRecord.fetchOne(self, key: ["login": login, "source": source])
            ?? LoginAttemptRecord(login: login, source: source, failedTries: 0, locks: 0, lockedUntilMs: nil, updatedMs: nowMs)
    }

    /// Stage-1 requests in the SMS window: for `login`, and from `source`.
    public func recentCodeRequests(login: String, source: String, since: Int64) throws -> (login: Int, source: Int) {
        let byLogin = try Int.fetchOne(
            self, sql: "SELECT COUNT(*) FROM login_code_request WHERE login = ? AND created_ms > ?", arguments: [login, since]
        ) ?? 0
        let bySource = try Int.fetchOne(
            self, sql: "SELECT COUNT(*) FROM login_code_request WHERE source = ? AND created_ms > ?", arguments: [source, since]
        ) ?? 0
        return (byLogin, bySource)
    }

    /// Deletes what the login keeps past its use: expired codes (and their outbox copies),
    /// requests older than the SMS window, the tries of addresses quiet for a day. Run in
    /// every login write, so nothing waits for a job.
    public func pruneLoginState(nowMs: Int64) throws {
        try execute(sql: "DELETE FROM login_code_outbox WHERE created_ms <= ?", arguments: [nowMs - LoginRules.codeLifetimeMs])
        try execute(sql: "DELETE FROM login_code WHERE expires_ms <= ?", arguments: [nowMs])
        try execute(
            sql: "DELETE FROM login_code_request WHERE created_ms <= ?", arguments: [nowMs - LoginRules.codeRequestWindowMs]
        )
        try execute(
            sql: "DELETE FROM login_attempt WHERE updated_ms <= ? AND (locked_until_ms IS NULL OR locked_until_ms <= ?)",
            arguments: [nowMs - LoginRules.attemptMemoryMs, nowMs]
        )
    }

    /// Deletes a login's code and the outbox's copies of it (used or spent).
    public func deleteLoginCode(_ login: String) throws {
        try execute(sql: "DELETE FROM login_code WHERE login = ?", arguments: [login])
        try execute(sql: "DELETE FROM login_code_outbox WHERE login = ?", arguments: [login])
    }

    public func operators(role: String?, after login: String?, limit: Int) throws -> [OperatorRecord] {
        var sql = "SELECT * FROM operator WHERE 1"
        var arguments: StatementArguments = []
        if let role {
            sql += " AND role = ?"
            arguments += [role]
        }
        if let login {
            sql += " AND login > ?"
            arguments += [login]
        }
        sql += " ORDER BY login LIMIT ?"
        arguments += [limit]
        return try OperatorRecord.fetchAll(self, sql: sql, arguments: arguments)
    }

    /// The codes the built-in outbox holds for a login, newest first.
    public func outboxCodes(login: String) throws -> [LoginCodeOutboxRecord] {
        try LoginCodeOutboxRecord.fetchAll(
            self, sql: "SELECT * FROM login_code_outbox WHERE login = ? ORDER BY id DESC", arguments: [login]
        )
    }
}

extension RegistryStore {
    /// Creates an ADMINISTRATOR account unless the login exists (first start of a fresh database).
    public func ensureAdministrator(login: String, mobile: String, nowMs: Int64) async throws {
        try await write { db in
            guard try db.operatorAccount(login: login) == nil else { return }
            try OperatorRecord(
                id: nil, login: login, surname: "Администратор", name: login, patronymic: "",
                role: "ADMINISTRATOR", mobile: mobile, createdMs: nowMs
            ).insert(db)
        }
    }
}
