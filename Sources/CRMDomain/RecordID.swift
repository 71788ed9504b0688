/// Identifiers of new records (call sessions, history entries, leases, decisions): RFC 9562
/// UUID version 7 in its usual text form — 48 bits of Unix milliseconds, then 74 random bits.
///
/// Time-ordered on purpose: rows created together get neighbouring keys, so a batch of inserts
/// dirties the same few pages at the right edge of a unique index instead of one random page
/// each — fewer pages written to the WAL per commit. The random bits come from the system
/// generator (`getrandom`); Foundation's `UUID()` on Linux opens `/dev/urandom` for every id.
public enum RecordID {
    public static func make(unixMs: Int64) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(unixMs: unixMs, using: &generator)
    }

    public static func make(unixMs: Int64, using generator: inout some RandomNumberGenerator) -> String {
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        let ms = UInt64(max(0, unixMs)) & 0xFFFF_FFFF_FFFF
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: ms >> (40 - 8 * UInt64(index))) }
        for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(index))) }
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(index - 8))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // variant 10xx
        return text(bytes)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lowercase, so text order is time order.
    private static func text(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var at = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    buffer[at] = UInt8(ascii: "-")
                    at += 1
                }
                buffer[at] = hex[Int(byte >> 4)]
                buffer[at + 1] = hex[Int(byte & 0x0F)]
                at += 2
            }
            return at
        }
    }
}
