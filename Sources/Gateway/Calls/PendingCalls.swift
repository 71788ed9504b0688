import Foundation

/// Call results that were started but not finished (a service failed half-way), so that
/// running the same command again reuses the same idempotency keys and the same call
/// session: the visit is not booked twice and the result is not recorded twice. An entry
/// lives only until its command completes or is cleanly undone; the file sits beside the
/// session token with the same 0600 permissions.
public struct PendingCalls: Sendable {
    public struct Entry: Codable, Sendable, Hashable {
        /// The base of every step's idempotency key.
        public var key: String
        public var sessionID: String?
        public var bookingID: String?
        /// The call whatever its result (`CallPlan.callFingerprint`), and the result chosen.
        public var call: String?
        public var resultLabel: String?
        /// The result is saved; only the visit SMS may be left to do.
        public var saved: Bool?

        public init(key: String, sessionID: String? = nil, bookingID: String? = nil, call: String? = nil, resultLabel: String? = nil) {
            self.key = key
            self.sessionID = sessionID
            self.bookingID = bookingID
            self.call = call
            self.resultLabel = resultLabel
        }
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// `pending-calls.json` beside the session file.
    public static func beside(_ sessions: SessionStore) -> PendingCalls {
        PendingCalls(path: URL(fileURLWithPath: sessions.path).deletingLastPathComponent().appendingPathComponent("pending-calls.json").path)
    }

    func all() -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: path),
              let entries = try? JSONDecoder().decode([String: Entry].self, from: data) else { return [:] }
        return entries
    }

    public func entry(_ fingerprint: String) -> Entry? { all()[fingerprint] }

    /// An unfinished run of the same call with another result (its fingerprint and entry).
    public func otherResult(of call: String, than fingerprint: String) -> (fingerprint: String, entry: Entry)? {
        all().filter { $0.key != fingerprint && $0.value.call == call && $0.value.sessionID != nil && $0.value.saved != true }
            .min { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public func put(_ fingerprint: String, _ entry: Entry) throws(GatewayError) {
        var entries = all()
        entries[fingerprint] = entry
        try write(entries)
    }

    public func remove(_ fingerprint: String) {
        var entries = all()
        guard entries.removeValue(forKey: fingerprint) != nil else { return }
        try? write(entries)
    }

    private func write(_ entries: [String: Entry]) throws(GatewayError) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            try JSONEncoder().encode(entries).write(to: url, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } catch {
            throw GatewayError("Не удалось записать \(path): \(error.localizedDescription)")
        }
    }

    /// A stable name for a command's choices (FNV-1a, 64 bits).
    public static func fingerprint(_ parts: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in parts.joined(separator: "\u{1F}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }
}
