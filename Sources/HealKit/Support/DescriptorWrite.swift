import Foundation

/// Writes all of a buffer to a file descriptor, retrying interrupted and short writes; returns the errno that
/// stopped it (EPIPE when a reader went away), nil when everything was written.
public enum DescriptorWrite {
    @discardableResult
    public static func all(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n < 0 ? errno : EIO }
            offset += n
        }
        return nil
    }
}
