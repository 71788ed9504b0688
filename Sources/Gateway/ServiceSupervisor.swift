import Auth
import CRMAPI
import Foundation
import RPCCore
import Wire

/// Starts the services as separate processes on 127.0.0.1, each with its SQLite file under a
/// data folder and its log beside it, waits until each answers its health check, and stops
/// them with SIGTERM (SIGKILL after a grace period) — what `crm up` and `crm demo` run on.
/// Once asked to supervise (`crm up`), it reports a child that dies at once and starts it
/// again after a backoff that doubles (1 s … 30 s) while the child keeps dying young.
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
    /// How long a started service has to answer its health check.
    public var readyTimeout: Duration = .seconds(60)
    /// The longest wait before a restart.
    public var longestBackoff: Duration = .seconds(30)

    private struct Child {
        var plan: Plan
        var process: Process
        var startedAt: ContinuousClock.Instant
        /// Restarts in a row of a child that died within a minute of its start.
        var quickRestarts: Int
    }

    /// Guards the state below: a child's end is told on Foundation's own thread.
    private let lock = NSLock()
    private var running: [Child] = []
    private var stopping = false
    private var report: (@Sendable (Event) -> Void)?

    /// What supervision tells: a child's end and its restart.
    public enum Event: Sendable, Equatable {
        /// `status`: the exit code, or the signal when `signalled`.
        case exited(service: String, pid: Int32, status: Int32, signalled: Bool, restartIn: Duration)
        case restarted(service: String, pid: Int32)
        case restartFailed(service: String, message: String)

        /// The event as the operator reads it.
        public var text: String {
            switch self {
            case .exited(let service, let pid, let status, let signalled, let delay):
                let how = signalled ? "убит сигналом \(status)" : "завершился с кодом \(status)"
                return "ВНИМАНИЕ: сервис \(service) (pid \(pid)) \(how); перезапуск через \(Self.seconds(delay)) с"
            case .restarted(let service, let pid):
                return "Сервис \(service) перезапущен (pid \(pid)) и снова работает"
            case .restartFailed(let service, let message):
                return "ВНИМАНИЕ: сервис \(service) не перезапустился: \(message)"
            }
        }

        static func seconds(_ duration: Duration) -> Int { Int(duration.components.seconds) }
    }

    /// `binDirectory`: where the service executables are (by default, beside `crm`).
    public init(dataDirectory: URL, binDirectory: URL, authSecret: String) {
        self.dataDirectory = dataDirectory
        self.binDirectory = binDirectory
        self.authSecret = authSecret
    }

    /// The services' own verdict on a secret (too short, the placeholder), said once before
    /// any of them starts.
    public static func check(secret: String) throws(GatewayError) {
        do { try SessionTokenSigner.validate(secret: secret) } catch { throw GatewayError("\(error)") }
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
            guard FileManager.default.isExecutableFile(atPath: executable(for: plan.service).path) else {
                throw GatewayError("Не найдена программа сервиса \(plan.service): \(executable(for: plan.service).path) (соберите её: swift build --product \(plan.service))")
            }
            // A port another program holds would let that program answer the health check
            // in the service's name while the service itself dies on bind.
            if !Self.portIsFree(plan.endpoint) {
                throw GatewayError(
                    "Порт \(plan.endpoint) для сервиса \(plan.service) занят другой программой: остановите её или укажите другой адрес (--\(plan.service) хост:порт)"
                )
            }
        }
        for plan in plans {
            let process: Process
            do {
                process = try launch(plan)
            } catch {
                stop()
                throw error
            }
            lock.withLock { running.append(Child(plan: plan, process: process, startedAt: .now, quickRestarts: 0)) }
            log("запущен \(plan.service) на \(plan.endpoint) (pid \(process.processIdentifier), журнал \(logURL(plan).path))")
        }
        for child in lock.withLock({ running }) {
            do {
                try await waitUntilServing(child.plan.endpoint, process: child.process)
            } catch {
                stop()
                throw error
            }
            log("\(child.plan.service) готов")
        }
    }

    func logURL(_ plan: Plan) -> URL { dataDirectory.appendingPathComponent("logs/\(plan.service).log") }

    /// Starts one service process; its end is told to `childEnded`.
    private func launch(_ plan: Plan) throws(GatewayError) -> Process {
        let process = Process()
        process.executableURL = executable(for: plan.service)
        process.arguments = [
            "--host", plan.endpoint.host, "--port", "\(plan.endpoint.port)",
            "--database", dataDirectory.appendingPathComponent("\(plan.service).sqlite").path,
            // Killed without a chance to stop them (SIGKILL), `crm` leaves no services behind.
            "--exit-with-parent",
        ] + plan.extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment["CRM_AUTH_SECRET"] = authSecret
        process.environment = environment
        let logURL = logURL(plan)
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        // Appended to: a restarted service's log follows the one that died.
        if let handle = try? FileHandle(forWritingTo: logURL) {
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
        }
        process.terminationHandler = { [weak self] ended in self?.childEnded(ended) }
        do {
            try process.runWithSignalsUnblocked()
        } catch {
            throw GatewayError("Не удалось запустить сервис \(plan.service): \(error.localizedDescription)")
        }
        return process
    }

    /// From now on a child that dies is reported through `report` and started again.
    public func supervise(report: @escaping @Sendable (Event) -> Void) {
        let dead = lock.withLock {
            self.report = report
            return running.filter { !$0.process.isRunning }.map(\.process)
        }
        // Any that died before supervision began.
        for process in dead { childEnded(process) }
    }

    private func childEnded(_ process: Process) {
        let signalled = process.terminationReason == .uncaughtSignal
        Task { [weak self] in
            // A clean exit is a stop someone asked for: Ctrl-C at the terminal reaches the
            // services as well as `crm`, which stops them all a moment later. Only if `crm` is
            // not stopping by then is it a service that left on its own.
            if !signalled, process.terminationStatus == 0 { try? await Task.sleep(for: .milliseconds(500)) }
            self?.decide(process, signalled: signalled)
        }
    }

    private func decide(_ process: Process, signalled: Bool) {
        let decision: (plan: Plan, delay: Duration, report: @Sendable (Event) -> Void)? = lock.withLock {
            guard !stopping, let report, let index = running.firstIndex(where: { $0.process === process }) else { return nil }
            var child = running[index]
            // A child that ran for a minute or more starts over at the shortest wait.
            if ContinuousClock.now - child.startedAt >= .seconds(60) { child.quickRestarts = 0 }
            let delay = min(longestBackoff, .seconds(1 << min(child.quickRestarts, 10)))
            child.quickRestarts += 1
            running[index] = child
            return (child.plan, delay, report)
        }
        guard let decision else { return }
        decision.report(.exited(
            service: decision.plan.service, pid: process.processIdentifier, status: process.terminationStatus,
            signalled: signalled, restartIn: decision.delay
        ))
        Task { [weak self] in
            try? await Task.sleep(for: decision.delay)
            await self?.restart(decision.plan, replacing: process)
        }
    }

    private func restart(_ plan: Plan, replacing old: Process) async {
        let report = lock.withLock { stopping ? nil : self.report }
        guard let report else { return }
        let process: Process
        do {
            process = try launch(plan)
        } catch {
            report(.restartFailed(service: plan.service, message: error.message))
            return
        }
        let kept = lock.withLock { () -> Bool in
            guard !stopping, let index = running.firstIndex(where: { $0.process === old }) else { return false }
            running[index].process = process
            running[index].startedAt = .now
            return true
        }
        guard kept else {
            // Stopped while it was starting.
            process.terminate()
            return
        }
        do {
            try await waitUntilServing(plan.endpoint, process: process)
            report(.restarted(service: plan.service, pid: process.processIdentifier))
        } catch {
            // A child that died on the way is told by its own end; one that never answered is
            // ended, and restarted like any other.
            if process.isRunning {
                report(.restartFailed(service: plan.service, message: error.message))
                kill(process.processIdentifier, SIGKILL)
            }
        }
    }

    /// Whether a started service has exited on its own.
    public func exited() -> [String] {
        lock.withLock { running }.filter { !$0.process.isRunning }.map(\.plan.service)
    }

    /// The process id of each running service, by name.
    public func processIdentifiers() -> [String: Int32] {
        Dictionary(lock.withLock { running }.map { ($0.plan.service, $0.process.processIdentifier) }, uniquingKeysWith: { $1 })
    }

    /// SIGTERM to every service, then SIGKILL to any still running after `grace`.
    public func stop(grace: Duration = .seconds(10)) {
        let children = lock.withLock {
            stopping = true
            defer { running.removeAll() }
            return running
        }
        for child in children where child.process.isRunning {
            child.process.terminate()
        }
        let deadline = ContinuousClock.now + grace
        for child in children {
            while child.process.isRunning, ContinuousClock.now < deadline {
                usleep(20_000)
            }
            if child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
        }
    }

    /// Whether nothing listens on the endpoint's port: a trial bind, with SO_REUSEADDR as
    /// the services bind (connections in TIME_WAIT do not count; a listener does). A host
    /// this cannot parse is left to the service to refuse.
    public static func portIsFree(_ endpoint: ServiceEndpoints.Endpoint) -> Bool {
        let host = endpoint.host == "localhost" ? "127.0.0.1" : endpoint.host
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        let port = in_port_t(UInt16(clamping: endpoint.port)).bigEndian
        let family: Int32
        if inet_pton(AF_INET, host, &ipv4) == 1 {
            family = AF_INET
        } else if inet_pton(AF_INET6, host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), &ipv6) == 1 {
            family = AF_INET6
        } else {
            return true
        }
        let socketFD = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return true }
        defer { close(socketFD) }
        var yes: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port
            address.sin_addr = ipv4
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port
            address.sin6_addr = ipv6
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        return bound == 0
    }

    private func waitUntilServing(_ endpoint: ServiceEndpoints.Endpoint, process: Process) async throws(GatewayError) {
        let health = RPCV1.Health.Client(wrapping: endpoint.client(timeout: .seconds(1)).rpc)
        let deadline = ContinuousClock.now + readyTimeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw GatewayError("Сервис \(endpoint.service) завершился при запуске (код \(process.terminationStatus)); см. его журнал")
            }
            if let answer = try? await health.check(RPCV1.HealthCheckRequest()), answer.status == .serving {
                return
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw GatewayError(
            "Сервис \(endpoint.service) (\(endpoint)) запущен, но не стал готов за \(Event.seconds(readyTimeout)) с; см. его журнал \(dataDirectory.appendingPathComponent("logs/\(endpoint.service).log").path)"
        )
    }
}
