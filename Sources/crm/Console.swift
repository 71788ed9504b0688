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
enum Console {
    nonisolated(unsafe) static var input: any ConsoleInput = TerminalInput()

    static var isInteractive: Bool { input.isInteractive }

    /// One answer typed at the prompt; nil at the end of input.
    static func answer() -> String? { input.line() }

    /// Set by a command whose every prompt may be answered «назад» or «отмена» (the
    /// incoming-call process); elsewhere those words are ordinary answers.
    nonisolated(unsafe) static var movesAllowed = false
    static let backRequested = GatewayError("Вернуться назад", reason: .back)
    static let cancelRequested = GatewayError("Отмена звонка", reason: .cancelCall)
    static let inputEnded = GatewayError("Ввод отменён", reason: .inputEnded)

    static func isMove(_ error: GatewayError) -> Bool {
        error.reason == .back || error.reason == .cancelCall
    }

    static func ask(_ question: String, flag: String, secret: Bool = false) throws -> String {
        guard isInteractive else {
            throw GatewayError("Не хватает значения: укажите \(flag)")
        }
        FileHandle.standardError.write(Data("\(question): ".utf8))
        guard let answer = answer(), !answer.isEmpty else {
            throw inputEnded
        }
        if movesAllowed {
            switch answer.trimmingCharacters(in: .whitespaces).lowercased() {
            case "назад": throw backRequested
            case "отмена": throw cancelRequested
            default: break
            }
        }
        return answer
    }

    /// The flag's value, else the operator's answer at the terminal.
    static func value(_ given: String?, _ question: String, flag: String) throws -> String {
        if let given { return given }
        return try ask(question, flag: flag)
    }

    /// A choice from a closed list: the flag's value, else a numbered menu at the terminal.
    static func pick<T>(_ given: String?, _ choices: Choices<T>, flag: String) throws -> T {
        if let given { return try choices.pick(given, flag: flag) }
        guard isInteractive else { throw GatewayError("Не хватает значения: укажите \(flag) (\(choices.what))") }
        FileHandle.standardError.write(Data("\(choices.what):\n\(choices.menu)\n".utf8))
        return try retrying { try choices.pick(ask("Номер или название", flag: flag), flag: flag) }
    }

    /// One of `items`, by the flag's value (its key, its label or its number in the list), else
    /// chosen at the terminal; a single item is taken without asking.
    static func pick<T>(
        _ given: String?, _ items: [T], what: String, flag: String, key: (T) -> String, label: (T) -> String
    ) throws -> T {
        guard !items.isEmpty else { throw GatewayError("\(what): выбирать не из чего") }
        func find(_ text: String) throws -> T {
            let wanted = text.lowercased()
            if let item = items.first(where: { key($0).lowercased() == wanted || label($0).lowercased() == wanted }) { return item }
            if let number = Int(wanted), items.indices.contains(number - 1) { return items[number - 1] }
            let partial = items.filter { label($0).lowercased().contains(wanted) }
            if partial.count == 1 { return partial[0] }
            throw GatewayError("\(flag): «\(text)» не найдено среди вариантов «\(what)»: " + items.prefix(10).map { "\(key($0)) («\(label($0))»)" }.joined(separator: ", "))
        }
        if let given { return try find(given) }
        if items.count == 1 { return items[0] }
        guard isInteractive else { throw GatewayError("Не хватает значения: укажите \(flag) (\(what))") }
        let menu = items.enumerated().map { "  \($0.offset + 1). \(label($0.element))" }.joined(separator: "\n")
        FileHandle.standardError.write(Data("\(what):\n\(menu)\n".utf8))
        return try retrying { try find(ask("Номер", flag: flag)) }
    }

    /// At a terminal a wrong answer is asked again (three tries), not the end of the command.
    static func retrying<T>(_ body: () throws -> T) throws -> T {
        for _ in 0..<2 {
            do { return try body() } catch let error as GatewayError where error.reason != .inputEnded && !isMove(error) {
                FileHandle.standardError.write(Data("\(error.message)\n".utf8))
            }
        }
        return try body()
    }

    static func confirm(_ question: String, default answer: Bool) -> Bool {
        guard isInteractive else { return answer }
        FileHandle.standardError.write(Data("\(question) [\(answer ? "Д/н" : "д/Н")]: ".utf8))
        guard let line = Console.answer()?.lowercased(), !line.isEmpty else { return answer }
        return line.hasPrefix("д") || line.hasPrefix("y")
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
