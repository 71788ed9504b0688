import Foundation
import Testing

/// Messages are for people and get reworded; code that decides by them changes behaviour
/// when they do. Decisions go by status code, reason and field (RPCError.Reason,
/// GatewayError.reason). Only the demo, which checks what operators are shown, and lines
/// marked «display only» (not repeating a field a message already names) may look at text.
@Suite struct NoMessageBranchingTests {
    static let pattern = try! NSRegularExpression(pattern: #"message\s*(==|!=)|message\.(hasPrefix|hasSuffix|contains|starts)\("#)

    @Test func noSourceOutsideTheDemoDecidesByAMessagesText() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sources = root.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var offenders: [String] = []
        var scanned = 0
        for case let file as URL in files where file.pathExtension == "swift" {
            let path = file.path.replacingOccurrences(of: root.path + "/", with: "")
            if path.hasPrefix("Sources/Gateway/Demo/") || path.contains("/Generated/") { continue }
            scanned += 1
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = String(line)
                guard !line.contains("display only"), !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") else { continue }
                if Self.pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil {
                    offenders.append("\(path):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(scanned > 100)
        #expect(offenders.isEmpty, "decide by code, reason or field:\n\(offenders.joined(separator: "\n"))")
    }

    @Test func thePatternCatchesWhatItMeansTo() {
        for line in [#"if error.message == "x" {"#, #"error.message.hasPrefix("Cannot connect")"#, "move.message != other.message"] {
            #expect(Self.pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil, "\(line)")
        }
    }
}
