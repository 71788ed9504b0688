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

    /// An account that may log in by password (SYSTEM accounts may not).
    func loginAccount(_ login: String) async throws -> OperatorRecord {
        let account = try await store.read { db in try db.operatorAccount(login: login) }
        guard let account, account.role != Role.system.rawValue else {
            throw RegistryError.unauthenticated(LoginRules.unknownLoginMessage)
        }
        return account
    }

    private enum StartOutcome: Sendable {
        case issued(code: String, expiresMs: Int64)
        case locked(untilMs: Int64)
    }

    public func startLogin(request: RegistryV1.StartLoginRequest, context: ServerContext) async throws -> RegistryV1.StartLoginResponse {
        try FieldBounds.check(request, context)
        let login = request.login.trimmingCharacters(in: .whitespaces)
        let account = try await loginAccount(login)
        let now = environment.nowMs()
        var generator = SystemRandomNumberGenerator()
        let code = LoginRules.newCode(using: &generator)
        let outcome = try await store.write { db -> StartOutcome in
            var state = try db.loginState(login)
            if let until = state.lockedUntilMs, until > now { return .locked(untilMs: until) }
            // A new request replaces an unused earlier code.
            state.code = code
            state.codeExpiresMs = now + LoginRules.codeLifetimeMs
            state.lockedUntilMs = nil
            try state.save(db)
            return .issued(code: code, expiresMs: now + LoginRules.codeLifetimeMs)
        }
        switch outcome {
        case .locked(let until):
            throw RegistryError.resourceExhausted(LoginRules.lockedMessage(untilMs: until))
        case .issued(let code, let expires):
            do {
                try await codeSender.sendLoginCode(
                    login: login, phone: account.mobile, code: code, idempotencyKey: "login-\(login)-\(now)"
                )
            } catch {
                context.logger.warning("Login code not accepted by the SMS service", metadata: ["error": "\(error)"])
                throw RegistryError.unavailable("Сервис SMS не принял код; повторите вход позже")
            }
            return RegistryV1.StartLoginResponse(maskedMobile: PhoneNumber.masked(account.mobile), codeExpiresUnixMs: expires)
        }
    }

    private enum CompleteOutcome: Sendable {
        case accepted
        case rejected
        case locked(untilMs: Int64)
    }

    public func completeLogin(request: RegistryV1.CompleteLoginRequest, context: ServerContext) async throws -> RegistryV1.CompleteLoginResponse {
        try FieldBounds.check(request, context)
        guard LoginRules.isWellFormed(password: request.password) else {
            throw RegistryError.invalidArgument(field: "password", "Пароль — 10 цифр: 4 последние цифры мобильного и код из SMS")
        }
        let login = request.login.trimmingCharacters(in: .whitespaces)
        let account = try await loginAccount(login)
        let now = environment.nowMs()
        // The wrong try is committed even though the call then fails.
        let outcome = try await store.write { db -> CompleteOutcome in
            var state = try db.loginState(login)
            if let until = state.lockedUntilMs, until > now { return .locked(untilMs: until) }
            let verdict = LoginRules.check(
                password: request.password, mobile: account.mobile, code: state.code,
                codeExpiresMs: state.codeExpiresMs, nowMs: now
            )
            switch verdict {
            case .accepted:
                state.code = nil
                state.codeExpiresMs = nil
                state.failedTries = 0
                state.lockedUntilMs = nil
                try state.save(db)
                return .accepted
            case .rejected:
                let (tries, lockedUntil) = LoginRules.afterWrongTry(failedTries: state.failedTries, nowMs: now)
                state.failedTries = tries
                state.lockedUntilMs = lockedUntil
                if lockedUntil != nil {
                    state.code = nil
                    state.codeExpiresMs = nil
                }
                try state.save(db)
                return lockedUntil.map { .locked(untilMs: $0) } ?? .rejected
            }
        }
        switch outcome {
        case .locked(let until):
            throw RegistryError.resourceExhausted(LoginRules.lockedMessage(untilMs: until))
        case .rejected:
            throw RegistryError.unauthenticated(LoginRules.wrongPasswordMessage)
        case .accepted:
            guard let role = Role(rawValue: account.role) else { throw RegistryError.unauthenticated(LoginRules.unknownLoginMessage) }
            let claims = signer.claims(
                operatorID: account.id ?? 0, login: account.login, role: role, fullName: account.fullName, nowMs: now
            )
            return RegistryV1.CompleteLoginResponse(
                sessionToken: signer.sign(claims), expiresUnixMs: claims.expiresUnixMs, operator: account.wire
            )
        }
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
            throw RegistryError.invalidArgument(field: "login", "Логин не может быть пустым или содержать пробелы")
        }
        guard let role = Role(request.role) else { throw RegistryError.invalidArgument(field: "role", "Укажите роль") }
        let name = request.fullName ?? TypesV1.FullName()
        guard !name.surname.isEmpty, !name.name.isEmpty else {
            throw RegistryError.invalidArgument(field: "full_name", "Укажите фамилию и имя")
        }
        let mobile = try PhoneNumber.normalize(request.mobilePhone, field: "mobile_phone")
        guard PhoneNumber.isMobile(mobile) else {
            throw RegistryError.invalidArgument(field: "mobile_phone", "Нужен мобильный номер (9XX)")
        }
        return try await environment.idempotentWrite(request, context: context, by: claims) { db, now in
            guard try db.operatorAccount(login: login) == nil else {
                throw RegistryError.alreadyExists(field: "login", "Логин «\(login)» уже занят")
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

    public func listOperators(request: RegistryV1.ListOperatorsRequest, context: ServerContext) async throws -> RegistryV1.ListOperatorsResponse {
        try context.requireRole([.administrator], rule: Self.rule)
        try FieldBounds.check(request, context)
        let size = try Paging.size(request.pageSize)
        let after: String?
        if request.pageToken.isEmpty {
            after = nil
        } else {
            guard request.pageToken.hasPrefix("l."), request.pageToken.count > 2 else {
                throw RegistryError.invalidArgument(field: "page_token", "Неверный маркер страницы")
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
