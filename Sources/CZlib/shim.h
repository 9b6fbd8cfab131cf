#include <zlib.h>

/// inflateInit2 is a macro; Swift needs a function.
static inline int heal_inflate_init(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
