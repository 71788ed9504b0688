import Foundation
import Gateway
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The harness's watchdog: Kannel's boxes must not outlive a test process that dies
/// without stopping them.
@Suite struct KannelWatchdogTests {
    @Test func stopsTheChildOnceTheParentIsGone() async throws {
        let parent = try sleeper()
        let child = try sleeper()
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }
        let watchdog = try startWatchdog(parent: parent.processIdentifier, child: child.processIdentifier)
        defer { if watchdog.isRunning { kill(watchdog.processIdentifier, SIGKILL) } }

        try await Task.sleep(for: .milliseconds(1500))
        #expect(child.isRunning, "the parent still runs: the child must be left alone")

        kill(parent.processIdentifier, SIGKILL)
        parent.waitUntilExit()
        let deadline = Date().addingTimeInterval(5)
        while child.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!child.isRunning)
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGTERM)
    }

    private func sleeper() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["60"]
        try process.runWithSignalsUnblocked()
        return process
    }
}
