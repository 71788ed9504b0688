#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import GRDB
public import Logging
public import RPCCore
public import ServiceLifecycle
import Synchronization

/// Sees the storage faults SQLite does not report: the database file deleted or replaced under
/// the running service (SQLite goes on writing to the unlinked file, and every write is lost at
/// the restart), and writes that fail (read-only file system, disk full, I/O error).
///
/// While a fault lasts, health answers NOT_SERVING and every call but the built-ins is refused
/// UNAVAILABLE. A call that succeeded is answered only if the path still names the file the
/// service opened (one `stat` per call), so no write is acknowledged that went to a lost file.
/// A deleted or replaced file is a fault until the restart; a failed write is one until a
/// write probe succeeds again.
public final class StorageWatchdog: Service, ServerInterceptor, Sendable {
    struct FileIdentity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    public enum Fault: Equatable, Sendable, CustomStringConvertible {
        /// The path names another file, or none: permanent until the restart.
        case fileReplaced(String)
        /// Writes fail (read-only, full, I/O error): cleared when a write probe succeeds.
        case unwritable(String)

        public var description: String {
            switch self {
            case .fileReplaced(let reason), .unwritable(let reason): reason
            }
        }
    }

    public static let refusal = "Сервис временно не может сохранять данные: хранилище недоступно"

    let path: String
    let opened: FileIdentity?
    let writer: any DatabaseWriter
    let interval: Duration
    let logger: Logger
    private let fault = Mutex<Fault?>(nil)

    /// Call right after opening the database at `path`: the file found there now is the one
    /// the service writes to.
    public init(database path: String, writer: any DatabaseWriter, interval: Duration = .seconds(1), logger: Logger) {
        self.path = path
        self.opened = Self.identity(of: path)
        self.writer = writer
        self.interval = interval
        self.logger = logger
    }

    /// Nil while the storage is sound.
    public var currentFault: Fault? { fault.withLock { $0 } }

    /// For `BuiltinServices.adding(to:readiness:)`.
    public var isServing: Bool { currentFault == nil }

    /// Checks that the path still names the opened file; records the fault (one log line) if not.
    @discardableResult
    public func checkFile() -> Bool {
        if case .fileReplaced? = currentFault { return false }
        let now = Self.identity(of: path)
        guard let opened, now != opened else { return true }
        record(.fileReplaced(now == nil
            ? "the database file \(path) was deleted under the running service; writes would be lost: restore it and restart"
            : "the database file \(path) was replaced under the running service; writes would go to the old file: restart"))
        return false
    }

    /// Writes the database header (`PRAGMA user_version`, unchanged) to see whether writes
    /// reach the file; records or clears an `unwritable` fault.
    @discardableResult
    public func probeWrite() async -> Bool {
        do {
            try await writer.write { db in
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                try db.execute(sql: "PRAGMA user_version = \(version)")
            }
            let cleared = fault.withLock { fault -> Bool in
                guard case .unwritable? = fault else { return false }
                fault = nil
                return true
            }
            if cleared { logger.notice("storage writable again; serving", metadata: ["database": "\(path)"]) }
            return true
        } catch {
            record(.unwritable("writes to the database \(path) fail: \(error)"))
            return false
        }
    }

    private func record(_ new: Fault) {
        let changed = fault.withLock { fault -> Bool in
            if case .fileReplaced? = fault { return false }  // the worse fault stays
            guard fault != new else { return false }
            fault = new
            return true
        }
        if changed { logger.critical("storage fault: NOT_SERVING, calls refused UNAVAILABLE", metadata: ["reason": "\(new)"]) }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if checkFile(), case .unwritable? = currentFault { await probeWrite() }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return  // stopping
            }
        }
    }

    public func intercept(
        request: RPCRequestParts,
        context: ServerContext,
        next: @Sendable (RPCRequestParts, ServerContext) async throws -> RPCResponseParts
    ) async throws -> RPCResponseParts {
        // Health must answer NOT_SERVING, not UNAVAILABLE; reflection touches no storage.
        let method = context.descriptor.fullName
        if method.hasPrefix("crm.rpc.v1.Health/") || method.hasPrefix("crm.rpc.v1.Reflection/") { return try await next(request, context) }
        guard currentFault == nil else { throw RPCError(code: .unavailable, message: Self.refusal) }
        let response = try await next(request, context)
        switch response.result {
        case .success:
            guard checkFile() else { throw RPCError(code: .unavailable, message: Self.refusal) }
        case .failure(let error) where error.code == .unknown:
            // A handler's unexpected failure may be a write the storage refused.
            guard await probeWrite() else { throw RPCError(code: .unavailable, message: Self.refusal) }
        case .failure:
            break
        }
        return response
    }

    static func identity(of path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
