import CRMAPI
import Foundation
import RPCCore
import Testing
import Wire
import TestSupport

extension ProcessFaults {
    /// Guessing the login code against the real registry process: 200 guesses at once get at
    /// most 5 evaluated (the counter is one transaction), and the lock outlives a kill -9.
    @Suite("Login code brute force", .serialized)
    struct LoginBruteForceTests {
        @Test func concurrentGuessesAreLockedOutAndTheLockSurvivesAKill() async throws {
            let smsFile = NSTemporaryDirectory() + "crm-faults-codes-\(UUID().uuidString.prefix(8)).jsonl"
            defer { try? FileManager.default.removeItem(atPath: smsFile) }
            let registry = try ServiceProcess("registry", extraArguments: ["--bootstrap-admin", "admin:9161234599", "--sms-file", smsFile])
            defer { registry.stop() }
            try await registry.start()
            let auth = RegistryV1.Auth.Client(wrapping: registry.client())
            _ = try await auth.startLogin(RegistryV1.StartLoginRequest(login: "admin"))
            let text = try String(contentsOfFile: smsFile, encoding: .utf8)
            let code = String(try #require(text.split(separator: "\n").last).filter(\.isNumber).suffix(6))
            try #require(code.count == 6)

            // Every other code, all at once, over 8 connections; the right one among them.
            let guesses = (0..<200).map { String(format: "%06d", (Int(code)! + 1 + $0 * 4_999) % 1_000_000) } + [code]
            let clients = (0..<8).map { _ in RegistryV1.Auth.Client(wrapping: registry.client()) }
            let codes = try await withThrowingTaskGroup(of: StatusCode?.self) { group in
                for (index, guess) in guesses.enumerated() {
                    group.addTask {
                        do {
                            _ = try await clients[index % clients.count].completeLogin(RegistryV1.CompleteLoginRequest(login: "admin", password: "4599" + guess))
                            return nil
                        } catch let error as RPCError {
                            return error.code
                        }
                    }
                }
                var codes: [StatusCode?] = []
                for try await code in group { codes.append(code) }
                return codes
            }
            let wrong = codes.filter { $0 == .unauthenticated }.count
            let locked = codes.filter { $0 == .resourceExhausted }.count
            let succeeded = codes.filter { $0 == nil }.count
            print("brute force: \(guesses.count) concurrent guesses: \(wrong) refused as wrong, \(locked) refused as locked (the 5th wrong try locks), \(succeeded) logged in")
            #expect(wrong + succeeded <= 5)
            #expect(locked == guesses.count - wrong - succeeded)

            // A crash does not unlock: after kill -9 and a restart the login is still locked.
            registry.kill9()
            try await registry.start()
            let after = RegistryV1.Auth.Client(wrapping: registry.client())
            if succeeded == 0 {
                let right = await rpcError { _ = try await after.completeLogin(RegistryV1.CompleteLoginRequest(login: "admin", password: "4599" + code)) }
                #expect(right?.code == .resourceExhausted)
                let again = await rpcError { _ = try await after.startLogin(RegistryV1.StartLoginRequest(login: "admin")) }
                #expect(again?.code == .resourceExhausted)
                #expect(again?.message.isEmpty == false)
            }
        }
    }
}

