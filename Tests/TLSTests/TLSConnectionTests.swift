import CRMAPI
import Foundation
import Logging
import NIOCore
import RPCCore
import RPCTransportTCP
import SwiftASN1
import Synchronization
import Testing
import Wire
import X509

/// TLS and mutual TLS on real sockets on 127.0.0.1, with a CA made in the test: what a caller
/// gets (the `TLS_*` reason) and what the server logs (one line naming the peer and the cause)
/// for each way a connection is refused.
@Suite struct TLSConnectionTests {
    @Test func callOverTLS() async throws {
        let ca = try TestCA("Bank CA")
        defer { ca.remove() }
        let server = try ca.issue("registry", file: "server")
        try await withServer(TLSFiles(certificate: server.certificate, key: server.key)) { port, _ in
            let answer = try await echo(port: port, tls: TLSFiles(ca: try ca.caFile()), text: "по TLS")
            #expect(answer == "по TLS")
        }
    }

    @Test func plainClientOnTLSPortIsToldTLSIsRequired() async throws {
        let ca = try TestCA("Bank CA")
        defer { ca.remove() }
        let server = try ca.issue("registry", file: "server")
        try await withServer(TLSFiles(certificate: server.certificate, key: server.key)) { port, log in
            let error = await refusal(port: port, tls: nil)
            #expect(error?.code == .unavailable)
            #expect(error?.reason == .tlsRequired)
            let line = try await log.waitFor(cause: "plain-client")
            #expect(line["peer"]?.hasPrefix("127.0.0.1:") == true)
        }
    }

    @Test func tlsClientOnPlainPortIsToldTheServerIsNotTLS() async throws {
        let ca = try TestCA("Bank CA")
        defer { ca.remove() }
        try await withServer(nil) { port, _ in
            let error = await refusal(port: port, tls: TLSFiles(ca: try ca.caFile()))
            #expect(error?.code == .unavailable)
            #expect(error?.reason == .tlsHandshakeFailed)
        }
    }

    @Test func mutualTLSServesAClientWithAGoodCertificate() async throws {
        let ca = try TestCA("Bank CA")
        defer { ca.remove() }
        let server = try ca.issue("registry", file: "server")
        let client = try ca.issue("operator-crm", file: "client")
        let caFile = try ca.caFile()
        try await withServer(TLSFiles(certificate: server.certificate, key: server.key, ca: caFile, requireClientCertificate: true)) { port, _ in
            let answer = try await echo(port: port, tls: TLSFiles(certificate: client.certificate, key: client.key, ca: caFile), text: "mTLS")
            #expect(answer == "mTLS")
        }
    }

    @Test func mutualTLSRefusesAClientWithoutACertificate() async throws {
        let ca = try TestCA("Bank CA")
        defer { ca.remove() }
        let server = try ca.issue("registry", file: "server")
        let caFile = try ca.caFile()
        try await withServer(TLSFiles(certificate: server.certificate, key: server.key, ca: caFile, requireClientCertificate: true)) { port, log in
            let error = await refusal(port: port, tls: TLSFiles(ca: caFile))
            #expect(error?.code == .unavailable)
            #expect(error?.reason == .tlsClientCertificateRequired)
            let line = try await log.waitFor(cause: "client-certificate-missing")
            #expect(line["peer"] != nil)
        }
    }

    @Test func mutualTLSRefusesAnExpiredClientCertificate() async throws {
        let ca = try TestCA("Bank CA")
        defer { ca.remove() }
        let server = try ca.issue("registry", file: "server")
        let client = try ca.issue("operator-crm", file: "client", from: -86400 * 30, until: -86400)
        let caFile = try ca.caFile()
        try await withServer(TLSFiles(certificate: server.certificate, key: server.key, ca: caFile, requireClientCertificate: true)) { port, log in
            let error = await refusal(port: port, tls: TLSFiles(certificate: client.certificate, key: client.key, ca: caFile))
            #expect(error?.code == .unavailable)
            #expect(error?.reason == .tlsCertificateExpired)
            let line = try await log.waitFor(cause: "client-certificate-expired")
            #expect(line["detail"]?.contains("operator-crm") == true)
        }
    }

