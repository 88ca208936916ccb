/* DocVault's bridge to poppler-glib and cairo. poppler reports syntax errors in damaged PDFs
 * through GLib logging; dv_poppler_silence routes all GLib log output to a no-op handler so that
 * a bad document never writes to stderr (errors reach Swift through GError instead). */
#ifndef DOCVAULT_POPPLER_SHIM_H
#define DOCVAULT_POPPLER_SHIM_H

#include <poppler.h>
#include <cairo.h>
#include <math.h>
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

/* poppler's cairo backend silently skips an image it cannot decode or allocate (a 20000x20000
 * image under a reader's memory limit): the page then renders with that area blank and no error.
 * This finds such images after a render: for each image poppler maps on the page, if the top-left
 * square of its area (poppler 22's mapping swaps the area's width and height, the top-left corner
 * is right, so the square of the smaller side lies inside the image either way) came out pure
 * white, the image is decoded on its own; when that fails too, it was dropped. Only blank areas
 * are decoded again, so ordinary pages pay for the mapping pass alone. Returns the count of
 * dropped images; `reason` gets cairo's word for the first (static storage, do not free). */
/* `oversized`: NULL, or why any blank image area of this page is taken as dropped without
 * decoding the image again (the file declares an image too large to decode for that check:
 * re-decoding a 20000x20000 bomb costs seconds and the memory the render could not have). */
static inline int dv_dropped_images(PopplerPage *page, const unsigned char *pixels, int stride, int width,
                                    int height, double scale, const char *oversized, const char **reason) {
    int dropped = 0;
    *reason = NULL;
    GList *mapping = poppler_page_get_image_mapping(page);
    for (GList *item = mapping; item != NULL; item = item->next) {
        const PopplerImageMapping *image = (const PopplerImageMapping *)item->data;
        double side = fmin(fabs(image->area.x2 - image->area.x1), fabs(image->area.y2 - image->area.y1));
        int x0 = (int)ceil(fmin(image->area.x1, image->area.x2) * scale);
        int y0 = (int)ceil(fmin(image->area.y1, image->area.y2) * scale);
        int x1 = (int)floor(x0 + side * scale), y1 = (int)floor(y0 + side * scale);
        if (x0 < 0) x0 = 0;
        if (y0 < 0) y0 = 0;
        if (x1 > width) x1 = width;
        if (y1 > height) y1 = height;
        if (x1 - x0 < 2 || y1 - y0 < 2) continue;
        int blank = 1;
        for (int y = y0; y < y1 && blank; y++) {
            const uint32_t *row = (const uint32_t *)(pixels + (size_t)y * (size_t)stride);
            for (int x = x0; x < x1; x++) {
                if ((row[x] & 0xffffffu) != 0xffffffu) { blank = 0; break; }
            }
        }
        if (!blank) continue;
        if (oversized != NULL) {
            if (*reason == NULL) *reason = oversized;
            dropped++;
            continue;
        }
        cairo_surface_t *decoded = poppler_page_get_image(page, image->image_id);
        cairo_status_t status = decoded ? cairo_surface_status(decoded) : CAIRO_STATUS_NO_MEMORY;
        if (decoded) cairo_surface_destroy(decoded);
        if (status != CAIRO_STATUS_SUCCESS) {
            if (*reason == NULL) *reason = cairo_status_to_string(status);
            dropped++;
        }
    }
    poppler_page_free_image_mapping(mapping);
    return dropped;
}

#endif
