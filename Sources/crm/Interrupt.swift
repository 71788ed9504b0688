import Dispatch
import Foundation
import Synchronization

/// Ctrl-C during a call: the operator is told how to resume (or that nothing was written)
/// before the command ends, instead of the process vanishing mid-call.
enum Interrupt {
    private static let advice = Mutex<String?>(nil)
    nonisolated(unsafe) private static var source: (any DispatchSourceSignal)?

    /// What Ctrl-C prints from now on; nil restores the plain interrupt.
    static func onCtrlC(_ text: String?) {
        advice.withLock { $0 = text }
        guard text != nil, source == nil else { return }
        signal(SIGINT, SIG_IGN)
        let signalSource = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signalSource.setEventHandler {
            let text = advice.withLock { $0 }
            FileHandle.standardError.write(Data("\n\(text ?? "Прервано")\n".utf8))
            exit(130)
        }
        signalSource.resume()
        source = signalSource
    }
}
