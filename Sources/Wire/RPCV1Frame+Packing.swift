extension RPCV1.Frame {
    /// Packs the frame into memory the caller provides once the size is known: the TCP
    /// transport writes it behind its length prefix in the send buffer, sparing an array
    /// and a copy on every call. `pack` needs at least `size` bytes and returns the count it wrote.
    /// Throws, naming the field, when a string (a metadata value, an error message) holds U+0000.
    public func withPacking<R>(_ body: (_ size: Int, _ pack: (UnsafeMutableRawBufferPointer) -> Int) -> R) throws(WireError) -> R {
        try wirePack(self, body)
    }
}
