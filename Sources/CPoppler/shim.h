/* DocVault's bridge to poppler-glib and cairo. poppler reports syntax errors in damaged PDFs
 * through GLib logging; dv_poppler_silence routes all GLib log output to a no-op handler so that
 * a bad document never writes to stderr (errors reach Swift through GError instead). */
#ifndef DOCVAULT_POPPLER_SHIM_H
#define DOCVAULT_POPPLER_SHIM_H

#include <poppler.h>
#include <cairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static void dv_silent_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void)domain; (void)level; (void)message; (void)data;
}

static inline void dv_poppler_silence(void) {
    GLogLevelFlags all = (GLogLevelFlags)(G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION);
    g_log_set_default_handler(dv_silent_log, NULL);
    g_log_set_handler("Poppler", all, dv_silent_log, NULL);
    g_log_set_handler("GLib", all, dv_silent_log, NULL);
    g_log_set_handler("GLib-GObject", all, dv_silent_log, NULL);
}

/* Some of poppler's cairo backend (e.g. "some font thing failed" for a broken embedded font) and
 * fontconfig complain with fprintf(stderr) instead of an error callback. C code reaches stderr
 * through the FILE* variable, which glibc lets a program reassign; this points it at /dev/null.
 * Process-wide, so only a program may call it (never a library, never a test run: Swift Testing
 * and swift-log write through the same FILE*). Writes to descriptor 2 itself (FileHandle, the
 * Swift runtime's crash report) are not affected. */
static inline void dv_c_stderr_to_null(void) {
    FILE *sink = fopen("/dev/null", "w");
    if (sink) stderr = sink;
}

static inline int dv_gerror_is_encrypted(const GError *error) {
    return error && error->domain == POPPLER_ERROR && error->code == POPPLER_ERROR_ENCRYPTED;
}

/* Memory for a page surface (25-35 MB at 300 dpi), aligned to 2 MiB and marked for transparent
 * huge pages where the kernel offers them: touching it then costs a few dozen page faults instead
 * of thousands, which is most of the system time of rendering one page. Release with free(). */
static inline unsigned char *dv_page_buffer(size_t bytes) {
    const size_t align = (size_t)2 << 20;
    size_t rounded = (bytes + align - 1) / align * align;
    void *memory = NULL;
    if (posix_memalign(&memory, align, rounded) != 0) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(memory, rounded, MADV_HUGEPAGE);
#endif
    return (unsigned char *)memory;
}

/* cairo RGB24 pixels are native-endian 0x00RRGGBB words. Gray uses the BT.601 weights in 16-bit
 * fixed point (the same weights pdftoppm -gray uses). Returns 1 when any pixel is not gray. */
static inline int dv_xrgb_to_gray(const unsigned char *src, int stride, int width, int height,
                                  unsigned char *gray) {
    uint32_t colour = 0;
    for (int y = 0; y < height; y++) {
        const uint32_t *row = (const uint32_t *)(src + (size_t)y * (size_t)stride);
        unsigned char *out = gray + (size_t)y * (size_t)width;
        for (int x = 0; x < width; x++) {
            uint32_t p = row[x];
            uint32_t r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
            colour |= (r ^ g) | (g ^ b);
            out[x] = (unsigned char)((r * 19595u + g * 38470u + b * 7471u + 32768u) >> 16);
        }
    }
    return colour != 0;
}

static inline void dv_xrgb_to_rgb(const unsigned char *src, int stride, int width, int height,
                                  unsigned char *rgb) {
    for (int y = 0; y < height; y++) {
        const uint32_t *row = (const uint32_t *)(src + (size_t)y * (size_t)stride);
        unsigned char *out = rgb + (size_t)y * (size_t)width * 3;
        for (int x = 0; x < width; x++) {
            uint32_t p = row[x];
            out[3 * x] = (unsigned char)(p >> 16);
            out[3 * x + 1] = (unsigned char)(p >> 8);
            out[3 * x + 2] = (unsigned char)p;
        }
    }
}

#endif
