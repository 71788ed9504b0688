import Foundation
public import GRDB

extension Database {
    public func operatorAccount(login: String) throws -> OperatorRecord? {
        try OperatorRecord.fetchOne(self, sql: "SELECT * FROM operator WHERE login = ?", arguments: [login])
    }

    public func loginState(_ login: String) throws -> LoginStateRecord {
        try LoginStateRecord.fetchOne(self, key: login)
            ?? LoginStateRecord(login: login, code: nil, codeExpiresMs: nil, failedTries: 0, lockedUntilMs: nil)
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
