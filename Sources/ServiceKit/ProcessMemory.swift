import Foundation

/// The process's own memory, as the kernel counts it.
public enum ProcessMemory {
    /// Hands the free memory malloc keeps for reuse back to the system (glibc's
    /// `malloc_trim(0)`, every arena); elsewhere a no-op.
    public static func returnFreedMemory() {
        #if os(Linux)
        _ = mallocTrim(0)
        #endif
    }

    /// Resident set size (VmRSS in /proc/self/status), nil where there is none.
    public static func residentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") else { return nil }
        return kib * 1024
    }
}

#if os(Linux)
/// glibc's `malloc_trim` (declared in <malloc.h>, which the Glibc module does not export).
@_silgen_name("malloc_trim") private func mallocTrim(_ pad: Int) -> Int32
#endif
