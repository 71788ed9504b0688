import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// `run()`, with the child starting from an empty signal mask.
    ///
    /// On Linux, Foundation's `Process` hands the child the signal mask of the thread that
    /// calls `run()` (swift-corelibs-foundation#4772), and the threads of Swift concurrency and
    /// Dispatch block nearly every signal, SIGTERM and SIGINT among them: a child started from
    /// async code could then be stopped only with SIGKILL, unless it reads its signals through
    /// a `signalfd` as our services happen to. The mask is cleared on the calling thread for
    /// the length of the spawn only.
    public func runWithSignalsUnblocked() throws {
        var empty = sigset_t()
        var previous = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try run()
    }
}
