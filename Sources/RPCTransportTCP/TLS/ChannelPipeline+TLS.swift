import Logging
import NIOCore
import NIOSSL
import RPCCore

extension ChannelPipeline.SynchronousOperations {
    /// The server's TLS at the head of a connection's pipeline: the first-byte note, TLS, and
    /// the handshake's log (see `TLSServerHandshakeLog`).
    func addTLS(
        _ context: NIOSSLContext,
        checker: CertificateChecker?,
        requireClientCertificate: Bool,
        logger: Logger,
        refuse: @escaping (RPCError) -> Void
    ) throws {
        let findings = HandshakeFindings()
        try addHandler(FirstByteSniffer(findings))
        if let checker {
            try addHandler(NIOSSLServerHandler(context: context, customVerificationCallback: checker.callback(findings)))
        } else {
            try addHandler(NIOSSLServerHandler(context: context))
        }
        try addHandler(TLSServerHandshakeLog(
            findings: findings, requireClientCertificate: requireClientCertificate, logger: logger, refuse: refuse
        ))
    }

    /// The client's TLS: the first-byte note, TLS checking the server's certificate against
    /// the CA, and the failure report (see `TLSClientFailureReport`).
    func addClientTLS(_ credentials: TLSCredentials, host: String, serverAddress: String, findings: HandshakeFindings) throws {
        guard let context = credentials.clientContext, let checker = credentials.checker else { return }
        try addHandler(FirstByteSniffer(findings))
        // SNI carries names only; an address is checked against the certificate's IP entries.
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        try addHandler(NIOSSLClientHandler(
            context: context, serverHostname: isAddress ? nil : host, customVerificationCallback: checker.callback(findings)
        ))
        try addHandler(TLSClientFailureReport(findings: findings, credentials: credentials, serverAddress: serverAddress))
    }
}
