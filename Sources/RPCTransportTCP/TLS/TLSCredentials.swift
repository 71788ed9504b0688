import Foundation
public import Logging
import NIOCertificateReloading
import NIOCore
import NIOSSL
import SwiftASN1
import Synchronization
import X509

/// A process's TLS material, loaded and kept fresh: the certificate and key (read again every
/// `TLSFiles.reloadInterval` by nio-extras' `TimedCertificateReloader`, so each new handshake
/// uses what is on disk now), the trusted CAs, and the TLS contexts made from them. One
/// instance serves a process's server and all of its clients.
public final class TLSCredentials: Sendable {
    public let files: TLSFiles
    let checker: CertificateChecker?
    let serverContext: NIOSSLContext?
    let clientContext: NIOSSLContext?
    private let reloader: TimedCertificateReloader?
    private let currentCertificate: LoadedCertificate
    private let reloading: Task<Void, Never>?

    /// Reads every file now, so a missing or unreadable one stops the process at start with
    /// the flag that named it, not at its first handshake. Loads and failed reloads go to
    /// `logger` (a service's log; an operator's CLI passes none).
    public init(_ files: TLSFiles, logger: Logger? = nil) throws {
        self.files = files
        guard (files.certificate == nil) == (files.key == nil) else {
            throw TLSSetupError("--tls-cert and --tls-key go together: give both or neither")
        }
        if files.requireClientCertificate {
            guard files.ca != nil, files.certificate != nil else {
                throw TLSSetupError("--tls-require-client-cert needs --tls-ca (the CA of the clients' certificates) and --tls-cert/--tls-key")
            }
        }
        let trusted = try files.ca.map { try Self.readCA($0) }
        checker = trusted.map { CertificateChecker(trusted: $0.x509) }

        let currentCertificate = LoadedCertificate()
        self.currentCertificate = currentCertificate
        if let certificate = files.certificate, let key = files.key {
            for (path, flag) in [(certificate, "--tls-cert"), (key, "--tls-key")] where !FileManager.default.isReadableFile(atPath: path) {
                throw TLSSetupError("\(flag): cannot read \(path)")
            }
            let configuration = TimedCertificateReloader.Configuration(
                refreshInterval: files.reloadInterval,
                certificateSource: .init(location: .file(path: certificate), format: .pem),
                privateKeySource: .init(location: .file(path: key), format: .pem)
            ) { configuration in
                configuration.onCertificateLoaded = { diff in
                    guard let leaf = diff.currentX509CertificateChain.first, leaf != diff.previousX509CertificateChain?.first else { return }
                    currentCertificate.value.withLock { $0 = leaf }
                    logger?.info("TLS certificate loaded", metadata: [
                        "file": "\(certificate)", "subject": "\(leaf.subject)", "not_after": "\(leaf.notValidAfter)",
                        "serial": "\(leaf.serialNumber)",
                    ])
                }
                configuration.onCertificateLoadFailed = { failure in
                    // A pair caught halfway through being replaced fails here; the next read takes it.
                    logger?.warning("TLS certificate not reloaded; the one loaded before stays in use", metadata: [
                        "file": "\(certificate)", "error": "\(failure.error)",
                    ])
                }
            }
            let reloader: TimedCertificateReloader
            do {
                reloader = try TimedCertificateReloader.makeReloaderValidatingSources(configuration: configuration)
            } catch {
                throw TLSSetupError("--tls-cert/--tls-key: \(certificate) and \(key) are not a certificate and its key (\(error))")
            }
            self.reloader = reloader
            reloading = Task { try? await reloader.run() }
        } else {
            reloader = nil
            reloading = nil
        }

        if let reloader {
            var server = try TLSConfiguration.makeServerConfiguration(certificateReloader: reloader)
            server.minimumTLSVersion = .tlsv12
            if let trusted {
                server.trustRoots = .certificates(trusted.nioSSL)
                // Checked by `CertificateChecker`; a missing one is refused after the handshake
                // (`TLSServerHandshakeLog`), where the client can be told so in its own protocol.
                server.certificateVerification = .optionalVerification
            } else {
                server.certificateVerification = .none
            }
            serverContext = try NIOSSLContext(configuration: server)
        } else {
            serverContext = nil
        }

        if let trusted {
            var client = TLSConfiguration.makeClientConfiguration()
            if let reloader { client = try TLSConfiguration.makeClientConfiguration(certificateReloader: reloader) }
            client.minimumTLSVersion = .tlsv12
            client.trustRoots = .certificates(trusted.nioSSL)
            client.certificateVerification = .fullVerification
            clientContext = try NIOSSLContext(configuration: client)
        } else {
            clientContext = nil
        }
    }

    deinit {
        reloading?.cancel()
    }

    /// This process's certificate as last loaded.
    var certificate: Certificate? { currentCertificate.value.withLock { $0 } }

    private static func readCA(_ path: String) throws -> (nioSSL: [NIOSSLCertificate], x509: [Certificate]) {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw TLSSetupError("--tls-ca: cannot read CA certificates from \(path) (\(error))")
        }
        guard !certificates.isEmpty else { throw TLSSetupError("--tls-ca: \(path) holds no certificate") }
        return (certificates, try certificates.map { try Certificate(derEncoded: $0.toDERBytes()) })
    }
}

/// This process's certificate as the reloader last read it (for a client's own diagnosis).
private final class LoadedCertificate: Sendable {
    let value = Mutex<Certificate?>(nil)
}

/// TLS settings that cannot work, found at start.
public struct TLSSetupError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// By identity: one process loads its material once and hands the same instance around.
extension TLSCredentials: Hashable {
    public static func == (lhs: TLSCredentials, rhs: TLSCredentials) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
