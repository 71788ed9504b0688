import Foundation
import Testing

/// NIO's `.socketOption(name)` sets `name` at level SOL_SOCKET whatever the name:
/// `.socketOption(.tcp_nodelay)` is `setsockopt(SOL_SOCKET, SO_DEBUG)` (both are 1). As root
/// that succeeds and does nothing useful; as any other user (the images' uid 10001) it fails
/// with EACCES and NIO closes every accepted or connecting channel. Tests run as root, so
/// no test over a connection can see it: TCP-level names go through `.tcpOption`.
@Suite struct SocketOptionLevelTests {
    static let pattern = try! NSRegularExpression(pattern: #"socketOption\(\s*\.tcp_"#)

    @Test func noTCPLevelOptionIsSetAtTheSocketLevel() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var offenders: [String] = []
        var scanned = 0
        for folder in ["Sources", "Benchmarks", "Fuzz"] {
            guard let files = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil) else { continue }
            for case let file as URL in files where file.pathExtension == "swift" && !file.path.contains("/.build/") {
                scanned += 1
                let text = try String(contentsOf: file, encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).enumerated()
                where Self.pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil {
                    offenders.append("\(file.path.replacingOccurrences(of: root.path + "/", with: "")):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(scanned > 100)
        #expect(offenders.isEmpty, "use .tcpOption(.tcp_…):\n\(offenders.joined(separator: "\n"))")
    }

    @Test func thePatternCatchesWhatItMeansTo() {
        for line in [".childChannelOption(.socketOption(.tcp_nodelay), value: 1)", ".channelOption(.socketOption( .tcp_keepidle), value: 5)"] {
            #expect(Self.pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil, "\(line)")
        }
        let right = ".channelOption(.tcpOption(.tcp_nodelay), value: 1)"
        #expect(Self.pattern.firstMatch(in: right, range: NSRange(right.startIndex..., in: right)) == nil)
    }
}
