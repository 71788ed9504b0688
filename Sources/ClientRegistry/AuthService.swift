public import Auth
import CRMDomain
import CRMAPI
import Foundation
import GRDB
import Logging
public import RPCCore
import Wire

/// `crm.registry.v1.Auth`: the two-stage login and the session behind a token.
public struct AuthService: RegistryV1.Auth.ServiceProtocol {
    public let environment: RegistryEnvironment
    public let signer: SessionTokenSigner
    public let codeSender: any LoginCodeSender
    var store: RegistryStore { environment.store }

    public init(environment: RegistryEnvironment, signer: SessionTokenSigner, codeSender: any LoginCodeSender) {
        self.environment = environment
        self.signer = signer
        self.codeSender = codeSender
    }

    /// The keyed hash the registry keeps of each login code instead of the code.
    var codeHash: SecretKeyedHash { signer.keyedHash(purpose: "login-code") }

    private enum StartOutcome: Sendable {
        case issued(account: OperatorRecord?)
        case locked(untilMs: Int64)
        case tooManyCodes
    }

    public func startLogin(request: RegistryV1.StartLoginRequest, context: ServerContext) async throws -> RegistryV1.StartLoginResponse {
        try FieldBounds.check(request, context)
        let login = try LoginRules.login(request.login)
        let source = LoginRules.source(peer: context.peer)
        let now = environment.nowMs()
        var generator = SystemRandomNumberGenerator()
        let code = LoginRules.newCode(using: &generator)
        let expires = now + LoginRules.codeLifetimeMs
        let hash = Data(codeHash.mac(LoginRules.hashInput(login: login, code: code)))
        let outcome = try await store.write { db -> StartOutcome in
            try db.pruneLoginState(nowMs: now)
            let attempt = try db.loginAttempt(login: login, source: source, nowMs: now)
            if let until = attempt.lockedUntilMs, until > now { return .locked(untilMs: until) }
            let recent = try db.recentCodeRequests(login: login, source: source, since: now - LoginRules.codeRequestWindowMs)
            guard recent.login < LoginRules.maxCodesPerLogin, recent.source < LoginRules.maxCodesPerSource else { return .tooManyCodes }
            try db.execute(
                sql: "INSERT INTO login_code_request (login, source, created_ms) VALUES (?, ?, ?)", arguments: [login, source, now]
            )
            guard let account = try db.loginAccount(login) else { return .issued(account: nil) }
            // A new request replaces an unused earlier code.
            try LoginCodeRecord(login: login, codeHash: hash, expiresMs: expires, wrongTries: 0).save(db)
            return .issued(account: account)
        }
        switch outcome {
        case .locked(let until):
            throw RuleError.resourceExhausted(LoginRules.lockedMessage(untilMs: until))
        case .tooManyCodes:
            throw RuleError.resourceExhausted(LoginRules.tooManyCodesMessage)
        case .issued(nil):
            // Nobody has this login: answered as if the code went out, so the answer never
            // tells which logins exist.
            let decoy = LoginRules.decoyMobile(mac: codeHash.mac("decoy\n" + login))
            return RegistryV1.StartLoginResponse(maskedMobile: NationalPhone(stored: decoy).masked, codeExpiresUnixMs: expires)
        case .issued(let account?):
            do {
                try await codeSender.sendLoginCode(
                    login: login, phone: account.mobile, code: code, idempotencyKey: "login-\(login)-\(now)"
                )
            } catch {
                context.logger.warning("Login code not accepted by the SMS service", metadata: ["error": "\(error)"])
                throw RuleError.unavailable("Сервис SMS не принял код; повторите вход позже")
            }
            return RegistryV1.StartLoginResponse(maskedMobile: NationalPhone(stored: account.mobile).masked, codeExpiresUnixMs: expires)
        }
    }

    private enum CompleteOutcome: Sendable {
        case accepted(OperatorRecord, SessionRecord)
        case rejected
        case locked(untilMs: Int64)
    }

