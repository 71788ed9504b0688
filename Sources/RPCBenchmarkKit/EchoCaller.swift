import NIOCore

/// One connection's way of making an echo call, so the RPC and the raw echo are driven by
/// the same load loop.
public protocol EchoCaller: Sendable {
    /// Callers run here: the client connection's event loop, so neither side pays a thread
    /// hop per call that the other does not.
    var executor: any TaskExecutor { get }
    nonisolated(nonsending) func call(_ payload: [UInt8]) async throws
    func close() async
}