    @Test func mutualTLSRefusesAClientCertificateFromAnotherCA() async throws {
        let ca = try TestCA("Bank CA")
        let foreign = try TestCA("Someone Else's CA")
        defer { ca.remove(); foreign.remove() }
        let server = try ca.issue("registry", file: "server")
        let client = try foreign.issue("intruder", file: "client")
        let caFile = try ca.caFile()
        try await withServer(TLSFiles(certificate: server.certificate, key: server.key, ca: caFile, requireClientCertificate: true)) { port, log in
            // The client trusts the server's CA; its own certificate is the foreign CA's.
            let error = await refusal(port: port, tls: TLSFiles(certificate: client.certificate, key: client.key, ca: caFile))
            #expect(error?.code == .unavailable)
            #expect(error?.reason == .tlsUnknownCA)
            let line = try await log.waitFor(cause: "client-certificate-unknown-ca")
            #expect(line["detail"]?.contains("Someone Else's CA") == true)
        }
    }

    @Test func clientRefusesAServerCertificateFromAnUnknownCA() async throws {
        let ca = try TestCA("Bank CA")
        let other = try TestCA("Other CA")
        defer { ca.remove(); other.remove() }
        let server = try ca.issue("registry", file: "server")
        try await withServer(TLSFiles(certificate: server.certificate, key: server.key)) { port, _ in
            let error = await refusal(port: port, tls: TLSFiles(ca: try other.caFile()))
            #expect(error?.code == .unavailable)
            #expect(error?.reason == .tlsUnknownCA)
        }
    }

    @Test func clientRefusesAnExpiredServerCertificate() async throws {
        let ca = try TestCA("Bank CA")
        defer { ca.remove() }
        let server = try ca.issue("registry", file: "server", from: -86400 * 30, until: -60)
        try await withServer(TLSFiles(certificate: server.certificate, key: server.key)) { port, _ in
            let error = await refusal(port: port, tls: TLSFiles(ca: try ca.caFile()))
            #expect(error?.code == .unavailable)
            #expect(error?.reason == .tlsCertificateExpired)
        }
    }

    @Test func startRefusesMissingFiles() throws {
        #expect(throws: TLSSetupError.self) { try TLSCredentials(TLSFiles(certificate: "/nonexistent/cert.pem", key: "/nonexistent/key.pem")) }
        #expect(throws: TLSSetupError.self) { try TLSCredentials(TLSFiles(certificate: "/nonexistent/cert.pem")) }
        #expect(throws: TLSSetupError.self) { try TLSCredentials(TLSFiles(ca: "/nonexistent/ca.pem")) }
    }

