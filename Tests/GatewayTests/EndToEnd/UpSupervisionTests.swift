import CRMAPI
import Foundation
import Gateway
import NIOCore
import NIOPosix
import Synchronization
import Testing
import Wire

/// `crm up` as a process: a service killed under it is reported at once and started again
/// (the wait doubling while it keeps dying), and a port another program holds is a clear
/// error with a non-zero exit, before any service starts.
@Suite(.serialized) struct UpSupervisionTests {
    /// `crm up` running, its stdout and stderr collected as they come.
    final class Up: @unchecked Sendable {
        let process = Process()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-up-\(UUID().uuidString.prefix(8))")
        private let out = Pipe(), err = Pipe()
        private let collected = Mutex((out: Data(), err: Data()))

        init(_ arguments: [String]) throws {
            process.executableURL = ServiceSupervisor.ownDirectory().appendingPathComponent("crm")
            process.arguments = ["up", "--data", directory.path, "--seed-clients", "20"] + arguments
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            out.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                collected.withLock { $0.out.append(data) }
            }
            err.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                collected.withLock { $0.err.append(data) }
            }
            try process.runWithSignalsUnblocked()
        }

        var stdout: String { String(decoding: collected.withLock { $0.out }, as: UTF8.self) }
        var stderr: String { String(decoding: collected.withLock { $0.err }, as: UTF8.self) }

        @discardableResult
        func waitFor(_ text: String, count: Int = 1, timeout: Duration = .seconds(120)) -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if stdout.components(separatedBy: text).count - 1 >= count { return true }
                if !process.isRunning { return stdout.components(separatedBy: text).count - 1 >= count }
                usleep(100_000)
            }
            return false
        }

        /// The pid `crm up` reported for `service`'s latest start.
        func pid(of service: String) -> Int32? {
            let pattern = try! Regex<(Substring, Substring)>("(?:запущен \(service) на \\S+ \\(pid |Сервис \(service) перезапущен \\(pid )([0-9]+)")
            return stdout.matches(of: pattern).last.flatMap { Int32($0.output.1) }
        }

        func stop() -> Int32 {
            if process.isRunning { kill(process.processIdentifier, SIGINT) }
            process.waitUntilExit()
            // What the handlers had not read yet when the process ended.
            out.fileHandleForReading.readabilityHandler = nil
            err.fileHandleForReading.readabilityHandler = nil
            let restOut = out.fileHandleForReading.readDataToEndOfFile()
            let restErr = err.fileHandleForReading.readDataToEndOfFile()
            collected.withLock {
                $0.out.append(restOut)
                $0.err.append(restErr)
            }
            try? FileManager.default.removeItem(at: directory)
            return process.terminationStatus
        }
    }

    static func ports() -> [Int] {
        var ports: [Int] = []
        while ports.count < 3, let port = FreePort.find() { if !ports.contains(port) { ports.append(port) } }
        return ports
    }

    static func addresses(_ ports: [Int]) -> [String] {
        ["--registry", "127.0.0.1:\(ports[0])", "--contacts", "127.0.0.1:\(ports[1])", "--scheduling", "127.0.0.1:\(ports[2])"]
    }

    /// Whether the service answers «serving» within 30 s: a loaded machine may be slow to
    /// answer one call, and the guarantee is that it serves, not how fast.
    static func serving(_ port: Int, _ service: String) async -> Bool {
        let endpoint = ServiceEndpoints.Endpoint(service: service, host: "127.0.0.1", port: port)
        let health = RPCV1.Health.Client(wrapping: endpoint.client(timeout: .seconds(5)).rpc)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if (try? await health.check(RPCV1.HealthCheckRequest()))?.status == .serving { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    @Test func aChildThatDiesIsReportedAndRestartedWithBackoff() async throws {
        let ports = Self.ports()
        let up = try Up(Self.addresses(ports))
        defer { _ = up.stop() }
        #expect(up.waitFor("Сервисы работают"), "\(up.stdout)\n\(up.stderr)")
        let first = try #require(up.pid(of: "contacts"), "\(up.stdout)")

        kill(first, SIGKILL)
        #expect(up.waitFor("сервис contacts (pid \(first)) убит сигналом 9; перезапуск через 1 с", timeout: .seconds(10)), "\(up.stdout)")
        #expect(up.waitFor("Сервис contacts перезапущен"), "\(up.stdout)")
        let second = try #require(up.pid(of: "contacts"))
        #expect(second != first)
        #expect(await Self.serving(ports[1], "contacts"))

        // Dying again at once: the wait doubles.
        kill(second, SIGKILL)
        #expect(up.waitFor("сервис contacts (pid \(second)) убит сигналом 9; перезапуск через 2 с", timeout: .seconds(10)), "\(up.stdout)")
        #expect(up.waitFor("Сервис contacts перезапущен", count: 2), "\(up.stdout)")
        #expect(await Self.serving(ports[1], "contacts"))
        // The others were never touched.
        #expect(!up.stdout.contains("сервис registry") && !up.stdout.contains("сервис scheduling"), "\(up.stdout)")

        // Ctrl-C stops everything, and a stop is no death to report.
        let third = try #require(up.pid(of: "contacts"))
        #expect(up.stop() == 0)
        #expect(up.stdout.contains("Сервисы остановлены"))
        #expect(up.stdout.components(separatedBy: "ВНИМАНИЕ").count - 1 == 2, "\(up.stdout)")
        #expect(kill(third, 0) != 0, "contacts left running")
    }

    /// With --json, the death and the restart are JSON lines on stdout like «running».
    @Test func withJSONTheDeathAndTheRestartAreJSONLines() async throws {
        let ports = Self.ports()
        let up = try Up(Self.addresses(ports) + ["--json"])
        defer { _ = up.stop() }
        #expect(up.waitFor("\"running\""), "\(up.stdout)\n\(up.stderr)")
        // Progress (with the pids) goes to stderr.
        let pattern = try Regex<(Substring, Substring)>("запущен scheduling на \\S+ \\(pid ([0-9]+)")
        let pid = try #require(up.stderr.firstMatch(of: pattern).flatMap { Int32($0.output.1) }, "\(up.stderr)")
        kill(pid, SIGKILL)
        #expect(up.waitFor("\"restarted\"", timeout: .seconds(60)), "\(up.stdout)")
        let lines = up.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == up.stdout.split(separator: "\n").count, "not JSON lines: \(up.stdout)")
        let exited = try #require(lines.first { $0["state"] as? String == "exited" })
        #expect(exited["service"] as? String == "scheduling" && exited["signal"] as? Int == 9 && exited["restartInSeconds"] as? Int == 1, "\(exited)")
        #expect(lines.last?["state"] as? String == "restarted" && lines.last?["service"] as? String == "scheduling")
    }

    /// A registry still loading 300,000 demo clients is not ready within a second.
    @Test func aServiceThatNeverBecomesReadyIsAClearErrorAndANonZeroExit() async throws {
        let ports = Self.ports()
        let up = try Up(Self.addresses(ports) + ["--services", "registry", "--ready-timeout", "1", "--seed-clients", "300000"])
        up.process.waitUntilExit()
        #expect(up.stop() == 1, "\(up.stdout)\n\(up.stderr)")
        #expect(up.stderr.hasPrefix("Сервис registry (127.0.0.1:\(ports[0])) запущен, но не стал готов за 1 с"), "\(up.stderr)")
        #expect(!up.stdout.contains("работают"))
        // The service that never became ready was stopped with `crm up`.
        let pid = try #require(up.pid(of: "registry"))
        #expect(kill(pid, 0) != 0, "registry left running")
    }

    @Test func aBusyPortIsAClearErrorAndANonZeroExit() async throws {
        let ports = Self.ports()
        // Another program listening where contacts should.
        let squatter = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: ports[1]).get()
        defer { squatter.close(promise: nil) }

        for json in [false, true] {
            let up = try Up(Self.addresses(ports) + (json ? ["--json"] : []))
            up.process.waitUntilExit()
            let status = up.stop()
            #expect(status == 1, "\(up.stdout)\n\(up.stderr)")
            let expected = "Порт 127.0.0.1:\(ports[1]) для сервиса contacts занят другой программой"
            if json {
                let object = try JSONSerialization.jsonObject(with: Data(up.stdout.utf8)) as? [String: Any]
                #expect((object?["message"] as? String)?.hasPrefix(expected) == true, "\(up.stdout)")
            } else {
                #expect(up.stderr.hasPrefix(expected), "\(up.stderr)")
            }
            #expect(!up.stdout.contains("работают") && !up.stderr.contains("готов"))
            // Nothing was started: the other ports are free.
            #expect(ServiceSupervisor.portIsFree(.init(service: "registry", host: "127.0.0.1", port: ports[0])))
            #expect(ServiceSupervisor.portIsFree(.init(service: "scheduling", host: "127.0.0.1", port: ports[2])))
        }
    }
}
