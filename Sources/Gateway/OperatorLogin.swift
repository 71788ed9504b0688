import CRMAPI
import Foundation
import RPCCore
import Wire

/// The two-stage login as a script performs it: stage one sends the code by SMS; the code is
/// read from the development SMS file (the "phone" of the embedded setup); stage two sends
/// the last 4 digits of the mobile followed by the code.
public enum OperatorLogin {
    public static func login(
        _ login: String, mobile: String, registry: ServiceEndpoints.Endpoint, smsFile: URL
    ) async throws(GatewayError) -> Session {
        let client = registry.client()
        let auth = RegistryV1.Auth.Client(wrapping: client.rpc)
        // Only an SMS written after this request counts: an earlier login's code is spent.
        let offset = (try? FileManager.default.attributesOfItem(atPath: smsFile.path)[.size] as? NSNumber)?.intValue ?? 0
        _ = try await client.call { _ in try await auth.startLogin(RegistryV1.StartLoginRequest(login: login)) }
        let code = try await waitForCode(to: mobile, in: smsFile, after: offset)
        let completed = try await client.call { _ in
            try await auth.completeLogin(RegistryV1.CompleteLoginRequest(login: login, password: String(mobile.suffix(4)) + code))
        }
        return Session(
            token: completed.sessionToken, login: login,
            fullName: Labels.fullName(completed.operator?.fullName),
            role: completed.operator.map { Labels.role($0.role) } ?? "—",
            expiresUnixMilliseconds: completed.expiresUnixMs,
            sessionExpiresUnixMilliseconds: completed.sessionExpiresUnixMs
        )
    }

    /// The newest 6-digit code sent to `mobile`, waiting up to 15 s for the SMS to arrive.
    static func waitForCode(to mobile: String, in file: URL, after offset: Int) async throws(GatewayError) -> String {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let data = FileManager.default.contents(atPath: file.path), data.count > offset,
               let code = latestCode(to: mobile, in: String(decoding: data.dropFirst(offset), as: UTF8.self)) {
                return code
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw GatewayError("SMS с кодом для \(mobile) не пришло за 15 секунд (\(file.path))")
    }

    /// The code in the last line addressed to `mobile`.
    static func latestCode(to mobile: String, in text: String) -> String? {
        for line in text.split(separator: "\n").reversed() where line.contains(mobile) {
            if let match = line.firstMatch(of: /Код[^0-9]*([0-9]{6})/) { return String(match.1) }
        }
        return nil
    }
}
