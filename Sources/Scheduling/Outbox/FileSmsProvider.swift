import Foundation
import ServiceKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The development SMS "phone": appends one JSON line per message to a file, e.g.
/// `{"smsId":"sms-…","phone":"9161234567","login":"vcc.ivanova","text":"Код для входа в CRM: 123456","createdUnixMs":…}`
/// (the format the gateway's login reads). Each line goes out in one `write(2)` on a
/// descriptor opened with O_APPEND, so lines of concurrent workers never interleave.
public struct FileSmsProvider: SmsProvider {
    public let path: String
    private let nowMs: @Sendable () -> Int64
    public var name: String { "file" }

    public init(path: String, nowMs: @escaping @Sendable () -> Int64) {
        self.path = path
        self.nowMs = nowMs
    }

    public static func line(_ sms: OutgoingSms, createdMs: Int64) -> String {
        var fields = ["\"smsId\":\(JSONText.string(sms.id))", "\"phone\":\(JSONText.string(sms.phone))"]
        if !sms.login.isEmpty { fields.append("\"login\":\(JSONText.string(sms.login))") }
        fields.append("\"text\":\(JSONText.string(sms.text))")
        fields.append("\"createdUnixMs\":\(createdMs)")
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    public func send(_ sms: OutgoingSms) async throws -> SmsHandOff {
        // The file is the phone: a message already in it was sent, whatever the outbox
        // managed to record before a crash. Only such messages pay for the read.
        if sms.mayHaveBeenSent, let sent = try? String(contentsOfFile: path, encoding: .utf8),
           sent.contains("\"smsId\":\(JSONText.string(sms.id)),") {
            return .delivered
        }
        let bytes = Array(Self.line(sms, createdMs: nowMs()).utf8)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else { throw SmsProviderError.temporary("не удалось открыть \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw SmsProviderError.temporary("не удалось записать SMS в \(path): \(String(cString: strerror(errno)))") }
        return .delivered
    }
}
