import Foundation

/// The terminal's echo turned off while a secret is typed (termios), so a password never
/// stands on the screen or in a terminal's scroll-back.
enum TerminalEcho {
    /// Runs `body` with echo off when standard input is a terminal, and restores the
    /// terminal's settings afterwards — on SIGINT and SIGTERM too, so an interrupted prompt
    /// does not leave the shell without echo. Nothing typed ahead is discarded (TCSANOW).
    static func off<T>(_ body: () async throws -> T) async rethrows -> T {
        guard isatty(STDIN_FILENO) == 1 else { return try await body() }
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return try await body() }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        savedSettings = saved
        let previousInt = signal(SIGINT, restoreAndExit)
        let previousTerm = signal(SIGTERM, restoreAndExit)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            signal(SIGINT, previousInt)
            signal(SIGTERM, previousTerm)
        }
        return try await body()
    }

    /// Whether echo is off now: the Enter the operator typed was not shown either, so the
    /// next line starts with a newline of ours.
    static var isSilent: Bool {
        guard isatty(STDIN_FILENO) == 1 else { return false }
        var current = termios()
        return tcgetattr(STDIN_FILENO, &current) == 0 && current.c_lflag & tcflag_t(ECHO) == 0
    }

    nonisolated(unsafe) static var savedSettings = termios()
}

/// A C signal handler may call only async-signal-safe functions: tcsetattr and _exit are.
private func restoreAndExit(_ signal: Int32) {
    tcsetattr(STDIN_FILENO, TCSANOW, &TerminalEcho.savedSettings)
    _exit(128 + signal)
}