    public func completeLogin(request: RegistryV1.CompleteLoginRequest, context: ServerContext) async throws -> RegistryV1.CompleteLoginResponse {
        try FieldBounds.check(request, context)
        guard LoginRules.isWellFormed(password: request.password) else {
            throw RuleError.invalidArgument(field: "password", "Пароль — 10 цифр: 4 последние цифры мобильного и код из SMS")
        }
        let login = try LoginRules.login(request.login)
        let source = LoginRules.source(peer: context.peer)
        let now = environment.nowMs()
        let codeHash = self.codeHash
        var generator = SystemRandomNumberGenerator()
        let sessionID = SessionRules.newSessionID(using: &generator)
        // The wrong try is committed even though the call then fails.
        let outcome = try await store.write { db -> CompleteOutcome in
            try db.pruneLoginState(nowMs: now)
            var attempt = try db.loginAttempt(login: login, source: source, nowMs: now)
            if let until = attempt.lockedUntilMs, until > now { return .locked(untilMs: until) }
            let account = try db.loginAccount(login)
            let code = try db.loginCode(login)
            let verdict: LoginRules.Verdict = if let account, let code {
                LoginRules.check(password: request.password, mobile: account.mobile, codeExpiresMs: code.expiresMs, nowMs: now) {
                    codeHash.matches(Array(code.codeHash), LoginRules.hashInput(login: login, code: $0))
                }
            } else {
                .rejected
            }
            if case .accepted = verdict, let account {
                try db.deleteLoginCode(login)
                // A login that succeeds from an address forgets that address's wrong tries.
                _ = try LoginAttemptRecord.deleteOne(db, key: ["login": login, "source": source])
                try db.pruneSessions(nowMs: now)
                let session = SessionRecord(
                    id: sessionID, login: login, createdMs: now, expiresMs: now + SessionRules.sessionLifetimeMs
                )
                try session.insert(db)
                return .accepted(account, session)
            }
            let (tries, locks, lockedUntil) = LoginRules.afterWrongTry(failedTries: attempt.failedTries, locks: attempt.locks, nowMs: now)
            attempt.failedTries = tries
            attempt.locks = locks
            attempt.lockedUntilMs = lockedUntil ?? attempt.lockedUntilMs
            attempt.updatedMs = now
            try attempt.save(db)
            if var code {
                code.wrongTries += 1
                if code.wrongTries >= LoginRules.maxWrongTriesPerCode { try db.deleteLoginCode(login) } else { try code.update(db) }
            }
            return lockedUntil.map { .locked(untilMs: $0) } ?? .rejected
        }
        switch outcome {
        case .locked(let until):
            throw RuleError.resourceExhausted(LoginRules.lockedMessage(untilMs: until))
        case .rejected:
            throw RuleError.unauthenticated(LoginRules.wrongPasswordMessage)
        case .accepted(let account, let session):
            let claims = try accessClaims(account, session, nowMs: now)
            return RegistryV1.CompleteLoginResponse(
                sessionToken: signer.sign(claims), expiresUnixMs: claims.expiresUnixMs, operator: account.wire,
                sessionExpiresUnixMs: session.expiresMs
            )
        }
    }

    /// A 5-minute access token of `session`, with the account's role as the registry has it now.
    func accessClaims(_ account: OperatorRecord, _ session: SessionRecord, nowMs: Int64) throws(RuleError) -> SessionClaims {
        guard let role = Role(rawValue: account.role) else { throw .unauthenticated(LoginRules.wrongPasswordMessage) }
        return SessionClaims(
            operatorID: account.id ?? 0, login: account.login, role: role, fullName: account.fullName, issuedUnixMs: nowMs,
            expiresUnixMs: SessionRules.accessExpiry(nowMs: nowMs, sessionExpiresMs: session.expiresMs), sessionID: session.id
        )
    }

    /// The claims of the session token in metadata, expired or not, with a session id.
    private func sessionClaims(_ context: ServerContext) throws(AuthError) -> (claims: SessionClaims, sessionID: String) {
        guard let token = context.metadata.bearerToken, !token.isEmpty else { throw .missingToken }
        let claims = try signer.verifyIgnoringExpiry(token)
        // A token minted from the secret (SYSTEM, tools) has no session to renew or end.
        guard let id = claims.sessionID else { throw .invalidToken }
        return (claims, id)
    }

    public func refreshSession(request: RegistryV1.RefreshSessionRequest, context: ServerContext) async throws -> RegistryV1.RefreshSessionResponse {
        try FieldBounds.check(request, context)
        let (claims, id) = try sessionClaims(context)
        let now = environment.nowMs()
        let found = try await store.read { db -> (SessionRecord, OperatorRecord)? in
            guard let session = try db.session(id: id), session.login == claims.login, session.isLive(nowMs: now),
                  let account = try db.loginAccount(session.login)
            else { return nil }
            return (session, account)
        }
        guard let found else { throw AuthError.sessionEnded }
        let (session, account) = found
        let renewed = try accessClaims(account, session, nowMs: now)
        return RegistryV1.RefreshSessionResponse(
            sessionToken: signer.sign(renewed), expiresUnixMs: renewed.expiresUnixMs, sessionExpiresUnixMs: session.expiresMs
        )
    }

    public func logout(request: RegistryV1.LogoutRequest, context: ServerContext) async throws -> RegistryV1.LogoutResponse {
        try FieldBounds.check(request, context)
        let (claims, id) = try sessionClaims(context)
        let now = environment.nowMs()
        try await store.write { db in try db.endSessions(login: claims.login, id: id, by: claims.login, nowMs: now) }
        environment.sessions.forget(id: id)
        return RegistryV1.LogoutResponse()
    }

