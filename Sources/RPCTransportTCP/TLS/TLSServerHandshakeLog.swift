import Logging
import NIOCore
import NIOSSL
import NIOTLS
import RPCCore

/// Behind the server's TLS handler: one log line per refused connection, naming the peer and
/// the cause (a plain client, the client's certificate expired or issued by an unknown CA, no
/// client certificate where one is required), and the refusal of a client without a
/// certificate. That client finished the handshake (the certificate is optional to TLS, so
/// the connection can carry an answer), and every call it sends is answered UNAVAILABLE
/// `TLS_CLIENT_CERTIFICATE_REQUIRED` (`refuse`), none served.
final class TLSServerHandshakeLog: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let findings: HandshakeFindings
    private let requireClientCertificate: Bool
    private let logger: Logger
    private let refuse: (RPCError) -> Void
    private var handshakeDone = false
    private var reported = false

    init(findings: HandshakeFindings, requireClientCertificate: Bool, logger: Logger, refuse: @escaping (RPCError) -> Void) {
        self.findings = findings
        self.requireClientCertificate = requireClientCertificate
        self.logger = logger
        self.refuse = refuse
    }

    static let clientCertificateRequired = RPCError(
        code: .unavailable,
        message: "This service takes only clients with a certificate from its CA: give --tls-cert and --tls-key",
        reason: .tlsClientCertificateRequired
    )

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            handshakeDone = true
            if requireClientCertificate, !findings.peerCertificateVerified {
                report(context, cause: "client-certificate-missing", detail: "the client presented no certificate; its calls are refused")
                refuse(Self.clientCertificateRequired)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if handshakeDone {
            // A client that drops its connection without TLS's goodbye is no news.
            if let error = error as? NIOSSLError, error == .uncleanShutdown {
                context.close(promise: nil)
                return
            }
            context.fireErrorCaught(error)
            return
        }
        let (cause, detail) = Self.explain(error, findings: findings)
        report(context, cause: cause, detail: detail)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !handshakeDone, findings.bytesReceived, !reported {
            report(context, cause: "handshake-incomplete", detail: "the client closed the connection during the TLS handshake")
        }
        context.fireChannelInactive()
    }

    private func report(_ context: ChannelHandlerContext, cause: String, detail: String) {
        guard !reported else { return }
        reported = true
        logger.warning("TLS connection refused", metadata: [
            "peer": "\(context.channel.remoteAddress?.hostAndPort ?? "unknown")", "cause": "\(cause)", "detail": "\(detail)",
        ])
    }

    private static func explain(_ error: any Error, findings: HandshakeFindings) -> (cause: String, detail: String) {
        if let first = findings.firstByte, first != HandshakeFindings.tlsHandshakeRecord {
            return ("plain-client", "a plain TCP client on this TLS-only port (its first byte was \(first), not a TLS handshake's 22)")
        }
        if let problem = findings.problem {
            return ("client-\(problem.cause)", "the client's certificate \(problem.detail)")
        }
        return ("handshake-failed", "no TLS session was agreed (the client may not trust this server's certificate: its error says): \(error)")
    }
}
