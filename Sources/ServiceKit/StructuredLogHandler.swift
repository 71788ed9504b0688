#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging
import RPCCore

/// How a log line is written: `logfmt` (`key=value` pairs, for people and grep) or `json`
/// (one object a line, for a log shipper).
public enum LogFormat: String, CaseIterable, Sendable {
    case logfmt
    case json
}

/// One line per event on standard error: time (UTC, milliseconds), level, logger label,
/// message, then the metadata in key order. The request id of the call being served
/// (`RequestID.current`) is added to every line written while serving it.
public struct StructuredLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: LogFormat
    let sink: @Sendable (String) -> Void

    public init(label: String, format: LogFormat, level: Logger.Level = .info, sink: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.sink = sink ?? Self.writeToStandardError
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let own = event.metadata { fields.merge(own) { _, new in new } }
        if fields["request-id"] == nil, let id = RequestID.current { fields["request-id"] = .string(id) }
        if let error = event.error { fields["error"] = .string("\(error)") }
        sink(Self.line(time: Self.now(), level: event.level, label: label, message: event.message.description, fields: fields, format: format))
    }

    /// The line for one event (without the newline): pure, so tests check the format.
    static func line(time: String, level: Logger.Level, label: String, message: String, fields: Logger.Metadata, format: LogFormat) -> String {
        let head: [(String, String)] = [("ts", time), ("level", level.rawValue), ("logger", label), ("msg", message)]
        let tail = fields.sorted { $0.key < $1.key }.map { ($0.key, flatten($0.value)) }
        switch format {
        case .logfmt:
            return (head + tail).map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            return "{" + (head + tail).map { "\(JSONText.string($0.0)):\(JSONText.string($0.1))" }.joined(separator: ",") + "}"
        }
    }

    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(flatten).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            "{" + dictionary.sorted { $0.key < $1.key }.map { "\($0.key)=\(flatten($0.value))" }.joined(separator: ",") + "}"
        }
    }

    static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.asciiValue.map { $0 < 0x20 } ?? false }
        guard needsQuotes else { return value }
        return JSONText.string(value)
    }

    /// `2026-11-23T02:31:00.123Z`, from the system clock without Foundation's formatters.
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(spec.tv_nsec / 1_000_000), 3))Z"
    }

    /// One write(2) per line, so lines from concurrent calls never interleave.
    @Sendable static func writeToStandardError(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }
}