    /// The server's certificate is replaced on disk (by a certificate of another CA, so that
    /// which one it presents can be told apart) while a client keeps calling: no call fails,
    /// and new connections get the new certificate without a restart.
    @Test func serverCertificateRotatesWhileAClientKeepsCalling() async throws {
        let oldCA = try TestCA("Bank CA 2025")
        let newCA = try TestCA("Bank CA 2026", folder: oldCA.folder)
        defer { oldCA.remove() }
        let server = try oldCA.issue("registry", file: "server")
        let bothCAs = try oldCA.write(
            oldCA.certificate.serializeAsPEM().pemString + "\n" + newCA.certificate.serializeAsPEM().pemString + "\n", to: "both.pem"
        )
        let onlyNew = try newCA.caFile("new-ca.pem")
        let files = TLSFiles(certificate: server.certificate, key: server.key, reloadInterval: .milliseconds(100))
        try await withServer(files) { port, log in
            #expect(await refusal(port: port, tls: TLSFiles(ca: onlyNew))?.reason == .tlsUnknownCA)
            let calls = Atomic(0)
            let failures = Mutex<[String]>([])
            let stop = Atomic(false)
            let caller = Task {
                let transport = TCPClientTransport(host: "127.0.0.1", port: port, tls: try TLSCredentials(TLSFiles(ca: bothCAs)))
                let client = RPCV1.Echo.Client(wrapping: RPCClient(transport: transport))
                while !stop.load(ordering: .relaxed) {
                    do {
                        _ = try await client.echo(RPCV1.EchoMessage())
                        calls.add(1, ordering: .relaxed)
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
                await transport.close()
            }
            // Key first, then certificate, each replaced whole: between the two the pair does
            // not match, the reload is refused, and the old pair stays in use.
            let renewed = try newCA.issue("registry", file: "renewed")
            _ = try newCA.write(try String(contentsOfFile: renewed.key, encoding: .utf8), to: "server.key")
            _ = try newCA.write(try String(contentsOfFile: renewed.certificate, encoding: .utf8), to: "server.pem")
            var served = false
            for _ in 0..<100 where !served {
                try await Task.sleep(for: .milliseconds(100))
                served = (try? await echo(port: port, tls: TLSFiles(ca: onlyNew), text: "new")) == "new"
            }
            stop.store(true, ordering: .relaxed)
            try await caller.value
            #expect(served, "a client trusting only the new CA was never served")
            #expect(failures.withLock { $0 } == [])
            #expect(calls.load(ordering: .relaxed) > 0)
            #expect(log.lines.contains { $0.message == "TLS certificate loaded" && $0.metadata["subject"]?.contains("registry") == true })
        }
    }
}

// MARK: - Helpers

/// The lines the server logged, as they come.
final class CapturedLog: Sendable {
    struct Line: Sendable {
        var message: String
        var metadata: [String: String]
    }

    private let captured = Mutex<[Line]>([])

    var lines: [Line] { captured.withLock { $0 } }

    func append(_ line: Line) { captured.withLock { $0.append(line) } }

    /// The «TLS connection refused» line with `cause`, within 5 s of the refusal the client saw.
    func waitFor(cause: String) async throws -> [String: String] {
        for _ in 0..<50 {
            if let line = lines.first(where: { $0.message == "TLS connection refused" && $0.metadata["cause"] == cause }) {
                #expect(lines.filter { $0.message == "TLS connection refused" }.count == 1, "one line per refused connection")
                return line.metadata
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no «TLS connection refused» line with cause \(cause); lines: \(lines.map { "\($0.message) \($0.metadata)" })")
        return [:]
    }

    var logger: Logger {
        Logger(label: "rpc.tcp.server") { _ in CapturingHandler(log: self) }
    }
}

struct CapturingHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var values: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { values[key] = "\(value)" }
        log.append(CapturedLog.Line(message: "\(event.message)", metadata: values))
    }
}

/// Runs an echo server on 127.0.0.1 (TLS with `files`, plain without) for the body's duration.
func withServer(_ files: TLSFiles?, body: (_ port: Int, _ log: CapturedLog) async throws -> Void) async throws {
    let log = CapturedLog()
    let tls = try files.map { try TLSCredentials($0, logger: log.logger) }
    let transport = TCPServerTransport(TCPServerTransport.Configuration(tls: tls), logger: log.logger)
    let server = RPCServer(transport: transport, services: [EchoService()])
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        defer { group.cancelAll() }
        let port = try await transport.listeningAddress().port ?? 0
        try await body(port, log)
    }
}

/// One echo call on a new client connection.
func echo(port: Int, tls: TLSFiles?, text: String) async throws -> String {
    let transport = TCPClientTransport(host: "127.0.0.1", port: port, tls: try tls.map { try TLSCredentials($0) })
    defer { Task { await transport.close() } }
    var message = RPCV1.EchoMessage()
    message.payload = Array(text.utf8)
    let answer = try await RPCV1.Echo.Client(wrapping: RPCClient(transport: transport)).echo(message, options: CallOptions(timeout: .seconds(5)))
    return String(decoding: answer.payload, as: UTF8.self)
}

/// The error one echo call on a new client connection fails with; nil if it succeeds.
func refusal(port: Int, tls: TLSFiles?) async -> RPCError? {
    do {
        _ = try await echo(port: port, tls: tls, text: "x")
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        Issue.record("not an RPCError: \(error)")
        return nil
    }
}
