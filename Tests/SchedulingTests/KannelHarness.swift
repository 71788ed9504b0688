import Foundation
import Gateway
import HTTPEndpoint
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Kannel's bearerbox and smsbox with its fake SMS centre on 127.0.0.1, on free ports, with a
/// configuration written to a temporary directory (docs in ../shared/NOTES.md «Kannel»);
/// stopped by PID. Kannel cannot watch its parent, so a watchdog shell per process stops it if
/// this test process dies without `stop` (killed by a timeout, a crash).
final class KannelHarness {
    static let bearerbox = "/usr/sbin/bearerbox"
    static let smsbox = "/usr/sbin/smsbox"
    static let fakesmsc = "/usr/lib/kannel/test/fakesmsc"
    static var installed: Bool { [bearerbox, smsbox, fakesmsc].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } }
    /// CI sets CRM_REQUIRE_KANNEL=1: there a missing Kannel fails the test instead of skipping it.
    static var required: Bool { ProcessInfo.processInfo.environment["CRM_REQUIRE_KANNEL"] == "1" }

    let directory: String
    let adminPort: Int
    let smsboxPort: Int
    let smscPort: Int
    let sendsmsPort: Int
    let user = "crm"
    let password = "crm-test-password"
    let adminPassword = "crm-admin"
    private var processes: [Process] = []
    private var watchdogs: [Process] = []

    /// How often smsbox fetches a dlr-url again that failed, 1 s apart (deploy/kannel: 90, 10 s apart).
    let reportRetries = 30

    init() throws {
        directory = NSTemporaryDirectory() + "kannel-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ports = try freePorts(4)
        (adminPort, smsboxPort, smscPort, sendsmsPort) = (ports[0], ports[1], ports[2], ports[3])
        // Kannel wants blank lines between groups.
        let config = """
            group = core
            admin-port = \(adminPort)
            admin-password = \(adminPassword)
            admin-allow-ip = 127.0.0.1
            smsbox-port = \(smsboxPort)
            box-allow-ip = 127.0.0.1
            dlr-storage = internal
            log-file = "\(directory)/bearerbox.log"
            log-level = 0

            group = smsc
            smsc = fake
            smsc-id = fake
            port = \(smscPort)
            connect-allow-ip = 127.0.0.1

            group = smsbox
            bearerbox-host = 127.0.0.1
            sendsms-port = \(sendsmsPort)
            global-sender = Halva
            log-file = "\(directory)/smsbox.log"
            log-level = 0
            http-request-retry = \(reportRetries)
            http-queue-delay = 1

            group = sendsms-user
            username = \(user)
            password = \(password)
            max-messages = 3

            group = sms-service
            keyword = default
            text = "No service"

            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    var configPath: String { directory + "/kannel.conf" }
    var smsboxLog: String { (try? String(contentsOfFile: directory + "/smsbox.log", encoding: .utf8)) ?? "" }
    var sendsmsURL: URL { URL(string: "http://127.0.0.1:\(sendsmsPort)/cgi-bin/sendsms")! }
    var fakesmscOutput: String { (try? String(contentsOfFile: directory + "/fakesmsc.out", encoding: .utf8)) ?? "" }
    /// Every message the fake SMS centre printed, decoded.
    var received: [FakeSmscMessage] { fakesmscOutput.split(separator: "\n").compactMap { FakeSmscMessage(line: String($0)) } }

    /// Starts bearerbox, then (once its smsbox port accepts: smsbox does not retry) smsbox and
    /// the fake SMS centre; returns when the status page shows the smsbox and the centre online.
    func start() async throws {
        try launch(Self.bearerbox, [configPath], output: "bearerbox.out")
        try await waitUntil("bearerbox's smsbox port accepts") { await self.accepts(self.smsboxPort) }
        try launch(Self.smsbox, [configPath], output: "smsbox.out")
        // -m 0: it only receives; -v 0 prints what it gets.
        try launch(Self.fakesmsc, ["-H", "127.0.0.1", "-r", "\(smscPort)", "-m", "0", "-v", "0", "100 200 text dummy"], output: "fakesmsc.out")
        try await waitUntil("the smsbox and the fake SMS centre are online") {
            guard let status = try? await EndpointClient.request(
                host: "127.0.0.1", port: self.adminPort, uri: "/status.xml?password=\(self.adminPassword)", timeout: .seconds(2)
            ) else { return false }
            let text = String(decoding: status.body, as: UTF8.self)
            return text.contains("<type>smsbox</type>") && text.contains("<status>online")
        }
    }

    /// SIGTERM to each by PID, newest first, waiting for each to exit.
    func stop() {
        for watchdog in watchdogs where watchdog.isRunning {
            kill(watchdog.processIdentifier, SIGKILL)
            watchdog.waitUntilExit()
        }
        watchdogs = []
        for process in processes.reversed() where process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        processes = []
    }

    var logs: String {
        ["bearerbox.log", "smsbox.log", "fakesmsc.out"].map { name in
            "--- \(name)\n" + String(((try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "").suffix(3000))
        }.joined(separator: "\n")
    }

    private func launch(_ path: String, _ arguments: [String], output: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        FileManager.default.createFile(atPath: directory + "/" + output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/" + output))
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithSignalsUnblocked()
        processes.append(process)
        watchdogs.append(try startWatchdog(parent: getpid(), child: process.processIdentifier))
    }

    private func accepts(_ port: Int) async -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// One message as fakesmsc prints it at debug level: `Got message N: <from to TYPE DATA>`.
/// Kannel's fake centre writes the message's bytes URL-encoded (`octstr_url_encode`: `%XX`,
/// a space byte as `+`); TYPE `ucs-2` (coding=2) means those bytes are UTF-16 big-endian,
/// `text` that they are the text itself.
struct FakeSmscMessage: Equatable, CustomStringConvertible {
    var from: String
    var to: String
    var text: String

    var description: String { "\(from) → \(to): \(text)" }

    init(from: String, to: String, text: String) {
        (self.from, self.to, self.text) = (from, to, text)
    }

    init?(line: String) {
        guard let open = line.range(of: "Got message "), let start = line[open.upperBound...].range(of: ": <"),
              let end = line.lastIndex(of: ">"), start.upperBound <= end else { return nil }
        let fields = line[start.upperBound..<end].split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4 else { return nil }
        let bytes = Self.urlDecoded(fields[3])
        switch fields[2] {
        case "ucs-2":
            guard bytes.count % 2 == 0 else { return nil }
            let units = stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            text = String(decoding: units, as: UTF16.self)
        case "text":
            text = String(fields[3])
        default:
            return nil
        }
        from = String(fields[0])
        to = String(fields[1])
    }

    static func urlDecoded(_ encoded: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        var utf8 = Array(encoded.utf8)[...]
        while let byte = utf8.popFirst() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%") where utf8.count >= 2:
                if let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                    bytes.append(value)
                    utf8 = utf8.dropFirst(2)
                } else {
                    bytes.append(byte)
                }
            default: bytes.append(byte)
            }
        }
        return bytes
    }
}

/// Polls `condition` every 100 ms for up to `seconds` (generous: the machine is loaded).
func waitUntil(_ what: String, seconds: Double = 30, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw WaitError(what: what)
}

struct WaitError: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting until \(what)" }
}

/// A shell that polls `parent` once a second; once it is gone, SIGTERM to `child`, and
/// SIGKILL if it is still there 5 s later.
func startWatchdog(parent: pid_t, child: pid_t) throws -> Process {
    let watchdog = Process()
    watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
    watchdog.arguments = [
        "-c",
        #"""
        while kill -0 "$1" 2>/dev/null; do sleep 1; done
        kill -TERM "$2" 2>/dev/null || exit 0
        for _ in 1 2 3 4 5 6 7 8 9 10; do sleep 0.5; kill -0 "$2" 2>/dev/null || exit 0; done
        kill -KILL "$2" 2>/dev/null
        """#,
        "kannel-watchdog", "\(parent)", "\(child)",
    ]
    watchdog.standardOutput = FileHandle.nullDevice
    watchdog.standardError = FileHandle.nullDevice
    try watchdog.runWithSignalsUnblocked()
    return watchdog
}

/// Ports for the processes to bind, each handed out once in this test process (`FreePort`:
/// from below the kernel's range for port-0 binds, so no in-process socket takes one meanwhile).
func freePorts(_ count: Int) throws -> [Int] {
    try (0..<count).map { _ in
        guard let port = FreePort.find() else { throw WaitError(what: "a free port") }
        return port
    }
}
