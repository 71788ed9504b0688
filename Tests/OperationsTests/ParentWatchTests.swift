import Foundation
import Gateway
import Testing

/// `--exit-with-parent`, which `crm up`, `crm demo` and the test harnesses pass: a service
/// whose starter dies without stopping it (SIGKILL, a crash) stops by itself instead of
/// holding its port and database.
@Suite("A service started by another program")
struct ParentWatchTests {
    @Test func stopsOnItsOwnWhenThatProgramIsKilled() async throws {
        let folder = try temporaryFolder("parent")
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try freePort()
        let log = folder.appendingPathComponent("contacts.log").path
        // A shell stands in for `crm up`: it starts the service, prints its pid and waits.
        let starter = Process()
        starter.executableURL = URL(fileURLWithPath: "/bin/sh")
        starter.arguments = [
            "-c", #""$0" --host 127.0.0.1 --port "$1" --database "$2" --exit-with-parent >"$3" 2>&1 & echo $!; wait"#,
            binDirectory.appendingPathComponent("contacts").path, "\(port)", folder.appendingPathComponent("contacts.sqlite").path, log,
        ]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CRM_") }
        environment["CRM_AUTH_SECRET"] = sharedSecret
        starter.environment = environment
        let output = Pipe()
        starter.standardOutput = output
        try starter.runWithSignalsUnblocked()
        let pidLine = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let service = try #require(pid_t(pidLine.trimmingCharacters(in: .whitespacesAndNewlines)), "no pid from the starter: «\(pidLine)»")
        defer { if isAlive(service) { kill(service, SIGKILL) } }
        try await waitUntilServing("contacts", port: port) {
            isAlive(service) ? nil : "contacts exited at start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")"
        }

        kill(starter.processIdentifier, SIGKILL)
        starter.waitUntilExit()
        let deadline = ContinuousClock.now + .seconds(20)
        while isAlive(service), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }

        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(!isAlive(service), "the orphaned service still runs 20 s after its starter died:\n\(text.suffix(2000))")
        #expect(text.contains("The parent process is gone"), "\(text.suffix(2000))")
    }

    /// Running, not merely a zombie waiting for whoever adopted it to reap it.
    private func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }
}
