import Foundation
import Gateway
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A child started from async code must take SIGTERM: Foundation's `Process` would hand it
/// the calling thread's mask, and Swift concurrency's threads block SIGTERM
/// (swift-corelibs-foundation#4772).
@Suite struct ProcessSignalMaskTests {
    @Test func aChildStartsWithNoSignalBlockedWhateverTheCallersMask() async throws {
        // As on a concurrency thread, whatever thread this test runs on.
        var term = sigset_t()
        sigemptyset(&term)
        sigaddset(&term, SIGTERM)
        var before = sigset_t()
        pthread_sigmask(SIG_BLOCK, &term, &before)
        var during = sigset_t()
        pthread_sigmask(SIG_SETMASK, nil, &during)

        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["60"]
        try child.runWithSignalsUnblocked()
        var after = sigset_t()
        pthread_sigmask(SIG_SETMASK, &before, &after)
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }

        #expect(memcmp(&during, &after, MemoryLayout<sigset_t>.size) == 0, "the caller's mask is restored")
        let status = try String(contentsOfFile: "/proc/\(child.processIdentifier)/status", encoding: .utf8)
        let blocked = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }
        #expect(blocked?.split(separator: "\t").last == "0000000000000000")

        kill(child.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while child.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGTERM)
    }
}
