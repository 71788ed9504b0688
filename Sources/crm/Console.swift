import Foundation
import Gateway
import Synchronization
import Wire

/// Where the operator's answers come from. Every prompt of every command reads through
/// `Console.input`, so the answers can come from elsewhere than the terminal.
protocol ConsoleInput: Sendable {
    var isInteractive: Bool { get }
    func line() -> String?
}

/// Standard input: interactive when it is a terminal.
struct TerminalInput: ConsoleInput {
    var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }
    func line() -> String? { readLine(strippingNewline: true) }
}

/// Prompts only when a person is at the terminal; scripts get an error naming the flag.
///
/// Asking is a loop (console-kit's habit): the question is shown, the answer read and
/// checked where it is typed, and a wrong answer is said why and asked again. Only an
/// answer the check takes, «назад», a confirmed «отмена», or the end of input leaves it.
enum Console {
    nonisolated(unsafe) static var input: any ConsoleInput = TerminalInput()

    static var isInteractive: Bool { input.isInteractive }

    /// How many answers have been read: a flow going back skips the steps that asked nothing.
    nonisolated(unsafe) static private(set) var answersRead = 0

    /// One answer typed at the prompt; nil at the end of input.
    static func answer() -> String? {
        answersRead += 1
        return input.line()
    }

    /// Set by a flow whose every question may be answered «назад» or «отмена» (a call, the
    /// incoming-call process); elsewhere those words are ordinary answers.
    nonisolated(unsafe) static var movesAllowed = false
    /// What «отмена» cancels, for its confirmation («Отменить звонок?»).
    nonisolated(unsafe) static var cancelQuestion = "Отменить звонок? Ничего не будет сохранено"
    static let backRequested = GatewayError("Вернуться назад", reason: .back)
    static let cancelRequested = GatewayError("Отмена звонка", reason: .cancelCall)
    static let inputEnded = GatewayError("Ввод отменён", reason: .inputEnded)

    static func isMove(_ error: GatewayError) -> Bool {
        error.reason == .back || error.reason == .cancelCall
    }

