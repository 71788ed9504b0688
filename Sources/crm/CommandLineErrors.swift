import ArgumentParser
import Foundation
import Gateway
import RPCCore

/// The argument parser's errors and help in the operator's words. The parser says them in
/// English and keeps its error types internal; their structure (the parse error's case and
/// its values) is read by reflection — never their English text — and said again in Russian.
enum CommandLineErrors {
    /// What went wrong with the command line, for the operator: the message and the usage of
    /// the command that was being parsed. Nil for an error that is not the parser's.
    static func russian(_ error: any Error, root: any ParsableCommand.Type) -> (message: String, usage: String)? {
        let mirror = Mirror(reflecting: error)
        guard let stack = mirror.descendant("commandStack") as? [any ParsableCommand.Type],
              let parserError = mirror.descendant("parserError"),
              let command = stack.last
        else { return nil }
        let usage = root.usageString(for: command)
        let names = stack.map { $0._commandName }.joined(separator: " ")
        let usageText = "Использование: \(usage.replacingOccurrences(of: "<subcommand>", with: "<команда>"))\n  Подробнее: \(names) --help"
        guard let payload = Mirror(reflecting: parserError).children.first else {
            // A case without values.
            switch "\(parserError)" {
            case "missingSubcommand": return ("Укажите команду", usageText)
            default: return nil
            }
        }
        let label = payload.label ?? "", value = payload.value
        let parts = Mirror(reflecting: value).children.map(\.value)
        let message: String
        switch label {
        case "unknownOption":
            message = "Нет параметра «\(parts.last.map(optionName) ?? "?")»"
        case "invalidOption", "nonAlphanumericShortOption":
            message = "Неверный параметр «\(value)»"
        case "missingValueForOption", "missingValueOrUnknownCompositeOption":
            message = "Параметру \(parts.dropFirst().first.map(optionName) ?? "?") нужно значение"
        case "unexpectedValueForOption":
            message = "Параметр \(parts.dropFirst().first.map(optionName) ?? "?") указывается без значения (а не «\(parts.last.map { "\($0)" } ?? "")»)"
        case "unexpectedExtraValues":
            let extra = parts.map { "\(Mirror(reflecting: $0).children.map(\.value).last ?? $0)" }
            message = "Лишн\(extra.count == 1 ? "ий аргумент" : "ие аргументы"): " + extra.map { "«\($0)»" }.joined(separator: ", ")
        case "duplicateExclusiveValues":
            message = "Взаимоисключающие параметры указаны вместе; оставьте один"
        case "noValue":
            message = "Не хватает значения: укажите \(synopsis(key: value, usage: usage))"
        case "unableToParseValue":
            let name = (parts.dropFirst().first).flatMap { Mirror(reflecting: $0).children.first?.value }.map(optionName)
            let typed = parts.count > 2 ? "\(parts[2])" : ""
            let what = name ?? (parts.count > 3 ? synopsis(key: parts[3], usage: usage) : "значение")
            var text = "\(what): «\(typed)» не подходит"
            if let original = parts.last.flatMap({ Mirror(reflecting: $0).children.first?.value }) as? ValidationError {
                text += " — \(original)"
            } else {
                text += " (см. \(names) --help)"
            }
            message = text
        case "userValidationError", "noArguments":
            // Our own ValidationErrors are already in Russian.
            message = "\(value)"
        case "notParentCommand":
            message = "Нет команды «\(value)»"
        default:
            return nil
        }
        return (message, usageText)
    }

    /// A first word that names no command: said before the parser, which would complain
    /// about whatever flag follows it instead.
    static func unknownCommand(_ arguments: [String], root: any ParsableCommand.Type) -> (message: String, usage: String)? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = root.configuration.subcommands.map { $0._commandName } + ["help"]
        guard !names.contains(first) else { return nil }
        return ("Нет команды «\(first)»; команды: " + names.dropLast().joined(separator: ", "), "Подробнее: \(root._commandName) --help")
    }

    /// `--page`, `-h` from the parser's Name (`.long("page")`, `.short("h", …)`).
    static func optionName(_ name: Any) -> String {
        guard let child = Mirror(reflecting: name).children.first else { return "\(name)" }
        switch child.label {
        case "long": return "--\(child.value)"
        case "longWithSingleDash": return "-\(child.value)"
        case "short": return "-\(Mirror(reflecting: child.value).children.first?.value ?? child.value)"
        default: return "\(child.value)"
        }
    }

    /// How the usage line names the property behind an input key: `--surname <surname>` or `<card-id>`.
    static func synopsis(key: Any, usage: String) -> String {
        let property = Mirror(reflecting: key).descendant("name") as? String
            ?? Mirror(reflecting: key).descendant(0, "name") as? String ?? "\(key)"
        let kebab = kebabCase(property)
        if usage.contains("--\(kebab)") { return "--\(kebab)" }
        return "<\(kebab)>"
    }

    /// The parser's own spelling of a property name: `cardID` → `card-id`.
    static func kebabCase(_ name: String) -> String {
        var words: [String] = []
        var current = ""
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
            if character.isUppercase, !current.isEmpty, current.last?.isLowercase == true || nextIsLower {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.lowercased() }.joined(separator: "-")
    }

    /// The parser's help with its headings and fixed phrases in Russian.
    static func russianHelp(_ text: String) -> String {
        var help = text
        for (english, russian) in [
            ("OVERVIEW: ", "КРАТКО: "), ("USAGE: ", "ИСПОЛЬЗОВАНИЕ: "), ("ARGUMENTS:", "АРГУМЕНТЫ:"), ("OPTIONS:", "ПАРАМЕТРЫ:"),
            ("SUBCOMMANDS:", "КОМАНДЫ:"), ("Show help information.", "Показать эту справку."),
            ("(default as flag:", "(по умолчанию как флаг:"), ("(default:", "(по умолчанию:"), ("(values:", "(варианты:"), ("; default as flag:", "; по умолчанию как флаг:"), ("; default:", "; по умолчанию:"),
        ] {
            help = help.replacingOccurrences(of: english, with: russian)
        }
        help = help.replacing(/See '(.+?) <subcommand>' for detailed help\./) { "Подробнее о команде: \($0.1) <команда>" }
        return help
    }
}
