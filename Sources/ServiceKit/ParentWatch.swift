#if canImport(Glibc)
import Glibc
#endif
public import Logging
public import ServiceLifecycle

/// Stops the service, as SIGTERM would, once the process that started it is gone.
///
/// For services run as children of another program (`crm demo`, the test harnesses): when
/// that parent dies without stopping them (SIGKILL, a crash), they would otherwise go on
/// serving, holding their ports and databases. The kernel re-parents an orphan, so a changed
/// parent pid is the sign. It is polled rather than asked of the kernel (`PR_SET_PDEATHSIG`),
/// because that signal follows the parent *thread* that spawned the child, and a Swift
/// program's threads come and go while it runs.
public struct ParentWatch: Service {
    private let parent: pid_t
    private let interval: Duration
    private let logger: Logger

    /// Watches the current parent. `interval`: how often it looks.
    public init(interval: Duration = .milliseconds(500), logger: Logger) {
        self.parent = getppid()
        self.interval = interval
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            var signalled = false
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if !signalled, getppid() != parent {
                    logger.warning("The parent process is gone; stopping", metadata: ["parent": "\(parent)"])
                    // The service group's own SIGTERM handling then stops every service in
                    // order; this one ends with the rest.
                    kill(getpid(), SIGTERM)
                    signalled = true
                }
            }
        }
    }
}
