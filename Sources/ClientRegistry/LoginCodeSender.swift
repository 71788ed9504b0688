import Auth
import CRMAPI
import Foundation
import ServiceKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import GRDB
public import RPCCore
import Wire

/// Where stage 1 of the login hands the one-time code: the SMS outbox of the scheduling
/// service in production, the registry's own outbox table in tests and the embedded demo.
public protocol LoginCodeSender: Sendable {
    /// Accepts the code for delivery to `phone`; throws if it was not accepted.
    /// `idempotencyKey` is the same for retries of one code.
    func sendLoginCode(login: String, phone: String, code: String, idempotencyKey: String) async throws
}

/// Writes codes to the `login_code_outbox` table of the registry's database; a test (or
/// the demo) reads them with `latestCode(login:)`.
public struct DatabaseLoginCodeOutbox: LoginCodeSender {
    public let writer: any DatabaseWriter
    private let nowMs: @Sendable () -> Int64

    public init(writer: any DatabaseWriter, nowMs: @escaping @Sendable () -> Int64 = { SystemClockMs.now() }) {
        self.writer = writer
        self.nowMs = nowMs
    }

    public func sendLoginCode(login: String, phone: String, code: String, idempotencyKey: String) async throws {
        let now = nowMs()
        try await writer.write { db in
            try LoginCodeOutboxRecord(id: nil, login: login, phone: phone, code: code, createdMs: now).insert(db)
        }
    }

    /// The last code handed over for `login`.
    public func latestCode(login: String) async throws -> LoginCodeOutboxRecord? {
        try await writer.read { db in try db.outboxCodes(login: login).first }
    }
}

/// Sends codes through `crm.scheduling.v1.Sms/SendLoginCode` with a SYSTEM token the
/// registry mints for itself.
public struct SchedulingLoginCodeSender: LoginCodeSender {
    let client: SchedulingV1.Sms.Client
    let signer: SessionTokenSigner
    let nowMs: @Sendable () -> Int64

    public init(client: RPCClient, signer: SessionTokenSigner, nowMs: @escaping @Sendable () -> Int64 = { SystemClockMs.now() }) {
        self.client = SchedulingV1.Sms.Client(wrapping: client)
        self.signer = signer
        self.nowMs = nowMs
    }

    public func sendLoginCode(login: String, phone: String, code: String, idempotencyKey: String) async throws {
        var metadata = Metadata()
        metadata.bearerToken = signer.sign(
            signer.claims(operatorID: 0, login: "crm-registry", role: .system, fullName: "CRM Registry", nowMs: nowMs())
        )
        metadata.idempotencyKey = idempotencyKey
        _ = try await client.sendLoginCode(
            SchedulingV1.SendLoginCodeRequest(login: login, phone: phone, code: code),
            metadata: metadata,
            options: CallOptions(timeout: .seconds(5))
        )
    }
}

/// The development SMS "phone": appends one JSON line per code to a file, which the demo
/// and `crm login --sms-file` read:
/// `{"phone":"9161234567","login":"vcc.ivanova","text":"Код для входа в CRM: 123456","createdUnixMs":…}`.
/// Each line goes out in one `write(2)` on a descriptor opened with O_APPEND, so lines from
/// concurrent logins never interleave. Retries of one code append it again (harmless: the
/// reader takes the newest line for the phone).
public struct FileLoginCodeSender: LoginCodeSender {
    public let path: String
    private let nowMs: @Sendable () -> Int64

    public init(path: String, nowMs: @escaping @Sendable () -> Int64 = { SystemClockMs.now() }) {
        self.path = path
        self.nowMs = nowMs
    }

    public static func text(code: String) -> String { "Код для входа в CRM: \(code)" }

    public static func line(phone: String, login: String, code: String, createdMs: Int64) -> String {
        "{\"phone\":\(JSONText.string(phone)),\"login\":\(JSONText.string(login)),\"text\":\(JSONText.string(text(code: code))),"
            + "\"createdUnixMs\":\(createdMs)}\n"
    }

    public func sendLoginCode(login: String, phone: String, code: String, idempotencyKey: String) async throws {
        let bytes = Array(Self.line(phone: phone, login: login, code: code, createdMs: nowMs()).utf8)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else { throw FileLoginCodeSenderError(path: path, errno: errno) }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw FileLoginCodeSenderError(path: path, errno: errno) }
    }
}

public struct FileLoginCodeSenderError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "не удалось записать SMS в \(path): \(String(cString: strerror(errno)))" }
}
