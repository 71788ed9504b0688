import CRMAPI
import Foundation
import GRDB
import Logging
import NIOCore
import RPCCore
import RPCTransportTCP
import ServiceKit
import Testing
import Wire

/// Storage faults SQLite does not report are seen: health turns NOT_SERVING and calls are
/// refused UNAVAILABLE, so nothing is acknowledged that went to a lost or unwritable file.
@Suite(.serialized) struct StorageFaultTests {
    /// The data folder deleted under a running registry (the issue's probe: 7 writes were
    /// acknowledged and lost at the restart).
    @Test func aDeletedDataFolderTurnsHealthNotServingAndRefusesWrites() async throws {
        let root = try temporaryFolder("storage-deleted")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let registry = try ServiceProcess("registry", database: data.appendingPathComponent("registry.sqlite").path)
        defer { registry.stop() }
        try await registry.start()
        let comments = Comments(registry.client())
        let card = try await comments.createCard()
        try await comments.add("до удаления", card: card)

        try FileManager.default.removeItem(at: data)
        var refused = 0
        var acknowledged = 0
        for n in 0..<20 {
            do {
                try await comments.add("после удаления \(n)", card: card)
                acknowledged += 1
            } catch let error as RPCError {
                #expect(error.code == .unavailable, "\(error)")
                refused += 1
            }
        }
        let health = try await RPCV1.Health.Client(wrapping: registry.client()).check(RPCV1.HealthCheckRequest())
        // The log went with the folder; the process still holds it open.
        let log = (try? String(contentsOfFile: "/proc/\(registry.process.processIdentifier)/fd/2", encoding: .utf8)) ?? ""
        let line = log.split(separator: "\n").first { $0.contains("storage fault") }
        print("data folder deleted: \(acknowledged) of 20 writes acknowledged, \(refused) refused; health \(health.status); log: \(line ?? "none")")
        #expect(acknowledged == 0)
        #expect(health.status == .notServing)
        #expect(line?.contains("was deleted") == true)
    }

    /// The file replaced by another (a restore copied over a live database).
    @Test func aReplacedDatabaseFileIsSeenByTheWatchdog() async throws {
        let folder = try temporaryFolder("storage-replaced")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("live.sqlite").path
        let pool = try DatabasePool(path: path)
        try await pool.write { try $0.execute(sql: "CREATE TABLE t(x)") }
        let watchdog = StorageWatchdog(database: path, writer: pool, logger: Logger(label: "test"))
        #expect(watchdog.checkFile())
        let copy = folder.appendingPathComponent("copy.sqlite").path
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        try #require(rename(copy, path) == 0, "rename: \(errno)")
        #expect(!watchdog.checkFile())
        guard case .fileReplaced(let reason)? = watchdog.currentFault else {
            Issue.record("no fault: \(String(describing: watchdog.currentFault))")
            return
        }
        #expect(reason.contains("replaced"))
        // A write probe that succeeds (on the old file) does not clear it.
        #expect(await watchdog.probeWrite())
        #expect(!watchdog.isServing)
    }

    /// A write the storage refuses (SQLITE_READONLY here) is UNAVAILABLE, not UNKNOWN, and
    /// health turns NOT_SERVING — over a real RPC server and a real SQLite file.
    @Test func aWriteTheStorageRefusesIsUnavailableAndHealthNotServing() async throws {
        let folder = try temporaryFolder("storage-readonly")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ro.sqlite").path
        try await DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE t(x)") }
        var readOnly = Configuration()
        readOnly.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: readOnly)
        let watchdog = StorageWatchdog(database: path, writer: queue, logger: Logger(label: "test"))

        struct Writes: RPCV1.Echo.ServiceProtocol {
            let queue: DatabaseQueue
            func echo(request: RPCV1.EchoMessage, context: ServerContext) async throws -> RPCV1.EchoMessage {
                try await queue.write { try $0.execute(sql: "INSERT INTO t(x) VALUES (1)") }
                return request
            }
        }
        let listener = TCPServerTransport()
        let server = RPCServer(
            transport: listener, services: BuiltinServices.adding(to: [Writes(queue: queue)], readiness: { watchdog.isServing }),
            interceptors: [watchdog]
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            let port = try await listener.listeningAddress().port ?? 0
            let rpc = RPCClient(transport: TCPClientTransport(host: "127.0.0.1", port: port), defaultTimeout: .seconds(20))
            let health = RPCV1.Health.Client(wrapping: rpc)
            #expect(try await health.check(RPCV1.HealthCheckRequest()).status == .serving)
            let error = await #expect(throws: RPCError.self) { _ = try await RPCV1.Echo.Client(wrapping: rpc).echo(RPCV1.EchoMessage()) }
            #expect(error?.code == .unavailable)
            #expect(error?.message == StorageWatchdog.refusal)
            #expect(try await health.check(RPCV1.HealthCheckRequest()).status == .notServing)
        }
    }
}
