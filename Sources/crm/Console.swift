import Foundation
import Gateway
import Wire

/// Prompts only when a person is at the terminal; scripts get an error naming the flag.
enum Console {
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    static func ask(_ question: String, flag: String, secret: Bool = false) throws -> String {
        guard isInteractive else {
            throw GatewayError("Не хватает значения: укажите \(flag)")
        }
        FileHandle.standardError.write(Data("\(question): ".utf8))
        guard let answer = readLine(strippingNewline: true), !answer.isEmpty else {
            throw GatewayError("Ввод отменён")
        }
        return answer
    }

    static func printJSON(_ message: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(message), as: UTF8.self))
    }
}

enum ProcessInfoEnvironmentValues {
    static var all: [String: String] { ProcessInfo.processInfo.environment }
}
