import CRMAPI
import Foundation
import RPCCore
import Wire

/// Starts the services as separate processes on 127.0.0.1, each with its SQLite file under a
/// data folder and its log beside it, waits until each answers its health check, and stops
/// them with SIGTERM (SIGKILL after a grace period) — what `crm up` and `crm demo` run on.
public final class ServiceSupervisor: @unchecked Sendable {
    public struct Plan: Sendable {
        public var service: String
        public var endpoint: ServiceEndpoints.Endpoint
        public var extraArguments: [String]

        public init(service: String, endpoint: ServiceEndpoints.Endpoint, extraArguments: [String] = []) {
            self.service = service
            self.endpoint = endpoint
            self.extraArguments = extraArguments
        }
    }

    public let dataDirectory: URL
    public let binDirectory: URL
    public let authSecret: String
    private var running: [(plan: Plan, process: Process)] = []

    /// `binDirectory`: where the service executables are (by default, beside `crm`).
    public init(dataDirectory: URL, binDirectory: URL, authSecret: String) {
        self.dataDirectory = dataDirectory
        self.binDirectory = binDirectory
        self.authSecret = authSecret
    }

    /// The folder of the running executable.
    public static func ownDirectory() -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    public func executable(for service: String) -> URL {
        binDirectory.appendingPathComponent(service)
    }

    /// Starts every plan and waits until each is serving; on any failure stops what started.
    public func start(_ plans: [Plan], log: (String) -> Void) async throws(GatewayError) {
        do {
            // Private to this user: the databases, logs and SMS file hold clients' data and login codes.
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.createDirectory(
                at: dataDirectory.appendingPathComponent("logs"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw GatewayError("Не удалось создать папку данных \(dataDirectory.path): \(error.localizedDescription)")
        }
        for plan in plans {
            let binary = executable(for: plan.service)
            guard FileManager.default.isExecutableFile(atPath: binary.path) else {
                stop()
                throw GatewayError("Не найдена программа сервиса \(plan.service): \(binary.path) (соберите её: swift build --product \(plan.service))")
            }
            let process = Process()
            process.executableURL = binary
            process.arguments = [
                "--host", plan.endpoint.host, "--port", "\(plan.endpoint.port)",
                "--database", dataDirectory.appendingPathComponent("\(plan.service).sqlite").path,
                // Killed without a chance to stop them (SIGKILL), `crm` leaves no services behind.
                "--exit-with-parent",
            ] + plan.extraArguments
            var environment = ProcessInfo.processInfo.environment
            environment["CRM_AUTH_SECRET"] = authSecret
            process.environment = environment
            let logURL = dataDirectory.appendingPathComponent("logs/\(plan.service).log")
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil, attributes: [.posixPermissions: 0o600])
            if let handle = try? FileHandle(forWritingTo: logURL) {
                process.standardOutput = handle
                process.standardError = handle
            }
            do {
                try process.runWithSignalsUnblocked()
            } catch {
                stop()
                throw GatewayError("Не удалось запустить сервис \(plan.service): \(error.localizedDescription)")
            }
            running.append((plan, process))
            log("запущен \(plan.service) на \(plan.endpoint) (pid \(process.processIdentifier), журнал \(logURL.path))")
        }
        for (plan, process) in running {
            do {
                try await waitUntilServing(plan.endpoint, process: process)
            } catch {
                stop()
                throw error
            }
            log("\(plan.service) готов")
        }
    }

    /// Whether a started service has exited on its own.
    public func exited() -> [String] {
        running.filter { !$0.process.isRunning }.map(\.plan.service)
    }

    /// SIGTERM to every service, then SIGKILL to any still running after `grace`.
    public func stop(grace: Duration = .seconds(10)) {
        for (_, process) in running where process.isRunning {
            process.terminate()
        }
        let deadline = ContinuousClock.now + grace
        for (_, process) in running {
            while process.isRunning, ContinuousClock.now < deadline {
                usleep(20_000)
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        running.removeAll()
    }

    private func waitUntilServing(_ endpoint: ServiceEndpoints.Endpoint, process: Process) async throws(GatewayError) {
        let health = RPCV1.Health.Client(wrapping: endpoint.client(timeout: .seconds(1)).rpc)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw GatewayError("Сервис \(endpoint.service) завершился при запуске (код \(process.terminationStatus)); см. его журнал")
            }
            if let answer = try? await health.check(RPCV1.HealthCheckRequest()), answer.status == .serving {
                return
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw GatewayError("Сервис \(endpoint.service) (\(endpoint)) не ответил за 60 секунд")
    }
}