    static func say(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Asks `question` until `check` takes the answer; `check` throws a `GatewayError` whose
    /// message is the reason said before asking again. `defaultAnswer` is what Enter means
    /// (shown in brackets); without one an empty answer is asked again.
    static func question<T>(
        _ question: String, default defaultAnswer: String? = nil, flag: String, secret: Bool = false,
        emptyAllowed: Bool = false, _ check: (String) throws -> T
    ) throws -> T {
        guard isInteractive else { throw GatewayError("Не хватает значения: укажите \(flag)") }
        let shown = defaultAnswer.map { "\(question) [\($0)]" } ?? question
        while true {
            FileHandle.standardError.write(Data("\(shown): ".utf8))
            guard let line = secret ? readSecret() : answer() else { throw inputEnded }
            let typed = line.trimmingCharacters(in: .whitespaces)
            if movesAllowed {
                switch typed.lowercased() {
                case "назад":
                    throw backRequested
                case "отмена":
                    if confirm(cancelQuestion, default: false) { throw cancelRequested }
                    continue
                default: break
                }
            }
            let text = typed.isEmpty ? (defaultAnswer ?? "") : line
            if text.isEmpty && !emptyAllowed {
                say(movesAllowed ? "Нужен ответ («назад» — к прошлому вопросу, «отмена» — отменить)" : "Нужен ответ")
                continue
            }
            do {
                return try check(text)
            } catch let refusal as GatewayError where refusal.reason != .inputEnded && !isMove(refusal) {
                say(refusal.message)
            }
        }
    }

    /// Like `question`, but Enter leaves the field empty (nil): a comment, an optional time.
    static func optional<T>(_ question: String, hint: String, flag: String, _ check: (String) throws -> T) throws -> T? {
        try Console.question("\(question) (\(hint))", flag: flag, emptyAllowed: true) { text in
            text.isEmpty ? nil : try check(text)
        }
    }

    static func ask(_ question: String, flag: String, secret: Bool = false) throws -> String {
        try Console.question(question, flag: flag, secret: secret) { $0 }
    }

    /// The flag's value, else the operator's answer at the terminal.
    static func value(_ given: String?, _ question: String, flag: String) throws -> String {
        if let given { return given }
        return try ask(question, flag: flag)
    }

    /// A choice from a closed list: the flag's value, else a numbered menu at the terminal.
    static func pick<T>(_ given: String?, _ choices: Choices<T>, flag: String) throws -> T {
        if let given { return try choices.pick(given, flag: flag) }
        return try choose(choices.what, choices.options, flag: flag, label: \.label, key: \.key).value
    }

    /// One of `items`, by the flag's value (its key, its label or its number in the list), else
    /// chosen at the terminal; a single item is taken without asking.
    static func pick<T>(
        _ given: String?, _ items: [T], what: String, flag: String, key: (T) -> String, label: (T) -> String
    ) throws -> T {
        guard !items.isEmpty else { throw GatewayError("\(what): выбирать не из чего") }
        if let given {
            switch ChoiceMatch.find(given, items, label: label, key: key, keysFirst: true) {
            case .found(let item): return item
            case .refused(let reason): throw GatewayError("\(flag): \(reason)")
            }
        }
        if items.count == 1 { return items[0] }
        return try choose(what, items, flag: flag, label: label, key: key)
    }

    /// The numbered menu and the question «Номер или название», asked until one item is
    /// named: by number, the manual's label or a unique beginning of it (any case).
    static func choose<T>(
        _ what: String, _ items: [T], flag: String, default defaultAnswer: String? = nil,
        label: (T) -> String, key: (T) -> String = { _ in "" }
    ) throws -> T {
        guard !items.isEmpty else { throw GatewayError("\(what): выбирать не из чего") }
        guard isInteractive else { throw GatewayError("Не хватает значения: укажите \(flag) (\(what))") }
        say("\(what):\n" + items.enumerated().map { "  \($0.offset + 1). \(label($0.element))" }.joined(separator: "\n"))
        return try question("Номер или название", default: defaultAnswer, flag: flag) { text in
            switch ChoiceMatch.find(text, items, label: label, key: key) {
            case .found(let item): return item
            case .refused(let reason): throw GatewayError(reason)
            }
        }
    }

    /// Yes or no as a question of a flow: «назад» and «отмена» work here, and anything but
    /// yes, no or Enter (the default) is asked again.
    static func yesNo(_ question: String, default answer: Bool, flag: String) throws -> Bool {
        try Console.question("\(question) (д/н)", default: answer ? "д" : "н", flag: flag) { text in
            let typed = text.trimmingCharacters(in: .whitespaces).lowercased()
            if ["д", "да", "y", "yes"].contains(typed) { return true }
            if ["н", "нет", "n", "no"].contains(typed) { return false }
            throw GatewayError("Ответьте «д» (да) или «н» (нет)")
        }
    }

    /// Yes or no: «д»/«да»/«y» or «н»/«нет»/«n»; Enter keeps the default; anything else is
    /// asked again. A script (or the end of input) gets the default.
    static func confirm(_ question: String, default answer: Bool) -> Bool {
        guard isInteractive else { return answer }
        while true {
            FileHandle.standardError.write(Data("\(question) [\(answer ? "Д/н" : "д/Н")]: ".utf8))
            guard let line = Console.answer()?.trimmingCharacters(in: .whitespaces).lowercased() else { return answer }
            if line.isEmpty { return answer }
            if ["д", "да", "y", "yes"].contains(line) { return true }
            if ["н", "нет", "n", "no"].contains(line) { return false }
            say("Ответьте «д» (да) или «н» (нет)")
        }
    }

    /// A line read with the terminal's echo off (a password, a code), when stdin is a terminal.
    static func readSecret() -> String? {
        guard isatty(STDIN_FILENO) == 1, input is TerminalInput else { return answer() }
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return answer()
    }

    /// One compact JSON object on one line (JSON Lines), for a command that reports more than once.
    static func printJSONLine(_ message: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(message), as: UTF8.self))
    }

    static func printJSON(_ message: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(message), as: UTF8.self))
    }
}

/// A spinner on stderr for work that takes more than a second; only at a terminal.
enum Progress {
    /// Every service call that waits more than a second shows which service it waits for.
    static func installForServiceCalls() {
        guard isatty(STDERR_FILENO) == 1 else { return }
        ServiceClient.slowCall = { endpoint in
            // The lock keeps a last frame from being drawn after the line was cleared.
            let stopped = Mutex(false)
            let spinner = Task {
                let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
                var index = 0
                while !Task.isCancelled {
                    stopped.withLock { stopped in
                        guard !stopped else { return }
                        FileHandle.standardError.write(Data("\r\(frames[index % frames.count]) ждём ответа сервиса \(endpoint.service) (\(endpoint))…".utf8))
                    }
                    index += 1
                    try? await Task.sleep(for: .milliseconds(120))
                }
            }
            return {
                spinner.cancel()
                stopped.withLock { stopped in
                    stopped = true
                    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
                }
            }
        }
    }
}

enum ProcessInfoEnvironmentValues {
    static var all: [String: String] { ProcessInfo.processInfo.environment }
}