    public func getSession(request: RegistryV1.GetSessionRequest, context: ServerContext) async throws -> RegistryV1.GetSessionResponse {
        try FieldBounds.check(request, context)
        let claims = try context.authenticatedOperator()
        let account = try await store.read { db in try db.operatorAccount(login: claims.login) }
        let wire = account?.wire ?? RegistryV1.Operator(
            login: claims.login, fullName: TypesV1.FullName(surname: claims.fullName), role: claims.role.wire
        )
        return RegistryV1.GetSessionResponse(operator: wire, expiresUnixMs: claims.expiresUnixMs)
    }
}

/// `crm.registry.v1.Operators`: accounts, for administrators only.
public struct OperatorsService: RegistryV1.Operators.ServiceProtocol {
    public let environment: RegistryEnvironment
    var store: RegistryStore { environment.store }
    static let rule = "Учётными записями операторов управляет только администратор"

    public init(environment: RegistryEnvironment) {
        self.environment = environment
    }

    public func createOperator(request: RegistryV1.CreateOperatorRequest, context: ServerContext) async throws -> RegistryV1.CreateOperatorResponse {
        let claims = try context.requireRole([.administrator], rule: Self.rule)
        try FieldBounds.check(request, context)
        let login = request.login.trimmingCharacters(in: .whitespaces)
        guard !login.isEmpty, !login.contains(" ") else {
            throw RuleError.invalidArgument(field: "login", "Логин не может быть пустым или содержать пробелы")
        }
        guard let role = Role(request.role) else { throw RuleError.invalidArgument(field: "role", "Укажите роль") }
        let name = request.fullName ?? TypesV1.FullName()
        guard !name.surname.isEmpty, !name.name.isEmpty else {
            throw RuleError.invalidArgument(field: "full_name", "Укажите фамилию и имя")
        }
        let mobile = try NationalPhone(request.mobilePhone, field: "mobile_phone").digits
        guard NationalPhone(stored: mobile).isMobile else {
            throw RuleError.invalidArgument(field: "mobile_phone", "Нужен мобильный номер (9XX)")
        }
        return try await environment.idempotentWrite(request, context: context, by: claims) { db, now in
            guard try db.operatorAccount(login: login) == nil else {
                throw RuleError.alreadyExists(field: "login", "Логин «\(login)» уже занят")
            }
            var record = OperatorRecord(
                id: nil, login: login, surname: name.surname, name: name.name, patronymic: name.patronymic,
                role: role.rawValue, mobile: mobile, createdMs: now
            )
            try record.insert(db)
            record.id = db.lastInsertedRowID
            return RegistryV1.CreateOperatorResponse(operator: record.wire)
        }
    }

    public func endSessions(request: RegistryV1.EndSessionsRequest, context: ServerContext) async throws -> RegistryV1.EndSessionsResponse {
        let claims = try context.requireRole([.administrator], rule: Self.rule)
        try FieldBounds.check(request, context)
        let login = try LoginRules.login(request.login)
        let now = environment.nowMs()
        let ended = try await store.write { db -> Int in
            guard try db.operatorAccount(login: login) != nil else {
                throw RuleError.notFound(field: "login", "Нет оператора с логином «\(login)»")
            }
            return try db.endSessions(login: login, by: claims.login, nowMs: now)
        }
        // This replica's belief in any of them goes at once (the ids are not at hand: all of it).
        environment.sessions.forget()
        context.logger.notice("Sessions ended by an administrator", metadata: ["login": "\(login)", "by": "\(claims.login)", "ended": "\(ended)"])
        return RegistryV1.EndSessionsResponse(ended: Int32(ended))
    }

    public func listOperators(request: RegistryV1.ListOperatorsRequest, context: ServerContext) async throws -> RegistryV1.ListOperatorsResponse {
        try context.requireRole([.administrator], rule: Self.rule)
        try FieldBounds.check(request, context)
        let size = try Paging.size(request.pageSize)
        let after: String?
        if request.pageToken.isEmpty {
            after = nil
        } else {
            guard request.pageToken.hasPrefix("l."), request.pageToken.count > 2 else {
                throw RuleError.invalidArgument(field: "page_token", "Неверный маркер страницы")
            }
            after = String(request.pageToken.dropFirst(2))
        }
        let role = request.role == .unspecified ? nil : Role(request.role)?.rawValue
        let rows = try await store.read { db in try db.operators(role: role, after: after, limit: size + 1) }
        let page = Array(rows.prefix(size))
        let next = rows.count > size ? "l." + page.last!.login : ""
        return RegistryV1.ListOperatorsResponse(operators: page.map(\.wire), nextPageToken: next)
    }
}
