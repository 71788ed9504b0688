/// The outcome class of a call: gRPC's seventeen codes with gRPC's numbers.
///
/// A struct around a private enum, so codes can be added without breaking switches.
public struct StatusCode: Hashable, Sendable, CustomStringConvertible {
    enum Wrapped: Int, CaseIterable {
        case ok = 0
        case cancelled = 1
        case unknown = 2
        case invalidArgument = 3
        case deadlineExceeded = 4
        case notFound = 5
        case alreadyExists = 6
        case permissionDenied = 7
        case resourceExhausted = 8
        case failedPrecondition = 9
        case aborted = 10
        case outOfRange = 11
        case unimplemented = 12
        case `internal` = 13
        case unavailable = 14
        case dataLoss = 15
        case unauthenticated = 16
    }

    let wrapped: Wrapped

    /// The code's number on the wire.
    public var rawValue: Int { wrapped.rawValue }

    /// A code from its wire number; `nil` for numbers outside 0...16.
    public init?(rawValue: Int) {
        guard let wrapped = Wrapped(rawValue: rawValue) else { return nil }
        self.wrapped = wrapped
    }

    init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    public static let ok = StatusCode(.ok)
    public static let cancelled = StatusCode(.cancelled)
    public static let unknown = StatusCode(.unknown)
    public static let invalidArgument = StatusCode(.invalidArgument)
    public static let deadlineExceeded = StatusCode(.deadlineExceeded)
    public static let notFound = StatusCode(.notFound)
    public static let alreadyExists = StatusCode(.alreadyExists)
    public static let permissionDenied = StatusCode(.permissionDenied)
    public static let resourceExhausted = StatusCode(.resourceExhausted)
    public static let failedPrecondition = StatusCode(.failedPrecondition)
    public static let aborted = StatusCode(.aborted)
    public static let outOfRange = StatusCode(.outOfRange)
    public static let unimplemented = StatusCode(.unimplemented)
    public static let `internal` = StatusCode(.internal)
    public static let unavailable = StatusCode(.unavailable)
    public static let dataLoss = StatusCode(.dataLoss)
    public static let unauthenticated = StatusCode(.unauthenticated)

    /// Every code, in wire order.
    public static let allCodes: [StatusCode] = Wrapped.allCases.map(StatusCode.init)

    /// The gRPC spelling, e.g. `INVALID_ARGUMENT`: what logs, metrics and tools print.
    public var description: String {
        switch wrapped {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        }
    }

    /// Parses the gRPC spelling (`DEADLINE_EXCEEDED`), as tools take it on a command line.
    public init?(name: String) {
        guard let code = Self.allCodes.first(where: { $0.description == name.uppercased() }) else { return nil }
        self = code
    }
}
