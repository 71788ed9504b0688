import Foundation
import Gateway
import Synchronization

/// A command at a pseudo-terminal (script(1)) driven as a person drives it: read the screen
/// until a prompt shows, type the next line. Everything the terminal shows, typed echo
/// included, is in `screen`.
final class PseudoTerminal: @unchecked Sendable {
    private let process = Process()
    private let keyboard = Pipe()
    private let screenPipe = Pipe()
    private let shown = Mutex(Data())

    init(_ executable: URL, _ arguments: [String], environment: [String: String]) throws {
        let command = ([executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        // Whatever happens, the command ends within a minute.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["60", "/usr/bin/script", "-qec", command, "/dev/null"]
        process.environment = environment
        process.standardInput = keyboard
        process.standardOutput = screenPipe
        process.standardError = screenPipe
        screenPipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            shown.withLock { $0.append(data) }
        }
        try process.runWithSignalsUnblocked()
    }

    var screen: String { String(decoding: shown.withLock { $0 }, as: UTF8.self) }

    /// Waits until the screen shows `text` `count` times in all; false after `timeout`.
    @discardableResult
    func waitFor(_ text: String, count: Int = 1, timeout: Duration = .seconds(30)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if screen.components(separatedBy: text).count - 1 >= count { return true }
            usleep(50_000)
        }
        return false
    }

    func type(_ line: String) {
        keyboard.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Closes the keyboard and waits for the command's exit status.
    func finish() -> Int32 {
        try? keyboard.fileHandleForWriting.close()
        process.waitUntilExit()
        screenPipe.fileHandleForReading.readabilityHandler = nil
        let rest = screenPipe.fileHandleForReading.readDataToEndOfFile()
        shown.withLock { $0.append(rest) }
        return process.terminationStatus
    }
}

extension ServicesHarness {
    /// `crm <arguments>` at a pseudo-terminal with this harness's services and `login`'s session file.
    func terminal(_ arguments: [String], as login: String) throws -> PseudoTerminal {
        var environment = ProcessInfo.processInfo.environment
        environment["CRM_REGISTRY"] = "\(endpoints.registry)"
        environment["CRM_CONTACTS"] = "\(endpoints.contacts)"
        environment["CRM_SCHEDULING"] = "\(endpoints.scheduling)"
        environment["CRM_SESSION_FILE"] = directory.appendingPathComponent("sessions/\(login).json").path
        environment["COLUMNS"] = "80"
        return try PseudoTerminal(bin.appendingPathComponent("crm"), arguments, environment: environment)
    }
}
