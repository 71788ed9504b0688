import Foundation

/// The key a collector reads off the screen and may type back (`crm collect incoming
/// --resume`): a prefix naming the process and 12 hex digits — 48 random bits, so a clash
/// needs some 16 million open processes, and the table's primary key refuses one anyway.
enum ProcessKey {
    static func new(_ prefix: String) -> String {
        prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }
}
